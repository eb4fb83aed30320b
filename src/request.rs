//! A signed request for any operation of Dysmsapi 2018-05-01: exactly what the official SDK puts
//! on the wire for the same inputs, time and nonce (docs/spec/wire-format.md §2-§4, §8, §10; docs/spec/operations.md
//! §6).
//!
//! Each operation says what it sends as a [`Call`]: its [`Action`] and its parameters as text, in
//! the SDK's insertion order. Everything else lives here once: the common parameters of signature
//! 1.0, the headers of ACS3, and where the parameters go. Every operation sends `POST /`; all but
//! ConversionData put their parameters in the query with an empty body (docs/spec/DECISIONS.md §3);
//! ConversionData sends its own in an `application/x-www-form-urlencoded` body. Time and nonce are
//! arguments: the core has no clock and no randomness.

use crate::batch::Batch;
use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::signature::{acs3, percent, v1};
use crate::timestamp::Timestamp;

/// The batch operation's name, kept for callers that predate [`Action`].
pub const ACTION: &str = Action::BatchSendMessageToGlobe.as_str();
/// The API version (`Version` / `x-acs-version`).
pub const API_VERSION: &str = "2018-05-01";
/// Longest nonce we accept: Node's SDK uses 64 hex characters, UUIDs are 36.
pub const MAX_NONCE_LENGTH: usize = 128;
/// The `content-type` of a form body (ConversionData; docs/spec/operations.md §6).
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// The operations of the version this package calls (docs/spec/operations.md §1; `SendMessageWithTemplate`
/// is mainland-only and out of scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// Up to 1000 numbers in one call.
    BatchSendMessageToGlobe,
    /// One number, free text.
    SendMessageToGlobe,
    /// One message's delivery status.
    QueryMessage,
    /// Feedback that one OTP message was used.
    SmsConversion,
    /// An aggregate OTP conversion rate.
    ConversionData,
}

impl Action {
    /// Every operation, in the order above.
    pub const ALL: &'static [Action] = &[
        Action::BatchSendMessageToGlobe,
        Action::SendMessageToGlobe,
        Action::QueryMessage,
        Action::SmsConversion,
        Action::ConversionData,
    ];

    /// The name sent in `Action` / `x-acs-action`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::BatchSendMessageToGlobe => "BatchSendMessageToGlobe",
            Action::SendMessageToGlobe => "SendMessageToGlobe",
            Action::QueryMessage => "QueryMessage",
            Action::SmsConversion => "SmsConversion",
            Action::ConversionData => "ConversionData",
        }
    }

    /// The operation a name denotes, exactly as Alibaba spells it.
    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.as_str() == name)
    }

    /// Whether a call hands messages to carriers: billed on submission and never recalled, so a
    /// call whose outcome is unknown must not be sent again (docs/spec/DECISIONS.md §5). The other
    /// operations read a record or report feedback; sending one of them twice costs a request
    /// of the account's QPS and nothing else (see `retry::Safety`).
    pub fn sends_messages(self) -> bool {
        matches!(
            self,
            Action::BatchSendMessageToGlobe | Action::SendMessageToGlobe
        )
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which signature the request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureScheme {
    /// Signature 1.0 (HMAC-SHA1), everything in the query, no custom headers: a CORS "simple
    /// request" in browsers (docs/spec/DECISIONS.md §2). The default.
    #[default]
    V1,
    /// ACS3-HMAC-SHA256, the official SDK's default: signed `x-acs-*` headers and `Authorization`.
    Acs3,
}

impl SignatureScheme {
    /// `1.0` or `ACS3`, as the JavaScript option reads.
    pub fn as_str(&self) -> &'static str {
        match self {
            SignatureScheme::V1 => "1.0",
            SignatureScheme::Acs3 => "ACS3",
        }
    }

    /// Reads `1.0` / `ACS3` (also the algorithm name `ACS3-HMAC-SHA256`).
    pub fn parse(text: &str) -> Option<SignatureScheme> {
        match text {
            "1.0" => Some(SignatureScheme::V1),
            "ACS3" | "ACS3-HMAC-SHA256" => Some(SignatureScheme::Acs3),
            _ => None,
        }
    }
}

