//! `sendCampaign` and `resumeCampaign`: the core's campaign driven request by request — check
//! the whole list part by part, then for each request: wait for the account's slot, journal it,
//! send it, record its outcome, report progress. The core decides every fate and when to stop.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::JsValue;

use crate::campaign::{Campaign, CampaignCheck, CampaignRules};
use crate::error::Error;

use super::input;
use super::ledger;
use super::options::{self, CampaignSettings};
use super::output::{self, thrown};
use super::source::Source;
use super::send::{self, Pace};
use super::transport;

/// The longest a journal may take to store or read: a disk that has not answered in a minute is
/// as good as failed, and a campaign must not wait forever on it.
const JOURNAL_TIMEOUT_MS: u32 = 60_000;

/// Recipients checked per step.
const PART: usize = 1000;

/// The caller's journal object; every call into it is a catching one.
struct Journal(JsValue);

impl Journal {
    /// Calls `name` on the journal and waits for what it returns; `Err` when it is not a function,
    /// throws or rejects.
    async fn call(&self, name: &str, args: &Array) -> Result<JsValue, ()> {
        let method = input::property(&self.0, name)?;
        if input::kind(&method) != "function" {
            return Err(());
        }
        let returned = input::call(&method, &self.0, args).map_err(|_| ())?;
        input::settled(&returned, JOURNAL_TIMEOUT_MS).await.map_err(|_| ())
    }

    async fn append(&self, entry: &str, before_send: bool) -> Result<(), Error> {
        self.call("append", &Array::of1(&JsValue::from_str(entry)))
            .await
            .map(|_| ())
            .map_err(|()| Error::JournalFailed { before_send })
    }

    async fn read(&self) -> Result<Vec<String>, Error> {
        let value = self.call("read", &Array::new()).await.map_err(|()| Error::InvalidOption {
            field: "journal".to_string(),
            message: "read() must return (or resolve to) an array of strings".to_string(),
        })?;
        options::journal_entries(&value)
    }
}

/// The error that ended a campaign, carrying the ledger so far as `ledger`.
fn stopped(error: &Error, campaign: &mut Campaign, source: &Source) -> JsValue {
    with_ledger(thrown(error.clone()), campaign, source)
}

fn with_ledger(error: JsValue, campaign: &mut Campaign, source: &Source) -> JsValue {
    campaign.skip_remaining();
    let ledger = ledger::result(campaign, source);
    let _ = Reflect::set(&error, &JsValue::from_str("ledger"), &ledger);
    error
}

fn report(progress: Option<&Function>, campaign: &Campaign, pace: &Pace) {
    if let Some(callback) = progress {
        let value = output::to_js(&campaign.progress(pace.eta_ms(campaign.requests_left())));
        input::notify(callback, &value);
    }
}

pub async fn run(options: &JsValue, environment: Option<&JsValue>, resume: bool) -> Result<JsValue, JsValue> {
    let source = Source::read(options).map_err(thrown)?;
    let settings = options::send(options).map_err(thrown)?;
    let CampaignSettings {
        campaigning,
        on_progress,
        journal,
    } = options::campaign(options).map_err(thrown)?;
    let rules = CampaignRules {
        drop_duplicates: source.input().drop_duplicates,
        number_rules: source.input().number_rules,
        all_or_nothing: campaigning.all_or_nothing,
        stop_on_unknown: campaigning.stop_on_unknown,
    };

    // The whole list is checked before the first request.
    let mut check = CampaignCheck::new(source.input(), source.len(), source.message_count(), rules)
        .map_err(|issues| thrown(Error::InvalidBatch { issues }))?;
    for start in (0..source.len()).step_by(PART) {
        let (to, messages, broken) = source.part(start..source.len().min(start + PART));
        check.check_part(&to, &messages, &broken);
    }
    let mut campaign = check
        .finish()
        .map_err(|issues| thrown(Error::InvalidBatch { issues }))?;
    let signing = options::signing(options, &settings, environment).map_err(thrown)?;

    let journal = journal.map(Journal);
    match (&journal, resume) {
        (None, true) => {
            return Err(thrown(Error::InvalidOption {
                field: "journal".to_string(),
                message: "resumeCampaign needs the journal of the run to resume".to_string(),
            }))
        }
        (None, false) => {}
        (Some(j), _) => {
            let entries = j.read().await.map_err(thrown)?;
            let started = crate::campaign::journal_started(&entries);
            if started && !resume {
                return Err(thrown(Error::JournalMismatch {
                    reason: "the journal already holds a campaign: resume it with resumeCampaign, or start a new journal",
                }));
            }
            let has_header = started && campaign.resume(&entries).map_err(thrown)?;
            if !has_header {
                j.append(&campaign.journal_header(), true)
                    .await
                    .map_err(thrown)?;
            }
        }
    }

    let pace = Pace::new(signing.pace_key(), campaigning.qps);
    let signal = settings.signal.as_ref();
    report(on_progress.as_ref(), &campaign, &pace);
    while let Some(k) = campaign.next_request() {
        let indexes = campaign.request_indexes(k).to_vec();
        let (to, messages, _) = source.part(indexes.iter().map(|i| *i as usize));
        let batch = campaign.batch(k, &to, &messages);
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
    Ok(ledger::result(&campaign, &source))
}
