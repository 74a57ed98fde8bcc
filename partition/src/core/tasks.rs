//! The tasks one core owns, and the wakers that queue them again.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Wake, Waker};
use std::time::Instant;

use super::local::wake_here;
use super::shared::{Command, CoreShared};

/// A task's place in its core's slab; the generation tells a reused place
/// from the task that had it before, so a late wake of a finished task is
/// ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey {
    index: u32,
    generation: u32,
}

/// Whether a task is the program's work, or the runtime's own plumbing
/// (an accept loop) that shutdown stops at once instead of waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaskKind {
    Work,
    Service,
}

pub(crate) type LocalFuture = Pin<Box<dyn Future<Output = ()>>>;

pub(crate) struct Task {
    pub future: LocalFuture,
    pub name: Option<Arc<str>>,
    pub kind: TaskKind,
    /// Whether it has been polled: the `api` policy runs started tasks first.
    pub started: bool,
    pub waker: Arc<TaskWaker>,
}

/// Wakes one task of one core. A wake on the core's own thread goes
/// straight to its run queue; from any other thread it is a push onto the
/// core's lock-free command queue. A task already queued is not queued again.
pub(crate) struct TaskWaker {
    key: TaskKey,
    core: Arc<CoreShared>,
    pub queued: AtomicBool,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) && !wake_here(&self.core, self.key) {
            self.core.send(Command::Wake {
                key: self.key,
                at: Instant::now(),
            });
        }
    }
}

struct Place {
    generation: u32,
    task: Option<Task>,
}

/// The core's tasks, by key.
#[derive(Default)]
pub(crate) struct TaskSlab {
    places: Vec<Place>,
    free: Vec<u32>,
    work: usize,
}

impl TaskSlab {
    pub fn insert(
        &mut self,
        core: &Arc<CoreShared>,
        future: LocalFuture,
        name: Option<Arc<str>>,
        kind: TaskKind,
    ) -> TaskKey {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.places.push(Place {
                    generation: 0,
                    task: None,
                });
                u32::try_from(self.places.len() - 1).unwrap_or(u32::MAX)
            }
        };
        let place = &mut self.places[index as usize];
        place.generation = place.generation.wrapping_add(1);
        let key = TaskKey {
            index,
            generation: place.generation,
        };
        let waker = Arc::new(TaskWaker {
            key,
            core: Arc::clone(core),
            // Spawning queues the task; wakes before its first poll are no-ops.
            queued: AtomicBool::new(true),
        });
        place.task = Some(Task {
            future,
            name,
            kind,
            started: false,
            waker,
        });
        if kind == TaskKind::Work {
            self.work += 1;
        }
        key
    }

    pub fn get_mut(&mut self, key: TaskKey) -> Option<&mut Task> {
        let place = self.places.get_mut(key.index as usize)?;
        if place.generation != key.generation {
            return None;
        }
        place.task.as_mut()
    }

    pub fn remove(&mut self, key: TaskKey) -> Option<Task> {
        let place = self.places.get_mut(key.index as usize)?;
        if place.generation != key.generation {
            return None;
        }
        let task = place.task.take()?;
        self.free.push(key.index);
        if task.kind == TaskKind::Work {
            self.work -= 1;
        }
        Some(task)
    }

    /// How many tasks of the program (not the runtime's services) are alive.
    pub fn work_count(&self) -> usize {
        self.work
    }

    /// Takes every task out, for shutdown.
    pub fn drain(&mut self) -> Vec<Task> {
        self.free.clear();
        self.work = 0;
        self.places
            .iter_mut()
            .filter_map(|place| place.task.take())
            .collect()
    }

    /// Keys of the runtime's service tasks, which shutdown stops first.
    pub fn service_keys(&self) -> Vec<TaskKey> {
        self.places
            .iter()
            .enumerate()
            .filter(|(_, place)| {
                place
                    .task
                    .as_ref()
                    .is_some_and(|task| task.kind == TaskKind::Service)
            })
            .map(|(index, place)| TaskKey {
                index: u32::try_from(index).unwrap_or(u32::MAX),
                generation: place.generation,
            })
            .collect()
    }
}

pub(crate) fn waker_of(task: &Task) -> Waker {
    Waker::from(Arc::clone(&task.waker))
}
