//! Configuration of the WebSocket client and server.

use std::time::Duration;

use tokio_tungstenite::tungstenite::http::Uri;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use usp_types::EndpointId;

use super::SessionRetry;
use super::handshake::with_eid_query;
use crate::{MtpError, MtpErrorKind};

/// Settings every connection has, client or server.
#[derive(Debug, Clone)]
pub(crate) struct ConnSettings {
    pub(crate) max_record_size: usize,
    pub(crate) read_buffer_size: usize,
    pub(crate) ping_interval: Option<Duration>,
    pub(crate) pong_timeout: Duration,
    pub(crate) handshake_timeout: Duration,
    pub(crate) close_timeout: Duration,
    pub(crate) send_queue: usize,
    pub(crate) recv_queue: usize,
}

impl ConnSettings {
    fn new(ping_interval: Option<Duration>) -> Self {
        Self {
            max_record_size: 4 << 20,
            read_buffer_size: 8 << 10,
            ping_interval,
            pong_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(3),
            send_queue: 64,
            recv_queue: 64,
        }
    }

    /// tungstenite's settings: the message size limit applies to reassembled fragments too,
    /// and frames are limited alike (a frame is never larger than its message).
    pub(crate) fn websocket_config(&self) -> WebSocketConfig {
        WebSocketConfig::default()
            .read_buffer_size(self.read_buffer_size)
            // Records are written one batch at a time and flushed: no need to gather more.
            .write_buffer_size(0)
            .max_message_size(Some(self.max_record_size))
            .max_frame_size(Some(self.max_record_size))
    }
}

/// Configuration of a [`WsClient`](crate::websocket::WsClient).
///
/// Built from the server's URI and this Endpoint's ID, then adjusted with by-value setters:
///
/// ```
/// use std::time::Duration;
/// use usp_mtp::websocket::{SessionRetry, WsClientConfig};
///
/// let config = WsClientConfig::new("ws://controller.example:8080/usp", "os::012345-ABC".parse()?)?
///     .peer_endpoint_id("self::controller".parse()?)
///     .ping_interval(Some(Duration::from_secs(30)))
///     .session_retry(SessionRetry::new().min_wait(Duration::from_secs(5)).multiplier(2000));
/// assert_eq!(config.url(), "ws://controller.example:8080/usp?eid=os::012345-ABC");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WsClientConfig {
    pub(crate) url: String,
    pub(crate) tls_scheme: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) local_id: EndpointId,
    pub(crate) peer_id: Option<EndpointId>,
    pub(crate) retry: SessionRetry,
    pub(crate) conn: ConnSettings,
    pub(crate) send_connect_record: bool,
    pub(crate) disconnect_on_close: bool,
    pub(crate) send_extension: bool,
    #[cfg(feature = "rustls")]
    pub(crate) tls: Option<super::TlsClientConfig>,
}

