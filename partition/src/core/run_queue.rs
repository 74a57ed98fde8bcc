//! The order in which a core polls its ready tasks.

use std::collections::VecDeque;
use std::time::Instant;

use super::tasks::TaskKey;

/// A task ready to run, and since when.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ready {
    pub key: TaskKey,
    pub since: Instant,
}

/// FIFO queues of ready tasks. With `started_first` (the `api` policy),
/// tasks that have already run once go before tasks that have not started:
/// requests in flight finish before new ones begin, which keeps response
/// latency low under load. Without it (every other policy), one FIFO.
pub(crate) struct RunQueue {
    started_first: bool,
    started: VecDeque<Ready>,
    fresh: VecDeque<Ready>,
    started_streak: usize,
}

/// After this many started tasks in a row, one fresh task runs, so tasks
/// that keep waking each other cannot keep new ones waiting forever.
const STARTED_STREAK_LIMIT: usize = 64;

impl RunQueue {
    pub fn new(started_first: bool) -> Self {
        RunQueue {
            started_first,
            started: VecDeque::new(),
            fresh: VecDeque::new(),
            started_streak: 0,
        }
    }

    pub fn push(&mut self, ready: Ready, has_started: bool) {
        if self.started_first && has_started {
            self.started.push_back(ready);
        } else {
            self.fresh.push_back(ready);
        }
    }

    pub fn pop(&mut self) -> Option<Ready> {
        if self.started_streak >= STARTED_STREAK_LIMIT || self.started.is_empty() {
            self.started_streak = 0;
            if let Some(ready) = self.fresh.pop_front() {
                return Some(ready);
            }
        }
        let ready = self.started.pop_front()?;
        self.started_streak += 1;
        Some(ready)
    }

    pub fn len(&self) -> usize {
        self.started.len() + self.fresh.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
