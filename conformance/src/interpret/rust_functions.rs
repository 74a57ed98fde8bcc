//! The Rust functions the program generator declares with
//! `rust_function`, by path: what each does, as the real one does it
//! (a debug build's panics included), so their calls can be judged.

use super::machine::{panic, unsupported, Eval};
use super::value::Value;

/// A `rust_function` signature the generator may declare: the Rust path,
/// its parameters' and result's Parseltongue types.
pub struct Known {
    /// The Rust path called.
    pub path: &'static str,
    /// Parameter types, as the source writes them.
    pub params: &'static [&'static str],
    /// The result type, as the source writes it.
    pub returns: &'static str,
}

/// Every Rust function the evaluator knows.
pub const KNOWN: &[Known] = &[
    Known {
        path: "std::cmp::max",
        params: &["i64", "i64"],
        returns: "i64",
    },
    Known {
        path: "std::cmp::min",
        params: &["i64", "i64"],
        returns: "i64",
    },
    Known {
        path: "i64::wrapping_mul",
        params: &["i64", "i64"],
        returns: "i64",
    },
    Known {
        path: "i64::wrapping_add",
        params: &["i64", "i64"],
        returns: "i64",
    },
    Known {
        path: "i64::saturating_sub",
        params: &["i64", "i64"],
        returns: "i64",
    },
    Known {
        path: "i64::rem_euclid",
        params: &["i64", "i64"],
        returns: "i64",
    },
    Known {
        path: "i64::signum",
        params: &["i64"],
        returns: "i64",
    },
    Known {
        path: "f64::hypot",
        params: &["f64", "f64"],
        returns: "f64",
    },
    Known {
        path: "str::to_uppercase",
        params: &["string"],
        returns: "string",
    },
    Known {
        path: "str::to_lowercase",
        params: &["string"],
        returns: "string",
    },
];

/// Calls the Rust function at `path` with `args`.
pub(crate) fn call(path: &str, args: &[Value]) -> Eval<Value> {
    match (path, args) {
        ("std::cmp::max", [Value::Int(a), Value::Int(b)]) => Ok(Value::Int(*a.max(b))),
        ("std::cmp::min", [Value::Int(a), Value::Int(b)]) => Ok(Value::Int(*a.min(b))),
        ("i64::wrapping_mul", [Value::Int(a), Value::Int(b)]) => Ok(Value::Int(a.wrapping_mul(*b))),
        ("i64::wrapping_add", [Value::Int(a), Value::Int(b)]) => Ok(Value::Int(a.wrapping_add(*b))),
        ("i64::saturating_sub", [Value::Int(a), Value::Int(b)]) => {
            Ok(Value::Int(a.saturating_sub(*b)))
        }
        ("i64::rem_euclid", [Value::Int(a), Value::Int(b)]) => match a.checked_rem_euclid(*b) {
            Some(r) => Ok(Value::Int(r)),
            None if *b == 0 => panic("attempt to calculate the remainder with a divisor of zero"),
            None => panic("attempt to calculate the remainder with overflow"),
        },
        ("i64::signum", [Value::Int(a)]) => Ok(Value::Int(a.signum())),
        ("f64::hypot", [Value::Float(a), Value::Float(b)]) => Ok(Value::Float(a.hypot(*b))),
        ("str::to_uppercase", [Value::Str(s)]) => Ok(Value::Str(s.to_uppercase().into())),
        ("str::to_lowercase", [Value::Str(s)]) => Ok(Value::Str(s.to_lowercase().into())),
        _ => unsupported(format!("a call of the Rust function {path}")),
    }
}
