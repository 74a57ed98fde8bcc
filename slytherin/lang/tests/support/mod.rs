//! What Slytherin's language tests share: checking and compiling programs
//! with the Slytherin extension, building the generated Rust with the
//! run-time crate linked, and a broker in this process.

#![allow(dead_code, missing_docs)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use parseltongue_core::diagnostics::Diagnostic;
use parseltongue_core::extension::Extensions;
use parseltongue_core::source::{SourceFile, SourceMap};
use slytherin_broker::config::BrokerConfig;
use slytherin_broker::server::Server;

pub fn extensions() -> Extensions {
    Extensions::of([slytherin_lang::extension()])
}

pub fn sources(text: &str) -> SourceMap {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("main.pt", text));
    sources
}

/// The diagnostics of `text` checked with Slytherin.
pub fn diagnostics(text: &str) -> Vec<Diagnostic> {
    parseltongue_core::check_with(&sources(text), &extensions()).diagnostics
}

/// The codes of the errors of `text`, with the text each points at.
pub fn errors(text: &str) -> Vec<(String, String)> {
    diagnostics(text)
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code.to_string(), text[d.primary.span.range()].to_string()))
        .collect()
}

/// The generated Rust of an error-free program.
pub fn rust_of(text: &str) -> String {
    let compiled = parseltongue_core::compile_with(&sources(text), &extensions())
        .expect("the lowering succeeds");
    assert!(
        compiled.diagnostics.is_empty(),
        "{:#?}",
        compiled.diagnostics
    );
    compiled.rust.expect("Rust for a program without errors")
}

/// For each `(from, to, (code, text))`: `program` with `from` replaced by
/// `to` has an error `code` whose span covers exactly `text`.
pub fn assert_each_mistake_coded(program: &str, cases: &[(&str, &str, (&str, &str))]) {
    for (from, to, expected) in cases {
        assert!(program.contains(from), "{from}");
        let text = program.replacen(from, to, 1);
        let got = errors(&text);
        assert!(
            got.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{from:?} → {to:?}: expected {expected:?}, got {got:?}"
        );
    }
}

/// Builds generated Rust with clippy's driver under `-D warnings`, the
/// run-time crates linked; returns the binary.
pub fn build(name: &str, rust: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("slytherin-lang");
    std::fs::create_dir_all(&dir).expect("a work folder");
    let source = dir.join(format!("{name}.rs"));
    let binary = dir.join(format!("{name}.bin"));
    std::fs::write(&source, rust).expect("the source is written");
    let driver = std::env::var("CLIPPY_DRIVER").unwrap_or_else(|_| "clippy-driver".to_string());
    let link = parseltongue_build::runtime_crates::link_arguments_for(&["slytherin_runtime"])
        .expect("the run-time crate is built beside the tests");
    let output = Command::new(&driver)
        .args(["--edition", "2021", "-D", "warnings", "-C", "debuginfo=0"])
        .args(&link)
        .arg("-o")
        .arg(&binary)
        .arg(&source)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {driver}: {e}"));
    assert!(
        output.status.success(),
        "{name}: the generated Rust does not build:\n{}\n--- generated ---\n{rust}",
        String::from_utf8_lossy(&output.stderr)
    );
    binary
}

/// Runs a built program against `brokers`; its standard output, or a
/// panic with its standard error.
pub fn run(binary: &Path, brokers: SocketAddr) -> String {
    let output = Command::new(binary)
        .env("SLYTHERIN_BROKERS", brokers.to_string())
        .output()
        .expect("the program starts");
    assert!(
        output.status.success(),
        "the program failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A broker serving on a free port of 127.0.0.1 from a fresh folder.
pub struct TestBroker {
    server: Option<Server>,
    _data: tempfile::TempDir,
}

impl TestBroker {
    pub fn start() -> TestBroker {
        let data = tempfile::tempdir().expect("a data folder");
        let server =
            Server::start(&BrokerConfig::embedded(data.path())).expect("the broker starts");
        TestBroker {
            server: Some(server),
            _data: data,
        }
    }

    pub fn address(&self) -> SocketAddr {
        self.server.as_ref().expect("running").address()
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.shutdown();
        }
    }
}
