//! Where source text comes from: open editor buffers first, the disk for
//! everything else. The disk sits behind [`FileSystem`] so the analysis
//! (and the tests) never depend on real files.

use parseltongue_core::source::{SourceFile, SourceMap};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Read access to files that are not open in the editor.
pub trait FileSystem: Send + Sync {
    /// The text of `path`, if it exists and is UTF-8.
    fn read(&self, path: &Path) -> Option<String>;
    /// The `.pt` files directly in `dir`.
    fn pt_files(&self, dir: &Path) -> Vec<PathBuf>;
}

/// The real disk.
pub struct Disk;

impl FileSystem for Disk {
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }

    fn pt_files(&self, dir: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "pt") && p.is_file())
            .collect();
        files.sort();
        files
    }
}

/// Open buffers, by path, with their versions.
#[derive(Default)]
pub struct Documents {
    open: HashMap<PathBuf, (i32, String)>,
}

impl Documents {
    /// Records an opened or changed buffer.
    pub fn set(&mut self, path: PathBuf, version: i32, text: String) {
        self.open.insert(path, (version, text));
    }

    /// Forgets a closed buffer (the disk is the truth again).
    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
    }

    /// The buffer's text, if open.
    pub fn get(&self, path: &Path) -> Option<&str> {
        self.open.get(path).map(|(_, text)| text.as_str())
    }

    /// The buffer's version, if open.
    pub fn version(&self, path: &Path) -> Option<i32> {
        self.open.get(path).map(|(version, _)| *version)
    }

    /// Every open buffer's path.
    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.open.keys()
    }
}

/// One program as the analysis sees it: its files (root first) and text.
pub struct ProgramFiles {
    /// The files, in source-map order.
    pub paths: Vec<PathBuf>,
    /// Their text.
    pub sources: SourceMap,
}

/// The program `file` belongs to: the `.pt` files of its folder, with
/// `main.pt` (or `lib.pt`, or else `file` itself) as the root module.
pub fn program_of(file: &Path, documents: &Documents, disk: &dyn FileSystem) -> ProgramFiles {
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut paths = disk.pt_files(&dir);
    for open in documents.paths() {
        if open.parent() == Some(dir.as_path()) && !paths.contains(open) {
            paths.push(open.clone());
        }
    }
    if !paths.iter().any(|p| p == file) {
        paths.push(file.to_path_buf());
    }
    paths.sort();
    let root = ["main.pt", "lib.pt"]
        .iter()
        .map(|name| dir.join(name))
        .find(|candidate| paths.contains(candidate))
        .unwrap_or_else(|| file.to_path_buf());
    paths.retain(|p| *p != root);
    paths.insert(0, root);
    let mut sources = SourceMap::new();
    for path in &paths {
        let text = documents
            .get(path)
            .map(str::to_string)
            .or_else(|| disk.read(path))
            .unwrap_or_default();
        sources.add(SourceFile::new(path.display().to_string(), text));
    }
    ProgramFiles { paths, sources }
}