/// An HTTP request ready to send. `host`, `content-length` and `user-agent` are left to the HTTP
/// client (browsers forbid setting them); the URL's host is the one that was signed.
/// `SignedRequest` in types.d.ts: `headers` as an object, in the order they are sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignedRequest {
    /// Always `POST`.
    pub method: &'static str,
    /// Endpoint, path `/`, and the query in the official SDK's order and encoding.
    pub url: String,
    /// Headers in the SDK's order: for signature 1.0 none, or `content-type` alone with a form
    /// body; for ACS3 the `x-acs-*` set, `accept`, `content-type` with a form body, and
    /// `Authorization`.
    #[serde(serialize_with = "crate::error::as_js_object")]
    pub headers: Vec<(String, String)>,
    /// Empty, except for ConversionData: its parameters as `name=value&…`.
    pub body: String,
}

/// Where a parameter travels (docs/spec/operations.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// In the URL query (every operation but ConversionData).
    Query,
    /// In an `application/x-www-form-urlencoded` body (ConversionData).
    Form,
}

/// What one call sends, before signing: its operation and its parameters as text, in the order
/// the official SDK inserts them. That order is the generated model's, which lists every
/// operation's parameters by name (docs/spec/wire-format.md §3; the `queryParameterOrder` and
/// `bodyParameterOrder` of golden/operations-v1.json); it only shows in the URL and the body, the
/// signatures sort anyway. A parameter left out is not sent (docs/spec/operations.md §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    action: Action,
    parameters: Vec<(&'static str, String, Placement)>,
}

impl Call {
    /// A call of `action` with no parameters yet.
    pub fn new(action: Action) -> Call {
        Call {
            action,
            parameters: Vec::new(),
        }
    }

    /// Adds a parameter sent in the query.
    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Call {
        self.parameters.push((name, value.into(), Placement::Query));
        self
    }

    /// Adds a query parameter when there is a value; `None` is not sent at all.
    pub fn query_if(self, name: &'static str, value: Option<impl Into<String>>) -> Call {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Adds a parameter sent in the form body.
    pub fn form(mut self, name: &'static str, value: impl Into<String>) -> Call {
        self.parameters.push((name, value.into(), Placement::Form));
        self
    }

    /// Adds a form parameter when there is a value; `None` is not sent at all.
    pub fn form_if(self, name: &'static str, value: Option<impl Into<String>>) -> Call {
        match value {
            Some(value) => self.form(name, value),
            None => self,
        }
    }

    /// The operation.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Every parameter, in insertion order.
    pub fn parameters(&self) -> impl Iterator<Item = (&'static str, &str, Placement)> + '_ {
        self.parameters
            .iter()
            .map(|(name, value, placement)| (*name, value.as_str(), *placement))
    }

    /// The value of parameter `name`, wherever it travels.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.parameters()
            .find(|(n, _, _)| *n == name)
            .map(|(_, v, _)| v)
    }

    fn placed(&self, placement: Placement) -> Vec<(&str, &str)> {
        self.parameters()
            .filter(|(_, _, p)| *p == placement)
            .map(|(n, v, _)| (n, v))
            .collect()
    }

    /// The form body: `name=value` pairs in order, joined with `&`; empty without form
    /// parameters. Values use the URL encoder, which for ConversionData's digits and dots writes
    /// them as they are, as the SDK's `querystring` does (docs/spec/operations.md §6).
    pub fn body(&self) -> String {
        let mut body = String::new();
        for (i, (name, value)) in self.placed(Placement::Form).iter().enumerate() {
            if i > 0 {
                body.push('&');
            }
            body.push_str(name);
            body.push('=');
            percent::encode_for_url_into(value, &mut body);
        }
        body
    }
}

/// A batch's operation parameters as strings, before signing: the SDK treats `To` and `Message`
/// as opaque text, and so does this shape (the golden tests feed it the vectors' inputs as given).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OperationParameters {
    /// `From`, when sent.
    pub from: Option<String>,
    /// `Message`: a JSON array of texts.
    pub message: String,
    /// `TaskId`, when sent.
    pub task_id: Option<String>,
    /// `To`: a JSON array of numbers.
    pub to: String,
    /// `Type`: `NOTIFY` or `MKT`.
    pub message_type: String,
    /// `ValidityPeriod` in seconds, when sent.
    pub validity_period: Option<u32>,
    /// `ChannelId`, when sent.
    pub channel_id: Option<String>,
}

