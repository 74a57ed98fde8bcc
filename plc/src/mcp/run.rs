//! The `run` and `test` tools: check, build and run a program with a time
//! and an output limit, panics and rustc's messages shown at `.pt` lines.

use super::program::{Place, ProgramInput};
use super::{check_report, CheckReport};
use crate::cargo_driver::{self, Goal};
use crate::commands::script::{self, Options};
use crate::commands::Target;
use crate::package;
use crate::report::Report;
use crate::rustc_messages::Mapper;
use parseltongue_core::diagnostics::render::ColorChoice;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEFAULT_TIMEOUT_SECONDS: f64 = 10.0;
const MAX_TIMEOUT_SECONDS: f64 = 300.0;
const DEFAULT_MAX_OUTPUT_BYTES: usize = 64 * 1024;
const MAX_OUTPUT_BYTES: usize = 4 << 20;

/// What to run, and its limits.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
pub struct RunInput {
    /// The program.
    #[serde(flatten)]
    pub program: ProgramInput,
    /// Command-line arguments for the program (for `test`: libtest's, such
    /// as a test-name filter).
    #[serde(default)]
    pub args: Vec<String>,
    /// Text given to the program on standard input.
    #[serde(default)]
    pub stdin: Option<String>,
    /// Seconds the program may run before it is stopped (default 10, at
    /// most 300). Building does not count.
    #[serde(default)]
    pub timeout_seconds: Option<f64>,
    /// Bytes of standard output and of standard error kept, each (default
    /// 65536, at most 4 MiB); the rest is cut and `output_truncated` set.
    #[serde(default)]
    pub max_output_bytes: Option<usize>,
}

/// How far a run got, and what it printed.
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct RunReport {
    /// `check` (the program has errors: see `check`), `build` (rustc or
    /// Cargo failed: see `build_messages`) or `run` (it ran).
    pub phase: String,
    /// True if it ran and exited with code 0 (for `test`: every test passed).
    pub success: bool,
    /// The exit code, if it exited (not if it was stopped or killed by a
    /// signal).
    pub exit_code: Option<i32>,
    /// True if it was stopped at the time limit.
    pub timed_out: bool,
    /// What it printed on standard output.
    pub stdout: String,
    /// What it printed on standard error; a panic's location is the `.pt`
    /// line.
    pub stderr: String,
    /// True if standard output or standard error was cut at the limit.
    pub output_truncated: bool,
    /// The program's diagnostics (warnings as well, when it ran).
    pub check: Option<CheckReport>,
    /// Rustc's or Cargo's messages, at the `.pt` lines.
    pub build_messages: String,
    /// How long the run took, in seconds (building not included).
    pub seconds: f64,
}

/// Checks, builds and runs (or tests) the program of `input`.
pub fn run(input: &RunInput, root: &Path, tests: bool) -> Result<RunReport, String> {
    let timeout = input.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT_SECONDS);
    if !(timeout > 0.0 && timeout <= MAX_TIMEOUT_SECONDS) {
        return Err(format!(
            "`timeout_seconds` is {timeout}; it must be more than 0 and at most {MAX_TIMEOUT_SECONDS}"
        ));
    }
    let limit = input
        .max_output_bytes
        .unwrap_or(DEFAULT_MAX_OUTPUT_BYTES)
        .min(MAX_OUTPUT_BYTES);
    let resolved = input.program.resolve(root)?;
    let program = resolved.program;
    let compiled = parseltongue_extensions::compile(&program.sources)
        .map_err(|e| format!("internal compiler error, please report it: {e}"))?;
    let check = check_report(&compiled.diagnostics, &program.sources);
    let Some(rust) = compiled.rust.clone() else {
        return Ok(RunReport {
            phase: "check".to_string(),
            check: Some(check),
            ..RunReport::default()
        });
    };
    let mut report = Report::captured();
    let built = match &resolved.place {
        Place::Disk(Target::Package {
            root: package_root, ..
        }) => {
            let package = package::find(package_root)?;
            let goal = if tests { Goal::Tests } else { Goal::Build };
            let built =
                cargo_driver::build(&package, goal, false, ColorChoice::Never, &mut report)?;
            if !built.success {
                None
            } else if built.executables.is_empty() {
                return Err(format!(
                    "package `{}` has no binary to run; a program needs `src/main.pt` and `src/main.rs`",
                    package.name
                ));
            } else {
                Some(Built {
                    executables: built.executables,
                    generated: built.generated,
                    mapper: built.mapper,
                })
            }
        }
        Place::Disk(Target::Program(path)) => {
            let dir = script::build_dir(&program.name, path);
            script::build_with_rustc(
                &program,
                &rust,
                &compiled.origins,
                &dir,
                Options {
                    release: false,
                    tests,
                },
                None,
                &mut report,
            )?
            .map(Built::from)
        }
        Place::Text => {
            let scratch = write_scratch(&program.sources)?;
            let on_disk = parseltongue_build::load::Program {
                sources: program.sources.clone(),
                name: program.name.clone(),
                paths: program.paths.iter().map(|p| scratch.join(p)).collect(),
            };
            script::build_with_rustc(
                &on_disk,
                &rust,
                &compiled.origins,
                &scratch.join("build"),
                Options {
                    release: false,
                    tests,
                },
                Some(&scratch),
                &mut report,
            )?
            .map(Built::from)
        }
    };
    let build_messages = report.into_text();
    let Some(mut built) = built else {
        return Ok(RunReport {
            phase: "build".to_string(),
            check: Some(check),
            build_messages,
            ..RunReport::default()
        });
    };
    let mut outcome = RunReport {
        phase: "run".to_string(),
        success: true,
        check: Some(check),
        build_messages,
        ..RunReport::default()
    };
    let started = Instant::now();
    for executable in built.executables.clone() {
        let ran = run_limited(
            &executable,
            &input.args,
            input.stdin.as_deref(),
            Duration::from_secs_f64(timeout),
            limit,
        )?;
        outcome.stdout.push_str(&built.map(&ran.stdout));
        outcome.stderr.push_str(&built.map(&ran.stderr));
        outcome.output_truncated |= ran.truncated;
        outcome.timed_out |= ran.timed_out;
        outcome.exit_code = ran.exit_code;
        outcome.success &= ran.exit_code == Some(0);
        if ran.timed_out {
            break;
        }
    }
    outcome.seconds = started.elapsed().as_secs_f64();
    Ok(outcome)
}

