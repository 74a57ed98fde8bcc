//! Operators and `propagate`, with the constant folding that reports
//! overflow of known operands as PT0006.

use super::*;

impl<'a> BodyChecker<'_, 'a> {
    pub(super) fn check_binary(
        &mut self,
        first: &ast::Expr,
        rest: &[(BinaryOp, Span, ast::Expr)],
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        let op0 = rest[0].0;
        if op0.is_comparison() && rest.len() > 1 {
            let (op, op_span, _) = &rest[1];
            self.c.error(
                Diagnostic::error(
                    codes::AMBIGUOUS_OPERATORS,
                    *op_span,
                    format!(
                        "comparison operators cannot be chained: `{}` after `{}`",
                        op.as_str(),
                        op0.as_str()
                    ),
                )
                .with_label(format!(
                    "would compare the `bool` that `{}` gives",
                    op0.as_str()
                ))
                .with_help("combine two comparisons with `&&`, e.g. `a < b && b < c`"),
            );
            self.check_expr(first, None);
            for (_, _, operand) in rest {
                self.check_expr(operand, None);
            }
            return expr(IrK::Error, Ty::Bool, span);
        }
        if op0.is_logical() {
            if let Some((op, op_span, _)) = rest.iter().find(|(op, _, _)| *op != op0) {
                let first_text = self.text(first.span);
                let d = Diagnostic::error(
                    codes::AMBIGUOUS_OPERATORS,
                    *op_span,
                    format!(
                        "`{}` and `{}` are mixed without parentheses",
                        op0.as_str(),
                        op.as_str()
                    ),
                )
                .with_label("which operator comes first is unclear")
                .with_note(
                    "Parseltongue has no precedence between `&&` and `||`: group them explicitly",
                );
                let d = if rest.len() == 2 {
                    let middle_text = self.text(rest[0].2.span);
                    let last_text = self.text(rest[1].2.span);
                    let replacement = if op0 == BinaryOp::And {
                        format!("({first_text} && {middle_text}) || {last_text}")
                    } else {
                        format!("{first_text} || ({middle_text} && {last_text})")
                    };
                    d.with_suggestion(
                        "group them as Rust would read it",
                        span,
                        replacement,
                        Applicability::MaybeIncorrect,
                    )
                } else {
                    d
                };
                self.c.error(d);
            }
        }
        let operand_expected = if op0.is_logical() {
            Some(Ty::Bool)
        } else if op0.is_comparison() {
            None
        } else {
            expected.filter(|t| matches!(t, Ty::I64 | Ty::F64)).cloned()
        };
        let first_ir = self.check_expr(first, operand_expected.as_ref());
        let mut ty = first_ir.ty.clone();
        let mut rest_ir = Vec::with_capacity(rest.len());
        for (op, op_span, operand) in rest {
            let want = if op.is_logical() {
                Some(Ty::Bool)
            } else if matches!(ty, Ty::F64 | Ty::I64) {
                Some(ty.clone())
            } else {
                None
            };
            let right = self.check_expr(operand, want.as_ref());
            let ok = match op {
                BinaryOp::And | BinaryOp::Or => fits(&ty, &Ty::Bool) && fits(&right.ty, &Ty::Bool),
                BinaryOp::Eq | BinaryOp::Ne => {
                    (fits(&right.ty, &ty) || fits(&ty, &right.ty))
                        && !contains_thread(&ty)
                        && !matches!(ty, Ty::Range)
                        && !self.is_rust_type(&ty)
                }
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                    matches!(ty, Ty::I64 | Ty::F64 | Ty::Str | Ty::Error) && fits(&right.ty, &ty)
                }
                _ => matches!(ty, Ty::I64 | Ty::F64 | Ty::Error) && fits(&right.ty, &ty),
            };
            if !ok {
                let (l, r) = (self.show(&ty), self.show(&right.ty));
                let mut d = Diagnostic::error(
                    codes::INVALID_OPERATOR,
                    *op_span,
                    format!("`{}` cannot be applied to `{l}` and `{r}`", op.as_str()),
                )
                .with_label(if l == r {
                    format!("not defined for `{l}`")
                } else {
                    format!("`{l}` on the left, `{r}` on the right")
                });
                if *op == BinaryOp::Add && (ty == Ty::Str || right.ty == Ty::Str) {
                    let replacement = format!(
                        "format(\"{{}}{{}}\", {}, {})",
                        self.text(first.span),
                        self.text(operand.span)
                    );
                    d = d
                        .with_note("strings are joined with `format`")
                        .with_suggestion(
                            "build the string with `format`",
                            first.span.to(operand.span),
                            replacement,
                            if rest.len() == 1 {
                                Applicability::MachineApplicable
                            } else {
                                Applicability::MaybeIncorrect
                            },
                        );
                } else if matches!((&ty, &right.ty), (Ty::I64, Ty::F64) | (Ty::F64, Ty::I64)) {
                    d = d.with_note(
                        "there are no implicit conversions: use `.to_f64()` or `.to_i64()`",
                    );
                }
                self.c.error(d);
                ty = Ty::Error;
            }
            if op.is_comparison() || op.is_logical() {
                ty = Ty::Bool;
            } else if ty == Ty::Never {
                ty = right.ty.clone();
            }
            if right.ty == Ty::Error && !op.is_comparison() && !op.is_logical() {
                ty = Ty::Error;
            }
            if matches!(op, BinaryOp::Div | BinaryOp::Rem)
                && ty == Ty::I64
                && matches!(right.kind, IrK::Int(0))
            {
                self.c.error(
                    Diagnostic::error(
                        codes::INVALID_OPERATOR,
                        operand.span,
                        "this divides by zero",
                    )
                    .with_label("the divisor is `0`")
                    .with_note("integer division by zero always stops the program"),
                );
            }
            rest_ir.push((*op, right));
        }
        let divides_by_zero = rest_ir.iter().any(|(op, e)| {
            matches!(op, BinaryOp::Div | BinaryOp::Rem) && matches!(e.kind, IrK::Int(0))
        });
        let constants = &self.c.tables.program.constants;
        let known = |e: &ir::Expr| constant_integer(e, constants, 0).is_some();
        if ty == Ty::I64
            && !divides_by_zero
            && known(&first_ir)
            && rest_ir.iter().all(|(_, e)| known(e))
            && fold_constant_chain(&first_ir, &rest_ir, constants).is_none()
        {
            self.c.error(constant_overflow(span));
        }
        expr(
            IrK::Binary {
                first: Box::new(first_ir),
                rest: rest_ir,
            },
            ty,
            span,
        )
    }

    pub(super) fn is_rust_type(&self, ty: &Ty) -> bool {
        matches!(ty, Ty::Named(id) if self.c.tables.program.types[*id].kind.is_opaque())
    }

    pub(super) fn check_propagate(
        &mut self,
        inner: &ast::Expr,
        span: Span,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        let returns = self.returns.clone();
        // The function's return type and the context give the operand its
        // type: `propagate None` and `propagate Err(e)` name no value type,
        // and `propagate Ok(2.5)` no error type.
        let value = Box::new(expected.cloned().unwrap_or(Ty::Unknown));
        let operand = match &returns {
            Ty::Result(_, error) => Some(Ty::Result(value, error.clone())),
            Ty::Option(_) => Some(Ty::Option(value)),
            _ => None,
        };
        let checked = self.check_expr(inner, operand.as_ref());
        let ty = match (&checked.ty, &returns) {
            (Ty::Error, _) => Ty::Error,
            (Ty::Result(t, e), Ty::Result(_, re)) => {
                if !fits(e, re) {
                    self.c.error(
                        Diagnostic::error(codes::INVALID_PROPAGATE, span, format!("`propagate` would return an error of type `{}`, but this function's error type is `{}`", self.show(e), self.show(re)))
                            .with_label(format!("expected error `{}`, found `{}`", self.show(re), self.show(e)))
                            .with_help("convert the error with `match` first"),
                    );
                }
                (**t).clone()
            }
            (Ty::Option(t), Ty::Option(_)) => (**t).clone(),
            (Ty::Result(..) | Ty::Option(_), _) => {
                let kind = if matches!(checked.ty, Ty::Result(..)) {
                    "result"
                } else {
                    "option"
                };
                self.c.error(
                    Diagnostic::error(codes::INVALID_PROPAGATE, span, format!("`propagate` needs the function to return a `{kind}`, but it returns `{}`", self.show(&returns)))
                        .with_label(if kind == "result" {
                            "would return the error from this function"
                        } else {
                            "would return `None` from this function"
                        })
                        .with_help("handle the value with `match`, or change the function's return type"),
                );
                Ty::Error
            }
            (other, _) => {
                let shown = self.show(other);
                self.c.error(
                    Diagnostic::error(
                        codes::INVALID_PROPAGATE,
                        span,
                        format!("`propagate` needs a `result` or `option`, found `{shown}`"),
                    )
                    .with_label(format!("the operand is `{shown}`")),
                );
                Ty::Error
            }
        };
        if !self.threads.is_empty() {
            self.c.error(
                Diagnostic::error(
                    codes::INVALID_PROPAGATE,
                    span,
                    "`propagate` cannot leave a `spawn_thread` block",
                )
                .with_label("inside a `spawn_thread` block")
                .with_help("return the `result` as the thread's value instead"),
            );
        }
        expr(IrK::Propagate(Box::new(checked)), ty, span)
    }
}

