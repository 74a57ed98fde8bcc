//! Consumer settings.

use std::time::Duration;

use super::assignor::Assignor;
use crate::config::{boolean, millis, number, unknown, ClientConfig, ConfigError};

/// Where to start in a partition without a committed offset (or whose
/// offset is no longer in the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetReset {
    /// `earliest`: the oldest record still kept.
    Earliest,
    /// `latest`: only records produced from now on.
    Latest,
    /// `none`: fail instead.
    Fail,
}

/// Consumer settings: the common client settings, fetching, and the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerConfig {
    /// Bootstrap servers, client ID, timeouts.
    pub client: ClientConfig,
    /// `group.id`: the consumer group (needed to subscribe and to commit).
    pub group_id: Option<String>,
    /// `auto.offset.reset`: `earliest`, `latest` (default) or `none`.
    pub auto_offset_reset: OffsetReset,
    /// `fetch.max.wait.ms`: how long a broker may hold a Fetch for
    /// `fetch.min.bytes` to arrive (default 500 ms).
    pub fetch_max_wait: Duration,
    /// `fetch.min.bytes` (default 1).
    pub fetch_min_bytes: i32,
    /// `fetch.max.bytes`: per Fetch answer (default 50 MiB).
    pub fetch_max_bytes: i32,
    /// `max.partition.fetch.bytes`: per partition (default 1 MiB).
    pub max_partition_fetch_bytes: i32,
    /// `session.timeout.ms`: silence after which the group drops a member
    /// (default 45 s).
    pub session_timeout: Duration,
    /// `heartbeat.interval.ms` (default 3 s).
    pub heartbeat_interval: Duration,
    /// `max.poll.interval.ms`: the rebalance timeout, the longest a member
    /// may take to rejoin (default 5 min).
    pub rebalance_timeout: Duration,
    /// `partition.assignment.strategy`: `range`, `roundrobin`, in order of
    /// preference (default `range`).
    pub assignors: Vec<Assignor>,
    /// `enable.auto.commit`: commit what `poll` returned every
    /// `auto.commit.interval.ms`, before a rebalance and on close (default
    /// true).
    pub auto_commit: bool,
    /// `auto.commit.interval.ms` (default 5 s).
    pub auto_commit_interval: Duration,
}

impl ConsumerConfig {
    /// Defaults, with no group.
    pub fn new(client: ClientConfig) -> ConsumerConfig {
        ConsumerConfig {
            client,
            group_id: None,
            auto_offset_reset: OffsetReset::Latest,
            fetch_max_wait: Duration::from_millis(500),
            fetch_min_bytes: 1,
            fetch_max_bytes: 50 << 20,
            max_partition_fetch_bytes: 1 << 20,
            session_timeout: Duration::from_secs(45),
            heartbeat_interval: Duration::from_secs(3),
            rebalance_timeout: Duration::from_secs(300),
            assignors: vec![Assignor::Range],
            auto_commit: true,
            auto_commit_interval: Duration::from_secs(5),
        }
    }

    /// Sets `group.id`.
    pub fn with_group(mut self, group_id: impl Into<String>) -> ConsumerConfig {
        self.group_id = Some(group_id.into());
        self
    }

    /// Sets `auto.offset.reset`.
    pub fn with_offset_reset(mut self, reset: OffsetReset) -> ConsumerConfig {
        self.auto_offset_reset = reset;
        self
    }

