//! Statements and blocks: bindings, assignments, loops, and the marks
//! that map generated lines back to `.pt` statements.

use super::expr::{atom, is_empty_container, tighten_unary, untyped_numbers, Lowered, Prec, Want};
use super::Lowerer;
use crate::ir::{Block, Builtin, BuiltinMethod as M, Expr, ExprKind as K, Repr, Stmt, Ty};
use crate::syntax::ast::BinaryOp;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

impl Lowerer<'_> {
    /// Whether `local` is lowered as an array (see [`Self::read_only_array`]).
    pub(super) fn is_array_local(&self, local: usize) -> bool {
        let Some(body) = self.body else {
            return false;
        };
        let found = std::cell::Cell::new(false);
        crate::ir::walk_block(body, &mut |_| {}, &mut |stmt| {
            if let Stmt::Let {
                local: bound,
                value,
                ..
            } = stmt
            {
                if *bound == local {
                    // `list_of(…)` or `list_of_copies(v, N)`, as
                    // `read_only_array` lowers them.
                    let n = super::expr::literal_list(value)
                        .map(<[Expr]>::len)
                        .or_else(|| super::builtins::copies_of_literal_count(value).map(|(_, n)| n))
                        .unwrap_or(0);
                    found.set(n > 0 && super::used_only_as_slice(body, local, n, self.program));
                }
            }
        });
        found.get()
    }

    /// `[a, b]`, with the annotation its numbers need, for a literal list
    /// bound to `local` that is only ever read like a slice (clippy:
    /// useless_vec); `None` otherwise.
    pub(super) fn read_only_array(
        &mut self,
        local: usize,
        value: &Expr,
    ) -> Option<(TokenStream, TokenStream)> {
        // `list_of_copies(0, 3)` only read: `[0; 3]` (clippy: useless_vec).
        if let Some((copied, n)) = super::builtins::copies_of_literal_count(value) {
            let only_read = self
                .body
                .is_some_and(|b| super::used_only_as_slice(b, local, n, self.program));
            if !only_read || n == 0 {
                return None;
            }
            let v = self.typed_expr(copied, Want::Owned).tokens;
            let n = Literal::usize_unsuffixed(n);
            return Some((quote!(), quote!([#v; #n])));
        }
        let args = super::expr::literal_list(value).filter(|args| !args.is_empty())?;
        let only_read = self
            .body
            .is_some_and(|b| super::used_only_as_slice(b, local, args.len(), self.program));
        if !only_read {
            return None;
        }
        let want = if self.static_text.contains(&local) {
            Want::Read
        } else {
            Want::Owned
        };
        let items: Vec<TokenStream> = args.iter().map(|a| self.expr(a, want).tokens).collect();
        let items = tighten_unary(quote!(#(#items),*));
        let annotation = if untyped_numbers(value) {
            let element = match &self.locals[local].ty {
                Ty::List(t) => self.rust_type(&t.clone()),
                _ => quote!(i64),
            };
            let n = Literal::usize_unsuffixed(args.len());
            quote!(: [#element; #n])
        } else {
            quote!()
        };
        Some((annotation, quote!([#items])))
    }

    pub(super) fn function_body(&mut self, block: &Block, returns_unit: bool) -> TokenStream {
        // `return;` at the end of a branch that ends the function says
        // nothing (clippy: needless_return).
        let stripped = returns_unit.then(|| without_tail_returns(block)).flatten();
        let block = stripped.as_ref().unwrap_or(block);
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

    pub(super) fn block_inner(&mut self, block: &Block, multiline: bool) -> TokenStream {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            // A literal that must carry its type is the value's, not one
            // inside the statements before it.
            let suffix = std::mem::take(&mut self.suffix_next_number);
            // `{ …; let x: T = v; x }` is `{ …; v }` (clippy: let_and_return).
            let returned_let = returned_binding(block, self.locals);
            let stmts_before = if returned_let.is_some() {
                &block.stmts[..block.stmts.len() - 1]
            } else {
                &block.stmts[..]
            };
            let stmts: Vec<TokenStream> =
                stmts_before.iter().map(|s| self.marked_stmt(s)).collect();
            self.suffix_next_number = suffix;
            // A block that is only a value may print on one line
            // (`if c { 1 } else { 2 }`); a mark would break it open.
            let tail_mark = multiline || !block.stmts.is_empty();
            if let Some((local, value)) = returned_let {
                let mark = tail_mark.then(|| self.marks.mark(value.span));
                let value = self
                    .typed_value(value, &self.locals[local].ty.clone(), Want::Owned)
                    .tokens;
                return quote!(#(#stmts)* #mark #value);
            }
            let tail = block.tail.as_ref().map(|t| {
                let mark = tail_mark.then(|| self.marks.mark(t.span));
                let value = if t.ty == Ty::Unit || t.ty == Ty::Never {
                    self.expr(t, Want::Read).tokens
                } else {
                    self.expr(t, Want::Owned).tokens
                };
                quote!(#mark #value)
            });
            self.suffix_next_number = false;
            quote!(#(#stmts)* #tail)
        })
    }

    /// `value` as an owned value that shows its type by itself, as a
    /// binding's annotation would (`Vec::<i64>::new()`, `None::<i64>`,
    /// `Ok::<i64, String>(1)`, `7_i64`).
    /// `value` written so that it says its whole type where it is a new
    /// value nothing else types (`Ok(3).is_ok()`, `{:?}` of `None`): an
    /// unknown part is `()`. Otherwise as [`Self::typed_expr`].
    pub(super) fn self_typed(&mut self, value: &Expr, want: Want) -> Lowered {
        if value.ty.is_incomplete() && !reads_a_local(value) {
            let ty = value.ty.clone();
            self.typed_value(value, &ty, want)
        } else {
            self.typed_expr(value, want)
        }
    }

    pub(super) fn typed_value(&mut self, value: &Expr, ty: &Ty, want: Want) -> Lowered {
        let arguments = |this: &mut Self, types: &[&Ty]| {
            let types: Vec<TokenStream> = types.iter().map(|t| this.rust_type(t)).collect();
            quote!(::<#(#types),*>)
        };
        // Only a value lowered as itself stands on a condition's exterior;
        // the typed forms start with a path.
        let exterior = std::mem::take(&mut self.in_condition);
        match (&value.kind, ty) {
            (
                K::Builtin {
                    builtin: Builtin::ListOf,
                    args,
                },
                Ty::List(t),
            ) if args.is_empty() => {
                let (vec, t) = (self.lib("Vec"), arguments(self, &[t]));
                atom(quote!(#vec #t::new()))
            }
            (
                K::Builtin {
                    builtin: Builtin::MapOf,
                    ..
                },
                Ty::Map(k, v),
            ) => {
                self.uses.hash_map = true;
                let (map, kv) = (self.lib("HashMap"), arguments(self, &[k, v]));
                atom(quote!(#map #kv::new()))
            }
            (
                K::Builtin {
                    builtin: Builtin::None,
                    ..
                },
                Ty::Option(t),
            ) => {
                let t = arguments(self, &[t]);
                atom(quote!(None #t))
            }
            (
                K::Builtin {
                    builtin: builtin @ (Builtin::Ok | Builtin::Err),
                    args,
                },
                Ty::Result(t, e),
            ) => {
                let te = arguments(self, &[t, e]);
                let v = self.expr(&args[0], Want::Owned).tokens;
                if *builtin == Builtin::Ok {
                    atom(quote!(Ok #te(#v)))
                } else {
                    atom(quote!(Err #te(#v)))
                }
            }
            // `Some(None)`, `list_of(None)`: the whole type, said once.
            _ if is_empty_container(value) => {
                let t = self.rust_type(ty);
                let v = self.expr(value, Want::Owned).tokens;
                atom(quote!(::std::convert::identity::<#t>(#v)))
            }
            _ => {
                self.in_condition = exterior;
                self.typed_expr(value, want)
            }
        }
    }

    /// A statement preceded by the mark of the `.pt` span it came from.
    pub(super) fn marked_stmt(&mut self, stmt: &Stmt) -> TokenStream {
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

    pub(super) fn stmt(&mut self, stmt: &Stmt) -> TokenStream {
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
            }) if matches!(args[0].ty, Ty::Map(..))
                && !self.receiver_read_by_arguments(&args[0], &args[1..]) =>
            {
                // As a statement the replaced value is simply dropped.
                let r = self.mutable_receiver(&args[0]);
                let k = self.expr(&args[1], Want::Owned).tokens;
                let v = self.expr(&args[2], Want::Owned).tokens;
                quote!(#r.insert(#k, #v);)
            }
            Stmt::Expr(e) => {
                let block_like = matches!(
                    e.kind,
                    K::If { .. }
                        | K::Match { .. }
                        | K::Block(_)
                        | K::WithLock { .. }
                        | K::WithEntry { .. }
                );
                if matches!(e.ty, Ty::Unit | Ty::Never | Ty::Error) {
                    let t = self.expr(e, Want::Read).tokens;
                    // A built-in lowered as a block of statements is one.
                    if block_like || super::expr::is_braced(&t) {
                        t
                    } else {
                        quote!(#t;)
                    }
                } else if e.ty.is_incomplete() && !reads_a_local(e) {
                    // `None;` names no type rustc could infer: any will do
                    // (a variable's type rustc knows from elsewhere).
                    let t = self.expr(e, Want::Owned).tokens;
                    let ty = self.rust_type(&e.ty);
                    quote!(let _: #ty = #t;)
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
                let c = self.condition(condition, Want::Deref).tokens;
                if super::expr::is_braced(&c) {
                    // clippy: blocks_in_conditions; evaluated before each round.
                    let inner = self.block_inner(body, false);
                    return quote!(loop {
                        let __condition = #c;
                        if !__condition {
                            break;
                        }
                        #inner
                    });
                }
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
                        // A copy of a read-only parameter walks as the
                        // parameter itself: nothing can change it (clippy:
                        // unnecessary_to_owned). Items owned by the loop
                        // are the copy the source asked for.
                        let iterable = match &iterable.kind {
                            K::Builtin {
                                builtin: Builtin::Method(M::Clone),
                                args,
                            } if matches!(args[0].kind, K::Local { id, .. } if self.local_repr(id) == Repr::Ref) => {
                                if consumed {
                                    self.chosen_lints.insert("clippy::unnecessary_to_owned");
                                    iterable
                                } else {
                                    &args[0]
                                }
                            }
                            _ => iterable,
                        };
                        // A loop that changes what it walks walks a copy,
                        // taken before it starts (the reference's rule).
                        let changed_inside = super::aliasing::iterated_local(iterable)
                            .is_some_and(|id| self.block_changes(body, id));
                        if let Some(args) = super::expr::literal_list(iterable) {
                            // A literal list that is only iterated is an array.
                            let array = self.array_literal(args);
                            quote!(for #name in #array #b)
                        } else if changed_inside {
                            self.no_moves += 1;
                            let it = self.condition(iterable, Want::Owned).tokens;
                            self.no_moves -= 1;
                            // Walking the borrowed list itself, as clippy
                            // suggests for a parameter's `to_owned()`, would
                            // conflict with the change.
                            let borrowed = matches!(iterable.kind, K::Local { id, .. }
                                if matches!(self.local_repr(id), Repr::Ref | Repr::MutRef));
                            if borrowed {
                                self.chosen_lints.insert("clippy::unnecessary_to_owned");
                            }
                            // A list of numbers only read like a slice is an
                            // array, which a copy need not `clone` (but the
                            // copy is the point).
                            if t.is_copy()
                                && matches!(iterable.kind, K::Local { id, .. } if self.is_array_local(id))
                            {
                                self.chosen_lints.insert("clippy::clone_on_copy");
                            }
                            // A loop variable that is a view of the pieces
                            // views the copy's strings (it lives as long as
                            // the loop).
                            let pieces = matches!(
                                iterable.kind,
                                K::Builtin {
                                    builtin: Builtin::Method(M::Split | M::Lines),
                                    ..
                                }
                            );
                            let view = self.locals[*local].repr == Repr::Ref;
                            if pieces && view {
                                quote!(for #name in #it.iter().map(::std::string::String::as_str) #b)
                            } else if view {
                                // clippy would walk the original, which the
                                // loop changes.
                                self.chosen_lints.insert("clippy::unnecessary_to_owned");
                                quote!(for #name in #it.iter() #b)
                            } else {
                                quote!(for #name in #it #b)
                            }
                        } else if let Some(lazy) = {
                            // `split` and `lines` walk `&str` pieces: only a
                            // loop variable that is a view can be one.
                            let pieces = matches!(
                                iterable.kind,
                                K::Builtin {
                                    builtin: Builtin::Method(M::Split | M::Lines),
                                    ..
                                }
                            );
                            if pieces && self.locals[*local].repr != Repr::Ref {
                                None
                            } else {
                                self.in_condition = true;
                                let lazy = self.lazy_iterator(iterable);
                                self.in_condition = false;
                                lazy
                            }
                        } {
                            if t.is_copy() {
                                quote!(for &#name in #lazy #b)
                            } else {
                                quote!(for #name in #lazy #b)
                            }
                        } else if let (true, K::Local { id, .. }) = (consumed, &iterable.kind) {
                            // Owned items out of a borrowed list: each copied.
                            let n = self.local_ident(*id);
                            match self.local_repr(*id) {
                                Repr::Ref | Repr::MutRef => {
                                    quote!(for #name in #n.iter().cloned() #b)
                                }
                                _ => {
                                    let it = self.condition(iterable, Want::Owned).tokens;
                                    quote!(for #name in #it #b)
                                }
                            }
                        } else if consumed || !super::super::check::is_place_expr(iterable) {
                            let it = self.condition(iterable, Want::Owned).tokens;
                            quote!(for #name in #it #b)
                        } else {
                            let it = match iterable.kind {
                                K::Local { id, .. }
                                    if matches!(
                                        self.local_repr(id),
                                        Repr::Arc | Repr::Guard | Repr::Cow | Repr::MutRef
                                    ) =>
                                {
                                    let n = self.local_ident(id);
                                    quote!(#n.iter())
                                }
                                _ => {
                                    self.in_condition = true;
                                    let place = self.borrow_place(iterable);
                                    self.in_condition = false;
                                    place
                                }
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

    pub(super) fn let_stmt(&mut self, local: usize, value: &Expr) -> TokenStream {
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
                    let cow = self.lib("Cow");
                    quote!(#cow::Borrowed(#b))
                } else {
                    let v = self.expr(value, Want::Owned).tokens;
                    let cow = self.lib("Cow");
                    quote!(#cow::Owned(#v))
                };
                quote!(let #mutability #name: #annotation = #init;)
            }
            Repr::Arc | Repr::ArcMutex => {
                self.uses.arc = true;
                self.uses.mutex |= repr == Repr::ArcMutex;
                let v = self.typed_expr(value, Want::Owned).tokens;
                let arc = self.lib("Arc");
                let shared = if repr == Repr::Arc {
                    quote!(#arc::new(#v))
                } else {
                    let mutex = self.lib("Mutex");
                    quote!(#arc::new(#mutex::new(#v)))
                };
                // An empty list or map shows no element type: the
                // annotation says it, as for any other binding.
                if super::types::needs_annotation(&ty, is_empty_container(value)) {
                    let t = self.local_type(&ty, repr);
                    quote!(let #name: #t = #shared;)
                } else {
                    quote!(let #name = #shared;)
                }
            }
            _ => {
                if let Some((annotation, array)) = self.read_only_array(local, value) {
                    return quote!(let #mutability #name #annotation = #array;);
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

    pub(super) fn assign(
        &mut self,
        target: &Expr,
        op: Option<BinaryOp>,
        value: &Expr,
    ) -> TokenStream {
        if let Some(update) = self.bit_update(target, op, value) {
            return update;
        }
        // `x = x + y` is written `x += y`.
        let (op, value) = match (op, &value.kind) {
            (None, K::Binary { first, rest })
                if rest.len() == 1
                    && !rest[0].0.is_comparison()
                    && !rest[0].0.is_logical()
                    && super::source_lints::same(first, target) =>
            {
                (Some(rest[0].0), &rest[0].1)
            }
            _ => (op, value),
        };
        if let K::Local { id, .. } = target.kind {
            if self.local_repr(id) == Repr::Cow && op.is_none() {
                let name = self.local_ident(id);
                let v = self.expr(value, Want::Owned).tokens;
                let cow = self.lib("Cow");
                return quote!(#name = #cow::Owned(#v););
            }
        }
        let op_tokens: Option<TokenStream> =
            op.map(|op| format!("{}=", op.as_str()).parse().unwrap_or_default());
        if super::aliasing::index_reads_base(target) {
            // `xs[xs.length() - 1] = v`: the value first, as Rust evaluates
            // an assignment, then the indices, then the write.
            let v = match op {
                None => self.expr(value, Want::Owned).tokens,
                Some(_) => self.expr(value, Want::Deref).tokens,
            };
            let (lets, place) = self.place_with_indices_first(target, true, Self::mutable_place);
            let op_tokens = op_tokens.unwrap_or_else(|| quote!(=));
            return quote!({
                let __value = #v;
                #(#lets)*
                #place #op_tokens __value;
            });
        }
        let place = self.mutable_place(target);
        match op_tokens {
            None => {
                let v = self.expr(value, Want::Owned).tokens;
                quote!(#place = #v;)
            }
            Some(op_tokens) => {
                let v = self
                    .expr(value, Want::Deref)
                    .at(Prec::Postfix.min(Prec::Range));
                quote!(#place #op_tokens #v;)
            }
        }
    }
}

impl Lowerer<'_> {
    /// `x = x.bit_and(m)` is `x &= m` (and `|=`, `^=`, and `<<=`, `>>=`
    /// for an amount known to be 0 to 63), as clippy asks
    /// (assign_op_pattern).
    fn bit_update(
        &mut self,
        target: &Expr,
        op: Option<BinaryOp>,
        value: &Expr,
    ) -> Option<TokenStream> {
        use crate::ir::{Builtin, BuiltinMethod as M};
        let K::Builtin {
            builtin: Builtin::Method(m),
            args,
        } = &value.kind
        else {
            return None;
        };
        let plain_target = match target.kind {
            K::Local { id, .. } => self.local_repr(id) != Repr::Cow,
            K::Field { .. } => !super::aliasing::index_reads_base(target),
            _ => false,
        };
        if op.is_some()
            || args.len() != 2
            || !plain_target
            || !super::source_lints::same(&args[0], target)
        {
            return None;
        }
        let symbol = match m {
            M::BitAnd => "&=",
            M::BitOr => "|=",
            M::BitXor => "^=",
            M::ShiftLeft if self.shift_amount_in_range(&args[1]) => "<<=",
            M::ShiftRight if self.shift_amount_in_range(&args[1]) => ">>=",
            _ => return None,
        };
        let symbol: TokenStream = symbol.parse().unwrap_or_default();
        let place = self.mutable_place(target);
        let amount = self.expr(&args[1], Want::Deref).tokens;
        Some(quote!(#place #symbol #amount;))
    }
}

/// A block whose last statement binds a local that the block's value is
/// (`{ …; let_var x = v; x }`): the binding and the local, when the local
/// is a plain owned value read nowhere else.
pub(super) fn returned_binding<'b>(
    block: &'b Block,
    locals: &[crate::ir::Local],
) -> Option<(usize, &'b Expr)> {
    let Some(Stmt::Let { local, value, .. }) = block.stmts.last() else {
        return None;
    };
    let tail = block.tail.as_deref().map(|t| lowered_as(t, locals));
    let Some(K::Local { id, .. }) = tail.map(|t| &t.kind) else {
        return None;
    };
    let plain = locals
        .get(*local)
        .is_some_and(|l| l.repr == Repr::Value && !l.mutated);
    (id == local && plain).then_some((*local, value))
}

/// What a value in a block's tail is lowered as: `match 1 { _ => x }`,
/// `match x { y => y }`,
/// `x.clone()` (a copy of a value read nowhere else is the value), `{ x }`
/// and `{ let_var y = x; y }` are all `x`.
fn lowered_as<'b>(e: &'b Expr, locals: &[crate::ir::Local]) -> &'b Expr {
    // `match 1 { _ => x }` is `x`, and so is `match x { y => y }`.
    if let Some(inner) =
        super::expr::one_arm_on_literal(e).or_else(|| super::expr::matched_value(e))
    {
        return lowered_as(inner, locals);
    }
    match &e.kind {
        K::Builtin {
            builtin: crate::ir::Builtin::Method(crate::ir::BuiltinMethod::Clone),
            args,
        } => lowered_as(&args[0], locals),
        K::Block(b) if b.stmts.is_empty() => b.tail.as_deref().map_or(e, |t| lowered_as(t, locals)),
        K::Block(b) if b.stmts.len() == 1 => {
            returned_binding(b, locals).map_or(e, |(_, value)| lowered_as(value, locals))
        }
        _ => e,
    }
}

/// A copy of a function body without the `return;` statements that end
/// the branches of its last statement, or `None` if it has none.
fn without_tail_returns(block: &Block) -> Option<Block> {
    let mut copy = block.clone();
    strip_tail_returns(&mut copy).then_some(copy)
}

fn strip_tail_returns(block: &mut Block) -> bool {
    if let Some(tail) = block.tail.as_deref_mut() {
        // A unit `if` or `match` written last, without `;`, is the tail.
        return strip_in_branches(tail);
    }
    let several = block.stmts.len() > 1;
    match block.stmts.last_mut() {
        // A branch of only `return;` stays: an empty branch is another lint
        // (see `keeps_tail_return`).
        Some(Stmt::Return(None)) if several => {
            block.stmts.pop();
            true
        }
        Some(Stmt::Expr(e)) => strip_in_branches(e),
        _ => false,
    }
}

/// `strip_tail_returns` in each branch of an `if`, `match`, block or
/// `with_lock`.
fn strip_in_branches(e: &mut Expr) -> bool {
    match &mut e.kind {
        K::If {
            branches,
            otherwise,
        } => {
            let mut changed = false;
            for (_, b) in branches.iter_mut() {
                changed |= strip_tail_returns(b);
            }
            if let Some(b) = otherwise {
                changed |= strip_tail_returns(b);
            }
            changed
        }
        K::Match { arms, .. } => {
            let mut changed = false;
            for (_, body) in arms.iter_mut() {
                if let K::Block(b) = &mut body.kind {
                    changed |= strip_tail_returns(b);
                }
            }
            changed
        }
        K::Block(b) => strip_tail_returns(b),
        K::WithLock { body, .. } | K::WithEntry { body, .. } => strip_tail_returns(body),
        _ => false,
    }
}

/// Whether a branch that ends a unit function is only `return;` (kept by
/// `without_tail_returns`, so the function allows clippy's needless_return).
pub(super) fn keeps_tail_return(block: &Block) -> bool {
    let last = match (&block.tail, block.stmts.last()) {
        (Some(tail), _) => Some(&**tail),
        (None, Some(Stmt::Return(None))) => return block.stmts.len() == 1,
        (None, Some(Stmt::Expr(e))) => Some(e),
        _ => None,
    };
    match last {
        Some(e) => match &e.kind {
            K::If {
                branches,
                otherwise,
            } => {
                branches.iter().any(|(_, b)| keeps_tail_return(b))
                    || otherwise.as_deref().is_some_and(keeps_tail_return)
            }
            K::Match { arms, .. } => arms
                .iter()
                .any(|(_, body)| matches!(&body.kind, K::Block(b) if keeps_tail_return(b))),
            K::Block(b) => keeps_tail_return(b),
            K::WithLock { body, .. } | K::WithEntry { body, .. } => keeps_tail_return(body),
            _ => false,
        },
        None => false,
    }
}

/// Whether evaluating `e` reads a variable.
pub(super) fn reads_a_local(e: &Expr) -> bool {
    let found = std::cell::Cell::new(false);
    crate::ir::walk_expr(
        e,
        &mut |e| {
            if matches!(e.kind, K::Local { .. }) {
                found.set(true);
            }
        },
        &mut |_| {},
    );
    found.get()
}
