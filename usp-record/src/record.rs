//! The `Record` type.

use std::fmt;

use bytes::Bytes;
use usp_types::{EndpointId, UspVersion};

use crate::{Disconnect, MqttConnect, RecordError, SarState, SessionContext, StompConnect};

/// `PayloadSecurity`: how a Record's payload is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PayloadSecurity {
    /// `PLAINTEXT` (0): no protection at the USP layer.
    #[default]
    Plaintext,
    /// `TLS12` (1): the payload holds TLS 1.2 (or later) records (specification section
    /// "TLS Payload Encapsulation").
    Tls12,
}

impl PayloadSecurity {
    /// The value on the wire.
    pub const fn as_i32(self) -> i32 {
        match self {
            Self::Plaintext => 0,
            Self::Tls12 => 1,
        }
    }

    /// The mechanism for a wire value, `None` for values the schema does not define.
    pub const fn from_i32(value: i32) -> Option<Self> {
        match value {
            0 => Some(Self::Plaintext),
            1 => Some(Self::Tls12),
            _ => None,
        }
    }

    /// The schema's name of the value (`"PLAINTEXT"` or `"TLS12"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Plaintext => "PLAINTEXT",
            Self::Tls12 => "TLS12",
        }
    }
}

impl fmt::Display for PayloadSecurity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `record_type` of a Record: what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordKind {
    /// `no_session_context`: one encoded USP Message, outside any E2E Session Context.
    NoSessionContext {
        /// The encoded Message; never empty (R-E2E.26).
        payload: Bytes,
    },
    /// `session_context`: a Record of an E2E Session Context.
    SessionContext(SessionContext),
    /// `websocket_connect`: sent first on a new WebSocket connection.
    WebSocketConnect,
    /// `mqtt_connect`: sent first on a new MQTT connection.
    MqttConnect(MqttConnect),
    /// `stomp_connect`: sent first on a new STOMP connection.
    StompConnect(StompConnect),
    /// `uds_connect`: sent first on a new UNIX domain socket connection.
    UdsConnect,
    /// `disconnect`: the sender closes the USP conversation.
    Disconnect(Disconnect),
}

impl RecordKind {
    /// The schema's name of the `record_type` member (`"no_session_context"`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Self::NoSessionContext { .. } => "no_session_context",
            Self::SessionContext(_) => "session_context",
            Self::WebSocketConnect => "websocket_connect",
            Self::MqttConnect(_) => "mqtt_connect",
            Self::StompConnect(_) => "stomp_connect",
            Self::UdsConnect => "uds_connect",
            Self::Disconnect(_) => "disconnect",
        }
    }

    /// Checks the rules that the field types alone do not enforce.
    pub(crate) fn validate(&self) -> Result<(), RecordError> {
        match self {
            Self::NoSessionContext { payload } if payload.is_empty() => {
                Err(RecordError::EmptyPayload)
            }
            Self::SessionContext(ctx)
                if ctx.payload_sar_state() == SarState::None
                    && ctx.payloadrec_sar_state() != SarState::None =>
            {
                Err(RecordError::InconsistentSarState {
                    payloadrec: ctx.payloadrec_sar_state(),
                })
            }
            Self::MqttConnect(c) if c.subscribed_topic().is_empty() => {
                Err(RecordError::MissingField("subscribed_topic"))
            }
            Self::StompConnect(c) if c.subscribed_destination().is_empty() => {
                Err(RecordError::MissingField("subscribed_destination"))
            }
            _ => Ok(()),
        }
    }
}

