//! The producer's background task: places records whose topic was not yet
//! known, sends ready batches (one Produce request per leader), and takes
//! in the answers: offsets to the callers, retriable failures retried with
//! the same sequence numbers after a backoff, others reported.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use kafka_protocol::error::{ParseResponseErrorCode, ResponseError};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{ApiKey, ProduceRequest};
use tokio::sync::mpsc;

use super::accumulator::{Accumulator, Appended};
use super::{Delivery, Shared};
use crate::cluster::Lane;
use crate::config::ClientConfig;
use crate::error::{Error, TopicPartition};
use crate::partitioner::partition_for_key;
use crate::records::{encode_batch, record, ProducerStamp};
use crate::topics::by_topic;

/// What became of one partition's batch.
struct Outcome {
    partition: TopicPartition,
    /// The base offset (`None` with acks=0), or why it failed.
    result: Result<Option<i64>, Error>,
}

/// Runs until the producer is closed and every record is answered.
pub(super) async fn run(shared: Arc<Shared>) {
    let (outcomes, mut answers) = mpsc::unbounded_channel::<Outcome>();
    let mut metadata_retry_at: Option<Instant> = None;
    loop {
        let now = Instant::now();
        if metadata_retry_at.is_none_or(|at| at <= now) {
            metadata_retry_at = place_unpartitioned(&shared).await;
        }
        // While a new producer ID is pending nothing is sent, and it is
        // asked for only once no batch is in flight.
        let (ready, mut wake_at, renew) = {
            let state = shared.lock();
            if state.closing && state.all_answered() {
                return;
            }
            if shared.reset_pending() {
                let idle = !state.partitions.values().any(|q| q.in_flight);
                (Vec::new(), None, idle)
            } else {
                let (ready, wake_at) = state.ready(
                    Instant::now(),
                    shared.config.linger,
                    shared.config.batch_size,
                );
                (ready, wake_at, false)
            }
        };
        if renew {
            renew_producer_id(&shared).await;
            continue;
        }
        if let Some(at) = metadata_retry_at {
            wake_at = Some(wake_at.map_or(at, |w| w.min(at)));
        }
        send_ready(&shared, ready, &outcomes).await;
        let sleep_until = wake_at.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            () = shared.wake.notified() => {}
            Some(outcome) = answers.recv() => {
                take_in(&shared, outcome);
                while let Ok(more) = answers.try_recv() {
                    take_in(&shared, more);
                }
            }
            () = tokio::time::sleep_until(sleep_until.into()) => {}
        }
    }
}

/// Partitions records whose topics have become known; fails those whose
/// topic cannot be had. Returns when to try again if some are waiting.
async fn place_unpartitioned(shared: &Shared) -> Option<Instant> {
    let topics: Vec<String> = shared.lock().unpartitioned.keys().cloned().collect();
    let mut retry_at = None;
    for topic in topics {
        match shared.cluster.topic(&topic).await {
            Ok(found) if !found.partitions.is_empty() => {
                let count = found.partitions.len();
                let mut state = shared.lock();
                let waiting = state.unpartitioned.remove(&topic).unwrap_or_default();
                // Placed before this round's `ready`: no wake needed.
                for pending in waiting {
                    place(&mut state, &topic, count, pending, shared.config.batch_size);
                }
            }
            Ok(_) => retry_at = Some(Instant::now() + shared.config.client.retry_backoff),
            Err(e) => {
                let mut state = shared.lock();
                let expired = state
                    .unpartitioned
                    .get(&topic)
                    .and_then(|w| w.front())
                    .is_some_and(|first| {
                        first_wait_expired(first.timestamp, shared.config.delivery_timeout)
                    });
                if e.is_retriable() && !expired {
                    retry_at = Some(Instant::now() + shared.config.client.retry_backoff);
                    continue;
                }
                let waiting = state.unpartitioned.remove(&topic).unwrap_or_default();
                for pending in waiting {
                    state.reply(pending, Err(e.clone()));
                }
            }
        }
    }
    retry_at
}

/// Whether a record stamped at `timestamp` (ms) has waited past `limit`.
fn first_wait_expired(timestamp: i64, limit: Duration) -> bool {
    let waited = super::now_millis().saturating_sub(timestamp);
    u128::try_from(waited).unwrap_or(0) > limit.as_millis()
}

/// Puts a record on its partition (by key, or the sticky partition).
pub(super) fn place(
    state: &mut Accumulator,
    topic: &str,
    partitions: usize,
    pending: super::accumulator::PendingRecord,
    batch_size: usize,
) -> Appended {
    let keyed = pending
        .key
        .as_ref()
        .map(|k| partition_for_key(k, partitions));
    let partition = keyed.unwrap_or_else(|| state.sticky_partition(topic, partitions));
    let appended = state.append(TopicPartition::new(topic, partition), pending, batch_size);
    if appended.full && keyed.is_none() {
        state.advance_sticky(topic, partitions);
    }
    appended
}

