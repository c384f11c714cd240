//! Configuration of the STOMP client.

use std::fmt;
use std::time::Duration;

use usp_types::EndpointId;

use super::codec::{DEFAULT_MAX_FRAME_LEN, DEFAULT_MAX_HEADER_LEN, DEFAULT_MAX_HEADERS};
use super::heartbeat::HeartBeat;
use super::retry::ServerRetry;
use crate::{MtpError, MtpErrorKind};

/// Headers of a `SEND` frame that the client writes itself.
const OWN_SEND_HEADERS: [&str; 5] = [
    "destination",
    "content-type",
    "content-length",
    "reply-to-dest",
    "receipt",
];

/// `login` and `passcode`; `Debug` does not show the passcode.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Credentials {
    pub(crate) login: String,
    pub(crate) passcode: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("login", &self.login)
            .field("passcode", &"<hidden>")
            .finish()
    }
}

/// A Controller the client sends a `STOMPConnectRecord` to on every connection (R-MTP.6),
/// and a `DisconnectRecord` when it is closed (R-MTP.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectRecordPeer {
    pub(crate) controller: EndpointId,
    pub(crate) destination: String,
}

/// Configuration of a [`StompClient`](super::StompClient): the STOMP server, this
/// Endpoint, its destination, and how the connection behaves.
///
/// Built with [`new`](Self::new), then adjusted with by-value setters. The names of the
/// data model parameters they stand for are given for an Agent's `Device.STOMP.Connection.{i}.`
/// and `Device.LocalAgent.MTP.{i}.STOMP.` objects.
///
/// ```
/// use std::time::Duration;
/// use usp_mtp::stomp::{ServerRetry, StompConfig};
///
/// let config = StompConfig::new("broker.example", 61613, "os::012345-ABC".parse()?)
///     .virtual_host("/usp")
///     .credentials("agent", "secret")
///     .destination("/queue/agent-012345-ABC")
///     .heart_beat(Duration::from_secs(30), Duration::from_secs(30))
///     .retry(ServerRetry::new().initial_interval(Duration::from_secs(5)))
///     .connect_record("self::controller".parse()?, "/queue/controller")
///     .send_header("persistent", "true");
/// assert_eq!(config.endpoint_id().as_str(), "os::012345-ABC");
/// assert_eq!(config.get_destination(), Some("/queue/agent-012345-ABC"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StompConfig {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) endpoint_id: EndpointId,
    pub(crate) virtual_host: Option<String>,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) destination: Option<String>,
    pub(crate) heart_beat: HeartBeat,
    pub(crate) heart_beat_tolerance: u32,
    pub(crate) retry: ServerRetry,
    pub(crate) connect_timeout: Duration,
    pub(crate) close_timeout: Duration,
    pub(crate) connect_records: Vec<ConnectRecordPeer>,
    pub(crate) disconnect_on_close: bool,
    pub(crate) send_queue: usize,
    pub(crate) recv_queue: usize,
    pub(crate) max_frame_len: usize,
    pub(crate) max_header_len: usize,
    pub(crate) max_headers: usize,
    pub(crate) send_headers: Vec<(String, String)>,
    pub(crate) max_refusals: u32,
    #[cfg(feature = "rustls")]
    pub(crate) tls: super::tls::StompTls,
}

impl StompConfig {
    /// A client of the STOMP server at `host:port` (`Host` and `Port`) for the Endpoint
    /// `endpoint_id`, sent in the `endpoint-id` header (R-STOMP.4).
    ///
    /// Defaults: no `host` header, no login, no configured destination (the server must
    /// then give one in `subscribe-dest`, R-STOMP.16), no heart-beats (`0,0`, R-STOMP.9),
    /// the data model's retry parameters, 30 s to connect, 5 s to close, 64 Records queued
    /// each way, frames up to [`DEFAULT_MAX_FRAME_LEN`] received, and a Record refused
    /// three times dropped (see [`max_refusals`](Self::max_refusals)).
    pub fn new(host: impl Into<String>, port: u16, endpoint_id: EndpointId) -> Self {
        Self {
            host: host.into(),
            port,
            endpoint_id,
            virtual_host: None,
            credentials: None,
            destination: None,
            heart_beat: HeartBeat::OFF,
            heart_beat_tolerance: 100,
            retry: ServerRetry::new(),
            connect_timeout: Duration::from_secs(30),
            close_timeout: Duration::from_secs(5),
            connect_records: Vec::new(),
            disconnect_on_close: true,
            send_queue: 64,
            recv_queue: 64,
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            max_header_len: DEFAULT_MAX_HEADER_LEN,
            max_headers: DEFAULT_MAX_HEADERS,
            send_headers: Vec::new(),
            max_refusals: 3,
            #[cfg(feature = "rustls")]
            tls: super::tls::StompTls::default(),
        }
    }

