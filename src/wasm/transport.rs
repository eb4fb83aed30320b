//! Moves bytes and time: one fetch with a timeout and an AbortSignal, abortable waits, the clock
//! and random numbers. It reports what it saw (`Delivery`); the core decides what that means.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::fetch_failure::{proves_nothing_sent, refuses_certificate, FetchFailure};
use crate::request::SignedRequest;
use crate::retry::Delivery;
use crate::Timestamp;

#[wasm_bindgen]
extern "C" {
    // NOTE: we call the global fetch ourselves instead of gloo-net's `Request::send`, because
    // gloo-net turns a rejection into name + message and drops `cause`, where Node, Bun and Deno
    // say whether the connection was refused (provably nothing sent, safe to resend) or lost
    // (maybe sent, never resent). gloo-net still builds the request.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &web_sys::Request) -> Promise;

    /// `fetch` for the warm-up, whose failure (a runtime that will not fetch a `data:` URL, or
    /// throws at once) is caught and ignored.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn try_fetch(request: &web_sys::Request) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: f64) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);

    /// The global `performance` object (High Resolution Time), typed only for `now()`.
    type Performance;

    #[wasm_bindgen(method, catch, js_name = now)]
    fn now(this: &Performance) -> Result<f64, JsValue>;
}

/// What one attempt saw, owning the answer's bytes.
pub enum Seen {
    Answered {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    NotConnected,
    CertificateRefused,
    ConnectionLost,
    TimedOut,
    AbortedInFlight,
}

impl Seen {
    pub fn as_delivery(&self) -> Delivery<'_> {
        match self {
            Seen::Answered {
                status,
                headers,
                body,
            } => Delivery::Answered {
                status: *status,
                headers,
                body,
            },
            Seen::NotConnected => Delivery::NotConnected,
            Seen::CertificateRefused => Delivery::CertificateRefused,
            Seen::ConnectionLost => Delivery::ConnectionLost,
            Seen::TimedOut => Delivery::TimedOut,
            Seen::AbortedInFlight => Delivery::AbortedInFlight,
        }
    }
}

