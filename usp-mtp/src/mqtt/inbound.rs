//! What to do with a received PUBLISH, decided without I/O: pass the Record up with the
//! address to reply to (R-MQTT.25, R-MQTT.26), or drop it (R-MQTT.27a, a payload that is not
//! a Record, too large, no reply-to).

use std::fmt;

use bytes::Bytes;
use usp_record::{MqttVersion, Record, RecordKind};

use super::properties::is_usp_content_type;
use super::topic::decode_reply_to;

/// A received PUBLISH, in the terms of this module.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) topic: String,
    pub(crate) payload: Bytes,
    /// MQTT 5 Response Topic.
    pub(crate) response_topic: Option<String>,
    /// MQTT 5 Content Type.
    pub(crate) content_type: Option<String>,
}

/// A Record to pass up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Accepted {
    pub(crate) record: Bytes,
    /// Where to reply.
    pub(crate) reply_to: String,
    /// What was learned about a peer's MQTT version: from its `MQTTConnectRecord`, or from
    /// where its reply-to came (a Response Topic: MQTT 5; the Topic Name: MQTT 3.1.1).
    pub(crate) learned: Option<(String, MqttVersion)>,
}

/// Why a PUBLISH was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dropped {
    /// The payload is larger than the configured maximum.
    TooLarge { len: usize, max: usize },
    /// An MQTT 5 Content Type other than a USP Record's (R-MQTT.27a).
    ContentType(String),
    /// The payload is not a USP Record (the error of decoding it).
    NotARecord(String),
    /// No Response Topic, no `/reply-to=` in the Topic Name, and no configured peer.
    NoReplyTo,
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { len, max } => {
                write!(
                    f,
                    "a payload of {len} bytes is larger than the maximum {max}"
                )
            }
            Self::ContentType(ct) => write!(
                f,
                "Content Type {:?} is not a USP Record's (R-MQTT.27a)",
                ct.chars().take(64).collect::<String>()
            ),
            Self::NotARecord(e) => write!(f, "the payload is not a USP Record: {e}"),
            Self::NoReplyTo => f.write_str(
                "no \"reply to\" Topic (no Response Topic, no /reply-to= in the Topic Name, \
                 no configured peer; R-MQTT.22)",
            ),
        }
    }
}

/// Decides about one received PUBLISH.
///
/// The reply-to is the MQTT 5 Response Topic when there is one (R-MQTT.26), else the part
/// of the Topic Name after `/reply-to=` (R-MQTT.25: also for an MQTT 5 client, which serves
/// 3.1.1 peers that way), else `default_reply_to` (the configured peer). A Content Type, when
/// present, must be a USP Record's (R-MQTT.27a); a PUBLISH without one (3.1.1 senders) is
/// judged by its payload. The payload must decode as a Record (section "Handling Errors":
/// one that cannot be extracted is silently dropped).
pub(crate) fn classify(
    received: &Received,
    max_record_size: usize,
    default_reply_to: Option<&str>,
) -> Result<Accepted, Dropped> {
    if received.payload.len() > max_record_size {
        let len = received.payload.len();
        let max = max_record_size;
        return Err(Dropped::TooLarge { len, max });
    }
    if let Some(ct) = &received.content_type
        && !is_usp_content_type(ct)
    {
        return Err(Dropped::ContentType(ct.clone()));
    }
    let record =
        Record::decode(received.payload.clone()).map_err(|e| Dropped::NotARecord(e.to_string()))?;
    let response_topic = received.response_topic.as_deref().filter(|r| !r.is_empty());
    let (reply_to, mut learned) = match response_topic {
        Some(r) => (r.to_owned(), Some((r.to_owned(), MqttVersion::V5))),
        None => match decode_reply_to(&received.topic) {
            Some((_, r)) => (r.clone(), Some((r, MqttVersion::V3_1_1))),
            None => match default_reply_to {
                Some(d) => (d.to_owned(), None),
                None => return Err(Dropped::NoReplyTo),
            },
        },
    };
    if let RecordKind::MqttConnect(connect) = record.kind() {
        learned = Some((connect.subscribed_topic().to_owned(), connect.version()));
    }
    Ok(Accepted {
        record: received.payload.clone(),
        reply_to,
        learned,
    })
}

