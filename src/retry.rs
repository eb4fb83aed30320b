//! After each attempt of a call: finished, or send again after a wait.
//!
//! Sending an SMS costs money and cannot be undone, and the API has no idempotency key. So the
//! rule for the calls that send (`Safety::SendsMessages`: BatchSendMessageToGlobe,
//! SendMessageToGlobe) is narrow (docs/spec/DECISIONS.md §4-§5): resend only what provably was not
//! processed — the service said it throttled, or the connection was never made. A timeout, a
//! broken connection or an abort after the request started, a 5xx, an unreadable success body:
//! the outcome is unknown and nothing is resent.
//!
//! A read-only or feedback call (`Safety::Repeatable`: QueryMessage, SmsConversion,
//! ConversionData) sends no SMS: a second copy costs one request of the account's QPS and
//! nothing else. So its unknown outcome (timeout, broken connection, 5xx, unreadable body) may be
//! resent like a throttled one; only the caller's abort is final. A copy states the same fact:
//! SmsConversion sets one MessageId's conversion, and ConversionData is always sent with its
//! ReportTime (the binding dates it when the caller does not), so a second copy is the same
//! observation, not a second one. `DATA_NOT_EXIST` is not resent
//! within the call: the record appears seconds to minutes after the send, later than this call's
//! backoff reaches, so the poller asks again on its own schedule (`Error::retryable` tells it
//! that it may).
//!
//! The transport (src/wasm/transport.rs) only reports what it saw; every decision is here.

use crate::error::{Error, ServiceErrorKind, UnknownReason};
use crate::operations::query_message::QueryMessageResult;
use crate::operations::send_message::SendMessageResult;
use crate::operations::ConversionResult;
use crate::request::Action;
use crate::response::BatchOutcome;

/// The wait before the first resend when the service gave none: the operation allows one call
/// per second per account.
pub const BASE_DELAY_MS: u64 = 1000;
/// No single wait is longer than this (before jitter).
pub const MAX_DELAY_MS: u64 = 30_000;
/// Attempts per batch unless the caller says otherwise: the first send and three resends.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;

/// What the transport saw of one attempt.
#[derive(Debug, Clone, Copy)]
pub enum Delivery<'a> {
    /// An HTTP answer, read to its end.
    Answered {
        status: u16,
        headers: &'a [(String, String)],
        body: &'a [u8],
    },
    /// The connection was refused, the host name did not resolve, or the runtime would not
    /// start the request: nothing left this machine (src/fetch_failure.rs).
    NotConnected,
    /// The TLS handshake failed on the server's certificate: nothing left this machine, and a
    /// resend would meet the same certificate, so none is made.
    CertificateRefused,
    /// The connection broke after the request may have been written, or while reading the answer.
    ConnectionLost,
    /// The timeout fired after the request started.
    TimedOut,
    /// The caller's AbortSignal fired after the request started.
    AbortedInFlight,
}

/// What a second send of a call would do, which decides what may be resent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safety {
    /// The call sends SMS (BatchSendMessageToGlobe, SendMessageToGlobe): a second send is a
    /// second paid message, so only what provably was not processed is resent.
    SendsMessages,
    /// The call reads or reports (QueryMessage, SmsConversion, ConversionData): a second one
    /// changes nothing a user pays for, so an unknown outcome is tried again too.
    Repeatable,
}

impl Safety {
    /// What a second call of `action` would do.
    pub fn of(action: Action) -> Safety {
        if action.sends_messages() {
            Safety::SendsMessages
        } else {
            Safety::Repeatable
        }
    }
}

/// What to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next<T = BatchOutcome> {
    /// Finished: the outcome, or the error to report.
    Done(Box<Result<T, Error>>),
    /// Send again, with a fresh timestamp, nonce and signature, after waiting this long.
    ResendAfter { wait_ms: u64 },
}

/// A result that records how many requests it took.
pub trait Attempted {
    /// Records `attempts`.
    fn set_attempts(&mut self, attempts: u32);
}

