//! Topics on disk: create, delete, list, and open them all at start.
//!
//! Layout under the storage root:
//!
//! ```text
//! <root>/<topic>/topic.json        partition count and log configuration
//! <root>/<topic>/<partition>/      one partition log per folder: 0, 1, …
//! ```
//!
//! Creation and deletion go through a rename so a crash never leaves a
//! half-made or half-deleted topic visible: a topic is built in
//! `~creating` and renamed into place, and deleted by renaming it to
//! `~deleting-N` before removing the files. `~` cannot appear in a Kafka
//! topic name, so these folders never clash with a topic, and they do not
//! embed the topic's name, which may already use the 249 bytes Kafka
//! allows. Leftovers are removed on open.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use super::clock::SharedClock;
use super::config::LogConfig;
use super::error::StorageError;
use super::log::PartitionLog;
use super::segment::sync_dir;
use super::verify::Verification;

const TOPIC_FILE: &str = "topic.json";
/// Prefix of the staging folders; no topic name contains it.
const STAGING_PREFIX: char = '~';
const CREATING: &str = "~creating";
const DELETING: &str = "~deleting-";
/// Kafka's limit on topic name length.
const MAX_TOPIC_NAME_LEN: usize = 249;

/// What `topic.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicManifest {
    partitions: u32,
    config: LogConfig,
}

/// One partition's log with a lock of its own, so partitions are written
/// in parallel. The broker takes it on the partition's owning core only
/// (appends and housekeeping); the lock is there for the rare reader from
/// elsewhere (metrics, admin) and costs nothing uncontended.
pub type SharedLog = Arc<Mutex<PartitionLog>>;

/// Locks a partition log. A thread that panicked while holding it left the
/// log as consistent as each of its calls leaves it: a call validates
/// before it writes.
pub fn lock_log(log: &SharedLog) -> MutexGuard<'_, PartitionLog> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A topic: its configuration and its partitions' logs.
#[derive(Debug)]
pub struct Topic {
    name: String,
    config: LogConfig,
    partitions: Vec<SharedLog>,
}

impl Topic {
    /// The topic's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The configuration every partition log of the topic uses.
    pub fn config(&self) -> &LogConfig {
        &self.config
    }

    /// Number of partitions.
    pub fn partition_count(&self) -> u32 {
        self.partitions.len() as u32
    }

    /// One partition's log, locked.
    pub fn partition(&self, partition: u32) -> Option<MutexGuard<'_, PartitionLog>> {
        self.partitions.get(partition as usize).map(lock_log)
    }

    /// One partition's log, to hand to the core that owns it.
    pub fn shared_partition(&self, partition: u32) -> Option<SharedLog> {
        self.partitions.get(partition as usize).cloned()
    }

    /// All partition logs, by partition number.
    pub fn partitions(&self) -> &[SharedLog] {
        &self.partitions
    }

    /// Verifies every partition (`slytherin verify TOPIC`): the result for
    /// each, in partition order.
    pub fn verify(&self) -> Result<Vec<Verification>, StorageError> {
        self.partitions
            .iter()
            .map(|log| lock_log(log).verify())
            .collect()
    }
}

/// Every topic under one storage root.
#[derive(Debug)]
pub struct Storage {
    root: PathBuf,
    clock: SharedClock,
    topics: BTreeMap<String, Topic>,
}