impl OperationParameters {
    /// The parameters of a validated batch.
    pub fn of_batch(batch: &Batch) -> OperationParameters {
        OperationParameters {
            from: batch.from().map(|f| f.as_str().to_string()),
            message: batch.message_parameter(),
            task_id: batch.task_id().map(str::to_string),
            to: batch.to_parameter(),
            message_type: batch.message_type().as_str().to_string(),
            validity_period: batch.validity_period().map(|v| v.seconds()),
            channel_id: batch.channel_id().map(|c| c.as_str().to_string()),
        }
    }

    /// The `BatchSendMessageToGlobe` call, parameters in the SDK's order: `ChannelId`, `From`,
    /// `Message`, `TaskId`, `To`, `Type`, `ValidityPeriod` (docs/spec/wire-format.md §3).
    pub fn call(&self) -> Call {
        Call::new(Action::BatchSendMessageToGlobe)
            .query_if("ChannelId", self.channel_id.as_deref())
            .query_if("From", self.from.as_deref())
            .query("Message", self.message.as_str())
            .query_if("TaskId", self.task_id.as_deref())
            .query("To", self.to.as_str())
            .query("Type", self.message_type.as_str())
            .query_if("ValidityPeriod", self.validity_period.map(|v| v.to_string()))
    }
}

/// Where and how to sign: endpoint, scheme, and the attempt's time and nonce.
#[derive(Debug, Clone, Copy)]
pub struct SigningContext<'a> {
    /// Where the request goes (its host is signed under ACS3).
    pub endpoint: &'a Endpoint,
    /// Which signature.
    pub scheme: SignatureScheme,
    /// The attempt's time: a resend needs a fresh one.
    pub timestamp: Timestamp,
    /// Unique per attempt: a resend needs a fresh one (the gateway refuses a repeat).
    pub nonce: &'a str,
}

/// The intermediate texts of the signature, for tests and debugging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningTrace {
    /// Signature 1.0 texts.
    V1(v1::V1Signature),
    /// ACS3 texts.
    Acs3(acs3::Acs3Signature),
}

/// Signs one call. The fast path: no intermediate text is kept, so none is built.
pub fn sign(
    call: &Call,
    credentials: &Credentials,
    context: &SigningContext<'_>,
) -> Result<SignedRequest, Error> {
    check_nonce(context.nonce)?;
    Ok(match context.scheme {
        SignatureScheme::V1 => {
            let secret = credentials.access_key_secret();
            build_v1(call, credentials, context, |signed, url| match url {
                Some(url) => (v1::signature_writing_query("POST", signed, secret, url), ()),
                None => (v1::sign("POST", signed, secret).signature, ()),
            })
            .0
        }
        SignatureScheme::Acs3 => {
            let (id, secret) = (credentials.access_key_id(), credentials.access_key_secret());
            build_acs3(call, credentials, context, |input, url| {
                (
                    acs3::authorization_writing_query(input, id, secret, url),
                    (),
                )
            })
            .0
        }
    })
}

