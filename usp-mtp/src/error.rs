//! `MtpError`: opaque, with a kind, so that no dependency's type appears in the API.

use std::error::Error as StdError;
use std::fmt;

/// What went wrong in a transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MtpErrorKind {
    /// Connecting (or accepting) failed.
    Connect,
    /// The transport or the connection is closed.
    Closed,
    /// An I/O error.
    Io,
    /// TLS failed (handshake, certificate, or the certificate's Endpoint ID).
    Tls,
    /// The peer broke the MTP's rules (framing, handshake, subprotocol, frame type).
    Protocol,
    /// Something took longer than allowed (a handshake, a keepalive).
    Timeout,
    /// The address does not fit this transport, or names no known peer.
    InvalidAddress,
    /// A Record larger than the transport or its peer accepts.
    TooLarge,
    /// A configuration value is wrong.
    Config,
}

impl fmt::Display for MtpErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect failed",
            Self::Closed => "closed",
            Self::Io => "I/O error",
            Self::Tls => "TLS error",
            Self::Protocol => "protocol error",
            Self::Timeout => "timed out",
            Self::InvalidAddress => "invalid address",
            Self::TooLarge => "too large",
            Self::Config => "invalid configuration",
        })
    }
}

/// A transport error: a [`kind`](MtpError::kind), a message, and the underlying error as
/// [`source`](StdError::source) (boxed, so that the versions of the crates a transport uses
/// never become part of this API).
pub struct MtpError {
    kind: MtpErrorKind,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl MtpError {
    /// An error of `kind` with a message.
    pub fn new(kind: MtpErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// The same error, caused by `source`.
    #[must_use]
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> MtpErrorKind {
        self.kind
    }

    /// The transport is closed.
    pub fn closed() -> Self {
        Self::new(MtpErrorKind::Closed, "the transport is closed")
    }
}

impl fmt::Debug for MtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("MtpError");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for MtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl StdError for MtpError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

impl From<std::io::Error> for MtpError {
    fn from(e: std::io::Error) -> Self {
        Self::new(MtpErrorKind::Io, e.to_string()).with_source(e)
    }
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<MtpError>();
};
