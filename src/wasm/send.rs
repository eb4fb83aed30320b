//! The attempt loop shared by `batchSend` and campaigns: sign with a fresh time and nonce, send,
//! ask the core what to do, wait if told to. Campaigns also take a slot from the account's pacer
//! before every attempt.

use std::cell::{Cell, RefCell};

use js_sys::{Array, Function};
use wasm_bindgen::JsValue;

use crate::batch::Batch;
use crate::error::Error;
use crate::fleet;
use crate::pacer::Pacer;
use crate::request::{self, SignedRequest, SigningContext};
use crate::redact::KnownSecrets;
use crate::response::BatchOutcome;
use crate::attempts::{AttemptAction, AttemptEvent, Attempts};
use crate::response::read_batch_response;
use crate::retry::{Attempted, Safety};
use crate::Credentials;

use super::input;
use super::options::{self, SendSettings};
use super::store;
use super::transport;

thread_local! {
    // One pacer per AccessKeyId for the whole module instance: every campaign in the process
    // (one wasm instance) that uses the same key shares the account's rate.
    static PACERS: RefCell<Vec<(String, Pacer)>> = const { RefCell::new(Vec::new()) };
}

/// A key's pacer, at `calls_per_second`; with `shared`, the key's pace across processes too.
#[derive(Debug, Clone)]
pub struct Pace {
    key: String,
    calls_per_second: f64,
    shared: Option<JsValue>,
    /// A slot taken ahead (`take_slot_ahead`) that the next send uses.
    taken: Cell<bool>,
    /// When the shared pacer's go-ahead for the next send was asked (monotonic ms).
    asked_at: Cell<Option<u64>>,
}

impl Pace {
    pub fn new(key: &str, calls_per_second: f64) -> Pace {
        Pace {
            key: key.to_string(),
            calls_per_second,
            shared: None,
            taken: Cell::new(false),
            asked_at: Cell::new(None),
        }
    }

    /// Takes every slot from `pacer` as well (the `pacer` option: other processes send for the
    /// same account), after this process's own.
    pub fn shared(mut self, pacer: Option<JsValue>) -> Pace {
        self.shared = pacer;
        self
    }

    fn with<R>(&self, f: impl FnOnce(&mut Pacer) -> R) -> R {
        PACERS.with(|cell| {
            let mut pacers = cell.borrow_mut();
            let rate = Pacer::per_second(self.calls_per_second);
            let at = match pacers.iter().position(|(k, _)| *k == self.key) {
                Some(at) => at,
                None => {
                    pacers.push((self.key.clone(), rate.clone()));
                    pacers.len() - 1
                }
            };
            match pacers.get_mut(at) {
                Some((_, pacer)) => {
                    pacer.set_interval_from(&rate);
                    f(pacer)
                }
                // Unreachable: `at` was found or pushed just now.
                None => f(&mut rate.clone()),
            }
        })
    }

    /// Milliseconds to wait before preparing the request for the next slot, which is taken
    /// (`Pacer::reserve_to_prepare`: a little before the slot; the send is held to it).
    pub fn reserve_to_prepare(&self) -> u64 {
        self.with(|p| p.reserve_to_prepare(transport::monotonic_ms()))
    }

    /// Waits until a send now would be at least one interval after the previous one, then
    /// marks it sent. Nothing else runs between the check and the mark (one thread), so
    /// concurrent campaigns on one key never send closer than the interval.
    ///
    /// With a shared pacer, the process's own hold comes first, then the shared slot: the store
    /// reserves it atomically (src/fleet.rs says what a reply may be), and the wait for it ends
    /// right before the send. A store that fails or answers nonsense ends the send before
    /// anything leaves.
    pub async fn hold_and_mark(&self, signal: Option<&web_sys::AbortSignal>) -> Result<(), Error> {
        if !self.taken.replace(false) {
            self.wait_for_slot(signal).await?;
        }
        self.go_ahead(signal).await?;
        self.with(|p| p.mark_sent(transport::monotonic_ms()));
        Ok(())
    }

