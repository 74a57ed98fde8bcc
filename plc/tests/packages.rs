//! `plc` with Cargo packages, run for real: `new`, `build`, `run` and
//! `test` drive Cargo, rustc's messages and runtime panics are shown at
//! `.pt` lines, unchanged sources are not regenerated, every example in
//! `examples/` runs, and every mistake gets one clear line.
//!
//! The steps share one Cargo target folder and run in order inside one
//! test, so the compiler crates the build scripts need are built once.

mod support;

use std::path::{Path, PathBuf};
use std::time::SystemTime;
use support::{fresh_dir, plc, plc_with_cargo, repo, shared_target_dir, text, write};

fn generated_main(target: &Path, package: &str) -> PathBuf {
    let build = target.join("debug/build");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&build)
        .expect("build folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{package}-")))
        })
        .map(|p| p.join("out/parseltongue/main.rs"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop().expect("the build script wrote main.rs")
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime")
}

#[test]
fn packages_are_created_built_run_and_tested_through_cargo() {
    let work = fresh_dir("plc-packages");

    // `plc new` makes a package that runs at once.
    let created = plc()
        .args(["new", "demo"])
        .current_dir(&work)
        .output()
        .expect("plc runs");
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(text(&created.stderr).contains("cd demo && plc run"));
    let demo = work.join("demo");
    for file in [
        "Cargo.toml",
        "build.rs",
        "src/main.rs",
        "src/main.pt",
        ".gitignore",
    ] {
        assert!(demo.join(file).is_file(), "{file} missing");
    }
    let run = plc_with_cargo()
        .arg("run")
        .current_dir(&demo)
        .output()
        .expect("plc runs");
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(text(&run.stdout), "Hello from demo!\n");

    // The generated Rust lives in the target folder, not beside the sources.
    let generated = generated_main(&shared_target_dir(), "demo");
    assert!(generated.with_extension("rs.origins").is_file());
    assert!(!demo.join("src").read_dir().expect("src").any(|e| {
        e.expect("entry")
            .file_name()
            .to_string_lossy()
            .ends_with(".rs.origins")
    }));

    // An unchanged program is not regenerated; a changed one is.
    let before = modified(&generated);
    let build = plc_with_cargo()
        .arg("build")
        .current_dir(&demo)
        .output()
        .expect("plc runs");
    assert!(build.status.success(), "{}", text(&build.stderr));
    assert_eq!(
        modified(&generated_main(&shared_target_dir(), "demo")),
        before
    );

    // `plc test` runs the `test` blocks.
    let test = plc_with_cargo()
        .arg("test")
        .current_dir(&demo)
        .output()
        .expect("plc runs");
    assert!(
        test.status.success(),
        "{}{}",
        text(&test.stdout),
        text(&test.stderr)
    );
    assert!(text(&test.stdout).contains("test tests::greets_by_name ... ok"));

    // A failing assertion is shown at its `.pt` line.
    let main_pt = demo.join("src/main.pt");
    let source = std::fs::read_to_string(&main_pt).expect("main.pt");
    write(
        &main_pt,
        &source.replace("\"Hello from Nagini!\"", "\"Hello from Basilisk!\""),
    );
    let failing = plc_with_cargo()
        .arg("test")
        .current_dir(&demo)
        .output()
        .expect("plc runs");
    assert_eq!(failing.status.code(), Some(1));
    let report = text(&failing.stdout);
    let line = source
        .lines()
        .position(|l| l.contains("assert_equal"))
        .expect("an assertion")
        + 1;
    assert!(
        report.contains(&format!("panicked at src/main.pt:{line}:5")),
        "{report}"
    );
    assert!(!report.contains("out/parseltongue"), "{report}");
    assert!(modified(&generated_main(&shared_target_dir(), "demo")) >= before);

    // A runtime panic in `plc run` is shown at its `.pt` line.
    write(
        &main_pt,
        "function pick(numbers: list<i64>, position: i64) returns i64 {\n    numbers[position]\n}\n\nfunction main() {\n    print_line(\"{}\", pick(list_of(1, 2, 3), 7));\n}\n",
    );
    let panicked = plc_with_cargo()
        .arg("run")
        .current_dir(&demo)
        .output()
        .expect("plc runs");
    assert_eq!(panicked.status.code(), Some(101));
    let stderr = text(&panicked.stderr);
    assert!(stderr.contains("panicked at src/main.pt:2:5"), "{stderr}");
    assert!(stderr.contains("index out of bounds"), "{stderr}");

    // rustc rejecting generated code (a Rust function declared with the
    // wrong signature) is reported at the `.pt` statement.
    write(
        &main_pt,
        "/// Declared with the wrong parameter type.\nrust_function larger(a: i64, b: string) returns i64 = std::cmp::max;\n\nfunction main() {\n    let_var biggest = larger(3, \"nine\");\n    print_line(\"{}\", biggest);\n}\n",
    );
    let rejected = plc_with_cargo()
        .arg("build")
        .current_dir(&demo)
        .output()
        .expect("plc runs");
    assert_eq!(rejected.status.code(), Some(1));
    let stderr = text(&rejected.stderr);
    assert!(
        stderr.contains("[E0308] Error: mismatched types"),
        "{stderr}"
    );
    assert!(stderr.contains("src/main.pt:5:5"), "{stderr}");
    assert!(
        stderr.contains("let_var biggest = larger(3, \"nine\");"),
        "{stderr}"
    );
    // With Rust items declared, the signature is the first suspect; a
    // program without them would be told it met a compiler bug.
    assert!(
        stderr.contains("check its signature against the Rust definition"),
        "{stderr}"
    );
    assert!(!stderr.contains("out/parseltongue"), "{stderr}");
    assert!(stderr.ends_with("1 error emitted\n"), "{stderr}");

    // Parseltongue errors stop the build before Cargo runs.
    write(
        &main_pt,
        "function main() {\n    let_var count = 0;\n    count = 1;\n}\n",
    );
    let wrong = plc_with_cargo()
        .arg("build")
        .current_dir(&demo)
        .output()
        .expect("plc runs");
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        text(&wrong.stderr).contains("[PT0301] Error"),
        "{}",
        text(&wrong.stderr)
    );
    assert!(
        !text(&wrong.stderr).contains("Compiling"),
        "{}",
        text(&wrong.stderr)
    );

    // Every example in `examples/` builds and prints what it should.
    for entry in std::fs::read_dir(repo("examples")).expect("examples") {
        let example = entry.expect("entry").path();
        if !example.join("Cargo.toml").is_file() {
            continue;
        }
        // An example with Slytherin topics talks to a broker of its own.
        let manifest = std::fs::read_to_string(example.join("Cargo.toml")).expect("a manifest");
        let data = tempfile::tempdir().expect("a data folder");
        let broker = manifest.contains("slytherin-runtime").then(|| {
            let config = slytherin_broker::config::BrokerConfig::embedded(data.path());
            slytherin_broker::server::Server::start(&config).expect("the broker starts")
        });
        let mut command = plc_with_cargo();
        command.arg("run").arg(&example);
        if let Some(broker) = &broker {
            command.env("SLYTHERIN_BROKERS", broker.address().to_string());
        }
        let run = command.output().expect("plc runs");
        if let Some(broker) = broker {
            broker.shutdown().expect("a clean stop");
        }
        assert!(
            run.status.success(),
            "{}: {}",
            example.display(),
            text(&run.stderr)
        );
        let expected = std::fs::read_to_string(example.join("expected_output.txt"))
            .expect("each example has expected_output.txt");
        assert_eq!(text(&run.stdout), expected, "{}", example.display());
        // What varies from run to run (timings, counters) goes to stderr;
        // each line of `expected_stderr_lines.txt` must be in it.
        if let Ok(lines) = std::fs::read_to_string(example.join("expected_stderr_lines.txt")) {
            for line in lines.lines().filter(|l| !l.trim().is_empty()) {
                assert!(
                    text(&run.stderr).contains(line),
                    "{}: stderr lacks `{line}`:\n{}",
                    example.display(),
                    text(&run.stderr)
                );
            }
        }
    }
}

