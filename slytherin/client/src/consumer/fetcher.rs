//! Reading partitions: offsets by time (ListOffsets) and records (Fetch),
//! each request to the partition's leader.

use std::collections::{BTreeMap, HashMap};

use kafka_protocol::error::{ParseResponseErrorCode, ResponseError};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::{ApiKey, BrokerId, FetchRequest, ListOffsetsRequest};

use super::config::ConsumerConfig;
use crate::cluster::{Cluster, Lane};
use crate::error::{Error, TopicPartition};
use crate::records::{decode_fetched, Fetched};
use crate::topics::by_topic;

/// ListOffsets' timestamp for the log end.
pub(crate) const LATEST: i64 = -1;
/// ListOffsets' timestamp for the log start.
pub(crate) const EARLIEST: i64 = -2;

/// Groups `partitions` by their leader's node ID, asking for fresh
/// metadata first when it is stale (after a retriable failure).
async fn by_leader<'a>(
    cluster: &Cluster,
    partitions: impl IntoIterator<Item = &'a TopicPartition>,
) -> Result<BTreeMap<i32, Vec<&'a TopicPartition>>, Error> {
    let partitions: Vec<&TopicPartition> = partitions.into_iter().collect();
    if cluster.needs_refresh() {
        let mut topics: Vec<&str> = partitions.iter().map(|p| p.topic.as_str()).collect();
        topics.sort_unstable();
        topics.dedup();
        if let Err(e) = cluster.refresh(&topics).await {
            tracing::debug!(error = %e, "metadata refresh failed");
        }
    }
    let mut out: BTreeMap<i32, Vec<&TopicPartition>> = BTreeMap::new();
    for partition in partitions {
        let leader = match cluster.cached_leader(partition) {
            Some(leader) => leader,
            None => {
                let connection = cluster.leader(partition, Lane::General).await?;
                connection.broker().node.unwrap_or(-1)
            }
        };
        out.entry(leader).or_default().push(partition);
    }
    Ok(out)
}

/// The offset of `timestamp` ([`LATEST`], [`EARLIEST`] or a time) in each
/// partition, retried through leader changes.
pub(crate) async fn list_offsets(
    cluster: &Cluster,
    partitions: &[TopicPartition],
    timestamp: i64,
) -> Result<HashMap<TopicPartition, i64>, Error> {
    cluster
        .retry("ListOffsets", || async {
            let mut out = HashMap::new();
            for (leader, partitions) in by_leader(cluster, partitions).await? {
                let connection = cluster.node(leader, Lane::General).await?;
                let version = connection.version(ApiKey::ListOffsets)?;
                let topics = by_topic(partitions.into_iter().map(|partition| {
                    let entry = ListOffsetsPartition::default()
                        .with_partition_index(partition.partition)
                        .with_timestamp(timestamp);
                    (partition, entry)
                }))
                .into_iter()
                .map(|(name, entries)| {
                    ListOffsetsTopic::default()
                        .with_name(name)
                        .with_partitions(entries)
                })
                .collect();
                let request = ListOffsetsRequest::default()
                    .with_replica_id(BrokerId(-1))
                    .with_topics(topics);
                let answer = match connection.call(version, &request).await {
                    Ok(answer) => answer,
                    Err(e) => {
                        cluster.forget(&connection).await;
                        return Err(e);
                    }
                };
                for topic in &answer.topics {
                    for p in &topic.partitions {
                        let partition = TopicPartition::new(topic.name.as_str(), p.partition_index);
                        if let Some(code) = p.error_code.err() {
                            return Err(Error::Partition {
                                partition,
                                broker: connection.broker().clone(),
                                code,
                                message: None,
                            });
                        }
                        out.insert(partition, p.offset);
                    }
                }
            }
            Ok(out)
        })
        .await
}

/// What one round of fetching found, per partition.
#[derive(Debug, Default)]
pub(crate) struct FetchRound {
    /// Records and where to continue.
    pub(crate) fetched: Vec<(TopicPartition, Fetched)>,
    /// Partitions whose position is outside the log.
    pub(crate) out_of_range: Vec<TopicPartition>,
    /// The last retriable failure of this round (its partitions are
    /// fetched again in the next one).
    pub(crate) failure: Option<Error>,
}

