//! Pipelines hosted in the broker: programs' `pipeline` blocks, compiled
//! to a library and deployed into the data folder's `+pipelines/` (`+`
//! cannot appear in a topic name, so it never clashes with a topic). Every
//! second the broker looks there; each pipeline of a new library runs over
//! every partition of its input topic, on the core that owns that
//! partition (`host.rs`), and stops when its library is removed.
//!
//! A library replaced in place (deployed again under its name) takes over
//! only once every host of the old one has stopped and written its last
//! checkpoint, so one (pipeline, partition) never has two hosts. Each
//! library is loaded from a copy of its own (`+pipelines/.loaded/`): the
//! system's loader keeps one image per path, so loading the new file at
//! the old path would give the old code back.
//!
//! `loader.rs` is the broker's one module with `unsafe` code: the C
//! interface of `slytherin_runtime::ffi`.

pub mod checkpoint;
pub mod host;
pub mod loader;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use crate::server::broker::Broker;

/// The folder, under the data folder, that deployed libraries go in.
pub const FOLDER: &str = "+pipelines";

/// How often the folder is looked at.
const WATCH_INTERVAL: Duration = Duration::from_secs(1);

/// The libraries' file extension on this system.
pub const LIBRARY_EXTENSION: &str = std::env::consts::DLL_EXTENSION;

/// The deployed libraries in `data`'s pipelines folder, by path, with
/// their modification times.
pub fn deployed(data: &Path) -> Vec<(PathBuf, SystemTime)> {
    let Ok(entries) = std::fs::read_dir(data.join(FOLDER)) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, SystemTime)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == LIBRARY_EXTENSION))
        .filter_map(|p| {
            let modified = std::fs::metadata(&p).and_then(|m| m.modified()).ok()?;
            Some((p, modified))
        })
        .collect();
    found.sort();
    found
}

/// Where loaded copies of the libraries go, under [`FOLDER`].
const LOADED: &str = ".loaded";

/// One running library: its pipelines' hosts share a stop flag.
struct Running {
    modified: SystemTime,
    stop: Arc<AtomicBool>,
    /// Its loaded copy, and whether any host still uses it.
    copy: PathBuf,
    in_use: Option<loader::LibraryInUse>,
}

/// A library told to stop whose hosts may still run.
struct Stopping {
    copy: PathBuf,
    in_use: Option<loader::LibraryInUse>,
}

/// Watches the pipelines folder of the broker's data and starts and stops
/// hosts; runs on one core of `messaging` until the broker is gone.
pub(crate) async fn watch(broker: Weak<Broker>, messaging: partition::Partition) {
    let mut running: BTreeMap<PathBuf, Running> = BTreeMap::new();
    let mut stopping: BTreeMap<PathBuf, Stopping> = BTreeMap::new();
    let mut cleared = false;
    // Libraries that failed to load, by modification time: reported once,
    // tried again only when the file changes.
    let mut refused: BTreeMap<PathBuf, SystemTime> = BTreeMap::new();
    loop {
        let Some(strong) = broker.upgrade() else {
            break;
        };
        let Ok(data) = strong.read_storage(|storage| storage.root().to_path_buf()) else {
            break;
        };
        if !cleared {
            // Copies loaded by an earlier run of the broker.
            let _ = std::fs::remove_dir_all(data.join(FOLDER).join(LOADED));
            cleared = true;
        }
        let found = deployed(&data);
        // Removed or replaced libraries stop.
        let mut stopped = Vec::new();
        running.retain(|path, library| {
            let current = found.iter().find(|(p, _)| p == path);
            let keep = current.is_some_and(|(_, modified)| *modified == library.modified);
            if !keep {
                library.stop.store(true, Ordering::Relaxed);
                tracing::info!(library = %path.display(), "pipelines stopping");
                stopped.push((path.clone(), library.copy.clone(), library.in_use.take()));
            }
            keep
        });
        for (path, copy, in_use) in stopped {
            stopping.insert(path, Stopping { copy, in_use });
        }
        // Stopped libraries whose hosts are all gone: unloaded.
        stopping.retain(|path, library| {
            let gone = !library
                .in_use
                .as_ref()
                .is_some_and(loader::LibraryInUse::in_use);
            if gone {
                let _ = std::fs::remove_file(&library.copy);
                tracing::info!(library = %path.display(), "pipelines stopped");
            }
            !gone
        });
        refused.retain(|path, _| found.iter().any(|(p, _)| p == path));
        for (path, modified) in found {
            if running.contains_key(&path)
                || stopping.contains_key(&path)
                || refused.get(&path) == Some(&modified)
            {
                continue;
            }
            match start(&strong, &broker, &messaging, &path, modified, &data) {
                Started::Running { stop, copy, in_use } => {
                    running.insert(
                        path,
                        Running {
                            modified,
                            stop,
                            copy,
                            in_use,
                        },
                    );
                }
                // Its input topic does not exist yet: tried again next time.
                Started::NotYet => {}
                Started::Refused => {
                    refused.insert(path, modified);
                }
            }
        }
        drop(strong);
        tokio::time::sleep(WATCH_INTERVAL).await;
    }
    for library in running.values() {
        library.stop.store(true, Ordering::Relaxed);
    }
}

