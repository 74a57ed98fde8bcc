//! Reading a program from disk into a source map: a single `.pt` file, or
//! a folder whose `main.pt` (or, for a library, `lib.pt`) is the root
//! module and whose other `.pt` files are the modules it can import.

use parseltongue_core::source::{FileId, SourceFile, SourceMap};
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
    // The root module of its folder: the whole program, as the folder.
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    let folder_path = folder.unwrap_or(Path::new("."));
    if root_file(folder_path).is_some_and(|root| same_file(&root, path)) {
        let mut program = load_folder(folder_path)?;
        if folder.is_none() {
            // Shown as given: `main.pt`, not `./main.pt`.
            let mut shown = SourceMap::new();
            for (_, file) in program.sources.iter() {
                let name = file
                    .name
                    .strip_prefix("./")
                    .unwrap_or(&file.name)
                    .to_string();
                shown.add(SourceFile::new(name, file.text.clone()));
            }
            program.sources = shown;
        }
        return Ok(program);
    }
    let mut sources = SourceMap::new();
    sources.add(read(path, path.display().to_string())?);
    let mut paths = vec![path.to_path_buf()];
    // The modules it uses (and they use) beside it; one that is missing
    // is the checker's to report.
    let mut next = 0;
    while next < paths.len() {
        let imported = used_modules(&sources.get(FileId(next as u32)).text);
        next += 1;
        for module in imported {
            let candidate = folder_path.join(format!("{module}.pt"));
            let shown = match folder {
                Some(dir) => dir.join(format!("{module}.pt")),
                None => PathBuf::from(format!("{module}.pt")),
            };
            if candidate.is_file() && !paths.iter().any(|p| same_file(p, &candidate)) {
                sources.add(read(&candidate, shown.display().to_string())?);
                paths.push(shown);
            }
        }
    }
    let name = path
        .file_stem()
        .map_or("program".to_string(), |s| s.to_string_lossy().into_owned());
    Ok(Program {
        sources,
        name,
        paths,
    })
}

/// The modules a file names in `use_module`, read with the one parser.
fn used_modules(text: &str) -> Vec<String> {
    let mut ignored = parseltongue_core::diagnostics::Diagnostics::new();
    let (module, _) = parseltongue_core::syntax::parse_file(text, FileId(0), &mut ignored);
    module
        .items
        .iter()
        .filter_map(|item| match &item.kind {
            parseltongue_core::syntax::ast::ItemKind::UseModule(name) => {
                Some(name.name.to_string())
            }
            _ => None,
        })
        .collect()
}

/// Whether two paths name the same file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
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
