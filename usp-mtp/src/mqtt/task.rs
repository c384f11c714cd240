//! The connection task of an [`MqttClient`](super::MqttClient): connects, subscribes, sends
//! the Connect Record, carries Records both ways, keeps every accepted Record until the
//! broker acknowledged it (sending it again on the next connection otherwise), and retries
//! with backoff.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use usp_record::Record;
use usp_types::ErrorCode;

use super::backend::{Ack, Connection, Event, Params, Sent};
use super::inbound::{Dropped, classify};
use super::outbound::{address, publish_len};
use super::peers::PeerVersions;
use super::plan::{Plan, plan};
use super::properties::ConnAckInfo;
use super::queue::Outgoing;
use super::retry::RetrySchedule;
use super::stats::Counters;
use super::topic::MAX_TOPIC_LEN;
use super::{MqttClientState, MqttConfig};
use crate::{ConnectionId, Inbound, MtpAddress, MtpError, MtpErrorKind};

/// The log target of the MQTT transport.
pub(crate) const LOG_TARGET: &str = "usp_mtp::mqtt";

/// How many PUBLISH requests wait in rumqttc's request channel at most.
const PUBLISH_WINDOW: usize = 16;

/// How long to wait for a DISCONNECT to be written before dropping the connection.
const DISCONNECT_WAIT: Duration = Duration::from_secs(1);

/// What the task tells the handle.
#[derive(Debug, Clone)]
pub(crate) struct Status {
    pub(crate) state: MqttClientState,
    pub(crate) last_error: Option<(MtpErrorKind, String)>,
    pub(crate) client_id: String,
    pub(crate) reply_to: Option<String>,
}

/// How a connection ended.
#[derive(Debug)]
enum End {
    /// The client is closing.
    Closed,
    /// Retry later.
    Failed(MtpError),
    /// No more attempts (R-MQTT.16, or a configuration the broker cannot serve).
    Disabled(MtpError),
}

#[derive(Debug)]
enum Phase {
    AwaitConnAck,
    AwaitSubAck,
    Ready,
    /// A DISCONNECT is on its way; then the connection ends like this.
    Ending(End),
}

/// One connection's state.
struct Session {
    conn: Connection,
    number: u64,
    phase: Phase,
    deadline: Option<Instant>,
    /// Requests in rumqttc's channel, and how many of them are PUBLISHes.
    in_channel: usize,
    publishes_in_channel: usize,
    /// PUBLISHes in rumqttc's channel, in order.
    submitted: VecDeque<Outgoing>,
    /// QoS 1 PUBLISHes written and not acknowledged, by packet identifier.
    inflight: HashMap<u16, Outgoing>,
    /// A PUBLISH waiting for its packet identifier to be free.
    waiting_pkid: Option<(u16, Outgoing)>,
    /// Acknowledgements to send.
    acks_due: VecDeque<Ack>,
    /// The Connect Record, sent before anything else.
    first: Option<Outgoing>,
    /// The Disconnect Record, sent after everything else when closing.
    last: Option<Outgoing>,
    plan: Option<Plan>,
    broker_max_packet: Option<u32>,
    disconnecting: bool,
}

impl Session {
    fn all_sent(&self) -> bool {
        self.submitted.is_empty()
            && self.inflight.is_empty()
            && self.waiting_pkid.is_none()
            && self.first.is_none()
            && self.last.is_none()
    }
}

/// What woke the task up.
enum Wake {
    Event(Option<Result<Event, MtpError>>),
    Deliver(mpsc::OwnedPermit<Inbound>),
    Accepted(Option<Outgoing>),
    Deadline,
}

