//! The reducer: shrinks a failing program to a small one that fails the
//! same way, by edits of its syntax tree (deleting items, statements and
//! arms, replacing an expression with one of its parts) and by removing
//! lines (delta debugging over the text), as C-Reduce's passes do, so
//! each failure becomes a readable regression case. What "the same way" means is the same oracle and, for rustc and
//! the checker, the same first code.

pub mod edits;

use crate::batch::{Builder, Built, Unit};
use crate::campaign::{judge_front_end_with, FrontEnd, Oracle};
use crate::generate::Program;
use std::time::{Duration, Instant};

/// How a program fails: the oracle and, where one exists, the code that
/// names the failure (`clippy::eq_op`, `E0502`, `PT0501`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signature {
    /// The oracle that failed.
    pub oracle: Oracle,
    /// The first code of the failure, if it has one (for the checker, with
    /// the headline of its diagnostic).
    pub code: Option<String>,
}

/// How `program` fails, or `None` if it passes every oracle (or the
/// evaluator cannot judge it).
pub fn signature(program: &Program, builder: &Builder, fuel: u64) -> Option<Signature> {
    failure(program, builder, fuel, Oracle::Behaviour).map(|f| f.signature())
}

/// Whether `program` fails as `wanted` says: the same oracle, and among its
/// problems (not only first: a smaller program may have others before it)
/// the one `wanted` names.
pub fn fails_as(program: &Program, wanted: &Signature, builder: &Builder, fuel: u64) -> bool {
    let Some(found) = failure(program, builder, fuel, wanted.oracle) else {
        return false;
    };
    // A cut that breaks the syntax keeps the checker's other errors, but
    // the program it leaves is not a program anyone would write.
    let broken_syntax = |code: &String| code.starts_with("PT000");
    found.oracle == wanted.oracle
        && wanted
            .code
            .as_ref()
            .is_none_or(|code| found.codes.contains(code))
        && (wanted.code.as_ref().is_some_and(broken_syntax)
            || !found.codes.iter().any(broken_syntax))
}

/// A failure as the oracles report it: every code, in order.
struct Found {
    oracle: Oracle,
    codes: Vec<String>,
}

impl Found {
    fn signature(self) -> Signature {
        Signature {
            oracle: self.oracle,
            code: self.codes.into_iter().next(),
        }
    }
}

/// How `program` fails an oracle up to `last` (in the order they are
/// asked), or `None`: a program that passes the front end is not built
/// when only the checker or the lowering is of interest.
fn failure(program: &Program, builder: &Builder, fuel: u64, last: Oracle) -> Option<Found> {
    // rustc's failures show through an unused value; checker and
    // behaviour failures are judged on programs without warnings.
    match judge_front_end_with(program, fuel, last == Oracle::Rustc) {
        FrontEnd::Skipped(_) => None,
        FrontEnd::Failed(oracle, detail) => Some(Found {
            oracle,
            codes: if oracle == Oracle::Diagnostics {
                pt_headlines(&detail)
            } else {
                Vec::new()
            },
        }),
        FrontEnd::Lowered { .. } if last < Oracle::Rustc => None,
        FrontEnd::Lowered {
            rust,
            stdout,
            end,
            tests,
        } => {
            let built = builder
                .build_and_run(&[Unit::new(rust, &tests)])
                .ok()?
                .pop()?;
            match built {
                Built::Rejected(codes, _) => Some(Found {
                    oracle: Oracle::Rustc,
                    codes: codes.into_iter().filter(|c| !c.is_empty()).collect(),
                }),
                Built::Ran(run) => {
                    let code = if matches!(end, crate::interpret::End::Finished) {
                        0
                    } else {
                        101
                    };
                    let tests_differ = tests
                        .iter()
                        .any(|want| !run.tests.iter().any(|ran| ran == want));
                    (run.stdout != stdout || run.code != Some(code) || tests_differ).then_some(
                        Found {
                            oracle: Oracle::Behaviour,
                            codes: Vec::new(),
                        },
                    )
                }
            }
        }
    }
}

/// The code and headline of each diagnostic (`PT0101 Error: cannot find
/// ...`): the headline names what the error is about, so a reduction
/// cannot trade the failure for another of the same code.
fn pt_headlines(rendered: &str) -> Vec<String> {
    rendered
        .lines()
        .filter_map(|line| line.strip_prefix("[PT"))
        .map(|rest| format!("PT{}", rest.replacen(']', "", 1)))
        .collect()
}

/// Shrinks `program` while it still fails with `wanted`, within `budget`
/// of time: edits of its syntax tree first (see [`edits`]), then removal
/// of lines, in rounds until neither finds anything more, each file of the
/// program in turn (root first). Returns the smallest failing program
/// found, each file formatted if it still fails that way.
pub fn reduce(
    program: &Program,
    wanted: &Signature,
    builder: &Builder,
    fuel: u64,
    budget: Duration,
) -> Program {
    let start = Instant::now();
    let within = || start.elapsed() < budget;
    let mut current = program.clone();
    loop {
        let before: usize = current.files.iter().map(|(_, text)| text.len()).sum();
        for file in 0..current.files.len() {
            let fails = |text: &str| {
                let mut candidate = current.clone();
                candidate.files[file].1 = text.to_string();
                fails_as(&candidate, wanted, builder, fuel)
            };
            let mut text = current.files[file].1.clone();
            text = tree_pass(&text, &fails, &within);
            text = line_pass(&text, &fails, &within);
            current.files[file].1 = text;
        }
        let after: usize = current.files.iter().map(|(_, text)| text.len()).sum();
        if after >= before || !within() {
            break;
        }
    }
    for file in 0..current.files.len() {
        let text = &current.files[file].1;
        if let Ok(formatted) = parseltongue_core::formatter::format_source(text) {
            let mut candidate = current.clone();
            candidate.files[file].1 = formatted;
            if candidate.files[file].1 != *text && fails_as(&candidate, wanted, builder, fuel) {
                current = candidate;
            }
        }
    }
    current
}

/// One round of tree edits. Edits are tried from the end of the text
/// backwards, outer ones before the ones inside them: an applied edit
/// leaves every earlier position where it was, so the rest of the round's
/// edits still apply as long as they end before it.
fn tree_pass(text: &str, fails: &dyn Fn(&str) -> bool, within: &dyn Fn() -> bool) -> String {
    let mut edits = edits::edits(text);
    edits.sort_by_key(|e| (std::cmp::Reverse(e.range.end), e.range.start));
    let mut current = text.to_string();
    let mut unchanged_before = text.len();
    for edit in edits {
        if !within() {
            break;
        }
        if edit.range.end > unchanged_before {
            continue;
        }
        let candidate = edit.apply(&current);
        if fails(&candidate) {
            current = candidate;
            unchanged_before = edit.range.start;
        }
    }
    current
}

/// Removes lines while the program still fails, by delta debugging over
/// chunks of lines that halve in size.
fn line_pass(text: &str, fails: &dyn Fn(&str) -> bool, within: &dyn Fn() -> bool) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let joined = |lines: &[&str]| lines.join("\n") + "\n";
    let mut chunk = (lines.len() / 2).max(1);
    while within() {
        let mut at = 0;
        let mut removed_any = false;
        while at < lines.len() && within() {
            let end = (at + chunk).min(lines.len());
            let mut candidate = lines.clone();
            candidate.drain(at..end);
            if !candidate.is_empty() && fails(&joined(&candidate)) {
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
    joined(&lines)
}
