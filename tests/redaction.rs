//! Redaction over random secrets and random answers (issue 12): a server or a proxy that echoes
//! the AccessKeySecret, the STS token or the signature of the request it got, in any of the
//! encodings they travel in, never gets one into an error's Display, Debug or serialized report
//! (what a JavaScript caller sees), nor into a result. Once with local credentials (the client
//! knows every secret, so the service's text is quoted, scrubbed) and once as a `signer` would
//! (the client knows the token and signature from the request it sends, not the AccessKeySecret,
//! so the service's text is withheld).
//!
//! The encodings are written here from their definitions, independently of src/redact.rs.

use aliyun_globe_sms::batch::{Batch, BatchInput, Messages};
use aliyun_globe_sms::redact::WITHHELD;
use aliyun_globe_sms::request::{self, SignatureScheme, SigningContext};
use aliyun_globe_sms::response::read_batch_response;
use aliyun_globe_sms::{Credentials, Endpoint, Error, KnownSecrets, SignedRequest, Timestamp};
use proptest::prelude::*;

const REQUEST_ID: &str = "39D690BB-7546-4031-9EDF-9B6286F9B754";

/// RFC 3986 unreserved bytes stay, every other byte is `%XX` with hex in the case asked for;
/// `plus_for_space`: form encoding (`application/x-www-form-urlencoded`).
fn percent(text: &str, upper: bool, plus_for_space: bool) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else if b == b' ' && plus_for_space {
            out.push('+');
        } else if upper {
            out += &format!("%{b:02X}");
        } else {
            out += &format!("%{b:02x}");
        }
    }
    out
}

/// A JSON string's contents as serde_json writes them.
fn json(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap();
    quoted[1..quoted.len() - 1].to_string()
}

/// A JSON string's contents with every non-ASCII character as `\uXXXX` (UTF-16 units).
fn json_ascii(text: &str) -> String {
    let mut out = String::new();
    for c in json(text).chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out += &format!("\\u{unit:04x}");
            }
        }
    }
    out
}

/// Every form a secret is looked for in: as is; percent-encoded once and twice, upper- and
/// lower-case hex; JSON-escaped, with `\/`, with `\u` for non-ASCII; form-encoded, and
/// combinations (form then percent, JSON with `\/` then percent).
fn forms(secret: &str) -> Vec<(&'static str, String)> {
    let upper_once = percent(secret, true, false);
    let lower_once = percent(secret, false, false);
    let form = percent(secret, true, true);
    let json_slash = json(secret).replace('/', "\\/");
    vec![
        ("raw", secret.to_string()),
        ("percent once, upper", upper_once.clone()),
        ("percent once, lower", lower_once.clone()),
        ("percent twice, upper", percent(&upper_once, true, false)),
        ("percent twice, lower", percent(&lower_once, false, false)),
        ("JSON-escaped", json(secret)),
        ("JSON-escaped with \\/", json_slash.clone()),
        (
            "JSON-escaped, \\u for non-ASCII",
            json_ascii(secret).replace('/', "\\/"),
        ),
        ("form-encoded", form.clone()),
        ("form-encoded, then percent", percent(&form, true, false)),
        (
            "JSON with \\/, then percent (lower)",
            percent(&json_slash, false, false),
        ),
    ]
}

/// Where in an answer the echo goes.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// A gateway error's `Message`.
    GatewayMessage,
    /// A business refusal's `ResponseDescription`.
    Description,
    /// A 4xx body that is not JSON.
    ClientHtml,
    /// A 5xx body.
    ServerBody,
    /// A 200 body too broken to parse.
    BrokenSuccess,
    /// A gateway error's `Code` (4xx) — a value kept only in its known shape.
    Code,
    /// A 5xx gateway body's `Code`: `OUTCOME_UNKNOWN` carries it.
    ServerCode,
    /// `RequestId`.
    RequestId,
    /// `Recommend`, inside a diagnosis link.
    Recommend,
    /// A `FailedList` entry of a success: the result's anomaly.
    FailedList,
}

/// Where the AccessKeySecret, unknown to a signer's client, is echoed in the signer case: free
/// text, and the Recommend link (kept only when it repeats the answer's Code). Other shaped
/// fields (a code, a RequestId, a number) are kept when they fit their shape, which an unknown
/// random secret may (it never travels, so only the service itself could put it there;
/// src/redact.rs `keep_code`).
fn may_echo_unknown_secret(place: Place) -> bool {
    is_free_text(place) || matches!(place, Place::Recommend)
}

