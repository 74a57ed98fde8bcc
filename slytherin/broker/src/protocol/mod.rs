//! The Kafka wire protocol: framing, request decoding and response
//! encoding. Message bodies are decoded and encoded by the `kafka-protocol`
//! crate (including flexible versions and tagged fields); this module adds
//! what a server needs around it: limits, timeouts, the versions this broker
//! supports, and errors that say what was wrong with a request.

mod client;
mod frame;
mod records;
mod request;
mod response;
mod versions;

pub use client::{decode_response, encode_request, framed};
pub(crate) use frame::closed_by_peer;
pub use frame::{read_frame, write_frame, FrameError, FrameLimits};
pub use records::{encode_batch, plain_record};
pub use request::{decode_request, Request, RequestError};
pub use response::encode_response;
pub use versions::{supported_versions, SUPPORTED_APIS};
