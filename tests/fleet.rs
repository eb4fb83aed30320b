//! The fleet's rules (src/fleet.rs, src/fleet_run.rs) as properties: workers of the core's
//! machine, each action performed the way src/wasm/fleet.rs performs it, against a model of the
//! Redis scripts (pkg-template/redis.js: the same conditions, on one clock), with random
//! interleavings, clock jumps past leases (a stopped worker), workers killed or aborted at any
//! step, and a store that loses everything (a restart without its AOF). Each run checks:
//!
//! - no request is ever sent twice;
//! - a request a killed worker marked is `unknown` in the ledger read from the store, never sent
//!   again; a request it only claimed is taken over and sent;
//! - once the surviving workers find nothing to claim, every request is sent or `unknown`, and
//!   each worker's result is that ledger;
//! - after the store lost its entries, no worker sends again: each stops with FLEET_UNTRUSTED.

use std::collections::HashMap;

use aliyun_globe_sms::batch::{BatchInput, Messages};
use aliyun_globe_sms::campaign::{Campaign, CampaignCheck, CampaignRules};
use aliyun_globe_sms::fleet::{Fleet, StoreRead};
use aliyun_globe_sms::fleet_run::{FleetAction, FleetEvent, FleetRun};
use aliyun_globe_sms::journal::Destination;
use aliyun_globe_sms::response::read_batch_response;
use aliyun_globe_sms::{Credentials, KnownSecrets};
use proptest::prelude::*;

const LEASE: u64 = 10_000;
const COUNT: usize = 4_500; // 5 requests

fn numbers(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("+852 9{:07}", i + 1)).collect()
}

/// A campaign of `count` valid numbers, one text for all (1000 per request).
fn campaign(count: usize) -> Campaign {
    let input = BatchInput::new(Vec::new(), Messages::One("fleet".into()));
    let mut check = CampaignCheck::new(&input, count, None, CampaignRules::default()).unwrap();
    check.check_part(&numbers(count), &Messages::One("fleet".into()), &[]);
    check.finish().unwrap()
}

fn planned() -> Campaign {
    campaign(COUNT)
}

fn destination() -> Destination {
    Destination {
        host: "127.0.0.1:9".into(),
        scheme: "ACS3-HMAC-SHA256".into(),
        access_key_id: Some("LTAI5tFleetProperty".into()),
    }
}

