//! The dates of delivery reports and `QueryMessage` answers (`SendDate`, `ReceiveDate`), read into
//! milliseconds since the epoch, the number JavaScript's `Date` takes.
//!
//! The service writes them RFC 2822 style with a numeric offset: `Mon, 24 Dec 2018 16:58:22 +0800`
//! (docs/spec/operations.md §2 for QueryMessage, §3 for the report body; the generated Go and
//! TypeScript models give the same examples and type both fields as plain strings).
//!
//! What is read, and why (RFC 5322 §3.3 is the grammar; its obsolete forms, §4.3, mostly not):
//! - **Day of week**: optional, as in the RFC; when present it must be a three-letter English
//!   name followed by a comma and must be the weekday of the date: a mismatch means the text was
//!   mangled, and guessing which half is right would be inventing a date.
//! - **Day**: one or two digits, 1 up to the days of that month, leap years by the Gregorian rule
//!   (29 February 2000 yes, 1900 no).
//! - **Month**: the RFC's three-letter English names; letter case is ignored, as the RFC's ABNF
//!   ignores it (RFC 5234 §2.3).
//! - **Year**: exactly four digits, 1900 to 9999. Two- and three-digit years (obsolete) are
//!   refused: the service writes four in every example, and `18` would be a guess between
//!   centuries.
//! - **Time**: `HH:MM` or `HH:MM:SS`, two digits each, hours 0–23, minutes and seconds 0–59. The
//!   seconds may be left out, as the RFC allows (read as `:00`). A leap second (`:60`) is refused:
//!   the service's times come from clocks that count POSIX time, which has no 61st second, and
//!   JavaScript's `Date` cannot hold one; reading it as `:59` or as the next minute would be a
//!   guess.
//! - **Zone**: `+hhmm` / `-hhmm` with hours 0–23 and minutes 0–59 (`-0000` is UTC, as the RFC
//!   says); and, as the only names, `GMT`, `UT` (both in RFC 5322's obsolete list) and `UTC`
//!   (what a Java formatter writes for a UTC zone), each meaning +0000. Other obsolete names (the
//!   US zones, military letters) are refused: nothing suggests this service writes them, and the
//!   RFC itself says the military letters were defined wrongly.
//! - **White space**: any run of spaces and tabs between the parts, and around the whole; none
//!   inside the time. Comments (`(…)`) and line folding are refused.
//!
//! ISO 8601 (`2026-12-04T10:27:00+08:00`) is not read: no source (the spec, the SDK models, the
//! help pages for the international API) shows the service writing it. The other shape Alibaba
//! uses, `2020-05-01 10:00:00` in the *mainland* report, has no zone, so it names no instant.
//! A caller that meets an unread date keeps its text (`report::ReportDate`), so nothing is lost
//! by refusing what is not established.
//!
//! Never panics: every index is checked, the arithmetic stays far inside `i64` (the input is at
//! most [`MAX_DATE_BYTES`] long and every part is range-checked before it is combined).

use std::fmt;

/// Longest text read as a date. The longest accepted form (`Thu, 25 Nov 2021 10:27:00 +0800`
/// with a few spaces) is about 31 bytes; anything much longer is not a date.
pub const MAX_DATE_BYTES: usize = 64;

/// Why a text is not a date this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateProblem {
    /// Empty, or only white space.
    Empty,
    /// Longer than [`MAX_DATE_BYTES`].
    TooLong,
    /// A part is missing, misplaced or not of its kind (letters where digits belong, a missing
    /// comma or colon, text after the zone, a year of two digits, ISO 8601, …).
    Malformed,
    /// A day of week that is not `Mon`…`Sun`.
    UnknownDayOfWeek,
    /// A month that is not `Jan`…`Dec`.
    UnknownMonth,
    /// A zone name other than `GMT`, `UT` and `UTC`.
    UnknownZone,
    /// The year is outside 1900..=9999.
    YearOutOfRange,
    /// The day is 0 or past the end of its month.
    DayOutOfRange,
    /// The hour is past 23.
    HourOutOfRange,
    /// The minute is past 59.
    MinuteOutOfRange,
    /// The second is past 59 (a leap second included).
    SecondOutOfRange,
    /// The offset's hours are past 23 or its minutes past 59.
    ZoneOutOfRange,
    /// The day of week is not the weekday of the date.
    DayOfWeekMismatch,
}

