//! The partition runtime.
//!
//! A **partition** is a named set of CPU cores. Each core runs one pinned
//! thread with its own single-threaded executor (thread-per-core: no work
//! stealing, no shared run queue), and every partition chooses how its cores
//! order their work: `api`, `messaging`, `frame` or `batch` (see [`Policy`]).
//! A [`Plan`] says which partition gets which cores; it is validated against
//! the [`Machine`] before a [`Runtime`] starts from it.

pub mod cores;
pub mod machine;
pub mod plan;

pub use cores::CoreSet;
pub use machine::Machine;
pub use plan::{Fallback, Location, PartitionSpec, Plan, PlanError, Policy, ValidatedPartition, ValidatedPlan};
