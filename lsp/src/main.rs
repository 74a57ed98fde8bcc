//! `parseltongue-lsp`: the language server on stdio (the same as `plc lsp`).

fn main() -> std::process::ExitCode {
    match parseltongue_lsp::run_stdio() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: the language server could not start: {error}");
            std::process::ExitCode::from(2)
        }
    }
}
