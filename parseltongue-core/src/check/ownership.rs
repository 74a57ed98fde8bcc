//! Which reads of a local may move its value instead of cloning it.
//!
//! A read of an owned, non-`Copy` local is a move when it is the local's
//! last use in evaluation order and is not inside a loop (or thread) that
//! the local was declared outside of; every other read that needs an owned
//! value clones. Reads of a `let_cow_var` count as reads of the local it
//! borrows, so a borrowed local is never moved while the borrow lives; nor
//! is a local read beside an earlier read of it in the same operator,
//! call or record (`a.trim() < a`), which may be a borrow still held.
//!
//! A local assigned a new value moves its last read inside that value
//! even in a loop (`chain = Node { next: Some(chain) }`): every later read
//! sees the new value.

use crate::ir::{Block, Expr, ExprKind, Local, LocalId, Pattern, Repr, Stmt};

/// How many of a local's latest reads its next read is compared with.
const EARLIER_READS: usize = 8;

struct Walker {
    counter: usize,
    loop_depth: usize,
    decl_depth: Vec<usize>,
    last: Vec<Option<(usize, usize)>>,
    cow_source: Vec<Option<LocalId>>,
    /// The expressions around the one being walked: each numbered, and
    /// marked when its parts are evaluated one after another while the
    /// earlier ones are kept (operands, arguments).
    groups: Vec<(usize, bool)>,
    next_group: usize,
    /// The groups around each local's latest reads.
    read_in: Vec<Vec<Vec<(usize, bool)>>>,
    /// Whether a local's last read is an operand beside an earlier read of
    /// it: the earlier one may be a borrow still in use there
    /// (`a.as_str() > a`), so the last one cannot move.
    beside_earlier_read: Vec<bool>,
    /// Second pass: the positions to mark.
    marking: bool,
    /// Locals matched by the `match` expressions around the walk, whose
    /// bindings may view them: read in an arm, they are not moved.
    matched: Vec<LocalId>,
    /// Each local's latest read: its position, and whether it was beside
    /// an earlier read.
    latest_read: Vec<Option<((usize, usize), bool)>>,
    /// Reads that move because the local is assigned right after them.
    replaced_after: rustc_hash::FxHashSet<usize>,
}

/// Sets `moved` on the reads that may move.
pub(crate) fn mark_moves(block: &mut Block, locals: &mut [Local]) {
    let n = locals.len();
    let mut walker = Walker {
        counter: 0,
        loop_depth: 0,
        decl_depth: vec![0; n],
        last: vec![None; n],
        cow_source: vec![None; n],
        groups: Vec::new(),
        next_group: 0,
        read_in: vec![Vec::new(); n],
        beside_earlier_read: vec![false; n],
        marking: false,
        matched: Vec::new(),
        latest_read: vec![None; n],
        replaced_after: rustc_hash::FxHashSet::default(),
    };
    walker.block(block, locals);
    walker.counter = 0;
    walker.loop_depth = 0;
    walker.marking = true;
    walker.block(block, locals);
}

/// `e` seen through `.clone()`.
fn copied(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Builtin {
            builtin: crate::ir::Builtin::Method(crate::ir::BuiltinMethod::Clone),
            args,
        } => copied(&args[0]),
        _ => e,
    }
}

/// Whether `e` contains a `break` or `continue`.
fn leaves_loop(e: &Expr) -> bool {
    let mut found = false;
    crate::ir::walk_expr(e, &mut |_| {}, &mut |s| {
        found |= matches!(s, Stmt::Break | Stmt::Continue);
    });
    found
}

fn root_local(e: &Expr) -> Option<LocalId> {
    match &e.kind {
        ExprKind::Local { id, .. } => Some(*id),
        ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => root_local(base),
        // Text a method takes from its receiver (`s.trim()`) may be a view
        // of it, which a `match` binds.
        ExprKind::Builtin {
            builtin: crate::ir::Builtin::Method(_),
            args,
        } if e.ty == crate::ir::Ty::Str => args.first().and_then(root_local),
        _ => None,
    }
}

impl Walker {
    fn declare(&mut self, id: LocalId) {
        if let Some(d) = self.decl_depth.get_mut(id) {
            *d = self.loop_depth;
        }
    }

