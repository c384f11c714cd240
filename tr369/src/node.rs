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

/// What the node reports to the Agent or Controller that drives it.
#[derive(Debug)]
pub(crate) enum NodeEvent {
    /// An encoded Message from a peer.
    Message { from: EndpointId, payload: Bytes },
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
    timer: Pin<Box<tokio::time::Sleep>>,
    timer_at: Option<Instant>,
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
            timer: Box::pin(tokio::time::sleep(std::time::Duration::from_secs(3600))),
            timer_at: None,
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

    /// Sends an encoded Message to `peer`: in its E2E session when there is (or, for a
    /// Controller configured for sessions, should be) one, else in a `no_session_context`
    /// Record.
    pub(crate) fn send(&mut self, peer: &EndpointId, payload: Bytes) -> Result<(), Error> {
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
        let in_session = self.e2e_first || self.e2e.get(peer).is_some_and(|s| s.is_established());
        if in_session {
            self.e2e.send(Instant::now(), peer, payload)?;
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
        loop {
            if let Some(event) = self.events.pop_front() {
                return Poll::Ready(event);
            }
            self.poll_send(cx);
            self.poll_timer(cx);
            if !self.events.is_empty() {
                continue;
            }
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
        let now = Instant::now();
        if self.e2e.poll_timeout().is_some_and(|t| t <= now) {
            self.e2e.handle_timeout(now);
            self.drain_e2e_events();
            self.drain_e2e_transmits();
        }
        let next = self.e2e.poll_timeout();
        if next != self.timer_at {
            self.timer_at = next;
            if let Some(at) = next {
                self.timer.as_mut().reset(at.into());
            }
        }
        if self.timer_at.is_some() && self.timer.as_mut().poll(cx).is_ready() {
            // Woken: the next poll handles the deadline.
            self.timer_at = None;
            cx.waker().wake_by_ref();
        }
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
        // The address the Record came from is where the peer is reachable now.
        self.routes
            .insert(peer.clone(), Route::new(mtp, inbound.reply_to));
        match record.kind() {
            RecordKind::NoSessionContext { payload } => {
                let payload = payload.clone();
                self.events.push_back(NodeEvent::Message {
                    from: peer,
                    payload,
                });
            }
            RecordKind::SessionContext(_) | RecordKind::Disconnect(_) => {
                let disconnect = matches!(record.kind(), RecordKind::Disconnect(_));
                if let Err(e) = self.e2e.handle_record(Instant::now(), record) {
                    log::warn!("{}: E2E Record from {peer} refused: {e}", self.local);
                }
                self.drain_e2e_events();
                self.drain_e2e_transmits();
                if disconnect {
                    self.events.push_back(NodeEvent::Disconnected { peer });
                }
            }
            _ => self.events.push_back(NodeEvent::Connected { peer }),
        }
    }

    /// Waits until every queued Record has been handed to its transport, then closes
    /// the transports.
    pub(crate) async fn close(&mut self) {
        std::future::poll_fn(|cx| {
            self.poll_send(cx);
            if self.slots.iter().all(|s| s.queue.is_empty() || s.closed) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        for slot in &mut self.slots {
            if !slot.closed {
                let mtp = &mut slot.mtp;
                let _ = std::future::poll_fn(|cx| mtp.poll_flush(cx)).await;
                let _ = std::future::poll_fn(|cx| mtp.poll_close(cx)).await;
                slot.closed = true;
            }
        }
    }
}

/// A seed for session identifiers that differs between runs and processes.
fn seed() -> u64 {
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
