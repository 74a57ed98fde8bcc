//! The `plc` binary, run for real: the commands that need no Cargo
//! package (check, emit, fmt, fix, snapshot, explain, reference, help) and
//! their error paths. `packages.rs` has the ones that drive Cargo.

mod support;

use std::path::PathBuf;
use support::{fresh_dir, plc, repo, scratch, text, write};

#[test]
fn check_reports_errors_with_exit_code_1() {
    let file = scratch(
        "wrong.pt",
        "function main() {\n    let_var count = 0;\n    count = 1;\n}\n",
    );
    let output = plc().arg("check").arg(&file).output().expect("plc runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("[PT0301] Error"), "{stderr}");
    assert!(stderr.contains("wrong.pt:3:5"), "{stderr}");
}

#[test]
fn check_json_prints_one_rustc_shaped_object_per_diagnostic() {
    let file = scratch("json.pt", "fn main() {\n}\n");
    let output = plc()
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .expect("plc runs");
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let first = stdout.lines().next().expect("one line of JSON");
    assert!(
        first.contains("\"$message_type\":\"diagnostic\""),
        "{first}"
    );
    assert!(first.contains("\"code\":{\"code\":\"PT0007\""), "{first}");
    assert!(
        first.contains("\"suggested_replacement\":\"function\""),
        "{first}"
    );
    assert!(
        first.contains("\"suggestion_applicability\":\"MachineApplicable\""),
        "{first}"
    );
}

#[test]
fn emit_prints_the_generated_rust() {
    let file = scratch("emit.pt", "function main() {\n    print_line(\"hi\");\n}\n");
    let output = plc().arg("emit").arg(&file).output().expect("plc runs");
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("fn main() {\n    println!(\"hi\");\n}"),
        "{stdout}"
    );
    assert!(stdout.contains("// parseltongue: "), "{stdout}");
}

#[test]
fn explain_prints_the_long_explanation_and_rejects_unknown_codes() {
    let output = plc()
        .args(["explain", "PT0301"])
        .output()
        .expect("plc runs");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("# PT0301: "));
    let output = plc()
        .args(["explain", "PT9999"])
        .output()
        .expect("plc runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a Parseltongue diagnostic code"));
}

#[test]
fn environment_mistakes_get_one_clear_line_and_exit_code_2() {
    let missing = plc()
        .args(["check", "no/such/file.pt"])
        .output()
        .expect("plc runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));

    let not_pt = scratch("notes.txt", "hello");
    let wrong_kind = plc().arg("check").arg(&not_pt).output().expect("plc runs");
    assert_eq!(wrong_kind.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong_kind.stderr).contains("is not a `.pt` file"));

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plc-cli-empty");
    std::fs::create_dir_all(&dir).expect("folder");
    let no_main = plc().arg("check").arg(&dir).output().expect("plc runs");
    assert_eq!(no_main.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_main.stderr).contains("has no `main.pt`"));

    let binary = scratch("binary.pt", "");
    std::fs::write(&binary, [0x66, 0xff, 0xfe]).expect("write bytes");
    let invalid = plc().arg("check").arg(&binary).output().expect("plc runs");
    assert_eq!(invalid.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&invalid.stderr).contains("not valid UTF-8"));

    let usage = plc().arg("frobnicate").output().expect("plc runs");
    assert_eq!(usage.status.code(), Some(2));
}

