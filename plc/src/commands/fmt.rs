//! `plc fmt`: the one canonical layout, written back or checked.

use super::{color, diagnostics_failed, Outcome};
use parseltongue_core::diagnostics::render;
use parseltongue_core::formatter::format_source;
use parseltongue_core::source::{SourceFile, SourceMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Every `.pt` file at `path`: the file itself, or the files under a
/// folder (skipping `target/` and hidden folders), sorted.
fn pt_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if !path.exists() {
        return Err(format!("`{}` does not exist", path.display()));
    }
    if path.is_file() {
        if path.extension().is_none_or(|e| e != "pt") {
            return Err(format!("`{}` is not a `.pt` file", path.display()));
        }
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut folders = vec![path.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("cannot list `{}`: {e}", folder.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    folders.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "pt") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `plc fmt`
pub fn fmt(path: &Path, check: bool) -> Outcome {
    let files = pt_files(path)?;
    if files.is_empty() {
        return Err(format!("no `.pt` files in `{}`", path.display()));
    }
    let (mut unformatted, mut broken, mut written) = (0, 0, 0);
    for file in &files {
        let bytes =
            std::fs::read(file).map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            format!(
                "`{}` is not valid UTF-8 (invalid byte at offset {}); save it as UTF-8",
                file.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        match format_source(&text) {
            Err(diagnostics) => {
                broken += 1;
                let mut sources = SourceMap::new();
                sources.add(SourceFile::new(file.display().to_string(), text));
                eprint!("{}", render::render_all(&diagnostics, &sources, color()));
                eprintln!(
                    "`{}` was not formatted: fix its syntax errors first",
                    file.display()
                );
            }
            Ok(formatted) if formatted == text => {}
            Ok(formatted) => {
                unformatted += 1;
                if check {
                    let name = file.display().to_string();
                    super::print_diff(&name, &format!("{name} (formatted)"), &text, &formatted, 2);
                } else {
                    std::fs::write(file, formatted)
                        .map_err(|e| format!("cannot write `{}`: {e}", file.display()))?;
                    written += 1;
                }
            }
        }
    }
    if check {
        if unformatted > 0 {
            eprintln!(
                "{unformatted} of {} file{} not formatted; run `plc fmt` to format",
                files.len(),
                if files.len() == 1 { " is" } else { "s are" }
            );
        }
    } else {
        eprintln!(
            "formatted {written} file{} ({} already formatted)",
            if written == 1 { "" } else { "s" },
            files.len() - written - broken
        );
    }
    Ok(if broken > 0 || (check && unformatted > 0) {
        diagnostics_failed()
    } else {
        ExitCode::SUCCESS
    })
}
