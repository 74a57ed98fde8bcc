//! Pipelines: what a `pipeline` block's generated code hands the run-time
//! crate (its steps as plain functions), and the processing of one input
//! partition, a deterministic function of its state and its input: windows
//! close on a watermark made of event times, never the wall clock, so
//! replaying the same input from the same state writes the same output.
//! That is what lets a host recover exactly once (see ARCHITECTURE.md).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{decode, encode, TopicSpec};

/// One record of the input partition, as a host hands it over.
#[derive(Clone, Copy, Debug)]
pub struct InputRecord<'a> {
    /// Its offset in the input partition.
    pub offset: i64,
    /// Its value (`None` for a tombstone, which pipelines skip).
    pub value: Option<&'a [u8]>,
}

/// One record a pipeline writes to its output topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputRecord {
    /// The output topic's key of the message, if it has a key.
    pub key: Option<Vec<u8>>,
    /// The encoded message.
    pub value: Vec<u8>,
}

/// Counters of one partition's processing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Input records processed.
    pub processed: u64,
    /// Input records that were not a valid message of the input topic.
    pub undecodable: u64,
    /// Messages that came after their windows had closed.
    pub late: u64,
    /// Output records written.
    pub emitted: u64,
}

/// The processing of one input partition.
pub trait Processor: Send {
    /// Processes one input record, appending what it writes to `out`.
    fn process(&mut self, record: InputRecord<'_>, out: &mut Vec<OutputRecord>);

    /// The state as bytes, for a checkpoint.
    fn snapshot(&self) -> Vec<u8>;

    /// Restores a state [`Processor::snapshot`] made.
    ///
    /// # Errors
    /// When the bytes are not such a state.
    fn restore(&mut self, snapshot: &[u8]) -> Result<(), String>;

    /// What it has counted.
    fn counters(&self) -> Counters;
}

/// A pipeline of a program, as its generated code describes it.
#[derive(Clone, Copy)]
pub struct PipelineSpec {
    /// The pipeline's name.
    pub name: &'static str,
    /// The topic it reads.
    pub from: &'static TopicSpec,
    /// The topic it writes.
    pub to: &'static TopicSpec,
    /// A fresh processor of one input partition.
    pub processor: fn() -> Box<dyn Processor>,
}

/// The steps of a pipeline without a window: each input message becomes
/// zero or more output messages.
pub struct Stateless<M, O> {
    /// The input topic (its encoding).
    pub input: &'static TopicSpec,
    /// The output topic (its encoding).
    pub output: &'static TopicSpec,
    /// The steps: `filter`, `map`, `flat_map` in written order.
    pub steps: fn(M, &mut Vec<O>),
    /// The output topic's key of a message, if it has a key.
    pub output_key: Option<fn(&O) -> Vec<u8>>,
    /// What was counted.
    pub counters: Counters,
    /// The steps' output for one input message, reused.
    pub buffer: Vec<O>,
}

impl<M: DeserializeOwned, O: Serialize> Processor for Stateless<M, O>
where
    Stateless<M, O>: Send,
{
    fn process(&mut self, record: InputRecord<'_>, out: &mut Vec<OutputRecord>) {
        self.counters.processed += 1;
        let Some(message) = record.value.and_then(|v| decode::<M>(self.input, v).ok()) else {
            self.counters.undecodable += 1;
            return;
        };
        let mut produced = std::mem::take(&mut self.buffer);
        (self.steps)(message, &mut produced);
        for message in produced.drain(..) {
            if let Some(record) = output_record(self.output, self.output_key, &message) {
                out.push(record);
                self.counters.emitted += 1;
            }
        }
        self.buffer = produced;
    }

    fn snapshot(&self) -> Vec<u8> {
        postcard::to_stdvec(&self.counters).unwrap_or_default()
    }

    fn restore(&mut self, snapshot: &[u8]) -> Result<(), String> {
        self.counters = postcard::from_bytes(snapshot).map_err(|e| e.to_string())?;
        Ok(())
    }

    fn counters(&self) -> Counters {
        self.counters
    }
}

fn output_record<O: Serialize>(
    output: &TopicSpec,
    key: Option<fn(&O) -> Vec<u8>>,
    message: &O,
) -> Option<OutputRecord> {
    // A message of the program's own types always encodes; NaN is the one
    // value JSON has no number for, and it encodes as null.
    let value = encode(output, message).ok()?;
    Some(OutputRecord {
        key: key.map(|key| key(message)),
        value,
    })
}

/// What a window keeps of its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// How many messages fell in it.
    Count,
    /// The sum of the value function (wrapping on overflow, as `i64`
    /// arithmetic in programs panics instead: a stream must not stop).
    Sum,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
}

