//! What can go wrong when an Endpoint talks to another.

use std::fmt;

use usp_msg::{ErrorCode, MsgType, UspError};
use usp_mtp::MtpError;
use usp_types::EndpointId;

/// One parameter's failure inside an [`Error::Usp`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParamFailure {
    /// The parameter path.
    pub path: String,
    /// The error code.
    pub code: ErrorCode,
    /// The explanation.
    pub message: String,
}

/// An error of a request, a transport or the Endpoint itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The peer answered with an Error Message (specification section "Error").
    #[error("the peer answered with error {code}: {message}")]
    Usp {
        /// The error code (7000-7999).
        code: ErrorCode,
        /// The explanation.
        message: String,
        /// The parameters that failed, when the peer named them.
        params: Vec<ParamFailure>,
    },
    /// A command failed, either in its OperateResp or in its OperationComplete.
    #[error("the command failed with error {code}: {message}")]
    Command {
        /// The error code.
        code: ErrorCode,
        /// The explanation.
        message: String,
    },
    /// No answer came in time.
    #[error("no response within {0:?}")]
    Timeout(std::time::Duration),
    /// The peer answered with a Message of the wrong type.
    #[error("expected a {expected:?} response, got {got:?}")]
    UnexpectedResponse {
        /// The response type the request calls for.
        expected: MsgType,
        /// What came.
        got: MsgType,
    },
    /// The peer's answer could not be decoded.
    #[error("the response could not be decoded: {0}")]
    Decode(#[from] usp_msg::DecodeError),
    /// No transport knows how to reach this Endpoint yet: it has not connected, and no
    /// route was configured for it.
    #[error("no route to {0}")]
    NoRoute(EndpointId),
    /// A transport failed.
    #[error("transport error: {0}")]
    Transport(#[from] MtpError),
    /// The E2E session refused the Message.
    #[error("E2E session error: {0}")]
    E2e(#[from] usp_e2e::E2eError),
    /// A Record could not be built (an empty payload, an invalid Endpoint ID).
    #[error("record error: {0}")]
    Record(#[from] usp_record::RecordError),
    /// Too many Records are queued for a transport that does not take them.
    #[error("the transport's queue is full")]
    Backpressure,
    /// The Endpoint has stopped.
    #[error("the endpoint has stopped")]
    Closed,
}

impl Error {
    /// The USP error code that describes this error, where one applies: the peer's code
    /// for [`Usp`](Self::Usp) and [`Command`](Self::Command), 7000 otherwise.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Usp { code, .. } | Self::Command { code, .. } => *code,
            _ => ErrorCode::MESSAGE_FAILED,
        }
    }

    pub(crate) fn from_usp(e: &UspError<'_>) -> Self {
        Self::Usp {
            code: e.err_code,
            message: e.err_msg.to_string(),
            params: e
                .param_errs
                .iter()
                .map(|p| ParamFailure {
                    path: p.param_path.to_string(),
                    code: p.err_code,
                    message: p.err_msg.to_string(),
                })
                .collect(),
        }
    }
}

impl fmt::Display for ParamFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} {}", self.path, self.code, self.message)
    }
}
