//! Request frames out, response frames in: the one encoding of Kafka
//! request headers and bodies on the client side (the broker's tests and
//! `slytherin topics` use it too). Bodies are coded by `kafka-protocol`.

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, RequestKind, ResponseHeader, ResponseKind};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};

/// A request that could not be encoded or a response that could not be
/// decoded: the API, the version and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{api:?} v{version}: {problem}")]
pub struct WireError {
    /// The API of the request or response.
    pub api: ApiKey,
    /// The version it was coded at.
    pub version: i16,
    /// What went wrong.
    pub problem: String,
}

impl WireError {
    fn new(api: ApiKey, version: i16, problem: impl std::fmt::Display) -> WireError {
        WireError {
            api,
            version,
            problem: problem.to_string(),
        }
    }
}

/// The API key of a typed request.
pub fn api_of<R: Request>() -> ApiKey {
    ApiKey::try_from(R::KEY).unwrap_or(ApiKey::ApiVersions)
}

fn encode_frame(
    api: ApiKey,
    version: i16,
    correlation_id: i32,
    client_id: &str,
    encode_body: impl FnOnce(&mut BytesMut) -> anyhow::Result<()>,
) -> Result<Vec<u8>, WireError> {
    let mut buf = BytesMut::new();
    RequestHeader::default()
        .with_request_api_key(api as i16)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from(client_id.to_owned())))
        .encode(&mut buf, api.request_header_version(version))
        .map_err(|e| WireError::new(api, version, format!("request header: {e}")))?;
    encode_body(&mut buf).map_err(|e| WireError::new(api, version, format!("request: {e}")))?;
    Ok(buf.to_vec())
}

/// Encodes a request frame body (no size prefix) from a [`RequestKind`].
pub fn encode_request(
    api: ApiKey,
    version: i16,
    correlation_id: i32,
    client_id: &str,
    body: &RequestKind,
) -> Result<Vec<u8>, WireError> {
    encode_frame(api, version, correlation_id, client_id, |buf| {
        body.encode(buf, version)
    })
}

/// Encodes a typed request frame body (no size prefix).
pub fn encode_typed<R: Request>(
    version: i16,
    correlation_id: i32,
    client_id: &str,
    body: &R,
) -> Result<Vec<u8>, WireError> {
    encode_frame(api_of::<R>(), version, correlation_id, client_id, |buf| {
        body.encode(buf, version)
    })
}

/// Prefixes a frame body with its size.
pub fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::with_capacity(body.len() + 4);
    out.put_i32(body.len() as i32);
    out.put_slice(body);
    out.to_vec()
}

/// The correlation ID a response frame body starts with (every response
/// header version starts with it).
pub fn correlation_of(frame: &[u8]) -> Option<i32> {
    let bytes: [u8; 4] = frame.get(..4)?.try_into().ok()?;
    Some(i32::from_be_bytes(bytes))
}

/// Decodes a response frame body (no size prefix) into a [`ResponseKind`]:
/// its correlation ID and body. Trailing bytes are an error: they mean the
/// versions disagree.
pub fn decode_response(
    api: ApiKey,
    version: i16,
    frame: Bytes,
) -> Result<(i32, ResponseKind), WireError> {
    let mut buf = frame;
    let header = ResponseHeader::decode(&mut buf, api.response_header_version(version))
        .map_err(|e| WireError::new(api, version, format!("response header: {e}")))?;
    let body = ResponseKind::decode(api, &mut buf, version)
        .map_err(|e| WireError::new(api, version, format!("response: {e}")))?;
    all_read(api, version, &buf)?;
    Ok((header.correlation_id, body))
}

/// Decodes a typed response frame body (no size prefix): its correlation
/// ID and body.
pub fn decode_typed<R: Request>(
    version: i16,
    frame: Bytes,
) -> Result<(i32, R::Response), WireError> {
    let api = api_of::<R>();
    let mut buf = frame;
    let header = ResponseHeader::decode(&mut buf, R::Response::header_version(version))
        .map_err(|e| WireError::new(api, version, format!("response header: {e}")))?;
    let body = R::Response::decode(&mut buf, version)
        .map_err(|e| WireError::new(api, version, format!("response: {e}")))?;
    all_read(api, version, &buf)?;
    Ok((header.correlation_id, body))
}

/// Trailing bytes after an answer mean the versions disagree.
fn all_read(api: ApiKey, version: i16, rest: &Bytes) -> Result<(), WireError> {
    if rest.is_empty() {
        return Ok(());
    }
    Err(WireError::new(
        api,
        version,
        format!("{} bytes left after the response", rest.len()),
    ))
}
