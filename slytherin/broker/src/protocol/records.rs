//! Record batches the broker writes itself (committed offsets) and that
//! its benchmark and tests produce: plain v2 records, encoded by the
//! `kafka-protocol` crate.

use bytes::{Bytes, BytesMut};
use kafka_protocol::records::{
    Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};

/// The `index`-th record of a batch: no producer id, no headers, the
/// offset and sequence both `index` (the encoder keeps records in one
/// batch only while they advance together).
pub fn plain_record(index: usize, timestamp: i64, key: Vec<u8>, value: Vec<u8>) -> Record {
    Record {
        transactional: false,
        control: false,
        delete_horizon: false,
        partition_leader_epoch: -1,
        producer_id: -1,
        producer_epoch: -1,
        timestamp_type: TimestampType::Creation,
        offset: index as i64,
        sequence: index as i32,
        timestamp,
        key: Some(Bytes::from(key)),
        value: Some(Bytes::from(value)),
        headers: Default::default(),
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
