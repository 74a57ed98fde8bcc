//! The consumer: explicit partitions from a start position, or a consumer
//! group's share of its topics; `poll` (or a stream) of records; commits
//! of what was handed out, and resuming from them.

mod assignor;
mod config;
mod fetcher;
mod group;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures_core::Stream;

pub use assignor::Assignor;
pub use config::{ConsumerConfig, OffsetReset};

use self::fetcher::{fetch, list_offsets, EARLIEST, LATEST};
use self::group::{commit_offsets, fetch_committed, standalone_coordinator, Membership};
use crate::cluster::Cluster;
use crate::connection::Connection;
use crate::error::{Error, TopicPartition};
use crate::records::Header;

/// Where to start reading an explicitly assigned partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartPosition {
    /// The oldest record still kept.
    Earliest,
    /// Records produced from now on.
    Latest,
    /// This offset.
    Offset(i64),
    /// The group's committed offset (needs `group.id`), or
    /// `auto.offset.reset` where nothing is committed.
    Committed,
}

/// A record read from a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerRecord {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// Its offset in the partition.
    pub offset: i64,
    /// The key, if it has one.
    pub key: Option<Bytes>,
    /// The value (`None` for a tombstone).
    pub value: Option<Bytes>,
    /// Its headers, in order.
    pub headers: Vec<Header>,
    /// Milliseconds since the Unix epoch.
    pub timestamp: i64,
}

/// A Kafka consumer, driven by its owner: records come from `poll` or
/// `stream`, and a group rebalance is handled inside them. Close it with
/// [`Consumer::close`]; a consumer merely dropped stops heartbeating and
/// its group notices only when its session times out.
pub struct Consumer {
    cluster: Arc<Cluster>,
    config: ConsumerConfig,
    /// The next offset to fetch, per assigned partition.
    positions: BTreeMap<TopicPartition, i64>,
    /// The offset after the last record handed out, per partition: what a
    /// commit records.
    consumed: BTreeMap<TopicPartition, i64>,
    /// What was last committed (or found committed).
    committed: BTreeMap<TopicPartition, i64>,
    /// Set when subscribed to topics through a group.
    membership: Option<Membership>,
    /// The group coordinator, for commits with explicit partitions.
    standalone: Option<Arc<Connection>>,
    /// Records fetched but not yet handed out by the stream.
    buffered: VecDeque<ConsumerRecord>,
    last_commit: Instant,
    /// Since when fetches have been failing (retriably), and how often.
    failing_since: Option<Instant>,
    failed_fetches: u32,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("group", &self.config.group_id)
            .field("positions", &self.positions)
            .finish_non_exhaustive()
    }
}

impl Consumer {
    async fn connect(config: ConsumerConfig) -> Result<Consumer, Error> {
        config.validate()?;
        let cluster = Cluster::connect(config.client.clone(), false).await?;
        Ok(Consumer {
            cluster,
            config,
            positions: BTreeMap::new(),
            consumed: BTreeMap::new(),
            committed: BTreeMap::new(),
            membership: None,
            standalone: None,
            buffered: VecDeque::new(),
            last_commit: Instant::now(),
            failing_since: None,
            failed_fetches: 0,
        })
    }

    /// A consumer of exactly these partitions, each from its start
    /// position. With a `group.id` it may commit (outside any group
    /// membership); without one, [`Consumer::commit`] is an error.
    pub async fn assign(
        config: ConsumerConfig,
        partitions: impl IntoIterator<Item = (TopicPartition, StartPosition)>,
    ) -> Result<Consumer, Error> {
        let mut consumer = Consumer::connect(config).await?;
        let partitions: Vec<(TopicPartition, StartPosition)> = partitions.into_iter().collect();
        let mut by_time: Vec<(TopicPartition, i64)> = Vec::new();
        let mut from_group = Vec::new();
        for (partition, start) in partitions {
            match start {
                StartPosition::Offset(offset) => {
                    consumer.positions.insert(partition, offset);
                }
                StartPosition::Earliest => by_time.push((partition, EARLIEST)),
                StartPosition::Latest => by_time.push((partition, LATEST)),
                StartPosition::Committed => from_group.push(partition),
            }
        }
        if !from_group.is_empty() {
            let committed = consumer.standalone_committed(&from_group).await?;
            consumer.start_from(committed).await?;
        }
        for timestamp in [EARLIEST, LATEST] {
            let wanted: Vec<TopicPartition> = by_time
                .iter()
                .filter(|(_, t)| *t == timestamp)
                .map(|(p, _)| p.clone())
                .collect();
            if !wanted.is_empty() {
                consumer
                    .positions
                    .extend(list_offsets(&consumer.cluster, &wanted, timestamp).await?);
            }
        }
        consumer.consumed = consumer.positions.clone();
        Ok(consumer)
    }

