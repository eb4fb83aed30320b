//! A signed `BatchSendMessageToGlobe` request: exactly what the official SDK puts on the wire
//! for the same inputs, time and nonce (wire-format.md §2-§4, §8, §10).
//!
//! Both schemes send `POST /` with every operation parameter in the query and an empty body
//! (DECISIONS.md §3). Time and nonce are arguments: the core has no clock and no randomness.

use crate::batch::Batch;
use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::signature::{acs3, percent, v1};
use crate::timestamp::Timestamp;

/// The operation name (`Action` / `x-acs-action`).
pub const ACTION: &str = "BatchSendMessageToGlobe";
/// The API version (`Version` / `x-acs-version`).
pub const API_VERSION: &str = "2018-05-01";
/// Longest nonce we accept: Node's SDK uses 64 hex characters, UUIDs are 36.
pub const MAX_NONCE_LENGTH: usize = 128;

/// Which signature the request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureScheme {
    /// Signature 1.0 (HMAC-SHA1), everything in the query, no custom headers: a CORS "simple
    /// request" in browsers (DECISIONS.md §2). The default.
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
    /// Headers in the SDK's order: none for signature 1.0; the `x-acs-*` set, `accept` and
    /// `Authorization` for ACS3.
    #[serde(serialize_with = "crate::error::as_js_object")]
    pub headers: Vec<(String, String)>,
    /// Always empty: every parameter travels in the query.
    pub body: String,
}

/// The operation parameters, as strings, before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
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
        }
    }

    /// Set parameters in the order the SDK inserts them: `ChannelId`, `From`, `Message`, `TaskId`,
    /// `To`, `Type`, `ValidityPeriod` (wire-format.md §3; we send neither `ChannelId` nor
    /// `ValidityPeriod`, which the operation page does not list).
    fn in_wire_order(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::with_capacity(5);
        if let Some(from) = &self.from {
            out.push(("From", from.as_str()));
        }
        out.push(("Message", self.message.as_str()));
        if let Some(task_id) = &self.task_id {
            out.push(("TaskId", task_id.as_str()));
        }
        out.push(("To", self.to.as_str()));
        out.push(("Type", self.message_type.as_str()));
        out
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

/// Signs a validated batch.
pub fn sign_batch(
    batch: &Batch,
    credentials: &Credentials,
    context: &SigningContext<'_>,
) -> Result<SignedRequest, Error> {
    check_nonce(context.nonce)?;
    let parameters = OperationParameters::of_batch(batch);
    // The fast path: no intermediate text is kept, so none is built.
    Ok(match context.scheme {
        SignatureScheme::V1 => {
            sign_v1(&parameters, credentials, context, |wire, url| {
                let secret = credentials.access_key_secret();
                (v1::signature_writing_query("POST", wire, secret, url), ())
            })
            .0
        }
        SignatureScheme::Acs3 => {
            sign_acs3(&parameters, credentials, context, |input, url| {
                let (id, secret) = (credentials.access_key_id(), credentials.access_key_secret());
                (
                    acs3::authorization_writing_query(input, id, secret, url),
                    (),
                )
            })
            .0
        }
    })
}

/// Signs operation parameters as given (the SDK treats `To` and `Message` as opaque text) and
/// returns the request with the signature's intermediate texts.
pub fn sign_parameters(
    parameters: &OperationParameters,
    credentials: &Credentials,
    context: &SigningContext<'_>,
) -> Result<(SignedRequest, SigningTrace), Error> {
    check_nonce(context.nonce)?;
    Ok(match context.scheme {
        SignatureScheme::V1 => {
            let (request, trace) = sign_v1(parameters, credentials, context, |wire, url| {
                let secret = credentials.access_key_secret();
                let trace = v1::sign_with("POST", wire, secret, Some(url));
                (trace.signature.clone(), trace)
            });
            (request, SigningTrace::V1(trace))
        }
        SignatureScheme::Acs3 => {
            let (request, trace) = sign_acs3(parameters, credentials, context, |input, url| {
                let (id, secret) = (credentials.access_key_id(), credentials.access_key_secret());
                let trace = acs3::sign_with(input, id, secret, Some(url));
                (trace.authorization.clone(), trace)
            });
            (request, SigningTrace::Acs3(trace))
        }
    })
}

/// Whether `request` (signed elsewhere) sends exactly `batch`: its query's `To`, `Message`,
/// `Type`, `From` and `TaskId` decode to the batch's. A signing service must not be able to
/// send other numbers or texts than the ones the caller's results will be mapped to.
pub fn carries(request: &SignedRequest, batch: &Batch) -> bool {
    let Some((_, query)) = request.url.split_once('?') else {
        return false;
    };
    let mut sent: Vec<(String, String)> = Vec::new();
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(name), Some(value)) = (percent::decode(name), percent::decode(value)) else {
            return false;
        };
        if ["From", "Message", "TaskId", "To", "Type"].contains(&name.as_str()) {
            if sent.iter().any(|(n, _)| *n == name) {
                return false;
            }
            sent.push((name, value));
        }
    }
    let wanted = OperationParameters::of_batch(batch);
    let wanted = wanted.in_wire_order();
    sent.len() == wanted.len()
        && wanted
            .iter()
            .all(|(name, value)| sent.iter().any(|(n, v)| n == name && v == value))
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

