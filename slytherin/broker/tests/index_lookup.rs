//! Lookups by offset and by timestamp, checked against a brute-force scan
//! of every record, on a live log, after a clean reopen (indexes loaded
//! from their files) and after a crash (indexes rebuilt by recovery).

mod common;

use common::*;
use proptest::prelude::*;
use slytherin_broker::storage::batch::BatchHeader;
use slytherin_broker::storage::{LogConfig, PartitionLog, RecordPosition};

#[derive(Debug, Clone)]
struct Spec {
    timestamps: Vec<i64>,
    value_len: usize,
    compressed: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        // Producer timestamps in any order, some missing (-1).
        proptest::collection::vec(prop_oneof![9 => 0i64..5_000, 1 => Just(-1i64)], 1..6),
        0usize..300,
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(timestamps, value_len, compressed)| Spec {
            timestamps,
            value_len,
            compressed,
        })
}

/// One stored batch as the model knows it.
struct Stored {
    bytes: Vec<u8>,
    header: BatchHeader,
    records: Vec<(i64, i64)>,
    compressed: bool,
}

/// ListOffsets by brute force: the first batch in offset order whose max
/// timestamp reaches the target, then the first record in it that does
/// (or the batch itself when compressed).
fn brute_force_timestamp(model: &[Stored], target: i64) -> Option<RecordPosition> {
    let b = model.iter().find(|b| b.header.max_timestamp >= target)?;
    if b.compressed {
        return Some(RecordPosition {
            offset: b.header.base_offset,
            timestamp: b.header.max_timestamp,
        });
    }
    b.records
        .iter()
        .find(|(_, ts)| *ts >= target)
        .map(|&(offset, timestamp)| RecordPosition { offset, timestamp })
}

fn check_lookups(log: &PartitionLog, model: &[Stored]) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        log.log_end_offset(),
        model.last().map_or(0, |b| b.header.next_offset())
    );
    for b in model {
        for offset in b.header.base_offset..=b.header.last_offset() {
            let read = log.read(offset, 1).expect("read");
            prop_assert!(
                read.records == b.bytes,
                "offset {} read a different batch",
                offset
            );
            prop_assert_eq!(read.next_offset, b.header.next_offset());
        }
    }
    let mut targets: Vec<i64> = vec![i64::MIN, -2, -1, 0, 5_000, i64::MAX];
    for b in model {
        for &(_, ts) in &b.records {
            targets.extend([ts - 1, ts, ts + 1]);
        }
    }
    for t in targets {
        let found = log.offset_for_timestamp(t).expect("lookup");
        prop_assert_eq!(found, brute_force_timestamp(model, t), "target {}", t);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn lookups_match_brute_force(
        specs in proptest::collection::vec(spec(), 1..80),
        segment_kib in 1u64..16,
        index_interval in 1u32..1024,
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let (_, clock) = clock_at(0);
        let config = LogConfig {
            segment_bytes: segment_kib * 1024,
            index_interval_bytes: index_interval,
            ..test_config()
        };
        let mut log = open(dir.path(), &config, &clock);
        let mut model = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            let encoded = if s.compressed {
                compressed_batch(&s.timestamps, s.value_len, i as u64)
            } else {
                batch(&s.timestamps, s.value_len, i as u64)
            };
            let bytes = append(&mut log, &encoded);
            let header = BatchHeader::parse(&bytes).expect("header");
            let records = s
                .timestamps
                .iter()
                .enumerate()
                .map(|(k, &ts)| (header.base_offset + k as i64, ts))
                .collect();
            model.push(Stored { bytes, header, records, compressed: s.compressed });
        }
        check_lookups(&log, &model)?;

        log.close().expect("close");
        let log = open(dir.path(), &config, &clock);
        prop_assert!(log.recovery_report().recovered.is_empty());
        check_lookups(&log, &model)?;

        drop(log);
        // The clean marker was consumed by the last open, so this is a
        // crash: the active segment is recovered and its indexes rebuilt.
        let log = open(dir.path(), &config, &clock);
        prop_assert_eq!(log.recovery_report().recovered.len(), 1);
        check_lookups(&log, &model)?;
    }
}

#[test]
fn the_stored_record_timestamps_are_what_the_decoder_sees() {
    // Ties the model above to an independent reading of the bytes.
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, clock) = clock_at(0);
    let mut log = open(dir.path(), &test_config(), &clock);
    append(&mut log, &batch(&[30, 10, 20], 5, 1));
    append(&mut log, &batch(&[5, 40], 5, 2));
    let all = log.read(0, usize::MAX).expect("read").records;
    assert_eq!(
        decode_records(&all),
        vec![(0, 30), (1, 10), (2, 20), (3, 5), (4, 40)]
    );
    let at = |t| {
        log.offset_for_timestamp(t)
            .expect("lookup")
            .map(|p| (p.offset, p.timestamp))
    };
    assert_eq!(at(0), Some((0, 30)));
    assert_eq!(at(31), Some((4, 40)));
    assert_eq!(at(41), None);
}
