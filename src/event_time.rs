//! `ConversionTime` (SmsConversion) and `ReportTime` (ConversionData): when something happened,
//! in milliseconds since the epoch, sent as plain digits (docs/spec/operations.md §2, §6).
//!
//! The spec says a conversion time comes after the send and not in the future. The send time is
//! not known here, and the core has no clock, so the caller passes its `now` and the rule is:
//! - a whole number of milliseconds;
//! - not before [`EARLIEST_MS`], 2018-05-01T00:00:00Z, the API version's date: nothing sent
//!   through this API can be older, and it catches seconds given for milliseconds (`1736669145`
//!   reads as 1970-01-21);
//! - not more than [`FUTURE_TOLERANCE_MS`] after `now`: the fifteen minutes of clock difference
//!   the gateway itself tolerates (docs/spec/api-reference.md §2, `InvalidTimeStamp.Expired`), enough for a
//!   time taken on another machine and far short of microseconds given for milliseconds.

use std::fmt;

/// 2018-05-01T00:00:00Z in milliseconds.
pub const EARLIEST_MS: u64 = 1_525_132_800_000;
/// How far after `now` a time may be, in milliseconds (15 minutes).
pub const FUTURE_TOLERANCE_MS: u64 = 15 * 60 * 1000;

/// A checked time in milliseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventTime(u64);

/// Why a time cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventTimeProblem {
    /// Not a whole number of milliseconds (a fraction, NaN, infinite). Code `TIME_INVALID`.
    NotWhole { given: f64 },
    /// Before `EARLIEST_MS`: probably seconds, not milliseconds. Code `TIME_TOO_EARLY`.
    TooEarly { given: f64 },
    /// More than `FUTURE_TOLERANCE_MS` after `now`. Code `TIME_IN_FUTURE`.
    InFuture { given: f64, now_ms: f64 },
}

impl EventTime {
    /// Checks `given` milliseconds against `now_ms` (the caller's clock, `Date.now()`).
    pub fn check(given: f64, now_ms: f64) -> Result<EventTime, EventTimeProblem> {
        if !given.is_finite() || given.fract() != 0.0 {
            return Err(EventTimeProblem::NotWhole { given });
        }
        if given < EARLIEST_MS as f64 {
            return Err(EventTimeProblem::TooEarly { given });
        }
        // A NaN `now` compares false: no future check can be made, and none is claimed.
        if given > now_ms + FUTURE_TOLERANCE_MS as f64 {
            return Err(EventTimeProblem::InFuture { given, now_ms });
        }
        // Whole, at least EARLIEST_MS, and at most now + 15 min (f64 holds every integer up to
        // 2^53, far past any clock): the cast is exact; a larger `now` saturates harmlessly.
        Ok(EventTime(given as u64))
    }

    /// Milliseconds since the epoch.
    pub fn millis(self) -> u64 {
        self.0
    }
}

impl fmt::Display for EventTimeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventTimeProblem::NotWhole { .. } => {
                f.write_str("must be a whole number of milliseconds since 1970")
            }
            EventTimeProblem::TooEarly { given } => write!(
                f,
                "{} is before 2018-05-01; the time is in milliseconds since 1970 (seconds × 1000)",
                WholeNumber(*given)
            ),
            EventTimeProblem::InFuture { given, now_ms } => write!(
                f,
                "{} is more than 15 minutes after now ({}); the time is in milliseconds, not microseconds",
                WholeNumber(*given),
                WholeNumber(*now_ms)
            ),
        }
    }
}

/// A whole number from a JavaScript number, written as an integer. Messages never format an `f64`
/// itself: float formatting would add about 30 KB to the WebAssembly for a sentence (measured on
/// the release build). Numbers with a fraction, beyond ±2^63 or not finite read "a number out of
/// range".
pub(crate) struct WholeNumber(pub f64);

impl fmt::Display for WholeNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.0;
        // Below 2^63 in size and whole, the cast is exact.
        if value.is_finite() && value.fract() == 0.0 && value.abs() < 9.223_372_036_854_775e18 {
            write!(f, "{}", value as i64)
        } else {
            f.write_str("a number out of range")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_736_669_145_000.0;

    #[test]
    fn milliseconds_between_the_api_and_now_pass() {
        for ok in [EARLIEST_MS as f64, NOW, NOW + FUTURE_TOLERANCE_MS as f64] {
            assert_eq!(EventTime::check(ok, NOW).unwrap().millis() as f64, ok);
        }
    }

    #[test]
    fn seconds_microseconds_fractions_and_the_future_are_refused() {
        assert!(matches!(
            EventTime::check(1_736_669_145.0, NOW),
            Err(EventTimeProblem::TooEarly { .. })
        ));
        assert!(matches!(
            EventTime::check(NOW * 1000.0, NOW),
            Err(EventTimeProblem::InFuture { .. })
        ));
        assert!(matches!(
            EventTime::check(NOW + FUTURE_TOLERANCE_MS as f64 + 1.0, NOW),
            Err(EventTimeProblem::InFuture { .. })
        ));
        for bad in [NOW + 0.5, f64::NAN, f64::INFINITY, -1.0] {
            assert!(EventTime::check(bad, NOW).is_err(), "{bad}");
        }
        // No clock to compare with: only the other rules apply.
        assert!(EventTime::check(NOW, f64::NAN).is_ok());
        let early = EventTime::check(1_736_669_145.0, NOW)
            .unwrap_err()
            .to_string();
        assert!(early.starts_with("1736669145 is before"), "{early}");
        assert_eq!(WholeNumber(1e300).to_string(), "a number out of range");
        assert_eq!(WholeNumber(-5.0).to_string(), "-5");
    }
}
