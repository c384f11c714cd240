//! The bounded send queue shared by the UDS client and server: permits for backpressure
//! (`poll_ready`), Records that count themselves as handed over when dropped (`poll_flush`).

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore, mpsc};

use crate::{MtpError, MtpErrorKind};

/// How many of the Records accepted for sending are finished with: written to a socket, or
/// dropped because the connection they were meant for is gone or the transport closed.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    state: Mutex<ProgressState>,
}

#[derive(Debug, Default)]
struct ProgressState {
    done: u64,
    waker: Option<Waker>,
}

impl Progress {
    fn record_done(&self) {
        let waker = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.done += 1;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Ready once `target` Records are finished with.
    fn poll_reached(&self, cx: &mut Context<'_>, target: u64) -> Poll<()> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.done >= target {
            Poll::Ready(())
        } else {
            state.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// A Record accepted for sending. It holds one permit of the send queue until it is
/// dropped, and counts itself finished with ([`Progress`]) when dropped: after it was
/// written, or when it can no longer be.
pub(crate) struct Outgoing {
    pub(crate) record: Bytes,
    _permit: OwnedSemaphorePermit,
    progress: Arc<Progress>,
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Outgoing({} bytes)", self.record.len())
    }
}

impl Drop for Outgoing {
    fn drop(&mut self) {
        self.progress.record_done();
    }
}

type Acquire = Pin<Box<dyn Future<Output = Result<OwnedSemaphorePermit, AcquireError>> + Send>>;

/// The handle's side of the send queue: `poll_ready` takes a permit, `start_send` turns it
/// into an [`Outgoing`], `poll_flush` waits for every Outgoing made so far to be finished.
pub(crate) struct SendQueue {
    semaphore: Arc<Semaphore>,
    acquiring: Option<Acquire>,
    permit: Option<OwnedSemaphorePermit>,
    progress: Arc<Progress>,
    made: u64,
}

impl fmt::Debug for SendQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendQueue")
            .field("free", &self.semaphore.available_permits())
            .field("ready", &self.permit.is_some())
            .field("accepted", &self.made)
            .finish()
    }
}

impl SendQueue {
    /// A queue of at most `capacity` Records (at least 1) not yet finished with.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            semaphore: Arc::new(Semaphore::new(capacity.clamp(1, Semaphore::MAX_PERMITS))),
            acquiring: None,
            permit: None,
            progress: Arc::new(Progress::default()),
            made: 0,
        }
    }

    pub(crate) fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.permit.is_some() {
            return Poll::Ready(Ok(()));
        }
        if self.acquiring.is_none() {
            match Arc::clone(&self.semaphore).try_acquire_owned() {
                Ok(permit) => {
                    self.permit = Some(permit);
                    return Poll::Ready(Ok(()));
                }
                Err(tokio::sync::TryAcquireError::Closed) => {
                    return Poll::Ready(Err(MtpError::closed()));
                }
                Err(tokio::sync::TryAcquireError::NoPermits) => {
                    self.acquiring = Some(Box::pin(Arc::clone(&self.semaphore).acquire_owned()));
                }
            }
        }
        let Some(acquiring) = self.acquiring.as_mut() else {
            return Poll::Ready(Err(MtpError::closed()));
        };
        match acquiring.as_mut().poll(cx) {
            Poll::Ready(Ok(permit)) => {
                self.acquiring = None;
                self.permit = Some(permit);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(_)) => {
                self.acquiring = None;
                Poll::Ready(Err(MtpError::closed()))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    /// Uses the permit of `poll_ready` for `record`. From here on the Record counts for
    /// `poll_flush` until the returned Outgoing is dropped.
    pub(crate) fn take(&mut self, record: Bytes) -> Result<Outgoing, MtpError> {
        let Some(permit) = self.permit.take() else {
            return Err(MtpError::new(
                MtpErrorKind::Config,
                "start_send without poll_ready",
            ));
        };
        self.made += 1;
        Ok(Outgoing {
            record,
            _permit: permit,
            progress: Arc::clone(&self.progress),
        })
    }

    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.progress.poll_reached(cx, self.made)
    }

    /// No more permits: `poll_ready` fails from now on.
    pub(crate) fn close(&mut self) {
        self.semaphore.close();
        self.acquiring = None;
        self.permit = None;
    }
}

/// The connection's side: the Records to write, in order.
#[derive(Debug)]
pub(crate) struct Outbox {
    rx: mpsc::UnboundedReceiver<Outgoing>,
    /// Records taken off `rx` for a connection that closed before writing them, sent first
    /// on the next connection (client only).
    retry: VecDeque<Outgoing>,
}

impl Outbox {
    pub(crate) fn new(rx: mpsc::UnboundedReceiver<Outgoing>) -> Self {
        Self {
            rx,
            retry: VecDeque::new(),
        }
    }

    /// The next Record, waiting for one; `None` once the queue is closed and empty.
    pub(crate) async fn next(&mut self) -> Option<Outgoing> {
        match self.retry.pop_front() {
            Some(o) => Some(o),
            None => self.rx.recv().await,
        }
    }

    /// The next Record if there is one now.
    pub(crate) fn try_next(&mut self) -> Option<Outgoing> {
        self.retry.pop_front().or_else(|| self.rx.try_recv().ok())
    }

    /// Takes no more Records; those queued are still returned.
    pub(crate) fn close(&mut self) {
        self.rx.close();
    }

    /// Puts Records that were not written back at the front, keeping their order.
    pub(crate) fn requeue(&mut self, unsent: Vec<Outgoing>) {
        for o in unsent.into_iter().rev() {
            self.retry.push_front(o);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use super::*;

    #[tokio::test]
    async fn flush_waits_for_every_record_to_be_dropped_and_permits_bound_the_queue() {
        let mut queue = SendQueue::new(2);
        let (tx, rx) = mpsc::unbounded_channel();
        let mut outbox = Outbox::new(rx);
        for r in [&b"a"[..], b"b"] {
            poll_fn(|cx| queue.poll_ready(cx)).await.unwrap();
            tx.send(queue.take(Bytes::from_static(r)).unwrap()).unwrap();
        }
        assert!(poll_fn(|cx| Poll::Ready(queue.poll_ready(cx).is_pending())).await);
        assert!(poll_fn(|cx| Poll::Ready(queue.poll_flush(cx).is_pending())).await);
        let a = outbox.next().await.unwrap();
        outbox.requeue(vec![a]);
        assert_eq!(&outbox.try_next().unwrap().record[..], b"a");
        assert!(poll_fn(|cx| Poll::Ready(queue.poll_flush(cx).is_pending())).await);
        drop(outbox.next().await);
        poll_fn(|cx| queue.poll_flush(cx)).await;
        poll_fn(|cx| queue.poll_ready(cx)).await.unwrap();
        queue.close();
        assert_eq!(
            poll_fn(|cx| queue.poll_ready(cx)).await.unwrap_err().kind(),
            MtpErrorKind::Closed
        );
        assert_eq!(
            queue.take(Bytes::new()).unwrap_err().kind(),
            MtpErrorKind::Config
        );
    }
}
