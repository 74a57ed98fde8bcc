//! The table the benchmark prints, and the ratios the broker's targets are
//! stated in (throughput against the best peer, p99.9 against the best
//! peer's).

use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::drive::Workload;
use crate::stalls::{Stalls, STALL};
use crate::{Durability, System};

/// What one system did in one configuration.
#[derive(Debug, Clone)]
pub struct Measurement {
    produce_per_second: f64,
    /// Server and load-generator CPU time per produced message, in ns.
    produce_cpu_ns: (f64, f64),
    consume_per_second: f64,
    /// End-to-end latencies of the latency run, in microseconds.
    latencies: Histogram<u64>,
    /// The machine's own stalls during the latency run.
    stalls: Stalls,
}

impl Measurement {
    /// Rates from the run's durations (the produce run's with the CPU time
    /// the server and the load generator spent on it), and the latency
    /// run's latencies with the stalls the machine had meanwhile.
    pub fn new(
        workload: Workload,
        (produce, (server_cpu, client_cpu)): (Duration, (Duration, Duration)),
        consume: Duration,
        latencies: Histogram<u64>,
        stalls: Stalls,
    ) -> Self {
        let messages = workload.messages as f64;
        Measurement {
            produce_per_second: messages / produce.as_secs_f64(),
            produce_cpu_ns: (
                server_cpu.as_nanos() as f64 / messages,
                client_cpu.as_nanos() as f64 / messages,
            ),
            consume_per_second: messages / consume.as_secs_f64(),
            latencies,
            stalls,
        }
    }

    fn p999_us(&self) -> u64 {
        self.latencies.value_at_quantile(0.999)
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
    /// One measurement per round.
    rounds: Vec<Measurement>,
}

/// A row's figures over all its rounds.
struct Summary {
    produce_per_second: f64,
    produce_cpu_ns: (f64, f64),
    consume_per_second: f64,
    /// Every round's latencies together.
    latencies: Histogram<u64>,
    stalls: Stalls,
}

impl Summary {
    fn p999_us(&self) -> u64 {
        self.latencies.value_at_quantile(0.999)
    }
}

impl Row {
    /// Throughput as each figure's median over the rounds; latency
    /// percentiles over every round's messages together (a p99.9 of one
    /// round rests on few samples); the stalls of all rounds.
    fn summary(&self) -> Summary {
        fn middle(mut values: Vec<f64>) -> f64 {
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        }
        let of = |field: fn(&Measurement) -> f64| middle(self.rounds.iter().map(field).collect());
        let mut latencies = self.rounds[0].latencies.clone();
        for round in &self.rounds[1..] {
            // Both histograms share their bounds, so adding cannot fail.
            let _ = latencies.add(&round.latencies);
        }
        Summary {
            produce_per_second: of(|m| m.produce_per_second),
            produce_cpu_ns: (of(|m| m.produce_cpu_ns.0), of(|m| m.produce_cpu_ns.1)),
            consume_per_second: of(|m| m.consume_per_second),
            latencies,
            stalls: self
                .rounds
                .iter()
                .fold(Stalls::default(), |all, m| all.merge(m.stalls)),
        }
    }

    fn megabytes(&self, per_second: f64) -> f64 {
        per_second * self.size as f64 / 1e6
    }