/// Encodes the front batch of each ready partition (once: retries resend
/// the same bytes) and sends them, one request per leader.
async fn send_ready(
    shared: &Arc<Shared>,
    ready: Vec<TopicPartition>,
    outcomes: &mpsc::UnboundedSender<Outcome>,
) {
    if ready.is_empty() {
        return;
    }
    if shared.cluster.needs_refresh() {
        // A retry after NOT_LEADER_OR_FOLLOWER or a broken connection: ask
        // where the leaders are now (a failure leaves the cached answer).
        let mut topics: Vec<&str> = ready.iter().map(|p| p.topic.as_str()).collect();
        topics.sort_unstable();
        topics.dedup();
        if let Err(e) = shared.cluster.refresh(&topics).await {
            tracing::debug!(error = %e, "metadata refresh failed");
        }
    }
    let mut by_leader: HashMap<i32, Vec<(TopicPartition, Bytes)>> = HashMap::new();
    let mut leaderless = Vec::new();
    for partition in ready {
        match shared.cluster.cached_leader(&partition) {
            Some(leader) => {
                if let Some(batch) = take_batch(shared, &partition) {
                    by_leader
                        .entry(leader)
                        .or_default()
                        .push((partition, batch));
                }
            }
            None => leaderless.push(partition),
        }
    }
    for partition in leaderless {
        // The leader is found (or the failure reported) through the usual
        // retry path: an outcome with the lookup's error.
        let error = match shared.cluster.leader(&partition, Lane::General).await {
            Ok(_) => {
                shared.wake.notify_one();
                continue;
            }
            Err(e) => e,
        };
        let _ = outcomes.send(Outcome {
            partition: partition.clone(),
            result: Err(error),
        });
        if let Some(queue) = shared.lock().partitions.get_mut(&partition) {
            queue.in_flight = true;
        }
    }
    for (leader, batches) in by_leader {
        let shared = Arc::clone(shared);
        let outcomes = outcomes.clone();
        tokio::spawn(async move {
            for outcome in produce(&shared, leader, batches).await {
                let _ = outcomes.send(outcome);
            }
            shared.wake.notify_one();
        });
    }
}

/// Marks `partition`'s front batch in flight and returns its bytes,
/// encoding it first if this is its first try.
fn take_batch(shared: &Shared, partition: &TopicPartition) -> Option<Bytes> {
    let stamp = shared.producer_stamp();
    let mut state = shared.lock();
    let queue = state.partitions.get_mut(partition)?;
    let next_sequence = queue.next_sequence;
    let batch = queue.batches.front_mut()?;
    if batch.encoded.is_none() {
        let stamp = stamp.map(|(producer_id, epoch)| ProducerStamp {
            producer_id,
            epoch,
            base_sequence: next_sequence,
        });
        let records: Vec<_> = batch
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                record(
                    i,
                    r.timestamp,
                    r.key.clone(),
                    r.value.clone(),
                    &r.headers,
                    stamp,
                )
            })
            .collect();
        match encode_batch(&records, shared.config.compression.codec()) {
            Ok(bytes) => batch.encoded = Some(Bytes::from(bytes)),
            Err(reason) => {
                // Not sent, so no sequence numbers are spent.
                let failed = queue.batches.pop_front()?;
                for pending in failed.records {
                    let error = Error::Encode {
                        partition: partition.clone(),
                        reason: reason.clone(),
                    };
                    state.reply(pending, Err(error));
                }
                return None;
            }
        }
        if stamp.is_some() {
            let count = batch.records.len() as i64;
            queue.next_sequence =
                ((i64::from(next_sequence) + count) % (i64::from(i32::MAX) + 1)) as i32;
        }
    }
    let batch = queue.batches.front_mut()?;
    batch.attempts += 1;
    let bytes = batch.encoded.clone();
    queue.in_flight = true;
    bytes
}

