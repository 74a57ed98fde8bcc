//! The macro as rustc runs it:
//! - every valid single-file program of the core's corpus compiles and
//!   runs as a `parseltongue! { … }` invocation (the cases are written
//!   from the corpus at test time, so they never drift from it);
//! - the wrong programs in `tests/fail/` fail with every error on the
//!   token that caused it, as the reviewed `.stderr` files pin (warnings
//!   too: denied, their deprecation warnings become errors).

use std::path::{Path, PathBuf};

fn valid_programs() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../parseltongue-core/tests/corpus/valid");
    let mut programs: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("corpus folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pt"))
        .map(|p| {
            let name = p.file_stem().expect("named").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("corpus file"))
        })
        .collect();
    programs.sort();
    programs
}

#[test]
fn corpus_programs_compile_as_macros_and_errors_land_on_their_tokens() {
    let cases = trybuild::TestCases::new();
    let pass_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("macro-pass");
    std::fs::create_dir_all(&pass_dir).expect("pass folder");
    let programs = valid_programs();
    assert!(programs.len() >= 40, "{} programs", programs.len());
    for (name, text) in &programs {
        let mut file = String::from("parseltongue_macros::parseltongue! {\n");
        file.push_str(text);
        file.push_str("}\n");
        if !text.contains("function main()") {
            file.push_str("\nfn main() {}\n");
        }
        let path = pass_dir.join(format!("{name}.rs"));
        // Rewriting an unchanged case would make trybuild rebuild it.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(file.as_str()) {
            std::fs::write(&path, file).expect("write pass case");
        }
        cases.pass(&path);
    }
    let fail_cases = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fail"))
        .expect("fail folder")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "rs"))
        })
        .count();
    assert!(fail_cases >= 30, "{fail_cases} fail cases");
    cases.compile_fail("tests/fail/*.rs");
}
