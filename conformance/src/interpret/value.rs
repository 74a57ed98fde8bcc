//! Runtime values. Containers sit behind `Rc` and are changed through
//! `Rc::make_mut`, so copying a value is cheap and a change never shows
//! through another copy: the language's value semantics for free.

use parseltongue_core::ir::TypeId;
use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A value of the evaluated program.
#[derive(Clone)]
pub(crate) enum Value {
    /// What statements and functions without `returns` produce.
    Unit,
    Int(i64),
    Float(f64),
    Bool(bool),
    Ordering(Ordering),
    Str(Rc<str>),
    List(Rc<Vec<Value>>),
    Map(Rc<BTreeMap<Key, Value>>),
    Option(Option<Rc<Value>>),
    Result(Result<Rc<Value>, Rc<Value>>),
    /// A record's fields by position.
    Record(TypeId, Rc<Vec<Value>>),
    /// An enum variant by position, with its payload.
    Variant(TypeId, usize, Rc<Vec<Value>>),
    /// A thread that already ran: its value, or its panic message.
    Thread(Rc<Result<Value, String>>),
    /// A mailbox: its handler, and an identity its copies share.
    Mailbox(parseltongue_core::ir::FunctionId, Rc<()>),
    /// A `let_mut_shared_var`: the one cell every user sees.
    Shared(Rc<SharedCell>),
    /// `range(a, b)` / `range_inclusive(a, b)`, only ever iterated.
    Range {
        start: i64,
        end: i64,
        inclusive: bool,
    },
}

/// A map key: maps only take `i64`, `string` and `bool` keys, and one map
/// holds one kind, so the derived order is the key type's own order.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key {
    Int(i64),
    Str(Rc<str>),
    Bool(bool),
}

/// The state behind a `let_mut_shared_var`.
pub(crate) struct SharedCell {
    pub value: RefCell<Value>,
    /// Held by a running `with_lock`.
    pub locked: Cell<bool>,
    /// A `with_lock` body panicked: later locks panic too, as a poisoned
    /// `Mutex` makes them.
    pub poisoned: Cell<bool>,
}

impl SharedCell {
    pub fn new(value: Value) -> Self {
        SharedCell {
            value: RefCell::new(value),
            locked: Cell::new(false),
            poisoned: Cell::new(false),
        }
    }
}

impl Value {
    pub fn str(text: &str) -> Value {
        Value::Str(Rc::from(text))
    }

    pub fn string(text: String) -> Value {
        Value::Str(Rc::from(text))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    pub fn some(v: Value) -> Value {
        Value::Option(Some(Rc::new(v)))
    }

    pub fn none() -> Value {
        Value::Option(None)
    }

    pub fn option(v: Option<Value>) -> Value {
        Value::Option(v.map(Rc::new))
    }

    pub fn ok(v: Value) -> Value {
        Value::Result(Ok(Rc::new(v)))
    }

    pub fn err(v: Value) -> Value {
        Value::Result(Err(Rc::new(v)))
    }

    /// The name of the value's kind, for messages about impossible shapes.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Unit => "nothing",
            Value::Int(_) => "i64",
            Value::Float(_) => "f64",
            Value::Bool(_) => "bool",
            Value::Ordering(_) => "ordering",
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Option(_) => "option",
            Value::Result(_) => "result",
            Value::Record(..) => "record",
            Value::Variant(..) => "enum",
            Value::Thread(_) => "thread",
            Value::Mailbox(..) => "mailbox",
            Value::Shared(_) => "shared value",
            Value::Range { .. } => "range",
        }
    }
}

impl Key {
    pub fn of(value: &Value) -> Option<Key> {
        match value {
            Value::Int(n) => Some(Key::Int(*n)),
            Value::Str(s) => Some(Key::Str(s.clone())),
            Value::Bool(b) => Some(Key::Bool(*b)),
            _ => None,
        }
    }

    pub fn value(&self) -> Value {
        match self {
            Key::Int(n) => Value::Int(*n),
            Key::Str(s) => Value::Str(s.clone()),
            Key::Bool(b) => Value::Bool(*b),
        }
    }
}

/// `==` of the lowered types: derived `PartialEq` everywhere, IEEE for
/// `f64` (so a NaN anywhere inside makes two values differ, even a value
/// and itself).
pub(crate) fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Unit, Value::Unit) => true,
        (Value::Mailbox(_, x), Value::Mailbox(_, y)) => Rc::ptr_eq(x, y),
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Ordering(x), Value::Ordering(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::List(x), Value::List(y)) => all_equal(x, y),
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && equal(v1, v2))
        }
        (Value::Option(x), Value::Option(y)) => match (x, y) {
            (Some(x), Some(y)) => equal(x, y),
            (None, None) => true,
            _ => false,
        },
        (Value::Result(x), Value::Result(y)) => match (x, y) {
            (Ok(x), Ok(y)) | (Err(x), Err(y)) => equal(x, y),
            _ => false,
        },
        (Value::Record(t1, x), Value::Record(t2, y)) => t1 == t2 && all_equal(x, y),
        (Value::Variant(t1, i1, x), Value::Variant(t2, i2, y)) => {
            t1 == t2 && i1 == i2 && all_equal(x, y)
        }
        _ => false,
    }
}

fn all_equal(x: &[Value], y: &[Value]) -> bool {
    x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
}

/// `<` and friends: on `i64`, `f64` (partial: NaN is unordered) and
/// strings (by bytes, `str`'s order); `sort` also orders `bool`.
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `compare`, `sort` and the keys of `sort_by_key`: one order over every
/// value of a type, `f64` by `total_cmp` (`-0.0` before `0.0`) with every
/// NaN alike and last, whatever its sign bit.
pub(crate) fn total_compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => Some(match (x.is_nan(), y.is_nan()) {
            (false, false) => x.total_cmp(y),
            (x_nan, y_nan) => x_nan.cmp(&y_nan),
        }),
        (Value::Ordering(x), Value::Ordering(y)) => Some(x.cmp(y)),
        _ => compare(a, b),
    }
}
