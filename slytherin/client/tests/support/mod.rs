//! What the client tests share: a Slytherin broker in this process on
//! 127.0.0.1 with a free port, kcat, configurations with short timeouts,
//! and a proxy that can break a connection at a chosen moment.

#![allow(dead_code, missing_docs)]

pub mod proxy;

use std::net::SocketAddr;
use std::process::Output;
use std::time::Duration;

use slytherin_broker::config::BrokerConfig;
use slytherin_broker::server::Server;
use slytherin_client::{Admin, ClientConfig, ConsumerConfig, NewTopic, ProducerConfig};

/// A broker serving on a free port of 127.0.0.1 from a fresh folder;
/// stopped (storage closed cleanly) on drop.
pub struct TestBroker {
    server: Option<Server>,
    _data: tempfile::TempDir,
}

impl TestBroker {
    pub fn start() -> TestBroker {
        let data = tempfile::tempdir().expect("a data folder");
        let server =
            Server::start(&BrokerConfig::embedded(data.path())).expect("the broker starts");
        TestBroker {
            server: Some(server),
            _data: data,
        }
    }

    /// Stops the broker (as a shutdown would), leaving clients to find it
    /// gone.
    pub fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().expect("a clean stop");
        }
    }

    pub fn address(&self) -> SocketAddr {
        self.server.as_ref().expect("running").address()
    }

    /// Produces records `numbers` to `topic` (key `{key_prefix}{i}`,
    /// value `i`) and waits until each is stored.
    pub async fn produce_numbered(
        &self,
        topic: &str,
        key_prefix: &str,
        numbers: std::ops::Range<usize>,
    ) {
        let producer = slytherin_client::Producer::connect(self.producer_config())
            .await
            .expect("connects");
        let sent: Vec<_> = numbers
            .map(|i| {
                producer.send(
                    topic,
                    Some(format!("{key_prefix}{i}").as_bytes()),
                    format!("{i}").as_bytes(),
                    &[],
                )
            })
            .collect();
        for delivery in sent {
            delivery.await.expect("stored");
        }
        producer.close().await;
    }

    /// Client settings for this broker with short timeouts, so a test
    /// that goes wrong fails in seconds.
    pub fn client_config(&self) -> ClientConfig {
        client_config(self.address())
    }

    pub fn producer_config(&self) -> ProducerConfig {
        ProducerConfig::new(self.client_config())
    }

    pub fn consumer_config(&self) -> ConsumerConfig {
        consumer_config(self.client_config())
    }

    /// Creates `topic` with `partitions` partitions.
    pub async fn create_topic(&self, topic: &str, partitions: i32) {
        let admin = Admin::connect(self.client_config())
            .await
            .expect("admin connects");
        admin
            .create_topic(NewTopic::new(topic, partitions))
            .await
            .expect("the topic is created");
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.shutdown();
        }
    }
}

pub fn client_config(address: SocketAddr) -> ClientConfig {
    ClientConfig::new([address.to_string()])
        .with_client_id("client-tests")
        .with_timeouts(
            Duration::from_secs(5),
            Duration::from_secs(10),
            Duration::from_secs(20),
        )
}

/// A consumer configuration that reacts quickly to group changes.
pub fn consumer_config(client: ClientConfig) -> ConsumerConfig {
    let mut config = ConsumerConfig::new(client);
    config.fetch_max_wait = Duration::from_millis(100);
    config.session_timeout = Duration::from_secs(10);
    config.heartbeat_interval = Duration::from_millis(200);
    config.rebalance_timeout = Duration::from_secs(10);
    config
}

/// kcat, shared with the broker's tests: installed on demand, run with
/// a time limit, kept running as a group member.
#[path = "../../../broker/tests/support/kcat_tool.rs"]
pub mod kcat_tool;
#[allow(unused_imports)] // not every test binary runs kcat
pub use kcat_tool::{kcat, GroupConsumer, Kcat};

/// Runs `kcat -b BROKER ARGS` fed `input`, failing the test if kcat fails.
pub fn kcat_ok(kcat: &Kcat, broker: SocketAddr, args: &[&str], input: &[u8]) -> Output {
    let output = kcat.run(broker, args, input);
    assert!(
        output.status.success(),
        "kcat {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
