//! Properties of the delivery-report readers (issue 13): dates round-trip against an independent
//! formatter, no text panics either reader, a push with one bad entry keeps all its good ones,
//! every report read is read again the same when written back, and de-duplication keeps exactly
//! the first of each (`MessageId`, `Status`) not seen before.

#[path = "../fuzz/common/report_oracle.rs"]
mod report_oracle;

use std::collections::HashSet;

use aliyun_globe_sms::report::{
    dedupe, read_reports, EntryProblem, Report, ReportDate, ReportStatus, SeenReports,
};
use aliyun_globe_sms::report_date::parse_report_date;
use proptest::prelude::*;
use report_oracle::{check_report, format_date, write_entry, DateStyle, FIRST_SECOND, LAST_SECOND};

fn any_style() -> impl Strategy<Value = DateStyle> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<u8>(),
    )
        .prop_map(
            |(weekday, seconds, bare_day, lower_case, wide, zero_zone)| DateStyle {
                weekday,
                seconds,
                bare_day,
                lower_case,
                wide,
                zero_zone,
            },
        )
}

fn any_offset() -> impl Strategy<Value = i64> {
    prop_oneof![Just(0i64), Just(480), Just(-330), -1439i64..=1439,]
}

/// A date as the service writes it (an instant, an offset and a style), or date-shaped text
/// that may not be a date at all.
fn any_date() -> impl Strategy<Value = ReportDate> {
    prop_oneof![
        (
            FIRST_SECOND + 86_400..=LAST_SECOND - 86_400,
            any_offset(),
            any_style()
        )
            .prop_filter_map(
                "local date outside 1900..=9999",
                |(seconds, offset, style)| {
                    format_date(seconds, offset, style).map(|(text, ms)| ReportDate {
                        epoch_ms: Some(ms),
                        text,
                    })
                }
            ),
        "[A-Za-z0-9 ,:+./-]{1,64}".prop_map(|text| ReportDate {
            epoch_ms: parse_report_date(&text).ok(),
            text,
        }),
    ]
}

fn any_status() -> impl Strategy<Value = ReportStatus> {
    prop_oneof![
        Just(ReportStatus::Delivered),
        Just(ReportStatus::Failed),
        Just(ReportStatus::Expired),
        "[A-Za-z0-9._-]{1,64}".prop_map(|code| ReportStatus::from_code(&code)),
    ]
}

/// A report with every value in its kept shape (index and ignored fields left for the caller).
fn any_report() -> impl Strategy<Value = Report> {
    (
        "[0-9A-Za-z._*-]{1,64}",
        any_status(),
        proptest::option::of("\\+?[0-9*]{1,32}"),
        proptest::option::of("[^\\p{Cc}]{1,40}|[0-9]{1,12}"),
        proptest::option::of(0u32..=255),
        proptest::option::of(any_date()),
        proptest::option::of(any_date()),
        proptest::option::of("[A-Za-z0-9._-]{1,64}"),
        proptest::option::of("[ -~]{1,256}"),
    )
        .prop_map(
            |(message_id, status, to, task_id, segments, send_date, receive_date, code, text)| {
                Report {
                    index: 0,
                    message_id,
                    status,
                    to,
                    task_id,
                    segments,
                    send_date,
                    receive_date,
                    error_code: code,
                    error_description: text,
                    ignored_fields: Vec::new(),
                }
            },
        )
}

