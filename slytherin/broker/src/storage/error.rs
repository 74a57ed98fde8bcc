//! Errors of the storage engine. Each says what was being done and to
//! which file, because the caller is usually a protocol handler that turns
//! it into a Kafka error code and a log line.

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::batch::BatchError;

/// An error from the storage engine.
#[derive(Debug, Error)]
pub enum StorageError {
    /// The operating system refused a file operation.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("write", "sync", "open" …).
        action: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A batch in an append was malformed or corrupt; nothing was appended.
    #[error("batch {index} of the append (byte {position}) is invalid: {source}")]
    InvalidBatch {
        /// Which batch of the append, from 0.
        index: usize,
        /// Its byte position in the append's buffer.
        position: usize,
        /// What is wrong with it.
        #[source]
        source: BatchError,
    },
    /// An append held no batch.
    #[error("an append must hold at least one record batch")]
    EmptyAppend,
    /// A batch exceeded the log's `max_batch_bytes`; nothing was appended.
    #[error("batch {index} of the append is {size} bytes, over the log's limit of {max}")]
    BatchTooLarge {
        /// Which batch of the append, from 0.
        index: usize,
        /// Its size.
        size: usize,
        /// The limit.
        max: u32,
    },
    /// A read asked for an offset the log does not hold.
    #[error("offset {requested} is out of range: the log holds offsets {log_start} to {log_end} (exclusive)")]
    OffsetOutOfRange {
        /// The offset asked for.
        requested: i64,
        /// The log start offset.
        log_start: i64,
        /// The log end offset.
        log_end: i64,
    },
    /// The files on disk contradict each other in a way recovery must not
    /// guess about (it would risk serving data out of order).
    #[error("{path} is inconsistent: {detail}")]
    Corrupt {
        /// The file or folder concerned.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A configuration value is out of range.
    #[error("invalid log configuration: {0}")]
    InvalidConfig(String),
    /// A topic name Kafka would refuse or that is unsafe as a folder name.
    #[error("invalid topic name {name:?}: {reason}")]
    InvalidTopicName {
        /// The name.
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// `create_topic` for a name already in use.
    #[error("topic {0:?} already exists")]
    TopicExists(String),
    /// A topic that does not exist.
    #[error("topic {0:?} does not exist")]
    UnknownTopic(String),
    /// An operation that only verifiable logs support.
    #[error("the log at {0} is not verifiable (it was not created with a hash chain)")]
    NotVerifiable(PathBuf),
}

impl StorageError {
    /// Wraps an I/O error with the action and path it concerns.
    pub(crate) fn io<'p>(
        action: &'static str,
        path: &'p Path,
    ) -> impl FnOnce(io::Error) -> Self + 'p {
        move |source| StorageError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}
