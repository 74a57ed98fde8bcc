//! How long after an edit the diagnostics of a 5,000-line file arrive:
//! the server runs in process behind real protocol framing, each edit
//! changes a literal in `main` (so the program really changes), and the
//! time runs from sending `didChange` to receiving `publishDiagnostics`.
//!
//! Then each large malformed file of `malformed::large_malformed_inputs`
//! is opened: the time until its diagnostics and its outline arrive.
//!
//! Run with `cargo bench -p parseltongue-lsp --bench latency`.

#[path = "../tests/support/mod.rs"]
mod support;

use parseltongue_benchmarks::malformed::large_malformed_inputs;
use parseltongue_benchmarks::workload::program;
use serde_json::json;
use std::time::{Duration, Instant};
use support::{uri, Client, MemoryFiles};

const FILE: &str = "/memory/bench/main.pt";
const EDITS: usize = 60;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (text, lines) = program(5_000);
        let mut client = Client::start(MemoryFiles::default()).await;
        client.open(FILE, &text).await;
        let first = client.diagnostics(&uri(FILE)).await;
        assert_eq!(first, json!([]), "the generated program is clean");
        let main_line = text
            .lines()
            .position(|l| l.contains("area0(Shape0::Square(2.0))"))
            .expect("main's call") as u32;
        let column = text
            .lines()
            .nth(main_line as usize)
            .and_then(|l| l.find("2.0"))
            .expect("the literal") as u32;
        let mut times: Vec<Duration> = Vec::with_capacity(EDITS);
        for edit in 0..EDITS {
            let literal = format!("{}.0", 2 + edit % 7);
            let started = Instant::now();
            client
                .notify(
                    "textDocument/didChange",
                    json!({
                        "textDocument": { "uri": uri(FILE), "version": edit + 2 },
                        "contentChanges": [{
                            "range": { "start": { "line": main_line, "character": column }, "end": { "line": main_line, "character": column + 3 } },
                            "text": literal,
                        }]
                    }),
                )
                .await;
            let diagnostics = client.diagnostics(&uri(FILE)).await;
            times.push(started.elapsed());
            assert_eq!(diagnostics, json!([]));
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!("file: {lines} lines; {EDITS} edits, each followed by its diagnostics");
        println!(
            "edit -> diagnostics: min {:.1} ms, p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            ms(times[0]),
            ms(at(0.5)),
            ms(at(0.9)),
            ms(at(0.99)),
            ms(times[times.len() - 1])
        );
        println!("target: 20 ms; p50/target = {:.2}", ms(at(0.5)) / 20.0);

        // A large broken file, opened: the time until its diagnostics
        // arrive, then until the outline the editor asks for next.
        for (what, text) in large_malformed_inputs(100_000) {
            let file = format!("/memory/bench/{}.pt", what.replace(' ', "_"));
            let lines = text.lines().count();
            let started = Instant::now();
            client.open(&file, &text).await;
            let diagnostics = client.diagnostics(&uri(&file)).await;
            let to_diagnostics = started.elapsed();
            let symbols = client
                .request(
                    "textDocument/documentSymbol",
                    json!({ "textDocument": { "uri": uri(&file) } }),
                )
                .await;
            let to_symbols = started.elapsed();
            assert!(symbols.get("error").is_none(), "{what}: {symbols}");
            println!(
                "open {what} ({lines} lines): {} diagnostics after {:.1} ms, outline after {:.1} ms; time/target(1000 ms) {:.2}",
                diagnostics.as_array().map_or(0, Vec::len),
                ms(to_diagnostics),
                ms(to_symbols),
                ms(to_symbols) / 1000.0
            );
        }
    });
}
