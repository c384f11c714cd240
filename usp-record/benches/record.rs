//! Record decode and encode benchmarks: `usp-record` against `rusp-lib` 1.0.1, in the same
//! run and on the same bytes.
//!
//! Two Records:
//!
//! * `get-resp-4k`: a `no_session_context` Record from `os::012345-obuspa-peer` to
//!   `self::py-controller` (version 1.3) carrying a GetResp of 150 parameters over 15
//!   `Device.WiFi.SSID.{i}.` objects (4 KiB), encoded here with `usp-proto`'s prost types.
//!   (10 objects of realistic parameters only make 2.7 KiB.)
//! * `e2e-seg1`: the first segment of a segmented GetResp captured from obuspa 11.0.4
//!   (`session_context`, 503 bytes, `fixtures/obuspa-sample`).
//!
//! Groups, each with the Record's length as throughput, and one benchmark per library and
//! Record (`decode/usp-record/get-resp-4k`, ...):
//!
//! * `decode`: bytes to Record.
//! * `decode+payload`: bytes to Record, then the payload as an owned buffer (what a
//!   receiver hands to the Message decoder).
//! * `encode`: a decoded Record back to a new buffer.
//! * `build+encode` (`get-resp-4k` only): endpoint IDs and an encoded Message, owned by the
//!   caller, to a new Record buffer.
//!
//! Before measuring, the bench checks that both libraries decode the same fields and encode
//! back the exact input bytes, so both do the same work.
//!
//! ```text
//! cargo bench -p usp-record --bench record -- --warm-up-time 1 --measurement-time 3
//! ```

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;

use bytes::Bytes;
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use prost::Message as _;
use rusp_lib::usp_builder::RecordBuilder;
use rusp_lib::usp_decoder::try_decode_record;
use rusp_lib::usp_record as rusp;
use usp_proto::msg::{Body, GetResp, Header, Msg, Response, body, get_resp, header, response};
use usp_record::{Record, RecordKind, SarState};
use usp_types::{EndpointId, UspVersion};

const AGENT: &str = "os::012345-obuspa-peer";
const CONTROLLER: &str = "self::py-controller";

/// A Record under test: its name and its encoded bytes.
struct Case {
    name: &'static str,
    wire: Bytes,
}

