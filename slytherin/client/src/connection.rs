//! One TCP connection to one broker: requests written in order with their
//! correlation IDs, answers matched back to their callers by a reader task
//! (so several requests may be in flight), and the ApiVersions handshake
//! that fixes which version of each API the connection uses.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::error::{ParseResponseErrorCode, ResponseError};
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest, ApiVersionsResponse};
use kafka_protocol::protocol::{Request, StrBytes};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error::{BrokerName, Error};
use crate::versions::{client_range, BrokerVersions};
use crate::wire::{api_of, correlation_of, decode_typed, encode_typed, framed};

/// Answers larger than this are refused (a corrupt size prefix would
/// otherwise ask for gigabytes).
const MAX_ANSWER_BYTES: usize = 1 << 30;

/// The name this client gives in ApiVersions v3+.
const SOFTWARE_NAME: &str = "slytherin-client";

/// Callers waiting for answers, by correlation ID.
#[derive(Default)]
struct Waiting {
    callers: HashMap<i32, oneshot::Sender<Bytes>>,
    closed: bool,
}

/// A connection to one broker.
pub(crate) struct Connection {
    broker: BrokerName,
    client_id: String,
    request_timeout: Duration,
    writer: tokio::sync::Mutex<OwnedWriteHalf>,
    waiting: Arc<Mutex<Waiting>>,
    next_correlation: AtomicI32,
    versions: BrokerVersions,
    reader: JoinHandle<()>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Connection({})", self.broker)
    }
}

