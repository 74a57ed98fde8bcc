//! Driving Cargo: build (or build tests) with `--message-format=json`,
//! show progress, and show rustc's messages at the `.pt` lines.

use crate::package::{cargo_missing, cargo_program, Package};
use crate::report::Report;
use crate::rustc_messages::{is_closing_note, Mapper};
use cargo_metadata::{Artifact, Message};
use indicatif::{ProgressBar, ProgressStyle};
use parseltongue_core::diagnostics::render::{self, ColorChoice};
use std::collections::HashSet;
use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// What to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// The package's targets (`cargo build`).
    Build,
    /// Its test executables, without running them (`cargo test --no-run`).
    Tests,
}

/// What a finished build left behind.
pub struct Built {
    /// Whether Cargo succeeded.
    pub success: bool,
    /// Executables of the package: the binary, or the test harnesses.
    pub executables: Vec<PathBuf>,
    /// The generated Rust files of the package (for mapping panics).
    pub generated: Vec<PathBuf>,
    /// Maps generated lines back to `.pt` sources.
    pub mapper: Mapper,
}

/// Runs Cargo for `package` and reports its messages to `report`;
/// returns what it built.
pub fn build(
    package: &Package,
    goal: Goal,
    release: bool,
    color: ColorChoice,
    report: &mut Report,
) -> Result<Built, String> {
    let mut command = Command::new(cargo_program());
    match goal {
        Goal::Build => command.arg("build"),
        Goal::Tests => command.args(["test", "--no-run"]),
    };
    command
        .arg("--manifest-path")
        .arg(&package.manifest_path)
        .args(["--package", &package.name, "--message-format=json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if release {
        command.arg("--release");
    }
    // A package's build script hands the lowering to this very `plc`
    // (see parseltongue-build without its `compiler` feature).
    if let Ok(me) = std::env::current_exe() {
        command.env("PARSELTONGUE_PLC", me);
    }
    if color == ColorChoice::Always {
        command.args(["--color", "always"]);
    }
    let mut child = command.spawn().map_err(|e| cargo_missing(&e))?;
    let stdout = child.stdout.take().ok_or("cannot read Cargo's output")?;
    let mut stderr = child.stderr.take().ok_or("cannot read Cargo's output")?;
    // Cargo's own status lines are kept for when the build fails without a
    // compiler message (a manifest error, a registry that cannot be reached).
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    // A terminal gets a progress bar; a log (CI, a pipe) gets a line per
    // package compiled, as Cargo prints them, so a long build is not silent;
    // a captured report gets the messages alone.
    let log_lines = report.is_terminal() && !report.is_interactive();
    let started = std::time::Instant::now();
    let progress = if log_lines {
        eprintln!(
            "{:>12} {} ({} packages)",
            "Building",
            package.name,
            package.dependency_count.max(1)
        );
        ProgressBar::hidden()
    } else if report.is_interactive() {
        ProgressBar::new(package.dependency_count.max(1) as u64)
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template("{prefix:>12.cyan.bold} [{bar:30}] {pos}/{len}: {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    progress.set_prefix("Building");
    if report.is_interactive() {
        progress.enable_steady_tick(Duration::from_millis(120));
    }

    let workspace_root = package.workspace_root.clone();
    let mut mapper = Mapper::new(&workspace_root);
    let mut executables = Vec::new();
    let mut generated = Vec::new();
    let mut finished_packages = HashSet::new();
    let mut seen_messages = HashSet::new();
    let (mut errors, mut warnings) = (0usize, 0usize);
    let mut success = false;
    for message in Message::parse_stream(BufReader::new(stdout)) {
        let Ok(message) = message else { continue };
        match message {
            Message::CompilerArtifact(artifact) => {
                if finished_packages.insert(artifact.package_id.clone()) {
                    progress.inc(1);
                }
                if log_lines && !artifact.fresh {
                    eprintln!("{:>12} {}", "Compiled", shown_package(&artifact));
                }
                progress.set_message(artifact.target.name.clone());
                if is_ours(&artifact, package, goal) {
                    if let Some(executable) = &artifact.executable {
                        executables.push(executable.as_std_path().to_path_buf());
                    }
                }
            }
            Message::BuildScriptExecuted(script) if script.package_id == package.id => {
                let dir = script.out_dir.as_std_path().join("parseltongue");
                if let Ok(entries) = std::fs::read_dir(&dir) {
                    generated.extend(
                        entries
                            .filter_map(|e| e.ok().map(|e| e.path()))
                            .filter(|p| p.extension().is_some_and(|e| e == "rs")),
                    );
                }
            }
            Message::CompilerMessage(message) => {
                let diagnostic = &message.message;
                if is_closing_note(diagnostic) {
                    continue;
                }
                let rendered = mapper.render(diagnostic, color);
                if !seen_messages.insert(rendered.clone()) {
                    continue;
                }
                match diagnostic.level {
                    cargo_metadata::diagnostic::DiagnosticLevel::Error
                    | cargo_metadata::diagnostic::DiagnosticLevel::Ice => errors += 1,
                    cargo_metadata::diagnostic::DiagnosticLevel::Warning => warnings += 1,
                    _ => {}
                }
                progress.suspend(|| report.emit(&rendered));
            }
            Message::BuildFinished(finished) => success = finished.success,
            _ => {}
        }
    }
    progress.finish_and_clear();
    if log_lines {
        eprintln!(
            "{:>12} in {:.1} s",
            if success { "Finished" } else { "Failed" },
            started.elapsed().as_secs_f64()
        );
    }
    let status = child.wait().map_err(|e| cargo_missing(&e))?;
    let cargo_stderr = stderr_reader.join().unwrap_or_default();
    success &= status.success();
    if errors > 0 || warnings > 0 {
        report.emit(&format!("{}\n", render::summary(errors, warnings)));
    }
    if !success && errors == 0 {
        report.emit(&cargo_stderr);
    }
    Ok(Built {
        success,
        executables,
        generated,
        mapper,
    })
}

/// A package as Cargo's status lines name it: `name vVERSION`, from the
/// package id (`registry+…#name@1.0.0`, `path+file:///…/name#0.1.0`),
/// with `(build script)` for a build script.
fn shown_package(artifact: &Artifact) -> String {
    let id = &artifact.package_id.repr;
    let (place, fragment) = id.rsplit_once('#').unwrap_or((id.as_str(), ""));
    let (name, version) = match fragment.split_once('@') {
        Some((name, version)) => (name.to_string(), version.to_string()),
        None => (
            place.rsplit('/').next().unwrap_or(place).to_string(),
            fragment.to_string(),
        ),
    };
    let script = artifact
        .target
        .kind
        .iter()
        .any(|k| matches!(k, cargo_metadata::TargetKind::CustomBuild));
    let version = if version.is_empty() {
        String::new()
    } else {
        format!(" v{version}")
    };
    if script {
        format!("{name}{version} (build script)")
    } else {
        format!("{name}{version}")
    }
}

fn is_ours(artifact: &Artifact, package: &Package, goal: Goal) -> bool {
    let ours = artifact.package_id == package.id;
    match goal {
        Goal::Build => ours && artifact.target.is_bin() && !artifact.profile.test,
        Goal::Tests => ours && artifact.profile.test,
    }
}
