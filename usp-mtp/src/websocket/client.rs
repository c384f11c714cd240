//! `WsClient`: connects out, keeps the connection alive, reconnects with R-WS.19.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::{
    SEC_WEBSOCKET_EXTENSIONS, SEC_WEBSOCKET_PROTOCOL,
};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use usp_record::Record;
use usp_types::{EndpointId, ErrorCode};

use super::handshake::{Eid, eid_from_extensions, extension_value};
use super::session::{self, End, Session, Stop, Ws};
use super::stream::Stream;
use super::util::{Progress, error_parts, from_io, ws_error};
use super::{SUBPROTOCOL, WsClientConfig};
use crate::poll_sender::PollSender;
use crate::{ConnectionId, Inbound, Mtp, MtpAddress, MtpError, MtpErrorKind, MtpKind, Outbound};

/// Where a [`WsClient`] is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WsClientState {
    /// Connecting: TCP, TLS and the WebSocket handshake. `retry_count` is 0 for the first
    /// attempt and for the first attempt after a session ended.
    Connecting {
        /// Retries since the last established session (R-WS.20).
        retry_count: u32,
    },
    /// A session is established.
    Connected {
        /// The connection, numbered from 1 in the order of establishment.
        connection: ConnectionId,
    },
    /// Waiting before retry number `retry_count` (R-WS.19).
    Waiting {
        /// The retry about to happen, counted from 1.
        retry_count: u32,
        /// The wait drawn for it.
        wait: Duration,
    },
    /// Closed: [`close`](crate::MtpExt::close) was called or the client was dropped.
    Closed,
}

/// What the client task tells the handle.
#[derive(Debug, Clone)]
struct Status {
    state: WsClientState,
    last_error: Option<(MtpErrorKind, String)>,
    peer_id: Option<EndpointId>,
}

/// A WebSocket client transport: one connection to one server, kept up.
///
/// It connects in the background as soon as it is [started](Self::start) (or
/// [connects](Self::connect) first), sends the `WebSocketConnectRecord` first on every
/// connection (R-MTP.6), answers Pings and sends its own (R-WS.17), and when the connection
/// ends or an attempt fails it waits as [`SessionRetry`](crate::websocket::SessionRetry) says and tries
/// again (R-WS.19), for as long as it lives.
///
/// Records given to [`start_send`](Mtp::start_send) are never dropped for a reconnection:
/// they wait in a bounded queue ([`send_queue_capacity`](WsClientConfig::send_queue_capacity))
/// and go out, in order, after the next Connect Record; when the queue is full,
/// [`poll_ready`](Mtp::poll_ready) waits. A Record whose write was interrupted by the
/// connection's end is written again on the next connection (it may then arrive twice, if
/// the interrupted write had reached the peer after all; records already flushed into a
/// socket that then breaks can be lost with it, as with any transport without
/// acknowledgements, which is what the E2E Session Context is for).
/// [`poll_flush`](Mtp::poll_flush) and so [`send`](crate::MtpExt::send) wait until the
/// Records are written, so while disconnected they wait for the reconnection.
///
/// Records received carry the address
/// `MtpAddress::WebSocket { connection, endpoint_id: <the server's Endpoint ID> }`; any
/// WebSocket address whose Endpoint ID is the server's (or none) sends to the server.
///
/// ```no_run
/// use std::time::Duration;
/// use usp_mtp::websocket::{SessionRetry, WsClient, WsClientConfig};
/// use usp_mtp::{MtpExt, Outbound};
///
/// # async fn agent(record: bytes::Bytes) -> Result<(), Box<dyn std::error::Error>> {
/// let config = WsClientConfig::new("ws://controller.example:8080/usp", "os::012345-ABC".parse()?)?
///     .peer_endpoint_id("self::controller".parse()?)
///     .session_retry(SessionRetry::new()); // 5 s, x2: the factory defaults
/// let mut client = WsClient::connect(config).await?; // the Connect Record is on its way
/// let to = client.peer_address().expect("connected");
/// client.send(Outbound::new(record, to)).await?;
/// let inbound = client.recv().await?;
/// client.send(Outbound::new(inbound.record, inbound.reply_to)).await?;
/// client.close().await?; // DisconnectRecord, then Close 1000
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct WsClient {
    out: PollSender<Bytes>,
    in_rx: mpsc::Receiver<Inbound>,
    accepted: u64,
    progress: Arc<Progress>,
    status: watch::Receiver<Status>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    closed: bool,
}

