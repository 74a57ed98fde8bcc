//! The valid corpus: every program under `tests/corpus/valid` must check
//! without a diagnostic, lower to Rust that matches its snapshot, compile
//! under `#![deny(warnings)]` and clippy's default lints, and print exactly
//! its `.stdout` file when run; a program with `test` blocks must also
//! build as a test harness under the same rules, and its tests pass.

mod support;

use support::{compile_tests_with_clippy, compile_with_clippy, corpus_entries, run_binary};

#[test]
fn valid_corpus_compiles_runs_and_matches_snapshots() {
    let entries = corpus_entries("valid");
    assert!(entries.len() >= 2, "the valid corpus is missing");
    let mut failures = Vec::new();
    let mut generated = Vec::new();
    for entry in &entries {
        let sources = entry.sources();
        let compiled =
            parseltongue_core::compile(&sources).expect("lowering produced invalid Rust");
        if !compiled.diagnostics.is_empty() {
            failures.push(format!(
                "{}: expected no diagnostics, got:\n{}",
                entry.name,
                parseltongue_core::diagnostics::render::render_all(
                    &compiled.diagnostics,
                    &sources,
                    parseltongue_core::diagnostics::render::ColorChoice::Never
                )
            ));
            continue;
        }
        let rust = compiled.rust.expect("no errors, so there is Rust");
        let again = parseltongue_core::compile(&sources)
            .expect("second run")
            .rust
            .expect("rust");
        assert_eq!(rust, again, "{}: lowering is not deterministic", entry.name);
        insta::with_settings!({ snapshot_path => "snapshots/valid", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(entry.name.as_str(), rust);
        });
        generated.push((entry, rust));
    }
    let results = support::parallel_map(&generated, |(entry, rust)| {
        let binary = compile_with_clippy(&entry.name, rust)?;
        if rust.contains("#[cfg(test)]") {
            let harness = compile_tests_with_clippy(&entry.name, rust)?;
            let ran = std::process::Command::new(&harness)
                .output()
                .map_err(|e| format!("{}: cannot run its tests: {e}", entry.name))?;
            if !ran.status.success() {
                return Err(format!(
                    "{}: its tests failed:\n{}",
                    entry.name,
                    String::from_utf8_lossy(&ran.stdout)
                ));
            }
        }
        let output = run_binary(&binary, &entry.name)?;
        let expected = entry.expected_stdout();
        if output != expected {
            return Err(format!(
                "{}: output differs\n--- expected\n{expected}--- actual\n{output}",
                entry.name
            ));
        }
        Ok(())
    });
    failures.extend(results.into_iter().filter_map(Result::err));
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
