//! `plc explain`, `plc reference` and `plc grammar`: documentation matched
//! to this version.

use super::Outcome;
use std::process::ExitCode;

/// The compact language reference (`docs/llms.txt`), for people and for
/// language models.
pub const REFERENCE: &str = include_str!("../../../docs/llms.txt");

/// `plc explain`
pub fn explain(code: &str) -> Outcome {
    match parseltongue_extensions::lookup_code(code) {
        Some(info) => {
            print!("{}", info.explanation);
            Ok(ExitCode::SUCCESS)
        }
        None => Err(format!(
            "`{code}` is not a Parseltongue diagnostic code; codes look like `PT0301` (`plc reference` lists them)"
        )),
    }
}

/// `plc explain --list`: every code with its title, one per line.
pub fn list_codes() -> Outcome {
    for info in parseltongue_extensions::all_codes() {
        println!("{}  {}", info.code, info.title);
    }
    Ok(ExitCode::SUCCESS)
}

/// `plc reference`
pub fn reference() -> Outcome {
    print!("{REFERENCE}");
    Ok(ExitCode::SUCCESS)
}

/// `plc grammar`
pub fn grammar(format: parseltongue_core::grammar::Format) -> Outcome {
    print!("{}", parseltongue_core::grammar::render(format));
    Ok(ExitCode::SUCCESS)
}
