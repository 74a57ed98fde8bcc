//! A partition as programs see it: where to spawn work, add frame slots,
//! consume rings and listen for connections.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::core::frame::FrameContext;
use crate::core::{Command, CoreShared, Spawn, TaskKind};
use crate::join::{with_handle, JoinError, JoinHandle};
use crate::plan::Policy;
use crate::ring::RingReceiver;

pub(crate) struct PartitionShared {
    pub name: Arc<str>,
    pub policy: Policy,
    pub cores: Vec<Arc<CoreShared>>,
    next: AtomicUsize,
    closed: Arc<AtomicBool>,
    /// The slot budgets placed on each core, to refuse a slot that no
    /// core's cycle has room for before it is sent anywhere.
    slot_load: Mutex<Vec<Duration>>,
}

impl PartitionShared {
    pub fn new(
        name: Arc<str>,
        policy: Policy,
        cores: Vec<Arc<CoreShared>>,
        closed: Arc<AtomicBool>,
    ) -> Self {
        PartitionShared {
            slot_load: Mutex::new(vec![Duration::ZERO; cores.len()]),
            name,
            policy,
            cores,
            next: AtomicUsize::new(0),
            closed,
        }
    }
}

/// A handle to one partition of a running [`Runtime`](crate::Runtime).
/// Cheap to clone, and usable from any thread.
#[derive(Clone)]
pub struct Partition {
    shared: Arc<PartitionShared>,
}

/// Why a frame slot was not added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotError {
    /// Only `frame` partitions have slots.
    NotFrame {
        /// The partition.
        partition: String,
        /// Its policy.
        policy: &'static str,
    },
    /// No core's cycle has room for the budget.
    DoesNotFit {
        /// The partition.
        partition: String,
        /// The budget asked for.
        budget: Duration,
        /// The cycle length.
        cycle: Duration,
        /// The most room left on any core.
        room: Duration,
    },
    /// The runtime is shutting down.
    ShuttingDown,
}

impl fmt::Display for SlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlotError::NotFrame { partition, policy } => write!(
                f,
                "partition `{partition}` has the `{policy}` policy; frame slots need a `frame` partition"
            ),
            SlotError::DoesNotFit {
                partition,
                budget,
                cycle,
                room,
            } => write!(
                f,
                "a slot of {budget:?} does not fit partition `{partition}`: its cycle is {cycle:?} \
                 and the most room left on a core is {room:?}"
            ),
            SlotError::ShuttingDown => f.write_str("the runtime is shutting down"),
        }
    }
}

impl std::error::Error for SlotError {}

impl Partition {
    pub(crate) fn new(shared: PartitionShared) -> Self {
        Partition {
            shared: Arc::new(shared),
        }
    }

    pub(crate) fn shared(&self) -> &PartitionShared {
        &self.shared
    }

    /// The partition's name.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Its policy.
    pub fn policy(&self) -> Policy {
        self.shared.policy
    }

    /// Its cores; core indexes in `*_on` methods count into this list.
    pub fn cores(&self) -> Vec<usize> {
        self.shared.cores.iter().map(|core| core.core).collect()
    }

