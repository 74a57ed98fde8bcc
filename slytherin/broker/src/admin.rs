//! `slytherin topics`: a small blocking Kafka client for administration.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::error::ParseResponseErrorCode;
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;

use crate::protocol::{decode_response, encode_request, framed};

/// The client ID requests carry.
const CLIENT_ID: &str = "slytherin";

/// How long a call may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to a broker.
#[derive(Debug)]
pub struct Admin {
    stream: TcpStream,
    correlation: i32,
}

/// A consumer group as `groups describe` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDescription {
    /// The group's state (Stable, Empty…).
    pub state: String,
    /// Members: member ID and client ID.
    pub members: Vec<(String, String)>,
    /// Per committed partition: topic, partition, committed offset, log
    /// end offset, lag.
    pub partitions: Vec<(String, i32, i64, i64, i64)>,
}

/// A topic as `describe` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicDescription {
    /// The name.
    pub name: String,
    /// Per partition: (index, log start offset, log end offset).
    pub partitions: Vec<(i32, i64, i64)>,
}

fn text(s: &str) -> StrBytes {
    StrBytes::from(s.to_owned())
}

fn check(code: i16, what: &str) -> Result<(), String> {
    match code.err() {
        None => Ok(()),
        Some(error) => Err(format!("{what}: {error:?} (error {code})")),
    }
}

impl Admin {
    /// Connects to `broker`.
    pub fn connect(broker: SocketAddr) -> Result<Admin, String> {
        let stream = TcpStream::connect_timeout(&broker, TIMEOUT)
            .map_err(|e| format!("cannot connect to {broker}: {e}"))?;
        stream
            .set_read_timeout(Some(TIMEOUT))
            .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
            .map_err(|e| format!("cannot set timeouts: {e}"))?;
        Ok(Admin {
            stream,
            correlation: 0,
        })
    }

    /// Sends one request and reads its answer.
    pub fn call(
        &mut self,
        api: ApiKey,
        version: i16,
        body: &RequestKind,
    ) -> Result<ResponseKind, String> {
        self.correlation += 1;
        let request = encode_request(api, version, self.correlation, CLIENT_ID, body)
            .map_err(|e| e.to_string())?;
        let io = |e: std::io::Error| format!("{api:?}: {e}");
        self.stream.write_all(&framed(&request)).map_err(io)?;
        let mut size = [0u8; 4];
        self.stream.read_exact(&mut size).map_err(io)?;
        let size = usize::try_from(i32::from_be_bytes(size))
            .map_err(|_| format!("{api:?}: a negative answer size"))?;
        let mut answer = vec![0u8; size];
        self.stream.read_exact(&mut answer).map_err(io)?;
        let (correlation, body) =
            decode_response(api, version, Bytes::from(answer)).map_err(|e| e.to_string())?;
        if correlation != self.correlation {
            return Err(format!(
                "{api:?}: answer {correlation} to request {}",
                self.correlation
            ));
        }
        Ok(body)
    }

    fn metadata(&mut self, topics: Option<&[&str]>) -> Result<MetadataResponse, String> {
        let topics = topics.map(|names| {
            names
                .iter()
                .map(|n| MetadataRequestTopic::default().with_name(Some(TopicName(text(n)))))
                .collect()
        });
        let request = MetadataRequest::default().with_topics(topics);
        match self.call(ApiKey::Metadata, 4, &RequestKind::Metadata(request))? {
            ResponseKind::Metadata(m) => Ok(m),
            other => Err(format!("a Metadata request got {other:?}")),
        }
    }

    /// Every topic and its partition count.
    pub fn list(&mut self) -> Result<Vec<(String, usize)>, String> {
        let mut topics: Vec<_> = self
            .metadata(None)?
            .topics
            .into_iter()
            .map(|t| {
                (
                    t.name.map(|n| n.to_string()).unwrap_or_default(),
                    t.partitions.len(),
                )
            })
            .collect();
        topics.sort();
        Ok(topics)
    }

    /// A topic's partitions and their offsets.
    pub fn describe(&mut self, topic: &str) -> Result<TopicDescription, String> {
        let metadata = self.metadata(Some(&[topic]))?;
        let found = metadata
            .topics
            .first()
            .ok_or_else(|| format!("no answer about {topic:?}"))?;
        check(found.error_code, topic)?;
        let indexes: Vec<i32> = found.partitions.iter().map(|p| p.partition_index).collect();
        let start = self.offsets(topic, &indexes, -2)?;
        let end = self.offsets(topic, &indexes, -1)?;
        Ok(TopicDescription {
            name: topic.to_owned(),
            partitions: indexes
                .iter()
                .zip(start.iter().zip(&end))
                .map(|(&p, (&s, &e))| (p, s, e))
                .collect(),
        })
    }

