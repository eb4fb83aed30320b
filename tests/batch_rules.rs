//! Every refusal of a batch, each asserting its code and the index it names.

use aliyun_globe_sms::batch::{validate_batch, Batch, BatchInput, Issue, Messages, MAX_RECIPIENTS};
use aliyun_globe_sms::NumberRules;

fn to(numbers: &[&str]) -> Vec<String> {
    numbers.iter().map(|n| n.to_string()).collect()
}

fn one(text: &str) -> Messages {
    Messages::One(text.to_string())
}

/// (code, field, index) of every issue, in order.
fn summary(issues: &[Issue]) -> Vec<(&'static str, &'static str, Option<usize>)> {
    issues.iter().map(|i| (i.code.as_str(), i.field, i.index)).collect()
}

const GOOD: &str = "85291234567";

#[test]
fn each_recipient_refusal_names_its_code_and_index() {
    let cases = [
        ("", "RECIPIENT_EMPTY"),
        ("   ", "RECIPIENT_EMPTY"),
        ("+852 9123 abcd", "RECIPIENT_INVALID_CHARACTER"),
        ("852-9123-4567 ext 9", "RECIPIENT_INVALID_CHARACTER"),
        ("+85212", "RECIPIENT_TOO_SHORT"),
        ("+852 9123 4567 8901 2", "RECIPIENT_TOO_LONG"),
        ("+999 1234 5678", "RECIPIENT_UNKNOWN_DIALING_CODE"),
        ("0912 345 678", "RECIPIENT_UNKNOWN_DIALING_CODE"),
        ("+86 138 0013 8000", "RECIPIENT_MAINLAND_CHINA"),
        ("008613800138000", "RECIPIENT_MAINLAND_CHINA"),
        ("+852 9123 45678", "RECIPIENT_WRONG_LENGTH"),
    ];
    for (bad, code) in cases {
        for position in [0, 2] {
            let mut numbers = vec!["+65 9123 4567", "+44 7700 900123"];
            numbers.insert(position, bad);
            let issues = validate_batch(&BatchInput::new(to(&numbers), one("hi")));
            assert_eq!(
                summary(&issues),
                vec![(code, "to", Some(position))],
                "{bad:?} at {position}"
            );
            assert!(
                issues[0].message.starts_with(&format!("to[{position}]: ")),
                "{}",
                issues[0].message
            );
        }
    }
}

#[test]
fn hong_kong_macau_and_taiwan_are_not_mainland() {
    let numbers = to(&["+852 9123 4567", "+853 6612 3456", "+886 912 345 678"]);
    let batch = Batch::validate(&BatchInput::new(numbers, one("hi"))).unwrap();
    let sent: Vec<&str> = batch
        .entries()
        .iter()
        .map(|e| e.recipient.normalized.as_str())
        .collect();
    assert_eq!(sent, ["85291234567", "85366123456", "886912345678"]);
}

#[test]
fn pasted_forms_normalize_to_the_same_number() {
    let forms = [
        "+852 9123 4567",
        "00852-9123-4567",
        "(852) 91234567",
        "85291234567",
    ];
    for form in forms {
        let batch = Batch::validate(&BatchInput::new(to(&[form]), one("hi"))).unwrap();
        assert_eq!(batch.to_parameter(), "[\"85291234567\"]", "{form}");
        assert_eq!(batch.entries()[0].given, form);
    }
}

#[test]
fn duplicates_report_both_indexes_or_are_dropped_on_request() {
    let numbers = to(&[
        "+852 9123 4567",
        "+65 9123 4567",
        "00852 9123 4567",
        "85291234567",
    ]);
    let issues = validate_batch(&BatchInput::new(numbers.clone(), one("hi")));
    assert_eq!(
        summary(&issues),
        vec![
            ("RECIPIENT_DUPLICATE", "to", Some(2)),
            ("RECIPIENT_DUPLICATE", "to", Some(3))
        ]
    );
    assert_eq!(issues[0].duplicate_of, Some(0));
    assert_eq!(issues[1].duplicate_of, Some(0));
    assert!(issues[0].message.contains('0') && issues[0].message.contains("to[2]"));

    let mut input = BatchInput::new(numbers, one("hi"));
    input.drop_duplicates = true;
    let batch = Batch::validate(&input).unwrap();
    let kept: Vec<usize> = batch.entries().iter().map(|e| e.index).collect();
    assert_eq!(kept, [0, 1]);
    let dropped: Vec<(usize, usize)> = batch
        .dropped()
        .iter()
        .map(|d| (d.index, d.duplicate_of))
        .collect();
    assert_eq!(dropped, [(2, 0), (3, 0)]);
}

