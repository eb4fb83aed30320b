//! `validityPeriod` and `channelId` on batches and campaigns (issue 13): checked by the same rules
//! as a single send, sent in every request of a campaign, and part of a campaign's fingerprint
//! only when set, so a journal written before they existed still resumes.

use aliyun_globe_sms::batch::{validate_batch, Batch, BatchInput, Messages};
use aliyun_globe_sms::campaign::{CampaignCheck, CampaignRules};
use aliyun_globe_sms::journal::Destination;
use aliyun_globe_sms::request::{self, SignatureScheme, SigningContext};
use aliyun_globe_sms::{Credentials, Endpoint, Timestamp};

fn input() -> BatchInput {
    BatchInput::new(
        vec!["+852 9123 4567".into(), "+65 9123 4567".into()],
        Messages::One("Hello".into()),
    )
}

#[test]
fn a_batch_checks_both_and_names_their_fields() {
    let mut bad = input();
    bad.validity_period = Some(59.0);
    bad.channel_id = Some("x".repeat(65));
    let found: Vec<_> = validate_batch(&bad)
        .iter()
        .map(|i| (i.code.as_str(), i.field, i.index))
        .collect();
    assert_eq!(
        found,
        [
            ("VALIDITY_PERIOD_INVALID", "validityPeriod", None),
            ("CHANNEL_ID_TOO_LONG", "channelId", None),
        ]
    );
    let mut good = input();
    good.validity_period = Some(600.0);
    good.channel_id = Some(String::new());
    let batch = Batch::validate(&good).unwrap();
    assert_eq!(batch.validity_period().map(|v| v.seconds()), Some(600));
    assert!(batch.channel_id().is_none(), "an empty channel is not sent");
    let signing = serde_json::to_value(batch.signing_request(SignatureScheme::V1)).unwrap();
    assert_eq!(signing["validityPeriod"], 600);
    assert!(signing.get("channelId").is_none());
}

fn campaign(validity: Option<f64>, channel: Option<&str>) -> aliyun_globe_sms::campaign::Campaign {
    let mut settings = BatchInput::new(Vec::new(), Messages::One("Hello".into()));
    settings.validity_period = validity;
    settings.channel_id = channel.map(str::to_string);
    let to = input().to;
    let mut check =
        CampaignCheck::new(&settings, to.len(), None, CampaignRules::default()).unwrap();
    check.check_part(&to, &Messages::One("Hello".into()), &[]);
    check.finish().unwrap()
}

#[test]
fn a_campaign_sends_them_in_every_request_and_fingerprints_them_only_when_set() {
    let destination = Destination {
        host: "127.0.0.1:1".into(),
        scheme: "1.0".into(),
        access_key_id: Some("id".into()),
    };
    let fingerprint =
        |c: &aliyun_globe_sms::campaign::Campaign| c.journal_header(&destination).fingerprint;
    let plain = campaign(None, None);
    let with = campaign(Some(1800.0), Some("channel02"));
    assert_ne!(fingerprint(&plain), fingerprint(&with));
    assert_ne!(
        fingerprint(&with),
        fingerprint(&campaign(Some(1800.0), Some("channel03")))
    );
    // Unset and "" are the same campaign: neither is sent.
    assert_eq!(fingerprint(&plain), fingerprint(&campaign(None, Some(""))));

    let to = input().to;
    let batch = with.batch(0, &to, &Messages::One("Hello".into())).unwrap();
    let endpoint = Endpoint::default();
    let ctx = SigningContext {
        endpoint: &endpoint,
        scheme: SignatureScheme::V1,
        timestamp: Timestamp::from_unix_seconds(1_700_000_000).unwrap(),
        nonce: "n1",
    };
    let signed = request::sign_batch(
        &batch,
        &Credentials::new("id", "secret", None).unwrap(),
        &ctx,
    )
    .unwrap();
    assert!(
        signed.url.contains("&ChannelId=channel02&"),
        "{}",
        signed.url
    );
    assert!(
        signed.url.contains("&ValidityPeriod=1800&"),
        "{}",
        signed.url
    );
    assert!(request::carries(&signed, &batch));
    // A signer that drops either does not send this batch.
    let dropped = signed.url.replace("&ValidityPeriod=1800", "");
    assert!(!request::carries(
        &aliyun_globe_sms::SignedRequest {
            url: dropped,
            ..signed.clone()
        },
        &batch
    ));
}
