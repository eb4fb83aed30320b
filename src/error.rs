//! The one error type of the crate, and the list of our codes.
//!
//! `code()` strings are stable: callers `switch` on them (in JavaScript, `SmsError.code`). Alibaba's
//! own codes are never reused as ours; they are carried verbatim in `service_code()`.
//! No variant holds the AccessKeySecret, the STS token or a signature: service text is scrubbed
//! before it is stored (see `response::redact`).

use std::fmt;

use serde::Serialize;

use crate::batch::Issue;
use crate::credentials::CredentialsProblem;
use crate::endpoint::EndpointProblem;

/// What the service said, as far as an error needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// HTTP status of the answer.
    pub http_status: u16,
    /// Alibaba's code, verbatim: a gateway `Code` (`SignatureDoesNotMatch`) or a business
    /// `ResponseCode` (`INVALID_SENDERID`). `None` for a bare HTTP 429 without a body.
    pub service_code: Option<String>,
    /// Alibaba's message, scrubbed of secrets and cut to a readable length.
    pub message: String,
    /// `RequestId`, when the answer had one: quote it to Alibaba support.
    pub request_id: Option<String>,
    /// The gateway's diagnosis link (`Recommend`), when present.
    pub recommend: Option<String>,
    /// `x-acs-retry-after`, read as milliseconds, when present.
    pub retry_after_ms: Option<u64>,
}

crate::code::stable_codes! {
    /// Every `SmsError.code` (`SmsErrorCode` in types.d.ts): ours, never Alibaba's, which travel
    /// verbatim in `service_code()`.
    ErrorCode {
        InvalidBatch => "INVALID_BATCH",
        InvalidInput => "INVALID_INPUT",
        InvalidCredentials => "INVALID_CREDENTIALS",
        InvalidEndpoint => "INVALID_ENDPOINT",
        InvalidNonce => "INVALID_NONCE",
        InvalidTimestamp => "INVALID_TIMESTAMP",
        InvalidOption => "INVALID_OPTION",
        ConnectionFailed => "CONNECTION_FAILED",
        Aborted => "ABORTED",
        NotInitialized => "NOT_INITIALIZED",
        SigningFailed => "SIGNING_FAILED",
        NotAllowed => "NOT_ALLOWED",
        JournalMismatch => "JOURNAL_MISMATCH",
        JournalCorrupt => "JOURNAL_CORRUPT",
        JournalEmpty => "JOURNAL_EMPTY",
        JournalFailed => "JOURNAL_FAILED",
        /// Made by `fileJournal` (pkg-template/journal.js), not by the core: another process
        /// holds the journal's file.
        JournalLocked => "JOURNAL_LOCKED",
        Throttled => "THROTTLED",
        SignatureRejected => "SIGNATURE_REJECTED",
        CredentialsRejected => "CREDENTIALS_REJECTED",
        TimestampRejected => "TIMESTAMP_REJECTED",
        NonceReused => "NONCE_REUSED",
        PermissionDenied => "PERMISSION_DENIED",
        RequestRejected => "REQUEST_REJECTED",
        ServiceRejected => "SERVICE_REJECTED",
        RecordNotFound => "RECORD_NOT_FOUND",
        UnexpectedResponse => "UNEXPECTED_RESPONSE",
        OutcomeUnknown => "OUTCOME_UNKNOWN",
        FleetUnavailable => "FLEET_UNAVAILABLE",
        FleetUntrusted => "FLEET_UNTRUSTED",
    }
}