/// A USP Record (specification section "Record Definition"), schema version 1.5.
///
/// A `Record` is always valid: [`Record::decode`] and the constructors refuse what the
/// specification forbids, with a [`RecordError`] that names the USP error code.
///
/// # Building
///
/// One constructor per record type takes the receiver and the sender; `with_*` methods set
/// the optional header fields. The version defaults to [`UspVersion::CURRENT`].
///
/// ```
/// use usp_record::{MqttVersion, Record, RecordKind};
/// use usp_types::{EndpointId, UspVersion};
///
/// let agent: EndpointId = "os::00256D-0123456789".parse()?;
/// let controller: EndpointId = "self::controller".parse()?;
///
/// let connect = Record::mqtt_connect(controller.clone(), agent.clone(), MqttVersion::V5, "usp/agent")?;
/// let msg = Record::no_session_context(controller, agent, &b"\x0a\x02\x0a\x00"[..])?
///     .with_version(UspVersion::V1_3);
///
/// let wire = msg.to_bytes();
/// let back = Record::decode(wire)?;
/// assert_eq!(back, msg);
/// assert!(matches!(back.kind(), RecordKind::NoSessionContext { .. }));
/// # drop(connect);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Receiving
///
/// [`Record::decode`] takes a [`Bytes`] and the payloads of the Record share it: no payload
/// byte is copied. Before acting on a Record, a receiver checks that it is the addressee
/// with [`Record::check_addressing`] (R-E2E.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub(crate) version: UspVersion,
    pub(crate) to_id: EndpointId,
    pub(crate) from_id: EndpointId,
    pub(crate) originator_id: Option<EndpointId>,
    pub(crate) destination_id: Option<EndpointId>,
    pub(crate) payload_security: PayloadSecurity,
    pub(crate) mac_signature: Bytes,
    pub(crate) sender_cert: Bytes,
    pub(crate) kind: RecordKind,
}

impl Record {
    /// A Record of any kind from `from_id` to `to_id`; fails when `kind` breaks a rule of
    /// the specification (an empty `no_session_context` payload, R-E2E.26, or inconsistent
    /// segmentation states).
    pub fn new(
        to_id: EndpointId,
        from_id: EndpointId,
        kind: RecordKind,
    ) -> Result<Self, RecordError> {
        kind.validate()?;
        Ok(Self::infallible(to_id, from_id, kind))
    }

    /// For the kinds that have no rule to break (WebSocket/UDS connect, Disconnect).
    fn infallible(to_id: EndpointId, from_id: EndpointId, kind: RecordKind) -> Self {
        Self {
            version: UspVersion::CURRENT,
            to_id,
            from_id,
            originator_id: None,
            destination_id: None,
            payload_security: PayloadSecurity::Plaintext,
            mac_signature: Bytes::new(),
            sender_cert: Bytes::new(),
            kind,
        }
    }

    /// A `no_session_context` Record carrying one encoded Message; fails when it is empty
    /// (R-E2E.26).
    pub fn no_session_context(
        to_id: EndpointId,
        from_id: EndpointId,
        payload: impl Into<Bytes>,
    ) -> Result<Self, RecordError> {
        Self::new(
            to_id,
            from_id,
            RecordKind::NoSessionContext {
                payload: payload.into(),
            },
        )
    }

    /// A `session_context` Record; fails when its segmentation states are inconsistent.
    pub fn session_context(
        to_id: EndpointId,
        from_id: EndpointId,
        context: SessionContext,
    ) -> Result<Self, RecordError> {
        Self::new(to_id, from_id, RecordKind::SessionContext(context))
    }

    /// A `websocket_connect` Record.
    pub fn websocket_connect(to_id: EndpointId, from_id: EndpointId) -> Self {
        Self::infallible(to_id, from_id, RecordKind::WebSocketConnect)
    }

    /// An `mqtt_connect` Record: the sender speaks MQTT `version` and is subscribed to
    /// `subscribed_topic`, which the specification requires (an empty topic is refused).
    pub fn mqtt_connect(
        to_id: EndpointId,
        from_id: EndpointId,
        version: crate::MqttVersion,
        subscribed_topic: impl Into<String>,
    ) -> Result<Self, RecordError> {
        let kind = RecordKind::MqttConnect(MqttConnect::new(version, subscribed_topic));
        Self::new(to_id, from_id, kind)
    }

    /// A `stomp_connect` Record: the sender speaks STOMP `version` and is subscribed to
    /// `subscribed_destination`, which the specification requires (an empty one is refused).
    pub fn stomp_connect(
        to_id: EndpointId,
        from_id: EndpointId,
        version: crate::StompVersion,
        subscribed_destination: impl Into<String>,
    ) -> Result<Self, RecordError> {
        let kind = RecordKind::StompConnect(StompConnect::new(version, subscribed_destination));
        Self::new(to_id, from_id, kind)
    }

    /// A `uds_connect` Record.
    pub fn uds_connect(to_id: EndpointId, from_id: EndpointId) -> Self {
        Self::infallible(to_id, from_id, RecordKind::UdsConnect)
    }

    /// A `disconnect` Record with a reason code and text.
    pub fn disconnect(
        to_id: EndpointId,
        from_id: EndpointId,
        reason_code: usp_types::ErrorCode,
        reason: impl Into<String>,
    ) -> Self {
        let kind = RecordKind::Disconnect(Disconnect::new(reason_code, reason));
        Self::infallible(to_id, from_id, kind)
    }

