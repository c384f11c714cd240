//! How a Record is addressed in a PUBLISH, decided without I/O: the Topic Name and the MQTT 5
//! Response Topic (R-MQTT.22 to R-MQTT.24, R-MQTT.27), and the size of the packet.

use usp_record::MqttVersion;

use super::properties::CONTENT_TYPE;
use super::topic::encode_reply_to;

/// The addressing of one PUBLISH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Addressed {
    /// The Topic Name.
    pub(crate) topic: String,
    /// The MQTT 5 Response Topic (with Content Type `usp.msg`); `None` for MQTT 3.1.1.
    pub(crate) response_topic: Option<String>,
}

/// Addresses a Record to `to`, asking for replies at `reply_to`, from a client of version
/// `own` to a peer of version `peer` (when known).
///
/// An MQTT 3.1.1 client puts the reply-to in the Topic Name (R-MQTT.24). An MQTT 5 client
/// puts it in the Response Topic (R-MQTT.23), and also in the Topic Name when the peer is
/// known to speak 3.1.1 (a 3.1.1 client never sees MQTT 5 properties, and subscribes to
/// `<topic>/#` to get such Topic Names).
pub(crate) fn address(
    own: MqttVersion,
    to: &str,
    reply_to: &str,
    peer: Option<MqttVersion>,
) -> Addressed {
    match (own, peer) {
        (MqttVersion::V5, Some(MqttVersion::V3_1_1)) => Addressed {
            topic: encode_reply_to(to, reply_to),
            response_topic: Some(reply_to.to_owned()),
        },
        (MqttVersion::V5, _) => Addressed {
            topic: to.to_owned(),
            response_topic: Some(reply_to.to_owned()),
        },
        _ => Addressed {
            topic: encode_reply_to(to, reply_to),
            response_topic: None,
        },
    }
}

/// Bytes of a variable byte integer (MQTT 5.0 section 1.5.5).
fn varint_len(n: usize) -> usize {
    match n {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

/// The size of the PUBLISH packet carrying `payload_len` bytes with this addressing, at QoS
/// 1 (QoS 0 is two bytes shorter), for a client of version `own`.
pub(crate) fn publish_len(own: MqttVersion, addressed: &Addressed, payload_len: usize) -> usize {
    let properties = match (&addressed.response_topic, own) {
        (Some(r), MqttVersion::V5) => {
            let len = (1 + 2 + CONTENT_TYPE.len()) + (1 + 2 + r.len());
            varint_len(len) + len
        }
        (None, MqttVersion::V5) => 1,
        _ => 0,
    };
    let remaining = 2 + addressed.topic.len() + 2 + properties + payload_len;
    1 + varint_len(remaining) + remaining
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_mqtt_23_and_r_mqtt_24_addressing_by_version() {
        let v5 = address(MqttVersion::V5, "usp/a", "usp/c/1", None);
        assert_eq!(v5.topic, "usp/a");
        assert_eq!(v5.response_topic.as_deref(), Some("usp/c/1"));
        let same = address(MqttVersion::V5, "usp/a", "usp/c/1", Some(MqttVersion::V5));
        assert_eq!(same, v5);
        let to_311 = address(
            MqttVersion::V5,
            "usp/a",
            "usp/c/1",
            Some(MqttVersion::V3_1_1),
        );
        assert_eq!(to_311.topic, "usp/a/reply-to=usp%2Fc%2F1");
        assert_eq!(to_311.response_topic.as_deref(), Some("usp/c/1"));
        for peer in [None, Some(MqttVersion::V5), Some(MqttVersion::V3_1_1)] {
            let v3 = address(MqttVersion::V3_1_1, "usp/a", "usp/c/1", peer);
            assert_eq!(v3.topic, "usp/a/reply-to=usp%2Fc%2F1");
            assert_eq!(v3.response_topic, None);
        }
    }

    #[test]
    fn packet_sizes() {
        assert_eq!((varint_len(127), varint_len(128)), (1, 2));
        assert_eq!((varint_len(16_384), varint_len(2_097_152)), (3, 4));
        let a = Addressed {
            topic: "t".into(),
            response_topic: None,
        };
        // 3.1.1: header 1 + length 1 + topic 2+1 + packet id 2 + payload 10.
        assert_eq!(publish_len(MqttVersion::V3_1_1, &a, 10), 17);
        let b = Addressed {
            topic: "t".into(),
            response_topic: Some("r".into()),
        };
        // 5: + properties length 1 + content type 1+2+7 + response topic 1+2+1.
        assert_eq!(publish_len(MqttVersion::V5, &b, 10), 17 + 1 + 10 + 4);
        assert_eq!(publish_len(MqttVersion::V5, &a, 0), 8);
    }
}
