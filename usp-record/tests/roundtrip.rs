//! proptest: any Record encodes and decodes back to itself, its encoding is what the
//! prost-generated types produce, and the validation rules hold for built Records.

use bytes::Bytes;
use proptest::prelude::*;
use usp_record::{
    Disconnect, MqttConnect, MqttVersion, PayloadSecurity, Record, RecordError, RecordKind,
    SarState, SessionContext, StompConnect, StompVersion,
};
use usp_types::{EndpointId, ErrorCode, UspVersion};

fn endpoint_id() -> impl Strategy<Value = EndpointId> {
    prop_oneof![
        "[a-zA-Z0-9._-]{1,40}".prop_map(|i| format!("self::{i}")),
        ("[0-9A-F]{6}", "[a-zA-Z0-9]{1,30}").prop_map(|(o, s)| format!("os::{o}-{s}")),
        "[a-z0-9]{1,10}".prop_map(|i| format!("proto::{i}")),
    ]
    .prop_map(|s| EndpointId::new(s).unwrap())
}

fn payload() -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..300).prop_map(Bytes::from)
}

fn sar() -> impl Strategy<Value = (SarState, SarState)> {
    let state = prop_oneof![
        Just(SarState::Begin),
        Just(SarState::InProcess),
        Just(SarState::Complete),
        Just(SarState::None),
    ];
    (state.clone(), state).prop_map(|(p, r)| {
        if p == SarState::None {
            (p, SarState::None)
        } else {
            (p, r)
        }
    })
}

