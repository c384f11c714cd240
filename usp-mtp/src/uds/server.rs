//! `UdsServer`: listens on a UDS path and serves many clients (R-UDS.2, R-UDS.3).

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, watch};
use usp_types::EndpointId;

use super::config::{Common, UdsServerConfig};
use super::connection::{self, Side, closing};
use super::queue::{Outbox, Outgoing, SendQueue};
use super::{FrameCodec, Tlv};
use crate::{ConnectionId, Inbound, Mtp, MtpAddress, MtpError, MtpErrorKind, MtpKind, Outbound};

/// The server end of the UNIX domain socket MTP: listens on a path and serves any number
/// of clients, each identified by the Endpoint ID of its Handshake.
///
/// Created with [`UdsServer::bind`], which binds the socket (R-UDS.2) and starts a task
/// on the current tokio runtime that accepts connections (R-UDS.3), each served by a task
/// of its own. A new connection has the handshake timeout (30 s by default) to send its
/// Handshake; the server answers with its own (R-UDS.17). As an
/// [`Agent`](super::UdsRole::Agent) the server then sends a `UDSConnectRecord` (R-MTP.6),
/// as the USP Broker's Agent does to a USP Service's Controller, and a `DisconnectRecord`
/// to every client when closed (R-MTP.7).
///
/// # Addressing
///
/// A received Record's [`reply_to`](Inbound::reply_to) is
/// `MtpAddress::Uds { connection, endpoint_id: Some(client) }`. A Record sent to such an
/// address goes to that connection if it is open (and its client is the Endpoint ID given,
/// when one is); otherwise to the newest open connection whose client has that Endpoint ID,
/// so that a reply still reaches a client that has reconnected. With neither,
/// `start_send` fails with [`InvalidAddress`](MtpErrorKind::InvalidAddress).
/// [`address_of`](Self::address_of) and [`peers`](Self::peers) list the clients.
///
/// # Queues
///
/// Records accepted for sending wait in one bounded queue over all connections
/// ([`send_queue`](UdsServerConfig::send_queue)); `poll_ready` waits while it is full, and a
/// client that stops reading is disconnected after the write timeout, which frees its
/// share. Records meant for a connection that closes before writing them are dropped (the
/// client reconnects and gets a new connection). Received Records wait in one bounded queue
/// too; while it is full the connections stop reading.
///
/// # The socket file
///
/// A socket file left at the path by a server that is no longer running is replaced;
/// one that a running server listens on is not ([`Connect`](MtpErrorKind::Connect)).
/// Closing or dropping the server removes the file.
///
/// ```no_run
/// use usp_mtp::uds::{UdsServer, UdsServerConfig};
/// use usp_mtp::{MtpExt, Outbound};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// // The USP Broker's Controller, which USP Services' Agents connect to.
/// let config = UdsServerConfig::controller(
///     "doc::broker".parse()?,
///     "/var/run/usp/broker_controller_path",
/// );
/// let mut server = UdsServer::bind(config)?;
/// loop {
///     let inbound = server.recv().await?;
///     // ... decode the Record and answer it to where it came from:
///     let answer = inbound.record.clone();
///     server.send(Outbound::new(answer, inbound.reply_to)).await?;
/// }
/// # }
/// ```
pub struct UdsServer {
    path: PathBuf,
    registry: Arc<Registry>,
    inbound: mpsc::Receiver<Inbound>,
    queue: SendQueue,
    shutdown: watch::Sender<bool>,
    alive: mpsc::Receiver<()>,
    max_record_len: usize,
    closed: bool,
    socket_removed: bool,
}

