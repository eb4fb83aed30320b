//! A campaign run as a state machine: what happens next after each thing the driver saw. Pure:
//! the bindings (src/wasm/campaign.rs) perform each action — write a journal entry, wait for the
//! account's slot, send a request, report progress — and feed back what happened. The rules it
//! holds, tested natively with random event orders and faults (tests/machines.rs):
//!
//! - every request is in the journal (written and flushed) before it is sent;
//! - a request that may have been sent is never sent again, in this run or a resumed one;
//! - a resume needs a journal that proves what was sent (`src/journal.rs`): a missing or empty
//!   one is `JOURNAL_EMPTY`, a damaged one `JOURNAL_CORRUPT`, another campaign's (or one written
//!   for another endpoint or key) `JOURNAL_MISMATCH` — all before anything is sent;
//! - when it ends, every recipient is in exactly one state.

use crate::campaign::Campaign;
use crate::error::Error;
use crate::journal::{self, Destination, JournalWriter, ReadJournal};
use crate::response::BatchOutcome;

/// What the driver does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CampaignAction {
    /// Store this entry durably; answer `JournalWritten` or `JournalFailed`.
    WriteJournal(String),
    /// Take the account's next slot and wait for it; answer `SlotReached` (or `abort()` first).
    WaitForSlot,
    /// Send request `k` (`Campaign::batch`) with the attempts machine; answer `Sent`.
    Send(usize),
    /// Call `onProgress` with `progress()`; answer `Reported`.
    ReportProgress,
    /// Ended: resolve with the ledger. Every recipient has its final state.
    Finish,
    /// Ended: reject with `error`, the ledger attached. `request_failed`: the error is the last
    /// request's own (a signer's thrown value may be passed on instead).
    Stop { error: Error, request_failed: bool },
}

/// What the driver saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CampaignEvent {
    JournalWritten,
    JournalFailed,
    SlotReached,
    Sent(Box<Result<BatchOutcome, Error>>),
    Reported,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    WritingHeader,
    Reporting,
    AwaitingSlot(usize),
    WritingRequest(usize),
    Sending(usize),
    WritingOutcome(usize),
    Ended,
}

/// A campaign under way.
#[derive(Debug)]
pub struct CampaignRun {
    campaign: Campaign,
    journal: Option<JournalWriter>,
    phase: Phase,
    aborted: bool,
    /// Set when the last request's outcome stops the campaign (after its entry and progress).
    stopping: Option<Error>,
}

impl CampaignRun {
    /// Starts (or, with `resume`, resumes) `campaign`. `journal` holds the entries the caller's
    /// journal read back (`None`: no journal). Refusals come before anything is written or sent
    /// and carry no ledger.
    pub fn start(
        mut campaign: Campaign,
        journal: Option<&[String]>,
        resume: bool,
        destination: &Destination,
    ) -> Result<(CampaignRun, CampaignAction), Error> {
        let Some(entries) = journal else {
            if resume {
                return Err(Error::InvalidOption {
                    field: "journal".to_string(),
                    message: "resumeCampaign needs the journal of the run to resume".to_string(),
                });
            }
            let mut run = CampaignRun::new(campaign, None);
            let action = run.report();
            return Ok((run, action));
        };
        let read = journal::read(entries)?;
        if resume {
            campaign.resume(&read, destination)?;
            let mut run = CampaignRun::new(campaign, Some(read.writer));
            let action = run.report();
            return Ok((run, action));
        }
        if read.header.is_some() {
            return Err(Error::JournalMismatch {
                reason: "the journal already holds a campaign: resume it with resumeCampaign, or start a new journal",
            });
        }
        let ReadJournal { mut writer, .. } = read;
        let header = writer.header(&campaign.journal_header(destination));
        let mut run = CampaignRun::new(campaign, Some(writer));
        run.phase = Phase::WritingHeader;
        Ok((run, CampaignAction::WriteJournal(header)))
    }

    fn new(campaign: Campaign, journal: Option<JournalWriter>) -> CampaignRun {
        CampaignRun {
            campaign,
            journal,
            phase: Phase::Reporting,
            aborted: false,
            stopping: None,
        }
    }