fn kind() -> impl Strategy<Value = RecordKind> {
    prop_oneof![
        payload()
            .prop_filter("R-E2E.26", |p| !p.is_empty())
            .prop_map(|payload| RecordKind::NoSessionContext { payload }),
        (
            any::<[u64; 4]>(),
            sar(),
            proptest::collection::vec(payload(), 0..4)
        )
            .prop_map(|(ids, (p, r), pieces)| {
                let mut ctx = SessionContext::new(ids[0], ids[1], ids[2])
                    .with_retransmit_id(ids[3])
                    .with_sar_state(p, r);
                for piece in pieces {
                    ctx = ctx.with_payload(piece);
                }
                RecordKind::SessionContext(ctx)
            }),
        Just(RecordKind::WebSocketConnect),
        Just(RecordKind::UdsConnect),
        (any::<bool>(), "[a-z/]{1,30}").prop_map(|(v5, topic)| RecordKind::MqttConnect(
            MqttConnect::new(
                if v5 {
                    MqttVersion::V5
                } else {
                    MqttVersion::V3_1_1
                },
                topic
            )
        )),
        "[a-z/.]{1,30}"
            .prop_map(|d| RecordKind::StompConnect(StompConnect::new(StompVersion::V1_2, d))),
        (any::<u32>(), ".{0,20}")
            .prop_map(|(c, r)| RecordKind::Disconnect(Disconnect::new(ErrorCode::new(c), r))),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    (
        (endpoint_id(), endpoint_id(), kind()),
        (any::<(u16, u16)>(), any::<bool>(), payload(), payload()),
        (
            proptest::option::of(endpoint_id()),
            proptest::option::of(endpoint_id()),
        ),
    )
        .prop_map(
            |((to, from, kind), ((major, minor), tls, mac, cert), (orig, dest))| {
                let mut r = Record::new(to, from, kind)
                    .unwrap()
                    .with_version(UspVersion::new(major, minor))
                    .with_mac_signature(mac)
                    .with_sender_cert(cert);
                if tls {
                    r = r.with_payload_security(PayloadSecurity::Tls12);
                }
                if let Some(o) = orig {
                    r = r.with_originator_id(o);
                }
                if let Some(d) = dest {
                    r = r.with_destination_id(d);
                }
                r
            },
        )
}

proptest! {
    #[test]
    fn encode_then_decode_is_identity(record in record()) {
        let wire = record.to_bytes();
        prop_assert_eq!(wire.len(), record.encoded_len());
        let back = Record::decode(wire.clone()).unwrap();
        prop_assert_eq!(&back, &record);
        // Canonical: re-encoding the decoded Record gives the same bytes.
        prop_assert_eq!(back.to_bytes(), wire);
    }

    #[test]
    fn prost_reads_what_we_write_and_we_read_what_prost_writes(record in record()) {
        use prost::Message as _;
        let wire = record.to_bytes();
        let raw = usp_proto::record::Record::decode(wire.clone()).unwrap();
        prop_assert_eq!(&raw.to_id, record.to_id().as_str());
        prop_assert_eq!(raw.version.clone(), record.version().to_string());
        prop_assert_eq!(raw.originator_id.is_empty(), record.originator_id().is_none());
        // prost writes fields in declaration order, we in field-number order; both must decode
        // to the same Record.
        let from_prost = Record::decode(Bytes::from(raw.encode_to_vec())).unwrap();
        prop_assert_eq!(from_prost, record);
    }
}

#[test]
fn validation_rules_apply_when_building() {
    let a: EndpointId = "self::a".parse().unwrap();
    let b: EndpointId = "self::b".parse().unwrap();
    assert_eq!(
        Record::no_session_context(a.clone(), b.clone(), Bytes::new()).unwrap_err(),
        RecordError::EmptyPayload
    );
    let bad_sar = SessionContext::new(1, 1, 1).with_sar_state(SarState::None, SarState::Begin);
    assert_eq!(
        Record::session_context(a.clone(), b.clone(), bad_sar).unwrap_err(),
        RecordError::InconsistentSarState {
            payloadrec: SarState::Begin
        }
    );
    assert_eq!(
        Record::mqtt_connect(a.clone(), b.clone(), MqttVersion::V5, "").unwrap_err(),
        RecordError::MissingField("subscribed_topic")
    );
    assert_eq!(
        Record::stomp_connect(a, b, StompVersion::V1_2, "")
            .unwrap_err()
            .code(),
        ErrorCode::INVALID_RECORD_VALUE
    );
}

/// Encodes a Record with prost so that invalid field values can be put on the wire.
fn raw(edit: impl FnOnce(&mut usp_proto::record::Record)) -> Bytes {
    use prost::Message as _;
    use usp_proto::record::{NoSessionContextRecord, record::RecordType};
    let mut r = usp_proto::record::Record {
        version: "1.4".into(),
        to_id: "self::us".into(),
        from_id: "self::them".into(),
        record_type: Some(RecordType::NoSessionContext(NoSessionContextRecord {
            payload: Bytes::from_static(b"msg"),
        })),
        ..Default::default()
    };
    edit(&mut r);
    Bytes::from(r.encode_to_vec())
}

#[test]
fn decoding_rejects_what_the_specification_forbids() {
    use usp_proto::record::record::RecordType;
    use usp_proto::record::{MqttConnectRecord, NoSessionContextRecord, SessionContextRecord};

    let cases: Vec<(&str, Bytes, ErrorCode)> = vec![
        (
            "no record_type",
            raw(|r| r.record_type = None),
            ErrorCode::RECORD_NOT_PARSED,
        ),
        (
            "empty version",
            raw(|r| r.version.clear()),
            ErrorCode::INVALID_RECORD_VALUE,
        ),
        (
            "malformed version",
            raw(|r| r.version = "1.x".into()),
            ErrorCode::INVALID_RECORD_VALUE,
        ),
        (
            "version with patch",
            raw(|r| r.version = "1.3.1".into()),
            ErrorCode::INVALID_RECORD_VALUE,
        ),
        (
            "empty to_id",
            raw(|r| r.to_id.clear()),
            ErrorCode::INVALID_RECORD_VALUE,
        ),
        (
            "to_id without colons",
            raw(|r| r.to_id = "controller".into()),
            ErrorCode::INVALID_RECORD_VALUE,
        ),
        (
            "from_id with a space",
            raw(|r| r.from_id = "self::a b".into()),
            ErrorCode::INVALID_RECORD_VALUE,
        ),
        (
            "bad originator_id",
            raw(|r| r.originator_id = "nope".into()),
            ErrorCode::INVALID_RECORD_VALUE,
        ),
        (
            "empty payload (R-E2E.26)",
            raw(|r| {
                r.record_type = Some(RecordType::NoSessionContext(
                    NoSessionContextRecord::default(),
                ))
            }),
            ErrorCode::INVALID_RECORD_VALUE,
        ),
        (
            "unknown payload_security",
            raw(|r| r.payload_security = 7),
            ErrorCode::SECURE_SESSION_NOT_SUPPORTED,
        ),
        (
            "unknown SAR state",
            raw(|r| {
                r.record_type = Some(RecordType::SessionContext(SessionContextRecord {
                    session_id: 1,
                    sequence_id: 1,
                    expected_id: 1,
                    payload_sar_state: 4,
                    ..Default::default()
                }))
            }),
            ErrorCode::INVALID_RECORD_VALUE,
        ),
        (
            "negative MQTT version",
            raw(|r| {
                r.record_type = Some(RecordType::MqttConnect(MqttConnectRecord {
                    version: -1,
                    subscribed_topic: "t".into(),
                }))
            }),
            ErrorCode::INVALID_RECORD_VALUE,
        ),
    ];
    for (what, wire, code) in cases {
        let err = Record::decode(wire).expect_err(what);
        assert_eq!(err.code(), code, "{what}: {err}");
    }
}

#[test]
fn unknown_enum_values_are_reported_with_field_and_value() {
    let err = Record::decode(raw(|r| r.payload_security = 2)).unwrap_err();
    assert_eq!(
        err,
        RecordError::UnknownEnumValue {
            field: "payload_security",
            value: 2
        }
    );
}

#[test]
fn unknown_fields_are_skipped() {
    // Field 99 (varint) and field 100 (length-delimited) are not in the schema.
    let mut wire = raw(|_| {}).to_vec();
    wire.extend_from_slice(&[0x98, 0x06, 0x01, 0xa2, 0x06, 0x02, b'h', b'i']);
    let record = Record::decode(Bytes::from(wire)).unwrap();
    assert_eq!(
        record.no_session_context_payload().unwrap(),
        &Bytes::from_static(b"msg")
    );
    // Unknown fields are not kept: the canonical encoding leaves them out.
    assert_eq!(record.to_bytes(), raw(|_| {}));
}

#[test]
fn lenient_ids_from_real_peers_are_accepted_and_flagged() {
    let record = Record::decode(raw(|r| r.from_id = "proto::agent:1".into())).unwrap();
    assert_eq!(record.from_id().as_str(), "proto::agent:1");
    assert!(!record.from_id().is_conformant());
}
