//! `readCsvCampaign`, `planCampaign` and `resultsCsv` (issue 14): read the caller's values, call
//! the core (`crate::csv_campaign`, `crate::campaign`), convert back. Synchronous, like
//! `validateBatch`: nothing here waits or sends.

use js_sys::JsString;
use wasm_bindgen::{JsCast, JsValue};

use crate::campaign::{CampaignCheck, CampaignRules};
use crate::csv::MAX_TEXT_BYTES;
use crate::csv_campaign::{self, CsvCampaignOptions, ResultLines, ResultRows};
use crate::error::Error;
use crate::options::MAX_CAMPAIGN_RECIPIENTS;

use super::input::Reading;
use super::options::{self, CampaignSettings};
use super::source::Source;

/// Recipients checked per step, as `sendCampaign` does (`src/wasm/campaign.rs`).
const PART: usize = 1000;

fn invalid(field: &str, message: &str) -> Error {
    Error::InvalidOption {
        field: field.to_string(),
        message: message.to_string(),
    }
}

/// The CSV text: a string of at most `MAX_TEXT_BYTES` (refused from its length in UTF-16 units,
/// each at least one byte of UTF-8, before it is copied), without a lone surrogate (which would
/// arrive as U+FFFD and put a character nobody wrote into a number or a text).
fn text(value: &JsValue) -> Result<String, Error> {
    let Some(js) = value.dyn_ref::<JsString>() else {
        return Err(invalid("text", "must be a string"));
    };
    if js.length() as usize > MAX_TEXT_BYTES {
        return Err(invalid(
            "text",
            &format!("is longer than the {MAX_TEXT_BYTES} bytes a CSV text may have"),
        ));
    }
    if !js.is_valid_utf16() {
        return Err(invalid(
            "text",
            "holds a lone surrogate (half of a UTF-16 pair): the file was cut or mis-decoded",
        ));
    }
    Ok(String::from(js))
}

pub fn read_campaign(value: &JsValue, given: &JsValue) -> Result<JsValue, Error> {
    let text = text(value)?;
    let options: CsvCampaignOptions = if given.is_undefined() || given.is_null() {
        CsvCampaignOptions::default()
    } else {
        options::shape(given)?
    };
    let campaign = csv_campaign::read(&text, &options)?;
    Ok(super::output::to_js(&campaign))
}

pub fn plan(value: &JsValue) -> Result<JsValue, Error> {
    let source = Source::read(value)?;
    // The same options as sendCampaign, refused the same way; nothing is signed or sent.
    options::send(value)?;
    let CampaignSettings { campaigning, .. } = options::campaign(value)?;
    let rules = CampaignRules {
        drop_duplicates: source.input().drop_duplicates,
        number_rules: source.input().number_rules,
        all_or_nothing: campaigning.all_or_nothing,
        stop_on_unknown: campaigning.stop_on_unknown,
    };
    let mut check = CampaignCheck::for_plan(source.input(), source.len(), source.message_count(), rules);
    for start in (0..source.len()).step_by(PART) {
        let (to, messages, broken) = source.part(start..source.len().min(start + PART));
        check.check_part(&to, &messages, &broken);
    }
    Ok(super::output::to_js(&check.plan(campaigning.qps)))
}

pub fn results(ledger: &JsValue, csv: &JsValue) -> Result<JsValue, Error> {
    let rows: ResultRows = options::shape_with_lists(ledger, MAX_CAMPAIGN_RECIPIENTS).map_err(|e| match e {
        Error::InvalidOption { field, message } => Error::InvalidOption {
            field: if field == "options" { "ledger".to_string() } else { format!("ledger.{field}") },
            message,
        },
        other => other,
    })?;
    // readCsvCampaign's result (its `lines` and `leftOut`), or only its `lines`: lists of
    // objects and numbers, read item by item, each item once. Asked through `input::kind`, not
    // `Array.isArray`, which throws on a revoked Proxy (the boundary fuzzer's named case
    // "resultsCsv: csv = a revoked Proxy" got that TypeError raw): such a `csv` is unreadable,
    // refused below as `csv`.
    let reading = Reading::new(MAX_CAMPAIGN_RECIPIENTS).with_object_lists();
    let csv: ResultLines = if super::input::kind(csv) == "array" {
        ResultLines {
            lines: reading.read(csv, "csv").map_err(|e| invalid(&e.field, &e.message))?,
            left_out: Vec::new(),
        }
    } else {
        options::shape_with_lists(csv, MAX_CAMPAIGN_RECIPIENTS).map_err(|e| match e {
            Error::InvalidOption { field, message } => Error::InvalidOption {
                field: if field == "options" { "csv".to_string() } else { format!("csv.{field}") },
                message,
            },
            other => other,
        })?
    };
    let out = csv_campaign::results_csv(&rows.recipients, &csv)?;
    Ok(JsValue::from_str(&out))
}
