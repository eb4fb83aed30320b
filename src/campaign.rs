//! Campaigns: any number of recipients, checked as a whole before the first request, sent in
//! requests of at most 1000, every recipient's fate kept in a ledger, and a journal from which a
//! crashed campaign resumes without sending anything twice.
//!
//! Memory stays small for long lists (100,000 recipients): the texts are handed over one part at
//! a time, and per recipient the ledger keeps a normalized number (u64) and a 12-byte state;
//! message IDs are kept end to end in one `TextColumn`. The ledger is read out in columns by
//! `crate::ledger`.
//!
//! Journal: the entries' bodies come from here — `written` (before a request is sent, and flushed
//! by the caller) and `record` (after its answer); `src/journal.rs` numbers, chains and checks
//! them, and `src/campaign_run.rs` decides when each is written. On resume, a request written
//! without an outcome is *unknown*: it may have been sent, so it is never sent again.

use std::fmt::Write as _;

use serde::Serialize;

use crate::batch::{
    IssueCode,
    check_recipients, check_settings, Batch, BatchEntry, BatchInput, BatchSettings, DuplicateRule, Issue,
    Messages, MAX_RECIPIENTS, MAX_URL_BYTES,
};
use crate::error::Error;
use crate::journal::{number, Destination, Fingerprint, Header, ReadJournal};
use crate::json_text::{self, JsonValue};
use crate::delivery::{Outcome, Reports};
use crate::ledger::TextColumn;
use crate::recipient::{self, NumberRules, Recipient, RecipientProblem};
use crate::response::BatchOutcome;
use crate::segment::{self, MessageProblem};

/// How a campaign treats problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CampaignRules {
    /// Drop repeats of a number (keeping the first) instead of rejecting them.
    pub drop_duplicates: bool,
    /// Which number rules apply.
    pub number_rules: NumberRules,
    /// Send nothing if any recipient is invalid (otherwise they are `rejected` and the rest go).
    pub all_or_nothing: bool,
    /// Stop after a request whose outcome is unknown (otherwise go on with the next).
    pub stop_on_unknown: bool,
}

pub(crate) const NONE: u32 = u32::MAX;

/// A recipient's place in the ledger (16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Pending,
    /// `id` is `NONE` for a row whose request a report proved processed (`src/delivery.rs`)
    /// before any report named the row itself.
    Sent { id: u32, request: u32 },
    /// A final delivery report (or QueryMessage answer) for a sent row; `code` indexes
    /// `Campaign::report_codes`.
    Reported { id: u32, request: u32, outcome: Outcome, code: u32 },
    Failed { request: u32 },
    Rejected { issue: u32 },
    Dropped { of: u32 },
    Unknown { request: u32 },
    Skipped { request: u32 },
}

/// A recipient's fate, as reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate<'a> {
    /// Accepted by the service.
    Sent {
        message_id: Option<&'a str>,
        request_id: Option<&'a str>,
    },
    /// In the service's FailedList.
    Failed { request_id: Option<&'a str> },
    /// Refused before sending (validation), or a dropped repeat.
    Rejected {
        code: &'a str,
        message: &'a str,
        duplicate_of: Option<usize>,
    },
    /// Its request went out and what happened is not known. Never resent automatically.
    Unknown {
        request_id: Option<&'a str>,
        code: &'a str,
    },
    /// Not sent: the campaign stopped before (or its request was refused, `code` says why).
    Skipped { code: Option<&'a str> },
    /// Sent, and a final delivery report says what became of it; `code` is the report's.
    Reported {
        outcome: Outcome,
        message_id: Option<&'a str>,
        request_id: Option<&'a str>,
        code: Option<&'a str>,
    },
}

impl Fate<'_> {
    /// `sent`, `delivered`, `undelivered`, `expired`, `failed`, `rejected`, `unknown` or
    /// `skipped`.
    pub fn name(&self) -> &'static str {
        match self {
            Fate::Sent { .. } => "sent",
            Fate::Failed { .. } => "failed",
            Fate::Rejected { .. } => "rejected",
            Fate::Unknown { .. } => "unknown",
            Fate::Skipped { .. } => "skipped",
            Fate::Reported { outcome, .. } => outcome.name(),
        }
    }
}

/// Recipients per state (`CampaignResult.counts` in types.d.ts). `pending` is zero once the
/// campaign has ended, and is only reported with progress. `sent` counts the sent rows with no
/// final report yet; each row is in exactly one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub sent: usize,
    pub delivered: usize,
    pub undelivered: usize,
    pub expired: usize,
    pub failed: usize,
    pub rejected: usize,
    pub unknown: usize,
    pub skipped: usize,
    #[serde(skip)]
    pub pending: usize,
}

