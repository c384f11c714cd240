//! `StompClient`: the handle, and the task that connects, retries and reconnects.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::StompConfig;
use super::connection::{self, End, Link, closing};
use super::queue::{Outgoing, SendQueue};
use crate::{ConnectionId, Inbound, Mtp, MtpAddress, MtpError, MtpErrorKind, MtpKind, Outbound};

/// Where a [`StompClient`] is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StompClientState {
    /// Connecting: TCP, TLS, `STOMP`/`CONNECTED`, `SUBSCRIBE` and its receipt.
    Connecting {
        /// Retries since the last subscribed connection (0 for the first attempt).
        retry_count: u32,
    },
    /// Connected and subscribed.
    Connected {
        /// The connection, numbered from 1.
        connection: ConnectionId,
        /// The destination subscribed to: the server's `subscribe-dest`, or the configured
        /// one (R-STOMP.14, R-STOMP.15).
        destination: String,
    },
    /// In the retry state, waiting before retry number `retry_count` (R-STOMP.7).
    Waiting {
        /// The retry about to happen, counted from 1.
        retry_count: u32,
        /// The wait drawn for it.
        wait: Duration,
    },
    /// Closed.
    Closed,
}

/// Counters of a [`StompClient`], since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct StompStats {
    /// Connections that got as far as a subscription.
    pub connections: u64,
    /// Errors reported through [`StompClient::last_error`].
    pub errors: u64,
    /// Received frames dropped: `MESSAGE` frames that carry no USP Record (another
    /// `content-type`, an empty body), frames over the size limit, and malformed frames
    /// the stream could be resynchronised after.
    pub dropped: u64,
    /// Records sent again on a new connection because the broker had not confirmed them.
    pub resent: u64,
    /// Records dropped because the broker refused them (see
    /// [`StompConfig::max_refusals`]).
    pub refused: u64,
}

/// What the task tells the handle.
#[derive(Debug, Clone)]
pub(crate) struct Status {
    pub(crate) state: StompClientState,
    pub(crate) last_error: Option<(MtpErrorKind, String)>,
    pub(crate) stats: StompStats,
}

