//! The WebSocket session retry algorithm (R-WS.19 to R-WS.21).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::ops::RangeInclusive;
use std::time::Duration;

/// The R-WS.19 session retry policy of an Agent: the minimum wait interval `m` and the
/// interval multiplier `k`.
///
/// Before retry number `n` (1 for the first retry after a session ended or an attempt
/// failed) the client waits a random time in `m·(k/1000)^(n-1) ..= m·(k/1000)^n`; from the
/// tenth retry on, the range stays that of the tenth. The retry count goes back to zero once
/// a session is established (R-WS.20), and every new [`WsClient`](crate::websocket::WsClient) starts at
/// zero (R-WS.21). The defaults are the factory defaults of the specification: `m` = 5
/// seconds, `k` = 2000, which gives 5-10 s, 10-20 s, ..., 2560-5120 s.
///
/// The wait is drawn uniformly from the range by a small pseudo-random generator; give it a
/// [`seed`](Self::seed) to make the sequence of waits repeatable (in tests). Without one,
/// each client seeds from the process's random hasher keys, so that Agents restarted together
/// do not retry in step.
///
/// ```
/// use std::time::Duration;
/// use usp_mtp::websocket::SessionRetry;
///
/// let retry = SessionRetry::new();
/// assert_eq!(retry.wait_range(1), Duration::from_secs(5)..=Duration::from_secs(10));
/// assert_eq!(retry.wait_range(10), Duration::from_secs(2560)..=Duration::from_secs(5120));
/// assert_eq!(retry.wait_range(11), retry.wait_range(10));
///
/// let fast = SessionRetry::new().min_wait(Duration::from_millis(100)).multiplier(3000).seed(7);
/// let waits: Vec<Duration> = fast.schedule().take(3).collect();
/// assert_eq!(waits, fast.schedule().take(3).collect::<Vec<_>>()); // same seed, same waits
/// assert!(fast.wait_range(2).contains(&waits[1]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionRetry {
    min_wait: Duration,
    multiplier: u32,
    seed: Option<u64>,
}

impl Default for SessionRetry {
    fn default() -> Self {
        Self::new()
    }
}

impl SessionRetry {
    /// The retry count from which the wait range stops growing (the "#10 and subsequent" row).
    pub const MAX_EXPONENT: u32 = 10;

    /// The factory defaults: `m` = 5 s, `k` = 2000.
    pub const fn new() -> Self {
        Self {
            min_wait: Duration::from_secs(5),
            multiplier: 2000,
            seed: None,
        }
    }

    /// Sets the minimum wait interval `m`
    /// (`SessionRetryMinimumWaitInterval`, in seconds in the data model, 1 to 65535).
    /// Shorter values are allowed here for tests; anything under a millisecond counts as one.
    #[must_use]
    pub fn min_wait(mut self, min_wait: Duration) -> Self {
        self.min_wait = min_wait.max(Duration::from_millis(1));
        self
    }

    /// Sets the interval multiplier `k` (`SessionRetryIntervalMultiplier`), in thousandths:
    /// 2000 doubles the range at each retry. Clamped to the data model's range, 1000 to 65535.
    #[must_use]
    pub fn multiplier(mut self, multiplier: u32) -> Self {
        self.multiplier = multiplier.clamp(1000, 65535);
        self
    }

    /// Seeds the generator that picks each wait inside its range, making the waits repeatable.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The minimum wait interval `m`.
    pub fn get_min_wait(&self) -> Duration {
        self.min_wait
    }

    /// The interval multiplier `k`.
    pub fn get_multiplier(&self) -> u32 {
        self.multiplier
    }

    /// The range the wait before retry number `retry_count` is drawn from (the "Actual Wait
    /// Interval Range" column of R-WS.19). A count of 0 is treated as 1.
    pub fn wait_range(&self, retry_count: u32) -> RangeInclusive<Duration> {
        let n = retry_count.clamp(1, Self::MAX_EXPONENT);
        let (low, high) = self.bounds_secs(n);
        secs(low)..=secs(high)
    }

    /// The waits before retries 1, 2, 3, ...: an endless iterator that a client keeps and
    /// [resets](RetrySchedule::reset) when a session is established.
    pub fn schedule(&self) -> RetrySchedule {
        let seed = self.seed.unwrap_or_else(|| {
            let mut h = RandomState::new().build_hasher();
            h.write_u64(0x5553_505f_5753_3139); // "USP_WS19"
            h.finish()
        });
        RetrySchedule {
            policy: *self,
            retry_count: 0,
            rng: SplitMix64(seed),
        }
    }

    fn bounds_secs(&self, n: u32) -> (f64, f64) {
        let m = self.min_wait.as_secs_f64();
        let k = f64::from(self.multiplier) / 1000.0;
        let exponent = i32::try_from(n).unwrap_or(i32::MAX);
        (m * k.powi(exponent - 1), m * k.powi(exponent))
    }
}

