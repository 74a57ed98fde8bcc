//! Every way a client call can fail, each naming what it was about: the
//! broker, the topic and partition, the group.

use std::fmt;
use std::time::Duration;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::ApiKey;

use crate::config::ConfigError;
use crate::records::BatchError;
pub use crate::topics::TopicPartition;
use crate::wire::WireError;

/// A broker as errors name it: its node ID once metadata has named it, and
/// the address the client used.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BrokerName {
    /// The node ID (`None` for a bootstrap server not yet identified).
    pub node: Option<i32>,
    /// `host:port`.
    pub address: String,
}

impl fmt::Display for BrokerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.node {
            Some(node) => write!(f, "broker {node} at {}", self.address),
            None => write!(f, "bootstrap server {}", self.address),
        }
    }
}

/// Why a client call failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is not usable.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// No bootstrap server answered a Metadata request in time.
    #[error("no bootstrap server answered within {waited:?}: {}", failures.join("; "))]
    Bootstrap {
        /// How long the client tried.
        waited: Duration,
        /// Each server's last failure.
        failures: Vec<String>,
    },
    /// A connection failed or broke.
    #[error("{broker}: {source}")]
    Io {
        /// The broker.
        broker: BrokerName,
        /// The socket error.
        source: std::sync::Arc<std::io::Error>,
    },
    /// No answer arrived in time.
    #[error("{broker}: no answer to {api:?} within {timeout:?}")]
    Timeout {
        /// The broker.
        broker: BrokerName,
        /// The request's API.
        api: ApiKey,
        /// How long the client waited.
        timeout: Duration,
    },
    /// The broker closed the connection before answering.
    #[error("{broker}: the connection closed before the answer to {api:?}")]
    Disconnected {
        /// The broker.
        broker: BrokerName,
        /// The request's API.
        api: ApiKey,
    },
    /// The broker and this client share no version of an API.
    #[error("{broker} supports {api:?} v{broker_min}-v{broker_max} (or not at all), this client v{client_min}-v{client_max}")]
    UnsupportedVersion {
        /// The broker.
        broker: BrokerName,
        /// The API.
        api: ApiKey,
        /// The broker's range (-1 when it does not support the API).
        broker_min: i16,
        /// The broker's range.
        broker_max: i16,
        /// This client's range.
        client_min: i16,
        /// This client's range.
        client_max: i16,
    },
    /// A request or answer could not be coded.
    #[error("{broker}: {source}")]
    Wire {
        /// The broker.
        broker: BrokerName,
        /// What went wrong.
        source: WireError,
    },
    /// A partition-level error from the broker.
    #[error("{partition} on {broker}: {code}{}", detail(message))]
    Partition {
        /// The partition.
        partition: TopicPartition,
        /// The broker.
        broker: BrokerName,
        /// Kafka's error code.
        code: ResponseError,
        /// The broker's message, if any.
        message: Option<String>,
    },
    /// A topic-level error from the broker.
    #[error("topic {topic:?} on {broker}: {code}{}", detail(message))]
    Topic {
        /// The topic.
        topic: String,
        /// The broker.
        broker: BrokerName,
        /// Kafka's error code.
        code: ResponseError,
        /// The broker's message, if any.
        message: Option<String>,
    },
    /// A consumer-group error from the coordinator.
    #[error("group {group:?} on {broker}: {api:?}: {code}")]
    Group {
        /// The group.
        group: String,
        /// The coordinator.
        broker: BrokerName,
        /// The request that failed.
        api: ApiKey,
        /// Kafka's error code.
        code: ResponseError,
    },
    /// Another broker-level error (InitProducerId, FindCoordinator…).
    #[error("{broker}: {api:?}: {code}")]
    Broker {
        /// The broker.
        broker: BrokerName,
        /// The request that failed.
        api: ApiKey,
        /// Kafka's error code.
        code: ResponseError,
    },
    /// The topic has no such partition.
    #[error("topic {topic:?} has {count} partitions, no partition {partition}")]
    NoSuchPartition {
        /// The topic.
        topic: String,
        /// The partition asked for.
        partition: i32,
        /// How many it has.
        count: usize,
    },
    /// Metadata names a leader the client does not know the address of, or
    /// no leader at all.
    #[error("{partition}: no known leader (leader ID {leader})")]
    NoLeader {
        /// The partition.
        partition: TopicPartition,
        /// The leader ID metadata gave.
        leader: i32,
    },
    /// The broker ID metadata named is not among its brokers.
    #[error("broker {node} is not in the cluster's metadata")]
    UnknownBroker {
        /// The node ID.
        node: i32,
    },
    /// A batch could not be encoded.
    #[error("{partition}: cannot encode a batch: {reason}")]
    Encode {
        /// The partition.
        partition: TopicPartition,
        /// What the encoder said.
        reason: String,
    },
    /// Fetched records could not be read.
    #[error("{partition}: {source}")]
    Records {
        /// The partition.
        partition: TopicPartition,
        /// What was wrong with the batch.
        source: BatchError,
    },
    /// A record does not fit in a batch.
    #[error("a record of {size} bytes for {topic:?} exceeds batch.size ({limit} bytes)")]
    RecordTooLarge {
        /// The topic.
        topic: String,
        /// The record's encoded size, about.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Two headers of a record share a name (the record batch coder keeps
    /// headers by name, so one would be lost).
    #[error("a record for {topic:?} has two headers named {key:?}")]
    DuplicateHeader {
        /// The topic.
        topic: String,
        /// The repeated name.
        key: String,
    },
    /// A retried operation ran out of time; `last` is why the last try
    /// failed.
    #[error("gave up after {attempts} attempts in {waited:?}: {last}")]
    RetriesExhausted {
        /// How many tries were made.
        attempts: u32,
        /// How long they took.
        waited: Duration,
        /// The last try's error.
        last: Box<Error>,
    },
    /// The consumer does not read this partition.
    #[error("{partition} is not assigned to this consumer")]
    NotAssigned {
        /// The partition.
        partition: TopicPartition,
    },
    /// The call needs a consumer group and the consumer has none.
    #[error("{0} needs a consumer group (group.id)")]
    NoGroup(&'static str),
    /// The producer or consumer was closed.
    #[error("closed")]
    Closed,
}

fn detail(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(" ({m})"),
        _ => String::new(),
    }
}

