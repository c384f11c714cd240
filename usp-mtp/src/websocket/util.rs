//! Small pieces shared by the client and the server: the "written so far" counter behind
//! `poll_flush`, and error conversion.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use tokio_tungstenite::tungstenite;

use crate::{MtpError, MtpErrorKind};

/// How many Records the connection tasks have finished with (written, or dropped because
/// their connection closed): what `poll_flush` compares the handle's count of accepted
/// Records with.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    done: AtomicU64,
    waker: AtomicWaker,
}

impl Progress {
    pub(crate) fn new() -> Arc<Self> {
        Arc::default()
    }

    /// `n` more Records are finished with.
    pub(crate) fn advance(&self, n: usize) {
        if n > 0 {
            self.done.fetch_add(n as u64, Ordering::AcqRel);
            self.waker.wake();
        }
    }

    /// Ready once `accepted` Records are finished with.
    pub(crate) fn poll_reached(&self, accepted: u64, cx: &mut Context<'_>) -> Poll<()> {
        if self.done.load(Ordering::Acquire) >= accepted {
            return Poll::Ready(());
        }
        self.waker.register(cx.waker());
        if self.done.load(Ordering::Acquire) >= accepted {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Wakes a waiting `poll_flush` without progress (the transport closed).
    pub(crate) fn wake(&self) {
        self.waker.wake();
    }
}

/// Converts a tungstenite error, keeping it as the source.
pub(crate) fn ws_error(e: tungstenite::Error) -> MtpError {
    use tungstenite::Error as E;
    let kind = match &e {
        E::ConnectionClosed | E::AlreadyClosed => MtpErrorKind::Closed,
        E::Io(io) => return io_error(io.kind(), e.to_string()).with_source(e),
        E::Capacity(_) | E::WriteBufferFull(_) => MtpErrorKind::TooLarge,
        E::Url(_) | E::HttpFormat(_) => MtpErrorKind::Config,
        E::Http(response) => {
            let message = format!(
                "the server refused the WebSocket handshake with HTTP {}",
                response.status()
            );
            return MtpError::new(MtpErrorKind::Connect, message).with_source(e);
        }
        _ => MtpErrorKind::Protocol,
    };
    MtpError::new(kind, e.to_string()).with_source(e)
}

/// An I/O error's kind, refined: a TLS failure surfaces from tokio-rustls as an I/O error.
pub(crate) fn io_error(kind: std::io::ErrorKind, message: String) -> MtpError {
    let kind = match kind {
        std::io::ErrorKind::InvalidData => MtpErrorKind::Tls,
        std::io::ErrorKind::TimedOut => MtpErrorKind::Timeout,
        std::io::ErrorKind::ConnectionRefused => MtpErrorKind::Connect,
        _ => MtpErrorKind::Io,
    };
    MtpError::new(kind, message)
}

/// Converts an I/O error, keeping it as the source.
pub(crate) fn from_io(e: std::io::Error) -> MtpError {
    io_error(e.kind(), e.to_string()).with_source(e)
}

/// A timeout error.
pub(crate) fn timed_out(what: &str) -> MtpError {
    MtpError::new(MtpErrorKind::Timeout, format!("{what} timed out"))
}

/// An error's kind and message (its source is not cloneable), to keep a copy of it.
pub(crate) fn error_parts(e: &MtpError) -> (MtpErrorKind, String) {
    let text = e.to_string();
    let prefix = format!("{}: ", e.kind());
    let message = text.strip_prefix(&prefix).unwrap_or(&text).to_owned();
    (e.kind(), message)
}
