//! Kafka RecordBatch v2 headers: the fixed 61 bytes in front of every
//! stored batch.
//!
//! The log stores batches exactly as they travel on the wire, so a Fetch can
//! hand stored bytes back untouched. The storage engine therefore only needs
//! the header: it never decodes records on the append or read path. Layout
//! (big-endian, as in Kafka's `DefaultRecordBatch`):
//!
//! | bytes  | field                  | covered by the CRC |
//! |--------|------------------------|--------------------|
//! | 0..8   | baseOffset             | no  (the broker assigns it) |
//! | 8..12  | batchLength            | no  |
//! | 12..16 | partitionLeaderEpoch   | no  |
//! | 16     | magic (2)              | no  |
//! | 17..21 | crc (CRC-32C)          | —   |
//! | 21..23 | attributes             | yes |
//! | 23..27 | lastOffsetDelta        | yes |
//! | 27..35 | baseTimestamp          | yes |
//! | 35..43 | maxTimestamp           | yes |
//! | 43..51 | producerId             | yes |
//! | 51..53 | producerEpoch          | yes |
//! | 53..57 | baseSequence           | yes |
//! | 57..61 | record count           | yes |
//! | 61..   | records                | yes |

use thiserror::Error;

/// Bytes before `batchLength` counts: the base offset and the length field
/// itself. A batch occupies `LOG_OVERHEAD + batchLength` bytes.
pub const LOG_OVERHEAD: usize = 12;
/// Size of the fixed part of a v2 batch, up to and including the record count.
pub const BATCH_HEADER_LEN: usize = 61;
/// The only record batch format the log accepts. Older message sets (magic
/// 0 and 1) have no batch header to index and are long deprecated.
pub const MAGIC_V2: i8 = 2;
/// Smallest legal `batchLength`: a header with no records.
const MIN_BATCH_LENGTH: i32 = (BATCH_HEADER_LEN - LOG_OVERHEAD) as i32;
/// Where the CRC-covered part of a batch starts.
const CRC_COVERED_FROM: usize = 21;
const ATTR_COMPRESSION_MASK: i16 = 0x07;
const ATTR_LOG_APPEND_TIME: i16 = 0x08;
const ATTR_TRANSACTIONAL: i16 = 0x10;
const ATTR_CONTROL: i16 = 0x20;

/// Why bytes are not a well-formed v2 record batch.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BatchError {
    /// Fewer bytes than the header or the declared length needs.
    #[error("record batch is truncated: {needed} bytes needed, {available} available")]
    Truncated {
        /// Bytes the batch needs.
        needed: usize,
        /// Bytes that were there.
        available: usize,
    },
    /// `batchLength` is smaller than a header or negative.
    #[error("record batch length {0} is invalid (at least {MIN_BATCH_LENGTH} is needed)")]
    InvalidLength(i32),
    /// Not a v2 batch.
    #[error("record batch magic is {0}, but only v2 batches (magic 2) are stored")]
    UnsupportedMagic(i8),
    /// The content does not hash to the CRC in the header.
    #[error("record batch CRC-32C mismatch: the header says {stored:#010x}, the content hashes to {computed:#010x}")]
    CrcMismatch {
        /// CRC written in the batch header.
        stored: u32,
        /// CRC of the bytes as they are.
        computed: u32,
    },
    /// The record count and the offset span disagree, so the broker could
    /// not tell which offsets the batch occupies.
    #[error("record batch claims {records_count} records but lastOffsetDelta {last_offset_delta}; a produced batch must have lastOffsetDelta = records - 1")]
    InconsistentCount {
        /// The header's record count.
        records_count: i32,
        /// The header's lastOffsetDelta.
        last_offset_delta: i32,
    },
}

/// The decoded fixed header of one v2 record batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchHeader {
    /// Offset of the first record (assigned by the broker on append).
    pub base_offset: i64,
    /// Bytes after the length field; the batch is `LOG_OVERHEAD + batch_length` long.
    pub batch_length: i32,
    /// Leader epoch stamped by the partition leader.
    pub partition_leader_epoch: i32,
    /// Format version; always 2 once parsed.
    pub magic: i8,
    /// CRC-32C of bytes 21.. as written in the header.
    pub crc: u32,
    /// Compression codec, timestamp type, transactional and control flags.
    pub attributes: i16,
    /// Offset of the last record minus `base_offset`.
    pub last_offset_delta: i32,
    /// Timestamp of the first record.
    pub base_timestamp: i64,
    /// Largest record timestamp (or the broker's time for LogAppendTime).
    pub max_timestamp: i64,
    /// Idempotent producer id, or -1.
    pub producer_id: i64,
    /// Idempotent producer epoch, or -1.
    pub producer_epoch: i16,
    /// Sequence number of the first record, or -1.
    pub base_sequence: i32,
    /// Number of records in the batch.
    pub records_count: i32,
}

