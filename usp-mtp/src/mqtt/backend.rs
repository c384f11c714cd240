//! The only file that knows rumqttc: one MQTT connection (3.1.1 or 5) as a handle that takes
//! requests without waiting, and a stream of events in this module's own terms.
//!
//! rumqttc's `EventLoop::poll` is driven by a task of its own and never cancelled (it is not
//! cancel safe while writing); the connection logic gets its events over a channel and
//! sends requests over rumqttc's request channel, whose room it accounts for so that a
//! request never waits.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use rumqttc::v5::mqttbytes::v5 as p5;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use usp_record::MqttVersion;

use super::inbound::Received;
use super::properties::{ConnAckInfo, ENDPOINT_ID_PROPERTY, SUBSCRIBE_TOPIC_PROPERTY};
use super::{MqttConfig, MqttQos};
use crate::{MtpError, MtpErrorKind};

/// What one connection reports, in order.
#[derive(Debug)]
pub(crate) enum Event {
    /// The CONNACK (always first).
    ConnAck(ConnAckInfo),
    /// A PUBLISH received, and what acknowledges it (QoS 1).
    Publish(Received, Option<Ack>),
    /// A PUBACK for the PUBLISH with this packet identifier, and the error Reason Code it
    /// carried if any (MQTT 5).
    PubAck(u16, Option<String>),
    /// A SUBACK: for each Topic Filter in order, whether it was granted.
    SubAck(Vec<bool>),
    /// A request taken from the request channel was written (and flushed).
    Sent(Sent),
}

/// A request the connection took from the request channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sent {
    /// A PUBLISH, with its packet identifier (0 for QoS 0).
    Publish(u16),
    /// A PUBLISH whose packet identifier is still taken by an unacknowledged one: it goes
    /// out (as [`Sent::Publish`] with the same identifier) after that one's PUBACK.
    Waiting(u16),
    /// A PUBACK of ours.
    PubAck,
    /// The SUBSCRIBE.
    Subscribe,
    /// The DISCONNECT.
    Disconnect,
}

/// What acknowledges a received QoS 1 PUBLISH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ack {
    pkid: u16,
}

/// The settings of one connection attempt.
#[derive(Debug, Clone)]
pub(crate) struct Params {
    pub(crate) client_id: String,
    /// Room in rumqttc's request channel.
    pub(crate) requests: usize,
    #[cfg(feature = "rustls")]
    pub(crate) tls: Option<std::sync::Arc<rustls::ClientConfig>>,
}

/// A request rumqttc did not take (its channel is full or the connection is gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotTaken;

enum Requests {
    V4(rumqttc::AsyncClient),
    V5(rumqttc::v5::AsyncClient),
}

/// One connection attempt and, once it succeeds, the connection. Dropping it stops it at
/// once (without DISCONNECT).
pub(crate) struct Connection {
    requests: Requests,
    pub(crate) events: mpsc::Receiver<Result<Event, MtpError>>,
    driver: JoinHandle<()>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

fn qos4(q: MqttQos) -> rumqttc::QoS {
    match q {
        MqttQos::AtMostOnce => rumqttc::QoS::AtMostOnce,
        MqttQos::AtLeastOnce => rumqttc::QoS::AtLeastOnce,
    }
}

fn qos5(q: MqttQos) -> rumqttc::v5::mqttbytes::QoS {
    match q {
        MqttQos::AtMostOnce => rumqttc::v5::mqttbytes::QoS::AtMostOnce,
        MqttQos::AtLeastOnce => rumqttc::v5::mqttbytes::QoS::AtLeastOnce,
    }
}

fn secs_u64(d: Duration) -> u64 {
    d.as_secs().max(1)
}

impl Connection {
    /// Starts connecting (on the current tokio runtime). Events come on
    /// [`events`](Self::events), the CONNACK first; the first error ends them.
    pub(crate) fn start(config: &MqttConfig, params: &Params) -> Self {
        let (tx, events) = mpsc::channel(64);
        let mut network = rumqttc::NetworkOptions::new();
        network.set_tcp_nodelay(true);
        network.set_connection_timeout(secs_u64(config.connect_timeout));
        let capacity = params.requests.max(1);
        let (requests, driver) = match config.version {
            MqttVersion::V3_1_1 => {
                let options = options_v4(config, params);
                let (client, mut eventloop) = rumqttc::AsyncClient::new(options, capacity);
                eventloop.set_network_options(network);
                (Requests::V4(client), tokio::spawn(drive_v4(eventloop, tx)))
            }
            _ => {
                let mut options = options_v5(config, params);
                options.set_network_options(network);
                let (client, eventloop) = rumqttc::v5::AsyncClient::new(options, capacity);
                (Requests::V5(client), tokio::spawn(drive_v5(eventloop, tx)))
            }
        };
        Self {
            requests,
            events,
            driver,
        }
    }

