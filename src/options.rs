//! The options the JavaScript functions take, declared once as serde shapes (camelCase, as the
//! TypeScript in `src/wasm/types.d.ts` spells them; `tests/typescript_shapes.rs` fails when the
//! two drift), and the rules that turn them into core values.
//!
//! Deserializing only checks types; every value rule (ranges, allowed words, credentials) is a
//! function here, so a wrong value names its field in an `INVALID_OPTION` error the same way in
//! every export. Options that are JavaScript objects by nature (`signal`, `signer`, `onProgress`,
//! `journal`) are read by the bindings and are listed in [`BINDING_ONLY_FIELDS`].

use serde::Deserialize;

use crate::batch::{BatchInput, Messages};
use crate::credentials::{Credentials, CredentialsProblem};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::operations::SendMessageInput;
use crate::recipient::NumberRules;
use crate::request::SignatureScheme;
use crate::retry::DEFAULT_MAX_ATTEMPTS;
use crate::segment::MessageProblem;

/// Milliseconds allowed for one attempt unless the caller says otherwise: long enough for a
/// 1000-recipient request over a slow link, short enough that a hung connection is noticed.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// The longest attempt a caller may allow (10 minutes).
pub const MAX_TIMEOUT_MS: u32 = 600_000;
/// The most attempts a caller may allow.
pub const MAX_ATTEMPTS: u32 = 10;
/// The most recipients one campaign takes. Ten million numbers and texts are a few GB of
/// memory; a longer list is refused from its `length`, before anything is copied.
pub const MAX_CAMPAIGN_RECIPIENTS: u32 = 10_000_000;
/// The fastest pace a campaign may ask for.
pub const MAX_QPS: f64 = 1000.0;
/// The slowest: one call an hour (the pacer's own floor, so a smaller number is refused rather
/// than silently rounded up).
pub const MIN_QPS: f64 = 1.0 / 3600.0;

/// Options that only the bindings read (JavaScript functions and objects), per shape.
pub const BINDING_ONLY_FIELDS: &[(&str, &str)] = &[
    ("CallOptions", "signal"),
    ("SendOptions", "signer"),
    ("SendOptions", "pacer"),
    ("CampaignOptions", "onProgress"),
    ("CampaignOptions", "journal"),
    ("CampaignOptions", "fleet"),
];

/// `message`: one text for all, or one per recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageOption {
    One(String),
    PerRecipient(Vec<String>),
}

