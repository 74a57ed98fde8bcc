//! Exhaustiveness and reachability of `match` arms, by the usefulness
//! algorithm (Maranget, "Warnings for pattern matching"): a pattern row is
//! useful if some value matches it and no earlier row; a `match` is
//! exhaustive when a wildcard row would not be useful.

use crate::ir::{Pattern, Program, Ty, TypeDefKind};
use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
enum Ctor {
    Bool(bool),
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
