//! What Parseltongue programs with Slytherin `topic` blocks link: a typed,
//! blocking [`Producer`] and [`Consumer`] per declared topic, over the
//! async `slytherin-client`, so they work against Slytherin or any Kafka or
//! Redpanda cluster by the broker list alone.
//!
//! Generated code is synchronous; the client is async. Every call hands its
//! work to one background Tokio runtime of the process and waits for the
//! answer on a channel, so a call made from any thread works, including a
//! thread that runs an executor of its own (a partition runtime core),
//! where entering a second runtime would panic.
//!
//! Messages are records of the program; their encoding (see
//! [`Encoding`]) is documented in the language reference, so clients
//! written in other languages read and write them.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::{mpsc, Arc, OnceLock};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;
use slytherin_client::{
    Acks, Admin, ClientConfig, Consumer as ClientConsumer, ConsumerConfig, NewTopic, OffsetReset,
    Producer as ClientProducer, ProducerConfig,
};

pub mod ffi;
pub mod pipeline;

pub use serde;

/// The broker list a program gets when it passes an empty one: the
/// environment's `SLYTHERIN_BROKERS`, else a broker on this machine.
pub const DEFAULT_BROKERS: &str = "127.0.0.1:9092";

/// How a topic's messages are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// JSON (the default): a record is an object of its fields, an enum
    /// variant `{"Variant": [payload…]}` (a bare `"Variant"` without
    /// payload), an option `null` or its value, a map an object (keys as
    /// text) and a list an array.
    Json,
    /// postcard: compact and fast, but only readable with the program's
    /// own record declarations (fields in declaration order, no names).
    Binary,
}

/// A topic as its block declares it.
#[derive(Clone, Copy, Debug)]
pub struct TopicSpec {
    /// Its name on the broker.
    pub name: &'static str,
    /// How many partitions it is created with.
    pub partitions: i32,
    /// How long messages are kept (`retention.ms`), if limited.
    pub retention_ms: Option<i64>,
    /// How many bytes a partition keeps (`retention.bytes`), if limited.
    pub retention_bytes: Option<i64>,
    /// Whether each batch is hash-chained to the previous (Slytherin only).
    pub verifiable: bool,
    /// How messages are encoded.
    pub encoding: Encoding,
}

/// The key a message is partitioned by: a field of the message.
pub trait MessageKey {
    /// The key's bytes: text as UTF-8, numbers and truth values as their
    /// decimal or `true`/`false` text, so other clients can key alike.
    fn key_bytes(&self) -> Vec<u8>;
}

impl MessageKey for String {
    fn key_bytes(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}

impl MessageKey for i64 {
    fn key_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl MessageKey for bool {
    fn key_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

/// The background runtime every call runs on.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("slytherin-client")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the Slytherin client's runtime: {e}"))
    })
}

/// Runs `work` on the background runtime and waits for its result.
fn wait<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> T {
    let (answer, answered) = mpsc::sync_channel(1);
    runtime().spawn(async move {
        let _ = answer.send(work.await);
    });
    answered
        .recv()
        .unwrap_or_else(|_| panic!("the Slytherin client's runtime stopped during a call"))
}

fn client_config(brokers: &str, topic: &str) -> Result<ClientConfig, String> {
    let brokers = if brokers.trim().is_empty() {
        std::env::var("SLYTHERIN_BROKERS").unwrap_or_else(|_| DEFAULT_BROKERS.to_owned())
    } else {
        brokers.to_owned()
    };
    let list: Vec<String> = brokers
        .split(',')
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_owned)
        .collect();
    let config = ClientConfig::new(list).with_client_id(format!("parseltongue-{topic}"));
    config
        .validate()
        .map_err(|e| format!("broker list {brokers:?}: {e}"))?;
    Ok(config)
}

/// Creates the topic as declared, unless it exists.
async fn ensure_topic(config: ClientConfig, spec: &TopicSpec) -> Result<(), String> {
    let admin = Admin::connect(config)
        .await
        .map_err(|e| format!("cannot reach the brokers for topic `{}`: {e}", spec.name))?;
    let mut topic = NewTopic::new(spec.name, spec.partitions);
    if let Some(ms) = spec.retention_ms {
        topic = topic.with_config("retention.ms", ms.to_string());
    }
    if let Some(bytes) = spec.retention_bytes {
        topic = topic.with_config("retention.bytes", bytes.to_string());
    }
    if spec.verifiable {
        topic = topic.with_config("slytherin.verifiable", "true");
    }
    match admin.create_topic(topic).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_topic_already_exists() => Ok(()),
        Err(e) => Err(format!("cannot create topic `{}`: {e}", spec.name)),
    }
}

