//! Work on a partition: `spawn_on NAME { … }` (and `spawn_thread`, which
//! shares its checks), `run_every_cycle(NAME, function, budget_ms)`,
//! `mailbox_on(NAME, handler)` and `partition_metrics()`.

use super::*;
use crate::check::builtins::FunctionShape;
use crate::check::partitions::{partition_with_policy, DEFAULT_PARTITION};
use crate::ir::{PartitionId, PartitionPolicy};

impl<'a> BodyChecker<'_, 'a> {
    /// `spawn_thread { … }` (`on` is `None`) or `spawn_on NAME { … }`: the
    /// block runs elsewhere, owning what it uses, and its value comes back
    /// through the handle's `join()`.
    pub(super) fn check_spawn(
        &mut self,
        block: &ast::Block,
        on: Option<PartitionId>,
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        self.threads.push(Thread {
            scope_depth: self.scopes.depth(),
            captures: Vec::new(),
            task: on.is_some(),
        });
        let saved_loop = std::mem::replace(&mut self.loop_depth, 0);
        let inner_expected = match expected {
            Some(Ty::Thread(t)) if on.is_none() => Some((**t).clone()),
            Some(Ty::Task(t)) if on.is_some() => Some((**t).clone()),
            _ => None,
        };
        let errors_before = self.c.found.diagnostics.error_count();
        let (b, ty) = self.check_block(block, inner_expected.as_ref());
        let body_had_errors = self.c.found.diagnostics.error_count() > errors_before;
        self.loop_depth = saved_loop;
        let captures = self.threads.pop().map(|t| t.captures).unwrap_or_default();
        // A broken body's unit type says nothing; keep it quiet.
        let ty = match ty {
            Ty::Unit | Ty::Never if body_had_errors => Ty::Error,
            Ty::Never => Ty::Unit,
            other => other,
        };
        let handle = match on {
            Some(_) => Ty::Task(Box::new(ty)),
            None => Ty::Thread(Box::new(ty)),
        };
        expr(
            IrK::SpawnThread {
                on,
                captures,
                body: Box::new(b),
            },
            handle,
            span,
        )
    }

    /// The partition called `name`, or a PT0110 naming those there are.
    pub(super) fn partition_named(&mut self, name: &ast::Ident) -> Option<PartitionId> {
        self.c.found.uses_partitions = true;
        let plan = &self.item_tables().program.partitions;
        if let Some(id) = plan.position(&name.name) {
            self.c.refer(name.span, ir::Target::Partition(id));
            return Some(id);
        }
        let names: Vec<&str> = plan.partitions.iter().map(|p| p.name.as_str()).collect();
        let mut d = Diagnostic::error(
            codes::UNKNOWN_PARTITION,
            name.span,
            format!("no partition `{}`", name.name),
        )
        .with_label("not declared by a `partition` block");
        d = if plan.declared {
            d.with_note(format!(
                "the plan's partitions are: {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        } else {
            d.with_note(format!(
                "this program declares no partitions; the default plan has one, `{DEFAULT_PARTITION}`, on every core"
            ))
            .with_help(format!(
                "declare it: `partition {} {{ cores: list_of(0), policy: api, }}`",
                name.name
            ))
        };
        if let Some(near) = suggest::closest(&name.name, names.iter().copied()) {
            d = d.with_suggestion(
                format!("did you mean `{near}`?"),
                name.span,
                near,
                Applicability::MachineApplicable,
            );
        }
        self.c.error(d);
        None
    }

    /// `run_every_cycle`, `mailbox_on` and `partition_metrics`.
    pub(super) fn check_partition_builtin(
        &mut self,
        keyword: Keyword,
        args: &[ast::Expr],
        span: Span,
    ) -> ir::Expr {
        let keyword_ident = ast::Ident {
            name: keyword.as_str().into(),
            span: Span {
                end: span.start + keyword.as_str().len() as u32,
                ..span
            },
        };
        let (arity, form) = match keyword {
            Keyword::RunEveryCycle => (3, "run_every_cycle(partition, function, budget_ms)"),
            Keyword::MailboxOn => (2, "mailbox_on(partition, handler)"),
            _ => (0, "partition_metrics()"),
        };
        if args.len() != arity {
            self.c.error(
                Diagnostic::error(
                    codes::WRONG_ARGUMENT_COUNT,
                    span,
                    format!("`{}` takes {arity} arguments: `{form}`", keyword.as_str()),
                )
                .with_label(arity_label(args.len(), arity, "argument")),
            );
            for a in args {
                self.check_reported_argument(a);
            }
            return error_expr(span);
        }
        if keyword == Keyword::PartitionMetrics {
            self.c.found.uses_partitions = true;
            return expr(
                IrK::Builtin {
                    builtin: Builtin::PartitionMetrics,
                    args: Vec::new(),
                },
                Ty::Str,
                span,
            );
        }
        let partition = self.partition_argument(&args[0], &keyword_ident);
        let wanted = if keyword == Keyword::RunEveryCycle {
            "frame"
        } else {
            "messaging"
        };
        let partition =
            partition.filter(|&id| self.policy_allows(id, &args[0], &keyword_ident, wanted));
        if keyword == Keyword::RunEveryCycle {
            let function = self.check_function_argument(
                &args[1],
                &Ty::I64,
                FunctionShape::Cycle,
                &keyword_ident,
            );
            let budget = self.check_expr(&args[2], Some(&Ty::I64));
            if !fits(&budget.ty, &Ty::I64) {
                let d = self.mismatch(&Ty::I64, &budget.ty, args[2].span);
                self.c
                    .error(d.with_note("the budget is the slot's time in milliseconds"));
            }
            if let (Some(id), ast::ExprKind::Int(ms)) = (partition, &args[2].kind) {
                let plan = &self.item_tables().program.partitions;
                if let PartitionPolicy::Frame { cycle_ms } = plan.partitions[id].policy {
                    if *ms == 0 || *ms > u64::from(cycle_ms) {
                        let name = plan.partitions[id].name.clone();
                        let declared = plan.partitions[id].span;
                        self.c.error(
                            Diagnostic::error(
                                codes::INVALID_PARTITION_PLAN,
                                args[2].span,
                                format!(
                                    "a slot of `{name}` takes from 1 to {cycle_ms} ms, the partition's cycle"
                                ),
                            )
                            .with_label(format!("{ms} ms"))
                            .with_secondary(declared, format!("`{name}` has a cycle of {cycle_ms} ms")),
                        );
                    }
                }
            }
            return match partition {
                Some(id) if !matches!(function.kind, IrK::Error) => expr(
                    IrK::Builtin {
                        builtin: Builtin::RunEveryCycle(id),
                        args: vec![function, budget],
                    },
                    Ty::Unit,
                    span,
                ),
                _ => error_expr(span),
            };
        }
        let message = self.handler_message_type(&args[1]);
        let handler = self.check_function_argument(
            &args[1],
            &message,
            FunctionShape::Handler,
            &keyword_ident,
        );
        match partition {
            Some(id) if !matches!(handler.kind, IrK::Error) => expr(
                IrK::Builtin {
                    builtin: Builtin::MailboxOn(id),
                    args: vec![handler],
                },
                Ty::Mailbox(Box::new(message)),
                span,
            ),
            _ => error_expr(span),
        }
    }

    /// The partition named by the first argument of a partition built-in.
    fn partition_argument(
        &mut self,
        argument: &ast::Expr,
        keyword: &ast::Ident,
    ) -> Option<PartitionId> {
        if let ast::ExprKind::Path(path) = &argument.kind {
            if let [name] = path.as_slice() {
                if self.lookup_local(&name.name).is_none() {
                    return self.partition_named(name);
                }
            }
        }
        if !matches!(argument.kind, ast::ExprKind::Error) {
            self.c.error(
                Diagnostic::error(
                    codes::NOT_A_VALUE,
                    argument.span,
                    format!("`{}` takes the name of a partition first", keyword.name),
                )
                .with_label("not a partition's name")
                .with_note(
                    "partitions are named by their `partition` blocks, not held in variables",
                ),
            );
        }
        None
    }

    /// Whether the partition's policy runs `wanted` work; a PT0215 if not,
    /// with the first partition that does as the fix.
    fn policy_allows(
        &mut self,
        id: PartitionId,
        argument: &ast::Expr,
        keyword: &ast::Ident,
        wanted: &str,
    ) -> bool {
        let plan = &self.item_tables().program.partitions;
        let partition = &plan.partitions[id];
        if partition.policy.name() == wanted {
            return true;
        }
        let what = if wanted == "frame" {
            "periodic work in a fixed cycle"
        } else {
            "message handlers"
        };
        let mut d = Diagnostic::error(
            codes::PARTITION_POLICY,
            argument.span,
            format!(
                "`{}` needs a `{wanted}` partition, and `{}` is `{}`",
                keyword.name,
                partition.name,
                partition.policy.name()
            ),
        )
        .with_label(format!(
            "{} `{}` partition",
            if partition.policy.name() == "api" {
                "an"
            } else {
                "a"
            },
            partition.policy.name()
        ))
        .with_note(format!("only `{wanted}` partitions run {what}"));
        if plan.declared {
            d = d.with_secondary(partition.span, "declared here");
        }
        d = match partition_with_policy(plan, wanted) {
            Some(other) => d.with_suggestion(
                format!("send it to `{}`, the `{wanted}` partition", other.name),
                argument.span,
                other.name.to_string(),
                Applicability::MachineApplicable,
            ),
            None => d.with_help(format!(
                "declare one: `partition {} {{ cores: list_of(1), policy: {wanted}, }}`",
                if wanted == "frame" { "ui" } else { "bus" }
            )),
        };
        self.c.error(d);
        false
    }

    /// The message type of a mailbox: the type of its handler's parameter,
    /// when the handler names a function that takes one.
    fn handler_message_type(&mut self, handler: &ast::Expr) -> Ty {
        let ast::ExprKind::Path(path) = &handler.kind else {
            return Ty::Error;
        };
        if path.len() == 1 && self.lookup_local(&path[0].name).is_some() {
            return Ty::Error;
        }
        match self.c.lookup_item(self.module, path) {
            Ok(Def::Function(id)) => {
                let f = &self.item_tables().program.functions[id];
                match (&f.kind, f.params.first()) {
                    (
                        ir::FunctionKind::Method {
                            receiver: Some(_),
                            of,
                            ..
                        },
                        _,
                    ) => Ty::Named(*of),
                    (_, Some(param)) => param.ty.clone(),
                    _ => Ty::Error,
                }
            }
            _ => Ty::Error,
        }
    }
}
