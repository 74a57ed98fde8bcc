//! The Kafka wire protocol: framing, request decoding and response
//! encoding. Message bodies are decoded and encoded by the `kafka-protocol`
//! crate (including flexible versions and tagged fields); this module adds
//! what a server needs around it: limits, timeouts, the versions this broker
//! supports, and errors that say what was wrong with a request.

mod frame;
mod request;
mod response;
mod versions;

pub(crate) use frame::closed_by_peer;
pub use frame::{read_frame, write_frame, FrameError, FrameLimits};
pub use request::{decode_request, Request, RequestError};
pub use response::encode_response;
/// The client side of the coding (request frames out, answers in) and
/// plain record batches are the client library's: one encoding, used by
/// `slytherin topics`, committed offsets, the benchmark and the tests.
pub use slytherin_client::records::{encode_batch, plain_record};
pub use slytherin_client::wire::{decode_response, encode_request, framed};
pub use versions::{supported_versions, SUPPORTED_APIS};