impl Error {
    /// An I/O error on the connection to `broker`.
    pub(crate) fn io(broker: &BrokerName, source: std::io::Error) -> Error {
        Error::Io {
            broker: broker.clone(),
            source: std::sync::Arc::new(source),
        }
    }

    /// Whether trying again (after refreshing metadata) may succeed: a
    /// network problem, a timeout, or a Kafka error the protocol calls
    /// retriable (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE,
    /// UNKNOWN_TOPIC_OR_PARTITION right after creation, NOT_COORDINATOR…).
    pub fn is_retriable(&self) -> bool {
        match self {
            Error::Io { .. } | Error::Timeout { .. } | Error::Disconnected { .. } => true,
            Error::NoLeader { .. } | Error::UnknownBroker { .. } => true,
            Error::Partition { code, .. }
            | Error::Topic { code, .. }
            | Error::Group { code, .. }
            | Error::Broker { code, .. } => code.is_retriable(),
            _ => false,
        }
    }

    /// True if a topic could not be created because it exists.
    pub fn is_topic_already_exists(&self) -> bool {
        self.code() == Some(ResponseError::TopicAlreadyExists)
    }

    /// The Kafka error code, if the broker answered with one.
    pub fn code(&self) -> Option<ResponseError> {
        match self {
            Error::Partition { code, .. }
            | Error::Topic { code, .. }
            | Error::Group { code, .. }
            | Error::Broker { code, .. } => Some(*code),
            Error::RetriesExhausted { last, .. } => last.code(),
            _ => None,
        }
    }
}

/// What every client call returns.
pub type Result<T, E = Error> = std::result::Result<T, E>;
