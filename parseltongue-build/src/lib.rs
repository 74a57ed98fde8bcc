//! Compile a package's `.pt` sources from a Cargo build script, and the
//! disk side of the Parseltongue toolchain (reading programs, writing
//! generated Rust with its origins) that `plc` shares.
//!
//! In `build.rs`, `fn main` calls [`compile_package`]:
//!
//! ```no_run
//! parseltongue_build::compile_package();
//! ```
//!
//! and in `src/main.rs` (or `src/lib.rs`):
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/parseltongue/main.rs"));
//! ```
//!
//! The program is `src/main.pt` (or `src/lib.pt`) with the other `.pt`
//! files of `src/` as its modules. A crate that keeps one Parseltongue
//! file beside its Rust builds it with
//! `Build::new().source("src/scoring.pt").run()` and includes
//! `OUT_DIR/parseltongue/scoring.rs` inside a `mod`. Cargo reruns the
//! build script when a `.pt` file changes; an unchanged program is not
//! rewritten, so Cargo does not recompile the crate for nothing. Errors
//! are rendered as `plc check` renders them and fail the build; warnings
//! become Cargo warnings.

//!
//! With the default `compiler` feature the build script compiles the
//! program itself. Without it, the build script runs the installed `plc`
//! (`PARSELTONGUE_PLC`, which `plc build` sets, or `plc` on PATH) to do
//! the same work: the package's first build then compiles a few lines of
//! build script instead of the whole compiler.

#[cfg(feature = "compiler")]
mod compiler;
#[cfg(not(feature = "compiler"))]
mod delegate;
#[cfg(feature = "compiler")]
pub mod generated;
#[cfg(feature = "compiler")]
pub mod load;
pub mod runtime_crates;

#[cfg(feature = "compiler")]
pub use compiler::{BuildError, Output};
use std::path::{Path, PathBuf};

/// A build of one Parseltongue program into Rust.
#[derive(Clone, Debug)]
pub struct Build {
    source: PathBuf,
    out_dir: Option<PathBuf>,
}

impl Default for Build {
    fn default() -> Self {
        Self::new()
    }
}

impl Build {
    /// A build of `src/` (relative to the build script's working folder,
    /// the package root) into `OUT_DIR/parseltongue/`.
    pub fn new() -> Self {
        Build {
            source: PathBuf::from("src"),
            out_dir: None,
        }
    }

    /// Takes the program from `path` instead of `src/`: a folder (whose
    /// `main.pt` or `lib.pt` is the root) or a single `.pt` file.
    pub fn source(mut self, path: impl Into<PathBuf>) -> Self {
        self.source = path.into();
        self
    }

    /// Writes into `dir` instead of `OUT_DIR/parseltongue/`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The source folder or file.
    pub fn sources(&self) -> &Path {
        &self.source
    }
}

/// The build-script entry point: compiles `src/` into `OUT_DIR` (see
/// [`Build::run`]).
pub fn compile_package() {
    Build::new().run();
}
