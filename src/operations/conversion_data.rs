//! ConversionData: an aggregate OTP conversion rate at a time (docs/spec/operations.md §2). Unlike every
//! other operation its parameters travel in an `application/x-www-form-urlencoded` body
//! (docs/spec/operations.md §6; `request::Placement::Form`). The answer is read by
//! `operations::read_conversion_response`.

use crate::batch::{Issue, IssueCode};
use crate::conversion_rate::{ConversionRate, ConversionRateProblem};
use crate::event_time::EventTime;
use crate::request::{Action, Call};

use super::sms_conversion::check_time;

/// A conversion-rate report as the caller gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversionDataInput {
    /// The share of OTP messages used, in [0, 1], as decimal text sent as written (`"0.53"`;
    /// src/conversion_rate.rs says how a binding passes a number).
    pub conversion_rate: String,
    /// The time the rate is for, in ms since the epoch (src/event_time.rs); `None` is not sent.
    pub report_time: Option<f64>,
}

/// A conversion-rate report that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionData {
    conversion_rate: ConversionRate,
    report_time: Option<EventTime>,
}

impl ConversionData {
    /// Checks the rate and the time against `now_ms` (the caller's clock, `Date.now()`); every
    /// problem is returned (fields `conversionRate`, `reportTime`).
    pub fn validate(
        input: &ConversionDataInput,
        now_ms: f64,
    ) -> Result<ConversionData, Vec<Issue>> {
        let mut issues = Vec::new();
        let rate = ConversionRate::parse(&input.conversion_rate)
            .map_err(|p| {
                let code = match p {
                    ConversionRateProblem::NotDecimal => IssueCode::ConversionRateInvalid,
                    ConversionRateProblem::OutOfRange => IssueCode::ConversionRateOutOfRange,
                };
                issues.push(Issue::of_field(code, "conversionRate", p));
            })
            .ok();
        let report_time = check_time(input.report_time, now_ms, "reportTime", &mut issues);
        match rate {
            Some(conversion_rate) if issues.is_empty() => Ok(ConversionData {
                conversion_rate,
                report_time,
            }),
            _ => Err(issues),
        }
    }

    /// The call: `ConversionRate` and `ReportTime`, in that order, in the form body.
    pub fn call(&self) -> Call {
        Call::new(Action::ConversionData)
            .form("ConversionRate", self.conversion_rate.as_str())
            .form_if(
                "ReportTime",
                self.report_time.map(|t| t.millis().to_string()),
            )
    }

    /// The rate as sent.
    pub fn conversion_rate(&self) -> &ConversionRate {
        &self.conversion_rate
    }

    /// The time, if given.
    pub fn report_time(&self) -> Option<EventTime> {
        self.report_time
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Placement;

    const NOW: f64 = 1_743_462_000_000.0;

    #[test]
    fn the_rate_and_time_travel_in_the_body() {
        let data = ConversionData::validate(
            &ConversionDataInput {
                conversion_rate: "0.53".into(),
                report_time: Some(NOW),
            },
            NOW,
        )
        .unwrap();
        let call = data.call();
        assert!(call.parameters().all(|(_, _, p)| p == Placement::Form));
        assert_eq!(call.body(), "ConversionRate=0.53&ReportTime=1743462000000");
        let number = ConversionData::validate(
            &ConversionDataInput {
                conversion_rate: "1".into(),
                report_time: None,
            },
            NOW,
        )
        .unwrap();
        assert_eq!(number.call().body(), "ConversionRate=1");
    }

    #[test]
    fn every_problem_names_its_field() {
        let issues = ConversionData::validate(
            &ConversionDataInput {
                conversion_rate: "1.5".into(),
                report_time: Some(1.5),
            },
            NOW,
        )
        .unwrap_err();
        let found: Vec<_> = issues.iter().map(|i| (i.code.as_str(), i.field)).collect();
        assert_eq!(
            found,
            [
                ("CONVERSION_RATE_OUT_OF_RANGE", "conversionRate"),
                ("TIME_INVALID", "reportTime")
            ]
        );
        let issues = ConversionData::validate(
            &ConversionDataInput {
                conversion_rate: "NaN".into(),
                report_time: None,
            },
            NOW,
        )
        .unwrap_err();
        assert_eq!(issues[0].code.as_str(), "CONVERSION_RATE_INVALID");
    }
}
