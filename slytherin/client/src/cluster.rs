//! The connection layer every client shares: bootstrap, metadata kept
//! fresh, one connection per broker node and lane, requests routed to
//! partition leaders, and retries with metadata refresh and bounded
//! backoff.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{ApiKey, MetadataRequest, MetadataResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use crate::backoff::Backoff;
use crate::config::ClientConfig;
use crate::connection::Connection;
use crate::error::{BrokerName, Error, TopicPartition};
use crate::metadata::{Metadata, TopicMetadata};

/// Which connection to a broker a request travels on: a consumer's
/// long-polling Fetch must not hold up its heartbeats or commits (a broker
/// answers one connection's requests in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Lane {
    /// Metadata, Produce, ListOffsets, admin requests.
    General,
    /// Fetch.
    Fetch,
    /// The group coordinator's requests.
    Group,
}

/// Where the connection to one broker on one lane is kept.
type Slot = tokio::sync::Mutex<Option<Arc<Connection>>>;

/// The cluster as one client sees it.
pub(crate) struct Cluster {
    config: ClientConfig,
    metadata: RwLock<Metadata>,
    /// One slot per broker node and lane, each locked on its own while a
    /// connection is opened, so a broker that is slow to answer holds up
    /// only the requests meant for it.
    connections: std::sync::Mutex<HashMap<(i32, Lane), Arc<Slot>>>,
    /// One Metadata request at a time.
    refreshing: tokio::sync::Mutex<()>,
    /// Whether the next lookup must refresh first (a leader moved, a
    /// connection broke).
    stale: std::sync::atomic::AtomicBool,
    /// Whether Metadata may create the topics it names (producers).
    auto_create: bool,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("bootstrap_servers", &self.config.bootstrap_servers)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// Validates `config` and bootstraps: asks the bootstrap servers in
    /// turn for metadata, retrying with backoff until one answers or the
    /// operation timeout passes.
    pub(crate) async fn connect(
        config: ClientConfig,
        auto_create: bool,
    ) -> Result<Arc<Cluster>, Error> {
        config.validate()?;
        let cluster = Arc::new(Cluster {
            config,
            metadata: RwLock::new(Metadata::default()),
            connections: std::sync::Mutex::new(HashMap::new()),
            refreshing: tokio::sync::Mutex::new(()),
            stale: std::sync::atomic::AtomicBool::new(false),
            auto_create,
        });
        cluster.bootstrap().await?;
        Ok(cluster)
    }

    /// The configuration.
    pub(crate) fn config(&self) -> &ClientConfig {
        &self.config
    }

