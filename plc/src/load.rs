//! Reading a program from disk into a source map: a single `.pt` file, or
//! a folder whose `main.pt` is the root module and whose other `.pt` files
//! are the modules it can import.

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

fn read(path: &Path, shown_as: String) -> Result<SourceFile, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "`{}` is not valid UTF-8 (invalid byte at offset {}); save it as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(SourceFile::new(shown_as, text))
}

/// Loads `path`: a `.pt` file or a folder containing `main.pt`.
pub fn load(path: &Path) -> Result<Program, String> {
    if !path.exists() {
        return Err(format!("`{}` does not exist", path.display()));
    }
    let mut sources = SourceMap::new();
    if path.is_dir() {
        let main = path.join("main.pt");
        if !main.is_file() {
            return Err(format!(
                "`{}` has no `main.pt`; a program folder needs one as its root module",
                path.display()
            ));
        }
        sources.add(read(&main, main.display().to_string())?);
        let mut paths = vec![main.clone()];
        let mut others: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot list `{}`: {e}", path.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "pt") && *p != main)
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
    } else {
        if path.extension().is_none_or(|e| e != "pt") {
            return Err(format!("`{}` is not a `.pt` file", path.display()));
        }
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
}