macro_rules! attempted {
    ($($t:ty),+) => {$(
        impl Attempted for $t {
            fn set_attempts(&mut self, attempts: u32) {
                self.attempts = attempts;
            }
        }
    )+};
}
attempted!(BatchOutcome, SendMessageResult, QueryMessageResult, ConversionResult);

/// Decides after attempt number `attempt` (1 for the first send) of a call. `read` turns an
/// HTTP answer into the operation's outcome or error (for a batch, `read_batch_response` with
/// what the client knows of the secrets, which decides what service text an error keeps); it is
/// called only when an answer came. `jitter` is a random number in `[0, 1)` from the caller (the
/// core has no randomness of its own).
pub fn after_attempt<T: Attempted>(
    read: impl FnOnce(u16, &[(String, String)], &[u8]) -> Result<T, Error>,
    safety: Safety,
    attempt: u32,
    max_attempts: u32,
    delivery: Delivery<'_>,
    jitter: f64,
) -> Next<T> {
    let result = match delivery {
        Delivery::Answered {
            status,
            headers,
            body,
        } => read(status, headers, body),
        Delivery::NotConnected => Err(Error::ConnectionFailed { attempts: attempt }),
        Delivery::CertificateRefused => {
            return Next::Done(Box::new(Err(Error::ConnectionFailed { attempts: attempt })))
        }
        Delivery::ConnectionLost => Err(unknown(UnknownReason::ConnectionLost)),
        Delivery::TimedOut => Err(unknown(UnknownReason::Timeout)),
        Delivery::AbortedInFlight => Err(unknown(UnknownReason::Aborted)),
    };
    match result {
        Ok(mut outcome) => {
            outcome.set_attempts(attempt);
            Next::Done(Box::new(Ok(outcome)))
        }
        Err(error) if may_resend(safety, &error) && attempt < max_attempts => {
            Next::ResendAfter {
                wait_ms: backoff_ms(attempt, error.retry_after_ms(), jitter),
            }
        }
        Err(error) => Next::Done(Box::new(Err(error))),
    }
}

/// Whether a failed attempt is sent again (the module's rule, one reason per arm).
fn may_resend(safety: Safety, error: &Error) -> bool {
    match error {
        // Refused before processing, or never left this machine: safe for every operation.
        Error::Service {
            kind: ServiceErrorKind::Throttled,
            ..
        }
        | Error::ConnectionFailed { .. } => true,
        // Maybe processed: harmless to repeat only where no SMS is sent; an abort is the
        // caller's wish to stop, never overridden.
        Error::OutcomeUnknown { reason, .. } => {
            safety == Safety::Repeatable && *reason != UnknownReason::Aborted
        }
        // Everything else (RECORD_NOT_FOUND included, see the module's comment) is final here.
        _ => false,
    }
}

fn unknown(reason: UnknownReason) -> Error {
    Error::OutcomeUnknown {
        reason,
        http_status: None,
        service_code: None,
        request_id: None,
        excerpt: None,
    }
}

