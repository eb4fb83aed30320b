//! Delivery reports in a campaign's ledger (issue 13). A report — pushed by Alibaba
//! (`src/report.rs`) or QueryMessage's answer (`src/operations/query_message.rs`) — is evidence
//! of what became of a message. It moves rows and nothing else:
//!
//! - a `sent` row whose MessageId it names becomes `delivered`, `undelivered` or `expired` when
//!   the report is final (the first final report wins; repeats change nothing);
//! - a report naming a MessageId the ledger does not know may belong to a request whose answer
//!   was lost (its rows `unknown`). It is tied to that request by the TaskId the request was sent
//!   with (`Campaign::task_id`: the caller's, or one of the campaign's own per request) and by its
//!   number, which Alibaba masks (`8521234****`, docs/spec/operations.md §3). When exactly one
//!   such request has a row that fits, the report proves the request was processed: its
//!   `unknown` rows become `sent` (their MessageIds unknown). When exactly one row of it fits,
//!   that row takes the report's MessageId and status.
//!
//! A report is never a reason to send: no row moves back to be planned, and an `unknown` row
//! stays unknown until a report proves it. What was applied is journaled as its effect
//! (`Applied::entry`), so a resumed campaign replays exactly the same changes
//! (`Campaign::apply_report_entry`) without the reports themselves.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

use crate::campaign::{Campaign, State, NONE};
use crate::json_text::{self, JsonValue};
use crate::operations::{DeliveryStatus, QueryMessageResult};
use crate::report::{Report, ReportStatus};

/// What a final report says became of a sent message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Delivered to the phone (report `Status` 1).
    Delivered,
    /// The carrier or platform gave up (`Status` 2). Still billed.
    Undelivered,
    /// The validity period ran out first (`Status` 6).
    Expired,
}

impl Outcome {
    /// The ledger state's name.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Undelivered => "undelivered",
            Outcome::Expired => "expired",
        }
    }

    fn from_name(name: &str) -> Option<Outcome> {
        match name {
            "delivered" => Some(Outcome::Delivered),
            "undelivered" => Some(Outcome::Undelivered),
            "expired" => Some(Outcome::Expired),
            _ => None,
        }
    }
}

/// One piece of evidence about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub message_id: String,
    /// `None`: the message was sent and is not final yet (QueryMessage's `sending`, or a report
    /// status this crate does not know).
    pub outcome: Option<Outcome>,
    /// The carrier's or platform's code (`DELIVERED`, `UNDELIV`, …).
    pub code: Option<String>,
    /// The number as the service wrote it, masked or not.
    pub to: Option<String>,
    /// The TaskId the message was sent with.
    pub task_id: Option<String>,
}

impl Delivery {
    /// A pushed report (`createReportHandler`).
    pub fn from_report(report: &Report) -> Delivery {
        Delivery {
            message_id: report.message_id.clone(),
            outcome: match report.status {
                ReportStatus::Delivered => Some(Outcome::Delivered),
                ReportStatus::Failed => Some(Outcome::Undelivered),
                ReportStatus::Expired => Some(Outcome::Expired),
                ReportStatus::Other(_) => None,
            },
            code: report.error_code.clone(),
            to: report.to.clone(),
            task_id: report.task_id.clone(),
        }
    }

    /// QueryMessage's answer. It carries no TaskId: it can only be about a MessageId the ledger
    /// already holds (it was asked by MessageId).
    pub fn from_query(answer: &QueryMessageResult) -> Delivery {
        Delivery {
            message_id: answer.message_id.clone(),
            outcome: match answer.status {
                DeliveryStatus::Delivered => Some(Outcome::Delivered),
                DeliveryStatus::Failed => Some(Outcome::Undelivered),
                DeliveryStatus::Expired => Some(Outcome::Expired),
                DeliveryStatus::Sending => None,
            },
            code: answer.error_code.clone(),
            to: answer.to.clone(),
            task_id: None,
        }
    }
}