impl BatchHeader {
    /// Parses the header at the start of `bytes` and checks what can be
    /// checked without the body: magic and a sane length. The CRC needs the
    /// whole batch; see [`validate_batch`].
    pub fn parse(bytes: &[u8]) -> Result<Self, BatchError> {
        let Some(header) = bytes.get(..BATCH_HEADER_LEN) else {
            return Err(BatchError::Truncated {
                needed: BATCH_HEADER_LEN,
                available: bytes.len(),
            });
        };
        let parsed = BatchHeader {
            base_offset: i64_at(header, 0),
            batch_length: i32_at(header, 8),
            partition_leader_epoch: i32_at(header, 12),
            magic: header[16] as i8,
            crc: u32_at(header, 17),
            attributes: i16_at(header, 21),
            last_offset_delta: i32_at(header, 23),
            base_timestamp: i64_at(header, 27),
            max_timestamp: i64_at(header, 35),
            producer_id: i64_at(header, 43),
            producer_epoch: i16_at(header, 51),
            base_sequence: i32_at(header, 53),
            records_count: i32_at(header, 57),
        };
        // Magic first: a length read from an older format means nothing.
        if parsed.magic != MAGIC_V2 {
            return Err(BatchError::UnsupportedMagic(parsed.magic));
        }
        if parsed.batch_length < MIN_BATCH_LENGTH {
            return Err(BatchError::InvalidLength(parsed.batch_length));
        }
        Ok(parsed)
    }

    /// Total bytes the batch occupies, headers included.
    pub fn total_len(&self) -> usize {
        LOG_OVERHEAD + self.batch_length as usize
    }

    /// Offset of the last record in the batch.
    pub fn last_offset(&self) -> i64 {
        self.base_offset + i64::from(self.last_offset_delta)
    }

    /// The offset that follows this batch.
    pub fn next_offset(&self) -> i64 {
        self.last_offset() + 1
    }

    /// Compression codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).
    pub fn compression(&self) -> u8 {
        (self.attributes & ATTR_COMPRESSION_MASK) as u8
    }

    /// Whether `max_timestamp` is the broker's append time rather than the
    /// producer's create time.
    pub fn is_log_append_time(&self) -> bool {
        self.attributes & ATTR_LOG_APPEND_TIME != 0
    }

    /// Whether the batch belongs to a transaction.
    pub fn is_transactional(&self) -> bool {
        self.attributes & ATTR_TRANSACTIONAL != 0
    }

    /// Whether the batch is a transaction marker rather than user data.
    pub fn is_control(&self) -> bool {
        self.attributes & ATTR_CONTROL != 0
    }
}

/// Checks that `bytes` is exactly one complete batch whose CRC matches and
/// whose record count agrees with its offset span, and returns its header.
pub fn validate_batch(bytes: &[u8]) -> Result<BatchHeader, BatchError> {
    let header = BatchHeader::parse(bytes)?;
    if bytes.len() < header.total_len() {
        return Err(BatchError::Truncated {
            needed: header.total_len(),
            available: bytes.len(),
        });
    }
    let computed = compute_crc(&bytes[..header.total_len()]);
    if computed != header.crc {
        return Err(BatchError::CrcMismatch {
            stored: header.crc,
            computed,
        });
    }
    if header.records_count < 1 || header.last_offset_delta != header.records_count - 1 {
        return Err(BatchError::InconsistentCount {
            records_count: header.records_count,
            last_offset_delta: header.last_offset_delta,
        });
    }
    Ok(header)
}

/// CRC-32C over the CRC-covered part of one whole batch (bytes 21..).
pub fn compute_crc(batch: &[u8]) -> u32 {
    crc32c::crc32c(batch.get(CRC_COVERED_FROM..).unwrap_or_default())
}

/// Writes the broker-assigned base offset. The field is outside the CRC, so
/// offsets are assigned without rehashing the batch.
pub fn set_base_offset(batch: &mut [u8], base_offset: i64) {
    batch[..8].copy_from_slice(&base_offset.to_be_bytes());
}