/// One Produce request to `leader` with `batches`; an outcome per batch.
async fn produce(
    shared: &Shared,
    leader: i32,
    batches: Vec<(TopicPartition, Bytes)>,
) -> Vec<Outcome> {
    let all_failed = |batches: &[(TopicPartition, Bytes)], error: Error| {
        batches
            .iter()
            .map(|(partition, _)| Outcome {
                partition: partition.clone(),
                result: Err(error.clone()),
            })
            .collect()
    };
    let connection = match shared.cluster.node(leader, Lane::General).await {
        Ok(connection) => connection,
        Err(e) => return all_failed(&batches, e),
    };
    let version = match connection.version(ApiKey::Produce) {
        Ok(version) => version,
        Err(e) => return all_failed(&batches, e),
    };
    let request = produce_request(&batches, shared.config.acks.wire(), &shared.config.client);
    if shared.config.acks == super::Acks::None {
        return match connection.send_only(version, &request).await {
            Ok(()) => batches
                .into_iter()
                .map(|(partition, _)| Outcome {
                    partition,
                    result: Ok(None),
                })
                .collect(),
            Err(e) => {
                shared.cluster.forget(&connection).await;
                all_failed(&batches, e)
            }
        };
    }
    let answer = match connection.call(version, &request).await {
        Ok(answer) => answer,
        Err(e) => {
            shared.cluster.forget(&connection).await;
            return all_failed(&batches, e);
        }
    };
    let broker = connection.broker();
    batches
        .into_iter()
        .map(|(partition, _)| {
            let found = answer
                .responses
                .iter()
                .filter(|t| t.name.as_str() == partition.topic)
                .flat_map(|t| &t.partition_responses)
                .find(|p| p.index == partition.partition);
            let result = match found {
                None => Err(Error::Partition {
                    partition: partition.clone(),
                    broker: broker.clone(),
                    code: ResponseError::UnknownServerError,
                    message: Some("the answer does not mention this partition".to_owned()),
                }),
                Some(p) => match p.error_code.err() {
                    None => Ok(Some(p.base_offset)),
                    // Stored before, outside what the broker still remembers.
                    Some(ResponseError::DuplicateSequenceNumber) => Ok(None),
                    Some(code) => Err(Error::Partition {
                        partition: partition.clone(),
                        broker: broker.clone(),
                        code,
                        message: p.error_message.as_ref().map(|m| m.to_string()),
                    }),
                },
            };
            Outcome { partition, result }
        })
        .collect()
}

fn produce_request(
    batches: &[(TopicPartition, Bytes)],
    acks: i16,
    client: &ClientConfig,
) -> ProduceRequest {
    let topics = by_topic(batches.iter().map(|(partition, bytes)| {
        let data = PartitionProduceData::default()
            .with_index(partition.partition)
            .with_records(Some(bytes.clone()));
        (partition, data)
    }))
    .into_iter()
    .map(|(name, data)| {
        TopicProduceData::default()
            .with_name(name)
            .with_partition_data(data)
    })
    .collect();
    ProduceRequest::default()
        .with_transactional_id(None)
        .with_acks(acks)
        .with_timeout_ms(i32::try_from(client.request_timeout.as_millis()).unwrap_or(i32::MAX))
        .with_topic_data(topics)
}

/// Takes in a batch's outcome: answers its records, or schedules a retry.
fn take_in(shared: &Shared, outcome: Outcome) {
    let mut state = shared.lock();
    let Some(queue) = state.partitions.get_mut(&outcome.partition) else {
        return;
    };
    queue.in_flight = false;
    let retry = match &outcome.result {
        Err(e) if e.is_retriable() => queue.batches.front().map(|b| {
            (
                b.created.elapsed() < shared.config.delivery_timeout,
                b.attempts,
            )
        }),
        _ => None,
    };
    if let (Some((true, attempts)), Err(e)) = (retry, &outcome.result) {
        let wait = retry_wait(&shared.config.client, attempts);
        tracing::debug!(partition = %outcome.partition, error = %e, ?wait, "produce: retrying");
        queue.retry_at = Some(Instant::now() + wait);
        shared.cluster.invalidate();
        return;
    }
    queue.retry_at = None;
    let Some(batch) = queue.batches.pop_front() else {
        return;
    };
    match outcome.result {
        Ok(base) => {
            for (i, pending) in batch.records.into_iter().enumerate() {
                let delivery = Delivery {
                    partition: outcome.partition.partition,
                    offset: base.map(|b| b + i as i64),
                };
                state.reply(pending, Ok(delivery));
            }
        }
        Err(error) => {
            if shared.producer_stamp().is_some() && batch.encoded.is_some() {
                // Its sequence numbers are spent: a new producer ID (or
                // epoch) restarts every partition's sequence.
                shared.request_reset();
            }
            for pending in batch.records {
                state.reply(pending, Err(error.clone()));
            }
        }
    }
}

/// The wait before try `attempts + 1`: doubling from the first backoff,
/// bounded by the largest.
fn retry_wait(client: &ClientConfig, attempts: u32) -> Duration {
    let doubled = client
        .retry_backoff
        .saturating_mul(1u32 << attempts.saturating_sub(1).min(16));
    doubled.min(client.retry_backoff_max)
}

/// Gets a new producer ID once no batch is in flight, and restarts every
/// partition's sequence (re-encoding batches not yet answered).
async fn renew_producer_id(shared: &Shared) {
    match super::init_producer_id(&shared.cluster).await {
        Ok(id) => {
            let mut state = shared.lock();
            for queue in state.partitions.values_mut() {
                queue.next_sequence = 0;
                for batch in &mut queue.batches {
                    batch.encoded = None;
                }
            }
            shared.set_producer(id);
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot renew the producer ID; will try again");
            shared.lock().expire(shared.config.delivery_timeout, &e);
            tokio::time::sleep(shared.config.client.retry_backoff_max).await;
        }
    }
}
