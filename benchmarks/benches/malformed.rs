//! Large malformed files through the front end: each kind of damage in
//! `malformed::large_malformed_inputs`, 100,000 lines, parsed and checked
//! as `plc check` does, and the time per line against the clean workload's.
//! The target is well under a second per file in a release build.
//!
//! Run with `cargo bench -p parseltongue-benchmarks --bench malformed`.

/// The allocator `plc` uses, so the figures are the ones `plc check` gets.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use parseltongue_benchmarks::malformed::large_malformed_inputs;
use parseltongue_benchmarks::timing::best_of;
use parseltongue_benchmarks::workload::program;
use parseltongue_core::source::{SourceFile, SourceMap};

const LINES: usize = 100_000;
const TARGET_MS: f64 = 1000.0;

fn sources_of(text: String) -> SourceMap {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("input.pt", text));
    sources
}

fn main() {
    let (clean, clean_lines) = program(LINES);
    let clean = sources_of(clean);
    let (clean_time, _) = best_of(5, || parseltongue_core::check(&clean));
    let clean_per_line = clean_time.as_secs_f64() / clean_lines as f64;
    println!(
        "clean program, {clean_lines} lines: {:.1} ms",
        clean_time.as_secs_f64() * 1e3
    );
    for (what, text) in large_malformed_inputs(LINES) {
        let lines = text.lines().count();
        let sources = sources_of(text);
        let (time, checked) = best_of(5, || parseltongue_core::check(&sources));
        assert!(checked.has_errors(), "{what}: no error reported");
        let ms = time.as_secs_f64() * 1e3;
        println!(
            "{what:<22}{lines:>7} lines: {ms:>7.1} ms, {:>5} diagnostics, per line {:.2}x the clean program's, time/target {:.2}",
            checked.diagnostics.len(),
            time.as_secs_f64() / lines as f64 / clean_per_line,
            ms / TARGET_MS
        );
    }
}
