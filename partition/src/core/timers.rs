//! The core's own timers, fired by its precise alarm.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::task::Waker;
use std::time::Instant;

use super::tasks::TaskKey;

/// Who to wake when a timer is due: a task of this core directly (so its
/// wake-up latency is measured from the deadline), or any other waker.
pub(crate) enum Sleeper {
    Task(TaskKey),
    Waker(Waker),
}

struct Entry {
    deadline: Instant,
    sequence: u64,
    sleeper: Sleeper,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.sequence) == (other.deadline, other.sequence)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.deadline, self.sequence).cmp(&(other.deadline, other.sequence))
    }
}

/// Deadlines in a heap. A sleep that is dropped early stays until its
/// deadline and then wakes its task once for nothing, which is cheaper than
/// finding it in the heap.
#[derive(Default)]
pub(crate) struct TimerHeap {
    heap: BinaryHeap<Reverse<Entry>>,
    sequence: u64,
}

impl TimerHeap {
    pub fn add(&mut self, deadline: Instant, sleeper: Sleeper) {
        self.sequence += 1;
        self.heap.push(Reverse(Entry {
            deadline,
            sequence: self.sequence,
            sleeper,
        }));
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.heap.peek().map(|entry| entry.0.deadline)
    }

    /// Removes and returns the timers due at `now`, with their deadlines.
    pub fn take_due(&mut self, now: Instant) -> Vec<(Instant, Sleeper)> {
        let mut due = Vec::new();
        while self
            .heap
            .peek()
            .is_some_and(|entry| entry.0.deadline <= now)
        {
            if let Some(Reverse(entry)) = self.heap.pop() {
                due.push((entry.deadline, entry.sleeper));
            }
        }
        due
    }
}
