//! The error corpus: every program under `tests/corpus/errors` declares,
//! in `// expect: PTxxxx line N` comments, exactly the diagnostics it must
//! produce; the rendered report is pinned by a snapshot. Together the
//! cases cover every diagnostic code, and every diagnostic they produce
//! says at each of its places what is there (a label without text is an
//! arrow pointing at nothing).

mod support;

use parseltongue_core::diagnostics::codes;
use parseltongue_core::diagnostics::render::{render_all, ColorChoice};
use std::collections::BTreeSet;

fn expectations(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("// expect:"))
        .map(|rest| {
            let mut parts = rest.split_whitespace();
            let code = parts.next().expect("a code after `expect:`").to_string();
            assert_eq!(
                parts.next(),
                Some("line"),
                "expected `// expect: PTxxxx line N`"
            );
            let line = parts
                .next()
                .and_then(|n| n.parse().ok())
                .expect("a line number");
            (code, line)
        })
        .collect()
}

#[test]
fn error_corpus_reports_expected_codes_at_expected_lines() {
    let entries = support::corpus_entries("errors");
    assert!(
        entries.len() >= 60,
        "the error corpus has {} cases, expected at least 60",
        entries.len()
    );
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for entry in &entries {
        let sources = entry.sources();
        let root = sources.get(parseltongue_core::source::FileId(0));
        let mut expected = expectations(&root.text);
        assert!(!expected.is_empty(), "{}: no `// expect:` line", entry.name);
        let checked = parseltongue_core::check(&sources);
        let mut actual: Vec<(String, usize)> = checked
            .diagnostics
            .iter()
            .filter(|d| d.primary.span.file.0 == 0)
            .map(|d| {
                (
                    d.code.to_string(),
                    root.line_column(d.primary.span.start).line,
                )
            })
            .collect();
        expected.sort();
        actual.sort();
        covered.extend(checked.diagnostics.iter().map(|d| d.code));
        // Before the snapshot, whose difference would hide the reason.
        let unlabelled = support::unlabelled(&checked.diagnostics, &sources);
        assert!(
            unlabelled.is_empty(),
            "{}: every label must say what is at its place:\n{}",
            entry.name,
            unlabelled.join("\n")
        );
        if expected != actual {
            failures.push(format!(
                "{}: expected {expected:?}\n    got {actual:?}",
                entry.name
            ));
        }
        let rendered = render_all(&checked.diagnostics, &sources, ColorChoice::Never);
        insta::with_settings!({ snapshot_path => "snapshots/errors", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(entry.name.as_str(), rendered);
        });
    }
    // Programs with warnings only still lower to Rust that rustc accepts
    // under `-D warnings`: each warning rustc would repeat is silenced where
    // the checker already reported it. (Clippy's style lints are not asked
    // of programs the checker has already warned about.)
    let warning_only: Vec<(String, String)> = entries
        .iter()
        .filter_map(|entry| {
            let compiled = parseltongue_core::compile(&entry.sources()).expect("lowering");
            compiled
                .rust
                .map(|rust| (format!("warnings_{}", entry.name), rust))
        })
        .collect();
    assert!(
        warning_only.len() >= 10,
        "only {} warning-only cases",
        warning_only.len()
    );
    let results = support::parallel_map(&warning_only, |(name, rust)| {
        support::compile_with_rustc(name, rust).map(|_| ())
    });
    failures.extend(results.into_iter().filter_map(Result::err));
    let uncovered: Vec<String> = codes::ALL
        .iter()
        .filter(|info| !covered.contains(&info.code))
        .map(|info| info.code.to_string())
        .collect();
    assert!(
        failures.is_empty(),
        "{} case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        uncovered.is_empty(),
        "codes without an error-corpus case: {uncovered:?}"
    );
}
