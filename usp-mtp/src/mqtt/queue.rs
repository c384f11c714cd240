//! The bounded send queue of the MQTT client: a permit per accepted Record until it is
//! finished with (acknowledged, written at QoS 0, or dropped on close), for `poll_ready`;
//! a count of finished Records, for `poll_flush`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::{MtpError, MtpErrorKind};

/// How many accepted Records are finished with.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    state: Mutex<(u64, Option<Waker>)>,
}

impl Progress {
    fn finished_one(&self) {
        let waker = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.0 += 1;
            state.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn poll_reached(&self, cx: &mut Context<'_>, target: u64) -> Poll<()> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.0 >= target {
            Poll::Ready(())
        } else {
            state.1 = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// A Record accepted for sending, with where it goes. It holds a permit of the send queue
/// and counts itself finished with when dropped, which the connection task does once the
/// broker acknowledged it (QoS 1), it was written (QoS 0), or it can no longer be sent.
pub(crate) struct Outgoing {
    /// Acceptance order, to requeue in order after a reconnection.
    pub(crate) seq: u64,
    pub(crate) record: Bytes,
    pub(crate) to: String,
    pub(crate) reply_to: Option<String>,
    _permit: Option<OwnedSemaphorePermit>,
    progress: Option<Arc<Progress>>,
}

impl Outgoing {
    /// A Record the transport sends on its own (Connect or Disconnect Record): no permit,
    /// not counted by `poll_flush`.
    pub(crate) fn own(record: Bytes, to: String) -> Self {
        Self {
            seq: 0,
            record,
            to,
            reply_to: None,
            _permit: None,
            progress: None,
        }
    }

    /// Whether it is one of the transport's own Records.
    pub(crate) fn is_own(&self) -> bool {
        self.progress.is_none()
    }
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Outgoing(#{} to {:?}, {} bytes)",
            self.seq,
            self.to,
            self.record.len()
        )
    }
}

impl Drop for Outgoing {
    fn drop(&mut self) {
        if let Some(progress) = &self.progress {
            progress.finished_one();
        }
    }
}

type Acquire = Pin<Box<dyn Future<Output = Result<OwnedSemaphorePermit, AcquireError>> + Send>>;

/// The handle's side: `poll_ready` takes a permit, [`take`](Self::take) makes the
/// [`Outgoing`], `poll_flush` waits for every Outgoing made so far to be finished with.
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
            .field("accepted", &self.made)
            .finish_non_exhaustive()
    }
}

impl SendQueue {
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
                Err(TryAcquireError::Closed) => return Poll::Ready(Err(MtpError::closed())),
                Err(TryAcquireError::NoPermits) => {
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

    /// Uses the permit of `poll_ready` for a Record to `to`.
    pub(crate) fn take(
        &mut self,
        record: Bytes,
        to: String,
        reply_to: Option<String>,
    ) -> Result<Outgoing, MtpError> {
        let Some(permit) = self.permit.take() else {
            return Err(MtpError::new(
                MtpErrorKind::Config,
                "start_send without poll_ready",
            ));
        };
        self.made += 1;
        Ok(Outgoing {
            seq: self.made,
            record,
            to,
            reply_to,
            _permit: Some(permit),
            progress: Some(Arc::clone(&self.progress)),
        })
    }

    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.progress.poll_reached(cx, self.made)
    }

    /// `poll_ready` fails from now on.
    pub(crate) fn close(&mut self) {
        self.semaphore.close();
        self.acquiring = None;
        self.permit = None;
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use super::*;

    #[tokio::test]
    async fn permits_bound_the_queue_and_flush_waits_for_every_record() {
        let mut queue = SendQueue::new(2);
        let mut taken = Vec::new();
        for _ in 0..2 {
            poll_fn(|cx| queue.poll_ready(cx)).await.unwrap();
            taken.push(queue.take(Bytes::new(), "t".into(), None).unwrap());
        }
        assert_eq!((taken[0].seq, taken[1].seq), (1, 2));
        assert!(!taken[0].is_own());
        assert!(poll_fn(|cx| Poll::Ready(queue.poll_ready(cx).is_pending())).await);
        assert!(poll_fn(|cx| Poll::Ready(queue.poll_flush(cx).is_pending())).await);
        drop(taken.remove(0));
        poll_fn(|cx| queue.poll_ready(cx)).await.unwrap();
        assert!(poll_fn(|cx| Poll::Ready(queue.poll_flush(cx).is_pending())).await);
        drop(taken);
        poll_fn(|cx| queue.poll_flush(cx)).await;
        let own = Outgoing::own(Bytes::new(), "t".into());
        assert!(own.is_own());
        drop(own);
        queue.close();
        assert_eq!(
            poll_fn(|cx| queue.poll_ready(cx)).await.unwrap_err().kind(),
            MtpErrorKind::Closed
        );
        assert_eq!(
            queue
                .take(Bytes::new(), "t".into(), None)
                .unwrap_err()
                .kind(),
            MtpErrorKind::Config
        );
    }
}
