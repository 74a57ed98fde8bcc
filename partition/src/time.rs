//! Precise timers for tasks on partition cores.
//!
//! On a partition core a sleep is kept in the core's own timer heap and
//! rung by its `timerfd` alarm, to the microsecond; tokio's timers, which
//! also work there, tick in milliseconds. Off partition cores these fall
//! back to tokio's timer inside a tokio runtime, or to a helper thread.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Waits `duration`.
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now() + duration)
}

/// Waits until `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        registered: false,
        fallback: None,
    }
}

/// The future of [`sleep`] and [`sleep_until`].
#[must_use = "a sleep does nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    registered: bool,
    fallback: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Sleep {
    /// When it ends.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        if let Some(fallback) = &mut self.fallback {
            return fallback.as_mut().poll(cx);
        }
        if !self.registered {
            if crate::core::add_timer(self.deadline, cx.waker()) {
                self.registered = true;
            } else if tokio::runtime::Handle::try_current().is_ok() {
                let mut fallback = Box::pin(tokio::time::sleep_until(self.deadline.into()));
                let polled = fallback.as_mut().poll(cx);
                self.fallback = Some(fallback);
                return polled;
            } else {
                let (deadline, waker) = (self.deadline, cx.waker().clone());
                self.registered = true;
                std::thread::spawn(move || {
                    std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                    waker.wake();
                });
            }
        }
        Poll::Pending
    }
}
