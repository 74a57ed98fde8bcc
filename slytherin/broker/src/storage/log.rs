//! A partition log: a folder of segments holding one partition's record
//! batches in offset order.
//!
//! A `PartitionLog` is owned by one thread (in the broker, the core the
//! partition is assigned to). Appends take `&mut self` and reads `&self`;
//! there is no lock and nothing is shared with other partitions except the
//! clock.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::batch::{self, BatchHeader};
use super::chain::{link, read_chain, ChainEntry, ChainHash, GENESIS};
use super::clock::SharedClock;
use super::config::{Durability, LogConfig};
use super::error::StorageError;
use super::records::RecordPosition;
use super::recovery::{recover_segment, RecoveryReason, RecoveryReport};
use super::retention::{segments_to_delete, RetentionOutcome, SegmentAge};
use super::segment::{sync_dir, Segment};
use super::verify::{verify_segments, Verification};

/// Written by [`PartitionLog::close`] and removed on open: its presence
/// means every segment's index files match its log.
const CLEAN_SHUTDOWN_MARKER: &str = ".clean-shutdown";

/// What an append stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendInfo {
    /// Offset of the first record appended.
    pub base_offset: i64,
    /// Offset of the last record appended.
    pub last_offset: i64,
    /// Batches appended.
    pub batches: usize,
    /// Bytes appended.
    pub bytes: usize,
    /// The largest max timestamp of the appended batches.
    pub max_timestamp: i64,
    /// The broker time written into LogAppendTime batches, if any.
    pub log_append_time: Option<i64>,
    /// Whether the append was synced to disk before returning.
    pub synced: bool,
}

/// Bytes read from the log: whole batches exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadResult {
    /// Consecutive stored batches (empty at the log end).
    pub records: Vec<u8>,
    /// The offset to read next.
    pub next_offset: i64,
}

/// Counters of what a log has done since it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogStats {
    /// Appends that stored data.
    pub appends: u64,
    /// Batches appended.
    pub batches_appended: u64,
    /// Bytes appended.
    pub bytes_appended: u64,
    /// `fdatasync` calls made for durability (by the mode, `flush` or
    /// `tick`); syncs done when sealing or closing are not counted here.
    pub durability_syncs: u64,
    /// Segments sealed by a roll.
    pub segments_rolled: u64,
    /// Segments deleted by retention.
    pub segments_deleted: u64,
}

/// One partition's log.
#[derive(Debug)]
pub struct PartitionLog {
    dir: PathBuf,
    config: LogConfig,
    clock: SharedClock,
    /// Oldest first; the last is the active segment. Never empty.
    segments: Vec<Segment>,
    durable_offset: i64,
    last_sync_ms: i64,
    stats: LogStats,
    recovery: RecoveryReport,
}

