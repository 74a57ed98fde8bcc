//! Sparse per-segment indexes: offset → byte position, and timestamp →
//! offset.
//!
//! Both are kept in memory and written to disk only when a segment is sealed
//! or the log is closed cleanly. They hold nothing the log does not: after
//! a crash the active segment's indexes are rebuilt by scanning it, so the
//! append path never writes or syncs an index file. Entries are sparse (one
//! every `index_interval_bytes` of log), so a lookup lands on a position at
//! or before the target and the caller scans a short way forward. Missing
//! entries only lengthen that scan; they never make it wrong.
//!
//! File formats are Kafka's: big-endian, 8-byte offset entries
//! (relative offset u32, position u32) and 12-byte time entries
//! (timestamp i64, relative offset u32).

use thiserror::Error;

const OFFSET_ENTRY_LEN: usize = 8;
const TIME_ENTRY_LEN: usize = 12;

/// Why an index file cannot be trusted; the segment is then rescanned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IndexDefect {
    /// The file's length is not a whole number of entries.
    #[error("index file length {0} is not a multiple of the entry size")]
    PartialEntry(usize),
    /// Entries go backwards.
    #[error("index entry {0} does not increase on the one before it")]
    NotIncreasing(usize),
    /// An entry points past the end of the segment's log file.
    #[error("index entry {entry} points to position {position}, past the log's {log_size} bytes")]
    PastEnd {
        /// Index of the entry.
        entry: usize,
        /// Position it claims.
        position: u64,
        /// Log size.
        log_size: u64,
    },
}

/// One offset index entry: the batch starting at `base + relative_offset`
/// begins at byte `position` of the segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetEntry {
    /// Batch base offset minus the segment's base offset.
    pub relative_offset: u32,
    /// Byte position of that batch in the segment's log file.
    pub position: u32,
}

/// Sparse offset index of one segment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetIndex {
    entries: Vec<OffsetEntry>,
}

impl OffsetIndex {
    /// Adds an entry after the last one; an entry that does not increase
    /// both offset and position is already covered and is skipped, which
    /// makes re-indexing a segment's tail harmless.
    pub fn push(&mut self, entry: OffsetEntry) {
        if self.entries.last().is_none_or(|last| {
            last.relative_offset < entry.relative_offset && last.position < entry.position
        }) {
            self.entries.push(entry);
        }
    }

    /// The last entry at or before `relative_offset`: where a scan for that
    /// offset starts. `None` means "from the start of the segment".
    pub fn lookup(&self, relative_offset: u32) -> Option<OffsetEntry> {
        let after = self
            .entries
            .partition_point(|e| e.relative_offset <= relative_offset);
        after.checked_sub(1).map(|i| self.entries[i])
    }

    /// The last entry, where a scan for the segment's tail starts.
    pub fn last(&self) -> Option<OffsetEntry> {
        self.entries.last().copied()
    }

    /// Serialises the index in Kafka's `.index` format.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.entries.len() * OFFSET_ENTRY_LEN);
        for e in &self.entries {
            out.extend_from_slice(&e.relative_offset.to_be_bytes());
            out.extend_from_slice(&e.position.to_be_bytes());
        }
        out
    }

    /// Reads an `.index` file's bytes, refusing anything that could send a
    /// lookup to a wrong place in a log of `log_size` bytes.
    pub fn decode(bytes: &[u8], log_size: u64) -> Result<Self, IndexDefect> {
        if bytes.len() % OFFSET_ENTRY_LEN != 0 {
            return Err(IndexDefect::PartialEntry(bytes.len()));
        }
        let mut index = OffsetIndex::default();
        for (i, raw) in bytes.chunks_exact(OFFSET_ENTRY_LEN).enumerate() {
            let entry = OffsetEntry {
                relative_offset: u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]),
                position: u32::from_be_bytes([raw[4], raw[5], raw[6], raw[7]]),
            };
            if u64::from(entry.position) >= log_size {
                return Err(IndexDefect::PastEnd {
                    entry: i,
                    position: entry.position.into(),
                    log_size,
                });
            }
            if let Some(last) = index.entries.last() {
                if last.relative_offset >= entry.relative_offset || last.position >= entry.position
                {
                    return Err(IndexDefect::NotIncreasing(i));
                }
            }
            index.entries.push(entry);
        }
        Ok(index)
    }
}

/// One time index entry: every batch whose base offset is at most
/// `base + relative_offset` has a max timestamp of at most `timestamp`.
///
/// This is the invariant lookups rely on: a batch with a timestamp at or
/// after a target `t` cannot lie at or before an entry whose timestamp is
/// below `t`. It holds for producer timestamps in any order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeEntry {
    /// Largest timestamp seen up to and including the batch at `relative_offset`.
    pub timestamp: i64,
    /// Base offset of that batch minus the segment's base offset.
    pub relative_offset: u32,
}