/// The STOMP client transport: one connection to a STOMP server, subscribed to this
/// Endpoint's destination, kept up.
///
/// [`start`](Self::start) spawns a task on the current tokio runtime that connects,
/// reconnects and retries (R-STOMP.7, R-STOMP.25) with the [`ServerRetry`](super::ServerRetry)
/// policy, for as long as the client is open. The module documentation lists what it does
/// for each requirement.
///
/// # Sending
///
/// Records are sent to the `destination` of an [`MtpAddress::Stomp`], with its `reply_to`
/// as `reply-to-dest`, or, when that is `None`, the destination the client is subscribed
/// to at the time (R-STOMP.21). To answer a Record, pass its
/// [`Inbound::reply_to`] back unchanged. Other addresses, and an empty destination, are
/// refused with [`InvalidAddress`](MtpErrorKind::InvalidAddress); Records larger than
/// [`max_frame_len`](StompConfig::max_frame_len) less room for the frame's head
/// ([`max_header_len`](StompConfig::max_header_len), at most a quarter of the frame) with
/// [`TooLarge`](MtpErrorKind::TooLarge).
///
/// Delivery to the broker is at least once: every `SEND` asks for a receipt, and a Record
/// stays queued until its `RECEIPT` arrives. Records not confirmed when a connection ends
/// are sent again, in order, on the next one (so one may arrive twice, which the E2E layer
/// and USP Message IDs are there for). [`poll_flush`](Mtp::poll_flush) waits until every
/// Record accepted so far is confirmed; [`poll_ready`](Mtp::poll_ready) waits while
/// [`send_queue`](StompConfig::send_queue) Records are unconfirmed. Closing waits
/// [`close_timeout`](StompConfig::close_timeout) at most for the confirmations, and drops
/// what is still unconfirmed then (everything, if the client is not connected); Records
/// received while closing that find the receive queue full are dropped. A Record
/// that the broker keeps refusing is dropped after
/// [`max_refusals`](StompConfig::max_refusals) and reported.
///
/// # Receiving
///
/// `MESSAGE` frames with `content-type: application/vnd.bbf.usp.msg` become
/// [`Inbound`]s whose [`reply_to`](Inbound::reply_to) is
/// `MtpAddress::Stomp { destination: <reply-to-dest>, reply_to: None }` (R-STOMP.23). A
/// frame without `reply-to-dest` is passed up with an empty destination: the Record can be
/// processed but not answered (sending to an empty destination is refused), which is how
/// the Endpoint tells that no return path is known (R-MTP.5). Other `MESSAGE` frames cannot
/// hold a USP Record and are silently dropped (specification section "Handling Errors"),
/// counted in [`StompStats::dropped`] and reported in [`last_error`](Self::last_error).
///
/// ```no_run
/// use usp_mtp::stomp::{StompClient, StompConfig};
/// use usp_mtp::{MtpAddress, MtpExt, Outbound};
///
/// # async fn run(notify: bytes::Bytes) -> Result<(), Box<dyn std::error::Error>> {
/// let config = StompConfig::new("broker.example", 61613, "os::012345-ABC".parse()?)
///     .credentials("agent", "secret")
///     .destination("/queue/agent-012345-ABC")
///     .connect_record("self::controller".parse()?, "/queue/controller");
/// let mut agent = StompClient::start(config)?;
/// agent.wait_connected().await?; // subscribed, STOMPConnectRecord sent
/// let controller = MtpAddress::Stomp { destination: "/queue/controller".into(), reply_to: None };
/// agent.send(Outbound::new(notify, controller)).await?; // confirmed by the broker
/// let request = agent.recv().await?;
/// # let response = request.record.clone();
/// agent.send(Outbound::new(response, request.reply_to)).await?;
/// agent.close().await?; // DisconnectRecord, DISCONNECT
/// # Ok(())
/// # }
/// ```
pub struct StompClient {
    tx: Option<mpsc::UnboundedSender<Outgoing>>,
    inbound: mpsc::Receiver<Inbound>,
    queue: SendQueue,
    status: watch::Receiver<Status>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    max_record_len: usize,
}

impl fmt::Debug for StompClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StompClient")
            .field("state", &self.status.borrow().state)
            .field("queue", &self.queue)
            .field("closed", &self.tx.is_none())
            .finish_non_exhaustive()
    }
}

