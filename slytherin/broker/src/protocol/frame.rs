//! Kafka's framing: every request and response is a 4-byte big-endian size
//! followed by that many bytes.
//!
//! Two timeouts guard a connection: `idle_timeout` while no frame has begun
//! (a quiet client may wait long between requests), and `frame_timeout`
//! once the first byte of a frame has arrived (a client that sends half a
//! frame and stalls must not hold the connection, or its buffer, forever).

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{timeout, timeout_at, Instant};

/// Bounds on what a client may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLimits {
    /// Largest request accepted, in bytes (Kafka's `socket.request.max.bytes`).
    pub max_request_bytes: usize,
    /// How long a connection may be silent between requests.
    pub idle_timeout: Duration,
    /// How long a started frame may take to arrive in full.
    pub frame_timeout: Duration,
}

impl Default for FrameLimits {
    /// Kafka's 100 MiB request limit and 10 minute idle limit; 30 s for a
    /// frame, Kafka's default request timeout.
    fn default() -> Self {
        FrameLimits {
            max_request_bytes: 100 * 1024 * 1024,
            idle_timeout: Duration::from_secs(600),
            frame_timeout: Duration::from_secs(30),
        }
    }
}

/// Why no frame could be read; the connection is closed after any of these.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The client closed the connection after part of a frame.
    #[error("the client closed the connection in the middle of a frame")]
    Truncated,
    /// The size prefix is negative or larger than the limit.
    #[error("a frame of {size} bytes is outside the accepted range 0 to {max}")]
    BadSize {
        /// The size the client announced.
        size: i32,
        /// The limit.
        max: usize,
    },
    /// A frame began but did not arrive in full in time.
    #[error("a frame started but was not complete within {0:?}")]
    Stalled(Duration),
    /// No frame began within the idle timeout.
    #[error("no request for {0:?}")]
    Idle(Duration),
    /// The socket failed.
    #[error("socket error: {0}")]
    Io(#[from] io::Error),
}

/// Reads one frame's body. `Ok(None)` is a clean end: the client closed the
/// connection between frames, with a FIN or a reset (a client closing with
/// answers it did not read resets it). The buffer grows with the bytes that
/// actually arrive, so a large announced size costs nothing until it is sent.
pub async fn read_frame<R>(
    reader: &mut R,
    limits: &FrameLimits,
) -> Result<Option<Vec<u8>>, FrameError>
where
    R: AsyncRead + Unpin,
{
    let mut size = [0u8; 4];
    let first = match timeout(limits.idle_timeout, reader.read(&mut size[..1])).await {
        Err(_) => return Err(FrameError::Idle(limits.idle_timeout)),
        Ok(Err(error)) if closed_by_peer(&error) => return Ok(None),
        Ok(read) => read?,
    };
    if first == 0 {
        return Ok(None);
    }
    let deadline = Instant::now() + limits.frame_timeout;
    let stalled = |_| FrameError::Stalled(limits.frame_timeout);
    timeout_at(deadline, reader.read_exact(&mut size[1..]))
        .await
        .map_err(stalled)?
        .map_err(truncated)?;
    let announced = i32::from_be_bytes(size);
    let length = usize::try_from(announced)
        .ok()
        .filter(|&n| n <= limits.max_request_bytes)
        .ok_or(FrameError::BadSize {
            size: announced,
            max: limits.max_request_bytes,
        })?;
    let mut body = Vec::with_capacity(length.min(64 * 1024));
    let read = timeout_at(deadline, reader.take(length as u64).read_to_end(&mut body))
        .await
        .map_err(stalled)??;
    if read < length {
        return Err(FrameError::Truncated);
    }
    Ok(Some(body))
}

/// Whether a socket error means the client closed the connection.
pub(crate) fn closed_by_peer(error: &io::Error) -> bool {
    use io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset};
    matches!(
        error.kind(),
        BrokenPipe | ConnectionReset | ConnectionAborted
    )
}

fn truncated(error: io::Error) -> FrameError {
    if error.kind() == io::ErrorKind::UnexpectedEof {
        FrameError::Truncated
    } else {
        FrameError::Io(error)
    }
}

/// Writes one frame, size prefix included (as
/// [`crate::protocol::encode_response`] makes it).
pub async fn write_frame<W>(writer: &mut W, framed: &[u8]) -> io::Result<()>
where
    W: AsyncWrite + Unpin,
{
    writer.write_all(framed).await?;
    writer.flush().await
}
