//! The methods of the built-in types: their signatures and whether they
//! mutate or consume the receiver.

use crate::ir::{BuiltinMethod as M, Ty};

/// How a built-in method uses its receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReceiverUse {
    Read,
    Mutate,
    Consume,
}

/// The function a method takes by name (`xs.sort_by(by_name)`), for the
/// elements of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FunctionShape {
    /// Two elements in, an `ordering` out: which comes first.
    Compare,
    /// One element in, a key out (`i64`, `f64`, `string`, `bool` or
    /// `ordering`): elements are ordered by their keys.
    Key,
    /// The cycle number in, nothing out: the work of a `frame` slot.
    Cycle,
    /// One message in, nothing out: a mailbox's handler.
    Handler,
}

impl FunctionShape {
    /// How many values the function takes.
    pub(crate) fn arity(self) -> usize {
        match self {
            FunctionShape::Compare => 2,
            FunctionShape::Key | FunctionShape::Cycle | FunctionShape::Handler => 1,
        }
    }

    /// The function's shape for elements shown as `element`.
    pub(crate) fn describe(self, element: &str) -> String {
        match self {
            FunctionShape::Compare => {
                format!("a function ({element}, {element}) returns ordering")
            }
            FunctionShape::Key => {
                format!("a function ({element}) returns a key (i64, f64, string, bool or ordering)")
            }
            FunctionShape::Cycle => "a function (cycle: i64) that returns nothing".to_string(),
            FunctionShape::Handler => {
                format!("a function (message: {element}) that returns nothing")
            }
        }
    }
}

/// A resolved built-in method: its id, parameter types, result and receiver use.
pub(crate) struct MethodSig {
    pub method: M,
    pub params: Vec<Ty>,
    pub returns: Ty,
    pub receiver: ReceiverUse,
    /// The function it takes by name, in place of `params`.
    pub function: Option<FunctionShape>,
}

impl MethodSig {
    /// The parameters as hover and completion show them.
    pub(crate) fn shown_params(&self, receiver: &Ty, show: impl Fn(&Ty) -> String) -> Vec<String> {
        match (self.function, receiver) {
            (Some(shape), Ty::List(element)) => {
                let name = match shape {
                    FunctionShape::Compare => "compare",
                    FunctionShape::Key => "key",
                    FunctionShape::Cycle => "each_cycle",
                    FunctionShape::Handler => "handler",
                };
                vec![format!("{name}: {}", shape.describe(&show(element)))]
            }
            _ => self.params.iter().map(show).collect(),
        }
    }
}

fn sig(method: M, params: Vec<Ty>, returns: Ty) -> Option<MethodSig> {
    Some(MethodSig {
        method,
        params,
        returns,
        receiver: ReceiverUse::Read,
        function: None,
    })
}

fn mutating(method: M, params: Vec<Ty>, returns: Ty) -> Option<MethodSig> {
    Some(MethodSig {
        method,
        params,
        returns,
        receiver: ReceiverUse::Mutate,
        function: None,
    })
}

/// A method that takes a function by name.
fn taking(method: M, shape: FunctionShape, returns: Ty) -> Option<MethodSig> {
    let receiver = if method.changes_receiver() {
        ReceiverUse::Mutate
    } else {
        ReceiverUse::Read
    };
    Some(MethodSig {
        method,
        params: vec![],
        returns,
        receiver,
        function: Some(shape),
    })
}