/// Which of our codes a service answer maps to (the table is in `response::classify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceErrorKind {
    /// `Throttling*` or `QPS_LIMIT_CONTROL`: refused before processing; safe to resend after a
    /// wait (docs/spec/DECISIONS.md §4).
    Throttled,
    /// `SignatureDoesNotMatch`, `IncompleteSignature`, `InvalidSignatureMethod`.
    SignatureRejected,
    /// `InvalidAccessKeyId.*`, `InvalidSecurityToken.*`: the key or token is unknown or disabled.
    CredentialsRejected,
    /// `InvalidTimeStamp.*`, `IllegalTimestamp`: usually the local clock is off by > 15 minutes.
    TimestampRejected,
    /// `SignatureNonceUsed`: the same nonce was sent twice.
    NonceReused,
    /// `Forbidden*`, `NoPermission`, `RAM_PERMISSION_DENY`.
    PermissionDenied,
    /// Any other gateway refusal (4xx `Code`).
    RequestRejected,
    /// A business `ResponseCode` other than `OK` (HTTP 200): the service refused the batch.
    ServiceRejected,
    /// `DATA_NOT_EXIST`: the service has no record of the MessageId asked about, usually because
    /// it is not written yet ("retry later", docs/spec/operations.md §4). Asking again later is harmless.
    RecordNotFound,
}

impl ServiceErrorKind {
    /// Our stable code for this kind.
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceErrorKind::Throttled => ErrorCode::Throttled,
            ServiceErrorKind::SignatureRejected => ErrorCode::SignatureRejected,
            ServiceErrorKind::CredentialsRejected => ErrorCode::CredentialsRejected,
            ServiceErrorKind::TimestampRejected => ErrorCode::TimestampRejected,
            ServiceErrorKind::NonceReused => ErrorCode::NonceReused,
            ServiceErrorKind::PermissionDenied => ErrorCode::PermissionDenied,
            ServiceErrorKind::RequestRejected => ErrorCode::RequestRejected,
            ServiceErrorKind::ServiceRejected => ErrorCode::ServiceRejected,
            ServiceErrorKind::RecordNotFound => ErrorCode::RecordNotFound,
        }
    }
}

/// Why the fate of a request that went out is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnknownReason {
    /// No answer within the time allowed, after the request was written.
    Timeout,
    /// The connection broke after the request was written.
    ConnectionLost,
    /// A 5xx answer: the service may have sent some messages before failing.
    ServerError,
    /// A success status whose body could not be read (truncated, XML, HTML, empty).
    UnreadableBody,
    /// The caller aborted (AbortSignal) while the request was under way.
    Aborted,
}

impl UnknownReason {
    fn describe(&self) -> &'static str {
        match self {
            UnknownReason::Timeout => "no answer came before the timeout",
            UnknownReason::ConnectionLost => "the connection broke after the request was sent",
            UnknownReason::ServerError => "the service answered with a server error",
            UnknownReason::UnreadableBody => "the service's answer could not be read",
            UnknownReason::Aborted => "the request was aborted while under way",
        }
    }

    /// A stable lower-case name (`timeout`, `connection_lost`, `server_error`, `unreadable_body`).
    pub fn as_str(&self) -> &'static str {
        match self {
            UnknownReason::Timeout => "timeout",
            UnknownReason::ConnectionLost => "connection_lost",
            UnknownReason::ServerError => "server_error",
            UnknownReason::UnreadableBody => "unreadable_body",
            UnknownReason::Aborted => "aborted",
        }
    }
}

