//! Rustc's messages about generated Rust, shown at the `.pt` statements
//! that produced it. A generated file is recognised by the origins file
//! the build wrote beside it; everything else passes through as rustc
//! rendered it.

use cargo_metadata::diagnostic::{Diagnostic as RustcDiagnostic, DiagnosticLevel, DiagnosticSpan};
use parseltongue_build::generated::read_origins;
use parseltongue_core::diagnostics::render::{self, ColorChoice, ForeignReport};
use parseltongue_core::diagnostics::{Label, Severity};
use parseltongue_core::lower::LineOrigins;
use parseltongue_core::source::{FileId, SourceFile, SourceMap, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Origins of the generated files seen so far, and the `.pt` sources they
/// point into, loaded once.
pub struct Mapper {
    workspace_root: PathBuf,
    /// Each generated file's `.pt` files (as source-map ids) and line runs.
    generated: HashMap<PathBuf, Option<(Vec<FileId>, LineOrigins)>>,
    /// The `.pt` sources, shown by paths relative to the current folder.
    sources: SourceMap,
    source_ids: HashMap<PathBuf, FileId>,
    /// `.pt` files under this folder are named relative to it.
    display_root: Option<PathBuf>,
}

impl Mapper {
    /// A mapper for spans relative to `workspace_root` (as Cargo reports them).
    pub fn new(workspace_root: &Path) -> Self {
        Mapper {
            workspace_root: workspace_root.to_path_buf(),
            generated: HashMap::new(),
            sources: SourceMap::new(),
            source_ids: HashMap::new(),
            display_root: None,
        }
    }

    /// Names `.pt` files under `root` relative to it (a program the MCP
    /// server wrote to a scratch folder is shown as `main.pt`).
    pub fn with_display_root(mut self, root: &Path) -> Self {
        self.display_root = Some(root.to_path_buf());
        self
    }

    fn absolute(&self, file_name: &str) -> PathBuf {
        let path = Path::new(file_name);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.workspace_root.join(path)
        }
    }

    fn source_id(&mut self, path: &Path) -> Option<FileId> {
        if let Some(id) = self.source_ids.get(path) {
            return Some(*id);
        }
        let text = std::fs::read_to_string(path).ok()?;
        let name = self
            .display_root
            .as_ref()
            .and_then(|root| path.strip_prefix(root).ok())
            .map_or_else(|| shown_path(path), |p| p.display().to_string());
        let id = self.sources.add(SourceFile::new(name, text));
        self.source_ids.insert(path.to_path_buf(), id);
        Some(id)
    }

    /// The `.pt` span that line `line` of generated file `file_name` came
    /// from, if `file_name` is a generated file.
    pub fn origin(&mut self, file_name: &str, line: u32) -> Option<Span> {
        let path = self.absolute(file_name);
        if !self.generated.contains_key(&path) {
            let entry = read_origins(&path).and_then(|(files, origins)| {
                let ids = files
                    .iter()
                    .map(|f| self.source_id(f))
                    .collect::<Option<Vec<_>>>()?;
                Some((ids, origins))
            });
            self.generated.insert(path.clone(), entry);
        }
        let (ids, origins) = self.generated.get(&path)?.as_ref()?;
        let span = origins.origin_of(line)?;
        let file = *ids.get(span.file.0 as usize)?;
        Some(Span { file, ..span })
    }

    /// `FILE:LINE:COLUMN` of the `.pt` statement behind a generated line.
    pub fn location(&mut self, file_name: &str, line: u32) -> Option<String> {
        let span = self.origin(file_name, line)?;
        let file = self.sources.get(span.file);
        let at = file.line_column(span.start);
        Some(format!("{}:{}:{}", file.name, at.line, at.column))
    }

    /// The place in `.pt` source that `span` (or the macro call it was
    /// expanded from) stands for.
    fn mapped_span(&mut self, span: &DiagnosticSpan) -> Option<Span> {
        let mut current = Some(span);
        while let Some(s) = current {
            if let Some(mapped) = self.origin(&s.file_name, s.line_start as u32) {
                return Some(mapped);
            }
            current = s.expansion.as_ref().map(|e| &e.span);
        }
        None
    }

    /// Renders a rustc diagnostic: at the `.pt` source if its primary span
    /// is in generated code, else as rustc rendered it.
    pub fn render(&mut self, diagnostic: &RustcDiagnostic, color: ColorChoice) -> String {
        let severity = match diagnostic.level {
            DiagnosticLevel::Error | DiagnosticLevel::Ice => Severity::Error,
            _ => Severity::Warning,
        };
        let as_rustc_rendered = || {
            diagnostic
                .rendered
                .clone()
                .unwrap_or_else(|| format!("{}\n", diagnostic.message))
        };
        let Some(primary) = diagnostic
            .spans
            .iter()
            .find(|s| s.is_primary)
            .or(diagnostic.spans.first())
        else {
            return as_rustc_rendered();
        };
        let Some(primary_span) = self.mapped_span(primary) else {
            return as_rustc_rendered();
        };
        // rustc leaves many spans without a label; one with no text would
        // be drawn as an arrow pointing at nothing. The primary says what
        // the `.pt` place stands for; unlabelled secondary places, which
        // only underline generated code, are left out.
        let label_text = |span: &DiagnosticSpan| {
            span.label
                .as_ref()
                .filter(|label| !label.trim().is_empty())
                .cloned()
        };
        let mut labels = vec![Label {
            span: primary_span,
            message: label_text(primary)
                .unwrap_or_else(|| "in the Rust generated from this".to_string()),
        }];
        for span in diagnostic
            .spans
            .iter()
            .filter(|s| !std::ptr::eq(*s, primary))
        {
            let Some(message) = label_text(span) else {
                continue;
            };
            if let Some(mapped) = self.mapped_span(span) {
                if labels.iter().all(|l| l.span != mapped) {
                    labels.push(Label {
                        span: mapped,
                        message,
                    });
                }
            }
        }
        let mut notes = Vec::new();
        let mut helps = Vec::new();
        for child in &diagnostic.children {
            match child.level {
                DiagnosticLevel::Help => helps.push(child.message.clone()),
                _ => notes.push(child.message.clone()),
            }
        }
        notes.push(format!(
            "rustc found this in the generated Rust, at line {}, column {} of what `plc emit` prints",
            primary.line_start, primary.column_start
        ));
        // A program that `plc check` accepts must compile: unless it
        // declares Rust items (whose signatures are the author's to get
        // right), rustc's complaint is the compiler's bug, not the user's.
        if self.declares_rust_items() {
            helps.push(
                "if this comes from a `rust_function` or `rust_type`, check its signature against the Rust definition; otherwise it is a bug in the Parseltongue compiler".to_string(),
            );
        } else {
            notes.insert(
                0,
                "this is a bug in the Parseltongue compiler, not in your program: a program that `plc check` accepts should always compile. Please report it with the `.pt` files and what `plc emit` prints".to_string(),
            );
        }
        let code = diagnostic.code.as_ref().map(|c| c.code.clone());
        if let Some(code) = code.as_ref().filter(|c| c.starts_with('E')) {
            notes.push(format!(
                "run `rustc --explain {code}` for a longer explanation"
            ));
        }
        let report = ForeignReport {
            severity,
            code,
            message: diagnostic.message.clone(),
            labels,
            notes,
            helps,
        };
        render::render_foreign(&report, &self.sources, color)
    }

    /// Whether the program declares Rust items (`rust_function`,
    /// `rust_type`).
    fn declares_rust_items(&self) -> bool {
        self.sources.iter().any(|(_, source)| {
            source.text.contains("rust_function") || source.text.contains("rust_type")
        })
    }

    /// Replaces every `GENERATED.rs:LINE:COLUMN` in `text` (a panic
    /// location, a test failure) with the `.pt` location it came from.
    pub fn rewrite_locations(&mut self, text: &str, generated: &[PathBuf]) -> String {
        let mut out = text.to_string();
        for file in generated {
            let name = file.display().to_string();
            let mut searched = 0;
            while let Some(found) = out[searched..].find(&name) {
                let start = searched + found;
                let after = start + name.len();
                let rest = &out[after..];
                let line: String = rest
                    .strip_prefix(':')
                    .map(|r| r.chars().take_while(char::is_ascii_digit).collect())
                    .unwrap_or_default();
                let mut end = after + 1 + line.len();
                let column_digits = out
                    .get(end..)
                    .and_then(|r| r.strip_prefix(':'))
                    .map(|r| r.chars().take_while(char::is_ascii_digit).count())
                    .unwrap_or(0);
                if column_digits > 0 {
                    end += 1 + column_digits;
                }
                match line
                    .parse::<u32>()
                    .ok()
                    .and_then(|l| self.location(&name, l))
                {
                    Some(location) => {
                        out.replace_range(start..end, &location);
                        searched = start + location.len();
                    }
                    None => searched = after,
                }
            }
        }
        out
    }
}

/// rustc's closing lines ("aborting due to…", "for more information…"),
/// which plc replaces with one summary line of its own.
pub fn is_closing_note(diagnostic: &RustcDiagnostic) -> bool {
    diagnostic.spans.is_empty() && diagnostic.level == DiagnosticLevel::FailureNote
        || diagnostic.message.starts_with("aborting due to")
}

/// A path as shown to the user: relative to the current folder when it is
/// inside it.
pub fn shown_path(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}