    /// Checks the settings.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.client.validate()?;
        if self.group_id.as_deref() == Some("") {
            return Err(ConfigError::InvalidValue {
                key: "group.id",
                value: String::new(),
                expected: "a non-empty group name",
            });
        }
        if self.heartbeat_interval >= self.session_timeout {
            return Err(ConfigError::Conflict(
                "heartbeat.interval.ms must be lower than session.timeout.ms",
            ));
        }
        if self.assignors.is_empty() {
            return Err(ConfigError::InvalidValue {
                key: "partition.assignment.strategy",
                value: String::new(),
                expected: "range and/or roundrobin",
            });
        }
        if self.max_partition_fetch_bytes <= 0 || self.fetch_max_bytes <= 0 {
            return Err(ConfigError::InvalidValue {
                key: "fetch.max.bytes",
                value: self
                    .fetch_max_bytes
                    .min(self.max_partition_fetch_bytes)
                    .to_string(),
                expected: "a positive number of bytes",
            });
        }
        Ok(())
    }

    /// The consumer keys, besides [`ClientConfig::KEYS`].
    pub const KEYS: &'static [&'static str] = &[
        "group.id",
        "auto.offset.reset",
        "fetch.max.wait.ms",
        "fetch.min.bytes",
        "fetch.max.bytes",
        "max.partition.fetch.bytes",
        "session.timeout.ms",
        "heartbeat.interval.ms",
        "max.poll.interval.ms",
        "partition.assignment.strategy",
        "enable.auto.commit",
        "auto.commit.interval.ms",
    ];

    /// A configuration from Kafka-style settings (`bootstrap.servers`,
    /// `group.id`, `auto.offset.reset`…).
    pub fn from_properties<K: AsRef<str>, V: AsRef<str>>(
        properties: impl IntoIterator<Item = (K, V)>,
    ) -> Result<ConsumerConfig, ConfigError> {
        let mut config = ConsumerConfig::new(ClientConfig::new(Vec::<String>::new()));
        for (key, value) in properties {
            let (key, value) = (key.as_ref(), value.as_ref());
            if config.client.apply(key, value)? {
                continue;
            }
            let bytes = |key| number(key, value, 1..=i32::MAX, "a positive number of bytes");
            match key {
                "group.id" => config.group_id = Some(value.to_owned()),
                "auto.offset.reset" => {
                    config.auto_offset_reset = match value.trim() {
                        "earliest" => OffsetReset::Earliest,
                        "latest" => OffsetReset::Latest,
                        "none" => OffsetReset::Fail,
                        _ => {
                            return Err(ConfigError::InvalidValue {
                                key: "auto.offset.reset",
                                value: value.to_owned(),
                                expected: "earliest, latest or none",
                            })
                        }
                    }
                }
                "fetch.max.wait.ms" => config.fetch_max_wait = millis("fetch.max.wait.ms", value)?,
                "fetch.min.bytes" => config.fetch_min_bytes = bytes("fetch.min.bytes")?,
                "fetch.max.bytes" => config.fetch_max_bytes = bytes("fetch.max.bytes")?,
                "max.partition.fetch.bytes" => {
                    config.max_partition_fetch_bytes = bytes("max.partition.fetch.bytes")?;
                }
                "session.timeout.ms" => {
                    config.session_timeout = millis("session.timeout.ms", value)?;
                }
                "heartbeat.interval.ms" => {
                    config.heartbeat_interval = millis("heartbeat.interval.ms", value)?;
                }
                "max.poll.interval.ms" => {
                    config.rebalance_timeout = millis("max.poll.interval.ms", value)?;
                }
                "partition.assignment.strategy" => {
                    config.assignors = value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|name| {
                            Assignor::from_name(name).ok_or_else(|| ConfigError::InvalidValue {
                                key: "partition.assignment.strategy",
                                value: value.to_owned(),
                                expected: "range and/or roundrobin (or their Java class names)",
                            })
                        })
                        .collect::<Result<_, _>>()?;
                }
                "enable.auto.commit" => config.auto_commit = boolean("enable.auto.commit", value)?,
                "auto.commit.interval.ms" => {
                    config.auto_commit_interval = millis("auto.commit.interval.ms", value)?;
                }
                _ => return Err(unknown(key, "consumer", Self::KEYS)),
            }
        }
        config.validate()?;
        Ok(config)
    }
}
