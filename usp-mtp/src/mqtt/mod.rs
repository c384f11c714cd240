//! The MQTT MTP (specification section "MQTT Binding"), MQTT 3.1.1 and 5, on rumqttc.
//!
//! An [`MqttClient`] connects to a broker, subscribes to its own topic, and carries USP
//! Records in PUBLISH packets; it serves Agents and Controllers alike, and implements
//! [`Mtp`](crate::Mtp) with [`MtpAddress::Mqtt`](crate::MtpAddress::Mqtt) addresses. It
//! needs a tokio runtime. TLS and mutual TLS come with the `rustls` feature
//! ([`MqttTlsConfig`]).
//!
//! # Addresses
//!
//! A Record received carries `reply_to: MtpAddress::Mqtt { topic, response_topic: None }`,
//! the "reply to" Topic of its sender; sending to that address answers it. A Record sent to
//! `MtpAddress::Mqtt { topic, response_topic }` is published to `topic` and asks for
//! replies at `response_topic`, or at this client's own "reply to" Topic when that is
//! `None`.
//!
//! # MQTT 3.1.1 and 5 side by side
//!
//! The two versions carry the "reply to" Topic differently: MQTT 5 in the Response Topic
//! property, MQTT 3.1.1 at the end of the Topic Name (`.../reply-to=usp%2Fcontroller`), and
//! a broker drops MQTT 5 properties on the way to a 3.1.1 client. So that one Controller
//! serves both kinds of Agents at once:
//!
//! - it subscribes to `<reply-to>/#` as well as its "reply to" Topic
//!   ([`accept_mqtt311_peers`](MqttConfig::accept_mqtt311_peers)), to receive Topic Names
//!   with `/reply-to=`;
//! - it reads the reply-to from the Response Topic, or else from the Topic Name;
//! - it remembers which topic belongs to a 3.1.1 Endpoint: from the `MQTTConnectRecord`
//!   each Agent sends after connecting (its `version` and `subscribed_topic`), and from a
//!   reply-to found in a Topic Name; [`peer_version`](MqttConfig::peer_version) declares
//!   one. Records to such a topic carry the reply-to in the Topic Name too.
//!
//! # Scaling out a Controller: shared subscriptions
//!
//! Several Controller processes can share the Agents' traffic through an MQTT 5 shared
//! subscription: each subscribes to the same `$share/{group}/{filter}`
//! ([`shared_subscription`]), and the broker gives each PUBLISH on a matching topic to one
//! of them, so adding processes adds capacity. Each process keeps a "reply to" Topic of its
//! own, outside the shared filter, for the responses to the requests it sends:
//!
//! ```no_run
//! use usp_mtp::mqtt::{MqttClient, MqttConfig, MqttQos, shared_subscription};
//!
//! # async fn run(instance: u32) -> Result<(), Box<dyn std::error::Error>> {
//! // Agents are configured with the Controller Topic "usp/controller" (and Agents on
//! // 3.1.1 publish to "usp/controller/reply-to=...", hence the "/#").
//! let config = MqttConfig::new("self::controller".parse()?, "broker.example", 1883)
//!     .subscribe(shared_subscription("usp-controllers", "usp/controller/#")?, MqttQos::AtLeastOnce)
//!     .reply_to_topic(format!("usp/controller-instance/{instance}"))
//!     .accept_mqtt311_peers(true);
//! let controller = MqttClient::connect(config).await?;
//! # drop(controller);
//! # Ok(())
//! # }
//! ```
//!
//! Notifications, Connect Records and other Records an Agent sends on its own go to one
//! process of the group; the responses to a request go to the process that sent it. A
//! Controller that keeps E2E Session Contexts must share their state between its processes
//! (or use no session context). The group's filter must not cover any process's own "reply
//! to" Topic.
//!
//! # What the transport does, requirement by requirement
//!
//! | requirement | what happens |
//! | --- | --- |
//! | R-MQTT.1, R-MQTT.2 | MQTT 5 by default, 3.1.1 with [`MqttConfig::version`] |
//! | R-MQTT.3 | MQTT over TCP (rumqttc) |
//! | R-MQTT.6, R-MQTT.7, R-MQTT.14 | CONNECT with [`credentials`](MqttConfig::credentials) and [`keep_alive`](MqttConfig::keep_alive) |
//! | R-MQTT.8 | the configured [`client_id`](MqttConfig::client_id); else empty (5) or the Endpoint ID (3.1.1) |
//! | R-MQTT.9, R-MQTT.11 | an Assigned Client Identifier is kept for every later connection; [`MqttClient::client_id`] tells it |
//! | R-MQTT.10, R-MQTT.33 | failed attempts and lost connections are retried per [`ConnectRetry`] |
//! | R-MQTT.12 | Request Response Information = 1; the Response Information of the CONNACK becomes the "reply to" Topic (R-MQTT.21) |
//! | R-MQTT.13 | the CONNECT User Property `usp-endpoint-id` |
//! | R-MQTT.15 | SUBSCRIBE: the configured filters, every `subscribe-topic` User Property of the CONNACK, and the "reply to" Topic unless covered |
//! | R-MQTT.16 | nothing to subscribe: DISCONNECT, and the client is [`Disabled`](MqttClientState::Disabled) |
//! | R-MQTT.17 | every subscription refused: no PUBLISH, DISCONNECT, retry |
//! | R-MQTT.18 to R-MQTT.20 | one protobuf Record per PUBLISH payload; QoS 0 or 1 ([`MqttQos`]) |
//! | R-MQTT.22 to R-MQTT.24 | the reply-to in every PUBLISH: Response Topic (5), `/reply-to=` with `%2F` (3.1.1) |
//! | R-MQTT.25, R-MQTT.26 | the reply-to of a received PUBLISH becomes [`Inbound::reply_to`](crate::Inbound) |
//! | R-MQTT.26a | versions are learned per peer (above), which avoids mismatches; a PUBLISH without any reply-to and no configured peer is dropped |
//! | R-MQTT.27, R-MQTT.27a | Content Type `usp.msg` sent; `usp.msg` and `application/vnd.bbf.usp.msg` accepted, others dropped |
//! | "Handling Errors" | a payload that is not a Record is dropped silently (logged and counted) |
//! | R-MQTT.35 | DISCONNECT when closing |
//! | R-MQTT.48, R-MQTT.49 | TLS 1.2 and 1.3 with rustls, wildcard names ([`MqttTlsConfig`]) |
//! | R-MTP.6, R-MTP.8 | the `MQTTConnectRecord` to the [`peer`](MqttConfig::peer) first on every connection |
//! | R-MTP.7 | a `DisconnectRecord` to the peer before closing |
//!
//! Not done: MQTT over WebSockets (optional in the specification), QoS 2, UNSUBSCRIBE of
//! filters removed at run time (R-MQTT.34; the configuration is fixed for a client's
//! life), and the DNS-SD records of R-MQTT.36 to R-MQTT.38 (discovery is the Endpoint's).
//!
//! # Limits
//!
//! Every queue is bounded: accepted Records ([`send_queue`](MqttConfig::send_queue)),
//! received ones ([`recv_queue`](MqttConfig::recv_queue), announced as Receive Maximum),
//! the Maximum Packet Size announced and enforced
//! ([`max_record_size`](MqttConfig::max_record_size) plus [`PACKET_HEADROOM`]), and the
//! peer versions remembered ([`known_peers`](MqttConfig::known_peers)).

mod backend;
mod client;
mod config;
mod inbound;
mod outbound;
mod peers;
mod plan;
mod properties;
mod queue;
mod retry;
mod stats;
mod task;
mod topic;

#[cfg(feature = "rustls")]
mod tls;

pub use client::{MqttClient, MqttClientState};
pub use config::{DEFAULT_MAX_RECORD_SIZE, MqttConfig, MqttQos, PACKET_HEADROOM};
pub use properties::{
    CONTENT_TYPE, CONTENT_TYPE_MIME, ENDPOINT_ID_PROPERTY, SUBSCRIBE_TOPIC_PROPERTY,
    is_usp_content_type,
};
pub use retry::ConnectRetry;
pub use stats::MqttStats;
pub use topic::{
    MAX_TOPIC_LEN, REPLY_TO_MARKER, decode_reply_to, encode_reply_to, filter_matches,
    shared_subscription, shared_subscription_filter,
};
pub use usp_record::MqttVersion;

#[cfg(feature = "rustls")]
pub use tls::MqttTlsConfig;