/// Whether the number the service wrote (`8521234****`, with or without `+`) is `digits`: the
/// same length, and every character either `*` or the same digit.
pub fn number_fits(written: &str, digits: &str) -> bool {
    let written = written.strip_prefix('+').unwrap_or(written);
    !written.is_empty()
        && written.len() == digits.len()
        && written
            .bytes()
            .zip(digits.bytes())
            .all(|(w, d)| w == b'*' || (w.is_ascii_digit() && w == d))
}

/// What the ledger keeps for reports besides the rows: the reports' codes, each once, and a
/// lookup from MessageId to row, built when first needed.
#[derive(Debug, Clone, Default)]
pub struct Reports {
    codes: Vec<String>,
    code_index: HashMap<String, u32>,
    /// `None` until needed, and again after a MessageId was added other than by a report.
    by_message: Option<MessageIndex>,
}

/// Rows that a report tied to a MessageId wait in `added` before they are merged into `sorted`:
/// at most this many (a 64 KiB shift to insert one; a merge every this many ties).
const ADDED_MAX: usize = 4096;

/// The lookup from MessageId to row: `(hash of MessageId, row)` pairs, sorted. A report that
/// ties a row adds its pair here rather than dropping the lookup: rebuilding it after every tie
/// (hashing and sorting every row of the campaign) made a report per row of a lost request
/// quadratic — 4.3 s for 1,000 such reports in a 100,000-row campaign (tests/deliveries.rs,
/// `a_report_per_row_of_a_lost_request_in_a_large_campaign`).
#[derive(Debug, Clone, Default)]
struct MessageIndex {
    sorted: Vec<(u64, u32)>,
    /// Pairs added since `sorted` was built, sorted too.
    added: Vec<(u64, u32)>,
}

impl MessageIndex {
    fn add(&mut self, hash: u64, row: u32) {
        let at = self.added.partition_point(|pair| *pair < (hash, row));
        self.added.insert(at, (hash, row));
        if self.added.len() >= ADDED_MAX {
            self.sorted.append(&mut self.added);
            self.sorted.sort_unstable();
        }
    }

    /// The rows whose MessageId hashes to `hash`, lowest first within each part.
    fn rows(&self, hash: u64) -> impl Iterator<Item = usize> + '_ {
        [&self.sorted, &self.added].into_iter().flat_map(move |part| {
            let start = part.partition_point(|(h, _)| *h < hash);
            part.iter()
                .skip(start)
                .take_while(move |(h, _)| *h == hash)
                .map(|(_, row)| *row as usize)
        })
    }
}

impl Reports {
    /// A report code by its index.
    pub fn code(&self, index: u32) -> Option<&str> {
        self.codes.get(index as usize).map(String::as_str)
    }

    fn intern(&mut self, code: Option<&str>) -> u32 {
        let Some(code) = code else {
            return NONE;
        };
        if let Some(index) = self.code_index.get(code) {
            return *index;
        }
        let index = u32::try_from(self.codes.len()).unwrap_or(NONE);
        if index != NONE {
            self.codes.push(code.to_string());
            self.code_index.insert(code.to_string(), index);
        }
        index
    }

    /// The lookup by MessageId is stale: a row took a MessageId.
    pub(crate) fn forget_message_index(&mut self) {
        self.by_message = None;
    }
}

fn hash_of(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// One row's change, as journaled: `outcome` `None` when the row only took a MessageId (a
/// report that proved it sent without a final status); `message_id` when the row took it from
/// the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReport {
    pub index: usize,
    pub outcome: Option<Outcome>,
    pub code: Option<String>,
    pub message_id: Option<String>,
}

/// What applying evidence changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Requests whose answer was lost, proven processed: their `unknown` rows became `sent`.
    pub proven: Vec<usize>,
    /// Rows changed, in order.
    pub rows: Vec<RowReport>,
    /// Evidence that changed nothing: a repeat, a report about a message that is not this
    /// campaign's, or one that fits more than one row or request.
    pub unmatched: usize,
}

impl Applied {
    pub fn is_empty(&self) -> bool {
        self.proven.is_empty() && self.rows.is_empty()
    }

