//! `slytherin-pipeline-bench`: one Parseltongue pipeline (a filter and a
//! keyed sum over one-second windows) run two ways against the same
//! broker: inside it, deployed as a library and run on the input
//! partition's core, and as a separate consumer process that reads the
//! input and writes its output back over the network (the "ETL tax").
//! Measures throughput (input events a second, production included) and
//! the end-to-end latency of window results (from the window's end to the
//! result reaching a consumer), in interleaved rounds, with medians and
//! ratios. `slytherin/bench/run.sh --pipelines` builds and runs it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use hdrhistogram::Histogram;
use parseltongue_core::extension::Extensions;
use parseltongue_core::source::{SourceFile, SourceMap};
use slytherin_bench::cores;
use slytherin_bench::servers::{self, ServerProcess};
use slytherin_bench::{Durability, System};
use slytherin_client::{
    Acks, Admin, ClientConfig, Consumer, ConsumerConfig, NewTopic, Producer, ProducerConfig,
    StartPosition, TopicPartition,
};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The pipeline both modes run.
const PROGRAM: &str = r#"record Event {
    key: string,
    value: i64,
    at_ms: i64,
}

record Total {
    key: string,
    window_start_ms: i64,
    window_end_ms: i64,
    total: i64,
}

topic events {
    message: Event,
    key: key,
}

topic totals {
    message: Total,
    key: key,
}

function kept(event: Event) returns bool {
    event.value % 7 != 0
}

function key_of(event: Event) returns string {
    event.key
}

function time_of(event: Event) returns i64 {
    event.at_ms
}

function value_of(event: Event) returns i64 {
    event.value
}

function to_total(key: string, start_ms: i64, end_ms: i64, total: i64) returns Total {
    Total {
        key: key,
        window_start_ms: start_ms,
        window_end_ms: end_ms,
        total: total,
    }
}

pipeline summing {
    from: events,
    filter: kept,
    key_by: key_of,
    event_time: time_of,
    window: tumbling_seconds(1),
    aggregate: sum(value_of),
    emit: to_total,
    to: totals,
}

function main() {
    match run_summing_pipeline("", 3000) {
        Ok(processed) => print_line("{}", processed),
        Err(problem) => panic("{}", problem),
    }
}
"#;

/// Where the pipeline runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// Deployed into the broker, on the input partition's core.
    InBroker,
    /// A separate consumer process writing back over the network.
    Process,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::InBroker => "in-broker",
            Mode::Process => "consumer process",
        })
    }
}

/// Measures the pipeline inside the broker against it as a process.
#[derive(Debug, Parser)]
#[command(name = "slytherin-pipeline-bench")]
struct Args {
    /// Rounds; the modes take turns in each, and the report shows medians.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Events per throughput run.
    #[arg(long, default_value_t = 500_000)]
    events: usize,
    /// Distinct keys in the latency run (results a second).
    #[arg(long, default_value_t = 100)]
    keys: usize,
    /// Distinct keys in the throughput run: with 1,000 events a window, 10
    /// keys write one result per 100 events.
    #[arg(long, default_value_t = 10)]
    throughput_keys: usize,
    /// Events a second in the latency run.
    #[arg(long, default_value_t = 20_000)]
    rate: u64,
    /// Seconds of the latency run.
    #[arg(long, default_value_t = 10)]
    latency_seconds: u64,
    /// Cores the broker runs on (a `taskset` list).
    #[arg(long, default_value = "1")]
    server_cores: String,
    /// Cores the load generator runs on.
    #[arg(long, default_value = "0")]
    client_cores: String,
    /// Cores the pipeline process runs on: by default the load generator's,
    /// a core the in-broker pipeline does not get; the broker's cores give
    /// both modes the same budget.
    #[arg(long)]
    process_cores: Option<String>,
    /// The `slytherin` binary; by default the one beside this program.
    #[arg(long)]
    slytherin: Option<PathBuf>,
}

/// The pipeline built both ways.
struct Built {
    library: PathBuf,
    program: PathBuf,
    _folder: tempfile::TempDir,
}