    /// Waits for the slot now, for the next send (`hold_and_mark` then does not wait for it
    /// again): a fleet campaign marks its request in the store between the slot and the send,
    /// so a worker that dies waiting for its slot leaves the request unmarked, to be taken
    /// over, rather than `unknown`.
    pub async fn take_slot_ahead(&self, signal: Option<&web_sys::AbortSignal>) -> Result<(), Error> {
        self.wait_for_slot(signal).await?;
        self.taken.set(true);
        Ok(())
    }

    fn shared_args(&self) -> [JsValue; 2] {
        let interval = self.with(|p| p.interval_ms() + fleet::SHARED_MARGIN_MS);
        [
            JsValue::from_str(&fleet::pace_key(&self.key)),
            JsValue::from_f64(interval as f64),
        ]
    }

    /// The process's own hold, then with a shared pacer the slot reserved in the queue of every
    /// process sharing the key, waited for.
    async fn wait_for_slot(&self, signal: Option<&web_sys::AbortSignal>) -> Result<(), Error> {
        loop {
            let hold = self.with(|p| p.hold(transport::monotonic_ms()));
            if hold == 0 {
                break;
            }
            transport::sleep(hold, signal)
                .await
                .map_err(|()| Error::Aborted)?;
        }
        if let Some(pacer) = &self.shared {
            if self.with(|p| p.sends()) == 0 {
                transport::warm_up();
            }
            let reply = store::call(pacer, "take", &self.shared_args())
                .await
                .map_err(|()| Error::FleetUnavailable { before_send: true })?;
            let wait = fleet::slot_wait(store::number(&reply))?;
            transport::sleep(wait, signal)
                .await
                .map_err(|()| Error::Aborted)?;
        }
        Ok(())
    }

    /// With a shared pacer, right before the bytes leave: the send is recorded in the store only
    /// once the previous one is an interval old, else waited for. It is asked here, after a
    /// fleet's mark (a write Redis fsyncs, which can take a loaded disk hundreds of
    /// milliseconds), not at the slot: recorded at the slot, a send delayed by its mark reached
    /// the service that much later than recorded, and the next process's on-time send followed
    /// it closer than the interval (the fleet test saw 716 ms). Each wait is bounded: a store
    /// that keeps answering "wait" is not one to trust.
    async fn go_ahead(&self, signal: Option<&web_sys::AbortSignal>) -> Result<(), Error> {
        let Some(pacer) = &self.shared else {
            return Ok(());
        };
        let args = self.shared_args();
        for _ in 0..fleet::MAX_SLOT_REPLIES {
            let asked = transport::monotonic_ms();
            let reply = store::call(pacer, "send", &args)
                .await
                .map_err(|()| Error::FleetUnavailable { before_send: true })?;
            let wait = fleet::slot_wait(store::number(&reply))?;
            if wait == 0 {
                self.asked_at.set(Some(asked));
                return Ok(());
            }
            transport::sleep(wait, signal)
                .await
                .map_err(|()| Error::Aborted)?;
        }
        Err(Error::FleetUntrusted {
            reply: "a pacer that never let a send go",
        })
    }

    /// The service asked for `not_before_ms` before a resend: no call before then, and the
    /// account's next slot after it. Milliseconds to wait. A shared pacer is told too, so every
    /// process sharing the account waits (its failure ends the send: nothing is in flight).
    pub async fn back_off_and_reserve(&self, not_before_ms: u64) -> Result<u64, Error> {
        if let Some(pacer) = &self.shared {
            let interval = self.with(|p| p.interval_ms() + fleet::SHARED_MARGIN_MS);
            let args = [
                JsValue::from_str(&fleet::pace_key(&self.key)),
                JsValue::from_f64(not_before_ms as f64),
                JsValue::from_f64(interval as f64),
            ];
            store::call(pacer, "penalize", &args)
                .await
                .map_err(|()| Error::FleetUnavailable { before_send: true })?;
        }
        Ok(self.with(|p| {
            let now = transport::monotonic_ms();
            p.back_off(now, not_before_ms);
            p.reserve(now)
        }))
    }

