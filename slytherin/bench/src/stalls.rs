//! The machine's own stalls during a latency run, measured the way jHiccup
//! does: a probe thread pinned to each core sleeps a millisecond at a time
//! and records by how much each sleep overran. A core that was taken away
//! (by the hypervisor, or by a kernel thread that does not yield) shows as
//! a long overrun, whichever system was being measured; the report prints
//! them beside the latencies so a tail the machine set is not read as the
//! server's.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use hdrhistogram::Histogram;

use crate::cores;

/// How long each probe sleeps.
const TICK: Duration = Duration::from_millis(1);

/// An overrun at least this long counts as a stall: far beyond a sleep's
/// usual lateness (tens of microseconds) and above the latencies measured.
pub const STALL: Duration = Duration::from_millis(1);

/// The probes running on a set of cores.
pub struct StallMeter {
    stop: Arc<AtomicBool>,
    probes: Vec<JoinHandle<Result<Histogram<u64>>>>,
}

impl StallMeter {
    /// Starts one probe on each of `cores`.
    pub fn start(cores: &[usize]) -> Result<StallMeter> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut probes = Vec::new();
        for &core in cores {
            let stop = Arc::clone(&stop);
            let probe = std::thread::Builder::new()
                .name(format!("stall-probe-{core}"))
                .spawn(move || probe(core, &stop))
                .context("cannot start a stall probe")?;
            probes.push(probe);
        }
        Ok(StallMeter { stop, probes })
    }

    /// Stops the probes and returns what they saw, all cores together.
    pub fn finish(mut self) -> Result<Stalls> {
        self.stop.store(true, Ordering::Relaxed);
        let mut stalls = Stalls::default();
        for probe in std::mem::take(&mut self.probes) {
            let overruns = probe
                .join()
                .map_err(|_| anyhow!("a stall probe panicked"))??;
            stalls.add(&overruns);
        }
        Ok(stalls)
    }
}

impl Drop for StallMeter {
    /// A run that failed stops its probes too.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Sleeps a tick at a time on `core` until stopped; returns each sleep's
/// overrun in microseconds.
fn probe(core: usize, stop: &AtomicBool) -> Result<Histogram<u64>> {
    cores::pin_current_thread(&[core])?;
    let mut overruns = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    while !stop.load(Ordering::Relaxed) {
        let before = Instant::now();
        std::thread::sleep(TICK);
        let overrun = before.elapsed().saturating_sub(TICK);
        overruns.saturating_record((overrun.as_micros() as u64).max(1));
    }
    Ok(overruns)
}

/// The stalls of the measured cores over one or more runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stalls {
    /// Overruns of at least [`STALL`].
    pub count: u64,
    /// The longest overrun, in microseconds.
    pub longest_us: u64,
}

impl Stalls {
    /// Counts the stalls among a probe's overruns.
    fn add(&mut self, overruns: &Histogram<u64>) {
        let threshold = STALL.as_micros() as u64;
        self.count += overruns
            .iter_recorded()
            .filter(|bucket| bucket.value_iterated_to() >= threshold)
            .map(|bucket| bucket.count_at_value())
            .sum::<u64>();
        if overruns.max() >= threshold {
            self.longest_us = self.longest_us.max(overruns.max());
        }
    }

    /// The stalls of two runs together.
    pub fn merge(self, other: Stalls) -> Stalls {
        Stalls {
            count: self.count + other.count,
            longest_us: self.longest_us.max(other.longest_us),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_overruns_from_the_threshold_on_count() {
        let mut overruns = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
        for micros in [40, 60, 999, 1_000, 5_800, 6_100] {
            overruns.record(micros).expect("in bounds");
        }
        let mut stalls = Stalls::default();
        stalls.add(&overruns);
        assert_eq!(stalls.count, 3);
        assert!((6_095..=6_105).contains(&stalls.longest_us), "{stalls:?}");
        let quiet = Stalls::default();
        assert_eq!(quiet.merge(stalls), stalls);
    }
}
