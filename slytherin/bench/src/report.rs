//! The table the benchmark prints, and the ratios the broker's targets are
//! stated in (throughput against the best peer, p99.9 against the best
//! peer's).

use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::drive::Workload;
use crate::{Durability, System};

/// What one system did in one configuration.
#[derive(Debug, Clone, Copy)]
pub struct Measurement {
    produce_per_second: f64,
    /// Server and load-generator CPU time per produced message, in ns.
    produce_cpu_ns: (f64, f64),
    consume_per_second: f64,
    bytes: usize,
    p50_us: u64,
    p99_us: u64,
    p999_us: u64,
    max_us: u64,
}

impl Measurement {
    /// Rates from the run's durations (the produce run's with the CPU time
    /// the server and the load generator spent on it), percentiles from
    /// its latencies.
    pub fn new(
        workload: Workload,
        (produce, (server_cpu, client_cpu)): (Duration, (Duration, Duration)),
        consume: Duration,
        latencies: &Histogram<u64>,
    ) -> Self {
        let messages = workload.messages as f64;
        Measurement {
            produce_per_second: messages / produce.as_secs_f64(),
            produce_cpu_ns: (
                server_cpu.as_nanos() as f64 / messages,
                client_cpu.as_nanos() as f64 / messages,
            ),
            consume_per_second: messages / consume.as_secs_f64(),
            bytes: workload.size,
            p50_us: latencies.value_at_quantile(0.5),
            p99_us: latencies.value_at_quantile(0.99),
            p999_us: latencies.value_at_quantile(0.999),
            max_us: latencies.max(),
        }
    }

    fn megabytes(&self, per_second: f64) -> f64 {
        per_second * self.bytes as f64 / 1e6
    }
}

/// One system in one configuration.
#[derive(Debug)]
struct Row {
    system: System,
    size: usize,
    durability: Durability,
    /// Whether the server really synced each acknowledged write.
    syncs: bool,
    measured: Measurement,
}

/// Every measurement of a run.
#[derive(Debug)]
pub struct Report {
    rows: Vec<Row>,
    server_cores: String,
    client_cores: String,
}

impl Report {
    /// An empty report of a run with this core placement.
    pub fn new(server_cores: &str, client_cores: &str) -> Self {
        Report {
            rows: Vec::new(),
            server_cores: server_cores.to_owned(),
            client_cores: client_cores.to_owned(),
        }
    }

    /// Adds one system's measurement; `syncs` says whether it really
    /// synced each acknowledged write (with fsync on, a peer that could not
    /// is shown but left out of the ratios).
    pub fn add(
        &mut self,
        system: System,
        size: usize,
        durability: Durability,
        syncs: bool,
        measured: Measurement,
    ) {
        self.rows.push(Row {
            system,
            size,
            durability,
            syncs,
            measured,
        });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "servers on cores {}, load generator on cores {}; latency from when each message was due;\nsrv ns / gen ns: CPU time per produced message of the server / the load generator",
            self.server_cores, self.client_cores
        )?;
        writeln!(
            f,
            "{:<15} {:>6} {:>5} {:>12} {:>9} {:>8} {:>8} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "system",
            "bytes",
            "fsync",
            "produce/s",
            "MB/s",
            "srv ns",
            "gen ns",
            "consume/s",
            "MB/s",
            "p50 us",
            "p99 us",
            "p99.9 us",
            "max us"
        )?;
        for row in &self.rows {
            let m = &row.measured;
            let fsync = match (row.durability, row.syncs) {
                (Durability::Off, _) => "off",
                (Durability::On, true) => "on",
                (Durability::On, false) => "on*",
            };
            writeln!(
                f,
                "{:<15} {:>6} {:>5} {:>12.0} {:>9.1} {:>8.0} {:>8.0} {:>12.0} {:>9.1} {:>9} {:>9} {:>9} {:>9}",
                row.system.to_string(),
                row.size,
                fsync,
                m.produce_per_second,
                m.megabytes(m.produce_per_second),
                m.produce_cpu_ns.0,
                m.produce_cpu_ns.1,
                m.consume_per_second,
                m.megabytes(m.consume_per_second),
                m.p50_us,
                m.p99_us,
                m.p999_us,
                m.max_us
            )?;
        }
        if self
            .rows
            .iter()
            .any(|r| r.durability == Durability::On && !r.syncs)
        {
            writeln!(
                f,
                "on*: this server cannot sync each write (nats-server before 2.10); shown, but not compared"
            )?;
        }
        for ours in self.rows.iter().filter(|r| r.system == System::Slytherin) {
            let peers: Vec<&Measurement> = self
                .rows
                .iter()
                .filter(|r| {
                    r.system != System::Slytherin
                        && r.size == ours.size
                        && r.durability == ours.durability
                        && r.syncs == ours.syncs
                })
                .map(|r| &r.measured)
                .collect();
            let Some(best_p999) = peers.iter().map(|m| m.p999_us).min() else {
                continue;
            };
            let best = |value: fn(&Measurement) -> f64| {
                peers.iter().map(|m| value(m)).fold(f64::NAN, f64::max)
            };
            let m = &ours.measured;
            writeln!(
                f,
                "ratio {} B fsync {}: produce {:.2}x, consume {:.2}x the best peer; p99.9 {:.2}x lower ({} us vs {} us)",
                ours.size,
                format!("{:?}", ours.durability).to_lowercase(),
                m.produce_per_second / best(|m| m.produce_per_second),
                m.consume_per_second / best(|m| m.consume_per_second),
                best_p999 as f64 / m.p999_us.max(1) as f64,
                m.p999_us,
                best_p999
            )?;
        }
        Ok(())
    }
}
