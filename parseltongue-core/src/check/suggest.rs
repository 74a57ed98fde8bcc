//! "Did you mean" helpers.

/// The candidate closest to `name` by edit distance, if close enough to be
/// a plausible typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.len() / 3).max(1);
    candidates
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Edit distance where swapping two neighbouring letters counts as one
/// edit (optimal string alignment), since `aera` for `area` is one typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Adds a "did you mean" fix for `written` if one of `candidates` is close.
pub(crate) fn did_you_mean<'a>(
    diagnostic: crate::diagnostics::Diagnostic,
    written: &crate::syntax::ast::Ident,
    candidates: impl Iterator<Item = &'a str>,
) -> crate::diagnostics::Diagnostic {
    match closest(&written.name, candidates) {
        Some(best) => diagnostic.with_suggestion(
            format!("did you mean `{best}`"),
            written.span,
            best,
            crate::diagnostics::Applicability::MaybeIncorrect,
        ),
        None => diagnostic,
    }
}

/// Rust type names and the Parseltongue type each corresponds to, with the
/// number of type arguments.
pub(crate) fn rust_type_spelling(name: &str) -> Option<(&'static str, usize)> {
    Some(match name {
        "String" | "str" => ("string", 0),
        "Vec" => ("list", 1),
        "HashMap" | "BTreeMap" => ("map", 2),
        "Option" => ("option", 1),
        "Result" => ("result", 2),
        "i8" | "i16" | "i32" | "isize" | "u8" | "u16" | "u32" | "u64" | "usize" | "i128"
        | "u128" => ("i64", 0),
        "f32" => ("f64", 0),
        "JoinHandle" => ("thread", 1),
        _ => return None,
    })
}
