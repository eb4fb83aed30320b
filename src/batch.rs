//! A batch: recipients, their messages, type, sender ID and task ID, validated as a whole.
//!
//! Validation collects every problem (`Issue`) instead of stopping at the first, so a page can mark
//! every bad row at once and `batchSend` can refuse with the full list. Nothing here sends.

use std::fmt;

use crate::channel_id::{ChannelId, ChannelIdProblem};
use crate::json_text;
use crate::recipient::{self, NumberRules, Recipient, RecipientProblem};
use crate::segment::{self, MessageProblem, SegmentCount};
use crate::sender_id::{SenderId, SenderIdProblem};
use crate::validity_period::ValidityPeriod;

/// At most this many recipients per request (seed doc: "up to 1,000 mobile phone numbers").
pub const MAX_RECIPIENTS: usize = 1000;

/// At most this many bytes of `To` and `Message` in a request's URL. Both Alibaba SDKs, and we,
/// put every parameter in the query; Chromium refuses to fetch a URL over 2 MiB (2,097,152
/// characters) and gateways have limits of their own (docs/spec/api-reference.md: not established). The
/// rest of the URL (host, common parameters, an STS token) fits in the remaining ~97 KB.
pub const MAX_URL_BYTES: usize = 2_000_000;

/// `TaskId` length limits, in characters (seed doc: "1 to 255 characters").
pub const MAX_TASK_ID_CHARACTERS: usize = 255;

crate::code::stable_codes! {
    /// Every code an `Issue` can carry (`IssueCode` in types.d.ts).
    IssueCode {
        RecipientEmpty => "RECIPIENT_EMPTY",
        RecipientInvalidCharacter => "RECIPIENT_INVALID_CHARACTER",
        RecipientTooShort => "RECIPIENT_TOO_SHORT",
        RecipientTooLong => "RECIPIENT_TOO_LONG",
        RecipientUnknownDialingCode => "RECIPIENT_UNKNOWN_DIALING_CODE",
        RecipientMainlandChina => "RECIPIENT_MAINLAND_CHINA",
        RecipientWrongLength => "RECIPIENT_WRONG_LENGTH",
        RecipientDuplicate => "RECIPIENT_DUPLICATE",
        MessageEmpty => "MESSAGE_EMPTY",
        MessageTooLong => "MESSAGE_TOO_LONG",
        MessageNulCharacter => "MESSAGE_NUL_CHARACTER",
        MessageLoneSurrogate => "MESSAGE_LONE_SURROGATE",
        MessageCountMismatch => "MESSAGE_COUNT_MISMATCH",
        SenderIdInvalidCharacter => "SENDER_ID_INVALID_CHARACTER",
        SenderIdTooLong => "SENDER_ID_TOO_LONG",
        BatchEmpty => "BATCH_EMPTY",
        BatchTooLarge => "BATCH_TOO_LARGE",
        BatchTooLong => "BATCH_TOO_LONG",
        TypeInvalid => "TYPE_INVALID",
        TaskIdTooLong => "TASK_ID_TOO_LONG",
        TaskIdInvalidCharacter => "TASK_ID_INVALID_CHARACTER",
        ValidityPeriodInvalid => "VALIDITY_PERIOD_INVALID",
        ChannelIdTooLong => "CHANNEL_ID_TOO_LONG",
        ChannelIdInvalidCharacter => "CHANNEL_ID_INVALID_CHARACTER",
        MessageIdEmpty => "MESSAGE_ID_EMPTY",
        MessageIdTooLong => "MESSAGE_ID_TOO_LONG",
        MessageIdInvalidCharacter => "MESSAGE_ID_INVALID_CHARACTER",
        ConversionRateInvalid => "CONVERSION_RATE_INVALID",
        ConversionRateOutOfRange => "CONVERSION_RATE_OUT_OF_RANGE",
        TimeInvalid => "TIME_INVALID",
        TimeTooEarly => "TIME_TOO_EARLY",
        TimeInFuture => "TIME_IN_FUTURE",
    }
}

