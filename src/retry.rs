//! Capped exponential backoff with full jitter, bounded in attempts and time.

/// Retries of throttling, 5xx and network failures (never of 4xx caller errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    pub base_delay_ms: i64,
    pub max_delay_ms: i64,
    /// No retry starts after this much time since the exchange began.
    pub budget_ms: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay_ms: 100,
            max_delay_ms: 5_000,
            budget_ms: 20_000,
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based), or None when out of
    /// retries or time. `rng` is a xorshift state the caller keeps.
    pub fn delay(&self, attempt: u32, elapsed_ms: i64, rng: &mut u64) -> Option<i64> {
        if attempt >= self.max_retries {
            return None;
        }
        let cap = self
            .base_delay_ms
            .saturating_mul(1i64 << attempt.min(30))
            .min(self.max_delay_ms)
            .max(1);
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        // Full jitter: uniform in [cap/2, cap] keeps some spacing between retries.
        let delay = cap / 2 + (*rng % (cap as u64 / 2 + 1)) as i64;
        (elapsed_ms.saturating_add(delay) <= self.budget_ms).then_some(delay)
    }
}
