//! Every diagnostic code has a long explanation whose wrong example
//! produces the code and whose fixed example compiles without any
//! diagnostic, passes clippy and runs.

mod support;

use parseltongue_core::diagnostics::codes;
use parseltongue_core::source::{SourceFile, SourceMap};

/// The text of the first ```pt block after `heading`.
fn example_after(text: &str, heading: &str) -> Option<String> {
    let start = text.find(heading)? + heading.len();
    let rest = &text[start..];
    let open = rest.find("```pt\n")? + "```pt\n".len();
    let close = rest[open..].find("```")?;
    Some(rest[open..open + close].to_string())
}

fn single_file(text: &str) -> SourceMap {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("example.pt", text));
    sources
}

#[test]
fn every_code_has_an_explanation_with_tested_examples() {
    let mut failures = Vec::new();
    let mut fixed_programs = Vec::new();
    for info in codes::ALL {
        let code = info.code.to_string();
        let text = info.explanation;
        if !text.starts_with(&format!("# {code}: ")) {
            failures.push(format!(
                "{code}: the explanation must start with `# {code}: <title>`"
            ));
            continue;
        }
        let (Some(wrong), Some(fixed)) = (
            example_after(text, "## Wrong"),
            example_after(text, "## Fixed"),
        ) else {
            failures.push(format!(
                "{code}: needs a ```pt block under `## Wrong` and under `## Fixed`"
            ));
            continue;
        };
        if !text.contains("<!-- wrong example needs a second file -->") {
            let checked = parseltongue_core::check(&single_file(&wrong));
            if !checked.diagnostics.iter().any(|d| d.code == info.code) {
                let got: Vec<String> = checked
                    .diagnostics
                    .iter()
                    .map(|d| d.code.to_string())
                    .collect();
                failures.push(format!(
                    "{code}: the wrong example does not produce {code} (got {got:?})"
                ));
            }
        }
        let sources = single_file(&fixed);
        match parseltongue_core::compile(&sources) {
            Ok(compiled) if compiled.diagnostics.is_empty() => {
                fixed_programs.push((code.clone(), compiled.rust.expect("no errors")));
            }
            Ok(compiled) => {
                let got: Vec<String> = compiled
                    .diagnostics
                    .iter()
                    .map(|d| format!("{} {}", d.code, d.message))
                    .collect();
                failures.push(format!(
                    "{code}: the fixed example has diagnostics: {got:?}"
                ));
            }
            Err(e) => failures.push(format!("{code}: lowering failed: {e}")),
        }
    }
    let results = support::parallel_map(&fixed_programs, |(code, rust)| {
        let binary = support::compile_with_clippy(&format!("explain_{code}"), rust)?;
        support::run_binary(&binary, code).map(|_| ())
    });
    failures.extend(results.into_iter().filter_map(Result::err));
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn codes_are_unique_and_lookup_accepts_common_spellings() {
    let mut seen = std::collections::HashSet::new();
    for info in codes::ALL {
        assert!(seen.insert(info.code), "duplicate code {}", info.code);
    }
    assert_eq!(
        codes::lookup("PT0301").map(|i| i.code),
        Some(codes::ASSIGN_IMMUTABLE)
    );
    assert_eq!(
        codes::lookup("pt0301").map(|i| i.code),
        Some(codes::ASSIGN_IMMUTABLE)
    );
    assert_eq!(
        codes::lookup("0301").map(|i| i.code),
        Some(codes::ASSIGN_IMMUTABLE)
    );
    assert!(codes::lookup("PT9999").is_none());
    assert!(codes::lookup("nonsense").is_none());
}
