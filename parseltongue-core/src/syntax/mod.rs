//! The front end: text → tokens → syntax tree.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod rust_habits;
pub mod rust_tokens;
pub mod token;

use crate::diagnostics::{codes, Diagnostic, Diagnostics};
use crate::source::FileId;
use std::ops::Range;

/// Lexes, rewrites Rust habits and parses one file.
pub fn parse_file(
    text: &str,
    file: FileId,
    diagnostics: &mut Diagnostics,
) -> (ast::Module, lexer::Lexed) {
    let syntax_error = match read_clean(text, file) {
        Ok(clean) => return clean,
        Err(NotClean::SyntaxError) => true,
        Err(NotClean::Other) => false,
    };
    let mut found = Diagnostics::with_limit(MAX_SYNTAX_ERRORS);
    let (module, lexed) = parse_describing_errors(text, file, syntax_error, &mut found);
    let summary = found
        .left_out()
        .map(|(first, count)| left_out_summary(first, count));
    diagnostics.extend(found);
    if let Some(summary) = summary {
        diagnostics.push(summary);
    }
    (module, lexed)
}

/// The careful path of [`parse_file`]: every problem gets its diagnostic.
fn parse_describing_errors(
    text: &str,
    file: FileId,
    syntax_error: bool,
    diagnostics: &mut Diagnostics,
) -> (ast::Module, lexer::Lexed) {
    let mut lexed = lexer::lex(text, file, diagnostics);
    rust_habits::rewrite(&mut lexed.tokens, text, file, diagnostics);
    if !syntax_error {
        // The problem lies elsewhere (or in how the file was split): the
        // tokens may still parse without one.
        if let Some(items) = parser::parse_clean(&lexed.tokens, text, file) {
            return (ast::Module { file, items }, lexed);
        }
    }
    // A token the lexer or the habit pass already reported is not reported
    // again as a syntax error.
    let mut reported: rustc_hash::FxHashSet<u32> = diagnostics
        .iter()
        .filter(|d| d.primary.span.file == file)
        .map(|d| d.primary.span.start)
        .collect();
    // Closers the lexer inserted for unbalanced delimiters were reported too.
    reported.extend(
        lexed
            .tokens
            .iter()
            .filter(|t| t.start == t.end)
            .map(|t| t.start),
    );
    let module = parser::parse(&lexed.tokens, text, file, &reported, diagnostics);
    (module, lexed)
}

/// The error that stands for the syntax errors past the limit.
fn left_out_summary(first: &Diagnostic, count: usize) -> Diagnostic {
    Diagnostic::error(
        codes::SYNTAX,
        first.primary.span,
        format!("{count} more syntax errors are not shown"),
    )
    .with_label("the first of them is here")
    .with_note(format!(
        "a file shows at most {MAX_SYNTAX_ERRORS} syntax errors: fix those first, \
         as what follows them is often their consequence"
    ))
}

/// Syntax errors shown for one file at most. Past this many, the rest are
/// mostly echoes of the first, and a broken file of any size still gets a
/// report (and an editor's diagnostics list) of a readable length.
pub const MAX_SYNTAX_ERRORS: usize = 100;

/// Below this much text per thread, a second thread costs more than it
/// saves (about 2,000 lines of typical code).
const MIN_BYTES_PER_THREAD: usize = 64 * 1024;

/// Why [`read_clean`] gave up.
enum NotClean {
    /// The whole file, read as one run, has a syntax error: only the
    /// careful parse is left to do.
    SyntaxError,
    /// A lexer or habit diagnostic, or a syntax error in a run of a split
    /// file (which may come from the split).
    Other,
}

