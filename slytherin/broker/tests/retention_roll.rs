//! Segment rolling and retention, with an injected clock (no sleeping).

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use slytherin_broker::storage::batch::BatchHeader;
use slytherin_broker::storage::{LogConfig, SharedClock, SystemClock};

fn sizes_on_disk(log: &slytherin_broker::storage::PartitionLog) -> Vec<u64> {
    log.segment_base_offsets()
        .iter()
        .map(|&b| {
            std::fs::metadata(segment_file(log.dir(), b, "log"))
                .expect("segment file")
                .len()
        })
        .collect()
}

#[test]
fn segments_roll_by_size_and_a_large_batch_gets_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let config = LogConfig {
        segment_bytes: 1000,
        ..test_config()
    };
    let mut log = open(dir.path(), &config, &clock);
    let small = simple_batch(1, 0, 100, 0); // about 180 bytes
    for _ in 0..20 {
        append(&mut log, &small);
    }
    let sizes = sizes_on_disk(&log);
    assert!(sizes.len() >= 4, "{sizes:?}");
    assert!(sizes.iter().all(|&s| s <= 1000), "{sizes:?}");
    let per_segment = 1000 / small.len() as u64;
    for &s in &sizes[..sizes.len() - 1] {
        assert_eq!(
            s,
            per_segment * small.len() as u64,
            "sealed segments are full"
        );
    }

    let big = simple_batch(1, 0, 3000, 1);
    let stored = append(&mut log, &big);
    let bases = log.segment_base_offsets();
    let big_offset = BatchHeader::parse(&stored).expect("h").base_offset;
    assert_eq!(
        *bases.last().expect("seg"),
        big_offset,
        "the big batch starts a segment"
    );
    assert_eq!(*sizes_on_disk(&log).last().expect("seg"), big.len() as u64);
    append(&mut log, &small);
    assert_eq!(
        *log.segment_base_offsets().last().expect("seg"),
        big_offset + 1
    );
    // Base offsets are the file names, and each segment starts where the
    // one before ended.
    assert_eq!(log.read(big_offset, 1).expect("read").records, stored);
}

#[test]
fn segments_roll_by_age() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (clock, shared) = clock_at(10_000);
    let config = LogConfig {
        segment_ms: 1_000,
        ..test_config()
    };
    let mut log = open(dir.path(), &config, &shared);
    append(&mut log, &simple_batch(1, 1, 1, 0));
    clock.advance(999);
    append(&mut log, &simple_batch(1, 1, 1, 1));
    assert_eq!(log.segment_count(), 1);
    clock.advance(1);
    append(&mut log, &simple_batch(1, 1, 1, 2));
    assert_eq!(log.segment_base_offsets(), vec![0, 2]);
    // An idle log does not roll by itself: rolling happens on append.
    clock.advance(10_000);
    assert_eq!(log.segment_count(), 2);
}

#[test]
fn retention_by_size_deletes_the_oldest_segments_and_moves_the_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let config = LogConfig {
        segment_bytes: 1000,
        retention_bytes: Some(2500),
        ..test_config()
    };
    let mut log = open(dir.path(), &config, &clock);
    for i in 0..40 {
        append(&mut log, &simple_batch(1, i, 100, i as u64));
    }
    let before = log.segment_base_offsets();
    let total = log.size_bytes();
    let outcome = log.enforce_retention().expect("retention");
    let after = log.segment_base_offsets();
    assert!(outcome.segments_deleted > 0);
    assert_eq!(after, before[outcome.segments_deleted..].to_vec());
    assert_eq!(outcome.log_start_offset, after[0]);
    assert_eq!(log.log_start_offset(), after[0]);
    assert_eq!(total - log.size_bytes(), outcome.bytes_deleted);
    // At least the limit is kept, and deleting one more segment would go under it.
    let sizes = sizes_on_disk(&log);
    assert!(log.size_bytes() >= 2500);
    assert!(log.size_bytes() - sizes[0] < 2500);
    for &b in &before[..outcome.segments_deleted] {
        for ext in ["log", "index", "timeindex"] {
            assert!(!segment_file(dir.path(), b, ext).exists());
        }
    }
    assert!(is_out_of_range(log.read(after[0] - 1, 100)));
    assert!(!log.read(after[0], 1).expect("read").records.is_empty());

    // Retention survives a restart: the start offset is the first file's.
    let end = log.log_end_offset();
    log.close().expect("close");
    let log = open(dir.path(), &config, &clock);
    assert_eq!(log.log_start_offset(), after[0]);
    assert_eq!(log.log_end_offset(), end);
}

