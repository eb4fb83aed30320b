//! `recordReports` and `pollCampaign`: a sent campaign's delivery reports into its ledger and
//! journal. The campaign is opened from its journal as `resumeCampaign` opens it (the same list
//! and options, endpoint and key, or nothing happens); what each piece of evidence changes, what
//! is journaled and when, and when a poll ends are the core's (src/delivery.rs,
//! src/delivery_run.rs). Nothing here sends a message.

use wasm_bindgen::JsValue;

use crate::delivery_run::{self, DeliveryPoll, PollEvent, PollStep};
use crate::error::Error;
use crate::operations::{QueryMessage, QueryMessageInput};
use crate::options::{PollCampaignOptions, RecordReportsOptions, MAX_REPORTS_PER_CALL};

use super::campaign::{self, Journal, Prepared};
use super::ledger;
use super::operations;
use super::options;
use super::output::thrown;
use super::transport;

/// A sent campaign opened from its journal.
struct Opened {
    source: super::source::Source,
    settings: super::options::SendSettings,
    on_progress: Option<js_sys::Function>,
    signing: super::send::Signing,
    journal: Journal,
    campaign: crate::campaign::Campaign,
    writer: crate::journal::JournalWriter,
}

/// Opens the campaign from its journal, which must be given: reports are recorded after it.
async fn open(options: &JsValue, environment: Option<&JsValue>, operation: &str) -> Result<Opened, JsValue> {
    let Prepared {
        source,
        settings,
        on_progress,
        journal,
        entries,
        campaign,
        signing,
        ..
    } = campaign::prepare(options, environment).await?;
    let (Some(journal), Some(entries)) = (journal, entries) else {
        return Err(thrown(Error::InvalidOption {
            field: "journal".to_string(),
            message: format!("{operation} needs the campaign's journal: the reports are recorded in it"),
        }));
    };
    let destination = campaign::destination(&settings, &signing);
    let (campaign, writer) = delivery_run::open(campaign, &entries, &destination).map_err(thrown)?;
    Ok(Opened {
        source,
        settings,
        on_progress,
        signing,
        journal,
        campaign,
        writer,
    })
}

pub async fn record_reports(options: &JsValue, environment: Option<&JsValue>) -> Result<JsValue, JsValue> {
    let shape: RecordReportsOptions = options::shape_with_lists(options, MAX_REPORTS_PER_CALL).map_err(thrown)?;
    let deliveries = shape.deliveries().map_err(thrown)?;
    let Opened {
        source,
        on_progress,
        journal,
        mut campaign,
        mut writer,
        ..
    } = open(options, environment, "recordReports").await?;
    let (_, entry) = delivery_run::record(&mut campaign, &mut writer, &deliveries);
    if let Some(entry) = entry {
        if journal.append(&entry).await.is_err() {
            let error = thrown(Error::ReportsNotJournaled);
            return Err(campaign::with_ledger(error, &campaign, &source));
        }
        campaign::report(on_progress.as_ref(), &campaign, 0);
    }
    Ok(ledger::result(&campaign, &source))
}

pub async fn poll_campaign(options: &JsValue, environment: Option<&JsValue>) -> Result<JsValue, JsValue> {
    let shape: PollCampaignOptions = options::shape(options).map_err(thrown)?;
    let (deadline_ms, interval_ms) = shape.timing().map_err(thrown)?;
    options::no_signer(options, "pollCampaign").map_err(thrown)?;
    let Opened {
        source,
        settings,
        on_progress,
        signing,
        journal,
        campaign,
        writer,
    } = open(options, environment, "pollCampaign").await?;
    let start = transport::monotonic_ms();
    let (mut poll, mut step) = DeliveryPoll::start(
        campaign,
        writer,
        start,
        start + u64::from(deadline_ms),
        u64::from(interval_ms),
    );
    let pace = operations::query_pace(&signing);
    let signal = settings.signal.as_ref();
    loop {
        if signal.is_some_and(|s| s.aborted()) {
            poll.abort();
        }
        step = match step {
            PollStep::Ask { message_id, at_ms } => {
                let now = transport::monotonic_ms();
                let answer = if at_ms > now && transport::sleep(at_ms - now, signal).await.is_err() {
                    Err(Error::Aborted)
                } else {
                    match QueryMessage::validate(&QueryMessageInput { message_id }) {
                        Ok(query) => operations::ask(query, &signing, &settings, &pace).await,
                        Err(issues) => Err(Error::InvalidInput { issues }),
                    }
                };
                poll.next(PollEvent::Answered {
                    now_ms: transport::monotonic_ms(),
                    answer: Box::new(answer),
                })
            }
            PollStep::WriteJournal(entry) => poll.next(match journal.append(&entry).await {
                Ok(()) => PollEvent::JournalWritten,
                Err(()) => PollEvent::JournalFailed,
            }),
            PollStep::ReportProgress => {
                campaign::report(on_progress.as_ref(), poll.campaign(), 0);
                poll.next(PollEvent::Reported)
            }
            PollStep::Finish => return Ok(ledger::result(poll.campaign(), &source)),
            PollStep::Stop(error) => {
                return Err(campaign::with_ledger(thrown(error), poll.campaign(), &source));
            }
        };
    }
}
