//! The state every connection shares: the topics and the broker's settings.
//!
//! Ownership: each partition log is owned by one core of the `messaging`
//! partition, picked by a hash of topic and partition. Appends and the
//! housekeeping of a log (interval syncs, retention) run on its owner: a
//! connection on another core sends the work there and awaits the answer,
//! so appends to different partitions run in parallel on their cores and a
//! log's lock is only ever contended by rare readers (metrics, admin). The
//! topic registry is behind a read-write lock that only creating and
//! deleting topics write. Without a runtime (tests that call
//! [`Broker::handle`] directly) the work runs where it is asked for.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock, Weak};
use std::time::Duration;
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::Notify;

use super::append_signals::AppendSignals;
use crate::config::BrokerConfig;
use crate::groups::{persist, Groups};
use crate::handlers;
use crate::metrics::Metrics;
use crate::producers::Producers;
use crate::protocol::{decode_request, encode_response, RequestError};
use crate::storage::{lock_log, LogConfig, Storage, StorageError};

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

/// Work started on a partition's owner core.
#[derive(Debug)]
pub(crate) enum OwnerWork<T> {
    /// It ran here.
    Done(T),
    /// It runs on the owner.
    Sent(partition::JoinHandle<T>),
}

impl<T> OwnerWork<T> {
    /// What the work returned; [`ShuttingDown`] if the runtime stopped
    /// before it ran.
    pub(crate) async fn result(self) -> Result<T, ShuttingDown> {
        match self {
            OwnerWork::Done(value) => Ok(value),
            OwnerWork::Sent(handle) => handle.await.map_err(|error| {
                tracing::debug!(%error, "the owner core did not run the work");
                ShuttingDown
            }),
        }
    }
}

/// How often each core syncs its logs whose durability is an interval and
/// applies retention to them.
pub const HOUSEKEEPING_INTERVAL: Duration = Duration::from_secs(1);

/// One core's housekeeping loop; it ends when the broker is dropped or its
/// storage closed.
async fn housekeeping(broker: Weak<Broker>, core: usize, cores: usize) {
    loop {
        tokio::time::sleep(HOUSEKEEPING_INTERVAL).await;
        let Some(broker) = broker.upgrade() else {
            return;
        };
        let owned = broker.read_storage(|storage| {
            storage
                .topics()
                .flat_map(|topic| {
                    topic
                        .partitions()
                        .iter()
                        .enumerate()
                        .filter(|(p, _)| Broker::owner(topic.name(), *p as i32, cores) == core)
                        .map(|(_, log)| Arc::clone(log))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        });
        let Ok(owned) = owned else {
            return;
        };
        for log in owned {
            let mut log = lock_log(&log);
            if let Err(error) = log.tick().and_then(|_| log.enforce_retention()) {
                tracing::warn!(dir = %log.dir().display(), %error, "housekeeping failed");
            }
        }
    }
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
    /// The port clients are told to connect to; when unset, the port the
    /// asking client reached.
    pub advertised_port: Option<u16>,
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
            advertised_port: config.advertised_port,
        }
    }
}

/// The storage was closed: the broker is shutting down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the broker is shutting down")]
pub struct ShuttingDown;

/// The broker: storage, settings, and the signals long-polling fetches wait on.
#[derive(Debug)]
pub struct Broker {
    storage: RwLock<Option<Storage>>,
    /// The cores partition logs are owned by, once the server runs.
    owners: OnceLock<partition::Partition>,
    appended: AppendSignals,
    groups: Mutex<Groups>,
    groups_changed: Notify,
    producers: Arc<Mutex<Producers>>,
    /// Held while committed offsets are stored (and maybe compacted).
    storing_commits: Mutex<()>,
    metrics: Metrics,
    settings: Settings,
}

