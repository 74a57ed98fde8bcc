//! One pinned core: its thread, its executor loop and its policy.
//!
//! The loop runs as the root future of a tokio current-thread runtime, so
//! tokio's reactor (epoll) serves the network and tokio's timers work in
//! tasks; the order of tasks, the frame cycle and the precise timers are
//! this module's own. Other threads reach a core only through its lock-free
//! command queue.

mod alarm;
pub(crate) mod counters;
pub(crate) mod frame;
mod local;
mod run_queue;
mod shared;
mod tasks;
mod timers;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{fence, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::plan::Policy;
use crate::shutdown::CoreShutdown;
use alarm::Alarm;
use counters::{new_histogram, RECENT_MISSES};
use frame::FrameSchedule;
use local::LocalContext;
pub(crate) use local::{
    add_timer, count_accept, count_batch, count_panic, current_core, local_batch_budget,
    on_partition_core, spawn_here,
};
use run_queue::{Ready, RunQueue};
pub(crate) use shared::{Command, CoreShared, Spawn};
pub(crate) use tasks::TaskKind;
use tasks::TaskSlab;
use timers::Sleeper;

/// How many task polls an `api` core runs before it looks at the network.
const API_TICK: usize = 64;
/// How long a `batch` core runs tasks before it looks at the network.
const BATCH_SLICE: Duration = Duration::from_millis(2);
/// How often a busy core hands its histogram to readers.
const PUBLISH_EVERY: Duration = Duration::from_millis(20);
/// The most commands taken from the queue in one turn, so a flood from
/// other cores cannot keep this one from running its tasks.
const COMMANDS_PER_TURN: usize = 4096;

/// The executor of one core.
pub(crate) struct CoreLoop {
    shared: Arc<CoreShared>,
    local: Rc<LocalContext>,
    tasks: TaskSlab,
    queue: RunQueue,
    frame: Option<FrameSchedule>,
    alarm: Alarm,
    latency: Histogram<u64>,
    recent_misses: Vec<crate::metrics::DeadlineMiss>,
    last_publish: Instant,
    contention: Contention,
    shutdown: Option<Instant>,
    report: CoreShutdown,
}

impl CoreLoop {
    /// Must be called on the core's thread, inside its tokio runtime.
    pub fn new(shared: Arc<CoreShared>) -> std::io::Result<Self> {
        let batch_budget = match shared.policy {
            Policy::Messaging { batch_budget } => batch_budget,
            _ => Policy::DEFAULT_BATCH_BUDGET,
        };
        let local = LocalContext::install(Arc::clone(&shared), batch_budget);
        Ok(CoreLoop {
            queue: RunQueue::new(matches!(shared.policy, Policy::Api)),
            frame: match shared.policy {
                Policy::Frame { cycle } => Some(FrameSchedule::new(cycle)),
                _ => None,
            },
            report: CoreShutdown::new(Arc::clone(&shared.partition), shared.core),
            shared,
            local,
            tasks: TaskSlab::default(),
            alarm: Alarm::new()?,
            latency: new_histogram(),
            recent_misses: Vec::new(),
            last_publish: Instant::now(),
            contention: Contention::default(),
            shutdown: None,
        })
    }

    /// Adds a frame slot; only `frame` cores have a schedule.
    pub fn add_slot(&mut self, name: Arc<str>, budget: Duration, run: frame::SlotFn) {
        if let Some(frame) = &mut self.frame {
            if self.shutdown.is_none() {
                frame.add(name, budget, run);
            }
        }
    }

    /// Adds a task created on this core (a listener's accept loop).
    pub fn spawn_local(
        &mut self,
        future: tasks::LocalFuture,
        name: Option<Arc<str>>,
        kind: TaskKind,
    ) {
        self.insert(future, name, kind, Instant::now());
    }

    fn insert(
        &mut self,
        future: tasks::LocalFuture,
        name: Option<Arc<str>>,
        kind: TaskKind,
        at: Instant,
    ) {
        if self.shutdown.is_some() && kind == TaskKind::Service {
            return;
        }
        let key = self.tasks.insert(&self.shared, future, name, kind);
        self.shared.counters.spawned.add(1);
        self.queue.push(Ready { key, since: at }, false);
    }

