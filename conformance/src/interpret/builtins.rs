//! Built-in functions and the methods of the built-in types, each done with
//! the Rust std function the lowering calls, so edge cases (splitting,
//! trimming, parsing, case mapping, rounding) behave identically.

use super::arith::{MUL_OVERFLOW, NEG_OVERFLOW};
use super::debug::Shown;
use super::format;
use super::machine::{check_text_size, panic, unsupported, Eval, Flow, Machine};
use super::threads::{TASK_PANICKED, THREAD_PANICKED};
use super::value::{equal, total_compare, Key, Value};
use parseltongue_core::ir::{Builtin, BuiltinMethod as M, Expr, ExprKind};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Built-in methods that change their receiver in place.
fn mutates(m: M) -> bool {
    m.changes_receiver()
}

impl Machine<'_> {
    pub fn builtin(&mut self, builtin: Builtin, args: &[Expr]) -> Eval<Value> {
        match builtin {
            // When a slot runs and what the counters say depend on the
            // schedule: no one output to compare.
            Builtin::RunEveryCycle(_) | Builtin::PartitionMetrics => unsupported(
                "frame slots and partition counters, whose effects depend on the schedule",
            ),
            // Messages are handled as they are sent, in order: the
            // sequential schedule, as for threads.
            Builtin::MailboxOn(_) => match args.first().map(|a| &a.kind) {
                Some(ExprKind::FunctionArgument { call, .. }) => match call.kind {
                    ExprKind::Call { function, .. } | ExprKind::MethodCall { function, .. } => {
                        Ok(Value::Mailbox(function, Rc::new(())))
                    }
                    _ => unsupported("a mailbox handler that is not a function"),
                },
                _ => unsupported("a mailbox without a handler"),
            },
            Builtin::PrintLine => {
                let text = self.formatted(args)?;
                self.stdout.push_str(&text);
                self.stdout.push('\n');
                check_text_size(self.stdout.len()).map(|()| Value::Unit)
            }
            Builtin::Print => {
                let text = self.formatted(args)?;
                self.stdout.push_str(&text);
                check_text_size(self.stdout.len()).map(|()| Value::Unit)
            }
            Builtin::PrintErrorLine => {
                let text = self.formatted(args)?;
                self.stderr.push_str(&text);
                self.stderr.push('\n');
                check_text_size(self.stderr.len()).map(|()| Value::Unit)
            }
            Builtin::Format => Ok(Value::string(self.formatted(args)?)),
            Builtin::Panic => Err(Flow::Panic(self.formatted(args)?)),
            Builtin::Assert => match self.exprs(args)?.as_slice() {
                [Value::Bool(true)] => Ok(Value::Unit),
                [Value::Bool(false)] => panic("assertion failed"),
                _ => unsupported("`assert` of a non-bool"),
            },
            Builtin::AssertEqual => match self.exprs(args)?.as_slice() {
                [left, right] if equal(left, right) => Ok(Value::Unit),
                [left, right] => panic(format!(
                    "assertion `left == right` failed\n  left: {:?}\n right: {:?}",
                    Shown::new(left, self.program),
                    Shown::new(right, self.program)
                )),
                _ => unsupported("`assert_equal` without two values"),
            },
            Builtin::ListOf => Ok(Value::list(self.exprs(args)?)),
            Builtin::ListOfCopies => {
                let values = self.exprs(args)?;
                match values.as_slice() {
                    [v, Value::Int(n)] => match usize::try_from(*n) {
                        Ok(n) if n > 1 << 24 => unsupported("a list of over 16,777,216 copies"),
                        Ok(n) => Ok(Value::list(vec![v.clone(); n])),
                        Err(e) => panic(format!(
                            "the count of `list_of_copies` must not be negative: {e:?}"
                        )),
                    },
                    _ => unsupported("list_of_copies without a value and a count"),
                }
            }
            Builtin::MapOf => Ok(Value::Map(Rc::new(BTreeMap::new()))),
            Builtin::Range | Builtin::RangeInclusive => match self.exprs(args)?.as_slice() {
                [Value::Int(start), Value::Int(end)] => Ok(Value::Range {
                    start: *start,
                    end: *end,
                    inclusive: builtin == Builtin::RangeInclusive,
                }),
                _ => unsupported("a range of non-i64 values"),
            },
            Builtin::None => Ok(Value::none()),
            Builtin::Some | Builtin::Ok | Builtin::Err => {
                let Some(arg) = args.first() else {
                    return unsupported("a constructor without its value");
                };
                let v = self.expr(arg)?;
                Ok(match builtin {
                    Builtin::Some => Value::some(v),
                    Builtin::Ok => Value::ok(v),
                    _ => Value::err(v),
                })
            }
            Builtin::Method(m) => self.method(m, args),
        }
    }

    /// The text of a printing built-in: its template and the values after
    /// it, evaluated left to right.
    fn formatted(&mut self, args: &[Expr]) -> Eval<String> {
        let Some((
            Expr {
                kind: ExprKind::Template { template },
                ..
            },
            values,
        )) = args.split_first()
        else {
            return unsupported("a printing built-in without its template");
        };
        let values = self.exprs(values)?;
        match format::render(self.program, template, &values) {
            Ok(text) => Ok(text),
            Err(why) => unsupported(why),
        }
    }

    fn method(&mut self, m: M, args: &[Expr]) -> Eval<Value> {
        let Some((receiver, rest)) = args.split_first() else {
            return unsupported("a method without its receiver");
        };
        if let [function @ Expr {
            kind: ExprKind::FunctionArgument { .. },
            ..
        }] = rest
        {
            return self.ordered_by(m, receiver, function);
        }
        if mutates(m) {
            // The receiver is a place, formed before the arguments are
            // evaluated (Rust's two-phase borrow of the receiver).
            let place = self.place(receiver)?;
            let rest = self.exprs(rest)?;
            return self.with_place(&place, |target| change(m, target, &rest));
        }
        let receiver = self.expr(receiver)?;
        let rest = self.exprs(rest)?;
        if m == M::JoinThread {
            return self.join(&receiver, THREAD_PANICKED);
        }
        if m == M::JoinTask {
            return self.join(&receiver, TASK_PANICKED);
        }
        if m == M::Send {
            return match (receiver, rest.as_slice()) {
                (Value::Mailbox(handler, _), [message]) => self
                    .call(handler, vec![super::machine::Slot::Value(message.clone())])
                    .map(|_| Value::Unit),
                (other, _) => unsupported(format!("`send` on {}", other.kind())),
            };
        }
        self.read(m, &receiver, &rest)
    }

    fn read(&self, m: M, receiver: &Value, args: &[Value]) -> Eval<Value> {
        match (receiver, args) {
            (_, []) if m == M::Clone => Ok(receiver.clone()),
            (_, [other]) if m == M::Compare => match total_compare(receiver, other) {
                Some(o) => Ok(Value::Ordering(o)),
                None => unsupported("`compare` of values without one order"),
            },
            (Value::Ordering(o), []) if m == M::OrderReverse => Ok(Value::Ordering(o.reverse())),
            (Value::Ordering(o), [Value::Ordering(p)]) if m == M::OrderThen => {
                Ok(Value::Ordering(o.then(*p)))
            }
            (Value::Str(s), _) => string_method(m, s, args),
            (Value::Int(n), _) => int_method(m, *n, args),
            (Value::Float(x), _) => float_method(m, *x, args),
            (Value::Bool(b), []) if m == M::ToText => Ok(Value::string(b.to_string())),
            (Value::List(items), _) => list_method(m, items, args),
            (Value::Map(map), _) => map_method(m, map, args),
            (Value::Option(o), _) => self.option_method(m, o.as_deref(), args),
            (Value::Result(r), _) => self.result_method(m, r, args),
            _ => not_a_method(m, receiver),
        }
    }

    fn option_method(&self, m: M, o: Option<&Value>, args: &[Value]) -> Eval<Value> {
        match (m, o, args) {
            (M::IsSome, _, []) => Ok(Value::Bool(o.is_some())),
            (M::IsNone, _, []) => Ok(Value::Bool(o.is_none())),
            (M::Unwrap | M::Expect | M::UnwrapOr, Some(v), _) => Ok(v.clone()),
            (M::Unwrap, None, []) => panic("called `Option::unwrap()` on a `None` value"),
            (M::Expect, None, [Value::Str(message)]) => panic(&**message),
            (M::UnwrapOr, None, [default]) => Ok(default.clone()),
            _ => unsupported(format!("option method {m:?}")),
        }
    }

    fn result_method(&self, m: M, r: &Result<Rc<Value>, Rc<Value>>, args: &[Value]) -> Eval<Value> {
        match (m, r, args) {
            (M::IsOk, _, []) => Ok(Value::Bool(r.is_ok())),
            (M::IsErr, _, []) => Ok(Value::Bool(r.is_err())),
            (M::Unwrap | M::Expect | M::UnwrapOr, Ok(v), _) => Ok((**v).clone()),
            (M::Unwrap, Err(e), []) => panic(format!(
                "called `Result::unwrap()` on an `Err` value: {:?}",
                Shown::new(e, self.program)
            )),
            (M::Expect, Err(e), [Value::Str(message)]) => {
                panic(format!("{message}: {:?}", Shown::new(e, self.program)))
            }
            (M::UnwrapOr, Err(_), [default]) => Ok(default.clone()),
            _ => unsupported(format!("result method {m:?}")),
        }
    }
}

