//! The state behind `createReportHandler` (pkg-template/reports.js): a `ReportReader` holds the
//! (`MessageId`, `Status`) keys already handed on (`report::SeenReports`) for the handler's
//! lifetime, so the de-duplication window spans pushes. Each push is read and split by the core
//! (`report::read_reports`, `report::dedupe`); its fresh reports are remembered only when the
//! handler calls `remember()`, after the caller's `onReports` resolved (src/report.rs,
//! `SeenReports`: a push whose handling failed comes again and must not be taken for a repeat).
//!
//! Not part of the public types (`skip_typescript`): only reports.js uses it, through the entries.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::report::{self, RejectedEntry, Report, SeenReports};

use super::output;

/// A push read and split: `fresh` to hand on, `duplicates` already handed on (or repeated within
/// the push), `rejected` entries that are not reports.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Push<'a> {
    fresh: &'a [Report],
    duplicates: &'a [Report],
    rejected: &'a [RejectedEntry],
}

/// A body refused as a whole (`report::BodyProblem`): its stable code and a sentence.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Refused {
    refused: &'static str,
    message: String,
}

/// The de-duplication state of one report handler.
#[wasm_bindgen(skip_typescript)]
pub struct ReportReader {
    seen: SeenReports,
    /// The fresh reports of the last `read`, until `remember` or the next `read`.
    unsettled: Vec<Report>,
}

#[wasm_bindgen]
impl ReportReader {
    /// Remembers up to `capacity` keys (0: each push is de-duplicated only within itself).
    #[wasm_bindgen(constructor)]
    pub fn new(capacity: u32) -> ReportReader {
        ReportReader {
            seen: SeenReports::new(usize::try_from(capacity).unwrap_or(usize::MAX)),
            unsettled: Vec::new(),
        }
    }

    /// Reads one push body: `{ fresh, duplicates, rejected }`, or `{ refused, message }` when the
    /// body is refused whole. Replaces the unsettled reports of an earlier `read`: the handler
    /// reads one push at a time and settles it before the next.
    pub fn read(&mut self, body: &[u8]) -> JsValue {
        self.unsettled.clear();
        match report::read_reports(body) {
            Ok(batch) => {
                let split = report::dedupe(batch.reports, &self.seen);
                let value = output::to_js(&Push {
                    fresh: &split.fresh,
                    duplicates: &split.duplicates,
                    rejected: &batch.rejected,
                });
                self.unsettled = split.fresh;
                value
            }
            Err(problem) => output::to_js(&Refused {
                refused: problem.code(),
                message: problem.to_string(),
            }),
        }
    }

    /// Remembers the fresh reports of the last `read`: call once they were handled.
    pub fn remember(&mut self) {
        self.seen.remember(&self.unsettled);
        self.unsettled.clear();
    }

    /// Drops the fresh reports of the last `read` unremembered: their handling failed, so a
    /// second push of them is handed on again.
    pub fn forget(&mut self) {
        self.unsettled.clear();
    }
}