/// `CampaignProgress` in types.d.ts: after each request.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    #[serde(flatten)]
    pub counts: Counts,
    pub pending: usize,
    pub requests_done: usize,
    pub requests_total: usize,
    /// Estimated milliseconds until the last request, at the campaign's pace.
    #[serde(serialize_with = "crate::error::as_js_number")]
    pub eta_ms: u64,
}

/// `{ done, total }` requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RequestCount {
    pub done: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestStatus {
    Planned,
    Written,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    first: usize,
    len: usize,
    pub(crate) status: RequestStatus,
    request_id: Option<String>,
    code: Option<String>,
    /// The TaskId it was sent with, as its journal entry says: what a delivery report of one
    /// of its messages carries back (`src/delivery.rs`).
    pub(crate) task_id: Option<String>,
}

impl Request {
    fn planned(first: usize, len: usize) -> Request {
        Request {
            first,
            len,
            status: RequestStatus::Planned,
            request_id: None,
            code: None,
            task_id: None,
        }
    }
}

/// The first phase: every recipient checked, part by part, before anything is sent.
#[derive(Debug)]
pub struct CampaignCheck {
    total: usize,
    per_recipient_messages: bool,
    settings: BatchSettings,
    rules: CampaignRules,
    issues: Vec<Issue>,
    /// For `plan` only: the problems of the whole campaign (`for_plan`).
    general: Vec<Issue>,
    normalized: Vec<u64>,
    /// URL bytes each recipient adds to its request (`batch::url_bytes`), to split by size too.
    url_bytes: Vec<u32>,
    /// Per recipient, what its text bills (`Billing`), for `plan`.
    billing: Vec<Billing>,
    checked: usize,
    fingerprint: Fingerprint,
}

/// A recipient's text as billed: its segments (a text of at most 500 UTF-16 units has at most 8)
/// and whether it goes as UCS-2. One byte a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Billing(u8);

impl Billing {
    const UCS2: u8 = 0x80;

    fn of(count: &segment::SegmentCount) -> Billing {
        let segments = u8::try_from(count.segments.min(0x7f)).unwrap_or(0x7f);
        match count.encoding {
            segment::Encoding::Ucs2 => Billing(segments | Billing::UCS2),
            _ => Billing(segments),
        }
    }

    fn segments(self) -> usize {
        usize::from(self.0 & !Billing::UCS2)
    }

    fn ucs2(self) -> bool {
        self.0 & Billing::UCS2 != 0
    }
}

/// `CampaignPlan` in types.d.ts: what a campaign would do, without sending (issue 14's `check`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignPlan {
    /// Recipients in the list.
    pub recipients: usize,
    /// Recipients that would be sent to.
    pub valid: usize,
    /// Every problem, those of the whole campaign (index `null`) and each recipient's.
    pub issues: Vec<Issue>,
    /// Recipients refused before sending, repeats included.
    pub rejected: usize,
    /// Repeats of an earlier number (refused, or dropped with `dropDuplicates`).
    pub duplicates: usize,
    /// Segments billed in all, for the valid recipients.
    pub segments: usize,
    /// Valid recipients per encoding of their text.
    pub encodings: EncodingCounts,
    /// Requests the campaign would make (at most 1000 recipients and `MAX_URL_BYTES` each).
    pub requests: usize,
    /// Seconds from the first request to the last at the campaign's pace (`crate::pacer`).
    pub seconds: f64,
}

/// Valid recipients per encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct EncodingCounts {
    pub gsm7: usize,
    pub ucs2: usize,
}

impl CampaignCheck {
    /// Starts checking a campaign of `total` recipients. `input` gives `from`, `type`, `taskId`
    /// and, for one text for all, `messages` (`Messages::One`); with one text per recipient,
    /// `message_count` is how many texts there are. Problems that concern every recipient are
    /// returned at once.
    pub fn new(
        input: &BatchInput,
        total: usize,
        message_count: Option<usize>,
        rules: CampaignRules,
    ) -> Result<CampaignCheck, Vec<Issue>> {
        let (check, issues) = CampaignCheck::begin(input, total, message_count, rules);
        if !issues.is_empty() {
            return Err(issues);
        }
        Ok(check)
    }

    /// Like `new` for `plan`: problems that concern every recipient are kept among the plan's
    /// issues instead of ending the check, so a plan lists every problem at once.
    pub fn for_plan(
        input: &BatchInput,
        total: usize,
        message_count: Option<usize>,
        rules: CampaignRules,
    ) -> CampaignCheck {
        let (mut check, issues) = CampaignCheck::begin(input, total, message_count, rules);
        check.general = issues;
        check
    }

