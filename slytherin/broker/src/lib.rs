//! Slytherin, the Kafka-compatible streaming broker of the Parseltongue
//! stack.
//!
//! ```text
//! main.rs (slytherin serve | verify | topics)
//!   admin      the blocking client `slytherin topics` uses
//!   server     runs connections on the partition runtime's `messaging` cores
//!   protocol   frames, request decoding, response encoding (kafka-protocol)
//!   handlers   one per Kafka API, turning requests into responses
//!   groups     the consumer-group coordinator's state machine
//!   producers  idempotent producers: IDs and sequence checks
//!   metrics    Prometheus text: request latencies, bytes, sizes, lag
//!   storage    per-partition segment logs of Kafka record batches
//!   pipelines  programs' compiled pipelines, hosted on their input's cores
//! ```

pub mod admin;
pub mod config;
pub mod data_lock;
pub mod groups;
mod handlers;
pub mod metrics;
pub mod pipelines;
pub mod producers;
pub mod protocol;
pub mod server;
pub mod storage;