    fn read(&mut self, id: LocalId, moved: &mut bool, locals: &[Local]) {
        self.counter += 1;
        let position = (self.counter, self.loop_depth);
        if self.marking {
            let local = &locals[id];
            *moved = ((self.last[id] == Some(position)
                && !self.beside_earlier_read[id]
                && self.decl_depth[id] == self.loop_depth
                && matches!(local.repr, Repr::Value | Repr::Cow))
                || (self.replaced_after.contains(&self.counter) && local.repr == Repr::Value))
                && !local.ty.is_copy();
            return;
        }
        self.last[id] = Some(position);
        let groups = &self.groups;
        self.beside_earlier_read[id] = self.read_in[id].iter().any(|earlier| {
            let common = earlier
                .iter()
                .zip(groups)
                .take_while(|(a, b)| a == b)
                .last();
            common.is_some_and(|(&(_, operands), _)| operands)
        }) || self.matched.contains(&id);
        self.latest_read[id] = Some((position, self.beside_earlier_read[id]));
        self.remember_read(id);
        let mut source = self.cow_source[id];
        while let Some(s) = source {
            self.last[s] = Some((usize::MAX, 0));
            // A read of the borrow is a read of what it borrows: in
            // `view.lines().contains(source)` the source cannot move.
            self.remember_read(s);
            source = self.cow_source[s];
        }
    }

    /// `id = value`: the last read of `id` inside `value` may move, if
    /// nothing can leave `value` between that read and the assignment
    /// (`break`, `continue`) and nothing views `id` meanwhile.
    fn replaced_after_read(&mut self, id: LocalId, before: usize, value: &Expr) {
        if self.marking {
            return;
        }
        let Some(((at, depth), beside)) = self.latest_read[id] else {
            return;
        };
        let viewed = self.matched.contains(&id) || self.cow_source.contains(&Some(id));
        if at > before && depth == self.loop_depth && !beside && !viewed && !leaves_loop(value) {
            self.replaced_after.insert(at);
        }
    }

    /// Keeps the groups around a read of `id` (its latest reads only).
    fn remember_read(&mut self, id: LocalId) {
        let reads = &mut self.read_in[id];
        if reads.len() == EARLIER_READS {
            reads.remove(0);
        }
        reads.push(self.groups.clone());
    }