/// The signature of `receiver.name(…)` for a built-in receiver type.
pub(crate) fn method(receiver: &Ty, name: &str) -> Option<MethodSig> {
    use Ty::*;
    let list = |t: Ty| Ty::List(Box::new(t));
    let option = |t: Ty| Ty::Option(Box::new(t));
    let result = |t: Ty, e: Ty| Ty::Result(Box::new(t), Box::new(e));
    match (receiver, name) {
        (_, "to_string") if matches!(receiver, I64 | F64 | Bool | Str) => {
            sig(M::ToText, vec![], Str)
        }
        (_, "clone") if !matches!(receiver, Thread(_) | Task(_) | Range) => {
            sig(M::Clone, vec![], receiver.clone())
        }
        (Str, "length") => sig(M::Length, vec![], I64),
        (Str, "is_empty") => sig(M::IsEmpty, vec![], Bool),
        (Str, "contains") => sig(M::Contains, vec![Str], Bool),
        (Str, "starts_with") => sig(M::StartsWith, vec![Str], Bool),
        (Str, "ends_with") => sig(M::EndsWith, vec![Str], Bool),
        (Str, "to_upper") => sig(M::ToUpper, vec![], Str),
        (Str, "to_lower") => sig(M::ToLower, vec![], Str),
        (Str, "trim") => sig(M::Trim, vec![], Str),
        (Str, "substring") => sig(M::Substring, vec![I64, I64], Str),
        (Str, "find") => sig(M::Find, vec![Str], option(I64)),
        (Str, "chars") => sig(M::Chars, vec![], list(Str)),
        (Str, "split_first") => sig(M::SplitFirst, vec![Str], list(Str)),
        (Str, "append") => mutating(M::Append, vec![Str], Unit),
        (Str, "split") => sig(M::Split, vec![Str], list(Str)),
        (Str, "replace") => sig(M::Replace, vec![Str, Str], Str),
        (Str, "lines") => sig(M::Lines, vec![], list(Str)),
        (Str, "parse_int") => sig(M::ParseInt, vec![], result(I64, Str)),
        (Str, "parse_float") => sig(M::ParseFloat, vec![], result(F64, Str)),
        (I64 | F64 | Str | Bool | Ordering, "compare") => {
            sig(M::Compare, vec![receiver.clone()], Ordering)
        }
        (Ordering, "reverse") => sig(M::OrderReverse, vec![], Ordering),
        (Ordering, "then") => sig(M::OrderThen, vec![Ordering], Ordering),
        (I64, "to_f64") => sig(M::ToF64, vec![], F64),
        (F64, "to_i64") => sig(M::ToI64, vec![], I64),
        (I64 | F64, "abs") => sig(M::Abs, vec![], receiver.clone()),
        (I64 | F64, "min") => sig(M::Min, vec![receiver.clone()], receiver.clone()),
        (I64 | F64, "max") => sig(M::Max, vec![receiver.clone()], receiver.clone()),
        (I64, "pow") => sig(M::Pow, vec![I64], I64),
        (I64, "checked_add") => sig(M::CheckedAdd, vec![I64], option(I64)),
        (I64, "checked_sub") => sig(M::CheckedSub, vec![I64], option(I64)),
        (I64, "checked_mul") => sig(M::CheckedMul, vec![I64], option(I64)),
        (I64, "checked_div") => sig(M::CheckedDiv, vec![I64], option(I64)),
        (I64, "bit_and") => sig(M::BitAnd, vec![I64], I64),
        (I64, "bit_or") => sig(M::BitOr, vec![I64], I64),
        (I64, "bit_xor") => sig(M::BitXor, vec![I64], I64),
        (I64, "bit_not") => sig(M::BitNot, vec![], I64),
        (I64, "shift_left") => sig(M::ShiftLeft, vec![I64], I64),
        (I64, "shift_right") => sig(M::ShiftRight, vec![I64], I64),
        (F64, "sqrt") => sig(M::Sqrt, vec![], F64),
        (F64, "floor") => sig(M::Floor, vec![], F64),
        (F64, "ceil") => sig(M::Ceil, vec![], F64),
        (F64, "round") => sig(M::Round, vec![], F64),
        (List(_), "length") => sig(M::Length, vec![], I64),
        (List(_), "is_empty") => sig(M::IsEmpty, vec![], Bool),
        (List(t), "push") => mutating(M::Push, vec![(**t).clone()], Unit),
        (List(t), "pop") => mutating(M::Pop, vec![], option((**t).clone())),
        (List(t), "get") => sig(M::Get, vec![I64], option((**t).clone())),
        (List(t), "first") => sig(M::First, vec![], option((**t).clone())),
        (List(t), "last") => sig(M::Last, vec![], option((**t).clone())),
        (List(t), "contains") => sig(M::Contains, vec![(**t).clone()], Bool),
        (List(t), "sort") if matches!(**t, I64 | F64 | Str | Bool | Ordering | Unknown) => {
            mutating(M::Sort, vec![], Unit)
        }
        (List(_), "sort_by") => taking(M::SortBy, FunctionShape::Compare, Unit),
        (List(_), "sort_by_key") => taking(M::SortByKey, FunctionShape::Key, Unit),
        (List(t), "min_by") => taking(M::MinBy, FunctionShape::Compare, option((**t).clone())),
        (List(t), "max_by") => taking(M::MaxBy, FunctionShape::Compare, option((**t).clone())),
        (List(t), "min_by_key") => taking(M::MinByKey, FunctionShape::Key, option((**t).clone())),
        (List(t), "max_by_key") => taking(M::MaxByKey, FunctionShape::Key, option((**t).clone())),
        (List(_), "reverse") => mutating(M::Reverse, vec![], Unit),
        (List(t), "join") if matches!(**t, Str | Unknown) => sig(M::Join, vec![Str], Str),
        (List(t), "insert") => mutating(M::Insert, vec![I64, (**t).clone()], Unit),
        (List(t), "remove") => mutating(M::Remove, vec![I64], (**t).clone()),
        (List(_), "clear") => mutating(M::Clear, vec![], Unit),
        (List(_), "reverse_range") => mutating(M::ReverseRange, vec![I64, I64], Unit),
        (List(_), "rotate_range") => mutating(M::RotateRange, vec![I64, I64, I64], Unit),
        (List(t), "fill_range") => mutating(M::FillRange, vec![I64, I64, (**t).clone()], Unit),
        (List(_), "copy_range") => mutating(M::CopyRange, vec![I64, I64, I64], Unit),
        (List(t), "sublist") => sig(M::Sublist, vec![I64, I64], List(t.clone())),
        (Map(..), "length") => sig(M::Length, vec![], I64),
        (Map(..), "is_empty") => sig(M::IsEmpty, vec![], Bool),
        (Map(k, v), "insert") => mutating(M::Insert, vec![(**k).clone(), (**v).clone()], Unit),
        (Map(k, v), "get") => sig(M::Get, vec![(**k).clone()], option((**v).clone())),
        (Map(k, _), "contains_key") => sig(M::ContainsKey, vec![(**k).clone()], Bool),
        (Map(k, v), "remove") => mutating(M::Remove, vec![(**k).clone()], option((**v).clone())),
        (Map(k, _), "keys") => sig(M::Keys, vec![], list((**k).clone())),
        (Map(_, v), "values") => sig(M::Values, vec![], list((**v).clone())),
        (Map(..), "clear") => mutating(M::Clear, vec![], Unit),
        (Option(_), "is_some") => sig(M::IsSome, vec![], Bool),
        (Option(_), "is_none") => sig(M::IsNone, vec![], Bool),
        (Option(t), "unwrap") => sig(M::Unwrap, vec![], (**t).clone()),
        (Option(t), "expect") => sig(M::Expect, vec![Str], (**t).clone()),
        (Option(t), "unwrap_or") => sig(M::UnwrapOr, vec![(**t).clone()], (**t).clone()),
        (Result(..), "is_ok") => sig(M::IsOk, vec![], Bool),
        (Result(..), "is_err") => sig(M::IsErr, vec![], Bool),
        (Result(t, _), "unwrap") => sig(M::Unwrap, vec![], (**t).clone()),
        (Result(t, _), "expect") => sig(M::Expect, vec![Str], (**t).clone()),
        (Result(t, _), "unwrap_or") => sig(M::UnwrapOr, vec![(**t).clone()], (**t).clone()),
        (Thread(t), "join") => Some(MethodSig {
            method: M::JoinThread,
            params: vec![],
            returns: (**t).clone(),
            receiver: ReceiverUse::Consume,
            function: None,
        }),
        (Task(t), "join") => Some(MethodSig {
            method: M::JoinTask,
            params: vec![],
            returns: (**t).clone(),
            receiver: ReceiverUse::Consume,
            function: None,
        }),
        (Mailbox(t), "send") => Some(MethodSig {
            method: M::Send,
            params: vec![(**t).clone()],
            returns: Unit,
            receiver: ReceiverUse::Read,
            function: None,
        }),
        _ => None,
    }
}

