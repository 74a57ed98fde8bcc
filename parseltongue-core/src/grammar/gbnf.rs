//! The description as GBNF, the grammar format of llama.cpp. GBNF has no
//! tokenizer: it matches characters, so spaces and comments are written
//! into the rules. Each token is followed by `ws` (optional spaces and
//! comments), or by `sp` (at least one) where only a word can follow a
//! word (`function main`, not `functionmain`). Names are words that are
//! not keywords, spelled out as a trie of the keywords, since GBNF has no
//! negation.

use super::edges::{Edges, Starts};
use super::literals::{bracketed, push_control, quoted};
use super::{grammar, is_token_name, keywords, CharClass, Expression, Grammar, BETWEEN_TOKENS};
use std::fmt::Write;

/// The grammar in GBNF.
pub fn gbnf() -> String {
    let grammar = grammar();
    let edges = Edges::of(grammar);
    let mut out = String::from(
        "# Parseltongue's syntax for llama.cpp (`plc grammar --format gbnf`).\n\
         # Names, types and ownership are checked by `plc check`, not here.\n\n",
    );
    let start = &grammar.definitions[0].name;
    let _ = writeln!(out, "root ::= ws {}", name(start));
    for rule in grammar.rules() {
        let follow = edges.follow.get(&rule.name).copied().unwrap_or_default();
        let body = Renderer {
            grammar,
            edges: &edges,
        }
        .rule(&rule.body, follow);
        let _ = writeln!(out, "{} ::= {body}", name(&rule.name));
    }
    out.push('\n');
    let between: Vec<String> = BETWEEN_TOKENS.iter().map(|t| name(t)).collect();
    // Right-recursive rather than `( … )*` (llama.cpp reads both; tools
    // that turn GBNF into a tokenizer and rules, such as llguidance's
    // converter, would make one token of a repetition, and one token for
    // spaces and comments together would swallow the `/` of a division).
    let _ = writeln!(out, "ws ::= ( ( {} ) ws )?", between.join(" | "));
    let _ = writeln!(out, "sp ::= ( {} ) ws", between.join(" | "));
    for token in grammar.tokens() {
        match &token.body {
            Expression::Except { of, .. } => {
                out.push_str(&names_without_keywords(grammar, &token.name, of));
            }
            body => {
                let _ = writeln!(out, "{} ::= {}", name(&token.name), token_body(body));
            }
        }
    }
    out
}

/// A GBNF name: letters, digits and `-`.
fn name(written: &str) -> String {
    written.replace('_', "-")
}

struct Renderer<'a> {
    grammar: &'a Grammar,
    edges: &'a Edges,
}

impl Renderer<'_> {
    /// A rule's body: each token followed by the space it may or must have.
    fn rule(&self, e: &Expression, after: Starts) -> String {
        match e {
            Expression::Literal(_) | Expression::Class(_) => {
                let ends = self.edges.last_of(e);
                format!("{} {}", token_body(e), separator(ends, after))
            }
            Expression::Reference(reference) if is_token_name(reference) => {
                let ends = self.edges.last.get(reference).copied().unwrap_or_default();
                format!("{} {}", name(reference), separator(ends, after))
            }
            Expression::Reference(reference) => {
                debug_assert!(self.grammar.get(reference).is_some());
                name(reference)
            }
            Expression::Except { .. } => unreachable!("`-` is written only in token definitions"),
            Expression::Sequence(parts) => {
                let mut rendered = Vec::with_capacity(parts.len());
                let mut next = after;
                for part in parts.iter().rev() {
                    rendered.push(self.grouped(part, next));
                    next = self.edges.before(part, next);
                }
                rendered.reverse();
                rendered.join(" ")
            }
            Expression::Choice(options) => options
                .iter()
                .map(|o| self.rule(o, after))
                .collect::<Vec<_>>()
                .join(" | "),
            Expression::Optional(inner) => format!("( {} )?", self.rule(inner, after)),
            Expression::Repeat(inner) => {
                let again = self.edges.first_of(inner).union(after);
                format!("( {} )*", self.rule(inner, again))
            }
            Expression::RepeatOne(inner) => {
                let again = self.edges.first_of(inner).union(after);
                format!("( {} )+", self.rule(inner, again))
            }
        }
    }

    /// A part of a sequence, in parentheses if it is a choice.
    fn grouped(&self, e: &Expression, after: Starts) -> String {
        match e {
            Expression::Choice(_) => format!("( {} )", self.rule(e, after)),
            _ => self.rule(e, after),
        }
    }
}

/// The space after a token that ends with `ends`, before what may start
/// with `after`.
fn separator(ends: Starts, after: Starts) -> &'static str {
    if Edges::needs_space(ends, after) {
        "sp"
    } else {
        "ws"
    }
}