#[test]
fn message_refusals_name_the_recipient_index() {
    let numbers = to(&[GOOD, "+65 9123 4567", "+44 7700 900123", "+61 412 345 678"]);
    let texts = vec![
        "fine".to_string(),
        String::new(),
        "x".repeat(501),
        "nul\u{0}inside".to_string(),
    ];
    let issues = validate_batch(&BatchInput::new(numbers, Messages::PerRecipient(texts)));
    assert_eq!(
        summary(&issues),
        vec![
            ("MESSAGE_EMPTY", "message", Some(1)),
            ("MESSAGE_TOO_LONG", "message", Some(2)),
            ("MESSAGE_NUL_CHARACTER", "message", Some(3)),
        ]
    );
}

#[test]
fn a_shared_text_is_checked_once_and_expanded() {
    let issues = validate_batch(&BatchInput::new(to(&[GOOD, "+65 9123 4567"]), one("")));
    assert_eq!(summary(&issues), vec![("MESSAGE_EMPTY", "message", None)]);
    let batch =
        Batch::validate(&BatchInput::new(to(&[GOOD, "+65 9123 4567"]), one("你好"))).unwrap();
    assert_eq!(batch.message_parameter(), "[\"你好\",\"你好\"]");
    assert_eq!(batch.total_segments(), 2);
}

#[test]
fn message_count_must_match_recipients() {
    let issues = validate_batch(&BatchInput::new(
        to(&[GOOD, "+65 9123 4567"]),
        Messages::PerRecipient(vec!["a".into()]),
    ));
    assert_eq!(
        summary(&issues),
        vec![("MESSAGE_COUNT_MISMATCH", "message", None)]
    );
}

#[test]
fn batch_size_type_sender_and_task_id_refusals() {
    assert_eq!(
        summary(&validate_batch(&BatchInput::new(vec![], one("hi")))),
        vec![("BATCH_EMPTY", "to", None)]
    );

    // 1001 distinct valid numbers: the only problem is the size.
    let many: Vec<String> = (0..=MAX_RECIPIENTS)
        .map(|i| format!("+852 9{:07}", i))
        .collect();
    assert_eq!(
        summary(&validate_batch(&BatchInput::new(many.clone(), one("hi")))),
        vec![("BATCH_TOO_LARGE", "to", None)]
    );
    assert!(Batch::validate(&BatchInput::new(many[..MAX_RECIPIENTS].to_vec(), one("hi"))).is_ok());

    let mut input = BatchInput::new(to(&[GOOD]), one("hi"));
    input.message_type = Some("notify".into());
    input.from = Some("Ali-cloud".into());
    input.task_id = Some("t".repeat(256));
    assert_eq!(
        summary(&validate_batch(&input)),
        vec![
            ("SENDER_ID_INVALID_CHARACTER", "from", None),
            ("TYPE_INVALID", "type", None),
            ("TASK_ID_TOO_LONG", "taskId", None),
        ]
    );
    input.from = Some("Alicloud2025".into());
    input.message_type = Some("MKT".into());
    input.task_id = Some("line\nbreak".into());
    assert_eq!(
        summary(&validate_batch(&input)),
        vec![
            ("SENDER_ID_TOO_LONG", "from", None),
            ("TASK_ID_INVALID_CHARACTER", "taskId", None)
        ]
    );
    input.from = Some("123456789012345".into());
    input.task_id = Some("t".repeat(255));
    let batch = Batch::validate(&input).unwrap();
    assert_eq!(batch.from().map(|f| f.as_str()), Some("123456789012345"));
    assert_eq!(batch.message_type().as_str(), "MKT");
}

