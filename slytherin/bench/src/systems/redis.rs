//! Redis Streams through the `redis` crate: `XADD` pipelined on a
//! multiplexed connection, `XREAD` with a blocking wait.

use anyhow::{Context, Result};
use redis::aio::MultiplexedConnection;
use redis::streams::{StreamReadOptions, StreamReadReply};
use redis::{AsyncCommands, Value};

use super::{Publisher, Subscriber, STREAM};

/// The field each stream entry stores its payload in.
const FIELD: &str = "v";
/// Most entries one `XREAD` returns.
const READ_COUNT: usize = 1000;
/// How long one `XREAD` waits for entries, in milliseconds.
const READ_BLOCK_MS: usize = 100;

async fn connect(address: std::net::SocketAddr) -> Result<MultiplexedConnection> {
    let client = redis::Client::open(format!("redis://{address}/"))?;
    client
        .get_multiplexed_async_connection()
        .await
        .with_context(|| format!("cannot connect to redis-server at {address}"))
}

/// Appends with `XADD`, one pipeline per batch.
pub struct RedisPublisher {
    connection: MultiplexedConnection,
}

impl RedisPublisher {
    /// Connects to the server.
    pub async fn connect(address: std::net::SocketAddr) -> Result<Self> {
        Ok(RedisPublisher {
            connection: connect(address).await?,
        })
    }
}

impl Publisher for RedisPublisher {
    async fn publish(&self, batch: Vec<Vec<u8>>) -> Result<()> {
        let mut pipe = redis::pipe();
        for payload in &batch {
            pipe.cmd("XADD")
                .arg(STREAM)
                .arg("*")
                .arg(FIELD)
                .arg(payload.as_slice())
                .ignore();
        }
        let mut connection = self.connection.clone();
        pipe.query_async::<()>(&mut connection)
            .await
            .context("XADD pipeline failed")
    }
}

/// Reads with `XREAD`, from the first entry on.
pub struct RedisSubscriber {
    connection: MultiplexedConnection,
    last_id: String,
}

impl RedisSubscriber {
    /// Connects to the server.
    pub async fn connect(address: std::net::SocketAddr) -> Result<Self> {
        Ok(RedisSubscriber {
            connection: connect(address).await?,
            last_id: "0".to_owned(),
        })
    }
}

impl Subscriber for RedisSubscriber {
    async fn next_messages(&mut self) -> Result<Vec<Vec<u8>>> {
        let options = StreamReadOptions::default()
            .count(READ_COUNT)
            .block(READ_BLOCK_MS);
        let reply: Option<StreamReadReply> = self
            .connection
            .xread_options(&[STREAM], &[self.last_id.as_str()], &options)
            .await
            .context("XREAD failed")?;
        let mut payloads = Vec::new();
        for key in reply.map(|r| r.keys).unwrap_or_default() {
            for entry in key.ids {
                if let Some(Value::BulkString(bytes)) = entry.map.get(FIELD) {
                    payloads.push(bytes.clone());
                }
                self.last_id = entry.id;
            }
        }
        Ok(payloads)
    }
}
