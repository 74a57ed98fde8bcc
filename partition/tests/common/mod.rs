//! Helpers shared by the runtime tests.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use partition::plan::PlanBuilder;
use partition::{Fallback, Machine, Runtime};

pub fn machine() -> Machine {
    Machine::detect().expect("this machine's cores can be read")
}

/// The usable cores; tests that want two distinct cores take the first two
/// and share one core when the machine has only one.
pub fn cores() -> (usize, usize) {
    let usable = machine().usable().to_vec();
    let first = usable[0];
    (first, usable.get(1).copied().unwrap_or(first))
}

/// Starts a plan; on a machine with fewer cores it shrinks (with warnings)
/// rather than fail, so the tests run anywhere.
pub fn start(plan: PlanBuilder) -> Runtime {
    let plan = plan.fallback(Fallback::Shrink).build();
    let validated = plan.validate(&machine()).expect("the plan fits");
    Runtime::start(validated).expect("the runtime starts")
}

/// Polls `check` until it gives a value; generous, because the machine
/// may be loaded: time only bounds the wait, it is never asserted.
pub fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}
