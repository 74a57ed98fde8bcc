//! Front-end throughput: parse + check a generated program of 100,000+
//! lines, and `cargo check` the Rust it lowers to, side by side.
//!
//! Run with `cargo bench -p parseltongue-benchmarks --bench frontend`. Prints
//! lines per second for each step and the ratio to `cargo check`.

use parseltongue_benchmarks::timing::best_of;

/// The allocator `plc` uses, so the figures are the ones `plc check` gets.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use parseltongue_benchmarks::workload::program;
use parseltongue_core::source::{SourceFile, SourceMap};
use std::process::Command;
use std::time::Duration;

fn per_second(lines: usize, d: Duration) -> f64 {
    lines as f64 / d.as_secs_f64()
}

fn main() {
    let (text, lines) = program(100_000);
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("generated.pt", text));

    let file = sources.get(parseltongue_core::source::FileId(0));
    let (lex_time, _) = best_of(5, || {
        let mut d = parseltongue_core::diagnostics::Diagnostics::new();
        parseltongue_core::syntax::lexer::lex(
            &file.text,
            parseltongue_core::source::FileId(0),
            &mut d,
        )
    });
    let (parse_time, module) = best_of(5, || {
        let mut d = parseltongue_core::diagnostics::Diagnostics::new();
        parseltongue_core::syntax::parse_file(
            &file.text,
            parseltongue_core::source::FileId(0),
            &mut d,
        )
        .0
    });
    let modules = vec![module];
    let (check_time, _) = best_of(5, || {
        let mut d = parseltongue_core::diagnostics::Diagnostics::new();
        parseltongue_core::check::check_program(&modules, &sources, &mut d)
    });
    println!(
        "phases: lex {:.1} ms, lex+parse {:.1} ms, check {:.1} ms",
        lex_time.as_secs_f64() * 1e3,
        parse_time.as_secs_f64() * 1e3,
        check_time.as_secs_f64() * 1e3
    );
    // A run of the front end is short, so the machine's noise is large
    // against it: it gets more runs than `cargo check` to find its best.
    let (parse_check, checked) = best_of(10, || parseltongue_core::check(&sources));
    if checked.has_errors() || !checked.diagnostics.is_empty() {
        let shown: Vec<_> = checked.diagnostics.iter().take(3).cloned().collect();
        panic!(
            "the generated program must check cleanly:\n{}",
            parseltongue_core::diagnostics::render::render_all(
                &shown,
                &sources,
                parseltongue_core::diagnostics::render::ColorChoice::Never
            )
        );
    }
    let (full, compiled) = best_of(3, || {
        parseltongue_core::compile(&sources).expect("lowering")
    });
    let rust = compiled.rust.expect("no errors");

    // `cargo check` of the lowered Rust in a throwaway package.
    let dir = std::env::temp_dir().join("parseltongue-frontend-bench");
    std::fs::create_dir_all(dir.join("src")).expect("bench folder");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"lowered\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .expect("manifest");
    std::fs::write(dir.join("src/main.rs"), &rust).expect("source");
    let target = dir.join("target");
    let mut cargo_check = || {
        let _ = std::fs::remove_dir_all(target.join("debug/.fingerprint"));
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["check", "--quiet", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the lowered Rust must pass cargo check");
    };
    let (cargo, ()) = best_of(3, &mut cargo_check);

    println!(
        "program: {lines} lines of Parseltongue, {} lines of generated Rust",
        rust.lines().count()
    );
    println!(
        "parse + check:          {:>9.1} ms  {:>12.0} lines/s",
        parse_check.as_secs_f64() * 1e3,
        per_second(lines, parse_check)
    );
    println!(
        "parse + check + lower:  {:>9.1} ms  {:>12.0} lines/s",
        full.as_secs_f64() * 1e3,
        per_second(lines, full)
    );
    println!(
        "cargo check (lowered):  {:>9.1} ms  {:>12.0} lines/s",
        cargo.as_secs_f64() * 1e3,
        per_second(lines, cargo)
    );
    println!(
        "ratio cargo check / parse+check: {:.1}x",
        cargo.as_secs_f64() / parse_check.as_secs_f64()
    );
}
