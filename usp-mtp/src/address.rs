//! Where a Record comes from or goes to, per transport.

use std::fmt;

use usp_types::EndpointId;

/// Identifies one connection of a connection-oriented transport (a WebSocket or UNIX domain
/// socket peer), unique for the life of the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(u64);

impl ConnectionId {
    /// A connection identifier; transports number their connections.
    pub const fn new(id: u64) -> Self {
        Self(id)
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// An MTP address: where to send a Record, or where to reply to one.
///
/// Each transport defines what its addresses mean; a Record received carries the address to
/// reply to ([`Inbound::reply_to`](crate::Inbound)), which is what an Endpoint passes back
/// to answer it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MtpAddress {
    /// The other side of an in-process [`MemoryMtp`](crate::MemoryMtp) pair.
    Memory,
    /// A WebSocket peer: the connection, and the Endpoint ID it announced (the `eid` of the
    /// URL on the server side, the configured Controller on the client side).
    WebSocket {
        /// The connection.
        connection: ConnectionId,
        /// The peer's Endpoint ID, when known.
        endpoint_id: Option<EndpointId>,
    },
    /// An MQTT topic, with the topic replies go to (MQTT 5 Response Topic, or the 3.1.1
    /// `reply-to=` part of the topic).
    Mqtt {
        /// Topic to publish to.
        topic: String,
        /// Topic the sender wants replies on.
        response_topic: Option<String>,
    },
    /// A STOMP destination, with the `reply-to-dest` of a received frame.
    Stomp {
        /// Destination to send to.
        destination: String,
        /// Destination the sender wants replies on.
        reply_to: Option<String>,
    },
    /// A UNIX domain socket peer.
    Uds {
        /// The connection.
        connection: ConnectionId,
        /// The peer's Endpoint ID, once its handshake named it.
        endpoint_id: Option<EndpointId>,
    },
    /// A CoAP URI (CoAP is obsolete since USP 1.3).
    Coap {
        /// The URI.
        uri: String,
    },
}

impl MtpAddress {
    /// The peer's Endpoint ID, when the address names one.
    pub fn endpoint_id(&self) -> Option<&EndpointId> {
        match self {
            Self::WebSocket { endpoint_id, .. } | Self::Uds { endpoint_id, .. } => {
                endpoint_id.as_ref()
            }
            _ => None,
        }
    }
}

impl fmt::Display for MtpAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Memory => f.write_str("memory"),
            Self::WebSocket {
                connection,
                endpoint_id,
            }
            | Self::Uds {
                connection,
                endpoint_id,
            } => {
                let kind = if matches!(self, Self::WebSocket { .. }) {
                    "ws"
                } else {
                    "uds"
                };
                match endpoint_id {
                    Some(id) => write!(f, "{kind} {connection} ({id})"),
                    None => write!(f, "{kind} {connection}"),
                }
            }
            Self::Mqtt {
                topic,
                response_topic,
            } => match response_topic {
                Some(r) => write!(f, "mqtt {topic} (reply to {r})"),
                None => write!(f, "mqtt {topic}"),
            },
            Self::Stomp {
                destination,
                reply_to,
            } => match reply_to {
                Some(r) => write!(f, "stomp {destination} (reply to {r})"),
                None => write!(f, "stomp {destination}"),
            },
            Self::Coap { uri } => write!(f, "coap {uri}"),
        }
    }
}
