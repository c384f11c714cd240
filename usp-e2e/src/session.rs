//! `SessionContext`: one E2E Session Context between a local and a remote Endpoint.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use usp_record::{Record, RecordKind, SarState, SessionContext as Fields};
use usp_types::{EndpointId, ErrorCode};

use crate::retry::Retry;
use crate::sar::{Reassembler, segment};
use crate::{E2eError, Event, SessionConfig};

/// How many ended session identifiers are remembered to ignore their late Records.
const RETIRED: usize = 16;

/// Sequence numbers this close to `u64::MAX` end the session (R-E2E.8, R-E2E.9).
pub const SEQUENCE_MARGIN: u64 = 10_000;

/// One E2E Session Context between `local` and `remote` (specification section "Exchange
/// of USP Records within an E2E Session Context"), as a state machine that does no I/O and
/// never reads the clock.
///
/// # Driving it
///
/// * **Inputs.** [`send`](Self::send) an encoded Message, [`handle_record`](Self::handle_record)
///   for each `session_context` or `disconnect` Record from the peer,
///   [`handle_timeout`](Self::handle_timeout) when the deadline of
///   [`poll_timeout`](Self::poll_timeout) passes, [`close`](Self::close) to end it. Each takes
///   `now`; time must never go backwards.
/// * **Outputs**, to drain after every input, in this order:
///   [`poll_transmit`](Self::poll_transmit) (Records to put on the MTP: segments,
///   retransmissions, acknowledgements, Disconnects), [`poll_event`](Self::poll_event)
///   (Messages and session changes), then [`poll_timeout`](Self::poll_timeout) (when to call
///   `handle_timeout` next, if no input comes first).
///
/// ```no_run
/// use std::sync::Arc;
/// use std::time::Instant;
/// use usp_e2e::{Event, SessionConfig, SessionContext};
/// # fn mtp_send(_: bytes::Bytes) {}
/// # fn mtp_recv_until(_: Option<Instant>) -> Option<bytes::Bytes> { None }
/// # fn handle_message(_: bytes::Bytes) {}
///
/// let local = "os::00256D-0123456789".parse()?;
/// let remote = "self::controller".parse()?;
/// let mut session = SessionContext::new(local, remote, Arc::new(SessionConfig::default()), 42);
///
/// session.send(Instant::now(), bytes::Bytes::from_static(b"an encoded Msg"))?;
/// loop {
///     while let Some(record) = session.poll_transmit() {
///         mtp_send(record.to_bytes());
///     }
///     while let Some(event) = session.poll_event() {
///         if let Event::Message(msg) = event {
///             handle_message(msg);
///         }
///     }
///     match mtp_recv_until(session.poll_timeout()) {
///         Some(bytes) => {
///             let record = usp_record::Record::decode(bytes)?;
///             // A refused Record restarts the session; the error is for the log.
///             let _ = session.handle_record(Instant::now(), record);
///         }
///         None => session.handle_timeout(Instant::now()),
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Guarantees
///
/// Messages are delivered in order and exactly once within a session; Records arriving out
/// of order are buffered (R-E2E.20), duplicates ignored (R-E2E.25), gaps filled by asking
/// for retransmission; Records sent stay in an outgoing buffer until the peer's
/// `expected_id` acknowledges them (R-E2E.16) and are resent byte for byte on request.
/// Memory is bounded by [`SessionConfig::limits`]: a peer exceeding them fails the session.
#[derive(Debug)]
pub struct SessionContext {
    local: EndpointId,
    remote: EndpointId,
    config: Arc<SessionConfig>,
    state: Option<Established>,
    /// The next session identifier this side will start.
    next_session_id: u64,
    retry: Retry,
    /// Earliest time a new session may be started after a failure (R-E2E.10).
    not_before: Option<Instant>,
    /// Messages waiting for a session (during the retry wait).
    pending: VecDeque<Bytes>,
    /// A failed session is to be replaced when the retry wait ends.
    reestablish: bool,
    /// Identifiers of sessions that ended here: their late Records are ignored (R-E2E.24).
    retired: VecDeque<u64>,
    transmit: VecDeque<Record>,
    events: VecDeque<Event>,
    closed: bool,
}

