//! The MQTT 5 properties USP gives a meaning to: Content Type of a PUBLISH (R-MQTT.27,
//! R-MQTT.27a), the `usp-endpoint-id` User Property of CONNECT (R-MQTT.13), and what a
//! CONNACK tells the client (R-MQTT.9, R-MQTT.12, R-MQTT.15, R-MQTT.21).

/// The Content Type of a PUBLISH carrying a USP Record, sent on every MQTT 5 PUBLISH
/// (R-MQTT.27).
pub const CONTENT_TYPE: &str = "usp.msg";

/// The registered MIME type of a USP Record, accepted as a Content Type too (R-MQTT.27a).
pub const CONTENT_TYPE_MIME: &str = "application/vnd.bbf.usp.msg";

/// The CONNECT User Property naming the Endpoint ID of the client (R-MQTT.13).
pub const ENDPOINT_ID_PROPERTY: &str = "usp-endpoint-id";

/// The CONNACK User Property naming a Topic Filter the client must subscribe to
/// (R-MQTT.15, R-MQTT.44).
pub const SUBSCRIBE_TOPIC_PROPERTY: &str = "subscribe-topic";

/// Whether a received MQTT 5 Content Type says the payload is a USP Record (R-MQTT.27a):
/// `usp.msg` or `application/vnd.bbf.usp.msg`, compared without regard to ASCII case, as
/// MIME types are.
///
/// ```
/// use usp_mtp::mqtt::is_usp_content_type;
///
/// assert!(is_usp_content_type("usp.msg"));
/// assert!(is_usp_content_type("application/vnd.bbf.usp.msg"));
/// assert!(!is_usp_content_type("usp.error"));
/// assert!(!is_usp_content_type("application/json"));
/// ```
pub fn is_usp_content_type(content_type: &str) -> bool {
    let content_type = content_type.trim();
    content_type.eq_ignore_ascii_case(CONTENT_TYPE)
        || content_type.eq_ignore_ascii_case(CONTENT_TYPE_MIME)
}

/// What a CONNACK told the client, in the terms USP uses (MQTT 5 properties; a 3.1.1
/// CONNACK has none of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ConnAckInfo {
    /// The broker resumed a session.
    pub(crate) session_present: bool,
    /// Assigned Client Identifier: the ClientId to use from now on (R-MQTT.9).
    pub(crate) assigned_client_id: Option<String>,
    /// Response Information: this client's "reply to" Topic (R-MQTT.12, R-MQTT.21).
    pub(crate) response_information: Option<String>,
    /// The values of the `subscribe-topic` User Properties (R-MQTT.15).
    pub(crate) subscribe_topics: Vec<String>,
    /// Maximum Packet Size the broker accepts.
    pub(crate) max_packet_size: Option<u32>,
}
