//! What shutdown finished, stopped and cut.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What one core did during shutdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreShutdown {
    /// The partition.
    pub partition: Arc<str>,
    /// The core.
    pub core: usize,
    /// Tasks that finished between the start of shutdown and the deadline.
    pub finished: usize,
    /// Tasks still running at the deadline and dropped, by name
    /// (`unnamed task` for tasks spawned without one).
    pub cut: Vec<Arc<str>>,
    /// Tasks spawned after shutdown began, which never ran.
    pub refused: usize,
    /// Listening sockets closed (one per listener on this core).
    pub listeners_closed: usize,
    /// Frame slots stopped (a cyclic slot never finishes by itself).
    pub slots_stopped: Vec<Arc<str>>,
}

impl CoreShutdown {
    pub(crate) fn new(partition: Arc<str>, core: usize) -> Self {
        CoreShutdown {
            partition,
            core,
            finished: 0,
            cut: Vec::new(),
            refused: 0,
            listeners_closed: 0,
            slots_stopped: Vec::new(),
        }
    }
}

/// The outcome of [`Runtime::shutdown`](crate::Runtime::shutdown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Each core's part, in plan order.
    pub cores: Vec<CoreShutdown>,
    /// How long shutdown took.
    pub took: Duration,
    /// The deadline it was given.
    pub deadline: Duration,
}

impl ShutdownReport {
    /// Tasks that finished within the deadline, on every core.
    pub fn finished(&self) -> usize {
        self.cores.iter().map(|core| core.finished).sum()
    }

    /// Every task cut at the deadline, as (partition, core, task name).
    pub fn cut(&self) -> Vec<(Arc<str>, usize, Arc<str>)> {
        self.cores
            .iter()
            .flat_map(|core| {
                core.cut
                    .iter()
                    .map(|name| (Arc::clone(&core.partition), core.core, Arc::clone(name)))
            })
            .collect()
    }

    /// Whether every task finished in time.
    pub fn is_clean(&self) -> bool {
        self.cores.iter().all(|core| core.cut.is_empty())
    }
}

impl fmt::Display for ShutdownReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cut = self.cut();
        writeln!(
            f,
            "shutdown took {:?} (deadline {:?}): {} tasks finished, {} cut",
            self.took,
            self.deadline,
            self.finished(),
            cut.len()
        )?;
        for core in &self.cores {
            let stopped: Vec<&str> = core.slots_stopped.iter().map(|s| &**s).collect();
            writeln!(
                f,
                "  {}/core {}: {} finished, {} cut, {} refused, {} listeners closed{}",
                core.partition,
                core.core,
                core.finished,
                core.cut.len(),
                core.refused,
                core.listeners_closed,
                if stopped.is_empty() {
                    String::new()
                } else {
                    format!(", slots stopped: {}", stopped.join(", "))
                }
            )?;
        }
        for (partition, core, task) in cut {
            writeln!(f, "  cut: `{task}` on {partition}/core {core}")?;
        }
        Ok(())
    }
}
