//! Produce and consume against a real broker: order, content, headers,
//! keyed partitioning, every acks setting, and generated records.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use slytherin_client::partitioner::partition_for_key;
use slytherin_client::{Acks, Consumer, ConsumerRecord, Producer, StartPosition, TopicPartition};
use support::TestBroker;

/// Reads `topic`'s `partitions` from the start until `count` records came.
async fn read_all(
    broker: &TestBroker,
    topic: &str,
    partitions: i32,
    count: usize,
) -> Vec<ConsumerRecord> {
    let assigned =
        (0..partitions).map(|p| (TopicPartition::new(topic, p), StartPosition::Earliest));
    let mut consumer = Consumer::assign(broker.consumer_config(), assigned)
        .await
        .expect("the consumer starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut records = Vec::new();
    while records.len() < count {
        assert!(
            Instant::now() < deadline,
            "only {} of {count} records arrived",
            records.len()
        );
        records.extend(consumer.poll().await.expect("poll"));
    }
    // Nothing more than was sent.
    let extra = consumer.poll().await.expect("poll");
    assert!(extra.is_empty(), "unexpected records: {extra:?}");
    records
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyed_records_come_back_in_order_on_the_key_s_partition() {
    let broker = TestBroker::start();
    broker.create_topic("orders", 3).await;
    let producer = Producer::connect(broker.producer_config())
        .await
        .expect("connects");
    let mut sent = Vec::new();
    for i in 0..300 {
        let key = format!("customer-{}", i % 17);
        let value = format!("order-{i}");
        let header = i.to_string();
        sent.push(producer.send(
            "orders",
            Some(key.as_bytes()),
            value.as_bytes(),
            &[("seq", header.as_bytes())],
        ));
    }
    let mut deliveries = Vec::new();
    for delivery in sent {
        deliveries.push(delivery.await.expect("stored"));
    }
    producer.close().await;

    let records = read_all(&broker, "orders", 3, 300).await;
    let mut by_partition: BTreeMap<i32, Vec<&ConsumerRecord>> = BTreeMap::new();
    for record in &records {
        by_partition
            .entry(record.partition)
            .or_default()
            .push(record);
    }
    for (partition, records) in &by_partition {
        let offsets: Vec<i64> = records.iter().map(|r| r.offset).collect();
        let expected: Vec<i64> = (0..records.len() as i64).collect();
        assert_eq!(offsets, expected, "partition {partition} offsets");
        let sequence: Vec<i64> = records
            .iter()
            .map(|r| {
                let header = &r.headers[0];
                assert_eq!(header.key, "seq");
                String::from_utf8_lossy(header.value.as_deref().unwrap_or_default())
                    .parse()
                    .expect("a number")
            })
            .collect();
        assert!(
            sequence.windows(2).all(|w| w[0] < w[1]),
            "partition {partition} out of order: {sequence:?}"
        );
    }
    for record in &records {
        let key = record.key.as_deref().expect("keyed");
        assert_eq!(record.partition, partition_for_key(key, 3), "{record:?}");
        let i: usize = String::from_utf8_lossy(record.value.as_deref().unwrap_or_default())
            .trim_start_matches("order-")
            .parse()
            .expect("a number");
        assert_eq!(deliveries[i].partition, record.partition);
        assert_eq!(deliveries[i].offset, Some(record.offset));
        assert!(
            record.timestamp > 1_600_000_000_000,
            "a creation time: {}",
            record.timestamp
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acks_setting_stores_the_records() {
    let broker = TestBroker::start();
    for (acks, topic) in [
        (Acks::None, "acks-0"),
        (Acks::Leader, "acks-1"),
        (Acks::All, "acks-all"),
    ] {
        broker.create_topic(topic, 1).await;
        let config = broker.producer_config().with_acks(acks);
        let producer = Producer::connect(config).await.expect("connects");
        let sent: Vec<_> = (0..50)
            .map(|i| producer.send(topic, None, format!("{i}").as_bytes(), &[]))
            .collect();
        for delivery in sent {
            let delivery = delivery.await.expect("sent");
            assert_eq!(delivery.offset.is_some(), acks != Acks::None, "{acks:?}");
        }
        producer.close().await;
        let records = read_all(&broker, topic, 1, 50).await;
        let values: Vec<String> = records
            .iter()
            .map(|r| String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned())
            .collect();
        let expected: Vec<String> = (0..50).map(|i| i.to_string()).collect();
        assert_eq!(values, expected, "{acks:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_is_created_on_first_send_and_the_stream_reads_it() {
    use futures_util::StreamExt;
    let broker = TestBroker::start();
    let producer = Producer::connect(broker.producer_config())
        .await
        .expect("connects");
    let delivery = producer
        .send("auto-created", Some(b"k"), b"first", &[])
        .await
        .expect("stored on a topic created on demand");
    assert_eq!(
        delivery,
        slytherin_client::Delivery {
            partition: 0,
            offset: Some(0)
        }
    );
    let mut consumer = Consumer::assign(
        broker.consumer_config(),
        [(
            TopicPartition::new("auto-created", 0),
            StartPosition::Offset(0),
        )],
    )
    .await
    .expect("the consumer starts");
    let record = consumer
        .stream()
        .next()
        .await
        .expect("a record")
        .expect("readable");
    assert_eq!(record.value.as_deref(), Some(&b"first"[..]));
    let mut latest = Consumer::assign(
        broker.consumer_config(),
        [(
            TopicPartition::new("auto-created", 0),
            StartPosition::Latest,
        )],
    )
    .await
    .expect("the consumer starts");
    assert_eq!(
        latest.position(&TopicPartition::new("auto-created", 0)),
        Some(1)
    );
    producer
        .send("auto-created", None, b"second", &[])
        .await
        .expect("stored");
    let record = latest
        .stream()
        .next()
        .await
        .expect("a record")
        .expect("readable");
    assert_eq!(
        (record.offset, record.value.as_deref()),
        (1, Some(&b"second"[..]))
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Generated records (empty and binary keys, values and headers, with
    /// batching settings that split them into many batches) come back
    /// exactly, each partition in send order.
    #[test]
    fn generated_records_round_trip(
        records in proptest::collection::vec(
            (
                proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20)),
                proptest::collection::vec(any::<u8>(), 0..300),
                proptest::collection::btree_map("[a-z]{0,8}", proptest::collection::vec(any::<u8>(), 0..10), 0..3)
                    .prop_map(|h| h.into_iter().collect::<Vec<_>>()),
            ),
            1..80,
        ),
        batch_size in 100usize..4_000,
        linger_ms in 0u64..10,
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let broker = TestBroker::start();
            broker.create_topic("generated", 2).await;
            let config = broker
                .producer_config()
                .with_batching(Duration::from_millis(linger_ms), batch_size);
            let producer = Producer::connect(config).await.expect("connects");
            let sent: Vec<_> = records
                .iter()
                .map(|(key, value, headers)| {
                    let headers: Vec<(&str, &[u8])> =
                        headers.iter().map(|(k, v)| (k.as_str(), v.as_slice())).collect();
                    producer.send("generated", key.as_deref(), value, &headers)
                })
                .collect();
            for delivery in sent {
                delivery.await.expect("stored");
            }
            producer.close().await;
            let read = read_all(&broker, "generated", 2, records.len()).await;
            // Keyless records may go to either partition: compare each
            // partition's sequence with the records sent there, in order.
            let mut expected: Vec<Vec<u8>> = records.iter().map(|(_, v, _)| v.clone()).collect();
            let mut got: Vec<Vec<u8>> = read.iter().map(|r| r.value.clone().unwrap_or_default().to_vec()).collect();
            expected.sort();
            got.sort();
            assert_eq!(got, expected);
            for partition in 0..2 {
                let mine: Vec<&ConsumerRecord> = read.iter().filter(|r| r.partition == partition).collect();
                let mut cursor = 0;
                for record in mine {
                    let found = records[cursor..].iter().position(|(k, v, h)| {
                        k.as_deref() == record.key.as_deref()
                            && v.as_slice() == record.value.as_deref().unwrap_or_default()
                            && h.len() == record.headers.len()
                            && h.iter().zip(&record.headers).all(|((hk, hv), rh)| {
                                hk == &rh.key && Some(hv.as_slice()) == rh.value.as_deref()
                            })
                    });
                    let found = found.unwrap_or_else(|| panic!("{record:?} out of order or changed"));
                    cursor += found + 1;
                }
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_compression_codec_round_trips() {
    use slytherin_client::Compression;
    let broker = TestBroker::start();
    for (codec, topic) in [
        (Compression::Gzip, "gzip"),
        (Compression::Snappy, "snappy"),
        (Compression::Lz4, "lz4"),
        (Compression::Zstd, "zstd"),
    ] {
        broker.create_topic(topic, 1).await;
        let config = broker.producer_config().with_compression(codec);
        let producer = Producer::connect(config).await.expect("connects");
        let sent: Vec<_> = (0..100)
            .map(|i| producer.send(topic, None, format!("{i:>40}").as_bytes(), &[]))
            .collect();
        for delivery in sent {
            delivery.await.expect("stored");
        }
        producer.close().await;
        let records = read_all(&broker, topic, 1, 100).await;
        let values: Vec<String> = records
            .iter()
            .map(|r| {
                String::from_utf8_lossy(r.value.as_deref().unwrap_or_default())
                    .trim()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            values,
            (0..100).map(|i| i.to_string()).collect::<Vec<_>>(),
            "{codec:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seek_moves_the_next_read() {
    let broker = TestBroker::start();
    broker.create_topic("replayed", 1).await;
    let producer = Producer::connect(broker.producer_config())
        .await
        .expect("connects");
    let sent: Vec<_> = (0..10)
        .map(|i| producer.send("replayed", None, format!("{i}").as_bytes(), &[]))
        .collect();
    for delivery in sent {
        delivery.await.expect("stored");
    }
    let partition = TopicPartition::new("replayed", 0);
    let records = read_all(&broker, "replayed", 1, 10).await;
    assert_eq!(records.len(), 10);
    let mut consumer = Consumer::assign(
        broker.consumer_config(),
        [(partition.clone(), StartPosition::Latest)],
    )
    .await
    .expect("starts");
    consumer.seek(&partition, 7).expect("assigned");
    let mut offsets = Vec::new();
    while offsets.len() < 3 {
        offsets.extend(
            consumer
                .poll()
                .await
                .expect("poll")
                .iter()
                .map(|r| r.offset),
        );
    }
    assert_eq!(offsets, [7, 8, 9]);
    let elsewhere = consumer.seek(&TopicPartition::new("replayed", 1), 0);
    assert!(
        matches!(elsewhere, Err(slytherin_client::Error::NotAssigned { .. })),
        "{elsewhere:?}"
    );
}
