//! Two sessions connected by a simulated link, with virtual time.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use usp_record::Record;
use usp_types::EndpointId;

use crate::{Event, SessionConfig, SessionContext};

/// What the link does to Records, decided by a deterministic generator.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Faults {
    /// Chance, in percent, that a Record is lost.
    pub(crate) drop: u8,
    /// Chance, in percent, that a Record arrives twice.
    pub(crate) duplicate: u8,
    /// Largest extra delay in milliseconds (reordering comes from unequal delays).
    pub(crate) jitter_ms: u64,
    /// Records larger than this are lost (an MTP frame limit).
    pub(crate) max_size: Option<usize>,
}

pub(crate) struct Side {
    pub(crate) session: SessionContext,
    pub(crate) events: Vec<Event>,
    /// Records put on the wire by this side, for inspection.
    pub(crate) sent: Vec<Record>,
}

impl Side {
    pub(crate) fn messages(&self) -> Vec<Bytes> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Message(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }
}

pub(crate) struct Pair {
    pub(crate) now: Instant,
    pub(crate) a: Side,
    pub(crate) b: Side,
    /// In flight: (arrival time, to b?, Record).
    wire: Vec<(Instant, bool, Record)>,
    pub(crate) faults: Faults,
    rng: u64,
    /// Base one-way latency.
    latency: Duration,
}

pub(crate) fn agent() -> EndpointId {
    "os::00256D-0123456789".parse().unwrap()
}

pub(crate) fn controller() -> EndpointId {
    "self::controller".parse().unwrap()
}

impl Pair {
    pub(crate) fn new(config: SessionConfig) -> Self {
        Self::with_configs(config.clone(), config)
    }

    pub(crate) fn with_configs(a: SessionConfig, b: SessionConfig) -> Self {
        let side = |local, remote, config, seed| Side {
            session: SessionContext::new(local, remote, Arc::new(config), seed),
            events: Vec::new(),
            sent: Vec::new(),
        };
        Self {
            // The origin of virtual time; nothing else reads the clock.
            #[allow(clippy::disallowed_methods)]
            now: Instant::now(),
            a: side(agent(), controller(), a, 1000),
            b: side(controller(), agent(), b, 2000),
            wire: Vec::new(),
            faults: Faults::default(),
            rng: 0x9e37_79b9_7f4a_7c15,
            latency: Duration::from_millis(10),
        }
    }

    fn random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    fn chance(&mut self, percent: u8) -> bool {
        self.random() % 100 < u64::from(percent)
    }

    /// Moves Records from the sessions onto the wire and events into the sides.
    fn collect(&mut self) {
        for to_b in [true, false] {
            loop {
                let side = if to_b { &mut self.a } else { &mut self.b };
                let Some(record) = side.session.poll_transmit() else {
                    break;
                };
                side.sent.push(record.clone());
                let lost = self.chance(self.faults.drop)
                    || self
                        .faults
                        .max_size
                        .is_some_and(|m| record.encoded_len() > m);
                if lost {
                    continue;
                }
                let copies = if self.chance(self.faults.duplicate) {
                    2
                } else {
                    1
                };
                for _ in 0..copies {
                    let jitter = if self.faults.jitter_ms == 0 {
                        0
                    } else {
                        self.random() % self.faults.jitter_ms
                    };
                    let at = self.now + self.latency + Duration::from_millis(jitter);
                    // Through the wire as bytes, as an MTP would carry it.
                    let record = Record::decode(record.to_bytes()).unwrap();
                    self.wire.push((at, to_b, record));
                }
            }
        }
        while let Some(e) = self.a.session.poll_event() {
            self.a.events.push(e);
        }
        while let Some(e) = self.b.session.poll_event() {
            self.b.events.push(e);
        }
    }

    /// Runs until nothing is in flight and no timer is due before `horizon` from now.
    pub(crate) fn drive_for(&mut self, horizon: Duration) {
        let end = self.now + horizon;
        for _ in 0..1_000_000 {
            self.collect();
            let next_wire = self.wire.iter().map(|(t, ..)| *t).min();
            let next_timer = [self.a.session.poll_timeout(), self.b.session.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            let Some(next) = [next_wire, next_timer].into_iter().flatten().min() else {
                return;
            };
            if next > end {
                return;
            }
            self.now = self.now.max(next);
            // Deliver everything due, in arrival order.
            let mut due: Vec<_> = Vec::new();
            let mut i = 0;
            while i < self.wire.len() {
                if self.wire[i].0 <= self.now {
                    due.push(self.wire.swap_remove(i));
                } else {
                    i += 1;
                }
            }
            due.sort_by_key(|(t, ..)| *t);
            for (_, to_b, record) in due {
                let side = if to_b { &mut self.b } else { &mut self.a };
                let _ = side.session.handle_record(self.now, record);
            }
            let now = self.now;
            self.a.session.handle_timeout(now);
            self.b.session.handle_timeout(now);
        }
        panic!("the pair did not settle");
    }

    pub(crate) fn drive(&mut self) {
        self.drive_for(Duration::from_secs(600));
    }

    pub(crate) fn send_a(&mut self, payload: impl Into<Bytes>) {
        self.a.session.send(self.now, payload.into()).unwrap();
    }

    pub(crate) fn send_b(&mut self, payload: impl Into<Bytes>) {
        self.b.session.send(self.now, payload.into()).unwrap();
    }

    /// Records in flight, for tests that tamper with them.
    pub(crate) fn take_wire(&mut self) -> VecDeque<Record> {
        self.collect();
        let mut all: Vec<_> = std::mem::take(&mut self.wire);
        all.sort_by_key(|(t, ..)| *t);
        all.into_iter().map(|(.., r)| r).collect()
    }
}
