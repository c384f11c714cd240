//! Canonical protobuf JSON: the 23 Records captured from the reference agent and their
//! Messages against protobuf's own `json_format.MessageToDict`, both field-name styles,
//! both directions, and the edge cases of the proto3 JSON mapping.
#![cfg(feature = "json")]

use std::path::PathBuf;

use bytes::Bytes;
use proptest::prelude::*;
use prost::Message as _;
use serde_json::{Value, json};
use usp_msg::json::{self, JsonErrorKind, JsonOptions};
use usp_msg::{Msg, MsgType};
use usp_record::{Record, RecordError};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/obuspa-sample")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A Message from its hex encoding.
fn msg_hex(h: &str) -> Msg<'static> {
    Msg::decode(&hex(h)).unwrap().into_owned()
}

struct Capture {
    name: String,
    wire: Vec<u8>,
    meta: Value,
    /// The encoded Message and its `MessageToDict`, when the capture has one.
    msg: Option<(Vec<u8>, Value)>,
}

fn captures() -> Vec<Capture> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let Some(stem) = name.strip_suffix(".record.bin") else {
            continue;
        };
        let wire = std::fs::read(&path).unwrap();
        let meta_path = fixtures().join(format!("{stem}.json"));
        let meta: Value =
            serde_json::from_str(&std::fs::read_to_string(meta_path).unwrap()).unwrap();
        let record = Record::decode(Bytes::from(wire.clone())).unwrap();
        let msg = if let Some(h) = meta["reassembled_msg_hex"].as_str() {
            Some((hex(h), meta["reassembled_msg"].clone()))
        } else if meta["msg"].is_object() {
            let payload = match record.no_session_context_payload() {
                Some(p) => p.to_vec(),
                None => record
                    .session_context_fields()
                    .unwrap()
                    .payload_joined()
                    .to_vec(),
            };
            Some((payload, meta["msg"].clone()))
        } else {
            None
        };
        out.push(Capture {
            name: stem.to_owned(),
            wire,
            meta,
            msg,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(out.len(), 23);
    assert_eq!(out.iter().filter(|c| c.msg.is_some()).count(), 19);
    out
}

/// The same Message, compared through prost, whose maps are hash maps: JSON objects have
/// no order, so a Message read from JSON may list map entries in another order.
fn same_msg(a: &[u8], b: &[u8]) -> bool {
    usp_proto::msg::Msg::decode(a).unwrap() == usp_proto::msg::Msg::decode(b).unwrap()
}

fn proto() -> JsonOptions {
    JsonOptions::default()
}

fn camel() -> JsonOptions {
    JsonOptions::default().preserving_proto_field_names(false)
}

/// `MessageToDict` without `preserving_proto_field_name`, derived from the fixture's
/// proto-name form (checked against protobuf 7.36 with every capture): keys become
/// lowerCamelCase, except the keys of map fields.
fn camelize(v: &Value) -> Value {
    const MAPS: &[&str] = &[
        "params",
        "unique_keys",
        "result_params",
        "input_args",
        "output_args",
        "updated_params",
    ];
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let mut key = String::new();
                    let mut upper = false;
                    for c in k.chars() {
                        match c {
                            '_' => upper = true,
                            c if upper => {
                                key.push(c.to_ascii_uppercase());
                                upper = false;
                            }
                            c => key.push(c),
                        }
                    }
                    let v = if MAPS.contains(&k.as_str()) {
                        v.clone()
                    } else {
                        camelize(v)
                    };
                    (key, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(camelize).collect()),
        other => other.clone(),
    }
}

#[test]
fn every_record_gives_the_json_of_json_format() {
    for c in captures() {
        let record = Record::decode(Bytes::from(c.wire.clone())).unwrap();
        assert_eq!(
            json::record_to_value(&record, &proto()),
            c.meta["record"],
            "{}",
            c.name
        );
        assert_eq!(
            json::record_to_value(&record, &camel()),
            camelize(&c.meta["record"]),
            "{}: lowerCamelCase",
            c.name
        );
    }
}

#[test]
fn every_record_reads_back_from_its_json_to_the_same_bytes() {
    for c in captures() {
        for value in [c.meta["record"].clone(), camelize(&c.meta["record"])] {
            let record = json::record_from_value(&value, &proto())
                .unwrap_or_else(|e| panic!("{}: {e}", c.name));
            assert_eq!(record.to_bytes(), c.wire, "{}", c.name);
            let text = json::record_to_string(&record, &proto());
            assert_eq!(
                json::record_from_str(&text, &camel()).unwrap(),
                record,
                "{}",
                c.name
            );
        }
    }
}

