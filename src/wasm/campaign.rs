//! `sendCampaign` and `resumeCampaign`: check the whole list part by part, then perform what the
//! core's campaign machine (`src/campaign_run.rs`) decides — write a journal entry, wait for the
//! account's slot, send a request, report progress — and feed back what happened. The core
//! decides every fate, every journal entry and when to stop.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::JsValue;

use crate::campaign::{Campaign, CampaignCheck, CampaignRules};
use crate::campaign_run::{CampaignAction, CampaignEvent, CampaignRun};
use crate::error::Error;
use crate::journal::Destination;

use super::input;
use super::ledger;
use super::options::{self, CampaignSettings, SendSettings};
use super::output::{self, thrown};
use super::send::{self, Pace, Signing};
use super::source::Source;
use super::transport;

/// The longest a journal may take to store or read: a disk that has not answered in a minute is
/// as good as failed, and a campaign must not wait forever on it.
const JOURNAL_TIMEOUT_MS: u32 = 60_000;

/// Recipients checked per step.
const PART: usize = 1000;

/// The caller's journal object; every call into it is a catching one.
pub(super) struct Journal(JsValue);

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

    /// Stores one entry; `Err` when the journal threw, rejected or did not answer in time (the
    /// core decides what that means).
    pub(super) async fn append(&self, entry: &str) -> Result<(), ()> {
        self.call("append", &Array::of1(&JsValue::from_str(entry)))
            .await
            .map(|_| ())
    }

    async fn read(&self) -> Result<Vec<String>, Error> {
        let value = self.call("read", &Array::new()).await.map_err(|()| Error::InvalidOption {
            field: "journal".to_string(),
            message: "read() must return (or resolve to) an array of strings".to_string(),
        })?;
        options::journal_entries(&value)
    }
}

pub(super) fn with_ledger(error: JsValue, campaign: &Campaign, source: &Source) -> JsValue {
    let ledger = ledger::result(campaign, source);
    let _ = Reflect::set(&error, &JsValue::from_str("ledger"), &ledger);
    error
}

/// Calls `onProgress` (what it throws is ignored); `eta_ms` until the last request.
pub(super) fn report(progress: Option<&Function>, campaign: &Campaign, eta_ms: u64) {
    if let Some(callback) = progress {
        let value = output::to_js(&campaign.progress(eta_ms));
        input::notify(callback, &value);
    }
}

/// Sends request `k` of `campaign` with the attempts machine, held to `pace`. A failure's own
/// value is kept in `last_failure`: a signer's thrown value reaches the caller as it threw it.
pub(super) async fn send_request(
    campaign: &Campaign,
    k: usize,
    source: &Source,
    signing: &Signing,
    settings: &SendSettings,
    pace: &Pace,
    last_failure: &mut Option<send::Failure>,
) -> Result<crate::response::BatchOutcome, Error> {
    let indexes = campaign.request_indexes(k).to_vec();
    let (to, messages, _) = source.part(indexes.iter().map(|i| *i as usize));
    let batch = campaign.batch(k, &to, &messages)?;
    send::send_batch(&batch, signing, settings, Some(pace)).await.map_err(|failure| {
        let error = failure.as_core();
        *last_failure = Some(failure);
        error
    })
}

/// Where and as whom this campaign sends, for its journal's header.
pub(super) fn destination(settings: &SendSettings, signing: &Signing) -> Destination {
    Destination {
        host: settings.sending.endpoint.base_url(),
        scheme: settings.sending.scheme.as_str().to_string(),
        access_key_id: match signing {
            Signing::Local(credentials) => Some(credentials.access_key_id().to_string()),
            Signing::Remote(_) => None,
        },
    }
}

