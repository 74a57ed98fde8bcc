//! Records and enums that contain themselves through an `option` keep
//! every `option` of them behind a pointer (`Option<Box<T>>`, as a Rust
//! engineer writes a tree). Source code never sees the box: values are
//! boxed where they go into such an option (`Some(v)`, an element taken
//! out of a list or map) and unboxed where they come out (`unwrap`,
//! `propagate`, `match`).

use super::expr::{atom, Lowered, Prec, Want};
use super::Lowerer;
use crate::ir::{LocalId, Pattern, Repr, Ty, TypeDefKind};
use proc_macro2::TokenStream;
use quote::quote;

impl Lowerer<'_> {
    /// Whether `ty` is an `option` stored as `Option<Box<T>>`.
    pub(super) fn is_boxed_option(&self, ty: &Ty) -> bool {
        matches!(ty, Ty::Option(inner) if self.program.boxed_in_option(inner))
    }

    /// `value` (an owned `T`) as what `Some(…)` of `option_ty` holds.
    pub(super) fn boxed_if_recursive(&mut self, value: TokenStream, option_ty: &Ty) -> TokenStream {
        if self.is_boxed_option(option_ty) {
            let boxed = self.lib("Box");
            quote!(#boxed::new(#value))
        } else {
            value
        }
    }

    /// An `Option<T>` built from a list's or map's element, as the boxed
    /// option `ty` is stored.
    pub(super) fn boxed_element_option(&mut self, option: TokenStream, ty: &Ty) -> TokenStream {
        if self.is_boxed_option(ty) {
            let boxed = self.lib("Box");
            quote!(#option.map(#boxed::new))
        } else {
            option
        }
    }

    /// The `T` inside an owned `Box<T>` that `unwrap`, `expect` or
    /// `propagate` gave, as `want` needs it: a box reads as what it holds.
    pub(super) fn unboxed(&self, boxed: TokenStream, want: Want) -> Lowered {
        match want {
            Want::Read => atom(boxed),
            Want::Borrow => Lowered {
                tokens: quote!(&*#boxed),
                prec: Prec::Unary,
            },
            _ => Lowered {
                tokens: quote!(*#boxed),
                prec: Prec::Unary,
            },
        }
    }

    /// The bindings a `match` of `ty` binds to the inside of a boxed option
    /// below its top (`Ok(Some(tree))`): each arm starts by seeing through
    /// the box (`let tree = &**tree;`), so the body reads a `T` as
    /// everywhere else. A boxed option at the top is unboxed by the
    /// scrutinee itself (`.as_deref()`).
    pub(super) fn boxed_bindings(&self, pattern: &Pattern, ty: &Ty) -> TokenStream {
        let mut found = Vec::new();
        self.collect_boxed_bindings(pattern, ty, true, &mut found);
        let lines = found.iter().map(|&id| {
            let name = self.local_ident(id);
            if self.local_repr(id) == Repr::Ref {
                quote!(let #name = &**#name;)
            } else {
                quote!(let #name = *#name;)
            }
        });
        quote!(#(#lines)*)
    }

    fn collect_boxed_bindings(
        &self,
        pattern: &Pattern,
        ty: &Ty,
        top: bool,
        out: &mut Vec<LocalId>,
    ) {
        match (pattern, ty) {
            (Pattern::Some(inner), Ty::Option(t)) => {
                if !top && self.program.boxed_in_option(t) {
                    if let Pattern::Binding(id) = **inner {
                        out.push(id);
                    }
                }
                self.collect_boxed_bindings(inner, t, false, out);
            }
            (Pattern::Ok(inner), Ty::Result(t, _)) | (Pattern::Err(inner), Ty::Result(_, t)) => {
                self.collect_boxed_bindings(inner, t, false, out);
            }
            (Pattern::Variant { ty, index, args }, _) => {
                if let TypeDefKind::Enum(variants) = &self.program.types[*ty].kind {
                    for (arg, t) in args.iter().zip(&variants[*index].1) {
                        self.collect_boxed_bindings(arg, t, false, out);
                    }
                }
            }
            _ => {}
        }
    }
}
