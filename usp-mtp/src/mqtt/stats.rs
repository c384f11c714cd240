//! Counters of an MQTT client: what it received, dropped, sent and sent again.

use std::sync::atomic::{AtomicU64, Ordering};

/// What an [`MqttClient`](super::MqttClient) has done so far
/// ([`MqttClient::stats`](super::MqttClient::stats)). Every drop is also logged (`log`
/// crate, target `usp_mtp::mqtt`, level warn).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MqttStats {
    /// Connections established (CONNACK received and subscriptions granted).
    pub connections: u64,
    /// Records passed up to [`poll_recv`](crate::Mtp::poll_recv).
    pub received: u64,
    /// PUBLISHes dropped because their payload was larger than
    /// [`max_record_size`](super::MqttConfig::max_record_size).
    pub dropped_too_large: u64,
    /// PUBLISHes dropped because they do not carry a USP Record: another Content Type
    /// (R-MQTT.27a), or a payload that does not decode as a Record.
    pub dropped_not_usp: u64,
    /// PUBLISHes dropped because they had no "reply to" Topic and no peer is configured.
    pub dropped_no_reply_to: u64,
    /// PUBLISHes dropped because the receive queue was full beyond what flow control
    /// allows (QoS 0 floods, or a broker that ignores the Receive Maximum).
    pub dropped_overflow: u64,
    /// PUBLISHes of accepted Records written to a connection (the same Record counts again
    /// when it is sent again).
    pub published: u64,
    /// Accepted Records given to a connection that ended before the broker acknowledged
    /// them (written or not yet), and so sent again on the next one.
    pub resent: u64,
    /// QoS 1 PUBLISHes the broker acknowledged with an error Reason Code (MQTT 5: not
    /// authorized, quota exceeded, ...); the Record is then given up.
    pub refused: u64,
    /// Accepted Records given up without being sent: larger than the broker's Maximum
    /// Packet Size, or still queued when the client closed.
    pub abandoned: u64,
}

/// The live counters behind [`MqttStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) connections: AtomicU64,
    pub(crate) received: AtomicU64,
    pub(crate) dropped_too_large: AtomicU64,
    pub(crate) dropped_not_usp: AtomicU64,
    pub(crate) dropped_no_reply_to: AtomicU64,
    pub(crate) dropped_overflow: AtomicU64,
    pub(crate) published: AtomicU64,
    pub(crate) resent: AtomicU64,
    pub(crate) refused: AtomicU64,
    pub(crate) abandoned: AtomicU64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> MqttStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        MqttStats {
            connections: get(&self.connections),
            received: get(&self.received),
            dropped_too_large: get(&self.dropped_too_large),
            dropped_not_usp: get(&self.dropped_not_usp),
            dropped_no_reply_to: get(&self.dropped_no_reply_to),
            dropped_overflow: get(&self.dropped_overflow),
            published: get(&self.published),
            resent: get(&self.resent),
            refused: get(&self.refused),
            abandoned: get(&self.abandoned),
        }
    }
}
