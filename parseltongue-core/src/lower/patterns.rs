//! `match` and its patterns.

use super::expr::{atom, Lowered, Prec, Want};
use super::Lowerer;
use crate::ir::{Expr, ExprKind as K, Pattern, Ty, TypeDefKind};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

impl Lowerer<'_> {
    pub(super) fn match_expr(
        &mut self,
        scrutinee: &Expr,
        arms: &[(Pattern, Expr)],
        ty: &Ty,
    ) -> Lowered {
        self.in_condition = true;
        let s = if scrutinee.ty == Ty::Str {
            self.str_view(scrutinee)
        } else if scrutinee.ty.is_copy() {
            self.typed_expr(scrutinee, Want::Deref).tokens
        } else if super::super::check::is_place_expr(scrutinee) {
            self.expr(scrutinee, Want::Borrow).tokens
        } else {
            self.expr(scrutinee, Want::Owned).tokens
        };
        self.in_condition = false;
        // clippy prefers `matches!` for a match that only yields booleans.
        if *ty == Ty::Bool && arms.len() == 2 {
            if let (K::Bool(true), K::Bool(false), Pattern::Wildcard) =
                (&arms[0].1.kind, &arms[1].1.kind, &arms[1].0)
            {
                let p = self.pattern(&arms[0].0);
                return atom(quote!(matches!(#s, #p)));
            }
        }
        let arms: Vec<TokenStream> = arms
            .iter()
            .map(|(p, body)| {
                let p = self.pattern(p);
                let want = if body.ty == Ty::Unit || body.ty == Ty::Never {
                    Want::Read
                } else {
                    Want::Owned
                };
                let b = self.expr(body, want).tokens;
                quote!(#p => #b,)
            })
            .collect();
        Lowered {
            tokens: quote!(match #s { #(#arms)* }),
            prec: Prec::Range,
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
