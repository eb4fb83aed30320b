//! The JavaScript surface. Each export parses its arguments, calls the core, converts back;
//! `batchSend` also runs the attempt loop, asking the core what to do after each attempt.
//! Compiled for wasm32 only: the rest of the crate never sees a JavaScript type.

mod campaign;
mod csv;
mod deliveries;
mod fleet;
mod input;
mod ledger;
mod operations;
mod options;
mod output;
mod reports;
mod send;
mod source;
mod store;
mod transport;
mod ts;

use wasm_bindgen::prelude::*;

use crate::batch::Batch;
use crate::error::Error;
use crate::request::{self, SigningContext};
use crate::segment;
use crate::Timestamp;
use output::thrown;
use ts::{JsBatchOptions, JsSendOptions};

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
pub async fn batch_send(
    options: JsSendOptions,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let input = options::batch(&options).map_err(thrown)?;
    let settings = options::send(&options).map_err(thrown)?;
    let batch = Batch::validate(&input).map_err(|issues| thrown(Error::InvalidBatch { issues }))?;
    let signing = options::signing(&options, &settings, environment.as_ref()).map_err(thrown)?;
    // With a shared pacer (the `pacer` option), a batch takes the account's slot like a
    // campaign's request, at the service's 1 call/s.
    let pace = settings
        .pacer
        .clone()
        .map(|pacer| send::Pace::new(signing.pace_key(), 1.0).shared(Some(pacer)));
    match send::send_batch(&batch, &signing, &settings, pace.as_ref()).await {
        Ok(outcome) => Ok(output::to_js(&outcome)),
        Err(send::Failure::Core(error)) => Err(output::sms_error(&error, Some(&batch))),
        Err(send::Failure::Thrown(value)) => Err(value),
    }
}

/// Checks a batch without sending it: every problem at once (recipient numbers, sender ID,
/// messages, type, task ID), each with its code, field and index. Empty when the batch would be
/// sent as is. Needs no credentials and no network.
///
/// @throws {SmsError} `INVALID_OPTION` when an option has the wrong type.
#[wasm_bindgen(js_name = validateBatch, unchecked_return_type = "Issue[]")]
pub fn validate_batch(options: JsBatchOptions) -> Result<JsValue, JsValue> {
    // Read up to a campaign's length, not a request's: a page composing a long list still gets
    // every row's problems beside BATCH_TOO_LARGE (issue 11 kept that; only lengths past any
    // campaign are refused unread).
    match options::campaign_list(&options) {
        Ok(input) => Ok(output::to_js(&crate::batch::validate_batch(&input))),
        // A list refused from its length is a batch problem like any other.
        Err(Error::InvalidBatch { issues }) => Ok(output::to_js(&issues)),
        Err(error) => Err(thrown(error)),
    }
}

/// Reads a CSV text (what a spreadsheet exports: a UTF-8 BOM, CRLF, quoted cells, `,` or `;`)
/// as a campaign's `to` and `message`, with each recipient's CSV line and every problem of the
/// table with its line. The first non-blank record is the header (see `header`); the number
/// column is `numberColumn`, else the first header among `to`, `number`, `numbers`, `phone`,
/// `phone number`, `mobile`, `msisdn`, `recipient`, `recipients`, else the first column. The
/// text is `message` (one for all), `messageColumn` (each row's cell), or a `message` holding
/// `{column}` placeholders filled from each row (`{{` and `}}` for literal braces). A row with a
/// problem is left out of `to` and listed in `issues`: never a half-filled text. Numbers and
/// texts themselves are checked by `planCampaign` / `sendCampaign`.
///
/// @throws {SmsError} `INVALID_OPTION`: `text` not a string, longer than 128 MiB, with a lone
/// surrogate, over 1024 cells in a row or more records than a campaign's limit; a `delimiter`
/// other than `,` or `;`; both `message` and `messageColumn`; a template whose braces do not pair.
#[wasm_bindgen(js_name = readCsvCampaign, unchecked_return_type = "CsvCampaign")]
pub fn read_csv_campaign(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CsvCampaignOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    csv::read_campaign(&text, options.as_ref().unwrap_or(&JsValue::UNDEFINED)).map_err(thrown)
}