#[test]
fn every_message_gives_the_json_of_json_format() {
    for c in captures() {
        let Some((wire, expected)) = &c.msg else {
            continue;
        };
        let msg = Msg::decode(wire).unwrap();
        assert_eq!(&json::msg_to_value(&msg, &proto()), expected, "{}", c.name);
        assert_eq!(
            json::msg_to_value(&msg, &camel()),
            camelize(expected),
            "{}: lowerCamelCase",
            c.name
        );
    }
}

#[test]
fn every_message_reads_back_from_its_json() {
    for c in captures() {
        let Some((wire, expected)) = &c.msg else {
            continue;
        };
        let decoded = Msg::decode(wire).unwrap();
        for value in [expected.clone(), camelize(expected)] {
            let msg = json::msg_from_value(&value, &proto())
                .unwrap_or_else(|e| panic!("{}: {e}", c.name));
            let encoded = msg.encode_to_vec();
            assert_eq!(encoded.len(), wire.len(), "{}", c.name);
            assert!(same_msg(&encoded, wire), "{}: {msg:?}", c.name);
            assert_eq!(msg.header_msg_type(), decoded.header_msg_type());
            assert_eq!(json::msg_to_value(&msg, &proto()), *expected, "{}", c.name);
        }
        // Through text as well.
        let text = json::msg_to_string(&decoded, &proto());
        let back = json::msg_from_str(&text, &proto()).unwrap();
        assert!(same_msg(&back.encode_to_vec(), wire), "{}", c.name);
    }
}

#[test]
fn pretty_text_is_that_of_message_to_json() {
    let capture = captures()
        .into_iter()
        .find(|c| c.name == "03-get-deviceinfo-req")
        .unwrap();
    let get = Msg::decode(&capture.msg.unwrap().0).unwrap().into_owned();
    // protobuf 7.36: MessageToJson(msg, preserving_proto_field_name=True).
    let expected = r#"{
  "header": {
    "msg_id": "py-get-1",
    "msg_type": "GET"
  },
  "body": {
    "request": {
      "get": {
        "param_paths": [
          "Device.DeviceInfo."
        ]
      }
    }
  }
}"#;
    assert_eq!(json::msg_to_string(&get, &proto().pretty(true)), expected);
    assert_eq!(
        json::msg_to_string(&get, &camel().pretty(true)),
        expected
            .replace("msg_id", "msgId")
            .replace("msg_type", "msgType")
            .replace("param_paths", "paramPaths")
    );
    assert_eq!(
        json::msg_to_string(&get, &proto()),
        r#"{"header":{"msg_id":"py-get-1","msg_type":"GET"},"body":{"request":{"get":{"param_paths":["Device.DeviceInfo."]}}}}"#
    );

    // Escapes, from protobuf 7.36's MessageToJson of this Set.
    let set = msg_hex(
        "0a0a0a067365742dc3a91004122c0a2a2228080112240a094465766963652e582e12170a044e616d65120dc3a9f09f988001225c0a092f3c1801",
    );
    let expected = r#"{
  "header": {
    "msg_id": "set-\u00e9",
    "msg_type": "SET"
  },
  "body": {
    "request": {
      "set": {
        "allow_partial": true,
        "update_objs": [
          {
            "obj_path": "Device.X.",
            "param_settings": [
              {
                "param": "Name",
                "value": "\u00e9\ud83d\ude00\u0001\"\\\n\t/<",
                "required": true
              }
            ]
          }
        ]
      }
    }
  }
}"#;
    assert_eq!(json::msg_to_string(&set, &proto().pretty(true)), expected);
    let compact = json::msg_to_string(&set, &proto());
    assert!(
        compact.contains(r#""value":"é😀\u0001\"\\\n\t/<""#),
        "{compact}"
    );
    assert_eq!(json::msg_from_str(&compact, &proto()).unwrap(), set);
    assert_eq!(json::msg_from_str(expected, &proto()).unwrap(), set);

    let mqtt = captures()
        .into_iter()
        .find(|c| c.name == "01-mqtt-connect")
        .unwrap();
    let record = Record::decode(Bytes::from(mqtt.wire)).unwrap();
    assert_eq!(
        json::record_to_string(&record, &camel().pretty(true)),
        r#"{
  "version": "1.3",
  "toId": "self::py-controller",
  "fromId": "os::012345-obuspa-peer",
  "mqttConnect": {
    "version": "V5",
    "subscribedTopic": "usp/agent/obuspa-peer"
  }
}"#
    );
}