/// The background task of a client.
pub(crate) struct Task {
    pub(crate) config: MqttConfig,
    pub(crate) params: Params,
    pub(crate) status: watch::Sender<Status>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) out_rx: mpsc::UnboundedReceiver<Outgoing>,
    pub(crate) in_tx: mpsc::Sender<Inbound>,
    /// Accepted Records not yet given to a connection, in acceptance order.
    pub(crate) waiting: VecDeque<Outgoing>,
    /// Received Records not yet in the receive queue, with what acknowledges them on the
    /// connection (by number) they came on.
    pub(crate) inbound: VecDeque<(Inbound, Option<(u64, Ack)>)>,
    pub(crate) peers: PeerVersions,
    pub(crate) closing: bool,
    pub(crate) connections: u64,
}

impl Task {
    pub(crate) async fn run(mut self) {
        let mut schedule = self.config.retry.schedule();
        let mut disabled = false;
        while !self.closing {
            let retry_count = schedule.retry_count();
            self.set_state(MqttClientState::Connecting { retry_count });
            match self.connection(&mut schedule).await {
                End::Closed => break,
                End::Disabled(e) => {
                    log::error!(target: LOG_TARGET, "MQTT MTP disabled: {e}");
                    self.set_error(&e);
                    disabled = true;
                    break;
                }
                End::Failed(e) => {
                    log::warn!(target: LOG_TARGET, "MQTT connection to {}:{} ended: {e}", self.config.host, self.config.port);
                    self.set_error(&e);
                }
            }
            if self.closing {
                break;
            }
            let wait = schedule.next_wait();
            self.set_state(MqttClientState::Waiting {
                retry_count: schedule.retry_count(),
                wait,
            });
            self.idle(Instant::now() + wait).await;
        }
        // What is still queued can no longer be sent: dropping it counts it as finished
        // with, so that `poll_flush` returns.
        self.out_rx.close();
        while let Ok(o) = self.out_rx.try_recv() {
            self.waiting.push_back(o);
        }
        let abandoned = self.waiting.iter().filter(|o| !o.is_own()).count();
        if abandoned > 0 {
            log::warn!(target: LOG_TARGET, "{abandoned} Records not sent: the MQTT client is closed");
        }
        Counters::add(&self.counters.abandoned, abandoned as u64);
        self.waiting.clear();
        // Received Records still wait for the handle, as far as the queue takes them.
        while let Some((inbound, _)) = self.inbound.pop_front() {
            if self.in_tx.try_send(inbound).is_err() {
                break;
            }
            Counters::add(&self.counters.received, 1);
        }
        self.set_state(if disabled {
            MqttClientState::Disabled
        } else {
            MqttClientState::Closed
        });
    }

    fn set_state(&self, state: MqttClientState) {
        self.status.send_modify(|s| s.state = state);
    }

    fn set_error(&self, e: &MtpError) {
        let parts = (e.kind(), e.to_string());
        self.status.send_modify(|s| s.last_error = Some(parts));
    }

    /// Waits between connections, still accepting Records and passing received ones up.
    async fn idle(&mut self, until: Instant) {
        loop {
            let wake = tokio::select! {
                () = tokio::time::sleep_until(until) => Wake::Deadline,
                permit = self.in_tx.clone().reserve_owned(), if !self.inbound.is_empty() => match permit {
                    Ok(p) => Wake::Deliver(p),
                    Err(_) => Wake::Accepted(None),
                },
                o = self.out_rx.recv() => Wake::Accepted(o),
            };
            match wake {
                Wake::Deadline | Wake::Event(_) => return,
                Wake::Deliver(permit) => {
                    self.deliver(permit);
                }
                Wake::Accepted(Some(o)) => self.waiting.push_back(o),
                Wake::Accepted(None) => {
                    self.closing = true;
                    return;
                }
            }
        }
    }

    /// Moves the oldest received Record into the receive queue; returns what acknowledges
    /// it (QoS 1) and the number of the connection it came on.
    fn deliver(&mut self, permit: mpsc::OwnedPermit<Inbound>) -> Option<(u64, Ack)> {
        let (inbound, ack) = self.inbound.pop_front()?;
        permit.send(inbound);
        Counters::add(&self.counters.received, 1);
        ack
    }