/// Free text: a message, a description or a body excerpt.
fn is_free_text(place: Place) -> bool {
    matches!(
        place,
        Place::GatewayMessage
            | Place::Description
            | Place::ClientHtml
            | Place::ServerBody
            | Place::BrokenSuccess
    )
}

fn answer(place: Place, echo: &str, status: u16) -> (u16, String) {
    let j = json(echo);
    match place {
        Place::GatewayMessage => (
            status,
            format!(
                r#"{{"RequestId":"{REQUEST_ID}","Code":"SignatureDoesNotMatch","Message":"echo: {j} end"}}"#
            ),
        ),
        Place::Description => (
            200,
            format!(
                r#"{{"ResponseCode":"INVALID_SENDERID","ResponseDescription":"echo: {j}","RequestId":"{REQUEST_ID}"}}"#
            ),
        ),
        Place::ClientHtml => (status, format!("<html><body>echo: {echo}</body></html>")),
        Place::ServerBody => (502, format!("echo: {echo} (bad gateway)")),
        Place::BrokenSuccess => (
            200,
            format!(
                r#"{{"ResponseCode":"OK","RequestId":"{REQUEST_ID}","FailedList":"echo: {echo}"#
            ),
        ),
        Place::Code => (
            status,
            format!(r#"{{"Code":"{j}","Message":"m","RequestId":"{REQUEST_ID}"}}"#),
        ),
        Place::ServerCode => (
            503,
            format!(r#"{{"Code":"{j}","RequestId":"{REQUEST_ID}"}}"#),
        ),
        Place::RequestId => (
            status,
            format!(r#"{{"Code":"NoPermission","RequestId":"{j}"}}"#),
        ),
        Place::Recommend => (
            status,
            format!(
                r#"{{"Code":"NoPermission","Recommend":"https://api.aliyun.com/troubleshoot?q={j}&product=Dysmsapi","RequestId":"{REQUEST_ID}"}}"#
            ),
        ),
        Place::FailedList => (
            200,
            format!(
                r#"{{"ResponseCode":"OK","RequestId":"{REQUEST_ID}","FailedList":"[\"{}\"]","MessageIdList":"[\"1\"]","SuccessCount":"1"}}"#,
                json(&j)
            ),
        ),
    }
}

fn any_place() -> impl Strategy<Value = Place> {
    prop::sample::select(vec![
        Place::GatewayMessage,
        Place::Description,
        Place::ClientHtml,
        Place::ServerBody,
        Place::BrokenSuccess,
        Place::Code,
        Place::ServerCode,
        Place::RequestId,
        Place::Recommend,
        Place::FailedList,
    ])
}

/// `%XX` escapes decoded (the URL rule never writes `+` for a space).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The token and the signature as the request carries them, read the way a server reads them.
fn token_and_signature(signed: &SignedRequest, scheme: SignatureScheme) -> (String, String) {
    let query: Vec<(String, String)> = signed
        .url
        .split_once('?')
        .unwrap()
        .1
        .split('&')
        .map(|pair| {
            let (n, v) = pair.split_once('=').unwrap();
            (percent_decode(n), percent_decode(v))
        })
        .collect();
    let header = |name: &str| {
        signed
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let param = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    match scheme {
        SignatureScheme::V1 => (param("SecurityToken").unwrap(), param("Signature").unwrap()),
        SignatureScheme::Acs3 => {
            let authorization = header("authorization").unwrap();
            let signature = authorization
                .rsplit_once("Signature=")
                .unwrap()
                .1
                .to_string();
            (header("x-acs-security-token").unwrap(), signature)
        }
    }
}

/// Everything a caller, a log or a debugger could see of what the reader returned.
fn shown(result: &Result<aliyun_globe_sms::BatchOutcome, Error>, batch: &Batch) -> String {
    match result {
        Ok(outcome) => format!("{outcome:?} {}", serde_json::to_string(outcome).unwrap()),
        Err(e) => format!(
            "{e} {e:?} {}",
            serde_json::to_string(&e.report(Some(batch))).unwrap()
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn no_form_of_any_secret_survives_in_what_the_reader_returns(
        secret in "[A-Za-z0-9+/=&%~!'() #\"\\\\<>éß€😀-]{12,30}",
        token in "[!-~]{16,48}",
        scheme in prop::sample::select(vec![SignatureScheme::V1, SignatureScheme::Acs3]),
        which in 0usize..3,
        form in 0usize..11,
        place in any_place(),
        status in prop::sample::select(vec![400u16, 403, 404]),
        signer in any::<bool>(),
    ) {
        let creds = Credentials::new("STS.id", secret.clone(), Some(token.clone())).unwrap();
        let batch = Batch::validate(&BatchInput::new(vec!["6591234567".into()], Messages::One("x".into()))).unwrap();
        let endpoint = Endpoint::default();
        let context = SigningContext { endpoint: &endpoint, scheme, timestamp: Timestamp::from_unix_seconds(1_700_000_000).unwrap(), nonce: "n-1" };
        let signed = request::sign_batch(&batch, &creds, &context).unwrap();
        let (sent_token, signature) = token_and_signature(&signed, scheme);
        prop_assert_eq!(&sent_token, &token);

        // A signer's client never held the AccessKeySecret; it is echoed in free text only.
        let which = if signer && which == 0 && !may_echo_unknown_secret(place) { 1 } else { which };
        let echoed = [&secret, &token, &signature][which];
        let (_, echo) = &forms(echoed)[form];
        let (status, body) = answer(place, echo, status);
        let headers = vec![
            ("x-echo".to_string(), echo.clone()),
            ("x-acs-retry-after".to_string(), echo.clone()),
        ];
        let known = if signer {
            KnownSecrets::of_signed_request(&signed)
        } else {
            KnownSecrets::of_credentials(&creds).with_request(&signed)
        };
        let result = read_batch_response(&batch, &known, status, &headers, body.as_bytes());
        let text = shown(&result, &batch);
        for (label, value) in [("AccessKeySecret", &secret), ("STS token", &token), ("signature", &signature)] {
            for (name, f) in forms(value) {
                prop_assert!(!text.contains(&f), "{} ({}) echoed {} in {:?}: {}", label, name, form, place, text);
            }
        }
        // The service's text is quoted (scrubbed) or withheld, never silently dropped.
        if is_free_text(place) {
            if signer {
                prop_assert!(text.contains(WITHHELD), "{}", text);
            } else {
                prop_assert!(text.contains("echo: ***"), "{}", text);
            }
        }
    }
}

#[test]
fn shaped_fields_are_kept_when_they_fit_and_dropped_otherwise() {
    let batch = Batch::validate(&BatchInput::new(
        vec!["6591234567".into()],
        Messages::One("x".into()),
    ))
    .unwrap();
    let known = KnownSecrets::held_elsewhere();
    let body = format!(
        r#"{{"RequestId":"{REQUEST_ID}","Code":"Forbidden.RAM","Message":"free text","Recommend":"https://api.aliyun.com/troubleshoot?q=Forbidden.RAM&product=Dysmsapi&requestId={REQUEST_ID}"}}"#
    );
    let e = read_batch_response(&batch, &known, 403, &[], body.as_bytes()).unwrap_err();
    let Error::Service { detail, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(detail.request_id.as_deref(), Some(REQUEST_ID));
    assert_eq!(detail.service_code.as_deref(), Some("Forbidden.RAM"));
    assert!(detail.recommend.is_some());
    assert_eq!(detail.message, WITHHELD);
    assert!(!e.to_string().contains("free text"));

    let body = r#"{"RequestId":"R-1 tok","Code":"Forbidden RAM","Message":"m","Recommend":"https://elsewhere.example/x"}"#;
    let e = read_batch_response(&batch, &known, 403, &[], body.as_bytes()).unwrap_err();
    let Error::Service { detail, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (&detail.request_id, &detail.service_code, &detail.recommend),
        (&None, &None, &None)
    );
    // The code is still classified as the service wrote it; only what is kept is shaped.
    assert_eq!(e.code().as_str(), "PERMISSION_DENIED");

    // An empty body quotes nothing of the service, so it is said even with a signer.
    let e = read_batch_response(&batch, &known, 404, &[], b"  ").unwrap_err();
    assert!(e.to_string().contains("(empty body)"), "{e}");
    let e = read_batch_response(&batch, &known, 404, &[], b"<html>x</html>").unwrap_err();
    assert!(e.to_string().contains(&format!("({WITHHELD})")), "{e}");
}