/// A Record sent and not yet acknowledged.
#[derive(Debug)]
struct Sent {
    seq: u64,
    record: Record,
    /// Resent on the peer's request (bounded by `MaxRetransmitTries`).
    requested: u32,
    /// Resent by our timer.
    resent: u32,
    /// When it was last put on the wire.
    at: Instant,
}

/// The state of an established session.
#[derive(Debug)]
struct Established {
    session_id: u64,
    /// Started by the peer, or a Record of the peer was received in it.
    confirmed: bool,
    /// Sequence number of the next Record we send.
    next_tx: u64,
    /// Sequence number of the next Record we expect.
    expected_rx: u64,
    /// Records sent and not yet acknowledged, with how often each was resent.
    outgoing: VecDeque<Sent>,
    /// Messages sent and not yet wholly acknowledged: last sequence number and payload.
    unacked: VecDeque<(u64, Bytes)>,
    /// Records received ahead of `expected_rx`.
    incoming: BTreeMap<u64, Fields>,
    reassembler: Reassembler,
    last_activity: Instant,
    /// Since when a gap in received sequence numbers exists.
    gap_since: Option<Instant>,
    /// When an acknowledgement Record is due.
    ack_due: Option<Instant>,
}

impl Established {
    fn new(session_id: u64, now: Instant) -> Self {
        Self {
            session_id,
            confirmed: false,
            next_tx: 1,
            expected_rx: 1,
            outgoing: VecDeque::new(),
            unacked: VecDeque::new(),
            incoming: BTreeMap::new(),
            reassembler: Reassembler::default(),
            last_activity: now,
            gap_since: None,
            ack_due: None,
        }
    }

    /// Records `record`, which carries sequence number `next_tx`, as sent at `now`: it stays
    /// in the outgoing buffer until acknowledged (R-E2E.16). Returns it for the wire.
    fn sent(&mut self, record: Record, now: Instant) -> Record {
        self.outgoing.push_back(Sent {
            seq: self.next_tx,
            record: record.clone(),
            requested: 0,
            resent: 0,
            at: now,
        });
        self.next_tx += 1;
        record
    }
}

