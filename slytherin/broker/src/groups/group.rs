//! The groups and their members.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use super::codes::{
    ILLEGAL_GENERATION, INCONSISTENT_GROUP_PROTOCOL, INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT,
    REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID,
};
use super::persist::{GroupRecord, MemberRecord};

/// Session timeouts a member may ask for: Kafka's defaults for
/// `group.min.session.timeout.ms` and `group.max.session.timeout.ms`.
const SESSION_TIMEOUTS: std::ops::RangeInclusive<Duration> =
    Duration::from_secs(6)..=Duration::from_secs(30 * 60);

/// What a JoinGroup asks for.
#[derive(Debug, Clone)]
pub struct JoinRequest {
    /// Empty for a member joining for the first time.
    pub member_id: String,
    /// The client's ID, the prefix of a new member ID.
    pub client_id: String,
    /// Dropped when silent this long.
    pub session_timeout: Duration,
    /// How long a rebalance may wait for this member to join again.
    pub rebalance_timeout: Duration,
    /// "consumer" for consumers.
    pub protocol_type: String,
    /// Assignment strategies the member supports, in its order of
    /// preference, with its metadata for each.
    pub protocols: Vec<(String, Bytes)>,
}

/// The answer to a JoinGroup once its rebalance completes.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinOutcome {
    /// Still waiting for the rebalance, at most until this instant.
    Waiting(Instant),
    /// The rebalance completed.
    Joined {
        /// The new generation.
        generation: i32,
        /// The strategy chosen.
        protocol: String,
        /// The protocol type.
        protocol_type: String,
        /// The leader's member ID.
        leader: String,
        /// For the leader: every member and its metadata for the chosen
        /// strategy; empty for the others.
        members: Vec<(String, Bytes)>,
    },
    /// A Kafka error code.
    Failed(i16),
}

/// Who commits offsets. Generation -1 with no member ID is a consumer
/// outside any group (it assigns itself partitions).
#[derive(Debug, Clone, Copy)]
pub struct Committer<'a> {
    /// The group.
    pub group_id: &'a str,
    /// The member, empty outside a group.
    pub member_id: &'a str,
    /// The generation the member belongs to, -1 outside a group.
    pub generation: i32,
}

/// A group as DescribeGroups shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    /// Kafka's name for its state: Empty, PreparingRebalance,
    /// CompletingRebalance or Stable.
    pub state: &'static str,
    /// "consumer" for consumers.
    pub protocol_type: String,
    /// The assignment strategy of the current generation.
    pub protocol: String,
    /// Members: ID, client ID, metadata for the strategy, assignment.
    pub members: Vec<(String, String, Bytes, Bytes)>,
}

/// The answer to a SyncGroup.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncOutcome {
    /// The leader has not handed over the assignment yet.
    Waiting(Instant),
    /// This member's assignment.
    Assigned(Bytes),
    /// A Kafka error code.
    Failed(i16),
}

#[derive(Debug, Clone)]
struct Member {
    client_id: String,
    session_timeout: Duration,
    rebalance_timeout: Duration,
    protocols: Vec<(String, Bytes)>,
    last_seen: Instant,
    /// Joined the rebalance under way.
    joined: bool,
    assignment: Option<Bytes>,
}

#[derive(Debug, Default)]
struct Group {
    generation: i32,
    protocol_type: Option<String>,
    protocol: Option<String>,
    leader: Option<String>,
    members: BTreeMap<String, Member>,
    /// A rebalance under way and when it gives up on missing members.
    rebalance_deadline: Option<Instant>,
    /// Completed a rebalance; the leader's assignment has not come yet.
    awaiting_sync: bool,
    offsets: BTreeMap<(String, i32), (i64, Option<String>)>,
}

/// Every consumer group this broker coordinates.
#[derive(Debug, Default)]
pub struct Groups {
    groups: HashMap<String, Group>,
    next_member: u64,
}

