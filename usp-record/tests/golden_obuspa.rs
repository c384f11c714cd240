//! Golden tests on 23 Records captured from the Broadband Forum's reference agent (obuspa
//! 11.0.4) over MQTT 5: each decodes, re-encodes to the same bytes, matches the capture's
//! protobuf-JSON rendering field for field, and the segmented GetResp reassembles.

use std::path::PathBuf;

use bytes::Bytes;
use serde_json::{Map, Value, json};
use usp_record::{Record, RecordKind, SarState};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/obuspa-sample")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// protobuf's JSON mapping of a Record (field names as in the schema, defaults omitted,
/// enums by name, 64-bit integers as strings, bytes as base64): what `MessageToDict(...,
/// preserving_proto_field_name=True)` gives.
fn to_json(record: &Record) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("version", json!(record.version().to_string()));
    put("to_id", json!(record.to_id().as_str()));
    put("from_id", json!(record.from_id().as_str()));
    if let Some(id) = record.originator_id() {
        put("originator_id", json!(id.as_str()));
    }
    if let Some(id) = record.destination_id() {
        put("destination_id", json!(id.as_str()));
    }
    if record.payload_security().as_i32() != 0 {
        put(
            "payload_security",
            json!(record.payload_security().as_str()),
        );
    }
    if !record.mac_signature().is_empty() {
        put("mac_signature", json!(base64(record.mac_signature())));
    }
    if !record.sender_cert().is_empty() {
        put("sender_cert", json!(base64(record.sender_cert())));
    }
    let (name, body) = match record.kind() {
        RecordKind::NoSessionContext { payload } => {
            ("no_session_context", json!({ "payload": base64(payload) }))
        }
        RecordKind::SessionContext(ctx) => {
            let mut s = Map::new();
            for (k, v) in [
                ("session_id", ctx.session_id()),
                ("sequence_id", ctx.sequence_id()),
                ("expected_id", ctx.expected_id()),
                ("retransmit_id", ctx.retransmit_id()),
            ] {
                if v != 0 {
                    s.insert(k.into(), json!(v.to_string()));
                }
            }
            for (k, v) in [
                ("payload_sar_state", ctx.payload_sar_state()),
                ("payloadrec_sar_state", ctx.payloadrec_sar_state()),
            ] {
                if v != SarState::None {
                    s.insert(k.into(), json!(v.as_str()));
                }
            }
            let pieces: Vec<Value> = ctx.payload().map(|p| json!(base64(&p))).collect();
            if !pieces.is_empty() {
                s.insert("payload".into(), Value::Array(pieces));
            }
            ("session_context", Value::Object(s))
        }
        RecordKind::MqttConnect(c) => {
            let mut s = Map::new();
            if c.version().as_i32() != 0 {
                s.insert("version".into(), json!(c.version().as_str()));
            }
            s.insert("subscribed_topic".into(), json!(c.subscribed_topic()));
            ("mqtt_connect", Value::Object(s))
        }
        other => panic!("no capture of a {} Record", other.name()),
    };
    put(name, body);
    Value::Object(m)
}

fn captures() -> Vec<(String, Bytes, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .strip_suffix(".record.bin")
        else {
            continue;
        };
        let bin = std::fs::read(&path).unwrap();
        let meta: Value = serde_json::from_str(
            &std::fs::read_to_string(fixtures().join(format!("{stem}.json"))).unwrap(),
        )
        .unwrap();
        out.push((stem.to_owned(), Bytes::from(bin), meta));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(out.len(), 23, "the sample has 23 Records");
    out
}

#[test]
fn every_capture_decodes_and_reencodes_byte_identical() {
    for (stem, bin, meta) in captures() {
        assert_eq!(
            hex(meta["record_hex"].as_str().unwrap()),
            bin.to_vec(),
            "{stem}: record_hex"
        );
        let record = Record::decode(bin.clone()).unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(record.encoded_len(), bin.len(), "{stem}: encoded_len");
        assert_eq!(record.to_bytes(), bin, "{stem}: re-encoding differs");
        assert_eq!(
            record.kind().name(),
            meta["record_type"].as_str().unwrap(),
            "{stem}"
        );
    }
}

#[test]
fn every_capture_matches_its_protobuf_json() {
    for (stem, bin, meta) in captures() {
        let record = Record::decode(bin).unwrap();
        assert_eq!(to_json(&record), meta["record"], "{stem}");
    }
}

