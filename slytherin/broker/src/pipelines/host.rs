//! Running one pipeline over one input partition, inside the broker: read
//! the partition's log after the checkpoint, process each record, append
//! the outputs to the output topic's logs, checkpoint now and then.
//!
//! Tables (the topics a pipeline's joins read) are applied only together
//! with a checkpoint: the input processed after a checkpoint always met the
//! tables as that checkpoint holds them, so a replay meets them too.
//!
//! Exactly once without transactions: processing is deterministic, every
//! output carries this (pipeline, partition)'s producer ID and the next
//! sequence number of its output partition, and after a restart the host
//! scans what the output logs hold past the checkpoint, so replaying the
//! input from the checkpoint writes only the outputs that are not there.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use slytherin_client::partitioner::partition_for_key;
use slytherin_client::records::{
    decode_fetched, encode_batch, for_each_fetched, record, ProducerStamp,
};

use super::checkpoint::{self, Checkpoint};
use super::loader::{LoadedPipeline, Outputs, Processor};
use crate::server::append_signals::AppendWait;
use crate::server::broker::Broker;
use crate::storage::batch::iter_batches;
use crate::storage::{lock_log, SharedLog};

/// Most input bytes read in one go.
const READ_BYTES: usize = 1 << 20;

/// How often the checkpoint is written while input flows.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// How long the host waits for input before looking again.
const IDLE_WAIT: Duration = Duration::from_millis(100);

/// How often new table records are applied (each time with a checkpoint).
const TABLE_REFRESH: Duration = Duration::from_millis(100);

/// The producer ID of a (pipeline, input partition): stable across
/// restarts, and far above the IDs `InitProducerId` hands out (which start
/// from the clock in milliseconds).
pub fn producer_id(pipeline: &str, input: i32) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in pipeline.bytes().chain(input.to_le_bytes()) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    (1_i64 << 62) | (hash & ((1 << 48) - 1)) as i64
}

/// What the host needs of the broker, found once.
struct Logs {
    input: SharedLog,
    outputs: Vec<SharedLog>,
    /// Every partition of each table topic, by table index.
    tables: Vec<Vec<SharedLog>>,
}

fn logs(broker: &Broker, pipeline: &LoadedPipeline, input: i32) -> Option<Logs> {
    broker
        .read_storage(|storage| {
            let from = storage.topic(&pipeline.from)?;
            let to = storage.topic(&pipeline.to)?;
            let tables = pipeline
                .tables
                .iter()
                .map(|name| Some(storage.topic(name)?.partitions().to_vec()))
                .collect::<Option<Vec<_>>>()?;
            Some(Logs {
                input: from.shared_partition(u32::try_from(input).ok()?)?,
                outputs: to.partitions().to_vec(),
                tables,
            })
        })
        .ok()
        .flatten()
}

/// The highest sequence number `producer` has stored in `log` from
/// `from_offset` on, if any.
fn stored_sequence(log: &SharedLog, producer: i64, from_offset: i64) -> Option<i32> {
    let log = lock_log(log);
    let mut offset = from_offset.clamp(log.log_start_offset(), log.log_end_offset());
    let mut highest = None;
    while offset < log.log_end_offset() {
        let Ok(read) = log.read(offset, READ_BYTES) else {
            break;
        };
        if read.records.is_empty() {
            break;
        }
        for header in iter_batches(&read.records) {
            let Ok((header, _)) = header else { break };
            if header.producer_id == producer {
                highest = Some(header.base_sequence.wrapping_add(header.last_offset_delta));
            }
        }
        offset = read.next_offset;
    }
    highest
}

/// An output on its way to its partition: sequence, timestamp (the
/// input's), key and value.
type Pending = (i32, i64, Option<Vec<u8>>, Vec<u8>);