fn encode<M: Serialize>(spec: &TopicSpec, message: &M) -> Result<Vec<u8>, String> {
    match spec.encoding {
        Encoding::Json => serde_json::to_vec(message).map_err(|e| e.to_string()),
        Encoding::Binary => postcard::to_stdvec(message).map_err(|e| e.to_string()),
    }
    .map_err(|e| format!("cannot encode a message of topic `{}`: {e}", spec.name))
}

fn decode<M: DeserializeOwned>(spec: &TopicSpec, bytes: &[u8]) -> Result<M, String> {
    match spec.encoding {
        Encoding::Json => serde_json::from_slice(bytes).map_err(|e| e.to_string()),
        Encoding::Binary => postcard::from_bytes(bytes).map_err(|e| e.to_string()),
    }
}

/// The short name of the message type, for messages.
fn type_name<M>() -> &'static str {
    let full = std::any::type_name::<M>();
    full.rsplit("::").next().unwrap_or(full)
}

/// Sends messages of type `M` to one topic, each acknowledged by every
/// in-sync replica (acks=all) and never stored twice when a send is retried
/// (idempotence).
pub struct Producer<M> {
    producer: Arc<ClientProducer>,
    spec: &'static TopicSpec,
    key: Option<fn(&M) -> Vec<u8>>,
    _messages: PhantomData<fn(&M)>,
}

impl<M: Serialize> Producer<M> {
    /// Connects to `brokers` (`host:port`, comma-separated; empty for
    /// [`DEFAULT_BROKERS`] or `SLYTHERIN_BROKERS`), creating the topic as
    /// declared if it does not exist.
    pub fn connect(
        spec: &'static TopicSpec,
        brokers: &str,
        key: Option<fn(&M) -> Vec<u8>>,
    ) -> Result<Self, String> {
        let config = client_config(brokers, spec.name)?;
        let producer = wait(async move {
            ensure_topic(config.clone(), spec).await?;
            let producer_config = ProducerConfig::new(config)
                .with_acks(Acks::All)
                .with_idempotence(true);
            ClientProducer::connect(producer_config)
                .await
                .map_err(|e| format!("cannot start a producer of topic `{}`: {e}", spec.name))
        })?;
        Ok(Producer {
            producer: Arc::new(producer),
            spec,
            key,
            _messages: PhantomData,
        })
    }

    /// Sends one message and waits until it is stored; returns its offset.
    pub fn send(&self, message: &M) -> Result<i64, String> {
        let stored = self.send_all(std::slice::from_ref(message))?;
        stored
            .first()
            .copied()
            .ok_or_else(|| format!("topic `{}`: no offset came back", self.spec.name))
    }

    /// Sends every message, pipelined, and waits until all are stored;
    /// returns their offsets in order. A failure names the first message
    /// that was not stored (those before it were).
    pub fn send_all(&self, messages: &[M]) -> Result<Vec<i64>, String> {
        let mut pending = Vec::with_capacity(messages.len());
        for message in messages {
            let value = encode(self.spec, message)?;
            let key = self.key.map(|key| key(message));
            pending.push(
                self.producer
                    .send(self.spec.name, key.as_deref(), &value, &[]),
            );
        }
        let topic = self.spec.name;
        wait(async move {
            let mut offsets = Vec::with_capacity(pending.len());
            for (index, delivery) in pending.into_iter().enumerate() {
                let stored = delivery.await.map_err(|e| {
                    format!("topic `{topic}`: message {index} of the batch was not stored: {e}")
                })?;
                // acks=all always answers with the offset.
                offsets.push(stored.offset.unwrap_or(-1));
            }
            Ok(offsets)
        })
    }
}

impl<M> Drop for Producer<M> {
    fn drop(&mut self) {
        // Whatever is still buffered goes out before the producer is gone.
        let producer = Arc::clone(&self.producer);
        wait(async move { producer.flush().await });
    }
}

/// How long one fetch waits for new messages inside a receive.
const FETCH_WAIT: Duration = Duration::from_millis(100);

/// Reads messages of type `M` from one topic as a member of a consumer
/// group: the group shares the topic's partitions among its members and
/// keeps each one's committed position.
pub struct Consumer<M> {
    /// `None` once dropped (the group is left then).
    consumer: Arc<tokio::sync::Mutex<Option<ClientConsumer>>>,
    spec: &'static TopicSpec,
    /// Messages handed out since the last commit.
    uncommitted: i64,
    _messages: PhantomData<fn() -> M>,
}

