//! `plc build`, `plc run` and `plc test` for a Cargo package: the front
//! end first (fast, with Parseltongue's own reports), then Cargo, whose
//! rustc messages are shown at the `.pt` lines.

use super::{color, compile, diagnostics_failed, exit_code_of, Outcome};
use crate::cargo_driver::{self, Built, Goal};
use crate::package::{self, Package};
use crate::report::Report;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

/// Checks the package's program; `Err` with exit code 1 when it has errors.
fn checked_package(dir: &Path) -> Result<Result<Package, ExitCode>, String> {
    let package = package::find(dir)?;
    let Some(source_dir) = &package.source_dir else {
        return Ok(Ok(package));
    };
    Ok(match compile(source_dir)? {
        Ok((_, compiled)) => {
            let uses_partitions = compiled
                .rust
                .as_deref()
                .is_some_and(|rust| rust.contains("::partition::"));
            if uses_partitions && !package.dependencies.iter().any(|d| d == "partition") {
                return Err(format!(
                    "package `{}` runs work on partitions, which needs the partition runtime; add it to `{}`:\n\n[dependencies]\n{}",
                    package.name,
                    package.manifest_path.display(),
                    super::new::runtime_dependency()
                ));
            }
            for needed in &compiled.dependencies {
                if !package.dependencies.iter().any(|d| d == needed.package) {
                    let line = super::new::extension_runtime_dependency(needed.package)
                        .unwrap_or_else(|| format!("{} = \"*\"", needed.package));
                    return Err(format!(
                        "package `{}` uses `{}`, whose generated code needs its run-time crate; add it to `{}`:\n\n[dependencies]\n{line}",
                        package.name,
                        needed.crate_name,
                        package.manifest_path.display(),
                    ));
                }
            }
            Ok(package)
        }
        Err(code) => Err(code),
    })
}

/// What a build is for: `run` needs the package to have a binary.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Build,
    Run,
    Test,
}

fn build_package(
    dir: &Path,
    purpose: Purpose,
    release: bool,
) -> Result<Result<Built, ExitCode>, String> {
    let goal = if purpose == Purpose::Test {
        Goal::Tests
    } else {
        Goal::Build
    };
    let package = match checked_package(dir)? {
        Ok(package) => package,
        Err(code) => return Ok(Err(code)),
    };
    if purpose == Purpose::Run && package.binary.is_none() {
        return Err(format!(
            "package `{}` has no binary to run; a program needs `src/main.pt` and `src/main.rs`",
            package.name
        ));
    }
    let built = cargo_driver::build(&package, goal, release, color(), &mut Report::terminal())?;
    Ok(if built.success {
        Ok(built)
    } else {
        Err(diagnostics_failed())
    })
}

/// `plc build`
pub fn build(dir: &Path, release: bool) -> Outcome {
    Ok(match build_package(dir, Purpose::Build, release)? {
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    })
}

/// `plc run` in a package: builds, then runs its binary with `args`.
pub fn run(dir: &Path, release: bool, args: &[String]) -> Outcome {
    let mut built = match build_package(dir, Purpose::Run, release)? {
        Ok(built) => built,
        Err(code) => return Ok(code),
    };
    let Some(binary) = built.executables.first().cloned() else {
        return Err(format!(
            "the package in `{}` has no binary to run; a program needs `src/main.pt` and `src/main.rs`",
            dir.display()
        ));
    };
    let mut child = Command::new(&binary)
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{}`: {e}", binary.display()))?;
    // A panic names a line of generated Rust; show the `.pt` line instead.
    if let Some(stderr) = child.stderr.take() {
        copy_mapped(stderr, std::io::stderr(), &mut built);
    }
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for `{}`: {e}", binary.display()))?;
    Ok(exit_code_of(status))
}

/// `plc test`: builds the package's test harnesses and runs them; a
/// failing assertion is shown at its `.pt` line.
pub fn test(dir: &Path, release: bool, args: &[String]) -> Outcome {
    let mut built = match build_package(dir, Purpose::Test, release)? {
        Ok(built) => built,
        Err(code) => return Ok(code),
    };
    let mut failed = false;
    for harness in built.executables.clone() {
        let mut child = Command::new(&harness)
            .args(args)
            // libtest reports failures, with their panic locations, on stdout.
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start `{}`: {e}", harness.display()))?;
        if let Some(stdout) = child.stdout.take() {
            copy_mapped(stdout, std::io::stdout(), &mut built);
        }
        let status = child
            .wait()
            .map_err(|e| format!("cannot wait for `{}`: {e}", harness.display()))?;
        failed |= !status.success();
    }
    Ok(if failed {
        diagnostics_failed()
    } else {
        ExitCode::SUCCESS
    })
}

/// Copies `from` to `to` line by line, replacing generated-code locations
/// with `.pt` locations.
fn copy_mapped(from: impl std::io::Read, mut to: impl Write, built: &mut Built) {
    let generated = built.generated.clone();
    for line in BufReader::new(from).lines() {
        let Ok(line) = line else { break };
        let mapped = built.mapper.rewrite_locations(&line, &generated);
        let _ = writeln!(to, "{mapped}");
    }
}