/// A campaign's list checked as a whole, its options read and its journal's entries read back:
/// where sending, resuming and following its deliveries all start.
pub(super) struct Prepared {
    pub source: Source,
    pub settings: SendSettings,
    pub campaigning: crate::options::Campaigning,
    pub on_progress: Option<Function>,
    pub journal: Option<Journal>,
    /// The fleet's store (`fleet` option), when a fleet of workers shares the campaign.
    pub fleet: Option<JsValue>,
    /// What `journal.read()` gave, when there is a journal.
    pub entries: Option<Vec<String>>,
    pub campaign: Campaign,
    pub signing: Signing,
}

pub(super) async fn prepare(options: &JsValue, environment: Option<&JsValue>) -> Result<Prepared, JsValue> {
    let source = Source::read(options).map_err(thrown)?;
    let settings = options::send(options).map_err(thrown)?;
    let CampaignSettings {
        campaigning,
        on_progress,
        journal,
        fleet,
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
    // The TaskIds this run makes are its own, not those of another send of the same list.
    campaign.set_run(transport::nonce().get(..8).unwrap_or_default());
    let signing = options::signing(options, &settings, environment).map_err(thrown)?;

    let journal = journal.map(Journal);
    let entries = match &journal {
        Some(j) => Some(j.read().await.map_err(thrown)?),
        None => None,
    };
    Ok(Prepared {
        source,
        settings,
        campaigning,
        on_progress,
        journal,
        fleet,
        entries,
        campaign,
        signing,
    })
}

pub async fn run(options: &JsValue, environment: Option<&JsValue>, resume: bool) -> Result<JsValue, JsValue> {
    let prepared = prepare(options, environment).await?;
    if let Some(store) = prepared.fleet.clone() {
        // A fleet campaign starts and resumes the same way: the store says what is left.
        return super::fleet::run(prepared, store).await;
    }
    let Prepared {
        source,
        settings,
        campaigning,
        on_progress,
        journal,
        entries,
        campaign,
        signing,
        ..
    } = prepared;
    let (mut run, mut action) = CampaignRun::start(
        campaign,
        entries.as_deref(),
        resume,
        &destination(&settings, &signing),
    )
    .map_err(thrown)?;

    // Performs what the core decides, and tells it what happened.
    let pace = Pace::new(signing.pace_key(), campaigning.qps).shared(settings.pacer.clone());
    let signal = settings.signal.as_ref();
    let aborted = || signal.is_some_and(|s| s.aborted());
    let mut last_failure = None;
    loop {
        if aborted() {
            run.abort();
        }
        action = match action {
            CampaignAction::WriteJournal(entry) => {
                let stored = match &journal {
                    Some(j) => j.append(&entry).await,
                    None => Err(()),
                };
                run.next(match stored {
                    Ok(()) => CampaignEvent::JournalWritten,
                    Err(()) => CampaignEvent::JournalFailed,
                })
            }
            CampaignAction::WaitForSlot => {
                // The account's slot first (or just before it), so a crash while waiting leaves
                // nothing unknown; the send is held to the slot.
                if transport::sleep(pace.reserve_to_prepare(), signal).await.is_err() {
                    run.abort();
                }
                run.next(CampaignEvent::SlotReached)
            }
            CampaignAction::Send(k) => {
                let result = send_request(run.campaign(), k, &source, &signing, &settings, &pace, &mut last_failure).await;
                run.next(CampaignEvent::Sent(Box::new(result)))
            }
            CampaignAction::ReportProgress => {
                let eta_ms = pace.eta_ms(run.campaign().requests_left());
                report(on_progress.as_ref(), run.campaign(), eta_ms);
                run.next(CampaignEvent::Reported)
            }
            CampaignAction::Finish => {
                return Ok(ledger::result(run.campaign(), &source));
            }
            CampaignAction::Stop {
                error,
                request_failed,
            } => {
                let value = match last_failure.take() {
                    // A signer's own error reaches the caller as it threw it, with the ledger.
                    Some(send::Failure::Thrown(value)) if request_failed => value,
                    _ => thrown(error),
                };
                return Err(with_ledger(value, run.campaign(), &source));
            }
        };
    }
}
