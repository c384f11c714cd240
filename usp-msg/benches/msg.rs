//! Message decode and encode against rusp-lib, in the same run, on the same bytes.
//!
//! Cases: a GetResp with 100 parameters over 10 resolved paths, the Boot! Notify captured
//! from obuspa, and a Set with 20 parameters. Before timing, both libraries must decode the
//! same content and our encoding must give back the input bytes.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use prost::Message as _;
use usp_proto::msg as pb;

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
fn get_resp_100() -> Vec<u8> {
    let resolved = (1..=10)
        .map(|i| pb::get_resp::ResolvedPathResult {
            resolved_path: format!("Device.WiFi.SSID.{i}."),
            result_params: [
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
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<HashMap<_, _>>(),
        })
        .collect();
    msg(
        "py-get-wifi-ssid-0042",
        pb::header::MsgType::GetResp,
        pb::body::MsgBody::Response(pb::Response {
            resp_type: Some(pb::response::RespType::GetResp(pb::GetResp {
                req_path_results: vec![pb::get_resp::RequestedPathResult {
                    requested_path: "Device.WiFi.SSID.".into(),
                    resolved_path_results: resolved,
                    ..Default::default()
                }],
            })),
        }),
    )
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

fn bench(c: &mut Criterion) {
    let cases = [
        ("get-resp-100", get_resp_100()),
        ("notify-boot", notify_boot()),
        ("set-20", set_20()),
    ];
    for (name, wire) in &cases {
        // Like with like: both decode the same bytes, ours re-encodes them byte for byte,
        // and rusp's encoding (its map order and empty-value handling differ) reads back
        // with ours as the same Message.
        let ours = usp_msg::Msg::decode(wire).unwrap();
        assert_eq!(&ours.encode_to_vec(), wire, "{name}");
        let theirs = rusp_lib::usp_decoder::try_decode_msg(wire).unwrap();
        let rusp_wire = theirs.to_vec().unwrap();
        let back = usp_msg::Msg::decode(&rusp_wire).unwrap();
        assert_eq!(
            (back.msg_id(), back.msg_type()),
            (ours.msg_id(), ours.msg_type()),
            "{name}"
        );

        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.throughput(Throughput::Bytes(wire.len() as u64));
        group.bench_function(BenchmarkId::from_parameter("usp-msg"), |b| {
            b.iter(|| usp_msg::Msg::decode(black_box(wire)).unwrap())
        });
        group.bench_function(BenchmarkId::from_parameter("rusp-lib"), |b| {
            b.iter(|| rusp_lib::usp_decoder::try_decode_msg(black_box(wire)).unwrap())
        });
        group.finish();

        let mut group = c.benchmark_group(format!("encode/{name}"));
        group.throughput(Throughput::Bytes(wire.len() as u64));
        group.bench_function(BenchmarkId::from_parameter("usp-msg"), |b| {
            b.iter(|| black_box(&ours).encode_to_vec())
        });
        group.bench_function(BenchmarkId::from_parameter("rusp-lib"), |b| {
            b.iter(|| black_box(&theirs).to_vec().unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
