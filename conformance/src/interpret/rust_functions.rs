//! The Rust functions the program generator declares with
//! `rust_function`, by path: what each does, as the real one does it
//! (a debug build's panics included), so their calls can be judged.

use super::machine::{panic, unsupported, Eval};
use super::value::Value;

/// A `rust_function` signature the generator may declare, with what the
/// Rust function does.
pub struct Known {
    /// The Rust path called.
    pub path: &'static str,
    /// Parameter types, as the source writes them.
    pub params: &'static [&'static str],
    /// The result type, as the source writes it.
    pub returns: &'static str,
    /// The function, on arguments of those types.
    run: fn(&[Value]) -> Option<Eval<Value>>,
}

/// Integers in, an integer out.
fn ints(args: &[Value], f: fn(i64, i64) -> Eval<i64>) -> Option<Eval<Value>> {
    match args {
        [Value::Int(a), Value::Int(b)] => Some(f(*a, *b).map(Value::Int)),
        _ => None,
    }
}

/// A string in, a string out.
fn text(args: &[Value], f: fn(&str) -> String) -> Option<Eval<Value>> {
    match args {
        [Value::Str(s)] => Some(Ok(Value::Str(f(s).into()))),
        _ => None,
    }
}

/// Every Rust function the evaluator knows.
pub const KNOWN: &[Known] = &[
    Known {
        path: "std::cmp::max",
        params: &["i64", "i64"],
        returns: "i64",
        run: |args| ints(args, |a, b| Ok(a.max(b))),
    },
    Known {
        path: "std::cmp::min",
        params: &["i64", "i64"],
        returns: "i64",
        run: |args| ints(args, |a, b| Ok(a.min(b))),
    },
    Known {
        path: "i64::wrapping_mul",
        params: &["i64", "i64"],
        returns: "i64",
        run: |args| ints(args, |a, b| Ok(a.wrapping_mul(b))),
    },
    Known {
        path: "i64::wrapping_add",
        params: &["i64", "i64"],
        returns: "i64",
        run: |args| ints(args, |a, b| Ok(a.wrapping_add(b))),
    },
    Known {
        path: "i64::saturating_sub",
        params: &["i64", "i64"],
        returns: "i64",
        run: |args| ints(args, |a, b| Ok(a.saturating_sub(b))),
    },
    Known {
        path: "i64::rem_euclid",
        params: &["i64", "i64"],
        returns: "i64",
        run: |args| {
            ints(args, |a, b| match a.checked_rem_euclid(b) {
                Some(r) => Ok(r),
                None if b == 0 => {
                    panic("attempt to calculate the remainder with a divisor of zero")
                }
                None => panic("attempt to calculate the remainder with overflow"),
            })
        },
    },
    Known {
        path: "i64::signum",
        params: &["i64"],
        returns: "i64",
        run: |args| match args {
            [Value::Int(a)] => Some(Ok(Value::Int(a.signum()))),
            _ => None,
        },
    },
    Known {
        path: "f64::hypot",
        params: &["f64", "f64"],
        returns: "f64",
        run: |args| match args {
            [Value::Float(a), Value::Float(b)] => Some(Ok(Value::Float(a.hypot(*b)))),
            _ => None,
        },
    },
    Known {
        path: "str::to_uppercase",
        params: &["string"],
        returns: "string",
        run: |args| text(args, str::to_uppercase),
    },
    Known {
        path: "str::to_lowercase",
        params: &["string"],
        returns: "string",
        run: |args| text(args, str::to_lowercase),
    },
];

/// Calls the Rust function at `path` with `args`.
pub(crate) fn call(path: &str, args: &[Value]) -> Eval<Value> {
    KNOWN
        .iter()
        .find(|known| known.path == path)
        .and_then(|known| (known.run)(args))
        .unwrap_or_else(|| unsupported(format!("a call of the Rust function {path}")))
}
