//! The formatter over every program the project has (the valid and error
//! corpora, the reference's and llms.txt's examples, the examples folder):
//! - formatting is idempotent: format(format(x)) == format(x);
//! - it never changes meaning: the syntax tree of format(x) equals that of
//!   x (spans aside), and a valid program lowers to the same Rust;
//! - it keeps every comment, in order;
//! - a file with syntax errors is refused with its diagnostics.

mod support;

use parseltongue_core::formatter::format_source;
use parseltongue_core::source::{FileId, SourceFile, SourceMap};
use parseltongue_core::syntax::{self, lexer};
use std::path::Path;

/// Every `.pt` text the project has, with a name for messages.
fn all_programs() -> Vec<(String, String)> {
    support::written_programs(&support::Written {
        corpora: &["valid", "errors"],
        blocks: |info| info.starts_with("pt"),
        examples: true,
    })
}

/// The syntax tree without spans, comments or docs' positions: what the
/// program means to the compiler.
fn tree_of(text: &str) -> String {
    let mut diagnostics = parseltongue_core::diagnostics::Diagnostics::new();
    let (module, _) = syntax::parse_file(text, FileId(0), &mut diagnostics);
    let debug = format!("{module:?}");
    // Spans print as `FILE:START..END`.
    let mut out = String::with_capacity(debug.len());
    let bytes = debug.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let is_span = i > start
            && debug[i..].starts_with(':')
            && debug[i + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
            && {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                debug[j..].starts_with("..") && {
                    let mut k = j + 2;
                    while k < bytes.len() && bytes[k].is_ascii_digit() {
                        k += 1;
                    }
                    i = k;
                    true
                }
            };
        if is_span {
            out.push('_');
        } else if i > start {
            out.push_str(&debug[start..i]);
        } else {
            out.push(bytes[i] as char);
            i += 1;
        }
    }
    out
}

fn comments_of(text: &str) -> Vec<String> {
    let mut diagnostics = parseltongue_core::diagnostics::Diagnostics::new();
    let lexed = lexer::lex(text, FileId(0), &mut diagnostics);
    lexed
        .comments
        .iter()
        .map(|c| {
            text[c.start as usize..c.end as usize]
                .trim_end()
                .to_string()
        })
        .collect()
}

fn lowered(text: &str) -> Option<String> {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("program.pt", text));
    let rust = parseltongue_core::compile(&sources).ok()?.rust?;
    Some(
        rust.lines()
            .filter(|l| !l.trim_start().starts_with("// parseltongue: "))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[test]
fn formatting_is_idempotent_keeps_meaning_and_comments() {
    let programs = all_programs();
    assert!(
        programs.len() > 250,
        "found only {} programs",
        programs.len()
    );
    let mut formatted_count = 0;
    let mut failures = Vec::new();
    for (name, text) in &programs {
        let Ok(once) = format_source(text) else {
            continue;
        };
        formatted_count += 1;
        match format_source(&once) {
            Ok(twice) if twice == once => {}
            Ok(twice) => failures.push(format!(
                "{name}: not idempotent\n--- once\n{once}\n--- twice\n{twice}"
            )),
            Err(d) => failures.push(format!(
                "{name}: formatted text does not parse: {d:?}\n{once}"
            )),
        }
        if tree_of(text) != tree_of(&once) {
            failures.push(format!("{name}: the syntax tree changed\n{once}"));
        }
        if comments_of(text) != comments_of(&once) {
            failures.push(format!(
                "{name}: comments changed\nbefore: {:?}\nafter: {:?}",
                comments_of(text),
                comments_of(&once)
            ));
        }
        if let Some(rust) = lowered(text) {
            if lowered(&once).as_deref() != Some(rust.as_str()) {
                failures.push(format!("{name}: the generated Rust changed\n{once}"));
            }
        }
    }
    assert!(
        formatted_count > 200,
        "only {formatted_count} programs were formattable"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn syntax_errors_are_refused_with_their_diagnostics() {
    let errors =
        format_source("function main() {\n    let_var x = ;\n}\n").expect_err("a syntax error");
    assert!(errors.iter().all(|d| d.is_error()));
    assert_eq!(errors.len(), 1);
}

#[test]
fn layout_and_comments_are_pinned() {
    let messy = r#"// header comment, kept at the top
use_module   shapes ;
constant LIMIT : i64 = 1_000;   // spelling kept
/// Docs stay with their item.
record Point { x: f64, y: f64 }
enum Shape { Circle(f64), Square(f64), Empty }
function area( shape : Shape ) returns f64 {
    match shape { Shape::Circle(r) => 3.14 * r * r, Shape::Square(s) => { s * s } Shape::Empty => 0.0 }
}


function main(){
    // before the first statement
    let_mut_var total=0;
    for i in range(0,LIMIT) { total+=i; }  // after the loop
    let_var p = Point{x:1.0,y:2.0};
    let_var far = Point { x: 100.0, y: 200.0 };
    print_line("{} {} {} {} and a long tail to pass sixty", total, p.x, far.y, area(Shape::Circle(1.0)));
    if total > 10 { print_line("big"); } else if total > 5 { print_line("medium"); } else { print_line("small"); }
    let_var label = if total > 10 { "big" } else { "small" };
    /* a block comment
       over two lines */
    print_line("{}", label);
    // at the end of the block
}
"#;
    let formatted = format_source(messy).expect("no syntax errors");
    insta::assert_snapshot!(formatted);
    assert_eq!(format_source(&formatted).expect("formats again"), formatted);
}

/// Code copied from the docs passes a CI format check: every example that
/// is not a `pt wrong` block is already in the canonical layout.
#[test]
fn the_docs_examples_are_in_the_canonical_layout() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut unformatted = Vec::new();
    for doc in ["docs/reference.md", "docs/llms.txt"] {
        let markdown = std::fs::read_to_string(root.join(doc)).expect("doc exists");
        for block in support::blocks(&markdown) {
            if !block.info.starts_with("pt") || block.info.contains("wrong") {
                continue;
            }
            match format_source(&block.text) {
                Ok(formatted) if formatted == block.text => {}
                Ok(_) => unformatted.push(format!("{doc}:{}", block.line)),
                Err(_) => unformatted.push(format!("{doc}:{} (does not parse)", block.line)),
            }
        }
    }
    assert!(
        unformatted.is_empty(),
        "not in the canonical layout (run the block through `plc fmt`): {unformatted:?}"
    );
}

/// A comment after an opening brace stays on the brace's line.
#[test]
fn a_trailing_comment_after_an_opening_brace_stays_on_its_line() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/valid/brace_comments.pt"),
    )
    .expect("corpus file");
    let formatted = format_source(&text).expect("no syntax errors");
    assert_eq!(formatted, text);
}
