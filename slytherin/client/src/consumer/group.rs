//! Consumer-group membership: finding the coordinator, joining (and
//! assigning partitions when this member leads), heartbeats in the
//! background, committed offsets, leaving.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::error::{ParseResponseErrorCode, ResponseError};
use kafka_protocol::messages::consumer_protocol_assignment::TopicPartition as AssignedTopic;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestTopic;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    ApiKey, ConsumerProtocolAssignment, ConsumerProtocolSubscription, FindCoordinatorRequest,
    GroupId, HeartbeatRequest, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest,
    OffsetCommitRequest, OffsetFetchRequest, SyncGroupRequest,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use tokio::task::JoinHandle;

use super::assignor::Assignor;
use super::config::ConsumerConfig;
use crate::cluster::{Cluster, Lane};
use crate::connection::Connection;
use crate::error::{Error, TopicPartition};
use crate::topics::by_topic;

/// The protocol type consumer groups use.
const CONSUMER: &str = "consumer";
/// The version of the subscription and assignment this client writes.
const EMBEDDED_VERSION: i16 = 0;

fn text(s: &str) -> StrBytes {
    StrBytes::from(s.to_owned())
}

/// How one attempt to join ended.
enum Joined {
    /// With these partitions.
    Assigned(Vec<TopicPartition>),
    /// The coordinator asks to join again (`pause`: after a backoff).
    Again { code: ResponseError, pause: bool },
}

/// What the heartbeat task tells the consumer.
#[derive(Debug, Default)]
struct Signals {
    /// Join again before the next fetch.
    rejoin: AtomicBool,
    /// The coordinator forgot this member: join as a new one.
    unknown_member: AtomicBool,
}

/// This consumer's membership of its group.
pub(crate) struct Membership {
    cluster: Arc<Cluster>,
    group: String,
    topics: Vec<String>,
    member_id: String,
    generation: i32,
    coordinator: Option<Arc<Connection>>,
    signals: Arc<Signals>,
    heartbeat: Option<JoinHandle<()>>,
    session_timeout: Duration,
    rebalance_timeout: Duration,
    heartbeat_interval: Duration,
    assignors: Vec<Assignor>,
}

impl Drop for Membership {
    fn drop(&mut self) {
        if let Some(task) = self.heartbeat.take() {
            task.abort();
        }
    }
}

impl Membership {
    /// A membership of `group` for `topics`, not yet joined.
    pub(crate) fn new(
        cluster: Arc<Cluster>,
        config: &ConsumerConfig,
        group: &str,
        topics: Vec<String>,
    ) -> Membership {
        Membership {
            cluster,
            group: group.to_owned(),
            topics,
            member_id: String::new(),
            generation: -1,
            coordinator: None,
            signals: Arc::new(Signals::default()),
            heartbeat: None,
            session_timeout: config.session_timeout,
            rebalance_timeout: config.rebalance_timeout,
            heartbeat_interval: config.heartbeat_interval,
            assignors: config.assignors.clone(),
        }
    }

    /// Whether the group is rebalancing (or this member must join again).
    pub(crate) fn needs_rejoin(&self) -> bool {
        self.generation < 0 || self.signals.rejoin.load(Ordering::Relaxed)
    }

    /// The group's name.
    pub(crate) fn group(&self) -> &str {
        &self.group
    }

    fn group_error(&self, api: ApiKey, code: ResponseError, connection: &Connection) -> Error {
        if matches!(
            code,
            ResponseError::NotCoordinator
                | ResponseError::CoordinatorNotAvailable
                | ResponseError::CoordinatorLoadInProgress
        ) {
            self.signals.rejoin.store(true, Ordering::Relaxed);
        }
        Error::Group {
            group: self.group.clone(),
            broker: connection.broker().clone(),
            api,
            code,
        }
    }

