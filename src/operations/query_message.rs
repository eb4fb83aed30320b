//! QueryMessage: one message's delivery status by its MessageId (docs/spec/operations.md §2). A read: it
//! sends nothing to any phone, so asking twice is harmless, and `DATA_NOT_EXIST` ("retry later",
//! before the record is written) is its own error, `RECORD_NOT_FOUND`.

use serde::Serialize;

use crate::batch::{Issue, IssueCode};
use crate::error::Error;
use crate::message_id::{MessageId, MessageIdProblem};
use crate::redact::KnownSecrets;
use crate::request::{Action, Call};
use crate::response::{field_text, read_answer};

use super::NumberDetail;
use crate::report::ReportDate;

/// A query as the caller gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryMessageInput {
    /// The MessageId a send returned.
    pub message_id: String,
}

/// A query that passed its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryMessage {
    message_id: MessageId,
}

impl QueryMessage {
    /// Checks the MessageId (src/message_id.rs); a problem is an issue of field `messageId`.
    pub fn validate(input: &QueryMessageInput) -> Result<QueryMessage, Vec<Issue>> {
        MessageId::parse(&input.message_id)
            .map(|message_id| QueryMessage { message_id })
            .map_err(|problem| vec![message_id_issue(&problem)])
    }

    /// The call: `MessageId` alone.
    pub fn call(&self) -> Call {
        Call::new(Action::QueryMessage).query("MessageId", self.message_id.as_str())
    }

    /// The MessageId asked about.
    pub fn message_id(&self) -> &MessageId {
        &self.message_id
    }
}

/// The issue of a MessageId problem: one place for QueryMessage and SmsConversion.
pub(crate) fn message_id_issue(problem: &MessageIdProblem) -> Issue {
    let code = match problem {
        MessageIdProblem::Empty => IssueCode::MessageIdEmpty,
        MessageIdProblem::TooLong { .. } => IssueCode::MessageIdTooLong,
        MessageIdProblem::InvalidCharacter { .. } => IssueCode::MessageIdInvalidCharacter,
    };
    Issue::of_field(code, "messageId", problem)
}

/// Where a message stands (`Status` of the answer; docs/spec/operations.md §2-§3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// `1`: delivered to the phone.
    Delivered,
    /// `2`: the carrier or the platform gave up; `errorCode` says why. Still billed.
    Failed,
    /// `3`: being sent; ask again later.
    Sending,
    /// `6`: the validity period ran out. The code delivery reports use (docs/spec/operations.md §3); not
    /// listed for QueryMessage, read the same way should it appear.
    Expired,
}

impl DeliveryStatus {
    /// The status a `Status` code names; `None` for any other.
    pub fn from_code(code: &str) -> Option<DeliveryStatus> {
        match code.trim() {
            "1" => Some(DeliveryStatus::Delivered),
            "2" => Some(DeliveryStatus::Failed),
            "3" => Some(DeliveryStatus::Sending),
            "6" => Some(DeliveryStatus::Expired),
            _ => None,
        }
    }

    /// `delivered`, `failed`, `sending` or `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Expired => "expired",
        }
    }

    /// Whether the status will not change any more (everything but `sending`).
    pub fn is_final(self) -> bool {
        self != DeliveryStatus::Sending
    }
}

/// The answer to an accepted QueryMessage call (`QueryMessageResult`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryMessageResult {
    /// The MessageId asked about.
    pub message_id: String,
    /// `To`: the number, as the service wrote it.
    pub to: Option<String>,
    /// Where the message stands.
    pub status: DeliveryStatus,
    /// `ErrorCode`: the carrier's or platform's code, `DELIVERED` for a delivered message.
    pub error_code: Option<String>,
    /// `ErrorDescription`, e.g. `success`.
    pub error_description: Option<String>,
    /// `SendDate`, when the message was handed to the carrier: the service's text (RFC 2822 style
    /// with an offset, `Sun, 12 Jan 2025 16:04:00 +0800`) and its instant read by
    /// src/report_date.rs — the same date shape as a pushed delivery report's (src/report.rs).
    /// Text not of a date's shape is not kept.
    pub send_date: Option<ReportDate>,
    /// `ReceiveDate`, the carrier's receipt (as `send_date`).
    pub receive_date: Option<ReportDate>,
    /// `Message`: the text that was sent.
    pub message: Option<String>,
    /// Where the service says the number belongs.
    pub number_detail: Option<NumberDetail>,
    /// `RequestId`: quote it to Alibaba support.
    pub request_id: Option<String>,
    /// `ResponseCode`: `OK`.
    pub response_code: String,
    /// How many requests it took; 1 when read directly.
    pub attempts: u32,
}

