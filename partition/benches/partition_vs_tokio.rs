//! The partition runtime against tokio's default runtime, side by side in
//! one run:
//!
//! 1. wake-up latency of a 1 ms periodic task while a noisy neighbour
//!    saturates the other core(s), corrected for coordinated omission
//!    (every tick is measured against its intended start on the 1 ms grid,
//!    and a tick that never ran counts with the lateness it would have had);
//! 2. cross-core message throughput and round-trip latency of the rings
//!    against crossbeam-channel and tokio's mpsc.
//!
//! `cargo bench -p partition --bench partition_vs_tokio`; set
//! `PARTITION_BENCH_SECONDS` (default 10) for the length of each latency run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use partition::{CoreSet, Machine, Plan, Policy, Runtime};

const PERIOD: Duration = Duration::from_millis(1);
/// How long a neighbour's task computes between two yields.
const HOG_SLICE: Duration = Duration::from_millis(2);
/// Neighbour tasks: more than there are cores, so every worker stays busy.
const HOGS: usize = 4;
const MESSAGES: u64 = 10_000_000;
const ROUND_TRIPS: u64 = 100_000;
const RING_CAPACITY: usize = 1024;

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000_000, 3).expect("valid bounds")
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// Records the tick due at `intended` that ran at `ran`.
fn record_tick(latency: &mut Histogram<u64>, intended: Instant, ran: Instant) {
    latency.saturating_record(nanos(ran.saturating_duration_since(intended)));
}

fn burn(slice: Duration) {
    let until = Instant::now() + slice;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

struct Cores {
    ticker: usize,
    noise: usize,
}

fn cores(machine: &Machine) -> Cores {
    let usable = machine.usable().to_vec();
    match usable.as_slice() {
        [] => panic!("no usable core"),
        [only] => Cores {
            ticker: *only,
            noise: *only,
        },
        [.., noise, ticker] => Cores {
            ticker: *ticker,
            noise: *noise,
        },
    }
}

fn runtime(machine: &Machine, plan: Plan) -> Runtime {
    Runtime::start(plan.validate(machine).expect("the plan fits")).expect("starts")
}

fn start_hogs(
    noise: &partition::Partition,
    stop: &Arc<AtomicBool>,
) -> Vec<partition::JoinHandle<()>> {
    (0..HOGS)
        .map(|_| {
            let stop = Arc::clone(stop);
            noise.spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    burn(HOG_SLICE);
                    partition::yield_now().await;
                }
            })
        })
        .collect()
}

/// The ticker as a `frame` slot on its own partition; the neighbour's
/// tasks on another partition.
fn partition_frame(machine: &Machine, seconds: u64, realtime: bool) -> Histogram<u64> {
    let cores = cores(machine);
    let mut plan = Plan::builder()
        .partition("noise", [cores.noise], Policy::Api)
        .partition("ticker", [cores.ticker], Policy::frame(PERIOD));
    if realtime {
        plan = plan.realtime_priority(10);
    }
    let rt = runtime(machine, plan.fallback(partition::Fallback::Shrink).build());
    let stop = Arc::new(AtomicBool::new(false));
    let hogs = start_hogs(&rt.partition("noise").expect("noise"), &stop);
    let latency = Arc::new(Mutex::new(histogram()));
    let record = Arc::clone(&latency);
    rt.partition("ticker")
        .expect("ticker")
        .add_slot("tick", Duration::from_micros(500), move |frame| {
            let mut latency = record.lock().expect("uncontended");
            // Cycles skipped for lateness count with the lateness they had.
            for skipped in (1..=frame.skipped).rev() {
                let intended = frame.intended_start - PERIOD * u32::try_from(skipped).unwrap_or(0);
                record_tick(&mut latency, intended, frame.started);
            }
            record_tick(&mut latency, frame.intended_start, frame.started);
        })
        .expect("fits");
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for hog in hogs {
        let _ = hog.join();
    }
    let result = latency.lock().expect("done").clone();
    rt.shutdown(Duration::from_secs(5));
    result
}

