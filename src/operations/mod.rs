//! The international operations besides the batch (docs/spec/operations.md §1-§2): each module holds one
//! operation's input, its rules (the shared ones live in their own modules: recipient, segment,
//! sender_id, validity_period, channel_id, message_id, event_time, conversion_rate), the
//! [`Call`](crate::request::Call) it signs, and the reader of its answer.
//!
//! Every reader goes through `response::read_answer`, the batch's classification: gateway codes,
//! throttling, 4xx refusals, and for a 5xx, a broken connection or an unreadable success body an
//! unknown outcome. What may be resent after which failure depends on the operation
//! (`Action::sends_messages`, `retry::Safety`): a SendMessageToGlobe whose outcome is
//! unknown is never resent, like a batch; a QueryMessage, SmsConversion or ConversionData sends no
//! SMS, so resending one costs a request and nothing else.
//!
//! A validation failure is a list of [`Issue`](crate::batch::Issue)s naming their fields, which a
//! caller refuses with `Error::InvalidInput { issues }`, as `Error::InvalidBatch` for a batch.

pub mod conversion_data;
pub mod query_message;
pub mod send_message;
pub mod sms_conversion;

use serde::Serialize;

use crate::error::Error;
use crate::json_text::JsonValue;
use crate::redact::KnownSecrets;
use crate::response::{field, field_text, read_answer};

pub use conversion_data::{ConversionData, ConversionDataInput};
pub use query_message::{DeliveryStatus, QueryMessage, QueryMessageInput, QueryMessageResult};
pub use send_message::{SendMessage, SendMessageInput, SendMessageResult};
pub use sms_conversion::{SmsConversion, SmsConversionInput};

/// Where the service says a number belongs (`NumberDetail` of SendMessageToGlobe and
/// QueryMessage answers), each field as the service wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberDetail {
    /// `Carrier`, e.g. `SingTel`.
    pub carrier: Option<String>,
    /// `Country`, e.g. `Singapore`.
    pub country: Option<String>,
    /// `Region`.
    pub region: Option<String>,
}

impl NumberDetail {
    /// `NumberDetail` of an answer: `None` when absent or not an object.
    pub(crate) fn read(answer: &JsonValue) -> Option<NumberDetail> {
        let detail = field(answer, "NumberDetail")?;
        if !matches!(detail, JsonValue::Object(_)) {
            return None;
        }
        Some(NumberDetail {
            carrier: field_text(detail, "Carrier"),
            country: field_text(detail, "Country"),
            region: field_text(detail, "Region"),
        })
    }
}

/// The result of an accepted SmsConversion or ConversionData call: the service acknowledges and
/// returns nothing else (docs/spec/operations.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversionResult {
    /// `RequestId`: quote it to Alibaba support.
    pub request_id: Option<String>,
    /// `ResponseCode`: `OK`.
    pub response_code: String,
    /// `ResponseDescription`.
    pub response_description: Option<String>,
    /// How many requests it took; 1 when read directly.
    pub attempts: u32,
}

/// Reads the answer to an SmsConversion or ConversionData call.
pub fn read_conversion_response(
    known: &KnownSecrets,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<ConversionResult, Error> {
    read_answer(known, status, headers, body, |accepted| {
        Some(ConversionResult {
            request_id: accepted.request_id.map(str::to_string),
            response_code: accepted.response_code.to_string(),
            response_description: field_text(accepted.body, "ResponseDescription"),
            attempts: 1,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;

    fn known() -> KnownSecrets {
        KnownSecrets::of_credentials(&Credentials::new("id", "secret", None).unwrap())
    }

    #[test]
    fn a_conversion_is_acknowledged_or_refused_like_any_call() {
        let ok = read_conversion_response(
            &known(),
            200,
            &[],
            br#"{"RequestId":"F6CCC308-7B48-5A2F-A429-5C1617EBCD6D","ResponseCode":"OK","ResponseDescription":"OK"}"#,
        )
        .unwrap();
        assert_eq!(ok.response_code, "OK");
        assert_eq!(
            ok.request_id.as_deref(),
            Some("F6CCC308-7B48-5A2F-A429-5C1617EBCD6D")
        );
        let missing = read_conversion_response(
            &known(),
            200,
            &[],
            br#"{"RequestId":"F6CCC308-7B48-5A2F-A429-5C1617EBCD6D","ResponseCode":"DATA_NOT_EXIST","ResponseDescription":"retry later"}"#,
        )
        .unwrap_err();
        assert_eq!(missing.code().as_str(), "RECORD_NOT_FOUND");
        assert!(missing.retryable());
        assert_eq!(missing.service_code(), Some("DATA_NOT_EXIST"));
        let throttled =
            read_conversion_response(&known(), 400, &[], br#"{"Code":"Throttling.User"}"#)
                .unwrap_err();
        assert_eq!(throttled.code().as_str(), "THROTTLED");
        let broken = read_conversion_response(&known(), 502, &[], b"<html>").unwrap_err();
        assert_eq!(broken.code().as_str(), "OUTCOME_UNKNOWN");
    }

    #[test]
    fn number_detail_reads_an_object_only() {
        let parse = |t: &str| crate::json_text::parse(t).unwrap();
        assert_eq!(
            NumberDetail::read(&parse(
                r#"{"NumberDetail":{"Carrier":"CSL","Country":"Hong Kong"}}"#
            )),
            Some(NumberDetail {
                carrier: Some("CSL".into()),
                country: Some("Hong Kong".into()),
                region: None
            })
        );
        assert_eq!(NumberDetail::read(&parse(r#"{"NumberDetail":"x"}"#)), None);
        assert_eq!(NumberDetail::read(&parse(r#"{}"#)), None);
    }
}
