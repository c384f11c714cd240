//! The connection retry policy of R-MQTT.10 and R-MQTT.33: `ConnectRetryTime`,
//! `ConnectRetryIntervalMultiplier` and `ConnectRetryMaxInterval`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::ops::RangeInclusive;
use std::time::Duration;

/// When an MQTT client tries again after a connection attempt failed or a connection ended
/// (R-MQTT.10, R-MQTT.33), from the `Device.MQTT.Client.{i}.` parameters
/// `ConnectRetryTime` (`m`), `ConnectRetryIntervalMultiplier` (`k`, in thousandths) and
/// `ConnectRetryMaxInterval`.
///
/// Before retry number `n` (1 for the first retry after a connection ended or an attempt
/// failed) the client waits a random time in `m·(k/1000)^(n-1) ..= m·(k/1000)^n`, both
/// bounds capped at the maximum interval; from the tenth retry on the range stays that of
/// the tenth. The count goes back to zero once a connection is up and subscribed. The
/// defaults are the data model's: `m` = 5 s, `k` = 2000, maximum 30720 s, which gives
/// 5-10 s, 10-20 s, ... (TP-469 11.16 checks the first range).
///
/// ```
/// use std::time::Duration;
/// use usp_mtp::mqtt::ConnectRetry;
///
/// let retry = ConnectRetry::new();
/// assert_eq!(retry.wait_range(1), Duration::from_secs(5)..=Duration::from_secs(10));
/// assert_eq!(retry.wait_range(2), Duration::from_secs(10)..=Duration::from_secs(20));
///
/// let capped = ConnectRetry::new().max_interval(Duration::from_secs(15));
/// assert_eq!(capped.wait_range(2), Duration::from_secs(10)..=Duration::from_secs(15));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectRetry {
    min_wait: Duration,
    multiplier: u32,
    max_interval: Duration,
    seed: Option<u64>,
}

impl Default for ConnectRetry {
    fn default() -> Self {
        Self::new()
    }
}

impl ConnectRetry {
    /// The retry count from which the wait range stops growing.
    pub const MAX_EXPONENT: u32 = 10;

    /// The data model defaults: `ConnectRetryTime` 5 s, `ConnectRetryIntervalMultiplier`
    /// 2000, `ConnectRetryMaxInterval` 30720 s.
    pub const fn new() -> Self {
        Self {
            min_wait: Duration::from_secs(5),
            multiplier: 2000,
            max_interval: Duration::from_secs(30720),
            seed: None,
        }
    }

    /// `ConnectRetryTime`: the shortest wait (1 to 65535 s in the data model; shorter
    /// values are allowed here, for tests, down to one millisecond).
    #[must_use]
    pub fn min_wait(mut self, min_wait: Duration) -> Self {
        self.min_wait = min_wait.max(Duration::from_millis(1));
        self
    }

    /// `ConnectRetryIntervalMultiplier`, in thousandths: 2000 doubles the range at each
    /// retry. Clamped to the data model's 1000 to 65535.
    #[must_use]
    pub fn multiplier(mut self, multiplier: u32) -> Self {
        self.multiplier = multiplier.clamp(1000, 65535);
        self
    }

    /// `ConnectRetryMaxInterval`: no wait is longer (at least the minimum wait).
    #[must_use]
    pub fn max_interval(mut self, max_interval: Duration) -> Self {
        self.max_interval = max_interval;
        self
    }

    /// Seeds the generator that picks each wait inside its range, making the waits
    /// repeatable (without a seed every client draws its own).
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The range the wait before retry number `retry_count` is drawn from (0 counts as 1).
    pub fn wait_range(&self, retry_count: u32) -> RangeInclusive<Duration> {
        let (low, high) = self.bounds(retry_count);
        low..=high
    }

    fn bounds(&self, retry_count: u32) -> (Duration, Duration) {
        let n = retry_count.clamp(1, Self::MAX_EXPONENT);
        let m = self.min_wait.as_secs_f64();
        let k = f64::from(self.multiplier) / 1000.0;
        let exponent = i32::try_from(n).unwrap_or(i32::MAX);
        let cap = self.max_interval.max(self.min_wait);
        let low = secs(m * k.powi(exponent - 1)).min(cap);
        let high = secs(m * k.powi(exponent)).min(cap);
        (low, high)
    }