/// Signs one call and returns the request with the signature's intermediate texts.
pub fn sign_traced(
    call: &Call,
    credentials: &Credentials,
    context: &SigningContext<'_>,
) -> Result<(SignedRequest, SigningTrace), Error> {
    check_nonce(context.nonce)?;
    Ok(match context.scheme {
        SignatureScheme::V1 => {
            let secret = credentials.access_key_secret();
            let (request, trace) = build_v1(call, credentials, context, |signed, url| {
                let trace = v1::sign_with("POST", signed, secret, url);
                (trace.signature.clone(), trace)
            });
            (request, SigningTrace::V1(trace))
        }
        SignatureScheme::Acs3 => {
            let (id, secret) = (credentials.access_key_id(), credentials.access_key_secret());
            let (request, trace) = build_acs3(call, credentials, context, |input, url| {
                let trace = acs3::sign_with(input, id, secret, Some(url));
                (trace.authorization.clone(), trace)
            });
            (request, SigningTrace::Acs3(trace))
        }
    })
}

/// Signs a validated batch.
pub fn sign_batch(
    batch: &Batch,
    credentials: &Credentials,
    context: &SigningContext<'_>,
) -> Result<SignedRequest, Error> {
    sign(&OperationParameters::of_batch(batch).call(), credentials, context)
}

/// Signs a batch's parameters as given and returns the request with the signature's
/// intermediate texts.
pub fn sign_parameters(
    parameters: &OperationParameters,
    credentials: &Credentials,
    context: &SigningContext<'_>,
) -> Result<(SignedRequest, SigningTrace), Error> {
    sign_traced(&parameters.call(), credentials, context)
}

/// Whether `request` (signed elsewhere) sends exactly `batch`: its query's `To`, `Message`,
/// `Type`, `From`, `TaskId`, `ChannelId` and `ValidityPeriod` decode to the batch's. A signing
/// service must not be able to send other numbers or texts than the ones the caller's results
/// will be mapped to.
pub fn carries(request: &SignedRequest, batch: &Batch) -> bool {
    sends(request, &OperationParameters::of_batch(batch).call())
}

/// Whether `request` (signed elsewhere) sends exactly the parameters of `call`, each where the
/// call puts it: the same operation (`Action` in the query for signature 1.0, `x-acs-action`
/// for ACS3, once), and no parameter of the operation's missing, added, repeated or changed.
/// The other common parameters (`Timestamp`, `Signature`, …) are the signer's business.
pub fn sends(request: &SignedRequest, call: &Call) -> bool {
    let query = request.url.split_once('?').map_or("", |(_, q)| q);
    let (Some(query), Some(form)) = (decoded_pairs(query), decoded_pairs(&request.body)) else {
        return false;
    };
    let named = query
        .iter()
        .filter(|(name, _)| name == "Action")
        .map(|(_, value)| value.as_str())
        .chain(
            request
                .headers
                .iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case("x-acs-action"))
                .map(|(_, value)| value.as_str()),
        );
    if !named.eq([call.action.as_str()]) {
        return false;
    }
    [(Placement::Query, query), (Placement::Form, form)]
        .into_iter()
        .all(|(placement, sent)| {
            let wanted = call.placed(placement);
            let ours: Vec<&(String, String)> = sent
                .iter()
                .filter(|(name, _)| operation_parameter(call.action, name))
                .collect();
            ours.len() == wanted.len()
                && wanted.iter().all(|(name, value)| {
                    let mut found = ours.iter().filter(|(n, _)| n == name);
                    matches!(
                        (found.next(), found.next()),
                        (Some((_, v)), None) if v == value
                    )
                })
        })
}

