//! Every Slytherin code has an explanation whose wrong example produces it
//! and whose fixed example has no diagnostic and builds under clippy with
//! the run-time crate.

mod support;

/// The text of the first ```pt block after `heading`.
fn example_after(text: &str, heading: &str) -> Option<String> {
    let start = text.find(heading)? + heading.len();
    let rest = &text[start..];
    let open = rest.find("```pt\n")? + "```pt\n".len();
    let close = rest[open..].find("```")?;
    Some(rest[open..open + close].to_string())
}

#[test]
fn every_code_has_an_explanation_with_tested_examples() {
    assert!(!slytherin_lang::CODES.is_empty());
    for info in slytherin_lang::CODES {
        let code = info.code.to_string();
        assert!(
            (1000..2000).contains(&info.code.0),
            "{code} is outside Slytherin's range"
        );
        assert!(
            info.explanation
                .starts_with(&format!("# {code}: {}", info.title)),
            "{code}: the explanation starts with `# {code}: <title>`"
        );
        let wrong = example_after(info.explanation, "## Wrong").expect("a wrong example");
        let fixed = example_after(info.explanation, "## Fixed").expect("a fixed example");
        let got = support::diagnostics(&wrong);
        assert!(
            got.iter().any(|d| d.code == info.code),
            "{code}: the wrong example gives {:?}",
            got.iter().map(|d| d.code.to_string()).collect::<Vec<_>>()
        );
        let rust = support::rust_of(&fixed);
        let binary = support::build(&format!("explanation_{code}"), &rust);
        assert!(binary.exists());
    }
}
