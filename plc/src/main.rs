//! `plc`, the Parseltongue toolchain.
//!
//! Exit codes: 0 success, 1 the program has errors (diagnostics were
//! printed), 2 a usage or environment problem (bad arguments, a missing
//! file, no Rust compiler).

mod commands;
mod load;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// The Parseltongue toolchain.
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

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a program (parse and type-check only; no Rust is compiled).
    Check {
        /// A `.pt` file, or a folder whose `main.pt` is the root module.
        path: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Print the Rust a program lowers to.
    Emit {
        /// A `.pt` file, or a folder whose `main.pt` is the root module.
        path: PathBuf,
    },
    /// Compile a program with rustc and run it.
    Run {
        /// A `.pt` file, or a folder whose `main.pt` is the root module.
        path: PathBuf,
        /// Build with optimisations.
        #[arg(long)]
        release: bool,
        /// Arguments passed to the program.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Apply every machine-applicable fix, then report what is left.
    Fix {
        /// A `.pt` file, or a folder whose `main.pt` is the root module.
        path: PathBuf,
        /// Show the edits without writing them.
        #[arg(long)]
        dry_run: bool,
        /// How to print the edits of a dry run.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Print the long explanation of a diagnostic code, e.g. `plc explain PT0301`.
    Explain {
        /// The code, e.g. `PT0301`.
        code: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check { path, format } => commands::check(&path, format),
        Command::Emit { path } => commands::emit(&path),
        Command::Run {
            path,
            release,
            args,
        } => commands::run(&path, release, &args),
        Command::Fix {
            path,
            dry_run,
            format,
        } => commands::fix(&path, dry_run, format),
        Command::Explain { code } => commands::explain(&code),
    };
    match outcome {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