    /// The journal entry's members: `"proven":[k, …],"reports":[[index, state, code, id], …]`
    /// (`state` is the outcome's name or `sent`; `id` is null unless the row took it here).
    pub fn entry(&self) -> String {
        let mut out = String::from("\"proven\":[");
        for (n, k) in self.proven.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            let _ = write!(out, "{k}");
        }
        out.push_str("],\"reports\":[");
        for (n, row) in self.rows.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            let _ = write!(out, "[{},\"{}\",", row.index, row.outcome.map_or("sent", Outcome::name));
            push_opt(&mut out, row.code.as_deref());
            out.push(',');
            push_opt(&mut out, row.message_id.as_deref());
            out.push(']');
        }
        out.push(']');
        out
    }
}

fn push_opt(out: &mut String, text: Option<&str>) {
    match text {
        Some(t) => json_text::push_json_string(out, t),
        None => out.push_str("null"),
    }
}

impl Campaign {
    /// Applies evidence in order; returns what changed (journal `Applied::entry` when not empty).
    pub fn apply_deliveries(&mut self, deliveries: &[Delivery]) -> Applied {
        let mut applied = Applied::default();
        for delivery in deliveries {
            if !self.apply_delivery(delivery, &mut applied) {
                applied.unmatched += 1;
            }
        }
        applied
    }

