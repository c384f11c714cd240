//! `E2eEndpoint`: sessions with several peers, Records routed by `from_id`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use usp_record::Record;
use usp_types::EndpointId;

use crate::{E2eError, Event, SessionConfig, SessionContext};

/// The E2E sessions of one local Endpoint with any number of peers: an Agent serving
/// several Controllers, or a Controller managing many Agents. Records are routed by
/// `from_id` (R-E2E.5: at most one session per pair); a session is created on the first
/// Record or send.
#[derive(Debug)]
pub struct E2eEndpoint {
    local: EndpointId,
    config: Arc<SessionConfig>,
    sessions: HashMap<EndpointId, SessionContext>,
    seed: u64,
}

impl E2eEndpoint {
    /// An endpoint for `local`; `seed` as for [`SessionContext::new`].
    pub fn new(local: EndpointId, config: Arc<SessionConfig>, seed: u64) -> Self {
        Self {
            local,
            config,
            sessions: HashMap::new(),
            seed,
        }
    }

    fn session(&mut self, remote: &EndpointId) -> &mut SessionContext {
        match self.sessions.entry(remote.clone()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                // Distinct seeds per peer, so session identifiers differ between peers.
                self.seed = self
                    .seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                e.insert(SessionContext::new(
                    self.local.clone(),
                    remote.clone(),
                    self.config.clone(),
                    self.seed >> 1,
                ))
            }
        }
    }

    /// Whether `record` is for this endpoint's sessions: addressed to it and of a kind a
    /// session handles.
    pub fn accepts(&self, record: &Record) -> bool {
        record.to_id() == &self.local
            && (record.session_context_fields().is_some()
                || matches!(record.kind(), usp_record::RecordKind::Disconnect(_)))
    }

    /// Routes a Record to the session with its sender.
    pub fn handle_record(&mut self, now: Instant, record: Record) -> Result<(), E2eError> {
        if record.to_id() != &self.local {
            return Err(E2eError::WrongEndpoint);
        }
        let remote = record.from_id().clone();
        self.session(&remote).handle_record(now, record)
    }

    /// Sends an encoded Message to `remote`.
    pub fn send(
        &mut self,
        now: Instant,
        remote: &EndpointId,
        payload: Bytes,
    ) -> Result<(), E2eError> {
        self.session(remote).send(now, payload)
    }

    /// Handles the passing of time for every session.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.sessions
            .values_mut()
            .for_each(|s| s.handle_timeout(now));
    }

    /// The next Record to send, from any session.
    pub fn poll_transmit(&mut self) -> Option<Record> {
        self.sessions
            .values_mut()
            .find_map(SessionContext::poll_transmit)
    }

    /// The next event of any session, with the peer it concerns.
    pub fn poll_event(&mut self) -> Option<(EndpointId, Event)> {
        self.sessions
            .iter_mut()
            .find_map(|(id, s)| s.poll_event().map(|e| (id.clone(), e)))
    }

    /// The earliest deadline of any session.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.sessions
            .values()
            .filter_map(SessionContext::poll_timeout)
            .min()
    }

    /// The session with `remote`, if any.
    pub fn get(&self, remote: &EndpointId) -> Option<&SessionContext> {
        self.sessions.get(remote)
    }

    /// Forgets the session with `remote` (after an MTP disconnect, for instance).
    pub fn remove(&mut self, remote: &EndpointId) -> Option<SessionContext> {
        self.sessions.remove(remote)
    }
}
