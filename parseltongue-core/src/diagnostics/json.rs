//! Diagnostics as JSON in the shape of rustc's `--error-format=json`, so
//! tools that read rustc's output read ours unchanged.

use super::{render, Diagnostic, Severity};
use crate::source::{SourceMap, Span};
use serde::Serialize;

/// One diagnostic, as rustc would print it with `--error-format=json`.
#[derive(Serialize, Debug)]
pub struct JsonDiagnostic {
    /// Always `"diagnostic"`, as rustc's `$message_type`.
    #[serde(rename = "$message_type")]
    pub message_type: &'static str,
    /// The headline.
    pub message: String,
    /// The code and its explanation.
    pub code: JsonCode,
    /// `"error"` or `"warning"`.
    pub level: &'static str,
    /// The primary and secondary spans.
    pub spans: Vec<JsonSpan>,
    /// Notes and helps, each with the spans of its suggestion.
    pub children: Vec<JsonChild>,
    /// The same diagnostic rendered for people, without colour.
    pub rendered: String,
}

/// The `code` object.
#[derive(Serialize, Debug)]
pub struct JsonCode {
    /// e.g. `PT0301`.
    pub code: String,
    /// The long explanation.
    pub explanation: Option<&'static str>,
}

/// A span with byte offsets and 1-based lines and columns.
#[derive(Serialize, Debug)]
pub struct JsonSpan {
    /// The file name as given to the compiler.
    pub file_name: String,
    /// First byte.
    pub byte_start: u32,
    /// One past the last byte.
    pub byte_end: u32,
    /// 1-based start line.
    pub line_start: usize,
    /// 1-based end line.
    pub line_end: usize,
    /// 1-based start column (characters).
    pub column_start: usize,
    /// 1-based end column (characters, exclusive).
    pub column_end: usize,
    /// True for the span the message is about.
    pub is_primary: bool,
    /// The label text, if any.
    pub label: Option<String>,
    /// The text to put in place of the span, for suggestions.
    pub suggested_replacement: Option<String>,
    /// How safe the replacement is.
    pub suggestion_applicability: Option<&'static str>,
    /// The source lines the span covers.
    pub text: Vec<JsonSpanLine>,
}

/// One source line covered by a span.
#[derive(Serialize, Debug)]
pub struct JsonSpanLine {
    /// The line's text.
    pub text: String,
    /// 1-based column where the highlight starts.
    pub highlight_start: usize,
    /// 1-based column where the highlight ends (exclusive).
    pub highlight_end: usize,
}

/// A `help` or `note` child.
#[derive(Serialize, Debug)]
pub struct JsonChild {
    /// The text.
    pub message: String,
    /// Always null for children, as in rustc.
    pub code: Option<JsonCode>,
    /// `"help"` or `"note"`.
    pub level: &'static str,
    /// The suggestion's span, if any.
    pub spans: Vec<JsonSpan>,
    /// Always null for children, as in rustc.
    pub rendered: Option<String>,
}

fn span_json(
    sources: &SourceMap,
    span: Span,
    is_primary: bool,
    label: &str,
    suggestion: Option<(&str, &'static str)>,
) -> JsonSpan {
    let file = sources.get(span.file);
    let start = file.line_column(span.start);
    let end = file.line_column(span.end);
    // A span on a line too long to print has no text, as in the human
    // rendering.
    let text = if render::too_long_to_show(sources, span).is_some() {
        Vec::new()
    } else {
        (start.line..=end.line)
            .map(|line| JsonSpanLine {
                text: file.line_text(line).to_string(),
                highlight_start: if line == start.line { start.column } else { 1 },
                highlight_end: if line == end.line {
                    end.column
                } else {
                    file.line_text(line).chars().count() + 1
                },
            })
            .collect()
    };
    JsonSpan {
        file_name: file.name.clone(),
        byte_start: span.start,
        byte_end: span.end,
        line_start: start.line,
        line_end: end.line,
        column_start: start.column,
        column_end: end.column,
        is_primary,
        label: (!label.is_empty()).then(|| label.to_string()),
        suggested_replacement: suggestion.map(|(r, _)| r.to_string()),
        suggestion_applicability: suggestion.map(|(_, a)| a),
        text,
    }
}

/// Converts one diagnostic to rustc's JSON shape.
pub fn to_json(diagnostic: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
    to_json_with(
        diagnostic,
        sources,
        &mut render::Renderer::new(sources, render::ColorChoice::Never),
    )
}

fn to_json_with(
    diagnostic: &Diagnostic,
    sources: &SourceMap,
    renderer: &mut render::Renderer<'_>,
) -> JsonDiagnostic {
    let mut spans = vec![span_json(
        sources,
        diagnostic.primary.span,
        true,
        &diagnostic.primary.message,
        None,
    )];
    spans.extend(
        diagnostic
            .secondary
            .iter()
            .map(|l| span_json(sources, l.span, false, &l.message, None)),
    );
    let mut children: Vec<JsonChild> = diagnostic
        .notes
        .iter()
        .map(|note| JsonChild {
            message: note.clone(),
            code: None,
            level: "note",
            spans: Vec::new(),
            rendered: None,
        })
        .collect();
    children.extend(diagnostic.helps.iter().map(|help| {
        JsonChild {
            message: help.message.clone(),
            code: None,
            level: "help",
            spans: help
                .suggestion
                .iter()
                .map(|s| {
                    span_json(
                        sources,
                        s.span,
                        true,
                        "",
                        Some((&s.replacement, s.applicability.as_str())),
                    )
                })
                .collect(),
            rendered: None,
        }
    }));
    JsonDiagnostic {
        message_type: "diagnostic",
        message: diagnostic.message.clone(),
        code: JsonCode {
            code: diagnostic.code.to_string(),
            explanation: super::codes::lookup(&diagnostic.code.to_string())
                .map(|info| info.explanation),
        },
        level: match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        spans,
        children,
        rendered: renderer.render(diagnostic),
    }
}

/// One JSON object per line, as rustc prints them.
pub fn to_json_lines(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut renderer = render::Renderer::new(sources, render::ColorChoice::Never);
    let mut out = String::new();
    for diagnostic in diagnostics {
        // Serialising plain data to a String cannot fail.
        if let Ok(line) = serde_json::to_string(&to_json_with(diagnostic, sources, &mut renderer)) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::codes;
    use crate::source::{SourceFile, Span};

    #[test]
    fn a_span_on_a_line_too_long_to_show_has_no_text() {
        let long = format!("{}\n", "x".repeat(render::LONGEST_SHOWN_LINE + 1));
        let mut sources = SourceMap::new();
        let file = sources.add(SourceFile::new("t.pt", format!("short = 1\n{long}")));
        let on = |start: usize| {
            let d = Diagnostic::error(codes::SYNTAX, Span::new(file, start, start + 1), "here");
            to_json(&d, &sources).spans.remove(0)
        };
        let short = on(0);
        assert_eq!(short.text.len(), 1);
        assert_eq!(short.text[0].text, "short = 1");
        let long_span = on(12);
        assert!(long_span.text.is_empty());
        assert_eq!((long_span.line_start, long_span.column_start), (2, 3));
    }
}
