//! `DisconnectRecord`.

use usp_types::ErrorCode;

/// `DisconnectRecord`: the sender closes the USP conversation (specification section
/// "DisconnectRecord fields"). Both fields are optional on the wire.
///
/// ```
/// use usp_record::Disconnect;
/// use usp_types::ErrorCode;
///
/// let d = Disconnect::new(ErrorCode::SESSION_CONTEXT_TERMINATED, "restarting");
/// assert_eq!(d.reason_code().get(), 7105);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Disconnect {
    reason_code: ErrorCode,
    reason: String,
}

impl Disconnect {
    /// A Disconnect with a code and a human-readable reason (either may be empty/zero).
    pub fn new(reason_code: ErrorCode, reason: impl Into<String>) -> Self {
        Self {
            reason_code,
            reason: reason.into(),
        }
    }

    /// The code giving the reason; `ErrorCode::new(0)` when none was sent.
    pub fn reason_code(&self) -> ErrorCode {
        self.reason_code
    }

    /// The reason text; empty when none was sent.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}
