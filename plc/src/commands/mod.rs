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

/// What a command works on, found from the path it was given the way
/// Cargo finds its package: from the package folder, any folder inside
/// it, or a file of its program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A Cargo package whose program is in `program` (its `src/`).
    Package {
        /// The folder with `Cargo.toml`.
        root: PathBuf,
        /// Its program folder.
        program: PathBuf,
    },
    /// A `.pt` file or a program folder outside any package.
    Program(PathBuf),
}

impl Target {
    /// The `.pt` file or program folder to load.
    pub fn program(&self) -> &Path {
        match self {
            Target::Package { program, .. } | Target::Program(program) => program,
        }
    }
}

/// The target of `path`. A package counts when `path` is its folder, a
/// folder inside it that is not a program folder of its own (a test or
/// example program keeps its folder), or a file of its `src/`.
pub fn target(path: &Path) -> Target {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let start = if absolute.is_dir() {
        absolute.clone()
    } else {
        absolute
            .parent()
            .map_or_else(|| absolute.clone(), Path::to_path_buf)
    };
    let package = start
        .ancestors()
        .find(|dir| dir.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
        .filter(|root| parseltongue_build::load::root_file(&root.join("src")).is_some());
    let Some(root) = package else {
        return Target::Program(path.to_path_buf());
    };
    let src = root.join("src");
    let inside_src = start.starts_with(&src);
    let own_program = absolute.is_dir()
        && absolute != src
        && parseltongue_build::load::root_file(&absolute).is_some();
    let belongs = if absolute.is_dir() {
        !own_program
    } else {
        inside_src
    };
    if belongs {
        Target::Package {
            root: relative_to_current(&root),
            program: relative_to_current(&src),
        }
    } else {
        Target::Program(path.to_path_buf())
    }
}

/// `path` relative to the current folder where it is inside it, so
/// diagnostics show short paths.
fn relative_to_current(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|here| path.strip_prefix(&here).ok().map(Path::to_path_buf))
        .map_or_else(
            || path.to_path_buf(),
            |p| {
                if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p
                }
            },
        )
}

/// Reads the program of `path`'s target (see [`target`]), showing file
/// names relative to the current folder.
pub fn load_program(path: &Path) -> Result<Program, String> {
    Ok(load(target(path).program())?)
}

/// Checks and lowers the program at `path`, printing its diagnostics.
/// `Ok(Err(code))` when it has errors.
pub fn compile(
    path: &Path,
) -> Result<Result<(Program, parseltongue_core::Compiled), ExitCode>, String> {
    let program = load_program(path)?;
    let compiled = parseltongue_extensions::compile(&program.sources)
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

/// Prints a unified diff of `old` and `new` on stdout: `---`/`+++`
/// headers, then each change with `context` unchanged lines around it
/// under its own `@@ -line,count +line,count @@` header, as `diff -u`
/// and `git diff` print them.
pub fn print_diff(old_label: &str, new_label: &str, old: &str, new: &str, context: usize) {
    let diff = similar::TextDiff::from_lines(old, new);
    let unified = diff
        .unified_diff()
        .context_radius(context)
        .header(old_label, new_label)
        .to_string();
    print!("{unified}");
    if !unified.is_empty() && !unified.ends_with('\n') {
        // The last line had no newline of its own.
        println!();
    }
}
