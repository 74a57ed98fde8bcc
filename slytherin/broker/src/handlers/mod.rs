//! One handler per Kafka API. Each turns a decoded request into the
//! response body; errors about a topic or partition go into the response's
//! error codes, as Kafka does, so one bad partition never fails a request.

pub(crate) mod api_versions;
mod errors;
mod fetch;
mod list_offsets;
mod metadata;
mod produce;
mod topics;

use std::net::SocketAddr;

use kafka_protocol::messages::{RequestKind, ResponseKind};

use crate::protocol::Request;
use crate::server::{Broker, ShuttingDown};

/// Why a request gets no answer and its connection is closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Unanswerable {
    /// The storage is closed.
    #[error(transparent)]
    ShuttingDown(#[from] ShuttingDown),
    /// An API `decode_request` let through that has no handler.
    #[error("no handler for {0}")]
    NoHandler(String),
}

/// Handles a decoded request: the response body, or `None` for a request
/// that gets no answer (a produce with `acks=0`).
pub(crate) async fn dispatch(
    broker: &Broker,
    request: Request,
    local: SocketAddr,
) -> Result<Option<ResponseKind>, Unanswerable> {
    let version = request.header.request_api_version;
    let body = match request.body {
        RequestKind::ApiVersions(_) => ResponseKind::ApiVersions(api_versions::handle()),
        RequestKind::Metadata(req) => {
            ResponseKind::Metadata(metadata::handle(broker, &req, version, local)?)
        }
        RequestKind::Produce(req) => match produce::handle(broker, req)? {
            Some(response) => ResponseKind::Produce(response),
            None => return Ok(None),
        },
        RequestKind::Fetch(req) => ResponseKind::Fetch(fetch::handle(broker, req).await?),
        RequestKind::ListOffsets(req) => {
            ResponseKind::ListOffsets(list_offsets::handle(broker, &req, version)?)
        }
        RequestKind::CreateTopics(req) => {
            ResponseKind::CreateTopics(topics::create(broker, &req, version)?)
        }
        RequestKind::DeleteTopics(req) => {
            ResponseKind::DeleteTopics(topics::delete(broker, &req, version)?)
        }
        // `decode_request` only lets through the APIs of SUPPORTED_APIS,
        // each matched above; this arm keeps a mismatch from panicking.
        _ => return Err(Unanswerable::NoHandler(format!("{:?}", request.api_key))),
    };
    Ok(Some(body))
}
