//! The Messages both the criterion benchmark (`benches/msg.rs`) and the instruction-count
//! harness (`examples/decode_ir.rs`) measure, encoded by prost so that neither library under
//! test builds its own input.

use std::collections::HashMap;

use prost::Message as _;
use usp_proto::msg as pb;

/// The name of every case.
pub(crate) const NAMES: [&str; 3] = ["get-resp-100", "notify-boot", "set-20"];

/// Every case: its name and its encoded Message.
#[allow(dead_code)] // not used by every program that includes this module
pub(crate) fn all() -> [(&'static str, Vec<u8>); 3] {
    NAMES.map(|name| (name, by_name(name).unwrap_or_default()))
}

/// The encoded Message of the case `name`.
pub(crate) fn by_name(name: &str) -> Option<Vec<u8>> {
    match name {
        "get-resp-100" => Some(get_resp_100()),
        "notify-boot" => Some(notify_boot()),
        "set-20" => Some(set_20()),
        _ => None,
    }
}

fn msg(msg_id: &str, msg_type: pb::header::MsgType, body: pb::body::MsgBody) -> Vec<u8> {
    pb::Msg {
        header: Some(pb::Header {
            msg_id: msg_id.into(),
            msg_type: msg_type as i32,
        }),
        body: Some(pb::Body {
            msg_body: Some(body),
        }),
    }
    .encode_to_vec()
}

/// `Device.WiFi.SSID.{1..10}.` with 10 parameters each, as an agent reports them.
///
/// prost writes a map in the order of its `HashMap`, which changes from run to run; so that
/// every run measures the same bytes, each `ResolvedPathResult` is written as the
/// concatenation of prost encodings holding one entry each (protobuf merges them into one
/// message), and the levels above it are length-prefixed here.
fn get_resp_100() -> Vec<u8> {
    let mut requested = pb::get_resp::RequestedPathResult {
        requested_path: "Device.WiFi.SSID.".into(),
        ..Default::default()
    }
    .encode_to_vec();
    for i in 1..=10 {
        let params = [
            ("Enable", "true".to_owned()),
            ("Status", "Up".to_owned()),
            ("Alias", format!("cpe-ssid-{i}")),
            ("Name", format!("wl{}.{}", (i - 1) % 2, (i - 1) / 2)),
            ("LastChange", (86_400 + 731 * i).to_string()),
            (
                "LowerLayers",
                format!("Device.WiFi.Radio.{}.", 1 + (i - 1) % 2),
            ),
            (
                "BSSID",
                format!("00:25:6D:1A:{:02X}:{:02X}", 0x30 + i, 0x10 + 3 * i),
            ),
            (
                "MACAddress",
                format!("00:25:6D:1A:{:02X}:{:02X}", 0x30 + i, 0x10 + 3 * i),
            ),
            ("SSID", format!("HomeNetwork-{i:02}")),
            ("Upstream", "false".to_owned()),
        ];
        let mut resolved = Vec::new();
        for (n, (key, value)) in params.into_iter().enumerate() {
            pb::get_resp::ResolvedPathResult {
                resolved_path: if n == 0 {
                    format!("Device.WiFi.SSID.{i}.")
                } else {
                    String::new()
                },
                result_params: HashMap::from([(key.to_owned(), value)]),
            }
            .encode(&mut resolved)
            .unwrap();
        }
        requested.extend(len_field(4, &resolved));
    }
    let get_resp = len_field(1, &requested);
    let response = len_field(1, &get_resp);
    let body = len_field(2, &response);
    let header = pb::Header {
        msg_id: "py-get-wifi-ssid-0042".into(),
        msg_type: pb::header::MsgType::GetResp as i32,
    }
    .encode_to_vec();
    [len_field(1, &header), len_field(2, &body)].concat()
}

/// Field `number` holding the message `body`, with prost's key and length encoders.
fn len_field(number: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    prost::encoding::encode_key(number, prost::encoding::WireType::LengthDelimited, &mut out);
    prost::encoding::encode_varint(body.len() as u64, &mut out);
    out.extend_from_slice(body);
    out
}

/// The Boot! event obuspa sent in the captured sample.
fn notify_boot() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/obuspa-sample/02-notify-event-boot.record.bin"
    );
    let record = usp_record::Record::decode(std::fs::read(path).unwrap().into()).unwrap();
    record.no_session_context_payload().unwrap().to_vec()
}

/// A Set of 20 parameters over 4 objects.
fn set_20() -> Vec<u8> {
    let update_objs = (1..=4)
        .map(|i| pb::set::UpdateObject {
            obj_path: format!("Device.WiFi.AccessPoint.{i}.Security."),
            param_settings: [
                "ModeEnabled",
                "KeyPassphrase",
                "RekeyingInterval",
                "MFPConfig",
                "SAEPassphrase",
            ]
            .iter()
            .map(|p| pb::set::UpdateParamSetting {
                param: (*p).into(),
                value: format!("value-of-{p}-{i}"),
                required: true,
            })
            .collect(),
        })
        .collect();
    msg(
        "set-0001",
        pb::header::MsgType::Set,
        pb::body::MsgBody::Request(pb::Request {
            req_type: Some(pb::request::ReqType::Set(pb::Set {
                allow_partial: false,
                update_objs,
            })),
        }),
    )
}
