//! One campaign: programs from a range of seeds, each held against the
//! three oracles — the checker accepts it without a diagnostic; its Rust
//! builds with no error or warning under clippy; it prints what the
//! reference evaluator says and ends the same way (finished, or panicked
//! with exit code 101).

use crate::batch::{Builder, Built, Unit};
use crate::generate::{self, Size};
use crate::interpret::{self, End};
use parseltongue_core::source::{SourceFile, SourceMap};
use std::path::PathBuf;

/// What to test.
#[derive(Clone, Debug)]
pub struct Options {
    /// The first seed.
    pub first_seed: u64,
    /// How many programs.
    pub count: u64,
    /// The generator's size knob (see [`Size::from_knob`]).
    pub size: usize,
    /// Programs per Rust crate.
    pub batch: usize,
    /// Where the batch crates are built.
    pub dir: PathBuf,
    /// Evaluation steps before a program counts as not terminating.
    pub fuel: u64,
    /// Lints to allow in the build (see [`Builder::allowed_lints`]).
    pub allowed_lints: Vec<String>,
}

/// Which oracle a program failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Oracle {
    /// The checker reported something for a program the generator
    /// meant to be clean.
    Diagnostics,
    /// The lowering produced Rust that does not parse.
    Lowering,
    /// rustc or clippy rejected the generated Rust.
    Rustc,
    /// The program printed something else, or ended otherwise, than the
    /// reference evaluator says.
    Behaviour,
}

/// A program that failed an oracle.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Its seed.
    pub seed: u64,
    /// Its size knob.
    pub size: usize,
    /// Which oracle.
    pub oracle: Oracle,
    /// What the oracle said.
    pub detail: String,
    /// For rustc: the codes of its error messages (`E0502`, `clippy::eq_op`).
    pub codes: Vec<String>,
    /// The program: its root module.
    pub source: String,
    /// Its other modules: file name and text.
    pub modules: Vec<(String, String)>,
}

/// What a campaign found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Programs generated.
    pub tested: usize,
    /// Programs that passed every oracle.
    pub passed: usize,
    /// Programs the evaluator could not judge (no end within the fuel,
    /// or a construct it does not model), with the reason.
    pub skipped: Vec<(u64, String)>,
    /// Programs that failed.
    pub failures: Vec<Failure>,
}

/// A program's text as a source map (root first).
pub fn sources(program: &generate::Program) -> SourceMap {
    let mut map = SourceMap::new();
    for (name, text) in &program.files {
        map.add(SourceFile::new(name.clone(), text.clone()));
    }
    map
}

/// What the evaluator expects of one program that reached rustc.
struct Expected {
    seed: u64,
    source: String,
    modules: Vec<(String, String)>,
    stdout: String,
    end: End,
    /// Each test's name and whether it passes.
    tests: Vec<(String, bool)>,
}

/// Runs a campaign.
///
/// # Errors
/// When the batch crates cannot be built at all (no driver, no disk).
pub fn run(options: &Options) -> Result<Report, String> {
    let mut report = Report::default();
    let mut units = Vec::new();
    let mut expected = Vec::new();
    let size = Size::from_knob(options.size);
    for seed in options.first_seed..options.first_seed + options.count {
        report.tested += 1;
        let program = generate::generate(seed, size);
        let source = program.files[0].1.clone();
        let modules = program.files[1..].to_vec();
        let fail = |oracle, detail: String| Failure {
            seed,
            size: options.size,
            oracle,
            detail,
            codes: Vec::new(),
            source: source.clone(),
            modules: modules.clone(),
        };
        match judge_front_end(&program, options.fuel) {
            FrontEnd::Failed(oracle, detail) => report.failures.push(fail(oracle, detail)),
            FrontEnd::Skipped(reason) => report.skipped.push((seed, reason)),
            FrontEnd::Lowered {
                rust,
                stdout,
                end,
                tests,
            } => {
                units.push(Unit::new(rust, &tests));
                expected.push(Expected {
                    seed,
                    source: source.clone(),
                    modules: modules.clone(),
                    stdout,
                    end,
                    tests,
                });
            }
        }
    }
    let mut builder = Builder::new(options.dir.clone());
    builder.allowed_lints = options.allowed_lints.clone();
    for (chunk, wanted) in units
        .chunks(options.batch.max(1))
        .zip(expected.chunks(options.batch.max(1)))
    {
        let built = builder.build_and_run(chunk)?;
        for (outcome, want) in built.into_iter().zip(wanted) {
            let fail = |oracle, detail: String| Failure {
                seed: want.seed,
                size: options.size,
                oracle,
                detail,
                codes: Vec::new(),
                source: want.source.clone(),
                modules: want.modules.clone(),
            };
            match outcome {
                Built::Rejected(codes, messages) => report.failures.push(Failure {
                    codes,
                    ..fail(Oracle::Rustc, messages)
                }),
                Built::Ran(run) => match compare(want, &run) {
                    None => report.passed += 1,
                    Some(detail) => report.failures.push(fail(Oracle::Behaviour, detail)),
                },
            }
        }
    }
    Ok(report)
}