    /// The request is about to leave (its fetch is called next, before anything else runs).
    /// With a shared pacer, a send leaving later than `fleet::LATE_MS` after its go-ahead was
    /// asked is reported: the store recorded it when it said "go", and a process that was slow
    /// to see that reply (descheduled, a pause) sends later than recorded, so the next
    /// process's on-time send would follow it closer than the interval (bench/fleet.mjs traced
    /// a reply seen 27 ms after Redis recorded it, and the next send 988 ms after it). The
    /// report is started here and made once the fetch has been called (a task queued behind
    /// this one), so the store's "left by now" is after it; nothing waits for it. What it cannot
    /// see: time spent after the fetch is called (a new connection's TCP and TLS handshakes, on
    /// the real service when a process sends less often than its runtime keeps connections
    /// alive), and a pause longer than the interval, after which the next process may already
    /// have gone. The margin covers the first; either ends in a throttled call, refused before
    /// processing and sent again, never in a double send.
    pub fn leaving(&self) {
        let (Some(pacer), Some(asked)) = (&self.shared, self.asked_at.take()) else {
            return;
        };
        if fleet::left_late(asked, transport::monotonic_ms()) {
            let pacer = pacer.clone();
            let key = [JsValue::from_str(&fleet::pace_key(&self.key))];
            // A store that fails here fails the next send's go-ahead the same way.
            wasm_bindgen_futures::spawn_local(async move {
                let _ = store::call(&pacer, "left", &key).await;
            });
        }
    }

    /// The request marked sent has ended (answered or not).
    ///
    /// A process's first send is counted from its answer (`Pacer::mark_finished`), and with a
    /// shared pacer every process's next send is too: the first request of a process, and the
    /// service's first handling of it, can be slow enough that it arrives after the next
    /// process's on-time send would (the 20,000-recipient fleet test saw 937 ms between them on a loaded machine).
    /// A store that fails here is not waited for: the next send's slot would fail the same way.
    pub fn mark_finished(&self) {
        let first = self.with(|p| {
            p.mark_finished(transport::monotonic_ms());
            p.sends() == 1
        });
        if let (true, Some(pacer)) = (first, &self.shared) {
            // Started now and not waited for: a store that hangs here must not hold this
            // campaign up (the next send's go-ahead, queued behind it on the same client, finds
            // out), and a client sends its commands in order, so it is recorded before that.
            let pacer = pacer.clone();
            let args = [JsValue::from_str(&fleet::pace_key(&self.key))];
            wasm_bindgen_futures::spawn_local(async move {
                let _ = store::call(&pacer, "left", &args).await;
            });
        }
    }

    /// Estimated milliseconds for `calls` more calls.
    pub fn eta_ms(&self, calls: usize) -> u64 {
        self.with(|p| p.eta_ms(transport::monotonic_ms(), calls))
    }
}

/// Who signs each attempt.
pub enum Signing {
    /// Here, with these credentials.
    Local(Credentials),
    /// The caller's `signer` (a signing service holding the secret elsewhere).
    Remote(Function),
}

impl Signing {
    /// What this client knows of the secrets behind `signed` (src/redact.rs): with its own
    /// credentials, all of them; with a signer, the token and signature in the request only.
    fn known_secrets(&self, signed: &SignedRequest) -> KnownSecrets {
        match self {
            Signing::Local(credentials) => KnownSecrets::of_credentials(credentials).with_request(signed),
            Signing::Remote(_) => KnownSecrets::of_signed_request(signed),
        }
    }