/// Reads the answer to `query` (`known` as for `response::read_batch_response`). An accepted
/// answer without a `Status` this package knows cannot be read: `OUTCOME_UNKNOWN`
/// (`unreadable_body`), as any success body that is not what the operation returns.
pub fn read_query_message_response(
    query: &QueryMessage,
    known: &KnownSecrets,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<QueryMessageResult, Error> {
    read_answer(known, status, headers, body, |accepted| {
        let answer = accepted.body;
        Some(QueryMessageResult {
            message_id: query.message_id.as_str().to_string(),
            to: field_text(answer, "To"),
            status: DeliveryStatus::from_code(&field_text(answer, "Status")?)?,
            error_code: field_text(answer, "ErrorCode"),
            error_description: field_text(answer, "ErrorDescription"),
            send_date: field_text(answer, "SendDate").and_then(|t| ReportDate::read(&t)),
            receive_date: field_text(answer, "ReceiveDate").and_then(|t| ReportDate::read(&t)),
            message: field_text(answer, "Message"),
            number_detail: NumberDetail::read(answer),
            request_id: accepted.request_id.map(str::to_string),
            response_code: accepted.response_code.to_string(),
            attempts: 1,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;

    fn query(id: &str) -> QueryMessage {
        QueryMessage::validate(&QueryMessageInput {
            message_id: id.into(),
        })
        .unwrap()
    }

    fn known() -> KnownSecrets {
        KnownSecrets::of_credentials(&Credentials::new("id", "secret", None).unwrap())
    }

    #[test]
    fn the_message_id_is_checked_and_sent_alone() {
        let q = query("1008030300812345678");
        let sent: Vec<_> = q
            .call()
            .parameters()
            .map(|(n, v, _)| (n, v.to_string()))
            .collect();
        assert_eq!(sent, [("MessageId", "1008030300812345678".to_string())]);
        for (bad, code) in [
            ("", "MESSAGE_ID_EMPTY"),
            (" 1", "MESSAGE_ID_INVALID_CHARACTER"),
            ("1\n", "MESSAGE_ID_INVALID_CHARACTER"),
        ] {
            let issues = QueryMessage::validate(&QueryMessageInput {
                message_id: bad.into(),
            })
            .unwrap_err();
            assert_eq!(issues.len(), 1);
            assert_eq!(
                (issues[0].code.as_str(), issues[0].field),
                (code, "messageId")
            );
            assert!(issues[0].message.starts_with("messageId: "));
        }
    }

    #[test]
    fn each_status_is_read_and_dates_kept_as_written() {
        let q = query("1008030300812345678");
        for (code, status) in [
            ("1", DeliveryStatus::Delivered),
            ("2", DeliveryStatus::Failed),
            ("3", DeliveryStatus::Sending),
            ("6", DeliveryStatus::Expired),
        ] {
            let body = format!(
                r#"{{"ResponseCode":"OK","NumberDetail":{{"Carrier":"SingTel","Country":"Singapore","Region":"Singapore"}},"RequestId":"3A65FA10-44A0-4770-F953-A4C5BE4CD919","ErrorCode":"DELIVERED","ErrorDescription":"success","Message":"Your code","ReceiveDate":"Sun, 12 Jan 2025 16:04:03 +0800","SendDate":"Sun, 12 Jan 2025 16:04:00 +0800","To":"6591234567","Status":"{code}","MessageId":"1008030300812345678"}}"#
            );
            let r = read_query_message_response(&q, &known(), 200, &[], body.as_bytes()).unwrap();
            assert_eq!(r.status, status);
            assert_eq!(
                r.send_date.as_ref().map(|d| d.text.as_str()),
                Some("Sun, 12 Jan 2025 16:04:00 +0800")
            );
            assert_eq!(
                r.receive_date.as_ref().map(|d| d.text.as_str()),
                Some("Sun, 12 Jan 2025 16:04:03 +0800")
            );
            assert_eq!(r.to.as_deref(), Some("6591234567"));
            assert_eq!(r.error_code.as_deref(), Some("DELIVERED"));
            assert_eq!(serde_json::to_value(&r).unwrap()["status"], status.as_str());
        }
        // A number for Status reads the same; an unknown or missing one cannot be read.
        let numeric = read_query_message_response(
            &q,
            &known(),
            200,
            &[],
            br#"{"ResponseCode":"OK","Status":2,"ErrorCode":"UNDELIV"}"#,
        )
        .unwrap();
        assert_eq!(numeric.status, DeliveryStatus::Failed);
        for body in [
            r#"{"ResponseCode":"OK","Status":"9"}"#,
            r#"{"ResponseCode":"OK"}"#,
        ] {
            let e =
                read_query_message_response(&q, &known(), 200, &[], body.as_bytes()).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::OutcomeUnknown {
                        reason: crate::error::UnknownReason::UnreadableBody,
                        ..
                    }
                ),
                "{e:?}"
            );
        }
    }

    #[test]
    fn no_record_yet_is_its_own_retryable_error() {
        let q = query("1");
        let e = read_query_message_response(
            &q,
            &known(),
            200,
            &[],
            br#"{"RequestId":"3A65FA10-44A0-4770-F953-A4C5BE4CD919","ResponseCode":"DATA_NOT_EXIST","ResponseDescription":"data not exist"}"#,
        )
        .unwrap_err();
        assert_eq!(e.code().as_str(), "RECORD_NOT_FOUND");
        assert!(e.retryable());
        assert_eq!(e.request_id(), Some("3A65FA10-44A0-4770-F953-A4C5BE4CD919"));
        assert!(e.to_string().contains("ask again later"), "{e}");
        assert!(DeliveryStatus::Delivered.is_final() && !DeliveryStatus::Sending.is_final());
    }
}
