//! Human rendering of diagnostics with ariadne: source snippets, labels,
//! `help:` and `note:` lines, coloured or plain.

use super::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap};
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};

/// Whether rendered output carries ANSI colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    /// Coloured output, for terminals.
    Always,
    /// Plain text, for files, pipes and snapshots.
    Never,
}

/// Renders one diagnostic as a source-annotated report.
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap, color: ColorChoice) -> String {
    let name = |id: FileId| sources.get(id).name.clone();
    let span = diagnostic.primary.span;
    let kind = match diagnostic.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let accent = match diagnostic.severity {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
    };
    let config = Config::default()
        .with_color(color == ColorChoice::Always)
        .with_index_type(IndexType::Byte);
    let mut report = Report::build(kind, (name(span.file), span.range()))
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message)
        .with_config(config)
        .with_label(
            Label::new((name(span.file), span.range()))
                .with_message(&diagnostic.primary.message)
                .with_color(accent)
                .with_priority(1),
        );
    for label in &diagnostic.secondary {
        report.add_label(
            Label::new((name(label.span.file), label.span.range()))
                .with_message(&label.message)
                .with_color(Color::Blue),
        );
    }
    for help in &diagnostic.helps {
        let text = match &help.suggestion {
            Some(s)
                if !s.replacement.is_empty()
                    && !s.replacement.contains('\n')
                    && s.replacement.len() <= 60
                    && !help.message.contains('`') =>
            {
                format!("{}: `{}`", help.message, s.replacement)
            }
            _ => help.message.clone(),
        };
        report.add_help(text);
    }
    for note in &diagnostic.notes {
        report.add_note(note);
    }
    report.add_note(format!(
        "run `plc explain {}` for a longer explanation",
        diagnostic.code
    ));
    let cache = ariadne::sources(
        sources
            .iter()
            .map(|(_, file)| (file.name.clone(), file.text.clone())),
    );
    let mut out = Vec::new();
    // Writing into a Vec cannot fail; a failure would only lose this report.
    let _ = report.finish().write(cache, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Renders every diagnostic, one after the other, and a closing summary line.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap, color: ColorChoice) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render(diagnostic, sources, color));
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if errors > 0 || warnings > 0 {
        out.push_str(&summary(errors, warnings));
        out.push('\n');
    }
    out
}

fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    match (errors, warnings) {
        (0, w) => format!("{} emitted", plural(w, "warning")),
        (e, 0) => format!("{} emitted", plural(e, "error")),
        (e, w) => format!(
            "{} and {} emitted",
            plural(e, "error"),
            plural(w, "warning")
        ),
    }
}
