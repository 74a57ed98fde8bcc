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

    /// Applies one record of table `table` (an index into the pipeline's
    /// [`PipelineSpec::tables`]): a row replaces the row of its key, a
    /// tombstone (`value` `None`) removes the row of `key`.
    fn update_table(&mut self, table: usize, key: Option<&[u8]>, value: Option<&[u8]>);
}

/// A keyed topic a pipeline's `join` reads as a table.
#[derive(Clone, Copy, Debug)]
pub struct TableSpec {
    /// The topic.
    pub topic: &'static TopicSpec,
    /// The key of a row, from its encoded bytes (as a producer keys it);
    /// `None` when the bytes are not a message of the topic.
    pub key_of: fn(&[u8]) -> Option<Vec<u8>>,
}

/// The tables a pipeline's joins read: per table, the newest row of each
/// key, kept encoded as the topic stores it. Part of a processor's state,
/// so a checkpoint holds the rows its input was processed against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tables {
    rows: Vec<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl Tables {
    /// Applies one record of table `table` (see [`Processor::update_table`]);
    /// false when it was neither a row nor a keyed tombstone.
    pub fn apply(
        &mut self,
        specs: &[TableSpec],
        table: usize,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
    ) -> bool {
        let Some(spec) = specs.get(table) else {
            return false;
        };
        if self.rows.len() < specs.len() {
            self.rows.resize_with(specs.len(), BTreeMap::new);
        }
        let rows = &mut self.rows[table];
        match (value, key) {
            (Some(value), _) => match (spec.key_of)(value) {
                Some(key) => {
                    rows.insert(key, value.to_vec());
                    true
                }
                None => false,
            },
            (None, Some(key)) => {
                rows.remove(key);
                true
            }
            (None, None) => false,
        }
    }

    /// The row of `key` in table `table` of topic `topic`, if it has one.
    pub fn lookup<R: DeserializeOwned>(
        &self,
        table: usize,
        topic: &TopicSpec,
        key: &[u8],
    ) -> Option<R> {
        let bytes = self.rows.get(table)?.get(key)?;
        decode(topic, bytes).ok()
    }

    /// How many rows table `table` holds.
    pub fn len(&self, table: usize) -> usize {
        self.rows.get(table).map_or(0, BTreeMap::len)
    }

    /// Every row: table, key and encoded row.
    pub fn rows(&self) -> impl Iterator<Item = (usize, &[u8], &[u8])> {
        self.rows.iter().enumerate().flat_map(|(table, rows)| {
            rows.iter()
                .map(move |(key, row)| (table, key.as_slice(), row.as_slice()))
        })
    }

    /// Whether no table holds a row.
    pub fn is_empty(&self) -> bool {
        self.rows.iter().all(BTreeMap::is_empty)
    }
}

/// The key bytes of a row of a keyed topic, for a [`TableSpec`]:
/// `key_of(bytes)` decodes the row and keys it as its producer does.
pub fn row_key<R: DeserializeOwned>(
    topic: &TopicSpec,
    bytes: &[u8],
    key: fn(&R) -> Vec<u8>,
) -> Option<Vec<u8>> {
    decode::<R>(topic, bytes).ok().map(|row| key(&row))
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
    /// The topics its joins read as tables, in the order of their indexes.
    pub tables: &'static [TableSpec],
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
    /// The steps: `filter`, `map`, `flat_map` and `join` in written order.
    pub steps: fn(M, &Tables, &mut Vec<O>),
    /// The output topic's key of a message, if it has a key.
    pub output_key: Option<fn(&O) -> Vec<u8>>,
    /// The tables its joins read.
    pub table_specs: &'static [TableSpec],
    /// The state.
    pub state: StatelessState,
    /// The steps' output for one input message, reused.
    pub buffer: Vec<O>,
}

/// What a pipeline without a window remembers.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StatelessState {
    /// What was counted.
    pub counters: Counters,
    /// The rows its joins read.
    pub tables: Tables,
}

