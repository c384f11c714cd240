//! The byte stream under a WebSocket: plain TCP, or TLS over TCP.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Plain TCP, or TLS (boxed: a TLS session is large, and idle plain connections should stay
/// small).
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(TcpStream),
    #[cfg(feature = "rustls")]
    ClientTls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    #[cfg(feature = "rustls")]
    ServerTls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl Stream {
    /// The DER certificate the peer authenticated with, if any.
    #[cfg(feature = "rustls")]
    pub(crate) fn peer_certificate(&self) -> Option<bytes::Bytes> {
        let certs = match self {
            Self::Plain(_) => None,
            Self::ClientTls(s) => s.get_ref().1.peer_certificates(),
            Self::ServerTls(s) => s.get_ref().1.peer_certificates(),
        };
        certs
            .and_then(|c| c.first())
            .map(|c| bytes::Bytes::copy_from_slice(c.as_ref()))
    }
}

macro_rules! delegate {
    ($self:ident, $s:ident => $e:expr) => {
        match $self.get_mut() {
            Self::Plain($s) => {
                let $s = Pin::new($s);
                $e
            }
            #[cfg(feature = "rustls")]
            Self::ClientTls($s) => {
                let $s = Pin::new(&mut **$s);
                $e
            }
            #[cfg(feature = "rustls")]
            Self::ServerTls($s) => {
                let $s = Pin::new(&mut **$s);
                $e
            }
        }
    };
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        delegate!(self, s => s.poll_read(cx, buf))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, s => s.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, s => s.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, s => s.poll_shutdown(cx))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, s => s.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Plain(s) => s.is_write_vectored(),
            #[cfg(feature = "rustls")]
            Self::ClientTls(s) => s.is_write_vectored(),
            #[cfg(feature = "rustls")]
            Self::ServerTls(s) => s.is_write_vectored(),
        }
    }
}
