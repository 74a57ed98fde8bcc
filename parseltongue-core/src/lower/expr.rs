//! Lowering of statements and expressions. Every expression is lowered for
//! a [`Want`]: an owned value, a borrow, or a place to read from; that is
//! where borrows (`&x`), clones and dereferences (`*x`) are inserted. Each
//! lowered expression carries its Rust precedence, so parentheses appear
//! exactly where Rust needs them and nowhere else.

use super::order::Closure;
use super::Lowerer;
use crate::ir::{
    Block, Builtin, BuiltinMethod as M, Expr, ExprKind as K, FunctionKind, LocalId, Pattern, Repr,
    Ty, TypeDefKind,
};
use crate::syntax::ast::{ParamMode, UnaryOp};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// Rust operator precedence, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Prec {
    Range,
    Or,
    And,
    Compare,
    BitOr,
    BitXor,
    BitAnd,
    Shift,
    Add,
    Mul,
    Cast,
    Unary,
    Postfix,
}

/// What the context needs from an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Want {
    /// An owned value: moved if allowed, cloned otherwise; copies for `Copy` types.
    Owned,
    /// A shared borrow (`&T`, `&str`, `&[T]`), or the value for `Copy` types.
    Borrow,
    /// Something to call a method on, take a field of, or format: any
    /// auto-dereferencing form.
    Read,
    /// The value itself as a place (`*r` for references), for operators.
    Deref,
}

pub(super) struct Lowered {
    pub(super) tokens: TokenStream,
    pub(super) prec: Prec,
}

pub(super) fn atom(tokens: TokenStream) -> Lowered {
    Lowered {
        tokens,
        prec: Prec::Postfix,
    }
}

