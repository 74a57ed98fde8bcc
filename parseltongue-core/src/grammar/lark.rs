//! The description as Lark, in the dialect llguidance reads (vLLM, SGLang,
//! llama.cpp built with llguidance): rules in lower case, tokens in upper
//! case compiled to regular expressions, spaces and comments `%ignore`d,
//! names narrowed with `&` and `~`.

use super::edges::{Edges, Starts};
use super::literals::{bracketed, push_control, quoted};
use super::{grammar, keywords, CharClass, Expression, BETWEEN_TOKENS};
use std::collections::HashMap;
use std::fmt::Write;

/// The grammar in Lark.
pub fn lark() -> String {
    let grammar = grammar();
    // `%llguidance {}` first: llama.cpp takes a grammar that starts with it
    // as llguidance's rather than as GBNF.
    let mut out = String::from(
        "%llguidance {}\n\n\
         // Parseltongue's syntax for llguidance (`plc grammar --format lark`).\n\
         // Names, types and ownership are checked by `plc check`, not here.\n\n",
    );
    // llguidance ignores spaces and comments between tokens, not before
    // the first one; and one token for a run of spaces and comments would
    // swallow the start of a `///` doc comment (its lexer does not back
    // up), so they are read one piece at a time.
    let start = &grammar.definitions[0].name;
    let _ = writeln!(out, "start: LEADING* {start}");
    let _ = writeln!(out, "LEADING: {}", BETWEEN_TOKENS.join(" | "));
    let edges = Edges::of(grammar);
    let spaced: HashMap<String, bool> = spacing(&edges)
        .into_iter()
        .map(|(word, spacing)| (word, spacing.always_needed))
        .collect();
    let rule = Rule {
        edges: &edges,
        spaced: &spaced,
    };
    for definition in grammar.rules() {
        let after = edges
            .follow
            .get(&definition.name)
            .copied()
            .unwrap_or_default();
        let body = rule.expression(&definition.body, after, Context::Top);
        let _ = writeln!(out, "{}: {body}", definition.name);
    }
    out.push('\n');
    // Inside a token nothing is spaced.
    let unspaced = HashMap::new();
    let token_part = Rule {
        edges: &edges,
        spaced: &unspaced,
    };
    for token in grammar.tokens() {
        let body = match &token.body {
            // A run of spaces is one ignored piece, not one per character.
            Expression::Class(class) if BETWEEN_TOKENS.contains(&token.name.as_str()) => {
                format!("{}+", class_regex(class))
            }
            other => token_part.expression(other, Starts::default(), Context::Top),
        };
        let _ = writeln!(out, "{}: {body}", token.name);
    }
    let words: Vec<String> = keywords().iter().map(|k| quoted(k)).collect();
    let _ = writeln!(out, "KEYWORD: {}", words.join(" | "));
    out.push('\n');
    for name in BETWEEN_TOKENS {
        let _ = writeln!(out, "%ignore {name}");
    }
    out
}

/// Where an expression is written: parts of a sequence or a repetition
/// need parentheses around a choice.
#[derive(Clone, Copy, PartialEq)]
enum Context {
    Top,
    InSequence,
    Repeated,
}

/// Where a literal may be followed by a word.
#[derive(Clone, Copy)]
struct Spacing {
    /// Every place it is written needs a space after it.
    always_needed: bool,
    /// Some place it is written may be followed by a word.
    word_may_follow: bool,
}

/// The spacing of every literal of the rules.
fn spacing(edges: &Edges) -> HashMap<String, Spacing> {
    let mut spacing = HashMap::new();
    for rule in grammar().rules() {
        let after = edges.follow.get(&rule.name).copied().unwrap_or_default();
        words_needing_space(edges, &rule.body, after, &mut spacing);
    }
    spacing
}

/// The words after which the grammars accept another word without a
/// space between them (`for i inrange(3)` as `for i in range(3)`): words
/// that may be followed by a word or by a symbol, where a grammar cannot
/// ask for the space without looking ahead (the parser reads such text
/// as one word and reports it). Numbers are such words too.
pub fn words_that_may_run_on() -> Vec<String> {
    let edges = Edges::of(grammar());
    let mut words: Vec<String> = spacing(&edges)
        .into_iter()
        .filter(|(word, spacing)| {
            word.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                && spacing.word_may_follow
                && !spacing.always_needed
        })
        .map(|(word, _)| word)
        .collect();
    words.sort();
    words
}