impl Groups {
    /// Registers a JoinGroup: the member's ID and the generation its join
    /// waits for, or an error code.
    pub fn join(
        &mut self,
        group_id: &str,
        request: JoinRequest,
        now: Instant,
    ) -> Result<(String, i32), i16> {
        if group_id.is_empty() {
            return Err(INVALID_GROUP_ID);
        }
        if !SESSION_TIMEOUTS.contains(&request.session_timeout) {
            return Err(INVALID_SESSION_TIMEOUT);
        }
        let group = self.groups.entry(group_id.to_owned()).or_default();
        group.expire(now);
        if group
            .protocol_type
            .as_ref()
            .is_some_and(|t| *t != request.protocol_type && !group.members.is_empty())
            || !group.fits(&request.protocols)
        {
            return Err(INCONSISTENT_GROUP_PROTOCOL);
        }
        let member_id = if request.member_id.is_empty() {
            self.next_member += 1;
            format!("{}-{}", request.client_id, self.next_member)
        } else if group.members.contains_key(&request.member_id) {
            request.member_id
        } else {
            return Err(UNKNOWN_MEMBER_ID);
        };
        // Any join while the group is settled opens a rebalance (Kafka
        // spares a known member with unchanged metadata; rebalancing is
        // simpler and costs one round).
        let opens_rebalance = group.rebalance_deadline.is_none();
        group.protocol_type = Some(request.protocol_type);
        let member = Member {
            client_id: request.client_id,
            session_timeout: request.session_timeout,
            rebalance_timeout: request.rebalance_timeout,
            protocols: request.protocols,
            last_seen: now,
            joined: true,
            assignment: None,
        };
        group.members.insert(member_id.clone(), member);
        if opens_rebalance {
            group.start_rebalance(now);
            if let Some(member) = group.members.get_mut(&member_id) {
                member.joined = true;
            }
        }
        group.extend_deadline(now);
        Ok((member_id, group.generation + 1))
    }

    /// Where the join of `member_id`, waiting for generation `target`,
    /// stands; completes the rebalance when it can.
    pub fn poll_join(
        &mut self,
        group_id: &str,
        member_id: &str,
        target: i32,
        now: Instant,
    ) -> JoinOutcome {
        let Some(group) = self.groups.get_mut(group_id) else {
            return JoinOutcome::Failed(UNKNOWN_MEMBER_ID);
        };
        group.complete_rebalance_if_ready(now);
        let Some(member) = group.members.get_mut(member_id) else {
            return JoinOutcome::Failed(UNKNOWN_MEMBER_ID);
        };
        member.last_seen = now;
        if group.generation < target || group.rebalance_deadline.is_some() && member.joined {
            return match group.rebalance_deadline {
                Some(deadline) => JoinOutcome::Waiting(deadline),
                None => JoinOutcome::Failed(REBALANCE_IN_PROGRESS),
            };
        }
        if group.generation != target {
            return JoinOutcome::Failed(ILLEGAL_GENERATION);
        }
        let protocol = group.protocol.clone().unwrap_or_default();
        let leader = group.leader.clone().unwrap_or_default();
        let members = if leader == member_id {
            group
                .members
                .iter()
                .map(|(id, m)| (id.clone(), m.metadata(&protocol)))
                .collect()
        } else {
            Vec::new()
        };
        JoinOutcome::Joined {
            generation: group.generation,
            protocol,
            protocol_type: group.protocol_type.clone().unwrap_or_default(),
            leader,
            members,
        }
    }

    /// Registers a SyncGroup (the leader's carries the assignment) and says
    /// where it stands.
    pub fn sync(
        &mut self,
        group_id: &str,
        member_id: &str,
        generation: i32,
        assignments: Vec<(String, Bytes)>,
        now: Instant,
    ) -> SyncOutcome {
        let group = match self.settled_member(group_id, member_id, generation, now) {
            Ok(group) => group,
            Err(code) => return SyncOutcome::Failed(code),
        };
        if group.awaiting_sync && group.leader.as_deref() == Some(member_id) {
            for (id, assignment) in assignments {
                if let Some(member) = group.members.get_mut(&id) {
                    member.assignment = Some(assignment);
                }
            }
            for member in group.members.values_mut() {
                member.assignment.get_or_insert_with(Bytes::new);
            }
            group.awaiting_sync = false;
        }
        self.poll_sync(group_id, member_id, generation, now)
    }