#[test]
fn payloads_share_the_input_buffer() {
    for (stem, bin, meta) in captures() {
        let range = bin.as_ptr_range();
        let record = Record::decode(bin.clone()).unwrap();
        let pieces: Vec<Bytes> = match record.kind() {
            RecordKind::NoSessionContext { payload } => {
                assert_eq!(
                    payload.to_vec(),
                    hex(meta["payload_hex"].as_str().unwrap()),
                    "{stem}"
                );
                vec![payload.clone()]
            }
            RecordKind::SessionContext(ctx) => ctx.payload().collect(),
            _ => continue,
        };
        for piece in pieces {
            let p = piece.as_ptr_range();
            assert!(
                range.start <= p.start && p.end <= range.end,
                "{stem}: payload was copied"
            );
        }
    }
}

#[test]
fn segmented_get_resp_reassembles_in_order() {
    let caps = captures();
    let segments: Vec<_> = caps
        .iter()
        .filter(|(stem, ..)| stem.starts_with("e2e-04-e2e-get-controller-resp.seg"))
        .collect();
    assert_eq!(segments.len(), 4);
    let mut joined = Vec::new();
    let mut states = Vec::new();
    for (stem, bin, meta) in &segments {
        let record = Record::decode(bin.clone()).unwrap();
        let ctx = record.session_context_fields().expect("session context");
        assert_eq!(
            ctx.payload_sar_state().as_str(),
            meta["payload_sar_state_name"],
            "{stem}"
        );
        let expected: Vec<u8> = meta["segments_hex"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|h| hex(h.as_str().unwrap()))
            .collect();
        assert_eq!(ctx.payload_joined().to_vec(), expected, "{stem}");
        joined.extend_from_slice(&ctx.payload_joined());
        states.push(ctx.payload_sar_state());
    }
    assert_eq!(
        states,
        [
            SarState::Begin,
            SarState::InProcess,
            SarState::InProcess,
            SarState::Complete
        ]
    );
    let last = &segments[3].2;
    assert_eq!(joined, hex(last["reassembled_msg_hex"].as_str().unwrap()));
}

#[test]
fn captures_are_addressed_between_agent_and_controller() {
    let agent = "os::012345-obuspa-peer";
    let controller = "self::py-controller";
    for (stem, bin, meta) in captures() {
        let record = Record::decode(bin).unwrap();
        let to_agent = meta["direction"] == "controller->agent";
        let (us, them) = if to_agent {
            (agent, controller)
        } else {
            (controller, agent)
        };
        let us = us.parse().unwrap();
        record
            .check_addressing(&us)
            .unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(record.from_id().as_str(), them);
        assert!(
            record.from_id().is_conformant(),
            "{stem}: strict rules of R-ARC.2a"
        );
        let them = them.parse().unwrap();
        assert!(
            record.check_addressing(&them).is_err(),
            "{stem}: not for the sender"
        );
    }
}

#[test]
fn prost_generated_types_agree_with_ours() {
    use prost::Message as _;
    use usp_proto::record::Record as Raw;
    use usp_proto::record::record::RecordType;
    for (stem, bin, _) in captures() {
        let raw = Raw::decode(bin.clone()).unwrap();
        let ours = Record::decode(bin.clone()).unwrap();
        assert_eq!(raw.version, ours.version().to_string(), "{stem}");
        assert_eq!(raw.to_id, ours.to_id().as_str(), "{stem}");
        assert_eq!(raw.from_id, ours.from_id().as_str(), "{stem}");
        match (raw.record_type.as_ref().unwrap(), ours.kind()) {
            (RecordType::NoSessionContext(r), RecordKind::NoSessionContext { payload }) => {
                assert_eq!(&r.payload, payload);
            }
            (RecordType::SessionContext(r), RecordKind::SessionContext(c)) => {
                assert_eq!(r.session_id, c.session_id());
                assert_eq!(r.sequence_id, c.sequence_id());
                assert_eq!(r.expected_id, c.expected_id());
                assert_eq!(r.payload_sar_state, c.payload_sar_state().as_i32());
                assert_eq!(r.payloadrec_sar_state, c.payloadrec_sar_state().as_i32());
                assert_eq!(r.payload, c.payload().collect::<Vec<_>>());
            }
            (RecordType::MqttConnect(r), RecordKind::MqttConnect(c)) => {
                assert_eq!(r.version, c.version().as_i32());
                assert_eq!(r.subscribed_topic, c.subscribed_topic());
            }
            (raw, ours) => panic!("{stem}: prost says {raw:?}, we say {ours:?}"),
        }
        assert_eq!(
            raw.encode_to_vec(),
            bin.to_vec(),
            "{stem}: prost re-encodes identically too"
        );
    }
}