impl<M: DeserializeOwned, O: Serialize> Processor for Stateless<M, O>
where
    Stateless<M, O>: Send,
{
    fn process(&mut self, record: InputRecord<'_>, out: &mut Vec<OutputRecord>) {
        let counters = &mut self.state.counters;
        counters.processed += 1;
        let Some(message) = record.value.and_then(|v| decode::<M>(self.input, v).ok()) else {
            counters.undecodable += 1;
            return;
        };
        let mut produced = std::mem::take(&mut self.buffer);
        (self.steps)(message, &self.state.tables, &mut produced);
        for message in produced.drain(..) {
            if let Some(record) = output_record(self.output, self.output_key, &message) {
                out.push(record);
                self.state.counters.emitted += 1;
            }
        }
        self.buffer = produced;
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

    fn update_table(&mut self, table: usize, key: Option<&[u8]>, value: Option<&[u8]>) {
        self.state.tables.apply(self.table_specs, table, key, value);
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
    pub steps: fn(M, &Tables, &mut Vec<T>),
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
    /// The tables its joins read.
    pub table_specs: &'static [TableSpec],
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
    /// The rows its joins read.
    pub tables: Tables,
}

impl<K: Ord> Default for WindowState<K> {
    fn default() -> Self {
        WindowState {
            newest: None,
            open: BTreeMap::new(),
            counters: Counters::default(),
            tables: Tables::default(),
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
        (self.steps)(message, &self.state.tables, &mut messages);
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

    fn update_table(&mut self, table: usize, key: Option<&[u8]>, value: Option<&[u8]>) {
        self.state.tables.apply(self.table_specs, table, key, value);
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
            slytherin_client::ProducerConfig::new(config.clone())
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
        let mut tables = TableFeed::start(config.clone(), pipeline).await?;
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
            tables.catch_up(&mut processors).await?;
            let mut deliveries = Vec::new();
            for record in &records {
                let processor = processors
                    .entry(record.partition)
                    .or_insert_with(|| tables.new_processor());
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

/// The tables of a pipeline run in a process: every partition of each
/// table topic, read from its start, applied to every processor before
/// each batch of input (rows that arrive while a batch is processed apply
/// to the next).
struct TableFeed {
    pipeline: &'static PipelineSpec,
    consumer: Option<slytherin_client::Consumer>,
    /// Every row so far, for processors made later.
    rows: Tables,
}

impl TableFeed {
    async fn start(
        config: slytherin_client::ClientConfig,
        pipeline: &'static PipelineSpec,
    ) -> Result<TableFeed, String> {
        let mut feed = TableFeed {
            pipeline,
            consumer: None,
            rows: Tables::default(),
        };
        if pipeline.tables.is_empty() {
            return Ok(feed);
        }
        let fail = |e: slytherin_client::Error| {
            format!("pipeline `{}`: cannot read its tables: {e}", pipeline.name)
        };
        let mut partitions = Vec::new();
        for table in pipeline.tables {
            crate::ensure_topic(config.clone(), table.topic).await?;
        }
        let listed = slytherin_client::Admin::connect(config.clone())
            .await
            .map_err(fail)?
            .list_topics()
            .await
            .map_err(fail)?;
        for table in pipeline.tables {
            let count = listed
                .iter()
                .find(|t| t.name == table.topic.name)
                .map_or(0, |t| t.partitions);
            for partition in 0..count {
                partitions.push((
                    slytherin_client::TopicPartition::new(table.topic.name, partition as i32),
                    slytherin_client::StartPosition::Earliest,
                ));
            }
        }
        let mut consumer_config = slytherin_client::ConsumerConfig::new(config);
        consumer_config.fetch_max_wait = std::time::Duration::from_millis(1);
        feed.consumer = Some(
            slytherin_client::Consumer::assign(consumer_config, partitions)
                .await
                .map_err(fail)?,
        );
        feed.catch_up(&mut std::collections::HashMap::new()).await?;
        Ok(feed)
    }

    /// Applies every table record stored so far.
    async fn catch_up(
        &mut self,
        processors: &mut std::collections::HashMap<i32, Box<dyn Processor>>,
    ) -> Result<(), String> {
        let Some(consumer) = &mut self.consumer else {
            return Ok(());
        };
        loop {
            let records = consumer.poll().await.map_err(|e| {
                format!(
                    "pipeline `{}`: cannot read its tables: {e}",
                    self.pipeline.name
                )
            })?;
            if records.is_empty() {
                return Ok(());
            }
            for record in &records {
                let Some(table) = self
                    .pipeline
                    .tables
                    .iter()
                    .position(|t| t.topic.name == record.topic)
                else {
                    continue;
                };
                let (key, value) = (record.key.as_deref(), record.value.as_deref());
                self.rows.apply(self.pipeline.tables, table, key, value);
                for processor in processors.values_mut() {
                    processor.update_table(table, key, value);
                }
            }
        }
    }

    /// A processor of a partition first seen now, with every row so far.
    fn new_processor(&self) -> Box<dyn Processor> {
        let mut processor = (self.pipeline.processor)();
        for (table, _, row) in self.rows.rows() {
            processor.update_table(table, None, Some(row));
        }
        processor
    }
}
