//! Where each line of generated Rust came from.
//!
//! While lowering, every statement and item is preceded by a mark
//! statement, `__pt!(N);`, whose number indexes the `.pt` span it was
//! lowered from. Marks are ordinary tokens, so `syn` and `prettyplease`
//! keep them in place, and being whole statements they always print on a
//! line of their own without changing how the code around them is laid
//! out. After formatting, [`strip_marks`] removes those lines and records
//! which generated line each mark pointed at. The result lets a tool show
//! an error that rustc reports in generated code at the `.pt` statement
//! that produced it.

use crate::source::{FileId, Span};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The name of the mark macro; `__` names are reserved in Parseltongue,
/// so user code can never produce a line that looks like a mark.
const MARK: &str = "__pt!(";

/// The `.pt` spans that mark statements point at.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    spans: Vec<Span>,
}

impl Marks {
    /// A mark statement for `span`.
    pub(crate) fn mark(&mut self, span: Span) -> TokenStream {
        let index = Literal::usize_unsuffixed(self.spans.len());
        self.spans.push(span);
        quote!(__pt!(#index);)
    }

    /// A mark as a line of text, for sections assembled as text.
    pub(crate) fn mark_line(&mut self, span: Span) -> String {
        let line = format!("{MARK}{});", self.spans.len());
        self.spans.push(span);
        line
    }
}

/// For each generated line, the `.pt` span it came from: a sorted list of
/// (first generated line, span) runs, a run lasting until the next one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineOrigins {
    runs: Vec<(u32, Span)>,
}

/// Removes the mark lines from `text` and returns the clean text with the
/// origin of its lines.
pub(crate) fn strip_marks(text: &str, marks: &Marks) -> (String, LineOrigins) {
    let mut out = String::with_capacity(text.len());
    let mut runs = Vec::new();
    let mut pending = None;
    let mut line_number = 0u32;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(index) = trimmed
            .strip_prefix(MARK)
            .and_then(|rest| rest.strip_suffix(");"))
            .and_then(|n| n.parse::<usize>().ok())
        {
            pending = marks.spans.get(index).copied();
            continue;
        }
        line_number += 1;
        if let Some(span) = pending.take() {
            runs.push((line_number, span));
        }
        out.push_str(&without_inline_marks(line));
        out.push('\n');
    }
    (out, LineOrigins { runs })
}

/// A line without the marks that macro arguments keep inline
/// (prettyplease prints a macro's tokens as they are: `__pt ! (7) ;`).
fn without_inline_marks(line: &str) -> std::borrow::Cow<'_, str> {
    const INLINE: [&str; 2] = ["__pt ! (", "__pt!("];
    if !line.contains("__pt") {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut rest = line;
    let mut out = String::with_capacity(line.len());
    while let Some((at, prefix)) = INLINE
        .iter()
        .filter_map(|p| rest.find(p).map(|at| (at, *p)))
        .min_by_key(|(at, _)| *at)
    {
        let after = &rest[at + prefix.len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let tail = after[digits..].trim_start_matches(')').trim_start();
        let Some(tail) = tail.strip_prefix(';').filter(|_| digits > 0) else {
            out.push_str(&rest[..at + prefix.len()]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..at]);
        rest = tail.trim_start();
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

impl LineOrigins {
    /// The span that generated line `line` (1-based) came from, if any.
    pub fn origin_of(&self, line: u32) -> Option<Span> {
        let after = self.runs.partition_point(|(start, _)| *start <= line);
        after.checked_sub(1).map(|i| self.runs[i].1)
    }

    /// The text form, one run per line: `LINE FILE START END`, where FILE
    /// indexes the source map. Stored beside generated files so tools that
    /// only see the generated file (reading Cargo's messages) can map back.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (line, span) in &self.runs {
            out.push_str(&format!(
                "{line} {} {} {}\n",
                span.file.0, span.start, span.end
            ));
        }
        out
    }

    /// Reads the form written by [`LineOrigins::to_text`]; `None` if the
    /// text is not in that form.
    pub fn from_text(text: &str) -> Option<LineOrigins> {
        let mut runs = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let mut numbers = line.split(' ').map(str::parse::<u32>);
            let mut next = || numbers.next().and_then(Result::ok);
            let (generated, file, start, end) = (next()?, next()?, next()?, next()?);
            runs.push((
                generated,
                Span::new(FileId(file), start as usize, end as usize),
            ));
        }
        runs.windows(2)
            .all(|w| w[0].0 < w[1].0)
            .then_some(LineOrigins { runs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize) -> Span {
        Span::new(FileId(0), start, start + 1)
    }

    #[test]
    fn marks_are_removed_and_point_at_the_next_line() {
        let mut marks = Marks::default();
        let first = marks.mark_line(span(10));
        let second = marks.mark_line(span(20));
        let text = format!("fn f() {{\n    {first}\n    let x = 1;\n    {second}\n    g(x);\n}}\n");
        let (clean, origins) = strip_marks(&text, &marks);
        assert_eq!(clean, "fn f() {\n    let x = 1;\n    g(x);\n}\n");
        assert_eq!(origins.origin_of(1), None);
        assert_eq!(origins.origin_of(2), Some(span(10)));
        assert_eq!(origins.origin_of(3), Some(span(20)));
        assert_eq!(origins.origin_of(4), Some(span(20)));
        assert_eq!(LineOrigins::from_text(&origins.to_text()), Some(origins));
        assert_eq!(LineOrigins::from_text("1 2 x"), None);
    }

    #[test]
    fn marks_inside_macro_arguments_are_removed_too() {
        assert_eq!(
            without_inline_marks("println!(\"{}\", { __pt ! (12) ; let x = 1 ; __pt!(13); x });"),
            "println!(\"{}\", { let x = 1 ; x });"
        );
        assert_eq!(without_inline_marks("let __ptr = 1;"), "let __ptr = 1;");
    }
}
