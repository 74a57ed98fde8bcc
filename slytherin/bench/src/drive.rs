//! The three measurements, the same for every system: produce throughput
//! with a bounded number of batches in flight, consume throughput from the
//! start of the stream, and end-to-end latency at a fixed rate.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use futures::stream::FuturesUnordered;
use futures::StreamExt;
use hdrhistogram::Histogram;

use crate::systems::{Publisher, Subscriber};

/// Bytes at the front of each payload: when the message was due to be
/// sent (nanoseconds since the run's origin) and its sequence number.
const HEADER: usize = 16;

/// How long a consume may go without a message before the run is failed.
const STALL: Duration = Duration::from_secs(20);

/// The shape of one run.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    /// Payload bytes per message.
    pub size: usize,
    /// Messages per throughput run.
    pub messages: usize,
    /// Messages per publish call (a Kafka batch, a Redis pipeline, a run
    /// of JetStream publishes awaited together).
    pub batch: usize,
    /// Publish calls in flight at once.
    pub in_flight: usize,
}

/// A payload of `size` bytes (at least the header) carrying its due time.
fn payload(size: usize, sequence: u64, due: Duration) -> Vec<u8> {
    let mut bytes = vec![b'x'; size.max(HEADER)];
    bytes[..8].copy_from_slice(&(due.as_nanos() as u64).to_le_bytes());
    bytes[8..16].copy_from_slice(&sequence.to_le_bytes());
    bytes
}

/// When a payload was due, read back from its header.
fn due_of(payload: &[u8]) -> Option<Duration> {
    let bytes: [u8; 8] = payload.get(..8)?.try_into().ok()?;
    Some(Duration::from_nanos(u64::from_le_bytes(bytes)))
}

/// Publishes the workload's messages as fast as acknowledgements allow;
/// returns the time until the last was acknowledged.
pub async fn produce(publisher: &impl Publisher, workload: Workload) -> Result<Duration> {
    let origin = Instant::now();
    let mut pending = FuturesUnordered::new();
    let mut sent = 0;
    while sent < workload.messages || !pending.is_empty() {
        while sent < workload.messages && pending.len() < workload.in_flight {
            let count = workload.batch.min(workload.messages - sent);
            let now = origin.elapsed();
            let batch = (sent..sent + count)
                .map(|i| payload(workload.size, i as u64, now))
                .collect();
            pending.push(publisher.publish(batch));
            sent += count;
        }
        if let Some(result) = pending.next().await {
            result?;
        }
    }
    Ok(origin.elapsed())
}

/// Reads `count` messages from the start of the stream; returns the time
/// it took.
pub async fn consume(subscriber: &mut impl Subscriber, count: usize) -> Result<Duration> {
    let origin = Instant::now();
    let mut received = 0;
    let mut last_progress = Instant::now();
    while received < count {
        let got = subscriber.next_messages().await?.len();
        if got > 0 {
            last_progress = Instant::now();
        } else if last_progress.elapsed() > STALL {
            bail!("no message for {STALL:?} after {received} of {count}");
        }
        received += got;
    }
    Ok(origin.elapsed())
}

/// Sends `rate` messages a second for `duration`, each stamped with the
/// time it was due (not when it went out, so a stalled sender counts
/// against the system: no coordinated omission), while `subscriber` reads
/// them; returns the latencies from due to received, in microseconds.
pub async fn end_to_end(
    publisher: &impl Publisher,
    subscriber: &mut impl Subscriber,
    size: usize,
    rate: u64,
    duration: Duration,
    in_flight: usize,
) -> Result<Histogram<u64>> {
    let total = (rate as f64 * duration.as_secs_f64()) as u64;
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let mut latencies = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let origin = Instant::now();
    let send = async {
        let mut pending = FuturesUnordered::new();
        let mut next = 0u64;
        let mut ticker = tokio::time::interval(Duration::from_millis(1));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        while next < total || !pending.is_empty() {
            tokio::select! {
                _ = ticker.tick(), if next < total && pending.len() < in_flight => {
                    let now = origin.elapsed();
                    let due_count = ((now.as_secs_f64() / interval.as_secs_f64()) as u64 + 1).min(total);
                    if due_count > next {
                        let batch = (next..due_count)
                            .map(|i| payload(size, i, interval * i as u32))
                            .collect();
                        pending.push(publisher.publish(batch));
                        next = due_count;
                    }
                }
                Some(result) = pending.next(), if !pending.is_empty() => result?,
            }
        }
        anyhow::Ok(())
    };
    let receive = async {
        let mut received = 0u64;
        let mut last_progress = Instant::now();
        while received < total {
            let payloads = subscriber.next_messages().await?;
            let now = origin.elapsed();
            if payloads.is_empty() && last_progress.elapsed() > STALL {
                bail!("no message for {STALL:?} after {received} of {total}");
            }
            for payload in &payloads {
                let Some(due) = due_of(payload) else {
                    bail!("a message of {} bytes has no header", payload.len());
                };
                let micros = now.saturating_sub(due).as_micros() as u64;
                latencies.saturating_record(micros.max(1));
            }
            if !payloads.is_empty() {
                last_progress = Instant::now();
            }
            received += payloads.len() as u64;
        }
        anyhow::Ok(())
    };
    let (sent, received) = tokio::join!(send, receive);
    sent?;
    received?;
    Ok(latencies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_carry_their_due_time_and_size() {
        let due = Duration::from_micros(123_456);
        let bytes = payload(100, 7, due);
        assert_eq!(bytes.len(), 100);
        assert_eq!(due_of(&bytes), Some(due));
        assert_eq!(payload(4, 0, due).len(), HEADER);
        assert_eq!(due_of(b"short"), None);
    }
}