    /// The AccessKeyId that paces this sender (remote signers share one pace per process).
    pub fn pace_key(&self) -> &str {
        match self {
            Signing::Local(c) => c.access_key_id(),
            Signing::Remote(_) => "signer",
        }
    }

    async fn sign(&self, batch: &Batch, settings: &SendSettings) -> Result<SignedRequest, Failure> {
        match self {
            Signing::Local(credentials) => Ok(sign_now(settings, |context| {
                request::sign_batch(batch, credentials, context)
            })?),
            Signing::Remote(signer) => {
                let asked = super::output::to_js(&batch.signing_request(settings.sending.scheme));
                let returned = input::call(signer, &JsValue::NULL, &Array::of1(&asked))
                    .map_err(Failure::from_thrown)?;
                // A signer that never answers counts against the attempt's time.
                let signed = input::settled(&returned, settings.sending.timeout_ms)
                    .await
                    .map_err(|unsettled| match unsettled {
                        input::Unsettled::Rejected(value) => Failure::from_thrown(value),
                        input::Unsettled::TimedOut => Failure::Core(Error::SigningFailed),
                    })?;
                let signed = options::signer_answer(&signed)?;
                // Results are mapped to this batch: the signed request must send exactly it.
                if !request::carries(&signed, batch) {
                    return Err(Error::SigningFailed.into());
                }
                Ok(signed)
            }
        }
    }
}

/// Signs here, now: a fresh time and nonce for every attempt, for `settings`' endpoint and scheme.
pub fn sign_now(
    settings: &SendSettings,
    sign: impl FnOnce(&SigningContext<'_>) -> Result<SignedRequest, Error>,
) -> Result<SignedRequest, Error> {
    let nonce = transport::nonce();
    let timestamp = transport::now().ok_or(Error::InvalidTimestamp)?;
    sign(&SigningContext {
        endpoint: &settings.sending.endpoint,
        scheme: settings.sending.scheme,
        timestamp,
        nonce: &nonce,
    })
}

/// Why a send ended without an outcome: a core error, or what the caller's signer threw (passed
/// on as it is, so a signing service's own SmsError reaches the caller unchanged).
pub enum Failure {
    Core(Error),
    Thrown(JsValue),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::Core(error)
    }
}

impl Failure {
    /// What a signer threw: an `SmsError` (a signing service's refusal) passes on as it is;
    /// anything else is `SIGNING_FAILED` with the thrown value as `cause`, so the caller always
    /// gets an `SmsError`.
    pub fn from_thrown(value: JsValue) -> Failure {
        if input::is_sms_error(&value) {
            return Failure::Thrown(value);
        }
        let error = super::output::thrown(Error::SigningFailed);
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str("cause"), &value);
        Failure::Thrown(error)
    }

    /// The core error to record in a ledger.
    pub fn as_core(&self) -> Error {
        match self {
            Failure::Core(e) => e.clone(),
            Failure::Thrown(_) => Error::SigningFailed,
        }
    }
}