/// Method names of a built-in type, for "did you mean" suggestions.
pub(crate) fn names_for(receiver: &Ty) -> &'static [&'static str] {
    match receiver {
        Ty::Str => &[
            "length",
            "is_empty",
            "contains",
            "starts_with",
            "ends_with",
            "to_upper",
            "to_lower",
            "trim",
            "substring",
            "find",
            "chars",
            "split_first",
            "append",
            "split",
            "replace",
            "lines",
            "parse_int",
            "parse_float",
            "compare",
            "to_string",
            "clone",
        ],
        Ty::I64 => &[
            "to_f64",
            "to_string",
            "abs",
            "min",
            "max",
            "pow",
            "checked_add",
            "checked_sub",
            "checked_mul",
            "checked_div",
            "bit_and",
            "bit_or",
            "bit_xor",
            "bit_not",
            "shift_left",
            "shift_right",
            "compare",
        ],
        Ty::F64 => &[
            "to_i64",
            "to_string",
            "abs",
            "min",
            "max",
            "sqrt",
            "floor",
            "ceil",
            "round",
            "compare",
        ],
        Ty::List(_) => &[
            "length",
            "is_empty",
            "push",
            "pop",
            "get",
            "first",
            "last",
            "contains",
            "sort",
            "sort_by",
            "sort_by_key",
            "min_by",
            "max_by",
            "min_by_key",
            "max_by_key",
            "reverse",
            "join",
            "insert",
            "remove",
            "clear",
            "clone",
            "reverse_range",
            "rotate_range",
            "fill_range",
            "copy_range",
            "sublist",
        ],
        Ty::Map(..) => &[
            "length",
            "is_empty",
            "insert",
            "get",
            "contains_key",
            "remove",
            "keys",
            "values",
            "clear",
            "clone",
        ],
        Ty::Option(_) => &[
            "is_some",
            "is_none",
            "unwrap",
            "expect",
            "unwrap_or",
            "clone",
        ],
        Ty::Result(..) => &["is_ok", "is_err", "unwrap", "expect", "unwrap_or", "clone"],
        Ty::Thread(_) | Ty::Task(_) => &["join"],
        Ty::Mailbox(_) => &["send", "clone"],
        Ty::Bool => &["to_string", "compare", "clone"],
        Ty::Ordering => &["reverse", "then", "compare", "clone"],
        _ => &[],
    }
}

