//! The quickstart: what a USP Controller and Agent put on the wire, built, encoded, decoded
//! and printed.
//!
//! ```text
//! cargo run -p usp-examples --bin quickstart
//! ```
//!
//! A Controller asks an Agent for `Device.DeviceInfo.` inside a Record, then both ends of a
//! segmented E2E exchange are shown. (The agent/controller demo over a real loopback
//! transport replaces this program once the endpoint layer lands.)

use bytes::Bytes;
use prost::Message as _;
use usp_proto::msg::{
    Body, Get, Header, Msg, Request, body::MsgBody, header::MsgType, request::ReqType,
};
use usp_record::{MqttVersion, Record, RecordKind, SarState, SessionContext};
use usp_types::{EndpointId, UspVersion};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn describe(record: &Record) -> String {
    let head = format!(
        "Record v{} {} -> {} [{}]",
        record.version(),
        record.from_id(),
        record.to_id(),
        record.kind().name()
    );
    match record.kind() {
        RecordKind::NoSessionContext { payload } => {
            format!("{head} payload {} bytes", payload.len())
        }
        RecordKind::SessionContext(ctx) => format!(
            "{head} session {} seq {} expects {} sar {}/{} payload {} bytes",
            ctx.session_id(),
            ctx.sequence_id(),
            ctx.expected_id(),
            ctx.payload_sar_state(),
            ctx.payloadrec_sar_state(),
            ctx.payload_len()
        ),
        RecordKind::MqttConnect(c) => {
            format!(
                "{head} MQTT {} reachable at {:?}",
                c.version(),
                c.subscribed_topic()
            )
        }
        _ => head,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let controller: EndpointId = "self::quickstart-controller".parse()?;
    let agent: EndpointId = "os::00256D-0123456789".parse()?;
    println!(
        "controller {controller}, agent {agent} (urn {})\n",
        agent.to_urn()
    );

    // 1. The agent announces itself on a fresh MQTT connection.
    let connect = Record::mqtt_connect(
        controller.clone(),
        agent.clone(),
        MqttVersion::V5,
        "usp/agent/0123456789",
    )?;
    println!("agent -> {}", describe(&connect));

    // 2. The controller sends a Get inside a NoSessionContext Record.
    let get = Msg {
        header: Some(Header {
            msg_id: "quickstart-1".into(),
            msg_type: MsgType::Get as i32,
        }),
        body: Some(Body {
            msg_body: Some(MsgBody::Request(Request {
                req_type: Some(ReqType::Get(Get {
                    param_paths: vec!["Device.DeviceInfo.".into()],
                    max_depth: 0,
                })),
            })),
        }),
    };
    let request =
        Record::no_session_context(agent.clone(), controller.clone(), get.encode_to_vec())?
            .with_version(UspVersion::V1_4);
    let wire = request.to_bytes();
    println!(
        "controller -> {}\n  wire ({} bytes): {}",
        describe(&request),
        wire.len(),
        hex(&wire)
    );

    // 3. The agent decodes it; the payload shares the received buffer.
    let received = Record::decode(wire)?;
    received.check_addressing(&agent)?;
    let msg = Msg::decode(
        received
            .no_session_context_payload()
            .cloned()
            .unwrap_or_default(),
    )?;
    println!("agent <- {}\n  message: {msg:?}\n", describe(&received));

    // 4. Inside an E2E session, a large response travels in segments.
    let big = Bytes::from(vec![b'x'; 1000]);
    let segments = [
        (SarState::Begin, big.slice(..400)),
        (SarState::InProcess, big.slice(400..800)),
        (SarState::Complete, big.slice(800..)),
    ];
    let mut reassembled = Vec::new();
    for (i, (state, piece)) in segments.into_iter().enumerate() {
        let seq = i as u64 + 1;
        let ctx = SessionContext::new(2, seq, 1)
            .with_sar_state(state, state)
            .with_payload(piece);
        let record = Record::session_context(controller.clone(), agent.clone(), ctx)?;
        let back = Record::decode(record.to_bytes())?;
        println!("agent -> {}", describe(&back));
        if let Some(ctx) = back.session_context_fields() {
            reassembled.extend_from_slice(&ctx.payload_joined());
        }
    }
    println!(
        "reassembled {} bytes, equal to the original: {}",
        reassembled.len(),
        reassembled == big
    );

    // 5. Garbage gets a typed error with the USP error code to report.
    match Record::decode(Bytes::from_static(b"\x0a\xff\xff\xff\xff\x0f")) {
        Ok(record) => println!("unexpected: {}", describe(&record)),
        Err(e) => println!("\ngarbage -> error {}: {e}", e.code()),
    }
    Ok(())
}
