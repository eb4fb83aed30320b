//! SmsConversion: feedback that one OTP message was used, or not (docs/spec/operations.md §2). Alibaba's
//! docs advise calling it asynchronously; it sends nothing to a phone, so a resend is harmless.
//! The answer is read by `operations::read_conversion_response`.

use crate::batch::{Issue, IssueCode};
use crate::event_time::{EventTime, EventTimeProblem};
use crate::message_id::MessageId;
use crate::request::{Action, Call};

use super::query_message::message_id_issue;

/// A conversion report as the caller gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct SmsConversionInput {
    /// The MessageId of the OTP message.
    pub message_id: String,
    /// Whether the code was used (`Delivered`; `false` is sent, not left out).
    pub delivered: bool,
    /// When it was used, in ms since the epoch (src/event_time.rs); `None` is not sent.
    pub conversion_time: Option<f64>,
}

/// A conversion report that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsConversion {
    message_id: MessageId,
    delivered: bool,
    conversion_time: Option<EventTime>,
}

impl SmsConversion {
    /// Checks the MessageId and the time against `now_ms` (the caller's clock, `Date.now()`);
    /// every problem is returned (fields `messageId`, `conversionTime`).
    pub fn validate(input: &SmsConversionInput, now_ms: f64) -> Result<SmsConversion, Vec<Issue>> {
        let mut issues = Vec::new();
        let message_id = MessageId::parse(&input.message_id)
            .map_err(|p| issues.push(message_id_issue(&p)))
            .ok();
        let conversion_time =
            check_time(input.conversion_time, now_ms, "conversionTime", &mut issues);
        match message_id {
            Some(message_id) if issues.is_empty() => Ok(SmsConversion {
                message_id,
                delivered: input.delivered,
                conversion_time,
            }),
            _ => Err(issues),
        }
    }

    /// The call, parameters in the SDK's order: `ConversionTime`, `Delivered`, `MessageId`;
    /// `Delivered` written `true` / `false` as the Node SDK does (docs/spec/operations.md §6).
    pub fn call(&self) -> Call {
        Call::new(Action::SmsConversion)
            .query_if(
                "ConversionTime",
                self.conversion_time.map(|t| t.millis().to_string()),
            )
            .query("Delivered", if self.delivered { "true" } else { "false" })
            .query("MessageId", self.message_id.as_str())
    }

    /// The MessageId reported on.
    pub fn message_id(&self) -> &MessageId {
        &self.message_id
    }

    /// Whether the code was used.
    pub fn delivered(&self) -> bool {
        self.delivered
    }

    /// When, if given.
    pub fn conversion_time(&self) -> Option<EventTime> {
        self.conversion_time
    }
}

/// Checks an optional time of field `field`, adding an issue for a problem: one place for
/// `conversionTime` and `reportTime`.
pub(crate) fn check_time(
    given: Option<f64>,
    now_ms: f64,
    field: &'static str,
    issues: &mut Vec<Issue>,
) -> Option<EventTime> {
    EventTime::check(given?, now_ms)
        .map_err(|p| {
            let code = match p {
                EventTimeProblem::NotWhole { .. } => IssueCode::TimeInvalid,
                EventTimeProblem::TooEarly { .. } => IssueCode::TimeTooEarly,
                EventTimeProblem::InFuture { .. } => IssueCode::TimeInFuture,
            };
            issues.push(Issue::of_field(code, field, p));
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_736_669_160_000.0;

    fn sent(input: &SmsConversionInput) -> Vec<(&'static str, String)> {
        SmsConversion::validate(input, NOW)
            .unwrap()
            .call()
            .parameters()
            .map(|(n, v, _)| (n, v.to_string()))
            .collect()
    }

    #[test]
    fn delivered_is_always_sent_and_the_time_only_when_given() {
        let mut input = SmsConversionInput {
            message_id: "1008030300812345678".into(),
            delivered: true,
            conversion_time: Some(1_736_669_145_000.0),
        };
        assert_eq!(
            sent(&input),
            [
                ("ConversionTime", "1736669145000".to_string()),
                ("Delivered", "true".to_string()),
                ("MessageId", "1008030300812345678".to_string()),
            ]
        );
        input.delivered = false;
        input.conversion_time = None;
        assert_eq!(
            sent(&input),
            [
                ("Delivered", "false".to_string()),
                ("MessageId", "1008030300812345678".to_string()),
            ]
        );
    }

    #[test]
    fn every_problem_names_its_field() {
        let issues = SmsConversion::validate(
            &SmsConversionInput {
                message_id: String::new(),
                delivered: true,
                conversion_time: Some(1_736_669_145.0),
            },
            NOW,
        )
        .unwrap_err();
        let found: Vec<_> = issues.iter().map(|i| (i.code.as_str(), i.field)).collect();
        assert_eq!(
            found,
            [
                ("MESSAGE_ID_EMPTY", "messageId"),
                ("TIME_TOO_EARLY", "conversionTime")
            ]
        );
        for (time, code) in [
            (NOW * 1000.0, "TIME_IN_FUTURE"),
            (NOW + 0.5, "TIME_INVALID"),
        ] {
            let issues = SmsConversion::validate(
                &SmsConversionInput {
                    message_id: "1".into(),
                    delivered: false,
                    conversion_time: Some(time),
                },
                NOW,
            )
            .unwrap_err();
            assert_eq!(issues[0].code.as_str(), code);
            assert!(issues[0].message.starts_with("conversionTime: "));
        }
    }
}