/// The names an operation's own parameters may have (docs/spec/operations.md §2, §6): a parameter of these
/// names in a signed request must be one the caller asked for.
fn operation_parameter(action: Action, name: &str) -> bool {
    let names: &[&str] = match action {
        // The same names for one number and for a batch (`Type` is in the SDK's model of both).
        Action::BatchSendMessageToGlobe | Action::SendMessageToGlobe => &[
            "ChannelId",
            "From",
            "Message",
            "TaskId",
            "To",
            "Type",
            "ValidityPeriod",
        ],
        Action::QueryMessage => &["MessageId"],
        Action::SmsConversion => &["ConversionTime", "Delivered", "MessageId", "To"],
        Action::ConversionData => &["ConversionRate", "ReportTime"],
    };
    names.contains(&name)
}

/// `name=value` pairs of a query or form body, decoded (`+` read as a space, as form encoders
/// write it); `None` when an escape is broken.
fn decoded_pairs(text: &str) -> Option<Vec<(String, String)>> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent::decode(name)?, percent::decode(value)?))
        })
        .collect()
}

fn check_nonce(nonce: &str) -> Result<(), Error> {
    let ok = !nonce.is_empty()
        && nonce.len() <= MAX_NONCE_LENGTH
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidNonce)
    }
}

/// The endpoint's base URL with room for the query of `parameters` (and `extra` bytes more), so
/// a 600 KB URL is written without being copied as it grows.
fn url_with_room(endpoint: &Endpoint, parameters: &[(&str, &str)], extra: usize) -> String {
    let mut url = endpoint.base_url();
    let query: usize = parameters
        .iter()
        .map(|(name, value)| 1 + name.len() + 1 + percent::url_encoded_len(value))
        .sum();
    url.reserve(query + extra);
    url
}

/// Appends `parameters` to `url` as its query, in order, with the SDK's URL encoding.
fn write_query(url: &mut String, parameters: &[(&str, &str)]) {
    for (i, (name, value)) in parameters.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(name);
        url.push('=');
        percent::encode_for_url_into(value, url);
    }
}

/// Builds the signature 1.0 request. `sign` gets every signed parameter and returns the
/// signature, with whatever else it keeps; given the URL it also writes them onto it as the
/// query, which it is given only when every signed parameter travels there.
fn build_v1<T>(
    call: &Call,
    credentials: &Credentials,
    context: &SigningContext<'_>,
    sign: impl FnOnce(&[(&str, &str)], Option<&mut String>) -> (String, T),
) -> (SignedRequest, T) {
    let timestamp = context.timestamp.to_string();
    // The SDK's insertion order (docs/spec/wire-format.md §3); the signature itself sorts.
    let mut wire: Vec<(&str, &str)> = vec![
        ("Action", call.action.as_str()),
        ("Format", "json"),
        ("Version", API_VERSION),
        ("Timestamp", timestamp.as_str()),
        ("SignatureNonce", context.nonce),
    ];
    wire.extend(call.placed(Placement::Query));
    if let Some(token) = credentials.security_token() {
        wire.push(("SecurityToken", token));
    }
    wire.push(("SignatureMethod", "HMAC-SHA1"));
    wire.push(("SignatureVersion", "1.0"));
    wire.push(("AccessKeyId", credentials.access_key_id()));

    // "&Signature=" and 28 Base64 characters, at most 3 bytes each once URL-encoded.
    let mut url = url_with_room(context.endpoint, &wire, 11 + 28 * 3);
    let form = call.placed(Placement::Form);
    let (signature, kept) = if form.is_empty() {
        sign(&wire, Some(&mut url))
    } else {
        // Form parameters are signed in the one sorted set with the query's (docs/spec/operations.md §6)
        // but travel in the body: a few short values, so the plain path is enough.
        let mut signed = wire.clone();
        signed.extend(form.iter().copied());
        let kept = sign(&signed, None);
        write_query(&mut url, &wire);
        kept
    };
    // Sent last, after every signed parameter, as the SDK does.
    url.push_str(if wire.is_empty() { "?" } else { "&" });
    url.push_str("Signature=");
    percent::encode_for_url_into(&signature, &mut url);
    let (headers, body) = if form.is_empty() {
        (Vec::new(), String::new())
    } else {
        // The one header this path sends, and a CORS-safelisted one (docs/spec/DECISIONS.md §2).
        (
            vec![("content-type".to_string(), FORM_CONTENT_TYPE.to_string())],
            call.body(),
        )
    };
    (
        SignedRequest {
            method: "POST",
            url,
            headers,
            body,
        },
        kept,
    )
}

