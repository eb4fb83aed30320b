//! `sendMessage`, `queryMessage`, `reportConversion` and `reportConversionRate`: the core's
//! operations (src/operations/) made through the same attempts machine and transport as a batch
//! (`send::perform`), each with the resend rule of what it does (`retry::Safety`) and, where the
//! service limits it, its own pacer bucket per AccessKeyId.

use wasm_bindgen::JsValue;

use crate::error::Error;
use crate::operations::query_message::read_query_message_response;
use crate::operations::send_message::read_send_message_response;
use crate::operations::{
    read_conversion_response, ConversionData, ConversionDataInput, ConversionResult, QueryMessage,
    QueryMessageInput, QueryMessageResult, SendMessage, SendMessageResult, SmsConversion,
    SmsConversionInput,
};
use crate::options::{ConversionOptions, ConversionRateOptions, QueryOptions, QUERY_MESSAGE_QPS};
use crate::poller::{PollAction, PollResult, Poller};
use crate::redact::KnownSecrets;
use crate::request::{self, Action, SignedRequest};
use crate::retry::Safety;

use super::options::{self, SendSettings};
use super::output::{self, thrown};
use super::send::{self, Call, Failure, Pace, Signing};
use super::transport;

/// Signs `call` with the caller's credentials, a fresh time and nonce.
fn sign_here(call: &request::Call, signing: &Signing, settings: &SendSettings) -> Result<SignedRequest, Failure> {
    let Signing::Local(credentials) = signing else {
        return Err(Failure::Core(Error::SigningFailed));
    };
    Ok(send::sign_now(settings, |context| request::sign(call, credentials, context))?)
}

/// One of the operations, ready to be made: its request, its reader, its rule.
struct Operation<T, R> {
    call: request::Call,
    checked: T,
    read: R,
}

impl<T, O, R> Call for Operation<T, R>
where
    O: crate::retry::Attempted,
    R: Fn(&T, &KnownSecrets, u16, &[(String, String)], &[u8]) -> Result<O, Error>,
{
    type Outcome = O;
    fn safety(&self) -> Safety {
        Safety::of(self.call.action())
    }
    async fn sign(&self, signing: &Signing, settings: &SendSettings) -> Result<SignedRequest, Failure> {
        sign_here(&self.call, signing, settings)
    }
    fn read(&self, known: &KnownSecrets, status: u16, headers: &[(String, String)], body: &[u8]) -> Result<O, Error> {
        (self.read)(&self.checked, known, status, headers, body)
    }
}

/// What every operation reads besides its own fields: how to send, and the credentials (a
/// `signer` is refused: it signs batches).
fn sending(options: &JsValue, environment: Option<&JsValue>, operation: &str) -> Result<(SendSettings, Signing), Error> {
    let settings = options::send(options)?;
    options::no_signer(options, operation)?;
    let credentials = options::credentials(&settings, environment)?;
    Ok((settings, Signing::Local(credentials)))
}

/// The pacer bucket of `action` for this key: each operation has its own limit.
fn pace(action: Action, signing: &Signing, qps: f64) -> Pace {
    Pace::new(&format!("{} {}", action.as_str(), signing.pace_key()), qps)
}

async fn make<T, O, R>(
    operation: Operation<T, R>,
    signing: &Signing,
    settings: &SendSettings,
    pace: Option<&Pace>,
) -> Result<O, JsValue>
where
    O: crate::retry::Attempted,
    R: Fn(&T, &KnownSecrets, u16, &[(String, String)], &[u8]) -> Result<O, Error>,
{
    send::perform(&operation, signing, settings, pace)
        .await
        .map_err(|failure| match failure {
            Failure::Core(error) => thrown(error),
            Failure::Thrown(value) => value,
        })
}

pub async fn send_message(options: &JsValue, environment: Option<&JsValue>) -> Result<SendMessageResult, JsValue> {
    let input = options::message(options).map_err(thrown)?;
    let shape: crate::options::MessageOptions = options::shape(options).map_err(thrown)?;
    let qps = shape.qps().map_err(thrown)?;
    let (settings, signing) = sending(options, environment, "sendMessage").map_err(thrown)?;
    let checked = SendMessage::validate(&input).map_err(|issues| thrown(Error::InvalidInput { issues }))?;
    // With the `pacer` option, SendMessageToGlobe's own slot is taken across processes too (its
    // store key names the operation: it has its own limit).
    let pace = pace(Action::SendMessageToGlobe, &signing, qps).shared(settings.pacer.clone());
    let operation = Operation {
        call: checked.call(),
        checked,
        read: read_send_message_response,
    };
    make(operation, &signing, &settings, Some(&pace)).await
}

pub async fn query_message(options: &JsValue, environment: Option<&JsValue>) -> Result<QueryMessageResult, JsValue> {
    let shape: QueryOptions = options::shape(options).map_err(thrown)?;
    let (settings, signing) = sending(options, environment, "queryMessage").map_err(thrown)?;
    let checked = QueryMessage::validate(&QueryMessageInput {
        message_id: shape.message_id,
    })
    .map_err(|issues| thrown(Error::InvalidInput { issues }))?;
    let pace = pace(Action::QueryMessage, &signing, QUERY_MESSAGE_QPS);
    let operation = Operation {
        call: checked.call(),
        checked,
        read: read_query_message_response,
    };
    make(operation, &signing, &settings, Some(&pace)).await
}