fn not_a_method<T>(m: M, receiver: &Value) -> Eval<T> {
    unsupported(format!("method {m:?} on {}", receiver.kind()))
}

fn strings(items: Vec<&str>) -> Value {
    Value::list(items.into_iter().map(Value::str).collect())
}

fn sized(text: String) -> Eval<Value> {
    check_text_size(text.len())?;
    Ok(Value::string(text))
}

fn string_method(m: M, s: &str, args: &[Value]) -> Eval<Value> {
    Ok(match (m, args) {
        (M::Length, []) => Value::Int(s.len() as i64),
        (M::IsEmpty, []) => Value::Bool(s.is_empty()),
        (M::Contains, [Value::Str(a)]) => Value::Bool(s.contains(&**a)),
        (M::StartsWith, [Value::Str(a)]) => Value::Bool(s.starts_with(&**a)),
        (M::EndsWith, [Value::Str(a)]) => Value::Bool(s.ends_with(&**a)),
        (M::ToUpper, []) => sized(s.to_uppercase())?,
        (M::ToLower, []) => sized(s.to_lowercase())?,
        (M::Trim, []) => Value::str(s.trim()),
        // Byte positions, each on a character's first byte, in order.
        (M::Substring, [Value::Int(start), Value::Int(end)]) => {
            let piece = usize::try_from(*start)
                .ok()
                .zip(usize::try_from(*end).ok())
                .filter(|(a, b)| a <= b && *b <= s.len())
                .filter(|(a, b)| s.is_char_boundary(*a) && s.is_char_boundary(*b));
            match piece {
                Some((a, b)) => Value::str(&s[a..b]),
                None => {
                    return panic(
                        "the positions of `substring` are out of range or inside a character",
                    )
                }
            }
        }
        (M::Find, [Value::Str(part)]) => {
            Value::option(s.find(&**part).map(|at| Value::Int(at as i64)))
        }
        (M::Chars, []) => strings(
            s.char_indices()
                .map(|(at, c)| &s[at..at + c.len_utf8()])
                .collect(),
        ),
        (M::SplitFirst, [Value::Str(separator)]) => match s.find(&**separator) {
            Some(at) => strings(vec![&s[..at], &s[at + separator.len()..]]),
            None => strings(vec![s]),
        },
        (M::Split, [Value::Str(sep)]) => strings(s.split(&**sep).collect()),
        (M::Lines, []) => strings(s.lines().collect()),
        (M::Replace, [Value::Str(from), Value::Str(to)]) => {
            // Checked before building: repeated replacing grows fast.
            let count = if from.is_empty() {
                s.chars().count() + 1
            } else {
                s.matches(&**from).count()
            };
            check_text_size(
                (s.len() - count * from.len()).saturating_add(count.saturating_mul(to.len())),
            )?;
            Value::string(s.replace(&**from, to))
        }
        (M::ParseInt, []) => match s.parse::<i64>() {
            Ok(n) => Value::ok(Value::Int(n)),
            Err(e) => Value::err(Value::string(e.to_string())),
        },
        (M::ParseFloat, []) => match s.parse::<f64>() {
            Ok(x) => Value::ok(Value::Float(x)),
            Err(e) => Value::err(Value::string(e.to_string())),
        },
        (M::ToText, []) => Value::str(s),
        _ => return not_a_method(m, &Value::str(s)),
    })
}