impl WsClientConfig {
    /// A client of the WebSocket server at `url` (`ws://host[:port]/path[?query]`, or
    /// `wss://` with the `rustls` feature and a [`tls`](Self::tls) configuration), for the
    /// Endpoint `local_id`.
    ///
    /// `eid=<local_id>` is appended to the query, percent-encoded (R-WS.10b, R-WS.10c).
    ///
    /// # Errors
    ///
    /// [`MtpErrorKind::Config`] if `url` is not a `ws` or `wss` URI with a host, or has a
    /// fragment.
    pub fn new(url: &str, local_id: EndpointId) -> Result<Self, MtpError> {
        let config_error = |why: &str| {
            MtpError::new(
                MtpErrorKind::Config,
                format!("invalid WebSocket URI {url:?}: {why}"),
            )
        };
        if url.contains('#') {
            return Err(config_error("a WebSocket URI has no fragment"));
        }
        let uri: Uri = url
            .parse()
            .map_err(|e| config_error("not a URI").with_source(e))?;
        let tls_scheme = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("ws") => false,
            Some(s) if s.eq_ignore_ascii_case("wss") => true,
            _ => return Err(config_error("the scheme must be ws or wss")),
        };
        let host = uri
            .host()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| config_error("no host"))?;
        // `Uri` keeps the brackets of an IPv6 literal; sockets and TLS want it without.
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .to_owned();
        let port = uri.port_u16().unwrap_or(if tls_scheme { 443 } else { 80 });
        // Rebuilt from its parts: `ws://host` and `ws://host?q` get the path `/` (RFC 6455
        // section 3), which `Uri::path` supplies.
        let authority = uri.authority().map_or("", |a| a.as_str());
        let scheme = if tls_scheme { "wss" } else { "ws" };
        let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
        let base = format!("{scheme}://{authority}{}{query}", uri.path());
        Ok(Self {
            url: with_eid_query(&base, &local_id),
            tls_scheme,
            host,
            port,
            local_id,
            peer_id: None,
            retry: SessionRetry::new(),
            conn: ConnSettings::new(Some(Duration::from_secs(30))),
            send_connect_record: true,
            disconnect_on_close: true,
            send_extension: false,
            #[cfg(feature = "rustls")]
            tls: None,
        })
    }

    /// The request URI, with the `eid` query parameter.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The Endpoint ID of the server's Endpoint (the Controller). It is the `to_id` of the
    /// `WebSocketConnectRecord` and the Endpoint ID of the address Records arrive from; with
    /// the `rustls` feature it can also be checked against the server's certificate.
    ///
    /// When it is not configured, the client takes the one a server announces with the
    /// `bbf-usp-protocol` extension (R-WS.11a), if any; without a peer ID, no
    /// `WebSocketConnectRecord` can be built and none is sent (R-MTP.6 applies "if the Agent
    /// has the necessary information").
    #[must_use]
    pub fn peer_endpoint_id(mut self, id: EndpointId) -> Self {
        self.peer_id = Some(id);
        self
    }

    /// The session retry policy (R-WS.19); default [`SessionRetry::new`].
    #[must_use]
    pub fn session_retry(mut self, retry: SessionRetry) -> Self {
        self.retry = retry;
        self
    }

    /// How often to send a Ping when connected (R-WS.17, R-WS.18); `None` sends none.
    /// Default 30 seconds.
    #[must_use]
    pub fn ping_interval(mut self, interval: Option<Duration>) -> Self {
        self.conn.ping_interval = interval.filter(|d| !d.is_zero());
        self
    }

    /// How long to wait, after a Ping, for any frame from the peer before taking the
    /// connection for dead and reconnecting. Default 30 seconds.
    #[must_use]
    pub fn pong_timeout(mut self, timeout: Duration) -> Self {
        self.conn.pong_timeout = timeout;
        self
    }

    /// The time allowed to connect: TCP, TLS and the WebSocket handshake. Default 10 s.
    #[must_use]
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.conn.handshake_timeout = timeout;
        self
    }

    /// The largest Record accepted from the server, in bytes, after reassembling fragments.
    /// A larger one closes the connection with status 1009. Default 4 MiB.
    #[must_use]
    pub fn max_record_size(mut self, bytes: usize) -> Self {
        self.conn.max_record_size = bytes.max(1);
        self
    }

    /// The size of the socket read buffer, allocated once per connection. Default 8 KiB.
    #[must_use]
    pub fn read_buffer_size(mut self, bytes: usize) -> Self {
        self.conn.read_buffer_size = bytes.max(256);
        self
    }

    /// How many Records [`start_send`](crate::Mtp::start_send) can queue while they wait for
    /// the socket, or for a reconnection; beyond that [`poll_ready`](crate::Mtp::poll_ready)
    /// waits. Default 64.
    #[must_use]
    pub fn send_queue_capacity(mut self, records: usize) -> Self {
        self.conn.send_queue = records.max(1);
        self
    }

    /// How many received Records wait for [`poll_recv`](crate::Mtp::poll_recv) before the
    /// client stops reading the socket. Default 64.
    #[must_use]
    pub fn recv_queue_capacity(mut self, records: usize) -> Self {
        self.conn.recv_queue = records.max(1);
        self
    }

    /// Whether to send a `WebSocketConnectRecord` (`to_id` the peer, `from_id` this
    /// Endpoint) before any other Record on every new connection (R-MTP.6, R-MTP.8).
    /// Default `true`, which is what an Agent must do; a Controller connecting out turns it
    /// off.
    #[must_use]
    pub fn send_connect_record(mut self, send: bool) -> Self {
        self.send_connect_record = send;
        self
    }

    /// Whether [`close`](crate::MtpExt::close) sends a `DisconnectRecord` (reason code 7105,
    /// Session Context terminated) before the WebSocket Close frame (R-MTP.7, R-MTP.9).
    /// Default `true`; needs the peer's Endpoint ID.
    #[must_use]
    pub fn disconnect_on_close(mut self, send: bool) -> Self {
        self.disconnect_on_close = send;
        self
    }

    /// Whether to also send the deprecated `Sec-WebSocket-Extensions: bbf-usp-protocol;
    /// eid="..."` header (R-WS.10a, removed in USP 1.3) for servers that still expect it.
    /// Default `false`.
    #[must_use]
    pub fn send_extension_header(mut self, send: bool) -> Self {
        self.send_extension = send;
        self
    }

    /// TLS for a `wss://` URI.
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    #[must_use]
    pub fn tls(mut self, tls: super::TlsClientConfig) -> Self {
        self.tls = Some(tls);
        self
    }
}