fn build() -> Result<Built> {
    let folder = tempfile::tempdir()?;
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("summing.pt", PROGRAM));
    let extensions = Extensions::of([slytherin_lang::extension()]);
    let compiled = parseltongue_core::compile_with(&sources, &extensions)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(rust) = compiled.rust else {
        bail!(
            "the benchmark's program has errors: {:?}",
            compiled.diagnostics
        );
    };
    let source = folder.path().join("summing.rs");
    std::fs::write(&source, rust)?;
    let link = parseltongue_build::runtime_crates::link_arguments_for(&["slytherin_runtime"])
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let library = folder
        .path()
        .join(format!("libsumming.{}", std::env::consts::DLL_EXTENSION));
    let program = folder.path().join("summing");
    for (crate_type, output) in [("cdylib", &library), ("bin", &program)] {
        let built = Command::new(&rustc)
            .args(["--edition", "2021", "--crate-type", crate_type])
            .args(["-C", "opt-level=3", "-C", "codegen-units=1"])
            .args(&link)
            .arg("-o")
            .arg(output)
            .arg(&source)
            .output()
            .context("cannot run rustc")?;
        if !built.status.success() {
            bail!("rustc failed:\n{}", String::from_utf8_lossy(&built.stderr));
        }
    }
    Ok(Built {
        library,
        program,
        _folder: folder,
    })
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

