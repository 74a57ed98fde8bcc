//! `parseltongue-conformance`: run a campaign of generated programs, soak
//! for a while, or show one program.

use clap::{Parser, Subcommand};
use parseltongue_conformance::campaign::{self, Options, Oracle};
use parseltongue_conformance::generate::{self, Size};
use std::path::PathBuf;
use std::process::ExitCode;

mod soak;

#[derive(Parser)]
#[command(
    name = "parseltongue-conformance",
    about = "Test the compiler with generated programs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Test the programs of a range of seeds and list every failure.
    Run {
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// How many programs.
        #[arg(long, default_value_t = 100)]
        count: u64,
        /// Program size, 0 (tiny) to 20.
        #[arg(long, default_value_t = 3)]
        size: usize,
        /// Programs per Rust crate.
        #[arg(long, default_value_t = 100)]
        batch: usize,
        /// Where the crates are built (default: a folder under the system's temporary folder).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Write each failing program here, named by its seed.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Allow a lint in the generated Rust (repeatable), to look past a
        /// known failure class.
        #[arg(long = "allow")]
        allow: Vec<String>,
    },
    /// Test generated programs for a while: each failure is written out,
    /// and the first ones of each kind are reduced to small programs.
    Soak {
        /// How long to run, in minutes.
        #[arg(long, default_value_t = 10)]
        minutes: u64,
        /// Where failures, reductions and the summary are written.
        #[arg(long, default_value = "soak")]
        out: PathBuf,
        /// The first seed.
        #[arg(long, default_value_t = 1_000_000)]
        seed: u64,
        /// Program sizes to rotate through.
        #[arg(long, value_delimiter = ',', default_value = "0,1,2,3")]
        sizes: Vec<usize>,
        /// Programs per round (one Rust crate).
        #[arg(long, default_value_t = 100)]
        batch: u64,
        /// Failures of one kind to reduce (the rest are only written).
        #[arg(long, default_value_t = 2)]
        reduce_each: usize,
    },
    /// Shrink a failing program to a small one that fails the same way
    /// (the same oracle and first code) and print it.
    Reduce {
        /// The `.pt` file (one file, no modules).
        file: PathBuf,
        /// How long to try, in seconds.
        #[arg(long, default_value_t = 120)]
        seconds: u64,
        /// Where the crates are built (default: a folder under the system's temporary folder).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Run a program with the reference evaluator and print what it prints.
    Eval {
        /// A `.pt` file, or a folder of `main.pt` and its modules.
        file: PathBuf,
    },
    /// Print the program of a seed.
    Show {
        /// The seed.
        seed: u64,
        /// Program size, 0 (tiny) to 20.
        #[arg(long, default_value_t = 3)]
        size: usize,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Eval { file } => eval(&file),
        Command::Reduce { file, seconds, dir } => reduce(&file, seconds, dir),
        Command::Soak {
            minutes,
            out,
            seed,
            sizes,
            batch,
            reduce_each,
        } => soak(&soak::Plan {
            minutes,
            out,
            seed,
            sizes,
            batch,
            reduce_each,
        }),
        Command::Show { seed, size } => {
            let program = generate::generate(seed, Size::from_knob(size));
            let several = program.files.len() > 1;
            for (name, text) in &program.files {
                if several {
                    println!("// file: {name}");
                }
                print!("{text}");
            }
            ExitCode::SUCCESS
        }
        Command::Run {
            seed,
            count,
            size,
            batch,
            dir,
            out,
            allow,
        } => {
            let options = Options {
                first_seed: seed,
                count,
                size,
                batch,
                dir: dir.unwrap_or_else(|| std::env::temp_dir().join("parseltongue-conformance")),
                fuel: FUEL,
                allowed_lints: allow,
            };
            let report = match campaign::run(&options) {
                Ok(report) => report,
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::from(2);
                }
            };
            for failure in &report.failures {
                println!(
                    "== seed {} (size {}): {:?}",
                    failure.seed, failure.size, failure.oracle
                );
                println!("{}", failure.detail.trim_end());
                if let Some(out) = &out {
                    let stem = format!("seed_{}_size_{}", failure.seed, failure.size);
                    let written = std::fs::create_dir_all(out)
                        .map_err(|e| format!("{}: {e}", out.display()))
                        .and_then(|()| {
                            soak::write_program(out, &stem, &failure.source, &failure.modules)
                        });
                    if let Err(error) = written {
                        eprintln!("error: {error}");
                        return ExitCode::from(2);
                    }
                }
            }
            let by = |o: Oracle| report.failures.iter().filter(|f| f.oracle == o).count();
            println!(
                "{} programs: {} passed, {} skipped, {} failed (checker {}, lowering {}, rustc {}, behaviour {})",
                report.tested,
                report.passed,
                report.skipped.len(),
                report.failures.len(),
                by(Oracle::Diagnostics),
                by(Oracle::Lowering),
                by(Oracle::Rustc),
                by(Oracle::Behaviour)
            );
            if report.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Reads a program as `plc` does: a `.pt` file, or a folder of `main.pt`
/// and its modules.
fn load(path: &std::path::Path) -> Result<generate::Program, ExitCode> {
    let loaded = parseltongue_build::load::load(path).map_err(|error| {
        eprintln!("error: {error}");
        ExitCode::from(2)
    })?;
    let files = loaded
        .sources
        .iter()
        .zip(&loaded.paths)
        .map(|((_, file), path)| {
            let name = path
                .file_name()
                .map_or(file.name.clone(), |n| n.to_string_lossy().into_owned());
            (name, file.text.clone())
        })
        .collect();
    Ok(generate::Program { seed: 0, files })
}

/// `eval FILE`: the evaluator's output and how the run ended.
fn eval(file: &std::path::Path) -> ExitCode {
    let program = match load(file) {
        Ok(program) => program,
        Err(code) => return code,
    };
    let sources = parseltongue_conformance::campaign::sources(&program);
    let checked = parseltongue_extensions::check(&sources);
    if checked.has_errors() {
        eprint!(
            "{}",
            parseltongue_core::diagnostics::render::render_all(
                &checked.diagnostics,
                &sources,
                parseltongue_core::diagnostics::render::ColorChoice::Never
            )
        );
        return ExitCode::FAILURE;
    }
    let outcome = parseltongue_conformance::interpret::run_main(&checked.program, 10_000_000);
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    eprintln!("[{:?}]", outcome.end);
    ExitCode::SUCCESS
}

/// `reduce FILE`: the smallest program found that fails as FILE does (a
/// folder's root module is reduced, its other modules kept).
fn reduce(file: &std::path::Path, seconds: u64, dir: Option<PathBuf>) -> ExitCode {
    use parseltongue_conformance::batch::Builder;
    use parseltongue_conformance::reduce;
    let program = match load(file) {
        Ok(program) => program,
        Err(code) => return code,
    };
    let builder = Builder::new(
        dir.unwrap_or_else(|| std::env::temp_dir().join("parseltongue-conformance-reduce")),
    );
    let Some(signature) = reduce::signature(&program, &builder, FUEL) else {
        eprintln!(
            "error: {} passes every oracle (or the evaluator cannot judge it): nothing to reduce",
            file.display()
        );
        return ExitCode::FAILURE;
    };
    eprintln!(
        "reducing a {:?} failure{}",
        signature.oracle,
        signature
            .code
            .as_deref()
            .map_or(String::new(), |c| format!(" ({c})"))
    );
    let small = reduce::reduce(
        &program,
        &signature,
        &builder,
        FUEL,
        std::time::Duration::from_secs(seconds),
    );
    let several = small.files.len() > 1;
    for (name, text) in &small.files {
        if several {
            println!("// file: {name}");
        }
        print!("{text}");
    }
    ExitCode::SUCCESS
}

/// Evaluator steps a program may take before it counts as not ending.
const FUEL: u64 = 2_000_000;

fn soak(plan: &soak::Plan) -> ExitCode {
    match soak::run(plan) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