    async fn bootstrap(&self) -> Result<(), Error> {
        let started = Instant::now();
        let deadline = started + self.config.operation_timeout;
        let mut backoff = Backoff::new(&self.config);
        let mut failures: Vec<String> = vec![String::new(); self.config.bootstrap_servers.len()];
        loop {
            let mut any_retriable = false;
            for (i, address) in self.config.bootstrap_servers.iter().enumerate() {
                let broker = BrokerName {
                    node: None,
                    address: address.clone(),
                };
                let left = deadline.saturating_duration_since(Instant::now());
                let connect_timeout = self
                    .config
                    .connect_timeout
                    .min(left)
                    .max(Duration::from_millis(1));
                let request_timeout = self
                    .config
                    .request_timeout
                    .min(left)
                    .max(Duration::from_millis(1));
                let answer = async {
                    let connection = Connection::open(
                        broker.clone(),
                        &self.config.client_id,
                        connect_timeout,
                        request_timeout,
                    )
                    .await?;
                    self.metadata_from(&connection, &[]).await
                }
                .await;
                match answer {
                    Ok(answer) => {
                        self.write_metadata().merge(&answer);
                        return Ok(());
                    }
                    Err(e) => {
                        tracing::debug!(%broker, error = %e, "bootstrap server failed");
                        any_retriable |= e.is_retriable();
                        failures[i] = e.to_string();
                    }
                }
            }
            // No shared version, say, does not get better by waiting.
            let wait = backoff.next_wait();
            if !any_retriable || Instant::now() + wait >= deadline {
                return Err(Error::Bootstrap {
                    waited: started.elapsed(),
                    failures,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    fn write_metadata(&self) -> std::sync::RwLockWriteGuard<'_, Metadata> {
        self.metadata.write().unwrap_or_else(|p| p.into_inner())
    }

    fn read_metadata(&self) -> std::sync::RwLockReadGuard<'_, Metadata> {
        self.metadata.read().unwrap_or_else(|p| p.into_inner())
    }

    async fn metadata_from(
        &self,
        connection: &Connection,
        topics: &[String],
    ) -> Result<MetadataResponse, Error> {
        let version = connection.version(ApiKey::Metadata)?;
        let request = MetadataRequest::default()
            .with_topics(if topics.is_empty() {
                // v4+: `None` asks for every topic; an empty list for none.
                Some(Vec::new())
            } else {
                Some(
                    topics
                        .iter()
                        .map(|t| {
                            MetadataRequestTopic::default()
                                .with_name(Some(TopicName(StrBytes::from(t.clone()))))
                        })
                        .collect(),
                )
            })
            .with_allow_auto_topic_creation(self.auto_create);
        connection.call(version, &request).await
    }

    /// Every topic in the cluster with its metadata (a Metadata request for
    /// all topics).
    pub(crate) async fn all_topics(&self) -> Result<Vec<(String, usize)>, Error> {
        let connection = self.any_connection().await?;
        let version = connection.version(ApiKey::Metadata)?;
        let answer = connection
            .call(version, &MetadataRequest::default().with_topics(None))
            .await?;
        let mut topics: Vec<(String, usize)> = answer
            .topics
            .iter()
            .filter(|t| !t.is_internal)
            .filter_map(|t| Some((t.name.as_ref()?.to_string(), t.partitions.len())))
            .collect();
        topics.sort();
        Ok(topics)
    }

    /// Marks metadata out of date: the next lookup asks again.
    pub(crate) fn invalidate(&self) {
        self.stale.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether metadata is stale or older than `metadata.max.age.ms`.
    pub(crate) fn needs_refresh(&self) -> bool {
        self.stale.load(std::sync::atomic::Ordering::Relaxed)
            || self
                .read_metadata()
                .updated
                .is_none_or(|at| at.elapsed() > self.config.metadata_max_age)
    }

    /// Asks for fresh metadata about the known topics and `topics`.
    pub(crate) async fn refresh(&self, topics: &[&str]) -> Result<(), Error> {
        let _one_at_a_time = self.refreshing.lock().await;
        let mut names: Vec<String> = self.read_metadata().topics.keys().cloned().collect();
        for topic in topics {
            if !names.iter().any(|n| n == topic) {
                names.push((*topic).to_owned());
            }
        }
        let connection = self.any_connection().await?;
        let answer = match self.metadata_from(&connection, &names).await {
            Ok(answer) => answer,
            Err(e) => {
                self.forget(&connection).await;
                return Err(e);
            }
        };
        self.write_metadata().merge(&answer);
        self.stale
            .store(false, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// What is known of `topic`, refreshed first when out of date or not
    /// yet known. A topic-level error (UNKNOWN_TOPIC_OR_PARTITION…) is
    /// returned as an error, retriable or not as Kafka says.
    pub(crate) async fn topic(&self, topic: &str) -> Result<TopicMetadata, Error> {
        let known = self.read_metadata().topics.get(topic).cloned();
        let known = match known {
            Some(known) if known.error.is_none() && !self.needs_refresh() => known,
            _ => {
                self.refresh(&[topic]).await?;
                self.read_metadata()
                    .topics
                    .get(topic)
                    .cloned()
                    .unwrap_or(TopicMetadata {
                        partitions: Vec::new(),
                        error: Some(ResponseError::UnknownTopicOrPartition),
                    })
            }
        };
        if let Some(code) = known.error {
            self.invalidate();
            return Err(Error::Topic {
                topic: topic.to_owned(),
                broker: self.some_broker_name(),
                code,
                message: None,
            });
        }
        Ok(known)
    }

    /// The cached partition count of `topic`, without asking anyone.
    pub(crate) fn cached_partition_count(&self, topic: &str) -> Option<usize> {
        self.read_metadata()
            .topics
            .get(topic)
            .filter(|t| t.error.is_none() && !t.partitions.is_empty())
            .map(|t| t.partitions.len())
    }

    /// The controller's node ID (admin requests go there).
    pub(crate) async fn controller(&self) -> Result<i32, Error> {
        if self.needs_refresh() {
            self.refresh(&[]).await?;
        }
        let metadata = self.read_metadata();
        Ok(metadata
            .controller
            .or_else(|| metadata.brokers.keys().min().copied())
            .unwrap_or(0))
    }

    /// The leader of `partition` and a connection to it on `lane`.
    pub(crate) async fn leader(
        &self,
        partition: &TopicPartition,
        lane: Lane,
    ) -> Result<Arc<Connection>, Error> {
        let topic = self.topic(&partition.topic).await?;
        let Some(found) = usize::try_from(partition.partition)
            .ok()
            .and_then(|i| topic.partitions.get(i))
        else {
            return Err(Error::NoSuchPartition {
                topic: partition.topic.clone(),
                partition: partition.partition,
                count: topic.partitions.len(),
            });
        };
        if let Some(code) = found.error.filter(|c| c.is_retriable()) {
            self.invalidate();
            return Err(Error::Partition {
                partition: partition.clone(),
                broker: self.some_broker_name(),
                code,
                message: None,
            });
        }
        if found.leader < 0 {
            self.invalidate();
            return Err(Error::NoLeader {
                partition: partition.clone(),
                leader: found.leader,
            });
        }
        self.node(found.leader, lane).await
    }

    /// The leader node ID of `partition`, as last known.
    pub(crate) fn cached_leader(&self, partition: &TopicPartition) -> Option<i32> {
        let metadata = self.read_metadata();
        let topic = metadata.topics.get(&partition.topic)?;
        let found = topic
            .partitions
            .get(usize::try_from(partition.partition).ok()?)?;
        (found.leader >= 0).then_some(found.leader)
    }

    /// A connection to broker `node` on `lane`, opened if needed.
    pub(crate) async fn node(&self, node: i32, lane: Lane) -> Result<Arc<Connection>, Error> {
        let address = self.read_metadata().brokers.get(&node).cloned();
        let Some(address) = address else {
            self.invalidate();
            return Err(Error::UnknownBroker { node });
        };
        self.connect_to(node, &address, lane).await
    }

    /// A connection to `address`, known as node `node`, on `lane`.
    pub(crate) async fn connect_to(
        &self,
        node: i32,
        address: &str,
        lane: Lane,
    ) -> Result<Arc<Connection>, Error> {
        let slot = Arc::clone(
            self.slots()
                .entry((node, lane))
                .or_insert_with(|| Arc::new(Slot::default())),
        );
        let mut held = slot.lock().await;
        if let Some(open) = held.as_ref() {
            if !open.is_closed() && open.broker().address == address {
                return Ok(Arc::clone(open));
            }
        }
        let broker = BrokerName {
            node: Some(node),
            address: address.to_owned(),
        };
        let opened = Arc::new(
            Connection::open(
                broker,
                &self.config.client_id,
                self.config.connect_timeout,
                self.config.request_timeout,
            )
            .await
            .inspect_err(|_| self.invalidate())?,
        );
        *held = Some(Arc::clone(&opened));
        Ok(opened)
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<(i32, Lane), Arc<Slot>>> {
        self.connections.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Closes `connection` (after a failure on it): the next request opens
    /// a new one, and metadata is refreshed first.
    pub(crate) async fn forget(&self, connection: &Arc<Connection>) {
        self.invalidate();
        let slots: Vec<Arc<Slot>> = self.slots().values().cloned().collect();
        for slot in slots {
            // A slot being filled holds a connection being opened, not this
            // one.
            if let Ok(mut held) = slot.try_lock() {
                if held
                    .as_ref()
                    .is_some_and(|open| Arc::ptr_eq(open, connection))
                {
                    *held = None;
                }
            }
        }
    }

    /// A connection to any known broker, or to a bootstrap server when no
    /// broker is known or reachable.
    async fn any_connection(&self) -> Result<Arc<Connection>, Error> {
        let mut nodes: Vec<i32> = self.read_metadata().brokers.keys().copied().collect();
        fastrand::shuffle(&mut nodes);
        let mut last = None;
        for node in nodes {
            match self.node(node, Lane::General).await {
                Ok(connection) => return Ok(connection),
                Err(e) => last = Some(e),
            }
        }
        for address in &self.config.bootstrap_servers {
            match self.connect_to(-1, address, Lane::General).await {
                Ok(connection) => return Ok(connection),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(Error::Closed))
    }

    /// Some broker's name, for errors about metadata (which any broker
    /// may have given).
    pub(crate) fn some_broker_name(&self) -> BrokerName {
        let metadata = self.read_metadata();
        match metadata.brokers.iter().min_by_key(|(node, _)| **node) {
            Some((node, address)) => BrokerName {
                node: Some(*node),
                address: address.clone(),
            },
            None => BrokerName {
                node: None,
                address: self.config.bootstrap_servers.join(","),
            },
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or the operation
    /// timeout would pass; retriable failures mark metadata stale and wait
    /// a growing, bounded backoff.
    pub(crate) async fn retry<T, F, Fut>(&self, what: &str, mut attempt: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let started = Instant::now();
        let deadline = started + self.config.operation_timeout;
        let mut backoff = Backoff::new(&self.config);
        let mut attempts = 0;
        loop {
            attempts += 1;
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(e) if e.is_retriable() => {
                    self.invalidate();
                    let wait = backoff.next_wait();
                    if Instant::now() + wait >= deadline {
                        return Err(Error::RetriesExhausted {
                            attempts,
                            waited: started.elapsed(),
                            last: Box::new(e),
                        });
                    }
                    tracing::debug!(error = %e, ?wait, "{what}: retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}
