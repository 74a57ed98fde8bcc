//! The lexer: text to Rust tokens. It never fails: unreadable text becomes
//! an [`TokenKind::Error`] token plus a diagnostic, so the parser always runs.

use super::token::{Comment, Delimiter, Keyword, Spacing, Token, TokenKind, RUST_ONLY_KEYWORDS};
use crate::diagnostics::{codes, Applicability, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

/// Delimiters may nest this deep; deeper code gets `PT0005`. The limit keeps
/// every recursive phase (parser, checker, lowering) far from the end of
/// its stack whatever the input.
pub const MAX_NESTING: usize = 96;

/// The result of lexing one file.
#[derive(Clone, Debug, Default)]
pub struct Lexed {
    /// The tokens, with delimiters always balanced (missing closers are
    /// inserted as empty tokens at the point of the error).
    pub tokens: Vec<Token>,
    /// Comments, in order, for the formatter.
    pub comments: Vec<Comment>,
}

/// Characters that form punctuation tokens.
pub fn is_punct_char(c: char) -> bool {
    matches!(
        c,
        '=' | '<'
            | '>'
            | '!'
            | '~'
            | '+'
            | '-'
            | '*'
            | '/'
            | '%'
            | '^'
            | '&'
            | '|'
            | '@'
            | '.'
            | ','
            | ';'
            | ':'
            | '#'
            | '$'
            | '?'
    )
}

/// Classifies an identifier-shaped word.
pub fn classify_word(word: &str) -> TokenKind {
    Reserved::get().classify(word)
}

/// Every reserved word (ours and Rust's) with its token kind, found by a
/// digest of the word's length and first and last bytes: most names miss
/// every slot, and a reserved word is one comparison away.
struct Reserved {
    words: Vec<(&'static str, TokenKind)>,
    /// Per digest: `EMPTY`, `SHARED` (several reserved words have this
    /// digest; `kinds` decides) or the index of the one word that has it.
    slots: Vec<u8>,
    kinds: rustc_hash::FxHashMap<&'static str, TokenKind>,
}

impl Reserved {
    const SLOTS: usize = 4096;
    const EMPTY: u8 = u8::MAX;
    const SHARED: u8 = u8::MAX - 1;

    fn get() -> &'static Reserved {
        static RESERVED: std::sync::OnceLock<Reserved> = std::sync::OnceLock::new();
        RESERVED.get_or_init(|| {
            let rust_only = RUST_ONLY_KEYWORDS
                .iter()
                .map(|&word| (word, TokenKind::RustKeyword));
            let ours = Keyword::ALL
                .iter()
                .map(|&keyword| (keyword.as_str(), TokenKind::Keyword(keyword)));
            let words: Vec<_> = rust_only.chain(ours).collect();
            assert!(words.len() < usize::from(Self::SHARED));
            let mut slots = vec![Self::EMPTY; Self::SLOTS];
            for (index, (word, _)) in words.iter().enumerate() {
                let slot = &mut slots[Self::digest(word)];
                *slot = if *slot == Self::EMPTY {
                    u8::try_from(index).unwrap_or(Self::SHARED)
                } else {
                    Self::SHARED
                };
            }
            let kinds = words.iter().copied().collect();
            Reserved {
                words,
                slots,
                kinds,
            }
        })
    }

    fn digest(word: &str) -> usize {
        let bytes = word.as_bytes();
        let first = usize::from(bytes.first().copied().unwrap_or(0));
        let last = usize::from(bytes.last().copied().unwrap_or(0));
        (bytes.len().wrapping_mul(211) ^ first.wrapping_mul(31) ^ last.wrapping_mul(7))
            % Self::SLOTS
    }

    fn classify(&self, word: &str) -> TokenKind {
        match self.slots[Self::digest(word)] {
            Self::EMPTY => TokenKind::Ident,
            Self::SHARED => self.kinds.get(word).copied().unwrap_or(TokenKind::Ident),
            index => match self.words[usize::from(index)] {
                (reserved, kind) if reserved == word => kind,
                _ => TokenKind::Ident,
            },
        }
    }
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    file: FileId,
    out: Lexed,
    stack: Vec<(Delimiter, u32)>,
    diagnostics: &'a mut Diagnostics,
    /// A string or comment ran to the end of the file; the delimiters it
    /// swallowed are not reported again.
    ran_off_the_end: bool,
}

/// Lexes `text`, reporting problems into `diagnostics`.
pub fn lex(text: &str, file: FileId, diagnostics: &mut Diagnostics) -> Lexed {
    lex_range(text, 0..text.len(), file, diagnostics)
}

/// Lexes the part `range` of `text` as if it were a file of its own, with
/// positions in the whole text. Nothing past `range` is looked at, so a
/// string or comment that would run on past it is unterminated here.
///
/// The token list has room for the tokens of the rest of the text too, so
/// that the runs that follow can be appended without moving it (room that
/// is never written costs no memory).
pub fn lex_range(
    text: &str,
    range: std::ops::Range<usize>,
    file: FileId,
    diagnostics: &mut Diagnostics,
) -> Lexed {
    let expected_tokens = (text.len() - range.start) / 4;
    let text = &text[..range.end];
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: range.start,
        file,
        out: Lexed {
            tokens: Vec::with_capacity(expected_tokens),
            comments: Vec::new(),
        },
        stack: Vec::new(),
        diagnostics,
        ran_off_the_end: false,
    };
    lexer.run();
    lexer.out
}

