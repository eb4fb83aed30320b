//! SendMessageToGlobe: one number, free text (docs/spec/operations.md §2). Alibaba's advice for
//! time-critical sends such as one-time codes.
//!
//! The rules are the batch's, applied to one recipient: the number by `recipient::normalize`
//! (mainland refused), the text by `segment::check_message`, `from` by `sender_id`, `taskId` by
//! the batch's task ID rule, plus `validityPeriod` and `channelId`. No `Type`: the operation page
//! lists none (the SDK model has one; docs/spec/operations.md §6).

use serde::Serialize;

use crate::batch::{check_channel_id, check_from, check_task_id, check_validity_period, Issue};
use crate::channel_id::ChannelId;
use crate::error::Error;
use crate::recipient::{self, NumberRules, Recipient};
use crate::redact::KnownSecrets;
use crate::request::{Action, Call};
use crate::response::{field_number, field_text, read_answer};
use crate::segment::{self, MessageProblem, SegmentCount};
use crate::sender_id::SenderId;
use crate::validity_period::ValidityPeriod;

use super::NumberDetail;

/// One message as the caller gave it, before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct SendMessageInput {
    /// The recipient number as typed (`+852 9123 4567`, `0085291234567`, `85291234567`).
    pub to: String,
    /// The text.
    pub message: String,
    /// Sender ID; `None` or `""` means not sent.
    pub from: Option<String>,
    /// Echoed in the delivery report, 1 to 255 characters; `None` or `""` means not sent.
    pub task_id: Option<String>,
    /// Seconds the carrier keeps trying (src/validity_period.rs); `None` means not sent.
    pub validity_period: Option<f64>,
    /// `ChannelId` (src/channel_id.rs); `None` or `""` means not sent.
    pub channel_id: Option<String>,
    /// Which number rules apply.
    pub number_rules: NumberRules,
    /// The text's problem when it could not be decoded before it became a `String` (a lone
    /// surrogate in JavaScript's UTF-16), as `BatchInput::undecodable_messages`.
    pub undecodable_message: Option<MessageProblem>,
}

impl SendMessageInput {
    /// A message to `to` with default options.
    pub fn new(to: impl Into<String>, message: impl Into<String>) -> SendMessageInput {
        SendMessageInput {
            to: to.into(),
            message: message.into(),
            from: None,
            task_id: None,
            validity_period: None,
            channel_id: None,
            number_rules: NumberRules::default(),
            undecodable_message: None,
        }
    }
}

/// A message that passed every rule: what will be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendMessage {
    given_to: String,
    recipient: Recipient,
    message: String,
    segments: SegmentCount,
    from: Option<SenderId>,
    task_id: Option<String>,
    validity_period: Option<ValidityPeriod>,
    channel_id: Option<ChannelId>,
}

impl SendMessage {
    /// Checks every field; on failure every problem is returned (field `to`, `message`, `from`,
    /// `taskId`, `validityPeriod` or `channelId`, never an index).
    pub fn validate(input: &SendMessageInput) -> Result<SendMessage, Vec<Issue>> {
        let mut issues = Vec::new();
        let recipient = recipient::normalize(&input.to, &input.number_rules)
            .map_err(|problem| {
                issues.push(Issue::new(
                    problem.code(),
                    "to",
                    None,
                    format!("to: {problem}"),
                ));
            })
            .ok();
        let segments = match &input.undecodable_message {
            Some(problem) => Err(problem.clone()),
            None => segment::check_message(&input.message),
        }
        .map_err(|problem| issues.push(Issue::message(None, &problem)))
        .ok();
        let from = check_from(input.from.as_deref(), &mut issues);
        let task_id = check_task_id(input.task_id.as_deref(), &mut issues);
        let validity_period = check_validity_period(input.validity_period, &mut issues);
        let channel_id = check_channel_id(input.channel_id.as_deref(), &mut issues);
        match (recipient, segments) {
            (Some(recipient), Some(segments)) if issues.is_empty() => Ok(SendMessage {
                given_to: input.to.clone(),
                recipient,
                message: input.message.clone(),
                segments,
                from,
                task_id,
                validity_period,
                channel_id,
            }),
            _ => Err(issues),
        }
    }

    /// The call, parameters in the SDK's order: `ChannelId`, `From`, `Message`, `TaskId`, `To`,
    /// `ValidityPeriod` (golden/operations-v1.json, `smtg-all-parameters`).
    pub fn call(&self) -> Call {
        Call::new(Action::SendMessageToGlobe)
            .query_if("ChannelId", self.channel_id.as_ref().map(ChannelId::as_str))
            .query_if("From", self.from.as_ref().map(SenderId::as_str))
            .query("Message", self.message.as_str())
            .query_if("TaskId", self.task_id.as_deref())
            .query("To", self.recipient.normalized.as_str())
            .query_if(
                "ValidityPeriod",
                self.validity_period.map(|v| v.seconds().to_string()),
            )
    }

