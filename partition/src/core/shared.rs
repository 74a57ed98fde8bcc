//! The part of a core that other threads see: its command queue and
//! counters.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{fence, AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atomic_waker::AtomicWaker;
use crossbeam_queue::SegQueue;

use super::counters::{new_histogram, CoreCounters, Published};
use super::tasks::{TaskKey, TaskKind};
use super::CoreLoop;
use crate::plan::Policy;

/// How long an idle `api` or `messaging` core watches its queues before it
/// sleeps in the kernel. Waking a sleeping thread from another core costs
/// tens of microseconds on a virtual machine (measured: 17 us at the median
/// here), far more than the gap between two messages of a busy ring; the
/// core is the partition's own, so watching costs nobody else. Cores shared
/// by `shrink` never spin.
const SPIN_BEFORE_PARK: Duration = Duration::from_micros(50);
/// How early a `frame` or `api` core on its own core wakes before a deadline, to
/// watch the clock for the rest (the hrtimer-to-running path costs ~30 us at
/// the median on this virtual machine; see ARCHITECTURE.md).
const WAKE_EARLY: Duration = Duration::from_micros(100);
/// A task sent to a core from anywhere.
pub(crate) struct Spawn {
    pub future: std::pin::Pin<Box<dyn Future<Output = ()> + Send>>,
    pub name: Option<Arc<str>>,
    pub kind: TaskKind,
    pub at: Instant,
}

/// What other threads ask of a core.
pub(crate) enum Command {
    Spawn(Spawn),
    Wake { key: TaskKey, at: Instant },
    Run(Box<dyn FnOnce(&mut CoreLoop) + Send>),
    Shutdown { deadline: Instant },
}

/// The part of a core that other threads see.
pub(crate) struct CoreShared {
    pub partition: Arc<str>,
    pub policy: Policy,
    pub core: usize,
    pub realtime_priority: Option<u8>,
    pub(super) spin_before_park: Duration,
    pub(super) wake_early: Duration,
    pub(super) commands: SegQueue<Command>,
    pub(super) loop_waker: AtomicWaker,
    pub(super) sleeping: AtomicBool,
    pub counters: CoreCounters,
    pub published: Mutex<Published>,
    pub thread_id: AtomicI32,
}

impl CoreShared {
    /// `shares_core`: whether another partition runs on the same core.
    pub fn new(
        partition: Arc<str>,
        policy: Policy,
        core: usize,
        shares_core: bool,
        realtime_priority: Option<u8>,
    ) -> Self {
        let spin_before_park = match policy {
            Policy::Api | Policy::Messaging { .. } if !shares_core => SPIN_BEFORE_PARK,
            _ => Duration::ZERO,
        };
        let wake_early = match policy {
            Policy::Frame { .. } | Policy::Api if !shares_core => WAKE_EARLY,
            _ => Duration::ZERO,
        };
        CoreShared {
            partition,
            policy,
            core,
            realtime_priority,
            spin_before_park,
            wake_early,
            commands: SegQueue::new(),
            loop_waker: AtomicWaker::new(),
            sleeping: AtomicBool::new(false),
            counters: CoreCounters::default(),
            published: Mutex::new(Published {
                latency: new_histogram(),
                slots: Vec::new(),
                recent_misses: VecDeque::new(),
            }),
            thread_id: AtomicI32::new(0),
        }
    }

    /// Queues a command; wakes the core only if it is asleep, so a busy
    /// core is never interrupted by a system call.
    pub fn send(&self, command: Command) {
        self.commands.push(command);
        fence(Ordering::SeqCst);
        if self.sleeping.load(Ordering::Relaxed) {
            self.loop_waker.wake();
        }
    }

    pub fn pending_commands(&self) -> usize {
        self.commands.len()
    }
}
