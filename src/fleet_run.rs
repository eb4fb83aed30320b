//! One worker's part of a fleet campaign as a state machine: what happens next after each thing
//! the driver saw. Pure, like `src/campaign_run.rs`: the bindings (src/wasm/fleet.rs) perform each
//! action — a call to the shared store (pkg-template/redis.js), the account's slot, the send,
//! the progress callback — and feed back what came of it, as plain values. Per request: the
//! account's slot, then the claim, the mark, the send and its outcome, so a claim is held for two
//! round trips and the send, never while queueing for a slot (a lease then need not grow with the
//! fleet, and a worker that dies in the queue holds nothing). What a reply proves is
//! read by `src/fleet.rs`; the order of the calls is held here, tested natively in tests/fleet.rs
//! (each rule step by step, and workers of this machine driven against a model of the store's
//! scripts, killed, aborted and stopped at random):
//!
//! - nothing is sent before the store holds the campaign's header and this worker has read and
//!   checked everything stored for it;
//! - a request is sent only after the store stored its mark while this worker's claim held, and
//!   at most once by this worker (a refused mark puts it back, unsent); a send that provably
//!   left nothing (`not_sent`) removes its mark, so the request is sent by someone later, as a
//!   resumed journal resends it, while one that may have been processed keeps it forever;
//! - a store that does not answer, or answers what this campaign cannot be, stops the worker
//!   before anything more is sent; after a send, the outcome is stored over its own mark or the
//!   worker stops (`FLEET_UNTRUSTED`): the store lost what it acknowledged;
//! - when nothing is left to claim, the result is the whole campaign as the store holds it.

use crate::campaign::Campaign;
use crate::error::Error;
use crate::fleet::{Claim, Fleet, StoreRead};
use crate::journal::Destination;
use crate::response::BatchOutcome;

/// What the driver does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FleetAction {
    /// Store this header entry unless the store holds one; answer `Opened` with the one it holds.
    Open(String),
    /// Read the campaign's header, marks and outcomes; answer `Read`.
    Read,
    /// Call `onProgress` with the campaign's `progress()`; answer `Reported`.
    ReportProgress,
    /// Ask the store for a request; answer `Claimed`.
    Claim,
    /// Sleep this long (others hold every free request); answer `Waited`.
    Wait(u64),
    /// Take the account's slot and wait for it; answer `SlotReached`.
    WaitForSlot,
    /// Give up this worker's claim of `request` (it stops before marking it), so another worker
    /// need not wait for the lease to end; answer `Released`, whatever the store said.
    Release(usize),
    /// Store this mark of request `request`, only while the claim holds; answer `Marked`. The
    /// account's slot is taken first, so a claim is held only for this round trip and the send.
    Mark { request: usize, entry: String },
    /// Send request `k` (`Campaign::batch`) with the attempts machine; answer `Sent`.
    Send(usize),
    /// Remove `mark`, request `request`'s: its send ended before anything was processed
    /// (`not_sent`: aborted, refused by the gateway, a signer or pacer that failed), so it is to
    /// send again, by whichever worker claims it, as a resumed journal would. Answer `Unmarked`.
    Unmark { request: usize, mark: String },
    /// Store `outcome` over `mark`, request `request`'s; answer `Finished`.
    Finish {
        request: usize,
        mark: String,
        outcome: String,
    },
    /// Ended: resolve with `campaign()`, the whole campaign as the store holds it.
    Done,
    /// Ended before anything was sent by this worker: reject with `error`, no ledger.
    Refuse(Error),
    /// Ended: reject with `error`, `campaign()` attached. `request_failed`: the error is the last
    /// request's own (a signer's thrown value may be passed on instead).
    Stop { error: Error, request_failed: bool },
}

/// What the driver saw.
#[derive(Debug, Clone, PartialEq)]
pub enum FleetEvent {
    /// The header the store holds; `None`: the reply was not a string.
    Opened(Option<String>),
    /// What the store holds; `None`: a reply of another shape.
    Read(Option<StoreRead>),
    Reported,
    /// The claim reply's numbers (empty when it was not an array of numbers).
    Claimed(Vec<f64>),
    Waited,
    SlotReached,
    /// The store answered (or not) a release: either way the worker stops.
    Released,
    /// The shared pacer failed or could not be trusted: nothing was marked or sent.
    SlotFailed(Error),
    /// The mark reply, as a number (NaN when it was none).
    Marked(f64),
    Sent(Box<Result<BatchOutcome, Error>>),
    /// The finish reply, as a number (NaN when it was none).
    Finished(f64),
    /// The unmark reply, as a number (NaN when it was none).
    Unmarked(f64),
    /// The store gave no answer in time (or its client threw).
    StoreUnavailable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Opening,
    ReadingFirst,
    Reporting,
    Claiming,
    Waiting,
    AwaitingSlot,
    Releasing,
    Marking(usize, String),
    Sending(usize, String),
    Finishing(usize),
    Unmarking(usize),
    ReadingLast,
    Ended,
}

