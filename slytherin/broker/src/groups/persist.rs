//! Committed offsets kept in the topic `__consumer_offsets`, as Kafka
//! does: each OffsetCommit appends one record batch (one record per
//! partition, key = [group, topic, partition], value = {offset, metadata})
//! through the storage engine, synced like any batch, and opening the
//! broker replays the topic. The newest record for a key wins; nothing
//! compacts the topic yet, so it grows with every commit, and it is
//! created without time retention so old commits are not lost.

use bytes::Bytes;
use kafka_protocol::records::{Compression, Record, RecordBatchDecoder};
use serde::{Deserialize, Serialize};

use crate::protocol::{encode_batch, plain_record};
use crate::storage::{LogConfig, Storage, StorageError};

/// The topic holding committed offsets.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

/// One committed offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The group.
    pub group: String,
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// The committed offset.
    pub offset: i64,
    /// The client's metadata string.
    pub metadata: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Value {
    offset: i64,
    metadata: Option<String>,
}

/// Creates the offsets topic if it is missing.
pub fn ensure_topic(storage: &mut Storage) -> Result<(), StorageError> {
    if storage.topic(OFFSETS_TOPIC).is_none() {
        let config = LogConfig {
            retention_ms: None,
            ..LogConfig::default()
        };
        storage.create_topic(OFFSETS_TOPIC, 1, config)?;
    }
    Ok(())
}

/// Appends `commits` as one batch.
pub fn append(storage: &mut Storage, commits: &[Commit], now_ms: i64) -> Result<(), String> {
    if commits.is_empty() {
        return Ok(());
    }
    let records: Vec<Record> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let key = serde_json::to_vec(&(&c.group, &c.topic, c.partition)).unwrap_or_default();
            let value = serde_json::to_vec(&Value {
                offset: c.offset,
                metadata: c.metadata.clone(),
            })
            .unwrap_or_default();
            plain_record(i, now_ms, key, value)
        })
        .collect();
    let mut batch =
        encode_batch(&records, Compression::None).map_err(|e| format!("committed offsets: {e}"))?;
    let log = storage
        .topic_mut(OFFSETS_TOPIC)
        .and_then(|t| t.partition_mut(0))
        .ok_or_else(|| format!("the topic {OFFSETS_TOPIC} is missing"))?;
    log.append(&mut batch)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Every commit stored, oldest first.
pub fn replay(storage: &Storage) -> Result<Vec<Commit>, String> {
    let Some(log) = storage.topic(OFFSETS_TOPIC).and_then(|t| t.partition(0)) else {
        return Ok(Vec::new());
    };
    let mut commits = Vec::new();
    let mut offset = log.log_start_offset();
    while offset < log.log_end_offset() {
        let read = log.read(offset, 1 << 20).map_err(|e| e.to_string())?;
        if read.records.is_empty() {
            break;
        }
        let mut bytes = Bytes::from(read.records);
        let sets = RecordBatchDecoder::decode_all(&mut bytes)
            .map_err(|e| format!("{OFFSETS_TOPIC} at offset {offset}: {e}"))?;
        for record in sets.iter().flat_map(|s| &s.records) {
            let (Some(key), Some(value)) = (&record.key, &record.value) else {
                continue;
            };
            let parsed = serde_json::from_slice::<(String, String, i32)>(key)
                .ok()
                .zip(serde_json::from_slice::<Value>(value).ok());
            if let Some(((group, topic, partition), value)) = parsed {
                commits.push(Commit {
                    group,
                    topic,
                    partition,
                    offset: value.offset,
                    metadata: value.metadata,
                });
            }
        }
        offset = read.next_offset;
    }
    Ok(commits)
}
