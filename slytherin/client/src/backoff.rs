//! Waiting between retries: doubling from `retry.backoff.ms` up to
//! `retry.backoff.max.ms`, with a fifth of jitter so that clients that
//! failed together do not retry together.

use std::time::Duration;

use crate::config::ClientConfig;

/// The waits of one retried operation.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    /// Starts at the configured first wait.
    pub(crate) fn new(config: &ClientConfig) -> Backoff {
        Backoff {
            next: config.retry_backoff,
            max: config.retry_backoff_max,
        }
    }

    /// The next wait: never above the maximum, never below 80% of the
    /// current step.
    pub(crate) fn next_wait(&mut self) -> Duration {
        let step = self.next;
        self.next = (self.next * 2).min(self.max);
        let jitter = step.mul_f64(fastrand::f64() * 0.4);
        (step.mul_f64(0.8) + jitter).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn waits_are_bounded(first in 1u64..2_000, max in 1u64..5_000, steps in 1usize..40) {
            let mut config = ClientConfig::new(["localhost:9092"]);
            config.retry_backoff = Duration::from_millis(first.min(max));
            config.retry_backoff_max = Duration::from_millis(max);
            let mut backoff = Backoff::new(&config);
            for _ in 0..steps {
                let wait = backoff.next_wait();
                prop_assert!(wait <= config.retry_backoff_max);
                prop_assert!(wait >= config.retry_backoff.mul_f64(0.79));
            }
        }
    }
}