    fn begin(
        input: &BatchInput,
        total: usize,
        message_count: Option<usize>,
        rules: CampaignRules,
    ) -> (CampaignCheck, Vec<Issue>) {
        let mut issues = Vec::new();
        if total == 0 {
            issues.push(Issue::new(
                IssueCode::BatchEmpty,
                "to",
                None,
                "to: the campaign has no recipients".into(),
            ));
        }
        let settings = check_settings(input, &mut issues);
        let mut fingerprint = Fingerprint::default();
        fingerprint.field("recipients", &total.to_string());
        fingerprint.field("from", input.from.as_deref().unwrap_or(""));
        fingerprint.field("type", input.message_type.as_deref().unwrap_or(""));
        fingerprint.field("taskId", input.task_id.as_deref().unwrap_or(""));
        // Only when set, so a journal written before these options existed still matches.
        if let Some(validity) = settings.validity_period {
            fingerprint.field("validityPeriod", &validity.seconds().to_string());
        }
        if let Some(channel) = &settings.channel_id {
            fingerprint.field("channelId", channel.as_str());
        }
        fingerprint.field(
            "duplicates",
            if rules.drop_duplicates { "drop" } else { "refuse" },
        );
        fingerprint.field(
            "numbers",
            if rules.number_rules.check_national_length {
                "national-length"
            } else {
                "e164"
            },
        );
        fingerprint.field(
            "messages",
            if message_count.is_some() || matches!(input.messages, Messages::PerRecipient(_)) {
                "per-recipient"
            } else {
                "one"
            },
        );
        let per_recipient_messages = match (&input.messages, message_count) {
            (_, Some(count)) => {
                if count != total {
                    issues.push(Issue::new(
                        IssueCode::MessageCountMismatch,
                        "message",
                        None,
                        format!("message: {count} texts for {total} recipients; give one text for all or exactly one per recipient"),
                    ));
                }
                true
            }
            (Messages::One(text), None) => {
                let undecodable = input.undecodable_messages.iter().find(|(i, _)| i.is_none());
                let problem = match undecodable {
                    Some((_, p)) => Some(p.clone()),
                    None => segment::check_message(text).err(),
                };
                if let Some(p) = problem {
                    issues.push(Issue::new(
                        p.code(),
                        "message",
                        None,
                        format!("message: {p}"),
                    ));
                }
                fingerprint.field("message", text);
                false
            }
            (Messages::PerRecipient(_), None) => true,
        };
        let check = CampaignCheck {
            total,
            per_recipient_messages,
            settings,
            rules,
            issues: Vec::new(),
            general: Vec::new(),
            normalized: Vec::with_capacity(total),
            url_bytes: Vec::with_capacity(total),
            billing: Vec::new(),
            checked: 0,
            fingerprint,
        };
        (check, issues)
    }

    /// Checks the next part of the list: recipients `checked..checked + to.len()`, with their
    /// texts when each has its own. Parts must come in order.
    pub fn check_part(
        &mut self,
        to: &[String],
        messages: &Messages,
        undecodable: &[(Option<usize>, MessageProblem)],
    ) {
        let offset = self.checked;
        let part = check_recipients(
            to,
            messages,
            undecodable,
            offset,
            DuplicateRule::Ignore,
            &self.rules.number_rules,
        );
        // Problems of a shared text were reported once by `new`.
        self.issues
            .extend(part.issues.into_iter().filter(|i| i.index.is_some()));
        let mut numbers = vec![0u64; to.len()];
        let mut sizes = vec![0u32; to.len()];
        let mut billing = vec![Billing::default(); to.len()];
        for entry in &part.entries {
            if let Some(slot) = billing.get_mut(entry.index - offset) {
                *slot = Billing::of(&entry.segments);
            }
            if let Some(slot) = numbers.get_mut(entry.index - offset) {
                *slot = entry.recipient.normalized.parse().unwrap_or(0);
            }
            if let Some(slot) = sizes.get_mut(entry.index - offset) {
                let bytes = crate::batch::url_bytes(&entry.recipient.normalized, &entry.message);
                *slot = u32::try_from(bytes).unwrap_or(u32::MAX);
            }
        }
        // The recipients as sent (the number as given when it is invalid), each with its text.
        let texts = match (self.per_recipient_messages, messages) {
            (true, Messages::PerRecipient(texts)) => Some(texts),
            _ => None,
        };
        for (n, (given, number)) in to.iter().zip(&numbers).enumerate() {
            if *number == 0 {
                self.fingerprint.field("given", given);
            } else {
                self.fingerprint.field("to", &number.to_string());
            }
            if let Some(text) = texts.and_then(|t| t.get(n)) {
                self.fingerprint.field("text", text);
            }
        }
        self.normalized.extend(numbers);
        self.url_bytes.extend(sizes);
        self.billing.extend(billing);
        self.checked += to.len();
    }

