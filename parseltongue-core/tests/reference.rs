//! Every example in `docs/reference.md` is checked, so the reference can
//! never drift from the compiler:
//! - a ```pt block is a complete program that checks without any diagnostic;
//! - a ```rust block right after it is exactly the Rust it lowers to (minus
//!   the `@generated` line and the source markers);
//! - an ```output block right after it is exactly what it prints;
//! - a ```pt wrong PTxxxx block produces that diagnostic code.

mod support;

use parseltongue_core::source::{SourceFile, SourceMap};

use support::blocks;

fn sources(text: &str) -> SourceMap {
    let mut map = SourceMap::new();
    map.add(SourceFile::new("example.pt", text));
    map
}

fn without_markers(rust: &str) -> String {
    rust.lines()
        .filter(|l| {
            !l.trim_start().starts_with("// @generated")
                && !l.trim_start().starts_with("// parseltongue: ")
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

#[test]
fn every_reference_example_is_true() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/reference.md");
    let markdown = std::fs::read_to_string(path).expect("docs/reference.md exists");
    let blocks = blocks(&markdown);
    let mut failures = Vec::new();
    let mut to_run = Vec::new();
    let (mut programs, mut wrong, mut lowered) = (0, 0, 0);
    for (i, block) in blocks.iter().enumerate() {
        let next = blocks.get(i + 1);
        if let Some(code) = block.info.strip_prefix("pt wrong ") {
            wrong += 1;
            let checked = parseltongue_core::check(&sources(&block.text));
            if !checked
                .diagnostics
                .iter()
                .any(|d| d.code.to_string() == code.trim())
            {
                let got: Vec<String> = checked
                    .diagnostics
                    .iter()
                    .map(|d| d.code.to_string())
                    .collect();
                failures.push(format!("line {}: expected {code}, got {got:?}", block.line));
            }
            continue;
        }
        if block.info != "pt" {
            continue;
        }
        programs += 1;
        let compiled = parseltongue_core::compile(&sources(&block.text)).expect("lowering");
        if !compiled.diagnostics.is_empty() {
            let got: Vec<String> = compiled
                .diagnostics
                .iter()
                .map(|d| format!("{} {}", d.code, d.message))
                .collect();
            failures.push(format!(
                "line {}: a ```pt example must check cleanly: {got:?}",
                block.line
            ));
            continue;
        }
        let rust = compiled.rust.expect("no errors");
        match next.map(|b| b.info.as_str()) {
            Some("rust") => {
                lowered += 1;
                let expected = next.map(|b| b.text.trim().to_string()).unwrap_or_default();
                let actual = without_markers(&rust);
                if expected != actual {
                    failures.push(format!("line {}: the ```rust block differs from the lowering:\n--- documented\n{expected}\n--- generated\n{actual}", block.line));
                }
            }
            Some("output") => {
                let expected = next.map(|b| b.text.clone()).unwrap_or_default();
                to_run.push((format!("reference_line_{}", block.line), rust, expected));
            }
            _ => {}
        }
    }
    let results = support::parallel_map(&to_run, |(name, rust, expected)| {
        let binary = support::compile_with_clippy(name, rust)?;
        let output = support::run_binary(&binary, name)?;
        if output != *expected {
            return Err(format!(
                "{name}: output differs\n--- documented\n{expected}--- actual\n{output}"
            ));
        }
        Ok(())
    });
    failures.extend(results.into_iter().filter_map(Result::err));
    assert!(
        programs >= 40,
        "the reference has only {programs} complete examples"
    );
    assert!(
        wrong >= 15,
        "the reference has only {wrong} common-mistake examples"
    );
    assert!(
        lowered >= 10,
        "the reference shows only {lowered} lowerings"
    );
    assert!(
        failures.is_empty(),
        "{} problem(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_reference_lists_every_diagnostic_code_with_its_title() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/reference.md");
    let markdown = std::fs::read_to_string(path).expect("docs/reference.md exists");
    let missing: Vec<String> = parseltongue_core::diagnostics::codes::ALL
        .iter()
        .filter(|info| {
            !markdown
                .lines()
                .any(|l| l.starts_with(&format!("| {} |", info.code)) && l.contains(info.title))
        })
        .map(|info| format!("{}: {}", info.code, info.title))
        .collect();
    assert!(
        missing.is_empty(),
        "codes missing from the reference's table: {missing:#?}"
    );
}

#[test]
fn the_reference_says_what_every_keyword_lowers_to() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/reference.md");
    let markdown = std::fs::read_to_string(path).expect("docs/reference.md exists");
    let rows: Vec<&str> = markdown.lines().filter(|l| l.starts_with("| `")).collect();
    let missing: Vec<&str> = parseltongue_core::syntax::token::Keyword::ALL
        .iter()
        .map(|k| k.as_str())
        .filter(|k| {
            !rows.iter().any(|row| {
                let first_cell = row.split('|').nth(1).unwrap_or("");
                first_cell.contains(&format!("`{k}`"))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "keywords without a row in the keyword table: {missing:?}"
    );
}

/// `docs/llms.txt`, the compact reference `plc reference` prints: its
/// programs check clean, its mistakes are rejected, its two-file example
/// checks as a program folder, and it names every keyword.
#[test]
fn llms_txt_examples_check_and_every_keyword_is_named() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/llms.txt");
    let text = std::fs::read_to_string(path).expect("docs/llms.txt exists");
    assert!(
        text.starts_with("# Parseltongue\n\n> "),
        "llms.txt starts with a title and a summary"
    );
    let (mut programs, mut mistakes, mut modules) = (0, 0, 0);
    for block in blocks(&text) {
        let at = format!("docs/llms.txt:{}", block.line);
        match block.info.as_str() {
            "pt" => {
                programs += 1;
                let compiled = parseltongue_core::compile(&sources(&block.text)).expect("lowers");
                assert!(
                    compiled.diagnostics.is_empty(),
                    "{at}: {:?}",
                    compiled.diagnostics
                );
                assert!(compiled.rust.is_some(), "{at}");
            }
            "pt wrong" => {
                mistakes += 1;
                let checked = parseltongue_core::check(&sources(&block.text));
                assert!(checked.has_errors(), "{at}: the wrong example is accepted");
            }
            "text" if block.text.contains("// file ") => {
                modules += 1;
                let mut map = SourceMap::new();
                let mut files: Vec<(String, String)> = Vec::new();
                for line in block.text.lines() {
                    if let Some(name) = line.strip_prefix("// file ") {
                        let name = name.split_whitespace().next().unwrap_or("main.pt");
                        files.push((name.to_string(), String::new()));
                    } else if let Some((_, body)) = files.last_mut() {
                        body.push_str(line);
                        body.push('\n');
                    }
                }
                files.sort_by_key(|(name, _)| name != "main.pt");
                for (name, body) in files {
                    map.add(SourceFile::new(name, body));
                }
                let checked = parseltongue_core::check(&map);
                assert!(
                    checked.diagnostics.is_empty(),
                    "{at}: {:?}",
                    checked.diagnostics
                );
            }
            "text" => {}
            // Slytherin's examples are checked by its own tests
            // (slytherin/lang/tests/docs.rs), with the extension.
            info if info.starts_with("pt slytherin") => {}
            other => {
                panic!("{at}: unexpected fence `{other}`; use pt, pt wrong, pt slytherin or text")
            }
        }
    }
    assert!(
        programs >= 4 && mistakes >= 4 && modules >= 1,
        "{programs} {mistakes} {modules}"
    );
    for keyword in parseltongue_core::syntax::token::Keyword::ALL {
        assert!(
            text.contains(&format!("`{}", keyword.as_str()))
                || text.contains(&format!(" {} ", keyword.as_str())),
            "llms.txt never names `{}`",
            keyword.as_str()
        );
    }
}