/// One call of the API as the bindings make it: how to sign each attempt, how to read an
/// answer, and what may be resent. A batch is one (below); the other operations are others.
pub trait Call {
    type Outcome: Attempted;
    /// What a second send would do (`retry::Safety`).
    fn safety(&self) -> Safety;
    /// Signs one attempt (a fresh time and nonce every time).
    async fn sign(&self, signing: &Signing, settings: &SendSettings) -> Result<SignedRequest, Failure>;
    /// Reads an answer; `known` is what the client knows of the secrets behind the request.
    fn read(
        &self,
        known: &KnownSecrets,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Self::Outcome, Error>;
}

impl Call for Batch {
    type Outcome = BatchOutcome;
    fn safety(&self) -> Safety {
        Safety::SendsMessages
    }
    async fn sign(&self, signing: &Signing, settings: &SendSettings) -> Result<SignedRequest, Failure> {
        signing.sign(self, settings).await
    }
    fn read(
        &self,
        known: &KnownSecrets,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<BatchOutcome, Error> {
        read_batch_response(self, known, status, headers, body)
    }
}

/// Sends `batch` (see `perform`).
pub async fn send_batch(
    batch: &Batch,
    signing: &Signing,
    settings: &SendSettings,
    pace: Option<&Pace>,
) -> Result<BatchOutcome, Failure> {
    perform(batch, signing, settings, pace).await
}

/// Makes `call` as the core's attempts machine (`src/attempts.rs`) decides: this only performs
/// each action. `pace` holds the call to its account's rate for every send; a campaign waits
/// for the first slot itself (it journals the request between the wait and the send).
pub async fn perform<C: Call>(
    call: &C,
    signing: &Signing,
    settings: &SendSettings,
    pace: Option<&Pace>,
) -> Result<C::Outcome, Failure> {
    let signal = settings.signal.as_ref();
    let aborted = || signal.is_some_and(|s| s.aborted());
    let (mut machine, mut action) =
        Attempts::start(settings.sending.max_attempts, pace.is_some(), call.safety());
    let mut signed = None;
    // What a signer threw, passed on as it is when the machine ends the call with it.
    let mut thrown = None;
    loop {
        action = match action {
            AttemptAction::Sign if aborted() => machine.next(AttemptEvent::Aborted),
            AttemptAction::Sign => match call.sign(signing, settings).await {
                Ok(request) => {
                    signed = Some(request);
                    machine.next(AttemptEvent::Signed)
                }
                Err(Failure::Core(error)) => machine.next(AttemptEvent::SigningFailed(error)),
                Err(failure) => {
                    thrown = Some(failure);
                    machine.next(AttemptEvent::SigningFailed(Error::SigningFailed))
                }
            },
            AttemptAction::TakeSlot => {
                let event = match pace {
                    Some(p) => match p.hold_and_mark(signal).await {
                        Ok(()) => AttemptEvent::SlotTaken,
                        Err(Error::Aborted) => AttemptEvent::Aborted,
                        Err(error) => AttemptEvent::SlotFailed(error),
                    },
                    None => AttemptEvent::SlotTaken,
                };
                machine.next(event)
            }
            AttemptAction::Send => {
                if let Some(p) = pace {
                    p.leaving();
                }
                let seen = match &signed {
                    Some(request) => transport::send_once(request, settings.sending.timeout_ms, signal).await,
                    None => transport::Seen::NotConnected,
                };
                if let Some(p) = pace {
                    p.mark_finished();
                }
                // What the client knows of the secrets behind this request decides what of the
                // service's text an error may quote (src/redact.rs).
                let known = match &signed {
                    Some(request) => signing.known_secrets(request),
                    None => KnownSecrets::held_elsewhere(),
                };
                machine.delivered(seen.as_delivery(), transport::unit_random(), |status, headers, body| {
                    call.read(&known, status, headers, body)
                })
            }
            AttemptAction::Wait { ms } => {
                let event = match transport::sleep(ms, signal).await {
                    Ok(()) => AttemptEvent::Waited,
                    Err(()) => AttemptEvent::Aborted,
                };
                machine.next(event)
            }
            AttemptAction::WaitForSlot { not_before_ms } => {
                let wait = match pace {
                    Some(p) => p.back_off_and_reserve(not_before_ms).await,
                    None => Ok(not_before_ms),
                };
                let event = match wait {
                    Ok(wait) => match transport::sleep(wait, signal).await {
                        Ok(()) => AttemptEvent::Waited,
                        Err(()) => AttemptEvent::Aborted,
                    },
                    Err(error) => AttemptEvent::SlotFailed(error),
                };
                machine.next(event)
            }
            AttemptAction::Done(result) => {
                return match (*result, thrown) {
                    (Err(Error::SigningFailed), Some(failure)) => Err(failure),
                    (result, _) => result.map_err(Failure::Core),
                };
            }
        };
    }
}