/// What was built, and how to map its locations back.
struct Built {
    executables: Vec<PathBuf>,
    generated: Vec<PathBuf>,
    mapper: Mapper,
}

impl From<script::Compiled> for Built {
    fn from(compiled: script::Compiled) -> Built {
        Built {
            executables: vec![compiled.binary],
            generated: vec![compiled.source],
            mapper: compiled.mapper,
        }
    }
}

impl Built {
    /// `text` with generated-code locations shown as `.pt` locations.
    fn map(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let (body, end) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            out.push_str(&self.mapper.rewrite_locations(body, &self.generated));
            out.push_str(end);
        }
        out
    }
}

/// Writes a program sent as text to a scratch folder named after its
/// contents, so building it again reuses the last build.
fn write_scratch(sources: &parseltongue_core::source::SourceMap) -> Result<PathBuf, String> {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (_, file) in sources.iter() {
        file.name.hash(&mut hasher);
        file.text.hash(&mut hasher);
    }
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("parseltongue"));
    let dir = base
        .join("plc-mcp")
        .join(format!("{:016x}", hasher.finish()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("cannot make the scratch folder `{}`: {e}", dir.display()))?;
    for (_, file) in sources.iter() {
        let path = dir.join(&file.name);
        std::fs::write(&path, &file.text)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    Ok(dir)
}

/// What a program did within its limits.
struct Ran {
    stdout: String,
    stderr: String,
    exit_code: Option<i32>,
    timed_out: bool,
    truncated: bool,
}

/// Reads all of `from`, keeping the first `limit` bytes; reading on past
/// the limit keeps the program from blocking on a full pipe.
fn read_capped(mut from: impl Read, limit: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut buffer = [0u8; 8192];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = limit.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..n.min(room)]);
                truncated |= n > room;
            }
        }
    }
    (kept, truncated)
}

fn run_limited(
    executable: &Path,
    args: &[String],
    stdin: Option<&str>,
    timeout: Duration,
    limit: usize,
) -> Result<Ran, String> {
    let mut child = Command::new(executable)
        .args(args)
        // The panic message and its `.pt` line, without a backtrace of
        // generated code.
        .env("RUST_BACKTRACE", "0")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{}`: {e}", executable.display()))?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let text = text.to_string();
        // Written from a thread: a program that does not read its input
        // must not stall the server.
        std::thread::spawn(move || {
            let _ = pipe.write_all(text.as_bytes());
        });
    }
    let stdout = child
        .stdout
        .take()
        .map(|pipe| std::thread::spawn(move || read_capped(pipe, limit)));
    let stderr = child
        .stderr
        .take()
        .map(|pipe| std::thread::spawn(move || read_capped(pipe, limit)));
    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("cannot wait for `{}`: {e}", executable.display())),
        }
    };
    let collect = |reader: Option<std::thread::JoinHandle<(Vec<u8>, bool)>>| {
        reader
            .and_then(|r| r.join().ok())
            .map(|(bytes, cut)| (String::from_utf8_lossy(&bytes).into_owned(), cut))
            .unwrap_or_default()
    };
    let (stdout, cut_out) = collect(stdout);
    let (stderr, cut_err) = collect(stderr);
    Ok(Ran {
        stdout,
        stderr,
        exit_code: if timed_out {
            None
        } else {
            status.and_then(|s| s.code())
        },
        timed_out,
        truncated: cut_out || cut_err,
    })
}
