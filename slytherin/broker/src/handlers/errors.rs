//! Storage errors as Kafka error codes.

use kafka_protocol::ResponseError;

use crate::storage::StorageError;

/// The Kafka error code a client should get for a storage error.
pub(crate) fn error_code(error: &StorageError) -> i16 {
    let kind = match error {
        StorageError::InvalidBatch { .. } | StorageError::EmptyAppend => {
            ResponseError::CorruptMessage
        }
        StorageError::BatchTooLarge { .. } => ResponseError::MessageTooLarge,
        StorageError::OffsetOutOfRange { .. } => ResponseError::OffsetOutOfRange,
        StorageError::InvalidTopicName { .. } => ResponseError::InvalidTopicException,
        StorageError::TopicExists(_) => ResponseError::TopicAlreadyExists,
        StorageError::UnknownTopic(_) => ResponseError::UnknownTopicOrPartition,
        StorageError::InvalidConfig(_) => ResponseError::InvalidConfig,
        StorageError::Io { .. } | StorageError::Corrupt { .. } => ResponseError::KafkaStorageError,
        StorageError::NotVerifiable(_) => ResponseError::UnknownServerError,
    };
    kind.code()
}

/// The code of "no such topic or partition".
pub(crate) const UNKNOWN_TOPIC_OR_PARTITION: i16 = ResponseError::UnknownTopicOrPartition.code();
