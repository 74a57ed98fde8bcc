//! The broker's configuration: built-in defaults, then a TOML file, then
//! `SLYTHERIN_*` environment variables, each overriding the one before.
//!
//! Any top-level key can be set from the environment: `SLYTHERIN_LISTEN`
//! sets `listen`, `SLYTHERIN_AUTO_CREATE_TOPICS` sets `auto_create_topics`.
//! A value is read as TOML if it parses as one (`true`, `3`) and as a
//! string otherwise (`127.0.0.1:9092`, `/var/lib/slytherin`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::protocol::FrameLimits;
use crate::storage::LogConfig;

/// Prefix of the environment variables that override configuration keys.
pub const ENV_PREFIX: &str = "SLYTHERIN_";

/// Everything `slytherin serve` needs to know.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BrokerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Host name clients are told to connect to (Metadata); the listen
    /// address's IP when unset.
    pub advertised_host: Option<String>,
    /// Port clients are told to connect to (Metadata, FindCoordinator):
    /// set it when clients reach the broker through a forwarded port (a
    /// container's `-p 19092:9092`); the port the client reached when unset.
    pub advertised_port: Option<u16>,
    /// Folder holding the topics.
    pub data: PathBuf,
    /// Create a topic when a client asks for metadata of, or produces to,
    /// one that does not exist (Kafka's `auto.create.topics.enable`).
    pub auto_create_topics: bool,
    /// Partitions of an automatically created topic, and of a CreateTopics
    /// request that leaves the count to the broker (Kafka's `num.partitions`).
    pub default_partitions: u32,
    /// Most partitions a topic may be created with: each is a folder of
    /// files, so an unbounded count from one request would exhaust the disk.
    pub max_partitions_per_topic: u32,
    /// Largest request accepted (Kafka's `socket.request.max.bytes`).
    pub max_request_bytes: usize,
    /// Most record bytes one Fetch answer holds, whatever the client asks
    /// (Kafka's broker-side `fetch.max.bytes`): bounds the memory a fetch
    /// takes.
    pub max_fetch_bytes: usize,
    /// How long a connection may be silent between requests.
    pub idle_timeout_ms: u64,
    /// How long a request may take to arrive once it has begun.
    pub frame_timeout_ms: u64,
    /// Address of the Prometheus endpoint (`GET /metrics`); none when unset.
    pub metrics_listen: Option<SocketAddr>,
    /// Cores of the `messaging` partition; every usable core when unset.
    pub cores: Option<usize>,
    /// Configuration of new topics' partition logs.
    pub log: LogConfig,
}

impl Default for BrokerConfig {
    /// The configuration a broker started with no setup runs with: local
    /// only, data in `./slytherin-data`, Kafka's development defaults.
    fn default() -> Self {
        let limits = FrameLimits::default();
        BrokerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 9092)),
            advertised_host: None,
            advertised_port: None,
            data: PathBuf::from("./slytherin-data"),
            auto_create_topics: true,
            default_partitions: 1,
            max_partitions_per_topic: 1024,
            max_request_bytes: limits.max_request_bytes,
            max_fetch_bytes: 55 * 1024 * 1024,
            idle_timeout_ms: limits.idle_timeout.as_millis() as u64,
            frame_timeout_ms: limits.frame_timeout.as_millis() as u64,
            metrics_listen: None,
            cores: None,
            log: LogConfig::default(),
        }
    }
}

/// A configuration that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file, or the file with the environment applied, is not a valid
    /// configuration.
    #[error("invalid configuration ({origin}): {message}")]
    Invalid {
        /// Where the settings came from.
        origin: String,
        /// What is wrong, with the key and position when known.
        message: String,
    },
}

impl BrokerConfig {
    /// A broker run inside another process (a test, a tool): a free port of
    /// 127.0.0.1, one core, its data in `data`, logs left to the page cache
    /// (no fsync), everything else the defaults.
    pub fn embedded(data: impl Into<PathBuf>) -> Self {
        let mut config = BrokerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: data.into(),
            cores: Some(1),
            ..BrokerConfig::default()
        };
        config.log.durability = crate::storage::Durability::None;
        config
    }

    /// Loads the configuration: defaults, then `file` if given, then the
    /// `SLYTHERIN_*` variables among `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let (mut table, mut origin) = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                let table =
                    toml::from_str::<toml::Table>(&text).map_err(|e| ConfigError::Invalid {
                        origin: path.display().to_string(),
                        message: e.to_string(),
                    })?;
                (table, path.display().to_string())
            }
            None => (toml::Table::new(), "defaults".to_owned()),
        };
        for (name, raw) in env {
            let Some(key) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            table.insert(key.to_ascii_lowercase(), env_value(&raw));
            origin.push_str(&format!(", {name}"));
        }
        let config: BrokerConfig =
            table
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Invalid {
                    origin: origin.clone(),
                    message: e.to_string(),
                })?;
        config.log.validate().map_err(|e| ConfigError::Invalid {
            origin: origin.clone(),
            message: e.to_string(),
        })?;
        if config.default_partitions == 0
            || config.default_partitions > config.max_partitions_per_topic
        {
            return Err(ConfigError::Invalid {
                origin,
                message: format!(
                    "default_partitions is {}, but must be between 1 and max_partitions_per_topic ({})",
                    config.default_partitions, config.max_partitions_per_topic
                ),
            });
        }
        Ok(config)
    }

    /// The framing limits for connections.
    pub fn frame_limits(&self) -> FrameLimits {
        FrameLimits {
            max_request_bytes: self.max_request_bytes,
            idle_timeout: Duration::from_millis(self.idle_timeout_ms),
            frame_timeout: Duration::from_millis(self.frame_timeout_ms),
        }
    }
}

fn env_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_environment_overrides_the_file_which_overrides_the_defaults() {
        let dir = std::env::temp_dir().join(format!("slytherin-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp folder");
        let file = dir.join("slytherin.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:19092\"\ndefault_partitions = 3\n[log]\ndurability = { interval_ms = 50 }\n",
        )
        .expect("written");
        let config = BrokerConfig::load(
            Some(&file),
            env(&[
                ("SLYTHERIN_DEFAULT_PARTITIONS", "4"),
                ("SLYTHERIN_DATA", "/srv/slytherin"),
                ("HOME", "/root"),
            ]),
        )
        .expect("valid");
        assert_eq!(config.listen, "0.0.0.0:19092".parse().expect("address"));
        assert_eq!(config.default_partitions, 4);
        assert_eq!(config.data, PathBuf::from("/srv/slytherin"));
        assert_eq!(
            config.log.durability,
            crate::storage::Durability::IntervalMs(50)
        );
        assert!(config.auto_create_topics, "defaults fill the rest");
        std::fs::remove_dir_all(&dir).expect("cleaned up");
    }

    #[test]
    fn mistakes_are_named() {
        let unknown = BrokerConfig::load(None, env(&[("SLYTHERIN_LISTNE", "x")]))
            .expect_err("unknown key")
            .to_string();
        assert!(
            unknown.contains("listne") && unknown.contains("SLYTHERIN_LISTNE"),
            "{unknown}"
        );
        let zero = BrokerConfig::load(None, env(&[("SLYTHERIN_DEFAULT_PARTITIONS", "0")]))
            .expect_err("zero partitions")
            .to_string();
        assert!(zero.contains("default_partitions"), "{zero}");
        let missing = BrokerConfig::load(Some(Path::new("/nonexistent/slytherin.toml")), env(&[]))
            .expect_err("missing file")
            .to_string();
        assert!(missing.contains("/nonexistent/slytherin.toml"), "{missing}");
    }
}
