//! Configuration of the UDS client and server.

use std::path::{Path, PathBuf};
use std::time::Duration;

use usp_types::EndpointId;

use super::codec::{DEFAULT_MAX_FRAME_LEN, TLV_HEADER_LEN};

/// Which kind of USP Endpoint uses the socket. It decides which Records the transport
/// sends on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UdsRole {
    /// A USP Agent: after each handshake it sends a `UDSConnectRecord` first (R-MTP.6),
    /// sends one again before the next Record after a `DisconnectRecord` on a connection it
    /// keeps (R-MTP.8), and sends a `DisconnectRecord` when the transport is closed
    /// (R-MTP.7).
    Agent,
    /// A USP Controller: the transport sends no Record of its own.
    Controller,
}

/// The handshake timeout of R-UDS.18: 30 seconds.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The reconnection delay of R-UDS.5: a random time between 1 and 5 seconds.
pub const RECONNECT_DELAY: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(5));

/// What the client and the server share.
#[derive(Debug, Clone)]
pub(crate) struct Common {
    pub(crate) path: PathBuf,
    pub(crate) endpoint_id: EndpointId,
    pub(crate) role: UdsRole,
    pub(crate) handshake_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) max_frame_len: usize,
    pub(crate) send_queue: usize,
    pub(crate) recv_queue: usize,
}

impl Common {
    fn new(role: UdsRole, endpoint_id: EndpointId, path: PathBuf, queues: usize) -> Self {
        Self {
            path,
            endpoint_id,
            role,
            handshake_timeout: HANDSHAKE_TIMEOUT,
            write_timeout: Duration::from_secs(30),
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            send_queue: queues,
            recv_queue: queues,
        }
    }

    fn set_max_frame_len(&mut self, len: usize) {
        self.max_frame_len = len.clamp(TLV_HEADER_LEN + 1, u32::MAX as usize);
    }
}

/// Configuration of a [`UdsClient`](super::UdsClient): the socket to connect to, the local
/// Endpoint ID and role, and the limits.
///
/// Built with [`agent`](Self::agent) or [`controller`](Self::controller), then adjusted with
/// setters that take and return `&mut Self`.
///
/// ```
/// use std::time::Duration;
/// use usp_mtp::uds::{UdsClientConfig, UdsRole};
///
/// let mut config = UdsClientConfig::agent(
///     "doc::service-1".parse()?,
///     "/var/run/usp/broker_controller_path",
/// );
/// config
///     .handshake_timeout(Duration::from_secs(10))
///     .send_queue(16)
///     .expected_peer("doc::broker".parse()?);
/// assert_eq!(config.role(), UdsRole::Agent);
/// # Ok::<(), usp_types::InvalidEndpointId>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UdsClientConfig {
    pub(crate) common: Common,
    pub(crate) expected_peer: Option<EndpointId>,
    pub(crate) reconnect_delay: (Duration, Duration),
}

impl UdsClientConfig {
    /// A client for the Endpoint `endpoint_id` acting as `role`, connecting to the socket
    /// at `path`. Defaults: handshake timeout 30 s (R-UDS.18), reconnection after a random
    /// 1 to 5 s (R-UDS.5), 64 Records queued each way, Frames up to 16 MiB, writes that make
    /// no progress for 30 s end the connection.
    pub fn new(role: UdsRole, endpoint_id: EndpointId, path: impl Into<PathBuf>) -> Self {
        Self {
            common: Common::new(role, endpoint_id, path.into(), 64),
            expected_peer: None,
            reconnect_delay: RECONNECT_DELAY,
        }
    }

    /// A client for a USP Agent (a USP Service's Agent connecting to the USP Broker's
    /// Controller socket, `/var/run/usp/broker_controller_path`).
    pub fn agent(endpoint_id: EndpointId, path: impl Into<PathBuf>) -> Self {
        Self::new(UdsRole::Agent, endpoint_id, path)
    }

    /// A client for a USP Controller (a USP Service's Controller connecting to the USP
    /// Broker's Agent socket, `/var/run/usp/broker_agent_path`).
    pub fn controller(endpoint_id: EndpointId, path: impl Into<PathBuf>) -> Self {
        Self::new(UdsRole::Controller, endpoint_id, path)
    }

    /// The socket path.
    pub fn path(&self) -> &Path {
        &self.common.path
    }

    /// The local Endpoint ID, sent in the handshake.
    pub fn endpoint_id(&self) -> &EndpointId {
        &self.common.endpoint_id
    }

    /// The local role.
    pub fn role(&self) -> UdsRole {
        self.common.role
    }

