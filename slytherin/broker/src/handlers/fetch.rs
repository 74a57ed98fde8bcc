//! Fetch with long polling: answer as soon as `min_bytes` are available, or
//! when `max_wait_ms` has passed, whichever comes first. Stored batches are
//! returned exactly as stored.
//!
//! Fetch sessions (KIP-227) are not kept: every answer has session ID 0,
//! which tells clients to send full fetch requests.

use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::fetch_response::{FetchableTopicResponse, PartitionData};
use kafka_protocol::messages::{FetchRequest, FetchResponse};
use tokio::time::Instant;

use super::errors::{error_code, UNKNOWN_TOPIC_OR_PARTITION};
use crate::server::append_signals::AppendWait;
use crate::server::{Broker, ShuttingDown};
use crate::storage::{lock_log, PartitionLog};

/// The longest a fetch waits, whatever the client asks: a bound on how long
/// a request can hold its connection.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// Fetch.
pub(crate) async fn handle(
    broker: &Broker,
    request: FetchRequest,
) -> Result<FetchResponse, ShuttingDown> {
    let wait = Duration::from_millis(u64::try_from(request.max_wait_ms).unwrap_or(0)).min(MAX_WAIT);
    let deadline = Instant::now() + wait;
    let min_bytes = usize::try_from(request.min_bytes).unwrap_or(0);
    loop {
        let mut appended = AppendWait::default();
        let (responses, bytes, failed) = read_all(
            broker,
            &request,
            broker.settings().max_fetch_bytes,
            &mut appended,
        )
        .await?;
        if bytes >= min_bytes || failed || Instant::now() >= deadline {
            broker.metrics().fetched(bytes);
            return Ok(FetchResponse::default().with_responses(responses));
        }
        tokio::select! {
            _ = appended.any() => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
}

/// Reads every requested partition on the core that owns it: the answers,
/// the bytes they hold, and whether any partition failed (which ends the
/// wait, as in Kafka). Every read is started before any is awaited; the
/// response's byte budget is applied as the answers are gathered in
/// request order. Each partition read is registered in `appended` before
/// its read starts, so an append between the read and the wait still
/// wakes the fetch.
async fn read_all(
    broker: &Broker,
    request: &FetchRequest,
    max_fetch_bytes: usize,
    appended: &mut AppendWait,
) -> Result<(Vec<FetchableTopicResponse>, usize, bool), ShuttingDown> {
    let mut budget = usize::try_from(request.max_bytes)
        .unwrap_or(0)
        .min(max_fetch_bytes);
    let mut started = Vec::with_capacity(request.topics.len());
    for topic in &request.topics {
        let name = topic.topic.as_str();
        let mut reads = Vec::with_capacity(topic.partitions.len());
        for p in &topic.partitions {
            let index = u32::try_from(p.partition).ok();
            let log = broker.read_storage(|storage| {
                index.and_then(|index| storage.topic(name)?.shared_partition(index))
            })?;
            let limit = usize::try_from(p.partition_max_bytes)
                .unwrap_or(0)
                .min(budget);
            let (partition, offset) = (p.partition, p.fetch_offset);
            if let (Some(index), Some(_)) = (index, &log) {
                appended.add(broker.append_signals().of(name, index));
            }
            let read = log.map(|log| {
                broker.on_owner(name, partition, move || {
                    read_log(&lock_log(&log), partition, offset, limit)
                })
            });
            reads.push((partition, read));
        }
        started.push((topic.topic.clone(), reads));
    }
    let mut total = 0;
    let mut failed = false;
    let mut responses = Vec::with_capacity(started.len());
    for (topic, reads) in started {
        let mut partitions = Vec::with_capacity(reads.len());
        for (partition, read) in reads {
            let mut answer = match read {
                Some(read) => read.result().await?,
                None => PartitionData::default()
                    .with_partition_index(partition)
                    .with_error_code(UNKNOWN_TOPIC_OR_PARTITION),
            };
            let size = answer.records.as_ref().map_or(0, Bytes::len);
            // Once the response is full, later partitions report their
            // offsets only; the first batch of the response is always
            // whole, as in Kafka.
            if size > budget && total > 0 {
                answer.records = Some(Bytes::new());
            } else {
                budget = budget.saturating_sub(size);
                total += size;
            }
            failed |= answer.error_code != 0;
            partitions.push(answer);
        }
        responses.push(
            FetchableTopicResponse::default()
                .with_topic(topic)
                .with_partitions(partitions),
        );
    }
    Ok((responses, total, failed))
}

/// One partition's answer: its offsets and up to `limit` bytes of batches
/// from `fetch_offset` (at least one batch when `limit` is not 0).
fn read_log(log: &PartitionLog, partition: i32, fetch_offset: i64, limit: usize) -> PartitionData {
    let end = log.log_end_offset();
    let answer = PartitionData::default()
        .with_partition_index(partition)
        .with_high_watermark(end)
        .with_last_stable_offset(end)
        .with_log_start_offset(log.log_start_offset());
    if limit == 0 {
        return answer.with_records(Some(Bytes::new()));
    }
    match log.read(fetch_offset, limit) {
        Ok(read) => answer.with_records(Some(Bytes::from(read.records))),
        Err(e) => answer.with_error_code(error_code(&e)),
    }
}