    /// Ends the check as a plan, sending nothing: what `finish` would plan without
    /// `all_or_nothing` (which refuses on any issue, and the plan lists them all), counted, and
    /// the seconds its requests take at `qps` calls a second. A campaign with problems of its
    /// own (`for_plan`) plans no request.
    pub fn plan(mut self, qps: f64) -> CampaignPlan {
        let total = self.total;
        let general = std::mem::take(&mut self.general);
        let billing = std::mem::take(&mut self.billing);
        self.rules.all_or_nothing = false;
        let Ok(campaign) = self.finish() else {
            // Unreachable without all_or_nothing; a plan of nothing rather than a panic.
            return CampaignPlan::nothing(total, general);
        };
        let mut plan = CampaignPlan::nothing(total, general);
        let mut issues = std::mem::take(&mut plan.issues);
        issues.extend(campaign.issues.iter().cloned());
        plan.issues = issues;
        plan.duplicates = campaign
            .states
            .iter()
            .filter(|s| matches!(s, State::Dropped { .. }))
            .count()
            + campaign
                .issues
                .iter()
                .filter(|i| i.code == IssueCode::RecipientDuplicate)
                .count();
        plan.rejected = campaign.counts().rejected;
        if plan.issues.iter().any(|i| i.index.is_none()) {
            // The campaign would not start: nothing is valid, nothing is sent.
            return plan;
        }
        plan.valid = campaign.plan.len();
        for &index in &campaign.plan {
            let b = billing.get(index as usize).copied().unwrap_or_default();
            plan.segments += b.segments();
            if b.ucs2() {
                plan.encodings.ucs2 += 1;
            } else {
                plan.encodings.gsm7 += 1;
            }
        }
        plan.requests = campaign.requests_total();
        let pacer = crate::pacer::Pacer::per_second(qps);
        plan.seconds = pacer.eta_ms(0, plan.requests) as f64 / 1000.0;
        plan
    }

    /// Ends the check: repeats across the whole list, then the plan of requests. With
    /// `all_or_nothing`, any problem refuses the campaign; otherwise invalid recipients are
    /// `rejected` and the rest are planned.
    pub fn finish(mut self) -> Result<Campaign, Vec<Issue>> {
        let mut states = vec![State::Pending; self.total];
        // Repeats across the whole list, by the batches' rule; 0 marks a number that failed.
        let numbers = self
            .normalized
            .iter()
            .enumerate()
            .filter(|(_, n)| **n != 0)
            .map(|(i, n)| (*n, i));
        for (first, index) in recipient::repeats(numbers) {
            if self.rules.drop_duplicates {
                if let Some(s) = states.get_mut(index) {
                    *s = State::Dropped { of: first as u32 };
                }
            } else {
                self.issues.push(Issue::recipient(
                    index,
                    &RecipientProblem::Duplicate { first_index: first },
                ));
            }
        }
        self.issues.sort_by_key(|i| i.index);
        if self.rules.all_or_nothing && !self.issues.is_empty() {
            return Err(self.issues);
        }
        for (n, issue) in self.issues.iter().enumerate() {
            if let Some(state) = issue.index.and_then(|i| states.get_mut(i)) {
                if *state == State::Pending {
                    *state = State::Rejected { issue: n as u32 };
                }
            }
        }
        let plan: Vec<u32> = states
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == State::Pending)
            .map(|(i, _)| i as u32)
            .collect();
        // Requests of at most 1000 recipients and MAX_URL_BYTES of numbers and texts, in order.
        let mut requests = Vec::new();
        let (mut first, mut len, mut bytes) = (0usize, 0usize, 0usize);
        for &index in &plan {
            let size = self.url_bytes.get(index as usize).copied().unwrap_or(0) as usize;
            if len > 0 && (len == MAX_RECIPIENTS || bytes + size > MAX_URL_BYTES) {
                requests.push(Request::planned(first, len));
                first += len;
                len = 0;
                bytes = 0;
            }
            len += 1;
            bytes += size;
        }
        if len > 0 {
            requests.push(Request::planned(first, len));
        }
        Ok(Campaign {
            settings: self.settings,
            rules: self.rules,
            states,
            normalized: self.normalized,
            issues: self.issues,
            plan,
            requests,
            message_ids: TextColumn::new(),
            fingerprint: self.fingerprint.hex(),
            run: String::new(),
            reports: Reports::default(),
        })
    }
}

impl CampaignPlan {
    fn nothing(recipients: usize, issues: Vec<Issue>) -> CampaignPlan {
        CampaignPlan {
            recipients,
            valid: 0,
            issues,
            rejected: 0,
            duplicates: 0,
            segments: 0,
            encodings: EncodingCounts::default(),
            requests: 0,
            seconds: 0.0,
        }
    }
}