/// One problem found in a batch, as data (`Issue` in types.d.ts).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    /// Stable code, e.g. `RECIPIENT_MAINLAND_CHINA`.
    pub code: IssueCode,
    /// The input field: `to`, `message`, `from`, `type`, `taskId`, `validityPeriod`,
    /// `channelId`; for the other operations also `messageId`, `conversionRate`,
    /// `conversionTime` or `reportTime`.
    pub field: &'static str,
    /// The recipient (or per-recipient message) index, when the problem belongs to one.
    pub index: Option<usize>,
    /// For `RECIPIENT_DUPLICATE`: the index of the first occurrence.
    pub duplicate_of: Option<usize>,
    /// A sentence for people, naming the field and index.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Issue {
    pub(crate) fn new(
        code: IssueCode,
        field: &'static str,
        index: Option<usize>,
        message: String,
    ) -> Issue {
        Issue {
            code,
            field,
            index,
            duplicate_of: None,
            message,
        }
    }

    pub(crate) fn recipient(index: usize, problem: &RecipientProblem) -> Issue {
        let mut issue = Issue::new(
            problem.code(),
            "to",
            Some(index),
            format!("to[{index}]: {problem}"),
        );
        if let RecipientProblem::Duplicate { first_index } = problem {
            issue.duplicate_of = Some(*first_index);
        }
        issue
    }

    pub(crate) fn message(index: Option<usize>, problem: &MessageProblem) -> Issue {
        let text = match index {
            Some(i) => format!("message[{i}]: {problem}"),
            None => format!("message: {problem}"),
        };
        Issue::new(problem.code(), "message", index, text)
    }

    fn sender_id(problem: &SenderIdProblem) -> Issue {
        Issue::new(problem.code(), "from", None, format!("from: {problem}"))
    }

    /// A problem of a field that has no index, with its code: `field: problem`.
    pub(crate) fn of_field(code: IssueCode, field: &'static str, problem: impl fmt::Display) -> Issue {
        Issue::new(code, field, None, format!("{field}: {problem}"))
    }
}

/// `Type`: a notification or a promotional message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageType {
    /// `NOTIFY`, the default.
    #[default]
    Notify,
    /// `MKT`.
    Mkt,
}

impl MessageType {
    /// The value sent in `Type`.
    pub fn as_str(&self) -> &'static str {
        match self {
            MessageType::Notify => "NOTIFY",
            MessageType::Mkt => "MKT",
        }
    }

    /// `NOTIFY` or `MKT`, exactly (the API's values are upper case).
    pub fn parse(text: &str) -> Option<MessageType> {
        match text {
            "NOTIFY" => Some(MessageType::Notify),
            "MKT" => Some(MessageType::Mkt),
            _ => None,
        }
    }
}

/// The text of a batch: one for everybody, or one per recipient in the order of `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Messages {
    /// The same text for every recipient (expanded into `Message` when sent).
    One(String),
    /// One text per recipient, same length and order as `to`.
    PerRecipient(Vec<String>),
}

/// A batch as the caller gave it, before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchInput {
    /// Recipient numbers as typed or pasted.
    pub to: Vec<String>,
    /// The message text(s).
    pub messages: Messages,
    /// Sender ID; `None` or `""` means not sent.
    pub from: Option<String>,
    /// `NOTIFY` (default when `None`) or `MKT`.
    pub message_type: Option<String>,
    /// Campaign ID echoed in delivery receipts, 1..=255 characters; `None` or `""` means not sent.
    pub task_id: Option<String>,
    /// Seconds the carrier keeps trying (`ValidityPeriod`; src/validity_period.rs); `None` means
    /// not sent (the service's default applies).
    pub validity_period: Option<f64>,
    /// `ChannelId` (src/channel_id.rs); `None` or `""` means not sent.
    pub channel_id: Option<String>,
    /// Drop repeats of a number (keeping the first) instead of refusing the batch.
    pub drop_duplicates: bool,
    /// Which number rules apply.
    pub number_rules: NumberRules,
    /// Texts that could not be decoded before they became `String`s, with their problem: a caller
    /// holding UTF-16 (JavaScript) reports a lone surrogate here, since a Rust string cannot hold
    /// one. `None` is the shared text of `Messages::One`, `Some(i)` the text of recipient `i`.
    pub undecodable_messages: Vec<(Option<usize>, MessageProblem)>,
}

