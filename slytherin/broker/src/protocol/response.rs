//! Encoding a response: size prefix, response header, body.

use bytes::{BufMut, BytesMut};
use kafka_protocol::messages::{ApiKey, ResponseHeader, ResponseKind};
use kafka_protocol::protocol::Encodable;

/// Encodes `body` as the answer to request `correlation_id` of `api` at
/// `version`, size prefix included. Fails only if a field does not fit the
/// version (a bug in a handler), never because of what a client sent.
pub fn encode_response(
    api: ApiKey,
    version: i16,
    correlation_id: i32,
    body: &ResponseKind,
) -> Result<BytesMut, String> {
    let mut out = BytesMut::with_capacity(256);
    out.put_i32(0);
    ResponseHeader::default()
        .with_correlation_id(correlation_id)
        .encode(&mut out, api.response_header_version(version))
        .map_err(|e| format!("cannot encode the {api:?} v{version} response header: {e}"))?;
    body.encode(&mut out, version)
        .map_err(|e| format!("cannot encode the {api:?} v{version} response: {e}"))?;
    let size = i32::try_from(out.len() - 4)
        .map_err(|_| format!("the {api:?} response is larger than 2 GiB"))?;
    out[..4].copy_from_slice(&size.to_be_bytes());
    Ok(out)
}
