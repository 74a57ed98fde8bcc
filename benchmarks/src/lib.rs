//! The workloads of the runtime benchmark, each twice: lowered from
//! `programs/*.pt` by the Parseltongue compiler, and written by hand in
//! idiomatic Rust. `benches/runtime.rs` times them side by side.

/// The Rust the Parseltongue compiler generates (see `build.rs`).
#[allow(missing_docs)]
pub mod generated {
    pub mod strings {
        include!(concat!(env!("OUT_DIR"), "/strings.rs"));
    }
    pub mod numbers {
        include!(concat!(env!("OUT_DIR"), "/numbers.rs"));
    }
    pub mod records {
        include!(concat!(env!("OUT_DIR"), "/records.rs"));
    }
    pub mod threads {
        include!(concat!(env!("OUT_DIR"), "/threads.rs"));
    }
}

/// The same workloads as a Rust engineer would write them.
pub mod hand_written;

pub mod malformed;

pub mod timing;
pub mod workload;