    /// Queues a PUBLISH (with Content Type `usp.msg` and this Response Topic, in MQTT 5).
    pub(crate) fn publish(
        &self,
        topic: String,
        qos: MqttQos,
        payload: Bytes,
        response_topic: Option<String>,
    ) -> Result<(), NotTaken> {
        match &self.requests {
            Requests::V4(c) => now(c.publish_bytes(topic, qos4(qos), false, payload)),
            Requests::V5(c) => {
                let properties = p5::PublishProperties {
                    content_type: Some(super::properties::CONTENT_TYPE.to_owned()),
                    response_topic,
                    ..Default::default()
                };
                c.try_publish_with_properties(topic, qos5(qos), false, payload, properties)
                    .map_err(|_| NotTaken)
            }
        }
    }

    /// Queues one SUBSCRIBE with every filter.
    pub(crate) fn subscribe(&self, filters: &[(String, MqttQos)]) -> Result<(), NotTaken> {
        match &self.requests {
            Requests::V4(c) => c
                .try_subscribe_many(
                    filters
                        .iter()
                        .map(|(f, q)| rumqttc::SubscribeFilter::new(f.clone(), qos4(*q))),
                )
                .map_err(|_| NotTaken),
            Requests::V5(c) => c
                .try_subscribe_many(
                    filters
                        .iter()
                        .map(|(f, q)| p5::Filter::new(f.clone(), qos5(*q))),
                )
                .map_err(|_| NotTaken),
        }
    }

    /// Queues the PUBACK of a received PUBLISH.
    pub(crate) fn ack(&self, ack: Ack) -> Result<(), NotTaken> {
        match &self.requests {
            Requests::V4(c) => {
                let mut publish =
                    rumqttc::Publish::new(String::new(), rumqttc::QoS::AtLeastOnce, Vec::new());
                publish.pkid = ack.pkid;
                c.try_ack(&publish).map_err(|_| NotTaken)
            }
            Requests::V5(c) => {
                let mut publish = p5::Publish::new(
                    String::new(),
                    rumqttc::v5::mqttbytes::QoS::AtLeastOnce,
                    Bytes::new(),
                    None,
                );
                publish.pkid = ack.pkid;
                c.try_ack(&publish).map_err(|_| NotTaken)
            }
        }
    }

    /// Queues a DISCONNECT (R-MQTT.35).
    pub(crate) fn disconnect(&self) -> Result<(), NotTaken> {
        match &self.requests {
            Requests::V4(c) => c.try_disconnect().map_err(|_| NotTaken),
            Requests::V5(c) => c.try_disconnect().map_err(|_| NotTaken),
        }
    }
}

/// Polls a request future once: the request channel has room (the caller accounts for
/// it), so it completes at once; if not, the request is dropped and reported as not taken.
fn now<E>(request: impl Future<Output = Result<(), E>>) -> Result<(), NotTaken> {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(request).poll(&mut cx) {
        Poll::Ready(Ok(())) => Ok(()),
        _ => Err(NotTaken),
    }
}

fn options_v4(config: &MqttConfig, params: &Params) -> rumqttc::MqttOptions {
    let mut o = rumqttc::MqttOptions::new(params.client_id.clone(), &config.host, config.port);
    // rumqttc refuses keep alives under a second other than 0; the setter made them whole
    // seconds.
    o.set_keep_alive(config.keep_alive);
    // A persistent session needs a ClientId (rumqttc asserts it).
    o.set_clean_session(config.clean_start || params.client_id.is_empty());
    if let Some((user, password)) = &config.credentials {
        o.set_credentials(user, password);
    }
    let max_packet = config.max_packet_size();
    o.set_max_packet_size(max_packet, max_packet);
    o.set_inflight(config.max_inflight.max(1));
    o.set_manual_acks(true);
    o.set_request_channel_capacity(params.requests.max(1));
    #[cfg(feature = "rustls")]
    if let Some(tls) = &params.tls {
        o.set_transport(rumqttc::Transport::tls_with_config(
            rumqttc::TlsConfiguration::Rustls(tls.clone()),
        ));
    }
    o
}

fn options_v5(config: &MqttConfig, params: &Params) -> rumqttc::v5::MqttOptions {
    let mut o = rumqttc::v5::MqttOptions::new(params.client_id.clone(), &config.host, config.port);
    // rumqttc asserts at least 5 s for MQTT 5.
    o.set_keep_alive(config.keep_alive.max(Duration::from_secs(5)));
    o.set_clean_start(config.clean_start);
    if let Some((user, password)) = &config.credentials {
        o.set_credentials(user, password);
    }
    o.set_connection_timeout(secs_u64(config.connect_timeout));
    o.set_manual_acks(true);
    o.set_outgoing_inflight_upper_limit(config.max_inflight.max(1));
    o.set_request_channel_capacity(params.requests.max(1));
    o.set_connect_properties(connect_properties(config));
    #[cfg(feature = "rustls")]
    if let Some(tls) = &params.tls {
        o.set_transport(rumqttc::Transport::tls_with_config(
            rumqttc::TlsConfiguration::Rustls(tls.clone()),
        ));
    }
    o
}

/// The CONNECT properties: Receive Maximum (the receive queue), Maximum Packet Size,
/// Request Response Information (R-MQTT.12), Session Expiry Interval, and the
/// `usp-endpoint-id` User Property (R-MQTT.13).
fn connect_properties(config: &MqttConfig) -> p5::ConnectProperties {
    let mut properties = p5::ConnectProperties::new();
    properties.session_expiry_interval = config
        .session_expiry
        .map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX));
    properties.receive_maximum = Some(u16::try_from(config.recv_queue).unwrap_or(u16::MAX).max(1));
    properties.max_packet_size = Some(u32::try_from(config.max_packet_size()).unwrap_or(u32::MAX));
    properties.request_response_info = config.request_response_information.then_some(1);
    properties.user_properties = vec![(
        ENDPOINT_ID_PROPERTY.to_owned(),
        config.endpoint_id.as_str().to_owned(),
    )];
    properties
}

