//! The subcommands.

use crate::load::load;
use crate::Format;
use parseltongue_core::diagnostics::{codes, json, render, Diagnostic};
use parseltongue_core::source::SourceMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn color() -> render::ColorChoice {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if !no_color && std::io::stderr().is_terminal() {
        render::ColorChoice::Always
    } else {
        render::ColorChoice::Never
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic], sources: &SourceMap, format: Format) {
    match format {
        Format::Human => eprint!("{}", render::render_all(diagnostics, sources, color())),
        Format::Json => print!("{}", json::to_json_lines(diagnostics, sources)),
    }
}

fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// `plc check`
pub fn check(path: &Path, format: Format) -> Result<ExitCode, String> {
    let program = load(path)?;
    let checked = parseltongue_core::check(&program.sources);
    print_diagnostics(&checked.diagnostics, &program.sources, format);
    Ok(if has_errors(&checked.diagnostics) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn compile(path: &Path) -> Result<Result<(String, String), ExitCode>, String> {
    let program = load(path)?;
    let compiled = parseltongue_core::compile(&program.sources)
        .map_err(|e| format!("internal compiler error, please report it: {e}"))?;
    print_diagnostics(&compiled.diagnostics, &program.sources, Format::Human);
    Ok(match compiled.rust {
        Some(rust) => Ok((program.name, rust)),
        None => Err(ExitCode::from(1)),
    })
}

/// `plc emit`
pub fn emit(path: &Path) -> Result<ExitCode, String> {
    Ok(match compile(path)? {
        Ok((_, rust)) => {
            print!("{rust}");
            ExitCode::SUCCESS
        }
        Err(code) => code,
    })
}

fn build_dir(name: &str) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("parseltongue"));
    base.join("plc-run").join(name)
}

/// `plc run`: writes the generated Rust into a build folder, compiles it
/// with rustc and runs it.
pub fn run(path: &Path, release: bool, args: &[String]) -> Result<ExitCode, String> {
    let (name, rust) = match compile(path)? {
        Ok(ok) => ok,
        Err(code) => return Ok(code),
    };
    let dir = build_dir(&name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let source = dir.join("main.rs");
    let binary = dir.join(if cfg!(windows) {
        "program.exe"
    } else {
        "program"
    });
    // Rewriting an unchanged file would make rustc rebuild for nothing.
    if std::fs::read_to_string(&source).ok().as_deref() != Some(rust.as_str()) || !binary.exists() {
        std::fs::write(&source, &rust)
            .map_err(|e| format!("cannot write `{}`: {e}", source.display()))?;
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
        let mut command = Command::new(&rustc);
        command
            .args(["--edition", "2021", "--crate-name", "program", "-o"])
            .arg(&binary)
            .arg(&source);
        if release {
            command.args(["-C", "opt-level=3"]);
        }
        let output = command
            .output()
            .map_err(|e| format!("cannot run `{rustc}` ({e}); install Rust from https://rustup.rs and make sure it is on PATH"))?;
        if !output.status.success() {
            let _ = std::fs::remove_file(&binary);
            eprint!("{}", String::from_utf8_lossy(&output.stderr));
            return Err("rustc rejected the generated Rust; this is a compiler bug, please report it with the program".to_string());
        }
    }
    let status = Command::new(&binary)
        .args(args)
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", binary.display()))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::from(1),
    })
}

/// `plc fix`: applies machine-applicable fixes round by round (a fix can
/// reveal the next one), writes the files, and reports what is left.
pub fn fix(path: &Path, dry_run: bool, format: Format) -> Result<ExitCode, String> {
    let program = load(path)?;
    // A dry run shows one round, so every position refers to the file as
    // it is on disk; a real run repeats until no fix is left.
    let rounds = if dry_run { 1 } else { 10 };
    let (texts, edits) = parseltongue_core::fix::fix_until_clean(&program.sources, rounds);
    if dry_run {
        for (file, edit) in &edits {
            let source = program.sources.get(*file);
            let at = source.line_column(edit.span.start);
            match format {
                Format::Json => println!(
                    "{{\"file\":{},\"code\":{},\"byte_start\":{},\"byte_end\":{},\"line\":{},\"column\":{},\"replacement\":{}}}",
                    json_string(&source.name),
                    json_string(&edit.code),
                    edit.span.start,
                    edit.span.end,
                    at.line,
                    at.column,
                    json_string(&edit.replacement)
                ),
                Format::Human => println!(
                    "{}:{}:{}: {} replace {:?} with {:?}",
                    source.name,
                    at.line,
                    at.column,
                    edit.code,
                    &source.text.get(edit.span.range()).unwrap_or(""),
                    edit.replacement
                ),
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut changed = 0;
    for ((_, source), (text, file)) in program.sources.iter().zip(texts.iter().zip(&program.paths))
    {
        if *text != source.text {
            std::fs::write(file, text)
                .map_err(|e| format!("cannot write `{}`: {e}", file.display()))?;
            changed += 1;
        }
    }
    eprintln!(
        "applied {} fix{} in {changed} file{}",
        edits.len(),
        if edits.len() == 1 { "" } else { "es" },
        if changed == 1 { "" } else { "s" }
    );
    check(path, Format::Human)
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// `plc explain`
pub fn explain(code: &str) -> Result<ExitCode, String> {
    match codes::lookup(code) {
        Some(info) => {
            print!("{}", info.explanation);
            Ok(ExitCode::SUCCESS)
        }
        None => Err(format!(
            "`{code}` is not a Parseltongue diagnostic code; codes look like `PT0301`"
        )),
    }
}
