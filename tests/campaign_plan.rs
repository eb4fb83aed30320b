//! `CampaignCheck::plan` (issue 14's `check`, `planCampaign`): the counts a campaign would send
//! and bill, natively, from a list read out of a CSV table by `csv_campaign`.

use aliyun_globe_sms::batch::{BatchInput, IssueCode, Messages};
use aliyun_globe_sms::campaign::{CampaignCheck, CampaignPlan, CampaignRules};
use aliyun_globe_sms::csv_campaign::{self, CsvCampaignOptions, CsvMessage};

fn plan_of(to: &[String], messages: Messages, rules: CampaignRules, qps: f64) -> CampaignPlan {
    let count = match &messages {
        Messages::PerRecipient(t) => Some(t.len()),
        Messages::One(_) => None,
    };
    let input = BatchInput::new(Vec::new(), messages.clone());
    let mut check = CampaignCheck::for_plan(&input, to.len(), count, rules);
    // In parts, as the bindings check a long list.
    for (n, part) in to.chunks(700).enumerate() {
        let part_messages = match &messages {
            Messages::PerRecipient(t) => {
                Messages::PerRecipient(t.iter().skip(n * 700).take(part.len()).cloned().collect())
            }
            one => one.clone(),
        };
        check.check_part(part, &part_messages, &[]);
    }
    check.plan(qps)
}

#[test]
fn a_csv_table_planned_with_its_problems_segments_and_requests() {
    // 2,500 rows: one mainland number, one repeat, the rest valid; texts in both encodings.
    let mut text = String::from("\u{feff}phone;name\r\n");
    for i in 0..2500 {
        let number = match i {
            7 => "+86 138 0013 8000".to_string(),
            9 => "+852 9000 0001".to_string(),
            _ => format!("+852 9{:07}", i),
        };
        let name = if i % 2 == 0 { "Ann".to_string() } else { "安".to_string() };
        text.push_str(&format!("{number};{name}\r\n"));
    }
    let table = csv_campaign::read(
        &text,
        &CsvCampaignOptions {
            message: Some("Hi {name}".into()),
            ..CsvCampaignOptions::default()
        },
    )
    .unwrap();
    assert!(table.issues.is_empty());
    assert_eq!(table.lines.first(), Some(&2));
    let CsvMessage::PerRecipient(texts) = table.message else {
        panic!("a template gives one text per row");
    };
    let plan = plan_of(&table.to, Messages::PerRecipient(texts), CampaignRules::default(), 1.0);
    assert_eq!(plan.recipients, 2500);
    assert_eq!(plan.valid, 2498);
    assert_eq!(plan.rejected, 2);
    assert_eq!(plan.duplicates, 1);
    let codes: Vec<(IssueCode, Option<usize>)> = plan.issues.iter().map(|i| (i.code, i.index)).collect();
    assert_eq!(
        codes,
        [(IssueCode::RecipientMainlandChina, Some(7)), (IssueCode::RecipientDuplicate, Some(9))]
    );
    // Rows 7 and 9 are odd: UCS-2; of the rest, half each. One segment each.
    assert_eq!(plan.encodings.gsm7, 1250);
    assert_eq!(plan.encodings.ucs2, 1248);
    assert_eq!(plan.segments, 2498);
    assert_eq!(plan.requests, 3);
    // Two intervals of 1 s and the pacer's margin (src/pacer.rs).
    assert_eq!(plan.seconds, 2.01);
}

#[test]
fn drop_duplicates_long_texts_and_campaign_wide_problems() {
    let to: Vec<String> = ["+852 9123 4567", "+85291234567", "+65 9123 4567"].map(String::from).into();
    let long = "x".repeat(161);
    let plan = plan_of(
        &to,
        Messages::One(long.clone()),
        CampaignRules {
            drop_duplicates: true,
            ..CampaignRules::default()
        },
        10.0,
    );
    assert_eq!((plan.valid, plan.rejected, plan.duplicates), (2, 1, 1));
    assert_eq!(plan.segments, 4);
    assert!(plan.issues.is_empty(), "a dropped repeat is no issue: {:?}", plan.issues);
    assert_eq!(plan.requests, 1);
    assert_eq!(plan.seconds, 0.0);

    // An empty shared text concerns every recipient: listed, and nothing would be sent.
    let plan = plan_of(&to, Messages::One(String::new()), CampaignRules::default(), 1.0);
    assert_eq!(plan.issues.first().map(|i| (i.code, i.index)), Some((IssueCode::MessageEmpty, None)));
    assert_eq!((plan.valid, plan.requests, plan.segments), (0, 0, 0));
    // `allOrNothing` does not hide the rest: a plan lists every problem.
    let plan = plan_of(
        &to,
        Messages::One(long),
        CampaignRules {
            all_or_nothing: true,
            ..CampaignRules::default()
        },
        1.0,
    );
    assert_eq!((plan.valid, plan.rejected, plan.duplicates), (2, 1, 1));
}