fn lock(waiting: &Mutex<Waiting>) -> std::sync::MutexGuard<'_, Waiting> {
    waiting
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Connection {
    /// Connects to `broker` and negotiates API versions, all within
    /// `connect_timeout` for the socket and `request_timeout` for the
    /// handshake.
    pub(crate) async fn open(
        broker: BrokerName,
        client_id: &str,
        connect_timeout: Duration,
        request_timeout: Duration,
    ) -> Result<Connection, Error> {
        let io = |source| Error::io(&broker, source);
        let stream = match tokio::time::timeout(
            connect_timeout,
            TcpStream::connect(broker.address.as_str()),
        )
        .await
        {
            Ok(connected) => connected.map_err(io)?,
            Err(_) => {
                return Err(io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no connection within {connect_timeout:?}"),
                )))
            }
        };
        stream.set_nodelay(true).map_err(io)?;
        let (read, write) = stream.into_split();
        let waiting = Arc::new(Mutex::new(Waiting::default()));
        let reader = tokio::spawn(read_answers(read, Arc::clone(&waiting), broker.clone()));
        let mut connection = Connection {
            broker,
            client_id: client_id.to_owned(),
            request_timeout,
            writer: tokio::sync::Mutex::new(write),
            waiting,
            next_correlation: AtomicI32::new(0),
            versions: BrokerVersions::default(),
            reader,
        };
        connection.versions = connection.negotiate().await?;
        Ok(connection)
    }

    /// The broker this connection reaches.
    pub(crate) fn broker(&self) -> &BrokerName {
        &self.broker
    }

    /// Whether the connection broke (the next call would fail).
    pub(crate) fn is_closed(&self) -> bool {
        lock(&self.waiting).closed
    }

    /// The version of `api` to use on this connection.
    pub(crate) fn version(&self, api: ApiKey) -> Result<i16, Error> {
        self.versions.pick(api, &self.broker)
    }

    /// Asks for ApiVersions at the highest version this client knows; a
    /// broker that does not know it answers in v0 with its ranges
    /// (KIP-511), and the client asks again at the highest shared one.
    async fn negotiate(&self) -> Result<BrokerVersions, Error> {
        let (_, newest) = client_range(ApiKey::ApiVersions);
        let request = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str(SOFTWARE_NAME))
            .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
        let frame = self
            .exchange::<ApiVersionsRequest>(newest, &request, Duration::ZERO)
            .await?;
        let answer = match decode_typed::<ApiVersionsRequest>(newest, frame.clone()) {
            Ok((_, answer)) => answer,
            Err(_) => self.decode_v0(frame)?,
        };
        if answer.error_code == ResponseError::UnsupportedVersion.code() {
            let broker = BrokerVersions::from_response(&answer);
            let shared = broker.pick(ApiKey::ApiVersions, &self.broker)?;
            let retry = ApiVersionsRequest::default();
            let retry = if shared >= 3 { request } else { retry };
            let answer = self.call(shared, &retry).await?;
            return self.accept_versions(&answer);
        }
        self.accept_versions(&answer)
    }

    fn decode_v0(&self, frame: Bytes) -> Result<ApiVersionsResponse, Error> {
        decode_typed::<ApiVersionsRequest>(0, frame)
            .map(|(_, answer)| answer)
            .map_err(|source| Error::Wire {
                broker: self.broker.clone(),
                source,
            })
    }

    fn accept_versions(&self, answer: &ApiVersionsResponse) -> Result<BrokerVersions, Error> {
        if let Some(code) = answer.error_code.err() {
            return Err(Error::Broker {
                broker: self.broker.clone(),
                api: ApiKey::ApiVersions,
                code,
            });
        }
        Ok(BrokerVersions::from_response(answer))
    }

    /// Sends `request` at `version` and decodes its answer, waiting at most
    /// the request timeout.
    pub(crate) async fn call<R: Request>(
        &self,
        version: i16,
        request: &R,
    ) -> Result<R::Response, Error> {
        self.call_waiting::<R>(version, request, Duration::ZERO)
            .await
    }

    /// [`Connection::call`] for a request the broker may hold for `extra`
    /// (a long-polling Fetch, a JoinGroup waiting for the others).
    pub(crate) async fn call_waiting<R: Request>(
        &self,
        version: i16,
        request: &R,
        extra: Duration,
    ) -> Result<R::Response, Error> {
        let frame = self.exchange(version, request, extra).await?;
        decode_typed::<R>(version, frame)
            .map(|(_, answer)| answer)
            .map_err(|source| Error::Wire {
                broker: self.broker.clone(),
                source,
            })
    }

    /// Sends a request that gets no answer (a Produce with acks=0).
    pub(crate) async fn send_only<R: Request>(
        &self,
        version: i16,
        request: &R,
    ) -> Result<(), Error> {
        let correlation = self.next_correlation.fetch_add(1, Ordering::Relaxed);
        self.write(version, correlation, request).await
    }

    async fn write<R: Request>(
        &self,
        version: i16,
        correlation: i32,
        request: &R,
    ) -> Result<(), Error> {
        let body =
            encode_typed(version, correlation, &self.client_id, request).map_err(|source| {
                Error::Wire {
                    broker: self.broker.clone(),
                    source,
                }
            })?;
        let frame = framed(&body);
        let api = api_of::<R>();
        let write = async {
            let mut writer = self.writer.lock().await;
            writer.write_all(&frame).await
        };
        match tokio::time::timeout(self.request_timeout, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(source)) => {
                lock(&self.waiting).closed = true;
                Err(Error::io(&self.broker, source))
            }
            Err(_) => Err(Error::Timeout {
                broker: self.broker.clone(),
                api,
                timeout: self.request_timeout,
            }),
        }
    }

    /// Writes a request and waits for the frame that answers it.
    async fn exchange<R: Request>(
        &self,
        version: i16,
        request: &R,
        extra: Duration,
    ) -> Result<Bytes, Error> {
        let api = api_of::<R>();
        let correlation = self.next_correlation.fetch_add(1, Ordering::Relaxed);
        let (sender, answer) = oneshot::channel();
        {
            let mut waiting = lock(&self.waiting);
            if waiting.closed {
                return Err(Error::Disconnected {
                    broker: self.broker.clone(),
                    api,
                });
            }
            waiting.callers.insert(correlation, sender);
        }
        if let Err(e) = self.write(version, correlation, request).await {
            lock(&self.waiting).callers.remove(&correlation);
            return Err(e);
        }
        let timeout = self.request_timeout + extra;
        match tokio::time::timeout(timeout, answer).await {
            Ok(Ok(frame)) => Ok(frame),
            Ok(Err(_)) => Err(Error::Disconnected {
                broker: self.broker.clone(),
                api,
            }),
            Err(_) => {
                lock(&self.waiting).callers.remove(&correlation);
                Err(Error::Timeout {
                    broker: self.broker.clone(),
                    api,
                    timeout,
                })
            }
        }
    }
}

/// Reads answer frames until the connection ends, handing each to the
/// caller waiting for its correlation ID; then fails the rest.
async fn read_answers(mut read: OwnedReadHalf, waiting: Arc<Mutex<Waiting>>, broker: BrokerName) {
    let ended = loop {
        let mut size = [0u8; 4];
        if let Err(e) = read.read_exact(&mut size).await {
            break e.to_string();
        }
        let size = i32::from_be_bytes(size);
        let Some(size) = usize::try_from(size)
            .ok()
            .filter(|&s| s <= MAX_ANSWER_BYTES)
        else {
            break format!("an answer of {size} bytes");
        };
        let mut frame = vec![0u8; size];
        if let Err(e) = read.read_exact(&mut frame).await {
            break e.to_string();
        }
        let Some(correlation) = correlation_of(&frame) else {
            break "an answer shorter than its header".to_owned();
        };
        let caller = lock(&waiting).callers.remove(&correlation);
        if let Some(caller) = caller {
            let _ = caller.send(Bytes::from(frame));
        }
    };
    tracing::debug!(%broker, reason = %ended, "connection closed");
    let mut waiting = lock(&waiting);
    waiting.closed = true;
    waiting.callers.clear();
}
