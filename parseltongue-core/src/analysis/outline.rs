//! The shape of a file: its symbols, the regions an editor can fold, a
//! classification of every token for highlighting, and the inferred types
//! shown inline after bindings.

use super::Analysis;
use crate::ir::{Target, Ty};
use crate::source::{FileId, Span};
use crate::syntax::ast::{ItemKind, Module};
use crate::syntax::token::{Delimiter, TokenKind};

/// What a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A function or test.
    Function,
    /// A method.
    Method,
    /// A record.
    Record,
    /// An enum.
    Enum,
    /// A record field.
    Field,
    /// An enum variant.
    Variant,
    /// A constant.
    Constant,
    /// A `methods` block.
    Methods,
    /// A module import.
    Module,
    /// A Rust function or type declaration.
    Rust,
    /// A block (`partition app { … }`) or a block nested in one.
    Block,
    /// A setting or declaration inside a block.
    Entry,
}

/// A named declaration, with the ones inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// The whole declaration.
    pub span: Span,
    /// The name.
    pub name_span: Span,
    /// Members (fields, variants, methods).
    pub children: Vec<Symbol>,
}

/// A region that can be folded: the byte offsets of its first and last
/// characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    /// Where it starts.
    pub start: u32,
    /// Where it ends.
    pub end: u32,
    /// A comment block rather than code.
    pub comment: bool,
}

/// A class of token, for semantic highlighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemanticTokenKind {
    /// A keyword.
    Keyword,
    /// A function or method name.
    Function,
    /// A record, enum or Rust type name.
    Type,
    /// An enum variant.
    Variant,
    /// A record field.
    Field,
    /// A local binding.
    Variable,
    /// A parameter.
    Parameter,
    /// A constant.
    Constant,
    /// A module name.
    Module,
    /// A string literal.
    String,
    /// A number.
    Number,
    /// A comment.
    Comment,
}

/// A classified token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    /// Where.
    pub span: Span,
    /// What.
    pub kind: SemanticTokenKind,
}

fn symbol(name: &crate::syntax::ast::Ident, kind: SymbolKind, span: Span) -> Symbol {
    Symbol {
        name: name.name.to_string(),
        kind,
        span,
        name_span: name.span,
        children: Vec::new(),
    }
}

/// A block as the outline shows it: `partition app`, with its entries.
fn block_symbol(block: &crate::syntax::ast::ExtensionBlock) -> Symbol {
    use crate::syntax::ast::BlockEntryKind;
    let mut s = symbol(
        block.name.as_ref().unwrap_or(&block.keyword),
        SymbolKind::Block,
        block.span,
    );
    if let Some(name) = &block.name {
        s.name = format!("{} {}", block.keyword.name, name.name);
    }
    s.children = block
        .entries
        .iter()
        .filter_map(|entry| match &entry.kind {
            BlockEntryKind::Setting { name, .. } | BlockEntryKind::Declaration { name, .. } => {
                Some(symbol(name, SymbolKind::Entry, entry.span))
            }
            BlockEntryKind::Block(nested) => Some(block_symbol(nested)),
            BlockEntryKind::Error => None,
        })
        .collect();
    s
}

impl Analysis {
    fn module_ast(&self, file: FileId) -> Option<&Module> {
        self.checked.modules.get(file.0 as usize)
    }

    /// The declarations of `file`, nested.
    pub fn symbols(&self, file: FileId) -> Vec<Symbol> {
        let Some(module) = self.module_ast(file) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in &module.items {
            let span = item.span;
            match &item.kind {
                ItemKind::Function(f) => out.push(symbol(&f.name, SymbolKind::Function, span)),
                ItemKind::Test(t) => out.push(symbol(&t.name, SymbolKind::Function, span)),
                ItemKind::Constant(c) => out.push(symbol(&c.name, SymbolKind::Constant, span)),
                ItemKind::RustFunction(r) => out.push(symbol(&r.name, SymbolKind::Rust, span)),
                ItemKind::RustType(r) => out.push(symbol(&r.name, SymbolKind::Rust, span)),
                ItemKind::UseModule(name) => out.push(symbol(name, SymbolKind::Module, span)),
                ItemKind::Record(r) => {
                    let mut s = symbol(&r.name, SymbolKind::Record, span);
                    s.children = r
                        .fields
                        .iter()
                        .map(|f| symbol(&f.name, SymbolKind::Field, f.name.span.to(f.ty.span)))
                        .collect();
                    out.push(s);
                }
                ItemKind::Enum(e) => {
                    let mut s = symbol(&e.name, SymbolKind::Enum, span);
                    s.children = e
                        .variants
                        .iter()
                        .map(|v| symbol(&v.name, SymbolKind::Variant, v.name.span))
                        .collect();
                    out.push(s);
                }
                ItemKind::Methods(m) => {
                    let mut s = symbol(&m.target, SymbolKind::Methods, span);
                    s.name = format!("methods {}", m.target.name);
                    s.children = m
                        .functions
                        .iter()
                        .filter_map(|f| match &f.kind {
                            ItemKind::Function(function) => {
                                Some(symbol(&function.name, SymbolKind::Method, f.span))
                            }
                            _ => None,
                        })
                        .collect();
                    out.push(s);
                }
                ItemKind::Block(block) => out.push(block_symbol(block)),
                ItemKind::Error => {}
            }
        }
        out
    }

