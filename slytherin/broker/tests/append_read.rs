//! Appending record batches and reading them back.

mod common;

use common::*;
use proptest::prelude::*;
use slytherin_broker::storage::batch::{compute_crc, iter_batches, BatchError, BatchHeader};
use slytherin_broker::storage::StorageError;

#[test]
fn offsets_are_assigned_and_bytes_come_back_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(1_000);
    let mut log = open(dir.path(), &test_config(), &clock);
    assert_eq!((log.log_start_offset(), log.log_end_offset()), (0, 0));

    let first = simple_batch(3, 100, 10, 1);
    let second = simple_batch(5, 200, 10, 2);
    let mut a = first.clone();
    let info = log.append(&mut a).expect("append");
    assert_eq!(
        (info.base_offset, info.last_offset, info.batches),
        (0, 2, 1)
    );
    assert_eq!(info.max_timestamp, 102);
    let mut b = second.clone();
    let info = log.append(&mut b).expect("append");
    assert_eq!((info.base_offset, info.last_offset), (3, 7));
    assert_eq!(log.log_end_offset(), 8);

    // Only the base offset changed, and the CRC still holds.
    assert_eq!(a, with_offset(&first, 0));
    assert_eq!(b, with_offset(&second, 3));

    let read = log.read(0, 1 << 20).expect("read");
    assert_eq!(read.records, [a.clone(), b.clone()].concat());
    assert_eq!(read.next_offset, 8);
    // An independent decoder sees records 0..8 with their timestamps.
    let records = decode_records(&read.records);
    assert_eq!(
        records,
        vec![
            (0, 100),
            (1, 101),
            (2, 102),
            (3, 200),
            (4, 201),
            (5, 202),
            (6, 203),
            (7, 204)
        ]
    );

    // Reading from inside a batch returns the whole batch holding the offset.
    let read = log.read(5, 1 << 20).expect("read");
    assert_eq!(read.records, b);
}

#[test]
fn reads_respect_max_bytes_but_return_at_least_one_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let mut log = open(dir.path(), &test_config(), &clock);
    let stored: Vec<Vec<u8>> = (0..10)
        .map(|i| append(&mut log, &simple_batch(1, i, 50, i as u64)))
        .collect();
    let one = stored[0].len();
    assert_eq!(log.read(0, 0).expect("read").records, stored[0]);
    assert_eq!(log.read(0, one + 1).expect("read").records, stored[0]);
    assert_eq!(
        log.read(0, 2 * one).expect("read").records,
        stored[..2].concat()
    );
    let all = log.read(0, usize::MAX).expect("read");
    assert_eq!(all.records, stored.concat());
    assert_eq!(all.next_offset, 10);
}

#[test]
fn reading_at_the_end_is_empty_and_outside_is_out_of_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let mut log = open(dir.path(), &test_config(), &clock);
    append(&mut log, &simple_batch(2, 0, 5, 0));
    let at_end = log.read(2, 100).expect("read at end");
    assert!(at_end.records.is_empty());
    assert_eq!(at_end.next_offset, 2);
    assert!(is_out_of_range(log.read(3, 100)));
    assert!(is_out_of_range(log.read(-1, 100)));
}

#[test]
fn corrupt_batches_are_rejected_and_nothing_is_appended() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let mut log = open(dir.path(), &test_config(), &clock);
    let good = simple_batch(2, 0, 20, 1);

    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    let err = log.append(&mut flipped).expect_err("bad CRC");
    assert!(
        matches!(
            err,
            StorageError::InvalidBatch {
                index: 0,
                source: BatchError::CrcMismatch { .. },
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("CRC-32C mismatch"), "{err}");

    // A good batch followed by a torn one: the whole append is refused.
    let mut mixed = [good.clone(), good[..good.len() - 3].to_vec()].concat();
    let err = log.append(&mut mixed).expect_err("torn second batch");
    assert!(
        matches!(
            err,
            StorageError::InvalidBatch {
                index: 1,
                source: BatchError::Truncated { .. },
                ..
            }
        ),
        "{err}"
    );

    let mut magic1 = good.clone();
    magic1[16] = 1;
    assert!(matches!(
        log.append(&mut magic1),
        Err(StorageError::InvalidBatch {
            source: BatchError::UnsupportedMagic(1),
            ..
        })
    ));
    assert!(matches!(
        log.append(&mut []),
        Err(StorageError::EmptyAppend)
    ));
    let mut garbage = vec![0xff; 100];
    assert!(log.append(&mut garbage).is_err());

    assert_eq!(log.log_end_offset(), 0);
    assert_eq!(log.size_bytes(), 0);
    // The log still works.
    let stored = append(&mut log, &good);
    assert_eq!(log.read(0, 1000).expect("read").records, stored);
}

#[test]
fn batches_over_the_limit_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let config = slytherin_broker::storage::LogConfig {
        max_batch_bytes: 1000,
        ..test_config()
    };
    let mut log = open(dir.path(), &config, &clock);
    let mut big = simple_batch(1, 0, 2000, 0);
    let err = log.append(&mut big).expect_err("too large");
    assert!(
        matches!(err, StorageError::BatchTooLarge { max: 1000, .. }),
        "{err}"
    );
    assert_eq!(log.log_end_offset(), 0);
}

