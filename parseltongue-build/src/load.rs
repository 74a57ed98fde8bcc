//! Reading a program from disk into a source map: a single `.pt` file, or
//! a folder whose `main.pt` (or, for a library, `lib.pt`) is the root
//! module and whose other `.pt` files are the modules it can import.

use parseltongue_core::source::{SourceFile, SourceMap};
use std::path::{Path, PathBuf};

/// A program read from disk.
pub struct Program {
    /// The sources, root module first.
    pub sources: SourceMap,
    /// A name for build outputs: the file stem or folder name.
    pub name: String,
    /// The file behind each source, in the same order.
    pub paths: Vec<PathBuf>,
}

/// Why a program could not be read; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(pub String);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

impl From<LoadError> for String {
    fn from(error: LoadError) -> String {
        error.0
    }
}

fn read(path: &Path, shown_as: String) -> Result<SourceFile, LoadError> {
    let bytes = std::fs::read(path)
        .map_err(|e| LoadError(format!("cannot read `{}`: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        LoadError(format!(
            "`{}` is not valid UTF-8 (invalid byte at offset {}); save it as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok(SourceFile::new(shown_as, text))
}

/// The names a program folder's root module may have, in order of preference.
pub const ROOT_FILES: [&str; 2] = ["main.pt", "lib.pt"];

/// The root module of the program in folder `dir`, if it has one.
pub fn root_file(dir: &Path) -> Option<PathBuf> {
    ROOT_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

/// Loads `path`: a `.pt` file, or a folder containing `main.pt` or `lib.pt`.
/// Files are shown in diagnostics by the path they were found at.
pub fn load(path: &Path) -> Result<Program, LoadError> {
    if !path.exists() {
        return Err(LoadError(format!("`{}` does not exist", path.display())));
    }
    if path.is_dir() {
        return load_folder(path);
    }
    if path.extension().is_none_or(|e| e != "pt") {
        return Err(LoadError(format!(
            "`{}` is not a `.pt` file",
            path.display()
        )));
    }
    let mut sources = SourceMap::new();
    sources.add(read(path, path.display().to_string())?);
    let name = path
        .file_stem()
        .map_or("program".to_string(), |s| s.to_string_lossy().into_owned());
    Ok(Program {
        sources,
        name,
        paths: vec![path.to_path_buf()],
    })
}

fn load_folder(path: &Path) -> Result<Program, LoadError> {
    let root = root_file(path).ok_or_else(|| {
        LoadError(format!(
            "`{}` has no `main.pt` or `lib.pt`; a program folder needs one as its root module",
            path.display()
        ))
    })?;
    let mut sources = SourceMap::new();
    sources.add(read(&root, root.display().to_string())?);
    let mut paths = vec![root.clone()];
    let mut others: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| LoadError(format!("cannot list `{}`: {e}", path.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pt") && *p != root)
        .collect();
    others.sort();
    for other in others {
        sources.add(read(&other, other.display().to_string())?);
        paths.push(other);
    }
    let name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "program".to_string());
    Ok(Program {
        sources,
        name,
        paths,
    })
}