impl Aggregate {
    fn fold(self, current: Option<i64>, value: i64) -> i64 {
        match (self, current) {
            (Aggregate::Count, current) => current.unwrap_or(0).saturating_add(1),
            (Aggregate::Sum, current) => current.unwrap_or(0).wrapping_add(value),
            (Aggregate::Min, Some(current)) => current.min(value),
            (Aggregate::Max, Some(current)) => current.max(value),
            (Aggregate::Min | Aggregate::Max, None) => value,
        }
    }
}

/// The keyed windows of a pipeline with `window`: per key, per window of
/// event time, one aggregate value; a window is emitted once, when the
/// watermark (the newest event time seen, less the allowed lateness)
/// passes its end.
pub struct Windowed<M, T, K: Ord, O> {
    /// The input topic.
    pub input: &'static TopicSpec,
    /// The output topic.
    pub output: &'static TopicSpec,
    /// The steps before the stream is keyed.
    pub steps: fn(M, &mut Vec<T>),
    /// The key of a message.
    pub key: fn(&T) -> K,
    /// The event time of a message, in milliseconds since the epoch.
    pub event_time: fn(&T) -> i64,
    /// The value the aggregate folds (1 for `count`).
    pub value: fn(&T) -> i64,
    /// How values fold.
    pub aggregate: Aggregate,
    /// The output message of a closed window: key, start, end, value.
    pub emit: fn(&K, i64, i64, i64) -> O,
    /// The output topic's key of a message, if it has a key.
    pub output_key: Option<fn(&O) -> Vec<u8>>,
    /// The window's length.
    pub size_ms: i64,
    /// How often a window starts (`size_ms` for tumbling windows).
    pub every_ms: i64,
    /// How far behind the newest event time a window stays open.
    pub lateness_ms: i64,
    /// The state.
    pub state: WindowState<K>,
    /// The steps' output for one input message, reused.
    pub buffer: Vec<T>,
}

/// What a windowed pipeline remembers: the open windows by (end, key), so
/// they close in order of end and then key, the same on every replay.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WindowState<K: Ord> {
    /// The newest event time seen, if any.
    pub newest: Option<i64>,
    /// Open windows: (end, key, start) → value.
    pub open: BTreeMap<(i64, K, i64), i64>,
    /// What was counted.
    pub counters: Counters,
}

impl<K: Ord> Default for WindowState<K> {
    fn default() -> Self {
        WindowState {
            newest: None,
            open: BTreeMap::new(),
            counters: Counters::default(),
        }
    }
}

impl<M, T, K, O> Windowed<M, T, K, O>
where
    K: Ord + Clone,
{
    /// The watermark: windows ending at or before it are closed.
    fn watermark(&self) -> Option<i64> {
        self.state
            .newest
            .map(|newest| newest.saturating_sub(self.lateness_ms))
    }
}

