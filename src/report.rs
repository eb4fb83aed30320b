//! Delivery reports (`SmsReport`, international): the body Alibaba pushes to a callback URL, a
//! JSON array of report objects (docs/spec/operations.md §3), read into typed reports; and
//! the de-duplication the spec asks for ("reports are not idempotent: deduplicate on
//! (`MessageId`, `Status`)").
//!
//! Reading keeps every good entry of a batch when another entry is bad (§3: "never drop the good
//! entries of a batch because one entry is bad"). The body is split into its entries first, by
//! its brackets and strings alone, and each entry is then read as JSON by itself
//! (`json_text::parse`): an entry that is not JSON, not an object, or lacks a usable `MessageId`
//! or `Status` is reported back as data (its index and why), and the others are kept. Only a body
//! whose outline cannot be followed (not an array, cut short, text after the closing bracket) or
//! that is over the bounds is refused whole: an HTTP receiver then answers with an error, so
//! Alibaba pushes the batch again (§3) rather than some of it being lost.
//!
//! The body is the mainland-independent international shape: `To`, `Status`, `MessageId`,
//! `TaskId`, `SmsSize`, `SendDate`, `ReceiveDate`, `ErrorCode`, `ErrorDescription`, every value a
//! string. The mainland report (`phone_number`, `success`, `biz_id`, …) is a different body and
//! is not read here: such an entry has no `MessageId` and is rejected as `ENTRY_MISSING_MESSAGE_ID`.
//! Numbers are accepted where the docs say "a string of digits" (`Status`, `SmsSize`, `MessageId`,
//! `TaskId`), since a JSON encoder may write them either way; `null` counts as absent.
//!
//! Anyone can POST to a callback URL, so what is kept of an entry is held to known shapes (the
//! same idea as `redact::KnownSecrets::keep_code`): a value of another shape is not kept, and its
//! field is named in `ignored_fields`. An entry never echoes free text into a log or an error.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::batch::MAX_TASK_ID_CHARACTERS;
use crate::json_text::{self, JsonValue};
use crate::report_date::{parse_report_date, MAX_DATE_BYTES};

/// The largest push body read, in bytes: 4 MiB.
///
/// How many reports Alibaba puts in one push is not documented (docs/spec/operations.md §5 lists what is
/// not established). A report with the documented fields is about 250 bytes (the spec's example),
/// and about 600 with a TaskId and descriptions near their limits, so 4 MiB holds more than
/// [`MAX_ENTRIES`] real reports. Bigger is refused before anything is parsed: a refused push
/// comes back again and again, so the bound must sit far above any real batch, yet a hostile body
/// must cost little (the body is read once, each entry parsed alone and dropped).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The most entries read from one push: 10,000, the reports of ten full 1,000-number batches.
///
/// The byte bound alone would allow some 2 million entries of `{},`; each rejected entry is
/// listed in the result, so the count is bounded too. Counted over good and bad entries alike.
pub const MAX_ENTRIES: usize = 10_000;

/// How many (`MessageId`, `Status`) pairs a [`SeenReports`] remembers by default: 100,000.
///
/// Alibaba repeats a report after a network error or a timeout (§3), so a repeat follows its
/// first delivery closely; 100,000 pairs cover the reports of a 100,000-recipient campaign and
/// take about 8 MB with 19-digit MessageIds (measured natively: the key text, shared by the set
/// and the queue, and the set's table). The oldest pair
/// is forgotten first. A repeat older than that is handed on again, which costs nothing worse
/// than a second application of the same evidence (a report never causes a resend).
pub const DEFAULT_SEEN_CAPACITY: usize = 100_000;

/// Longest code kept (`Status`, `ErrorCode`), in bytes, as `redact::KnownSecrets::keep_code`.
pub const MAX_CODE_BYTES: usize = 64;

/// Longest `MessageId` kept, in bytes. Real ones are 19 digits (golden vectors, the sandbox).
pub const MAX_MESSAGE_ID_BYTES: usize = 64;

/// Longest `To` kept, in bytes (after an optional `+`), as `redact::KnownSecrets::keep_number`.
pub const MAX_TO_BYTES: usize = 32;

/// Longest `ErrorDescription` kept, in characters.
pub const MAX_DESCRIPTION_CHARACTERS: usize = 256;

/// Most segments believed: a concatenated SMS has at most 255 parts (its header counts them in a
/// byte).
pub const MAX_SEGMENTS: u32 = 255;

/// The field names of a report, as Alibaba spells them (docs/spec/operations.md §3).
pub mod field {
    pub const TO: &str = "To";
    pub const STATUS: &str = "Status";
    pub const MESSAGE_ID: &str = "MessageId";
    pub const TASK_ID: &str = "TaskId";
    pub const SMS_SIZE: &str = "SmsSize";
    pub const SEND_DATE: &str = "SendDate";
    pub const RECEIVE_DATE: &str = "ReceiveDate";
    pub const ERROR_CODE: &str = "ErrorCode";
    pub const ERROR_DESCRIPTION: &str = "ErrorDescription";
}

/// What a report says became of a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReportStatus {
    /// `Status` `1`: the carrier confirmed delivery.
    Delivered,
    /// `Status` `2`: delivery failed (the message is still billed, §3).
    Failed,
    /// `Status` `6`: the message expired before it could be delivered.
    Expired,
    /// Any other status, kept as written (a code of 1–64 of `A-Z a-z 0-9 . _ -`): the documented
    /// list may grow (§5: "delivery-report status codes … not established").
    Other(String),
}