/// The running state of one host.
struct Host {
    pipeline: LoadedPipeline,
    input: i32,
    producer: i64,
    processor: Processor,
    checkpoint_path: PathBuf,
    next_offset: i64,
    next_sequence: BTreeMap<i32, i32>,
    /// Per output partition, the highest sequence already in its log from
    /// before a restart: outputs up to it are not written again.
    already_stored: BTreeMap<i32, i32>,
    /// Outputs of the replay that were not written again.
    skipped: u64,
    /// Per table topic, per partition, the next record to apply.
    table_offsets: BTreeMap<String, BTreeMap<i32, i64>>,
}

impl Host {
    fn checkpoint(&mut self, logs: &Logs) -> Result<(), String> {
        if self.skipped > 0 {
            tracing::info!(
                pipeline = %self.pipeline.name,
                partition = self.input,
                outputs = self.skipped,
                "replayed input after a restart: outputs already stored were not written again"
            );
            self.skipped = 0;
        }
        let snapshot = self
            .processor
            .snapshot()
            .map_err(|_| "the pipeline panicked while saving its state".to_owned())?;
        let output_ends = logs
            .outputs
            .iter()
            .enumerate()
            .map(|(p, log)| (p as i32, lock_log(log).log_end_offset()))
            .collect();
        checkpoint::store(
            &self.checkpoint_path,
            &Checkpoint {
                next_offset: self.next_offset,
                snapshot,
                next_sequence: self.next_sequence.clone(),
                output_ends,
                counters: {
                    let c = self.processor.counters();
                    checkpoint::Counters {
                        processed: c.processed,
                        undecodable: c.undecodable,
                        late: c.late,
                        emitted: c.emitted,
                    }
                },
                tables: self.table_offsets.clone(),
            },
        )
    }

    /// Whether the outputs a replay must not write again are all passed:
    /// only then may the tables change (the replayed input must meet the
    /// tables the first run met).
    fn replay_done(&mut self) -> bool {
        let next = &self.next_sequence;
        self.already_stored
            .retain(|partition, stored| next.get(partition).is_none_or(|n| n <= stored));
        self.already_stored.is_empty()
    }

    /// Where table `table`'s `partition` resumes in `log`.
    fn table_offset(&self, table: usize, partition: i32) -> i64 {
        self.table_offsets
            .get(&self.pipeline.tables[table])
            .and_then(|offsets| offsets.get(&partition))
            .copied()
            .unwrap_or(0)
    }

    /// Whether a table topic holds records not applied yet.
    fn tables_behind(&self, logs: &Logs) -> bool {
        logs.tables.iter().enumerate().any(|(table, partitions)| {
            partitions.iter().enumerate().any(|(partition, log)| {
                self.table_offset(table, partition as i32) < lock_log(log).log_end_offset()
            })
        })
    }

    /// Applies every table record stored so far; how many it applied.
    fn refresh_tables(&mut self, logs: &Logs) -> Result<u64, String> {
        let mut applied = 0;
        for (table, partitions) in logs.tables.iter().enumerate() {
            for (partition, log) in partitions.iter().enumerate() {
                let partition = partition as i32;
                let mut offset = self.table_offset(table, partition);
                loop {
                    let read = {
                        let log = lock_log(log);
                        offset = offset.max(log.log_start_offset());
                        if offset >= log.log_end_offset() {
                            break;
                        }
                        log.read(offset, READ_BYTES).map_err(|e| {
                            format!("cannot read table `{}`: {e}", self.pipeline.tables[table])
                        })?
                    };
                    if read.records.is_empty() {
                        break;
                    }
                    let fetched = decode_fetched(Bytes::from(read.records), offset).map_err(|e| {
                        format!(
                            "cannot decode table `{}` partition {partition} at offset {offset}: {e}",
                            self.pipeline.tables[table]
                        )
                    })?;
                    for record in &fetched.records {
                        self.processor
                            .update_table(table, record.key.as_deref(), record.value.as_deref())
                            .map_err(|_| {
                                format!(
                                    "the pipeline's code panicked on table `{}` partition {partition} offset {}",
                                    self.pipeline.tables[table], record.offset
                                )
                            })?;
                        applied += 1;
                    }
                    offset = read.next_offset.max(offset + 1);
                }
                self.table_offsets
                    .entry(self.pipeline.tables[table].clone())
                    .or_default()
                    .insert(partition, offset);
            }
        }
        Ok(applied)
    }