    /// The waits before retries 1, 2, 3, ...
    pub(crate) fn schedule(&self) -> RetrySchedule {
        let seed = self.seed.unwrap_or_else(|| {
            let mut h = RandomState::new().build_hasher();
            h.write_u64(0x4d51_5454_5f52_3130); // "MQTT_R10"
            h.finish()
        });
        RetrySchedule {
            policy: *self,
            retry_count: 0,
            state: seed,
        }
    }
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX)
}

/// The waits of a [`ConnectRetry`], counting retries.
#[derive(Debug, Clone)]
pub(crate) struct RetrySchedule {
    policy: ConnectRetry,
    retry_count: u32,
    state: u64,
}

impl RetrySchedule {
    /// Retries counted since the last reset.
    pub(crate) fn retry_count(&self) -> u32 {
        self.retry_count
    }

    /// A connection is up: the next failure is retry number 1 again.
    pub(crate) fn reset(&mut self) {
        self.retry_count = 0;
    }

    /// Counts a retry and draws its wait.
    pub(crate) fn next_wait(&mut self) -> Duration {
        self.retry_count = self.retry_count.saturating_add(1);
        let (low, high) = self.policy.bounds(self.retry_count);
        let span = high.saturating_sub(low);
        let part = Duration::try_from_secs_f64(span.as_secs_f64() * self.next_unit())
            .unwrap_or(span)
            .min(span);
        low.saturating_add(part)
    }

    /// A number in `[0, 1]` (a 64-bit mixing generator; not for cryptography).
    fn next_unit(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 33)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        z = (z ^ (z >> 33)).wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        z ^= z >> 33;
        (z >> 11) as f64 / ((1u64 << 53) - 1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_mqtt_10_default_ranges_double_and_stop_growing() {
        let r = ConnectRetry::new();
        let mut low = 5;
        for n in 1..=10 {
            assert_eq!(
                r.wait_range(n),
                Duration::from_secs(low)..=Duration::from_secs(low * 2),
                "retry {n}"
            );
            low *= 2;
        }
        assert_eq!(r.wait_range(11), r.wait_range(10));
        assert_eq!(r.wait_range(0), r.wait_range(1));
    }

    #[test]
    fn r_mqtt_10_max_interval_caps_both_bounds() {
        let r = ConnectRetry::new().max_interval(Duration::from_secs(60));
        assert_eq!(
            r.wait_range(4),
            Duration::from_secs(40)..=Duration::from_secs(60)
        );
        assert_eq!(
            r.wait_range(5),
            Duration::from_secs(60)..=Duration::from_secs(60)
        );
        // Never below the minimum wait.
        let odd = ConnectRetry::new().max_interval(Duration::from_secs(1));
        assert_eq!(
            odd.wait_range(3),
            Duration::from_secs(5)..=Duration::from_secs(5)
        );
    }

    #[test]
    fn waits_stay_in_range_vary_and_reset() {
        let policy = ConnectRetry::new()
            .min_wait(Duration::from_millis(100))
            .multiplier(3000)
            .seed(3);
        let mut s = policy.schedule();
        let mut firsts = Vec::new();
        for n in 1..=12 {
            let w = s.next_wait();
            assert!(policy.wait_range(n).contains(&w), "{n}: {w:?}");
            assert_eq!(s.retry_count(), n);
            if n == 1 {
                firsts.push(w);
            }
        }
        s.reset();
        assert_eq!(s.retry_count(), 0);
        for _ in 0..50 {
            firsts.push(s.next_wait());
            s.reset();
        }
        assert!(firsts.iter().any(|w| *w != firsts[0]), "not random");
        let a: Vec<_> = (0..5)
            .scan(policy.schedule(), |s, _| Some(s.next_wait()))
            .collect();
        let b: Vec<_> = (0..5)
            .scan(policy.schedule(), |s, _| Some(s.next_wait()))
            .collect();
        assert_eq!(a, b, "same seed, same waits");
    }

    #[test]
    fn extreme_parameters_saturate() {
        let r = ConnectRetry::new()
            .min_wait(Duration::from_secs(65535))
            .multiplier(65535)
            .max_interval(Duration::MAX);
        assert_eq!(*r.wait_range(10).end(), Duration::MAX);
        let mut s = r.schedule();
        for _ in 0..12 {
            let _ = s.next_wait();
        }
        assert_eq!(
            ConnectRetry::new().multiplier(1).wait_range(3).start(),
            &Duration::from_secs(5)
        );
    }
}
