//! A campaign's result for JavaScript (issue 12): the core's ledger columns (`crate::ledger`)
//! copied into typed arrays chunk by chunk, so the wasm memory never holds more than one chunk of
//! them, and handed to `ledger.js`, which builds each row when it is read.

use js_sys::{Array, Float64Array, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::campaign::{Campaign, RequestCount};
use crate::ledger::{Encoder, STATES};

use super::output;
use super::source::Source;

#[wasm_bindgen(module = "/src/wasm/ledger.js")]
extern "C" {
    #[wasm_bindgen(js_name = campaignResult)]
    #[allow(clippy::too_many_arguments)]
    fn campaign_result(
        counts: &JsValue,
        requests: &JsValue,
        given: &JsValue,
        states: &Array,
        state: &Uint8Array,
        normalized: &Float64Array,
        message: &Uint32Array,
        message_pieces: &Array,
        message_ends: &Uint32Array,
        request: &Uint32Array,
        request_ids: &Array,
        code: &Uint32Array,
        codes: &Array,
        duplicate_of: &Uint32Array,
    ) -> JsValue;
}

/// Rows encoded per step: 8192 × 25 bytes of columns (plus their message IDs) at a time.
const CHUNK: usize = 8192;

fn strings(items: &[&str]) -> Array {
    items.iter().map(|s| JsValue::from_str(s)).collect()
}

/// The `CampaignResult` of `campaign`, whose list is `source`.
pub fn result(campaign: &Campaign, source: &Source) -> JsValue {
    let counts = campaign.counts();
    let total = u32::try_from(campaign.total()).unwrap_or(u32::MAX);
    let state = Uint8Array::new_with_length(total);
    let normalized = Float64Array::new_with_length(total);
    let message = Uint32Array::new_with_length(total);
    // Only sent recipients (reported or not) have a message ID, at most one each.
    let with_ids = counts.sent + counts.delivered + counts.undelivered + counts.expired;
    let message_ends = Uint32Array::new_with_length(u32::try_from(with_ids).unwrap_or(u32::MAX));
    let request = Uint32Array::new_with_length(total);
    let code = Uint32Array::new_with_length(total);
    let duplicate_of = Uint32Array::new_with_length(total);
    let message_pieces = Array::new();
    let mut messages = 0u32;
    let mut units = 0u32;
    let mut encoder = Encoder::new(campaign);
    while let Some(chunk) = encoder.next_chunk(CHUNK) {
        // Every column of a chunk has `chunk.len()` items, so each copy fits its subarray.
        let first = u32::try_from(chunk.first).unwrap_or(u32::MAX);
        let end = first.saturating_add(u32::try_from(chunk.len()).unwrap_or(u32::MAX));
        state.subarray(first, end).copy_from(&chunk.state);
        // Exact: a normalized number has at most 15 digits, below 2^53.
        let numbers: Vec<f64> = chunk.normalized.iter().map(|n| *n as f64).collect();
        normalized.subarray(first, end).copy_from(&numbers);
        message.subarray(first, end).copy_from(&chunk.message);
        request.subarray(first, end).copy_from(&chunk.request);
        code.subarray(first, end).copy_from(&chunk.code);
        duplicate_of
            .subarray(first, end)
            .copy_from(&chunk.duplicate_of);
        // JavaScript slices strings in UTF-16 units; the core's ends are bytes.
        let ascii = chunk.message_ids.text().is_ascii();
        let ends: Vec<u32> = chunk
            .message_ids
            .iter()
            .map(|id| {
                let length = if ascii {
                    id.len()
                } else {
                    id.encode_utf16().count()
                };
                units = units.saturating_add(u32::try_from(length).unwrap_or(u32::MAX));
                units
            })
            .collect();
        let count = u32::try_from(ends.len()).unwrap_or(u32::MAX);
        message_ends
            .subarray(
                chunk.first_message,
                chunk.first_message.saturating_add(count),
            )
            .copy_from(&ends);
        messages = chunk.first_message.saturating_add(count);
        message_pieces.push(&JsValue::from_str(chunk.message_ids.text()));
    }
    let tables = encoder.tables();
    campaign_result(
        &output::to_js(&counts),
        &output::to_js(&RequestCount {
            done: campaign.requests_done(),
            total: campaign.requests_total(),
        }),
        source.given(),
        &strings(&STATES),
        &state,
        &normalized,
        &message,
        &message_pieces,
        &message_ends.subarray(0, messages),
        &request,
        &strings(tables.request_ids.items()),
        &code,
        &strings(tables.codes.items()),
        &duplicate_of,
    )
}