    /// Sets the protocol version written in the Record (default [`UspVersion::CURRENT`]).
    #[must_use]
    pub fn with_version(mut self, version: UspVersion) -> Self {
        self.version = version;
        self
    }

    /// Sets `originator_id` (USP 1.5): the Endpoint a proxy or broker forwards for.
    #[must_use]
    pub fn with_originator_id(mut self, id: EndpointId) -> Self {
        self.originator_id = Some(id);
        self
    }

    /// Sets `destination_id` (USP 1.5): the Endpoint the Message is ultimately for.
    #[must_use]
    pub fn with_destination_id(mut self, id: EndpointId) -> Self {
        self.destination_id = Some(id);
        self
    }

    /// Sets how the payload is protected.
    #[must_use]
    pub fn with_payload_security(mut self, security: PayloadSecurity) -> Self {
        self.payload_security = security;
        self
    }

    /// Sets the MAC or signature over the non-payload fields.
    #[must_use]
    pub fn with_mac_signature(mut self, mac_signature: impl Into<Bytes>) -> Self {
        self.mac_signature = mac_signature.into();
        self
    }

    /// Sets the sender's PEM certificate (chain) that verifies `mac_signature`.
    #[must_use]
    pub fn with_sender_cert(mut self, sender_cert: impl Into<Bytes>) -> Self {
        self.sender_cert = sender_cert.into();
        self
    }

    /// The protocol version of the sender.
    pub fn version(&self) -> UspVersion {
        self.version
    }

    /// The receiver (`to_id`).
    pub fn to_id(&self) -> &EndpointId {
        &self.to_id
    }

    /// The sender (`from_id`).
    pub fn from_id(&self) -> &EndpointId {
        &self.from_id
    }

    /// The originating Endpoint (`originator_id`, USP 1.5), when set.
    pub fn originator_id(&self) -> Option<&EndpointId> {
        self.originator_id.as_ref()
    }

    /// The final destination Endpoint (`destination_id`, USP 1.5), when set.
    pub fn destination_id(&self) -> Option<&EndpointId> {
        self.destination_id.as_ref()
    }

    /// How the payload is protected.
    pub fn payload_security(&self) -> PayloadSecurity {
        self.payload_security
    }

    /// The MAC or signature over the non-payload fields; empty when absent.
    pub fn mac_signature(&self) -> &Bytes {
        &self.mac_signature
    }

    /// The sender's certificate (chain); empty when absent.
    pub fn sender_cert(&self) -> &Bytes {
        &self.sender_cert
    }

    /// What the Record carries.
    pub fn kind(&self) -> &RecordKind {
        &self.kind
    }

    /// Takes the kind out of the Record.
    pub fn into_kind(self) -> RecordKind {
        self.kind
    }

    /// The payload of a `no_session_context` Record, `None` for other kinds.
    pub fn no_session_context_payload(&self) -> Option<&Bytes> {
        match &self.kind {
            RecordKind::NoSessionContext { payload } => Some(payload),
            _ => None,
        }
    }

    /// The fields of a `session_context` Record, `None` for other kinds.
    pub fn session_context_fields(&self) -> Option<&SessionContext> {
        match &self.kind {
            RecordKind::SessionContext(ctx) => Some(ctx),
            _ => None,
        }
    }

    /// Checks that a received Record is meant for the Endpoint `local`.
    ///
    /// A receiver ignores, without answering, a Record whose `to_id` is not its own
    /// (R-E2E.1) and one whose `from_id` is its own (R-ARC.2: Endpoints that share an ID
    /// must not talk to each other over USP). The error says which rule applied, for logs.
    pub fn check_addressing(&self, local: &EndpointId) -> Result<(), Ignored> {
        if self.to_id != *local {
            Err(Ignored::NotAddressedToUs)
        } else if self.from_id == *local {
            Err(Ignored::SentByOurOwnId)
        } else {
            Ok(())
        }
    }
}

/// Why a received Record is silently ignored; see [`Record::check_addressing`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Ignored {
    /// `to_id` is not the receiver's Endpoint ID (R-E2E.1).
    #[error("to_id is not our Endpoint ID (R-E2E.1)")]
    NotAddressedToUs,
    /// `from_id` is the receiver's own Endpoint ID (R-ARC.2).
    #[error("from_id is our own Endpoint ID (R-ARC.2)")]
    SentByOurOwnId,
}