/// What `sendCampaign` would do with the same options, without sending or signing (no
/// credentials needed): recipients, valid ones, every issue (index: the recipient's), rejected
/// and repeated numbers, billed segments and encodings of the valid recipients, requests, and
/// the seconds from the first request to the last at `qps`.
///
/// @throws {SmsError} `INVALID_OPTION` when an option has the wrong type or value.
#[wasm_bindgen(js_name = planCampaign, unchecked_return_type = "CampaignPlan")]
pub fn plan_campaign(options: ts::JsCampaignOptions) -> Result<JsValue, JsValue> {
    csv::plan(&options).map_err(thrown)
}

/// A campaign's ledger as CSV text: a UTF-8 BOM (so Excel reads it as UTF-8), the header
/// `line,to,normalizedTo,state,messageId,requestId,code,reason`, one row per ledger row (give a
/// filtered `recipients` to export some) and per row `readCsvCampaign` left out (`rejected`, with
/// the reader's code and reason), in line order, CRLF line ends, spreadsheet-safe (a cell that
/// could run as a formula starts with `'`). `csv` is `readCsvCampaign`'s result: a ledger row's
/// `line` is `csv.lines[row.index]`. An array is read as `lines` alone (no rows left out).
///
/// @throws {SmsError} `INVALID_OPTION` when `ledger` is not shaped like a `CampaignResult` or
/// `csv` not like a `CsvCampaign`'s `lines` and `leftOut`.
#[wasm_bindgen(js_name = resultsCsv, unchecked_return_type = "string")]
pub fn results_csv(
    #[wasm_bindgen(unchecked_param_type = "CampaignResult")] ledger: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Pick<CsvCampaign, \"lines\" | \"leftOut\"> | number[]")] csv: JsValue,
) -> Result<JsValue, JsValue> {
    csv::results(&ledger, &csv).map_err(thrown)
}

