//! Diagnostics as data: every phase pushes [`Diagnostic`]s into a sink, and
//! they are turned into text in one place ([`render`] for people, [`json`]
//! for tools).

pub mod codes;
pub mod json;
pub mod render;

use crate::source::Span;
pub use codes::Code;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The program is rejected.
    Error,
    /// The program compiles, but something is probably wrong.
    Warning,
}

/// How sure a suggestion is, in rustc's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Applicability {
    /// Applying it is certainly right; tools may apply it without asking.
    MachineApplicable,
    /// Probably right, but a person should look.
    MaybeIncorrect,
    /// Contains placeholders the user must fill in.
    HasPlaceholders,
}

impl Applicability {
    /// The spelling used in rustc's JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::MachineApplicable => "MachineApplicable",
            Applicability::MaybeIncorrect => "MaybeIncorrect",
            Applicability::HasPlaceholders => "HasPlaceholders",
        }
    }
}

/// A text edit: replace the bytes of `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// What to replace.
    pub span: Span,
    /// The new text.
    pub replacement: String,
    /// How safe it is to apply.
    pub applicability: Applicability,
}

/// A `help:` line, optionally carrying an edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Help {
    /// The help text, e.g. ``declare it with `let_mut_var` ``.
    pub message: String,
    /// The edit that implements the help, if there is one.
    pub suggestion: Option<Suggestion>,
}

/// A labelled span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it (may be empty).
    pub message: String,
}

/// One error or warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code, e.g. `PT0301`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The headline, in rustc's style: lowercase, no final period.
    pub message: String,
    /// The primary location, as small as possible.
    pub primary: Label,
    /// Other places that explain the error.
    pub secondary: Vec<Label>,
    /// `note:` lines.
    pub notes: Vec<String>,
    /// `help:` lines.
    pub helps: Vec<Help>,
}

impl Diagnostic {
    /// An error with `code` at `span`.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, span, message)
    }

    /// A warning with `code` at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, span, message)
    }

    fn new(code: Code, severity: Severity, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            notes: Vec::new(),
            helps: Vec::new(),
        }
    }

    /// Sets the label text on the primary span.
    pub fn with_label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary labelled span.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a `note:` line.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Adds a `help:` line without an edit.
    pub fn with_help(mut self, message: impl Into<String>) -> Self {
        self.helps.push(Help {
            message: message.into(),
            suggestion: None,
        });
        self
    }

    /// Adds a `help:` line with an edit.
    pub fn with_suggestion(
        mut self,
        message: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
        applicability: Applicability,
    ) -> Self {
        self.helps.push(Help {
            message: message.into(),
            suggestion: Some(Suggestion {
                span,
                replacement: replacement.into(),
                applicability,
            }),
        });
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl From<Box<Diagnostic>> for Diagnostic {
    fn from(boxed: Box<Diagnostic>) -> Self {
        *boxed
    }
}

/// Where phases collect what they find. Phases never stop at the first
/// problem: they record it here and carry on.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// How many of `items` are errors: counted as they are recorded, since
    /// the checker asks after every body.
    errors: usize,
    /// At most this many are kept, if set.
    limit: Option<usize>,
    /// How many were recorded past the limit.
    left_out: usize,
    /// The first in the text of those past the limit.
    first_left_out: Option<Diagnostic>,
}

impl Diagnostics {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one diagnostic (past the limit, counts it).
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.limit.is_some_and(|limit| self.items.len() >= limit) {
            self.left_out += 1;
            let position = |d: &Diagnostic| (d.primary.span.file, d.primary.span.start);
            if self
                .first_left_out
                .as_ref()
                .is_none_or(|first| position(&diagnostic) < position(first))
            {
                self.first_left_out = Some(diagnostic);
            }
            return;
        }
        self.errors += usize::from(diagnostic.is_error());
        self.items.push(diagnostic);
    }

    /// Keeps only the diagnostics `keep` accepts (warnings only: an error
    /// is never dropped, so the error count stays).
    pub fn retain(&mut self, mut keep: impl FnMut(&Diagnostic) -> bool) {
        self.items.retain(|d| d.is_error() || keep(d));
    }

    /// Records everything `other` recorded, after what is here.
    pub fn extend(&mut self, other: Diagnostics) {
        if self.limit.is_some() {
            other.items.into_iter().for_each(|d| self.push(d));
            return;
        }
        self.errors += other.errors;
        self.items.extend(other.items);
    }

    /// A sink that keeps the first `limit` diagnostics recorded and only
    /// counts the others, so a broken file of any size costs memory for
    /// `limit` of them.
    pub fn with_limit(limit: usize) -> Self {
        Diagnostics {
            limit: Some(limit),
            ..Self::default()
        }
    }

    /// How many diagnostics past the limit were left out, and the first of
    /// them in the text.
    pub fn left_out(&self) -> Option<(&Diagnostic, usize)> {
        self.first_left_out.as_ref().map(|d| (d, self.left_out))
    }

    /// True when nothing was recorded (nor left out past the limit).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.left_out == 0
    }

    /// True when at least one error was recorded.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// The number of errors recorded.
    pub fn error_count(&self) -> usize {
        self.errors
    }

    /// Everything recorded, sorted by file, position and code, so output is
    /// deterministic whatever order the phases found things in.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (
                a.primary.span.file,
                a.primary.span.start,
                a.primary.span.end,
                a.code,
            )
                .cmp(&(
                    b.primary.span.file,
                    b.primary.span.start,
                    b.primary.span.end,
                    b.code,
                ))
        });
        self.items.dedup();
        self.items
    }

    /// Everything recorded, in recording order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}