#[test]
fn package_mistakes_get_one_clear_line_and_exit_code_2() {
    let work = fresh_dir("plc-package-mistakes");

    let outside = plc_with_cargo()
        .arg("build")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("plc runs");
    // The temp folder may sit inside some package on odd machines; where it
    // does not, the message says what to do.
    if !std::env::temp_dir()
        .ancestors()
        .any(|d| d.join("Cargo.toml").is_file())
    {
        assert_eq!(outside.status.code(), Some(2));
        assert!(
            text(&outside.stderr).contains("no Cargo package here"),
            "{}",
            text(&outside.stderr)
        );
        assert!(text(&outside.stderr).contains("plc new"));
    }

    let unknown = plc()
        .args(["new", "app", "--template", "rocket"])
        .current_dir(&work)
        .output()
        .expect("plc runs");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr)
        .contains("unknown template `rocket`; the templates are: core, slytherin"));

    let later = plc()
        .args(["new", "app", "--template", "basilisk"])
        .current_dir(&work)
        .output()
        .expect("plc runs");
    assert_eq!(later.status.code(), Some(2));
    assert!(text(&later.stderr).contains("use `--template core`"));

    for bad in ["1app", "my app", "fn", ""] {
        let invalid = plc()
            .args(["new", bad])
            .current_dir(&work)
            .output()
            .expect("plc runs");
        assert_eq!(invalid.status.code(), Some(2), "{bad:?}");
        assert_eq!(
            text(&invalid.stderr).lines().count(),
            1,
            "{}",
            text(&invalid.stderr)
        );
    }

    // A program that runs work on partitions in a package without the
    // runtime: the line to add, before Cargo runs.
    let made = plc()
        .args(["new", "tasks"])
        .current_dir(&work)
        .output()
        .expect("plc runs");
    assert!(made.status.success(), "{}", text(&made.stderr));
    std::fs::write(
        work.join("tasks/src/main.pt"),
        "function main() {\n    print_line(\"{}\", spawn_on main { 2 + 2 }.join());\n}\n",
    )
    .expect("write");
    let no_runtime = plc()
        .arg("build")
        .current_dir(work.join("tasks"))
        .output()
        .expect("plc runs");
    assert_eq!(no_runtime.status.code(), Some(2));
    let stderr = text(&no_runtime.stderr);
    assert!(
        stderr.contains("runs work on partitions")
            && stderr.contains("[dependencies]\npartition = "),
        "{stderr}"
    );
    assert!(!stderr.contains("Compiling"), "{stderr}");

    std::fs::create_dir_all(work.join("taken")).expect("folder");
    std::fs::write(work.join("taken/notes.txt"), "mine").expect("file");
    let clash = plc()
        .args(["new", "taken"])
        .current_dir(&work)
        .output()
        .expect("plc runs");
    assert_eq!(clash.status.code(), Some(2));
    assert!(text(&clash.stderr).contains("`taken` already exists and is not empty"));
    assert!(text(&clash.stderr).contains("plc init"));

    // An empty folder is fine for `plc new`; `plc init` fills the current
    // folder (named after it) and refuses one that has a package.
    std::fs::create_dir_all(work.join("empty")).expect("folder");
    let into_empty = plc()
        .args(["new", "empty"])
        .current_dir(&work)
        .output()
        .expect("plc runs");
    assert!(into_empty.status.success(), "{}", text(&into_empty.stderr));
    assert!(work.join("empty/src/main.pt").is_file());
    std::fs::create_dir_all(work.join("existing_app")).expect("folder");
    let init = plc()
        .arg("init")
        .current_dir(work.join("existing_app"))
        .output()
        .expect("plc runs");
    assert!(init.status.success(), "{}", text(&init.stderr));
    let manifest = std::fs::read_to_string(work.join("existing_app/Cargo.toml")).expect("manifest");
    assert!(manifest.contains("name = \"existing_app\""), "{manifest}");
    assert!(
        text(&init.stderr).contains("run it with: plc run"),
        "{}",
        text(&init.stderr)
    );
    // Inside the repository's package: said, and built apart.
    assert!(
        text(&init.stderr).contains("warning: "),
        "{}",
        text(&init.stderr)
    );
    assert!(manifest.contains("[workspace]"), "{manifest}");
    let again = plc()
        .arg("init")
        .current_dir(work.join("existing_app"))
        .output()
        .expect("plc runs");
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already has `Cargo.toml`"));

    let created = plc()
        .args(["new", "app"])
        .current_dir(&work)
        .output()
        .expect("plc runs");
    assert!(created.status.success());
    let no_cargo = plc()
        .arg("build")
        .current_dir(work.join("app"))
        .env("PLC_CARGO", "/nonexistent/cargo")
        .output()
        .expect("plc runs");
    assert_eq!(no_cargo.status.code(), Some(2));
    assert!(
        text(&no_cargo.stderr).contains("cannot run `/nonexistent/cargo`"),
        "{}",
        text(&no_cargo.stderr)
    );
    assert!(text(&no_cargo.stderr).contains("https://rustup.rs"));

    // Without a program, the package's build script says so through Cargo.
    std::fs::remove_file(work.join("app/src/main.pt")).expect("remove");
    let no_program = plc_with_cargo()
        .arg("build")
        .current_dir(work.join("app"))
        .output()
        .expect("plc runs");
    assert_eq!(no_program.status.code(), Some(1));
    assert!(
        text(&no_program.stderr).contains("has no `main.pt` or `lib.pt`"),
        "{}",
        text(&no_program.stderr)
    );
    // Without a build script either, it is not a Parseltongue package.
    std::fs::remove_file(work.join("app/build.rs")).expect("remove");
    let no_build_script = plc()
        .arg("build")
        .current_dir(work.join("app"))
        .output()
        .expect("plc runs");
    assert_eq!(no_build_script.status.code(), Some(2));
    assert!(
        text(&no_build_script.stderr).contains("has no Parseltongue program"),
        "{}",
        text(&no_build_script.stderr)
    );

    let binary = work.join("app/src/main.pt");
    std::fs::write(&binary, [0x66, 0xff]).expect("write");
    std::fs::write(work.join("app/build.rs"), "fn main() {}\n").expect("write");
    let invalid = plc()
        .arg("check")
        .arg(work.join("app"))
        .output()
        .expect("plc runs");
    assert_eq!(invalid.status.code(), Some(2));
    assert!(text(&invalid.stderr).contains("not valid UTF-8"));
}

