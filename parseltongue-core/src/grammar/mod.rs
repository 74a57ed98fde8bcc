//! The syntax of Parseltongue as a grammar for constrained decoding: one
//! description (`parseltongue.ebnf`), rendered as Lark for llguidance
//! ([`lark`]) and as GBNF for llama.cpp ([`gbnf`]). The parser in
//! [`crate::syntax`] stays the one that reads programs; this description
//! is held against it by tests that run every valid program of the corpus,
//! the references and the program generator through the rendered grammars,
//! and programs with syntax errors that must be rejected.
//!
//! What a context-free grammar cannot say is left to the checker: which
//! names exist, types, ownership. A grammar-constrained model still needs
//! `plc check`.

mod edges;
mod gbnf;
mod lark;
mod literals;
mod notation;

pub use gbnf::gbnf;
pub use lark::{lark, words_that_may_run_on};

use crate::syntax::token::{Keyword, RUST_ONLY_KEYWORDS};

/// The description, as written (the reference's appendix shows it).
pub const DESCRIPTION: &str = include_str!("parseltongue.ebnf");

/// One definition: a rule (lower-case name: parts may be separated by
/// spaces and comments) or a token (upper-case name: written as one piece).
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    /// The name as written.
    pub name: String,
    /// What it matches.
    pub body: Expression,
}

impl Definition {
    /// True for a token (an upper-case name).
    pub fn is_token(&self) -> bool {
        is_token_name(&self.name)
    }
}

/// True if `name` names a token rather than a rule.
pub fn is_token_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
}

/// The right-hand side of a definition.
#[derive(Clone, Debug, PartialEq)]
pub enum Expression {
    /// Exactly this text.
    Literal(String),
    /// One character of a class.
    Class(CharClass),
    /// Another definition, or `KEYWORD`.
    Reference(String),
    /// All of these, in order.
    Sequence(Vec<Expression>),
    /// One of these.
    Choice(Vec<Expression>),
    /// Zero or one.
    Optional(Box<Expression>),
    /// Zero or more.
    Repeat(Box<Expression>),
    /// One or more.
    RepeatOne(Box<Expression>),
    /// What `of` matches, except the keywords: `WORD - KEYWORD`.
    Except {
        /// The token that is narrowed.
        of: String,
        /// What is taken out (always `KEYWORD`).
        without: String,
    },
}

/// A character class: `[a-z_]`, or `[^"\\]` (negated).
#[derive(Clone, Debug, PartialEq)]
pub struct CharClass {
    /// True for `[^…]`.
    pub negated: bool,
    /// Inclusive ranges; a single character is a range of one.
    pub ranges: Vec<(char, char)>,
}

impl CharClass {
    /// True if the class matches `c`.
    pub fn contains(&self, c: char) -> bool {
        self.ranges.iter().any(|&(a, b)| a <= c && c <= b) != self.negated
    }
}

/// The parsed description.
#[derive(Clone, Debug)]
pub struct Grammar {
    /// Definitions in the order written; the first is the start rule.
    pub definitions: Vec<Definition>,
}

impl Grammar {
    /// The definition named `name`.
    pub fn get(&self, name: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.name == name)
    }

    /// The rules (lower-case names), in order.
    pub fn rules(&self) -> impl Iterator<Item = &Definition> {
        self.definitions.iter().filter(|d| !d.is_token())
    }

    /// The tokens (upper-case names), in order.
    pub fn tokens(&self) -> impl Iterator<Item = &Definition> {
        self.definitions.iter().filter(|d| d.is_token())
    }
}

/// The definitions that are not part of programs but lie between their
/// tokens: each is one piece of space or comment.
pub const BETWEEN_TOKENS: [&str; 3] = ["SPACE", "LINE_COMMENT", "BLOCK_COMMENT"];

/// The reserved words no name may be: Parseltongue's keywords and the Rust
/// keywords it does not use (the lexer's own lists).
pub fn keywords() -> Vec<&'static str> {
    let mut words: Vec<&'static str> = Keyword::ALL
        .iter()
        .map(|k| k.as_str())
        .chain(RUST_ONLY_KEYWORDS.iter().copied())
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// The description, parsed once.
pub fn grammar() -> &'static Grammar {
    static GRAMMAR: std::sync::OnceLock<Grammar> = std::sync::OnceLock::new();
    GRAMMAR.get_or_init(|| {
        notation::parse(DESCRIPTION)
            .unwrap_or_else(|error| panic!("grammar/parseltongue.ebnf: {error}"))
    })
}

/// The formats `plc grammar` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The description itself.
    Ebnf,
    /// Lark, as llguidance reads it (vLLM, SGLang, llama.cpp's llguidance).
    Lark,
    /// GBNF, as llama.cpp reads it.
    Gbnf,
}

impl Format {
    /// Every format, with the name `--format` takes.
    pub const ALL: [(&'static str, Format); 3] = [
        ("ebnf", Format::Ebnf),
        ("lark", Format::Lark),
        ("gbnf", Format::Gbnf),
    ];
}

/// The grammar in `format`.
pub fn render(format: Format) -> String {
    match format {
        Format::Ebnf => DESCRIPTION.to_string(),
        Format::Lark => lark(),
        Format::Gbnf => gbnf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literals(expression: &Expression, out: &mut Vec<String>) {
        match expression {
            Expression::Literal(text) => out.push(text.clone()),
            Expression::Sequence(parts) | Expression::Choice(parts) => {
                parts.iter().for_each(|p| literals(p, out));
            }
            Expression::Optional(inner)
            | Expression::Repeat(inner)
            | Expression::RepeatOne(inner) => literals(inner, out),
            Expression::Class(_) | Expression::Reference(_) | Expression::Except { .. } => {}
        }
    }

    #[test]
    fn every_reference_is_defined_and_every_definition_used() {
        let grammar = grammar();
        let mut used = std::collections::BTreeSet::new();
        fn references(e: &Expression, out: &mut std::collections::BTreeSet<String>) {
            match e {
                Expression::Reference(name) => {
                    out.insert(name.clone());
                }
                Expression::Except { of, .. } => {
                    out.insert(of.clone());
                }
                Expression::Sequence(parts) | Expression::Choice(parts) => {
                    parts.iter().for_each(|p| references(p, out));
                }
                Expression::Optional(inner)
                | Expression::Repeat(inner)
                | Expression::RepeatOne(inner) => references(inner, out),
                Expression::Literal(_) | Expression::Class(_) => {}
            }
        }
        for definition in &grammar.definitions {
            references(&definition.body, &mut used);
        }
        for name in &used {
            assert!(
                grammar.get(name).is_some(),
                "`{name}` is used but not defined"
            );
        }
        for definition in grammar.definitions.iter().skip(1) {
            let between = BETWEEN_TOKENS.contains(&definition.name.as_str());
            assert!(
                between || used.contains(&definition.name),
                "`{}` is defined but never used",
                definition.name
            );
        }
    }

    #[test]
    fn every_keyword_that_starts_syntax_is_in_the_grammar() {
        // A keyword added to the lexer must be added here too (or be one
        // that only names a built-in type or value).
        let mut written = Vec::new();
        for definition in grammar().rules() {
            literals(&definition.body, &mut written);
        }
        for keyword in Keyword::ALL {
            assert!(
                written.iter().any(|w| w == keyword.as_str()),
                "the keyword `{}` appears nowhere in grammar/parseltongue.ebnf",
                keyword.as_str()
            );
        }
    }
}
