//! The compact ledger (issue 12): every row rebuilt from the columns equals the row read from the
//! campaign's fates, whatever the chunk size, for every state a recipient can end in.

use aliyun_globe_sms::batch::{BatchInput, Messages};
use aliyun_globe_sms::campaign::{Campaign, CampaignCheck, CampaignRules};
use aliyun_globe_sms::delivery::{Delivery, Outcome};
use aliyun_globe_sms::error::UnknownReason;
use aliyun_globe_sms::ledger::{self, Encoder, TextColumn, NONE, STATES};
use aliyun_globe_sms::response::read_batch_response;
use aliyun_globe_sms::{Credentials, Error, KnownSecrets};
use proptest::prelude::*;

fn numbers(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("+852 9{:07}", i)).collect()
}

fn plan(to: &[String], rules: CampaignRules) -> Campaign {
    let mut input = BatchInput::new(Vec::new(), Messages::One("Hello".into()));
    input.from = Some("Alicloud".into());
    let mut check = CampaignCheck::new(&input, to.len(), None, rules).unwrap();
    for part in to.chunks(1000) {
        check.check_part(part, &Messages::One("Hello".into()), &[]);
    }
    check.finish().unwrap()
}

/// Request `k` answered: `failed` numbers in FailedList, the others sent with an ID that is
/// not ASCII for every third recipient (so ends in bytes and in UTF-16 units differ), and no
/// MessageIdList at all when `ids` is false (sent without an ID).
fn answer(
    c: &Campaign,
    k: usize,
    to: &[String],
    failed: &[&str],
    ids: bool,
) -> Result<aliyun_globe_sms::BatchOutcome, Error> {
    let part: Vec<String> = c
        .request_indexes(k)
        .iter()
        .map(|i| to[*i as usize].clone())
        .collect();
    let batch = c.batch(k, &part, &Messages::One("Hello".into())).unwrap();
    let accepted: Vec<String> = batch
        .entries()
        .iter()
        .filter(|e| !failed.contains(&e.recipient.normalized.as_str()))
        .map(|e| {
            if e.index % 3 == 0 {
                format!("\"é{k}-{}\"", e.index)
            } else {
                format!("\"{k}-{}\"", e.index)
            }
        })
        .collect();
    let list = if ids {
        format!(
            r#","MessageIdList":"[{}]""#,
            accepted.join(",").replace('"', "\\\"")
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"{{"ResponseCode":"OK","RequestId":"R-{k}","FailedList":"{}"{list},"SuccessCount":"{}"}}"#,
        serde_json::to_string(failed).unwrap().replace('"', "\\\""),
        accepted.len()
    );
    let creds = Credentials::new("id", "secret", None).unwrap();
    read_batch_response(&batch, &KnownSecrets::of_credentials(&creds), 200, &[], body.as_bytes())
}

/// 5,000 recipients in every state: rejected (mainland, junk, a repeat), sent with and without
/// IDs, failed, unknown (with and without a RequestId), skipped with a code and without.
fn every_state(rules: CampaignRules) -> (Campaign, Vec<String>) {
    let mut to = numbers(5000);
    to[3] = "+86 138 0013 8000".into();
    to[1200] = to[10].clone();
    to[1400] = "junk".into();
    let mut c = plan(&to, rules);
    c.mark_written(0);
    let r = answer(&c, 0, &to, &["85290000005", "85290000006"], true);
    c.record(0, &r);
    c.mark_written(1);
    let r = answer(&c, 1, &to, &[], false);
    c.record(1, &r);
    c.mark_written(2);
    let unknown = Err(Error::OutcomeUnknown {
        reason: UnknownReason::Timeout,
        http_status: None,
        service_code: None,
        request_id: Some("R-2".into()),
        excerpt: None,
    });
    c.record(2, &unknown);
    c.mark_written(3);
    c.record(3, &Err(Error::Aborted));
    c.skip_remaining();
    // Delivery reports for three sent rows of request 0 (their IDs are `0-<index>`).
    let report = |index: usize, outcome, code: Option<&str>| Delivery {
        message_id: format!("0-{index}"),
        outcome: Some(outcome),
        code: code.map(str::to_string),
        to: None,
        task_id: None,
    };
    let applied = c.apply_deliveries(&[
        report(1, Outcome::Delivered, Some("DELIVERED")),
        report(2, Outcome::Undelivered, Some("UNDELIV")),
        report(4, Outcome::Expired, None),
    ]);
    assert_eq!(applied.rows.len(), 3);
    (c, to)
}

fn assert_columns_agree(c: &Campaign, to: &[String], size: usize) {
    let expected = ledger::rows(c, to);
    let mut encoder = Encoder::new(c);
    let mut chunks = Vec::new();
    while let Some(chunk) = encoder.next_chunk(size) {
        assert!(chunk.len() <= size.max(1));
        chunks.push(chunk);
    }
    assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), to.len());
    let tables = encoder.tables();
    let mut index = 0;
    for chunk in &chunks {
        assert_eq!(chunk.first, index);
        for (i, given) in to.iter().enumerate().skip(chunk.first).take(chunk.len()) {
            assert_eq!(
                chunk.row(tables, i, given).as_ref(),
                expected.recipients.get(i),
                "row {i}, chunks of {size}"
            );
        }
        assert_eq!(chunk.row(tables, chunk.first + chunk.len(), "x"), None);
        index += chunk.len();
    }
}