pub async fn report_conversion(options: &JsValue, environment: Option<&JsValue>) -> Result<ConversionResult, JsValue> {
    let shape: ConversionOptions = options::shape(options).map_err(thrown)?;
    let (settings, signing) = sending(options, environment, "reportConversion").map_err(thrown)?;
    let input = SmsConversionInput {
        message_id: shape.message_id,
        delivered: shape.delivered,
        conversion_time: shape.conversion_time,
    };
    let checked = SmsConversion::validate(&input, js_sys::Date::now())
        .map_err(|issues| thrown(Error::InvalidInput { issues }))?;
    let operation = Operation {
        call: checked.call(),
        checked,
        read: |_: &SmsConversion, known: &KnownSecrets, status: u16, headers: &[(String, String)], body: &[u8]| {
            read_conversion_response(known, status, headers, body)
        },
    };
    make(operation, &signing, &settings, None).await
}

pub async fn report_conversion_rate(options: &JsValue, environment: Option<&JsValue>) -> Result<ConversionResult, JsValue> {
    let shape: ConversionRateOptions = options::shape(options).map_err(thrown)?;
    let (settings, signing) = sending(options, environment, "reportConversionRate").map_err(thrown)?;
    // Without ReportTime the service dates the observation itself, so a copy resent after an
    // unknown outcome (`Safety::Repeatable`, src/retry.rs) would be a second observation; dated
    // here once, every copy states the same one. The service's default is the same instant.
    let now = js_sys::Date::now();
    let input = ConversionDataInput {
        conversion_rate: shape.conversion_rate,
        report_time: Some(shape.report_time.unwrap_or(now.floor())),
    };
    let checked = ConversionData::validate(&input, now)
        .map_err(|issues| thrown(Error::InvalidInput { issues }))?;
    let operation = Operation {
        call: checked.call(),
        checked,
        read: |_: &ConversionData, known: &KnownSecrets, status: u16, headers: &[(String, String)], body: &[u8]| {
            read_conversion_response(known, status, headers, body)
        },
    };
    make(operation, &signing, &settings, None).await
}

/// QueryMessage's pacer bucket for this key.
pub fn query_pace(signing: &Signing) -> Pace {
    pace(Action::QueryMessage, signing, QUERY_MESSAGE_QPS)
}

/// Asks QueryMessage about one checked MessageId, at its pace.
pub async fn ask(query: QueryMessage, signing: &Signing, settings: &SendSettings, pace: &Pace) -> Result<QueryMessageResult, Error> {
    let operation = Operation {
        call: query.call(),
        checked: query,
        read: read_query_message_response,
    };
    send::perform(&operation, signing, settings, Some(pace))
        .await
        .map_err(|failure| match failure {
            Failure::Core(error) => error,
            Failure::Thrown(_) => Error::SigningFailed,
        })
}

/// `pollDeliveries`: asks QueryMessage about each message, at its pace, until final or the
/// deadline, as the core's poller decides (src/poller.rs).
pub async fn poll_deliveries(options: &JsValue, environment: Option<&JsValue>) -> Result<PollResult, JsValue> {
    let shape = options::poll(options).map_err(thrown)?;
    let (deadline_ms, interval_ms) = shape.timing().map_err(thrown)?;
    let (settings, signing) = sending(options, environment, "pollDeliveries").map_err(thrown)?;
    // Every MessageId checked before the first question.
    let mut issues = Vec::new();
    let mut checked = Vec::with_capacity(shape.message_ids.len());
    for (index, id) in shape.message_ids.iter().enumerate() {
        match QueryMessage::validate(&QueryMessageInput { message_id: id.clone() }) {
            Ok(query) => checked.push(query),
            Err(found) => issues.extend(found.into_iter().map(|mut issue| {
                issue.index = Some(index);
                issue.field = "messageIds";
                issue
            })),
        }
    }
    if !issues.is_empty() {
        return Err(thrown(Error::InvalidInput { issues }));
    }
    let start = transport::monotonic_ms();
    let mut poller = Poller::new(&shape.message_ids, start, start + u64::from(deadline_ms), u64::from(interval_ms));
    let pace = query_pace(&signing);
    let signal = settings.signal.as_ref();
    while let PollAction::Ask { index, at_ms } = poller.next_question() {
        let now = transport::monotonic_ms();
        if at_ms > now && transport::sleep(at_ms - now, signal).await.is_err() {
            return Err(thrown(Error::Aborted));
        }
        let Some(query) = poller.given_index(index).and_then(|given| checked.get(given)).cloned() else {
            break;
        };
        let answer = ask(query, &signing, &settings, &pace).await;
        if matches!(answer, Err(Error::Aborted)) {
            return Err(thrown(Error::Aborted));
        }
        poller.answered(index, transport::monotonic_ms(), answer);
    }
    Ok(PollResult {
        messages: poller.results().into_iter().cloned().collect(),
    })
}

/// A result as a JavaScript value.
pub fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    output::to_js(value)
}
