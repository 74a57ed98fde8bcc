//! The partition runtime.
//!
//! A **partition** is a named set of CPU cores. Each core runs one pinned
//! thread with its own single-threaded executor (thread-per-core: no work
//! stealing, no shared run queue, no lock on the hot path), and every
//! partition chooses how its cores order their work: `api`, `messaging`,
//! `frame` or `batch` (see [`Policy`]). A [`Plan`] says which partition gets
//! which cores; it is validated against the [`Machine`] before a
//! [`Runtime`] starts from it.
//!
//! ```
//! use partition::{Machine, Plan, Policy, Runtime};
//! use std::time::Duration;
//!
//! let machine = Machine::detect().expect("readable");
//! let cores = machine.usable();
//! let plan = Plan::builder().partition("app", cores, Policy::Api).build();
//! let runtime = Runtime::start(plan.validate(&machine).expect("fits")).expect("starts");
//! let app = runtime.partition("app").expect("declared");
//! let sum = app.spawn(async { partition::time::sleep(Duration::from_millis(1)).await; 1 + 1 });
//! assert_eq!(sum.join(), Ok(2));
//! println!("{}", runtime.metrics());
//! runtime.shutdown(Duration::from_secs(5));
//! ```

mod core;
pub mod cores;
mod handle;
mod join;
pub mod machine;
pub mod metrics;
mod net;
pub mod plan;
pub mod program;
pub mod ring;
mod runtime;
mod shutdown;
pub mod time;

use std::future::Future;
use std::sync::Arc;
use std::task::Poll;

pub use crate::core::frame::FrameContext;
pub use cores::CoreSet;
pub use handle::{Partition, SlotError};
pub use join::{JoinError, JoinHandle};
pub use machine::Machine;
pub use metrics::{MetricsServer, MetricsSnapshot};
pub use plan::{
    Fallback, Location, PartitionSpec, Plan, PlanError, Policy, ValidatedPartition, ValidatedPlan,
};
pub use ring::{ring, RingReceiver, RingSender};
pub use runtime::{Runtime, StartError, UnknownPartition};
pub use shutdown::{CoreShutdown, ShutdownReport};

/// Lets the other ready tasks of this core run before the caller goes on.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

/// Runs `future` on the calling partition core; it need not be `Send`.
/// Off partition cores the handle gives [`JoinError::Refused`].
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    if !crate::core::on_partition_core() {
        return JoinHandle::failed(JoinError::Refused);
    }
    let (task, handle) = join::with_handle(future);
    match crate::core::spawn_here(Box::pin(task), None, crate::core::TaskKind::Work) {
        Ok(()) => handle,
        Err(_) => JoinHandle::failed(JoinError::Refused),
    }
}

/// The partition and core the calling thread belongs to, if it is a
/// partition core.
pub fn current_core() -> Option<(Arc<str>, usize)> {
    crate::core::current_core()
}
