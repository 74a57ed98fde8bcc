//! Shared helpers for the corpus tests: finding corpus entries, compiling
//! generated Rust with rustc's clippy driver, running the result.
#![allow(dead_code)]

use parseltongue_core::source::{SourceFile, SourceMap};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One corpus program: a single `.pt` file, or a folder whose `main.pt`
/// is the root module.
pub struct Entry {
    pub name: String,
    pub files: Vec<PathBuf>,
    pub dir: PathBuf,
}

impl Entry {
    pub fn sources(&self) -> SourceMap {
        let mut map = SourceMap::new();
        for file in &self.files {
            let text = std::fs::read_to_string(file).expect("corpus file is readable");
            let name = file
                .strip_prefix(&self.dir)
                .unwrap_or(file)
                .to_string_lossy()
                .replace('\\', "/");
            map.add(SourceFile::new(name, text));
        }
        map
    }

    pub fn expected_stdout(&self) -> String {
        std::fs::read_to_string(self.dir.join(format!("{}.stdout", self.name))).unwrap_or_default()
    }
}

pub fn corpus_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(kind)
}

pub fn corpus_entries(kind: &str) -> Vec<Entry> {
    let dir = corpus_dir(kind);
    let mut entries = Vec::new();
    for item in std::fs::read_dir(&dir).expect("corpus folder exists") {
        let path = item.expect("readable folder entry").path();
        let name = path
            .file_stem()
            .expect("named")
            .to_string_lossy()
            .to_string();
        if path.is_dir() {
            let main = path.join("main.pt");
            let mut others: Vec<PathBuf> = std::fs::read_dir(&path)
                .expect("module folder")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "pt") && *p != main)
                .collect();
            others.sort();
            let mut files = vec![main];
            files.extend(others);
            entries.push(Entry {
                name,
                files,
                dir: path.clone(),
            });
        } else if path.extension().is_some_and(|e| e == "pt") {
            entries.push(Entry {
                name,
                files: vec![path.clone()],
                dir: dir.clone(),
            });
        }
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    // Folder entries keep their `.stdout` beside the folder.
    for entry in &mut entries {
        if entry.files.len() > 1 || entry.files[0].file_name().is_some_and(|f| f == "main.pt") {
            entry.dir = dir.clone();
            let folder = dir.join(&entry.name);
            entry.files = entry.files.clone();
            let _ = folder;
        }
    }
    entries
}

/// Where generated programs and binaries go.
pub fn work_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corpus");
    std::fs::create_dir_all(&dir).expect("can create the work folder");
    dir
}

/// Compiles generated Rust with clippy's driver (rustc plus clippy's lints)
/// under `-D warnings`, and returns the binary.
pub fn compile_with_clippy(name: &str, rust: &str) -> Result<PathBuf, String> {
    let driver = std::env::var("CLIPPY_DRIVER").unwrap_or_else(|_| "clippy-driver".to_string());
    compile_with(&driver, name, rust, &[])
}

/// Compiles generated Rust's tests into a libtest harness with clippy's
/// driver, under the same rules.
#[allow(dead_code)] // Not every test binary that includes `support` runs tests.
pub fn compile_tests_with_clippy(name: &str, rust: &str) -> Result<PathBuf, String> {
    let driver = std::env::var("CLIPPY_DRIVER").unwrap_or_else(|_| "clippy-driver".to_string());
    compile_with(&driver, &format!("{name}_tests"), rust, &["--test"])
}

/// Compiles generated Rust with plain rustc under `-D warnings`.
pub fn compile_with_rustc(name: &str, rust: &str) -> Result<PathBuf, String> {
    compile_with("rustc", name, rust, &[])
}