impl fmt::Display for DateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateProblem::Empty => "the date is empty",
            DateProblem::TooLong => "the text is too long to be a date",
            DateProblem::Malformed => {
                "expected a date written like \"Mon, 24 Dec 2018 16:58:22 +0800\""
            }
            DateProblem::UnknownDayOfWeek => "the day of week is not Mon to Sun",
            DateProblem::UnknownMonth => "the month is not Jan to Dec",
            DateProblem::UnknownZone => "the zone is not a +hhmm/-hhmm offset, GMT, UT or UTC",
            DateProblem::YearOutOfRange => "the year is outside 1900 to 9999",
            DateProblem::DayOutOfRange => "the day does not exist in that month",
            DateProblem::HourOutOfRange => "the hour is past 23",
            DateProblem::MinuteOutOfRange => "the minute is past 59",
            DateProblem::SecondOutOfRange => "the second is past 59",
            DateProblem::ZoneOutOfRange => "the offset is past 23 hours or 59 minutes",
            DateProblem::DayOfWeekMismatch => "the day of week is not the weekday of the date",
        })
    }
}

impl std::error::Error for DateProblem {}

const DAY_NAMES: [&[u8; 3]; 7] = [b"sun", b"mon", b"tue", b"wed", b"thu", b"fri", b"sat"];
const MONTH_NAMES: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// Reads a report or QueryMessage date (the forms in the module's doc) into milliseconds since
/// 1970-01-01T00:00:00Z. Always a whole second; negative before 1970.
pub fn parse_report_date(text: &str) -> Result<i64, DateProblem> {
    if text.len() > MAX_DATE_BYTES {
        return Err(DateProblem::TooLong);
    }
    let mut c = Cursor {
        bytes: text.as_bytes(),
        at: 0,
    };
    c.skip_space();
    if c.done() {
        return Err(DateProblem::Empty);
    }

    let weekday = if c.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
        let name = c.word();
        let day = name_index(name, &DAY_NAMES).ok_or(DateProblem::UnknownDayOfWeek)?;
        c.skip_space();
        c.expect(b',')?;
        c.skip_space();
        Some(day)
    } else {
        None
    };

    let day = c.digits(1, 2)?;
    c.space()?;
    let month = name_index(c.word(), &MONTH_NAMES).ok_or(DateProblem::UnknownMonth)?;
    c.space()?;
    let year = c.digits(4, 4)?;
    c.space()?;
    let hour = c.digits(2, 2)?;
    c.expect(b':')?;
    let minute = c.digits(2, 2)?;
    let second = if c.peek() == Some(b':') {
        c.at += 1;
        c.digits(2, 2)?
    } else {
        0
    };
    c.space()?;
    let offset_minutes = c.zone()?;
    c.skip_space();
    if !c.done() {
        return Err(DateProblem::Malformed);
    }

    if !(1900..=9999).contains(&year) {
        return Err(DateProblem::YearOutOfRange);
    }
    // `month` is an index 0..12 from MONTH_NAMES, so the cast is exact.
    let month = month as i64 + 1;
    if day < 1 || day > days_in_month(year, month) {
        return Err(DateProblem::DayOutOfRange);
    }
    if hour > 23 {
        return Err(DateProblem::HourOutOfRange);
    }
    if minute > 59 {
        return Err(DateProblem::MinuteOutOfRange);
    }
    if second > 59 {
        return Err(DateProblem::SecondOutOfRange);
    }
    let days = days_since_epoch(year, month, day);
    if let Some(named) = weekday {
        if weekday_of(days) != named {
            return Err(DateProblem::DayOfWeekMismatch);
        }
    }
    let local_seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Ok((local_seconds - offset_minutes * 60) * 1_000)
}

/// Whether `year` has a 29 February (Gregorian rule).
fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1..=12) of `year`.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to `year`-`month`-`day` (a valid date, year ≥ 1): whole years counted
/// with their leap days, then whole months of the year, then the day. Plain counting rather than
/// the era arithmetic of `timestamp.rs`, so the two do not share a mistake.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    // Leap years in 1..=y: every 4th, less every 100th, plus every 400th.
    let leaps_through = |y: i64| y / 4 - y / 100 + y / 400;
    let days_before_year = (year - 1970) * 365 + leaps_through(year - 1) - leaps_through(1969);
    let days_before_month: i64 = (1..month).map(|m| days_in_month(year, m)).sum();
    days_before_year + days_before_month + day - 1
}

/// 0 for Sunday … 6 for Saturday. 1970-01-01 was a Thursday.
fn weekday_of(days: i64) -> usize {
    // rem_euclid(7) is in 0..7, so the cast cannot lose anything.
    (days + 4).rem_euclid(7) as usize
}