impl<'de> Deserialize<'de> for MessageOption {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = MessageOption;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<MessageOption, E> {
                Ok(MessageOption::One(text.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<MessageOption, E> {
                Ok(MessageOption::One(text))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<MessageOption, A::Error> {
                let mut texts = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(text) = seq.next_element::<String>()? {
                    texts.push(text);
                }
                Ok(MessageOption::PerRecipient(texts))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// `BatchOptions` in types.d.ts: what `validateBatch` reads, and the batch part of the others.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchOptions {
    pub to: Vec<String>,
    pub message: MessageOption,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default, rename = "type")]
    pub message_type: Option<String>,
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub drop_duplicates: Option<bool>,
    #[serde(default)]
    pub check_national_length: Option<bool>,
    #[serde(default)]
    pub validity_period: Option<f64>,
    #[serde(default)]
    pub channel_id: Option<String>,
}

impl BatchOptions {
    /// The core's batch input. `broken` are the texts that held a lone surrogate (`None`: the
    /// shared text), with their problem, as the reader of the caller's UTF-16 found them.
    pub fn into_input(self, broken: Vec<(Option<usize>, MessageProblem)>) -> BatchInput {
        BatchInput {
            to: self.to,
            messages: match self.message {
                MessageOption::One(text) => Messages::One(text),
                MessageOption::PerRecipient(texts) => Messages::PerRecipient(texts),
            },
            from: self.from,
            message_type: self.message_type,
            task_id: self.task_id,
            validity_period: self.validity_period,
            channel_id: self.channel_id,
            drop_duplicates: self.drop_duplicates.unwrap_or(false),
            number_rules: NumberRules {
                check_national_length: self.check_national_length.unwrap_or(true),
            },
            undecodable_messages: broken,
        }
    }
}

/// `SendMessageOptions` in types.d.ts, less `SendOptions`: one message to one number
/// (SendMessageToGlobe).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageOptions {
    pub to: String,
    pub message: String,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub validity_period: Option<f64>,
    #[serde(default)]
    pub channel_id: Option<String>,
    #[serde(default)]
    pub check_national_length: Option<bool>,
    /// SendMessageToGlobe calls per second for this AccessKeyId in this process.
    #[serde(default)]
    pub qps: Option<f64>,
}

/// The calls per second SendMessageToGlobe is held to unless the caller says otherwise: the
/// smallest limit Alibaba's pages give (docs/spec/operations.md §1: 30, 300 or 2,000 by page).
pub const DEFAULT_SEND_MESSAGE_QPS: f64 = 30.0;
/// QueryMessage's limit (docs/spec/operations.md §1).
pub const QUERY_MESSAGE_QPS: f64 = 300.0;

impl MessageOptions {
    /// The core's input; `broken` is the text's problem when it held a lone surrogate.
    pub fn into_input(self, broken: Option<MessageProblem>) -> SendMessageInput {
        SendMessageInput {
            to: self.to,
            message: self.message,
            from: self.from,
            task_id: self.task_id,
            validity_period: self.validity_period,
            channel_id: self.channel_id,
            number_rules: NumberRules {
                check_national_length: self.check_national_length.unwrap_or(true),
            },
            undecodable_message: broken,
        }
    }

    /// The pace for this key's SendMessageToGlobe calls.
    pub fn qps(&self) -> Result<f64, Error> {
        qps(self.qps, DEFAULT_SEND_MESSAGE_QPS)
    }
}

/// `QueryMessageOptions` in types.d.ts, less `SendOptions`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryOptions {
    pub message_id: String,
}

/// `ReportConversionOptions` in types.d.ts, less `SendOptions` (SmsConversion).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversionOptions {
    pub message_id: String,
    pub delivered: bool,
    #[serde(default)]
    pub conversion_time: Option<f64>,
}

/// `ReportConversionRateOptions` in types.d.ts, less `SendOptions` (ConversionData). The rate is
/// decimal text as the service takes it (`"0.53"`); a number is refused (`INVALID_OPTION`), so no
/// float is ever formatted (and rounded) on its way to the service.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversionRateOptions {
    pub conversion_rate: String,
    #[serde(default)]
    pub report_time: Option<f64>,
}

/// `PollOptions` in types.d.ts, less `CallOptions`: the delivery status of sent messages, asked
/// until final or a deadline (src/poller.rs).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollOptions {
    pub message_ids: Vec<String>,
    #[serde(default)]
    pub deadline_ms: Option<f64>,
    #[serde(default)]
    pub interval_ms: Option<f64>,
}

/// How long a poll goes on unless the caller says otherwise, and at most (a day).
pub const DEFAULT_POLL_DEADLINE_MS: u32 = 600_000;
pub const MAX_POLL_DEADLINE_MS: u32 = 86_400_000;
/// The first wait before asking about a message again, unless the caller says otherwise.
pub const DEFAULT_POLL_INTERVAL_MS: u32 = 10_000;

impl PollOptions {
    /// `(deadline_ms, interval_ms)`, checked.
    pub fn timing(&self) -> Result<(u32, u32), Error> {
        Ok((
            whole(self.deadline_ms, "deadlineMs", 1, MAX_POLL_DEADLINE_MS, DEFAULT_POLL_DEADLINE_MS)?,
            whole(self.interval_ms, "intervalMs", 100, 300_000, DEFAULT_POLL_INTERVAL_MS)?,
        ))
    }
}

