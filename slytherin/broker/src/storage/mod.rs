//! The storage engine: one append-only segment log per partition.
//!
//! Record batches are stored in Kafka's RecordBatch v2 wire format, exactly
//! as produced (plus the broker-assigned offsets), so a Fetch returns stored
//! bytes untouched. Each partition is a folder of segments named by base
//! offset, each with a sparse offset index and time index. Appends are
//! CRC-checked; durability is configurable ([`Durability`]); retention
//! deletes whole old segments by age and size; opening a log after a crash
//! cuts a torn tail and rebuilds indexes ([`RecoveryReport`]). A topic can
//! be created verifiable: its batches are then hash-chained and
//! [`PartitionLog::verify`] proves the log untampered or names the first
//! bad offset.
//!
//! ```text
//! Storage ── Topic ── PartitionLog ── Segment (.log .index .timeindex [.chain])
//! ```
//!
//! A [`PartitionLog`] is meant to be owned by one core: `append` takes
//! `&mut self`, reads take `&self`, and no lock is shared between
//! partitions: each has its own ([`SharedLog`]), which the broker takes on
//! the owning core.

pub mod batch;
mod chain;
mod clock;
mod config;
mod error;
mod index;
mod log;
pub mod records;
mod recovery;
mod registry;
mod retention;
mod scan;
mod segment;
mod verify;

pub use chain::{ChainHash, GENESIS};
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use config::{Durability, LogConfig};
pub use error::StorageError;
pub use log::{AppendInfo, LogStats, PartitionLog, ReadResult};
pub use records::RecordPosition;
pub use recovery::{RecoveryReason, RecoveryReport, SegmentRecovery};
pub use registry::{lock_log, validate_topic_name, SharedLog, Storage, Topic};
pub use retention::RetentionOutcome;
pub use scan::ScanDefect;
pub use verify::Verification;
