//! Helpers shared by the storage tests: record batches built by an
//! independent encoder (the `kafka-protocol` crate), logs in temporary
//! folders, and a brute-force reading of what a log holds.

#![allow(dead_code, missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions,
};
use slytherin_broker::protocol::plain_record;
use slytherin_broker::storage::batch::{iter_batches, BatchHeader};
use slytherin_broker::storage::{
    Durability, LogConfig, ManualClock, PartitionLog, SharedClock, StorageError,
};

/// A v2 batch with one record per timestamp; values are `value_len` bytes
/// derived from `seed`, so different batches have different bytes.
pub fn batch(timestamps: &[i64], value_len: usize, seed: u64) -> Vec<u8> {
    encode(timestamps, value_len, seed, Compression::None)
}

/// A batch flagged as compressed (gzip) whose "compression" leaves the
/// records as they are: enough to exercise code that must not look inside
/// compressed batches.
pub fn compressed_batch(timestamps: &[i64], value_len: usize, seed: u64) -> Vec<u8> {
    encode(timestamps, value_len, seed, Compression::Gzip)
}

fn encode(timestamps: &[i64], value_len: usize, seed: u64, compression: Compression) -> Vec<u8> {
    let records: Vec<Record> = timestamps
        .iter()
        .enumerate()
        .map(|(i, &timestamp)| {
            plain_record(
                i,
                timestamp,
                format!("key-{seed}-{i}").into_bytes(),
                value(value_len, seed, i),
            )
        })
        .collect();
    let mut buf = BytesMut::new();
    let options = RecordEncodeOptions {
        version: 2,
        compression,
    };
    let copy = |records: &mut BytesMut, out: &mut BytesMut, _: Compression| {
        out.extend_from_slice(records);
        Ok(())
    };
    if compression == Compression::None {
        RecordBatchEncoder::encode(&mut buf, records.iter(), &options).expect("encode batch");
    } else {
        RecordBatchEncoder::encode_with_custom_compression(
            &mut buf,
            records.iter(),
            &options,
            Some(copy),
        )
        .expect("encode batch");
    }
    buf.to_vec()
}

fn value(len: usize, seed: u64, i: usize) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(i as u64 + 1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// `n` records with timestamps `ts, ts+1, …`.
pub fn simple_batch(n: usize, ts: i64, value_len: usize, seed: u64) -> Vec<u8> {
    let timestamps: Vec<i64> = (0..n as i64).map(|i| ts + i).collect();
    batch(&timestamps, value_len, seed)
}

/// Decodes stored bytes with kafka-protocol: (offset, timestamp) of every record.
pub fn decode_records(bytes: &[u8]) -> Vec<(i64, i64)> {
    let mut buf = Bytes::copy_from_slice(bytes);
    let sets = RecordBatchDecoder::decode_all(&mut buf).expect("stored bytes decode");
    sets.iter()
        .flat_map(|s| s.records.iter().map(|r| (r.offset, r.timestamp)))
        .collect()
}

/// The bytes a batch should have once stored at `base_offset`.
pub fn with_offset(batch: &[u8], base_offset: i64) -> Vec<u8> {
    let mut b = batch.to_vec();
    b[..8].copy_from_slice(&base_offset.to_be_bytes());
    b
}

/// A log configuration for tests: small indexes, no fsync unless asked.
pub fn test_config() -> LogConfig {
    LogConfig {
        segment_bytes: 64 * 1024,
        index_interval_bytes: 256,
        durability: Durability::None,
        retention_ms: None,
        ..LogConfig::default()
    }
}

pub fn clock_at(ms: i64) -> (Arc<ManualClock>, SharedClock) {
    let clock = ManualClock::new(ms);
    let shared: SharedClock = clock.clone();
    (clock, shared)
}

pub fn open(dir: &Path, config: &LogConfig, clock: &SharedClock) -> PartitionLog {
    PartitionLog::open(dir, config.clone(), clock.clone()).expect("open log")
}

/// Appends `batch` and returns the stored copy (with its offset).
pub fn append(log: &mut PartitionLog, batch: &[u8]) -> Vec<u8> {
    let mut bytes = batch.to_vec();
    log.append(&mut bytes).expect("append");
    bytes
}

/// Every batch the log serves, read from the log start with small reads:
/// (header, bytes).
pub fn read_all(log: &PartitionLog) -> Vec<(BatchHeader, Vec<u8>)> {
    let mut out = Vec::new();
    let mut offset = log.log_start_offset();
    while offset < log.log_end_offset() {
        let read = log.read(offset, 1).expect("read");
        assert!(!read.records.is_empty(), "no batch at offset {offset}");
        for item in iter_batches(&read.records) {
            let (header, bytes) = item.expect("served bytes are batches");
            out.push((header, bytes.to_vec()));
        }
        assert!(read.next_offset > offset);
        offset = read.next_offset;
    }
    out
}

/// The active (last) segment's log file.
pub fn active_segment_file(log: &PartitionLog) -> PathBuf {
    let base = *log.segment_base_offsets().last().expect("a segment");
    log.dir().join(format!("{base:020}.log"))
}

pub fn segment_file(dir: &Path, base: i64, ext: &str) -> PathBuf {
    dir.join(format!("{base:020}.{ext}"))
}

pub fn is_out_of_range(
    result: Result<slytherin_broker::storage::ReadResult, StorageError>,
) -> bool {
    matches!(result, Err(StorageError::OffsetOutOfRange { .. }))
}
