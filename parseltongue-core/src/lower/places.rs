//! Places that are written or borrowed: assignment targets, `mutable`
//! arguments and receivers, list positions, lazily walked iterables.

use super::expr::{untyped_numbers, Prec, Want};
use super::Lowerer;
use crate::ir::{Builtin, BuiltinMethod as M, Expr, ExprKind as K, Repr, Ty, TypeDefKind};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

impl Lowerer<'_> {
    /// A place that is written: `x`, `*r`, `x.to_mut().field`, `g.items[i]`.
    pub(super) fn mutable_place(&mut self, target: &Expr) -> TokenStream {
        match &target.kind {
            K::Local { id, .. } => {
                let name = self.local_ident(*id);
                match self.local_repr(*id) {
                    Repr::MutRef | Repr::Guard => quote!(*#name),
                    Repr::Cow => quote!(*#name.to_mut()),
                    _ => quote!(#name),
                }
            }
            K::Field { base, index } => {
                let b = self.mutable_base(base);
                let f = self.field_ident(&base.ty, *index);
                quote!(#b.#f)
            }
            K::Index { base, index } => {
                let b = self.mutable_base(base);
                let i = self.place_index(index);
                quote!(#b[#i])
            }
            _ => self.expr(target, Want::Read).tokens,
        }
    }

    /// The base of a written field or element: auto-dereferencing forms.
    pub(super) fn mutable_base(&mut self, base: &Expr) -> TokenStream {
        match &base.kind {
            K::Local { id, .. } => {
                let name = self.local_ident(*id);
                match self.local_repr(*id) {
                    Repr::Cow => quote!(#name.to_mut()),
                    _ => quote!(#name),
                }
            }
            _ => self.mutable_place(base),
        }
    }

    /// `&mut place` for a `mutable` argument.
    pub(super) fn mutable_argument(&mut self, arg: &Expr) -> TokenStream {
        if let K::Local { id, .. } = arg.kind {
            let name = self.local_ident(id);
            return match self.local_repr(id) {
                Repr::MutRef => quote!(#name),
                Repr::Cow => quote!(#name.to_mut()),
                _ => quote!(&mut #name),
            };
        }
        let place = self.mutable_place(arg);
        quote!(&mut #place)
    }

    /// The receiver of a mutating method.
    pub(super) fn mutable_receiver(&mut self, arg: &Expr) -> TokenStream {
        match &arg.kind {
            K::Local { id, .. } => {
                let name = self.local_ident(*id);
                match self.local_repr(*id) {
                    Repr::Cow => quote!(#name.to_mut()),
                    _ => quote!(#name),
                }
            }
            _ => self.mutable_place(arg),
        }
    }

    /// The iterator behind a `split`, `lines`, `keys` or `values` that a
    /// `for` loop walks: no list is built.
    pub(super) fn lazy_iterator(&mut self, iterable: &Expr) -> Option<TokenStream> {
        let K::Builtin {
            builtin: Builtin::Method(m),
            args,
        } = &iterable.kind
        else {
            return None;
        };
        if !matches!(m, M::Split | M::Lines | M::Chars | M::Keys | M::Values) {
            return None;
        }
        let r = self.expr(&args[0], Want::Read).at(Prec::Postfix);
        Some(match m {
            M::Split => {
                let a = self.pattern_arg(&args[1]);
                quote!(#r.split(#a))
            }
            M::Lines => quote!(#r.lines()),
            // Each character as a one-letter `&str`.
            M::Chars => quote!(#r.split_inclusive(|_: char| true)),
            M::Keys | M::Values => {
                let temporary =
                    !crate::check::is_place_expr(super::source_lints::simplified(&args[0]));
                self.sorted_map_iterator(r, *m == M::Keys, temporary)
            }
            _ => return None,
        })
    }

    /// A list position as `usize`. A negative `i64` becomes a huge `usize`,
    /// which is out of range: indexing panics and `get` returns `None`, as
    /// the reference documents.
    pub(super) fn index(&mut self, e: &Expr) -> TokenStream {
        if let K::Int(v) = e.kind {
            if v >= 0 {
                let lit = Literal::i64_unsuffixed(v);
                return quote!(#lit);
            }
        }
        if untyped_numbers(e) {
            // `-1 as usize` would make rustc read `1` as a `usize`.
            self.suffix_next_number = true;
        }
        let i = self.expr(e, Want::Deref).at(Prec::Cast);
        let usize = self.lib("usize");
        quote!(#i as #usize)
    }

    pub(super) fn borrow_place(&mut self, e: &Expr) -> TokenStream {
        self.expr(e, Want::Borrow).tokens
    }

    pub(super) fn field_ident(&self, base_ty: &Ty, index: usize) -> proc_macro2::Ident {
        if let Ty::Named(id) = base_ty {
            if let TypeDefKind::Record(fields) = &self.program.types[*id].kind {
                if let Some((name, _)) = fields.get(index) {
                    return format_ident!("{}", name.as_str());
                }
            }
        }
        format_ident!("field{}", index)
    }
}