impl BatchInput {
    /// A batch with one text for all recipients and default options.
    pub fn new(to: Vec<String>, messages: Messages) -> BatchInput {
        BatchInput {
            to,
            messages,
            from: None,
            message_type: None,
            task_id: None,
            validity_period: None,
            channel_id: None,
            drop_duplicates: false,
            number_rules: NumberRules::default(),
            undecodable_messages: Vec::new(),
        }
    }
}

/// One recipient of a valid batch with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEntry {
    /// Index in the caller's `to`.
    pub index: usize,
    /// The number as the caller gave it.
    pub given: String,
    /// The number as sent.
    pub recipient: Recipient,
    /// The text sent to this recipient.
    pub message: String,
    /// Encoding and billable segments of `message`.
    pub segments: SegmentCount,
}

/// A repeat of a number that `drop_duplicates` removed (`DroppedDuplicate` in types.d.ts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DroppedDuplicate {
    /// Index of the dropped repeat in the caller's `to`.
    pub index: usize,
    /// Index of the occurrence that is sent.
    pub duplicate_of: usize,
}

/// A batch that passed every rule: what will be sent, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    entries: Vec<BatchEntry>,
    dropped: Vec<DroppedDuplicate>,
    from: Option<SenderId>,
    message_type: MessageType,
    task_id: Option<String>,
    validity_period: Option<ValidityPeriod>,
    channel_id: Option<ChannelId>,
}

/// The recipients of a list checked one by one, with duplicates found: shared by batches and,
/// later, campaigns that split a long list into batches.
#[derive(Debug, Default)]
pub struct CheckedRecipients {
    /// Entries that passed, in input order (duplicates excluded when dropped).
    pub entries: Vec<BatchEntry>,
    /// Repeats removed because `drop_duplicates` was set.
    pub dropped: Vec<DroppedDuplicate>,
    /// Every problem, in input order.
    pub issues: Vec<Issue>,
}

/// What to do with a number that appears twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateRule {
    /// Report `RECIPIENT_DUPLICATE` for every repeat.
    Refuse,
    /// Drop every repeat, keeping the first.
    Drop,
    /// Do not look: the caller compares across a longer list (campaigns).
    Ignore,
}