    /// Runs `future` on the next core of the partition, round-robin.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_inner(self.next_core(), None, future)
    }

    /// Runs `future` on the partition's core number `index` (0-based).
    pub fn spawn_on<F>(&self, index: usize, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_inner(index, None, future)
    }

    /// Like [`spawn`](Self::spawn), with a name that shutdown reports if
    /// the task is cut.
    pub fn spawn_named<F>(&self, name: &str, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_inner(self.next_core(), Some(Arc::from(name)), future)
    }

    /// Runs the closure to completion on the next core, round-robin: the way
    /// for ordinary functions to run work on a partition and get the result
    /// back with [`JoinHandle::join`].
    pub fn run<T, F>(&self, work: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.spawn(async move { work() })
    }

    /// Runs the closure to completion on core number `index`.
    pub fn run_on<T, F>(&self, index: usize, work: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.spawn_on(index, async move { work() })
    }

    fn next_core(&self) -> usize {
        self.shared.next.fetch_add(1, Ordering::Relaxed) % self.shared.cores.len()
    }

    fn spawn_inner<F>(
        &self,
        index: usize,
        name: Option<Arc<str>>,
        future: F,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        if self.shared.closed.load(Ordering::Acquire) {
            return JoinHandle::refused();
        }
        let Some(core) = self.shared.cores.get(index) else {
            return JoinHandle::failed(JoinError::NoSuchCore {
                index,
                cores: self.shared.cores.len(),
            });
        };
        let (task, handle) = with_handle(future);
        core.send(Command::Spawn(Spawn {
            future: Box::pin(task),
            name,
            kind: TaskKind::Work,
            at: Instant::now(),
        }));
        handle
    }

    /// Adds a slot to the frame cycle: `run` is called once per cycle, after
    /// the slots added before it, and a run longer than `budget` is a
    /// deadline miss, counted and reported with `name` in the metrics. The
    /// slot goes to the core with the most room; the result is its index.
    pub fn add_slot<F>(&self, name: &str, budget: Duration, run: F) -> Result<usize, SlotError>
    where
        F: FnMut(&FrameContext) + Send + 'static,
    {
        let Policy::Frame { cycle } = self.shared.policy else {
            return Err(SlotError::NotFrame {
                partition: self.name().to_string(),
                policy: self.shared.policy.name(),
            });
        };
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(SlotError::ShuttingDown);
        }
        let mut load = match self.shared.slot_load.lock() {
            Ok(load) => load,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (index, used) = load
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|&(_, used)| used)
            .unwrap_or((0, Duration::ZERO));
        let room = cycle.saturating_sub(used);
        if budget > room {
            return Err(SlotError::DoesNotFit {
                partition: self.name().to_string(),
                budget,
                cycle,
                room,
            });
        }
        load[index] += budget;
        let name: Arc<str> = Arc::from(name);
        let run: crate::core::frame::SlotFn = Box::new(run);
        self.shared.cores[index].send(Command::Run(Box::new(move |core| {
            core.add_slot(name, budget, run);
        })));
        Ok(index)
    }

    /// Consumes a ring on core number `index`: `handler` gets the messages
    /// in batches of at most the partition's batch budget (the `messaging`
    /// policy's, 64 elsewhere), and the consumer goes to the back of the
    /// queue after each batch, so one busy ring cannot starve the others.
    /// The handle gives the number of messages handled, once every sender
    /// is gone and the ring is empty.
    pub fn consume<T, H>(
        &self,
        index: usize,
        name: &str,
        mut receiver: RingReceiver<T>,
        mut handler: H,
    ) -> JoinHandle<u64>
    where
        T: Send + 'static,
        H: FnMut(std::vec::Drain<'_, T>) + Send + 'static,
    {
        let task_name = format!("consumer `{name}`");
        self.spawn_inner(index, Some(Arc::from(task_name)), async move {
            let budget = crate::core::local_batch_budget().unwrap_or(Policy::DEFAULT_BATCH_BUDGET);
            let mut batch = Vec::with_capacity(budget);
            let mut total = 0u64;
            loop {
                let received = receiver.recv_batch(budget, &mut batch).await;
                if received == 0 {
                    return total;
                }
                total += received as u64;
                crate::core::count_batch(received);
                handler(batch.drain(..));
                if !receiver.is_empty() {
                    crate::yield_now().await;
                }
            }
        })
    }

    /// Listens on `address` with one socket per core (`SO_REUSEPORT`), so
    /// each core accepts its own connections and serves them itself:
    /// `handler` runs on the core that accepted. With port 0 every core
    /// shares the port the first socket got. Returns the bound address.
    pub fn listen<H, Fut>(
        &self,
        address: std::net::SocketAddr,
        handler: H,
    ) -> std::io::Result<std::net::SocketAddr>
    where
        H: Fn(tokio::net::TcpStream, std::net::SocketAddr) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + 'static,
    {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(std::io::Error::other("the runtime is shutting down"));
        }
        crate::net::listen(&self.shared.cores, address, handler)
    }
}

impl fmt::Debug for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Partition")
            .field("name", &self.name())
            .field("policy", &self.policy())
            .field("cores", &self.cores())
            .finish()
    }
}
