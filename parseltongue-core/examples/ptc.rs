//! Development driver: compiles the `.pt` files given on the command line
//! (the first is the root module) and prints the Rust, or the diagnostics.

use parseltongue_core::diagnostics::render::{render_all, ColorChoice};
use parseltongue_core::source::{SourceFile, SourceMap};

fn main() {
    let mut sources = SourceMap::new();
    for path in std::env::args().skip(1) {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                sources.add(SourceFile::new(path, text));
            }
            Err(error) => {
                eprintln!("error: cannot read `{path}`: {error}");
                std::process::exit(2);
            }
        }
    }
    match parseltongue_core::compile(&sources) {
        Ok(compiled) => {
            eprint!(
                "{}",
                render_all(&compiled.diagnostics, &sources, ColorChoice::Never)
            );
            match compiled.rust {
                Some(rust) => print!("{rust}"),
                None => {
                    // What a macro would still expand to for an editor.
                    if let Some(partial) = compiled.partial {
                        print!("{partial}");
                    }
                    std::process::exit(1)
                }
            }
        }
        Err(error) => {
            eprintln!("internal compiler error: {error}");
            std::process::exit(3);
        }
    }
}
