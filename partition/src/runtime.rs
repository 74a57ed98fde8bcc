//! Starting the cores of a validated plan, and stopping them.

use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use crate::core::{Command, CoreLoop, CoreShared};
use crate::cores::CoreSet;
use crate::handle::{Partition, PartitionShared};
use crate::machine::{pin_current_thread, Machine};
use crate::metrics::{CoreMetrics, MetricsServer, MetricsSnapshot, PartitionMetrics};
use crate::plan::{Plan, PlanError, Policy, ValidatedPlan};
use crate::shutdown::{CoreShutdown, ShutdownReport};

/// Why a runtime did not start.
#[derive(Debug)]
pub enum StartError {
    /// The machine could not be read.
    Machine(io::Error),
    /// The plan does not fit the machine.
    Plan(PlanError),
    /// A core thread could not be set up (pinned, or given its reactor).
    Core {
        /// The partition.
        partition: String,
        /// The core.
        core: usize,
        /// What failed.
        error: io::Error,
    },
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Machine(error) => write!(f, "cannot read this machine's cores: {error}"),
            StartError::Plan(error) => write!(f, "{error}"),
            StartError::Core {
                partition,
                core,
                error,
            } => write!(
                f,
                "cannot start partition `{partition}` on core {core}: {error}"
            ),
        }
    }
}

impl std::error::Error for StartError {}

impl From<PlanError> for StartError {
    fn from(error: PlanError) -> Self {
        StartError::Plan(error)
    }
}

/// A running partition plan: one pinned thread per core of every partition.
///
/// ```
/// use partition::{Machine, Plan, Policy, Runtime};
/// use std::time::Duration;
///
/// let machine = Machine::detect().expect("readable");
/// let core = machine.usable().iter().next().expect("a usable core");
/// let plan = Plan::builder().partition("app", [core], Policy::Api).build();
/// let runtime = Runtime::start(plan.validate(&machine).expect("fits")).expect("starts");
/// let answer = runtime.partition("app").expect("declared").run(|| 6 * 7);
/// assert_eq!(answer.join(), Ok(42));
/// let report = runtime.shutdown(Duration::from_secs(5));
/// assert!(report.is_clean());
/// ```
pub struct Runtime {
    partitions: Vec<Partition>,
    cores: Vec<(Arc<CoreShared>, thread::JoinHandle<CoreShutdown>)>,
    closed: Arc<AtomicBool>,
    warnings: Vec<String>,
}

impl Runtime {
    /// Starts one pinned thread per core of every partition, and waits
    /// until each has its executor running. Prints the plan's `shrink`
    /// warnings, if any, to standard error.
    pub fn start(plan: ValidatedPlan) -> Result<Runtime, StartError> {
        for warning in plan.warnings() {
            eprintln!("partition: warning: {warning}");
        }
        let closed = Arc::new(AtomicBool::new(false));
        let (ready_sender, ready) = mpsc::channel();
        let mut runtime = Runtime {
            partitions: Vec::new(),
            cores: Vec::new(),
            closed: Arc::clone(&closed),
            warnings: plan.warnings().to_vec(),
        };
        for spec in plan.partitions() {
            let name: Arc<str> = Arc::from(spec.name());
            let mut shared_cores = Vec::new();
            for &core in spec.cores() {
                let shared = Arc::new(CoreShared::new(
                    Arc::clone(&name),
                    spec.policy(),
                    core,
                    spec.shares_cores(),
                    spec.realtime_priority(),
                ));
                let thread =
                    spawn_core(Arc::clone(&shared), ready_sender.clone()).map_err(|error| {
                        StartError::Core {
                            partition: spec.name().to_string(),
                            core,
                            error,
                        }
                    })?;
                runtime.cores.push((Arc::clone(&shared), thread));
                shared_cores.push(shared);
            }
            runtime.partitions.push(Partition::new(PartitionShared::new(
                name,
                spec.policy(),
                shared_cores,
                Arc::clone(&closed),
            )));
        }
        drop(ready_sender);
        for _ in 0..runtime.cores.len() {
            match ready.recv() {
                Ok(Ok(())) => {}
                Ok(Err((partition, core, error))) => {
                    return Err(StartError::Core {
                        partition: partition.to_string(),
                        core,
                        error,
                    })
                }
                Err(_) => {
                    return Err(StartError::Core {
                        partition: String::new(),
                        core: 0,
                        error: io::Error::other("a core thread ended while starting"),
                    })
                }
            }
        }
        Ok(runtime)
    }

    /// Starts the default plan: one `api` partition named `main` on every
    /// usable core of this machine. What a program without a plan gets.
    pub fn start_default() -> Result<Runtime, StartError> {
        let machine = Machine::detect().map_err(StartError::Machine)?;
        Runtime::start(Plan::default_for(&machine).validate(&machine)?)
    }

    /// Reads a TOML plan, validates it against this machine and starts it.
    pub fn start_from_toml_file(path: impl AsRef<std::path::Path>) -> Result<Runtime, StartError> {
        let machine = Machine::detect().map_err(StartError::Machine)?;
        Runtime::start(Plan::from_toml_file(path)?.validate(&machine)?)
    }

    /// The partition of this name; the error names the partitions there are.
    pub fn partition(&self, name: &str) -> Result<Partition, UnknownPartition> {
        self.partitions
            .iter()
            .find(|partition| partition.name() == name)
            .cloned()
            .ok_or_else(|| UnknownPartition {
                name: name.to_string(),
                available: self
                    .partitions
                    .iter()
                    .map(|p| p.name().to_string())
                    .collect(),
            })
    }