/// Checks every recipient and its message. Batch-level limits (count, type, from, task ID) are
/// not checked here. `to` may be one part of a longer list starting at `offset`: reported
/// indexes are `offset + i`; `undecodable` uses indexes within the part.
pub fn check_recipients(
    to: &[String],
    messages: &Messages,
    undecodable: &[(Option<usize>, MessageProblem)],
    offset: usize,
    duplicates_rule: DuplicateRule,
    rules: &NumberRules,
) -> CheckedRecipients {
    let mut out = CheckedRecipients {
        entries: Vec::with_capacity(to.len()),
        ..CheckedRecipients::default()
    };

    let parsed: Vec<Result<Recipient, RecipientProblem>> =
        to.iter().map(|n| recipient::normalize(n, rules)).collect();

    let (undecodable_shared, undecodable_at) = undecodable_by_index(undecodable, to.len());
    // Messages: one check for a shared text, one per entry otherwise.
    let shared = match messages {
        Messages::One(text) => Some(
            match undecodable_shared {
                Some(p) => Err(p.clone()),
                None => segment::check_message(text),
            }
            .map_err(|p| {
                out.issues.push(Issue::message(None, &p));
            }),
        ),
        Messages::PerRecipient(list) => {
            if list.len() != to.len() {
                out.issues.push(Issue::new(
                    IssueCode::MessageCountMismatch,
                    "message",
                    None,
                    format!(
                        "message: {} texts for {} recipients; give one text for all or exactly one per recipient",
                        list.len(),
                        to.len()
                    ),
                ));
            }
            None
        }
    };

    let mut duplicate_of: Vec<Option<usize>> = vec![None; to.len()];
    if duplicates_rule != DuplicateRule::Ignore {
        // The one duplicate rule (`recipient::repeats`), keyed by integers: sorting them is cheaper
        // than sorting the numbers as text, and the key is one-to-one on normalized numbers.
        let duplicates = recipient::repeats(
            parsed
                .iter()
                .enumerate()
                .filter_map(|(index, r)| r.as_ref().ok().map(|r| (number_key(&r.normalized), index))),
        );
        for (first, dup) in duplicates {
            if let Some(slot) = duplicate_of.get_mut(dup) {
                *slot = Some(first);
            }
        }
    }

    for (index, (given, result)) in to.iter().zip(parsed).enumerate() {
        let at = offset + index;
        let mut ok = true;
        let recipient = match result {
            Ok(r) => Some(r),
            Err(problem) => {
                out.issues.push(Issue::recipient(at, &problem));
                ok = false;
                None
            }
        };
        if let Some(first_index) = duplicate_of.get(index).copied().flatten() {
            let first_index = offset + first_index;
            if duplicates_rule == DuplicateRule::Drop {
                out.dropped.push(DroppedDuplicate {
                    index: at,
                    duplicate_of: first_index,
                });
                continue;
            }
            out.issues.push(Issue::recipient(
                at,
                &RecipientProblem::Duplicate { first_index },
            ));
            ok = false;
        }
        let (text, segments) = match (messages, &shared) {
            (Messages::One(text), Some(Ok(count))) => (text.as_str(), Some(*count)),
            (Messages::One(text), _) => (text.as_str(), None),
            (Messages::PerRecipient(list), _) => match list.get(index) {
                Some(text) => match undecodable_at
                    .get(index)
                    .copied()
                    .flatten()
                    .map_or_else(|| segment::check_message(text), |p| Err(p.clone()))
                {
                    Ok(count) => (text.as_str(), Some(count)),
                    Err(p) => {
                        out.issues.push(Issue::message(Some(at), &p));
                        (text.as_str(), None)
                    }
                },
                None => ("", None),
            },
        };
        if let (true, Some(recipient), Some(segments)) = (ok, recipient, segments) {
            out.entries.push(BatchEntry {
                index: at,
                given: given.clone(),
                recipient,
                message: text.to_string(),
                segments,
            });
        }
    }
    out
}

/// `undecodable` looked up once instead of searched per recipient: the problem of the shared
/// text, and the problem of each of the `count` texts by index (empty when there are none, the
/// usual case). The first entry for an index wins, as a search from the front would find it.
fn undecodable_by_index(
    undecodable: &[(Option<usize>, MessageProblem)],
    count: usize,
) -> (Option<&MessageProblem>, Vec<Option<&MessageProblem>>) {
    let mut shared = None;
    let mut by_index: Vec<Option<&MessageProblem>> = Vec::new();
    for (at, problem) in undecodable {
        match *at {
            None => {
                shared = shared.or(Some(problem));
            }
            Some(index) if index < count => {
                if by_index.is_empty() {
                    by_index.resize(count, None);
                }
                if let Some(slot @ None) = by_index.get_mut(index) {
                    *slot = Some(problem);
                }
            }
            Some(_) => {}
        }
    }
    (shared, by_index)
}

/// A normalized number (7 to 15 ASCII digits) as an integer that no other number shares: its
/// value, with its length in the top bits so that leading zeros could not make two alike.
fn number_key(normalized: &str) -> u64 {
    let value = normalized.bytes().fold(0u64, |n, d| {
        n.wrapping_mul(10)
            .wrapping_add(u64::from(d.wrapping_sub(b'0')))
    });
    value | ((normalized.len() as u64) << 56)
}

/// What applies to every recipient of a batch: sender ID, type, task ID, validity and channel,
/// checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSettings {
    /// The sender ID, if one is sent.
    pub from: Option<SenderId>,
    /// `NOTIFY` or `MKT`.
    pub message_type: MessageType,
    /// The task ID, if one is sent.
    pub task_id: Option<String>,
    /// The validity period, if one is sent.
    pub validity_period: Option<ValidityPeriod>,
    /// The channel, if one is sent.
    pub channel_id: Option<ChannelId>,
}