/// A campaign under way: its plan of requests and the ledger.
#[derive(Debug, Clone)]
pub struct Campaign {
    settings: BatchSettings,
    rules: CampaignRules,
    pub(crate) states: Vec<State>,
    normalized: Vec<u64>,
    issues: Vec<Issue>,
    plan: Vec<u32>,
    pub(crate) requests: Vec<Request>,
    pub(crate) message_ids: TextColumn,
    fingerprint: String,
    /// This run's own mark in the TaskIds it makes (`set_run`); empty until set.
    run: String,
    /// What delivery reports need besides the rows (`src/delivery.rs`).
    pub(crate) reports: Reports,
}

/// What `record` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The journal entry for the outcome.
    pub entry: String,
    /// Stop the campaign here (the error that ended the request is the reason).
    pub stop: bool,
}

impl Campaign {
    /// Recipients in the campaign.
    pub fn total(&self) -> usize {
        self.states.len()
    }

    /// Requests the campaign needs in all.
    pub fn requests_total(&self) -> usize {
        self.requests.len()
    }

    /// Requests with an outcome.
    pub fn requests_done(&self) -> usize {
        self.requests
            .iter()
            .filter(|r| r.status == RequestStatus::Done)
            .count()
    }

    /// The next request to send, if any.
    pub fn next_request(&self) -> Option<usize> {
        self.requests
            .iter()
            .position(|r| r.status == RequestStatus::Planned)
    }

    /// Whether request `k` is still to send, as far as this campaign knows.
    pub fn request_planned(&self, k: usize) -> bool {
        self.requests
            .get(k)
            .is_some_and(|r| r.status == RequestStatus::Planned)
    }

    /// Request `k`'s mark was not stored (a fleet worker's claim ended first): it was not sent
    /// and is to send again, by whoever holds it now.
    pub fn unwrite(&mut self, k: usize) {
        if let Some(r) = self.requests.get_mut(k).filter(|r| r.status == RequestStatus::Written) {
            r.status = RequestStatus::Planned;
        }
    }

    /// Request `k`, read from a fleet's store as marked and never answered (`unknown`), had its
    /// mark removed since by its marker, whose send left nothing (src/fleet_run.rs `Unmark`):
    /// it is to send again, its recipients pending.
    pub(crate) fn reopen(&mut self, k: usize) {
        self.mark_request(k, State::Pending);
        if let Some(r) = self.requests.get_mut(k) {
            r.status = RequestStatus::Planned;
            r.request_id = None;
            r.code = None;
        }
    }

    /// Requests still to send.
    pub fn requests_left(&self) -> usize {
        self.requests
            .iter()
            .filter(|r| r.status == RequestStatus::Planned)
            .count()
    }

    /// The recipient indexes of request `k`, in order.
    pub fn request_indexes(&self, k: usize) -> &[u32] {
        self.requests
            .get(k)
            .and_then(|r| self.plan.get(r.first..r.first + r.len))
            .unwrap_or(&[])
    }

    /// The batch of request `k`, from the recipients' texts (`to` and, when each has its own,
    /// `messages`, in the order of `request_indexes(k)`). Nothing is checked again: every number
    /// and text passed `CampaignCheck` before the first request, and the batch is built from what
    /// it kept (the normalized numbers). Lists that do not match the request (a driver's mistake)
    /// are refused.
    pub fn batch(&self, k: usize, to: &[String], messages: &Messages) -> Result<Batch, Error> {
        let indexes = self.request_indexes(k);
        let mismatch = || Error::InvalidBatch { issues: Vec::new() };
        let shared = match messages {
            Messages::One(text) => Some((text, segment::count_segments(text))),
            Messages::PerRecipient(texts) if texts.len() == indexes.len() => None,
            Messages::PerRecipient(_) => return Err(mismatch()),
        };
        if to.len() != indexes.len() {
            return Err(mismatch());
        }
        let mut entries = Vec::with_capacity(indexes.len());
        for (n, &index) in indexes.iter().enumerate() {
            let index = index as usize;
            let digits = self.normalized_number(index).ok_or_else(mismatch)?.to_string();
            let (dialing_code, region) = recipient::dialing_code_of(&digits).ok_or_else(mismatch)?;
            let (message, segments) = match (&shared, messages) {
                (Some((text, segments)), _) => ((*text).clone(), *segments),
                (None, Messages::PerRecipient(texts)) => {
                    let text = texts.get(n).ok_or_else(mismatch)?;
                    (text.clone(), segment::count_segments(text))
                }
                (None, Messages::One(_)) => return Err(mismatch()),
            };
            entries.push(BatchEntry {
                index,
                given: to.get(n).cloned().unwrap_or_default(),
                recipient: Recipient {
                    normalized: digits,
                    dialing_code,
                    region,
                },
                message,
                segments,
            });
        }
        let mut settings = self.settings.clone();
        settings.task_id = self.task_id(k);
        Ok(Batch::from_parts(entries, Vec::new(), settings))
    }