/// Builds the ACS3 request; `sign` writes the query onto the URL and returns the
/// `Authorization` value, with whatever else it keeps.
fn build_acs3<T>(
    call: &Call,
    credentials: &Credentials,
    context: &SigningContext<'_>,
    sign: impl FnOnce(&acs3::CanonicalInput<'_>, &mut String) -> (String, T),
) -> (SignedRequest, T) {
    let date = context.timestamp.to_string();
    let query = call.placed(Placement::Query);
    let body = call.body();
    // The body's hash and its type are signed (docs/spec/wire-format.md §10.2-§10.3, docs/spec/operations.md §6).
    let (payload_sha256, content_type) = if body.is_empty() {
        (acs3::EMPTY_PAYLOAD_SHA256.to_string(), None)
    } else {
        (acs3::payload_sha256(body.as_bytes()), Some(FORM_CONTENT_TYPE))
    };
    // Headers in the SDK's order (docs/spec/wire-format.md §10.2), without host and user-agent.
    let mut headers: Vec<(&str, &str)> = vec![
        ("x-acs-version", API_VERSION),
        ("x-acs-action", call.action.as_str()),
        ("x-acs-date", date.as_str()),
        ("x-acs-signature-nonce", context.nonce),
        ("accept", "application/json"),
    ];
    if let Some(content_type) = content_type {
        headers.push(("content-type", content_type));
    }
    headers.push(("x-acs-content-sha256", payload_sha256.as_str()));
    headers.push(("x-acs-credentials-provider", credentials.provider_name()));
    if let Some(token) = credentials.security_token() {
        headers.push(("x-acs-accesskey-id", credentials.access_key_id()));
        headers.push(("x-acs-security-token", token));
    }
    // Signed: host, content-type and every x-acs-* header (§10.3); accept and user-agent are not.
    let mut to_sign: Vec<(&str, &str)> = vec![("host", context.endpoint.host())];
    to_sign.extend(
        headers
            .iter()
            .filter(|(name, _)| name.starts_with("x-acs-") || *name == "content-type")
            .copied(),
    );
    let mut url = url_with_room(context.endpoint, &query, 0);
    let (authorization, kept) = sign(
        &acs3::CanonicalInput {
            method: "POST",
            path: "/",
            query: &query,
            headers: &to_sign,
            payload_sha256: &payload_sha256,
        },
        &mut url,
    );
    let mut owned: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
        .collect();
    owned.push(("Authorization".to_string(), authorization));
    (
        SignedRequest {
            method: "POST",
            url,
            headers: owned,
            body,
        },
        kept,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> OperationParameters {
        OperationParameters {
            from: None,
            message: "[\"hi\"]".into(),
            task_id: None,
            to: "[\"6591234567\"]".into(),
            message_type: "NOTIFY".into(),
            ..OperationParameters::default()
        }
    }

    #[test]
    fn a_request_carries_its_batch_and_nothing_else() {
        use crate::batch::{BatchInput, Messages};
        let creds = Credentials::new("id", "secret", None).unwrap();
        let endpoint = Endpoint::default();
        let ts = Timestamp::from_unix_seconds(1_700_000_000).unwrap();
        let batch_of = |to: &str, text: &str| {
            Batch::validate(&BatchInput::new(
                vec![to.into()],
                Messages::One(text.into()),
            ))
            .unwrap()
        };
        let ours = batch_of("+852 9123 4567", "hi there (1)*");
        for scheme in [SignatureScheme::V1, SignatureScheme::Acs3] {
            let ctx = SigningContext {
                endpoint: &endpoint,
                scheme,
                timestamp: ts,
                nonce: "n",
            };
            let signed = sign_batch(&ours, &creds, &ctx).unwrap();
            assert!(carries(&signed, &ours));
            let other =
                sign_batch(&batch_of("+44 7911 123456", "hi there (1)*"), &creds, &ctx).unwrap();
            assert!(!carries(&other, &ours));
            let other_text =
                sign_batch(&batch_of("+852 9123 4567", "other"), &creds, &ctx).unwrap();
            assert!(!carries(&other_text, &ours));
            let mut doubled = signed.clone();
            doubled.url.push_str("&To=%5B%5D");
            assert!(!carries(&doubled, &ours));
        }
        // '+' for a space, as form encoders write it, reads the same.
        let plus = SignedRequest {
            method: "POST",
            url: "https://h/?Action=BatchSendMessageToGlobe&Message=%5B%22hi+there+%281%29*%22%5D&To=%5B%2285291234567%22%5D&Type=NOTIFY"
                .into(),
            headers: Vec::new(),
            body: String::new(),
        };
        assert!(carries(&plus, &ours));
    }

    #[test]
    fn nonce_must_be_url_safe_and_bounded() {
        let creds = Credentials::new("id", "secret", None).unwrap();
        let endpoint = Endpoint::default();
        let ts = Timestamp::from_unix_seconds(1_700_000_000).unwrap();
        for bad in ["", "a b", "a&b", "é", &"x".repeat(MAX_NONCE_LENGTH + 1)] {
            let ctx = SigningContext {
                endpoint: &endpoint,
                scheme: SignatureScheme::V1,
                timestamp: ts,
                nonce: bad,
            };
            assert_eq!(
                sign_parameters(&params(), &creds, &ctx).unwrap_err(),
                Error::InvalidNonce,
                "{bad:?}"
            );
        }
        let ctx = SigningContext {
            endpoint: &endpoint,
            scheme: SignatureScheme::V1,
            timestamp: ts,
            nonce: "0f3e9b7a-5c1d",
        };
        assert!(sign_parameters(&params(), &creds, &ctx).is_ok());
    }

    #[test]
    fn v1_sends_no_headers_and_acs3_no_common_parameters() {
        let creds = Credentials::new("id", "secret", Some("tok".into())).unwrap();
        let endpoint = Endpoint::parse("http://127.0.0.1:9000").unwrap();
        let ts = Timestamp::from_unix_seconds(1_700_000_000).unwrap();
        let v1ctx = SigningContext {
            endpoint: &endpoint,
            scheme: SignatureScheme::V1,
            timestamp: ts,
            nonce: "n1",
        };
        let (r1, _) = sign_parameters(&params(), &creds, &v1ctx).unwrap();
        assert!(r1.headers.is_empty());
        assert!(r1
            .url
            .starts_with("http://127.0.0.1:9000/?Action=BatchSendMessageToGlobe&Format=json&"));
        assert!(r1.url.contains("&SecurityToken=tok&"));
        let a3ctx = SigningContext {
            scheme: SignatureScheme::Acs3,
            ..v1ctx
        };
        let (r3, trace) = sign_parameters(&params(), &creds, &a3ctx).unwrap();
        assert_eq!(
            r3.url,
            "http://127.0.0.1:9000/?Message=%5B%22hi%22%5D&To=%5B%226591234567%22%5D&Type=NOTIFY"
        );
        let SigningTrace::Acs3(t) = trace else {
            panic!("scheme")
        };
        assert!(t.canonical_headers.starts_with("host:127.0.0.1:9000\n"));
        assert!(r3
            .headers
            .iter()
            .any(|(n, v)| n == "x-acs-security-token" && v == "tok"));
    }
}