    /// The number as the caller gave it.
    pub fn given_to(&self) -> &str {
        &self.given_to
    }

    /// The recipient as sent.
    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }

    /// The text as sent.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Encoding and billable segments of the text, as counted here.
    pub fn segments(&self) -> SegmentCount {
        self.segments
    }

    /// The sender ID, if one is sent.
    pub fn from(&self) -> Option<&SenderId> {
        self.from.as_ref()
    }

    /// The task ID, if one is sent.
    pub fn task_id(&self) -> Option<&str> {
        self.task_id.as_deref()
    }

    /// The validity period, if one is sent.
    pub fn validity_period(&self) -> Option<ValidityPeriod> {
        self.validity_period
    }

    /// The channel, if one is sent.
    pub fn channel_id(&self) -> Option<&ChannelId> {
        self.channel_id.as_ref()
    }
}

/// The result of an accepted SendMessageToGlobe call (`SendMessageResult`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessageResult {
    /// `MessageId`: the key of its delivery report and of QueryMessage. `None` only when an
    /// accepted answer lacked it (the message was accepted and cannot be queried).
    pub message_id: Option<String>,
    /// Billed segments: the service's `Segments` (a string on the wire), or this package's own
    /// count of the text when the answer has none.
    #[serde(serialize_with = "crate::error::as_js_number")]
    pub segments: u64,
    /// The number as the caller gave it.
    pub to: String,
    /// The number as sent.
    pub normalized_to: String,
    /// `From` as echoed by the service, else the sender ID sent.
    pub from: Option<String>,
    /// Where the service says the number belongs.
    pub number_detail: Option<NumberDetail>,
    /// `RequestId`: quote it to Alibaba support.
    pub request_id: Option<String>,
    /// `ResponseCode`: `OK`.
    pub response_code: String,
    /// `ResponseDescription`.
    pub response_description: Option<String>,
    /// How many requests it took (throttled attempts are resent); 1 when read directly.
    pub attempts: u32,
}

