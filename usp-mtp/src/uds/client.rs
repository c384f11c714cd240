//! `UdsClient`: connects to a UDS server, and reconnects (R-UDS.4, R-UDS.5).

use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::net::UnixStream;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::config::UdsClientConfig;
use super::connection::{self, End, Side, closing};
use super::queue::{Outbox, Outgoing, SendQueue};
use crate::{ConnectionId, Inbound, Mtp, MtpAddress, MtpError, MtpErrorKind, MtpKind, Outbound};

/// The client end of the UNIX domain socket MTP: one connection to a server, kept up.
///
/// Created with [`UdsClient::new`], which starts a background task on the current tokio
/// runtime. That task connects to the socket (R-UDS.4), sends the Handshake with the local
/// Endpoint ID (R-UDS.16) and waits at most the handshake timeout, 30 s by default, for the
/// server's (R-UDS.18). When the connection fails or closes, it connects again after a random
/// delay between 1 and 5 s (R-UDS.5), for as long as the client is open.
///
/// As an [`Agent`](super::UdsRole::Agent), the client sends a `UDSConnectRecord` first on
/// every connection (R-MTP.6), and a `DisconnectRecord` when closed (R-MTP.7).
///
/// # Sending
///
/// Records go to the one server, whatever the connection and Endpoint ID of the
/// [`MtpAddress::Uds`] they are sent to (another kind of address is refused with
/// [`InvalidAddress`](MtpErrorKind::InvalidAddress)). They wait in a bounded queue
/// ([`send_queue`](UdsClientConfig::send_queue)) while the client is not connected:
/// `poll_ready` waits when it is full, and `poll_flush` waits until they have been written.
/// No Record accepted by `start_send` is lost to a reconnection: one whose Frame was not
/// completely written when its connection ended is sent again, in order, on the next one.
/// (A Record written to a socket whose peer then dies unread is gone: the MTP has no
/// acknowledgements.) Closing the client while it is not connected drops the Records
/// still queued.
///
/// # Receiving
///
/// Records from the server arrive with [`Inbound::reply_to`] set to
/// `MtpAddress::Uds { connection, endpoint_id: Some(server) }`. Every Record that decodes
/// is passed up, the server's Connect and Disconnect Records included.
///
/// ```no_run
/// use usp_mtp::uds::{UdsClient, UdsClientConfig};
/// use usp_mtp::{MtpExt, Outbound};
///
/// # async fn run(register_record: bytes::Bytes) -> Result<(), Box<dyn std::error::Error>> {
/// // A USP Service's Agent, connecting to the USP Broker's Controller.
/// let config = UdsClientConfig::agent(
///     "doc::speed-test".parse()?,
///     "/var/run/usp/broker_controller_path",
/// );
/// let mut client = UdsClient::new(config)?;
/// let broker = client.connected().await?; // the UDSConnectRecord has been queued
/// client.send(Outbound::new(register_record, broker)).await?;
/// let reply = client.recv().await?;
/// # Ok(())
/// # }
/// ```
pub struct UdsClient {
    path: PathBuf,
    tx: Option<mpsc::UnboundedSender<Outgoing>>,
    inbound: mpsc::Receiver<Inbound>,
    queue: SendQueue,
    state: watch::Receiver<Option<MtpAddress>>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    max_record_len: usize,
}

impl fmt::Debug for UdsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdsClient")
            .field("path", &self.path)
            .field("peer", &*self.state.borrow())
            .field("queue", &self.queue)
            .field("closed", &self.tx.is_none())
            .finish_non_exhaustive()
    }
}

impl UdsClient {
    /// Starts the client: connecting, handshaking and reconnecting happen in a task spawned
    /// on the current tokio runtime. Records can be sent at once; they wait for the
    /// connection.
    ///
    /// # Errors
    ///
    /// [`Config`](MtpErrorKind::Config) when called outside a tokio runtime.
    pub fn new(config: UdsClientConfig) -> Result<Self, MtpError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| {
            MtpError::new(
                MtpErrorKind::Config,
                "UdsClient::new must be called within a tokio runtime",
            )
            .with_source(e)
        })?;
        let UdsClientConfig {
            common,
            expected_peer,
            reconnect_delay,
        } = config;
        let (tx, rx) = mpsc::unbounded_channel();
        let (inbound_tx, inbound) = mpsc::channel(common.recv_queue);
        let (state_tx, state) = watch::channel(None);
        let (shutdown, shutdown_rx) = watch::channel(false);
        let queue = SendQueue::new(common.send_queue);
        let max_record_len = common.max_frame_len - super::codec::TLV_HEADER_LEN;
        let path = common.path.clone();
        let task = Task {
            common,
            expected_peer,
            reconnect_delay,
            outbox: Outbox::new(rx),
            inbound: inbound_tx,
            shutdown: shutdown_rx,
            state: state_tx,
        };
        let task = runtime.spawn(task.run());
        Ok(Self {
            path,
            tx: Some(tx),
            inbound,
            queue,
            state,
            shutdown,
            task: Some(task),
            max_record_len,
        })
    }

    /// The server's address while connected and handshaken: the current connection and the
    /// Endpoint ID its Handshake named. `None` between connections.
    pub fn peer(&self) -> Option<MtpAddress> {
        self.state.borrow().clone()
    }

    /// Waits until the client is connected and the handshake is done, and returns the
    /// server's address (at once if it already is).
    ///
    /// # Errors
    ///
    /// [`Closed`](MtpErrorKind::Closed) once the client is closed.
    pub fn connected(&self) -> impl Future<Output = Result<MtpAddress, MtpError>> + Send + 'static {
        let mut state = self.state.clone();
        async move {
            let peer = state
                .wait_for(Option::is_some)
                .await
                .map_err(|_| MtpError::closed())?;
            peer.clone().ok_or_else(MtpError::closed)
        }
    }
}

