//! The front end's result does not depend on how many threads did the
//! work: a program large enough to be split, with errors and warnings
//! spread through it, checks the same on one thread and on several.

use parseltongue_core::parallel::THREADS_VARIABLE;
use parseltongue_core::source::{SourceFile, SourceMap};

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
        "{:#?}\n{:#?}\n{:#?}",
        checked.diagnostics, checked.modules, checked.program
    )
}

#[test]
fn one_thread_and_several_give_the_same_result() {
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