/// The ticker as an ordinary task of an `api` partition, sleeping on the
/// core's precise timer.
fn partition_api(machine: &Machine, seconds: u64, realtime: bool) -> Histogram<u64> {
    let cores = cores(machine);
    let mut plan = Plan::builder()
        .partition("noise", [cores.noise], Policy::Api)
        .partition("ticker", [cores.ticker], Policy::Api);
    if realtime {
        plan = plan.realtime_priority(10);
    }
    let rt = runtime(machine, plan.fallback(partition::Fallback::Shrink).build());
    let stop = Arc::new(AtomicBool::new(false));
    let hogs = start_hogs(&rt.partition("noise").expect("noise"), &stop);
    let ticks = seconds * 1000;
    let ticker = rt.partition("ticker").expect("ticker").spawn(async move {
        let mut latency = histogram();
        let start = Instant::now();
        for tick in 1..=ticks {
            let intended = start + PERIOD * u32::try_from(tick).unwrap_or(u32::MAX);
            partition::time::sleep_until(intended).await;
            record_tick(&mut latency, intended, Instant::now());
        }
        latency
    });
    let result = ticker.join().expect("ticker ran");
    stop.store(true, Ordering::Relaxed);
    for hog in hogs {
        let _ = hog.join();
    }
    rt.shutdown(Duration::from_secs(5));
    result
}