/// Builds the signature 1.0 request; `sign` writes the query onto the URL and returns the
/// signature, with whatever else it keeps.
fn sign_v1<T>(
    parameters: &OperationParameters,
    credentials: &Credentials,
    context: &SigningContext<'_>,
    sign: impl FnOnce(&[(&str, &str)], &mut String) -> (String, T),
) -> (SignedRequest, T) {
    let timestamp = context.timestamp.to_string();
    // The SDK's insertion order (wire-format.md §3); the signature itself sorts.
    let mut wire: Vec<(&str, &str)> = vec![
        ("Action", ACTION),
        ("Format", "json"),
        ("Version", API_VERSION),
        ("Timestamp", timestamp.as_str()),
        ("SignatureNonce", context.nonce),
    ];
    wire.extend(parameters.in_wire_order());
    if let Some(token) = credentials.security_token() {
        wire.push(("SecurityToken", token));
    }
    wire.push(("SignatureMethod", "HMAC-SHA1"));
    wire.push(("SignatureVersion", "1.0"));
    wire.push(("AccessKeyId", credentials.access_key_id()));

    // "&Signature=" and 28 Base64 characters, at most 3 bytes each once URL-encoded.
    let mut url = url_with_room(context.endpoint, &wire, 11 + 28 * 3);
    let (signature, kept) = sign(&wire, &mut url);
    // Sent last, after every signed parameter, as the SDK does.
    url.push_str(if wire.is_empty() { "?" } else { "&" });
    url.push_str("Signature=");
    percent::encode_for_url_into(&signature, &mut url);
    (
        SignedRequest {
            method: "POST",
            url,
            headers: Vec::new(),
            body: String::new(),
        },
        kept,
    )
}

/// Builds the ACS3 request; `sign` writes the query onto the URL and returns the
/// `Authorization` value, with whatever else it keeps.
fn sign_acs3<T>(
    parameters: &OperationParameters,
    credentials: &Credentials,
    context: &SigningContext<'_>,
    sign: impl FnOnce(&acs3::CanonicalInput<'_>, &mut String) -> (String, T),
) -> (SignedRequest, T) {
    let date = context.timestamp.to_string();
    let query = parameters.in_wire_order();
    // Headers in the SDK's order (wire-format.md §10.2), without host and user-agent.
    let mut headers: Vec<(&str, &str)> = vec![
        ("x-acs-version", API_VERSION),
        ("x-acs-action", ACTION),
        ("x-acs-date", date.as_str()),
        ("x-acs-signature-nonce", context.nonce),
        ("accept", "application/json"),
        ("x-acs-content-sha256", acs3::EMPTY_PAYLOAD_SHA256),
        ("x-acs-credentials-provider", credentials.provider_name()),
    ];
    if let Some(token) = credentials.security_token() {
        headers.push(("x-acs-accesskey-id", credentials.access_key_id()));
        headers.push(("x-acs-security-token", token));
    }
    // Signed: host and every x-acs-* header (§10.3); accept and user-agent are not.
    let mut to_sign: Vec<(&str, &str)> = vec![("host", context.endpoint.host())];
    to_sign.extend(
        headers
            .iter()
            .filter(|(name, _)| name.starts_with("x-acs-"))
            .copied(),
    );
    let mut url = url_with_room(context.endpoint, &query, 0);
    let (authorization, kept) = sign(
        &acs3::CanonicalInput {
            method: "POST",
            path: "/",
            query: &query,
            headers: &to_sign,
            payload_sha256: acs3::EMPTY_PAYLOAD_SHA256,
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
            body: String::new(),
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
            url: "https://h/?Message=%5B%22hi+there+%281%29*%22%5D&To=%5B%2285291234567%22%5D&Type=NOTIFY"
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
