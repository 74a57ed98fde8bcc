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

/// Renders one diagnostic as a source-annotated report. To render many,
/// use one [`Renderer`]: it indexes each file's lines once.
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap, color: ColorChoice) -> String {
    Renderer::new(sources, color).render(diagnostic)
}

/// Renders reports against `sources`. A file's line table is built the
/// first time a report points into it and kept for the next reports, so
/// rendering many reports costs no more than their own lines.
pub struct Renderer<'s> {
    lines: LineTables<'s>,
    color: ColorChoice,
}

impl<'s> Renderer<'s> {
    /// A renderer for reports whose spans point into `sources`.
    pub fn new(sources: &'s SourceMap, color: ColorChoice) -> Self {
        Renderer {
            lines: LineTables {
                sources,
                tables: rustc_hash::FxHashMap::default(),
            },
            color,
        }
    }

    /// Renders one diagnostic as a source-annotated report.
    pub fn render(&mut self, diagnostic: &Diagnostic) -> String {
        render_with(diagnostic, &mut self.lines, self.color)
    }

    /// Renders a [`ForeignReport`].
    pub fn render_foreign(&mut self, report: &ForeignReport) -> String {
        render_foreign_with(report, &mut self.lines, self.color)
    }
}

/// The ariadne view of each file a report has pointed into, by name.
struct LineTables<'s> {
    sources: &'s SourceMap,
    tables: rustc_hash::FxHashMap<String, ariadne::Source<&'s str>>,
}

impl<'s> ariadne::Cache<String> for LineTables<'s> {
    type Storage = &'s str;

    fn fetch(&mut self, name: &String) -> Result<&ariadne::Source<&'s str>, impl std::fmt::Debug> {
        if !self.tables.contains_key(name) {
            // The last file of a name, as a map built from every file would keep.
            let Some((_, file)) = self
                .sources
                .iter()
                .filter(|(_, file)| &file.name == name)
                .last()
            else {
                return Err(format!("no file named `{name}`"));
            };
            self.tables
                .insert(name.clone(), ariadne::Source::from(file.text.as_str()));
        }
        self.tables
            .get(name)
            .ok_or_else(|| format!("no file named `{name}`"))
    }

    fn display<'a>(&self, name: &'a String) -> Option<impl std::fmt::Display + 'a> {
        Some(name)
    }
}

fn render_with(diagnostic: &Diagnostic, lines: &mut LineTables<'_>, color: ColorChoice) -> String {
    let sources = lines.sources;
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
        .with_config(config);
    let places: Vec<(crate::source::Span, &str)> =
        std::iter::once((span, diagnostic.primary.message.as_str()))
            .chain(
                diagnostic
                    .secondary
                    .iter()
                    .map(|l| (l.span, l.message.as_str())),
            )
            .collect();
    if places
        .iter()
        .any(|&(s, _)| too_long_to_show(sources, s).is_some())
    {
        let helps = diagnostic.helps.iter().map(help_text);
        let notes = diagnostic
            .notes
            .iter()
            .cloned()
            .chain(std::iter::once(explain_note(diagnostic.code)));
        return without_text(report, &places, helps, notes, lines);
    }
    // Labels in the order they appear in their file: out of order, ariadne
    // starts a new group for the same file, under a header that repeats the
    // primary location.
    // The primary's file comes first; other files follow.
    let in_file_order = |place: crate::source::Span| {
        let other_file = if place.file == span.file { 0 } else { 1 << 30 };
        i32::try_from(place.start.min((1 << 30) - 1) + other_file).unwrap_or(i32::MAX)
    };
    report.add_label(
        Label::new((name(span.file), span.range()))
            .with_message(&diagnostic.primary.message)
            .with_color(accent)
            .with_priority(1)
            .with_order(in_file_order(span)),
    );
    for label in &diagnostic.secondary {
        report.add_label(
            Label::new((name(label.span.file), label.span.range()))
                .with_message(&label.message)
                .with_color(Color::Blue)
                .with_order(in_file_order(label.span)),
        );
    }
    for help in &diagnostic.helps {
        report.add_help(help_text(help));
    }
    for note in &diagnostic.notes {
        report.add_note(note);
    }
    report.add_note(explain_note(diagnostic.code));
    write_report(report, lines)
}

