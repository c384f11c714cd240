//! The bounded send queue of the STOMP client: permits for backpressure (`poll_ready`),
//! and Records that count themselves as finished with when dropped (`poll_flush`), which
//! the connection does only once the broker's RECEIPT for them has arrived.

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
struct Progress {
    state: Mutex<(u64, Option<Waker>)>,
}

impl Progress {
    fn one_done(&self) {
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

/// A Record accepted for sending, with where it goes. It holds a permit of the queue and
/// counts as finished with when dropped: after its RECEIPT, or when the client closes.
pub(crate) struct Outgoing {
    pub(crate) record: Bytes,
    pub(crate) destination: String,
    pub(crate) reply_to: Option<String>,
    /// Connections that ended with an ERROR frame while this was the oldest Record
    /// waiting for a receipt.
    pub(crate) refusals: u32,
    _permit: OwnedSemaphorePermit,
    progress: Arc<Progress>,
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Outgoing({} bytes to {})",
            self.record.len(),
            self.destination
        )
    }
}

impl Drop for Outgoing {
    fn drop(&mut self) {
        self.progress.one_done();
    }
}

type Acquire = Pin<Box<dyn Future<Output = Result<OwnedSemaphorePermit, AcquireError>> + Send>>;

/// The handle's side: `poll_ready` takes a permit, `take` turns it into an [`Outgoing`],
/// `poll_flush` waits for every Outgoing made so far to be dropped.
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
    /// At most `capacity` Records (at least one) accepted and not finished with.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            semaphore: Arc::new(Semaphore::new(capacity.clamp(1, Semaphore::MAX_PERMITS))),
            acquiring: None,
            permit: None,
            progress: Arc::default(),
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

    /// Uses the permit of `poll_ready`.
    pub(crate) fn take(
        &mut self,
        record: Bytes,
        destination: String,
        reply_to: Option<String>,
    ) -> Result<Outgoing, MtpError> {
        let Some(permit) = self.permit.take() else {
            return Err(MtpError::new(
                MtpErrorKind::Config,
                "start_send without a successful poll_ready",
            ));
        };
        self.made += 1;
        Ok(Outgoing {
            record,
            destination,
            reply_to,
            refusals: 0,
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

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use super::*;

    #[tokio::test]
    async fn permits_bound_the_queue_and_flush_waits_for_drops() {
        let mut queue = SendQueue::new(2);
        let mut taken = Vec::new();
        for _ in 0..2 {
            poll_fn(|cx| queue.poll_ready(cx)).await.unwrap();
            taken.push(
                queue
                    .take(Bytes::from_static(b"r"), "/q".into(), None)
                    .unwrap(),
            );
        }
        assert!(poll_fn(|cx| Poll::Ready(queue.poll_ready(cx).is_pending())).await);
        assert!(poll_fn(|cx| Poll::Ready(queue.poll_flush(cx).is_pending())).await);
        assert!(format!("{:?}", taken[0]).contains("1 bytes to /q"));
        taken.pop();
        poll_fn(|cx| queue.poll_ready(cx)).await.unwrap();
        assert!(poll_fn(|cx| Poll::Ready(queue.poll_flush(cx).is_pending())).await);
        taken.clear();
        poll_fn(|cx| queue.poll_flush(cx)).await;
        queue.close();
        assert_eq!(
            queue
                .take(Bytes::new(), String::new(), None)
                .unwrap_err()
                .kind(),
            MtpErrorKind::Config
        );
        assert_eq!(
            poll_fn(|cx| queue.poll_ready(cx)).await.unwrap_err().kind(),
            MtpErrorKind::Closed
        );
    }
}
