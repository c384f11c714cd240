//! The session establishment retry policy of R-E2E.10 to R-E2E.13.

use std::time::Duration;

/// Retry count and a small deterministic random source (the crate reads no entropy: the
/// caller seeds it).
#[derive(Debug, Clone)]
pub(crate) struct Retry {
    count: u32,
    state: u64,
}

impl Retry {
    pub(crate) fn new(seed: u64) -> Self {
        // xorshift needs a non-zero state.
        Self {
            count: 0,
            state: seed | 1,
        }
    }

    /// A Record was received successfully (R-E2E.12).
    pub(crate) fn reset(&mut self) {
        self.count = 0;
    }

    pub(crate) fn count(&self) -> u32 {
        self.count
    }

    /// The wait before the next session establishment attempt: uniformly in
    /// `[m·(k/1000)^(n-1), m·(k/1000)^n]` for retry `n`, with `n` capped at 10 (R-E2E.11).
    pub(crate) fn next_wait(&mut self, minimum: Duration, multiplier: u32) -> Duration {
        self.count = self.count.saturating_add(1);
        let (low, high) = interval(self.count, minimum, multiplier);
        let span = high.saturating_sub(low).as_millis() as u64;
        low + Duration::from_millis(if span == 0 {
            0
        } else {
            self.random() % (span + 1)
        })
    }

    fn random(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }
}

/// The wait interval of retry `count` (1-based).
pub(crate) fn interval(count: u32, minimum: Duration, multiplier: u32) -> (Duration, Duration) {
    let n = count.clamp(1, 10);
    let factor = f64::from(multiplier) / 1000.0;
    let low = minimum.as_secs_f64() * factor.powi(n as i32 - 1);
    let high = minimum.as_secs_f64() * factor.powi(n as i32);
    // Bounded: 10 retries of at most 65.535x over any sane minimum stay finite, but clamp
    // anyway so a huge configured minimum cannot overflow Duration.
    let cap = 86_400.0 * 365.0;
    (
        Duration::from_secs_f64(low.min(cap)),
        Duration::from_secs_f64(high.min(cap)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_e2e_10_default_table() {
        let m = Duration::from_secs(5);
        let expected = [
            (5, 10),
            (10, 20),
            (20, 40),
            (40, 80),
            (80, 160),
            (160, 320),
            (320, 640),
            (640, 1280),
            (1280, 2560),
            (2560, 5120),
        ];
        for (i, (lo, hi)) in expected.iter().enumerate() {
            let (l, h) = interval(i as u32 + 1, m, 2000);
            assert_eq!((l.as_secs(), h.as_secs()), (*lo, *hi), "retry #{}", i + 1);
        }
    }

    #[test]
    fn r_e2e_11_tenth_and_later_use_the_maximum_range() {
        let m = Duration::from_secs(5);
        assert_eq!(interval(10, m, 2000), interval(11, m, 2000));
        assert_eq!(interval(10, m, 2000), interval(1000, m, 2000));
        let mut retry = Retry::new(7);
        for n in 1..=15 {
            let wait = retry.next_wait(m, 2000);
            let (lo, hi) = interval(n, m, 2000);
            assert!(
                lo <= wait && wait <= hi,
                "retry {n}: {wait:?} not in {lo:?}..{hi:?}"
            );
        }
    }

    #[test]
    fn r_e2e_12_reset_after_success() {
        let mut retry = Retry::new(1);
        retry.next_wait(Duration::from_secs(5), 2000);
        retry.next_wait(Duration::from_secs(5), 2000);
        retry.reset();
        assert_eq!(retry.count(), 0);
        let wait = retry.next_wait(Duration::from_secs(5), 2000);
        assert!(wait <= Duration::from_secs(10));
    }
}
