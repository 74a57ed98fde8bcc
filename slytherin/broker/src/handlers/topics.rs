//! CreateTopics and DeleteTopics, and the auto-creation Metadata and
//! Produce share.

use kafka_protocol::messages::create_topics_request::CreatableTopic;
use kafka_protocol::messages::create_topics_response::CreatableTopicResult;
use kafka_protocol::messages::delete_topics_response::DeletableTopicResult;
use kafka_protocol::messages::{
    CreateTopicsRequest, CreateTopicsResponse, DeleteTopicsRequest, DeleteTopicsResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;

use super::errors::{error_code, UNKNOWN_TOPIC_OR_PARTITION};
use crate::groups::persist::OFFSETS_TOPIC;
use crate::server::{Broker, Settings, ShuttingDown};
use crate::storage::{validate_topic_name, LogConfig, Storage};

/// Whether clients may only read a topic: the broker writes it itself.
pub(crate) fn is_internal(name: &str) -> bool {
    name == OFFSETS_TOPIC
}

/// A topic's partition count, creating the topic first if it is missing
/// and `auto_create` allows it; otherwise the Kafka error code.
pub(crate) fn existing_or_created(
    storage: &mut Storage,
    name: &str,
    auto_create: bool,
    settings: &Settings,
) -> Result<u32, i16> {
    if let Some(topic) = storage.topic(name) {
        return Ok(topic.partition_count());
    }
    validate_topic_name(name).map_err(|e| error_code(&e))?;
    if !auto_create {
        return Err(UNKNOWN_TOPIC_OR_PARTITION);
    }
    storage
        .create_topic(name, settings.default_partitions, settings.log.clone())
        .map(|topic| topic.partition_count())
        .map_err(|e| {
            tracing::warn!(topic = name, error = %e, "cannot create topic");
            error_code(&e)
        })
}

/// CreateTopics.
pub(crate) fn create(
    broker: &Broker,
    request: &CreateTopicsRequest,
    version: i16,
) -> Result<CreateTopicsResponse, ShuttingDown> {
    let settings = broker.settings();
    let topics = broker.with_storage(|storage| {
        request
            .topics
            .iter()
            .map(|topic| {
                let result = CreatableTopicResult::default().with_name(topic.name.clone());
                match create_one(storage, topic, request.validate_only, settings) {
                    Ok(partitions) => result
                        .with_num_partitions(partitions as i32)
                        .with_replication_factor(1),
                    Err((code, message)) => result
                        .with_error_code(code)
                        .with_error_message((version >= 1).then(|| StrBytes::from(message))),
                }
            })
            .collect()
    })?;
    Ok(CreateTopicsResponse::default().with_topics(topics))
}

fn create_one(
    storage: &mut Storage,
    topic: &CreatableTopic,
    validate_only: bool,
    settings: &Settings,
) -> Result<u32, (i16, String)> {
    let name = topic.name.as_str();
    let refuse = |kind: ResponseError, message: String| Err((kind.code(), message));
    if !matches!(topic.replication_factor, -1 | 1) {
        return refuse(
            ResponseError::InvalidReplicationFactor,
            format!(
                "replication factor {} asked for, but this broker is the only one",
                topic.replication_factor
            ),
        );
    }
    if !topic.assignments.is_empty() {
        return refuse(
            ResponseError::InvalidRequest,
            "manual replica assignment is not supported".to_owned(),
        );
    }
    let partitions = match topic.num_partitions {
        -1 => settings.default_partitions,
        n if n > 0 && n as u32 <= settings.max_partitions_per_topic => n as u32,
        n => {
            return refuse(
                ResponseError::InvalidPartitions,
                format!(
                    "{n} partitions asked for; a topic has 1 to {}",
                    settings.max_partitions_per_topic
                ),
            )
        }
    };
    let mut config = settings.log.clone();
    for entry in &topic.configs {
        apply_topic_config(&mut config, entry.name.as_str(), entry.value.as_deref())
            .map_err(|message| (ResponseError::InvalidConfig.code(), message))?;
    }
    let checked = validate_topic_name(name).and_then(|()| config.validate());
    if let Err(e) = checked {
        return Err((error_code(&e), e.to_string()));
    }
    if storage.topic(name).is_some() {
        return refuse(
            ResponseError::TopicAlreadyExists,
            format!("topic {name:?} already exists"),
        );
    }
    if validate_only {
        return Ok(partitions);
    }
    storage
        .create_topic(name, partitions, config)
        .map(|created| created.partition_count())
        .map_err(|e| (error_code(&e), e.to_string()))
}

/// Applies one Kafka topic setting to a log configuration.
fn apply_topic_config(
    config: &mut LogConfig,
    key: &str,
    value: Option<&str>,
) -> Result<(), String> {
    let number = || -> Result<i64, String> {
        value
            .ok_or_else(|| format!("{key} needs a value"))?
            .parse::<i64>()
            .map_err(|_| format!("{key} must be a whole number"))
    };
    let non_negative = |n: i64| u64::try_from(n).map_err(|_| format!("{key} must not be negative"));
    match key {
        "retention.ms" => config.retention_ms = Some(number()?).filter(|&n| n >= 0),
        "retention.bytes" => config.retention_bytes = non_negative(number()?).ok(),
        "segment.bytes" => config.segment_bytes = non_negative(number()?)?,
        "segment.ms" => config.segment_ms = number()?,
        "max.message.bytes" => {
            config.max_batch_bytes =
                u32::try_from(number()?).map_err(|_| format!("{key} is out of range"))?;
        }
        // Slytherin's own: each batch hash-chained to the one before, so
        // `slytherin verify` can prove the log untampered.
        "slytherin.verifiable" => {
            config.verifiable = match value {
                Some("true") => true,
                Some("false") => false,
                _ => return Err(format!("{key} must be true or false")),
            }
        }
        _ => return Err(format!("topic setting {key:?} is not supported")),
    }
    Ok(())
}

/// DeleteTopics.
pub(crate) fn delete(
    broker: &Broker,
    request: &DeleteTopicsRequest,
    version: i16,
) -> Result<DeleteTopicsResponse, ShuttingDown> {
    // Version 6 names topics in `topics` (by name or ID); earlier versions
    // in `topic_names`.
    let names: Vec<Option<TopicName>> = if version >= 6 {
        request.topics.iter().map(|t| t.name.clone()).collect()
    } else {
        request.topic_names.iter().cloned().map(Some).collect()
    };
    let responses = broker.with_storage(|storage| {
        names
            .into_iter()
            .map(|name| {
                let result = DeletableTopicResult::default().with_name(name.clone());
                let Some(name) = name else {
                    return result.with_error_code(ResponseError::UnknownTopicId.code());
                };
                if is_internal(name.as_str()) {
                    return result.with_error_code(ResponseError::InvalidTopicException.code());
                }
                match storage.delete_topic(name.as_str()) {
                    Ok(()) => {
                        // Fetches waiting on it answer that it is gone.
                        broker.append_signals().topic_deleted(name.as_str());
                        result
                    }
                    Err(e) => result
                        .with_error_code(error_code(&e))
                        .with_error_message((version >= 5).then(|| StrBytes::from(e.to_string()))),
                }
            })
            .collect()
    })?;
    Ok(DeleteTopicsResponse::default().with_responses(responses))
}
