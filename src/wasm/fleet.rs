//! `sendCampaign` with the `fleet` option: one campaign worked by many processes through a
//! shared store (pkg-template/redis.js). The worker's order of operations — open, read, the
//! account's slot, claim, mark, send, outcome — is the core's machine (src/fleet_run.rs); this only
//! performs each action on the caller's store, reads its replies into plain values, and hands
//! them back. What a reply proves is decided by src/fleet.rs.

use wasm_bindgen::JsValue;

use crate::error::Error;
use crate::fleet::{Fleet, StoreRead};
use crate::fleet_run::{FleetAction, FleetEvent, FleetRun};

use super::campaign::{destination, report, send_request, with_ledger, Prepared};
use super::input;
use super::ledger;
use super::output::thrown;
use super::send::{self, Pace};
use super::store;
use super::transport;

/// How long a claim holds unless `fleet.leaseMs` says otherwise: the mark's round trip and the
/// request's send (10 s by default, a few attempts with throttling waits); the slot is taken
/// before the claim (src/fleet_run.rs), so it does not grow with the fleet.
const DEFAULT_LEASE_MS: u64 = 60_000;

/// The caller's store (`FleetStore` in src/wasm/types.d.ts).
struct Store {
    js: JsValue,
}

/// The items of a store's reply when it is an array, read through the safe reader
/// (src/wasm/read.js): a client's reply is not trusted to be a plain array (`Array.isArray`
/// throws on a revoked Proxy, `Array.from` runs its iterator). `None` for any other shape, or
/// more than `max` items.
fn items(value: &JsValue, max: usize) -> Option<Vec<JsValue>> {
    if super::input::kind(value) != "array" {
        return None;
    }
    let length = super::input::property(value, "length").ok()?.as_f64()?;
    if !(length >= 0.0 && length <= max as f64 && length.fract() == 0.0) {
        return None;
    }
    (0..length as usize)
        .map(|i| super::input::property(value, &i.to_string()).ok())
        .collect()
}

/// `[[field, text], ...]` as pairs of strings; `None` for any other shape.
fn pairs(value: &JsValue, max: usize) -> Option<Vec<(String, String)>> {
    items(value, max)?
        .iter()
        .map(|pair| match items(pair, 2)?.as_slice() {
            [field, text] => Some((field.as_string()?, text.as_string()?)),
            _ => None,
        })
        .collect()
}

impl Store {
    /// One call; `None` when the store did not answer (or its client threw).
    async fn call(&self, name: &str, args: &[JsValue]) -> Option<JsValue> {
        store::call(&self.js, name, args).await.ok()
    }

    /// What the store holds: `Err(())` no answer, `Ok(None)` a reply of another shape.
    async fn read(&self, key: &JsValue, most: usize) -> Result<Option<StoreRead>, ()> {
        let value = self.call("read", std::slice::from_ref(key)).await.ok_or(())?;
        let head = match input::property(&value, "head") {
            Ok(head) if head.is_null() || head.is_undefined() => None,
            Ok(head) => match head.as_string() {
                Some(head) => Some(head),
                None => return Ok(None),
            },
            Err(()) => return Ok(None),
        };
        let field = |name: &str| input::property(&value, name).ok().and_then(|list| pairs(&list, most));
        Ok(match (field("marks"), field("outcomes")) {
            (Some(marks), Some(outcomes)) => Some(StoreRead { head, marks, outcomes }),
            _ => None,
        })
    }
}

/// The fleet options: `fleet.id` (required) and `fleet.leaseMs`.
fn fleet_options(js: &JsValue) -> Result<(String, u64), Error> {
    let invalid = |field: &str, message: &str| Error::InvalidOption {
        field: field.to_string(),
        message: message.to_string(),
    };
    let id = input::property(js, "id")
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| invalid("fleet.id", "must be a string naming the campaign, the same in every worker"))?;
    let lease = match input::property(js, "leaseMs") {
        Ok(v) if v.is_undefined() || v.is_null() => DEFAULT_LEASE_MS,
        Ok(v) => match v.as_f64() {
            Some(ms) if ms.is_finite() && ms.fract() == 0.0 && ms >= 0.0 => ms as u64,
            _ => return Err(invalid("fleet.leaseMs", "must be a whole number of milliseconds")),
        },
        Err(()) => return Err(invalid("fleet.leaseMs", "could not be read")),
    };
    Ok((id, lease))
}

