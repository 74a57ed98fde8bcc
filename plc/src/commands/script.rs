//! `plc run FILE.pt` (or a program folder without a `Cargo.toml`): a
//! script-sized program compiled straight with rustc, no Cargo package.

use super::{color, compile, diagnostics_failed, exit_code_of, Outcome};
use crate::rustc_messages::{is_closing_note, Mapper};
use cargo_metadata::diagnostic::{Diagnostic as RustcDiagnostic, DiagnosticLevel};
use parseltongue_build::generated::write_generated;
use parseltongue_core::diagnostics::render;
use std::path::{Path, PathBuf};
use std::process::Command;

fn build_dir(name: &str) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("parseltongue"));
    base.join("plc-run").join(name)
}

/// Lowers the program, compiles it with rustc if it changed, and runs it.
pub fn run(path: &Path, release: bool, args: &[String]) -> Outcome {
    let (program, compiled) = match compile(path)? {
        Ok(ok) => ok,
        Err(code) => return Ok(code),
    };
    let rust = compiled.rust.unwrap_or_default();
    let dir = build_dir(&program.name);
    let source = dir.join("main.rs");
    let binary = dir.join(if cfg!(windows) {
        "program.exe"
    } else {
        "program"
    });
    // Rewriting an unchanged file would make rustc rebuild for nothing.
    let changed = write_generated(&source, &rust, &compiled.origins, &program.paths)
        .map_err(|e| format!("cannot write `{}`: {e}", source.display()))?;
    if changed || !binary.exists() {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
        let mut command = Command::new(&rustc);
        command
            .args(["--edition", "2021", "--crate-name", "program"])
            .args(["--error-format=json", "-o"])
            .arg(&binary)
            .arg(&source);
        if release {
            command.args(["-C", "opt-level=3"]);
        }
        let output = command
            .output()
            .map_err(|e| format!("cannot run `{rustc}` ({e}); install Rust from https://rustup.rs and make sure it is on PATH"))?;
        let mut mapper = Mapper::new(&dir);
        let mut errors = 0;
        for line in String::from_utf8_lossy(&output.stderr).lines() {
            match serde_json::from_str::<RustcDiagnostic>(line) {
                Ok(diagnostic) if is_closing_note(&diagnostic) => {}
                Ok(diagnostic) => {
                    if diagnostic.level == DiagnosticLevel::Error {
                        errors += 1;
                    }
                    if !diagnostic.spans.is_empty() || diagnostic.level == DiagnosticLevel::Error {
                        eprint!("{}", mapper.render(&diagnostic, color()));
                    }
                }
                Err(_) => eprintln!("{line}"),
            }
        }
        if !output.status.success() {
            let _ = std::fs::remove_file(&binary);
            eprintln!("{}", render::summary(errors.max(1), 0));
            // A warning-free failure without a message: show rustc's words.
            if errors == 0 {
                eprint!("{}", String::from_utf8_lossy(&output.stderr));
            }
            return Ok(diagnostics_failed());
        }
    }
    let status = Command::new(&binary)
        .args(args)
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", binary.display()))?;
    Ok(exit_code_of(status))
}
