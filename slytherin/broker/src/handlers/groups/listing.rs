//! ListGroups and DescribeGroups.

use kafka_protocol::messages::describe_groups_response::{DescribedGroup, DescribedGroupMember};
use kafka_protocol::messages::list_groups_response::ListedGroup;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use crate::server::Broker;

/// ListGroups: every group with its state.
pub(crate) fn list(
    broker: &Broker,
    request: &ListGroupsRequest,
    version: i16,
) -> ListGroupsResponse {
    let groups = broker.with_groups(|groups| groups.list(Instant::now()));
    let wanted = |state: &str| {
        request.states_filter.is_empty()
            || request.states_filter.iter().any(|s| s.as_str() == state)
    };
    let listed = groups
        .into_iter()
        .filter(|(_, _, state)| wanted(state))
        .map(|(id, protocol_type, state)| {
            let listed = ListedGroup::default()
                .with_group_id(GroupId(StrBytes::from(id)))
                .with_protocol_type(StrBytes::from(protocol_type));
            // The state is in the answer from version 4.
            if version >= 4 {
                listed.with_group_state(StrBytes::from_static_str(state))
            } else {
                listed
            }
        })
        .collect();
    ListGroupsResponse::default().with_groups(listed)
}

/// DescribeGroups: state, strategy and members of each group asked for.
pub(crate) fn describe(broker: &Broker, request: &DescribeGroupsRequest) -> DescribeGroupsResponse {
    let now = Instant::now();
    let described = request
        .groups
        .iter()
        .map(|id| {
            let answer = DescribedGroup::default().with_group_id(id.clone());
            match broker.with_groups(|groups| groups.describe(id.as_str(), now)) {
                // Kafka describes a group it does not know as Dead.
                None => answer.with_group_state(StrBytes::from_static_str("Dead")),
                Some(view) => answer
                    .with_group_state(StrBytes::from_static_str(view.state))
                    .with_protocol_type(StrBytes::from(view.protocol_type))
                    .with_protocol_data(StrBytes::from(view.protocol))
                    .with_members(
                        view.members
                            .into_iter()
                            .map(|(member, client, metadata, assignment)| {
                                DescribedGroupMember::default()
                                    .with_member_id(StrBytes::from(member))
                                    .with_client_id(StrBytes::from(client))
                                    .with_member_metadata(metadata)
                                    .with_member_assignment(assignment)
                            })
                            .collect(),
                    ),
            }
        })
        .collect();
    DescribeGroupsResponse::default().with_groups(described)
}