fn int_method(m: M, n: i64, args: &[Value]) -> Eval<Value> {
    let int = |r: Option<i64>| Value::option(r.map(Value::Int));
    Ok(match (m, args) {
        (M::ToF64, []) => Value::Float(n as f64),
        (M::ToText, []) => Value::string(n.to_string()),
        (M::Abs, []) => match n.checked_abs() {
            Some(a) => Value::Int(a),
            None => return panic(NEG_OVERFLOW),
        },
        (M::Min, [Value::Int(k)]) => Value::Int(n.min(*k)),
        (M::Max, [Value::Int(k)]) => Value::Int(n.max(*k)),
        (M::Pow, [Value::Int(e)]) => match u32::try_from(*e) {
            Ok(e) => match n.checked_pow(e) {
                Some(p) => Value::Int(p),
                None => return panic(MUL_OVERFLOW),
            },
            Err(e) => {
                return panic(format!(
                    "the exponent of `pow` must be between 0 and 4294967295: {e:?}"
                ))
            }
        },
        (M::CheckedAdd, [Value::Int(k)]) => int(n.checked_add(*k)),
        (M::CheckedSub, [Value::Int(k)]) => int(n.checked_sub(*k)),
        (M::CheckedMul, [Value::Int(k)]) => int(n.checked_mul(*k)),
        (M::CheckedDiv, [Value::Int(k)]) => int(n.checked_div(*k)),
        (M::BitAnd, [Value::Int(k)]) => Value::Int(n & k),
        (M::BitOr, [Value::Int(k)]) => Value::Int(n | k),
        (M::BitXor, [Value::Int(k)]) => Value::Int(n ^ k),
        (M::BitNot, []) => Value::Int(-n - 1),
        // The reference's definitions: multiplying by 2^k modulo 2^64,
        // and dividing by 2^k rounding down.
        (M::ShiftLeft | M::ShiftRight, [Value::Int(k)]) if *k < 0 => {
            let name = if m == M::ShiftLeft {
                "shift_left"
            } else {
                "shift_right"
            };
            return panic(format!(
                "the amount of `{name}` must not be negative: TryFromIntError(())"
            ));
        }
        (M::ShiftLeft, [Value::Int(k)]) if *k >= 64 => Value::Int(0),
        (M::ShiftLeft, [Value::Int(k)]) => {
            Value::Int((i128::from(n) * (1i128 << k)).rem_euclid(1i128 << 64) as u64 as i64)
        }
        (M::ShiftRight, [Value::Int(k)]) => {
            Value::Int(i128::from(n).div_euclid(1i128 << (*k).min(64)) as i64)
        }
        _ => return not_a_method(m, &Value::Int(n)),
    })
}