/// Every way an operation of this crate can fail.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The batch broke one or more rules; `issues` lists every problem, not just the first.
    /// Nothing was sent.
    InvalidBatch { issues: Vec<Issue> },
    /// The input of a single-message operation (SendMessageToGlobe, QueryMessage, SmsConversion,
    /// ConversionData) broke one or more rules; `issues` lists every problem. Nothing was sent.
    InvalidInput { issues: Vec<Issue> },
    /// The credentials are incomplete. Nothing was sent.
    InvalidCredentials { problem: CredentialsProblem },
    /// The endpoint is not one we send to. Nothing was sent.
    InvalidEndpoint { problem: EndpointProblem },
    /// The nonce given for signing is empty, too long or not URL-safe. Nothing was sent.
    InvalidNonce,
    /// The time given for signing is outside years 1970..=9999. Nothing was sent.
    InvalidTimestamp,
    /// An option has the wrong type or value (e.g. `timeoutMs: -1`, `signatureVersion: "2.0"`).
    /// Nothing was sent.
    InvalidOption { field: String, message: String },
    /// The connection could not be made (refused, name not resolved), on every attempt: the
    /// request never left this machine, so nothing was sent. Safe to try again later.
    ConnectionFailed { attempts: u32 },
    /// The caller aborted before the request was sent. Nothing was sent.
    Aborted,
    /// A campaign journal does not belong to this campaign (another list, text or options), or is
    /// not a journal at all. Nothing was sent.
    JournalMismatch { reason: &'static str },
    /// A campaign journal entry (other than a torn last one) cannot be read. Nothing was sent.
    JournalCorrupt { entry: usize },
    /// `resumeCampaign` was given a journal with nothing in it (a path that does not exist, an
    /// empty file, only a header torn by a crash): there is no campaign to resume, and starting
    /// one over could send every number twice. Nothing was sent; a campaign that never wrote its
    /// header is started with `sendCampaign`.
    JournalEmpty,
    /// The campaign's journal could not be written, so the campaign stopped. `before_send`: the
    /// request it was about to send was not sent; otherwise the request was sent and its outcome
    /// is in the ledger but not in the journal.
    JournalFailed { before_send: bool },
    /// The shared store of a fleet (the `pacer` or `fleet` option: Redis, pkg-template/redis.js)
    /// threw, rejected or did not answer in time. `before_send`: nothing more was sent (the
    /// request about to go was not); otherwise a request went out and its outcome is in the
    /// ledger but not in the store, where it reads as `unknown`.
    FleetUnavailable { before_send: bool },
    /// The shared store answered something that cannot be true (a slot hours away, a request
    /// number outside the campaign, a reply of the wrong shape): nothing more was sent, since
    /// the store cannot be trusted to keep two senders apart (src/fleet.rs).
    FleetUntrusted { reply: &'static str },
    /// Delivery reports were applied to a campaign's ledger but its journal could not store
    /// them (code `JOURNAL_FAILED`). Nothing was sent; the ledger returned has them, and the
    /// next `recordReports` or `pollCampaign` can record them again.
    ReportsNotJournaled,
    /// A signing service's policy (allowed sender IDs, recipients, types, the caller's
    /// authorization) refuses this batch. Nothing was signed.
    NotAllowed { field: String, message: String },
    /// The signing service (the `signer` option) did not return a signed request. Nothing was
    /// sent.
    SigningFailed,
    /// In a browser, a synchronous function was called before `await ready()` loaded the
    /// WebAssembly module. Raised by the package's browser entry; listed here so every code has
    /// one home.
    NotInitialized,
    /// The service answered with an error it explains (gateway `Code` or business
    /// `ResponseCode`). Nothing was sent, except where `kind` says otherwise.
    Service {
        kind: ServiceErrorKind,
        detail: Box<ServiceError>,
    },
    /// An answer that is neither success nor an error we can read, with a status that says the
    /// request was not processed (3xx, 4xx). Nothing was sent.
    UnexpectedResponse { http_status: u16, excerpt: String },
    /// The request went out and its fate is not known: some or all messages may have been sent.
    /// Never resent automatically (docs/spec/DECISIONS.md §5).
    OutcomeUnknown {
        reason: UnknownReason,
        http_status: Option<u16>,
        service_code: Option<String>,
        request_id: Option<String>,
        excerpt: Option<String>,
    },
}

impl Error {
    /// Our stable SCREAMING_SNAKE code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidBatch { .. } => ErrorCode::InvalidBatch,
            Error::InvalidInput { .. } => ErrorCode::InvalidInput,
            Error::InvalidCredentials { .. } => ErrorCode::InvalidCredentials,
            Error::InvalidEndpoint { .. } => ErrorCode::InvalidEndpoint,
            Error::InvalidNonce => ErrorCode::InvalidNonce,
            Error::InvalidTimestamp => ErrorCode::InvalidTimestamp,
            Error::InvalidOption { .. } => ErrorCode::InvalidOption,
            Error::ConnectionFailed { .. } => ErrorCode::ConnectionFailed,
            Error::Aborted => ErrorCode::Aborted,
            Error::NotInitialized => ErrorCode::NotInitialized,
            Error::SigningFailed => ErrorCode::SigningFailed,
            Error::NotAllowed { .. } => ErrorCode::NotAllowed,
            Error::JournalMismatch { .. } => ErrorCode::JournalMismatch,
            Error::JournalCorrupt { .. } => ErrorCode::JournalCorrupt,
            Error::JournalEmpty => ErrorCode::JournalEmpty,
            Error::JournalFailed { .. } | Error::ReportsNotJournaled => ErrorCode::JournalFailed,
            Error::FleetUnavailable { .. } => ErrorCode::FleetUnavailable,
            Error::FleetUntrusted { .. } => ErrorCode::FleetUntrusted,
            Error::Service { kind, .. } => kind.code(),
            Error::UnexpectedResponse { .. } => ErrorCode::UnexpectedResponse,
            Error::OutcomeUnknown { .. } => ErrorCode::OutcomeUnknown,
        }
    }


    /// The input field at fault (JavaScript option names), where there is one. For an invalid
    /// batch, the field of its first issue.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidBatch { issues } | Error::InvalidInput { issues } => {
                issues.first().map(|i| i.field)
            }
            Error::InvalidOption { field, .. } | Error::NotAllowed { field, .. } => {
                Some(field.as_str())
            }
            Error::JournalMismatch { .. }
            | Error::JournalCorrupt { .. }
            | Error::JournalEmpty
            | Error::JournalFailed { .. }
            | Error::ReportsNotJournaled => Some("journal"),
            Error::FleetUnavailable { .. } | Error::FleetUntrusted { .. } => Some("fleet"),
            Error::InvalidCredentials { problem } => Some(problem.field()),
            Error::InvalidEndpoint { .. } => Some("endpoint"),
            Error::InvalidNonce => Some("nonce"),
            Error::InvalidTimestamp => Some("timestamp"),
            _ => None,
        }
    }

    /// The recipient index at fault: for an invalid batch, the index of its first issue that
    /// has one.
    pub fn index(&self) -> Option<usize> {
        match self {
            Error::InvalidBatch { issues } | Error::InvalidInput { issues } => {
                issues.iter().find_map(|i| i.index)
            }
            _ => None,
        }
    }

    /// Alibaba's own code, verbatim, when the service gave one.
    pub fn service_code(&self) -> Option<&str> {
        match self {
            Error::Service { detail, .. } => detail.service_code.as_deref(),
            Error::OutcomeUnknown { service_code, .. } => service_code.as_deref(),
            _ => None,
        }
    }

    /// The service's `RequestId`, when the answer had one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service { detail, .. } => detail.request_id.as_deref(),
            Error::OutcomeUnknown { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Service { detail, .. } => Some(detail.http_status),
            Error::UnexpectedResponse { http_status, .. } => Some(*http_status),
            Error::OutcomeUnknown { http_status, .. } => *http_status,
            _ => None,
        }
    }

    /// True only where sending the same request again cannot send an SMS twice and may succeed:
    /// the service said it throttled, or the connection was never made (the request provably was
    /// not processed), or a query found no record yet (`DATA_NOT_EXIST`: ask again later; a
    /// query sends nothing). Which of these are resent automatically, and when, is
    /// `retry::after_attempt`'s rule.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Error::Service {
                kind: ServiceErrorKind::Throttled | ServiceErrorKind::RecordNotFound,
                ..
            } | Error::ConnectionFailed { .. }
        )
    }

    /// The wait the service asked for before a resend, in milliseconds.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            Error::Service { detail, .. } => detail.retry_after_ms,
            _ => None,
        }
    }
}

