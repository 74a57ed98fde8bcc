//! Slytherin, the Kafka-compatible streaming broker of the Parseltongue
//! stack.
//!
//! This crate holds the broker's storage engine ([`storage`]); the Kafka
//! wire protocol, consumer groups and the `slytherin` binary build on it.

pub mod storage;