fn float_method(m: M, x: f64, args: &[Value]) -> Eval<Value> {
    Ok(match (m, args) {
        (M::ToI64, []) => Value::Int(x as i64),
        (M::ToText, []) => Value::string(x.to_string()),
        (M::Abs, []) => Value::Float(x.abs()),
        (M::Min, [Value::Float(y)]) => Value::Float(x.min(*y)),
        (M::Max, [Value::Float(y)]) => Value::Float(x.max(*y)),
        (M::Sqrt, []) => Value::Float(x.sqrt()),
        (M::Floor, []) => Value::Float(x.floor()),
        (M::Ceil, []) => Value::Float(x.ceil()),
        (M::Round, []) => Value::Float(x.round()),
        _ => return not_a_method(m, &Value::Float(x)),
    })
}

fn list_method(m: M, items: &[Value], args: &[Value]) -> Eval<Value> {
    Ok(match (m, args) {
        (M::Sublist, [Value::Int(a), Value::Int(b)]) => {
            Value::list(items[list_range("sublist", items.len(), *a, *b)?].to_vec())
        }
        (M::Length, []) => Value::Int(items.len() as i64),
        (M::IsEmpty, []) => Value::Bool(items.is_empty()),
        (M::Get, [Value::Int(i)]) => {
            Value::option(usize::try_from(*i).ok().and_then(|i| items.get(i)).cloned())
        }
        (M::First, []) => Value::option(items.first().cloned()),
        (M::Last, []) => Value::option(items.last().cloned()),
        (M::Contains, [v]) => Value::Bool(items.iter().any(|item| equal(item, v))),
        (M::Join, [Value::Str(sep)]) => {
            let mut pieces = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::Str(s) => pieces.push(&**s),
                    other => return unsupported(format!("`join` of a {}", other.kind())),
                }
            }
            let separators = sep.len().saturating_mul(pieces.len().saturating_sub(1));
            check_text_size(
                pieces
                    .iter()
                    .fold(separators, |n, p| n.saturating_add(p.len())),
            )?;
            Value::string(pieces.join(sep))
        }
        _ => return not_a_method(m, &Value::list(items.to_vec())),
    })
}

pub(super) fn key(v: &Value) -> Eval<Key> {
    match Key::of(v) {
        Some(k) => Ok(k),
        None => unsupported(format!("a map key of type {}", v.kind())),
    }
}

fn map_method(m: M, map: &BTreeMap<Key, Value>, args: &[Value]) -> Eval<Value> {
    Ok(match (m, args) {
        (M::Length, []) => Value::Int(map.len() as i64),
        (M::IsEmpty, []) => Value::Bool(map.is_empty()),
        (M::Get, [k]) => Value::option(map.get(&key(k)?).cloned()),
        (M::ContainsKey, [k]) => Value::Bool(map.contains_key(&key(k)?)),
        (M::Keys, []) => Value::list(map.keys().map(Key::value).collect()),
        (M::Values, []) => Value::list(map.values().cloned().collect()),
        _ => return unsupported(format!("map method {m:?}")),
    })
}

