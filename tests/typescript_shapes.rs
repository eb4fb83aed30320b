//! The TypeScript in src/wasm/types.d.ts (and the SmsError class in pkg-template/index.extra.d.ts)
//! is checked against the one declaration of each shape, the core's serde types: the field names of
//! every input shape (as serde reads them) and of every output shape (as serde writes them), and
//! the code unions. A field added, renamed or dropped on one side only fails here.

use std::collections::BTreeSet;

use aliyun_globe_sms::batch::{BatchInput, IssueCode, Messages};
use aliyun_globe_sms::campaign::Progress;
use aliyun_globe_sms::ledger::{Ledger, LedgerRow};
use aliyun_globe_sms::error::{ErrorCode, ErrorReport, RecipientRef};
use aliyun_globe_sms::options::{
    BatchOptions, CampaignOptions, ConversionOptions, ConversionRateOptions, CredentialsOptions,
    MessageOptions, QueryOptions, SendOptions, SignAt, SignerAnswer, BINDING_ONLY_FIELDS,
};
use aliyun_globe_sms::request::SignatureScheme;
use aliyun_globe_sms::{Batch, BatchOutcome, Issue, SentRecipient};
use serde::de::{self, Deserialize, Visitor};

const TYPES: &str = include_str!("../src/wasm/types.d.ts");
const EXTRA: &str = include_str!("../pkg-template/index.extra.d.ts");

fn set<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> BTreeSet<String> {
    items.into_iter().map(|s| s.as_ref().to_string()).collect()
}

/// The members of `export type NAME = "A" | "B" ...;`.
fn union(source: &str, name: &str) -> BTreeSet<String> {
    let start = source
        .find(&format!("export type {name} ="))
        .unwrap_or_else(|| panic!("no type {name}"));
    let rest = &source[start..];
    let end = rest.find(';').unwrap();
    set(rest[..end]
        .split('|')
        .skip(1)
        .map(|part| part.trim().trim_matches('"').to_string()))
}

/// The own fields of `export interface NAME` / `export declare class NAME`: its members at the
/// first level of braces (`name:`, `name?:`, `readonly name?:`), methods and constructors left out.
fn interface(source: &str, name: &str) -> BTreeSet<String> {
    let start = [
        format!("export interface {name} "),
        format!("export declare class {name} "),
    ]
    .iter()
    .find_map(|head| source.find(head.as_str()))
    .unwrap_or_else(|| panic!("no interface {name}"));
    let body = &source[start..];
    let open = body.find('{').unwrap();
    let mut depth = 0;
    let mut fields = BTreeSet::new();
    let mut line = String::new();
    for c in body[open..].chars() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            '\n' => {
                let text = line.trim().trim_start_matches("readonly ");
                if let Some(colon) = text.find(':') {
                    let name = text[..colon].trim_end_matches('?');
                    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()) {
                        fields.insert(name.to_string());
                    }
                }
                line.clear();
                continue;
            }
            _ => {}
        }
        if depth == 1 && c != '{' {
            line.push(c);
        } else if depth > 1 {
            line.push(' ');
        }
    }
    fields
}

/// An interface's own fields and those of the interfaces it extends.
fn interface_with_parents(source: &str, name: &str) -> BTreeSet<String> {
    let head = format!("export interface {name} ");
    let start = source.find(&head).unwrap_or_else(|| panic!("no interface {name}"));
    let open = start + source[start..].find('{').unwrap();
    let mut fields = interface(source, name);
    if let Some((_, parents)) = source[start..open].split_once(" extends ") {
        for parent in parents.split(',').map(str::trim) {
            fields.extend(interface_with_parents(source, parent));
        }
    }
    fields
}

/// The field names serde reads for `T`: a deserializer that only records what it is asked for.
fn read_fields<T: for<'de> Deserialize<'de>>() -> BTreeSet<String> {
    struct Recorder(std::rc::Rc<std::cell::RefCell<Vec<&'static str>>>);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("stop")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Stop {
            Stop
        }
    }
    impl<'de> de::Deserializer<'de> for Recorder {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0.borrow_mut().extend_from_slice(fields);
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let _ = T::deserialize(Recorder(seen.clone()));
    let fields = set(seen.borrow().iter());
    assert!(!fields.is_empty(), "{} read no struct", std::any::type_name::<T>());
    fields
}

/// The keys serde writes for a value (every optional field present in the sample).
fn written_fields<T: serde::Serialize>(value: &T) -> BTreeSet<String> {
    match serde_json::to_value(value).unwrap() {
        serde_json::Value::Object(map) => set(map.keys()),
        other => panic!("not an object: {other}"),
    }
}

