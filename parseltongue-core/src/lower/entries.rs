//! `with_entry map[key] or_insert default as value { … }`: one lookup of
//! the key, then the block changes the value in place through a `&mut`.

use super::expr::{Lowered, Prec, Want};
use super::Lowerer;
use crate::ir::{Block, Builtin, BuiltinMethod, Expr, ExprKind as K, LocalId, Repr, Ty};
use proc_macro2::TokenStream;
use quote::quote;

impl Lowerer<'_> {
    pub(super) fn with_entry(
        &mut self,
        map: &Expr,
        key: &Expr,
        default: &Expr,
        value: LocalId,
        body: &Block,
    ) -> Lowered {
        let m = self.mutable_receiver(map);
        let name = self.local_ident(value);
        // A value that may leave the function (`propagate`, `return`)
        // cannot be evaluated inside a closure: it is evaluated where the
        // key is known to be missing instead.
        let escapes = leaves_function(default);
        let inner = self.block_inner(body, false);
        let tokens = if key.ty == Ty::Str && self.key_is_viewed(key) {
            // A viewed text key (a slice, a variable read again later) is
            // looked up as it is and copied only when it is missing.
            let (bind, k) = match &key.kind {
                K::Str(_) => (quote!(), self.str_view(key)),
                K::Local { id, .. } if self.local_repr(*id) != Repr::Cow => {
                    (quote!(), self.str_view(key))
                }
                _ => {
                    let view = self.str_view(key);
                    (quote!(let __key = #view;), quote!(__key))
                }
            };
            // The insert is a call out of line: a second hashing site
            // here would keep the lookup from being inlined (measured on
            // the k-nucleotide count: 1.14 times Rust's time, 1.0 without).
            self.uses.insert_missing = true;
            self.uses.hash_map = true;
            let map = self.mutable_argument(map);
            let v = self.expr(default, Want::Owned).tokens;
            quote!({
                #bind
                let #name = match #m.get_mut(#k) {
                    Some(#name) => #name,
                    None => __insert_missing(#map, #k, #v),
                };
                #inner
            })
        } else if escapes {
            let k = self.expr(key, Want::Owned).tokens;
            let v = self.expr(default, Want::Owned).tokens;
            let std = self.lib("std");
            quote!({
                let #name = match #m.entry(#k) {
                    #std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                    #std::collections::hash_map::Entry::Vacant(entry) => entry.insert(#v),
                };
                #inner
            })
        } else {
            let k = self.expr(key, Want::Owned).tokens;
            let insert = self.inserted_default(default);
            quote!({
                let #name = #m.entry(#k).#insert;
                #inner
            })
        };
        Lowered {
            tokens,
            prec: Prec::Range,
        }
    }

    /// How the entry gets its value when the key is missing: evaluated
    /// only then (`or_insert_with`), unless it is a constant.
    fn inserted_default(&mut self, default: &Expr) -> TokenStream {
        let empty = match &default.kind {
            K::Str(text) => text.is_empty(),
            K::Builtin {
                builtin: Builtin::ListOf | Builtin::MapOf,
                args,
            } => args.is_empty(),
            K::Builtin {
                builtin: Builtin::ListOfCopies,
                args,
            } => {
                matches!(args.get(1).map(|a| &a.kind), Some(K::Int(0)))
                    && !leaves_function(&args[0])
            }
            _ => false,
        };
        if empty {
            // clippy: unwrap_or_default.
            return quote!(or_default());
        }
        let v = self.expr(default, Want::Owned).tokens;
        let constant = matches!(
            default.kind,
            K::Int(_) | K::Float(_) | K::Bool(_) | K::Const(_)
        ) || matches!(&default.kind, K::Unary { operand, .. } if matches!(operand.kind, K::Int(_) | K::Float(_)));
        if constant && default.ty.is_copy() {
            return quote!(or_insert(#v));
        }
        // A closure that only calls a function without arguments is the
        // function itself (clippy: redundant_closure).
        if let K::Call { function, args } = &default.kind {
            let path = self.function_path(*function);
            if args.is_empty() && quote!(#path()).to_string() == v.to_string() {
                return quote!(or_insert_with(#path));
            }
        }
        quote!(or_insert_with(|| #v))
    }

    /// Whether a text key is read where it is (a variable used again, a
    /// parameter, a field, a literal, a slice) rather than an owned string
    /// made for the lookup.
    fn key_is_viewed(&self, key: &Expr) -> bool {
        match &key.kind {
            K::Local { id, moved } => !*moved || self.local_repr(*id) != Repr::Value,
            K::Str(_) => true,
            // A field or element of a variable, not of a temporary.
            K::Field { .. } | K::Index { .. } => crate::check::is_place_expr(key),
            // A piece of a variable's text (`line.substring(a, b)`), which
            // `substring` and `trim` give as a view into it.
            K::Builtin {
                builtin: Builtin::Method(BuiltinMethod::Substring | BuiltinMethod::Trim),
                args,
            } => crate::check::is_place_expr(&args[0]),
            _ => false,
        }
    }
}

/// The function `with_entry` inserts a missing text key with: cold and
/// out of line, so the `get_mut` before it is all the hot path holds.
pub(super) fn insert_missing_helper(library: &super::library::Library) -> TokenStream {
    let (map, string, str) = (
        library.path("HashMap"),
        library.path("String"),
        library.path("str"),
    );
    quote! {
        /// Inserts `key`, which `get_mut` did not find, with `value`.
        #[cold]
        #[inline(never)]
        fn __insert_missing<'m, V>(map: &'m mut #map<#string, V>, key: &#str, value: V) -> &'m mut V {
            map.entry(key.to_owned()).or_insert(value)
        }
    }
}

/// Whether evaluating `e` may leave the function or loop around it.
fn leaves_function(e: &Expr) -> bool {
    let found = std::cell::Cell::new(false);
    crate::ir::walk_expr(
        e,
        &mut |inner| {
            if matches!(inner.kind, K::Propagate(_)) {
                found.set(true);
            }
        },
        &mut |stmt| {
            if matches!(
                stmt,
                crate::ir::Stmt::Return(_) | crate::ir::Stmt::Break | crate::ir::Stmt::Continue
            ) {
                found.set(true);
            }
        },
    );
    found.get()
}
