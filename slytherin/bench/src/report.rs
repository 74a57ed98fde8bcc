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
    /// One measurement per round; the report shows each figure's median.
    rounds: Vec<Measurement>,
}

impl Row {
    /// Each figure's median over the rounds.
    fn median(&self) -> Measurement {
        fn middle<T: Copy + PartialOrd>(mut values: Vec<T>) -> T {
            values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            values[values.len() / 2]
        }
        let of = |field: fn(&Measurement) -> f64| middle(self.rounds.iter().map(field).collect());
        let of_us =
            |field: fn(&Measurement) -> u64| middle(self.rounds.iter().map(field).collect());
        Measurement {
            produce_per_second: of(|m| m.produce_per_second),
            produce_cpu_ns: (of(|m| m.produce_cpu_ns.0), of(|m| m.produce_cpu_ns.1)),
            consume_per_second: of(|m| m.consume_per_second),
            bytes: self.size,
            p50_us: of_us(|m| m.p50_us),
            p99_us: of_us(|m| m.p99_us),
            p999_us: of_us(|m| m.p999_us),
            max_us: of_us(|m| m.max_us),
        }
    }
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
        match self
            .rows
            .iter_mut()
            .find(|r| r.system == system && r.size == size && r.durability == durability)
        {
            Some(row) => row.rounds.push(measured),
            None => self.rows.push(Row {
                system,
                size,
                durability,
                syncs,
                rounds: vec![measured],
            }),
        }
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
        let rounds = self.rows.first().map_or(0, |r| r.rounds.len());
        writeln!(f, "medians of {rounds} rounds")?;
        for row in &self.rows {
            let m = &row.median();
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
            let peers: Vec<Measurement> = self
                .rows
                .iter()
                .filter(|r| {
                    r.system != System::Slytherin
                        && r.size == ours.size
                        && r.durability == ours.durability
                        && r.syncs == ours.syncs
                })
                .map(Row::median)
                .collect();
            let Some(best_p999) = peers.iter().map(|m| m.p999_us).min() else {
                continue;
            };
            let best =
                |value: fn(&Measurement) -> f64| peers.iter().map(value).fold(f64::NAN, f64::max);
            let m = &ours.median();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(rate: f64, p999_us: u64) -> Measurement {
        Measurement {
            produce_per_second: rate,
            produce_cpu_ns: (1.0, 2.0),
            consume_per_second: rate * 2.0,
            bytes: 100,
            p50_us: 1,
            p99_us: 2,
            p999_us,
            max_us: p999_us * 2,
        }
    }

    #[test]
    fn each_figure_is_the_median_of_the_rounds() {
        let mut report = Report::new("1", "0");
        for (rate, p999) in [(3.0, 900), (1.0, 100), (2.0, 500)] {
            report.add(
                System::Slytherin,
                100,
                Durability::Off,
                false,
                measured(rate, p999),
            );
        }
        report.add(
            System::Redis,
            100,
            Durability::Off,
            false,
            measured(1.0, 1000),
        );
        let median = report.rows[0].median();
        assert_eq!(median.produce_per_second, 2.0);
        assert_eq!(median.p999_us, 500);
        let text = report.to_string();
        assert!(text.contains("medians of 3 rounds"), "{text}");
        assert!(text.contains("produce 2.00x"), "{text}");
        assert!(
            text.contains("p99.9 2.00x lower (500 us vs 1000 us)"),
            "{text}"
        );
    }
}
