//! The `frame` policy's cyclic executive: static slots in a fixed cycle.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::metrics::{DeadlineMiss, SlotStats};

/// What a frame slot knows about the cycle it runs in.
#[derive(Clone, Copy, Debug)]
pub struct FrameContext {
    /// The cycle's number, counting from 0 at the first cycle.
    pub cycle: u64,
    /// When the cycle should have started (on the fixed grid).
    pub intended_start: Instant,
    /// When it did start.
    pub started: Instant,
    /// Cycles skipped just before this one because the core was late by
    /// more than a whole cycle (a late cycle runs once, never in a burst).
    pub skipped: u64,
}

/// The code of a frame slot.
pub type SlotFn = Box<dyn FnMut(&FrameContext) + Send>;

pub(crate) struct Slot {
    stats: SlotStats,
    run: Option<SlotFn>,
}

pub(crate) struct FrameSchedule {
    cycle: Duration,
    slots: Vec<Slot>,
    next_start: Option<Instant>,
    number: u64,
}

/// What one cycle did, for the core's counters.
#[derive(Default)]
pub(crate) struct CycleOutcome {
    pub misses: Vec<DeadlineMiss>,
    pub panicked: Vec<Arc<str>>,
    pub skipped: u64,
    pub lateness: Duration,
}

impl FrameSchedule {
    pub fn new(cycle: Duration) -> Self {
        FrameSchedule {
            cycle,
            slots: Vec::new(),
            next_start: None,
            number: 0,
        }
    }

    pub fn add(&mut self, name: Arc<str>, budget: Duration, run: SlotFn) {
        self.slots.push(Slot {
            stats: SlotStats {
                name,
                budget,
                runs: 0,
                misses: 0,
                worst: Duration::ZERO,
            },
            run: Some(run),
        });
        // The first slot starts the clock; later slots join the next cycle.
        self.next_start
            .get_or_insert_with(|| Instant::now() + self.cycle);
    }

    /// When the next cycle is due; `None` while there is no slot.
    pub fn next_start(&self) -> Option<Instant> {
        self.next_start
    }

    pub fn stats(&self) -> Vec<SlotStats> {
        self.slots.iter().map(|slot| slot.stats.clone()).collect()
    }

    /// Stops every slot (shutdown); returns their names.
    pub fn stop(&mut self) -> Vec<Arc<str>> {
        self.next_start = None;
        self.slots
            .iter_mut()
            .filter_map(|slot| slot.run.take().map(|_| Arc::clone(&slot.stats.name)))
            .collect()
    }

    /// Runs the due cycle, if one is due at `now`: every slot in order, each
    /// timed against its budget.
    pub fn run_due(&mut self, now: Instant) -> Option<CycleOutcome> {
        let due = self.next_start.filter(|start| *start <= now)?;
        let behind = (now - due).as_nanos() / self.cycle.as_nanos().max(1);
        let skipped = u64::try_from(behind).unwrap_or(u64::MAX);
        let intended_start = due + self.cycle * u32::try_from(behind).unwrap_or(u32::MAX);
        self.number += skipped;
        let started = Instant::now();
        let context = FrameContext {
            cycle: self.number,
            intended_start,
            started,
            skipped,
        };
        let mut outcome = CycleOutcome {
            skipped,
            lateness: started - intended_start,
            ..CycleOutcome::default()
        };
        for slot in &mut self.slots {
            let Some(run) = slot.run.as_mut() else {
                continue;
            };
            let slot_start = Instant::now();
            let result = catch_unwind(AssertUnwindSafe(|| run(&context)));
            let took = slot_start.elapsed();
            slot.stats.runs += 1;
            slot.stats.worst = slot.stats.worst.max(took);
            if result.is_err() {
                // A slot that panics once would likely panic every cycle.
                slot.run = None;
                outcome.panicked.push(Arc::clone(&slot.stats.name));
            }
            if took > slot.stats.budget {
                slot.stats.misses += 1;
                outcome.misses.push(DeadlineMiss {
                    slot: Arc::clone(&slot.stats.name),
                    cycle: self.number,
                    budget: slot.stats.budget,
                    took,
                });
            }
        }
        self.number += 1;
        self.next_start = Some(intended_start + self.cycle);
        Some(outcome)
    }
}