#[test]
fn selected_oneof_members_are_output_even_when_empty() {
    // protobuf 7.36: MessageToDict of this OperateResp.
    let msg = msg_hex(
        "0a060a026f701007122612243a220a130a0f4465766963652e5265626f6f74282912000a021a000a0722050d6e1b0000",
    );
    let expected = json!({"header": {"msg_id": "op", "msg_type": "OPERATE_RESP"}, "body": {"response": {"operate_resp": {"operation_results": [{"executed_command": "Device.Reboot()", "req_obj_path": ""}, {"req_output_args": {}}, {"cmd_failure": {"err_code": 7022}}]}}}});
    assert_eq!(json::msg_to_value(&msg, &proto()), expected);
    assert_eq!(json::msg_from_value(&expected, &proto()).unwrap(), msg);

    let ws = Record::websocket_connect("self::a".parse().unwrap(), "self::b".parse().unwrap());
    let value = json::record_to_value(&ws, &proto());
    assert_eq!(
        value,
        json!({"version": "1.5", "to_id": "self::a", "from_id": "self::b", "websocket_connect": {}})
    );
    assert_eq!(json::record_from_value(&value, &proto()).unwrap(), ws);
}

#[test]
fn unknown_enum_values_are_numbers() {
    // protobuf 7.36: header msg_type 42, an empty Event.
    let notify = msg_hex("0a050a016e102a12060a0442021a00");
    let expected = json!({"header": {"msgId": "n", "msgType": 42}, "body": {"request": {"notify": {"event": {}}}}});
    assert_eq!(json::msg_to_value(&notify, &camel()), expected);
    let back = json::msg_from_value(&expected, &proto()).unwrap();
    assert_eq!(back, notify);
    assert_eq!(back.header_msg_type(), MsgType::from_i32(42));
    assert_eq!(back.msg_type(), MsgType::NOTIFY);

    // ObjAccessType 9 and ParamAccessType 7.
    let gsdm = msg_hex("0a050a0167100d12131211120f0a0d2a0b100932070a015810071802");
    let expected = json!({"header": {"msgId": "g", "msgType": "GET_SUPPORTED_DM_RESP"}, "body": {"response": {"getSupportedDmResp": {"reqObjResults": [{"supportedObjs": [{"access": 9, "supportedParams": [{"paramName": "X", "access": 7, "valueType": "PARAM_BOOLEAN"}]}]}]}}}});
    assert_eq!(json::msg_to_value(&gsdm, &camel()), expected);
    assert_eq!(json::msg_from_value(&expected, &proto()).unwrap(), gsdm);
}

#[test]
fn enums_read_from_names_numbers_and_numeric_strings() {
    for msg_type in [json!("GET"), json!(1), json!("1"), json!(1.0)] {
        let v = json!({"header": {"msg_id": "1", "msg_type": msg_type}, "body": {"request": {"get": {}}}});
        let msg = json::msg_from_value(&v, &proto()).unwrap();
        assert_eq!(msg.header_msg_type(), MsgType::GET, "{v}");
    }
    let v =
        json!({"header": {"msg_id": "1", "msg_type": "GETT"}, "body": {"request": {"get": {}}}});
    let err = json::msg_from_value(&v, &proto()).unwrap_err();
    assert_eq!(err.path(), "header.msg_type");
    assert_eq!(
        err.kind(),
        &JsonErrorKind::UnknownEnumName {
            name: "GETT".into(),
            enum_type: "usp.Header.MsgType"
        }
    );
    assert_eq!(
        err.to_string(),
        "header.msg_type: `GETT` is not a value of enum usp.Header.MsgType"
    );
    // ignore_unknown_fields reads an unknown name as the default, as protobuf does.
    let msg = json::msg_from_value(&v, &proto().ignore_unknown_fields(true)).unwrap();
    assert_eq!(msg.header_msg_type(), MsgType::ERROR);

    let v = json!({"header": {"msg_id": "1", "msg_type": 1.5}, "body": {"request": {"get": {}}}});
    assert!(json::msg_from_value(&v, &proto()).is_err());
    let v = json!({"header": {"msg_id": "1", "msg_type": 4294967296u64}, "body": {"request": {"get": {}}}});
    assert_eq!(
        json::msg_from_value(&v, &proto()).unwrap_err().kind(),
        &JsonErrorKind::OutOfRange("enum")
    );
}

fn session_record(session: Value) -> Value {
    json!({"version": "1.3", "toId": "self::a", "fromId": "self::b", "sessionContext": session})
}

