//! Random edit sequences: whatever is typed, deleted or pasted, and
//! wherever the cursor is (past the end of a line or of the file
//! included), the server answers every request and never panics.

mod support;

use proptest::prelude::*;
use serde_json::json;
use support::{uri, Client, MemoryFiles};

const FILE: &str = "/memory/fuzz/main.pt";

/// Text fragments that edits insert: pieces of valid code and of broken code.
const FRAGMENTS: &[&str] = &[
    "let_var x = 1;",
    "}",
    "{",
    "(",
    ")",
    "match ",
    "x.",
    "Point { x: ",
    "\"",
    "// c\n",
    "::",
    "function f() {",
    "record R { a: i64 }",
    "\n",
    " ",
    "é🐍",
    "print_line(\"{}\", ",
    ",",
    "=>",
    "let_mut_var",
    "for i in range(0, 3) {",
    "with_lock ",
    "propagate ",
    "1.5",
    "-",
    "/*",
];

#[derive(Debug, Clone)]
struct Edit {
    start: (u32, u32),
    end: (u32, u32),
    text: String,
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        (0u32..40, 0u32..60),
        (0u32..40, 0u32..60),
        prop::collection::vec(0..FRAGMENTS.len(), 0..3),
    )
        .prop_map(|(a, b, picks)| {
            let (start, end) = if a <= b { (a, b) } else { (b, a) };
            Edit {
                start,
                end,
                text: picks.iter().map(|&i| FRAGMENTS[i]).collect(),
            }
        })
}

fn corpus_program(which: usize) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../parseltongue-core/tests/corpus/valid");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pt"))
        .collect();
    files.sort();
    std::fs::read_to_string(&files[which % files.len()]).expect("program")
}

const REQUESTS: &[&str] = &[
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/signatureHelp",
    "textDocument/documentHighlight",
    "textDocument/references",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_edit_sequence_gets_answers(which in any::<usize>(), edits in prop::collection::vec(edit(), 1..12), probes in prop::collection::vec((0u32..45, 0u32..70), 1..6)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let mut client = Client::start(MemoryFiles::default()).await;
            client.open(FILE, &corpus_program(which)).await;
            for (version, e) in edits.iter().enumerate() {
                client
                    .notify(
                        "textDocument/didChange",
                        json!({
                            "textDocument": { "uri": uri(FILE), "version": version + 2 },
                            "contentChanges": [{
                                "range": { "start": { "line": e.start.0, "character": e.start.1 }, "end": { "line": e.end.0, "character": e.end.1 } },
                                "text": e.text,
                            }]
                        }),
                    )
                    .await;
                for (i, (line, character)) in probes.iter().enumerate() {
                    let method = REQUESTS[(i + version) % REQUESTS.len()];
                    let mut params = json!({
                        "textDocument": { "uri": uri(FILE) },
                        "position": { "line": line, "character": character },
                    });
                    if method == "textDocument/references" {
                        params["context"] = json!({ "includeDeclaration": true });
                    }
                    let answer = client.request(method, params).await;
                    prop_assert!(answer.get("error").is_none(), "{method} failed: {answer}");
                }
            }
            let document = json!({ "textDocument": { "uri": uri(FILE) } });
            for method in ["textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/semanticTokens/full"] {
                let answer = client.request(method, document.clone()).await;
                prop_assert!(answer.get("error").is_none(), "{method} failed: {answer}");
            }
            let formatted = client
                .request("textDocument/formatting", json!({ "textDocument": { "uri": uri(FILE) }, "options": { "tabSize": 4, "insertSpaces": true } }))
                .await;
            // Edits, or (for a file with syntax errors) the error that says so.
            let refused = formatted["error"]["code"] == -32803
                && formatted["error"]["message"].as_str().is_some_and(|m| m.starts_with("not formatted: the file has syntax errors"));
            prop_assert!(formatted.get("error").is_none() || refused, "{formatted}");
            let hints = client
                .request("textDocument/inlayHint", json!({ "textDocument": { "uri": uri(FILE) }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 999, "character": 0 } } }))
                .await;
            prop_assert!(hints.get("error").is_none(), "{hints}");
            let actions = client
                .request("textDocument/codeAction", json!({ "textDocument": { "uri": uri(FILE) }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 999, "character": 0 } }, "context": { "diagnostics": [] } }))
                .await;
            prop_assert!(actions.get("error").is_none(), "{actions}");
            let diagnostics = client.diagnostics(&uri(FILE)).await;
            prop_assert!(diagnostics.is_array());
            Ok(())
        })?;
    }
}

/// A large broken file is answered in time linear in its size: opening it
/// publishes diagnostics, and the outline, folding and semantic tokens the
/// editor asks for next come back too. The limit is many times what a
/// linear server takes in a debug build; a quadratic recovery fails it.
#[test]
fn large_malformed_files_are_answered_in_linear_time() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for (what, text) in parseltongue_benchmarks::malformed::large_malformed_inputs(100_000) {
            let mut client = Client::start(MemoryFiles::default()).await;
            let started = std::time::Instant::now();
            client.open(FILE, &text).await;
            let diagnostics = client.diagnostics(&uri(FILE)).await;
            let shown = diagnostics.as_array().map_or(0, Vec::len);
            assert!(
                (1..=parseltongue_core::syntax::MAX_SYNTAX_ERRORS + 1).contains(&shown),
                "{what}: {shown} diagnostics"
            );
            let document = json!({ "textDocument": { "uri": uri(FILE) } });
            for method in [
                "textDocument/documentSymbol",
                "textDocument/foldingRange",
                "textDocument/semanticTokens/full",
            ] {
                let answer = client.request(method, document.clone()).await;
                assert!(
                    answer.get("error").is_none(),
                    "{what}: {method} failed: {answer}"
                );
            }
            let elapsed = started.elapsed();
            assert!(
                elapsed < std::time::Duration::from_secs(90),
                "{what}: {} lines took {elapsed:?}",
                text.lines().count()
            );
        }
    });
}