/// One Fetch per leader for `positions` (partition → next offset), in
/// parallel. Retriable failures (a moved leader, a broken connection)
/// leave their partitions out of this round and mark metadata stale.
pub(crate) async fn fetch(
    cluster: &Cluster,
    config: &ConsumerConfig,
    positions: &BTreeMap<TopicPartition, i64>,
) -> Result<FetchRound, Error> {
    let groups = match by_leader(cluster, positions.keys()).await {
        Ok(groups) => groups,
        Err(e) if e.is_retriable() => {
            cluster.invalidate();
            return Ok(FetchRound {
                failure: Some(e),
                ..FetchRound::default()
            });
        }
        Err(e) => return Err(e),
    };
    let requests = groups
        .into_iter()
        .map(|(leader, partitions)| fetch_from(cluster, config, leader, partitions, positions));
    let mut round = FetchRound::default();
    for answer in futures_util::future::join_all(requests).await {
        match answer {
            Ok(part) => {
                round.fetched.extend(part.fetched);
                round.out_of_range.extend(part.out_of_range);
            }
            Err(e) if e.is_retriable() => {
                tracing::debug!(error = %e, "fetch: will retry");
                cluster.invalidate();
                round.failure = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(round)
}

async fn fetch_from(
    cluster: &Cluster,
    config: &ConsumerConfig,
    leader: i32,
    partitions: Vec<&TopicPartition>,
    positions: &BTreeMap<TopicPartition, i64>,
) -> Result<FetchRound, Error> {
    let connection = cluster.node(leader, Lane::Fetch).await?;
    let version = connection.version(ApiKey::Fetch)?;
    let topics = by_topic(partitions.iter().map(|partition| {
        let entry = FetchPartition::default()
            .with_partition(partition.partition)
            .with_fetch_offset(positions[*partition])
            .with_partition_max_bytes(config.max_partition_fetch_bytes);
        (*partition, entry)
    }))
    .into_iter()
    .map(|(name, entries)| {
        FetchTopic::default()
            .with_topic(name)
            .with_partitions(entries)
    })
    .collect();
    let request = FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(i32::try_from(config.fetch_max_wait.as_millis()).unwrap_or(i32::MAX))
        .with_min_bytes(config.fetch_min_bytes)
        .with_max_bytes(config.fetch_max_bytes)
        .with_topics(topics);
    let answer = match connection
        .call_waiting(version, &request, config.fetch_max_wait)
        .await
    {
        Ok(answer) => answer,
        Err(e) => {
            cluster.forget(&connection).await;
            return Err(e);
        }
    };
    if let Some(code) = answer.error_code.err() {
        return Err(Error::Broker {
            broker: connection.broker().clone(),
            api: ApiKey::Fetch,
            code,
        });
    }
    let mut round = FetchRound::default();
    for topic in answer.responses {
        for p in topic.partitions {
            let partition = TopicPartition::new(topic.topic.as_str(), p.partition_index);
            let Some(&from) = positions.get(&partition) else {
                continue;
            };
            match p.error_code.err() {
                None => {}
                Some(ResponseError::OffsetOutOfRange) => {
                    round.out_of_range.push(partition);
                    continue;
                }
                Some(code) if code.is_retriable() => {
                    tracing::debug!(%partition, %code, "fetch: will retry");
                    cluster.invalidate();
                    round.failure = Some(Error::Partition {
                        partition,
                        broker: connection.broker().clone(),
                        code,
                        message: None,
                    });
                    continue;
                }
                Some(code) => {
                    return Err(Error::Partition {
                        partition,
                        broker: connection.broker().clone(),
                        code,
                        message: None,
                    })
                }
            }
            let fetched =
                decode_fetched(p.records.unwrap_or_default(), from).map_err(|source| {
                    Error::Records {
                        partition: partition.clone(),
                        source,
                    }
                })?;
            round.fetched.push((partition, fetched));
        }
    }
    Ok(round)
}
