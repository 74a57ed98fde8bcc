//! The reference evaluator against the corpus's expected output, and
//! against what compiled programs print at the sharp edges.

use parseltongue_conformance::interpret::{run_main, End, Outcome};
use parseltongue_core::source::{SourceFile, SourceMap};
use std::path::{Path, PathBuf};

const FUEL: u64 = 10_000_000;

/// Corpus programs the evaluator cannot run, with the reason.
const SKIPPED: &[&str] = &[
    // Calls `rust_function`s (std::time::Instant::now and friends).
    "rust_interop",
];

fn check(sources: &SourceMap) -> parseltongue_core::ir::Program {
    let checked = parseltongue_core::check(sources);
    let problems: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| format!("{:?} {}", d.code, d.message))
        .collect();
    assert!(problems.is_empty(), "diagnostics: {problems:#?}");
    checked.program
}

fn run(source: &str) -> Outcome {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("main.pt", source));
    run_main(&check(&sources), FUEL)
}

/// Runs a program that must finish, and returns its output.
fn stdout(source: &str) -> String {
    let outcome = run(source);
    assert_eq!(outcome.end, End::Finished, "stdout so far: {}", outcome.stdout);
    outcome.stdout
}

/// Runs a program that must panic, and returns its output and message.
fn panicked(source: &str) -> (String, String) {
    let outcome = run(source);
    match outcome.end {
        End::Panicked(message) => (outcome.stdout, message),
        other => panic!("expected a panic, got {other:?} after {:?}", outcome.stdout),
    }
}

fn in_main(body: &str) -> String {
    format!("function main() {{\n{body}\n}}\n")
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../parseltongue-core/tests/corpus/valid")
}

/// The corpus entry's files, the root module first (as the corpus test
/// loads them), or `None` for a file that is not a program.
fn corpus_sources(path: &Path) -> Option<(String, SourceMap)> {
    let name = path.file_stem()?.to_string_lossy().to_string();
    let mut files = Vec::new();
    if path.is_dir() {
        let main = path.join("main.pt");
        let mut others: Vec<PathBuf> = std::fs::read_dir(path)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "pt") && *p != main)
            .collect();
        others.sort();
        files.push((main, path.to_path_buf()));
        files.extend(others.into_iter().map(|p| (p, path.to_path_buf())));
    } else if path.extension().is_some_and(|e| e == "pt") {
        files.push((path.to_path_buf(), corpus_dir()));
    } else {
        return None;
    }
    let mut map = SourceMap::new();
    for (file, dir) in files {
        let text = std::fs::read_to_string(&file).expect("readable corpus file");
        let relative = file.strip_prefix(&dir).unwrap_or(&file);
        map.add(SourceFile::new(relative.to_string_lossy(), text));
    }
    Some((name, map))
}

#[test]
fn corpus_programs_print_their_expected_output() {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the corpus folder")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    entries.sort();
    let mut failures = Vec::new();
    let mut ran = 0;
    for path in entries {
        let Some((name, sources)) = corpus_sources(&path) else {
            continue;
        };
        if SKIPPED.contains(&name.as_str()) {
            continue;
        }
        let expected = std::fs::read_to_string(corpus_dir().join(format!("{name}.stdout")))
            .unwrap_or_default();
        let outcome = run_main(&check(&sources), FUEL);
        ran += 1;
        if outcome.end != End::Finished || outcome.stdout != expected {
            failures.push(format!(
                "{name}: {:?}\n--- expected\n{expected}--- got\n{}",
                outcome.end, outcome.stdout
            ));
        }
    }
    assert!(ran > 30, "only {ran} corpus programs found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