    fn block(&mut self, block: &mut Block, locals: &[Local]) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            for stmt in &mut block.stmts {
                self.stmt(stmt, locals);
            }
            if let Some(tail) = &mut block.tail {
                self.expr(tail, locals);
            }
        });
    }

    fn looped(&mut self, f: impl FnOnce(&mut Self)) {
        self.loop_depth += 1;
        f(self);
        self.loop_depth -= 1;
    }

    /// Walks `f` inside a new group: `operands` when its parts are kept
    /// while the next ones are evaluated, not when only one runs (branches)
    /// or each ends before the next (statements).
    fn grouped(&mut self, operands: bool, f: impl FnOnce(&mut Self)) {
        self.next_group += 1;
        self.groups.push((self.next_group, operands));
        f(self);
        self.groups.pop();
    }

    fn stmt(&mut self, stmt: &mut Stmt, locals: &[Local]) {
        self.grouped(false, |w| w.stmt_inner(stmt, locals));
    }

    fn stmt_inner(&mut self, stmt: &mut Stmt, locals: &[Local]) {
        match stmt {
            Stmt::Let { local, value, .. } => {
                self.expr(value, locals);
                if locals[*local].repr == Repr::Cow {
                    self.cow_source[*local] = root_local(value);
                }
                self.declare(*local);
            }
            Stmt::Assign { target, value, .. } => {
                let before = self.counter;
                self.expr(value, locals);
                // `x = x` and `x = x.clone()` stay as written.
                let itself = matches!((&target.kind, &copied(value).kind),
                    (ExprKind::Local { id: a, .. }, ExprKind::Local { id: b, .. }) if a == b);
                if let (ExprKind::Local { id, .. }, false) = (&target.kind, itself) {
                    self.replaced_after_read(*id, before, value);
                }
                // The target is written, not read; but reading through a
                // field or index reads its root.
                match &mut target.kind {
                    ExprKind::Local { .. } => {}
                    _ => self.expr(target, locals),
                }
            }
            Stmt::Expr(e) => self.expr(e, locals),
            Stmt::Return(Some(e)) => self.expr(e, locals),
            Stmt::Return(None) | Stmt::Break | Stmt::Continue => {}
            Stmt::While { condition, body } => self.looped(|w| {
                w.expr(condition, locals);
                w.block(body, locals);
            }),
            Stmt::For {
                local,
                iterable,
                body,
            } => {
                self.expr(iterable, locals);
                self.looped(|w| {
                    w.declare(*local);
                    w.block(body, locals);
                });
            }
            Stmt::Loop(body) => self.looped(|w| w.block(body, locals)),
        }
    }

    fn pattern(&mut self, pattern: &Pattern) {
        match pattern {
            Pattern::Binding(id) => self.declare(*id),
            Pattern::Variant { args, .. } => args.iter().for_each(|p| self.pattern(p)),
            Pattern::Some(p) | Pattern::Ok(p) | Pattern::Err(p) => self.pattern(p),
            _ => {}
        }
    }

    fn expr(&mut self, e: &mut Expr, locals: &[Local]) {
        // The stack is checked once per block, not per expression: input
        // that nests deeply runs on the compiler's own large stack (see
        // `text_may_recurse_deeply` in lib.rs), and the rest stays shallow.
        match &mut e.kind {
            ExprKind::Local { id, moved } => self.read(*id, moved, locals),
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Ordering(_)
            | ExprKind::Const(_)
            | ExprKind::Template { .. }
            | ExprKind::Error => {}
            ExprKind::Call { args, .. }
            | ExprKind::Builtin { args, .. }
            | ExprKind::Variant { args, .. } => self.grouped(true, |w| {
                args.iter_mut().for_each(|a| w.expr(a, locals));
            }),
            ExprKind::Record { fields, .. } => self.grouped(true, |w| {
                fields.iter_mut().for_each(|(_, a)| w.expr(a, locals));
            }),
            ExprKind::MethodCall { receiver, args, .. } => self.grouped(true, |w| {
                w.expr(receiver, locals);
                args.iter_mut().for_each(|a| w.expr(a, locals));
            }),
            ExprKind::Field { base, .. } => self.expr(base, locals),
            ExprKind::Index { base, index } => {
                self.expr(base, locals);
                self.expr(index, locals);
            }
            ExprKind::Unary { operand, .. } => self.expr(operand, locals),
            ExprKind::Binary { first, rest } => self.grouped(true, |w| {
                w.expr(first, locals);
                rest.iter_mut().for_each(|(_, r)| w.expr(r, locals));
            }),
            ExprKind::Propagate(inner) => self.expr(inner, locals),
            // The function runs once per element or pair, as in a loop.
            ExprKind::FunctionArgument { params, call } => self.looped(|w| {
                params.iter().for_each(|&p| w.declare(p));
                w.expr(call, locals);
            }),
            ExprKind::If {
                branches,
                otherwise,
            } => self.grouped(false, |w| {
                for (c, b) in branches {
                    w.expr(c, locals);
                    w.block(b, locals);
                }
                if let Some(b) = otherwise {
                    w.block(b, locals);
                }
            }),
            ExprKind::Match { scrutinee, arms } => self.grouped(false, |w| {
                w.expr(scrutinee, locals);
                let viewed = root_local(scrutinee);
                w.matched.extend(viewed);
                for (p, body) in arms {
                    w.pattern(p);
                    w.expr(body, locals);
                }
                if viewed.is_some() {
                    w.matched.pop();
                }
            }),
            ExprKind::Block(b) => self.block(b, locals),
            ExprKind::WithEntry {
                map,
                key,
                default,
                value,
                body,
            } => {
                // The map is changed in place, not read as a value.
                if !matches!(map.kind, ExprKind::Local { .. }) {
                    self.expr(map, locals);
                }
                self.expr(key, locals);
                self.expr(default, locals);
                self.declare(*value);
                self.block(body, locals);
            }
            ExprKind::WithLock { guard, body, .. } => {
                self.declare(*guard);
                self.block(body, locals);
            }
            ExprKind::SpawnThread { body, .. } => self.looped(|w| w.block(body, locals)),
        }
    }
}