    /// The server's host name or address.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// This Endpoint's ID.
    pub fn endpoint_id(&self) -> &EndpointId {
        &self.endpoint_id
    }

    /// The configured destination, if any.
    pub fn get_destination(&self) -> Option<&str> {
        self.destination.as_deref()
    }

    /// Sends a `host` header with this value (`VirtualHost`, R-STOMP.5). An empty value
    /// sends none.
    #[must_use]
    pub fn virtual_host(mut self, host: impl Into<String>) -> Self {
        self.virtual_host = Some(host.into()).filter(|h| !h.is_empty());
        self
    }

    /// Sends `login` and `passcode` headers (`Username`, `Password`; R-STOMP.3 requires
    /// them unless a client certificate authenticates the Endpoint).
    #[must_use]
    pub fn credentials(mut self, login: impl Into<String>, passcode: impl Into<String>) -> Self {
        self.credentials = Some(Credentials {
            login: login.into(),
            passcode: passcode.into(),
        });
        self
    }

    /// The destination to subscribe to when the server's `CONNECTED` frame has no
    /// `subscribe-dest` header (`Device.LocalAgent.MTP.{i}.STOMP.Destination`,
    /// R-STOMP.15). USP deployments on RabbitMQ use queues: `/queue/<name>`. An empty
    /// value means none.
    #[must_use]
    pub fn destination(mut self, destination: impl Into<String>) -> Self {
        self.destination = Some(destination.into()).filter(|d| !d.is_empty());
        self
    }

    /// Negotiates heart-beats (`EnableHeartbeats` true, R-STOMP.8): this client can send one
    /// every `outgoing` (`OutgoingHeartbeat`) and wants one every `incoming`
    /// (`IncomingHeartbeat`) (R-STOMP.10). Zero for either turns that direction off. The
    /// intervals in force are negotiated with the server's `CONNECTED` frame and adhered to
    /// (R-STOMP.11); see [`HeartBeatTimers`](super::HeartBeatTimers).
    #[must_use]
    pub fn heart_beat(mut self, outgoing: Duration, incoming: Duration) -> Self {
        self.heart_beat = HeartBeat::new(outgoing, incoming);
        self
    }

    /// How much longer than the negotiated interval the server may stay silent before the
    /// connection counts as dead, in percent of the interval (default 100: twice the
    /// interval). Clamped to 10 to 1000.
    #[must_use]
    pub fn heart_beat_tolerance(mut self, percent: u32) -> Self {
        self.heart_beat_tolerance = percent.clamp(10, 1000);
        self
    }

    /// The retry policy after a failed attempt, a lost connection or an `ERROR` frame
    /// (R-STOMP.7, R-STOMP.25).
    #[must_use]
    pub fn retry(mut self, retry: ServerRetry) -> Self {
        self.retry = retry;
        self
    }

    /// How long an attempt may take, from TCP through TLS to `CONNECTED` (default 30 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long closing may take: Records still waiting for their receipt, the
    /// `DisconnectRecord`s, and the `DISCONNECT` receipt (default 5 s).
    #[must_use]
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// Sends a `STOMPConnectRecord` to `controller` at `destination` on every connection,
    /// once subscribed (R-MTP.6), and a `DisconnectRecord` there when the client is closed
    /// (R-MTP.7, unless [`disconnect_on_close`](Self::disconnect_on_close) is off). Call it
    /// once per Controller. Agents do this; Controllers do not.
    #[must_use]
    pub fn connect_record(
        mut self,
        controller: EndpointId,
        destination: impl Into<String>,
    ) -> Self {
        self.connect_records.push(ConnectRecordPeer {
            controller,
            destination: destination.into(),
        });
        self
    }

    /// Whether closing sends a `DisconnectRecord` to each Controller of
    /// [`connect_record`](Self::connect_record) (default `true`).
    #[must_use]
    pub fn disconnect_on_close(mut self, send: bool) -> Self {
        self.disconnect_on_close = send;
        self
    }

    /// How many Records may be accepted and not yet confirmed by the server's receipt
    /// (default 64, at least 1). [`poll_ready`](crate::Mtp::poll_ready) waits when they are.
    #[must_use]
    pub fn send_queue(mut self, records: usize) -> Self {
        self.send_queue = records.max(1);
        self
    }

    /// How many received Records may wait for [`poll_recv`](crate::Mtp::poll_recv) before
    /// the client stops reading the connection (default 64, at least 1).
    #[must_use]
    pub fn recv_queue(mut self, records: usize) -> Self {
        self.recv_queue = records.max(1);
        self
    }