/// Encoding (GSM-7 or UCS-2), length in UTF-16 units, billing units and billable segments of one
/// message text: 160/153 characters per segment for GSM-7 (extension characters count two),
/// 70/67 UTF-16 units for UCS-2.
///
/// @throws {SmsError} `INVALID_OPTION` (field `text`) when `text` is not a string.
#[wasm_bindgen(js_name = countSegments, unchecked_return_type = "SegmentCount")]
pub fn count_segments(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<JsValue, JsValue> {
    let text = text.as_string().ok_or_else(|| {
        thrown(Error::InvalidOption {
            field: "text".to_string(),
            message: "must be a string".to_string(),
        })
    })?;
    Ok(output::to_js(&segment::count_segments(&text)))
}

/// The characters of `text` that make it dearer than plain GSM-7, and where they are: those that
/// force UCS-2 in a UCS-2 text, the two-septet extension characters in a GSM-7 one (the first 50
/// listed; `total` counts them all). A page highlights them in the message.
///
/// @throws {SmsError} `INVALID_OPTION` (field `text`) when `text` is not a string.
#[wasm_bindgen(js_name = costlyCharacters, unchecked_return_type = "CostlyCharacters")]
pub fn costly_characters(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<JsValue, JsValue> {
    let text = text.as_string().ok_or_else(|| {
        thrown(Error::InvalidOption {
            field: "text".to_string(),
            message: "must be a string".to_string(),
        })
    })?;
    Ok(output::to_js(&segment::costly_characters(&text, COSTLY_CHARACTERS_LISTED)))
}

/// `costlyCharacters` lists this many: enough to mark every culprit a person would fix by hand.
const COSTLY_CHARACTERS_LISTED: usize = 50;

/// Validates and signs a batch without sending it: `{ method, url, headers, body }`, ready for
/// `fetch`. For tests (fix `timestamp` and `nonce`) and for signing on a server so the secret
/// never reaches a browser.
///
/// @throws {SmsError} `INVALID_BATCH`, `INVALID_CREDENTIALS`, `INVALID_ENDPOINT`, `INVALID_NONCE`,
/// `INVALID_TIMESTAMP`, `INVALID_OPTION`.
#[wasm_bindgen(js_name = signRequest, unchecked_return_type = "SignedRequest")]
pub fn sign_request(
    options: JsSendOptions,
    at: Option<ts::JsSignAt>,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let input = options::batch(&options).map_err(thrown)?;
    let settings = options::send(&options).map_err(thrown)?;
    let batch = Batch::validate(&input).map_err(|issues| thrown(Error::InvalidBatch { issues }))?;
    let at = options::sign_at(at.as_ref().map_or(&JsValue::UNDEFINED, |a| a.as_ref()))
        .map_err(thrown)?;
    // signRequest signs here, with credentials: a `signer` option is for sending.
    let credentials = options::credentials(&settings, environment.as_ref()).map_err(thrown)?;
    let timestamp = match at.timestamp {
        Some(ms) => Timestamp::from_unix_millis(ms),
        None => transport::now(),
    }
    .ok_or_else(|| thrown(Error::InvalidTimestamp))?;
    let nonce = at.nonce.unwrap_or_else(transport::nonce);
    let context = SigningContext {
        endpoint: &settings.sending.endpoint,
        scheme: settings.sending.scheme,
        timestamp,
        nonce: &nonce,
    };
    let signed = request::sign_batch(&batch, &credentials, &context).map_err(thrown)?;
    Ok(output::to_js(&signed))
}

/// Sends any number of recipients: the whole list is checked first (invalid recipients are
/// `rejected` with their index and reason, or nothing is sent with `allOrNothing`), then sent in
/// requests of at most 1000, in order, at the account's pace (`qps`, default 1 call/s, shared by
/// every campaign in the process using the same AccessKeyId). Throttled requests are resent; a
/// request whose outcome is unknown is never resent, its recipients are `unknown`, and the
/// campaign stops (or goes on with `onUnknown: "continue"`). Resolves with the ledger: every
/// recipient in exactly one state (sent, failed, rejected, unknown, skipped). With a `journal`,
/// each request is written (and flushed) before it is sent, and its outcome after, so
/// `resumeCampaign` can finish the run after a crash.
///
/// @throws {SmsError} when the campaign cannot start (`INVALID_BATCH`, `INVALID_OPTION`, ...) or
/// stops (the error that stopped it); a stopped campaign's error carries the ledger so far as
/// `ledger`.
#[wasm_bindgen(js_name = sendCampaign, unchecked_return_type = "CampaignResult")]
pub async fn send_campaign(
    options: ts::JsCampaignOptions,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    campaign::run(&options, environment.as_ref(), false).await
}

/// Finishes a campaign from its journal: recipients already sent or failed keep that fate,
/// those whose request was written without an outcome are `unknown` (listed, never resent), and
/// the rest are sent. Same options as `sendCampaign` (the same list, texts and options), with the
/// `journal` of the interrupted run.
///
/// @throws {SmsError} `JOURNAL_MISMATCH` when the journal belongs to another list, text or
/// options; `JOURNAL_CORRUPT` when an entry other than a torn last one cannot be read; otherwise
/// as `sendCampaign`.
#[wasm_bindgen(js_name = resumeCampaign, unchecked_return_type = "CampaignResult")]
pub async fn resume_campaign(
    options: ts::JsCampaignOptions,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    campaign::run(&options, environment.as_ref(), true).await
}

/// The ledger of a campaign a fleet of workers shares (the `fleet` option), as its store has it
/// now, without sending anything: the same options as the workers' `sendCampaign` (the same
/// list, texts, options and `fleet` store with its `id`). Requests marked and not answered yet
/// are `unknown` (a worker may still be sending them, or died doing so); requests not yet
/// claimed are `skipped`, and `counts`' `pending` is not counted in any state yet.
///
/// @throws {SmsError} `JOURNAL_MISMATCH` when the store holds another campaign under this id;
/// `JOURNAL_CORRUPT` when an entry cannot be proven whole; `FLEET_UNAVAILABLE` when the store
/// does not answer.
#[wasm_bindgen(js_name = readFleetCampaign, unchecked_return_type = "CampaignResult")]
pub async fn read_fleet_campaign(
    options: ts::JsCampaignOptions,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let prepared = campaign::prepare(&options, environment.as_ref()).await?;
    fleet::read(prepared).await
}

/// Sends one message to one number (SendMessageToGlobe): Alibaba's advice for time-critical
/// messages such as one-time codes. Validated like a batch's recipient and text; held to its own
/// pace per AccessKeyId (`qps`, default 30 calls/s, the smallest limit Alibaba's pages give).
/// Throttled attempts are resent; an unknown outcome is never resent (`OUTCOME_UNKNOWN`).
///
/// @throws {SmsError} `INVALID_INPUT` (every problem in `issues`), `INVALID_OPTION`,
/// `INVALID_CREDENTIALS`, `INVALID_ENDPOINT`, or the service's refusal.
#[wasm_bindgen(js_name = sendMessage, unchecked_return_type = "SendMessageResult")]
pub async fn send_message(
    options: ts::JsSendMessageOptions,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let result = operations::send_message(&options, environment.as_ref()).await?;
    Ok(operations::to_js(&result))
}

/// Where one message stands (QueryMessage): `delivered`, `failed`, `expired` or `sending`, with
/// the carrier's code and dates. Before the service has a record it is `RECORD_NOT_FOUND`
/// (`retryable`: ask again later). A read: an unknown outcome is asked again.
///
/// @throws {SmsError} `RECORD_NOT_FOUND`, `INVALID_INPUT`, `INVALID_OPTION`, or the service's
/// refusal.
#[wasm_bindgen(js_name = queryMessage, unchecked_return_type = "QueryMessageResult")]
pub async fn query_message(
    options: ts::JsQueryMessageOptions,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let result = operations::query_message(&options, environment.as_ref()).await?;
    Ok(operations::to_js(&result))
}

/// Tells Alibaba whether a one-time code sent in `messageId` was used (SmsConversion), and when
/// (`conversionTime`, ms since the epoch).
///
/// @throws {SmsError} `INVALID_INPUT`, `INVALID_OPTION`, or the service's refusal.
#[wasm_bindgen(js_name = reportConversion, unchecked_return_type = "ConversionResult")]
pub async fn report_conversion(
    options: ts::JsReportConversionOptions,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let result = operations::report_conversion(&options, environment.as_ref()).await?;
    Ok(operations::to_js(&result))
}

/// Tells Alibaba the share of one-time codes used (ConversionData): `conversionRate` from `"0"`
/// to `"1"` as decimal text (a number is refused: give its text), for `reportTime`.
///
/// @throws {SmsError} `INVALID_INPUT`, `INVALID_OPTION`, or the service's refusal.
#[wasm_bindgen(js_name = reportConversionRate, unchecked_return_type = "ConversionResult")]
pub async fn report_conversion_rate(
    options: ts::JsReportConversionRateOptions,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let result = operations::report_conversion_rate(&options, environment.as_ref()).await?;
    Ok(operations::to_js(&result))
}

/// Asks the service where each message stands (QueryMessage, at its 300 calls/s) until every one
/// is final (`delivered`, `failed`, `expired`) or `deadlineMs` (default 10 minutes) has passed,
/// each again after `intervalMs` (default 10 s, doubling to 5 minutes): for deployments with no
/// public URL for the report push. A message without a record yet stays `unknown`, one still on
/// its way `sending`. Nothing is sent: a question may always be asked again.
///
/// @throws {SmsError} `INVALID_INPUT` (a malformed MessageId, `issues` name their index),
/// `INVALID_OPTION`, `ABORTED`.
#[wasm_bindgen(js_name = pollDeliveries, unchecked_return_type = "PollResult")]
pub async fn poll_deliveries(
    options: ts::JsPollOptions,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let result = operations::poll_deliveries(&options, environment.as_ref()).await?;
    Ok(operations::to_js(&result))
}

/// Records delivery reports (pushed, or QueryMessage's answers) in a sent campaign's ledger and
/// journal. Sends nothing.
#[wasm_bindgen(js_name = recordReports, unchecked_return_type = "CampaignResult")]
pub async fn record_reports(
    options: ts::JsRecordReportsOptions,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    deliveries::record_reports(&options, environment.as_ref()).await
}

/// Asks QueryMessage about every sent row of a campaign until each is final or the deadline,
/// recording the answers in its ledger and journal. Sends no message.
#[wasm_bindgen(js_name = pollCampaign, unchecked_return_type = "CampaignResult")]
pub async fn poll_campaign(
    options: ts::JsPollCampaignOptions,
    #[wasm_bindgen(unchecked_param_type = "EnvironmentCredentials")] environment: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    deliveries::poll_campaign(&options, environment.as_ref()).await
}
