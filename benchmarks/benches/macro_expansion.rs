//! What `parseltongue! { … }` costs a Rust build: the expansion time of the
//! largest program of the valid corpus (the steps the macro runs: tokens
//! to text, check, lower, Rust tokens) and the time rustc takes to compile
//! what it expands to, side by side.
//!
//! Run with `cargo bench -p parseltongue-benchmarks --bench macro_expansion`.

use parseltongue_benchmarks::timing::best_of;
use parseltongue_core::source::{SourceFile, SourceMap};
use parseltongue_core::syntax::rust_tokens::TokenText;
use proc_macro2::TokenStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The expansion, as the macro performs it.
fn expand(tokens: TokenStream) -> TokenStream {
    let text = TokenText::from_tokens(tokens);
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("parseltongue!", text.text));
    let rust = parseltongue_core::compile(&sources)
        .expect("lowers")
        .rust
        .expect("a valid program");
    rust.parse().expect("generated Rust lexes")
}

fn main() {
    let corpus =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../parseltongue-core/tests/corpus/valid");
    let (name, text) = std::fs::read_dir(&corpus)
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pt"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).expect("program"),
            )
        })
        .max_by_key(|(_, text)| text.lines().count())
        .expect("a program");
    let tokens: TokenStream = text.parse().expect("Rust tokens");
    let expansion = best_of_time(50, || {
        std::hint::black_box(expand(tokens.clone()));
    });
    let rust = expand(tokens).to_string();

    let dir = std::env::temp_dir().join("parseltongue-macro-bench");
    std::fs::create_dir_all(&dir).expect("bench folder");
    let source = dir.join("expanded.rs");
    std::fs::write(&source, &rust).expect("write");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let compile = |extra: &[&str]| {
        best_of_time(3, || {
            let status = Command::new(&rustc)
                .args([
                    "--edition",
                    "2021",
                    "--crate-type",
                    "bin",
                    "--crate-name",
                    "expanded",
                ])
                .args(extra)
                .arg("--out-dir")
                .arg(&dir)
                .arg(&source)
                .status()
                .expect("rustc runs");
            assert!(status.success(), "the expansion compiles");
        })
    };
    let check = compile(&["--emit=metadata"]);
    let build = compile(&[]);

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("program: {name} ({} lines)", text.lines().count());
    println!("macro expansion:          {:>8.2} ms", ms(expansion));
    println!(
        "rustc check of the output: {:>8.1} ms ({:.0}x the expansion)",
        ms(check),
        check.as_secs_f64() / expansion.as_secs_f64()
    );
    println!(
        "rustc build of the output: {:>8.1} ms ({:.0}x the expansion)",
        ms(build),
        build.as_secs_f64() / expansion.as_secs_f64()
    );
}

/// The best time of `runs` runs of `f`.
fn best_of_time(runs: usize, f: impl FnMut()) -> Duration {
    best_of(runs, f).0
}