impl StompClient {
    /// Starts the client in a task on the current tokio runtime. Records can be sent at
    /// once; they wait for the connection.
    ///
    /// # Errors
    ///
    /// [`Config`](MtpErrorKind::Config) outside a tokio runtime, or for an invalid
    /// configuration (no host, port 0, a Connect Record without destination, a `SEND`
    /// header the client writes itself).
    pub fn start(config: StompConfig) -> Result<Self, MtpError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| {
            MtpError::new(MtpErrorKind::Config, "StompClient needs a tokio runtime").with_source(e)
        })?;
        config.validate()?;
        #[cfg(feature = "rustls")]
        if config.tls.enabled() {
            config.tls.server_name(&config.host)?;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let (inbound_tx, inbound) = mpsc::channel(config.recv_queue);
        let (status_tx, status) = watch::channel(Status {
            state: StompClientState::Connecting { retry_count: 0 },
            last_error: None,
            stats: StompStats::default(),
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let queue = SendQueue::new(config.send_queue);
        // Room for the head the broker gives the MESSAGE frame.
        let head_room = config.max_header_len.min(config.max_frame_len / 4);
        let max_record_len = config.max_frame_len - head_room;
        let link = Link {
            config,
            rx,
            pending: VecDeque::new(),
            inbound: inbound_tx,
            status: status_tx,
            shutdown: shutdown_rx,
            connections: 0,
            next_receipt: 0,
        };
        let task = runtime.spawn(run(link));
        Ok(Self {
            tx: Some(tx),
            inbound,
            queue,
            status,
            shutdown,
            task: Some(task),
            max_record_len,
        })
    }

    /// Starts the client and waits until it is subscribed.
    ///
    /// # Errors
    ///
    /// Those of [`start`](Self::start), and the failure of the first attempt (the client
    /// is then closed instead of retrying): [`Connect`](MtpErrorKind::Connect) (refused, or
    /// an `ERROR` frame in answer to `STOMP`), [`Tls`](MtpErrorKind::Tls),
    /// [`Timeout`](MtpErrorKind::Timeout), [`Protocol`](MtpErrorKind::Protocol),
    /// [`Config`](MtpErrorKind::Config) (no destination, R-STOMP.16).
    pub async fn connect(config: StompConfig) -> Result<Self, MtpError> {
        let mut client = Self::start(config)?;
        let mut status = client.status.clone();
        let outcome = status
            .wait_for(|s| !matches!(s.state, StompClientState::Connecting { .. }))
            .await
            .map(|s| (s.state.clone(), s.last_error.clone()));
        match outcome {
            Ok((StompClientState::Connected { .. }, _)) => Ok(client),
            Ok((_, error)) => {
                let _ = std::future::poll_fn(|cx| client.poll_close(cx)).await;
                Err(error.map_or_else(MtpError::closed, |(kind, m)| MtpError::new(kind, m)))
            }
            Err(_) => Err(MtpError::closed()),
        }
    }

    /// Where the client is now.
    pub fn state(&self) -> StompClientState {
        self.status.borrow().state.clone()
    }

    /// The destination subscribed to, while connected.
    pub fn destination(&self) -> Option<String> {
        match &self.status.borrow().state {
            StompClientState::Connected { destination, .. } => Some(destination.clone()),
            _ => None,
        }
    }

    /// The last error: why the last connection ended or attempt failed, or the last frame
    /// dropped or Record refused (a copy: kind and message).
    pub fn last_error(&self) -> Option<MtpError> {
        let status = self.status.borrow();
        status
            .last_error
            .as_ref()
            .map(|(kind, message)| MtpError::new(*kind, message.clone()))
    }

    /// The counters.
    pub fn stats(&self) -> StompStats {
        self.status.borrow().stats
    }

    /// Waits until the client is connected and subscribed (at once if it is), and returns
    /// the destination it is subscribed to.
    ///
    /// # Errors
    ///
    /// [`Closed`](MtpErrorKind::Closed) if the client closes first.
    pub fn wait_connected(
        &self,
    ) -> impl Future<Output = Result<String, MtpError>> + Send + 'static {
        let mut status = self.status.clone();
        async move {
            let state = status
                .wait_for(|s| {
                    matches!(
                        s.state,
                        StompClientState::Connected { .. } | StompClientState::Closed
                    )
                })
                .await
                .map(|s| s.state.clone());
            match state {
                Ok(StompClientState::Connected { destination, .. }) => Ok(destination),
                _ => Err(MtpError::closed()),
            }
        }
    }
}

