//! The VS Code extension's TextMate grammar names every keyword of the
//! language (the list comes from the compiler, so a new keyword without
//! highlighting fails here), and its snippet file is valid JSON whose
//! snippets are Parseltongue the compiler reads without syntax errors.

use parseltongue_core::syntax::token::Keyword;
use std::path::Path;

fn extension_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vscode-ext")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

#[test]
fn the_grammar_highlights_every_keyword() {
    let grammar = extension_file("syntaxes/parseltongue.tmLanguage.json");
    let parsed: serde_json::Value = serde_json::from_str(&grammar).expect("valid JSON");
    assert_eq!(parsed["scopeName"], "source.parseltongue");
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for keyword in Keyword::ALL {
        let word = keyword.as_str();
        let found = grammar.match_indices(word).any(|(at, _)| {
            let before = grammar[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !is_word(c));
            let after = grammar[at + word.len()..]
                .chars()
                .next()
                .is_none_or(|c| !is_word(c));
            before && after
        });
        assert!(found, "the grammar does not highlight `{word}`");
    }
}

/// Fills a snippet's placeholders with their defaults, wraps statements
/// in a function, and checks the result parses.
fn assert_snippet_parses(name: &str, snippet: &str) {
    let mut text = snippet.replace('\t', "    ");
    while let Some(start) = text.find("${") {
        let end = start + text[start..].find('}').expect("closed placeholder");
        let inner = &text[start + 2..end];
        let default = inner.split_once(':').map_or("", |(_, d)| d).to_string();
        text.replace_range(start..=end, &default);
    }
    for n in 0..10 {
        text = text.replace(&format!("${n}"), "");
    }
    let is_item = [
        "function",
        "record",
        "enum",
        "methods",
        "test",
        "rust_function",
        "constant",
        "use_module",
        "partition",
        "topic",
        "pipeline",
    ]
    .iter()
    .any(|k| text.starts_with(k));
    // Settings of a block (`join: users, …`) go inside one.
    let is_setting = text
        .split_once(':')
        .is_some_and(|(name, _)| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    let program = if is_item {
        text.clone()
    } else if is_setting {
        format!("pipeline wrapper {{\n{text}\n}}\n")
    } else {
        format!("function wrapper() {{\n{text}\n}}\n")
    };
    let mut diagnostics = parseltongue_core::diagnostics::Diagnostics::new();
    parseltongue_core::syntax::parse_file(
        &program,
        parseltongue_core::source::FileId(0),
        &mut diagnostics,
    );
    let syntax_errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.is_error() && d.code.0 < 100)
        .map(|d| d.message.clone())
        .collect();
    assert!(
        syntax_errors.is_empty(),
        "snippet `{name}`:\n{program}\n{syntax_errors:?}"
    );
}

#[test]
fn snippets_are_valid_parseltongue() {
    let snippets: serde_json::Value =
        serde_json::from_str(&extension_file("snippets/parseltongue.json")).expect("valid JSON");
    let snippets = snippets.as_object().expect("an object of snippets");
    assert!(snippets.len() >= 12);
    for (name, snippet) in snippets {
        let body: Vec<&str> = snippet["body"]
            .as_array()
            .expect("a body")
            .iter()
            .map(|l| l.as_str().expect("text"))
            .collect();
        assert_snippet_parses(name, &body.join("\n"));
    }
    // The language server's keyword completions carry snippets too.
    let mut sources = parseltongue_core::source::SourceMap::new();
    sources.add(parseltongue_core::source::SourceFile::new("main.pt", ""));
    let analysis = parseltongue_core::analysis::Analysis::new(sources);
    let mut checked = 0;
    for completion in analysis.completions(parseltongue_core::source::FileId(0), 0) {
        if let Some(snippet) = completion.snippet {
            assert_snippet_parses(&completion.label, &snippet);
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked} keyword snippets");
}
