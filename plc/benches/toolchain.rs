//! `plc check` against `plc build` and `cargo check` on the same
//! generated package, side by side, with the ratios.
//!
//! Run with `cargo bench -p plc --bench toolchain`. Each build step starts
//! from a changed `.pt` file (a different string in `main`), so the build
//! script, rustc and (for `plc build`) code generation all run for real.

use parseltongue_benchmarks::timing::best_of;
use parseltongue_benchmarks::workload::program;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const PLC: &str = env!("CARGO_BIN_EXE_plc");

fn run(command: &mut Command) {
    let output = command.output().expect("the command starts");
    assert!(
        output.status.success(),
        "{:?} failed:\n{}{}",
        command,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Writes the program with a `main` that differs per `variant`, so each
/// build has real work to do.
fn write_program(package: &Path, text: &str, variant: usize) {
    let main = text.replace(
        "print_line(\"{}\", area0(Shape0::Square(2.0)));",
        &format!("print_line(\"variant {variant}: {{}}\", area0(Shape0::Square(2.0)));"),
    );
    std::fs::write(package.join("src/main.pt"), main).expect("write main.pt");
}

fn main() {
    let work = std::env::temp_dir().join("parseltongue-toolchain-bench");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("bench folder");
    let target = work.join("target");
    run(Command::new(PLC)
        .args(["new", "bench_project"])
        .current_dir(&work));
    let package = work.join("bench_project");
    let (text, lines) = program(10_000);
    write_program(&package, &text, 0);
    let plc = |args: &[&str]| {
        let mut command = Command::new(PLC);
        command
            .args(args)
            .current_dir(&package)
            .env("CARGO_TARGET_DIR", &target)
            .env("NO_COLOR", "1");
        command
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let cargo_check = || {
        let mut command = Command::new(&cargo);
        command
            .args(["check", "--quiet"])
            .current_dir(&package)
            .env("CARGO_TARGET_DIR", &target);
        command
    };
    // Warm up: the dependencies (the compiler the build script links) are
    // built once and not measured.
    run(&mut plc(&["build"]));
    run(&mut cargo_check());

    let check = best_of_time(5, || run(&mut plc(&["check"])));
    // The same program with an unused binding in every block: rendering
    // its warnings should cost in proportion to their number, not to the
    // number times the size of the file.
    let noisy = work.join("noisy.pt");
    std::fs::write(
        &noisy,
        text.replace(
            "let_var first = ",
            "let_var unused_total = total;\n    let_var first = ",
        ),
    )
    .expect("write noisy.pt");
    let noisy_arg = noisy.display().to_string();
    let warned = plc(&["check", &noisy_arg]).output().expect("plc starts");
    let warnings = String::from_utf8_lossy(&warned.stderr)
        .matches("] Warning:")
        .count();
    let check_noisy = best_of_time(5, || run(&mut plc(&["check", &noisy_arg])));
    let mut variant = 0;
    let checked = best_of_time(3, || {
        variant += 1;
        write_program(&package, &text, variant);
        run(&mut cargo_check());
    });
    let built = best_of_time(3, || {
        variant += 1;
        write_program(&package, &text, variant);
        run(&mut plc(&["build"]));
    });

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let ratio = |d: Duration| d.as_secs_f64() / check.as_secs_f64();
    println!("package: {lines} lines of Parseltongue in src/main.pt");
    println!("plc check:   {:>9.1} ms", ms(check));
    println!(
        "plc check with {warnings} warnings: {:>9.1} ms  ({:.3} ms per warning)",
        ms(check_noisy),
        (ms(check_noisy) - ms(check)).max(0.0) / warnings.max(1) as f64
    );
    println!(
        "cargo check: {:>9.1} ms  ({:.1}x plc check)",
        ms(checked),
        ratio(checked)
    );
    println!(
        "plc build:   {:>9.1} ms  ({:.1}x plc check)",
        ms(built),
        ratio(built)
    );
}

/// The best time of `runs` runs of `f`.
fn best_of_time(runs: usize, f: impl FnMut()) -> Duration {
    best_of(runs, f).0
}