    /// Where a SyncGroup waiting for the leader's assignment stands.
    pub fn poll_sync(
        &mut self,
        group_id: &str,
        member_id: &str,
        generation: i32,
        now: Instant,
    ) -> SyncOutcome {
        let group = match self.settled_member(group_id, member_id, generation, now) {
            Ok(group) => group,
            Err(code) => return SyncOutcome::Failed(code),
        };
        let Some(member) = group.members.get(member_id) else {
            return SyncOutcome::Failed(UNKNOWN_MEMBER_ID);
        };
        match &member.assignment {
            Some(assignment) => SyncOutcome::Assigned(assignment.clone()),
            // The leader has its session timeout to hand the assignment over.
            None => SyncOutcome::Waiting(now + member.session_timeout),
        }
    }

    /// A Heartbeat: 0 when all is well, or the error code telling the
    /// member what to do.
    pub fn heartbeat(
        &mut self,
        group_id: &str,
        member_id: &str,
        generation: i32,
        now: Instant,
    ) -> i16 {
        self.settled_member(group_id, member_id, generation, now)
            .err()
            .unwrap_or(0)
    }

    /// The group of a member of the current generation, with no rebalance
    /// under way; or the error code saying otherwise.
    fn settled_member(
        &mut self,
        group_id: &str,
        member_id: &str,
        generation: i32,
        now: Instant,
    ) -> Result<&mut Group, i16> {
        let group = self.groups.get_mut(group_id).ok_or(UNKNOWN_MEMBER_ID)?;
        group.check_member(member_id, generation, now)?;
        Ok(group)
    }

    /// A LeaveGroup for one member: 0 or an error code.
    pub fn leave(&mut self, group_id: &str, member_id: &str, now: Instant) -> i16 {
        let Some(group) = self.groups.get_mut(group_id) else {
            return UNKNOWN_MEMBER_ID;
        };
        if group.members.remove(member_id).is_none() {
            return UNKNOWN_MEMBER_ID;
        }
        group.start_rebalance(now);
        0
    }

    /// An OffsetCommit for one partition: 0 or an error code.
    pub fn commit(
        &mut self,
        by: &Committer<'_>,
        partition: (String, i32),
        committed: (i64, Option<String>),
        now: Instant,
    ) -> i16 {
        if by.group_id.is_empty() {
            return INVALID_GROUP_ID;
        }
        let group = self.groups.entry(by.group_id.to_owned()).or_default();
        if by.generation >= 0 || !by.member_id.is_empty() {
            if let Err(code) = group.check_member(by.member_id, by.generation, now) {
                // Kafka lets members commit while a rebalance is under way.
                if code != REBALANCE_IN_PROGRESS {
                    return code;
                }
            }
        }
        group.offsets.insert(partition, committed);
        0
    }

    /// How many groups this broker knows.
    pub fn count(&self) -> usize {
        self.groups.len()
    }

    /// How many offsets are committed, over every group.
    pub fn committed_count(&self) -> usize {
        self.groups.values().map(|g| g.offsets.len()).sum()
    }

    /// Puts back an offset read from the offsets topic.
    pub fn restore(&mut self, commit: super::persist::Commit) {
        let group = self.groups.entry(commit.group).or_default();
        group.offsets.insert(
            (commit.topic, commit.partition),
            (commit.offset, commit.metadata),
        );
    }

    /// A committed offset and its metadata.
    pub fn committed(
        &self,
        group_id: &str,
        topic: &str,
        partition: i32,
    ) -> Option<(i64, Option<String>)> {
        self.groups
            .get(group_id)?
            .offsets
            .get(&(topic.to_owned(), partition))
            .cloned()
    }

    /// Every group: its ID, protocol type and state.
    pub fn list(&mut self, now: Instant) -> Vec<(String, String, &'static str)> {
        let mut all: Vec<_> = self
            .groups
            .iter_mut()
            .map(|(id, group)| {
                group.expire(now);
                (
                    id.clone(),
                    group.protocol_type.clone().unwrap_or_default(),
                    group.state(),
                )
            })
            .collect();
        all.sort();
        all
    }

