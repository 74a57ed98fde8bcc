//! Membership: FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
//! LeaveGroup. JoinGroup and SyncGroup wait for the rest of the group.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use kafka_protocol::messages::join_group_response::JoinGroupResponseMember;
use kafka_protocol::messages::leave_group_response::MemberResponse;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use tokio::time::Instant;

use crate::groups::codes::REBALANCE_IN_PROGRESS;
use crate::groups::{persist, Groups, JoinOutcome, JoinRequest, SyncOutcome};
use crate::handlers::metadata::{advertised_host, advertised_port, NODE_ID};
use crate::server::{Broker, Settings};

/// The longest a JoinGroup or SyncGroup waits, whatever the timeouts say.
const MAX_WAIT: Duration = Duration::from_secs(300);

fn millis(ms: i32) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// Polls `step` under the groups lock until it is done, waiting between
/// polls for a change to any group or for the instant it names.
async fn wait_for<T>(
    broker: &Broker,
    mut step: impl FnMut(&mut Groups, Instant) -> Result<T, Instant>,
    give_up: T,
) -> T {
    let cap = Instant::now() + MAX_WAIT;
    loop {
        let changed = broker.groups_changed().notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let now = Instant::now();
        let polled = broker.with_groups(|groups| step(groups, now));
        match polled {
            Ok(done) => {
                // This poll may have completed a rebalance others wait for.
                broker.groups_changed().notify_waiters();
                return done;
            }
            Err(_) if now >= cap => return give_up,
            Err(until) => {
                let until = until.min(cap).max(now + Duration::from_millis(1));
                sleep_or(changed, until).await;
            }
        }
    }
}

async fn sleep_or(changed: impl Future<Output = ()>, until: Instant) {
    tokio::select! {
        _ = changed => {}
        _ = tokio::time::sleep_until(until) => {}
    }
}
/// FindCoordinator: this broker coordinates every group.
pub(crate) fn find_coordinator(
    request: &FindCoordinatorRequest,
    local: SocketAddr,
    settings: &Settings,
) -> FindCoordinatorResponse {
    let answer = FindCoordinatorResponse::default();
    // Key type 1 asks for a transaction coordinator: not implemented.
    if request.key_type != 0 {
        return answer.with_error_code(ResponseError::CoordinatorNotAvailable.code());
    }
    answer
        .with_node_id(BrokerId(NODE_ID))
        .with_host(StrBytes::from(advertised_host(settings, local)))
        .with_port(advertised_port(settings, local))
}

/// JoinGroup: waits until the rebalance completes.
pub(crate) async fn join(
    broker: &Broker,
    request: JoinGroupRequest,
    client_id: &str,
    version: i16,
) -> JoinGroupResponse {
    let group_id = request.group_id.as_str().to_owned();
    let join = JoinRequest {
        member_id: request.member_id.as_str().to_owned(),
        client_id: client_id.to_owned(),
        session_timeout: millis(request.session_timeout_ms),
        // Version 0 has no rebalance timeout: the session timeout serves.
        rebalance_timeout: millis(if version >= 1 {
            request.rebalance_timeout_ms
        } else {
            request.session_timeout_ms
        }),
        protocol_type: request.protocol_type.as_str().to_owned(),
        protocols: request
            .protocols
            .iter()
            .map(|p| (p.name.as_str().to_owned(), p.metadata.clone()))
            .collect(),
    };
    let registered = broker.with_groups(|groups| groups.join(&group_id, join, Instant::now()));
    // A join can open a rebalance that members waiting in SyncGroup must hear of.
    broker.groups_changed().notify_waiters();
    let (member_id, target) = match registered {
        Ok(registered) => registered,
        Err(code) => {
            return JoinGroupResponse::default()
                .with_error_code(code)
                .with_member_id(request.member_id)
                .with_protocol_name(Some(StrBytes::default()))
        }
    };
    tracing::debug!(group = group_id, member = member_id, target, "joining");
    let outcome = wait_for(
        broker,
        |groups, now| match groups.poll_join(&group_id, &member_id, target, now) {
            JoinOutcome::Waiting(until) => Err(until),
            done => Ok(done),
        },
        JoinOutcome::Failed(REBALANCE_IN_PROGRESS),
    )
    .await;
    tracing::debug!(
        group = group_id,
        member = member_id,
        ?outcome,
        "join answered"
    );
    let answer = JoinGroupResponse::default().with_member_id(StrBytes::from(member_id));
    match outcome {
        JoinOutcome::Joined {
            generation,
            protocol,
            protocol_type,
            leader,
            members,
        } => answer
            .with_generation_id(generation)
            .with_protocol_type((version >= 7).then(|| StrBytes::from(protocol_type)))
            .with_protocol_name(Some(StrBytes::from(protocol)))
            .with_leader(StrBytes::from(leader))
            .with_members(
                members
                    .into_iter()
                    .map(|(id, metadata)| {
                        JoinGroupResponseMember::default()
                            .with_member_id(StrBytes::from(id))
                            .with_metadata(metadata)
                    })
                    .collect(),
            ),
        JoinOutcome::Failed(code) => answer
            .with_error_code(code)
            .with_protocol_name(Some(StrBytes::default())),
        JoinOutcome::Waiting(_) => answer
            .with_error_code(REBALANCE_IN_PROGRESS)
            .with_protocol_name(Some(StrBytes::default())),
    }
}

