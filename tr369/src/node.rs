//! What Agents and Controllers share: several transports, routes to peers, Records in and
//! out, and the E2E sessions.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use usp_e2e::{E2eEndpoint, Event, SessionConfig};
use usp_mtp::{Inbound, Mtp, MtpAddress, MtpError, MtpErrorKind, Outbound};
use usp_record::{Record, RecordKind};
use usp_types::EndpointId;

use crate::Error;

/// Identifies one of the transports of an Agent or a Controller: the order in which they
/// were added, starting at 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MtpId(pub(crate) usize);

impl MtpId {
    /// The position of the transport among those added.
    pub fn index(self) -> usize {
        self.0
    }
}

impl fmt::Display for MtpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mtp#{}", self.0)
    }
}

/// How to reach a peer: one of the Endpoint's transports and the address on it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// The transport.
    pub mtp: MtpId,
    /// The address on it.
    pub address: MtpAddress,
}

impl Route {
    /// A route through transport `mtp` to `address`.
    pub fn new(mtp: MtpId, address: MtpAddress) -> Self {
        Self { mtp, address }
    }
}

/// Records waiting for one transport beyond this are refused with
/// [`Error::Backpressure`].
const MAX_QUEUED: usize = 65_536;

struct Slot {
    mtp: Box<dyn Mtp>,
    queue: VecDeque<Outbound>,
    closed: bool,
}

/// The kind of Record a Message travels in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// A `no_session_context` Record.
    NoSession,
    /// An E2E session.
    Session,
    /// Whatever suits a new Message: a session for a Controller configured for them, or
    /// when one is established with the peer.
    Default,
}

/// A tokio timer that follows the earliest deadline of a sans-IO machine (the E2E
/// sessions, the notification retries).
#[derive(Debug)]
pub(crate) struct Deadline {
    sleep: Pin<Box<tokio::time::Sleep>>,
    at: Option<Instant>,
}

impl Deadline {
    pub(crate) fn new() -> Self {
        Self {
            sleep: Box::pin(tokio::time::sleep(std::time::Duration::from_secs(3600))),
            at: None,
        }
    }

    /// Arms the timer for `next` (when it changed) and registers the task for wake-up;
    /// once the deadline has passed, wakes the task at once so that it handles it.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>, next: Option<Instant>) {
        if next != self.at {
            self.at = next;
            if let Some(at) = next {
                self.sleep.as_mut().reset(at.into());
            }
        }
        if self.at.is_some() && self.sleep.as_mut().poll(cx).is_ready() {
            self.at = None;
            cx.waker().wake_by_ref();
        }
    }
}

/// The time, on tokio's clock (which tests can pause), as a `std` instant for `usp-e2e`.
pub(crate) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Routes learned from peers beyond this are not kept (configured ones always are).
const MAX_ROUTES: usize = 100_000;

/// Records read in one poll before the task yields to others.
const READS_PER_POLL: usize = 64;

/// What the node reports to the Agent or Controller that drives it.
#[derive(Debug)]
pub(crate) enum NodeEvent {
    /// An encoded Message from a peer, and the kind of Record it came in (an answer goes
    /// back in the same kind, R-MSG.0a).
    Message {
        from: EndpointId,
        payload: Bytes,
        via: Via,
    },
    /// A peer announced itself with an MTP Connect Record.
    Connected { peer: EndpointId },
    /// A peer sent a Disconnect Record.
    Disconnected { peer: EndpointId },
    /// A transport stopped for good.
    TransportClosed { mtp: MtpId, error: MtpError },
}

/// The transports, the routes and the sessions of one Endpoint. Driven by polling.
pub(crate) struct Node {
    local: EndpointId,
    slots: Vec<Slot>,
    routes: HashMap<EndpointId, Route>,
    e2e: E2eEndpoint,
    /// Whether Messages to a peer go into an E2E session (a Controller configured for
    /// them) rather than following the peer (an Agent answers in a session only when the
    /// Controller started one).
    e2e_first: bool,
    timer: Deadline,
    next: usize,
    events: VecDeque<NodeEvent>,
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("local", &self.local)
            .field("mtps", &self.slots.len())
            .field("routes", &self.routes)
            .finish_non_exhaustive()
    }
}

