//! Golden tests on the Messages inside the 23 Records captured from the reference agent
//! (obuspa 11.0.4): each decodes, names the capture's msg_id and msg_type, and re-encodes
//! to the same bytes.

use std::path::PathBuf;

use bytes::Bytes;
use serde_json::Value;
use usp_msg::Msg;
use usp_record::Record;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/obuspa-sample")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Every complete Message of the sample: (name, encoded Msg, its JSON).
pub fn messages() -> Vec<(String, Vec<u8>, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        let meta: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if let Some(h) = meta["reassembled_msg_hex"].as_str() {
            out.push((stem.to_owned(), hex(h), meta["reassembled_msg"].clone()));
        } else if meta["msg"].is_object() {
            let record =
                Record::decode(Bytes::from(hex(meta["record_hex"].as_str().unwrap()))).unwrap();
            let payload = match record.no_session_context_payload() {
                Some(p) => p.to_vec(),
                None => record
                    .session_context_fields()
                    .unwrap()
                    .payload_joined()
                    .to_vec(),
            };
            out.push((stem.to_owned(), payload, meta["msg"].clone()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_message_decodes_and_reencodes_byte_identical() {
    let all = messages();
    assert_eq!(
        all.len(),
        19,
        "17 NoSessionContext Messages, the E2E request and the reassembled response"
    );
    for (name, wire, json) in all {
        let msg = Msg::decode(&wire).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            msg.msg_id(),
            json["header"]["msg_id"].as_str().unwrap(),
            "{name}"
        );
        // proto3 JSON leaves out the default, ERROR (0).
        let msg_type = json["header"]["msg_type"].as_str().unwrap_or("ERROR");
        assert_eq!(msg.msg_type().name().unwrap(), msg_type, "{name}");
        msg.check_msg_type().unwrap();
        assert_eq!(msg.encoded_len(), wire.len(), "{name}: encoded_len");
        assert_eq!(msg.encode_to_vec(), wire, "{name}: re-encoding differs");
        let owned = msg.clone().into_owned();
        assert_eq!(
            owned, msg,
            "{name}: into_owned changes nothing but ownership"
        );
    }
}
