//! Exhaustiveness and reachability of `match` arms, by the usefulness
//! algorithm (Maranget, "Warnings for pattern matching"): a pattern row is
//! useful if some value matches it and no earlier row; a `match` is
//! exhaustive when a wildcard row would not be useful.

use crate::ir::{Pattern, Program, Ty, TypeDefKind};
use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
enum Ctor {
    Bool(bool),
    Ordering(std::cmp::Ordering),
    Some,
    None,
    Ok,
    Err,
    Variant(usize),
    Int(i64),
    Str(String),
}

#[derive(Clone, Debug)]
enum Pat {
    Wild,
    Ctor(Ctor, Vec<Pat>),
}

/// What the analysis found.
pub(crate) struct Report {
    /// Spans of arms no value can reach.
    pub unreachable: Vec<Span>,
    /// Up to three values (as patterns) that no arm matches, if any.
    pub missing: Option<Vec<String>>,
}

fn lower(p: &Pattern) -> Pat {
    match p {
        Pattern::Wildcard | Pattern::Binding(_) | Pattern::Error => Pat::Wild,
        Pattern::Int(v) => Pat::Ctor(Ctor::Int(*v), vec![]),
        Pattern::Str(s) => Pat::Ctor(Ctor::Str(s.clone()), vec![]),
        Pattern::Bool(b) => Pat::Ctor(Ctor::Bool(*b), vec![]),
        Pattern::Ordering(o) => Pat::Ctor(Ctor::Ordering(*o), vec![]),
        Pattern::Variant { index, args, .. } => {
            Pat::Ctor(Ctor::Variant(*index), args.iter().map(lower).collect())
        }
        Pattern::Some(p) => Pat::Ctor(Ctor::Some, vec![lower(p)]),
        Pattern::None => Pat::Ctor(Ctor::None, vec![]),
        Pattern::Ok(p) => Pat::Ctor(Ctor::Ok, vec![lower(p)]),
        Pattern::Err(p) => Pat::Ctor(Ctor::Err, vec![lower(p)]),
    }
}

/// Every constructor of `ty`, or `None` when there are infinitely many.
fn all_ctors(ty: &Ty, program: &Program) -> Option<Vec<Ctor>> {
    match ty {
        Ty::Bool => Some(vec![Ctor::Bool(true), Ctor::Bool(false)]),
        Ty::Ordering => Some(
            [
                std::cmp::Ordering::Less,
                std::cmp::Ordering::Equal,
                std::cmp::Ordering::Greater,
            ]
            .map(Ctor::Ordering)
            .to_vec(),
        ),
        Ty::Option(_) => Some(vec![Ctor::Some, Ctor::None]),
        Ty::Result(..) => Some(vec![Ctor::Ok, Ctor::Err]),
        Ty::Named(id) => match &program.types[*id].kind {
            TypeDefKind::Enum(variants) => Some((0..variants.len()).map(Ctor::Variant).collect()),
            _ => None,
        },
        _ => None,
    }
}

fn ctor_arg_types(ctor: &Ctor, ty: &Ty, program: &Program) -> Vec<Ty> {
    match (ctor, ty) {
        (Ctor::Some, Ty::Option(t))
        | (Ctor::Ok, Ty::Result(t, _))
        | (Ctor::Err, Ty::Result(_, t)) => vec![(**t).clone()],
        (Ctor::Variant(i), Ty::Named(id)) => match &program.types[*id].kind {
            TypeDefKind::Enum(variants) => {
                variants.get(*i).map(|(_, p)| p.clone()).unwrap_or_default()
            }
            _ => vec![],
        },
        _ => vec![],
    }
}