    /// Foldable regions: brace, bracket and parenthesis groups over several
    /// lines, and runs of comment lines. Found from tokens, so a file with
    /// errors folds too.
    pub fn folds(&self, file: FileId) -> Vec<Fold> {
        let source = self.sources.get(file);
        let line = |offset: u32| source.line_column(offset).line;
        let mut folds = Vec::new();
        let mut open: Vec<(Delimiter, u32)> = Vec::new();
        for token in self.tokens(file) {
            match token.kind {
                TokenKind::Open(d) => open.push((d, token.start)),
                TokenKind::Close(d) => {
                    if let Some(position) = open.iter().rposition(|(o, _)| *o == d) {
                        let (_, start) = open[position];
                        open.truncate(position);
                        if line(start) < line(token.start) {
                            folds.push(Fold {
                                start,
                                end: token.start,
                                comment: false,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        let mut diagnostics = crate::diagnostics::Diagnostics::new();
        let comments = crate::syntax::lexer::lex(&source.text, file, &mut diagnostics).comments;
        let mut run: Option<(u32, u32, usize)> = None;
        for comment in comments {
            let here = line(comment.start);
            match run {
                Some((start, _, last)) if here == last + 1 => {
                    run = Some((start, comment.end, here))
                }
                _ => {
                    if let Some((start, end, _)) = run.take() {
                        if line(start) < line(end) {
                            folds.push(Fold {
                                start,
                                end,
                                comment: true,
                            });
                        }
                    }
                    run = Some((comment.start, comment.end, line(comment.end)));
                }
            }
        }
        if let Some((start, end, _)) = run {
            if line(start) < line(end) {
                folds.push(Fold {
                    start,
                    end,
                    comment: true,
                });
            }
        }
        folds.sort_by_key(|f| (f.start, f.end));
        folds
    }

    /// Every token of `file` worth colouring, in order.
    pub fn semantic_tokens(&self, file: FileId) -> Vec<SemanticToken> {
        let source = self.sources.get(file);
        let mut out = Vec::new();
        let mut diagnostics = crate::diagnostics::Diagnostics::new();
        let comments = crate::syntax::lexer::lex(&source.text, file, &mut diagnostics).comments;
        for comment in comments {
            out.push(SemanticToken {
                span: Span::new(file, comment.start as usize, comment.end as usize),
                kind: SemanticTokenKind::Comment,
            });
        }
        let references = &self.program().references;
        for token in self.tokens(file) {
            let span = Span::new(file, token.start as usize, token.end as usize);
            let kind = match token.kind {
                TokenKind::Keyword(_) => SemanticTokenKind::Keyword,
                TokenKind::Str => SemanticTokenKind::String,
                TokenKind::Int | TokenKind::Float => SemanticTokenKind::Number,
                TokenKind::DocComment => SemanticTokenKind::Comment,
                TokenKind::Ident => {
                    let at = references
                        .partition_point(|r| (r.span.file, r.span.start) < (file, token.start));
                    match references.get(at).filter(|r| r.span == span) {
                        Some(r) => self.target_kind(r.target),
                        None => continue,
                    }
                }
                _ => continue,
            };
            out.push(SemanticToken { span, kind });
        }
        out.sort_by_key(|t| t.span.start);
        out
    }

    fn target_kind(&self, target: Target) -> SemanticTokenKind {
        match target {
            Target::Local { function, local } => {
                let is_param = self
                    .program()
                    .functions
                    .get(function)
                    .and_then(|f| f.body.as_ref())
                    .is_some_and(|b| b.params.contains(&local));
                if is_param {
                    SemanticTokenKind::Parameter
                } else {
                    SemanticTokenKind::Variable
                }
            }
            Target::Function(_) => SemanticTokenKind::Function,
            Target::Type(_) => SemanticTokenKind::Type,
            Target::Field(..) => SemanticTokenKind::Field,
            Target::Variant(..) => SemanticTokenKind::Variant,
            Target::Constant(_) => SemanticTokenKind::Constant,
            Target::Module(_) | Target::Partition(_) => SemanticTokenKind::Module,
        }
    }

    /// Inferred types of bindings written without one: (where to show it,
    /// the text, e.g. `: list<string>`).
    pub fn inlay_hints(&self, file: FileId) -> Vec<(u32, String)> {
        let mut hints = Vec::new();
        let tokens = self.tokens(file);
        for function in &self.program().functions {
            let Some(body) = &function.body else { continue };
            if function.extent.file != file {
                continue;
            }
            for (id, local) in body.locals.iter().enumerate() {
                if body.params.contains(&id)
                    || local.generated
                    || local.span.file != file
                    || local.name == "self"
                    || matches!(local.ty, Ty::Error | Ty::Unknown)
                {
                    continue;
                }
                let next = tokens.partition_point(|t| t.start < local.span.end);
                let annotated = tokens.get(next).is_some_and(|t| {
                    t.kind == TokenKind::Punct(':', crate::syntax::token::Spacing::Alone)
                });
                let is_name = tokens
                    .get(next.wrapping_sub(1))
                    .is_some_and(|t| t.start == local.span.start);
                if !annotated && is_name {
                    hints.push((
                        local.span.end,
                        format!(": {}", self.program().show_type(&local.ty)),
                    ));
                }
            }
        }
        hints.sort();
        hints.dedup();
        hints
    }
}