/// Programs whose every error has a machine-applicable fix: the habits of
/// a Rust writer (person or model). `plc fix` then `plc check` must leave
/// no error — the loop an agent runs.
const FIXABLE: &[(&str, &str)] = &[
    ("rust_habits", "fn main() {\n    let mut total = 0;\n    let values = vec![1, 2, 3];\n    for v in values {\n        total += v;\n    }\n    println!(\"{}\", total);\n}\n"),
    ("immutable", "function main() {\n    let_var count = 0;\n    count = count + 1;\n    print_line(\"{}\", count);\n}\n"),
    ("read_only_parameter", "function grow(items: list<i64>) {\n    items.push(1);\n}\n\nfunction main() {\n    let_mut_var items: list<i64> = list_of();\n    grow(items);\n    print_line(\"{:?}\", items);\n}\n"),
    ("conversions", "function half(n: i64) -> f64 {\n    n as f64 / 2.0\n}\n\nfunction main() {\n    let_var scale: f64 = 2;\n    print_line(\"{} {}\", half(3), scale);\n}\n"),
    ("ranges_and_try", "function parse(text: string) returns result<i64, string> {\n    let_var n = text.parse_int()?;\n    Ok(n)\n}\n\nfunction main() {\n    for i in 0..3 {\n        print_line(\"{:?}\", parse(format(\"{}\", i)));\n    }\n}\n"),
    ("names", "function count(items: Vec<String>) returns i64 {\n    items.len()\n}\n\nfunction main() {\n    print_line(\"{}\", count(list_of(\"a\")));\n}\n"),
    ("strings", "function greet(name: string) returns string {\n    \"hello \" + name\n}\n\nfunction main() {\n    print_line(\"{}\", greet(\"ada\"));\n}\n"),
    ("return_in_arm", "function first(xs: list<i64>) returns result<i64, string> {\n    let_var v = match xs.first() {\n        Some(x) => x,\n        None => return Err(\"empty\"),\n    };\n    Ok(v)\n}\n\nfunction main() {\n    print_line(\"{:?}\", first(list_of(1)));\n}\n"),
];

#[test]
fn fix_then_check_leaves_no_error_for_machine_fixable_programs() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plc-fix-loop");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    for (name, text) in FIXABLE {
        let file = dir.join(format!("{name}.pt"));
        std::fs::write(&file, text).expect("write program");
        let before = plc().arg("check").arg(&file).output().expect("plc runs");
        assert_eq!(
            before.status.code(),
            Some(1),
            "{name} should start with errors"
        );
        let fixed = plc().arg("fix").arg(&file).output().expect("plc runs");
        let after = plc().arg("check").arg(&file).output().expect("plc runs");
        assert_eq!(
            after.status.code(),
            Some(0),
            "{name}: errors remain after `plc fix`:\n{}\n--- fix said\n{}\n--- file now\n{}",
            String::from_utf8_lossy(&after.stderr),
            String::from_utf8_lossy(&fixed.stderr),
            std::fs::read_to_string(&file).unwrap_or_default()
        );
    }
}

#[test]
fn fix_dry_run_shows_edits_without_writing() {
    let text = "fn main() {\n}\n";
    let file = scratch("dry.pt", text);
    let output = plc()
        .args(["fix", "--dry-run", "--format", "json"])
        .arg(&file)
        .output()
        .expect("plc runs");
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("\"replacement\":\"function\""), "{stdout}");
    assert!(stdout.contains("\"line\":1,\"column\":1"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&file).expect("still there"), text);
}

#[test]
fn version_and_help_list_every_command_and_option() {
    let version = plc().arg("--version").output().expect("plc runs");
    assert!(version.status.success());
    assert_eq!(
        text(&version.stdout).trim(),
        format!("plc {}", env!("CARGO_PKG_VERSION"))
    );
    let help = plc().arg("--help").output().expect("plc runs");
    let help = text(&help.stdout);
    let commands = [
        "new",
        "check",
        "build",
        "run",
        "test",
        "emit",
        "fmt",
        "fix",
        "snapshot",
        "explain",
        "reference",
        "lsp",
    ];
    for command in commands {
        assert!(
            help.contains(&format!("  {command} ")),
            "`{command}` missing from:\n{help}"
        );
    }
    let options: &[(&str, &[&str])] = &[
        ("new", &["--template"]),
        ("check", &["--format"]),
        ("build", &["--release"]),
        ("run", &["--release", "[ARGS]"]),
        ("test", &["--release", "[ARGS]"]),
        ("fmt", &["--check"]),
        ("fix", &["--dry-run", "--format"]),
        ("snapshot", &["--accept"]),
    ];
    for (command, flags) in options {
        let output = plc().args([*command, "--help"]).output().expect("plc runs");
        assert!(output.status.success());
        let help = text(&output.stdout);
        for flag in *flags {
            assert!(
                help.contains(flag),
                "`plc {command} --help` lacks {flag}:\n{help}"
            );
        }
    }
}