#[test]
fn empty_sender_and_task_id_mean_not_sent() {
    let mut input = BatchInput::new(to(&[GOOD]), one("hi"));
    input.from = Some(String::new());
    input.task_id = Some(String::new());
    let batch = Batch::validate(&input).unwrap();
    assert!(batch.from().is_none());
    assert!(batch.task_id().is_none());
    assert_eq!(batch.message_type().as_str(), "NOTIFY");
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut input = BatchInput::new(
        to(&["+86 138 0013 8000", GOOD, "abc", GOOD]),
        Messages::PerRecipient(vec!["ok".into(), "".into(), "ok".into(), "ok".into()]),
    );
    input.from = Some("TOO-LONG-SENDER".into());
    input.message_type = Some("OTP".into());
    let issues = validate_batch(&input);
    assert_eq!(
        summary(&issues),
        vec![
            ("RECIPIENT_MAINLAND_CHINA", "to", Some(0)),
            ("MESSAGE_EMPTY", "message", Some(1)),
            ("RECIPIENT_INVALID_CHARACTER", "to", Some(2)),
            ("RECIPIENT_DUPLICATE", "to", Some(3)),
            ("SENDER_ID_INVALID_CHARACTER", "from", None),
            ("TYPE_INVALID", "type", None),
        ]
    );
}

#[test]
fn national_length_check_can_be_switched_off() {
    let mut input = BatchInput::new(to(&["65800000000", "1800023757"]), one("hi"));
    let issues = validate_batch(&input);
    assert_eq!(
        summary(&issues),
        vec![
            ("RECIPIENT_WRONG_LENGTH", "to", Some(0)),
            ("RECIPIENT_WRONG_LENGTH", "to", Some(1))
        ]
    );
    input.number_rules = NumberRules {
        check_national_length: false,
    };
    assert!(validate_batch(&input).is_empty());
}

#[test]
fn texts_that_could_not_be_decoded_are_refused_with_their_index() {
    use aliyun_globe_sms::segment::{text_from_utf16, MessageProblem};
    // A JavaScript caller's text with a lone high surrogate at UTF-16 position 3.
    let units: Vec<u16> = "abc"
        .encode_utf16()
        .chain([0xD83D])
        .chain("x".encode_utf16())
        .collect();
    let problem = text_from_utf16(&units).unwrap_err();
    assert_eq!(problem, MessageProblem::LoneSurrogate { position: 3 });
    let mut input = BatchInput::new(
        to(&[GOOD, "+65 9123 4567"]),
        Messages::PerRecipient(vec!["fine".into(), "abc\u{FFFD}x".into()]),
    );
    input.undecodable_messages = vec![(Some(1), problem.clone())];
    assert_eq!(
        summary(&validate_batch(&input)),
        vec![("MESSAGE_LONE_SURROGATE", "message", Some(1))]
    );
    let mut shared = BatchInput::new(to(&[GOOD]), one("abc\u{FFFD}x"));
    shared.undecodable_messages = vec![(None, problem)];
    assert_eq!(
        summary(&validate_batch(&shared)),
        vec![("MESSAGE_LONE_SURROGATE", "message", None)]
    );
}

#[test]
fn an_empty_form_lists_each_problem_once() {
    // Regression: the shared text of an empty batch was checked twice.
    let issues = validate_batch(&BatchInput::new(vec![], one("")));
    assert_eq!(
        summary(&issues),
        vec![
            ("BATCH_EMPTY", "to", None),
            ("MESSAGE_EMPTY", "message", None)
        ]
    );
}

#[test]
fn a_batch_whose_url_would_pass_2_mb_is_refused_before_sending() {
    use aliyun_globe_sms::batch::MAX_URL_BYTES;
    // 1000 x 240 Chinese characters: about 2.2 MB of URL, which Chromium will not fetch.
    let many: Vec<String> = (0..1000).map(|i| format!("+852 9{:07}", i)).collect();
    let issues = validate_batch(&BatchInput::new(many.clone(), one(&"好".repeat(240))));
    assert_eq!(summary(&issues), vec![("BATCH_TOO_LONG", "message", None)]);
    // 200 characters (about 1.8 MB) still go in one request.
    assert!(validate_batch(&BatchInput::new(many, one(&"好".repeat(200)))).is_empty());
    assert_eq!(MAX_URL_BYTES, 2_000_000);
}