    /// Runs until shutdown; returns what shutdown finished and cut.
    pub async fn run(mut self) -> CoreShutdown {
        loop {
            self.take_commands();
            self.take_local_spawns();
            let now = Instant::now();
            self.fire_timers(now);
            if let Some(deadline) = self.shutdown {
                if self.tasks.work_count() == 0 || now >= deadline {
                    break;
                }
            }
            let worked = self.tick(now);
            if worked {
                self.shared
                    .counters
                    .busy_nanos
                    .add(u64::try_from(now.elapsed().as_nanos()).unwrap_or(u64::MAX));
            }
            self.shared
                .counters
                .queue_depth
                .set((self.queue.len() + self.shared.pending_commands()) as u64);
            // Publishing costs tens of microseconds (the histogram is
            // copied whole), so it happens at most once per period.
            if now.duration_since(self.last_publish) >= PUBLISH_EVERY {
                self.publish();
                self.contention.check();
            }
            if worked || !self.queue.is_empty() {
                // Lets tokio poll the network and its timers without blocking.
                tokio::task::yield_now().await;
            } else {
                self.idle().await;
            }
        }
        self.finish()
    }

    /// One turn of the policy; whether it ran anything.
    fn tick(&mut self, now: Instant) -> bool {
        match self.shared.policy {
            Policy::Api => self.poll_tasks(API_TICK, None),
            Policy::Messaging { batch_budget } => self.poll_tasks(batch_budget, None),
            Policy::Batch => self.poll_tasks(usize::MAX, Some(now + BATCH_SLICE)),
            Policy::Frame { .. } => {
                let ran_cycle = self.shutdown.is_none() && self.run_frame_cycle(now);
                // Tasks of a frame core run in the slack before the next cycle.
                let slack_ends = self.frame.as_ref().and_then(FrameSchedule::next_start);
                let ran_tasks = self.poll_tasks(API_TICK, slack_ends);
                ran_cycle || ran_tasks
            }
        }
    }

    fn run_frame_cycle(&mut self, now: Instant) -> bool {
        let Some(outcome) = self.frame.as_mut().and_then(|frame| frame.run_due(now)) else {
            return false;
        };
        let counters = &self.shared.counters;
        counters.cycles.add(1);
        counters.cycles_skipped.add(outcome.skipped);
        counters.deadline_misses.add(outcome.misses.len() as u64);
        counters.panics.add_shared(outcome.panicked.len() as u64);
        record(&mut self.latency, outcome.lateness);
        self.recent_misses.extend(outcome.misses);
        true
    }

    /// Polls ready tasks in policy order, at most `budget`, and none once
    /// `until` has passed.
    fn poll_tasks(&mut self, budget: usize, until: Option<Instant>) -> bool {
        let mut ran = false;
        for _ in 0..budget {
            if until.is_some_and(|until| Instant::now() >= until) {
                break;
            }
            let Some(ready) = self.queue.pop() else {
                break;
            };
            ran |= self.poll_one(ready);
            self.take_local_spawns();
        }
        ran
    }

