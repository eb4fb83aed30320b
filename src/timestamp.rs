//! The request time, written as Alibaba's gateway reads it.
//!
//! The core has no clock: callers pass the time in. Both signature schemes write it the same way,
//! `YYYY-MM-DDTHH:MM:SSZ` in UTC with whole seconds (docs/spec/wire-format.md §7, §10.2).

use std::fmt;
use std::str::FromStr;

/// A UTC instant with whole-second precision, as sent in `Timestamp` (signature 1.0) and
/// `x-acs-date` (ACS3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix_seconds: i64,
}

/// The latest second we can write with four year digits (9999-12-31T23:59:59Z).
const MAX_UNIX_SECONDS: i64 = 253_402_300_799;

impl Timestamp {
    /// From seconds since 1970-01-01T00:00:00Z. `None` outside years 1970..=9999.
    pub fn from_unix_seconds(unix_seconds: i64) -> Option<Timestamp> {
        (0..=MAX_UNIX_SECONDS)
            .contains(&unix_seconds)
            .then_some(Timestamp { unix_seconds })
    }

    /// From milliseconds since the epoch (JavaScript's `Date.now()`), rounded down to the second.
    pub fn from_unix_millis(unix_millis: f64) -> Option<Timestamp> {
        if !unix_millis.is_finite() {
            return None;
        }
        let seconds = (unix_millis / 1000.0).floor();
        if !(0.0..=MAX_UNIX_SECONDS as f64).contains(&seconds) {
            return None;
        }
        // In range and integral, so the cast is exact.
        Timestamp::from_unix_seconds(seconds as i64)
    }

    /// Seconds since the epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.unix_seconds
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's era-based algorithm, written out from its description.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day) to days since 1970-01-01; the inverse of `civil_from_days`.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.unix_seconds.div_euclid(86_400);
        let secs = self.unix_seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// The text was not `YYYY-MM-DDTHH:MM:SSZ` or not a real UTC second in years 1970..=9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampFormatError;

impl fmt::Display for TimestampFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected a UTC time written YYYY-MM-DDTHH:MM:SSZ")
    }
}

impl FromStr for Timestamp {
    type Err = TimestampFormatError;

    /// Reads exactly the form the gateway uses, e.g. `2025-01-02T03:04:05Z`.
    fn from_str(text: &str) -> Result<Timestamp, TimestampFormatError> {
        let b = text.as_bytes();
        let shape_ok = b.len() == 20
            && b.iter().enumerate().all(|(i, &c)| match i {
                4 | 7 => c == b'-',
                10 => c == b'T',
                13 | 16 => c == b':',
                19 => c == b'Z',
                _ => c.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(TimestampFormatError);
        }
        let num = |from: usize, to: usize| -> Result<i64, TimestampFormatError> {
            text.get(from..to)
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or(TimestampFormatError)
        };
        let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
        let month = u32::try_from(month).map_err(|_| TimestampFormatError)?;
        let day = u32::try_from(day).map_err(|_| TimestampFormatError)?;
        if !(1..=12).contains(&month) || day == 0 || hour > 23 || minute > 59 || second > 59 {
            return Err(TimestampFormatError);
        }
        let days = days_from_civil(year, month, day);
        // Reject 2025-02-30 and the like: the day must survive the round trip.
        if civil_from_days(days) != (year, month, day) {
            return Err(TimestampFormatError);
        }
        Timestamp::from_unix_seconds(days * 86_400 + hour * 3600 + minute * 60 + second)
            .ok_or(TimestampFormatError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_gateway_form() {
        let t = Timestamp::from_unix_seconds(1_735_787_045).unwrap();
        assert_eq!(t.to_string(), "2025-01-02T03:04:05Z");
        assert_eq!(
            Timestamp::from_unix_seconds(0).unwrap().to_string(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_unix_seconds(MAX_UNIX_SECONDS)
                .unwrap()
                .to_string(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            Timestamp::from_unix_seconds(951_782_400)
                .unwrap()
                .to_string(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn reads_back_what_it_writes() {
        for s in [
            0,
            1,
            59,
            86_399,
            951_782_400,
            1_735_787_045,
            4_102_444_800,
            MAX_UNIX_SECONDS,
        ] {
            let t = Timestamp::from_unix_seconds(s).unwrap();
            assert_eq!(t.to_string().parse::<Timestamp>(), Ok(t));
        }
    }

    #[test]
    fn refuses_other_forms_and_impossible_dates() {
        for bad in [
            "",
            "2025-01-02T03:04:05",
            "2025-01-02 03:04:05Z",
            "2025-01-02T03:04:05.000Z",
            "2025-02-30T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-01-01T24:00:00Z",
            "1969-12-31T23:59:59Z",
            "２025-01-02T03:04:05Z",
        ] {
            assert_eq!(bad.parse::<Timestamp>(), Err(TimestampFormatError), "{bad}");
        }
    }

    #[test]
    fn millis_round_down_and_bounds_hold() {
        assert_eq!(
            Timestamp::from_unix_millis(1_735_787_045_999.0)
                .unwrap()
                .unix_seconds(),
            1_735_787_045
        );
        assert!(Timestamp::from_unix_millis(f64::NAN).is_none());
        assert!(Timestamp::from_unix_millis(-1.0).is_none());
        assert!(Timestamp::from_unix_seconds(-1).is_none());
        assert!(Timestamp::from_unix_seconds(MAX_UNIX_SECONDS + 1).is_none());
    }
}