/// Checks a sender ID (`from`), adding an issue for a problem: the one rule for every operation.
pub(crate) fn check_from(from: Option<&str>, issues: &mut Vec<Issue>) -> Option<SenderId> {
    match from.map(SenderId::parse) {
        None => None,
        Some(Ok(id)) => id,
        Some(Err(p)) => {
            issues.push(Issue::sender_id(&p));
            None
        }
    }
}

/// Checks a validity period (`validityPeriod`), adding an issue for a problem.
pub(crate) fn check_validity_period(
    seconds: Option<f64>,
    issues: &mut Vec<Issue>,
) -> Option<ValidityPeriod> {
    ValidityPeriod::from_seconds(seconds?)
        .map_err(|p| issues.push(Issue::of_field(IssueCode::ValidityPeriodInvalid, "validityPeriod", p)))
        .ok()
}

/// Checks a channel ID (`channelId`), adding an issue for a problem.
pub(crate) fn check_channel_id(channel: Option<&str>, issues: &mut Vec<Issue>) -> Option<ChannelId> {
    match ChannelId::parse(channel?) {
        Ok(id) => id,
        Err(p) => {
            let code = match p {
                ChannelIdProblem::InvalidCharacter { .. } => IssueCode::ChannelIdInvalidCharacter,
                ChannelIdProblem::TooLong { .. } => IssueCode::ChannelIdTooLong,
            };
            issues.push(Issue::of_field(code, "channelId", p));
            None
        }
    }
}

/// Checks `from`, `type`, `taskId`, `validityPeriod` and `channelId`, adding an issue for each
/// problem.
pub fn check_settings(input: &BatchInput, issues: &mut Vec<Issue>) -> BatchSettings {
    let from = check_from(input.from.as_deref(), issues);

    let message_type = match input.message_type.as_deref() {
        None => MessageType::default(),
        Some(t) => MessageType::parse(t).unwrap_or_else(|| {
            issues.push(Issue::new(
                IssueCode::TypeInvalid,
                "type",
                None,
                format!("type: must be NOTIFY or MKT, not \"{t}\""),
            ));
            MessageType::default()
        }),
    };

    let task_id = check_task_id(input.task_id.as_deref(), issues);
    BatchSettings {
        from,
        message_type,
        task_id,
        validity_period: check_validity_period(input.validity_period, issues),
        channel_id: check_channel_id(input.channel_id.as_deref(), issues),
    }
}

/// Checks a task ID (`taskId`, 1 to 255 characters, no control character), adding an issue for a
/// problem; `None` or `""` is not sent.
pub(crate) fn check_task_id(task_id: Option<&str>, issues: &mut Vec<Issue>) -> Option<String> {
    match task_id {
        None | Some("") => None,
        Some(t) => {
            let length = t.chars().count();
            if length > MAX_TASK_ID_CHARACTERS {
                issues.push(Issue::new(
                    IssueCode::TaskIdTooLong,
                    "taskId",
                    None,
                    format!("taskId: at most {MAX_TASK_ID_CHARACTERS} characters, got {length}"),
                ));
            } else if let Some(c) = t.chars().find(|c| c.is_control()) {
                issues.push(Issue::new(
                    IssueCode::TaskIdInvalidCharacter,
                    "taskId",
                    None,
                    format!(
                        "taskId: control character U+{:04X} is not allowed",
                        u32::from(c)
                    ),
                ));
            }
            Some(t.to_string())
        }
    }
}

impl Batch {
    /// Validates a batch of at most `MAX_RECIPIENTS`. On failure every problem is returned.
    pub fn validate(input: &BatchInput) -> Result<Batch, Vec<Issue>> {
        let mut issues = Vec::new();
        if input.to.is_empty() {
            issues.push(Issue::new(
                IssueCode::BatchEmpty,
                "to",
                None,
                "to: the batch has no recipients".into(),
            ));
        } else if input.to.len() > MAX_RECIPIENTS {
            issues.extend(too_large(input.to.len(), MAX_RECIPIENTS));
        }

        let checked = check_recipients(
            &input.to,
            &input.messages,
            &input.undecodable_messages,
            0,
            if input.drop_duplicates {
                DuplicateRule::Drop
            } else {
                DuplicateRule::Refuse
            },
            &input.number_rules,
        );
        issues.extend(checked.issues);
        let settings = check_settings(input, &mut issues);

        if let Some(url) = url_bytes_over_limit(&checked.entries, &input.messages) {
            issues.push(Issue::new(
                IssueCode::BatchTooLong,
                "message",
                None,
                format!(
                    "message: this request's URL would carry {url} bytes of numbers and texts; browsers and gateways refuse URLs over 2 MB: send fewer recipients per request (sendCampaign splits by size) or shorter texts"
                ),
            ));
        }
        if issues.is_empty() {
            Ok(Batch::from_parts(
                checked.entries,
                checked.dropped,
                settings,
            ))
        } else {
            Err(issues)
        }
    }

