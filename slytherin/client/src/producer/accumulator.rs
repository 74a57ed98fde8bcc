//! Records waiting to be sent, batched per partition: the state `send`
//! appends to and the sender task drains.

use std::collections::{BTreeMap, VecDeque};

use rustc_hash::FxHashMap as HashMap;
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
    /// The flush epoch it was sent in (see [`Accumulator::start_flush`]).
    pub(crate) epoch: u64,
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
    /// Records not yet answered, by the flush epoch they were sent in.
    outstanding: BTreeMap<u64, usize>,
    /// The epoch records sent now belong to; each `flush` starts a new one.
    epoch: u64,
    /// `flush` callers, each waiting until no record of an epoch below its
    /// own is unanswered.
    flushing: Vec<(u64, oneshot::Sender<()>)>,
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
        // Looked up before `entry`, which would copy the name every time.
        if let Some(&partition) = self.sticky.get(topic) {
            return partition;
        }
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
        let hurry = self.closing || self.is_flushing();
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
        let mut expired = Vec::new();
        for queue in self.partitions.values_mut() {
            let keep_front = usize::from(queue.in_flight);
            while queue
                .batches
                .get(keep_front)
                .is_some_and(|b| b.created.elapsed() > timeout)
            {
                match queue.batches.remove(keep_front) {
                    Some(batch) => expired.extend(batch.records),
                    None => break,
                }
            }
        }
        for pending in expired {
            self.reply(pending, Err(error.clone()));
        }
    }

    /// Counts a record sent: it belongs to the current flush epoch.
    pub(crate) fn admit(&mut self) -> u64 {
        *self.outstanding.entry(self.epoch).or_default() += 1;
        self.epoch
    }

    /// Whether every record sent has been answered.
    pub(crate) fn all_answered(&self) -> bool {
        self.outstanding.is_empty()
    }

    /// Starts a flush of everything sent so far: `None` when all of it is
    /// answered already, else what is told once it is.
    pub(crate) fn start_flush(&mut self) -> Option<oneshot::Receiver<()>> {
        self.epoch += 1;
        if self.outstanding.is_empty() {
            return None;
        }
        let (done, finished) = oneshot::channel();
        self.flushing.push((self.epoch, done));
        Some(finished)
    }

    /// Whether a flush is waiting (batches go without lingering).
    pub(crate) fn is_flushing(&self) -> bool {
        !self.flushing.is_empty()
    }

    /// Tells `pending`'s sender what became of it, and wakes the flushes
    /// that were waiting for it (and everything sent before them).
    pub(crate) fn reply(&mut self, pending: PendingRecord, result: Result<Delivery, Error>) {
        let _ = pending.reply.send(result);
        if let Some(count) = self.outstanding.get_mut(&pending.epoch) {
            *count -= 1;
            if *count == 0 {
                self.outstanding.remove(&pending.epoch);
            }
        }
        let oldest = self.outstanding.keys().next().copied();
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.flushing)
            .into_iter()
            .partition(|(upto, _)| oldest.is_none_or(|o| o >= *upto));
        self.flushing = waiting;
        for (_, waiter) in done {
            let _ = waiter.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(
        state: &mut Accumulator,
    ) -> (PendingRecord, oneshot::Receiver<Result<Delivery, Error>>) {
        let (reply, answer) = oneshot::channel();
        let mut record = PendingRecord {
            key: None,
            value: Some(Bytes::from_static(b"v")),
            headers: Vec::new(),
            timestamp: 0,
            reply,
            epoch: 0,
        };
        record.epoch = state.admit();
        (record, answer)
    }

    const STORED: Delivery = Delivery {
        partition: 0,
        offset: Some(0),
    };

    #[test]
    fn a_flush_waits_for_what_was_sent_before_it_only() {
        let mut state = Accumulator::default();
        let (first, _) = pending(&mut state);
        let mut flushed = state.start_flush().expect("something to wait for");
        let (later, _) = pending(&mut state);
        assert!(
            flushed.try_recv().is_err(),
            "the first record is unanswered"
        );
        state.reply(first, Ok(STORED));
        assert!(
            flushed.try_recv().is_ok(),
            "done, though a later record waits"
        );
        assert!(!state.all_answered());
        state.reply(later, Ok(STORED));
        assert!(state.all_answered());
        assert!(state.start_flush().is_none(), "nothing left to wait for");
    }

    #[test]
    fn a_full_batch_or_a_second_one_is_ready_before_its_linger() {
        let mut state = Accumulator::default();
        let partition = TopicPartition::new("t", 0);
        let (record, _) = pending(&mut state);
        let size = record.size();
        let appended = state.append(partition.clone(), record, BATCH_OVERHEAD + 2 * size);
        assert_eq!(
            appended,
            Appended {
                opened: true,
                full: false
            }
        );
        let linger = Duration::from_secs(60);
        let (ready, wake_at) = state.ready(Instant::now(), linger, BATCH_OVERHEAD + 2 * size);
        assert!(ready.is_empty() && wake_at.is_some());
        let (record, _) = pending(&mut state);
        let appended = state.append(partition.clone(), record, BATCH_OVERHEAD + 2 * size);
        assert_eq!(
            appended,
            Appended {
                opened: false,
                full: true
            }
        );
        let (ready, _) = state.ready(Instant::now(), linger, BATCH_OVERHEAD + 2 * size);
        assert_eq!(ready, [partition]);
    }
}