impl ReportStatus {
    /// The status a `Status` code stands for.
    pub fn from_code(code: &str) -> ReportStatus {
        match code {
            "1" => ReportStatus::Delivered,
            "2" => ReportStatus::Failed,
            "6" => ReportStatus::Expired,
            other => ReportStatus::Other(other.to_string()),
        }
    }

    /// The `Status` code as the service writes it (`"1"`, `"2"`, `"6"`, or the other one).
    pub fn code(&self) -> &str {
        match self {
            ReportStatus::Delivered => "1",
            ReportStatus::Failed => "2",
            ReportStatus::Expired => "6",
            ReportStatus::Other(code) => code,
        }
    }

    /// The name the JavaScript side switches on: `delivered`, `failed`, `expired` or `other`.
    pub fn name(&self) -> &'static str {
        match self {
            ReportStatus::Delivered => "delivered",
            ReportStatus::Failed => "failed",
            ReportStatus::Expired => "expired",
            ReportStatus::Other(_) => "other",
        }
    }
}

/// A date of a report: its text as the service wrote it, and the instant when it is a date
/// `report_date` reads (`ReportDate` for the JavaScript side: `{ epochMs: number | null, text:
/// string }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportDate {
    /// Milliseconds since the epoch (what `new Date(ms)` takes); `None` when the text is not a
    /// date `report_date::parse_report_date` reads.
    #[serde(serialize_with = "optional_js_millis")]
    pub epoch_ms: Option<i64>,
    /// The text as received.
    pub text: String,
}

impl ReportDate {
    /// The date `text` holds, or `None` when the text is not of a date's shape (1–64 bytes of
    /// ASCII letters, digits, spaces, tabs and `,:+-./`): such text is not kept at all.
    pub fn read(text: &str) -> Option<ReportDate> {
        is_date_text(text).then(|| ReportDate {
            epoch_ms: parse_report_date(text).ok(),
            text: text.to_string(),
        })
    }
}

/// One delivery report, read from one entry of a push.
///
/// Serialized for the JavaScript side as `Report`: camelCase fields, `status` as its name
/// (`"delivered"` | `"failed"` | `"expired"` | `"other"`) beside `statusCode` (`"1"`, …), absent
/// values `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The entry's position in the pushed array.
    pub index: usize,
    /// `MessageId`: joins to the send call's MessageId (`MessageIdList` of a batch).
    pub message_id: String,
    /// `Status`.
    pub status: ReportStatus,
    /// `To`, as given (Alibaba masks it: `8521234****`).
    pub to: Option<String>,
    /// `TaskId`: the one given when sending.
    pub task_id: Option<String>,
    /// `SmsSize`: billed segments.
    pub segments: Option<u32>,
    /// `SendDate`: handed to the carrier.
    pub send_date: Option<ReportDate>,
    /// `ReceiveDate`: the carrier's receipt.
    pub receive_date: Option<ReportDate>,
    /// `ErrorCode`: the carrier's or platform's code (`success`, `DELIVERED`, …).
    pub error_code: Option<String>,
    /// `ErrorDescription`.
    pub error_description: Option<String>,
    /// Fields that were present but not kept because their value is not of the field's shape
    /// (Alibaba's spelling: `"SmsSize"`, `"ErrorDescription"`, …), in the order above.
    pub ignored_fields: Vec<&'static str>,
}

impl Report {
    /// The de-duplication key (`MessageId`, `Status`) of docs/spec/operations.md §3.
    pub fn key(&self) -> ReportKey {
        ReportKey {
            message_id: self.message_id.clone(),
            status: self.status.code().to_string(),
        }
    }
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Shape<'a> {
            index: usize,
            message_id: &'a str,
            status: &'static str,
            status_code: &'a str,
            to: Option<&'a str>,
            task_id: Option<&'a str>,
            segments: Option<u32>,
            send_date: Option<&'a ReportDate>,
            receive_date: Option<&'a ReportDate>,
            error_code: Option<&'a str>,
            error_description: Option<&'a str>,
            ignored_fields: &'a [&'static str],
        }
        Shape {
            index: self.index,
            message_id: &self.message_id,
            status: self.status.name(),
            status_code: self.status.code(),
            to: self.to.as_deref(),
            task_id: self.task_id.as_deref(),
            segments: self.segments,
            send_date: self.send_date.as_ref(),
            receive_date: self.receive_date.as_ref(),
            error_code: self.error_code.as_deref(),
            error_description: self.error_description.as_deref(),
            ignored_fields: &self.ignored_fields,
        }
        .serialize(serializer)
    }
}

crate::code::stable_codes! {
    /// Why one entry of a push was not read (`ReportEntryProblem` for the JavaScript side).
    EntryProblem {
        /// The entry is not JSON, or not UTF-8.
        NotJson => "ENTRY_NOT_JSON",
        /// The entry is JSON but not an object.
        NotAnObject => "ENTRY_NOT_AN_OBJECT",
        /// No `MessageId` (or `null`): the report cannot be joined to a message.
        MissingMessageId => "ENTRY_MISSING_MESSAGE_ID",
        /// A `MessageId` that is not 1–64 of `A-Z a-z 0-9 . _ - *`.
        InvalidMessageId => "ENTRY_INVALID_MESSAGE_ID",
        /// No `Status` (or `null`): the report says nothing of the message.
        MissingStatus => "ENTRY_MISSING_STATUS",
        /// A `Status` that is not a code (1–64 of `A-Z a-z 0-9 . _ -`).
        InvalidStatus => "ENTRY_INVALID_STATUS",
    }
}

