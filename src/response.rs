//! Reading the service's answer: (HTTP status, headers, body bytes) → per-recipient outcomes or a
//! typed error. Never assumes the body is JSON, never panics, never returns a raw parse error.
//!
//! How MessageIds are paired with recipients (docs/spec/DECISIONS.md §6, not established by Alibaba's docs):
//! `FailedList` names numbers; every recipient whose number is in it failed. `MessageIdList` is
//! paired in order with the remaining recipients. When the two counts disagree we do not guess:
//! those recipients are reported sent (the service said OK and did not list them as failed) with
//! `message_id: None`, and the outcome carries an `Anomaly` saying so.
//!
//! What an error keeps of the answer is decided by `redact::KnownSecrets`: service text (a message,
//! a body excerpt) only when the client holds every secret, scrubbed; codes, the RequestId, the
//! `Recommend` link and FailedList numbers only in their known shapes.

use serde::Serialize;

use crate::batch::{Batch, DroppedDuplicate};
use crate::error::{Error, ServiceError, ServiceErrorKind, UnknownReason};
use crate::json_text::{self, JsonValue};
use crate::redact::KnownSecrets;

/// Longest excerpt of an unreadable body kept in an error, in characters.
pub const EXCERPT_CHARACTERS: usize = 160;
/// Longest service message kept in an error, in characters.
pub const MESSAGE_CHARACTERS: usize = 600;

/// A recipient the service accepted (`SentRecipient` in types.d.ts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentRecipient {
    /// Index in the caller's `to`.
    pub index: usize,
    /// The number as the caller gave it.
    pub to: String,
    /// The number as sent.
    pub normalized_to: String,
    /// The service's MessageId; `None` only when the answer's counts did not allow pairing.
    pub message_id: Option<String>,
}

/// A recipient the service listed in `FailedList` (`FailedRecipient` in types.d.ts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedRecipient {
    /// Index in the caller's `to`.
    pub index: usize,
    /// The number as the caller gave it.
    pub to: String,
    /// The number as sent.
    pub normalized_to: String,
}

/// Something in a success answer that does not add up; the outcome is still reported
/// (`Anomaly` in types.d.ts: tagged by `kind`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase"
)]
pub enum Anomaly {
    /// `MessageIdList` does not have one ID per accepted recipient: IDs were not paired.
    MessageIdCountMismatch { message_ids: usize, accepted: usize },
    /// `SuccessCount` disagrees with the number of accepted recipients.
    SuccessCountMismatch {
        #[serde(serialize_with = "crate::error::as_js_number")]
        reported: u64,
        accepted: usize,
    },
    /// `FailedList` names a number that is not in the batch: the entry as the service wrote it
    /// when it has a phone number's shape, `None` otherwise (any other text is not repeated).
    UnknownFailedNumber { number: Option<String> },
}

impl Anomaly {
    /// A stable SCREAMING_SNAKE name for the kind of anomaly.
    pub fn kind(&self) -> &'static str {
        match self {
            Anomaly::MessageIdCountMismatch { .. } => "MESSAGE_ID_COUNT_MISMATCH",
            Anomaly::SuccessCountMismatch { .. } => "SUCCESS_COUNT_MISMATCH",
            Anomaly::UnknownFailedNumber { .. } => "UNKNOWN_FAILED_NUMBER",
        }
    }
}

/// The result of one accepted `BatchSendMessageToGlobe` call (`BatchSendResult` in types.d.ts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchOutcome {
    /// `RequestId`: quote it to Alibaba support.
    pub request_id: Option<String>,
    /// `ResponseCode`: `OK`.
    pub response_code: String,
    /// `ResponseDescription`.
    pub response_description: Option<String>,
    /// `From` as echoed by the service.
    pub from: Option<String>,
    /// `SuccessCount` as a number (the service sends a string); the accepted count when absent.
    #[serde(serialize_with = "crate::error::as_js_number")]
    pub success_count: u64,
    /// Accepted recipients, in batch order.
    pub sent: Vec<SentRecipient>,
    /// Recipients in `FailedList`, in batch order.
    pub failed: Vec<FailedRecipient>,
    /// Repeats removed before sending (`drop_duplicates`).
    pub dropped: Vec<DroppedDuplicate>,
    /// What did not add up, if anything.
    pub anomalies: Vec<Anomaly>,
    /// How many requests it took (throttled attempts are resent); 1 when read directly.
    pub attempts: u32,
}