impl Mtp for StompClient {
    fn kind(&self) -> MtpKind {
        MtpKind::Stomp
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Inbound, MtpError>> {
        match self.inbound.poll_recv(cx) {
            Poll::Ready(Some(inbound)) => Poll::Ready(Ok(inbound)),
            Poll::Ready(None) => Poll::Ready(Err(MtpError::closed())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.tx.is_none() || self.status.borrow().state == StompClientState::Closed {
            return Poll::Ready(Err(MtpError::closed()));
        }
        self.queue.poll_ready(cx)
    }

    fn start_send(&mut self, outbound: Outbound) -> Result<(), MtpError> {
        let MtpAddress::Stomp {
            destination,
            reply_to,
        } = outbound.to
        else {
            return Err(MtpError::new(
                MtpErrorKind::InvalidAddress,
                format!("{} is not a STOMP address", outbound.to),
            ));
        };
        if destination.is_empty() {
            return Err(MtpError::new(
                MtpErrorKind::InvalidAddress,
                "no STOMP destination (the Record answered had no reply-to-dest)",
            ));
        }
        if outbound.record.len() > self.max_record_len {
            return Err(MtpError::new(
                MtpErrorKind::TooLarge,
                format!(
                    "a Record of {} bytes is larger than the {} bytes allowed",
                    outbound.record.len(),
                    self.max_record_len
                ),
            ));
        }
        let Some(tx) = self.tx.as_ref() else {
            return Err(MtpError::closed());
        };
        let reply_to = reply_to.filter(|r| !r.is_empty());
        let outgoing = self.queue.take(outbound.record, destination, reply_to)?;
        tx.send(outgoing).map_err(|_| MtpError::closed())
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        self.queue.poll_flush(cx).map(Ok)
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.tx.take().is_some() {
            self.queue.close();
            self.shutdown.send_replace(true);
        }
        if let Some(task) = self.task.as_mut() {
            if Pin::new(task).poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.task = None;
        }
        Poll::Ready(Ok(()))
    }
}

/// The task: connect, run the connection, wait as the retry policy says, again.
async fn run(mut link: Link) {
    let mut schedule = link.config.retry.schedule();
    loop {
        link.set_state(StompClientState::Connecting {
            retry_count: schedule.retry_count(),
        });
        match connection::run(&mut link).await {
            End::Closed => break,
            End::Lost { error, subscribed } => {
                link.report(&error);
                if subscribed {
                    schedule.reset();
                }
                let wait = schedule.next().unwrap_or_default();
                link.set_state(StompClientState::Waiting {
                    retry_count: schedule.retry_count(),
                    wait,
                });
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = closing(&mut link.shutdown) => break,
                }
            }
        }
    }
    link.set_state(StompClientState::Closed);
    // Records still queued are dropped here, which finishes them for poll_flush.
    link.pending.clear();
    link.rx.close();
    while link.rx.try_recv().is_ok() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_outside_a_runtime_is_a_config_error() {
        let config = StompConfig::new("localhost", 61613, "proto::a".parse().unwrap());
        assert_eq!(
            StompClient::start(config).unwrap_err().kind(),
            MtpErrorKind::Config
        );
    }

    #[tokio::test]
    async fn addresses_and_sizes_are_checked_before_queueing() {
        let config = StompConfig::new("127.0.0.1", 9, "proto::a".parse().unwrap())
            .max_frame_len(1024)
            .max_header_len(256)
            .retry(super::super::ServerRetry::new().initial_interval(Duration::from_secs(60)));
        let mut client = StompClient::start(config).unwrap();
        assert_eq!(client.kind(), MtpKind::Stomp);
        let ws = Outbound::new(bytes::Bytes::from_static(b"r"), MtpAddress::Memory);
        std::future::poll_fn(|cx| client.poll_ready(cx))
            .await
            .unwrap();
        assert_eq!(
            client.start_send(ws).unwrap_err().kind(),
            MtpErrorKind::InvalidAddress
        );
        let empty = MtpAddress::Stomp {
            destination: String::new(),
            reply_to: None,
        };
        let r = Outbound::new(bytes::Bytes::from_static(b"r"), empty);
        assert_eq!(
            client.start_send(r).unwrap_err().kind(),
            MtpErrorKind::InvalidAddress
        );
        let to = MtpAddress::Stomp {
            destination: "/queue/x".into(),
            reply_to: None,
        };
        let big = Outbound::new(bytes::Bytes::from(vec![0u8; 769]), to.clone());
        assert_eq!(
            client.start_send(big).unwrap_err().kind(),
            MtpErrorKind::TooLarge
        );
        let fits = Outbound::new(bytes::Bytes::from(vec![0u8; 768]), to);
        client.start_send(fits).unwrap();
        assert!(format!("{client:?}").contains("StompClient"));
        std::future::poll_fn(|cx| client.poll_close(cx))
            .await
            .unwrap();
        assert_eq!(client.state(), StompClientState::Closed);
        assert_eq!(
            std::future::poll_fn(|cx| client.poll_ready(cx))
                .await
                .unwrap_err()
                .kind(),
            MtpErrorKind::Closed
        );
        // Closing while not connected drops the queued Record: flush completes.
        std::future::poll_fn(|cx| client.poll_flush(cx))
            .await
            .unwrap();
    }
}