impl Node {
    pub(crate) fn new(
        local: EndpointId,
        mtps: Vec<Box<dyn Mtp>>,
        routes: HashMap<EndpointId, Route>,
        e2e: Option<SessionConfig>,
        e2e_first: bool,
    ) -> Self {
        let e2e_first = e2e_first && e2e.is_some();
        let config = e2e.unwrap_or_else(|| {
            let mut c = SessionConfig::default();
            c.allowed(false);
            c
        });
        let seed = seed();
        Self {
            e2e: E2eEndpoint::new(local.clone(), Arc::new(config), seed),
            local,
            slots: mtps
                .into_iter()
                .map(|mtp| Slot {
                    mtp,
                    queue: VecDeque::new(),
                    closed: false,
                })
                .collect(),
            routes,
            e2e_first,
            timer: Deadline::new(),
            next: 0,
            events: VecDeque::new(),
        }
    }

    pub(crate) fn local(&self) -> &EndpointId {
        &self.local
    }

    pub(crate) fn set_route(&mut self, peer: EndpointId, route: Route) {
        self.routes.insert(peer, route);
    }

    /// Sends an encoded Message to `peer`, in the kind of Record `via` says.
    pub(crate) fn send(
        &mut self,
        peer: &EndpointId,
        payload: Bytes,
        via: Via,
    ) -> Result<(), Error> {
        let route = self
            .routes
            .get(peer)
            .cloned()
            .ok_or_else(|| Error::NoRoute(peer.clone()))?;
        let slot = self.slots.get(route.mtp.0).ok_or(Error::Closed)?;
        if slot.closed {
            return Err(Error::Transport(MtpError::closed()));
        }
        if slot.queue.len() >= MAX_QUEUED {
            return Err(Error::Backpressure);
        }
        let in_session = match via {
            Via::NoSession => false,
            Via::Session => true,
            Via::Default => {
                self.e2e_first || self.e2e.get(peer).is_some_and(|s| s.is_established())
            }
        };
        if in_session {
            self.e2e.send(now(), peer, payload)?;
            self.drain_e2e_transmits();
        } else {
            let record = Record::no_session_context(peer.clone(), self.local.clone(), payload)?;
            self.enqueue(route, record.to_bytes());
        }
        Ok(())
    }

    fn enqueue(&mut self, route: Route, record: Bytes) {
        if let Some(slot) = self.slots.get_mut(route.mtp.0) {
            slot.queue.push_back(Outbound::new(record, route.address));
        }
    }

    fn drain_e2e_transmits(&mut self) {
        while let Some(record) = self.e2e.poll_transmit() {
            match self.routes.get(record.to_id()).cloned() {
                Some(route) => self.enqueue(route, record.to_bytes()),
                None => log::warn!(
                    "{}: E2E Record for {} dropped: no route",
                    self.local,
                    record.to_id()
                ),
            }
        }
    }

    fn drain_e2e_events(&mut self) {
        while let Some((peer, event)) = self.e2e.poll_event() {
            match event {
                Event::Message(payload) => {
                    self.events.push_back(NodeEvent::Message {
                        from: peer,
                        payload,
                        via: Via::Session,
                    });
                }
                Event::Disconnected { code, reason } => {
                    log::info!(
                        "{}: {peer} ended the E2E session: {code} {reason}",
                        self.local
                    );
                }
                Event::Unacknowledged(messages) => {
                    log::warn!(
                        "{}: {} Message(s) to {peer} were not acknowledged when the session ended",
                        self.local,
                        messages.len()
                    );
                }
                other => log::debug!("{}: E2E session with {peer}: {other:?}", self.local),
            }
        }
    }

