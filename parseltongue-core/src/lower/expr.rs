//! Lowering of statements and expressions. Every expression is lowered for
//! a [`Want`]: an owned value, a borrow, or a place to read from; that is
//! where borrows (`&x`), clones and dereferences (`*x`) are inserted. Each
//! lowered expression carries its Rust precedence, so parentheses appear
//! exactly where Rust needs them and nowhere else.

use super::Lowerer;
use crate::ir::{
    Block, Builtin, BuiltinMethod as M, Expr, ExprKind as K, FunctionKind, Pattern, Repr, Stmt, Ty,
    TypeDefKind,
};
use crate::syntax::ast::{BinaryOp, ParamMode, UnaryOp};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// Rust operator precedence, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Prec {
    Range,
    Or,
    And,
    Compare,
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
    tokens: TokenStream,
    prec: Prec,
}

fn atom(tokens: TokenStream) -> Lowered {
    Lowered {
        tokens,
        prec: Prec::Postfix,
    }
}

impl Lowered {
    /// The tokens, parenthesised if their precedence is below `min`.
    fn at(self, min: Prec) -> TokenStream {
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
enum Side {
    Reference,
    Literal,
    Owned,
    Cow,
}

impl Lowerer<'_> {
    pub(super) fn function_body(&mut self, block: &Block) -> TokenStream {
        // A trailing `return x;` is written as the tail expression (and a
        // trailing `return;` dropped), as idiomatic Rust and clippy expect.
        if block.tail.is_none() {
            if let Some((Stmt::Return(value), init)) = block.stmts.split_last() {
                let stmts: Vec<TokenStream> = init.iter().map(|s| self.marked_stmt(s)).collect();
                let tail = value.as_ref().map(|e| {
                    let mark = self.marks.mark(e.span);
                    let value = self.expr(e, Want::Owned).tokens;
                    quote!(#mark #value)
                });
                return quote!({ #(#stmts)* #tail });
            }
        }
        // A function body always spans lines, so its value can be marked
        // even when it is all the body has.
        let inner = self.block_inner(block, true);
        quote!({ #inner })
    }

    pub(super) fn block(&mut self, block: &Block) -> TokenStream {
        let inner = self.block_inner(block, false);
        quote!({ #inner })
    }

    fn block_inner(&mut self, block: &Block, multiline: bool) -> TokenStream {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            let stmts: Vec<TokenStream> = block.stmts.iter().map(|s| self.marked_stmt(s)).collect();
            // A block that is only a value may print on one line
            // (`if c { 1 } else { 2 }`); a mark would break it open.
            let tail_mark = multiline || !block.stmts.is_empty();
            let tail = block.tail.as_ref().map(|t| {
                let mark = tail_mark.then(|| self.marks.mark(t.span));
                let value = if t.ty == Ty::Unit || t.ty == Ty::Never {
                    self.expr(t, Want::Read).tokens
                } else {
                    self.expr(t, Want::Owned).tokens
                };
                quote!(#mark #value)
            });
            quote!(#(#stmts)* #tail)
        })
    }

    /// A statement preceded by the mark of the `.pt` span it came from.
    fn marked_stmt(&mut self, stmt: &Stmt) -> TokenStream {
        let span = match stmt {
            Stmt::Let { span, .. } => Some(*span),
            Stmt::Assign { target, value, .. } => Some(target.span.to(value.span)),
            Stmt::Expr(e) | Stmt::Return(Some(e)) => Some(e.span),
            Stmt::While { condition, .. } => Some(condition.span),
            Stmt::For { iterable, .. } => Some(iterable.span),
            Stmt::Return(None) | Stmt::Break | Stmt::Continue | Stmt::Loop(_) => None,
        };
        let mark = span.map(|span| self.marks.mark(span));
        let stmt = self.stmt(stmt);
        quote!(#mark #stmt)
    }

    fn stmt(&mut self, stmt: &Stmt) -> TokenStream {
        match stmt {
            Stmt::Let { local, value, .. } => self.let_stmt(*local, value),
            Stmt::Assign { target, op, value } => self.assign(target, *op, value),
            Stmt::Expr(Expr {
                kind:
                    K::Builtin {
                        builtin: Builtin::Method(M::Insert),
                        args,
                    },
                ..
            }) if matches!(args[0].ty, Ty::Map(..)) => {
                // As a statement the replaced value is simply dropped.
                let r = self.mutable_receiver(&args[0]);
                let k = self.expr(&args[1], Want::Owned).tokens;
                let v = self.expr(&args[2], Want::Owned).tokens;
                quote!(#r.insert(#k, #v);)
            }
            Stmt::Expr(e) => {
                let block_like = matches!(
                    e.kind,
                    K::If { .. } | K::Match { .. } | K::Block(_) | K::WithLock { .. }
                );
                if matches!(e.ty, Ty::Unit | Ty::Never | Ty::Error) {
                    let t = self.expr(e, Want::Read).tokens;
                    if block_like {
                        t
                    } else {
                        quote!(#t;)
                    }
                } else {
                    let t = self.expr(e, Want::Owned).tokens;
                    quote!(let _ = #t;)
                }
            }
            Stmt::Return(None) => quote!(return;),
            Stmt::Return(Some(e)) => {
                let t = self.expr(e, Want::Owned).tokens;
                quote!(return #t;)
            }
            Stmt::Break => quote!(break;),
            Stmt::Continue => quote!(continue;),
            Stmt::While { condition, body } => {
                let c = self.expr(condition, Want::Deref).tokens;
                let b = self.block(body);
                if c.to_string() == "true" {
                    quote!(loop #b)
                } else {
                    quote!(while #c #b)
                }
            }
            Stmt::Loop(body) => {
                let b = self.block(body);
                quote!(loop #b)
            }
            Stmt::For {
                local,
                iterable,
                body,
            } => {
                let name = self.local_ident(*local);
                let b = self.block(body);
                match &iterable.ty {
                    Ty::Range => {
                        let range = self.expr(iterable, Want::Owned).tokens;
                        quote!(for #name in #range #b)
                    }
                    Ty::List(t) => {
                        let consumed = self.locals[*local].repr == Repr::Value && !t.is_copy();
                        if let K::Builtin {
                            builtin: Builtin::ListOf,
                            args,
                        } = &iterable.kind
                        {
                            // A literal list that is only iterated is an array.
                            let items: Vec<TokenStream> = args
                                .iter()
                                .map(|a| self.expr(a, Want::Owned).tokens)
                                .collect();
                            quote!(for #name in [#(#items),*] #b)
                        } else if let Some(lazy) = self.lazy_iterator(iterable) {
                            if t.is_copy() {
                                quote!(for &#name in #lazy #b)
                            } else {
                                quote!(for #name in #lazy #b)
                            }
                        } else if consumed || !super::super::check::is_place_expr(iterable) {
                            let it = self.expr(iterable, Want::Owned).at(Prec::Postfix);
                            quote!(for #name in #it #b)
                        } else {
                            let it = match iterable.kind {
                                K::Local { id, .. }
                                    if matches!(
                                        self.local_repr(id),
                                        Repr::Arc | Repr::Guard | Repr::Cow
                                    ) =>
                                {
                                    let n = self.local_ident(id);
                                    quote!(#n.iter())
                                }
                                _ => self.borrow_place(iterable),
                            };
                            if t.is_copy() {
                                quote!(for &#name in #it #b)
                            } else {
                                quote!(for #name in #it #b)
                            }
                        }
                    }
                    _ => quote!(),
                }
            }
        }
    }

    fn let_stmt(&mut self, local: usize, value: &Expr) -> TokenStream {
        let l = &self.locals[local];
        let name = self.local_ident(local);
        let repr = l.repr;
        let ty = l.ty.clone();
        let mutable = l.mutated && matches!(repr, Repr::Value | Repr::Cow);
        let mutability = if mutable { quote!(mut) } else { quote!() };
        match repr {
            Repr::Cow => {
                let annotation = self.local_type(&ty, repr);
                let init = if super::super::check::is_place_expr(value) {
                    let b = self.expr(value, Want::Borrow).tokens;
                    quote!(Cow::Borrowed(#b))
                } else {
                    let v = self.expr(value, Want::Owned).tokens;
                    quote!(Cow::Owned(#v))
                };
                quote!(let #mutability #name: #annotation = #init;)
            }
            Repr::Arc => {
                self.uses.arc = true;
                let v = self.typed_expr(value, Want::Owned).tokens;
                quote!(let #name = Arc::new(#v);)
            }
            Repr::ArcMutex => {
                self.uses.arc = true;
                self.uses.mutex = true;
                let v = self.typed_expr(value, Want::Owned).tokens;
                quote!(let #name = Arc::new(Mutex::new(#v));)
            }
            _ => {
                if let K::Builtin {
                    builtin: Builtin::ListOf,
                    args,
                } = &value.kind
                {
                    let only_read = self.body.is_some_and(|b| {
                        super::used_only_as_slice(b, local, args.len(), self.program)
                    });
                    if !args.is_empty() && only_read {
                        let items: Vec<TokenStream> = args
                            .iter()
                            .map(|a| self.expr(a, Want::Owned).tokens)
                            .collect();
                        let items = tighten_unary(quote!(#(#items),*));
                        let annotation = if untyped_numbers(value) {
                            let element = match &ty {
                                Ty::List(t) => self.rust_type(t),
                                _ => quote!(i64),
                            };
                            let n = Literal::usize_unsuffixed(args.len());
                            quote!(: [#element; #n])
                        } else {
                            quote!()
                        };
                        return quote!(let #mutability #name #annotation = [#items];);
                    }
                }
                let v = self.expr(value, Want::Owned).tokens;
                if super::types::needs_annotation(&ty, is_empty_container(value))
                    || untyped_numbers(value)
                {
                    let t = self.rust_type(&ty);
                    quote!(let #mutability #name: #t = #v;)
                } else {
                    quote!(let #mutability #name = #v;)
                }
            }
        }
    }

    fn assign(&mut self, target: &Expr, op: Option<BinaryOp>, value: &Expr) -> TokenStream {
        // `x = x + y` is written `x += y`.
        let (op, value) = match (op, &value.kind) {
            (None, K::Binary { first, rest })
                if rest.len() == 1
                    && !rest[0].0.is_comparison()
                    && !rest[0].0.is_logical()
                    && same_place(first, target) =>
            {
                (Some(rest[0].0), &rest[0].1)
            }
            _ => (op, value),
        };
        if let K::Local { id, .. } = target.kind {
            if self.local_repr(id) == Repr::Cow && op.is_none() {
                let name = self.local_ident(id);
                let v = self.expr(value, Want::Owned).tokens;
                return quote!(#name = Cow::Owned(#v););
            }
        }
        let place = self.mutable_place(target);
        match op {
            None => {
                let v = self.expr(value, Want::Owned).tokens;
                quote!(#place = #v;)
            }
            Some(op) => {
                let v = self
                    .expr(value, Want::Deref)
                    .at(Prec::Postfix.min(Prec::Range));
                let op_tokens: TokenStream =
                    format!("{}=", op.as_str()).parse().unwrap_or_default();
                quote!(#place #op_tokens #v;)
            }
        }
    }

    /// A place that is written: `x`, `*r`, `x.to_mut().field`, `g.items[i]`.
    fn mutable_place(&mut self, target: &Expr) -> TokenStream {
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
                let i = self.index(index);
                quote!(#b[#i])
            }
            _ => self.expr(target, Want::Read).tokens,
        }
    }

    /// The base of a written field or element: auto-dereferencing forms.
    fn mutable_base(&mut self, base: &Expr) -> TokenStream {
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
    fn mutable_argument(&mut self, arg: &Expr) -> TokenStream {
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
    fn mutable_receiver(&mut self, arg: &Expr) -> TokenStream {
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
    fn lazy_iterator(&mut self, iterable: &Expr) -> Option<TokenStream> {
        let K::Builtin {
            builtin: Builtin::Method(m),
            args,
        } = &iterable.kind
        else {
            return None;
        };
        if !matches!(m, M::Split | M::Lines | M::Keys | M::Values) {
            return None;
        }
        let r = self.expr(&args[0], Want::Read).at(Prec::Postfix);
        Some(match m {
            M::Split => {
                let a = self.pattern_arg(&args[1]);
                quote!(#r.split(#a))
            }
            M::Lines => quote!(#r.lines()),
            M::Keys => quote!(#r.keys()),
            M::Values => quote!(#r.values()),
            _ => return None,
        })
    }

    /// A list position as `usize`. A negative `i64` becomes a huge `usize`,
    /// which is out of range: indexing panics and `get` returns `None`, as
    /// the reference documents.
    fn index(&mut self, e: &Expr) -> TokenStream {
        if let K::Int(v) = e.kind {
            if v >= 0 {
                let lit = Literal::i64_unsuffixed(v);
                return quote!(#lit);
            }
            // `-1 as usize` would make rustc read `1` as a `usize`.
            self.suffix_next_number = true;
        }
        let i = self.expr(e, Want::Deref).at(Prec::Cast);
        quote!(#i as usize)
    }

    fn borrow_place(&mut self, e: &Expr) -> TokenStream {
        self.expr(e, Want::Borrow).tokens
    }

    fn field_ident(&self, base_ty: &Ty, index: usize) -> proc_macro2::Ident {
        if let Ty::Named(id) = base_ty {
            if let TypeDefKind::Record(fields) = &self.program.types[*id].kind {
                if let Some((name, _)) = fields.get(index) {
                    return format_ident!("{}", name.as_str());
                }
            }
        }
        format_ident!("field{}", index)
    }

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
    fn place_for_want(&self, tokens: TokenStream, ty: &Ty, want: Want) -> Lowered {
        match want {
            Want::Owned if !ty.is_copy() => Lowered {
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

    fn local(&self, id: usize, moved: bool, want: Want) -> Lowered {
        let local = &self.locals[id];
        let name = self.local_ident(id);
        let copy = local.ty.is_copy();
        let deref = || Lowered {
            tokens: quote!(*#name),
            prec: Prec::Unary,
        };
        match local.repr {
            Repr::Value => match want {
                Want::Owned if !copy && !moved => atom(quote!(#name.clone())),
                Want::Borrow if !copy => Lowered {
                    tokens: quote!(&#name),
                    prec: Prec::Unary,
                },
                _ => atom(quote!(#name)),
            },
            Repr::Ref | Repr::MutRef => match want {
                Want::Owned if copy => deref(),
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
                Want::Owned if copy => deref(),
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

    pub(super) fn expr(&mut self, e: &Expr, want: Want) -> Lowered {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_inner(e, want))
    }

    #[allow(clippy::too_many_lines)]
    fn expr_inner(&mut self, e: &Expr, want: Want) -> Lowered {
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
                    Want::Owned if s.is_empty() => atom(quote!(String::new())),
                    Want::Owned => atom(quote!(String::from(#lit))),
                    _ => atom(quote!(#lit)),
                }
            }
            K::Bool(b) => atom(if *b { quote!(true) } else { quote!(false) }),
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
                let params = f.params.clone();
                let args: Vec<TokenStream> = args
                    .iter()
                    .zip(&params)
                    .map(|(a, p)| self.argument(a, p.mode))
                    .collect();
                self.owned_result(quote!(#path(#(#args),*)), &e.ty, want)
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
                let recv = match mode {
                    ParamMode::Read => self.expr(receiver, Want::Read).at(Prec::Postfix),
                    ParamMode::Mutable => self.mutable_receiver(receiver),
                    ParamMode::Owned => self.expr(receiver, Want::Owned).at(Prec::Postfix),
                };
                let args: Vec<TokenStream> = args
                    .iter()
                    .zip(&params)
                    .map(|(a, p)| self.argument(a, p.mode))
                    .collect();
                self.owned_result(quote!(#recv.#name(#(#args),*)), &e.ty, want)
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
                    .zip(&names)
                    .map(|(v, n)| {
                        let value = self.expr(v, Want::Owned).tokens;
                        let field = format_ident!("{}", n);
                        if value.to_string() == *n {
                            quote!(#field)
                        } else {
                            quote!(#field: #value)
                        }
                    })
                    .collect();
                self.owned_result(quote!(#path { #(#inits),* }), &e.ty, want)
            }
            K::Field { base, index } => {
                let b = self.expr(base, Want::Read).at(Prec::Postfix);
                let f = self.field_ident(&base.ty, *index);
                self.place_for_want(quote!(#b.#f), &e.ty, want)
            }
            K::Index { base, index } => {
                let b = self.expr(base, Want::Read).at(Prec::Postfix);
                let i = self.index(index);
                self.place_for_want(quote!(#b[#i]), &e.ty, want)
            }
            K::Unary { op, operand } => {
                let o = self.expr(operand, Want::Deref).at(Prec::Unary);
                let tokens = match op {
                    UnaryOp::Negate => quote!(-#o),
                    UnaryOp::Not => quote!(!#o),
                };
                Lowered {
                    tokens,
                    prec: Prec::Unary,
                }
            }
            K::Binary { first, rest } => self.binary(first, rest),
            K::Propagate(inner) => {
                let i = self.expr(inner, Want::Owned).at(Prec::Postfix);
                self.owned_result(quote!(#i?), &e.ty, want)
            }
            K::If {
                branches,
                otherwise,
            } => {
                let mut tokens = TokenStream::new();
                for (i, (c, b)) in branches.iter().enumerate() {
                    let c = self.expr(c, Want::Deref).tokens;
                    let b = self.block(b);
                    if i > 0 {
                        tokens.extend(quote!(else));
                    }
                    tokens.extend(quote!(if #c #b));
                }
                if let Some(b) = otherwise {
                    let b = self.block(b);
                    tokens.extend(quote!(else #b));
                }
                Lowered {
                    tokens,
                    prec: Prec::Range,
                }
            }
            K::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, &e.ty),
            K::Block(b) => atom(self.block(b)),
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
                atom(quote!({
                    let #mutability #guard_name = #shared_name.lock().expect("a thread panicked while holding this lock");
                    #inner
                }))
            }
            K::SpawnThread { captures, body } => {
                let clones: Vec<TokenStream> = captures
                    .iter()
                    .map(|c| {
                        let n = self.local_ident(*c);
                        quote!(let #n = Arc::clone(&#n);)
                    })
                    .collect();
                let b = self.block(body);
                if clones.is_empty() {
                    atom(quote!(std::thread::spawn(move || #b)))
                } else {
                    self.uses.arc = true;
                    atom(quote!({ #(#clones)* std::thread::spawn(move || #b) }))
                }
            }
            K::Builtin { builtin, args } => self.builtin(*builtin, args, &e.ty, want),
            K::Template { template } => {
                let lit = Literal::string(template);
                atom(quote!(#lit))
            }
            K::Error => atom(quote!(())),
        }
    }

    /// A temporary value: already owned; borrowed with `&` if needed.
    fn owned_result(&self, tokens: TokenStream, ty: &Ty, want: Want) -> Lowered {
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
    fn typed_expr(&mut self, e: &Expr, want: Want) -> Lowered {
        if untyped_numbers(e) {
            self.suffix_next_number = true;
        }
        let lowered = self.expr(e, want);
        self.suffix_next_number = false;
        lowered
    }

    /// True if evaluating `e` may change a variable: a mutating built-in
    /// method, or a call that takes something `mutable`.
    fn mutates_something(&self, e: &Expr) -> bool {
        let found = std::cell::Cell::new(false);
        crate::ir::walk_expr(
            e,
            &mut |e| {
                let mutates = match &e.kind {
                    K::Builtin {
                        builtin: Builtin::Method(m),
                        ..
                    } => matches!(
                        m,
                        M::Push | M::Pop | M::Insert | M::Remove | M::Clear | M::Sort | M::Reverse
                    ),
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

    fn function_path(&mut self, id: usize) -> TokenStream {
        let f = &self.program.functions[id];
        let name = format_ident!("{}", f.name.as_str());
        match &f.kind {
            FunctionKind::Rust { path } => path.parse().unwrap_or_else(|_| quote!(#name)),
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

    fn argument(&mut self, arg: &Expr, mode: ParamMode) -> TokenStream {
        match mode {
            ParamMode::Read => self.expr(arg, Want::Borrow).tokens,
            ParamMode::Mutable => self.mutable_argument(arg),
            ParamMode::Owned => self.expr(arg, Want::Owned).tokens,
        }
    }

    fn side(&self, e: &Expr) -> Side {
        match &e.kind {
            K::Str(_) => Side::Literal,
            K::Const(c) if self.program.constants[*c].ty == Ty::Str => Side::Literal,
            K::Local { id, .. } => match self.local_repr(*id) {
                Repr::Ref | Repr::MutRef => Side::Reference,
                Repr::Cow => Side::Cow,
                _ => Side::Owned,
            },
            _ => Side::Owned,
        }
    }

    /// Operands of `==` / `!=` on non-`Copy` values, dereferenced only
    /// where the two sides would otherwise not compare.
    fn equality_operand(&mut self, e: &Expr, other: Side) -> Lowered {
        match (self.side(e), other) {
            (Side::Reference, Side::Owned | Side::Cow) => self.expr(e, Want::Deref),
            (Side::Reference | Side::Literal, _) => self.expr(e, Want::Read),
            _ => self.expr(e, Want::Deref),
        }
    }

    /// A string pattern argument (`split`, `contains`, `starts_with`, …):
    /// a one-character literal becomes a `char`, which `str` searches faster.
    fn pattern_arg(&mut self, e: &Expr) -> TokenStream {
        if let K::Str(text) = &e.kind {
            let mut chars = text.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                let lit = Literal::character(c);
                return quote!(#lit);
            }
        }
        self.str_view(e)
    }

    /// A `&str` view of a string expression, for ordering and `str` methods.
    fn str_view(&mut self, e: &Expr) -> TokenStream {
        match (&e.kind, self.side(e)) {
            (K::Str(_) | K::Const(_), _) => self.expr(e, Want::Read).tokens,
            (K::Local { id, .. }, Side::Reference) if self.is_str_param(*id) => {
                self.expr(e, Want::Read).tokens
            }
            (_, Side::Cow) => {
                let t = self.expr(e, Want::Read).tokens;
                quote!(&*#t)
            }
            _ => {
                let t = self.expr(e, Want::Read).at(Prec::Postfix);
                quote!(#t.as_str())
            }
        }
    }

    fn is_str_param(&self, id: usize) -> bool {
        id < self.locals.len() && self.locals[id].ty == Ty::Str && self.locals[id].repr == Repr::Ref
    }

    fn binary(&mut self, first: &Expr, rest: &[(BinaryOp, Expr)]) -> Lowered {
        let op0 = rest[0].0;
        let prec = match op0 {
            BinaryOp::Or => Prec::Or,
            BinaryOp::And => Prec::And,
            op if op.is_comparison() => Prec::Compare,
            BinaryOp::Add | BinaryOp::Sub => Prec::Add,
            _ => Prec::Mul,
        };
        let right_min = match prec {
            Prec::Compare => Prec::Add,
            Prec::Or => Prec::And,
            Prec::And => Prec::Compare,
            Prec::Add => Prec::Mul,
            _ => Prec::Cast,
        };
        if op0.is_comparison() && !first.ty.is_copy() {
            let (op, right) = (&rest[0].0, &rest[0].1);
            let op_tokens: TokenStream = op.as_str().parse().unwrap_or_default();
            if first.ty == Ty::Str && !matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
                let l = self.str_view(first);
                let r = self.str_view(right);
                return Lowered {
                    tokens: quote!(#l #op_tokens #r),
                    prec,
                };
            }
            let (ls, rs) = (self.side(first), self.side(right));
            let l = self.equality_operand(first, rs).at(right_min);
            let r = self.equality_operand(right, ls).at(right_min);
            return Lowered {
                tokens: quote!(#l #op_tokens #r),
                prec,
            };
        }
        let left_min = if prec == Prec::Compare {
            right_min
        } else {
            prec
        };
        let mut tokens = self.expr(first, Want::Deref).at(left_min);
        for (op, operand) in rest {
            let r = self.expr(operand, Want::Deref).at(right_min);
            let op_tokens: TokenStream = op.as_str().parse().unwrap_or_default();
            tokens = quote!(#tokens #op_tokens #r);
        }
        Lowered { tokens, prec }
    }

    fn match_expr(&mut self, scrutinee: &Expr, arms: &[(Pattern, Expr)], ty: &Ty) -> Lowered {
        let s = if scrutinee.ty == Ty::Str {
            self.str_view(scrutinee)
        } else if scrutinee.ty.is_copy() {
            self.typed_expr(scrutinee, Want::Deref).tokens
        } else if super::super::check::is_place_expr(scrutinee) {
            self.expr(scrutinee, Want::Borrow).tokens
        } else {
            self.expr(scrutinee, Want::Owned).tokens
        };
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

    fn pattern(&mut self, p: &Pattern) -> TokenStream {
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

    /// `name!(template, args…)`. When an argument changes a variable,
    /// the arguments are first evaluated left to right into temporaries,
    /// so the output is what the order of the source says.
    fn formatted(&mut self, name: &str, args: &[Expr]) -> TokenStream {
        let mac = format_ident!("{}", name);
        let values = args.get(1..).unwrap_or(&[]);
        let Some(Expr {
            kind: K::Template { template },
            ..
        }) = args.first()
        else {
            return quote!(#mac!());
        };
        if !values.iter().any(|v| self.mutates_something(v)) {
            let (text, positional) = self.inline_format_args(template, values);
            if name == "format"
                && positional.is_empty()
                && !text.replace("{{", "").replace("}}", "").contains('{')
            {
                // Nothing left to format: a plain string (clippy: useless_format).
                let lit = Literal::string(&text.replace("{{", "{").replace("}}", "}"));
                return quote!(String::from(#lit));
            }
            let lit = Literal::string(&text);
            let arguments = tighten_unary(quote!(#lit #(, #positional)*));
            return quote!(#mac!(#arguments));
        }
        let names: Vec<proc_macro2::Ident> = (0..values.len())
            .map(|i| format_ident!("__argument_{}", i))
            .collect();
        let lets: Vec<TokenStream> = values
            .iter()
            .zip(&names)
            .map(|(v, n)| {
                let t = self.expr(v, Want::Owned).tokens;
                quote!(let #n = #t;)
            })
            .collect();
        let mut text = String::new();
        let mut chars = template.chars().peekable();
        let mut next = names.iter();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push_str("{{");
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push_str("}}");
                }
                '{' => {
                    let mut spec = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        spec.push(c);
                    }
                    let name = next.next().map(ToString::to_string).unwrap_or_default();
                    text.push('{');
                    text.push_str(&name);
                    text.push_str(&spec);
                    text.push('}');
                }
                other => text.push(other),
            }
        }
        let lit = Literal::string(&text);
        quote!({ #(#lets)* #mac!(#lit) })
    }

    /// Writes plain variables into the format string (`{name}`), as clippy
    /// asks, and keeps other arguments positional.
    fn inline_format_args(
        &mut self,
        template: &str,
        values: &[Expr],
    ) -> (String, Vec<TokenStream>) {
        // Names written into the text are read after all positional
        // arguments are evaluated; so variables are inlined only when no
        // argument changes anything, and evaluation order cannot show.
        let all_inlinable = !values.iter().any(|v| self.mutates_something(v));
        let mut out = String::new();
        let mut positional = Vec::new();
        let mut values = values.iter();
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '{' && chars.peek() == Some(&'{') {
                chars.next();
                out.push_str("{{");
                continue;
            }
            if c == '}' && chars.peek() == Some(&'}') {
                chars.next();
                out.push_str("}}");
                continue;
            }
            if c != '{' {
                out.push(c);
                continue;
            }
            let mut spec = String::new();
            for c in chars.by_ref() {
                if c == '}' {
                    break;
                }
                spec.push(c);
            }
            let Some(value) = values.next() else { break };
            // Literals are written into the text itself (clippy: print_literal).
            let literal_text = match &value.kind {
                K::Str(text) if spec.is_empty() => Some(text.replace('{', "{{").replace('}', "}}")),
                K::Int(v) if spec.is_empty() => Some(v.to_string()),
                K::Bool(b) if spec.is_empty() => Some(b.to_string()),
                _ => None,
            };
            if let Some(text) = literal_text {
                out.push_str(&text);
                continue;
            }
            match value.kind {
                K::Local { id, .. } if all_inlinable && self.local_repr(id) != Repr::ArcMutex => {
                    let name = self.local_ident(id);
                    out.push('{');
                    out.push_str(&name.to_string());
                    out.push_str(&spec);
                    out.push('}');
                }
                _ => {
                    out.push('{');
                    out.push_str(&spec);
                    out.push('}');
                    positional.push(self.typed_expr(value, Want::Read).tokens);
                }
            }
        }
        (out, positional)
    }

    #[allow(clippy::too_many_lines)]
    fn builtin(&mut self, builtin: Builtin, args: &[Expr], ty: &Ty, want: Want) -> Lowered {
        let owned = |this: &mut Self, i: usize| this.expr(&args[i], Want::Owned).tokens;
        match builtin {
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
                let Some(Expr {
                    kind: K::Template { template },
                    ..
                }) = args.first()
                else {
                    return atom(quote!(String::new()));
                };
                // `format("{}", text)` is the text itself (clippy: useless_format).
                if template == "{}" && args.len() == 2 && args[1].ty == Ty::Str {
                    return self.expr(&args[1], want);
                }
                let f = self.formatted("format", args);
                self.owned_result(f, ty, want)
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
                } else {
                    let (ls, rs) = (self.side(&args[0]), self.side(&args[1]));
                    (
                        self.equality_operand(&args[0], rs).tokens,
                        self.equality_operand(&args[1], ls).tokens,
                    )
                };
                let args = tighten_unary(quote!(#l, #r));
                atom(quote!(assert_eq!(#args)))
            }
            Builtin::ListOf => {
                if want == Want::Borrow && !args.is_empty() {
                    // A borrowed literal list is a slice: no allocation.
                    let items: Vec<TokenStream> = (0..args.len()).map(|i| owned(self, i)).collect();
                    return Lowered {
                        tokens: quote!(&[#(#items),*]),
                        prec: Prec::Unary,
                    };
                }
                if args.is_empty() {
                    return self.owned_result(quote!(Vec::new()), ty, want);
                }
                let items: Vec<TokenStream> = (0..args.len()).map(|i| owned(self, i)).collect();
                let items = tighten_unary(quote!(#(#items),*));
                self.owned_result(quote!(vec![#items]), ty, want)
            }
            Builtin::MapOf => {
                self.uses.btree_map = true;
                self.owned_result(quote!(BTreeMap::new()), ty, want)
            }
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
            Builtin::Method(m) => self.method(m, args, ty, want),
        }
    }

    /// A key or element argument passed by reference (`&k`, `"literal"`).
    fn by_reference(&mut self, e: &Expr) -> TokenStream {
        match &e.kind {
            K::Str(_) => self.expr(e, Want::Read).tokens,
            _ if e.ty == Ty::Str => self.str_view(e),
            _ if e.ty.is_copy() => {
                let t = self.expr(e, Want::Deref).at(Prec::Unary);
                quote!(&#t)
            }
            _ => self.expr(e, Want::Borrow).tokens,
        }
    }

    #[allow(clippy::too_many_lines)]
    fn method(&mut self, m: M, args: &[Expr], ty: &Ty, want: Want) -> Lowered {
        let receiver_ty = args[0].ty.clone();
        let read = |this: &mut Self| this.typed_expr(&args[0], Want::Read).at(Prec::Postfix);
        let value = |this: &mut Self| this.typed_expr(&args[0], Want::Deref).at(Prec::Postfix);
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
                if args[1].ty == Ty::Str {
                    let a = self.str_view(&args[1]);
                    quote!(#r.iter().any(|item| item == #a))
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
            M::Split => {
                let r = read(self);
                let a = self.pattern_arg(&args[1]);
                quote!(#r.split(#a).map(str::to_string).collect::<Vec<_>>())
            }
            M::Lines => {
                let r = read(self);
                quote!(#r.lines().map(str::to_string).collect::<Vec<_>>())
            }
            M::Replace => {
                let r = read(self);
                let a = self.pattern_arg(&args[1]);
                let b = self.str_view(&args[2]);
                quote!(#r.replace(#a, #b))
            }
            M::ParseInt => {
                let r = read(self);
                quote!(#r.parse::<i64>().map_err(|error| error.to_string()))
            }
            M::ParseFloat => {
                let r = read(self);
                quote!(#r.parse::<f64>().map_err(|error| error.to_string()))
            }
            M::ToText if want == Want::Read => return self.expr(&args[0], Want::Read),
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
                    let lit = Literal::f64_unsuffixed(*v as f64);
                    return atom(quote!(#lit));
                }
                let r = self.expr(&args[0], Want::Deref).at(Prec::Cast);
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
            M::Pow => {
                let r = value(self);
                let a = self.expr(&args[1], Want::Deref).tokens;
                quote!(#r.pow(u32::try_from(#a).expect("the exponent of `pow` must be between 0 and 4294967295")))
            }
            M::Push => {
                let r = self.mutable_receiver(&args[0]);
                let a = self.expr(&args[1], Want::Owned).tokens;
                quote!(#r.push(#a))
            }
            M::Pop => {
                let r = self.mutable_receiver(&args[0]);
                quote!(#r.pop())
            }
            M::Get if matches!(receiver_ty, Ty::Map(..)) => {
                let r = read(self);
                let k = self.by_reference(&args[1]);
                quote!(#r.get(#k).#cloned())
            }
            M::Get => {
                let r = read(self);
                let i = self.index(&args[1]);
                quote!(#r.get(#i).#cloned())
            }
            M::First | M::Last => {
                let r = read(self);
                let name = if m == M::First {
                    quote!(first)
                } else {
                    quote!(last)
                };
                quote!(#r.#name().#cloned())
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
                quote!(#r.remove(#k))
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
                let r = read(self);
                let key_copy = matches!(&receiver_ty, Ty::Map(k, v) if if m == M::Keys { k.is_copy() } else { v.is_copy() });
                let name = if m == M::Keys {
                    quote!(keys)
                } else {
                    quote!(values)
                };
                let c = if key_copy {
                    quote!(copied)
                } else {
                    quote!(cloned)
                };
                quote!(#r.#name().#c().collect::<Vec<_>>())
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
            M::Unwrap | M::Expect | M::UnwrapOr => {
                let r = self.expr(&args[0], Want::Owned).at(Prec::Postfix);
                match m {
                    M::Unwrap => quote!(#r.unwrap()),
                    M::Expect => {
                        let msg = self.str_view(&args[1]);
                        quote!(#r.expect(#msg))
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
            M::Clone => return self.expr(&args[0], want),
        };
        self.owned_result(tokens, ty, want)
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
        K::If {
            branches,
            otherwise,
        } => {
            branches.iter().all(|(_, b)| block_untyped(b))
                && otherwise.as_deref().is_some_and(block_untyped)
        }
        K::Match { arms, .. } => {
            !arms.is_empty()
                && arms
                    .iter()
                    .all(|(_, body)| untyped_numbers(body) || body.ty == Ty::Never)
        }
        K::Block(b) => block_untyped(b),
        _ => false,
    }
}

/// A float literal as written by a person: scientific notation for very
/// large or very small magnitudes instead of hundreds of digits.
fn float_literal(v: f64) -> Literal {
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

fn block_untyped(block: &Block) -> bool {
    block.tail.as_deref().is_some_and(untyped_numbers)
}

fn is_empty_container(e: &Expr) -> bool {
    match &e.kind {
        K::Builtin {
            builtin: Builtin::ListOf | Builtin::MapOf | Builtin::None,
            args,
        } => args.is_empty(),
        K::Builtin {
            builtin: Builtin::Ok | Builtin::Err,
            ..
        } => true,
        _ => false,
    }
}

fn same_place(a: &Expr, b: &Expr) -> bool {
    match (&a.kind, &b.kind) {
        (K::Local { id: x, .. }, K::Local { id: y, .. }) => x == y,
        (
            K::Field {
                base: b1,
                index: i1,
            },
            K::Field {
                base: b2,
                index: i2,
            },
        ) => i1 == i2 && same_place(b1, b2),
        (
            K::Index {
                base: b1,
                index: i1,
            },
            K::Index {
                base: b2,
                index: i2,
            },
        ) => same_place(b1, b2) && same_place(i1, i2),
        (K::Int(x), K::Int(y)) => x == y,
        _ => false,
    }
}
