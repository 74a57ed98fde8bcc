//! Code actions: every suggestion a diagnostic carries becomes a quick
//! fix, and a binding keyword can be changed into any of the others.

use super::{Analysis, Edit};
use crate::diagnostics::Applicability;
use crate::source::{FileId, Span};
use crate::syntax::token::{Keyword, TokenKind};

/// One action an editor can offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    /// The menu text.
    pub title: String,
    /// The edits it makes.
    pub edits: Vec<Edit>,
    /// A quick fix (`true`) or a refactor.
    pub quick_fix: bool,
    /// Certainly right: editors may apply it with one key.
    pub preferred: bool,
    /// The diagnostic it fixes, by its index in `checked().diagnostics`.
    pub fixes: Option<usize>,
}

const BINDINGS: [Keyword; 5] = [
    Keyword::LetVar,
    Keyword::LetMutVar,
    Keyword::LetCowVar,
    Keyword::LetSharedVar,
    Keyword::LetMutSharedVar,
];

fn overlaps(a: Span, start: u32, end: u32) -> bool {
    a.start <= end && start <= a.end
}

impl Analysis {
    /// The actions for the range `start..end` of `file`.
    pub fn actions(&self, file: FileId, start: u32, end: u32) -> Vec<Action> {
        let mut out = Vec::new();
        for (index, diagnostic) in self.checked.diagnostics.iter().enumerate() {
            if diagnostic.primary.span.file != file
                || !overlaps(diagnostic.primary.span, start, end)
            {
                continue;
            }
            for help in &diagnostic.helps {
                let Some(suggestion) = &help.suggestion else {
                    continue;
                };
                if suggestion.applicability == Applicability::HasPlaceholders {
                    continue;
                }
                out.push(Action {
                    title: format!("{} ({})", help.message, diagnostic.code),
                    edits: vec![Edit {
                        span: suggestion.span,
                        text: suggestion.replacement.clone(),
                    }],
                    quick_fix: true,
                    preferred: suggestion.applicability == Applicability::MachineApplicable,
                    fixes: Some(index),
                });
            }
        }
        let tokens = self.tokens(file);
        let first = tokens.partition_point(|t| t.end < start);
        for token in tokens[first..].iter().take_while(|t| t.start <= end) {
            let TokenKind::Keyword(current) = token.kind else {
                continue;
            };
            if !BINDINGS.contains(&current) {
                continue;
            }
            for other in BINDINGS.iter().filter(|k| **k != current) {
                out.push(Action {
                    title: format!("Change `{}` to `{}`", current.as_str(), other.as_str()),
                    edits: vec![Edit {
                        span: Span::new(file, token.start as usize, token.end as usize),
                        text: other.as_str().to_string(),
                    }],
                    quick_fix: false,
                    preferred: false,
                    fixes: None,
                });
            }
        }
        out
    }
}
