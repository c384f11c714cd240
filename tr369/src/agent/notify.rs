//! Notifications: which Subscriptions a change triggers, and the retry of those sent
//! with `send_resp` (R-NOT.1 to R-NOT.3).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::task::Context;
use std::time::{Duration, Instant};

use bytes::Bytes;
use usp_datamodel::{Instances, Path};
use usp_msg::{Msg, Notify};
use usp_types::EndpointId;

use super::model::{NotifType, SUBSCRIPTION_TABLE};
use super::serve::{Change, Core};
use super::{Driver, Fault, Operation};
use crate::node::Deadline;

/// One enabled Subscription, read from its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Sub {
    id: String,
    recipient: EndpointId,
    controller_row: String,
    notif_type: NotifType,
    references: Vec<String>,
    retry: bool,
    expiration: u32,
}

/// A notification waiting for its NotifyResp.
#[derive(Debug)]
struct Waiting {
    payload: Bytes,
    retries: u32,
    next: Instant,
    expires: Option<Instant>,
    min_wait: Duration,
    multiplier: u32,
}

/// Notifications sent with `send_resp` and not yet answered.
#[derive(Debug)]
pub(super) struct Outbox {
    waiting: HashMap<(EndpointId, String), Waiting>,
    timer: Deadline,
    rng: u64,
}

/// Retries sent in one go; the rest wait for the next poll.
const MAX_DUE_PER_POLL: usize = 256;

/// Notifications waiting for an answer beyond this are dropped, oldest first.
const MAX_WAITING: usize = 10_000;

impl Outbox {
    pub(super) fn new() -> Self {
        Self {
            waiting: HashMap::new(),
            timer: Deadline::new(),
            // Non-zero (xorshift stays at 0) and different for every Agent.
            rng: crate::node::seed() | 1,
        }
    }