/// Rust method names writers reach for, and the Parseltongue name.
pub(crate) fn rust_method_spelling(name: &str) -> Option<&'static str> {
    Some(match name {
        "len" => "length",
        "to_uppercase" => "to_upper",
        "to_lowercase" => "to_lower",
        "to_owned" | "as_str" => "clone",
        "iter" | "into_iter" => "",
        "unwrap_or_default" => "unwrap_or",
        "contains" => "contains_key",
        "push_str" | "push" => "append",
        "split_once" => "split_first",
        "char_indices" => "chars",
        "rotate_left" => "rotate_range",
        "fill" => "fill_range",
        "copy_within" => "copy_range",
        "to_vec" => "sublist",
        "bitand" => "bit_and",
        "bitor" => "bit_or",
        "bitxor" => "bit_xor",
        "not" => "bit_not",
        "cmp" | "partial_cmp" | "total_cmp" => "compare",
        "sort_unstable" => "sort",
        "sort_unstable_by" => "sort_by",
        "sort_unstable_by_key" | "sort_by_cached_key" => "sort_by_key",
        "then_with" => "then",
        "shl" | "wrapping_shl" | "checked_shl" => "shift_left",
        "shr" | "wrapping_shr" | "checked_shr" => "shift_right",
        _ => return None,
    })
}
