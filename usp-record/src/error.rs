//! Why a Record was rejected, and the USP error code that says so on the wire.

use usp_types::{ErrorCode, InvalidEndpointId, InvalidVersion};

use crate::SarState;

/// A Record that could not be decoded or does not satisfy the rules of the specification.
///
/// Every variant maps to one of the Record error codes 7100-7106 through [`RecordError::code`]
/// (specification section "USP Record Errors"): bytes that are not a protobuf Record give
/// 7100 *Record could not be parsed*, a Record whose fields hold values the specification
/// forbids gives 7104 *Invalid Record value*, and an unknown payload security mechanism gives
/// 7102 *Secure session not supported*.
///
/// Per R-MTP.5 a receiver answers such a Record with an Error Message only when it can tell
/// who sent it and which request it carried; otherwise it ignores it. That decision belongs to
/// the layer that knows the MTP return path, so this type only says what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
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
    /// The `record_type` oneof is absent, or holds a kind this implementation does not know
    /// (a kind added by a later version is an unknown field, so it looks absent too).
    #[error("record_type is missing or of an unknown kind")]
    MissingRecordType,
    /// A field the specification marks *Required* is absent or empty.
    #[error("required field `{0}` is missing")]
    MissingField(&'static str),
    /// `version` is not of the form `Major.Minor`.
    #[error("field `version` is invalid: {0}")]
    InvalidVersion(#[source] InvalidVersion),
    /// An Endpoint ID field is not an Endpoint ID.
    #[error("field `{field}` is not an Endpoint ID: {source}")]
    InvalidEndpointId {
        /// Schema name of the field.
        field: &'static str,
        /// Why the value was rejected.
        #[source]
        source: InvalidEndpointId,
    },
    /// A NoSessionContext Record without payload (R-E2E.26).
    #[error("a no_session_context Record must carry a non-empty payload (R-E2E.26)")]
    EmptyPayload,
    /// An enumeration holds a value the schema does not define.
    #[error("field `{field}` holds {value}, which is not a defined value")]
    UnknownEnumValue {
        /// Schema name of the field.
        field: &'static str,
        /// The value received.
        value: i32,
    },
    /// `payloadrec_sar_state` is set while `payload_sar_state` is `NONE`, which the
    /// specification forbids ("If payload_sar_state = 0 ... payloadrec_sar_state will be 0").
    #[error("payloadrec_sar_state is {payloadrec:?} while payload_sar_state is NONE")]
    InconsistentSarState {
        /// The `payloadrec_sar_state` received.
        payloadrec: SarState,
    },
}

impl RecordError {
    /// The USP error code (7100-7199) that reports this fault to the peer.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Malformed { .. } | Self::InvalidUtf8 { .. } | Self::MissingRecordType => {
                ErrorCode::RECORD_NOT_PARSED
            }
            Self::UnknownEnumValue {
                field: "payload_security",
                ..
            } => ErrorCode::SECURE_SESSION_NOT_SUPPORTED,
            Self::MissingField(_)
            | Self::InvalidVersion(_)
            | Self::InvalidEndpointId { .. }
            | Self::EmptyPayload
            | Self::UnknownEnumValue { .. }
            | Self::InconsistentSarState { .. } => ErrorCode::INVALID_RECORD_VALUE,
        }
    }
}

impl From<crate::wire::WireError> for RecordError {
    fn from(e: crate::wire::WireError) -> Self {
        Self::Malformed {
            offset: e.offset,
            kind: e.kind,
        }
    }
}

/// How the protobuf encoding was broken; see [`RecordError::Malformed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Malformed {
    /// The input ends inside a field, or a length points past the end.
    #[error("truncated input")]
    Truncated,
    /// A varint is longer than 10 bytes or exceeds 64 bits.
    #[error("varint overflows 64 bits")]
    VarintOverflow,
    /// A key holds wire type 6 or 7.
    #[error("invalid wire type")]
    InvalidWireType,
    /// A key holds field number 0 or one above 2^29-1.
    #[error("invalid field number")]
    InvalidFieldNumber,
    /// Unknown groups are nested deeper than this decoder follows.
    #[error("groups nested too deeply")]
    NestingTooDeep,
    /// An end-group key without its start.
    #[error("end-group without start-group")]
    UnexpectedEndGroup,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<RecordError>();
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_record_error_table() {
        let malformed = RecordError::Malformed {
            offset: 0,
            kind: Malformed::Truncated,
        };
        assert_eq!(malformed.code(), ErrorCode::RECORD_NOT_PARSED);
        assert_eq!(RecordError::MissingRecordType.code().get(), 7100);
        assert_eq!(RecordError::EmptyPayload.code().get(), 7104);
        assert_eq!(RecordError::MissingField("to_id").code().get(), 7104);
        let unknown_security = RecordError::UnknownEnumValue {
            field: "payload_security",
            value: 2,
        };
        assert_eq!(unknown_security.code().get(), 7102);
        let unknown_sar = RecordError::UnknownEnumValue {
            field: "payload_sar_state",
            value: 9,
        };
        assert_eq!(unknown_sar.code().get(), 7104);
    }

    #[test]
    fn messages_name_the_field() {
        let e = RecordError::UnknownEnumValue {
            field: "payload_sar_state",
            value: 9,
        };
        assert_eq!(
            e.to_string(),
            "field `payload_sar_state` holds 9, which is not a defined value"
        );
    }
}
