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
    // The same program with a mistake in every block: reporting should
    // cost in proportion to the number of reports, not to that number
    // times the size of the file (or the number of items).
    let mistakes = [
        ("an unused binding", "let_var unused_total = total;"),
        ("an unknown name", "let_var first_guess = unknown_value;"),
        ("a mismatched type", "let_var wrong: string = total;"),
    ];
    let mut reporting = Vec::new();
    for (what, line) in mistakes {
        let file = work.join(format!("{}.pt", what.replace(' ', "_")));
        std::fs::write(
            &file,
            text.replace("let_var first = ", &format!("{line}\n    let_var first = ")),
        )
        .expect("write the program with mistakes");
        let file = file.display().to_string();
        let reported = plc(&["check", &file]).output().expect("plc starts");
        let reports = String::from_utf8_lossy(&reported.stderr)
            .matches("─[ ")
            .count();
        assert!(reports > 0, "plc check found no {what}");
        let time = best_of_time(5, || {
            plc(&["check", &file]).output().expect("plc starts");
        });
        reporting.push((what, reports, time));
    }
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
    for (what, reports, time) in reporting {
        println!(
            "plc check, {what} in every block ({reports} reports): {:.1} ms ({:.3} ms per report)",
            ms(time),
            (ms(time) - ms(check)).max(0.0) / reports.max(1) as f64
        );
    }
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