    fn random(&mut self) -> u64 {
        // xorshift64*: enough to spread retries.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// The wait before retry number `retries` (1 for the first), chosen at random in the
    /// R-NOT.1 range `m·(k/1000)^(n-1)` to `m·(k/1000)^n`, fixed from the tenth on
    /// (R-NOT.2).
    pub(super) fn wait(&mut self, min_wait: Duration, multiplier: u32, retries: u32) -> Duration {
        let n = retries.clamp(1, 10);
        // TR-181 ranges: m 1..=65535 s, k 1000..=65535; values outside are clamped, so a
        // Controller cannot make the Agent retry in a loop.
        let k = f64::from(multiplier.clamp(1000, 65_535)) / 1000.0;
        let m = min_wait.as_secs_f64().clamp(1.0, 65_535.0);
        let low = m * k.powi(n as i32 - 1);
        let high = m * k.powi(n as i32);
        let r = (self.random() >> 11) as f64 / (1u64 << 53) as f64;
        Duration::from_secs_f64(low + (high - low) * r)
    }

    fn push(&mut self, to: EndpointId, msg_id: String, mut waiting: Waiting) {
        if self.waiting.len() >= MAX_WAITING
            && let Some(oldest) = self
                .waiting
                .iter()
                .min_by_key(|(_, w)| w.next)
                .map(|(k, _)| k.clone())
        {
            log::warn!(
                "notification {} to {} dropped: too many waiting",
                oldest.1,
                oldest.0
            );
            self.waiting.remove(&oldest);
        }
        waiting.next = crate::node::now() + self.wait(waiting.min_wait, waiting.multiplier, 1);
        self.waiting.insert((to, msg_id), waiting);
    }

    /// A NotifyResp arrived (R-NOT.3: the next notification starts from zero retries,
    /// which each new one does).
    pub(super) fn delivered(&mut self, from: &EndpointId, msg_id: &str) {
        self.waiting.remove(&(from.clone(), msg_id.to_owned()));
    }

    /// The notifications waiting for `peer`, to send again at once (it reconnected).
    pub(super) fn due_for(&self, peer: &EndpointId) -> Vec<Bytes> {
        self.waiting
            .iter()
            .filter(|((to, _), _)| to == peer)
            .map(|(_, w)| w.payload.clone())
            .collect()
    }

    /// The notifications due for a retry now, each rescheduled; expired ones are dropped.
    /// Registers the timer for the next one.
    pub(super) fn poll_due(
        &mut self,
        cx: &mut Context<'_>,
        now: Instant,
    ) -> Option<Vec<(EndpointId, Bytes)>> {
        let mut due = Vec::new();
        let mut expired = Vec::new();
        let mut waits = Vec::new();
        for (key, w) in &self.waiting {
            if w.expires.is_some_and(|e| e <= now) {
                expired.push(key.clone());
            } else if w.next <= now && due.len() < MAX_DUE_PER_POLL {
                waits.push((key.clone(), w.min_wait, w.multiplier, w.retries + 1));
                due.push((key.0.clone(), w.payload.clone()));
            }
        }
        for key in expired {
            log::info!(
                "notification {} to {} expired (NotifExpiration)",
                key.1,
                key.0
            );
            self.waiting.remove(&key);
        }
        for (key, min_wait, multiplier, retries) in waits {
            // Retry number `retries` is being sent now; the next one waits in its range.
            let wait = self.wait(min_wait, multiplier, retries + 1);
            if let Some(w) = self.waiting.get_mut(&key) {
                w.retries = retries;
                w.next = now + wait;
            }
        }
        if !due.is_empty() {
            return Some(due);
        }
        let next = self
            .waiting
            .values()
            .map(|w| w.expires.map_or(w.next, |e| e.min(w.next)))
            .min();
        self.timer.poll(cx, next);
        None
    }
}

/// Appends `s` as a JSON string.
pub(super) fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The enabled Subscriptions of `kind` whose Controller is enabled.
fn subscriptions(core: &Core, kind: NotifType) -> Vec<Sub> {
    let data = &core.data;
    let mut out = Vec::new();
    for n in data.instance_numbers(SUBSCRIPTION_TABLE) {
        let get = |p: &str| {
            data.row_value(SUBSCRIPTION_TABLE, n, p)
                .map(|v| v.into_owned())
        };
        let enabled = matches!(get("Enable").as_deref(), Some("true" | "1"));
        let Some(notif_type) = get("NotifType").as_deref().and_then(NotifType::parse) else {
            continue;
        };
        if !enabled || notif_type != kind {
            continue;
        }
        let Some(row) = get("Recipient") else {
            continue;
        };
        let object = if row.ends_with('.') {
            row.clone()
        } else {
            format!("{row}.")
        };
        if matches!(
            data.value(&object, "Enable").as_deref(),
            Some("false" | "0")
        ) {
            continue;
        }
        let Some(recipient) = data
            .value(&object, "EndpointID")
            .and_then(|id| EndpointId::lenient(&id).ok())
        else {
            continue;
        };
        out.push(Sub {
            id: get("ID").unwrap_or_default(),
            recipient,
            controller_row: object,
            notif_type,
            references: get("ReferenceList")
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            retry: matches!(get("NotifRetry").as_deref(), Some("true" | "1")),
            expiration: get("NotifExpiration")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        });
    }
    out
}

/// Whether a `ReferenceList` entry addresses `path` or something above it.
fn refers(core: &Core, reference: &str, path: &str) -> bool {
    let Ok(p) = reference.parse::<Path>() else {
        return false;
    };
    match core.model().resolve(&p) {
        Ok(targets) => targets.iter().any(|t| {
            let tp = t.path();
            tp == path || (tp.ends_with('.') && path.starts_with(tp.as_str()))
        }),
        Err(_) => false,
    }
}

/// The Subscriptions of `kind` that watch `path`.
pub(super) fn matching(core: &Core, kind: NotifType, path: &str) -> Vec<Sub> {
    subscriptions(core, kind)
        .into_iter()
        .filter(|s| s.references.iter().any(|r| refers(core, r, path)))
        .collect()
}

impl Driver {
    /// Sends the notifications that changes trigger.
    pub(super) fn changed(&mut self, changes: Vec<Change>) {
        for change in changes {
            let subs = match &change {
                Change::Value { path, .. } => matching(&self.core, NotifType::ValueChange, path),
                Change::Created { path, .. } => {
                    matching(&self.core, NotifType::ObjectCreation, path)
                }
                // Matched before the instance went: a search on its values needs them.
                Change::Deleted { matched, .. } => matched.clone(),
            };
            for sub in subs {
                let notify = match &change {
                    Change::Value { path, value } => {
                        Notify::value_change(sub.id.clone(), path.clone(), value.clone())
                    }
                    Change::Created { path, keys } => {
                        Notify::object_creation(sub.id.clone(), path.clone(), keys.clone())
                    }
                    Change::Deleted { path, .. } => {
                        Notify::object_deletion(sub.id.clone(), path.clone())
                    }
                };
                self.send_notify(&sub, notify);
            }
        }
    }

    /// Sends an Event notification (`Device.Boot!`, `Device.X.Y.1.Done!`).
    pub(super) fn event_notify(&mut self, path: &str, args: &BTreeMap<String, String>) {
        let Some(dot) = path.rfind('.') else { return };
        let (object, name) = (&path[..=dot], &path[dot + 1..]);
        for sub in matching(&self.core, NotifType::Event, path) {
            let notify = Notify::event(
                sub.id.clone(),
                object.to_owned(),
                name.to_owned(),
                args.clone(),
            );
            self.send_notify(&sub, notify);
        }
    }