#[test]
fn several_batches_in_one_append_get_consecutive_offsets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let mut log = open(dir.path(), &test_config(), &clock);
    append(&mut log, &simple_batch(4, 0, 1, 0));
    let payload = [
        simple_batch(2, 10, 5, 1),
        simple_batch(3, 20, 5, 2),
        simple_batch(1, 30, 5, 3),
    ]
    .concat();
    let mut bytes = payload.clone();
    let info = log.append(&mut bytes).expect("append");
    assert_eq!(
        (info.base_offset, info.last_offset, info.batches),
        (4, 9, 3)
    );
    let bases: Vec<i64> = iter_batches(&bytes)
        .map(|b| b.expect("batch").0.base_offset)
        .collect();
    assert_eq!(bases, vec![4, 6, 9]);
    assert_eq!(log.read(4, 1 << 20).expect("read").records, bytes);
}

#[test]
fn log_append_time_batches_get_the_broker_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (clock, shared) = clock_at(5_000);
    let mut log = open(dir.path(), &test_config(), &shared);
    let mut b = simple_batch(2, 1, 5, 0);
    // Set the timestamp-type attribute bit (kafka-protocol's encoder leaves
    // it to the broker) and fix the CRC as a producer would have it.
    b[22] |= 0x08;
    let crc = compute_crc(&b);
    b[17..21].copy_from_slice(&crc.to_be_bytes());
    clock.set(7_000);
    let info = log.append(&mut b).expect("append");
    assert_eq!(info.log_append_time, Some(7_000));
    let header = BatchHeader::parse(&b).expect("header");
    assert_eq!(header.max_timestamp, 7_000);
    assert!(header.is_log_append_time());
    let stored = log.read(0, 1000).expect("read").records;
    slytherin_broker::storage::batch::validate_batch(&stored).expect("CRC was recomputed");
    let found = log.offset_for_timestamp(6_000).expect("lookup");
    assert_eq!(found.map(|p| (p.offset, p.timestamp)), Some((0, 7_000)));
}

#[test]
fn data_survives_a_clean_close_and_appends_continue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let config = slytherin_broker::storage::LogConfig {
        segment_bytes: 8 * 1024,
        ..test_config()
    };
    let mut log = open(dir.path(), &config, &clock);
    let mut stored = Vec::new();
    for i in 0..200 {
        stored.push(append(
            &mut log,
            &simple_batch(1 + i % 3, i as i64, 100, i as u64),
        ));
    }
    assert!(log.segment_count() > 1, "the test should span segments");
    let end = log.log_end_offset();
    log.close().expect("close");

    let mut log = open(dir.path(), &config, &clock);
    let report = log.recovery_report();
    assert!(report.clean_shutdown);
    assert!(report.recovered.is_empty(), "{report:?}");
    assert_eq!(log.log_end_offset(), end);
    let served: Vec<Vec<u8>> = read_all(&log).into_iter().map(|(_, b)| b).collect();
    assert_eq!(served, stored);
    let next = append(&mut log, &simple_batch(1, 0, 1, 999));
    assert_eq!(BatchHeader::parse(&next).expect("header").base_offset, end);

    // Dropped without close: the next open recovers the active segment
    // and finds everything.
    drop(log);
    let log = open(dir.path(), &config, &clock);
    let report = log.recovery_report();
    assert!(!report.clean_shutdown);
    assert_eq!(report.recovered.len(), 1);
    assert_eq!(report.bytes_cut(), 0);
    assert_eq!(log.log_end_offset(), end + 1);
}

#[test]
fn a_partition_log_can_move_to_the_core_that_owns_it() {
    fn assert_send<T: Send>() {}
    assert_send::<slytherin_broker::storage::PartitionLog>();
}

proptest! {
    /// Arbitrary bytes (and valid batches with arbitrary bytes changed)
    /// are refused with an error, never a panic, and leave the log as it was.
    #[test]
    fn arbitrary_input_is_an_error_not_a_panic(
        junk in proptest::collection::vec(any::<u8>(), 0..300),
        flips in proptest::collection::vec((any::<proptest::sample::Index>(), 1u8..=255), 1..4),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let (_, clock) = clock_at(0);
        let mut log = open(dir.path(), &test_config(), &clock);
        let mut bytes = junk.clone();
        prop_assert!(log.append(&mut bytes).is_err());
        let mut damaged = simple_batch(3, 0, 20, 7);
        for (at, x) in flips {
            let i = at.index(damaged.len());
            // Base offset and leader epoch are outside the CRC by design.
            if i >= 17 {
                damaged[i] ^= x;
            }
        }
        let original = simple_batch(3, 0, 20, 7);
        if damaged[17..] != original[17..] {
            prop_assert!(log.append(&mut damaged).is_err());
        }
        prop_assert_eq!(log.log_end_offset(), 0);
        prop_assert_eq!(log.size_bytes(), 0);
    }
}
