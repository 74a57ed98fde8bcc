//! Produce: appends each partition's record batches as they came.
//!
//! `acks=0` gets no answer; `acks=1` is answered once the append returns,
//! which means synced or not as the topic's `Durability` says; `acks=all`
//! (-1) is answered only once the append is on stable storage, syncing if
//! the topic's mode did not, since on a single broker the disk is the only
//! replica (Redpanda does the same). Batches of idempotent producers are
//! checked against the ones stored before ([`crate::producers`]).

use kafka_protocol::messages::produce_request::PartitionProduceData;
use kafka_protocol::messages::produce_response::{PartitionProduceResponse, TopicProduceResponse};
use kafka_protocol::messages::{ProduceRequest, ProduceResponse};
use kafka_protocol::ResponseError;

use super::errors::{error_code, UNKNOWN_TOPIC_OR_PARTITION};
use super::topics::{existing_or_created, is_internal};
use crate::producers::{ProducerBatch, Producers, SequenceCheck};
use crate::server::{Broker, ShuttingDown};
use crate::storage::batch::iter_batches;
use crate::storage::{Storage, StorageError};

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
                let known = if is_internal(&name) {
                    Err(ResponseError::InvalidTopicException.code())
                } else {
                    existing_or_created(storage, &name, settings.auto_create_topics, settings)
                };
                let partitions = topic
                    .partition_data
                    .into_iter()
                    .map(|data| {
                        let answer = PartitionProduceResponse::default().with_index(data.index);
                        if !(-1..=1).contains(&acks) {
                            return answer
                                .with_error_code(ResponseError::InvalidRequiredAcks.code());
                        }
                        let stored = known.and_then(|_| {
                            broker.with_producers(|producers| {
                                append(storage, producers, &name, &data, acks == -1)
                            })
                        });
                        match stored {
                            Err(code) => answer.with_error_code(code),
                            Ok(stored) => {
                                broker.metrics().produced(stored.bytes);
                                answer
                                    .with_base_offset(stored.base_offset)
                                    .with_log_append_time_ms(stored.log_append_time)
                                    .with_log_start_offset(stored.log_start_offset)
                            }
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

/// What was stored for a partition.
struct Stored {
    /// Bytes appended (0 for a retried batch).
    bytes: usize,
    base_offset: i64,
    log_append_time: i64,
    log_start_offset: i64,
}

/// Appends one partition's batches, unless they repeat an idempotent
/// producer's batch already stored: what was stored (or was before), or a
/// Kafka error code.
fn append(
    storage: &mut Storage,
    producers: &mut Producers,
    topic: &str,
    data: &PartitionProduceData,
    durable: bool,
) -> Result<Stored, i16> {
    let log = u32::try_from(data.index)
        .ok()
        .and_then(|index| storage.topic_mut(topic)?.partition_mut(index))
        .ok_or(UNKNOWN_TOPIC_OR_PARTITION)?;
    let Some(records) = &data.records else {
        return Err(ResponseError::CorruptMessage.code());
    };
    let producer = producer_batch(records).map_err(|()| ResponseError::CorruptMessage.code())?;
    if producer.producer_id >= 0 {
        producers
            .learn_tail(topic, data.index, log)
            .map_err(|e| error_code(&e))?;
    }
    match producers.check(topic, data.index, &producer) {
        SequenceCheck::Fresh => {}
        SequenceCheck::Duplicate(base_offset) => {
            tracing::debug!(
                topic,
                partition = data.index,
                base_offset,
                "duplicate batch not stored again"
            );
            return Ok(Stored {
                bytes: 0,
                base_offset,
                log_append_time: -1,
                log_start_offset: log.log_start_offset(),
            });
        }
        SequenceCheck::OutOfOrder => return Err(ResponseError::OutOfOrderSequenceNumber.code()),
    }
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
        Ok(info) => {
            producers.record(topic, data.index, &producer, info.base_offset);
            Ok(Stored {
                bytes: info.bytes,
                base_offset: info.base_offset,
                log_append_time: info.log_append_time.unwrap_or(-1),
                log_start_offset: log.log_start_offset(),
            })
        }
        Err(e) => {
            tracing::debug!(topic, partition = data.index, error = %e, "produce refused");
            Err(error_code(&e))
        }
    }
}

/// The producer and sequence range of a partition's batches (one batch from
/// every client we know; several must come from one producer).
fn producer_batch(records: &[u8]) -> Result<ProducerBatch, ()> {
    let mut headers = iter_batches(records);
    let first = headers.next().ok_or(())?.map_err(|_| ())?.0;
    let mut last = first;
    for header in headers {
        last = header.map_err(|_| ())?.0;
        if last.producer_id != first.producer_id {
            return Err(());
        }
    }
    Ok(ProducerBatch {
        producer_id: first.producer_id,
        epoch: first.producer_epoch,
        base_sequence: first.base_sequence,
        last_sequence: last.base_sequence.wrapping_add(last.last_offset_delta),
    })
}
