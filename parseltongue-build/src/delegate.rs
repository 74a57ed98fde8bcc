//! The build done by the installed `plc`: the build script compiles no
//! compiler, it runs `plc build-script`, which does what the `compiler`
//! feature's [`Build::run`] does (the same code, linked into `plc`).

use crate::Build;
use std::path::PathBuf;
use std::process::Command;

/// The `plc` to run: the one `plc build` names in `PARSELTONGUE_PLC`,
/// else the first on PATH.
fn plc() -> PathBuf {
    std::env::var_os("PARSELTONGUE_PLC").map_or_else(|| PathBuf::from("plc"), PathBuf::from)
}

impl Build {
    /// What a build script does: has `plc` tell Cargo when to rerun,
    /// compile, pass warnings on, and on errors print the report; a failed
    /// `plc` fails the build with its exit status.
    pub fn run(&self) {
        println!("cargo:rerun-if-env-changed=PARSELTONGUE_PLC");
        let plc = plc();
        let mut command = Command::new(&plc);
        command
            .arg("build-script")
            .arg("--source")
            .arg(&self.source)
            .arg("--expect-version")
            .arg(env!("CARGO_PKG_VERSION"));
        if let Some(dir) = &self.out_dir {
            command.arg("--out-dir").arg(dir);
        }
        match command.status() {
            Ok(status) if status.success() => {}
            Ok(status) => std::process::exit(status.code().unwrap_or(1)),
            Err(error) => {
                eprintln!(
                    "error: this package's build script lowers its Parseltongue program with `plc`, which could not be run as `{}` ({error}).\n\
                     Install plc and put it on PATH (or name it in PARSELTONGUE_PLC), or build the compiler into the build script by depending on parseltongue-build with its `compiler` feature.",
                    plc.display()
                );
                std::process::exit(1);
            }
        }
    }
}
