//! Blocks and statements: bindings, assignments, loops, `return`, and the
//! warnings that follow a block (unread values, unchanged `let_mut_var`).

use super::*;

impl<'a> BodyChecker<'_, 'a> {
    pub(super) fn check_block(
        &mut self,
        block: &ast::Block,
        expected: Option<&Ty>,
    ) -> (ir::Block, Ty) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            // A change in the statement around this block (an `if`
            // condition, a `match` scrutinee) happens before the block runs.
            self.date_pending_changes();
            self.scopes.open();
            let mut stmts = Vec::with_capacity(block.stmts.len());
            let mut diverges = false;
            // The statement after which nothing runs.
            let mut diverged_at = None;
            let mut warned_unreachable = false;
            for stmt in &block.stmts {
                if diverges && !warned_unreachable {
                    warned_unreachable = true;
                    let mut d = Diagnostic::warning(
                        codes::UNREACHABLE_CODE,
                        stmt.span,
                        "this statement can never run",
                    )
                    .with_label("unreachable statement");
                    if let Some(at) = diverged_at {
                        d = d.with_secondary(at, "nothing after this runs");
                    }
                    self.c.found.diagnostics.push(d.with_help(
                        "remove it, or move it before the `return`, `break` or `continue` above",
                    ));
                }
                let checked = self.check_stmt(stmt);
                if let Some(s) = checked {
                    if stmt_diverges(&s) {
                        if !diverges {
                            diverged_at = Some(stmt.span);
                        }
                        diverges = true;
                    }
                    if !warned_unreachable {
                        stmts.push(s);
                    }
                }
            }
            let (tail, ty) = match &block.tail {
                Some(tail) => {
                    let checked = self.check_expr(tail, expected);
                    let ty = checked.ty.clone();
                    if warned_unreachable {
                        (None, Ty::Never)
                    } else {
                        (Some(Box::new(checked)), ty)
                    }
                }
                None if diverges => (None, Ty::Never),
                None => (None, Ty::Unit),
            };
            self.scopes.close();
            (ir::Block { stmts, tail }, ty)
        })
    }

    pub(super) fn check_stmt(&mut self, stmt: &ast::Stmt) -> Option<ir::Stmt> {
        let checked = self.check_stmt_kind(stmt);
        self.date_pending_changes();
        checked
    }

    /// Dates the changes seen since the last statement or block began.
    pub(super) fn date_pending_changes(&mut self) {
        self.cow.clock += 1;
        let clock = self.cow.clock;
        let pending = std::mem::take(&mut self.cow.pending);
        self.cow
            .changes
            .extend(pending.into_iter().map(|(id, span)| (id, clock, span)));
    }

    pub(super) fn check_stmt_kind(&mut self, stmt: &ast::Stmt) -> Option<ir::Stmt> {
        Some(match &stmt.kind {
            ast::StmtKind::Error => return None,
            ast::StmtKind::Let {
                kind,
                keyword_span,
                name,
                ty,
                value,
            } => {
                let annotated = ty.as_ref().map(|t| self.c.resolve_type(self.module, t));
                let checked = self.check_value(value, annotated.as_ref());
                if let Some(a) = &annotated {
                    self.expect_type(&checked, a);
                }
                let local_ty = match &annotated {
                    Some(a) => merge(a, &checked.ty),
                    None => checked.ty.clone(),
                };
                if matches!(local_ty, Ty::Unit) {
                    self.c.error(
                        Diagnostic::error(
                            codes::MISMATCHED_TYPES,
                            value.span,
                            "this expression has no value to bind",
                        )
                        .with_label("evaluates to nothing"),
                    );
                }
                if matches!(local_ty, Ty::Range) {
                    self.c.error(
                        Diagnostic::error(
                            codes::MISMATCHED_TYPES,
                            value.span,
                            "a range can only be iterated by `for`",
                        )
                        .with_label("this is a `range`")
                        .with_help("write the range in the `for` loop itself"),
                    );
                }
                let repr = match kind {
                    BindingKind::Var | BindingKind::MutVar => Repr::Value,
                    BindingKind::CowVar => {
                        if local_ty.is_copy() {
                            self.c.error(
                                Diagnostic::error(codes::MISMATCHED_TYPES, *keyword_span, format!("`let_cow_var` cannot hold a `{}`", self.show(&local_ty)))
                                    .with_label(format!("would borrow a value of type `{}`", self.show(&local_ty)))
                                    .with_note("`i64`, `f64` and `bool` are copied, so borrowing them saves nothing")
                                    .with_suggestion("use `let_mut_var`", *keyword_span, "let_mut_var", Applicability::MachineApplicable),
                            );
                        }
                        Repr::Cow
                    }
                    BindingKind::SharedVar => Repr::Arc,
                    BindingKind::MutSharedVar => Repr::ArcMutex,
                };
                let value_is_broken = matches!(checked.kind, IrK::Error) && checked.ty == Ty::Error;
                let local = self.declare(
                    name,
                    local_ty,
                    repr,
                    *kind == BindingKind::MutVar || *kind == BindingKind::CowVar,
                    Origin::Let(*kind, *keyword_span),
                );
                if value_is_broken {
                    // Its value was reported as broken; "never used" would add nothing.
                    self.locals[local].used = true;
                }
                if *kind == BindingKind::CowVar && is_place(&checked) {
                    if let Some(source) = Self::root_local(&checked) {
                        self.cow.borrows.push((local, source, self.cow.clock));
                    }
                }
                ir::Stmt::Let {
                    local,
                    value: checked,
                    span: stmt.span,
                }
            }
            ast::StmtKind::Assign {
                target,
                op,
                op_span,
                value,
            } => {
                let target_ir = self.check_place(target);
                let op = match op {
                    ast::AssignOp::Set => None,
                    ast::AssignOp::Update(op) => Some(*op),
                };
                // `x += v` reads `x` as well as writing it.
                if let (Some(_), IrK::Local { id, .. }) = (op, &target_ir.kind) {
                    self.note_use(*id);
                }
                let expected = target_ir.ty.clone();
                let value_ir = self.check_value(value, Some(&expected));
                if let Some(op) = op {
                    if !matches!(expected, Ty::I64 | Ty::F64 | Ty::Error) {
                        self.c.error(
                            Diagnostic::error(
                                codes::INVALID_OPERATOR,
                                *op_span,
                                format!(
                                    "`{}=` cannot be applied to `{}`",
                                    op.as_str(),
                                    self.show(&expected)
                                ),
                            )
                            .with_label(format!(
                                "the target is `{}`, not a number",
                                self.show(&expected)
                            )),
                        );
                    }
                }
                self.expect_type(&value_ir, &expected);
                self.refine(&target_ir, &value_ir.ty);
                // `x = x.owned_method()`: consumed by the value, then given
                // a new one, so `x` may be used again.
                if let (None, IrK::Local { id, .. }) = (op, &target_ir.kind) {
                    if self.consumed[*id]
                        .is_some_and(|at| at.start >= value.span.start && at.end <= value.span.end)
                    {
                        self.consumed[*id] = None;
                    }
                }
                ir::Stmt::Assign {
                    target: Box::new(target_ir),
                    op,
                    value: Box::new(value_ir),
                }
            }
            ast::StmtKind::Expr { expr: e, semicolon } => {
                let checked = self.check_expr(e, None);
                if !semicolon && !matches!(checked.ty, Ty::Unit | Ty::Never | Ty::Error) {
                    let ty = self.show(&checked.ty);
                    self.c.error(
                        Diagnostic::error(
                            codes::MISMATCHED_TYPES,
                            e.span,
                            format!("this `{ty}` value is not used"),
                        )
                        .with_label("neither bound nor discarded with `;`")
                        .with_help(
                            "bind it with `let_var`, or end the statement with `;` to discard it",
                        ),
                    );
                }
                ir::Stmt::Expr(checked)
            }
            ast::StmtKind::Return(value) => {
                let expected = self.returns.clone();
                if !self.threads.is_empty() {
                    if let Some(v) = value {
                        self.check_expr(v, None);
                    }
                    self.c.error(
                        Diagnostic::error(
                            codes::OUTSIDE_LOOP,
                            stmt.span,
                            "`return` inside `spawn_thread` is not allowed",
                        )
                        .with_label("inside a `spawn_thread` block")
                        .with_help("end the thread's block with its value instead"),
                    );
                    return None;
                }
                let value = match value {
                    Some(v) => {
                        let checked = self.check_value(v, Some(&expected));
                        if expected == Ty::Unit {
                            let label = match checked.ty {
                                Ty::Error | Ty::Unknown | Ty::Never | Ty::Unit => {
                                    "unexpected value".to_string()
                                }
                                ref ty => format!("unexpected `{}` value", self.show(ty)),
                            };
                            self.c.error(
                                Diagnostic::error(
                                    codes::MISMATCHED_TYPES,
                                    v.span,
                                    "this function returns nothing, so `return` takes no value",
                                )
                                .with_label(label),
                            );
                        } else {
                            self.expect_type(&checked, &expected);
                        }
                        Some(checked)
                    }
                    None => {
                        if !matches!(expected, Ty::Unit | Ty::Error) {
                            self.c.error(
                                Diagnostic::error(
                                    codes::MISMATCHED_TYPES,
                                    stmt.span,
                                    format!(
                                        "`return` needs a value of type `{}`",
                                        self.show(&expected)
                                    ),
                                )
                                .with_label("returns without a value"),
                            );
                        }
                        None
                    }
                };
                ir::Stmt::Return(value)
            }
            ast::StmtKind::Break | ast::StmtKind::Continue => {
                if self.loop_depth == 0 {
                    let word = if matches!(stmt.kind, ast::StmtKind::Break) {
                        "break"
                    } else {
                        "continue"
                    };
                    self.c.error(
                        Diagnostic::error(
                            codes::OUTSIDE_LOOP,
                            stmt.span,
                            format!("`{word}` outside of a loop"),
                        )
                        .with_label("not inside a `for`, `while` or `loop`"),
                    );
                    return None;
                }
                if matches!(stmt.kind, ast::StmtKind::Break) {
                    ir::Stmt::Break
                } else {
                    ir::Stmt::Continue
                }
            }
            ast::StmtKind::While { condition, body } => {
                let condition = self.check_condition(condition);
                self.loop_depth += 1;
                let (body, _) = self.check_unit_block(body);
                self.loop_depth -= 1;
                ir::Stmt::While {
                    condition: Box::new(condition),
                    body,
                }
            }
            ast::StmtKind::Loop(body) => {
                self.loop_depth += 1;
                let (body, _) = self.check_unit_block(body);
                self.loop_depth -= 1;
                ir::Stmt::Loop(body)
            }
            ast::StmtKind::RustWhileLet {
                let_span,
                pattern,
                value,
                body,
            } => {
                self.c.error(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        stmt.span.shrink_to_start().to(*let_span),
                        "`while let` is Rust; Parseltongue uses `loop` with `match`",
                    )
                    .with_label("Rust pattern loop")
                    .with_help(
                        "write `loop { match value { Pattern => { … }, _ => { break; } } }`",
                    ),
                );
                let scrutinee = self.check_expr(value, None);
                let borrowed = binds_by_reference(&scrutinee);
                self.scopes.open();
                let pattern = self.check_pattern(pattern, &scrutinee.ty, borrowed, true);
                self.loop_depth += 1;
                let (block, _) = self.check_unit_block(body);
                self.loop_depth -= 1;
                self.scopes.close();
                let arms = vec![
                    (pattern, expr(IrK::Block(block), Ty::Unit, stmt.span)),
                    (
                        ir::Pattern::Wildcard,
                        expr(
                            IrK::Block(ir::Block {
                                stmts: vec![ir::Stmt::Break],
                                tail: None,
                            }),
                            Ty::Unit,
                            stmt.span,
                        ),
                    ),
                ];
                let body = ir::Block {
                    stmts: vec![ir::Stmt::Expr(expr(
                        IrK::Match {
                            scrutinee: Box::new(scrutinee),
                            arms,
                        },
                        Ty::Unit,
                        stmt.span,
                    ))],
                    tail: None,
                };
                ir::Stmt::Loop(body)
            }
            ast::StmtKind::For {
                binding,
                iterable,
                body,
            } => self.check_for(binding, iterable, body),
        })
    }

    pub(super) fn check_unit_block(&mut self, block: &ast::Block) -> (ir::Block, Ty) {
        let (b, ty) = self.check_block(block, Some(&Ty::Unit));
        if !matches!(ty, Ty::Unit | Ty::Never | Ty::Error) {
            if let Some(tail) = &block.tail {
                self.c.error(
                    Diagnostic::error(
                        codes::MISMATCHED_TYPES,
                        tail.span,
                        format!(
                            "this block must not produce a value, but this is `{}`",
                            self.show(&ty)
                        ),
                    )
                    .with_label("ends the block without `;`")
                    .with_suggestion(
                        "end it with `;`",
                        tail.span.shrink_to_end(),
                        ";",
                        Applicability::MaybeIncorrect,
                    ),
                );
            }
        }
        (b, ty)
    }

    pub(super) fn check_condition(&mut self, condition: &ast::Expr) -> ir::Expr {
        let checked = self.check_expr(condition, Some(&Ty::Bool));
        if !fits(&checked.ty, &Ty::Bool) {
            let ty = self.show(&checked.ty);
            self.c.error(
                Diagnostic::error(codes::MISMATCHED_TYPES, condition.span, format!("a condition must be `bool`, found `{ty}`"))
                    .with_label(format!("this is `{ty}`"))
                    .with_note("there is no truthiness: compare explicitly, e.g. `count > 0` or `name.is_empty()`"),
            );
        }
        checked
    }

    pub(super) fn check_for(
        &mut self,
        binding: &ast::Ident,
        iterable: &ast::Expr,
        body: &ast::Block,
    ) -> ir::Stmt {
        let iter = self.check_expr(iterable, None);
        let (item_ty, repr) = match &iter.ty {
            Ty::Range => (Ty::I64, Repr::Value),
            Ty::List(t) => {
                let owned_temp = !is_place(&iter);
                let consume = matches!(**t, Ty::Thread(_) | Ty::Task(_));
                if consume {
                    match iter.kind {
                        IrK::Local { id, .. } if self.locals[id].repr == Repr::Value => {
                            self.consumed[id] = Some(iterable.span);
                        }
                        _ if is_place(&iter) => {
                            self.c.error(
                                Diagnostic::error(
                                    codes::CONSUMED_BORROW,
                                    iterable.span,
                                    "a `for` loop over threads takes the threads, but this list is only borrowed",
                                )
                                .with_label("a borrowed list of threads")
                                .with_note("joining a thread consumes it, so the loop needs a list it owns")
                                .with_help("take the parameter as `owned`"),
                            );
                        }
                        _ => {}
                    }
                }
                // Splitting a string or walking a map's keys or values is
                // iterated lazily, item by item, as borrowed views.
                let lazy = matches!(
                    iter.kind,
                    IrK::Builtin {
                        builtin: Builtin::Method(
                            ir::BuiltinMethod::Split
                                | ir::BuiltinMethod::Lines
                                | ir::BuiltinMethod::Chars
                                | ir::BuiltinMethod::Keys
                                | ir::BuiltinMethod::Values
                        ),
                        ..
                    }
                );
                let repr = if t.is_copy() || ((owned_temp || consume) && !lazy) {
                    Repr::Value
                } else {
                    Repr::Ref
                };
                ((**t).clone(), repr)
            }
            Ty::Map(..) => {
                let text = &self.c.sources.get(iterable.span.file).text[iterable.span.range()];
                self.c.error(
                    Diagnostic::error(
                        codes::MISMATCHED_TYPES,
                        iterable.span,
                        "a map is iterated through its keys or values",
                    )
                    .with_label("a map, not a list")
                    .with_suggestion(
                        "iterate over the keys, in order",
                        iterable.span,
                        format!("{text}.keys()"),
                        Applicability::MaybeIncorrect,
                    ),
                );
                (Ty::Error, Repr::Value)
            }
            Ty::Error => (Ty::Error, Repr::Value),
            other => {
                let shown = self.show(other);
                self.c.error(
                    Diagnostic::error(
                        codes::MISMATCHED_TYPES,
                        iterable.span,
                        format!("`{shown}` cannot be iterated"),
                    )
                    .with_label("not a list or a range")
                    .with_note("`for` iterates over a `list<T>` or a `range(start, end)`"),
                );
                (Ty::Error, Repr::Value)
            }
        };
        self.scopes.open();
        let local = self.declare(binding, item_ty, repr, false, Origin::LoopItem);
        self.loop_depth += 1;
        let (block, _) = self.check_unit_block(body);
        self.loop_depth -= 1;
        self.scopes.close();
        ir::Stmt::For {
            local,
            iterable: Box::new(iter),
            body: block,
        }
    }
}
