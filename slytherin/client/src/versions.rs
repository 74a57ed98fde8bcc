//! ApiVersions negotiation: the versions of each API this client can
//! speak, and the highest one a broker shares with it.

use std::collections::HashMap;

use kafka_protocol::messages::api_versions_response::ApiVersionsResponse;
use kafka_protocol::messages::ApiKey;

use crate::error::{BrokerName, Error};

/// The versions this client speaks, per API. Each range is one whose
/// fields the client fills correctly (and below versions Kafka 4 removed
/// where it could go lower); the upper ends stop before layout changes the
/// client does not follow (Fetch v13 names topics by ID, OffsetFetch v8
/// batches groups, DeleteTopics v6 names topics by ID or name).
pub(crate) const CLIENT_VERSIONS: &[(ApiKey, i16, i16)] = &[
    (ApiKey::Produce, 3, 9),
    (ApiKey::Fetch, 4, 12),
    (ApiKey::ListOffsets, 1, 7),
    (ApiKey::Metadata, 4, 12),
    (ApiKey::OffsetCommit, 2, 8),
    (ApiKey::OffsetFetch, 1, 7),
    (ApiKey::FindCoordinator, 1, 3),
    (ApiKey::JoinGroup, 1, 7),
    (ApiKey::Heartbeat, 0, 4),
    (ApiKey::LeaveGroup, 0, 4),
    (ApiKey::SyncGroup, 0, 5),
    (ApiKey::ApiVersions, 0, 3),
    (ApiKey::CreateTopics, 2, 7),
    (ApiKey::DeleteTopics, 1, 5),
    (ApiKey::InitProducerId, 0, 4),
];

/// What one broker said it supports, from its ApiVersions answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct BrokerVersions {
    ranges: HashMap<i16, (i16, i16)>,
}

impl BrokerVersions {
    /// The broker's ranges, from its answer.
    pub(crate) fn from_response(response: &ApiVersionsResponse) -> BrokerVersions {
        BrokerVersions {
            ranges: response
                .api_keys
                .iter()
                .map(|k| (k.api_key, (k.min_version, k.max_version)))
                .collect(),
        }
    }

    /// The highest version of `api` both sides support.
    pub(crate) fn pick(&self, api: ApiKey, broker: &BrokerName) -> Result<i16, Error> {
        let (client_min, client_max) = client_range(api);
        let (broker_min, broker_max) = self.ranges.get(&(api as i16)).copied().unwrap_or((-1, -1));
        highest_shared((client_min, client_max), (broker_min, broker_max)).ok_or_else(|| {
            Error::UnsupportedVersion {
                broker: broker.clone(),
                api,
                broker_min,
                broker_max,
                client_min,
                client_max,
            }
        })
    }
}

/// This client's range for `api` (every API it sends is listed).
pub(crate) fn client_range(api: ApiKey) -> (i16, i16) {
    CLIENT_VERSIONS
        .iter()
        .find(|(key, _, _)| *key == api)
        .map_or((0, -1), |&(_, min, max)| (min, max))
}

/// The highest version in both ranges.
pub(crate) fn highest_shared(client: (i16, i16), broker: (i16, i16)) -> Option<i16> {
    let high = client.1.min(broker.1);
    (high >= client.0.max(broker.0) && high >= 0).then_some(high)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_pick_is_the_highest_version_in_both_ranges(
            a in 0i16..20, b in 0i16..20, c in 0i16..20, d in 0i16..20
        ) {
            let client = (a.min(b), a.max(b));
            let broker = (c.min(d), c.max(d));
            let shared: Vec<i16> = (0..20)
                .filter(|v| (client.0..=client.1).contains(v) && (broker.0..=broker.1).contains(v))
                .collect();
            prop_assert_eq!(highest_shared(client, broker), shared.last().copied());
        }
    }

    #[test]
    fn every_client_range_is_one_kafka_protocol_can_code() {
        for &(api, min, max) in CLIENT_VERSIONS {
            let valid = api.valid_versions();
            assert!(valid.min <= min && max <= valid.max, "{api:?} {min}-{max}");
        }
    }
}
