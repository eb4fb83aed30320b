//! The delivery-report push reader, `report::read_reports`, and `report::dedupe`, on raw bytes or
//! on pushes built from the input: entries with the documented fields (values in and out of
//! their shapes, strings or numbers, dates from an independent formatter, MessageIds from a small
//! set so repeats are common) mixed with entries of raw text, the body sometimes cut short.
//!
//! Checked beyond "no panic":
//! - a body over `MAX_BODY_BYTES` is refused as too large; otherwise a refused body has a typed
//!   problem;
//! - every entry index of a read body is in exactly one of `reports` and `rejected`, in order;
//!   a push built only of entries is read with one result per entry;
//! - every kept value is of its documented shape (`common/report_oracle.rs`), `ignored_fields`
//!   names only fields that were present and not kept; a built entry's kept values are the ones
//!   written;
//! - the reports read, written back, read again the same (with nothing ignored);
//! - `dedupe` keeps exactly the first report of each (`MessageId`, `Status`) not in `seen`, in
//!   order, and hands every other one back as a duplicate.

#![no_main]

use std::collections::HashSet;

use aliyun_globe_sms::report::{dedupe, read_reports, Report, SeenReports, MAX_BODY_BYTES};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[path = "../common/report_oracle.rs"]
mod report_oracle;

use report_oracle::{check_report, format_date, write_entry, DateStyle};

#[derive(Arbitrary, Debug)]
enum Input {
    Raw(Vec<u8>),
    Built(Push),
}

#[derive(Arbitrary, Debug)]
struct Push {
    entries: Vec<Entry>,
    /// Entries remembered before the push (as built entries).
    seen: Vec<Fields>,
    capacity: u8,
    spacing: u8,
    truncate: Option<u16>,
}

#[derive(Arbitrary, Debug)]
enum Entry {
    Fields(Fields),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
struct Fields {
    message_id: Value,
    status: Value,
    to: Option<Value>,
    task_id: Option<Value>,
    sms_size: Option<Value>,
    send_date: Option<Date>,
    receive_date: Option<Date>,
    error_code: Option<Value>,
    error_description: Option<Value>,
}

#[derive(Arbitrary, Debug)]
enum Value {
    /// One of a few typical values of the field (so MessageIds repeat and statuses are real).
    Pick(u8),
    Text(String),
    Number(u32),
    Null,
    True,
}

#[derive(Arbitrary, Debug)]
enum Date {
    Written {
        seconds: i64,
        offset: i16,
        style: u8,
    },
    Text(String),
}

const PICKS: &[&str] = &[
    "1008030300812345678",
    "1008030300887654321",
    "1",
    "2",
    "6",
    "3",
    "8521234****",
    "+6591234567",
    "67890",
    "DELIVERED",
    "success",
    "Thu, 25 Nov 2021 10:27:00 +0800",
    "123456789****",
    "",
];

/// The member's JSON text, or `None` to leave it out.
fn value_json(value: &Value) -> String {
    match value {
        Value::Pick(i) => json_string(PICKS[usize::from(*i) % PICKS.len()]),
        Value::Text(t) => json_string(t),
        Value::Number(n) => n.to_string(),
        Value::Null => "null".to_string(),
        Value::True => "true".to_string(),
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn date_json(date: &Date) -> String {
    match date {
        Date::Written {
            seconds,
            offset,
            style,
        } => {
            let s = DateStyle {
                weekday: style & 1 != 0,
                seconds: style & 2 != 0,
                bare_day: style & 4 != 0,
                lower_case: style & 8 != 0,
                wide: style & 16 != 0,
                zero_zone: style >> 5,
            };
            let span = report_oracle::LAST_SECOND - report_oracle::FIRST_SECOND + 1;
            let seconds = report_oracle::FIRST_SECOND + seconds.rem_euclid(span);
            let offset = i64::from(*offset) % (24 * 60);
            json_string(
                &format_date(seconds, offset, s)
                    .map(|(t, _)| t)
                    .unwrap_or_default(),
            )
        }
        Date::Text(t) => json_string(t),
    }
}

/// The entry's members as (name, JSON text).
fn members(f: &Fields) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("MessageId", value_json(&f.message_id)),
        ("Status", value_json(&f.status)),
    ];
    for (name, value) in [
        ("To", &f.to),
        ("TaskId", &f.task_id),
        ("SmsSize", &f.sms_size),
        ("ErrorCode", &f.error_code),
        ("ErrorDescription", &f.error_description),
    ] {
        if let Some(v) = value {
            out.push((name, value_json(v)));
        }
    }
    for (name, date) in [("SendDate", &f.send_date), ("ReceiveDate", &f.receive_date)] {
        if let Some(d) = date {
            out.push((name, date_json(d)));
        }
    }
    out
}

fn object(members: &[(&str, String)]) -> String {
    let parts: Vec<String> = members
        .iter()
        .map(|(name, value)| format!("\"{name}\":{value}"))
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// The text a member's JSON holds when it is a string or a plain number (what the reader may
/// keep), `None` for `null`, `true`.
fn member_text(json: &str) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(json).ok()? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A built entry's kept values are the ones written, and only present fields are ignored.
fn check_against_written(report: &Report, written: &[(&'static str, String)]) {
    let written_text = |name: &str| {
        written
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, json)| member_text(json))
    };
    let present = |name: &str| {
        written
            .iter()
            .any(|(n, json)| *n == name && json.as_str() != "null")
    };
    assert_eq!(Some(report.message_id.clone()), written_text("MessageId"));
    assert_eq!(
        Some(report.status.code().to_string()),
        written_text("Status")
    );
    let kept: [(&str, Option<String>); 7] = [
        ("To", report.to.clone()),
        ("TaskId", report.task_id.clone()),
        ("SmsSize", report.segments.map(|n| n.to_string())),
        (
            "SendDate",
            report.send_date.as_ref().map(|d| d.text.clone()),
        ),
        (
            "ReceiveDate",
            report.receive_date.as_ref().map(|d| d.text.clone()),
        ),
        ("ErrorCode", report.error_code.clone()),
        ("ErrorDescription", report.error_description.clone()),
    ];
    for (name, value) in kept {
        let ignored = report.ignored_fields.contains(&name);
        match value {
            Some(v) if name == "SmsSize" => {
                let t = written_text(name).expect("SmsSize kept from nothing");
                assert_eq!(
                    t.parse::<u32>().ok(),
                    Some(v.parse::<u32>().unwrap_or(u32::MAX))
                );
            }
            Some(v) => assert_eq!(Some(v), written_text(name), "{name}"),
            None => assert_eq!(ignored, present(name), "{name}: ignored {ignored}"),
        }
    }
}

fn check_dedupe(reports: Vec<Report>, seen: &SeenReports) {
    let mut keys = HashSet::new();
    let expected: Vec<usize> = reports
        .iter()
        .filter(|r| !seen.contains(&r.key()) && keys.insert(r.key()))
        .map(|r| r.index)
        .collect();
    let count = reports.len();
    let out = dedupe(reports, seen);
    let fresh: Vec<usize> = out.fresh.iter().map(|r| r.index).collect();
    assert_eq!(fresh, expected);
    let mut all: Vec<usize> = fresh
        .iter()
        .chain(out.duplicates.iter().map(|r| &r.index))
        .copied()
        .collect();
    assert_eq!(all.len(), count);
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), count, "a report both fresh and duplicate");
}