impl WsClient {
    /// Starts the client: it connects, and reconnects, in the background. Call it from
    /// within a tokio runtime.
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Config`] if there is no tokio runtime, if a `wss` URI has no TLS
    /// configuration (or the `rustls` feature is off) or a `ws` URI has one, or if the TLS
    /// configuration cannot be built.
    pub fn start(config: WsClientConfig) -> Result<Self, MtpError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| {
            MtpError::new(MtpErrorKind::Config, "WsClient needs a tokio runtime").with_source(e)
        })?;
        let connector = Connector::new(&config)?;
        let (out_tx, out_rx) = mpsc::channel(config.conn.send_queue);
        let (in_tx, in_rx) = mpsc::channel(config.conn.recv_queue);
        let (stop_tx, stop_rx) = oneshot::channel();
        let progress = Progress::new();
        let (status_tx, status_rx) = watch::channel(Status {
            state: WsClientState::Connecting { retry_count: 0 },
            last_error: None,
            peer_id: config.peer_id.clone(),
        });
        let task = ClientTask {
            config,
            connector,
            status: status_tx,
            in_tx,
            out_rx,
            pending: VecDeque::new(),
            progress: progress.clone(),
            connections: 0,
        };
        let task = runtime.spawn(task.run(stop_rx));
        Ok(Self {
            out: PollSender::new(out_tx),
            in_rx,
            accepted: 0,
            progress,
            status: status_rx,
            stop: Some(stop_tx),
            task: Some(task),
            closed: false,
        })
    }

    /// Starts the client and waits for its first session.
    ///
    /// # Errors
    ///
    /// The errors of [`start`](Self::start), and the failure of the first attempt:
    /// [`MtpErrorKind::Connect`] (refused, or an HTTP error status from the server),
    /// [`MtpErrorKind::Protocol`] (for example a server that does not select `v1.usp`,
    /// R-WS.12), [`MtpErrorKind::Tls`], [`MtpErrorKind::Timeout`]. The client is stopped
    /// then, without retrying.
    pub async fn connect(config: WsClientConfig) -> Result<Self, MtpError> {
        let client = Self::start(config)?;
        let mut status = client.status.clone();
        let outcome = status
            .wait_for(|s| {
                matches!(
                    s.state,
                    WsClientState::Connected { .. }
                        | WsClientState::Waiting { .. }
                        | WsClientState::Closed
                )
            })
            .await
            .map(|s| (s.state.clone(), s.last_error.clone()));
        match outcome {
            Ok((WsClientState::Connected { .. }, _)) => Ok(client),
            Ok((_, Some((kind, message)))) => Err(MtpError::new(kind, message)),
            _ => Err(MtpError::closed()),
        }
    }

    /// Where the client is now.
    pub fn state(&self) -> WsClientState {
        self.status.borrow().state.clone()
    }

    /// Why the last connection ended or the last attempt failed (a copy: kind and message).
    pub fn last_error(&self) -> Option<MtpError> {
        let status = self.status.borrow();
        status
            .last_error
            .as_ref()
            .map(|(kind, message)| MtpError::new(*kind, message.clone()))
    }

    /// The server's address while connected: the connection and the server's Endpoint ID
    /// (configured, or announced by the server).
    pub fn peer_address(&self) -> Option<MtpAddress> {
        let status = self.status.borrow();
        match status.state {
            WsClientState::Connected { connection } => Some(MtpAddress::WebSocket {
                connection,
                endpoint_id: status.peer_id.clone(),
            }),
            _ => None,
        }
    }

    /// Waits until a session is established (returns at once if one is).
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Closed`] if the client closes first.
    pub async fn wait_connected(&self) -> Result<ConnectionId, MtpError> {
        let mut status = self.status.clone();
        let state = status
            .wait_for(|s| {
                matches!(
                    s.state,
                    WsClientState::Connected { .. } | WsClientState::Closed
                )
            })
            .await
            .map(|s| s.state.clone());
        match state {
            Ok(WsClientState::Connected { connection }) => Ok(connection),
            _ => Err(MtpError::closed()),
        }
    }

    fn is_closed(&self) -> bool {
        self.closed || self.status.borrow().state == WsClientState::Closed
    }
}