/// A worker's run under way.
#[derive(Debug)]
pub struct FleetRun {
    fleet: Fleet,
    planned: Campaign,
    destination: Destination,
    campaign: Campaign,
    phase: Phase,
    aborted: bool,
    /// Set when the last request's outcome stops the campaign (after it is stored and reported).
    stopping: Option<Error>,
    /// Requests the store held marked and unanswered when this worker started: `unknown` to it,
    /// but one may be claimed later, once its marker removed the mark of a send that left
    /// nothing. Any other claim of a request this worker knows as taken is not trusted.
    in_flight_at_start: Vec<usize>,
}

impl FleetRun {
    /// Starts `fleet`'s worker on `planned` (the campaign checked, nothing sent by this worker).
    pub fn start(fleet: Fleet, planned: Campaign, destination: &Destination) -> (FleetRun, FleetAction) {
        let head = fleet.head().to_string();
        let run = FleetRun {
            fleet,
            campaign: planned.clone(),
            planned,
            destination: destination.clone(),
            phase: Phase::Opening,
            aborted: false,
            stopping: None,
            in_flight_at_start: Vec::new(),
        };
        (run, FleetAction::Open(head))
    }

    /// The campaign as this worker knows it: what it read from the store at the start, its own
    /// sends since, and at `Done` the store's whole campaign.
    pub fn campaign(&self) -> &Campaign {
        &self.campaign
    }

    /// The store's view of this campaign: its keys and this worker's name in them.
    pub fn fleet(&self) -> &Fleet {
        &self.fleet
    }

    /// The caller's signal fired: nothing more is claimed or sent (a request in flight ends as
    /// the transport saw it, and its outcome is still stored).
    pub fn abort(&mut self) {
        self.aborted = true;
    }

    fn refuse(&mut self, error: Error) -> FleetAction {
        self.phase = Phase::Ended;
        FleetAction::Refuse(error)
    }

    fn stop(&mut self, error: Error, request_failed: bool) -> FleetAction {
        self.phase = Phase::Ended;
        self.campaign.skip_remaining();
        FleetAction::Stop {
            error,
            request_failed,
        }
    }

    fn report(&mut self) -> FleetAction {
        self.phase = Phase::Reporting;
        FleetAction::ReportProgress
    }

    fn claim(&mut self) -> FleetAction {
        if self.aborted {
            return self.stop(Error::Aborted, false);
        }
        self.phase = Phase::Claiming;
        FleetAction::Claim
    }

    /// The campaign as the store holds it, from `planned`.
    fn ledger(&self, read: Option<StoreRead>) -> Result<Campaign, Error> {
        let read = read.ok_or(crate::fleet::UNREADABLE)?;
        self.fleet.ledger(&self.planned, &self.destination, &read, true)
    }

