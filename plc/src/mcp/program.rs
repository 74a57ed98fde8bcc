//! The program a tool works on: text the agent sent (no file needed), or
//! a file, program folder or package on disk.

use crate::commands::{target, Target};
use parseltongue_build::load::{load, Program};
use parseltongue_core::source::{SourceFile, SourceMap};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The most text one request may carry: far more than any program an
/// agent writes, far less than what would hurt the server.
const MAX_TEXT_BYTES: usize = 8 << 20;

/// A program, given one of three ways.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramInput {
    /// The text of a one-file program (it is read as `main.pt`).
    #[serde(default)]
    pub source: Option<String>,
    /// The files of a program with modules, by name: `main.pt` is the
    /// root (`lib.pt` for a library), and `use_module shapes;` reads
    /// `shapes.pt`.
    #[serde(default)]
    pub files: Option<BTreeMap<String, String>>,
    /// A `.pt` file, a program folder or a Cargo package on disk, relative
    /// to the folder the server was started in.
    #[serde(default)]
    pub path: Option<String>,
}

/// Where a resolved program lives.
pub enum Place {
    /// Sent as text; its files have only names.
    Text,
    /// On disk, as `plc` commands find it.
    Disk(Target),
}

/// A program ready for the compiler.
pub struct Resolved {
    /// Its sources and names.
    pub program: Program,
    /// Where it came from.
    pub place: Place,
}

impl ProgramInput {
    /// Reads the program; the error says what is wrong with the request.
    pub fn resolve(&self, root: &Path) -> Result<Resolved, String> {
        let given = [
            self.source.is_some(),
            self.files.is_some(),
            self.path.is_some(),
        ]
        .iter()
        .filter(|&&g| g)
        .count();
        if given != 1 {
            return Err(
                "give the program one way: `source` (one file's text), `files` (name → text) or `path` (on disk)"
                    .to_string(),
            );
        }
        if let Some(source) = &self.source {
            let mut files = BTreeMap::new();
            files.insert("main.pt".to_string(), source.clone());
            return from_text(&files);
        }
        if let Some(files) = &self.files {
            return from_text(files);
        }
        let path = self.path.as_deref().unwrap_or_default();
        let path = root.join(path);
        if !path.exists() {
            return Err(format!(
                "`{}` does not exist (paths are relative to `{}`)",
                path.display(),
                root.display()
            ));
        }
        let target = target(&path);
        let program = load(target.program()).map_err(|e| e.to_string())?;
        Ok(Resolved {
            program,
            place: Place::Disk(target),
        })
    }
}

fn from_text(files: &BTreeMap<String, String>) -> Result<Resolved, String> {
    if files.is_empty() {
        return Err("`files` is empty: give at least `main.pt`".to_string());
    }
    let total: usize = files.values().map(String::len).sum();
    if total > MAX_TEXT_BYTES {
        return Err(format!(
            "the program is {total} bytes; the server takes at most {MAX_TEXT_BYTES}"
        ));
    }
    for name in files.keys() {
        let stem = name.strip_suffix(".pt").unwrap_or("");
        let valid = !stem.is_empty()
            && stem.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(format!(
                "`{name}` is not a file name of a program: names are a module name and `.pt`, such as `main.pt` or `shapes.pt`"
            ));
        }
    }
    let root = ["main.pt", "lib.pt"]
        .into_iter()
        .find(|r| files.contains_key(*r))
        .ok_or_else(|| {
            let names: Vec<&str> = files.keys().map(String::as_str).collect();
            format!(
                "no root file: `files` has {names:?}; the root is `main.pt` (or `lib.pt` for a library)"
            )
        })?;
    let mut sources = SourceMap::new();
    let mut paths = Vec::new();
    let ordered = std::iter::once(root).chain(
        files
            .keys()
            .map(String::as_str)
            .filter(|name| *name != root),
    );
    for name in ordered {
        sources.add(SourceFile::new(name, files[name].clone()));
        paths.push(PathBuf::from(name));
    }
    Ok(Resolved {
        program: Program {
            sources,
            name: root.trim_end_matches(".pt").to_string(),
            paths,
        },
        place: Place::Text,
    })
}
