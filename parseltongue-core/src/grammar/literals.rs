//! Literals and character classes as both output formats write them:
//! the same quoting, a class in brackets; what a class escapes differs.

use super::CharClass;

/// `text` as a double-quoted literal (Lark and GBNF escape alike).
pub(super) fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `class` as `[…]`, each character written by `escape`.
pub(super) fn bracketed(class: &CharClass, escape: fn(&mut String, char)) -> String {
    let mut out = String::from("[");
    if class.negated {
        out.push('^');
    }
    for &(low, high) in &class.ranges {
        escape(&mut out, low);
        if high != low {
            out.push('-');
            escape(&mut out, high);
        }
    }
    out.push(']');
    out
}

/// The control characters both formats write as escapes; `false` for
/// any other character.
pub(super) fn push_control(out: &mut String, c: char) -> bool {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        _ => return false,
    }
    true
}