/// Reads the answer to `batch`. `known` (what the client knows of the secrets behind the request)
/// decides what service text an error keeps: scrubbed text when every secret is known, none when
/// a signer holds the secret elsewhere; codes, RequestId and `Recommend` only in known shapes.
pub fn read_batch_response(
    batch: &Batch,
    known: &KnownSecrets,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<BatchOutcome, Error> {
    read_answer(known, status, headers, body, |accepted| {
        read_success(batch, known, accepted)
    })
}

/// A success answer (HTTP 2xx, `ResponseCode` `OK`), for an operation's own reader.
#[derive(Debug, Clone, Copy)]
pub struct Accepted<'a> {
    /// The answer's JSON object.
    pub body: &'a JsonValue,
    /// `RequestId` as sent: a result keeps it whole (campaign ledgers record it), where an error
    /// keeps it only in its known shape.
    pub request_id: Option<&'a str>,
    /// `ResponseCode`: `OK`.
    pub response_code: &'a str,
}

/// Reads the answer to a call of any operation: one classification for all (the table in
/// `classify_gateway` and `classify_business`, then the status), and `read_ok` for a success.
/// `read_ok` returning `None` means a success answer it cannot read: the outcome is unknown
/// (`UNREADABLE_BODY`), as for any 2xx body that is not the expected JSON.
///
/// `known` decides what service text an error keeps (see [`read_batch_response`]).
pub fn read_answer<T>(
    known: &KnownSecrets,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    read_ok: impl FnOnce(Accepted<'_>) -> Option<T>,
) -> Result<T, Error> {
    let text = String::from_utf8_lossy(body);
    let json = json_text::parse(&text).filter(|v| matches!(v, JsonValue::Object(_)));
    let retry_after_ms =
        header(headers, "x-acs-retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let excerpt = || excerpt(&text, known);

    let Some(map) = json else {
        return Err(match status {
            // A bare 429 (a proxy, or the gateway without a body) still says "not processed".
            429 => Error::Service {
                kind: ServiceErrorKind::Throttled,
                detail: Box::new(ServiceError {
                    http_status: status,
                    service_code: None,
                    message: "HTTP 429 Too Many Requests".to_string(),
                    request_id: None,
                    recommend: None,
                    retry_after_ms,
                }),
            },
            300..=499 => Error::UnexpectedResponse {
                http_status: status,
                excerpt: excerpt(),
            },
            200..=299 => unknown(
                UnknownReason::UnreadableBody,
                status,
                None,
                None,
                Some(excerpt()),
            ),
            _ => unknown(
                UnknownReason::ServerError,
                status,
                None,
                None,
                Some(excerpt()),
            ),
        });
    };

    let request_id = field_text(&map, "RequestId").and_then(|id| known.keep_request_id(&id));
    let gateway_code = field_text(&map, "Code");
    let response_code = field_text(&map, "ResponseCode");
    let message = |key: &str| {
        field_text(&map, key)
            .map(|m| known.service_text(&m, MESSAGE_CHARACTERS))
            .unwrap_or_default()
    };

    // A gateway error body ({Code, Message, RequestId}), whatever the status.
    if let (Some(code), None) = (&gateway_code, &response_code) {
        let kind = classify_gateway(code);
        if status >= 500 && kind != ServiceErrorKind::Throttled {
            return Err(unknown(
                UnknownReason::ServerError,
                status,
                known.keep_code(code),
                request_id,
                None,
            ));
        }
        let service_code = known.keep_code(code);
        let recommend = field_text(&map, "Recommend").and_then(|link| {
            known.keep_recommend(&link, service_code.as_deref()?, request_id.as_deref())
        });
        return Err(Error::Service {
            kind,
            detail: Box::new(ServiceError {
                http_status: status,
                service_code,
                message: message("Message"),
                request_id,
                recommend,
                retry_after_ms,
            }),
        });
    }

    match (status, response_code) {
        (200..=299, Some(code)) if code == "OK" => {
            let sent_request_id = field_text(&map, "RequestId");
            read_ok(Accepted {
                body: &map,
                request_id: sent_request_id.as_deref(),
                response_code: &code,
            })
            .ok_or_else(|| {
                unknown(
                    UnknownReason::UnreadableBody,
                    status,
                    None,
                    request_id,
                    Some(excerpt()),
                )
            })
        }
        (200..=499, Some(code)) => Err(Error::Service {
            kind: classify_business(&code),
            detail: Box::new(ServiceError {
                http_status: status,
                service_code: known.keep_code(&code),
                message: message("ResponseDescription"),
                request_id,
                recommend: None,
                retry_after_ms,
            }),
        }),
        (200..=299, None) => Err(unknown(
            UnknownReason::UnreadableBody,
            status,
            None,
            request_id,
            Some(excerpt()),
        )),
        (300..=499, None) => Err(Error::UnexpectedResponse {
            http_status: status,
            excerpt: excerpt(),
        }),
        (_, code) => Err(unknown(
            UnknownReason::ServerError,
            status,
            code.and_then(|c| known.keep_code(&c)),
            request_id,
            Some(excerpt()),
        )),
    }
}

fn unknown(
    reason: UnknownReason,
    status: u16,
    service_code: Option<String>,
    request_id: Option<String>,
    excerpt: Option<String>,
) -> Error {
    Error::OutcomeUnknown {
        reason,
        http_status: Some(status),
        service_code,
        request_id,
        excerpt,
    }
}

/// The one table from a gateway `Code` to our kind (docs/spec/api-reference.md §2). Unknown codes fall to
/// `RequestRejected` and keep their code in `service_code`.
pub fn classify_gateway(code: &str) -> ServiceErrorKind {
    // The official Node SDK treats any code containing "Throttling" as throttling (wire-format §9).
    if code.contains("Throttling") {
        return ServiceErrorKind::Throttled;
    }
    match code {
        "SignatureDoesNotMatch" | "IncompleteSignature" | "InvalidSignatureMethod" => {
            ServiceErrorKind::SignatureRejected
        }
        "SignatureNonceUsed" => ServiceErrorKind::NonceReused,
        "IllegalTimestamp" => ServiceErrorKind::TimestampRejected,
        "NoPermission" => ServiceErrorKind::PermissionDenied,
        c if c.starts_with("InvalidTimeStamp") => ServiceErrorKind::TimestampRejected,
        c if c.starts_with("InvalidAccessKeyId") || c.starts_with("InvalidSecurityToken") => {
            ServiceErrorKind::CredentialsRejected
        }
        c if c.starts_with("Forbidden") => ServiceErrorKind::PermissionDenied,
        _ => ServiceErrorKind::RequestRejected,
    }
}

/// Business `ResponseCode`s (docs/spec/api-reference.md §4) to our kind.
pub fn classify_business(code: &str) -> ServiceErrorKind {
    match code {
        "QPS_LIMIT_CONTROL" => ServiceErrorKind::Throttled,
        "RAM_PERMISSION_DENY" => ServiceErrorKind::PermissionDenied,
        "DATA_NOT_EXIST" => ServiceErrorKind::RecordNotFound,
        _ => ServiceErrorKind::ServiceRejected,
    }
}

fn read_success(
    batch: &Batch,
    known: &KnownSecrets,
    accepted: Accepted<'_>,
) -> Option<BatchOutcome> {
    let map = accepted.body;
    let failed_numbers = embedded_list(map, "FailedList")?;
    let message_ids = embedded_list(map, "MessageIdList")?;
    let mut anomalies = Vec::new();

    // FailedList entries are compared by their digits, so `+852…` or spaces still match.
    let mut failed_digits: Vec<(String, bool)> = failed_numbers
        .iter()
        .map(|n| (n.chars().filter(char::is_ascii_digit).collect(), false))
        .collect();
    let mut sent = Vec::new();
    let mut failed = Vec::new();
    for entry in batch.entries() {
        let number = &entry.recipient.normalized;
        let mut hit = false;
        for (digits, seen) in failed_digits.iter_mut() {
            if digits == number {
                *seen = true;
                hit = true;
            }
        }
        if hit {
            failed.push(FailedRecipient {
                index: entry.index,
                to: entry.given.clone(),
                normalized_to: number.clone(),
            });
        } else {
            sent.push(SentRecipient {
                index: entry.index,
                to: entry.given.clone(),
                normalized_to: number.clone(),
                message_id: None,
            });
        }
    }
    for ((digits, seen), original) in failed_digits.iter().zip(&failed_numbers) {
        if !seen && !digits.is_empty() {
            anomalies.push(Anomaly::UnknownFailedNumber {
                number: known.keep_number(original),
            });
        }
    }
    if message_ids.len() == sent.len() {
        for (recipient, id) in sent.iter_mut().zip(message_ids) {
            recipient.message_id = Some(id);
        }
    } else {
        anomalies.push(Anomaly::MessageIdCountMismatch {
            message_ids: message_ids.len(),
            accepted: sent.len(),
        });
    }
    let success_count = match field_number(map, "SuccessCount") {
        Some(reported) => {
            if usize::try_from(reported).ok() != Some(sent.len()) {
                anomalies.push(Anomaly::SuccessCountMismatch {
                    reported,
                    accepted: sent.len(),
                });
            }
            reported
        }
        None => sent.len() as u64,
    };
    Some(BatchOutcome {
        request_id: accepted.request_id.map(str::to_string),
        response_code: accepted.response_code.to_string(),
        response_description: field_text(map, "ResponseDescription"),
        from: field_text(map, "From"),
        success_count,
        sent,
        failed,
        dropped: batch.dropped().to_vec(),
        anomalies,
        attempts: 1,
    })
}

/// A field by its name or its lower-camel twin (`Code` / `code`): the gateway has sent both
/// (node-sdk-response-handling.json, `http400-lowercase-keys`).
pub(crate) fn field<'a>(map: &'a JsonValue, key: &str) -> Option<&'a JsonValue> {
    map.get(key).or_else(|| {
        let mut chars = key.chars();
        let lower: String = chars
            .next()
            .map(|c| c.to_ascii_lowercase())
            .into_iter()
            .chain(chars)
            .collect();
        map.get(&lower)
    })
}

