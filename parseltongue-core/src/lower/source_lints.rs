//! Lints about the logic an author wrote, not about the lowering's
//! choices: `x == x`, `flag || false`, `if c { true } else { false }`,
//! `x = x`, `x * 1`, `range(5, 2)`. The reference defines what such code
//! does, so Parseltongue accepts it; in the generated Rust, rustc and
//! clippy would report it where the author cannot act on it. A generated
//! function allows exactly the lints whose shape its own source has, so
//! every other function keeps the full set of checks.

use crate::ir::{
    Block, Builtin, BuiltinMethod as M, Constant, Expr, ExprKind as K, Local, Pattern, Stmt,
};
use crate::syntax::ast::{BinaryOp, UnaryOp};
use std::collections::BTreeSet;

/// The lints a function body's own shapes need allowed, by name
/// (`dead_code`, `clippy::eq_op`), sorted.
pub(super) fn source_lints(
    block: &Block,
    locals: &[Local],
    constants: &[Constant],
) -> BTreeSet<&'static str> {
    let lints = std::cell::RefCell::new(BTreeSet::new());
    let block_lints = |b: &Block| {
        let mut lints = lints.borrow_mut();
        if pushes_after_empty_list(b) {
            lints.insert("clippy::vec_init_then_push");
        }
        if swaps_by_hand(b, locals) {
            lints.insert("clippy::almost_swapped");
        }
    };
    block_lints(block);
    // Locals bound to `Ok(…)`, `Some(…)` and the like: clippy follows them
    // to an `unwrap_or` (unnecessary_literal_unwrap).
    let literal_locals = std::cell::RefCell::new(Vec::new());
    let none_locals = std::cell::RefCell::new(Vec::new());
    crate::ir::walk_block(block, &mut |_| {}, &mut |s| {
        if let Stmt::Let { local, value, .. } = s {
            let unchanged = locals.get(*local).is_some_and(|l| !l.mutated);
            let none = matches!(
                simplified(value).kind,
                K::Builtin {
                    builtin: Builtin::None,
                    ..
                }
            );
            // A `None` clippy follows to an unwrap, not to a test.
            if unchanged && none {
                none_locals.borrow_mut().push(*local);
            } else if unchanged && is_literal_value(value) {
                literal_locals.borrow_mut().push(*local);
            }
        }
    });
    let literal_locals = literal_locals.into_inner();
    let none_locals = none_locals.into_inner();
    crate::ir::walk_block(
        block,
        &mut |e| {
            expression_lints(e, constants, &mut lints.borrow_mut());
            let counted_by_abs = match &e.kind {
                K::Index { index, .. } => is_abs(index),
                K::Builtin {
                    builtin: Builtin::ListOfCopies,
                    args,
                } => args.get(1).is_some_and(is_abs),
                _ => false,
            };
            if counted_by_abs {
                lints.borrow_mut().insert("clippy::cast_abs_to_unsigned");
            }
            if let K::Builtin {
                builtin: Builtin::Method(m),
                args,
            } = &e.kind
            {
                // `xs.get(n.abs())`: the index's `as usize` follows the
                // author's `abs` (whose overflow panics, as `unsigned_abs`
                // would not).
                if args.iter().skip(1).any(is_abs) {
                    lints.borrow_mut().insert("clippy::cast_abs_to_unsigned");
                }
                let unwraps = matches!(m, M::Unwrap | M::UnwrapOr | M::Expect);
                let receiver = match simplified(&args[0]).kind {
                    K::Local { id, .. } => Some(id),
                    _ => None,
                };
                if receiver.is_some_and(|id| {
                    (unwraps_or_tests(*m) && literal_locals.contains(&id))
                        || (unwraps && none_locals.contains(&id))
                }) {
                    lints
                        .borrow_mut()
                        .insert("clippy::unnecessary_literal_unwrap");
                }
            }
            match &e.kind {
                K::Block(b) => block_lints(b),
                K::If {
                    branches,
                    otherwise,
                } => {
                    branches.iter().for_each(|(_, b)| block_lints(b));
                    otherwise.as_deref().into_iter().for_each(block_lints);
                }
                K::SpawnThread { body, .. }
                | K::WithLock { body, .. }
                | K::WithEntry { body, .. } => block_lints(body),
                _ => {}
            }
        },
        &mut |s| {
            statement_lints(s, locals, &mut lints.borrow_mut());
            if let Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop(body) = s {
                block_lints(body);
            }
        },
    );
    if overflows_known_values(block, locals, constants) {
        // rustc follows `let_var big = 9223372036854775807; big + 1` and
        // rejects what the reference defines as a panic at run time.
        lints.borrow_mut().insert("arithmetic_overflow");
        lints.borrow_mut().insert("unconditional_panic");
    }
    lints.into_inner()
}

/// The lints a constant's value needs allowed (see [`source_lints`]).
pub(super) fn value_lints(value: &Expr, constants: &[Constant]) -> BTreeSet<&'static str> {
    let lints = std::cell::RefCell::new(BTreeSet::new());
    crate::ir::walk_expr(
        value,
        &mut |e| expression_lints(e, constants, &mut lints.borrow_mut()),
        &mut |_| {},
    );
    lints.into_inner()
}

/// Whether the chain `first rest…` is the expression `e` (a chain of the
/// same operators and operands).
fn chain_is(first: &Expr, rest: &[(BinaryOp, Expr)], e: &Expr) -> bool {
    if rest.is_empty() {
        return false;
    }
    match &simplified(e).kind {
        K::Binary {
            first: other,
            rest: others,
        } => {
            others.len() == rest.len()
                && same(first, other)
                && rest
                    .iter()
                    .zip(others)
                    .all(|((a, x), (b, y))| a == b && same(x, y))
        }
        _ => false,
    }
}

/// The operands of a chain of `&&` and `||`, through the chains of them
/// it contains; anything else is one operand.
fn logical_atoms<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &simplified(e).kind {
        K::Binary { first, rest } if rest.iter().all(|(op, _)| op.is_logical()) => {
            logical_atoms(first, out);
            for (_, operand) in rest {
                logical_atoms(operand, out);
            }
        }
        _ => out.push(e),
    }
}

/// `let_var a = b; let_var b = a;`, `let_var a = b; b = a;` and `a = b;
/// b = a;`: to clippy, a swap gone wrong.
fn swaps_by_hand(block: &Block, locals: &[Local]) -> bool {
    let name = |l: usize| locals.get(l).map(|l| &l.name);
    let local = |e: &Expr| match e.kind {
        K::Local { id, .. } => Some(id),
        _ => None,
    };
    block.stmts.windows(2).any(|pair| match pair {
        [Stmt::Let {
            local: a,
            value: first,
            ..
        }, Stmt::Assign {
            target,
            op: None,
            value: second,
        }] => {
            // The place may be a field too (`let_var c = self.x; self.x = c;`).
            super::aliasing::base_local(first).is_some()
                && same(first, target)
                && local(second) == Some(*a)
        }
        [Stmt::Assign {
            target,
            op: None,
            value: first,
        }, Stmt::Let {
            local: b,
            value: second,
            ..
        }] if local(target).is_some() => {
            local(first).is_some_and(|from| name(from) == name(*b))
                && local(second) == local(target)
        }
        [Stmt::Assign {
            target: a,
            op: None,
            value: first,
        }, Stmt::Assign {
            target: b,
            op: None,
            value: second,
        }] => {
            // `a = b; b = a;`, where `b` may be a field (`v = r.x; r.x = v;`).
            local(a).is_some()
                && local(second) == local(a)
                && ((local(b).is_some() && local(first) == local(b))
                    || (super::aliasing::base_local(first).is_some() && same(first, b)))
        }
        [Stmt::Let {
            local: a,
            value: first,
            ..
        }, Stmt::Let {
            local: b,
            value: second,
            ..
        }] => {
            matches!((&first.kind, &second.kind),
                (K::Local { id: from, .. }, K::Local { id: back, .. })
                    if back == a && name(*from) == name(*b))
        }
        _ => false,
    })
}