fn binding_only(shape: &str) -> BTreeSet<String> {
    set(BINDING_ONLY_FIELDS
        .iter()
        .filter(|(s, _)| *s == shape)
        .map(|(_, f)| *f))
}

#[test]
fn code_unions_match_the_core() {
    assert_eq!(
        union(TYPES, "SmsErrorCode"),
        set(ErrorCode::ALL.iter().map(|c| c.as_str()))
    );
    assert_eq!(
        union(TYPES, "IssueCode"),
        set(IssueCode::ALL.iter().map(|c| c.as_str()))
    );
}

#[test]
fn option_shapes_match_their_typescript() {
    assert_eq!(interface(TYPES, "BatchOptions"), read_fields::<BatchOptions>());
    assert_eq!(interface(TYPES, "Credentials"), read_fields::<CredentialsOptions>());
    assert_eq!(interface(TYPES, "SignAt"), read_fields::<SignAt>());
    assert_eq!(interface(TYPES, "SignedRequest"), read_fields::<SignerAnswer>());
    let call: BTreeSet<String> = read_fields::<SendOptions>()
        .union(&binding_only("CallOptions"))
        .cloned()
        .collect();
    assert_eq!(interface(TYPES, "CallOptions"), call);
    assert_eq!(interface(TYPES, "SendOptions"), binding_only("SendOptions"));
    assert_eq!(interface(TYPES, "SendMessageOptions"), read_fields::<MessageOptions>());
    assert_eq!(interface(TYPES, "QueryMessageOptions"), read_fields::<QueryOptions>());
    assert_eq!(interface(TYPES, "PollOptions"), read_fields::<aliyun_globe_sms::options::PollOptions>());
    assert_eq!(interface(TYPES, "ReportConversionOptions"), read_fields::<ConversionOptions>());
    assert_eq!(
        interface(TYPES, "ReportConversionRateOptions"),
        read_fields::<ConversionRateOptions>()
    );
    assert_eq!(
        interface(TYPES, "RecordReportsOptions"),
        read_fields::<aliyun_globe_sms::options::RecordReportsOptions>()
    );
    assert_eq!(
        interface(TYPES, "DeliveryEvidence"),
        read_fields::<aliyun_globe_sms::options::DeliveryEvidence>()
    );
    assert_eq!(
        union(TYPES, "EvidenceStatus"),
        set(aliyun_globe_sms::options::EvidenceStatus::NAMES)
    );
    for name in aliyun_globe_sms::options::EvidenceStatus::NAMES {
        let read: Result<aliyun_globe_sms::options::EvidenceStatus, _> = serde_json::from_str(&format!("\"{name}\""));
        assert!(read.is_ok(), "{name} is not read");
    }
    assert_eq!(
        interface(TYPES, "PollCampaignOptions"),
        read_fields::<aliyun_globe_sms::options::PollCampaignOptions>()
    );
    let campaign: BTreeSet<String> = read_fields::<CampaignOptions>()
        .union(&binding_only("CampaignOptions"))
        .cloned()
        .collect();
    assert_eq!(interface(TYPES, "CampaignOptions"), campaign);
}

fn sample_batch() -> Batch {
    let mut input = BatchInput::new(
        vec!["+852 9123 4567".into()],
        Messages::One("hello".into()),
    );
    input.from = Some("Acme".into());
    input.task_id = Some("t-1".into());
    input.validity_period = Some(3600.0);
    input.channel_id = Some("c-1".into());
    Batch::validate(&input).unwrap()
}

