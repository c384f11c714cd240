//! Cross-implementation tests with rusp-lib (an independent USP implementation, on
//! quick-protobuf): Records built by rusp decode to the same values with ours, and ours
//! decode with rusp. rusp-lib 1.0.1 implements the 1.4 Record, so `originator_id` and
//! `destination_id` are unknown fields to it and are checked to be skipped.

use bytes::Bytes;
use rusp_lib::usp_builder::{RecordBuilder, SessionContextBuilder};
use rusp_lib::usp_decoder::try_decode_record;
use rusp_lib::usp_record::mod_MQTTConnectRecord::MQTTVersion as RuspMqtt;
use rusp_lib::usp_record::mod_Record::OneOfrecord_type as Rusp;
use rusp_lib::usp_record::mod_STOMPConnectRecord::STOMPVersion as RuspStomp;
use usp_record::{MqttVersion, Record, RecordKind, SessionContext, StompVersion};
use usp_types::{EndpointId, ErrorCode};

const AGENT: &str = "os::012345-obuspa-peer";
const CONTROLLER: &str = "self::py-controller";

fn ids() -> (EndpointId, EndpointId) {
    (CONTROLLER.parse().unwrap(), AGENT.parse().unwrap())
}

fn rusp() -> RecordBuilder {
    RecordBuilder::new()
        .with_version("1.3".into())
        .with_to_id(CONTROLLER.into())
        .with_from_id(AGENT.into())
}

/// A Record built by rusp and what our decoding of it must satisfy.
type Case = (RecordBuilder, Box<dyn Fn(&RecordKind) -> bool>);

fn rusp_bytes(builder: RecordBuilder) -> Bytes {
    Bytes::from(builder.build().unwrap().to_vec().unwrap())
}

#[test]
fn rusp_records_decode_with_ours() {
    let payload = b"\x0a\x08\x0a\x04test\x10\x01".to_vec();
    let cases: Vec<Case> = vec![
        (
            rusp().with_no_session_context_payload_bytes(payload.clone()),
            Box::new({
                let payload = payload.clone();
                move |k| matches!(k, RecordKind::NoSessionContext { payload: p } if p[..] == payload[..])
            }),
        ),
        (
            rusp().with_session_context_builder(
                SessionContextBuilder::new()
                    .with_session_id(42)
                    .with_sequence_id(7)
                    .with_expected_id(3)
                    .with_retransmit_id(2)
                    .with_payload(payload.clone()),
            ),
            Box::new({
                let payload = payload.clone();
                move |k| match k {
                    RecordKind::SessionContext(c) => {
                        (
                            c.session_id(),
                            c.sequence_id(),
                            c.expected_id(),
                            c.retransmit_id(),
                        ) == (42, 7, 3, 2)
                            && c.payload_joined()[..] == payload[..]
                    }
                    _ => false,
                }
            }),
        ),
        (
            rusp().as_websocket_connect_record(),
            Box::new(|k| *k == RecordKind::WebSocketConnect),
        ),
        (
            rusp().as_uds_connect_record(),
            Box::new(|k| *k == RecordKind::UdsConnect),
        ),
        (
            rusp().as_mqtt_connect_record(RuspMqtt::V5, "usp/agent/x".into()),
            Box::new(|k| {
                matches!(k, RecordKind::MqttConnect(c)
                    if c.version() == MqttVersion::V5 && c.subscribed_topic() == "usp/agent/x")
            }),
        ),
        (
            rusp().as_mqtt_connect_record(RuspMqtt::V3_1_1, "t".into()),
            Box::new(
                |k| matches!(k, RecordKind::MqttConnect(c) if c.version() == MqttVersion::V3_1_1),
            ),
        ),
        (
            rusp().as_stomp_connect_record(RuspStomp::V1_2, "/queue/agent".into()),
            Box::new(|k| {
                matches!(k, RecordKind::StompConnect(c)
                    if c.version() == StompVersion::V1_2 && c.subscribed_destination() == "/queue/agent")
            }),
        ),
        (
            rusp().as_disconnect_record("bye".into(), 7105),
            Box::new(|k| {
                matches!(k, RecordKind::Disconnect(d)
                    if d.reason() == "bye" && d.reason_code() == ErrorCode::SESSION_CONTEXT_TERMINATED)
            }),
        ),
    ];
    for (builder, check) in cases {
        let wire = rusp_bytes(builder);
        let ours = Record::decode(wire.clone()).unwrap();
        assert_eq!(ours.to_id().as_str(), CONTROLLER);
        assert_eq!(ours.from_id().as_str(), AGENT);
        assert_eq!(ours.version().to_string(), "1.3");
        assert!(check(ours.kind()), "{:?}", ours.kind());
        // Both write fields in number order and leave defaults out: identical bytes.
        assert_eq!(ours.to_bytes(), wire, "{}", ours.kind().name());
    }
}

