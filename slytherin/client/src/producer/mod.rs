//! The producer: `send` puts a record in its partition's batch and returns
//! a future of where it was stored; a background task sends batches when
//! they fill or have lingered, to each partition's leader, with retries
//! that idempotence keeps from storing anything twice.

mod accumulator;
mod config;
mod sender;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::Bytes;
use kafka_protocol::error::ParseResponseErrorCode;
use kafka_protocol::messages::{ApiKey, InitProducerIdRequest, ProducerId};
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

pub use config::{Acks, Compression, ProducerConfig};

use self::accumulator::{Accumulator, PendingRecord, BATCH_OVERHEAD};
use crate::cluster::{Cluster, Lane};
use crate::error::Error;
use crate::records::Header;

/// Where a record was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The partition.
    pub partition: i32,
    /// Its offset there; `None` with `acks=0`, where the broker does not
    /// answer.
    pub offset: Option<i64>,
}

/// What the producer's parts share.
pub(crate) struct Shared {
    cluster: Arc<Cluster>,
    config: ProducerConfig,
    state: Mutex<Accumulator>,
    wake: Notify,
    /// Producer ID and epoch when idempotent.
    producer: Mutex<Option<(i64, i16)>>,
    /// A failed batch spent sequence numbers: get a new producer ID.
    reset: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Accumulator> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn producer_stamp(&self) -> Option<(i64, i16)> {
        *self.producer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set_producer(&self, id: (i64, i16)) {
        *self.producer.lock().unwrap_or_else(|p| p.into_inner()) = Some(id);
        self.reset.store(false, Ordering::Relaxed);
    }

    fn request_reset(&self) {
        self.reset.store(true, Ordering::Relaxed);
    }

    fn reset_pending(&self) -> bool {
        self.reset.load(Ordering::Relaxed)
    }
}

/// A Kafka producer. Cheap to share by reference across tasks; dropping it
/// still sends what was buffered (in the background), [`Producer::close`]
/// waits for it.
pub struct Producer {
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Producer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Producer")
            .field("cluster", &self.shared.cluster)
            .finish_non_exhaustive()
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A new producer ID and epoch (InitProducerId, retried).
pub(crate) async fn init_producer_id(cluster: &Cluster) -> Result<(i64, i16), Error> {
    cluster
        .retry("InitProducerId", || async {
            let node = cluster.controller().await?;
            let connection = cluster.node(node, Lane::General).await?;
            let version = connection.version(ApiKey::InitProducerId)?;
            let request = InitProducerIdRequest::default()
                .with_transactional_id(None)
                .with_transaction_timeout_ms(i32::MAX)
                .with_producer_id(ProducerId(-1))
                .with_producer_epoch(-1);
            let answer = connection.call(version, &request).await?;
            match answer.error_code.err() {
                None => Ok((answer.producer_id.0, answer.producer_epoch)),
                Some(code) => Err(Error::Broker {
                    broker: connection.broker().clone(),
                    api: ApiKey::InitProducerId,
                    code,
                }),
            }
        })
        .await
}

impl Producer {
    /// Connects to the cluster (bootstrap, then a producer ID when
    /// idempotent) and starts the background sender.
    pub async fn connect(config: ProducerConfig) -> Result<Producer, Error> {
        config.validate()?;
        let cluster = Cluster::connect(config.client.clone(), true).await?;
        let producer = if config.idempotence {
            Some(init_producer_id(&cluster).await?)
        } else {
            None
        };
        let shared = Arc::new(Shared {
            cluster,
            config,
            state: Mutex::new(Accumulator::default()),
            wake: Notify::new(),
            producer: Mutex::new(producer),
            reset: AtomicBool::new(false),
        });
        let task = tokio::spawn(sender::run(Arc::clone(&shared)));
        Ok(Producer {
            shared,
            task: Some(task),
        })
    }

    /// Sends a record to `topic`: with a key, to the partition Kafka's
    /// default partitioner picks for it (murmur2); without, to the
    /// partition keyless records currently stick to. The record is
    /// buffered at once (awaiting is not needed for it to be sent); the
    /// future says where it was stored, or why it could not be. Header
    /// names must be distinct.
    pub fn send(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        value: &[u8],
        headers: &[(&str, &[u8])],
    ) -> DeliveryFuture {
        if let Some(i) =
            (1..headers.len()).find(|&i| headers[..i].iter().any(|h| h.0 == headers[i].0))
        {
            return DeliveryFuture::failed(Error::DuplicateHeader {
                topic: topic.to_owned(),
                key: headers[i].0.to_owned(),
            });
        }
        let (reply, answer) = oneshot::channel();
        let pending = PendingRecord {
            key: key.map(Bytes::copy_from_slice),
            value: Some(Bytes::copy_from_slice(value)),
            headers: headers
                .iter()
                .map(|(k, v)| Header {
                    key: (*k).to_owned(),
                    value: Some(Bytes::copy_from_slice(v)),
                })
                .collect(),
            timestamp: now_millis(),
            reply,
            epoch: 0,
        };
        let size = pending.size() + BATCH_OVERHEAD;
        if size > self.shared.config.max_request_size {
            return DeliveryFuture::failed(Error::RecordTooLarge {
                topic: topic.to_owned(),
                size,
                limit: self.shared.config.max_request_size,
            });
        }
        let partitions = self.shared.cluster.cached_partition_count(topic);
        let mut state = self.shared.lock();
        if state.closing {
            return DeliveryFuture::failed(Error::Closed);
        }
        let mut pending = pending;
        pending.epoch = state.admit();
        let wake = match partitions {
            Some(count) if !state.unpartitioned.contains_key(topic) => sender::place(
                &mut state,
                topic,
                count,
                pending,
                self.shared.config.batch_size,
            )
            .wakes_sender(),
            _ => {
                state
                    .unpartitioned
                    .entry(topic.to_owned())
                    .or_default()
                    .push_back(pending);
                true
            }
        };
        drop(state);
        if wake {
            self.shared.wake.notify_one();
        }
        DeliveryFuture {
            state: DeliveryState::Waiting(answer),
        }
    }

    /// Sends everything buffered now, without waiting for `linger`, and
    /// waits until every record sent before this call is answered (stored,
    /// or failed after its retries: the futures say which). Records sent
    /// meanwhile by other tasks do not hold it up.
    pub async fn flush(&self) {
        let Some(finished) = self.shared.lock().start_flush() else {
            return;
        };
        self.shared.wake.notify_one();
        let _ = finished.await;
    }

    /// Flushes and stops the background sender.
    pub async fn close(mut self) {
        self.flush().await;
        self.shared.lock().closing = true;
        self.shared.wake.notify_one();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.wake.notify_one();
    }
}

/// Where a sent record was stored, once the broker says so.
#[must_use = "a send's result says whether the record was stored"]
#[derive(Debug)]
pub struct DeliveryFuture {
    state: DeliveryState,
}

#[derive(Debug)]
enum DeliveryState {
    Failed(Option<Error>),
    Waiting(oneshot::Receiver<Result<Delivery, Error>>),
}

impl DeliveryFuture {
    fn failed(error: Error) -> DeliveryFuture {
        DeliveryFuture {
            state: DeliveryState::Failed(Some(error)),
        }
    }
}

impl Future for DeliveryFuture {
    type Output = Result<Delivery, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.state {
            DeliveryState::Failed(error) => Poll::Ready(Err(error.take().unwrap_or(Error::Closed))),
            DeliveryState::Waiting(answer) => Pin::new(answer)
                .poll(cx)
                .map(|answer| answer.unwrap_or(Err(Error::Closed))),
        }
    }
}
