//! `WsServer`: accepts many WebSocket clients and routes Records to them.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::header::{
    CONTENT_TYPE, SEC_WEBSOCKET_EXTENSIONS, SEC_WEBSOCKET_PROTOCOL,
};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use usp_record::Record;
use usp_types::{EndpointId, ErrorCode};

use super::config::ConnSettings;
use super::handshake::{
    Eid, eid_from_extensions, eid_from_query, extension_value, offers_subprotocol,
};
use super::session::{self, Session, Stop, Ws};
use super::stream::Stream;
use super::util::{Progress, from_io, ws_error};
use super::{SUBPROTOCOL, WsServerConfig};
use crate::{ConnectionId, Inbound, Mtp, MtpAddress, MtpError, MtpErrorKind, MtpKind, Outbound};

type Reserve = Pin<
    Box<dyn Future<Output = Result<mpsc::OwnedPermit<Bytes>, mpsc::error::SendError<()>>> + Send>,
>;

/// A WebSocket server transport: accepts clients (Agents, usually) and exchanges Records
/// with each.
///
/// Each client is identified by the Endpoint ID it gives in the `eid` query parameter of
/// its request (R-WS.10b), or failing that in the deprecated `bbf-usp-protocol` extension
/// (R-WS.10a, parsed leniently), or failing that, with mutual TLS, the only Endpoint ID of its
/// certificate. A request that does not offer the `v1.usp` subprotocol is refused with HTTP
/// 400 (R-WS.12a); one whose `eid` is not an Endpoint ID too.
///
/// Records received arrive as [`Inbound`] with
/// `reply_to: MtpAddress::WebSocket { connection, endpoint_id }`, the Connect Record
/// included. [`Outbound`] Records go to the connection named by their address; if that
/// connection is gone and the address names an Endpoint ID that has another connection
/// open, they go there (so replies reach an Agent that has reconnected). Use
/// [`address_of`](Self::address_of) to address an Endpoint by its ID alone.
///
/// A second connection from an Endpoint replaces its first, which is closed with status 1000
/// (R-WS.4, TP-469 7.2). Connections are independent: one closing, cleanly or not, or
/// breaking a rule does not disturb the others. Each has a bounded queue
/// ([`send_queue_capacity`](WsServerConfig::send_queue_capacity)); a Record for a
/// connection whose queue is full is taken, and the next [`poll_ready`](Mtp::poll_ready)
/// waits until it fits. Records still queued for a connection that closes are dropped.
///
/// ```no_run
/// use usp_mtp::websocket::{WsServer, WsServerConfig};
/// use usp_mtp::{MtpExt, Outbound};
///
/// # async fn controller() -> Result<(), Box<dyn std::error::Error>> {
/// let config = WsServerConfig::new("self::controller".parse()?).path("/usp");
/// let mut server = WsServer::bind("0.0.0.0:8080".parse()?, config).await?;
/// loop {
///     let inbound = server.recv().await?;
///     println!("{} bytes from {}", inbound.record.len(), inbound.reply_to);
///     // ... decode, handle, and answer on the same address:
///     # let answer = inbound.record.clone();
///     server.send(Outbound::new(answer, inbound.reply_to)).await?;
/// }
/// # }
/// ```
pub struct WsServer {
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    in_rx: mpsc::Receiver<Inbound>,
    accepted: u64,
    /// A Record for a connection whose queue was full, waiting for room.
    waiting: Option<(Reserve, Bytes)>,
    shutdown: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
    closed: bool,
}

impl std::fmt::Debug for WsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsServer")
            .field("local_addr", &self.local_addr)
            .field("connections", &self.shared.lock().conns.len())
            .field("accepted", &self.accepted)
            .field("waiting", &self.waiting.is_some())
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("connections", &self.lock().conns.len())
            .finish_non_exhaustive()
    }
}

/// What the handle and the tasks share.
struct Shared {
    registry: Mutex<Registry>,
    progress: Arc<Progress>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Default)]