/// What a JavaScript caller sees of an error: the fields of `SmsError` in types.d.ts besides
/// `name` and `message` (the bindings put these on an `Error` whose message is `Display`).
/// Absent fields are left out, not `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorReport<'e> {
    pub code: ErrorCode,
    pub retryable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'e str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<&'e str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_code: Option<&'e str>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_js_number"
    )]
    pub retry_after_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issues: Option<&'e [Issue]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// For `OUTCOME_UNKNOWN` from one batch: the recipients whose fate is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipients: Option<Vec<RecipientRef<'e>>>,
}

/// A recipient named by an error (`RecipientRef` in types.d.ts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipientRef<'e> {
    pub index: usize,
    pub to: &'e str,
    pub normalized_to: &'e str,
}

impl Error {
    /// The error as its JavaScript caller sees it; `batch`, when the error ended a send of it,
    /// names the recipients of an unknown outcome.
    pub fn report<'e>(&'e self, batch: Option<&'e crate::batch::Batch>) -> ErrorReport<'e> {
        let (attempts, reason) = match self {
            Error::ConnectionFailed { attempts } => (Some(*attempts), None),
            Error::OutcomeUnknown { reason, .. } => (None, Some(reason.as_str())),
            _ => (None, None),
        };
        let recipients = match (self, batch) {
            (Error::OutcomeUnknown { .. }, Some(batch)) => Some(
                batch
                    .entries()
                    .iter()
                    .map(|e| RecipientRef {
                        index: e.index,
                        to: &e.given,
                        normalized_to: &e.recipient.normalized,
                    })
                    .collect(),
            ),
            _ => None,
        };
        ErrorReport {
            code: self.code(),
            retryable: self.retryable(),
            field: self.field(),
            index: self.index(),
            http_status: self.http_status(),
            request_id: self.request_id(),
            service_code: self.service_code(),
            retry_after_ms: self.retry_after_ms(),
            issues: match self {
                Error::InvalidBatch { issues } | Error::InvalidInput { issues } => Some(issues),
                _ => None,
            },
            attempts,
            reason,
            recipients,
        }
    }
}

