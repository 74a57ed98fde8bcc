//! Maps are hash maps (`HashMap`): lookups, inserts and updates cost what
//! a hash costs. Their order is still the keys' order wherever a program
//! can observe it: `keys()` and `values()` are sorted where they are
//! taken, and the debug form (`{:?}`, `assert_equal`'s message, records
//! and enums that hold maps) prints a sorted view (`BTreeMap` of
//! references). ARCHITECTURE.md records the measurements behind this.

use super::expr::{atom, Lowered, Prec, Want};
use super::Lowerer;
use crate::ir::{Expr, Ty, TypeDefKind};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Whether the debug form of a `ty` shows a map's order, other than
/// through a record or enum (whose own `Debug` sorts its maps).
pub(super) fn shows_map_order(ty: &Ty) -> bool {
    match ty {
        Ty::Map(..) => true,
        Ty::List(t) | Ty::Option(t) => shows_map_order(t),
        Ty::Result(t, e) => shows_map_order(t) || shows_map_order(e),
        _ => false,
    }
}

impl Lowerer<'_> {
    /// `keys()` or `values()` as a list, in key order. A map that is a
    /// temporary (`temporary`) gives its keys or values up; one that lives
    /// on is copied from.
    pub(super) fn sorted_map_list(
        &mut self,
        map: TokenStream,
        ty: &Ty,
        keys: bool,
        temporary: bool,
    ) -> Lowered {
        let Ty::Map(k, v) = ty else {
            return atom(quote!(()));
        };
        let vec = self.lib("Vec");
        let copy = |t: &Ty| {
            if t.is_copy() {
                quote!(copied)
            } else {
                quote!(cloned)
            }
        };
        let tokens = match (keys, temporary) {
            (true, false) => {
                let c = copy(k);
                quote!({
                    let mut keys = #map.keys().#c().collect::<#vec<_>>();
                    keys.sort_unstable();
                    keys
                })
            }
            (true, true) => quote!({
                let mut keys = #map.into_keys().collect::<#vec<_>>();
                keys.sort_unstable();
                keys
            }),
            (false, false) => {
                let value = if v.is_copy() {
                    quote!(*value)
                } else {
                    quote!(value.clone())
                };
                quote!({
                    let mut entries = #map.iter().collect::<#vec<_>>();
                    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                    entries.into_iter().map(|(_, value)| #value).collect::<#vec<_>>()
                })
            }
            (false, true) => quote!({
                let mut entries = #map.into_iter().collect::<#vec<_>>();
                entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                entries.into_iter().map(|(_, value)| value).collect::<#vec<_>>()
            }),
        };
        // A block: parenthesised where an operator or a method follows.
        Lowered {
            tokens,
            prec: Prec::Range,
        }
    }

    /// What `for` walks for `keys()` or `values()`: views of the keys or
    /// values, in key order, without copying them. A temporary map's keys
    /// or values are sorted into a list the loop walks by view (the list,
    /// a temporary of the loop's head, lives as long as the loop).
    pub(super) fn sorted_map_iterator(
        &mut self,
        map: TokenStream,
        keys: bool,
        temporary: bool,
    ) -> TokenStream {
        let vec = self.lib("Vec");
        match (keys, temporary) {
            (true, false) => quote!({
                let mut keys = #map.keys().collect::<#vec<_>>();
                keys.sort_unstable();
                keys
            }),
            (false, false) => quote!({
                let mut entries = #map.iter().collect::<#vec<_>>();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                entries.into_iter().map(|(_, value)| value)
            }),
            (true, true) => quote!({
                let mut keys = #map.into_keys().collect::<#vec<_>>();
                keys.sort_unstable();
                keys
            }
            .iter()),
            (false, true) => quote!({
                let mut entries = #map.into_iter().collect::<#vec<_>>();
                entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                entries.into_iter().map(|(_, value)| value).collect::<#vec<_>>()
            }
            .iter()),
        }
    }

    /// `value` for a `{:?}` placeholder: a sorted view where its type
    /// shows a map's order, the value itself otherwise.
    pub(super) fn debug_shown(&mut self, value: &Expr) -> Option<TokenStream> {
        if !shows_map_order(&value.ty) {
            return None;
        }
        Some(self.sorted_view_of(value))
    }

    /// The sorted view of `value` (whose type shows a map's order).
    pub(super) fn sorted_view_of(&mut self, value: &Expr) -> TokenStream {
        if matches!(value.ty, Ty::Option(_) | Ty::Result(..)) {
            let borrow = self.expr(value, Want::Borrow).tokens;
            self.sorted_view(quote!(), borrow, &value.ty, 0)
        } else {
            let read = self.shown_map_holder(value, Want::Read).at(Prec::Postfix);
            self.sorted_view(read, quote!(), &value.ty, 0)
        }
    }

    /// A value whose debug form is shown sorted, as the view reads it: a
    /// literal list of maps is an array (clippy: useless_vec).
    pub(super) fn shown_map_holder(&mut self, value: &Expr, want: Want) -> Lowered {
        if let Some(items) = super::expr::literal_list(value) {
            let items: Vec<TokenStream> = items
                .iter()
                .map(|item| self.expr(item, Want::Owned).tokens)
                .collect();
            return atom(quote!([#(#items),*]));
        }
        self.expr(value, want)
    }

    /// An expression whose debug form is that of a value with every map
    /// in key order: `read` is the value as a method receiver, `borrow` as
    /// a `&T` (an option's or result's `as_ref` is called by path, since a
    /// shared value's `Arc` has an `as_ref` of its own).
    pub(super) fn sorted_view(
        &mut self,
        read: TokenStream,
        borrow: TokenStream,
        ty: &Ty,
        depth: usize,
    ) -> TokenStream {
        if !shows_map_order(ty) {
            return read;
        }
        let value = read;
        let item = format_ident!("item{}", depth);
        match ty {
            Ty::Map(_, v) => {
                self.uses.btree_map = true;
                let btree = self.lib("BTreeMap");
                if shows_map_order(v) {
                    let inner = self.sorted_view(quote!(#item), quote!(#item), v, depth + 1);
                    quote!(#value.iter().map(|(key, #item)| (key, #inner)).collect::<#btree<_, _>>())
                } else {
                    quote!(#value.iter().collect::<#btree<_, _>>())
                }
            }
            Ty::List(t) => {
                let vec = self.lib("Vec");
                let inner = self.sorted_view(quote!(#item), quote!(#item), t, depth + 1);
                quote!(#value.iter().map(|#item| #inner).collect::<#vec<_>>())
            }
            // Called by path: a shared value's `Arc` has an `as_ref` of
            // its own.
            Ty::Option(t) => {
                let inner = self.sorted_view(quote!(#item), quote!(#item), t, depth + 1);
                let option = self.lib("Option");
                quote!(#option::as_ref(#borrow).map(|#item| #inner))
            }
            Ty::Result(t, e) => {
                let result = self.lib("Result");
                let mut tokens = quote!(#result::as_ref(#borrow));
                if shows_map_order(t) {
                    let inner = self.sorted_view(quote!(#item), quote!(#item), t, depth + 1);
                    tokens = quote!(#tokens.map(|#item| #inner));
                }
                if shows_map_order(e) {
                    let inner = self.sorted_view(quote!(#item), quote!(#item), e, depth + 1);
                    tokens = quote!(#tokens.map_err(|#item| #inner));
                }
                tokens
            }
            _ => value,
        }
    }

    /// Whether a record or enum writes its own `Debug`: a field or payload
    /// shows a map's order.
    pub(super) fn needs_sorted_debug(&self, id: usize) -> bool {
        match &self.program.types[id].kind {
            TypeDefKind::Record(fields) => fields.iter().any(|(_, t)| shows_map_order(t)),
            TypeDefKind::Enum(variants) => variants
                .iter()
                .any(|(_, payload)| payload.iter().any(shows_map_order)),
            TypeDefKind::Rust(_) | TypeDefKind::Extension => false,
        }
    }

    /// `impl Debug` for a record or enum that holds maps: what
    /// `#[derive(Debug)]` prints, with each map in key order.
    pub(super) fn sorted_debug_impl(&mut self, id: usize) -> TokenStream {
        let def = &self.program.types[id];
        let name = format_ident!("{}", def.name.as_str());
        let text = def.name.to_string();
        let std = self.lib("std");
        let body = match def.kind.clone() {
            TypeDefKind::Record(fields) => {
                let fields: Vec<TokenStream> = fields
                    .iter()
                    .map(|(field, t)| {
                        let ident = format_ident!("{}", field.as_str());
                        let label = field.to_string();
                        let view =
                            self.sorted_view(quote!(self.#ident), quote!(&self.#ident), t, 0);
                        quote!(.field(#label, &#view))
                    })
                    .collect();
                quote!(f.debug_struct(#text) #(#fields)* .finish())
            }
            TypeDefKind::Enum(variants) => {
                let arms: Vec<TokenStream> = variants
                    .iter()
                    .map(|(variant, payload)| {
                        let ident = format_ident!("{}", variant.as_str());
                        let label = variant.to_string();
                        if payload.is_empty() {
                            return quote!(#name::#ident => f.write_str(#label),);
                        }
                        let bound: Vec<proc_macro2::Ident> =
                            (0..payload.len()).map(|i| format_ident!("field{}", i)).collect();
                        let fields: Vec<TokenStream> = bound
                            .iter()
                            .zip(payload)
                            .map(|(b, t)| {
                                if shows_map_order(t) {
                                    let view = self.sorted_view(quote!(#b), quote!(#b), t, 0);
                                    quote!(.field(&#view))
                                } else {
                                    quote!(.field(#b))
                                }
                            })
                            .collect();
                        quote!(#name::#ident(#(#bound),*) => f.debug_tuple(#label) #(#fields)* .finish(),)
                    })
                    .collect();
                quote!(match self { #(#arms)* })
            }
            TypeDefKind::Rust(_) | TypeDefKind::Extension => return quote!(),
        };
        quote! {
            impl #std::fmt::Debug for #name {
                fn fmt(&self, f: &mut #std::fmt::Formatter<'_>) -> #std::fmt::Result {
                    #body
                }
            }
        }
    }
}