struct Registry {
    conns: HashMap<ConnectionId, Entry>,
    by_eid: HashMap<EndpointId, ConnectionId>,
}

struct Entry {
    tx: mpsc::Sender<Bytes>,
    endpoint_id: Option<EndpointId>,
    stop: Arc<Notify>,
    #[cfg(feature = "rustls")]
    certificate: Option<Bytes>,
}

impl Registry {
    /// The connection a Record for `to` goes to.
    fn route(&self, to: &MtpAddress) -> Result<&Entry, MtpError> {
        let MtpAddress::WebSocket {
            connection,
            endpoint_id,
        } = to
        else {
            return Err(MtpError::new(
                MtpErrorKind::InvalidAddress,
                format!("{to} is not a WebSocket address"),
            ));
        };
        if let Some(entry) = self.conns.get(connection)
            && (endpoint_id.is_none() || entry.endpoint_id == *endpoint_id)
        {
            return Ok(entry);
        }
        endpoint_id
            .as_ref()
            .and_then(|id| self.by_eid.get(id))
            .and_then(|c| self.conns.get(c))
            .ok_or_else(|| {
                MtpError::new(
                    MtpErrorKind::InvalidAddress,
                    format!("no open connection for {to}"),
                )
            })
    }
}

/// What the accepting and connection tasks need; the handle does not hold it, so that the
/// inbound queue ends when they all have.
struct ServerCtx {
    config: WsServerConfig,
    shared: Arc<Shared>,
    in_tx: mpsc::Sender<Inbound>,
    next_id: AtomicU64,
    #[cfg(feature = "rustls")]
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl WsServer {
    /// Listens on `addr` (port 0 picks a free port: see [`local_addr`](Self::local_addr))
    /// and accepts clients in the background. Call it from within a tokio runtime.
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Io`] if the address cannot be bound; [`MtpErrorKind::Config`] if
    /// the TLS configuration cannot be built.
    pub async fn bind(addr: SocketAddr, config: WsServerConfig) -> Result<Self, MtpError> {
        #[cfg(feature = "rustls")]
        let tls = config
            .tls
            .as_ref()
            .map(super::TlsServerConfig::build)
            .transpose()?;
        let listener = TcpListener::bind(addr).await.map_err(from_io)?;
        let local_addr = listener.local_addr().map_err(from_io)?;
        let (in_tx, in_rx) = mpsc::channel(config.conn.recv_queue);
        let shared = Arc::new(Shared {
            registry: Mutex::default(),
            progress: Progress::new(),
        });
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let ctx = Arc::new(ServerCtx {
            config,
            shared: shared.clone(),
            in_tx,
            next_id: AtomicU64::new(1),
            #[cfg(feature = "rustls")]
            tls,
        });
        let task = tokio::spawn(accept_loop(listener, ctx, shutdown_rx));
        Ok(Self {
            local_addr,
            shared,
            in_rx,
            accepted: 0,
            waiting: None,
            shutdown: Some(shutdown_tx),
            task: Some(task),
            closed: false,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The addresses of the open connections, in no particular order.
    pub fn connections(&self) -> Vec<MtpAddress> {
        self.shared
            .lock()
            .conns
            .iter()
            .map(|(id, e)| MtpAddress::WebSocket {
                connection: *id,
                endpoint_id: e.endpoint_id.clone(),
            })
            .collect()
    }

    /// The number of open connections (handshakes done).
    pub fn connection_count(&self) -> usize {
        self.shared.lock().conns.len()
    }

    /// The address of the open connection of the Endpoint `id`, if it has one.
    pub fn address_of(&self, id: &EndpointId) -> Option<MtpAddress> {
        let registry = self.shared.lock();
        registry
            .by_eid
            .get(id)
            .map(|connection| MtpAddress::WebSocket {
                connection: *connection,
                endpoint_id: Some(id.clone()),
            })
    }

    /// Closes one connection (status 1000, after the Records queued for it); `false` if it
    /// is not open.
    pub fn close_connection(&self, connection: ConnectionId) -> bool {
        let registry = self.shared.lock();
        match registry.conns.get(&connection) {
            Some(entry) => {
                entry.stop.notify_one();
                true
            }
            None => false,
        }
    }

    /// The DER certificate a client authenticated with (mutual TLS), to check its Endpoint
    /// ID or other attributes: see [`certificate_endpoint_ids`](crate::websocket::certificate_endpoint_ids).
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    pub fn peer_certificate(&self, connection: ConnectionId) -> Option<Bytes> {
        self.shared
            .lock()
            .conns
            .get(&connection)
            .and_then(|e| e.certificate.clone())
    }

    /// Moves a Record that waited for room into its connection's queue.
    fn poll_waiting(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some((reserve, _)) = self.waiting.as_mut() else {
            return Poll::Ready(());
        };
        let result = match reserve.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(r) => r,
        };
        if let Some((_, record)) = self.waiting.take() {
            match result {
                Ok(permit) => {
                    permit.send(record);
                }
                // The connection closed meanwhile: the Record is dropped, like those still
                // queued for it.
                Err(_) => self.shared.progress.advance(1),
            }
        }
        Poll::Ready(())
    }
}

impl Mtp for WsServer {
    fn kind(&self) -> MtpKind {
        MtpKind::WebSocket
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Inbound, MtpError>> {
        if self.closed {
            return Poll::Ready(Err(MtpError::closed()));
        }
        match self.in_rx.poll_recv(cx) {
            Poll::Ready(Some(inbound)) => Poll::Ready(Ok(inbound)),
            Poll::Ready(None) => Poll::Ready(Err(MtpError::closed())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.closed {
            return Poll::Ready(Err(MtpError::closed()));
        }
        self.poll_waiting(cx).map(Ok)
    }

    fn start_send(&mut self, outbound: Outbound) -> Result<(), MtpError> {
        if self.closed {
            return Err(MtpError::closed());
        }
        if self.waiting.is_some() {
            return Err(MtpError::new(
                MtpErrorKind::Config,
                "start_send without a successful poll_ready",
            ));
        }
        let registry = self.shared.lock();
        let entry = registry.route(&outbound.to)?;
        match entry.tx.try_send(outbound.record) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(record)) => {
                let tx = entry.tx.clone();
                self.waiting = Some((Box::pin(tx.reserve_owned()), record));
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                return Err(MtpError::new(
                    MtpErrorKind::InvalidAddress,
                    format!("the connection to {} has closed", outbound.to),
                ));
            }
        }
        drop(registry);
        self.accepted += 1;
        Ok(())
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if self.poll_waiting(cx).is_pending() {
            return Poll::Pending;
        }
        self.shared.progress.poll_reached(self.accepted, cx).map(Ok)
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        self.closed = true;
        if let Some(shutdown) = self.shutdown.as_ref() {
            let _ = shutdown.send(true);
        }
        if let Some(task) = self.task.as_mut() {
            if Pin::new(task).poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.task = None;
            self.shutdown = None;
        }
        Poll::Ready(Ok(()))
    }
}

/// Whether the server is shutting down (asked to, or its handle is gone).
async fn shut_down(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|down| *down).await;
}

async fn accept_loop(
    listener: TcpListener,
    ctx: Arc<ServerCtx>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tasks = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = shut_down(&mut shutdown) => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => {
                    if tasks.len() >= ctx.config.max_connections {
                        drop(tcp);
                        continue;
                    }
                    tasks.spawn(connection(tcp, ctx.clone(), shutdown.clone()));
                }
                // Out of file descriptors, or a connection reset before it was accepted:
                // wait a little rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
    drop(listener);
    // The connections see the same signal and close themselves, each within its close
    // timeout; the stragglers are aborted.
    let limit = ctx.config.conn.close_timeout + Duration::from_secs(1);
    let _ = tokio::time::timeout(limit, async { while tasks.join_next().await.is_some() {} }).await;
    tasks.shutdown().await;
}

/// One connection, from the TCP accept to its end.
async fn connection(tcp: TcpStream, ctx: Arc<ServerCtx>, mut shutdown: watch::Receiver<bool>) {
    let _ = tcp.set_nodelay(true);
    let settings: &ConnSettings = &ctx.config.conn;
    let handshake = tokio::select! {
        () = shut_down(&mut shutdown) => return,
        h = session::within(settings.handshake_timeout, "the handshake", handshake(tcp, &ctx)) => h,
    };
    let Ok((ws, endpoint_id, _certificate)) = handshake else {
        return;
    };
    let connection = ConnectionId::new(ctx.next_id.fetch_add(1, Ordering::Relaxed));
    let (tx, mut out_rx) = mpsc::channel(settings.send_queue);
    let stop = Arc::new(Notify::new());
    {
        let mut registry = ctx.shared.lock();
        if let Some(id) = &endpoint_id
            && let Some(older) = registry.by_eid.insert(id.clone(), connection)
            && let Some(entry) = registry.conns.get(&older)
        {
            // R-WS.4: at most one session per pair of Endpoints; the newer one wins, since
            // the older is most likely dead already.
            entry.stop.notify_one();
        }
        registry.conns.insert(
            connection,
            Entry {
                tx,
                endpoint_id: endpoint_id.clone(),
                stop: stop.clone(),
                #[cfg(feature = "rustls")]
                certificate: _certificate,
            },
        );
    }

    let local = &ctx.config.local_id;
    let first = match &endpoint_id {
        Some(peer) if ctx.config.send_connect_record => {
            Some(Record::websocket_connect(peer.clone(), local.clone()).to_bytes())
        }
        _ => None,
    };
    let last = match &endpoint_id {
        Some(peer) if ctx.config.disconnect_on_close => Some(
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
    let stop_signal = async {
        tokio::select! {
            () = shut_down(&mut shutdown) => Stop {
                code: CloseCode::Away,
                reason: "the server is shutting down",
                last,
            },
            () = stop.notified() => Stop {
                code: CloseCode::Normal,
                reason: "closed by the server",
                last: None,
            },
        }
    };
    // A closing connection takes no more Records and no longer counts as open.
    let unregister = || {
        let mut registry = ctx.shared.lock();
        registry.conns.remove(&connection);
        if let Some(id) = &endpoint_id
            && registry.by_eid.get(id) == Some(&connection)
        {
            registry.by_eid.remove(id);
        }
    };
    let mut pending = VecDeque::new();
    let session = Session {
        reply_to: MtpAddress::WebSocket {
            connection,
            endpoint_id: endpoint_id.clone(),
        },
        settings,
        in_tx: &ctx.in_tx,
        out_rx: &mut out_rx,
        pending: &mut pending,
        progress: &ctx.shared.progress,
        first,
        on_closing: Some(Box::new(unregister)),
    };
    let _end = session::run(ws, session, stop_signal).await;
    // What was not written to this connection is dropped.
    out_rx.close();
    let mut dropped = pending.len();
    while out_rx.try_recv().is_ok() {
        dropped += 1;
    }
    ctx.shared.progress.advance(dropped);
}

/// TLS (if configured), then the WebSocket handshake with the USP checks.
async fn handshake(
    tcp: TcpStream,
    ctx: &ServerCtx,
) -> Result<(Ws, Option<EndpointId>, Option<Bytes>), MtpError> {
    #[cfg(feature = "rustls")]
    let stream = match &ctx.tls {
        Some(acceptor) => Stream::ServerTls(Box::new(acceptor.accept(tcp).await.map_err(|e| {
            MtpError::new(MtpErrorKind::Tls, format!("TLS handshake failed: {e}")).with_source(e)
        })?)),
        None => Stream::Plain(tcp),
    };
    #[cfg(not(feature = "rustls"))]
    let stream = Stream::Plain(tcp);

    #[cfg(feature = "rustls")]
    let certificate = stream.peer_certificate();
    #[cfg(not(feature = "rustls"))]
    let certificate: Option<Bytes> = None;

    let mut verdict = None;
    #[allow(clippy::result_large_err)] // tungstenite's callback type
    let callback = |request: &Request, response: Response| {
        let (response, id) = check_request(request, response, ctx, certificate.as_deref())?;
        verdict = Some(id);
        Ok(response)
    };
    let config = ctx.config.conn.websocket_config();
    let ws = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config))
        .await
        .map_err(ws_error)?;
    Ok((ws, verdict.flatten(), certificate))
}

fn refuse(status: StatusCode, why: &str) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(format!("{why}\n")));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The USP rules of the opening handshake: path, `v1.usp`, the client's Endpoint ID, and
/// with TLS its certificate.
#[allow(clippy::result_large_err)] // tungstenite's callback type
fn check_request(
    request: &Request,
    mut response: Response,
    ctx: &ServerCtx,
    certificate: Option<&[u8]>,
) -> Result<(Response, Option<EndpointId>), ErrorResponse> {
    let config = &ctx.config;
    if let Some(path) = &config.path
        && request.uri().path() != path
    {
        return Err(refuse(
            StatusCode::NOT_FOUND,
            "no USP Endpoint at this path (R-WS.2)",
        ));
    }
    let protocols = request
        .headers()
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok());
    if !offers_subprotocol(protocols) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "the Sec-WebSocket-Protocol header must offer v1.usp (R-WS.12a)",
        ));
    }
    let extensions = request
        .headers()
        .get_all(SEC_WEBSOCKET_EXTENSIONS)
        .iter()
        .filter_map(|v| v.to_str().ok());
    let extension = eid_from_extensions(extensions);
    let endpoint_id = match eid_from_query(request.uri().query()) {
        Eid::Valid(id) => Some(id),
        Eid::Invalid(text) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                &format!("the eid query parameter {text:?} is not an Endpoint ID (R-WS.10b)"),
            ));
        }
        Eid::Absent => match &extension {
            Some(Eid::Valid(id)) => Some(id.clone()),
            _ => certificate_endpoint_id(certificate),
        },
    };
    if config.require_endpoint_id && endpoint_id.is_none() {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "the request names no Endpoint ID: add the eid query parameter (R-WS.10b)",
        ));
    }
    #[cfg(feature = "rustls")]
    if config
        .tls
        .as_ref()
        .is_some_and(super::TlsServerConfig::verifies_peer_endpoint_id)
    {
        let ok = match (certificate, &endpoint_id) {
            (Some(cert), Some(id)) => super::certificate_matches_endpoint_id(cert, id),
            _ => false,
        };
        if !ok {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "the client certificate does not name the client's Endpoint ID (R-SEC.0a)",
            ));
        }
    }
    let headers = response.headers_mut();
    headers.insert(
        SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(SUBPROTOCOL),
    );
    if extension.is_some()
        && let Ok(value) = HeaderValue::from_str(&extension_value(&config.local_id))
    {
        // R-WS.11a: answer the extension with this Endpoint's ID.
        headers.insert(SEC_WEBSOCKET_EXTENSIONS, value);
    }
    Ok((response, endpoint_id))
}

/// The Endpoint ID of a client certificate that names exactly one.
fn certificate_endpoint_id(certificate: Option<&[u8]>) -> Option<EndpointId> {
    #[cfg(feature = "rustls")]
    if let Some(cert) = certificate
        && let Ok(mut ids) = super::certificate_endpoint_ids(cert)
        && ids.len() == 1
    {
        return ids.pop();
    }
    let _ = certificate;
    None
}
