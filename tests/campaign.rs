//! Campaign planning, the ledger and the journal, natively: no clock, no network.

use aliyun_globe_sms::batch::{BatchInput, IssueCode, Messages};
use aliyun_globe_sms::campaign::{Campaign, CampaignCheck, CampaignRules, Counts, Fate};
use aliyun_globe_sms::journal::{self, Destination, JournalWriter, ReadJournal};
use aliyun_globe_sms::error::UnknownReason;
use aliyun_globe_sms::response::read_batch_response;
use aliyun_globe_sms::{Credentials, Error, KnownSecrets};

fn numbers(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("+852 9{:07}", i)).collect()
}

fn settings() -> BatchInput {
    let mut input = BatchInput::new(Vec::new(), Messages::One("Hello".into()));
    input.from = Some("Alicloud".into());
    input
}

/// Checks `to` in parts of `part` with one shared text.
fn plan(
    to: &[String],
    part: usize,
    rules: CampaignRules,
) -> Result<Campaign, Vec<aliyun_globe_sms::Issue>> {
    let mut check = CampaignCheck::new(&settings(), to.len(), None, rules)?;
    for chunk in to.chunks(part) {
        check.check_part(chunk, &Messages::One("Hello".into()), &[]);
    }
    check.finish()
}

fn texts(campaign: &Campaign, k: usize, to: &[String]) -> Vec<String> {
    campaign
        .request_indexes(k)
        .iter()
        .map(|i| to[*i as usize].clone())
        .collect()
}

/// The sandbox-shaped answer to request `k`, with `failed` numbers in FailedList.
fn answer(
    campaign: &Campaign,
    k: usize,
    to: &[String],
    failed: &[&str],
) -> Result<aliyun_globe_sms::BatchOutcome, Error> {
    let batch = campaign
        .batch(k, &texts(campaign, k, to), &Messages::One("Hello".into()))
        .unwrap();
    let accepted: Vec<String> = batch
        .entries()
        .iter()
        .filter(|e| !failed.contains(&e.recipient.normalized.as_str()))
        .map(|e| format!("\"{}{}\"", k, e.index))
        .collect();
    let body = format!(
        r#"{{"ResponseCode":"OK","RequestId":"R{k}","FailedList":"{}","MessageIdList":"[{}]","SuccessCount":"{}"}}"#,
        serde_json::to_string(failed).unwrap().replace('"', "\\\""),
        accepted.join(",").replace('"', "\\\""),
        accepted.len()
    );
    let creds = Credentials::new("id", "secret", None).unwrap();
    let known = KnownSecrets::of_credentials(&creds);
    read_batch_response(&batch, &known, 200, &[], body.as_bytes())
}

#[test]
fn a_long_list_is_planned_in_requests_of_1000_in_order() {
    let to = numbers(2500);
    let c = plan(&to, 700, CampaignRules::default()).unwrap();
    assert_eq!(c.requests_total(), 3);
    assert_eq!(c.request_indexes(0).len(), 1000);
    assert_eq!(c.request_indexes(2).len(), 500);
    assert_eq!(c.request_indexes(1).first(), Some(&1000));
    assert_eq!(c.next_request(), Some(0));
}

#[test]
fn invalid_recipients_are_rejected_and_the_rest_planned_unless_all_or_nothing() {
    let mut to = numbers(1500);
    to[3] = "+86 138 0013 8000".into();
    to[1200] = to[10].clone(); // a repeat across parts
    to[1400] = "junk".into();
    let c = plan(&to, 1000, CampaignRules::default()).unwrap();
    assert_eq!(
        c.counts(),
        Counts {
            sent: 0,
            delivered: 0,
            undelivered: 0,
            expired: 0,
            failed: 0,
            rejected: 3,
            unknown: 0,
            skipped: 0,
            pending: 1497
        }
    );
    assert!(matches!(
        c.fate(3),
        Some(Fate::Rejected {
            code: "RECIPIENT_MAINLAND_CHINA",
            ..
        })
    ));
    assert!(matches!(
        c.fate(1200),
        Some(Fate::Rejected {
            code: "RECIPIENT_DUPLICATE",
            duplicate_of: Some(10),
            ..
        })
    ));
    assert!(matches!(
        c.fate(1400),
        Some(Fate::Rejected {
            code: "RECIPIENT_INVALID_CHARACTER",
            ..
        })
    ));
    assert_eq!(c.requests_total(), 2);
    assert!(!c.request_indexes(0).contains(&3));
    let issues = plan(
        &to,
        1000,
        CampaignRules {
            all_or_nothing: true,
            ..CampaignRules::default()
        },
    )
    .unwrap_err();
    let indexes: Vec<Option<usize>> = issues.iter().map(|i| i.index).collect();
    assert_eq!(indexes, [Some(3), Some(1200), Some(1400)]);
    let dropped = plan(
        &to,
        1000,
        CampaignRules {
            drop_duplicates: true,
            ..CampaignRules::default()
        },
    )
    .unwrap();
    assert!(matches!(
        dropped.fate(1200),
        Some(Fate::Rejected {
            duplicate_of: Some(10),
            ..
        })
    ));
}

