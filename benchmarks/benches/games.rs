//! Six Benchmarks Game programs, each written in natural Parseltongue
//! (`games/NAME.pt`) and in idiomatic Rust (`games/NAME.rs`): the
//! Parseltongue is lowered by the compiler, both are compiled by rustc with
//! the same flags, checked to print the same output, then run interleaved,
//! each run in a fresh process whose peak memory is measured. Prints each
//! ratio (Parseltongue ÷ Rust, best time of the rounds) and the geometric
//! mean.
//!
//! Run with `cargo bench -p parseltongue-benchmarks --bench games`
//! (`-- --rounds N`, `-- --only NAME`).

use parseltongue_core::diagnostics::render::{render_all, ColorChoice};
use parseltongue_core::source::{SourceFile, SourceMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The programs, in the order they are reported.
const GAMES: [&str; 6] = [
    "nbody",
    "spectral_norm",
    "fannkuch_redux",
    "binary_trees",
    "mandelbrot",
    "k_nucleotide",
];

/// The flags both sides are compiled with.
const RUSTC_FLAGS: [&str; 6] = [
    "--edition=2021",
    "-Copt-level=3",
    "-Ccodegen-units=1",
    "-Cdebuginfo=0",
    "-Cpanic=unwind",
    "-Dwarnings",
];

/// One run of a program: its wall time and peak resident memory.
struct Run {
    time: Duration,
    peak_kib: i64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--measure") {
        measure(&args[1]);
        return;
    }
    let rounds = option_value(&args, "--rounds").map_or(5, |r| r.parse().expect("--rounds N"));
    let only = option_value(&args, "--only");
    let games_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("games");
    let work = std::env::temp_dir().join("parseltongue-games");
    std::fs::create_dir_all(&work).expect("a writable temporary folder");
    println!(
        "rustc {} ; best of {rounds} interleaved runs each, alternating which goes first",
        RUSTC_FLAGS.join(" ")
    );
    let mut ratios = Vec::new();
    for name in GAMES {
        if only.is_some_and(|o| o != name) {
            continue;
        }
        let parseltongue = match compile_parseltongue(&games_dir.join(format!("{name}.pt")), &work)
        {
            Ok(binary) => binary,
            Err(report) => {
                println!("{name:<16} does not compile: {report}");
                continue;
            }
        };
        let rust = compile_rust(&games_dir.join(format!("{name}.rs")), &work, name);
        let expected = output_of(&rust);
        let got = output_of(&parseltongue);
        assert_eq!(
            got, expected,
            "{name}: the Parseltongue program prints something else than the Rust one"
        );
        let (mut best_pt, mut best_rs): (Option<Run>, Option<Run>) = (None, None);
        for round in 0..rounds {
            // Each goes first in every other round, so neither always runs
            // on what the other left behind (page cache, CPU frequency).
            if round % 2 == 0 {
                keep_best(&mut best_pt, run_measured(&parseltongue));
                keep_best(&mut best_rs, run_measured(&rust));
            } else {
                keep_best(&mut best_rs, run_measured(&rust));
                keep_best(&mut best_pt, run_measured(&parseltongue));
            }
        }
        let (pt, rs) = (best_pt.expect("rounds ≥ 1"), best_rs.expect("rounds ≥ 1"));
        let ratio = pt.time.as_secs_f64() / rs.time.as_secs_f64();
        let memory = pt.peak_kib as f64 / rs.peak_kib as f64;
        ratios.push(ratio);
        println!(
            "{name:<16} parseltongue {:>8.1} ms {:>8} KiB   rust {:>8.1} ms {:>8} KiB   time ratio {ratio:.3}   memory ratio {memory:.3}",
            pt.time.as_secs_f64() * 1e3,
            pt.peak_kib,
            rs.time.as_secs_f64() * 1e3,
            rs.peak_kib,
        );
    }
    if !ratios.is_empty() {
        let geomean = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
        let worst = ratios.iter().copied().fold(0.0, f64::max);
        println!("geometric mean {geomean:.3}   worst {worst:.3}   (targets: each ≤ 1.05, geometric mean ≤ 1.02)");
    }
}

fn option_value<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn keep_best(best: &mut Option<Run>, run: Run) {
    match best {
        Some(b) => {
            b.time = b.time.min(run.time);
            b.peak_kib = b.peak_kib.max(run.peak_kib);
        }
        None => *best = Some(run),
    }
}

/// Lowers `source` with the Parseltongue compiler and compiles the Rust;
/// the compiler's first diagnostic if it rejects the program.
fn compile_parseltongue(source: &Path, work: &Path) -> Result<PathBuf, String> {
    let text =
        std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new(source.display().to_string(), text));
    let compiled = parseltongue_core::compile(&sources).expect("lowering");
    let Some(rust) = compiled.rust else {
        let report = render_all(&compiled.diagnostics, &sources, ColorChoice::Never);
        let first_error = report
            .lines()
            .find(|line| line.contains("] Error:"))
            .unwrap_or_default();
        return Err(first_error.to_string());
    };
    let stem = source.file_stem().expect("named").to_string_lossy();
    let generated = work.join(format!("{stem}_parseltongue.rs"));
    std::fs::write(&generated, rust).expect("writable work folder");
    Ok(compile_rust(
        &generated,
        work,
        &format!("{stem}_parseltongue"),
    ))
}

/// Compiles one Rust file with `RUSTC_FLAGS` into `work/NAME`.
fn compile_rust(source: &Path, work: &Path, name: &str) -> PathBuf {
    let binary = work.join(name);
    let status = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(RUSTC_FLAGS)
        .arg(source)
        .arg("-o")
        .arg(&binary)
        .status()
        .expect("rustc runs");
    assert!(status.success(), "rustc failed on {}", source.display());
    binary
}

fn output_of(binary: &Path) -> String {
    let out = Command::new(binary).output().expect("the program runs");
    assert!(out.status.success(), "{} failed", binary.display());
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs `binary` through a fresh measuring process (this binary with
/// `--measure`), so the peak memory it reports is this run's alone.
fn run_measured(binary: &Path) -> Run {
    let out = Command::new(std::env::current_exe().expect("own path"))
        .arg("--measure")
        .arg(binary)
        .stderr(Stdio::inherit())
        .output()
        .expect("the measuring process runs");
    assert!(
        out.status.success(),
        "measuring {} failed",
        binary.display()
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace();
    let nanos: u64 = fields
        .next()
        .and_then(|f| f.parse().ok())
        .expect("nanoseconds");
    let peak_kib: i64 = fields
        .next()
        .and_then(|f| f.parse().ok())
        .expect("peak KiB");
    Run {
        time: Duration::from_nanos(nanos),
        peak_kib,
    }
}

/// The measuring process: runs `binary` with its output discarded and
/// prints its wall time in nanoseconds and its peak resident memory in KiB
/// (the largest of this process's children: it has only this one).
fn measure(binary: &str) {
    use nix::sys::resource::{getrusage, UsageWho};
    let start = Instant::now();
    let status = Command::new(binary)
        .stdout(Stdio::null())
        .status()
        .expect("the program runs");
    let elapsed = start.elapsed();
    assert!(status.success(), "{binary} failed");
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    println!("{} {}", elapsed.as_nanos(), usage.max_rss());
}