/// Configuration of a [`WsServer`](crate::websocket::WsServer).
///
/// ```
/// use std::time::Duration;
/// use usp_mtp::websocket::WsServerConfig;
///
/// let config = WsServerConfig::new("self::controller".parse()?)
///     .path("/usp")
///     .max_connections(50_000)
///     .send_queue_capacity(16)
///     .ping_interval(Some(Duration::from_secs(60)));
/// # let _ = config;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WsServerConfig {
    pub(crate) local_id: EndpointId,
    pub(crate) path: Option<String>,
    pub(crate) max_connections: usize,
    pub(crate) require_endpoint_id: bool,
    pub(crate) conn: ConnSettings,
    pub(crate) send_connect_record: bool,
    pub(crate) disconnect_on_close: bool,
    #[cfg(feature = "rustls")]
    pub(crate) tls: Option<super::TlsServerConfig>,
}

impl WsServerConfig {
    /// A server for the Endpoint `local_id`, which it announces to clients that offer the
    /// `bbf-usp-protocol` extension (R-WS.11a).
    pub fn new(local_id: EndpointId) -> Self {
        Self {
            local_id,
            path: None,
            max_connections: 16_384,
            require_endpoint_id: false,
            conn: ConnSettings::new(None),
            send_connect_record: false,
            disconnect_on_close: false,
            #[cfg(feature = "rustls")]
            tls: None,
        }
    }

    /// Accept only requests for this path (R-WS.2); others get HTTP 404. By default any
    /// path is accepted.
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The most connections open at once, handshakes included; more are closed as soon as
    /// they are accepted. Default 16384.
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Refuse (HTTP 400) clients that name no Endpoint ID: neither an `eid` query parameter
    /// (R-WS.10b), nor the `bbf-usp-protocol` extension, nor (with TLS) exactly one
    /// Endpoint ID in their certificate. Default `false`: such clients are accepted and
    /// their address has no Endpoint ID.
    #[must_use]
    pub fn require_endpoint_id(mut self, require: bool) -> Self {
        self.require_endpoint_id = require;
        self
    }

    /// How often to send a Ping on each connection; `None` (the default) sends none, since
    /// R-WS.17 asks it of Agents. Pings are always answered.
    #[must_use]
    pub fn ping_interval(mut self, interval: Option<Duration>) -> Self {
        self.conn.ping_interval = interval.filter(|d| !d.is_zero());
        self
    }

