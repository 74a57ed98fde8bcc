//! NATS JetStream through `async-nats`: a file-backed stream, publishes
//! whose acknowledgements are awaited per batch, and a pull consumer that
//! needs no acknowledgements (as the other systems' readers need none).

use anyhow::{Context, Result};
use async_nats::jetstream::{self, consumer, stream};
use futures::StreamExt;

use super::{Publisher, Subscriber, STREAM};

/// Most messages one pull request asks for.
const PULL_BATCH: usize = 1000;

/// Connects and makes the file-backed stream (once per server).
async fn context(address: std::net::SocketAddr) -> Result<jetstream::Context> {
    let client = async_nats::connect(format!("nats://{address}"))
        .await
        .with_context(|| format!("cannot connect to nats-server at {address}"))?;
    let context = jetstream::new(client);
    context
        .get_or_create_stream(stream::Config {
            name: STREAM.to_owned(),
            subjects: vec![STREAM.to_owned()],
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await
        .context("cannot create the JetStream stream")?;
    Ok(context)
}

/// Publishes to the stream's subject.
pub struct NatsPublisher {
    context: jetstream::Context,
}

impl NatsPublisher {
    /// Connects and makes the stream.
    pub async fn connect(address: std::net::SocketAddr) -> Result<Self> {
        Ok(NatsPublisher {
            context: context(address).await?,
        })
    }
}

impl Publisher for NatsPublisher {
    async fn publish(&self, batch: Vec<Vec<u8>>) -> Result<()> {
        let mut acks = Vec::with_capacity(batch.len());
        for payload in batch {
            acks.push(
                self.context
                    .publish(STREAM, payload.into())
                    .await
                    .context("JetStream publish failed")?,
            );
        }
        // In order, as the Slytherin client's deliveries are awaited.
        for ack in acks {
            ack.await
                .context("JetStream did not acknowledge a message")?;
        }
        Ok(())
    }
}

/// Reads the stream from its first message with an ephemeral pull consumer.
pub struct NatsSubscriber {
    messages: consumer::pull::Stream,
}

impl NatsSubscriber {
    /// Connects and starts a consumer at the stream's first message.
    pub async fn connect(address: std::net::SocketAddr) -> Result<Self> {
        let context = context(address).await?;
        let stream = context.get_stream(STREAM).await?;
        let consumer = stream
            .create_consumer(consumer::pull::Config {
                ack_policy: consumer::AckPolicy::None,
                deliver_policy: consumer::DeliverPolicy::All,
                ..Default::default()
            })
            .await
            .context("cannot create the JetStream consumer")?;
        let messages = consumer
            .stream()
            .max_messages_per_batch(PULL_BATCH)
            .messages()
            .await
            .context("cannot start pulling")?;
        Ok(NatsSubscriber { messages })
    }
}

impl Subscriber for NatsSubscriber {
    async fn next_messages(&mut self) -> Result<Vec<Vec<u8>>> {
        let first = match self.messages.next().await {
            Some(message) => message.context("JetStream pull failed")?,
            None => return Ok(Vec::new()),
        };
        let mut payloads = vec![first.payload.to_vec()];
        // Take what has already arrived without waiting again.
        while payloads.len() < PULL_BATCH {
            match futures::FutureExt::now_or_never(self.messages.next()) {
                Some(Some(message)) => {
                    payloads.push(message.context("JetStream pull failed")?.payload.to_vec())
                }
                _ => break,
            }
        }
        Ok(payloads)
    }
}
