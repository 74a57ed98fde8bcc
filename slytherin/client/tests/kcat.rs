//! Interoperability with kcat (librdkafka): what this client produces,
//! kcat reads, and the other way round; keyed records land on the
//! partitions librdkafka's murmur2 partitioner (Java's default) picks.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use slytherin_client::partitioner::partition_for_key;
use slytherin_client::{Consumer, Producer, StartPosition, TopicPartition};
use support::{kcat, kcat_ok, Kcat, TestBroker};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kcat_reads_what_the_client_produced() {
    let Some(kcat) = kcat() else { return };
    let broker = TestBroker::start();
    broker.create_topic("to-kcat", 4).await;
    let producer = Producer::connect(broker.producer_config())
        .await
        .expect("connects");
    let sent: Vec<_> = (0..100)
        .map(|i| {
            producer.send(
                "to-kcat",
                Some(format!("user-{i}").as_bytes()),
                format!("event-{i}").as_bytes(),
                &[("source", b"client")],
            )
        })
        .collect();
    for delivery in sent {
        delivery.await.expect("stored");
    }
    producer.close().await;
    let address = broker.address();
    let output = tokio::task::spawn_blocking(move || {
        kcat_ok(
            &kcat,
            address,
            &[
                "-C",
                "-t",
                "to-kcat",
                "-o",
                "beginning",
                "-e",
                "-q",
                "-f",
                "%p\t%o\t%k\t%s\t%h\n",
            ],
            b"",
        )
    })
    .await
    .expect("kcat ran");
    let lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), 100, "{lines:?}");
    let mut last_offset: BTreeMap<i32, i64> = BTreeMap::new();
    for line in &lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let (partition, offset, key, value, headers) = (
            fields[0].parse::<i32>().expect("partition"),
            fields[1].parse::<i64>().expect("offset"),
            fields[2],
            fields[3],
            fields[4],
        );
        assert_eq!(partition, partition_for_key(key.as_bytes(), 4), "{line}");
        assert_eq!(value, key.replace("user", "event"), "{line}");
        assert_eq!(headers, "source=client", "{line}");
        let previous = last_offset.insert(partition, offset);
        assert!(previous.is_none_or(|p| p < offset), "{line} out of order");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_reads_what_kcat_produced_on_murmur2_partitions() {
    let Some(kcat) = kcat() else { return };
    let broker = TestBroker::start();
    broker.create_topic("from-kcat", 5).await;
    let input: String = (0..200)
        .map(|i| format!("account-{i}:deposit-{i}\n"))
        .collect();
    let address = broker.address();
    tokio::task::spawn_blocking(move || {
        kcat_ok(
            &kcat,
            address,
            &[
                "-P",
                "-t",
                "from-kcat",
                "-K:",
                "-X",
                "topic.partitioner=murmur2_random",
            ],
            input.as_bytes(),
        )
    })
    .await
    .expect("kcat ran");
    let mut consumer = Consumer::assign(
        broker.consumer_config(),
        (0..5).map(|p| (TopicPartition::new("from-kcat", p), StartPosition::Earliest)),
    )
    .await
    .expect("starts");
    let mut records = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while records.len() < 200 {
        assert!(Instant::now() < deadline, "only {} of 200", records.len());
        records.extend(consumer.poll().await.expect("poll"));
    }
    let mut seen = Vec::new();
    for record in &records {
        let key = record.key.as_deref().expect("keyed");
        assert_eq!(
            record.partition,
            partition_for_key(key, 5),
            "librdkafka put {} elsewhere",
            String::from_utf8_lossy(key)
        );
        let i: usize = String::from_utf8_lossy(key)
            .trim_start_matches("account-")
            .parse()
            .expect("a number");
        assert_eq!(
            record.value.as_deref(),
            Some(format!("deposit-{i}").as_bytes())
        );
        seen.push(i);
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..200).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_shared_with_a_kcat_member_splits_the_partitions() {
    use std::collections::BTreeSet;
    let Some(kcat) = kcat() else { return };
    let broker = TestBroker::start();
    broker.create_topic("shared", 4).await;
    let config = broker
        .consumer_config()
        .with_group("mixed")
        .with_offset_reset(slytherin_client::OffsetReset::Earliest);
    let mut ours = Consumer::subscribe(config, ["shared"])
        .await
        .expect("joins");
    assert_eq!(ours.assignment().len(), 4);
    let files = tempfile::tempdir().expect("a folder");
    let theirs = kcat.group_consumer(
        broker.address(),
        "mixed",
        "shared",
        &files.path().join("member"),
    );
    let mut records = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(40);
    while ours.assignment().len() != 2 {
        assert!(
            Instant::now() < deadline,
            "no split with kcat: {ours:?}\n{}",
            theirs.log()
        );
        records.extend(ours.poll().await.expect("poll"));
    }
    broker.produce_numbered("shared", "k", 0..100).await;
    while records.len() + theirs.consumed().len() < 100 {
        assert!(
            Instant::now() < deadline,
            "{} + {} of 100\n{}",
            records.len(),
            theirs.consumed().len(),
            theirs.log()
        );
        records.extend(ours.poll().await.expect("poll"));
    }
    let mine: BTreeSet<i32> = ours.assignment().iter().map(|p| p.partition).collect();
    let kcat_read = theirs.consumed();
    let kcat_partitions: BTreeSet<i32> = kcat_read.iter().map(|r| r.0).collect();
    assert!(
        mine.is_disjoint(&kcat_partitions),
        "{mine:?} / {kcat_partitions:?}"
    );
    let mut values: Vec<usize> = records
        .iter()
        .map(|r| {
            String::from_utf8_lossy(r.value.as_deref().unwrap_or_default())
                .parse()
                .expect("a number")
        })
        .chain(kcat_read.iter().map(|r| r.3.parse().expect("a number")))
        .collect();
    values.sort_unstable();
    assert_eq!(values, (0..100).collect::<Vec<_>>(), "every record once");
    ours.close().await.expect("leaves");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_batches_cross_both_ways() {
    use slytherin_client::Compression;
    let Some(kcat) = kcat() else { return };
    let broker = TestBroker::start();
    let address = broker.address();
    for (codec, name) in [
        (Compression::Gzip, "gzip"),
        (Compression::Snappy, "snappy"),
        (Compression::Lz4, "lz4"),
        (Compression::Zstd, "zstd"),
    ] {
        // kcat compresses, the client reads.
        let from_kcat = format!("from-kcat-{name}");
        broker.create_topic(&from_kcat, 1).await;
        let input: String = (0..50)
            .map(|i| format!("{i}:{}\n", "payload ".repeat(8)))
            .collect();
        let topic = from_kcat.clone();
        let codec_name = name.to_owned();
        let kcat_runner = Kcat;
        tokio::task::spawn_blocking(move || {
            kcat_ok(
                &kcat_runner,
                address,
                &["-P", "-t", &topic, "-K:", "-z", &codec_name],
                input.as_bytes(),
            )
        })
        .await
        .expect("kcat ran");
        let mut consumer = Consumer::assign(
            broker.consumer_config(),
            [(
                TopicPartition::new(from_kcat.as_str(), 0),
                StartPosition::Earliest,
            )],
        )
        .await
        .expect("starts");
        let mut records = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while records.len() < 50 {
            assert!(Instant::now() < deadline, "{name}: {} of 50", records.len());
            records.extend(consumer.poll().await.expect("decompressed"));
        }
        let keys: Vec<String> = records
            .iter()
            .map(|r| String::from_utf8_lossy(r.key.as_deref().unwrap_or_default()).into_owned())
            .collect();
        assert_eq!(
            keys,
            (0..50).map(|i| i.to_string()).collect::<Vec<_>>(),
            "{name}"
        );

        // The client compresses, kcat reads.
        let to_kcat = format!("to-kcat-{name}");
        broker.create_topic(&to_kcat, 1).await;
        let producer = Producer::connect(broker.producer_config().with_compression(codec))
            .await
            .expect("connects");
        let sent: Vec<_> = (0..50)
            .map(|i| {
                producer.send(
                    &to_kcat,
                    None,
                    format!("{i} {}", "payload ".repeat(8)).as_bytes(),
                    &[],
                )
            })
            .collect();
        for delivery in sent {
            delivery.await.expect("stored");
        }
        producer.close().await;
        let output = kcat_ok(
            &kcat,
            address,
            &[
                "-C",
                "-t",
                &to_kcat,
                "-o",
                "beginning",
                "-e",
                "-q",
                "-f",
                "%s\n",
            ],
            b"",
        );
        let firsts: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|l| l.split(' ').next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            firsts,
            (0..50).map(|i| i.to_string()).collect::<Vec<_>>(),
            "{name}"
        );
    }
}