impl EntryProblem {
    /// A sentence for people.
    pub fn describe(self) -> &'static str {
        match self {
            EntryProblem::NotJson => "the entry is not JSON",
            EntryProblem::NotAnObject => "the entry is not a JSON object",
            EntryProblem::MissingMessageId => "the entry has no MessageId",
            EntryProblem::InvalidMessageId => "the entry's MessageId is not of a MessageId's shape",
            EntryProblem::MissingStatus => "the entry has no Status",
            EntryProblem::InvalidStatus => "the entry's Status is not a code",
        }
    }
}

/// An entry of a push that was not read (`RejectedReport` for the JavaScript side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedEntry {
    /// The entry's position in the pushed array.
    pub index: usize,
    /// Why.
    pub problem: EntryProblem,
    /// Its `MessageId`, when that was readable (a report without a usable `Status`).
    pub message_id: Option<String>,
}

/// What one push body held (`ReportBatch` for the JavaScript side).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportBatch {
    /// The entries read, in body order.
    pub reports: Vec<Report>,
    /// The entries not read, in body order. Every index of the body is in exactly one of the two
    /// lists.
    pub rejected: Vec<RejectedEntry>,
}

/// Why a whole push body was refused. An HTTP receiver answers it with an error status, so
/// Alibaba pushes it again (§3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyProblem {
    /// Over [`MAX_BODY_BYTES`].
    TooLarge { bytes: usize },
    /// More than [`MAX_ENTRIES`] entries.
    TooManyEntries,
    /// The body does not start (after white space) with `[`: empty, an object, other JSON or not
    /// JSON at all.
    NotAnArray,
    /// The array is not closed: the body was cut short, or its brackets or quotes do not balance.
    Unterminated,
    /// Something other than white space follows the closing `]`.
    TrailingText,
}

impl BodyProblem {
    /// A stable SCREAMING_SNAKE name for the problem.
    pub fn code(&self) -> &'static str {
        match self {
            BodyProblem::TooLarge { .. } => "REPORT_BODY_TOO_LARGE",
            BodyProblem::TooManyEntries => "REPORT_BODY_TOO_MANY_ENTRIES",
            BodyProblem::NotAnArray => "REPORT_BODY_NOT_AN_ARRAY",
            BodyProblem::Unterminated => "REPORT_BODY_UNTERMINATED",
            BodyProblem::TrailingText => "REPORT_BODY_TRAILING_TEXT",
        }
    }
}

impl std::fmt::Display for BodyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyProblem::TooLarge { bytes } => write!(
                f,
                "a report body holds at most {MAX_BODY_BYTES} bytes; this one has {bytes}"
            ),
            BodyProblem::TooManyEntries => write!(
                f,
                "a report body holds at most {MAX_ENTRIES} entries; this one has more"
            ),
            BodyProblem::NotAnArray => {
                f.write_str("a report body is a JSON array; this is not one")
            }
            BodyProblem::Unterminated => {
                f.write_str("the report body's array is not closed (cut short, or unbalanced)")
            }
            BodyProblem::TrailingText => f.write_str("text follows the report body's array"),
        }
    }
}

impl std::error::Error for BodyProblem {}

/// Reads a push body: every entry that is a usable report into `reports`, every other one into
/// `rejected` with its index and why. `Err` only for a body that cannot be followed or is over
/// the bounds (see [`BodyProblem`]); then nothing of it is handed on.
pub fn read_reports(body: &[u8]) -> Result<ReportBatch, BodyProblem> {
    if body.len() > MAX_BODY_BYTES {
        return Err(BodyProblem::TooLarge { bytes: body.len() });
    }
    let mut batch = ReportBatch::default();
    for (index, (start, end)) in split_array(body)?.into_iter().enumerate() {
        match read_entry(index, body.get(start..end).unwrap_or(&[])) {
            Ok(report) => batch.reports.push(report),
            Err(rejected) => batch.rejected.push(rejected),
        }
    }
    Ok(batch)
}

fn skip_space(body: &[u8], mut at: usize) -> usize {
    while matches!(body.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// The byte ranges of the array's entries, found by brackets and strings alone (no value is
/// parsed here): an entry ends at a `,` or `]` outside any string and outside any bracket the
/// entry opened. Linear in the body; no recursion.
fn split_array(body: &[u8]) -> Result<Vec<(usize, usize)>, BodyProblem> {
    let mut at = skip_space(body, 0);
    if body.get(at) != Some(&b'[') {
        return Err(BodyProblem::NotAnArray);
    }
    at = skip_space(body, at + 1);
    let mut entries = Vec::new();
    if body.get(at) == Some(&b']') {
        return close(body, at + 1, entries);
    }
    loop {
        if entries.len() == MAX_ENTRIES {
            return Err(BodyProblem::TooManyEntries);
        }
        let (end, last) = entry_end(body, at)?;
        entries.push((at, end));
        if last {
            return close(body, end + 1, entries);
        }
        at = end + 1;
    }
}

/// Where the entry starting at `from` ends: the position of the `,` (`false`) or `]` (`true`)
/// after it.
fn entry_end(body: &[u8], from: usize) -> Result<(usize, bool), BodyProblem> {
    let rest = body.get(from..).unwrap_or(&[]);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (offset, &b) in rest.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' if depth > 0 => depth -= 1,
            b']' => return Ok((from + offset, true)),
            b',' if depth == 0 => return Ok((from + offset, false)),
            _ => {}
        }
    }
    Err(BodyProblem::Unterminated)
}

