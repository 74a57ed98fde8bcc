//! Bad configuration and unreachable or silent brokers give clear errors
//! within a bounded time, never a hang.

mod support;

use std::time::{Duration, Instant};

use slytherin_client::{
    Admin, ClientConfig, ConfigError, Consumer, ConsumerConfig, Error, Producer, ProducerConfig,
};

#[test]
fn bad_settings_are_named() {
    let unknown =
        ProducerConfig::from_properties([("bootstrap.servers", "a:1"), ("lingerms", "5")]);
    let Err(ConfigError::UnknownKey { key, role, known }) = unknown else {
        panic!("{unknown:?}");
    };
    assert_eq!((key.as_str(), role), ("lingerms", "producer"));
    assert!(known.contains(&"linger.ms"));

    let acks = ProducerConfig::from_properties([("bootstrap.servers", "a:1"), ("acks", "2")]);
    assert!(
        matches!(&acks, Err(ConfigError::InvalidValue { key: "acks", .. })),
        "{acks:?}"
    );
    let message = acks.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("acks") && message.contains("\"2\""),
        "{message}"
    );

    assert_eq!(
        ConsumerConfig::from_properties([("group.id", "g")]).err(),
        Some(ConfigError::NoBootstrapServers)
    );
    assert_eq!(
        ClientConfig::from_properties([("bootstrap.servers", "localhost")]).err(),
        Some(ConfigError::BadAddress {
            address: "localhost".to_owned()
        })
    );
    let conflict = ProducerConfig::from_properties([
        ("bootstrap.servers", "a:1"),
        ("acks", "1"),
        ("enable.idempotence", "true"),
    ]);
    assert!(
        matches!(conflict, Err(ConfigError::Conflict(_))),
        "{conflict:?}"
    );
    let unsupported = ConsumerConfig::from_properties([
        ("bootstrap.servers", "a:1"),
        ("security.protocol", "SSL"),
    ]);
    assert!(
        matches!(unsupported, Err(ConfigError::UnknownKey { .. })),
        "{unsupported:?}"
    );
    let strategy = ConsumerConfig::from_properties([
        ("bootstrap.servers", "a:1"),
        ("partition.assignment.strategy", "sticky"),
    ]);
    assert!(
        matches!(strategy, Err(ConfigError::InvalidValue { .. })),
        "{strategy:?}"
    );
}

#[test]
fn kafka_settings_configure_every_part() {
    let producer = ProducerConfig::from_properties([
        ("bootstrap.servers", "b1:9092, b2:9093"),
        ("client.id", "orders-service"),
        ("acks", "1"),
        ("linger.ms", "20"),
        ("batch.size", "65536"),
        ("request.timeout.ms", "1500"),
    ])
    .expect("valid");
    assert_eq!(producer.client.bootstrap_servers, ["b1:9092", "b2:9093"]);
    assert_eq!(producer.client.client_id, "orders-service");
    assert_eq!(producer.acks, slytherin_client::Acks::Leader);
    assert!(
        !producer.idempotence,
        "acks=1 turns idempotence off, as in Kafka"
    );
    assert_eq!(producer.linger, Duration::from_millis(20));
    assert_eq!(producer.batch_size, 65_536);
    assert_eq!(producer.client.request_timeout, Duration::from_millis(1500));
    let consumer = ConsumerConfig::from_properties([
        ("bootstrap.servers", "b1:9092"),
        ("group.id", "billing"),
        ("auto.offset.reset", "earliest"),
        (
            "partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.RoundRobinAssignor,range",
        ),
        ("enable.auto.commit", "false"),
    ])
    .expect("valid");
    assert_eq!(consumer.group_id.as_deref(), Some("billing"));
    assert_eq!(
        consumer.auto_offset_reset,
        slytherin_client::OffsetReset::Earliest
    );
    assert_eq!(
        consumer.assignors,
        [
            slytherin_client::Assignor::RoundRobin,
            slytherin_client::Assignor::Range
        ]
    );
    assert!(!consumer.auto_commit);
}

