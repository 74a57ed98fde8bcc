//! Many lowered programs built as one Rust binary, to bound rustc's time:
//! each program becomes a module (`include!`d from its own file, so every
//! rustc message names the program it is about), `main` runs the program
//! whose number it is given. The crate is built with clippy's driver under
//! `#![deny(warnings)]`; programs rustc rejects are reported with its
//! messages and left out of a second build, so the rest still run.
//! Programs with tests are built once more as a test harness (`--test`),
//! which runs their tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A program's Rust as a module of the batch crate: without the library
/// entry point `export_pipelines!` gives a program with pipelines (a crate
/// exports one, and a batch holds many programs; the pipelines themselves
/// stay and are built).
fn without_library_entry(rust: &str) -> String {
    const ENTRY: &str = "::slytherin_runtime::export_pipelines!(";
    let mut out = String::with_capacity(rust.len());
    let mut rest = rust;
    while let Some(at) = rest.find(ENTRY) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match rest.find(");") {
            Some(end) => rest = &rest[end + 2..],
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// One program's generated Rust.
#[derive(Clone, Debug)]
pub struct Unit {
    /// The lowered Rust (one file, as `parseltongue_core::compile` gives it).
    pub rust: String,
    /// The names of its tests (none: it is not built as a test harness).
    pub tests: Vec<String>,
}

impl Unit {
    /// A program's Rust and its tests, named as the evaluator lists them
    /// (with whether each passes, which the build does not need).
    pub fn new(rust: String, tests: &[(String, bool)]) -> Unit {
        Unit {
            rust,
            tests: tests.iter().map(|(name, _)| name.clone()).collect(),
        }
    }
}

/// What happened to one program of a batch.
#[derive(Clone, Debug)]
pub enum Built {
    /// rustc or clippy rejected its Rust: the codes of its error messages
    /// (`E0502`, `clippy::eq_op`; empty for a message without one) and the
    /// rendered messages.
    Rejected(Vec<String>, String),
    /// It ran.
    Ran(Run),
}

/// One run of a built program.
#[derive(Clone, Debug)]
pub struct Run {
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
    /// Its exit code (`None`: killed by a signal or the time limit).
    pub code: Option<i32>,
    /// It ran past the time limit and was stopped.
    pub timed_out: bool,
    /// Each test the harness reported on: its name and whether it passed.
    pub tests: Vec<(String, bool)>,
}

/// Whether a build succeeded, and each error message with the program it
/// names (if any).
type Compiled = (bool, Vec<(Option<usize>, String, String)>);

/// Where the batch is built, and with what.
#[derive(Clone, Debug)]
pub struct Builder {
    /// A folder of its own: its files are overwritten.
    pub dir: PathBuf,
    /// `clippy-driver` (rustc with clippy's lints), or another rustc driver.
    pub driver: String,
    /// How long one program may run.
    pub time_limit: Duration,
    /// Lints left out of the build (`clippy::eq_op`), to look past one
    /// known failure class at the others.
    pub allowed_lints: Vec<String>,
}

impl Builder {
    /// A builder in `dir` using `$CLIPPY_DRIVER` or `clippy-driver`.
    pub fn new(dir: impl Into<PathBuf>) -> Builder {
        Builder {
            dir: dir.into(),
            driver: std::env::var("CLIPPY_DRIVER").unwrap_or_else(|_| "clippy-driver".into()),
            time_limit: Duration::from_secs(10),
            allowed_lints: Vec::new(),
        }
    }

    /// Builds `units` into one binary and runs each program once.
    ///
    /// # Errors
    /// When the driver cannot be started or the folder written (not for
    /// programs rustc rejects: those are [`Built::Rejected`]).
    pub fn build_and_run(&self, units: &[Unit]) -> Result<Vec<Built>, String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        for (i, unit) in units.iter().enumerate() {
            let path = self.dir.join(format!("program_{i}.rs"));
            write_if_changed(&path, &without_library_entry(&unit.rust))?;
        }
        let mut rejected: Vec<Option<(Vec<String>, String)>> = vec![None; units.len()];
        let mut binary = None;
        // A second build leaves out what the first rejected; a third
        // catches messages that only appear once others are gone.
        for _ in 0..3 {
            let included: Vec<usize> = (0..units.len())
                .filter(|i| rejected[*i].is_none())
                .collect();
            if included.is_empty() {
                break;
            }
            let (ok, messages) = self.compile(&included)?;
            if ok {
                binary = Some(self.dir.join("batch.bin"));
                break;
            }
            let mut attributed = false;
            for (program, code, text) in messages {
                match program {
                    Some(p) if p < units.len() => {
                        attributed = true;
                        let entry = rejected[p].get_or_insert_with(Default::default);
                        entry.0.push(code);
                        entry.1.push_str(&text);
                    }
                    _ => {}
                }
            }
            if !attributed {
                return Err(
                    "the batch crate failed to build with messages about no program".into(),
                );
            }
        }
        let with_tests: Vec<usize> = (0..units.len())
            .filter(|i| rejected[*i].is_none() && !units[*i].tests.is_empty())
            .collect();
        let verdicts = self.build_and_run_tests(&with_tests, &mut rejected)?;
        let mut out = Vec::with_capacity(units.len());
        for (i, reason) in rejected.into_iter().enumerate() {
            match (reason, &binary) {
                (Some((codes, text)), _) => out.push(Built::Rejected(codes, text)),
                (None, Some(binary)) => {
                    let mut run = self.run(binary, &[i.to_string()])?;
                    let prefix = format!("program_{i}::tests::");
                    run.tests = verdicts
                        .iter()
                        .filter_map(|(name, passed)| {
                            name.strip_prefix(&prefix).map(|n| (n.to_string(), *passed))
                        })
                        .collect();
                    out.push(Built::Ran(run));
                }
                (None, None) => {
                    out.push(Built::Rejected(Vec::new(), "the batch never built".into()))
                }
            }
        }
        Ok(out)
    }

    /// Builds the programs `included` as one test harness and runs it;
    /// returns each test's path (`program_3::tests::name`) and whether it
    /// passed. Programs rustc rejects in this build are added to
    /// `rejected` and left out of the next attempt.
    fn build_and_run_tests(
        &self,
        included: &[usize],
        rejected: &mut [Option<(Vec<String>, String)>],
    ) -> Result<Vec<(String, bool)>, String> {
        for _ in 0..3 {
            let left: Vec<usize> = included
                .iter()
                .copied()
                .filter(|i| rejected[*i].is_none())
                .collect();
            if left.is_empty() {
                return Ok(Vec::new());
            }
            let (ok, messages) = self.compile_as(&left, Purpose::Tests)?;
            if ok {
                let harness = self.dir.join("batch_tests.bin");
                let run = self.run(&harness, &["--test-threads".into(), "1".into()])?;
                if run.timed_out {
                    return Err("the batch's tests ran past the time limit".into());
                }
                return Ok(harness_verdicts(&run.stdout));
            }
            let mut attributed = false;
            for (program, code, text) in messages {
                if let Some(p) = program.filter(|p| *p < rejected.len()) {
                    attributed = true;
                    let entry = rejected[p].get_or_insert_with(Default::default);
                    entry.0.push(code);
                    entry.1.push_str(&text);
                }
            }
            if !attributed {
                return Err(
                    "the batch's tests failed to build with messages about no program".into(),
                );
            }
        }
        Ok(Vec::new())
    }

    /// Compiles the programs `included`; returns whether it built and
    /// every error message with the program it names.
    fn compile(&self, included: &[usize]) -> Result<Compiled, String> {
        self.compile_as(included, Purpose::Run)
    }

    /// [`Builder::compile`] as a runnable batch or as a test harness.
    fn compile_as(&self, included: &[usize], purpose: Purpose) -> Result<Compiled, String> {
        let (root_name, binary_name) = match purpose {
            Purpose::Run => ("batch.rs", "batch.bin"),
            Purpose::Tests => ("batch_tests.rs", "batch_tests.bin"),
        };
        let mut root = String::from("#![deny(warnings)]\n");
        for i in included {
            root.push_str(&format!(
                "mod program_{i} {{\n    pub(crate) fn run() {{\n        main()\n    }}\n    include!(\"program_{i}.rs\");\n}}\n"
            ));
        }
        root.push_str("fn main() {\n    match std::env::args().nth(1).and_then(|a| a.parse::<usize>().ok()) {\n");
        for i in included {
            root.push_str(&format!("        Some({i}) => program_{i}::run(),\n"));
        }
        root.push_str("        _ => std::process::exit(64),\n    }\n}\n");
        let source = self.dir.join(root_name);
        std::fs::write(&source, root).map_err(|e| format!("{}: {e}", source.display()))?;
        let output = Command::new(&self.driver)
            .args([
                "--edition",
                "2021",
                "--crate-name",
                "batch",
                "--crate-type",
                "bin",
            ])
            .args(match purpose {
                Purpose::Run => None,
                Purpose::Tests => Some("--test"),
            })
            .args(["-D", "warnings", "-C", "opt-level=0", "-C", "debuginfo=0"])
            .args(
                self.allowed_lints
                    .iter()
                    .flat_map(|lint| ["-A", lint.as_str()]),
            )
            // Programs that run work on partitions or declare topics link
            // the run-time crates; where they are not built, only those
            // programs fail, with rustc's message.
            .args(
                parseltongue_build::runtime_crates::link_arguments_for(
                    parseltongue_build::runtime_crates::RUNTIME_CRATES,
                )
                .unwrap_or_default(),
            )
            .args(["--error-format", "json", "-o"])
            .arg(self.dir.join(binary_name))
            .arg(&source)
            .output()
            .map_err(|e| format!("cannot run `{}`: {e}", self.driver))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut messages = Vec::new();
        for line in stderr.lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if message["level"] != "error" {
                continue;
            }
            let rendered = message["rendered"].as_str().unwrap_or_default().to_string();
            let code = message["code"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            messages.push((program_of(&message), code, rendered));
        }
        Ok((output.status.success(), messages))
    }

    fn run(&self, binary: &Path, args: &[String]) -> Result<Run, String> {
        let mut child = Command::new(binary)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().map(read_all);
        let stderr = child.stderr.take().map(read_all);
        let start = Instant::now();
        let mut timed_out = false;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if start.elapsed() > self.time_limit => {
                    timed_out = true;
                    let _ = child.kill();
                    break child.wait().ok();
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => return Err(format!("waiting for {}: {e}", binary.display())),
            }
        };
        let text = |reader: Option<std::thread::JoinHandle<Vec<u8>>>| {
            reader
                .and_then(|r| r.join().ok())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default()
        };
        Ok(Run {
            stdout: text(stdout),
            stderr: text(stderr),
            code: status.and_then(|s| s.code()),
            timed_out,
            tests: Vec::new(),
        })
    }
}

