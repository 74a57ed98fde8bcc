//! A TCP proxy in front of the broker that can swallow the answers to
//! the next Produce requests and drop the connection instead, as a network
//! failure after the broker stored a batch would. Metadata and
//! FindCoordinator answers are rewritten to name the proxy, so clients
//! keep going through it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::{ApiKey, ResponseHeader, ResponseKind};
use kafka_protocol::protocol::{Encodable, StrBytes};
use slytherin_client::wire::{decode_response, framed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Errors to put into the next answers of one API, and what was seen.
#[derive(Default)]
struct Faults {
    /// (API, how many answers, the partition error code to set).
    rewrite: Vec<(ApiKey, usize, i16)>,
    /// How many requests of each API passed.
    seen: HashMap<i16, usize>,
}

/// The proxy; stops with the test's runtime.
pub struct Proxy {
    address: SocketAddr,
    to_break: Arc<AtomicUsize>,
    broken: Arc<AtomicUsize>,
    faults: Arc<Mutex<Faults>>,
}

impl Proxy {
    pub async fn start(broker: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("bound");
        let to_break = Arc::new(AtomicUsize::new(0));
        let broken = Arc::new(AtomicUsize::new(0));
        let faults = Arc::new(Mutex::new(Faults::default()));
        let (to_break_task, broken_task) = (Arc::clone(&to_break), Arc::clone(&broken));
        let faults_task = Arc::clone(&faults);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(upstream) = TcpStream::connect(broker).await else {
                    continue;
                };
                tokio::spawn(relay(
                    client,
                    upstream,
                    address,
                    Arc::clone(&to_break_task),
                    Arc::clone(&broken_task),
                    Arc::clone(&faults_task),
                ));
            }
        });
        Proxy {
            address,
            to_break,
            broken,
            faults,
        }
    }

    /// The next `n` answers of `api` (Produce or Fetch) get `code` as every
    /// partition's error (a Fetch answer loses its records).
    pub fn fail_next(&self, api: ApiKey, n: usize, code: ResponseError) {
        self.faults
            .lock()
            .expect("not poisoned")
            .rewrite
            .push((api, n, code.code()));
    }

    /// How many `api` requests went through so far.
    pub fn seen(&self, api: ApiKey) -> usize {
        let faults = self.faults.lock().expect("not poisoned");
        faults.seen.get(&(api as i16)).copied().unwrap_or(0)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The answers to the next `n` Produce requests are swallowed and
    /// their connections dropped (after the broker handled them).
    pub fn break_next_produce_answers(&self, n: usize) {
        self.to_break.store(n, Ordering::SeqCst);
    }

    /// How many answers were swallowed so far.
    pub fn broken(&self) -> usize {
        self.broken.load(Ordering::SeqCst)
    }
}

async fn read_frame(stream: &mut (impl AsyncReadExt + Unpin)) -> Option<Vec<u8>> {
    let mut size = [0u8; 4];
    stream.read_exact(&mut size).await.ok()?;
    let mut frame = vec![0u8; usize::try_from(i32::from_be_bytes(size)).ok()?];
    stream.read_exact(&mut frame).await.ok()?;
    Some(frame)
}

async fn relay(
    client: TcpStream,
    upstream: TcpStream,
    me: SocketAddr,
    to_break: Arc<AtomicUsize>,
    broken: Arc<AtomicUsize>,
    faults: Arc<Mutex<Faults>>,
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut upstream_read, mut upstream_write) = upstream.into_split();
    let asked: Arc<Mutex<HashMap<i32, (i16, i16)>>> = Arc::default();
    let asked_up = Arc::clone(&asked);
    let faults_up = Arc::clone(&faults);
    let up = tokio::spawn(async move {
        while let Some(frame) = read_frame(&mut client_read).await {
            if frame.len() >= 8 {
                let api = i16::from_be_bytes([frame[0], frame[1]]);
                let version = i16::from_be_bytes([frame[2], frame[3]]);
                let correlation = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
                asked_up
                    .lock()
                    .expect("not poisoned")
                    .insert(correlation, (api, version));
                *faults_up
                    .lock()
                    .expect("not poisoned")
                    .seen
                    .entry(api)
                    .or_default() += 1;
            }
            if upstream_write.write_all(&framed(&frame)).await.is_err() {
                return;
            }
        }
    });
    while let Some(frame) = read_frame(&mut upstream_read).await {
        let correlation = i32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]);
        let question = asked.lock().expect("not poisoned").remove(&correlation);
        let Some((api, version)) = question else {
            break;
        };
        let api = ApiKey::try_from(api).expect("a known API");
        if api == ApiKey::Produce
            && to_break
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            broken.fetch_add(1, Ordering::SeqCst);
            break;
        }
        let injected = {
            let mut faults = faults.lock().expect("not poisoned");
            let due = faults
                .rewrite
                .iter_mut()
                .find(|(a, n, _)| *a == api && *n > 0);
            due.map(|(_, n, code)| {
                *n -= 1;
                *code
            })
        };
        let frame = match (api, injected) {
            (ApiKey::Metadata | ApiKey::FindCoordinator, _) | (_, Some(_)) => {
                rewrite(api, version, Bytes::from(frame), me, injected)
            }
            _ => frame,
        };
        if client_write.write_all(&framed(&frame)).await.is_err() {
            break;
        }
    }
    up.abort();
}

/// The answer with every broker address replaced by the proxy's, and
/// every partition's error set to `error` when given.
fn rewrite(api: ApiKey, version: i16, frame: Bytes, me: SocketAddr, error: Option<i16>) -> Vec<u8> {
    let (correlation, mut body) = decode_response(api, version, frame).expect("decodes");
    let host = StrBytes::from(me.ip().to_string());
    let port = i32::from(me.port());
    match &mut body {
        ResponseKind::Metadata(answer) => {
            for broker in &mut answer.brokers {
                broker.host = host.clone();
                broker.port = port;
            }
        }
        ResponseKind::FindCoordinator(answer) => {
            answer.host = host.clone();
            answer.port = port;
        }
        ResponseKind::Produce(answer) => {
            for partition in answer
                .responses
                .iter_mut()
                .flat_map(|t| &mut t.partition_responses)
            {
                partition.error_code = error.unwrap_or(partition.error_code);
                partition.base_offset = -1;
            }
        }
        ResponseKind::Fetch(answer) => {
            for partition in answer.responses.iter_mut().flat_map(|t| &mut t.partitions) {
                partition.error_code = error.unwrap_or(partition.error_code);
                partition.records = None;
            }
        }
        _ => {}
    }
    let mut out = BytesMut::new();
    ResponseHeader::default()
        .with_correlation_id(correlation)
        .encode(&mut out, api.response_header_version(version))
        .expect("the header encodes");
    body.encode(&mut out, version).expect("the answer encodes");
    out.to_vec()
}
