//! JavaScript values ↔ core types. Wrong shapes become `INVALID_OPTION` naming the field; core
//! errors become `SmsError` objects. No SMS rule lives here.

use std::ops::Range;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::batch::{Batch, BatchInput, Issue, Messages};
use crate::campaign::{Campaign, Fate};
use crate::error::Error;
use crate::recipient::NumberRules;
use crate::request::{SignatureScheme, SignedRequest};
use crate::response::{Anomaly, BatchOutcome};
use crate::retry::DEFAULT_MAX_ATTEMPTS;
use crate::segment::{self, MessageProblem, SegmentCount};
use crate::{Credentials, Endpoint};

/// Milliseconds allowed for one attempt unless the caller says otherwise: long enough for a
/// 1000-recipient request over a slow link, short enough that a hung connection is noticed.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
const MAX_TIMEOUT_MS: u32 = 600_000;
const MAX_ATTEMPTS: u32 = 10;

/// How `batchSend` and `sendCampaign` send, read from their options object.
pub struct SendSettings {
    pub credentials: JsValue,
    pub endpoint: Endpoint,
    pub scheme: SignatureScheme,
    pub timeout_ms: u32,
    pub max_attempts: u32,
    pub signal: Option<web_sys::AbortSignal>,
}

fn invalid(field: &str, message: &str) -> Error {
    Error::InvalidOption {
        field: field.to_string(),
        message: message.to_string(),
    }
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

fn options_object(value: &JsValue) -> Result<(), Error> {
    if value.is_object() && !Array::is_array(value) {
        Ok(())
    } else {
        Err(invalid("options", "must be an object"))
    }
}

fn opt_string(object: &JsValue, key: &str) -> Result<Option<String>, Error> {
    let value = get(object, key);
    if absent(&value) {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| invalid(key, "must be a string"))
}

fn opt_bool(object: &JsValue, key: &str) -> Result<Option<bool>, Error> {
    let value = get(object, key);
    if absent(&value) {
        return Ok(None);
    }
    value
        .as_bool()
        .map(Some)
        .ok_or_else(|| invalid(key, "must be true or false"))
}

/// A whole number in `min..=max`, or `None` when absent.
fn opt_integer(object: &JsValue, key: &str, min: u32, max: u32) -> Result<Option<u32>, Error> {
    let value = get(object, key);
    if absent(&value) {
        return Ok(None);
    }
    match value.as_f64() {
        // In range and whole, so the cast is exact.
        Some(n) if n.fract() == 0.0 && (f64::from(min)..=f64::from(max)).contains(&n) => {
            Ok(Some(n as u32))
        }
        _ => Err(invalid(
            key,
            // Integers, not floats, in the message: float formatting would add 18 KB of wasm.
            &format!("must be a whole number from {min} to {max}"),
        )),
    }
}

/// A JS string as Rust text. wasm-bindgen replaces a lone surrogate by U+FFFD on the way in, so a
/// U+FFFD sends us back to the UTF-16 units to tell a real one from a broken text.
fn text(value: &JsValue) -> Option<Result<String, segment::MessageProblem>> {
    let converted = value.as_string()?;
    if !converted.contains('\u{FFFD}') {
        return Some(Ok(converted));
    }
    let units: Vec<u16> = value.unchecked_ref::<js_sys::JsString>().iter().collect();
    Some(segment::text_from_utf16(&units))
}

/// `array[range]` as strings; `field[i]` names a wrong element.
fn strings_in(array: &Array, field: &str, range: Range<usize>) -> Result<Vec<String>, Error> {
    let mut out = Vec::with_capacity(range.len());
    for i in range {
        out.push(
            array
                .get(i as u32)
                .as_string()
                .ok_or_else(|| invalid(&format!("{field}[{i}]"), "must be a string"))?,
        );
    }
    Ok(out)
}

/// Message texts at `indexes`, with the problems of those that could not be decoded (indexes
/// within the returned list).
fn texts_at(
    array: &Array,
    indexes: impl Iterator<Item = usize>,
) -> Result<(Vec<String>, Undecodable), Error> {
    let mut list = Vec::new();
    let mut undecodable = Vec::new();
    for (n, i) in indexes.enumerate() {
        let item = array.get(i as u32);
        match text(&item) {
            Some(Ok(t)) => list.push(t),
            Some(Err(problem)) => {
                undecodable.push((Some(n), problem));
                list.push(item.as_string().unwrap_or_default());
            }
            None => return Err(invalid(&format!("message[{i}]"), "must be a string")),
        }
    }
    Ok((list, undecodable))
}

type Undecodable = Vec<(Option<usize>, MessageProblem)>;

/// Where a batch's or campaign's recipients and texts are: still in the caller's arrays, so a
/// campaign copies one part at a time.
pub struct Source {
    to: Array,
    messages: MessageSource,
    /// `from`, `type`, `taskId` and the number rules; `to` empty, `messages` the shared text.
    pub settings: BatchInput,
}

enum MessageSource {
    One,
    PerRecipient(Array),
}

impl Source {
    /// Recipients in the list.
    pub fn len(&self) -> usize {
        self.to.length() as usize
    }

    /// The number as the caller gave it.
    pub fn given(&self, index: usize) -> String {
        self.to.get(index as u32).as_string().unwrap_or_default()
    }

    /// Texts given when each recipient has its own.
    pub fn message_count(&self) -> Option<usize> {
        match &self.messages {
            MessageSource::One => None,
            MessageSource::PerRecipient(a) => Some(a.length() as usize),
        }
    }

    /// Recipients (and their texts) at `indexes`, as a core input part.
    pub fn part(
        &self,
        indexes: impl Iterator<Item = usize> + Clone,
    ) -> Result<(Vec<String>, Messages, Undecodable), Error> {
        let mut to = Vec::new();
        for i in indexes.clone() {
            to.push(
                strings_in(&self.to, "to", i..i + 1)?
                    .pop()
                    .unwrap_or_default(),
            );
        }
        let (messages, undecodable) = match &self.messages {
            MessageSource::One => (
                self.settings.messages.clone(),
                self.settings.undecodable_messages.clone(),
            ),
            MessageSource::PerRecipient(array) => {
                let (list, undecodable) = texts_at(array, indexes)?;
                (Messages::PerRecipient(list), undecodable)
            }
        };
        Ok((to, messages, undecodable))
    }

    /// The whole list as one batch input.
    pub fn into_batch(self) -> Result<BatchInput, Error> {
        let mut input = self.settings;
        input.to = strings_in(&self.to, "to", 0..self.to.length() as usize)?;
        if let MessageSource::PerRecipient(array) = &self.messages {
            // Every text, also past the end of `to`: a count mismatch is reported, not hidden.
            let (all, undecodable) = texts_at(array, 0..array.length() as usize)?;
            input.messages = Messages::PerRecipient(all);
            input.undecodable_messages = undecodable;
        }
        Ok(input)
    }
}

/// How a campaign runs, beyond how it sends.
pub struct CampaignSettings {
    pub qps: f64,
    pub all_or_nothing: bool,
    pub stop_on_unknown: bool,
    pub on_progress: Option<js_sys::Function>,
    pub journal: Option<JsValue>,
}

/// `qps`, `allOrNothing`, `onUnknown`, `onProgress`, `journal`.
pub fn campaign_options(options: &JsValue) -> Result<CampaignSettings, Error> {
    let qps_value = get(options, "qps");
    let qps = if absent(&qps_value) {
        1.0
    } else {
        match qps_value.as_f64() {
            Some(q) if q.is_finite() && q > 0.0 && q <= 1000.0 => q,
            _ => return Err(invalid("qps", "must be a number above 0 and at most 1000")),
        }
    };
    let stop_on_unknown = match opt_string(options, "onUnknown")?.as_deref() {
        None | Some("stop") => true,
        Some("continue") => false,
        Some(_) => return Err(invalid("onUnknown", "must be \"stop\" or \"continue\"")),
    };
    let progress_value = get(options, "onProgress");
    let on_progress = if absent(&progress_value) {
        None
    } else {
        Some(
            progress_value
                .dyn_into::<js_sys::Function>()
                .map_err(|_| invalid("onProgress", "must be a function"))?,
        )
    };
    let journal_value = get(options, "journal");
    let journal = if absent(&journal_value) {
        None
    } else if journal_value.is_object() {
        Some(journal_value)
    } else {
        return Err(invalid(
            "journal",
            "must be an object with append(entry) and read()",
        ));
    };
    Ok(CampaignSettings {
        qps,
        all_or_nothing: opt_bool(options, "allOrNothing")?.unwrap_or(false),
        stop_on_unknown,
        on_progress,
        journal,
    })
}

/// The recipients, texts and batch settings of `options`.
pub fn source(options: &JsValue) -> Result<Source, Error> {
    options_object(options)?;
    let to_value = get(options, "to");
    if !Array::is_array(&to_value) {
        return Err(invalid("to", "must be an array of strings"));
    }
    let message_value = get(options, "message");
    let (messages, shared, undecodable) = if Array::is_array(&message_value) {
        (
            MessageSource::PerRecipient(Array::from(&message_value)),
            Messages::PerRecipient(Vec::new()),
            Vec::new(),
        )
    } else {
        match text(&message_value) {
            Some(Ok(t)) => (MessageSource::One, Messages::One(t), Vec::new()),
            Some(Err(problem)) => (
                MessageSource::One,
                Messages::One(message_value.as_string().unwrap_or_default()),
                vec![(None, problem)],
            ),
            None => {
                return Err(invalid(
                    "message",
                    "must be a string or an array of strings",
                ))
            }
        }
    };
    Ok(Source {
        to: Array::from(&to_value),
        messages,
        settings: BatchInput {
            to: Vec::new(),
            messages: shared,
            from: opt_string(options, "from")?,
            message_type: opt_string(options, "type")?,
            task_id: opt_string(options, "taskId")?,
            drop_duplicates: opt_bool(options, "dropDuplicates")?.unwrap_or(false),
            number_rules: NumberRules {
                check_national_length: opt_bool(options, "checkNationalLength")?.unwrap_or(true),
            },
            undecodable_messages: undecodable,
        },
    })
}

fn batch_input(options: &JsValue) -> Result<BatchInput, Error> {
    source(options)?.into_batch()
}

/// `validateBatch`'s options.
pub fn batch_options(options: &JsValue) -> Result<BatchInput, Error> {
    batch_input(options)
}

/// The batch of `batchSend` and `signRequest`.
pub fn send_batch_input(options: &JsValue) -> Result<BatchInput, Error> {
    batch_input(options)
}

/// How to send: endpoint, scheme, timeout, attempts, signal, and the credentials (read later by
/// `credentials`, after the batch is checked, so a batch's problems show even without them).
pub fn send_options(options: &JsValue) -> Result<SendSettings, Error> {
    options_object(options)?;
    let endpoint = match opt_string(options, "endpoint")? {
        None => Endpoint::default(),
        Some(text) => {
            Endpoint::parse(&text).map_err(|problem| Error::InvalidEndpoint { problem })?
        }
    };
    let scheme = match opt_string(options, "signatureVersion")? {
        None => SignatureScheme::default(),
        Some(text) => SignatureScheme::parse(&text)
            .ok_or_else(|| invalid("signatureVersion", "must be \"1.0\" or \"ACS3\""))?,
    };
    let timeout_ms =
        opt_integer(options, "timeoutMs", 1, MAX_TIMEOUT_MS)?.unwrap_or(DEFAULT_TIMEOUT_MS);
    let max_attempts =
        opt_integer(options, "maxAttempts", 1, MAX_ATTEMPTS)?.unwrap_or(DEFAULT_MAX_ATTEMPTS);
    let signal_value = get(options, "signal");
    let signal = if absent(&signal_value) {
        None
    } else {
        Some(
            signal_value
                .dyn_into::<web_sys::AbortSignal>()
                .map_err(|_| invalid("signal", "must be an AbortSignal"))?,
        )
    };
    Ok(SendSettings {
        credentials: get(options, "credentials"),
        endpoint,
        scheme,
        timeout_ms,
        max_attempts,
        signal,
    })
}

/// Who signs: the `signer` option when it is given, else the `credentials`.
pub fn signing(options: &JsValue, settings: &SendSettings) -> Result<super::send::Signing, Error> {
    let signer = get(options, "signer");
    if absent(&signer) {
        return credentials(&settings.credentials).map(super::send::Signing::Local);
    }
    signer
        .dyn_into::<js_sys::Function>()
        .map(super::send::Signing::Remote)
        .map_err(|_| invalid("signer", "must be a function returning a signed request"))
}

/// `SigningRequest` as declared in types.d.ts: the batch as it will be sent.
pub fn signing_request(batch: &Batch, scheme: SignatureScheme) -> JsValue {
    let o = Object::new();
    set(
        &o,
        "to",
        &array(batch.entries(), |e| {
            JsValue::from_str(&e.recipient.normalized)
        }),
    );
    set(
        &o,
        "message",
        &array(batch.entries(), |e| JsValue::from_str(&e.message)),
    );
    if let Some(from) = batch.from() {
        set(&o, "from", &JsValue::from_str(from.as_str()));
    }
    set(
        &o,
        "type",
        &JsValue::from_str(batch.message_type().as_str()),
    );
    if let Some(task_id) = batch.task_id() {
        set(&o, "taskId", &JsValue::from_str(task_id));
    }
    set(&o, "signatureVersion", &JsValue::from_str(scheme.as_str()));
    o.into()
}

/// A signer's answer, `{ method: "POST", url, headers, body: "" }`, checked before it is sent.
pub fn signed_request_from(value: &JsValue) -> Result<SignedRequest, Error> {
    let bad = || Error::SigningFailed;
    if !value.is_object() {
        return Err(bad());
    }
    if get(value, "method").as_string().as_deref() != Some("POST") {
        return Err(bad());
    }
    let url = get(value, "url").as_string().ok_or_else(bad)?;
    // Only what our own signer would produce: an http(s) URL at the API's path.
    if Endpoint::parse(url.split('?').next().unwrap_or("")).is_err() {
        return Err(bad());
    }
    let body = get(value, "body");
    if !(absent(&body) || body.as_string().as_deref() == Some("")) {
        return Err(bad());
    }
    let mut headers = Vec::new();
    let headers_value = get(value, "headers");
    if !absent(&headers_value) {
        let entries = Object::entries(headers_value.dyn_ref::<Object>().ok_or_else(bad)?);
        for entry in entries.iter() {
            let pair = Array::from(&entry);
            let name = pair.get(0).as_string().ok_or_else(bad)?;
            let value = pair.get(1).as_string().ok_or_else(bad)?;
            headers.push((name, value));
        }
    }
    Ok(SignedRequest {
        method: "POST",
        url,
        headers,
        body: String::new(),
    })
}

/// The `credentials` option. Its values are never put in an error message.
pub fn credentials(value: &JsValue) -> Result<Credentials, Error> {
    use crate::credentials::CredentialsProblem;
    if absent(value) {
        return Err(Error::InvalidCredentials {
            problem: CredentialsProblem::MissingAccessKeyId,
        });
    }
    if !value.is_object() {
        return Err(invalid(
            "credentials",
            "must be an object with accessKeyId and accessKeySecret",
        ));
    }
    let field = |key: &str| -> Result<String, Error> {
        Ok(opt_string(value, key)
            .map_err(|_| invalid(&format!("credentials.{key}"), "must be a string"))?
            .unwrap_or_default())
    };
    let token = opt_string(value, "securityToken")
        .map_err(|_| invalid("credentials.securityToken", "must be a string"))?;
    Credentials::new(field("accessKeyId")?, field("accessKeySecret")?, token)
        .map_err(|problem| Error::InvalidCredentials { problem })
}

/// `signRequest`'s second argument: `{ timestamp?: number | Date, nonce?: string }`.
pub fn sign_at(value: &JsValue) -> Result<(Option<f64>, Option<String>), Error> {
    if absent(value) {
        return Ok((None, None));
    }
    if !value.is_object() {
        return Err(invalid("at", "must be an object"));
    }
    let stamp = get(value, "timestamp");
    let millis = if absent(&stamp) {
        None
    } else if let Some(date) = stamp.dyn_ref::<js_sys::Date>() {
        Some(date.get_time())
    } else {
        Some(stamp.as_f64().ok_or_else(|| {
            invalid(
                "timestamp",
                "must be milliseconds since the epoch or a Date",
            )
        })?)
    };
    let nonce = opt_string(value, "nonce").map_err(|_| invalid("nonce", "must be a string"))?;
    Ok((millis, nonce))
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a property on a plain object we just made cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

fn num(n: usize) -> JsValue {
    JsValue::from_f64(n as f64)
}

fn str_or_null(text: Option<&str>) -> JsValue {
    text.map_or(JsValue::NULL, JsValue::from_str)
}

fn array<T>(items: &[T], each: impl Fn(&T) -> JsValue) -> JsValue {
    let out = Array::new_with_length(0);
    for item in items {
        out.push(&each(item));
    }
    out.into()
}

fn recipient_ref(index: usize, to: &str, normalized_to: &str) -> Object {
    let r = Object::new();
    set(&r, "index", &num(index));
    set(&r, "to", &JsValue::from_str(to));
    set(&r, "normalizedTo", &JsValue::from_str(normalized_to));
    r
}

/// `Issue[]` as declared in types.d.ts (absent values are `null`).
pub fn issues(list: &[Issue]) -> JsValue {
    array(list, |issue| {
        let o = Object::new();
        set(&o, "code", &JsValue::from_str(issue.code));
        set(&o, "field", &JsValue::from_str(issue.field));
        set(&o, "index", &issue.index.map_or(JsValue::NULL, num));
        set(
            &o,
            "duplicateOf",
            &issue.duplicate_of.map_or(JsValue::NULL, num),
        );
        set(&o, "message", &JsValue::from_str(&issue.message));
        o.into()
    })
}

fn anomaly(a: &Anomaly) -> JsValue {
    let o = Object::new();
    set(&o, "kind", &JsValue::from_str(a.kind()));
    match a {
        Anomaly::MessageIdCountMismatch {
            message_ids,
            accepted,
        } => {
            set(&o, "messageIds", &num(*message_ids));
            set(&o, "accepted", &num(*accepted));
        }
        Anomaly::SuccessCountMismatch { reported, accepted } => {
            set(&o, "reported", &JsValue::from_f64(*reported as f64));
            set(&o, "accepted", &num(*accepted));
        }
        Anomaly::UnknownFailedNumber { number } => set(&o, "number", &JsValue::from_str(number)),
    }
    o.into()
}

/// `BatchSendResult` as declared in types.d.ts.
pub fn outcome(outcome: &BatchOutcome) -> JsValue {
    let o = Object::new();
    set(&o, "requestId", &str_or_null(outcome.request_id.as_deref()));
    set(
        &o,
        "responseCode",
        &JsValue::from_str(&outcome.response_code),
    );
    set(
        &o,
        "responseDescription",
        &str_or_null(outcome.response_description.as_deref()),
    );
    set(&o, "from", &str_or_null(outcome.from.as_deref()));
    set(
        &o,
        "successCount",
        &JsValue::from_f64(outcome.success_count as f64),
    );
    set(
        &o,
        "sent",
        &array(&outcome.sent, |s| {
            let r = recipient_ref(s.index, &s.to, &s.normalized_to);
            set(&r, "messageId", &str_or_null(s.message_id.as_deref()));
            r.into()
        }),
    );
    set(
        &o,
        "failed",
        &array(&outcome.failed, |f| {
            recipient_ref(f.index, &f.to, &f.normalized_to).into()
        }),
    );
    set(
        &o,
        "dropped",
        &array(&outcome.dropped, |d| {
            let r = Object::new();
            set(&r, "index", &num(d.index));
            set(&r, "duplicateOf", &num(d.duplicate_of));
            r.into()
        }),
    );
    set(&o, "anomalies", &array(&outcome.anomalies, anomaly));
    set(
        &o,
        "attempts",
        &JsValue::from_f64(f64::from(outcome.attempts)),
    );
    o.into()
}

fn counts_object(counts: &crate::campaign::Counts) -> Object {
    let o = Object::new();
    set(&o, "sent", &num(counts.sent));
    set(&o, "failed", &num(counts.failed));
    set(&o, "rejected", &num(counts.rejected));
    set(&o, "unknown", &num(counts.unknown));
    set(&o, "skipped", &num(counts.skipped));
    o
}

/// `CampaignProgress` as declared in types.d.ts.
pub fn campaign_progress(campaign: &Campaign, eta_ms: u64) -> JsValue {
    let counts = campaign.counts();
    let o = counts_object(&counts);
    set(&o, "pending", &num(counts.pending));
    set(&o, "requestsDone", &num(campaign.requests_done()));
    set(&o, "requestsTotal", &num(campaign.requests_total()));
    set(&o, "etaMs", &JsValue::from_f64(eta_ms as f64));
    o.into()
}

/// `CampaignResult` as declared in types.d.ts: counts, requests and the whole ledger.
pub fn campaign_result(campaign: &Campaign, source: &Source) -> JsValue {
    let o = Object::new();
    set(&o, "counts", &counts_object(&campaign.counts()));
    let requests = Object::new();
    set(&requests, "done", &num(campaign.requests_done()));
    set(&requests, "total", &num(campaign.requests_total()));
    set(&o, "requests", &requests);
    let recipients = Array::new_with_length(0);
    for index in 0..campaign.total() {
        let Some(fate) = campaign.fate(index) else {
            continue;
        };
        let r = Object::new();
        set(&r, "index", &num(index));
        set(&r, "to", &JsValue::from_str(&source.given(index)));
        set(
            &r,
            "normalizedTo",
            &str_or_null(campaign.normalized(index).as_deref()),
        );
        set(&r, "state", &JsValue::from_str(fate.name()));
        let (message_id, request_id, code, duplicate_of) = match fate {
            Fate::Sent {
                message_id,
                request_id,
            } => (message_id, request_id, None, None),
            Fate::Failed { request_id } => (None, request_id, None, None),
            Fate::Rejected {
                code, duplicate_of, ..
            } => (None, None, Some(code), duplicate_of),
            Fate::Unknown { request_id, code } => (None, request_id, Some(code), None),
            Fate::Skipped { code } => (None, None, code, None),
        };
        set(&r, "messageId", &str_or_null(message_id));
        set(&r, "requestId", &str_or_null(request_id));
        set(&r, "code", &str_or_null(code));
        set(&r, "duplicateOf", &duplicate_of.map_or(JsValue::NULL, num));
        recipients.push(&r);
    }
    set(&o, "recipients", &recipients);
    o.into()
}

/// `{ encoding, characters, units, segments }`.
pub fn segment_count(count: &SegmentCount) -> JsValue {
    let object = Object::new();
    set(
        &object,
        "encoding",
        &JsValue::from_str(count.encoding.as_str()),
    );
    set(
        &object,
        "characters",
        &JsValue::from_f64(count.characters as f64),
    );
    set(&object, "units", &JsValue::from_f64(count.units as f64));
    set(
        &object,
        "segments",
        &JsValue::from_f64(count.segments as f64),
    );
    object.into()
}

/// `{ method, url, headers: {name: value}, body }`, headers in the order they are sent.
pub fn signed_request(request: &SignedRequest) -> JsValue {
    let object = Object::new();
    let headers = Object::new();
    for (name, value) in &request.headers {
        set(&headers, name, &JsValue::from_str(value));
    }
    set(&object, "method", &JsValue::from_str(request.method));
    set(&object, "url", &JsValue::from_str(&request.url));
    set(&object, "headers", &headers);
    set(&object, "body", &JsValue::from_str(&request.body));
    object.into()
}

/// A core error as a JavaScript `Error` named `SmsError` with `code` and the data that applies.
/// `batch` names the recipients concerned when the outcome is unknown.
pub fn sms_error(error: &Error, batch: Option<&Batch>) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("SmsError");
    let object: &Object = js.unchecked_ref();
    set(object, "code", &JsValue::from_str(error.code()));
    set(object, "retryable", &JsValue::from_bool(error.retryable()));
    if let Some(field) = error.field() {
        set(object, "field", &JsValue::from_str(field));
    }
    if let Some(index) = error.index() {
        set(object, "index", &JsValue::from_f64(index as f64));
    }
    if let Some(status) = error.http_status() {
        set(object, "httpStatus", &JsValue::from_f64(f64::from(status)));
    }
    if let Some(id) = error.request_id() {
        set(object, "requestId", &JsValue::from_str(id));
    }
    if let Some(code) = error.service_code() {
        set(object, "serviceCode", &JsValue::from_str(code));
    }
    if let Some(ms) = error.retry_after_ms() {
        set(object, "retryAfterMs", &JsValue::from_f64(ms as f64));
    }
    match error {
        Error::InvalidBatch { issues: list } => set(object, "issues", &issues(list)),
        Error::ConnectionFailed { attempts } => {
            set(object, "attempts", &JsValue::from_f64(f64::from(*attempts)))
        }
        Error::OutcomeUnknown { reason, .. } => {
            set(object, "reason", &JsValue::from_str(reason.as_str()));
            if let Some(batch) = batch {
                let recipients = Array::new();
                for entry in batch.entries() {
                    let r = Object::new();
                    set(&r, "index", &JsValue::from_f64(entry.index as f64));
                    set(&r, "to", &JsValue::from_str(&entry.given));
                    set(
                        &r,
                        "normalizedTo",
                        &JsValue::from_str(&entry.recipient.normalized),
                    );
                    recipients.push(&r);
                }
                set(object, "recipients", &recipients);
            }
        }
        _ => {}
    }
    js.into()
}
