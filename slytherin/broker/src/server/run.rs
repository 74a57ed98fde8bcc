//! Running the broker on the partition runtime: one `messaging` partition,
//! a listening socket per core (`SO_REUSEPORT`), each connection served by
//! the core that accepted it, each partition log owned by one of its cores
//! (see `broker.rs`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use partition::{CoreSet, Machine, Plan, Policy, Runtime};

use super::broker::{Broker, Settings};
use super::connection::serve_connection;
use super::metrics_http::serve_metrics;
use crate::config::BrokerConfig;
use crate::data_lock::DataLock;
use crate::storage::{Storage, StorageError, SystemClock};

/// The partition connections are served on.
const PARTITION: &str = "messaging";
/// How long connections get to finish once storage is closed.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// Why the broker could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The storage could not be opened or closed.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// Another process holds the data folder.
    #[error("{0}")]
    DataInUse(String),
    /// The committed offsets could not be read back.
    #[error("committed offsets: {0}")]
    Offsets(String),
    /// The partition runtime could not start.
    #[error("partition runtime: {0}")]
    Runtime(String),
    /// The listening sockets could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A running broker.
pub struct Server {
    runtime: Runtime,
    _lock: DataLock,
    broker: Arc<Broker>,
    address: SocketAddr,
}

impl Server {
    /// Opens the storage (recovering it if needed) and starts serving.
    pub fn start(config: &BrokerConfig) -> Result<Server, ServerError> {
        let lock = DataLock::acquire(&config.data).map_err(ServerError::DataInUse)?;
        let storage = Storage::open(&config.data, Arc::new(SystemClock))?;
        let broker =
            Broker::new(storage, Settings::from_config(config)).map_err(ServerError::Offsets)?;
        let runtime = start_runtime(config.cores)?;
        let messaging = runtime
            .partition(PARTITION)
            .map_err(|e| ServerError::Runtime(e.to_string()))?;
        broker.run_on(messaging.clone());
        let limits = config.frame_limits();
        let shared = Arc::clone(&broker);
        let address = messaging
            .listen(config.listen, move |stream, peer| {
                serve_connection(Arc::clone(&shared), limits, stream, peer)
            })
            .map_err(|source| ServerError::Listen {
                address: config.listen,
                source,
            })?;
        tracing::info!(%address, cores = ?messaging.cores(), data = %config.data.display(), "listening on {address}");
        if let Some(metrics) = config.metrics_listen {
            let shared = Arc::clone(&broker);
            let bound = messaging
                .listen(metrics, move |stream, _| {
                    serve_metrics(Arc::clone(&shared), stream)
                })
                .map_err(|source| ServerError::Listen {
                    address: metrics,
                    source,
                })?;
            tracing::info!("metrics on http://{bound}/metrics");
        }
        Ok(Server {
            runtime,
            _lock: lock,
            broker,
            address,
        })
    }

    /// The address the broker listens on (the real port when 0 was asked).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops: closes the storage cleanly (waiting for the storage call in
    /// progress), then gives connections a moment to end and stops the
    /// runtime.
    pub fn shutdown(self) -> Result<(), ServerError> {
        let closed = self.broker.close();
        let report = self.runtime.shutdown(SHUTDOWN_GRACE);
        tracing::debug!(%report, "runtime stopped");
        closed?;
        tracing::info!("storage closed cleanly");
        Ok(())
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

fn start_runtime(cores: Option<usize>) -> Result<Runtime, ServerError> {
    let failed = |e: &dyn std::fmt::Display| ServerError::Runtime(e.to_string());
    let machine = Machine::detect().map_err(|e| failed(&e))?;
    let mut usable = machine.usable().to_vec();
    if let Some(wanted) = cores {
        usable.truncate(wanted.max(1));
    }
    let plan = Plan::builder()
        .partition(PARTITION, CoreSet::from(usable), Policy::messaging())
        .build();
    let plan = plan.validate(&machine).map_err(|e| failed(&e))?;
    Runtime::start(plan).map_err(|e| failed(&e))
}
