//! Compiles every `programs/*.pt` file with the Parseltongue compiler into
//! `OUT_DIR`, where `src/lib.rs` includes it.

use parseltongue_core::diagnostics::render::{render_all, ColorChoice};
use parseltongue_core::source::{SourceFile, SourceMap};
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo::rerun-if-changed=programs");
    let mut entries: Vec<PathBuf> = std::fs::read_dir("programs")
        .expect("the programs folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pt"))
        .collect();
    entries.sort();
    for path in entries {
        println!("cargo::rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("readable program");
        let mut sources = SourceMap::new();
        sources.add(SourceFile::new(path.display().to_string(), text));
        let compiled = parseltongue_core::compile(&sources).expect("lowering");
        let Some(rust) = compiled.rust else {
            panic!(
                "{}",
                render_all(&compiled.diagnostics, &sources, ColorChoice::Never)
            );
        };
        let name = path
            .file_stem()
            .expect("named")
            .to_string_lossy()
            .to_string();
        std::fs::write(out.join(format!("{name}.rs")), rust).expect("writable OUT_DIR");
    }
}