#[test]
fn reference_prints_llms_txt() {
    let output = plc().arg("reference").output().expect("plc runs");
    assert!(output.status.success());
    let printed = text(&output.stdout);
    let shipped = std::fs::read_to_string(repo("docs/llms.txt")).expect("docs/llms.txt");
    assert_eq!(printed, shipped);
    assert!(printed.starts_with("# Parseltongue\n"));
}

const MESSY: &str = "function main(){\n  let_var x=1; // one\n    print_line(\"{}\",x);\n}\n";
const TIDY: &str = "function main() {\n    let_var x = 1; // one\n    print_line(\"{}\", x);\n}\n";

#[test]
fn fmt_formats_checks_and_refuses_broken_files() {
    let dir = fresh_dir("plc-fmt");
    let file = dir.join("main.pt");
    write(&file, MESSY);
    let check = plc()
        .args(["fmt", "--check"])
        .arg(&dir)
        .output()
        .expect("plc runs");
    assert_eq!(check.status.code(), Some(1));
    assert!(
        text(&check.stdout).contains("+    let_var x = 1; // one"),
        "{}",
        text(&check.stdout)
    );
    assert!(text(&check.stderr).contains("not formatted; run `plc fmt`"));
    assert_eq!(
        std::fs::read_to_string(&file).expect("file"),
        MESSY,
        "--check writes nothing"
    );

    let format = plc().arg("fmt").arg(&dir).output().expect("plc runs");
    assert!(format.status.success(), "{}", text(&format.stderr));
    assert_eq!(std::fs::read_to_string(&file).expect("file"), TIDY);
    let again = plc()
        .args(["fmt", "--check"])
        .arg(&file)
        .output()
        .expect("plc runs");
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));

    let broken = dir.join("broken.pt");
    write(&broken, "function main() {\n    let_var = ;\n}\n");
    let refused = plc().arg("fmt").arg(&broken).output().expect("plc runs");
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("was not formatted: fix its syntax errors first"));
    assert!(
        text(&refused.stderr).contains("broken.pt:2:"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&broken).expect("file"),
        "function main() {\n    let_var = ;\n}\n"
    );

    let missing = plc()
        .args(["fmt", "no/such/dir"])
        .output()
        .expect("plc runs");
    assert_eq!(missing.status.code(), Some(2));
    let binary = dir.join("binary.pt");
    std::fs::write(&binary, [0x66, 0xff]).expect("write");
    let invalid = plc().arg("fmt").arg(&binary).output().expect("plc runs");
    assert_eq!(invalid.status.code(), Some(2));
    assert!(text(&invalid.stderr).contains("not valid UTF-8"));
}

