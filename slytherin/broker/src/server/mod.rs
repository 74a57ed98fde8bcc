//! The broker server: the shared [`Broker`] state, the per-connection loop,
//! and [`Server`], which runs them on the partition runtime.

pub(crate) mod append_signals;
pub(crate) mod broker;
mod connection;
mod metrics_http;
mod run;

pub use broker::{Broker, Outcome, Settings, ShuttingDown};
pub use connection::serve_connection;
pub use metrics_http::serve_metrics;
pub use run::{Server, ServerError};
