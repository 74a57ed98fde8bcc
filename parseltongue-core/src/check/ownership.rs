//! Which reads of a local may move its value instead of cloning it.
//!
//! A read of an owned, non-`Copy` local is a move when it is the local's
//! last use in evaluation order and is not inside a loop (or thread) that
//! the local was declared outside of; every other read that needs an owned
//! value clones. Reads of a `let_cow_var` count as reads of the local it
//! borrows, so a borrowed local is never moved while the borrow lives.

use crate::ir::{Block, Expr, ExprKind, Local, LocalId, Pattern, Repr, Stmt};

struct Walker {
    counter: usize,
    loop_depth: usize,
    decl_depth: Vec<usize>,
    last: Vec<Option<(usize, usize)>>,
    cow_source: Vec<Option<LocalId>>,
    /// Second pass: the positions to mark.
    marking: bool,
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
        marking: false,
    };
    walker.block(block, locals);
    walker.counter = 0;
    walker.loop_depth = 0;
    walker.marking = true;
    walker.block(block, locals);
}

fn root_local(e: &Expr) -> Option<LocalId> {
    match &e.kind {
        ExprKind::Local { id, .. } => Some(*id),
        ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => root_local(base),
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
            *moved = self.last[id] == Some(position)
                && self.decl_depth[id] == self.loop_depth
                && matches!(local.repr, Repr::Value | Repr::Cow)
                && !local.ty.is_copy();
            return;
        }
        self.last[id] = Some(position);
        let mut source = self.cow_source[id];
        while let Some(s) = source {
            self.last[s] = Some((usize::MAX, 0));
            source = self.cow_source[s];
        }
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

    fn stmt(&mut self, stmt: &mut Stmt, locals: &[Local]) {
        match stmt {
            Stmt::Let { local, value, .. } => {
                self.expr(value, locals);
                if locals[*local].repr == Repr::Cow {
                    self.cow_source[*local] = root_local(value);
                }
                self.declare(*local);
            }
            Stmt::Assign { target, value, .. } => {
                self.expr(value, locals);
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
            | ExprKind::Const(_)
            | ExprKind::Template { .. }
            | ExprKind::Error => {}
            ExprKind::Call { args, .. }
            | ExprKind::Builtin { args, .. }
            | ExprKind::Variant { args, .. } => {
                args.iter_mut().for_each(|a| self.expr(a, locals));
            }
            ExprKind::Record { fields, .. } => fields.iter_mut().for_each(|a| self.expr(a, locals)),
            ExprKind::MethodCall { receiver, args, .. } => {
                self.expr(receiver, locals);
                args.iter_mut().for_each(|a| self.expr(a, locals));
            }
            ExprKind::Field { base, .. } => self.expr(base, locals),
            ExprKind::Index { base, index } => {
                self.expr(base, locals);
                self.expr(index, locals);
            }
            ExprKind::Unary { operand, .. } => self.expr(operand, locals),
            ExprKind::Binary { first, rest } => {
                self.expr(first, locals);
                rest.iter_mut().for_each(|(_, r)| self.expr(r, locals));
            }
            ExprKind::Propagate(inner) => self.expr(inner, locals),
            ExprKind::If {
                branches,
                otherwise,
            } => {
                for (c, b) in branches {
                    self.expr(c, locals);
                    self.block(b, locals);
                }
                if let Some(b) = otherwise {
                    self.block(b, locals);
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee, locals);
                for (p, body) in arms {
                    self.pattern(p);
                    self.expr(body, locals);
                }
            }
            ExprKind::Block(b) => self.block(b, locals),
            ExprKind::WithLock { guard, body, .. } => {
                self.declare(*guard);
                self.block(body, locals);
            }
            ExprKind::SpawnThread { body, .. } => self.looped(|w| w.block(body, locals)),
        }
    }
}