#[test]
fn uint64_reads_from_strings_and_numbers_and_is_written_as_a_string() {
    for (input, expected) in [
        (json!("2"), 2u64),
        (json!(2), 2),
        (json!(2.0), 2),
        (json!("1e3"), 1000),
        (json!("18446744073709551615"), u64::MAX),
        (json!(18446744073709551615u64), u64::MAX),
    ] {
        let v = session_record(json!({"session_id": input, "sequenceId": 1, "expected_id": "1"}));
        let record =
            json::record_from_value(&v, &proto()).unwrap_or_else(|e| panic!("{input}: {e}"));
        let ctx = record.session_context_fields().unwrap();
        assert_eq!(ctx.session_id(), expected, "{input}");
        let out = json::record_to_value(&record, &proto());
        assert_eq!(
            out["session_context"]["session_id"],
            json!(expected.to_string())
        );
        assert_eq!(out["session_context"]["sequence_id"], json!("1"));
    }
    for (input, kind) in [
        (
            json!("18446744073709551616"),
            JsonErrorKind::OutOfRange("uint64"),
        ),
        (json!(-1), JsonErrorKind::OutOfRange("uint64")),
        (json!("1.5"), JsonErrorKind::ExpectedInteger),
        (json!(" 1"), JsonErrorKind::ExpectedInteger),
        (json!(true), JsonErrorKind::ExpectedInteger),
        (json!("0x10"), JsonErrorKind::ExpectedInteger),
    ] {
        let v = session_record(json!({"session_id": input}));
        let err = json::record_from_value(&v, &proto()).unwrap_err();
        assert_eq!(err.path(), "sessionContext.session_id", "{input}");
        assert_eq!(err.kind(), &kind, "{input}");
    }
}

#[test]
fn fixed32_reads_from_numbers_and_numeric_strings() {
    for input in [json!(3), json!("3"), json!(3.0), json!("+3")] {
        let v =
            json!({"header": {"msg_id": "1"}, "body": {"request": {"get": {"max_depth": input}}}});
        let msg = json::msg_from_value(&v, &proto()).unwrap();
        match msg.as_request() {
            Some(usp_msg::Request::Get(g)) => assert_eq!(g.max_depth, 3),
            other => panic!("{other:?}"),
        }
    }
    let v = json!({"header": {"msg_id": "1"}, "body": {"error": {"err_code": 4294967296u64}}});
    let err = json::msg_from_value(&v, &proto()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "body.error.err_code: integer out of range for fixed32"
    );
}

#[test]
fn bytes_read_from_every_base64_variant() {
    let payload: &[u8] = b"\xfb\xff\xfe\x00\x01";
    for text in ["+//+AAE=", "+//+AAE", "-__-AAE=", "-__-AAE"] {
        let v = json!({"version": "1.3", "to_id": "self::a", "from_id": "self::b",
            "mac_signature": text, "no_session_context": {"payload": text}});
        let record =
            json::record_from_value(&v, &proto()).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            record.no_session_context_payload().unwrap().as_ref(),
            payload
        );
        assert_eq!(record.mac_signature().as_ref(), payload);
        let out = json::record_to_value(&record, &proto());
        assert_eq!(out["no_session_context"]["payload"], "+//+AAE=");
        assert_eq!(out["mac_signature"], "+//+AAE=");
    }
    let v = session_record(
        json!({"payload": ["-_8", "+/8=", ""], "payloadSarState": "BEGIN", "payloadrec_sar_state": 1}),
    );
    let record = json::record_from_value(&v, &proto()).unwrap();
    let ctx = record.session_context_fields().unwrap();
    let pieces: Vec<Bytes> = ctx.payload().collect();
    assert_eq!(pieces, [&b"\xfb\xff"[..], b"\xfb\xff", b""]);
    assert_eq!(
        json::record_to_value(&record, &camel())["sessionContext"],
        json!({"payloadSarState": "BEGIN", "payloadrecSarState": "BEGIN", "payload": ["+/8=", "+/8=", ""]})
    );
    let bad = json!({"version": "1.3", "to_id": "self::a", "from_id": "self::b", "no_session_context": {"payload": "a*b="}});
    let err = json::record_from_value(&bad, &proto()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no_session_context.payload: invalid base64"
    );
}

