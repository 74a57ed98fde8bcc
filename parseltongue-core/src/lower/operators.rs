//! Operators: arithmetic and logic chains, comparisons of owned,
//! borrowed and `Cow` values, and `&str` views for string operations.

use super::expr::{Lowered, Prec, Side, Want};
use super::Lowerer;
use crate::ir::{Expr, ExprKind as K, Repr, Ty};
use crate::syntax::ast::BinaryOp;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

impl Lowerer<'_> {
    pub(super) fn side(&self, e: &Expr) -> Side {
        match &e.kind {
            K::Str(_) => Side::Literal,
            K::Const(c) if self.program.constants[*c].ty == Ty::Str => Side::Literal,
            K::Local { id, .. } => match self.local_repr(*id) {
                Repr::Ref | Repr::MutRef => Side::Reference,
                Repr::Cow => Side::Cow,
                _ => Side::Owned,
            },
            _ => Side::Owned,
        }
    }

    /// Operands of `==` / `!=` on non-`Copy` values, dereferenced only
    /// where the two sides would otherwise not compare.
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
        match (&e.kind, self.side(e)) {
            (K::Str(_) | K::Const(_), _) => self.expr(e, Want::Read).tokens,
            (K::Local { id, .. }, Side::Reference) if self.is_str_param(*id) => {
                self.expr(e, Want::Read).tokens
            }
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

    pub(super) fn is_str_param(&self, id: usize) -> bool {
        id < self.locals.len() && self.locals[id].ty == Ty::Str && self.locals[id].repr == Repr::Ref
    }

    pub(super) fn binary(&mut self, first: &Expr, rest: &[(BinaryOp, Expr)]) -> Lowered {
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
                let l = self.str_view(first);
                let r = self.str_view(right);
                return Lowered {
                    tokens: quote!(#l #op_tokens #r),
                    prec,
                };
            }
            let (ls, rs) = (self.side(first), self.side(right));
            let l = self.equality_operand(first, rs).at(right_min);
            let r = self.equality_operand(right, ls).at(right_min);
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
        let mut tokens = self.expr(first, Want::Deref).at(left_min);
        for (op, operand) in rest {
            let r = self.expr(operand, Want::Deref).at(right_min);
            let op_tokens: TokenStream = op.as_str().parse().unwrap_or_default();
            tokens = quote!(#tokens #op_tokens #r);
        }
        Lowered { tokens, prec }
    }
}