/// An entry that must be rejected, without breaking the body's outline (balanced brackets and
/// quotes), and the problems it may be rejected for.
fn any_bad_entry() -> impl Strategy<Value = (String, &'static [EntryProblem])> {
    use EntryProblem::*;
    prop_oneof![
        "-?[1-9][0-9]{0,5}".prop_map(|t| (t, &[NotAnObject][..])),
        "\"[a-z ]{0,8}\"".prop_map(|t| (t, &[NotAnObject][..])),
        Just(("null".to_string(), &[NotAnObject][..])),
        Just(("[]".to_string(), &[NotAnObject][..])),
        Just(("{}".to_string(), &[MissingMessageId][..])),
        "[a-z]{2,5}( [a-z]{1,3})?".prop_map(|id| (
            format!(r#"{{"MessageId":"{id} x","Status":"1"}}"#),
            &[InvalidMessageId][..]
        )),
        "[a-z]{1,5}".prop_map(|id| (format!(r#"{{"MessageId":"{id}"}}"#), &[MissingStatus][..])),
        "[a-z]{1,5}".prop_map(|id| (
            format!(r#"{{"MessageId":"{id}","Status":"1 2"}}"#),
            &[InvalidStatus][..]
        )),
        "[a-z]{1,5}".prop_map(|id| (
            format!(r#"{{"MessageId":"{id}","Status":"1",}}"#),
            &[NotJson][..]
        )),
        // Junk with none of the characters that shape the outline, not blank (a lone blank
        // entry is the empty array `[ ]`).
        "[^\",\\[\\]{}\\\\ \t\r\n][^\",\\[\\]{}\\\\]{0,23}".prop_map(|t| (t, &[NotJson, NotAnObject][..])),
    ]
}

fn with_index(reports: &[Report]) -> Vec<Report> {
    reports
        .iter()
        .enumerate()
        .map(|(index, r)| Report { index, ..r.clone() })
        .collect()
}

fn body(entries: &[String]) -> String {
    format!("[\n  {}\n]", entries.join(",\n  "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn dates_round_trip_against_an_independent_formatter(
        seconds in FIRST_SECOND..=LAST_SECOND,
        offset in any_offset(),
        style in any_style(),
    ) {
        if let Some((text, ms)) = format_date(seconds, offset, style) {
            prop_assert_eq!(parse_report_date(&text), Ok(ms), "{:?}", text);
        }
    }

    #[test]
    fn a_wrong_weekday_is_refused(seconds in FIRST_SECOND..=LAST_SECOND, shift in 1i64..7) {
        let style = DateStyle { weekday: true, seconds: true, ..DateStyle::default() };
        let (text, _) = format_date(seconds, 0, style).unwrap();
        // The same text with the weekday of another day.
        let other = format_date(seconds + shift * 86_400, 0, style).map(|(t, _)| t[..3].to_string());
        if let Some(other) = other {
            let wrong = format!("{other}{}", &text[3..]);
            prop_assert!(parse_report_date(&wrong).is_err(), "{:?}", wrong);
        }
    }

    #[test]
    fn no_text_panics_the_readers(text in "\\PC{0,80}|.{0,80}", bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_report_date(&text);
        let _ = read_reports(text.as_bytes());
        let _ = read_reports(&bytes);
        let _ = read_reports(format!("[{text}]").as_bytes());
        let _ = read_reports(format!("[{{\"MessageId\":\"m\",\"Status\":\"1\",\"SendDate\":{text}}}]").as_bytes());
    }

    #[test]
    fn reports_read_back_the_same_when_written(
        reports in prop::collection::vec(any_report(), 0..12),
        rotate in 0usize..9,
        numbers in any::<bool>(),
        nulls in any::<bool>(),
    ) {
        let entries: Vec<String> = reports.iter().map(|r| write_entry(r, rotate, numbers, nulls)).collect();
        let batch = read_reports(body(&entries).as_bytes()).unwrap();
        prop_assert_eq!(batch.rejected, vec![]);
        for r in &batch.reports {
            check_report(r);
        }
        prop_assert_eq!(batch.reports, with_index(&reports));
    }

    #[test]
    fn one_bad_entry_keeps_every_good_one(
        reports in prop::collection::vec(any_report(), 0..10),
        bad in any_bad_entry(),
        at in any::<prop::sample::Index>(),
    ) {
        let (bad, problems) = bad;
        let mut entries: Vec<String> = reports.iter().map(|r| write_entry(r, 0, false, false)).collect();
        let bad_index = at.index(entries.len() + 1);
        entries.insert(bad_index, bad.clone());
        let batch = read_reports(body(&entries).as_bytes()).unwrap();

        prop_assert_eq!(batch.rejected.len(), 1, "{:?}", bad);
        prop_assert_eq!(batch.rejected[0].index, bad_index);
        prop_assert!(problems.contains(&batch.rejected[0].problem), "{:?}: {:?}", bad, batch.rejected[0]);
        let mut expected = with_index(&reports);
        for r in expected.iter_mut().skip(bad_index) {
            r.index += 1;
        }
        prop_assert_eq!(batch.reports, expected);
    }

    #[test]
    fn dedupe_keeps_the_first_unseen_of_each_key(
        picks in prop::collection::vec((0usize..6, 0usize..4), 0..40),
        seen_picks in prop::collection::vec((0usize..6, 0usize..4), 0..6),
        capacity in 0usize..8,
    ) {
        let report = |(id, status): (usize, usize)| Report {
            index: 0,
            message_id: format!("m{id}"),
            status: ReportStatus::from_code(["1", "2", "6", "3"][status]),
            to: None, task_id: None, segments: None, send_date: None, receive_date: None,
            error_code: None, error_description: None, ignored_fields: Vec::new(),
        };
        let reports = with_index(&picks.iter().copied().map(report).collect::<Vec<_>>());
        let mut seen = SeenReports::new(capacity);
        seen.remember(&seen_picks.iter().copied().map(report).collect::<Vec<_>>());
        prop_assert!(seen.len() <= capacity);

        let out = dedupe(reports.clone(), &seen);
        // By brute force: fresh is the first of each key not held by `seen`.
        let mut keys = HashSet::new();
        let expected_fresh: Vec<usize> = reports
            .iter()
            .filter(|r| !seen.contains(&r.key()) && keys.insert(r.key()))
            .map(|r| r.index)
            .collect();
        let fresh: Vec<usize> = out.fresh.iter().map(|r| r.index).collect();
        let duplicates: Vec<usize> = out.duplicates.iter().map(|r| r.index).collect();
        prop_assert_eq!(&fresh, &expected_fresh);
        let mut all: Vec<usize> = fresh.iter().chain(&duplicates).copied().collect();
        all.sort_unstable();
        prop_assert_eq!(all, (0..reports.len()).collect::<Vec<_>>());

        // Remembered after handling, a re-push of the same body is all duplicates (when the
        // set is large enough to hold them).
        seen.remember(&out.fresh);
        let again = dedupe(reports, &seen);
        if capacity >= seen_picks.len() + out.fresh.len() {
            prop_assert!(again.fresh.is_empty());
        }
    }
}
