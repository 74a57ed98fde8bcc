//! Counters per core and per partition, printable and exportable.

mod prometheus;
mod server;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::core::CoreShared;
use crate::plan::Policy;

pub use server::MetricsServer;

/// One frame slot's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotStats {
    /// The slot's name.
    pub name: Arc<str>,
    /// Its budget per cycle.
    pub budget: Duration,
    /// How many cycles it ran in.
    pub runs: u64,
    /// How many times it overran its budget.
    pub misses: u64,
    /// Its longest run.
    pub worst: Duration,
}

/// A frame slot that overran its budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlineMiss {
    /// The slot's name.
    pub slot: Arc<str>,
    /// The cycle it overran in.
    pub cycle: u64,
    /// Its budget.
    pub budget: Duration,
    /// How long it ran.
    pub took: Duration,
}

impl fmt::Display for DeadlineMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "slot `{}` overran its {:?} budget in cycle {}: it took {:?}",
            self.slot, self.budget, self.cycle, self.took
        )
    }
}

/// One core's counters at the moment of the snapshot.
#[derive(Clone, Debug)]
pub struct CoreMetrics {
    /// The core number.
    pub core: usize,
    /// The core thread's Linux thread id.
    pub thread_id: i32,
    /// Tasks spawned onto it.
    pub tasks_spawned: u64,
    /// Tasks that ended.
    pub tasks_completed: u64,
    /// Task polls run.
    pub tasks_run: u64,
    /// Tasks ready or commands waiting, when last counted.
    pub queue_depth: u64,
    /// Frame slots that overran their budget.
    pub deadline_misses: u64,
    /// Time spent running tasks and slots.
    pub busy: Duration,
    /// Tasks and slots that panicked.
    pub panics: u64,
    /// Frame cycles run.
    pub cycles: u64,
    /// Frame cycles skipped because the core was more than a cycle late.
    pub cycles_skipped: u64,
    /// Messages handled by ring consumers.
    pub messages: u64,
    /// Batches those messages came in.
    pub batches: u64,
    /// Connections accepted by this core's listeners.
    pub connections_accepted: u64,
    /// Times the core woke from sleep.
    pub wakeups: u64,
    /// From work becoming due (a wake, a spawn, a timer or frame deadline)
    /// to its start, in nanoseconds.
    pub wakeup_latency: Histogram<u64>,
    /// Frame slots (frame policy only).
    pub slots: Vec<SlotStats>,
    /// The last deadline misses (at most 32).
    pub recent_misses: Vec<DeadlineMiss>,
}

impl CoreMetrics {
    pub(crate) fn read(shared: &CoreShared) -> Self {
        let c = &shared.counters;
        let (wakeup_latency, slots, recent_misses) = match shared.published.lock() {
            Ok(published) => (
                published.latency.clone(),
                published.slots.clone(),
                published.recent_misses.iter().cloned().collect(),
            ),
            Err(poisoned) => {
                let published = poisoned.into_inner();
                (
                    published.latency.clone(),
                    published.slots.clone(),
                    published.recent_misses.iter().cloned().collect(),
                )
            }
        };
        CoreMetrics {
            core: shared.core,
            thread_id: shared.thread_id.load(std::sync::atomic::Ordering::Relaxed),
            tasks_spawned: c.spawned.get(),
            tasks_completed: c.completed.get(),
            tasks_run: c.polls.get(),
            queue_depth: c.queue_depth.get(),
            deadline_misses: c.deadline_misses.get(),
            busy: Duration::from_nanos(c.busy_nanos.get()),
            panics: c.panics.get(),
            cycles: c.cycles.get(),
            cycles_skipped: c.cycles_skipped.get(),
            messages: c.messages.get(),
            batches: c.batches.get(),
            connections_accepted: c.accepted.get(),
            wakeups: c.wakeups.get(),
            wakeup_latency,
            slots,
            recent_misses,
        }
    }
}

/// One partition's cores.
#[derive(Clone, Debug)]
pub struct PartitionMetrics {
    /// The partition's name.
    pub name: Arc<str>,
    /// Its policy.
    pub policy: Policy,
    /// Its cores, in plan order.
    pub cores: Vec<CoreMetrics>,
}

impl PartitionMetrics {
    /// A counter summed over the partition's cores.
    pub fn total(&self, counter: impl Fn(&CoreMetrics) -> u64) -> u64 {
        self.cores.iter().map(counter).sum()
    }

    /// The wake-up latency of all its cores together.
    pub fn wakeup_latency(&self) -> Histogram<u64> {
        let mut all = crate::core::counters::new_histogram();
        for core in &self.cores {
            // Same bounds everywhere, so adding cannot fail.
            let _ = all.add(&core.wakeup_latency);
        }
        all
    }
}

/// Every partition's counters, from [`Runtime::metrics`](crate::Runtime::metrics).
#[derive(Clone, Debug)]
pub struct MetricsSnapshot {
    /// The partitions, in plan order.
    pub partitions: Vec<PartitionMetrics>,
}

impl MetricsSnapshot {
    /// The partition of this name.
    pub fn partition(&self, name: &str) -> Option<&PartitionMetrics> {
        self.partitions.iter().find(|p| &*p.name == name)
    }

    /// The snapshot in Prometheus's text exposition format (version 0.0.4).
    pub fn to_prometheus(&self) -> String {
        prometheus::render(self)
    }
}

fn micros(nanos: u64) -> String {
    format!("{:.1}us", nanos as f64 / 1000.0)
}

impl fmt::Display for MetricsSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<12} {:>4} {:>10} {:>10} {:>6} {:>7} {:>10} {:>10} {:>10} {:>10}",
            "partition",
            "core",
            "tasks run",
            "completed",
            "queue",
            "misses",
            "busy",
            "wake p50",
            "wake p99",
            "wake max"
        )?;
        for partition in &self.partitions {
            for core in &partition.cores {
                let latency = &core.wakeup_latency;
                writeln!(
                    f,
                    "{:<12} {:>4} {:>10} {:>10} {:>6} {:>7} {:>10} {:>10} {:>10} {:>10}",
                    partition.name,
                    core.core,
                    core.tasks_run,
                    core.tasks_completed,
                    core.queue_depth,
                    core.deadline_misses,
                    format!("{:.1?}", core.busy),
                    micros(latency.value_at_quantile(0.5)),
                    micros(latency.value_at_quantile(0.99)),
                    micros(latency.max()),
                )?;
                let mut extras = Vec::new();
                if matches!(partition.policy, Policy::Frame { .. }) {
                    extras.push(format!(
                        "{} cycles ({} skipped)",
                        core.cycles, core.cycles_skipped
                    ));
                }
                if core.messages > 0 {
                    extras.push(format!(
                        "{} messages in {} batches",
                        core.messages, core.batches
                    ));
                }
                if core.connections_accepted > 0 {
                    extras.push(format!(
                        "{} connections accepted",
                        core.connections_accepted
                    ));
                }
                if core.panics > 0 {
                    extras.push(format!("{} panics", core.panics));
                }
                if !extras.is_empty() {
                    writeln!(f, "{:<12} {:>4}   {}", "", "", extras.join(", "))?;
                }
                for slot in &core.slots {
                    writeln!(
                        f,
                        "{:<12} {:>4}   slot `{}`: budget {:?}, {} runs, {} misses, worst {:?}",
                        "", "", slot.name, slot.budget, slot.runs, slot.misses, slot.worst
                    )?;
                }
                for miss in &core.recent_misses {
                    writeln!(f, "{:<12} {:>4}   missed: {miss}", "", "")?;
                }
            }
        }
        Ok(())
    }
}
