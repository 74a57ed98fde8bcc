//! Records waiting to be sent, batched per partition: the state `send`
//! appends to and the sender task drains.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::oneshot;

use super::Delivery;
use crate::error::{Error, TopicPartition};
use crate::records::Header;

/// Bytes a record costs in a batch besides its key, value and headers
/// (varint lengths, deltas, attributes), about.
const RECORD_OVERHEAD: usize = 21;
/// A batch's header.
pub(crate) const BATCH_OVERHEAD: usize = 61;

/// One record waiting, and where to report what became of it.
#[derive(Debug)]
pub(crate) struct PendingRecord {
    pub(crate) key: Option<Bytes>,
    pub(crate) value: Option<Bytes>,
    pub(crate) headers: Vec<Header>,
    pub(crate) timestamp: i64,
    pub(crate) reply: oneshot::Sender<Result<Delivery, Error>>,
}

impl PendingRecord {
    /// Its size in a batch, about.
    pub(crate) fn size(&self) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|h| h.key.len() + h.value.as_ref().map_or(0, Bytes::len) + 10)
            .sum();
        RECORD_OVERHEAD
            + self.key.as_ref().map_or(0, Bytes::len)
            + self.value.as_ref().map_or(0, Bytes::len)
            + headers
    }
}

/// Records for one partition sent in one request.
#[derive(Debug)]
pub(crate) struct Batch {
    pub(crate) records: Vec<PendingRecord>,
    pub(crate) bytes: usize,
    pub(crate) created: Instant,
    /// Set at the first send: the encoded batch, resent unchanged (same
    /// sequence numbers) by every retry.
    pub(crate) encoded: Option<Bytes>,
    /// Tries so far.
    pub(crate) attempts: u32,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            records: Vec::new(),
            bytes: BATCH_OVERHEAD,
            created: Instant::now(),
            encoded: None,
            attempts: 0,
        }
    }
}

/// One partition's queue.
#[derive(Debug, Default)]
pub(crate) struct PartitionQueue {
    pub(crate) batches: VecDeque<Batch>,
    /// Whether the front batch is on its way (one at a time keeps the
    /// partition's order through retries).
    pub(crate) in_flight: bool,
    /// A retry waits until then.
    pub(crate) retry_at: Option<Instant>,
    /// The next record's sequence number (idempotence).
    pub(crate) next_sequence: i32,
}

/// What appending a record changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Appended {
    /// A new batch was opened: its linger time starts now.
    pub(crate) opened: bool,
    /// A batch is ready to go.
    pub(crate) full: bool,
}

impl Appended {
    /// Whether the sender must look again (a batch to time or to send).
    pub(crate) fn wakes_sender(self) -> bool {
        self.opened || self.full
    }
}

/// Everything waiting to be sent.
#[derive(Debug, Default)]
pub(crate) struct Accumulator {
    /// Records whose topic's partition count is not known yet, in order.
    pub(crate) unpartitioned: HashMap<String, VecDeque<PendingRecord>>,
    /// Batches by partition.
    pub(crate) partitions: HashMap<TopicPartition, PartitionQueue>,
    /// The partition keyless records of a topic go to until its batch
    /// fills (the sticky partitioner).
    pub(crate) sticky: HashMap<String, i32>,
    /// Records not yet answered.
    pub(crate) unanswered: usize,
    /// `flush` callers waiting for `unanswered` to reach zero.
    pub(crate) flushing: Vec<oneshot::Sender<()>>,
    /// No more records are accepted; the sender finishes and stops.
    pub(crate) closing: bool,
}

impl Accumulator {
    /// Appends `record` to `partition`'s open batch, opening a new one when
    /// it would grow past `batch_size`. Returns what the sender needs to
    /// know.
    pub(crate) fn append(
        &mut self,
        partition: TopicPartition,
        record: PendingRecord,
        batch_size: usize,
    ) -> Appended {
        let size = record.size();
        let queue = self.partitions.entry(partition).or_default();
        let open = queue
            .batches
            .back()
            .is_some_and(|b| b.encoded.is_none() && b.bytes + size <= batch_size);
        if !open {
            queue.batches.push_back(Batch::new());
        }
        let batch = queue.batches.back_mut().expect("a batch was just ensured");
        batch.bytes += size;
        batch.records.push(record);
        Appended {
            opened: !open,
            full: batch.bytes >= batch_size || queue.batches.len() > 1,
        }
    }

    /// The sticky partition for a keyless record of `topic`.
    pub(crate) fn sticky_partition(&mut self, topic: &str, partitions: usize) -> i32 {
        let partitions = partitions.max(1) as i32;
        *self
            .sticky
            .entry(topic.to_owned())
            .or_insert_with(|| fastrand::i32(0..partitions))
            % partitions
    }

    /// Moves `topic`'s sticky partition on (its batch filled).
    pub(crate) fn advance_sticky(&mut self, topic: &str, partitions: usize) {
        if let Some(p) = self.sticky.get_mut(topic) {
            *p = (*p + 1) % partitions.max(1) as i32;
        }
    }

    /// Partitions whose front batch should go now: full, lingered long
    /// enough, followed by another batch, or everything is being flushed.
    /// Also returns the earliest time another batch becomes ready.
    pub(crate) fn ready(
        &self,
        now: Instant,
        linger: Duration,
        batch_size: usize,
    ) -> (Vec<TopicPartition>, Option<Instant>) {
        let hurry = self.closing || !self.flushing.is_empty();
        let mut ready = Vec::new();
        let mut next: Option<Instant> = None;
        let mut wake_at = |at: Instant| next = Some(next.map_or(at, |n: Instant| n.min(at)));
        for (partition, queue) in &self.partitions {
            if queue.in_flight {
                continue;
            }
            let Some(front) = queue.batches.front() else {
                continue;
            };
            if let Some(at) = queue.retry_at.filter(|at| *at > now) {
                wake_at(at);
                continue;
            }
            let due = front.created + linger;
            if hurry
                || front.encoded.is_some()
                || front.bytes >= batch_size
                || queue.batches.len() > 1
                || due <= now
            {
                ready.push(partition.clone());
            } else {
                wake_at(due);
            }
        }
        (ready, next)
    }

    /// Fails, with `error`, the batches not in flight that have waited
    /// longer than `timeout`.
    pub(crate) fn expire(&mut self, timeout: Duration, error: &Error) {
        let mut failed = 0;
        for queue in self.partitions.values_mut() {
            let keep_front = usize::from(queue.in_flight);
            while queue
                .batches
                .get(keep_front)
                .is_some_and(|b| b.created.elapsed() > timeout)
            {
                let Some(batch) = queue.batches.remove(keep_front) else {
                    break;
                };
                failed += batch.records.len();
                for pending in batch.records {
                    let _ = pending.reply.send(Err(error.clone()));
                }
            }
        }
        self.answered(failed);
    }

    /// Counts `n` records answered, waking `flush` callers when none are
    /// left.
    pub(crate) fn answered(&mut self, n: usize) {
        self.unanswered = self.unanswered.saturating_sub(n);
        if self.unanswered == 0 {
            for waiter in self.flushing.drain(..) {
                let _ = waiter.send(());
            }
        }
    }
}