impl Mtp for WsClient {
    fn kind(&self) -> MtpKind {
        MtpKind::WebSocket
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Inbound, MtpError>> {
        match self.in_rx.poll_recv(cx) {
            Poll::Ready(Some(inbound)) => Poll::Ready(Ok(inbound)),
            Poll::Ready(None) => Poll::Ready(Err(MtpError::closed())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.is_closed() {
            return Poll::Ready(Err(MtpError::closed()));
        }
        self.out.poll_reserve(cx)
    }

    fn start_send(&mut self, outbound: Outbound) -> Result<(), MtpError> {
        let MtpAddress::WebSocket { endpoint_id, .. } = &outbound.to else {
            return Err(MtpError::new(
                MtpErrorKind::InvalidAddress,
                format!("{} is not a WebSocket address", outbound.to),
            ));
        };
        if let (Some(to), Some(peer)) = (endpoint_id, &self.status.borrow().peer_id)
            && to != peer
        {
            return Err(MtpError::new(
                MtpErrorKind::InvalidAddress,
                format!("this client is connected to {peer}, not {to}"),
            ));
        }
        self.out.send_item(outbound.record)?;
        self.accepted += 1;
        Ok(())
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.progress.poll_reached(self.accepted, cx).is_ready() {
            return Poll::Ready(Ok(()));
        }
        if self.is_closed() {
            return Poll::Ready(Err(MtpError::closed()));
        }
        Poll::Pending
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        self.closed = true;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.as_mut() {
            if Pin::new(task).poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.task = None;
            self.out.close();
        }
        Poll::Ready(Ok(()))
    }
}

/// How to open the byte stream: TCP, and TLS when the URI is `wss`.
#[derive(Debug)]
struct Connector {
    #[cfg(feature = "rustls")]
    tls: Option<super::tls::ClientTls>,
    #[cfg(feature = "rustls")]
    verify_peer_id: bool,
}

impl Connector {
    fn new(config: &WsClientConfig) -> Result<Self, MtpError> {
        let config_error = |m: &str| MtpError::new(MtpErrorKind::Config, m);
        #[cfg(feature = "rustls")]
        {
            let tls = match (&config.tls, config.tls_scheme) {
                (Some(tls), true) => Some(tls.build(&config.host)?),
                (None, false) => None,
                (None, true) => return Err(config_error("a wss URI needs a TLS configuration")),
                (Some(_), false) => {
                    return Err(config_error("a TLS configuration needs a wss URI"));
                }
            };
            let verify_peer_id = config
                .tls
                .as_ref()
                .is_some_and(super::TlsClientConfig::verifies_peer_endpoint_id);
            if verify_peer_id && config.peer_id.is_none() {
                return Err(config_error(
                    "verifying the server's Endpoint ID needs WsClientConfig::peer_endpoint_id",
                ));
            }
            Ok(Self {
                tls,
                verify_peer_id,
            })
        }
        #[cfg(not(feature = "rustls"))]
        {
            if config.tls_scheme {
                return Err(config_error("wss needs the `rustls` feature of usp-mtp"));
            }
            Ok(Self {})
        }
    }

    async fn open(&self, config: &WsClientConfig) -> Result<Stream, MtpError> {
        let tcp = TcpStream::connect((config.host.as_str(), config.port))
            .await
            .map_err(|e| {
                MtpError::new(
                    MtpErrorKind::Connect,
                    format!("cannot connect to {}:{}: {e}", config.host, config.port),
                )
                .with_source(e)
            })?;
        tcp.set_nodelay(true).map_err(from_io)?;
        #[cfg(feature = "rustls")]
        if let Some(tls) = &self.tls {
            let stream = tls
                .connector
                .connect(tls.server_name.clone(), tcp)
                .await
                .map_err(|e| {
                    MtpError::new(MtpErrorKind::Tls, format!("TLS handshake failed: {e}"))
                        .with_source(e)
                })?;
            let stream = Stream::ClientTls(Box::new(stream));
            if self.verify_peer_id
                && let Some(peer) = &config.peer_id
            {
                let matches = stream
                    .peer_certificate()
                    .is_some_and(|cert| super::certificate_matches_endpoint_id(&cert, peer));
                if !matches {
                    return Err(MtpError::new(
                        MtpErrorKind::Tls,
                        format!("the server's certificate does not name {peer} (R-SEC.0a)"),
                    ));
                }
            }
            return Ok(stream);
        }
        Ok(Stream::Plain(tcp))
    }
}

/// The background task of a client.
struct ClientTask {
    config: WsClientConfig,
    connector: Connector,
    status: watch::Sender<Status>,
    in_tx: mpsc::Sender<Inbound>,
    out_rx: mpsc::Receiver<Bytes>,
    pending: VecDeque<Bytes>,
    progress: Arc<Progress>,
    connections: u64,
}

impl ClientTask {
    async fn run(mut self, mut stop: oneshot::Receiver<()>) {
        let mut schedule = self.config.retry.schedule();
        loop {
            let retry_count = schedule.retry_count();
            self.set_state(WsClientState::Connecting { retry_count });
            let attempt = tokio::select! {
                biased;
                _ = &mut stop => break,
                a = session::within(
                    self.config.conn.handshake_timeout,
                    "connecting",
                    self.connect_once(),
                ) => a,
            };
            match attempt {
                Ok((ws, announced)) => {
                    schedule.reset(); // R-WS.20
                    if self.config.peer_id.is_none() && announced.is_some() {
                        self.status.send_modify(|s| s.peer_id = announced);
                    }
                    match self.run_session(ws, &mut stop).await {
                        End::Stopped | End::HandleGone => break,
                        End::Lost(e) | End::Failed(e) => self.set_error(&e),
                    }
                }
                Err(e) => self.set_error(&e),
            }
            let wait = schedule.next().unwrap_or(Duration::MAX);
            self.set_state(WsClientState::Waiting {
                retry_count: schedule.retry_count(),
                wait,
            });
            tokio::select! {
                biased;
                _ = &mut stop => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
        // Closed: what is still queued cannot be delivered any more.
        self.out_rx.close();
        let mut dropped = self.pending.len();
        while self.out_rx.try_recv().is_ok() {
            dropped += 1;
        }
        self.set_state(WsClientState::Closed);
        self.progress.advance(dropped);
        self.progress.wake();
    }

    fn set_state(&self, state: WsClientState) {
        self.status.send_modify(|s| s.state = state);
    }

    fn set_error(&self, e: &MtpError) {
        let parts = error_parts(e);
        self.status.send_modify(|s| s.last_error = Some(parts));
    }

    /// TCP, TLS, then the WebSocket handshake with `v1.usp`.
    async fn connect_once(&self) -> Result<(Ws, Option<EndpointId>), MtpError> {
        let stream = self.connector.open(&self.config).await?;
        let mut request = self
            .config
            .url
            .as_str()
            .into_client_request()
            .map_err(ws_error)?;
        let headers = request.headers_mut();
        headers.insert(
            SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(SUBPROTOCOL),
        );
        if self.config.send_extension
            && let Ok(value) = HeaderValue::from_str(&extension_value(&self.config.local_id))
        {
            headers.insert(SEC_WEBSOCKET_EXTENSIONS, value);
        }
        let config = self.config.conn.websocket_config();
        let (ws, response) =
            tokio_tungstenite::client_async_with_config(request, stream, Some(config))
                .await
                .map_err(ws_error)?;
        // R-WS.12: no session unless the server selected `v1.usp`. tungstenite checks it
        // too; this check does not depend on that.
        let selected = response
            .headers()
            .get(SEC_WEBSOCKET_PROTOCOL)
            .and_then(|v| v.to_str().ok());
        if selected != Some(SUBPROTOCOL) {
            return Err(MtpError::new(
                MtpErrorKind::Protocol,
                format!("the server did not select the {SUBPROTOCOL} subprotocol (R-WS.12)"),
            ));
        }
        let values = response
            .headers()
            .get_all(SEC_WEBSOCKET_EXTENSIONS)
            .iter()
            .filter_map(|v| v.to_str().ok());
        let announced = match eid_from_extensions(values) {
            Some(Eid::Valid(id)) => Some(id),
            _ => None,
        };
        Ok((ws, announced))
    }

    async fn run_session(&mut self, ws: Ws, stop: &mut oneshot::Receiver<()>) -> End {
        self.connections += 1;
        let connection = ConnectionId::new(self.connections);
        let peer_id = self.status.borrow().peer_id.clone();
        self.set_state(WsClientState::Connected { connection });
        let local = &self.config.local_id;
        let first = match &peer_id {
            Some(peer) if self.config.send_connect_record => {
                Some(Record::websocket_connect(peer.clone(), local.clone()).to_bytes())
            }
            _ => None,
        };
        let last = match &peer_id {
            Some(peer) if self.config.disconnect_on_close => Some(
                Record::disconnect(
                    peer.clone(),
                    local.clone(),
                    ErrorCode::SESSION_CONTEXT_TERMINATED,
                    "the Endpoint closes its WebSocket MTP",
                )
                .to_bytes(),
            ),
            _ => None,
        };
        let stop = async move {
            let _ = stop.await;
            Stop {
                code: CloseCode::Normal,
                reason: "",
                last,
            }
        };
        let session = Session {
            reply_to: MtpAddress::WebSocket {
                connection,
                endpoint_id: peer_id,
            },
            settings: &self.config.conn,
            in_tx: &self.in_tx,
            out_rx: &mut self.out_rx,
            pending: &mut self.pending,
            progress: &self.progress,
            first,
            on_closing: None,
        };
        session::run(ws, session, stop).await
    }
}
