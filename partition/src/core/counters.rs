//! A core's counters: written by the core alone, read by anyone.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use hdrhistogram::Histogram;

use crate::metrics::{DeadlineMiss, SlotStats};

/// A counter with one writer (its core): a load and a store instead of a
/// locked read-modify-write, and readers see it without a lock.
#[derive(Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub fn add(&self, amount: u64) {
        let value = self.0.load(Ordering::Relaxed);
        self.0.store(value.wrapping_add(amount), Ordering::Relaxed);
    }

    /// For counters that more than one thread may bump (panics happen on
    /// the core, but a gauge is set by the core only, so this is rare).
    pub fn add_shared(&self, amount: u64) {
        self.0.fetch_add(amount, Ordering::Relaxed);
    }

    pub fn set(&self, value: u64) {
        self.0.store(value, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Default)]
pub(crate) struct CoreCounters {
    pub spawned: Counter,
    pub completed: Counter,
    pub polls: Counter,
    pub queue_depth: Counter,
    pub deadline_misses: Counter,
    pub busy_nanos: Counter,
    pub panics: Counter,
    pub cycles: Counter,
    pub cycles_skipped: Counter,
    pub messages: Counter,
    pub batches: Counter,
    pub accepted: Counter,
    pub wakeups: Counter,
}

/// What a core hands over now and then under a lock it only ever tries:
/// the histogram and slot table are too big to mirror in atomics.
pub(crate) struct Published {
    pub latency: Histogram<u64>,
    pub slots: Vec<SlotStats>,
    pub recent_misses: VecDeque<DeadlineMiss>,
}

/// How many deadline misses a core remembers in detail.
pub(crate) const RECENT_MISSES: usize = 32;

pub(crate) fn new_histogram() -> Histogram<u64> {
    // Nanoseconds up to 100 s, three significant digits: fixed, valid bounds.
    Histogram::new_with_bounds(1, 100_000_000_000, 3).expect("valid histogram bounds")
}
