//! The reference evaluator: runs a checked program's typed IR by the
//! semantics the language reference states, independently of the
//! lowering, to tell what the compiled program must print.
//!
//! Panics of the evaluated program are values ([`End::Panicked`]), never
//! Rust panics; threads run one after the other, each to its end when it
//! is spawned.

mod arith;
mod builtins;
mod calls;
mod debug;
mod entries;
mod eval;
mod format;
mod machine;
mod order;
pub(crate) mod rust_functions;
mod threads;
mod value;

use machine::{Flow, Machine};
use parseltongue_core::ir::{FunctionKind, Program};

/// The evaluator's own stack: deep recursion of the evaluated program
/// (up to [`machine::MAX_CALL_DEPTH`] calls) nests many evaluator frames
/// per call. Reserved, not committed, so unused depth costs nothing.
const STACK_BYTES: usize = 1 << 30;

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// `main` returned.
    Finished,
    /// The program panicked in `main`, with this message.
    Panicked(String),
    /// The fuel ran out first: the program may not terminate.
    OutOfFuel,
    /// The program did something the evaluator does not model (a
    /// `rust_function` call, recursion deeper than it allows), described.
    Unsupported(String),
}

/// What a run printed and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Everything `print_line` and `print` wrote.
    pub stdout: String,
    /// Everything `print_error_line` wrote (panic messages are in [`End`]).
    pub stderr: String,
    /// How the run ended.
    pub end: End,
    /// A spawned thread panicked: what the output shows after that (who
    /// finds the lock poisoned, which total overflows first) depended on
    /// the schedule, and the sequential run is one answer of several.
    pub thread_panicked: bool,
}

/// Runs `main` of a checked, error-free program (module 0's `main`
/// function). `fuel` bounds the number of evaluation steps (one per
/// statement, loop iteration, call and thread) so a non-terminating
/// program ends with [`End::OutOfFuel`] instead of hanging.
pub fn run_main(program: &Program, fuel: u64) -> Outcome {
    let main = program
        .functions
        .iter()
        .position(|f| f.module == 0 && f.name == "main" && f.kind == FunctionKind::Free);
    run_function(program, main, fuel)
}

/// The tests of a checked, error-free program: each one's name and
/// position in [`Program::functions`], in source order.
pub fn tests(program: &Program) -> Vec<(String, usize)> {
    program
        .functions
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == FunctionKind::Test)
        .map(|(i, f)| (f.name.to_string(), i))
        .collect()
}

/// Runs one test of a checked, error-free program (an index from
/// [`tests`]); it passes when it ends [`End::Finished`].
pub fn run_test(program: &Program, test: usize, fuel: u64) -> Outcome {
    run_function(program, Some(test), fuel)
}

/// Runs a function without arguments (`None`: there is none to run) on
/// a thread with the evaluator's own stack.
fn run_function(program: &Program, function: Option<usize>, fuel: u64) -> Outcome {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("parseltongue-evaluator".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, || run(program, function, fuel));
        match spawned {
            Ok(handle) => handle.join().unwrap_or_else(|_| Outcome {
                stdout: String::new(),
                stderr: String::new(),
                end: End::Unsupported("the evaluator itself panicked".into()),
                thread_panicked: false,
            }),
            Err(_) => run(program, function, fuel),
        }
    })
}

fn run(program: &Program, function: Option<usize>, fuel: u64) -> Outcome {
    let mut machine = Machine::new(program, fuel);
    let end = match function {
        None => End::Unsupported("the program has no `main`".into()),
        Some(function) => match machine.call(function, Vec::new()) {
            Ok(_) => End::Finished,
            Err(Flow::Panic(message)) => End::Panicked(message),
            Err(Flow::Stop(end)) => end,
            Err(Flow::Return(_) | Flow::Break | Flow::Continue) => {
                End::Unsupported("control flow escaped `main`".into())
            }
        },
    };
    Outcome {
        stdout: machine.stdout,
        stderr: machine.stderr,
        end,
        thread_panicked: machine.thread_panicked,
    }
}