impl fmt::Debug for UdsServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdsServer")
            .field("path", &self.path)
            .field("peers", &self.registry.lock().peers.len())
            .field("queue", &self.queue)
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl UdsServer {
    /// Binds the socket and starts serving, on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// [`Config`](MtpErrorKind::Config) outside a tokio runtime;
    /// [`Connect`](MtpErrorKind::Connect) when the path cannot be bound (a server is running
    /// there, the directory does not exist or is not writable).
    pub fn bind(config: UdsServerConfig) -> Result<Self, MtpError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| {
            MtpError::new(
                MtpErrorKind::Config,
                "UdsServer::bind must be called within a tokio runtime",
            )
            .with_source(e)
        })?;
        let UdsServerConfig {
            common,
            max_connections,
        } = config;
        let listener = {
            let _guard = runtime.enter();
            bind(&common.path).map_err(|e| {
                MtpError::new(
                    MtpErrorKind::Connect,
                    format!("cannot listen on {}: {e}", common.path.display()),
                )
                .with_source(e)
            })?
        };
        let registry = Arc::new(Registry::default());
        let (inbound_tx, inbound) = mpsc::channel(common.recv_queue);
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (alive_tx, alive) = mpsc::channel(1);
        let queue = SendQueue::new(common.send_queue);
        let max_record_len = common.max_frame_len - super::codec::TLV_HEADER_LEN;
        let path = common.path.clone();
        let acceptor = Acceptor {
            listener,
            common: Arc::new(common),
            registry: Arc::clone(&registry),
            inbound: inbound_tx,
            shutdown: shutdown_rx,
            alive: alive_tx,
            max_connections,
        };
        runtime.spawn(acceptor.run());
        Ok(Self {
            path,
            registry,
            inbound,
            queue,
            shutdown,
            alive,
            max_record_len,
            closed: false,
            socket_removed: false,
        })
    }

    /// The socket path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The handshaken clients, by connection, oldest first.
    pub fn peers(&self) -> Vec<MtpAddress> {
        let registry = self.registry.lock();
        let mut peers: Vec<(&ConnectionId, &Peer)> = registry.peers.iter().collect();
        peers.sort_by_key(|(connection, _)| **connection);
        peers
            .into_iter()
            .map(|(connection, peer)| MtpAddress::Uds {
                connection: *connection,
                endpoint_id: Some(peer.endpoint_id.clone()),
            })
            .collect()
    }

    /// The address of the newest open connection whose client is `endpoint_id`.
    pub fn address_of(&self, endpoint_id: &EndpointId) -> Option<MtpAddress> {
        let registry = self.registry.lock();
        registry
            .by_endpoint
            .get(endpoint_id)
            .map(|connection| MtpAddress::Uds {
                connection: *connection,
                endpoint_id: Some(endpoint_id.clone()),
            })
    }

    fn remove_socket(&mut self) {
        if !self.socket_removed {
            self.socket_removed = true;
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Drop for UdsServer {
    fn drop(&mut self) {
        // The tasks see the shutdown sender go and close their connections.
        self.remove_socket();
    }
}

impl Mtp for UdsServer {
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
        if self.closed {
            return Poll::Ready(Err(MtpError::closed()));
        }
        self.queue.poll_ready(cx)
    }

    fn start_send(&mut self, outbound: Outbound) -> Result<(), MtpError> {
        let MtpAddress::Uds {
            connection,
            endpoint_id,
        } = &outbound.to
        else {
            return Err(MtpError::new(
                MtpErrorKind::InvalidAddress,
                format!("{} is not a UNIX domain socket address", outbound.to),
            ));
        };
        if self.closed {
            return Err(MtpError::closed());
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
        let registry = self.registry.lock();
        let Some(peer) = registry.route(*connection, endpoint_id.as_ref()) else {
            return Err(MtpError::new(
                MtpErrorKind::InvalidAddress,
                format!("no open connection for {}", outbound.to),
            ));
        };
        let outgoing = self.queue.take(outbound.record)?;
        // Fails only when the connection has just ended; the Record is then dropped, which
        // counts it as finished with.
        peer.tx.send(outgoing).map_err(|_| {
            MtpError::new(
                MtpErrorKind::Closed,
                format!("the connection to {} has closed", outbound.to),
            )
        })
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        self.queue.poll_flush(cx).map(Ok)
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), MtpError>> {
        if !self.closed {
            self.closed = true;
            self.queue.close();
            self.shutdown.send_replace(true);
        }
        // Every task holds a sender of `alive`: all gone means all connections are closed.
        loop {
            match self.alive.poll_recv(cx) {
                Poll::Ready(Some(())) => {}
                Poll::Ready(None) => break,
                Poll::Pending => return Poll::Pending,
            }
        }
        self.remove_socket();
        Poll::Ready(Ok(()))
    }
}

/// Binds `path`, replacing a socket file that no server listens on any more.
fn bind(path: &Path) -> io::Result<UnixListener> {
    match UnixListener::bind(path) {
        Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
            let is_socket = std::fs::symlink_metadata(path)
                .map(|m| m.file_type().is_socket())
                .unwrap_or(false);
            if !is_socket {
                return Err(e);
            }
            match std::os::unix::net::UnixStream::connect(path) {
                Err(c) if c.kind() == io::ErrorKind::ConnectionRefused => {
                    std::fs::remove_file(path)?;
                    UnixListener::bind(path)
                }
                _ => Err(e),
            }
        }
        other => other,
    }
}

/// The open connections: the handshaken ones by connection and by Endpoint ID, and how
/// many there are in all.
#[derive(Debug, Default)]
struct Registry {
    inner: Mutex<RegistryInner>,
}

#[derive(Debug, Default)]
struct RegistryInner {
    peers: HashMap<ConnectionId, Peer>,
    by_endpoint: HashMap<EndpointId, ConnectionId>,
    open: usize,
}

#[derive(Debug)]
struct Peer {
    endpoint_id: EndpointId,
    tx: mpsc::UnboundedSender<Outgoing>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, RegistryInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl RegistryInner {
    fn route(&self, connection: ConnectionId, endpoint_id: Option<&EndpointId>) -> Option<&Peer> {
        if let Some(peer) = self.peers.get(&connection)
            && endpoint_id.is_none_or(|id| *id == peer.endpoint_id)
        {
            return Some(peer);
        }
        let newest = self.by_endpoint.get(endpoint_id?)?;
        self.peers.get(newest)
    }
}

/// The accepting task.
struct Acceptor {
    listener: UnixListener,
    common: Arc<Common>,
    registry: Arc<Registry>,
    inbound: mpsc::Sender<Inbound>,
    shutdown: watch::Receiver<bool>,
    alive: mpsc::Sender<()>,
    max_connections: usize,
}

impl Acceptor {
    async fn run(mut self) {
        let mut connections = 0u64;
        loop {
            let accepted = tokio::select! {
                biased;
                () = closing(&mut self.shutdown) => break,
                accepted = self.listener.accept() => accepted,
            };
            let Ok((stream, _)) = accepted else {
                // Out of file descriptors, for instance: wait instead of spinning.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            connections += 1;
            let connection = ConnectionId::new(connections);
            let admitted = {
                let mut registry = self.registry.lock();
                let admitted = registry.open < self.max_connections;
                if admitted {
                    registry.open += 1;
                }
                admitted
            };
            if admitted {
                tokio::spawn(serve(
                    stream,
                    connection,
                    Arc::clone(&self.common),
                    Arc::clone(&self.registry),
                    self.inbound.clone(),
                    self.shutdown.clone(),
                    self.alive.clone(),
                ));
            } else {
                tokio::spawn(refuse(
                    stream,
                    self.common.write_timeout,
                    self.alive.clone(),
                ));
            }
        }
    }
}

/// Serves one connection until it ends.
async fn serve(
    stream: UnixStream,
    connection: ConnectionId,
    common: Arc<Common>,
    registry: Arc<Registry>,
    inbound: mpsc::Sender<Inbound>,
    mut shutdown: watch::Receiver<bool>,
    alive: mpsc::Sender<()>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut outbox = Outbox::new(rx);
    let (_end, unsent) = connection::run(
        stream,
        Side::Server,
        connection,
        &common,
        &mut outbox,
        &inbound,
        &mut shutdown,
        |peer| {
            let mut registry = registry.lock();
            registry.peers.insert(
                connection,
                Peer {
                    endpoint_id: peer.clone(),
                    tx: tx.clone(),
                },
            );
            registry.by_endpoint.insert(peer.clone(), connection);
            Ok(())
        },
    )
    .await;
    {
        let mut registry = registry.lock();
        if let Some(peer) = registry.peers.remove(&connection)
            && registry.by_endpoint.get(&peer.endpoint_id) == Some(&connection)
        {
            // The Endpoint ID now means its newest other open connection, if any.
            let other = registry
                .peers
                .iter()
                .filter(|(_, p)| p.endpoint_id == peer.endpoint_id)
                .map(|(c, _)| *c)
                .max();
            match other {
                Some(other) => registry.by_endpoint.insert(peer.endpoint_id, other),
                None => registry.by_endpoint.remove(&peer.endpoint_id),
            };
        }
        registry.open -= 1;
    }
    // Records for this connection that were not written are dropped with `unsent` and
    // `outbox`, which counts them as finished with.
    drop((unsent, outbox, tx));
    drop(alive);
}

/// Answers a connection above `max_connections` with an Error TLV and closes it.
async fn refuse(mut stream: UnixStream, write_timeout: Duration, alive: mpsc::Sender<()>) {
    use tokio::io::AsyncWriteExt;
    let mut frame = bytes::BytesMut::new();
    let error = Tlv::error("too many connections");
    if FrameCodec::new()
        .encode(std::slice::from_ref(&error), &mut frame)
        .is_ok()
    {
        let _ = tokio::time::timeout(write_timeout, async {
            stream.write_all(&frame).await?;
            stream.shutdown().await
        })
        .await;
    }
    drop(alive);
}