    /// Makes progress: sends what is queued, runs the session timers, and returns the next
    /// event. Registers for wake-up on everything it waits for.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<NodeEvent> {
        let mut reads = 0;
        loop {
            if let Some(event) = self.events.pop_front() {
                return Poll::Ready(event);
            }
            self.poll_send(cx);
            self.poll_timer(cx);
            if !self.events.is_empty() {
                continue;
            }
            if reads == READS_PER_POLL {
                // Let other tasks run; come back at once.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            reads += 1;
            match self.poll_recv(cx) {
                Poll::Ready(()) => continue,
                Poll::Pending => {
                    // Receiving may have queued answers (E2E acknowledgements).
                    if self.slots.iter().any(|s| !s.queue.is_empty() && !s.closed) {
                        self.poll_send(cx);
                    }
                    return match self.events.pop_front() {
                        Some(e) => Poll::Ready(e),
                        None => Poll::Pending,
                    };
                }
            }
        }
    }

    fn poll_send(&mut self, cx: &mut Context<'_>) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if slot.closed {
                slot.queue.clear();
                continue;
            }
            let mut sent = false;
            while !slot.queue.is_empty() {
                match slot.mtp.poll_ready(cx) {
                    Poll::Ready(Ok(())) => {
                        let Some(outbound) = slot.queue.pop_front() else {
                            break;
                        };
                        let to = outbound.to.clone();
                        if let Err(e) = slot.mtp.start_send(outbound) {
                            log::warn!("{}: Record to {to} dropped: {e}", self.local);
                        }
                        sent = true;
                    }
                    Poll::Ready(Err(e)) => {
                        log::warn!(
                            "{}: transport {} cannot send ({e}); {} Record(s) dropped",
                            self.local,
                            MtpId(i),
                            slot.queue.len()
                        );
                        slot.queue.clear();
                        if e.kind() == MtpErrorKind::Closed {
                            slot.closed = true;
                            self.events.push_back(NodeEvent::TransportClosed {
                                mtp: MtpId(i),
                                error: e,
                            });
                        }
                    }
                    Poll::Pending => break,
                }
            }
            if sent {
                // Flushing only reports progress for our transports; a pending flush
                // needs no attention.
                let _ = slot.mtp.poll_flush(cx);
            }
        }
    }

    fn poll_timer(&mut self, cx: &mut Context<'_>) {
        let now = now();
        if self.e2e.poll_timeout().is_some_and(|t| t <= now) {
            self.e2e.handle_timeout(now);
            self.drain_e2e_events();
            self.drain_e2e_transmits();
        }
        // Woken when it passes: the next poll handles the deadline.
        self.timer.poll(cx, self.e2e.poll_timeout());
    }

    /// Reads one Record from any transport (taking them in turn). `Ready` when something
    /// was read (it may have produced no event).
    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let n = self.slots.len();
        for k in 0..n {
            let i = (self.next + k) % n;
            let slot = &mut self.slots[i];
            if slot.closed {
                continue;
            }
            match slot.mtp.poll_recv(cx) {
                Poll::Ready(Ok(inbound)) => {
                    self.next = (i + 1) % n;
                    self.handle_inbound(MtpId(i), inbound);
                    return Poll::Ready(());
                }
                Poll::Ready(Err(e)) if e.kind() == MtpErrorKind::Closed => {
                    slot.closed = true;
                    self.events.push_back(NodeEvent::TransportClosed {
                        mtp: MtpId(i),
                        error: e,
                    });
                    return Poll::Ready(());
                }
                Poll::Ready(Err(e)) => {
                    log::warn!(
                        "{}: transport {} failed to receive: {e}",
                        self.local,
                        MtpId(i)
                    );
                    return Poll::Ready(());
                }
                Poll::Pending => {}
            }
        }
        Poll::Pending
    }

    fn handle_inbound(&mut self, mtp: MtpId, inbound: Inbound) {
        let record = match Record::decode(inbound.record) {
            Ok(r) => r,
            Err(e) => {
                // R-MTP.5 lets an Endpoint answer a bad Record; without a from_id we
                // cannot, so it is dropped.
                log::warn!(
                    "{}: undecodable Record from {} dropped: {e}",
                    self.local,
                    inbound.reply_to
                );
                return;
            }
        };
        if let Err(why) = record.check_addressing(&self.local) {
            log::debug!(
                "{}: Record from {} ignored: {why}",
                self.local,
                record.from_id()
            );
            return;
        }
        let peer = record.from_id().clone();
        // A connection that authenticated its peer (the WebSocket `eid`, the UDS handshake)
        // carries Records from that peer only.
        if let Some(id) = inbound.reply_to.endpoint_id()
            && *id != peer
        {
            log::warn!(
                "{}: Record from_id {peer} on the connection of {id} dropped",
                self.local
            );
            return;
        }
        let route = Route::new(mtp, inbound.reply_to);
        match record.kind() {
            RecordKind::NoSessionContext { payload } => {
                let payload = payload.clone();
                self.learn(peer.clone(), route);
                self.events.push_back(NodeEvent::Message {
                    from: peer,
                    payload,
                    via: Via::NoSession,
                });
            }
            RecordKind::SessionContext(_) | RecordKind::Disconnect(_) => {
                let disconnect = matches!(record.kind(), RecordKind::Disconnect(_));
                // Learned first: the session may answer at once (an acknowledgement, a
                // retransmission request, a Disconnect).
                let previous = self.routes.get(&peer).cloned();
                self.learn(peer.clone(), route);
                if let Err(e) = self.e2e.handle_record(now(), record) {
                    log::warn!("{}: E2E Record from {peer} refused: {e}", self.local);
                    self.drain_e2e_transmits();
                    // A refused Record does not move the peer.
                    match previous {
                        Some(r) => {
                            self.routes.insert(peer.clone(), r);
                        }
                        None => {
                            self.routes.remove(&peer);
                        }
                    }
                    return;
                }
                self.drain_e2e_events();
                self.drain_e2e_transmits();
                if disconnect {
                    self.events.push_back(NodeEvent::Disconnected { peer });
                }
            }
            _ => {
                self.learn(peer.clone(), route);
                self.events.push_back(NodeEvent::Connected { peer });
            }
        }
    }

    /// Remembers where `peer` is, within [`MAX_ROUTES`].
    fn learn(&mut self, peer: EndpointId, route: Route) {
        if self.routes.len() >= MAX_ROUTES && !self.routes.contains_key(&peer) {
            log::warn!("{}: too many peers; no route kept for {peer}", self.local);
            return;
        }
        self.routes.insert(peer, route);
    }

    /// Waits until every queued Record has been handed to its transport, then closes the
    /// transports; gives up on a transport after [`CLOSE_TIMEOUT`].
    pub(crate) async fn close(&mut self) {
        let drained = std::future::poll_fn(|cx| {
            self.poll_send(cx);
            if self.slots.iter().all(|s| s.queue.is_empty() || s.closed) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        });
        if tokio::time::timeout(CLOSE_TIMEOUT, drained).await.is_err() {
            log::warn!("{}: closing with Records still queued", self.local);
        }
        for slot in &mut self.slots {
            if !slot.closed {
                let mtp = &mut slot.mtp;
                let close = async {
                    let _ = std::future::poll_fn(|cx| mtp.poll_flush(cx)).await;
                    let _ = std::future::poll_fn(|cx| mtp.poll_close(cx)).await;
                };
                let _ = tokio::time::timeout(CLOSE_TIMEOUT, close).await;
                slot.closed = true;
            }
        }
    }
}

/// How long closing waits for a transport.
const CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A seed for session identifiers that differs between runs and processes.
pub(crate) fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.finish()
}