    /// The TaskId request `k` is sent with: the caller's, or else one of the campaign's own,
    /// `ags-` + 12 hex digits of its fingerprint + `-` + this run's mark (`set_run`) + `-` + the
    /// request's number from 1. A delivery report carries it back, and for a request whose
    /// answer was lost it is what ties the report to the request (`src/delivery.rs`; README.md, "Choices"). What a
    /// request was sent with is journaled with it, and a resumed or following run reads it from
    /// there, never from here.
    pub fn task_id(&self, k: usize) -> Option<String> {
        match &self.settings.task_id {
            Some(given) => Some(given.clone()),
            None if self.run.is_empty() => Some(format!(
                "ags-{}-{}",
                self.fingerprint.get(..12).unwrap_or_default(),
                k + 1
            )),
            None => Some(format!(
                "ags-{}-{}-{}",
                self.fingerprint.get(..12).unwrap_or_default(),
                self.run,
                k + 1
            )),
        }
    }

    /// Marks the TaskIds this run makes with `run` (its ASCII letters and digits, at most 16): the
    /// driver gives a random one (src/wasm/campaign.rs). The fingerprint alone is the same for
    /// every send of the same list and text, so a late report of last week's send would carry
    /// this week's TaskId, prove this week's lost request and give a row last week's MessageId
    /// and outcome (tests/deliveries.rs,
    /// `a_report_of_an_earlier_send_of_the_same_list_proves_nothing`).
    pub fn set_run(&mut self, run: &str) {
        self.run = run
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(16)
            .collect();
    }

    /// The journal header this campaign writes (and expects, on resume) when it sends to
    /// `destination`.
    pub fn journal_header(&self, destination: &Destination) -> Header {
        Header::new(
            self.fingerprint.clone(),
            destination,
            self.states.len(),
            self.requests.len(),
        )
    }

    /// Request `k` is about to be sent: the body of the entry to write (and flush) first.
    pub fn mark_written(&mut self, k: usize) -> String {
        let task_id = self.task_id(k);
        if let Some(r) = self.requests.get_mut(k) {
            r.status = RequestStatus::Written;
            r.task_id.clone_from(&task_id);
        }
        let (first, count) = self
            .requests
            .get(k)
            .map_or((0, 0), |r| (r.first, r.len));
        let mut body = format!("\"request\":{k},\"first\":{first},\"count\":{count},\"taskId\":");
        push_json_opt(&mut body, task_id.as_deref());
        body
    }

    pub(crate) fn set(&mut self, index: usize, state: State) {
        if let Some(s) = self.states.get_mut(index) {
            *s = state;
        }
    }

    pub(crate) fn mark_request(&mut self, k: usize, state: State) {
        let indexes: Vec<u32> = self.request_indexes(k).to_vec();
        for i in indexes {
            self.set(i as usize, state);
        }
    }

    pub(crate) fn push_message_id(&mut self, id: Option<&str>) -> u32 {
        // The lookup by MessageId is rebuilt when next needed.
        self.reports.forget_message_index();
        match id {
            // NONE for the same reason, or when the column is full (4 GiB of IDs).
            Some(id) => self.message_ids.push(id),
            None => NONE,
        }
    }

    /// Request `k` was out when its driver lost track of it (an event of another kind than its
    /// outcome): it may have been sent, so its recipients are `unknown`. Returns that error.
    pub(crate) fn lost_in_flight(&mut self, k: usize) -> Error {
        let unknown = Error::OutcomeUnknown {
            reason: crate::error::UnknownReason::Aborted,
            http_status: None,
            service_code: None,
            request_id: None,
            excerpt: None,
        };
        self.record(k, &Err(unknown.clone()));
        unknown
    }