impl Lexer<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.out.tokens.push(Token {
            kind,
            start: start as u32,
            end: self.pos as u32,
        });
    }

    fn error(
        &mut self,
        code: crate::diagnostics::Code,
        start: usize,
        end: usize,
        message: &str,
        label: &str,
    ) {
        let span = self.span(start, end);
        self.diagnostics
            .push(Diagnostic::error(code, span, message).with_label(label));
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.bytes[self.pos];
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.skip_whitespace(),
                b'/' if self.peek(1) == Some(b'/') => self.line_comment(),
                b'/' if self.peek(1) == Some(b'*') => self.block_comment(),
                b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.word(),
                b'0'..=b'9' => self.number(),
                b'"' => self.string(start, 0),
                b'\'' => self.quote(),
                b'(' | b'[' | b'{' => self.open(b),
                b')' | b']' | b'}' => self.close(b),
                _ if b.is_ascii() => {
                    self.pos += 1;
                    let c = char::from(b);
                    if is_punct_char(c) {
                        // Every punctuation character is ASCII, so the next
                        // byte tells the spacing.
                        let spacing = match self.peek(0) {
                            Some(n) if n == b'\'' || is_punct_char(char::from(n)) => Spacing::Joint,
                            _ => Spacing::Alone,
                        };
                        self.push(TokenKind::Punct(c, spacing), start);
                    } else {
                        self.unknown_character(c, start);
                    }
                }
                _ if self.text[self.pos..].starts_with('\u{201c}') => self.smart_quoted(),
                _ => {
                    let c = self.text[self.pos..].chars().next().unwrap_or('\u{fffd}');
                    self.pos += c.len_utf8();
                    self.unknown_character(c, start);
                }
            }
        }
        let end = self.pos;
        // Groups still open at the end close before the next item that
        // starts a line, where the author most likely meant them to: the
        // items after an unclosed `{` stay items (their names stay known,
        // completion keeps offering them).
        let next_item = self
            .stack
            .first()
            .and_then(|&(_, open_at)| self.next_item_start(open_at as usize));
        if let Some(index) = next_item {
            let at = self.out.tokens[index].start;
            for (delimiter, open_at) in std::mem::take(&mut self.stack) {
                if !self.ran_off_the_end {
                    self.diagnostics.push(
                        Diagnostic::error(
                            codes::UNBALANCED_DELIMITER,
                            self.span(open_at as usize, open_at as usize + 1),
                            format!("unclosed delimiter `{}`", delimiter.open()),
                        )
                        .with_label("opened here and never closed")
                        .with_suggestion(
                            format!("close it with `{}` before the next item", delimiter.close()),
                            self.span(at as usize, at as usize),
                            format!("{}\n", delimiter.close()),
                            Applicability::MaybeIncorrect,
                        ),
                    );
                }
                // Inserted outermost first at one place: innermost ends first.
                self.insert_close(index, delimiter, at);
            }
        }
        while let Some((delimiter, open_at)) = self.stack.pop() {
            let open = self.span(open_at as usize, open_at as usize + 1);
            if !self.ran_off_the_end {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::UNBALANCED_DELIMITER,
                        open,
                        format!("unclosed delimiter `{}`", delimiter.open()),
                    )
                    .with_label("opened here and never closed")
                    .with_suggestion(
                        format!("close it with `{}`", delimiter.close()),
                        self.span(end, end),
                        delimiter.close().to_string(),
                        Applicability::MaybeIncorrect,
                    ),
                );
            }
            self.out.tokens.push(Token {
                kind: TokenKind::Close(delimiter),
                start: end as u32,
                end: end as u32,
            });
        }
    }

    /// The index of the first token after `open_at` that starts an item at
    /// the start of a line (`function`, `record`, `public`…), if any.
    fn next_item_start(&self, open_at: usize) -> Option<usize> {
        let tokens = &self.out.tokens;
        let after = tokens.partition_point(|t| (t.start as usize) <= open_at);
        tokens[after..]
            .iter()
            .position(|t| {
                let starts_line =
                    t.start == 0 || self.text.as_bytes().get(t.start as usize - 1) == Some(&b'\n');
                starts_line && matches!(t.kind, TokenKind::Keyword(k) if k.starts_item())
            })
            .map(|i| after + i)
    }

    /// Inserts a closer for a group opened at `open_at` that was left open.
    /// The usual mistake is a missing `)` before the `;` that ends the
    /// opener's line, so the closer goes there if there is such a `;`;
    /// otherwise it goes at `fallback`.
    fn insert_closer(&mut self, delimiter: Delimiter, open_at: usize, fallback: usize) {
        let line_end = self.text[open_at..]
            .find('\n')
            .map_or(self.text.len(), |i| open_at + i);
        // Tokens are in source order: only those after the opener are
        // looked at, from the end, so a file of many unclosed groups is
        // still lexed in linear time.
        let tokens = &self.out.tokens;
        let after_opener = tokens.partition_point(|t| (t.start as usize) <= open_at);
        let line_tokens = tokens.partition_point(|t| (t.start as usize) < line_end);
        let semicolon = tokens[after_opener..line_tokens.max(after_opener)]
            .iter()
            .rposition(|t| {
                matches!(t.kind, TokenKind::Punct(';', _))
                    && (t.end as usize) <= line_end
                    && self.text[t.end as usize..line_end].trim().is_empty()
            })
            .map(|i| after_opener + i);
        let (index, at) = match semicolon {
            Some(i) => (i, self.out.tokens[i].start),
            None => (self.out.tokens.len(), fallback as u32),
        };
        self.insert_close(index, delimiter, at);
    }

    /// An empty closing token for `delimiter` at byte `at`, inserted as
    /// token `index`.
    fn insert_close(&mut self, index: usize, delimiter: Delimiter, at: u32) {
        self.out.tokens.insert(
            index,
            Token {
                kind: TokenKind::Close(delimiter),
                start: at,
                end: at,
            },
        );
    }

    fn unknown_character(&mut self, c: char, start: usize) {
        let mut diagnostic = Diagnostic::error(
            codes::UNKNOWN_CHARACTER,
            self.span(start, self.pos),
            format!(
                "unknown character `{}`",
                if c.is_control() || c.is_whitespace() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            ),
        )
        .with_label("not part of any token");
        if !c.is_ascii() && (c.is_alphabetic() || c.is_numeric()) {
            diagnostic = diagnostic.with_note("names are ASCII letters, digits and `_`");
        } else if c == '\u{201c}' || c == '\u{201d}' {
            diagnostic = diagnostic.with_suggestion(
                "use a straight double quote",
                self.span(start, self.pos),
                "\"",
                Applicability::MachineApplicable,
            );
        }
        self.diagnostics.push(diagnostic);
        self.push(TokenKind::Error, start);
    }

    /// Text in typographic quotes, as word processors write it: one error
    /// with a fix to straight quotes, and one token, so parsing goes on.
    fn smart_quoted(&mut self) {
        let start = self.pos;
        let open_len = '\u{201c}'.len_utf8();
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let Some(close) = self.text[start + open_len..line_end].find('\u{201d}') else {
            self.pos += open_len;
            self.unknown_character('\u{201c}', start);
            return;
        };
        let inner_start = start + open_len;
        let inner_end = inner_start + close;
        self.pos = inner_end + '\u{201d}'.len_utf8();
        let inner = &self.text[inner_start..inner_end];
        self.diagnostics.push(
            Diagnostic::error(
                codes::UNKNOWN_CHARACTER,
                self.span(start, self.pos),
                "strings are written in straight double quotes, not typographic quotes",
            )
            .with_label("typographic quotes")
            .with_suggestion(
                "use straight quotes",
                self.span(start, self.pos),
                format!("\"{inner}\""),
                Applicability::MachineApplicable,
            ),
        );
        self.push(TokenKind::Error, start);
    }

    fn line_comment(&mut self) {
        let start = self.pos;
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        self.pos = end;
        let body = &self.text[start..end];
        if body.starts_with("///") && !body.starts_with("////") {
            self.push(TokenKind::DocComment, start);
        } else {
            self.out.comments.push(Comment {
                start: start as u32,
                end: end as u32,
            });
        }
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        self.pos += 2;
        let mut depth = 1;
        while self.pos < self.bytes.len() && depth > 0 {
            if self.bytes[self.pos] == b'/' && self.peek(1) == Some(b'*') {
                depth += 1;
                self.pos += 2;
            } else if self.bytes[self.pos] == b'*' && self.peek(1) == Some(b'/') {
                depth -= 1;
                self.pos += 2;
            } else {
                self.pos += 1;
            }
        }
        if depth > 0 {
            self.ran_off_the_end = true;
            self.diagnostics.push(
                Diagnostic::error(
                    codes::UNTERMINATED,
                    self.span(start, start + 2),
                    "unterminated block comment",
                )
                .with_label("comment starts here and never ends")
                .with_help("close the comment with `*/`"),
            );
        }
        self.out.comments.push(Comment {
            start: start as u32,
            end: self.pos as u32,
        });
    }

    /// Skips a run of whitespace (indentation is most of a file's bytes).
    fn skip_whitespace(&mut self) {
        self.pos += self.bytes[self.pos..]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .unwrap_or(self.bytes.len() - self.pos);
    }

    fn word(&mut self) {
        let start = self.pos;
        self.pos += self.bytes[self.pos..]
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
            .unwrap_or(self.bytes.len() - self.pos);
        let word = &self.text[start..self.pos];
        match (word, self.peek(0)) {
            ("r", Some(b'"')) | ("r", Some(b'#')) if self.raw_string_ahead() => {
                self.raw_string(start);
                return;
            }
            ("b" | "br" | "c" | "cr", Some(b'"' | b'\'' | b'#')) => {
                let prefix = word.to_string();
                self.skip_literal_after_prefix();
                self.error(
                    codes::INVALID_LITERAL,
                    start,
                    self.pos,
                    &format!("`{prefix}` literals are not part of Parseltongue; strings are plain `\"…\"`"),
                    &format!("`{prefix}`-prefixed literal"),
                );
                self.push(TokenKind::Error, start);
                return;
            }
            _ => {}
        }
        if !self.text[self.pos..].starts_with(|c: char| c.is_ascii() || c.is_whitespace()) {
            // A non-ASCII letter glued to a name: report once for the whole word.
            let rest = self.text[self.pos..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(self.text.len(), |i| self.pos + i);
            if rest > self.pos {
                self.pos = rest;
                self.error(
                    codes::UNKNOWN_CHARACTER,
                    start,
                    self.pos,
                    "names may only use ASCII letters, digits and `_`",
                    "contains a character that is not ASCII",
                );
                self.push(TokenKind::Error, start);
                return;
            }
        }
        self.push(classify_word(word), start);
    }

    fn raw_string_ahead(&self) -> bool {
        let mut i = self.pos;
        while self.bytes.get(i) == Some(&b'#') {
            i += 1;
        }
        self.bytes.get(i) == Some(&b'"')
    }

    fn skip_literal_after_prefix(&mut self) {
        while self.peek(0) == Some(b'#') {
            self.pos += 1;
        }
        let Some(quote) = self.peek(0) else { return };
        self.pos += 1;
        while let Some(b) = self.peek(0) {
            self.pos += 1;
            if b == b'\\' {
                self.pos += 1;
            } else if b == quote {
                break;
            }
        }
        while self.peek(0) == Some(b'#') {
            self.pos += 1;
        }
        self.pos = self.pos.min(self.bytes.len());
        self.advance_to_char_boundary();
    }

    fn raw_string(&mut self, start: usize) {
        let mut hashes = 0;
        while self.peek(0) == Some(b'#') {
            hashes += 1;
            self.pos += 1;
        }
        self.pos += 1; // the opening quote
        let closing: String = std::iter::once('"')
            .chain(std::iter::repeat_n('#', hashes))
            .collect();
        match self.text[self.pos..].find(&closing) {
            Some(i) => {
                self.pos += i + closing.len();
                self.push(TokenKind::Str, start);
            }
            None => {
                self.pos = self.bytes.len();
                self.error(
                    codes::UNTERMINATED,
                    start,
                    start + 1 + hashes,
                    "unterminated raw string",
                    "raw string starts here and never ends",
                );
                self.push(TokenKind::Error, start);
            }
        }
    }

    fn string(&mut self, start: usize, _prefix: usize) {
        self.pos += 1;
        loop {
            match self.peek(0) {
                None => {
                    self.ran_off_the_end = true;
                    self.diagnostics.push(
                        Diagnostic::error(
                            codes::UNTERMINATED,
                            self.span(start, start + 1),
                            "unterminated string literal",
                        )
                        .with_label("string starts here and never ends")
                        .with_suggestion(
                            "close the string with `\"`",
                            self.span(self.pos, self.pos),
                            "\"",
                            Applicability::MaybeIncorrect,
                        ),
                    );
                    self.push(TokenKind::Error, start);
                    return;
                }
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => self.escape(),
                Some(_) => {
                    let c = self.text[self.pos..].chars().next().unwrap_or(' ');
                    self.pos += c.len_utf8();
                }
            }
        }
        // A suffix such as `"x"suffix` is a Rust token but never valid here.
        if matches!(self.peek(0), Some(b'a'..=b'z' | b'A'..=b'Z' | b'_')) {
            let suffix_start = self.pos;
            while matches!(self.peek(0), Some(b) if b.is_ascii_alphanumeric() || b == b'_') {
                self.pos += 1;
            }
            self.error(
                codes::INVALID_LITERAL,
                suffix_start,
                self.pos,
                "string literals cannot have a suffix",
                &format!("invalid suffix `{}`", &self.text[suffix_start..self.pos]),
            );
        }
        self.push(TokenKind::Str, start);
    }

    /// Moves forward to the next character boundary, so a position never
    /// ends up inside a multi-byte character after byte-wise scanning.
    fn advance_to_char_boundary(&mut self) {
        while self.pos < self.text.len() && !self.text.is_char_boundary(self.pos) {
            self.pos += 1;
        }
        self.pos = self.pos.min(self.text.len());
    }

    fn escape(&mut self) {
        self.escape_sequence();
        self.advance_to_char_boundary();
    }

    fn escape_sequence(&mut self) {
        let start = self.pos;
        self.pos += 1;
        let Some(b) = self.peek(0) else { return };
        self.pos += 1;
        match b {
            b'n' | b't' | b'r' | b'0' | b'\\' | b'"' | b'\'' | b'\n' => {}
            b'u' => {
                let braced = self.peek(0) == Some(b'{');
                let mut closed = false;
                let ok = braced && {
                    let close = self.text[self.pos..].find('}');
                    match close {
                        Some(i) if i <= 8 => {
                            closed = true;
                            let hex = &self.text[self.pos + 1..self.pos + i];
                            let valid = u32::from_str_radix(hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .is_some();
                            self.pos += i + 1;
                            valid
                        }
                        _ => false,
                    }
                };
                if !ok {
                    let label = if !braced {
                        "`\\u` must be followed by `{`"
                    } else if !closed {
                        "no `}` after at most 6 hex digits"
                    } else {
                        "not the code of a character"
                    };
                    self.error(
                        codes::INVALID_LITERAL,
                        start,
                        self.pos,
                        "invalid unicode escape; write it as `\\u{1F40D}` with 1 to 6 hex digits",
                        label,
                    );
                }
            }
            b'x' => {
                let hex = self.text.get(self.pos..self.pos + 2).unwrap_or("");
                let value = u8::from_str_radix(hex, 16).ok();
                let ok = value.is_some_and(|v| v < 0x80);
                self.pos = (self.pos + 2).min(self.bytes.len());
                if !ok {
                    let label = if value.is_some() {
                        "above `\\x7f`, the last ASCII character"
                    } else {
                        "not followed by two hex digits"
                    };
                    self.error(
                        codes::INVALID_LITERAL,
                        start,
                        self.pos,
                        "invalid `\\x` escape; it takes two hex digits up to `7f`",
                        label,
                    );
                }
            }
            _ => {
                let c = self
                    .text
                    .get(self.pos - 1..)
                    .and_then(|t| t.chars().next())
                    .unwrap_or(' ');
                self.pos += c.len_utf8() - 1;
                self.error(
                    codes::INVALID_LITERAL,
                    start,
                    self.pos,
                    &format!("unknown escape `\\{}`", c.escape_default()),
                    "not an escape such as `\\n`, `\\\\` or `\\u{…}`",
                );
            }
        }
    }

    fn quote(&mut self) {
        let start = self.pos;
        let rest = &self.text[start + 1..];
        let mut chars = rest.chars();
        let first = chars.next();
        let second = chars.next();
        let is_char = matches!((first, second), (Some('\\'), _) | (Some(_), Some('\'')));
        if is_char {
            self.pos += 1;
            if self.peek(0) == Some(b'\\') {
                self.escape();
            } else {
                self.pos += first.map_or(0, char::len_utf8);
            }
            if self.peek(0) == Some(b'\'') {
                self.pos += 1;
                self.push(TokenKind::Char, start);
            } else {
                self.error(
                    codes::UNTERMINATED,
                    start,
                    self.pos,
                    "unterminated character literal",
                    "no closing `'` after one character",
                );
                self.push(TokenKind::Error, start);
            }
        } else if first.is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
            self.pos += 1;
            while matches!(self.peek(0), Some(b) if b.is_ascii_alphanumeric() || b == b'_') {
                self.pos += 1;
            }
            self.push(TokenKind::Lifetime, start);
        } else {
            self.pos += 1;
            self.error(
                codes::UNKNOWN_CHARACTER,
                start,
                self.pos,
                "stray `'`",
                "not part of a character literal",
            );
            self.push(TokenKind::Error, start);
        }
    }

    fn number(&mut self) {
        let start = self.pos;
        let radix_prefix = matches!(
            (self.peek(0), self.peek(1)),
            (Some(b'0'), Some(b'x' | b'o' | b'b'))
        );
        let mut is_float = false;
        if radix_prefix {
            let (radix, name, digits) = match self.peek(1) {
                Some(b'x') => (16, "hexadecimal", "`0` to `9` and `a` to `f`"),
                Some(b'o') => (8, "octal", "`0` to `7`"),
                _ => (2, "binary", "`0` and `1`"),
            };
            self.pos += 2;
            while let Some(b) = self.peek(0) {
                if b == b'_' || (b as char).is_digit(radix) {
                    self.pos += 1;
                } else if b.is_ascii_digit() || (radix == 16 && b.is_ascii_hexdigit()) {
                    let at = self.pos;
                    self.pos += 1;
                    self.error(
                        codes::INVALID_LITERAL,
                        at,
                        at + 1,
                        &format!("`{}` is not a digit of a {name} literal", b as char),
                        &format!("{name} digits are {digits}"),
                    );
                } else {
                    break;
                }
            }
        } else {
            self.digits();
            if self.peek(0) == Some(b'.') && matches!(self.peek(1), Some(b'0'..=b'9')) {
                is_float = true;
                self.pos += 1;
                self.digits();
            }
            if matches!(self.peek(0), Some(b'e' | b'E')) {
                let sign = usize::from(matches!(self.peek(1), Some(b'+' | b'-')));
                if matches!(self.peek(1 + sign), Some(b'0'..=b'9')) {
                    is_float = true;
                    self.pos += 1 + sign;
                    self.digits();
                }
            }
        }
        let number_end = self.pos;
        if matches!(self.peek(0), Some(b) if b.is_ascii_alphabetic() || b == b'_') {
            while matches!(self.peek(0), Some(b) if b.is_ascii_alphanumeric() || b == b'_') {
                self.pos += 1;
            }
            let suffix = &self.text[number_end..self.pos];
            self.diagnostics.push(
                Diagnostic::error(
                    codes::INVALID_LITERAL,
                    self.span(number_end, self.pos),
                    format!("number literals cannot have a suffix such as `{suffix}`"),
                )
                .with_label(format!("invalid suffix `{suffix}`"))
                .with_note("integers are always `i64` and floats always `f64`")
                .with_suggestion(
                    "remove the suffix",
                    self.span(number_end, self.pos),
                    "",
                    Applicability::MachineApplicable,
                ),
            );
        }
        self.out.tokens.push(Token {
            kind: if is_float {
                TokenKind::Float
            } else {
                TokenKind::Int
            },
            start: start as u32,
            end: number_end as u32,
        });
    }

    fn digits(&mut self) {
        while matches!(self.peek(0), Some(b) if b.is_ascii_digit() || b == b'_') {
            self.pos += 1;
        }
    }

    fn open(&mut self, b: u8) {
        let delimiter = match b {
            b'(' => Delimiter::Paren,
            b'[' => Delimiter::Bracket,
            _ => Delimiter::Brace,
        };
        let start = self.pos;
        self.pos += 1;
        if self.stack.len() >= MAX_NESTING {
            self.skip_too_deep(delimiter, start);
            return;
        }
        self.stack.push((delimiter, start as u32));
        self.push(TokenKind::Open(delimiter), start);
    }

    /// Skips the whole over-deep group and leaves one error token in its place.
    fn skip_too_deep(&mut self, delimiter: Delimiter, start: usize) {
        let mut depth = 1usize;
        while self.pos < self.bytes.len() && depth > 0 {
            match self.bytes[self.pos] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        self.diagnostics.push(
            Diagnostic::error(
                codes::NESTING_TOO_DEEP,
                self.span(start, start + 1),
                format!("code is nested more than {MAX_NESTING} levels deep"),
            )
            .with_label(format!("this `{}` is too deep", delimiter.open()))
            .with_help("move the inner part into a named binding or a function"),
        );
        self.push(TokenKind::Error, start);
    }

    fn close(&mut self, b: u8) {
        let delimiter = match b {
            b')' => Delimiter::Paren,
            b']' => Delimiter::Bracket,
            _ => Delimiter::Brace,
        };
        let start = self.pos;
        self.pos += 1;
        match self.stack.last() {
            Some(&(open, _)) if open == delimiter => {
                self.stack.pop();
                self.push(TokenKind::Close(delimiter), start);
            }
            Some(&(open, open_at)) => {
                // Mismatched: if the closer matches something further out,
                // the inner groups were left open; close them here.
                if self.stack.iter().any(|&(d, _)| d == delimiter) {
                    while let Some(&(inner, inner_at)) = self.stack.last() {
                        if inner == delimiter {
                            break;
                        }
                        self.stack.pop();
                        self.diagnostics.push(
                            Diagnostic::error(
                                codes::UNBALANCED_DELIMITER,
                                self.span(inner_at as usize, inner_at as usize + 1),
                                format!("unclosed delimiter `{}`", inner.open()),
                            )
                            .with_label(format!("still open at the `{}`", delimiter.close()))
                            .with_secondary(
                                self.span(start, start + 1),
                                format!("`{}` closes an outer group first", delimiter.close()),
                            )
                            .with_suggestion(
                                format!("close it with `{}`", inner.close()),
                                self.span(start, start),
                                inner.close().to_string(),
                                Applicability::MaybeIncorrect,
                            ),
                        );
                        self.insert_closer(inner, inner_at as usize, start);
                    }
                    self.stack.pop();
                    self.push(TokenKind::Close(delimiter), start);
                } else {
                    self.diagnostics.push(
                        Diagnostic::error(
                            codes::UNBALANCED_DELIMITER,
                            self.span(start, start + 1),
                            format!("unexpected closing delimiter `{}`", delimiter.close()),
                        )
                        .with_label(format!("does not close the open `{}`", open.open()))
                        .with_secondary(
                            self.span(open_at as usize, open_at as usize + 1),
                            format!("the innermost open group is this `{}`", open.open()),
                        ),
                    );
                }
            }
            None => {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::UNBALANCED_DELIMITER,
                        self.span(start, start + 1),
                        format!("unexpected closing delimiter `{}`", delimiter.close()),
                    )
                    .with_label("nothing is open here")
                    .with_suggestion(
                        "remove it",
                        self.span(start, start + 1),
                        "",
                        Applicability::MaybeIncorrect,
                    ),
                );
            }
        }
    }
}