fn compile_with(driver: &str, name: &str, rust: &str, extra: &[&str]) -> Result<PathBuf, String> {
    let dir = work_dir();
    let source = dir.join(format!("{name}.rs"));
    let binary = dir.join(format!("{name}.bin"));
    std::fs::write(&source, format!("#![deny(warnings)]\n{rust}")).map_err(|e| e.to_string())?;
    let runtime = if rust.contains("::partition::") {
        parseltongue_build::runtime_crates::link_arguments()?
    } else {
        Vec::new()
    };
    let output = Command::new(driver)
        .args([
            "--edition",
            "2021",
            "-D",
            "warnings",
            "-C",
            "opt-level=0",
            "-C",
            "debuginfo=0",
        ])
        .args(extra)
        .args(&runtime)
        .arg("-o")
        .arg(&binary)
        .arg(&source)
        .output()
        .map_err(|e| format!("cannot run `{driver}`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{name}: generated Rust was rejected by rustc/clippy:\n{}\n--- generated ---\n{rust}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(binary)
}

pub fn run_binary(binary: &Path, name: &str) -> Result<String, String> {
    let output = Command::new(binary)
        .output()
        .map_err(|e| format!("{name}: cannot run: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{name}: exited with {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs `f` over `items` on as many threads as there are cores.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(items.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<R>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= items.len() {
                    break;
                }
                let r = f(&items[i]);
                *results[i].lock().expect("result slot") = Some(r);
            });
        }
    });
    results
        .into_iter()
        .map(|m| m.into_inner().expect("slot").expect("every item ran"))
        .collect()
}

/// A fenced code block of a Markdown file.
pub struct Block {
    /// The info string after the opening fence, e.g. `pt wrong PT0301`.
    pub info: String,
    /// The body.
    pub text: String,
    /// The line of the opening fence (1-based).
    pub line: usize,
}

/// Every fenced code block of `markdown`, in order.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = markdown.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        if info.is_empty() {
            // A closing fence without an opening one: skip.
            continue;
        }
        let mut text = String::new();
        for (_, body) in lines.by_ref() {
            if body.starts_with("```") {
                break;
            }
            text.push_str(body);
            text.push('\n');
        }
        out.push(Block {
            info: info.trim().to_string(),
            text,
            line: n + 1,
        });
    }
    out
}

/// Each diagnostic whose primary label, or one of whose secondary labels,
/// has no text, described by code, file and headline: rendered, such a
/// label is an arrow pointing at nothing.
pub fn unlabelled(
    diagnostics: &[parseltongue_core::diagnostics::Diagnostic],
    sources: &SourceMap,
) -> Vec<String> {
    let mut found = Vec::new();
    for d in diagnostics {
        let labels = std::iter::once(("primary", &d.primary))
            .chain(d.secondary.iter().map(|label| ("secondary", label)));
        for (which, label) in labels {
            if label.message.trim().is_empty() {
                let file = sources.get(label.span.file);
                let at = file.line_column(label.span.start);
                found.push(format!(
                    "{} in {}:{}:{}: {which} label without text (\"{}\")",
                    d.code, file.name, at.line, at.column, d.message
                ));
            }
        }
    }
    found
}

/// What [`written_programs`] collects.
pub struct Written<'a> {
    /// Corpus kinds: `"valid"`, `"errors"`.
    pub corpora: &'a [&'a str],
    /// Which ```` ``` ```` blocks of the references count, by their info
    /// string (`pt`, `pt wrong PT0301`).
    pub blocks: fn(&str) -> bool,
    /// The `.pt` files of the examples folder too.
    pub examples: bool,
}

/// Every `.pt` text the project has of the kinds `which` names, with a
/// name for messages: corpus files, the references' blocks, examples.
pub fn written_programs(which: &Written<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for kind in which.corpora {
        for entry in corpus_entries(kind) {
            for file in &entry.files {
                let text = std::fs::read_to_string(file).expect("corpus file");
                out.push((file.display().to_string(), text));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for doc in ["docs/reference.md", "docs/llms.txt"] {
        let markdown = std::fs::read_to_string(root.join(doc)).expect("doc exists");
        for block in blocks(&markdown) {
            if (which.blocks)(&block.info) {
                out.push((format!("{doc}:{}", block.line), block.text));
            }
        }
    }
    let mut folders = if which.examples {
        vec![root.join("examples")]
    } else {
        Vec::new()
    };
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("examples folder") {
            let path: PathBuf = entry.expect("entry").path();
            if path.is_dir() && !path.ends_with("target") {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "pt") {
                out.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).expect("example"),
                ));
            }
        }
    }
    out
}
