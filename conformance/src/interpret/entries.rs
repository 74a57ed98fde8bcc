//! `with_entry`: the key's value, inserted first if missing, is the
//! block's to change; then it goes back into the map. Nothing inside can
//! read the map meanwhile (the checker's PT0310), so taking the value out
//! and putting it back is the same as changing it in place.

use super::builtins::key;
use super::machine::{unsupported, Eval, Machine};
use super::value::Value;
use parseltongue_core::ir::{Block, Expr, LocalId};
use std::rc::Rc;

impl Machine<'_> {
    pub fn with_entry(
        &mut self,
        map: &Expr,
        key_expr: &Expr,
        default: &Expr,
        value: LocalId,
        body: &Block,
    ) -> Eval<Value> {
        let place = self.place(map)?;
        let k = key(&self.expr(key_expr)?)?;
        let present = match self.read_place(&place)? {
            Value::Map(entries) => entries.get(&k).cloned(),
            other => return unsupported(format!("`with_entry` on a {}", other.kind())),
        };
        // The inserted value is evaluated only for a missing key.
        let current = match present {
            Some(v) => v,
            None => self.expr(default)?,
        };
        self.set_local(value, current)?;
        let result = self.block(body);
        let updated = self.take_local(value)?;
        self.with_place(&place, |target| match target {
            Value::Map(entries) => {
                Rc::make_mut(entries).insert(k, updated);
                Ok(())
            }
            other => unsupported(format!("`with_entry` on a {}", other.kind())),
        })?;
        result
    }
}
