//! `sendCampaign` and `resumeCampaign`: the core's campaign driven request by request — check
//! the whole list part by part, then for each request: wait for the account's slot, journal it,
//! send it, record its outcome, report progress. The core decides every fate and when to stop.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::campaign::{Campaign, CampaignCheck, CampaignRules};
use crate::error::Error;

use super::convert::{self, CampaignSettings, Source};
use super::send::{self, Pace};
use super::transport;

/// Recipients copied from JavaScript per step while checking.
const PART: usize = 1000;

/// The caller's journal object.
struct Journal(JsValue);

impl Journal {
    fn method(&self, name: &str) -> Option<Function> {
        Reflect::get(&self.0, &JsValue::from_str(name))
            .ok()?
            .dyn_into::<Function>()
            .ok()
    }

    async fn settle(value: JsValue) -> Result<JsValue, JsValue> {
        JsFuture::from(Promise::resolve(&value)).await
    }

    async fn append(&self, entry: &str, before_send: bool) -> Result<(), Error> {
        let failed = Error::JournalFailed { before_send };
        let append = self.method("append").ok_or(failed.clone())?;
        let returned = append
            .call1(&self.0, &JsValue::from_str(entry))
            .map_err(|_| failed.clone())?;
        Journal::settle(returned)
            .await
            .map(|_| ())
            .map_err(|_| failed)
    }

    async fn read(&self) -> Result<Vec<String>, Error> {
        let unreadable = Error::InvalidOption {
            field: "journal".to_string(),
            message: "read() must return (or resolve to) an array of strings".to_string(),
        };
        let read = self.method("read").ok_or(unreadable.clone())?;
        let value = Journal::settle(read.call0(&self.0).map_err(|_| unreadable.clone())?)
            .await
            .map_err(|_| unreadable.clone())?;
        if !js_sys::Array::is_array(&value) {
            return Err(unreadable);
        }
        js_sys::Array::from(&value)
            .iter()
            .map(|e| e.as_string().ok_or(unreadable.clone()))
            .collect()
    }
}

fn thrown(error: &Error) -> JsValue {
    convert::sms_error(error, None)
}

/// The error that ended a campaign, carrying the ledger so far as `ledger`.
fn stopped(error: &Error, campaign: &mut Campaign, source: &Source) -> JsValue {
    with_ledger(convert::sms_error(error, None), campaign, source)
}

fn with_ledger(error: JsValue, campaign: &mut Campaign, source: &Source) -> JsValue {
    campaign.skip_remaining();
    if error.is_object() {
        let ledger = convert::campaign_result(campaign, source);
        let _ = Reflect::set(&error, &JsValue::from_str("ledger"), &ledger);
    }
    error
}

fn report(progress: Option<&Function>, campaign: &Campaign, pace: &Pace) {
    if let Some(callback) = progress {
        let value = convert::campaign_progress(campaign, pace.eta_ms(campaign.requests_left()));
        // A throwing progress callback must not lose track of what was sent: ignore it.
        let _ = callback.call1(&JsValue::NULL, &value);
    }
}

pub async fn run(options: &JsValue, resume: bool) -> Result<JsValue, JsValue> {
    let source = convert::source(options).map_err(|e| thrown(&e))?;
    let settings = convert::send_options(options).map_err(|e| thrown(&e))?;
    let CampaignSettings {
        qps,
        all_or_nothing,
        stop_on_unknown,
        on_progress,
        journal,
    } = convert::campaign_options(options).map_err(|e| thrown(&e))?;
    let rules = CampaignRules {
        drop_duplicates: source.settings.drop_duplicates,
        number_rules: source.settings.number_rules,
        all_or_nothing,
        stop_on_unknown,
    };

    // The whole list is checked before the first request.
    let mut check = CampaignCheck::new(
        &source.settings,
        source.len(),
        source.message_count(),
        rules,
    )
    .map_err(|issues| thrown(&Error::InvalidBatch { issues }))?;
    for start in (0..source.len()).step_by(PART) {
        let (to, messages, undecodable) = source
            .part(start..source.len().min(start + PART))
            .map_err(|e| thrown(&e))?;
        check.check_part(&to, &messages, &undecodable);
    }
    let mut campaign = check
        .finish()
        .map_err(|issues| thrown(&Error::InvalidBatch { issues }))?;
    let signing = convert::signing(options, &settings).map_err(|e| thrown(&e))?;

    let journal = journal.map(Journal);
    match (&journal, resume) {
        (None, true) => {
            return Err(thrown(&Error::InvalidOption {
                field: "journal".to_string(),
                message: "resumeCampaign needs the journal of the run to resume".to_string(),
            }))
        }
        (None, false) => {}
        (Some(j), _) => {
            let entries = j.read().await.map_err(|e| thrown(&e))?;
            let started = crate::campaign::journal_started(&entries);
            if started && !resume {
                return Err(thrown(&Error::JournalMismatch {
                    reason: "the journal already holds a campaign: resume it with resumeCampaign, or start a new journal",
                }));
            }
            let has_header = started && campaign.resume(&entries).map_err(|e| thrown(&e))?;
            if !has_header {
                j.append(&campaign.journal_header(), true)
                    .await
                    .map_err(|e| thrown(&e))?;
            }
        }
    }

    let pace = Pace::new(signing.pace_key(), qps);
    let signal = settings.signal.as_ref();
    report(on_progress.as_ref(), &campaign, &pace);
    while let Some(k) = campaign.next_request() {
        let indexes = campaign.request_indexes(k).to_vec();
        let batch = source
            .part(indexes.iter().map(|i| *i as usize))
            .and_then(|(to, messages, _)| campaign.batch(k, &to, &messages));
        let batch = match batch {
            Ok(batch) => batch,
            Err(error) => return Err(stopped(&error, &mut campaign, &source)),
        };
        // The account's slot first, so a crash while waiting leaves nothing unknown.
        let wait = pace.reserve();
        if transport::sleep(wait, signal).await.is_err() || signal.is_some_and(|s| s.aborted()) {
            return Err(stopped(&Error::Aborted, &mut campaign, &source));
        }
        let written = campaign.mark_written(k);
        if let Some(j) = &journal {
            if let Err(error) = j.append(&written, true).await {
                campaign.record(k, &Err(error.clone()));
                return Err(stopped(&error, &mut campaign, &source));
            }
        }
        let sent = send::send_batch(&batch, &signing, &settings, Some(&pace)).await;
        let result = sent
            .as_ref()
            .map(Clone::clone)
            .map_err(send::Failure::as_core);
        let recorded = campaign.record(k, &result);
        if let Some(j) = &journal {
            if let Err(error) = j.append(&recorded.entry, false).await {
                return Err(stopped(&error, &mut campaign, &source));
            }
        }
        report(on_progress.as_ref(), &campaign, &pace);
        let aborted = signal.is_some_and(|s| s.aborted());
        if recorded.stop || aborted {
            return Err(match sent {
                // A signer's own error reaches the caller as it threw it, with the ledger.
                Err(send::Failure::Thrown(value)) => with_ledger(value, &mut campaign, &source),
                Err(send::Failure::Core(error)) => stopped(&error, &mut campaign, &source),
                Ok(_) => stopped(&Error::Aborted, &mut campaign, &source),
            });
        }
    }
    campaign.skip_remaining();
    Ok(convert::campaign_result(&campaign, &source))
}