#[test]
fn problems_of_every_recipient_refuse_the_campaign_at_once() {
    let mut input = settings();
    input.message_type = Some("SPAM".into());
    input.messages = Messages::One(String::new());
    let issues = CampaignCheck::new(&input, 5, None, CampaignRules::default()).unwrap_err();
    let codes: Vec<&str> = issues.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["TYPE_INVALID", "MESSAGE_EMPTY"]);
    assert_eq!(
        CampaignCheck::new(&settings(), 0, None, CampaignRules::default()).unwrap_err()[0].code,
        IssueCode::BatchEmpty
    );
    assert_eq!(
        CampaignCheck::new(&settings(), 3, Some(2), CampaignRules::default()).unwrap_err()[0].code,
        IssueCode::MessageCountMismatch
    );
}

#[test]
fn the_ledger_gives_every_recipient_exactly_one_fate() {
    let to = numbers(2100);
    let mut c = plan(&to, 1000, CampaignRules::default()).unwrap();
    // Request 0: two in FailedList.
    c.mark_written(0);
    let r0 = answer(&c, 0, &to, &["85290000005", "85290000006"]);
    assert!(!c.record(0, &r0).stop);
    // Request 1: unknown (timeout); the campaign goes on by default.
    c.mark_written(1);
    let unknown = Err(Error::OutcomeUnknown {
        reason: UnknownReason::Timeout,
        http_status: None,
        service_code: None,
        request_id: None,
        excerpt: None,
    });
    assert!(!c.record(1, &unknown).stop);
    // Request 2: refused (signature): stop; the rest is skipped.
    c.mark_written(2);
    let refused = Err(Error::Aborted);
    assert!(c.record(2, &refused).stop);
    c.skip_remaining();
    assert_eq!(
        c.counts(),
        Counts {
            sent: 998,
            delivered: 0,
            undelivered: 0,
            expired: 0,
            failed: 2,
            rejected: 0,
            unknown: 1000,
            skipped: 100,
            pending: 0
        }
    );
    assert!(matches!(
        c.fate(0),
        Some(Fate::Sent {
            message_id: Some("00"),
            request_id: Some("R0")
        })
    ));
    assert!(matches!(
        c.fate(5),
        Some(Fate::Failed {
            request_id: Some("R0")
        })
    ));
    assert!(matches!(
        c.fate(1500),
        Some(Fate::Unknown {
            code: "OUTCOME_UNKNOWN",
            ..
        })
    ));
    assert!(matches!(
        c.fate(2050),
        Some(Fate::Skipped {
            code: Some("ABORTED")
        })
    ));
    assert_eq!(c.requests_done(), 3);
    assert_eq!(c.next_request(), None);
}

#[test]
fn stop_on_unknown_stops() {
    let to = numbers(10);
    let mut c = plan(
        &to,
        10,
        CampaignRules {
            stop_on_unknown: true,
            ..CampaignRules::default()
        },
    )
    .unwrap();
    c.mark_written(0);
    let unknown = Err(Error::OutcomeUnknown {
        reason: UnknownReason::ConnectionLost,
        http_status: None,
        service_code: None,
        request_id: None,
        excerpt: None,
    });
    assert!(c.record(0, &unknown).stop);
}

fn destination() -> Destination {
    Destination {
        host: "http://127.0.0.1:9/".into(),
        scheme: "1.0".into(),
        access_key_id: Some("LTAI-test".into()),
    }
}

/// A journal as the campaign machine writes it: a header, then sealed entries.
struct Log {
    writer: JournalWriter,
    entries: Vec<String>,
}

impl Log {
    fn new(c: &Campaign) -> Log {
        let mut writer = ReadJournal::empty().writer;
        let header = writer.header(&c.journal_header(&destination()));
        Log {
            writer,
            entries: vec![header],
        }
    }
    fn push(&mut self, body: String) {
        let entry = self.writer.seal(&body);
        self.entries.push(entry);
    }
}

fn resume(c: &mut Campaign, entries: &[String]) -> Result<(), Error> {
    c.resume(&journal::read(entries)?, &destination())
}