#[test]
fn snapshot_pins_generated_rust_and_shows_a_diff_when_it_changes() {
    let dir = fresh_dir("plc-snapshot");
    write(&dir.join("main.pt"), "use_module greeting;\n\nfunction main() {\n    print_line(\"{}\", greeting::hello());\n}\n");
    write(
        &dir.join("greeting.pt"),
        "public function hello() returns string {\n    \"hello\"\n}\n",
    );

    let first = plc().arg("snapshot").arg(&dir).output().expect("plc runs");
    assert_eq!(first.status.code(), Some(1), "a new snapshot needs review");
    assert!(text(&first.stdout).contains("new snapshot for main.pt"));
    assert!(dir.join("snapshots/main.pt.snap.new").is_file());

    let accept = plc()
        .args(["snapshot", "--accept"])
        .arg(&dir)
        .output()
        .expect("plc runs");
    assert!(accept.status.success(), "{}", text(&accept.stderr));
    let recorded =
        std::fs::read_to_string(dir.join("snapshots/greeting.pt.snap")).expect("recorded");
    assert!(
        recorded.starts_with("---\nsource: greeting.pt\n"),
        "{recorded}"
    );
    assert!(recorded.contains("pub fn hello() -> String"), "{recorded}");
    assert!(!dir.join("snapshots/main.pt.snap.new").exists());

    let same = plc().arg("snapshot").arg(&dir).output().expect("plc runs");
    assert!(same.status.success(), "{}", text(&same.stdout));
    assert!(text(&same.stderr).contains("2 snapshots match"));

    write(
        &dir.join("greeting.pt"),
        "public function hello() returns string {\n    \"hi there\"\n}\n",
    );
    let changed = plc().arg("snapshot").arg(&dir).output().expect("plc runs");
    assert_eq!(changed.status.code(), Some(1));
    let diff = text(&changed.stdout);
    assert!(diff.contains("-    String::from(\"hello\")"), "{diff}");
    assert!(diff.contains("+    String::from(\"hi there\")"), "{diff}");
    assert!(
        diff.contains(" // parseltongue: greeting.pt:1\n"),
        "paths are relative: {diff}"
    );
    assert!(text(&changed.stderr).contains("plc snapshot --accept"));

    std::fs::remove_file(dir.join("greeting.pt")).expect("remove");
    write(
        &dir.join("main.pt"),
        "function main() {\n    print_line(\"alone\");\n}\n",
    );
    let stale = plc().arg("snapshot").arg(&dir).output().expect("plc runs");
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        text(&stale.stdout).contains("stale snapshot"),
        "{}",
        text(&stale.stdout)
    );
    let accept = plc()
        .args(["snapshot", "--accept"])
        .arg(&dir)
        .output()
        .expect("plc runs");
    assert!(accept.status.success());
    assert!(!dir.join("snapshots/greeting.pt.snap").exists());
}

