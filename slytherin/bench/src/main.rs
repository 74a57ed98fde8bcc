//! `slytherin-peer-bench`: Slytherin against NATS JetStream and Redis
//! Streams on loopback, in one run: produce and consume throughput and
//! end-to-end latency, for each message size and durability mode, with the
//! ratios the broker is held to. `slytherin/bench/run.sh` installs the peers,
//! builds in release mode and runs it.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;

use slytherin_bench::drive::Workload;
use slytherin_bench::{cores, Durability, System};

// The load generator allocates for every message it sends and receives,
// through whichever client; one fast allocator for all of them keeps the
// allocator out of the comparison.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use slytherin_bench::drive;
use slytherin_bench::report::{Measurement, Report};
use slytherin_bench::servers::{self, ServerProcess};
use slytherin_bench::stalls::StallMeter;
use slytherin_bench::systems::nats::{NatsPublisher, NatsSubscriber};
use slytherin_bench::systems::redis::{RedisPublisher, RedisSubscriber};
use slytherin_bench::systems::slytherin::{SlytherinPublisher, SlytherinSubscriber};
use slytherin_bench::systems::{Publisher, Subscriber};

/// Measures Slytherin against its peers.
#[derive(Debug, Parser)]
#[command(name = "slytherin-peer-bench")]
struct Args {
    /// Systems to measure.
    #[arg(long, value_delimiter = ',', default_value = "slytherin,nats,redis")]
    systems: Vec<System>,
    /// Message sizes in bytes.
    #[arg(long, value_delimiter = ',', default_value = "100,1024")]
    sizes: Vec<usize>,
    /// Durability modes.
    #[arg(long, value_delimiter = ',', default_value = "off,on")]
    durability: Vec<Durability>,
    /// Rounds: each configuration runs this many times, the systems taking
    /// turns within each round, and the report shows each figure's median.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Messages per throughput run.
    #[arg(long, default_value_t = 200_000)]
    messages: usize,
    /// Messages per publish call (batch or pipeline depth).
    #[arg(long, default_value_t = 100)]
    batch: usize,
    /// Publish calls in flight at once.
    #[arg(long, default_value_t = 8)]
    in_flight: usize,
    /// Messages a second in the latency run.
    #[arg(long, default_value_t = 20_000)]
    rate: u64,
    /// Seconds of the latency run. A p99.9 is the 1,000th-slowest part of
    /// the messages: 30 s at 20,000 a second gives it 600 messages a round
    /// (1,800 over 3 rounds), a few seconds only the handful of moments
    /// the machine itself stalled.
    #[arg(long, default_value_t = 30)]
    latency_seconds: u64,
    /// Cores the servers run on (a `taskset` list).
    #[arg(long, default_value = "1")]
    server_cores: String,
    /// Cores the load generator runs on (a `taskset` list).
    #[arg(long, default_value = "0")]
    client_cores: String,
    /// The `slytherin` binary; by default the one beside this program.
    #[arg(long)]
    slytherin: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let slytherin = servers::slytherin_binary(args.slytherin.as_deref())?;
    let server_cores = cores::parse(&args.server_cores)?;
    let client_cores = cores::parse(&args.client_cores)?;
    cores::pin_current_thread(&client_cores)?;
    // Every core either side runs on is watched for stalls of its own.
    let mut watched = server_cores;
    watched.extend(&client_cores);
    watched.sort_unstable();
    watched.dedup();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut report = Report::new(&args.server_cores, &args.client_cores);
    for round in 1..=args.rounds.max(1) {
        for &durability in &args.durability {
            for &size in &args.sizes {
                let workload = Workload {
                    size,
                    messages: args.messages,
                    batch: args.batch,
                    in_flight: args.in_flight,
                };
                for &system in &args.systems {
                    eprintln!("== round {round}: {system}, {size} B, fsync {durability:?}");
                    let server =
                        ServerProcess::start(system, durability, &args.server_cores, &slytherin)?;
                    let latency = Duration::from_secs(args.latency_seconds);
                    let measured = runtime
                        .block_on(measure(
                            system,
                            durability,
                            &server,
                            workload,
                            (args.rate, latency),
                            &watched,
                        ))
                        .with_context(|| format!("{system}, {size} B, fsync {durability:?}"))?;
                    let syncs = match (system, durability) {
                        (_, Durability::Off) => false,
                        (System::Nats, Durability::On) => servers::nats_syncs_each_write()?,
                        (_, Durability::On) => true,
                    };
                    report.add(system, size, durability, syncs, measured);
                }
            }
        }
    }
    print!("{report}");
    Ok(())
}

/// The three measurements of one system on one fresh server.
async fn measure(
    system: System,
    durability: Durability,
    server: &ServerProcess,
    workload: Workload,
    latency_run: (u64, Duration),
    watched: &[usize],
) -> Result<Measurement> {
    let address = server.address();
    match system {
        System::Slytherin => {
            let publisher = SlytherinPublisher::connect(address, durability).await?;
            measure_with(
                server,
                &publisher,
                || SlytherinSubscriber::connect(address),
                workload,
                latency_run,
                watched,
            )
            .await
        }
        System::Nats => {
            let publisher = NatsPublisher::connect(address).await?;
            measure_with(
                server,
                &publisher,
                || NatsSubscriber::connect(address),
                workload,
                latency_run,
                watched,
            )
            .await
        }
        System::Redis => {
            let publisher = RedisPublisher::connect(address).await?;
            measure_with(
                server,
                &publisher,
                || RedisSubscriber::connect(address),
                workload,
                latency_run,
                watched,
            )
            .await
        }
    }
}

/// Produce, then consume what was produced, then the latency run (`rate`
/// messages a second for a duration) on the same stream, its reader going
/// on from the end of the throughput run's messages, while the `watched`
/// cores are probed for stalls of the machine's own.
async fn measure_with<P, S, F>(
    server: &ServerProcess,
    publisher: &P,
    subscriber: impl Fn() -> F,
    workload: Workload,
    (rate, latency): (u64, Duration),
    watched: &[usize],
) -> Result<Measurement>
where
    P: Publisher,
    S: Subscriber,
    F: std::future::Future<Output = Result<S>>,
{
    let cpu_before = (server.cpu_time()?, servers::own_cpu_time()?);
    let produce = drive::produce(publisher, workload).await?;
    let produce_cpu = (
        server.cpu_time()?.saturating_sub(cpu_before.0),
        servers::own_cpu_time()?.saturating_sub(cpu_before.1),
    );
    let mut reader = subscriber().await?;
    let consume = drive::consume(&mut reader, workload.messages).await?;
    let meter = StallMeter::start(watched)?;
    let latencies = drive::end_to_end(
        publisher,
        &mut reader,
        workload.size,
        rate,
        latency,
        workload.in_flight,
    )
    .await?;
    let stalls = meter.finish()?;
    Ok(Measurement::new(
        workload,
        (produce, produce_cpu),
        consume,
        latencies,
        stalls,
    ))
}