/// Writes the broker's append time as the batch's max timestamp and
/// recomputes the CRC, as Kafka does for LogAppendTime batches: consumers
/// read the batch's max timestamp as every record's timestamp.
pub fn set_log_append_time(batch: &mut [u8], now_ms: i64) {
    batch[35..43].copy_from_slice(&now_ms.to_be_bytes());
    let crc = compute_crc(batch);
    batch[17..21].copy_from_slice(&crc.to_be_bytes());
}

/// Splits a byte buffer of consecutive batches (a Produce request's records,
/// or bytes read back from the log) into batches, checking each header's
/// structure but not its CRC.
pub fn iter_batches(bytes: &[u8]) -> BatchIter<'_> {
    BatchIter { rest: bytes }
}

/// Iterator returned by [`iter_batches`]; stops after the first error.
#[derive(Debug, Clone)]
pub struct BatchIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for BatchIter<'a> {
    type Item = Result<(BatchHeader, &'a [u8]), BatchError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let result = BatchHeader::parse(self.rest).and_then(|header| {
            let len = header.total_len();
            match self.rest.get(..len) {
                Some(batch) => Ok((header, batch)),
                None => Err(BatchError::Truncated {
                    needed: len,
                    available: self.rest.len(),
                }),
            }
        });
        match &result {
            Ok((header, _)) => self.rest = &self.rest[header.total_len()..],
            Err(_) => self.rest = &[],
        }
        Some(result)
    }
}

fn i64_at(b: &[u8], at: usize) -> i64 {
    let mut raw = [0; 8];
    raw.copy_from_slice(&b[at..at + 8]);
    i64::from_be_bytes(raw)
}

fn i32_at(b: &[u8], at: usize) -> i32 {
    let mut raw = [0; 4];
    raw.copy_from_slice(&b[at..at + 4]);
    i32::from_be_bytes(raw)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    i32_at(b, at) as u32
}

fn i16_at(b: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([b[at], b[at + 1]])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal, hand-assembled batch with no records body beyond the header.
    fn header_only_batch(records_count: i32, last_offset_delta: i32) -> Vec<u8> {
        let mut b = vec![0u8; BATCH_HEADER_LEN];
        b[8..12].copy_from_slice(&MIN_BATCH_LENGTH.to_be_bytes());
        b[16] = MAGIC_V2 as u8;
        b[23..27].copy_from_slice(&last_offset_delta.to_be_bytes());
        b[57..61].copy_from_slice(&records_count.to_be_bytes());
        let crc = compute_crc(&b);
        b[17..21].copy_from_slice(&crc.to_be_bytes());
        b
    }

    #[test]
    fn short_input_is_truncated_not_a_panic() {
        for len in 0..BATCH_HEADER_LEN {
            let b = vec![0u8; len];
            assert!(matches!(
                BatchHeader::parse(&b),
                Err(BatchError::Truncated { .. })
            ));
        }
    }

    #[test]
    fn wrong_magic_is_rejected_before_length() {
        let mut b = header_only_batch(1, 0);
        b[16] = 1;
        assert_eq!(BatchHeader::parse(&b), Err(BatchError::UnsupportedMagic(1)));
    }

    #[test]
    fn negative_length_is_rejected() {
        let mut b = header_only_batch(1, 0);
        b[8..12].copy_from_slice(&(-5i32).to_be_bytes());
        assert_eq!(BatchHeader::parse(&b), Err(BatchError::InvalidLength(-5)));
    }

    #[test]
    fn base_offset_is_outside_the_crc() {
        let mut b = header_only_batch(1, 0);
        set_base_offset(&mut b, 1234);
        let h = validate_batch(&b).expect("still valid");
        assert_eq!(h.base_offset, 1234);
    }

    #[test]
    fn inconsistent_count_is_rejected() {
        let b = header_only_batch(3, 0);
        assert!(matches!(
            validate_batch(&b),
            Err(BatchError::InconsistentCount { .. })
        ));
    }

    #[test]
    fn log_append_time_rewrites_crc() {
        let mut b = header_only_batch(1, 0);
        set_log_append_time(&mut b, 99);
        let h = validate_batch(&b).expect("crc recomputed");
        assert_eq!(h.max_timestamp, 99);
    }

    #[test]
    fn iter_stops_at_torn_batch() {
        let mut two = header_only_batch(1, 0);
        two.extend_from_slice(&header_only_batch(1, 0)[..30]);
        let items: Vec<_> = iter_batches(&two).collect();
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        assert!(items[1].is_err());
    }
}
