//! The Prometheus text exposition format (0.0.4).

use std::fmt::Write;

use super::{CoreMetrics, MetricsSnapshot, PartitionMetrics};

struct Family {
    name: &'static str,
    help: &'static str,
    kind: &'static str,
    value: fn(&CoreMetrics) -> f64,
}

const FAMILIES: &[Family] = &[
    Family {
        name: "partition_tasks_spawned_total",
        help: "Tasks spawned onto the core.",
        kind: "counter",
        value: |c| c.tasks_spawned as f64,
    },
    Family {
        name: "partition_tasks_completed_total",
        help: "Tasks that ended on the core.",
        kind: "counter",
        value: |c| c.tasks_completed as f64,
    },
    Family {
        name: "partition_tasks_run_total",
        help: "Task polls run by the core.",
        kind: "counter",
        value: |c| c.tasks_run as f64,
    },
    Family {
        name: "partition_queue_depth",
        help: "Tasks ready to run and commands waiting, when last counted.",
        kind: "gauge",
        value: |c| c.queue_depth as f64,
    },
    Family {
        name: "partition_deadline_misses_total",
        help: "Frame slots that overran their budget.",
        kind: "counter",
        value: |c| c.deadline_misses as f64,
    },
    Family {
        name: "partition_busy_seconds_total",
        help: "Time the core spent running tasks and slots.",
        kind: "counter",
        value: |c| c.busy.as_secs_f64(),
    },
    Family {
        name: "partition_panics_total",
        help: "Tasks and slots that panicked.",
        kind: "counter",
        value: |c| c.panics as f64,
    },
    Family {
        name: "partition_frame_cycles_total",
        help: "Frame cycles run.",
        kind: "counter",
        value: |c| c.cycles as f64,
    },
    Family {
        name: "partition_frame_cycles_skipped_total",
        help: "Frame cycles skipped because the core was more than a cycle late.",
        kind: "counter",
        value: |c| c.cycles_skipped as f64,
    },
    Family {
        name: "partition_messages_total",
        help: "Messages handled by ring consumers.",
        kind: "counter",
        value: |c| c.messages as f64,
    },
    Family {
        name: "partition_message_batches_total",
        help: "Batches ring consumers handled.",
        kind: "counter",
        value: |c| c.batches as f64,
    },
    Family {
        name: "partition_connections_accepted_total",
        help: "Connections accepted by the core's listeners.",
        kind: "counter",
        value: |c| c.connections_accepted as f64,
    },
];

fn labels(partition: &PartitionMetrics, core: &CoreMetrics) -> String {
    format!(
        "partition=\"{}\",policy=\"{}\",core=\"{}\"",
        escape(&partition.name),
        partition.policy.name(),
        core.core
    )
}

/// Label values escape backslash, double quote and newline.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub(super) fn render(snapshot: &MetricsSnapshot) -> String {
    let mut out = String::new();
    for family in FAMILIES {
        let _ = writeln!(out, "# HELP {} {}", family.name, family.help);
        let _ = writeln!(out, "# TYPE {} {}", family.name, family.kind);
        for partition in &snapshot.partitions {
            for core in &partition.cores {
                let _ = writeln!(
                    out,
                    "{}{{{}}} {}",
                    family.name,
                    labels(partition, core),
                    (family.value)(core)
                );
            }
        }
    }
    let name = "partition_wakeup_latency_seconds";
    let _ = writeln!(
        out,
        "# HELP {name} From work becoming due (a wake, a spawn, a timer or frame deadline) to its start."
    );
    let _ = writeln!(out, "# TYPE {name} summary");
    for partition in &snapshot.partitions {
        for core in &partition.cores {
            let labels = labels(partition, core);
            let histogram = &core.wakeup_latency;
            for quantile in [0.5, 0.9, 0.99, 0.999, 0.9999] {
                let _ = writeln!(
                    out,
                    "{name}{{{labels},quantile=\"{quantile}\"}} {}",
                    histogram.value_at_quantile(quantile) as f64 / 1e9
                );
            }
            let sum = histogram.mean() * histogram.len() as f64 / 1e9;
            let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
            let _ = writeln!(out, "{name}_count{{{labels}}} {}", histogram.len());
        }
    }
    let name = "partition_slot_deadline_misses_total";
    let _ = writeln!(out, "# HELP {name} Overruns of each frame slot's budget.");
    let _ = writeln!(out, "# TYPE {name} counter");
    for partition in &snapshot.partitions {
        for core in &partition.cores {
            for slot in &core.slots {
                let _ = writeln!(
                    out,
                    "{name}{{{},slot=\"{}\"}} {}",
                    labels(partition, core),
                    escape(&slot.name),
                    slot.misses
                );
            }
        }
    }
    out
}
