//! `MemoryMtp`: an in-process pair, for tests and examples.

use std::task::{Context, Poll};

use crate::poll_sender::PollSender;
use bytes::Bytes;
use tokio::sync::mpsc;

use crate::{Inbound, Mtp, MtpAddress, MtpError, MtpErrorKind, MtpKind, Outbound};

/// Two connected in-process transports: what one sends, the other receives, in order.
/// Bounded: a full queue makes the sender wait (`poll_ready`), never drop.
#[derive(Debug)]
pub struct MemoryMtp {
    rx: mpsc::Receiver<Bytes>,
    tx: PollSender<Bytes>,
    closed: bool,
}

impl MemoryMtp {
    /// A connected pair, each direction holding up to `capacity` Records in flight.
    pub fn pair(capacity: usize) -> (Self, Self) {
        let (a_tx, b_rx) = mpsc::channel(capacity.max(1));
        let (b_tx, a_rx) = mpsc::channel(capacity.max(1));
        (
            Self {
                rx: a_rx,
                tx: PollSender::new(a_tx),
                closed: false,
            },
            Self {
                rx: b_rx,
                tx: PollSender::new(b_tx),
                closed: false,
            },
        )
    }
}

impl Mtp for MemoryMtp {
    fn kind(&self) -> MtpKind {
        MtpKind::Memory
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Inbound, MtpError>> {
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(record)) => Poll::Ready(Ok(Inbound::new(record, MtpAddress::Memory))),
            Poll::Ready(None) => Poll::Ready(Err(MtpError::closed())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.closed {
            return Poll::Ready(Err(MtpError::closed()));
        }
        self.tx.poll_reserve(cx)
    }

    fn start_send(&mut self, outbound: Outbound) -> Result<(), MtpError> {
        if outbound.to != MtpAddress::Memory {
            return Err(MtpError::new(
                MtpErrorKind::InvalidAddress,
                format!("{} is not a memory address", outbound.to),
            ));
        }
        self.tx.send_item(outbound.record)
    }

    fn poll_flush(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        // A Record queued is handed over.
        Poll::Ready(Ok(()))
    }

    fn poll_close(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        self.closed = true;
        self.tx.close();
        self.rx.close();
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use super::*;
    use crate::MtpExt;

    fn out(b: &'static [u8]) -> Outbound {
        Outbound::new(Bytes::from_static(b), MtpAddress::Memory)
    }

    #[tokio::test]
    async fn records_arrive_in_order_both_ways() {
        let (mut a, mut b) = MemoryMtp::pair(4);
        for r in [&b"1"[..], b"2", b"3"] {
            a.send(out(r)).await.unwrap();
        }
        b.send(out(b"back")).await.unwrap();
        for r in [&b"1"[..], b"2", b"3"] {
            assert_eq!(&b.recv().await.unwrap().record[..], r);
        }
        assert_eq!(&a.recv().await.unwrap().record[..], b"back");
    }

    #[tokio::test]
    async fn a_full_queue_makes_the_sender_wait_instead_of_dropping() {
        let (mut a, mut b) = MemoryMtp::pair(1);
        a.send(out(b"1")).await.unwrap();
        let ready = poll_fn(|cx| Poll::Ready(a.poll_ready(cx).is_pending())).await;
        assert!(ready, "the second Record waits for room");
        assert_eq!(&b.recv().await.unwrap().record[..], b"1");
        a.send(out(b"2")).await.unwrap();
        assert_eq!(&b.recv().await.unwrap().record[..], b"2");
    }

    #[tokio::test]
    async fn closing_ends_the_peer_stream() {
        let (mut a, mut b) = MemoryMtp::pair(4);
        a.send(out(b"last")).await.unwrap();
        a.close().await.unwrap();
        assert_eq!(&b.recv().await.unwrap().record[..], b"last");
        assert_eq!(b.recv().await.unwrap_err().kind(), MtpErrorKind::Closed);
        assert_eq!(
            a.send(out(b"x")).await.unwrap_err().kind(),
            MtpErrorKind::Closed
        );
    }

    #[tokio::test]
    async fn works_as_a_boxed_trait_object() {
        let (a, b) = MemoryMtp::pair(4);
        let (mut a, mut b): (Box<dyn Mtp>, Box<dyn Mtp>) = (Box::new(a), Box::new(b));
        assert_eq!(a.kind(), MtpKind::Memory);
        a.send(out(b"dyn")).await.unwrap();
        assert_eq!(&b.recv().await.unwrap().record[..], b"dyn");
    }

    #[tokio::test]
    async fn another_transports_address_is_refused() {
        let (mut a, _b) = MemoryMtp::pair(4);
        let to = MtpAddress::Coap {
            uri: "coap://x".into(),
        };
        let err = a
            .send(Outbound::new(Bytes::from_static(b"x"), to))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), MtpErrorKind::InvalidAddress);
    }
}