/// A count as a JavaScript number: exact up to 2^53, the nearest number beyond (a service may
/// send any digits; serde-wasm-bindgen would refuse a `u64` past 2^53).
pub fn as_js_number<S: serde::Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(*value as f64)
}

fn optional_js_number<S: serde::Serializer>(
    value: &Option<u64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(n) => as_js_number(n, serializer),
        None => serializer.serialize_none(),
    }
}

/// Name/value pairs as one object, in order (HTTP headers).
pub fn as_js_object<S: serde::Serializer>(
    pairs: &[(String, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidBatch { issues } => {
                write!(f, "the batch was not sent: {} problem(s)", issues.len())?;
                for (i, issue) in issues.iter().take(5).enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    fmt::Display::fmt(issue, f)?;
                }
                if issues.len() > 5 {
                    write!(f, "; and {} more", issues.len() - 5)?;
                }
                Ok(())
            }
            Error::InvalidInput { issues } => {
                write!(f, "nothing was sent: {} problem(s)", issues.len())?;
                for (i, issue) in issues.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    fmt::Display::fmt(issue, f)?;
                }
                Ok(())
            }
            Error::InvalidCredentials { problem } => write!(f, "credentials: {problem}"),
            Error::InvalidEndpoint { problem } => write!(f, "endpoint: {problem}"),
            Error::InvalidNonce => f.write_str(
                "nonce: must be 1 to 128 characters of A-Z a-z 0-9 - _ . ~ and unique per request",
            ),
            Error::InvalidTimestamp => f.write_str("timestamp: must fall in years 1970 to 9999"),
            Error::InvalidOption { field, message } => write!(f, "{field}: {message}"),
            Error::ConnectionFailed { attempts } => write!(
                f,
                "could not connect to the endpoint ({attempts} attempt(s)); nothing was sent"
            ),
            Error::Aborted => f.write_str("aborted before the request was sent; nothing was sent"),
            Error::JournalMismatch { reason } => write!(f, "journal: {reason}; nothing was sent"),
            Error::JournalEmpty => f.write_str(
                "journal: it is empty or does not exist, so there is no campaign to resume (check the path); nothing was sent",
            ),
            Error::JournalCorrupt { entry } => {
                write!(f, "journal: entry {entry} cannot be read; nothing was sent")
            }
            Error::JournalFailed { before_send: true } => f.write_str(
                "journal: could not be written; the campaign stopped before sending the next request",
            ),
            Error::ReportsNotJournaled => f.write_str(
                "journal: could not record the delivery reports; nothing was sent (the ledger has them, and recording them again is safe)",
            ),
            Error::JournalFailed { before_send: false } => f.write_str(
                "journal: could not record a request's outcome; the campaign stopped (the ledger has it)",
            ),
            Error::FleetUnavailable { before_send: true } => f.write_str(
                "fleet: the shared store did not answer; stopped before sending the next request",
            ),
            Error::FleetUnavailable { before_send: false } => f.write_str(
                "fleet: the shared store did not answer after a request was sent; stopped (the ledger has its outcome, the store shows it unknown)",
            ),
            Error::FleetUntrusted { reply } => write!(
                f,
                "fleet: the shared store's answer cannot be trusted ({reply}); stopped before sending the next request"
            ),
            Error::NotAllowed { field, message } => write!(f, "not allowed: {field}: {message}"),
            Error::SigningFailed => f.write_str(
                "the signing service did not return a signed request; nothing was sent",
            ),
            Error::NotInitialized => f.write_str(
                "the WebAssembly module is not loaded yet: await ready() once before calling validateBatch, countSegments or signRequest",
            ),
            Error::Service { kind, detail } => {
                write!(
                    f,
                    "{} (HTTP {}): {}",
                    detail.service_code.as_deref().unwrap_or("no code"),
                    detail.http_status,
                    detail.message
                )?;
                if *kind == ServiceErrorKind::RecordNotFound {
                    f.write_str("; the service has no record of it yet, ask again later")?;
                }
                if *kind == ServiceErrorKind::Throttled {
                    match detail.retry_after_ms {
                        Some(ms) => write!(f, "; retry after {ms} ms")?,
                        None => f.write_str("; retry after a pause")?,
                    }
                }
                if let Some(id) = &detail.request_id {
                    write!(f, " [RequestId {id}]")?;
                }
                Ok(())
            }
            Error::UnexpectedResponse {
                http_status,
                excerpt,
            } => write!(
                f,
                "unexpected answer (HTTP {http_status}), the request was not processed: \"{excerpt}\""
            ),
            Error::OutcomeUnknown {
                reason,
                http_status,
                service_code,
                request_id,
                excerpt,
            } => {
                write!(
                    f,
                    "outcome unknown: {}; the messages may have been sent, do not resend blindly",
                    reason.describe()
                )?;
                if let Some(s) = http_status {
                    write!(f, " (HTTP {s})")?;
                }
                if let Some(c) = service_code {
                    write!(f, " [{c}]")?;
                }
                if let Some(id) = request_id {
                    write!(f, " [RequestId {id}]")?;
                }
                if let Some(e) = excerpt {
                    write!(f, ": \"{e}\"")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_throttling_is_retryable() {
        let detail = ServiceError {
            http_status: 400,
            service_code: Some("Throttling.User".into()),
            message: "Request was denied due to user flow control.".into(),
            request_id: Some("R".into()),
            recommend: None,
            retry_after_ms: Some(1000),
        };
        let throttled = Error::Service {
            kind: ServiceErrorKind::Throttled,
            detail: Box::new(detail.clone()),
        };
        assert!(throttled.retryable());
        assert_eq!(throttled.retry_after_ms(), Some(1000));
        assert_eq!(throttled.code().as_str(), "THROTTLED");
        assert!(throttled.to_string().contains("retry after 1000 ms"));
        let sig = Error::Service {
            kind: ServiceErrorKind::SignatureRejected,
            detail: Box::new(detail),
        };
        assert!(!sig.retryable());
        let unknown = Error::OutcomeUnknown {
            reason: UnknownReason::Timeout,
            http_status: None,
            service_code: None,
            request_id: None,
            excerpt: None,
        };
        assert!(!unknown.retryable());
        assert_eq!(unknown.code().as_str(), "OUTCOME_UNKNOWN");
    }
}