/// The front end's verdict on one program.
pub enum FrontEnd {
    /// Failed the checker or the lowering.
    Failed(Oracle, String),
    /// The evaluator cannot judge it.
    Skipped(String),
    /// Lowered, with what the evaluator expects it to do.
    Lowered {
        /// The generated Rust.
        rust: String,
        /// What it must print.
        stdout: String,
        /// How it must end.
        end: End,
        /// Each test's name and whether it must pass.
        tests: Vec<(String, bool)>,
    },
}

/// Checks, lowers and evaluates one program.
pub fn judge_front_end(program: &generate::Program, fuel: u64) -> FrontEnd {
    judge_front_end_with(program, fuel, false)
}

/// [`judge_front_end`], optionally letting warnings through: a reduced
/// program may leave a value unused and still show a failure of rustc.
pub fn judge_front_end_with(
    program: &generate::Program,
    fuel: u64,
    accept_warnings: bool,
) -> FrontEnd {
    let map = sources(program);
    let checked = parseltongue_extensions::check(&map);
    let fails = if accept_warnings {
        checked.has_errors()
    } else {
        !checked.diagnostics.is_empty()
    };
    if fails {
        let text = parseltongue_core::diagnostics::render::render_all(
            &checked.diagnostics,
            &map,
            parseltongue_core::diagnostics::render::ColorChoice::Never,
        );
        return FrontEnd::Failed(Oracle::Diagnostics, text);
    }
    let rust = match parseltongue_core::lower::lower_program(&checked.program) {
        Ok(lowered) => lowered.rust,
        Err(error) => return FrontEnd::Failed(Oracle::Lowering, error.message),
    };
    let outcome = interpret::run_main(&checked.program, fuel);
    if outcome.thread_panicked {
        return FrontEnd::Skipped("a thread panicked: what follows depends on the schedule".into());
    }
    let mut tests = Vec::new();
    for (name, test) in interpret::tests(&checked.program) {
        let ran = interpret::run_test(&checked.program, test, fuel);
        if ran.thread_panicked {
            return FrontEnd::Skipped(format!(
                "a thread of test `{name}` panicked: what follows depends on the schedule"
            ));
        }
        match ran.end {
            End::Finished => tests.push((name, true)),
            End::Panicked(_) => tests.push((name, false)),
            End::OutOfFuel => {
                return FrontEnd::Skipped(format!("test `{name}`: no end within the fuel"))
            }
            End::Unsupported(what) => return FrontEnd::Skipped(format!("test `{name}`: {what}")),
        }
    }
    match outcome.end {
        End::OutOfFuel => FrontEnd::Skipped("no end within the fuel".into()),
        End::Unsupported(what) => FrontEnd::Skipped(what),
        end => FrontEnd::Lowered {
            rust,
            stdout: outcome.stdout,
            end,
            tests,
        },
    }
}

/// How a run differs from what was expected, if it does.
fn compare(want: &Expected, run: &crate::batch::Run) -> Option<String> {
    let want_code = match want.end {
        End::Finished => 0,
        _ => 101,
    };
    if run.timed_out {
        return Some("the compiled program ran past the time limit".into());
    }
    let tests_agree = want.tests.iter().all(|(name, passes)| {
        run.tests
            .iter()
            .any(|(ran, passed)| ran == name && passed == passes)
    });
    if run.stdout == want.stdout && run.code == Some(want_code) && tests_agree {
        return None;
    }
    let mut detail = String::new();
    for (name, passes) in &want.tests {
        let verdict = |passed: bool| if passed { "passes" } else { "fails" };
        match run.tests.iter().find(|(ran, _)| ran == name) {
            Some((_, passed)) if passed == passes => {}
            Some((_, passed)) => detail.push_str(&format!(
                "test `{name}` {}, expected it {}\n",
                verdict(*passed),
                verdict(*passes)
            )),
            None => detail.push_str(&format!("test `{name}` did not run\n")),
        }
    }
    if run.code != Some(want_code) {
        detail.push_str(&format!(
            "exit code {:?}, expected {want_code} ({:?})\nstderr:\n{}\n",
            run.code, want.end, run.stderr
        ));
    }
    if run.stdout != want.stdout {
        let first = first_difference(&want.stdout, &run.stdout);
        detail.push_str(&format!(
            "stdout differs at line {}:\n  expected: {}\n  actual:   {}\n",
            first.0 + 1,
            first.1,
            first.2
        ));
    }
    Some(detail)
}

fn first_difference(expected: &str, actual: &str) -> (usize, String, String) {
    let mut e = expected.lines();
    let mut a = actual.lines();
    for line in 0.. {
        match (e.next(), a.next()) {
            (None, None) => break,
            (x, y) if x != y => {
                return (
                    line,
                    x.unwrap_or("<end>").to_string(),
                    y.unwrap_or("<end>").to_string(),
                )
            }
            _ => {}
        }
    }
    (0, "(same lines, different line ends)".into(), String::new())
}
