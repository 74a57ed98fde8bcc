//! Operators: arithmetic and logic chains, comparisons of owned,
//! borrowed and `Cow` values, and `&str` views for string operations.

use super::expr::{Lowered, Prec, Side, Want};
use super::Lowerer;
use crate::ir::{Builtin, BuiltinMethod as M, Expr, ExprKind as K, Repr, Ty};
use crate::syntax::ast::BinaryOp;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

impl Lowerer<'_> {
    pub(super) fn side(&self, e: &Expr) -> Side {
        match &e.kind {
            // Only read, a copy (or a string's `to_string()`) is lowered
            // as the value itself.
            K::Builtin {
                builtin: Builtin::Method(M::Clone),
                args,
            } => self.side(&args[0]),
            K::Builtin {
                builtin: Builtin::Method(M::ToText),
                args,
            } if args[0].ty == Ty::Str => self.side(&args[0]),
            // `format("{}", text)` is lowered as `text`.
            K::Builtin {
                builtin: Builtin::Format,
                args,
            } if super::expr::formatted_text(args).is_some() => {
                super::expr::formatted_text(args).map_or(Side::Owned, |text| self.side(text))
            }
            // `match v { x => x }` is `v`, a one-arm `match` on a literal
            // its arm, and a block of only a value that value.
            K::Match { .. } => super::expr::matched_value(e)
                .or_else(|| super::expr::one_arm_on_literal(e))
                .map_or(Side::Owned, |inner| self.side(inner)),
            K::Block(b) if b.stmts.is_empty() => b
                .tail
                .as_deref()
                .map_or(Side::Owned, |tail| self.side(tail)),
            // `{ let_var s: string = v; s }` is lowered as `v`.
            K::Block(b) if b.stmts.len() == 1 => super::stmt::returned_binding(b, self.locals)
                .map_or(Side::Owned, |(_, value)| self.side(value)),
            K::Str(_) => Side::Literal,
            K::Const(c) if self.program.constants[*c].ty == Ty::Str => Side::Literal,
            K::Local { id, .. } => match self.local_repr(*id) {
                Repr::Ref | Repr::MutRef => Side::Reference,
                Repr::Cow => Side::Cow,
                _ => Side::Owned,
            },
            // Lowered as a `&str` already (`format(" end")`, `s.trim()`).
            _ if e.ty == Ty::Str && self.reads_as_str_slice(e) => Side::Literal,
            _ => Side::Owned,
        }
    }

    /// Operands of `==` / `!=` on non-`Copy` values, dereferenced only
    /// where the two sides would otherwise not compare.
    /// Both operands of `==` / `!=` (or `assert_equal`) on non-`Copy`
    /// values. Where the first does not name its whole type (`Ok(9) ==
    /// Ok(9)`, `list_of() == xs`), it is written with the type, as nothing
    /// else would tell rustc (`assert_eq!` compares through references).
    pub(super) fn equality_operands(
        &mut self,
        left: &Expr,
        right: &Expr,
        exterior: bool,
    ) -> (Lowered, Lowered) {
        let (ls, rs) = (self.side(left), self.side(right));
        self.in_condition = exterior;
        let l = if left.ty.is_incomplete() {
            let ty = if right.ty.is_incomplete() {
                left.ty.clone()
            } else {
                right.ty.clone()
            };
            self.typed_value(left, &ty, Want::Owned)
        } else {
            self.equality_operand(left, rs)
        };
        self.in_condition = exterior;
        let r = self.equality_operand(right, ls);
        (l, r)
    }

    pub(super) fn equality_operand(&mut self, e: &Expr, other: Side) -> Lowered {
        match (self.side(e), other) {
            (Side::Reference, Side::Owned | Side::Cow) => self.expr(e, Want::Deref),
            (Side::Reference | Side::Literal, _) => self.expr(e, Want::Read),
            _ => self.expr(e, Want::Deref),
        }
    }

    /// A string pattern argument (`split`, `contains`, `starts_with`, …):
    /// a one-character literal becomes a `char`, which `str` searches faster.
    pub(super) fn pattern_arg(&mut self, e: &Expr) -> TokenStream {
        if let K::Str(text) = &e.kind {
            let mut chars = text.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                let lit = Literal::character(c);
                return quote!(#lit);
            }
        }
        self.str_view(e)
    }

    /// A `&str` view of a string expression, for ordering and `str` methods.
    pub(super) fn str_view(&mut self, e: &Expr) -> TokenStream {
        // `{ let_var s: string = v; s }` is lowered as `v`: viewed as `v`.
        if let K::Block(b) = &e.kind {
            let inner = match (b.stmts.len(), &b.tail) {
                (0, Some(tail)) => Some(&**tail),
                (1, _) => super::stmt::returned_binding(b, self.locals).map(|(_, value)| value),
                _ => None,
            };
            if let Some(inner) = inner {
                return self.str_view(inner);
            }
        }
        // `match v { x => x }` is lowered as `v`: viewed as `v`.
        if let Some(value) = super::expr::matched_value(e) {
            return self.str_view(value);
        }
        match (&e.kind, self.side(e)) {
            _ if self.reads_as_str_slice(e) => self.expr(e, Want::Read).tokens,
            (_, Side::Cow) => {
                let t = self.expr(e, Want::Read).tokens;
                quote!(&*#t)
            }
            _ => {
                let t = self.expr(e, Want::Read).at(Prec::Postfix);
                quote!(#t.as_str())
            }
        }
    }

    /// `name as &str` for a string view that is not a parameter: it may be
    /// a `&String` (a loop over a list's strings), and only a coercion is
    /// `&str` for both.
    pub(super) fn coerced_view(&self, e: &Expr) -> Option<TokenStream> {
        match &e.kind {
            K::Local { id, .. } if self.is_str_param(*id) && !self.params.contains(id) => {
                let name = self.local_ident(*id);
                Some(quote!(#name as &str))
            }
            // Only viewed, its copy is the view itself.
            K::Builtin {
                builtin: Builtin::Method(M::ToText | M::Clone),
                args,
            } if args[0].ty == Ty::Str => self.coerced_view(&args[0]),
            // `match 5 { _ => word }` is lowered as its one arm.
            _ => super::expr::one_arm_on_literal(e).and_then(|arm| self.coerced_view(arm)),
        }
    }

    /// A string passed where Rust expects exactly `&str` (not a generic
    /// pattern or key): a `Cow` coerces by itself (clippy:
    /// explicit_auto_deref).
    pub(super) fn str_argument(&mut self, e: &Expr) -> TokenStream {
        if self.side(e) == Side::Cow && !self.reads_as_str_slice(e) {
            let t = self.expr(e, Want::Read).at(Prec::Unary);
            return quote!(&#t);
        }
        self.str_view(e)
    }

    /// Whether a `string` expression, lowered to be read, is a `&str`
    /// already (a literal, a constant, a read-only parameter, `trim()`),
    /// on which `.as_str()` would not compile.
    pub(super) fn reads_as_str_slice(&self, e: &Expr) -> bool {
        match &e.kind {
            K::Str(_) => true,
            K::Const(c) => self.program.constants[*c].ty == Ty::Str,
            K::Local { id, .. } => self.is_str_param(*id),
            K::Index { base, .. } => self.is_static_text(base),
            K::Builtin {
                builtin: Builtin::Method(M::Trim | M::Substring),
                ..
            } => true,
            // `{ let_var s: string = "x"; s }` and `{ "x" }` are lowered as
            // the value itself.
            K::Block(b) if b.stmts.is_empty() => b
                .tail
                .as_deref()
                .is_some_and(|tail| self.reads_as_str_slice(tail)),
            K::Block(b) if b.stmts.len() == 1 => super::stmt::returned_binding(b, self.locals)
                .is_some_and(|(_, value)| self.reads_as_str_slice(value)),
            // `match 0.1 { _ => "x" }` is lowered as its arm, `match v {
            // x => x }` as `v`.
            K::Match { .. } => super::expr::one_arm_on_literal(e)
                .or_else(|| super::expr::matched_value(e))
                .is_some_and(|body| self.reads_as_str_slice(body)),
            K::Builtin {
                builtin: Builtin::Method(M::ToText | M::Clone),
                args,
            } => args[0].ty == Ty::Str && self.reads_as_str_slice(&args[0]),
            K::Builtin {
                builtin: Builtin::Format,
                args,
            } if self.literal_format(args).is_some() => true,
            K::Builtin {
                builtin: Builtin::Format,
                args,
            } => {
                super::expr::formatted_text(args).is_some_and(|text| self.reads_as_str_slice(text))
            }
            _ => false,
        }
    }

    /// Whether the `&str` that `e` reads as views a `String` made for the
    /// statement (`format(…).trim()`), which a binding cannot outlive.
    pub(super) fn views_a_temporary(&self, e: &Expr) -> bool {
        match &e.kind {
            K::Builtin {
                builtin: Builtin::Method(M::Trim | M::Substring | M::ToText | M::Clone),
                args,
            } if args[0].ty == Ty::Str => {
                let receiver = &args[0];
                let lasting = super::super::check::is_place_expr(receiver)
                    || (self.reads_as_str_slice(receiver) && !self.views_a_temporary(receiver));
                !lasting
            }
            _ => false,
        }
    }

    pub(super) fn is_str_param(&self, id: usize) -> bool {
        id < self.locals.len() && self.locals[id].ty == Ty::Str && self.locals[id].repr == Repr::Ref
    }

    /// A chain of one precedence level; `exterior`: it stands on the
    /// exterior of a condition (see [`Lowerer::condition`]).
    pub(super) fn binary(
        &mut self,
        first: &Expr,
        rest: &[(BinaryOp, Expr)],
        exterior: bool,
    ) -> Lowered {
        let op0 = rest[0].0;
        let prec = match op0 {
            BinaryOp::Or => Prec::Or,
            BinaryOp::And => Prec::And,
            op if op.is_comparison() => Prec::Compare,
            BinaryOp::Add | BinaryOp::Sub => Prec::Add,
            _ => Prec::Mul,
        };
        let right_min = match prec {
            Prec::Compare => Prec::Add,
            Prec::Or => Prec::And,
            Prec::And => Prec::Compare,
            Prec::Add => Prec::Mul,
            _ => Prec::Cast,
        };
        if op0.is_comparison() && !first.ty.is_copy() {
            let (op, right) = (&rest[0].0, &rest[0].1);
            let op_tokens: TokenStream = op.as_str().parse().unwrap_or_default();
            if first.ty == Ty::Str && !matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
                let view = |this: &mut Self, e: &Expr| {
                    this.in_condition = exterior;
                    match this.coerced_view(e) {
                        Some(coerced) => quote!((#coerced)),
                        None => this.str_view(e),
                    }
                };
                let l = view(self, first);
                let r = view(self, right);
                // `&*a < &*b` is `*a < *b` (clippy: op_ref).
                let (l, r) = match (strip_reference(&l), strip_reference(&r)) {
                    (Some(l), Some(r)) => (l, r),
                    _ => (l, r),
                };
                return Lowered {
                    tokens: quote!(#l #op_tokens #r),
                    prec,
                };
            }
            let (l, r) = self.equality_operands(first, right, exterior);
            let (l, r) = (l.at(right_min), r.at(right_min));
            return Lowered {
                tokens: quote!(#l #op_tokens #r),
                prec,
            };
        }
        let left_min = if prec == Prec::Compare {
            right_min
        } else {
            prec
        };
        self.in_condition = exterior;
        let mut tokens = self.expr(first, Want::Deref).at(left_min);
        if op0 == BinaryOp::Lt && ends_in_cast(&tokens) {
            // `n as i64 < 5` reads `i64<` as the start of generic arguments.
            tokens = quote!((#tokens));
        }
        for (op, operand) in rest {
            self.in_condition = exterior;
            let r = self.expr(operand, Want::Deref).at(right_min);
            let op_tokens: TokenStream = op.as_str().parse().unwrap_or_default();
            tokens = quote!(#tokens #op_tokens #r);
        }
        Lowered { tokens, prec }
    }
}

/// Whether `tokens` end with a cast (`… as i64`), after which Rust reads
/// `<` as the start of generic arguments.
fn ends_in_cast(tokens: &TokenStream) -> bool {
    let trees: Vec<proc_macro2::TokenTree> = tokens.clone().into_iter().collect();
    matches!(
        trees.as_slice(),
        [.., proc_macro2::TokenTree::Ident(keyword), proc_macro2::TokenTree::Ident(_)] if keyword == "as"
    )
}

/// Tokens without their leading `&`, if they start with one.
fn strip_reference(tokens: &TokenStream) -> Option<TokenStream> {
    let mut trees = tokens.clone().into_iter();
    match trees.next() {
        Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '&' => Some(trees.collect()),
        _ => None,
    }
}
