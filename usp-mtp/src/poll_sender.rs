//! A bounded tokio channel's sender for `poll_*` code (what `tokio-util`'s `PollSender`
//! does, without the dependency): reserve a permit, then send into it. Used by the
//! in-memory pair and the WebSocket client.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::mpsc;

use crate::{MtpError, MtpErrorKind};

type Reserve<T> =
    Pin<Box<dyn Future<Output = Result<mpsc::OwnedPermit<T>, mpsc::error::SendError<()>>> + Send>>;

/// Sends into a bounded tokio channel from `poll_*` code: reserve a permit, then send into it.
pub(crate) struct PollSender<T> {
    sender: Option<mpsc::Sender<T>>,
    reserving: Option<Reserve<T>>,
    permit: Option<mpsc::OwnedPermit<T>>,
}

impl<T> fmt::Debug for PollSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollSender")
            .field("ready", &self.permit.is_some())
            .finish()
    }
}

impl<T: Send + 'static> PollSender<T> {
    pub(crate) fn new(sender: mpsc::Sender<T>) -> Self {
        Self {
            sender: Some(sender),
            reserving: None,
            permit: None,
        }
    }

    /// Ready once a slot is reserved; an error when the receiver is gone.
    pub(crate) fn poll_reserve(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.permit.is_some() {
            return Poll::Ready(Ok(()));
        }
        if self.reserving.is_none() {
            let Some(sender) = self.sender.clone() else {
                return Poll::Ready(Err(MtpError::closed()));
            };
            self.reserving = Some(Box::pin(sender.reserve_owned()));
        }
        let Some(reserving) = self.reserving.as_mut() else {
            return Poll::Ready(Err(MtpError::closed()));
        };
        match reserving.as_mut().poll(cx) {
            Poll::Ready(Ok(permit)) => {
                self.reserving = None;
                self.permit = Some(permit);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(_)) => {
                self.reserving = None;
                Poll::Ready(Err(MtpError::closed()))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    /// Sends into the reserved slot.
    pub(crate) fn send_item(&mut self, item: T) -> Result<(), MtpError> {
        match self.permit.take() {
            Some(permit) => {
                permit.send(item);
                Ok(())
            }
            None => Err(MtpError::new(
                MtpErrorKind::Config,
                "start_send without a successful poll_ready",
            )),
        }
    }

    /// Drops the sender, so that the receiving task sees the end of the queue once drained.
    pub(crate) fn close(&mut self) {
        self.sender = None;
        self.reserving = None;
        self.permit = None;
    }
}