    /// Processes what the input holds past `next_offset` (one read's
    /// worth); returns how many records it processed.
    fn step(&mut self, broker: &Broker, logs: &Logs) -> Result<usize, String> {
        let read = {
            let log = lock_log(&logs.input);
            if self.next_offset >= log.log_end_offset() {
                return Ok(0);
            }
            log.read(self.next_offset, READ_BYTES)
                .map_err(|e| format!("cannot read the input: {e}"))?
        };
        if read.records.is_empty() {
            return Ok(0);
        }
        let read_to = read.next_offset;
        let partitions = logs.outputs.len().max(1);
        let mut batches: BTreeMap<i32, Vec<Pending>> = BTreeMap::new();
        let mut outputs: Outputs = Vec::new();
        let mut processed = 0;
        let mut panicked_at = None;
        for_each_fetched(Bytes::from(read.records), self.next_offset, |input| {
            if panicked_at.is_some() {
                return;
            }
            outputs.clear();
            if self
                .processor
                .process(input.offset, input.value.as_deref(), &mut outputs)
                .is_err()
            {
                panicked_at = Some(input.offset);
                return;
            }
            for (key, value) in outputs.drain(..) {
                let partition = match &key {
                    Some(key) => partition_for_key(key, partitions),
                    None => self.input % partitions as i32,
                };
                let sequence = self.next_sequence.entry(partition).or_insert(0);
                let this = *sequence;
                *sequence = sequence.wrapping_add(1);
                if self
                    .already_stored
                    .get(&partition)
                    .is_some_and(|stored| this <= *stored)
                {
                    self.skipped += 1;
                    continue;
                }
                batches
                    .entry(partition)
                    .or_default()
                    .push((this, input.timestamp, key, value));
            }
            processed += 1;
        })
        .map_err(|e| {
            format!(
                "cannot decode the input at offset {}: {e}",
                self.next_offset
            )
        })?;
        if let Some(offset) = panicked_at {
            return Err(format!(
                "the pipeline's code panicked at input offset {offset}; it stays stopped there"
            ));
        }
        for (partition, records) in batches {
            let Some(log) = logs.outputs.get(partition as usize) else {
                continue;
            };
            let stamp = ProducerStamp {
                producer_id: self.producer,
                epoch: 0,
                base_sequence: records[0].0,
            };
            let encoded: Vec<_> = records
                .into_iter()
                .enumerate()
                .map(|(index, (_, timestamp, key, value))| {
                    record(
                        index,
                        timestamp,
                        key.map(Bytes::from),
                        Some(Bytes::from(value)),
                        &[],
                        Some(stamp),
                    )
                })
                .collect();
            let mut batch = encode_batch(&encoded, kafka_protocol::records::Compression::None)?;
            lock_log(log).append(&mut batch).map_err(|e| {
                format!(
                    "cannot append to `{}` partition {partition}: {e}",
                    self.pipeline.to
                )
            })?;
            broker.notify_appended(&self.pipeline.to, partition);
        }
        self.next_offset = read_to.max(self.next_offset + 1);
        Ok(processed)
    }
}

/// Runs `pipeline` over `input` until `stop` is set or the broker closes.
pub async fn run(
    broker: Weak<Broker>,
    pipeline: LoadedPipeline,
    input: i32,
    state: PathBuf,
    stop: Arc<AtomicBool>,
) {
    let name = pipeline.name.clone();
    if let Err(error) = run_inner(broker, pipeline, input, state, stop).await {
        tracing::error!(pipeline = %name, partition = input, %error, "pipeline stopped");
    }
}