/// The index of `word` among three-letter `names`, letter case ignored.
fn name_index(word: &[u8], names: &[&[u8; 3]]) -> Option<usize> {
    names
        .iter()
        .position(|n| word.eq_ignore_ascii_case(n.as_slice()))
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// At least one space or tab.
    fn space(&mut self) -> Result<(), DateProblem> {
        let start = self.at;
        self.skip_space();
        if self.at == start {
            return Err(DateProblem::Malformed);
        }
        Ok(())
    }

    fn expect(&mut self, byte: u8) -> Result<(), DateProblem> {
        if self.peek() != Some(byte) {
            return Err(DateProblem::Malformed);
        }
        self.at += 1;
        Ok(())
    }

    /// The run of ASCII letters here (possibly empty).
    fn word(&mut self) -> &[u8] {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.at += 1;
        }
        self.bytes.get(start..self.at).unwrap_or(&[])
    }

    /// `min..=max` ASCII digits (no more follow), as a number. At most 4 digits are ever asked
    /// for, so the value is below 10,000.
    fn digits(&mut self, min: usize, max: usize) -> Result<i64, DateProblem> {
        let start = self.at;
        let mut value = 0i64;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            if self.at - start == max {
                return Err(DateProblem::Malformed);
            }
            value = value * 10 + i64::from(b - b'0');
            self.at += 1;
        }
        if self.at - start < min {
            return Err(DateProblem::Malformed);
        }
        Ok(value)
    }

    /// The zone, as minutes east of UTC.
    fn zone(&mut self) -> Result<i64, DateProblem> {
        match self.peek() {
            Some(sign @ (b'+' | b'-')) => {
                self.at += 1;
                let hhmm = self.digits(4, 4)?;
                let (hours, minutes) = (hhmm / 100, hhmm % 100);
                if hours > 23 || minutes > 59 {
                    return Err(DateProblem::ZoneOutOfRange);
                }
                let east = hours * 60 + minutes;
                Ok(if sign == b'-' { -east } else { east })
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let name = self.word();
                if [b"GMT".as_slice(), b"UT".as_slice(), b"UTC".as_slice()]
                    .iter()
                    .any(|z| name.eq_ignore_ascii_case(z))
                {
                    Ok(0)
                } else {
                    Err(DateProblem::UnknownZone)
                }
            }
            _ => Err(DateProblem::Malformed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2018-12-24T08:58:22Z: the spec's example (docs/spec/operations.md §2), 16:58:22 at +08:00.
    const SPEC_QUERY_MS: i64 = 1_545_641_902_000;

    #[test]
    fn reads_the_spec_examples() {
        assert_eq!(
            parse_report_date("Mon, 24 Dec 2018 16:58:22 +0800"),
            Ok(SPEC_QUERY_MS)
        );
        // docs/spec/operations.md §3: 2021-11-25T02:27:00Z and 33 seconds later.
        assert_eq!(
            parse_report_date("Thu, 25 Nov 2021 10:27:00 +0800"),
            Ok(1_637_807_220_000)
        );
        assert_eq!(
            parse_report_date("Thu, 25 Nov 2021 10:27:33 +0800"),
            Ok(1_637_807_253_000)
        );
    }

    #[test]
    fn reads_the_optional_and_obsolete_parts_it_documents() {
        for same in [
            "24 Dec 2018 16:58:22 +0800",
            "mon, 24 DEC 2018 16:58:22 +0800",
            "Mon,24 Dec 2018 16:58:22 +0800",
            "  Mon ,  24\tDec  2018 16:58:22   +0800 ",
            "Mon, 24 Dec 2018 08:58:22 +0000",
            "Mon, 24 Dec 2018 08:58:22 -0000",
            "Mon, 24 Dec 2018 08:58:22 GMT",
            "Mon, 24 Dec 2018 08:58:22 UT",
            "Mon, 24 Dec 2018 08:58:22 utc",
            "Mon, 24 Dec 2018 03:28:22 -0530",
        ] {
            assert_eq!(parse_report_date(same), Ok(SPEC_QUERY_MS), "{same}");
        }
        assert_eq!(
            parse_report_date("Mon, 24 Dec 2018 16:58 +0800"),
            Ok(SPEC_QUERY_MS - 22_000)
        );
        assert_eq!(parse_report_date("Thu, 1 Jan 1970 00:00:00 +0000"), Ok(0));
        assert_eq!(
            parse_report_date("Wed, 31 Dec 1969 23:59:59 +0000"),
            Ok(-1_000)
        );
        assert_eq!(
            parse_report_date("Mon, 01 Jan 1900 00:00:00 +0000"),
            Ok(-2_208_988_800_000)
        );
        assert_eq!(
            parse_report_date("Fri, 31 Dec 9999 23:59:59 -2359"),
            Ok((253_402_300_799 + 23 * 3_600 + 59 * 60) * 1_000)
        );
    }

    #[test]
    fn leap_years_by_the_gregorian_rule() {
        assert_eq!(
            parse_report_date("Tue, 29 Feb 2000 00:00:00 +0000"),
            Ok(951_782_400_000)
        );
        assert!(parse_report_date("Thu, 29 Feb 2024 12:00:00 +0800").is_ok());
        for bad in [
            "29 Feb 1900 00:00:00 +0000",
            "29 Feb 2023 00:00:00 +0000",
            "30 Feb 2024 00:00:00 +0000",
            "31 Apr 2024 00:00:00 +0000",
            "31 Nov 2021 00:00:00 +0000",
            "0 Jan 2024 00:00:00 +0000",
            "00 Jan 2024 00:00:00 +0000",
            "32 Jan 2024 00:00:00 +0000",
        ] {
            assert_eq!(
                parse_report_date(bad),
                Err(DateProblem::DayOutOfRange),
                "{bad}"
            );
        }
    }

    #[test]
    fn refuses_what_it_documents_refusing() {
        for (bad, why) in [
            ("", DateProblem::Empty),
            (" \t ", DateProblem::Empty),
            (
                "Tue, 24 Dec 2018 16:58:22 +0800",
                DateProblem::DayOfWeekMismatch,
            ),
            (
                "Monday, 24 Dec 2018 16:58:22 +0800",
                DateProblem::UnknownDayOfWeek,
            ),
            ("Mon 24 Dec 2018 16:58:22 +0800", DateProblem::Malformed),
            (
                "Mon, 24 December 2018 16:58:22 +0800",
                DateProblem::UnknownMonth,
            ),
            ("Mon, 24 Dez 2018 16:58:22 +0800", DateProblem::UnknownMonth),
            ("Mon, 24 Dec 18 16:58:22 +0800", DateProblem::Malformed),
            ("Mon, 24 Dec 018 16:58:22 +0800", DateProblem::Malformed),
            ("Mon, 24 Dec 20180 16:58:22 +0800", DateProblem::Malformed),
            ("24 Dec 1899 16:58:22 +0800", DateProblem::YearOutOfRange),
            (
                "Mon, 24 Dec 2018 24:00:00 +0800",
                DateProblem::HourOutOfRange,
            ),
            (
                "Mon, 24 Dec 2018 16:60:22 +0800",
                DateProblem::MinuteOutOfRange,
            ),
            (
                "Mon, 24 Dec 2018 16:58:60 +0800",
                DateProblem::SecondOutOfRange,
            ),
            (
                "Mon, 24 Dec 2018 16:58:22 +2400",
                DateProblem::ZoneOutOfRange,
            ),
            (
                "Mon, 24 Dec 2018 16:58:22 +0860",
                DateProblem::ZoneOutOfRange,
            ),
            ("Mon, 24 Dec 2018 16:58:22 +800", DateProblem::Malformed),
            ("Mon, 24 Dec 2018 16:58:22 +08:00", DateProblem::Malformed),
            ("Mon, 24 Dec 2018 16:58:22 EST", DateProblem::UnknownZone),
            ("Mon, 24 Dec 2018 16:58:22 Z", DateProblem::UnknownZone),
            ("Mon, 24 Dec 2018 16:58:22", DateProblem::Malformed),
            (
                "Mon, 24 Dec 2018 16:58:22 +0800 (CST)",
                DateProblem::Malformed,
            ),
            ("Mon, 24 Dec 2018 16:58:22 +0800x", DateProblem::Malformed),
            ("Mon, 24 Dec 2018 6:58:22 +0800", DateProblem::Malformed),
            ("Mon, 24 Dec 2018 16 : 58:22 +0800", DateProblem::Malformed),
            ("Mon, 24 Dec 2018 16:58:22.5 +0800", DateProblem::Malformed),
            ("Mon, 124 Dec 2018 16:58:22 +0800", DateProblem::Malformed),
            ("Mon, 24Dec 2018 16:58:22 +0800", DateProblem::Malformed),
            ("Mon, 24 Dec 2018 16:58:22 ++0800", DateProblem::Malformed),
            ("Mon, ２4 Dec 2018 16:58:22 +0800", DateProblem::Malformed),
            ("2026-12-04T10:27:00+08:00", DateProblem::Malformed),
            ("2020-05-01 10:00:00", DateProblem::Malformed),
        ] {
            assert_eq!(parse_report_date(bad), Err(why), "{bad}");
        }
        let long = format!("Mon, 24 Dec 2018 16:58:22 +0800{}", " ".repeat(40));
        assert_eq!(parse_report_date(&long), Err(DateProblem::TooLong));
    }

    #[test]
    fn counting_agrees_with_known_days() {
        assert_eq!(days_since_epoch(1970, 1, 1), 0);
        assert_eq!(days_since_epoch(2000, 3, 1), 11_017);
        assert_eq!(days_since_epoch(1969, 12, 31), -1);
        assert_eq!(days_since_epoch(1900, 1, 1), -25_567);
        assert_eq!(weekday_of(0), 4);
        assert_eq!(weekday_of(-1), 3);
    }

    #[test]
    fn problems_read_as_sentences() {
        assert!(DateProblem::DayOfWeekMismatch
            .to_string()
            .contains("weekday"));
    }
}
