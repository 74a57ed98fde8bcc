//! No input makes the front end, the formatter or the editor analysis
//! panic, hang or overflow its stack: random bytes, mutated corpus programs
//! and pathologically deep nesting all get diagnostics. Whatever checks without errors must also lower to Rust that
//! parses (the lowering re-parses its output with `syn`).

mod support;

use parseltongue_benchmarks::malformed::{large_malformed_inputs, FRAGMENTS};
use parseltongue_core::diagnostics::codes;
use parseltongue_core::source::{SourceFile, SourceMap};
use parseltongue_core::syntax::MAX_SYNTAX_ERRORS;
use proptest::prelude::*;

fn sources_of(text: &str) -> SourceMap {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("fuzz.pt", text));
    sources
}

/// Runs the whole pipeline; panics only if lowering produced invalid Rust
/// or a diagnostic has a label without text. The formatter and every
/// editor question run on the same text, at offsets spread over it (and
/// past its end): none may panic.
fn compile_anything(text: &str) {
    let sources = sources_of(text);
    let compiled = parseltongue_core::compile(&sources);
    assert!(
        compiled.is_ok(),
        "lowering failed for:\n{text}\n{:?}",
        compiled.err()
    );
    if let Ok(compiled) = &compiled {
        let unlabelled = support::unlabelled(&compiled.diagnostics, &sources);
        assert!(
            unlabelled.is_empty(),
            "labels without text for:\n{text}\n{}",
            unlabelled.join("\n")
        );
    }
    let _ = parseltongue_core::formatter::format_source(text);
    let analysis = parseltongue_core::analysis::Analysis::new(sources);
    let file = parseltongue_core::source::FileId(0);
    let end = text.len() as u32;
    for offset in (0..=end + 2).step_by((text.len() / 7).max(1)) {
        let _ = analysis.hover(file, offset);
        let _ = analysis.definition(file, offset);
        let _ = analysis.references(file, offset);
        let _ = analysis.completions(file, offset);
        let _ = analysis.signature_help(file, offset);
        let _ = analysis.rename(file, offset, "renamed");
        let _ = analysis.actions(file, offset, offset + 5);
    }
    let _ = analysis.symbols(file);
    let _ = analysis.folds(file);
    let _ = analysis.semantic_tokens(file);
    let _ = analysis.inlay_hints(file);
}

fn corpus_texts() -> Vec<String> {
    support::corpus_entries("valid")
        .iter()
        .chain(support::corpus_entries("errors").iter())
        .flat_map(|e| e.files.clone())
        .map(|path| std::fs::read_to_string(path).expect("corpus file"))
        .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, usize),
    Duplicate(usize, usize),
    Swap(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(a, f)| Mutation::Insert(a, f)),
        (any::<usize>(), 1usize..60).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
    ]
}

fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, m: &Mutation) -> String {
    match *m {
        Mutation::Delete(a, n) => {
            let start = boundary(text, a);
            let end = boundary(text, (start + n).min(text.len()));
            format!("{}{}", &text[..start], &text[end.max(start)..])
        }
        Mutation::Insert(a, f) => {
            let at = boundary(text, a);
            format!("{}{}{}", &text[..at], FRAGMENTS[f], &text[at..])
        }
        Mutation::Duplicate(a, n) => {
            let start = boundary(text, a);
            let end = boundary(text, (start + n).min(text.len())).max(start);
            format!("{}{}", &text[..end], &text[start..])
        }
        Mutation::Swap(a, b) => {
            let (x, y) = (boundary(text, a), boundary(text, b));
            let (x, y) = (x.min(y), x.max(y));
            format!("{}{}", &text[x..y], &text[..x]) + &text[y..]
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        compile_anything(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_token_soup_never_panics(picks in proptest::collection::vec(0..FRAGMENTS.len(), 0..80)) {
        let text: String = picks.iter().map(|&i| FRAGMENTS[i]).collect::<Vec<_>>().join(" ");
        compile_anything(&text);
    }

    #[test]
    fn mutated_corpus_programs_never_panic(
        which in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let texts = corpus_texts();
        let mut text = texts[which % texts.len()].clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        compile_anything(&text);
    }
}

fn assert_reports(text: &str, code: codes::Code) {
    let checked = parseltongue_core::check(&sources_of(text));
    assert!(
        checked.diagnostics.iter().any(|d| d.code == code),
        "expected {code}, got {:?}",
        checked
            .diagnostics
            .iter()
            .map(|d| d.code)
            .collect::<Vec<_>>()
    );
}

/// Runs on a thread with a small stack, like the test harness's own, so a
/// recursion that depends on input depth would overflow here.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("thread starts")
        .join()
        .expect("no panic and no stack overflow");
}

#[test]
fn ten_thousand_nested_parentheses_get_a_nesting_error() {
    on_small_stack(|| {
        let text = format!(
            "function main() {{ let_var x = {}1{}; print_line(\"{{}}\", x); }}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert_reports(&text, codes::NESTING_TOO_DEEP);
    });
}

#[test]
fn ten_thousand_nested_blocks_lists_and_ifs_get_a_nesting_error() {
    on_small_stack(|| {
        let blocks = format!(
            "function main() {{ {} }}",
            "{".repeat(10_000) + &"}".repeat(10_000)
        );
        assert_reports(&blocks, codes::NESTING_TOO_DEEP);
        let lists = format!(
            "function main() {{ let_var x = {}1{}; }}",
            "list_of(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert_reports(&lists, codes::NESTING_TOO_DEEP);
        let ifs = format!(
            "function main() {{ {} }}",
            "if true { ".repeat(10_000) + &"}".repeat(10_000)
        );
        assert_reports(&ifs, codes::NESTING_TOO_DEEP);
    });
}

#[test]
fn ten_thousand_operators_and_calls_in_a_row_stay_shallow() {
    on_small_stack(|| {
        let sum = format!(
            "function main() {{ let_var x = 1{}; print_line(\"{{}}\", x); }}",
            " + 1".repeat(10_000)
        );
        let checked = parseltongue_core::check(&sources_of(&sum));
        assert!(!checked.has_errors(), "a long flat sum is fine");
        let negations = format!(
            "function main() {{ let_var x = {}true; }}",
            "!".repeat(10_000)
        );
        let checked = parseltongue_core::check(&sources_of(&negations));
        assert!(checked.has_errors(), "prefix operators do not stack");
        let chain = format!(
            "function main() {{ let_var x = 1{}; }}",
            ".abs()".repeat(10_000)
        );
        assert_reports(&chain, codes::NESTING_TOO_DEEP);
        let else_ifs = format!(
            "function main() {{ let_var n = 3; if n == 0 {{ }}{} else {{ }} }}",
            " else if n == 1 { }".repeat(10_000)
        );
        let checked = parseltongue_core::check(&sources_of(&else_ifs));
        assert!(!checked.has_errors(), "a long flat else-if chain is fine");
        // The formatter and the editor analysis take the same long inputs
        // on the same small stack.
        for text in [&sum, &negations, &chain, &else_ifs] {
            let _ = parseltongue_core::formatter::format_source(text);
            let analysis = parseltongue_core::analysis::Analysis::new(sources_of(text));
            let file = parseltongue_core::source::FileId(0);
            let _ = analysis.hover(file, 40);
            let _ = analysis.completions(file, 40);
            let _ = analysis.semantic_tokens(file);
            let _ = analysis.folds(file);
        }
        let formatted = parseltongue_core::formatter::format_source(&else_ifs).expect("formats");
        assert_eq!(
            parseltongue_core::formatter::format_source(&formatted).expect("formats again"),
            formatted
        );
    });
}

#[test]
fn unterminated_constructs_at_end_of_file_are_reported() {
    for text in [
        "function main() { print_line(\"oops",
        "/* never closed",
        "function main() {",
        "record R { x: i64",
    ] {
        let checked = parseltongue_core::check(&sources_of(text));
        assert!(checked.has_errors(), "{text}");
    }
}

#[test]
fn code_just_under_the_inline_limit_fits_a_small_stack() {
    on_small_stack(|| {
        // 15 levels of blocks and parentheses: checked on the caller's own
        // thread (no worker), which here has the test harness's 2 MiB.
        let open = "if true { ".repeat(7);
        let close = "}".repeat(7);
        let text = format!(
            "function main() {{ {open} let_var x = ((((((1 + 2) * 3) - 4) * 5) + 6) - 7); print_line(\"{{}}\", x); {close} }}"
        );
        let compiled = parseltongue_core::compile(&sources_of(&text)).expect("lowers");
        assert!(compiled.rust.is_some(), "{:?}", compiled.diagnostics);
    });
}

/// Past the limit of syntax errors a file shows, one more error says how
/// many were left out and where they start.
#[test]
fn syntax_errors_past_the_limit_are_summarised_where_they_start() {
    let text = ")\n".repeat(MAX_SYNTAX_ERRORS + 900);
    let checked = parseltongue_core::check(&sources_of(&text));
    assert_eq!(checked.diagnostics.len(), MAX_SYNTAX_ERRORS + 1);
    let summary = checked
        .diagnostics
        .iter()
        .find(|d| d.message.contains("more syntax errors"))
        .expect("the summary");
    assert_eq!(summary.message, "900 more syntax errors are not shown");
    assert_eq!(summary.primary.span.start as usize, 2 * MAX_SYNTAX_ERRORS);
}

/// Large malformed files are reported in time linear in their size. The
/// limit is many times the time a linear front end takes in a debug build
/// (about 4 s for 100,000 lines of token soup): a quadratic recovery (once
/// minutes here) fails it, machine noise does not.
#[test]
fn large_malformed_files_are_reported_in_linear_time() {
    for (what, text) in large_malformed_inputs(100_000) {
        let start = std::time::Instant::now();
        let checked = parseltongue_core::check(&sources_of(&text));
        let elapsed = start.elapsed();
        assert!(checked.has_errors(), "{what}: no error reported");
        assert!(
            checked.diagnostics.len() <= MAX_SYNTAX_ERRORS + 1,
            "{what}: {} diagnostics, past the limit and its summary",
            checked.diagnostics.len()
        );
        assert!(
            elapsed < std::time::Duration::from_secs(60),
            "{what}: {} lines took {elapsed:?}",
            text.lines().count()
        );
    }
}

/// Blocks are read by every block kind's checks entry by entry: 100,000
/// unknown settings (or repeats of one) are each reported once, and the
/// time grows with the entries, not with their square.
#[test]
fn a_block_of_a_hundred_thousand_settings_is_checked_in_linear_time() {
    let entries = 100_000;
    let unknown: String = (0..entries)
        .map(|i| format!("    core_{i}: list_of({i}),\n"))
        .collect();
    let repeated = "    policy: api,\n".repeat(entries);
    for (what, body, expected) in [
        ("unknown settings", unknown, entries),
        // The block's own last `policy: api,` repeats the first as well.
        ("one setting repeated", repeated, entries),
    ] {
        let text = format!("partition app {{\n    cores: list_of(0),\n{body}    policy: api,\n}}\n\nfunction main() {{\n    print_line(\"{{}}\", spawn_on app {{ 1 }}.join());\n}}\n");
        let start = std::time::Instant::now();
        let checked = parseltongue_core::check(&sources_of(&text));
        let elapsed = start.elapsed();
        let reported = checked
            .diagnostics
            .iter()
            .filter(|d| d.code == codes::INVALID_PARTITION_PLAN)
            .count();
        assert_eq!(reported, expected, "{what}");
        assert!(
            elapsed < std::time::Duration::from_secs(60),
            "{what}: {entries} entries took {elapsed:?}"
        );
    }
}
