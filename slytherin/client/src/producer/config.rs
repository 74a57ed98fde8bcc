//! Producer settings.

use std::time::Duration;

use crate::config::{boolean, millis, number, unknown, ClientConfig, ConfigError};

/// How many replicas must have a batch before the broker answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acks {
    /// `acks=0`: no answer; the offset is never known.
    None,
    /// `acks=1`: the leader has it.
    Leader,
    /// `acks=all` (-1): every in-sync replica has it.
    All,
}

impl Acks {
    /// The value the Produce request carries.
    pub(crate) fn wire(self) -> i16 {
        match self {
            Acks::None => 0,
            Acks::Leader => 1,
            Acks::All => -1,
        }
    }
}

/// How batches are compressed (`compression.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// `none` (the default).
    None,
    /// `gzip`.
    Gzip,
    /// `snappy`.
    Snappy,
    /// `lz4`.
    Lz4,
    /// `zstd`.
    Zstd,
}

impl Compression {
    /// The codec as the batch coder names it.
    pub(crate) fn codec(self) -> kafka_protocol::records::Compression {
        use kafka_protocol::records::Compression as Codec;
        match self {
            Compression::None => Codec::None,
            Compression::Gzip => Codec::Gzip,
            Compression::Snappy => Codec::Snappy,
            Compression::Lz4 => Codec::Lz4,
            Compression::Zstd => Codec::Zstd,
        }
    }
}

/// Producer settings: the common client settings and batching, acks and
/// idempotence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerConfig {
    /// Bootstrap servers, client ID, timeouts.
    pub client: ClientConfig,
    /// `acks`: `0`, `1` or `all` (default `all`).
    pub acks: Acks,
    /// `linger.ms`: how long a batch waits for more records before it is
    /// sent (default 5 ms).
    pub linger: Duration,
    /// `batch.size`: a batch is sent once it holds this many bytes
    /// (default 16384).
    pub batch_size: usize,
    /// `max.request.size`: the largest record accepted (default 1 MiB).
    pub max_request_size: usize,
    /// `enable.idempotence`: a producer ID and per-partition sequence
    /// numbers, so a retried batch is stored once (default true; needs
    /// `acks=all`).
    pub idempotence: bool,
    /// `delivery.timeout.ms`: the time a record has, retries included,
    /// before its send fails (default 120 s).
    pub delivery_timeout: Duration,
    /// `compression.type` (default `none`).
    pub compression: Compression,
}

impl ProducerConfig {
    /// Defaults (idempotent, acks=all, 5 ms linger, 16 KiB batches).
    pub fn new(client: ClientConfig) -> ProducerConfig {
        ProducerConfig {
            client,
            acks: Acks::All,
            linger: Duration::from_millis(5),
            batch_size: 16_384,
            max_request_size: 1 << 20,
            idempotence: true,
            delivery_timeout: Duration::from_secs(120),
            compression: Compression::None,
        }
    }

    /// Sets `acks`; anything but [`Acks::All`] also turns idempotence off
    /// (it needs every replica's acknowledgement).
    pub fn with_acks(mut self, acks: Acks) -> ProducerConfig {
        self.acks = acks;
        if acks != Acks::All {
            self.idempotence = false;
        }
        self
    }

    /// Sets `linger.ms` and `batch.size`.
    pub fn with_batching(mut self, linger: Duration, batch_size: usize) -> ProducerConfig {
        self.linger = linger;
        self.batch_size = batch_size;
        self
    }

    /// Sets `compression.type`.
    pub fn with_compression(mut self, compression: Compression) -> ProducerConfig {
        self.compression = compression;
        self
    }

    /// Sets `enable.idempotence`.
    pub fn with_idempotence(mut self, idempotence: bool) -> ProducerConfig {
        self.idempotence = idempotence;
        self
    }

    /// Checks the settings.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.client.validate()?;
        if self.idempotence && self.acks != Acks::All {
            return Err(ConfigError::Conflict(
                "enable.idempotence=true needs acks=all",
            ));
        }
        if self.batch_size == 0 {
            return Err(ConfigError::InvalidValue {
                key: "batch.size",
                value: "0".to_owned(),
                expected: "a positive number of bytes",
            });
        }
        if self.delivery_timeout.is_zero() {
            return Err(ConfigError::InvalidValue {
                key: "delivery.timeout.ms",
                value: "0".to_owned(),
                expected: "a positive number of milliseconds",
            });
        }
        Ok(())
    }

    /// The producer keys, besides [`ClientConfig::KEYS`].
    pub const KEYS: &'static [&'static str] = &[
        "acks",
        "linger.ms",
        "batch.size",
        "max.request.size",
        "enable.idempotence",
        "delivery.timeout.ms",
        "compression.type",
    ];

    /// A configuration from Kafka-style settings (`bootstrap.servers`,
    /// `acks`, `linger.ms`…). As in Kafka, `acks` other than `all` turns
    /// idempotence off unless `enable.idempotence=true` is also given
    /// (then it is an error).
    pub fn from_properties<K: AsRef<str>, V: AsRef<str>>(
        properties: impl IntoIterator<Item = (K, V)>,
    ) -> Result<ProducerConfig, ConfigError> {
        let mut config = ProducerConfig::new(ClientConfig::new(Vec::<String>::new()));
        let mut idempotence = None;
        for (key, value) in properties {
            let (key, value) = (key.as_ref(), value.as_ref());
            if config.client.apply(key, value)? {
                continue;
            }
            match key {
                "acks" => {
                    config.acks = match value.trim() {
                        "0" => Acks::None,
                        "1" => Acks::Leader,
                        "all" | "-1" => Acks::All,
                        _ => {
                            return Err(ConfigError::InvalidValue {
                                key: "acks",
                                value: value.to_owned(),
                                expected: "0, 1, all or -1",
                            })
                        }
                    }
                }
                "linger.ms" => config.linger = millis("linger.ms", value)?,
                "batch.size" => {
                    config.batch_size = number(
                        "batch.size",
                        value,
                        1..=i32::MAX as usize,
                        "a positive number of bytes",
                    )?;
                }
                "max.request.size" => {
                    config.max_request_size = number(
                        "max.request.size",
                        value,
                        1..=i32::MAX as usize,
                        "a positive number of bytes",
                    )?;
                }
                "enable.idempotence" => {
                    idempotence = Some(boolean("enable.idempotence", value)?);
                }
                "delivery.timeout.ms" => {
                    config.delivery_timeout = millis("delivery.timeout.ms", value)?;
                }
                "compression.type" => {
                    config.compression = match value.trim() {
                        "none" => Compression::None,
                        "gzip" => Compression::Gzip,
                        "snappy" => Compression::Snappy,
                        "lz4" => Compression::Lz4,
                        "zstd" => Compression::Zstd,
                        _ => {
                            return Err(ConfigError::InvalidValue {
                                key: "compression.type",
                                value: value.to_owned(),
                                expected: "none, gzip, snappy, lz4 or zstd",
                            })
                        }
                    }
                }
                _ => return Err(unknown(key, "producer", Self::KEYS)),
            }
        }
        config.idempotence = idempotence.unwrap_or(config.acks == Acks::All);
        config.validate()?;
        Ok(config)
    }
}