    /// One connection, from connecting to its end.
    async fn connection(&mut self, schedule: &mut RetrySchedule) -> End {
        let conn = Connection::start(&self.config, &self.params);
        self.connections += 1;
        let mut s = Session {
            conn,
            number: self.connections,
            phase: Phase::AwaitConnAck,
            deadline: Some(Instant::now() + self.config.connect_timeout),
            in_channel: 0,
            publishes_in_channel: 0,
            submitted: VecDeque::new(),
            inflight: HashMap::new(),
            waiting_pkid: None,
            acks_due: VecDeque::new(),
            first: None,
            last: None,
            plan: None,
            broker_max_packet: None,
            disconnecting: false,
        };
        let end = loop {
            let wake = tokio::select! {
                biased;
                event = s.conn.events.recv() => Wake::Event(event),
                permit = self.in_tx.clone().reserve_owned(), if !self.inbound.is_empty() => match permit {
                    Ok(p) => Wake::Deliver(p),
                    Err(_) => Wake::Accepted(None),
                },
                o = self.out_rx.recv(), if !self.closing => Wake::Accepted(o),
                () = sleep_until(s.deadline), if s.deadline.is_some() => Wake::Deadline,
            };
            let outcome = match wake {
                Wake::Event(Some(Ok(event))) => self.on_event(&mut s, event, schedule),
                Wake::Event(Some(Err(e))) => {
                    Some(match std::mem::replace(&mut s.phase, Phase::AwaitConnAck) {
                        Phase::Ending(end) => end,
                        _ if self.closing && s.disconnecting => End::Closed,
                        _ => End::Failed(e),
                    })
                }
                Wake::Event(None) => Some(End::Failed(MtpError::new(
                    MtpErrorKind::Closed,
                    "the MQTT connection ended",
                ))),
                Wake::Deliver(permit) => {
                    if let Some((number, ack)) = self.deliver(permit)
                        && number == s.number
                    {
                        s.acks_due.push_back(ack);
                    }
                    None
                }
                Wake::Accepted(Some(o)) => {
                    self.waiting.push_back(o);
                    None
                }
                Wake::Accepted(None) => {
                    self.closing = true;
                    self.start_closing(&mut s)
                }
                Wake::Deadline => self.on_deadline(&mut s),
            };
            if let Some(end) = outcome {
                break end;
            }
            self.pump(&mut s);
            if self.closing
                && matches!(s.phase, Phase::Ready)
                && !s.disconnecting
                && self.waiting.is_empty()
                && s.all_sent()
            {
                self.disconnect(&mut s);
            }
        };
        self.requeue(&mut s);
        end
    }

    /// Puts the Records the connection did not finish back in front of the waiting ones, in
    /// acceptance order. The transport's own Records are dropped (the next connection sends
    /// a new Connect Record).
    fn requeue(&mut self, s: &mut Session) {
        let mut back: Vec<Outgoing> = s
            .submitted
            .drain(..)
            .chain(s.inflight.drain().map(|(_, o)| o))
            .chain(s.waiting_pkid.take().map(|(_, o)| o))
            .filter(|o| !o.is_own())
            .collect();
        if back.is_empty() {
            return;
        }
        Counters::add(&self.counters.resent, back.len() as u64);
        back.extend(self.waiting.drain(..));
        back.sort_by_key(|o| o.seq);
        self.waiting = back.into();
    }

    fn on_deadline(&mut self, s: &mut Session) -> Option<End> {
        match &s.phase {
            Phase::AwaitConnAck | Phase::AwaitSubAck => Some(End::Failed(MtpError::new(
                MtpErrorKind::Timeout,
                format!(
                    "no {} within {:?}",
                    if matches!(s.phase, Phase::AwaitConnAck) {
                        "CONNACK"
                    } else {
                        "SUBACK"
                    },
                    self.config.connect_timeout
                ),
            ))),
            Phase::Ready if self.closing && !s.disconnecting => {
                // The close timeout: what is not acknowledged by now is given up.
                self.disconnect(s);
                None
            }
            Phase::Ready if self.closing => Some(End::Closed),
            Phase::Ready => {
                s.deadline = None;
                None
            }
            Phase::Ending(_) => match std::mem::replace(&mut s.phase, Phase::AwaitConnAck) {
                Phase::Ending(end) => Some(end),
                _ => None,
            },
        }
    }

