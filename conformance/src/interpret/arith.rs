//! Operators with the behaviour of a debug build of the lowered Rust:
//! `i64` overflow and division by zero panic with rustc's messages,
//! `f64` follows IEEE.

use super::machine::{panic, unsupported, Eval};
use super::value::{compare, equal, Value};
use parseltongue_core::syntax::ast::{BinaryOp, UnaryOp};
use std::cmp::Ordering;

pub(crate) const ADD_OVERFLOW: &str = "attempt to add with overflow";
pub(crate) const SUB_OVERFLOW: &str = "attempt to subtract with overflow";
pub(crate) const MUL_OVERFLOW: &str = "attempt to multiply with overflow";
pub(crate) const NEG_OVERFLOW: &str = "attempt to negate with overflow";

fn checked(result: Option<i64>, message: &str) -> Eval<Value> {
    match result {
        Some(n) => Ok(Value::Int(n)),
        None => panic(message),
    }
}

/// `a op b` for every operator but `&&` and `||` (which short-circuit and
/// are evaluated by the caller).
pub(crate) fn binary(op: BinaryOp, a: &Value, b: &Value) -> Eval<Value> {
    use BinaryOp as B;
    match op {
        B::Eq => return Ok(Value::Bool(equal(a, b))),
        B::Ne => return Ok(Value::Bool(!equal(a, b))),
        B::Lt | B::Le | B::Gt | B::Ge => {
            let order = compare(a, b);
            let holds = match op {
                B::Lt => order == Some(Ordering::Less),
                B::Le => matches!(order, Some(Ordering::Less | Ordering::Equal)),
                B::Gt => order == Some(Ordering::Greater),
                _ => matches!(order, Some(Ordering::Greater | Ordering::Equal)),
            };
            return Ok(Value::Bool(holds));
        }
        _ => {}
    }
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int(op, *x, *y),
        (Value::Float(x), Value::Float(y)) => Ok(Value::Float(match op {
            B::Add => x + y,
            B::Sub => x - y,
            B::Mul => x * y,
            B::Div => x / y,
            B::Rem => x % y,
            _ => return unsupported(format!("`{}` on f64", op.as_str())),
        })),
        (Value::Bool(x), Value::Bool(y)) => match op {
            B::And => Ok(Value::Bool(*x && *y)),
            B::Or => Ok(Value::Bool(*x || *y)),
            _ => unsupported(format!("`{}` on bool", op.as_str())),
        },
        _ => unsupported(format!(
            "`{}` on {} and {}",
            op.as_str(),
            a.kind(),
            b.kind()
        )),
    }
}

fn int(op: BinaryOp, x: i64, y: i64) -> Eval<Value> {
    use BinaryOp as B;
    match op {
        B::Add => checked(x.checked_add(y), ADD_OVERFLOW),
        B::Sub => checked(x.checked_sub(y), SUB_OVERFLOW),
        B::Mul => checked(x.checked_mul(y), MUL_OVERFLOW),
        B::Div if y == 0 => panic("attempt to divide by zero"),
        B::Div => checked(x.checked_div(y), "attempt to divide with overflow"),
        B::Rem if y == 0 => panic("attempt to calculate the remainder with a divisor of zero"),
        B::Rem => checked(
            x.checked_rem(y),
            "attempt to calculate the remainder with overflow",
        ),
        _ => unsupported(format!("`{}` on i64", op.as_str())),
    }
}

pub(crate) fn unary(op: UnaryOp, v: &Value) -> Eval<Value> {
    match (op, v) {
        (UnaryOp::Negate, Value::Int(n)) => checked(n.checked_neg(), NEG_OVERFLOW),
        (UnaryOp::Negate, Value::Float(x)) => Ok(Value::Float(-x)),
        (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (_, other) => unsupported(format!("a prefix operator on {}", other.kind())),
    }
}