impl PartitionLog {
    /// Opens the log in `dir`, creating it if needed, and recovers from an
    /// unclean shutdown (see [`RecoveryReport`], also logged with
    /// `tracing`). After `open`, everything in the log is on stable storage.
    pub fn open(
        dir: impl Into<PathBuf>,
        config: LogConfig,
        clock: SharedClock,
    ) -> Result<Self, StorageError> {
        config.validate()?;
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(StorageError::io("create folder", &dir))?;
        let now = clock.now_ms();
        let marker = dir.join(CLEAN_SHUTDOWN_MARKER);
        let clean_shutdown = marker.exists();
        let (bases, removed_files) = list_segments(&dir)?;
        let mut recovery = RecoveryReport {
            clean_shutdown,
            segments: bases.len(),
            recovered: Vec::new(),
            removed_files,
        };
        let mut segments: Vec<Segment> = Vec::with_capacity(bases.len().max(1));
        let interval = config.index_interval_bytes;
        for (i, &base) in bases.iter().enumerate() {
            let is_last = i + 1 == bases.len();
            let loaded = if !is_last {
                Segment::load_sealed(&dir, base)?
            } else if clean_shutdown {
                Segment::load_clean_active(&dir, base, interval, config.verifiable, now)?
            } else {
                Err(RecoveryReason::UncleanShutdown)
            };
            let segment = match loaded {
                Ok(segment) => segment,
                Err(reason) => {
                    let chain_previous = if config.verifiable && is_last {
                        Some(chain_head_before(&segments)?)
                    } else {
                        None
                    };
                    let (mut segment, report) =
                        recover_segment(&dir, base, reason, interval, chain_previous, now)?;
                    recovery.recovered.push(report);
                    if !is_last {
                        // Rewrite the rebuilt indexes so the next open can
                        // load them instead of scanning again.
                        segment.persist()?;
                    }
                    segment
                }
            };
            if let Some(before) = segments.last_mut() {
                if before.next_offset > segment.base_offset {
                    return Err(StorageError::Corrupt {
                        path: segment.paths.log.clone(),
                        detail: format!(
                            "the segment before it holds offsets up to {}, past this segment's base offset {}",
                            before.next_offset - 1,
                            segment.base_offset
                        ),
                    });
                }
                before.next_offset = segment.base_offset;
            }
            segments.push(segment);
        }
        if segments.is_empty() {
            let chain = config.verifiable.then_some(GENESIS);
            segments.push(Segment::create(&dir, 0, chain)?);
        }
        let mut log = PartitionLog {
            dir,
            config,
            clock,
            segments,
            durable_offset: 0,
            last_sync_ms: now,
            stats: LogStats::default(),
            recovery,
        };
        if log.config.verifiable && log.active().chain.is_none() {
            return Err(StorageError::Corrupt {
                path: log.active().paths.chain.clone(),
                detail: "the active segment of a verifiable log has no chain file".to_owned(),
            });
        }
        // A process crash leaves written but unsynced data in the page
        // cache, where recovery found it; make it durable before anything
        // is acknowledged on top of it.
        log.active().sync()?;
        log.durable_offset = log.log_end_offset();
        if clean_shutdown {
            fs::remove_file(&marker).map_err(StorageError::io("remove", &marker))?;
            sync_dir(&log.dir)?;
        }
        tracing::info!(
            dir = %log.dir.display(),
            segments = log.segments.len(),
            clean_shutdown,
            recovered_segments = log.recovery.recovered.len(),
            bytes_cut = log.recovery.bytes_cut(),
            log_start_offset = log.log_start_offset(),
            log_end_offset = log.log_end_offset(),
            "opened partition log"
        );
        Ok(log)
    }

    /// Appends one or more consecutive record batches (a Produce request's
    /// records for this partition) and returns where they went.
    ///
    /// Every batch is validated first (v2 format, length, CRC-32C, record
    /// count, size limit); if any fails, nothing is appended. Offsets are
    /// assigned by writing each batch's baseOffset field in `records`, which
    /// is outside the CRC. LogAppendTime batches get the broker's time as
    /// their max timestamp and a recomputed CRC. The bytes are then written
    /// as they are, so reads return exactly what was produced, with offsets.
    pub fn append(&mut self, records: &mut [u8]) -> Result<AppendInfo, StorageError> {
        let mut headers = self.validate_append(records)?;
        let now = self.clock.now_ms();
        let span: i64 = headers
            .iter()
            .map(|h| i64::from(h.last_offset_delta) + 1)
            .sum();
        self.roll_if_needed(records.len() as u64, span, now)?;

        let mut next = self.active().next_offset;
        let mut position = 0;
        let mut log_append_time = None;
        let mut links = Vec::new();
        let mut head = self.active().chain.as_ref().map(|c| c.head());
        for header in &mut headers {
            let bytes = &mut records[position..position + header.total_len()];
            batch::set_base_offset(bytes, next);
            header.base_offset = next;
            if header.is_log_append_time() {
                batch::set_log_append_time(bytes, now);
                header.max_timestamp = now;
                log_append_time = Some(now);
            }
            if let Some(previous) = &mut head {
                *previous = link(previous, bytes);
                links.push(ChainEntry {
                    offset: next,
                    hash: *previous,
                });
            }
            next = header.next_offset();
            position += header.total_len();
        }
        let interval = self.config.index_interval_bytes;
        self.active_mut()
            .append(records, &headers, &links, interval, now)?;

        let synced = match self.config.durability {
            Durability::EveryBatch => true,
            Durability::IntervalMs(ms) => now.saturating_sub(self.last_sync_ms) >= ms as i64,
            Durability::None => false,
        };
        if synced {
            self.sync_active(now)?;
        }
        self.stats.appends += 1;
        self.stats.batches_appended += headers.len() as u64;
        self.stats.bytes_appended += records.len() as u64;
        Ok(AppendInfo {
            base_offset: headers[0].base_offset,
            last_offset: next - 1,
            batches: headers.len(),
            bytes: records.len(),
            max_timestamp: headers.iter().map(|h| h.max_timestamp).max().unwrap_or(-1),
            log_append_time,
            synced,
        })
    }

