//! `GET /metrics` over HTTP/1.1, just enough for Prometheus: one request
//! per connection, answered and closed.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::broker::Broker;

/// The most of a request head read before giving up on it.
const MAX_HEAD: usize = 8 * 1024;
/// How long a scrape may take to send its request.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Answers one scrape.
pub async fn serve_metrics(broker: Arc<Broker>, mut stream: TcpStream) {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    let complete = tokio::time::timeout(TIMEOUT, async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        true
    })
    .await;
    if !matches!(complete, Ok(true)) {
        return;
    }
    let answer = if head.starts_with(b"GET /metrics ") || head.starts_with(b"GET /metrics?") {
        let body = broker.metrics_text();
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    } else {
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
    };
    let _ = tokio::time::timeout(TIMEOUT, stream.write_all(answer.as_bytes())).await;
}
