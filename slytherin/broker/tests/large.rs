//! Large inputs: multi-megabyte batches, many small batches, many
//! segments. Timings are printed for information; assertions on time are
//! orders of magnitude only.

mod common;

use std::time::Instant;

use common::*;
use slytherin_broker::storage::batch::iter_batches;
use slytherin_broker::storage::{LogConfig, Verification};

#[test]
fn a_batch_of_several_megabytes_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let config = LogConfig {
        max_batch_bytes: 16 << 20,
        segment_bytes: 4 << 20,
        ..test_config()
    };
    let mut log = open(dir.path(), &config, &clock);
    let small = append(&mut log, &simple_batch(1, 0, 10, 0));
    // Three records of 2 MiB each: a 6 MiB batch, larger than a segment.
    let big = append(&mut log, &simple_batch(3, 1, 2 << 20, 1));
    assert!(big.len() > 6 << 20);
    let after = append(&mut log, &simple_batch(1, 2, 10, 2));
    assert_eq!(
        log.segment_count(),
        3,
        "the big batch sits alone in its segment"
    );
    // A small read limit still returns the whole big batch.
    assert_eq!(log.read(1, 1024).expect("read").records, big);
    assert_eq!(log.read(3, 1 << 30).expect("read").records, big);
    assert_eq!(log.read(4, 1 << 30).expect("read").records, after);
    drop(log);
    let log = open(dir.path(), &config, &clock);
    let all: Vec<Vec<u8>> = read_all(&log).into_iter().map(|(_, b)| b).collect();
    assert_eq!(all, vec![small, big, after]);
}

#[test]
fn many_thousands_of_small_batches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let config = LogConfig {
        segment_bytes: 256 * 1024,
        index_interval_bytes: 4096,
        verifiable: true,
        ..test_config()
    };
    let mut log = open(dir.path(), &config, &clock);
    let n = 20_000;
    let template = simple_batch(1, 0, 16, 0);
    let started = Instant::now();
    for _ in 0..n {
        let mut b = template.clone();
        log.append(&mut b).expect("append");
    }
    let appended = started.elapsed();
    assert_eq!(log.log_end_offset(), n);
    let started = Instant::now();
    let mut offset = 0;
    let mut batches = 0;
    while offset < n {
        let read = log.read(offset, 64 * 1024).expect("read");
        batches += iter_batches(&read.records).count();
        offset = read.next_offset;
    }
    let read = started.elapsed();
    assert_eq!(batches, n as usize);
    // Point lookups land on the right batch everywhere.
    for o in (0..n).step_by(997) {
        let r = log.read(o, 1).expect("read");
        let (h, _) = iter_batches(&r.records)
            .next()
            .expect("batch")
            .expect("valid");
        assert_eq!(h.base_offset, o);
    }
    assert!(matches!(
        log.verify().expect("verify"),
        Verification::Intact {
            batches: 20_000,
            ..
        }
    ));
    drop(log);
    let started = Instant::now();
    let log = open(dir.path(), &config, &clock);
    let reopened = started.elapsed();
    assert_eq!(log.log_end_offset(), n);
    println!(
        "{n} small batches ({} segments): append {appended:?}, sequential read {read:?}, crash reopen {reopened:?} (debug build)",
        log.segment_count()
    );
}

#[test]
fn opening_a_log_with_many_segments_stays_fast() {
    const SEGMENTS: i64 = 5_000;
    let (_, clock) = clock_at(0);
    let config = LogConfig {
        segment_bytes: 2048,
        index_interval_bytes: 256,
        ..test_config()
    };
    // One sealed segment made through the API is the template. Index files
    // hold relative offsets, so they fit any copy of the segment; the copies'
    // batches get their own base offsets. (Rolling 5000 segments through
    // the API would spend most of the test in fsync.)
    let template_dir = tempfile::tempdir().expect("tempdir");
    let mut log = open(template_dir.path(), &config, &clock);
    let mut batches = Vec::new();
    while log.segment_count() < 2 {
        batches.push(append(
            &mut log,
            &simple_batch(2, 0, 100, batches.len() as u64),
        ));
    }
    batches.pop(); // the one that started the second segment
    let per_segment = batches.len() as i64 * 2;
    let index = std::fs::read(segment_file(template_dir.path(), 0, "index")).expect("index");
    let time_index =
        std::fs::read(segment_file(template_dir.path(), 0, "timeindex")).expect("timeindex");
    drop(log);

    let dir = tempfile::tempdir().expect("tempdir");
    for s in 0..SEGMENTS {
        let base = s * per_segment;
        let bytes: Vec<u8> = batches
            .iter()
            .enumerate()
            .flat_map(|(i, b)| with_offset(b, base + 2 * i as i64))
            .collect();
        std::fs::write(segment_file(dir.path(), base, "log"), bytes).expect("log");
        std::fs::write(segment_file(dir.path(), base, "index"), &index).expect("index");
        std::fs::write(segment_file(dir.path(), base, "timeindex"), &time_index).expect("tindex");
    }
    let end = SEGMENTS * per_segment;

    // No clean-shutdown marker: the last segment is scanned, the rest are
    // loaded from their index files.
    let started = Instant::now();
    let log = open(dir.path(), &config, &clock);
    let unclean = started.elapsed();
    assert_eq!(log.segment_count(), SEGMENTS as usize);
    assert_eq!(log.recovery_report().recovered.len(), 1);
    assert_eq!(log.log_end_offset(), end);
    let mid = end / 2 + 1;
    let r = log.read(mid, 1).expect("read");
    let (h, _) = iter_batches(&r.records)
        .next()
        .expect("batch")
        .expect("valid");
    assert_eq!(h.base_offset, mid - 1);
    assert!(matches!(
        log.verify().expect("verify"),
        Verification::Intact { .. }
    ));
    log.close().expect("close");
    let started = Instant::now();
    let log = open(dir.path(), &config, &clock);
    let clean = started.elapsed();
    assert!(log.recovery_report().recovered.is_empty());
    assert_eq!(log.log_end_offset(), end);
    println!(
        "opening {SEGMENTS} segments: after a crash {unclean:?}, after a clean close {clean:?} (debug build)"
    );
    // Opening reads two small index files per sealed segment and never
    // scans their logs: tens of seconds would mean something is scanning.
    assert!(clean.as_secs() < 20 && unclean.as_secs() < 20);
}
