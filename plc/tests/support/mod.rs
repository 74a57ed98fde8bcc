//! What the `plc` tests share: the binary, scratch folders, repository paths.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The `plc` binary, without colours.
pub fn plc() -> Command {
    let mut command = Command::cargo_bin("plc").expect("the plc binary is built");
    command.env("NO_COLOR", "1").env_remove("RUST_BACKTRACE");
    command
}

/// `plc` for commands that drive Cargo: one target folder shared by every
/// test, outside the workspace's own (which the running `cargo test`
/// holds), so the compiler crates are built once.
pub fn plc_with_cargo() -> Command {
    let mut command = plc();
    command.env("CARGO_TARGET_DIR", shared_target_dir());
    command
}

/// The target folder of packages built by the tests.
pub fn shared_target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plc-packages-target")
}

/// A path in the repository.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

/// A fresh, empty scratch folder named `name`.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Writes `text` to `name` in the shared scratch folder.
pub fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plc-cli");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("scratch file");
    path
}

/// Output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes `text` at `path`, creating folders.
pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(path, text).expect("write");
}