    /// The largest frame accepted from the server, and so the largest Record sent or
    /// received (default [`DEFAULT_MAX_FRAME_LEN`]). Larger `MESSAGE` frames are skipped
    /// without being buffered and reported; the connection stays up.
    #[must_use]
    pub fn max_frame_len(mut self, len: usize) -> Self {
        self.max_frame_len = len.max(256);
        self
    }

    /// The largest head (command and headers) of a frame accepted from the server
    /// (default [`DEFAULT_MAX_HEADER_LEN`]). A larger one ends the connection.
    #[must_use]
    pub fn max_header_len(mut self, len: usize) -> Self {
        self.max_header_len = len.max(256);
        self
    }

    /// The most headers a frame from the server may have (default
    /// [`DEFAULT_MAX_HEADERS`]). More end the connection.
    #[must_use]
    pub fn max_headers(mut self, count: usize) -> Self {
        self.max_headers = count.max(8);
        self
    }

    /// Adds a header to every `SEND` frame, after the client's own. For example
    /// `persistent:true`, which RabbitMQ and ActiveMQ honour, so that Records confirmed by
    /// a receipt survive a broker restart. The headers the client writes itself
    /// (`destination`, `content-type`, `content-length`, `reply-to-dest`, `receipt`) are
    /// refused by [`StompClient::start`](super::StompClient::start).
    #[must_use]
    pub fn send_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.send_headers.push((name.into(), value.into()));
        self
    }

    /// How many times a Record may be refused before it is dropped (default 3, at least 1).
    ///
    /// A Record counts as refused by an `ERROR` frame whose `receipt-id` is its receipt
    /// (it is dropped at once), or when a connection ends with an `ERROR` frame while it is
    /// the oldest Record without a receipt (servers handle frames in order: RabbitMQ, for
    /// one, answers a `SEND` to a destination it does not know with an `ERROR` that names
    /// no receipt). Without this, such a Record would be sent again on every connection,
    /// forever. A dropped Record is reported by
    /// [`StompClient::last_error`](super::StompClient::last_error).
    #[must_use]
    pub fn max_refusals(mut self, refusals: u32) -> Self {
        self.max_refusals = refusals.max(1);
        self
    }

    /// The checks [`StompClient::start`](super::StompClient::start) makes.
    pub(crate) fn validate(&self) -> Result<(), MtpError> {
        let config_error = |m: String| Err(MtpError::new(MtpErrorKind::Config, m));
        if self.host.is_empty() {
            return config_error("STOMP: no server host".into());
        }
        if self.port == 0 {
            return config_error("STOMP: the server port is 0".into());
        }
        if let Some(peer) = self
            .connect_records
            .iter()
            .find(|p| p.destination.is_empty())
        {
            return config_error(format!(
                "STOMP: no destination for the Connect Record to {}",
                peer.controller
            ));
        }
        for (name, _) in &self.send_headers {
            if name.is_empty() || OWN_SEND_HEADERS.contains(&name.as_str()) {
                return config_error(format!(
                    "STOMP: the SEND header {name:?} cannot be configured"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> StompConfig {
        StompConfig::new("localhost", 61613, "proto::agent".parse().unwrap())
    }

    #[test]
    fn defaults_and_setters() {
        let c = config();
        assert_eq!(c.heart_beat, HeartBeat::OFF);
        assert_eq!(c.get_destination(), None);
        assert_eq!((c.host(), c.port()), ("localhost", 61613));
        assert!(c.validate().is_ok());
        let c = config()
            .destination("")
            .virtual_host("")
            .heart_beat_tolerance(0)
            .send_queue(0)
            .recv_queue(0)
            .max_frame_len(1)
            .max_header_len(1)
            .max_headers(0)
            .max_refusals(0);
        assert_eq!(c.destination, None);
        assert_eq!(c.virtual_host, None);
        assert_eq!(c.heart_beat_tolerance, 10);
        assert_eq!((c.send_queue, c.recv_queue), (1, 1));
        assert_eq!(
            (c.max_frame_len, c.max_header_len, c.max_headers),
            (256, 256, 8)
        );
        assert_eq!(c.max_refusals, 1);
    }

    #[test]
    fn invalid_configurations_are_refused() {
        for c in [
            StompConfig::new("", 1, "proto::a".parse().unwrap()),
            StompConfig::new("h", 0, "proto::a".parse().unwrap()),
            config().connect_record("proto::c".parse().unwrap(), ""),
            config().send_header("receipt", "x"),
            config().send_header("content-length", "1"),
            config().send_header("", "x"),
        ] {
            assert_eq!(c.validate().unwrap_err().kind(), MtpErrorKind::Config);
        }
        assert!(
            config()
                .send_header("persistent", "true")
                .validate()
                .is_ok()
        );
    }
}