/// The parameters of one `Device.WiFi.SSID.{i}.` object, as an agent reports them.
fn ssid_params(i: usize) -> HashMap<String, String> {
    let mac = format!("00:25:6D:1A:{:02X}:{:02X}", 0x30 + i, 0x10 + 3 * i);
    let band = if i.is_multiple_of(2) { "2G" } else { "5G" };
    [
        ("Enable", "true".to_owned()),
        ("Status", if i <= 12 { "Up" } else { "Down" }.to_owned()),
        ("Alias", format!("cpe-ssid-{i}")),
        ("Name", format!("wl{}.{}", (i - 1) % 2, (i - 1) / 2)),
        ("LastChange", (86_400 + 731 * i).to_string()),
        (
            "LowerLayers",
            format!("Device.WiFi.Radio.{}.", 1 + (i - 1) % 2),
        ),
        ("BSSID", mac.clone()),
        ("MACAddress", mac),
        ("SSID", format!("HomeNetwork-{band}-{i:02}")),
        ("Upstream", "false".to_owned()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect()
}

/// An encoded GetResp for `Device.WiFi.SSID.` resolving to 15 objects of 10 parameters.
fn get_resp_msg() -> Vec<u8> {
    let resolved_path_results = (1..=15)
        .map(|i| get_resp::ResolvedPathResult {
            resolved_path: format!("Device.WiFi.SSID.{i}."),
            result_params: ssid_params(i),
        })
        .collect();
    let msg = Msg {
        header: Some(Header {
            msg_id: "py-get-wifi-ssid-0042".into(),
            msg_type: header::MsgType::GetResp as i32,
        }),
        body: Some(Body {
            msg_body: Some(body::MsgBody::Response(Response {
                resp_type: Some(response::RespType::GetResp(GetResp {
                    req_path_results: vec![get_resp::RequestedPathResult {
                        requested_path: "Device.WiFi.SSID.".into(),
                        err_code: 0,
                        err_msg: String::new(),
                        resolved_path_results,
                    }],
                })),
            })),
        }),
    };
    // The parameter order follows the HashMap's and so changes from run to run; both
    // libraries treat the payload as opaque bytes, so only its length matters here.
    msg.encode_to_vec()
}

fn ids() -> (EndpointId, EndpointId) {
    (
        CONTROLLER.parse().expect("valid to_id"),
        AGENT.parse().expect("valid from_id"),
    )
}

/// The GetResp Record, built with `usp-record`; checked against `rusp-lib`'s builder and
/// `usp-proto`'s prost types, which must give the same bytes.
fn get_resp_case(msg: &[u8]) -> Case {
    let (to, from) = ids();
    let ours = Record::no_session_context(to, from, Bytes::copy_from_slice(msg))
        .expect("non-empty payload")
        .with_version(UspVersion::V1_3)
        .to_bytes();

    let theirs = RecordBuilder::new()
        .with_version("1.3".into())
        .with_to_id(CONTROLLER.into())
        .with_from_id(AGENT.into())
        .with_no_session_context_payload_bytes(msg.to_vec())
        .build()
        .expect("rusp builds the Record")
        .to_vec()
        .expect("rusp encodes the Record");
    assert_eq!(
        ours[..],
        theirs[..],
        "usp-record and rusp-lib build the same Record"
    );

    let prost_record = usp_proto::record::Record {
        version: "1.3".into(),
        to_id: CONTROLLER.into(),
        from_id: AGENT.into(),
        record_type: Some(usp_proto::record::record::RecordType::NoSessionContext(
            usp_proto::record::NoSessionContextRecord {
                payload: Bytes::copy_from_slice(msg),
            },
        )),
        ..Default::default()
    };
    assert_eq!(ours[..], prost_record.encode_to_vec()[..], "prost agrees");

    assert!(
        (3900..4300).contains(&ours.len()),
        "about 4 KiB: {}",
        ours.len()
    );
    Case {
        name: "get-resp-4k",
        wire: ours,
    }
}

fn fixture_case(name: &'static str, file: &str) -> Case {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/obuspa-sample")
        .join(file);
    let wire = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Case {
        name,
        wire: Bytes::from(wire),
    }
}

fn sar(state: SarState) -> rusp::mod_SessionContextRecord::PayloadSARState {
    use rusp::mod_SessionContextRecord::PayloadSARState as R;
    match state {
        SarState::None => R::NONE,
        SarState::Begin => R::BEGIN,
        SarState::InProcess => R::INPROCESS,
        SarState::Complete => R::COMPLETE,
        other => panic!("unexpected SAR state {other}"),
    }
}

/// Both libraries decode `case` to the same fields and encode it back byte for byte.
fn check_same(case: &Case) {
    let ours = Record::decode(case.wire.clone()).expect("usp-record decodes");
    let theirs = try_decode_record(&case.wire).expect("rusp-lib decodes");

    assert_eq!(ours.version().to_string(), theirs.version);
    assert_eq!(ours.to_id().as_str(), theirs.to_id);
    assert_eq!(ours.from_id().as_str(), theirs.from_id);
    assert_eq!(
        ours.payload_security().as_i32(),
        theirs.payload_security as i32
    );
    assert_eq!(ours.mac_signature()[..], theirs.mac_signature[..]);
    assert_eq!(ours.sender_cert()[..], theirs.sender_cert[..]);
    assert_eq!(ours.originator_id(), None);
    assert_eq!(ours.destination_id(), None);
    match (ours.kind(), &theirs.record_type) {
        (
            RecordKind::NoSessionContext { payload },
            rusp::mod_Record::OneOfrecord_type::no_session_context(r),
        ) => assert_eq!(payload[..], r.payload[..]),
        (
            RecordKind::SessionContext(ctx),
            rusp::mod_Record::OneOfrecord_type::session_context(r),
        ) => {
            assert_eq!(ctx.session_id(), r.session_id);
            assert_eq!(ctx.sequence_id(), r.sequence_id);
            assert_eq!(ctx.expected_id(), r.expected_id);
            assert_eq!(ctx.retransmit_id(), r.retransmit_id);
            assert_eq!(sar(ctx.payload_sar_state()), r.payload_sar_state);
            assert_eq!(sar(ctx.payloadrec_sar_state()), r.payloadrec_sar_state);
            let pieces: Vec<Bytes> = ctx.payload().collect();
            assert_eq!(pieces, r.payload);
        }
        (ours, theirs) => panic!("record types differ: {} vs {theirs:?}", ours.name()),
    }
    assert_eq!(ours_payload(&ours)[..], rusp_payload(theirs.clone())[..]);

    assert_eq!(ours.encoded_len(), case.wire.len());
    assert_eq!(
        ours.to_bytes(),
        case.wire,
        "usp-record encodes the input back"
    );
    assert_eq!(
        theirs.to_vec().expect("rusp-lib encodes")[..],
        case.wire[..],
        "rusp-lib encodes the input back"
    );
}

/// The payload of a decoded Record as one buffer (shares the input).
fn ours_payload(record: &Record) -> Bytes {
    match record.kind() {
        RecordKind::NoSessionContext { payload } => payload.clone(),
        RecordKind::SessionContext(ctx) => ctx.payload_joined(),
        _ => Bytes::new(),
    }
}

/// The payload of a decoded Record as one buffer, moved out of it (copied only when a
/// session context Record has several pieces).
fn rusp_payload(record: rusp::Record) -> Vec<u8> {
    match record.record_type {
        rusp::mod_Record::OneOfrecord_type::no_session_context(r) => r.payload,
        rusp::mod_Record::OneOfrecord_type::session_context(mut r) => {
            if r.payload.len() == 1 {
                r.payload.pop().unwrap_or_default()
            } else {
                r.payload.concat()
            }
        }
        _ => Vec::new(),
    }
}

fn cases() -> Vec<Case> {
    let cases = vec![
        get_resp_case(&get_resp_msg()),
        fixture_case("e2e-seg1", "e2e-04-e2e-get-controller-resp.seg1.record.bin"),
    ];
    for case in &cases {
        check_same(case);
        eprintln!(
            "{}: {} bytes, both libraries agree",
            case.name,
            case.wire.len()
        );
    }
    cases
}

fn decode(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("decode");
    for case in cases {
        group.throughput(Throughput::Bytes(case.wire.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("usp-record", case.name),
            &case.wire,
            |b, wire| b.iter(|| Record::decode(black_box(wire.clone())).expect("decodes")),
        );
        group.bench_with_input(
            BenchmarkId::new("rusp-lib", case.name),
            &case.wire[..],
            |b, wire| b.iter(|| try_decode_record(black_box(wire)).expect("decodes")),
        );
    }
    group.finish();
}

fn decode_payload(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("decode+payload");
    for case in cases {
        group.throughput(Throughput::Bytes(case.wire.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("usp-record", case.name),
            &case.wire,
            |b, wire| {
                b.iter(|| {
                    let record = Record::decode(black_box(wire.clone())).expect("decodes");
                    ours_payload(&record)
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("rusp-lib", case.name),
            &case.wire[..],
            |b, wire| {
                b.iter(|| rusp_payload(try_decode_record(black_box(wire)).expect("decodes")));
            },
        );
    }
    group.finish();
}

fn encode(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("encode");
    for case in cases {
        group.throughput(Throughput::Bytes(case.wire.len() as u64));
        let ours = Record::decode(case.wire.clone()).expect("decodes");
        group.bench_with_input(
            BenchmarkId::new("usp-record", case.name),
            &ours,
            |b, record| b.iter(|| black_box(record).to_bytes()),
        );
        let theirs = try_decode_record(&case.wire).expect("decodes");
        group.bench_with_input(
            BenchmarkId::new("rusp-lib", case.name),
            &theirs,
            |b, record| b.iter(|| black_box(record).to_vec().expect("encodes")),
        );
    }
    group.finish();
}

/// From caller-owned endpoint IDs and an encoded Message to Record bytes. The inputs are
/// made outside the timed part, in each library's own types.
fn build_encode(c: &mut Criterion, case: &Case) {
    let record = Record::decode(case.wire.clone()).expect("decodes");
    let msg = ours_payload(&record);
    let (to, from) = ids();

    let mut group = c.benchmark_group("build+encode");
    group.throughput(Throughput::Bytes(case.wire.len() as u64));
    group.bench_function(BenchmarkId::new("usp-record", case.name), |b| {
        b.iter_batched(
            || (to.clone(), from.clone(), Bytes::from(msg.to_vec())),
            |(to, from, msg)| {
                Record::no_session_context(to, from, msg)
                    .expect("non-empty payload")
                    .with_version(UspVersion::V1_3)
                    .to_bytes()
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function(BenchmarkId::new("rusp-lib", case.name), |b| {
        b.iter_batched(
            || (CONTROLLER.to_owned(), AGENT.to_owned(), msg.to_vec()),
            |(to, from, msg)| {
                RecordBuilder::new()
                    .with_version("1.3".into())
                    .with_to_id(to)
                    .with_from_id(from)
                    .with_no_session_context_payload_bytes(msg)
                    .build()
                    .expect("builds")
                    .to_vec()
                    .expect("encodes")
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let cases = cases();
    decode(c, &cases);
    decode_payload(c, &cases);
    encode(c, &cases);
    build_encode(c, &cases[0]);
}

criterion_group!(record, benches);
criterion_main!(record);