/// SyncGroup: the leader hands over the assignment; everyone waits for it.
pub(crate) async fn sync(
    broker: &Broker,
    request: SyncGroupRequest,
    version: i16,
) -> SyncGroupResponse {
    let group_id = request.group_id.as_str().to_owned();
    let member_id = request.member_id.as_str().to_owned();
    let generation = request.generation_id;
    let hands_over = !request.assignments.is_empty();
    let mut assignments: Vec<_> = request
        .assignments
        .into_iter()
        .map(|a| (a.member_id.as_str().to_owned(), a.assignment))
        .collect();
    let outcome = wait_for(
        broker,
        |groups, now| {
            let polled = if assignments.is_empty() {
                groups.poll_sync(&group_id, &member_id, generation, now)
            } else {
                groups.sync(
                    &group_id,
                    &member_id,
                    generation,
                    std::mem::take(&mut assignments),
                    now,
                )
            };
            match polled {
                SyncOutcome::Waiting(until) => Err(until),
                done => Ok(done),
            }
        },
        SyncOutcome::Failed(REBALANCE_IN_PROGRESS),
    )
    .await;
    tracing::debug!(
        group = group_id,
        member = member_id,
        generation,
        ?outcome,
        "sync answered"
    );
    if hands_over && matches!(outcome, SyncOutcome::Assigned(_)) {
        store_membership(broker, &group_id);
    }
    let answer = SyncGroupResponse::default();
    let answer = if version >= 5 {
        answer
            .with_protocol_type(request.protocol_type)
            .with_protocol_name(request.protocol_name)
    } else {
        answer
    };
    match outcome {
        SyncOutcome::Assigned(assignment) => answer.with_assignment(assignment),
        SyncOutcome::Failed(code) => answer.with_error_code(code),
        SyncOutcome::Waiting(_) => answer.with_error_code(REBALANCE_IN_PROGRESS),
    }
}

/// Heartbeat.
pub(crate) fn heartbeat(broker: &Broker, request: &HeartbeatRequest) -> HeartbeatResponse {
    let code = broker.with_groups(|groups| {
        groups.heartbeat(
            request.group_id.as_str(),
            request.member_id.as_str(),
            request.generation_id,
            Instant::now(),
        )
    });
    broker.groups_changed().notify_waiters();
    HeartbeatResponse::default().with_error_code(code)
}

/// LeaveGroup: one member (versions 0 to 2) or several (3 and later).
pub(crate) fn leave(
    broker: &Broker,
    request: &LeaveGroupRequest,
    version: i16,
) -> LeaveGroupResponse {
    let group_id = request.group_id.as_str();
    let now = Instant::now();
    let answer = if version >= 3 {
        let members = broker.with_groups(|groups| {
            request
                .members
                .iter()
                .map(|m| {
                    MemberResponse::default()
                        .with_member_id(m.member_id.clone())
                        .with_group_instance_id(m.group_instance_id.clone())
                        .with_error_code(groups.leave(group_id, m.member_id.as_str(), now))
                })
                .collect()
        });
        LeaveGroupResponse::default().with_members(members)
    } else {
        let code =
            broker.with_groups(|groups| groups.leave(group_id, request.member_id.as_str(), now));
        LeaveGroupResponse::default().with_error_code(code)
    };
    broker.groups_changed().notify_waiters();
    // Departed members are not brought back by a restart.
    store_membership(broker, group_id);
    answer
}

/// Stores a group's membership in the offsets topic, so that a restarted
/// broker still knows its members (see [`persist`]). Not stored, the
/// members join again after a restart, as they would for a new broker:
/// so a failure is logged, not answered.
fn store_membership(broker: &Broker, group_id: &str) {
    // One writer of the offsets topic at a time, in the lock order commits
    // use (storage, then groups).
    let _one_at_a_time = broker.storing_commits();
    let stored =
        broker.read_storage(
            |storage| match broker.with_groups(|groups| groups.record(group_id)) {
                Some(record) => persist::append_group(storage, &record, persist::now_ms()),
                None => Ok(()),
            },
        );
    match stored {
        Ok(Ok(())) => broker.notify_appended(persist::OFFSETS_TOPIC, 0),
        Ok(Err(error)) => {
            tracing::warn!(group = group_id, %error, "group membership not stored");
        }
        // Shutting down: the members join again after the restart.
        Err(_) => {}
    }
}