async fn drive_v4(mut eventloop: rumqttc::EventLoop, tx: mpsc::Sender<Result<Event, MtpError>>) {
    loop {
        let event = match eventloop.poll().await {
            Ok(event) => match event_v4(event) {
                Some(event) => Ok(event),
                None => continue,
            },
            Err(e) => {
                // Packets read in the same batch as the failure are still buffered: pass
                // them on first (received PUBLISHes must not be lost with the connection).
                let buffered: Vec<_> = eventloop.state.events.drain(..).collect();
                for event in buffered.into_iter().filter_map(event_v4) {
                    if tx.send(Ok(event)).await.is_err() {
                        return;
                    }
                }
                Err(error_v4(e))
            }
        };
        let end = event.is_err();
        if tx.send(event).await.is_err() || end {
            return;
        }
    }
}

async fn drive_v5(
    mut eventloop: rumqttc::v5::EventLoop,
    tx: mpsc::Sender<Result<Event, MtpError>>,
) {
    loop {
        let event = match eventloop.poll().await {
            Ok(event) => match event_v5(event) {
                Some(event) => Ok(event),
                None => continue,
            },
            Err(e) => {
                // Packets read in the same batch as the failure are still buffered: pass
                // them on first (received PUBLISHes must not be lost with the connection).
                let buffered: Vec<_> = eventloop.state.events.drain(..).collect();
                for event in buffered.into_iter().filter_map(event_v5) {
                    if tx.send(Ok(event)).await.is_err() {
                        return;
                    }
                }
                Err(error_v5(e))
            }
        };
        let end = event.is_err();
        if tx.send(event).await.is_err() || end {
            return;
        }
    }
}

fn sent(outgoing: &rumqttc::Outgoing) -> Option<Sent> {
    Some(match outgoing {
        rumqttc::Outgoing::Publish(pkid) => Sent::Publish(*pkid),
        rumqttc::Outgoing::AwaitAck(pkid) => Sent::Waiting(*pkid),
        rumqttc::Outgoing::PubAck(_) => Sent::PubAck,
        rumqttc::Outgoing::Subscribe(_) => Sent::Subscribe,
        rumqttc::Outgoing::Disconnect => Sent::Disconnect,
        _ => return None,
    })
}

