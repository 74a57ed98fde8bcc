//! Per-log configuration: segment size and age, index density, retention,
//! durability and whether the log is hash-chained.

use serde::{Deserialize, Serialize};

use super::error::StorageError;

/// When appended data is forced to stable storage with `fdatasync`.
///
/// Whatever the mode, a segment is synced (log and indexes) when it is
/// sealed by a roll and when the log is closed, so only the active
/// segment's tail can ever be lost, and recovery only has to scan it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Durability {
    /// Sync before `append` returns. A batch whose append returned `Ok`
    /// survives a power loss; each append pays one `fdatasync`.
    EveryBatch,
    /// Sync when at least this many milliseconds have passed since the last
    /// sync, checked on each append and on [`crate::storage::PartitionLog::tick`],
    /// which the owning core calls on a timer. A power loss loses at most
    /// the appends of the last interval (plus the time between ticks).
    IntervalMs(u64),
    /// Never sync on the append path; the operating system writes pages
    /// back when it chooses. A process crash loses nothing (the data is in
    /// the page cache); a power loss can lose everything since the last
    /// roll, close or explicit [`crate::storage::PartitionLog::flush`].
    None,
}

/// Configuration of one partition log. Every topic's partitions share one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// Roll to a new segment before an append would make the active one
    /// larger than this (Kafka's `segment.bytes`). At most `i32::MAX`, so
    /// byte positions fit the index's 32-bit fields.
    pub segment_bytes: u64,
    /// Roll to a new segment when the active one received its first batch
    /// this long ago (Kafka's `segment.ms`).
    pub segment_ms: i64,
    /// Bytes of log between two entries of the sparse indexes (Kafka's
    /// `index.interval.bytes`): smaller means faster lookups and more memory.
    pub index_interval_bytes: u32,
    /// Delete sealed segments whose newest record is older than this
    /// (Kafka's `retention.ms`); `None` keeps data regardless of age.
    pub retention_ms: Option<i64>,
    /// Delete the oldest sealed segments while the log would still hold at
    /// least this many bytes without them (Kafka's `retention.bytes`);
    /// `None` keeps data regardless of size.
    pub retention_bytes: Option<u64>,
    /// When appends are synced to disk.
    pub durability: Durability,
    /// Largest record batch accepted (Kafka's `max.message.bytes`).
    pub max_batch_bytes: u32,
    /// Chain every batch to the one before with a BLAKE3 hash, so
    /// tampering with stored data can be detected and located.
    pub verifiable: bool,
}

impl Default for LogConfig {
    /// Kafka's defaults, except durability: a single-node broker has no
    /// replicas to recover unsynced data from, so the default syncs every
    /// batch, as Redpanda does for `acks=all`.
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1 << 30,
            segment_ms: 7 * 24 * 60 * 60 * 1000,
            index_interval_bytes: 4096,
            retention_ms: Some(7 * 24 * 60 * 60 * 1000),
            retention_bytes: None,
            durability: Durability::EveryBatch,
            max_batch_bytes: 1_048_588,
            verifiable: false,
        }
    }
}

impl LogConfig {
    /// Checks the limits the on-disk formats impose.
    pub fn validate(&self) -> Result<(), StorageError> {
        let invalid = |reason: String| Err(StorageError::InvalidConfig(reason));
        if self.segment_bytes == 0 || self.segment_bytes > i32::MAX as u64 {
            return invalid(format!(
                "segment_bytes is {}, but must be between 1 and {}",
                self.segment_bytes,
                i32::MAX
            ));
        }
        if self.segment_ms <= 0 {
            return invalid(format!(
                "segment_ms is {}, but must be positive",
                self.segment_ms
            ));
        }
        if self.index_interval_bytes == 0 {
            return invalid("index_interval_bytes must be positive".to_owned());
        }
        if self.max_batch_bytes < 61 || self.max_batch_bytes > i32::MAX as u32 {
            return invalid(format!(
                "max_batch_bytes is {}, but must be between 61 (one batch header) and {}",
                self.max_batch_bytes,
                i32::MAX
            ));
        }
        if let Some(ms) = self.retention_ms {
            if ms < 0 {
                return invalid(format!("retention_ms is {ms}, but must not be negative"));
            }
        }
        Ok(())
    }
}