    /// How long to wait, after a Ping, for any frame before closing the connection (1011).
    /// Default 30 seconds.
    #[must_use]
    pub fn pong_timeout(mut self, timeout: Duration) -> Self {
        self.conn.pong_timeout = timeout;
        self
    }

    /// The time allowed for the TLS and WebSocket handshakes of a new connection. Default
    /// 10 seconds.
    #[must_use]
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.conn.handshake_timeout = timeout;
        self
    }

    /// The largest Record accepted, in bytes, after reassembling fragments. A larger one
    /// closes that connection with status 1009. Default 4 MiB.
    #[must_use]
    pub fn max_record_size(mut self, bytes: usize) -> Self {
        self.conn.max_record_size = bytes.max(1);
        self
    }

    /// The size of each connection's socket read buffer. Default 8 KiB.
    #[must_use]
    pub fn read_buffer_size(mut self, bytes: usize) -> Self {
        self.conn.read_buffer_size = bytes.max(256);
        self
    }

    /// How many Records can wait for each connection's socket. When a connection's queue is
    /// full, [`start_send`](crate::Mtp::start_send) still takes the Record and the next
    /// [`poll_ready`](crate::Mtp::poll_ready) waits until it fits. Default 64.
    #[must_use]
    pub fn send_queue_capacity(mut self, records: usize) -> Self {
        self.conn.send_queue = records.max(1);
        self
    }

    /// How many received Records, from all connections, wait for
    /// [`poll_recv`](crate::Mtp::poll_recv) before the connections stop reading. Default 64.
    #[must_use]
    pub fn recv_queue_capacity(mut self, records: usize) -> Self {
        self.conn.recv_queue = records.max(1);
        self
    }

    /// Whether to send a `WebSocketConnectRecord` first on each new connection whose client
    /// named its Endpoint ID: for an Agent that accepts connections from Controllers
    /// (R-WS.6 with R-MTP.6). Default `false`.
    #[must_use]
    pub fn send_connect_record(mut self, send: bool) -> Self {
        self.send_connect_record = send;
        self
    }

    /// Whether [`close`](crate::MtpExt::close) sends a `DisconnectRecord` (7105) to every
    /// client that named its Endpoint ID before closing it: for an Agent (R-MTP.7). Default
    /// `false`.
    #[must_use]
    pub fn disconnect_on_close(mut self, send: bool) -> Self {
        self.disconnect_on_close = send;
        self
    }

    /// TLS: the server then speaks only `wss`.
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    #[must_use]
    pub fn tls(mut self, tls: super::TlsServerConfig) -> Self {
        self.tls = Some(tls);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent() -> EndpointId {
        "os::012345-ABC".parse().unwrap()
    }

    #[test]
    fn client_uris() {
        let c = WsClientConfig::new("ws://h:81/usp", agent()).unwrap();
        assert_eq!((c.host.as_str(), c.port, c.tls_scheme), ("h", 81, false));
        assert_eq!(c.url(), "ws://h:81/usp?eid=os::012345-ABC");
        let c = WsClientConfig::new("wss://[::1]/", agent()).unwrap();
        assert_eq!((c.host.as_str(), c.port, c.tls_scheme), ("::1", 443, true));
        let c = WsClientConfig::new("ws://h", agent()).unwrap();
        assert_eq!(c.url(), "ws://h/?eid=os::012345-ABC");
        let c = WsClientConfig::new("ws://h?a=b", agent()).unwrap();
        assert_eq!(c.url(), "ws://h/?a=b&eid=os::012345-ABC");
        for bad in ["http://h/", "h/usp", "ws:///x", "ws://h/#f", ""] {
            let e = WsClientConfig::new(bad, agent()).unwrap_err();
            assert_eq!(e.kind(), MtpErrorKind::Config, "{bad}");
        }
    }
}
