//! The front end's result does not depend on how many threads did the
//! work: a program large enough to be split, with errors and warnings
//! spread through it, checks the same on one thread and on several.

use parseltongue_core::diagnostics::Diagnostics;
use parseltongue_core::parallel::THREADS_VARIABLE;
use parseltongue_core::source::{FileId, SourceFile, SourceMap};
use parseltongue_core::syntax::parse_file;
use std::sync::{Mutex, MutexGuard};

/// The thread count is read from the environment: tests that set it take
/// turns.
fn one_test_at_a_time() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn block(i: usize) -> String {
    let mistake = match i % 5 {
        0 => format!("    let_var unused{i} = 1;\n"),
        1 => format!("    let_var wrong{i}: string = {i};\n    print_line(\"{{}}\", wrong{i});\n"),
        2 => format!("    print_line(\"{{}}\", missing{i});\n"),
        _ => String::new(),
    };
    format!(
        "record Point{i} {{\n    x: i64,\n    y: i64,\n}}\n\n\
         public function shift{i}(p: Point{i}, by: i64) returns Point{i} {{\n{mistake}    \
         let_mut_var total = p.x;\n    for step in range(0, by) {{\n        total += step;\n    }}\n    \
         Point{i} {{ x: total, y: p.y }}\n}}\n\n"
    )
}

fn checked_with(threads: &str, sources: &SourceMap) -> String {
    std::env::set_var(THREADS_VARIABLE, threads);
    let checked = parseltongue_core::check(sources);
    format!(
        "{:#?}\n{:#?}\n{:#?}\n{:#?}",
        checked.diagnostics, checked.modules, checked.tokens, checked.program
    )
}

#[test]
fn one_thread_and_several_give_the_same_result() {
    let _turn = one_test_at_a_time();
    let mut text: String = (0..1_200).map(block).collect();
    text.push_str(
        "function main() {\n    print_line(\"{}\", shift3(Point3 { x: 1, y: 2 }, 3).x);\n}\n",
    );
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("main.pt", text));

    let sequential = checked_with("1", &sources);
    assert!(
        sequential.contains("PT"),
        "the program has diagnostics to compare"
    );
    for threads in ["2", "5"] {
        let parallel = checked_with(threads, &sources);
        assert!(
            parallel == sequential,
            "{threads} threads gave a different result than one"
        );
    }
    std::env::remove_var(THREADS_VARIABLE);
}

/// A clean block with the things a split must not tear: doc comments,
/// comments at the first column, a string over several lines.
fn commented_block(i: usize) -> String {
    format!(
        "// Block {i}.\n\n/// A point.\nrecord Spot{i} {{\n    /// Across.\n    x: i64,\n}}\n\n\
         public function label{i}(spot: Spot{i}) returns string {{\n    \
         // The text is on two lines.\n    format(\"{{}}\n at {i}\", spot.x)\n}}\n\n"
    )
}

fn read_with(threads: &str, text: &str) -> String {
    std::env::set_var(THREADS_VARIABLE, threads);
    let mut diagnostics = Diagnostics::new();
    let (module, lexed) = parse_file(text, FileId(0), &mut diagnostics);
    format!("{diagnostics:#?}\n{module:#?}\n{lexed:#?}")
}

/// A large file is lexed, rewritten and parsed in runs of items on
/// several threads; the tokens, comments, tree and diagnostics are those
/// of one run over the whole file, also when a guessed split point falls
/// inside a string or the file has errors (then it is read in one run).
#[test]
fn reading_in_runs_gives_what_one_run_gives() {
    let _turn = one_test_at_a_time();
    let clean: String = (0..800).map(commented_block).collect();
    let mut split_inside_string = clean.clone();
    split_inside_string.push_str(
        "function notes() returns string {\n    \"a note\n\nfunction in a string\n\"\n}\n\n",
    );
    split_inside_string.push_str(&clean);
    let mut syntax_error = clean.clone();
    syntax_error.push_str("function broken( {\n}\n\n");
    syntax_error.push_str(&clean);
    let mut habit = clean.clone();
    habit.push_str("fn habit() {\n}\n\n");
    habit.push_str(&clean);
    for (case, text) in [
        ("clean", &clean),
        ("a split point inside a string", &split_inside_string),
        ("a syntax error", &syntax_error),
        ("a Rust habit", &habit),
    ] {
        let one = read_with("1", text);
        for threads in ["2", "5"] {
            assert!(
                read_with(threads, text) == one,
                "{case}: {threads} threads read the file differently than one"
            );
        }
    }
    std::env::remove_var(THREADS_VARIABLE);
}
