//! The broker's metrics in Prometheus' text format: request counts and
//! latencies per API, bytes produced and fetched (counters, so Prometheus
//! derives rates), and, computed when scraped, partition sizes and offsets
//! and each group's lag per partition.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use kafka_protocol::messages::ApiKey;

use crate::groups::Groups;
use crate::protocol::SUPPORTED_APIS;
use crate::storage::Storage;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 9] = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0];

#[derive(Debug, Default)]
struct ApiCounters {
    requests: AtomicU64,
    micros: AtomicU64,
    /// Requests at most as slow as each bucket's bound.
    buckets: [AtomicU64; BUCKETS.len()],
}

/// Counters updated on the request path (atomics: any core may count).
#[derive(Debug, Default)]
pub struct Metrics {
    apis: [ApiCounters; SUPPORTED_APIS.len()],
    produced_bytes: AtomicU64,
    fetched_bytes: AtomicU64,
    refused_requests: AtomicU64,
}

impl Metrics {
    /// Counts a handled request and how long it took.
    pub fn request(&self, api: ApiKey, took: Duration) {
        let Some(index) = SUPPORTED_APIS.iter().position(|(key, _)| *key == api) else {
            return;
        };
        let counters = &self.apis[index];
        counters.requests.fetch_add(1, Ordering::Relaxed);
        counters
            .micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        let seconds = took.as_secs_f64();
        for (bound, count) in BUCKETS.iter().zip(&counters.buckets) {
            if seconds <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Counts a request whose connection was closed instead of answered.
    pub fn refused(&self) {
        self.refused_requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts record bytes stored by Produce.
    pub fn produced(&self, bytes: usize) {
        self.produced_bytes
            .fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// Counts record bytes returned by Fetch.
    pub fn fetched(&self, bytes: usize) {
        self.fetched_bytes
            .fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// The text Prometheus scrapes.
    pub fn render(&self, storage: Option<&Storage>, groups: &Groups) -> String {
        let mut out = String::new();
        self.render_requests(&mut out);
        let counter = |out: &mut String, name: &str, help: &str, value: &AtomicU64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        };
        counter(
            &mut out,
            "slytherin_produced_bytes_total",
            "Record bytes stored by Produce.",
            &self.produced_bytes,
        );
        counter(
            &mut out,
            "slytherin_fetched_bytes_total",
            "Record bytes returned by Fetch.",
            &self.fetched_bytes,
        );
        counter(
            &mut out,
            "slytherin_refused_requests_total",
            "Requests whose connection was closed (malformed, unsupported, timed out).",
            &self.refused_requests,
        );
        if let Some(storage) = storage {
            render_partitions(&mut out, storage, groups);
        }
        out
    }

    fn render_requests(&self, out: &mut String) {
        let _ = writeln!(out, "# HELP slytherin_request_duration_seconds Time from a decoded request to its answer, by API (long polls included).");
        let _ = writeln!(out, "# TYPE slytherin_request_duration_seconds histogram");
        for ((api, _), counters) in SUPPORTED_APIS.iter().zip(&self.apis) {
            let requests = counters.requests.load(Ordering::Relaxed);
            for (bound, count) in BUCKETS.iter().zip(&counters.buckets) {
                let count = count.load(Ordering::Relaxed);
                let _ = writeln!(out, "slytherin_request_duration_seconds_bucket{{api=\"{api:?}\",le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(out, "slytherin_request_duration_seconds_bucket{{api=\"{api:?}\",le=\"+Inf\"}} {requests}");
            let seconds = counters.micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "slytherin_request_duration_seconds_sum{{api=\"{api:?}\"}} {seconds}"
            );
            let _ = writeln!(
                out,
                "slytherin_request_duration_seconds_count{{api=\"{api:?}\"}} {requests}"
            );
        }
    }
}

fn render_partitions(out: &mut String, storage: &Storage, groups: &Groups) {
    let gauges = [
        (
            "slytherin_partition_size_bytes",
            "Bytes of a partition's log on disk.",
        ),
        (
            "slytherin_partition_log_start_offset",
            "A partition's first offset.",
        ),
        (
            "slytherin_partition_log_end_offset",
            "The offset a partition's next record gets.",
        ),
    ];
    for (index, (name, help)) in gauges.iter().enumerate() {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for topic in storage.topics() {
            for partition in 0..topic.partition_count() {
                let Some(log) = topic.partition(partition) else {
                    continue;
                };
                let value = match index {
                    0 => log.size_bytes() as i64,
                    1 => log.log_start_offset(),
                    _ => log.log_end_offset(),
                };
                let _ = writeln!(
                    out,
                    "{name}{{topic=\"{}\",partition=\"{partition}\"}} {value}",
                    topic.name()
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "# HELP slytherin_consumer_lag Records a group has yet to commit, per partition."
    );
    let _ = writeln!(out, "# TYPE slytherin_consumer_lag gauge");
    for commit in groups.all_committed() {
        let (topic, partition) = (&commit.topic, commit.partition);
        let end = u32::try_from(partition)
            .ok()
            .and_then(|p| storage.topic(topic)?.partition(p))
            .map(|log| log.log_end_offset());
        if let Some(end) = end {
            let lag = (end - commit.offset).max(0);
            let group = escape(&commit.group);
            let _ = writeln!(out, "slytherin_consumer_lag{{group=\"{group}\",topic=\"{topic}\",partition=\"{partition}\"}} {lag}");
        }
    }
}

/// A label value as Prometheus' text format needs it (group IDs are any
/// string a client sends).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