    /// The campaign: its progress and ledger.
    pub fn campaign(&self) -> &Campaign {
        &self.campaign
    }

    /// The caller's signal fired: no further request is sent (one in flight ends as the
    /// transport saw it).
    pub fn abort(&mut self) {
        self.aborted = true;
    }

    fn report(&mut self) -> CampaignAction {
        self.phase = Phase::Reporting;
        CampaignAction::ReportProgress
    }

    fn stop(&mut self, error: Error, request_failed: bool) -> CampaignAction {
        self.phase = Phase::Ended;
        self.campaign.skip_remaining();
        CampaignAction::Stop {
            error,
            request_failed,
        }
    }

    fn write(&mut self, phase: Phase, body: &str) -> CampaignAction {
        self.phase = phase;
        match &mut self.journal {
            Some(writer) => CampaignAction::WriteJournal(writer.seal(body)),
            // Unreachable: only called with a journal.
            None => CampaignAction::WriteJournal(String::new()),
        }
    }

    /// After progress was reported: stop, finish or wait for the next request's slot.
    fn after_report(&mut self) -> CampaignAction {
        if let Some(error) = self.stopping.take() {
            return self.stop(error, true);
        }
        if self.aborted {
            return self.stop(Error::Aborted, false);
        }
        match self.campaign.next_request() {
            Some(k) => {
                self.phase = Phase::AwaitingSlot(k);
                CampaignAction::WaitForSlot
            }
            None => {
                self.phase = Phase::Ended;
                self.campaign.skip_remaining();
                CampaignAction::Finish
            }
        }
    }

    fn send(&mut self, k: usize) -> CampaignAction {
        self.phase = Phase::Sending(k);
        CampaignAction::Send(k)
    }

    /// The next action after `event`. An event that does not fit the phase (a driver's
    /// mistake) stops the campaign without sending anything more.
    pub fn next(&mut self, event: CampaignEvent) -> CampaignAction {
        match (self.phase, event) {
            (Phase::WritingHeader, CampaignEvent::JournalWritten) => self.report(),
            (Phase::WritingHeader, CampaignEvent::JournalFailed) => {
                self.stop(Error::JournalFailed { before_send: true }, false)
            }
            (Phase::Reporting, CampaignEvent::Reported) => self.after_report(),
            (Phase::AwaitingSlot(k), CampaignEvent::SlotReached) => {
                if self.aborted {
                    return self.stop(Error::Aborted, false);
                }
                let body = self.campaign.mark_written(k);
                if self.journal.is_some() {
                    self.write(Phase::WritingRequest(k), &body)
                } else {
                    self.send(k)
                }
            }
            // Written: the request goes even if the signal fired meanwhile; the attempts
            // machine sees the abort before sending and the outcome says "not sent".
            (Phase::WritingRequest(k), CampaignEvent::JournalWritten) => self.send(k),
            (Phase::WritingRequest(k), CampaignEvent::JournalFailed) => {
                // Maybe stored, maybe not; either way it was not sent, and a resume treats it
                // as possibly sent (never resent) if it was stored.
                let error = Error::JournalFailed { before_send: true };
                self.campaign.record(k, &Err(error.clone()));
                self.stop(error, false)
            }
            (Phase::Sending(k), CampaignEvent::Sent(result)) => {
                let recorded = self.campaign.record(k, &result);
                if recorded.stop {
                    self.stopping = Some(match *result {
                        Err(error) => error,
                        Ok(_) => Error::Aborted,
                    });
                }
                if self.journal.is_some() {
                    self.write(Phase::WritingOutcome(k), &recorded.entry)
                } else {
                    self.report()
                }
            }
            (Phase::WritingOutcome(_), CampaignEvent::JournalWritten) => self.report(),
            (Phase::WritingOutcome(_), CampaignEvent::JournalFailed) => {
                self.stopping = None;
                self.stop(Error::JournalFailed { before_send: false }, false)
            }
            // A request is out and the driver says something else: it may have been sent.
            (Phase::Sending(k), _) => {
                let unknown = self.campaign.lost_in_flight(k);
                self.stop(unknown, false)
            }
            (_, _) => self.stop(Error::Aborted, false),
        }
    }
}
