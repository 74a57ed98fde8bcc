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