    /// Records the end of request `k`: sent and failed recipients, or all of them unknown (the
    /// request may have gone out), or all skipped (refused before processing: throttled to the
    /// end, rejected by the gateway, aborted). Returns the journal entry and whether to stop.
    pub fn record(&mut self, k: usize, result: &Result<BatchOutcome, Error>) -> Recorded {
        let k32 = k as u32;
        let mut entry = format!("\"outcome\":{k},");
        let stop = match result {
            Ok(outcome) => {
                // Whoever the answer does not mention stays unknown rather than guessed.
                self.mark_request(k, State::Unknown { request: k32 });
                entry.push_str("\"result\":\"sent\",\"requestId\":");
                push_json_opt(&mut entry, outcome.request_id.as_deref());
                entry.push_str(",\"sent\":[");
                for (n, s) in outcome.sent.iter().enumerate() {
                    let id = self.push_message_id(s.message_id.as_deref());
                    self.set(s.index, State::Sent { id, request: k32 });
                    if n > 0 {
                        entry.push(',');
                    }
                    let _ = write!(entry, "[{},", s.index);
                    push_json_opt(&mut entry, s.message_id.as_deref());
                    entry.push(']');
                }
                entry.push_str("],\"failed\":[");
                for (n, f) in outcome.failed.iter().enumerate() {
                    self.set(f.index, State::Failed { request: k32 });
                    if n > 0 {
                        entry.push(',');
                    }
                    let _ = write!(entry, "{}", f.index);
                }
                entry.push(']');
                self.finish_request(k, outcome.request_id.clone(), None);
                false
            }
            Err(error @ Error::OutcomeUnknown { .. }) => {
                self.mark_request(k, State::Unknown { request: k32 });
                entry
                    .push_str("\"result\":\"unknown\",\"code\":\"OUTCOME_UNKNOWN\",\"requestId\":");
                push_json_opt(&mut entry, error.request_id());
                self.finish_request(
                    k,
                    error.request_id().map(str::to_string),
                    Some(error.code().to_string()),
                );
                self.rules.stop_on_unknown
            }
            Err(error) => {
                self.mark_request(k, State::Skipped { request: k32 });
                entry.push_str("\"result\":\"not_sent\",\"code\":");
                push_json_opt(&mut entry, Some(error.code().as_str()));
                self.finish_request(
                    k,
                    error.request_id().map(str::to_string),
                    Some(error.code().to_string()),
                );
                true
            }
        };
        Recorded { entry, stop }
    }

    fn finish_request(&mut self, k: usize, request_id: Option<String>, code: Option<String>) {
        if let Some(r) = self.requests.get_mut(k) {
            r.status = RequestStatus::Done;
            r.request_id = request_id;
            r.code = code;
        }
    }

    /// The campaign stops: every recipient still pending is `skipped`.
    pub fn skip_remaining(&mut self) {
        for s in self.states.iter_mut() {
            if *s == State::Pending {
                *s = State::Skipped { request: NONE };
            }
        }
    }

    /// Recipients per state.
    pub fn progress(&self, eta_ms: u64) -> Progress {
        let counts = self.counts();
        Progress {
            counts,
            pending: counts.pending,
            requests_done: self.requests_done(),
            requests_total: self.requests_total(),
            eta_ms,
        }
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for s in &self.states {
            match s {
                State::Sent { .. } => c.sent += 1,
                State::Reported { outcome, .. } => match outcome {
                    Outcome::Delivered => c.delivered += 1,
                    Outcome::Undelivered => c.undelivered += 1,
                    Outcome::Expired => c.expired += 1,
                },
                State::Failed { .. } => c.failed += 1,
                State::Rejected { .. } | State::Dropped { .. } => c.rejected += 1,
                State::Unknown { .. } => c.unknown += 1,
                State::Skipped { .. } => c.skipped += 1,
                State::Pending => c.pending += 1,
            }
        }
        c
    }

    /// The normalized number of recipient `index`, when it was valid.
    pub fn normalized(&self, index: usize) -> Option<String> {
        self.normalized_number(index).map(|n| n.to_string())
    }

    /// The normalized number of recipient `index` as a number (its digits), when it was valid.
    pub fn normalized_number(&self, index: usize) -> Option<u64> {
        self.normalized.get(index).copied().filter(|n| *n != 0)
    }

    pub(crate) fn request_id(&self, request: u32) -> Option<&str> {
        self.requests
            .get(request as usize)
            .and_then(|r| r.request_id.as_deref())
    }

