//! What the client knows of the cluster: its brokers' addresses, and each
//! topic's partitions with their leaders, from Metadata answers.

use rustc_hash::FxHashMap as HashMap;
use std::time::Instant;

use kafka_protocol::error::{ParseResponseErrorCode, ResponseError};
use kafka_protocol::messages::MetadataResponse;

/// One partition: who leads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartitionMetadata {
    /// The leader's node ID (-1: none right now).
    pub(crate) leader: i32,
    /// The partition's error in the last answer, if any.
    pub(crate) error: Option<ResponseError>,
}

/// One topic: its partitions by index, or why it has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopicMetadata {
    /// Partitions, index `i` at position `i`.
    pub(crate) partitions: Vec<PartitionMetadata>,
    /// The topic's error in the last answer (UNKNOWN_TOPIC_OR_PARTITION…).
    pub(crate) error: Option<ResponseError>,
}

/// The cluster as the last Metadata answer described it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Metadata {
    /// `host:port` of each broker by node ID.
    pub(crate) brokers: HashMap<i32, String>,
    /// The controller's node ID, if known.
    pub(crate) controller: Option<i32>,
    /// Topics asked about, by name.
    pub(crate) topics: HashMap<String, TopicMetadata>,
    /// When the last answer arrived.
    pub(crate) updated: Option<Instant>,
}

impl Metadata {
    /// Takes in an answer: brokers and controller are replaced, topics in
    /// the answer replace what was known of them.
    pub(crate) fn merge(&mut self, answer: &MetadataResponse) {
        self.brokers = answer
            .brokers
            .iter()
            .map(|b| (b.node_id.0, format!("{}:{}", b.host.as_str(), b.port)))
            .collect();
        self.controller = Some(answer.controller_id.0).filter(|&id| id >= 0);
        for topic in &answer.topics {
            let Some(name) = &topic.name else { continue };
            let mut partitions: Vec<(i32, PartitionMetadata)> = topic
                .partitions
                .iter()
                .map(|p| {
                    (
                        p.partition_index,
                        PartitionMetadata {
                            leader: p.leader_id.0,
                            error: p.error_code.err(),
                        },
                    )
                })
                .collect();
            partitions.sort_by_key(|(index, _)| *index);
            let contiguous = partitions
                .iter()
                .enumerate()
                .all(|(i, (index, _))| *index == i as i32);
            self.topics.insert(
                name.to_string(),
                TopicMetadata {
                    partitions: if contiguous {
                        partitions.into_iter().map(|(_, p)| p).collect()
                    } else {
                        Vec::new()
                    },
                    error: topic.error_code.err().or(if contiguous {
                        None
                    } else {
                        Some(ResponseError::LeaderNotAvailable)
                    }),
                },
            );
        }
        self.updated = Some(Instant::now());
    }
}
