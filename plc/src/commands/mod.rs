//! The subcommands, one module per family, and what they share: where a
//! program is, how diagnostics are printed, how exit codes are chosen.

pub mod build;
pub mod check;
pub mod docs;
pub mod fix;
pub mod fmt;
pub mod new;
pub mod script;
pub mod snapshot;

use crate::Format;
use parseltongue_build::load::{load, Program};
use parseltongue_core::diagnostics::{json, render, Diagnostic};
use parseltongue_core::source::SourceMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The outcome of a command: an exit code, or an error line for exit code 2.
pub type Outcome = Result<ExitCode, String>;

/// Exit code 1: the program has errors (they were printed).
pub fn diagnostics_failed() -> ExitCode {
    ExitCode::from(1)
}

/// Coloured output on a terminal unless `NO_COLOR` is set.
pub fn color() -> render::ColorChoice {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if !no_color && std::io::stderr().is_terminal() {
        render::ColorChoice::Always
    } else {
        render::ColorChoice::Never
    }
}

/// Prints diagnostics: human reports on stderr, or JSON lines on stdout.
pub fn print_diagnostics(diagnostics: &[Diagnostic], sources: &SourceMap, format: Format) {
    match format {
        Format::Human => eprint!("{}", render::render_all(diagnostics, sources, color())),
        Format::Json => print!("{}", json::to_json_lines(diagnostics, sources)),
    }
}

/// True if any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// Where the program at `path` lives: a `.pt` file, a program folder, or
/// a Cargo package folder (whose program is in `src/`).
pub fn program_path(path: &Path) -> PathBuf {
    if path.is_dir() && path.join("Cargo.toml").is_file() {
        let src = path.join("src");
        if parseltongue_build::load::root_file(&src).is_some() {
            return src;
        }
    }
    path.to_path_buf()
}

/// Reads the program at `path` (see [`program_path`]), showing file names
/// relative to the current folder.
pub fn load_program(path: &Path) -> Result<Program, String> {
    Ok(load(&program_path(path))?)
}

/// Checks and lowers the program at `path`, printing its diagnostics.
/// `Ok(Err(code))` when it has errors.
pub fn compile(
    path: &Path,
) -> Result<Result<(Program, parseltongue_core::Compiled), ExitCode>, String> {
    let program = load_program(path)?;
    let compiled = parseltongue_core::compile(&program.sources)
        .map_err(|e| format!("internal compiler error, please report it: {e}"))?;
    print_diagnostics(&compiled.diagnostics, &program.sources, Format::Human);
    Ok(if compiled.rust.is_some() {
        Ok((program, compiled))
    } else {
        Err(diagnostics_failed())
    })
}

/// Turns a child process's exit status into ours.
pub fn exit_code_of(status: std::process::ExitStatus) -> ExitCode {
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::from(1),
    }
}

/// Prints a unified diff of `old` and `new` on stdout, with `context`
/// unchanged lines around each change and, if `separate`, an `@@` line
/// after each group.
pub fn print_diff(
    old_label: &str,
    new_label: &str,
    old: &str,
    new: &str,
    context: usize,
    separate: bool,
) {
    use similar::{ChangeTag, TextDiff};
    println!("--- {old_label}\n+++ {new_label}");
    let diff = TextDiff::from_lines(old, new);
    for group in diff.grouped_ops(context) {
        for op in group {
            for change in diff.iter_changes(&op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => "-",
                    ChangeTag::Insert => "+",
                    ChangeTag::Equal => " ",
                };
                print!("{sign}{change}");
                if change.missing_newline() {
                    println!();
                }
            }
        }
        if separate {
            println!("@@");
        }
    }
}