impl SessionContext {
    /// A session context from `local` to `remote`, with no session yet. `seed` seeds the
    /// session identifiers this side chooses and the jitter of the retry waits: use a
    /// random value per process (the crate reads no entropy itself).
    pub fn new(
        local: EndpointId,
        remote: EndpointId,
        config: Arc<SessionConfig>,
        seed: u64,
    ) -> Self {
        Self {
            local,
            remote,
            config,
            state: None,
            // R-E2E.3: greater than 1.
            next_session_id: seed.max(2),
            retry: Retry::new(seed),
            not_before: None,
            pending: VecDeque::new(),
            reestablish: false,
            retired: VecDeque::new(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            closed: false,
        }
    }

    /// The identifier of the current session, if one is established.
    pub fn session_id(&self) -> Option<u64> {
        self.state.as_ref().map(|s| s.session_id)
    }

    /// Whether a session is established.
    pub fn is_established(&self) -> bool {
        self.state.is_some()
    }

    /// The remote Endpoint.
    pub fn remote(&self) -> &EndpointId {
        &self.remote
    }

    /// The number of failed session attempts since the last Record received (R-E2E.10).
    pub fn retry_count(&self) -> u32 {
        self.retry.count()
    }

    /// Records sent and waiting for acknowledgement.
    pub fn unacknowledged(&self) -> usize {
        self.state.as_ref().map_or(0, |s| s.outgoing.len())
    }

    /// Sends an encoded Message, segmented when it does not fit the maximum Record size.
    /// Starts a session when there is none (or after it expired), unless the R-E2E.10
    /// retry wait is running, in which case the Message waits for it.
    pub fn send(&mut self, now: Instant, payload: Bytes) -> Result<(), E2eError> {
        if self.closed {
            return Err(E2eError::Closed);
        }
        if payload.is_empty() {
            return Err(E2eError::EmptyPayload);
        }
        self.expire_if_idle(now);
        if self.not_before.is_some_and(|t| now < t) || !self.pending.is_empty() {
            self.pending.push_back(payload);
            return Ok(());
        }
        self.not_before = None;
        self.transmit_message(now, payload);
        Ok(())
    }

    fn transmit_message(&mut self, now: Instant, payload: Bytes) {
        if self
            .state
            .as_ref()
            .is_some_and(|s| s.next_tx >= u64::MAX - SEQUENCE_MARGIN)
        {
            // R-E2E.9: start a new session rather than run out of sequence numbers.
            self.restart(now, E2eError::SequenceExhausted, false);
        }
        if self.state.is_none() {
            self.start(now, false, None);
        }
        let (local, remote, config) =
            (self.local.clone(), self.remote.clone(), self.config.clone());
        let Some(state) = self.state.as_mut() else {
            return;
        };
        let (session_id, first, expected) = (state.session_id, state.next_tx, state.expected_rx);
        let records = segment(&payload, config.max_record_size, |piece, sar, index| {
            let mut fields =
                Fields::new(session_id, first + index as u64, expected).with_sar_state(sar, sar);
            if !piece.is_empty() {
                fields = fields.with_payload(piece);
            }
            build(&local, &remote, &config, fields)
        });
        for record in records {
            self.transmit.push_back(state.sent(record, now));
        }
        state.unacked.push_back((state.next_tx - 1, payload));
        state.last_activity = now;
        state.ack_due = None;
    }

    /// Starts a session: ours (a new identifier) or the peer's (`peer_session_id`).
    fn start(&mut self, now: Instant, by_peer: bool, peer_session_id: Option<u64>) {
        let session_id = peer_session_id.unwrap_or_else(|| {
            let id = self.next_session_id;
            self.next_session_id = self.next_session_id.checked_add(1).unwrap_or(2);
            id
        });
        let mut state = Established::new(session_id, now);
        state.confirmed = by_peer;
        self.state = Some(state);
        self.events.push_back(Event::Started {
            session_id,
            by_peer,
        });
    }

    /// Ends the current session, handing its unacknowledged Messages back to the
    /// application; returns its identifier.
    fn end_session(&mut self) -> Option<u64> {
        let old = self.state.take()?;
        if self.retired.len() == RETIRED {
            self.retired.pop_front();
        }
        self.retired.push_back(old.session_id);
        let unacked: Vec<Bytes> = old.unacked.into_iter().map(|(_, p)| p).collect();
        if !unacked.is_empty() {
            self.events.push_back(Event::Unacknowledged(unacked));
        }
        Some(old.session_id)
    }

    /// Fails the current session: ends it, reports why, and schedules a new one after the
    /// R-E2E.10 wait (`quiet` when the peer itself started the replacement).
    fn restart(&mut self, now: Instant, reason: E2eError, quiet: bool) {
        let Some(old_session_id) = self.end_session() else {
            return;
        };
        if !quiet {
            self.events.push_back(Event::Restarted {
                old_session_id,
                reason,
            });
            let wait = self.retry.next_wait(
                self.config.retry_minimum_wait,
                self.config.retry_interval_multiplier,
            );
            self.not_before = Some(now + wait);
            self.reestablish = true;
        }
    }

    fn expire_if_idle(&mut self, now: Instant) {
        let expired = match (&self.state, self.config.session_expiration) {
            (Some(s), Some(limit)) => now.saturating_duration_since(s.last_activity) >= limit,
            _ => false,
        };
        if expired && let Some(session_id) = self.end_session() {
            self.events.push_back(Event::Expired { session_id });
        }
    }

    fn flush_pending(&mut self, now: Instant) {
        while let Some(payload) = self.pending.pop_front() {
            self.transmit_message(now, payload);
        }
    }

    /// Handles a Record from the peer: a `session_context` Record, or a `disconnect`.
    ///
    /// A Record that breaks the rules fails the session (it restarts, R-E2E.21) and the
    /// error says why; Records that are merely late or duplicated are ignored without
    /// error (R-E2E.20, R-E2E.25).
    pub fn handle_record(&mut self, now: Instant, record: Record) -> Result<(), E2eError> {
        if record.to_id() != &self.local || record.from_id() != &self.remote {
            return Err(E2eError::WrongEndpoint);
        }
        let fields = match record.kind() {
            RecordKind::SessionContext(fields) => fields.clone(),
            RecordKind::Disconnect(d) => {
                let code = d.reason_code();
                self.events.push_back(Event::Disconnected {
                    code,
                    reason: d.reason().to_owned(),
                });
                self.end_session();
                return Ok(());
            }
            _ => return Err(E2eError::NotSessionContext),
        };
        if !self.config.allowed {
            // R-E2E.6a: refuse sessions with a Disconnect 7106.
            self.transmit.push_back(Record::disconnect(
                self.remote.clone(),
                self.local.clone(),
                ErrorCode::SESSION_CONTEXT_NOT_ALLOWED,
                "session context not allowed",
            ));
            return Err(E2eError::NotAllowed);
        }
        if record.payload_security() != self.config.payload_security {
            // R-E2E.19 (and no other security than configured is supported).
            self.restart(now, E2eError::PayloadSecurityChanged, false);
            return Err(E2eError::PayloadSecurityChanged);
        }
        if fields.sequence_id() >= u64::MAX - SEQUENCE_MARGIN {
            // R-E2E.8.
            self.restart(now, E2eError::SequenceExhausted, false);
            return Err(E2eError::SequenceExhausted);
        }
        if self.retired.contains(&fields.session_id())
            && self.session_id() != Some(fields.session_id())
        {
            // A Record of a session that ended here (failed or expired): ignored (R-E2E.24).
            // With no session now, start one so the peer learns of it (R-E2E.7).
            if self.state.is_none() && self.not_before.is_none_or(|t| now >= t) && !self.closed {
                self.not_before = None;
                self.reestablish = false;
                self.start(now, false, None);
                self.transmit_empty(now, false);
            }
            return Ok(());
        }
        match &self.state {
            Some(s) if s.session_id == fields.session_id() => {}
            // Both sides started a session at once: without a rule each would adopt the
            // other's identifier forever (R-E2E.6). The specification is silent; here the
            // larger identifier wins, and a session we started that the peer never
            // answered yields only to a larger one.
            Some(s) if !s.confirmed && fields.session_id() < s.session_id => return Ok(()),
            _ => {
                // R-E2E.4 / R-E2E.6: the peer (re)starts a session with its identifier.
                self.restart(now, E2eError::Closed, true);
                self.start(now, true, Some(fields.session_id()));
                self.not_before = None;
                self.reestablish = false;
            }
        }
        let result = self.receive(now, fields);
        if let Err(e) = &result {
            self.restart(now, e.clone(), false);
        } else {
            // R-E2E.12.
            self.retry.reset();
            if self.not_before.is_none() {
                self.flush_pending(now);
            }
        }
        result
    }

    fn receive(&mut self, now: Instant, fields: Fields) -> Result<(), E2eError> {
        let config = self.config.clone();
        let Some(state) = self.state.as_mut() else {
            return Ok(());
        };
        state.last_activity = now;
        state.confirmed = true;
        // The peer's expected_id acknowledges everything below it (R-E2E.16), whatever the
        // order this Record arrives in: applying it at once keeps the outgoing buffer
        // minimal and makes its oldest Record the one the peer lacks. An expected_id beyond
        // what was sent is nonsense and acknowledges nothing.
        let acked = fields.expected_id();
        if acked <= state.next_tx {
            while state.outgoing.front().is_some_and(|s| s.seq < acked) {
                state.outgoing.pop_front();
            }
            while state.unacked.front().is_some_and(|(last, _)| *last < acked) {
                state.unacked.pop_front();
            }
        }
        let seq = fields.sequence_id();
        if seq < state.expected_rx || state.incoming.contains_key(&seq) {
            // R-E2E.20 rule 2 and R-E2E.25: late or duplicate, ignored. A repeated Record
            // with content means the peer lacks our acknowledgement (it was lost): when
            // acknowledgements are on, one is due again, or both sides would wait forever.
            if carries_content(&fields)
                && let Some(delay) = config.ack_delay
            {
                state.ack_due.get_or_insert(now + delay);
            }
            return Ok(());
        }
        if seq > state.expected_rx {
            // R-E2E.20 rule 1.
            if state.incoming.len() >= config.max_buffered_records {
                return Err(E2eError::LimitExceeded("out-of-order Records"));
            }
            state.incoming.insert(seq, fields);
            state.gap_since.get_or_insert(now);
            return Ok(());
        }
        // R-E2E.20 rule 3: this Record and the buffered ones that follow it.
        let mut next = Some(fields);
        let mut substantive = false;
        while let Some(fields) = next.take() {
            // Records that carry nothing but acknowledgement do not call for one.
            substantive |= carries_content(&fields);
            self.process_in_order(now, &fields)?;
            let Some(state) = self.state.as_mut() else {
                break;
            };
            next = state.incoming.remove(&state.expected_rx);
        }
        if let Some(state) = self.state.as_mut() {
            state.gap_since = (!state.incoming.is_empty()).then_some(now);
            if substantive {
                state.ack_due = config.ack_delay.map(|d| now + d);
            }
        }
        Ok(())
    }

    fn process_in_order(&mut self, now: Instant, fields: &Fields) -> Result<(), E2eError> {
        let limit = self.config.max_reassembly_bytes;
        let max_tries = self.config.max_retransmit_tries;
        let Some(state) = self.state.as_mut() else {
            return Ok(());
        };
        // R-E2E.20 rule 3.1: the payload, through reassembly.
        let payload = fields.payload_joined();
        let has_payload = fields.payload().len() > 0;
        if (has_payload || fields.payload_sar_state() != SarState::None)
            && let Some(message) =
                state
                    .reassembler
                    .push(fields.payload_sar_state(), payload, limit)?
        {
            self.events.push_back(Event::Message(message));
        }
        // R-E2E.20 rule 3.2: a retransmission request.
        let wanted = fields.retransmit_id();
        if wanted != 0 {
            let Some(entry) = state.outgoing.iter_mut().find(|s| s.seq == wanted) else {
                return Err(E2eError::RetransmitFailed(wanted));
            };
            if entry.requested >= max_tries {
                return Err(E2eError::RetransmitFailed(wanted));
            }
            entry.requested += 1;
            entry.at = now;
            self.transmit.push_back(entry.record.clone());
            self.events.push_back(Event::RetransmitRequested {
                sequence_id: wanted,
            });
        }
        // R-E2E.20 rule 4.
        state.expected_rx = fields.sequence_id() + 1;
        Ok(())
    }

    /// Handles the passing of time: session expiration, requests for missing Records,
    /// acknowledgements, and the end of the retry wait.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.expire_if_idle(now);
        if self.not_before.is_some_and(|t| now >= t) {
            self.not_before = None;
            if self.pending.is_empty() && std::mem::take(&mut self.reestablish) && !self.closed {
                // Start the replacement session with an empty Record (the specification
                // allows one to establish a session).
                self.start(now, false, None);
                self.transmit_empty(now, false);
            }
            self.reestablish = false;
            self.flush_pending(now);
        }
        let config = self.config.clone();
        let Some(state) = self.state.as_mut() else {
            return;
        };
        let gap_due = state
            .gap_since
            .is_some_and(|t| now >= t + config.retransmit_request_delay);
        let ack_due = state.ack_due.is_some_and(|t| now >= t);
        if gap_due {
            state.gap_since = Some(now);
        }
        if gap_due || ack_due {
            self.transmit_empty(now, gap_due);
        }
        let Some(state) = self.state.as_mut() else {
            return;
        };
        if let (Some(timeout), Some(oldest)) = (config.resend_timeout, state.outgoing.front_mut())
            && now >= oldest.at + timeout
            && oldest.resent < config.max_retransmit_tries
        {
            oldest.resent += 1;
            oldest.at = now;
            self.transmit.push_back(oldest.record.clone());
        }
    }

