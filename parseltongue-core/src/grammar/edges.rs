//! What each part of the grammar can start and end with (a word
//! character or something else), and what can follow each rule: where a
//! word would run into the next word unless a space is written.

use super::{is_token_name, CharClass, Expression, Grammar};
use std::collections::HashMap;

/// What may come first or next: a word character, or anything else.
#[derive(Clone, Copy, Default, PartialEq, Debug)]
pub(super) struct Starts {
    /// A word character: `[A-Za-z0-9_]`.
    pub word: bool,
    /// Anything else.
    pub other: bool,
}

impl Starts {
    /// Either.
    pub fn union(self, other: Starts) -> Starts {
        Starts {
            word: self.word || other.word,
            other: self.other || other.other,
        }
    }
}

/// A character that continues a word.
pub(super) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn class_starts(class: &CharClass) -> Starts {
    // Only ASCII matters for the decision; a negated class matches
    // something other than a word character.
    let mut starts = Starts::default();
    for c in (0u8..128).map(char::from) {
        if class.contains(c) {
            if is_word_char(c) {
                starts.word = true;
            } else {
                starts.other = true;
            }
        }
    }
    if class.negated {
        starts.other = true;
    }
    starts
}

/// For every definition: whether it can match nothing, what it can start
/// with and end with; for every rule, what can follow it.
pub(super) struct Edges {
    pub nullable: HashMap<String, bool>,
    pub first: HashMap<String, Starts>,
    pub last: HashMap<String, Starts>,
    pub follow: HashMap<String, Starts>,
}

impl Edges {
    /// The analysis of `grammar`.
    pub fn of(grammar: &Grammar) -> Edges {
        let mut edges = Edges {
            nullable: HashMap::new(),
            first: HashMap::new(),
            last: HashMap::new(),
            follow: HashMap::new(),
        };
        // Fixed points: each pass can only add, and the sets are tiny.
        loop {
            let mut changed = false;
            for definition in &grammar.definitions {
                let nullable = edges.nullable_of(&definition.body);
                let first = edges.first_of(&definition.body);
                let last = edges.last_of(&definition.body);
                changed |=
                    edges.nullable.insert(definition.name.clone(), nullable) != Some(nullable);
                changed |= edges.first.insert(definition.name.clone(), first) != Some(first);
                changed |= edges.last.insert(definition.name.clone(), last) != Some(last);
            }
            if !changed {
                break;
            }
        }
        loop {
            let before = edges.follow.clone();
            for rule in grammar.rules() {
                let after = edges.follow.get(&rule.name).copied().unwrap_or_default();
                let mut found = Vec::new();
                edges.follows_in(&rule.body, after, &mut found);
                for (name, starts) in found {
                    let entry = edges.follow.entry(name).or_default();
                    *entry = entry.union(starts);
                }
            }
            if edges.follow == before {
                break;
            }
        }
        edges
    }

    /// True if `e` can match nothing.
    pub fn nullable_of(&self, e: &Expression) -> bool {
        match e {
            Expression::Literal(_) | Expression::Class(_) | Expression::Except { .. } => false,
            Expression::Reference(name) => self.nullable.get(name).copied().unwrap_or(false),
            Expression::Sequence(parts) => parts.iter().all(|p| self.nullable_of(p)),
            Expression::Choice(options) => options.iter().any(|o| self.nullable_of(o)),
            Expression::Optional(_) | Expression::Repeat(_) => true,
            Expression::RepeatOne(inner) => self.nullable_of(inner),
        }
    }

    /// What `e` can start with.
    pub fn first_of(&self, e: &Expression) -> Starts {
        match e {
            Expression::Literal(text) => {
                let c = text.chars().next().unwrap_or(' ');
                Starts {
                    word: is_word_char(c),
                    other: !is_word_char(c),
                }
            }
            Expression::Class(class) => class_starts(class),
            Expression::Reference(name) => self.first.get(name).copied().unwrap_or_default(),
            Expression::Except { of, .. } => self.first.get(of).copied().unwrap_or_default(),
            Expression::Sequence(parts) => {
                let mut starts = Starts::default();
                for part in parts {
                    starts = starts.union(self.first_of(part));
                    if !self.nullable_of(part) {
                        break;
                    }
                }
                starts
            }
            Expression::Choice(options) => options
                .iter()
                .fold(Starts::default(), |s, o| s.union(self.first_of(o))),
            Expression::Optional(inner)
            | Expression::Repeat(inner)
            | Expression::RepeatOne(inner) => self.first_of(inner),
        }
    }

    /// What `e` can end with.
    pub fn last_of(&self, e: &Expression) -> Starts {
        match e {
            Expression::Literal(text) => {
                let c = text.chars().last().unwrap_or(' ');
                Starts {
                    word: is_word_char(c),
                    other: !is_word_char(c),
                }
            }
            Expression::Class(class) => class_starts(class),
            Expression::Reference(name) => self.last.get(name).copied().unwrap_or_default(),
            Expression::Except { of, .. } => self.last.get(of).copied().unwrap_or_default(),
            Expression::Sequence(parts) => {
                let mut ends = Starts::default();
                for part in parts.iter().rev() {
                    ends = ends.union(self.last_of(part));
                    if !self.nullable_of(part) {
                        break;
                    }
                }
                ends
            }
            Expression::Choice(options) => options
                .iter()
                .fold(Starts::default(), |s, o| s.union(self.last_of(o))),
            Expression::Optional(inner)
            | Expression::Repeat(inner)
            | Expression::RepeatOne(inner) => self.last_of(inner),
        }
    }

    /// What can come at the start of `part` followed by `next`.
    pub fn before(&self, part: &Expression, next: Starts) -> Starts {
        if self.nullable_of(part) {
            self.first_of(part).union(next)
        } else {
            self.first_of(part)
        }
    }

    /// True if a space is needed after a token that ends with `ends` and is
    /// followed by `after`: only a word can follow a word. Where a word or
    /// a symbol may follow (`return x;`, `return;`), a grammar cannot ask
    /// for the space without looking ahead.
    pub fn needs_space(ends: Starts, after: Starts) -> bool {
        ends.word && after.word && !after.other
    }

    /// Records what follows each rule used in `e`, given that `after`
    /// follows `e`.
    fn follows_in(&self, e: &Expression, after: Starts, found: &mut Vec<(String, Starts)>) {
        match e {
            Expression::Reference(name) if !is_token_name(name) => {
                found.push((name.clone(), after));
            }
            Expression::Sequence(parts) => {
                let mut next = after;
                for part in parts.iter().rev() {
                    self.follows_in(part, next, found);
                    next = self.before(part, next);
                }
            }
            Expression::Choice(options) => {
                for option in options {
                    self.follows_in(option, after, found);
                }
            }
            Expression::Optional(inner) => self.follows_in(inner, after, found),
            Expression::Repeat(inner) | Expression::RepeatOne(inner) => {
                let again = self.first_of(inner).union(after);
                self.follows_in(inner, again, found);
            }
            _ => {}
        }
    }
}
