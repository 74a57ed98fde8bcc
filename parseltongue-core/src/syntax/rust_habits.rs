//! Rust spellings that Parseltongue spells with a keyword. Writers who know
//! Rust (people and models) type them by habit, so this pass reports each
//! with a machine-applicable fix and rewrites the token to the Parseltongue
//! spelling, so the parser and checker carry on as if the fix were applied.

use super::token::{Delimiter, Keyword, Spacing, Token, TokenKind};
use crate::diagnostics::{codes, Applicability, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

/// Rust macros and the built-in that replaces each.
const MACROS: &[(&str, Keyword)] = &[
    ("println", Keyword::PrintLine),
    ("print", Keyword::Print),
    ("eprintln", Keyword::PrintErrorLine),
    ("format", Keyword::Format),
    ("vec", Keyword::ListOf),
    ("panic", Keyword::Panic),
    ("assert", Keyword::Assert),
    ("assert_eq", Keyword::AssertEqual),
];

/// Rust item and binding keywords and their Parseltongue spelling.
const WORDS: &[(&str, Keyword)] = &[
    ("fn", Keyword::Function),
    ("struct", Keyword::Record),
    ("impl", Keyword::Methods),
    ("const", Keyword::Constant),
    ("pub", Keyword::Public),
    ("let", Keyword::LetVar),
];

/// Reports and rewrites Rust habits in place.
pub fn rewrite(tokens: &mut Vec<Token>, text: &str, file: FileId, diagnostics: &mut Diagnostics) {
    let span = |t: &Token| Span::new(file, t.start as usize, t.end as usize);
    let token_text = |t: &Token| &text[t.start as usize..t.end as usize];
    let mut out = Rewritten::default();
    let mut i = 0;
    while i < tokens.len() {
        if out.changed.is_none() {
            // Nothing changed yet: pass over the tokens no habit can start
            // at in one scan (nearly all of them, in nearly every file).
            let passed = tokens[i..]
                .iter()
                .position(|t| may_start_habit(t.kind))
                .unwrap_or(tokens.len() - i);
            // A habit of the form `word!(…)` starts at the word.
            let at_bang = tokens
                .get(i + passed)
                .is_some_and(|t| matches!(t.kind, TokenKind::Punct('!', _)));
            let back = usize::from(
                at_bang
                    && passed > 0
                    && matches!(
                        tokens[i + passed - 1].kind,
                        TokenKind::Ident | TokenKind::Keyword(_)
                    ),
            );
            out.kept += passed - back;
            i += passed - back;
            if i == tokens.len() {
                break;
            }
        }
        let token = tokens[i];
        let next = tokens.get(i + 1).copied();
        match token.kind {
            // Only a Rust keyword or a word before `!(` can be a habit; the
            // other words (nearly all) pass straight through.
            TokenKind::RustKeyword | TokenKind::Ident | TokenKind::Keyword(_)
                if token.kind == TokenKind::RustKeyword || starts_macro_call(tokens, i) =>
            {
                let word = token_text(&token);
                let rust_keyword = token.kind == TokenKind::RustKeyword;
                // `if let` / `while let` are parsed as such and reported by
                // the checker, which checks them like the `match` they mean.
                if rust_keyword
                    && word == "let"
                    && out.last(tokens).is_some_and(|p| {
                        matches!(p.kind, TokenKind::Keyword(Keyword::If | Keyword::While))
                    })
                {
                    out.keep(token);
                    i += 1;
                    continue;
                }
                // `let mut x` → `let_mut_var x`
                if rust_keyword && word == "let" && next.is_some_and(|n| token_text(&n) == "mut") {
                    let both = span(&token).to(span(&tokens[i + 1]));
                    diagnostics.push(rust_spelling(both, "let mut", "let_mut_var"));
                    out.push(
                        tokens,
                        Token {
                            kind: TokenKind::Keyword(Keyword::LetMutVar),
                            start: token.start,
                            end: tokens[i + 1].end,
                        },
                    );
                    i += 2;
                    continue;
                }
                let is_macro = starts_macro_call(tokens, i);
                if rust_keyword && !is_macro {
                    if let Some(&(_, keyword)) = WORDS.iter().find(|(w, _)| *w == word) {
                        diagnostics.push(rust_spelling(span(&token), word, keyword.as_str()));
                        out.push(
                            tokens,
                            Token {
                                kind: TokenKind::Keyword(keyword),
                                ..token
                            },
                        );
                        i += 1;
                        continue;
                    }
                }
                // `println!(…)` → `print_line(…)`, `vec![…]` → `list_of(…)`
                // Most words are not followed by `!`: the table is only
                // searched for those that are.
                let macro_keyword = is_macro
                    .then(|| MACROS.iter().find(|(m, _)| *m == word))
                    .flatten();
                if let (Some(bang), Some(&(_, keyword))) = (next, macro_keyword) {
                    let group = tokens.get(i + 2).map(|t| t.kind);
                    let macro_span = span(&token).to(span(&bang));
                    let mut diagnostic =
                        rust_spelling(macro_span, &format!("{word}!"), keyword.as_str());
                    out.push(
                        tokens,
                        Token {
                            kind: TokenKind::Keyword(keyword),
                            start: token.start,
                            end: bang.end,
                        },
                    );
                    if let Some(TokenKind::Open(d)) = group {
                        if d != Delimiter::Paren {
                            if let Some(close) = matching_close(tokens, i + 2) {
                                let open_span = span(&tokens[i + 2]);
                                let close_span = span(&tokens[close]);
                                diagnostic = diagnostic
                                    .with_suggestion(
                                        "call it with parentheses",
                                        open_span,
                                        "(",
                                        Applicability::MachineApplicable,
                                    )
                                    .with_suggestion(
                                        "and close it with `)`",
                                        close_span,
                                        ")",
                                        Applicability::MachineApplicable,
                                    );
                                tokens[i + 2].kind = TokenKind::Open(Delimiter::Paren);
                                tokens[close].kind = TokenKind::Close(Delimiter::Paren);
                            }
                        }
                    }
                    diagnostics.push(diagnostic);
                    i += 2;
                    continue;
                }
            }
            // `x++` / `x--` → `x += 1` / `x -= 1`
            TokenKind::Punct(c @ ('+' | '-'), Spacing::Joint)
                if next.is_some_and(|n| matches!(n.kind, TokenKind::Punct(d, _) if d == c)) =>
            {
                let Some(n) = next else {
                    out.keep(token);
                    i += 1;
                    continue;
                };
                let both = span(&token).to(span(&n));
                let fix = format!(" {c}= 1");
                diagnostics.push(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        both,
                        format!("there is no `{c}{c}` operator; write `{c}= 1`"),
                    )
                    .with_label("increment operator")
                    .with_suggestion(
                        format!("write `{c}= 1`"),
                        both,
                        fix,
                        Applicability::MachineApplicable,
                    ),
                );
                // Read on as `x += <error>`: the variable counts as changed
                // and the statement stays whole.
                out.push(
                    tokens,
                    Token {
                        kind: TokenKind::Punct(c, Spacing::Joint),
                        ..token
                    },
                );
                out.push(
                    tokens,
                    Token {
                        kind: TokenKind::Punct('=', Spacing::Alone),
                        ..n
                    },
                );
                out.push(
                    tokens,
                    Token {
                        kind: TokenKind::Error,
                        start: n.end,
                        end: n.end,
                    },
                );
                i += 2;
                continue;
            }
            // `-> T` → `returns T`
            TokenKind::Punct('-', Spacing::Joint)
                if next.is_some_and(|n| matches!(n.kind, TokenKind::Punct('>', _))) =>
            {
                let Some(n) = next else {
                    out.keep(token);
                    i += 1;
                    continue;
                };
                let arrow = span(&token).to(span(&n));
                diagnostics.push(rust_spelling(arrow, "->", "returns"));
                out.push(
                    tokens,
                    Token {
                        kind: TokenKind::Keyword(Keyword::Returns),
                        start: token.start,
                        end: n.end,
                    },
                );
                i += 2;
                continue;
            }
            // A lone `&` (not `&&`) is Rust's borrow operator, unless it
            // follows an operand: then it is Rust's bitwise and, which the
            // checker reports with its method.
            TokenKind::Punct('&', Spacing::Alone)
                if !out.last(tokens).is_some_and(|p| {
                    matches!(p.kind, TokenKind::Punct('&', Spacing::Joint)) || ends_operand(p.kind)
                }) =>
            {
                let mut remove = span(&token);
                let mut skip = 1;
                if next.is_some_and(|n| token_text(&n) == "mut") {
                    remove = remove.to(span(&tokens[i + 1]));
                    skip = 2;
                }
                // The borrow is dropped from the list.
                out.change(tokens);
                let written = &text[remove.range()];
                diagnostics.push(
                    Diagnostic::error(
                        codes::RUST_SPELLING,
                        remove,
                        format!("Parseltongue has no `{written}` operator"),
                    )
                    .with_label("Rust borrow")
                    .with_note("the compiler inserts borrows where the generated Rust needs them; parameters are borrowed unless marked `owned`")
                    .with_suggestion(
                        format!("remove `{written}`"),
                        extend_over_space(remove, text),
                        "",
                        Applicability::MachineApplicable,
                    ),
                );
                i += skip;
                continue;
            }
            // `|a, b| body` where an operand starts: a Rust closure. The
            // whole closure reads on as one broken operand.
            // Only where an argument or a value starts: after `(`, `,` or
            // a lone `=`.
            TokenKind::Punct('|', _)
                if out.last(tokens).is_some_and(|p| {
                    matches!(
                        p.kind,
                        TokenKind::Open(Delimiter::Paren)
                            | TokenKind::Punct(',', _)
                            | TokenKind::Punct('=', Spacing::Alone)
                    )
                }) =>
            {
                if let Some(end) = closure_end(tokens, i) {
                    let whole = span(&token).to(span(&tokens[end - 1]));
                    // `sort_by(|a, b| …)`: the method the closure is for.
                    let method = out
                        .last(tokens)
                        .filter(|p| matches!(p.kind, TokenKind::Open(Delimiter::Paren)))
                        .and_then(|_| out.before_last(tokens))
                        .filter(|t| t.kind == TokenKind::Ident)
                        .map(|t| token_text(&t));
                    diagnostics.push(closure_diagnostic(whole, method));
                    out.push(
                        tokens,
                        Token {
                            kind: TokenKind::Error,
                            start: token.start,
                            end: tokens[end - 1].end,
                        },
                    );
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        out.keep(token);
        i += 1;
    }
    if let Some(changed) = out.changed {
        *tokens = changed;
    }
}

/// The token list as rewritten so far. It is copied only at the first
/// change: a file without Rust habits (nearly every file) keeps its list.
#[derive(Default)]
struct Rewritten {
    /// The new list, from the first change on.
    changed: Option<Vec<Token>>,
    /// Before the first change: how many tokens were kept as they are.
    kept: usize,
}

impl Rewritten {
    /// Keeps the next token of the original list as it is.
    fn keep(&mut self, token: Token) {
        match &mut self.changed {
            Some(changed) => changed.push(token),
            None => self.kept += 1,
        }
    }

    /// The list changes here: from now on it is a copy.
    fn change(&mut self, original: &[Token]) -> &mut Vec<Token> {
        let kept = self.kept;
        self.changed.get_or_insert_with(|| {
            let mut copy = Vec::with_capacity(original.len() + 1);
            copy.extend_from_slice(&original[..kept]);
            copy
        })
    }

    /// Adds a token that is not the next one of the original list.
    fn push(&mut self, original: &[Token], token: Token) {
        self.change(original).push(token);
    }

    /// The last token of the list so far.
    fn last(&self, original: &[Token]) -> Option<Token> {
        self.nth_from_end(original, 1)
    }

    /// The token before the last one of the list so far.
    fn before_last(&self, original: &[Token]) -> Option<Token> {
        self.nth_from_end(original, 2)
    }

    fn nth_from_end(&self, original: &[Token], n: usize) -> Option<Token> {
        let list = self.changed.as_deref().unwrap_or(&original[..self.kept]);
        list.len().checked_sub(n).map(|i| list[i])
    }
}

/// Whether a token of this kind can be the last of an operand (`a`, `1`,
/// `)`, `]`, `self`), so that an operator, not a prefix, follows it.
fn ends_operand(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Ident
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Str
            | TokenKind::Char
            | TokenKind::Close(Delimiter::Paren | Delimiter::Bracket)
            | TokenKind::Keyword(Keyword::True | Keyword::False | Keyword::SelfValue)
    )
}

/// Whether a habit may start at a token of this kind, or at the word
/// before it (`println!`): a Rust keyword, `!`, `+`, `-`, `&` or `|`. Every
/// other token is kept as it is.
fn may_start_habit(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::RustKeyword | TokenKind::Punct('!' | '+' | '-' | '&' | '|', _)
    )
}

/// True if the word at `index` is followed by `!` and a group, as a Rust
/// macro call is.
fn starts_macro_call(tokens: &[Token], index: usize) -> bool {
    matches!(
        tokens
            .get(index + 1..index + 3)
            .map(|t| (t[0].kind, t[1].kind)),
        Some((TokenKind::Punct('!', _), TokenKind::Open(_)))
    )
}

fn extend_over_space(span: Span, text: &str) -> Span {
    let rest = &text[span.end as usize..];
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    Span {
        end: span.end + spaces as u32,
        ..span
    }
}

/// The end (exclusive) of a Rust closure starting at the `|` at `start`:
/// its parameters up to the closing `|` (or `||` for none), then its body
/// up to a `,`, `;` or closing delimiter outside any group. `None` if the
/// tokens do not have that shape.
fn closure_end(tokens: &[Token], start: usize) -> Option<usize> {
    let mut i = start + 1;
    let empty = tokens[start].kind == TokenKind::Punct('|', Spacing::Joint)
        && matches!(tokens.get(i)?.kind, TokenKind::Punct('|', _));
    if empty {
        i += 1;
    } else {
        // Parameters: names, `_`, `&`, `mut`, `:` and types; no groups
        // beyond a type's own.
        loop {
            match tokens.get(i)?.kind {
                TokenKind::Punct('|', _) => break,
                TokenKind::Ident
                | TokenKind::RustKeyword
                | TokenKind::Keyword(_)
                | TokenKind::Punct(',' | '&' | ':' | '<' | '>' | '_', _) => i += 1,
                _ => return None,
            }
        }
        i += 1;
    }
    let body_start = i;
    let mut depth = 0usize;
    while let Some(t) = tokens.get(i) {
        match t.kind {
            TokenKind::Open(_) => depth += 1,
            TokenKind::Close(_) if depth == 0 => break,
            TokenKind::Close(_) => depth -= 1,
            TokenKind::Punct(',' | ';', _) if depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    (i > body_start).then_some(i)
}

fn closure_diagnostic(whole: Span, method: Option<&str>) -> Diagnostic {
    let help = match method {
        Some(m @ ("sort_by" | "min_by" | "max_by")) => format!(
            "declare `function by_price(a: Item, b: Item) returns ordering {{ a.price.compare(b.price) }}` (with your element type and comparison) and write `{m}(by_price)`"
        ),
        Some(m @ ("sort_by_key" | "min_by_key" | "max_by_key")) => format!(
            "declare `function price_of(item: Item) returns i64 {{ item.price }}` (with your element type and key) and write `{m}(price_of)`"
        ),
        _ => "declare a `function` and pass its name, or write a `for` loop".to_string(),
    };
    Diagnostic::error(
        codes::RUST_SPELLING,
        whole,
        "Parseltongue has no closures",
    )
    .with_label("Rust closure")
    .with_note("functions that take a function (`sort_by`, `sort_by_key`, `min_by`, `max_by`, `min_by_key`, `max_by_key`) take the name of one declared with `function`")
    .with_help(help)
}

fn matching_close(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            TokenKind::Open(_) => depth += 1,
            TokenKind::Close(_) => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

fn rust_spelling(span: Span, rust: &str, parseltongue: &str) -> Diagnostic {
    Diagnostic::error(
        codes::RUST_SPELLING,
        span,
        format!("`{rust}` is Rust; Parseltongue writes `{parseltongue}`"),
    )
    .with_label("Rust spelling")
    .with_suggestion(
        format!("write `{parseltongue}`"),
        span,
        parseltongue,
        Applicability::MachineApplicable,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::lexer;

    fn rewritten(text: &str) -> (Vec<TokenKind>, usize) {
        let mut diagnostics = Diagnostics::new();
        let mut lexed = lexer::lex(text, FileId(0), &mut diagnostics);
        rewrite(&mut lexed.tokens, text, FileId(0), &mut diagnostics);
        let kinds = lexed.tokens.iter().map(|t| t.kind).collect();
        (kinds, diagnostics.iter().count())
    }

    #[test]
    fn habits_among_plain_tokens_are_each_rewritten_once() {
        let plain = "let_var a = b != 2 && c || !d; e += 1; f -= g - 1;\n".repeat(20);
        let (kinds, reports) = rewritten(&plain);
        assert_eq!(reports, 0, "plain code has no habit");
        assert!(kinds.contains(&TokenKind::Punct('!', Spacing::Joint)));

        let text = format!("{plain}println!(\"{{}}\", a);\n{plain}let mut x = 1;\n{plain}x++;\n");
        let (kinds, reports) = rewritten(&text);
        assert_eq!(reports, 3);
        assert!(kinds.contains(&TokenKind::Keyword(Keyword::PrintLine)));
        assert!(kinds.contains(&TokenKind::Keyword(Keyword::LetMutVar)));
        assert!(!kinds.contains(&TokenKind::RustKeyword));
        // `x++` reads on as `x += <error>`.
        assert!(kinds.contains(&TokenKind::Error));
    }

    #[test]
    fn a_closure_is_one_habit_and_or_operators_are_none() {
        let (_, reports) = rewritten("let_var a = (b || false || c) && (d || e);\n");
        assert_eq!(reports, 0, "`||` between operands is `or`");
        let (kinds, reports) = rewritten("xs.sort_by(|a, b| a.cmp(b)); f(|| 1, 2);\n");
        assert_eq!(reports, 2);
        assert_eq!(kinds.iter().filter(|k| **k == TokenKind::Error).count(), 2);
        assert!(
            kinds.contains(&TokenKind::Int),
            "the argument after a closure is kept"
        );
    }
}
