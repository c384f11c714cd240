//! The STOMP connection retry state (R-STOMP.7, R-STOMP.25): waits that grow from
//! `ServerRetryInitialInterval` by `ServerRetryIntervalMultiplier` up to
//! `ServerRetryMaxInterval`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::ops::RangeInclusive;
use std::time::Duration;

/// The retry policy of a STOMP client: the `STOMP.Connection.{i}.` parameters
/// `ServerRetryInitialInterval` (`m`), `ServerRetryIntervalMultiplier` (`k`, in
/// thousandths) and `ServerRetryMaxInterval` (`M`).
///
/// Before retry number `n` (1 for the first attempt after a failure or a lost connection)
/// the client waits a random time in `m·(k/1000)^(n-1) ..= m·(k/1000)^n`, both bounds
/// capped at `M`. The count goes back to zero once a connection is subscribed to its
/// destination. The defaults are the data model's: `m` = 60 s, `k` = 2000, `M` = 30720 s.
///
/// The specification names these parameters for the retry state (R-STOMP.7) without
/// spelling out the formula; this is the one the WebSocket binding gives for its own
/// parameters (R-WS.19), with `ServerRetryMaxInterval` as the cap.
///
/// ```
/// use std::time::Duration;
/// use usp_mtp::stomp::ServerRetry;
///
/// let retry = ServerRetry::new();
/// assert_eq!(retry.wait_range(1), Duration::from_secs(60)..=Duration::from_secs(120));
/// assert_eq!(retry.wait_range(20), Duration::from_secs(30720)..=Duration::from_secs(30720));
///
/// let fast = ServerRetry::new()
///     .initial_interval(Duration::from_millis(100))
///     .max_interval(Duration::from_secs(1))
///     .seed(7);
/// let waits: Vec<Duration> = fast.schedule().take(6).collect();
/// assert!(fast.wait_range(2).contains(&waits[1]));
/// assert_eq!(waits[5], Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerRetry {
    initial: Duration,
    multiplier: u32,
    max: Duration,
    seed: Option<u64>,
}

impl Default for ServerRetry {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerRetry {
    /// The data model's defaults: 60 s, 2000, 30720 s.
    pub const fn new() -> Self {
        Self {
            initial: Duration::from_secs(60),
            multiplier: 2000,
            max: Duration::from_secs(30720),
            seed: None,
        }
    }

    /// Sets `ServerRetryInitialInterval` (1 to 65535 s in the data model; shorter values
    /// are allowed here, for tests; under a millisecond counts as one).
    #[must_use]
    pub fn initial_interval(mut self, interval: Duration) -> Self {
        self.initial = interval.max(Duration::from_millis(1));
        self
    }

    /// Sets `ServerRetryIntervalMultiplier`, in thousandths (2000 doubles the wait at each
    /// retry), clamped to the data model's 1000 to 65535.
    #[must_use]
    pub fn multiplier(mut self, multiplier: u32) -> Self {
        self.multiplier = multiplier.clamp(1000, 65535);
        self
    }

    /// Sets `ServerRetryMaxInterval`, the cap on every wait (at least a millisecond).
    #[must_use]
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max = interval.max(Duration::from_millis(1));
        self
    }

    /// Seeds the generator that picks each wait in its range, making waits repeatable.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// `ServerRetryInitialInterval`.
    pub fn get_initial_interval(&self) -> Duration {
        self.initial
    }

    /// `ServerRetryIntervalMultiplier`.
    pub fn get_multiplier(&self) -> u32 {
        self.multiplier
    }

    /// `ServerRetryMaxInterval`.
    pub fn get_max_interval(&self) -> Duration {
        self.max
    }

    /// The range the wait before retry number `retry_count` is drawn from (0 counts as 1).
    pub fn wait_range(&self, retry_count: u32) -> RangeInclusive<Duration> {
        let (low, high) = self.bounds(retry_count.max(1));
        low..=high
    }

    /// The waits before retries 1, 2, 3, ...: an endless iterator, to
    /// [reset](ServerRetrySchedule::reset) when a connection succeeds.
    pub fn schedule(&self) -> ServerRetrySchedule {
        let seed = self.seed.unwrap_or_else(|| {
            let mut h = RandomState::new().build_hasher();
            h.write_u64(0x5553_505f_5354_4f4d); // "USP_STOM"
            h.finish()
        });
        ServerRetrySchedule {
            policy: *self,
            retry_count: 0,
            rng: seed,
        }
    }