    fn start_closing(&mut self, s: &mut Session) -> Option<End> {
        if !matches!(s.phase, Phase::Ready) {
            return Some(End::Closed);
        }
        s.deadline = Some(Instant::now() + self.config.close_timeout);
        if let (true, Some((peer, topic))) = (self.config.disconnect_on_close, &self.config.peer) {
            let record = Record::disconnect(
                peer.clone(),
                self.config.endpoint_id.clone(),
                ErrorCode::SESSION_CONTEXT_TERMINATED,
                "the Endpoint closes its MQTT MTP",
            )
            .to_bytes();
            s.last = Some(Outgoing::own(record, topic.clone()));
        }
        None
    }

    /// Sends DISCONNECT (R-MQTT.35) and waits at most [`DISCONNECT_WAIT`] for it.
    fn disconnect(&mut self, s: &mut Session) {
        if s.disconnecting {
            return;
        }
        s.disconnecting = true;
        if s.conn.disconnect().is_ok() {
            s.in_channel += 1;
        }
        s.deadline = Some(Instant::now() + DISCONNECT_WAIT);
    }

    /// Ends the connection with `end` after a DISCONNECT.
    fn end_with_disconnect(&mut self, s: &mut Session, end: End) -> Option<End> {
        self.disconnect(s);
        s.phase = Phase::Ending(end);
        None
    }

    fn on_event(
        &mut self,
        s: &mut Session,
        event: Event,
        schedule: &mut RetrySchedule,
    ) -> Option<End> {
        match event {
            Event::ConnAck(info) => self.on_connack(s, &info),
            Event::SubAck(granted) => self.on_suback(s, &granted, schedule),
            Event::Publish(received, ack) => {
                let ack = ack.map(|a| (s.number, a));
                let default_reply = self.config.peer.as_ref().map(|(_, t)| t.as_str());
                let overflow = self.inbound.len() >= 2 * self.config.recv_queue + 128;
                match classify(&received, self.config.max_record_size, default_reply) {
                    Ok(accepted) if !overflow => {
                        if let Some((topic, version)) = accepted.learned {
                            self.peers.learn(topic, version);
                        }
                        let reply_to = MtpAddress::Mqtt {
                            topic: accepted.reply_to,
                            response_topic: None,
                        };
                        self.inbound
                            .push_back((Inbound::new(accepted.record, reply_to), ack));
                    }
                    Ok(_) => {
                        log::warn!(target: LOG_TARGET, "dropped a received Record: the receive queue is full beyond flow control");
                        Counters::add(&self.counters.dropped_overflow, 1);
                        s.acks_due.extend(ack.map(|(_, a)| a));
                    }
                    Err(dropped) => {
                        log::warn!(
                            target: LOG_TARGET,
                            "dropped a PUBLISH received on {:?}: {dropped}",
                            truncated(&received.topic)
                        );
                        let counter = match dropped {
                            Dropped::TooLarge { .. } => &self.counters.dropped_too_large,
                            Dropped::ContentType(_) | Dropped::NotARecord(_) => {
                                &self.counters.dropped_not_usp
                            }
                            Dropped::NoReplyTo => &self.counters.dropped_no_reply_to,
                        };
                        Counters::add(counter, 1);
                        s.acks_due.extend(ack.map(|(_, a)| a));
                    }
                }
                None
            }
            Event::PubAck(pkid, error) => {
                if let Some(o) = s.inflight.remove(&pkid)
                    && let Some(error) = error
                {
                    log::warn!(target: LOG_TARGET, "the broker refused a PUBLISH to {:?}: {error}; the Record is given up", o.to);
                    if !o.is_own() {
                        Counters::add(&self.counters.refused, 1);
                    }
                }
                None
            }
            Event::Sent(sent) => self.on_sent(s, sent),
        }
    }