fn close(
    body: &[u8],
    after: usize,
    entries: Vec<(usize, usize)>,
) -> Result<Vec<(usize, usize)>, BodyProblem> {
    if skip_space(body, after) == body.len() {
        Ok(entries)
    } else {
        Err(BodyProblem::TrailingText)
    }
}

/// Reads one entry's text.
fn read_entry(index: usize, text: &[u8]) -> Result<Report, RejectedEntry> {
    let reject = |problem, message_id| RejectedEntry {
        index,
        problem,
        message_id,
    };
    let entry = std::str::from_utf8(text)
        .ok()
        .and_then(json_text::parse)
        .ok_or_else(|| reject(EntryProblem::NotJson, None))?;
    if !matches!(entry, JsonValue::Object(_)) {
        return Err(reject(EntryProblem::NotAnObject, None));
    }
    let message_id = present(&entry, field::MESSAGE_ID)
        .ok_or_else(|| reject(EntryProblem::MissingMessageId, None))?;
    let message_id = scalar_text(message_id)
        .filter(|id| is_message_id(id))
        .ok_or_else(|| reject(EntryProblem::InvalidMessageId, None))?;
    let status = match present(&entry, field::STATUS) {
        None => return Err(reject(EntryProblem::MissingStatus, Some(message_id))),
        Some(status) => match scalar_text(status).filter(|code| is_code(code)) {
            Some(code) => ReportStatus::from_code(&code),
            None => return Err(reject(EntryProblem::InvalidStatus, Some(message_id))),
        },
    };

    let mut ignored = Vec::new();
    let mut keep = |name: &'static str, shape: fn(&JsonValue) -> Option<Kept>| {
        let value = present(&entry, name)?;
        let kept = shape(value);
        if kept.is_none() {
            ignored.push(name);
        }
        kept
    };
    let to = keep(field::TO, |v| {
        scalar_text(v)
            .filter(|t| is_masked_number(t))
            .map(Kept::Text)
    });
    let task_id = keep(field::TASK_ID, |v| {
        scalar_text(v).filter(|t| is_task_id(t)).map(Kept::Text)
    });
    let segments = keep(field::SMS_SIZE, |v| segments(v).map(Kept::Count));
    let send_date = keep(field::SEND_DATE, date);
    let receive_date = keep(field::RECEIVE_DATE, date);
    let error_code = keep(field::ERROR_CODE, |v| {
        scalar_text(v).filter(|t| is_code(t)).map(Kept::Text)
    });
    let error_description = keep(field::ERROR_DESCRIPTION, |v| match v {
        JsonValue::String(t) if is_description(t) => Some(Kept::Text(t.clone())),
        _ => None,
    });

    Ok(Report {
        index,
        message_id,
        status,
        to: to.and_then(Kept::text),
        task_id: task_id.and_then(Kept::text),
        segments: segments.and_then(Kept::count),
        send_date: send_date.and_then(Kept::date),
        receive_date: receive_date.and_then(Kept::date),
        error_code: error_code.and_then(Kept::text),
        error_description: error_description.and_then(Kept::text),
        ignored_fields: ignored,
    })
}

/// A value kept from an optional field (one closure type keeps them all, so the names of
/// ignored fields are recorded in one place).
enum Kept {
    Text(String),
    Count(u32),
    Date(ReportDate),
}

impl Kept {
    fn text(self) -> Option<String> {
        match self {
            Kept::Text(t) => Some(t),
            _ => None,
        }
    }

    fn count(self) -> Option<u32> {
        match self {
            Kept::Count(n) => Some(n),
            _ => None,
        }
    }

    fn date(self) -> Option<ReportDate> {
        match self {
            Kept::Date(d) => Some(d),
            _ => None,
        }
    }
}

/// The member `name`, unless absent or `null`.
fn present<'a>(entry: &'a JsonValue, name: &str) -> Option<&'a JsonValue> {
    entry.get(name).filter(|v| !matches!(v, JsonValue::Null))
}

/// A string's text, or a JSON number's when it is a plain non-negative integer (`1`, not `1.0`,
/// `-1` or `1e0`): the docs say "string" for every field, but a value of digits may come as a
/// number.
fn scalar_text(value: &JsonValue) -> Option<String> {
    match value {
        JsonValue::String(text) => Some(text.clone()),
        JsonValue::Number(text) if text.bytes().all(|b| b.is_ascii_digit()) => Some(text.clone()),
        _ => None,
    }
}

fn segments(value: &JsonValue) -> Option<u32> {
    let text = scalar_text(value)?;
    // At most three digits (255), so `parse` can neither overflow nor meet a sign.
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u32>().ok().filter(|&n| n <= MAX_SEGMENTS)
}

fn date(value: &JsonValue) -> Option<Kept> {
    match value {
        JsonValue::String(text) => ReportDate::read(text).map(Kept::Date),
        _ => None,
    }
}

/// 1–64 of `A-Z a-z 0-9 . _ -`: a code's shape (`redact.rs`, `keep_code`).
pub(crate) fn is_code(text: &str) -> bool {
    (1..=MAX_CODE_BYTES).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A code's shape, or `*`: the docs write MessageIds masked (`123456789****`).
fn is_message_id(text: &str) -> bool {
    (1..=MAX_MESSAGE_ID_BYTES).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'*'))
}

