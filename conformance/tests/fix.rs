//! `plc fix` never makes a program worse: over the error corpus and over
//! generated programs with mistakes put in (Rust spellings, a missing
//! `;`, Rust method names), the fixed program has no more errors than the
//! original, and a program without errors is left exactly as it was.

use parseltongue_conformance::generate::{self, Size};
use parseltongue_core::fix::fix_until_clean;
use parseltongue_core::source::{SourceFile, SourceMap};

/// A root module's text and the program's other modules (unchanged).
fn sources(text: &str, modules: &[(String, String)]) -> SourceMap {
    let mut map = SourceMap::new();
    map.add(SourceFile::new("main.pt", text));
    for (name, module) in modules {
        map.add(SourceFile::new(name.clone(), module.clone()));
    }
    map
}

fn errors(text: &str, modules: &[(String, String)]) -> usize {
    parseltongue_extensions::check(&sources(text, modules))
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .count()
}

/// `text` with the `n`th occurrence (cycling) of each chosen mistake put in.
fn with_mistakes(text: &str, seed: u64) -> String {
    const MISTAKES: &[(&str, &str)] = &[
        ("let_var ", "let "),
        ("let_mut_var ", "let mut "),
        ("function ", "fn "),
        ("print_line(", "println!("),
        (".length()", ".len()"),
        ("list_of(", "vec!["),
        (" returns ", " -> "),
        (".to_upper()", ".to_uppercase()"),
        ("record ", "struct "),
        (";\n", "\n"),
    ];
    let mut out = text.to_string();
    let mut state = seed
        .wrapping_mul(2_862_933_555_777_941_757)
        .wrapping_add(3_037_000_493);
    for _ in 0..3 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        let (from, to) = MISTAKES[(state >> 33) as usize % MISTAKES.len()];
        let places: Vec<usize> = out.match_indices(from).map(|(i, _)| i).collect();
        if places.is_empty() {
            continue;
        }
        let at = places[(state >> 40) as usize % places.len()];
        out.replace_range(at..at + from.len(), to);
    }
    out
}

#[test]
fn fixing_never_adds_errors_and_leaves_clean_programs_alone() {
    let mut problems = Vec::new();
    let mut fixed_somewhere = 0;
    for seed in 0..150u64 {
        let program = generate::generate(seed, Size::from_knob((seed % 2) as usize));
        let clean = &program.files[0].1;
        let modules = &program.files[1..];
        let (unchanged, edits) = fix_until_clean(&sources(clean, modules), 5);
        if !edits.is_empty() || unchanged[0] != *clean {
            problems.push(format!(
                "seed {seed}: a program without errors was changed: {edits:?}"
            ));
        }
        let broken = with_mistakes(clean, seed);
        let before = errors(&broken, modules);
        let (fixed, edits) = fix_until_clean(&sources(&broken, modules), 5);
        let after = errors(&fixed[0], modules);
        fixed_somewhere += usize::from(after < before);
        if after > before {
            problems.push(format!(
                "seed {seed}: {before} errors before fixing, {after} after; edits {edits:?}\n--- broken ---\n{broken}\n--- fixed ---\n{}",
                fixed[0]
            ));
        }
    }
    assert!(
        fixed_somewhere > 50,
        "fixes repaired only {fixed_somewhere} programs"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn fixing_the_error_corpus_never_adds_errors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../parseltongue-core/tests/corpus/errors");
    let mut problems = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the error corpus exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pt"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let before = errors(&text, &[]);
        let (fixed, edits) = fix_until_clean(&sources(&text, &[]), 5);
        let after = errors(&fixed[0], &[]);
        if after > before {
            problems.push(format!(
                "{}: {before} errors before fixing, {after} after; edits {edits:?}",
                path.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
