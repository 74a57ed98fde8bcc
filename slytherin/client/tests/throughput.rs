//! Rough rates, not a pass/fail test: `cargo test --release -p
//! slytherin-client --test throughput -- --ignored --nocapture`.

mod support;

use std::time::{Duration, Instant};

use slytherin_client::{Consumer, Producer, StartPosition, TopicPartition};
use support::TestBroker;

const RECORDS: usize = 200_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run it in release"]
async fn produce_and_consume_rates() {
    let broker = TestBroker::start();
    broker.create_topic("rates", 4).await;
    let value = vec![b'x'; 100];
    let config = broker
        .producer_config()
        .with_batching(Duration::from_millis(5), 64 * 1024);
    let producer = Producer::connect(config).await.expect("connects");
    let started = Instant::now();
    let mut pending = Vec::with_capacity(10_000);
    for i in 0..RECORDS {
        pending.push(producer.send(
            "rates",
            Some(format!("key-{}", i % 1000).as_bytes()),
            &value,
            &[],
        ));
        if pending.len() == 10_000 {
            for delivery in pending.drain(..) {
                delivery.await.expect("stored");
            }
        }
    }
    for delivery in pending {
        delivery.await.expect("stored");
    }
    let produced = started.elapsed();
    producer.close().await;
    let mut consumer = Consumer::assign(
        broker.consumer_config(),
        (0..4).map(|p| (TopicPartition::new("rates", p), StartPosition::Earliest)),
    )
    .await
    .expect("starts");
    let started = Instant::now();
    let mut read = 0;
    while read < RECORDS {
        read += consumer.poll().await.expect("poll").len();
    }
    let consumed = started.elapsed();
    let rate = |d: Duration| RECORDS as f64 / d.as_secs_f64();
    println!(
        "produce {RECORDS} keyed 100-byte records (acks=all, idempotent, 4 partitions): {produced:.2?}, {:.0} records/s",
        rate(produced)
    );
    println!(
        "consume them: {consumed:.2?}, {:.0} records/s",
        rate(consumed)
    );
}