    /// How long to wait for the server's Handshake after sending ours (default 30 s, the
    /// value R-UDS.18 requires).
    pub fn handshake_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.common.handshake_timeout = timeout;
        self
    }

    /// The range of the random delay before each reconnection (default 1 to 5 s, R-UDS.5).
    /// The bounds are swapped if given in the wrong order.
    pub fn reconnect_delay(&mut self, min: Duration, max: Duration) -> &mut Self {
        self.reconnect_delay = (min.min(max), min.max(max));
        self
    }

    /// Only accept a server whose Handshake names this Endpoint ID; another one gets an
    /// Error TLV and the connection is closed (and retried). Default: any.
    pub fn expected_peer(&mut self, endpoint_id: EndpointId) -> &mut Self {
        self.expected_peer = Some(endpoint_id);
        self
    }

    /// How long a write may make no progress before the connection is given up (default
    /// 30 s).
    pub fn write_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.common.write_timeout = timeout;
        self
    }

    /// The largest Frame accepted or sent, counted after the 8-byte header (default
    /// 16 MiB, at least 6). A Record larger than this less 5 bytes is refused by
    /// `start_send` with [`TooLarge`](crate::MtpErrorKind::TooLarge).
    pub fn max_frame_len(&mut self, len: usize) -> &mut Self {
        self.common.set_max_frame_len(len);
        self
    }

    /// How many Records may wait to be written (default 64, at least 1), counting those
    /// kept while disconnected; `poll_ready` waits when they are all taken.
    pub fn send_queue(&mut self, records: usize) -> &mut Self {
        self.common.send_queue = records.max(1);
        self
    }

    /// How many received Records may wait for `poll_recv` (default 64, at least 1); when
    /// they are all taken the client stops reading from the socket.
    pub fn recv_queue(&mut self, records: usize) -> &mut Self {
        self.common.recv_queue = records.max(1);
        self
    }
}

/// Configuration of a [`UdsServer`](super::UdsServer): the socket to listen on, the local
/// Endpoint ID and role, and the limits.
///
/// Built with [`agent`](Self::agent) or [`controller`](Self::controller), then adjusted with
/// setters that take and return `&mut Self`.
///
/// ```
/// use std::time::Duration;
/// use usp_mtp::uds::UdsServerConfig;
///
/// let mut config = UdsServerConfig::controller(
///     "doc::broker".parse()?,
///     "/var/run/usp/broker_controller_path",
/// );
/// config.max_connections(64).handshake_timeout(Duration::from_secs(5));
/// # Ok::<(), usp_types::InvalidEndpointId>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UdsServerConfig {
    pub(crate) common: Common,
    pub(crate) max_connections: usize,
}

impl UdsServerConfig {
    /// A server for the Endpoint `endpoint_id` acting as `role`, listening at `path`.
    /// Defaults: 30 s to receive a client's Handshake, at most 1024 connections, 1024
    /// Records queued for sending over all connections and 256 received, Frames up to
    /// 16 MiB, writes that make no progress for 30 s end the connection.
    pub fn new(role: UdsRole, endpoint_id: EndpointId, path: impl Into<PathBuf>) -> Self {
        let mut common = Common::new(role, endpoint_id, path.into(), 1024);
        common.recv_queue = 256;
        Self {
            common,
            max_connections: 1024,
        }
    }

    /// A server for a USP Agent (the USP Broker's Agent socket,
    /// `/var/run/usp/broker_agent_path`, that USP Services' Controllers connect to).
    pub fn agent(endpoint_id: EndpointId, path: impl Into<PathBuf>) -> Self {
        Self::new(UdsRole::Agent, endpoint_id, path)
    }

    /// A server for a USP Controller (the USP Broker's Controller socket,
    /// `/var/run/usp/broker_controller_path`, that USP Services' Agents connect to).
    pub fn controller(endpoint_id: EndpointId, path: impl Into<PathBuf>) -> Self {
        Self::new(UdsRole::Controller, endpoint_id, path)
    }

    /// The socket path.
    pub fn path(&self) -> &Path {
        &self.common.path
    }

    /// The local Endpoint ID, sent in the handshake.
    pub fn endpoint_id(&self) -> &EndpointId {
        &self.common.endpoint_id
    }

    /// The local role.
    pub fn role(&self) -> UdsRole {
        self.common.role
    }

    /// How long a new connection may take to send its Handshake before it gets an Error
    /// TLV and is closed (default 30 s: the specification only bounds the client's wait,
    /// R-UDS.18, and the server uses the same value).
    pub fn handshake_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.common.handshake_timeout = timeout;
        self
    }

    /// How long a write may make no progress before that connection is given up (default
    /// 30 s).
    pub fn write_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.common.write_timeout = timeout;
        self
    }

    /// The largest Frame accepted or sent, counted after the 8-byte header (default
    /// 16 MiB, at least 6). A Record larger than this less 5 bytes is refused by
    /// `start_send` with [`TooLarge`](crate::MtpErrorKind::TooLarge).
    pub fn max_frame_len(&mut self, len: usize) -> &mut Self {
        self.common.set_max_frame_len(len);
        self
    }

    /// How many Records may wait to be written, over all connections (default 1024, at
    /// least 1); `poll_ready` waits when they are all taken.
    pub fn send_queue(&mut self, records: usize) -> &mut Self {
        self.common.send_queue = records.max(1);
        self
    }

    /// How many received Records may wait for `poll_recv` (default 256, at least 1); when
    /// they are all taken the connections stop reading.
    pub fn recv_queue(&mut self, records: usize) -> &mut Self {
        self.common.recv_queue = records.max(1);
        self
    }

    /// How many connections may be open at once, handshaken or not (default 1024, at least
    /// 1). One more is answered with an Error TLV and closed.
    pub fn max_connections(&mut self, connections: usize) -> &mut Self {
        self.max_connections = connections.max(1);
        self
    }
}
