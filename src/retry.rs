//! When a batch may be sent again, and how long to wait first.
//!
//! Sending an SMS costs money and cannot be undone, and the API has no idempotency key. So the
//! rule is narrow (DECISIONS.md §4-§5): resend only what provably was not processed — the service
//! said it throttled, or the request never left this machine. Everything else is final or unknown.

use crate::error::Error;

/// The wait before the first resend when the service gave none: the operation allows one call
/// per second per account.
pub const BASE_DELAY_MS: u64 = 1000;
/// No single wait is longer than this.
pub const MAX_DELAY_MS: u64 = 30_000;

/// Whether a failed attempt may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Safe to send again (with a fresh timestamp, nonce and signature) after the wait.
    AfterWait { retry_after_ms: Option<u64> },
    /// Never send again automatically: it was refused for a reason a resend does not fix, or it
    /// may have been sent.
    Never,
}

/// The resend rule for an error from reading an answer.
pub fn resend_rule(error: &Error) -> Resend {
    if error.retryable() {
        Resend::AfterWait {
            retry_after_ms: error.retry_after_ms(),
        }
    } else {
        Resend::Never
    }
}

/// The wait before resend number `attempt` (1 for the first resend): exponential from
/// `BASE_DELAY_MS`, never shorter than what the service asked for, capped at `MAX_DELAY_MS`, with
/// `jitter` in `[0, 1)` adding up to a quarter so that several clients do not resend in step.
pub fn backoff_ms(attempt: u32, retry_after_ms: Option<u64>, jitter: f64) -> u64 {
    let exponent = attempt.saturating_sub(1).min(16);
    let exponential = BASE_DELAY_MS.saturating_mul(1u64 << exponent);
    let floor = retry_after_ms
        .unwrap_or(0)
        .max(exponential)
        .min(MAX_DELAY_MS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // floor ≤ 30 000, so the product fits comfortably and the cast is exact enough.
    let extra = (floor as f64 * 0.25 * jitter) as u64;
    floor
        .saturating_add(extra)
        .min(MAX_DELAY_MS + MAX_DELAY_MS / 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_honours_the_service_and_caps() {
        assert_eq!(backoff_ms(1, None, 0.0), 1000);
        assert_eq!(backoff_ms(2, None, 0.0), 2000);
        assert_eq!(backoff_ms(3, None, 0.0), 4000);
        assert_eq!(backoff_ms(1, Some(2500), 0.0), 2500);
        assert_eq!(backoff_ms(1, Some(10), 0.0), 1000);
        assert_eq!(backoff_ms(40, None, 0.0), MAX_DELAY_MS);
        assert_eq!(backoff_ms(1, Some(u64::MAX), 0.0), MAX_DELAY_MS);
        assert_eq!(backoff_ms(1, None, 0.999_999), 1249);
        assert_eq!(backoff_ms(1, None, f64::NAN), 1000);
        assert!(backoff_ms(u32::MAX, Some(u64::MAX), 1.0) <= MAX_DELAY_MS + MAX_DELAY_MS / 4);
    }
}