    /// Every partition, in plan order.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// The `shrink` warnings the plan carried.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The counters of every core, now.
    pub fn metrics(&self) -> MetricsSnapshot {
        snapshot(&self.partitions)
    }

    /// Serves the metrics in Prometheus text format at `http://ADDRESS/metrics`
    /// on an ordinary (unpinned) thread, until the returned server is dropped.
    pub fn serve_metrics(
        &self,
        address: impl std::net::ToSocketAddrs,
    ) -> io::Result<MetricsServer> {
        let partitions = self.partitions.clone();
        MetricsServer::start(address, move || snapshot(&partitions))
    }

    /// Stops the runtime: listeners stop accepting, new spawns are refused,
    /// frame slots stop, and running tasks get until `deadline` to finish;
    /// those still running then are dropped and named in the report.
    pub fn shutdown(mut self, deadline: Duration) -> ShutdownReport {
        self.stop(deadline)
    }

    fn stop(&mut self, deadline: Duration) -> ShutdownReport {
        let start = Instant::now();
        self.closed.store(true, Ordering::Release);
        let until = start + deadline;
        for (shared, _) in &self.cores {
            shared.send(Command::Shutdown { deadline: until });
        }
        let cores = self
            .cores
            .drain(..)
            .map(|(shared, thread)| {
                thread.join().unwrap_or_else(|_| {
                    let mut report = CoreShutdown::new(Arc::clone(&shared.partition), shared.core);
                    report.cut.push(Arc::from("the core thread panicked"));
                    report
                })
            })
            .collect();
        ShutdownReport {
            cores,
            took: start.elapsed(),
            deadline,
        }
    }
}

impl Drop for Runtime {
    /// A runtime dropped without `shutdown` cuts its tasks at once.
    fn drop(&mut self) {
        if !self.cores.is_empty() {
            self.stop(Duration::ZERO);
        }
    }
}

/// No partition has the asked-for name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPartition {
    /// The name asked for.
    pub name: String,
    /// The partitions there are.
    pub available: Vec<String>,
}

impl fmt::Display for UnknownPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no partition is named `{}`; the plan has {}",
            self.name,
            self.available
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

impl std::error::Error for UnknownPartition {}

fn snapshot(partitions: &[Partition]) -> MetricsSnapshot {
    MetricsSnapshot {
        partitions: partitions
            .iter()
            .map(|partition| PartitionMetrics {
                name: Arc::from(partition.name()),
                policy: partition.policy(),
                cores: partition
                    .shared()
                    .cores
                    .iter()
                    .map(|core| CoreMetrics::read(core))
                    .collect(),
            })
            .collect(),
    }
}

type Ready = Result<(), (Arc<str>, usize, io::Error)>;

fn spawn_core(
    shared: Arc<CoreShared>,
    ready: mpsc::Sender<Ready>,
) -> io::Result<thread::JoinHandle<CoreShutdown>> {
    thread::Builder::new()
        .name(format!("{}@{}", shared.partition, shared.core))
        .spawn(move || {
            let setup = set_up_core(&shared);
            match setup {
                Ok((reactor, core_loop)) => {
                    let _ = ready.send(Ok(()));
                    drop(ready);
                    reactor.block_on(core_loop.run())
                }
                Err(error) => {
                    let _ = ready.send(Err((Arc::clone(&shared.partition), shared.core, error)));
                    CoreShutdown::new(Arc::clone(&shared.partition), shared.core)
                }
            }
        })
}

fn set_up_core(shared: &Arc<CoreShared>) -> io::Result<(tokio::runtime::Runtime, CoreLoop)> {
    pin_current_thread(&CoreSet::from([shared.core]))?;
    shared
        .thread_id
        .store(nix::unistd::gettid().as_raw(), Ordering::Relaxed);
    match shared.policy {
        Policy::Batch => {
            use thread_priority::unix::{
                set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy,
                ThreadSchedulePolicy,
            };
            set_thread_priority_and_policy(
                thread_native_id(),
                thread_priority::ThreadPriority::Min,
                ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
            )
            .map_err(|error| io::Error::other(format!("cannot set SCHED_IDLE: {error:?}")))?;
        }
        Policy::Api | Policy::Frame { .. } => {
            // The kernel may delay a timer by the thread's slack (50 us by
            // default); latency partitions want their wake-ups on time.
            let _ = nix::sys::prctl::set_timerslack(1);
        }
        Policy::Messaging { .. } => {}
    }
    if let Some(priority) = shared.realtime_priority {
        use thread_priority::unix::{
            set_thread_priority_and_policy, thread_native_id, RealtimeThreadSchedulePolicy,
            ThreadSchedulePolicy,
        };
        let value = thread_priority::ThreadPriorityValue::try_from(priority)
            .map_err(|error| io::Error::other(format!("priority {priority}: {error}")))?;
        set_thread_priority_and_policy(
            thread_native_id(),
            thread_priority::ThreadPriority::Crossplatform(value),
            ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::Fifo),
        )
        .map_err(|error| {
            io::Error::other(format!(
                "cannot run under SCHED_FIFO at priority {priority} ({error:?}); the process \
                 needs CAP_SYS_NICE, or the plan must drop `realtime_priority`"
            ))
        })?;
    }
    let reactor = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let core_loop = {
        let _context = reactor.enter();
        CoreLoop::new(Arc::clone(shared))?
    };
    Ok((reactor, core_loop))
}
