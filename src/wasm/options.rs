//! Each export's options, read from whatever the caller passed: the core's serde shapes through
//! the safe reader (`input.rs`), plus the options that are JavaScript objects by nature
//! (`signal`, `signer`, `onProgress`, `journal`). Every failure is an `Error` naming its field;
//! the rules for values are the core's (`crate::options`).

use js_sys::Function;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

use crate::batch::{self, BatchInput, MAX_RECIPIENTS};
use crate::error::Error;
use crate::options::{
    self, BatchOptions, CampaignOptions, Campaigning, CredentialsOptions, SendOptions, Sending,
    SignAt, MAX_CAMPAIGN_RECIPIENTS,
};

use super::input::{self, InputError, JoinedList, Reading};

fn invalid(field: &str, message: &str) -> Error {
    Error::InvalidOption {
        field: field.to_string(),
        message: message.to_string(),
    }
}

fn from_input(error: InputError) -> Error {
    if let Some((length, limit)) = error.too_many {
        if let Some(issue) = batch::oversized_list(&error.field, length, limit as usize) {
            return Error::InvalidBatch {
                issues: vec![issue],
            };
        }
    }
    Error::InvalidOption {
        field: error.field,
        message: error.message,
    }
}

/// The options object itself: any object but an array or a function.
fn options_object(value: &JsValue) -> Result<(), Error> {
    match input::kind(value).as_str() {
        "object" => Ok(()),
        "unreadable" => Err(invalid("options", "could not be read (a Proxy threw)")),
        _ => Err(invalid("options", "must be an object")),
    }
}

fn read<T: DeserializeOwned>(value: &JsValue, list_limit: u32) -> Result<T, Error> {
    Reading::new(list_limit).read(value, "").map_err(from_input)
}

/// The batch of `validateBatch`, `batchSend` and `signRequest`: at most 1000 recipients, refused
/// from the arrays' lengths beyond that.
pub fn batch(options: &JsValue) -> Result<BatchInput, Error> {
    list(options, MAX_RECIPIENTS as u32)
}

/// A campaign's whole list.
pub fn campaign_list(options: &JsValue) -> Result<BatchInput, Error> {
    list(options, MAX_CAMPAIGN_RECIPIENTS)
}

/// A campaign's whole list with its arrays kept joined (issue 12): the input (its `to` and
/// per-recipient texts left empty), the numbers and, when each recipient has a text, the texts.
pub fn campaign_joined(
    options: &JsValue,
) -> Result<(BatchInput, JoinedList, Option<JoinedList>), Error> {
    options_object(options)?;
    let reading = Reading::new(MAX_CAMPAIGN_RECIPIENTS).with_joined_lists();
    let shape: BatchOptions = reading.read(options, "").map_err(from_input)?;
    // `to` reads only as a list, so a shape that was read has it.
    let to = reading
        .take_joined("to")
        .ok_or_else(|| invalid("to", "must be an array of strings"))?;
    let texts = reading.take_joined("message");
    Ok((shape.into_input(reading.broken_texts("message")), to, texts))
}

fn list(options: &JsValue, limit: u32) -> Result<BatchInput, Error> {
    options_object(options)?;
    let reading = Reading::new(limit);
    let shape: BatchOptions = reading.read(options, "").map_err(from_input)?;
    Ok(shape.into_input(reading.broken_texts("message")))
}

/// How `batchSend`, `signRequest` and campaigns send.
pub struct SendSettings {
    pub sending: Sending,
    pub signal: Option<web_sys::AbortSignal>,
    /// A pace shared with other processes (`redisPacer`), taken before every send.
    pub pacer: Option<JsValue>,
    shape: SendOptions,
}

/// An optional option that is a JavaScript object of a given kind, or `None` when absent.
fn binding_only(options: &JsValue, field: &str, kind: &str, what: &str) -> Result<Option<JsValue>, Error> {
    let value = input::property(options, field)
        .map_err(|()| invalid(field, "could not be read (a getter or Proxy threw)"))?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if input::kind(&value) == kind {
        Ok(Some(value))
    } else {
        Err(invalid(field, what))
    }
}

pub fn send(options: &JsValue) -> Result<SendSettings, Error> {
    options_object(options)?;
    let shape: SendOptions = read(options, 0)?;
    let sending = shape.sending()?;
    let signal = binding_only(options, "signal", "abort signal", "must be an AbortSignal")?
        .map(JsCast::unchecked_into);
    let pacer = binding_only(
        options,
        "pacer",
        "object",
        "must be an object with take() and penalize() (redisPacer from aliyun-globe-sms/redis)",
    )?;
    Ok(SendSettings {
        sending,
        signal,
        pacer,
        shape,
    })
}

/// Who signs: the `signer` option when it is given, else the `credentials` (else, in Node, the
/// environment's, which the entry passes as `environment`).
pub fn signing(
    options: &JsValue,
    settings: &SendSettings,
    environment: Option<&JsValue>,
) -> Result<super::send::Signing, Error> {
    let signer = binding_only(
        options,
        "signer",
        "function",
        "must be a function returning a signed request",
    )?;
    if let Some(signer) = signer {
        return Ok(super::send::Signing::Remote(signer.unchecked_into::<Function>()));
    }
    credentials(settings, environment).map(super::send::Signing::Local)
}