#[test]
fn retention_never_deletes_the_active_segment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let config = LogConfig {
        segment_bytes: 1000,
        retention_bytes: Some(0),
        ..test_config()
    };
    let mut log = open(dir.path(), &config, &clock);
    for i in 0..20 {
        append(&mut log, &simple_batch(1, i, 100, i as u64));
    }
    let active = *log.segment_base_offsets().last().expect("seg");
    log.enforce_retention().expect("retention");
    assert_eq!(log.segment_base_offsets(), vec![active]);
    assert_eq!(log.log_start_offset(), active);
    assert!(log.size_bytes() > 0);
}

#[test]
fn retention_by_age_uses_each_segments_newest_timestamp() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (clock, shared) = clock_at(100_000);
    let config = LogConfig {
        segment_bytes: 500,
        retention_ms: Some(50_000),
        ..test_config()
    };
    let mut log = open(dir.path(), &config, &shared);
    // One ~300-byte batch per segment, with these producer timestamps:
    // the third segment is young, so the fourth (old again) must stay too.
    for ts in [10_000, 20_000, 90_000, 30_000, 95_000] {
        append(&mut log, &simple_batch(1, ts, 230, ts as u64));
    }
    assert_eq!(log.segment_base_offsets(), vec![0, 1, 2, 3, 4]);
    let outcome = log.enforce_retention().expect("retention");
    assert_eq!(outcome.segments_deleted, 2);
    assert_eq!(log.segment_base_offsets(), vec![2, 3, 4]);
    assert_eq!(log.log_start_offset(), 2);

    // Later, everything is old: the active segment is rolled so its data
    // can expire too, and the log is empty at the same end offset.
    clock.set(200_000);
    let outcome = log.enforce_retention().expect("retention");
    assert_eq!(outcome.segments_deleted, 3);
    assert_eq!(log.segment_base_offsets(), vec![5]);
    assert_eq!((log.log_start_offset(), log.log_end_offset()), (5, 5));
    let stored = append(&mut log, &simple_batch(1, 200_000, 1, 9));
    assert_eq!(BatchHeader::parse(&stored).expect("h").base_offset, 5);
}

#[test]
fn retention_by_age_without_timestamps_uses_the_file_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock: SharedClock = std::sync::Arc::new(SystemClock);
    let config = LogConfig {
        segment_bytes: 300,
        retention_ms: Some(60 * 60 * 1000),
        ..test_config()
    };
    let mut log = open(dir.path(), &config, &clock);
    for i in 0..3 {
        append(&mut log, &batch(&[-1], 200, i));
    }
    assert_eq!(log.segment_count(), 3);
    // Nothing is old yet.
    assert_eq!(
        log.enforce_retention().expect("retention").segments_deleted,
        0
    );
    // Make the first segment's file two hours old.
    let old = SystemTime::now() - Duration::from_secs(2 * 60 * 60);
    std::fs::File::options()
        .write(true)
        .open(segment_file(dir.path(), 0, "log"))
        .expect("open")
        .set_modified(old)
        .expect("set mtime");
    assert_eq!(
        log.enforce_retention().expect("retention").segments_deleted,
        1
    );
    assert_eq!(log.log_start_offset(), 1);
}
