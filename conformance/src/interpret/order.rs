//! The list methods that take a function by name: `sort_by`,
//! `sort_by_key`, `min_by`, `max_by`, `min_by_key`, `max_by_key`. Sorts
//! are stable, as Rust's are; among equals `min_*` and `max_*` both keep
//! the first in the list, as the lowering's `iter().min_by(…)` and
//! `iter().rev().max_by(…)` do.

use super::machine::{unsupported, Eval, Machine};
use super::value::{total_compare, Value};
use parseltongue_core::ir::{BuiltinMethod as M, Expr, ExprKind};
use std::cmp::Ordering;
use std::rc::Rc;

impl Machine<'_> {
    /// `receiver.m(function)`.
    pub(super) fn ordered_by(&mut self, m: M, receiver: &Expr, function: &Expr) -> Eval<Value> {
        if matches!(m, M::SortBy | M::SortByKey) {
            let place = self.place(receiver)?;
            let Value::List(items) = self.read_place(&place)? else {
                return unsupported("sorting a value that is not a list");
            };
            // The function cannot see the list (it only has its
            // parameters), so sorting a copy and storing it is the same.
            let sorted = if m == M::SortBy {
                self.merge_sort(items.to_vec(), &mut |machine, a, b| {
                    machine.ordering_of(function, &[a.clone(), b.clone()])
                })?
            } else {
                let mut keyed = Vec::with_capacity(items.len());
                for item in items.iter() {
                    keyed.push(Value::list(vec![
                        self.apply(function, std::slice::from_ref(item))?,
                        item.clone(),
                    ]));
                }
                self.merge_sort(keyed, &mut |_, a, b| key_order(a, b))?
                    .into_iter()
                    .map(|pair| match pair {
                        Value::List(pair) => pair[1].clone(),
                        other => other,
                    })
                    .collect()
            };
            return self.with_place(&place, |target| {
                *target = Value::List(Rc::new(sorted));
                Ok(Value::Unit)
            });
        }
        let Value::List(items) = self.expr(receiver)? else {
            return unsupported("`min_by` of a value that is not a list");
        };
        let backwards = matches!(m, M::MaxBy | M::MaxByKey);
        let by_key = matches!(m, M::MinByKey | M::MaxByKey);
        let mut walk: Box<dyn Iterator<Item = &Value>> = if backwards {
            Box::new(items.iter().rev())
        } else {
            Box::new(items.iter())
        };
        let Some(first) = walk.next() else {
            return Ok(Value::none());
        };
        let key = |machine: &mut Self, item: &Value| -> Eval<Value> {
            if by_key {
                machine.apply(function, std::slice::from_ref(item))
            } else {
                Ok(item.clone())
            }
        };
        let mut best = (key(self, first)?, first);
        for next in walk {
            let next = (key(self, next)?, next);
            let order = if by_key {
                key_order_of(&best.0, &next.0)?
            } else {
                self.ordering_of(function, &[best.1.clone(), next.1.clone()])?
            };
            // `min_by` keeps the earlier of two equals, `max_by` the later
            // one of the reversed walk: the earlier in the list for both.
            let take_next = if backwards {
                order != Ordering::Greater
            } else {
                order == Ordering::Greater
            };
            if take_next {
                best = next;
            }
        }
        Ok(Value::some(best.1.clone()))
    }

    /// The named function's call on `values`.
    fn apply(&mut self, function: &Expr, values: &[Value]) -> Eval<Value> {
        let ExprKind::FunctionArgument { params, call } = &function.kind else {
            return unsupported("a method without its function");
        };
        for (&local, value) in params.iter().zip(values) {
            self.set_local(local, value.clone())?;
        }
        self.expr(call)
    }

    fn ordering_of(&mut self, function: &Expr, values: &[Value]) -> Eval<Ordering> {
        match self.apply(function, values)? {
            Value::Ordering(o) => Ok(o),
            other => unsupported(format!("a comparison that gave a {}", other.kind())),
        }
    }

    /// A stable merge sort whose comparison may fail (a panic in the
    /// program's function) or run the machine.
    fn merge_sort(
        &mut self,
        items: Vec<Value>,
        compare: &mut dyn FnMut(&mut Self, &Value, &Value) -> Eval<Ordering>,
    ) -> Eval<Vec<Value>> {
        if items.len() <= 1 {
            return Ok(items);
        }
        let mut items = items;
        let right = items.split_off(items.len() / 2);
        let left = self.merge_sort(items, compare)?;
        let right = self.merge_sort(right, compare)?;
        let mut merged = Vec::with_capacity(left.len() + right.len());
        let (mut left, mut right) = (left.into_iter().peekable(), right.into_iter().peekable());
        while let (Some(a), Some(b)) = (left.peek(), right.peek()) {
            // Equal elements keep their order: the left one goes first.
            if compare(self, b, a)? == Ordering::Less {
                merged.extend(right.next());
            } else {
                merged.extend(left.next());
            }
        }
        merged.extend(left);
        merged.extend(right);
        Ok(merged)
    }
}

/// The order of two `[key, item]` pairs by their keys.
fn key_order(a: &Value, b: &Value) -> Eval<Ordering> {
    match (a, b) {
        (Value::List(a), Value::List(b)) => key_order_of(&a[0], &b[0]),
        _ => unsupported("a sort key pair"),
    }
}

fn key_order_of(a: &Value, b: &Value) -> Eval<Ordering> {
    match total_compare(a, b) {
        Some(o) => Ok(o),
        None => unsupported(format!("keys of kind {} without one order", a.kind())),
    }
}