    fn on_sent(&mut self, s: &mut Session, sent: Sent) -> Option<End> {
        match sent {
            Sent::Publish(pkid) => {
                if let Some((waiting, _)) = &s.waiting_pkid
                    && *waiting == pkid
                    && pkid != 0
                {
                    // The PUBLISH that waited for its packet identifier went out.
                    if let Some((pkid, o)) = s.waiting_pkid.take() {
                        s.inflight.insert(pkid, o);
                    }
                    return None;
                }
                s.in_channel = s.in_channel.saturating_sub(1);
                s.publishes_in_channel = s.publishes_in_channel.saturating_sub(1);
                let o = s.submitted.pop_front()?;
                if !o.is_own() {
                    Counters::add(&self.counters.published, 1);
                }
                if pkid != 0 {
                    s.inflight.insert(pkid, o);
                }
                // QoS 0: written and flushed; dropping it finishes it.
                None
            }
            Sent::Waiting(pkid) => {
                s.in_channel = s.in_channel.saturating_sub(1);
                s.publishes_in_channel = s.publishes_in_channel.saturating_sub(1);
                if let Some(o) = s.submitted.pop_front() {
                    s.waiting_pkid = Some((pkid, o));
                }
                None
            }
            Sent::PubAck | Sent::Subscribe => {
                s.in_channel = s.in_channel.saturating_sub(1);
                None
            }
            Sent::Disconnect => {
                s.in_channel = s.in_channel.saturating_sub(1);
                match std::mem::replace(&mut s.phase, Phase::AwaitConnAck) {
                    Phase::Ending(end) => Some(end),
                    _ => Some(End::Closed),
                }
            }
        }
    }

    fn on_connack(&mut self, s: &mut Session, info: &ConnAckInfo) -> Option<End> {
        let client_id = self.params.client_id.clone();
        let plan = match plan(&self.config, info, &client_id) {
            Ok(plan) => plan,
            Err(e) if e.kind() == MtpErrorKind::Config => {
                return self.end_with_disconnect(s, End::Disabled(e));
            }
            Err(e) => return self.end_with_disconnect(s, End::Failed(e)),
        };
        if plan.client_id != self.params.client_id {
            // R-MQTT.9, R-MQTT.11: the assigned ClientId is used from now on.
            self.params.client_id.clone_from(&plan.client_id);
            let id = plan.client_id.clone();
            self.status.send_modify(|st| st.client_id = id);
        }
        s.broker_max_packet = info.max_packet_size;
        if s.conn.subscribe(&plan.filters).is_ok() {
            s.in_channel += 1;
        } else {
            return Some(End::Failed(MtpError::new(
                MtpErrorKind::Closed,
                "the MQTT connection ended before SUBSCRIBE",
            )));
        }
        let reply_to = plan.reply_to.clone();
        self.status.send_modify(|st| st.reply_to = Some(reply_to));
        s.plan = Some(plan);
        s.phase = Phase::AwaitSubAck;
        s.deadline = Some(Instant::now() + self.config.connect_timeout);
        None
    }