/// What a batch is built as.
#[derive(Clone, Copy)]
enum Purpose {
    /// A binary whose `main` runs the program it is given.
    Run,
    /// A test harness of the programs' tests.
    Tests,
}

/// The `test PATH ... ok` / `... FAILED` lines of a libtest harness.
fn harness_verdicts(stdout: &str) -> Vec<(String, bool)> {
    stdout
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("test ")?;
            let (path, verdict) = rest.split_once(" ... ")?;
            match verdict.trim() {
                "ok" => Some((path.to_string(), true)),
                "FAILED" => Some((path.to_string(), false)),
                _ => None,
            }
        })
        .collect()
}

/// Reads a pipe to its end on a thread of its own (both pipes must drain
/// or a chatty child blocks).
fn read_all(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// The program a rustc message is about: the first span (or a child's)
/// in a `program_N.rs` file, following macro expansions back to the call.
fn program_of(message: &serde_json::Value) -> Option<usize> {
    let mut spans: Vec<&serde_json::Value> = Vec::new();
    if let Some(list) = message["spans"].as_array() {
        spans.extend(list);
    }
    if let Some(children) = message["children"].as_array() {
        for child in children {
            if let Some(list) = child["spans"].as_array() {
                spans.extend(list);
            }
        }
    }
    while let Some(span) = spans.pop() {
        let file = span["file_name"].as_str().unwrap_or_default();
        if let Some(number) = file
            .rsplit('/')
            .next()
            .and_then(|name| name.strip_prefix("program_"))
            .and_then(|rest| rest.strip_suffix(".rs"))
            .and_then(|n| n.parse().ok())
        {
            return Some(number);
        }
        if let Some(call) = span.get("expansion").and_then(|e| e.get("span")) {
            spans.push(call);
        }
    }
    None
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