/// Reads the answer to `send` (`known` as for `response::read_batch_response`).
pub fn read_send_message_response(
    send: &SendMessage,
    known: &KnownSecrets,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<SendMessageResult, Error> {
    read_answer(known, status, headers, body, |accepted| {
        let answer = accepted.body;
        Some(SendMessageResult {
            message_id: field_text(answer, "MessageId").filter(|id| !id.is_empty()),
            segments: field_number(answer, "Segments").unwrap_or(send.segments.segments as u64),
            to: send.given_to.clone(),
            normalized_to: send.recipient.normalized.clone(),
            from: field_text(answer, "From")
                .or_else(|| send.from.as_ref().map(|f| f.as_str().to_string())),
            number_detail: NumberDetail::read(answer),
            request_id: accepted.request_id.map(str::to_string),
            response_code: accepted.response_code.to_string(),
            response_description: field_text(answer, "ResponseDescription"),
            attempts: 1,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::request::Placement;

    fn issues(input: &SendMessageInput) -> Vec<(&'static str, &'static str)> {
        SendMessage::validate(input)
            .unwrap_err()
            .iter()
            .map(|i| (i.code.as_str(), i.field))
            .collect()
    }

    #[test]
    fn a_valid_message_is_sent_normalized_in_the_sdk_order() {
        let mut input = SendMessageInput::new("+44 7700 900123", "Parcel 7");
        input.from = Some("Alicloud".into());
        input.task_id = Some("delivery-1".into());
        input.validity_period = Some(3600.0);
        input.channel_id = Some("channel01".into());
        let send = SendMessage::validate(&input).unwrap();
        let call = send.call();
        assert_eq!(call.action(), Action::SendMessageToGlobe);
        let sent: Vec<(&str, &str)> = call
            .parameters()
            .inspect(|(_, _, p)| assert_eq!(*p, Placement::Query))
            .map(|(n, v, _)| (n, v))
            .collect();
        assert_eq!(
            sent,
            [
                ("ChannelId", "channel01"),
                ("From", "Alicloud"),
                ("Message", "Parcel 7"),
                ("TaskId", "delivery-1"),
                ("To", "447700900123"),
                ("ValidityPeriod", "3600"),
            ]
        );
        // Unset options are not sent at all.
        let bare = SendMessage::validate(&SendMessageInput::new("6591234567", "hi")).unwrap();
        assert_eq!(
            bare.call()
                .parameters()
                .map(|(n, _, _)| n)
                .collect::<Vec<_>>(),
            ["Message", "To"]
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut input = SendMessageInput::new("+86 138 0013 8000", "");
        input.from = Some("Ali cloud".into());
        input.task_id = Some("t".repeat(256));
        input.validity_period = Some(10.0);
        input.channel_id = Some("chan nel".into());
        assert_eq!(
            issues(&input),
            [
                ("RECIPIENT_MAINLAND_CHINA", "to"),
                ("MESSAGE_EMPTY", "message"),
                ("SENDER_ID_INVALID_CHARACTER", "from"),
                ("TASK_ID_TOO_LONG", "taskId"),
                ("VALIDITY_PERIOD_INVALID", "validityPeriod"),
                ("CHANNEL_ID_INVALID_CHARACTER", "channelId"),
            ]
        );
        let all = SendMessage::validate(&input).unwrap_err();
        assert!(all.iter().all(|i| i.index.is_none()));
        assert!(all[0].message.starts_with("to: "));

        let mut broken = SendMessageInput::new("6591234567", "ok");
        broken.undecodable_message = Some(MessageProblem::LoneSurrogate { position: 1 });
        assert_eq!(issues(&broken), [("MESSAGE_LONE_SURROGATE", "message")]);
        assert_eq!(
            issues(&SendMessageInput::new("12", "x".repeat(501))),
            [
                ("RECIPIENT_TOO_SHORT", "to"),
                ("MESSAGE_TOO_LONG", "message")
            ]
        );
    }

    fn known() -> KnownSecrets {
        KnownSecrets::of_credentials(&Credentials::new("id", "secret", None).unwrap())
    }

    #[test]
    fn an_accepted_answer_is_read_whole() {
        let send = SendMessage::validate(&SendMessageInput::new("+65 9123 4567", "Your code is 1"))
            .unwrap();
        let body = br#"{"ResponseCode":"OK","NumberDetail":{"Carrier":"SingTel","Country":"Singapore","Region":"Singapore"},"RequestId":"96369AE9-6C4D-C00A-709C-F91FA99F1426","Segments":"2","ResponseDescription":"The SMS Send Request was accepted","To":"6591234567","From":"Alicloud","MessageId":"1092431504233380706"}"#;
        let result = read_send_message_response(&send, &known(), 200, &[], body).unwrap();
        assert_eq!(result.message_id.as_deref(), Some("1092431504233380706"));
        assert_eq!(result.segments, 2);
        assert_eq!(result.to, "+65 9123 4567");
        assert_eq!(result.normalized_to, "6591234567");
        assert_eq!(result.from.as_deref(), Some("Alicloud"));
        assert_eq!(
            result.number_detail.unwrap().carrier.as_deref(),
            Some("SingTel")
        );
        let json = serde_json::to_value(
            read_send_message_response(&send, &known(), 200, &[], body).unwrap(),
        )
        .unwrap();
        assert_eq!(json["segments"], serde_json::json!(2.0));
        assert_eq!(json["numberDetail"]["country"], "Singapore");
        assert_eq!(json["messageId"], "1092431504233380706");

        // Without Segments and MessageId: our own count, and no ID rather than a guess.
        let thin = read_send_message_response(
            &send,
            &known(),
            200,
            &[],
            br#"{"ResponseCode":"OK","MessageId":""}"#,
        )
        .unwrap();
        assert_eq!((thin.segments, thin.message_id), (1, None));
    }

    #[test]
    fn a_send_is_classified_like_a_batch() {
        let send = SendMessage::validate(&SendMessageInput::new("6591234567", "x")).unwrap();
        let read = |status, body: &str| {
            read_send_message_response(&send, &known(), status, &[], body.as_bytes())
                .unwrap_err()
                .code()
                .as_str()
        };
        assert_eq!(
            read(200, r#"{"ResponseCode":"INVALID_SENDERID"}"#),
            "SERVICE_REJECTED"
        );
        assert_eq!(
            read(200, r#"{"ResponseCode":"QPS_LIMIT_CONTROL"}"#),
            "THROTTLED"
        );
        assert_eq!(
            read(400, r#"{"Code":"SignatureDoesNotMatch"}"#),
            "SIGNATURE_REJECTED"
        );
        assert_eq!(
            read(503, r#"{"Code":"ServiceUnavailable"}"#),
            "OUTCOME_UNKNOWN"
        );
        assert_eq!(read(200, "<xml/>"), "OUTCOME_UNKNOWN");
    }
}