impl Lowered {
    /// The tokens, parenthesised if their precedence is below `min`.
    pub(super) fn at(self, min: Prec) -> TokenStream {
        if self.prec < min {
            let t = self.tokens;
            quote!((#t))
        } else {
            self.tokens
        }
    }
}

/// How an operand of `==` is represented, to pick a comparison that compiles.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Reference,
    Literal,
    Owned,
    Cow,
}

impl Lowerer<'_> {
    pub(super) fn constant_value(&mut self, e: &Expr) -> TokenStream {
        match &e.kind {
            K::Str(s) => {
                let lit = Literal::string(s);
                quote!(#lit)
            }
            _ => self.expr(e, Want::Deref).tokens,
        }
    }

    /// Applies `want` to a place expression `tokens` of type `ty` that is
    /// itself a value (not a reference).
    pub(super) fn place_for_want(&self, tokens: TokenStream, ty: &Ty, want: Want) -> Lowered {
        match want {
            Want::Owned if !super::types::rust_copy(ty) => Lowered {
                tokens: quote!(#tokens.clone()),
                prec: Prec::Postfix,
            },
            Want::Borrow if !ty.is_copy() => Lowered {
                tokens: quote!(&#tokens),
                prec: Prec::Unary,
            },
            _ => atom(tokens),
        }
    }

    pub(super) fn local(&self, id: usize, moved: bool, want: Want) -> Lowered {
        let moved = moved && self.no_moves == 0 && !self.pinned.contains(&id);
        let local = &self.locals[id];
        let name = self.local_ident(id);
        let copy = local.ty.is_copy();
        // Rust copies an `Option<i64>` too: owning one needs no `clone`.
        let owned_copy = super::types::rust_copy(&local.ty);
        let deref = || Lowered {
            tokens: quote!(*#name),
            prec: Prec::Unary,
        };
        match local.repr {
            Repr::Value => match want {
                // An array of copied values is copied itself.
                Want::Owned
                    if matches!(&local.ty, Ty::List(element) if element.is_copy())
                        && self.is_array_local(id) =>
                {
                    atom(quote!(#name))
                }
                Want::Owned if !owned_copy && !moved => atom(quote!(#name.clone())),
                Want::Borrow if !copy => Lowered {
                    tokens: quote!(&#name),
                    prec: Prec::Unary,
                },
                _ => atom(quote!(#name)),
            },
            Repr::Ref | Repr::MutRef => match want {
                Want::Owned if owned_copy => deref(),
                // `to_owned` turns `&str` into `String` and `&[T]` into `Vec<T>`.
                Want::Owned => atom(quote!(#name.to_owned())),
                Want::Borrow if copy => deref(),
                Want::Deref => deref(),
                _ => atom(quote!(#name)),
            },
            Repr::Cow => match want {
                Want::Owned if moved => atom(quote!(#name.into_owned())),
                Want::Owned => atom(quote!(#name.clone().into_owned())),
                Want::Borrow => Lowered {
                    tokens: quote!(&#name),
                    prec: Prec::Unary,
                },
                Want::Deref if local.ty != Ty::Str => deref(),
                _ => atom(quote!(#name)),
            },
            Repr::Arc | Repr::Guard => match want {
                Want::Owned if owned_copy => deref(),
                Want::Owned => atom(quote!((*#name).clone())),
                Want::Borrow if copy => deref(),
                Want::Borrow => Lowered {
                    tokens: quote!(&#name),
                    prec: Prec::Unary,
                },
                Want::Deref => deref(),
                Want::Read => atom(quote!(#name)),
            },
            Repr::ArcMutex => atom(quote!(#name)),
        }
    }

    /// An `if`/`while` condition, `match` scrutinee or `for` iterable: a
    /// record literal on its exterior is parenthesised.
    pub(super) fn condition(&mut self, e: &Expr, want: Want) -> Lowered {
        self.in_condition = true;
        self.conditions += 1;
        // Nothing around a condition fixes its type: `for x in match … {
        // … => [1.5] }` would leave `x` an ambiguous `{float}`.
        let lowered = self.typed_expr(e, want);
        self.conditions -= 1;
        self.in_condition = false;
        lowered
    }

    pub(super) fn expr(&mut self, e: &Expr, want: Want) -> Lowered {
        if let Some((_, copy)) = self
            .receiver_copies
            .iter()
            .find(|(at, _)| std::ptr::eq(*at, e))
        {
            let copy = copy.clone();
            return match want {
                Want::Borrow if !e.ty.is_copy() => Lowered {
                    tokens: quote!(&#copy),
                    prec: Prec::Unary,
                },
                _ => atom(copy),
            };
        }
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_inner(e, want))
    }

    #[allow(clippy::too_many_lines)]
    pub(super) fn expr_inner(&mut self, e: &Expr, want: Want) -> Lowered {
        // Only the exterior of a condition is restricted: the operand or
        // receiver lowered first takes the restriction on, nothing else.
        let exterior = std::mem::take(&mut self.in_condition);
        match &e.kind {
            K::Int(v) => {
                let suffix = std::mem::take(&mut self.suffix_next_number);
                let literal = |n: i64| {
                    if suffix {
                        Literal::i64_suffixed(n)
                    } else {
                        Literal::i64_unsuffixed(n)
                    }
                };
                if *v == i64::MIN {
                    atom(quote!(i64::MIN))
                } else if *v < 0 {
                    let lit = literal(-v);
                    Lowered {
                        tokens: quote!(-#lit),
                        prec: Prec::Unary,
                    }
                } else {
                    let lit = literal(*v);
                    atom(quote!(#lit))
                }
            }
            K::Float(v) => {
                if v.is_nan() {
                    atom(quote!(f64::NAN))
                } else if v.is_infinite() {
                    atom(quote!(f64::INFINITY))
                } else if std::mem::take(&mut self.suffix_next_number) {
                    let lit: Literal = format!("{}_f64", float_literal(*v))
                        .parse()
                        .unwrap_or_else(|_| Literal::f64_suffixed(*v));
                    atom(quote!(#lit))
                } else {
                    let lit = float_literal(*v);
                    atom(quote!(#lit))
                }
            }
            K::Str(s) => {
                let lit = Literal::string(s);
                match want {
                    Want::Owned if s.is_empty() => {
                        let string = self.lib("String");
                        atom(quote!(#string::new()))
                    }
                    Want::Owned => {
                        let string = self.lib("String");
                        atom(quote!(#string::from(#lit)))
                    }
                    _ => atom(quote!(#lit)),
                }
            }
            K::Bool(b) => atom(if *b { quote!(true) } else { quote!(false) }),
            K::Ordering(o) => atom(self.ordering_value(*o)),
            K::FunctionArgument { .. } => atom(self.function_argument(e, Closure::Slice)),
            K::Local { id, moved } => self.local(*id, *moved, want),
            K::Const(id) => {
                let c = &self.program.constants[*id];
                let name = format_ident!("{}", c.name.as_str());
                let path = if c.module == self.module {
                    quote!(#name)
                } else {
                    let m = format_ident!("{}", self.program.modules[c.module].name.as_str());
                    quote!(#m::#name)
                };
                match (&c.ty, want) {
                    (Ty::Str, Want::Owned) => atom(quote!(#path.to_string())),
                    _ => atom(path),
                }
            }
            K::Call { function, args } => {
                let f = &self.program.functions[*function];
                let path = self.function_path(*function);
                let modes: Vec<ParamMode> = f.params.iter().map(|p| p.mode).collect();
                let outer = self.typed_arguments;
                self.typed_arguments = matches!(f.kind, FunctionKind::Rust { .. });
                let (lets, args) = self.call_arguments(args, &modes, None);
                self.typed_arguments = outer;
                let call = self.after(lets, quote!(#path(#(#args),*)));
                self.borrowed_if_wanted(call, &e.ty, want)
            }
            K::MethodCall {
                function,
                receiver,
                args,
            } => {
                let f = &self.program.functions[*function];
                let name = format_ident!("{}", f.name.as_str());
                let params = f.params.clone();
                let mode = match f.kind {
                    FunctionKind::Method {
                        receiver: Some(mode),
                        ..
                    } => mode,
                    _ => ParamMode::Read,
                };
                let modes: Vec<ParamMode> = params.iter().map(|p| p.mode).collect();
                let changed_receiver = (mode == ParamMode::Mutable)
                    .then(|| super::aliasing::base_local(receiver))
                    .flatten();
                self.in_condition = exterior;
                // `x.f(x)` with a `mutable` parameter: `self` is the value
                // as it was, taken before the argument is borrowed.
                // So is `x.f(x.g())` (or `x.clone().f(x.g())`) with `g`
                // changing `x`.
                let copied_receiver = mode == ParamMode::Read
                    && (args.iter().zip(&modes).any(|(a, m)| {
                        *m == ParamMode::Mutable
                            && super::aliasing::base_local(a)
                                .is_some_and(|base| super::aliasing::mentions(receiver, base))
                    }) || self.reads_what_arguments_change(receiver, args));
                let (receiver_lets, recv) = match mode {
                    ParamMode::Read if copied_receiver => {
                        self.no_moves += 1;
                        let value = self.expr(receiver, Want::Owned).tokens;
                        self.no_moves -= 1;
                        (vec![quote!(let __receiver = #value;)], quote!(__receiver))
                    }
                    ParamMode::Read => (
                        Vec::new(),
                        self.expr(receiver, Want::Read).at(Prec::Postfix),
                    ),
                    ParamMode::Mutable => self.place_with_indices_first(
                        receiver,
                        super::aliasing::index_reads_base(receiver),
                        Self::mutable_receiver,
                    ),
                    ParamMode::Owned => (
                        Vec::new(),
                        self.expr(receiver, Want::Owned).at(Prec::Postfix),
                    ),
                };
                // A receiver read by `self` stays borrowed during the call.
                let depth = self.pinned.len();
                if let Some(base) = super::aliasing::base_local(receiver) {
                    if mode == ParamMode::Read
                        && args.iter().any(|a| super::aliasing::mentions(a, base))
                    {
                        self.pinned.push(base);
                    }
                }
                let (lets, args) = self.call_arguments(args, &modes, changed_receiver);
                self.pinned.truncate(depth);
                let lets = receiver_lets.into_iter().chain(lets).collect();
                let call = if SHADOWED_BY_TRAITS.contains(&f.name.as_str()) {
                    // `x.into()` would find `Into::into` before the record's
                    // own `into`: the method is named by its type.
                    let FunctionKind::Method { of, .. } = f.kind else {
                        return atom(quote!(()));
                    };
                    let ty = self.type_path(of);
                    let recv = match mode {
                        ParamMode::Read if copied_receiver => quote!(&__receiver),
                        ParamMode::Read => self.expr(receiver, Want::Borrow).tokens,
                        ParamMode::Mutable => self.mutable_argument(receiver),
                        ParamMode::Owned => self.expr(receiver, Want::Owned).tokens,
                    };
                    self.after(lets, quote!(#ty::#name(#recv #(, #args)*)))
                } else {
                    self.after(lets, quote!(#recv.#name(#(#args),*)))
                };
                self.borrowed_if_wanted(call, &e.ty, want)
            }
            K::Variant { ty, index, args } => {
                let path = self.type_path(*ty);
                let TypeDefKind::Enum(variants) = &self.program.types[*ty].kind else {
                    return atom(quote!(()));
                };
                let variant = format_ident!("{}", variants[*index].0.as_str());
                let value = if args.is_empty() {
                    quote!(#path::#variant)
                } else {
                    let args: Vec<TokenStream> = args
                        .iter()
                        .map(|a| self.expr(a, Want::Owned).tokens)
                        .collect();
                    quote!(#path::#variant(#(#args),*))
                };
                self.owned_result(value, &e.ty, want)
            }
            K::Record { ty, fields } => {
                let path = self.type_path(*ty);
                let TypeDefKind::Record(declared) = &self.program.types[*ty].kind else {
                    return atom(quote!(()));
                };
                let names: Vec<&str> = declared.iter().map(|(n, _)| n.as_str()).collect();
                let inits: Vec<TokenStream> = fields
                    .iter()
                    .map(|(position, v)| {
                        let value = self.expr(v, Want::Owned).tokens;
                        let n = names.get(*position).copied().unwrap_or("_");
                        let field = format_ident!("{}", n);
                        if value.to_string() == *n {
                            quote!(#field)
                        } else {
                            quote!(#field: #value)
                        }
                    })
                    .collect();
                let literal = if exterior {
                    // `if Point { … }.x > 0 {` would read `{` as the block.
                    quote!((#path { #(#inits),* }))
                } else {
                    quote!(#path { #(#inits),* })
                };
                self.owned_result(literal, &e.ty, want)
            }
            K::Field { base, index } => {
                self.in_condition = exterior;
                let b = self.expr(base, Want::Read).at(Prec::Postfix);
                // Deeper inside a condition, rustc's parser still refuses
                // `Point { … }.x` in places (after a macro call in a block's
                // value); on the exterior the literal has its parentheses.
                let b = if !exterior && self.conditions > 0 && matches!(base.kind, K::Record { .. })
                {
                    quote!((#b))
                } else {
                    b
                };
                let f = self.field_ident(&base.ty, *index);
                self.place_for_want(quote!(#b.#f), &e.ty, want)
            }
            K::Index { base, index } => {
                self.in_condition = exterior;
                let b = self.expr(base, Want::Read).at(Prec::Postfix);
                let i = self.index(index);
                if self.is_static_text(base) {
                    // A `&'static str`: taken as a literal is.
                    return if want == Want::Owned {
                        atom(quote!(#b[#i].to_string()))
                    } else {
                        atom(quote!(#b[#i]))
                    };
                }
                self.place_for_want(quote!(#b[#i]), &e.ty, want)
            }
            K::Unary { op, operand } => {
                self.in_condition = exterior;
                let mut o = self.expr(operand, Want::Deref).at(Prec::Unary);
                if starts_with_same_prefix(&o, *op) {
                    // `--x` is a double negation to rustc, `!!b` to clippy.
                    o = quote!((#o));
                }
                let tokens = match op {
                    UnaryOp::Negate => quote!(-#o),
                    UnaryOp::Not => quote!(!#o),
                };
                Lowered {
                    tokens,
                    prec: Prec::Unary,
                }
            }
            K::Binary { first, rest } => self.binary(first, rest, exterior),
            K::Propagate(inner) => {
                // `Ok(2.5)?` leaves rustc to infer the error type and the
                // float's width, which it cannot: the constructor is named
                // through its type. Its arguments are in parentheses, so
                // a condition's rules stop there.
                let i = match constructor(inner) {
                    Some((variant, args, constructed)) => {
                        let ty = self.rust_type(constructed);
                        let variant = format_ident!("{variant:?}");
                        let args: Vec<TokenStream> = args
                            .iter()
                            .map(|a| {
                                let v = self.expr(a, Want::Owned).tokens;
                                self.boxed_if_recursive(v, constructed)
                            })
                            .collect();
                        if args.is_empty() {
                            quote!(<#ty>::#variant)
                        } else {
                            quote!(<#ty>::#variant(#(#args),*))
                        }
                    }
                    None => {
                        self.in_condition = exterior;
                        // `if c { Some(0.0) } else { None }?` is typed by
                        // its first number's suffix, as elsewhere.
                        self.typed_expr(inner, Want::Owned).at(Prec::Postfix)
                    }
                };
                if self.is_boxed_option(&inner.ty) {
                    return self.unboxed(quote!(#i?), want);
                }
                self.owned_result(quote!(#i?), &e.ty, want)
            }
            K::If {
                branches,
                otherwise,
            } => {
                let tokens = self.if_chain(branches, otherwise.as_deref());
                let value = Lowered {
                    tokens,
                    prec: Prec::Range,
                };
                self.borrowed_if_wanted(value, &e.ty, want)
            }
            K::Match { scrutinee, arms } => {
                // A match that lowers to one arm's value stands where it stood.
                self.in_condition = exterior;
                // `match 0 { _ => v }` is `v`, as wanted where it stands
                // (borrowed, a `list_of(…)` arm is a slice; read, a string
                // literal arm is a `&str`).
                if let Some(body) = one_arm_on_literal(e) {
                    return self.expr(body, want);
                }
                // `match v { x => x }` is `v`, as wanted where it stands.
                if let Some(value) = matched_value(e) {
                    return self.expr(value, want);
                }
                let value = self.match_expr(scrutinee, arms, &e.ty);
                self.borrowed_if_wanted(value, &e.ty, want)
            }
            // A block used as an operand or receiver is parenthesised: at
            // the start of a statement or `match` arm it would end there.
            K::Block(b) => {
                // `{ let_var x: T = v; x }` is `v`, typed.
                let single_let = (b.stmts.len() == 1)
                    .then(|| super::stmt::returned_binding(b, self.locals))
                    .flatten();
                if let Some((local, value)) = single_let {
                    // The value stands where the block stood.
                    self.in_condition = exterior;
                    // Borrowed, a literal list is a slice, and a variable
                    // (of the binding's type already) is borrowed itself.
                    let variable = matches!(value.kind, K::Local { .. } | K::Const(_))
                        || (value.ty == Ty::Str && self.reads_as_str_slice(value));
                    if want == Want::Borrow && (literal_list(value).is_some() || variable) {
                        return self.expr(value, want);
                    }
                    let ty = self.locals[local].ty.clone();
                    // Only read, the value need not be owned (clippy: cmp_owned).
                    let inner = if matches!(want, Want::Read | Want::Deref) {
                        want
                    } else {
                        Want::Owned
                    };
                    if inner == Want::Owned
                        && want == Want::Borrow
                        && matches!(
                            value.kind,
                            K::Builtin {
                                builtin: Builtin::Method(crate::ir::BuiltinMethod::Sublist),
                                ..
                            }
                        )
                    {
                        // The binding's copy of a range, borrowed where the
                        // block stood: the copy is the binding's (clippy
                        // sees one it could avoid: unnecessary_to_owned).
                        self.chosen_lints.insert("clippy::unnecessary_to_owned");
                    }
                    let value = self.typed_value(value, &ty, inner);
                    return if inner == Want::Owned {
                        self.borrowed_if_wanted(value, &e.ty, want)
                    } else {
                        value
                    };
                }
                let block = match (&b.tail, b.stmts.is_empty()) {
                    // `{ v }` is `v` (rustc: unused_braces).
                    (Some(tail), true) => {
                        self.in_condition = exterior;
                        return self.expr(tail, want);
                    }
                    _ => Lowered {
                        tokens: self.block(b),
                        prec: Prec::Range,
                    },
                };
                self.borrowed_if_wanted(block, &e.ty, want)
            }
            K::WithLock {
                shared,
                guard,
                body,
            } => {
                let shared_name = self.local_ident(*shared);
                let guard_name = self.local_ident(*guard);
                let inner = self.block_inner(body, false);
                let mutability = if self.locals[*guard].mutated {
                    quote!(mut)
                } else {
                    quote!()
                };
                let value = Lowered {
                    tokens: quote!({
                        let #mutability #guard_name = #shared_name.lock().expect("a thread panicked while holding this lock");
                        #inner
                    }),
                    prec: Prec::Range,
                };
                self.borrowed_if_wanted(value, &e.ty, want)
            }
            K::WithEntry {
                map,
                key,
                default,
                value,
                body,
            } => {
                let value = self.with_entry(map, key, default, *value, body);
                self.borrowed_if_wanted(value, &e.ty, want)
            }
            K::SpawnThread { on, captures, body } => {
                let clones: Vec<TokenStream> = captures
                    .iter()
                    .map(|c| {
                        let n = self.local_ident(*c);
                        if matches!(self.locals[*c].ty, Ty::Mailbox(_)) {
                            return quote!(let #n = #n.clone(););
                        }
                        self.uses.arc = true;
                        let arc = self.lib("Arc");
                        quote!(let #n = #arc::clone(&#n);)
                    })
                    .collect();
                let b = self.block(body);
                if let Some(partition) = on {
                    return self.spawn_on(*partition, clones, b);
                }
                if clones.is_empty() {
                    let std = self.lib("std");
                    atom(quote!(#std::thread::spawn(move || #b)))
                } else {
                    Lowered {
                        tokens: {
                            let std = self.lib("std");
                            quote!({ #(#clones)* #std::thread::spawn(move || #b) })
                        },
                        prec: Prec::Range,
                    }
                }
            }
            K::Builtin { builtin, args } => {
                // A method's receiver is lowered first, and `format("{}",
                // text)` is lowered as its text, where the format stood.
                self.in_condition = exterior
                    && (matches!(builtin, Builtin::Method(_))
                        || (*builtin == Builtin::Format && formatted_text(args).is_some()));
                let lowered = self.builtin(*builtin, args, &e.ty, want);
                self.in_condition = false;
                lowered
            }
            K::Template { template } => {
                let lit = Literal::string(template);
                atom(quote!(#lit))
            }
            K::Error => atom(quote!(())),
        }
    }

    /// `if … else if … else …`. A condition that is a block with
    /// statements is first bound to `__condition` (clippy:
    /// blocks_in_conditions); later conditions are still evaluated only
    /// when the earlier ones were false.
    fn if_chain(&mut self, branches: &[(Expr, Block)], otherwise: Option<&Block>) -> TokenStream {
        let Some(((condition, body), later)) = branches.split_first() else {
            return otherwise.map(|b| self.block(b)).unwrap_or_default();
        };
        let suffix = std::mem::take(&mut self.suffix_next_number);
        let c = self.condition(condition, Want::Deref).tokens;
        self.suffix_next_number = suffix;
        let hoisted = is_braced(&c);
        let b = self.block(body);
        let rest = if later.is_empty() {
            otherwise.map(|o| {
                let o = self.block(o);
                quote!(else #o)
            })
        } else {
            let next = self.if_chain(later, otherwise);
            Some(quote!(else #next))
        };
        if hoisted {
            quote!({
                let __condition = #c;
                if __condition #b #rest
            })
        } else {
            quote!(if #c #b #rest)
        }
    }

    /// `[a, b, …]`: a literal list that is only read or walked. Its first
    /// number carries its type when nothing else shows it.
    pub(super) fn array_literal(&mut self, items: &[Expr]) -> TokenStream {
        let untyped = items.iter().all(untyped_numbers);
        let items: Vec<TokenStream> = items
            .iter()
            .enumerate()
            .map(|(i, a)| {
                if i == 0 && untyped {
                    self.typed_expr(a, Want::Owned).tokens
                } else {
                    self.expr(a, Want::Owned).tokens
                }
            })
            .collect();
        let items = tighten_unary(quote!(#(#items),*));
        quote!([#items])
    }

    /// A value that is owned (a block's, an `if`'s, a `match`'s), borrowed
    /// with `&(…)` where a borrow is wanted.
    pub(super) fn borrowed_if_wanted(&self, value: Lowered, ty: &Ty, want: Want) -> Lowered {
        match want {
            Want::Borrow if !ty.is_copy() => {
                let tokens = value.at(Prec::Unary);
                Lowered {
                    tokens: quote!(&#tokens),
                    prec: Prec::Unary,
                }
            }
            _ => value,
        }
    }

    /// A temporary value: already owned; borrowed with `&` if needed.
    pub(super) fn owned_result(&self, tokens: TokenStream, ty: &Ty, want: Want) -> Lowered {
        match want {
            Want::Borrow if !ty.is_copy() => Lowered {
                tokens: quote!(&#tokens),
                prec: Prec::Unary,
            },
            _ => atom(tokens),
        }
    }

    /// Lowers `e` where nothing around it fixes its type: if it is made of
    /// integer literals only, the first one gets an `_i64` suffix so rustc
    /// does not fall back to `i32`.
    pub(super) fn typed_expr(&mut self, e: &Expr, want: Want) -> Lowered {
        if untyped_numbers(e) {
            self.suffix_next_number = true;
        }
        let lowered = self.expr(e, want);
        self.suffix_next_number = false;
        lowered
    }

    /// True if evaluating `e` may change a variable: a mutating built-in
    /// method, or a call that takes something `mutable`.
    pub(super) fn mutates_something(&self, e: &Expr) -> bool {
        let found = std::cell::Cell::new(false);
        crate::ir::walk_expr(
            e,
            &mut |e| {
                let mutates = match &e.kind {
                    K::Builtin {
                        builtin: Builtin::Method(m),
                        ..
                    } => m.changes_receiver(),
                    K::Call { function, .. } | K::MethodCall { function, .. } => {
                        let f = &self.program.functions[*function];
                        f.params.iter().any(|p| p.mode == ParamMode::Mutable)
                            || matches!(
                                f.kind,
                                FunctionKind::Method {
                                    receiver: Some(ParamMode::Mutable),
                                    ..
                                }
                            )
                    }
                    _ => false,
                };
                found.set(found.get() || mutates);
            },
            &mut |_| {},
        );
        found.get()
    }

    /// Whether `e` is a local lowered as an array of `&'static str`.
    pub(super) fn is_static_text(&self, e: &Expr) -> bool {
        matches!(e.kind, K::Local { id, .. } if self.static_text.contains(&id))
    }

    pub(super) fn function_path(&mut self, id: usize) -> TokenStream {
        let f = &self.program.functions[id];
        let name = format_ident!("{}", f.name.as_str());
        match &f.kind {
            FunctionKind::Rust { path } => self.library.rust_path(path),
            FunctionKind::Method { of, .. } => {
                let t = self.type_path(*of);
                quote!(#t::#name)
            }
            _ if f.module == self.module => quote!(#name),
            _ => {
                let m = format_ident!("{}", self.program.modules[f.module].name.as_str());
                quote!(#m::#name)
            }
        }
    }

    pub(super) fn argument(&mut self, arg: &Expr, mode: ParamMode) -> TokenStream {
        // An argument's own calls are not the Rust function's; one number
        // that says its type is enough for rustc.
        let typed = std::mem::take(&mut self.typed_arguments);
        let tokens = match mode {
            ParamMode::Read if typed && untyped_numbers(arg) => {
                self.typed_expr(arg, Want::Borrow).tokens
            }
            ParamMode::Read => self.expr(arg, Want::Borrow).tokens,
            ParamMode::Mutable => self.mutable_argument(arg),
            ParamMode::Owned if typed && untyped_numbers(arg) => {
                self.typed_expr(arg, Want::Owned).tokens
            }
            ParamMode::Owned => self.expr(arg, Want::Owned).tokens,
        };
        self.typed_arguments = typed && !untyped_numbers(arg);
        tokens
    }
}

/// Marks prefix operators (`&x`, `-1`, `!done`, `*r`) as joint with what
/// follows. Inside macro calls prettyplease prints tokens as they are, and
/// would otherwise write `& x`.
pub(super) fn tighten_unary(tokens: TokenStream) -> TokenStream {
    use proc_macro2::{Group, Punct, Spacing, TokenTree};
    let mut out = Vec::new();
    let mut previous_is_operand = false;
    for tree in tokens {
        let tree = match tree {
            TokenTree::Punct(p)
                if matches!(p.as_char(), '&' | '-' | '!' | '*') && !previous_is_operand =>
            {
                let mut joint = Punct::new(p.as_char(), Spacing::Joint);
                joint.set_span(p.span());
                previous_is_operand = false;
                TokenTree::Punct(joint)
            }
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), tighten_unary(g.stream()));
                group.set_span(g.span());
                previous_is_operand = true;
                TokenTree::Group(group)
            }
            other => {
                previous_is_operand = !matches!(other, TokenTree::Punct(_));
                other
            }
        };
        out.push(tree);
    }
    out.into_iter().collect()
}

/// True if `e`'s numeric type is known only from its literals, so rustc
/// would fall back to `i32` (or fail to pick a float type for a method).
pub(super) fn untyped_numbers(e: &Expr) -> bool {
    match &e.kind {
        K::Int(_) | K::Float(_) => true,
        K::Unary { operand, .. } => untyped_numbers(operand),
        K::Binary { first, rest } => {
            !rest[0].0.is_comparison()
                && untyped_numbers(first)
                && rest.iter().all(|(_, r)| untyped_numbers(r))
        }
        K::Builtin {
            builtin: Builtin::ListOf,
            args,
        } => !args.is_empty() && args.iter().all(untyped_numbers),
        K::Builtin {
            builtin: Builtin::Some | Builtin::Ok,
            args,
        } => args.iter().all(untyped_numbers),
        // A method of a literal's type gives that type back (or an option
        // of it): `Some(2).unwrap_or(3)`, `7.abs()`, `2.5.max(1.0)`.
        K::Builtin {
            builtin:
                Builtin::Method(
                    M::Abs
                    | M::Min
                    | M::Max
                    | M::Sqrt
                    | M::Floor
                    | M::Ceil
                    | M::Round
                    | M::Clone
                    | M::UnwrapOr
                    | M::Unwrap
                    | M::CheckedAdd
                    | M::CheckedSub
                    | M::CheckedMul
                    | M::CheckedDiv,
                ),
            args,
        } => args.iter().all(untyped_numbers),
        K::Builtin {
            builtin: Builtin::Method(M::Pow | M::Expect | M::First | M::Last | M::Get),
            args,
        } => untyped_numbers(&args[0]),
        // `3.to_f64()` is lowered to the literal `3.0` (also through a
        // block or match that gives the literal).
        K::Builtin {
            builtin: Builtin::Method(M::ToF64),
            args,
        } => untyped_numbers(&args[0]),
        K::If {
            branches,
            otherwise,
        } => {
            // A branch of no type of its own (`None`, `list_of()`, a
            // panic) takes the others'.
            let typeless = |b: &Block| {
                b.tail.as_deref().is_some_and(|t| {
                    t.ty == Ty::Never
                        || matches!(&t.kind, K::Builtin { builtin: Builtin::None, .. })
                        || matches!(&t.kind, K::Builtin { builtin: Builtin::ListOf, args } if args.is_empty())
                })
            };
            let blocks: Vec<&Block> = branches
                .iter()
                .map(|(_, b)| b)
                .chain(otherwise.as_deref())
                .collect();
            otherwise.is_some()
                && blocks.iter().any(|b| block_untyped(b))
                && blocks.iter().all(|b| block_untyped(b) || typeless(b))
        }
        // What the match is lowered as, when it is one value.
        K::Match { .. } if matched_value(e).or_else(|| one_arm_on_literal(e)).is_some() => {
            matched_value(e)
                .or_else(|| one_arm_on_literal(e))
                .is_some_and(untyped_numbers)
        }
        // An arm that gives back the whole scrutinee, bound, is as untyped
        // as the scrutinee: `match 1e-7 { x => x }`.
        K::Match { scrutinee, arms } => {
            let untyped = |(pattern, body): &(Pattern, Expr)| {
                untyped_numbers(body)
                    || matches!((pattern, &body.kind),
                        (Pattern::Binding(bound), K::Local { id, .. }) if bound == id)
                        && untyped_numbers(scrutinee)
            };
            // An arm of no type of its own (`None`, `list_of()`, a panic)
            // takes the others'.
            let typeless = |(_, body): &(Pattern, Expr)| {
                body.ty == Ty::Never
                    || matches!(
                        &body.kind,
                        K::Builtin {
                            builtin: Builtin::None,
                            ..
                        }
                    )
                    || matches!(&body.kind, K::Builtin { builtin: Builtin::ListOf, args } if args.is_empty())
            };
            arms.iter().any(untyped) && arms.iter().all(|arm| untyped(arm) || typeless(arm))
        }
        K::Block(b) => block_untyped(b),
        _ => false,
    }
}

/// A float literal as written by a person: scientific notation for very
/// large or very small magnitudes instead of hundreds of digits.
pub(super) fn float_literal(v: f64) -> Literal {
    let magnitude = v.abs();
    if magnitude != 0.0 && !(1e-5..1e16).contains(&magnitude) {
        let text = format!("{v:e}");
        let text = if text.contains('.') || text.contains('e') {
            text
        } else {
            format!("{text}.0")
        };
        text.parse::<Literal>()
            .unwrap_or_else(|_| Literal::f64_unsuffixed(v))
    } else {
        Literal::f64_unsuffixed(v)
    }
}

pub(super) fn block_untyped(block: &Block) -> bool {
    match (block.stmts.as_slice(), block.tail.as_deref()) {
        // `{ let_var x: i64 = 6; x }` is lowered to its value alone (see
        // `stmt::returned_binding`), which no longer says `i64`.
        ([crate::ir::Stmt::Let { local, value, .. }], Some(tail)) if matches!(tail.kind, K::Local { id, .. } if id == *local) => {
            untyped_numbers(value)
        }
        (_, tail) => tail.is_some_and(untyped_numbers),
    }
}

/// Whether a value leaves part of its type unsaid (`list_of()`, `None`,
/// `Ok(1)`, `Some(None)`, `list_of(None)`): a binding of it is annotated.
pub(super) fn is_empty_container(e: &Expr) -> bool {
    match &e.kind {
        K::Builtin {
            builtin: Builtin::ListOf,
            args,
        } => args.iter().all(is_empty_container),
        K::Builtin {
            builtin: Builtin::MapOf | Builtin::None | Builtin::Ok | Builtin::Err,
            ..
        } => true,
        K::Builtin {
            builtin: Builtin::Some,
            args,
        } => args.iter().all(is_empty_container),
        _ => false,
    }
}

/// Methods every record and enum has through a trait (derived, or a blanket
/// implementation) that method-call syntax may pick over a method of the
/// same name the program declares.
const SHADOWED_BY_TRAITS: &[&str] = &[
    "clone",
    "clone_from",
    "into",
    "try_into",
    "eq",
    "ne",
    "fmt",
    "to_owned",
    "clone_into",
    "borrow",
    "borrow_mut",
    "type_id",
    // Traits of the smart pointers a receiver may sit behind (a lock
    // guard, a shared value, a `let_cow_var`): `guard.drop()` would be
    // the guard's own.
    "drop",
    "deref",
    "deref_mut",
    "as_ref",
    "as_mut",
    "lock",
];

/// Whether `tokens` start with the prefix operator `op` itself.
fn starts_with_same_prefix(tokens: &TokenStream, op: UnaryOp) -> bool {
    let sign = match op {
        UnaryOp::Negate => '-',
        UnaryOp::Not => '!',
    };
    matches!(
        tokens.clone().into_iter().next(),
        Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == sign
    )
}

/// Whether lowered tokens are one block (`{ … }`): as an `if` condition or
/// `match` scrutinee, clippy asks to bind it first (blocks_in_conditions).
pub(super) fn is_braced(tokens: &TokenStream) -> bool {
    let mut trees = tokens.clone().into_iter();
    matches!(
        (trees.next(), trees.next()),
        (Some(proc_macro2::TokenTree::Group(g)), None) if g.delimiter() == proc_macro2::Delimiter::Brace
    )
}

/// The items of a literal list (`list_of(a, b)`, or a copy of one), which
/// an array serves where the list is only read (clippy: useless_vec).
/// `Some(…)`, `None`, `Ok(…)` or `Err(…)`, seen through `.clone()` and
/// blocks of one value: the variant, its arguments and its type.
fn constructor(e: &Expr) -> Option<(Builtin, &[Expr], &Ty)> {
    match &e.kind {
        K::Builtin {
            builtin: variant @ (Builtin::Some | Builtin::None | Builtin::Ok | Builtin::Err),
            args,
        } => Some((*variant, args, &e.ty)),
        K::Builtin {
            builtin: Builtin::Method(M::Clone),
            args,
        } => constructor(&args[0]),
        K::Block(b) if b.stmts.is_empty() => b.tail.as_deref().and_then(constructor),
        _ => None,
    }
}

pub(super) fn literal_list(e: &Expr) -> Option<&[Expr]> {
    match &e.kind {
        K::Builtin {
            builtin: Builtin::ListOf,
            args,
        } if !args.is_empty() => Some(args),
        K::Builtin {
            builtin: Builtin::Method(M::Clone),
            args,
        } => literal_list(&args[0]),
        K::Block(b) if b.stmts.is_empty() => b.tail.as_deref().and_then(literal_list),
        // `{ let_var xs: list<i64> = list_of(0); xs }` is that list.
        K::Block(b) => match (b.stmts.as_slice(), b.tail.as_deref()) {
            ([crate::ir::Stmt::Let { local, value, .. }], Some(tail)) if matches!(tail.kind, K::Local { id, .. } if id == *local) => {
                literal_list(value)
            }
            _ => None,
        },
        K::Match { .. } => matched_value(e)
            .or_else(|| one_arm_on_literal(e))
            .and_then(literal_list),
        _ => None,
    }
}

/// The scrutinee of `match v { x => x }`, which the lowering writes in
/// place of the `match`.
pub(super) fn matched_value(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        K::Match { scrutinee, arms } => match arms.as_slice() {
            [(Pattern::Binding(bound), body)] if is_local(body, *bound) => Some(scrutinee),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `e` is lowered as just `local`: the local itself, a copy of it,
/// a block of only it, or a one-arm `match` on a literal whose arm is it.
fn is_local(e: &Expr, local: LocalId) -> bool {
    // `source_lints::simplified` is what the lowering writes for `e`.
    matches!(super::source_lints::simplified(e).kind, K::Local { id, .. } if id == local)
}

/// `text`, when the arguments of a `format` are `("{}", text)` for a
/// string `text`: the lowering writes the text in place of the call.
pub(super) fn formatted_text(format_args: &[Expr]) -> Option<&Expr> {
    match format_args {
        [template, text]
            if text.ty == Ty::Str
                && matches!(&template.kind, K::Template { template } if template == "{}") =>
        {
            Some(text)
        }
        _ => None,
    }
}

/// The arm of a `match` on a literal whose one arm takes anything, which
/// the lowering writes in place of the `match`.
pub(super) fn one_arm_on_literal(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        K::Match { scrutinee, arms }
            if arms.len() == 1
                && matches!(arms[0].0, Pattern::Wildcard)
                && matches!(
                    scrutinee.kind,
                    K::Int(_) | K::Float(_) | K::Bool(_) | K::Str(_)
                ) =>
        {
            Some(&arms[0].1)
        }
        _ => None,
    }
}