/// A new package's build script hands the lowering to the installed
/// `plc`: its first build compiles no compiler crate (seconds, not half a
/// minute), and plain `cargo build` works with `plc` at hand and says what
/// to do without it.
#[test]
fn a_new_package_builds_without_compiling_the_compiler() {
    let work = fresh_dir("plc-first-build");
    let created = plc()
        .args(["new", "quick"])
        .current_dir(&work)
        .output()
        .expect("plc runs");
    assert!(created.status.success(), "{}", text(&created.stderr));
    let package = work.join("quick");
    let target = work.join("target");
    let run = plc()
        .arg("run")
        .current_dir(&package)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("plc runs");
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(text(&run.stdout), "Hello from quick!\n");
    // Not a terminal: Cargo-style lines, not silence.
    let log = text(&run.stderr);
    assert!(log.contains("Building quick"), "{log}");
    assert!(log.contains("Compiled quick v0.1.0\n"), "{log}");
    assert!(log.contains("Finished in"), "{log}");
    let compiled: Vec<String> = std::fs::read_dir(target.join("debug/deps"))
        .expect("deps")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    for heavy in ["parseltongue_core", "chumsky", "syn", "prettyplease"] {
        assert!(
            !compiled
                .iter()
                .any(|name| name.starts_with(&format!("lib{heavy}-"))),
            "the first build compiled {heavy}: {compiled:?}"
        );
    }
    // Plain Cargo, with the plc to use named, and with one that is not there.
    let cargo = |plc_path: &std::path::Path| {
        std::process::Command::new(env!("CARGO"))
            .arg("build")
            .current_dir(&package)
            .env("CARGO_TARGET_DIR", work.join("plain-target"))
            .env("PARSELTONGUE_PLC", plc_path)
            .output()
            .expect("cargo runs")
    };
    let with_plc = cargo(&assert_cmd::cargo::cargo_bin("plc"));
    assert!(with_plc.status.success(), "{}", text(&with_plc.stderr));
    let without = cargo(&work.join("no-such-plc"));
    assert!(!without.status.success());
    assert!(
        text(&without.stderr).contains("Install plc and put it on PATH"),
        "{}",
        text(&without.stderr)
    );
}

/// Outside any Git repository, `plc new` starts one, as `cargo new` does.
#[test]
fn a_new_package_outside_a_repository_gets_one() {
    let has_git = std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let outside = std::env::temp_dir().join(format!("plc-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&outside);
    std::fs::create_dir_all(&outside).expect("folder");
    let created = plc()
        .args(["new", "versioned"])
        .current_dir(&outside)
        .output()
        .expect("plc runs");
    assert!(created.status.success(), "{}", text(&created.stderr));
    if has_git {
        assert!(outside.join("versioned/.git").is_dir());
        assert!(text(&created.stderr).contains("with a Git repository"));
    }
    let _ = std::fs::remove_dir_all(&outside);
}
