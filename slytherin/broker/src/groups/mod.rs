//! Consumer groups: the coordinator's state machine, kept apart from the
//! protocol so it can be driven with any clock.
//!
//! A group goes through rebalances: a JoinGroup from a new member (or one
//! with new metadata) opens one, every other member learns of it from its
//! next Heartbeat or SyncGroup (REBALANCE_IN_PROGRESS) and joins again,
//! and the rebalance completes when every member has joined, or when the
//! longest rebalance timeout has passed (then the ones that did not join
//! are dropped). Completion bumps the generation and names a leader, which
//! computes the assignment and hands it over in SyncGroup. Members that
//! stop heartbeating for their session timeout are dropped, which opens a
//! rebalance for the others.
//!
//! Committed offsets and each group's membership are kept in memory and
//! in the `__consumer_offsets` topic ([`persist`]), from which a restarted
//! broker reads them back.

mod group;
pub mod persist;

pub use group::{Committer, GroupView, Groups, JoinOutcome, JoinRequest, SyncOutcome};

/// Kafka error codes the coordinator answers with.
pub mod codes {
    use kafka_protocol::ResponseError;

    /// The generation is not the group's current one.
    pub const ILLEGAL_GENERATION: i16 = ResponseError::IllegalGeneration.code();
    /// The member is not (or no longer) in the group.
    pub const UNKNOWN_MEMBER_ID: i16 = ResponseError::UnknownMemberId.code();
    /// A rebalance is under way: join again.
    pub const REBALANCE_IN_PROGRESS: i16 = ResponseError::RebalanceInProgress.code();
    /// The member's protocols do not fit the group's.
    pub const INCONSISTENT_GROUP_PROTOCOL: i16 = ResponseError::InconsistentGroupProtocol.code();
    /// The session timeout is outside the range the broker allows.
    pub const INVALID_SESSION_TIMEOUT: i16 = ResponseError::InvalidSessionTimeout.code();
    /// The group ID is empty.
    pub const INVALID_GROUP_ID: i16 = ResponseError::InvalidGroupId.code();
}