impl Broker {
    /// A broker serving `storage`; committed offsets are read back from
    /// the offsets topic (created if missing).
    pub fn new(mut storage: Storage, settings: Settings) -> Result<Arc<Self>, String> {
        persist::ensure_topic(&mut storage).map_err(|e| e.to_string())?;
        let mut groups = Groups::default();
        let now = tokio::time::Instant::now();
        for stored in persist::replay(&storage)? {
            match stored {
                persist::Stored::Commit(commit) => groups.restore(commit),
                persist::Stored::Group(record) => groups.restore_group(record, now),
            }
        }
        Ok(Arc::new(Broker {
            storage: RwLock::new(Some(storage)),
            owners: OnceLock::new(),
            appended: AppendSignals::default(),
            groups: Mutex::new(groups),
            groups_changed: Notify::new(),
            producers: Arc::new(Mutex::new(Producers::default())),
            storing_commits: Mutex::new(()),
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
        let storage = self.storage.read().unwrap_or_else(PoisonError::into_inner);
        let groups = self.groups.lock().unwrap_or_else(PoisonError::into_inner);
        self.metrics.render(storage.as_ref(), &groups)
    }

    /// Runs `work` with the topic registry to change it (create or delete
    /// topics), unless the storage was closed.
    pub fn with_storage<T>(&self, work: impl FnOnce(&mut Storage) -> T) -> Result<T, ShuttingDown> {
        // A handler that panicked while holding the lock left the storage
        // as consistent as each storage call leaves it: calls are atomic
        // with respect to what they validate before writing.
        let mut guard = self.storage.write().unwrap_or_else(PoisonError::into_inner);
        guard.as_mut().map(work).ok_or(ShuttingDown)
    }

    /// Runs `work` with the topic registry to read it (and to lock single
    /// partition logs), unless the storage was closed.
    pub fn read_storage<T>(&self, work: impl FnOnce(&Storage) -> T) -> Result<T, ShuttingDown> {
        let guard = self.storage.read().unwrap_or_else(PoisonError::into_inner);
        guard.as_ref().map(work).ok_or(ShuttingDown)
    }

    /// Gives partition logs to the cores of `messaging`, one owner each,
    /// and starts each core's housekeeping (interval syncs and retention
    /// of the logs it owns, every [`HOUSEKEEPING_INTERVAL`]).
    pub fn run_on(self: &Arc<Self>, messaging: partition::Partition) {
        let cores = messaging.cores().len();
        if self.owners.set(messaging.clone()).is_err() {
            return;
        }
        for core in 0..cores {
            let broker = Arc::downgrade(self);
            let _housekeeping = messaging.spawn_on(core, housekeeping(broker, core, cores));
        }
        let _pipelines = messaging.spawn_on(
            0,
            crate::pipelines::watch(Arc::downgrade(self), messaging.clone()),
        );
    }

    /// The index (in the `messaging` partition) of the core owning a
    /// partition log, out of `cores`.
    pub(crate) fn owner(topic: &str, partition: i32, cores: usize) -> usize {
        // FNV-1a: stable across runs and builds, unlike the std hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in topic.bytes().chain(partition.to_le_bytes()) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        (hash % cores.max(1) as u64) as usize
    }

    /// Starts `work` on the core that owns `topic`'s `partition`: runs it
    /// at once when this is that core (or there is no runtime), else puts
    /// it on that core's queue. Await [`OwnerWork::result`] for what it
    /// returned; starting several before awaiting any runs them in
    /// parallel on their cores.
    pub(crate) fn on_owner<T: Send + 'static>(
        &self,
        topic: &str,
        partition: i32,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> OwnerWork<T> {
        let Some(messaging) = self.owners.get() else {
            return OwnerWork::Done(work());
        };
        let cores = messaging.cores();
        let owner = Self::owner(topic, partition, cores.len());
        let here = partition::current_core().map(|(_, core)| core);
        if here.is_some() && here == cores.get(owner).copied() {
            return OwnerWork::Done(work());
        }
        OwnerWork::Sent(messaging.run_on(owner, work))
    }

    /// Held by OffsetCommit while it stores offsets: one commit is stored
    /// (and the offsets topic maybe compacted) at a time.
    pub(crate) fn storing_commits(&self) -> std::sync::MutexGuard<'_, ()> {
        self.storing_commits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` with the consumer groups.
    pub(crate) fn with_groups<T>(&self, work: impl FnOnce(&mut Groups) -> T) -> T {
        work(&mut self.groups.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The idempotent producers' state, for work sent to an owner core.
    /// Taken inside a partition log's lock by Produce, never the other way
    /// round.
    pub(crate) fn producers(&self) -> Arc<Mutex<Producers>> {
        Arc::clone(&self.producers)
    }

    /// Runs `work` with the idempotent producers' state. Taken inside a
    /// partition log's lock by Produce, never the other way round.
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

    /// Wakes the fetches (and pipeline hosts) waiting for records of a
    /// partition.
    pub(crate) fn notify_appended(&self, topic: &str, partition: i32) {
        self.appended.appended(topic, partition);
    }

    /// The signals of the partitions readers wait on for new records.
    pub(crate) fn append_signals(&self) -> &AppendSignals {
        &self.appended
    }

    /// Closes the storage cleanly; later requests close their connection.
    pub fn close(&self) -> Result<(), StorageError> {
        let storage = self
            .storage
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.appended.wake_all();
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use kafka_protocol::records::Compression;
    use partition::{CoreSet, Machine, Plan, Policy, Runtime};

    use super::{Broker, Settings};
    use crate::config::BrokerConfig;
    use crate::storage::{Storage, SystemClock};

    #[test]
    fn owners_are_stable_and_spread_over_the_cores() {
        for cores in 1..=8 {
            let mut load = vec![0; cores];
            for partition in 0..800 {
                let owner = Broker::owner("orders", partition, cores);
                assert_eq!(owner, Broker::owner("orders", partition, cores));
                load[owner] += 1;
            }
            let fair = 800 / cores;
            assert!(
                load.iter().all(|&n| n > fair / 2 && n < fair * 2),
                "{cores} cores: {load:?}"
            );
        }
    }

    #[test]
    fn work_for_a_partition_runs_on_its_owner_core_from_anywhere() {
        let machine = Machine::detect().expect("machine");
        let cores = machine.usable().to_vec();
        let plan = Plan::builder()
            .partition(
                "messaging",
                CoreSet::from_iter(cores.clone()),
                Policy::messaging(),
            )
            .build()
            .validate(&machine)
            .expect("plan fits");
        let runtime = Runtime::start(plan).expect("runtime starts");
        let messaging = runtime.partition("messaging").expect("partition");
        let dir = tempfile::tempdir().expect("temp dir");
        let storage = Storage::open(dir.path(), Arc::new(SystemClock)).expect("storage");
        let broker =
            Broker::new(storage, Settings::from_config(&BrokerConfig::default())).expect("broker");
        broker.run_on(messaging.clone());
        let owner_of = |p: i32| cores[Broker::owner("clicks", p, cores.len())];
        // Asked from a thread outside the runtime.
        for p in 0..16 {
            let ran_on = block_on(
                broker
                    .on_owner("clicks", p, || partition::current_core().map(|(_, c)| c))
                    .result(),
            );
            assert_eq!(ran_on, Ok(Some(owner_of(p))), "partition {p}");
        }
        // Asked from each core of the partition.
        for index in 0..cores.len() {
            let asker = Arc::clone(&broker);
            let answers = messaging
                .spawn_on(index, async move {
                    let mut answers = Vec::new();
                    for p in 0..16 {
                        let work = asker
                            .on_owner("clicks", p, || partition::current_core().map(|(_, c)| c));
                        answers.push(work.result().await);
                    }
                    answers
                })
                .join()
                .expect("the asking task ran");
            for (p, ran_on) in answers.into_iter().enumerate() {
                assert_eq!(
                    ran_on,
                    Ok(Some(owner_of(p as i32))),
                    "partition {p}, asked from core index {index}"
                );
            }
        }
        broker.close().expect("closes");
        runtime.shutdown(Duration::from_secs(2));
    }

    #[test]
    fn each_core_applies_retention_to_the_logs_it_owns() {
        let machine = Machine::detect().expect("machine");
        let cores = machine.usable().to_vec();
        let plan = Plan::builder()
            .partition("messaging", CoreSet::from_iter(cores), Policy::messaging())
            .build()
            .validate(&machine)
            .expect("plan fits");
        let runtime = Runtime::start(plan).expect("runtime starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut storage = Storage::open(dir.path(), Arc::new(SystemClock)).expect("storage");
        let config = crate::storage::LogConfig {
            retention_ms: Some(60_000),
            ..crate::storage::LogConfig::default()
        };
        let topic = storage.create_topic("old", 4, config).expect("topic");
        for p in 0..4 {
            let records = [crate::protocol::plain_record(
                0,
                0,
                b"k".to_vec(),
                b"v".to_vec(),
            )];
            let mut batch =
                crate::protocol::encode_batch(&records, Compression::None).expect("batch");
            topic
                .partition(p)
                .expect("partition")
                .append(&mut batch)
                .expect("appended");
        }
        let broker =
            Broker::new(storage, Settings::from_config(&BrokerConfig::default())).expect("broker");
        broker.run_on(runtime.partition("messaging").expect("partition"));
        // Records stamped 1970 are past any retention: every partition is
        // emptied by its owner's next pass.
        let deadline = std::time::Instant::now() + 10 * super::HOUSEKEEPING_INTERVAL;
        let emptied = || {
            broker
                .read_storage(|storage| {
                    let topic = storage.topic("old").expect("topic");
                    (0..4).all(|p| {
                        let log = topic.partition(p).expect("partition");
                        log.log_start_offset() == 1 && log.log_end_offset() == 1
                    })
                })
                .expect("open")
        };
        while !emptied() {
            assert!(std::time::Instant::now() < deadline, "retention never ran");
            std::thread::sleep(Duration::from_millis(50));
        }
        broker.close().expect("closes");
        runtime.shutdown(Duration::from_secs(2));
    }

    /// Waits for a future on this (non-runtime) thread.
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime to wait on")
            .block_on(future)
    }
}
