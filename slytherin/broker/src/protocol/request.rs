//! Turning a frame into a request: header first, then the body for the
//! header's API and version.
//!
//! The API key, version and correlation ID are read by hand before the crate
//! decodes anything, so an unknown API or version is reported with the
//! correlation ID the answer needs, and the crate only ever sees requests
//! whose version it knows.

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, RequestHeader, RequestKind};
use kafka_protocol::protocol::{Decodable, VersionRange};

use super::versions::supported_versions;

/// Bytes before the client ID: API key, API version, correlation ID.
const FIXED_HEADER_BYTES: usize = 8;

/// A decoded request.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The request header (API, version, correlation ID, client ID).
    pub header: RequestHeader,
    /// The API, checked to be one this broker implements.
    pub api_key: ApiKey,
    /// The request body.
    pub body: RequestKind,
}

/// Why a frame is not a request this broker can answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    /// Too short to hold a request header.
    #[error("a {0}-byte frame is too short for a request header")]
    TooShort(usize),
    /// An API key Kafka does not define, or one this broker does not
    /// implement.
    #[error("API key {0} is not supported")]
    UnsupportedApi(i16),
    /// A known API at a version outside the supported range.
    #[error("{api:?} version {version} is not supported (supported: {supported})")]
    UnsupportedVersion {
        /// The API.
        api: ApiKey,
        /// The version asked for.
        version: i16,
        /// The versions this broker accepts.
        supported: VersionRange,
        /// The request's correlation ID, for an error answer.
        correlation_id: i32,
    },
    /// The header or body does not decode.
    #[error("malformed {api:?} v{version} request: {reason}")]
    Malformed {
        /// The API.
        api: ApiKey,
        /// Its version.
        version: i16,
        /// What the decoder said.
        reason: String,
    },
}

/// Decodes a request frame (the bytes after the size prefix).
pub fn decode_request(frame: Bytes) -> Result<Request, RequestError> {
    if frame.len() < FIXED_HEADER_BYTES {
        return Err(RequestError::TooShort(frame.len()));
    }
    let raw_key = i16::from_be_bytes([frame[0], frame[1]]);
    let version = i16::from_be_bytes([frame[2], frame[3]]);
    let correlation_id = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
    let api = ApiKey::try_from(raw_key).map_err(|_| RequestError::UnsupportedApi(raw_key))?;
    let supported = supported_versions(api).ok_or(RequestError::UnsupportedApi(raw_key))?;
    if version < supported.min || version > supported.max {
        return Err(RequestError::UnsupportedVersion {
            api,
            version,
            supported,
            correlation_id,
        });
    }
    let malformed = |reason: String| RequestError::Malformed {
        api,
        version,
        reason,
    };
    let mut buf = frame;
    let header = RequestHeader::decode(&mut buf, api.request_header_version(version))
        .map_err(|e| malformed(e.to_string()))?;
    let body = RequestKind::decode(api, &mut buf, version).map_err(|e| malformed(e.to_string()))?;
    Ok(Request {
        header,
        api_key: api,
        body,
    })
}
