//! Independent references for the delivery-report readers (`report_date`, `report`): shared by
//! the `report_date` and `report_body` fuzz targets and `tests/report_properties.rs` (each
//! includes this file with `#[path]`).
//!
//! - `format_date` writes a date the way docs/spec/operations.md §2 and §3 show it (`Mon, 24 Dec 2018
//!   16:58:22 +0800`), in the variants `report_date` documents reading, from its own calendar: it
//!   walks year by year and month by month from 1900-01-01 (a Monday), where the crate counts
//!   leap days arithmetically from 1970. Only the Gregorian leap rule is shared, being the
//!   definition.
//! - `write_entry` writes a `Report` back as an entry of a push, so whatever the reader kept can
//!   be read again and compared.
//! - `check_report` holds every kept value to the shape the module documents, written again
//!   here.

use aliyun_globe_sms::report::{Report, ReportStatus};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// 1900-01-01T00:00:00 as seconds since the epoch.
pub const FIRST_SECOND: i64 = -2_208_988_800;
/// 9999-12-31T23:59:59 as seconds since the epoch.
pub const LAST_SECOND: i64 = 253_402_300_799;

/// How a date is written: each choice is one the parser documents accepting.
#[derive(Debug, Clone, Copy, Default)]
pub struct DateStyle {
    /// `Mon, ` before the day.
    pub weekday: bool,
    /// `:SS` after the minutes (left out: the seconds are dropped from the instant).
    pub seconds: bool,
    /// `5` instead of `05` for a one-digit day.
    pub bare_day: bool,
    /// Names in lower case (`mon`, `dec`).
    pub lower_case: bool,
    /// Extra spaces (and a tab) between the parts, around the comma and the whole.
    pub wide: bool,
    /// For a zero offset, one of `+0000`, `-0000`, `GMT`, `UT`, `UTC` (index modulo 5).
    pub zero_zone: u8,
}

fn leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn month_days(year: i64, month: usize) -> i64 {
    [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month]
}

/// The civil date of `local_seconds` (seconds since 1970-01-01T00:00:00 of the local clock):
/// (year, month index 0..12, day 1.., weekday index into `DAYS`, seconds into the day), by
/// walking from 1900-01-01. `None` before 1900 or after 9999.
pub fn civil(local_seconds: i64) -> Option<(i64, usize, i64, usize, i64)> {
    if !(FIRST_SECOND..=LAST_SECOND).contains(&local_seconds) {
        return None;
    }
    let since_1900 = local_seconds - FIRST_SECOND;
    let mut days = since_1900 / 86_400;
    let second_of_day = since_1900 % 86_400;
    let weekday = (days % 7) as usize;
    let mut year = 1900;
    while days >= if leap(year) { 366 } else { 365 } {
        days -= if leap(year) { 366 } else { 365 };
        year += 1;
    }
    let mut month = 0;
    while days >= month_days(year, month) {
        days -= month_days(year, month);
        month += 1;
    }
    Some((year, month, days + 1, weekday, second_of_day))
}

