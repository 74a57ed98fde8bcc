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
pub fn fix_until_clean(sources: &SourceMap, rounds: usize) -> (Vec<String>, Vec<(FileId, Edit)>) {
    let mut texts: Vec<String> = sources.iter().map(|(_, f)| f.text.clone()).collect();
    let names: Vec<String> = sources.iter().map(|(_, f)| f.name.clone()).collect();
    let mut made = Vec::new();
    for _ in 0..rounds {
        let mut current = SourceMap::new();
        for (name, text) in names.iter().zip(&texts) {
            current.add(crate::source::SourceFile::new(name.clone(), text.clone()));
        }
        let edits = machine_applicable_edits(&crate::check(&current).diagnostics);
        if edits.is_empty() {
            break;
        }
        for (index, text) in texts.iter_mut().enumerate() {
            let file = FileId(index as u32);
            let in_file: Vec<&Edit> = edits.iter().filter(|e| e.span.file == file).collect();
            if !in_file.is_empty() {
                *text = apply(text, &in_file);
                made.extend(in_file.into_iter().map(|e| (file, e.clone())));
            }
        }
    }
    (texts, made)
}
