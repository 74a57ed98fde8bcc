//! Dead stores: a value assigned to a local (by `let_…` or `=`) that no
//! later code reads. rustc warns about them in the generated code; the
//! checker finds them first, by backward liveness over the structured IR,
//! so the warning is Parseltongue's, with a Parseltongue span.

use crate::ir::{Block, Expr, ExprKind, Local, LocalId, Pattern, Repr, Stmt};
use crate::source::Span;
use std::collections::BTreeSet;

type Live = BTreeSet<LocalId>;

/// A store that nothing reads: the local and where the value was stored.
pub(crate) struct DeadStore {
    pub local: LocalId,
    pub span: Span,
}

struct Analysis<'a> {
    locals: &'a [Local],
    dead: Vec<DeadStore>,
    /// Live sets at `break` and `continue` of the loops around the code.
    loops: Vec<(Live, Live)>,
    /// Only the final pass over a loop body records dead stores.
    recording: bool,
}

/// The dead stores of a function body.
pub(crate) fn dead_stores(block: &Block, locals: &[Local]) -> Vec<DeadStore> {
    let mut analysis = Analysis {
        locals,
        dead: Vec::new(),
        loops: Vec::new(),
        recording: true,
    };
    analysis.block(block, Live::new());
    analysis.dead.sort_by_key(|d| (d.span.start, d.local));
    analysis.dead.dedup_by_key(|d| (d.span.start, d.local));
    analysis.dead
}

impl Analysis<'_> {
    /// Only owned plain locals can hold a dead value; writes through a
    /// reference, a lock guard or a `Cow` are seen elsewhere.
    fn tracked(&self, id: LocalId) -> bool {
        let local = &self.locals[id];
        local.repr == Repr::Value
            && local.used
            && !local.name.starts_with('_')
            && local.name != "self"
    }

    fn store(&mut self, id: LocalId, live: &Live, span: Span) {
        if self.recording && self.tracked(id) && !live.contains(&id) {
            self.dead.push(DeadStore { local: id, span });
        }
    }

    fn block(&mut self, block: &Block, live_after: Live) -> Live {
        let mut live = live_after;
        if let Some(tail) = &block.tail {
            live = self.expr(tail, live);
        }
        for stmt in block.stmts.iter().rev() {
            live = self.stmt(stmt, live);
        }
        live
    }

    fn stmt(&mut self, stmt: &Stmt, live: Live) -> Live {
        match stmt {
            Stmt::Let { local, value, .. } => {
                let mut live = live;
                self.store(*local, &live, self.locals[*local].span);
                live.remove(local);
                self.expr(value, live)
            }
            Stmt::Assign { target, op, value } => {
                let mut live = live;
                if let ExprKind::Local { id, .. } = target.kind {
                    self.store(id, &live, target.span);
                    live.remove(&id);
                    if op.is_some() {
                        live.insert(id);
                    }
                } else {
                    live = self.expr(target, live);
                }
                self.expr(value, live)
            }
            Stmt::Expr(e) => self.expr(e, live),
            Stmt::Return(value) => match value {
                Some(e) => self.expr(e, Live::new()),
                None => Live::new(),
            },
            Stmt::Break => self
                .loops
                .last()
                .map(|(after, _)| after.clone())
                .unwrap_or_default(),
            Stmt::Continue => self
                .loops
                .last()
                .map(|(_, head)| head.clone())
                .unwrap_or_default(),
            Stmt::While { condition, body } => self.looped(&live, |this, head| {
                let body_live = this.block(body, head.clone());
                let mut at_head = this.expr(condition, live.clone());
                at_head.extend(this.expr(condition, body_live));
                at_head
            }),
            Stmt::Loop(body) => self.looped(&live, |this, head| this.block(body, head.clone())),
            Stmt::For { iterable, body, .. } => {
                let head = self.looped(&live, |this, head| {
                    let mut at_head = this.block(body, head.clone());
                    at_head.extend(live.iter().copied());
                    at_head
                });
                self.expr(iterable, head)
            }
            Stmt::WithLock { shared, body, .. } => {
                let mut live = self.block(body, live);
                live.insert(*shared);
                live
            }
        }
    }

    /// The live set at the head of a loop, by iterating to a fixed point;
    /// dead stores are recorded only on the last, stable pass.
    fn looped(&mut self, after: &Live, mut step: impl FnMut(&mut Self, &Live) -> Live) -> Live {
        let recording = self.recording;
        self.recording = false;
        let mut head = after.clone();
        loop {
            self.loops.push((after.clone(), head.clone()));
            let next = step(self, &head);
            self.loops.pop();
            let grown: Live = head.union(&next).copied().collect();
            if grown == head {
                break;
            }
            head = grown;
        }
        self.recording = recording;
        if recording {
            self.loops.push((after.clone(), head.clone()));
            step(self, &head);
            self.loops.pop();
        }
        head
    }

    fn pattern_bindings(pattern: &Pattern, out: &mut Vec<LocalId>) {
        match pattern {
            Pattern::Binding(id) => out.push(*id),
            Pattern::Variant { args, .. } => {
                args.iter().for_each(|p| Self::pattern_bindings(p, out))
            }
            Pattern::Some(p) | Pattern::Ok(p) | Pattern::Err(p) => Self::pattern_bindings(p, out),
            _ => {}
        }
    }

    /// Reads in `e`, evaluated before the code whose live set is `live`.
    fn expr(&mut self, e: &Expr, live: Live) -> Live {
        match &e.kind {
            ExprKind::Local { id, .. } => {
                let mut live = live;
                live.insert(*id);
                live
            }
            ExprKind::If {
                branches,
                otherwise,
            } => {
                let mut result = match otherwise {
                    Some(b) => self.block(b, live.clone()),
                    None => live.clone(),
                };
                for (condition, block) in branches.iter().rev() {
                    let taken = self.block(block, live.clone());
                    let joined: Live = taken.union(&result).copied().collect();
                    result = self.expr(condition, joined);
                }
                result
            }
            ExprKind::Match { scrutinee, arms } => {
                let mut joined = Live::new();
                for (pattern, body) in arms {
                    let mut arm = self.expr(body, live.clone());
                    let mut bound = Vec::new();
                    Self::pattern_bindings(pattern, &mut bound);
                    for id in bound {
                        arm.remove(&id);
                    }
                    joined.extend(arm);
                }
                self.expr(scrutinee, joined)
            }
            ExprKind::Block(b) => self.block(b, live),
            ExprKind::SpawnThread { captures, body } => {
                // The thread runs at an unknown time: everything it reads
                // stays live, and its own stores are its business.
                let mut live = live;
                live.extend(captures.iter().copied());
                crate::ir::walk_block(
                    body,
                    &mut |inner| {
                        if let ExprKind::Local { id, .. } = inner.kind {
                            live.insert(id);
                        }
                    },
                    &mut |_| {},
                );
                live
            }
            _ => {
                // Every other expression reads its parts left to right; the
                // reads are collected without regard to order, which is
                // exact for liveness (no stores happen inside expressions).
                let mut live = live;
                crate::ir::walk_expr(
                    e,
                    &mut |inner| {
                        if let ExprKind::Local { id, .. } = inner.kind {
                            live.insert(id);
                        }
                    },
                    &mut |_| {},
                );
                live
            }
        }
    }
}
