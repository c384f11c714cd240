//! What a session reports to the application.

use bytes::Bytes;
use usp_types::ErrorCode;

use crate::E2eError;

/// Something the application should know; drained with
/// [`SessionContext::poll_event`](crate::SessionContext::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A session began: started by us on a send, or by the peer (R-E2E.4, R-E2E.6).
    Started {
        /// Its identifier.
        session_id: u64,
        /// Whether the peer started it.
        by_peer: bool,
    },
    /// A Message arrived, reassembled if it was segmented, in order and exactly once.
    Message(Bytes),
    /// The session failed and was dropped (R-E2E.21 and the rules it refers to). After the
    /// R-E2E.10 wait a new session is started (with an empty Record when no Message is
    /// waiting).
    Restarted {
        /// The session that failed.
        old_session_id: u64,
        /// Why.
        reason: E2eError,
    },
    /// No Record was exchanged for `SessionExpiration` (R-E2E.7).
    Expired {
        /// The session that expired.
        session_id: u64,
    },
    /// The peer sent a Disconnect Record: 7105 (it terminated the session, R-E2E.6b) or
    /// 7106 (it does not allow sessions, R-E2E.6a).
    Disconnected {
        /// The reason code.
        code: ErrorCode,
        /// The reason text.
        reason: String,
    },
    /// A session ended (failure, expiry, restart by the peer, Disconnect, close) while these
    /// Messages, sent in it, were not acknowledged by the peer: they may or may not have
    /// arrived. They are not sent again automatically, since a USP request is not always
    /// safe to repeat (an Add would create a second instance); send them again with
    /// [`SessionContext::send`](crate::SessionContext::send) when the application knows
    /// it is safe.
    Unacknowledged(Vec<Bytes>),
    /// The peer asked for a Record again; it was resent.
    RetransmitRequested {
        /// The sequence number asked for.
        sequence_id: u64,
    },
}