fn specialize_row(row: &[Pat], ctor: &Ctor, arity: usize) -> Option<Vec<Pat>> {
    match &row[0] {
        Pat::Wild => {
            let mut out = vec![Pat::Wild; arity];
            out.extend_from_slice(&row[1..]);
            Some(out)
        }
        Pat::Ctor(c, args) if c == ctor => {
            let mut out = args.clone();
            out.extend_from_slice(&row[1..]);
            Some(out)
        }
        Pat::Ctor(..) => None,
    }
}

fn specialize(matrix: &[Vec<Pat>], ctor: &Ctor, arity: usize) -> Vec<Vec<Pat>> {
    matrix
        .iter()
        .filter_map(|r| specialize_row(r, ctor, arity))
        .collect()
}

fn default_matrix(matrix: &[Vec<Pat>]) -> Vec<Vec<Pat>> {
    matrix
        .iter()
        .filter(|r| matches!(r[0], Pat::Wild))
        .map(|r| r[1..].to_vec())
        .collect()
}

fn head_ctors(matrix: &[Vec<Pat>]) -> Vec<Ctor> {
    let mut out: Vec<Ctor> = Vec::new();
    for row in matrix {
        if let Pat::Ctor(c, _) = &row[0] {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
    }
    out
}

fn useful(matrix: &[Vec<Pat>], row: &[Pat], types: &[Ty], program: &Program) -> bool {
    if row.is_empty() {
        return matrix.is_empty();
    }
    let with_rest =
        |args: Vec<Ty>| -> Vec<Ty> { args.into_iter().chain(types[1..].iter().cloned()).collect() };
    match &row[0] {
        Pat::Ctor(c, _) => {
            let args = ctor_arg_types(c, &types[0], program);
            let arity = args.len();
            match specialize_row(row, c, arity) {
                Some(r) => useful(&specialize(matrix, c, arity), &r, &with_rest(args), program),
                None => false,
            }
        }
        Pat::Wild => {
            let used = head_ctors(matrix);
            match all_ctors(&types[0], program) {
                Some(all) if all.iter().all(|c| used.contains(c)) => all.iter().any(|c| {
                    let args = ctor_arg_types(c, &types[0], program);
                    let arity = args.len();
                    specialize_row(row, c, arity).is_some_and(|r| {
                        useful(&specialize(matrix, c, arity), &r, &with_rest(args), program)
                    })
                }),
                _ => useful(&default_matrix(matrix), &row[1..], &types[1..], program),
            }
        }
    }
}

/// A row of patterns that no row of `matrix` matches, if there is one.
fn missing(matrix: &[Vec<Pat>], types: &[Ty], program: &Program) -> Option<Vec<Pat>> {
    if types.is_empty() {
        return matrix.is_empty().then(Vec::new);
    }
    let used = head_ctors(matrix);
    let all = all_ctors(&types[0], program);
    let rest_types = &types[1..];
    if let Some(all) = &all {
        if all.iter().all(|c| used.contains(c)) {
            for c in all {
                let args = ctor_arg_types(c, &types[0], program);
                let arity = args.len();
                let sub_types: Vec<Ty> =
                    args.into_iter().chain(rest_types.iter().cloned()).collect();
                if let Some(mut w) = missing(&specialize(matrix, c, arity), &sub_types, program) {
                    let rest = w.split_off(arity);
                    let mut out = vec![Pat::Ctor(c.clone(), w)];
                    out.extend(rest);
                    return Some(out);
                }
            }
            return None;
        }
    }
    let mut w = missing(&default_matrix(matrix), rest_types, program)?;
    let head = match all.and_then(|all| all.into_iter().find(|c| !used.contains(c))) {
        Some(c) if !used.is_empty() => {
            let arity = ctor_arg_types(&c, &types[0], program).len();
            Pat::Ctor(c, vec![Pat::Wild; arity])
        }
        _ => Pat::Wild,
    };
    w.insert(0, head);
    Some(w)
}

fn show(p: &Pat, ty: &Ty, program: &Program) -> String {
    match p {
        Pat::Wild => "_".to_string(),
        Pat::Ctor(c, args) => {
            let arg_types = ctor_arg_types(c, ty, program);
            let shown: Vec<String> = args
                .iter()
                .zip(&arg_types)
                .map(|(a, t)| show(a, t, program))
                .collect();
            let name = match (c, ty) {
                (Ctor::Bool(b), _) => b.to_string(),
                (Ctor::Ordering(o), _) => format!("Ordering::{o:?}"),
                (Ctor::Some, _) => "Some".into(),
                (Ctor::None, _) => "None".into(),
                (Ctor::Ok, _) => "Ok".into(),
                (Ctor::Err, _) => "Err".into(),
                (Ctor::Int(v), _) => v.to_string(),
                (Ctor::Str(s), _) => format!("{s:?}"),
                (Ctor::Variant(i), Ty::Named(id)) => match &program.types[*id].kind {
                    TypeDefKind::Enum(v) => format!("{}::{}", program.types[*id].name, v[*i].0),
                    _ => "_".into(),
                },
                (Ctor::Variant(_), _) => "_".into(),
            };
            if shown.is_empty() {
                name
            } else {
                format!("{name}({})", shown.join(", "))
            }
        }
    }
}

fn contains_error(p: &Pattern) -> bool {
    match p {
        Pattern::Error => true,
        Pattern::Variant { args, .. } => args.iter().any(contains_error),
        Pattern::Some(p) | Pattern::Ok(p) | Pattern::Err(p) => contains_error(p),
        _ => false,
    }
}

/// Analyses the arms of one `match` on a value of type `ty`.
pub(crate) fn analyse(arms: &[(Pattern, Span)], ty: &Ty, program: &Program) -> Report {
    analyse_flat(arms, ty, program).unwrap_or_else(|| analyse_rows(arms, ty, program))
}

/// True if `p` matches every value of its type.
fn is_irrefutable(p: &Pattern) -> bool {
    matches!(p, Pattern::Wildcard | Pattern::Binding(_))
}

/// A pattern read as one constructor test: `Ok(Some((constructor,
/// arguments)))` for a constructor whose arguments are all irrefutable
/// (`Shape::Circle(r)`, `Some(x)`, `true`, `3`), `Ok(None)` for a pattern
/// that matches anything, and `Err(())` for a nested or broken pattern,
/// which only the full analysis answers.
fn flat_head(p: &Pattern) -> Result<Option<(Ctor, usize)>, ()> {
    let (ctor, mut args) = match p {
        Pattern::Wildcard | Pattern::Binding(_) => return Ok(None),
        Pattern::Error => return Err(()),
        Pattern::Int(v) => (Ctor::Int(*v), [].iter()),
        Pattern::Str(s) => (Ctor::Str(s.clone()), [].iter()),
        Pattern::Bool(b) => (Ctor::Bool(*b), [].iter()),
        Pattern::Ordering(o) => (Ctor::Ordering(*o), [].iter()),
        Pattern::None => (Ctor::None, [].iter()),
        Pattern::Variant { index, args, .. } => (Ctor::Variant(*index), args.iter()),
        Pattern::Some(p) => (Ctor::Some, std::slice::from_ref(&**p).iter()),
        Pattern::Ok(p) => (Ctor::Ok, std::slice::from_ref(&**p).iter()),
        Pattern::Err(p) => (Ctor::Err, std::slice::from_ref(&**p).iter()),
    };
    let arity = args.len();
    if args.all(is_irrefutable) {
        Ok(Some((ctor, arity)))
    } else {
        Err(())
    }
}

/// True if no value has type `ty` (an enum without variants).
fn is_empty_type(ty: &Ty, program: &Program) -> bool {
    all_ctors(ty, program).is_some_and(|all| all.is_empty())
}

/// The common `match`, whose arms test one constructor each with plain
/// bindings inside (or match anything), answered without building the
/// pattern matrix: an arm is unreachable when an earlier arm has its
/// constructor or matches anything, and the `match` is exhaustive when
/// some arm matches anything or the arms name every constructor. `None`
/// for any other `match`, and for one that is not exhaustive (the full
/// analysis then finds the values it misses); what it returns is what
/// the full analysis would.
fn analyse_flat(arms: &[(Pattern, Span)], ty: &Ty, program: &Program) -> Option<Report> {
    if is_empty_type(ty, program) {
        return None;
    }
    let all = all_ctors(ty, program);
    let mut seen: Vec<Ctor> = Vec::with_capacity(arms.len());
    let mut matches_anything = false;
    let mut unreachable = Vec::new();
    for (pattern, span) in arms {
        let head = match flat_head(pattern).ok()? {
            Some((ctor, arity)) => {
                let arg_types = ctor_arg_types(&ctor, ty, program);
                // An argument of an uninhabited type makes the arm
                // unreachable in a way only the full analysis sees.
                if arg_types.len() != arity || arg_types.iter().any(|t| is_empty_type(t, program)) {
                    return None;
                }
                Some(ctor)
            }
            None => None,
        };
        let covered = matches_anything
            || match &head {
                Some(ctor) => seen.contains(ctor),
                None => all
                    .as_ref()
                    .is_some_and(|all| all.iter().all(|c| seen.contains(c))),
            };
        if covered {
            unreachable.push(*span);
        }
        match head {
            Some(ctor) => {
                if !seen.contains(&ctor) {
                    seen.push(ctor);
                }
            }
            None => matches_anything = true,
        }
    }
    let exhaustive = matches_anything
        || all
            .as_ref()
            .is_some_and(|all| all.iter().all(|c| seen.contains(c)));
    exhaustive.then_some(Report {
        unreachable,
        missing: None,
    })
}

/// The full analysis: usefulness of each row of the pattern matrix.
fn analyse_rows(arms: &[(Pattern, Span)], ty: &Ty, program: &Program) -> Report {
    let types = vec![ty.clone()];
    let mut matrix: Vec<Vec<Pat>> = Vec::new();
    let mut unreachable = Vec::new();
    let mut had_error = false;
    for (pattern, span) in arms {
        // A pattern with an error was reported already; it neither covers
        // values nor makes later arms unreachable.
        if contains_error(pattern) {
            had_error = true;
            continue;
        }
        let row = vec![lower(pattern)];
        if !useful(&matrix, &row, &types, program) {
            unreachable.push(*span);
        }
        matrix.push(row);
    }
    if had_error {
        return Report {
            unreachable,
            missing: None,
        };
    }
    let mut found = Vec::new();
    while found.len() < 3 {
        match missing(&matrix, &types, program) {
            Some(w) => {
                found.push(show(&w[0], ty, program));
                matrix.push(w);
                if matches!(matrix[matrix.len() - 1][0], Pat::Wild) {
                    break;
                }
            }
            None => break,
        }
    }
    Report {
        unreachable,
        missing: (!found.is_empty()).then_some(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{TypeDef, TypeDefKind};
    use crate::source::FileId;

    /// A program with `enum Shape { Circle(f64), Square(f64), Nothing }`
    /// (type 0) and `enum Never {}` (type 1).
    fn program() -> Program {
        let enumeration = |name: &str, variants: Vec<(&str, Vec<Ty>)>| TypeDef {
            module: 0,
            name: name.into(),
            kind: TypeDefKind::Enum(
                variants
                    .into_iter()
                    .map(|(name, payload)| (name.into(), payload))
                    .collect(),
            ),
            public: false,
            span: Span::new(FileId(0), 0, 0),
            docs: Vec::new(),
            member_docs: Vec::new(),
            member_spans: Vec::new(),
            incomplete: false,
            recursive: false,
        };
        Program {
            types: vec![
                enumeration(
                    "Shape",
                    vec![
                        ("Circle", vec![Ty::F64]),
                        ("Square", vec![Ty::F64]),
                        ("Nothing", vec![]),
                    ],
                ),
                enumeration("Never", vec![]),
            ],
            ..Program::default()
        }
    }

    fn variant(index: usize, args: Vec<Pattern>) -> Pattern {
        Pattern::Variant { ty: 0, index, args }
    }

    fn arms(patterns: Vec<Pattern>) -> Vec<(Pattern, Span)> {
        patterns
            .into_iter()
            .enumerate()
            .map(|(i, p)| (p, Span::new(FileId(0), i, i + 1)))
            .collect()
    }

    #[test]
    fn the_flat_answer_is_the_full_one() {
        let program = program();
        let shape = Ty::Named(0);
        let option = Ty::Option(Box::new(Ty::I64));
        let cases: Vec<(Ty, Vec<Pattern>)> = vec![
            (
                shape.clone(),
                vec![
                    variant(0, vec![Pattern::Binding(0)]),
                    variant(1, vec![Pattern::Wildcard]),
                    variant(2, vec![]),
                ],
            ),
            (
                shape.clone(),
                vec![
                    variant(0, vec![Pattern::Binding(0)]),
                    Pattern::Wildcard,
                    variant(2, vec![]),
                ],
            ),
            (
                shape.clone(),
                vec![
                    variant(0, vec![Pattern::Binding(0)]),
                    variant(0, vec![Pattern::Wildcard]),
                    variant(1, vec![Pattern::Wildcard]),
                    variant(2, vec![]),
                    Pattern::Binding(1),
                ],
            ),
            (shape.clone(), vec![variant(2, vec![])]),
            (
                option.clone(),
                vec![Pattern::Some(Box::new(Pattern::Binding(0))), Pattern::None],
            ),
            (
                option.clone(),
                vec![Pattern::None, Pattern::Wildcard, Pattern::Wildcard],
            ),
            (
                option,
                vec![
                    Pattern::Some(Box::new(Pattern::Int(3))),
                    Pattern::Some(Box::new(Pattern::Wildcard)),
                    Pattern::None,
                ],
            ),
            (
                Ty::Bool,
                vec![
                    Pattern::Bool(true),
                    Pattern::Bool(true),
                    Pattern::Bool(false),
                ],
            ),
            (
                Ty::I64,
                vec![Pattern::Int(1), Pattern::Int(1), Pattern::Wildcard],
            ),
            (Ty::I64, vec![Pattern::Int(1)]),
            (
                Ty::Str,
                vec![
                    Pattern::Str("a".into()),
                    Pattern::Binding(0),
                    Pattern::Str("b".into()),
                ],
            ),
            (Ty::Named(1), vec![Pattern::Wildcard]),
            (
                Ty::Result(Box::new(Ty::Named(1)), Box::new(Ty::I64)),
                vec![
                    Pattern::Ok(Box::new(Pattern::Binding(0))),
                    Pattern::Err(Box::new(Pattern::Wildcard)),
                ],
            ),
        ];
        let mut answered_flat = 0;
        for (ty, patterns) in cases {
            let arms = arms(patterns);
            let full = analyse_rows(&arms, &ty, &program);
            if let Some(flat) = analyse_flat(&arms, &ty, &program) {
                answered_flat += 1;
                assert_eq!(flat.unreachable, full.unreachable, "{ty:?} {arms:?}");
                assert_eq!(flat.missing, full.missing, "{ty:?} {arms:?}");
            } else {
                // Left to the full analysis: a nested or uninhabited case,
                // or a `match` that misses values.
                assert!(
                    full.missing.is_some()
                        || arms.iter().any(|(p, _)| flat_head(p).is_err())
                        || matches!(ty, Ty::Named(1) | Ty::Result(..)),
                    "{ty:?} {arms:?}"
                );
            }
        }
        assert_eq!(answered_flat, 8);
    }
}