/// The value of a string literal token's text (`"…"` or `r#"…"#`), with
/// escapes resolved. Invalid escapes were reported by the lexer and are
/// kept as written.
pub fn unescape_string(text: &str) -> String {
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        return raw
            .get(hashes + 1..raw.len().saturating_sub(hashes + 1))
            .unwrap_or("")
            .to_string();
    }
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('\n') => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                if let Some(c) = u8::from_str_radix(&hex, 16).ok().map(char::from) {
                    out.push(c);
                }
            }
            Some('u') => {
                let mut hex = String::new();
                for c in chars.by_ref() {
                    match c {
                        '{' => {}
                        '}' => break,
                        c => hex.push(c),
                    }
                }
                if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(c);
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reserved_word_and_only_those_is_classified_as_reserved() {
        for keyword in Keyword::ALL {
            assert_eq!(
                classify_word(keyword.as_str()),
                TokenKind::Keyword(*keyword)
            );
        }
        for word in RUST_ONLY_KEYWORDS {
            assert_eq!(classify_word(word), TokenKind::RustKeyword, "{word}");
        }
        // Names that share a digest with a reserved word, or nearly spell one.
        let reserved: Vec<&str> = Keyword::ALL
            .iter()
            .map(|k| k.as_str())
            .chain(RUST_ONLY_KEYWORDS.iter().copied())
            .collect();
        let mut names = vec!["x", "names", "functions", "lets", "Self_", "matcher", "_"];
        let near: Vec<String> = reserved
            .iter()
            .flat_map(|w| {
                [
                    format!("{w}s"),
                    w.to_uppercase(),
                    format!("{}x{}", &w[..1], &w[2..]),
                ]
            })
            .collect();
        names.extend(near.iter().map(String::as_str));
        for name in names {
            if !reserved.contains(&name) {
                assert_eq!(classify_word(name), TokenKind::Ident, "{name}");
            }
        }
    }
}
