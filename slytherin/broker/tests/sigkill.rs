//! Durability: the broker is killed with SIGKILL while two producers send
//! batches with acks=all; after a restart every acknowledged batch is
//! there, byte for byte at the offset it was acknowledged with, in each
//! producer's order, and no batch is stored twice.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::{ApiKey, FetchRequest, RequestKind, ResponseKind};
use slytherin_broker::admin::Admin;
use slytherin_broker::storage::batch::iter_batches;
use support::{common, name, produce_outcome, produce_request, BrokerProcess};

const TOPIC: &str = "durable";

/// Produces batches until the connection fails: each acknowledged batch and
/// the base offset it was acknowledged with.
fn produce_until_killed(
    address: std::net::SocketAddr,
    first_seed: u64,
    started: &AtomicBool,
) -> Vec<(Vec<u8>, i64)> {
    let mut admin = Admin::connect(address).expect("connects");
    let mut acked = Vec::new();
    for seed in first_seed.. {
        let batch = common::simple_batch(20, 1_000, 100, seed);
        let request = produce_request(TOPIC, batch.clone());
        let Ok(answer) = admin.call(ApiKey::Produce, 7, &request) else {
            return acked;
        };
        let (code, base_offset) = produce_outcome(&answer);
        assert_eq!(code, 0, "a produce failed before the kill");
        acked.push((batch, base_offset));
        started.store(true, Ordering::Relaxed);
    }
    acked
}

/// Every stored batch, in offset order.
fn stored_batches(address: std::net::SocketAddr) -> Vec<Vec<u8>> {
    let mut admin = Admin::connect(address).expect("connects");
    let mut offset = 0;
    let mut batches = Vec::new();
    loop {
        let request =
            RequestKind::Fetch(FetchRequest::default().with_max_bytes(1 << 20).with_topics(
                vec![FetchTopic::default()
                    .with_topic(name(TOPIC))
                    .with_partitions(vec![FetchPartition::default()
                        .with_fetch_offset(offset)
                        .with_partition_max_bytes(1 << 20)])],
            ));
        let Ok(ResponseKind::Fetch(answer)) = admin.call(ApiKey::Fetch, 11, &request) else {
            panic!("the restarted broker answers fetches");
        };
        let partition = &answer.responses[0].partitions[0];
        assert_eq!(partition.error_code, 0);
        let records = partition.records.clone().unwrap_or_default();
        if records.is_empty() {
            assert_eq!(
                offset, partition.high_watermark,
                "read up to the high watermark"
            );
            return batches;
        }
        for batch in iter_batches(&records) {
            let (header, bytes) = batch.expect("whole stored batches");
            offset = header.last_offset() + 1;
            batches.push(bytes.to_vec());
        }
    }
}

#[test]
fn acknowledged_batches_survive_sigkill_during_heavy_produce() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let broker = BrokerProcess::start(&data, &[]);
    let address = broker.address();
    let started = Arc::new(AtomicBool::new(false));
    let producers: Vec<_> = [0u64, 1_000_000]
        .into_iter()
        .map(|first_seed| {
            let started = Arc::clone(&started);
            std::thread::spawn(move || produce_until_killed(address, first_seed, &started))
        })
        .collect();
    while !started.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(700));
    broker.kill_hard();
    let acked: Vec<Vec<(Vec<u8>, i64)>> = producers
        .into_iter()
        .map(|p| p.join().expect("producer"))
        .collect();
    let total: usize = acked.iter().map(Vec::len).sum();
    assert!(
        total > 20,
        "only {total} batches were acknowledged before the kill"
    );

    let broker = BrokerProcess::start(&data, &[]);
    let stored = stored_batches(broker.address());
    let by_offset: std::collections::HashMap<i64, &Vec<u8>> = stored
        .iter()
        .map(|b| (i64::from_be_bytes(b[..8].try_into().expect("8 bytes")), b))
        .collect();
    for (producer, batches) in acked.iter().enumerate() {
        let mut previous = -1;
        for (batch, base_offset) in batches {
            let found = by_offset.get(base_offset).unwrap_or_else(|| {
                panic!("producer {producer}: the batch acknowledged at {base_offset} is gone")
            });
            assert_eq!(
                **found,
                common::with_offset(batch, *base_offset),
                "producer {producer} at {base_offset}"
            );
            assert!(
                *base_offset > previous,
                "producer {producer}: acknowledged order kept"
            );
            previous = *base_offset;
        }
    }
    let mut contents: Vec<&[u8]> = stored.iter().map(|b| &b[8..]).collect();
    contents.sort();
    let before = contents.len();
    contents.dedup();
    assert_eq!(contents.len(), before, "no batch is stored twice");
    eprintln!(
        "{total} batches acknowledged before SIGKILL, {} stored after restart",
        stored.len()
    );
    broker.stop();
}