/// A mutating method applied to the value where it lives.
fn change(m: M, target: &mut Value, args: &[Value]) -> Eval<Value> {
    match target {
        Value::Str(text) => match (m, args) {
            (M::Append, [Value::Str(more)]) => {
                check_text_size(text.len().saturating_add(more.len()))?;
                *target = Value::string(format!("{text}{more}"));
                Ok(Value::Unit)
            }
            _ => not_a_method(m, target),
        },
        Value::List(items) => change_list(m, Rc::make_mut(items), args),
        Value::Map(map) => change_map(m, Rc::make_mut(map), args),
        other => not_a_method(m, other),
    }
}

/// `start … end - 1` of a list of `len`, or the method's panic.
fn list_range(name: &str, len: usize, start: i64, end: i64) -> Eval<std::ops::Range<usize>> {
    match (usize::try_from(start), usize::try_from(end)) {
        (Ok(a), Ok(b)) if a <= b && b <= len => Ok(a..b),
        _ => panic(format!("the range of `{name}` is out of bounds")),
    }
}

fn change_list(m: M, items: &mut Vec<Value>, args: &[Value]) -> Eval<Value> {
    let len = items.len();
    match (m, args) {
        (M::ReverseRange, [Value::Int(a), Value::Int(b)]) => {
            let range = list_range("reverse_range", len, *a, *b)?;
            items[range].reverse();
            return Ok(Value::Unit);
        }
        (M::FillRange, [Value::Int(a), Value::Int(b), v]) => {
            let range = list_range("fill_range", len, *a, *b)?;
            for slot in &mut items[range] {
                *slot = v.clone();
            }
            return Ok(Value::Unit);
        }
        (M::RotateRange, [Value::Int(a), Value::Int(b), Value::Int(count)]) => {
            // Each item moves `count` places towards the start, wrapping.
            let range = list_range("rotate_range", len, *a, *b)?;
            let piece: Vec<Value> = items[range.clone()].to_vec();
            let n = piece.len() as i64;
            for (i, slot) in items[range].iter_mut().enumerate() {
                *slot =
                    piece[((i as i64 + count.rem_euclid(n.max(1))) % n.max(1)) as usize].clone();
            }
            return Ok(Value::Unit);
        }
        (M::CopyRange, [Value::Int(a), Value::Int(b), Value::Int(at)]) => {
            let range = list_range("copy_range", len, *a, *b)?;
            let piece: Vec<Value> = items[range].to_vec();
            let end = at.saturating_add(piece.len() as i64);
            let target = list_range("copy_range", len, *at, end)?;
            for (slot, v) in items[target].iter_mut().zip(piece) {
                *slot = v;
            }
            return Ok(Value::Unit);
        }
        _ => {}
    }
    Ok(match (m, args) {
        (M::Push, [v]) => {
            items.push(v.clone());
            Value::Unit
        }
        (M::Pop, []) => Value::option(items.pop()),
        (M::Sort, []) => {
            // Stable, like `slice::sort`; `f64` as `total_compare` orders it.
            items.sort_by(|a, b| total_compare(a, b).unwrap_or(Ordering::Equal));
            Value::Unit
        }
        (M::Reverse, []) => {
            items.reverse();
            Value::Unit
        }
        (M::Clear, []) => {
            items.clear();
            Value::Unit
        }
        (M::Insert, [Value::Int(i), v]) => match usize::try_from(*i) {
            Ok(at) if at <= len => {
                items.insert(at, v.clone());
                Value::Unit
            }
            _ => {
                return panic(format!(
                    "insertion index (is {}) should be <= len (is {len})",
                    *i as u64
                ))
            }
        },
        (M::Remove, [Value::Int(i)]) => match usize::try_from(*i) {
            Ok(at) if at < len => items.remove(at),
            _ => {
                return panic(format!(
                    "removal index (is {}) should be < len (is {len})",
                    *i as u64
                ))
            }
        },
        _ => return unsupported(format!("list method {m:?}")),
    })
}

fn change_map(m: M, map: &mut BTreeMap<Key, Value>, args: &[Value]) -> Eval<Value> {
    Ok(match (m, args) {
        (M::Insert, [k, v]) => {
            map.insert(key(k)?, v.clone());
            Value::Unit
        }
        (M::Remove, [k]) => Value::option(map.remove(&key(k)?)),
        (M::Clear, []) => {
            map.clear();
            Value::Unit
        }
        _ => return unsupported(format!("map method {m:?}")),
    })
}
