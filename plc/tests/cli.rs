//! The `plc` binary, run for real: every command and its error paths.

use assert_cmd::Command;
use std::path::PathBuf;

fn plc() -> Command {
    let mut command = Command::cargo_bin("plc").expect("the plc binary is built");
    command.env("NO_COLOR", "1");
    command
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plc-cli");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("scratch file");
    path
}

#[test]
fn run_compiles_and_runs_the_hello_example() {
    let output = plc()
        .arg("run")
        .arg(repo("examples/hello"))
        .output()
        .expect("plc runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Nagini (610 cm) is a bit cross"),
        "{stdout}"
    );
    assert!(
        stdout.contains("together they are 2110 cm long"),
        "{stdout}"
    );
}

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
