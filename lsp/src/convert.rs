//! Between the core's byte offsets and the protocol's positions (lines
//! and UTF-16 columns), and from core diagnostics to protocol ones.

use parseltongue_core::diagnostics::{Applicability, Diagnostic, Severity};
use parseltongue_core::source::{SourceFile, Span};
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, Location, NumberOrString, Position, Range, Uri,
};

/// The byte offset of `position` in `file`, clamped into the file (an
/// editor may send a position past the end of a line or of the file).
pub fn offset(text: &str, position: Position) -> u32 {
    let mut line_start = 0usize;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len() as u32,
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut units = 0u32;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= position.character {
            return (line_start + i) as u32;
        }
        units += c.len_utf16() as u32;
    }
    line_end as u32
}

/// The protocol position of byte `offset` in `file` (clamped into the
/// text, and back to the start of a character it falls inside).
///
/// The line comes from the file's line index, so converting every
/// diagnostic of a large file costs no more than its own line.
pub fn position(file: &SourceFile, offset: u32) -> Position {
    let mut offset = (offset as usize).min(file.text.len());
    while !file.text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = file.line(offset as u32);
    let line_start = file.line_start(line);
    let character = if file.is_ascii() {
        (offset - line_start) as u32
    } else {
        file.text[line_start..offset]
            .chars()
            .map(|c| c.len_utf16() as u32)
            .sum()
    };
    Position {
        line: line.saturating_sub(1) as u32,
        character,
    }
}

/// The protocol range of `span` in `file`.
pub fn range(file: &SourceFile, span: Span) -> Range {
    Range {
        start: position(file, span.start),
        end: position(file, span.end.max(span.start)),
    }
}

/// A file holding `code`'s long explanation (what `plc explain` prints),
/// for the diagnostic's link: the explanations are written once per
/// server version into the temporary folder, so the link works offline
/// and opens in the editor.
pub fn explanation_uri(code: &str) -> Option<Uri> {
    static FOLDER: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    let folder = FOLDER.get_or_init(|| {
        let folder = std::env::temp_dir().join(format!(
            "parseltongue-explanations-{}",
            env!("CARGO_PKG_VERSION")
        ));
        std::fs::create_dir_all(&folder).ok()?;
        for info in parseltongue_extensions::all_codes() {
            let path = folder.join(format!("{}.md", info.code));
            if std::fs::read_to_string(&path).ok().as_deref() != Some(info.explanation) {
                std::fs::write(&path, info.explanation).ok()?;
            }
        }
        Some(folder)
    });
    let path = folder.as_ref()?.join(format!("{code}.md"));
    path.is_file().then(|| Uri::from_file_path(path)).flatten()
}

/// A core diagnostic as the protocol has it. `uri_of` names the files of
/// secondary spans; `data` carries the suggested edits for code actions.
pub fn diagnostic(
    d: &Diagnostic,
    file: &SourceFile,
    uri_of: &dyn Fn(Span) -> Option<(Uri, Range)>,
) -> lsp::Diagnostic {
    let code = d.code.to_string();
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|label| {
            let (uri, range) = uri_of(label.span)?;
            Some(DiagnosticRelatedInformation {
                location: Location { uri, range },
                message: if label.message.is_empty() {
                    "related".to_string()
                } else {
                    label.message.clone()
                },
            })
        })
        .collect();
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() {
        message.push_str(&format!("\n{}", d.primary.message));
    }
    for help in &d.helps {
        message.push_str(&format!("\nhelp: {}", help.message));
    }
    for note in &d.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    let suggestions: Vec<serde_json::Value> = d
        .helps
        .iter()
        .filter_map(|h| {
            let s = h.suggestion.as_ref()?;
            Some(serde_json::json!({
                "message": h.message,
                "range": range(file, s.span),
                "replacement": s.replacement,
                "machine_applicable": s.applicability == Applicability::MachineApplicable,
            }))
        })
        .collect();
    lsp::Diagnostic {
        range: range(file, d.primary.span),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(code.clone())),
        code_description: explanation_uri(&code).map(|href| lsp::CodeDescription { href }),
        source: Some("parseltongue".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(serde_json::json!({ "suggestions": suggestions })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_clamp() {
        let file = SourceFile::new("t.pt", "ab\n🐍x\n");
        assert_eq!(offset(&file.text, Position::new(1, 2)), 7);
        assert_eq!(position(&file, 7), Position::new(1, 2));
        assert_eq!(offset(&file.text, Position::new(1, 99)), 8);
        assert_eq!(offset(&file.text, Position::new(99, 0)), 9);
        assert_eq!(position(&file, 999), Position::new(2, 0));
        // Around a line break: the break ends its line, the next byte
        // starts the next one.
        assert_eq!(position(&file, 0), Position::new(0, 0));
        assert_eq!(position(&file, 2), Position::new(0, 2));
        assert_eq!(position(&file, 3), Position::new(1, 0));
        assert_eq!(position(&file, 8), Position::new(1, 3));
        // Inside the snake (four bytes, two UTF-16 units): its start.
        assert_eq!(position(&file, 5), Position::new(1, 0));
    }

    #[test]
    fn every_code_links_to_its_explanation() {
        let uri = explanation_uri("PT0301").expect("a link");
        let path = uri.to_file_path().expect("a file");
        let text = std::fs::read_to_string(path).expect("written");
        assert!(text.starts_with("# PT0301"));
        assert!(explanation_uri("PT1001").is_some(), "an extension's code");
        assert!(explanation_uri("PT9999").is_none());
    }
}