    fn validate_append(&self, records: &[u8]) -> Result<Vec<BatchHeader>, StorageError> {
        if records.is_empty() {
            return Err(StorageError::EmptyAppend);
        }
        if records.len() > i32::MAX as usize {
            return Err(StorageError::BatchTooLarge {
                index: 0,
                size: records.len(),
                max: self.config.max_batch_bytes,
            });
        }
        let mut headers = Vec::with_capacity(1);
        let mut position = 0;
        while position < records.len() {
            let index = headers.len();
            let rest = &records[position..];
            let invalid = |source| StorageError::InvalidBatch {
                index,
                position,
                source,
            };
            let header = BatchHeader::parse(rest).map_err(invalid)?;
            if header.total_len() > self.config.max_batch_bytes as usize {
                return Err(StorageError::BatchTooLarge {
                    index,
                    size: header.total_len(),
                    max: self.config.max_batch_bytes,
                });
            }
            let header = batch::validate_batch(rest.get(..header.total_len()).unwrap_or(rest))
                .map_err(invalid)?;
            position += header.total_len();
            headers.push(header);
        }
        Ok(headers)
    }

    /// Seals the active segment and starts a new one if the append about to
    /// happen would overfill it, it is older than `segment_ms`, or its
    /// offsets would no longer fit the index's 32-bit relative offsets.
    /// An empty segment is never rolled: a batch larger than
    /// `segment_bytes` goes into a segment of its own.
    fn roll_if_needed(&mut self, incoming: u64, span: i64, now: i64) -> Result<(), StorageError> {
        let active = self.active();
        if active.is_empty() {
            return Ok(());
        }
        let full = active.size + incoming > self.config.segment_bytes;
        let old = active
            .roll_basis_ms
            .is_some_and(|since| now.saturating_sub(since) >= self.config.segment_ms);
        let offsets_overflow = active.next_offset + span - 1 - active.base_offset > i32::MAX as i64;
        if full || old || offsets_overflow {
            self.roll(now)?;
        }
        Ok(())
    }

    /// Seals the active segment (sync, write its indexes) and starts a new
    /// one at the log end offset.
    fn roll(&mut self, now: i64) -> Result<(), StorageError> {
        let sealed = self.active_mut();
        sealed.persist()?;
        let chain_head = sealed.chain.as_ref().map(|c| c.head());
        let next = sealed.next_offset;
        // The sealed segment keeps its chain writer until its successor
        // exists: if creating it fails, appends go on, still chained.
        let segment = Segment::create(&self.dir, next, chain_head)?;
        self.active_mut().chain = None;
        tracing::debug!(
            dir = %self.dir.display(),
            sealed_base_offset = self.active().base_offset,
            new_base_offset = next,
            "rolled segment"
        );
        self.segments.push(segment);
        self.durable_offset = next;
        self.last_sync_ms = now;
        self.stats.segments_rolled += 1;
        Ok(())
    }

    fn sync_active(&mut self, now: i64) -> Result<(), StorageError> {
        self.active().sync()?;
        self.durable_offset = self.log_end_offset();
        self.last_sync_ms = now;
        self.stats.durability_syncs += 1;
        Ok(())
    }

    /// Forces everything appended so far to stable storage now.
    pub fn flush(&mut self) -> Result<(), StorageError> {
        if self.durable_offset < self.log_end_offset() {
            let now = self.clock.now_ms();
            self.sync_active(now)?;
        }
        Ok(())
    }