    /// Sends an empty Record carrying `expected_id`, and the missing sequence number when
    /// `ask` (a gap). It consumes a sequence number like any Record.
    fn transmit_empty(&mut self, now: Instant, ask: bool) {
        let (local, remote, config) =
            (self.local.clone(), self.remote.clone(), self.config.clone());
        let Some(state) = self.state.as_mut() else {
            return;
        };
        let mut fields = Fields::new(state.session_id, state.next_tx, state.expected_rx);
        if ask {
            fields = fields.with_retransmit_id(state.expected_rx);
        }
        let record = build(&local, &remote, &config, fields);
        state.ack_due = None;
        self.transmit.push_back(state.sent(record, now));
    }

    /// Ends the session: sends a Disconnect 7105 (R-E2E.6b) and refuses further sends.
    pub fn close(&mut self, _now: Instant, reason: &str) {
        if self.closed {
            return;
        }
        self.closed = true;
        if let Some(old_session_id) = self.end_session() {
            self.transmit.push_back(Record::disconnect(
                self.remote.clone(),
                self.local.clone(),
                ErrorCode::SESSION_CONTEXT_TERMINATED,
                reason,
            ));
            self.events.push_back(Event::Restarted {
                old_session_id,
                reason: E2eError::Closed,
            });
        }
    }