    /// The MessageIds of the sent rows with no final report yet, in list order: what a poll
    /// asks about.
    pub fn awaiting_report(&self) -> impl Iterator<Item = &str> + '_ {
        self.states.iter().filter_map(|state| match *state {
            State::Sent { id, .. } if id != NONE => self.message_ids.get(id as usize),
            _ => None,
        })
    }

    /// The row that holds `message_id` (the first in the list, should two hold it).
    fn row_of_message(&mut self, message_id: &str) -> Option<usize> {
        if self.reports.by_message.is_none() {
            let mut sorted = Vec::new();
            for (row, state) in self.states.iter().enumerate() {
                if let State::Sent { id, .. } | State::Reported { id, .. } = *state {
                    if let Some(text) = self.message_ids.get(id as usize) {
                        sorted.push((hash_of(text), row as u32));
                    }
                }
            }
            sorted.sort_unstable();
            self.reports.by_message = Some(MessageIndex {
                sorted,
                added: Vec::new(),
            });
        }
        let index = self.reports.by_message.as_ref()?;
        index
            .rows(hash_of(message_id))
            .filter(|row| self.message_id_of(*row) == Some(message_id))
            .min()
    }

    /// Row `row` takes `message_id` from a report: its place in the MessageId column, with the
    /// lookup kept up to date rather than rebuilt.
    fn tie_message_id(&mut self, row: usize, message_id: &str) -> u32 {
        let index = self.reports.by_message.take();
        let id = self.push_message_id(Some(message_id));
        if let Some(mut index) = index {
            if id != NONE {
                index.add(hash_of(message_id), row as u32);
            }
            self.reports.by_message = Some(index);
        }
        id
    }

    fn message_id_of(&self, row: usize) -> Option<&str> {
        match *self.states.get(row)? {
            State::Sent { id, .. } | State::Reported { id, .. } => self.message_ids.get(id as usize),
            _ => None,
        }
    }

    /// Applies one piece of evidence; false when it changed nothing.
    fn apply_delivery(&mut self, delivery: &Delivery, applied: &mut Applied) -> bool {
        if let Some(row) = self.row_of_message(&delivery.message_id) {
            return match (self.states.get(row).copied(), delivery.outcome) {
                (Some(State::Sent { id, request }), Some(outcome)) => {
                    let code = self.reports.intern(delivery.code.as_deref());
                    self.set(row, State::Reported { id, request, outcome, code });
                    applied.rows.push(RowReport {
                        index: row,
                        outcome: Some(outcome),
                        code: delivery.code.clone(),
                        message_id: None,
                    });
                    true
                }
                _ => false,
            };
        }
        let (Some(task_id), Some(to)) = (delivery.task_id.as_deref(), delivery.to.as_deref()) else {
            return false;
        };
        // Rows not tied to a MessageId (unknown, or proven sent without one) in requests sent
        // with this TaskId, whose number fits the report's.
        let mut request = None;
        let mut rows = Vec::new();
        for (k, r) in self.requests.iter().enumerate() {
            if r.task_id.as_deref() != Some(task_id) {
                continue;
            }
            let fits = self.request_indexes(k).iter().map(|i| *i as usize).filter(|&i| {
                let untied = matches!(
                    self.states.get(i),
                    Some(State::Unknown { .. } | State::Sent { id: NONE, .. })
                );
                untied && self.normalized(i).is_some_and(|digits| number_fits(to, &digits))
            });
            let fits: Vec<usize> = fits.collect();
            if fits.is_empty() {
                continue;
            }
            if request.is_some() {
                // Two requests could have sent it: it proves neither.
                return false;
            }
            request = Some(k);
            rows = fits;
        }
        let Some(k) = request else {
            return false;
        };
        let k32 = k as u32;
        let unknown: Vec<usize> = self
            .request_indexes(k)
            .iter()
            .map(|i| *i as usize)
            .filter(|&i| matches!(self.states.get(i), Some(State::Unknown { .. })))
            .collect();
        if !unknown.is_empty() {
            for i in unknown {
                self.set(i, State::Sent { id: NONE, request: k32 });
            }
            applied.proven.push(k);
        }
        if let [row] = rows[..] {
            let id = self.tie_message_id(row, &delivery.message_id);
            let state = match delivery.outcome {
                Some(outcome) => {
                    let code = self.reports.intern(delivery.code.as_deref());
                    State::Reported { id, request: k32, outcome, code }
                }
                None => State::Sent { id, request: k32 },
            };
            self.set(row, state);
            applied.rows.push(RowReport {
                index: row,
                outcome: delivery.outcome,
                code: delivery.outcome.and(delivery.code.clone()),
                message_id: Some(delivery.message_id.clone()),
            });
        }
        true
    }

    /// Replays a journal entry written from `Applied::entry`; `None` when it does not fit the
    /// ledger as the journal built it so far (the caller's `JOURNAL_CORRUPT`).
    pub(crate) fn apply_report_entry(&mut self, value: &JsonValue) -> Option<()> {
        let JsonValue::Array(proven) = value.get("proven")? else {
            return None;
        };
        for k in proven {
            let k = crate::journal::number(Some(k))?;
            self.requests.get(k)?;
            let k32 = k as u32;
            let rows: Vec<usize> = self.request_indexes(k).iter().map(|i| *i as usize).collect();
            for i in rows {
                if self.states.get(i) == Some(&State::Unknown { request: k32 }) {
                    self.set(i, State::Sent { id: NONE, request: k32 });
                }
            }
        }
        let JsonValue::Array(rows) = value.get("reports")? else {
            return None;
        };
        for row in rows {
            let JsonValue::Array(fields) = row else {
                return None;
            };
            let [index, state, code, message_id] = &fields[..] else {
                return None;
            };
            let index = crate::journal::number(Some(index))?;
            let text = |v: &JsonValue| match v {
                JsonValue::String(s) => Some(Some(s.clone())),
                JsonValue::Null => Some(None),
                _ => None,
            };
            let (state, code, message_id) = (text(state)??, text(code)?, text(message_id)?);
            let outcome = match state.as_str() {
                "sent" => None,
                name => Some(Outcome::from_name(name)?),
            };
            let State::Sent { id, request } = *self.states.get(index)? else {
                return None;
            };
            // A row takes a MessageId once, from the report that tied it; a final report
            // without one is about a row that had it.
            let id = match (id, message_id) {
                (NONE, Some(given)) => self.push_message_id(Some(&given)),
                (id, None) if id != NONE => id,
                _ => return None,
            };
            let state = match outcome {
                Some(outcome) => State::Reported {
                    id,
                    request,
                    outcome,
                    code: self.reports.intern(code.as_deref()),
                },
                None => State::Sent { id, request },
            };
            self.set(index, state);
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_number_fits_only_its_own_digits() {
        assert!(number_fits("8521234****", "85212345678"));
        assert!(number_fits("+8521234****", "85212345678"));
        assert!(number_fits("85212345678", "85212345678"));
        assert!(!number_fits("8521235****", "85212345678"));
        assert!(!number_fits("8521234***", "85212345678"));
        assert!(!number_fits("8521234*****", "85212345678"));
        assert!(!number_fits("852123a****", "852123a5678"));
        assert!(!number_fits("", ""));
        assert!(number_fits("***********", "85212345678"));
    }

    #[test]
    fn the_lookup_finds_every_pair_added_and_merged() {
        let mut index = MessageIndex::default();
        for row in 0..3 * ADDED_MAX as u32 + 7 {
            // Every pair's hash shared with the next row's, so each lookup sees two rows.
            index.add(u64::from(row / 2), row);
        }
        assert!(index.added.len() < ADDED_MAX, "merged once full");
        for row in 0..3 * ADDED_MAX as u32 + 7 {
            let rows: Vec<usize> = index.rows(u64::from(row / 2)).collect();
            assert!(rows.contains(&(row as usize)), "row {row}: {rows:?}");
            assert!(rows.len() <= 2);
        }
        assert_eq!(index.rows(u64::MAX).count(), 0);
    }

    /// A lost request of a campaign sent with one TaskId, with rows `+852 9000 000i`.
    fn lost_campaign(n: usize) -> Campaign {
        use crate::batch::{BatchInput, Messages};
        use crate::campaign::{CampaignCheck, CampaignRules};
        let to: Vec<String> = (0..n).map(|i| format!("+852 9{i:07}")).collect();
        let text = Messages::One("Your code is 4821".into());
        let mut input = BatchInput::new(Vec::new(), text.clone());
        input.task_id = Some("shared".into());
        let mut check = CampaignCheck::new(&input, n, None, CampaignRules::default()).unwrap();
        check.check_part(&to, &text, &[]);
        let mut c = check.finish().unwrap();
        c.mark_written(0);
        c.record(
            0,
            &Err(crate::error::Error::OutcomeUnknown {
                reason: crate::error::UnknownReason::Timeout,
                http_status: None,
                service_code: None,
                request_id: None,
                excerpt: None,
            }),
        );
        c
    }

    fn whole(row: usize, id: &str) -> Delivery {
        Delivery {
            message_id: id.into(),
            outcome: None,
            code: None,
            to: Some(format!("+8529{row:07}")),
            task_id: Some("shared".into()),
        }
    }

    #[test]
    fn a_report_that_ties_a_row_keeps_the_lookup_by_message_id() {
        // Rebuilding the lookup after each tie hashed and sorted every row of the campaign once
        // per report: 4.3 s for 1,000 reports in 100,000 rows (tests/deliveries.rs).
        let mut c = lost_campaign(3);
        assert_eq!(c.apply_deliveries(&[whole(0, "10")]).rows.len(), 1);
        assert!(c.reports.by_message.is_some(), "built by the first report");
        assert_eq!(c.apply_deliveries(&[whole(1, "11")]).rows.len(), 1);
        assert!(c.reports.by_message.is_some(), "kept up to date by a tie, not dropped");
        // Each tied row is found by its MessageId: a final report moves it, and only it.
        let mut final_report = whole(1, "11");
        final_report.outcome = Some(Outcome::Delivered);
        final_report.to = None;
        let applied = c.apply_deliveries(&[final_report]);
        assert_eq!(applied.rows.len(), 1);
        assert_eq!(applied.rows[0].index, 1);
        assert_eq!(applied.rows[0].message_id, None, "found by its MessageId, not tied again");
    }

    #[test]
    fn the_entry_names_each_change() {
        let applied = Applied {
            proven: vec![2],
            rows: vec![
                RowReport { index: 5, outcome: None, code: None, message_id: Some("77".into()) },
                RowReport { index: 5, outcome: Some(Outcome::Undelivered), code: Some("UNDELIV".into()), message_id: None },
            ],
            unmatched: 0,
        };
        assert_eq!(
            applied.entry(),
            r#""proven":[2],"reports":[[5,"sent",null,"77"],[5,"undelivered","UNDELIV",null]]"#
        );
    }
}
