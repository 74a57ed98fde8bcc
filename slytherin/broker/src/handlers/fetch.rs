//! Fetch with long polling: answer as soon as `min_bytes` are available, or
//! when `max_wait_ms` has passed, whichever comes first. Stored batches are
//! returned exactly as stored.
//!
//! Fetch sessions (KIP-227) are not kept: every answer has session ID 0,
//! which tells clients to send full fetch requests.

use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::fetch_request::FetchPartition;
use kafka_protocol::messages::fetch_response::{FetchableTopicResponse, PartitionData};
use kafka_protocol::messages::{FetchRequest, FetchResponse};
use tokio::time::Instant;

use super::errors::{error_code, UNKNOWN_TOPIC_OR_PARTITION};
use crate::server::{Broker, ShuttingDown};
use crate::storage::Storage;

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
        // Registered before reading, so an append between the read and the
        // wait still wakes this fetch.
        let appended = broker.appended().notified();
        tokio::pin!(appended);
        appended.as_mut().enable();
        let (responses, bytes, failed) = broker.read_storage(|storage| {
            read_all(storage, &request, broker.settings().max_fetch_bytes)
        })?;
        if bytes >= min_bytes || failed || Instant::now() >= deadline {
            broker.metrics().fetched(bytes);
            return Ok(FetchResponse::default().with_responses(responses));
        }
        tokio::select! {
            _ = appended => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
}

/// Reads every requested partition: the answers, the bytes they hold, and
/// whether any partition failed (which ends the wait, as in Kafka).
fn read_all(
    storage: &Storage,
    request: &FetchRequest,
    max_fetch_bytes: usize,
) -> (Vec<FetchableTopicResponse>, usize, bool) {
    let mut budget = usize::try_from(request.max_bytes)
        .unwrap_or(0)
        .min(max_fetch_bytes);
    let mut total = 0;
    let mut failed = false;
    let responses = request
        .topics
        .iter()
        .map(|topic| {
            let partitions = topic
                .partitions
                .iter()
                .map(|p| {
                    let answer = read_one(storage, topic.topic.as_str(), p, budget);
                    let size = answer.records.as_ref().map_or(0, Bytes::len);
                    budget = budget.saturating_sub(size);
                    total += size;
                    failed |= answer.error_code != 0;
                    answer
                })
                .collect();
            FetchableTopicResponse::default()
                .with_topic(topic.topic.clone())
                .with_partitions(partitions)
        })
        .collect();
    (responses, total, failed)
}

fn read_one(
    storage: &Storage,
    topic: &str,
    request: &FetchPartition,
    budget: usize,
) -> PartitionData {
    let answer = PartitionData::default().with_partition_index(request.partition);
    let Some(log) = u32::try_from(request.partition)
        .ok()
        .and_then(|index| storage.topic(topic)?.partition(index))
    else {
        return answer.with_error_code(UNKNOWN_TOPIC_OR_PARTITION);
    };
    let end = log.log_end_offset();
    let answer = answer
        .with_high_watermark(end)
        .with_last_stable_offset(end)
        .with_log_start_offset(log.log_start_offset());
    let limit = usize::try_from(request.partition_max_bytes)
        .unwrap_or(0)
        .min(budget);
    // Once the response is full, later partitions report their offsets only
    // (the storage engine would return at least one batch).
    if limit == 0 {
        return answer.with_records(Some(Bytes::new()));
    }
    match log.read(request.fetch_offset, limit) {
        Ok(read) => answer.with_records(Some(Bytes::from(read.records))),
        Err(e) => answer.with_error_code(error_code(&e)),
    }
}