/// A report from another tool about a Parseltongue program, such as an
/// error rustc found in generated Rust, mapped back to the `.pt` statement
/// that produced it. Rendered like Parseltongue's own diagnostics.
#[derive(Clone, Debug)]
pub struct ForeignReport {
    /// Error or warning.
    pub severity: Severity,
    /// The other tool's code, e.g. `E0308`.
    pub code: Option<String>,
    /// The headline.
    pub message: String,
    /// The primary place first, then secondary ones.
    pub labels: Vec<super::Label>,
    /// `note:` lines.
    pub notes: Vec<String>,
    /// `help:` lines.
    pub helps: Vec<String>,
}

/// Renders a [`ForeignReport`] whose spans point into `sources`.
pub fn render_foreign(report: &ForeignReport, sources: &SourceMap, color: ColorChoice) -> String {
    Renderer::new(sources, color).render_foreign(report)
}

fn render_foreign_with(
    report: &ForeignReport,
    lines: &mut LineTables<'_>,
    color: ColorChoice,
) -> String {
    let sources = lines.sources;
    let name = |id: FileId| sources.get(id).name.clone();
    let (kind, accent) = match report.severity {
        Severity::Error => (ReportKind::Error, Color::Red),
        Severity::Warning => (ReportKind::Warning, Color::Yellow),
    };
    // ariadne draws a label without text as an arrow pointing at nothing:
    // an unlabelled primary place gets a plain label, and other unlabelled
    // places are left out.
    let labels: Vec<super::Label> = report
        .labels
        .iter()
        .enumerate()
        .filter_map(|(i, label)| match (i, label.message.trim().is_empty()) {
            (_, false) => Some(label.clone()),
            (0, true) => Some(super::Label {
                span: label.span,
                message: UNLABELLED_FOREIGN_PRIMARY.to_string(),
            }),
            _ => None,
        })
        .collect();
    let Some(primary) = labels.first() else {
        return String::new();
    };
    let config = Config::default()
        .with_color(color == ColorChoice::Always)
        .with_index_type(IndexType::Byte);
    let mut builder = Report::build(kind, (name(primary.span.file), primary.span.range()))
        .with_message(&report.message)
        .with_config(config);
    if let Some(code) = &report.code {
        builder = builder.with_code(code);
    }
    let places: Vec<(crate::source::Span, &str)> = labels
        .iter()
        .map(|l| (l.span, l.message.as_str()))
        .collect();
    if places
        .iter()
        .any(|&(s, _)| too_long_to_show(sources, s).is_some())
    {
        return without_text(
            builder,
            &places,
            report.helps.iter().cloned(),
            report.notes.iter().cloned(),
            lines,
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let colour = if i == 0 { accent } else { Color::Blue };
        builder.add_label(
            Label::new((name(label.span.file), label.span.range()))
                .with_message(&label.message)
                .with_color(colour)
                .with_priority(if i == 0 { 1 } else { 0 }),
        );
    }
    for help in &report.helps {
        builder.add_help(help);
    }
    for note in &report.notes {
        builder.add_note(note);
    }
    write_report(builder, lines)
}

/// The label of a [`ForeignReport`]'s primary place when the other tool
/// gave it no text.
const UNLABELLED_FOREIGN_PRIMARY: &str = "reported here";

/// Lines longer than this are not printed under a report: a line of
/// generated or minified code could be megabytes long, and every report
/// on it would print all of it.
pub(super) const LONGEST_SHOWN_LINE: usize = 4096;

/// The length of the longest line that `span` touches, if it is too long
/// to print. A span that ends just after a line break does not touch the
/// line that follows.
pub(super) fn too_long_to_show(sources: &SourceMap, span: crate::source::Span) -> Option<usize> {
    let file = sources.get(span.file);
    let last_byte = if span.end > span.start {
        span.end - 1
    } else {
        span.start
    };
    (file.line(span.start)..=file.line(last_byte))
        .map(|line| file.line_text(line).len())
        .max()
        .filter(|&longest| longest > LONGEST_SHOWN_LINE)
}

/// A report whose lines are too long to print: the header, then where
/// each label points and the help and notes, one per line.
fn without_text(
    report: ariadne::ReportBuilder<'_, (String, std::ops::Range<usize>)>,
    places: &[(crate::source::Span, &str)],
    helps: impl Iterator<Item = String>,
    notes: impl Iterator<Item = String>,
    lines: &mut LineTables<'_>,
) -> String {
    let sources = lines.sources;
    let mut out = write_report(report, lines);
    for &(span, message) in places {
        let file = sources.get(span.file);
        let at = file.line_column(span.start);
        out.push_str(&format!("  --> {}:{}:{}", file.name, at.line, at.column));
        if !message.is_empty() {
            out.push_str(&format!(": {message}"));
        }
        if let Some(length) = too_long_to_show(sources, span) {
            out.push_str(&format!(
                " (the line is {length} bytes long, too long to show)"
            ));
        }
        out.push('\n');
    }
    for help in helps {
        out.push_str(&format!("   = help: {help}\n"));
    }
    for note in notes {
        out.push_str(&format!("   = note: {note}\n"));
    }
    out
}

fn help_text(help: &super::Help) -> String {
    match &help.suggestion {
        Some(s)
            if !s.replacement.is_empty()
                && !s.replacement.contains('\n')
                && s.replacement.len() <= 60
                && !help.message.contains('`') =>
        {
            format!("{}: `{}`", help.message, s.replacement)
        }
        _ => help.message.clone(),
    }
}

fn explain_note(code: super::Code) -> String {
    format!("run `plc explain {code}` for a longer explanation")
}

fn write_report(
    report: ariadne::ReportBuilder<'_, (String, std::ops::Range<usize>)>,
    lines: &mut LineTables<'_>,
) -> String {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail; a failure would only lose this report.
    let _ = report.finish().write(lines, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Renders every diagnostic, one after the other, and a closing summary line.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap, color: ColorChoice) -> String {
    let mut renderer = Renderer::new(sources, color);
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&renderer.render(diagnostic));
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if errors > 0 || warnings > 0 {
        out.push_str(&summary(errors, warnings));
        out.push('\n');
    }
    out
}

/// The closing line of a batch of reports, e.g. `2 errors and 1 warning emitted`.
pub fn summary(errors: usize, warnings: usize) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::codes;
    use crate::source::{SourceFile, Span};

    #[test]
    fn one_renderer_for_many_reports_renders_each_as_on_its_own() {
        let mut sources = SourceMap::new();
        let main = sources.add(SourceFile::new(
            "main.pt",
            "function main() {\n    f();\n}\n",
        ));
        let shapes = sources.add(SourceFile::new("shapes.pt", "constant X: i64 = 1;\n"));
        let diagnostics = [
            Diagnostic::error(codes::SYNTAX, Span::new(main, 22, 23), "in the first file"),
            Diagnostic::warning(
                codes::UNUSED_ITEM,
                Span::new(shapes, 9, 10),
                "in the second file",
            ),
            Diagnostic::error(codes::SYNTAX, Span::new(main, 0, 8), "in the first again"),
        ];
        let together = render_all(&diagnostics, &sources, ColorChoice::Never);
        let mut apart: String = diagnostics
            .iter()
            .map(|d| render(d, &sources, ColorChoice::Never))
            .collect();
        apart.push_str(&summary(2, 1));
        apart.push('\n');
        assert_eq!(together, apart);
        assert!(together.contains("shapes.pt:1:10"), "{together}");
        assert!(together.contains("main.pt:2:5"), "{together}");
    }

    #[test]
    fn a_line_too_long_to_show_is_named_but_not_printed() {
        let long_line = format!("function main() {{ {}}}\n", "let_var x = 1; ".repeat(300));
        let mut sources = SourceMap::new();
        let file = sources.add(SourceFile::new("long.pt", long_line.clone()));
        let at = long_line.rfind("x = 1").expect("a binding");
        let diagnostic = Diagnostic::warning(
            codes::UNUSED_BINDING,
            Span::new(file, at, at + 1),
            "binding `x` is never used",
        )
        .with_help("prefix it with an underscore");
        let text = render(&diagnostic, &sources, ColorChoice::Never);
        assert!(!text.contains("let_var x = 1; let_var"), "{text}");
        assert!(
            text.contains(&format!(
                "long.pt:1:{} (the line is {} bytes long, too long to show)",
                at + 1,
                long_line.len() - 1
            )),
            "{text}"
        );
        assert!(
            text.contains("help: prefix it with an underscore"),
            "{text}"
        );
        assert!(text.contains("plc explain PT0501"), "{text}");
    }

    #[test]
    fn a_foreign_report_never_draws_an_arrow_without_text() {
        let mut sources = SourceMap::new();
        let file = sources.add(SourceFile::new(
            "main.pt",
            "function main() {\n    let_var x = 1;\n    print_line(\"{}\", x);\n}\n",
        ));
        let unlabelled = |start: usize, end: usize| super::super::Label {
            span: Span::new(file, start, end),
            message: String::new(),
        };
        let report = ForeignReport {
            severity: Severity::Error,
            code: Some("E0308".to_string()),
            message: "mismatched types".to_string(),
            labels: vec![
                unlabelled(22, 36),
                unlabelled(41, 62),
                super::super::Label {
                    span: Span::new(file, 30, 31),
                    message: "declared here".to_string(),
                },
            ],
            notes: Vec::new(),
            helps: Vec::new(),
        };
        let text = render_foreign(&report, &sources, ColorChoice::Never);
        assert!(text.contains("reported here"), "{text}");
        assert!(text.contains("declared here"), "{text}");
        assert!(
            !text
                .lines()
                .any(|line| line.trim_end().ends_with('─') && line.contains('╰')),
            "{text}"
        );
        assert!(!text.contains("print_line"), "{text}");
    }

    #[test]
    fn only_the_long_line_is_hidden_and_only_its_label_says_so() {
        let long_line = format!("function main() {{ {}}}\n", "let_var x = 1; ".repeat(300));
        let text = format!("constant A: i64 = 1;\n{long_line}");
        let mut sources = SourceMap::new();
        let file = sources.add(SourceFile::new("mixed.pt", text.clone()));
        let first_line_end = text.find('\n').expect("two lines") + 1;
        // A span that ends just after the first line's break does not
        // touch the long line.
        let short = Diagnostic::error(
            codes::SYNTAX,
            Span::new(file, 0, first_line_end),
            "the short line",
        );
        let shown = render(&short, &sources, ColorChoice::Never);
        assert!(shown.contains("constant A: i64 = 1;"), "{shown}");
        assert!(!shown.contains("too long to show"), "{shown}");
        let at = text.rfind("x = 1").expect("a binding");
        let both = Diagnostic::error(
            codes::SYNTAX,
            Span::new(file, at, at + 1),
            "on the long line",
        )
        .with_secondary(Span::new(file, 9, 10), "declared here");
        let hidden = render(&both, &sources, ColorChoice::Never);
        assert!(hidden.contains("too long to show"), "{hidden}");
        let secondary = hidden
            .lines()
            .find(|line| line.contains("declared here"))
            .expect("the secondary label");
        assert_eq!(secondary, "  --> mixed.pt:1:10: declared here");
    }
}