/// The service accepting every number of request `k`.
fn accepted(c: &Campaign, k: usize) -> aliyun_globe_sms::BatchOutcome {
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

/// `(field, entry)` pairs as the store gives them back.
type Entries = Vec<(String, String)>;

/// The Redis scripts' conditions, on the model's clock.
#[derive(Default)]
struct Store {
    head: Option<String>,
    marks: HashMap<usize, String>,
    outcomes: HashMap<usize, String>,
    leases: HashMap<usize, (String, u64)>,
}

impl Store {
    fn open(&mut self, head: &str) -> String {
        self.head.get_or_insert_with(|| head.to_string()).clone()
    }

    fn read(&self) -> StoreRead {
        let (marks, outcomes) = self.entries();
        StoreRead { head: self.head.clone(), marks, outcomes }
    }

    fn claim(&mut self, now: u64, requests: usize, owner: &str) -> [f64; 2] {
        if self.head.is_none() {
            return [-2.0, 0.0];
        }
        let mut wait: Option<u64> = None;
        let mut soonest = |until: u64| {
            if until > now {
                wait = Some(wait.map_or(until - now, |w| w.min(until - now)));
            }
        };
        for k in 0..requests {
            if self.outcomes.contains_key(&k) {
                continue;
            }
            let lease = self.leases.get(&k).cloned();
            if self.marks.contains_key(&k) {
                soonest(lease.map_or(0, |l| l.1));
            } else if lease.as_ref().is_none_or(|(who, until)| *until <= now || who == owner) {
                self.leases.insert(k, (owner.to_string(), now + LEASE));
                return [k as f64, 0.0];
            } else {
                soonest(lease.map_or(0, |l| l.1));
            }
        }
        [-1.0, wait.map_or(-1.0, |w| w as f64)]
    }

    fn mark(&mut self, now: u64, k: usize, owner: &str, entry: &str) -> f64 {
        if self.head.is_none() {
            return -2.0;
        }
        if self.marks.get(&k).map(String::as_str) == Some(entry) {
            return 1.0;
        }
        if self.marks.contains_key(&k) {
            return 0.0;
        }
        match self.leases.get(&k) {
            Some((who, until)) if who == owner && *until > now => {
                self.marks.insert(k, entry.to_string());
                self.leases.insert(k, (owner.to_string(), now + LEASE));
                1.0
            }
            _ => 0.0,
        }
    }

    fn release(&mut self, k: usize, owner: &str) -> f64 {
        if self.marks.contains_key(&k) || self.leases.get(&k).is_none_or(|(who, _)| who != owner) {
            return 0.0;
        }
        self.leases.remove(&k);
        1.0
    }

    fn unmark(&mut self, k: usize, mark: &str) -> f64 {
        if self.head.is_none() {
            return -2.0;
        }
        if self.marks.get(&k).map(String::as_str) == Some(mark) {
            self.marks.remove(&k);
            self.leases.remove(&k);
        }
        1.0
    }

    fn finish(&mut self, k: usize, mark: &str, outcome: &str) -> f64 {
        if self.outcomes.get(&k).map(String::as_str) == Some(outcome) {
            return 1.0;
        }
        if self.marks.get(&k).map(String::as_str) != Some(mark) || self.outcomes.contains_key(&k) {
            return 0.0;
        }
        self.outcomes.insert(k, outcome.to_string());
        self.leases.remove(&k);
        1.0
    }

    fn entries(&self) -> (Entries, Entries) {
        let list = |m: &HashMap<usize, String>| m.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        (list(&self.marks), list(&self.outcomes))
    }
}

/// What goes wrong with a worker's next store call.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    /// The command runs twice (a client that sends it again after a reconnect); the worker
    /// gets the second reply.
    Twice,
    /// The command runs, and its reply never reaches the worker.
    ReplyLost,
}

/// One worker: the core's machine and the action it asked for last (not yet performed).
struct Worker {
    run: FleetRun,
    action: FleetAction,
    killed: bool,
    aborted: bool,
    fault: Option<Fault>,
    /// The request whose mark this worker left without knowing what became of it.
    abandoned: Option<usize>,
    /// A reply of the store never reached this worker.
    lost_a_reply: bool,
}

/// A store action performed on the model: the event its reply makes.
fn perform(action: &FleetAction, store: &mut Store, now: u64, fleet: &Fleet) -> FleetEvent {
    match action {
        FleetAction::Open(head) => FleetEvent::Opened(Some(store.open(head))),
        FleetAction::Read => FleetEvent::Read(Some(store.read())),
        FleetAction::Claim => FleetEvent::Claimed(store.claim(now, fleet.requests(), fleet.owner()).to_vec()),
        FleetAction::Release(k) => {
            store.release(*k, fleet.owner());
            FleetEvent::Released
        }
        FleetAction::Mark { request, entry } => FleetEvent::Marked(store.mark(now, *request, fleet.owner(), entry)),
        FleetAction::Unmark { request, mark } => FleetEvent::Unmarked(store.unmark(*request, mark)),
        FleetAction::Finish { request, mark, outcome } => FleetEvent::Finished(store.finish(*request, mark, outcome)),
        other => panic!("not a store action: {other:?}"),
    }
}

impl Worker {
    fn new(n: usize) -> Worker {
        let campaign = planned();
        let fleet = Fleet::new(&campaign, &destination(), "spring", &format!("w{n}"), LEASE).unwrap();
        let (run, action) = FleetRun::start(fleet, campaign, &destination());
        Worker { run, action, killed: false, aborted: false, fault: None, abandoned: None, lost_a_reply: false }
    }

