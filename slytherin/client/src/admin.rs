//! Topic administration: create, delete, list.

use std::sync::Arc;

use kafka_protocol::error::{ParseResponseErrorCode, ResponseError};
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::{ApiKey, CreateTopicsRequest, DeleteTopicsRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

use crate::cluster::{Cluster, Lane};
use crate::config::ClientConfig;
use crate::error::Error;

/// A topic to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTopic {
    /// Its name.
    pub name: String,
    /// How many partitions.
    pub partitions: i32,
    /// Copies of each partition; `None` takes the broker's default.
    pub replication_factor: Option<i16>,
    /// Topic settings (`retention.ms`, `cleanup.policy`…).
    pub configs: Vec<(String, String)>,
}

impl NewTopic {
    /// A topic with `partitions` partitions and the broker's defaults.
    pub fn new(name: impl Into<String>, partitions: i32) -> NewTopic {
        NewTopic {
            name: name.into(),
            partitions,
            replication_factor: None,
            configs: Vec::new(),
        }
    }

    /// Sets a topic setting.
    pub fn with_config(mut self, key: impl Into<String>, value: impl Into<String>) -> NewTopic {
        self.configs.push((key.into(), value.into()));
        self
    }
}

/// A topic as [`Admin::list_topics`] shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicListing {
    /// Its name.
    pub name: String,
    /// How many partitions it has.
    pub partitions: usize,
}

/// Creates, deletes and lists topics.
#[derive(Debug, Clone)]
pub struct Admin {
    cluster: Arc<Cluster>,
}

impl Admin {
    /// Connects to the cluster.
    pub async fn connect(config: ClientConfig) -> Result<Admin, Error> {
        Ok(Admin {
            cluster: Cluster::connect(config, false).await?,
        })
    }

    /// Creates `topic` and waits until its partitions have leaders (so a
    /// producer or consumer can use it at once). An existing topic is an
    /// error with code TOPIC_ALREADY_EXISTS.
    pub async fn create_topic(&self, topic: NewTopic) -> Result<(), Error> {
        let cluster = &self.cluster;
        let timeout_ms = millis(cluster.config().operation_timeout);
        cluster
            .retry("CreateTopics", || async {
                let connection = cluster
                    .node(cluster.controller().await?, Lane::General)
                    .await?;
                let version = connection.version(ApiKey::CreateTopics)?;
                let creatable = CreatableTopic::default()
                    .with_name(TopicName(StrBytes::from(topic.name.clone())))
                    .with_num_partitions(topic.partitions)
                    .with_replication_factor(topic.replication_factor.unwrap_or(-1))
                    .with_configs(
                        topic
                            .configs
                            .iter()
                            .map(|(k, v)| {
                                CreatableTopicConfig::default()
                                    .with_name(StrBytes::from(k.clone()))
                                    .with_value(Some(StrBytes::from(v.clone())))
                            })
                            .collect(),
                    );
                let request = CreateTopicsRequest::default()
                    .with_timeout_ms(timeout_ms)
                    .with_topics(vec![creatable]);
                let answer = connection.call(version, &request).await?;
                let result = answer.topics.iter().find(|t| t.name.as_str() == topic.name);
                match result.and_then(|r| r.error_code.err().map(|code| (code, r))) {
                    None => Ok(()),
                    Some((code, r)) => Err(Error::Topic {
                        topic: topic.name.clone(),
                        broker: connection.broker().clone(),
                        code,
                        message: r.error_message.as_ref().map(|m| m.to_string()),
                    }),
                }
            })
            .await?;
        self.wait_for_leaders(&topic.name).await
    }

    /// Waits until metadata shows every partition of `topic` with a leader.
    async fn wait_for_leaders(&self, topic: &str) -> Result<(), Error> {
        let cluster = &self.cluster;
        cluster
            .retry("waiting for a new topic's leaders", || async {
                cluster.invalidate();
                let found = cluster.topic(topic).await?;
                if found.partitions.is_empty() {
                    return Err(Error::Topic {
                        topic: topic.to_owned(),
                        broker: cluster.some_broker_name(),
                        code: ResponseError::LeaderNotAvailable,
                        message: Some("no partitions in metadata yet".to_owned()),
                    });
                }
                let leaderless = found
                    .partitions
                    .iter()
                    .enumerate()
                    .find(|(_, p)| p.leader < 0 || p.error.is_some());
                match leaderless {
                    None => Ok(()),
                    Some((index, p)) => Err(Error::NoLeader {
                        partition: crate::error::TopicPartition::new(topic, index as i32),
                        leader: p.leader,
                    }),
                }
            })
            .await
    }

    /// Deletes `topic`.
    pub async fn delete_topic(&self, topic: &str) -> Result<(), Error> {
        let cluster = &self.cluster;
        let timeout_ms = millis(cluster.config().operation_timeout);
        cluster
            .retry("DeleteTopics", || async {
                let connection = cluster
                    .node(cluster.controller().await?, Lane::General)
                    .await?;
                let version = connection.version(ApiKey::DeleteTopics)?;
                let request = DeleteTopicsRequest::default()
                    .with_timeout_ms(timeout_ms)
                    .with_topic_names(vec![TopicName(StrBytes::from(topic.to_owned()))]);
                let answer = connection.call(version, &request).await?;
                let result = answer
                    .responses
                    .iter()
                    .find(|r| r.name.as_ref().is_some_and(|n| n.as_str() == topic));
                // An unknown topic is final here, though Kafka calls it
                // retriable (it may be one being created): the answer is
                // handed out of the retry loop as a value.
                Ok(
                    match result.and_then(|r| r.error_code.err().map(|code| (code, r))) {
                        None => Ok(()),
                        Some((ResponseError::UnknownTopicOrPartition, r)) => Err(Error::Topic {
                            topic: topic.to_owned(),
                            broker: connection.broker().clone(),
                            code: ResponseError::UnknownTopicOrPartition,
                            message: r.error_message.as_ref().map(|m| m.to_string()),
                        }),
                        Some((code, r)) => {
                            return Err(Error::Topic {
                                topic: topic.to_owned(),
                                broker: connection.broker().clone(),
                                code,
                                message: r.error_message.as_ref().map(|m| m.to_string()),
                            })
                        }
                    },
                )
            })
            .await??;
        cluster.invalidate();
        Ok(())
    }

    /// Every topic but internal ones, by name.
    pub async fn list_topics(&self) -> Result<Vec<TopicListing>, Error> {
        let cluster = &self.cluster;
        let topics = cluster.retry("Metadata", || cluster.all_topics()).await?;
        Ok(topics
            .into_iter()
            .map(|(name, partitions)| TopicListing { name, partitions })
            .collect())
    }
}

fn millis(duration: std::time::Duration) -> i32 {
    i32::try_from(duration.as_millis()).unwrap_or(i32::MAX)
}
