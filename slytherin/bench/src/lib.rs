//! The Slytherin benchmarks (not tests): `slytherin-peer-bench` (Slytherin
//! against NATS JetStream and Redis Streams) and `slytherin-pipeline-bench`
//! (a pipeline inside the broker against the same pipeline as a separate
//! consumer process). This library is what they share: servers started as
//! pinned processes, core lists, the drive loops and the report.

pub mod cores;
pub mod drive;
pub mod report;
pub mod servers;
pub mod stalls;
pub mod systems;

use clap::ValueEnum;

/// A system under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum System {
    /// Slytherin (this project's broker), through its client library.
    Slytherin,
    /// nats-server with JetStream, through async-nats.
    Nats,
    /// redis-server with Streams, through the redis crate.
    Redis,
}

impl std::fmt::Display for System {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            System::Slytherin => "slytherin",
            System::Nats => "nats-jetstream",
            System::Redis => "redis-streams",
        })
    }
}

/// Whether servers sync their writes to disk before acknowledging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Durability {
    /// No fsync on the write path (data in the page cache).
    Off,
    /// An fsync before each acknowledgement (where the system can).
    On,
}
