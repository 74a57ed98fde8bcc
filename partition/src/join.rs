//! Getting a task's result back, from a task or from an ordinary thread.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use tokio::sync::oneshot;

/// Why a task gave no result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinError {
    /// The task panicked; the message is the panic's.
    Panicked(String),
    /// The task was dropped unfinished: it was still running when
    /// shutdown's deadline passed, or it reached its core after shutdown
    /// had begun there (the core's report counts those as refused).
    Cut,
    /// The runtime was shutting down when the task was spawned, so it never ran.
    Refused,
    /// [`JoinHandle::join`] was called on a partition core: blocking there
    /// would stop every task of that core, maybe the awaited one. Await the
    /// handle instead.
    WouldBlockCore,
    /// The partition has no core of that index.
    NoSuchCore {
        /// The index asked for.
        index: usize,
        /// How many cores the partition has.
        cores: usize,
    },
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Panicked(message) => write!(f, "the task panicked: {message}"),
            JoinError::Cut => f.write_str("the task was cut by shutdown before it finished"),
            JoinError::Refused => f.write_str("the runtime was shutting down; the task never ran"),
            JoinError::WouldBlockCore => f.write_str(
                "join() would block a partition core; `.await` the handle on a core instead",
            ),
            JoinError::NoSuchCore { index, cores } => write!(
                f,
                "the partition has no core {index}; its cores are numbered 0 to {}",
                cores.saturating_sub(1)
            ),
        }
    }
}

impl std::error::Error for JoinError {}

/// The result of a spawned task: `.await` it in async code, or
/// [`join`](JoinHandle::join) it from an ordinary thread.
#[must_use = "a dropped handle lets the task run but loses its result"]
pub struct JoinHandle<T> {
    result: Result<oneshot::Receiver<Result<T, JoinError>>, JoinError>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn refused() -> Self {
        Self::failed(JoinError::Refused)
    }

    pub(crate) fn failed(error: JoinError) -> Self {
        JoinHandle { result: Err(error) }
    }

    /// Blocks the calling thread until the task ends. On a partition core
    /// it refuses with [`JoinError::WouldBlockCore`] instead of blocking it.
    pub fn join(self) -> Result<T, JoinError> {
        if crate::core::on_partition_core() {
            return Err(JoinError::WouldBlockCore);
        }
        block_on(self)
    }

    /// Whether the task has ended (so `join` would not block).
    pub fn is_finished(&self) -> bool {
        match &self.result {
            Ok(receiver) => receiver.is_terminated() || !receiver.is_empty(),
            Err(_) => true,
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().result {
            Ok(receiver) => Pin::new(receiver)
                .poll(cx)
                .map(|received| received.unwrap_or(Err(JoinError::Cut))),
            Err(error) => Poll::Ready(Err(error.clone())),
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Wraps `future` so that its output (or its panic) reaches the returned
/// handle, and a panic ends only this task, never its core.
pub(crate) fn with_handle<F>(future: F) -> (impl Future<Output = ()>, JoinHandle<F::Output>)
where
    F: Future,
{
    let (sender, receiver) = oneshot::channel();
    let task = async move {
        let mut future = pin!(future);
        let result = std::future::poll_fn(|cx| {
            match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
                Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
                Ok(Poll::Pending) => Poll::Pending,
                Err(payload) => {
                    crate::core::count_panic();
                    Poll::Ready(Err(JoinError::Panicked(panic_message(payload.as_ref()))))
                }
            }
        })
        .await;
        // The receiver may be gone: nobody wants the result.
        let _ = sender.send(result);
    };
    (
        task,
        JoinHandle {
            result: Ok(receiver),
        },
    )
}

pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_string()
    }
}

struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` to its end on the calling thread, parking between polls.
/// For ordinary threads only: on a partition core it would stop the core.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        std::thread::park();
    }
}
