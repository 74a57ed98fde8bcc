//! Slytherin through its own client library (`slytherin-client`): records
//! buffered by the producer and sent as one Kafka batch per partition
//! request; a consumer of the topic's one partition from the start,
//! long-polling fetches.
//!
//! With fsync off the producer asks for acks=1 (answered once the batch is
//! in the log, as Redis answers once its AOF write is done); with fsync on,
//! acks=all (answered once the batch is synced), which on a single broker
//! is what Kafka's strongest setting means.

use std::time::Duration;

use anyhow::{Context, Result};
use slytherin_client::{
    Acks, ClientConfig, Consumer, ConsumerConfig, Producer, ProducerConfig, StartPosition,
    TopicPartition,
};

use super::{Publisher, Subscriber, STREAM};
use crate::Durability;

/// The most bytes one produce batch holds: large enough that a publish
/// call's messages go out together.
const BATCH_BYTES: usize = 1 << 20;

/// How long a fetch waits for new records before answering empty.
const FETCH_MAX_WAIT: Duration = Duration::from_millis(100);

fn client(address: std::net::SocketAddr) -> ClientConfig {
    ClientConfig::new([address.to_string()]).with_client_id("slytherin-peer-bench")
}

/// Produces to the topic.
pub struct SlytherinPublisher {
    producer: Producer,
}

impl SlytherinPublisher {
    /// Connects to the broker.
    pub async fn connect(address: std::net::SocketAddr, durability: Durability) -> Result<Self> {
        let acks = match durability {
            Durability::Off => Acks::Leader,
            Durability::On => Acks::All,
        };
        // No linger: a publish call hands the producer its whole batch at
        // once, so waiting would only add latency.
        let config = ProducerConfig::new(client(address))
            .with_acks(acks)
            .with_batching(Duration::ZERO, BATCH_BYTES);
        let producer = Producer::connect(config)
            .await
            .with_context(|| format!("cannot connect to slytherin at {address}"))?;
        Ok(SlytherinPublisher { producer })
    }
}

impl Publisher for SlytherinPublisher {
    async fn publish(&self, batch: Vec<Vec<u8>>) -> Result<()> {
        let deliveries: Vec<_> = batch
            .iter()
            .map(|payload| self.producer.send(STREAM, None, payload, &[]))
            .collect();
        // In order: by the time the first is answered the rest mostly are,
        // and awaiting one after another costs nothing more.
        for delivery in deliveries {
            delivery
                .await
                .context("slytherin did not store a message")?;
        }
        Ok(())
    }
}

/// Reads partition 0 of the topic from its first record.
pub struct SlytherinSubscriber {
    consumer: Consumer,
}

impl SlytherinSubscriber {
    /// Connects and starts at the earliest offset.
    pub async fn connect(address: std::net::SocketAddr) -> Result<Self> {
        let mut config = ConsumerConfig::new(client(address));
        config.fetch_max_wait = FETCH_MAX_WAIT;
        let consumer = Consumer::assign(
            config,
            [(TopicPartition::new(STREAM, 0), StartPosition::Earliest)],
        )
        .await
        .with_context(|| format!("cannot start a consumer on slytherin at {address}"))?;
        Ok(SlytherinSubscriber { consumer })
    }
}

impl Subscriber for SlytherinSubscriber {
    async fn next_messages(&mut self) -> Result<Vec<Vec<u8>>> {
        let records = self.consumer.poll().await.context("fetch failed")?;
        Ok(records
            .into_iter()
            .filter_map(|record| record.value.map(|value| value.to_vec()))
            .collect())
    }
}