#[test]
fn our_records_decode_with_rusp() {
    let (to, from) = ids();
    let payload = Bytes::from_static(b"\x0a\x08\x0a\x04test\x10\x01");
    let records = vec![
        Record::no_session_context(to.clone(), from.clone(), payload.clone()).unwrap(),
        Record::session_context(
            to.clone(),
            from.clone(),
            SessionContext::new(9, 1, 1)
                .with_retransmit_id(5)
                .with_payload(payload.clone()),
        )
        .unwrap(),
        Record::websocket_connect(to.clone(), from.clone()),
        Record::uds_connect(to.clone(), from.clone()),
        Record::mqtt_connect(to.clone(), from.clone(), MqttVersion::V5, "usp/c").unwrap(),
        Record::stomp_connect(to.clone(), from.clone(), StompVersion::V1_2, "/q").unwrap(),
        Record::disconnect(
            to.clone(),
            from.clone(),
            ErrorCode::SESSION_CONTEXT_NOT_ALLOWED,
            "no",
        ),
        // 1.5 fields are unknown to rusp's 1.4 schema: it must skip them.
        Record::no_session_context(to.clone(), from.clone(), payload.clone())
            .unwrap()
            .with_originator_id("self::origin".parse().unwrap())
            .with_destination_id("self::dest".parse().unwrap()),
    ];
    for ours in records {
        let theirs = try_decode_record(&ours.to_bytes()).unwrap();
        assert_eq!(theirs.to_id, CONTROLLER);
        assert_eq!(theirs.from_id, AGENT);
        assert_eq!(theirs.version, "1.5");
        match (&theirs.record_type, ours.kind()) {
            (Rusp::no_session_context(r), RecordKind::NoSessionContext { payload }) => {
                assert_eq!(r.payload, payload.to_vec());
            }
            (Rusp::session_context(r), RecordKind::SessionContext(c)) => {
                assert_eq!((r.session_id, r.sequence_id, r.expected_id), (9, 1, 1));
                assert_eq!(r.retransmit_id, c.retransmit_id());
                assert_eq!(r.payload, vec![payload.to_vec()]);
            }
            (Rusp::websocket_connect(_), RecordKind::WebSocketConnect)
            | (Rusp::uds_connect(_), RecordKind::UdsConnect) => {}
            (Rusp::mqtt_connect(r), RecordKind::MqttConnect(c)) => {
                assert_eq!(r.version, RuspMqtt::V5);
                assert_eq!(r.subscribed_topic, c.subscribed_topic());
            }
            (Rusp::stomp_connect(r), RecordKind::StompConnect(c)) => {
                assert_eq!(r.subscribed_destination, c.subscribed_destination());
            }
            (Rusp::disconnect(r), RecordKind::Disconnect(d)) => {
                assert_eq!(r.reason_code, d.reason_code().get());
                assert_eq!(r.reason, d.reason());
            }
            (theirs, ours) => panic!("rusp read {theirs:?} for our {ours:?}"),
        }
    }
}
