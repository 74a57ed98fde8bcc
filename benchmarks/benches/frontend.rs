//! Front-end throughput: parse + check a generated program of 100,000+
//! lines, and `cargo check` the Rust it lowers to, side by side.
//!
//! Run with `cargo bench -p parseltongue-benchmarks --bench frontend`. Prints
//! lines per second for each step and the ratio of `cargo check` to parse +
//! check, for three kinds of `cargo check`: after a one-line edit of the
//! program (incremental, as cargo runs by default), with rustc rerun on an
//! unchanged crate (the least a check that runs rustc costs), and from
//! scratch.

use parseltongue_benchmarks::timing::best_of;

/// The allocator `plc` uses, so the figures are the ones `plc check` gets.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use parseltongue_benchmarks::workload::program;
use parseltongue_core::source::{SourceFile, SourceMap};
use std::path::PathBuf;
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
    let edited_rust = lowered_after_an_edit(&file.text);
    assert_ne!(rust, edited_rust, "the edit changes the lowered Rust");

    let cargo = LoweredPackage::create(&rust);
    // Incremental, as `cargo check` runs by default: the cache is filled
    // once, then each timed check follows a one-line edit of the program,
    // which is when `cargo check` has work to do.
    cargo.check_incremental(&rust);
    let mut edited = false;
    let (after_edit, ()) = best_of(3, || {
        edited = !edited;
        cargo.check_incremental(if edited { &edited_rust } else { &rust });
    });
    // rustc run again on a crate that did not change since its last check
    // (cargo's fingerprint is deleted, or cargo would not run it): the
    // least a check that runs rustc costs. It reads the whole crate, then
    // finds every result cached. The untimed check puts the cache back on
    // the unedited source after the edits.
    cargo.check_incremental(&rust);
    let (unchanged, ()) = best_of(3, || cargo.check_incremental(&rust));
    let (from_scratch, ()) = best_of(2, || cargo.check_from_scratch(&rust));
    // The front end again, after the minutes of `cargo check`, printed as a
    // cross-check of the machine's speed; the ratios use the first figure.
    let (again, _) = best_of(10, || parseltongue_core::check(&sources));

    println!(
        "program: {lines} lines of Parseltongue, {} lines of generated Rust",
        rust.lines().count()
    );
    println!(
        "parse + check:                      {:>9.1} ms  {:>12.0} lines/s",
        parse_check.as_secs_f64() * 1e3,
        per_second(lines, parse_check)
    );
    println!(
        "parse + check, after cargo check:   {:>9.1} ms  {:>12.0} lines/s",
        again.as_secs_f64() * 1e3,
        per_second(lines, again)
    );
    println!(
        "parse + check + lower:              {:>9.1} ms  {:>12.0} lines/s",
        full.as_secs_f64() * 1e3,
        per_second(lines, full)
    );
    for (what, time) in [
        ("cargo check after a one-line edit:", after_edit),
        ("cargo check, rustc rerun unchanged:", unchanged),
        ("cargo check from scratch:", from_scratch),
    ] {
        println!(
            "{what:<36}{:>9.1} ms  {:>12.0} lines/s  ratio to parse + check {:.1}x",
            time.as_secs_f64() * 1e3,
            per_second(lines, time),
            time.as_secs_f64() / parse_check.as_secs_f64()
        );
    }
}

/// The Rust of the program after a one-line edit: one number in `area0`
/// changed.
fn lowered_after_an_edit(text: &str) -> String {
    const BEFORE: &str = "3.0 * radius * radius";
    assert!(text.contains(BEFORE), "the workload has the line to edit");
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new(
        "generated.pt",
        text.replacen(BEFORE, "3.5 * radius * radius", 1),
    ));
    parseltongue_core::compile(&sources)
        .expect("lowering")
        .rust
        .expect("the edited program has no errors")
}

/// A throwaway Cargo package holding the lowered Rust.
struct LoweredPackage {
    dir: PathBuf,
}

impl LoweredPackage {
    fn create(rust: &str) -> LoweredPackage {
        let dir = std::env::temp_dir().join("parseltongue-frontend-bench");
        std::fs::create_dir_all(dir.join("src")).expect("bench folder");
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"lowered\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
        )
        .expect("manifest");
        let package = LoweredPackage { dir };
        package.write(rust);
        package
    }

    fn write(&self, rust: &str) {
        std::fs::write(self.dir.join("src/main.rs"), rust).expect("source");
    }

    fn target(&self) -> PathBuf {
        self.dir.join("target")
    }

    /// `cargo check` with `rust` as the source, reusing the incremental
    /// cache of the checks before.
    fn check_incremental(&self, rust: &str) {
        self.write(rust);
        // Without its fingerprint cargo runs rustc even when the source
        // did not change; rustc's own cache decides what is redone.
        let _ = std::fs::remove_dir_all(self.target().join("debug/.fingerprint"));
        self.cargo_check(&[]);
    }

    /// `cargo check` with `rust` as the source and no cache at all.
    fn check_from_scratch(&self, rust: &str) {
        self.write(rust);
        let _ = std::fs::remove_dir_all(self.target().join("debug"));
        self.cargo_check(&[("CARGO_INCREMENTAL", "0")]);
    }

    fn cargo_check(&self, env: &[(&str, &str)]) {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["check", "--quiet", "--manifest-path"])
            .arg(self.dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", self.target())
            .envs(env.iter().copied())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the lowered Rust must pass cargo check");
    }
}
