//! The sending rules as properties of the core's state machines (src/attempts.rs,
//! src/campaign_run.rs), driven the way the bindings drive them but against a simulated world: a
//! clock, the account's pacer, a journal store that can fail or tear, a service that answers,
//! throttles, refuses connections or leaves the outcome unknown (having processed the request or
//! not), aborts, and crashes after any step followed by resumes in a fresh "process". Thousands
//! of random runs; each checks:
//!
//! - every request is in the journal (stored) before it is sent;
//! - no recipient is ever processed twice by the service, across any number of crashes and
//!   resumes (an unknown is never resent);
//! - two sends within a process are at least the pacer's interval apart;
//! - when a run ends, every recipient is in exactly one state, and the ledger agrees with the
//!   world: `sent` ones were processed once, processed ones are `sent` or `unknown`;
//! - a resume after any prefix is accepted (or JOURNAL_EMPTY when no header was stored), and a
//!   last run without faults leaves nothing `skipped`.

use std::sync::OnceLock;

use aliyun_globe_sms::attempts::{AttemptAction, AttemptEvent, Attempts};
use aliyun_globe_sms::batch::{BatchInput, Messages};
use aliyun_globe_sms::campaign::{Campaign, CampaignCheck, CampaignRules};
use aliyun_globe_sms::campaign_run::{CampaignAction, CampaignEvent, CampaignRun};
use aliyun_globe_sms::error::Error;
use aliyun_globe_sms::journal::Destination;
use aliyun_globe_sms::pacer::Pacer;
use aliyun_globe_sms::response::read_batch_response;
use aliyun_globe_sms::retry::{Delivery, Safety};
use aliyun_globe_sms::{Batch, Credentials, KnownSecrets};
use proptest::prelude::*;

mod common;
use common::Rng;

const SIZES: [usize; 6] = [1, 9, 1000, 1001, 2345, 3503];

/// Hong Kong mobiles, with a mainland number at 7 and a repeat of 3 at 2000 when long enough.
fn list(n: usize) -> Vec<String> {
    let mut to: Vec<String> = (0..n).map(|i| format!("+852 9{:07}", i + 1)).collect();
    if n > 7 {
        to[7] = "+86 138 0013 8000".into();
    }
    if n > 2000 {
        to[2000] = to[3].clone();
    }
    to
}

fn input() -> BatchInput {
    BatchInput::new(Vec::new(), Messages::One("Your code is 4821".into()))
}

/// The checked campaigns of each size, built once and cloned per run.
fn campaigns() -> &'static Vec<(Vec<String>, Campaign)> {
    static CAMPAIGNS: OnceLock<Vec<(Vec<String>, Campaign)>> = OnceLock::new();
    CAMPAIGNS.get_or_init(|| {
        SIZES
            .iter()
            .map(|&n| {
                let to = list(n);
                let mut check = CampaignCheck::new(&input(), n, None, rules()).unwrap();
                for part in to.chunks(700) {
                    check.check_part(part, &Messages::One("Your code is 4821".into()), &[]);
                }
                (to, check.finish().unwrap())
            })
            .collect()
    })
}

fn rules() -> CampaignRules {
    CampaignRules {
        stop_on_unknown: false,
        ..CampaignRules::default()
    }
}

fn destination() -> Destination {
    Destination {
        host: "http://127.0.0.1:9/".into(),
        scheme: "1.0".into(),
        access_key_id: Some("LTAI-test".into()),
    }
}

fn credentials() -> Credentials {
    Credentials::new("LTAI-test", "secret-0123456789", None).unwrap()
}

/// What the simulated service does with one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Accepted,
    Throttled,
    Refused,
    Certificate,
    /// The request went out; whether the service processed it is `processed`.
    Lost { processed: bool },
    TimedOut { processed: bool },
    ServerError { processed: bool },
    AbortedInFlight { processed: bool },
}

impl Answer {
    fn pick(rng: &mut Rng, faults: bool) -> Answer {
        if !faults {
            return Answer::Accepted;
        }
        let processed = rng.chance(50);
        match rng.below(13) {
            0..=4 => Answer::Accepted,
            5 | 6 => Answer::Throttled,
            7 => Answer::Refused,
            12 => Answer::Certificate,
            8 => Answer::Lost { processed },
            9 => Answer::TimedOut { processed },
            10 => Answer::ServerError { processed },
            _ => Answer::AbortedInFlight { processed },
        }
    }

