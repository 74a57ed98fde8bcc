//! `plc explain` and `plc reference`: documentation matched to this version.

use super::Outcome;
use parseltongue_core::diagnostics::codes;
use std::process::ExitCode;

/// The compact language reference (`docs/llms.txt`), for people and for
/// language models.
pub const REFERENCE: &str = include_str!("../../../docs/llms.txt");

/// `plc explain`
pub fn explain(code: &str) -> Outcome {
    match codes::lookup(code) {
        Some(info) => {
            print!("{}", info.explanation);
            Ok(ExitCode::SUCCESS)
        }
        None => Err(format!(
            "`{code}` is not a Parseltongue diagnostic code; codes look like `PT0301` (`plc reference` lists them)"
        )),
    }
}

/// `plc reference`
pub fn reference() -> Outcome {
    print!("{REFERENCE}");
    Ok(ExitCode::SUCCESS)
}