    /// One group's state and members, if the broker knows it.
    pub fn describe(&mut self, group_id: &str, now: Instant) -> Option<GroupView> {
        let group = self.groups.get_mut(group_id)?;
        group.expire(now);
        let protocol = group.protocol.clone().unwrap_or_default();
        Some(GroupView {
            state: group.state(),
            protocol_type: group.protocol_type.clone().unwrap_or_default(),
            members: group
                .members
                .iter()
                .map(|(id, m)| {
                    let assignment = m.assignment.clone().unwrap_or_default();
                    (
                        id.clone(),
                        m.client_id.clone(),
                        m.metadata(&protocol),
                        assignment,
                    )
                })
                .collect(),
            protocol,
        })
    }

    /// Every committed offset, as the offsets topic stores them, by group,
    /// topic and partition.
    pub fn all_committed(&self) -> Vec<super::persist::Commit> {
        let mut all: Vec<_> = self
            .groups
            .iter()
            .flat_map(|(group, g)| {
                g.offsets
                    .iter()
                    .map(
                        move |((topic, partition), (offset, metadata))| super::persist::Commit {
                            group: group.clone(),
                            topic: topic.clone(),
                            partition: *partition,
                            offset: *offset,
                            metadata: metadata.clone(),
                        },
                    )
            })
            .collect();
        all.sort_by(|a, b| {
            (&a.group, &a.topic, a.partition).cmp(&(&b.group, &b.topic, b.partition))
        });
        all
    }

    /// A group's membership as the offsets topic stores it: its members
    /// (with their assignments once the leader handed them over) and
    /// generation. `None` for a group this broker does not know.
    pub fn record(&self, group_id: &str) -> Option<GroupRecord> {
        let group = self.groups.get(group_id)?;
        Some(GroupRecord {
            group: group_id.to_owned(),
            generation: group.generation,
            protocol_type: group.protocol_type.clone(),
            protocol: group.protocol.clone(),
            leader: group.leader.clone(),
            members: group
                .members
                .iter()
                .map(|(id, m)| MemberRecord {
                    id: id.clone(),
                    client_id: m.client_id.clone(),
                    session_timeout_ms: m.session_timeout.as_millis() as u64,
                    rebalance_timeout_ms: m.rebalance_timeout.as_millis() as u64,
                    protocols: m
                        .protocols
                        .iter()
                        .map(|(name, metadata)| (name.clone(), metadata.to_vec()))
                        .collect(),
                    assignment: m.assignment.as_ref().map(|a| a.to_vec()),
                })
                .collect(),
        })
    }

    /// Every group's membership, by group ID (for a compaction snapshot).
    pub fn all_records(&self) -> Vec<GroupRecord> {
        let mut ids: Vec<&String> = self.groups.keys().collect();
        ids.sort();
        ids.into_iter()
            .filter_map(|id| self.record(id))
            // A group only committed to (no member ever joined) has no
            // membership to keep.
            .filter(|r| !r.members.is_empty() || r.generation > 0)
            .collect()
    }

    /// Puts back a group's membership read from the offsets topic (its
    /// committed offsets are restored apart). Every member is given its
    /// session timeout from `now` to be heard from again; a group that was
    /// rebalancing when it was stored rebalances again as its members
    /// rejoin.
    pub fn restore_group(&mut self, record: GroupRecord, now: Instant) {
        let group = self.groups.entry(record.group).or_default();
        group.generation = record.generation;
        group.protocol_type = record.protocol_type;
        group.protocol = record.protocol;
        group.leader = record.leader;
        group.rebalance_deadline = None;
        group.members = record
            .members
            .into_iter()
            .map(|m| {
                // IDs given out from now on must not be one of these.
                if let Some(number) = m.id.rsplit('-').next().and_then(|n| n.parse().ok()) {
                    self.next_member = self.next_member.max(number);
                }
                let member = Member {
                    client_id: m.client_id,
                    session_timeout: Duration::from_millis(m.session_timeout_ms),
                    rebalance_timeout: Duration::from_millis(m.rebalance_timeout_ms),
                    protocols: m
                        .protocols
                        .into_iter()
                        .map(|(name, metadata)| (name, Bytes::from(metadata)))
                        .collect(),
                    last_seen: now,
                    joined: false,
                    assignment: m.assignment.map(Bytes::from),
                };
                (m.id, member)
            })
            .collect();
        // Stored before the leader's assignment came: its members are
        // told to join again.
        group.awaiting_sync = false;
        if group.members.values().any(|m| m.assignment.is_none()) {
            group.start_rebalance(now);
        }
    }