    fn processed(self) -> bool {
        match self {
            Answer::Accepted => true,
            Answer::Throttled | Answer::Refused | Answer::Certificate => false,
            Answer::Lost { processed }
            | Answer::TimedOut { processed }
            | Answer::ServerError { processed }
            | Answer::AbortedInFlight { processed } => processed,
        }
    }
}

/// Everything outside the machines: time, the service's record, the journal's store.
struct World {
    rng: Rng,
    now: u64,
    /// Times each recipient was processed by the service.
    processed: Vec<u32>,
    /// The journal as stored.
    store: Vec<String>,
    /// A store that cuts a torn tail off before its first append (the file journal) or not.
    cuts_torn_tail: bool,
    answers: u64,
}

/// How one run (one process) ended.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    Finished,
    Stopped(String),
    Crashed,
    Refused(String),
}

impl World {
    /// One exchange with the service for `batch`: what the transport saw.
    fn exchange(&mut self, batch: &Batch, faults: bool) -> (u16, String, Option<Delivery<'static>>) {
        let answer = Answer::pick(&mut self.rng, faults);
        if answer.processed() {
            for entry in batch.entries() {
                self.processed[entry.index] += 1;
            }
        }
        self.answers += 1;
        match answer {
            Answer::Accepted => {
                let ids: Vec<String> = batch
                    .entries()
                    .iter()
                    .map(|e| format!("\\\"{}{:07}\\\"", self.answers, e.index))
                    .collect();
                let body = format!(
                    r#"{{"ResponseCode":"OK","RequestId":"R{}","MessageIdList":"[{}]","SuccessCount":"{}"}}"#,
                    self.answers,
                    ids.join(","),
                    ids.len()
                );
                (200, body, None)
            }
            Answer::Throttled => (400, r#"{"Code":"Throttling.User","Message":"slow down"}"#.into(), None),
            Answer::Refused => (0, String::new(), Some(Delivery::NotConnected)),
            Answer::Certificate => (0, String::new(), Some(Delivery::CertificateRefused)),
            Answer::Lost { .. } => (0, String::new(), Some(Delivery::ConnectionLost)),
            Answer::TimedOut { .. } => (0, String::new(), Some(Delivery::TimedOut)),
            Answer::ServerError { .. } => (503, "<html>busy</html>".into(), None),
            Answer::AbortedInFlight { .. } => (0, String::new(), Some(Delivery::AbortedInFlight)),
        }
    }
}

/// One send of `batch`, driven like src/wasm/send.rs. Returns the result and whether the process
/// crashed while it was under way (then the result is meaningless).
fn send(
    world: &mut World,
    pacer: &mut Pacer,
    sends: &mut Vec<u64>,
    batch: &Batch,
    faults: bool,
    steps: &mut u64,
    crash_at: u64,
) -> Option<Result<aliyun_globe_sms::BatchOutcome, Error>> {
    let known = KnownSecrets::of_credentials(&credentials());
    let (mut machine, mut action) = Attempts::start(4, true, Safety::SendsMessages);
    let mut resends_allowed = true;
    loop {
        *steps += 1;
        if *steps == crash_at {
            return None;
        }
        action = match action {
            AttemptAction::Sign => {
                let event = if faults && world.rng.chance(2) {
                    AttemptEvent::SigningFailed(Error::SigningFailed)
                } else {
                    AttemptEvent::Signed
                };
                machine.next(event)
            }
            AttemptAction::TakeSlot => {
                world.now += pacer.hold(world.now);
                pacer.mark_sent(world.now);
                sends.push(world.now);
                machine.next(AttemptEvent::SlotTaken)
            }
            AttemptAction::Send => {
                assert!(resends_allowed, "a send after an ambiguous attempt");
                let (status, body, transport) = world.exchange(batch, faults);
                world.now += 1 + world.rng.below(300);
                pacer.mark_finished(world.now);
                let delivery = transport.unwrap_or(Delivery::Answered {
                    status,
                    headers: &[],
                    body: body.as_bytes(),
                });
                let ambiguous = matches!(
                    delivery,
                    Delivery::ConnectionLost | Delivery::TimedOut | Delivery::AbortedInFlight
                ) || status >= 500;
                let next = machine.delivered(delivery, world.rng.unit(), |status, headers, body| {
                    read_batch_response(batch, &known, status, headers, body)
                });
                if ambiguous {
                    resends_allowed = false;
                    assert!(
                        matches!(&next, AttemptAction::Done(r) if matches!(**r, Err(Error::OutcomeUnknown { .. }))),
                        "an ambiguous attempt must end the send as unknown: {next:?}"
                    );
                }
                next
            }
            AttemptAction::Wait { .. } => unreachable!("a paced send waits for a slot"),
            AttemptAction::WaitForSlot { not_before_ms } => {
                let before = world.now;
                pacer.back_off(world.now, not_before_ms);
                world.now += pacer.reserve(world.now);
                assert!(world.now >= before + not_before_ms, "a resend waits for the service");
                let event = if faults && world.rng.chance(3) {
                    AttemptEvent::Aborted
                } else {
                    AttemptEvent::Waited
                };
                machine.next(event)
            }
            AttemptAction::Done(result) => {
                assert!(machine.attempt() <= 4);
                return Some(*result);
            }
        };
    }
}

/// One process: starts or resumes the campaign and drives it until it ends or crashes.
fn run(world: &mut World, size: usize, resume: bool, faults: bool) -> (Ended, Option<Campaign>) {
    let (to, campaign) = &campaigns()[size];
    let crash_at = if faults { 1 + world.rng.below(60) } else { u64::MAX };
    let entries = world.store.clone();
    let (mut machine, mut action) =
        match CampaignRun::start(campaign.clone(), Some(&entries), resume, &destination()) {
            Ok(started) => started,
            Err(error) => return (Ended::Refused(error.code().to_string()), None),
        };
    let mut pacer = Pacer::per_second(1.0);
    let mut sends = Vec::new();
    let mut stored_request: Option<usize> = None;
    let mut appended = false;
    let mut steps = 0;
    let ended = loop {
        steps += 1;
        if steps == crash_at {
            break Ended::Crashed;
        }
        if faults && world.rng.chance(1) {
            machine.abort();
        }
        action = match action {
            CampaignAction::WriteJournal(entry) => {
                assert!(entry.ends_with('\n'));
                if !appended && world.cuts_torn_tail {
                    if let Some(last) = world.store.last() {
                        if !last.ends_with('\n') {
                            world.store.pop();
                        }
                    }
                }
                appended = true;
                let is_request = entry.contains("\"request\":");
                let roll = if faults { world.rng.below(100) } else { 99 };
                match roll {
                    // Crash in the middle of the append: torn, or whole but never confirmed.
                    0..=1 => {
                        let cut = world.rng.below(entry.len() as u64 - 1) as usize;
                        world.store.push(entry[..cut].to_string());
                        break Ended::Crashed;
                    }
                    2 => {
                        world.store.push(entry);
                        break Ended::Crashed;
                    }
                    // The store fails: nothing stored, or stored and the error reported anyway.
                    3 => machine.next(CampaignEvent::JournalFailed),
                    4 => {
                        world.store.push(entry);
                        machine.next(CampaignEvent::JournalFailed)
                    }
                    _ => {
                        if is_request {
                            let k: usize = entry
                                .split("\"request\":")
                                .nth(1)
                                .and_then(|r| r.split(',').next())
                                .and_then(|k| k.parse().ok())
                                .unwrap();
                            stored_request = Some(k);
                        }
                        world.store.push(entry);
                        machine.next(CampaignEvent::JournalWritten)
                    }
                }
            }
            CampaignAction::WaitForSlot => {
                world.now += pacer.reserve_to_prepare(world.now);
                machine.next(CampaignEvent::SlotReached)
            }
            CampaignAction::Send(k) => {
                assert_eq!(stored_request.take(), Some(k), "request {k} sent before its journal entry was stored");
                let indexes = machine.campaign().request_indexes(k).to_vec();
                let texts: Vec<String> = indexes.iter().map(|i| to[*i as usize].clone()).collect();
                let batch = machine
                    .campaign()
                    .batch(k, &texts, &Messages::One("Your code is 4821".into()))
                    .unwrap();
                match send(world, &mut pacer, &mut sends, &batch, faults, &mut steps, crash_at) {
                    Some(result) => machine.next(CampaignEvent::Sent(Box::new(result))),
                    None => break Ended::Crashed,
                }
            }
            CampaignAction::ReportProgress => {
                let p = machine.campaign().progress(0);
                assert_eq!(p.counts.sent + p.counts.failed + p.counts.rejected + p.counts.unknown + p.counts.skipped + p.pending, size_of(size));
                machine.next(CampaignEvent::Reported)
            }
            CampaignAction::Finish => break Ended::Finished,
            CampaignAction::Stop { error, .. } => break Ended::Stopped(error.code().to_string()),
        };
    };
    // Sends within one process keep the pace.
    let interval = pacer.interval_ms();
    for pair in sends.windows(2) {
        assert!(pair[1] - pair[0] >= interval, "two sends {} ms apart", pair[1] - pair[0]);
    }
    // A process restarts later than a pacer interval.
    world.now += 2000;
    if ended == Ended::Crashed {
        return (ended, None);
    }
    (ended, Some(machine.campaign().clone()))
}

fn size_of(size: usize) -> usize {
    SIZES[size]
}

/// The ledger of an ended run against the world.
fn check_ledger(world: &World, campaign: &Campaign, to: &[String]) {
    let ledger = aliyun_globe_sms::ledger::rows(campaign, to);
    assert_eq!(ledger.recipients.len(), to.len());
    let c = ledger.counts;
    assert_eq!(c.sent + c.failed + c.rejected + c.unknown + c.skipped, to.len(), "every recipient in exactly one state");
    for row in &ledger.recipients {
        let processed = world.processed[row.index];
        assert!(processed <= 1, "recipient {} processed {processed} times", row.index);
        match row.state {
            "sent" => assert_eq!(processed, 1, "recipient {} is sent but was not processed", row.index),
            "unknown" => {}
            state => assert_eq!(processed, 0, "recipient {} is {state} but was processed", row.index),
        }
    }
}

fn simulate(seed: u64, size: usize, runs: usize, cuts_torn_tail: bool) {
    let (to, _) = &campaigns()[size];
    let mut world = World {
        rng: Rng(seed),
        now: 1_000_000,
        processed: vec![0; to.len()],
        store: Vec::new(),
        cuts_torn_tail,
        answers: 0,
    };
    let mut started = false;
    for n in 0..=runs {
        let last = n == runs;
        let (ended, campaign) = run(&mut world, size, started, !last);
        for count in &world.processed {
            assert!(*count <= 1, "a recipient processed twice (run {n}: {ended:?})");
        }
        match &ended {
            Ended::Refused(code) => {
                // Only a journal without a complete header may refuse a resume, and then nothing
                // was sent under it.
                assert_eq!(code, "JOURNAL_EMPTY", "run {n}: {:#?}", world.store.iter().map(|e| e.chars().take(70).collect::<String>()).collect::<Vec<_>>());
                assert!(world.processed.iter().all(|c| *c == 0));
                started = false;
                continue;
            }
            Ended::Crashed => {}
            Ended::Finished | Ended::Stopped(_) => {
                check_ledger(&world, campaign.as_ref().unwrap(), to);
            }
        }
        // Once a header is stored, the next process resumes.
        started = started || world.store.iter().any(|e| e.ends_with('\n'));
        if last {
            assert_eq!(ended, Ended::Finished, "a run without faults finishes");
            let campaign = campaign.unwrap();
            assert_eq!(campaign.counts().skipped, 0, "nothing left unsent after a clean run");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn no_double_send_across_crashes_faults_and_resumes(
        seed in any::<u64>(),
        size in 0..SIZES.len(),
        runs in 0usize..6,
        cuts_torn_tail in any::<bool>(),
    ) {
        simulate(seed, size, runs, cuts_torn_tail);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// The attempts machine alone: any mix of answers ends within the attempts allowed, resends
    /// only what provably was not processed, and aborts only where nothing is in flight.
    #[test]
    fn attempts_resend_only_what_was_not_processed(seed in any::<u64>(), max in 1u32..6, paced in any::<bool>()) {
        let (to, campaign) = &campaigns()[1];
        let texts: Vec<String> = campaign.request_indexes(0).iter().map(|i| to[*i as usize].clone()).collect();
        let batch = campaign.batch(0, &texts, &Messages::One("Your code is 4821".into())).unwrap();
        let mut world = World { rng: Rng(seed), now: 0, processed: vec![0; to.len()], store: Vec::new(), cuts_torn_tail: false, answers: 0 };
        let known = KnownSecrets::of_credentials(&credentials());
        let (mut machine, mut action) = Attempts::start(max, paced, Safety::SendsMessages);
        let mut sends = 0;
        loop {
            action = match action {
                AttemptAction::Sign | AttemptAction::TakeSlot if world.rng.chance(5) => {
                    let done = machine.next(AttemptEvent::Aborted);
                    prop_assert!(matches!(&done, AttemptAction::Done(r) if **r == Err(Error::Aborted)));
                    done
                }
                AttemptAction::Sign => machine.next(AttemptEvent::Signed),
                AttemptAction::TakeSlot => {
                    prop_assert!(paced);
                    machine.next(AttemptEvent::SlotTaken)
                }
                AttemptAction::Send => {
                    sends += 1;
                    let (status, body, transport) = world.exchange(&batch, true);
                    let delivery = transport.unwrap_or(Delivery::Answered { status, headers: &[], body: body.as_bytes() });
                    machine.delivered(delivery, world.rng.unit(), |status, headers, body| read_batch_response(&batch, &known, status, headers, body))
                }
                AttemptAction::Wait { ms } => {
                    prop_assert!(!paced && ms >= 1);
                    machine.next(AttemptEvent::Waited)
                }
                AttemptAction::WaitForSlot { not_before_ms } => {
                    prop_assert!(paced && not_before_ms >= 1);
                    machine.next(AttemptEvent::Waited)
                }
                AttemptAction::Done(_) => break,
            };
        }
        prop_assert!(sends <= max);
        prop_assert!(world.processed.iter().all(|c| *c <= 1), "processed twice");
    }
}

/// A whole journal of the 3,503-recipient campaign, every request sent (made once).
fn whole_journal() -> &'static Vec<String> {
    static JOURNAL: OnceLock<Vec<String>> = OnceLock::new();
    JOURNAL.get_or_init(make_whole_journal)
}

fn make_whole_journal() -> Vec<String> {
    let mut world = World {
        rng: Rng(7),
        now: 0,
        processed: vec![0; SIZES[5]],
        store: Vec::new(),
        cuts_torn_tail: false,
        answers: 0,
    };
    let (ended, _) = run(&mut world, 5, false, false);
    assert_eq!(ended, Ended::Finished);
    world.store
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// A lost line, two lines swapped, or any byte of any line flipped: refused, except the last
    /// line's newline (that is a torn tail, and reads as the journal without that line).
    #[test]
    fn any_damage_to_a_journal_is_refused(kind in 0u8..3, line in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let entries = whole_journal();
        let (_, campaign) = &campaigns()[5];
        let resume = |entries: &[String]| {
            let mut c = campaign.clone();
            aliyun_globe_sms::journal::read(entries).and_then(|j| c.resume(&j, &destination())).map(|()| c.counts())
        };
        prop_assert!(resume(entries).is_ok());
        let mut damaged = entries.clone();
        let n = line.index(entries.len());
        let torn_tail = match kind {
            0 => {
                prop_assume!(n + 1 < entries.len());
                damaged.remove(n);
                false
            }
            1 => {
                prop_assume!(n + 1 < entries.len());
                damaged.swap(n, n + 1);
                false
            }
            _ => {
                let mut bytes = damaged[n].clone().into_bytes();
                let i = at.index(bytes.len());
                bytes[i] ^= 1 << bit;
                let text = String::from_utf8(bytes);
                prop_assume!(text.is_ok());
                damaged[n] = text.unwrap();
                // Only the last line's newline, flipped, makes a torn tail.
                n + 1 == entries.len() && !damaged[n].ends_with('\n')
            }
        };
        match resume(&damaged) {
            Ok(counts) => {
                prop_assert!(torn_tail, "damage accepted: kind {kind}, line {n}");
                prop_assert_eq!(Ok(counts), resume(&entries[..entries.len() - 1]));
            }
            Err(error) => prop_assert!(
                matches!(error, Error::JournalCorrupt { .. } | Error::JournalMismatch { .. }),
                "{error:?}"
            ),
        }
    }
}
