//! Generated Rust on disk: written only when it changed (so Cargo's
//! incremental build keeps working), with an origins file beside it that
//! maps each generated line back to the `.pt` statement it came from.
//!
//! The origins file of `NAME.rs` is `NAME.rs.origins`: JSON with the `.pt`
//! files (absolute paths, in source-map order) and the line runs of
//! [`LineOrigins::to_text`]. Any tool that finds a generated file in a
//! rustc message can look for it.

use parseltongue_core::lower::LineOrigins;
use std::path::{Path, PathBuf};

/// The origins file that belongs to generated file `rust`.
pub fn origins_path(rust: &Path) -> PathBuf {
    let mut name = rust.as_os_str().to_owned();
    name.push(".origins");
    PathBuf::from(name)
}

/// Writes `text` to `path` unless the file already holds exactly that text.
/// Returns whether it wrote.
pub fn write_if_changed(path: &Path, text: &str) -> std::io::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)?;
    Ok(true)
}

/// Writes generated Rust and its origins file. Returns whether the Rust
/// changed.
pub fn write_generated(
    rust_path: &Path,
    rust: &str,
    origins: &LineOrigins,
    sources: &[PathBuf],
) -> std::io::Result<bool> {
    let files: Vec<String> = sources
        .iter()
        .map(|p| {
            std::path::absolute(p)
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string()
        })
        .collect();
    let json = serde_json::json!({ "files": files, "lines": origins.to_text() });
    write_if_changed(&origins_path(rust_path), &format!("{json}\n"))?;
    write_if_changed(rust_path, rust)
}

/// The origins recorded beside generated file `rust`: the `.pt` files and
/// the line runs. `None` if there is no readable origins file.
pub fn read_origins(rust: &Path) -> Option<(Vec<PathBuf>, LineOrigins)> {
    let text = std::fs::read_to_string(origins_path(rust)).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let files = json
        .get("files")?
        .as_array()?
        .iter()
        .map(|f| f.as_str().map(PathBuf::from))
        .collect::<Option<Vec<_>>>()?;
    let lines = LineOrigins::from_text(json.get("lines")?.as_str()?)?;
    Some((files, lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_text_is_not_rewritten_and_origins_round_trip() {
        let dir = std::env::temp_dir().join(format!("pt-generated-{}", std::process::id()));
        let rust = dir.join("main.rs");
        let origins = LineOrigins::from_text("2 0 5 9\n").expect("valid origins");
        let sources = vec![dir.join("main.pt")];
        assert!(write_generated(&rust, "fn main() {}\n", &origins, &sources).expect("writes"));
        assert!(!write_generated(&rust, "fn main() {}\n", &origins, &sources).expect("writes"));
        let (files, read) = read_origins(&rust).expect("origins file");
        assert_eq!(files, sources);
        assert_eq!(read, origins);
        std::fs::remove_dir_all(&dir).expect("cleans up");
    }
}
