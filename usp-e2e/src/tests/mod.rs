//! Tests driven through the two-peer harness, one per requirement of the specification
//! (and per TP-469 section 3 case where one exists).

mod pair;
mod proptests;

use std::time::Duration;

use bytes::Bytes;
use usp_record::{PayloadSecurity, Record, RecordKind, SarState, SessionContext as Fields};
use usp_types::ErrorCode;

use self::pair::{Pair, agent, controller};
use crate::{E2eError, Event, SEQUENCE_MARGIN, SessionConfig};

fn fields(r: &Record) -> &Fields {
    r.session_context_fields()
        .expect("a session_context Record")
}

fn config() -> SessionConfig {
    SessionConfig::default()
}

/// A Record from the controller (side b) to the agent (side a).
fn from_controller(f: Fields) -> Record {
    Record::session_context(agent(), controller(), f).unwrap()
}

#[test]
fn tp469_3_8_establishing_a_session_context() {
    let mut p = Pair::new(config());
    p.send_b(&b"get"[..]);
    p.drive();
    p.send_a(&b"get-resp"[..]);
    p.drive();
    let request = fields(&p.b.sent[0]);
    let response = fields(&p.a.sent[0]);
    // R-E2E.3: greater than 1; the answer uses the same session_id and starts at 1 (R-E2E.4).
    assert!(request.session_id() > 1);
    assert_eq!(response.session_id(), request.session_id());
    assert_eq!(response.sequence_id(), 1);
    assert_eq!(
        p.a.events[0],
        Event::Started {
            session_id: request.session_id(),
            by_peer: true
        }
    );
    assert_eq!(p.a.messages(), [Bytes::from_static(b"get")]);
    assert_eq!(p.b.messages(), [Bytes::from_static(b"get-resp")]);
}

#[test]
fn r_e2e_5_simultaneous_starts_converge_on_one_session() {
    let mut p = Pair::new(config());
    p.send_a(&b"from a"[..]);
    p.send_b(&b"from b"[..]);
    p.drive();
    // One session: the larger identifier (the controller's, seeded 2000) wins.
    assert_eq!(p.a.session.session_id(), p.b.session.session_id());
    assert_eq!(p.a.messages(), [Bytes::from_static(b"from b")]);
    // The agent's Message went out in the session that lost; it is handed back, not
    // silently repeated, and the application sends it again.
    assert!(
        p.a.events
            .contains(&Event::Unacknowledged(vec![Bytes::from_static(b"from a")]))
    );
    p.send_a(&b"from a"[..]);
    p.drive();
    assert_eq!(p.b.messages(), [Bytes::from_static(b"from a")]);
}

#[test]
fn r_e2e_6_a_new_session_id_restarts_the_context() {
    let mut p = Pair::new(config());
    p.send_b(&b"one"[..]);
    p.drive();
    let first = p.a.session.session_id().unwrap();
    // The controller restarts with another identifier and sequence 1.
    let restart = from_controller(Fields::new(first + 100, 1, 1).with_payload(&b"two"[..]));
    p.a.session.handle_record(p.now, restart).unwrap();
    assert_eq!(p.a.session.session_id(), Some(first + 100));
    p.send_a(&b"answer"[..]);
    let answer = p.a.session.poll_transmit().unwrap();
    assert_eq!(
        (fields(&answer).session_id(), fields(&answer).sequence_id()),
        (first + 100, 1)
    );
}

