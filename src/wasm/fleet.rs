//! `sendCampaign` with the `fleet` option: one campaign worked by many processes through a
//! shared store (pkg-template/redis.js). This performs the store calls in the order the rules of
//! src/fleet.rs need — claim, the account's slot, mark, send, outcome — and hands every reply to
//! the core, which says what it proves; the campaign (`src/campaign.rs`) decides every fate and
//! entry, as for one process.

use wasm_bindgen::JsValue;

use crate::campaign::Campaign;
use crate::error::Error;
use crate::fleet::{Claim, Fleet};
use crate::journal::Destination;

use super::campaign::{destination, report, with_ledger, Prepared};
use super::input;
use super::ledger;
use super::output::thrown;
use super::send::{self, Pace};
use super::source::Source;
use super::store;
use super::transport;

/// How long a claim holds unless `fleet.leaseMs` says otherwise: longer than a request's wait
/// for its slot in a fleet of dozens at 1 call/s, plus its sending (10 s by default).
const DEFAULT_LEASE_MS: u64 = 60_000;

/// The store and the core's view of it.
struct Store {
    js: JsValue,
    fleet: Fleet,
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
    /// One call; a store that does not answer is `FLEET_UNAVAILABLE`.
    async fn call(&self, name: &str, args: &[JsValue], before_send: bool) -> Result<JsValue, Error> {
        store::call(&self.js, name, args)
            .await
            .map_err(|()| Error::FleetUnavailable { before_send })
    }

    fn key(&self) -> JsValue {
        JsValue::from_str(self.fleet.key())
    }

    /// The marks and outcomes the store holds (its header, when it has one, checked first).
    async fn read(&self) -> Result<(Vec<(String, String)>, Vec<(String, String)>), Error> {
        let value = self.call("read", &[self.key()], true).await?;
        match input::property(&value, "head") {
            Ok(head) if head.is_null() || head.is_undefined() => {}
            Ok(head) => match head.as_string() {
                Some(head) => self.fleet.check_head(&head)?,
                None => {
                    return Err(Error::FleetUntrusted {
                        reply: "a read reply whose header is not a string",
                    })
                }
            },
            Err(()) => return Err(Error::FleetUnavailable { before_send: true }),
        }
        let most = self.fleet.requests();
        let field = |name: &str| input::property(&value, name).ok().and_then(|list| pairs(&list, most));
        match (field("marks"), field("outcomes")) {
            (Some(marks), Some(outcomes)) => Ok((marks, outcomes)),
            _ => Err(Error::FleetUntrusted {
                reply: "a read reply without lists of [field, entry] marks and outcomes",
            }),
        }
    }

