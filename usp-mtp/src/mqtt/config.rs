//! Configuration of an [`MqttClient`](super::MqttClient).

use std::time::Duration;

use usp_record::MqttVersion;
use usp_types::EndpointId;

use super::ConnectRetry;
use super::topic::{check_filter, check_topic};
use crate::{MtpError, MtpErrorKind};

/// An MQTT Quality of Service level for publishing and subscribing (R-MQTT.20).
///
/// QoS 2 is not offered: USP does not require it, and its exactly-once exchange does not
/// survive this client's way of resending after a reconnection (as a new message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum MqttQos {
    /// QoS 0: sent once, never acknowledged; a Record in the socket when the connection
    /// breaks can be lost.
    AtMostOnce,
    /// QoS 1: the broker acknowledges each PUBLISH; the client sends again what was not
    /// acknowledged when a connection broke, so a Record may arrive twice but is not lost.
    #[default]
    AtLeastOnce,
}

/// The largest Record that can be sent or received by default: 4 MiB.
pub const DEFAULT_MAX_RECORD_SIZE: usize = 4 << 20;

/// Bytes allowed above [`max_record_size`](MqttConfig::max_record_size) for the rest of a
/// PUBLISH (fixed header, Topic Name, properties) in the Maximum Packet Size announced to
/// the broker and enforced on reading.
pub const PACKET_HEADROOM: usize = 256 << 10;

/// The largest MQTT packet: a 1-byte header, 4 bytes of length, and at most 268,435,455
/// bytes after them.
const MQTT_MAX_PACKET: usize = 1 + 4 + 268_435_455;

/// Configuration of an [`MqttClient`](super::MqttClient): the broker, this Endpoint, the
/// topics, and the limits.
///
/// Built with [`new`](Self::new) and adjusted with by-value setters. An Agent names its
/// Controller with [`peer`](Self::peer) (where its `MQTTConnectRecord` goes); every Endpoint
/// names its "reply to" Topic with [`reply_to_topic`](Self::reply_to_topic), unless the
/// broker gives one in the CONNACK (MQTT 5 Response Information, R-MQTT.21).
///
/// ```
/// use std::time::Duration;
/// use usp_mtp::mqtt::{ConnectRetry, MqttConfig, MqttQos, MqttVersion};
///
/// let config = MqttConfig::new("os::012345-ABC".parse()?, "broker.example", 1883)
///     .version(MqttVersion::V5)
///     .reply_to_topic("usp/agent/os::012345-ABC")
///     .peer("self::controller".parse()?, "usp/controller")
///     .qos(MqttQos::AtLeastOnce)
///     .keep_alive(Duration::from_secs(60))
///     .retry(ConnectRetry::new().min_wait(Duration::from_secs(5)));
/// assert_eq!(config.get_version(), MqttVersion::V5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MqttConfig {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) endpoint_id: EndpointId,
    pub(crate) version: MqttVersion,
    pub(crate) client_id: Option<String>,
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) keep_alive: Duration,
    pub(crate) clean_start: bool,
    pub(crate) session_expiry: Option<Duration>,
    pub(crate) reply_to: Option<String>,
    pub(crate) subscriptions: Vec<(String, MqttQos)>,
    pub(crate) qos: MqttQos,
    pub(crate) request_response_information: bool,
    pub(crate) accept_mqtt311_peers: bool,
    pub(crate) peer: Option<(EndpointId, String)>,
    pub(crate) send_connect_record: bool,
    pub(crate) disconnect_on_close: bool,
    pub(crate) peer_versions: Vec<(String, MqttVersion)>,
    pub(crate) known_peers: usize,
    pub(crate) max_record_size: usize,
    pub(crate) send_queue: usize,
    pub(crate) recv_queue: usize,
    pub(crate) max_inflight: u16,
    pub(crate) retry: ConnectRetry,
    pub(crate) connect_timeout: Duration,
    pub(crate) close_timeout: Duration,
    #[cfg(feature = "rustls")]
    pub(crate) tls: Option<super::MqttTlsConfig>,
}

