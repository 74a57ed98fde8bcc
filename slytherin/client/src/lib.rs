//! An async Kafka client for Slytherin and any Kafka or Redpanda cluster:
//! a [`Producer`] (batching, Kafka's key partitioning, acks, idempotence),
//! a [`Consumer`] (explicit partitions or a consumer group, committed
//! offsets), and an [`Admin`] for topics. Requests and answers are coded
//! by the `kafka-protocol` crate; this crate adds the connections, the
//! routing to partition leaders, version negotiation and retries.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use slytherin_client::{ClientConfig, Consumer, ConsumerConfig, OffsetReset, Producer, ProducerConfig};
//!
//! # async fn example() -> Result<(), slytherin_client::Error> {
//! let cluster = ClientConfig::new(["127.0.0.1:9092"]);
//! let producer = Producer::connect(ProducerConfig::new(cluster.clone())).await?;
//! let stored = producer.send("orders", Some(b"customer-7"), b"2 apples", &[]).await?;
//! println!("partition {} offset {:?}", stored.partition, stored.offset);
//!
//! let config = ConsumerConfig::new(cluster)
//!     .with_group("billing")
//!     .with_offset_reset(OffsetReset::Earliest);
//! let mut consumer = Consumer::subscribe(config, ["orders"]).await?;
//! if let Some(record) = consumer.stream().next().await {
//!     let record = record?;
//!     println!("{}/{}@{}: {:?}", record.topic, record.partition, record.offset, record.value);
//! }
//! consumer.close().await?; // commits what was read, leaves the group
//! # Ok(())
//! # }
//! ```
//!
//! ```text
//! config        ClientConfig, ProducerConfig, ConsumerConfig (code or Kafka properties)
//! cluster       bootstrap, metadata, a connection per broker and lane, retries
//!   connection  one socket: correlation IDs, ApiVersions handshake
//!   metadata    brokers and partition leaders
//!   versions    the highest version both sides speak
//! producer/     accumulator (batches per partition), sender (the background task)
//! consumer/     positions, fetching, group membership (group.rs), assignors
//! admin         create, delete, list topics
//! wire, records the frame and record-batch coding the broker shares
//! ```

mod admin;
mod backoff;
mod cluster;
mod config;
mod connection;
mod consumer;
mod error;
mod metadata;
pub mod partitioner;
mod producer;
pub mod records;
mod topics;
mod versions;
pub mod wire;

pub use admin::{Admin, NewTopic, TopicListing};
pub use config::{ClientConfig, ConfigError};
pub use consumer::{
    Assignor, Consumer, ConsumerConfig, ConsumerRecord, OffsetReset, StartPosition,
};
pub use error::{BrokerName, Error, Result, TopicPartition};
pub use producer::{Acks, Compression, Delivery, DeliveryFuture, Producer, ProducerConfig};
pub use records::Header;
