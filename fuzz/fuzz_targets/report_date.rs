//! The report date reader, `report_date::parse_report_date`, on any text, on dates written by an
//! independent formatter, and on such dates with a few bytes changed.
//!
//! Checked beyond "no panic":
//! - a date written by `common/report_oracle.rs` (any instant of years 1900..=9999 seen at any
//!   offset up to ±23:59, in every documented style) reads as the instant it was written from;
//! - whatever text is read gives a whole second within the documented years (give or take a
//!   day's offset), from at most `MAX_DATE_BYTES` of text, and the same instant written again
//!   in UTC reads the same (so nothing is read that the reader cannot say again);
//! - a changed date is either read that way too or refused with a typed problem.

#![no_main]

use aliyun_globe_sms::report_date::{parse_report_date, MAX_DATE_BYTES};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

// Shared with report_body, which uses the report half of it.
#[allow(dead_code)]
#[path = "../common/report_oracle.rs"]
mod report_oracle;

use report_oracle::{format_date, DateStyle, FIRST_SECOND, LAST_SECOND};

#[derive(Arbitrary, Debug)]
enum Input {
    Raw(String),
    Written {
        seconds: i64,
        offset: i16,
        style: u8,
        zero_zone: u8,
    },
    Changed {
        seconds: i64,
        offset: i16,
        style: u8,
        edits: Vec<(u8, u8, u8)>,
    },
}

fn style(bits: u8, zero_zone: u8) -> DateStyle {
    DateStyle {
        weekday: bits & 1 != 0,
        seconds: bits & 2 != 0,
        bare_day: bits & 4 != 0,
        lower_case: bits & 8 != 0,
        wide: bits & 16 != 0,
        zero_zone,
    }
}

/// An instant in the formatter's range, and an offset within ±23:59.
fn place(seconds: i64, offset: i16) -> (i64, i64) {
    let span = LAST_SECOND - FIRST_SECOND + 1;
    (
        FIRST_SECOND + seconds.rem_euclid(span),
        i64::from(offset) % (24 * 60),
    )
}

/// What any successful read must satisfy.
fn check_read(text: &str, ms: i64) {
    assert!(text.len() <= MAX_DATE_BYTES, "{text:?}");
    assert_eq!(ms % 1_000, 0, "{text:?} → {ms}");
    let seconds = ms / 1_000;
    let day = 86_400;
    assert!(
        (FIRST_SECOND - day..=LAST_SECOND + day).contains(&seconds),
        "{text:?} → {ms}"
    );
    let utc = DateStyle {
        weekday: true,
        seconds: true,
        ..DateStyle::default()
    };
    if let Some((again, expected)) = format_date(seconds, 0, utc) {
        assert_eq!(expected, ms);
        assert_eq!(parse_report_date(&again), Ok(ms), "{text:?} → {again:?}");
    }
}

fuzz_target!(|input: Input| match input {
    Input::Raw(text) => {
        if let Ok(ms) = parse_report_date(&text) {
            check_read(&text, ms);
        }
    }
    Input::Written {
        seconds,
        offset,
        style: bits,
        zero_zone,
    } => {
        let (seconds, offset) = place(seconds, offset);
        if let Some((text, ms)) = format_date(seconds, offset, style(bits, zero_zone)) {
            assert_eq!(parse_report_date(&text), Ok(ms), "{text:?}");
            check_read(&text, ms);
        }
    }
    Input::Changed {
        seconds,
        offset,
        style: bits,
        edits,
    } => {
        let (seconds, offset) = place(seconds, offset);
        let Some((text, _)) = format_date(seconds, offset, style(bits, 0)) else {
            return;
        };
        let mut bytes = text.into_bytes();
        for (kind, at, byte) in edits.into_iter().take(8) {
            let at = usize::from(at) % (bytes.len() + 1);
            match kind % 3 {
                0 => bytes.insert(at, byte),
                1 if at < bytes.len() => bytes[at] = byte,
                _ if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => {}
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        match parse_report_date(&text) {
            Ok(ms) => check_read(&text, ms),
            Err(problem) => assert!(!problem.to_string().is_empty()),
        }
    }
});
