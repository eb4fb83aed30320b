//! Polling delivery status for deployments with no public URL for Alibaba's report push
//! (docs/spec/operations.md §3, way 1): `QueryMessage` for each MessageId until its status is final or a
//! deadline passes. A state machine with no clock of its own: the driver asks `next(now)` what to
//! do, performs the query (src/wasm/operations.rs, at QueryMessage's pace) and reports the answer.
//!
//! The record appears some time after the send (`DATA_NOT_EXIST` until then) and a message may
//! stay `sending` for minutes, so each message is asked again after a wait that doubles from
//! `interval_ms` up to `MAX_INTERVAL_MS`. A query is a read: asking again is always safe.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::Serialize;

use crate::error::{Error, ErrorCode};
use crate::operations::QueryMessageResult;

/// The longest wait between two questions about one message.
pub const MAX_INTERVAL_MS: u64 = 300_000;

/// Where one message stands in a poll (`PolledMessage` in types.d.ts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolledMessage {
    pub message_id: String,
    /// `delivered`, `failed`, `expired`: final; `sending`: the service still works on it at the
    /// deadline; `unknown`: never answered with a status before the deadline (no record yet, or
    /// every question failed); `refused`: the service refused the question (`code` says why).
    pub state: &'static str,
    /// The last answer with a status.
    pub result: Option<QueryMessageResult>,
    /// The code of the last failed question, if the last question failed.
    pub code: Option<ErrorCode>,
    /// Questions asked about this message.
    pub queries: u32,
}

/// What `pollDeliveries` resolves to (`PollResult` in types.d.ts): every message asked about,
/// in the order given (repeats left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PollResult {
    pub messages: Vec<PolledMessage>,
}

#[derive(Debug, Clone)]
struct Entry {
    message: PolledMessage,
    /// Its index in the caller's list (the first, for a repeated MessageId).
    given: usize,
    /// When to ask next; `None` once final or refused.
    next_at: Option<u64>,
    wait_ms: u64,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollAction {
    /// Ask about message `index` at (or after) `at_ms`.
    Ask { index: usize, at_ms: u64 },
    /// Every message is final or refused, or the deadline leaves no question to ask.
    Done,
}

/// A poll of several messages.
#[derive(Debug, Clone)]
pub struct Poller {
    entries: Vec<Entry>,
    /// `(next_at, index)` of every message still to ask, earliest first: a poll of a campaign's
    /// 100,000 MessageIds must not scan them all before each question. An item whose time no
    /// longer matches its entry's is stale and skipped.
    queue: BinaryHeap<Reverse<(u64, usize)>>,
    deadline_ms: u64,
    /// Whether each message keeps its last answer (`pollDeliveries` returns them; a campaign's
    /// poll applies each answer to its ledger at once and keeps only the state: 100,000 answers
    /// with their texts would be tens of MB).
    keep_answers: bool,
}

impl Poller {
    /// Polls `message_ids` from `now_ms` until `deadline_ms`, asking each again after
    /// `interval_ms` (doubling up to `MAX_INTERVAL_MS`). Repeated MessageIds are asked once.
    pub fn new(message_ids: &[String], now_ms: u64, deadline_ms: u64, interval_ms: u64) -> Poller {
        let mut seen = std::collections::BTreeSet::new();
        let entries: Vec<Entry> = message_ids
            .iter()
            .enumerate()
            .filter(|(_, id)| seen.insert(id.as_str()))
            .map(|(given, id)| Entry {
                given,
                message: PolledMessage {
                    message_id: id.clone(),
                    state: "unknown",
                    result: None,
                    code: None,
                    queries: 0,
                },
                next_at: Some(now_ms),
                wait_ms: interval_ms.clamp(1, MAX_INTERVAL_MS),
            })
            .collect();
        let queue = (0..entries.len()).map(|index| Reverse((now_ms, index))).collect();
        Poller {
            entries,
            queue,
            deadline_ms,
            keep_answers: true,
        }
    }

    /// Keeps no answer, only each message's state (`PolledMessage::result` stays `None`).
    pub fn without_answers(mut self) -> Poller {
        self.keep_answers = false;
        self
    }

    /// The index in the caller's list of entry `index`.
    pub fn given_index(&self, index: usize) -> Option<usize> {
        self.entries.get(index).map(|e| e.given)
    }

    /// The next question: the message whose turn comes first, if it comes before the deadline.
    pub fn next_question(&mut self) -> PollAction {
        while let Some(Reverse((at_ms, index))) = self.queue.peek().copied() {
            let current = self.entries.get(index).and_then(|e| e.next_at) == Some(at_ms);
            if !current {
                self.queue.pop();
                continue;
            }
            return if at_ms <= self.deadline_ms {
                PollAction::Ask { index, at_ms }
            } else {
                PollAction::Done
            };
        }
        PollAction::Done
    }