#[test]
fn result_shapes_match_their_typescript() {
    let batch = sample_batch();
    let sent = SentRecipient {
        index: 0,
        to: "+852 9123 4567".into(),
        normalized_to: "85291234567".into(),
        message_id: Some("m".into()),
    };
    let outcome = BatchOutcome {
        request_id: Some("r".into()),
        response_code: "OK".into(),
        response_description: Some("d".into()),
        from: Some("Acme".into()),
        success_count: 1,
        sent: vec![sent.clone()],
        failed: Vec::new(),
        dropped: Vec::new(),
        anomalies: Vec::new(),
        attempts: 1,
    };
    assert_eq!(interface(TYPES, "BatchSendResult"), written_fields(&outcome));
    assert_eq!(interface(TYPES, "SentRecipient"), written_fields(&sent));
    let issues = aliyun_globe_sms::batch::validate_batch(&BatchInput::new(
        vec!["+86 138 0013 8000".into()],
        Messages::One("x".into()),
    ));
    let issue: &Issue = issues.first().unwrap();
    assert_eq!(interface(TYPES, "Issue"), written_fields(issue));
    let count = aliyun_globe_sms::segment::count_segments("hello");
    assert_eq!(interface(TYPES, "SegmentCount"), written_fields(&count));
    let costly = aliyun_globe_sms::segment::costly_characters("ok \u{2713}", 10);
    assert_eq!(interface(TYPES, "CostlyCharacters"), written_fields(&costly));
    assert_eq!(interface(TYPES, "CostlyCharacter"), written_fields(&costly.characters[0]));
    let signing = batch.signing_request(SignatureScheme::default());
    assert_eq!(interface(TYPES, "SigningRequest"), written_fields(&signing));
    let recipient = RecipientRef {
        index: 0,
        to: "a",
        normalized_to: "b",
    };
    assert_eq!(interface(TYPES, "RecipientRef"), written_fields(&recipient));
}

#[test]
fn operation_shapes_match_their_typescript() {
    use aliyun_globe_sms::operations::{ConversionResult, DeliveryStatus, NumberDetail, QueryMessageResult, SendMessageResult};
    let detail = NumberDetail {
        carrier: Some("c".into()),
        country: None,
        region: None,
    };
    assert_eq!(interface(TYPES, "NumberDetail"), written_fields(&detail));
    let sent = SendMessageResult {
        message_id: Some("m".into()),
        segments: 1,
        to: "t".into(),
        normalized_to: "n".into(),
        from: None,
        number_detail: Some(detail.clone()),
        request_id: None,
        response_code: "OK".into(),
        response_description: None,
        attempts: 1,
    };
    assert_eq!(interface(TYPES, "SendMessageResult"), written_fields(&sent));
    let query = QueryMessageResult {
        message_id: "m".into(),
        to: None,
        status: DeliveryStatus::Delivered,
        error_code: None,
        error_description: None,
        send_date: aliyun_globe_sms::report::ReportDate::read("Mon, 24 Dec 2018 16:58:22 +0800"),
        receive_date: None,
        message: None,
        number_detail: None,
        request_id: None,
        response_code: "OK".into(),
        attempts: 1,
    };
    assert_eq!(interface(TYPES, "QueryMessageResult"), written_fields(&query));
    assert_eq!(interface(TYPES, "ReportDate"), written_fields(query.send_date.as_ref().unwrap()));
    let polled = aliyun_globe_sms::poller::PolledMessage {
        message_id: "m".into(),
        state: "delivered",
        result: Some(query.clone()),
        code: None,
        queries: 1,
    };
    assert_eq!(interface(TYPES, "PolledMessage"), written_fields(&polled));
    assert_eq!(
        interface(TYPES, "PollResult"),
        written_fields(&aliyun_globe_sms::poller::PollResult { messages: vec![polled] })
    );
    let conversion = ConversionResult {
        request_id: None,
        response_code: "OK".into(),
        response_description: None,
        attempts: 1,
    };
    assert_eq!(interface(TYPES, "ConversionResult"), written_fields(&conversion));
    let statuses = [
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
        DeliveryStatus::Sending,
        DeliveryStatus::Expired,
    ];
    assert_eq!(union(TYPES, "DeliveryStatus"), set(statuses.iter().map(|s| s.as_str())));
}

#[test]
fn campaign_shapes_match_their_typescript() {
    let row = LedgerRow {
        index: 0,
        to: "a",
        normalized_to: Some("b".into()),
        state: "sent",
        message_id: None,
        request_id: None,
        code: None,
        duplicate_of: None,
    };
    assert_eq!(interface(TYPES, "CampaignRecipient"), written_fields(&row));
    let ledger = Ledger {
        counts: Default::default(),
        requests: aliyun_globe_sms::campaign::RequestCount { done: 0, total: 0 },
        recipients: vec![row],
    };
    assert_eq!(interface(TYPES, "CampaignResult"), written_fields(&ledger));
    assert_eq!(
        interface(TYPES, "CampaignCounts"),
        written_fields(&aliyun_globe_sms::campaign::Counts::default())
    );
    assert_eq!(union(TYPES, "CampaignState"), set(aliyun_globe_sms::ledger::STATES));
    assert_eq!(
        interface_with_parents(TYPES, "CampaignProgress"),
        written_fields(&Progress {
            counts: Default::default(),
            pending: 0,
            requests_done: 0,
            requests_total: 0,
            eta_ms: 0,
        })
    );
}