/// `Credentials` in types.d.ts. Its values never appear in an error.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsOptions {
    #[serde(default)]
    pub access_key_id: Option<String>,
    #[serde(default)]
    pub access_key_secret: Option<String>,
    #[serde(default)]
    pub security_token: Option<String>,
}

impl std::fmt::Debug for CredentialsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialsOptions { .. }")
    }
}

impl CredentialsOptions {
    /// The credentials to sign with.
    pub fn credentials(self) -> Result<Credentials, Error> {
        Credentials::new(
            self.access_key_id.unwrap_or_default(),
            self.access_key_secret.unwrap_or_default(),
            self.security_token,
        )
        .map_err(|problem| Error::InvalidCredentials { problem })
    }
}

/// Credentials when none were given: those of the environment, when the entry found some.
pub fn credentials_or(
    given: Option<CredentialsOptions>,
    environment: Option<CredentialsOptions>,
) -> Result<Credentials, Error> {
    match given.or(environment) {
        Some(options) => options.credentials(),
        None => Err(Error::InvalidCredentials {
            problem: CredentialsProblem::MissingAccessKeyId,
        }),
    }
}

/// `SendOptions` in types.d.ts, less `BatchOptions` and the binding-only fields.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendOptions {
    #[serde(default)]
    pub credentials: Option<CredentialsOptions>,
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub signature_version: Option<String>,
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    #[serde(default)]
    pub max_attempts: Option<f64>,
}

/// How to send, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Sending {
    pub endpoint: Endpoint,
    pub scheme: SignatureScheme,
    pub timeout_ms: u32,
    pub max_attempts: u32,
}

fn invalid(field: &str, message: &str) -> Error {
    Error::InvalidOption {
        field: field.to_string(),
        message: message.to_string(),
    }
}

/// A whole number in `min..=max`, or `default` when absent.
fn whole(value: Option<f64>, field: &str, min: u32, max: u32, default: u32) -> Result<u32, Error> {
    match value {
        None => Ok(default),
        // In range and whole, so the cast is exact.
        Some(n) if n.fract() == 0.0 && (f64::from(min)..=f64::from(max)).contains(&n) => {
            Ok(n as u32)
        }
        Some(_) => Err(invalid(
            field,
            &format!("must be a whole number from {min} to {max}"),
        )),
    }
}

impl SendOptions {
    /// Endpoint, scheme, timeout and attempts, each checked (credentials are read later, after
    /// the batch, so a batch's problems show even without them).
    pub fn sending(&self) -> Result<Sending, Error> {
        let endpoint = match &self.endpoint {
            None => Endpoint::default(),
            Some(text) => {
                Endpoint::parse(text).map_err(|problem| Error::InvalidEndpoint { problem })?
            }
        };
        let scheme = match &self.signature_version {
            None => SignatureScheme::default(),
            Some(text) => SignatureScheme::parse(text)
                .ok_or_else(|| invalid("signatureVersion", "must be \"1.0\" or \"ACS3\""))?,
        };
        Ok(Sending {
            endpoint,
            scheme,
            timeout_ms: whole(
                self.timeout_ms,
                "timeoutMs",
                1,
                MAX_TIMEOUT_MS,
                DEFAULT_TIMEOUT_MS,
            )?,
            max_attempts: whole(
                self.max_attempts,
                "maxAttempts",
                1,
                MAX_ATTEMPTS,
                DEFAULT_MAX_ATTEMPTS,
            )?,
        })
    }
}

/// `CampaignOptions` in types.d.ts, less `SendOptions` and the binding-only fields.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignOptions {
    #[serde(default)]
    pub qps: Option<f64>,
    #[serde(default)]
    pub all_or_nothing: Option<bool>,
    #[serde(default)]
    pub on_unknown: Option<String>,
}

/// How a campaign runs beyond how it sends, checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Campaigning {
    pub qps: f64,
    pub all_or_nothing: bool,
    pub stop_on_unknown: bool,
}

