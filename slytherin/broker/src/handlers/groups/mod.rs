//! The consumer-group APIs. The state machine is in [`crate::groups`];
//! these modules translate requests to it and wait where Kafka waits.

mod listing;
mod membership;
mod offsets;

pub(crate) use listing::{describe, list};
pub(crate) use membership::{find_coordinator, heartbeat, join, leave, sync};
pub(crate) use offsets::{commit, fetch_offsets};