    /// Timer hook for the owning core: in [`Durability::IntervalMs`] mode,
    /// syncs unsynced data once the interval has passed, so an idle
    /// partition's last appends do not wait for the next append to become
    /// durable. Returns whether it synced.
    pub fn tick(&mut self) -> Result<bool, StorageError> {
        let Durability::IntervalMs(ms) = self.config.durability else {
            return Ok(false);
        };
        let now = self.clock.now_ms();
        let due = now.saturating_sub(self.last_sync_ms) >= ms as i64;
        if due && self.durable_offset < self.log_end_offset() {
            self.sync_active(now)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Reads whole batches starting with the one that holds `offset`, up to
    /// `max_bytes` (but at least one batch, as Kafka's Fetch does), from one
    /// segment. Reading at the log end returns no bytes; below the log
    /// start or past the end is [`StorageError::OffsetOutOfRange`].
    pub fn read(&self, offset: i64, max_bytes: usize) -> Result<ReadResult, StorageError> {
        let (start, end) = (self.log_start_offset(), self.log_end_offset());
        if offset < start || offset > end {
            return Err(StorageError::OffsetOutOfRange {
                requested: offset,
                log_start: start,
                log_end: end,
            });
        }
        let first = self
            .segments
            .partition_point(|s| s.base_offset <= offset)
            .saturating_sub(1);
        for segment in &self.segments[first..] {
            if let Some(read) = segment.read(offset, max_bytes)? {
                return Ok(ReadResult {
                    records: read.records,
                    next_offset: read.next_offset,
                });
            }
        }
        Ok(ReadResult {
            records: Vec::new(),
            next_offset: end,
        })
    }

    /// ListOffsets by timestamp: the first record (in offset order) whose
    /// timestamp is at least `timestamp`, or `None` if every record is
    /// older. Compressed batches answer with their base offset (see
    /// [`super::records::first_record_at_or_after`]).
    pub fn offset_for_timestamp(
        &self,
        timestamp: i64,
    ) -> Result<Option<RecordPosition>, StorageError> {
        for segment in &self.segments {
            if segment.max_timestamp >= timestamp {
                if let Some(found) = segment.find_timestamp(timestamp)? {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }

    /// The first offset the log holds (ListOffsets "earliest").
    pub fn log_start_offset(&self) -> i64 {
        self.segments[0].base_offset
    }

    /// The offset the next append gets (ListOffsets "latest"; the high
    /// watermark of a single-replica partition).
    pub fn log_end_offset(&self) -> i64 {
        self.active().next_offset
    }

    /// Every offset below this is on stable storage.
    pub fn durable_offset(&self) -> i64 {
        self.durable_offset
    }

    /// Deletes old sealed segments by age and size
    /// ([`LogConfig::retention_ms`], [`LogConfig::retention_bytes`]) and
    /// moves the log start offset to the first remaining one. An active
    /// segment that is itself past the age limit is rolled first so it can
    /// go too (as Kafka does); the active segment is never deleted.
    pub fn enforce_retention(&mut self) -> Result<RetentionOutcome, StorageError> {
        let now = self.clock.now_ms();
        if let Some(ms) = self.config.retention_ms {
            let active = self.active();
            if !active.is_empty() && newest_ms(active, now) < now.saturating_sub(ms) {
                self.roll(now)?;
            }
        }
        let sealed = &self.segments[..self.segments.len() - 1];
        let ages: Vec<SegmentAge> = sealed
            .iter()
            .map(|s| SegmentAge {
                size: s.size,
                newest_ms: newest_ms(s, now),
            })
            .collect();
        let count = segments_to_delete(
            &ages,
            self.active().size,
            self.config.retention_ms,
            self.config.retention_bytes,
            now,
        );
        self.delete_oldest(count, "retention deleted old segments")
    }

    /// Seals the active segment now, if it holds anything, so what is
    /// appended next starts a segment of its own.
    pub fn roll_now(&mut self) -> Result<(), StorageError> {
        if self.active().is_empty() {
            return Ok(());
        }
        let now = self.clock.now_ms();
        self.roll(now)
    }

    /// Deletes the sealed segments that hold only offsets below `offset`
    /// and moves the log start offset to the first remaining one (the
    /// whole-segment deletion retention uses). Used by compaction once a
    /// snapshot of the live records has been appended at `offset`.
    pub fn delete_below(&mut self, offset: i64) -> Result<RetentionOutcome, StorageError> {
        let count = self
            .segments
            .windows(2)
            .take_while(|pair| pair[1].base_offset <= offset)
            .count();
        self.delete_oldest(count, "deleted segments below a snapshot")
    }

    /// Removes the `count` oldest segments' files (never the active one).
    fn delete_oldest(
        &mut self,
        count: usize,
        why: &'static str,
    ) -> Result<RetentionOutcome, StorageError> {
        let count = count.min(self.segments.len() - 1);
        let mut bytes_deleted = 0;
        for segment in self.segments.drain(..count) {
            segment.remove_files()?;
            bytes_deleted += segment.size;
        }
        if count > 0 {
            sync_dir(&self.dir)?;
            self.stats.segments_deleted += count as u64;
            tracing::info!(
                dir = %self.dir.display(),
                segments_deleted = count,
                bytes_deleted,
                log_start_offset = self.log_start_offset(),
                "{why}"
            );
        }
        Ok(RetentionOutcome {
            segments_deleted: count,
            bytes_deleted,
            log_start_offset: self.log_start_offset(),
        })
    }

    /// Checks every stored batch (CRC, contiguous offsets) and, for a
    /// verifiable log, the hash chain, reading the files as they are on
    /// disk now. Names the first bad offset if any.
    pub fn verify(&self) -> Result<Verification, StorageError> {
        verify_segments(&self.segments, self.config.verifiable)
    }

    /// The last link of a verifiable log's chain: what a producer or
    /// auditor records to detect later rewrites of the chain itself.
    pub fn chain_head(&self) -> Option<ChainHash> {
        self.active().chain.as_ref().map(|c| c.head())
    }

    /// Closes the log cleanly: syncs it, writes the active segment's
    /// indexes and leaves the marker that lets the next open skip recovery.
    pub fn close(mut self) -> Result<(), StorageError> {
        self.active_mut().persist()?;
        let marker = self.dir.join(CLEAN_SHUTDOWN_MARKER);
        fs::write(&marker, b"").map_err(StorageError::io("write", &marker))?;
        sync_dir(&self.dir)
    }

    /// The log's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The log's configuration.
    pub fn config(&self) -> &LogConfig {
        &self.config
    }

    /// What opening the log found and did.
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.recovery
    }

    /// Counters since the log was opened.
    pub fn stats(&self) -> LogStats {
        self.stats
    }

    /// Number of segments, the active one included.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Base offsets of the segments, oldest first.
    pub fn segment_base_offsets(&self) -> Vec<i64> {
        self.segments.iter().map(|s| s.base_offset).collect()
    }

    /// Bytes of batches in all segments.
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size).sum()
    }

    fn active(&self) -> &Segment {
        let last = self.segments.len() - 1;
        &self.segments[last]
    }

    fn active_mut(&mut self) -> &mut Segment {
        let last = self.segments.len() - 1;
        &mut self.segments[last]
    }
}

/// The age retention judges a segment by: its newest batch timestamp, or
/// its file's modification time when the batches carry no timestamps
/// (`-1`), or never old if neither is known.
fn newest_ms(segment: &Segment, now: i64) -> i64 {
    if segment.max_timestamp >= 0 {
        return segment.max_timestamp;
    }
    fs::metadata(&segment.paths.log)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(now, |d| d.as_millis() as i64)
}

/// The chain link the next segment continues from: the last link of the
/// last segment in `before`, or the genesis link for the first segment.
fn chain_head_before(before: &[Segment]) -> Result<ChainHash, StorageError> {
    let Some(last) = before.last() else {
        return Ok(GENESIS);
    };
    let chain = read_chain(&last.paths.chain)?;
    Ok(chain.entries.last().map_or(chain.previous, |e| e.hash))
}

/// The base offsets of the segments in `dir`, sorted, after removing index
/// and chain files whose log is gone (a crash during a deletion or roll).
fn list_segments(dir: &Path) -> Result<(Vec<i64>, Vec<PathBuf>), StorageError> {
    let mut logs = BTreeSet::new();
    let mut others = Vec::new();
    for entry in fs::read_dir(dir).map_err(StorageError::io("list", dir))? {
        let path = entry.map_err(StorageError::io("list", dir))?.path();
        let (Some(stem), Some(ext)) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        let Some(base) = parse_base_offset(stem) else {
            continue;
        };
        match ext {
            "log" => {
                logs.insert(base);
            }
            "index" | "timeindex" | "chain" => others.push((base, path)),
            _ => {}
        }
    }
    let mut removed = Vec::new();
    for (base, path) in others {
        if !logs.contains(&base) {
            fs::remove_file(&path).map_err(StorageError::io("remove", &path))?;
            tracing::warn!(file = %path.display(), "removed a leftover file whose segment log is gone");
            removed.push(path);
        }
    }
    if !removed.is_empty() {
        sync_dir(dir)?;
    }
    Ok((logs.into_iter().collect(), removed))
}

fn parse_base_offset(stem: &str) -> Option<i64> {
    if stem.len() != 20 || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok()
}
