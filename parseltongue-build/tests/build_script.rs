//! The build-script path end to end, with plain Cargo: a crate keeps a
//! `.pt` file beside its Rust, `build.rs` compiles it, the crate
//! `include!`s the result; a changed `.pt` file is seen by the next
//! `cargo run`, an unchanged one is not rewritten, and errors fail the
//! build with the report `plc check` prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cargo(dir: &Path, args: &[&str]) -> Output {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        // Shared with plc's package tests, so the compiler is built once.
        .env(
            "CARGO_TARGET_DIR",
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plc-packages-target"),
        )
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("cargo runs")
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
    std::fs::write(path, text).expect("write");
}

const GREETING: &str = "public function greeting() returns string {\n    \"first version\"\n}\n";

#[test]
fn a_changed_pt_file_is_rebuilt_and_errors_fail_the_build() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("build-script-crate");
    let _ = std::fs::remove_dir_all(&dir);
    let build_crate = Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .expect("crate path");
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"uses_pt\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[build-dependencies]\nparseltongue-build = {{ path = \"{}\" }}\n\n[workspace]\n",
            build_crate.display()
        ),
    );
    write(
        &dir.join("build.rs"),
        "fn main() {\n    parseltongue_build::Build::new().source(\"src/greeting.pt\").run();\n}\n",
    );
    write(
        &dir.join("src/main.rs"),
        "mod greeting {\n    include!(concat!(env!(\"OUT_DIR\"), \"/parseltongue/greeting.rs\"));\n}\n\nfn main() {\n    println!(\"{}\", greeting::greeting());\n}\n",
    );
    let pt = dir.join("src/greeting.pt");
    write(&pt, GREETING);

    let first = cargo(&dir, &["run", "--quiet"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&first.stdout), "first version\n");

    write(&pt, &GREETING.replace("first version", "second version"));
    let second = cargo(&dir, &["run", "--quiet"]);
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&second.stdout), "second version\n");

    write(&pt, "public function greeting() returns string {\n    let_var text = \"x\";\n    text = \"y\";\n    text\n}\n");
    let broken = cargo(&dir, &["build", "--quiet"]);
    assert!(!broken.status.success());
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(
        stderr.contains("[PT0301] Error: cannot change `text`"),
        "{stderr}"
    );
    assert!(stderr.contains("src/greeting.pt:3:5"), "{stderr}");

    write(&pt, "public function greeting() returns string {\n    let_var unused = 1;\n    \"with a warning\"\n}\n");
    let warned = cargo(&dir, &["run"]);
    assert!(
        warned.status.success(),
        "{}",
        String::from_utf8_lossy(&warned.stderr)
    );
    let stderr = String::from_utf8_lossy(&warned.stderr);
    assert!(
        stderr.contains("src/greeting.pt:2:13: warning[PT0501]: binding `unused` is never used"),
        "{stderr}"
    );
}