fn words_needing_space(
    edges: &Edges,
    e: &Expression,
    after: Starts,
    spaced: &mut HashMap<String, Spacing>,
) {
    match e {
        Expression::Literal(text) => {
            let needs = Edges::needs_space(edges.last_of(e), after);
            let entry = spaced.entry(text.clone()).or_insert(Spacing {
                always_needed: true,
                word_may_follow: false,
            });
            entry.always_needed &= needs;
            entry.word_may_follow |= after.word;
        }
        Expression::Sequence(parts) => {
            let mut next = after;
            for part in parts.iter().rev() {
                words_needing_space(edges, part, next, spaced);
                next = edges.before(part, next);
            }
        }
        Expression::Choice(options) => {
            for option in options {
                words_needing_space(edges, option, after, spaced);
            }
        }
        Expression::Optional(inner) => words_needing_space(edges, inner, after, spaced),
        Expression::Repeat(inner) | Expression::RepeatOne(inner) => {
            let again = edges.first_of(inner).union(after);
            words_needing_space(edges, inner, again, spaced);
        }
        _ => {}
    }
}

/// A rule's body. llguidance's tokenizer reads only the tokens the rule
/// allows next, so after `function` it would read `functionmain` as
/// `function main`: a word that only a word can follow (`function`,
/// `let_var`, `returns`…) is written with the space it needs, as one
/// token. Only a word that needs the space everywhere: its tokenizer
/// does not back up, so `else ` read as one token could not be `else`
/// followed by `{` (`else` is followed by `if` or by a block).
struct Rule<'a> {
    edges: &'a Edges,
    spaced: &'a HashMap<String, bool>,
}

impl Rule<'_> {
    fn expression(&self, e: &Expression, after: Starts, context: Context) -> String {
        match e {
            Expression::Literal(text) if self.spaced.get(text) == Some(&true) => {
                assert!(
                    text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "a word: {text}"
                );
                format!("/{text}[ \\t\\r\\n]/")
            }
            Expression::Sequence(parts) => {
                let mut rendered = Vec::with_capacity(parts.len());
                let mut next = after;
                for part in parts.iter().rev() {
                    rendered.push(self.expression(part, next, Context::InSequence));
                    next = self.edges.before(part, next);
                }
                rendered.reverse();
                let joined = rendered.join(" ");
                if context == Context::Repeated {
                    format!("({joined})")
                } else {
                    joined
                }
            }
            Expression::Choice(options) => {
                let inner: Vec<String> = options
                    .iter()
                    .map(|o| self.expression(o, after, Context::Top))
                    .collect();
                let joined = inner.join(" | ");
                if context == Context::Top {
                    joined
                } else {
                    format!("({joined})")
                }
            }
            Expression::Optional(inner) => {
                format!("{}?", self.expression(inner, after, Context::Repeated))
            }
            Expression::Repeat(inner) | Expression::RepeatOne(inner) => {
                let again = self.edges.first_of(inner).union(after);
                let mark = if matches!(e, Expression::Repeat(_)) {
                    '*'
                } else {
                    '+'
                };
                format!("{}{mark}", self.expression(inner, again, Context::Repeated))
            }
            _ => leaf(e),
        }
    }
}

/// A literal, a class, a reference or a name without the keywords: the
/// leaves of rules and tokens alike.
fn leaf(e: &Expression) -> String {
    match e {
        Expression::Literal(text) => quoted(text),
        Expression::Class(class) => class_regex(class),
        Expression::Reference(name) => name.clone(),
        Expression::Except { of, without } => format!("{of} & ~{without}"),
        Expression::Sequence(_)
        | Expression::Choice(_)
        | Expression::Optional(_)
        | Expression::Repeat(_)
        | Expression::RepeatOne(_) => unreachable!("rendered by `Rule::expression`"),
    }
}

/// A character class as a Lark regular expression (Rust `regex` syntax).
fn class_regex(class: &CharClass) -> String {
    format!("/{}/", bracketed(class, push_class_char))
}

fn push_class_char(out: &mut String, c: char) {
    if push_control(out, c) {
        return;
    }
    if matches!(c, '\\' | ']' | '[' | '^' | '-' | '/' | '&' | '~') {
        out.push('\\');
    }
    out.push(c);
}