    /// Every partition with a committed offset in a group.
    pub fn committed_partitions(&self, group_id: &str) -> Vec<(String, i32)> {
        self.groups
            .get(group_id)
            .map(|g| g.offsets.keys().cloned().collect())
            .unwrap_or_default()
    }
}

impl Group {
    fn state(&self) -> &'static str {
        if self.members.is_empty() {
            "Empty"
        } else if self.rebalance_deadline.is_some() {
            "PreparingRebalance"
        } else if self.awaiting_sync {
            "CompletingRebalance"
        } else {
            "Stable"
        }
    }

    /// Whether a member with these protocols can join: it shares at least
    /// one with every current member.
    fn fits(&self, protocols: &[(String, Bytes)]) -> bool {
        self.members.is_empty()
            || protocols
                .iter()
                .any(|(name, _)| self.members.values().all(|m| m.supports(name)))
    }

    fn start_rebalance(&mut self, now: Instant) {
        for member in self.members.values_mut() {
            member.joined = false;
            member.assignment = None;
        }
        self.awaiting_sync = false;
        if self.members.is_empty() {
            self.rebalance_deadline = None;
            self.generation += 1;
            self.leader = None;
            self.protocol = None;
            return;
        }
        self.rebalance_deadline = Some(now);
        self.extend_deadline(now);
    }

    fn extend_deadline(&mut self, now: Instant) {
        let longest = self
            .members
            .values()
            .map(|m| m.rebalance_timeout)
            .max()
            .unwrap_or_default();
        if let Some(deadline) = &mut self.rebalance_deadline {
            *deadline = (*deadline).max(now + longest);
        }
    }

    fn complete_rebalance_if_ready(&mut self, now: Instant) {
        let Some(deadline) = self.rebalance_deadline else {
            return;
        };
        let all_joined = self.members.values().all(|m| m.joined);
        if !all_joined && now < deadline {
            return;
        }
        self.members.retain(|_, m| m.joined);
        self.rebalance_deadline = None;
        self.generation += 1;
        if self.members.is_empty() {
            self.leader = None;
            self.protocol = None;
            return;
        }
        if !self
            .leader
            .as_ref()
            .is_some_and(|l| self.members.contains_key(l))
        {
            self.leader = self.members.keys().next().cloned();
        }
        // The leader's most preferred strategy that every member supports.
        let leader = self.leader.as_ref().and_then(|l| self.members.get(l));
        self.protocol = leader.and_then(|l| {
            l.protocols
                .iter()
                .map(|(name, _)| name)
                .find(|name| self.members.values().all(|m| m.supports(name)))
                .cloned()
        });
        for member in self.members.values_mut() {
            member.joined = false;
            member.last_seen = now;
        }
        self.awaiting_sync = true;
    }

    /// Drops members silent past their session timeout, rebalancing the
    /// rest. Members waiting in a JoinGroup are not silent.
    fn expire(&mut self, now: Instant) {
        let before = self.members.len();
        let rebalancing = self.rebalance_deadline.is_some();
        self.members.retain(|_, m| {
            (rebalancing && m.joined) || now.duration_since(m.last_seen) <= m.session_timeout
        });
        if self.members.len() < before {
            self.start_rebalance(now);
        }
    }

    fn check_member(&mut self, member_id: &str, generation: i32, now: Instant) -> Result<(), i16> {
        self.expire(now);
        self.complete_rebalance_if_ready(now);
        let Some(member) = self.members.get_mut(member_id) else {
            return Err(UNKNOWN_MEMBER_ID);
        };
        member.last_seen = now;
        if self.rebalance_deadline.is_some() {
            return Err(REBALANCE_IN_PROGRESS);
        }
        if generation != self.generation {
            return Err(ILLEGAL_GENERATION);
        }
        Ok(())
    }
}

impl Member {
    fn supports(&self, protocol: &str) -> bool {
        self.protocols.iter().any(|(name, _)| name == protocol)
    }