impl MqttConfig {
    /// A client for the Endpoint `endpoint_id` of the broker at `host:port`, speaking MQTT 5.
    ///
    /// Defaults: MQTT 5 (R-MQTT.1); the ClientId configured with
    /// [`client_id`](Self::client_id), else empty in MQTT 5 (the broker assigns one, which
    /// is kept, R-MQTT.8, R-MQTT.9) and the Endpoint ID in 3.1.1 (R-MQTT.8); keep alive
    /// 60 s; clean start; Request Response Information set (R-MQTT.12); QoS 1 both ways;
    /// Records up to 4 MiB; 64 Records queued each way and at most 64 unacknowledged
    /// PUBLISHes; the data model's retry policy ([`ConnectRetry::new`]); 10 s to connect
    /// and subscribe, 5 s for queued Records when closing.
    pub fn new(endpoint_id: EndpointId, host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            endpoint_id,
            version: MqttVersion::V5,
            client_id: None,
            credentials: None,
            keep_alive: Duration::from_secs(60),
            clean_start: true,
            session_expiry: None,
            reply_to: None,
            subscriptions: Vec::new(),
            qos: MqttQos::AtLeastOnce,
            request_response_information: true,
            accept_mqtt311_peers: false,
            peer: None,
            send_connect_record: true,
            disconnect_on_close: true,
            peer_versions: Vec::new(),
            known_peers: 4096,
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
            send_queue: 64,
            recv_queue: 64,
            max_inflight: 64,
            retry: ConnectRetry::new(),
            connect_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(5),
            #[cfg(feature = "rustls")]
            tls: None,
        }
    }

    /// The MQTT version: [`MqttVersion::V5`] (the default, R-MQTT.1) or
    /// [`MqttVersion::V3_1_1`] (R-MQTT.2).
    #[must_use]
    pub fn version(mut self, version: MqttVersion) -> Self {
        self.version = version;
        self
    }

    /// The configured ClientId (`Device.MQTT.Client.{i}.ClientID`, R-MQTT.8). An empty
    /// string means none. In MQTT 5 a client without one sends an empty ClientId and keeps
    /// the one the broker assigns ([`MqttClient::client_id`](super::MqttClient::client_id)
    /// tells it, to be saved, R-MQTT.9); in 3.1.1 it uses its Endpoint ID.
    #[must_use]
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        let id = client_id.into();
        self.client_id = (!id.is_empty()).then_some(id);
        self
    }

    /// User Name and Password for the CONNECT packet (R-MQTT.7).
    #[must_use]
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((username.into(), password.into()));
        self
    }

    /// The Keep Alive of the CONNECT packet (`KeepAliveTime`, R-MQTT.14), in whole seconds;
    /// a PINGREQ goes out at this interval. MQTT 3.1.1 allows 0 (no keep alive); with MQTT 5
    /// the client sends at least 5 s. Default 60 s.
    #[must_use]
    pub fn keep_alive(mut self, keep_alive: Duration) -> Self {
        self.keep_alive = Duration::from_secs(keep_alive.as_secs().min(u64::from(u16::MAX)));
        self
    }

    /// The Clean Start (3.1.1: Clean Session) flag. Default `true`. With `false` the broker
    /// keeps the subscriptions and queues QoS 1 messages while the client is away: with MQTT
    /// 5 give a [`session_expiry`](Self::session_expiry) too, or the session ends with the
    /// connection.
    #[must_use]
    pub fn clean_start(mut self, clean_start: bool) -> Self {
        self.clean_start = clean_start;
        self
    }

    /// MQTT 5 Session Expiry Interval: how long the broker keeps the session after the
    /// connection ends (whole seconds, at most `u32::MAX`). Default none (0).
    #[must_use]
    pub fn session_expiry(mut self, expiry: Option<Duration>) -> Self {
        self.session_expiry = expiry;
        self
    }

    /// This Endpoint's "reply to" Topic (`ResponseTopicConfigured`), used when the broker
    /// gives no Response Information (R-MQTT.15, R-MQTT.21): put in every PUBLISH
    /// (R-MQTT.22 to R-MQTT.24), subscribed to unless a configured filter already covers it
    /// (with MQTT 3.1.1 as `<topic>/#`, since the reply-to follows the topic).
    #[must_use]
    pub fn reply_to_topic(mut self, topic: impl Into<String>) -> Self {
        self.reply_to = Some(topic.into());
        self
    }

    /// Also subscribes to a Topic Filter (`Device.MQTT.Client.{i}.Subscription.{i}.Topic`,
    /// R-MQTT.15), with its QoS; a shared subscription (`$share/{group}/{filter}`, see
    /// [`shared_subscription`](super::shared_subscription)) lets several Controller
    /// processes share the Records published to a topic.
    #[must_use]
    pub fn subscribe(mut self, filter: impl Into<String>, qos: MqttQos) -> Self {
        self.subscriptions.push((filter.into(), qos));
        self
    }

    /// The QoS of every PUBLISH and of the subscription to the "reply to" Topic. Default
    /// [`MqttQos::AtLeastOnce`].
    #[must_use]
    pub fn qos(mut self, qos: MqttQos) -> Self {
        self.qos = qos;
        self
    }

    /// Whether an MQTT 5 CONNECT sets Request Response Information to 1 (R-MQTT.12).
    /// Default `true`.
    #[must_use]
    pub fn request_response_information(mut self, request: bool) -> Self {
        self.request_response_information = request;
        self
    }

    /// For an MQTT 5 client: also receive from MQTT 3.1.1 peers, whose PUBLISH Topic Names
    /// end with `/reply-to=...` (R-MQTT.24), by subscribing to `<reply-to>/#` instead of
    /// the exact "reply to" Topic. A Controller that serves 3.1.1 and 5 Agents turns it on.
    /// Default `false` (MQTT 3.1.1 clients always do this).
    #[must_use]
    pub fn accept_mqtt311_peers(mut self, accept: bool) -> Self {
        self.accept_mqtt311_peers = accept;
        self
    }

    /// The peer this Endpoint talks to first: for an Agent, its Controller's Endpoint ID
    /// and Topic (`Device.LocalAgent.Controller.{i}.MTP.{i}.MQTT.Topic`). The
    /// `MQTTConnectRecord` goes there after every connection (R-MTP.6), and the
    /// `DisconnectRecord` when closing (R-MTP.7); a Record received without any "reply to"
    /// Topic is taken to come from there.
    #[must_use]
    pub fn peer(mut self, endpoint_id: EndpointId, topic: impl Into<String>) -> Self {
        self.peer = Some((endpoint_id, topic.into()));
        self
    }

    /// Whether to send the `MQTTConnectRecord` to the [`peer`](Self::peer) after every
    /// connection, before any other Record (R-MTP.6, R-MTP.8). Default `true`.
    #[must_use]
    pub fn send_connect_record(mut self, send: bool) -> Self {
        self.send_connect_record = send;
        self
    }

    /// Whether closing sends a `DisconnectRecord` (7105, "Session Context terminated") to
    /// the [`peer`](Self::peer) first (R-MTP.7, R-MTP.9). Default `true`.
    #[must_use]
    pub fn disconnect_on_close(mut self, send: bool) -> Self {
        self.disconnect_on_close = send;
        self
    }

    /// Declares that the Endpoint subscribed at `topic` speaks MQTT `version`, so that
    /// Records to it carry the "reply to" Topic the way it reads it (a 3.1.1 peer in the
    /// Topic Name, R-MQTT.24). Without this the client learns it from what the peer sends
    /// (its `MQTTConnectRecord`, or how its reply-to came) and otherwise assumes its own
    /// version.
    #[must_use]
    pub fn peer_version(mut self, topic: impl Into<String>, version: MqttVersion) -> Self {
        self.peer_versions.push((topic.into(), version));
        self
    }

    /// How many peers' MQTT versions the client remembers when it learns them (default
    /// 4096; the oldest is forgotten first; topics over 1 KiB are not remembered).
    #[must_use]
    pub fn known_peers(mut self, peers: usize) -> Self {
        self.known_peers = peers;
        self
    }

    /// The largest Record sent or received, in bytes. A larger one given to
    /// [`start_send`](crate::Mtp::start_send) is refused with
    /// [`TooLarge`](MtpErrorKind::TooLarge); a larger one received is dropped with a log
    /// line and counted, and the connection carries on. The Maximum Packet Size announced
    /// to an MQTT 5 broker (and enforced on reading, where a larger packet ends the
    /// connection) is this plus [`PACKET_HEADROOM`]. Default 4 MiB.
    #[must_use]
    pub fn max_record_size(mut self, bytes: usize) -> Self {
        self.max_record_size = bytes.clamp(1, MQTT_MAX_PACKET - PACKET_HEADROOM);
        self
    }

    /// How many accepted Records may be unfinished (queued, or sent and not acknowledged)
    /// before [`poll_ready`](crate::Mtp::poll_ready) waits. Default 64, at least 1.
    #[must_use]
    pub fn send_queue(mut self, records: usize) -> Self {
        self.send_queue = records.max(1);
        self
    }

    /// How many received Records wait for [`poll_recv`](crate::Mtp::poll_recv). QoS 1
    /// PUBLISHes are acknowledged as they enter this queue, and an MQTT 5 broker is told
    /// this many as Receive Maximum, so it stops sending while the queue is full. Default
    /// 64, at least 1, at most 65535.
    #[must_use]
    pub fn recv_queue(mut self, records: usize) -> Self {
        self.recv_queue = records.clamp(1, usize::from(u16::MAX));
        self
    }

    /// The most QoS 1 PUBLISHes sent and not acknowledged at once (an MQTT 5 broker's
    /// Receive Maximum may lower it). Default 64, at least 1.
    #[must_use]
    pub fn max_inflight(mut self, publishes: u16) -> Self {
        self.max_inflight = publishes.max(1);
        self
    }

    /// When to try again after a failed attempt or a lost connection (R-MQTT.10,
    /// R-MQTT.33).
    #[must_use]
    pub fn retry(mut self, retry: ConnectRetry) -> Self {
        self.retry = retry;
        self
    }

    /// How long connecting may take: TCP, TLS, CONNECT/CONNACK, then SUBSCRIBE/SUBACK.
    /// Default 10 s, at least 1 s.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout.max(Duration::from_secs(1));
        self
    }

    /// How long [`close`](crate::MtpExt::close) waits for the Records still queued or not
    /// yet acknowledged before it sends DISCONNECT (R-MQTT.35). Default 5 s.
    #[must_use]
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// TLS (`mqtts`, R-MQTT.48), with a client certificate for mutual TLS.
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    #[must_use]
    pub fn tls(mut self, tls: super::MqttTlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// The MQTT version.
    pub fn get_version(&self) -> MqttVersion {
        self.version
    }

    /// The local Endpoint ID.
    pub fn endpoint_id(&self) -> &EndpointId {
        &self.endpoint_id
    }

    /// The broker's host and port.
    pub fn broker(&self) -> (&str, u16) {
        (&self.host, self.port)
    }

    /// The Maximum Packet Size: the largest Record plus the headroom.
    pub(crate) fn max_packet_size(&self) -> usize {
        (self.max_record_size + PACKET_HEADROOM).min(MQTT_MAX_PACKET)
    }

    /// Checks what can be checked before connecting.
    pub(crate) fn validate(&self) -> Result<(), MtpError> {
        let config_error = |m: String| Err(MtpError::new(MtpErrorKind::Config, m));
        if self.host.is_empty() {
            return config_error("the broker host is empty".into());
        }
        if let Some(reply) = &self.reply_to {
            check_topic(reply).map_err(|e| MtpError::new(MtpErrorKind::Config, e.to_string()))?;
        }
        for (filter, _) in &self.subscriptions {
            check_filter(filter)?;
        }
        if let Some((_, topic)) = &self.peer {
            check_topic(topic).map_err(|e| MtpError::new(MtpErrorKind::Config, e.to_string()))?;
        }
        for (topic, _) in &self.peer_versions {
            check_topic(topic).map_err(|e| MtpError::new(MtpErrorKind::Config, e.to_string()))?;
        }
        if let Some(id) = &self.client_id
            && id.len() > usize::from(u16::MAX)
        {
            return config_error("the ClientId is longer than 65535 bytes".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> EndpointId {
        "self::a".parse().unwrap()
    }

    #[test]
    fn defaults_follow_the_specification() {
        let c = MqttConfig::new(id(), "localhost", 1883);
        assert_eq!(c.version, MqttVersion::V5); // R-MQTT.1
        assert!(c.request_response_information); // R-MQTT.12
        assert_eq!(c.client_id, None); // R-MQTT.8: empty for MQTT 5
        assert_eq!(c.qos, MqttQos::AtLeastOnce);
        assert_eq!(c.retry, ConnectRetry::new());
        assert_eq!(
            c.max_packet_size(),
            DEFAULT_MAX_RECORD_SIZE + PACKET_HEADROOM
        );
        c.validate().unwrap();
    }

    #[test]
    fn setters_clamp_and_validation_catches_bad_topics() {
        let c = MqttConfig::new(id(), "h", 1)
            .client_id("")
            .keep_alive(Duration::from_millis(1500))
            .max_record_size(usize::MAX)
            .send_queue(0)
            .recv_queue(1 << 20)
            .max_inflight(0);
        assert_eq!(c.client_id, None);
        assert_eq!(c.keep_alive, Duration::from_secs(1));
        assert_eq!(c.max_packet_size(), MQTT_MAX_PACKET);
        assert_eq!((c.send_queue, c.recv_queue, c.max_inflight), (1, 65535, 1));
        for bad in [
            MqttConfig::new(id(), "", 1),
            MqttConfig::new(id(), "h", 1).reply_to_topic("a/+"),
            MqttConfig::new(id(), "h", 1).subscribe("a/#/b", MqttQos::AtMostOnce),
            MqttConfig::new(id(), "h", 1).peer(id(), ""),
            MqttConfig::new(id(), "h", 1).peer_version("#", MqttVersion::V5),
        ] {
            assert_eq!(bad.validate().unwrap_err().kind(), MtpErrorKind::Config);
        }
    }
}