    /// A batch of entries already checked by `check_recipients` (at most `MAX_RECIPIENTS`; a
    /// campaign cuts its list into such parts).
    pub fn from_parts(
        entries: Vec<BatchEntry>,
        dropped: Vec<DroppedDuplicate>,
        settings: BatchSettings,
    ) -> Batch {
        Batch {
            entries,
            dropped,
            from: settings.from,
            message_type: settings.message_type,
            task_id: settings.task_id,
            validity_period: settings.validity_period,
            channel_id: settings.channel_id,
        }
    }

    /// The recipients that will be sent, in order.
    pub fn entries(&self) -> &[BatchEntry] {
        &self.entries
    }

    /// Repeats removed by `drop_duplicates`.
    pub fn dropped(&self) -> &[DroppedDuplicate] {
        &self.dropped
    }

    /// The sender ID, if one is sent.
    pub fn from(&self) -> Option<&SenderId> {
        self.from.as_ref()
    }

    /// `NOTIFY` or `MKT`.
    pub fn message_type(&self) -> MessageType {
        self.message_type
    }

    /// The task ID, if one is sent.
    pub fn task_id(&self) -> Option<&str> {
        self.task_id.as_deref()
    }

    /// The validity period, if one is sent.
    pub fn validity_period(&self) -> Option<ValidityPeriod> {
        self.validity_period
    }

    /// The channel, if one is sent.
    pub fn channel_id(&self) -> Option<&ChannelId> {
        self.channel_id.as_ref()
    }

    /// The `To` parameter: a JSON array of the normalized numbers.
    pub fn to_parameter(&self) -> String {
        json_text::string_array(self.entries.iter().map(|e| e.recipient.normalized.as_str()))
    }

    /// The `Message` parameter: a JSON array with one text per recipient.
    pub fn message_parameter(&self) -> String {
        json_text::string_array(self.entries.iter().map(|e| e.message.as_str()))
    }

    /// What a `signer` is asked to sign: this batch as it will be sent.
    pub fn signing_request(&self, scheme: crate::request::SignatureScheme) -> SigningRequest<'_> {
        SigningRequest {
            to: self.entries.iter().map(|e| e.recipient.normalized.as_str()).collect(),
            message: self.entries.iter().map(|e| e.message.as_str()).collect(),
            from: self.from.as_ref().map(SenderId::as_str),
            message_type: self.message_type.as_str(),
            task_id: self.task_id.as_deref(),
            validity_period: self.validity_period.map(ValidityPeriod::seconds),
            channel_id: self.channel_id.as_ref().map(ChannelId::as_str),
            signature_version: scheme.as_str(),
        }
    }

    /// Billable segments of the whole batch: what the account is charged for on submission.
    pub fn total_segments(&self) -> usize {
        self.entries.iter().map(|e| e.segments.segments).sum()
    }
}

/// `SigningRequest` in types.d.ts: the validated batch, numbers normalized, one text each.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningRequest<'a> {
    pub to: Vec<&'a str>,
    pub message: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<&'a str>,
    #[serde(rename = "type")]
    pub message_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<&'a str>,
    /// Seconds; only when the batch sends one (the signer must sign it too, `request::carries`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validity_period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<&'a str>,
    pub signature_version: &'static str,
}

/// The bytes one recipient adds to the URL's `To` and `Message` (the official SDK's encoding):
/// its number and its text as JSON array items, with their separating commas (%2C).
pub fn url_bytes(number: &str, text: &str) -> usize {
    url_bytes_with(number, json_text::string_url_len(text))
}

