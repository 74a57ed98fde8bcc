//! The `{:?}` and `{:#?}` forms: what Rust's derived `Debug` prints for the
//! lowered types. Written with the formatter's own builders and the
//! primitives' own `Debug`, so the pretty layout is Rust's exactly.

use super::value::{Key, Value};
use parseltongue_core::ir::{Program, TypeDefKind};
use std::fmt::{self, Debug, Formatter};

/// A value with the program it belongs to, which knows the names of its
/// records, fields and variants.
pub(crate) struct Shown<'a> {
    pub value: &'a Value,
    pub program: &'a Program,
}

impl<'a> Shown<'a> {
    pub fn new(value: &'a Value, program: &'a Program) -> Self {
        Shown { value, program }
    }

    fn of(&self, value: &'a Value) -> Shown<'a> {
        Shown::new(value, self.program)
    }
}

struct ShownKey<'a>(&'a Key);

impl Debug for ShownKey<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            Key::Int(n) => Debug::fmt(n, f),
            Key::Str(s) => Debug::fmt(&**s, f),
            Key::Bool(b) => Debug::fmt(b, f),
        }
    }
}

impl Debug for Shown<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.value {
            Value::Unit => f.write_str("()"),
            Value::Int(n) => Debug::fmt(n, f),
            Value::Float(x) => Debug::fmt(x, f),
            Value::Bool(b) => Debug::fmt(b, f),
            Value::Ordering(o) => Debug::fmt(o, f),
            Value::Str(s) => Debug::fmt(&**s, f),
            Value::List(items) => f
                .debug_list()
                .entries(items.iter().map(|v| self.of(v)))
                .finish(),
            Value::Map(map) => f
                .debug_map()
                .entries(map.iter().map(|(k, v)| (ShownKey(k), self.of(v))))
                .finish(),
            Value::Option(None) => f.write_str("None"),
            Value::Option(Some(v)) => f.debug_tuple("Some").field(&self.of(v)).finish(),
            Value::Result(Ok(v)) => f.debug_tuple("Ok").field(&self.of(v)).finish(),
            Value::Result(Err(v)) => f.debug_tuple("Err").field(&self.of(v)).finish(),
            Value::Record(ty, fields) => {
                let def = self.program.types.get(*ty);
                let name = def.map_or("?", |d| d.name.as_str());
                let mut s = f.debug_struct(name);
                if let Some(TypeDefKind::Record(declared)) = def.map(|d| &d.kind) {
                    for ((field, _), value) in declared.iter().zip(fields.iter()) {
                        s.field(field.as_str(), &self.of(value));
                    }
                }
                s.finish()
            }
            Value::Variant(ty, index, payload) => {
                let name = match self.program.types.get(*ty).map(|d| &d.kind) {
                    Some(TypeDefKind::Enum(variants)) => {
                        variants.get(*index).map_or("?", |(n, _)| n.as_str())
                    }
                    _ => "?",
                };
                if payload.is_empty() {
                    f.write_str(name)
                } else {
                    let mut t = f.debug_tuple(name);
                    for value in payload.iter() {
                        t.field(&self.of(value));
                    }
                    t.finish()
                }
            }
            Value::Thread(_) => f.write_str("JoinHandle { .. }"),
            Value::Mailbox(..) => f.write_str("mailbox"),
            Value::Shared(cell) => match cell.value.try_borrow() {
                Ok(v) => f.debug_struct("Mutex").field("data", &self.of(&v)).finish(),
                Err(_) => f.write_str("Mutex { .. }"),
            },
            Value::Range {
                start,
                end,
                inclusive,
            } => {
                if *inclusive {
                    Debug::fmt(&(*start..=*end), f)
                } else {
                    Debug::fmt(&(*start..*end), f)
                }
            }
        }
    }
}
