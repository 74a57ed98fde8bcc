//! A per-core alarm with nanosecond resolution.
//!
//! Tokio's (and monoio's) timers tick in milliseconds, so a 1 ms periodic
//! task woken by them runs about 1.5 ms late (see ARCHITECTURE.md). A
//! `timerfd` registered with the core's epoll instance wakes the same
//! reactor at the exact instant, so frames and precise sleeps keep their
//! times while network events are still served.

use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::task::{Context, Poll};
use std::time::Instant;

use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};
use tokio::io::unix::AsyncFd;

struct TimerSource(TimerFd);

impl AsRawFd for TimerSource {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_fd().as_raw_fd()
    }
}

pub(crate) struct Alarm {
    timer: AsyncFd<TimerSource>,
    armed_for: Option<Instant>,
}

impl Alarm {
    /// Must be called inside the core's tokio runtime.
    pub fn new() -> io::Result<Self> {
        let timer = TimerFd::new(
            ClockId::CLOCK_MONOTONIC,
            TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC,
        )?;
        // `AsyncFd::new` is deprecated because a `T: AsRawFd` need not own
        // its descriptor, which could then be closed while registered. Here
        // `TimerFd` owns it and lives exactly as long as the registration;
        // the replacement, `AsyncFd::register`, is `unsafe`, which this
        // workspace forbids.
        #[allow(deprecated)]
        let timer = AsyncFd::new(TimerSource(timer))?;
        Ok(Alarm {
            timer,
            armed_for: None,
        })
    }

    /// Rings at `deadline` (or at once if it has passed).
    pub fn arm(&mut self, deadline: Instant) {
        if self.armed_for == Some(deadline) {
            return;
        }
        let wait = deadline.saturating_duration_since(Instant::now());
        // A zero expiration would disarm the timer; one nanosecond rings now.
        let wait = TimeSpec::from_duration(wait.max(std::time::Duration::from_nanos(1)));
        if self
            .timer
            .get_ref()
            .0
            .set(Expiration::OneShot(wait), TimerSetTimeFlags::empty())
            .is_ok()
        {
            self.armed_for = Some(deadline);
        }
    }

    /// Ready once the armed deadline has rung.
    pub fn poll_rung(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            let mut guard = match self.timer.poll_read_ready(cx) {
                Poll::Ready(Ok(guard)) => guard,
                // A broken timer must not hang the core: treat it as rung.
                Poll::Ready(Err(_)) => return Poll::Ready(()),
                Poll::Pending => return Poll::Pending,
            };
            match guard.get_inner().0.wait() {
                Ok(()) => {
                    self.armed_for = None;
                    return Poll::Ready(());
                }
                Err(nix::errno::Errno::EAGAIN) => guard.clear_ready(),
                Err(_) => return Poll::Ready(()),
            }
        }
    }
}
