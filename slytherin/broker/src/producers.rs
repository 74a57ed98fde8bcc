//! Idempotent producers: InitProducerId hands out producer IDs, and each
//! partition remembers the last batches of each producer, so a retried
//! batch (same producer, epoch and base sequence) is answered with the
//! offset it got the first time instead of being stored twice.
//!
//! The sequence state lives in memory. After a restart it is rebuilt per
//! partition, the first time an idempotent producer writes to it, from the
//! batch headers of the partition's tail (the last [`TAIL_OFFSETS`]
//! offsets, at most [`TAIL_BYTES`]), so a batch retried across a broker
//! crash is still recognised. Kafka keeps snapshots to rebuild from the
//! whole log; a retry older than the tail would be stored again here.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::storage::batch::iter_batches;
use crate::storage::{PartitionLog, StorageError};

/// Batches remembered per producer and partition: librdkafka and the Java
/// client keep at most five requests in flight with idempotence on.
const REMEMBERED: usize = 5;

/// How far back the tail scan looks, in offsets.
pub const TAIL_OFFSETS: i64 = 10_000;
/// The most bytes the tail scan reads.
pub const TAIL_BYTES: usize = 8 * 1024 * 1024;

/// What a partition knows of a batch's producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerBatch {
    /// The producer ID; negative for a producer without idempotence.
    pub producer_id: i64,
    /// Its epoch.
    pub epoch: i16,
    /// Sequence number of the first record.
    pub base_sequence: i32,
    /// Sequence number of the last record.
    pub last_sequence: i32,
}

/// Whether a batch should be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceCheck {
    /// Store it.
    Fresh,
    /// Already stored at this base offset: answer with it, store nothing.
    Duplicate(i64),
    /// A gap or a reordering: refuse (OUT_OF_ORDER_SEQUENCE_NUMBER).
    OutOfOrder,
}

#[derive(Debug, Clone, Copy)]
struct Stored {
    base_sequence: i32,
    last_sequence: i32,
    base_offset: i64,
}

/// Producer IDs and the sequence state of every partition.
#[derive(Debug)]
pub struct Producers {
    next_id: i64,
    batches: HashMap<(String, i32, i64), (i16, VecDeque<Stored>)>,
    /// Partitions whose tail has been scanned since the broker started.
    scanned: HashSet<(String, i32)>,
}

impl Default for Producers {
    fn default() -> Self {
        // Starting from the clock keeps IDs from an earlier run (whose
        // producers may still be sending) from being handed out again.
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        Producers {
            next_id: now,
            batches: HashMap::new(),
            scanned: HashSet::new(),
        }
    }
}

impl Producers {
    /// A new producer ID, epoch 0.
    pub fn new_producer(&mut self) -> (i64, i16) {
        self.next_id += 1;
        (self.next_id, 0)
    }

    /// A known producer starting a new epoch (InitProducerId 3+ with its
    /// current ID): its sequences start again.
    pub fn bump_epoch(&mut self, producer_id: i64, epoch: i16) -> (i64, i16) {
        self.batches.retain(|(_, _, id), _| *id != producer_id);
        (producer_id, epoch.saturating_add(1))
    }

    /// Whether `batch` on `topic`/`partition` should be stored.
    pub fn check(&self, topic: &str, partition: i32, batch: &ProducerBatch) -> SequenceCheck {
        if batch.producer_id < 0 {
            return SequenceCheck::Fresh;
        }
        let Some((epoch, stored)) =
            self.batches
                .get(&(topic.to_owned(), partition, batch.producer_id))
        else {
            return SequenceCheck::Fresh;
        };
        if *epoch != batch.epoch {
            return SequenceCheck::Fresh;
        }
        if let Some(previous) = stored
            .iter()
            .find(|s| s.base_sequence == batch.base_sequence)
        {
            return SequenceCheck::Duplicate(previous.base_offset);
        }
        match stored.back() {
            Some(last) if next_sequence(last.last_sequence) != batch.base_sequence => {
                SequenceCheck::OutOfOrder
            }
            _ => SequenceCheck::Fresh,
        }
    }

    /// Learns the producers of a partition's tail, once per partition and
    /// broker run (see the module documentation).
    pub fn learn_tail(
        &mut self,
        topic: &str,
        partition: i32,
        log: &PartitionLog,
    ) -> Result<(), StorageError> {
        if !self.scanned.insert((topic.to_owned(), partition)) {
            return Ok(());
        }
        let end = log.log_end_offset();
        let mut offset = log.log_start_offset().max(end - TAIL_OFFSETS);
        let mut budget = TAIL_BYTES;
        while offset < end && budget > 0 {
            let read = log.read(offset, budget)?;
            if read.records.is_empty() {
                break;
            }
            budget = budget.saturating_sub(read.records.len());
            for header in iter_batches(&read.records)
                .flatten()
                .map(|(header, _)| header)
            {
                let batch = ProducerBatch {
                    producer_id: header.producer_id,
                    epoch: header.producer_epoch,
                    base_sequence: header.base_sequence,
                    last_sequence: header.base_sequence.wrapping_add(header.last_offset_delta),
                };
                self.record(topic, partition, &batch, header.base_offset);
            }
            offset = read.next_offset;
        }
        Ok(())
    }

    /// Records a stored batch.
    pub fn record(&mut self, topic: &str, partition: i32, batch: &ProducerBatch, base_offset: i64) {
        if batch.producer_id < 0 {
            return;
        }
        let entry = self
            .batches
            .entry((topic.to_owned(), partition, batch.producer_id))
            .or_insert_with(|| (batch.epoch, VecDeque::new()));
        if entry.0 != batch.epoch {
            *entry = (batch.epoch, VecDeque::new());
        }
        entry.1.push_back(Stored {
            base_sequence: batch.base_sequence,
            last_sequence: batch.last_sequence,
            base_offset,
        });
        if entry.1.len() > REMEMBERED {
            entry.1.pop_front();
        }
    }
}

/// Sequence numbers wrap from `i32::MAX` to 0.
fn next_sequence(sequence: i32) -> i32 {
    if sequence == i32::MAX {
        0
    } else {
        sequence + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(base: i32, count: i32) -> ProducerBatch {
        ProducerBatch {
            producer_id: 7,
            epoch: 0,
            base_sequence: base,
            last_sequence: base + count - 1,
        }
    }

    #[test]
    fn a_retried_batch_is_a_duplicate_and_a_gap_is_out_of_order() {
        let mut producers = Producers::default();
        assert_eq!(producers.check("t", 0, &batch(0, 3)), SequenceCheck::Fresh);
        producers.record("t", 0, &batch(0, 3), 100);
        producers.record("t", 0, &batch(3, 2), 103);
        assert_eq!(
            producers.check("t", 0, &batch(0, 3)),
            SequenceCheck::Duplicate(100)
        );
        assert_eq!(
            producers.check("t", 0, &batch(3, 2)),
            SequenceCheck::Duplicate(103)
        );
        assert_eq!(producers.check("t", 0, &batch(5, 1)), SequenceCheck::Fresh);
        assert_eq!(
            producers.check("t", 0, &batch(9, 1)),
            SequenceCheck::OutOfOrder
        );
        assert_eq!(
            producers.check("t", 1, &batch(9, 1)),
            SequenceCheck::Fresh,
            "per partition"
        );
        let (id, epoch) = producers.bump_epoch(7, 0);
        assert_eq!((id, epoch), (7, 1));
        assert_eq!(
            producers.check("t", 0, &batch(0, 3)),
            SequenceCheck::Fresh,
            "a new epoch starts over"
        );
    }
}
