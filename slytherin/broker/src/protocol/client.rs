//! The client side of the encoding: request frames out, responses in. Used
//! by `slytherin topics` and by the tests.

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, RequestKind, ResponseHeader, ResponseKind};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};

/// The client ID requests carry.
const CLIENT_ID: &str = "slytherin";

/// Encodes a request frame body (no size prefix).
pub fn encode_request(
    api: ApiKey,
    version: i16,
    correlation_id: i32,
    body: &RequestKind,
) -> Result<Vec<u8>, String> {
    let mut buf = BytesMut::new();
    RequestHeader::default()
        .with_request_api_key(api as i16)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_static_str(CLIENT_ID)))
        .encode(&mut buf, api.request_header_version(version))
        .map_err(|e| format!("cannot encode the {api:?} v{version} request header: {e}"))?;
    body.encode(&mut buf, version)
        .map_err(|e| format!("cannot encode the {api:?} v{version} request: {e}"))?;
    Ok(buf.to_vec())
}

/// Prefixes a frame body with its size.
pub fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::with_capacity(body.len() + 4);
    out.put_i32(body.len() as i32);
    out.put_slice(body);
    out.to_vec()
}

/// Decodes a response frame body (no size prefix): its correlation ID and
/// body. Trailing bytes are an error: they mean the versions disagree.
pub fn decode_response(
    api: ApiKey,
    version: i16,
    frame: Bytes,
) -> Result<(i32, ResponseKind), String> {
    let mut buf = frame;
    let header = ResponseHeader::decode(&mut buf, api.response_header_version(version))
        .map_err(|e| format!("{api:?} v{version} response header: {e}"))?;
    let body = ResponseKind::decode(api, &mut buf, version)
        .map_err(|e| format!("{api:?} v{version} response: {e}"))?;
    if !buf.is_empty() {
        return Err(format!(
            "{} bytes left after the {api:?} v{version} response",
            buf.len()
        ));
    }
    Ok((header.correlation_id, body))
}
