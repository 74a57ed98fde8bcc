//! `plc run FILE.pt` and `plc test FILE.pt` (or a program folder without a
//! `Cargo.toml`): a script-sized program compiled straight with rustc, no
//! Cargo package. Panic and test-failure locations are shown at the `.pt`
//! lines, as in a package.

use super::{color, compile, diagnostics_failed, exit_code_of, Outcome};
use crate::report::Report;
use crate::rustc_messages::{is_closing_note, Mapper};
use cargo_metadata::diagnostic::{Diagnostic as RustcDiagnostic, DiagnosticLevel};
use parseltongue_build::generated::write_generated;
use parseltongue_build::load::Program;
use parseltongue_core::diagnostics::render;
use parseltongue_core::lower::LineOrigins;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// Where the program at `path` is built: named after it, and told apart
/// from programs of the same name elsewhere by a hash of where it is.
pub fn build_dir(name: &str, path: &Path) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("parseltongue"));
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    path.canonicalize()
        .unwrap_or_else(|_| path.to_path_buf())
        .hash(&mut hasher);
    base.join("plc-run")
        .join(format!("{name}-{:016x}", hasher.finish()))
}

/// A program compiled by rustc: its executable, and what maps the
/// generated file's locations back to `.pt` lines.
pub struct Compiled {
    /// The executable.
    pub binary: PathBuf,
    /// The generated Rust it was compiled from.
    pub source: PathBuf,
    /// Maps locations in `source` back to `.pt` lines.
    pub mapper: Mapper,
}

/// Lowers the program and compiles it with rustc (as a test harness for
/// `tests`) if it changed; `Err(code)` when it has errors.
fn compiled(path: &Path, release: bool, tests: bool) -> Result<Result<Compiled, ExitCode>, String> {
    let (program, compiled) = match compile(path)? {
        Ok(ok) => ok,
        Err(code) => return Ok(Err(code)),
    };
    let rust = compiled.rust.unwrap_or_default();
    let dir = build_dir(&program.name, path);
    let built = build_with_rustc(
        &program,
        &rust,
        &compiled.origins,
        &dir,
        Options { release, tests },
        None,
        &mut Report::terminal(),
    )?;
    Ok(built.ok_or_else(diagnostics_failed))
}

/// How a program is compiled by rustc.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// With optimisations.
    pub release: bool,
    /// As a libtest harness of its `test` blocks.
    pub tests: bool,
}

/// Compiles the lowered `rust` of `program` with rustc in `dir` (if it
/// changed since the last build there); rustc's messages, shown at the
/// `.pt` lines, go to `report`. `None` when rustc failed.
pub fn build_with_rustc(
    program: &Program,
    rust: &str,
    origins: &LineOrigins,
    dir: &Path,
    options: Options,
    display_root: Option<&Path>,
    report: &mut Report,
) -> Result<Option<Compiled>, String> {
    let (stem, kind) = if options.tests {
        ("tests", "test")
    } else {
        ("program", "run")
    };
    // The program and its test harness are built apart, so neither is
    // mistaken for up to date after the other was rebuilt.
    let dir = dir.join(kind);
    let source = dir.join("main.rs");
    let binary = dir.join(if cfg!(windows) {
        format!("{stem}.exe")
    } else {
        stem.to_string()
    });
    // Rewriting an unchanged file would make rustc rebuild for nothing.
    let changed = write_generated(&source, rust, origins, &program.paths)
        .map_err(|e| format!("cannot write `{}`: {e}", source.display()))?;
    let mut mapper = Mapper::new(&dir);
    if let Some(root) = display_root {
        mapper = mapper.with_display_root(root);
    }
    if changed || !binary.exists() {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
        let mut command = Command::new(&rustc);
        command
            .args(["--edition", "2021", "--crate-name", "program"])
            .args(["--error-format=json", "-o"])
            .arg(&binary)
            .arg(&source);
        if options.tests {
            command.arg("--test");
        }
        let runtime = parseltongue_build::runtime_crates::used_by(rust);
        if !runtime.is_empty() {
            command.args(parseltongue_build::runtime_crates::link_arguments_for(
                &runtime,
            )?);
        }
        if options.release {
            command.args(["-C", "opt-level=3"]);
        }
        let output = command
            .output()
            .map_err(|e| format!("cannot run `{rustc}` ({e}); install Rust from https://rustup.rs and make sure it is on PATH"))?;
        let color = if report.is_terminal() {
            color()
        } else {
            render::ColorChoice::Never
        };
        let mut errors = 0;
        for line in String::from_utf8_lossy(&output.stderr).lines() {
            match serde_json::from_str::<RustcDiagnostic>(line) {
                Ok(diagnostic) if is_closing_note(&diagnostic) => {}
                Ok(diagnostic) => {
                    if diagnostic.level == DiagnosticLevel::Error {
                        errors += 1;
                    }
                    if !diagnostic.spans.is_empty() || diagnostic.level == DiagnosticLevel::Error {
                        report.emit(&mapper.render(&diagnostic, color));
                    }
                }
                Err(_) => report.emit(&format!("{line}\n")),
            }
        }
        if !output.status.success() {
            let _ = std::fs::remove_file(&binary);
            report.emit(&format!("{}\n", render::summary(errors.max(1), 0)));
            // A warning-free failure without a message: show rustc's words.
            if errors == 0 {
                report.emit(&String::from_utf8_lossy(&output.stderr));
            }
            return Ok(None);
        }
    }
    Ok(Some(Compiled {
        binary,
        source,
        mapper,
    }))
}

/// Runs `compiled`'s executable with `args`, copying the chosen stream
/// with its generated-code locations shown as `.pt` locations.
fn run_mapped(mut compiled: Compiled, args: &[String], stdout_mapped: bool) -> Outcome {
    let mut command = Command::new(&compiled.binary);
    command.args(args);
    if stdout_mapped {
        command.stdout(Stdio::piped());
    } else {
        command.stderr(Stdio::piped());
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start `{}`: {e}", compiled.binary.display()))?;
    let generated = [compiled.source.clone()];
    let mut copy = |from: &mut dyn std::io::Read, to: &mut dyn Write| {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            let mapped = compiled.mapper.rewrite_locations(&line, &generated);
            if writeln!(to, "{mapped}").is_err() {
                // The reader is gone: keep draining so the child is not
                // stopped by a full pipe, but print nothing.
            }
        }
    };
    if let Some(mut out) = child.stdout.take() {
        copy(&mut out, &mut std::io::stdout());
    }
    if let Some(mut err) = child.stderr.take() {
        copy(&mut err, &mut std::io::stderr());
    }
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for `{}`: {e}", compiled.binary.display()))?;
    Ok(exit_code_of(status))
}

/// `plc run FILE.pt`: lowers, compiles if changed, runs.
pub fn run(path: &Path, release: bool, args: &[String]) -> Outcome {
    match compiled(path, release, false)? {
        Ok(compiled) => run_mapped(compiled, args, false),
        Err(code) => Ok(code),
    }
}

/// `plc test FILE.pt`: builds the program's `test` blocks as a libtest
/// harness and runs it with `args` (a name filter, `--exact`…).
pub fn test(path: &Path, release: bool, args: &[String]) -> Outcome {
    match compiled(path, release, true)? {
        // libtest reports failures, with their panic locations, on stdout;
        // a failed test is exit code 1, as in a package.
        Ok(compiled) => Ok(match run_mapped(compiled, args, true)? {
            code if code == ExitCode::SUCCESS => code,
            _ => diagnostics_failed(),
        }),
        Err(code) => Ok(code),
    }
}