fn event_v4(event: rumqttc::Event) -> Option<Event> {
    use rumqttc::{Event as E, Packet};
    Some(match event {
        E::Outgoing(o) => Event::Sent(sent(&o)?),
        E::Incoming(Packet::ConnAck(c)) => Event::ConnAck(ConnAckInfo {
            session_present: c.session_present,
            ..ConnAckInfo::default()
        }),
        E::Incoming(Packet::Publish(p)) => {
            let ack = (p.qos != rumqttc::QoS::AtMostOnce).then_some(Ack { pkid: p.pkid });
            let received = Received {
                topic: p.topic,
                payload: p.payload,
                response_topic: None,
                content_type: None,
            };
            Event::Publish(received, ack)
        }
        E::Incoming(Packet::PubAck(a)) => Event::PubAck(a.pkid, None),
        E::Incoming(Packet::SubAck(s)) => Event::SubAck(
            s.return_codes
                .iter()
                .map(|c| matches!(c, rumqttc::SubscribeReasonCode::Success(_)))
                .collect(),
        ),
        E::Incoming(_) => return None,
    })
}

fn event_v5(event: rumqttc::v5::Event) -> Option<Event> {
    use rumqttc::v5::Event as E;
    use rumqttc::v5::mqttbytes::v5::Packet;
    Some(match event {
        E::Outgoing(o) => Event::Sent(sent(&o)?),
        E::Incoming(Packet::ConnAck(c)) => Event::ConnAck(connack_v5(c)),
        E::Incoming(Packet::Publish(p)) => {
            let ack =
                (p.qos != rumqttc::v5::mqttbytes::QoS::AtMostOnce).then_some(Ack { pkid: p.pkid });
            let (response_topic, content_type) = match p.properties {
                Some(props) => (props.response_topic, props.content_type),
                None => (None, None),
            };
            let received = Received {
                topic: String::from_utf8_lossy(&p.topic).into_owned(),
                payload: p.payload,
                response_topic,
                content_type,
            };
            Event::Publish(received, ack)
        }
        E::Incoming(Packet::PubAck(a)) => {
            let error = match a.reason {
                p5::PubAckReason::Success | p5::PubAckReason::NoMatchingSubscribers => None,
                other => Some(format!("{other:?}")),
            };
            Event::PubAck(a.pkid, error)
        }
        E::Incoming(Packet::SubAck(s)) => Event::SubAck(
            s.return_codes
                .iter()
                .map(|c| matches!(c, p5::SubscribeReasonCode::Success(_)))
                .collect(),
        ),
        E::Incoming(_) => return None,
    })
}

/// The CONNACK properties USP uses.
fn connack_v5(connack: p5::ConnAck) -> ConnAckInfo {
    let mut info = ConnAckInfo {
        session_present: connack.session_present,
        ..ConnAckInfo::default()
    };
    if let Some(props) = connack.properties {
        info.assigned_client_id = props.assigned_client_identifier;
        info.response_information = props.response_information;
        info.max_packet_size = props.max_packet_size;
        info.subscribe_topics = props
            .user_properties
            .into_iter()
            .filter(|(name, _)| name == SUBSCRIBE_TOPIC_PROPERTY)
            .map(|(_, value)| value)
            .collect();
    }
    info
}

fn error_v4(e: rumqttc::ConnectionError) -> MtpError {
    use rumqttc::{ConnectionError as C, StateError as S};
    let kind = match &e {
        C::ConnectionRefused(_) | C::NotConnAck(_) => MtpErrorKind::Connect,
        C::NetworkTimeout | C::FlushTimeout => MtpErrorKind::Timeout,
        C::Io(_) | C::MqttState(S::Io(_)) => MtpErrorKind::Io,
        C::MqttState(S::ConnectionAborted) => MtpErrorKind::Closed,
        #[cfg(feature = "rustls")]
        C::Tls(_) => MtpErrorKind::Tls,
        _ => MtpErrorKind::Protocol,
    };
    let kind = if tls_failure(&e) {
        MtpErrorKind::Tls
    } else {
        kind
    };
    MtpError::new(kind, format!("MQTT connection: {e}")).with_source(e)
}

fn error_v5(e: rumqttc::v5::ConnectionError) -> MtpError {
    use rumqttc::v5::{ConnectionError as C, StateError as S};
    let kind = match &e {
        C::ConnectionRefused(_) | C::NotConnAck(_) => MtpErrorKind::Connect,
        C::Timeout(_) => MtpErrorKind::Timeout,
        C::Io(_) | C::MqttState(S::Io(_)) => MtpErrorKind::Io,
        C::MqttState(S::ConnectionAborted | S::ServerDisconnect { .. }) => MtpErrorKind::Closed,
        C::MqttState(S::IncomingPacketTooLarge { .. } | S::OutgoingPacketTooLarge { .. }) => {
            MtpErrorKind::TooLarge
        }
        #[cfg(feature = "rustls")]
        C::Tls(_) => MtpErrorKind::Tls,
        _ => MtpErrorKind::Protocol,
    };
    // rumqttc does not name its decoding error as the source of this one: look inside.
    let inner_tls = match &e {
        C::MqttState(S::Deserialization(rumqttc::v5::mqttbytes::Error::Io(io))) => tls_failure(io),
        _ => false,
    };
    let kind = if inner_tls || tls_failure(&e) {
        MtpErrorKind::Tls
    } else {
        kind
    };
    MtpError::new(kind, format!("MQTT connection: {e}")).with_source(e)
}

