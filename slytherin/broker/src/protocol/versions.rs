//! The API versions this broker implements, advertised by ApiVersions and
//! enforced on every request.
//!
//! Each range is what the handlers implement, intersected with what the
//! `kafka-protocol` crate can decode. Versions that need topic IDs (Fetch
//! 13+, Produce 13) are left out until topics have IDs, and ListOffsets 7+
//! until the max-timestamp lookup it adds exists. Group APIs stop before
//! the versions that batch several groups or coordinators in one request
//! (FindCoordinator 4, OffsetFetch 8) and before static membership's
//! JoinGroup 8+ reasons and KIP-848's new protocol.

use kafka_protocol::messages::ApiKey;
use kafka_protocol::protocol::VersionRange;

/// Every API this broker answers, with the versions it accepts.
pub const SUPPORTED_APIS: &[(ApiKey, VersionRange)] = &[
    (ApiKey::Produce, VersionRange { min: 3, max: 9 }),
    (ApiKey::Fetch, VersionRange { min: 4, max: 12 }),
    (ApiKey::ListOffsets, VersionRange { min: 1, max: 6 }),
    (ApiKey::Metadata, VersionRange { min: 0, max: 12 }),
    (ApiKey::ApiVersions, VersionRange { min: 0, max: 3 }),
    (ApiKey::CreateTopics, VersionRange { min: 2, max: 7 }),
    (ApiKey::DeleteTopics, VersionRange { min: 1, max: 6 }),
    (ApiKey::FindCoordinator, VersionRange { min: 0, max: 3 }),
    (ApiKey::JoinGroup, VersionRange { min: 0, max: 7 }),
    (ApiKey::SyncGroup, VersionRange { min: 0, max: 5 }),
    (ApiKey::Heartbeat, VersionRange { min: 0, max: 4 }),
    (ApiKey::LeaveGroup, VersionRange { min: 0, max: 4 }),
    (ApiKey::OffsetCommit, VersionRange { min: 2, max: 8 }),
    (ApiKey::OffsetFetch, VersionRange { min: 1, max: 7 }),
    (ApiKey::ListGroups, VersionRange { min: 0, max: 4 }),
    (ApiKey::DescribeGroups, VersionRange { min: 0, max: 5 }),
    (ApiKey::InitProducerId, VersionRange { min: 0, max: 4 }),
];

/// The versions of `api` this broker accepts, or `None` if it does not
/// implement the API at all.
pub fn supported_versions(api: ApiKey) -> Option<VersionRange> {
    SUPPORTED_APIS
        .iter()
        .find(|(key, _)| *key == api)
        .map(|(_, range)| *range)
}