/// A string field, or a number written as text (the service sends `SuccessCount` as a string, a
/// JSON number has been seen too).
pub(crate) fn field_text(map: &JsonValue, key: &str) -> Option<String> {
    match field(map, key)? {
        JsonValue::String(s) | JsonValue::Number(s) => Some(s.clone()),
        _ => None,
    }
}

pub(crate) fn field_number(map: &JsonValue, key: &str) -> Option<u64> {
    match field(map, key)? {
        JsonValue::String(s) | JsonValue::Number(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `FailedList` / `MessageIdList`: a JSON array inside a string (`"[\"1\",\"2\"]"`). Absent, null
/// or an empty string mean an empty list; a real array is accepted too. `None` when unreadable.
fn embedded_list(map: &JsonValue, key: &str) -> Option<Vec<String>> {
    let parsed;
    let items = match field(map, key) {
        None | Some(JsonValue::Null) => return Some(Vec::new()),
        Some(JsonValue::String(s)) if s.trim().is_empty() => return Some(Vec::new()),
        Some(JsonValue::String(s)) => {
            parsed = json_text::parse(s)?;
            match &parsed {
                JsonValue::Array(items) => items,
                _ => return None,
            }
        }
        Some(JsonValue::Array(items)) => items,
        Some(_) => return None,
    };
    items
        .iter()
        .map(|v| match v {
            JsonValue::String(s) | JsonValue::Number(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A short excerpt of a body that could not be read, as an error may show it (see
/// `KnownSecrets::service_text`); an empty body says so, which quotes nothing of the service.
fn excerpt(text: &str, known: &KnownSecrets) -> String {
    if text.trim().is_empty() {
        return "(empty body)".to_string();
    }
    if known.holds_every_secret() {
        known.service_text(text, EXCERPT_CHARACTERS)
    } else {
        // In parentheses, as "(empty body)": the note is ours, not the body's.
        format!("({})", known.service_text(text, EXCERPT_CHARACTERS))
    }
}