pub async fn run(prepared: Prepared, js: JsValue) -> Result<JsValue, JsValue> {
    let Prepared {
        source,
        settings,
        campaigning,
        on_progress,
        campaign,
        signing,
        ..
    } = prepared;
    let destination = destination(&settings, &signing);
    let (id, lease_ms) = fleet_options(&js).map_err(thrown)?;
    // This run's name in claims and marks: random, so a restarted worker is a new owner whose
    // predecessor's claims end with their leases.
    let owner = transport::nonce();
    let fleet = Fleet::new(&campaign, &destination, &id, &owner, lease_ms).map_err(thrown)?;
    let store = Store { js };
    let key = JsValue::from_str(fleet.key());
    let owner = JsValue::from_str(fleet.owner());
    let lease = JsValue::from_f64(fleet.lease_ms() as f64);
    let requests = fleet.requests();
    let (mut run, mut action) = FleetRun::start(fleet, campaign, &destination);

    // Performs what the core decides (src/fleet_run.rs), and tells it what happened.
    let pace = Pace::new(signing.pace_key(), campaigning.qps).shared(settings.pacer.clone());
    let signal = settings.signal.as_ref();
    let aborted = || signal.is_some_and(|s| s.aborted());
    let mut last_failure = None;
    loop {
        if aborted() {
            run.abort();
        }
        let number = |reply: Option<JsValue>| reply.map(|r| store::number(&r));
        action = match action {
            FleetAction::Open(head) => match store.call("open", &[key.clone(), JsValue::from_str(&head)]).await {
                Some(stored) => run.next(FleetEvent::Opened(stored.as_string())),
                None => run.next(FleetEvent::StoreUnavailable),
            },
            FleetAction::Read => match store.read(&key, requests).await {
                Ok(read) => run.next(FleetEvent::Read(read)),
                Err(()) => run.next(FleetEvent::StoreUnavailable),
            },
            FleetAction::ReportProgress => {
                report(on_progress.as_ref(), run.campaign(), pace.eta_ms(run.campaign().requests_left()));
                run.next(FleetEvent::Reported)
            }
            FleetAction::Claim => {
                let args = [key.clone(), JsValue::from_f64(requests as f64), owner.clone(), lease.clone()];
                match store.call("claim", &args).await {
                    // A claim is two numbers; any other shape is refused by `Fleet::claim`.
                    Some(reply) => run.next(FleetEvent::Claimed(
                        items(&reply, 2)
                            .map(|items| items.iter().map(store::number).collect())
                            .unwrap_or_default(),
                    )),
                    None => run.next(FleetEvent::StoreUnavailable),
                }
            }
            FleetAction::Wait(ms) => {
                if transport::sleep(ms, signal).await.is_err() {
                    run.abort();
                }
                run.next(FleetEvent::Waited)
            }
            FleetAction::WaitForSlot => {
                // The account's slot, before the claim: a worker queueing holds no request.
                let slot = match transport::sleep(pace.reserve_to_prepare(), signal).await {
                    Ok(()) => pace.take_slot_ahead(signal).await,
                    Err(()) => Err(Error::Aborted),
                };
                match slot {
                    Ok(()) => run.next(FleetEvent::SlotReached),
                    Err(Error::Aborted) => {
                        run.abort();
                        run.next(FleetEvent::SlotReached)
                    }
                    Err(error) => run.next(FleetEvent::SlotFailed(error)),
                }
            }
            FleetAction::Release(k) => {
                // A store without `release` (one of the caller's own), or one that fails here,
                // leaves the claim to end with its lease.
                let _ = store.call("release", &[key.clone(), JsValue::from_f64(k as f64), owner.clone()]).await;
                run.next(FleetEvent::Released)
            }
            FleetAction::Mark { request, entry } => {
                let args = [key.clone(), JsValue::from_f64(request as f64), owner.clone(), JsValue::from_str(&entry), lease.clone()];
                match number(store.call("mark", &args).await) {
                    Some(reply) => run.next(FleetEvent::Marked(reply)),
                    None => run.next(FleetEvent::StoreUnavailable),
                }
            }
            FleetAction::Send(k) => {
                let result = send_request(run.campaign(), k, &source, &signing, &settings, &pace, &mut last_failure).await;
                run.next(FleetEvent::Sent(Box::new(result)))
            }
            FleetAction::Unmark { request, mark } => {
                let args = [key.clone(), JsValue::from_f64(request as f64), JsValue::from_str(&mark)];
                match number(store.call("unmark", &args).await) {
                    Some(reply) => run.next(FleetEvent::Unmarked(reply)),
                    None => run.next(FleetEvent::StoreUnavailable),
                }
            }
            FleetAction::Finish { request, mark, outcome } => {
                let args = [key.clone(), JsValue::from_f64(request as f64), JsValue::from_str(&mark), JsValue::from_str(&outcome)];
                match number(store.call("finish", &args).await) {
                    Some(reply) => run.next(FleetEvent::Finished(reply)),
                    None => run.next(FleetEvent::StoreUnavailable),
                }
            }
            // Nothing left to claim: the whole campaign's ledger, as the store has it.
            FleetAction::Done => return Ok(ledger::result(run.campaign(), &source)),
            FleetAction::Refuse(error) => return Err(thrown(error)),
            FleetAction::Stop { error, request_failed } => {
                let value = match last_failure.take() {
                    // A signer's own error reaches the caller as it threw it, with the ledger.
                    Some(send::Failure::Thrown(value)) if request_failed => value,
                    _ => thrown(error),
                };
                return Err(with_ledger(value, run.campaign(), &source));
            }
        };
    }
}

/// `readFleetCampaign`: the ledger of a fleet campaign as its store has it, without sending
/// (a reader beside the workers: progress, or the result after a worker died).
pub async fn read(prepared: Prepared) -> Result<JsValue, JsValue> {
    let Prepared {
        source,
        settings,
        campaign,
        signing,
        fleet,
        ..
    } = prepared;
    let Some(js) = fleet else {
        return Err(thrown(Error::InvalidOption {
            field: "fleet".to_string(),
            message: "readFleetCampaign needs the campaign's fleet store".to_string(),
        }));
    };
    let destination = destination(&settings, &signing);
    let (id, lease_ms) = fleet_options(&js).map_err(thrown)?;
    let fleet = Fleet::new(&campaign, &destination, &id, "reader", lease_ms).map_err(thrown)?;
    let store = Store { js };
    let read = match store.read(&JsValue::from_str(fleet.key()), fleet.requests()).await {
        Ok(Some(read)) => read,
        Ok(None) => return Err(thrown(crate::fleet::UNREADABLE)),
        Err(()) => return Err(thrown(Error::FleetUnavailable { before_send: true })),
    };
    let mut all = fleet.ledger(&campaign, &destination, &read, false).map_err(thrown)?;
    // What no worker has sent yet is `skipped`, as in a stopped worker's ledger, so the counts
    // add up to the rows.
    all.skip_remaining();
    Ok(ledger::result(&all, &source))
}