#[test]
fn script_run_compiles_a_single_file_with_rustc() {
    let file = scratch(
        "script.pt",
        "function main() {\n    print_line(\"from a script\");\n}\n",
    );
    let output = plc().arg("run").arg(&file).output().expect("plc runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "from a script\n");
}

#[test]
fn script_run_maps_rustc_errors_to_the_pt_line() {
    let file = scratch(
        "interop.pt",
        "rust_function larger(a: i64, b: string) returns i64 = std::cmp::max;\n\nfunction main() {\n    print_line(\"{}\", larger(1, \"two\"));\n}\n",
    );
    let output = plc().arg("run").arg(&file).output().expect("plc runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("[E0308] Error: mismatched types"),
        "{stderr}"
    );
    assert!(stderr.contains("interop.pt:4:5"), "{stderr}");
    assert!(!stderr.contains("main.rs"), "{stderr}");
    assert!(stderr.ends_with("1 error emitted\n"), "{stderr}");
}

#[test]
fn the_examples_are_in_the_canonical_layout() {
    let output = plc()
        .args(["fmt", "--check"])
        .arg(repo("examples"))
        .output()
        .expect("plc runs");
    assert!(
        output.status.success(),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// A package `demo` (a `Cargo.toml` and `src/` with `main.pt` using a
/// module), with an empty `src/deep/` folder.
fn package_with_module(name: &str) -> std::path::PathBuf {
    let dir = support::fresh_dir(name);
    std::fs::create_dir_all(dir.join("src/deep")).expect("folders");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .expect("manifest");
    std::fs::write(
        dir.join("src/main.pt"),
        "use_module geometry;\n\nfunction main() {\n    print_line(\"{}\", geometry::area(2.0));\n}\n",
    )
    .expect("root");
    std::fs::write(
        dir.join("src/geometry.pt"),
        "public function area(r: f64) returns f64 {\n    r * r\n}\n",
    )
    .expect("module");
    dir
}

#[test]
fn every_command_finds_the_package_from_any_folder_or_file_in_it() {
    let dir = package_with_module("found_from_inside");
    // The root file, a module file, the package, `src/` and a folder
    // below it are all the same program.
    for (at, argument) in [
        (dir.clone(), "src/main.pt"),
        (dir.clone(), "src/geometry.pt"),
        (dir.clone(), "."),
        (dir.join("src"), "."),
        (dir.join("src"), "main.pt"),
        (dir.join("src/deep"), "."),
    ] {
        let check = plc()
            .current_dir(&at)
            .args(["check", argument])
            .output()
            .expect("plc runs");
        assert!(
            check.status.success(),
            "check {argument} in {}: {}",
            at.display(),
            text(&check.stderr)
        );
        let emit = plc()
            .current_dir(&at)
            .args(["emit", argument])
            .output()
            .expect("plc runs");
        assert!(
            text(&emit.stdout).contains("mod geometry"),
            "{}",
            text(&emit.stdout)
        );
    }
    // Snapshots go beside `src/`, from wherever the command runs.
    let accept = plc()
        .current_dir(dir.join("src/deep"))
        .args(["snapshot", "--accept"])
        .output()
        .expect("plc runs");
    assert!(accept.status.success(), "{}", text(&accept.stderr));
    assert!(dir.join("snapshots/main.pt.snap").is_file());
    assert!(!dir.join("src/deep/snapshots").exists());
    assert!(!dir.join("src/snapshots").exists());
    let compare = plc()
        .current_dir(dir.join("src"))
        .arg("snapshot")
        .output()
        .expect("plc runs");
    assert!(compare.status.success(), "{}", text(&compare.stderr));
}

#[test]
fn a_single_file_brings_the_modules_it_uses_and_maps_its_panics() {
    let dir = support::fresh_dir("single_file_modules");
    std::fs::write(
        dir.join("geometry.pt"),
        "public function area(r: f64) returns f64 {\n    r * r\n}\n",
    )
    .expect("module");
    // An unrelated broken file beside it is not read.
    std::fs::write(dir.join("broken.pt"), "function {\n").expect("broken");
    std::fs::write(
        dir.join("script.pt"),
        "use_module geometry;\n\nfunction main() {\n    print_line(\"{}\", geometry::area(3.0));\n    panic(\"stopped at {}\", 9);\n}\n",
    )
    .expect("script");
    let run = plc()
        .current_dir(&dir)
        .args(["run", "script.pt"])
        .output()
        .expect("plc runs");
    assert_eq!(text(&run.stdout), "9\n");
    let stderr = text(&run.stderr);
    assert!(stderr.contains("panicked at script.pt:5:5"), "{stderr}");
    assert!(!stderr.contains("main.rs"), "{stderr}");
    assert_eq!(run.status.code(), Some(101));
}

#[test]
fn test_filters_by_name_and_tests_a_single_file() {
    let dir = support::fresh_dir("single_file_tests");
    std::fs::write(
        dir.join("doubling.pt"),
        "function double(x: i64) returns i64 {\n    x * 2\n}\n\nfunction main() {\n    print_line(\"{}\", double(2));\n}\n\ntest doubles {\n    assert_equal(double(2), 4);\n}\n\ntest fails_on_purpose {\n    assert_equal(double(2), 5);\n}\n",
    )
    .expect("program");
    let all = plc()
        .current_dir(&dir)
        .args(["test", "doubling.pt"])
        .output()
        .expect("plc runs");
    assert_eq!(all.status.code(), Some(1));
    let stdout = text(&all.stdout);
    assert!(stdout.contains("test tests::doubles ... ok"), "{stdout}");
    assert!(stdout.contains("panicked at doubling.pt:14:5"), "{stdout}");
    let one = plc()
        .current_dir(&dir)
        .args(["test", "doubles", "--path", "doubling.pt"])
        .output()
        .expect("plc runs");
    assert!(one.status.success(), "{}", text(&one.stdout));
    assert!(
        text(&one.stdout).contains("1 filtered out"),
        "{}",
        text(&one.stdout)
    );
}

#[test]
fn explain_list_shows_every_code_with_its_title() {
    let output = plc()
        .args(["explain", "--list"])
        .output()
        .expect("plc runs");
    assert!(output.status.success());
    let listed = text(&output.stdout);
    for info in parseltongue_core::diagnostics::codes::ALL {
        assert!(
            listed.contains(&format!("{}  {}\n", info.code, info.title)),
            "{} is missing from:\n{listed}",
            info.code
        );
    }
}

/// Every command that prints ends quietly when its reader has gone: the
/// read end is closed before the command writes anything.
#[test]
fn a_closed_pipe_ends_every_printing_command_quietly() {
    let dir = support::fresh_dir("closed_pipe");
    let unformatted = dir.join("messy.pt");
    std::fs::write(&unformatted, "function main(){print_line(\"x\");}\n").expect("file");
    let broken = dir.join("broken.pt");
    std::fs::write(&broken, "function main() {\n    let_var x = ;\n}\n").expect("file");
    let fixable = dir.join("fixable.pt");
    std::fs::write(&fixable, "fn main() {\n    println!(\"hi\");\n}\n").expect("file");
    let path = |p: &std::path::Path| p.display().to_string();
    let commands: Vec<Vec<String>> = vec![
        vec!["emit".into(), path(&repo("benchmarks/games/nbody.pt"))],
        vec!["reference".into()],
        vec!["explain".into(), "PT0301".into()],
        vec!["explain".into(), "--list".into()],
        vec!["fmt".into(), "--check".into(), path(&unformatted)],
        vec!["snapshot".into(), path(&unformatted)],
        vec!["fix".into(), "--dry-run".into(), path(&fixable)],
        vec![
            "check".into(),
            "--format".into(),
            "json".into(),
            path(&broken),
        ],
        vec!["--help".into()],
    ];
    for args in commands {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("plc"))
            .args(&args)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("plc starts");
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("plc ends");
        let stderr = text(&output.stderr);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "plc {args:?}: {stderr}"
        );
        assert!(
            matches!(output.status.code(), Some(141 | 0 | 1)),
            "plc {args:?} exited with {:?}: {stderr}",
            output.status
        );
    }
}

#[test]
fn fmt_check_shows_each_change_under_its_own_hunk_header() {
    let dir = support::fresh_dir("hunks");
    let mut program = String::from("function first(){}\n");
    for i in 0..12 {
        program.push_str(&format!("\nfunction filler_{i}() {{\n}}\n"));
    }
    program.push_str("\nfunction last(){}\n");
    let file = dir.join("two_changes.pt");
    std::fs::write(&file, &program).expect("file");
    let output = plc()
        .args(["fmt", "--check"])
        .arg(&file)
        .output()
        .expect("plc runs");
    assert_eq!(output.status.code(), Some(1));
    let diff = text(&output.stdout);
    let headers: Vec<&str> = diff.lines().filter(|l| l.starts_with("@@ ")).collect();
    assert_eq!(headers.len(), 2, "{diff}");
    assert!(headers[0].starts_with("@@ -1,"), "{diff}");
    assert!(headers[1].starts_with("@@ -3"), "{diff}");
    assert!(diff.starts_with("--- "), "{diff}");
}

#[test]
fn fix_applies_only_certain_fixes_and_leaves_unused_bindings_alone() {
    let file = scratch(
        "unfinished.pt",
        "function main() {\n    let_var unused = 3;\n    let_mut_var fixed = 1;\n    print_line(\"{}\", fixed);\n}\n",
    );
    let output = plc().arg("fix").arg(&file).output().expect("plc runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let fixed = std::fs::read_to_string(&file).expect("file");
    assert!(fixed.contains("let_var fixed = 1;"), "{fixed}");
    assert!(fixed.contains("let_var unused = 3;"), "{fixed}");
    assert!(text(&output.stderr).contains("binding `unused` is never used"));
}

#[test]
fn a_whole_float_where_an_integer_is_wanted_suggests_the_integer() {
    let file = scratch(
        "whole_float.pt",
        "function main() {\n    let_var a: i64 = 0.0;\n    let_var x = 1.5;\n    let_var b: i64 = x;\n    print_line(\"{} {}\", a, b);\n}\n",
    );
    let output = plc().arg("check").arg(&file).output().expect("plc runs");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("Help: write an integer literal: `0`"),
        "{stderr}"
    );
    assert!(stderr.contains("`x.to_i64()`"), "{stderr}");
    assert!(!stderr.contains("(0.0)"), "{stderr}");
}

/// A script whose plan asks for `cores` with `fallback`, sending work to `app`.
fn partition_script(name: &str, cores: &str, fallback: &str) -> PathBuf {
    scratch(
        name,
        &format!(
            "partition_plan {{\n    fallback: {fallback},\n}}\n\npartition app {{\n    cores: list_of({cores}),\n    policy: api,\n}}\n\npartition bus {{\n    cores: list_of(0),\n    policy: messaging,\n}}\n\nfunction show(line: string) {{\n    print_line(\"{{}}\", line);\n}}\n\nfunction main() {{\n    print_line(\"{{}}\", spawn_on app {{ 6 * 7 }}.join());\n    let_var lines = mailbox_on(bus, show);\n    for n in range(0, 3) {{\n        lines.send(format(\"line {{}}\", n));\n    }}\n}}\n"
        ),
    )
}

#[test]
fn a_plan_that_does_not_fit_the_machine_stops_the_program_naming_the_cores() {
    let file = partition_script("unfit.pt", "4000", "fail");
    let output = plc().arg("run").arg(&file).output().expect("plc runs");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: the partition runtime cannot start"),
        "{stderr}"
    );
    assert!(stderr.contains("4000"), "{stderr}");
    assert_eq!(text(&output.stdout), "");
}

