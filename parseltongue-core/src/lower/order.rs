//! Custom order: `ordering` values, `compare`, and the list methods that
//! take a function by name (`sort_by`, `sort_by_key`, `min_by`,
//! `max_by_key`…), lowered to Rust closures that call that function.

use super::expr::{atom, Lowered, Prec, Want};
use super::Lowerer;
use crate::ir::{BuiltinMethod as M, Expr, ExprKind as K, Ty};
use proc_macro2::{Group, Ident, TokenStream, TokenTree};
use quote::{format_ident, quote};
use std::cmp::Ordering;

/// How the values reach a closure: a slice method (`sort_by`) hands it
/// `&T`; an iterator over `&T` (`iter().min_by`) hands it `&&T`, which the
/// closure's `&` patterns take back to `&T`; a frame slot or a mailbox
/// hands it the value itself, whose type the closure names, since the call
/// alone would let Rust infer a borrowed one (`|line: String| show(&line)`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Closure {
    Slice,
    Iterator,
    Owned,
}

impl Lowerer<'_> {
    /// How generated Rust names `std::cmp::Ordering`.
    pub(super) fn ordering_path(&mut self) -> TokenStream {
        self.uses.ordering = true;
        self.lib("Ordering")
    }

    /// `Ordering::Less`, `Ordering::Equal` or `Ordering::Greater`.
    pub(super) fn ordering_value(&mut self, value: Ordering) -> TokenStream {
        let path = self.ordering_path();
        let variant = format_ident!("{value:?}");
        quote!(#path::#variant)
    }

    /// The closure a function argument lowers to. A closure that only
    /// passes its parameters on is the function itself (clippy:
    /// redundant_closure), unless Rust would have to convert them on the
    /// way (`&String` to `&str`, `&Vec<T>` to `&[T]`).
    pub(super) fn function_argument(&mut self, argument: &Expr, form: Closure) -> TokenStream {
        let K::FunctionArgument { params, call } = &argument.kind else {
            return self.expr(argument, Want::Read).tokens;
        };
        let names: Vec<Ident> = params.iter().map(|&p| self.local_ident(p)).collect();
        let body = self.expr(call, Want::Owned).tokens;
        if form != Closure::Iterator {
            if let K::Call { function, .. } = &call.kind {
                let converted = form == Closure::Slice
                    && params
                        .iter()
                        .any(|&p| matches!(self.locals[p].ty, Ty::Str | Ty::List(_)));
                let path = self.function_path(*function);
                let passed_on = quote!(#path(#(#names),*));
                if !converted && passed_on.to_string() == body.to_string() {
                    return path;
                }
            }
            if form == Closure::Owned {
                let types: Vec<TokenStream> = params
                    .iter()
                    .map(|&p| {
                        let ty = self.locals[p].ty.clone();
                        self.rust_type(&ty)
                    })
                    .collect();
                return quote!(|#(#names: #types),*| #body);
            }
            quote!(|#(#names),*| #body)
        } else {
            quote!(|#(&#names),*| #body)
        }
    }

    /// `a.compare(b)`: `cmp` for integers, booleans, orderings and text,
    /// [`compare_f64_helper`]'s order for `f64`.
    pub(super) fn compare(&mut self, args: &[Expr]) -> Lowered {
        if args[0].ty == Ty::Str {
            // Both as `&str`: a `String` beside a `&str` has no `cmp`. A
            // view that may be a `&String` (a loop over a list's strings)
            // is cast to `&str`.
            if let Some(a) = self.coerced_view(&args[0]) {
                let b = self.str_view(&args[1]);
                return atom(quote!((#a).cmp(#b)));
            }
            // A `Cow` viewed as `&*cow` calls it as `(*cow)` (clippy:
            // needless_borrow).
            let a = self.str_view(&args[0]);
            let b = self.str_view(&args[1]);
            let mut trees = a.clone().into_iter();
            let a = match trees.next() {
                Some(TokenTree::Punct(p)) if p.as_char() == '&' => {
                    let rest: TokenStream = trees.collect();
                    quote!((#rest))
                }
                _ => a,
            };
            return atom(quote!(#a.cmp(#b)));
        }
        if args[0].ty == Ty::F64 {
            let a = self.typed_expr(&args[0], Want::Deref).tokens;
            let b = self.typed_expr(&args[1], Want::Deref).tokens;
            let compare = self.compare_f64();
            return atom(quote!(#compare(#a, #b)));
        }
        let a = self.typed_expr(&args[0], Want::Deref).at(Prec::Postfix);
        let b = self.compared_operand(&args[1]);
        atom(quote!(#a.cmp(#b)))
    }

    /// The `&T` a copied value is compared with: a view local is one
    /// already, a shared one or a guard becomes one by coercion (clippy:
    /// explicit_auto_deref).
    fn compared_operand(&mut self, e: &Expr) -> TokenStream {
        if let K::Local { id, .. } = e.kind {
            let name = self.local_ident(id);
            match self.local_repr(id) {
                crate::ir::Repr::Ref | crate::ir::Repr::MutRef => return quote!(#name),
                crate::ir::Repr::Arc | crate::ir::Repr::Guard => return quote!(&#name),
                _ => {}
            }
        }
        self.by_reference(e)
    }

    /// `o.reverse()` and `o.then(p)` on an `ordering`.
    pub(super) fn ordering_method(&mut self, m: M, args: &[Expr]) -> Lowered {
        let o = self.typed_expr(&args[0], Want::Deref).at(Prec::Postfix);
        if m == M::OrderReverse {
            return atom(quote!(#o.reverse()));
        }
        let p = self.expr(&args[1], Want::Deref).tokens;
        atom(quote!(#o.then(#p)))
    }

    /// `xs.sort_by(f)` and `xs.sort_by_key(f)`, stable as Rust's sorts
    /// are. A text key is computed once per element
    /// (`sort_by_cached_key`), not once per comparison; an `f64` key is
    /// compared by [`compare_f64_helper`]'s order.
    pub(super) fn sort_by(&mut self, m: M, receiver: TokenStream, args: &[Expr]) -> TokenStream {
        let closure = self.function_argument(&args[1], Closure::Slice);
        if m == M::SortBy {
            return quote!(#receiver.sort_by(#closure));
        }
        match args[1].ty {
            Ty::F64 => {
                let by = self.keys_compared(&args[1]);
                quote!(#receiver.sort_by(#by))
            }
            Ty::Str => quote!(#receiver.sort_by_cached_key(#closure)),
            _ => quote!(#receiver.sort_by_key(#closure)),
        }
    }

    /// `xs.min_by(f)`, `xs.max_by_key(f)`…: among equals, the first in
    /// the list wins for both (Rust's `max_by` keeps the last, so the
    /// maximum is searched from the end).
    pub(super) fn min_max_by(&mut self, m: M, list: TokenStream, args: &[Expr]) -> TokenStream {
        let element_copy = matches!(&args[0].ty, Ty::List(t) if t.is_copy());
        let cloned = if element_copy {
            quote!(copied)
        } else {
            quote!(cloned)
        };
        let walk = match m {
            M::MaxBy | M::MaxByKey => quote!(#list.iter().rev()),
            _ => quote!(#list.iter()),
        };
        let by_key = matches!(m, M::MinByKey | M::MaxByKey);
        let found = if by_key && args[1].ty == Ty::F64 {
            let (left, right) = self.key_calls(&args[1]);
            let name = if m == M::MinByKey {
                quote!(min_by)
            } else {
                quote!(max_by)
            };
            let compare = self.compare_f64();
            quote!(#walk.#name(|&left, &right| #compare(#left, #right)))
        } else {
            let closure = self.function_argument(&args[1], Closure::Iterator);
            let name = match m {
                M::MinBy => quote!(min_by),
                M::MaxBy => quote!(max_by),
                M::MinByKey => quote!(min_by_key),
                _ => quote!(max_by_key),
            };
            quote!(#walk.#name(#closure))
        };
        quote!(#found.#cloned())
    }

    /// `|left, right| __compare_f64(key(left), key(right))` for an `f64`
    /// key.
    fn keys_compared(&mut self, argument: &Expr) -> TokenStream {
        let (left, right) = self.key_calls(argument);
        let compare = self.compare_f64();
        quote!(|left, right| #compare(#left, #right))
    }

    /// The module's `__compare_f64`, noted as used.
    pub(super) fn compare_f64(&mut self) -> TokenStream {
        self.uses.compare_f64 = true;
        // The helper returns an `Ordering`.
        self.uses.ordering = true;
        quote!(__compare_f64)
    }

    /// The key function's call on `left` and on `right`.
    fn key_calls(&mut self, argument: &Expr) -> (TokenStream, TokenStream) {
        let K::FunctionArgument { params, call } = &argument.kind else {
            let e = self.expr(argument, Want::Owned).tokens;
            return (e.clone(), e);
        };
        let name = self.local_ident(params[0]);
        let body = self.expr(call, Want::Owned).at(Prec::Postfix);
        (
            renamed(body.clone(), &name, &format_ident!("left")),
            renamed(body, &name, &format_ident!("right")),
        )
    }
}

/// `tokens` with every identifier `from` replaced by `to`.
fn renamed(tokens: TokenStream, from: &Ident, to: &Ident) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Ident(ident) if ident == *from => TokenTree::Ident(to.clone()),
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), renamed(group.stream(), from, to));
                inner.set_span(group.span());
                TokenTree::Group(inner)
            }
            other => other,
        })
        .collect()
}

/// The function generated code orders `f64` values with: `total_cmp`
/// (`-0.0` before `0.0`), except that every NaN is alike and after every
/// number. `total_cmp` alone would put a NaN with its sign bit set first,
/// and that bit depends on how the NaN was made (`0.0 / 0.0` folded by
/// rustc is positive; computed by the processor, negative).
pub(super) fn compare_f64_helper(library: &super::library::Library) -> TokenStream {
    let ordering = library.path("Ordering");
    quote! {
        /// `left` against `right` as Parseltongue orders `f64`: every NaN
        /// alike and last.
        fn __compare_f64(left: f64, right: f64) -> #ordering {
            match (left.is_nan(), right.is_nan()) {
                (false, false) => left.total_cmp(&right),
                (left_nan, right_nan) => left_nan.cmp(&right_nan),
            }
        }
    }
}