    /// The next Record to put on the MTP.
    pub fn poll_transmit(&mut self) -> Option<Record> {
        self.transmit.pop_front()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called, if no input comes first.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let retry = self
            .not_before
            .filter(|_| !self.pending.is_empty() || self.reestablish);
        let state = self.state.as_ref().map(|s| {
            [
                self.config.session_expiration.map(|d| s.last_activity + d),
                s.gap_since
                    .map(|t| t + self.config.retransmit_request_delay),
                s.ack_due,
                self.config.resend_timeout.and_then(|d| {
                    s.outgoing
                        .front()
                        .filter(|o| o.resent < self.config.max_retransmit_tries)
                        .map(|o| o.at + d)
                }),
            ]
        });
        state.into_iter().flatten().chain([retry]).flatten().min()
    }

    /// Fails the session from outside, for a check this crate does not do itself (Record
    /// integrity, R-E2E.23; TLS payload failures): it restarts as for any failure.
    pub fn fail(&mut self, now: Instant, reason: E2eError) {
        self.restart(now, reason, false);
    }

    /// The maximum time between two calls of `handle_timeout` that the session needs, for
    /// drivers that poll on a fixed tick instead of using [`poll_timeout`](Self::poll_timeout).
    pub fn tick(&self) -> Duration {
        self.config.retransmit_request_delay
    }
}

/// Whether a Record carries more than an acknowledgement: a payload, a segment, or a
/// retransmission request. Only such Records call for an acknowledgement, so that
/// acknowledgements never answer each other.
fn carries_content(fields: &Fields) -> bool {
    fields.payload().len() > 0
        || fields.payload_sar_state() != SarState::None
        || fields.retransmit_id() != 0
}

fn build(
    local: &EndpointId,
    remote: &EndpointId,
    config: &SessionConfig,
    fields: Fields,
) -> Record {
    Record::session_context(remote.clone(), local.clone(), fields)
        // Invariant: this crate always sets both SAR states to the same value, the only
        // rule `Record::session_context` checks.
        .expect("payload_sar_state and payloadrec_sar_state are always equal here")
        .with_payload_security(config.payload_security)
}
