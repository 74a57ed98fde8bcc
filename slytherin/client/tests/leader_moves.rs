//! Retriable partition errors (a leader that moved) make the client
//! refresh metadata and try again: nothing is lost, nothing is stored
//! twice, no error reaches the caller.

mod support;

use std::time::{Duration, Instant};

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::ApiKey;
use slytherin_client::{Consumer, Producer, ProducerConfig, StartPosition, TopicPartition};
use support::proxy::Proxy;
use support::TestBroker;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn produce_and_fetch_retry_through_not_leader_answers() {
    let broker = TestBroker::start();
    broker.create_topic("moving", 1).await;
    let proxy = Proxy::start(broker.address()).await;
    let mut client = support::client_config(proxy.address());
    client.retry_backoff = Duration::from_millis(20);
    let producer = Producer::connect(ProducerConfig::new(client.clone()))
        .await
        .expect("connects");
    let metadata_before = proxy.seen(ApiKey::Metadata);
    // The broker stores the batch, but the client hears "not the leader"
    // twice: it refreshes metadata, resends the same batch, and the broker
    // recognises it.
    proxy.fail_next(ApiKey::Produce, 2, ResponseError::NotLeaderOrFollower);
    let delivery = producer
        .send("moving", None, b"first", &[])
        .await
        .expect("stored");
    assert_eq!(delivery.offset, Some(0));
    assert!(
        proxy.seen(ApiKey::Metadata) >= metadata_before + 2,
        "metadata refreshed before each retry"
    );
    assert_eq!(proxy.seen(ApiKey::Produce), 3);
    producer
        .send("moving", None, b"second", &[])
        .await
        .expect("stored");
    producer.close().await;

    let mut consumer = Consumer::assign(
        support::consumer_config(client),
        [(TopicPartition::new("moving", 0), StartPosition::Earliest)],
    )
    .await
    .expect("starts");
    proxy.fail_next(ApiKey::Fetch, 3, ResponseError::NotLeaderOrFollower);
    let mut values = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while values.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "records did not arrive: {values:?}"
        );
        for record in consumer
            .poll()
            .await
            .expect("retriable errors stay inside poll")
        {
            values.push(record.value.unwrap_or_default());
        }
    }
    assert_eq!(values, [&b"first"[..], &b"second"[..]]);
    assert!(proxy.seen(ApiKey::Fetch) >= 4);
}
