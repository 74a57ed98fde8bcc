//! `match` and its patterns.

use super::expr::{atom, is_braced, Lowered, Prec, Want};
use super::Lowerer;
use crate::ir::{Expr, ExprKind as K, Pattern, Repr, Ty, TypeDefKind};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

impl Lowerer<'_> {
    pub(super) fn match_expr(
        &mut self,
        scrutinee: &Expr,
        arms: &[(Pattern, Expr)],
        ty: &Ty,
    ) -> Lowered {
        let exterior = std::mem::take(&mut self.in_condition);
        // A literal that must carry its type is an arm's, not the scrutinee's.
        let suffix = std::mem::take(&mut self.suffix_next_number);
        if let [(pattern @ (Pattern::Wildcard | Pattern::Binding(_)), body)] = arms {
            self.suffix_next_number = suffix;
            return self.single_binding(scrutinee, pattern, body, exterior);
        }
        // An arm that changes the matched variable while its bindings view
        // it: the match views a copy taken before it (value semantics).
        let changed_in_arm = super::aliasing::viewed_local(scrutinee).is_some_and(|id| {
            !scrutinee.ty.is_copy() && arms.iter().any(|(_, body)| self.expr_changes(body, id))
        });
        if self.is_boxed_option(&scrutinee.ty) {
            self.suffix_next_number = suffix;
            return self.boxed_option_match(scrutinee, arms, ty, changed_in_arm);
        }
        if changed_in_arm {
            self.no_moves += 1;
            let copy = self.expr(scrutinee, Want::Owned);
            self.no_moves -= 1;
            self.suffix_next_number = suffix;
            let binds_owned = arms.iter().any(|(p, _)| self.binds_owned(p));
            let arms = self.arms(arms, &scrutinee.ty);
            let s = if scrutinee.ty == Ty::Str {
                let copy = copy.at(Prec::Postfix);
                quote!(#copy.as_str())
            } else if binds_owned {
                // Bindings the checker made values take their parts of
                // the copy (matched by reference, they would be
                // references the arms borrow again).
                copy.tokens
            } else if super::types::rust_copy(&scrutinee.ty) {
                // A value Rust copies without a call is copied by the
                // block (which needs no parentheses inside).
                let copy = copy.tokens;
                quote!(&{ #copy })
            } else {
                let copy = copy.at(Prec::Unary);
                quote!(&#copy)
            };
            return Lowered {
                tokens: quote!(match #s { #(#arms)* }),
                prec: Prec::Range,
            };
        }
        self.in_condition = true;
        let s = if scrutinee.ty == Ty::Str {
            // Unparenthesised: a scrutinee needs none.
            self.coerced_view(scrutinee)
                .unwrap_or_else(|| self.str_view(scrutinee))
        } else if scrutinee.ty.is_copy() {
            self.typed_expr(scrutinee, Want::Deref).tokens
        } else if matches!(scrutinee.kind, K::Local { id, .. }
            if matches!(self.local_repr(id), Repr::Arc | Repr::Guard | Repr::Cow | Repr::MutRef))
        {
            // Patterns see through no smart pointer or `Cow`: `&*shared`.
            // A `mutable` parameter is reborrowed the same way: matched as
            // it is, the `&mut` would move into a binding pattern.
            let value = self.expr(scrutinee, Want::Deref).at(Prec::Unary);
            quote!(&#value)
        } else if super::super::check::is_place_expr(scrutinee) {
            self.expr(scrutinee, Want::Borrow).tokens
        } else {
            // `Some(1.5)` alone does not say `f64`, nor `Ok(true)` its
            // error's type; a binding cannot say it either (the checker
            // wants every binding's type known).
            self.self_typed(scrutinee, Want::Owned).tokens
        };
        self.in_condition = false;
        self.suffix_next_number = suffix;
        if *ty == Ty::Bool {
            if let Some(lowered) = self.bool_matches(&s, arms) {
                return lowered;
            }
        }
        let s = if is_braced(&s) {
            // clippy: blocks_in_conditions.
            return self.hoisted_match(s, arms, &scrutinee.ty);
        } else {
            s
        };
        let arms = self.arms(arms, &scrutinee.ty);
        Lowered {
            tokens: quote!(match #s { #(#arms)* }),
            prec: Prec::Range,
        }
    }

    /// clippy prefers `matches!` for a match whose two arms yield `true`
    /// and `false`; the second arm takes every other value (the match is
    /// exhaustive).
    fn bool_matches(&mut self, s: &TokenStream, arms: &[(Pattern, Expr)]) -> Option<Lowered> {
        if arms.len() != 2 {
            return None;
        }
        let negated = match (&arms[0].1.kind, &arms[1].1.kind) {
            (K::Bool(true), K::Bool(false)) => false,
            (K::Bool(false), K::Bool(true)) => true,
            _ => return None,
        };
        let p = self.pattern(&arms[0].0);
        Some(if negated {
            Lowered {
                tokens: quote!(!matches!(#s, #p)),
                prec: Prec::Unary,
            }
        } else {
            atom(quote!(matches!(#s, #p)))
        })
    }

    /// A `match` of an option stored as `Option<Box<T>>`: the scrutinee
    /// sees through the box (`.as_deref()` for a view, `.map(|b| *b)` for an
    /// owned value), so the arms bind a `&T` or a `T` as for any option.
    fn boxed_option_match(
        &mut self,
        scrutinee: &Expr,
        arms: &[(Pattern, Expr)],
        ty: &Ty,
        changed_in_arm: bool,
    ) -> Lowered {
        // A literal that must carry its type is an arm's, not the scrutinee's.
        let suffix = std::mem::take(&mut self.suffix_next_number);
        self.in_condition = true;
        let mut owned_value = None;
        let (s, owned) = if changed_in_arm {
            self.no_moves += 1;
            let copy = self.expr(scrutinee, Want::Owned).at(Prec::Postfix);
            self.no_moves -= 1;
            (quote!(#copy.as_deref()), false)
        } else if super::super::check::is_place_expr(scrutinee) {
            let place = self.expr(scrutinee, Want::Read).at(Prec::Postfix);
            (quote!(#place.as_deref()), false)
        } else {
            let value = self.self_typed(scrutinee, Want::Owned);
            let tokens = value.tokens.clone();
            owned_value = Some(value);
            (tokens, true)
        };
        self.in_condition = false;
        self.suffix_next_number = suffix;
        if *ty == Ty::Bool && arms.len() == 2 {
            // An owned option is unboxed in place: `matches!` is an
            // expression, where the `match` below binds it first.
            let s = match owned_value.take() {
                Some(value) => {
                    let value = value.at(Prec::Postfix);
                    quote!(#value.map(|boxed| *boxed))
                }
                None => s.clone(),
            };
            if let Some(lowered) = self.bool_matches(&s, arms) {
                return lowered;
            }
        }
        let mut lowered_arms = self.arms(arms, &scrutinee.ty);
        // An arm that binds the whole option sees it boxed again, as the
        // option's type is everywhere else.
        for ((pattern, body), arm) in arms.iter().zip(lowered_arms.iter_mut()) {
            if let Pattern::Binding(id) = pattern {
                let name = self.local_ident(*id);
                let boxed = self.lib("Box");
                let rebox = if owned {
                    quote!(let #name = #name.map(#boxed::new);)
                } else {
                    quote!(let #name = &#name.map(|inner| #boxed::new(inner.clone()));)
                };
                let want = if body.ty == Ty::Unit || body.ty == Ty::Never {
                    Want::Read
                } else {
                    Want::Owned
                };
                let b = self.expr(body, want).tokens;
                *arm = quote!(#name => { #rebox #b });
            }
        }
        let arms = lowered_arms;
        if owned {
            // A block is bound first (clippy: blocks_in_conditions).
            return Lowered {
                tokens: quote!({
                    let __scrutinee = #s;
                    match __scrutinee.map(|boxed| *boxed) { #(#arms)* }
                }),
                prec: Prec::Range,
            };
        }
        Lowered {
            tokens: quote!(match #s { #(#arms)* }),
            prec: Prec::Range,
        }
    }

    /// A `match` whose one arm takes anything is a binding (clippy:
    /// match_single_binding): `{ let x = scrutinee; body }`. The scrutinee
    /// is still evaluated first (it may print or panic), unless it is a
    /// name or a literal that nothing binds.
    fn single_binding(
        &mut self,
        scrutinee: &Expr,
        pattern: &Pattern,
        body: &Expr,
        exterior: bool,
    ) -> Lowered {
        let want = if body.ty == Ty::Unit || body.ty == Ty::Never {
            Want::Read
        } else {
            Want::Owned
        };
        // A literal alone says nothing; a variable is still read (it may
        // be its only use).
        let inert = matches!(
            scrutinee.kind,
            K::Int(_) | K::Float(_) | K::Bool(_) | K::Str(_)
        );
        let binding = match pattern {
            Pattern::Binding(id) => Some(*id),
            _ => None,
        };
        if binding.is_none() && inert {
            self.in_condition = exterior;
            return self.expr(body, want);
        }
        if let (Some(id), K::Local { id: read, .. }) = (binding, &body.kind) {
            if *read == id {
                // `match v { x => x }` is `v`, where the match stood.
                self.in_condition = exterior;
                return self.expr(scrutinee, want);
            }
        }
        // A literal that must carry its type is the body's.
        let suffix = std::mem::take(&mut self.suffix_next_number);
        let is_place = super::super::check::is_place_expr(scrutinee);
        // A body that changes the variable the binding views: it views a
        // copy taken first.
        let changed =
            super::aliasing::viewed_local(scrutinee).is_some_and(|id| self.expr_changes(body, id));
        let mut annotation = TokenStream::new();
        let value = match binding {
            // `let _ = guard;` would drop a lock guard to clippy's eyes
            // (let_underscore_lock): the read is of a reference to it.
            None if matches!(scrutinee.kind, K::Local { id, .. } if self.local_repr(id) == Repr::Guard) =>
            {
                let guard = self.expr(scrutinee, Want::Read).tokens;
                quote!(&#guard)
            }
            None => self.expr(scrutinee, Want::Read).tokens,
            Some(_) if changed && scrutinee.ty != Ty::Str && !scrutinee.ty.is_copy() => {
                self.no_moves += 1;
                let copy = self.expr(scrutinee, Want::Owned).at(Prec::Unary);
                self.no_moves -= 1;
                if super::types::rust_copy(&scrutinee.ty) {
                    // Rust copies an `Option<i64>` without a call: the
                    // block makes the copy a value of its own to view.
                    quote!(&{ #copy })
                } else {
                    quote!(&#copy)
                }
            }
            Some(_) if scrutinee.ty == Ty::Str => {
                let lasting_view =
                    self.reads_as_str_slice(scrutinee) && !self.views_a_temporary(scrutinee);
                if !changed && (lasting_view || is_place) {
                    self.str_view(scrutinee)
                } else {
                    // The binding views the string, which must outlive it.
                    self.no_moves += usize::from(changed);
                    let owned = self.expr(scrutinee, Want::Owned).tokens;
                    self.no_moves -= usize::from(changed);
                    let b = self.pattern(pattern);
                    self.suffix_next_number = suffix;
                    let body = self.expr(body, want).tokens;
                    return Lowered {
                        tokens: quote!({
                            let __scrutinee = #owned;
                            let #b = __scrutinee.as_str();
                            #body
                        }),
                        prec: Prec::Range,
                    };
                }
            }
            Some(_) if scrutinee.ty.is_copy() => self.typed_expr(scrutinee, Want::Deref).tokens,
            // `let whole = shape;` would move a `mutable` parameter's
            // `&mut` into the binding: it views a reborrow. A binding of a
            // shared value or a `Cow` views what they hold, as patterns do
            // (its copy is then a copy of the value, not of the pointer).
            Some(_)
                if matches!(scrutinee.kind, K::Local { id, .. }
                if matches!(self.local_repr(id), Repr::MutRef | Repr::Cow | Repr::Arc | Repr::Guard)) =>
            {
                let value = self.expr(scrutinee, Want::Deref).at(Prec::Unary);
                quote!(&#value)
            }
            Some(_) if is_place => self.expr(scrutinee, Want::Borrow).tokens,
            // A literal list the binding only reads is an array.
            Some(id) => match self.read_only_array(id, scrutinee) {
                Some((list_annotation, array)) => {
                    annotation = list_annotation;
                    array
                }
                // Unannotated, the binding takes its type from the value:
                // its numbers must say `i64` (a method on it would find
                // `{integer}`).
                None => self.typed_expr(scrutinee, Want::Owned).tokens,
            },
        };
        let b = self.pattern(pattern);
        self.suffix_next_number = suffix;
        let body = self.expr(body, want).tokens;
        Lowered {
            tokens: quote!({
                let #b #annotation = #value;
                #body
            }),
            prec: Prec::Range,
        }
    }

    /// `{ let __scrutinee = { … }; match __scrutinee { … } }`.
    fn hoisted_match(
        &mut self,
        scrutinee: TokenStream,
        arms: &[(Pattern, Expr)],
        scrutinee_ty: &Ty,
    ) -> Lowered {
        let arms = self.arms(arms, scrutinee_ty);
        // A string's bindings view it as `&str`, as elsewhere.
        let matched = if *scrutinee_ty == Ty::Str {
            quote!(__scrutinee.as_str())
        } else {
            quote!(__scrutinee)
        };
        Lowered {
            tokens: quote!({
                let __scrutinee = #scrutinee;
                match #matched { #(#arms)* }
            }),
            prec: Prec::Range,
        }
    }

    /// The arms of a `match` of a `scrutinee_ty`.
    fn arms(&mut self, arms: &[(Pattern, Expr)], scrutinee_ty: &Ty) -> Vec<TokenStream> {
        arms.iter()
            .map(|(pattern, body)| {
                let p = self.pattern(pattern);
                let want = if body.ty == Ty::Unit || body.ty == Ty::Never {
                    Want::Read
                } else {
                    Want::Owned
                };
                let b = self.expr(body, want).tokens;
                let unboxed = self.boxed_bindings(pattern, scrutinee_ty);
                if unboxed.is_empty() {
                    quote!(#p => #b,)
                } else {
                    quote!(#p => { #unboxed #b })
                }
            })
            .collect()
    }

    /// Whether `p` binds a value that is not a copy type as a value of its
    /// own (not a reference into the matched value).
    fn binds_owned(&self, p: &Pattern) -> bool {
        match p {
            Pattern::Binding(id) => {
                self.local_repr(*id) == Repr::Value && !self.locals[*id].ty.is_copy()
            }
            Pattern::Variant { args, .. } => args.iter().any(|a| self.binds_owned(a)),
            Pattern::Some(inner) | Pattern::Ok(inner) | Pattern::Err(inner) => {
                self.binds_owned(inner)
            }
            _ => false,
        }
    }

    pub(super) fn pattern(&mut self, p: &Pattern) -> TokenStream {
        match p {
            Pattern::Wildcard | Pattern::Error => quote!(_),
            Pattern::Binding(id) => {
                let n = self.local_ident(*id);
                quote!(#n)
            }
            Pattern::Int(v) => {
                if *v < 0 {
                    let lit = Literal::i64_unsuffixed(v.unsigned_abs() as i64);
                    quote!(-#lit)
                } else {
                    let lit = Literal::i64_unsuffixed(*v);
                    quote!(#lit)
                }
            }
            Pattern::Str(s) => {
                let lit = Literal::string(s);
                quote!(#lit)
            }
            Pattern::Bool(b) => {
                if *b {
                    quote!(true)
                } else {
                    quote!(false)
                }
            }
            Pattern::Ordering(o) => self.ordering_value(*o),
            Pattern::Variant { ty, index, args } => {
                let path = self.type_path(*ty);
                let TypeDefKind::Enum(variants) = &self.program.types[*ty].kind else {
                    return quote!(_);
                };
                let v = format_ident!("{}", variants[*index].0.as_str());
                if args.is_empty() {
                    quote!(#path::#v)
                } else {
                    let args: Vec<TokenStream> = args.iter().map(|a| self.pattern(a)).collect();
                    quote!(#path::#v(#(#args),*))
                }
            }
            Pattern::Some(inner) => {
                let i = self.pattern(inner);
                quote!(Some(#i))
            }
            Pattern::None => quote!(None),
            Pattern::Ok(inner) => {
                let i = self.pattern(inner);
                quote!(Ok(#i))
            }
            Pattern::Err(inner) => {
                let i = self.pattern(inner);
                quote!(Err(#i))
            }
        }
    }
}