    fn on_suback(
        &mut self,
        s: &mut Session,
        granted: &[bool],
        schedule: &mut RetrySchedule,
    ) -> Option<End> {
        let Some(plan) = &s.plan else {
            return None;
        };
        if !matches!(s.phase, Phase::AwaitSubAck) {
            return None;
        }
        let refused: Vec<&str> = plan
            .filters
            .iter()
            .zip(granted.iter().copied().chain(std::iter::repeat(false)))
            .filter(|(_, ok)| !ok)
            .map(|((f, _), _)| f.as_str())
            .collect();
        if refused.len() == plan.filters.len() {
            // R-MQTT.17: no subscription, no PUBLISH, and DISCONNECT.
            let e = MtpError::new(
                MtpErrorKind::Protocol,
                format!("the broker refused every subscription ({refused:?}) (R-MQTT.17)"),
            );
            return self.end_with_disconnect(s, End::Failed(e));
        }
        if !refused.is_empty() {
            log::warn!(target: LOG_TARGET, "the broker refused the subscriptions {refused:?}");
        }
        s.phase = Phase::Ready;
        s.deadline = None;
        schedule.reset();
        Counters::add(&self.counters.connections, 1);
        let established = self.counters.snapshot().connections;
        let connection = ConnectionId::new(established);
        self.set_state(MqttClientState::Connected { connection });
        // R-MTP.6, R-MTP.8: the Connect Record goes before any other Record.
        if let (true, Some((peer, topic))) = (self.config.send_connect_record, &self.config.peer) {
            match Record::mqtt_connect(
                peer.clone(),
                self.config.endpoint_id.clone(),
                self.config.version,
                plan.reply_to.clone(),
            ) {
                Ok(record) => s.first = Some(Outgoing::own(record.to_bytes(), topic.clone())),
                Err(e) => log::warn!(target: LOG_TARGET, "cannot build the MQTTConnectRecord: {e}"),
            }
        }
        if self.closing {
            return self.start_closing(s);
        }
        None
    }

    /// Gives rumqttc what it has room for: acknowledgements, then (once subscribed) the
    /// Connect Record, the accepted Records in order, and the Disconnect Record.
    fn pump(&mut self, s: &mut Session) {
        let capacity = self.params.requests;
        while s.in_channel < capacity {
            let Some(ack) = s.acks_due.front() else {
                break;
            };
            if s.conn.ack(*ack).is_err() {
                break;
            }
            s.acks_due.pop_front();
            s.in_channel += 1;
        }
        if !matches!(s.phase, Phase::Ready) || s.disconnecting {
            return;
        }
        let Some(plan) = &s.plan else {
            return;
        };
        let reply_to = plan.reply_to.clone();
        while s.in_channel < capacity && s.publishes_in_channel < PUBLISH_WINDOW {
            let (o, from) = if let Some(o) = s.first.take() {
                (o, Source::First)
            } else if let Some(o) = self.waiting.pop_front() {
                (o, Source::Waiting)
            } else if let Some(o) = s.last.take() {
                (o, Source::Last)
            } else {
                break;
            };
            let reply = o.reply_to.as_deref().unwrap_or(&reply_to);
            let addressed = address(self.config.version, &o.to, reply, self.peers.get(&o.to));
            let len = publish_len(self.config.version, &addressed, o.record.len());
            let too_large = s
                .broker_max_packet
                .is_some_and(|max| len > usize::try_from(max).unwrap_or(usize::MAX))
                || addressed.topic.len() > MAX_TOPIC_LEN;
            if too_large {
                log::warn!(target: LOG_TARGET, "a Record to {:?} cannot be sent: its PUBLISH of {len} bytes is larger than the broker accepts ({:?}), or its Topic Name is too long", o.to, s.broker_max_packet);
                if !o.is_own() {
                    Counters::add(&self.counters.abandoned, 1);
                }
                continue;
            }
            let result = s.conn.publish(
                addressed.topic,
                self.config.qos,
                o.record.clone(),
                addressed.response_topic,
            );
            if result.is_err() {
                match from {
                    Source::First => s.first = Some(o),
                    Source::Waiting => self.waiting.push_front(o),
                    Source::Last => s.last = Some(o),
                }
                break;
            }
            s.in_channel += 1;
            s.publishes_in_channel += 1;
            s.submitted.push_back(o);
        }
    }
}

/// Where a Record being submitted came from, to put it back there.
#[derive(Debug, Clone, Copy)]
enum Source {
    First,
    Waiting,
    Last,
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// The first 128 characters of a topic, for log lines.
fn truncated(topic: &str) -> &str {
    match topic.char_indices().nth(128) {
        Some((i, _)) => &topic[..i],
        None => topic,
    }
}
