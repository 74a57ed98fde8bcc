//! One process per data folder. Two brokers (or a broker and `slytherin
//! verify`, whose recovery may cut a torn tail) writing the same logs would
//! corrupt them, so each takes an exclusive `flock` on a file in the folder
//! for as long as it runs; the kernel releases it when the process ends,
//! however it ends.

use std::fs::{self, File, OpenOptions};
use std::path::Path;

use nix::fcntl::{Flock, FlockArg};

/// The lock file's name. A folder, not a topic: it holds no `topic.json`.
const LOCK_FILE: &str = ".slytherin.lock";

/// An exclusive hold on a data folder, released when dropped.
#[derive(Debug)]
pub struct DataLock {
    _lock: Flock<File>,
}

impl DataLock {
    /// Takes the folder (creating it if needed), or says who may have it.
    pub fn acquire(data: &Path) -> Result<DataLock, String> {
        fs::create_dir_all(data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
        let path = data.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let lock = Flock::lock(file, FlockArg::LockExclusiveNonblock).map_err(|(_, errno)| {
            format!(
                "{} is in use by another slytherin process (a broker or verify): {errno}",
                data.display()
            )
        })?;
        Ok(DataLock { _lock: lock })
    }
}
