//! The partition plan: which cores each partition gets and how it schedules.
//!
//! A [`Plan`] is only a wish; [`Plan::validate`] holds it against a
//! [`Machine`](crate::Machine) and gives the [`ValidatedPlan`] a runtime
//! starts from.

mod error;
mod from_toml;
mod validate;

use std::fmt;
use std::time::Duration;

use crate::cores::CoreSet;

pub use error::{Location, PlanError};
pub use validate::{ValidatedPartition, ValidatedPlan};

/// How a partition's cores order their work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Run-to-completion FIFO for request/response latency: a task that has
    /// started runs again before a new one starts, and new tasks start in
    /// the order they came.
    Api,
    /// Batch-aware for throughput at bounded latency: message consumers are
    /// handed up to `batch_budget` messages at a time, and each core polls
    /// at most `batch_budget` tasks between looks at the network.
    Messaging {
        /// The most messages (or task polls) handled in one go.
        batch_budget: usize,
    },
    /// A cyclic executive for UI frames and control loops: slots run in a
    /// fixed order once per `cycle`; a slot that overruns its budget is a
    /// deadline miss, counted and reported with the slot's name.
    Frame {
        /// The length of one cycle.
        cycle: Duration,
    },
    /// Background work that yields to the others: its threads run under
    /// Linux's `SCHED_IDLE`, so any other runnable thread on the core goes
    /// first, and tasks take turns in short slices.
    Batch,
}

impl Policy {
    /// The messaging batch budget when none is given.
    pub const DEFAULT_BATCH_BUDGET: usize = 64;

    /// The `messaging` policy with the default batch budget.
    pub fn messaging() -> Self {
        Policy::Messaging {
            batch_budget: Self::DEFAULT_BATCH_BUDGET,
        }
    }

    /// The `frame` policy with this cycle length.
    pub fn frame(cycle: Duration) -> Self {
        Policy::Frame { cycle }
    }

    /// The policy's name as plans write it.
    pub fn name(&self) -> &'static str {
        match self {
            Policy::Api => "api",
            Policy::Messaging { .. } => "messaging",
            Policy::Frame { .. } => "frame",
            Policy::Batch => "batch",
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::Messaging { batch_budget } => write!(f, "messaging (batch {batch_budget})"),
            Policy::Frame { cycle } => write!(f, "frame (cycle {cycle:?})"),
            other => f.write_str(other.name()),
        }
    }
}

/// What to do when the machine has fewer usable cores than the plan names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fallback {
    /// Refuse the plan, naming the cores that are missing and those there are.
    #[default]
    Fail,
    /// Run anyway: partitions whose cores are missing move to usable cores,
    /// sharing them with other partitions if need be, and the validated plan
    /// carries a warning for each move (the runtime prints them at start).
    Shrink,
}

/// One partition as the plan asks for it.
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionSpec {
    /// The partition's name, unique in its plan.
    pub name: String,
    /// The cores it asks for.
    pub cores: CoreSet,
    /// How its cores schedule.
    pub policy: Policy,
    /// Run its threads under `SCHED_FIFO` at this priority (1-99), ahead of
    /// every ordinary thread of the machine; `None` for ordinary threads.
    pub realtime_priority: Option<u8>,
    /// Where a TOML plan declared it.
    pub location: Option<Location>,
}

/// A partition plan: named partitions, each a set of cores with a policy,
/// and the cores left to the operating system.
///
/// ```
/// use partition::{Machine, Plan, Policy};
///
/// let plan = Plan::builder()
///     .system_cores([0])
///     .partition("app", 1..=3, Policy::Api)
///     .build();
/// let machine = Machine::new(0..4, 0..4);
/// let validated = plan.validate(&machine).expect("the plan fits");
/// assert_eq!(validated.partition("app").expect("declared").cores(), &[1, 2, 3]);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// The partitions, in the order they were declared.
    pub partitions: Vec<PartitionSpec>,
    /// Cores no partition may take (left to the operating system).
    pub system: CoreSet,
    /// What to do when cores are missing.
    pub fallback: Fallback,
}

impl Plan {
    /// Starts a plan in code.
    pub fn builder() -> PlanBuilder {
        PlanBuilder::default()
    }

    /// The plan a program without one gets: one `api` partition named
    /// `main` on every usable core of `machine`.
    pub fn default_for(machine: &crate::Machine) -> Plan {
        Plan::builder()
            .partition("main", machine.usable(), Policy::Api)
            .build()
    }

    /// Reads a plan from TOML text; errors carry line and column.
    ///
    /// ```toml
    /// fallback = "shrink"   # optional; "fail" when absent
    /// system = "0"          # optional: cores left to the OS
    ///
    /// [[partition]]
    /// name = "app"
    /// cores = "1-3"         # or [1, 2, 3]
    /// policy = "api"
    ///
    /// [[partition]]
    /// name = "ui"
    /// cores = [4]
    /// policy = "frame"
    /// cycle = "16ms"        # frame only
    ///
    /// [[partition]]
    /// name = "bus"
    /// cores = "5"
    /// policy = "messaging"
    /// batch = 128           # messaging only; 64 when absent
    /// realtime_priority = 10  # optional, any policy but batch: SCHED_FIFO 1-99
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Plan, PlanError> {
        from_toml::parse(text, None)
    }

    /// Reads a plan from a TOML file; errors carry the file, line and column.
    pub fn from_toml_file(path: impl AsRef<std::path::Path>) -> Result<Plan, PlanError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| PlanError::Unreadable {
            path: path.display().to_string(),
            message: error.to_string(),
        })?;
        from_toml::parse(&text, Some(path.display().to_string()))
    }

    /// Holds the plan against `machine`: every core must be online and
    /// allowed, partitions must not overlap each other or the system cores,
    /// and none may be empty. With [`Fallback::Shrink`], missing cores are
    /// replaced (with warnings) instead of refused.
    pub fn validate(&self, machine: &crate::Machine) -> Result<ValidatedPlan, PlanError> {
        validate::validate(self, machine)
    }
}

/// Builds a [`Plan`] in code; see [`Plan::builder`].
#[derive(Default)]
pub struct PlanBuilder {
    plan: Plan,
}

impl PlanBuilder {
    /// Adds a partition.
    pub fn partition(
        mut self,
        name: impl Into<String>,
        cores: impl Into<CoreSet>,
        policy: Policy,
    ) -> Self {
        self.plan.partitions.push(PartitionSpec {
            name: name.into(),
            cores: cores.into(),
            policy,
            realtime_priority: None,
            location: None,
        });
        self
    }

    /// Runs the partition added last under `SCHED_FIFO` at `priority`
    /// (1-99), so no ordinary thread of the machine (another process, the
    /// OS's housekeeping) preempts it: for frame and control loops. It
    /// needs `CAP_SYS_NICE` (or root); without it the runtime refuses to
    /// start rather than run without the guarantee. The kernel still keeps
    /// 5% of each second for ordinary threads (`sched_rt_runtime_us`).
    pub fn realtime_priority(mut self, priority: u8) -> Self {
        if let Some(last) = self.plan.partitions.last_mut() {
            last.realtime_priority = Some(priority);
        }
        self
    }

    /// Leaves these cores to the operating system.
    pub fn system_cores(mut self, cores: impl Into<CoreSet>) -> Self {
        self.plan.system = cores.into();
        self
    }

    /// Chooses what happens when cores are missing.
    pub fn fallback(mut self, fallback: Fallback) -> Self {
        self.plan.fallback = fallback;
        self
    }

    /// The plan, not yet validated.
    pub fn build(self) -> Plan {
        self.plan
    }
}
