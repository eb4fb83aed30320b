//! The TypeScript shapes of every value that crosses the boundary. They live in `types.d.ts`
//! (one file, so a native test can check its code unions against the core's lists) and are
//! emitted into the generated `.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

#[wasm_bindgen]
extern "C" {
    /// Options of `batchSend` and `signRequest`.
    #[wasm_bindgen(typescript_type = "SendOptions")]
    pub type JsSendOptions;

    /// Options of `validateBatch`.
    #[wasm_bindgen(typescript_type = "BatchOptions")]
    pub type JsBatchOptions;

    /// Options of `sendCampaign` and `resumeCampaign`.
    #[wasm_bindgen(typescript_type = "CampaignOptions")]
    pub type JsCampaignOptions;

    /// Options of `sendMessage`.
    #[wasm_bindgen(typescript_type = "SendMessageOptions")]
    pub type JsSendMessageOptions;

    /// Options of `queryMessage`.
    #[wasm_bindgen(typescript_type = "QueryMessageOptions")]
    pub type JsQueryMessageOptions;

    /// Options of `reportConversion`.
    #[wasm_bindgen(typescript_type = "ReportConversionOptions")]
    pub type JsReportConversionOptions;

    /// Options of `reportConversionRate`.
    #[wasm_bindgen(typescript_type = "ReportConversionRateOptions")]
    pub type JsReportConversionRateOptions;

    /// Options of `pollDeliveries`.
    #[wasm_bindgen(typescript_type = "PollOptions")]
    pub type JsPollOptions;

    /// Options of `recordReports`.
    #[wasm_bindgen(typescript_type = "RecordReportsOptions")]
    pub type JsRecordReportsOptions;

    /// Options of `pollCampaign`.
    #[wasm_bindgen(typescript_type = "PollCampaignOptions")]
    pub type JsPollCampaignOptions;

    /// The fixed time and nonce of `signRequest`.
    #[wasm_bindgen(typescript_type = "SignAt")]
    pub type JsSignAt;
}
