//! `plc`, the Parseltongue toolchain.
//!
//! Exit codes: 0 success; 1 the program has errors (diagnostics were
//! printed), a build or a test failed, or files are not formatted or
//! snapshots differ under `--check`-style commands; 2 a usage or
//! environment problem (bad arguments, a missing file, no Cargo package,
//! no Cargo on PATH); 141 the reader of the output went away (`plc emit
//! | head -1`), as a process stopped by SIGPIPE reports it, without a
//! message.

mod cargo_driver;
mod commands;
mod mcp;
mod package;
mod report;
mod rustc_messages;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The Parseltongue toolchain: create, check, build, run, test and format
/// Parseltongue programs, and see the Rust they become.
#[derive(Parser, Debug)]
#[command(name = "plc", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets, coloured on a terminal (plain with NO_COLOR or when piped).
    Human,
    /// One JSON object per diagnostic, in the shape of rustc's `--error-format=json`.
    Json,
}

/// The formats of `plc grammar`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GrammarFormat {
    /// Lark, as llguidance reads it (vLLM, SGLang, llama.cpp with llguidance).
    Lark,
    /// GBNF, llama.cpp's grammar format.
    Gbnf,
    /// The EBNF description the other two are made from.
    Ebnf,
}

impl From<GrammarFormat> for parseltongue_core::grammar::Format {
    fn from(format: GrammarFormat) -> Self {
        match format {
            GrammarFormat::Lark => Self::Lark,
            GrammarFormat::Gbnf => Self::Gbnf,
            GrammarFormat::Ebnf => Self::Ebnf,
        }
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a Cargo package whose program is written in Parseltongue.
    New {
        /// The package name (and folder), e.g. `my_program`.
        name: String,
        /// What to start from: `core` (a plain program) or `slytherin` (a topic of typed messages).
        #[arg(long, default_value = "core")]
        template: String,
    },
    /// Create a package in an existing folder (by default the current one), named after it.
    Init {
        /// The folder.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// What to start from: `core` (a plain program) or `slytherin` (a topic of typed messages).
        #[arg(long, default_value = "core")]
        template: String,
    },
    /// Check a program: parse and type-check only, no Rust is compiled.
    Check {
        /// A Cargo package, a `.pt` file, or a folder whose `main.pt` is the root module.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Build a package: lower its `.pt` sources and compile them with Cargo.
    Build {
        /// The package folder.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Build with optimisations.
        #[arg(long)]
        release: bool,
    },
    /// Build and run a package, or a single `.pt` file or program folder.
    Run {
        /// A Cargo package, a `.pt` file, or a folder whose `main.pt` is the root module.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Build with optimisations.
        #[arg(long)]
        release: bool,
        /// Arguments passed to the program.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Run the `test` blocks of a package or a `.pt` file, as `cargo test` does.
    Test {
        /// A test name filter (tests whose names contain it run), or a
        /// package folder, program folder or `.pt` file to test.
        #[arg(value_name = "FILTER_OR_PATH")]
        filter: Option<String>,
        /// The package folder, program folder or `.pt` file to test.
        #[arg(long, default_value = ".")]
        path: PathBuf,
        /// Build with optimisations.
        #[arg(long)]
        release: bool,
        /// Arguments passed to the test harness (e.g. `--exact`).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Print the Rust a program lowers to.
    Emit {
        /// A Cargo package, a `.pt` file, or a folder whose `main.pt` is the root module.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// Format `.pt` files in the one canonical layout.
    Fmt {
        /// A `.pt` file, or a folder whose `.pt` files are formatted.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Write nothing; show what would change and fail if anything would.
        #[arg(long)]
        check: bool,
    },
    /// Apply every machine-applicable fix, then report what is left.
    Fix {
        /// A Cargo package, a `.pt` file, or a folder whose `main.pt` is the root module.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Show the edits without writing them.
        #[arg(long)]
        dry_run: bool,
        /// How to print the edits of a dry run.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Compare the generated Rust with its recorded snapshots.
    Snapshot {
        /// A Cargo package, a `.pt` file, or a program folder.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Record the generated Rust as the new snapshots.
        #[arg(long)]
        accept: bool,
    },
    /// Print the long explanation of a diagnostic code, e.g. `plc explain PT0301`.
    Explain {
        /// The code, e.g. `PT0301`.
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its one-line title instead.
        #[arg(long, conflicts_with = "code")]
        list: bool,
    },
    /// Print the compact language reference, ready to give to a language model.
    Reference,
    /// Print the syntax as a grammar for constrained decoding: Lark for
    /// llguidance (vLLM, SGLang, llama.cpp), GBNF for llama.cpp, or the
    /// EBNF description both come from.
    Grammar {
        /// The grammar format.
        #[arg(long, value_enum, default_value = "lark")]
        format: GrammarFormat,
    },
    /// Run the language server on stdin and stdout (for editors).
    Lsp,
    /// Run the toolchain as a Model Context Protocol server on stdin and
    /// stdout (for agents): check, fix, explain, reference, emit, format,
    /// run and test as tools.
    Mcp,
    /// What a package's build script runs (parseltongue-build without its
    /// `compiler` feature): lowers the program into Cargo's `OUT_DIR`.
    #[command(hide = true)]
    BuildScript {
        /// The program: a folder with `main.pt` or `lib.pt`, or a `.pt` file.
        #[arg(long, default_value = "src")]
        source: PathBuf,
        /// Where the Rust goes (default: `$OUT_DIR/parseltongue`).
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// The parseltongue-build version of the build script.
        #[arg(long)]
        expect_version: Option<String>,
    },
}

/// `plc run PATH`: a Cargo package (found from any folder or program
/// file inside it) goes through Cargo; a `.pt` file or a program folder
/// outside a package is compiled straight with rustc.
fn run(path: &Path, release: bool, args: &[String]) -> commands::Outcome {
    match commands::target(path) {
        commands::Target::Package { root, .. } => commands::build::run(&root, release, args),
        commands::Target::Program(program)
            if path.is_dir()
                && package::is_in_package(path)
                && parseltongue_build::load::root_file(&program).is_none() =>
        {
            // A folder inside a Rust package without a program of its own:
            // Cargo's package (a build script may compile `.pt` files).
            commands::build::run(path, release, args)
        }
        commands::Target::Program(program) => commands::script::run(&program, release, args),
    }
}

/// `plc test [FILTER_OR_PATH]`: a first argument that names an existing
/// file or folder is what to test; anything else filters tests by name.
fn test(
    filter: Option<String>,
    path: PathBuf,
    release: bool,
    args: Vec<String>,
) -> commands::Outcome {
    let (path, filter) = match filter {
        Some(given) if Path::new(&given).exists() && path == Path::new(".") => {
            (PathBuf::from(given), None)
        }
        other => (path, other),
    };
    let mut harness_args: Vec<String> = filter.into_iter().collect();
    harness_args.extend(args);
    match commands::target(&path) {
        commands::Target::Program(program)
            if program.is_file() || parseltongue_build::load::root_file(&program).is_some() =>
        {
            commands::script::test(&program, release, &harness_args)
        }
        commands::Target::Package { root, .. } => {
            commands::build::test(&root, release, &harness_args)
        }
        commands::Target::Program(program) => {
            commands::build::test(&program, release, &harness_args)
        }
    }
}

/// A large check allocates a tree per line; mimalloc serves those
/// allocations and faults in fresh memory faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A closed pipe on stdout or stderr ends the command quietly (exit code
/// 141), as it does a Unix tool killed by SIGPIPE, instead of a panic:
/// `print!` panics on a write error, and resetting the signal would take
/// `unsafe` code.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        // EPIPE on Unix, ERROR_NO_DATA on Windows.
        let closed = message.starts_with("failed printing to std")
            && (message.contains("(os error 32)") || message.contains("(os error 232)"));
        if closed {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::New { name, template } => commands::new::new(&name, &template),
        Command::Init { path, template } => commands::new::init(&path, &template),
        Command::Check { path, format } => commands::check::check(&path, format),
        Command::Build { path, release } => match commands::target(&path) {
            commands::Target::Package { root, .. } => commands::build::build(&root, release),
            commands::Target::Program(_) => commands::build::build(&path, release),
        },
        Command::Run {
            path,
            release,
            args,
        } => run(&path, release, &args),
        Command::Test {
            filter,
            path,
            release,
            args,
        } => test(filter, path, release, args),
        Command::Emit { path } => commands::check::emit(&path),
        Command::Fmt { path, check } => commands::fmt::fmt(&path, check),
        Command::Fix {
            path,
            dry_run,
            format,
        } => commands::fix::fix(&path, dry_run, format),
        Command::Snapshot { path, accept } => commands::snapshot::snapshot(&path, accept),
        Command::Explain { code, list } => match code {
            Some(code) if !list => commands::docs::explain(&code),
            _ => commands::docs::list_codes(),
        },
        Command::Reference => commands::docs::reference(),
        Command::Grammar { format } => commands::docs::grammar(format.into()),
        Command::BuildScript {
            source,
            out_dir,
            expect_version,
        } => {
            if let Some(version) = expect_version.filter(|v| v != env!("CARGO_PKG_VERSION")) {
                println!(
                    "cargo:warning=the build script is parseltongue-build {version} but plc is {}; the program is lowered by plc {}",
                    env!("CARGO_PKG_VERSION"),
                    env!("CARGO_PKG_VERSION")
                );
            }
            let mut build = parseltongue_build::Build::new().source(source);
            if let Some(dir) = out_dir {
                build = build.out_dir(dir);
            }
            build.run();
            Ok(ExitCode::SUCCESS)
        }
        Command::Mcp => mcp::serve().map(|()| ExitCode::SUCCESS),
        Command::Lsp => parseltongue_lsp::run_stdio()
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| format!("the language server could not start: {e}")),
    };
    match outcome {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