/// An optional `+`, then 1–32 digits or `*` (Alibaba masks the number: `8521234****`).
pub(crate) fn is_masked_number(text: &str) -> bool {
    let rest = text.strip_prefix('+').unwrap_or(text);
    (1..=MAX_TO_BYTES).contains(&rest.len())
        && rest.bytes().all(|b| b.is_ascii_digit() || b == b'*')
}

/// The batch's own `TaskId` rule (batch.rs): 1–255 characters, none a control character. The
/// report carries back what was sent, so every TaskId this crate sends is kept.
pub(crate) fn is_task_id(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= MAX_TASK_ID_CHARACTERS
        && !text.chars().any(char::is_control)
}

/// 1–256 printable ASCII characters (`success`, `Unknown error`): the international API's
/// descriptions are English; anything else is not repeated.
fn is_description(text: &str) -> bool {
    (1..=MAX_DESCRIPTION_CHARACTERS).contains(&text.len())
        && text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// 1–64 bytes of ASCII letters, digits, spaces, tabs and `,:+-./`: every date `report_date`
/// reads (it allows tabs between the parts) and the other date forms Alibaba writes elsewhere
/// (`2020-05-01 10:00:00`), nothing more.
fn is_date_text(text: &str) -> bool {
    (1..=MAX_DATE_BYTES).contains(&text.len())
        && text.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b' ' | b'\t' | b',' | b':' | b'+' | b'-' | b'.' | b'/')
        })
}

fn optional_js_millis<S: Serializer>(
    value: &Option<i64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        // Dates read here are within ±2^53 ms (years 1900..=9999), so the f64 is exact: a JS
        // number, never a BigInt, whatever the serializer's settings.
        Some(ms) => serializer.serialize_f64(*ms as f64),
        None => serializer.serialize_none(),
    }
}

/// The de-duplication key of docs/spec/operations.md §3: (`MessageId`, `Status` code).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReportKey {
    pub message_id: String,
    pub status: String,
}

/// The keys of the reports already handed on, kept by the caller across pushes; the most recent
/// `capacity` of them (see [`DEFAULT_SEEN_CAPACITY`]).
///
/// Remember a push's reports only once they were handled ([`SeenReports::remember`] after the
/// caller's `onReports` resolved): a push whose handling failed is answered with an error, comes
/// again, and must then not be taken for a repeat.
#[derive(Debug, Clone)]
pub struct SeenReports {
    /// Each key once, as [`joined`] text shared by the set and the queue: two `ReportKey`
    /// copies took 16.7 MB at 100,000 keys, this about half.
    keys: HashSet<Arc<str>>,
    /// The same keys, oldest first.
    order: VecDeque<Arc<str>>,
    capacity: usize,
}

/// A key as one text, `<length of MessageId>:<MessageId><Status>`: one-to-one whatever the two
/// hold.
fn joined(key: &ReportKey) -> String {
    format!("{}:{}{}", key.message_id.len(), key.message_id, key.status)
}

impl Default for SeenReports {
    fn default() -> SeenReports {
        SeenReports::new(DEFAULT_SEEN_CAPACITY)
    }
}