    /// Each round's p99.9, in rounds' order.
    fn round_p999s(&self) -> String {
        let each: Vec<String> = self
            .rounds
            .iter()
            .map(|m| m.p999_us().to_string())
            .collect();
        each.join("/")
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
        let rounds = self.rows.first().map_or(0, |r| r.rounds.len());
        writeln!(
            f,
            "servers on cores {}, load generator on cores {}; latency from when each message was due;\n\
             srv ns / gen ns: CPU time per produced message of the server / the load generator;\n\
             throughput: medians of {rounds} rounds; latency: percentiles of all {rounds} rounds' messages together;\n\
             stalls: times a probe sleeping 1 ms at a time on those cores woke {} ms or more late during the latency runs\n\
             (the machine stopping a core, or a core too busy to run the probe; the longest in ms)",
            self.server_cores,
            self.client_cores,
            STALL.as_millis()
        )?;
        writeln!(
            f,
            "{:<15} {:>6} {:>5} {:>12} {:>9} {:>8} {:>8} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>8}",
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
            "max us",
            "stalls",
            "longest"
        )?;
        for row in &self.rows {
            let m = row.summary();
            let fsync = match (row.durability, row.syncs) {
                (Durability::Off, _) => "off",
                (Durability::On, true) => "on",
                (Durability::On, false) => "on*",
            };
            writeln!(
                f,
                "{:<15} {:>6} {:>5} {:>12.0} {:>9.1} {:>8.0} {:>8.0} {:>12.0} {:>9.1} {:>9} {:>9} {:>9} {:>9} {:>7} {:>8.1}",
                row.system.to_string(),
                row.size,
                fsync,
                m.produce_per_second,
                row.megabytes(m.produce_per_second),
                m.produce_cpu_ns.0,
                m.produce_cpu_ns.1,
                m.consume_per_second,
                row.megabytes(m.consume_per_second),
                m.latencies.value_at_quantile(0.5),
                m.latencies.value_at_quantile(0.99),
                m.p999_us(),
                m.latencies.max(),
                m.stalls.count,
                m.stalls.longest_us as f64 / 1000.0
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
            let peers: Vec<(&Row, Summary)> = self
                .rows
                .iter()
                .filter(|r| {
                    r.system != System::Slytherin
                        && r.size == ours.size
                        && r.durability == ours.durability
                        && r.syncs == ours.syncs
                })
                .map(|r| (r, r.summary()))
                .collect();
            let Some((best_tail, best_tail_summary)) =
                peers.iter().min_by_key(|(_, summary)| summary.p999_us())
            else {
                continue;
            };
            let best = |value: fn(&Summary) -> f64| {
                peers
                    .iter()
                    .map(|(_, summary)| value(summary))
                    .fold(f64::NAN, f64::max)
            };
            let m = ours.summary();
            writeln!(
                f,
                "ratio {} B fsync {}: produce {:.2}x, consume {:.2}x the best peer; p99.9 {:.2}x lower ({} us vs {}'s {} us; rounds {} vs {})",
                ours.size,
                format!("{:?}", ours.durability).to_lowercase(),
                m.produce_per_second / best(|m| m.produce_per_second),
                m.consume_per_second / best(|m| m.consume_per_second),
                best_tail_summary.p999_us() as f64 / m.p999_us().max(1) as f64,
                m.p999_us(),
                best_tail.system,
                best_tail_summary.p999_us(),
                ours.round_p999s(),
                best_tail.round_p999s(),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A round of 1,000 messages, `slow` of them at 1 ms and the rest at
    /// 100 us, with the machine stalled `stalls` times.
    fn measured(rate: f64, slow: u64, stalls: u64) -> Measurement {
        let mut latencies = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
        latencies.record_n(100, 1_000 - slow).expect("in bounds");
        latencies.record_n(1_000, slow).expect("in bounds");
        Measurement {
            produce_per_second: rate,
            produce_cpu_ns: (1.0, 2.0),
            consume_per_second: rate * 2.0,
            latencies,
            stalls: Stalls {
                count: stalls,
                longest_us: 6_000 * stalls,
            },
        }
    }

    #[test]
    fn throughput_is_the_median_and_latency_pools_every_round() {
        let mut report = Report::new("1", "0");
        for (rate, slow) in [(3.0, 2), (1.0, 0), (2.0, 0)] {
            report.add(
                System::Slytherin,
                100,
                Durability::Off,
                false,
                measured(rate, slow, 1),
            );
        }
        report.add(
            System::Redis,
            100,
            Durability::Off,
            false,
            measured(1.0, 5, 0),
        );
        let ours = report.rows[0].summary();
        assert_eq!(ours.produce_per_second, 2.0);
        // One round alone has a 1 ms p99.9; of the 3,000 messages together
        // only 2 are slow.
        assert_eq!(ours.p999_us(), 100);
        assert_eq!(ours.stalls.count, 3);
        assert_eq!(ours.stalls.longest_us, 6_000);
        let text = report.to_string();
        assert!(text.contains("medians of 3 rounds"), "{text}");
        assert!(text.contains("produce 2.00x"), "{text}");
        assert!(
            text.contains(
                "p99.9 10.00x lower (100 us vs redis-streams's 1000 us; rounds 1000/100/100 vs 1000)"
            ),
            "{text}"
        );
    }
}
