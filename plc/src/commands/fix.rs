//! `plc fix`: machine-applicable suggestions, applied.

use super::{check::check, load_program, Outcome};
use crate::Format;
use std::path::Path;
use std::process::ExitCode;

/// `plc fix`: applies machine-applicable fixes round by round (a fix can
/// reveal the next one), writes the files, and reports what is left.
pub fn fix(path: &Path, dry_run: bool, format: Format) -> Outcome {
    let program = load_program(path)?;
    // A dry run shows one round, so every position refers to the file as
    // it is on disk; a real run repeats until no fix is left.
    let rounds = if dry_run { 1 } else { 10 };
    let (texts, edits) = parseltongue_core::fix::fix_until_clean(&program.sources, rounds);
    if dry_run {
        for (file, edit) in &edits {
            let source = program.sources.get(*file);
            let at = source.line_column(edit.span.start);
            match format {
                // Keys in a fixed, documented order (file, code, byte range,
                // line, column, replacement).
                Format::Json => println!(
                    "{{\"file\":{},\"code\":{},\"byte_start\":{},\"byte_end\":{},\"line\":{},\"column\":{},\"replacement\":{}}}",
                    json_string(&source.name),
                    json_string(&edit.code),
                    edit.span.start,
                    edit.span.end,
                    at.line,
                    at.column,
                    json_string(&edit.replacement)
                ),
                Format::Human => println!(
                    "{}:{}:{}: {} replace {:?} with {:?}",
                    source.name,
                    at.line,
                    at.column,
                    edit.code,
                    &source.text.get(edit.span.range()).unwrap_or(""),
                    edit.replacement
                ),
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut changed = 0;
    for ((_, source), (text, file)) in program.sources.iter().zip(texts.iter().zip(&program.paths))
    {
        if *text != source.text {
            std::fs::write(file, text)
                .map_err(|e| format!("cannot write `{}`: {e}", file.display()))?;
            changed += 1;
        }
    }
    eprintln!(
        "applied {} fix{} in {changed} file{}",
        edits.len(),
        if edits.len() == 1 { "" } else { "es" },
        if changed == 1 { "" } else { "s" }
    );
    check(path, Format::Human)
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}