/// Turns seconds into a `Duration`, saturating (a large `m` and `k` overflow `Duration`).
fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX)
}

/// The waits of a [`SessionRetry`] policy, one per retry: yields the wait before the next
/// retry and counts it.
#[derive(Debug, Clone)]
pub struct RetrySchedule {
    policy: SessionRetry,
    retry_count: u32,
    rng: SplitMix64,
}

impl RetrySchedule {
    /// The number of retries counted since the last [`reset`](Self::reset).
    pub fn retry_count(&self) -> u32 {
        self.retry_count
    }

    /// Sets the retry count back to zero: a session was established (R-WS.20).
    pub fn reset(&mut self) {
        self.retry_count = 0;
    }
}

impl Iterator for RetrySchedule {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        self.retry_count = self.retry_count.saturating_add(1);
        let n = self.retry_count.min(SessionRetry::MAX_EXPONENT);
        let (low, high) = self.policy.bounds_secs(n);
        Some(secs(low + (high - low) * self.rng.next_unit()))
    }
}

/// SplitMix64: tiny, fast and good enough to spread retries; not for cryptography.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1]`, from the top 53 bits.
    fn next_unit(&mut self) -> f64 {
        const SCALE: f64 = 1.0 / ((1u64 << 53) - 1) as f64;
        (self.next_u64() >> 11) as f64 * SCALE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_ws_19_default_table() {
        let r = SessionRetry::new();
        let table = [
            (1, 5, 10),
            (2, 10, 20),
            (3, 20, 40),
            (4, 40, 80),
            (5, 80, 160),
            (6, 160, 320),
            (7, 320, 640),
            (8, 640, 1280),
            (9, 1280, 2560),
            (10, 2560, 5120),
            (11, 2560, 5120),
            (1000, 2560, 5120),
        ];
        for (n, low, high) in table {
            assert_eq!(
                r.wait_range(n),
                Duration::from_secs(low)..=Duration::from_secs(high),
                "retry #{n}"
            );
        }
    }

    #[test]
    fn r_ws_19_other_parameters() {
        let r = SessionRetry::new()
            .min_wait(Duration::from_secs(2))
            .multiplier(1500);
        assert_eq!(
            r.wait_range(3),
            secs(2.0 * 1.5 * 1.5)..=secs(2.0 * 1.5 * 1.5 * 1.5)
        );
        // k = 1000 keeps the range at m..m.
        let flat = SessionRetry::new().multiplier(1000);
        assert_eq!(
            flat.wait_range(7),
            Duration::from_secs(5)..=Duration::from_secs(5)
        );
        assert_eq!(SessionRetry::new().multiplier(10).get_multiplier(), 1000);
        assert_eq!(
            SessionRetry::new().multiplier(1 << 20).get_multiplier(),
            65535
        );
        // The largest parameters saturate instead of overflowing.
        let huge = SessionRetry::new()
            .min_wait(Duration::from_secs(65535))
            .multiplier(65535);
        assert_eq!(*huge.wait_range(10).end(), Duration::MAX);
    }

    #[test]
    fn waits_fall_in_their_ranges_and_the_count_resets() {
        let policy = SessionRetry::new().seed(1);
        let mut s = policy.schedule();
        for n in 1..=14 {
            let w = s.next().unwrap();
            assert!(policy.wait_range(n).contains(&w), "#{n}: {w:?}");
            assert_eq!(s.retry_count(), n);
        }
        s.reset();
        assert_eq!(s.retry_count(), 0);
        let w = s.next().unwrap();
        assert!(policy.wait_range(1).contains(&w));
    }

    #[test]
    fn a_seed_makes_the_waits_repeatable_and_different_seeds_differ() {
        let a: Vec<_> = SessionRetry::new().seed(42).schedule().take(10).collect();
        let b: Vec<_> = SessionRetry::new().seed(42).schedule().take(10).collect();
        let c: Vec<_> = SessionRetry::new().seed(43).schedule().take(10).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn waits_are_spread_over_the_range() {
        let policy = SessionRetry::new().seed(9);
        let (mut low_half, mut high_half) = (0, 0);
        for i in 0..1000 {
            let mut s = SessionRetry::new().seed(9 + i).schedule();
            let w = s.next().unwrap();
            if w < Duration::from_millis(7500) {
                low_half += 1;
            } else {
                high_half += 1;
            }
        }
        assert!(
            low_half > 400 && high_half > 400,
            "{low_half} / {high_half}"
        );
        assert!(
            policy
                .wait_range(1)
                .contains(&policy.schedule().next().unwrap())
        );
    }
}
