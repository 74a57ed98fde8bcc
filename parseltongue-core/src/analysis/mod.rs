//! Questions an editor asks about a program: what is here, where is it
//! defined, where is it used, what can be typed next. Everything is
//! answered from one run of the front end (the syntax trees, the typed IR
//! and the checker's index of resolved names), so answers stay useful
//! while the code has errors: the parser recovers, the checker keeps going,
//! and the index holds every name it could resolve.
//!
//! Positions are byte offsets into a file of the [`SourceMap`]; the
//! language server converts them to and from the editor's coordinates.

mod actions;
mod complete;
mod hover;
mod outline;

pub use actions::Action;
pub use complete::{Completion, CompletionKind, SignatureHelp};
pub use outline::{Fold, SemanticToken, SemanticTokenKind, Symbol, SymbolKind};

use crate::ir::{self, Target, Ty};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::token::Token;
use crate::Checked;

/// One analysed program.
pub struct Analysis {
    sources: SourceMap,
    checked: Checked,
}

/// A text edit in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// What to replace.
    pub span: Span,
    /// The new text.
    pub text: String,
}

/// Why a rename cannot be done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameError(pub String);

impl Analysis {
    /// Parses and checks `sources` (the first file is the root module).
    pub fn new(sources: SourceMap) -> Analysis {
        Self::with_extensions(sources, &crate::extension::Extensions::none())
    }

    /// Parses and checks `sources` with `extensions` providing block kinds
    /// beyond the core's.
    pub fn with_extensions(
        sources: SourceMap,
        extensions: &crate::extension::Extensions,
    ) -> Analysis {
        let checked = crate::check_with(&sources, extensions);
        Analysis { sources, checked }
    }

    /// The sources analysed.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The checker's output.
    pub fn checked(&self) -> &Checked {
        &self.checked
    }

    fn program(&self) -> &ir::Program {
        &self.checked.program
    }

    /// The resolved name at `offset` in `file`, if any: a use, or the name
    /// in a declaration (`function apply(`, `record Item`, a field, a
    /// variant, a constant), so every editor feature works from either.
    pub fn reference_at(&self, file: FileId, offset: u32) -> Option<ir::Reference> {
        let references = &self.program().references;
        let start = references.partition_point(|r| (r.span.file, r.span.start) < (file, 0));
        references[start..]
            .iter()
            .take_while(|r| r.span.file == file && r.span.start <= offset)
            .filter(|r| offset >= r.span.start && offset <= r.span.end)
            .last()
            .copied()
            .or_else(|| self.declaration_at(file, offset))
    }

    /// The item, field or variant whose name is declared at `offset`.
    fn declaration_at(&self, file: FileId, offset: u32) -> Option<ir::Reference> {
        let program = self.program();
        let on = |span: &Span| span.file == file && span.start <= offset && offset <= span.end;
        let found = |span: Span, target: Target| Some(ir::Reference { span, target });
        for (id, f) in program.functions.iter().enumerate() {
            if on(&f.span) && !matches!(f.kind, ir::FunctionKind::Test) {
                return found(f.span, Target::Function(id));
            }
        }
        for (id, t) in program.types.iter().enumerate() {
            if on(&t.span) {
                return found(t.span, Target::Type(id));
            }
            for (index, member) in t.member_spans.iter().enumerate() {
                if on(member) {
                    let target = match t.kind {
                        ir::TypeDefKind::Enum(_) => Target::Variant(id, index),
                        _ => Target::Field(id, index),
                    };
                    return found(*member, target);
                }
            }
        }
        for (id, c) in program.constants.iter().enumerate() {
            if on(&c.span) {
                return found(c.span, Target::Constant(id));
            }
        }
        for (id, p) in program.partitions.partitions.iter().enumerate() {
            if p.span.end > p.span.start && on(&p.span) {
                return found(p.span, Target::Partition(id));
            }
        }
        None
    }

    /// Where `target` is declared (its name).
    pub fn definition_span(&self, target: Target) -> Option<Span> {
        let program = self.program();
        match target {
            Target::Local { function, local } => program
                .functions
                .get(function)?
                .body
                .as_ref()?
                .locals
                .get(local)
                .map(|l| l.span),
            Target::Function(id) => program.functions.get(id).map(|f| f.span),
            Target::Type(id) => program.types.get(id).map(|t| t.span),
            Target::Field(id, index) | Target::Variant(id, index) => {
                program.types.get(id)?.member_spans.get(index).copied()
            }
            Target::Constant(id) => program.constants.get(id).map(|c| c.span),
            Target::Module(id) => {
                let file = FileId(u32::try_from(id).ok()?);
                (id < self.sources.len()).then(|| Span::new(file, 0, 0))
            }
            // The default plan's `main` is declared nowhere.
            Target::Partition(id) => program
                .partitions
                .partitions
                .get(id)
                .map(|p| p.span)
                .filter(|span| span.end > span.start),
        }
    }