    /// The campaign as the store has it: `planned` with every stored entry applied.
    async fn ledger(&self, planned: &Campaign, destination: &Destination) -> Result<Campaign, Error> {
        let (marks, outcomes) = self.read().await?;
        let mut campaign = planned.clone();
        self.fleet.apply(&mut campaign, destination, &marks, &outcomes)?;
        Ok(campaign)
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
    let store = Store { js, fleet };
    let planned = campaign;

    // The campaign's header: the first worker stores it, the others check it. Then what the
    // store holds is read and checked before anything is sent.
    let head = JsValue::from_str(store.fleet.head());
    let stored = store.call("open", &[store.key(), head], true).await.map_err(thrown)?;
    let stored = stored.as_string().ok_or(Error::FleetUntrusted {
        reply: "an open reply that is not the stored header",
    });
    stored
        .and_then(|stored| store.fleet.check_head(&stored))
        .map_err(thrown)?;
    let mut campaign = store.ledger(&planned, &destination).await.map_err(thrown)?;

    let pace = Pace::new(signing.pace_key(), campaigning.qps).shared(settings.pacer.clone());
    let signal = settings.signal.as_ref();
    let aborted = || signal.is_some_and(|s| s.aborted());
    let stop = |error: JsValue, campaign: &mut Campaign, source: &Source| {
        campaign.skip_remaining();
        Err(with_ledger(error, campaign, source))
    };
    report(on_progress.as_ref(), &campaign, 0);
    let requests = JsValue::from_f64(planned.requests_total() as f64);
    let owner = JsValue::from_str(store.fleet.owner());
    let lease = JsValue::from_f64(store.fleet.lease_ms() as f64);
    loop {
        if aborted() {
            return stop(thrown(Error::Aborted), &mut campaign, &source);
        }
        let reply = match store
            .call("claim", &[store.key(), requests.clone(), owner.clone(), lease.clone()], true)
            .await
        {
            Ok(reply) => reply,
            Err(error) => return stop(thrown(error), &mut campaign, &source),
        };
        // A claim is two numbers; any other shape is refused by `Fleet::claim`.
        let numbers: Vec<f64> = items(&reply, 2)
            .map(|items| items.iter().map(store::number).collect())
            .unwrap_or_default();
        let k = match store.fleet.claim(&numbers) {
            Ok(Claim::Done) => break,
            Ok(Claim::Wait(ms)) => {
                if transport::sleep(ms, signal).await.is_err() {
                    return stop(thrown(Error::Aborted), &mut campaign, &source);
                }
                continue;
            }
            Ok(Claim::Request(k)) => k,
            Err(error) => return stop(thrown(error), &mut campaign, &source),
        };

        // The account's slot, then the mark (only while the claim holds), then the send.
        let slot = match transport::sleep(pace.reserve_to_prepare(), signal).await {
            Ok(()) => pace.take_slot_ahead(signal).await,
            Err(()) => Err(Error::Aborted),
        };
        if let Err(error) = slot {
            return stop(thrown(error), &mut campaign, &source);
        }
        let mark = store.fleet.mark(k, &campaign.mark_written(k));
        let args = [store.key(), JsValue::from_f64(k as f64), owner.clone(), JsValue::from_str(&mark), lease.clone()];
        let marked = match store.call("mark", &args, true).await {
            Ok(reply) => store.fleet.marked(store::number(&reply)),
            Err(error) => Err(error),
        };
        match marked {
            Ok(true) => {}
            // The claim was lost (its lease ended while this worker waited or was stopped):
            // another worker may hold it now. Not sent; claim again.
            Ok(false) => continue,
            Err(error) => return stop(thrown(error), &mut campaign, &source),
        }

        let indexes = campaign.request_indexes(k).to_vec();
        let (to, messages, _) = source.part(indexes.iter().map(|i| *i as usize));
        let mut failure = None;
        let result = match campaign.batch(k, &to, &messages) {
            Ok(batch) => match send::send_batch(&batch, &signing, &settings, Some(&pace)).await {
                Ok(outcome) => Ok(outcome),
                Err(f) => {
                    let error = f.as_core();
                    failure = Some(f);
                    Err(error)
                }
            },
            Err(error) => Err(error),
        };
        let recorded = campaign.record(k, &result);
        let outcome = store.fleet.outcome(k, &mark, &recorded.entry);
        let args = [store.key(), JsValue::from_f64(k as f64), JsValue::from_str(&mark), JsValue::from_str(&outcome)];
        let finished = match store.call("finish", &args, false).await {
            Ok(reply) => store.fleet.finished(store::number(&reply)),
            Err(error) => Err(error),
        };
        if let Err(error) = finished {
            return stop(thrown(error), &mut campaign, &source);
        }
        report(on_progress.as_ref(), &campaign, pace.eta_ms(campaign.requests_left()));
        if recorded.stop {
            let value = match (failure, result) {
                // A signer's own error reaches the caller as it threw it, with the ledger.
                (Some(send::Failure::Thrown(value)), _) => value,
                (_, Err(error)) => thrown(error),
                (_, Ok(_)) => thrown(Error::Aborted),
            };
            return stop(value, &mut campaign, &source);
        }
    }

    // Nothing left to claim: the whole campaign's ledger, as the store has it.
    match store.ledger(&planned, &destination).await {
        Ok(mut all) => {
            all.skip_remaining();
            Ok(ledger::result(&all, &source))
        }
        Err(error) => stop(thrown(error), &mut campaign, &source),
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
    let store = Store { js, fleet };
    let all = store.ledger(&campaign, &destination).await.map_err(thrown)?;
    Ok(ledger::result(&all, &source))
}
