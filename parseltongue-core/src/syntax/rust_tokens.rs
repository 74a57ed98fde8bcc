//! Source text from Rust tokens, for `parseltongue!{}`: a proc macro
//! receives a `proc_macro2::TokenStream`, not text. Each token is written
//! out with its spacing (a joint punctuation character touches the next
//! one, as in `=>`), so the one lexer and parser read it exactly as they
//! read a `.pt` file, and every byte of the text remembers the span of the
//! token it came from, so diagnostics land on the macro's tokens.
//!
//! Doc comments reach a macro as `#[doc = "…"]` attributes and are written
//! back as `///` lines. A line break follows every `;`, `{` and `}`, which
//! gives statements the line structure the parser's recovery relies on.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};

/// Parseltongue source text built from Rust tokens, with the span of the
/// token behind each byte range.
#[derive(Debug, Default)]
pub struct TokenText {
    /// The source text.
    pub text: String,
    /// (first byte, one past the last byte, span) of every token, in order.
    spans: Vec<(u32, u32, Span)>,
}

impl TokenText {
    /// Writes `tokens` out as text.
    pub fn from_tokens(tokens: TokenStream) -> TokenText {
        let mut out = TokenText::default();
        out.stream(tokens);
        out
    }

    /// The span of the token at byte `offset`, or of the nearest token
    /// before it (an error at the end of input lands on the last token).
    pub fn span_at(&self, offset: u32) -> Option<Span> {
        let after = self.spans.partition_point(|(start, _, _)| *start <= offset);
        after
            .checked_sub(1)
            .map(|i| self.spans[i].2)
            .or_else(|| self.spans.first().map(|s| s.2))
    }

    fn push_token(&mut self, text: &str, span: Span) {
        let start = self.text.len() as u32;
        self.text.push_str(text);
        self.spans.push((start, self.text.len() as u32, span));
    }

    fn stream(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while let Some(tree) = trees.get(i).cloned() {
            i += 1;
            match tree {
                TokenTree::Punct(punct) if punct.as_char() == '#' => {
                    // `#[doc = "…"]` is a doc comment. `#![doc = …]` (an
                    // inner doc) documents the macro's surroundings and is
                    // dropped like a comment.
                    let inner =
                        matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                    let group = trees.get(i + usize::from(inner));
                    match group.and_then(doc_text) {
                        Some(doc) => {
                            i += 1 + usize::from(inner);
                            if !inner {
                                self.doc_comment(&doc, punct.span());
                            }
                        }
                        None => {
                            self.push_token("#", punct.span());
                            self.text.push(' ');
                        }
                    }
                }
                TokenTree::Punct(punct) => {
                    let c = punct.as_char();
                    self.push_token(c.encode_utf8(&mut [0; 4]), punct.span());
                    if punct.spacing() == proc_macro2::Spacing::Alone {
                        self.text.push(if c == ';' { '\n' } else { ' ' });
                    }
                }
                TokenTree::Ident(ident) => {
                    self.push_token(&ident.to_string(), ident.span());
                    self.text.push(' ');
                }
                TokenTree::Literal(literal) => {
                    self.push_token(&literal.to_string(), literal.span());
                    self.text.push(' ');
                }
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::None => ("", ""),
                    };
                    if !open.is_empty() {
                        self.push_token(open, group.span_open());
                        self.text.push(if open == "{" { '\n' } else { ' ' });
                    }
                    self.stream(group.stream());
                    if !close.is_empty() {
                        self.push_token(close, group.span_close());
                        self.text.push(if close == "}" { '\n' } else { ' ' });
                    }
                }
            }
        }
    }

    fn doc_comment(&mut self, doc: &str, span: Span) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        for line in doc.split('\n') {
            self.push_token(&format!("///{line}"), span);
            self.text.push('\n');
        }
    }
}

/// The text of a `[doc = "…"]` group, if `tree` is one.
fn doc_text(tree: &TokenTree) -> Option<String> {
    let TokenTree::Group(group) = tree else {
        return None;
    };
    if group.delimiter() != Delimiter::Bracket {
        return None;
    }
    let mut inner = group.stream().into_iter();
    let is_doc = matches!(inner.next(), Some(TokenTree::Ident(i)) if i == "doc");
    let is_eq = matches!(inner.next(), Some(TokenTree::Punct(p)) if p.as_char() == '=');
    let Some(TokenTree::Literal(literal)) = inner.next() else {
        return None;
    };
    if !is_doc || !is_eq || inner.next().is_some() {
        return None;
    }
    let lit: syn::LitStr = syn::parse2(TokenTree::Literal(literal).into()).ok()?;
    Some(lit.value())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_become_text_the_lexer_reads_back() {
        let tokens: TokenStream = "/// Adds.\nfunction add(a: i64, b: i64) returns i64 { a + b }\nfunction main() { let_var x = add(1, 2); match x { 3 => print_line(\"ok\"), _ => {} } }"
            .parse()
            .expect("Rust tokens");
        let text = TokenText::from_tokens(tokens);
        assert!(
            text.text.starts_with("/// Adds.\nfunction add "),
            "{}",
            text.text
        );
        assert!(text.text.contains("3 => print_line"), "{}", text.text);
        let mut diagnostics = crate::diagnostics::Diagnostics::new();
        let (module, _) =
            crate::syntax::parse_file(&text.text, crate::source::FileId(0), &mut diagnostics);
        assert!(
            !diagnostics.has_errors(),
            "{:?}",
            diagnostics.iter().collect::<Vec<_>>()
        );
        assert_eq!(module.items.len(), 2);
        assert_eq!(module.items[0].docs, vec!["Adds.".to_string()]);
        assert!(text.span_at(0).is_some());
    }
}