    fn poll_one(&mut self, ready: Ready) -> bool {
        let Some(task) = self.tasks.get_mut(ready.key) else {
            return false;
        };
        let start = Instant::now();
        record(
            &mut self.latency,
            start.saturating_duration_since(ready.since),
        );
        task.waker.queued.store(false, Ordering::Release);
        task.started = true;
        let waker = tasks::waker_of(task);
        let mut cx = Context::from_waker(&waker);
        self.local.current.set(Some(ready.key));
        let future = &mut task.future;
        let polled = catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx)));
        self.local.current.set(None);
        self.shared.counters.polls.add(1);
        let done = match polled {
            Ok(Poll::Pending) => false,
            Ok(Poll::Ready(())) => true,
            Err(_) => {
                // Spawned work catches its own panics; this is the runtime's.
                self.shared.counters.panics.add_shared(1);
                true
            }
        };
        if done {
            if let Some(task) = self.tasks.remove(ready.key) {
                self.shared.counters.completed.add(1);
                if self.shutdown.is_some() && task.kind == TaskKind::Work {
                    self.report.finished += 1;
                }
            }
        }
        true
    }

    fn take_commands(&mut self) {
        for _ in 0..COMMANDS_PER_TURN {
            let Some(command) = self.shared.commands.pop() else {
                break;
            };
            match command {
                Command::Spawn(spawn) => {
                    if self.shutdown.is_some() && spawn.kind == TaskKind::Work {
                        // Dropping it resolves its handle with `Cut`.
                        self.report.refused += 1;
                        continue;
                    }
                    self.insert(spawn.future, spawn.name, spawn.kind, spawn.at);
                }
                Command::Wake { key, at } => {
                    if let Some(task) = self.tasks.get_mut(key) {
                        let started = task.started;
                        self.queue.push(Ready { key, since: at }, started);
                    }
                }
                Command::Run(run) => run(self),
                Command::Shutdown { deadline } => self.begin_shutdown(deadline),
            }
        }
    }

    /// Takes the tasks spawned and woken by code running on this core.
    fn take_local_spawns(&mut self) {
        let woken = std::mem::take(&mut *self.local.woken.borrow_mut());
        for (key, at) in woken {
            if let Some(task) = self.tasks.get_mut(key) {
                let started = task.started;
                self.queue.push(Ready { key, since: at }, started);
            }
        }
        let spawned = std::mem::take(&mut *self.local.spawned.borrow_mut());
        let now = Instant::now();
        for (future, name, kind) in spawned {
            self.insert(future, name, kind, now);
        }
    }

    fn fire_timers(&mut self, now: Instant) {
        let due = self.local.timers.borrow_mut().take_due(now);
        for (deadline, sleeper) in due {
            match sleeper {
                Sleeper::Task(key) => {
                    if let Some(task) = self.tasks.get_mut(key) {
                        if !task.waker.queued.swap(true, Ordering::AcqRel) {
                            let started = task.started;
                            self.queue.push(
                                Ready {
                                    key,
                                    since: deadline,
                                },
                                started,
                            );
                        }
                    }
                }
                Sleeper::Waker(waker) => waker.wake(),
            }
        }
    }

    /// Parks the thread in tokio's reactor until a command arrives, the
    /// network wakes a task, or the next deadline (timer, frame cycle,
    /// shutdown) rings on the precise alarm.
    async fn idle(&mut self) {
        // A core that falls asleep with unpublished counts wakes to publish
        // them, so readers never wait longer than a period.
        let publish = self
            .unpublished()
            .then_some(self.last_publish + PUBLISH_EVERY);
        let deadline = [
            self.local.timers.borrow().next_deadline(),
            self.frame.as_ref().and_then(FrameSchedule::next_start),
            self.shutdown,
            publish,
        ]
        .into_iter()
        .flatten()
        .min();
        // A latency core wakes a little early and watches the clock for the
        // rest: waking a sleeping thread takes ~30 us here, watching ~0.
        let wake_at =
            deadline.map(|deadline| deadline.checked_sub(self.early_wake()).unwrap_or(deadline));
        if let Some(wake_at) = wake_at {
            self.alarm.arm(wake_at);
        }
        if self.spin(deadline) {
            return;
        }
        let shared = &self.shared;
        let local = &self.local;
        let alarm = &mut self.alarm;
        std::future::poll_fn(|cx| {
            shared.loop_waker.register(cx.waker());
            shared.sleeping.store(true, Ordering::SeqCst);
            fence(Ordering::SeqCst);
            if !shared.commands.is_empty()
                || !local.spawned.borrow().is_empty()
                || !local.woken.borrow().is_empty()
            {
                return Poll::Ready(());
            }
            match wake_at {
                Some(wake_at) if Instant::now() >= wake_at => Poll::Ready(()),
                Some(_) => alarm.poll_rung(cx),
                None => Poll::Pending,
            }
        })
        .await;
        self.shared.sleeping.store(false, Ordering::Relaxed);
        self.shared.counters.wakeups.add(1);
        // Woken early by the alarm (not by work): watch the clock until the
        // deadline itself, unless work comes first.
        if let (Some(deadline), Some(wake_at)) = (deadline, wake_at) {
            if Instant::now() >= wake_at {
                while Instant::now() < deadline && !self.has_work() {
                    std::hint::spin_loop();
                }
            }
        }
    }

    /// How early to wake before a deadline: not at all while other threads
    /// want this core, since watching the clock would take their time and
    /// make the kernel see this thread as the one to make wait.
    fn early_wake(&self) -> Duration {
        if self.contention.contended {
            Duration::ZERO
        } else {
            self.shared.wake_early
        }
    }

    fn has_work(&self) -> bool {
        !self.shared.commands.is_empty()
            || !self.local.spawned.borrow().is_empty()
            || !self.local.woken.borrow().is_empty()
    }

    /// Watches for work without sleeping, up to the core's spin time or
    /// `deadline`; whether work came. The network is not polled meanwhile,
    /// so a connection waits at most the spin time.
    fn spin(&self, deadline: Option<Instant>) -> bool {
        if self.shared.spin_before_park.is_zero() || self.contention.contended {
            return false;
        }
        let mut until = Instant::now() + self.shared.spin_before_park;
        if let Some(deadline) = deadline {
            until = until.min(deadline);
        }
        loop {
            if !self.shared.commands.is_empty() {
                return true;
            }
            if Instant::now() >= until {
                return false;
            }
            for _ in 0..32 {
                std::hint::spin_loop();
            }
        }
    }

    fn unpublished(&self) -> bool {
        !self.latency.is_empty() || !self.recent_misses.is_empty() || self.frame.is_some()
    }

    /// Hands the histogram and slot table to readers, if the lock is free
    /// (a reader holding it never makes the core wait).
    fn publish(&mut self) {
        self.last_publish = Instant::now();
        if !self.unpublished() {
            return;
        }
        let Ok(mut published) = self.shared.published.try_lock() else {
            return;
        };
        if !self.latency.is_empty() {
            // Same bounds on both sides, so adding cannot fail.
            let _ = published.latency.add(&self.latency);
            self.latency.reset();
        }
        if let Some(frame) = &self.frame {
            published.slots = frame.stats();
        }
        for miss in self.recent_misses.drain(..) {
            if published.recent_misses.len() == RECENT_MISSES {
                published.recent_misses.pop_front();
            }
            published.recent_misses.push_back(miss);
        }
    }

    fn begin_shutdown(&mut self, deadline: Instant) {
        if self.shutdown.is_some() {
            return;
        }
        self.shutdown = Some(deadline);
        // Stop accepting: dropping the accept loops closes their sockets.
        for key in self.tasks.service_keys() {
            if self.tasks.remove(key).is_some() {
                self.report.listeners_closed += 1;
            }
        }
        if let Some(frame) = &mut self.frame {
            self.report.slots_stopped = frame.stop();
        }
    }

    fn finish(mut self) -> CoreShutdown {
        self.publish();
        for task in self.tasks.drain() {
            if task.kind == TaskKind::Work {
                self.report
                    .cut
                    .push(task.name.unwrap_or_else(|| Arc::from("unnamed task")));
            }
        }
        LocalContext::uninstall();
        self.report
    }
}

fn record(histogram: &mut Histogram<u64>, latency: Duration) {
    let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
    histogram.saturating_record(nanos.max(1));
}

/// Whether other threads want this core. Spinning pays on a core of one's
/// own; on a core shared with other processes it backfires: the spinning
/// thread uses up its fair share and the kernel then makes it wait longest
/// (measured: a spinning `api` ticker's p99 lateness went from 0.02 ms to
/// 45 ms with a build saturating the machine). The kernel counts every time
/// it preempted the thread; a period with preemptions turns spinning off
/// until a period without.
#[derive(Default)]
struct Contention {
    involuntary_switches: std::ffi::c_long,
    contended: bool,
}

impl Contention {
    fn check(&mut self) {
        use nix::sys::resource::{getrusage, UsageWho};
        let Ok(usage) = getrusage(UsageWho::RUSAGE_THREAD) else {
            return;
        };
        let switches = usage.involuntary_context_switches();
        self.contended = switches > self.involuntary_switches;
        self.involuntary_switches = switches;
    }
}