    /// Sends OperationComplete for a finished asynchronous command.
    pub(super) fn operation_complete(
        &mut self,
        op: &Operation,
        outcome: &Result<BTreeMap<String, String>, Fault>,
    ) {
        let Some(dot) = op.command.rfind('.') else {
            return;
        };
        let (object, name) = (&op.command[..=dot], &op.command[dot + 1..]);
        for sub in matching(&self.core, NotifType::OperationComplete, &op.command) {
            let notify = match outcome {
                Ok(out) => Notify::operation_complete_success(
                    sub.id.clone(),
                    object.to_owned(),
                    name.to_owned(),
                    op.command_key.clone(),
                    out.clone(),
                ),
                Err(f) => Notify::operation_complete_failure(
                    sub.id.clone(),
                    object.to_owned(),
                    name.to_owned(),
                    op.command_key.clone(),
                    f.code,
                    f.message.clone(),
                ),
            };
            self.send_notify(&sub, notify);
        }
    }

    fn send_notify(&mut self, sub: &Sub, notify: Notify<'static>) {
        self.next_op += 1;
        let msg_id = format!("notify-{}", self.next_op);
        let payload = Msg::request(msg_id.as_str(), notify.send_resp(sub.retry)).to_bytes();
        if sub.retry {
            let data = &self.core.data;
            let min_wait = data
                .value(&sub.controller_row, "USPNotifRetryMinimumWaitInterval")
                .and_then(|v| v.parse().ok())
                .unwrap_or(5);
            let multiplier = data
                .value(&sub.controller_row, "USPNotifRetryIntervalMultiplier")
                .and_then(|v| v.parse().ok())
                .unwrap_or(2000);
            let now = crate::node::now();
            self.outbox.push(
                sub.recipient.clone(),
                msg_id,
                Waiting {
                    payload: payload.clone(),
                    retries: 0,
                    next: now,
                    expires: (sub.expiration > 0)
                        .then(|| now + Duration::from_secs(u64::from(sub.expiration))),
                    min_wait: Duration::from_secs(min_wait),
                    multiplier,
                },
            );
        }
        if let Err(e) = self
            .node
            .send(&sub.recipient, payload, crate::node::Via::Default)
        {
            log::info!(
                "{}: {} notification for {} not sent now: {e}",
                self.node.local(),
                sub.notif_type,
                sub.recipient
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn r_not_1_retry_waits_grow_and_stop_growing_at_the_tenth() {
        let mut outbox = Outbox::new();
        let m = Duration::from_secs(5);
        for n in 1..=12u32 {
            let w = outbox.wait(m, 2000, n).as_secs_f64();
            let e = n.min(10) as i32;
            let low = 5.0 * 2f64.powi(e - 1);
            let high = 5.0 * 2f64.powi(e);
            assert!(w >= low && w <= high, "retry {n}: {w} not in {low}..{high}");
        }
    }

    /// R-NOT.1/R-NOT.2 as a schedule: the n-th retry waits in the n-th range.
    #[tokio::test]
    async fn r_not_1_each_retry_waits_in_its_own_range() {
        let mut outbox = Outbox::new();
        let peer: EndpointId = "self::c".parse().unwrap();
        let waiting = Waiting {
            payload: Bytes::from_static(b"n"),
            retries: 0,
            next: Instant::now(),
            expires: None,
            min_wait: Duration::from_secs(5),
            multiplier: 2000,
        };
        let t0 = Instant::now();
        outbox.push(peer.clone(), "m".into(), waiting);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut at = t0;
        for n in 1..=12u32 {
            let next = outbox.waiting.values().next().unwrap().next;
            let waited = (next - at).as_secs_f64();
            let e = n.min(10) as i32;
            let (low, high) = (5.0 * 2f64.powi(e - 1), 5.0 * 2f64.powi(e));
            assert!(
                waited >= low - 0.01 && waited <= high + 0.01,
                "retry {n}: waited {waited}, range {low}..{high}"
            );
            at = next;
            let due = outbox.poll_due(&mut cx, next).expect("due at its time");
            assert_eq!(due.len(), 1);
        }
        outbox.delivered(&peer, "m");
        assert!(outbox.waiting.is_empty());
    }

    #[tokio::test]
    async fn a_zero_minimum_wait_is_clamped_to_one_second() {
        let mut outbox = Outbox::new();
        let w = outbox.wait(Duration::ZERO, 0, 1);
        assert!(w >= Duration::from_secs(1), "{w:?}");
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut s = String::new();
        json_string(&mut s, "a\"b\\c\n\u{1}é");
        assert_eq!(s, "\"a\\\"b\\\\c\\n\\u0001é\"");
    }
}
