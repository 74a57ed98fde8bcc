//! Durability modes: when data is synced, what `durable_offset` promises,
//! and that a simulated power loss (unsynced bytes lost) keeps everything
//! below it.

mod common;

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;

use common::*;
use slytherin_broker::storage::batch::BatchHeader;
use slytherin_broker::storage::{Durability, LogConfig, PartitionLog};

fn config(durability: Durability) -> LogConfig {
    LogConfig {
        durability,
        ..test_config()
    }
}

#[test]
fn every_batch_syncs_each_append() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let mut log = open(dir.path(), &config(Durability::EveryBatch), &clock);
    for i in 0..5 {
        let mut b = simple_batch(2, 0, 10, i);
        let info = log.append(&mut b).expect("append");
        assert!(info.synced);
        assert_eq!(log.durable_offset(), log.log_end_offset());
        assert_eq!(log.stats().durability_syncs, i + 1);
    }
}

#[test]
fn interval_syncs_once_the_interval_has_passed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (clock, shared) = clock_at(1_000);
    let mut log = open(dir.path(), &config(Durability::IntervalMs(100)), &shared);
    let append_synced = |log: &mut PartitionLog, seed| {
        let mut b = simple_batch(1, 0, 10, seed);
        log.append(&mut b).expect("append").synced
    };
    assert!(!append_synced(&mut log, 0));
    clock.advance(99);
    assert!(!append_synced(&mut log, 1));
    assert_eq!(log.durable_offset(), 0);
    assert_eq!(log.stats().durability_syncs, 0);
    clock.advance(1);
    assert!(append_synced(&mut log, 2));
    assert_eq!(log.durable_offset(), 3);
    assert_eq!(log.stats().durability_syncs, 1);

    // An idle partition's tail is synced by the timer hook.
    assert!(!append_synced(&mut log, 3));
    assert!(!log.tick().expect("tick"), "not due yet");
    clock.advance(100);
    assert!(log.tick().expect("tick"));
    assert_eq!(log.durable_offset(), 4);
    assert!(!log.tick().expect("tick"), "nothing left to sync");
    assert_eq!(log.stats().durability_syncs, 2);
}

#[test]
fn none_never_syncs_on_append_but_flush_and_roll_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (clock, shared) = clock_at(0);
    let cfg = LogConfig {
        segment_bytes: 1000,
        ..config(Durability::None)
    };
    let mut log = open(dir.path(), &cfg, &shared);
    for i in 0..3 {
        append(&mut log, &simple_batch(1, 0, 100, i));
    }
    clock.advance(1_000_000);
    assert!(!log.tick().expect("tick"));
    assert_eq!(log.stats().durability_syncs, 0);
    assert_eq!(log.durable_offset(), 0);
    log.flush().expect("flush");
    assert_eq!(log.durable_offset(), 3);
    assert_eq!(log.stats().durability_syncs, 1);
    // Rolling seals (and syncs) the full segment.
    for i in 3..12 {
        append(&mut log, &simple_batch(1, 0, 100, i));
    }
    assert!(log.segment_count() > 1);
    let active_base = *log.segment_base_offsets().last().expect("seg");
    assert_eq!(log.durable_offset(), active_base);
    assert_eq!(log.stats().durability_syncs, 1);
}

/// A power loss: the active segment keeps only what was synced, and the
/// pages after it hold garbage of the original length or are gone.
fn lose_unsynced(log: PartitionLog, stored: &[Vec<u8>], garbage: bool) {
    let durable = log.durable_offset();
    let active_base = *log.segment_base_offsets().last().expect("seg");
    let path = active_segment_file(&log);
    drop(log);
    let synced_bytes: u64 = stored
        .iter()
        .filter(|b| {
            let h = BatchHeader::parse(b).expect("h");
            h.base_offset >= active_base && h.base_offset < durable
        })
        .map(|b| b.len() as u64)
        .sum();
    let file = OpenOptions::new().write(true).open(&path).expect("open");
    let len = file.metadata().expect("stat").len();
    if garbage {
        let junk: Vec<u8> = (0..len - synced_bytes).map(|i| (i * 7 + 3) as u8).collect();
        file.write_all_at(&junk, synced_bytes).expect("garbage");
    } else {
        file.set_len(synced_bytes).expect("truncate");
    }
}

#[test]
fn a_power_loss_keeps_everything_below_the_durable_offset() {
    for (mode, garbage) in [
        (Durability::EveryBatch, false),
        (Durability::IntervalMs(50), true),
        (Durability::IntervalMs(50), false),
        (Durability::None, true),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (clock, shared) = clock_at(0);
        let cfg = LogConfig {
            segment_bytes: 2000,
            ..config(mode)
        };
        let mut log = open(dir.path(), &cfg, &shared);
        let mut stored = Vec::new();
        for i in 0..30 {
            clock.advance(20);
            stored.push(append(&mut log, &simple_batch(1 + i % 2, 0, 60, i as u64)));
        }
        let durable = log.durable_offset();
        if mode == Durability::EveryBatch {
            assert_eq!(durable, log.log_end_offset());
        }
        lose_unsynced(log, &stored, garbage);
        let log = open(dir.path(), &cfg, &shared);
        assert_eq!(log.log_end_offset(), durable, "{mode:?}");
        let served: Vec<Vec<u8>> = read_all(&log).into_iter().map(|(_, b)| b).collect();
        let expected: Vec<Vec<u8>> = stored
            .into_iter()
            .filter(|b| BatchHeader::parse(b).expect("h").base_offset < durable)
            .collect();
        assert_eq!(served, expected, "{mode:?}");
    }
}

#[test]
fn opening_makes_recovered_data_durable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let cfg = config(Durability::None);
    let mut log = open(dir.path(), &cfg, &clock);
    append(&mut log, &simple_batch(3, 0, 10, 0));
    assert_eq!(log.durable_offset(), 0);
    drop(log);
    let log = open(dir.path(), &cfg, &clock);
    assert_eq!(log.durable_offset(), 3);
}
