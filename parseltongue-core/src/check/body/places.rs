//! Places: what may be assigned or passed `mutable`, and where a value
//! must be owned.

use super::*;

impl<'a> BodyChecker<'_, 'a> {
    /// Fills in unknown parts of a local's type from a use.
    pub(super) fn refine(&mut self, target: &ir::Expr, ty: &Ty) {
        if let IrK::Local { id, .. } = target.kind {
            if self.locals[id].ty.is_incomplete() && fits(ty, &self.locals[id].ty) {
                self.locals[id].ty = merge(&self.locals[id].ty, ty);
            }
        }
    }

    /// A place that may be assigned: a local, or a field or element of one.
    pub(super) fn check_place(&mut self, target: &ast::Expr) -> ir::Expr {
        // Writing a variable is not reading it: `x = 1` alone leaves `x`
        // unused (as rustc sees it too).
        let written = match &target.kind {
            K::Path(path) if path.len() == 1 => self
                .lookup_local(&path[0].name)
                .map(|(id, _)| (id, self.locals[id].used)),
            _ => None,
        };
        let checked = self.check_expr(target, None);
        if let Some((id, was_used)) = written {
            self.locals[id].used = was_used;
        }
        if !is_place(&checked) && checked.ty != Ty::Error {
            self.c.error(
                Diagnostic::error(
                    codes::NOT_MUTABLE_ARGUMENT,
                    target.span,
                    "this is not a variable, field or list element, so it cannot be changed",
                )
                .with_label("a temporary value"),
            );
            return checked;
        }
        self.require_mutable(&checked, target.span, false);
        checked
    }

    pub(super) fn root_local(e: &ir::Expr) -> Option<LocalId> {
        match &e.kind {
            IrK::Local { id, .. } => Some(*id),
            IrK::Field { base, .. } | IrK::Index { base, .. } => Self::root_local(base),
            _ => None,
        }
    }

    pub(super) fn require_mutable(&mut self, place: &ir::Expr, span: Span, for_argument: bool) {
        let Some(id) = Self::root_local(place).filter(|_| is_place(place)) else {
            if for_argument && place.ty != Ty::Error {
                self.c.error(
                    Diagnostic::error(
                        codes::NOT_MUTABLE_ARGUMENT,
                        span,
                        "a `mutable` parameter needs a variable to change",
                    )
                    .with_label("a temporary value")
                    .with_help("bind the value with `let_mut_var` first and pass that"),
                );
            }
            return;
        };
        self.locals[id].mutated = true;
        self.cow.pending.push((id, span));
        let name = self.locals[id].name.clone();
        let changed = if for_argument {
            "passed `mutable` here"
        } else {
            "changed here"
        };
        match self.origins[id] {
            Origin::Let(BindingKind::MutVar | BindingKind::CowVar, _)
            | Origin::Guard
            | Origin::Entry => {}
            Origin::Param(ParamMode::Mutable | ParamMode::Owned, _)
            | Origin::SelfParam(ParamMode::Mutable | ParamMode::Owned, _) => {
                if matches!(
                    self.origins[id],
                    Origin::Param(ParamMode::Owned, _) | Origin::SelfParam(ParamMode::Owned, _)
                ) {
                    self.locals[id].mutable = true;
                }
            }
            Origin::Let(BindingKind::Var, keyword) => {
                let code = if for_argument {
                    codes::NOT_MUTABLE_ARGUMENT
                } else {
                    codes::ASSIGN_IMMUTABLE
                };
                self.c.error(
                    Diagnostic::error(
                        code,
                        span,
                        format!("cannot change `{name}`, which is declared with `let_var`"),
                    )
                    .with_label(changed)
                    .with_secondary(self.locals[id].span, "declared immutable here")
                    .with_suggestion(
                        "declare it with `let_mut_var` to allow changes",
                        keyword,
                        "let_mut_var",
                        Applicability::MachineApplicable,
                    ),
                );
            }
            Origin::Let(BindingKind::SharedVar, keyword) => {
                self.c.error(
                    Diagnostic::error(
                        codes::MUTATE_SHARED,
                        span,
                        format!("cannot change `{name}`, which is a read-only `let_shared_var`"),
                    )
                    .with_label(changed)
                    .with_secondary(self.locals[id].span, "declared with `let_shared_var` here")
                    .with_suggestion(
                        "declare it with `let_mut_shared_var` and change it inside `with_lock`",
                        keyword,
                        "let_mut_shared_var",
                        Applicability::MaybeIncorrect,
                    ),
                );
            }
            Origin::Let(BindingKind::MutSharedVar, _) => {}
            Origin::Param(ParamMode::Read, decl) | Origin::SelfParam(ParamMode::Read, decl) => {
                self.c.error(
                    Diagnostic::error(
                        codes::MUTATE_READ_ONLY_PARAMETER,
                        span,
                        format!("cannot change parameter `{name}`, which is borrowed read-only"),
                    )
                    .with_label(changed)
                    .with_secondary(decl, "declared without `mutable`")
                    .with_suggestion(
                        "take it as `mutable`",
                        decl.shrink_to_start(),
                        "mutable ",
                        Applicability::MachineApplicable,
                    ),
                );
            }
            Origin::LoopItem | Origin::MatchBinding => {
                let bound = if matches!(self.origins[id], Origin::LoopItem) {
                    "bound by the loop here"
                } else {
                    "bound by the pattern here"
                };
                self.c.error(
                    Diagnostic::error(codes::ASSIGN_IMMUTABLE, span, format!("cannot change `{name}`, which is a read-only view of a list element or matched value"))
                        .with_label(changed)
                        .with_secondary(self.locals[id].span, bound)
                        .with_help("change the list or value through its own variable, e.g. `items[i] = …`"),
                );
            }
        }
    }

    pub(super) fn require_owned(&mut self, value: &ir::Expr, span: Span, what: &str) {
        if let IrK::Local { id, .. } = value.kind {
            if matches!(self.locals[id].repr, Repr::Value | Repr::Guard) {
                self.consumed[id] = Some(span);
                return;
            }
            let name = self.locals[id].name.clone();
            self.c.error(
                Diagnostic::error(
                    codes::CONSUMED_BORROW,
                    span,
                    format!("`{what}` consumes `{name}`, but `{name}` is only borrowed here"),
                )
                .with_label("consumed here")
                .with_note("only a value owned by this function can be consumed"),
            );
        } else if is_place(value) {
            self.c.error(
                Diagnostic::error(codes::CONSUMED_BORROW, span, format!("`{what}` consumes its receiver, which cannot be taken out of a field or list"))
                    .with_label("part of a larger value")
                    .with_help("call `.clone()` first if a copy is acceptable"),
            );
        }
    }
}
