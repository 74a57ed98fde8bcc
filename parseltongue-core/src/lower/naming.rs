//! rustc's naming lints, asked ahead of rustc. Parseltongue's names are
//! conventions, not rules (`record point`, `let_var box__1` are legal), so
//! an item whose names rustc would warn about carries the `allow` for
//! exactly that lint, and generated Rust stays warning-free.

/// rustc's `non_snake_case` test: no capital letter and no `__` between
/// the outer underscores.
pub(super) fn is_snake_case(name: &str) -> bool {
    let inner = name.trim_matches('_');
    !inner.chars().any(char::is_uppercase) && !inner.contains("__")
}

/// rustc's `non_camel_case_types` test: no lower-case first letter, no
/// `__`, and no underscore next to a letter.
pub(super) fn is_camel_case(name: &str) -> bool {
    let inner = name.trim_matches('_');
    let Some(first) = inner.chars().next() else {
        return true;
    };
    let has_case = |c: char| c.is_uppercase() || c.is_lowercase();
    let chars: Vec<char> = inner.chars().collect();
    !first.is_lowercase()
        && !inner.contains("__")
        && !chars
            .windows(2)
            .any(|w| (has_case(w[0]) && w[1] == '_') || (has_case(w[1]) && w[0] == '_'))
}

/// rustc's `non_upper_case_globals` test: no lower-case letter.
pub(super) fn is_upper_case(name: &str) -> bool {
    !name.chars().any(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_judged_as_rustc_judges_them() {
        assert!(is_snake_case("total_count"));
        assert!(is_snake_case("_unused"));
        assert!(!is_snake_case("box__1"));
        assert!(!is_snake_case("camelCase"));
        assert!(is_camel_case("Point3"));
        assert!(!is_camel_case("point"));
        assert!(!is_camel_case("Snake_Case"));
        assert!(is_upper_case("LIMIT_2"));
        assert!(!is_upper_case("Limit"));
    }
}