/// What starting a library came to.
enum Started {
    /// Its pipelines run until the flag is set, from the loaded copy.
    Running {
        stop: Arc<AtomicBool>,
        copy: PathBuf,
        in_use: Option<loader::LibraryInUse>,
    },
    /// An input topic does not exist yet.
    NotYet,
    /// It cannot run (reported): not loadable, or a pipeline writes what
    /// it reads.
    Refused,
}

/// Starts every pipeline of the library at `path` on every partition of
/// its input.
fn start(
    broker: &Broker,
    weak: &Weak<Broker>,
    messaging: &partition::Partition,
    path: &Path,
    modified: SystemTime,
    data: &Path,
) -> Started {
    let copy = match loaded_copy(path, modified, data) {
        Ok(copy) => copy,
        Err(error) => {
            tracing::error!(library = %path.display(), %error, "cannot copy the library to load it");
            return Started::NotYet;
        }
    };
    let pipelines = match loader::load(&copy) {
        Ok(pipelines) => pipelines,
        Err(error) => {
            let _ = std::fs::remove_file(&copy);
            tracing::error!(library = %path.display(), %error, "cannot load pipelines");
            return Started::Refused;
        }
    };
    let in_use = pipelines
        .first()
        .map(loader::LoadedPipeline::library_in_use);
    let mut inputs = Vec::new();
    for pipeline in &pipelines {
        if pipeline.from == pipeline.to {
            tracing::error!(pipeline = %pipeline.name, "a pipeline cannot write the topic it reads");
            drop(pipelines);
            let _ = std::fs::remove_file(&copy);
            return Started::Refused;
        }
        let partitions = broker
            .read_storage(|s| s.topic(&pipeline.from).map(|t| t.partition_count()))
            .ok()
            .flatten();
        let Some(partitions) = partitions else {
            drop(pipelines);
            let _ = std::fs::remove_file(&copy);
            return Started::NotYet;
        };
        inputs.push((pipeline.clone(), partitions));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let state = data.join(FOLDER).join("state");
    let cores = messaging.cores().len();
    for (pipeline, partitions) in inputs {
        tracing::info!(pipeline = %pipeline.name, from = %pipeline.from, to = %pipeline.to, partitions, "starting pipeline");
        for input in 0..partitions as i32 {
            let owner = Broker::owner(&pipeline.from, input, cores);
            let _host = messaging.spawn_on(
                owner,
                host::run(
                    weak.clone(),
                    pipeline.clone(),
                    input,
                    state.clone(),
                    Arc::clone(&stop),
                ),
            );
        }
    }
    Started::Running { stop, copy, in_use }
}

/// A copy of the library at `path` to load, named by its modification
/// time, so a library replaced in place loads as new code.
fn loaded_copy(path: &Path, modified: SystemTime, data: &Path) -> std::io::Result<PathBuf> {
    let folder = data.join(FOLDER).join(LOADED);
    std::fs::create_dir_all(&folder)?;
    let stamp = modified
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let copy = folder.join(format!("{stem}-{stamp}.{LIBRARY_EXTENSION}"));
    std::fs::copy(path, &copy)?;
    Ok(copy)
}
