//! Large malformed inputs, for the tests and benchmarks that hold the front
//! end and the language server to time linear in the size of what they are
//! given: token soup, unclosed and stray delimiters by the hundred thousand.

/// Tokens and fragments of the language, the broken ones included, that
/// fuzzers splice into programs and token soup is made of.
pub const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ",",
    ".",
    "::",
    "=>",
    "->",
    "&",
    "&&",
    "||",
    "!",
    "?",
    "..",
    "let_var x = ",
    "let_mut_var",
    "function",
    "record",
    "enum",
    "match",
    "if",
    "else",
    "for",
    "in",
    "while",
    "loop",
    "return",
    "break",
    "propagate",
    "spawn_thread",
    "with_lock",
    "as",
    "self",
    "\"",
    "'",
    "/*",
    "//",
    "0x",
    "1e400",
    "99999999999999999999",
    "list_of(",
    "map_of()",
    "Some(",
    "None",
    "print_line(\"{}\", ",
    "é",
    "“",
    "\u{0}",
    "\n",
    " ",
];

/// `lines` lines of eight fragments each, picked by a fixed-seed generator.
/// An unclosed string or block comment would swallow the rest of the file
/// (and leave nothing to recover from), so those two come closed.
pub fn token_soup(lines: usize, seed: u64) -> String {
    let fragments: Vec<&str> = FRAGMENTS
        .iter()
        .map(|f| match *f {
            "\"" => "\"text\"",
            "/*" => "/* comment */",
            other => other,
        })
        .collect();
    let mut state = seed;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut text = String::new();
    for _ in 0..lines {
        for _ in 0..8 {
            text.push_str(fragments[next() % fragments.len()]);
            text.push(' ');
        }
        text.push('\n');
    }
    text
}

/// Named malformed files of about `lines` lines: each kind of damage that
/// once made error recovery quadratic.
pub fn large_malformed_inputs(lines: usize) -> Vec<(&'static str, String)> {
    vec![
        ("token soup", token_soup(lines, 7)),
        ("unclosed parentheses", "f(\n".repeat(lines)),
        ("unclosed blocks", "function f() {\n".repeat(lines / 2)),
        ("stray closers", ") } ]\n".repeat(lines)),
    ]
}
