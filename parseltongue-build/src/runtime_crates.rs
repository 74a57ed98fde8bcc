//! Where the run-time crates that generated code links (the partition
//! runtime) are found when a program is compiled straight with rustc
//! (`plc run FILE.pt`, the test suites), without a Cargo package to
//! declare them.
//!
//! A tool built by Cargo beside those crates finds their `.rlib`s in its
//! own `deps` folder: Cargo builds a dependency's rlib into
//! `target/PROFILE/deps` for the tool (`plc`, a test) that depends on it.

use std::path::{Path, PathBuf};

/// The run-time crates, by the name generated code uses them under: the
/// partition runtime, and the extensions' (Slytherin's topics).
pub const RUNTIME_CRATES: &[&str] = &["partition", "slytherin_runtime"];

/// The run-time crates generated Rust uses: those whose absolute paths
/// (`::partition::…`) it names.
pub fn used_by(rust: &str) -> Vec<&'static str> {
    RUNTIME_CRATES
        .iter()
        .copied()
        .filter(|name| rust.contains(&format!("::{name}::")))
        .collect()
}

/// rustc's arguments that link the run-time crates, found in the `deps`
/// folder beside the running executable (or the executable's own folder
/// when it is a test in `deps`).
pub fn link_arguments() -> Result<Vec<String>, String> {
    link_arguments_for(&["partition"])
}

/// rustc's arguments that link the crates `names` (as generated code names
/// them: `slytherin_runtime`), found as [`link_arguments`] finds them.
pub fn link_arguments_for(names: &[&str]) -> Result<Vec<String>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let folder = exe.parent().unwrap_or(Path::new("."));
    let deps = if folder.file_name().is_some_and(|n| n == "deps") {
        folder.to_path_buf()
    } else {
        folder.join("deps")
    };
    link_crates_in(&deps, names)
}

/// rustc's arguments that link the run-time crates found in `deps`.
pub fn link_arguments_in(deps: &Path) -> Result<Vec<String>, String> {
    link_crates_in(deps, &["partition"])
}

fn link_crates_in(deps: &Path, names: &[&str]) -> Result<Vec<String>, String> {
    let mut arguments = Vec::new();
    for name in names {
        let rlib = newest_rlib(deps, name).ok_or_else(|| {
            format!(
                "the `{name}` run-time crate is not built in {}: a program that uses it is built as a package (`plc new NAME`, then `plc run` in it)",
                deps.display()
            )
        })?;
        arguments.push("--extern".to_string());
        arguments.push(format!("{name}={}", rlib.display()));
    }
    arguments.push("-L".to_string());
    arguments.push(format!("dependency={}", deps.display()));
    Ok(arguments)
}

/// The most recently built `lib{name}-HASH.rlib` in `deps`: Cargo keeps one
/// per set of features and profile; the newest is the one just built for
/// the running tool.
fn newest_rlib(deps: &Path, name: &str) -> Option<PathBuf> {
    let prefix = format!("lib{name}-");
    std::fs::read_dir(deps)
        .ok()?
        .filter_map(Result::ok)
        .filter(|entry| {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            file.starts_with(&prefix) && file.ends_with(".rlib")
        })
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .max_by_key(|(modified, _)| *modified)
        .map(|(_, path)| path)
}
