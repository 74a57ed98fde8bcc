//! Statements and expressions.

use super::arith;
use super::machine::{position, unsupported, Eval, Flow, Machine, Place, Step};
use super::value::{SharedCell, Value};
use parseltongue_core::ir::{Block, Expr, ExprKind as K, Pattern, Repr, Stmt};
use parseltongue_core::syntax::ast::BinaryOp;
use std::rc::Rc;

impl Machine<'_> {
    pub fn block(&mut self, block: &Block) -> Eval<Value> {
        for stmt in &block.stmts {
            self.stmt(stmt)?;
        }
        match &block.tail {
            Some(tail) => self.expr(tail),
            None => Ok(Value::Unit),
        }
    }

    fn stmt(&mut self, stmt: &Stmt) -> Eval<()> {
        self.tick()?;
        match stmt {
            Stmt::Let { local, value, .. } => {
                let v = self.expr(value)?;
                let shared = self
                    .body()?
                    .locals
                    .get(*local)
                    .is_some_and(|l| l.repr == Repr::ArcMutex);
                let v = if shared {
                    Value::Shared(Rc::new(SharedCell::new(v)))
                } else {
                    v
                };
                self.set_local(*local, v)
            }
            Stmt::Assign { target, op, value } => self.assign(target, *op, value),
            Stmt::Expr(e) => self.expr(e).map(drop),
            Stmt::Return(value) => {
                let v = match value {
                    Some(e) => self.expr(e)?,
                    None => Value::Unit,
                };
                Err(Flow::Return(v))
            }
            Stmt::Break => Err(Flow::Break),
            Stmt::Continue => Err(Flow::Continue),
            Stmt::While { condition, body } => {
                while self.condition(condition)? {
                    if !self.loop_body(body)? {
                        break;
                    }
                }
                Ok(())
            }
            Stmt::Loop(body) => {
                while self.loop_body(body)? {}
                Ok(())
            }
            Stmt::For {
                local,
                iterable,
                body,
            } => self.for_loop(*local, iterable, body),
        }
    }

    /// Runs one iteration; false when the loop is left by `break`.
    fn loop_body(&mut self, body: &Block) -> Eval<bool> {
        self.tick()?;
        match self.block(body) {
            Ok(_) | Err(Flow::Continue) => Ok(true),
            Err(Flow::Break) => Ok(false),
            Err(other) => Err(other),
        }
    }

    fn for_loop(&mut self, local: usize, iterable: &Expr, body: &Block) -> Eval<()> {
        match self.expr(iterable)? {
            Value::Range {
                start,
                end,
                inclusive,
            } => {
                // Rust's own ranges, so `range_inclusive(a, i64::MAX)` ends.
                let mut run = |n: i64| -> Eval<bool> {
                    self.set_local(local, Value::Int(n))?;
                    self.loop_body(body)
                };
                if inclusive {
                    for n in start..=end {
                        if !run(n)? {
                            break;
                        }
                    }
                } else {
                    for n in start..end {
                        if !run(n)? {
                            break;
                        }
                    }
                }
                Ok(())
            }
            Value::List(items) => {
                for item in items.iter() {
                    self.set_local(local, item.clone())?;
                    if !self.loop_body(body)? {
                        break;
                    }
                }
                Ok(())
            }
            other => unsupported(format!("`for` over {}", other.kind())),
        }
    }

    fn condition(&mut self, e: &Expr) -> Eval<bool> {
        match self.expr(e)? {
            Value::Bool(b) => Ok(b),
            other => unsupported(format!("a condition of type {}", other.kind())),
        }
    }

    pub fn int(&mut self, e: &Expr) -> Eval<i64> {
        match self.expr(e)? {
            Value::Int(n) => Ok(n),
            other => unsupported(format!("{} where an i64 is expected", other.kind())),
        }
    }

    /// `target = value` and `target op= value`. As in Rust, the value is
    /// evaluated before the place (and so before its index is checked).
    fn assign(&mut self, target: &Expr, op: Option<BinaryOp>, value: &Expr) -> Eval<()> {
        let v = self.expr(value)?;
        let place = self.place(target)?;
        self.with_place(&place, |slot| {
            *slot = match op {
                None => v,
                Some(op) => arith::binary(op, slot, &v)?,
            };
            Ok(())
        })
    }

    /// The place a place expression (local, field, element) stands for.
    pub fn place(&mut self, e: &Expr) -> Eval<Place> {
        match &e.kind {
            K::Local { id, .. } => self.local_place(*id),
            K::Field { base, index } => {
                let mut place = self.place(base)?;
                place.path.push(Step::Field(*index));
                Ok(place)
            }
            K::Index { base, index } => {
                let mut place = self.place(base)?;
                let i = self.int(index)?;
                let len = match self.read_place(&place)? {
                    Value::List(items) => items.len(),
                    other => return unsupported(format!("indexing a {}", other.kind())),
                };
                place.path.push(Step::Index(position(i, len)?));
                Ok(place)
            }
            _ => unsupported("changing a value that is not a place"),
        }
    }

    pub fn expr(&mut self, e: &Expr) -> Eval<Value> {
        match &e.kind {
            K::Int(n) => Ok(Value::Int(*n)),
            K::Float(x) => Ok(Value::Float(*x)),
            K::Str(s) => Ok(Value::str(s)),
            K::Bool(b) => Ok(Value::Bool(*b)),
            K::Ordering(o) => Ok(Value::Ordering(*o)),
            K::FunctionArgument { .. } => unsupported("a function argument outside its method"),
            K::Local { id, .. } => self.local(*id),
            K::Const(id) => match self.program.constants.get(*id) {
                Some(c) => self.expr(&c.value),
                None => unsupported("an unknown constant"),
            },
            K::Call { function, args } => self.call_function(*function, args),
            K::MethodCall {
                function,
                receiver,
                args,
            } => self.call_method(*function, receiver, args),
            K::Builtin { builtin, args } => self.builtin(*builtin, args),
            K::Variant { ty, index, args } => {
                let payload = self.exprs(args)?;
                Ok(Value::Variant(*ty, *index, Rc::new(payload)))
            }
            K::Record { ty, fields } => {
                // Evaluated in the order written, stored in declaration order.
                let mut values = vec![Value::Unit; fields.len()];
                for (position, field) in fields {
                    let value = self.expr(field)?;
                    match values.get_mut(*position) {
                        Some(slot) => *slot = value,
                        None => return unsupported("a field outside its record"),
                    }
                }
                Ok(Value::Record(*ty, Rc::new(values)))
            }
            K::Field { base, index } => match self.expr(base)? {
                Value::Record(_, fields) => match fields.get(*index) {
                    Some(v) => Ok(v.clone()),
                    None => unsupported("a missing field"),
                },
                other => unsupported(format!("a field of a {}", other.kind())),
            },
            K::Index { base, index } => {
                let list = self.expr(base)?;
                let i = self.int(index)?;
                match list {
                    Value::List(items) => Ok(items[position(i, items.len())?].clone()),
                    other => unsupported(format!("indexing a {}", other.kind())),
                }
            }
            K::Unary { op, operand } => {
                let v = self.expr(operand)?;
                arith::unary(*op, &v)
            }
            K::Binary { first, rest } => self.binary(first, rest),
            K::Propagate(inner) => match self.expr(inner)? {
                Value::Option(Some(v)) => Ok((*v).clone()),
                Value::Result(Ok(v)) => Ok((*v).clone()),
                none @ Value::Option(None) => Err(Flow::Return(none)),
                Value::Result(Err(e)) => Err(Flow::Return(Value::Result(Err(e)))),
                other => unsupported(format!("`propagate` on {}", other.kind())),
            },
            K::If {
                branches,
                otherwise,
            } => {
                for (condition, block) in branches {
                    if self.condition(condition)? {
                        return self.block(block);
                    }
                }
                match otherwise {
                    Some(block) => self.block(block),
                    None => Ok(Value::Unit),
                }
            }
            K::Match { scrutinee, arms } => {
                let v = self.expr(scrutinee)?;
                for (pattern, body) in arms {
                    if self.matches(pattern, &v)? {
                        return self.expr(body);
                    }
                }
                unsupported("a `match` with no matching arm")
            }
            K::Block(block) => self.block(block),
            K::SpawnThread { body, .. } => self.spawn(body),
            K::WithLock {
                shared,
                guard,
                body,
            } => self.with_lock(*shared, *guard, body),
            K::WithEntry {
                map,
                key,
                default,
                value,
                body,
            } => self.with_entry(map, key, default, *value, body),
            K::Template { .. } => unsupported("a format template outside a format call"),
            K::Error => unsupported("an expression with an error"),
        }
    }

    pub fn exprs(&mut self, es: &[Expr]) -> Eval<Vec<Value>> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn binary(&mut self, first: &Expr, rest: &[(BinaryOp, Expr)]) -> Eval<Value> {
        let mut acc = self.expr(first)?;
        for (op, operand) in rest {
            acc = match (op, &acc) {
                // `&&` and `||` do not evaluate what they skip.
                (BinaryOp::And, Value::Bool(false)) | (BinaryOp::Or, Value::Bool(true)) => continue,
                _ => {
                    let right = self.expr(operand)?;
                    arith::binary(*op, &acc, &right)?
                }
            };
        }
        Ok(acc)
    }

    /// Tries `pattern` on `v`, binding its names on success.
    fn matches(&mut self, pattern: &Pattern, v: &Value) -> Eval<bool> {
        Ok(match (pattern, v) {
            (Pattern::Wildcard, _) => true,
            (Pattern::Binding(local), _) => {
                self.set_local(*local, v.clone())?;
                true
            }
            (Pattern::Int(n), Value::Int(m)) => n == m,
            (Pattern::Str(s), Value::Str(t)) => **s == **t,
            (Pattern::Bool(b), Value::Bool(c)) => b == c,
            (Pattern::Ordering(o), Value::Ordering(p)) => o == p,
            (Pattern::Variant { ty, index, args }, Value::Variant(vty, vindex, payload)) => {
                if ty != vty || index != vindex || args.len() != payload.len() {
                    return Ok(false);
                }
                for (p, v) in args.iter().zip(payload.iter()) {
                    if !self.matches(p, v)? {
                        return Ok(false);
                    }
                }
                true
            }
            (Pattern::Some(p), Value::Option(Some(v)))
            | (Pattern::Ok(p), Value::Result(Ok(v)))
            | (Pattern::Err(p), Value::Result(Err(v))) => self.matches(p, v)?,
            (Pattern::None, Value::Option(None)) => true,
            (Pattern::Error, _) => return unsupported("a pattern with an error"),
            _ => false,
        })
    }
}
