//! Finding the Cargo package a command works on, with `cargo metadata`.

use cargo_metadata::{Metadata, MetadataCommand, Package as CargoPackage};
use std::path::{Path, PathBuf};

/// A Cargo package whose program is written in Parseltongue.
#[derive(Debug, Clone)]
pub struct Package {
    /// The package name, as Cargo knows it.
    pub name: String,
    /// Its `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// Cargo's identifier of it, as its messages name it.
    pub id: cargo_metadata::PackageId,
    /// The folder of its Parseltongue program (`src/` with a `main.pt` or
    /// `lib.pt`); `None` for a Rust crate whose build script compiles `.pt`
    /// files of its own choosing (the build script then reports errors).
    pub source_dir: Option<PathBuf>,
    /// The workspace root, which rustc's file names are relative to.
    pub workspace_root: PathBuf,
    /// Its binary target, if it has one.
    pub binary: Option<String>,
    /// How many packages its build compiles, for the progress bar.
    pub dependency_count: usize,
    /// The names of its ordinary (not build or dev) dependencies.
    pub dependencies: Vec<String>,
}

/// The command Cargo is run as: `$CARGO` when a Cargo process started us,
/// else `cargo` from PATH.
pub fn cargo_program() -> PathBuf {
    std::env::var_os("PLC_CARGO")
        .or_else(|| std::env::var_os("CARGO"))
        .map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// The error for a Cargo that cannot be started.
pub fn cargo_missing(error: &std::io::Error) -> String {
    format!(
        "cannot run `{}` ({error}); install Rust with Cargo from https://rustup.rs and make sure `cargo` is on PATH",
        cargo_program().display()
    )
}

/// Whether `dir` (or a folder above it) has a `Cargo.toml`.
pub fn is_in_package(dir: &Path) -> bool {
    dir.ancestors().any(|d| d.join("Cargo.toml").is_file())
}

fn metadata(dir: &Path) -> Result<Metadata, String> {
    let mut command = MetadataCommand::new();
    command.cargo_path(cargo_program()).current_dir(dir);
    command.exec().map_err(|error| match error {
        cargo_metadata::Error::Io(io) => cargo_missing(&io),
        cargo_metadata::Error::CargoMetadata { stderr } => format!(
            "`cargo metadata` failed in `{}`: {}",
            dir.display(),
            stderr.trim().trim_start_matches("error: ")
        ),
        other => format!(
            "cannot read the Cargo package in `{}`: {other}",
            dir.display()
        ),
    })
}

/// The package at or above `dir`.
pub fn find(dir: &Path) -> Result<Package, String> {
    if !dir.is_dir() {
        return Err(format!("`{}` is not a folder", dir.display()));
    }
    // Cargo reports canonical paths; compare like with like.
    let dir = dir
        .canonicalize()
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_path_buf());
    if !dir.is_dir() {
        return Err(format!("`{}` is not a folder", dir.display()));
    }
    if !is_in_package(&dir) {
        return Err(format!(
            "no Cargo package here: neither `{}` nor a folder above it has a `Cargo.toml`; create a package with `plc new NAME`",
            dir.display()
        ));
    }
    let metadata = metadata(&dir)?;
    let workspace_members: Vec<&CargoPackage> = metadata.workspace_packages();
    // The package whose folder is the nearest one at or above `dir`.
    let package = workspace_members
        .iter()
        .filter(|p| {
            p.manifest_path
                .parent()
                .is_some_and(|root| dir.starts_with(root.as_std_path()))
        })
        .max_by_key(|p| p.manifest_path.as_str().len())
        .or_else(|| metadata.root_package().and_then(|root| workspace_members.iter().find(|p| p.id == root.id)))
        .ok_or_else(|| {
            format!(
                "`{}` is a Cargo workspace folder, not a package; run the command in a package folder or pass one",
                dir.display()
            )
        })?;
    let root = package
        .manifest_path
        .parent()
        .map_or_else(|| dir.clone(), |p| p.as_std_path().to_path_buf());
    let src = root.join("src");
    let source_dir = parseltongue_build::load::root_file(&src).map(|_| src.clone());
    let has_build_script = package.targets.iter().any(|t| t.is_custom_build());
    if source_dir.is_none() && !has_build_script {
        return Err(format!(
            "package `{}` has no Parseltongue program: `{}` has no `main.pt` or `lib.pt`",
            package.name,
            src.display()
        ));
    }
    let binary = package
        .targets
        .iter()
        .find(|t| t.is_bin())
        .map(|t| t.name.clone());
    Ok(Package {
        name: package.name.to_string(),
        manifest_path: package.manifest_path.as_std_path().to_path_buf(),
        id: package.id.clone(),
        source_dir,
        workspace_root: metadata.workspace_root.as_std_path().to_path_buf(),
        binary,
        dependency_count: metadata.packages.len(),
        dependencies: package
            .dependencies
            .iter()
            .filter(|d| d.kind == cargo_metadata::DependencyKind::Normal)
            .map(|d| d.name.clone())
            .collect(),
    })
}
