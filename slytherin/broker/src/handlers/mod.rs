//! One handler per Kafka API. Each turns a decoded request into the
//! response body; errors about a topic or partition go into the response's
//! error codes, as Kafka does, so one bad partition never fails a request.

pub(crate) mod api_versions;
mod errors;
mod fetch;
mod groups;
mod init_producer_id;
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
        RequestKind::Produce(req) => match produce::handle(broker, req).await? {
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
        RequestKind::FindCoordinator(req) => {
            ResponseKind::FindCoordinator(groups::find_coordinator(&req, local, broker.settings()))
        }
        RequestKind::JoinGroup(req) => {
            let client_id = request
                .header
                .client_id
                .as_deref()
                .unwrap_or("member")
                .to_owned();
            ResponseKind::JoinGroup(groups::join(broker, req, &client_id, version).await)
        }
        RequestKind::SyncGroup(req) => {
            ResponseKind::SyncGroup(groups::sync(broker, req, version).await)
        }
        RequestKind::Heartbeat(req) => ResponseKind::Heartbeat(groups::heartbeat(broker, &req)),
        RequestKind::LeaveGroup(req) => {
            ResponseKind::LeaveGroup(groups::leave(broker, &req, version))
        }
        RequestKind::OffsetCommit(req) => ResponseKind::OffsetCommit(groups::commit(broker, &req)?),
        RequestKind::OffsetFetch(req) => {
            ResponseKind::OffsetFetch(groups::fetch_offsets(broker, &req))
        }
        RequestKind::ListGroups(req) => {
            ResponseKind::ListGroups(groups::list(broker, &req, version))
        }
        RequestKind::DescribeGroups(req) => {
            ResponseKind::DescribeGroups(groups::describe(broker, &req))
        }
        RequestKind::InitProducerId(req) => {
            ResponseKind::InitProducerId(init_producer_id::handle(broker, &req))
        }
        // `decode_request` only lets through the APIs of SUPPORTED_APIS,
        // each matched above; this arm keeps a mismatch from panicking.
        _ => return Err(Unanswerable::NoHandler(format!("{:?}", request.api_key))),
    };
    Ok(Some(body))
}
