//! Built-in functions and the methods of the built-in types.

use super::aliasing::ArgumentForm;
use super::expr::{atom, tighten_unary, untyped_numbers, Lowered, Prec, Want};
use super::Lowerer;
use crate::ir::{Builtin, BuiltinMethod as M, Expr, ExprKind as K, Repr, Ty};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

impl Lowerer<'_> {
    #[allow(clippy::too_many_lines)]
    pub(super) fn builtin(
        &mut self,
        builtin: Builtin,
        args: &[Expr],
        ty: &Ty,
        want: Want,
    ) -> Lowered {
        let owned = |this: &mut Self, i: usize| this.expr(&args[i], Want::Owned).tokens;
        match builtin {
            Builtin::RunEveryCycle(partition) => self.run_every_cycle(partition, args),
            Builtin::MailboxOn(partition) => self.mailbox_on(partition, args),
            Builtin::PartitionMetrics => self.partition_metrics(),
            Builtin::PrintLine => {
                if args.len() == 1
                    && matches!(&args[0].kind, K::Template { template } if template.is_empty())
                {
                    return atom(quote!(println!()));
                }
                atom(self.formatted("println", args))
            }
            Builtin::Print => atom(self.formatted("print", args)),
            Builtin::PrintErrorLine => atom(self.formatted("eprintln", args)),
            Builtin::Format => {
                if !matches!(
                    args.first(),
                    Some(Expr {
                        kind: K::Template { .. },
                        ..
                    })
                ) {
                    let string = self.lib("String");
                    return atom(quote!(#string::new()));
                }
                // Text that is all literals is a literal, owned only where
                // it must be (clippy: cmp_owned); as `reads_as_str_slice`
                // says, before the next rule.
                if want != Want::Owned {
                    if let Some(text) = self.literal_format(args) {
                        let lit = Literal::string(&text);
                        return atom(quote!(#lit));
                    }
                }
                // `format("{}", text)` is the text itself (clippy: useless_format).
                if let Some(text) = super::expr::formatted_text(args) {
                    return self.expr(text, want);
                }
                let f = self.formatted("format", args);
                // Arguments evaluated first make a block, which an operand
                // or receiver must parenthesise.
                let prec = if super::expr::is_braced(&f) {
                    Prec::Range
                } else {
                    Prec::Postfix
                };
                self.borrowed_if_wanted(Lowered { tokens: f, prec }, ty, want)
            }
            Builtin::Panic => atom(self.formatted("panic", args)),
            Builtin::Assert => {
                let c = tighten_unary(self.expr(&args[0], Want::Deref).tokens);
                atom(quote!(assert!(#c)))
            }
            Builtin::AssertEqual => {
                let (l, r) = if args[0].ty.is_copy() {
                    let both_untyped = untyped_numbers(&args[1]);
                    let l = if both_untyped {
                        self.typed_expr(&args[0], Want::Deref)
                    } else {
                        self.expr(&args[0], Want::Deref)
                    };
                    (l.tokens, self.expr(&args[1], Want::Deref).tokens)
                } else if super::map_order::shows_map_order(&args[0].ty) {
                    // The message on failure shows both in key order.
                    (self.sorted_view_of(&args[0]), self.sorted_view_of(&args[1]))
                } else {
                    let (l, r) = self.equality_operands(&args[0], &args[1], false);
                    (l.tokens, r.tokens)
                };
                let args = tighten_unary(quote!(#l, #r));
                atom(quote!(assert_eq!(#args)))
            }
            Builtin::ListOf => {
                // A borrowed list of one value held elsewhere views that
                // value, uncopied (clippy: cloned_ref_to_slice_refs).
                if let [only] = args {
                    // (Not a string, which may be a `&str` view, a list read
                    // as a slice, nor a shared value or `Cow`, whose
                    // reference is not the value's.)
                    let plain = match only.kind {
                        K::Local { id, .. } => match self.local_repr(id) {
                            Repr::Value => true,
                            Repr::MutRef => only.ty != Ty::Str,
                            Repr::Ref => !matches!(only.ty, Ty::List(_) | Ty::Str),
                            _ => false,
                        },
                        // A field or element is the value itself; a string
                        // constant is a `&str`.
                        K::Field { .. } | K::Index { .. } => true,
                        _ => false,
                    };
                    if want == Want::Borrow
                        && !only.ty.is_copy()
                        && plain
                        && (crate::check::is_place_expr(only)
                            || matches!(only.kind, K::Field { .. }))
                    {
                        let std = self.lib("std");
                        let value = self.expr(only, Want::Borrow).tokens;
                        return atom(quote!(#std::slice::from_ref(#value)));
                    }
                }
                if want == Want::Borrow && !args.is_empty() {
                    // A borrowed literal list is a slice: no allocation.
                    let items: Vec<TokenStream> = (0..args.len()).map(|i| owned(self, i)).collect();
                    return Lowered {
                        tokens: quote!(&[#(#items),*]),
                        prec: Prec::Unary,
                    };
                }
                if args.is_empty() {
                    let vec = self.lib("Vec");
                    return self.owned_result(quote!(#vec::new()), ty, want);
                }
                let items: Vec<TokenStream> = (0..args.len()).map(|i| owned(self, i)).collect();
                let items = tighten_unary(quote!(#(#items),*));
                self.owned_result(quote!(vec![#items]), ty, want)
            }
            // No copies: the value is still evaluated (clippy:
            // zero_repeat_side_effects).
            Builtin::ListOfCopies if matches!(args[1].kind, K::Int(0)) => {
                let value = self.expr(&args[0], Want::Owned).tokens;
                let element = self.rust_type(&args[0].ty);
                let vec = self.lib("Vec");
                let empty = quote!(#vec::<#element>::new());
                let tokens = if matches!(
                    args[0].kind,
                    K::Int(_) | K::Float(_) | K::Bool(_) | K::Str(_)
                ) {
                    empty
                } else {
                    // A block: an operand of anything needs it in
                    // parentheses (at the start of a statement, `{ … } !=
                    // x` would end at the brace).
                    let block = quote!({
                        let _ = #value;
                        #empty
                    });
                    return match want {
                        Want::Borrow => self.owned_result(block, ty, want),
                        _ => Lowered {
                            tokens: block,
                            prec: Prec::Range,
                        },
                    };
                };
                self.owned_result(tokens, ty, want)
            }
            Builtin::ListOfCopies => {
                // Its first number carries its type (`vec![1e3; n]` alone
                // leaves `{float}` to rustc).
                let value = self.typed_expr(&args[0], Want::Owned).tokens;
                // Converted at run time even when written as a literal: a
                // list rustc sees as of constant length is one clippy wants
                // as an array wherever it is only read (useless_vec); a
                // binding only read is one (see `read_only_array`).
                let n = self.typed_expr(&args[1], Want::Deref).tokens;
                let usize = self.lib("usize");
                let count = quote!(#usize::try_from(#n).expect("the count of `list_of_copies` must not be negative"));
                self.owned_result(quote!(vec![#value; #count]), ty, want)
            }
            Builtin::MapOf => {
                self.uses.hash_map = true;
                let map = self.lib("HashMap");
                self.owned_result(quote!(#map::new()), ty, want)
            }
            // Only a partly lowered program with errors has other arities.
            Builtin::Range | Builtin::RangeInclusive if args.len() != 2 => atom(quote!(())),
            Builtin::Range | Builtin::RangeInclusive => {
                let a = if untyped_numbers(&args[1]) {
                    self.typed_expr(&args[0], Want::Deref)
                } else {
                    self.expr(&args[0], Want::Deref)
                }
                .at(Prec::Or);
                let b = self.expr(&args[1], Want::Deref).at(Prec::Or);
                let tokens = if builtin == Builtin::Range {
                    quote!(#a..#b)
                } else {
                    quote!(#a..=#b)
                };
                Lowered {
                    tokens,
                    prec: Prec::Range,
                }
            }
            Builtin::Some => {
                let v = owned(self, 0);
                let v = self.boxed_if_recursive(v, ty);
                self.owned_result(quote!(Some(#v)), ty, want)
            }
            Builtin::None => self.owned_result(quote!(None), ty, want),
            Builtin::Ok => {
                let v = owned(self, 0);
                self.owned_result(quote!(Ok(#v)), ty, want)
            }
            Builtin::Err => {
                let v = owned(self, 0);
                self.owned_result(quote!(Err(#v)), ty, want)
            }
            Builtin::Method(m) => {
                if let Some(copy) = self.receiver_copied_first(m, args) {
                    // `xs.get(xs.pop())`: the receiver is the list as it
                    // was, taken before the argument changes it.
                    self.receiver_copies.push((&args[0] as *const Expr, copy.0));
                    let call =
                        self.with_receiver_pinned(args, |this| this.method(m, args, ty, want));
                    self.receiver_copies.pop();
                    let value = call.tokens;
                    return self.after(vec![copy.1], value);
                }
                self.with_receiver_pinned(args, |this| this.method(m, args, ty, want))
            }
        }
    }

    /// A key or element argument passed by reference (`&k`, `"literal"`).
    pub(super) fn by_reference(&mut self, e: &Expr) -> TokenStream {
        match &e.kind {
            K::Str(_) => self.expr(e, Want::Read).tokens,
            _ if e.ty == Ty::Str => self.str_view(e),
            // A binding that is a reference already is passed as it is, not
            // as `&*x` (clippy: borrow_deref_ref).
            K::Local { id, .. } if e.ty.is_copy() && self.local_repr(*id) == Repr::Ref => {
                self.expr(e, Want::Read).tokens
            }
            _ if e.ty.is_copy() => {
                let t = self.expr(e, Want::Deref).at(Prec::Unary);
                quote!(&#t)
            }
            _ => self.expr(e, Want::Borrow).tokens,
        }
    }

    #[allow(clippy::too_many_lines)]
    pub(super) fn method(&mut self, m: M, args: &[Expr], ty: &Ty, want: Want) -> Lowered {
        let receiver_ty = args[0].ty.clone();
        // A receiver copied first (see `receiver_copied_first`) is read
        // from its copy, not evaluated again.
        let copied_first = self
            .receiver_copies
            .iter()
            .any(|(at, _)| std::ptr::eq(*at, &args[0]));
        // A test whose answer does not depend on the element type
        // (`Ok(3).is_ok()`) leaves rustc nothing to infer that type from:
        // the receiver says it. Other results may be typed by where they go.
        let answer_says_nothing = matches!(
            m,
            M::IsSome | M::IsNone | M::IsOk | M::IsErr | M::Length | M::IsEmpty
        );
        let receiver = move |this: &mut Self, want: Want| {
            if answer_says_nothing {
                this.self_typed(&args[0], want)
            } else {
                this.typed_expr(&args[0], want)
            }
        };
        let read = |this: &mut Self| match super::expr::literal_list(&args[0]) {
            // A literal list that is only read is an array (clippy: useless_vec).
            Some(items) if !copied_first => this.array_literal(items),
            _ => receiver(this, Want::Read).at(Prec::Postfix),
        };
        let value = |this: &mut Self| receiver(this, Want::Deref).at(Prec::Postfix);
        let element_copy = matches!(&receiver_ty, Ty::List(t) | Ty::Map(_, t) if t.is_copy());
        let cloned = if element_copy {
            quote!(copied)
        } else {
            quote!(cloned)
        };
        let tokens = match m {
            M::Length => {
                // The length of a `split` or `lines` result counts the
                // pieces without building the list.
                let pieces = matches!(
                    args[0].kind,
                    K::Builtin {
                        builtin: Builtin::Method(M::Split | M::Lines),
                        ..
                    }
                );
                if let Some(lazy) = pieces.then(|| self.lazy_iterator(&args[0])).flatten() {
                    return Lowered {
                        tokens: quote!(#lazy.count() as i64),
                        prec: Prec::Cast,
                    };
                }
                let r = read(self);
                return Lowered {
                    tokens: quote!(#r.len() as i64),
                    prec: Prec::Cast,
                };
            }
            M::IsEmpty => {
                let r = read(self);
                quote!(#r.is_empty())
            }
            M::Contains if receiver_ty == Ty::Str => {
                let r = read(self);
                let a = self.pattern_arg(&args[1]);
                quote!(#r.contains(#a))
            }
            M::Contains => {
                let r = read(self);
                let simple = matches!(args[1].kind, K::Local { .. } | K::Str(_) | K::Const(_));
                if args[1].ty == Ty::Str && !simple {
                    // Evaluated once, not once per item; after the list,
                    // which is evaluated first (it may call something).
                    let a = self.expr(&args[1], Want::Owned).tokens;
                    // (Only a list that calls something can show the order.)
                    let effects = super::source_lints::calls_something(&args[0])
                        || self.mutates_something(&args[0]);
                    let tokens = if copied_first || !effects {
                        quote!({
                            let __wanted = #a;
                            #r.contains(&__wanted)
                        })
                    } else {
                        quote!({
                            let __list = &#r;
                            let __wanted = #a;
                            __list.contains(&__wanted)
                        })
                    };
                    return Lowered {
                        tokens,
                        prec: Prec::Range,
                    };
                }
                if args[1].ty == Ty::Str {
                    let a = self.str_view(&args[1]);
                    quote!(#r.iter().any(|__item| __item == #a))
                } else {
                    let a = self.by_reference(&args[1]);
                    quote!(#r.contains(#a))
                }
            }
            M::StartsWith | M::EndsWith => {
                let r = read(self);
                let a = self.pattern_arg(&args[1]);
                if m == M::StartsWith {
                    quote!(#r.starts_with(#a))
                } else {
                    quote!(#r.ends_with(#a))
                }
            }
            M::ToUpper => {
                let r = read(self);
                quote!(#r.to_uppercase())
            }
            M::ToLower => {
                let r = read(self);
                quote!(#r.to_lowercase())
            }
            M::Trim => {
                let r = read(self);
                if want != Want::Owned {
                    // Only read: the trimmed `&str` view needs no new string.
                    return atom(quote!(#r.trim()));
                }
                quote!(#r.trim().to_string())
            }
            M::Substring => {
                let r = read(self);
                let (start, end) = (self.index(&args[1]), self.index(&args[2]));
                let view = quote!(#r.get(#start..#end).expect("the positions of `substring` are out of range or inside a character"));
                if want != Want::Owned {
                    // Only read: the `&str` view needs no new string.
                    return atom(view);
                }
                quote!(#view.to_string())
            }
            M::Find => {
                let r = read(self);
                let part = self.pattern_arg(&args[1]);
                quote!(#r.find(#part).map(|position| position as i64))
            }
            M::Chars => {
                let r = read(self);
                let (string, vec) = (self.lib("String"), self.lib("Vec"));
                quote!(#r.chars().map(#string::from).collect::<#vec<_>>())
            }
            M::SplitFirst => {
                let r = read(self);
                let separator = self.pattern_arg(&args[1]);
                let (str, vec) = (self.lib("str"), self.lib("Vec"));
                quote!(#r.splitn(2, #separator).map(#str::to_string).collect::<#vec<_>>())
            }
            // The appended text is viewed during the call: any read of the
            // receiver in it (`text.append(text)`) is copied first.
            M::Append
                if super::aliasing::base_local(&args[0])
                    .is_some_and(|base| super::aliasing::mentions(&args[1], base)) =>
            {
                // `text.append(text)`: the argument is copied first.
                let call = self.method_after_arguments(
                    &args[0],
                    quote!(push_str),
                    &[(&args[1], ArgumentForm::Key)],
                );
                return self.borrowed_if_wanted(call, ty, want);
            }
            M::Append => {
                let r = self.mutable_receiver(&args[0]);
                let text = self.str_argument(&args[1]);
                // One character is pushed as one (clippy: single_char_add_str).
                if let Some(c) = single_character_literal(&text) {
                    return self.owned_result(quote!(#r.push(#c)), ty, want);
                }
                quote!(#r.push_str(#text))
            }
            M::Split => {
                let r = read(self);
                let a = self.pattern_arg(&args[1]);
                let (str, vec) = (self.lib("str"), self.lib("Vec"));
                quote!(#r.split(#a).map(#str::to_string).collect::<#vec<_>>())
            }
            M::Lines => {
                let r = read(self);
                let (str, vec) = (self.lib("str"), self.lib("Vec"));
                quote!(#r.lines().map(#str::to_string).collect::<#vec<_>>())
            }
            M::Replace => {
                let r = read(self);
                // `text.replace(text, f(text))` with `f` changing `text`:
                // what is looked for is taken first, as the reference
                // evaluates it, and the borrow ends before the change.
                let mut read_by_pattern = Vec::new();
                crate::ir::walk_expr(
                    &args[1],
                    &mut |e| {
                        if let K::Local { id, .. } = e.kind {
                            read_by_pattern.push(id);
                        }
                    },
                    &mut |_| {},
                );
                if read_by_pattern
                    .iter()
                    .any(|&id| self.expr_changes(&args[2], id))
                {
                    self.no_moves += 1;
                    let a = self.expr(&args[1], Want::Owned).tokens;
                    self.no_moves -= 1;
                    let b = self.expr(&args[2], Want::Owned).tokens;
                    return Lowered {
                        tokens: quote!({
                            let __argument_1 = #a;
                            let __argument_2 = #b;
                            #r.replace(__argument_1.as_str(), __argument_2.as_str())
                        }),
                        prec: Prec::Range,
                    };
                }
                let a = self.pattern_arg(&args[1]);
                let b = self.str_argument(&args[2]);
                quote!(#r.replace(#a, #b))
            }
            M::ParseInt => {
                let r = read(self);
                quote!(#r.parse::<i64>().map_err(|__error| __error.to_string()))
            }
            M::ParseFloat => {
                let r = read(self);
                quote!(#r.parse::<f64>().map_err(|__error| __error.to_string()))
            }
            // Read only, a string's copy is the string itself; a number's
            // or a boolean's text is still text (`{:?}` quotes it).
            M::ToText if want != Want::Owned && receiver_ty == Ty::Str => {
                // A borrow stays one (a moved local read is the `String`),
                // and so does a dereference (a shared string is an `Arc`).
                return self.expr(&args[0], want);
            }
            M::ToText => {
                let r = read(self);
                quote!(#r.to_string())
            }
            M::ToF64 | M::ToI64 => {
                // `list.length().to_f64()` is `list.len() as f64`, without
                // the round trip through i64.
                if let K::Builtin {
                    builtin: Builtin::Method(M::Length),
                    args: inner,
                } = &args[0].kind
                {
                    if m == M::ToF64 {
                        let r = self.expr(&inner[0], Want::Read).at(Prec::Postfix);
                        return Lowered {
                            tokens: quote!(#r.len() as f64),
                            prec: Prec::Cast,
                        };
                    }
                }
                if let (M::ToF64, K::Int(v)) = (m, &args[0].kind) {
                    // `3.to_f64()` is the literal `3.0`, typed where rustc
                    // needs it, and a negative one is a prefix expression.
                    let magnitude = (*v as f64).abs();
                    let lit = if std::mem::take(&mut self.suffix_next_number) {
                        format!("{}_f64", Literal::f64_unsuffixed(magnitude))
                            .parse()
                            .unwrap_or_else(|_| Literal::f64_suffixed(magnitude))
                    } else {
                        Literal::f64_unsuffixed(magnitude)
                    };
                    if *v < 0 {
                        return Lowered {
                            tokens: quote!(-#lit),
                            prec: Prec::Unary,
                        };
                    }
                    return atom(quote!(#lit));
                }
                // A cast says its type: the suffix is for the literal below.
                let suffix = std::mem::take(&mut self.suffix_next_number);
                let r = self.expr(&args[0], Want::Deref).at(Prec::Cast);
                // An integer literal reached through a block or a one-arm
                // match: `15.0`, not `15 as f64` (clippy: unnecessary_cast).
                if let (M::ToF64, Some(v)) = (m, single_integer_literal(&r)) {
                    // A negative one is a prefix expression: `(-39.0).abs()`.
                    let magnitude = (v as f64).abs();
                    let lit = if suffix {
                        format!("{}_f64", Literal::f64_unsuffixed(magnitude))
                            .parse()
                            .unwrap_or_else(|_| Literal::f64_suffixed(magnitude))
                    } else {
                        Literal::f64_unsuffixed(magnitude)
                    };
                    if v < 0 {
                        return Lowered {
                            tokens: quote!(-#lit),
                            prec: Prec::Unary,
                        };
                    }
                    return atom(quote!(#lit));
                }
                let t = if m == M::ToF64 {
                    quote!(f64)
                } else {
                    quote!(i64)
                };
                return Lowered {
                    tokens: quote!(#r as #t),
                    prec: Prec::Cast,
                };
            }
            M::Abs | M::Sqrt | M::Floor | M::Ceil | M::Round => {
                let r = value(self);
                let name = format_ident!("{}", format!("{m:?}").to_lowercase());
                quote!(#r.#name())
            }
            M::Min | M::Max | M::CheckedAdd | M::CheckedSub | M::CheckedMul | M::CheckedDiv => {
                let r = value(self);
                let a = self.expr(&args[1], Want::Deref).tokens;
                let name = match m {
                    M::Min => quote!(min),
                    M::Max => quote!(max),
                    M::CheckedAdd => quote!(checked_add),
                    M::CheckedSub => quote!(checked_sub),
                    M::CheckedMul => quote!(checked_mul),
                    _ => quote!(checked_div),
                };
                quote!(#r.#name(#a))
            }
            M::BitAnd | M::BitOr | M::BitXor => {
                // Operands that are operators themselves keep their
                // parentheses (clippy: precedence). Both stand where the
                // call stood: in a condition, a record literal in either
                // is parenthesised.
                let exterior = self.in_condition;
                let a = self.typed_expr(&args[0], Want::Deref).at(Prec::Cast);
                self.in_condition = exterior;
                let b = self.expr(&args[1], Want::Deref).at(Prec::Cast);
                let (tokens, prec) = match m {
                    M::BitAnd => (quote!(#a & #b), Prec::BitAnd),
                    M::BitOr => (quote!(#a | #b), Prec::BitOr),
                    _ => (quote!(#a ^ #b), Prec::BitXor),
                };
                return Lowered { tokens, prec };
            }
            M::BitNot => {
                let a = self.typed_expr(&args[0], Want::Deref).at(Prec::Unary);
                return Lowered {
                    tokens: quote!(!#a),
                    prec: Prec::Unary,
                };
            }
            M::ShiftLeft | M::ShiftRight => return self.shift(m, &args[0], &args[1]),
            M::Pow => {
                let r = value(self);
                let a = self.expr(&args[1], Want::Deref).tokens;
                let u32 = self.lib("u32");
                quote!(#r.pow(#u32::try_from(#a).expect("the exponent of `pow` must be between 0 and 4294967295")))
            }
            M::Push | M::Insert | M::Remove
                if self.receiver_read_by_arguments(&args[0], &args[1..]) =>
            {
                let is_map = matches!(receiver_ty, Ty::Map(..));
                let forms: Vec<(&Expr, ArgumentForm)> = match m {
                    M::Push => vec![(&args[1], ArgumentForm::Owned)],
                    M::Insert if is_map => vec![
                        (&args[1], ArgumentForm::Owned),
                        (&args[2], ArgumentForm::Owned),
                    ],
                    M::Insert => vec![
                        (&args[1], ArgumentForm::Index),
                        (&args[2], ArgumentForm::Owned),
                    ],
                    _ if is_map => vec![(&args[1], ArgumentForm::Key)],
                    _ => vec![(&args[1], ArgumentForm::Index)],
                };
                let name = match m {
                    M::Push => quote!(push),
                    M::Insert => quote!(insert),
                    _ => quote!(remove),
                };
                let call = self.method_after_arguments(&args[0], name, &forms);
                if m == M::Insert && is_map {
                    // The replaced value is not this expression's.
                    let t = call.tokens;
                    return atom(quote!({ #t; }));
                }
                return self.borrowed_if_wanted(call, ty, want);
            }
            M::Push => {
                let r = self.mutable_receiver(&args[0]);
                let a = self.expr(&args[1], Want::Owned).tokens;
                quote!(#r.push(#a))
            }
            M::Pop => {
                let r = self.mutable_receiver(&args[0]);
                self.boxed_element_option(quote!(#r.pop()), ty)
            }
            M::Get if matches!(receiver_ty, Ty::Map(..)) => {
                let r = read(self);
                let k = self.by_reference(&args[1]);
                self.boxed_element_option(quote!(#r.get(#k).#cloned()), ty)
            }
            M::Get => {
                let r = read(self);
                let got = if matches!(args[1].kind, K::Int(0)) {
                    // clippy: get_first.
                    quote!(#r.first().#cloned())
                } else {
                    let i = self.index(&args[1]);
                    quote!(#r.get(#i).#cloned())
                };
                self.boxed_element_option(got, ty)
            }
            M::First | M::Last => {
                let r = read(self);
                let name = if m == M::First {
                    quote!(first)
                } else {
                    quote!(last)
                };
                self.boxed_element_option(quote!(#r.#name().#cloned()), ty)
            }
            M::Sublist => {
                let r = read(self);
                return self.list_range_view(r, args, ty, want);
            }
            M::ReverseRange | M::RotateRange | M::FillRange | M::CopyRange => {
                return self.list_range(m, args);
            }
            M::SortBy | M::SortByKey => {
                let r = self.mutable_receiver(&args[0]);
                self.sort_by(m, r, args)
            }
            M::MinBy | M::MaxBy | M::MinByKey | M::MaxByKey => {
                let r = read(self);
                let found = self.min_max_by(m, r, args);
                self.boxed_element_option(found, ty)
            }
            M::Compare => return self.compare(args),
            M::OrderReverse | M::OrderThen => return self.ordering_method(m, args),
            M::Sort if matches!(&receiver_ty, Ty::List(t) if **t == Ty::F64) => {
                let r = self.mutable_receiver(&args[0]);
                let compare = self.compare_f64();
                quote!(#r.sort_by(|&left, &right| #compare(left, right)))
            }
            M::Sort | M::Reverse | M::Clear => {
                let r = self.mutable_receiver(&args[0]);
                let name = match m {
                    M::Sort => quote!(sort),
                    M::Reverse => quote!(reverse),
                    _ => quote!(clear),
                };
                quote!(#r.#name())
            }
            M::Join => {
                let r = read(self);
                let a = self.str_view(&args[1]);
                quote!(#r.join(#a))
            }
            M::Insert if matches!(receiver_ty, Ty::Map(..)) => {
                let r = self.mutable_receiver(&args[0]);
                let k = self.expr(&args[1], Want::Owned).tokens;
                let v = self.expr(&args[2], Want::Owned).tokens;
                return atom(quote!({ #r.insert(#k, #v); }));
            }
            M::Insert => {
                let r = self.mutable_receiver(&args[0]);
                let i = self.index(&args[1]);
                let v = self.expr(&args[2], Want::Owned).tokens;
                quote!(#r.insert(#i, #v))
            }
            M::Remove if matches!(receiver_ty, Ty::Map(..)) => {
                let r = self.mutable_receiver(&args[0]);
                let k = self.by_reference(&args[1]);
                self.boxed_element_option(quote!(#r.remove(#k)), ty)
            }
            M::Remove => {
                let r = self.mutable_receiver(&args[0]);
                let i = self.index(&args[1]);
                quote!(#r.remove(#i))
            }
            M::ContainsKey => {
                let r = read(self);
                let k = self.by_reference(&args[1]);
                quote!(#r.contains_key(#k))
            }
            M::Keys | M::Values => {
                // What the map is lowered as: `match 0 { _ => m }` is `m`.
                let temporary =
                    !crate::check::is_place_expr(super::source_lints::simplified(&args[0]));
                let r = read(self);
                let list = self.sorted_map_list(r, &receiver_ty, m == M::Keys, temporary);
                return match want {
                    Want::Borrow => Lowered {
                        tokens: {
                            let t = list.at(Prec::Unary);
                            quote!(&#t)
                        },
                        prec: Prec::Unary,
                    },
                    _ => list,
                };
            }
            M::IsSome | M::IsNone | M::IsOk | M::IsErr => {
                let r = read(self);
                let name = format_ident!(
                    "{}",
                    match m {
                        M::IsSome => "is_some",
                        M::IsNone => "is_none",
                        M::IsOk => "is_ok",
                        _ => "is_err",
                    }
                );
                quote!(#r.#name())
            }
            M::Unwrap | M::Expect
                if self.is_boxed_option(&args[0].ty)
                    && matches!(want, Want::Read | Want::Borrow)
                    && crate::check::is_place_expr(&args[0]) =>
            {
                // Only read: a view of the value in place, not a copy.
                let place = self.expr(&args[0], Want::Read).at(Prec::Postfix);
                let taken = if m == M::Unwrap {
                    quote!(#place.as_deref().unwrap())
                } else {
                    let msg = self.str_argument(&args[1]);
                    quote!(#place.as_deref().expect(#msg))
                };
                return atom(taken);
            }
            M::Unwrap | M::Expect | M::UnwrapOr if self.is_boxed_option(&args[0].ty) => {
                let r = self.expr(&args[0], Want::Owned).at(Prec::Postfix);
                let taken = match m {
                    M::Unwrap => quote!(#r.unwrap()),
                    M::Expect => {
                        let msg = self.str_argument(&args[1]);
                        quote!(#r.expect(#msg))
                    }
                    _ => {
                        let d = self.expr(&args[1], Want::Owned).tokens;
                        return self.owned_result(quote!(#r.map_or(#d, |boxed| *boxed)), ty, want);
                    }
                };
                return self.unboxed(taken, want);
            }
            M::Unwrap | M::Expect | M::UnwrapOr => {
                let r = self.expr(&args[0], Want::Owned).at(Prec::Postfix);
                match m {
                    M::Unwrap => quote!(#r.unwrap()),
                    M::Expect => {
                        let msg = self.str_argument(&args[1]);
                        quote!(#r.expect(#msg))
                    }
                    // An empty string, list or map is the type's default
                    // (clippy: unwrap_or_default).
                    _ if matches!(&args[1].kind, K::Str(text) if text.is_empty())
                        || matches!(&args[1].kind,
                            K::Builtin { builtin: Builtin::ListOf | Builtin::MapOf, args } if args.is_empty()) =>
                    {
                        quote!(#r.unwrap_or_default())
                    }
                    _ => {
                        let d = self.expr(&args[1], Want::Owned).tokens;
                        quote!(#r.unwrap_or(#d))
                    }
                }
            }
            M::JoinThread => {
                let r = self.expr(&args[0], Want::Owned).at(Prec::Postfix);
                quote!(#r.join().expect("the thread panicked"))
            }
            M::JoinTask => {
                let r = self.expr(&args[0], Want::Owned).at(Prec::Postfix);
                quote!(#r.join())
            }
            M::Send => {
                let r = self.expr(&args[0], Want::Read).at(Prec::Postfix);
                let message = self.expr(&args[1], Want::Owned).tokens;
                quote!(#r.send(#message))
            }
            M::Clone => return self.expr(&args[0], want),
        };
        self.owned_result(tokens, ty, want)
    }
}

/// `list_of_copies(v, n)` with a literal `n` of values Rust copies (what
/// clippy would write as an array): the value and the count.
pub(super) fn copies_of_literal_count(e: &Expr) -> Option<(&Expr, usize)> {
    match &e.kind {
        K::Builtin {
            builtin: Builtin::ListOfCopies,
            args,
        } if args.len() == 2 && super::types::rust_copy(&args[0].ty) => match args[1].kind {
            K::Int(n) => usize::try_from(n).ok().map(|n| (&args[0], n)),
            _ => None,
        },
        _ => None,
    }
}

/// The character of tokens that are one string literal of one character.
fn single_character_literal(tokens: &TokenStream) -> Option<Literal> {
    let mut trees = tokens.clone().into_iter();
    let (Some(proc_macro2::TokenTree::Literal(lit)), None) = (trees.next(), trees.next()) else {
        return None;
    };
    let text: String = syn::parse_str::<syn::LitStr>(&lit.to_string())
        .ok()?
        .value();
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(Literal::character(c)),
        _ => None,
    }
}

/// The value of tokens that are one integer literal (`15`, `15i64`).
fn single_integer_literal(tokens: &TokenStream) -> Option<i64> {
    let mut trees = tokens.clone().into_iter();
    match (trees.next(), trees.next()) {
        (Some(proc_macro2::TokenTree::Literal(lit)), None) => {
            let text = lit.to_string();
            text.trim_end_matches("i64").replace('_', "").parse().ok()
        }
        // `-44`: a minus and a literal.
        (
            Some(proc_macro2::TokenTree::Punct(minus)),
            Some(proc_macro2::TokenTree::Literal(lit)),
        ) if minus.as_char() == '-' && trees.next().is_none() => {
            let text = lit.to_string();
            text.trim_end_matches("i64")
                .replace('_', "")
                .parse::<i64>()
                .ok()
                .map(|v| -v)
        }
        _ => None,
    }
}

impl Lowerer<'_> {
    /// Whether a shift amount is known to be 0 to 63: a value known before
    /// the program runs, or one masked below 64 (`n.bit_and(63)`).
    pub(super) fn shift_amount_in_range(&self, amount: &Expr) -> bool {
        let in_range = |e: &Expr| {
            matches!(
                super::source_lints::known_integer(e, &self.program.constants),
                Some(0..=63)
            )
        };
        in_range(amount)
            || matches!(&amount.kind, K::Builtin {
                builtin: Builtin::Method(M::BitAnd),
                args,
            } if args.iter().any(in_range))
    }

    /// `shift_left` and `shift_right`: a literal amount of 0 to 63 is
    /// Rust's operator; any other amount follows the reference (64 or more
    /// shifts every bit out, a negative amount panics).
    fn shift(&mut self, m: M, value: &Expr, amount: &Expr) -> Lowered {
        let exterior = self.in_condition;
        let v = self.typed_expr(value, Want::Deref);
        // The amount, as an operand, stands where the call stood.
        self.in_condition = exterior;
        let known = super::source_lints::known_integer(amount, &self.program.constants);
        let literal = matches!(amount.kind, K::Int(_));
        if self.shift_amount_in_range(amount) {
            // Rust's operator. The shifted value is parenthesised after a
            // cast (`x as i64 << n` reads `i64<…` as type arguments); a
            // literal amount is the literal, any other the amount as
            // written (a constant stays used).
            let v = v.at(Prec::Unary);
            let n = match known {
                Some(n) if literal => {
                    let n = Literal::i64_unsuffixed(n);
                    quote!(#n)
                }
                _ => self.expr(amount, Want::Deref).at(Prec::Cast),
            };
            let tokens = if m == M::ShiftLeft {
                quote!(#v << #n)
            } else {
                quote!(#v >> #n)
            };
            return Lowered {
                tokens,
                prec: Prec::Shift,
            };
        }
        if let (Some(64..), false) = (known, literal) {
            let u32 = self.lib("u32");
            let n = self.expr(amount, Want::Deref).tokens;
            let amount = quote!(#u32::try_from(#n).unwrap_or(#u32::MAX));
            return if m == M::ShiftLeft {
                let v = v.at(Prec::Postfix);
                atom(quote!(#v.checked_shl(#amount).unwrap_or(0)))
            } else {
                let v = v.at(Prec::Unary);
                Lowered {
                    tokens: quote!(#v >> #amount.min(63)),
                    prec: Prec::Shift,
                }
            };
        }
        if let Some(64..) = known {
            // Every bit shifted out: 0, or -1 for a negative value.
            return if m == M::ShiftLeft {
                let v = v.at(Prec::Postfix);
                atom(quote!(#v.checked_shl(64).unwrap_or(0)))
            } else {
                let v = v.at(Prec::Unary);
                Lowered {
                    tokens: quote!(#v >> 63),
                    prec: Prec::Shift,
                }
            };
        }
        let u32 = self.lib("u32");
        let n = self.expr(amount, Want::Deref).at(Prec::Postfix);
        // A known negative amount needs no bound: it panics either way
        // (clippy: unnecessary_min_or_max on a known value).
        let n = if known.is_some() {
            n
        } else if m == M::ShiftLeft {
            quote!(#n.min(64))
        } else {
            quote!(#n.min(63))
        };
        if m == M::ShiftLeft {
            let v = v.at(Prec::Postfix);
            atom(
                quote!(#v.checked_shl(#u32::try_from(#n).expect("the amount of `shift_left` must not be negative")).unwrap_or(0)),
            )
        } else {
            let v = v.at(Prec::Unary);
            Lowered {
                tokens: quote!(#v >> #u32::try_from(#n).expect("the amount of `shift_right` must not be negative")),
                prec: Prec::Shift,
            }
        }
    }
}

impl Lowerer<'_> {
    /// The methods on a range `start … end - 1` of a list: a range out of
    /// the list's bounds (or `start > end`) panics with the method's name.
    /// `sublist(start, end)` of the list `r` reads: a slice where only
    /// viewed (clippy: unnecessary_to_owned), its copy otherwise.
    fn list_range_view(&mut self, r: TokenStream, args: &[Expr], ty: &Ty, want: Want) -> Lowered {
        let (start, end) = (self.index(&args[1]), self.index(&args[2]));
        let view = quote!(#r.get(#start..#end).expect("the range of `sublist` is out of bounds"));
        match want {
            Want::Read | Want::Borrow => atom(view),
            _ => self.owned_result(quote!(#view.to_vec()), ty, want),
        }
    }

    fn list_range(&mut self, m: M, args: &[Expr]) -> Lowered {
        let name = match m {
            M::ReverseRange => "reverse_range",
            M::RotateRange => "rotate_range",
            M::FillRange => "fill_range",
            _ => "copy_range",
        };
        let message = Literal::string(&format!("the range of `{name}` is out of bounds"));
        let (start, end) = (self.index(&args[1]), self.index(&args[2]));
        // The arguments are evaluated before the list is changed (they may
        // read it: `xs.fill_range(0, 2, xs[3])`).
        let r = self.mutable_receiver(&args[0]);
        let tokens = match m {
            M::ReverseRange => quote!({
                let (__start, __end) = (#start, #end);
                #r.get_mut(__start..__end).expect(#message).reverse();
            }),
            M::FillRange => {
                let value = self.expr(&args[3], Want::Owned).tokens;
                quote!({
                    let (__start, __end, __value) = (#start, #end, #value);
                    #r.get_mut(__start..__end).expect(#message).fill(__value);
                })
            }
            M::RotateRange => {
                // Left by `count`, taken modulo the range's length (a
                // negative count rotates right); the division only when
                // the count is not already in range.
                let count = self.expr(&args[3], Want::Deref).tokens;
                quote!({
                    let (__start, __end, __count): (usize, usize, i64) = (#start, #end, #count);
                    let __range = #r.get_mut(__start..__end).expect(#message);
                    let __length = __range.len() as i64;
                    if (0..__length).contains(&__count) {
                        __range.rotate_left(__count as usize);
                    } else if __length > 0 {
                        __range.rotate_left(__count.rem_euclid(__length) as usize);
                    }
                })
            }
            _ => {
                // The piece is copied out first: the places may overlap.
                let at = self.index(&args[3]);
                quote!({
                    let (__start, __end, __at) = (#start, #end, #at);
                    let __piece = #r.get(__start..__end).expect(#message).to_vec();
                    #r.get_mut(__at..__at + __piece.len()).expect(#message).clone_from_slice(&__piece);
                })
            }
        };
        Lowered {
            tokens,
            prec: Prec::Range,
        }
    }
}
