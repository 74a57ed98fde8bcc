//! Applying machine-applicable suggestions: the edits a tool (or an agent)
//! may make without asking. Edits that overlap are left for a later round,
//! after the file has been checked again.

use crate::diagnostics::{Applicability, Diagnostic};
use crate::source::{FileId, SourceMap, Span};

/// One text edit from a diagnostic's suggestion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The diagnostic code that proposed it, e.g. `PT0007`.
    pub code: String,
    /// The bytes to replace.
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

/// The machine-applicable edits of `diagnostics`, at most one per position,
/// without overlaps, in file and position order.
pub fn machine_applicable_edits(diagnostics: &[Diagnostic]) -> Vec<Edit> {
    let mut edits: Vec<Edit> = diagnostics
        .iter()
        .flat_map(|d| {
            d.helps.iter().filter_map(move |help| {
                let suggestion = help.suggestion.as_ref()?;
                (suggestion.applicability == Applicability::MachineApplicable).then(|| Edit {
                    code: d.code.to_string(),
                    span: suggestion.span,
                    replacement: suggestion.replacement.clone(),
                })
            })
        })
        .collect();
    edits.sort_by_key(|e| (e.span.file, e.span.start, e.span.end));
    edits.dedup_by(|later, earlier| {
        later.span == earlier.span && later.replacement == earlier.replacement
    });
    let mut kept: Vec<Edit> = Vec::with_capacity(edits.len());
    for edit in edits {
        let overlaps = kept.last().is_some_and(|last| {
            last.span.file == edit.span.file
                && (edit.span.start < last.span.end
                    || (edit.span.start == last.span.start && edit.span.start == edit.span.end))
        });
        if !overlaps {
            kept.push(edit);
        }
    }
    kept
}

/// `text` with `edits` (all in one file, sorted, not overlapping) applied.
pub fn apply(text: &str, edits: &[&Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for edit in edits {
        let (start, end) = (edit.span.start as usize, edit.span.end as usize);
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&edit.replacement);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Checks `sources` and applies machine-applicable fixes until none is
/// left (at most `rounds` times). Returns the fixed texts by file and every
/// edit made, in order.
///
/// A fix never makes a program worse: a round whose edits together leave
/// more errors than before is retried one edit at a time, keeping only the
/// edits that add no error (a suggestion made from a misread of broken
/// code can be wrong even when it looks certain).
pub fn fix_until_clean(sources: &SourceMap, rounds: usize) -> (Vec<String>, Vec<(FileId, Edit)>) {
    let mut texts: Vec<String> = sources.iter().map(|(_, f)| f.text.clone()).collect();
    let names: Vec<String> = sources.iter().map(|(_, f)| f.name.clone()).collect();
    let check = |texts: &[String]| {
        let mut current = SourceMap::new();
        for (name, text) in names.iter().zip(texts) {
            current.add(crate::source::SourceFile::new(name.clone(), text.clone()));
        }
        crate::check(&current).diagnostics
    };
    let errors = |diagnostics: &[Diagnostic]| diagnostics.iter().filter(|d| d.is_error()).count();
    let mut made = Vec::new();
    for _ in 0..rounds {
        let diagnostics = check(&texts);
        let before = errors(&diagnostics);
        let edits = machine_applicable_edits(&diagnostics);
        if edits.is_empty() {
            break;
        }
        let all = with_edits(&texts, &edits.iter().collect::<Vec<_>>());
        if errors(&check(&all)) <= before {
            made.extend(edits.into_iter().map(|e| (e.span.file, e)));
            texts = all;
            continue;
        }
        let mut kept = Vec::new();
        for edit in &edits {
            let mut trial: Vec<&Edit> = kept.clone();
            trial.push(edit);
            trial.sort_by_key(|e| (e.span.file, e.span.start));
            if errors(&check(&with_edits(&texts, &trial))) <= before {
                kept = trial;
            }
        }
        if kept.is_empty() {
            break;
        }
        texts = with_edits(&texts, &kept);
        made.extend(kept.into_iter().map(|e| (e.span.file, e.clone())));
    }
    (texts, made)
}

/// `texts` (by file) with `edits` (sorted, not overlapping) applied.
fn with_edits(texts: &[String], edits: &[&Edit]) -> Vec<String> {
    texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let file = FileId(index as u32);
            let in_file: Vec<&Edit> = edits
                .iter()
                .copied()
                .filter(|e| e.span.file == file)
                .collect();
            if in_file.is_empty() {
                text.clone()
            } else {
                apply(text, &in_file)
            }
        })
        .collect()
}
