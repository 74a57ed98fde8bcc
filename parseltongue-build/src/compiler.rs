//! The build done in the build script itself: the compiler is linked in.

use crate::{generated, load, Build};
use parseltongue_core::diagnostics::{render, Diagnostic};
use std::path::PathBuf;

/// What a successful build produced.
#[derive(Debug)]
pub struct Output {
    /// The generated Rust file, to `include!`.
    pub rust_path: PathBuf,
    /// Whether it changed on disk.
    pub changed: bool,
    /// Warnings, one line each (`FILE:LINE:COLUMN: warning[CODE]: message`).
    pub warnings: Vec<String>,
}

/// Why a build failed: the rendered report, ready to print.
#[derive(Debug)]
pub struct BuildError(pub String);

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

impl Build {
    /// Checks and lowers the program; writes the Rust only if it changed.
    ///
    /// # Errors
    /// A missing or unreadable program, a program with errors (the report
    /// is in the error), or an output folder that cannot be written.
    pub fn compile(&self) -> Result<Output, BuildError> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(|dir| PathBuf::from(dir).join("parseltongue"))
                .ok_or_else(|| {
                    BuildError(
                        "OUT_DIR is not set: call parseltongue_build from a Cargo build script, or set an output folder with `out_dir`"
                            .to_string(),
                    )
                })?,
        };
        let program = load::load(&self.source).map_err(|e| BuildError(e.0))?;
        let compiled = parseltongue_extensions::compile(&program.sources)
            .map_err(|e| BuildError(format!("internal compiler error, please report it: {e}")))?;
        let warnings = compiled
            .diagnostics
            .iter()
            .filter(|d| !d.is_error())
            .map(|d| one_line(d, &program.sources))
            .collect();
        let Some(rust) = compiled.rust else {
            return Err(BuildError(render::render_all(
                &compiled.diagnostics,
                &program.sources,
                render::ColorChoice::Never,
            )));
        };
        let stem = program.paths[0]
            .file_stem()
            .map_or("main".to_string(), |s| s.to_string_lossy().into_owned());
        let rust_path = out_dir.join(format!("{stem}.rs"));
        let changed =
            generated::write_generated(&rust_path, &rust, &compiled.origins, &program.paths)
                .map_err(|e| BuildError(format!("cannot write `{}`: {e}", rust_path.display())))?;
        Ok(Output {
            rust_path,
            changed,
            warnings,
        })
    }
}

/// A diagnostic on one line, as Cargo shows build-script warnings.
fn one_line(diagnostic: &Diagnostic, sources: &parseltongue_core::source::SourceMap) -> String {
    let file = sources.get(diagnostic.primary.span.file);
    let at = file.line_column(diagnostic.primary.span.start);
    let severity = if diagnostic.is_error() {
        "error"
    } else {
        "warning"
    };
    format!(
        "{}:{}:{}: {severity}[{}]: {}",
        file.name, at.line, at.column, diagnostic.code, diagnostic.message
    )
}

impl Build {
    /// What a build script does: tells Cargo when to rerun, compiles,
    /// passes warnings on, and on errors prints the report and exits with
    /// status 1 (failing the build).
    pub fn run(&self) {
        println!("cargo:rerun-if-changed={}", self.sources().display());
        if let Ok(entries) = std::fs::read_dir(self.sources()) {
            let mut pt_files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "pt"))
                .collect();
            pt_files.sort();
            for file in pt_files {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
        match self.compile() {
            Ok(output) => {
                for warning in output.warnings {
                    println!("cargo:warning={warning}");
                }
            }
            Err(error) => {
                eprint!("{error}");
                if !error.0.ends_with('\n') {
                    eprintln!();
                }
                std::process::exit(1);
            }
        }
    }
}