#[cfg(test)]
mod tests {
    use usp_types::EndpointId;

    use super::*;

    fn ids() -> (EndpointId, EndpointId) {
        ("self::c".parse().unwrap(), "os::012345-A".parse().unwrap())
    }

    fn record() -> Bytes {
        let (c, a) = ids();
        Record::no_session_context(c, a, &b"msg"[..])
            .unwrap()
            .to_bytes()
    }

    fn received(topic: &str, response: Option<&str>, ct: Option<&str>, payload: Bytes) -> Received {
        Received {
            topic: topic.into(),
            payload,
            response_topic: response.map(Into::into),
            content_type: ct.map(Into::into),
        }
    }

    #[test]
    fn r_mqtt_26_the_response_topic_is_the_reply_to() {
        let a = classify(
            &received("usp/a", Some("usp/c"), Some("usp.msg"), record()),
            1 << 20,
            None,
        )
        .unwrap();
        assert_eq!(a.reply_to, "usp/c");
        assert_eq!(a.learned, Some(("usp/c".into(), MqttVersion::V5)));
        assert_eq!(a.record, record());
    }

    #[test]
    fn r_mqtt_25_the_topic_name_gives_the_reply_to_of_3_1_1_peers() {
        let a = classify(
            &received("usp/a/reply-to=usp%2Fc%2F1", None, None, record()),
            1 << 20,
            Some("default"),
        )
        .unwrap();
        assert_eq!(a.reply_to, "usp/c/1");
        assert_eq!(a.learned, Some(("usp/c/1".into(), MqttVersion::V3_1_1)));
    }

    #[test]
    fn r_mqtt_27a_both_content_types_are_accepted_and_others_dropped() {
        for ct in ["usp.msg", "application/vnd.bbf.usp.msg", "USP.MSG"] {
            classify(&received("t", Some("r"), Some(ct), record()), 1 << 20, None).unwrap();
        }
        for ct in ["usp.error", "text/plain", ""] {
            assert_eq!(
                classify(&received("t", Some("r"), Some(ct), record()), 1 << 20, None).unwrap_err(),
                Dropped::ContentType(ct.into())
            );
        }
    }

    #[test]
    fn garbage_oversize_and_reply_less_publishes_are_dropped() {
        let garbage = Bytes::from_static(b"\xff\xff\xff not protobuf");
        let why = classify(&received("t/x", Some("r"), None, garbage), 1 << 20, None);
        assert!(matches!(why, Err(Dropped::NotARecord(_))));
        let r = record();
        let len = r.len();
        assert_eq!(
            classify(&received("t", Some("r"), None, r.clone()), len - 1, None).unwrap_err(),
            Dropped::TooLarge { len, max: len - 1 }
        );
        assert_eq!(
            classify(&received("t", None, None, r.clone()), 1 << 20, None).unwrap_err(),
            Dropped::NoReplyTo
        );
        // An empty Response Topic counts as none.
        let a = classify(&received("t", Some(""), None, r), 1 << 20, Some("usp/c")).unwrap();
        assert_eq!((a.reply_to.as_str(), a.learned), ("usp/c", None));
        for d in [
            Dropped::TooLarge { len: 2, max: 1 },
            Dropped::ContentType("x".into()),
            Dropped::NotARecord("bad".into()),
            Dropped::NoReplyTo,
        ] {
            assert!(!d.to_string().is_empty());
        }
    }

    #[test]
    fn an_mqtt_connect_record_tells_the_peer_version() {
        let (c, a) = ids();
        let connect = Record::mqtt_connect(c, a, MqttVersion::V3_1_1, "usp/agent/a")
            .unwrap()
            .to_bytes();
        // Even when it came with a Response Topic (a 5 broker bridging a 3.1.1 agent, say),
        // the Record's own statement wins.
        let got = classify(
            &received("usp/c", Some("usp/agent/a"), None, connect),
            1 << 20,
            None,
        )
        .unwrap();
        assert_eq!(
            got.learned,
            Some(("usp/agent/a".into(), MqttVersion::V3_1_1))
        );
    }
}