fn string_at(value: &JsValue, key: &str) -> Option<String> {
    Reflect::get(value, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
}

/// The most of a rejection's `cause.errors` read (Node lists one per address it tried).
const MAX_CAUSES: usize = 16;

/// Why a fetch rejection proves the request never left.
enum Refusal {
    /// The server's certificate was refused in the TLS handshake (not worth a resend).
    Certificate,
    /// Name resolution, the TCP handshake, or the runtime refused before connecting.
    Connection,
}

/// Whether a fetch rejection proves the request never left: the rejection itself (Bun puts
/// `code` there), its `cause` (Node/undici, Deno) and each of `cause.errors` (Node, one per
/// address tried) are read, and the rule in src/fetch_failure.rs decides. Browsers give no
/// reason ("Failed to fetch"), and a CORS refusal — which comes after the service processed the
/// request — reads the same, so there it is `None`: the outcome stays unknown.
fn never_connected(error: &JsValue) -> Option<Refusal> {
    let mut candidates = vec![error.clone()];
    // A rejection can be any value (a patched `fetch`): `Array.isArray` throws on a revoked Proxy
    // and `Array.from` runs its iterator, so the list is read through the safe reader
    // (src/wasm/read.js), a few items by index.
    if let Ok(cause) = super::input::property(error, "cause") {
        if let Ok(errors) = super::input::property(&cause, "errors") {
            if super::input::kind(&errors) == "array" {
                for index in 0..MAX_CAUSES {
                    match super::input::property(&errors, &index.to_string()) {
                        Ok(item) if !item.is_undefined() => candidates.push(item),
                        _ => break,
                    }
                }
            }
        }
        candidates.push(cause);
    }
    let mut found = None;
    for candidate in &candidates {
        // Only objects carry fields; `Reflect.get` on a primitive would throw.
        if !candidate.is_object() {
            continue;
        }
        let code = string_at(candidate, "code");
        let syscall = string_at(candidate, "syscall");
        let message = string_at(candidate, "message");
        let failure = FetchFailure {
            code: code.as_deref(),
            syscall: syscall.as_deref(),
            message: message.as_deref(),
        };
        if refuses_certificate(&failure) {
            return Some(Refusal::Certificate);
        }
        if proves_nothing_sent(&failure) {
            found = Some(Refusal::Connection);
        }
    }
    found
}

/// Sends `request` once. `timeout_ms` covers the whole exchange, answer body included.
pub async fn send_once(
    request: &SignedRequest,
    timeout_ms: u32,
    signal: Option<&web_sys::AbortSignal>,
) -> Seen {
    let Ok(controller) = web_sys::AbortController::new() else {
        return Seen::NotConnected;
    };
    let timed_out = Rc::new(Cell::new(false));
    let on_timeout = {
        let controller = controller.clone();
        let timed_out = timed_out.clone();
        Closure::<dyn FnMut()>::new(move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let on_abort = {
        let controller = controller.clone();
        Closure::<dyn FnMut()>::new(move || controller.abort())
    };
    if let Some(signal) = signal {
        let _ = signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
    }
    let timer = set_timeout(on_timeout.as_ref().unchecked_ref(), f64::from(timeout_ms));

    let seen = exchange(request, &controller).await;

    clear_timeout(&timer);
    if let Some(signal) = signal {
        let _ =
            signal.remove_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
    }
    match seen {
        Ok(answer) => answer,
        Err(error) if timed_out.get() => {
            let _ = error;
            Seen::TimedOut
        }
        Err(_) if signal.is_some_and(|s| s.aborted()) => Seen::AbortedInFlight,
        Err(error) => match never_connected(&error) {
            Some(Refusal::Certificate) => Seen::CertificateRefused,
            Some(Refusal::Connection) => Seen::NotConnected,
            None => Seen::ConnectionLost,
        },
    }
}

async fn exchange(
    request: &SignedRequest,
    controller: &web_sys::AbortController,
) -> Result<Seen, JsValue> {
    let mut builder = gloo_net::http::RequestBuilder::new(&request.url)
        .method(gloo_net::http::Method::POST)
        .abort_signal(Some(&controller.signal()));
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    // A form body where the operation has one (ConversionData); the others send none.
    let built = if request.body.is_empty() {
        builder.build()
    } else {
        builder.body(JsValue::from_str(&request.body))
    };
    // The runtime refusing to even build the request (a URL it will not fetch) sends nothing.
    let Ok(built) = built else {
        return Ok(Seen::NotConnected);
    };
    let raw: web_sys::Request = built.into();
    let response: web_sys::Response = JsFuture::from(global_fetch(&raw)).await?.dyn_into()?;
    let status = response.status();
    let headers = gloo_net::http::Headers::from_raw(response.headers())
        .entries()
        .collect();
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    let body = Uint8Array::new(&buffer).to_vec();
    Ok(Seen::Answered {
        status,
        headers,
        body,
    })
}

thread_local! {
    static WARMED: Cell<bool> = const { Cell::new(false) };
}

/// Runs the runtime's fetch once, on a `data:` URL (nothing leaves the process), with the
/// headers and form body a send has, and reads the answer; once per instance, in the
/// background. The first fetch of a process is slow (Node: its HTTP client and this module's
/// request path start on first use), and with a shared pacer every process's first send counts
/// from its answer (src/wasm/send.rs `mark_finished`), so its slowness was every process's:
/// Node 20, a 60 KB POST to a local server: the first answered after 59 ms, 21 ms after this.
pub fn warm_up() {
    if WARMED.with(|w| w.replace(true)) {
        return;
    }
    let built = gloo_net::http::RequestBuilder::new("data:,")
        .method(gloo_net::http::Method::POST)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(JsValue::from_str("warm=up"));
    let Ok(built) = built else { return };
    let raw: web_sys::Request = built.into();
    let Ok(promise) = try_fetch(&raw) else { return };
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(answer) = JsFuture::from(promise).await else { return };
        if let Ok(response) = answer.dyn_into::<web_sys::Response>() {
            if let Ok(body) = response.array_buffer() {
                let _ = JsFuture::from(body).await;
            }
        }
    });
}

/// Waits `ms`, or less if `signal` aborts; `Err(())` when it did.
pub async fn sleep(ms: u64, signal: Option<&web_sys::AbortSignal>) -> Result<(), ()> {
    if signal.is_some_and(|s| s.aborted()) {
        return Err(());
    }
    let signal_for_promise = signal.cloned();
    let mut timer = JsValue::UNDEFINED;
    let mut listener = None;
    let promise = Promise::new(&mut |resolve, _reject| {
        timer = set_timeout(&resolve, ms as f64);
        if let Some(signal) = &signal_for_promise {
            let _ = signal.add_event_listener_with_callback("abort", &resolve);
            listener = Some(resolve);
        }
    });
    let _ = JsFuture::from(promise).await;
    clear_timeout(&timer);
    // Removed after each wait: a campaign waits thousands of times on one caller's signal, and
    // each listener left would hold its promise (Node warns past 10: MaxListenersExceeded).
    if let (Some(signal), Some(resolve)) = (signal, listener) {
        let _ = signal.remove_event_listener_with_callback("abort", &resolve);
    }
    if signal.is_some_and(|s| s.aborted()) {
        Err(())
    } else {
        Ok(())
    }
}

/// `globalThis.performance` when it is an object whose `now()` gives a number, else none
/// (Date.now() is used instead). Read through `Reflect` so that a runtime without the global
/// gives `undefined` rather than a ReferenceError.
fn find_performance() -> Option<Performance> {
    Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .ok()
        .filter(JsValue::is_object)
        .map(JsCast::unchecked_into::<Performance>)
        .filter(|p| p.now().is_ok_and(f64::is_finite))
}

thread_local! {
    // The clock behind `monotonic_ms`, chosen once per instance so that its readings are never
    // mixed with another clock's (performance.now() counts from the process or page start,
    // Date.now() from 1970), and the largest reading handed out so far.
    static PERFORMANCE: Option<Performance> = find_performance();
    static LAST_MONOTONIC: Cell<f64> = const { Cell::new(0.0) };
}

/// Whole milliseconds from a clock that never goes back, for measuring intervals (the pacer's
/// 1 call/s, waits): `performance.now()` where the global `performance` exists (Node, browsers,
/// workers, Deno, Bun, workerd), else `Date.now()`. Never smaller than an earlier reading in this
/// instance: a reading below the last one (only possible on the Date.now() fallback, when the
/// wall clock is set back) returns the last one again, so an interval measured across such a
/// step comes out short, never negative or hours long (issue 12: a wall clock stepped back
/// 30 s made the pacer wait 31 s).
///
/// The origin is arbitrary (the process or page start with `performance`): compare readings of
/// this function with each other only, never with `Date.now()` or a signed timestamp, which stay
/// on the wall clock. In workerd both clocks advance only across I/O, timers included, which is
/// all a pacer that sleeps between sends needs.
pub fn monotonic_ms() -> u64 {
    let reading = PERFORMANCE.with(|performance| match performance {
        Some(performance) => performance.now().unwrap_or(f64::NAN),
        None => js_sys::Date::now(),
    });
    LAST_MONOTONIC.with(|last| {
        // A reading that is not a number, or below the last one, repeats the last one.
        if reading.is_finite() && reading > last.get() {
            last.set(reading);
        }
        // Below 2^53 for any real clock, so the whole milliseconds are exact.
        last.get() as u64
    })
}

/// Now, from the runtime's clock.
pub fn now() -> Option<Timestamp> {
    Timestamp::from_unix_millis(js_sys::Date::now())
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // crypto.getRandomValues exists in every runtime we support; if it ever failed, fall back to
    // the clock so a nonce is still unlikely to repeat (the gateway refuses repeats; we do not send
    // twice).
    if getrandom::fill(&mut bytes).is_err() {
        let t = js_sys::Date::now().to_bits().to_le_bytes();
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = t.get(i % 8).copied().unwrap_or(0) ^ (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

/// 32 lower-case hex digits from the runtime's CSPRNG: unique per attempt.
pub fn nonce() -> String {
    random_bytes::<16>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A number in `[0, 1)` for backoff jitter.
pub fn unit_random() -> f64 {
    let bytes = random_bytes::<8>();
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}