#[test]
fn r_e2e_6a_sessions_not_allowed_answer_disconnect_7106() {
    let mut refuse = config();
    refuse.allowed(false);
    let mut p = Pair::with_configs(refuse, config());
    p.send_b(&b"get"[..]);
    let record = p.take_wire().pop_front().unwrap();
    assert_eq!(
        p.a.session.handle_record(p.now, record),
        Err(E2eError::NotAllowed)
    );
    match p.a.session.poll_transmit().unwrap().kind() {
        RecordKind::Disconnect(d) => {
            assert_eq!(d.reason_code(), ErrorCode::SESSION_CONTEXT_NOT_ALLOWED)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn r_e2e_6b_closing_sends_disconnect_7105_and_the_peer_is_told() {
    let mut p = Pair::new(config());
    p.send_b(&b"get"[..]);
    p.drive();
    p.a.session.close(p.now, "maintenance");
    p.drive();
    assert!(p.b.events.iter().any(|e| matches!(e, Event::Disconnected { code, .. } if *code == ErrorCode::SESSION_CONTEXT_TERMINATED)));
    assert!(!p.b.session.is_established());
    assert_eq!(
        p.a.session.send(p.now, Bytes::from_static(b"x")),
        Err(E2eError::Closed)
    );
}

#[test]
fn tp469_3_10_r_e2e_7_an_idle_session_expires_and_a_new_one_starts() {
    let mut c = config();
    c.session_expiration(Duration::from_secs(60));
    let mut p = Pair::new(c);
    p.send_b(&b"one"[..]);
    p.drive_for(Duration::from_secs(1));
    let first = p.b.session.session_id().unwrap();
    p.drive_for(Duration::from_secs(61));
    assert!(
        p.b.events
            .iter()
            .any(|e| *e == Event::Expired { session_id: first })
    );
    p.send_b(&b"two"[..]);
    p.drive_for(Duration::from_secs(1));
    let second = p.b.session.session_id().unwrap();
    assert_ne!(second, first);
    assert_eq!(
        p.a.messages(),
        [Bytes::from_static(b"one"), Bytes::from_static(b"two")]
    );
}

#[test]
fn r_e2e_8_a_received_sequence_near_the_maximum_restarts() {
    let mut p = Pair::new(config());
    p.send_b(&b"one"[..]);
    p.drive();
    let sid = p.a.session.session_id().unwrap();
    let near =
        from_controller(Fields::new(sid, u64::MAX - SEQUENCE_MARGIN, 1).with_payload(&b"x"[..]));
    assert_eq!(
        p.a.session.handle_record(p.now, near),
        Err(E2eError::SequenceExhausted)
    );
    assert!(!p.a.session.is_established());
}

#[test]
fn tp469_3_11_r_e2e_14_15_17_sequence_and_expected_ids() {
    let mut p = Pair::new(config());
    for m in ["a", "b", "c"] {
        p.send_b(m.as_bytes().to_vec());
    }
    p.drive();
    p.send_a(&b"resp"[..]);
    p.drive();
    let seqs: Vec<u64> = p.b.sent.iter().map(|r| fields(r).sequence_id()).collect();
    assert_eq!(seqs, [1, 2, 3]);
    // The agent's first Record expects the controller's fourth.
    assert_eq!(fields(&p.a.sent[0]).expected_id(), 4);
}

#[test]
fn tp469_3_12_r_e2e_16_records_are_kept_until_acknowledged_and_resent_identically() {
    let mut p = Pair::new(config());
    p.send_b(&b"get"[..]);
    p.drive();
    p.send_a(&b"get-resp"[..]);
    p.drive();
    assert_eq!(p.a.session.unacknowledged(), 1);
    let original = p.a.sent[0].to_bytes();
    // 60 s later the controller asks for the agent's Record 1 again.
    p.drive_for(Duration::from_secs(60));
    let sid = p.a.session.session_id().unwrap();
    let ask = from_controller(Fields::new(sid, 2, 1).with_retransmit_id(1));
    p.a.session.handle_record(p.now, ask).unwrap();
    let resent = p.a.session.poll_transmit().unwrap();
    assert_eq!(resent.to_bytes(), original, "byte for byte");
    assert!(
        p.a.session.poll_transmit().is_none(),
        "sent exactly twice in all"
    );
    // Acknowledging (expected_id 2) releases it.
    let ack = from_controller(Fields::new(sid, 3, 2).with_payload(&b"next"[..]));
    p.a.session.handle_record(p.now, ack).unwrap();
    assert_eq!(p.a.session.unacknowledged(), 0);
}

#[test]
fn tp469_3_13_r_e2e_19_another_payload_security_fails_the_session() {
    let mut p = Pair::new(config());
    p.send_b(&b"get"[..]);
    p.drive();
    let sid = p.a.session.session_id().unwrap();
    let tls = from_controller(Fields::new(sid, 2, 1).with_payload(&b"x"[..]))
        .with_payload_security(PayloadSecurity::Tls12);
    assert_eq!(
        p.a.session.handle_record(p.now, tls),
        Err(E2eError::PayloadSecurityChanged)
    );
    assert!(!p.a.session.is_established());
    assert_eq!(
        p.a.messages(),
        [Bytes::from_static(b"get")],
        "the Record was not processed"
    );
}

#[test]
fn tp469_3_14_the_third_retransmit_request_starts_a_new_session() {
    let mut c = config();
    c.max_retransmit_tries(2);
    let mut p = Pair::new(c);
    p.send_b(&b"set"[..]);
    p.drive();
    p.send_a(&b"set-resp"[..]);
    p.drive();
    let sid = p.a.session.session_id().unwrap();
    for (i, seq) in [2u64, 3].into_iter().enumerate() {
        let ask = from_controller(Fields::new(sid, seq, 1).with_retransmit_id(1));
        p.a.session.handle_record(p.now, ask).unwrap();
        assert!(
            p.a.session.poll_transmit().is_some(),
            "retransmission {}",
            i + 1
        );
    }
    let third = from_controller(Fields::new(sid, 4, 1).with_retransmit_id(1));
    assert_eq!(
        p.a.session.handle_record(p.now, third),
        Err(E2eError::RetransmitFailed(1))
    );
    assert!(p.a.session.poll_transmit().is_none());
    // The response is handed back to the application, and after the R-E2E.10 wait a new
    // session starts with an empty Record.
    let mut events = std::iter::from_fn(|| p.a.session.poll_event());
    assert!(events.any(|e| e == Event::Unacknowledged(vec![Bytes::from_static(b"set-resp")])));
    p.drive_for(Duration::from_secs(11));
    let last = p.a.sent.last().unwrap();
    assert_ne!(fields(last).session_id(), sid);
    assert_eq!(fields(last).sequence_id(), 1);
    assert_eq!(fields(last).payload_len(), 0);
}

#[test]
fn tp469_3_15_r_e2e_25_duplicates_are_ignored() {
    let mut p = Pair::new(config());
    p.send_b(&b"get"[..]);
    let record = p.take_wire().pop_front().unwrap();
    for _ in 0..4 {
        p.a.session.handle_record(p.now, record.clone()).unwrap();
    }
    let mut messages = 0;
    while let Some(e) = p.a.session.poll_event() {
        messages += usize::from(matches!(e, Event::Message(_)));
    }
    assert_eq!(messages, 1);
}

#[test]
fn r_e2e_20_out_of_order_records_are_buffered_and_delivered_in_order() {
    let mut p = Pair::new(config());
    for m in ["1", "2", "3", "4"] {
        p.send_b(m.as_bytes().to_vec());
    }
    let mut wire = p.take_wire();
    let order = [3, 1, 0, 2];
    let records: Vec<Record> = wire.drain(..).collect();
    for i in order {
        p.a.session
            .handle_record(p.now, records[i].clone())
            .unwrap();
    }
    let got: Vec<Bytes> = std::iter::from_fn(|| p.a.session.poll_event())
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(
        got,
        ["1", "2", "3", "4"].map(|s| Bytes::from(s.as_bytes().to_vec()))
    );
}

#[test]
fn r_e2e_20_a_gap_is_filled_by_a_retransmit_request() {
    let mut p = Pair::new(config());
    for m in ["1", "2", "3"] {
        p.send_b(m.as_bytes().to_vec());
    }
    let mut wire = p.take_wire();
    let _lost = wire.pop_front();
    for r in wire {
        p.a.session.handle_record(p.now, r).unwrap();
    }
    p.drive();
    assert_eq!(
        p.a.messages(),
        ["1", "2", "3"].map(|s| Bytes::from(s.as_bytes().to_vec()))
    );
    assert!(p.a.sent.iter().any(|r| fields(r).retransmit_id() == 1));
}

#[test]
fn r_e2e_21_a_request_for_an_unknown_record_restarts() {
    let mut p = Pair::new(config());
    p.send_b(&b"get"[..]);
    p.drive();
    let sid = p.a.session.session_id().unwrap();
    let ask = from_controller(Fields::new(sid, 2, 1).with_retransmit_id(42));
    assert_eq!(
        p.a.session.handle_record(p.now, ask),
        Err(E2eError::RetransmitFailed(42))
    );
    assert!(p.a.session.poll_event().into_iter().chain(std::iter::from_fn(|| p.a.session.poll_event())).any(
        |e| matches!(e, Event::Restarted { old_session_id, reason: E2eError::RetransmitFailed(42) } if old_session_id == sid)
    ));
}

#[test]
fn r_e2e_10_after_a_failure_the_next_session_waits_for_the_retry_interval() {
    let mut p = Pair::new(config());
    p.send_b(&b"get"[..]);
    p.drive();
    let sid = p.a.session.session_id().unwrap();
    let _ = p.a.session.handle_record(
        p.now,
        from_controller(Fields::new(sid, 2, 1).with_retransmit_id(9)),
    );
    p.a.session
        .send(p.now, Bytes::from_static(b"later"))
        .unwrap();
    assert!(
        p.a.session.poll_transmit().is_none(),
        "waits 5 to 10 s first"
    );
    let deadline = p.a.session.poll_timeout().unwrap();
    let wait = deadline - p.now;
    assert!(
        Duration::from_secs(5) <= wait && wait <= Duration::from_secs(10),
        "{wait:?}"
    );
    p.a.session.handle_timeout(deadline);
    let record = p.a.session.poll_transmit().unwrap();
    assert_eq!(fields(&record).sequence_id(), 1);
    assert_eq!(p.a.session.retry_count(), 1);
}

#[test]
fn segmentation_fits_every_record_and_uses_the_spec_states() {
    let mut c = config();
    c.max_record_size(Some(512)).unwrap();
    let mut p = Pair::new(c);
    let message = Bytes::from((0..5000u32).map(|i| (i % 251) as u8).collect::<Vec<_>>());
    p.send_a(message.clone());
    p.drive();
    assert!(p.a.sent.iter().all(|r| r.encoded_len() <= 512));
    let states: Vec<(SarState, SarState)> =
        p.a.sent
            .iter()
            .map(|r| {
                (
                    fields(r).payload_sar_state(),
                    fields(r).payloadrec_sar_state(),
                )
            })
            .collect();
    assert_eq!(states.first(), Some(&(SarState::Begin, SarState::Begin)));
    assert_eq!(
        states.last(),
        Some(&(SarState::Complete, SarState::Complete))
    );
    assert!(
        states[1..states.len() - 1]
            .iter()
            .all(|s| *s == (SarState::InProcess, SarState::InProcess))
    );
    // Records are filled: all but the last use at least 90% of the limit.
    assert!(
        p.a.sent[..p.a.sent.len() - 1]
            .iter()
            .all(|r| r.encoded_len() >= 460)
    );
    assert_eq!(p.b.messages(), [message]);
}

#[test]
fn a_message_that_fits_is_not_segmented() {
    let mut c = config();
    c.max_record_size(Some(512)).unwrap();
    let mut p = Pair::new(c);
    p.send_a(vec![7u8; 300]);
    p.drive();
    assert_eq!(p.a.sent.len(), 1);
    assert_eq!(fields(&p.a.sent[0]).payload_sar_state(), SarState::None);
}

#[test]
fn segments_captured_from_obuspa_reassemble() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/obuspa-sample/");
    let mut session = crate::SessionContext::new(
        "self::py-controller".parse().unwrap(),
        "os::012345-obuspa-peer".parse().unwrap(),
        std::sync::Arc::new(config()),
        5,
    );
    // The origin of virtual time; nothing else reads the clock.
    #[allow(clippy::disallowed_methods)]
    let now = std::time::Instant::now();
    // The agent's session: its Records 1 and 2 came before the capture's segments 3 to 6;
    // feed a stand-in for them first so that sequence 3 is the expected one.
    let first = Record::decode(
        std::fs::read(format!(
            "{dir}e2e-04-e2e-get-controller-resp.seg1.record.bin"
        ))
        .unwrap()
        .into(),
    )
    .unwrap();
    let sid = fields(&first).session_id();
    for seq in 1..=2 {
        let filler = Record::session_context(
            first.to_id().clone(),
            first.from_id().clone(),
            Fields::new(sid, seq, 1),
        )
        .unwrap()
        .with_version(first.version());
        session.handle_record(now, filler).unwrap();
    }
    for k in 1..=4 {
        let bytes = std::fs::read(format!(
            "{dir}e2e-04-e2e-get-controller-resp.seg{k}.record.bin"
        ))
        .unwrap();
        session
            .handle_record(now, Record::decode(bytes.into()).unwrap())
            .unwrap();
    }
    let json: String =
        std::fs::read_to_string(format!("{dir}e2e-04-e2e-get-controller-resp.seg4.json")).unwrap();
    let hex = json
        .split("\"reassembled_msg_hex\": \"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let expected: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let messages: Vec<Bytes> = std::iter::from_fn(|| session.poll_event())
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(messages, [Bytes::from(expected)]);
}

#[test]
fn reassembly_beyond_the_limit_fails_the_session() {
    let mut small = config();
    small.max_record_size(Some(300)).unwrap().limits(1000, 64);
    let mut p = Pair::with_configs(config(), small.clone());
    // The agent sends with 300-byte Records; the controller accepts 1000 bytes at most.
    p.a.session = crate::SessionContext::new(agent(), controller(), std::sync::Arc::new(small), 3);
    p.send_a(vec![1u8; 5000]);
    p.drive_for(Duration::from_secs(1));
    assert!(p.b.events.iter().any(|e| matches!(
        e,
        Event::Restarted {
            reason: E2eError::LimitExceeded(_),
            ..
        }
    )));
    assert!(p.b.messages().is_empty());
}

#[test]
fn out_of_order_buffer_is_bounded() {
    let mut c = config();
    c.limits(1 << 20, 4);
    let mut p = Pair::new(c);
    p.send_b(&b"1"[..]);
    p.drive();
    let sid = p.a.session.session_id().unwrap();
    let mut result = Ok(());
    for seq in 10..20 {
        result = p.a.session.handle_record(
            p.now,
            from_controller(Fields::new(sid, seq, 1).with_payload(&b"x"[..])),
        );
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(E2eError::LimitExceeded("out-of-order Records")));
}

#[test]
fn sar_state_violations_fail_the_session() {
    let mut p = Pair::new(config());
    p.send_b(&b"1"[..]);
    p.drive();
    let sid = p.a.session.session_id().unwrap();
    let bad = from_controller(
        Fields::new(sid, 2, 1)
            .with_sar_state(SarState::Complete, SarState::Complete)
            .with_payload(&b"x"[..]),
    );
    assert!(matches!(
        p.a.session.handle_record(p.now, bad),
        Err(E2eError::Reassembly(_))
    ));
}

#[test]
fn a_record_for_someone_else_is_refused_without_harm() {
    let mut p = Pair::new(config());
    let stray = Record::session_context(controller(), agent(), Fields::new(5, 1, 1)).unwrap();
    assert_eq!(
        p.a.session.handle_record(p.now, stray),
        Err(E2eError::WrongEndpoint)
    );
    assert!(p.a.session.poll_event().is_none());
}

#[test]
fn r_e2e_5_the_endpoint_keeps_one_session_per_controller() {
    use std::sync::Arc;
    #[allow(clippy::disallowed_methods)] // the origin of virtual time
    let now = std::time::Instant::now();
    let config = Arc::new(config());
    let mut agent_end = crate::E2eEndpoint::new(agent(), config.clone(), 77);
    let c1: usp_types::EndpointId = "self::controller-1".parse().unwrap();
    let c2: usp_types::EndpointId = "self::controller-2".parse().unwrap();
    let mut s1 = crate::SessionContext::new(c1.clone(), agent(), config.clone(), 100);
    let mut s2 = crate::SessionContext::new(c2.clone(), agent(), config, 200);
    s1.send(now, Bytes::from_static(b"from 1")).unwrap();
    s2.send(now, Bytes::from_static(b"from 2")).unwrap();
    for record in
        std::iter::from_fn(|| s1.poll_transmit()).chain(std::iter::from_fn(|| s2.poll_transmit()))
    {
        assert!(agent_end.accepts(&record));
        agent_end.handle_record(now, record).unwrap();
    }
    let mut got: Vec<(String, Bytes)> = std::iter::from_fn(|| agent_end.poll_event())
        .filter_map(|(peer, e)| match e {
            Event::Message(m) => Some((peer.to_string(), m)),
            _ => None,
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "self::controller-1".to_owned(),
                Bytes::from_static(b"from 1")
            ),
            (
                "self::controller-2".to_owned(),
                Bytes::from_static(b"from 2")
            )
        ]
    );
    assert_ne!(
        agent_end.get(&c1).unwrap().session_id(),
        agent_end.get(&c2).unwrap().session_id()
    );
    // Answers go back to each controller in its own session.
    agent_end
        .send(now, &c2, Bytes::from_static(b"to 2"))
        .unwrap();
    let record = agent_end.poll_transmit().unwrap();
    assert_eq!(record.to_id(), &c2);
    s2.handle_record(now, record).unwrap();
    assert!(
        std::iter::from_fn(|| s2.poll_event())
            .any(|e| e == Event::Message(Bytes::from_static(b"to 2")))
    );
    // A Record for another endpoint is refused.
    let stray = Record::session_context(c1.clone(), c2, Fields::new(5, 1, 1)).unwrap();
    assert!(!agent_end.accepts(&stray));
    assert_eq!(
        agent_end.handle_record(now, stray),
        Err(E2eError::WrongEndpoint)
    );
}

#[test]
fn segments_whose_per_piece_state_stays_none_reassemble() {
    // Segmentation case 6 of the specification: payload_sar_state BEGIN, INPROCESS,
    // COMPLETE while payloadrec_sar_state is NONE (each Record holds whole pieces).
    let mut p = Pair::new(config());
    p.send_b(&b"hello"[..]);
    p.drive();
    let sid = p.a.session.session_id().unwrap();
    let parts = [
        (SarState::Begin, &b"ab"[..]),
        (SarState::InProcess, b"cd"),
        (SarState::Complete, b"ef"),
    ];
    for (i, (state, piece)) in parts.into_iter().enumerate() {
        let f = Fields::new(sid, 2 + i as u64, 1)
            .with_sar_state(state, SarState::None)
            .with_payload(piece);
        p.a.session
            .handle_record(p.now, from_controller(f))
            .unwrap();
    }
    let got: Vec<Bytes> = std::iter::from_fn(|| p.a.session.poll_event())
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(got, [Bytes::from_static(b"abcdef")]);
}

#[test]
fn a_repeated_record_is_acknowledged_again_when_the_ack_was_lost() {
    let mut c = config();
    c.ack_delay(Some(Duration::from_millis(50)))
        .resend_timeout(Some(Duration::from_millis(500)));
    let mut p = Pair::new(c);
    p.send_a(&b"only"[..]);
    let record = p.take_wire().pop_front().unwrap();
    p.b.session.handle_record(p.now, record.clone()).unwrap();
    // B acknowledges once; that acknowledgement is lost on the way.
    p.b.session
        .handle_timeout(p.now + Duration::from_millis(50));
    let lost_ack = p.b.session.poll_transmit().unwrap();
    assert_eq!(fields(&lost_ack).expected_id(), 2);
    // A's resend arrives as a duplicate: ignored, but it makes a new acknowledgement due.
    p.b.session.handle_record(p.now, record).unwrap();
    p.b.session
        .handle_timeout(p.now + Duration::from_millis(100));
    let again = p.b.session.poll_transmit().expect("acknowledged again");
    assert_eq!(fields(&again).expected_id(), 2);
    assert_eq!(fields(&again).payload_len(), 0);
    // A duplicate that carries only an acknowledgement calls for none, even with
    // acknowledgements on: acknowledgements never answer each other.
    let mut q = Pair::new(c_with_acks());
    q.send_b(&b"start"[..]);
    let first = q.take_wire().pop_front().unwrap();
    q.a.session.handle_record(q.now, first).unwrap();
    q.a.session
        .handle_timeout(q.now + Duration::from_millis(50));
    assert!(
        q.a.session.poll_transmit().is_some(),
        "the content is acknowledged"
    );
    let sid = q.a.session.session_id().unwrap();
    let ack_only = from_controller(Fields::new(sid, 2, 1));
    q.a.session.handle_record(q.now, ack_only.clone()).unwrap();
    q.a.session.handle_record(q.now, ack_only).unwrap();
    q.a.session
        .handle_timeout(q.now + Duration::from_millis(200));
    assert!(q.a.session.poll_transmit().is_none());
}

fn c_with_acks() -> SessionConfig {
    let mut c = config();
    c.ack_delay(Some(Duration::from_millis(50)));
    c
}
