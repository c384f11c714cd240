//! `SessionConfig`: the E2E session parameters of `Device.LocalAgent.Controller.{i}.E2ESession`.

use std::time::Duration;

use usp_record::PayloadSecurity;

/// Settings of E2E Session Contexts, shared by every session of an endpoint (wrap it in an
/// `Arc`). The defaults are the data model's factory defaults where it has one.
///
/// ```
/// use std::time::Duration;
/// use usp_e2e::SessionConfig;
///
/// let mut config = SessionConfig::default();
/// config.max_record_size(Some(4096))?.session_expiration(Duration::from_secs(600));
/// # Ok::<(), usp_e2e::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SessionConfig {
    pub(crate) max_record_size: Option<usize>,
    pub(crate) max_retransmit_tries: u32,
    pub(crate) session_expiration: Option<Duration>,
    pub(crate) retry_minimum_wait: Duration,
    pub(crate) retry_interval_multiplier: u32,
    pub(crate) retransmit_request_delay: Duration,
    pub(crate) ack_delay: Option<Duration>,
    pub(crate) resend_timeout: Option<Duration>,
    pub(crate) max_reassembly_bytes: usize,
    pub(crate) max_buffered_records: usize,
    pub(crate) payload_security: PayloadSecurity,
    pub(crate) allowed: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            max_record_size: None,
            max_retransmit_tries: 3,
            session_expiration: Some(Duration::from_secs(3600)),
            retry_minimum_wait: Duration::from_secs(5),
            retry_interval_multiplier: 2000,
            retransmit_request_delay: Duration::from_secs(1),
            ack_delay: None,
            resend_timeout: None,
            max_reassembly_bytes: 16 << 20,
            max_buffered_records: 1024,
            payload_security: PayloadSecurity::Plaintext,
            allowed: true,
        }
    }
}

/// A setting out of the range the specification or this implementation allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {reason}")]
#[non_exhaustive]
pub struct ConfigError {
    /// The setting.
    pub setting: &'static str,
    /// Why the value was refused.
    pub reason: &'static str,
}

/// The smallest maximum Record size accepted: room for the Record header and a payload
/// piece of useful size.
pub const MIN_RECORD_SIZE: usize = 256;

impl SessionConfig {
    /// The maximum size of a whole encoded Record (`MaxUSPRecordSize`); a Message that does
    /// not fit is segmented. `None` (the data model's 0) means no limit.
    pub fn max_record_size(&mut self, size: Option<usize>) -> Result<&mut Self, ConfigError> {
        if size.is_some_and(|s| s < MIN_RECORD_SIZE) {
            return Err(ConfigError {
                setting: "max_record_size",
                reason: "must be at least 256 bytes to leave room for the Record header",
            });
        }
        self.max_record_size = size;
        Ok(self)
    }

    /// How many times one Record may be retransmitted on request before the session is
    /// considered failed and restarted (`MaxRetransmitTries`, default 3).
    pub fn max_retransmit_tries(&mut self, tries: u32) -> &mut Self {
        self.max_retransmit_tries = tries;
        self
    }

    /// How long a session may stay without any Record exchanged before it expires
    /// (`SessionExpiration`, default 3600 s; `None`: never, R-E2E.7).
    pub fn session_expiration(&mut self, expiration: impl Into<Option<Duration>>) -> &mut Self {
        self.session_expiration = expiration.into();
        self
    }

    /// The R-E2E.10 retry policy: the minimum wait `m` (`SessionRetryMinimumWaitInterval`,
    /// default 5 s) and the multiplier `k` in thousandths (`SessionRetryIntervalMultiplier`,
    /// default 2000).
    pub fn retry_policy(
        &mut self,
        minimum_wait: Duration,
        multiplier: u32,
    ) -> Result<&mut Self, ConfigError> {
        if multiplier < 1000 {
            return Err(ConfigError {
                setting: "retry_interval_multiplier",
                reason: "must be at least 1000 (the data model's range is 1000 to 65535)",
            });
        }
        self.retry_minimum_wait = minimum_wait;
        self.retry_interval_multiplier = multiplier;
        Ok(self)
    }

    /// How long a gap in received sequence numbers may last before the session asks the
    /// peer to send the missing Record again (the specification leaves this timing open;
    /// default 1 s).
    pub fn retransmit_request_delay(&mut self, delay: Duration) -> &mut Self {
        self.retransmit_request_delay = delay;
        self
    }

    /// When set, a session that received Records but has nothing to send acknowledges them
    /// with an empty Record after this delay, so the peer can release its outgoing buffer
    /// (R-E2E.16). Off by default: the specification does not require it.
    pub fn ack_delay(&mut self, delay: Option<Duration>) -> &mut Self {
        self.ack_delay = delay;
        self
    }

    /// When set, the oldest Record still unacknowledged after this long is sent again
    /// (at most `max_retransmit_tries` times), so that a lost last Record, which the peer
    /// cannot see missing, is recovered once the peer acknowledges. Resending is safe: a
    /// receiver ignores duplicates (R-E2E.25). Off by default, as the specification has no
    /// such timer and TP-469 test 3.12 counts the copies an Agent sends; turn it on for
    /// lossy links with peers that acknowledge ([`ack_delay`](Self::ack_delay)).
    pub fn resend_timeout(&mut self, timeout: Option<Duration>) -> &mut Self {
        self.resend_timeout = timeout;
        self
    }

    /// Bounds on reassembly and on the buffer of out-of-order Records, per session: bytes of
    /// a Message being reassembled (default 16 MiB) and Records held (default 1024).
    /// Exceeding them fails the session (R-E2E.21), it never grows memory.
    pub fn limits(
        &mut self,
        max_reassembly_bytes: usize,
        max_buffered_records: usize,
    ) -> &mut Self {
        self.max_reassembly_bytes = max_reassembly_bytes;
        self.max_buffered_records = max_buffered_records.max(1);
        self
    }

    /// Whether sessions are allowed at all. When not, a Record that starts a session is
    /// answered with a Disconnect 7106 (R-E2E.6a).
    pub fn allowed(&mut self, allowed: bool) -> &mut Self {
        self.allowed = allowed;
        self
    }
}