impl SeenReports {
    /// Remembers at most `capacity` keys (0: none; each push is then only de-duplicated within
    /// itself).
    pub fn new(capacity: usize) -> SeenReports {
        SeenReports {
            keys: HashSet::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// Whether a report with this key was remembered (and not yet forgotten).
    pub fn contains(&self, key: &ReportKey) -> bool {
        self.keys.contains(joined(key).as_str())
    }

    /// Remembers the keys of `reports`, forgetting the oldest beyond the capacity.
    pub fn remember(&mut self, reports: &[Report]) {
        if self.capacity == 0 {
            return;
        }
        for report in reports {
            let key: Arc<str> = Arc::from(joined(&report.key()));
            if self.keys.insert(Arc::clone(&key)) {
                self.order.push_back(key);
            }
            while self.order.len() > self.capacity {
                if let Some(oldest) = self.order.pop_front() {
                    self.keys.remove(&oldest);
                }
            }
        }
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The most keys remembered.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

/// A push's reports split into those to hand on and the repeats (`DedupedReports` for the
/// JavaScript side).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deduped {
    /// The first report of each key not in `seen`, in body order.
    pub fresh: Vec<Report>,
    /// Every other report: its key is in `seen`, or came earlier in the same push.
    pub duplicates: Vec<Report>,
}

/// Splits `reports` on their (`MessageId`, `Status`) key: the first of each key that `seen` does
/// not hold is fresh, every other one a duplicate. Order is kept; `seen` is not changed (see
/// [`SeenReports`] for when to remember).
pub fn dedupe(reports: Vec<Report>, seen: &SeenReports) -> Deduped {
    let mut in_push = HashSet::new();
    let mut out = Deduped::default();
    for report in reports {
        let key = report.key();
        if seen.contains(&key) || !in_push.insert(key) {
            out.duplicates.push(report);
        } else {
            out.fresh.push(report);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// The international report body of docs/spec/operations.md §3 (the push example, with `SmsSize` as in
    /// the MNS page's example).
    const SPEC_ENTRY: &str = r#"{
        "To" : "8521234****",
        "SendDate" : "Thu, 25 Nov 2021 10:27:00 +0800",
        "ReceiveDate" : "Thu, 25 Nov 2021 10:27:33 +0800",
        "Status" : "1",
        "SmsSize" : "1",
        "ErrorCode" : "success",
        "ErrorDescription" : "success",
        "TaskId" : "67890",
        "MessageId" : "123456789****"
    }"#;

    fn read(body: &str) -> ReportBatch {
        read_reports(body.as_bytes()).unwrap()
    }

    fn entry(message_id: &str, status: &str) -> String {
        format!(r#"{{"MessageId":"{message_id}","Status":"{status}"}}"#)
    }

    #[test]
    fn reads_the_spec_example() {
        let batch = read(&format!("[{SPEC_ENTRY}]"));
        assert_eq!(batch.rejected, vec![]);
        assert_eq!(
            batch.reports,
            vec![Report {
                index: 0,
                message_id: "123456789****".into(),
                status: ReportStatus::Delivered,
                to: Some("8521234****".into()),
                task_id: Some("67890".into()),
                segments: Some(1),
                send_date: Some(ReportDate {
                    epoch_ms: Some(1_637_807_220_000),
                    text: "Thu, 25 Nov 2021 10:27:00 +0800".into()
                }),
                receive_date: Some(ReportDate {
                    epoch_ms: Some(1_637_807_253_000),
                    text: "Thu, 25 Nov 2021 10:27:33 +0800".into()
                }),
                error_code: Some("success".into()),
                error_description: Some("success".into()),
                ignored_fields: vec![],
            }]
        );
    }

    #[test]
    fn statuses_one_two_six_and_others_kept_raw() {
        let batch = read(&format!(
            "[{},{},{},{},{}]",
            entry("1", "1"),
            entry("2", "2"),
            entry("3", "6"),
            entry("4", "3"),
            r#"{"MessageId":5,"Status":2}"#
        ));
        let statuses: Vec<_> = batch.reports.iter().map(|r| r.status.clone()).collect();
        assert_eq!(
            statuses,
            vec![
                ReportStatus::Delivered,
                ReportStatus::Failed,
                ReportStatus::Expired,
                ReportStatus::Other("3".into()),
                ReportStatus::Failed,
            ]
        );
        assert_eq!(batch.reports[4].message_id, "5");
        assert_eq!(ReportStatus::Other("DELIVRD".into()).name(), "other");
        assert_eq!(ReportStatus::Other("DELIVRD".into()).code(), "DELIVRD");
    }

    #[test]
    fn a_bad_entry_costs_only_itself() {
        let body = format!(
            r#"[ {good0}, 42, {{"Status":"1"}}, {{"MessageId":"m 1","Status":"1"}},
                {{"MessageId":"m3"}}, {{"MessageId":"m4","Status":"a b"}}, {{"MessageId": }},
                {good7}, "x", [1,{{"MessageId":"inner","Status":"1"}}], {{"MessageId":"m10","Status":["1"]}},
                {{"phone_number":"1381111****","success":true,"biz_id":"932702304080415357^0"}},
                {good12} ]"#,
            good0 = entry("g0", "1"),
            good7 = SPEC_ENTRY,
            good12 = entry("g12", "6"),
        );
        let batch = read(&body);
        let kept: Vec<_> = batch
            .reports
            .iter()
            .map(|r| (r.index, r.message_id.as_str()))
            .collect();
        assert_eq!(kept, vec![(0, "g0"), (7, "123456789****"), (12, "g12")]);
        let rejected: Vec<_> = batch
            .rejected
            .iter()
            .map(|r| (r.index, r.problem, r.message_id.as_deref()))
            .collect();
        assert_eq!(
            rejected,
            vec![
                (1, EntryProblem::NotAnObject, None),
                (2, EntryProblem::MissingMessageId, None),
                (3, EntryProblem::InvalidMessageId, None),
                (4, EntryProblem::MissingStatus, Some("m3")),
                (5, EntryProblem::InvalidStatus, Some("m4")),
                (6, EntryProblem::NotJson, None),
                (8, EntryProblem::NotAnObject, None),
                (9, EntryProblem::NotAnObject, None),
                (10, EntryProblem::InvalidStatus, Some("m10")),
                (11, EntryProblem::MissingMessageId, None),
            ]
        );
    }

    #[test]
    fn entries_that_are_not_json_are_rejected_alone() {
        let mut body = b"[".to_vec();
        body.extend_from_slice(entry("a", "1").as_bytes());
        body.extend_from_slice(b",{\"MessageId\":\"b\xff\",\"Status\":\"1\"},,{'MessageId':'c'},");
        body.extend_from_slice(entry("d", "2").as_bytes());
        body.extend_from_slice(b", {\"MessageId\":\"e\",\"Status\":\"1\"} {} ]");
        let batch = read_reports(&body).unwrap();
        let kept: Vec<_> = batch.reports.iter().map(|r| r.index).collect();
        assert_eq!(kept, vec![0, 4]);
        let rejected: Vec<_> = batch
            .rejected
            .iter()
            .map(|r| (r.index, r.problem))
            .collect();
        assert_eq!(
            rejected,
            vec![
                (1, EntryProblem::NotJson),
                (2, EntryProblem::NotJson),
                (3, EntryProblem::NotJson),
                (5, EntryProblem::NotJson),
            ]
        );
    }

    #[test]
    fn brackets_and_commas_inside_strings_do_not_split() {
        let body = r#"[{"MessageId":"a","Status":"1","ErrorDescription":"x, ] } [ { \" \\"}, {"MessageId":"b","Status":"2"}]"#;
        let batch = read(body);
        assert_eq!(batch.rejected, vec![]);
        assert_eq!(
            batch.reports[0].error_description.as_deref(),
            Some(r#"x, ] } [ { " \"#)
        );
        assert_eq!(batch.reports[1].message_id, "b");
    }

    #[test]
    fn values_of_other_shapes_are_not_kept_and_say_so() {
        let body = r#"[{"MessageId":"m","Status":"2","To":"852 1234","TaskId":"a\u0007b",
            "SmsSize":"256","SendDate":"Thu, 25 Nov 2021 10:27:00 +0800\n","ReceiveDate":7,
            "ErrorCode":"E 1","ErrorDescription":"bad\nline"}]"#;
        let report = read(body).reports.remove(0);
        assert_eq!(
            report.ignored_fields,
            vec![
                "To",
                "TaskId",
                "SmsSize",
                "SendDate",
                "ReceiveDate",
                "ErrorCode",
                "ErrorDescription"
            ]
        );
        assert_eq!(
            (
                report.to,
                report.task_id,
                report.segments,
                report.send_date,
                report.receive_date
            ),
            (None, None, None, None, None)
        );
        assert_eq!((report.error_code, report.error_description), (None, None));
    }

    #[test]
    fn missing_and_null_fields_are_absent_not_ignored() {
        let body = r#"[{"MessageId":"m","Status":"6","To":null,"SmsSize":null}]"#;
        let report = read(body).reports.remove(0);
        assert_eq!(report.status, ReportStatus::Expired);
        assert!(report.ignored_fields.is_empty());
        assert_eq!(
            (report.to, report.segments, report.send_date),
            (None, None, None)
        );
        let body = r#"[{"MessageId":null,"Status":"6"},{"MessageId":"m","Status":null}]"#;
        let problems: Vec<_> = read(body).rejected.iter().map(|r| r.problem).collect();
        assert_eq!(
            problems,
            vec![EntryProblem::MissingMessageId, EntryProblem::MissingStatus]
        );
    }

    #[test]
    fn kept_shapes_at_their_edges() {
        let long_task: String = "任".repeat(MAX_TASK_ID_CHARACTERS);
        let body = format!(
            r#"[{{"MessageId":"{id}","Status":"{code}","To":"+{to}","TaskId":"{long_task}",
                "SmsSize":255,"ErrorCode":"DELIVRD","ErrorDescription":"{desc}",
                "SendDate":"2020-05-01 10:00:00"}}]"#,
            id = "9".repeat(MAX_MESSAGE_ID_BYTES),
            code = "S".repeat(MAX_CODE_BYTES),
            to = "1".repeat(MAX_TO_BYTES),
            desc = "~".repeat(MAX_DESCRIPTION_CHARACTERS),
        );
        let report = read(&body).reports.remove(0);
        assert!(
            report.ignored_fields.is_empty(),
            "{:?}",
            report.ignored_fields
        );
        assert_eq!(report.segments, Some(255));
        assert_eq!(report.task_id.as_deref(), Some(long_task.as_str()));
        // Kept as text; not a date this crate reads (no zone).
        assert_eq!(
            report.send_date,
            Some(ReportDate {
                epoch_ms: None,
                text: "2020-05-01 10:00:00".into()
            })
        );

        let body = format!(
            r#"[{{"MessageId":"{id}","Status":"1"}},{{"MessageId":"m","Status":"{code}"}},
                {{"MessageId":"m","Status":"1","To":"{to}","TaskId":"{task}","SmsSize":"1.0","ErrorDescription":"{desc}"}}]"#,
            id = "9".repeat(MAX_MESSAGE_ID_BYTES + 1),
            code = "S".repeat(MAX_CODE_BYTES + 1),
            to = "1".repeat(MAX_TO_BYTES + 1),
            task = "t".repeat(MAX_TASK_ID_CHARACTERS + 1),
            desc = "~".repeat(MAX_DESCRIPTION_CHARACTERS + 1),
        );
        let batch = read(&body);
        let problems: Vec<_> = batch.rejected.iter().map(|r| r.problem).collect();
        assert_eq!(
            problems,
            vec![EntryProblem::InvalidMessageId, EntryProblem::InvalidStatus]
        );
        assert_eq!(
            batch.reports[0].ignored_fields,
            vec!["To", "TaskId", "SmsSize", "ErrorDescription"]
        );
    }

    #[test]
    fn whole_body_problems() {
        for (body, problem) in [
            ("", BodyProblem::NotAnArray),
            ("  ", BodyProblem::NotAnArray),
            (SPEC_ENTRY, BodyProblem::NotAnArray),
            ("\"[]\"", BodyProblem::NotAnArray),
            ("<html>", BodyProblem::NotAnArray),
            ("[", BodyProblem::Unterminated),
            (
                "[{\"MessageId\":\"a\",\"Status\":\"1\"}",
                BodyProblem::Unterminated,
            ),
            (
                "[{\"MessageId\":\"a\",\"Status\":\"1\"},{\"Mess",
                BodyProblem::Unterminated,
            ),
            ("[{\"MessageId\":\"a]\"", BodyProblem::Unterminated),
            ("[[[]]", BodyProblem::Unterminated),
            ("[] x", BodyProblem::TrailingText),
            ("[][]", BodyProblem::TrailingText),
            ("[{}]]", BodyProblem::TrailingText),
        ] {
            assert_eq!(read_reports(body.as_bytes()), Err(problem), "{body}");
        }
        assert_eq!(read(" \n[ ]\r\n"), ReportBatch::default());
    }

    #[test]
    fn bounds_hold_at_their_edges() {
        let one = entry("m", "1");
        let body = format!("[{}]", vec![one.as_str(); MAX_ENTRIES].join(","));
        assert_eq!(read(&body).reports.len(), MAX_ENTRIES);
        let body = format!("[{}]", vec!["{}"; MAX_ENTRIES + 1].join(","));
        assert_eq!(
            read_reports(body.as_bytes()),
            Err(BodyProblem::TooManyEntries)
        );

        let mut big = b"[".to_vec();
        big.resize(MAX_BODY_BYTES - 1, b' ');
        big.push(b']');
        assert_eq!(read_reports(&big), Ok(ReportBatch::default()));
        big.insert(1, b' ');
        assert_eq!(
            read_reports(&big),
            Err(BodyProblem::TooLarge {
                bytes: MAX_BODY_BYTES + 1
            })
        );
    }

    #[test]
    fn deep_nesting_in_an_entry_is_rejected_not_a_stack_overflow() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let body = format!("[{},{deep},{}]", entry("a", "1"), entry("b", "2"));
        let batch = read(&body);
        assert_eq!(batch.reports.len(), 2);
        assert_eq!(batch.rejected[0].problem, EntryProblem::NotJson);
    }

    #[test]
    fn dedupe_within_a_push_and_against_seen() {
        let body = format!(
            "[{},{},{},{},{}]",
            entry("a", "1"),
            entry("a", "2"),
            entry("a", "1"),
            entry("b", "1"),
            entry("c", "1")
        );
        let reports = read(&body).reports;
        let mut seen = SeenReports::new(10);
        seen.remember(&reports[3..4]);
        let out = dedupe(reports, &seen);
        let fresh: Vec<_> = out.fresh.iter().map(|r| r.index).collect();
        let duplicates: Vec<_> = out.duplicates.iter().map(|r| r.index).collect();
        assert_eq!(fresh, vec![0, 1, 4]);
        assert_eq!(duplicates, vec![2, 3]);
        // Nothing remembered until the caller says the push was handled.
        assert_eq!(seen.len(), 1);
        seen.remember(&out.fresh);
        assert_eq!(seen.len(), 4);
        let again = dedupe(out.fresh, &seen);
        assert!(again.fresh.is_empty());
    }

    #[test]
    fn seen_forgets_the_oldest_beyond_its_capacity() {
        let body = format!(
            "[{},{},{},{}]",
            entry("a", "1"),
            entry("b", "1"),
            entry("c", "1"),
            entry("b", "1"),
        );
        let reports = read(&body).reports;
        let mut seen = SeenReports::new(2);
        seen.remember(&reports);
        assert_eq!(seen.len(), 2);
        assert!(!seen.contains(&reports[0].key()));
        assert!(seen.contains(&reports[1].key()));
        assert!(seen.contains(&reports[2].key()));
        // Keys are told apart however MessageId and Status divide the same text.
        let body = format!("[{},{}]", entry("a", "12"), entry("a1", "2"));
        let split = read(&body).reports;
        let mut one = SeenReports::new(4);
        one.remember(&split[..1]);
        assert!(one.contains(&split[0].key()) && !one.contains(&split[1].key()));
        let mut none = SeenReports::new(0);
        none.remember(&reports);
        assert!(none.is_empty());
        assert_eq!(SeenReports::default().capacity(), DEFAULT_SEEN_CAPACITY);
    }

    #[test]
    fn serializes_in_the_shapes_the_javascript_side_reads() {
        let batch = read(&format!(
            r#"[{SPEC_ENTRY}, {{"MessageId":"m","Status":"DELIVRD","SendDate":"2020-05-01 10:00:00"}}, 7]"#
        ));
        let json = serde_json::to_value(&batch).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "reports": [
                    {
                        "index": 0, "messageId": "123456789****", "status": "delivered",
                        "statusCode": "1", "to": "8521234****", "taskId": "67890", "segments": 1,
                        "sendDate": { "epochMs": 1_637_807_220_000.0, "text": "Thu, 25 Nov 2021 10:27:00 +0800" },
                        "receiveDate": { "epochMs": 1_637_807_253_000.0, "text": "Thu, 25 Nov 2021 10:27:33 +0800" },
                        "errorCode": "success", "errorDescription": "success", "ignoredFields": []
                    },
                    {
                        "index": 1, "messageId": "m", "status": "other", "statusCode": "DELIVRD",
                        "to": null, "taskId": null, "segments": null,
                        "sendDate": { "epochMs": null, "text": "2020-05-01 10:00:00" },
                        "receiveDate": null, "errorCode": null, "errorDescription": null,
                        "ignoredFields": []
                    }
                ],
                "rejected": [ { "index": 2, "problem": "ENTRY_NOT_AN_OBJECT", "messageId": null } ]
            })
        );
    }

    #[test]
    fn codes_are_unique_screaming_snake() {
        let mut seen = std::collections::BTreeSet::new();
        for &problem in EntryProblem::ALL {
            assert_eq!(EntryProblem::parse(problem.as_str()), Some(problem));
            assert!(seen.insert(problem.as_str()));
            assert!(!problem.describe().is_empty());
        }
        for problem in [
            BodyProblem::TooLarge { bytes: 1 },
            BodyProblem::TooManyEntries,
            BodyProblem::NotAnArray,
            BodyProblem::Unterminated,
            BodyProblem::TrailingText,
        ] {
            assert!(seen.insert(problem.code()));
            assert!(!problem.to_string().is_empty());
        }
        for code in seen {
            assert!(
                code.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{code}"
            );
        }
    }
}
