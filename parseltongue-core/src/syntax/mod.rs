//! The front end: text → tokens → syntax tree.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod rust_habits;
pub mod rust_tokens;
pub mod token;

use crate::diagnostics::Diagnostics;
use crate::source::FileId;

/// Lexes, rewrites Rust habits and parses one file.
pub fn parse_file(
    text: &str,
    file: FileId,
    diagnostics: &mut Diagnostics,
) -> (ast::Module, lexer::Lexed) {
    let mut lexed = lexer::lex(text, file, diagnostics);
    rust_habits::rewrite(&mut lexed.tokens, text, file, diagnostics);
    // A token the lexer or the habit pass already reported is not reported
    // again as a syntax error.
    let mut reported: rustc_hash::FxHashSet<u32> = diagnostics
        .iter()
        .filter(|d| d.primary.span.file == file)
        .map(|d| d.primary.span.start)
        .collect();
    // Closers the lexer inserted for unbalanced delimiters were reported too.
    reported.extend(
        lexed
            .tokens
            .iter()
            .filter(|t| t.start == t.end)
            .map(|t| t.start),
    );
    let module = parser::parse(&lexed.tokens, text, file, &reported, diagnostics);
    (module, lexed)
}