    /// The next action after `event`. An event that does not fit the phase (a driver's
    /// mistake) stops the worker without sending anything more.
    pub fn next(&mut self, event: FleetEvent) -> FleetAction {
        let phase = std::mem::replace(&mut self.phase, Phase::Ended);
        match (phase, event) {
            (Phase::Opening | Phase::ReadingFirst, FleetEvent::StoreUnavailable) => {
                self.refuse(Error::FleetUnavailable { before_send: true })
            }
            (Phase::Opening, FleetEvent::Opened(stored)) => {
                let checked = stored
                    .ok_or(Error::FleetUntrusted {
                        reply: "an open reply that is not the stored header",
                    })
                    .and_then(|stored| self.fleet.check_head(&stored));
                match checked {
                    Ok(()) => {
                        self.phase = Phase::ReadingFirst;
                        FleetAction::Read
                    }
                    Err(error) => self.refuse(error),
                }
            }
            (Phase::ReadingFirst, FleetEvent::Read(read)) => {
                let unanswered: Vec<usize> = read.as_ref().map_or_else(Vec::new, |read| {
                    read.marks
                        .iter()
                        .filter(|(field, _)| !read.outcomes.iter().any(|(f, _)| f == field))
                        .filter_map(|(field, _)| field.parse().ok())
                        .collect()
                });
                match self.ledger(read) {
                    Ok(campaign) => {
                        self.campaign = campaign;
                        self.in_flight_at_start = unanswered;
                        self.report()
                    }
                    Err(error) => self.refuse(error),
                }
            }
            (Phase::Reporting, FleetEvent::Reported) => match self.stopping.take() {
                Some(error) => self.stop(error, true),
                None if self.aborted => self.stop(Error::Aborted, false),
                None => {
                    self.phase = Phase::AwaitingSlot;
                    FleetAction::WaitForSlot
                }
            },
            (Phase::AwaitingSlot, FleetEvent::SlotReached) => self.claim(),
            // Nothing claimed yet: nothing to give back.
            (Phase::AwaitingSlot, FleetEvent::SlotFailed(error)) => self.stop(error, false),
            (Phase::Claiming, FleetEvent::Claimed(reply)) => match self.fleet.claim(&reply) {
                Ok(Claim::Request(k))
                    if !self.campaign.request_planned(k) && !self.in_flight_at_start.contains(&k) =>
                {
                    self.stop(
                        Error::FleetUntrusted {
                            reply: "a claim of a request the store holds a mark or outcome of",
                        },
                        false,
                    )
                }
                Ok(Claim::Request(k)) if self.aborted => {
                    // Claimed, not marked: given back, for another worker to take now rather
                    // than when the lease ends.
                    self.phase = Phase::Releasing;
                    FleetAction::Release(k)
                }
                Ok(Claim::Request(k)) => {
                    if !self.campaign.request_planned(k) {
                        // Read as in flight at the start; its marker has since removed the mark.
                        self.in_flight_at_start.retain(|&r| r != k);
                        self.campaign.reopen(k);
                    }
                    let entry = self.fleet.mark(k, &self.campaign.mark_written(k));
                    self.phase = Phase::Marking(k, entry.clone());
                    FleetAction::Mark { request: k, entry }
                }
                Ok(Claim::Wait(ms)) => {
                    self.phase = Phase::Waiting;
                    FleetAction::Wait(ms)
                }
                Ok(Claim::Done) => {
                    self.phase = Phase::ReadingLast;
                    FleetAction::Read
                }
                Err(error) => self.stop(error, false),
            },
            (Phase::Waiting, FleetEvent::Waited) => self.claim(),
            (Phase::Releasing, FleetEvent::Released) => self.stop(Error::Aborted, false),
            (Phase::Marking(k, mark), FleetEvent::Marked(reply)) => match self.fleet.marked(reply) {
                // Stored while the claim held: from now on only this worker may send it. The
                // signal is seen by the attempts machine, before any byte leaves.
                Ok(true) => {
                    self.phase = Phase::Sending(k, mark);
                    FleetAction::Send(k)
                }
                // The claim was lost (its lease ended while this worker was stopped): another
                // worker may hold it now. Not sent; claim again, for the slot already taken.
                Ok(false) => {
                    self.campaign.unwrite(k);
                    self.claim()
                }
                Err(error) => self.mark_failed(k, error),
            },
            (Phase::Marking(k, _), FleetEvent::StoreUnavailable) => {
                self.mark_failed(k, Error::FleetUnavailable { before_send: true })
            }
            (Phase::Sending(k, mark), FleetEvent::Sent(result)) => {
                let recorded = self.campaign.record(k, &result);
                let left_nothing = matches!(*result, Err(ref error) if !matches!(error, Error::OutcomeUnknown { .. }));
                if recorded.stop {
                    self.stopping = Some(match *result {
                        Err(error) => error,
                        Ok(_) => Error::Aborted,
                    });
                }
                if left_nothing {
                    self.phase = Phase::Unmarking(k);
                    return FleetAction::Unmark { request: k, mark };
                }
                let outcome = self.fleet.outcome(k, &mark, &recorded.entry);
                self.phase = Phase::Finishing(k);
                FleetAction::Finish {
                    request: k,
                    mark,
                    outcome,
                }
            }
            // A request is out and the driver says something else: it may have been sent.
            (Phase::Sending(k, _), _) => {
                let unknown = self.campaign.lost_in_flight(k);
                self.stop(unknown, false)
            }
            (Phase::Finishing(_), FleetEvent::Finished(reply)) => {
                let stored = self.fleet.finished(reply);
                self.after_outcome(stored)
            }
            // After a send whose outcome the store may not have: said so (`before_send` false).
            (Phase::Finishing(_), FleetEvent::StoreUnavailable) => {
                self.stopping = None;
                self.stop(Error::FleetUnavailable { before_send: false }, false)
            }
            (Phase::Unmarking(_), FleetEvent::Unmarked(reply)) => {
                let stored = self.fleet.unmarked(reply);
                self.after_outcome(stored)
            }
            // The mark may stay: read as `unknown` everywhere, never sent again, though nothing
            // left (the conservative side). Nothing was sent: `before_send`.
            (Phase::Unmarking(_), FleetEvent::StoreUnavailable) => {
                self.stopping = None;
                self.stop(Error::FleetUnavailable { before_send: true }, false)
            }
            (Phase::ReadingLast, FleetEvent::Read(read)) => match self.ledger(read) {
                Ok(mut all) => {
                    all.skip_remaining();
                    self.campaign = all;
                    self.phase = Phase::Ended;
                    FleetAction::Done
                }
                Err(error) => self.stop(error, false),
            },
            (_, FleetEvent::StoreUnavailable) => self.stop(Error::FleetUnavailable { before_send: true }, false),
            (_, _) => self.stop(Error::Aborted, false),
        }
    }

    /// After the store was told how a send ended (its outcome stored, or its mark removed):
    /// report progress, or stop with what the store's reply proves, that error before the
    /// request's own.
    fn after_outcome(&mut self, stored: Result<(), Error>) -> FleetAction {
        match stored {
            Ok(()) => self.report(),
            Err(error) => {
                self.stopping = None;
                self.stop(error, false)
            }
        }
    }

    /// The mark may or may not be stored; either way the request was not sent. A later reader
    /// sees it `unknown` if it was stored (never resent), this worker's ledger `skipped`.
    fn mark_failed(&mut self, k: usize, error: Error) -> FleetAction {
        self.campaign.record(k, &Err(error.clone()));
        self.stop(error, false)
    }
}
