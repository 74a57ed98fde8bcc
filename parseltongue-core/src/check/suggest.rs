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

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
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
