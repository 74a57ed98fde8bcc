//! Expressions: the dispatch over expression kinds, literals, paths to
//! locals, constants, variants and functions.

use super::*;
use crate::ir::BuiltinMethod;
use crate::syntax::ast::BitOperator;

impl<'a> BodyChecker<'_, 'a> {
    /// Checks an expression whose value is stored (bound, returned, passed
    /// owned): a consumed thread handle cannot be copied.
    pub(super) fn check_value(&mut self, e: &ast::Expr, expected: Option<&Ty>) -> ir::Expr {
        let checked = self.check_expr(e, expected);
        if let (Ty::Thread(_) | Ty::Task(_), IrK::Local { id, .. }) = (&checked.ty, &checked.kind) {
            self.consumed[*id] = Some(e.span);
        }
        checked
    }

    pub(super) fn note_use(&mut self, id: LocalId) {
        self.cow.clock += 1;
        if self.locals[id].repr == Repr::Cow {
            let at = self.locals[id].span;
            self.cow.reads.push((id, self.cow.clock, at));
        }
        self.locals[id].used = true;
    }

    pub(in crate::check) fn check_expr(
        &mut self,
        e: &ast::Expr,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            self.check_expr_inner(e, expected)
        })
    }

    #[allow(clippy::too_many_lines)]
    pub(super) fn check_expr_inner(&mut self, e: &ast::Expr, expected: Option<&Ty>) -> ir::Expr {
        let span = e.span;
        match &e.kind {
            K::Error => error_expr(span),
            K::Int(v) => self.int_literal(*v, false, span, expected),
            K::Float(v) => {
                if !v.is_finite() {
                    self.c.error(
                        Diagnostic::error(
                            codes::INVALID_LITERAL,
                            span,
                            "float literal is out of range for `f64`",
                        )
                        .with_label("does not fit in `f64`")
                        .with_note(format!("`f64` holds magnitudes up to about {:e}", f64::MAX)),
                    );
                    return error_expr(span);
                }
                expr(IrK::Float(*v), Ty::F64, span)
            }
            K::Str(s) => expr(IrK::Str(s.clone()), Ty::Str, span),
            K::Bool(b) => expr(IrK::Bool(*b), Ty::Bool, span),
            K::Paren(inner) => {
                let mut checked = self.check_expr(inner, expected);
                checked.span = span;
                checked
            }
            K::SelfValue => match self.lookup_local("self") {
                Some((id, _)) => {
                    self.note_use(id);
                    expr(
                        IrK::Local { id, moved: false },
                        self.locals[id].ty.clone(),
                        span,
                    )
                }
                None => {
                    self.c.error(
                        Diagnostic::error(
                            codes::INVALID_SELF,
                            span,
                            "`self` is only available in methods that take `self`",
                        )
                        .with_label("this function has no `self`"),
                    );
                    error_expr(span)
                }
            },
            K::Path(path) => self.check_path(path, span, expected),
            K::Call { callee, args } => self.check_call(callee, args, span, expected),
            K::Builtin { keyword, args, .. } => self.check_builtin(*keyword, args, span, expected),
            K::MethodCall {
                receiver,
                method,
                args,
            } => self.check_method_call(receiver, method, args, span),
            K::Field { base, field } => {
                let base_ir = self.check_expr(base, None);
                self.field_access(base_ir, field, span)
            }
            K::Index { base, index } => {
                let base_ir = self.check_expr(base, None);
                // Rust's `s[a..b]`: one report, the `substring` fix (not a
                // second one for the range).
                if let (
                    Ty::Str,
                    K::RustRange {
                        start,
                        end,
                        inclusive: false,
                    },
                ) = (&base_ir.ty, &index.kind)
                {
                    let s = self.check_expr(start, Some(&Ty::I64));
                    let e = self.check_expr(end, Some(&Ty::I64));
                    self.expect_type(&s, &Ty::I64);
                    self.expect_type(&e, &Ty::I64);
                    let replacement = format!(
                        "{}.substring({}, {})",
                        self.text(base.span),
                        self.text(start.span),
                        self.text(end.span)
                    );
                    self.c.error(
                        Diagnostic::error(
                            codes::INVALID_OPERATOR,
                            span,
                            "a `string` cannot be indexed",
                        )
                        .with_label("Rust string slicing")
                        .with_note("Rust's `&s[a..b]` is `s.substring(a, b)` (byte positions)")
                        .with_suggestion(
                            format!("write `{replacement}`"),
                            span,
                            replacement,
                            Applicability::MachineApplicable,
                        ),
                    );
                    return error_expr(span);
                }
                let index_ir = self.check_expr(index, Some(&Ty::I64));
                match &base_ir.ty {
                    Ty::List(t) => {
                        self.expect_type(&index_ir, &Ty::I64);
                        if let IrK::Int(v) = index_ir.kind {
                            if v < 0 {
                                self.c.error(
                                    Diagnostic::error(codes::INVALID_OPERATOR, index.span, "a list index cannot be negative")
                                        .with_label(format!("index `{v}`"))
                                        .with_note("positions start at 0; `xs[-1]` would always stop the program")
                                        .with_help("use `xs.last()` for the last element, or `xs.get(i)` for an index that may be out of range"),
                                );
                            }
                        }
                        let t = (**t).clone();
                        expr(
                            IrK::Index {
                                base: Box::new(base_ir),
                                index: Box::new(index_ir),
                            },
                            t,
                            span,
                        )
                    }
                    Ty::Map(..) => {
                        let base_text = self.text(base.span);
                        let index_text = self.text(index.span);
                        self.c.error(
                            Diagnostic::error(
                                codes::INVALID_OPERATOR,
                                span,
                                "maps are not indexed with `[…]`",
                            )
                            .with_label("a map indexed like a list")
                            .with_note("a key may be missing, so lookups return an `option`")
                            .with_suggestion(
                                "look the key up with `get`",
                                span,
                                format!("{base_text}.get({index_text})"),
                                Applicability::MachineApplicable,
                            ),
                        );
                        error_expr(span)
                    }
                    Ty::Error => error_expr(span),
                    Ty::Str => {
                        self.c.error(
                            Diagnostic::error(
                                codes::INVALID_OPERATOR,
                                span,
                                "a `string` cannot be indexed",
                            )
                            .with_label("a string indexed like a list")
                            .with_note("only lists are indexed with `[…]`; `text.substring(start, end)` takes a piece (byte positions) and `text.chars()` the characters"),
                        );
                        error_expr(span)
                    }
                    other => {
                        let shown = self.show(other);
                        self.c.error(
                            Diagnostic::error(
                                codes::INVALID_OPERATOR,
                                span,
                                format!("`{shown}` cannot be indexed"),
                            )
                            .with_label(format!("`{shown}` indexed like a list"))
                            .with_note("only lists are indexed with `[…]`"),
                        );
                        error_expr(span)
                    }
                }
            }
            K::RecordLiteral { path, fields } => self.check_record_literal(path, fields, span),
            K::Unary { op, operand } => {
                if let (UnaryOp::Negate, K::Int(v)) = (op, &operand.kind) {
                    return self.int_literal(*v, true, span, expected);
                }
                let inner = self.check_expr(operand, expected);
                let ok = match op {
                    UnaryOp::Negate => matches!(inner.ty, Ty::I64 | Ty::F64 | Ty::Error),
                    UnaryOp::Not => matches!(inner.ty, Ty::Bool | Ty::Error),
                };
                if *op == UnaryOp::Not && inner.ty == Ty::I64 && expected != Some(&Ty::Bool) {
                    // Rust's bitwise not (where a `bool` is wanted, rather
                    // a test of truthiness, reported below).
                    let operand_text = self.text(operand.span);
                    let operand_text = if matches!(
                        operand.kind,
                        K::Binary { .. } | K::Unary { .. } | K::RustBitOperation { .. }
                    ) {
                        format!("({operand_text})")
                    } else {
                        operand_text.to_string()
                    };
                    let replacement = format!("{operand_text}.bit_not()");
                    self.c.error(
                        Diagnostic::error(
                            codes::RUST_SPELLING,
                            span,
                            "`!` on an `i64` is Rust; Parseltongue writes `n.bit_not()`",
                        )
                        .with_label("Rust's bitwise not")
                        .with_suggestion(
                            format!("write `{replacement}`"),
                            span,
                            replacement.clone(),
                            Applicability::MachineApplicable,
                        ),
                    );
                    return expr(
                        IrK::Builtin {
                            builtin: Builtin::Method(BuiltinMethod::BitNot),
                            args: vec![inner],
                        },
                        Ty::I64,
                        span,
                    );
                }
                if !ok {
                    let sym = if *op == UnaryOp::Negate { "-" } else { "!" };
                    let shown = self.show(&inner.ty);
                    self.c.error(
                        Diagnostic::error(
                            codes::INVALID_OPERATOR,
                            span,
                            format!("`{sym}` cannot be applied to `{shown}`"),
                        )
                        .with_label(format!("the operand is `{shown}`")),
                    );
                    return error_expr(span);
                }
                // `-(1.shift_left(63))`: negating a known minimum overflows
                // (rustc rejects it at compile time).
                if *op == UnaryOp::Negate
                    && inner.ty == Ty::I64
                    && super::operators::constant_integer(
                        &inner,
                        &self.c.tables.program.constants,
                        0,
                    ) == Some(i64::MIN)
                {
                    self.c.error(super::operators::constant_overflow(span));
                }
                let ty = inner.ty.clone();
                expr(
                    IrK::Unary {
                        op: *op,
                        operand: Box::new(inner),
                    },
                    ty,
                    span,
                )
            }
            K::Binary { first, rest } => self.check_binary(first, rest, span, expected),
            K::Propagate(inner) => self.check_propagate(inner, span, expected),
            K::RustIfLet {
                let_span,
                pattern,
                value,
                then,
                otherwise,
            } => {
                let construct_span = span.shrink_to_start().to(*let_span);
                self.c.error(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        construct_span,
                        "`if let` is Rust; Parseltongue uses `match`",
                    )
                    .with_label("Rust pattern binding")
                    .with_help("write `match value { Pattern => { … }, _ => { … } }`"),
                );
                let scrutinee = self.check_expr(value, None);
                let borrowed = binds_by_reference(&scrutinee);
                self.scopes.open();
                let pattern = self.check_pattern(pattern, &scrutinee.ty, borrowed, true);
                let (then_block, then_ty) = self.check_block(then, expected);
                self.scopes.close();
                let else_block = otherwise.as_ref().map(|b| self.check_block(b, expected));
                let ty = match &else_block {
                    Some((_, t)) => self.join_branch(Some(then_ty), t, span),
                    None => Ty::Unit,
                };
                let else_expr = match else_block {
                    Some((b, t)) => expr(IrK::Block(b), t, span),
                    None => expr(
                        IrK::Block(ir::Block {
                            stmts: vec![],
                            tail: None,
                        }),
                        Ty::Unit,
                        span,
                    ),
                };
                let arms = vec![
                    (pattern, expr(IrK::Block(then_block), ty.clone(), span)),
                    (ir::Pattern::Wildcard, else_expr),
                ];
                expr(
                    IrK::Match {
                        scrutinee: Box::new(scrutinee),
                        arms,
                    },
                    ty,
                    span,
                )
            }
            K::Unreadable(operands) => {
                for operand in operands {
                    self.check_expr(operand, None);
                }
                error_expr(span)
            }
            K::RustTry(inner) => {
                let operand = self.text(inner.span);
                self.c.error(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        Span {
                            start: inner.span.end,
                            ..span
                        },
                        "`?` is Rust; Parseltongue writes `propagate` before the value",
                    )
                    .with_label("Rust's error propagation")
                    .with_suggestion(
                        format!("write `propagate {operand}`"),
                        span,
                        format!("propagate {operand}"),
                        Applicability::MachineApplicable,
                    ),
                );
                self.check_propagate(inner, span, expected)
            }
            K::If {
                branches,
                otherwise,
            } => {
                let mut ir_branches = Vec::new();
                let mut result_ty: Option<Ty> = None;
                let want = if otherwise.is_some() {
                    expected.cloned()
                } else {
                    Some(Ty::Unit)
                };
                for (condition, block) in branches {
                    let c = self.check_condition(condition);
                    let (b, ty) = match &want {
                        Some(Ty::Unit) => self.check_unit_block(block),
                        w => self.check_block(block, w.as_ref()),
                    };
                    result_ty = Some(self.join_branch(
                        result_ty,
                        &ty,
                        block.tail.as_ref().map_or(block.span, |t| t.span),
                    ));
                    ir_branches.push((c, b));
                }
                let otherwise_ir = otherwise.as_ref().map(|block| {
                    let (b, ty) = self.check_block(block, want.as_ref());
                    result_ty = Some(self.join_branch(
                        result_ty.clone(),
                        &ty,
                        block.tail.as_ref().map_or(block.span, |t| t.span),
                    ));
                    b
                });
                let ty = if otherwise.is_some() {
                    result_ty.unwrap_or(Ty::Unit)
                } else {
                    Ty::Unit
                };
                expr(
                    IrK::If {
                        branches: ir_branches,
                        otherwise: otherwise_ir.map(Box::new),
                    },
                    ty,
                    span,
                )
            }
            K::Match { scrutinee, arms } => self.check_match(scrutinee, arms, span, expected),
            K::Block(block) => {
                let (b, ty) = self.check_block(block, expected);
                expr(IrK::Block(b), ty, span)
            }
            K::WithLock {
                shared,
                guard,
                body,
            } => self.check_with_lock(shared, guard, body, span, expected),
            K::WithEntry {
                map,
                key,
                default,
                name,
                body,
            } => self.check_with_entry(map, key, default, name, body, span, expected),
            K::SpawnThread(block) => self.check_spawn(block, None, span, expected),
            K::SpawnOn { partition, body } => {
                let on = self.partition_named(partition);
                match on {
                    Some(id) => self.check_spawn(body, Some(id), span, expected),
                    None => {
                        self.check_spawn(body, None, span, None);
                        error_expr(span)
                    }
                }
            }
            K::RustCast { value, ty } => {
                let inner = self.check_expr(value, None);
                let target = self.c.resolve_type(self.module, ty);
                let method = match (&inner.ty, &target) {
                    (Ty::I64, Ty::F64) => Some("to_f64"),
                    (Ty::F64, Ty::I64) => Some("to_i64"),
                    _ => None,
                };
                let mut d = Diagnostic::error(
                    codes::RUST_SPELLING,
                    span.shrink_to_end().to(ty.span).to(Span {
                        start: value.span.end,
                        ..span
                    }),
                    "`as` conversions are Rust; Parseltongue converts with a method",
                )
                .with_label("Rust conversion");
                if let Some(method) = method {
                    let text = self.text(value.span);
                    d = d.with_suggestion(
                        format!("call `.{method}()`"),
                        span,
                        format!("{text}.{method}()"),
                        Applicability::MachineApplicable,
                    );
                } else {
                    d = d.with_note("conversions are `.to_f64()`, `.to_i64()` and `.to_string()`");
                }
                self.c.error(d);
                expr(IrK::Error, target, span)
            }
            K::RustBitOperation { op, left, right } => {
                let l = self.check_expr(left, Some(&Ty::I64));
                let r = self.check_expr(right, Some(&Ty::I64));
                let method = op.method();
                let receiver = self.text(left.span);
                let receiver = if matches!(
                    left.kind,
                    K::Binary { .. } | K::Unary { .. } | K::RustBitOperation { .. }
                ) {
                    format!("({receiver})")
                } else {
                    receiver.to_string()
                };
                let replacement = format!("{receiver}.{method}({})", self.text(right.span));
                self.c.error(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        span,
                        format!(
                            "`{}` is Rust; Parseltongue writes `a.{method}(b)`",
                            op.as_str()
                        ),
                    )
                    .with_label("Rust operator")
                    .with_suggestion(
                        format!("write `{replacement}`"),
                        span,
                        replacement.clone(),
                        Applicability::MachineApplicable,
                    ),
                );
                self.expect_type(&l, &Ty::I64);
                self.expect_type(&r, &Ty::I64);
                let method = match op {
                    BitOperator::And => BuiltinMethod::BitAnd,
                    BitOperator::Or => BuiltinMethod::BitOr,
                    BitOperator::Xor => BuiltinMethod::BitXor,
                    BitOperator::ShiftLeft => BuiltinMethod::ShiftLeft,
                    BitOperator::ShiftRight => BuiltinMethod::ShiftRight,
                };
                expr(
                    IrK::Builtin {
                        builtin: Builtin::Method(method),
                        args: vec![l, r],
                    },
                    Ty::I64,
                    span,
                )
            }
            K::RustRange {
                start,
                end,
                inclusive,
            } => {
                let s = self.check_expr(start, Some(&Ty::I64));
                let en = self.check_expr(end, Some(&Ty::I64));
                let keyword = if *inclusive {
                    "range_inclusive"
                } else {
                    "range"
                };
                let replacement = format!(
                    "{keyword}({}, {})",
                    self.text(start.span),
                    self.text(end.span)
                );
                self.c.error(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        span,
                        format!(
                            "`{}` ranges are Rust; Parseltongue writes `{keyword}(start, end)`",
                            if *inclusive { "..=" } else { ".." }
                        ),
                    )
                    .with_label("Rust range")
                    .with_suggestion(
                        format!("write `{replacement}`"),
                        span,
                        replacement.clone(),
                        Applicability::MachineApplicable,
                    ),
                );
                self.expect_type(&s, &Ty::I64);
                self.expect_type(&en, &Ty::I64);
                let builtin = if *inclusive {
                    Builtin::RangeInclusive
                } else {
                    Builtin::Range
                };
                expr(
                    IrK::Builtin {
                        builtin,
                        args: vec![s, en],
                    },
                    Ty::Range,
                    span,
                )
            }
        }
    }

    pub(super) fn text(&self, span: Span) -> String {
        self.c.sources.get(span.file).text[span.range()].to_string()
    }

    pub(super) fn join_branch(&mut self, so_far: Option<Ty>, next: &Ty, span: Span) -> Ty {
        match so_far {
            None => next.clone(),
            Some(prev) => {
                if fits(next, &prev) {
                    merge(&prev, next)
                } else if fits(&prev, next) {
                    merge(next, &prev)
                } else {
                    self.c.error(
                        Diagnostic::error(
                            codes::MISMATCHED_TYPES,
                            span,
                            format!(
                                "the branches have different types: `{}` and `{}`",
                                self.show(&prev),
                                self.show(next)
                            ),
                        )
                        .with_label(format!("this is `{}`", self.show(next))),
                    );
                    Ty::Error
                }
            }
        }
    }

    pub(super) fn int_literal(
        &mut self,
        magnitude: u64,
        negative: bool,
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        let limit = if negative {
            i64::MAX.unsigned_abs() + 1
        } else {
            i64::MAX.unsigned_abs()
        };
        if magnitude > limit {
            self.c.error(
                Diagnostic::error(
                    codes::INVALID_LITERAL,
                    span,
                    "integer literal is out of range for `i64`",
                )
                .with_label("does not fit in `i64`")
                .with_note(format!("`i64` holds {} to {}", i64::MIN, i64::MAX)),
            );
            return error_expr(span);
        }
        let value = if negative {
            0i64.wrapping_sub_unsigned(magnitude)
        } else {
            magnitude as i64
        };
        if let Some(Ty::F64) = expected {
            let text = self.text(span);
            self.c.error(
                Diagnostic::error(codes::MISMATCHED_TYPES, span, "expected `f64`, found `i64`")
                    .with_label("this is an integer literal")
                    .with_note("there are no implicit conversions between `i64` and `f64`")
                    .with_suggestion(
                        "write a float literal",
                        span,
                        format!("{text}.0"),
                        Applicability::MachineApplicable,
                    ),
            );
            return expr(IrK::Float(value as f64), Ty::F64, span);
        }
        expr(IrK::Int(value), Ty::I64, span)
    }

    pub(super) fn use_local(&mut self, id: LocalId, depth: usize, span: Span) -> ir::Expr {
        self.note_use(id);
        if let Some(function) = self.function {
            self.c.refer(
                span,
                ir::Target::Local {
                    function,
                    local: id,
                },
            );
        }
        if self.locals[id].repr == Repr::Cow {
            if let Some(read) = self.cow.reads.last_mut() {
                read.2 = span;
            }
        }
        if let Some(consumed_at) = self.consumed[id] {
            let name = self.locals[id].name.clone();
            self.c.error(
                Diagnostic::error(
                    codes::CONSUMED_BORROW,
                    span,
                    format!("`{name}` was consumed and cannot be used again"),
                )
                .with_label("used here, after")
                .with_secondary(consumed_at, "consumed here"),
            );
        }
        // Inside a thread, a local from outside is captured.
        if let Some(thread) = self.threads.last_mut() {
            if depth < thread.scope_depth {
                let local = &self.locals[id];
                match local.repr {
                    // A mailbox is copied in: its copies share one queue.
                    Repr::Arc | Repr::ArcMutex => {
                        if !thread.captures.contains(&id) {
                            thread.captures.push(id);
                        }
                    }
                    _ if matches!(local.ty, Ty::Mailbox(_)) => {
                        if !thread.captures.contains(&id) {
                            thread.captures.push(id);
                        }
                    }
                    _ if local.ty.is_copy() => {}
                    _ => {
                        let name = local.name.clone();
                        let declared = local.span;
                        let (construct, what) = if thread.task {
                            ("spawn_on", "task")
                        } else {
                            ("spawn_thread", "thread")
                        };
                        self.c.error(
                            Diagnostic::error(codes::THREAD_CAPTURE, span, format!("`{name}` cannot be used inside `{construct}`"))
                                .with_label(format!("used inside the {what} here"))
                                .with_secondary(declared, "declared here")
                                .with_note(format!("a {what} may outlive the function that started it, so it can only use shared values"))
                                .with_help(format!("declare `{name}` with `let_shared_var` (read-only) or `let_mut_shared_var` (locked)")),
                        );
                        return error_expr(span);
                    }
                }
            }
        }
        let local = &self.locals[id];
        if local.repr == Repr::ArcMutex {
            let name = local.name.clone();
            self.c.error(
                Diagnostic::error(
                    codes::LOCK_REQUIRED,
                    span,
                    format!("`{name}` is a `let_mut_shared_var` and must be locked to be used"),
                )
                .with_label("used without `with_lock`")
                .with_secondary(local.span, "declared with `let_mut_shared_var` here")
                .with_help(format!("use it inside `with_lock {name} as value {{ … }}`")),
            );
            return expr(IrK::Local { id, moved: false }, Ty::Error, span);
        }
        expr(IrK::Local { id, moved: false }, local.ty.clone(), span)
    }

    pub(super) fn check_path(
        &mut self,
        path: &[ast::Ident],
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        if let [name] = path {
            if let Some((id, depth)) = self.lookup_local(&name.name) {
                return self.use_local(id, depth, span);
            }
            if name.name == "None" {
                let ty = match expected {
                    Some(t @ Ty::Option(_)) => t.clone(),
                    _ => Ty::Option(Box::new(Ty::Unknown)),
                };
                return expr(
                    IrK::Builtin {
                        builtin: Builtin::None,
                        args: vec![],
                    },
                    ty,
                    span,
                );
            }
        }
        if let Some(value) = self.ordering_value(path) {
            return match value {
                Ok(o) => expr(IrK::Ordering(o), Ty::Ordering, span),
                Err(()) => error_expr(span),
            };
        }
        if let Some(result) = self.try_variant(path, &[], span, true) {
            return result;
        }
        match self.c.lookup_item(self.module, path) {
            Ok(Def::Const(id)) => {
                self.c.mark_used(Def::Const(id));
                let ty = self.c.tables.program.constants[id].ty.clone();
                expr(IrK::Const(id), ty, span)
            }
            Ok(Def::Function(id)) => {
                self.c.mark_used(Def::Function(id));
                let name = path[path.len() - 1].name.clone();
                self.c.error(
                    Diagnostic::error(
                        codes::NOT_A_VALUE,
                        span,
                        format!("function `{name}` is used as a value"),
                    )
                    .with_label("named without a call")
                    .with_note("functions can only be called")
                    .with_suggestion(
                        "call it",
                        span.shrink_to_end(),
                        "()",
                        Applicability::HasPlaceholders,
                    ),
                );
                error_expr(span)
            }
            Ok(Def::Type(_)) => {
                let name = path[path.len() - 1].name.clone();
                self.c.error(
                    Diagnostic::error(codes::NOT_A_VALUE, span, format!("type `{name}` is used as a value"))
                        .with_label("a type where a value is expected")
                        .with_help(format!("build a value with `{name} {{ field: value }}` or a variant `{name}::Variant`")),
                );
                error_expr(span)
            }
            Err(d) => {
                let mut d = *d;
                if path.len() == 1 {
                    let best = suggest::closest(
                        &path[0].name,
                        self.scopes
                            .all()
                            .iter()
                            .map(|&id| self.locals[id].name.as_str()),
                    )
                    .map(SmolStr::from);
                    if let Some(best) = best {
                        // The writer most likely meant that binding: count it
                        // as used so the typo is the only report.
                        if let Some((id, _)) = self.lookup_local(&best) {
                            self.note_use(id);
                        }
                        d.helps.clear();
                        d = d.with_suggestion(
                            format!("a binding with a similar name exists: `{best}`"),
                            path[0].span,
                            best.as_str(),
                            Applicability::MaybeIncorrect,
                        );
                    }
                }
                self.c.error(d);
                error_expr(span)
            }
        }
    }

    /// Resolves `Enum::Variant` (or `module::Enum::Variant`); `None` if the
    /// path does not name an enum.
    pub(super) fn try_variant(
        &mut self,
        path: &[ast::Ident],
        args: &[ast::Expr],
        span: Span,
        bare: bool,
    ) -> Option<ir::Expr> {
        if path.len() < 2 || path.len() > 3 {
            return None;
        }
        let type_path = &path[..path.len() - 1];
        let variant = &path[path.len() - 1];
        let id = self.lookup_type_quiet(type_path)?;
        let TypeDefKind::Enum(variants) = &self.c.tables.program.types[id].kind else {
            return None;
        };
        let variants = variants.clone();
        let Some(index) = variants.iter().position(|(n, _)| *n == variant.name) else {
            if self
                .c
                .tables
                .methods
                .get(&id)
                .is_some_and(|m| m.contains_key(variant.name.as_str()))
            {
                return None;
            }
            let names = variants.iter().map(|(n, _)| n.as_str());
            let mut d = Diagnostic::error(
                codes::UNKNOWN_VARIANT,
                variant.span,
                format!(
                    "enum `{}` has no variant `{}`",
                    self.c.tables.program.types[id].name, variant.name
                ),
            )
            .with_label(format!(
                "not a variant of `{}`",
                self.c.tables.program.types[id].name
            ));
            d = suggest::did_you_mean(d, variant, names);
            d = d.with_note(format!(
                "its variants are {}",
                variants
                    .iter()
                    .map(|(n, _)| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            self.c.error(d);
            return Some(error_expr(span));
        };
        self.c.mark_used(Def::Type(id));
        self.c.refer(variant.span, ir::Target::Variant(id, index));
        let payload = &variants[index].1;
        if bare && !payload.is_empty() {
            self.c.error(
                Diagnostic::error(
                    codes::WRONG_ARGUMENT_COUNT,
                    span,
                    format!(
                        "variant `{}` carries {}",
                        variant.name,
                        count(payload.len(), "value")
                    ),
                )
                .with_label(arity_label(0, payload.len(), "value"))
                .with_help(format!("write `{}(…)`", self.text(span))),
            );
            return Some(error_expr(span));
        }
        if !bare && payload.len() != args.len() {
            self.c.error(
                Diagnostic::error(
                    codes::WRONG_ARGUMENT_COUNT,
                    span,
                    format!(
                        "variant `{}` carries {} but {} {} given",
                        variant.name,
                        count(payload.len(), "value"),
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                )
                .with_label(arity_label(args.len(), payload.len(), "value")),
            );
        }
        let args_ir = args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let want = payload.get(i).cloned();
                let checked = self.check_value(a, want.as_ref());
                if let Some(w) = &want {
                    self.expect_type(&checked, w);
                }
                checked
            })
            .collect();
        Some(expr(
            IrK::Variant {
                ty: id,
                index,
                args: args_ir,
            },
            Ty::Named(id),
            span,
        ))
    }

    pub(super) fn lookup_type_quiet(&mut self, path: &[ast::Ident]) -> Option<ir::TypeId> {
        let scope = &self.c.tables.scopes[self.module];
        match path {
            [name] => match scope.names.get(name.name.as_str()) {
                Some((Def::Type(id), _)) => {
                    let id = *id;
                    self.c.refer(name.span, ir::Target::Type(id));
                    Some(id)
                }
                _ => None,
            },
            [module, name] => {
                let (target, _) = *scope.imports.get(module.name.as_str())?;
                match self.c.tables.scopes[target].names.get(name.name.as_str()) {
                    Some((Def::Type(id), _)) => {
                        let id = *id;
                        self.c.found.used_imports.insert((self.module, target));
                        self.c.refer(module.span, ir::Target::Module(target));
                        self.c.refer(name.span, ir::Target::Type(id));
                        Some(id)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}