/// The wait before resend number `attempt` (1 for the first resend): what the service asked for
/// when it said (`x-acs-retry-after`: it knows when its window frees up, often within
/// milliseconds), otherwise exponential from `BASE_DELAY_MS`; capped at `MAX_DELAY_MS`, with
/// `jitter` in `[0, 1)` adding up to a quarter so that several clients do not resend in step.
/// A campaign's pacer adds its own interval on top.
pub fn backoff_ms(attempt: u32, retry_after_ms: Option<u64>, jitter: f64) -> u64 {
    let exponent = attempt.saturating_sub(1).min(16);
    let exponential = BASE_DELAY_MS.saturating_mul(1u64 << exponent);
    let floor = retry_after_ms.unwrap_or(exponential).min(MAX_DELAY_MS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // floor ≤ 30 000, so the product is small and the cast exact enough.
    let extra = (floor as f64 * 0.25 * jitter) as u64;
    floor
        .saturating_add(extra)
        .min(MAX_DELAY_MS + MAX_DELAY_MS / 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{Batch, BatchInput, Messages};
    use crate::redact::KnownSecrets;
    use crate::response::read_batch_response;
    use crate::credentials::Credentials;

    fn batch() -> Batch {
        Batch::validate(&BatchInput::new(
            vec!["6591234567".into()],
            Messages::One("hi".into()),
        ))
        .unwrap()
    }

    fn creds() -> KnownSecrets {
        KnownSecrets::of_credentials(&Credentials::new("id", "secret", None).unwrap())
    }

    /// The rule for a batch (it sends messages), reading with the batch's reader.
    fn after(
        b: &Batch,
        c: &KnownSecrets,
        attempt: u32,
        max: u32,
        delivery: Delivery<'_>,
        jitter: f64,
    ) -> Next {
        after_attempt(
            |status, headers, body| read_batch_response(b, c, status, headers, body),
            Safety::SendsMessages,
            attempt,
            max,
            delivery,
            jitter,
        )
    }

    fn answered(status: u16, headers: &[(String, String)], body: &str) -> Next {
        after(
            &batch(),
            &creds(),
            1,
            DEFAULT_MAX_ATTEMPTS,
            Delivery::Answered {
                status,
                headers,
                body: body.as_bytes(),
            },
            0.0,
        )
    }

    #[test]
    fn backoff_grows_honours_the_service_and_caps() {
        assert_eq!(backoff_ms(1, None, 0.0), 1000);
        assert_eq!(backoff_ms(2, None, 0.0), 2000);
        assert_eq!(backoff_ms(3, None, 0.0), 4000);
        assert_eq!(backoff_ms(1, Some(2500), 0.0), 2500);
        assert_eq!(backoff_ms(1, Some(10), 0.0), 10);
        assert_eq!(backoff_ms(3, Some(10), 0.0), 10);
        assert_eq!(backoff_ms(40, None, 0.0), MAX_DELAY_MS);
        assert_eq!(backoff_ms(1, Some(u64::MAX), 0.0), MAX_DELAY_MS);
        assert_eq!(backoff_ms(1, None, 0.999_999), 1249);
        assert_eq!(backoff_ms(1, None, f64::NAN), 1000);
        assert!(backoff_ms(u32::MAX, Some(u64::MAX), 1.0) <= MAX_DELAY_MS + MAX_DELAY_MS / 4);
    }

    #[test]
    fn throttled_and_not_connected_are_resent_until_the_last_attempt() {
        let h = vec![("x-acs-retry-after".to_string(), "1500".to_string())];
        assert_eq!(
            answered(400, &h, r#"{"Code":"Throttling.User"}"#),
            Next::ResendAfter { wait_ms: 1500 }
        );
        let b = batch();
        let c = creds();
        assert_eq!(
            after(&b, &c, 1, 3, Delivery::NotConnected, 0.0),
            Next::ResendAfter { wait_ms: 1000 }
        );
        match after(&b, &c, 3, 3, Delivery::NotConnected, 0.0) {
            Next::Done(r) => assert_eq!(r.unwrap_err(), Error::ConnectionFailed { attempts: 3 }),
            other => panic!("{other:?}"),
        }
        match after(
            &b,
            &c,
            4,
            4,
            Delivery::Answered {
                status: 429,
                headers: &[],
                body: b"",
            },
            0.0,
        ) {
            Next::Done(r) => assert_eq!(r.unwrap_err().code().as_str(), "THROTTLED"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_refused_certificate_is_not_resent() {
        let b = batch();
        let c = creds();
        match after(&b, &c, 1, 4, Delivery::CertificateRefused, 0.0) {
            Next::Done(r) => assert_eq!(r.unwrap_err(), Error::ConnectionFailed { attempts: 1 }),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ambiguous_deliveries_are_never_resent() {
        let b = batch();
        let c = creds();
        for (delivery, reason) in [
            (Delivery::ConnectionLost, UnknownReason::ConnectionLost),
            (Delivery::TimedOut, UnknownReason::Timeout),
            (Delivery::AbortedInFlight, UnknownReason::Aborted),
        ] {
            match after(&b, &c, 1, 10, delivery, 0.5) {
                Next::Done(r) => assert!(
                    matches!(*r, Err(Error::OutcomeUnknown { reason: got, .. }) if got == reason)
                ),
                other => panic!("{other:?}"),
            }
        }
        for (status, body) in [
            (502, "<html>"),
            (200, r#"{"ResponseCode":"OK""#),
            (500, r#"{"Code":"InternalError"}"#),
        ] {
            assert!(
                matches!(answered(status, &[], body), Next::Done(r) if r.as_ref().as_ref().unwrap_err().code().as_str() == "OUTCOME_UNKNOWN")
            );
        }
    }

    #[test]
    fn a_read_only_call_is_asked_again_where_a_send_never_is() {
        use crate::operations::query_message::{
            read_query_message_response, QueryMessage, QueryMessageInput,
        };
        use crate::operations::send_message::{
            read_send_message_response, SendMessage, SendMessageInput,
        };
        let c = creds();
        let query = QueryMessage::validate(&QueryMessageInput {
            message_id: "1008030300812345678".into(),
        })
        .unwrap();
        let send = SendMessage::validate(&SendMessageInput::new("6591234567", "hi")).unwrap();
        let ask = |attempt: u32, delivery: Delivery<'_>| {
            after_attempt(
                |s, h, b| read_query_message_response(&query, &c, s, h, b),
                Safety::of(Action::QueryMessage),
                attempt,
                DEFAULT_MAX_ATTEMPTS,
                delivery,
                0.0,
            )
        };
        let post = |delivery: Delivery<'_>| {
            after_attempt(
                |s, h, b| read_send_message_response(&send, &c, s, h, b),
                Safety::of(Action::SendMessageToGlobe),
                1,
                DEFAULT_MAX_ATTEMPTS,
                delivery,
                0.0,
            )
        };
        let gateway_down = Delivery::Answered {
            status: 502,
            headers: &[],
            body: b"<html>",
        };
        for delivery in [
            Delivery::TimedOut,
            Delivery::ConnectionLost,
            gateway_down,
        ] {
            assert_eq!(ask(1, delivery), Next::ResendAfter { wait_ms: 1000 });
            assert!(matches!(post(delivery), Next::Done(r) if r.as_ref().as_ref().unwrap_err().code().as_str() == "OUTCOME_UNKNOWN"));
        }
        // The last attempt, and the caller's abort, end it with the unknown outcome.
        assert!(matches!(ask(4, Delivery::TimedOut), Next::Done(r) if r.is_err()));
        assert!(matches!(ask(1, Delivery::AbortedInFlight), Next::Done(r) if r.is_err()));
        // No record yet: final for this call, retryable for the poller.
        match ask(
            1,
            Delivery::Answered {
                status: 200,
                headers: &[],
                body: br#"{"ResponseCode":"DATA_NOT_EXIST"}"#,
            },
        ) {
            Next::Done(r) => {
                let e = r.unwrap_err();
                assert_eq!(e.code().as_str(), "RECORD_NOT_FOUND");
                assert!(e.retryable());
            }
            other => panic!("{other:?}"),
        }
        // Throttling is resent for both; a success records its attempts.
        let throttled = Delivery::Answered {
            status: 200,
            headers: &[],
            body: br#"{"ResponseCode":"QPS_LIMIT_CONTROL"}"#,
        };
        assert_eq!(post(throttled), Next::ResendAfter { wait_ms: 1000 });
        match ask(
            3,
            Delivery::Answered {
                status: 200,
                headers: &[],
                body: br#"{"ResponseCode":"OK","Status":"1"}"#,
            },
        ) {
            Next::Done(r) => assert_eq!(r.unwrap().attempts, 3),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn success_records_the_attempt_count() {
        let b = batch();
        let c = creds();
        let body = br#"{"ResponseCode":"OK","MessageIdList":"[\"9\"]","SuccessCount":"1"}"#;
        match after(
            &b,
            &c,
            2,
            4,
            Delivery::Answered {
                status: 200,
                headers: &[],
                body,
            },
            0.0,
        ) {
            Next::Done(r) => {
                let outcome = r.unwrap();
                assert_eq!(outcome.attempts, 2);
                assert_eq!(outcome.sent[0].message_id.as_deref(), Some("9"));
            }
            other => panic!("{other:?}"),
        }
    }
}
