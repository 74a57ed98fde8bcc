//! Record batches: the v2 batches a producer sends (plain or idempotent)
//! and the batches a Fetch answer carries, coded by `kafka-protocol`. The
//! broker writes its own batches (committed offsets) with [`plain_record`]
//! and [`encode_batch`] too.

use bytes::{Buf, Bytes, BytesMut};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions,
    TimestampType, NO_PRODUCER_EPOCH, NO_PRODUCER_ID,
};

/// A record header: a key and an optional value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    /// The header's name.
    pub key: String,
    /// Its value (`None` is a header without a value, distinct from empty).
    pub value: Option<Bytes>,
}

/// Who wrote a batch, for idempotent producers: producer ID, epoch and the
/// sequence number of the batch's first record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerStamp {
    /// The producer ID from InitProducerId.
    pub producer_id: i64,
    /// Its epoch.
    pub epoch: i16,
    /// The first record's sequence number in its partition.
    pub base_sequence: i32,
}

/// The `index`-th record of a batch: no producer id, no headers, the
/// offset and sequence both `index` (the encoder keeps records in one
/// batch only while they advance together).
pub fn plain_record(index: usize, timestamp: i64, key: Vec<u8>, value: Vec<u8>) -> Record {
    record(
        index,
        timestamp,
        Some(Bytes::from(key)),
        Some(Bytes::from(value)),
        &[],
        None,
    )
}

/// The `index`-th record of a batch with any key, value and headers,
/// stamped for an idempotent producer when `stamp` is given.
pub fn record(
    index: usize,
    timestamp: i64,
    key: Option<Bytes>,
    value: Option<Bytes>,
    headers: &[Header],
    stamp: Option<ProducerStamp>,
) -> Record {
    let (producer_id, producer_epoch, sequence) = match stamp {
        Some(s) => (
            s.producer_id,
            s.epoch,
            s.base_sequence.wrapping_add(index as i32),
        ),
        None => (NO_PRODUCER_ID, NO_PRODUCER_EPOCH, index as i32),
    };
    Record {
        transactional: false,
        control: false,
        delete_horizon: false,
        partition_leader_epoch: -1,
        producer_id,
        producer_epoch,
        timestamp_type: TimestampType::Creation,
        offset: index as i64,
        sequence,
        timestamp,
        key,
        value,
        headers: headers
            .iter()
            .map(|h| (StrBytes::from(h.key.clone()), h.value.clone()))
            .collect(),
    }
}

/// `records` as one v2 batch, compressed with `compression`.
pub fn encode_batch(records: &[Record], compression: Compression) -> Result<Vec<u8>, String> {
    let mut batch = BytesMut::new();
    let options = RecordEncodeOptions {
        version: 2,
        compression,
    };
    RecordBatchEncoder::encode(&mut batch, records.iter(), &options)
        .map_err(|e| format!("cannot encode a record batch: {e}"))?;
    Ok(batch.to_vec())
}

/// A record read from a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedRecord {
    /// Its offset in the partition.
    pub offset: i64,
    /// Milliseconds since the Unix epoch (creation or log-append time).
    pub timestamp: i64,
    /// The key, if it has one.
    pub key: Option<Bytes>,
    /// The value (`None` for a tombstone).
    pub value: Option<Bytes>,
    /// Its headers, in order.
    pub headers: Vec<Header>,
}

/// Why fetched records could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// The batch does not decode.
    #[error("the batch at offset {offset} does not decode: {reason}")]
    Malformed {
        /// The batch's base offset.
        offset: i64,
        /// What the decoder said.
        reason: String,
    },
}

/// Size of a batch's base offset and length fields.
const BATCH_PREFIX: usize = 12;
/// Where a batch's last offset delta is: after base offset, length,
/// leader epoch, magic, CRC and attributes.
const LAST_OFFSET_DELTA_AT: usize = 8 + 4 + 4 + 1 + 4 + 2;