/// `qps`, or `default` when absent: 1/3600 (one call an hour) to 1000.
fn qps(given: Option<f64>, default: f64) -> Result<f64, Error> {
    match given {
        None => Ok(default),
        Some(q) if q.is_finite() && (MIN_QPS..=MAX_QPS).contains(&q) => Ok(q),
        Some(_) => Err(invalid(
            "qps",
            "must be a number from 1/3600 (one call an hour) to 1000",
        )),
    }
}

impl CampaignOptions {
    pub fn campaigning(&self) -> Result<Campaigning, Error> {
        let qps = qps(self.qps, 1.0)?;
        let stop_on_unknown = match self.on_unknown.as_deref() {
            None | Some("stop") => true,
            Some("continue") => false,
            Some(_) => return Err(invalid("onUnknown", "must be \"stop\" or \"continue\"")),
        };
        Ok(Campaigning {
            qps,
            all_or_nothing: self.all_or_nothing.unwrap_or(false),
            stop_on_unknown,
        })
    }
}

/// `SignAt` in types.d.ts: `signRequest`'s fixed time (milliseconds; the bindings read a `Date`
/// as its milliseconds) and nonce.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignAt {
    #[serde(default)]
    pub timestamp: Option<f64>,
    #[serde(default)]
    pub nonce: Option<String>,
}

/// What a `signer` resolves to (`SignedRequest` in types.d.ts), before it is checked.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SignerAnswer {
    pub method: String,
    pub url: String,
    #[serde(default, deserialize_with = "ordered_pairs")]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<String>,
}

fn ordered_pairs<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(String, String)>, D::Error> {
    struct Visit;
    impl<'de> serde::de::Visitor<'de> for Visit {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of header names and string values")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::new();
            while let Some(pair) = map.next_entry::<String, String>()? {
                pairs.push(pair);
            }
            Ok(pairs)
        }
    }
    deserializer.deserialize_map(Visit)
}

impl SignerAnswer {
    /// The request to send: only what our own signer would produce, a `POST` with an empty body
    /// to an endpoint we would send to. Whether it carries exactly the batch is checked by
    /// `request::carries`.
    pub fn into_request(self) -> Result<crate::request::SignedRequest, Error> {
        let base = self.url.split('?').next().unwrap_or("");
        let body_empty = self.body.as_deref().is_none_or(str::is_empty);
        if self.method != "POST" || !body_empty || Endpoint::parse(base).is_err() {
            return Err(Error::SigningFailed);
        }
        Ok(crate::request::SignedRequest {
            method: "POST",
            url: self.url,
            headers: self.headers,
            body: String::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_name_their_field_and_range() {
        let options = SendOptions {
            timeout_ms: Some(0.5),
            ..SendOptions::default()
        };
        let error = options.sending().unwrap_err();
        assert_eq!(error.field(), Some("timeoutMs"));
        let options = SendOptions {
            max_attempts: Some(11.0),
            ..SendOptions::default()
        };
        assert_eq!(options.sending().unwrap_err().field(), Some("maxAttempts"));
        let options = SendOptions {
            timeout_ms: Some(600_000.0),
            max_attempts: Some(1.0),
            ..SendOptions::default()
        };
        let sending = options.sending().unwrap();
        assert_eq!((sending.timeout_ms, sending.max_attempts), (600_000, 1));
    }

    #[test]
    fn campaign_pace_and_unknown_rule() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1000.5, f64::MIN_POSITIVE, 1e-4] {
            let options = CampaignOptions {
                qps: Some(bad),
                ..CampaignOptions::default()
            };
            assert_eq!(options.campaigning().unwrap_err().field(), Some("qps"));
        }
        let options = CampaignOptions {
            on_unknown: Some("continue".into()),
            ..CampaignOptions::default()
        };
        assert!(!options.campaigning().unwrap().stop_on_unknown);
        let options = CampaignOptions {
            on_unknown: Some("ignore".into()),
            ..CampaignOptions::default()
        };
        assert_eq!(options.campaigning().unwrap_err().field(), Some("onUnknown"));
    }

    #[test]
    fn environment_credentials_only_when_none_given() {
        let given = CredentialsOptions {
            access_key_id: Some("given".into()),
            access_key_secret: Some("s".into()),
            security_token: None,
        };
        let env = CredentialsOptions {
            access_key_id: Some("env".into()),
            access_key_secret: Some("s".into()),
            security_token: None,
        };
        let c = credentials_or(Some(given), Some(env.clone())).unwrap();
        assert_eq!(c.access_key_id(), "given");
        assert_eq!(credentials_or(None, Some(env)).unwrap().access_key_id(), "env");
        assert!(credentials_or(None, None).is_err());
    }
}

/// The most pieces of evidence one `recordReports` call takes (ten pushes of Alibaba's largest,
/// src/report.rs): a longer list is refused from its `length`.
pub const MAX_REPORTS_PER_CALL: u32 = 100_000;

/// `RecordReportsOptions` in types.d.ts, less `CampaignOptions`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordReportsOptions {
    pub reports: Vec<DeliveryEvidence>,
}

