//! One client connection: read a frame, handle it, write the answer, in
//! order (Kafka clients rely on answers coming in request order).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpStream;

use super::broker::{Broker, Outcome};
use crate::protocol::{closed_by_peer, read_frame, write_frame, FrameLimits};

/// Serves one connection until the client closes it, sends something that
/// is not a request this broker can answer, or times out.
pub async fn serve_connection(
    broker: Arc<Broker>,
    limits: FrameLimits,
    mut stream: TcpStream,
    peer: SocketAddr,
) {
    // Answers are written whole; waiting to coalesce them only adds latency.
    let _ = stream.set_nodelay(true);
    let Ok(local) = stream.local_addr() else {
        return;
    };
    tracing::debug!(%peer, "connection opened");
    loop {
        let frame = match read_frame(&mut stream, &limits).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(error) => {
                tracing::warn!(%peer, %error, "closing connection");
                return;
            }
        };
        match broker.handle(frame, local).await {
            Outcome::Respond(answer) => {
                let written =
                    tokio::time::timeout(limits.frame_timeout, write_frame(&mut stream, &answer))
                        .await;
                match written {
                    Ok(Ok(())) => {}
                    // The client went away while its request was handled
                    // (a consumer closing during a long-polling Fetch): the
                    // answer has nowhere to go, and nothing is wrong.
                    Ok(Err(error)) if closed_by_peer(&error) => {
                        tracing::debug!(%peer, "connection closed by the client before its answer");
                        return;
                    }
                    Ok(Err(error)) => {
                        tracing::warn!(%peer, %error, "closing connection: the answer could not be written");
                        return;
                    }
                    Err(_) => {
                        tracing::warn!(%peer, "closing connection: the client does not take its answer");
                        return;
                    }
                }
            }
            Outcome::Silent => {}
            Outcome::Close(reason) => {
                tracing::warn!(%peer, %reason, "closing connection");
                return;
            }
        }
    }
    tracing::debug!(%peer, "connection closed by the client");
}