#[test]
fn a_resumed_campaign_sends_only_what_no_entry_accounts_for() {
    let to = numbers(3500);
    let mut first = plan(&to, 1000, CampaignRules::default()).unwrap();
    let mut log = Log::new(&first);
    log.push(first.mark_written(0));
    let r0 = answer(&first, 0, &to, &["85290000007"]);
    log.push(first.record(0, &r0).entry);
    log.push(first.mark_written(1));
    let throttled_to_the_end = Err(Error::Aborted);
    log.push(first.record(1, &throttled_to_the_end).entry);
    log.push(first.mark_written(2));
    // Crash here: request 2 was written and may have been sent; and a torn half entry.
    log.entries.push("{\"seq\":6,\"outcome\":2,\"res".to_string());

    let mut again = plan(&to, 1000, CampaignRules::default()).unwrap();
    resume(&mut again, &log.entries).unwrap();
    assert!(matches!(
        again.fate(0),
        Some(Fate::Sent {
            message_id: Some("00"),
            ..
        })
    ));
    assert!(matches!(again.fate(7), Some(Fate::Failed { .. })));
    assert!(matches!(again.fate(2500), Some(Fate::Unknown { .. })));
    // Request 1 was refused before processing, request 3 never started: both go now.
    assert_eq!(again.next_request(), Some(1));
    assert_eq!(again.requests_left(), 2);
    assert_eq!(
        again.counts(),
        Counts {
            sent: 999,
            delivered: 0,
            undelivered: 0,
            expired: 0,
            failed: 1,
            rejected: 0,
            unknown: 1000,
            skipped: 0,
            pending: 1500
        }
    );
}

