//! Why a Record was refused or a session failed.

use usp_types::ErrorCode;

/// A Record the session cannot accept, or an API misuse.
///
/// Faults of the peer fail the session, which restarts it (R-E2E.21): the error says why,
/// and an [`Event::Restarted`](crate::Event::Restarted) follows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum E2eError {
    /// Not a `session_context` Record.
    #[error("not a session_context Record")]
    NotSessionContext,
    /// The Record is not from this session's peer to this endpoint.
    #[error("Record is not from the session's peer to this endpoint")]
    WrongEndpoint,
    /// `payload_security` differs from the session's (R-E2E.19).
    #[error("payload_security changed within the session (R-E2E.19)")]
    PayloadSecurityChanged,
    /// The peer asked for a Record that is not in the outgoing buffer, or asked too often
    /// (`MaxRetransmitTries`).
    #[error("retransmission of sequence {0} is impossible or was asked too often")]
    RetransmitFailed(u64),
    /// Segmentation states out of order, or a payload security this crate cannot reassemble.
    #[error("segmentation and reassembly failed: {0}")]
    Reassembly(&'static str),
    /// Reassembly or the out-of-order buffer would exceed its configured limit.
    #[error("limit exceeded: {0}")]
    LimitExceeded(&'static str),
    /// A sequence number within 10,000 of the maximum (R-E2E.8).
    #[error("sequence numbers exhausted (R-E2E.8)")]
    SequenceExhausted,
    /// Sessions are not allowed by configuration (R-E2E.6a).
    #[error("session context not allowed")]
    NotAllowed,
    /// The session was closed by [`SessionContext::close`](crate::SessionContext::close).
    #[error("session closed")]
    Closed,
    /// The payload to send is empty.
    #[error("empty payload")]
    EmptyPayload,
}

impl E2eError {
    /// The Record error code that reports this fault in a Disconnect Record.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotSessionContext | Self::WrongEndpoint | Self::EmptyPayload => {
                ErrorCode::INVALID_RECORD_VALUE
            }
            Self::PayloadSecurityChanged => ErrorCode::SECURE_SESSION_NOT_SUPPORTED,
            Self::NotAllowed => ErrorCode::SESSION_CONTEXT_NOT_ALLOWED,
            _ => ErrorCode::SESSION_CONTEXT_TERMINATED,
        }
    }
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<E2eError>();
};
