//! "Did you mean" helpers.

/// The candidate closest to `name` by edit distance, if close enough to be
/// a plausible typo (ties go to the first in byte order).
///
/// Every candidate is looked at, so a file with thousands of items and
/// thousands of unknown names must not pay much per pair: a candidate
/// whose length alone puts it out of reach is skipped without computing
/// the distance, and the distance reuses one set of buffers.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let name_length = char_length(name);
    let limit = (name.len() / 3).max(1);
    let mut distance = EditDistance::default();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == name || char_length(candidate).abs_diff(name_length) > limit {
            continue;
        }
        let d = distance.between(name, candidate);
        if d <= limit && best.is_none_or(|known| (d, candidate) < known) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The number of characters of `text`, without counting for ASCII.
fn char_length(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// Edit distance where swapping two neighbouring letters counts as one
/// edit (optimal string alignment), since `aera` for `area` is one typo.
/// The buffers are kept from one call to the next.
#[derive(Default)]
struct EditDistance {
    a: Vec<char>,
    b: Vec<char>,
    /// Rows `i - 2`, `i - 1` and `i` of the table.
    rows: [Vec<usize>; 3],
}

impl EditDistance {
    fn between(&mut self, a: &str, b: &str) -> usize {
        self.a.clear();
        self.a.extend(a.chars());
        self.b.clear();
        self.b.extend(b.chars());
        let (a, b) = (&self.a, &self.b);
        let [before, previous, current] = &mut self.rows;
        for row in [&mut *before, &mut *previous, &mut *current] {
            row.clear();
            row.resize(b.len() + 1, 0);
        }
        for (j, cell) in previous.iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            current[0] = i;
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (previous[j] + 1)
                    .min(current[j - 1] + 1)
                    .min(previous[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(before[j - 2] + 1);
                }
                current[j] = best;
            }
            std::mem::swap(before, previous);
            std::mem::swap(previous, current);
        }
        previous[b.len()]
    }
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
        "Ordering" => ("ordering", 0),
        "JoinHandle" => ("thread", 1),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_count_a_swap_of_neighbours_as_one_edit() {
        let mut distance = EditDistance::default();
        for (a, b, expected) in [
            ("area", "area", 0),
            ("area", "aera", 1),
            ("kitten", "sitting", 3),
            ("", "abc", 3),
            ("abc", "", 3),
            ("count", "cuont", 1),
            ("naïve", "naive", 1),
            ("ca", "abc", 3),
        ] {
            assert_eq!(distance.between(a, b), expected, "{a} / {b}");
            assert_eq!(distance.between(b, a), expected, "{b} / {a}");
        }
    }

    #[test]
    fn the_closest_candidate_within_reach_wins() {
        let names = ["total", "totals", "count", "counter", "area", "x"];
        assert_eq!(closest("totl", names.iter().copied()), Some("total"));
        assert_eq!(closest("cuont", names.iter().copied()), Some("count"));
        assert_eq!(closest("aera", names.iter().copied()), Some("area"));
        // The name itself and names out of reach are never suggested.
        assert_eq!(closest("total", ["total"].iter().copied()), None);
        assert_eq!(closest("y", names.iter().copied()), Some("x"));
        assert_eq!(closest("completely_different", names.iter().copied()), None);
        // Ties go to the alphabetically first.
        assert_eq!(closest("bat", ["cat", "hat"].iter().copied()), Some("cat"));
        assert_eq!(closest("bat", ["hat", "cat"].iter().copied()), Some("cat"));
    }
}