    fn bounds(&self, n: u32) -> (Duration, Duration) {
        let m = self.initial.as_secs_f64();
        let k = f64::from(self.multiplier) / 1000.0;
        let max = self.max.as_secs_f64();
        // Past 64 retries the bounds are at the cap for any multiplier above 1.
        let exponent = i32::try_from(n.min(64)).unwrap_or(64);
        let secs = |s: f64| Duration::try_from_secs_f64(s.min(max)).unwrap_or(self.max);
        (secs(m * k.powi(exponent - 1)), secs(m * k.powi(exponent)))
    }
}

/// The waits of a [`ServerRetry`] policy: each call to `next` counts a retry and gives
/// the wait before it.
#[derive(Debug, Clone)]
pub struct ServerRetrySchedule {
    policy: ServerRetry,
    retry_count: u32,
    rng: u64,
}

impl ServerRetrySchedule {
    /// Retries counted since the last [`reset`](Self::reset).
    pub fn retry_count(&self) -> u32 {
        self.retry_count
    }

    /// Back to zero: a connection succeeded.
    pub fn reset(&mut self) {
        self.retry_count = 0;
    }

    /// SplitMix64, mapped to `[0, 1]`: enough to spread reconnections, not cryptography.
    fn next_unit(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        const SCALE: f64 = 1.0 / ((1u64 << 53) - 1) as f64;
        (z >> 11) as f64 * SCALE
    }
}

impl Iterator for ServerRetrySchedule {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        self.retry_count = self.retry_count.saturating_add(1);
        let (low, high) = self.policy.bounds(self.retry_count);
        let spread = (high - low).mul_f64(self.next_unit());
        Some((low + spread).min(high))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn r_stomp_7_default_ranges_grow_and_stop_at_the_max() {
        let r = ServerRetry::new();
        assert_eq!(r.wait_range(0), 60 * S..=120 * S);
        assert_eq!(r.wait_range(1), 60 * S..=120 * S);
        assert_eq!(r.wait_range(2), 120 * S..=240 * S);
        assert_eq!(r.wait_range(9), 15360 * S..=30720 * S);
        assert_eq!(r.wait_range(10), 30720 * S..=30720 * S);
        assert_eq!(r.wait_range(u32::MAX), 30720 * S..=30720 * S);
        assert_eq!(r.get_initial_interval(), 60 * S);
        assert_eq!(r.get_multiplier(), 2000);
        assert_eq!(r.get_max_interval(), 30720 * S);
    }

    #[test]
    fn parameters_are_clamped() {
        let r = ServerRetry::new()
            .initial_interval(Duration::ZERO)
            .multiplier(1)
            .max_interval(Duration::ZERO);
        assert_eq!(r.get_initial_interval(), Duration::from_millis(1));
        assert_eq!(r.get_multiplier(), 1000);
        assert_eq!(r.get_max_interval(), Duration::from_millis(1));
        assert_eq!(
            ServerRetry::new().multiplier(1 << 20).get_multiplier(),
            65535
        );
        let flat = ServerRetry::new().multiplier(1000);
        assert_eq!(flat.wait_range(30), 60 * S..=60 * S);
    }

    #[test]
    fn waits_fall_in_their_ranges_repeat_with_a_seed_and_reset() {
        let policy = ServerRetry::new().seed(3);
        let mut s = policy.schedule();
        for n in 1..=15 {
            let w = s.next().unwrap();
            assert!(policy.wait_range(n).contains(&w), "#{n}: {w:?}");
            assert_eq!(s.retry_count(), n);
        }
        s.reset();
        assert_eq!(s.retry_count(), 0);
        assert!(policy.wait_range(1).contains(&s.next().unwrap()));
        let a: Vec<_> = ServerRetry::new().seed(9).schedule().take(8).collect();
        let b: Vec<_> = ServerRetry::new().seed(9).schedule().take(8).collect();
        let c: Vec<_> = ServerRetry::new().seed(10).schedule().take(8).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn waits_spread_over_the_range() {
        let (mut low, mut high) = (0, 0);
        for seed in 0..1000 {
            let w = ServerRetry::new().seed(seed).schedule().next().unwrap();
            if w < 90 * S {
                low += 1;
            } else {
                high += 1;
            }
        }
        assert!(low > 400 && high > 400, "{low} / {high}");
    }
}