/// Whether a TLS error caused `e`, however deep (with TLS 1.3 a refused client
/// certificate shows up on the first read, as an I/O error inside a decoding error).
fn tls_failure(e: &(dyn std::error::Error + 'static)) -> bool {
    #[cfg(feature = "rustls")]
    {
        let mut next = Some(e);
        while let Some(e) = next {
            if e.is::<rustls::Error>() {
                return true;
            }
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io
                    .get_ref()
                    .is_some_and(|inner| inner.is::<rustls::Error>())
            {
                return true;
            }
            next = e.source();
        }
    }
    let _ = e;
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> MqttConfig {
        MqttConfig::new("os::012345-A".parse().unwrap(), "localhost", 1883)
    }

    #[test]
    fn r_mqtt_12_and_r_mqtt_13_connect_properties() {
        let p = connect_properties(&config());
        assert_eq!(p.request_response_info, Some(1));
        assert_eq!(
            p.user_properties,
            vec![("usp-endpoint-id".to_owned(), "os::012345-A".to_owned())]
        );
        assert_eq!(p.receive_maximum, Some(64));
        assert_eq!(
            p.max_packet_size,
            Some(u32::try_from(config().max_packet_size()).unwrap())
        );
        assert_eq!(p.session_expiry_interval, None);
        let p = connect_properties(
            &config()
                .request_response_information(false)
                .session_expiry(Some(Duration::from_secs(300))),
        );
        assert_eq!(p.request_response_info, None);
        assert_eq!(p.session_expiry_interval, Some(300));
    }

    #[test]
    fn r_mqtt_7_r_mqtt_8_r_mqtt_14_connect_packet_fields() {
        let params = Params {
            client_id: String::new(),
            requests: 8,
            #[cfg(feature = "rustls")]
            tls: None,
        };
        let c = config()
            .credentials("user", "secret")
            .keep_alive(Duration::from_secs(1))
            .clean_start(false);
        let o = options_v5(&c, &params);
        assert_eq!(o.client_id(), "");
        assert_eq!(o.keep_alive(), Duration::from_secs(5));
        assert!(!o.clean_start());
        let login = o.credentials().unwrap();
        assert_eq!(
            (login.username.as_str(), login.password.as_str()),
            ("user", "secret")
        );
        assert!(o.manual_acks());
        let o = options_v4(&c.clone().version(MqttVersion::V3_1_1), &params);
        // No ClientId: a persistent session is impossible, so clean session it is.
        assert!(o.clean_session());
        assert_eq!(o.keep_alive(), Duration::from_secs(1));
        let with_id = Params {
            client_id: "os::012345-A".into(),
            ..params
        };
        let o = options_v4(&c.version(MqttVersion::V3_1_1), &with_id);
        assert!(!o.clean_session());
        assert_eq!(o.client_id(), "os::012345-A");
    }

    #[test]
    fn connack_properties_are_read() {
        let connack = p5::ConnAck {
            session_present: true,
            code: p5::ConnectReturnCode::Success,
            properties: Some(p5::ConnAckProperties {
                assigned_client_identifier: Some("auto-1".into()),
                response_information: Some("usp/r".into()),
                max_packet_size: Some(1000),
                user_properties: vec![
                    ("subscribe-topic".into(), "a/#".into()),
                    ("other".into(), "x".into()),
                    ("subscribe-topic".into(), "b".into()),
                ],
                session_expiry_interval: None,
                receive_max: Some(20),
                max_qos: None,
                retain_available: None,
                topic_alias_max: None,
                reason_string: None,
                wildcard_subscription_available: None,
                subscription_identifiers_available: None,
                shared_subscription_available: None,
                server_keep_alive: None,
                server_reference: None,
                authentication_method: None,
                authentication_data: None,
            }),
        };
        let info = connack_v5(connack);
        assert!(info.session_present);
        assert_eq!(info.assigned_client_id.as_deref(), Some("auto-1"));
        assert_eq!(info.response_information.as_deref(), Some("usp/r"));
        assert_eq!(info.max_packet_size, Some(1000));
        assert_eq!(info.subscribe_topics, ["a/#", "b"]);
    }
}