#[test]
fn errors_name_the_json_path() {
    let cases = [
        (
            json!({"header": {"msg_id": "1"}, "body": {"request": {"get": {"max_depth": "deep"}}}}),
            "body.request.get.max_depth: expected an integer (a number or a numeric string)",
        ),
        (
            json!({"header": {"msgId": "1"}, "body": {"request": {"get": {"paramPaths": ["a", 1]}}}}),
            "body.request.get.paramPaths[1]: expected a string",
        ),
        (
            json!({"header": {"msgId": "1"}, "body": {"request": {"get": {"paramPaths": ["a", null]}}}}),
            "body.request.get.paramPaths[1]: null is not allowed as an element of a repeated field",
        ),
        (
            json!({"header": {"msg_id": "1"}, "body": {"request": {"get": {"max_depth": 1, "fields": []}}}}),
            "body.request.get.fields: message usp.Get has no field of this name",
        ),
        (
            json!({"header": {"msg_id": "1"}, "body": {"request": {"get": {}, "set": {}}}}),
            "body.request.set: more than one member of oneof req_type is set",
        ),
        (
            json!({"header": {"msg_id": "1"}, "body": {"request": {}}}),
            "body.request: no member of oneof req_type is set",
        ),
        (
            json!({"header": {"msg_id": "1"}, "body": {}}),
            "body: no member of oneof msg_body is set",
        ),
        (
            json!({"header": {"msg_id": ""}, "body": {"request": {"get": {}}}}),
            "header.msg_id: required field is missing",
        ),
        (
            json!({"body": {"request": {"get": {}}}}),
            "header: required field is missing",
        ),
        (
            json!({"header": {"msg_id": "1"}}),
            "body: required field is missing",
        ),
        (json!([1]), "expected an object"),
        (
            json!({"header": {"msg_id": "1"}, "body": {"request": {"set": {"update_objs": [{"param_settings": [{"required": true}, {"required": "yes"}]}]}}}}),
            "body.request.set.update_objs[0].param_settings[1].required: expected true or false",
        ),
        (
            json!({"header": {"msg_id": "1"}, "body": {"request": {"notify": {"event": {"params": {"Device.X": 1}}}}}}),
            "body.request.notify.event.params[\"Device.X\"]: expected a string",
        ),
        (
            json!({"header": {"msg_id": "1"}, "body": {"request": {"notify": {"event": {}, "valueChange": {}}}}}),
            "body.request.notify.valueChange: more than one member of oneof notification is set",
        ),
        (
            json!({"header": {"msg_id": "1"}, "body": {"response": {"add_resp": {"created_obj_results": [{"oper_status": {"oper_failure": {}, "oper_success": {}}}]}}}}),
            "body.response.add_resp.created_obj_results[0].oper_status.oper_success: more than one member of oneof oper_status is set",
        ),
        (
            json!({"header": {"msg_id": "1"}, "body": {"response": {"operate_resp": {"operation_results": [{"req_obj_path": 5}]}}}}),
            "body.response.operate_resp.operation_results[0].req_obj_path: expected a string",
        ),
    ];
    for (value, expected) in cases {
        let err = json::msg_from_value(&value, &proto()).unwrap_err();
        assert_eq!(err.to_string(), expected, "{value}");
    }
    // The path is the key met second, in the order of serde_json's map.
    let v = json!({"header": {"msg_id": "1", "msgId": "2"}, "body": {"request": {"get": {}}}});
    let err = json::msg_from_value(&v, &proto()).unwrap_err();
    assert_eq!(err.kind(), &JsonErrorKind::DuplicateField);
    assert!(
        ["header.msg_id", "header.msgId"].contains(&err.path()),
        "{err}"
    );

    let err = json::msg_from_str("{\"header\": ", &proto()).unwrap_err();
    assert!(matches!(err.kind(), JsonErrorKind::Syntax(_)), "{err}");
    assert_eq!(err.path(), "");
}

#[test]
fn null_is_absent_and_unknown_fields_may_be_ignored() {
    let v = json!({"header": {"msg_id": "1", "msg_type": null}, "body": {"request": {"get": {"param_paths": null, "max_depth": null}, "set": null}}});
    let msg = json::msg_from_value(&v, &proto()).unwrap();
    assert_eq!(msg.msg_id(), "1");
    // Without msg_type the header says ERROR (0), as a decoded header would; the body wins.
    assert_eq!(msg.header_msg_type(), MsgType::ERROR);
    assert_eq!(msg.msg_type(), MsgType::GET);
    assert_eq!(
        msg.as_request(),
        Some(&usp_msg::Request::Get(usp_msg::Get::default()))
    );

    // An empty msg_id is a default like any other (reading it back fails, as decoding does).
    let anonymous = Msg::request("", usp_msg::Get::default());
    let v = json::msg_to_value(&anonymous, &proto());
    assert_eq!(
        v,
        json!({"header": {"msg_type": "GET"}, "body": {"request": {"get": {}}}})
    );
    assert_eq!(
        json::msg_from_value(&v, &proto()).unwrap_err().path(),
        "header.msg_id"
    );

    let v = json!({"header": {"msg_id": "1", "extra": 1}, "body": {"request": {"get": {"x": {}}}}, "more": []});
    assert!(json::msg_from_value(&v, &proto()).is_err());
    let msg = json::msg_from_value(&v, &proto().ignore_unknown_fields(true)).unwrap();
    assert_eq!(msg.msg_id(), "1");

    // An empty oper_status cannot be told from an absent one in the typed model.
    let v = json!({"header": {"msg_id": "1"}, "body": {"response": {"set_resp": {"updated_obj_results": [{"requested_path": "A.", "oper_status": {}}]}}}});
    let msg = json::msg_from_value(&v, &proto()).unwrap();
    assert_eq!(
        json::msg_to_value(&msg, &proto())["body"]["response"]["set_resp"]["updated_obj_results"]
            [0],
        json!({"requested_path": "A."})
    );
}

