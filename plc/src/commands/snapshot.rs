//! `plc snapshot`: pins the generated Rust of every `.pt` file in
//! snapshot files, so every change to the sources shows up as a Rust diff
//! to review.
//!
//! Snapshots live in `snapshots/` beside `src/` (or beside the program
//! file or folder), one `FILE.snap` per `.pt` file, in insta's layout: a
//! small header between `---` lines, then the generated Rust.

use super::{load_program, print_diagnostics, Outcome};
use crate::Format;
use parseltongue_core::source::{SourceFile, SourceMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A package or program folder keeps its snapshots in `snapshots/`
/// inside it (a package's beside its `src/`, from whichever of its
/// folders the command runs); a single file in `snapshots/` beside it.
fn snapshot_dir(path: &Path) -> PathBuf {
    match super::target(path) {
        super::Target::Package { root, .. } => root.join("snapshots"),
        super::Target::Program(program) if program.is_dir() => program.join("snapshots"),
        super::Target::Program(program) => program
            .parent()
            .map_or_else(|| PathBuf::from("snapshots"), |p| p.join("snapshots")),
    }
}

fn snapshot_text(source: &str, rust: &str) -> String {
    format!("---\nsource: {source}\nexpression: generated Rust\n---\n{rust}")
}

fn body_of(snapshot: &str) -> &str {
    snapshot
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or(snapshot, |(_, body)| body)
}

/// `plc snapshot`
pub fn snapshot(path: &Path, accept: bool) -> Outcome {
    let program = load_program(path)?;
    // Snapshots name files relative to the program's folder, so they are
    // the same on every machine and from every working folder.
    let mut relative = SourceMap::new();
    for ((_, file), on_disk) in program.sources.iter().zip(&program.paths) {
        let name = on_disk
            .file_name()
            .map_or_else(|| file.name.clone(), |n| n.to_string_lossy().into_owned());
        relative.add(SourceFile::new(name, file.text.clone()));
    }
    let compiled = parseltongue_extensions::compile(&relative)
        .map_err(|e| format!("internal compiler error, please report it: {e}"))?;
    if compiled.rust.is_none() {
        print_diagnostics(&compiled.diagnostics, &program.sources, Format::Human);
        return Ok(super::diagnostics_failed());
    }
    let dir = snapshot_dir(path);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let mut expected_files = Vec::new();
    let (mut changed, mut new, mut same) = (0, 0, 0);
    for (file, rust) in program.paths.iter().zip(&compiled.modules) {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let snap = dir.join(format!("{name}.snap"));
        let pending = dir.join(format!("{name}.snap.new"));
        expected_files.push(snap.clone());
        let text = snapshot_text(&name, rust);
        let recorded = std::fs::read_to_string(&snap).ok();
        let write = |path: &Path| {
            std::fs::write(path, &text)
                .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
        };
        match recorded {
            Some(old) if body_of(&old) == rust.as_str() => {
                same += 1;
                let _ = std::fs::remove_file(&pending);
            }
            Some(old) => {
                changed += 1;
                if accept {
                    write(&snap)?;
                    let _ = std::fs::remove_file(&pending);
                } else {
                    super::print_diff(
                        &format!("{name} (recorded)"),
                        &format!("{name} (generated now)"),
                        body_of(&old),
                        rust,
                        3,
                    );
                    write(&pending)?;
                }
            }
            None => {
                new += 1;
                if accept {
                    write(&snap)?;
                    let _ = std::fs::remove_file(&pending);
                } else {
                    println!("new snapshot for {name}:");
                    super::print_diff(
                        &format!("{name} (recorded)"),
                        &format!("{name} (generated now)"),
                        "",
                        rust,
                        3,
                    );
                    write(&pending)?;
                }
            }
        }
    }
    // Snapshots of `.pt` files that no longer exist.
    let mut stale = Vec::new();
    // (A single file shares its folder's snapshots with its neighbours.)
    let entries = if path.is_dir() {
        std::fs::read_dir(&dir).ok()
    } else {
        None
    };
    if let Some(entries) = entries {
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "snap") && !expected_files.contains(&path) {
                stale.push(path);
            }
        }
    }
    stale.sort();
    for path in &stale {
        if accept {
            std::fs::remove_file(path)
                .map_err(|e| format!("cannot remove `{}`: {e}", path.display()))?;
        } else {
            println!("stale snapshot: {} (its .pt file is gone)", path.display());
        }
    }
    if accept {
        eprintln!(
            "recorded {} snapshot{} ({same} unchanged, {changed} updated, {new} new, {} removed) in `{}`",
            same + changed + new,
            if same + changed + new == 1 { "" } else { "s" },
            stale.len(),
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if changed + new + stale.len() == 0 {
        eprintln!("{same} snapshot{} match", if same == 1 { "" } else { "s" });
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{changed} changed, {new} new, {} stale snapshot{}; review the diff above, then record it with `plc snapshot --accept`",
            stale.len(),
            if stale.len() == 1 { "" } else { "s" }
        );
        Ok(super::diagnostics_failed())
    }
}
