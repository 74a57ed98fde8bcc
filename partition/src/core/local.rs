//! What code running on a core reaches through its thread: the core's
//! timers, the task being polled, tasks spawned and woken on the core.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use super::shared::CoreShared;
use super::tasks::{LocalFuture, TaskKey, TaskKind};
use super::timers::{Sleeper, TimerHeap};

/// A task created on the core, waiting to enter its slab.
pub(super) type LocalSpawn = (LocalFuture, Option<Arc<str>>, TaskKind);

/// What code running on a core can reach through the thread.
pub(crate) struct LocalContext {
    pub shared: Arc<CoreShared>,
    pub(super) timers: RefCell<TimerHeap>,
    pub(super) current: Cell<Option<TaskKey>>,
    pub(super) spawned: RefCell<Vec<LocalSpawn>>,
    pub(super) woken: RefCell<Vec<(TaskKey, Instant)>>,
    pub batch_budget: usize,
}

impl LocalContext {
    /// Makes the calling thread `shared`'s core thread.
    pub(super) fn install(shared: Arc<CoreShared>, batch_budget: usize) -> Rc<LocalContext> {
        let local = Rc::new(LocalContext {
            shared,
            timers: RefCell::new(TimerHeap::default()),
            current: Cell::new(None),
            spawned: RefCell::new(Vec::new()),
            woken: RefCell::new(Vec::new()),
            batch_budget,
        });
        LOCAL.with(|slot| *slot.borrow_mut() = Some(Rc::clone(&local)));
        local
    }

    /// The calling thread is no core's any more.
    pub(super) fn uninstall() {
        LOCAL.with(|slot| *slot.borrow_mut() = None);
    }
}

thread_local! {
    static LOCAL: RefCell<Option<Rc<LocalContext>>> = const { RefCell::new(None) };
}

fn with_local<R>(f: impl FnOnce(&LocalContext) -> R) -> Option<R> {
    LOCAL.with(|local| local.borrow().as_ref().map(|context| f(context)))
}

/// Queues a task woken on its own core's thread without the command
/// queue; false on any other thread.
pub(crate) fn wake_here(core: &Arc<CoreShared>, key: TaskKey) -> bool {
    with_local(|local| {
        if Arc::ptr_eq(&local.shared, core) {
            local.woken.borrow_mut().push((key, Instant::now()));
            // The reactor wakes tasks while the loop sleeps in it.
            if core.sleeping.load(Ordering::Relaxed) {
                core.loop_waker.wake();
            }
            true
        } else {
            false
        }
    })
    .unwrap_or(false)
}

/// Whether the calling thread is a partition core.
pub(crate) fn on_partition_core() -> bool {
    with_local(|_| ()).is_some()
}

/// Counts a task's panic on the core it ran on.
pub(crate) fn count_panic() {
    with_local(|local| local.shared.counters.panics.add_shared(1));
}

/// Counts messages a consumer handled in one batch.
pub(crate) fn count_batch(messages: usize) {
    with_local(|local| {
        local.shared.counters.messages.add(messages as u64);
        local.shared.counters.batches.add(1);
    });
}

pub(crate) fn count_accept() {
    with_local(|local| local.shared.counters.accepted.add(1));
}

/// The messaging batch budget of the calling core, if it is one.
pub(crate) fn local_batch_budget() -> Option<usize> {
    with_local(|local| local.batch_budget)
}

/// The partition and core of the calling thread, if it is a partition core.
pub(crate) fn current_core() -> Option<(Arc<str>, usize)> {
    with_local(|local| (Arc::clone(&local.shared.partition), local.shared.core))
}

/// Adds a task created on this core; `None` off partition cores.
pub(crate) fn spawn_here(
    future: LocalFuture,
    name: Option<Arc<str>>,
    kind: TaskKind,
) -> Result<(), LocalFuture> {
    LOCAL.with(|local| match local.borrow().as_ref() {
        Some(context) => {
            context.spawned.borrow_mut().push((future, name, kind));
            Ok(())
        }
        None => Err(future),
    })
}

/// Registers a precise timer on this core; false off partition cores.
pub(crate) fn add_timer(deadline: Instant, waker: &std::task::Waker) -> bool {
    with_local(|local| {
        let sleeper = match local.current.get() {
            Some(key) => Sleeper::Task(key),
            None => Sleeper::Waker(waker.clone()),
        };
        local.timers.borrow_mut().add(deadline, sleeper);
    })
    .is_some()
}