/// The value of an integer expression of literals and constants, as
/// rustc's own evaluation would find it (`None`: not constant, or it
/// overflows on the way).
pub(super) fn constant_integer(
    e: &ir::Expr,
    constants: &[ir::Constant],
    depth: usize,
) -> Option<i64> {
    if depth > 64 {
        return None;
    }
    match &e.kind {
        IrK::Int(v) => Some(*v),
        IrK::Const(c) => constant_integer(&constants.get(*c)?.value, constants, depth + 1),
        IrK::Unary {
            op: UnaryOp::Negate,
            operand,
        } => constant_integer(operand, constants, depth + 1)?.checked_neg(),
        IrK::Binary { first, rest } => {
            let mut value = constant_integer(first, constants, depth + 1)?;
            for (op, e) in rest {
                value = fold_step(value, *op, constant_integer(e, constants, depth + 1)?)?;
            }
            Some(value)
        }
        // Bit operations as rustc folds their lowering (`a << 3`,
        // `a >> 63`; a shift left by 64 or more is not an operator).
        IrK::Builtin {
            builtin: ir::Builtin::Method(m),
            args,
        } => {
            use ir::BuiltinMethod as M;
            let a = constant_integer(args.first()?, constants, depth + 1)?;
            if *m == M::BitNot {
                return Some(!a);
            }
            let b = constant_integer(args.get(1)?, constants, depth + 1)?;
            match m {
                M::BitAnd => Some(a & b),
                M::BitOr => Some(a | b),
                M::BitXor => Some(a ^ b),
                M::ShiftLeft if (0..64).contains(&b) => Some(a << b),
                M::ShiftRight if b >= 0 => Some(a >> b.min(63)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// PT0006 for arithmetic of literals and constants that overflows.
pub(crate) fn constant_overflow(span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::INVALID_LITERAL,
        span,
        "this arithmetic on literals and constants overflows `i64`",
    )
    .with_label("its value does not fit in `i64`")
    .with_note(format!("`i64` holds {} to {}", i64::MIN, i64::MAX))
}

/// Whether a constant's value, checked before the constants it names had
/// values, overflows once they have them (literal-only overflow was
/// reported while checking).
pub(crate) fn overflows_through_constants(value: &ir::Expr, constants: &[ir::Constant]) -> bool {
    let IrK::Binary { first, rest } = &value.kind else {
        return false;
    };
    let names_constant = std::iter::once(first.as_ref())
        .chain(rest.iter().map(|(_, e)| e))
        .any(|e| {
            let found = std::cell::Cell::new(false);
            ir::walk_expr(
                e,
                &mut |inner| {
                    if matches!(inner.kind, IrK::Const(_)) {
                        found.set(true);
                    }
                },
                &mut |_| {},
            );
            found.get()
        });
    let known = |e: &ir::Expr| constant_integer(e, constants, 0).is_some();
    names_constant
        && known(first)
        && rest.iter().all(|(_, e)| known(e))
        && fold_constant_chain(first, rest, constants).is_none()
}

/// A chain whose operands are all constant: its value, or `None` on
/// overflow or division by zero.
pub(super) fn fold_constant_chain(
    first: &ir::Expr,
    rest: &[(BinaryOp, ir::Expr)],
    constants: &[ir::Constant],
) -> Option<i64> {
    let mut value = constant_integer(first, constants, 0)?;
    for (op, e) in rest {
        value = fold_step(value, *op, constant_integer(e, constants, 0)?)?;
    }
    Some(value)
}

/// `value op right` on `i64`, `None` on overflow or division by zero.
pub(super) fn fold_step(value: i64, op: BinaryOp, right: i64) -> Option<i64> {
    match op {
        BinaryOp::Add => value.checked_add(right),
        BinaryOp::Sub => value.checked_sub(right),
        BinaryOp::Mul => value.checked_mul(right),
        BinaryOp::Div => value.checked_div(right),
        BinaryOp::Rem => value.checked_rem(right),
        _ => None,
    }
}
