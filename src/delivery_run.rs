//! Following a campaign's deliveries after it was sent (issue 13): `recordReports` applies the
//! reports it is given, `pollCampaign` asks QueryMessage about every sent row until each is final
//! or a deadline passes. Both open the campaign from its journal (proven whole, of this list,
//! endpoint and key: `Campaign::resume`), change rows only as `src/delivery.rs` allows, and
//! journal what they applied, so a later resume (or the next call) starts from it. Neither
//! sends a message: a report is evidence, never a reason to send.
//!
//! `DeliveryPoll` is the poll as a state machine with no clock of its own: the driver
//! (src/wasm/deliveries.rs) asks QueryMessage when told, writes the journal entries it is given
//! and reports progress.

use crate::campaign::Campaign;
use crate::delivery::{Applied, Delivery};
use crate::error::Error;
use crate::journal::{self, Destination, JournalWriter};
use crate::operations::QueryMessageResult;
use crate::poller::{PollAction, Poller};

/// Journal what a poll found after this many changed rows…
pub const FLUSH_ROWS: usize = 500;
/// …or this long after the last entry, whichever comes first (a crash loses at most that much
/// evidence, which the next poll asks for again).
pub const FLUSH_MS: u64 = 10_000;

/// Opens a sent campaign from its journal's `entries` to record its deliveries. The journal
/// must hold the campaign (`JOURNAL_EMPTY` otherwise): reports are written after its entries.
pub fn open(
    mut campaign: Campaign,
    entries: &[String],
    destination: &Destination,
) -> Result<(Campaign, JournalWriter), Error> {
    let read = journal::read(entries)?;
    campaign.resume(&read, destination)?;
    Ok((campaign, read.writer))
}

/// Applies `deliveries` to a campaign opened with `open`: what changed, and the journal entry
/// to store (none when nothing changed).
pub fn record(
    campaign: &mut Campaign,
    writer: &mut JournalWriter,
    deliveries: &[Delivery],
) -> (Applied, Option<String>) {
    let applied = campaign.apply_deliveries(deliveries);
    let entry = (!applied.is_empty()).then(|| writer.seal(&applied.entry()));
    (applied, entry)
}

/// What the driver of a poll does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollStep {
    /// Ask QueryMessage about `message_id` at (or after) `at_ms`; answer `Answered`.
    Ask { message_id: String, at_ms: u64 },
    /// Store this entry; answer `JournalWritten` or `JournalFailed`.
    WriteJournal(String),
    /// Call `onProgress` with the campaign's progress; answer `Reported`.
    ReportProgress,
    /// Every sent row is final, or the deadline passed: resolve with the ledger.
    Finish,
    /// Ended early: reject with `error`, the ledger attached.
    Stop(Error),
}

/// What the driver saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollEvent {
    /// The answer to the last `Ask`, received at `now_ms`.
    Answered {
        now_ms: u64,
        answer: Box<Result<QueryMessageResult, Error>>,
    },
    JournalWritten,
    JournalFailed,
    Reported,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Asking(usize),
    Writing { done: bool },
    Reporting { done: bool },
    Ended,
}

/// A poll of a campaign's sent rows.
#[derive(Debug)]
pub struct DeliveryPoll {
    campaign: Campaign,
    writer: JournalWriter,
    poller: Poller,
    message_ids: Vec<String>,
    /// Changes not journaled yet.
    pending: Applied,
    last_flush_ms: u64,
    aborted: bool,
    phase: Phase,
}

impl DeliveryPoll {
    /// Polls every sent row of `campaign` (opened with `open`) that has a MessageId and no final
    /// report, from `now_ms` until `deadline_ms`, each asked again after `interval_ms`
    /// (doubling, as `Poller` does).
    pub fn start(
        campaign: Campaign,
        writer: JournalWriter,
        now_ms: u64,
        deadline_ms: u64,
        interval_ms: u64,
    ) -> (DeliveryPoll, PollStep) {
        let message_ids: Vec<String> = campaign.awaiting_report().map(str::to_string).collect();
        // Each answer is applied to the ledger as it comes; the poller keeps only states.
        let poller = Poller::new(&message_ids, now_ms, deadline_ms, interval_ms).without_answers();
        let mut poll = DeliveryPoll {
            campaign,
            writer,
            poller,
            message_ids,
            pending: Applied::default(),
            last_flush_ms: now_ms,
            aborted: false,
            phase: Phase::Ended,
        };
        let step = poll.ask_or_finish();
        (poll, step)
    }

    /// The campaign: its progress and ledger.
    pub fn campaign(&self) -> &Campaign {
        &self.campaign
    }

    /// The caller's signal fired: what was found is journaled, then the poll stops.
    pub fn abort(&mut self) {
        self.aborted = true;
    }

    fn ask_or_finish(&mut self) -> PollStep {
        if !self.aborted {
            if let PollAction::Ask { index, at_ms } = self.poller.next_question() {
                let id = self
                    .poller
                    .given_index(index)
                    .and_then(|given| self.message_ids.get(given));
                if let Some(message_id) = id {
                    self.phase = Phase::Asking(index);
                    return PollStep::Ask {
                        message_id: message_id.clone(),
                        at_ms,
                    };
                }
            }
        }
        self.flush(true)
    }

    /// Writes what is pending (then reports progress), or goes straight to the end.
    fn flush(&mut self, done: bool) -> PollStep {
        if self.pending.is_empty() {
            return if done { self.end() } else { self.ask_or_finish() };
        }
        let entry = self.writer.seal(&std::mem::take(&mut self.pending).entry());
        self.phase = Phase::Writing { done };
        PollStep::WriteJournal(entry)
    }

    fn end(&mut self) -> PollStep {
        self.phase = Phase::Ended;
        if self.aborted {
            PollStep::Stop(Error::Aborted)
        } else {
            PollStep::Finish
        }
    }

    /// The next step after `event`. An event that does not fit (a driver's mistake) ends the
    /// poll; nothing is ever sent by it either way.
    pub fn next(&mut self, event: PollEvent) -> PollStep {
        match (self.phase, event) {
            (Phase::Asking(index), PollEvent::Answered { now_ms, answer }) => {
                let answer = *answer;
                if matches!(answer, Err(Error::Aborted)) {
                    self.aborted = true;
                }
                if let Ok(result) = &answer {
                    let applied = self.campaign.apply_deliveries(&[Delivery::from_query(result)]);
                    self.pending.proven.extend(applied.proven);
                    self.pending.rows.extend(applied.rows);
                }
                self.poller.answered(index, now_ms, answer);
                let due = self.pending.rows.len() >= FLUSH_ROWS
                    || now_ms.saturating_sub(self.last_flush_ms) >= FLUSH_MS;
                if due && !self.pending.is_empty() {
                    self.last_flush_ms = now_ms;
                    self.flush(false)
                } else {
                    self.ask_or_finish()
                }
            }
            (Phase::Writing { done }, PollEvent::JournalWritten) => {
                self.phase = Phase::Reporting { done };
                PollStep::ReportProgress
            }
            (Phase::Writing { .. }, PollEvent::JournalFailed) => {
                self.phase = Phase::Ended;
                PollStep::Stop(Error::ReportsNotJournaled)
            }
            (Phase::Reporting { done }, PollEvent::Reported) => {
                if done {
                    self.end()
                } else {
                    self.ask_or_finish()
                }
            }
            (Phase::Ended, _) => self.end(),
            (_, _) => {
                self.phase = Phase::Ended;
                PollStep::Stop(Error::Aborted)
            }
        }
    }
}