#[test]
fn records_are_checked_as_decode_checks_them() {
    let base = || json!({"version": "1.3", "to_id": "self::a", "from_id": "self::b", "websocket_connect": {}});
    let err_of = |v: Value| json::record_from_value(&v, &proto()).unwrap_err();

    let mut v = base();
    v["payload_security"] = json!(5);
    let err = err_of(v);
    assert_eq!(err.path(), "payload_security");
    assert_eq!(
        err.kind(),
        &JsonErrorKind::Record(RecordError::UnknownEnumValue {
            field: "payload_security",
            value: 5
        })
    );
    let mut v = base();
    v["payload_security"] = json!("TLS12");
    let record = json::record_from_value(&v, &proto()).unwrap();
    assert_eq!(
        json::record_to_value(&record, &proto())["payload_security"],
        "TLS12"
    );

    let mut v = base();
    v.as_object_mut().unwrap().remove("websocket_connect");
    v["no_session_context"] = json!({});
    let err = err_of(v);
    assert_eq!(err.path(), "no_session_context");
    assert_eq!(
        err.kind(),
        &JsonErrorKind::Record(RecordError::EmptyPayload)
    );

    let mut v = base();
    v.as_object_mut().unwrap().remove("websocket_connect");
    assert_eq!(
        err_of(v).kind(),
        &JsonErrorKind::Record(RecordError::MissingRecordType)
    );

    let mut v = base();
    v["uds_connect"] = json!({});
    assert_eq!(
        err_of(v).kind(),
        &JsonErrorKind::MultipleOneofMembers("record_type")
    );

    let mut v = base();
    v["version"] = json!("");
    assert_eq!(
        err_of(v).kind(),
        &JsonErrorKind::Record(RecordError::MissingField("version"))
    );
    let mut v = base();
    v["version"] = json!("one");
    assert!(matches!(
        err_of(v).kind(),
        JsonErrorKind::Record(RecordError::InvalidVersion(_))
    ));
    let mut v = base();
    v["to_id"] = json!("no-scheme");
    let err = err_of(v);
    assert_eq!(err.path(), "to_id");
    assert!(matches!(
        err.kind(),
        JsonErrorKind::Record(RecordError::InvalidEndpointId { field: "to_id", .. })
    ));
    let mut v = base();
    v.as_object_mut().unwrap().remove("from_id");
    assert_eq!(
        err_of(v).kind(),
        &JsonErrorKind::Record(RecordError::MissingField("from_id"))
    );

    let mut v = base();
    v.as_object_mut().unwrap().remove("websocket_connect");
    v["sessionContext"] = json!({"payloadrecSarState": "BEGIN"});
    assert!(matches!(
        err_of(v).kind(),
        JsonErrorKind::Record(RecordError::InconsistentSarState { .. })
    ));

    let mut v = base();
    v.as_object_mut().unwrap().remove("websocket_connect");
    v["mqtt_connect"] = json!({"version": 3, "subscribed_topic": "t"});
    let err = err_of(v);
    assert_eq!(err.path(), "mqtt_connect.version");
    assert_eq!(
        err.kind(),
        &JsonErrorKind::Record(RecordError::UnknownEnumValue {
            field: "version",
            value: 3
        })
    );

    // Every kind and every optional field, both ways.
    for kind in [
        json!({"stomp_connect": {"subscribed_destination": "/q"}}),
        json!({"mqtt_connect": {"subscribed_topic": "t"}}),
        json!({"disconnect": {"reason": "bye", "reason_code": 7105}}),
        json!({"disconnect": {}}),
        json!({"uds_connect": {}}),
        json!({"session_context": {"session_id": "1", "sequence_id": "2", "expected_id": "3", "retransmit_id": "4", "payload_sar_state": "INPROCESS", "payloadrec_sar_state": "COMPLETE", "payload": ["AA=="]}}),
    ] {
        let mut v = json!({"version": "1.5", "to_id": "self::a", "from_id": "self::b",
            "payload_security": "TLS12", "mac_signature": "AQI=", "sender_cert": "LS0t",
            "originator_id": "os::012345-x", "destination_id": "proto::y"});
        let (k, body) = kind.as_object().unwrap().iter().next().unwrap();
        v[k] = body.clone();
        let record = json::record_from_value(&v, &proto()).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!(json::record_to_value(&record, &proto()), v);
        let wire = record.to_bytes();
        assert_eq!(Record::decode(wire).unwrap(), record);
    }
}

