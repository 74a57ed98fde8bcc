//! The Benchmarks Game programs stay valid Parseltongue: each checks
//! without a diagnostic and lowers to Rust (`benches/games.rs` compiles,
//! runs and compares them with their Rust twins).

use parseltongue_core::source::{SourceFile, SourceMap};
use std::path::Path;

/// The six programs.
const CHECKED: [&str; 6] = [
    "nbody",
    "spectral_norm",
    "fannkuch_redux",
    "binary_trees",
    "mandelbrot",
    "k_nucleotide",
];

#[test]
fn every_game_program_checks_clean_and_lowers() {
    let games = Path::new(env!("CARGO_MANIFEST_DIR")).join("games");
    for name in CHECKED {
        let path = games.join(format!("{name}.pt"));
        let text = std::fs::read_to_string(&path).expect("the program exists");
        let mut sources = SourceMap::new();
        sources.add(SourceFile::new(path.display().to_string(), text));
        let compiled = parseltongue_core::compile(&sources).expect("lowering");
        assert!(
            compiled.diagnostics.is_empty(),
            "{name}: {:?}",
            compiled.diagnostics
        );
        let rust = compiled.rust.expect("Rust for a clean program");
        assert!(rust.contains("fn main()"), "{name}: no main");
        assert!(
            games.join(format!("{name}.rs")).exists(),
            "{name}: no Rust twin"
        );
    }
}