    /// The coordinator's connection, found with FindCoordinator when not
    /// known or broken.
    async fn coordinator(&mut self) -> Result<Arc<Connection>, Error> {
        if let Some(open) = &self.coordinator {
            if !open.is_closed() {
                return Ok(Arc::clone(open));
            }
        }
        let cluster = Arc::clone(&self.cluster);
        let node = cluster.controller().await?;
        let asked = cluster.node(node, Lane::General).await?;
        let version = asked.version(ApiKey::FindCoordinator)?;
        let request = FindCoordinatorRequest::default()
            .with_key(text(&self.group))
            .with_key_type(0);
        let answer = asked.call(version, &request).await?;
        if let Some(code) = answer.error_code.err() {
            return Err(Error::Group {
                group: self.group.clone(),
                broker: asked.broker().clone(),
                api: ApiKey::FindCoordinator,
                code,
            });
        }
        let address = format!("{}:{}", answer.host.as_str(), answer.port);
        let connection = cluster
            .connect_to(answer.node_id.0, &address, Lane::Group)
            .await?;
        self.coordinator = Some(Arc::clone(&connection));
        Ok(connection)
    }

    /// Joins (or rejoins) the group and returns this member's partitions.
    /// Retries through coordinator moves and concurrent rebalances.
    pub(crate) async fn join(&mut self) -> Result<Vec<TopicPartition>, Error> {
        if let Some(task) = self.heartbeat.take() {
            task.abort();
        }
        let started = std::time::Instant::now();
        let limit = self.cluster.config().operation_timeout + self.rebalance_timeout;
        let mut backoff = crate::backoff::Backoff::new(self.cluster.config());
        loop {
            match self.join_once().await {
                Ok(Joined::Assigned(assignment)) => {
                    self.signals.rejoin.store(false, Ordering::Relaxed);
                    self.start_heartbeat();
                    return Ok(assignment);
                }
                Ok(Joined::Again { code, pause }) => {
                    if started.elapsed() >= limit {
                        return Err(Error::Group {
                            group: self.group.clone(),
                            broker: self.coordinator.as_ref().map_or_else(
                                || self.cluster.some_broker_name(),
                                |c| c.broker().clone(),
                            ),
                            api: ApiKey::JoinGroup,
                            code,
                        });
                    }
                    if pause {
                        tokio::time::sleep(backoff.next_wait()).await;
                    }
                }
                Err(e) if e.is_retriable() && started.elapsed() < limit => {
                    self.cluster.invalidate();
                    if matches!(
                        e,
                        Error::Io { .. } | Error::Disconnected { .. } | Error::Timeout { .. }
                    ) {
                        self.coordinator = None;
                    }
                    tracing::debug!(group = %self.group, error = %e, "join: retrying");
                    tokio::time::sleep(backoff.next_wait()).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One JoinGroup and SyncGroup.
    async fn join_once(&mut self) -> Result<Joined, Error> {
        if self.signals.unknown_member.swap(false, Ordering::Relaxed) {
            self.member_id.clear();
        }
        if self.signals.rejoin.load(Ordering::Relaxed)
            && self.coordinator.as_ref().is_some_and(|c| c.is_closed())
        {
            self.coordinator = None;
        }
        let connection = self.coordinator().await?;
        let version = connection.version(ApiKey::JoinGroup)?;
        let subscription = encode_subscription(&self.topics);
        let request = JoinGroupRequest::default()
            .with_group_id(GroupId(text(&self.group)))
            .with_session_timeout_ms(millis(self.session_timeout))
            .with_rebalance_timeout_ms(millis(self.rebalance_timeout))
            .with_member_id(text(&self.member_id))
            .with_protocol_type(StrBytes::from_static_str(CONSUMER))
            .with_protocols(
                self.assignors
                    .iter()
                    .map(|a| {
                        JoinGroupRequestProtocol::default()
                            .with_name(StrBytes::from_static_str(a.name()))
                            .with_metadata(subscription.clone())
                    })
                    .collect(),
            );
        let joined: JoinGroupResponse = connection
            .call_waiting(version, &request, self.rebalance_timeout)
            .await?;
        match joined.error_code.err() {
            None => {}
            Some(code @ ResponseError::MemberIdRequired) => {
                self.member_id = joined.member_id.to_string();
                return Ok(Joined::Again { code, pause: false });
            }
            Some(code @ ResponseError::UnknownMemberId) => {
                self.member_id.clear();
                return Ok(Joined::Again { code, pause: false });
            }
            Some(code @ ResponseError::RebalanceInProgress) => {
                return Ok(Joined::Again { code, pause: true })
            }
            Some(code) => return Err(self.group_error(ApiKey::JoinGroup, code, &connection)),
        }
        self.member_id = joined.member_id.to_string();
        self.generation = joined.generation_id;
        let protocol = joined
            .protocol_name
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default();
        let assignments = if joined.leader.as_str() == self.member_id {
            self.lead(&joined, &protocol).await?
        } else {
            Vec::new()
        };
        let version = connection.version(ApiKey::SyncGroup)?;
        let mut request = SyncGroupRequest::default()
            .with_group_id(GroupId(text(&self.group)))
            .with_generation_id(self.generation)
            .with_member_id(text(&self.member_id))
            .with_assignments(assignments);
        if version >= 5 {
            request = request
                .with_protocol_type(Some(StrBytes::from_static_str(CONSUMER)))
                .with_protocol_name(Some(text(&protocol)));
        }
        let synced = connection
            .call_waiting(version, &request, self.rebalance_timeout)
            .await?;
        match synced.error_code.err() {
            None => {}
            Some(code @ ResponseError::RebalanceInProgress) => {
                return Ok(Joined::Again { code, pause: false })
            }
            Some(code @ (ResponseError::UnknownMemberId | ResponseError::IllegalGeneration)) => {
                self.member_id.clear();
                return Ok(Joined::Again { code, pause: false });
            }
            Some(code) => return Err(self.group_error(ApiKey::SyncGroup, code, &connection)),
        }
        let assigned = decode_assignment(synced.assignment).map_err(|reason| Error::Group {
            group: format!("{} (assignment: {reason})", self.group),
            broker: connection.broker().clone(),
            api: ApiKey::SyncGroup,
            code: ResponseError::InconsistentGroupProtocol,
        })?;
        tracing::debug!(group = %self.group, member = %self.member_id, generation = self.generation, ?assigned, "joined");
        Ok(Joined::Assigned(assigned))
    }

    /// The leader's assignment of every member's subscription.
    async fn lead(
        &self,
        joined: &JoinGroupResponse,
        protocol: &str,
    ) -> Result<Vec<SyncGroupRequestAssignment>, Error> {
        let assignor = Assignor::from_name(protocol).unwrap_or(Assignor::Range);
        let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for member in &joined.members {
            let topics = decode_subscription(member.metadata.clone()).unwrap_or_else(|reason| {
                tracing::warn!(group = %self.group, member = %member.member_id.as_str(), %reason, "leader: a subscription that does not decode gets no partitions");
                Vec::new()
            });
            members.insert(member.member_id.to_string(), topics);
        }
        let mut topics: BTreeMap<String, i32> = BTreeMap::new();
        for topic in members.values().flatten() {
            if topics.contains_key(topic) {
                continue;
            }
            match self.cluster.topic(topic).await {
                Ok(found) => {
                    topics.insert(topic.clone(), found.partitions.len() as i32);
                }
                Err(e) => {
                    tracing::warn!(group = %self.group, %topic, error = %e, "leader: topic left out of the assignment")
                }
            }
        }
        Ok(assignor
            .assign(&members, &topics)
            .into_iter()
            .map(|(member, partitions)| {
                SyncGroupRequestAssignment::default()
                    .with_member_id(text(&member))
                    .with_assignment(encode_assignment(&partitions))
            })
            .collect())
    }

    fn start_heartbeat(&mut self) {
        let Some(connection) = self.coordinator.clone() else {
            return;
        };
        let signals = Arc::clone(&self.signals);
        let group = self.group.clone();
        let member = self.member_id.clone();
        let generation = self.generation;
        let interval = self.heartbeat_interval;
        self.heartbeat = Some(tokio::spawn(async move {
            loop {
                tokio::time::sleep(interval).await;
                let Ok(version) = connection.version(ApiKey::Heartbeat) else {
                    return;
                };
                let request = HeartbeatRequest::default()
                    .with_group_id(GroupId(text(&group)))
                    .with_generation_id(generation)
                    .with_member_id(text(&member));
                match connection.call(version, &request).await {
                    Ok(answer) => match answer.error_code.err() {
                        None => {}
                        Some(ResponseError::UnknownMemberId | ResponseError::FencedInstanceId) => {
                            signals.unknown_member.store(true, Ordering::Relaxed);
                            signals.rejoin.store(true, Ordering::Relaxed);
                            return;
                        }
                        Some(code) => {
                            tracing::debug!(%group, %code, "heartbeat: joining again");
                            signals.rejoin.store(true, Ordering::Relaxed);
                            return;
                        }
                    },
                    Err(e) if connection.is_closed() => {
                        tracing::debug!(%group, error = %e, "heartbeat: coordinator lost");
                        signals.rejoin.store(true, Ordering::Relaxed);
                        return;
                    }
                    Err(e) => tracing::debug!(%group, error = %e, "heartbeat failed"),
                }
            }
        }));
    }

    /// Commits `offsets` (the next offset to read, per partition) for this
    /// member's generation.
    pub(crate) async fn commit(
        &mut self,
        offsets: &BTreeMap<TopicPartition, i64>,
    ) -> Result<(), Error> {
        let (generation, member) = (self.generation, self.member_id.clone());
        let connection = self.coordinator().await?;
        commit_offsets(&connection, &self.group, generation, &member, offsets).await
    }

    /// The committed offsets of `partitions` (`None` where nothing is
    /// committed).
    pub(crate) async fn committed(
        &mut self,
        partitions: &[TopicPartition],
    ) -> Result<HashMap<TopicPartition, Option<i64>>, Error> {
        let connection = self.coordinator().await?;
        fetch_committed(&connection, &self.group, partitions).await
    }

    /// Leaves the group (the others rebalance at once instead of waiting
    /// for this member's session to time out).
    pub(crate) async fn leave(mut self) -> Result<(), Error> {
        if let Some(task) = self.heartbeat.take() {
            task.abort();
        }
        if self.member_id.is_empty() {
            return Ok(());
        }
        let connection = self.coordinator().await?;
        let version = connection.version(ApiKey::LeaveGroup)?;
        let request = if version >= 3 {
            LeaveGroupRequest::default()
                .with_group_id(GroupId(text(&self.group)))
                .with_members(vec![
                    MemberIdentity::default().with_member_id(text(&self.member_id))
                ])
        } else {
            LeaveGroupRequest::default()
                .with_group_id(GroupId(text(&self.group)))
                .with_member_id(text(&self.member_id))
        };
        let answer = connection.call(version, &request).await?;
        match answer.error_code.err() {
            None | Some(ResponseError::UnknownMemberId) => Ok(()),
            Some(code) => Err(self.group_error(ApiKey::LeaveGroup, code, &connection)),
        }
    }
}

/// The coordinator's connection for `group`, for a consumer that commits
/// without being a member (explicit partitions).
pub(crate) async fn standalone_coordinator(
    cluster: &Arc<Cluster>,
    config: &ConsumerConfig,
    group: &str,
) -> Result<Arc<Connection>, Error> {
    let mut membership = Membership::new(Arc::clone(cluster), config, group, Vec::new());
    membership.coordinator().await
}

/// OffsetCommit of `offsets` for `group`.
pub(crate) async fn commit_offsets(
    connection: &Connection,
    group: &str,
    generation: i32,
    member: &str,
    offsets: &BTreeMap<TopicPartition, i64>,
) -> Result<(), Error> {
    let version = connection.version(ApiKey::OffsetCommit)?;
    let topics = by_topic(offsets.iter().map(|(partition, &offset)| {
        let entry = OffsetCommitRequestPartition::default()
            .with_partition_index(partition.partition)
            .with_committed_offset(offset);
        (partition, entry)
    }))
    .into_iter()
    .map(|(name, entries)| {
        OffsetCommitRequestTopic::default()
            .with_name(name)
            .with_partitions(entries)
    })
    .collect();
    let request = OffsetCommitRequest::default()
        .with_group_id(GroupId(text(group)))
        .with_generation_id_or_member_epoch(generation)
        .with_member_id(text(member))
        .with_topics(topics);
    let answer = connection.call(version, &request).await?;
    for topic in &answer.topics {
        for p in &topic.partitions {
            if let Some(code) = p.error_code.err() {
                return Err(Error::Partition {
                    partition: TopicPartition::new(topic.name.as_str(), p.partition_index),
                    broker: connection.broker().clone(),
                    code,
                    message: Some(format!("committing for group {group:?}")),
                });
            }
        }
    }
    Ok(())
}

/// OffsetFetch of `partitions` for `group`.
pub(crate) async fn fetch_committed(
    connection: &Connection,
    group: &str,
    partitions: &[TopicPartition],
) -> Result<HashMap<TopicPartition, Option<i64>>, Error> {
    let version = connection.version(ApiKey::OffsetFetch)?;
    let topics = by_topic(partitions.iter().map(|p| (p, p.partition)))
        .into_iter()
        .map(|(name, indexes)| {
            OffsetFetchRequestTopic::default()
                .with_name(name)
                .with_partition_indexes(indexes)
        })
        .collect();
    let request = OffsetFetchRequest::default()
        .with_group_id(GroupId(text(group)))
        .with_topics(Some(topics));
    let answer = connection.call(version, &request).await?;
    if let Some(code) = answer.error_code.err() {
        return Err(Error::Group {
            group: group.to_owned(),
            broker: connection.broker().clone(),
            api: ApiKey::OffsetFetch,
            code,
        });
    }
    let mut out = HashMap::new();
    for topic in &answer.topics {
        for p in &topic.partitions {
            let partition = TopicPartition::new(topic.name.as_str(), p.partition_index);
            if let Some(code) = p.error_code.err() {
                return Err(Error::Partition {
                    partition,
                    broker: connection.broker().clone(),
                    code,
                    message: Some(format!("committed offset of group {group:?}")),
                });
            }
            out.insert(partition, Some(p.committed_offset).filter(|&o| o >= 0));
        }
    }
    Ok(out)
}

fn millis(duration: Duration) -> i32 {
    i32::try_from(duration.as_millis()).unwrap_or(i32::MAX)
}

/// A member's subscription, as JoinGroup carries it: a version, then
/// `ConsumerProtocolSubscription`.
fn encode_subscription(topics: &[String]) -> Bytes {
    let mut buf = BytesMut::new();
    buf.put_i16(EMBEDDED_VERSION);
    let subscription = ConsumerProtocolSubscription::default()
        .with_topics(topics.iter().map(|t| text(t)).collect());
    // Encoding a plain list of names at v0 cannot fail.
    let _ = subscription.encode(&mut buf, EMBEDDED_VERSION);
    buf.freeze()
}

fn decode_subscription(mut bytes: Bytes) -> Result<Vec<String>, String> {
    if bytes.len() < 2 {
        return Err("no version".to_owned());
    }
    let version = bytes.get_i16().clamp(0, 3);
    let subscription =
        ConsumerProtocolSubscription::decode(&mut bytes, version).map_err(|e| e.to_string())?;
    Ok(subscription.topics.iter().map(|t| t.to_string()).collect())
}

/// A member's partitions, as SyncGroup carries them.
fn encode_assignment(partitions: &[TopicPartition]) -> Bytes {
    let topics: Vec<AssignedTopic> = by_topic(partitions.iter().map(|p| (p, p.partition)))
        .into_iter()
        .map(|(name, indexes)| {
            AssignedTopic::default()
                .with_topic(name)
                .with_partitions(indexes)
        })
        .collect();
    let mut buf = BytesMut::new();
    buf.put_i16(EMBEDDED_VERSION);
    let _ = ConsumerProtocolAssignment::default()
        .with_assigned_partitions(topics)
        .encode(&mut buf, EMBEDDED_VERSION);
    buf.freeze()
}

fn decode_assignment(mut bytes: Bytes) -> Result<Vec<TopicPartition>, String> {
    if bytes.is_empty() {
        // No partitions for this member (Kafka sends an empty assignment).
        return Ok(Vec::new());
    }
    if bytes.len() < 2 {
        return Err("no version".to_owned());
    }
    let version = bytes.get_i16().clamp(0, 3);
    let assignment =
        ConsumerProtocolAssignment::decode(&mut bytes, version).map_err(|e| e.to_string())?;
    let mut out: Vec<TopicPartition> = assignment
        .assigned_partitions
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .map(|&p| TopicPartition::new(t.topic.as_str(), p))
        })
        .collect();
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn assignments_and_subscriptions_round_trip(
            topics in proptest::collection::btree_set("[a-z.]{1,12}", 0..5),
            partitions in proptest::collection::btree_set(("[a-z]{1,5}", 0i32..100), 0..20)
        ) {
            let topics: Vec<String> = topics.into_iter().collect();
            prop_assert_eq!(decode_subscription(encode_subscription(&topics)), Ok(topics));
            let mut partitions: Vec<TopicPartition> =
                partitions.into_iter().map(|(t, p)| TopicPartition::new(t, p)).collect();
            partitions.sort();
            prop_assert_eq!(decode_assignment(encode_assignment(&partitions)), Ok(partitions));
        }
    }
}