    /// A member of the consumer group `group.id` (required) reading its
    /// share of `topics`: joins at once, and again whenever the group
    /// rebalances (noticed by heartbeats, handled in `poll`). Each
    /// partition resumes from the group's committed offset, or from
    /// `auto.offset.reset`.
    pub async fn subscribe<S: Into<String>>(
        config: ConsumerConfig,
        topics: impl IntoIterator<Item = S>,
    ) -> Result<Consumer, Error> {
        let Some(group) = config.group_id.clone() else {
            return Err(Error::NoGroup("subscribe"));
        };
        let topics: Vec<String> = topics.into_iter().map(Into::into).collect();
        let mut consumer = Consumer::connect(config).await?;
        for topic in &topics {
            consumer
                .cluster
                .retry("Metadata", || consumer.cluster.topic(topic))
                .await?;
        }
        consumer.membership = Some(Membership::new(
            Arc::clone(&consumer.cluster),
            &consumer.config,
            &group,
            topics,
        ));
        consumer.rebalance().await?;
        Ok(consumer)
    }

    /// The partitions this consumer reads now.
    pub fn assignment(&self) -> Vec<TopicPartition> {
        self.positions.keys().cloned().collect()
    }

    /// The next offset this consumer will read from `partition`.
    pub fn position(&self, partition: &TopicPartition) -> Option<i64> {
        self.positions.get(partition).copied()
    }

    /// Moves the next read of an assigned `partition` to `offset` (records
    /// fetched but not yet handed out from it are dropped). As in Kafka, the
    /// next commit commits the new position.
    pub fn seek(&mut self, partition: &TopicPartition, offset: i64) -> Result<(), Error> {
        let Some(position) = self.positions.get_mut(partition) else {
            return Err(Error::NotAssigned {
                partition: partition.clone(),
            });
        };
        *position = offset;
        self.consumed.insert(partition.clone(), offset);
        self.buffered
            .retain(|r| r.topic != partition.topic || r.partition != partition.partition);
        Ok(())
    }

    /// Positions from committed offsets, `auto.offset.reset` elsewhere.
    async fn start_from(
        &mut self,
        committed: BTreeMap<TopicPartition, Option<i64>>,
    ) -> Result<(), Error> {
        let mut reset = Vec::new();
        for (partition, offset) in committed {
            match offset {
                Some(offset) => {
                    self.committed.insert(partition.clone(), offset);
                    self.positions.insert(partition, offset);
                }
                None => reset.push(partition),
            }
        }
        self.reset_positions(&reset).await
    }

    /// Moves `partitions` to where `auto.offset.reset` says.
    async fn reset_positions(&mut self, partitions: &[TopicPartition]) -> Result<(), Error> {
        if partitions.is_empty() {
            return Ok(());
        }
        let timestamp = match self.config.auto_offset_reset {
            OffsetReset::Earliest => EARLIEST,
            OffsetReset::Latest => LATEST,
            OffsetReset::Fail => {
                return Err(Error::Partition {
                    partition: partitions[0].clone(),
                    broker: crate::error::BrokerName {
                        node: None,
                        address: self.config.client.bootstrap_servers.join(","),
                    },
                    code: kafka_protocol::error::ResponseError::OffsetOutOfRange,
                    message: Some("no committed offset and auto.offset.reset=none".to_owned()),
                })
            }
        };
        let found = list_offsets(&self.cluster, partitions, timestamp).await?;
        for (partition, offset) in found {
            self.consumed.insert(partition.clone(), offset);
            self.positions.insert(partition, offset);
        }
        Ok(())
    }

    async fn standalone_committed(
        &mut self,
        partitions: &[TopicPartition],
    ) -> Result<BTreeMap<TopicPartition, Option<i64>>, Error> {
        let Some(group) = self.config.group_id.clone() else {
            return Err(Error::NoGroup("StartPosition::Committed"));
        };
        let connection = self.standalone_connection(&group).await?;
        let found = fetch_committed(&connection, &group, partitions).await?;
        Ok(partitions
            .iter()
            .map(|p| (p.clone(), found.get(p).copied().flatten()))
            .collect())
    }

    async fn standalone_connection(&mut self, group: &str) -> Result<Arc<Connection>, Error> {
        if let Some(open) = self.standalone.as_ref().filter(|c| !c.is_closed()) {
            return Ok(Arc::clone(open));
        }
        let connection = standalone_coordinator(&self.cluster, &self.config, group).await?;
        self.standalone = Some(Arc::clone(&connection));
        Ok(connection)
    }

    /// Commits what was handed out (when auto-committing), joins again,
    /// and positions the new assignment.
    async fn rebalance(&mut self) -> Result<(), Error> {
        if self.config.auto_commit && self.membership.as_ref().is_some_and(|m| m.needs_rejoin()) {
            if let Err(e) = self.commit().await {
                tracing::warn!(error = %e, "commit before rebalancing failed");
            }
        }
        let Some(membership) = self.membership.as_mut() else {
            return Ok(());
        };
        let assigned = membership.join().await?;
        let committed = membership.committed(&assigned).await?;
        self.positions.clear();
        self.consumed.clear();
        self.committed.clear();
        self.buffered.clear();
        let committed = assigned
            .iter()
            .map(|p| (p.clone(), committed.get(p).copied().flatten()))
            .collect();
        self.start_from(committed).await?;
        self.consumed = self.positions.clone();
        Ok(())
    }

