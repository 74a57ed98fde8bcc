//! `plc check` and `plc emit`: the front end alone, no rustc.

use super::{compile, diagnostics_failed, has_errors, load_program, print_diagnostics, Outcome};
use crate::Format;
use std::path::Path;
use std::process::ExitCode;

/// `plc check`
pub fn check(path: &Path, format: Format) -> Outcome {
    let program = load_program(path)?;
    let checked = parseltongue_extensions::check(&program.sources);
    print_diagnostics(&checked.diagnostics, &program.sources, format);
    let code = if has_errors(&checked.diagnostics) {
        diagnostics_failed()
    } else {
        ExitCode::SUCCESS
    };
    // The process ends right after this; freeing the syntax trees and the
    // IR piece by piece would take a quarter of the command's time.
    std::mem::forget(checked);
    Ok(code)
}

/// `plc emit`
pub fn emit(path: &Path) -> Outcome {
    Ok(match compile(path)? {
        Ok((_, compiled)) => {
            print!("{}", compiled.rust.unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(code) => code,
    })
}