/// The fast path, for a file without a single problem (the common case
/// for a large file): runs of whole items are lexed, rewritten and parsed
/// on several threads, with errors that cost nothing to build. It gives up
/// at the first diagnostic of any kind; the caller then reads the whole
/// file again, one step after the other, to describe every problem.
///
/// A run read on its own gives the tokens and items the whole file would:
/// a run starts at a line where the file is between items, and anything
/// that crosses into the next run (a string, a comment, a delimiter, an
/// item) is a diagnostic within the run, which sends the file to the
/// careful path.
fn read_clean(text: &str, file: FileId) -> Result<(ast::Module, lexer::Lexed), NotClean> {
    let items = item_text_ranges(text);
    let runs = crate::parallel::map_runs(&items, Range::len, MIN_BYTES_PER_THREAD, |run| {
        let first = run.first().map_or(0, |r| r.start);
        let range = first..run.last().map_or(first, |r| r.end);
        let whole_file = range == (0..text.len());
        // Only whether there is a problem matters here, not what it is.
        let mut found = Diagnostics::with_limit(0);
        let mut lexed = lexer::lex_range(text, range, file, &mut found);
        if !found.is_empty() {
            return Err(NotClean::Other);
        }
        rust_habits::rewrite(&mut lexed.tokens, text, file, &mut found);
        if !found.is_empty() {
            return Err(NotClean::Other);
        }
        match parser::parse_clean(&lexed.tokens, text, file) {
            Some(items) => Ok((items, lexed)),
            None if whole_file => Err(NotClean::SyntaxError),
            None => Err(NotClean::Other),
        }
    });
    let mut runs = runs.into_iter().collect::<Result<Vec<_>, _>>()?.into_iter();
    let Some((mut items, mut lexed)) = runs.next() else {
        return Err(NotClean::Other);
    };
    for (run_items, run_lexed) in runs {
        items.extend(run_items);
        lexed.tokens.extend(run_lexed.tokens);
        lexed.comments.extend(run_lexed.comments);
    }
    Ok((ast::Module { file, items }, lexed))
}

/// The byte ranges of `text` that start where an item may: a line that
/// follows an empty line and begins, at its first column, with a comment
/// or a keyword that starts an item. Together they cover the whole text.
/// This is a guess from the layout that the formatter writes; where it is
/// wrong, the run that holds the mistake has a diagnostic (see
/// [`read_clean`]).
fn item_text_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    if text.len() < 2 * MIN_BYTES_PER_THREAD {
        ranges.push(0..text.len());
        return ranges;
    }
    let mut start = 0;
    for blank in memchr::memmem::find_iter(text.as_bytes(), b"\n\n") {
        // The first line after the blank ones.
        let line_start = blank
            + 1
            + text[blank + 1..]
                .bytes()
                .take_while(|&b| b == b'\n')
                .count();
        if line_start > start && starts_item(&text[line_start..]) {
            ranges.push(start..line_start);
            start = line_start;
        }
    }
    ranges.push(start..text.len());
    ranges
}

/// True if `line` (and what follows it) begins, at its first column, with
/// a comment or with a keyword that starts an item.
fn starts_item(line: &str) -> bool {
    if line.starts_with("//") {
        return true;
    }
    let word_end = line
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(line.len());
    matches!(
        lexer::classify_word(&line[..word_end]),
        token::TokenKind::Keyword(k) if k.starts_item()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_splits_only_before_items_that_follow_an_empty_line() {
        let block = "/// Docs.\nrecord R {\n    x: i64,\n}\n\n// A note.\nfunction f() {\n\n    g();\n}\n\n";
        let text = block.repeat(2 * MIN_BYTES_PER_THREAD / block.len() + 1);
        let ranges = item_text_ranges(&text);
        assert!(ranges.len() > 2);
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert_eq!(ranges.last().map(|r| r.end), Some(text.len()));
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end, pair[1].start, "the ranges cover the text");
            let at = &text[pair[1].start..];
            assert!(
                at.starts_with("/// Docs.") || at.starts_with("// A note."),
                "split before {:?}",
                &at[..20]
            );
        }
    }

    #[test]
    fn a_small_file_is_one_range() {
        let text = "function f() {\n}\n\nfunction g() {\n}\n";
        assert_eq!(
            item_text_ranges(text),
            vec![Range {
                start: 0,
                end: text.len()
            }]
        );
    }
}