/// Whole batches read from a partition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fetched {
    /// Their records at or after the offset asked for, in offset order.
    pub records: Vec<FetchedRecord>,
    /// The offset after the last whole batch (`None` when there was
    /// none): where the next fetch starts, even when the batches held only
    /// control records.
    pub next_offset: Option<i64>,
}

/// The records of the whole batches in `records` at or after `from`,
/// decompressed (gzip, snappy, lz4, zstd). A batch cut short at the end (a
/// Fetch answer may end in part of one) is left for the next fetch;
/// control batches (transaction markers) are skipped.
pub fn decode_fetched(records: Bytes, from: i64) -> Result<Fetched, BatchError> {
    let mut out = Vec::new();
    let next_offset = for_each_fetched(records, from, |r| {
        out.push(FetchedRecord {
            offset: r.offset,
            timestamp: r.timestamp,
            key: r.key.clone(),
            value: r.value.clone(),
            headers: r
                .headers
                .iter()
                .map(|(key, value)| Header {
                    key: key.to_string(),
                    value: value.clone(),
                })
                .collect(),
        });
    })?;
    Ok(Fetched {
        records: out,
        next_offset,
    })
}

/// What [`decode_fetched`] reads, lent to `each` record by record where the
/// decoder put it (a record is large: moving it costs more than reading
/// it): for readers that process records in place, such as the broker's
/// pipeline hosts. Returns
/// the offset after the last whole batch.
///
/// # Errors
/// When a whole batch does not decode (records of the batches before it
/// were handed over already).
pub fn for_each_fetched(
    mut records: Bytes,
    from: i64,
    mut each: impl FnMut(&kafka_protocol::records::Record),
) -> Result<Option<i64>, BatchError> {
    let mut next_offset = None;
    while records.len() >= BATCH_PREFIX {
        let base_offset = (&records[0..8]).get_i64();
        let length = (&records[8..12]).get_i32();
        let Ok(length) = usize::try_from(length) else {
            return Err(BatchError::Malformed {
                offset: base_offset,
                reason: format!("negative batch length {length}"),
            });
        };
        if records.len() < BATCH_PREFIX + length {
            break;
        }
        let mut batch = records.split_to(BATCH_PREFIX + length);
        if let Some(delta) = batch.get(LAST_OFFSET_DELTA_AT..LAST_OFFSET_DELTA_AT + 4) {
            let delta = i32::from_be_bytes([delta[0], delta[1], delta[2], delta[3]]);
            next_offset = Some(base_offset + i64::from(delta) + 1);
        }
        let set = RecordBatchDecoder::decode(&mut batch).map_err(|e| BatchError::Malformed {
            offset: base_offset,
            reason: e.to_string(),
        })?;
        for record in &set.records {
            if !record.control && record.offset >= from {
                each(record);
            }
        }
    }
    Ok(next_offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_batches_are_read() {
        for codec in [
            Compression::Gzip,
            Compression::Snappy,
            Compression::Lz4,
            Compression::Zstd,
        ] {
            let records: Vec<Record> = (0..20)
                .map(|i| plain_record(i, 1_000, b"k".to_vec(), vec![b'v'; 50]))
                .collect();
            let batch = encode_batch(&records, codec).expect("encodes");
            assert!(batch.len() < 20 * 50, "{codec:?} compressed");
            let read = decode_fetched(Bytes::from(batch), 0).expect("decodes");
            assert_eq!(read.records.len(), 20, "{codec:?}");
            assert_eq!(read.next_offset, Some(20));
        }
    }

    #[test]
    fn a_batch_cut_short_is_left_for_later() {
        let records: Vec<Record> = (0..3)
            .map(|i| plain_record(i, 1_000, b"k".to_vec(), vec![b'v'; i + 1]))
            .collect();
        let batch = encode_batch(&records, Compression::None).expect("encodes");
        let mut two = batch.clone();
        two.extend_from_slice(&batch[..batch.len() - 3]);
        let read = decode_fetched(Bytes::from(two), 1).expect("decodes");
        let offsets: Vec<i64> = read.records.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, [1, 2]);
        assert_eq!(read.next_offset, Some(3));
    }
}
