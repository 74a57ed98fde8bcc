//! An async Kafka client for Slytherin and any Kafka or Redpanda cluster:
//! a [`Producer`] (batching, Kafka's key partitioning, acks, idempotence),
//! a [`Consumer`] (explicit partitions or a consumer group, committed
//! offsets), and an [`Admin`] for topics. Requests and answers are coded
//! by the `kafka-protocol` crate; this crate adds the connections, the
//! routing to partition leaders, version negotiation and retries.
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
mod versions;
pub mod wire;

pub use admin::{Admin, NewTopic, TopicListing};
pub use config::{ClientConfig, ConfigError};
pub use consumer::{
    Assignor, Consumer, ConsumerConfig, ConsumerRecord, OffsetReset, StartPosition,
};
pub use error::{BrokerName, Error, Result, TopicPartition};
pub use producer::{Acks, Delivery, DeliveryFuture, Producer, ProducerConfig};
pub use records::Header;