impl<M, T, K, O> Processor for Windowed<M, T, K, O>
where
    M: DeserializeOwned,
    K: Ord + Clone + Serialize + DeserializeOwned,
    O: Serialize,
    Windowed<M, T, K, O>: Send,
{
    fn process(&mut self, record: InputRecord<'_>, out: &mut Vec<OutputRecord>) {
        self.state.counters.processed += 1;
        let Some(message) = record.value.and_then(|v| decode::<M>(self.input, v).ok()) else {
            self.state.counters.undecodable += 1;
            return;
        };
        let mut messages = std::mem::take(&mut self.buffer);
        (self.steps)(message, &mut messages);
        let every = self.every_ms.max(1);
        let windows = (self.size_ms / every).max(1);
        for message in messages.drain(..) {
            let time = (self.event_time)(&message);
            let watermark = self.watermark();
            let mut key = Some((self.key)(&message));
            let value = (self.value)(&message);
            let mut counted = false;
            let newest_start = time.div_euclid(every) * every;
            // Oldest window first; the key is moved into the last.
            for back in (0..windows).rev() {
                let start = newest_start - back * every;
                let end = start.saturating_add(self.size_ms);
                if watermark.is_some_and(|w| end <= w) {
                    continue;
                }
                let key = if back == 0 { key.take() } else { key.clone() };
                let Some(key) = key else { break };
                let slot = (end, key, start);
                match self.state.open.get_mut(&slot) {
                    Some(current) => *current = self.aggregate.fold(Some(*current), value),
                    None => {
                        self.state
                            .open
                            .insert(slot, self.aggregate.fold(None, value));
                    }
                }
                counted = true;
            }
            if !counted {
                self.state.counters.late += 1;
            }
            self.state.newest = Some(self.state.newest.map_or(time, |n| n.max(time)));
        }
        self.buffer = messages;
        let Some(watermark) = self.watermark() else {
            return;
        };
        while let Some(entry) = self.state.open.first_entry() {
            let (end, _, _) = entry.key();
            if *end > watermark {
                break;
            }
            let ((end, key, start), value) = entry.remove_entry();
            let message = (self.emit)(&key, start, end, value);
            if let Some(record) = output_record(self.output, self.output_key, &message) {
                out.push(record);
                self.state.counters.emitted += 1;
            }
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        postcard::to_stdvec(&self.state).unwrap_or_default()
    }

    fn restore(&mut self, snapshot: &[u8]) -> Result<(), String> {
        self.state = postcard::from_bytes(snapshot).map_err(|e| e.to_string())?;
        Ok(())
    }

    fn counters(&self) -> Counters {
        self.state.counters
    }
}

/// How long a fetch of the in-process host waits for input.
const FETCH_WAIT: std::time::Duration = std::time::Duration::from_millis(100);

/// Runs `pipeline` in this process, as a member of the consumer group
/// `pipeline-NAME` of its input topic, writing to its output topic over the
/// network: the way stream processing runs outside a broker. Offsets are
/// committed once the outputs they led to are stored (at least once);
/// window state lives in memory. Returns the number of input records
/// processed once no record came for `idle_ms` milliseconds (never, for 0).
///
/// # Errors
/// When the brokers cannot be reached or a produce or commit fails.
pub fn run_in_process(
    pipeline: &'static PipelineSpec,
    brokers: &str,
    idle_ms: i64,
) -> Result<i64, String> {
    use std::collections::HashMap;
    use std::time::{Duration, Instant};

    let config = crate::client_config(brokers, pipeline.name)?;
    crate::wait(async move {
        crate::ensure_topic(config.clone(), pipeline.from).await?;
        crate::ensure_topic(config.clone(), pipeline.to).await?;
        let group = format!("pipeline-{}", pipeline.name);
        let mut consumer_config = slytherin_client::ConsumerConfig::new(config.clone())
            .with_group(group.clone())
            .with_offset_reset(slytherin_client::OffsetReset::Earliest);
        consumer_config.fetch_max_wait = FETCH_WAIT;
        consumer_config.auto_commit = false;
        let mut consumer =
            slytherin_client::Consumer::subscribe(consumer_config, [pipeline.from.name])
                .await
                .map_err(|e| {
                    format!(
                        "pipeline `{}`: cannot join group `{group}`: {e}",
                        pipeline.name
                    )
                })?;
        let producer = slytherin_client::Producer::connect(
            slytherin_client::ProducerConfig::new(config)
                .with_acks(slytherin_client::Acks::All)
                .with_idempotence(true),
        )
        .await
        .map_err(|e| {
            format!(
                "pipeline `{}`: cannot start its producer: {e}",
                pipeline.name
            )
        })?;
        let mut processors: HashMap<i32, Box<dyn Processor>> = HashMap::new();
        let mut processed: i64 = 0;
        let mut last_input = Instant::now();
        let idle = Duration::from_millis(u64::try_from(idle_ms).unwrap_or(0));
        let mut out = Vec::new();
        loop {
            let records = consumer
                .poll()
                .await
                .map_err(|e| format!("pipeline `{}`: cannot read: {e}", pipeline.name))?;
            if records.is_empty() {
                if idle_ms > 0 && last_input.elapsed() >= idle {
                    producer.close().await;
                    let _ = consumer.close().await;
                    return Ok(processed);
                }
                continue;
            }
            last_input = Instant::now();
            let mut deliveries = Vec::new();
            for record in &records {
                let processor = processors
                    .entry(record.partition)
                    .or_insert_with(|| (pipeline.processor)());
                out.clear();
                processor.process(
                    InputRecord {
                        offset: record.offset,
                        value: record.value.as_deref(),
                    },
                    &mut out,
                );
                for output in &out {
                    deliveries.push(producer.send(
                        pipeline.to.name,
                        output.key.as_deref(),
                        &output.value,
                        &[],
                    ));
                }
                processed += 1;
            }
            for delivery in deliveries {
                delivery.await.map_err(|e| {
                    format!(
                        "pipeline `{}`: an output was not stored: {e}",
                        pipeline.name
                    )
                })?;
            }
            consumer
                .commit()
                .await
                .map_err(|e| format!("pipeline `{}`: cannot commit: {e}", pipeline.name))?;
        }
    })
}
