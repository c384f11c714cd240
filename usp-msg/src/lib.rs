//! Typed USP Messages (TR-369): every request, response, Notify and Error of the schema,
//! with builders, zero-copy decoding and fast encoding.
//!
//! A [`Msg`] holds an identifier and a [`Body`]: a [`Request`], a [`Response`] or an
//! [`UspError`]. Every message of the schema is a struct with public fields, in
//! [`request`] and [`response`], with the main ones re-exported here.
//!
//! ```
//! use usp_msg::{Get, Msg, Response};
//!
//! // A Controller builds a request...
//! let wire = Msg::request("get-1", Get::new(["Device.DeviceInfo."]).max_depth(1)).encode_to_vec();
//! # let wire = usp_msg::__doc_get_resp();
//!
//! // ...and reads the Agent's answer.
//! let msg = Msg::decode(&wire)?;
//! if let Some(Response::GetResp(resp)) = msg.as_response() {
//!     for (path, value) in resp.params() {
//!         println!("{path} = {value}");
//!     }
//! }
//! # Ok::<(), usp_msg::DecodeError>(())
//! ```
//!
//! # Borrowing
//!
//! Decoded strings borrow the input (`Cow::Borrowed`), so decoding copies no string; call
//! `into_owned()` on a Message (or any part of it) to keep it after the input is gone.
//! Building takes `&'static str`, `String` or borrowed strings alike.
//!
//! # Wire rules
//!
//! Decoding follows protobuf: unknown fields are skipped, the last occurrence of a singular
//! field wins, repeated occurrences of an embedded message merge, and a oneof keeps its
//! last member. Enumerations are open: a value the schema does not define is kept and shown
//! (`MsgType(42)`), never replaced by a default. A missing header, body, `msg_id` or body
//! member is a [`DecodeError`] naming the field. Encoding writes fields in field-number
//! order and leaves proto3 defaults out, so Messages from the reference Agent re-encode to
//! the same bytes.
//!
//! The header's `msg_type` is informative: when it disagrees with the body, the body wins
//! (R-MSG.10); [`Msg::check_msg_type`] reports the disagreement for those who care.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
mod builders;
mod codec;
mod decode;
mod display;
mod enums;
mod error;
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "json")]
#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
pub mod json;
mod msg;
mod oneof;
mod owned;
mod params;
pub mod request;
pub mod response;

pub use body::{Body, Request, Response};
pub use enums::{
    CmdType, MsgType, ObjAccessType, ParamAccessType, ParamValueType, ValueChangeType,
};
pub use error::{DecodeError, MsgTypeMismatch};
pub use msg::Msg;
pub use params::Params;
pub use request::add::Add;
pub use request::delete::Delete;
pub use request::deregister::Deregister;
pub use request::get::Get;
pub use request::get_instances::GetInstances;
pub use request::get_supported_dm::GetSupportedDm;
pub use request::get_supported_protocol::GetSupportedProtocol;
pub use request::notify::Notify;
pub use request::operate::Operate;
pub use request::register::Register;
pub use request::set::Set;
pub use response::add::AddResp;
pub use response::delete::DeleteResp;
pub use response::deregister::DeregisterResp;
pub use response::error::UspError;
pub use response::get::GetResp;
pub use response::get_instances::GetInstancesResp;
pub use response::get_supported_dm::GetSupportedDmResp;
pub use response::get_supported_protocol::GetSupportedProtocolResp;
pub use response::notify::NotifyResp;
pub use response::operate::OperateResp;
pub use response::register::RegisterResp;
pub use response::set::SetResp;
pub use usp_types::ErrorCode;
pub use usp_types::{InvalidVersion, UspVersion};

/// An encoded GetResp for the crate-level example. Not part of the API.
#[doc(hidden)]
pub fn __doc_get_resp() -> Vec<u8> {
    use response::get::{RequestedPathResult, ResolvedPathResult};
    let resolved = ResolvedPathResult {
        resolved_path: "Device.DeviceInfo.".into(),
        result_params: [("SoftwareVersion", "1.0")].into_iter().collect(),
    };
    let requested = RequestedPathResult {
        requested_path: "Device.DeviceInfo.".into(),
        resolved_path_results: vec![resolved],
        ..Default::default()
    };
    let resp = GetResp {
        req_path_results: vec![requested],
    };
    Msg::response("get-1", resp).encode_to_vec()
}