/// A token's body: characters only, no spaces between its parts.
fn token_body(e: &Expression) -> String {
    match e {
        Expression::Literal(text) => quoted(text),
        Expression::Class(class) => class_text(class),
        Expression::Reference(reference) => name(reference),
        Expression::Except { .. } => unreachable!("handled by names_without_keywords"),
        Expression::Sequence(parts) => parts
            .iter()
            .map(|p| match p {
                Expression::Choice(_) => format!("( {} )", token_body(p)),
                _ => token_body(p),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Expression::Choice(options) => options
            .iter()
            .map(token_body)
            .collect::<Vec<_>>()
            .join(" | "),
        Expression::Optional(inner) => format!("{}?", token_group(inner)),
        Expression::Repeat(inner) => format!("{}*", token_group(inner)),
        Expression::RepeatOne(inner) => format!("{}+", token_group(inner)),
    }
}

fn token_group(e: &Expression) -> String {
    match e {
        Expression::Literal(_) | Expression::Class(_) | Expression::Reference(_) => token_body(e),
        _ => format!("( {} )", token_body(e)),
    }
}

/// `token ::= …` for `of - KEYWORD`: the words of `of` (a first character
/// class, then a class repeated) that are not keywords. Each prefix of a
/// keyword is a state; from it, a character that leads to no keyword
/// leaves the keywords behind for good.
fn names_without_keywords(grammar: &Grammar, token: &str, of: &str) -> String {
    let (first, rest) = match grammar.get(of).map(|d| &d.body) {
        Some(Expression::Sequence(parts)) => match parts.as_slice() {
            [Expression::Class(first), Expression::Repeat(rest)] => match &**rest {
                Expression::Class(rest) => (first.clone(), rest.clone()),
                _ => panic!("`{of}` must be `[first] [rest]*` to take keywords out"),
            },
            _ => panic!("`{of}` must be `[first] [rest]*` to take keywords out"),
        },
        _ => panic!("`{of}` must be `[first] [rest]*` to take keywords out"),
    };
    let keywords = keywords();
    let mut prefixes: Vec<String> = vec![String::new()];
    for keyword in &keywords {
        for (i, _) in keyword.char_indices().skip(1) {
            prefixes.push(keyword[..i].to_string());
        }
        prefixes.push((*keyword).to_string());
    }
    prefixes.sort();
    prefixes.dedup();
    let state = |prefix: &str| -> String {
        if prefix.is_empty() {
            name(token)
        } else {
            let index = prefixes
                .binary_search_by(|p| p.as_str().cmp(prefix))
                .unwrap_or(0);
            format!("{}-{index}", name(token))
        }
    };
    let rest_name = format!("{}-rest", name(token));
    let mut out = String::new();
    for prefix in &prefixes {
        let allowed = if prefix.is_empty() { &first } else { &rest };
        let mut options = Vec::new();
        let mut next_chars: Vec<char> = prefixes
            .iter()
            .filter_map(|p| {
                p.strip_prefix(prefix.as_str()).and_then(|tail| {
                    let mut chars = tail.chars();
                    let c = chars.next()?;
                    chars.next().is_none().then_some(c)
                })
            })
            .collect();
        next_chars.sort_unstable();
        next_chars.dedup();
        for &c in &next_chars {
            let mut extended = prefix.clone();
            extended.push(c);
            options.push(format!("{} {}", quoted(&c.to_string()), state(&extended)));
        }
        let others: Vec<(char, char)> =
            ascii_ranges(|c| allowed.contains(c) && !next_chars.contains(&c));
        if !others.is_empty() {
            let class = CharClass {
                negated: false,
                ranges: others,
            };
            options.push(format!("{} {rest_name}", class_text(&class)));
        }
        let is_keyword = keywords.contains(&prefix.as_str());
        let body = options.join(" | ");
        let line = if !prefix.is_empty() && !is_keyword {
            format!("( {body} )?")
        } else {
            body
        };
        let _ = writeln!(out, "{} ::= {line}", state(prefix));
    }
    let _ = writeln!(out, "{rest_name} ::= {}*", class_text(&rest));
    out
}

/// The ASCII characters for which `keep` holds, as ranges.
fn ascii_ranges(keep: impl Fn(char) -> bool) -> Vec<(char, char)> {
    let mut ranges: Vec<(char, char)> = Vec::new();
    for c in (0u8..128).map(char::from).filter(|&c| keep(c)) {
        match ranges.last_mut() {
            Some((_, high)) if u32::from(*high) + 1 == u32::from(c) => *high = c,
            _ => ranges.push((c, c)),
        }
    }
    ranges
}

/// A GBNF character class.
fn class_text(class: &CharClass) -> String {
    bracketed(class, push_class_char)
}

fn push_class_char(out: &mut String, c: char) {
    if push_control(out, c) {
        return;
    }
    match c {
        '\\' | ']' | '[' => {
            out.push('\\');
            out.push(c);
        }
        // GBNF has no `\-` or `\^`: a range or negation sign as a character
        // is written by its code.
        '-' | '^' => {
            let _ = write!(out, "\\x{:02X}", u32::from(c));
        }
        _ => out.push(c),
    }
}
