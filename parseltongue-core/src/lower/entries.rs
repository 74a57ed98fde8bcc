//! `with_entry map[key] or_insert default as value { … }`: one lookup of
//! the key, then the block changes the value in place through a `&mut`.

use super::expr::{Lowered, Prec, Want};
use super::Lowerer;
use crate::ir::{Block, Builtin, Expr, ExprKind as K, LocalId, Repr, Ty};
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
        let insert = if escapes {
            let v = self.expr(default, Want::Owned).tokens;
            quote!(or_insert(#v))
        } else {
            self.inserted_default(default)
        };
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
            quote!({
                #bind
                let #name = match #m.get_mut(#k) {
                    Some(#name) => #name,
                    None => #m.entry(#k.to_owned()).#insert,
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
            quote!(or_insert(#v))
        } else {
            quote!(or_insert_with(|| #v))
        }
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
            _ => false,
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
