//! Properties over arbitrary input: nothing panics, encoding matches a naive reference, signing
//! is deterministic and agrees with the plain recipe, and no error text ever holds the secret or
//! the token.

use aliyun_globe_sms::batch::{validate_batch, Batch, BatchInput, Messages};
use aliyun_globe_sms::recipient::{self, NumberRules};
use aliyun_globe_sms::request::{self, OperationParameters, SignatureScheme, SigningContext};
use aliyun_globe_sms::response::read_batch_response;
use aliyun_globe_sms::signature::{self, percent};
use aliyun_globe_sms::{segment, Credentials, Endpoint, KnownSecrets, SenderId, Timestamp};
use proptest::prelude::*;

/// Written from the spec's sentence (docs/spec/wire-format.md §5), independently of the crate's encoder.
fn naive_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        let c = byte as char;
        if c.is_ascii_alphanumeric() || "-_.~".contains(c) {
            out.push(c);
        } else {
            out += &format!("%{byte:02X}");
        }
    }
    out
}

fn any_scheme() -> impl Strategy<Value = SignatureScheme> {
    prop_oneof![Just(SignatureScheme::V1), Just(SignatureScheme::Acs3)]
}

fn any_input() -> impl Strategy<Value = BatchInput> {
    (
        prop::collection::vec(".{0,20}", 0..8),
        prop_oneof![
            ".{0,40}".prop_map(Messages::One),
            prop::collection::vec(".{0,40}", 0..8).prop_map(Messages::PerRecipient)
        ],
        prop::option::of(".{0,16}"),
        prop::option::of(".{0,8}"),
        prop::option::of(".{0,300}"),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(to, messages, from, message_type, task_id, drop_duplicates, check)| BatchInput {
                to,
                messages,
                from,
                message_type,
                task_id,
                validity_period: None,
                channel_id: None,
                drop_duplicates,
                number_rules: NumberRules {
                    check_national_length: check,
                },
                undecodable_messages: Vec::new(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn percent_encoding_matches_the_naive_reference(text in "\\PC*|.*") {
        prop_assert_eq!(percent::encode(&text), naive_encode(&text));
    }

    #[test]
    fn rule_functions_never_panic(text in ".*", units in prop::collection::vec(any::<u16>(), 0..64)) {
        let _ = recipient::normalize(&text, &NumberRules::default());
        let _ = recipient::normalize(&text, &NumberRules { check_national_length: false });
        let _ = SenderId::parse(&text);
        let _ = segment::count_segments(&text);
        let _ = segment::check_message(&text);
        let _ = segment::text_from_utf16(&units);
        let _ = Endpoint::parse(&text);
        let _ = text.parse::<Timestamp>();
    }

    #[test]
    fn validation_never_panics_and_agrees_with_validate(input in any_input()) {
        let issues = validate_batch(&input);
        prop_assert_eq!(issues.is_empty(), Batch::validate(&input).is_ok());
        let rows = match &input.messages {
            Messages::PerRecipient(m) => m.len().max(input.to.len()),
            Messages::One(_) => input.to.len(),
        };
        for issue in &issues {
            if let Some(i) = issue.index {
                prop_assert!(i < rows, "index {} of {} rows", i, rows);
            }
        }
    }

    #[test]
    fn reading_any_answer_never_panics(
        status in any::<u16>(),
        body in prop::collection::vec(any::<u8>(), 0..256),
        json_body in "\\{\"(ResponseCode|Code|code)\":\"[A-Za-z.]{0,12}\"(,\"(FailedList|MessageIdList|SuccessCount|RequestId)\":(\"[^\"]{0,30}\"|[0-9]{1,3}|null|\\[\\]))*\\}",
        retry_after in ".{0,8}",
    ) {
        let creds = Credentials::new("id", "secret-secret", Some("token-token".into())).unwrap();
        let batch = Batch::validate(&BatchInput::new(vec!["6591234567".into()], Messages::One("x".into()))).unwrap();
        let headers = vec![("x-acs-retry-after".to_string(), retry_after)];
        for known in [KnownSecrets::of_credentials(&creds), KnownSecrets::held_elsewhere()] {
            let _ = read_batch_response(&batch, &known, status, &headers, &body);
            let _ = read_batch_response(&batch, &known, status, &headers, json_body.as_bytes());
        }
    }

    #[test]
    fn signing_is_deterministic_and_never_panics(
        id in "[A-Za-z0-9.]{1,24}",
        secret in ".{1,40}",
        token in prop::option::of("[!-~]{0,40}"),
        message in ".{0,60}",
        nonce in ".{0,70}",
        seconds in 0i64..4_000_000_000,
        scheme in any_scheme(),
    ) {
        let creds = Credentials::new(id, secret, token).unwrap();
        let endpoint = Endpoint::default();
        let ctx = SigningContext { endpoint: &endpoint, scheme, timestamp: Timestamp::from_unix_seconds(seconds).unwrap(), nonce: &nonce };
        let params = OperationParameters { from: None, message: message.clone(), task_id: None, to: message, message_type: "NOTIFY".into(), ..Default::default() };
        let first = request::sign_parameters(&params, &creds, &ctx);
        let second = request::sign_parameters(&params, &creds, &ctx);
        prop_assert_eq!(first, second);
    }

    #[test]
    fn the_one_pass_signer_agrees_with_the_plain_recipe(
        numbers in prop::collection::vec(1_000_000u32..9_999_999, 1..25),
        texts in prop::collection::vec("\\PC{1,120}", 1..25),
        secret in "[!-~]{1,30}",
        scheme in any_scheme(),
    ) {
        // Long enough lists make To and Message long values, which the signer encodes for the
        // URL and for signing in one pass; the plain recipe (sort, encode, join, encode again,
        // then hash the whole) must give the same signature.
        let to: Vec<String> = numbers.iter().map(|n| format!("+65 9{n}")).collect();
        let texts: Vec<String> = (0..to.len()).map(|i| texts[i % texts.len()].clone()).collect();
        let batch = Batch::validate(&BatchInput::new(to, Messages::PerRecipient(texts)));
        prop_assume!(batch.is_ok());
        let batch = batch.unwrap();
        let creds = Credentials::new("id", secret.clone(), None).unwrap();
        let endpoint = Endpoint::default();
        let ctx = SigningContext { endpoint: &endpoint, scheme, timestamp: Timestamp::from_unix_seconds(1_700_000_000).unwrap(), nonce: "n" };
        let signed = request::sign_batch(&batch, &creds, &ctx).unwrap();
        prop_assert!(request::carries(&signed, &batch));
        let (_, query) = signed.url.split_once('?').unwrap();
        let mut sent: Vec<(String, String)> = query
            .split('&')
            .map(|pair| {
                let (n, v) = pair.split_once('=').unwrap();
                (percent::decode(n).unwrap(), percent::decode(v).unwrap())
            })
            .collect();
        match scheme {
            SignatureScheme::V1 => {
                let (name, signature) = sent.pop().unwrap();
                prop_assert_eq!(name, "Signature");
                sent.sort_by(|a, b| a.0.cmp(&b.0));
                let canonical = sent
                    .iter()
                    .map(|(n, v)| format!("{}={}", naive_encode(n), naive_encode(v)))
                    .collect::<Vec<_>>()
                    .join("&");
                let string_to_sign = format!("POST&%2F&{}", naive_encode(&canonical));
                let pairs: Vec<(&str, &str)> = sent.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
                let plain = signature::v1::sign("POST", &pairs, &secret);
                prop_assert_eq!(&plain.string_to_sign, &string_to_sign);
                prop_assert_eq!(plain.signature, signature);
            }
            SignatureScheme::Acs3 => {
                let pairs: Vec<(&str, &str)> = sent.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
                let headers: Vec<(&str, &str)> = std::iter::once(("host", endpoint.host()))
                    .chain(signed.headers.iter().filter(|(n, _)| n.starts_with("x-acs-")).map(|(n, v)| (n.as_str(), v.as_str())))
                    .collect();
                let plain = signature::acs3::sign(
                    &signature::acs3::CanonicalInput { method: "POST", path: "/", query: &pairs, headers: &headers, payload_sha256: signature::acs3::EMPTY_PAYLOAD_SHA256 },
                    "id",
                    &secret,
                );
                let canonical = pairs.iter().map(|(n, v)| format!("{n}={}", naive_encode(v))).collect::<Vec<_>>().join("&");
                prop_assert_eq!(&plain.canonical_query, &canonical);
                let head = format!("POST\n/\n{canonical}\n");
                prop_assert!(plain.canonical_request.starts_with(&head));
                let authorization = &signed.headers.last().unwrap().1;
                prop_assert_eq!(&plain.authorization, authorization);
            }
        }
    }

    #[test]
    fn no_error_text_holds_the_secret_or_token(
        secret in "[A-Za-z0-9+/=&%~*!'() #\"\\\\]{12,40}",
        token in "[A-Za-z0-9+/=]{16,60}",
        status in prop::sample::select(vec![200u16, 302, 400, 403, 404, 429, 500, 502, 503]),
        shape in 0usize..6,
    ) {
        let creds = Credentials::new("STS.id", secret.clone(), Some(token.clone())).unwrap();
        let json_secret = serde_json::to_string(&secret).unwrap();
        let json_secret = json_secret.trim_matches('"');
        let twice = percent::encode(&percent::encode(&token));
        let body = match shape {
            0 => format!(r#"{{"Code":"SignatureDoesNotMatch","Message":"server string to sign is:POST&%2F&SecurityToken%3D{twice}%26 {token} {json_secret}","RequestId":"R"}}"#),
            1 => format!(r#"{{"ResponseCode":"INVALID_SENDERID","ResponseDescription":"{json_secret} {token}"}}"#),
            2 => format!("<html>{secret} {token} {}</html>", percent::encode(&secret)),
            3 => format!(r#"{{"ResponseCode":"OK","FailedList":"[\"{json_secret}"#),
            4 => format!(r#"{{"Code":"InvalidSecurityToken.Expired","Message":"token {token} expired"}}"#),
            _ => format!("{token}{secret}"),
        };
        let batch = Batch::validate(&BatchInput::new(vec!["6591234567".into()], Messages::One("x".into()))).unwrap();
        if let Err(e) = read_batch_response(&batch, &KnownSecrets::of_credentials(&creds), status, &[], body.as_bytes()) {
            let shown = format!("{e} {e:?}");
            prop_assert!(!shown.contains(&secret), "secret in {}", shown);
            prop_assert!(!shown.contains(&token), "token in {}", shown);
        }
        let shown_creds = format!("{creds:?} {creds}");
        prop_assert!(!shown_creds.contains(&secret));
        prop_assert!(!shown_creds.contains(&token));
        // Errors raised while signing do not carry them either.
        let endpoint = Endpoint::default();
        let ctx = SigningContext { endpoint: &endpoint, scheme: SignatureScheme::V1, timestamp: Timestamp::from_unix_seconds(0).unwrap(), nonce: "" };
        let params = OperationParameters { from: None, message: "[]".into(), task_id: None, to: "[]".into(), message_type: "NOTIFY".into(), ..Default::default() };
        let e = request::sign_parameters(&params, &creds, &ctx).unwrap_err();
        let shown_error = format!("{e} {e:?}");
        prop_assert!(!shown_error.contains(&secret));
    }
}
