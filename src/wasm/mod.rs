//! The JavaScript surface. Each export parses its arguments, calls the core, converts back;
//! `batchSend` also runs the attempt loop, asking the core what to do after each attempt.
//! Compiled for wasm32 only: the rest of the crate never sees a JavaScript type.

mod convert;
mod transport;
mod ts;

use wasm_bindgen::prelude::*;

use crate::batch::Batch;
use crate::error::Error;
use crate::request::{self, SigningContext};
use crate::retry::{self, Next};
use crate::segment;
use crate::Timestamp;
use ts::{JsBatchOptions, JsSendOptions, JsSignAt};

fn thrown(error: &Error) -> JsValue {
    convert::sms_error(error, None)
}

/// Sends one batch (up to 1000 recipients) in one `BatchSendMessageToGlobe` call and resolves
/// with every recipient's fate: `sent` (with MessageId) or `failed` (the service's FailedList).
///
/// Invalid input never reaches the network: the promise rejects with `SmsError` `INVALID_BATCH`
/// listing every issue. Throttled calls (and connections refused before anything was sent) are
/// sent again after a wait, with a fresh timestamp, nonce and signature, up to `maxAttempts`. A
/// timeout, broken connection or 5xx after the request left rejects with `OUTCOME_UNKNOWN` and the
/// recipients concerned, and is never resent: an SMS may have gone out.
///
/// @throws {SmsError} every rejection; switch on `code`.
#[wasm_bindgen(js_name = batchSend, unchecked_return_type = "BatchSendResult")]
pub async fn batch_send(options: JsSendOptions) -> Result<JsValue, JsValue> {
    let settings = convert::send_options(&options).map_err(|e| thrown(&e))?;
    let batch = Batch::validate(&settings.batch)
        .map_err(|issues| thrown(&Error::InvalidBatch { issues }))?;
    let credentials = convert::credentials(&settings.credentials).map_err(|e| thrown(&e))?;
    let signal = settings.signal.as_ref();
    let mut attempt = 1;
    loop {
        if signal.is_some_and(|s| s.aborted()) {
            return Err(thrown(&Error::Aborted));
        }
        let nonce = transport::nonce();
        let timestamp = transport::now().ok_or_else(|| thrown(&Error::InvalidTimestamp))?;
        let context = SigningContext {
            endpoint: &settings.endpoint,
            scheme: settings.scheme,
            timestamp,
            nonce: &nonce,
        };
        let signed = request::sign_batch(&batch, &credentials, &context).map_err(|e| thrown(&e))?;
        let seen = transport::send_once(&signed, settings.timeout_ms, signal).await;
        match retry::after_attempt(
            &batch,
            &credentials,
            attempt,
            settings.max_attempts,
            seen.as_delivery(),
            transport::unit_random(),
        ) {
            Next::Done(result) => {
                return match *result {
                    Ok(outcome) => Ok(convert::outcome(&outcome)),
                    Err(error) => Err(convert::sms_error(&error, Some(&batch))),
                }
            }
            Next::ResendAfter { wait_ms } => {
                if transport::sleep(wait_ms, signal).await.is_err() {
                    return Err(thrown(&Error::Aborted));
                }
                attempt += 1;
            }
        }
    }
}

/// Checks a batch without sending it: every problem at once (recipient numbers, sender ID,
/// messages, type, task ID), each with its code, field and index. Empty when the batch would be
/// sent as is. Needs no credentials and no network.
///
/// @throws {SmsError} `INVALID_OPTION` when an option has the wrong type.
#[wasm_bindgen(js_name = validateBatch, unchecked_return_type = "Issue[]")]
pub fn validate_batch(options: JsBatchOptions) -> Result<JsValue, JsValue> {
    let input = convert::batch_options(&options).map_err(|e| thrown(&e))?;
    Ok(convert::issues(&crate::batch::validate_batch(&input)))
}

/// Encoding (GSM-7 or UCS-2), length in UTF-16 units, billing units and billable segments of one
/// message text: 160/153 characters per segment for GSM-7 (extension characters count two),
/// 70/67 UTF-16 units for UCS-2.
#[wasm_bindgen(js_name = countSegments, unchecked_return_type = "SegmentCount")]
pub fn count_segments(text: &str) -> JsValue {
    convert::segment_count(&segment::count_segments(text))
}

/// Validates and signs a batch without sending it: `{ method, url, headers, body }`, ready for
/// `fetch`. For tests (fix `timestamp` and `nonce`) and for signing on a server so the secret
/// never reaches a browser.
///
/// @throws {SmsError} `INVALID_BATCH`, `INVALID_CREDENTIALS`, `INVALID_ENDPOINT`, `INVALID_NONCE`,
/// `INVALID_TIMESTAMP`, `INVALID_OPTION`.
#[wasm_bindgen(js_name = signRequest, unchecked_return_type = "SignedRequest")]
pub fn sign_request(options: JsSendOptions, at: Option<JsSignAt>) -> Result<JsValue, JsValue> {
    let settings = convert::send_options(&options).map_err(|e| thrown(&e))?;
    let batch = Batch::validate(&settings.batch)
        .map_err(|issues| thrown(&Error::InvalidBatch { issues }))?;
    let credentials = convert::credentials(&settings.credentials).map_err(|e| thrown(&e))?;
    let (millis, nonce) = convert::sign_at(at.as_ref().map_or(&JsValue::UNDEFINED, |a| a.as_ref()))
        .map_err(|e| thrown(&e))?;
    let timestamp = match millis {
        Some(ms) => Timestamp::from_unix_millis(ms),
        None => transport::now(),
    }
    .ok_or_else(|| thrown(&Error::InvalidTimestamp))?;
    let nonce = nonce.unwrap_or_else(transport::nonce);
    let context = SigningContext {
        endpoint: &settings.endpoint,
        scheme: settings.scheme,
        timestamp,
        nonce: &nonce,
    };
    let signed = request::sign_batch(&batch, &credentials, &context).map_err(|e| thrown(&e))?;
    Ok(convert::signed_request(&signed))
}