    /// Records from the assigned partitions: waits up to
    /// `fetch.max.wait.ms` for some, and may return none. Handles a
    /// pending rebalance first, and auto-commits when due.
    pub async fn poll(&mut self) -> Result<Vec<ConsumerRecord>, Error> {
        if !self.buffered.is_empty() {
            let records: Vec<ConsumerRecord> = self.buffered.drain(..).collect();
            self.mark_consumed(&records);
            return Ok(records);
        }
        let records = self.fetch_more().await?;
        self.mark_consumed(&records);
        Ok(records)
    }

    /// The records as a stream, one at a time (each counts as handed out
    /// when the stream yields it). It never ends; an error is yielded and
    /// the stream may be polled again.
    pub fn stream(&mut self) -> impl Stream<Item = Result<ConsumerRecord, Error>> + Unpin + '_ {
        Box::pin(futures_util::stream::unfold(self, |consumer| async move {
            let next = consumer.next_record().await;
            Some((next, consumer))
        }))
    }

    async fn next_record(&mut self) -> Result<ConsumerRecord, Error> {
        loop {
            if let Some(record) = self.buffered.pop_front() {
                self.mark_consumed(std::slice::from_ref(&record));
                return Ok(record);
            }
            let records = self.fetch_more().await?;
            self.buffered.extend(records);
        }
    }

    fn mark_consumed(&mut self, records: &[ConsumerRecord]) {
        for record in records {
            let partition = TopicPartition::new(record.topic.clone(), record.partition);
            let next = record.offset + 1;
            let entry = self.consumed.entry(partition).or_insert(next);
            *entry = (*entry).max(next);
        }
    }

    async fn fetch_more(&mut self) -> Result<Vec<ConsumerRecord>, Error> {
        if self
            .membership
            .as_ref()
            .is_some_and(Membership::needs_rejoin)
        {
            self.rebalance().await?;
        }
        if self.config.auto_commit && self.last_commit.elapsed() >= self.config.auto_commit_interval
        {
            if let Err(e) = self.commit().await {
                tracing::warn!(error = %e, "auto-commit failed");
            }
        }
        if self.positions.is_empty() {
            tokio::time::sleep(self.config.fetch_max_wait).await;
            return Ok(Vec::new());
        }
        let round = fetch(&self.cluster, &self.config, &self.positions).await?;
        if let Some(failure) = &round.failure {
            // Retried by the next poll after a pause; an error once the
            // failures have lasted the operation timeout.
            let since = *self.failing_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= self.config.client.operation_timeout {
                self.failing_since = None;
                return Err(Error::RetriesExhausted {
                    attempts: self.failed_fetches + 1,
                    waited: since.elapsed(),
                    last: Box::new(failure.clone()),
                });
            }
            self.failed_fetches += 1;
            tokio::time::sleep(self.config.client.retry_backoff).await;
        } else {
            self.failing_since = None;
            self.failed_fetches = 0;
        }
        self.reset_positions(&round.out_of_range).await?;
        let mut records = Vec::new();
        for (partition, fetched) in round.fetched {
            if let Some(next) = fetched.next_offset {
                let position = self.positions.entry(partition.clone()).or_insert(next);
                *position = (*position).max(next);
            }
            records.extend(fetched.records.into_iter().map(|r| ConsumerRecord {
                topic: partition.topic.clone(),
                partition: partition.partition,
                offset: r.offset,
                key: r.key,
                value: r.value,
                headers: r.headers,
                timestamp: r.timestamp,
            }));
        }
        Ok(records)
    }

    /// Commits, for each partition, the offset after the last record
    /// handed out (by `poll` or the stream), so the group resumes there.
    pub async fn commit(&mut self) -> Result<(), Error> {
        self.last_commit = Instant::now();
        let pending: BTreeMap<TopicPartition, i64> = self
            .consumed
            .iter()
            .filter(|(p, o)| self.committed.get(*p) != Some(*o))
            .map(|(p, o)| (p.clone(), *o))
            .collect();
        if pending.is_empty() {
            return Ok(());
        }
        match self.membership.as_mut() {
            Some(membership) => membership.commit(&pending).await?,
            None => {
                let Some(group) = self.config.group_id.clone() else {
                    return Err(Error::NoGroup("commit"));
                };
                let connection = self.standalone_connection(&group).await?;
                commit_offsets(&connection, &group, -1, "", &pending).await?;
            }
        }
        self.committed.extend(pending);
        Ok(())
    }

    /// Commits (when auto-committing) and leaves the group, so the other
    /// members take over this one's partitions at once.
    pub async fn close(mut self) -> Result<(), Error> {
        let committed = if self.config.auto_commit && self.config.group_id.is_some() {
            self.commit().await
        } else {
            Ok(())
        };
        if let Some(membership) = self.membership.take() {
            tracing::debug!(group = membership.group(), "leaving");
            membership.leave().await?;
        }
        committed
    }
}
