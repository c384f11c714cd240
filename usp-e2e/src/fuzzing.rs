//! Checks run by the `e2e_session` fuzz target and by the corpus replay test. Not part of the
//! API: unstable, for fuzzing and tests only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use usp_record::{PayloadSecurity, Record, SarState, SessionContext as Fields};
use usp_types::{EndpointId, ErrorCode};

use crate::{Event, SessionConfig, SessionContext};

/// Interprets `data` as a script of inputs to one session (Records from the peer with any
/// field values, sends, passing time, raw Records) and checks after every step that the
/// session never panics, keeps its buffers within the configured limits, never delivers an
/// empty Message, and never asks to be woken in the past.
///
/// # Panics
///
/// When one of these invariants does not hold.
#[allow(clippy::disallowed_methods)] // the origin of virtual time
pub fn e2e_session(data: &[u8]) {
    let local: EndpointId = "os::00256D-0123456789".parse().expect("constant");
    let remote: EndpointId = "self::fuzz".parse().expect("constant");
    let mut config = SessionConfig::default();
    config
        .max_record_size(Some(300))
        .expect("constant")
        .limits(4096, 16)
        .ack_delay(Some(Duration::from_millis(20)))
        .resend_timeout(Some(Duration::from_millis(100)))
        .max_retransmit_tries(2);
    let mut session = SessionContext::new(local.clone(), remote.clone(), Arc::new(config), 11);
    let mut now = Instant::now();
    let mut input = data.iter().copied();
    let mut next = move || input.next();
    while let Some(op) = next() {
        match op % 5 {
            0 => now += Duration::from_millis(u64::from(next().unwrap_or(0)) * 20),
            1 => {
                let len = usize::from(next().unwrap_or(1)) * 7;
                let _ = session.send(now, Bytes::from(vec![op; len]));
            }
            2 | 3 => {
                let b = [(); 7].map(|()| next().unwrap_or(0));
                let sar = |x: u8| match x % 4 {
                    0 => SarState::None,
                    1 => SarState::Begin,
                    2 => SarState::InProcess,
                    _ => SarState::Complete,
                };
                let mut fields =
                    Fields::new(u64::from(b[0] % 4) + 2, u64::from(b[1]), u64::from(b[2]))
                        .with_retransmit_id(u64::from(b[3] % 8));
                let state = sar(b[4]);
                fields = fields.with_sar_state(
                    state,
                    if state == SarState::None {
                        SarState::None
                    } else {
                        sar(b[5])
                    },
                );
                if b[6] % 3 != 0 {
                    fields = fields.with_payload(Bytes::from(vec![b[6]; usize::from(b[6])]));
                }
                if let Ok(mut record) =
                    Record::session_context(local.clone(), remote.clone(), fields)
                {
                    if op % 5 == 3 && b[6] % 7 == 0 {
                        record = record.with_payload_security(PayloadSecurity::Tls12);
                    }
                    let _ = session.handle_record(now, record);
                }
            }
            _ => {
                let code = next().unwrap_or(0);
                let record = if code % 2 == 0 {
                    Record::disconnect(
                        local.clone(),
                        remote.clone(),
                        ErrorCode::new(7105 + u32::from(code % 2)),
                        "fuzz",
                    )
                } else {
                    Record::websocket_connect(local.clone(), remote.clone())
                };
                let _ = session.handle_record(now, record);
            }
        }
        session.handle_timeout(now);
        while let Some(record) = session.poll_transmit() {
            assert!(
                record.encoded_len() <= 300
                    || record
                        .session_context_fields()
                        .is_none_or(|f| f.payload().len() <= 1)
            );
        }
        while let Some(event) = session.poll_event() {
            if let Event::Message(m) = event {
                assert!(!m.is_empty(), "an empty Message was delivered");
            }
        }
        assert!(session.unacknowledged() <= 100_000);
        if let Some(t) = session.poll_timeout() {
            // A deadline in the past would make a driver spin.
            assert!(
                t > now || t == now && session.poll_transmit().is_none(),
                "deadline in the past"
            );
        }
    }
}
