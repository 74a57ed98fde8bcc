//! Dead stores: a value assigned to a local (by `let_…` or `=`) that no
//! later code reads. rustc warns about them in the generated code; the
//! checker finds them first, by backward liveness over the structured IR,
//! so the warning is Parseltongue's, with a Parseltongue span.

use crate::ir::{Block, Expr, ExprKind, Local, LocalId, Pattern, Repr, Stmt};
use crate::source::Span;

/// The set of live tracked locals, one bit each (see [`Analysis::bits`]).
type Live = u128;

/// A store that nothing reads: the local and where the value was stored.
pub(crate) struct DeadStore {
    pub local: LocalId,
    pub span: Span,
}

struct Analysis<'a> {
    locals: &'a [Local],
    /// The bit of each tracked local (`None` for the others).
    bits: Vec<Option<u32>>,
    dead: Vec<DeadStore>,
    /// Live sets at `break` and `continue` of the loops around the code.
    loops: Vec<(Live, Live)>,
    /// Only the final pass over a loop body records dead stores.
    recording: bool,
}

/// The dead stores of a function body.
pub(crate) fn dead_stores(block: &Block, locals: &[Local]) -> Vec<DeadStore> {
    // Only an owned local (or a `let_cow_var`, whose stores rustc sees the
    // same way) that is written after its `let` can hold a dead value: one
    // written once and never read is an unused binding (PT0501). Writes
    // through a reference or a lock guard are seen elsewhere.
    let mut next_bit = 0u32;
    let bits: Vec<Option<u32>> = locals
        .iter()
        .map(|local| {
            let tracked = matches!(local.repr, Repr::Value | Repr::Cow)
                && local.mutated
                && local.used
                && !local.name.starts_with('_')
                && local.name != "self";
            (tracked && next_bit < Live::BITS).then(|| {
                next_bit += 1;
                next_bit - 1
            })
        })
        .collect();
    if next_bit == 0 {
        return Vec::new();
    }
    let mut analysis = Analysis {
        locals,
        bits,
        dead: Vec::new(),
        loops: Vec::new(),
        recording: true,
    };
    analysis.block(block, 0);
    analysis.dead.sort_by_key(|d| (d.span.start, d.local));
    analysis.dead.dedup_by_key(|d| (d.span.start, d.local));
    analysis.dead
}

impl Analysis<'_> {
    fn bit(&self, id: LocalId) -> Live {
        self.bits.get(id).copied().flatten().map_or(0, |b| 1 << b)
    }

    fn store(&mut self, id: LocalId, live: Live, span: Span) {
        let bit = self.bit(id);
        if self.recording && bit != 0 && live & bit == 0 {
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
                self.store(*local, live, self.locals[*local].span);
                let live = live & !self.bit(*local);
                self.expr(value, live)
            }
            Stmt::Assign { target, op, value } => {
                let mut live = live;
                if let ExprKind::Local { id, .. } = target.kind {
                    self.store(id, live, target.span);
                    live &= !self.bit(id);
                    if op.is_some() {
                        live |= self.bit(id);
                    }
                } else {
                    live = self.expr(target, live);
                }
                self.expr(value, live)
            }
            Stmt::Expr(e) => self.expr(e, live),
            Stmt::Return(Some(e)) => self.expr(e, 0),
            Stmt::Return(None) => 0,
            Stmt::Break => self.loops.last().map_or(0, |&(after, _)| after),
            Stmt::Continue => self.loops.last().map_or(0, |&(_, head)| head),
            Stmt::While { condition, body } => self.looped(live, |this, head| {
                let body_live = this.block(body, head);
                this.expr(condition, live) | this.expr(condition, body_live)
            }),
            Stmt::Loop(body) => self.looped(live, |this, head| this.block(body, head)),
            Stmt::For { iterable, body, .. } => {
                let head = self.looped(live, |this, head| this.block(body, head) | live);
                self.expr(iterable, head)
            }
        }
    }

    /// The live set at the head of a loop, by iterating to a fixed point;
    /// dead stores are recorded only on the last, stable pass.
    fn looped(&mut self, after: Live, mut step: impl FnMut(&mut Self, Live) -> Live) -> Live {
        let recording = self.recording;
        self.recording = false;
        let mut head = after;
        loop {
            self.loops.push((after, head));
            let next = step(self, head);
            self.loops.pop();
            if head | next == head {
                break;
            }
            head |= next;
        }
        self.recording = recording;
        if recording {
            self.loops.push((after, head));
            step(self, head);
            self.loops.pop();
        }
        head
    }

    fn pattern_bindings(pattern: &Pattern, out: &mut Vec<LocalId>) {
        match pattern {
            Pattern::Binding(id) => out.push(*id),
            Pattern::Variant { args, .. } => {
                args.iter().for_each(|p| Self::pattern_bindings(p, out));
            }
            Pattern::Some(p) | Pattern::Ok(p) | Pattern::Err(p) => Self::pattern_bindings(p, out),
            _ => {}
        }
    }

    /// The live set before `e`, given the live set after it.
    fn expr(&mut self, e: &Expr, live: Live) -> Live {
        match &e.kind {
            ExprKind::Local { id, .. } => live | self.bit(*id),
            ExprKind::If {
                branches,
                otherwise,
            } => {
                let mut result = match otherwise {
                    Some(b) => self.block(b, live),
                    None => live,
                };
                for (condition, block) in branches.iter().rev() {
                    let taken = self.block(block, live);
                    result = self.expr(condition, taken | result);
                }
                result
            }
            ExprKind::Match { scrutinee, arms } => {
                let mut joined = 0;
                for (pattern, body) in arms {
                    let mut arm = self.expr(body, live);
                    let mut bound = Vec::new();
                    Self::pattern_bindings(pattern, &mut bound);
                    for id in bound {
                        arm &= !self.bit(id);
                    }
                    joined |= arm;
                }
                self.expr(scrutinee, joined)
            }
            ExprKind::Block(b) => self.block(b, live),
            ExprKind::WithLock { shared, body, .. } => self.block(body, live) | self.bit(*shared),
            ExprKind::WithEntry {
                map,
                key,
                default,
                body,
                ..
            } => {
                // The map, the key, then (maybe) the inserted value, then
                // the block.
                let live = self.block(body, live);
                let live = self.expr(default, live);
                let live = self.expr(key, live);
                self.expr(map, live)
            }
            _ => {
                // Everything else only reads (a thread's body included: it
                // runs at an unknown time, so whatever it reads stays live).
                // Reads are gathered regardless of order, which is exact
                // for liveness since no store happens inside them.
                let mut live = live;
                let bits = &self.bits;
                let bit = |id: LocalId| bits.get(id).copied().flatten().map_or(0, |b| 1 << b);
                crate::ir::walk_expr(
                    e,
                    &mut |inner| {
                        if let ExprKind::Local { id, .. } = inner.kind {
                            live |= bit(id);
                        }
                    },
                    &mut |_| {},
                );
                if let ExprKind::SpawnThread { captures, .. } = &e.kind {
                    live = captures.iter().fold(live, |l, id| l | bit(*id));
                }
                live
            }
        }
    }
}
