//! The reducer: shrinks a failing program to a small one that fails the
//! same way, by removing lines (delta debugging over the source text, as
//! C-Reduce does first), so each failure becomes a readable regression
//! case. What "the same way" means is the same oracle and, for rustc and
//! the checker, the same first code.

use crate::batch::{Builder, Built, Unit};
use crate::campaign::{judge_front_end, FrontEnd, Oracle};
use crate::generate::Program;
use std::time::{Duration, Instant};

/// How a program fails: the oracle and, where one exists, the code that
/// names the failure (`clippy::eq_op`, `E0502`, `PT0501`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signature {
    /// The oracle that failed.
    pub oracle: Oracle,
    /// The first code of the failure, if it has one.
    pub code: Option<String>,
}

/// How `program` fails, or `None` if it passes every oracle (or the
/// evaluator cannot judge it).
pub fn signature(program: &Program, builder: &Builder, fuel: u64) -> Option<Signature> {
    match judge_front_end(program, fuel) {
        FrontEnd::Skipped(_) => None,
        FrontEnd::Failed(oracle, detail) => Some(Signature {
            oracle,
            code: (oracle == Oracle::Diagnostics)
                .then(|| first_pt_code(&detail))
                .flatten(),
        }),
        FrontEnd::Lowered { rust, stdout, end } => {
            let built = builder.build_and_run(&[Unit { rust }]).ok()?.pop()?;
            match built {
                Built::Rejected(codes, _) => Some(Signature {
                    oracle: Oracle::Rustc,
                    code: codes.into_iter().find(|c| !c.is_empty()),
                }),
                Built::Ran(run) => {
                    let code = if matches!(end, crate::interpret::End::Finished) {
                        0
                    } else {
                        101
                    };
                    (run.stdout != stdout || run.code != Some(code)).then_some(Signature {
                        oracle: Oracle::Behaviour,
                        code: None,
                    })
                }
            }
        }
    }
}

fn first_pt_code(rendered: &str) -> Option<String> {
    let start = rendered.find("[PT")?;
    rendered.get(start + 1..start + 7).map(str::to_string)
}

/// Removes lines of `program` while it still fails with `wanted`, within
/// `budget` of time. Returns the smallest failing text found.
pub fn reduce(
    program: &Program,
    wanted: &Signature,
    builder: &Builder,
    fuel: u64,
    budget: Duration,
) -> String {
    let start = Instant::now();
    let mut lines: Vec<String> = program.files[0].1.lines().map(str::to_string).collect();
    let fails = |lines: &[String]| {
        let candidate = Program {
            seed: program.seed,
            files: vec![(program.files[0].0.clone(), lines.join("\n") + "\n")],
        };
        signature(&candidate, builder, fuel).as_ref() == Some(wanted)
    };
    let mut chunk = (lines.len() / 2).max(1);
    while chunk >= 1 && start.elapsed() < budget {
        let mut at = 0;
        let mut removed_any = false;
        while at < lines.len() && start.elapsed() < budget {
            let end = (at + chunk).min(lines.len());
            let mut candidate = lines.clone();
            candidate.drain(at..end);
            if !candidate.is_empty() && fails(&candidate) {
                lines = candidate;
                removed_any = true;
            } else {
                at = end;
            }
        }
        if !removed_any {
            if chunk == 1 {
                break;
            }
            chunk /= 2;
        }
    }
    lines.join("\n") + "\n"
}