/// The `credentials` option, else the environment's (in Node; the entry passes them).
pub fn credentials(
    settings: &SendSettings,
    environment: Option<&JsValue>,
) -> Result<crate::Credentials, Error> {
    let environment: Option<CredentialsOptions> = match environment {
        None => None,
        Some(value) => Reading::new(0)
            .read(value, "environment")
            .map_err(from_input)?,
    };
    options::credentials_or(settings.shape.credentials.clone(), environment)
}

/// How a campaign runs beyond how it sends.
pub struct CampaignSettings {
    pub campaigning: Campaigning,
    pub on_progress: Option<Function>,
    pub journal: Option<JsValue>,
    /// The store a fleet of workers shares the campaign through (`redisCampaign`).
    pub fleet: Option<JsValue>,
}

pub fn campaign(options: &JsValue) -> Result<CampaignSettings, Error> {
    let shape: CampaignOptions = read(options, 0)?;
    let campaigning = shape.campaigning()?;
    let on_progress = binding_only(options, "onProgress", "function", "must be a function")?
        .map(JsCast::unchecked_into);
    let journal = binding_only(
        options,
        "journal",
        "object",
        "must be an object with append(entry) and read()",
    )?;
    let fleet = binding_only(
        options,
        "fleet",
        "object",
        "must be a fleet store (redisCampaign from aliyun-globe-sms/redis)",
    )?;
    if fleet.is_some() && journal.is_some() {
        return Err(invalid("fleet", "a fleet's store is its journal: pass fleet or journal, not both"));
    }
    Ok(CampaignSettings {
        campaigning,
        on_progress,
        journal,
        fleet,
    })
}

/// `signRequest`'s second argument: `{ timestamp?: number | Date, nonce?: string }`.
pub fn sign_at(value: &JsValue) -> Result<SignAt, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(SignAt::default());
    }
    Reading::new(0)
        .with_dates()
        .read(value, "at")
        .map_err(|e| {
            // `at.timestamp` is documented as `timestamp`.
            let mut error = from_input(e);
            if let Error::InvalidOption { field, .. } = &mut error {
                if let Some(rest) = field.strip_prefix("at.") {
                    *field = rest.to_string();
                }
            }
            error
        })
}

/// A signer's answer, read like any caller value.
pub fn signer_answer(value: &JsValue) -> Result<crate::request::SignedRequest, Error> {
    let answer: options::SignerAnswer = Reading::new(64)
        .read(value, "signer")
        .map_err(|_| Error::SigningFailed)?;
    answer.into_request()
}

/// The entries a journal's `read()` resolved to.
pub fn journal_entries(value: &JsValue) -> Result<Vec<String>, Error> {
    Reading::new(u32::MAX).read(value, "journal").map_err(|_| {
        invalid(
            "journal",
            "read() must return (or resolve to) an array of strings",
        )
    })
}

/// A shape of its own (the operations besides the batch): the options object read as `T`.
pub fn shape<T: DeserializeOwned>(options: &JsValue) -> Result<T, Error> {
    options_object(options)?;
    read(options, 0)
}

/// A shape of its own whose lists are of objects and may hold up to `list_limit` items (refused
/// from `length` beyond it).
pub fn shape_with_lists<T: DeserializeOwned>(options: &JsValue, list_limit: u32) -> Result<T, Error> {
    options_object(options)?;
    Reading::new(list_limit)
        .with_object_lists()
        .read(options, "")
        .map_err(from_input)
}

/// `sendMessage`'s message, with the problem of a text that held a lone surrogate.
pub fn message(options: &JsValue) -> Result<crate::operations::SendMessageInput, Error> {
    options_object(options)?;
    let reading = Reading::new(0);
    let shape: crate::options::MessageOptions = reading.read(options, "").map_err(from_input)?;
    let broken = reading
        .broken_texts("message")
        .into_iter()
        .find_map(|(index, problem)| index.is_none().then_some(problem));
    Ok(shape.into_input(broken))
}

/// Refuses a `signer` where an operation signs here only (a signer signs batches: the signing
/// service's `SigningRequest` is a batch).
pub fn no_signer(options: &JsValue, operation: &str) -> Result<(), Error> {
    match binding_only(options, "signer", "function", "must be a function")? {
        None => Ok(()),
        Some(_) => Err(invalid(
            "signer",
            &format!("{operation} signs with credentials here; a signer signs batches (batchSend, campaigns) only"),
        )),
    }
}

/// `pollDeliveries`' MessageIds: a list as long as a campaign's.
pub fn poll(options: &JsValue) -> Result<crate::options::PollOptions, Error> {
    options_object(options)?;
    read(options, MAX_CAMPAIGN_RECIPIENTS)
}
