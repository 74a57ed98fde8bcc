//! Pipelines hosted in the broker: programs' `pipeline` blocks, compiled
//! to a library and deployed into the data folder's `+pipelines/` (`+`
//! cannot appear in a topic name, so it never clashes with a topic). Every
//! second the broker looks there; each pipeline of a new library runs over
//! every partition of its input topic, on the core that owns that
//! partition (`host.rs`), and stops when its library is removed.
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

/// One running library: its pipelines' hosts share a stop flag.
struct Running {
    modified: SystemTime,
    stop: Arc<AtomicBool>,
}

/// Watches the pipelines folder of the broker's data and starts and stops
/// hosts; runs on one core of `messaging` until the broker is gone.
pub(crate) async fn watch(broker: Weak<Broker>, messaging: partition::Partition) {
    let mut running: BTreeMap<PathBuf, Running> = BTreeMap::new();
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
        let found = deployed(&data);
        // Removed or replaced libraries stop.
        running.retain(|path, library| {
            let current = found.iter().find(|(p, _)| p == path);
            let keep = current.is_some_and(|(_, modified)| *modified == library.modified);
            if !keep {
                library.stop.store(true, Ordering::Relaxed);
                tracing::info!(library = %path.display(), "pipelines stopped");
            }
            keep
        });
        refused.retain(|path, _| found.iter().any(|(p, _)| p == path));
        for (path, modified) in found {
            if running.contains_key(&path) || refused.get(&path) == Some(&modified) {
                continue;
            }
            match start(&strong, &broker, &messaging, &path, &data) {
                Started::Running(stop) => {
                    running.insert(path, Running { modified, stop });
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
    /// Its pipelines run until the flag is set.
    Running(Arc<AtomicBool>),
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
    data: &Path,
) -> Started {
    let pipelines = match loader::load(path) {
        Ok(pipelines) => pipelines,
        Err(error) => {
            tracing::error!(library = %path.display(), %error, "cannot load pipelines");
            return Started::Refused;
        }
    };
    let mut inputs = Vec::new();
    for pipeline in &pipelines {
        if pipeline.from == pipeline.to {
            tracing::error!(pipeline = %pipeline.name, "a pipeline cannot write the topic it reads");
            return Started::Refused;
        }
        let partitions = broker
            .read_storage(|s| s.topic(&pipeline.from).map(|t| t.partition_count()))
            .ok()
            .flatten();
        let Some(partitions) = partitions else {
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
    Started::Running(stop)
}