    fn metadata(&self, protocol: &str) -> Bytes {
        self.protocols
            .iter()
            .find(|(name, _)| name == protocol)
            .map(|(_, metadata)| metadata.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn request(member_id: &str) -> JoinRequest {
        JoinRequest {
            member_id: member_id.to_owned(),
            client_id: "c".to_owned(),
            session_timeout: 10 * SECOND,
            rebalance_timeout: 30 * SECOND,
            protocol_type: "consumer".to_owned(),
            protocols: vec![("range".to_owned(), Bytes::from_static(b"m"))],
        }
    }

    fn joined(groups: &mut Groups, member: &str, target: i32, now: Instant) -> (i32, String) {
        match groups.poll_join("g", member, target, now) {
            JoinOutcome::Joined {
                generation, leader, ..
            } => (generation, leader),
            other => panic!("{member} has not joined: {other:?}"),
        }
    }

    /// Two members in a settled group: generation 2, `a` leading.
    fn two_members(t0: Instant) -> (Groups, String, String) {
        let mut groups = Groups::default();
        let (a, target) = groups.join("g", request(""), t0).expect("a joins");
        joined(&mut groups, &a, target, t0);
        let (b, target) = groups.join("g", request(""), t0).expect("b joins");
        assert_eq!(groups.heartbeat("g", &a, 1, t0), REBALANCE_IN_PROGRESS);
        let (a_again, _) = groups.join("g", request(&a), t0).expect("a joins again");
        assert_eq!(a_again, a);
        assert_eq!(joined(&mut groups, &b, target, t0), (2, a.clone()));
        let assignments = vec![
            (a.clone(), Bytes::from_static(b"A")),
            (b.clone(), Bytes::from_static(b"B")),
        ];
        assert_eq!(
            groups.sync("g", &a, 2, assignments, t0),
            SyncOutcome::Assigned(Bytes::from_static(b"A"))
        );
        assert_eq!(
            groups.sync("g", &b, 2, vec![], t0),
            SyncOutcome::Assigned(Bytes::from_static(b"B"))
        );
        (groups, a, b)
    }

    #[test]
    fn a_restored_settled_group_goes_on_in_its_generation() {
        let t0 = Instant::now();
        let (groups, a, b) = two_members(t0);
        let record = groups.record("g").expect("known");
        assert_eq!(record.generation, 2);
        assert_eq!(record.members.len(), 2);

        // A restarted broker, later.
        let t1 = t0 + Duration::from_secs(3);
        let mut restored = Groups::default();
        restored.restore_group(record.clone(), t1);
        assert_eq!(restored.record("g"), Some(record));
        assert_eq!(restored.heartbeat("g", &a, 2, t1), 0);
        assert_eq!(restored.heartbeat("g", &b, 2, t1), 0);
        assert_eq!(
            restored.poll_sync("g", &b, 2, t1),
            SyncOutcome::Assigned(Bytes::from_static(b"B"))
        );
        let committer = Committer {
            group_id: "g",
            member_id: &a,
            generation: 2,
        };
        assert_eq!(
            restored.commit(&committer, ("t".into(), 0), (7, None), t1),
            0
        );
        // A new member gets an ID of its own and opens a rebalance.
        let (c, _) = restored.join("g", request(""), t1).expect("c joins");
        assert!(c != a && c != b, "{c} reuses an ID");
        assert_eq!(restored.heartbeat("g", &a, 2, t1), REBALANCE_IN_PROGRESS);
        // A member silent since the restart is dropped after its session.
        let mut quiet = Groups::default();
        quiet.restore_group(groups.record("g").expect("known"), t1);
        let late = t1 + Duration::from_secs(11);
        assert_eq!(quiet.heartbeat("g", &a, 2, late), UNKNOWN_MEMBER_ID);
    }

    #[test]
    fn a_group_stored_mid_rebalance_rebalances_again_when_restored() {
        let t0 = Instant::now();
        let (mut groups, a, b) = two_members(t0);
        assert_eq!(groups.leave("g", &b, t0), 0);
        let record = groups.record("g").expect("known");
        assert!(record.members.iter().all(|m| m.assignment.is_none()));
        let mut restored = Groups::default();
        restored.restore_group(record, t0);
        assert_eq!(restored.heartbeat("g", &a, 2, t0), REBALANCE_IN_PROGRESS);
        assert_eq!(restored.heartbeat("g", &b, 2, t0), UNKNOWN_MEMBER_ID);
    }

    #[test]
    fn a_second_member_joining_rebalances_the_first() {
        two_members(Instant::now());
    }

    #[test]
    fn a_silent_member_is_dropped_after_its_session_timeout() {
        let t0 = Instant::now();
        let (mut groups, a, b) = two_members(t0);
        assert_eq!(groups.heartbeat("g", &a, 2, t0 + 5 * SECOND), 0);
        // b has been silent for 11 s: dropped, and a must join again.
        assert_eq!(
            groups.heartbeat("g", &a, 2, t0 + 11 * SECOND),
            REBALANCE_IN_PROGRESS
        );
        assert_eq!(
            groups.heartbeat("g", &b, 2, t0 + 11 * SECOND),
            UNKNOWN_MEMBER_ID
        );
        let (_, target) = groups
            .join("g", request(&a), t0 + 12 * SECOND)
            .expect("a joins again");
        assert_eq!(joined(&mut groups, &a, target, t0 + 12 * SECOND), (3, a));
    }

    #[test]
    fn a_member_that_does_not_join_again_is_dropped_at_the_rebalance_deadline() {
        let t0 = Instant::now();
        let (mut groups, a, b) = two_members(t0);
        let (c, target) = groups.join("g", request(""), t0).expect("c joins");
        let (_, _) = groups.join("g", request(&a), t0).expect("a joins again");
        // b keeps heartbeating but never joins again.
        for s in 1..30 {
            assert_eq!(
                groups.heartbeat("g", &b, 2, t0 + s * SECOND),
                REBALANCE_IN_PROGRESS
            );
        }
        assert!(matches!(
            groups.poll_join("g", &c, target, t0 + 29 * SECOND),
            JoinOutcome::Waiting(_)
        ));
        assert_eq!(joined(&mut groups, &c, target, t0 + 31 * SECOND), (3, a));
        assert_eq!(
            groups.heartbeat("g", &b, 3, t0 + 31 * SECOND),
            UNKNOWN_MEMBER_ID
        );
    }

    #[test]
    fn leaving_rebalances_the_rest_and_commits_check_the_generation() {
        let t0 = Instant::now();
        let (mut groups, a, b) = two_members(t0);
        let commit = |groups: &mut Groups, member: &str, generation: i32, partition: i32| {
            let by = Committer {
                group_id: "g",
                member_id: member,
                generation,
            };
            groups.commit(&by, ("t".to_owned(), partition), (5, None), t0)
        };
        assert_eq!(commit(&mut groups, &a, 1, 0), ILLEGAL_GENERATION);
        assert_eq!(commit(&mut groups, &a, 2, 0), 0);
        assert_eq!(
            commit(&mut groups, "", -1, 1),
            0,
            "a consumer outside any group"
        );
        assert_eq!(groups.committed("g", "t", 0), Some((5, None)));
        assert_eq!(groups.leave("g", &b, t0), 0);
        assert_eq!(groups.heartbeat("g", &a, 2, t0), REBALANCE_IN_PROGRESS);
        let (_, target) = groups.join("g", request(&a), t0).expect("a joins again");
        assert_eq!(joined(&mut groups, &a, target, t0), (3, a));
        assert_eq!(
            groups.committed("g", "t", 0),
            Some((5, None)),
            "offsets outlive rebalances"
        );
    }

    #[test]
    fn members_must_share_a_protocol_and_the_group_needs_a_name() {
        let t0 = Instant::now();
        let mut groups = Groups::default();
        groups.join("g", request(""), t0).expect("first");
        let mut other = request("");
        other.protocols = vec![("sticky".to_owned(), Bytes::new())];
        assert_eq!(
            groups.join("g", other, t0),
            Err(INCONSISTENT_GROUP_PROTOCOL)
        );
        assert_eq!(groups.join("", request(""), t0), Err(INVALID_GROUP_ID));
        assert_eq!(
            groups.join("g", request("made-up"), t0),
            Err(UNKNOWN_MEMBER_ID)
        );
    }
}