/// `DeliveryEvidence` in types.d.ts: what a `Report` (createReportHandler) and a
/// `QueryMessageResult` both say about a message; either is taken as it is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryEvidence {
    pub message_id: String,
    pub status: EvidenceStatus,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub task_id: Option<String>,
}

/// `DeliveryEvidence.status`: a `ReportStatus` or a `DeliveryStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceStatus {
    Delivered,
    Failed,
    Expired,
    Sending,
    Other,
}

impl EvidenceStatus {
    /// The names, for the TypeScript check.
    pub const NAMES: [&'static str; 5] = ["delivered", "failed", "expired", "sending", "other"];
}

impl RecordReportsOptions {
    /// The evidence for the core. A MessageId must be one (`reports[i].messageId`, its rule in
    /// src/message_id.rs); `errorCode`, `to` and `taskId` are kept only when of the shape a
    /// pushed report's are kept in (src/report.rs), as free text of another shape never is.
    pub fn deliveries(self) -> Result<Vec<crate::delivery::Delivery>, Error> {
        use crate::delivery::{Delivery, Outcome};
        use crate::report::{is_code, is_masked_number, is_task_id};
        self.reports
            .into_iter()
            .enumerate()
            .map(|(index, evidence)| {
                crate::message_id::MessageId::parse(&evidence.message_id).map_err(|problem| {
                    invalid(&format!("reports[{index}].messageId"), &problem.to_string())
                })?;
                Ok(Delivery {
                    message_id: evidence.message_id,
                    outcome: match evidence.status {
                        EvidenceStatus::Delivered => Some(Outcome::Delivered),
                        EvidenceStatus::Failed => Some(Outcome::Undelivered),
                        EvidenceStatus::Expired => Some(Outcome::Expired),
                        EvidenceStatus::Sending | EvidenceStatus::Other => None,
                    },
                    code: evidence.error_code.filter(|c| is_code(c)),
                    to: evidence.to.filter(|t| is_masked_number(t)),
                    task_id: evidence.task_id.filter(|t| is_task_id(t)),
                })
            })
            .collect()
    }
}

/// `PollCampaignOptions` in types.d.ts, less `CampaignOptions`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollCampaignOptions {
    #[serde(default)]
    pub deadline_ms: Option<f64>,
    #[serde(default)]
    pub interval_ms: Option<f64>,
}

impl PollCampaignOptions {
    /// `(deadline_ms, interval_ms)`, checked as `pollDeliveries`' are.
    pub fn timing(&self) -> Result<(u32, u32), Error> {
        PollOptions {
            message_ids: Vec::new(),
            deadline_ms: self.deadline_ms,
            interval_ms: self.interval_ms,
        }
        .timing()
    }
}