    /// What the question about message `index`, asked at `now_ms`, gave.
    pub fn answered(&mut self, index: usize, now_ms: u64, answer: Result<QueryMessageResult, Error>) {
        let Some(entry) = self.entries.get_mut(index) else {
            return;
        };
        entry.message.queries = entry.message.queries.saturating_add(1);
        let again = now_ms.saturating_add(entry.wait_ms);
        match answer {
            Ok(result) => {
                entry.message.code = None;
                entry.message.state = result.status.as_str();
                let last = result.status.is_final();
                entry.message.result = self.keep_answers.then_some(result);
                entry.next_at = if last { None } else { Some(again) };
            }
            Err(error) => {
                entry.message.code = Some(error.code());
                // No record yet, throttled, unreachable, unknown: a read may always be asked
                // again. A refusal of the question itself (bad key, no permission) will not
                // change by asking.
                let asked_again = error.retryable()
                    || matches!(error.code(), ErrorCode::OutcomeUnknown | ErrorCode::UnexpectedResponse);
                if asked_again {
                    entry.next_at = Some(again);
                } else {
                    entry.message.state = "refused";
                    entry.next_at = None;
                }
            }
        }
        entry.wait_ms = entry.wait_ms.saturating_mul(2).min(MAX_INTERVAL_MS);
        if let Some(at) = entry.next_at {
            self.queue.push(Reverse((at, index)));
        }
    }

    /// Every message's state now (in the order given, repeats left out).
    pub fn results(&self) -> Vec<&PolledMessage> {
        self.entries.iter().map(|e| &e.message).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServiceErrorKind;
    use crate::operations::DeliveryStatus;

    fn result(id: &str, status: DeliveryStatus) -> QueryMessageResult {
        QueryMessageResult {
            message_id: id.into(),
            to: None,
            status,
            error_code: None,
            error_description: None,
            send_date: None,
            receive_date: None,
            message: None,
            number_detail: None,
            request_id: None,
            response_code: "OK".into(),
            attempts: 1,
        }
    }

    fn service(kind: ServiceErrorKind, code: &str) -> Error {
        Error::Service {
            kind,
            detail: Box::new(crate::error::ServiceError {
                http_status: 200,
                service_code: Some(code.into()),
                message: String::new(),
                request_id: None,
                recommend: None,
                retry_after_ms: None,
            }),
        }
    }

    fn not_found() -> Error {
        service(ServiceErrorKind::RecordNotFound, "DATA_NOT_EXIST")
    }

    #[test]
    fn each_message_is_asked_until_final_with_a_doubling_wait() {
        let ids: Vec<String> = ["1", "2", "1"].iter().map(|s| s.to_string()).collect();
        let mut p = Poller::new(&ids, 0, 10_000, 1000);
        assert_eq!(p.results().len(), 2, "a repeated MessageId is asked once");
        assert_eq!(p.next_question(), PollAction::Ask { index: 0, at_ms: 0 });
        p.answered(0, 0, Err(not_found()));
        assert_eq!(p.next_question(), PollAction::Ask { index: 1, at_ms: 0 });
        p.answered(1, 5, Ok(result("2", DeliveryStatus::Delivered)));
        assert_eq!(p.next_question(), PollAction::Ask { index: 0, at_ms: 1000 });
        p.answered(0, 1000, Ok(result("1", DeliveryStatus::Sending)));
        // The wait doubled.
        assert_eq!(p.next_question(), PollAction::Ask { index: 0, at_ms: 3000 });
        p.answered(0, 3000, Ok(result("1", DeliveryStatus::Failed)));
        assert_eq!(p.next_question(), PollAction::Done);
        let states: Vec<&str> = p.results().iter().map(|m| m.state).collect();
        assert_eq!(states, ["failed", "delivered"]);
        assert_eq!(p.results()[0].queries, 3);
    }

    #[test]
    fn the_deadline_ends_it_and_a_refusal_is_not_asked_again() {
        let ids: Vec<String> = ["1", "2"].iter().map(|s| s.to_string()).collect();
        let mut p = Poller::new(&ids, 0, 1500, 1000);
        p.answered(0, 0, Ok(result("1", DeliveryStatus::Sending)));
        p.answered(
            1,
            0,
            Err(service(ServiceErrorKind::PermissionDenied, "RAM_PERMISSION_DENY")),
        );
        assert_eq!(p.next_question(), PollAction::Ask { index: 0, at_ms: 1000 });
        p.answered(0, 1000, Ok(result("1", DeliveryStatus::Sending)));
        // Next at 3000: past the deadline.
        assert_eq!(p.next_question(), PollAction::Done);
        let states: Vec<&str> = p.results().iter().map(|m| m.state).collect();
        assert_eq!(states, ["sending", "refused"]);
        assert_eq!(p.results()[1].code, Some(ErrorCode::PermissionDenied));
    }

    #[test]
    fn a_long_poll_asks_each_message_once_per_turn_in_time_order() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("{i}")).collect();
        let mut p = Poller::new(&ids, 0, u64::MAX, 1000);
        let mut asked = 0;
        let mut last_at = 0;
        while let PollAction::Ask { index, at_ms } = p.next_question() {
            assert!(at_ms >= last_at, "questions come in time order");
            last_at = at_ms;
            asked += 1;
            // Every other message is still sending the first time it is asked.
            let status = if index % 2 == 1 && p.results()[index].queries == 0 {
                DeliveryStatus::Sending
            } else {
                DeliveryStatus::Delivered
            };
            assert_eq!(p.given_index(index), Some(index));
            p.answered(index, at_ms, Ok(result(&ids[index], status)));
        }
        assert_eq!(asked, 15_000);
        assert!(p.results().iter().all(|m| m.state == "delivered"));
    }
}
