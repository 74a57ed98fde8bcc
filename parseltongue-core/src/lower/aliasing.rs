//! Reads of a value that is being changed in the same expression: the
//! index in `xs[xs.length() - 1] = 0`, the second argument of
//! `append(xs, xs)` with a `mutable` first parameter, `xs.push(xs.length())`
//! on a borrowed list. Rust rejects a shared borrow of a place while it is
//! borrowed mutably (E0502), so the lowering evaluates such reads first
//! into temporaries (`__argument_N`, `__index_N`, `__value`), in the
//! order the source evaluates them; read-only arguments then see the
//! value as it was before the call, as the reference's ownership rules
//! promise.

use super::expr::{Lowered, Prec, Want};
use super::Lowerer;
use crate::ir::{Expr, ExprKind as K, LocalId, Repr};
use crate::syntax::ast::ParamMode;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// How a method argument evaluated first is lowered.
#[derive(Clone, Copy)]
pub(super) enum ArgumentForm {
    /// An owned value.
    Owned,
    /// A list position (`usize`).
    Index,
    /// A map key, passed by reference.
    Key,
}

/// The local a place expression (`x`, `x.f`, `x[i].f`) is part of.
pub(super) fn base_local(e: &Expr) -> Option<LocalId> {
    match &e.kind {
        K::Local { id, .. } => Some(*id),
        K::Field { base, .. } | K::Index { base, .. } => base_local(base),
        _ => None,
    }
}

/// The local whose value `e` views without a copy: a place's local, or
/// that of what a `.trim()` views or a string copy copies (the lowering
/// views the original where nothing changes it).
pub(super) fn viewed_local(e: &Expr) -> Option<LocalId> {
    use crate::ir::{Builtin, BuiltinMethod as M, Ty};
    let e = super::source_lints::simplified(e);
    match &e.kind {
        K::Builtin {
            builtin: Builtin::Method(M::Trim | M::Substring),
            args,
        } => viewed_local(&args[0]),
        K::Builtin {
            builtin: Builtin::Method(M::Clone | M::ToText),
            args,
        } if args[0].ty == Ty::Str => viewed_local(&args[0]),
        _ if crate::check::is_place_expr(e) => base_local(e),
        _ => None,
    }
}

/// The local a `for` loop walks: a place, or the receiver of a lazily
/// walked `split`, `lines`, `keys` or `values`, seen through `.clone()`
/// and a string's `.to_string()` (copies the lowering drops where nothing
/// changes the original) and `.trim()` (a view of it).
pub(super) fn iterated_local(iterable: &Expr) -> Option<LocalId> {
    use crate::ir::{Builtin, BuiltinMethod as M};
    // Seen as the lowering writes it: `match 0 { _ => xs }` is `xs`.
    let iterable = super::source_lints::simplified(iterable);
    match &iterable.kind {
        K::Builtin {
            builtin:
                Builtin::Method(
                    M::Split
                    | M::Lines
                    | M::Chars
                    | M::Keys
                    | M::Values
                    | M::Clone
                    | M::ToText
                    | M::Trim
                    | M::Substring,
                ),
            args,
        } => iterated_local(&args[0]),
        _ => base_local(iterable),
    }
}

/// Whether evaluating `e` reads (or changes) local `id`.
pub(super) fn mentions(e: &Expr, id: LocalId) -> bool {
    let found = std::cell::Cell::new(false);
    crate::ir::walk_expr(
        e,
        &mut |e| {
            if matches!(e.kind, K::Local { id: seen, .. } if seen == id) {
                found.set(true);
            }
        },
        &mut |_| {},
    );
    found.get()
}

/// Whether an index inside the place `target` reads the place's own local.
pub(super) fn index_reads_base(target: &Expr) -> bool {
    let Some(base) = base_local(target) else {
        return false;
    };
    let mut at = target;
    loop {
        match &at.kind {
            K::Index { base: inner, index } => {
                if mentions(index, base) {
                    return true;
                }
                at = inner;
            }
            K::Field { base: inner, .. } => at = inner,
            _ => return false,
        }
    }
}