/// Tokio's default multi-threaded runtime running both the ticker and the
/// neighbour.
fn tokio_default(seconds: u64) -> Histogram<u64> {
    let rt = tokio::runtime::Runtime::new().expect("tokio starts");
    let stop = Arc::new(AtomicBool::new(false));
    let hogs: Vec<_> = (0..HOGS)
        .map(|_| {
            let stop = Arc::clone(&stop);
            rt.spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    burn(HOG_SLICE);
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    let ticks = seconds * 1000;
    let result = rt.block_on(async move {
        let ticker = tokio::spawn(async move {
            let mut latency = histogram();
            let start = Instant::now();
            // Burst (the default) runs late ticks at once: each is measured.
            let mut interval =
                tokio::time::interval_at(tokio::time::Instant::from_std(start + PERIOD), PERIOD);
            for tick in 1..=ticks {
                interval.tick().await;
                let intended = start + PERIOD * u32::try_from(tick).unwrap_or(u32::MAX);
                record_tick(&mut latency, intended, Instant::now());
            }
            latency
        });
        ticker.await.expect("ticker ran")
    });
    stop.store(true, Ordering::Relaxed);
    rt.block_on(async {
        for hog in hogs {
            let _ = hog.await;
        }
    });
    result
}

fn micros(nanos: u64) -> String {
    format!("{:.1}", nanos as f64 / 1000.0)
}

const QUANTILES: [(&str, f64); 4] = [
    ("p50", 0.5),
    ("p99", 0.99),
    ("p99.9", 0.999),
    ("p99.99", 0.9999),
];

fn print_latency_row(name: &str, latency: &Histogram<u64>) {
    print!("{name:<40}");
    for (_, quantile) in QUANTILES {
        print!(" {:>10}", micros(latency.value_at_quantile(quantile)));
    }
    println!(" {:>10} {:>8}", micros(latency.max()), latency.len());
}

fn wakeup_latency(machine: &Machine, seconds: u64) {
    println!("== 1. wake-up latency of a 1 ms periodic task beside a noisy neighbour");
    println!(
        "   (other processes on the machine are noise too: only SCHED_FIFO partitions are shielded\n   \
         from them; ordinary threads share their cores with whatever else runs)"
    );
    println!(
        "   neighbour: {HOGS} tasks computing {HOG_SLICE:?} between yields; {seconds} s per run; \
         microseconds, late against the 1 ms grid (coordinated omission corrected)"
    );
    let cores = cores(machine);
    println!(
        "   partitioned: ticker on core {}, neighbour on core {}; tokio: default multi-thread runtime ({} workers), both on it",
        cores.ticker,
        cores.noise,
        machine.usable().len()
    );
    let runs = [
        (
            "partition frame slot (own core)",
            partition_frame(machine, seconds, false),
        ),
        (
            "partition frame slot, SCHED_FIFO 10",
            partition_frame(machine, seconds, true),
        ),
        (
            "partition api task, precise sleep",
            partition_api(machine, seconds, false),
        ),
        (
            "partition api task, SCHED_FIFO 10",
            partition_api(machine, seconds, true),
        ),
        ("tokio multi-thread, interval", tokio_default(seconds)),
    ];
    print!("{:<40}", "");
    for (name, _) in QUANTILES {
        print!(" {name:>10}");
    }
    println!(" {:>10} {:>8}", "max", "ticks");
    for (name, latency) in &runs {
        print_latency_row(name, latency);
    }
    let tokio = &runs[4].1;
    for (name, latency) in &runs[..4] {
        print!(
            "{:<40}",
            format!("tokio / {}", name.trim_start_matches("partition "))
        );
        for (_, quantile) in QUANTILES {
            let ratio = tokio.value_at_quantile(quantile) as f64
                / latency.value_at_quantile(quantile).max(1) as f64;
            print!(" {:>9.1}x", ratio);
        }
        println!(
            " {:>9.1}x",
            tokio.max() as f64 / latency.max().max(1) as f64
        );
    }
}

struct Throughput {
    name: &'static str,
    messages_per_second: f64,
}

fn ring_throughput(machine: &Machine) -> Throughput {
    let cores = cores(machine);
    let rt = runtime(
        machine,
        Plan::builder()
            .partition("a", [cores.noise], Policy::Api)
            .partition("b", [cores.ticker], Policy::messaging())
            .fallback(partition::Fallback::Shrink)
            .build(),
    );
    let (mut sender, receiver) = partition::ring::<u64>(RING_CAPACITY);
    let start = Instant::now();
    let producer = rt.partition("a").expect("a").spawn(async move {
        for value in 0..MESSAGES {
            sender.send(value).await.expect("consumer there");
        }
    });
    let mut sum = 0u64;
    let consumer = rt
        .partition("b")
        .expect("b")
        .consume(0, "sink", receiver, move |batch| {
            for value in batch {
                sum = sum.wrapping_add(value);
            }
        });
    producer.join().expect("producer ran");
    let received = consumer.join().expect("consumer ran");
    let elapsed = start.elapsed();
    assert_eq!(received, MESSAGES);
    rt.shutdown(Duration::from_secs(5));
    Throughput {
        name: "partition ring (tasks on two partitions)",
        messages_per_second: MESSAGES as f64 / elapsed.as_secs_f64(),
    }
}

fn pinned_thread<T: Send + 'static>(
    core: usize,
    work: impl FnOnce() -> T + Send + 'static,
) -> std::thread::JoinHandle<T> {
    std::thread::spawn(move || {
        partition::machine::pin_current_thread(&CoreSet::from([core])).expect("pins");
        work()
    })
}

fn crossbeam_throughput(machine: &Machine) -> Throughput {
    let cores = cores(machine);
    let (sender, receiver) = crossbeam_channel::bounded::<u64>(RING_CAPACITY);
    let start = Instant::now();
    let producer = pinned_thread(cores.noise, move || {
        for value in 0..MESSAGES {
            sender.send(value).expect("consumer there");
        }
    });
    let consumer = pinned_thread(cores.ticker, move || {
        let mut sum = 0u64;
        let mut count = 0u64;
        while let Ok(value) = receiver.recv() {
            sum = sum.wrapping_add(value);
            count += 1;
        }
        (count, sum)
    });
    producer.join().expect("producer ran");
    let (count, _) = consumer.join().expect("consumer ran");
    assert_eq!(count, MESSAGES);
    Throughput {
        name: "crossbeam-channel bounded (pinned threads)",
        messages_per_second: MESSAGES as f64 / start.elapsed().as_secs_f64(),
    }
}

fn tokio_throughput() -> Throughput {
    let rt = tokio::runtime::Runtime::new().expect("tokio starts");
    let elapsed = rt.block_on(async {
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<u64>(RING_CAPACITY);
        let start = Instant::now();
        let producer = tokio::spawn(async move {
            for value in 0..MESSAGES {
                sender.send(value).await.expect("consumer there");
            }
        });
        let consumer = tokio::spawn(async move {
            let mut count = 0u64;
            let mut batch = Vec::with_capacity(64);
            while receiver.recv_many(&mut batch, 64).await > 0 {
                count += batch.len() as u64;
                batch.clear();
            }
            count
        });
        producer.await.expect("producer ran");
        assert_eq!(consumer.await.expect("consumer ran"), MESSAGES);
        start.elapsed()
    });
    Throughput {
        name: "tokio mpsc bounded (multi-thread runtime)",
        messages_per_second: MESSAGES as f64 / elapsed.as_secs_f64(),
    }
}

fn ring_round_trips(machine: &Machine) -> Histogram<u64> {
    let cores = cores(machine);
    let rt = runtime(
        machine,
        Plan::builder()
            .partition("a", [cores.noise], Policy::Api)
            .partition("b", [cores.ticker], Policy::Api)
            .fallback(partition::Fallback::Shrink)
            .build(),
    );
    let (mut ping, mut ping_in) = partition::ring::<u64>(RING_CAPACITY);
    let (mut pong_out, mut pong) = partition::ring::<u64>(RING_CAPACITY);
    let echo = rt.partition("b").expect("b").spawn(async move {
        while let Some(value) = ping_in.recv().await {
            pong_out.send(value).await.expect("initiator there");
        }
    });
    let initiator = rt.partition("a").expect("a").spawn(async move {
        let mut latency = histogram();
        for value in 0..ROUND_TRIPS {
            let start = Instant::now();
            ping.send(value).await.expect("echo there");
            let back = pong.recv().await.expect("echo answers");
            debug_assert_eq!(back, value);
            latency.saturating_record(nanos(start.elapsed()));
        }
        latency
    });
    let latency = initiator.join().expect("initiator ran");
    let _ = echo.join();
    rt.shutdown(Duration::from_secs(5));
    latency
}

fn crossbeam_round_trips(machine: &Machine) -> Histogram<u64> {
    let cores = cores(machine);
    let (ping, ping_in) = crossbeam_channel::bounded::<u64>(RING_CAPACITY);
    let (pong_out, pong) = crossbeam_channel::bounded::<u64>(RING_CAPACITY);
    let echo = pinned_thread(cores.ticker, move || {
        while let Ok(value) = ping_in.recv() {
            if pong_out.send(value).is_err() {
                break;
            }
        }
    });
    let initiator = pinned_thread(cores.noise, move || {
        let mut latency = histogram();
        for value in 0..ROUND_TRIPS {
            let start = Instant::now();
            ping.send(value).expect("echo there");
            let _ = pong.recv().expect("echo answers");
            latency.saturating_record(nanos(start.elapsed()));
        }
        latency
    });
    let latency = initiator.join().expect("initiator ran");
    echo.join().expect("echo ran");
    latency
}

fn tokio_round_trips() -> Histogram<u64> {
    let rt = tokio::runtime::Runtime::new().expect("tokio starts");
    rt.block_on(async {
        let (ping, mut ping_in) = tokio::sync::mpsc::channel::<u64>(RING_CAPACITY);
        let (pong_out, mut pong) = tokio::sync::mpsc::channel::<u64>(RING_CAPACITY);
        tokio::spawn(async move {
            while let Some(value) = ping_in.recv().await {
                if pong_out.send(value).await.is_err() {
                    break;
                }
            }
        });
        tokio::spawn(async move {
            let mut latency = histogram();
            for value in 0..ROUND_TRIPS {
                let start = Instant::now();
                ping.send(value).await.expect("echo there");
                let _ = pong.recv().await.expect("echo answers");
                latency.saturating_record(nanos(start.elapsed()));
            }
            latency
        })
        .await
        .expect("initiator ran")
    })
}

fn messaging(machine: &Machine) {
    println!();
    println!(
        "== 2. cross-core messages: {MESSAGES} u64 through a {RING_CAPACITY}-slot bounded queue, producer on one core, consumer on the other"
    );
    let runs = [
        ring_throughput(machine),
        crossbeam_throughput(machine),
        tokio_throughput(),
    ];
    for run in &runs {
        println!(
            "{:<48} {:>8.1} M msgs/s   ring is {:.2}x this",
            run.name,
            run.messages_per_second / 1e6,
            runs[0].messages_per_second / run.messages_per_second
        );
    }
    println!();
    println!(
        "   round trips (ping-pong between the two cores), {ROUND_TRIPS} of them, microseconds"
    );
    let trips = [
        (
            "partition rings (api tasks, two partitions)",
            ring_round_trips(machine),
        ),
        (
            "crossbeam-channel (pinned threads)",
            crossbeam_round_trips(machine),
        ),
        ("tokio mpsc (multi-thread runtime)", tokio_round_trips()),
    ];
    print!("{:<48}", "");
    for (name, _) in QUANTILES {
        print!(" {name:>10}");
    }
    println!(" {:>10}", "max");
    for (name, latency) in &trips {
        print!("{name:<48}");
        for (_, quantile) in QUANTILES {
            print!(" {:>10}", micros(latency.value_at_quantile(quantile)));
        }
        println!(" {:>10}", micros(latency.max()));
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not used here.
    let seconds = std::env::var("PARTITION_BENCH_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(10);
    let machine = Machine::detect().expect("readable machine");
    println!("machine: {machine}");
    // Other processes compete for the same cores; say how busy it was.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!(
            "load average at start (1, 5, 15 min): {}",
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    wakeup_latency(&machine, seconds);
    messaging(&machine);
    println!();
    println!("== what differs on a bigger machine");
    println!(
        "   Here there are {} usable cores, so each side of every comparison has one core and the\n   \
         partitioned runs leave no core to the OS. With more cores, a plan would keep core 0 for\n   \
         the OS, give the ticker and the neighbour several cores each, and tokio's runtime would\n   \
         have as many workers as cores: its ticker would meet the neighbour on every worker, while\n   \
         the partitioned ticker would still see only its own core. Cross-core queues would cross\n   \
         sockets or L3 slices on large machines, where the ring's one cache line per side matters more.",
        machine.usable().len()
    );
}