/// [`url_bytes`] of a text whose `json_text::string_url_len` is known.
fn url_bytes_with(number: &str, text_url_len: usize) -> usize {
    json_text::string_url_len(number) + 3 + text_url_len + 3
}

/// The URL bytes of the entries' `To` and `Message` when they pass [`MAX_URL_BYTES`], else `None`.
///
/// No byte of a number or text takes more than 8 in the URL (a control character, `%5Cu00xx`), and
/// an entry adds 18 around them (quotes and commas, %-encoded): when that bound fits, as it does for
/// any 1000 texts under 250 bytes, nothing is walked. Otherwise the exact count, a shared text
/// measured once.
fn url_bytes_over_limit(entries: &[BatchEntry], messages: &Messages) -> Option<usize> {
    let bound = entries.iter().fold(0usize, |sum, e| {
        let bytes = e.recipient.normalized.len().saturating_add(e.message.len());
        sum.saturating_add(bytes.saturating_mul(8)).saturating_add(18)
    });
    if bound <= MAX_URL_BYTES {
        return None;
    }
    let shared = match messages {
        Messages::One(text) => Some(json_text::string_url_len(text)),
        Messages::PerRecipient(_) => None,
    };
    let url: usize = entries
        .iter()
        .map(|e| {
            let text = shared.unwrap_or_else(|| json_text::string_url_len(&e.message));
            url_bytes_with(&e.recipient.normalized, text)
        })
        .sum();
    (url > MAX_URL_BYTES).then_some(url)
}

/// The issue of a list refused from its `length` alone, before any item was read: `to` longer
/// than a request (or a campaign) takes, or more texts than there can be recipients. `None` for
/// another field.
pub fn oversized_list(field: &str, length: usize, limit: usize) -> Option<Issue> {
    match field {
        "to" => too_large(length, limit),
        "message" => Some(Issue::new(
            IssueCode::MessageCountMismatch,
            "message",
            None,
            format!("message: {length} texts, more than the {limit} recipients there can be"),
        )),
        _ => None,
    }
}

/// `BATCH_TOO_LARGE`: one rule for a list read whole and one refused from its length.
fn too_large(length: usize, limit: usize) -> Option<Issue> {
    Some(Issue::new(
        IssueCode::BatchTooLarge,
        "to",
        None,
        if limit == MAX_RECIPIENTS {
            format!("to: a request holds at most {MAX_RECIPIENTS} recipients; this batch has {length}")
        } else {
            format!("to: a campaign takes at most {limit} recipients; this list has {length}")
        },
    ))
}

