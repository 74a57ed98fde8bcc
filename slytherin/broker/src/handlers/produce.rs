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
use std::sync::PoisonError;

use crate::storage::{lock_log, PartitionLog, StorageError};

/// Produce; `None` when the client asked for no answer.
///
/// Each partition's batches are appended on the core that owns the
/// partition: every append is handed to its owner first, then the answers
/// are gathered in request order, so partitions on different cores are
/// written at the same time.
pub(crate) async fn handle(
    broker: &Broker,
    request: ProduceRequest,
) -> Result<Option<ProduceResponse>, ShuttingDown> {
    let acks = request.acks;
    let settings = broker.settings();
    let mut topics = Vec::with_capacity(request.topic_data.len());
    for topic in request.topic_data {
        let name = topic.name.as_str().to_owned();
        let known = if is_internal(&name) {
            Err(ResponseError::InvalidTopicException.code())
        } else if broker.read_storage(|storage| storage.topic(&name).is_some())? {
            Ok(())
        } else {
            broker
                .with_storage(|storage| {
                    existing_or_created(storage, &name, settings.auto_create_topics, settings)
                })?
                .map(|_| ())
        };
        let mut partitions = Vec::with_capacity(topic.partition_data.len());
        for data in topic.partition_data {
            let index = data.index;
            let work = if !(-1..=1).contains(&acks) {
                Err(ResponseError::InvalidRequiredAcks.code())
            } else {
                known.and_then(|()| {
                    let log = broker
                        .read_storage(|storage| {
                            u32::try_from(index)
                                .ok()
                                .and_then(|p| storage.topic(&name)?.shared_partition(p))
                        })
                        .map_err(|ShuttingDown| ResponseError::KafkaStorageError.code())?
                        .ok_or(UNKNOWN_TOPIC_OR_PARTITION)?;
                    let producers = broker.producers();
                    let topic_name = name.clone();
                    Ok(broker.on_owner(&name, index, move || {
                        let mut log = lock_log(&log);
                        let mut producers =
                            producers.lock().unwrap_or_else(PoisonError::into_inner);
                        append(&mut log, &mut producers, &topic_name, &data, acks == -1)
                    }))
                })
            };
            partitions.push((index, work));
        }
        topics.push((topic.name, partitions));
    }
    let mut responses = Vec::with_capacity(topics.len());
    for (name, partitions) in topics {
        let mut answers = Vec::with_capacity(partitions.len());
        for (index, work) in partitions {
            let answer = PartitionProduceResponse::default().with_index(index);
            let stored = match work {
                Ok(work) => work.result().await?,
                Err(code) => Err(code),
            };
            answers.push(match stored {
                Err(code) => answer.with_error_code(code),
                Ok(stored) => {
                    if stored.bytes > 0 {
                        broker.notify_appended(name.as_str(), index);
                    }
                    broker.metrics().produced(stored.bytes);
                    answer
                        .with_base_offset(stored.base_offset)
                        .with_log_append_time_ms(stored.log_append_time)
                        .with_log_start_offset(stored.log_start_offset)
                }
            });
        }
        responses.push(
            TopicProduceResponse::default()
                .with_name(name)
                .with_partition_responses(answers),
        );
    }
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
    log: &mut PartitionLog,
    producers: &mut Producers,
    topic: &str,
    data: &PartitionProduceData,
    durable: bool,
) -> Result<Stored, i16> {
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