fn event(key: usize, value: i64, at_ms: i64) -> Vec<u8> {
    format!(r#"{{"key":"k{key}","value":{value},"at_ms":{at_ms}}}"#).into_bytes()
}

/// A broker with the two topics, and the pipeline started the given way.
struct Setup {
    server: ServerProcess,
    process: Option<Child>,
}

impl Drop for Setup {
    fn drop(&mut self) {
        if let Some(mut child) = self.process.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts a broker with the two topics, stores `preload` events in it
/// first (for the throughput run), then starts the pipeline `mode`'s way.
async fn setup(
    mode: Mode,
    built: &Built,
    args: &Args,
    slytherin: &Path,
    preload: bool,
) -> Result<Setup> {
    let server = ServerProcess::start(
        System::Slytherin,
        Durability::Off,
        &args.server_cores,
        slytherin,
    )?;
    let config = ClientConfig::new([server.address().to_string()]);
    let admin = Admin::connect(config).await?;
    for topic in ["events", "totals"] {
        admin.create_topic(NewTopic::new(topic, 1)).await?;
    }
    if preload {
        store_events(server.address(), args).await?;
    }
    let process = match mode {
        Mode::InBroker => {
            let folder = server.slytherin_data().join("+pipelines");
            std::fs::create_dir_all(&folder)?;
            std::fs::copy(&built.library, folder.join("summing.tmp"))?;
            std::fs::rename(
                folder.join("summing.tmp"),
                folder.join(built.library.file_name().context("a file name")?),
            )?;
            None
        }
        Mode::Process => Some(
            Command::new("taskset")
                .arg("-c")
                .arg(args.process_cores.as_deref().unwrap_or(&args.client_cores))
                .arg(&built.program)
                .env("SLYTHERIN_BROKERS", server.address().to_string())
                .stdout(std::process::Stdio::null())
                .spawn()
                .context("cannot start the pipeline process")?,
        ),
    };
    let mut setup = Setup { server, process };
    if preload {
        return Ok(setup);
    }
    // Warm up: one window per key must come through before measuring.
    let producer = producer(setup.server.address()).await?;
    let start = now_ms() - 10_000;
    // Every key in one window, then one later event: a message for a
    // window the watermark has passed would be late and dropped.
    let mut warm: Vec<Vec<u8>> = (0..args.keys).map(|k| event(k, 1, start)).collect();
    warm.push(event(0, 1, start + 1500));
    send(&producer, &warm).await?;
    let mut totals = totals(setup.server.address()).await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = 0;
    while seen < args.keys {
        if Instant::now() > deadline {
            bail!(
                "the {mode} pipeline wrote {seen} of {} warm-up windows in 30 s",
                args.keys
            );
        }
        seen += totals.poll().await?.len();
        if let Some(child) = setup.process.as_mut() {
            if let Some(status) = child.try_wait()? {
                bail!("the pipeline process exited: {status}");
            }
        }
    }
    producer.close().await;
    Ok(setup)
}

async fn producer(address: SocketAddr) -> Result<Producer> {
    let config = ProducerConfig::new(ClientConfig::new([address.to_string()]))
        .with_acks(Acks::Leader)
        .with_batching(Duration::ZERO, 1 << 20);
    Ok(Producer::connect(config).await?)
}

async fn send(producer: &Producer, events: &[Vec<u8>]) -> Result<()> {
    let deliveries: Vec<_> = events
        .iter()
        .map(|value| producer.send("events", None, value, &[]))
        .collect();
    for delivery in deliveries {
        delivery.await?;
    }
    Ok(())
}

async fn totals(address: SocketAddr) -> Result<Consumer> {
    let mut config = ConsumerConfig::new(ClientConfig::new([address.to_string()]));
    config.fetch_max_wait = Duration::from_millis(50);
    Ok(Consumer::assign(
        config,
        [(TopicPartition::new("totals", 0), StartPosition::Latest)],
    )
    .await?)
}

/// Event time of the throughput run: 1,000 events per second of event
/// time, every key in each second.
fn throughput_event(i: usize, keys: usize) -> Vec<u8> {
    // Keys repeat every `keys` events: each window holds every key.
    event(i % keys, i as i64, 1_000_000 + i as i64)
}

/// Stores the throughput run's events, and one event per key past the
/// last, which closes every window.
async fn store_events(address: SocketAddr, args: &Args) -> Result<()> {
    use futures::StreamExt;
    let producer = producer(address).await?;
    let mut pending = futures::stream::FuturesUnordered::new();
    let mut next = 0;
    while next < args.events {
        let end = (next + 1000).min(args.events);
        let batch: Vec<Vec<u8>> = (next..end)
            .map(|i| throughput_event(i, args.throughput_keys))
            .collect();
        let deliveries: Vec<_> = batch
            .iter()
            .map(|value| producer.send("events", None, value, &[]))
            .collect();
        pending.push(futures::future::join_all(deliveries));
        if pending.len() >= 8 {
            for stored in pending.next().await.unwrap_or_default() {
                stored?;
            }
        }
        next = end;
    }
    while let Some(stored) = pending.next().await {
        for stored in stored {
            stored?;
        }
    }
    let closers: Vec<Vec<u8>> = (0..args.throughput_keys)
        .map(|k| event(k, 1, 1_000_000 + args.events as i64 + 10_000))
        .collect();
    send(&producer, &closers).await?;
    producer.close().await;
    Ok(())
}

/// Input events a second over stored input: from the first window result
/// to the last (so neither mode's start-up counts), the events between
/// them over the time between them.
async fn throughput(server: &ServerProcess, args: &Args) -> Result<f64> {
    let mut config = ConsumerConfig::new(ClientConfig::new([server.address().to_string()]));
    config.fetch_max_wait = Duration::from_millis(10);
    let mut totals = Consumer::assign(
        config,
        [(TopicPartition::new("totals", 0), StartPosition::Earliest)],
    )
    .await?;
    let windows = args.events.div_ceil(1000);
    let expected = windows * args.throughput_keys.min(1000);
    let mut first: Option<(Instant, i64)> = None;
    let mut seen = 0;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if Instant::now() > deadline {
            bail!("{seen} of {expected} window results in 600 s");
        }
        let records = totals.poll().await?;
        if first.is_none() {
            if let Some(record) = records.first() {
                let value: serde_json::Value =
                    serde_json::from_slice(record.value.as_deref().unwrap_or_default())?;
                let end = value["window_end_ms"].as_i64().unwrap_or_default();
                first = Some((Instant::now(), end));
            }
        }
        // Only counted: parsing every result would make this consumer, on
        // the load generator's core, the bottleneck being measured.
        seen += records.len();
        if seen >= expected {
            break;
        }
    }
    let (started, first_end) = first.context("no window result")?;
    // The events of the windows after the first one's.
    let events = (args.events as i64 - (first_end - 1_000_000)).max(1) as f64;
    Ok(events / started.elapsed().as_secs_f64())
}

/// Latency of window results at a fixed rate: event time is the send time,
/// so a window ends on the wall clock; each result's latency is when it
/// reached the consumer less the window's end.
async fn latency(server: &ServerProcess, args: &Args) -> Result<Histogram<u64>> {
    let producer = producer(server.address()).await?;
    let mut totals = totals(server.address()).await?;
    let mut latencies = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let total = args.rate * args.latency_seconds;
    let interval = Duration::from_secs_f64(1.0 / args.rate as f64);
    let origin = Instant::now();
    let first_window = (now_ms() / 1000 + 1) * 1000;
    let send_all = async {
        let mut sent = 0u64;
        let mut ticker = tokio::time::interval(Duration::from_millis(1));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut pending = futures::stream::FuturesUnordered::new();
        use futures::StreamExt;
        while sent < total || !pending.is_empty() {
            tokio::select! {
                _ = ticker.tick(), if sent < total => {
                    let due = ((origin.elapsed().as_secs_f64() / interval.as_secs_f64()) as u64 + 1).min(total);
                    let batch: Vec<Vec<u8>> = (sent..due)
                        .map(|i| event(i as usize % args.keys, i as i64, now_ms()))
                        .collect();
                    let deliveries: Vec<_> = batch.iter().map(|v| producer.send("events", None, v, &[])).collect();
                    pending.push(futures::future::join_all(deliveries));
                    sent = due;
                }
                Some(stored) = pending.next(), if !pending.is_empty() => {
                    for stored in stored { stored?; }
                }
            }
        }
        // Close the last window.
        let closers: Vec<Vec<u8>> = (0..args.keys)
            .map(|k| event(k, 1, now_ms() + 2000))
            .collect();
        send(&producer, &closers).await?;
        anyhow::Ok(())
    };
    let last_window_end = first_window + args.latency_seconds as i64 * 1000;
    let receive = async {
        let deadline = Instant::now() + Duration::from_secs(args.latency_seconds + 60);
        let mut done = false;
        while !done {
            if Instant::now() > deadline {
                bail!("window results stopped arriving");
            }
            for record in totals.poll().await? {
                let arrived = now_micros();
                let value: serde_json::Value =
                    serde_json::from_slice(record.value.as_deref().unwrap_or_default())?;
                let Some(end) = value["window_end_ms"].as_i64() else {
                    continue;
                };
                // Whole windows of the run only (the first may have begun
                // before the stream).
                if end > first_window + 1000 && end <= last_window_end {
                    latencies.saturating_record((arrived - end * 1000).max(1) as u64);
                }
                if end >= last_window_end {
                    done = true;
                }
            }
        }
        anyhow::Ok(())
    };
    let (sent, received) = tokio::join!(send_all, receive);
    sent?;
    received?;
    producer.close().await;
    if latencies.is_empty() {
        bail!(
            "no whole window of the {} s latency run came through: give --latency-seconds 3 or more",
            args.latency_seconds
        );
    }
    Ok(latencies)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> Result<()> {
    let args = Args::parse();
    let slytherin = servers::slytherin_binary(args.slytherin.as_deref())?;
    cores::parse(&args.server_cores)?;
    cores::pin_current_thread(&cores::parse(&args.client_cores)?)?;
    eprintln!("building the pipeline as a library and as a program …");
    let built = build()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let modes = [Mode::InBroker, Mode::Process];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); 2];
    let mut p50s: Vec<Vec<f64>> = vec![Vec::new(); 2];
    let mut p99s: Vec<Vec<f64>> = vec![Vec::new(); 2];
    for round in 1..=args.rounds.max(1) {
        for (index, &mode) in modes.iter().enumerate() {
            let (rate, histogram) = runtime.block_on(async {
                let histogram = {
                    let setup = setup(mode, &built, &args, &slytherin, false).await?;
                    latency(&setup.server, &args).await?
                };
                let setup = setup(mode, &built, &args, &slytherin, true).await?;
                let rate = throughput(&setup.server, &args).await?;
                anyhow::Ok((rate, histogram))
            })?;
            let p50 = histogram.value_at_quantile(0.5) as f64 / 1000.0;
            let p99 = histogram.value_at_quantile(0.99) as f64 / 1000.0;
            eprintln!(
                "round {round} {mode:>16}: {rate:>10.0} events/s, window results p50 {p50:.2} ms p99 {p99:.2} ms ({} results)",
                histogram.len()
            );
            rates[index].push(rate);
            p50s[index].push(p50);
            p99s[index].push(p99);
        }
    }
    println!(
        "pipeline: filter + keyed sum over 1 s tumbling windows, {} keys; broker on cores {}, load generator on cores {}, pipeline process on cores {}; medians of {} rounds",
        args.keys,
        args.server_cores,
        args.client_cores,
        args.process_cores.as_deref().unwrap_or(&args.client_cores),
        args.rounds
    );
    println!(
        "{:>18} {:>14} {:>12} {:>12}",
        "mode", "events/s", "p50 ms", "p99 ms"
    );
    let mut medians = Vec::new();
    for (index, mode) in modes.iter().enumerate() {
        let (rate, p50, p99) = (
            median(&mut rates[index]),
            median(&mut p50s[index]),
            median(&mut p99s[index]),
        );
        println!(
            "{:>18} {rate:>14.0} {p50:>12.2} {p99:>12.2}",
            mode.to_string()
        );
        medians.push((rate, p99));
    }
    println!(
        "in-broker vs consumer process: throughput {:.2}x (target >= 3x), p99 {:.2}x lower (target > 1x)",
        medians[0].0 / medians[1].0,
        medians[1].1 / medians[0].1
    );
    Ok(())
}