fn quick(address: String) -> ClientConfig {
    ClientConfig::new([address]).with_timeouts(
        Duration::from_millis(500),
        Duration::from_millis(500),
        Duration::from_secs(2),
    )
}

#[tokio::test]
async fn an_unreachable_broker_fails_within_the_operation_timeout() {
    // A port nobody listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let started = Instant::now();
    let failed = Producer::connect(ProducerConfig::new(quick(format!("127.0.0.1:{port}")))).await;
    let elapsed = started.elapsed();
    let Err(Error::Bootstrap { failures, .. }) = &failed else {
        panic!("{failed:?}");
    };
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    assert!(
        failures[0].to_lowercase().contains("refused"),
        "{failures:?}"
    );
    let message = failed.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
}

#[tokio::test]
async fn a_broker_that_never_answers_times_out() {
    // Accepts connections and reads, but never writes a byte.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bound");
    let address = listener.local_addr().expect("bound");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let started = Instant::now();
    let failed = Admin::connect(quick(address.to_string())).await;
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    let message = failed.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("no answer to ApiVersions"), "{message}");
    assert!(message.contains(&address.to_string()), "{message}");

    let consumer =
        Consumer::subscribe(ConsumerConfig::new(quick(address.to_string())), ["t"]).await;
    assert!(
        matches!(consumer, Err(Error::NoGroup("subscribe"))),
        "{consumer:?}"
    );
}

#[tokio::test]
async fn an_empty_server_list_is_refused_before_connecting() {
    let started = Instant::now();
    let failed = Admin::connect(ClientConfig::new(Vec::<String>::new())).await;
    assert!(
        matches!(failed, Err(Error::Config(ConfigError::NoBootstrapServers))),
        "{failed:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_errors_name_the_topic_partition_and_broker() {
    let broker = support::TestBroker::start();
    broker.create_topic("small", 1).await;
    let consumer = Consumer::assign(
        broker.consumer_config(),
        [(
            slytherin_client::TopicPartition::new("small", 5),
            slytherin_client::StartPosition::Earliest,
        )],
    )
    .await;
    let message = consumer.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("\"small\"") && message.contains("no partition 5"),
        "{message}"
    );
    let mut explicit = Consumer::assign(
        broker.consumer_config(),
        [(
            slytherin_client::TopicPartition::new("small", 0),
            slytherin_client::StartPosition::Earliest,
        )],
    )
    .await
    .expect("starts");
    let no_group = explicit.commit().await;
    assert!(
        matches!(no_group, Err(Error::NoGroup("commit"))),
        "{no_group:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_that_goes_away_fails_sends_and_polls_in_bounded_time() {
    let broker = support::TestBroker::start();
    broker.create_topic("doomed", 1).await;
    let mut client = broker.client_config();
    client.operation_timeout = Duration::from_secs(2);
    client.request_timeout = Duration::from_secs(1);
    let mut config = ProducerConfig::new(client.clone());
    config.delivery_timeout = Duration::from_secs(2);
    let producer = Producer::connect(config).await.expect("connects");
    producer
        .send("doomed", None, b"kept", &[])
        .await
        .expect("stored");
    let mut consumer = Consumer::assign(
        support::consumer_config(client),
        [(
            slytherin_client::TopicPartition::new("doomed", 0),
            slytherin_client::StartPosition::Earliest,
        )],
    )
    .await
    .expect("starts");
    assert_eq!(consumer.poll().await.expect("poll").len(), 1);
    let address = broker.address().to_string();
    broker.stop();

    let started = Instant::now();
    let lost = producer.send("doomed", None, b"lost", &[]).await;
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(6), "took {elapsed:?}");
    let error = lost.expect_err("nobody to store it");
    assert!(error.to_string().contains(&address), "{error}");
    producer.flush().await;

    let started = Instant::now();
    let polled = loop {
        match consumer.poll().await {
            Ok(records) => assert!(records.is_empty()),
            Err(e) => break e,
        }
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "poll never gave up"
        );
    };
    assert!(matches!(polled, Error::RetriesExhausted { .. }), "{polled}");
    assert!(polled.to_string().contains(&address), "{polled}");
}
