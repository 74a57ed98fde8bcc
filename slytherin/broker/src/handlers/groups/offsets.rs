//! OffsetCommit and OffsetFetch.

use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponsePartition, OffsetFetchResponseTopic,
};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use tokio::time::Instant;

use crate::groups::persist::{self, Commit};
use crate::groups::Committer;
use crate::server::{Broker, ShuttingDown};

/// OffsetCommit: checked by the coordinator, then appended to the offsets
/// topic (one batch per request) before the answer.
pub(crate) fn commit(
    broker: &Broker,
    request: &OffsetCommitRequest,
) -> Result<OffsetCommitResponse, ShuttingDown> {
    let now = Instant::now();
    let by = Committer {
        group_id: request.group_id.as_str(),
        member_id: request.member_id.as_str(),
        generation: request.generation_id_or_member_epoch,
    };
    let mut accepted = Vec::new();
    let mut codes: Vec<Vec<i16>> = broker.with_groups(|groups| {
        request
            .topics
            .iter()
            .map(|topic| {
                topic
                    .partitions
                    .iter()
                    .map(|p| {
                        let metadata = p.committed_metadata.as_ref().map(|m| m.as_str().to_owned());
                        let partition = (topic.name.as_str().to_owned(), p.partition_index);
                        let code = groups.commit(
                            &by,
                            partition,
                            (p.committed_offset, metadata.clone()),
                            now,
                        );
                        if code == 0 {
                            accepted.push(Commit {
                                group: by.group_id.to_owned(),
                                topic: topic.name.as_str().to_owned(),
                                partition: p.partition_index,
                                offset: p.committed_offset,
                                metadata,
                            });
                        }
                        code
                    })
                    .collect()
            })
            .collect()
    });
    let now_ms = persist::now_ms();
    // Commits are stored one at a time, and the live offsets are read
    // while this one is (storage, then groups: the one lock order), so no
    // commit appended after a compaction's snapshot is older than what
    // the snapshot holds.
    let _one_at_a_time = broker.storing_commits();
    let stored = broker.read_storage(|storage| {
        persist::append(storage, &accepted, now_ms)?;
        let live_count = broker.with_groups(|groups| groups.committed_count() + groups.count());
        let live = || broker.with_groups(|groups| (groups.all_committed(), groups.all_records()));
        // The commit is stored either way; a failed compaction is tried
        // again at the next commit.
        if let Err(error) = persist::compact_if_grown(storage, live_count, live, now_ms) {
            tracing::warn!(%error, "cannot compact {}", persist::OFFSETS_TOPIC);
        }
        Ok::<(), String>(())
    })?;
    if stored.is_ok() && !accepted.is_empty() {
        broker.notify_appended(persist::OFFSETS_TOPIC, 0);
    }
    if let Err(error) = stored {
        tracing::warn!(group = by.group_id, %error, "committed offsets not stored");
        let failed = ResponseError::KafkaStorageError.code();
        codes
            .iter_mut()
            .flatten()
            .filter(|c| **c == 0)
            .for_each(|c| *c = failed);
    }
    let topics = request
        .topics
        .iter()
        .zip(codes)
        .map(|(topic, codes)| {
            let partitions = topic
                .partitions
                .iter()
                .zip(codes)
                .map(|(p, code)| {
                    OffsetCommitResponsePartition::default()
                        .with_partition_index(p.partition_index)
                        .with_error_code(code)
                })
                .collect();
            OffsetCommitResponseTopic::default()
                .with_name(topic.name.clone())
                .with_partitions(partitions)
        })
        .collect();
    Ok(OffsetCommitResponse::default().with_topics(topics))
}

/// OffsetFetch (versions up to 7: one group per request).
pub(crate) fn fetch_offsets(broker: &Broker, request: &OffsetFetchRequest) -> OffsetFetchResponse {
    let group_id = request.group_id.as_str();
    let topics = broker.with_groups(|groups| {
        let wanted: Vec<(String, Vec<i32>)> = match &request.topics {
            Some(topics) => topics
                .iter()
                .map(|t| (t.name.as_str().to_owned(), t.partition_indexes.clone()))
                .collect(),
            // Null (version 2 and later): every committed partition.
            None => {
                let mut by_topic: std::collections::BTreeMap<String, Vec<i32>> = Default::default();
                for (topic, partition) in groups.committed_partitions(group_id) {
                    by_topic.entry(topic).or_default().push(partition);
                }
                by_topic.into_iter().collect()
            }
        };
        wanted
            .into_iter()
            .map(|(topic, partitions)| {
                let partitions = partitions
                    .into_iter()
                    .map(|partition| {
                        let (offset, metadata) = groups
                            .committed(group_id, &topic, partition)
                            .unwrap_or((-1, None));
                        tracing::debug!(group = group_id, topic, partition, offset, "offset fetch");
                        OffsetFetchResponsePartition::default()
                            .with_partition_index(partition)
                            .with_committed_offset(offset)
                            .with_metadata(Some(StrBytes::from(metadata.unwrap_or_default())))
                    })
                    .collect();
                OffsetFetchResponseTopic::default()
                    .with_name(TopicName(StrBytes::from(topic)))
                    .with_partitions(partitions)
            })
            .collect()
    });
    OffsetFetchResponse::default().with_topics(topics)
}