#[test]
fn a_journal_of_another_campaign_or_damaged_is_refused() {
    let to = numbers(20);
    let mut c = plan(&to, 20, CampaignRules::default()).unwrap();
    let mut other_to = to.clone();
    other_to[0] = "+65 9123 4567".into();
    let other = plan(&other_to, 20, CampaignRules::default()).unwrap();
    assert_eq!(
        resume(&mut c, &Log::new(&other).entries).unwrap_err().code().as_str(),
        "JOURNAL_MISMATCH"
    );
    assert_eq!(
        resume(&mut c, &["{}\n".into()]).unwrap_err().code().as_str(),
        "JOURNAL_MISMATCH"
    );
    assert_eq!(resume(&mut c, &[]).unwrap_err(), Error::JournalEmpty);
    let mut damaged = Log::new(&c);
    damaged.entries.push("not json\n".into());
    assert_eq!(
        resume(&mut c, &damaged.entries).unwrap_err(),
        Error::JournalCorrupt { entry: 1 }
    );
    // Entries that are whole but do not fit the plan.
    for body in [
        "\"request\":9,\"first\":0,\"count\":20",
        "\"request\":0,\"first\":1,\"count\":19",
        r#""outcome":0,"result":"sent","requestId":"R","sent":[[99,"1"]],"failed":[]"#,
    ] {
        let mut log = Log::new(&c);
        log.push(body.to_string());
        assert_eq!(
            resume(&mut c, &log.entries).unwrap_err().code().as_str(),
            "JOURNAL_CORRUPT",
            "{body}"
        );
    }
    let mut foreign_index = Log::new(&c);
    foreign_index.push(c.mark_written(0));
    foreign_index.push(r#""outcome":0,"result":"sent","requestId":"R","sent":[[99,"1"]],"failed":[]"#.into());
    let mut fresh = plan(&to, 20, CampaignRules::default()).unwrap();
    assert_eq!(
        resume(&mut fresh, &foreign_index.entries).unwrap_err().code().as_str(),
        "JOURNAL_CORRUPT"
    );
}

#[test]
fn a_swapped_list_and_text_is_another_campaign() {
    let input = |to: &str, message: Messages| {
        let mut check = CampaignCheck::new(
            &BatchInput::new(vec![to.into()], message.clone()),
            1,
            match &message {
                Messages::PerRecipient(t) => Some(t.len()),
                Messages::One(_) => None,
            },
            CampaignRules::default(),
        )
        .unwrap();
        check.check_part(&[to.into()], &message, &[]);
        check.finish().unwrap()
    };
    let a = input("+85291234567", Messages::One("85261234567".into()));
    let mut b = input("+85261234567", Messages::PerRecipient(vec!["85291234567".into()]));
    assert_eq!(
        resume(&mut b, &Log::new(&a).entries).unwrap_err().code().as_str(),
        "JOURNAL_MISMATCH"
    );
}

#[test]
fn per_recipient_texts_are_checked_part_by_part() {
    let to = numbers(5);
    let mut texts: Vec<String> = (0..5).map(|i| format!("text {i}")).collect();
    texts[2] = String::new();
    let mut check = CampaignCheck::new(&settings(), 5, Some(5), CampaignRules::default()).unwrap();
    check.check_part(&to[..3], &Messages::PerRecipient(texts[..3].to_vec()), &[]);
    check.check_part(&to[3..], &Messages::PerRecipient(texts[3..].to_vec()), &[]);
    let c = check.finish().unwrap();
    assert!(matches!(
        c.fate(2),
        Some(Fate::Rejected {
            code: "MESSAGE_EMPTY",
            ..
        })
    ));
    let batch = c
        .batch(
            0,
            &[to[0].clone(), to[1].clone(), to[3].clone(), to[4].clone()],
            &Messages::PerRecipient(vec![
                texts[0].clone(),
                texts[1].clone(),
                texts[3].clone(),
                texts[4].clone(),
            ]),
        )
        .unwrap();
    let indexes: Vec<usize> = batch.entries().iter().map(|e| e.index).collect();
    assert_eq!(indexes, [0, 1, 3, 4]);
    assert_eq!(
        batch.message_parameter(),
        r#"["text 0","text 1","text 3","text 4"]"#
    );
}

#[test]
fn a_journal_with_only_a_torn_header_has_nothing_to_resume() {
    let to = numbers(3);
    let mut c = plan(&to, 3, CampaignRules::default()).unwrap();
    let header = Log::new(&c).entries.remove(0);
    let torn = vec![header[..header.len() / 2].to_string()];
    assert!(journal::read(&torn).unwrap().header.is_none());
    assert_eq!(resume(&mut c, &torn), Err(Error::JournalEmpty));
    assert_eq!(resume(&mut c, &[header]), Ok(()));
}

#[test]
fn requests_are_split_by_url_size_as_well_as_count() {
    // 1000 recipients of 500 Chinese characters would be about 4.5 MB of URL: more than a
    // browser fetches. The plan cuts them into requests under MAX_URL_BYTES.
    use aliyun_globe_sms::batch::MAX_URL_BYTES;
    let to = numbers(1000);
    let long = "你".repeat(500);
    let mut input = settings();
    input.messages = Messages::One(long.clone());
    let mut check = CampaignCheck::new(&input, to.len(), None, CampaignRules::default()).unwrap();
    check.check_part(&to, &Messages::One(long.clone()), &[]);
    let c = check.finish().unwrap();
    assert!(c.requests_total() >= 3, "{}", c.requests_total());
    let mut covered = 0;
    for k in 0..c.requests_total() {
        let indexes = c.request_indexes(k);
        covered += indexes.len();
        let batch = c
            .batch(k, &texts(&c, k, &to), &Messages::One(long.clone()))
            .unwrap();
        let creds = Credentials::new("id", "secret", None).unwrap();
        let endpoint = aliyun_globe_sms::Endpoint::default();
        let ctx = aliyun_globe_sms::request::SigningContext {
            endpoint: &endpoint,
            scheme: aliyun_globe_sms::request::SignatureScheme::V1,
            timestamp: aliyun_globe_sms::Timestamp::from_unix_seconds(0).unwrap(),
            nonce: "n",
        };
        let url = aliyun_globe_sms::request::sign_batch(&batch, &creds, &ctx)
            .unwrap()
            .url;
        assert!(
            url.len() < MAX_URL_BYTES + 10_000,
            "request {k}: {} bytes",
            url.len()
        );
        assert!(url.len() < 2_097_152);
    }
    assert_eq!(covered, 1000);
}

#[test]
fn a_request_is_built_from_the_check_without_checking_again_and_equals_a_checked_batch() {
    use aliyun_globe_sms::batch::{check_recipients, DuplicateRule};
    use aliyun_globe_sms::NumberRules;
    let mut to = numbers(1500);
    to[3] = "+1 (415) 555-0134".into();
    to[700] = "0044 7911 123456".into();
    to[1200] = "+86 138 0013 8000".into();
    let texts: Vec<String> = (0..1500).map(|i| format!("text {i} ünïcode")).collect();
    let mut check = CampaignCheck::new(&settings(), 1500, Some(1500), CampaignRules::default()).unwrap();
    for part in 0..3 {
        let range = part * 500..(part + 1) * 500;
        check.check_part(&to[range.clone()], &Messages::PerRecipient(texts[range].to_vec()), &[]);
    }
    let c = check.finish().unwrap();
    for k in 0..c.requests_total() {
        let indexes: Vec<usize> = c.request_indexes(k).iter().map(|i| *i as usize).collect();
        let part_to: Vec<String> = indexes.iter().map(|i| to[*i].clone()).collect();
        let part_texts = Messages::PerRecipient(indexes.iter().map(|i| texts[*i].clone()).collect());
        let built = c.batch(k, &part_to, &part_texts).unwrap();
        let mut checked = check_recipients(&part_to, &part_texts, &[], 0, DuplicateRule::Ignore, &NumberRules::default());
        for (entry, index) in checked.entries.iter_mut().zip(&indexes) {
            entry.index = *index;
        }
        assert_eq!(built.entries(), &checked.entries[..], "request {k}");
    }
    // Lists that do not match the request are refused.
    assert!(c.batch(0, &to[..3], &Messages::One("hi".into())).is_err());
}