    /// The fate of recipient `index` (pending ones read as skipped).
    pub fn fate(&self, index: usize) -> Option<Fate<'_>> {
        Some(match *self.states.get(index)? {
            State::Sent { id, request } => Fate::Sent {
                message_id: self.message_ids.get(id as usize),
                request_id: self.request_id(request),
            },
            State::Reported {
                id,
                request,
                outcome,
                code,
            } => Fate::Reported {
                outcome,
                message_id: self.message_ids.get(id as usize),
                request_id: self.request_id(request),
                code: self.reports.code(code),
            },
            State::Failed { request } => Fate::Failed {
                request_id: self.request_id(request),
            },
            State::Rejected { issue } => {
                let issue = self.issues.get(issue as usize)?;
                Fate::Rejected {
                    code: issue.code.as_str(),
                    message: &issue.message,
                    duplicate_of: issue.duplicate_of,
                }
            }
            State::Dropped { of } => Fate::Rejected {
                code: IssueCode::RecipientDuplicate.as_str(),
                message: "dropped: the same number appears earlier in the list",
                duplicate_of: Some(of as usize),
            },
            State::Unknown { request } => Fate::Unknown {
                request_id: self.request_id(request),
                code: self
                    .requests
                    .get(request as usize)
                    .and_then(|r| r.code.as_deref())
                    .unwrap_or("OUTCOME_UNKNOWN"),
            },
            State::Skipped { request } => Fate::Skipped {
                code: self
                    .requests
                    .get(request as usize)
                    .and_then(|r| r.code.as_deref()),
            },
            State::Pending => Fate::Skipped { code: None },
        })
    }

    /// Every validation problem found, in index order.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Applies a journal written by an earlier run of the same campaign (read and proven whole
    /// by `journal::read`): recipients sent or failed keep that fate, a request written without
    /// an outcome makes its recipients `unknown` (never resent), requests refused before
    /// processing are planned again. An entry that does not fit the plan (an outcome of a
    /// request never written, a request written twice without an outcome between) is
    /// `JOURNAL_CORRUPT`.
    pub fn resume(&mut self, journal: &ReadJournal, destination: &Destination) -> Result<(), Error> {
        let Some(header) = &journal.header else {
            return Err(Error::JournalEmpty);
        };
        header.check(&self.journal_header(destination))?;
        for (n, value) in &journal.records {
            let corrupt = Error::JournalCorrupt { entry: *n };
            if let Some(k) = number(value.get("request")) {
                let fits = self.requests.get(k).is_some_and(|r| {
                    r.status == RequestStatus::Planned
                        && number(value.get("first")) == Some(r.first)
                        && number(value.get("count")) == Some(r.len)
                });
                if !fits {
                    return Err(corrupt);
                }
                self.mark_written(k);
                // What the entry says was sent (a request written by an earlier version has none).
                let task_id = match value.get("taskId") {
                    Some(JsonValue::String(s)) => Some(s.clone()),
                    _ => None,
                };
                if let Some(r) = self.requests.get_mut(k) {
                    r.task_id = task_id;
                }
            } else if value.get("reports").is_some() {
                // Written by a run that loaded the journal first: its requests written without
                // an outcome had become unknown then.
                self.settle_unanswered();
                self.apply_report_entry(value).ok_or(corrupt)?;
            } else if let Some(k) = number(value.get("outcome")) {
                let written = self
                    .requests
                    .get(k)
                    .is_some_and(|r| r.status == RequestStatus::Written);
                if !written {
                    return Err(corrupt);
                }
                self.apply_outcome(k, value).ok_or(corrupt)?;
            } else {
                return Err(corrupt);
            }
        }
        self.settle_unanswered();
        Ok(())
    }

    /// Requests written and never answered may have been sent: their recipients are `unknown`.
    fn settle_unanswered(&mut self) {
        for k in 0..self.requests.len() {
            if self
                .requests
                .get(k)
                .is_some_and(|r| r.status == RequestStatus::Written)
            {
                self.mark_request(k, State::Unknown { request: k as u32 });
                self.finish_request(k, None, Some("OUTCOME_UNKNOWN".to_string()));
            }
        }
    }

    fn apply_outcome(&mut self, k: usize, value: &JsonValue) -> Option<()> {
        let indexes: Vec<u32> = self.request_indexes(k).to_vec();
        let in_request = |i: usize| indexes.binary_search(&(i as u32)).is_ok();
        let k32 = k as u32;
        let text = |key: &str| match value.get(key) {
            Some(JsonValue::String(s)) => Some(s.clone()),
            _ => None,
        };
        match text("result")?.as_str() {
            "sent" => {
                self.mark_request(k, State::Unknown { request: k32 });
                let JsonValue::Array(sent) = value.get("sent")? else {
                    return None;
                };
                for pair in sent {
                    let JsonValue::Array(pair) = pair else {
                        return None;
                    };
                    let index = number(pair.first())?;
                    if !in_request(index) {
                        return None;
                    }
                    let id = match pair.get(1)? {
                        JsonValue::String(s) => Some(s.as_str()),
                        _ => None,
                    };
                    let id = self.push_message_id(id);
                    self.set(index, State::Sent { id, request: k32 });
                }
                let JsonValue::Array(failed) = value.get("failed")? else {
                    return None;
                };
                for f in failed {
                    let index = number(Some(f))?;
                    if !in_request(index) {
                        return None;
                    }
                    self.set(index, State::Failed { request: k32 });
                }
                self.finish_request(k, text("requestId"), None);
            }
            "unknown" => {
                self.mark_request(k, State::Unknown { request: k32 });
                self.finish_request(k, text("requestId"), text("code"));
            }
            "not_sent" => {
                // Refused before processing: send it again this time.
                if let Some(r) = self.requests.get_mut(k) {
                    r.status = RequestStatus::Planned;
                }
            }
            _ => return None,
        }
        Some(())
    }
}

fn push_json_opt(out: &mut String, text: Option<&str>) {
    match text {
        Some(t) => json_text::push_json_string(out, t),
        None => out.push_str("null"),
    }
}