    /// Where the name at `offset` is defined.
    pub fn definition(&self, file: FileId, offset: u32) -> Option<Span> {
        self.definition_span(self.reference_at(file, offset)?.target)
    }

    /// Every place `target` is named, its declaration included, in order.
    pub fn references_to(&self, target: Target) -> Vec<Span> {
        let mut spans: Vec<Span> = self
            .program()
            .references
            .iter()
            .filter(|r| r.target == target)
            .map(|r| r.span)
            .collect();
        if let Some(declared) = self.definition_span(target) {
            if declared.end > declared.start && !spans.contains(&declared) {
                spans.push(declared);
            }
        }
        spans.sort_by_key(|s| (s.file, s.start));
        spans
    }

    /// Every place the name at `offset` is named.
    pub fn references(&self, file: FileId, offset: u32) -> Vec<Span> {
        self.reference_at(file, offset)
            .map(|r| self.references_to(r.target))
            .unwrap_or_default()
    }

    /// The places in `file` where the name at `offset` appears.
    pub fn highlights(&self, file: FileId, offset: u32) -> Vec<Span> {
        self.references(file, offset)
            .into_iter()
            .filter(|s| s.file == file)
            .collect()
    }

    /// The edits that rename the name at `offset` to `new_name`, in every
    /// file of the program.
    ///
    /// # Errors
    /// No renameable name at `offset`, or `new_name` is not a valid name.
    pub fn rename(
        &self,
        file: FileId,
        offset: u32,
        new_name: &str,
    ) -> Result<Vec<Edit>, RenameError> {
        let reference = self
            .reference_at(file, offset)
            .ok_or_else(|| RenameError("there is no name to rename here".into()))?;
        if let Target::Module(_) = reference.target {
            return Err(RenameError(
                "a module is renamed by renaming its file".into(),
            ));
        }
        let valid = new_name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && new_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && new_name != "_";
        let reserved = crate::syntax::token::Keyword::from_spelling(new_name).is_some()
            || crate::check::is_reserved(new_name);
        if !valid || reserved {
            return Err(RenameError(format!(
                "`{new_name}` is not a valid name here"
            )));
        }
        Ok(self
            .references_to(reference.target)
            .into_iter()
            .map(|span| Edit {
                span,
                text: new_name.to_string(),
            })
            .collect())
    }

    /// The type of the smallest expression around `offset`, with its span.
    pub fn type_at(&self, file: FileId, offset: u32) -> Option<(Span, Ty)> {
        let mut best: Option<(Span, Ty)> = None;
        let mut consider = |e: &ir::Expr| {
            let s = e.span;
            if s.file == file && s.start <= offset && offset <= s.end && s.end > s.start {
                let smaller = best
                    .as_ref()
                    .is_none_or(|(b, _)| s.end - s.start < b.end - b.start);
                if smaller && !matches!(e.ty, Ty::Error) {
                    best = Some((s, e.ty.clone()));
                }
            }
        };
        for function in &self.program().functions {
            let Some(body) = &function.body else { continue };
            if function.extent.file != file
                || offset < function.extent.start
                || offset > function.extent.end
            {
                continue;
            }
            ir::walk_block(&body.block, &mut consider, &mut |_| {});
        }
        best
    }

    /// The tokens of `file`.
    fn tokens(&self, file: FileId) -> &[Token] {
        self.checked
            .tokens
            .get(file.0 as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// The token at `offset` (touching it from either side).
    fn token_at(&self, file: FileId, offset: u32) -> Option<Token> {
        let tokens = self.tokens(file);
        let i = tokens.partition_point(|t| t.end < offset);
        tokens
            .get(i)
            .copied()
            .filter(|t| t.start <= offset && offset <= t.end)
    }

    /// The function whose declaration contains `offset`.
    fn function_at(&self, file: FileId, offset: u32) -> Option<ir::FunctionId> {
        self.program()
            .functions
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.extent.file == file && f.extent.start <= offset && offset <= f.extent.end
            })
            .min_by_key(|(_, f)| f.extent.end - f.extent.start)
            .map(|(id, _)| id)
    }
}