    fn ended(&self) -> bool {
        self.killed || matches!(self.action, FleetAction::Done | FleetAction::Refuse(_) | FleetAction::Stop { .. })
    }

    /// The request this worker marked and may have sent, with no outcome stored yet.
    fn holds_mark(&self) -> Option<usize> {
        match self.action {
            FleetAction::Send(k) | FleetAction::Finish { request: k, .. } | FleetAction::Unmark { request: k, .. } => Some(k),
            _ => None,
        }
    }

    /// The caller's signal fires: the machine stops at its next step, and a send not yet made
    /// is refused by the attempts machine before any byte leaves (`Aborted`, not sent).
    fn abort(&mut self) {
        self.aborted = true;
        self.run.abort();
    }

    /// Performs the pending action on the store (or the send), and asks the machine what next.
    fn advance(&mut self, store: &mut Store, now: u64, sends: &mut [u32]) {
        if self.ended() {
            return;
        }
        let event = match &self.action {
            FleetAction::ReportProgress => FleetEvent::Reported,
            FleetAction::Wait(_) => FleetEvent::Waited,
            FleetAction::WaitForSlot => FleetEvent::SlotReached,
            FleetAction::Send(_) if self.aborted => FleetEvent::Sent(Box::new(Err(aliyun_globe_sms::Error::Aborted))),
            FleetAction::Send(k) => {
                sends[*k] += 1;
                FleetEvent::Sent(Box::new(Ok(accepted(self.run.campaign(), *k))))
            }
            FleetAction::Done | FleetAction::Refuse(_) | FleetAction::Stop { .. } => return,
            action => {
                let fault = self.fault.take();
                let mut event = perform(action, store, now, self.run.fleet());
                match fault {
                    Some(Fault::Twice) => event = perform(action, store, now, self.run.fleet()),
                    Some(Fault::ReplyLost) => {
                        self.lost_a_reply = true;
                        if let FleetAction::Mark { request, .. } = action {
                            self.abandoned = Some(*request);
                        }
                        self.abandoned = self.abandoned.or(self.holds_mark());
                        event = FleetEvent::StoreUnavailable;
                    }
                    None => {}
                }
                event
            }
        };
        self.action = self.run.next(event);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_request_is_sent_twice_and_every_one_ends_sent_or_unknown(
        workers in 2usize..5,
        ops in prop::collection::vec((0u8..14, 0usize..5, 0u64..15_000), 1..120),
    ) {
        let mut store = Store::default();
        let mut fleet: Vec<Worker> = (0..workers).map(Worker::new).collect();
        let mut sends = vec![0u32; 5];
        let mut now = 1_000_000u64;
        // What each killed worker was holding when it died.
        let mut killed_marked = Vec::new();
        for (op, who, dt) in ops {
            let n = who % workers;
            match op {
                // Time passes (a worker not stepped meanwhile was stopped, or slow).
                0 => now += dt,
                // Kill any worker but the last, which always survives to finish.
                1 if n + 1 < workers => {
                    if let Some(k) = fleet[n].holds_mark() {
                        killed_marked.push(k);
                    }
                    fleet[n].killed = true;
                }
                // Abort any but the last (its caller's signal, Ctrl+C): it stops at its next
                // step, giving back a claim it has not marked, and a send it had not made.
                2 if n + 1 < workers => fleet[n].abort(),
                // The next store call runs twice (a client's resend after a reconnect).
                3 => fleet[n].fault = Some(Fault::Twice),
                // The next store call runs and its reply is lost: that worker stops.
                4 if n + 1 < workers => fleet[n].fault = Some(Fault::ReplyLost),
                _ => {
                    now += dt % 50;
                    fleet[n].advance(&mut store, now, &mut sends);
                }
            }
            prop_assert!(sends.iter().all(|&s| s <= 1), "a request sent twice: {:?}", sends);
        }
        // The survivors run to the end; time moves past every lease meanwhile.
        for _ in 0..10_000 {
            let live: Vec<usize> = (0..workers).filter(|&n| !fleet[n].ended()).collect();
            if live.is_empty() {
                break;
            }
            for n in live {
                now += 500;
                fleet[n].advance(&mut store, now, &mut sends);
            }
        }
        prop_assert!(sends.iter().all(|&s| s <= 1), "a request sent twice: {:?}", sends);
        let reader = Fleet::new(&planned(), &destination(), "spring", "reader", LEASE).unwrap();
        let (marks, outcomes) = store.entries();
        let ledger = reader.ledger(&planned(), &destination(), &store.read(), false).unwrap();
        let counts = ledger.counts();
        // A worker that lost a reply and was killed afterwards left its mark all the same.
        let mut abandoned = killed_marked.clone();
        abandoned.extend(fleet.iter().filter_map(|w| w.abandoned));
        for w in fleet.iter().filter(|w| !w.killed) {
            if let FleetAction::Stop { error, .. } | FleetAction::Refuse(error) = &w.action {
                match error {
                    aliyun_globe_sms::Error::Aborted => prop_assert!(w.aborted, "only an aborted worker stops so"),
                    aliyun_globe_sms::Error::FleetUnavailable { .. } => {
                        prop_assert!(w.lost_a_reply, "only a lost reply stops a worker so");
                    }
                    other => prop_assert!(false, "a worker stopped with {:?}", other),
                }
                continue;
            }
            prop_assert_eq!(&w.action, &FleetAction::Done);
            // A worker's result is the store's ledger when it ended, which a worker still
            // sending past its lease (stopped, or a send longer than the lease) may complete
            // afterwards: what it read as in flight (`unknown`) may be `sent` now, never the
            // other way, and nothing it counted is missing.
            let own = w.run.campaign().counts();
            prop_assert_eq!(own.sent + own.unknown, counts.sent + counts.unknown, "{:?} / {:?}", own, counts);
            prop_assert!(own.sent <= counts.sent && own.unknown >= counts.unknown, "{:?} / {:?}", own, counts);
        }
        prop_assert_eq!(counts.pending + counts.skipped, 0, "every request claimed and marked");
        for (k, &sent) in sends.iter().enumerate() {
            let unknown = marks.iter().any(|(f, _)| f == &k.to_string()) && !outcomes.iter().any(|(f, _)| f == &k.to_string());
            if unknown {
                prop_assert!(abandoned.contains(&k), "request {} unknown but no worker left its mark", k);
            } else {
                prop_assert_eq!(sent, 1, "request {} answered, sent once", k);
            }
        }
        prop_assert_eq!(counts.sent + counts.unknown, COUNT);
    }
}

/// The entries a fleet stores read back as a file journal's would (moved here from
/// src/fleet.rs, so the service's accepted answer is built in one place).
#[test]
fn marks_and_outcomes_read_back_as_the_file_journal_would() {
    let mut worker = campaign(3000); // 3 requests
    let f = Fleet::new(&worker, &destination(), "campaign-1", "w1", LEASE).unwrap();
    let m0 = f.mark(0, &worker.mark_written(0));
    let o0 = f.outcome(0, &m0, &worker.record(0, &Ok(accepted(&worker, 0))).entry);
    let m1 = f.mark(1, &worker.mark_written(1));
    let marks = vec![("0".to_string(), m0.clone()), ("1".to_string(), m1.clone())];
    let outcomes = vec![("0".to_string(), o0.clone())];

    let mut reader = campaign(3000);
    f.apply(&mut reader, &destination(), &marks, &outcomes).unwrap();
    let counts = reader.counts();
    assert_eq!((counts.sent, counts.unknown, counts.pending), (1000, 1000, 1000));
    // Nothing else is handed out by the reader's plan: request 1 is marked.
    assert_eq!(reader.next_request(), Some(2));

    // An outcome moved to another request, an outcome without its mark, a foreign entry,
    // a flipped byte and a field that is not a request all refuse to be read.
    let bad: Vec<(Entries, Entries)> = vec![
        (marks.clone(), vec![("1".to_string(), o0.clone())]),
        (vec![("0".to_string(), m0.clone())], vec![("1".to_string(), o0.clone())]),
        (vec![("2".to_string(), m1.clone())], vec![]),
        (vec![("0".to_string(), m0.replace("\"count\":1000", "\"count\":1001"))], vec![]),
        (vec![("01".to_string(), m1.clone())], vec![]),
        (vec![("3".to_string(), m1.clone())], vec![]),
    ];
    for (marks, outcomes) in bad {
        let mut reader = campaign(3000);
        let error = f.apply(&mut reader, &destination(), &marks, &outcomes).unwrap_err();
        assert!(matches!(error, aliyun_globe_sms::Error::JournalCorrupt { .. }), "{error:?}");
    }
    // Another campaign's mark (same request number) does not chain to this header.
    let other_campaign = campaign(2999);
    let g = Fleet::new(&other_campaign, &destination(), "campaign-1", "w", LEASE).unwrap();
    let foreign = g.mark(0, &campaign(2999).mark_written(0));
    let mut reader = campaign(3000);
    assert!(f.apply(&mut reader, &destination(), &[("0".to_string(), foreign)], &[]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Redis restarted without its AOF (or flushed, or evicted the campaign) mid-campaign: the
    /// marks are gone with the header, and a worker that trusted the empty store would claim
    /// and send again what was sent. Every worker that had opened the campaign stops instead.
    /// (One started after the loss sees a new campaign: the README's "What Redis must keep".)
    #[test]
    fn after_the_store_lost_everything_no_worker_sends_again(
        workers in 2usize..5,
        before in prop::collection::vec((0usize..5, 0u64..50), 0..60),
        after in prop::collection::vec((0usize..5, 0u64..2_000), 1..60),
    ) {
        let mut store = Store::default();
        let mut fleet: Vec<Worker> = (0..workers).map(Worker::new).collect();
        let mut sends = vec![0u32; 5];
        let mut now = 1_000_000u64;
        for (who, dt) in before {
            now += dt;
            fleet[who % workers].advance(&mut store, now, &mut sends);
        }
        let sent_before = sends.clone();
        store = Store::default();
        // Those that never reached the store are out of this property.
        for w in fleet.iter_mut() {
            if matches!(w.action, FleetAction::Open(_)) {
                w.killed = true;
            }
        }
        for (who, dt) in after.into_iter().chain((0..200).map(|n| (n, 500))) {
            now += dt;
            fleet[who % workers].advance(&mut store, now, &mut sends);
        }
        for (k, (&now_sent, &then)) in sends.iter().zip(&sent_before).enumerate() {
            // A send the machine had already been told to make (marked before the loss) may go;
            // nothing is claimed, marked or sent anew.
            prop_assert!(now_sent <= 1, "request {} sent {} times (before the loss: {})", k, now_sent, then);
        }
        prop_assert!(store.marks.is_empty(), "nothing marked in the emptied store");
        for w in fleet.iter().filter(|w| !w.killed) {
            match &w.action {
                FleetAction::Done => {}
                FleetAction::Stop { error, .. } | FleetAction::Refuse(error) => {
                    prop_assert_eq!(error.code().as_str(), "FLEET_UNTRUSTED")
                }
                other => prop_assert!(false, "a worker still going: {:?}", other),
            }
        }
    }
}

/// The worker's machine (src/fleet_run.rs) step by step: the order of its actions, and what each
/// reply or failure of the store leads to.
mod machine {
    use super::*;
    use aliyun_globe_sms::Error;

    /// A worker on a campaign of `count` numbers (1,000 per request), past open and the first read.
    fn started(count: usize) -> (FleetRun, FleetAction) {
        let planned = campaign(count);
        let fleet = Fleet::new(&planned, &destination(), "run-1", "w1", LEASE).unwrap();
        let head = fleet.head().to_string();
        let (mut run, action) = FleetRun::start(fleet, planned, &destination());
        assert_eq!(action, FleetAction::Open(head.clone()));
        assert_eq!(run.next(FleetEvent::Opened(Some(head.clone()))), FleetAction::Read);
        let empty = StoreRead { head: Some(head), marks: vec![], outcomes: vec![] };
        let action = run.next(FleetEvent::Read(Some(empty)));
        (run, action)
    }

    /// A worker of `count` numbers at its slot, about to claim.
    fn at_slot(count: usize) -> FleetRun {
        let (mut run, _) = started(count);
        assert_eq!(run.next(FleetEvent::Reported), FleetAction::WaitForSlot);
        assert_eq!(run.next(FleetEvent::SlotReached), FleetAction::Claim);
        run
    }

    /// A worker that claimed and marked request `k` and was told to send it.
    fn marked(count: usize, k: usize) -> FleetRun {
        let mut run = at_slot(count);
        assert!(matches!(run.next(FleetEvent::Claimed(vec![k as f64, 0.0])), FleetAction::Mark { .. }));
        assert_eq!(run.next(FleetEvent::Marked(1.0)), FleetAction::Send(k));
        run
    }

    /// A worker that sent request `k` (accepted) and has been told to store its outcome.
    fn sent_and_awaiting_its_outcome(count: usize, k: usize) -> FleetRun {
        let mut run = marked(count, k);
        let outcome = accepted(run.campaign(), k);
        assert!(matches!(run.next(FleetEvent::Sent(Box::new(Ok(outcome)))), FleetAction::Finish { .. }));
        run
    }

    /// Drives one request from its claim (the slot taken) to its stored outcome; returns the
    /// action after, and the mark and outcome entries.
    fn one_request(run: &mut FleetRun, k: usize) -> (FleetAction, String, String) {
        let FleetAction::Mark { request, entry } = run.next(FleetEvent::Claimed(vec![k as f64, 0.0])) else {
            panic!("a mark right after the claim")
        };
        assert_eq!(request, k);
        assert!(entry.contains(&format!("\"request\":{k}")));
        assert_eq!(run.next(FleetEvent::Marked(1.0)), FleetAction::Send(k));
        let outcome = accepted(run.campaign(), k);
        let FleetAction::Finish { request, mark, outcome } = run.next(FleetEvent::Sent(Box::new(Ok(outcome)))) else {
            panic!("the outcome stored after the send")
        };
        assert_eq!((request, &mark), (k, &entry));
        assert!(outcome.contains(&format!("\"outcome\":{k}")));
        (run.next(FleetEvent::Finished(1.0)), mark, outcome)
    }

    #[test]
    fn the_slot_then_claim_mark_send_finish_for_each_request_then_the_stores_whole_campaign() {
        let mut run = at_slot(2500);
        let (after, mark1, outcome1) = one_request(&mut run, 1);
        assert_eq!(after, FleetAction::ReportProgress);
        assert_eq!(run.next(FleetEvent::Reported), FleetAction::WaitForSlot);
        assert_eq!(run.next(FleetEvent::SlotReached), FleetAction::Claim);
        // Others hold the rest: wait (the slot kept), claim again, then nothing left.
        assert_eq!(run.next(FleetEvent::Claimed(vec![-1.0, 400.0])), FleetAction::Wait(400));
        assert_eq!(run.next(FleetEvent::Waited), FleetAction::Claim);
        assert_eq!(run.next(FleetEvent::Claimed(vec![-1.0, -1.0])), FleetAction::Read);
        // The store's whole campaign: this worker's request 1, another's request 0 marked and
        // never answered (unknown), request 2 never claimed (skipped: the workers stopped).
        let other = Fleet::new(&planned_of(2500), &destination(), "run-1", "w2", LEASE).unwrap();
        let mark0 = other.mark(0, &planned_of(2500).mark_written(0));
        let all = StoreRead {
            head: Some(run.fleet().head().to_string()),
            marks: vec![("0".into(), mark0), ("1".into(), mark1)],
            outcomes: vec![("1".into(), outcome1)],
        };
        assert_eq!(run.next(FleetEvent::Read(Some(all))), FleetAction::Done);
        let counts = run.campaign().counts();
        assert_eq!((counts.sent, counts.unknown, counts.skipped, counts.pending), (1000, 1000, 500, 0));
    }

    fn planned_of(count: usize) -> Campaign {
        campaign(count)
    }

    #[test]
    fn a_refused_mark_is_not_sent_and_the_request_is_claimed_again_for_the_same_slot() {
        let mut run = at_slot(2000);
        assert!(matches!(run.next(FleetEvent::Claimed(vec![0.0, 0.0])), FleetAction::Mark { request: 0, .. }));
        assert_eq!(run.next(FleetEvent::Marked(0.0)), FleetAction::Claim);
        assert_eq!(run.campaign().next_request(), Some(0), "planned again, unsent");
        assert_eq!(one_request(&mut run, 0).0, FleetAction::ReportProgress);
    }

    #[test]
    fn a_send_that_left_nothing_removes_its_mark_so_the_request_is_sent_later() {
        for (error, stops) in [(Error::Aborted, true), (Error::SigningFailed, true)] {
            let mut run = marked(3000, 2);
            let FleetAction::Unmark { request, mark } = run.next(FleetEvent::Sent(Box::new(Err(error.clone())))) else {
                panic!("{error:?}: unmark")
            };
            assert_eq!(request, 2);
            assert!(mark.contains("\"request\":2"));
            assert_eq!(run.next(FleetEvent::Unmarked(1.0)), FleetAction::ReportProgress);
            let action = run.next(FleetEvent::Reported);
            assert_eq!(matches!(action, FleetAction::Stop { request_failed: true, .. }), stops, "{action:?}");
        }
        // A send that may have been processed keeps its mark: its outcome is stored over it.
        let mut run = marked(3000, 2);
        let unknown = Error::OutcomeUnknown {
            reason: aliyun_globe_sms::error::UnknownReason::Timeout,
            http_status: None,
            service_code: None,
            request_id: None,
            excerpt: None,
        };
        assert!(matches!(run.next(FleetEvent::Sent(Box::new(Err(unknown)))), FleetAction::Finish { request: 2, .. }));
        // The store could not unmark: the mark stays (unknown to all, never resent), and the
        // error says nothing was sent.
        let mut run = marked(3000, 2);
        run.next(FleetEvent::Sent(Box::new(Err(Error::Aborted))));
        assert_eq!(
            run.next(FleetEvent::StoreUnavailable),
            FleetAction::Stop { error: Error::FleetUnavailable { before_send: true }, request_failed: false }
        );
        let mut run = marked(3000, 2);
        run.next(FleetEvent::Sent(Box::new(Err(Error::Aborted))));
        let FleetAction::Stop { error, .. } = run.next(FleetEvent::Unmarked(-2.0)) else { panic!() };
        assert_eq!(error.code().as_str(), "FLEET_UNTRUSTED");
    }

    #[test]
    fn nothing_is_sent_before_the_header_and_the_stored_entries_are_checked() {
        let planned = campaign(1000);
        let fleet = Fleet::new(&planned, &destination(), "run-1", "w1", LEASE).unwrap();
        let other = Fleet::new(&campaign(999), &destination(), "run-1", "w2", LEASE).unwrap();
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
        let mut run = at_slot(2000);
        let FleetAction::Stop { error, .. } = run.next(FleetEvent::Claimed(vec![7.0, 0.0])) else { panic!() };
        assert_eq!(error.code().as_str(), "FLEET_UNTRUSTED");

        let mut run = at_slot(2000);
        assert_eq!(one_request(&mut run, 0).0, FleetAction::ReportProgress);
        run.next(FleetEvent::Reported);
        run.next(FleetEvent::SlotReached);
        let FleetAction::Stop { error, .. } = run.next(FleetEvent::Claimed(vec![0.0, 0.0])) else { panic!() };
        assert_eq!(error.code().as_str(), "FLEET_UNTRUSTED", "request 0 was sent by this worker");

        // The store does not answer the mark: not sent; this worker's ledger says skipped.
        let mut run = at_slot(2000);
        run.next(FleetEvent::Claimed(vec![1.0, 0.0]));
        let action = run.next(FleetEvent::StoreUnavailable);
        assert_eq!(
            action,
            FleetAction::Stop { error: Error::FleetUnavailable { before_send: true }, request_failed: false }
        );
        assert_eq!(run.campaign().counts().skipped, 2000);

        // Nor the outcome, after the send: said so (before_send false), and the ledger has the
        // request as this worker saw it.
        let mut run = sent_and_awaiting_its_outcome(2000, 1);
        let action = run.next(FleetEvent::StoreUnavailable);
        assert_eq!(
            action,
            FleetAction::Stop { error: Error::FleetUnavailable { before_send: false }, request_failed: false }
        );
        assert_eq!(run.campaign().counts().sent, 1000);

        // An outcome the store would not put over the mark: the store lost it.
        let mut run = sent_and_awaiting_its_outcome(2000, 1);
        let FleetAction::Stop { error, .. } = run.next(FleetEvent::Finished(0.0)) else { panic!() };
        assert_eq!(error.code().as_str(), "FLEET_UNTRUSTED");
    }

    #[test]
    fn a_shared_pacer_that_fails_stops_the_worker_before_it_claims() {
        let (mut run, _) = started(2000);
        run.next(FleetEvent::Reported);
        let failed = Error::FleetUnavailable { before_send: true };
        assert_eq!(
            run.next(FleetEvent::SlotFailed(failed.clone())),
            FleetAction::Stop { error: failed, request_failed: false }
        );
        assert_eq!(run.campaign().counts().skipped, 2000);
    }

    #[test]
    fn an_abort_stops_before_the_slot_or_the_claim_gives_back_a_claim_and_never_cuts_mark_from_send() {
        let (mut run, _) = started(3000);
        run.abort();
        assert_eq!(run.next(FleetEvent::Reported), FleetAction::Stop { error: Error::Aborted, request_failed: false });

        // Aborted in the queue for the slot: nothing claimed, nothing to give back.
        let (mut run, _) = started(3000);
        run.next(FleetEvent::Reported);
        run.abort();
        assert_eq!(run.next(FleetEvent::SlotReached), FleetAction::Stop { error: Error::Aborted, request_failed: false });

        // Aborted while the claim was on its way: the claim is given back.
        let mut run = at_slot(3000);
        run.abort();
        assert_eq!(run.next(FleetEvent::Claimed(vec![2.0, 0.0])), FleetAction::Release(2));
        assert_eq!(run.next(FleetEvent::Released), FleetAction::Stop { error: Error::Aborted, request_failed: false });

        // Marked: the send goes to the attempts machine, which sees the signal before any byte
        // leaves; its mark is removed, then the worker stops.
        let mut run = at_slot(3000);
        run.next(FleetEvent::Claimed(vec![2.0, 0.0]));
        run.abort();
        assert_eq!(run.next(FleetEvent::Marked(1.0)), FleetAction::Send(2));
        let action = run.next(FleetEvent::Sent(Box::new(Err(Error::Aborted))));
        assert!(matches!(action, FleetAction::Unmark { request: 2, .. }));
        assert_eq!(run.next(FleetEvent::Unmarked(1.0)), FleetAction::ReportProgress);
        assert_eq!(run.next(FleetEvent::Reported), FleetAction::Stop { error: Error::Aborted, request_failed: true });
    }

    #[test]
    fn a_driver_that_loses_track_mid_send_leaves_the_request_unknown() {
        let mut run = marked(1000, 0);
        let FleetAction::Stop { error, .. } = run.next(FleetEvent::Waited) else { panic!() };
        assert_eq!(error.code().as_str(), "OUTCOME_UNKNOWN");
        assert_eq!(run.campaign().counts().unknown, 1000);
    }
}
