//! Which old segments retention deletes.
//!
//! Retention removes whole segments from the front of the log, so the log
//! stays a contiguous range of offsets and the log start offset simply moves
//! to the first remaining segment. The active segment is never deleted.
//! The decision is a pure function of segment sizes and ages, kept apart
//! from the file operations so it can be tested on its own.

/// What retention needs to know about one sealed segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentAge {
    /// Bytes in the segment's log file.
    pub size: u64,
    /// The newest timestamp in the segment: its largest batch max
    /// timestamp, or the file's modification time when batches carry none.
    pub newest_ms: i64,
}

/// How many of the oldest sealed segments to delete.
///
/// By age: every segment in the leading run whose newest data is older
/// than `retention_ms` (a younger segment stops the run, so data never
/// disappears from the middle of the log). By size: as Kafka does, the
/// oldest segments whose removal still leaves at least `retention_bytes`
/// in the log. The two rules combine: whichever deletes more wins.
pub fn segments_to_delete(
    sealed: &[SegmentAge],
    active_size: u64,
    retention_ms: Option<i64>,
    retention_bytes: Option<u64>,
    now_ms: i64,
) -> usize {
    let by_age = retention_ms.map_or(0, |ms| {
        let cutoff = now_ms.saturating_sub(ms);
        sealed.iter().take_while(|s| s.newest_ms < cutoff).count()
    });
    let by_size = retention_bytes.map_or(0, |limit| {
        let total: u64 = sealed.iter().map(|s| s.size).sum::<u64>() + active_size;
        let mut excess = total.saturating_sub(limit);
        sealed
            .iter()
            .take_while(|s| {
                let fits = s.size <= excess;
                if fits {
                    excess -= s.size;
                }
                fits
            })
            .count()
    });
    by_age.max(by_size)
}

/// What a retention pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetentionOutcome {
    /// Segments deleted.
    pub segments_deleted: usize,
    /// Bytes of log deleted.
    pub bytes_deleted: u64,
    /// The log start offset afterwards.
    pub log_start_offset: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(size: u64, newest_ms: i64) -> SegmentAge {
        SegmentAge { size, newest_ms }
    }

    #[test]
    fn age_deletes_only_the_leading_run_of_old_segments() {
        let sealed = [seg(10, 100), seg(10, 900), seg(10, 100)];
        assert_eq!(segments_to_delete(&sealed, 0, Some(500), None, 1000), 1);
        assert_eq!(segments_to_delete(&sealed, 0, Some(50), None, 1000), 3);
        assert_eq!(segments_to_delete(&sealed, 0, None, None, 1000), 0);
    }

    #[test]
    fn size_keeps_at_least_the_limit() {
        let sealed = [seg(100, 0), seg(100, 0), seg(100, 0)];
        // 350 bytes in all; deleting one leaves 250 >= 200, two would leave 150.
        assert_eq!(segments_to_delete(&sealed, 50, None, Some(200), 0), 1);
        assert_eq!(segments_to_delete(&sealed, 50, None, Some(50), 0), 3);
        assert_eq!(segments_to_delete(&sealed, 50, None, Some(1000), 0), 0);
    }

    #[test]
    fn never_more_than_the_sealed_segments() {
        assert_eq!(
            segments_to_delete(&[], 1 << 40, Some(0), Some(0), i64::MAX),
            0
        );
    }
}
