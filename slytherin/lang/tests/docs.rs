//! Every Slytherin example of the references is true: a ```pt slytherin
//! block of `docs/reference.md` or `docs/llms.txt` checks without a
//! diagnostic and its Rust builds under clippy with the run-time crate; a
//! ```pt slytherin wrong PTxxxx block produces that code; every Slytherin
//! code has its row in the reference's table.

mod support;

/// The fenced blocks of `markdown`: info string and text.
fn blocks(markdown: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut text = String::new();
        for inner in lines.by_ref() {
            if inner.starts_with("```") {
                break;
            }
            text.push_str(inner);
            text.push('\n');
        }
        out.push((info.trim().to_string(), text));
    }
    out
}

fn document(name: &str) -> String {
    let path = format!("{}/../../docs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_slytherin_example_is_true() {
    let mut checked = 0;
    for name in ["reference.md", "llms.txt"] {
        for (index, (info, text)) in blocks(&document(name)).into_iter().enumerate() {
            if let Some(code) = info.strip_prefix("pt slytherin wrong ") {
                let got: Vec<String> = support::diagnostics(&text)
                    .iter()
                    .map(|d| d.code.to_string())
                    .collect();
                assert!(
                    got.contains(&code.trim().to_string()),
                    "{name} block {index}: expected {code}, got {got:?}"
                );
                checked += 1;
            } else if info == "pt slytherin" {
                let rust = support::rust_of(&text);
                support::build(&format!("docs_{}_{index}", name.replace('.', "_")), &rust);
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "{checked} Slytherin examples");
}

#[test]
fn the_reference_lists_every_slytherin_code_with_its_title() {
    let reference = document("reference.md");
    for info in slytherin_lang::CODES {
        assert!(
            reference
                .lines()
                .any(|l| l.starts_with(&format!("| {} |", info.code)) && l.contains(info.title)),
            "{} is missing from the reference's table",
            info.code
        );
    }
}
