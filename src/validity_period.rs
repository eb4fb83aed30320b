//! `ValidityPeriod`: how long, in seconds, the carrier keeps trying to deliver a message before it
//! gives up (the report then says expired). Sent by SendMessageToGlobe and BatchSendMessageToGlobe
//! (docs/spec/operations.md §2; docs/spec/api-reference.md §1: "integer seconds").
//!
//! Alibaba states no range. Ours, chosen so that a mistake is caught rather than sent:
//! - at least [`MIN_SECONDS`] (one minute): a shorter window expires before most international
//!   routes hand the message over, so it would be billed (billing is by submission, docs/spec/operations.md
//!   §3) and almost never delivered;
//! - at most [`MAX_SECONDS`] (72 hours): the longest retry window carriers commonly keep; a
//!   larger number is more likely milliseconds given for seconds (`3600000` for an hour) than a
//!   wish to deliver a one-time code next week.
//!
//! The golden vectors use 120 to 86 400 (golden/operations-*.json).

use std::fmt;

/// The shortest validity accepted, in seconds.
pub const MIN_SECONDS: u32 = 60;
/// The longest validity accepted, in seconds (72 hours).
pub const MAX_SECONDS: u32 = 72 * 3600;

/// A validity period in range, in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ValidityPeriod(u32);

/// Why a validity period cannot be sent. Code `VALIDITY_PERIOD_INVALID`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValidityPeriodProblem {
    /// Not a whole number (a fraction, NaN, infinite).
    NotWhole { given: f64 },
    /// A whole number outside `MIN_SECONDS..=MAX_SECONDS`.
    OutOfRange { given: f64 },
}

impl ValidityPeriod {
    /// Checks a number of seconds as a caller gave it (a JavaScript number).
    pub fn from_seconds(given: f64) -> Result<ValidityPeriod, ValidityPeriodProblem> {
        if !given.is_finite() || given.fract() != 0.0 {
            return Err(ValidityPeriodProblem::NotWhole { given });
        }
        if !(f64::from(MIN_SECONDS)..=f64::from(MAX_SECONDS)).contains(&given) {
            return Err(ValidityPeriodProblem::OutOfRange { given });
        }
        // Whole and within u32 range, so the cast is exact.
        Ok(ValidityPeriod(given as u32))
    }

    /// The seconds, as sent (plain digits; docs/spec/operations.md §6).
    pub fn seconds(self) -> u32 {
        self.0
    }
}

impl fmt::Display for ValidityPeriodProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidityPeriodProblem::NotWhole { .. } => {
                f.write_str("must be a whole number of seconds")
            }
            ValidityPeriodProblem::OutOfRange { given } => write!(
                f,
                "must be {MIN_SECONDS} to {MAX_SECONDS} seconds (1 minute to 72 hours), not {}",
                crate::event_time::WholeNumber(*given)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_in_range_only() {
        for ok in [60.0, 120.0, 3600.0, 86_400.0, 259_200.0] {
            assert_eq!(
                ValidityPeriod::from_seconds(ok).unwrap().seconds() as f64,
                ok
            );
        }
        for (bad, whole) in [
            (59.0, true),
            (0.0, true),
            (-60.0, true),
            (259_201.0, true),
            (3_600_000.0, true),
            (90.5, false),
            (f64::NAN, false),
            (f64::INFINITY, false),
        ] {
            let problem = ValidityPeriod::from_seconds(bad).unwrap_err();
            assert_eq!(
                matches!(problem, ValidityPeriodProblem::OutOfRange { .. }),
                whole,
                "{bad}"
            );
        }
        assert!(ValidityPeriod::from_seconds(30.0)
            .unwrap_err()
            .to_string()
            .contains("60 to 259200 seconds"));
    }
}
