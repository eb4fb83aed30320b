//! The response reader on the bodies Alibaba's Node SDK was probed with
//! (tests/fixtures/golden/node-sdk-response-handling.json) and on hand-made partial failures,
//! anomalies and hostile bodies.

use std::fs;
use std::path::PathBuf;

use aliyun_globe_sms::batch::{Batch, BatchInput, Messages};
use aliyun_globe_sms::error::UnknownReason;
use aliyun_globe_sms::response::{read_batch_response, Anomaly};
use aliyun_globe_sms::{Credentials, Error, KnownSecrets};
use serde_json::Value;

const TOKEN: &str = "CAIS+tok/en=Value";
const SECRET: &str = "very-secret-Value";

fn creds() -> KnownSecrets {
    KnownSecrets::of_credentials(
        &Credentials::new("STS.key", SECRET, Some(TOKEN.to_string())).unwrap(),
    )
}

fn batch(numbers: &[&str]) -> Batch {
    let input = BatchInput::new(
        numbers.iter().map(|n| n.to_string()).collect(),
        Messages::One("hi".into()),
    );
    Batch::validate(&input).unwrap()
}

fn read(
    b: &Batch,
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<aliyun_globe_sms::BatchOutcome, Error> {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    read_batch_response(b, &creds(), status, &headers, body.as_bytes())
}

#[test]
fn every_probed_answer_maps_to_a_typed_result() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/golden/node-sdk-response-handling.json");
    let Value::Array(items) = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
    else {
        panic!()
    };
    // Our decision per probed answer: Ok(number of sent) or Err(our code, Alibaba's code).
    type Expected<'a> = Result<usize, (&'a str, Option<&'a str>)>;
    let expected: &[(&str, Expected)] = &[
        ("success", Ok(1)),
        ("success-numbers-as-json-numbers", Ok(1)),
        (
            "http200-responsecode-not-ok",
            Err(("SERVICE_REJECTED", Some("InvalidPhoneNumbers"))),
        ),
        (
            "http200-pop-error-body",
            Err(("REQUEST_REJECTED", Some("InvalidParameter"))),
        ),
        (
            "http400-signature-mismatch",
            Err(("SIGNATURE_REJECTED", Some("SignatureDoesNotMatch"))),
        ),
        (
            "http404-unknown-accesskey",
            Err(("CREDENTIALS_REJECTED", Some("InvalidAccessKeyId.NotFound"))),
        ),
        (
            "http403-access-denied-detail",
            Err(("PERMISSION_DENIED", Some("Forbidden.RAM"))),
        ),
        (
            "http400-throttling",
            Err(("THROTTLED", Some("Throttling.User"))),
        ),
        (
            "http429-throttling-retry-after-header",
            Err(("THROTTLED", Some("Throttling"))),
        ),
        (
            "http503-server-error",
            Err(("OUTCOME_UNKNOWN", Some("ServiceUnavailable"))),
        ),
        (
            "http400-lowercase-keys",
            Err(("REQUEST_REJECTED", Some("InvalidParameter"))),
        ),
        ("http400-empty-body", Err(("UNEXPECTED_RESPONSE", None))),
        ("http502-html-body", Err(("OUTCOME_UNKNOWN", None))),
        ("http200-xml-body", Err(("OUTCOME_UNKNOWN", None))),
        ("http302-redirect", Err(("UNEXPECTED_RESPONSE", None))),
        ("slow-server-3500ms", Ok(1)),
    ];
    let probes: Vec<&Value> = items.iter().skip(1).collect();
    assert_eq!(probes.len(), expected.len());
    let b = batch(&["6591234567"]);
    for (id, want) in expected {
        let probe = probes
            .iter()
            .find(|p| p["id"] == *id)
            .unwrap_or_else(|| panic!("no probe {id}"));
        let served = &probe["served"];
        let headers: Vec<(String, String)> = served["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let got = read_batch_response(
            &b,
            &creds(),
            served["status"].as_u64().unwrap() as u16,
            &headers,
            served["body"].as_str().unwrap().as_bytes(),
        );
        match (want, got) {
            (Ok(n), Ok(outcome)) => {
                assert_eq!(outcome.sent.len(), *n, "{id}");
                assert_eq!(
                    outcome.sent[0].message_id.as_deref(),
                    Some("1008030300812050001"),
                    "{id}"
                );
                assert_eq!(outcome.success_count, 1, "{id}");
                assert_eq!(
                    outcome.request_id.as_deref(),
                    Some("0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9")
                );
                assert!(
                    outcome.anomalies.is_empty(),
                    "{id}: {:?}",
                    outcome.anomalies
                );
            }
            (Err((code, service_code)), Err(e)) => {
                assert_eq!(e.code().as_str(), *code, "{id}: {e}");
                assert_eq!(e.service_code(), *service_code, "{id}");
                assert_eq!(
                    e.http_status(),
                    served["status"].as_u64().map(|s| s as u16),
                    "{id}"
                );
            }
            (want, got) => panic!("{id}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn throttling_carries_retry_after_and_is_the_only_retryable_answer() {
    let b = batch(&["6591234567"]);
    let e = read(
        &b,
        429,
        &[("X-Acs-Retry-After", "1500")],
        r#"{"Code":"Throttling.Api","Message":"m","RequestId":"5E8F1A2B-0000-4C1D-8E2F-000000000001"}"#,
    )
    .unwrap_err();
    assert!(e.retryable());
    assert_eq!(e.retry_after_ms(), Some(1500));
    assert_eq!(e.request_id(), Some("5E8F1A2B-0000-4C1D-8E2F-000000000001"));
    let e = read(
        &b,
        200,
        &[],
        r#"{"ResponseCode":"QPS_LIMIT_CONTROL","RequestId":"R2"}"#,
    )
    .unwrap_err();
    assert_eq!(e.code().as_str(), "THROTTLED");
    assert!(e.retryable());
    // A bare 429 (no body) still means "not processed".
    let e = read(&b, 429, &[], "").unwrap_err();
    assert_eq!(e.code().as_str(), "THROTTLED");
    assert_eq!(e.service_code(), None);
    // Throttling on a 5xx is still throttling.
    assert_eq!(
        read(&b, 503, &[], r#"{"Code":"Throttling"}"#)
            .unwrap_err()
            .code()
            .as_str(),
        "THROTTLED"
    );
    for (status, body) in [
        (400, r#"{"Code":"SignatureDoesNotMatch"}"#),
        (500, "oops"),
        (200, "{\"ResponseCode\":\"OK\""),
    ] {
        assert!(
            !read(&b, status, &[], body).unwrap_err().retryable(),
            "{status} {body}"
        );
    }
}

#[test]
fn partial_failure_maps_to_indexes_and_pairs_ids_in_order() {
    let b = batch(&[
        "+65 9123 4567",
        "85291234567",
        "447700900123",
        "61412345678",
    ]);
    let body = r#"{"ResponseCode":"OK","RequestId":"R","FailedList":"[\"85291234567\",\"+61 412345678\"]",
        "ResponseDescription":"The SMS Send Request was accepted","From":"Alicloud",
        "MessageIdList":"[\"111\",\"222\"]","SuccessCount":"2"}"#;
    let out = read(&b, 200, &[], body).unwrap();
    let sent: Vec<(usize, &str, &str, Option<&str>)> = out
        .sent
        .iter()
        .map(|s| {
            (
                s.index,
                s.to.as_str(),
                s.normalized_to.as_str(),
                s.message_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        sent,
        vec![
            (0, "+65 9123 4567", "6591234567", Some("111")),
            (2, "447700900123", "447700900123", Some("222"))
        ]
    );
    let failed: Vec<usize> = out.failed.iter().map(|f| f.index).collect();
    assert_eq!(failed, vec![1, 3]);
    assert!(out.anomalies.is_empty());
    assert_eq!(out.from.as_deref(), Some("Alicloud"));
}

#[test]
fn counts_that_disagree_are_reported_not_guessed() {
    let b = batch(&["6591234567", "85291234567"]);
    let body = r#"{"ResponseCode":"OK","RequestId":"R","FailedList":"[\"449999999999\"]","MessageIdList":"[\"1\"]","SuccessCount":"3"}"#;
    let out = read(&b, 200, &[], body).unwrap();
    assert_eq!(out.sent.len(), 2);
    assert!(out.sent.iter().all(|s| s.message_id.is_none()));
    assert_eq!(
        out.anomalies,
        vec![
            Anomaly::UnknownFailedNumber {
                number: Some("449999999999".into())
            },
            Anomaly::MessageIdCountMismatch {
                message_ids: 1,
                accepted: 2
            },
            Anomaly::SuccessCountMismatch {
                reported: 3,
                accepted: 2
            },
        ]
    );
}

#[test]
fn lists_as_real_arrays_numbers_and_missing_fields_are_read() {
    let b = batch(&["6591234567"]);
    let out = read(
        &b,
        200,
        &[],
        r#"{"ResponseCode":"OK","MessageIdList":[1234567890123456789],"SuccessCount":1}"#,
    )
    .unwrap();
    assert_eq!(
        out.sent[0].message_id.as_deref(),
        Some("1234567890123456789")
    );
    assert_eq!(out.request_id, None);
    assert!(out.failed.is_empty());
}

#[test]
fn unreadable_success_bodies_are_unknown_never_a_parse_error() {
    let b = batch(&["6591234567"]);
    for body in [
        "",
        "{\"ResponseCode\":\"OK\",\"RequestId\":\"R\",\"MessageIdList\":\"[\\\"1",
        "<BatchSendMessageToGlobeResponse><ResponseCode>OK</ResponseCode></BatchSendMessageToGlobeResponse>",
        "<html>hi</html>",
        "[]",
        "{}",
        r#"{"ResponseCode":"OK","FailedList":"not json"}"#,
        r#"{"ResponseCode":"OK","MessageIdList":"[{}]"}"#,
    ] {
        let e = read(&b, 200, &[], body).unwrap_err();
        assert!(
            matches!(e, Error::OutcomeUnknown { reason: UnknownReason::UnreadableBody, .. }),
            "{body:?}: {e:?}"
        );
        assert!(e.to_string().len() < 600);
    }
}

#[test]
fn secrets_echoed_by_the_service_are_scrubbed() {
    let b = batch(&["6591234567"]);
    let once = "CAIS%2Btok%2Fen%3DValue";
    let twice = "CAIS%252Btok%252Fen%253DValue";
    let body = format!(
        r#"{{"Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DSTS.key%26SecurityToken%3D{twice}%26Signature%3DabcDEF%26x={once} raw {TOKEN} {SECRET}","RequestId":"R"}}"#
    );
    let e = read(&b, 400, &[], &body).unwrap_err();
    let shown = format!("{e} {e:?}");
    for secret in [TOKEN, SECRET, once, twice, "abcDEF"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(shown.contains("server string to sign is"));
    // Unreadable bodies are excerpted through the same scrubber.
    let e = read(
        &b,
        502,
        &[],
        &format!("<html>{TOKEN} Signature=zzz&</html>"),
    )
    .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(TOKEN) && !shown.contains("zzz"), "{shown}");
}

#[test]
fn long_bodies_are_cut() {
    let b = batch(&["6591234567"]);
    let e = read(&b, 502, &[], &"x".repeat(10_000)).unwrap_err();
    assert!(e.to_string().len() < 400);
}

#[test]
fn without_credentials_token_parameters_are_still_hidden() {
    // A browser whose requests a server signed holds no credentials; the gateway's echo of the
    // string-to-sign still must not show it the server's STS token.
    let b = batch(&["6591234567"]);
    let body = r#"{"Code":"SignatureDoesNotMatch","Message":"server string to sign is:POST&%2F&SecurityToken%3DCAISsecretTOKEN%26Signature%3Dabc","RequestId":"R"}"#;
    let e = read_batch_response(
        &b,
        &KnownSecrets::held_elsewhere(),
        400,
        &[],
        body.as_bytes(),
    )
    .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("CAISsecretTOKEN"), "{shown}");
}