#[test]
fn the_sms_error_class_declares_every_reported_field() {
    let issues = vec![];
    let report = ErrorReport {
        code: ErrorCode::OutcomeUnknown,
        retryable: false,
        field: Some("f"),
        index: Some(0),
        http_status: Some(500),
        request_id: Some("r"),
        service_code: Some("s"),
        retry_after_ms: Some(1),
        issues: Some(&issues),
        attempts: Some(1),
        reason: Some("timeout"),
        recipients: Some(Vec::new()),
    };
    let mut declared = interface(EXTRA, "SmsError");
    // Set by the bindings beside the report: the Error's own name, and a stopped campaign's
    // ledger; and by signingService (pkg-template/signing.js) alone, a handler's issuesTotal.
    for own in ["name", "ledger", "issuesTotal"] {
        assert!(declared.remove(own), "SmsError declares {own}");
    }
    assert_eq!(declared, written_fields(&report));
}

#[test]
fn report_shapes_match_their_typescript() {
    use aliyun_globe_sms::report::{
        dedupe, read_reports, Deduped, EntryProblem, ReportBatch, ReportStatus, SeenReports,
    };
    // Every optional field present, so every key is written.
    let body = br#"[{"To":"8521234****","Status":"1","MessageId":"1","TaskId":"t","SmsSize":"1",
        "SendDate":"Thu, 25 Nov 2021 10:27:00 +0800","ReceiveDate":"Thu, 25 Nov 2021 10:27:33 +0800",
        "ErrorCode":"success","ErrorDescription":"success"}, 7]"#;
    let batch: ReportBatch = read_reports(body).unwrap();
    let report = batch.reports.first().unwrap();
    assert_eq!(interface(TYPES, "Report"), written_fields(report));
    assert_eq!(interface(TYPES, "ReportDate"), written_fields(report.send_date.as_ref().unwrap()));
    assert_eq!(interface(TYPES, "RejectedReport"), written_fields(batch.rejected.first().unwrap()));
    assert_eq!(
        union(TYPES, "ReportEntryProblem"),
        set(EntryProblem::ALL.iter().map(|p| p.as_str()))
    );
    let statuses = ["1", "2", "6", "DELIVRD"].map(ReportStatus::from_code);
    assert_eq!(union(TYPES, "ReportStatus"), set(statuses.iter().map(|s| s.name())));

    // What onReports gets beside the fresh reports (src/wasm/reports.rs `Push`): the core's
    // split without `fresh`, and the batch's `rejected`.
    let split: Deduped = dedupe(batch.reports.clone(), &SeenReports::default());
    let mut details = written_fields(&split);
    assert!(details.remove("fresh"));
    let rejected = written_fields(&batch);
    assert!(rejected.contains("rejected"));
    details.insert("rejected".to_string());
    assert_eq!(interface(TYPES, "ReportPushDetails"), details);
}

#[test]
fn csv_shapes_match_their_typescript() {
    use aliyun_globe_sms::campaign::{CampaignCheck, CampaignRules};
    use aliyun_globe_sms::csv_campaign::{self, CsvCampaignOptions, CsvIssueCode, ResultRow};
    assert_eq!(interface(TYPES, "CsvCampaignOptions"), read_fields::<CsvCampaignOptions>());
    assert_eq!(
        union(TYPES, "CsvIssueCode"),
        set(CsvIssueCode::ALL.iter().map(|c| c.as_str()))
    );
    // resultsCsv reads the rows sendCampaign writes.
    assert_eq!(interface(TYPES, "CampaignRecipient"), read_fields::<ResultRow>());
    let read = csv_campaign::read("to,x\n1,2,3\n", &CsvCampaignOptions::default()).unwrap();
    assert_eq!(interface(TYPES, "CsvCampaign"), written_fields(&read));
    assert_eq!(interface(TYPES, "CsvIssue"), written_fields(&read.issues[0]));
    assert_eq!(interface(TYPES, "CsvLeftOut"), written_fields(&read.left_out[0]));
    assert_eq!(interface(TYPES, "CsvLeftOut"), read_fields::<csv_campaign::ResultLeftOut>());
    let input = BatchInput::new(Vec::new(), Messages::One("Hi".into()));
    let check = CampaignCheck::for_plan(&input, 0, None, CampaignRules::default());
    let plan = check.plan(1.0);
    assert_eq!(interface(TYPES, "CampaignPlan"), written_fields(&plan));
    assert_eq!(set(["gsm7", "ucs2"]), written_fields(&plan.encodings));
}
