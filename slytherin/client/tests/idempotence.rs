//! A batch whose answer is lost (the connection drops after the broker
//! stored it) is sent again; with idempotence the broker recognises it by
//! its sequence numbers and stores it once. Without, it is stored twice,
//! which shows the fault is real.

mod support;

use std::time::Duration;

use slytherin_client::{Consumer, Producer, ProducerConfig, StartPosition, TopicPartition};
use support::proxy::Proxy;
use support::TestBroker;

async fn send_through_faults(broker: &TestBroker, topic: &str, idempotent: bool) -> Vec<String> {
    broker.create_topic(topic, 1).await;
    let proxy = Proxy::start(broker.address()).await;
    let mut client = support::client_config(proxy.address());
    client.retry_backoff = Duration::from_millis(20);
    let config = ProducerConfig::new(client)
        .with_idempotence(idempotent)
        .with_batching(Duration::from_millis(1), 16_384);
    let producer = Producer::connect(config).await.expect("connects");
    proxy.break_next_produce_answers(3);
    let mut offsets = Vec::new();
    for i in 0..10 {
        // One at a time: each is its own batch, the first three lose their
        // answers.
        let delivery = producer
            .send(topic, None, format!("{i}").as_bytes(), &[])
            .await
            .expect("stored despite the lost answers");
        offsets.push(delivery.offset);
    }
    assert_eq!(proxy.broken(), 3, "the faults happened");
    producer.close().await;
    if idempotent {
        let expected: Vec<Option<i64>> = (0..10).map(Some).collect();
        assert_eq!(
            offsets, expected,
            "each retried batch answered with its first offset"
        );
    }
    let mut consumer = Consumer::assign(
        broker.consumer_config(),
        [(TopicPartition::new(topic, 0), StartPosition::Earliest)],
    )
    .await
    .expect("starts");
    let mut values = Vec::new();
    for _ in 0..10 {
        for record in consumer.poll().await.expect("poll") {
            values.push(
                String::from_utf8_lossy(record.value.as_deref().unwrap_or_default()).into_owned(),
            );
        }
    }
    values
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_batch_is_stored_once() {
    let broker = TestBroker::start();
    let values = send_through_faults(&broker, "exactly-once", true).await;
    let expected: Vec<String> = (0..10).map(|i| i.to_string()).collect();
    assert_eq!(values, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_idempotence_the_same_faults_duplicate() {
    let broker = TestBroker::start();
    let values = send_through_faults(&broker, "at-least-once", false).await;
    assert_eq!(values.len(), 13, "three batches stored twice: {values:?}");
    let mut distinct = values.clone();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        10,
        "duplicates are adjacent retries: {values:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_that_fails_for_good_makes_the_producer_start_a_new_sequence() {
    use kafka_protocol::error::ResponseError;
    use kafka_protocol::messages::ApiKey;
    let broker = TestBroker::start();
    broker.create_topic("renewed", 1).await;
    let proxy = Proxy::start(broker.address()).await;
    let producer = Producer::connect(ProducerConfig::new(support::client_config(proxy.address())))
        .await
        .expect("connects");
    assert_eq!(proxy.seen(ApiKey::InitProducerId), 1);
    proxy.fail_next(ApiKey::Produce, 1, ResponseError::OutOfOrderSequenceNumber);
    let failed = producer.send("renewed", None, b"refused", &[]).await;
    let error = failed.expect_err("not retriable");
    assert_eq!(error.code(), Some(ResponseError::OutOfOrderSequenceNumber));
    assert!(error.to_string().contains("renewed/0"), "{error}");
    // Its sequence numbers are spent: the next record goes under a new
    // producer ID, from sequence 0, and is accepted.
    let next = producer
        .send("renewed", None, b"accepted", &[])
        .await
        .expect("stored");
    assert_eq!(proxy.seen(ApiKey::InitProducerId), 2);
    assert_eq!(
        next.offset,
        Some(1),
        "the refused batch had reached the log"
    );
    producer.close().await;
}