/// Every problem of a batch; empty when it would be sent as is.
pub fn validate_batch(input: &BatchInput) -> Vec<Issue> {
    match Batch::validate(input) {
        Ok(_) => Vec::new(),
        Err(issues) => issues,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn problem(n: u8) -> MessageProblem {
        MessageProblem::LoneSurrogate {
            position: usize::from(n),
        }
    }

    /// Numbers that normalize to a few values, in several spellings, and some that do not.
    const NUMBERS: &[&str] = &[
        "+852 9123 4567",
        "0085291234567",
        "85291234567",
        "+65 9000 0001",
        "6590000001",
        "+44 (0)20 7946 0958",
        "442079460958",
        "+86 138 0013 8000",
        "12",
        "",
        "abc",
        "+1 415 555 0100",
        "14155550100",
    ];

    /// Texts for the URL size: escapes, controls, non-ASCII, at most 500 characters (longer ones
    /// are refused), some long enough that 1000 of them pass the limit.
    fn url_text() -> impl Strategy<Value = String> {
        let chars = prop_oneof![
            3 => proptest::char::range('a', 'z'),
            3 => Just('你'),
            1 => proptest::sample::select(&['"', '\\', '\u{1}', '\n', ' ', '€', '😀', '~', '*'][..]),
        ];
        proptest::collection::vec(chars, 1..480).prop_map(|chars| format!("a{}", chars.into_iter().collect::<String>()))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn url_limit_matches_the_exact_sum(
            texts in proptest::collection::vec(url_text(), 1..4),
            shared in any::<bool>(),
            count in 1usize..1200,
        ) {
            let to: Vec<String> = (0..count).map(|i| format!("6590{i:06}")).collect();
            let messages = if shared {
                Messages::One(texts[0].clone())
            } else {
                Messages::PerRecipient((0..count).map(|i| texts[i % texts.len()].clone()).collect())
            };
            let rules = NumberRules { check_national_length: false };
            let checked = check_recipients(&to, &messages, &[], 0, DuplicateRule::Ignore, &rules);
            let exact: usize = checked
                .entries
                .iter()
                .map(|e| url_bytes(&e.recipient.normalized, &e.message))
                .sum();
            prop_assert_eq!(
                url_bytes_over_limit(&checked.entries, &messages),
                (exact > MAX_URL_BYTES).then_some(exact)
            );
            prop_assert_eq!(checked.entries.len(), count);
        }

        #[test]
        fn url_limit_is_exact_at_the_line(extra in 0usize..3, shared in any::<bool>()) {
            // 1000 texts whose URL bytes sum to exactly the limit, then a byte or two over.
            let to: Vec<String> = (0..1000).map(|i| format!("6590{i:06}")).collect();
            // Each number is 10 digits: 16 bytes with its quotes, 22 with the commas; 2000 per entry.
            // The text's 1972 bytes: 219 Chinese characters of 9 URL bytes each, and an "a"; a
            // quote adds 6.
            let text = format!("{}a{}", "你".repeat(219), "\"".repeat(extra));
            let messages = if shared {
                Messages::One(text)
            } else {
                Messages::PerRecipient(vec![text; 1000])
            };
            let rules = NumberRules { check_national_length: false };
            let checked = check_recipients(&to, &messages, &[], 0, DuplicateRule::Ignore, &rules);
            prop_assert_eq!(checked.entries.len(), 1000);
            prop_assert_eq!(url_bytes(&checked.entries[0].recipient.normalized, &checked.entries[0].message), 2000 + extra * 6);
            let expected = (extra > 0).then_some(2_000_000 + 6000 * extra);
            prop_assert_eq!(url_bytes_over_limit(&checked.entries, &messages), expected);
        }
    }

    proptest! {
        #[test]
        fn undecodable_lookup_matches_a_search(
            list in proptest::collection::vec((proptest::option::of(0usize..12), any::<u8>()), 0..12),
            count in 0usize..10,
        ) {
            let undecodable: Vec<(Option<usize>, MessageProblem)> =
                list.iter().map(|(at, n)| (*at, problem(*n))).collect();
            let search = |at: Option<usize>| undecodable.iter().find(|(i, _)| *i == at).map(|(_, p)| p);
            let (shared, by_index) = undecodable_by_index(&undecodable, count);
            prop_assert_eq!(shared, search(None));
            for index in 0..count {
                prop_assert_eq!(by_index.get(index).copied().flatten(), search(Some(index)));
            }
        }

        #[test]
        fn duplicates_by_key_match_duplicates_by_text(
            picks in proptest::collection::vec(0..NUMBERS.len(), 0..30),
            check in any::<bool>(),
        ) {
            let to: Vec<String> = picks.iter().map(|&i| NUMBERS[i].to_string()).collect();
            let rules = NumberRules { check_national_length: check };
            let messages = Messages::One("hello".into());
            let checked = check_recipients(&to, &messages, &[], 7, DuplicateRule::Refuse, &rules);
            let found: Vec<(usize, usize)> = checked
                .issues
                .iter()
                .filter_map(|i| Some((i.duplicate_of?, i.index?)))
                .collect();
            let parsed: Vec<_> = to.iter().map(|n| recipient::normalize(n, &rules)).collect();
            let expected: Vec<(usize, usize)> =
                recipient::find_duplicates(&parsed.iter().map(|r| r.as_ref().ok()).collect::<Vec<_>>())
                    .into_iter()
                    .map(|(first, dup)| (first + 7, dup + 7))
                    .collect();
            prop_assert_eq!(found, expected);
        }

        #[test]
        fn number_keys_are_one_to_one(a in "[0-9]{1,15}", b in "[0-9]{1,15}") {
            prop_assert_eq!(number_key(&a) == number_key(&b), a == b);
        }
    }
}
