//! Produce: appends each partition's record batches as they came.
//!
//! `acks=0` gets no answer; `acks=1` is answered once the append returns,
//! which means synced or not as the topic's `Durability` says; `acks=all`
//! (-1) is answered only once the append is on stable storage, syncing if
//! the topic's mode did not, since on a single broker the disk is the only
//! replica (Redpanda does the same).

use kafka_protocol::messages::produce_request::PartitionProduceData;
use kafka_protocol::messages::produce_response::{PartitionProduceResponse, TopicProduceResponse};
use kafka_protocol::messages::{ProduceRequest, ProduceResponse};
use kafka_protocol::ResponseError;

use super::errors::{error_code, UNKNOWN_TOPIC_OR_PARTITION};
use super::topics::existing_or_created;
use crate::server::{Broker, ShuttingDown};
use crate::storage::{AppendInfo, Storage, StorageError};

/// Produce; `None` when the client asked for no answer.
pub(crate) fn handle(
    broker: &Broker,
    request: ProduceRequest,
) -> Result<Option<ProduceResponse>, ShuttingDown> {
    let acks = request.acks;
    let settings = broker.settings();
    let responses = broker.with_storage(|storage| {
        request
            .topic_data
            .into_iter()
            .map(|topic| {
                let name = topic.name.as_str().to_owned();
                let known =
                    existing_or_created(storage, &name, settings.auto_create_topics, settings);
                let partitions = topic
                    .partition_data
                    .into_iter()
                    .map(|data| {
                        let answer = PartitionProduceResponse::default().with_index(data.index);
                        if !(-1..=1).contains(&acks) {
                            return answer
                                .with_error_code(ResponseError::InvalidRequiredAcks.code());
                        }
                        match known.map(|_| append(storage, &name, &data, acks == -1)) {
                            Err(code) => answer.with_error_code(code),
                            Ok(Err(code)) => answer.with_error_code(code),
                            Ok(Ok((info, log_start))) => answer
                                .with_base_offset(info.base_offset)
                                .with_log_append_time_ms(info.log_append_time.unwrap_or(-1))
                                .with_log_start_offset(log_start),
                        }
                    })
                    .collect();
                TopicProduceResponse::default()
                    .with_name(topic.name)
                    .with_partition_responses(partitions)
            })
            .collect()
    })?;
    broker.notify_appended();
    Ok((acks != 0).then(|| ProduceResponse::default().with_responses(responses)))
}

/// Appends one partition's batches: what was stored and the log start
/// offset, or a Kafka error code.
fn append(
    storage: &mut Storage,
    topic: &str,
    data: &PartitionProduceData,
    durable: bool,
) -> Result<(AppendInfo, i64), i16> {
    let log = u32::try_from(data.index)
        .ok()
        .and_then(|index| storage.topic_mut(topic)?.partition_mut(index))
        .ok_or(UNKNOWN_TOPIC_OR_PARTITION)?;
    let Some(records) = &data.records else {
        return Err(ResponseError::CorruptMessage.code());
    };
    // The storage engine writes offsets (and LogAppendTime) into the batches
    // in place, so it needs its own copy.
    let mut records = records.to_vec();
    let appended = log.append(&mut records).and_then(|info| {
        if durable && !info.synced {
            log.flush()?;
        }
        Ok::<_, StorageError>(info)
    });
    match appended {
        Ok(info) => Ok((info, log.log_start_offset())),
        Err(e) => {
            tracing::debug!(topic, partition = data.index, error = %e, "produce refused");
            Err(error_code(&e))
        }
    }
}
