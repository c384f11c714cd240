//! The `Mtp` trait: one encoded Record plus addressing, in and out.

use std::fmt;
use std::future::poll_fn;
use std::task::{Context, Poll};

use bytes::Bytes;

use crate::{MtpAddress, MtpError};

/// Which transport an [`Mtp`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MtpKind {
    /// [`MemoryMtp`](crate::MemoryMtp).
    Memory,
    /// WebSocket (specification section "WebSocket Binding").
    WebSocket,
    /// MQTT 3.1.1 or 5.
    Mqtt,
    /// STOMP 1.2.
    Stomp,
    /// UNIX domain socket.
    Uds,
    /// CoAP (obsolete since USP 1.3).
    Coap,
}

/// A Record received, with the address to reply to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inbound {
    /// The encoded Record, exactly as received.
    pub record: Bytes,
    /// Where a reply to this Record goes.
    pub reply_to: MtpAddress,
}

impl Inbound {
    /// A received Record.
    pub fn new(record: Bytes, reply_to: MtpAddress) -> Self {
        Self { record, reply_to }
    }
}

/// A Record to send, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outbound {
    /// The encoded Record.
    pub record: Bytes,
    /// Where to send it.
    pub to: MtpAddress,
}

impl Outbound {
    /// A Record to send to `to`.
    pub fn new(record: Bytes, to: MtpAddress) -> Self {
        Self { record, to }
    }
}

/// A Message Transfer Protocol: carries encoded USP Records between Endpoints.
///
/// Object safe, so that an Endpoint can hold a `Box<dyn Mtp>` chosen at run time. The unit
/// of transfer is one encoded Record: transports never parse USP Messages. They do send and
/// recognise the MTP's own Connect Record when the specification requires it (R-MTP.6), and
/// pass `DisconnectRecord`s up like any other Record.
///
/// Receiving is [`poll_recv`](Self::poll_recv); sending is shaped like a sink:
/// [`poll_ready`](Self::poll_ready), then [`start_send`](Self::start_send), then
/// [`poll_flush`](Self::poll_flush). Everyday code uses the async methods of [`MtpExt`].
pub trait Mtp: Send + fmt::Debug + 'static {
    /// Which transport this is.
    fn kind(&self) -> MtpKind;

    /// Waits for the next Record. An error of kind [`Closed`](crate::MtpErrorKind::Closed)
    /// ends the stream.
    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Inbound, MtpError>>;

    /// Waits until [`start_send`](Self::start_send) can take a Record.
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>>;

    /// Queues a Record; call only after [`poll_ready`](Self::poll_ready) returned ready.
    fn start_send(&mut self, outbound: Outbound) -> Result<(), MtpError>;

    /// Waits until every queued Record has been handed to the network.
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>>;

    /// Flushes and closes the transport (sending a `DisconnectRecord` first where the
    /// transport does, R-MTP.7).
    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>>;
}

impl<M: Mtp + ?Sized> Mtp for Box<M> {
    fn kind(&self) -> MtpKind {
        (**self).kind()
    }
    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Inbound, MtpError>> {
        (**self).poll_recv(cx)
    }
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        (**self).poll_ready(cx)
    }
    fn start_send(&mut self, outbound: Outbound) -> Result<(), MtpError> {
        (**self).start_send(outbound)
    }
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        (**self).poll_flush(cx)
    }
    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        (**self).poll_close(cx)
    }
}

/// Async methods for every [`Mtp`].
///
/// ```
/// use usp_mtp::{MemoryMtp, MtpAddress, MtpExt, Outbound};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (mut agent, mut controller) = MemoryMtp::pair(16);
/// agent.send(Outbound::new(bytes::Bytes::from_static(b"record"), MtpAddress::Memory)).await?;
/// let inbound = controller.recv().await?;
/// assert_eq!(&inbound.record[..], b"record");
/// # Ok::<(), usp_mtp::MtpError>(())
/// # }).unwrap();
/// ```
pub trait MtpExt: Mtp {
    /// Receives the next Record.
    fn recv(&mut self) -> impl Future<Output = Result<Inbound, MtpError>> + Send + '_ {
        poll_fn(move |cx| self.poll_recv(cx))
    }

    /// Sends a Record and waits until it is handed to the network.
    fn send(
        &mut self,
        outbound: Outbound,
    ) -> impl Future<Output = Result<(), MtpError>> + Send + '_ {
        let mut outbound = Some(outbound);
        poll_fn(move |cx| {
            if let Some(o) = outbound.take() {
                match self.poll_ready(cx) {
                    Poll::Ready(Ok(())) => self.start_send(o)?,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => {
                        outbound = Some(o);
                        return Poll::Pending;
                    }
                }
            }
            self.poll_flush(cx)
        })
    }

    /// Closes the transport.
    fn close(&mut self) -> impl Future<Output = Result<(), MtpError>> + Send + '_ {
        poll_fn(move |cx| self.poll_close(cx))
    }
}

impl<M: Mtp + ?Sized> MtpExt for M {}