#[test]
fn rows_rebuilt_from_columns_equal_the_fates_in_any_chunk_size() {
    for drop_duplicates in [false, true] {
        let (c, to) = every_state(CampaignRules {
            drop_duplicates,
            ..CampaignRules::default()
        });
        let rows = ledger::rows(&c, &to);
        // Every state is there, and every kind of field.
        for state in STATES {
            assert!(
                rows.recipients.iter().any(|r| r.state == state),
                "{state} missing"
            );
        }
        assert!(rows
            .recipients
            .iter()
            .any(|r| r.message_id.is_some_and(|m| !m.is_ascii())));
        assert!(rows
            .recipients
            .iter()
            .any(|r| r.state == "sent" && r.message_id.is_none()));
        assert!(rows.recipients.iter().any(|r| r.duplicate_of == Some(10)));
        assert!(rows
            .recipients
            .iter()
            .any(|r| r.state == "skipped" && r.code == Some("ABORTED")));
        assert!(rows
            .recipients
            .iter()
            .any(|r| r.state == "skipped" && r.code.is_none()));
        for size in [0, 1, 7, 1000, 4096, 5000, 100_000] {
            assert_columns_agree(&c, &to, size);
        }
    }
}

#[test]
fn shared_texts_are_kept_once() {
    let (c, _) = every_state(CampaignRules::default());
    let mut encoder = Encoder::new(&c);
    while encoder.next_chunk(1000).is_some() {}
    // R-0, R-1, R-2; the request refused before sending has none.
    assert_eq!(encoder.tables().request_ids.items(), ["R-0", "R-1", "R-2"]);
    let mut codes = encoder.tables().codes.items().to_vec();
    codes.sort_unstable();
    assert_eq!(
        codes,
        [
            "ABORTED",
            "DELIVERED",
            "OUTCOME_UNKNOWN",
            "RECIPIENT_DUPLICATE",
            "RECIPIENT_INVALID_CHARACTER",
            "RECIPIENT_MAINLAND_CHINA",
            "UNDELIV"
        ]
    );
}

#[test]
fn a_fresh_campaign_encodes_as_skipped_without_a_code() {
    let to = numbers(3);
    let c = plan(&to, CampaignRules::default());
    let mut encoder = Encoder::new(&c);
    let chunk = encoder.next_chunk(10).unwrap();
    assert_eq!(chunk.state, [4, 4, 4]);
    assert_eq!(chunk.code, [NONE; 3]);
    assert_eq!(chunk.normalized, [85290000000, 85290000001, 85290000002]);
    assert!(encoder.next_chunk(10).is_none());
}

#[test]
fn text_column_refuses_ends_that_do_not_fit_the_text() {
    assert!(TextColumn::from_joined("abc".into(), vec![1, 3]).is_some());
    assert!(TextColumn::from_joined("".into(), vec![]).is_some());
    assert!(
        TextColumn::from_joined("abc".into(), vec![2, 1, 3]).is_none(),
        "falling"
    );
    assert!(
        TextColumn::from_joined("abc".into(), vec![1]).is_none(),
        "short of the end"
    );
    assert!(
        TextColumn::from_joined("abc".into(), vec![4]).is_none(),
        "past the end"
    );
    assert!(
        TextColumn::from_joined("é".into(), vec![1, 2]).is_none(),
        "inside a character"
    );
}

proptest! {
    #[test]
    fn text_column_gives_back_what_was_pushed(items in proptest::collection::vec(".{0,12}", 0..40)) {
        let mut column = TextColumn::new();
        for (n, item) in items.iter().enumerate() {
            prop_assert_eq!(column.push(item), n as u32);
        }
        prop_assert_eq!(column.len(), items.len());
        prop_assert_eq!(column.iter().collect::<Vec<_>>(), items.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(column.get(items.len()), None);
        let again = TextColumn::from_joined(column.text().to_string(), column.ends().to_vec());
        prop_assert_eq!(again.as_ref(), Some(&column));
    }
}
