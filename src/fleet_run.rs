//! One worker's part of a fleet campaign as a state machine: what happens next after each thing
//! the driver saw. Pure, like `src/campaign_run.rs`: the bindings (src/wasm/fleet.rs) perform each
//! action — a call to the shared store (pkg-template/redis.js), the account's slot, the send,
//! the progress callback — and feed back what came of it, as plain values. What a reply proves is
//! read by `src/fleet.rs`; the order of the calls is held here, tested natively (unit tests
//! below; tests/fleet.rs drives workers of this machine against a model of the store's scripts,
//! killed and stopped at random):
//!
//! - nothing is sent before the store holds the campaign's header and this worker has read and
//!   checked everything stored for it;
//! - a request is sent only after the store stored its mark while this worker's claim held, and
//!   at most once by this worker (a refused mark puts it back, unsent);
//! - a store that does not answer, or answers what this campaign cannot be, stops the worker
//!   before anything more is sent; after a send, the outcome is stored over its own mark or the
//!   worker stops (`FLEET_UNTRUSTED`): the store lost what it acknowledged;
//! - when nothing is left to claim, the result is the whole campaign as the store holds it.

use crate::campaign::Campaign;
use crate::error::{Error, UnknownReason};
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
    /// Store this mark of request `request`, only while the claim holds; answer `Marked`.
    Mark { request: usize, entry: String },
    /// Send request `k` (`Campaign::batch`) with the attempts machine; answer `Sent`.
    Send(usize),
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
    AwaitingSlot(usize),
    Releasing,
    Marking(usize, String),
    Sending(usize, String),
    Finishing(usize),
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
        let read = read.ok_or(Error::FleetUntrusted {
            reply: "a read reply without lists of [field, entry] marks and outcomes",
        })?;
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
            (Phase::ReadingFirst, FleetEvent::Read(read)) => match self.ledger(read) {
                Ok(campaign) => {
                    self.campaign = campaign;
                    self.report()
                }
                Err(error) => self.refuse(error),
            },
            (Phase::Reporting, FleetEvent::Reported) => match self.stopping.take() {
                Some(error) => self.stop(error, true),
                None => self.claim(),
            },
            (Phase::Claiming, FleetEvent::Claimed(reply)) => match self.fleet.claim(&reply) {
                Ok(Claim::Request(k)) if !self.campaign.request_planned(k) => self.stop(
                    Error::FleetUntrusted {
                        reply: "a claim of a request the store holds a mark or outcome of",
                    },
                    false,
                ),
                Ok(Claim::Request(k)) => {
                    self.phase = Phase::AwaitingSlot(k);
                    FleetAction::WaitForSlot
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
            (Phase::AwaitingSlot(k), FleetEvent::SlotReached) => {
                if self.aborted {
                    // Claimed, not marked: given back, for another worker to take over now
                    // rather than when the lease ends.
                    self.phase = Phase::Releasing;
                    return FleetAction::Release(k);
                }
                let entry = self.fleet.mark(k, &self.campaign.mark_written(k));
                self.phase = Phase::Marking(k, entry.clone());
                FleetAction::Mark { request: k, entry }
            }
            (Phase::Releasing, FleetEvent::Released) => self.stop(Error::Aborted, false),
            // Claimed, not marked: the claim lapses and another worker takes the request over.
            (Phase::AwaitingSlot(_), FleetEvent::SlotFailed(error)) => self.stop(error, false),
            (Phase::Marking(k, mark), FleetEvent::Marked(reply)) => match self.fleet.marked(reply) {
                // Stored while the claim held: from now on only this worker may send it. The
                // signal is seen by the attempts machine, before any byte leaves.
                Ok(true) => {
                    self.phase = Phase::Sending(k, mark);
                    FleetAction::Send(k)
                }
                // The claim was lost (its lease ended while this worker waited or was stopped):
                // another worker may hold it now. Not sent; claim again.
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
                if recorded.stop {
                    self.stopping = Some(match *result {
                        Err(error) => error,
                        Ok(_) => Error::Aborted,
                    });
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
                let unknown = Error::OutcomeUnknown {
                    reason: UnknownReason::Aborted,
                    http_status: None,
                    service_code: None,
                    request_id: None,
                    excerpt: None,
                };
                self.campaign.record(k, &Err(unknown.clone()));
                self.stop(unknown, false)
            }
            (Phase::Finishing(_), FleetEvent::Finished(reply)) => match self.fleet.finished(reply) {
                Ok(()) => self.report(),
                Err(error) => {
                    self.stopping = None;
                    self.stop(error, false)
                }
            },
            // After a send whose outcome the store may not have: said so (`before_send` false).
            (Phase::Finishing(_), FleetEvent::StoreUnavailable) => {
                self.stopping = None;
                self.stop(Error::FleetUnavailable { before_send: false }, false)
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

    /// The mark may or may not be stored; either way the request was not sent. A later reader
    /// sees it `unknown` if it was stored (never resent), this worker's ledger `skipped`.
    fn mark_failed(&mut self, k: usize, error: Error) -> FleetAction {
        self.campaign.record(k, &Err(error.clone()));
        self.stop(error, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::BatchInput;
    use crate::campaign::{CampaignCheck, CampaignRules};
    use crate::response::read_batch_response;
    use crate::{Credentials, KnownSecrets, Messages};

    fn numbers(count: usize) -> Vec<String> {
        (0..count).map(|i| format!("+852 6{i:07}")).collect()
    }

    fn campaign(count: usize) -> Campaign {
        let input = BatchInput::new(Vec::new(), Messages::One("fleet".into()));
        let mut check = CampaignCheck::new(&input, count, None, CampaignRules::default()).unwrap();
        check.check_part(&numbers(count), &Messages::One("fleet".into()), &[]);
        check.finish().unwrap()
    }

    fn destination() -> Destination {
        Destination {
            host: "127.0.0.1:1".to_string(),
            scheme: "ACS3-HMAC-SHA256".to_string(),
            access_key_id: Some("LTAI5tFleetKeyId".to_string()),
        }
    }

    /// A worker on a campaign of `count` numbers (1,000 per request), past open and the first read.
    fn started(count: usize) -> (FleetRun, FleetAction) {
        let planned = campaign(count);
        let fleet = Fleet::new(&planned, &destination(), "run-1", "w1", 30_000).unwrap();
        let head = fleet.head().to_string();
        let (mut run, action) = FleetRun::start(fleet, planned, &destination());
        assert_eq!(action, FleetAction::Open(head.clone()));
        assert_eq!(run.next(FleetEvent::Opened(Some(head.clone()))), FleetAction::Read);
        let empty = StoreRead { head: Some(head), marks: vec![], outcomes: vec![] };
        let action = run.next(FleetEvent::Read(Some(empty)));
        (run, action)
    }

    /// The service's answer accepting every number of request `k`.
    fn accepted(run: &FleetRun, k: usize) -> BatchOutcome {
        let c = run.campaign();
        let all = numbers(c.total());
        let to: Vec<String> = c.request_indexes(k).iter().map(|&i| all[i as usize].clone()).collect();
        let batch = c.batch(k, &to, &Messages::One("fleet".into())).unwrap();
        let ids: Vec<String> = batch.entries().iter().map(|e| format!("\\\"M{}\\\"", e.index)).collect();
        let body = format!(
            r#"{{"ResponseCode":"OK","RequestId":"R{k}","FailedList":"[]","MessageIdList":"[{}]","SuccessCount":"{}"}}"#,
            ids.join(","),
            ids.len()
        );
        let creds = Credentials::new("id", "secret", None).unwrap();
        read_batch_response(&batch, &KnownSecrets::of_credentials(&creds), 200, &[], body.as_bytes()).unwrap()
    }

    /// Drives one request from its claim to its stored outcome; returns the action after.
    fn one_request(run: &mut FleetRun, k: usize) -> FleetAction {
        assert_eq!(run.next(FleetEvent::Claimed(vec![k as f64, 0.0])), FleetAction::WaitForSlot);
        let FleetAction::Mark { request, entry } = run.next(FleetEvent::SlotReached) else {
            panic!("a mark after the slot")
        };
        assert_eq!(request, k);
        assert!(entry.contains(&format!("\"request\":{k}")));
        assert_eq!(run.next(FleetEvent::Marked(1.0)), FleetAction::Send(k));
        let outcome = accepted(run, k);
        let FleetAction::Finish { request, mark, outcome } = run.next(FleetEvent::Sent(Box::new(Ok(outcome)))) else {
            panic!("the outcome stored after the send")
        };
        assert_eq!((request, mark), (k, entry));
        assert!(outcome.contains(&format!("\"outcome\":{k}")));
        run.next(FleetEvent::Finished(1.0))
    }

    #[test]
    fn open_read_then_claim_mark_send_finish_for_each_request() {
        let (mut run, action) = started(2500);
        assert_eq!(action, FleetAction::ReportProgress);
        assert_eq!(run.next(FleetEvent::Reported), FleetAction::Claim);
        assert_eq!(one_request(&mut run, 1), FleetAction::ReportProgress);
        assert_eq!(run.next(FleetEvent::Reported), FleetAction::Claim);
        // Others hold the rest: wait, claim again, then nothing left: the store's whole campaign.
        assert_eq!(run.next(FleetEvent::Claimed(vec![-1.0, 400.0])), FleetAction::Wait(400));
        assert_eq!(run.next(FleetEvent::Waited), FleetAction::Claim);
        assert_eq!(run.next(FleetEvent::Claimed(vec![-1.0, -1.0])), FleetAction::Read);
        let head = run.fleet().head().to_string();
        let all = StoreRead { head: Some(head), marks: vec![], outcomes: vec![] };
        assert_eq!(run.next(FleetEvent::Read(Some(all))), FleetAction::Done);
        // The store held nothing (a model, not a store): every recipient is skipped, none pending.
        assert_eq!(run.campaign().counts().pending, 0);
    }

    #[test]
    fn a_refused_mark_is_not_sent_and_the_request_can_be_claimed_again() {
        let (mut run, _) = started(2000);
        run.next(FleetEvent::Reported);
        run.next(FleetEvent::Claimed(vec![0.0, 0.0]));
        assert!(matches!(run.next(FleetEvent::SlotReached), FleetAction::Mark { request: 0, .. }));
        assert_eq!(run.next(FleetEvent::Marked(0.0)), FleetAction::Claim);
        assert_eq!(run.campaign().next_request(), Some(0), "planned again, unsent");
        assert_eq!(one_request(&mut run, 0), FleetAction::ReportProgress);
    }

    #[test]
    fn nothing_is_sent_before_the_header_and_the_stored_entries_are_checked() {
        let planned = campaign(1000);
        let fleet = Fleet::new(&planned, &destination(), "run-1", "w1", 30_000).unwrap();
        let other = Fleet::new(&campaign(999), &destination(), "run-1", "w2", 30_000).unwrap();
        let head = fleet.head().to_string();
        let cases: Vec<(Vec<FleetEvent>, &str)> = vec![
            (vec![FleetEvent::StoreUnavailable], "FLEET_UNAVAILABLE"),
            (vec![FleetEvent::Opened(None)], "FLEET_UNTRUSTED"),
            (vec![FleetEvent::Opened(Some(other.head().to_string()))], "JOURNAL_MISMATCH"),
            (vec![FleetEvent::Opened(Some(head.clone())), FleetEvent::StoreUnavailable], "FLEET_UNAVAILABLE"),
            (vec![FleetEvent::Opened(Some(head.clone())), FleetEvent::Read(None)], "FLEET_UNTRUSTED"),
            // The header gone between open and read: the store lost what it acknowledged.
            (
                vec![
                    FleetEvent::Opened(Some(head.clone())),
                    FleetEvent::Read(Some(StoreRead { head: None, marks: vec![], outcomes: vec![] })),
                ],
                "FLEET_UNTRUSTED",
            ),
            (
                vec![
                    FleetEvent::Opened(Some(head.clone())),
                    FleetEvent::Read(Some(StoreRead {
                        head: Some(head.clone()),
                        marks: vec![("0".into(), "{\"seq\":1}\n".into())],
                        outcomes: vec![],
                    })),
                ],
                "JOURNAL_CORRUPT",
            ),
        ];
        for (events, code) in cases {
            let (mut run, _) = FleetRun::start(fleet.clone(), planned.clone(), &destination());
            let mut action = FleetAction::Read;
            for event in events {
                action = run.next(event);
            }
            match action {
                FleetAction::Refuse(error) => assert_eq!(error.code().as_str(), code),
                other => panic!("{code}: {other:?}"),
            }
        }
    }

    #[test]
    fn store_failures_stop_the_worker_with_what_they_mean() {
        // A claim reply outside the campaign, or of a request this worker knows is taken.
        let (mut run, _) = started(2000);
        run.next(FleetEvent::Reported);
        let FleetAction::Stop { error, .. } = run.next(FleetEvent::Claimed(vec![7.0, 0.0])) else { panic!() };
        assert_eq!(error.code().as_str(), "FLEET_UNTRUSTED");

        let (mut run, _) = started(2000);
        run.next(FleetEvent::Reported);
        assert_eq!(one_request(&mut run, 0), FleetAction::ReportProgress);
        run.next(FleetEvent::Reported);
        let FleetAction::Stop { error, .. } = run.next(FleetEvent::Claimed(vec![0.0, 0.0])) else { panic!() };
        assert_eq!(error.code().as_str(), "FLEET_UNTRUSTED", "request 0 was sent by this worker");

        // The store does not answer the mark: not sent; this worker's ledger says skipped.
        let (mut run, _) = started(2000);
        run.next(FleetEvent::Reported);
        run.next(FleetEvent::Claimed(vec![1.0, 0.0]));
        run.next(FleetEvent::SlotReached);
        let action = run.next(FleetEvent::StoreUnavailable);
        assert_eq!(
            action,
            FleetAction::Stop { error: Error::FleetUnavailable { before_send: true }, request_failed: false }
        );
        assert_eq!(run.campaign().counts().skipped, 2000);

        // Nor the outcome, after the send: said so (before_send false), and the ledger has the
        // request as this worker saw it.
        let (mut run, _) = started(2000);
        run.next(FleetEvent::Reported);
        run.next(FleetEvent::Claimed(vec![1.0, 0.0]));
        run.next(FleetEvent::SlotReached);
        run.next(FleetEvent::Marked(1.0));
        let outcome = accepted(&run, 1);
        run.next(FleetEvent::Sent(Box::new(Ok(outcome))));
        let action = run.next(FleetEvent::StoreUnavailable);
        assert_eq!(
            action,
            FleetAction::Stop { error: Error::FleetUnavailable { before_send: false }, request_failed: false }
        );
        assert_eq!(run.campaign().counts().sent, 1000);

        // An outcome the store would not put over the mark: the store lost it.
        let (mut run, _) = started(2000);
        run.next(FleetEvent::Reported);
        run.next(FleetEvent::Claimed(vec![1.0, 0.0]));
        run.next(FleetEvent::SlotReached);
        run.next(FleetEvent::Marked(1.0));
        let outcome = accepted(&run, 1);
        run.next(FleetEvent::Sent(Box::new(Ok(outcome))));
        let FleetAction::Stop { error, .. } = run.next(FleetEvent::Finished(0.0)) else { panic!() };
        assert_eq!(error.code().as_str(), "FLEET_UNTRUSTED");
    }

    #[test]
    fn a_shared_pacer_that_fails_stops_the_worker_before_the_mark() {
        let (mut run, _) = started(2000);
        run.next(FleetEvent::Reported);
        run.next(FleetEvent::Claimed(vec![0.0, 0.0]));
        let failed = Error::FleetUnavailable { before_send: true };
        assert_eq!(
            run.next(FleetEvent::SlotFailed(failed.clone())),
            FleetAction::Stop { error: failed, request_failed: false }
        );
        assert_eq!(run.campaign().counts().skipped, 2000);
    }

    #[test]
    fn an_abort_stops_before_a_claim_or_a_mark_never_between_mark_and_send() {
        let (mut run, _) = started(3000);
        run.abort();
        assert_eq!(run.next(FleetEvent::Reported), FleetAction::Stop { error: Error::Aborted, request_failed: false });

        let (mut run, _) = started(3000);
        run.next(FleetEvent::Reported);
        run.next(FleetEvent::Claimed(vec![2.0, 0.0]));
        run.abort();
        assert_eq!(run.next(FleetEvent::SlotReached), FleetAction::Release(2));
        assert_eq!(run.next(FleetEvent::Released), FleetAction::Stop { error: Error::Aborted, request_failed: false });

        // Marked: the send goes to the attempts machine, which sees the signal before any byte
        // leaves; its "not sent" is stored over the mark, then the worker stops.
        let (mut run, _) = started(3000);
        run.next(FleetEvent::Reported);
        run.next(FleetEvent::Claimed(vec![2.0, 0.0]));
        run.next(FleetEvent::SlotReached);
        run.abort();
        assert_eq!(run.next(FleetEvent::Marked(1.0)), FleetAction::Send(2));
        let action = run.next(FleetEvent::Sent(Box::new(Err(Error::Aborted))));
        assert!(matches!(action, FleetAction::Finish { request: 2, .. }));
        assert_eq!(run.next(FleetEvent::Finished(1.0)), FleetAction::ReportProgress);
        assert_eq!(run.next(FleetEvent::Reported), FleetAction::Stop { error: Error::Aborted, request_failed: true });
    }

    #[test]
    fn a_driver_that_loses_track_mid_send_leaves_the_request_unknown() {
        let (mut run, _) = started(1000);
        run.next(FleetEvent::Reported);
        run.next(FleetEvent::Claimed(vec![0.0, 0.0]));
        run.next(FleetEvent::SlotReached);
        run.next(FleetEvent::Marked(1.0));
        let FleetAction::Stop { error, .. } = run.next(FleetEvent::Waited) else { panic!() };
        assert_eq!(error.code().as_str(), "OUTCOME_UNKNOWN");
        assert_eq!(run.campaign().counts().unknown, 1000);
    }
}
