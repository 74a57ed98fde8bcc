//! ListOffsets: earliest (-2), latest (-1), or the first offset at or after
//! a timestamp.

use kafka_protocol::messages::list_offsets_response::{
    ListOffsetsPartitionResponse, ListOffsetsTopicResponse,
};
use kafka_protocol::messages::{ListOffsetsRequest, ListOffsetsResponse};

use super::errors::{error_code, UNKNOWN_TOPIC_OR_PARTITION};
use crate::server::{Broker, ShuttingDown};
use crate::storage::PartitionLog;

const LATEST: i64 = -1;
const EARLIEST: i64 = -2;

/// ListOffsets.
pub(crate) fn handle(
    broker: &Broker,
    request: &ListOffsetsRequest,
    version: i16,
) -> Result<ListOffsetsResponse, ShuttingDown> {
    // Leader epochs exist from version 4; the encoder refuses them before.
    let leader_epoch = if version >= 4 { 0 } else { -1 };
    let topics = broker.read_storage(|storage| {
        request
            .topics
            .iter()
            .map(|topic| {
                let found = storage.topic(topic.name.as_str());
                let partitions = topic
                    .partitions
                    .iter()
                    .map(|p| {
                        let answer = ListOffsetsPartitionResponse::default()
                            .with_partition_index(p.partition_index);
                        let log =
                            found.and_then(|t| t.partition(u32::try_from(p.partition_index).ok()?));
                        match log.map(|log| lookup(&log, p.timestamp)) {
                            None => answer.with_error_code(UNKNOWN_TOPIC_OR_PARTITION),
                            Some(Ok((offset, timestamp))) => answer
                                .with_offset(offset)
                                .with_timestamp(timestamp)
                                .with_leader_epoch(leader_epoch),
                            Some(Err(code)) => answer.with_error_code(code),
                        }
                    })
                    .collect();
                ListOffsetsTopicResponse::default()
                    .with_name(topic.name.clone())
                    .with_partitions(partitions)
            })
            .collect()
    })?;
    Ok(ListOffsetsResponse::default().with_topics(topics))
}

/// The offset and timestamp answering `timestamp`; (-1, -1) when no record
/// is that recent, as Kafka answers.
fn lookup(log: &PartitionLog, timestamp: i64) -> Result<(i64, i64), i16> {
    match timestamp {
        LATEST => Ok((log.log_end_offset(), -1)),
        EARLIEST => Ok((log.log_start_offset(), -1)),
        _ => match log.offset_for_timestamp(timestamp) {
            Ok(Some(found)) => Ok((found.offset, found.timestamp)),
            Ok(None) => Ok((-1, -1)),
            Err(e) => Err(error_code(&e)),
        },
    }
}