/// The text of the instant `epoch_seconds` seen at `offset_minutes` east of UTC, and the
/// milliseconds the parser must give for it. `None` when the local date is outside 1900..=9999
/// or the offset outside ±23:59.
pub fn format_date(
    epoch_seconds: i64,
    offset_minutes: i64,
    style: DateStyle,
) -> Option<(String, i64)> {
    if offset_minutes.abs() >= 24 * 60 {
        return None;
    }
    let mut local = epoch_seconds.checked_add(offset_minutes * 60)?;
    if !style.seconds {
        local -= local.rem_euclid(60);
    }
    let (year, month, day, weekday, second_of_day) = civil(local)?;
    let name = |s: &str| {
        if style.lower_case {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    };
    let gap = if style.wide { " \t " } else { " " };
    let mut out = String::new();
    if style.wide {
        out.push_str("  ");
    }
    if style.weekday {
        out.push_str(&name(DAYS[weekday]));
        out.push_str(if style.wide { " , " } else { ", " });
    }
    if style.bare_day {
        out.push_str(&day.to_string());
    } else {
        out.push_str(&format!("{day:02}"));
    }
    out.push_str(gap);
    out.push_str(&name(MONTHS[month]));
    out.push_str(gap);
    out.push_str(&format!("{year:04}"));
    out.push_str(gap);
    out.push_str(&format!(
        "{:02}:{:02}",
        second_of_day / 3_600,
        second_of_day / 60 % 60
    ));
    if style.seconds {
        out.push_str(&format!(":{:02}", second_of_day % 60));
    }
    out.push_str(gap);
    let zero_zone = usize::from(style.zero_zone) % 5;
    if offset_minutes == 0 && zero_zone > 0 {
        out.push_str(["+0000", "-0000", "GMT", "UT", "UTC"][zero_zone]);
    } else {
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let east = offset_minutes.abs();
        out.push_str(&format!("{sign}{:02}{:02}", east / 60, east % 60));
    }
    if style.wide {
        out.push(' ');
    }
    Some((out, (local - offset_minutes * 60) * 1_000))
}

/// A JSON string literal, by serde_json (not the crate's writer).
fn string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// `report` written as one entry of a push, with the members in the order given by `rotate`
/// (every rotation of the nine fields) and, when `numbers`, the digit-only values of `Status`,
/// `SmsSize`, `MessageId` and `TaskId` written as JSON numbers. Absent values are left out, or
/// written `null` when `nulls`.
pub fn write_entry(report: &Report, rotate: usize, numbers: bool, nulls: bool) -> String {
    // Digits JSON can hold as a number: no leading zero (`007` is not JSON).
    let digits = |t: &str| {
        numbers
            && !t.is_empty()
            && t.bytes().all(|b| b.is_ascii_digit())
            && (t == "0" || !t.starts_with('0'))
    };
    let scalar = |t: &str| if digits(t) { t.to_string() } else { string(t) };
    let date =
        |d: &Option<aliyun_globe_sms::report::ReportDate>| d.as_ref().map(|d| string(&d.text));
    let mut members: Vec<(&str, Option<String>)> = vec![
        ("To", report.to.as_deref().map(string)),
        ("Status", Some(scalar(report.status.code()))),
        ("MessageId", Some(scalar(&report.message_id))),
        ("TaskId", report.task_id.as_deref().map(scalar)),
        (
            "SmsSize",
            report.segments.map(|n| {
                if numbers {
                    n.to_string()
                } else {
                    string(&n.to_string())
                }
            }),
        ),
        ("SendDate", date(&report.send_date)),
        ("ReceiveDate", date(&report.receive_date)),
        ("ErrorCode", report.error_code.as_deref().map(scalar)),
        (
            "ErrorDescription",
            report.error_description.as_deref().map(string),
        ),
    ];
    let len = members.len();
    members.rotate_left(rotate % len);
    let mut out = String::from("{");
    let mut first = true;
    for (name, value) in members {
        let value = match value {
            Some(v) => v,
            None if nulls => "null".to_string(),
            None => continue,
        };
        if !first {
            out.push_str(", ");
        }
        first = false;
        out.push_str(&format!("\"{name}\": {value}"));
    }
    out.push('}');
    out
}

fn all_bytes(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    text.bytes().all(allowed)
}

fn code_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-'
}

/// Every kept value of `report` in the shape the module documents; nothing ignored that was kept.
pub fn check_report(report: &Report) {
    let id = &report.message_id;
    assert!(
        (1..=64).contains(&id.len()) && all_bytes(id, |b| code_byte(b) || b == b'*'),
        "MessageId {id:?}"
    );
    let status = report.status.code();
    assert!(
        (1..=64).contains(&status.len()) && all_bytes(status, code_byte),
        "Status {status:?}"
    );
    match &report.status {
        ReportStatus::Other(code) => assert!(!["1", "2", "6"].contains(&code.as_str())),
        named => assert!(["delivered", "failed", "expired"].contains(&named.name())),
    }
    if let Some(to) = &report.to {
        let rest = to.strip_prefix('+').unwrap_or(to);
        assert!(
            (1..=32).contains(&rest.len()) && all_bytes(rest, |b| b.is_ascii_digit() || b == b'*'),
            "To {to:?}"
        );
    }
    if let Some(task) = &report.task_id {
        let n = task.chars().count();
        assert!(
            (1..=255).contains(&n) && !task.chars().any(char::is_control),
            "TaskId {task:?}"
        );
    }
    if let Some(n) = report.segments {
        assert!(n <= 255, "SmsSize {n}");
    }
    for date in [&report.send_date, &report.receive_date]
        .into_iter()
        .flatten()
    {
        assert!(
            (1..=64).contains(&date.text.len())
                && all_bytes(&date.text, |b| b.is_ascii_alphanumeric()
                    || b" \t,:+-./".contains(&b)),
            "date {:?}",
            date.text
        );
        assert_eq!(
            date.epoch_ms,
            aliyun_globe_sms::report_date::parse_report_date(&date.text).ok()
        );
    }
    if let Some(code) = &report.error_code {
        assert!(
            (1..=64).contains(&code.len()) && all_bytes(code, code_byte),
            "ErrorCode {code:?}"
        );
    }
    if let Some(text) = &report.error_description {
        assert!(
            (1..=256).contains(&text.len()) && all_bytes(text, |b| (0x20..=0x7e).contains(&b)),
            "ErrorDescription {text:?}"
        );
    }
    let kept = [
        ("To", report.to.is_some()),
        ("TaskId", report.task_id.is_some()),
        ("SmsSize", report.segments.is_some()),
        ("SendDate", report.send_date.is_some()),
        ("ReceiveDate", report.receive_date.is_some()),
        ("ErrorCode", report.error_code.is_some()),
        ("ErrorDescription", report.error_description.is_some()),
    ];
    for name in &report.ignored_fields {
        assert!(
            kept.iter().any(|(n, k)| n == name && !k),
            "{name} both kept and ignored, or not a field"
        );
    }
}