#[test]
fn shrink_runs_the_plan_on_fewer_cores_with_a_warning_and_messages_all_arrive() {
    let file = partition_script("shrunk.pt", "4000", "shrink");
    let output = plc().arg("run").arg(&file).output().expect("plc runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    // Queued messages are handled before the program ends.
    assert_eq!(text(&output.stdout), "42\nline 0\nline 1\nline 2\n");
    assert!(
        text(&output.stderr).contains("`shrink`"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn an_operators_toml_plan_replaces_the_programs_and_must_name_its_partitions() {
    let file = partition_script("replaced.pt", "4000", "fail");
    let dir = fresh_dir("plc-partition-plan");
    let missing = dir.join("missing.toml");
    write(
        &missing,
        "[[partition]]\nname = \"app\"\ncores = [0]\npolicy = \"api\"\n",
    );
    let output = plc()
        .arg("run")
        .arg(&file)
        .env("PARSELTONGUE_PARTITION_PLAN", &missing)
        .output()
        .expect("plc runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("has no partition `bus`"),
        "{}",
        text(&output.stderr)
    );
    let fits = dir.join("fits.toml");
    write(
        &fits,
        "fallback = \"shrink\"\n\n[[partition]]\nname = \"app\"\ncores = [0]\npolicy = \"api\"\n\n[[partition]]\nname = \"bus\"\ncores = [1]\npolicy = \"messaging\"\n",
    );
    let output = plc()
        .arg("run")
        .arg(&file)
        .env("PARSELTONGUE_PARTITION_PLAN", &fits)
        .output()
        .expect("plc runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "42\nline 0\nline 1\nline 2\n");
}
