//! The front end: text → tokens → syntax tree.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod rust_habits;
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
    let module = parser::parse(&lexed.tokens, text, file, diagnostics);
    (module, lexed)
}