impl Lowerer<'_> {
    /// `mutable_place`, with each index evaluated first into `__index_N`
    /// when `hoist` (the `let`s are returned, in evaluation order).
    pub(super) fn place_with_indices_first(
        &mut self,
        target: &Expr,
        hoist: bool,
        place: fn(&mut Self, &Expr) -> TokenStream,
    ) -> (Vec<TokenStream>, TokenStream) {
        if !hoist {
            return (Vec::new(), place(self, target));
        }
        let outer = self.hoisted_indices.replace(Vec::new());
        let tokens = place(self, target);
        let lets = std::mem::replace(&mut self.hoisted_indices, outer).unwrap_or_default();
        (lets, tokens)
    }

    /// A list position for a place being written: `__index_N` when indices
    /// are evaluated first (see [`Self::place_with_indices_first`]).
    pub(super) fn place_index(&mut self, index: &Expr) -> TokenStream {
        let i = self.index(index);
        match &mut self.hoisted_indices {
            Some(lets) => {
                let name = format_ident!("__index_{}", lets.len());
                lets.push(quote!(let #name = #i;));
                quote!(#name)
            }
            None => i,
        }
    }

    /// Arguments of a call, in order: `mutable` ones as places, the others
    /// by their mode. A read-only or owned argument that reads a local a
    /// `mutable` argument (or `receiver_base`) changes is evaluated first
    /// into `__argument_N`; then every non-`mutable` argument is, so the
    /// source's order of evaluation is kept. Returns the `let`s and the
    /// argument list.
    pub(super) fn call_arguments(
        &mut self,
        args: &[Expr],
        modes: &[ParamMode],
        receiver_base: Option<LocalId>,
    ) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let changed: Vec<LocalId> = args
            .iter()
            .zip(modes)
            .filter(|(_, m)| **m == ParamMode::Mutable)
            .filter_map(|(a, _)| base_local(a))
            .chain(receiver_base)
            .collect();
        let aliased = args
            .iter()
            .zip(modes)
            .any(|(a, m)| *m != ParamMode::Mutable && changed.iter().any(|id| mentions(a, *id)));
        let index_aliased = args
            .iter()
            .zip(modes)
            .any(|(a, m)| *m == ParamMode::Mutable && index_reads_base(a));
        if !aliased && !index_aliased {
            // A local one argument borrows cannot move in another.
            let pins = borrowed_elsewhere(args, modes, receiver_base);
            let depth = self.pinned.len();
            self.pinned.extend(pins);
            let list = args
                .iter()
                .zip(modes)
                .map(|(a, m)| self.argument(a, *m))
                .collect();
            self.pinned.truncate(depth);
            return (Vec::new(), list);
        }
        let mut lets = Vec::new();
        let mut list = Vec::with_capacity(args.len());
        // Evaluated ahead of the places borrowed mutably: nothing moves.
        self.no_moves += 1;
        for (i, (a, mode)) in args.iter().zip(modes).enumerate() {
            if *mode == ParamMode::Mutable {
                let (indices, place) =
                    self.place_with_indices_first(a, index_reads_base(a), Self::mutable_argument);
                lets.extend(indices);
                list.push(place);
                continue;
            }
            let name = format_ident!("__argument_{}", i);
            let value = if self.typed_arguments && super::expr::untyped_numbers(a) {
                self.typed_arguments = false;
                self.typed_expr(a, Want::Owned).tokens
            } else {
                self.expr(a, Want::Owned).tokens
            };
            lets.push(quote!(let #name = #value;));
            list.push(if *mode == ParamMode::Read && !a.ty.is_copy() {
                quote!(&#name)
            } else {
                quote!(#name)
            });
        }
        self.no_moves -= 1;
        (lets, list)
    }

    /// Whether a mutating method's arguments (or the receiver's own
    /// indices) read the receiver, whose mutable borrow Rust does not
    /// defer: a `Cow`'s `to_mut()`, a lock guard, an element or field.
    /// A plain local's borrow is two-phase, so `xs.push(xs.length())`
    /// stays as written (unless the argument changes it too).
    pub(super) fn receiver_read_by_arguments(&self, receiver: &Expr, args: &[Expr]) -> bool {
        let Some(base) = base_local(receiver) else {
            return false;
        };
        let deferred = matches!(receiver.kind, K::Local { .. })
            && matches!(self.local_repr(base), Repr::Value | Repr::MutRef);
        // A deferred borrow still allows no change in the arguments
        // (`xs.insert(0, xs.pop()…)`).
        index_reads_base(receiver)
            || args
                .iter()
                .any(|a| mentions(a, base) && (!deferred || self.mutates_something(a)))
    }

    /// A mutating method call whose arguments are evaluated first into
    /// `__argument_N` (each in its form), then the receiver.
    pub(super) fn method_after_arguments(
        &mut self,
        receiver: &Expr,
        name: TokenStream,
        arguments: &[(&Expr, ArgumentForm)],
    ) -> Lowered {
        let mut lets = Vec::new();
        let mut names = Vec::new();
        for (i, (a, form)) in arguments.iter().enumerate() {
            let name = format_ident!("__argument_{}", i + 1);
            let value = match form {
                ArgumentForm::Owned | ArgumentForm::Key => {
                    self.no_moves += 1;
                    let value = self.expr(a, Want::Owned).tokens;
                    self.no_moves -= 1;
                    value
                }
                ArgumentForm::Index => self.index(a),
            };
            lets.push(quote!(let #name = #value;));
            names.push(match form {
                ArgumentForm::Key => quote!(&#name),
                _ => quote!(#name),
            });
        }
        let (indices, r) = self.place_with_indices_first(receiver, true, Self::mutable_receiver);
        lets.extend(indices);
        self.after(lets, quote!(#r.#name(#(#names),*)))
    }

    /// Lowers `work` with the locals of the receiver and arguments pinned
    /// (cloned, not moved) where another argument reads them too.
    pub(super) fn with_receiver_pinned<T>(
        &mut self,
        args: &[Expr],
        work: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let depth = self.pinned.len();
        // A local read by one argument (or the receiver) that another
        // argument reads too stays borrowed while the other is evaluated.
        for (i, a) in args.iter().enumerate() {
            let Some(base) = base_local(a) else { continue };
            let elsewhere = args
                .iter()
                .enumerate()
                .any(|(j, other)| j != i && mentions(other, base));
            if elsewhere {
                self.pinned.push(base);
            }
        }
        let result = work(self);
        self.pinned.truncate(depth);
        result
    }

    /// For a built-in method that only reads its receiver, when an argument
    /// changes the receiver's variable (`xs.get(xs.pop().unwrap_or(0))`):
    /// the name of a copy of the receiver and the `let` that takes it. The
    /// reference evaluates the receiver first, so the method sees the value
    /// from before the change, and Rust could not borrow it across the
    /// change anyway.
    pub(super) fn receiver_copied_first(
        &mut self,
        method: crate::ir::BuiltinMethod,
        args: &[Expr],
    ) -> Option<(TokenStream, TokenStream)> {
        let changes_receiver = method.changes_receiver();
        let (receiver, rest) = args.split_first()?;
        if changes_receiver || receiver.ty.is_copy() {
            return None;
        }
        if !self.reads_what_arguments_change(receiver, rest) {
            return None;
        }
        self.no_moves += 1;
        // Only read, a literal list is an array (clippy: useless_vec).
        let value = match super::expr::literal_list(receiver) {
            Some(items) => self.array_literal(items),
            None => self.expr(receiver, Want::Owned).tokens,
        };
        self.no_moves -= 1;
        Some((quote!(__receiver), quote!(let __receiver = #value;)))
    }

    /// Whether an argument changes a variable the receiver reads
    /// (`(if c { xs } else { ys })` reads both; `x.clone()` reads `x`).
    pub(super) fn reads_what_arguments_change(&self, receiver: &Expr, args: &[Expr]) -> bool {
        let mut read = Vec::new();
        crate::ir::walk_expr(
            receiver,
            &mut |e| {
                if let K::Local { id, .. } = e.kind {
                    read.push(id);
                }
            },
            &mut |_| {},
        );
        read.iter()
            .any(|&id| args.iter().any(|a| self.expr_changes(a, id)))
    }

    /// `{ lets… value }`, or `value` alone when nothing was evaluated first.
    pub(super) fn after(&self, lets: Vec<TokenStream>, value: TokenStream) -> Lowered {
        if lets.is_empty() {
            return super::expr::atom(value);
        }
        Lowered {
            tokens: quote!({ #(#lets)* #value }),
            prec: Prec::Range,
        }
    }
}

/// The locals that one argument (or the receiver, `receiver_base`)
/// borrows while another argument reads them: those must not move.
fn borrowed_elsewhere(
    args: &[Expr],
    modes: &[ParamMode],
    receiver_base: Option<LocalId>,
) -> Vec<LocalId> {
    let borrowed = args
        .iter()
        .zip(modes)
        .filter(|(a, m)| **m != ParamMode::Owned && !a.ty.is_copy())
        .filter_map(|(a, _)| base_local(a))
        .chain(receiver_base);
    borrowed
        .filter(|id| {
            args.iter().filter(|a| mentions(a, *id)).count()
                > usize::from(receiver_base != Some(*id))
        })
        .collect()
}

impl Lowerer<'_> {
    /// Whether running `block` may change local `id` (an assignment, a
    /// mutating method, a `mutable` argument or receiver).
    pub(super) fn block_changes(&self, block: &crate::ir::Block, id: LocalId) -> bool {
        let found = std::cell::Cell::new(false);
        crate::ir::walk_block(
            block,
            &mut |e| found.set(found.get() || self.node_changes(e, id)),
            &mut |s| found.set(found.get() || stmt_changes(s, id)),
        );
        found.get()
    }

    /// Whether evaluating `e` may change local `id`.
    pub(super) fn expr_changes(&self, e: &Expr, id: LocalId) -> bool {
        let found = std::cell::Cell::new(false);
        crate::ir::walk_expr(
            e,
            &mut |e| found.set(found.get() || self.node_changes(e, id)),
            &mut |s| found.set(found.get() || stmt_changes(s, id)),
        );
        found.get()
    }

    /// Whether this one expression node (not what is inside it) changes `id`.
    fn node_changes(&self, e: &Expr, id: LocalId) -> bool {
        use crate::ir::{Builtin, FunctionKind};
        let program = self.program;
        match &e.kind {
            K::Builtin {
                builtin: Builtin::Method(m),
                args,
            } if m.changes_receiver() => base_local(&args[0]) == Some(id),
            K::Call { function, args } => program.functions[*function]
                .params
                .iter()
                .zip(args)
                .any(|(p, a)| p.mode == ParamMode::Mutable && base_local(a) == Some(id)),
            K::MethodCall {
                function,
                receiver,
                args,
            } => {
                let f = &program.functions[*function];
                let mutable_self = matches!(
                    f.kind,
                    FunctionKind::Method {
                        receiver: Some(ParamMode::Mutable | ParamMode::Owned),
                        ..
                    }
                );
                (mutable_self && base_local(receiver) == Some(id))
                    || f.params
                        .iter()
                        .zip(args)
                        .any(|(p, a)| p.mode == ParamMode::Mutable && base_local(a) == Some(id))
            }
            _ => false,
        }
    }
}

/// Whether a statement (not what is inside it) assigns to `id`.
fn stmt_changes(s: &crate::ir::Stmt, id: LocalId) -> bool {
    matches!(s, crate::ir::Stmt::Assign { target, .. } if base_local(target) == Some(id))
}
