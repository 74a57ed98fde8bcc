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
use kafka_protocol::messages::{ApiKey, ResponseHeader, ResponseKind};
use kafka_protocol::protocol::{Encodable, StrBytes};
use slytherin_client::wire::{decode_response, framed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The proxy; stops with the test's runtime.
pub struct Proxy {
    address: SocketAddr,
    to_break: Arc<AtomicUsize>,
    broken: Arc<AtomicUsize>,
}

impl Proxy {
    pub async fn start(broker: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("bound");
        let to_break = Arc::new(AtomicUsize::new(0));
        let broken = Arc::new(AtomicUsize::new(0));
        let (to_break_task, broken_task) = (Arc::clone(&to_break), Arc::clone(&broken));
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
                ));
            }
        });
        Proxy {
            address,
            to_break,
            broken,
        }
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
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut upstream_read, mut upstream_write) = upstream.into_split();
    let asked: Arc<Mutex<HashMap<i32, (i16, i16)>>> = Arc::default();
    let asked_up = Arc::clone(&asked);
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
        let frame = match api {
            ApiKey::Metadata | ApiKey::FindCoordinator => {
                rewrite(api, version, Bytes::from(frame), me)
            }
            _ => frame,
        };
        if client_write.write_all(&framed(&frame)).await.is_err() {
            break;
        }
    }
    up.abort();
}

/// The answer with every broker address replaced by the proxy's.
fn rewrite(api: ApiKey, version: i16, frame: Bytes, me: SocketAddr) -> Vec<u8> {
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
