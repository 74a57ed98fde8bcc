//! ApiVersions: what this broker implements.
//!
//! librdkafka first sends ApiVersions at the newest version it knows and,
//! on an error, retries at version 0. KIP-511 says how to answer a version
//! the broker does not know: an UNSUPPORTED_VERSION error in a version-0
//! response (whose layout every client can read) that still lists the
//! supported versions, so the client can pick one.

use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, ApiVersionsResponse, ResponseKind};
use kafka_protocol::ResponseError;

use crate::protocol::{encode_response, SUPPORTED_APIS};
use crate::server::Outcome;

/// The answer to a supported ApiVersions request.
pub(crate) fn handle() -> ApiVersionsResponse {
    ApiVersionsResponse::default().with_api_keys(
        SUPPORTED_APIS
            .iter()
            .map(|(api, range)| {
                ApiVersion::default()
                    .with_api_key(*api as i16)
                    .with_min_version(range.min)
                    .with_max_version(range.max)
            })
            .collect(),
    )
}

/// The answer to an ApiVersions request at a version this broker does not
/// support.
pub(crate) fn unsupported(correlation_id: i32) -> Outcome {
    let body = handle().with_error_code(ResponseError::UnsupportedVersion.code());
    match encode_response(
        ApiKey::ApiVersions,
        0,
        correlation_id,
        &ResponseKind::ApiVersions(body),
    ) {
        Ok(bytes) => Outcome::Respond(bytes),
        Err(reason) => Outcome::Close(reason),
    }
}