/// Sparse time index of one segment; timestamps strictly increase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeIndex {
    entries: Vec<TimeEntry>,
}

impl TimeIndex {
    /// Adds an entry if its timestamp is above the last one; entries that
    /// would not raise the maximum carry no information.
    pub fn push_if_newer(&mut self, entry: TimeEntry) {
        if self.entries.last().is_none_or(|last| {
            entry.timestamp > last.timestamp && entry.relative_offset >= last.relative_offset
        }) {
            self.entries.push(entry);
        }
    }

    /// The last entry whose timestamp is strictly below `target`: batches at
    /// or before its offset are all older than `target`, so a search for
    /// the first batch at or after `target` can start there.
    pub fn last_before(&self, target: i64) -> Option<TimeEntry> {
        let after = self.entries.partition_point(|e| e.timestamp < target);
        after.checked_sub(1).map(|i| self.entries[i])
    }

    /// The first entry, whose timestamp is the first batch's.
    pub fn first(&self) -> Option<TimeEntry> {
        self.entries.first().copied()
    }

    /// The last entry; once a segment is sealed its timestamp is the
    /// segment's largest.
    pub fn last(&self) -> Option<TimeEntry> {
        self.entries.last().copied()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Serialises the index in Kafka's `.timeindex` format.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.entries.len() * TIME_ENTRY_LEN);
        for e in &self.entries {
            out.extend_from_slice(&e.timestamp.to_be_bytes());
            out.extend_from_slice(&e.relative_offset.to_be_bytes());
        }
        out
    }

    /// Reads a `.timeindex` file's bytes, refusing entries out of order.
    pub fn decode(bytes: &[u8]) -> Result<Self, IndexDefect> {
        if bytes.len() % TIME_ENTRY_LEN != 0 {
            return Err(IndexDefect::PartialEntry(bytes.len()));
        }
        let mut index = TimeIndex::default();
        for (i, raw) in bytes.chunks_exact(TIME_ENTRY_LEN).enumerate() {
            let mut ts = [0u8; 8];
            ts.copy_from_slice(&raw[..8]);
            let entry = TimeEntry {
                timestamp: i64::from_be_bytes(ts),
                relative_offset: u32::from_be_bytes([raw[8], raw[9], raw[10], raw[11]]),
            };
            if let Some(last) = index.entries.last() {
                if last.timestamp >= entry.timestamp || last.relative_offset > entry.relative_offset
                {
                    return Err(IndexDefect::NotIncreasing(i));
                }
            }
            index.entries.push(entry);
        }
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_lookup_finds_last_entry_at_or_before() {
        let mut idx = OffsetIndex::default();
        for (o, p) in [(10, 100), (20, 200), (30, 300)] {
            idx.push(OffsetEntry {
                relative_offset: o,
                position: p,
            });
        }
        assert_eq!(idx.lookup(5), None);
        assert_eq!(idx.lookup(10).map(|e| e.position), Some(100));
        assert_eq!(idx.lookup(29).map(|e| e.position), Some(200));
        assert_eq!(idx.lookup(u32::MAX).map(|e| e.position), Some(300));
    }

    #[test]
    fn offset_index_round_trips_and_rejects_bad_files() {
        let mut idx = OffsetIndex::default();
        idx.push(OffsetEntry {
            relative_offset: 1,
            position: 50,
        });
        idx.push(OffsetEntry {
            relative_offset: 9,
            position: 4100,
        });
        let bytes = idx.encode();
        assert_eq!(OffsetIndex::decode(&bytes, 5000), Ok(idx.clone()));
        assert!(matches!(
            OffsetIndex::decode(&bytes, 4100),
            Err(IndexDefect::PastEnd { .. })
        ));
        assert!(matches!(
            OffsetIndex::decode(&bytes[..7], 5000),
            Err(IndexDefect::PartialEntry(7))
        ));
        let mut reversed = bytes[8..].to_vec();
        reversed.extend_from_slice(&bytes[..8]);
        assert_eq!(
            OffsetIndex::decode(&reversed, 5000),
            Err(IndexDefect::NotIncreasing(1))
        );
    }

    #[test]
    fn time_index_keeps_only_rising_timestamps() {
        let mut idx = TimeIndex::default();
        for (ts, o) in [(5, 0), (3, 1), (5, 2), (8, 3)] {
            idx.push_if_newer(TimeEntry {
                timestamp: ts,
                relative_offset: o,
            });
        }
        assert_eq!(idx.encode().len(), 2 * TIME_ENTRY_LEN);
        assert_eq!(idx.last_before(5), None);
        assert_eq!(idx.last_before(6).map(|e| e.relative_offset), Some(0));
        assert_eq!(idx.last_before(9).map(|e| e.relative_offset), Some(3));
        assert_eq!(TimeIndex::decode(&idx.encode()), Ok(idx));
    }
}
