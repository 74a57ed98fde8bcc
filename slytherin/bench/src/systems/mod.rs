//! One client per system, behind the two operations the drivers need:
//! publishing a batch (acknowledged by the server) and reading the next
//! messages from the start of the stream.

pub mod nats;
pub mod redis;
pub mod slytherin;

use anyhow::Result;

/// The stream (topic, subject) every run writes to; each run has a fresh
/// server, so the name never collides.
pub const STREAM: &str = "bench";

/// Sends messages and waits for the server to acknowledge them.
///
/// Calls may overlap: the driver keeps several batches in flight on one
/// publisher, which is how each system's client pipelines.
// Used on one thread by the drivers of this crate's binaries only, so the
// futures need no `Send` bound.
#[allow(async_fn_in_trait)]
pub trait Publisher {
    /// Publishes `batch`, in order, and returns once the server has
    /// acknowledged every message of it.
    async fn publish(&self, batch: Vec<Vec<u8>>) -> Result<()>;
}

/// Reads the stream from its first message.
#[allow(async_fn_in_trait)]
pub trait Subscriber {
    /// The next messages' payloads; empty when none arrived within the
    /// client's wait.
    async fn next_messages(&mut self) -> Result<Vec<Vec<u8>>>;
}