fn check_body(
    body: &[u8],
    seen: &SeenReports,
    built: Option<&[Option<Vec<(&'static str, String)>>]>,
) {
    let batch = match read_reports(body) {
        Ok(batch) => batch,
        Err(problem) => {
            if body.len() > MAX_BODY_BYTES {
                assert_eq!(problem.code(), "REPORT_BODY_TOO_LARGE");
            }
            assert!(!problem.to_string().is_empty());
            return;
        }
    };
    assert!(body.len() <= MAX_BODY_BYTES);

    // Every index once, in order.
    let mut indices: Vec<usize> = batch
        .reports
        .iter()
        .map(|r| r.index)
        .chain(batch.rejected.iter().map(|r| r.index))
        .collect();
    assert!(batch.reports.windows(2).all(|w| w[0].index < w[1].index));
    assert!(batch.rejected.windows(2).all(|w| w[0].index < w[1].index));
    indices.sort_unstable();
    assert_eq!(indices, (0..indices.len()).collect::<Vec<_>>());

    for report in &batch.reports {
        check_report(report);
    }
    for rejected in &batch.rejected {
        assert!(rejected.problem.as_str().starts_with("ENTRY_"));
    }
    if let Some(built) = built {
        assert_eq!(indices.len(), built.len(), "one result per built entry");
        for report in &batch.reports {
            if let Some(Some(written)) = built.get(report.index) {
                check_against_written(report, written);
            }
        }
    }

    // Written back, read again the same.
    let again: Vec<String> = batch
        .reports
        .iter()
        .enumerate()
        .map(|(i, r)| write_entry(r, i, i % 2 == 0, i % 3 == 0))
        .collect();
    let reread = read_reports(format!("[{}]", again.join(",")).as_bytes()).expect("written back");
    assert!(reread.rejected.is_empty(), "{:?}", reread.rejected);
    assert_eq!(reread.reports.len(), batch.reports.len());
    for (a, b) in reread.reports.iter().zip(&batch.reports) {
        // Only kept values are written back, so nothing is ignored the second time.
        assert!(a.ignored_fields.is_empty(), "{a:?}");
        assert_eq!(
            Report {
                index: b.index,
                ignored_fields: b.ignored_fields.clone(),
                ..a.clone()
            },
            *b
        );
    }

    check_dedupe(batch.reports, seen);
}

fuzz_target!(|input: Input| {
    match input {
        Input::Raw(bytes) => check_body(&bytes, &SeenReports::new(0), None),
        Input::Built(push) => {
            let mut seen = SeenReports::new(usize::from(push.capacity));
            let remembered: Vec<String> = push.seen.iter().map(|f| object(&members(f))).collect();
            if let Ok(batch) = read_reports(format!("[{}]", remembered.join(",")).as_bytes()) {
                seen.remember(&batch.reports);
                assert!(seen.len() <= seen.capacity());
            }

            let gap = [",", ", ", ",\n  ", " ,\t"][usize::from(push.spacing % 4)];
            let mut written = Vec::new();
            let mut texts = Vec::new();
            let mut clean = true;
            for entry in &push.entries {
                match entry {
                    Entry::Fields(f) => {
                        let m = members(f);
                        texts.push(object(&m));
                        written.push(Some(m));
                    }
                    Entry::Raw(t) => {
                        // Raw text can change the outline; then entries no longer line up.
                        clean &= !t.contains(['"', ',', '[', ']', '{', '}', '\\'])
                            && !t.trim_matches([' ', '\t', '\n', '\r']).is_empty();
                        texts.push(t.clone());
                        written.push(None);
                    }
                }
            }
            let body = format!("[{}]", texts.join(gap));
            match push.truncate {
                Some(at) => {
                    let cut = usize::from(at).min(body.len());
                    check_body(&body.as_bytes()[..cut], &seen, None);
                }
                None => check_body(body.as_bytes(), &seen, clean.then_some(written.as_slice())),
            }
        }
    }
});
