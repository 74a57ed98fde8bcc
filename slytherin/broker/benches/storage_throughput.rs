//! Storage engine throughput: appends under each durability mode (and with
//! the hash chain), sequential and random reads, and recovery scanning.
//!
//! Run with `cargo bench -p slytherin-broker --bench storage_throughput`.
//! Prints figures; asserts nothing. Each case is bounded in both count and
//! time, so the run ends in about a minute even on slow disks. Figures
//! depend on the disk and its fsync latency: compare modes within one run.
//! Temporary folders are made where `TMPDIR` points; it must be a real
//! disk (not tmpfs) for the fsync figures to mean anything.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kafka_protocol::records::{Compression, Record};
use slytherin_broker::protocol::{encode_batch, plain_record};
use slytherin_broker::storage::{Durability, LogConfig, PartitionLog, SharedClock, SystemClock};

/// A batch of `records` records with `value_len`-byte values.
fn batch(records: usize, value_len: usize) -> Vec<u8> {
    let records: Vec<Record> = (0..records)
        .map(|i| {
            plain_record(
                i,
                1_700_000_000_000 + i as i64,
                format!("key-{i}").into_bytes(),
                vec![(i % 251) as u8; value_len],
            )
        })
        .collect();
    encode_batch(&records, Compression::None).unwrap()
}

fn config(durability: Durability, verifiable: bool) -> LogConfig {
    LogConfig {
        segment_bytes: 256 << 20,
        durability,
        verifiable,
        retention_ms: None,
        ..LogConfig::default()
    }
}

/// Writes back every dirty page on the machine, so one case's leftover
/// write-back does not inflate the next case's fsync latency.
fn settle() {
    let _ = std::process::Command::new("sync").status();
}

/// Appends `template` until `max_appends` or `budget` is reached.
fn bench_append(
    dir: &Path,
    label: &str,
    config: LogConfig,
    template: &[u8],
    max_appends: usize,
    budget: Duration,
) -> PartitionLog {
    settle();
    let clock: SharedClock = Arc::new(SystemClock);
    let mut log = PartitionLog::open(dir, config, clock).unwrap();
    // The append rewrites only the base offset, which is outside the CRC,
    // so one buffer can be appended again and again.
    let mut buf = template.to_vec();
    let started = Instant::now();
    let mut appends = 0;
    while appends < max_appends && started.elapsed() < budget {
        log.append(&mut buf).unwrap();
        appends += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let bytes = (appends * template.len()) as f64;
    println!(
        "append  {label:<34} {:>5} B/batch  {appends:>7} batches  {:>9.1} MB/s  {:>9.0} batches/s  {:>7.1} µs/append  ({} fsyncs)",
        template.len(),
        bytes / elapsed / 1e6,
        appends as f64 / elapsed,
        elapsed * 1e6 / appends as f64,
        log.stats().durability_syncs,
    );
    log
}

fn bench_reads(log: &PartitionLog, label: &str) {
    let end = log.log_end_offset();
    let started = Instant::now();
    let mut offset = log.log_start_offset();
    let mut bytes = 0usize;
    while offset < end {
        let read = log.read(offset, 1 << 20).unwrap();
        bytes += read.records.len();
        offset = read.next_offset;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "read    {label:<34} sequential, 1 MiB fetches: {:>9.1} MB/s ({} MB)",
        bytes as f64 / elapsed / 1e6,
        bytes / 1_000_000
    );

    let lookups = 20_000;
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let started = Instant::now();
    for _ in 0..lookups {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let offset = (x % end as u64) as i64;
        let read = log.read(offset, 1).unwrap();
        assert!(!read.records.is_empty());
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "read    {label:<34} random single-batch reads: {:>9.0} reads/s ({:.1} µs each)",
        lookups as f64 / elapsed,
        elapsed * 1e6 / lookups as f64
    );
    let started = Instant::now();
    let probes = 2_000;
    for i in 0..probes {
        log.offset_for_timestamp(1_700_000_000_000 + i % 16)
            .unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "read    {label:<34} timestamp lookups: {:>9.0} lookups/s",
        probes as f64 / elapsed
    );
}

fn bench_recovery(dir: &Path, config: LogConfig) {
    let clock: SharedClock = Arc::new(SystemClock);
    let started = Instant::now();
    let log = PartitionLog::open(dir, config, clock).unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    let scanned: u64 = log
        .recovery_report()
        .recovered
        .iter()
        .map(|r| r.valid_bytes)
        .sum();
    println!(
        "recover active segment after a crash: {} MB scanned and CRC-checked in {:.3} s ({:.0} MB/s)",
        scanned / 1_000_000,
        elapsed,
        scanned as f64 / elapsed / 1e6
    );
}

fn main() {
    let small = batch(1, 100);
    let large = batch(16, 1024);
    let budget = Duration::from_secs(3);
    println!(
        "slytherin-broker storage throughput (one partition, one thread, {} cores on this machine)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for (label, durability, appends) in [
        ("durability=none", Durability::None, 400_000),
        (
            "durability=interval(10ms)",
            Durability::IntervalMs(10),
            400_000,
        ),
        ("durability=every batch", Durability::EveryBatch, 5_000),
    ] {
        for template in [&small, &large] {
            let dir = tempfile::tempdir().unwrap();
            bench_append(
                dir.path(),
                label,
                config(durability, false),
                template,
                appends,
                budget,
            );
        }
    }
    for template in [&small, &large] {
        let dir = tempfile::tempdir().unwrap();
        bench_append(
            dir.path(),
            "durability=none, verifiable (BLAKE3)",
            config(Durability::None, true),
            template,
            400_000,
            budget,
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let log = bench_append(
        dir.path(),
        "durability=none (log for reads)",
        config(Durability::None, false),
        &large,
        15_000,
        Duration::from_secs(10),
    );
    bench_reads(&log, "16 KiB batches");
    drop(log); // without close: the next open recovers the active segment
    bench_recovery(dir.path(), config(Durability::None, false));
}
