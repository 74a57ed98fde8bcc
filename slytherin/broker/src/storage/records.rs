//! Record-level lookups inside one stored batch.
//!
//! The log indexes batches, but ListOffsets asks for the first *record* with
//! a timestamp at or after a target. For uncompressed batches each record's
//! timestamp and offset delta sit in the first few bytes of the record, so
//! they are read here without decoding keys, values or headers.

use super::batch::{BatchHeader, BATCH_HEADER_LEN};

/// A record's offset and timestamp, as ListOffsets reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordPosition {
    /// The record's offset.
    pub offset: i64,
    /// The record's timestamp.
    pub timestamp: i64,
}

/// The first record in `batch` whose timestamp is at least `target`, or
/// `None` when the batch holds none.
///
/// LogAppendTime batches give every record the batch's max timestamp.
/// Compressed batches are not decompressed on this path: the answer is the
/// batch's base offset (so a consumer starting there sees every record at or
/// after `target`, and possibly a few before it) with its max timestamp.
/// Malformed record bodies fall back to the same answer rather than failing
/// a lookup over bytes whose CRC already matched.
pub fn first_record_at_or_after(
    header: &BatchHeader,
    batch: &[u8],
    target: i64,
) -> Option<RecordPosition> {
    if header.max_timestamp < target {
        return None;
    }
    let whole_batch = RecordPosition {
        offset: header.base_offset,
        timestamp: header.max_timestamp,
    };
    if header.is_log_append_time() || header.compression() != 0 {
        return Some(whole_batch);
    }
    let mut cursor = Cursor {
        bytes: batch.get(BATCH_HEADER_LEN..header.total_len())?,
        pos: 0,
    };
    for _ in 0..header.records_count {
        let Some((record, next)) = read_record_prefix(&mut cursor) else {
            return Some(whole_batch);
        };
        let timestamp = header.base_timestamp.wrapping_add(record.timestamp_delta);
        if timestamp >= target {
            return Some(RecordPosition {
                offset: header.base_offset + i64::from(record.offset_delta),
                timestamp,
            });
        }
        cursor.pos = next;
    }
    Some(whole_batch)
}

struct RecordPrefix {
    timestamp_delta: i64,
    offset_delta: i32,
}

/// Reads a record's length, attributes, timestamp delta and offset delta,
/// and returns them with the position where the next record starts.
fn read_record_prefix(cursor: &mut Cursor<'_>) -> Option<(RecordPrefix, usize)> {
    let length = usize::try_from(cursor.varint()?).ok()?;
    let next = cursor.pos.checked_add(length)?;
    if next > cursor.bytes.len() {
        return None;
    }
    let _attributes = cursor.byte()?;
    let timestamp_delta = cursor.varint()?;
    let offset_delta = i32::try_from(cursor.varint()?).ok()?;
    Some((
        RecordPrefix {
            timestamp_delta,
            offset_delta,
        },
        next,
    ))
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// A zigzag-encoded variable-length integer, as Kafka writes record
    /// fields (varint and varlong share the encoding; at most 10 bytes).
    fn varint(&mut self) -> Option<i64> {
        let mut raw: u64 = 0;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            raw |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some((raw >> 1) as i64 ^ -((raw & 1) as i64));
            }
        }
        None
    }
}