/// `let_mut_var xs: list<T> = list_of(); xs.push(v);`: the author's way
/// to build a list (clippy: vec_init_then_push).
fn pushes_after_empty_list(block: &Block) -> bool {
    block.stmts.windows(2).any(|pair| match pair {
        [Stmt::Let { local, value, .. }, Stmt::Expr(next)] => {
            matches!(&value.kind, K::Builtin { builtin: Builtin::ListOf, args } if args.is_empty())
                && matches!(&next.kind, K::Builtin { builtin: Builtin::Method(M::Push), args }
                    if matches!(args[0].kind, K::Local { id, .. } if id == *local))
        }
        _ => false,
    })
}

fn statement_lints(s: &Stmt, locals: &[Local], lints: &mut BTreeSet<&'static str>) {
    match s {
        Stmt::Assign { target, op, value } => {
            if op.is_none() && same(target, value) {
                // rustc reports `x = x` under dead_code.
                lints.insert("dead_code");
                lints.insert("clippy::self_assignment");
            }
            if op.is_some() && mentions_place(value, target) {
                lints.insert("clippy::misrefactored_assign_op");
            }
            if op.is_none() {
                // `x = a + x`, `x = x - (x - y)`: clippy suggests (or
                // misreads) a compound assignment. (`x += y` arrives here
                // as `x = x + y`, which the lowering writes back as `+=`.)
                if let K::Binary { first, rest } = &simplified(value).kind {
                    // Through a one-arm match the lowering removes, even
                    // `x = x % 4` is left for clippy to see.
                    let hidden =
                        !std::ptr::eq(simplified(value), &**value) && mentions_place(first, target);
                    if hidden || rest.iter().any(|(_, r)| mentions_place(r, target)) {
                        lints.insert("clippy::assign_op_pattern");
                        lints.insert("clippy::misrefactored_assign_op");
                    }
                }
                // `x = m.bit_and(x)`: Rust's `&` with `x` on the right
                // (`x = x.bit_and(m)` is lowered as `x &= m`).
                if let K::Builtin {
                    builtin:
                        Builtin::Method(M::BitAnd | M::BitOr | M::BitXor | M::ShiftLeft | M::ShiftRight),
                    args,
                } = &simplified(value).kind
                {
                    // A shift by a known amount of 64 or more is written
                    // as one by 63 (or 0), not as a compound assignment.
                    let out_of_range_shift = matches!(
                        simplified(value).kind,
                        K::Builtin {
                            builtin: Builtin::Method(M::ShiftLeft | M::ShiftRight),
                            ..
                        }
                    ) && args.get(1).is_some_and(|amount| {
                        matches!(value_of(amount, &[], 0), Some(Value::Int(n)) if !(0..64).contains(&n))
                    });
                    if args.iter().skip(1).any(|a| mentions_place(a, target))
                        || !std::ptr::eq(simplified(value), &**value)
                        || out_of_range_shift
                    {
                        lints.insert("clippy::assign_op_pattern");
                        lints.insert("clippy::misrefactored_assign_op");
                    }
                }
            }
        }
        Stmt::For { iterable, .. } => {
            if let K::Builtin {
                builtin: Builtin::Range | Builtin::RangeInclusive,
                args,
            } = &iterable.kind
            {
                // Arity is checked elsewhere; a program with errors may
                // still be lowered (for the language server).
                let bounds = match args.as_slice() {
                    [first, second] => literal_int(first).zip(literal_int(second)),
                    _ => None,
                };
                if let Some((a, b)) = bounds {
                    let inclusive = matches!(
                        iterable.kind,
                        K::Builtin {
                            builtin: Builtin::RangeInclusive,
                            ..
                        }
                    );
                    if a > b || (a == b && !inclusive) {
                        lints.insert("clippy::reversed_empty_ranges");
                    }
                }
            }
            if super::expr::literal_list(iterable).is_some_and(|args| args.len() == 1) {
                lints.insert("clippy::single_element_loop");
            }
        }
        Stmt::Return(Some(value)) if matches!(simplified(value).kind, K::Propagate(_)) => {
            // `return propagate x;`: `return x` to clippy.
            lints.insert("clippy::needless_return_with_question_mark");
        }
        Stmt::Let { local, value, .. } => {
            // `let_var x = x;`: a shadow with the same value.
            if let K::Local { id, .. } = simplified(value).kind {
                let name = |l: usize| locals.get(l).map(|l| &l.name);
                if id != *local && name(id) == name(*local) {
                    lints.insert("clippy::redundant_locals");
                }
            }
            // `let_var x = match v { Only(y) => y };`: a `let` pattern to
            // clippy.
            if let K::Match { arms, .. } = &value.kind {
                if let [(Pattern::Variant { args, .. }, body)] = arms.as_slice() {
                    if let ([Pattern::Binding(bound)], K::Local { id, .. }) =
                        (args.as_slice(), &simplified(body).kind)
                    {
                        if bound == id {
                            lints.insert("clippy::infallible_destructuring_match");
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

fn expression_lints(e: &Expr, constants: &[Constant], lints: &mut BTreeSet<&'static str>) {
    let value = |e: &Expr| value_of(e, constants, 0);
    match &e.kind {
        // `assert(true)`, `assert(1 < 2)`: always the same outcome.
        K::Builtin {
            builtin: Builtin::Assert,
            args,
        } if args.len() == 1 && (is_constant(&args[0]) || value(&args[0]).is_some()) => {
            lints.insert("clippy::assertions_on_constants");
        }
        // `x.bit_xor(x)`, `x.bit_and(x)`: the author's operands.
        K::Builtin {
            builtin: Builtin::Method(M::BitAnd | M::BitOr | M::BitXor),
            args,
        } if args.len() == 2 => {
            if same(&args[0], &args[1]) {
                lints.insert("clippy::eq_op");
            }
            // An operand of 0 or -1: the author's (identity_op: `x | 0`,
            // `x & -1`; erasing_op: `x & 0`).
            for operand in args.iter() {
                match value(operand) {
                    Some(Value::Int(0)) => {
                        lints.insert("clippy::identity_op");
                        lints.insert("clippy::erasing_op");
                    }
                    Some(Value::Int(-1)) => {
                        lints.insert("clippy::identity_op");
                    }
                    _ => {}
                }
            }
        }
        // `xs.sublist(2, 1)`, `s.substring(3, 1)`: the author's positions,
        // which panic (reversed_empty_ranges).
        K::Builtin {
            builtin: Builtin::Method(M::Sublist | M::Substring),
            args,
        } if args.len() == 3
            && matches!((value(&args[1]), value(&args[2])), (Some(Value::Int(a)), Some(Value::Int(b))) if a > b) =>
        {
            lints.insert("clippy::reversed_empty_ranges");
        }
        // `(0.0 / 0.0).to_i64()`: the author's NaN (cast_nan_to_int).
        K::Builtin {
            builtin: Builtin::Method(M::ToI64),
            args,
        } if matches!(value(&args[0]), Some(Value::Float(f)) if f.is_nan()) => {
            lints.insert("clippy::cast_nan_to_int");
        }
        // `x.shift_left(0)`, `0.shift_left(n)`: the author's amount.
        K::Builtin {
            builtin: Builtin::Method(M::ShiftLeft | M::ShiftRight),
            args,
        } if args.len() == 2 && args.iter().any(|a| value(a) == Some(Value::Int(0))) => {
            lints.insert("clippy::identity_op");
            lints.insert("clippy::erasing_op");
        }
        K::Builtin {
            builtin: Builtin::AssertEqual,
            args,
        } if args.len() == 2 => {
            if args.iter().any(is_bool_literal) {
                lints.insert("clippy::bool_assert_comparison");
            }
            if same(&args[0], &args[1]) {
                lints.insert("clippy::eq_op");
            }
        }
        K::Binary { first, rest } => {
            // `x.bit_and(12) == 3`: a known mask compared with a known
            // value that it can never (or always) give: the author's logic
            // (bad_bit_mask, ineffective_bit_mask).
            // Each known operand of a mask may be the mask.
            let masks = |e: &Expr| -> Vec<(M, i64)> {
                match &simplified(e).kind {
                    K::Builtin {
                        builtin: Builtin::Method(m @ (M::BitAnd | M::BitOr)),
                        args,
                    } => args
                        .iter()
                        .filter_map(|a| match value(a) {
                            Some(Value::Int(v)) => Some((*m, v)),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                }
            };
            let operands: Vec<&Expr> = std::iter::once(first.as_ref())
                .chain(rest.iter().map(|(_, r)| r))
                .collect();
            for (i, (op, _)) in rest.iter().enumerate() {
                if !op.is_comparison() {
                    continue;
                }
                let (left, right) = (operands[i], operands[i + 1]);
                for (masked, other) in [(left, right), (right, left)] {
                    let Some(Value::Int(c)) = value(other) else {
                        continue;
                    };
                    for (m, bits) in masks(masked) {
                        let degenerate = !matches!(op, BinaryOp::Eq | BinaryOp::Ne)
                            || (m == M::BitAnd && c & !bits != 0)
                            || (m == M::BitOr && bits & !c != 0);
                        if degenerate {
                            lints.insert("clippy::bad_bit_mask");
                            lints.insert("clippy::ineffective_bit_mask");
                        }
                    }
                }
            }
            let mut previous = first.as_ref();
            let mut known = value(first);
            for (position, (op, operand)) in rest.iter().enumerate() {
                let self_cancelling = op.is_comparison()
                    || op.is_logical()
                    || matches!(op, BinaryOp::Sub | BinaryOp::Div | BinaryOp::Rem);
                // `a + a - (a + a)`: the chain so far is the operand.
                if self_cancelling && chain_is(first, &rest[..position], operand) {
                    lints.insert("clippy::eq_op");
                }
                // clippy folds constants: `false != (1.0 > 2.0)` compares
                // equal values too.
                // So does the chain so far: `100.0 / 0.1 / 1e3`.
                let equal_values = (value(previous).is_some() && value(previous) == value(operand))
                    || (known.is_some() && known == value(operand));
                if self_cancelling && (same(previous, operand) || equal_values) {
                    lints.insert("clippy::eq_op");
                    lints.insert("clippy::nonminimal_bool");
                    lints.insert("clippy::overly_complex_bool_expr");
                }
                // `flag || !false`: clippy folds the constant side too.
                let known_bool =
                    |e: &Expr| is_bool_literal(e) || matches!(value(e), Some(Value::Bool(_)));
                if (op.is_logical() || matches!(op, BinaryOp::Eq | BinaryOp::Ne))
                    && (known_bool(previous) || known_bool(operand))
                {
                    lints.insert("clippy::nonminimal_bool");
                    lints.insert("clippy::bool_comparison");
                    lints.insert("clippy::overly_complex_bool_expr");
                }
                // `a - 1 >= b`, `a >= b + 1`, `-1 + a >= b`: `a > b` to clippy.
                let one = |e: &Expr| match &simplified(e).kind {
                    K::Int(1 | -1) => true,
                    K::Unary { operand, .. } => matches!(simplified(operand).kind, K::Int(1)),
                    _ => false,
                };
                let off_by_one = |e: &Expr| {
                    matches!(&simplified(e).kind, K::Binary { first, rest }
                        if matches!(rest.last(), Some((BinaryOp::Add | BinaryOp::Sub, last))
                            if matches!(simplified(last).kind, K::Int(1)))
                        || (one(first)
                            && matches!(rest.first(), Some((BinaryOp::Add, _)))))
                };
                if matches!(
                    op,
                    BinaryOp::Ge | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Lt
                ) && (off_by_one(previous) || off_by_one(operand))
                {
                    lints.insert("clippy::int_plus_one");
                }
                // The chain so far and the divisor, as clippy folds them.
                let zero = |v: Option<Value>| matches!(v, Some(Value::Float(f)) if f == 0.0);
                if matches!(op, BinaryOp::Div)
                    && (numeric_literal(previous) == Some(0.0) || zero(known.clone()))
                    && (numeric_literal(operand) == Some(0.0) || zero(value(operand)))
                {
                    lints.insert("clippy::zero_divided_by_zero");
                }
                // `!a != b` is `a == b` to clippy.
                let negated = |e: &Expr| {
                    matches!(
                        simplified(e).kind,
                        K::Unary {
                            op: UnaryOp::Not,
                            ..
                        }
                    )
                };
                if matches!(op, BinaryOp::Eq | BinaryOp::Ne)
                    && (negated(previous) || negated(operand))
                {
                    lints.insert("clippy::nonminimal_bool");
                }
                // `x == None`: `x.is_none()` to clippy.
                let none = |e: &Expr| {
                    matches!(
                        simplified(e).kind,
                        K::Builtin {
                            builtin: Builtin::None,
                            ..
                        }
                    )
                };
                if matches!(op, BinaryOp::Eq | BinaryOp::Ne) && (none(previous) || none(operand)) {
                    lints.insert("clippy::partialeq_to_none");
                }
                if op.is_comparison() && (is_empty_text(previous) || is_empty_text(operand)) {
                    lints.insert("clippy::comparison_to_empty");
                }
                // clippy folds constants: `3 % 5` is `3` to it. The left
                // operand of a chain is the value so far.
                if let (Some(a), Some(b)) = (&known, value(operand)) {
                    if let Some(result) = apply(*op, a, &b) {
                        if result == *a || result == b {
                            lints.insert("clippy::identity_op");
                        }
                        if result == Value::Int(0) {
                            lints.insert("clippy::erasing_op");
                        }
                    }
                }
                let so_far = known.clone();
                known = known
                    .as_ref()
                    .zip(value(operand))
                    .and_then(|(a, b)| apply(*op, a, &b));
                // `x * 1`, `x + 0`, `x * 0`, `x % 1`, `x * -1`: known results.
                for (side, left) in [(previous, true), (operand, false)] {
                    // clippy folds `24 % 3` to `0` too, and the chain so
                    // far on the left (`31 % 6 * x` is `1 * x`).
                    let as_number = |v: Option<Value>| match v {
                        Some(Value::Int(v)) => Some(v as f64),
                        Some(Value::Float(v)) => Some(v),
                        _ => None,
                    };
                    let folded = match (left, as_number(so_far.clone())) {
                        (true, Some(chain)) => Some(chain),
                        _ => numeric_literal(side).or(as_number(value(side))),
                    };
                    match (folded, op) {
                        (Some(0.0), BinaryOp::Add | BinaryOp::Sub) => {
                            lints.insert("clippy::identity_op");
                        }
                        (Some(0.0), BinaryOp::Mul) => {
                            lints.insert("clippy::erasing_op");
                        }
                        (Some(0.0), BinaryOp::Div | BinaryOp::Rem) if left => {
                            lints.insert("clippy::erasing_op");
                        }
                        (Some(1.0), BinaryOp::Mul) => {
                            lints.insert("clippy::identity_op");
                        }
                        (Some(1.0), BinaryOp::Div) if !left => {
                            lints.insert("clippy::identity_op");
                        }
                        (Some(1.0 | -1.0), BinaryOp::Rem) if !left => {
                            lints.insert("clippy::modulo_one");
                            lints.insert("clippy::identity_op");
                        }
                        (Some(-1.0), BinaryOp::Mul) => {
                            lints.insert("clippy::neg_multiply");
                        }
                        _ => {}
                    }
                }
                previous = operand;
            }
            // One operand twice in a chain of `&&` or `||`, also inside
            // a parenthesised chain of it (`a && (a || b)` is `a`).
            let logical = rest.iter().all(|(op, _)| op.is_logical());
            let mut operands: Vec<&Expr> = Vec::new();
            logical_atoms(e, &mut operands);
            // The same operand twice, two of equal known value (`false`
            // and `!true`), or an operand and its negation.
            let negation_of = |a: &Expr, b: &Expr| matches!(&simplified(a).kind, K::Unary { op: UnaryOp::Not, operand } if same(operand, b));
            let repeated = operands.iter().enumerate().any(|(i, a)| {
                operands[i + 1..].iter().any(|b| {
                    same(a, b)
                        || (value(a).is_some() && value(a) == value(b))
                        || negation_of(a, b)
                        || negation_of(b, a)
                })
            });
            if logical && repeated {
                lints.insert("clippy::nonminimal_bool");
                lints.insert("clippy::overly_complex_bool_expr");
                lints.insert("clippy::eq_op");
            }
            // `a == b || a < b`: two comparisons of the same operands.
            let pairs: Vec<(&Expr, &Expr)> =
                operands.iter().filter_map(|e| compared_pair(e)).collect();
            let same_operands = pairs.iter().enumerate().any(|(i, (a, b))| {
                pairs[i + 1..]
                    .iter()
                    .any(|(c, d)| (same(a, c) && same(b, d)) || (same(a, d) && same(b, c)))
            });
            if logical && same_operands {
                lints.insert("clippy::double_comparisons");
                lints.insert("clippy::nonminimal_bool");
            }
            // `x > 7 && x < 0`: two bounds of one operand, which clippy
            // finds impossible or redundant.
            let known = |e: &Expr| is_constant(e) || value(e).is_some();
            let bounded: Vec<&Expr> = pairs
                .iter()
                .filter_map(|(a, b)| match (known(a), known(b)) {
                    (false, true) => Some(*a),
                    (true, false) => Some(*b),
                    _ => None,
                })
                .collect();
            let shared_operand = bounded
                .iter()
                .enumerate()
                .any(|(i, a)| bounded[i + 1..].iter().any(|b| same(a, b)));
            if logical && shared_operand {
                lints.insert("clippy::impossible_comparisons");
                lints.insert("clippy::redundant_comparisons");
            }
        }
        // `Some(propagate x)`: `x` itself, to clippy.
        K::Builtin {
            builtin: Builtin::Some | Builtin::Ok,
            args,
        } if args.len() == 1 && matches!(simplified(&args[0]).kind, K::Propagate(_)) => {
            lints.insert("clippy::needless_question_mark");
        }
        K::Unary {
            op: UnaryOp::Not,
            operand,
        } => {
            // `!!x`, `!true`, and `!(match … { p => false, _ => true })`,
            // which the lowering writes as `!(!matches!(…))`.
            let negated_match = matches!(&simplified(operand).kind,
                K::Match { arms, .. } if arms.len() == 2
                    && matches!(arms[0].1.kind, K::Bool(false))
                    && matches!(arms[1].1.kind, K::Bool(true)));
            if is_bool_literal(operand) || is_negation(operand) || negated_match {
                lints.insert("clippy::nonminimal_bool");
            }
            if matches!(
                simplified(operand).kind,
                K::Builtin {
                    builtin: Builtin::Method(M::IsSome | M::IsNone | M::IsOk | M::IsErr),
                    ..
                }
            ) {
                // `!x.is_some()` is `x.is_none()` to clippy.
                lints.insert("clippy::nonminimal_bool");
            }
            if let K::Binary { rest, .. } = &simplified(operand).kind {
                if rest.iter().any(|(op, _)| op.is_comparison()) {
                    lints.insert("clippy::nonminimal_bool");
                    lints.insert("clippy::neg_cmp_op_on_partial_ord");
                }
                if rest.iter().any(|(op, _)| op.is_logical()) {
                    lints.insert("clippy::nonminimal_bool");
                }
            }
        }
        K::If {
            branches,
            otherwise,
        } => {
            // `if x.is_none() { return None; }`: `x?;` to clippy.
            if let [(condition, only)] = branches.as_slice() {
                let tests_none = matches!(
                    &simplified(condition).kind,
                    K::Builtin {
                        builtin: Builtin::Method(M::IsNone),
                        ..
                    }
                );
                let returns_none = match (only.stmts.as_slice(), only.tail.as_deref()) {
                    ([Stmt::Return(Some(value))], None) => matches!(
                        simplified(value).kind,
                        K::Builtin {
                            builtin: Builtin::None,
                            ..
                        }
                    ),
                    _ => false,
                };
                if otherwise.is_none() && tests_none && returns_none {
                    lints.insert("clippy::question_mark");
                }
            }
            // `if c {}`: clippy would remove it.
            if let [(_, only)] = branches.as_slice() {
                if otherwise.is_none() && only.stmts.is_empty() && only.tail.is_none() {
                    lints.insert("clippy::needless_ifs");
                }
            }
            // clippy evaluates constant conditions: two of them may be
            // the same condition to it.
            let known: Vec<Value> = branches.iter().filter_map(|(c, _)| value(c)).collect();
            if known
                .iter()
                .enumerate()
                .any(|(i, v)| known[i + 1..].contains(v))
            {
                lints.insert("clippy::ifs_same_cond");
            }
            for (i, (c, b)) in branches.iter().enumerate() {
                if is_bool_literal(c) {
                    lints.insert("clippy::overly_complex_bool_expr");
                }
                for (c2, b2) in &branches[i + 1..] {
                    if same(c, c2) {
                        lints.insert("clippy::ifs_same_cond");
                    }
                    if same_block(b, b2, constants) {
                        lints.insert("clippy::if_same_then_else");
                    }
                }
                if let Some(o) = otherwise {
                    if same_block(b, o, constants) {
                        lints.insert("clippy::if_same_then_else");
                    }
                }
            }
            // `if a { if b { … } }`: the author's nesting.
            let lone_if = |b: &Block| {
                let only = match (b.stmts.as_slice(), b.tail.as_deref()) {
                    ([Stmt::Expr(e)], None) | ([], Some(e)) => Some(e),
                    _ => None,
                };
                only.is_some_and(|e| matches!(e.kind, K::If { .. }))
            };
            if branches.iter().any(|(_, b)| lone_if(b)) || otherwise.as_deref().is_some_and(lone_if)
            {
                lints.insert("clippy::collapsible_if");
                lints.insert("clippy::collapsible_else_if");
            }
            if otherwise
                .as_deref()
                .is_some_and(|b| b.stmts.is_empty() && b.tail.is_none())
            {
                lints.insert("clippy::needless_else");
            }
            // The last `else if c { true } else { false }` counts alone.
            let bool_tails = branches
                .last()
                .is_some_and(|(_, b)| block_is_bool_literal(b))
                && otherwise.as_deref().is_some_and(block_is_bool_literal);
            if bool_tails {
                lints.insert("clippy::needless_bool");
                lints.insert("clippy::if_same_then_else");
            }
        }
        K::Match { scrutinee, arms } => {
            if arms
                .iter()
                .any(|(_, body)| matches!(simplified(body).kind, K::If { .. }))
            {
                lints.insert("clippy::collapsible_match");
            }
            if arms.iter().all(|(_, body)| is_bool_literal(body)) {
                // Two arms of `true` and `false` are lowered to `matches!`
                // (see `patterns.rs`); `matches!(o, Some(_))` is still
                // `o.is_some()` to clippy.
                // (Only arms that are the literals themselves: see
                // `patterns.rs`.)
                let as_matches = arms.len() == 2
                    && matches!((&arms[0].1.kind, &arms[1].1.kind),
                        (K::Bool(a), K::Bool(b)) if a != b);
                if !as_matches {
                    lints.insert("clippy::match_like_matches_macro");
                }
                let tests_constructor = arms.iter().any(|(p, _)| {
                    matches!(
                        p,
                        Pattern::Some(_)
                            | Pattern::None
                            | Pattern::Ok(_)
                            | Pattern::Err(_)
                            | Pattern::Bool(_)
                    )
                });
                if tests_constructor {
                    lints.insert("clippy::redundant_pattern_matching");
                }
            }
            // `x => { … }, _ => {}`: an `if let` (or `==`) to clippy.
            let nothing = |b: &Expr| match &simplified(b).kind {
                K::Block(block) => block.stmts.is_empty() && block.tail.is_none(),
                _ => b.ty == crate::ir::Ty::Unit && matches!(b.kind, K::Block(_)),
            };
            if arms.len() == 2 && arms.iter().any(|(_, b)| nothing(b)) {
                lints.insert("clippy::single_match");
            }
            // Every arm gives back what it matched (`true => true,
            // other => other`): the match is its scrutinee to clippy.
            // (One arm is lowered to the value itself: no match is left.)
            // A wildcard arm gives back a literal or local scrutinee when
            // it is that value (`false => false, _ => false`).
            let gives_back_scrutinee = |pattern: &Pattern, body: &Expr| {
                matches!(pattern, Pattern::Wildcard)
                    && (is_literal(scrutinee)
                        || matches!(simplified(scrutinee).kind, K::Local { .. }))
                    && same(body, scrutinee)
            };
            if arms.len() > 1
                && arms.iter().all(|(pattern, body)| {
                    gives_back(pattern, body) || gives_back_scrutinee(pattern, body)
                })
            {
                lints.insert("clippy::needless_match");
            }
            // `Some(x) => x, None => fallback`: what `unwrap_or` does.
            // `match v { Only(y) => y }` anywhere (a matched value only
            // evaluated becomes `let _ = match …`): a `let` pattern to clippy.
            if let [(Pattern::Variant { args, .. }, body)] = arms.as_slice() {
                if let ([Pattern::Binding(bound)], K::Local { id, .. }) =
                    (args.as_slice(), &simplified(body).kind)
                {
                    if bound == id {
                        lints.insert("clippy::infallible_destructuring_match");
                    }
                }
            }
            let unwraps =
                arms.iter()
                    .any(|(pattern, body)| match (pattern, &simplified(body).kind) {
                        (Pattern::Some(inner) | Pattern::Ok(inner), K::Local { id, .. }) => {
                            matches!(**inner, Pattern::Binding(bound) if bound == *id)
                        }
                        _ => false,
                    });
            // Only a fallback that is cheap to evaluate first (no call:
            // a string literal becomes `String::from`).
            let cheap_fallback = arms.iter().any(|(pattern, body)| {
                matches!(pattern, Pattern::None | Pattern::Err(_) | Pattern::Wildcard)
                    && (matches!(
                        simplified(body).kind,
                        K::Int(_)
                            | K::Float(_)
                            | K::Bool(_)
                            | K::Local { .. }
                            | K::Const(_)
                            | K::Builtin {
                                builtin: Builtin::None,
                                ..
                            }
                    ) || is_empty_text(body)
                        || value(body).is_some())
            });
            // `Some(_) => Some(…), None => None`: what `map` does.
            let maps = arms.len() == 2
                && arms.iter().any(|(p, b)| {
                    matches!(p, Pattern::Some(_))
                        && matches!(
                            simplified(b).kind,
                            K::Builtin {
                                builtin: Builtin::Some,
                                ..
                            }
                        )
                })
                && arms.iter().any(|(p, b)| {
                    matches!(p, Pattern::None | Pattern::Wildcard)
                        && matches!(
                            simplified(b).kind,
                            K::Builtin {
                                builtin: Builtin::None,
                                ..
                            }
                        )
                });
            if maps {
                lints.insert("clippy::manual_map");
            }
            // `Ok(x) => Some(x), Err(_) => None`: what `ok` (or `err`) does.
            let gives_some = |(p, b): &(Pattern, Expr)| {
                matches!(p, Pattern::Ok(_) | Pattern::Err(_))
                    && matches!(
                        simplified(b).kind,
                        K::Builtin {
                            builtin: Builtin::Some,
                            ..
                        }
                    )
            };
            let gives_none = |(p, b): &(Pattern, Expr)| {
                matches!(p, Pattern::Ok(_) | Pattern::Err(_) | Pattern::Wildcard)
                    && matches!(
                        simplified(b).kind,
                        K::Builtin {
                            builtin: Builtin::None,
                            ..
                        }
                    )
            };
            if arms.len() == 2 && arms.iter().any(gives_some) && arms.iter().any(gives_none) {
                lints.insert("clippy::manual_ok_err");
            }
            if arms.len() == 2 && unwraps && cheap_fallback {
                lints.insert("clippy::manual_unwrap_or");
                lints.insert("clippy::manual_unwrap_or_default");
            }
            // A scrutinee whose text went through a case change (also in a
            // branch of an `if` it is made of) against literal arms.
            let mut case_changed = false;
            crate::ir::walk_expr(
                scrutinee,
                &mut |e| {
                    case_changed |= matches!(
                        e.kind,
                        K::Builtin {
                            builtin: Builtin::Method(M::ToLower | M::ToUpper),
                            ..
                        }
                    );
                },
                &mut |_| {},
            );
            if case_changed && arms.iter().any(|(p, _)| matches!(p, Pattern::Str(_))) {
                lints.insert("clippy::match_str_case_mismatch");
            }
        }
        K::Builtin {
            builtin: Builtin::Method(m),
            args,
        } => {
            let literal_receiver = is_literal_value(&args[0]);
            match m {
                m if unwraps_or_tests(*m) && literal_receiver => {
                    lints.insert("clippy::unnecessary_literal_unwrap");
                }
                M::Get | M::Insert | M::Remove
                    if args.len() > 1
                        && matches!(
                            args[1].kind,
                            K::Builtin {
                                builtin: Builtin::Method(M::Abs),
                                ..
                            }
                        ) =>
                {
                    lints.insert("clippy::cast_abs_to_unsigned");
                }
                M::Contains if args.len() == 2 && is_empty_text(&args[1]) => {
                    lints.insert("clippy::comparison_to_empty");
                }
                // clippy compares the two as written, calls and all.
                M::Replace
                    if args.len() == 3
                        && (same(&args[1], &args[2]) || shape(&args[1]) == shape(&args[2])) =>
                {
                    lints.insert("clippy::no_effect_replace");
                }
                M::Min | M::Max => {
                    let known = |e: &Expr| is_constant(e) || value(e).is_some();
                    if known(&args[0]) && args[1..].iter().all(known) {
                        lints.insert("clippy::unnecessary_min_or_max");
                    }
                    // `x.min(1).max(5)`, `c.max(x.min(1))`: a constant result.
                    let bounded = |e: &Expr| {
                        matches!(
                            &simplified(e).kind,
                            K::Builtin { builtin: Builtin::Method(M::Min | M::Max), args: inner }
                                if inner.iter().any(known)
                        )
                    };
                    if args.iter().any(bounded) && args.iter().any(known) {
                        lints.insert("clippy::min_max");
                    }
                    // `x.min(a).max(b)`: a clamp written by hand.
                    if matches!(
                        &args[0].kind,
                        K::Builtin {
                            builtin: Builtin::Method(M::Min | M::Max),
                            ..
                        }
                    ) {
                        lints.insert("clippy::manual_clamp");
                    }
                }
                _ => {}
            }
        }
        K::Index { index, .. } => {
            if matches!(
                index.kind,
                K::Builtin {
                    builtin: Builtin::Method(M::Abs),
                    ..
                }
            ) {
                lints.insert("clippy::cast_abs_to_unsigned");
            }
        }
        _ => {}
    }
}

/// A literal, or `Some`/`None`/`Ok`/`Err` of one, possibly as a block's
/// value.
fn is_literal_value(e: &Expr) -> bool {
    match &simplified(e).kind {
        K::Builtin {
            builtin: Builtin::Some | Builtin::None | Builtin::Ok | Builtin::Err,
            ..
        } => true,
        K::Block(b) => match (b.stmts.last(), b.tail.as_deref()) {
            (Some(Stmt::Let { value, .. }), Some(_)) => is_literal_value(value),
            (_, Some(tail)) => is_literal_value(tail),
            _ => false,
        },
        _ => is_literal(e),
    }
}

/// The two sides of a single comparison (`a < b`), seen through blocks.
fn compared_pair(e: &Expr) -> Option<(&Expr, &Expr)> {
    match &simplified(e).kind {
        K::Binary { first, rest } if rest.len() == 1 && rest[0].0.is_comparison() => {
            Some((first.as_ref(), &rest[0].1))
        }
        _ => None,
    }
}

/// Whether an arm's body is the value its pattern matched: the binding
/// itself, the same literal, or the same constructor around such a value.
fn gives_back(pattern: &Pattern, body: &Expr) -> bool {
    let body = simplified(body);
    match (pattern, &body.kind) {
        (Pattern::Binding(bound), K::Local { id, .. }) => bound == id,
        (Pattern::Bool(p), K::Bool(b)) => p == b,
        (Pattern::Int(p), K::Int(b)) => i128::from(*p) == i128::from(*b),
        (Pattern::Str(p), K::Str(b)) => p == b,
        (
            Pattern::Variant {
                ty: pattern_ty,
                index: pattern_index,
                args: pattern_args,
            },
            K::Variant { ty, index, args },
        ) => {
            pattern_ty == ty
                && pattern_index == index
                && pattern_args.len() == args.len()
                && pattern_args.iter().zip(args).all(|(p, a)| gives_back(p, a))
        }
        (
            Pattern::None,
            K::Builtin {
                builtin: Builtin::None,
                ..
            },
        ) => true,
        (
            Pattern::Some(p),
            K::Builtin {
                builtin: Builtin::Some,
                args,
            },
        )
        | (
            Pattern::Ok(p),
            K::Builtin {
                builtin: Builtin::Ok,
                args,
            },
        )
        | (
            Pattern::Err(p),
            K::Builtin {
                builtin: Builtin::Err,
                args,
            },
        ) => args.len() == 1 && gives_back(p, &args[0]),
        _ => false,
    }
}

fn is_bool_literal(e: &Expr) -> bool {
    matches!(simplified(e).kind, K::Bool(_))
}

/// An expression of literals and constants only (clippy folds it).
fn is_constant(e: &Expr) -> bool {
    match &simplified(e).kind {
        K::Binary { first, rest } => is_constant(first) && rest.iter().all(|(_, r)| is_constant(r)),
        _ => is_literal(e),
    }
}

fn is_empty_text(e: &Expr) -> bool {
    match &simplified(e).kind {
        // `format("{}", "")` is its argument.
        K::Builtin {
            builtin: Builtin::Format,
            args,
        } if super::expr::formatted_text(args).is_some() => {
            super::expr::formatted_text(args).is_some_and(is_empty_text)
        }
        K::Str(text) => text.is_empty(),
        K::Builtin {
            builtin: Builtin::Method(M::Clone | M::ToText | M::Trim),
            args,
        } => is_empty_text(&args[0]),
        K::Builtin {
            builtin: Builtin::Format,
            args,
        } => {
            args.len() == 1
                && matches!(&args[0].kind, K::Template { template } if template.is_empty())
        }
        _ => false,
    }
}

fn is_negation(e: &Expr) -> bool {
    matches!(
        e.kind,
        K::Unary {
            op: UnaryOp::Not,
            ..
        }
    )
}

fn is_literal(e: &Expr) -> bool {
    match &simplified(e).kind {
        K::Int(_) | K::Float(_) | K::Bool(_) | K::Str(_) | K::Const(_) => true,
        K::Unary { operand, .. } => is_literal(operand),
        _ => false,
    }
}

fn literal_int(e: &Expr) -> Option<i64> {
    match &e.kind {
        K::Int(v) => Some(*v),
        K::Unary {
            op: UnaryOp::Negate,
            operand,
        } => literal_int(operand).and_then(i64::checked_neg),
        _ => None,
    }
}

fn numeric_literal(e: &Expr) -> Option<f64> {
    match &simplified(e).kind {
        K::Int(v) => Some(*v as f64),
        K::Float(v) => Some(*v),
        K::Unary {
            op: UnaryOp::Negate,
            operand,
        } => numeric_literal(operand).map(|v| -v),
        // `3.to_f64()` is lowered to the literal `3.0`.
        K::Builtin {
            builtin: Builtin::Method(M::ToF64),
            args,
        } => numeric_literal(&args[0]),
        _ => None,
    }
}

fn block_is_bool_literal(b: &Block) -> bool {
    b.stmts.is_empty() && b.tail.as_deref().is_some_and(is_bool_literal)
}

/// Whether `e` reads the place `target` (or its local).
fn mentions_place(e: &Expr, target: &Expr) -> bool {
    let Some(base) = super::aliasing::base_local(target) else {
        return false;
    };
    super::aliasing::mentions(e, base)
}

fn same_block(a: &Block, b: &Block, constants: &[Constant]) -> bool {
    if !a.stmts.is_empty() || !b.stmts.is_empty() {
        // Blocks with statements are the same to clippy when they differ
        // only in the names of what they bind (compared by shape), or in
        // what the lowering writes the same (`x = x` and `x = x.clone()`).
        let same_statements = a.stmts.len() == b.stmts.len()
            && a.stmts
                .iter()
                .zip(&b.stmts)
                .all(|(x, y)| same_statement(x, y))
            && match (&a.tail, &b.tail) {
                (Some(x), Some(y)) => same(x, y),
                (None, None) => true,
                _ => false,
            };
        return a.stmts.len() == b.stmts.len() && (shape(a) == shape(b) || same_statements);
    }
    // A copy of a block is the block, as the lowering writes it.
    let tails = (
        a.tail.as_deref().map(simplified),
        b.tail.as_deref().map(simplified),
    );
    match tails {
        // Blocks inside blocks are compared as blocks.
        (Some(x), Some(y)) if matches!((&x.kind, &y.kind), (K::Block(_), K::Block(_))) => {
            match (&x.kind, &y.kind) {
                (K::Block(x), K::Block(y)) => same_block(x, y, constants),
                _ => false,
            }
        }
        // clippy folds constants: `true` and `-13 <= 0` are one value;
        // and it compares calls as written, which `same` never equates,
        // and what binds names (`with_lock`, `match`) up to those names.
        (Some(x), Some(y)) => {
            let binds = matches!(
                x.kind,
                K::WithLock { .. } | K::WithEntry { .. } | K::Match { .. }
            );
            same(x, y)
                || value_of(x, constants, 0).is_some_and(|v| Some(v) == value_of(y, constants, 0))
                || ((calls_something(x) || binds) && shape(x) == shape(y))
        }
        (None, None) => true,
        _ => false,
    }
}

/// Whether two statements are written alike once lowered.
fn same_statement(a: &Stmt, b: &Stmt) -> bool {
    match (a, b) {
        (
            Stmt::Assign {
                target: t1,
                op: o1,
                value: v1,
            },
            Stmt::Assign {
                target: t2,
                op: o2,
                value: v2,
            },
        ) => o1 == o2 && same(t1, t2) && same(v1, v2),
        (Stmt::Expr(x), Stmt::Expr(y)) => same(x, y),
        _ => false,
    }
}

/// Whether evaluating `e` calls a function or method of the program.
pub(super) fn calls_something(e: &Expr) -> bool {
    let found = std::cell::Cell::new(false);
    crate::ir::walk_expr(
        e,
        &mut |e| {
            if matches!(e.kind, K::Call { .. } | K::MethodCall { .. }) {
                found.set(true);
            }
        },
        &mut |_| {},
    );
    found.get()
}

/// The methods that unwrap an option or result, or test which it is: on a
/// literal `Some`/`Ok`, clippy says the answer is known.
fn unwraps_or_tests(m: M) -> bool {
    matches!(
        m,
        M::Unwrap | M::UnwrapOr | M::Expect | M::IsSome | M::IsNone | M::IsOk | M::IsErr
    )
}

/// The text of `format(template)` with no placeholders.
fn plain_format(e: &Expr) -> Option<String> {
    match &e.kind {
        K::Builtin {
            builtin: Builtin::Format,
            args,
        } if args.len() == 1 => match &args[0].kind {
            K::Template { template }
                if !template
                    .replace("{{", "")
                    .replace("}}", "")
                    .contains(['{', '}']) =>
            {
                Some(template.replace("{{", "{").replace("}}", "}"))
            }
            _ => None,
        },
        _ => None,
    }
}

/// A block's structure with the numbers that name or place things (local
/// ids, positions) written as `0`; literals and strings stay as written.
fn shape(code: &impl std::fmt::Debug) -> String {
    let text = format!("{code:?}");
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    let mut literal_depth = 0usize;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '(' if out.ends_with("Int") || out.ends_with("Float") => {
                literal_depth = 1;
                out.push(c);
            }
            ')' if literal_depth > 0 => {
                literal_depth = 0;
                out.push(c);
            }
            d if d.is_ascii_digit() && literal_depth == 0 => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                out.push('0');
            }
            other => out.push(other),
        }
    }
    // Where a value moves is the lowering's choice, invisible in the source.
    out.replace("moved: true", "moved: false")
}

/// The expression the lowering writes for `e`: a block of only a value is
/// the value, and a one-arm `match` on a literal or constant is its arm.
pub(super) fn simplified(e: &Expr) -> &Expr {
    match &e.kind {
        // A copy only read is the value itself.
        K::Builtin {
            builtin: Builtin::Method(M::Clone),
            args,
        } => simplified(&args[0]),
        K::Block(b) if b.stmts.is_empty() => b.tail.as_deref().map_or(e, simplified),
        // `{ let_var x = v; x }` is lowered as `v`.
        K::Block(b) if b.stmts.len() == 1 => match (&b.stmts[0], b.tail.as_deref()) {
            (Stmt::Let { local, value, .. }, Some(tail)) if matches!(simplified(tail).kind, K::Local { id, .. } if id == *local) => {
                simplified(value)
            }
            _ => e,
        },
        // `match v { x => x }` is lowered as `v`.
        K::Match { .. } if super::expr::matched_value(e).is_some() => {
            super::expr::matched_value(e).map_or(e, simplified)
        }
        // A string's `to_string()` is a copy of it.
        K::Builtin {
            builtin: Builtin::Method(M::ToText),
            args,
        } if args[0].ty == crate::ir::Ty::Str => simplified(&args[0]),
        _ => super::expr::one_arm_on_literal(e).map_or(e, simplified),
    }
}

/// `list_of_copies(literal, 0)`, which the lowering writes as an empty
/// vector whatever the literal.
fn no_copies_of_a_literal(e: &Expr) -> bool {
    matches!(&e.kind, K::Builtin { builtin: Builtin::ListOfCopies, args }
        if matches!(args[1].kind, K::Int(0))
            && matches!(args[0].kind, K::Int(_) | K::Float(_) | K::Bool(_) | K::Str(_)))
}

/// Structural equality of two expressions without side effects (calls
/// and blocks are never the same, so nothing is over-reported as equal
/// that clippy would not see as equal either).
pub(super) fn same(a: &Expr, b: &Expr) -> bool {
    let (a, b) = (simplified(a), simplified(b));
    // Literals clippy folds to one value (`false` and `!true`).
    if let (Some(x), Some(y)) = (value_of(a, &[], 0), value_of(b, &[], 0)) {
        return x == y;
    }
    // `list_of_copies(0, 0)` and `list_of_copies(9, 0)` are both written
    // `Vec::<i64>::new()`.
    if no_copies_of_a_literal(a) && no_copies_of_a_literal(b) {
        return a.ty == b.ty;
    }
    match (&a.kind, &b.kind) {
        (K::Int(x), K::Int(y)) => x == y,
        (K::Float(x), K::Float(y)) => x.to_bits() == y.to_bits(),
        (K::Str(x), K::Str(y)) => x == y,
        // `format("text")` is the text, also beside another.
        _ if plain_format(a).is_some() && plain_format(b).is_some() => {
            plain_format(a) == plain_format(b)
        }
        (K::Str(x), _) | (_, K::Str(x)) if plain_format(a).or(plain_format(b)).is_some() => {
            plain_format(a).or(plain_format(b)).as_deref() == Some(x.as_str())
                && (matches!(a.kind, K::Str(_)) || matches!(b.kind, K::Str(_)))
        }
        (K::Bool(x), K::Bool(y)) => x == y,
        (K::Local { id: x, .. }, K::Local { id: y, .. }) => x == y,
        (K::Const(x), K::Const(y)) => x == y,
        (
            K::Field {
                base: b1,
                index: i1,
            },
            K::Field {
                base: b2,
                index: i2,
            },
        ) => i1 == i2 && same(b1, b2),
        (
            K::Index {
                base: b1,
                index: i1,
            },
            K::Index {
                base: b2,
                index: i2,
            },
        ) => same(b1, b2) && same(i1, i2),
        (K::Unary { op: o1, operand: x }, K::Unary { op: o2, operand: y }) => {
            o1 == o2 && same(x, y)
        }
        (
            K::Binary {
                first: f1,
                rest: r1,
            },
            K::Binary {
                first: f2,
                rest: r2,
            },
        ) => {
            let in_order = same(f1, f2)
                && r1.len() == r2.len()
                && r1
                    .iter()
                    .zip(r2)
                    .all(|((o1, x), (o2, y))| o1 == o2 && same(x, y));
            // `a + b` and `b + a`: clippy knows these operators commute,
            // and that `a < b` is `b > a` (`a >= a` is `a <= a`).
            let swapped = match (r1.as_slice(), r2.as_slice()) {
                ([(o1, x)], [(o2, y)]) => {
                    let mirrored = match o1 {
                        BinaryOp::Add | BinaryOp::Mul | BinaryOp::Eq | BinaryOp::Ne => Some(*o1),
                        BinaryOp::Lt => Some(BinaryOp::Gt),
                        BinaryOp::Gt => Some(BinaryOp::Lt),
                        BinaryOp::Le => Some(BinaryOp::Ge),
                        BinaryOp::Ge => Some(BinaryOp::Le),
                        _ => None,
                    };
                    mirrored == Some(*o2) && same(f1, y) && same(x, f2)
                }
                _ => false,
            };
            in_order || swapped
        }
        (
            K::Builtin {
                builtin: b1,
                args: a1,
            },
            K::Builtin {
                builtin: b2,
                args: a2,
            },
        ) => {
            b1 == b2
                && !matches!(
                    b1,
                    Builtin::Method(M::Pop | M::Push | M::Remove | M::Insert)
                )
                && a1.len() == a2.len()
                && a1.iter().zip(a2).all(|(x, y)| same(x, y))
        }
        (
            K::Variant {
                ty: t1,
                index: i1,
                args: a1,
            },
            K::Variant {
                ty: t2,
                index: i2,
                args: a2,
            },
        ) => {
            t1 == t2
                && i1 == i2
                && a1.len() == a2.len()
                && a1.iter().zip(a2).all(|(x, y)| same(x, y))
        }
        (K::Template { template: t1 }, K::Template { template: t2 }) => t1 == t2,
        // `if c { x } else { y }` written twice (clippy: ifs_same_cond).
        (
            K::If {
                branches: b1,
                otherwise: o1,
            },
            K::If {
                branches: b2,
                otherwise: o2,
            },
        ) => {
            b1.len() == b2.len()
                && b1
                    .iter()
                    .zip(b2)
                    .all(|((c1, x), (c2, y))| same(c1, c2) && same_block(x, y, &[]))
                && match (o1.as_deref(), o2.as_deref()) {
                    (Some(x), Some(y)) => same_block(x, y, &[]),
                    (None, None) => true,
                    _ => false,
                }
        }
        (K::Record { ty: t1, fields: f1 }, K::Record { ty: t2, fields: f2 }) => {
            t1 == t2
                && f1.len() == f2.len()
                && f1
                    .iter()
                    .zip(f2)
                    .all(|((i, x), (j, y))| i == j && same(x, y))
        }
        _ => false,
    }
}

/// A value known before the program runs, as clippy folds it.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// The integer an expression of literals and constants has, as clippy
/// folds it.
pub(super) fn known_integer(e: &Expr, constants: &[Constant]) -> Option<i64> {
    match value_of(e, constants, 0)? {
        Value::Int(v) => Some(v),
        _ => None,
    }
}

/// The value of an expression of literals and constants, if it has one
/// without overflow.
fn value_of(e: &Expr, constants: &[Constant], depth: usize) -> Option<Value> {
    if depth > 32 {
        return None;
    }
    match &simplified(e).kind {
        K::Int(v) => Some(Value::Int(*v)),
        K::Float(v) => Some(Value::Float(*v)),
        K::Bool(b) => Some(Value::Bool(*b)),
        K::Const(c) => value_of(&constants.get(*c)?.value, constants, depth + 1),
        K::Unary { op, operand } => match (op, value_of(operand, constants, depth + 1)?) {
            (UnaryOp::Negate, Value::Int(v)) => v.checked_neg().map(Value::Int),
            (UnaryOp::Negate, Value::Float(v)) => Some(Value::Float(-v)),
            (UnaryOp::Not, Value::Bool(b)) => Some(Value::Bool(!b)),
            _ => None,
        },
        K::If {
            branches,
            otherwise,
        } => {
            for (condition, block) in branches {
                if value_of(condition, constants, depth + 1)? == Value::Bool(true) {
                    return block_value(block, constants, depth);
                }
            }
            block_value(otherwise.as_deref()?, constants, depth)
        }
        K::Binary { first, rest } => {
            let mut acc = value_of(first, constants, depth + 1)?;
            for (op, operand) in rest {
                // `false && x` is `false` whatever `x` is (clippy folds it).
                match (op, &acc) {
                    (BinaryOp::And, Value::Bool(false)) | (BinaryOp::Or, Value::Bool(true)) => {
                        continue
                    }
                    _ => {}
                }
                acc = apply(*op, &acc, &value_of(operand, constants, depth + 1)?)?;
            }
            Some(acc)
        }
        K::Builtin {
            builtin: Builtin::Method(M::ToF64),
            args,
        } => match value_of(&args[0], constants, depth + 1)? {
            Value::Int(v) => Some(Value::Float(v as f64)),
            _ => None,
        },
        K::Builtin {
            builtin:
                Builtin::Method(
                    m @ (M::BitAnd
                    | M::BitOr
                    | M::BitXor
                    | M::BitNot
                    | M::ShiftLeft
                    | M::ShiftRight),
                ),
            args,
        } => {
            let Value::Int(a) = value_of(&args[0], constants, depth + 1)? else {
                return None;
            };
            if *m == M::BitNot {
                return Some(Value::Int(!a));
            }
            let Value::Int(b) = value_of(args.get(1)?, constants, depth + 1)? else {
                return None;
            };
            Some(Value::Int(match m {
                M::BitAnd => a & b,
                M::BitOr => a | b,
                M::BitXor => a ^ b,
                // Only the amounts clippy folds as Rust's operators.
                M::ShiftLeft if (0..64).contains(&b) => a << b,
                M::ShiftRight if (0..64).contains(&b) => a >> b,
                // Lowered as `a >> 63`.
                M::ShiftRight if b >= 64 => a >> 63,
                _ => return None,
            }))
        }
        _ => None,
    }
}

fn block_value(block: &Block, constants: &[Constant], depth: usize) -> Option<Value> {
    if block.stmts.is_empty() {
        value_of(block.tail.as_deref()?, constants, depth + 1)
    } else {
        None
    }
}

/// `x op y` for a comparison `op`; `None` for any other operator.
fn compared<T: PartialOrd>(op: BinaryOp, x: &T, y: &T) -> Option<bool> {
    Some(match op {
        BinaryOp::Eq => x == y,
        BinaryOp::Ne => x != y,
        BinaryOp::Lt => x < y,
        BinaryOp::Le => x <= y,
        BinaryOp::Gt => x > y,
        BinaryOp::Ge => x >= y,
        _ => return None,
    })
}

/// `a op b` on known values (`None` on overflow or division by zero).
fn apply(op: BinaryOp, a: &Value, b: &Value) -> Option<Value> {
    use Value::{Bool, Float, Int};
    Some(match (a, b) {
        (Int(x), Int(y)) => match op {
            BinaryOp::Add => Int(x.checked_add(*y)?),
            BinaryOp::Sub => Int(x.checked_sub(*y)?),
            BinaryOp::Mul => Int(x.checked_mul(*y)?),
            BinaryOp::Div => Int(x.checked_div(*y)?),
            BinaryOp::Rem => Int(x.checked_rem(*y)?),
            _ => Bool(compared(op, x, y)?),
        },
        (Float(x), Float(y)) => match op {
            BinaryOp::Add => Float(x + y),
            BinaryOp::Sub => Float(x - y),
            BinaryOp::Mul => Float(x * y),
            BinaryOp::Div => Float(x / y),
            BinaryOp::Rem => Float(x % y),
            _ => Bool(compared(op, x, y)?),
        },
        (Bool(x), Bool(y)) => match op {
            BinaryOp::And => Bool(*x && *y),
            BinaryOp::Or => Bool(*x || *y),
            BinaryOp::Eq => Bool(x == y),
            BinaryOp::Ne => Bool(x != y),
            _ => return None,
        },
        _ => return None,
    })
}

/// Whether some integer arithmetic of the body overflows or divides by zero
/// on values known before running: literals, constants, and locals that
/// are bound once to such values and never changed.
fn overflows_known_values(block: &Block, locals: &[Local], constants: &[Constant]) -> bool {
    let known = std::cell::RefCell::new(std::collections::HashMap::new());
    let found = std::cell::Cell::new(false);
    crate::ir::walk_block(
        block,
        &mut |e| {
            let known = known.borrow();
            let value = |e: &Expr| integer_value(e, &known, constants, 0);
            let fails = match &e.kind {
                K::Binary { first, rest } => {
                    value(first).is_some()
                        && rest.iter().all(|(_, r)| value(r).is_some())
                        && rest
                            .iter()
                            .all(|(op, _)| !op.is_comparison() && !op.is_logical())
                        && value(e).is_none()
                }
                K::Unary {
                    op: UnaryOp::Negate,
                    operand,
                } => value(operand).is_some() && value(e).is_none(),
                _ => false,
            };
            found.set(found.get() || fails);
        },
        &mut |s| {
            if let Stmt::Let { local, value, .. } = s {
                let unchanged = locals.get(*local).is_some_and(|l| !l.mutated);
                let v = integer_value(value, &known.borrow(), constants, 0);
                if let (true, Some(v)) = (unchanged, v) {
                    known.borrow_mut().insert(*local, v);
                }
            }
        },
    );
    found.get()
}

/// An `i64` expression's value from literals, constants and `known`
/// locals (`None`: unknown, or it overflows).
fn integer_value(
    e: &Expr,
    known: &std::collections::HashMap<usize, i64>,
    constants: &[Constant],
    depth: usize,
) -> Option<i64> {
    if depth > 64 {
        return None;
    }
    match &simplified(e).kind {
        K::Int(v) => Some(*v),
        K::Local { id, .. } => known.get(id).copied(),
        K::Const(c) => integer_value(&constants.get(*c)?.value, known, constants, depth + 1),
        K::Unary {
            op: UnaryOp::Negate,
            operand,
        } => integer_value(operand, known, constants, depth + 1)?.checked_neg(),
        K::Binary { first, rest } => {
            let mut acc = integer_value(first, known, constants, depth + 1)?;
            for (op, operand) in rest {
                let right = integer_value(operand, known, constants, depth + 1)?;
                acc = match op {
                    BinaryOp::Add => acc.checked_add(right)?,
                    BinaryOp::Sub => acc.checked_sub(right)?,
                    BinaryOp::Mul => acc.checked_mul(right)?,
                    BinaryOp::Div => acc.checked_div(right)?,
                    BinaryOp::Rem => acc.checked_rem(right)?,
                    _ => return None,
                };
            }
            Some(acc)
        }
        _ => None,
    }
}

/// `n.abs()`, which an index or count casts to `usize`.
fn is_abs(e: &Expr) -> bool {
    matches!(
        &simplified(e).kind,
        K::Builtin {
            builtin: Builtin::Method(M::Abs),
            ..
        }
    )
}