#[test]
fn record_with_its_message() {
    let c = captures()
        .into_iter()
        .find(|c| c.name == "02-notify-event-boot")
        .unwrap();
    let record = Record::decode(Bytes::from(c.wire)).unwrap();
    let value = json::record_to_value_with_msg(&record, &proto());
    assert_eq!(
        value,
        json!({"record": c.meta["record"], "msg": c.meta["msg"]})
    );
    let mqtt = captures()
        .into_iter()
        .find(|c| c.name == "01-mqtt-connect")
        .unwrap();
    let record = Record::decode(Bytes::from(mqtt.wire)).unwrap();
    assert_eq!(
        json::record_to_value_with_msg(&record, &proto()),
        json!({"record": mqtt.meta["record"]})
    );
}

#[test]
fn repeated_map_keys_appear_once_with_the_last_value() {
    // A GetResp whose result_params repeats "A": A=1, B=2, A=3.
    let msg = usp_proto::msg::Msg {
        header: Some(usp_proto::msg::Header {
            msg_id: "1".into(),
            msg_type: usp_proto::msg::header::MsgType::GetResp as i32,
        }),
        body: None,
    };
    let mut wire = msg.encode_to_vec();
    let entry = |k: &str, v: &str| {
        let mut e = vec![0x0a, k.len() as u8];
        e.extend_from_slice(k.as_bytes());
        e.extend_from_slice(&[0x12, v.len() as u8]);
        e.extend_from_slice(v.as_bytes());
        let mut f = vec![0x12, e.len() as u8];
        f.extend(e);
        f
    };
    let mut resolved = vec![];
    for (k, v) in [("A", "1"), ("B", "2"), ("A", "3")] {
        resolved.extend(entry(k, v));
    }
    let wrap = |tag: u8, inner: Vec<u8>| {
        let mut out = vec![tag, inner.len() as u8];
        out.extend(inner);
        out
    };
    let requested = wrap(0x22, resolved);
    let resp = wrap(0x0a, requested);
    let get_resp = wrap(0x0a, resp);
    let response = wrap(0x12, get_resp);
    wire.extend(wrap(0x12, response));
    let decoded = Msg::decode(&wire).unwrap();
    let value = json::msg_to_value(&decoded, &proto());
    assert_eq!(
        value["body"]["response"]["get_resp"]["req_path_results"][0]["resolved_path_results"][0]["result_params"],
        json!({"A": "3", "B": "2"})
    );
    assert!(json::msg_to_string(&decoded, &proto()).contains(r#"{"A":"3","B":"2"}"#));
}

mod strategies {
    use super::*;
    use usp_msg::request::notify::{Event, Notification};
    use usp_msg::request::set::{UpdateObject, UpdateParamSetting};
    use usp_msg::response::get::{RequestedPathResult, ResolvedPathResult};
    use usp_msg::response::operate::{CommandFailure, OperationResp, OperationResult, OutputArgs};
    use usp_msg::{
        Body, ErrorCode, Get, GetResp, Notify, OperateResp, Params, Request, Response, Set,
        UspError,
    };

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "[a-zA-Z0-9.{}_ ]{1,12}",
            any::<String>()
        ]
    }

    fn params() -> impl Strategy<Value = Params<'static>> {
        prop::collection::btree_map(text(), text(), 0..4).prop_map(|m| m.into_iter().collect())
    }

    fn get() -> impl Strategy<Value = Request<'static>> {
        (prop::collection::vec(text(), 0..3), any::<u32>()).prop_map(|(paths, depth)| {
            let mut g = Get::default();
            g.param_paths = paths.into_iter().map(Into::into).collect();
            g.max_depth = depth;
            Request::Get(g)
        })
    }

    fn set() -> impl Strategy<Value = Request<'static>> {
        let setting = (text(), text(), any::<bool>()).prop_map(|(p, v, r)| {
            let mut s = UpdateParamSetting::default();
            s.param = p.into();
            s.value = v.into();
            s.required = r;
            s
        });
        let object = (text(), prop::collection::vec(setting, 0..3)).prop_map(|(path, settings)| {
            let mut o = UpdateObject::default();
            o.obj_path = path.into();
            o.param_settings = settings;
            o
        });
        (any::<bool>(), prop::collection::vec(object, 0..3)).prop_map(|(partial, objs)| {
            let mut s = Set::default();
            s.allow_partial = partial;
            s.update_objs = objs;
            Request::Set(s)
        })
    }

    fn notify() -> impl Strategy<Value = Request<'static>> {
        (
            text(),
            any::<bool>(),
            proptest::option::of((text(), text(), params())),
        )
            .prop_map(|(id, send, event)| {
                let mut n = Notify::default();
                n.subscription_id = id.into();
                n.send_resp = send;
                n.notification = event.map(|(path, name, params)| {
                    let mut e = Event::default();
                    e.obj_path = path.into();
                    e.event_name = name.into();
                    e.params = params;
                    Notification::Event(e)
                });
                Request::Notify(n)
            })
    }

    fn get_resp() -> impl Strategy<Value = Response<'static>> {
        let resolved = (text(), params()).prop_map(|(path, params)| {
            let mut r = ResolvedPathResult::default();
            r.resolved_path = path.into();
            r.result_params = params;
            r
        });
        let requested = (
            text(),
            any::<u32>(),
            text(),
            prop::collection::vec(resolved, 0..3),
        )
            .prop_map(|(path, code, msg, resolved)| {
                let mut r = RequestedPathResult::default();
                r.requested_path = path.into();
                r.err_code = ErrorCode::new(code);
                r.err_msg = msg.into();
                r.resolved_path_results = resolved;
                r
            });
        prop::collection::vec(requested, 0..3).prop_map(|results| {
            let mut g = GetResp::default();
            g.req_path_results = results;
            Response::GetResp(g)
        })
    }

    fn operate_resp() -> impl Strategy<Value = Response<'static>> {
        let outcome = prop_oneof![
            text().prop_map(|p| OperationResp::ReqObjPath(p.into())),
            params().prop_map(|p| {
                let mut o = OutputArgs::default();
                o.output_args = p;
                OperationResp::ReqOutputArgs(o)
            }),
            (any::<u32>(), text()).prop_map(|(code, msg)| {
                let mut f = CommandFailure::default();
                f.err_code = ErrorCode::new(code);
                f.err_msg = msg.into();
                OperationResp::CmdFailure(f)
            }),
        ];
        let result = (text(), proptest::option::of(outcome)).prop_map(|(cmd, outcome)| {
            let mut r = OperationResult::default();
            r.executed_command = cmd.into();
            r.operation_resp = outcome;
            r
        });
        prop::collection::vec(result, 0..3).prop_map(|results| {
            let mut o = OperateResp::default();
            o.operation_results = results;
            Response::OperateResp(o)
        })
    }

    pub(super) fn msg() -> impl Strategy<Value = Msg<'static>> {
        let body = prop_oneof![
            get().prop_map(Body::Request),
            set().prop_map(Body::Request),
            notify().prop_map(Body::Request),
            get_resp().prop_map(Body::Response),
            operate_resp().prop_map(Body::Response),
            (any::<u32>(), text()).prop_map(|(code, msg)| {
                let mut e = UspError::default();
                e.err_code = ErrorCode::new(code);
                e.err_msg = msg.into();
                Body::Error(e)
            }),
        ];
        ("[a-z0-9-]{1,10}", body).prop_map(|(id, body)| Msg::new(id, body))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn messages_round_trip_through_json(msg in strategies::msg(), proto_names in any::<bool>(), pretty in any::<bool>()) {
        let options = JsonOptions::default().preserving_proto_field_names(proto_names).pretty(pretty);
        let value = json::msg_to_value(&msg, &options);
        let back = json::msg_from_value(&value, &JsonOptions::default()).unwrap();
        // Maps come back in the JSON object's order; everything else is identical.
        prop_assert!(same_msg(&back.encode_to_vec(), &msg.encode_to_vec()));
        prop_assert_eq!(json::msg_to_value(&back, &options), value.clone());
        let text = json::msg_to_string(&msg, &options);
        prop_assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
        let back = json::msg_from_str(&text, &JsonOptions::default()).unwrap();
        prop_assert!(same_msg(&back.encode_to_vec(), &msg.encode_to_vec()));
    }
}