impl<M: DeserializeOwned + Send + 'static> Consumer<M> {
    /// Joins `group` on `brokers` (as [`Producer::connect`] takes them),
    /// creating the topic as declared if it does not exist. A group that
    /// never committed starts at the topic's first message.
    pub fn connect(spec: &'static TopicSpec, brokers: &str, group: &str) -> Result<Self, String> {
        if group.trim().is_empty() {
            return Err(format!(
                "a consumer of topic `{}` needs a group name",
                spec.name
            ));
        }
        let config = client_config(brokers, spec.name)?;
        let group = group.to_owned();
        let consumer = wait(async move {
            ensure_topic(config.clone(), spec).await?;
            let mut consumer_config = ConsumerConfig::new(config)
                .with_group(group.clone())
                .with_offset_reset(OffsetReset::Earliest);
            consumer_config.fetch_max_wait = FETCH_WAIT;
            consumer_config.auto_commit = false;
            ClientConsumer::subscribe(consumer_config, [spec.name])
                .await
                .map_err(|e| format!("cannot join group `{group}` on topic `{}`: {e}", spec.name))
        })?;
        Ok(Consumer {
            consumer: Arc::new(tokio::sync::Mutex::new(Some(consumer))),
            spec,
            uncommitted: 0,
            _messages: PhantomData,
        })
    }

    /// The messages that arrive within `wait_ms` milliseconds (at once if
    /// some are there already; empty if none came), in each partition's
    /// order. The messages before one that is not a valid `M` come first;
    /// the next receive then reports that one as an error naming its
    /// partition and offset, and moves past it.
    pub fn receive(&mut self, wait_ms: i64) -> Result<Vec<M>, String> {
        let wait_for = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0));
        let consumer = Arc::clone(&self.consumer);
        let spec = self.spec;
        let (messages, failure) = wait(async move {
            let deadline = Instant::now() + wait_for;
            let mut guard = consumer.lock().await;
            let Some(consumer) = guard.as_mut() else {
                return Err(format!("topic `{}`: the consumer is closed", spec.name));
            };
            let records = loop {
                let records = consumer
                    .poll()
                    .await
                    .map_err(|e| format!("topic `{}`: cannot receive: {e}", spec.name))?;
                if !records.is_empty() || Instant::now() >= deadline {
                    break records;
                }
            };
            decode_records::<M>(spec, consumer, records)
        })?;
        self.uncommitted += messages.len() as i64;
        match failure {
            Some(failure) if messages.is_empty() => Err(failure),
            _ => Ok(messages),
        }
    }

    /// Commits the position after every message received so far, so the
    /// group resumes there; returns how many messages this commit covers.
    pub fn commit(&mut self) -> Result<i64, String> {
        let consumer = Arc::clone(&self.consumer);
        let topic = self.spec.name;
        wait(async move {
            let mut guard = consumer.lock().await;
            let Some(consumer) = guard.as_mut() else {
                return Err(format!("topic `{topic}`: the consumer is closed"));
            };
            consumer
                .commit()
                .await
                .map_err(|e| format!("topic `{topic}`: cannot commit: {e}"))
        })?;
        Ok(std::mem::take(&mut self.uncommitted))
    }
}

/// Decodes fetched records up to the first that is not a valid `M`. With
/// such a record, the consumer is moved back so that nothing after the
/// messages handed out is lost: the bad record is read again first (and
/// skipped when it is first), the rest after it.
fn decode_records<M: DeserializeOwned>(
    spec: &TopicSpec,
    consumer: &mut ClientConsumer,
    records: Vec<slytherin_client::ConsumerRecord>,
) -> Result<(Vec<M>, Option<String>), String> {
    let mut messages = Vec::with_capacity(records.len());
    for (index, record) in records.iter().enumerate() {
        let decoded = match &record.value {
            Some(value) => decode::<M>(spec, value),
            None => Err("a record without a value".to_owned()),
        };
        let problem = match decoded {
            Ok(message) => {
                messages.push(message);
                continue;
            }
            Err(problem) => problem,
        };
        let failure = format!(
            "topic `{}` partition {} offset {}: not a {}: {problem}",
            spec.name,
            record.partition,
            record.offset,
            type_name::<M>()
        );
        // Each partition restarts at its first record not handed out;
        // when nothing was handed out, the bad record is skipped.
        let skip_bad = index == 0;
        let mut restarted: Vec<i32> = Vec::new();
        for later in &records[index..] {
            if restarted.contains(&later.partition) {
                continue;
            }
            restarted.push(later.partition);
            let offset = if skip_bad && later.partition == record.partition {
                later.offset + 1
            } else {
                later.offset
            };
            let partition = slytherin_client::TopicPartition::new(spec.name, later.partition);
            consumer
                .seek(&partition, offset)
                .map_err(|e| format!("topic `{}`: {e}", spec.name))?;
        }
        return Ok((messages, Some(failure)));
    }
    Ok((messages, None))
}

impl<M> Drop for Consumer<M> {
    fn drop(&mut self) {
        // Leaving the group at once lets the others take its partitions
        // now, not when its session times out.
        let consumer = Arc::clone(&self.consumer);
        wait(async move {
            if let Some(consumer) = consumer.lock().await.take() {
                let _ = consumer.close().await;
            }
        });
    }
}