impl Storage {
    /// Opens (creating if needed) the storage root and every topic in it,
    /// recovering each partition log as needed; each log's
    /// [`PartitionLog::recovery_report`] says what was done.
    pub fn open(root: impl Into<PathBuf>, clock: SharedClock) -> Result<Self, StorageError> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(StorageError::io("create folder", &root))?;
        let mut topics = BTreeMap::new();
        let mut leftovers = false;
        for entry in fs::read_dir(&root).map_err(StorageError::io("list", &root))? {
            let entry = entry.map_err(StorageError::io("list", &root))?;
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.starts_with(STAGING_PREFIX) {
                fs::remove_dir_all(&path).map_err(StorageError::io("remove", &path))?;
                tracing::warn!(folder = %path.display(), "removed an interrupted topic creation or deletion");
                leftovers = true;
                continue;
            }
            if validate_topic_name(name).is_err() || !path.join(TOPIC_FILE).is_file() {
                continue;
            }
            let topic = open_topic(&path, name, &clock)?;
            topics.insert(name.to_owned(), topic);
        }
        if leftovers {
            sync_dir(&root)?;
        }
        Ok(Storage {
            root,
            clock,
            topics,
        })
    }

    /// Creates a topic with `partitions` empty partition logs.
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: u32,
        config: LogConfig,
    ) -> Result<&Topic, StorageError> {
        validate_topic_name(name)?;
        config.validate()?;
        if partitions == 0 {
            return Err(StorageError::InvalidConfig(
                "a topic needs at least one partition".to_owned(),
            ));
        }
        if self.topics.contains_key(name) {
            return Err(StorageError::TopicExists(name.to_owned()));
        }
        let staging = self.root.join(CREATING);
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(StorageError::io("remove", &staging))?;
        }
        fs::create_dir(&staging).map_err(StorageError::io("create folder", &staging))?;
        for p in 0..partitions {
            let dir = staging.join(p.to_string());
            fs::create_dir(&dir).map_err(StorageError::io("create folder", &dir))?;
            sync_dir(&dir)?;
        }
        let manifest = TopicManifest { partitions, config };
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| StorageError::Corrupt {
            path: staging.join(TOPIC_FILE),
            detail: format!("cannot encode the topic manifest: {e}"),
        })?;
        write_synced(&staging.join(TOPIC_FILE), &json)?;
        sync_dir(&staging)?;
        let path = self.root.join(name);
        fs::rename(&staging, &path).map_err(StorageError::io("rename", &staging))?;
        sync_dir(&self.root)?;
        let topic = open_topic(&path, name, &self.clock)?;
        tracing::info!(topic = name, partitions, "created topic");
        Ok(self.topics.entry(name.to_owned()).or_insert(topic))
    }

    /// Deletes a topic and all its data.
    pub fn delete_topic(&mut self, name: &str) -> Result<(), StorageError> {
        if self.topics.remove(name).is_none() {
            return Err(StorageError::UnknownTopic(name.to_owned()));
        }
        let path = self.root.join(name);
        let doomed = (0u64..)
            .map(|n| self.root.join(format!("{DELETING}{n}")))
            .find(|p| !p.exists())
            .unwrap_or_else(|| self.root.join(DELETING));
        fs::rename(&path, &doomed).map_err(StorageError::io("rename", &path))?;
        sync_dir(&self.root)?;
        fs::remove_dir_all(&doomed).map_err(StorageError::io("remove", &doomed))?;
        tracing::info!(topic = name, "deleted topic");
        Ok(())
    }

    /// A topic by name.
    pub fn topic(&self, name: &str) -> Option<&Topic> {
        self.topics.get(name)
    }

    /// All topics, by name.
    pub fn topics(&self) -> impl Iterator<Item = &Topic> {
        self.topics.values()
    }

    /// The storage root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Closes every partition log cleanly. A log still held elsewhere (a
    /// request finishing on its core) is flushed instead; its files close
    /// when the last holder lets go.
    pub fn close(self) -> Result<(), StorageError> {
        for topic in self.topics.into_values() {
            for log in topic.partitions {
                match Arc::try_unwrap(log) {
                    Ok(log) => log
                        .into_inner()
                        .unwrap_or_else(PoisonError::into_inner)
                        .close()?,
                    Err(shared) => lock_log(&shared).flush()?,
                }
            }
        }
        Ok(())
    }
}

fn open_topic(path: &Path, name: &str, clock: &SharedClock) -> Result<Topic, StorageError> {
    let manifest_path = path.join(TOPIC_FILE);
    let raw = fs::read(&manifest_path).map_err(StorageError::io("read", &manifest_path))?;
    let manifest: TopicManifest =
        serde_json::from_slice(&raw).map_err(|e| StorageError::Corrupt {
            path: manifest_path.clone(),
            detail: format!("not a topic manifest: {e}"),
        })?;
    let partitions = (0..manifest.partitions)
        .map(|p| {
            PartitionLog::open(
                path.join(p.to_string()),
                manifest.config.clone(),
                clock.clone(),
            )
            .map(|log| Arc::new(Mutex::new(log)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Topic {
        name: name.to_owned(),
        config: manifest.config,
        partitions,
    })
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    fs::write(path, bytes).map_err(StorageError::io("write", path))?;
    fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(StorageError::io("sync", path))
}

/// Kafka's rule for topic names: 1 to 249 characters from `[A-Za-z0-9._-]`,
/// and not `.` or `..` (which are also what keeps a name a plain folder).
pub fn validate_topic_name(name: &str) -> Result<(), StorageError> {
    let refuse = |reason| {
        Err(StorageError::InvalidTopicName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return refuse("it is empty");
    }
    if name.len() > MAX_TOPIC_NAME_LEN {
        return refuse("it is longer than 249 characters");
    }
    if name == "." || name == ".." {
        return refuse("'.' and '..' are not topic names");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return refuse("only ASCII letters, digits, '.', '_' and '-' are allowed");
    }
    Ok(())
}