async fn run_inner(
    broker: Weak<Broker>,
    pipeline: LoadedPipeline,
    input: i32,
    state: PathBuf,
    stop: Arc<AtomicBool>,
) -> Result<(), String> {
    // The topics may not exist yet: wait for them.
    let logs = loop {
        let Some(strong) = broker.upgrade() else {
            return Ok(());
        };
        if let Some(logs) = logs(&strong, &pipeline, input) {
            break logs;
        }
        drop(strong);
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let checkpoint_path = checkpoint::path(&state, &pipeline.name, input);
    let saved = checkpoint::load(&checkpoint_path)?.unwrap_or_default();
    let mut processor = pipeline
        .processor()
        .map_err(|_| "the pipeline panicked while starting".to_owned())?;
    if !saved.snapshot.is_empty() {
        processor.restore(&saved.snapshot).map_err(|_| {
            format!(
                "checkpoint `{}` holds a state the pipeline cannot read",
                checkpoint_path.display()
            )
        })?;
    }
    let producer = producer_id(&pipeline.name, input);
    let already_stored: BTreeMap<i32, i32> = logs
        .outputs
        .iter()
        .enumerate()
        .filter_map(|(p, log)| {
            let from = saved.output_ends.get(&(p as i32)).copied().unwrap_or(0);
            stored_sequence(log, producer, from).map(|s| (p as i32, s))
        })
        .collect();
    let (start, end) = {
        let log = lock_log(&logs.input);
        (log.log_start_offset(), log.log_end_offset())
    };
    let next_offset = if saved.next_offset > end {
        tracing::warn!(
            pipeline = %pipeline.name,
            partition = input,
            checkpoint = saved.next_offset,
            log_end = end,
            "the input log ends before the checkpoint (its unsynced tail was lost): resuming at its end"
        );
        end
    } else {
        saved.next_offset.max(start)
    };
    tracing::info!(
        pipeline = %pipeline.name,
        partition = input,
        from = next_offset,
        "pipeline running"
    );
    let mut host = Host {
        pipeline,
        input,
        producer,
        processor,
        checkpoint_path,
        next_offset,
        next_sequence: saved.next_sequence,
        already_stored,
        skipped: 0,
        table_offsets: saved.tables,
    };
    let mut last_checkpoint = Instant::now();
    let mut last_table_refresh: Option<Instant> = None;
    let mut dirty = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            if dirty {
                host.checkpoint(&logs)?;
            }
            return Ok(());
        }
        let Some(strong) = broker.upgrade() else {
            return Ok(());
        };
        // A broker shutting down closes its logs: the host lets go of them.
        if strong.read_storage(|_| ()).is_err() {
            return Ok(());
        }
        if !logs.tables.is_empty()
            && last_table_refresh.is_none_or(|at| at.elapsed() >= TABLE_REFRESH)
            && host.replay_done()
        {
            last_table_refresh = Some(Instant::now());
            if host.tables_behind(&logs) {
                let applied = host.refresh_tables(&logs)?;
                tracing::debug!(pipeline = %host.pipeline.name, partition = input, applied, "tables updated");
                host.checkpoint(&logs)?;
                last_checkpoint = Instant::now();
                dirty = false;
            }
        }
        // Registered before the step, so input appended during it ends
        // the wait below at once.
        let mut input_appended = AppendWait::default();
        input_appended.add(
            strong
                .append_signals()
                .of(&host.pipeline.from, input.unsigned_abs()),
        );
        let processed = host.step(&strong, &logs)?;
        if processed > 0 {
            dirty = true;
        }
        if dirty && last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
            host.checkpoint(&logs)?;
            last_checkpoint = Instant::now();
            dirty = false;
        }
        if processed == 0 {
            // Table records are looked for again after IDLE_WAIT at most.
            let _ = tokio::time::timeout(IDLE_WAIT, input_appended.any()).await;
        } else {
            drop(strong);
            tokio::task::yield_now().await;
        }
    }
}