    fn offsets(
        &mut self,
        topic: &str,
        partitions: &[i32],
        timestamp: i64,
    ) -> Result<Vec<i64>, String> {
        let request = ListOffsetsRequest::default()
            .with_replica_id(BrokerId(-1))
            .with_topics(vec![ListOffsetsTopic::default()
                .with_name(TopicName(text(topic)))
                .with_partitions(
                    partitions
                        .iter()
                        .map(|&p| {
                            ListOffsetsPartition::default()
                                .with_partition_index(p)
                                .with_timestamp(timestamp)
                        })
                        .collect(),
                )]);
        let ResponseKind::ListOffsets(answer) =
            self.call(ApiKey::ListOffsets, 1, &RequestKind::ListOffsets(request))?
        else {
            return Err("a ListOffsets request got another answer".to_owned());
        };
        let partitions = answer
            .topics
            .first()
            .map(|t| t.partitions.clone())
            .unwrap_or_default();
        partitions
            .iter()
            .map(|p| {
                check(p.error_code, &format!("{topic}/{}", p.partition_index)).map(|()| p.offset)
            })
            .collect()
    }

    /// Every consumer group: ID and state.
    pub fn groups(&mut self) -> Result<Vec<(String, String)>, String> {
        let request = RequestKind::ListGroups(ListGroupsRequest::default());
        let ResponseKind::ListGroups(answer) = self.call(ApiKey::ListGroups, 4, &request)? else {
            return Err("a ListGroups request got another answer".to_owned());
        };
        check(answer.error_code, "ListGroups")?;
        Ok(answer
            .groups
            .into_iter()
            .map(|g| (g.group_id.to_string(), g.group_state.to_string()))
            .collect())
    }

    /// A group's state, members, committed offsets and lag.
    pub fn describe_group(&mut self, group: &str) -> Result<GroupDescription, String> {
        let request = RequestKind::DescribeGroups(
            DescribeGroupsRequest::default().with_groups(vec![GroupId(text(group))]),
        );
        let ResponseKind::DescribeGroups(answer) =
            self.call(ApiKey::DescribeGroups, 5, &request)?
        else {
            return Err("a DescribeGroups request got another answer".to_owned());
        };
        let described = answer.groups.first().ok_or("no answer about the group")?;
        check(described.error_code, group)?;
        let request = RequestKind::OffsetFetch(
            OffsetFetchRequest::default()
                .with_group_id(GroupId(text(group)))
                .with_topics(None),
        );
        let ResponseKind::OffsetFetch(offsets) = self.call(ApiKey::OffsetFetch, 5, &request)?
        else {
            return Err("an OffsetFetch request got another answer".to_owned());
        };
        let mut partitions = Vec::new();
        for topic in &offsets.topics {
            let indexes: Vec<i32> = topic.partitions.iter().map(|p| p.partition_index).collect();
            let ends = self.offsets(topic.name.as_str(), &indexes, -1)?;
            for (p, end) in topic.partitions.iter().zip(ends) {
                let lag = (end - p.committed_offset.max(0)).max(0);
                partitions.push((
                    topic.name.to_string(),
                    p.partition_index,
                    p.committed_offset,
                    end,
                    lag,
                ));
            }
        }
        Ok(GroupDescription {
            state: described.group_state.to_string(),
            members: described
                .members
                .iter()
                .map(|m| (m.member_id.to_string(), m.client_id.to_string()))
                .collect(),
            partitions,
        })
    }

    /// Creates a topic; `configs` are Kafka topic settings (`retention.ms`…).
    pub fn create(
        &mut self,
        topic: &str,
        partitions: i32,
        configs: &[(String, String)],
    ) -> Result<(), String> {
        let creatable = CreatableTopic::default()
            .with_name(TopicName(text(topic)))
            .with_num_partitions(partitions)
            .with_replication_factor(-1)
            .with_configs(
                configs
                    .iter()
                    .map(|(k, v)| {
                        CreatableTopicConfig::default()
                            .with_name(text(k))
                            .with_value(Some(text(v)))
                    })
                    .collect(),
            );
        let request = CreateTopicsRequest::default()
            .with_timeout_ms(30_000)
            .with_topics(vec![creatable]);
        let ResponseKind::CreateTopics(answer) =
            self.call(ApiKey::CreateTopics, 4, &RequestKind::CreateTopics(request))?
        else {
            return Err("a CreateTopics request got another answer".to_owned());
        };
        let result = answer.topics.first().ok_or("no answer about the topic")?;
        let reason = result
            .error_message
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_default();
        check(
            result.error_code,
            &format!("cannot create {topic:?} {reason}"),
        )
    }

    /// Deletes a topic.
    pub fn delete(&mut self, topic: &str) -> Result<(), String> {
        let request = DeleteTopicsRequest::default()
            .with_timeout_ms(30_000)
            .with_topic_names(vec![TopicName(text(topic))]);
        let ResponseKind::DeleteTopics(answer) =
            self.call(ApiKey::DeleteTopics, 4, &RequestKind::DeleteTopics(request))?
        else {
            return Err("a DeleteTopics request got another answer".to_owned());
        };
        let result = answer
            .responses
            .first()
            .ok_or("no answer about the topic")?;
        check(result.error_code, &format!("cannot delete {topic:?}"))
    }
}
