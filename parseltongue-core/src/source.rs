//! Source files, byte spans and line/column lookup.
//!
//! The compiler never reads the file system: callers hand it [`SourceFile`]s
//! (from disk, from an editor buffer, from a macro invocation) in a
//! [`SourceMap`], and every span points into one of them by [`FileId`].

use std::fmt;

/// Index of a file inside a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A half-open byte range `start..end` inside one source file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span covering `start..end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span that covers both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The empty span at the start of `self`.
    pub fn shrink_to_start(self) -> Span {
        Span {
            end: self.start,
            ..self
        }
    }

    /// The empty span at the end of `self`.
    pub fn shrink_to_end(self) -> Span {
        Span {
            start: self.end,
            ..self
        }
    }

    /// The byte range as `usize`s.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}..{}", self.file.0, self.start, self.end)
    }
}

/// One source text with its name and a precomputed line index.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics and source markers, e.g. `src/main.pt`.
    pub name: String,
    /// The full text.
    pub text: String,
    line_starts: Vec<u32>,
    /// The text is all ASCII, so a byte column is a character column (and
    /// finding one does not count the characters before it).
    ascii: bool,
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineColumn {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl SourceFile {
    /// Wraps `text` under `name`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        SourceFile {
            name: name.into(),
            ascii: text.is_ascii(),
            text,
            line_starts,
        }
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn line_column(&self, offset: u32) -> LineColumn {
        let offset = offset.min(self.text.len() as u32);
        let line = self.line(offset);
        let start = self.line_starts[line - 1] as usize;
        let column = if self.ascii {
            (offset as usize).saturating_sub(start)
        } else {
            self.text
                .get(start..offset as usize)
                .map_or(0, |s| s.chars().count())
        };
        LineColumn {
            line,
            column: column + 1,
        }
    }

    /// The 1-based line of a byte offset (clamped to the text).
    pub fn line(&self, offset: u32) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset.min(self.text.len() as u32))
    }

    /// True if the text is all ASCII: every character is one byte (and
    /// one UTF-16 unit).
    pub fn is_ascii(&self) -> bool {
        self.ascii
    }

    /// The byte offset where 1-based `line` starts (the end of the text
    /// for a line past the last).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.wrapping_sub(1))
            .map_or(self.text.len(), |&start| start as usize)
    }

    /// The text of 1-based `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e as usize);
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }

    /// The module name this file defines: its file stem (`src/shapes.pt` → `shapes`).
    pub fn module_name(&self) -> &str {
        let base = self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name);
        base.strip_suffix(".pt").unwrap_or(base)
    }
}

/// All source files of one compilation.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    /// The file behind `id`.
    ///
    /// # Panics
    /// If `id` did not come from this map.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Every file with its id, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file has been added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_whether_or_not_the_text_is_ascii() {
        let ascii = SourceFile::new("a.pt", "ab\ncd = x\n");
        let accented = SourceFile::new("b.pt", "ab\n\u{e9}d = x\n");
        assert!(ascii.is_ascii());
        assert!(!accented.is_ascii());
        let column = |file: &SourceFile, offset: u32| file.line_column(offset);
        assert_eq!(column(&ascii, 8), LineColumn { line: 2, column: 6 });
        // `é` is two bytes and one character.
        assert_eq!(column(&accented, 9), LineColumn { line: 2, column: 6 });
        assert_eq!(column(&ascii, 3), LineColumn { line: 2, column: 1 });
        assert_eq!(ascii.line_start(2), 3);
        assert_eq!(ascii.line_start(99), ascii.text.len());
    }
}
