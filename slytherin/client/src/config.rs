//! Configuration, from code or from Kafka's property names
//! (`bootstrap.servers`, `acks`, `group.id`…) so that a deployment sets it
//! by configuration alone.

use std::time::Duration;

/// Why a configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No bootstrap server was given.
    #[error("bootstrap.servers is empty: give at least one host:port")]
    NoBootstrapServers,
    /// A bootstrap server is not `host:port`.
    #[error("bootstrap.servers: {address:?} is not host:port")]
    BadAddress {
        /// The entry.
        address: String,
    },
    /// A key this client does not know (or does not support, such as
    /// `security.protocol`).
    #[error("unknown {role} setting {key:?}; known: {}", known.join(", "))]
    UnknownKey {
        /// The key.
        key: String,
        /// Producer, consumer or admin.
        role: &'static str,
        /// The keys it knows.
        known: Vec<&'static str>,
    },
    /// A value that does not parse or is out of range.
    #[error("{key} = {value:?}: expected {expected}")]
    InvalidValue {
        /// The key.
        key: &'static str,
        /// The value given.
        value: String,
        /// What would be accepted.
        expected: &'static str,
    },
    /// Settings that contradict each other.
    #[error("{0}")]
    Conflict(&'static str),
}

/// Settings every client (producer, consumer, admin) has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// `bootstrap.servers`: `host:port` entries; any one is enough to find
    /// the rest of the cluster.
    pub bootstrap_servers: Vec<String>,
    /// `client.id`: the name brokers log and quota by.
    pub client_id: String,
    /// `socket.connection.setup.timeout.ms`: time to open a connection
    /// (default 10 s).
    pub connect_timeout: Duration,
    /// `request.timeout.ms`: time for an answer to one request (default
    /// 30 s; a Fetch gets its `fetch.max.wait.ms` on top).
    pub request_timeout: Duration,
    /// `default.api.timeout.ms`: time for one call including its retries,
    /// and for bootstrapping (default 60 s).
    pub operation_timeout: Duration,
    /// `retry.backoff.ms`: the first wait before a retry (default 100 ms).
    pub retry_backoff: Duration,
    /// `retry.backoff.max.ms`: the longest wait between retries (default
    /// 1 s); waits double up to it.
    pub retry_backoff_max: Duration,
    /// `metadata.max.age.ms`: metadata older than this is refreshed
    /// (default 5 min).
    pub metadata_max_age: Duration,
}

impl ClientConfig {
    /// Defaults, with these bootstrap servers (`host:port`).
    pub fn new<S: Into<String>>(bootstrap_servers: impl IntoIterator<Item = S>) -> ClientConfig {
        ClientConfig {
            bootstrap_servers: bootstrap_servers.into_iter().map(Into::into).collect(),
            client_id: "slytherin-client".to_owned(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            operation_timeout: Duration::from_secs(60),
            retry_backoff: Duration::from_millis(100),
            retry_backoff_max: Duration::from_secs(1),
            metadata_max_age: Duration::from_secs(300),
        }
    }

    /// Sets `client.id`.
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> ClientConfig {
        self.client_id = client_id.into();
        self
    }

    /// Sets the connection, request and operation timeouts at once.
    pub fn with_timeouts(
        mut self,
        connect: Duration,
        request: Duration,
        operation: Duration,
    ) -> ClientConfig {
        self.connect_timeout = connect;
        self.request_timeout = request;
        self.operation_timeout = operation;
        self
    }

    /// Checks the settings: servers are `host:port`, times are positive.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.bootstrap_servers.is_empty() {
            return Err(ConfigError::NoBootstrapServers);
        }
        for address in &self.bootstrap_servers {
            let well_formed = address
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if !well_formed {
                return Err(ConfigError::BadAddress {
                    address: address.clone(),
                });
            }
        }
        for (key, value) in [
            ("socket.connection.setup.timeout.ms", self.connect_timeout),
            ("request.timeout.ms", self.request_timeout),
            ("default.api.timeout.ms", self.operation_timeout),
        ] {
            if value.is_zero() {
                return Err(ConfigError::InvalidValue {
                    key,
                    value: "0".to_owned(),
                    expected: "a positive number of milliseconds",
                });
            }
        }
        if self.retry_backoff > self.retry_backoff_max {
            return Err(ConfigError::Conflict(
                "retry.backoff.ms is larger than retry.backoff.max.ms",
            ));
        }
        Ok(())
    }

    /// The keys [`ClientConfig::apply`] knows.
    pub const KEYS: &'static [&'static str] = &[
        "bootstrap.servers",
        "client.id",
        "socket.connection.setup.timeout.ms",
        "request.timeout.ms",
        "default.api.timeout.ms",
        "retry.backoff.ms",
        "retry.backoff.max.ms",
        "metadata.max.age.ms",
    ];

    /// Applies one Kafka-style setting; `Ok(false)` when the key is not a
    /// common client key.
    pub fn apply(&mut self, key: &str, value: &str) -> Result<bool, ConfigError> {
        match key {
            "bootstrap.servers" => {
                self.bootstrap_servers = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "client.id" => self.client_id = value.to_owned(),
            "socket.connection.setup.timeout.ms" => {
                self.connect_timeout = millis("socket.connection.setup.timeout.ms", value)?;
            }
            "request.timeout.ms" => self.request_timeout = millis("request.timeout.ms", value)?,
            "default.api.timeout.ms" => {
                self.operation_timeout = millis("default.api.timeout.ms", value)?;
            }
            "retry.backoff.ms" => self.retry_backoff = millis("retry.backoff.ms", value)?,
            "retry.backoff.max.ms" => {
                self.retry_backoff_max = millis("retry.backoff.max.ms", value)?;
            }
            "metadata.max.age.ms" => self.metadata_max_age = millis("metadata.max.age.ms", value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A configuration from Kafka-style settings; `bootstrap.servers` is
    /// required. Unknown keys are errors (a misspelt key would otherwise be
    /// silently ignored).
    pub fn from_properties<K: AsRef<str>, V: AsRef<str>>(
        properties: impl IntoIterator<Item = (K, V)>,
    ) -> Result<ClientConfig, ConfigError> {
        let mut config = ClientConfig::new(Vec::<String>::new());
        for (key, value) in properties {
            let (key, value) = (key.as_ref(), value.as_ref());
            if !config.apply(key, value)? {
                return Err(unknown(key, "admin", &[]));
            }
        }
        config.validate()?;
        Ok(config)
    }
}

/// An `UnknownKey` error listing the common keys and `extra`.
pub(crate) fn unknown(key: &str, role: &'static str, extra: &[&'static str]) -> ConfigError {
    ConfigError::UnknownKey {
        key: key.to_owned(),
        role,
        known: ClientConfig::KEYS.iter().chain(extra).copied().collect(),
    }
}

/// A duration in whole milliseconds.
pub(crate) fn millis(key: &'static str, value: &str) -> Result<Duration, ConfigError> {
    value
        .trim()
        .parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| ConfigError::InvalidValue {
            key,
            value: value.to_owned(),
            expected: "a whole number of milliseconds",
        })
}

/// A whole number within `range`.
pub(crate) fn number<T>(
    key: &'static str,
    value: &str,
    range: std::ops::RangeInclusive<T>,
    expected: &'static str,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd,
{
    value
        .trim()
        .parse::<T>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| ConfigError::InvalidValue {
            key,
            value: value.to_owned(),
            expected,
        })
}

/// `true` or `false`.
pub(crate) fn boolean(key: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ConfigError::InvalidValue {
            key,
            value: value.to_owned(),
            expected: "true or false",
        }),
    }
}
