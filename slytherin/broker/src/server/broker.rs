//! The state every connection shares: the topics and the broker's settings.
//!
//! Ownership for now: one `Storage` behind one mutex, taken for the length
//! of a storage call (an append with its sync, a read). It is correct on any
//! number of cores and simple; its cost is that appends to different
//! partitions wait for each other. The thread-per-core design this is a
//! step towards gives each partition log to one core of the `messaging`
//! partition and routes produce and fetch calls for it there over rings,
//! so no lock is shared (see the broker README).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::Notify;

use crate::config::BrokerConfig;
use crate::groups::{persist, Groups};
use crate::handlers;
use crate::metrics::Metrics;
use crate::producers::Producers;
use crate::protocol::{decode_request, encode_response, RequestError};
use crate::storage::{LogConfig, Storage, StorageError};

/// What the connection does with a request once it is handled.
#[derive(Debug)]
pub enum Outcome {
    /// Send these bytes (an encoded response, size prefix included).
    Respond(bytes::BytesMut),
    /// Send nothing: a produce with `acks=0`.
    Silent,
    /// Close the connection, logging why.
    Close(String),
}

/// The broker's settings the handlers read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Create unknown topics on Metadata and Produce.
    pub auto_create_topics: bool,
    /// Partitions of a topic whose creator leaves the count to the broker.
    pub default_partitions: u32,
    /// Most partitions a topic may have.
    pub max_partitions_per_topic: u32,
    /// Most record bytes in one Fetch answer.
    pub max_fetch_bytes: usize,
    /// Log configuration of new topics.
    pub log: LogConfig,
    /// The host clients are told to connect to; when unset, the address
    /// the asking client reached (so port 0 and wildcard listens work).
    pub advertised_host: Option<String>,
}

impl Settings {
    /// The handler settings of a configuration.
    pub fn from_config(config: &BrokerConfig) -> Self {
        Settings {
            auto_create_topics: config.auto_create_topics,
            default_partitions: config.default_partitions,
            max_partitions_per_topic: config.max_partitions_per_topic,
            max_fetch_bytes: config.max_fetch_bytes,
            log: config.log.clone(),
            advertised_host: config.advertised_host.clone(),
        }
    }
}

/// The storage was closed: the broker is shutting down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the broker is shutting down")]
pub struct ShuttingDown;

/// The broker: storage, settings, and the signal long-polling fetches wait on.
#[derive(Debug)]
pub struct Broker {
    storage: Mutex<Option<Storage>>,
    appended: Notify,
    groups: Mutex<Groups>,
    groups_changed: Notify,
    producers: Mutex<Producers>,
    metrics: Metrics,
    settings: Settings,
}

impl Broker {
    /// A broker serving `storage`; committed offsets are read back from
    /// the offsets topic (created if missing).
    pub fn new(mut storage: Storage, settings: Settings) -> Result<Arc<Self>, String> {
        persist::ensure_topic(&mut storage).map_err(|e| e.to_string())?;
        let mut groups = Groups::default();
        for commit in persist::replay(&storage)? {
            groups.restore(commit);
        }
        Ok(Arc::new(Broker {
            storage: Mutex::new(Some(storage)),
            appended: Notify::new(),
            groups: Mutex::new(groups),
            groups_changed: Notify::new(),
            producers: Mutex::new(Producers::default()),
            metrics: Metrics::default(),
            settings,
        }))
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The counters handlers update.
    pub(crate) fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The metrics in Prometheus' text format.
    pub fn metrics_text(&self) -> String {
        let storage = self.storage.lock().unwrap_or_else(PoisonError::into_inner);
        let groups = self.groups.lock().unwrap_or_else(PoisonError::into_inner);
        self.metrics.render(storage.as_ref(), &groups)
    }

    /// Runs `work` with the storage, unless it was closed.
    pub fn with_storage<T>(&self, work: impl FnOnce(&mut Storage) -> T) -> Result<T, ShuttingDown> {
        // A handler that panicked while holding the lock left the storage
        // as consistent as each storage call leaves it: calls are atomic
        // with respect to what they validate before writing.
        let mut guard = self.storage.lock().unwrap_or_else(PoisonError::into_inner);
        guard.as_mut().map(work).ok_or(ShuttingDown)
    }

    /// Runs `work` with the consumer groups.
    pub(crate) fn with_groups<T>(&self, work: impl FnOnce(&mut Groups) -> T) -> T {
        work(&mut self.groups.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Runs `work` with the idempotent producers' state. Taken inside the
    /// storage lock by Produce, never the other way round.
    pub(crate) fn with_producers<T>(&self, work: impl FnOnce(&mut Producers) -> T) -> T {
        work(
            &mut self
                .producers
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// The signal JoinGroup and SyncGroup wait on.
    pub(crate) fn groups_changed(&self) -> &Notify {
        &self.groups_changed
    }

    /// Wakes fetches waiting for data.
    pub(crate) fn notify_appended(&self) {
        self.appended.notify_waiters();
    }

    /// The signal fetches wait on for new data.
    pub(crate) fn appended(&self) -> &Notify {
        &self.appended
    }

    /// Closes the storage cleanly; later requests close their connection.
    pub fn close(&self) -> Result<(), StorageError> {
        let storage = self
            .storage
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.appended.notify_waiters();
        storage.map_or(Ok(()), Storage::close)
    }

    /// Handles one request frame (the bytes after the size prefix) that
    /// arrived on a connection to `local`, this broker's end of it.
    pub async fn handle(&self, frame: Vec<u8>, local: SocketAddr) -> Outcome {
        let outcome = self.answer(frame, local).await;
        if let Outcome::Close(_) = outcome {
            self.metrics.refused();
        }
        outcome
    }

    async fn answer(&self, frame: Vec<u8>, local: SocketAddr) -> Outcome {
        let request = match decode_request(Bytes::from(frame)) {
            Ok(request) => request,
            Err(RequestError::UnsupportedVersion {
                api: kafka_protocol::messages::ApiKey::ApiVersions,
                correlation_id,
                ..
            }) => return handlers::api_versions::unsupported(correlation_id),
            Err(error) => return Outcome::Close(error.to_string()),
        };
        let api = request.api_key;
        let version = request.header.request_api_version;
        let correlation_id = request.header.correlation_id;
        let started = Instant::now();
        let handled = handlers::dispatch(self, request, local).await;
        self.metrics.request(api, started.elapsed());
        match handled {
            Ok(Some(body)) => match encode_response(api, version, correlation_id, &body) {
                Ok(bytes) => Outcome::Respond(bytes),
                Err(reason) => Outcome::Close(reason),
            },
            Ok(None) => Outcome::Silent,
            Err(reason) => Outcome::Close(reason.to_string()),
        }
    }
}