impl Mtp for UdsClient {
    fn kind(&self) -> MtpKind {
        MtpKind::Uds
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Inbound, MtpError>> {
        match self.inbound.poll_recv(cx) {
            Poll::Ready(Some(inbound)) => Poll::Ready(Ok(inbound)),
            Poll::Ready(None) => Poll::Ready(Err(MtpError::closed())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.tx.is_none() {
            return Poll::Ready(Err(MtpError::closed()));
        }
        self.queue.poll_ready(cx)
    }

    fn start_send(&mut self, outbound: Outbound) -> Result<(), MtpError> {
        if !matches!(outbound.to, MtpAddress::Uds { .. }) {
            return Err(MtpError::new(
                MtpErrorKind::InvalidAddress,
                format!("{} is not a UNIX domain socket address", outbound.to),
            ));
        }
        if outbound.record.len() > self.max_record_len {
            return Err(MtpError::new(
                MtpErrorKind::TooLarge,
                format!(
                    "a Record of {} bytes does not fit a Frame (at most {} bytes)",
                    outbound.record.len(),
                    self.max_record_len
                ),
            ));
        }
        let Some(tx) = self.tx.as_ref() else {
            return Err(MtpError::closed());
        };
        let outgoing = self.queue.take(outbound.record)?;
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

/// The background task: connect, run the connection, wait, again.
struct Task {
    common: super::config::Common,
    expected_peer: Option<usp_types::EndpointId>,
    reconnect_delay: (Duration, Duration),
    outbox: Outbox,
    inbound: mpsc::Sender<Inbound>,
    shutdown: watch::Receiver<bool>,
    state: watch::Sender<Option<MtpAddress>>,
}

impl Task {
    async fn run(mut self) {
        let mut connections = 0u64;
        let mut delay = None;
        loop {
            if let Some(delay) = delay.take() {
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = closing(&mut self.shutdown) => break,
                }
            }
            if *self.shutdown.borrow() {
                break;
            }
            let stream = tokio::select! {
                stream = UnixStream::connect(&self.common.path) => stream,
                () = closing(&mut self.shutdown) => break,
            };
            let Ok(stream) = stream else {
                delay = Some(random_delay(self.reconnect_delay));
                continue;
            };
            connections += 1;
            let connection = ConnectionId::new(connections);
            let state = &self.state;
            let expected = self.expected_peer.as_ref();
            let (end, unsent) = connection::run(
                stream,
                Side::Client,
                connection,
                &self.common,
                &mut self.outbox,
                &self.inbound,
                &mut self.shutdown,
                |peer| {
                    if let Some(expected) = expected.filter(|e| *e != peer) {
                        return Err(format!(
                            "invalid handshake: expected the Endpoint ID {expected}, got {peer}"
                        ));
                    }
                    state.send_replace(Some(MtpAddress::Uds {
                        connection,
                        endpoint_id: Some(peer.clone()),
                    }));
                    Ok(())
                },
            )
            .await;
            self.state.send_replace(None);
            self.outbox.requeue(unsent);
            if matches!(end, End::Closed) {
                break;
            }
            // R-UDS.5: closed or failed, try again within 1 to 5 seconds.
            delay = Some(random_delay(self.reconnect_delay));
        }
        // Records still queued are dropped here, which counts them as finished with.
    }
}

/// A random delay in `min..=max` (uniform enough for spreading reconnections; the standard
/// library's randomly keyed hasher is the source, so no RNG dependency is needed).
fn random_delay((min, max): (Duration, Duration)) -> Duration {
    let span = u64::try_from((max - min).as_nanos()).unwrap_or(u64::MAX);
    if span == 0 {
        return min;
    }
    let random = RandomState::new().hash_one(std::time::Instant::now());
    min + Duration::from_nanos(random % span.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnection_delays_stay_in_range_and_vary() {
        let range = (Duration::from_secs(1), Duration::from_secs(5));
        let delays: Vec<Duration> = (0..200).map(|_| random_delay(range)).collect();
        assert!(delays.iter().all(|d| (range.0..=range.1).contains(d)));
        let first = delays[0];
        assert!(delays.iter().any(|d| *d != first), "not random");
        assert_eq!(
            random_delay((Duration::from_millis(3), Duration::from_millis(3))),
            Duration::from_millis(3)
        );
    }

    #[test]
    fn new_outside_a_runtime_is_a_config_error() {
        let config = UdsClientConfig::agent("self::a".parse().unwrap(), "/nonexistent");
        assert_eq!(
            UdsClient::new(config).unwrap_err().kind(),
            MtpErrorKind::Config
        );
    }
}
