//! Errors: a Message that cannot be decoded, or whose header disagrees with its body.

use usp_record::__private::wire::WireError;
use usp_record::Malformed;
use usp_types::ErrorCode;

use crate::MsgType;

/// A Message that could not be decoded.
///
/// [`DecodeError::code`] gives the USP error code with which a receiver that answers the
/// request (R-MSG.1 allows ignoring it instead) reports the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes are not a well-formed protobuf encoding.
    #[error("malformed protobuf at byte {offset}: {kind}")]
    Malformed {
        /// Byte offset of the fault in the input.
        offset: usize,
        /// What was wrong.
        kind: Malformed,
    },
    /// A string field is not valid UTF-8.
    #[error("field `{field}` is not valid UTF-8")]
    InvalidUtf8 {
        /// Schema name of the field.
        field: &'static str,
    },
    /// Embedded messages nest deeper than the schema ever does.
    #[error("messages nested too deeply")]
    TooDeep,
    /// A field the specification requires is absent: `header` (R-MSG.6), `body` (R-MSG.7),
    /// `msg_id` (R-MSG.8), or the `msg_body` oneof.
    #[error("required field `{0}` is missing")]
    MissingField(&'static str),
    /// The request or response oneof is empty or holds a kind this implementation does not
    /// know (a kind added by a later version is an unknown field, so it looks empty too).
    #[error("`{0}` holds no message this implementation knows")]
    UnknownBody(&'static str),
}

impl DecodeError {
    /// The USP error code that reports this fault: 7001 *Message not supported* for a
    /// request of an unknown kind, 7004 *Invalid arguments* otherwise.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::UnknownBody(_) => ErrorCode::MESSAGE_NOT_SUPPORTED,
            _ => ErrorCode::INVALID_ARGUMENTS,
        }
    }
}

impl From<WireError> for DecodeError {
    fn from(e: WireError) -> Self {
        Self::Malformed {
            offset: e.offset,
            kind: e.kind,
        }
    }
}

/// The header's `msg_type` names another kind of Message than the body holds.
///
/// The body is right (R-MSG.10), so decoding accepts such a Message; this error is for
/// receivers that want to log or refuse the inconsistency
/// ([`Msg::check_msg_type`](crate::Msg::check_msg_type)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("header msg_type {header} does not match the body, which holds a {body}")]
#[non_exhaustive]
pub struct MsgTypeMismatch {
    /// The `msg_type` written in the header.
    pub header: MsgType,
    /// The type the body holds.
    pub body: MsgType,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<DecodeError>();
    assert_send_sync::<MsgTypeMismatch>();
};
