//! Metadata: this broker is the only broker, the controller, and the
//! leader of every partition.

use std::net::SocketAddr;

use kafka_protocol::messages::metadata_response::{
    MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::{BrokerId, MetadataRequest, MetadataResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::topics::{existing_or_created, is_internal};
use crate::server::{Broker, Settings, ShuttingDown};

/// This broker's node ID.
pub(crate) const NODE_ID: i32 = 0;
const CLUSTER_ID: &str = "slytherin";

/// Metadata.
pub(crate) fn handle(
    broker: &Broker,
    request: &MetadataRequest,
    version: i16,
    local: SocketAddr,
) -> Result<MetadataResponse, ShuttingDown> {
    let settings = broker.settings();
    // Before version 4 clients could not say, and Kafka auto-created.
    let auto_create =
        settings.auto_create_topics && (version < 4 || request.allow_auto_topic_creation);
    let topics = broker.with_storage(|storage| {
        let wanted: Vec<Option<TopicName>> = match &request.topics {
            // Version 0 has no null list: an empty one means every topic.
            Some(topics) if !(version == 0 && topics.is_empty()) => {
                topics.iter().map(|t| t.name.clone()).collect()
            }
            _ => storage
                .topics()
                .map(|t| Some(TopicName(StrBytes::from(t.name().to_owned()))))
                .collect(),
        };
        wanted
            .into_iter()
            .map(|name| {
                let Some(name) = name else {
                    return MetadataResponseTopic::default()
                        .with_error_code(kafka_protocol::ResponseError::UnknownTopicId.code());
                };
                let found = existing_or_created(storage, name.as_str(), auto_create, settings);
                let topic = MetadataResponseTopic::default()
                    .with_is_internal(is_internal(name.as_str()))
                    .with_name(Some(name));
                match found {
                    Ok(count) => topic.with_partitions((0..count as i32).map(partition).collect()),
                    Err(code) => topic.with_error_code(code),
                }
            })
            .collect()
    })?;
    let me = MetadataResponseBroker::default()
        .with_node_id(BrokerId(NODE_ID))
        .with_host(StrBytes::from(advertised_host(settings, local)))
        .with_port(advertised_port(settings, local));
    Ok(MetadataResponse::default()
        .with_brokers(vec![me])
        .with_cluster_id(Some(StrBytes::from_static_str(CLUSTER_ID)))
        .with_controller_id(BrokerId(NODE_ID))
        .with_topics(topics))
}

fn partition(index: i32) -> MetadataResponsePartition {
    let me = vec![BrokerId(NODE_ID)];
    MetadataResponsePartition::default()
        .with_partition_index(index)
        .with_leader_id(BrokerId(NODE_ID))
        .with_leader_epoch(0)
        .with_replica_nodes(me.clone())
        .with_isr_nodes(me)
}

/// The host clients are told to connect to: the configured one, or the
/// address this client reached.
pub(crate) fn advertised_host(settings: &Settings, local: SocketAddr) -> String {
    settings
        .advertised_host
        .clone()
        .unwrap_or_else(|| local.ip().to_string())
}

/// The port clients are told to connect to: the configured one, or the
/// port this client reached.
pub(crate) fn advertised_port(settings: &Settings, local: SocketAddr) -> i32 {
    i32::from(settings.advertised_port.unwrap_or(local.port()))
}
