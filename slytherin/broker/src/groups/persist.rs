//! Committed offsets and group membership kept in the topic
//! `__consumer_offsets`, as Kafka does: each OffsetCommit appends one
//! record batch (one record per partition, key = [group, topic, partition],
//! value = {offset, metadata}), and each completed rebalance or departure
//! one record of the group's members and their assignments (key =
//! {"group": id}), through the storage engine, synced like any batch;
//! opening the broker replays the topic. The newest record for a key wins.
//! So after a restart the members of a settled group go on heartbeating
//! and committing in their generation, with no rebalance.
//!
//! Compaction keeps the topic in proportion to the live offsets: once it
//! holds [`COMPACTION_FACTOR`] times as many records as there are live
//! offsets (and at least [`COMPACTION_MIN_RECORDS`]), the live offsets are
//! appended again as a snapshot starting a segment of its own, and every
//! segment below it is deleted. Replay is the same before and after the
//! deletion, so a crash between the two loses nothing. The topic has no
//! time retention, so an offset committed long ago is never lost.

use bytes::Bytes;
use kafka_protocol::records::{Compression, RecordBatchDecoder};
use serde::{Deserialize, Serialize};

use crate::protocol::{encode_batch, plain_record};
use crate::storage::{LogConfig, Storage, StorageError};

/// The topic holding committed offsets.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

/// The topic is compacted when it holds this many times the live offsets.
pub const COMPACTION_FACTOR: i64 = 4;

/// Fewer records than this are never compacted: the topic stays small
/// anyway, and a small group committing often would compact constantly.
pub const COMPACTION_MIN_RECORDS: i64 = 10_000;

/// Records per batch of a compaction snapshot.
const SNAPSHOT_BATCH: usize = 1_000;

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

/// A group's membership as its last completed rebalance (or a member's
/// departure since) left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRecord {
    /// The group.
    pub group: String,
    /// Its generation.
    pub generation: i32,
    /// The protocol type members joined with (`consumer`).
    pub protocol_type: Option<String>,
    /// The assignment strategy chosen.
    pub protocol: Option<String>,
    /// The member that computes assignments.
    pub leader: Option<String>,
    /// The members, by ID.
    pub members: Vec<MemberRecord>,
}

/// One member of a [`GroupRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRecord {
    /// The member ID the coordinator gave it.
    pub id: String,
    /// Its client ID.
    pub client_id: String,
    /// How long it may go without a heartbeat, in milliseconds.
    pub session_timeout_ms: u64,
    /// How long a rebalance waits for it to join, in milliseconds.
    pub rebalance_timeout_ms: u64,
    /// The strategies it supports, with its metadata for each.
    pub protocols: Vec<(String, Vec<u8>)>,
    /// Its assignment, if the leader handed one over.
    pub assignment: Option<Vec<u8>>,
}

/// The key of a group record (commit keys are arrays, so the two never
/// meet).
#[derive(Serialize, Deserialize)]
struct GroupKey {
    group: String,
}

/// A record of the offsets topic, as replay reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// A committed offset.
    Commit(Commit),
    /// A group's membership.
    Group(GroupRecord),
}

/// The wall clock in milliseconds, as records are stamped with.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
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
pub fn append(storage: &Storage, commits: &[Commit], now_ms: i64) -> Result<(), String> {
    let records = commits.iter().map(|c| {
        let key = serde_json::to_vec(&(&c.group, &c.topic, c.partition));
        let value = serde_json::to_vec(&Value {
            offset: c.offset,
            metadata: c.metadata.clone(),
        });
        (key, value)
    });
    append_records(storage, records, now_ms)
}

/// Appends a group's membership.
pub fn append_group(storage: &Storage, group: &GroupRecord, now_ms: i64) -> Result<(), String> {
    let key = serde_json::to_vec(&GroupKey {
        group: group.group.clone(),
    });
    append_records(storage, [(key, serde_json::to_vec(group))], now_ms)
}

fn append_records(
    storage: &Storage,
    keys_and_values: impl IntoIterator<
        Item = (serde_json::Result<Vec<u8>>, serde_json::Result<Vec<u8>>),
    >,
    now_ms: i64,
) -> Result<(), String> {
    let mut records = Vec::new();
    for (i, (key, value)) in keys_and_values.into_iter().enumerate() {
        let (key, value) = key
            .and_then(|key| Ok((key, value?)))
            .map_err(|e| format!("cannot encode a record of {OFFSETS_TOPIC}: {e}"))?;
        records.push(plain_record(i, now_ms, key, value));
    }
    if records.is_empty() {
        return Ok(());
    }
    let mut batch =
        encode_batch(&records, Compression::None).map_err(|e| format!("{OFFSETS_TOPIC}: {e}"))?;
    offsets_log(storage)?
        .append(&mut batch)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Compacts the topic if it has grown past [`COMPACTION_FACTOR`] times
/// the live records (offsets and groups), which `live` lists (called only
/// then). Returns how many records the topic held before, if it compacted.
pub fn compact_if_grown(
    storage: &Storage,
    live_count: usize,
    live: impl FnOnce() -> (Vec<Commit>, Vec<GroupRecord>),
    now_ms: i64,
) -> Result<Option<i64>, String> {
    let snapshot_start = {
        let mut log = offsets_log(storage)?;
        let stored = log.log_end_offset() - log.log_start_offset();
        if stored < COMPACTION_MIN_RECORDS.max(COMPACTION_FACTOR * live_count as i64) {
            return Ok(None);
        }
        log.roll_now().map_err(|e| e.to_string())?;
        log.log_end_offset()
    };
    let stored = snapshot_start - offsets_log(storage)?.log_start_offset();
    let (commits, groups) = live();
    for chunk in commits.chunks(SNAPSHOT_BATCH) {
        append(storage, chunk, now_ms)?;
    }
    for group in &groups {
        append_group(storage, group, now_ms)?;
    }
    let outcome = offsets_log(storage)?
        .delete_below(snapshot_start)
        .map_err(|e| e.to_string())?;
    tracing::info!(
        records_before = stored,
        live = live_count,
        segments_deleted = outcome.segments_deleted,
        "compacted {OFFSETS_TOPIC}"
    );
    Ok(Some(stored))
}

fn offsets_log(
    storage: &Storage,
) -> Result<std::sync::MutexGuard<'_, crate::storage::PartitionLog>, String> {
    storage
        .topic(OFFSETS_TOPIC)
        .and_then(|t| t.partition(0))
        .ok_or_else(|| format!("the topic {OFFSETS_TOPIC} is missing"))
}

/// Every commit and group record stored, oldest first.
pub fn replay(storage: &Storage) -> Result<Vec<Stored>, String> {
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
            let commit = serde_json::from_slice::<(String, String, i32)>(key)
                .ok()
                .zip(serde_json::from_slice::<Value>(value).ok());
            if let Some(((group, topic, partition), value)) = commit {
                commits.push(Stored::Commit(Commit {
                    group,
                    topic,
                    partition,
                    offset: value.offset,
                    metadata: value.metadata,
                }));
            } else if let Ok(GroupKey { group }) = serde_json::from_slice(key) {
                match serde_json::from_slice::<GroupRecord>(value) {
                    Ok(record) if record.group == group => commits.push(Stored::Group(record)),
                    _ => tracing::warn!(
                        group,
                        offset = record.offset,
                        "a group record of {OFFSETS_TOPIC} cannot be read; skipped"
                    ),
                }
            }
        }
        offset = read.next_offset;
    }
    Ok(commits)
}
