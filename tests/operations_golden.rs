//! Every vector of tests/fixtures/golden/operations-v1.json and operations-acs3.json (copied from
//! the project's shared spec; see the README there) reproduced byte for byte: the canonical
//! query, string-to-sign, signature (and for ACS3 every text of the canonical request), the URL,
//! the headers and, for ConversionData, the form body. Each vector's request is built the way a
//! user builds it (typed input, validated) and, separately, from the parameters exactly as the
//! SDK was given them; the two calls must be equal. The captured answer is then read back.
//!
//! The vectors are read at run time, never pasted into assertions.

use std::fs;
use std::path::PathBuf;

use aliyun_globe_sms::batch::{Batch, BatchInput, Messages};
use aliyun_globe_sms::operations::conversion_data::{ConversionData, ConversionDataInput};
use aliyun_globe_sms::operations::query_message::{
    read_query_message_response, QueryMessage, QueryMessageInput,
};
use aliyun_globe_sms::operations::read_conversion_response;
use aliyun_globe_sms::operations::send_message::{
    read_send_message_response, SendMessage, SendMessageInput,
};
use aliyun_globe_sms::operations::sms_conversion::{SmsConversion, SmsConversionInput};
use aliyun_globe_sms::request::{
    self, Action, Call, OperationParameters, SignatureScheme, SigningContext, SigningTrace,
    FORM_CONTENT_TYPE,
};
use aliyun_globe_sms::response::read_batch_response;
use aliyun_globe_sms::{Credentials, Endpoint, KnownSecrets, Timestamp};
use serde_json::Value;

fn load(name: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/golden")
        .join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let Value::Array(items) = serde_json::from_str(&text).unwrap() else {
        panic!("{name}: not an array")
    };
    assert!(items[0].get("id").is_none(), "{name}: header first");
    items.into_iter().skip(1).collect()
}

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    let mut cur = v;
    for key in path.split('.') {
        cur = &cur[key];
    }
    cur.as_str()
        .unwrap_or_else(|| panic!("{path} is not a string in {}", v["id"]))
}

fn request(v: &Value) -> &serde_json::Map<String, Value> {
    v["inputs"]["request"].as_object().unwrap()
}

fn text(v: &Value, name: &str) -> Option<String> {
    request(v)
        .get(name)
        .map(|x| x.as_str().unwrap().to_string())
}

fn number(v: &Value, name: &str) -> Option<f64> {
    request(v).get(name).map(|x| x.as_f64().unwrap())
}

fn credentials(v: &Value) -> Credentials {
    Credentials::new(
        s(v, "inputs.accessKeyId"),
        s(v, "inputs.accessKeySecret"),
        v["inputs"]["securityToken"].as_str().map(str::to_string),
    )
    .unwrap()
}

/// Every operation parameter name the vectors use, as the static names a `Call` holds.
fn name(n: &str) -> &'static str {
    [
        "ChannelId",
        "ConversionRate",
        "ConversionTime",
        "Delivered",
        "From",
        "Message",
        "MessageId",
        "ReportTime",
        "TaskId",
        "To",
        "Type",
        "ValidityPeriod",
    ]
    .into_iter()
    .find(|known| *known == n)
    .unwrap_or_else(|| panic!("unknown parameter {n}"))
}

/// The call from the parameters exactly as the SDK was given them: each written as the SDK
/// wrote it (`nonStringParameters`), placed where it put it (`parameterLocation`), in its
/// insertion order (the model's, by name).
fn raw_call(v: &Value) -> Call {
    let action = Action::parse(s(v, "operation")).unwrap();
    let mut names: Vec<&String> = request(v).keys().collect();
    names.sort();
    let mut call = Call::new(action);
    for n in names {
        let value = match &request(v)[n] {
            Value::String(t) => t.clone(),
            _ => s(v, &format!("nonStringParameters.{n}.sent")).to_string(),
        };
        call = match s(v, &format!("parameterLocation.{n}")) {
            "query" => call.query(name(n), value),
            "body" => call.form(name(n), value),
            other => panic!("{other}"),
        };
    }
    call
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// What a user's typed input becomes, validated with the signing time as "now".
enum Typed {
    Batch(Batch),
    Send(SendMessage),
    Query(QueryMessage),
    Conversion(SmsConversion),
    Data(ConversionData),
}

impl Typed {
    fn of(v: &Value, now: Timestamp) -> Typed {
        let now_ms = now.unix_seconds() as f64 * 1000.0;
        let id = &v["id"];
        match Action::parse(s(v, "operation")).unwrap() {
            Action::BatchSendMessageToGlobe => {
                let mut input = BatchInput::new(
                    strings(&v["inputsDecoded"]["To"]),
                    Messages::PerRecipient(strings(&v["inputsDecoded"]["Message"])),
                );
                input.from = text(v, "From");
                input.message_type = text(v, "Type");
                input.task_id = text(v, "TaskId");
                input.validity_period = number(v, "ValidityPeriod");
                input.channel_id = text(v, "ChannelId");
                let batch = Batch::validate(&input).unwrap_or_else(|e| panic!("{id}: {e:?}"));
                assert_eq!(batch.to_parameter(), s(v, "inputs.request.To"));
                assert_eq!(batch.message_parameter(), s(v, "inputs.request.Message"));
                Typed::Batch(batch)
            }
            Action::SendMessageToGlobe => {
                let mut input =
                    SendMessageInput::new(text(v, "To").unwrap(), text(v, "Message").unwrap());
                input.from = text(v, "From");
                input.task_id = text(v, "TaskId");
                input.validity_period = number(v, "ValidityPeriod");
                input.channel_id = text(v, "ChannelId");
                Typed::Send(SendMessage::validate(&input).unwrap_or_else(|e| panic!("{id}: {e:?}")))
            }
            Action::QueryMessage => Typed::Query(
                QueryMessage::validate(&QueryMessageInput {
                    message_id: text(v, "MessageId").unwrap(),
                })
                .unwrap_or_else(|e| panic!("{id}: {e:?}")),
            ),
            Action::SmsConversion => Typed::Conversion(
                SmsConversion::validate(
                    &SmsConversionInput {
                        message_id: text(v, "MessageId").unwrap(),
                        delivered: request(v)["Delivered"].as_bool().unwrap(),
                        conversion_time: number(v, "ConversionTime"),
                    },
                    now_ms,
                )
                .unwrap_or_else(|e| panic!("{id}: {e:?}")),
            ),
            Action::ConversionData => Typed::Data(
                ConversionData::validate(
                    &ConversionDataInput {
                        conversion_rate: text(v, "ConversionRate").unwrap(),
                        report_time: number(v, "ReportTime"),
                    },
                    now_ms,
                )
                .unwrap_or_else(|e| panic!("{id}: {e:?}")),
            ),
            other => panic!("{other}"),
        }
    }

    fn call(&self) -> Call {
        match self {
            Typed::Batch(batch) => OperationParameters::of_batch(batch).call(),
            Typed::Send(send) => send.call(),
            Typed::Query(query) => query.call(),
            Typed::Conversion(conversion) => conversion.call(),
            Typed::Data(data) => data.call(),
        }
    }

    /// Reads the captured answer and compares it with what the SDK returned.
    fn check_answer(&self, v: &Value, known: &KnownSecrets) {
        let id = &v["id"];
        let status = v["response"]["status"].as_u64().unwrap() as u16;
        let body = s(v, "response.body").as_bytes();
        let sdk = &v["sdkResult"]["body"];
        let sdk_text = |key: &str| sdk[key].as_str().map(str::to_string);
        match self {
            Typed::Batch(batch) => {
                let outcome = read_batch_response(batch, known, status, &[], body).unwrap();
                let ids: Vec<String> =
                    serde_json::from_str(sdk["MessageIdList"].as_str().unwrap()).unwrap();
                let ours: Vec<String> = outcome
                    .sent
                    .iter()
                    .map(|r| r.message_id.clone().unwrap())
                    .collect();
                assert_eq!(ours, ids, "{id}");
            }
            Typed::Send(send) => {
                let r = read_send_message_response(send, known, status, &[], body).unwrap();
                assert_eq!(r.message_id, sdk_text("MessageId"), "{id}");
                assert_eq!(r.segments.to_string(), sdk["Segments"].as_str().unwrap());
                assert_eq!(r.from, sdk_text("From"));
                assert_eq!(r.normalized_to, sdk["To"].as_str().unwrap());
                assert_eq!(r.request_id, sdk_text("RequestId"));
                let detail = r.number_detail.unwrap();
                assert_eq!(
                    detail.carrier.as_deref(),
                    sdk["NumberDetail"]["Carrier"].as_str()
                );
                assert_eq!(
                    detail.country.as_deref(),
                    sdk["NumberDetail"]["Country"].as_str()
                );
                assert_eq!(
                    detail.region.as_deref(),
                    sdk["NumberDetail"]["Region"].as_str()
                );
            }
            Typed::Query(query) => {
                let r = read_query_message_response(query, known, status, &[], body).unwrap();
                assert_eq!(Some(r.message_id.clone()), sdk_text("MessageId"), "{id}");
                assert_eq!(r.status.as_str(), "delivered");
                assert_eq!(sdk["Status"], "1");
                assert_eq!(r.error_code, sdk_text("ErrorCode"));
                assert_eq!(r.send_date.as_ref().map(|d| d.text.clone()), sdk_text("SendDate"));
                assert_eq!(r.receive_date.as_ref().map(|d| d.text.clone()), sdk_text("ReceiveDate"));
                // The SDK's dates are RFC 2822 with an offset: read to an instant.
                assert!(r.send_date.as_ref().is_some_and(|d| d.epoch_ms.is_some()), "{id}");
                assert_eq!(r.to, sdk_text("To"));
                assert_eq!(r.message, sdk_text("Message"));
                assert!(r.number_detail.is_some());
            }
            Typed::Conversion(_) | Typed::Data(_) => {
                let r = read_conversion_response(known, status, &[], body).unwrap();
                assert_eq!(r.request_id, sdk_text("RequestId"), "{id}");
                assert_eq!(Some(r.response_code), sdk_text("ResponseCode"));
            }
        }
    }
}

/// The SDK's captured headers that are ours to send: not those the HTTP client owns.
fn sdk_headers(v: &Value) -> Vec<(String, String)> {
    v["sent"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h[0].as_str().unwrap().to_string(),
                h[1].as_str().unwrap().to_string(),
            )
        })
        .filter(|(n, _)| {
            ![
                "host",
                "user-agent",
                "connection",
                "content-length",
                "transfer-encoding",
            ]
            .contains(&n.to_ascii_lowercase().as_str())
        })
        .collect()
}

/// Builds, signs and compares one vector, then reads its captured answer.
fn check(v: &Value, scheme: SignatureScheme) {
    let id = s(v, "id");
    let (endpoint, timestamp, nonce) = match scheme {
        // The captures went to 127.0.0.1:{PORT}; the port is not part of a 1.0 signature.
        SignatureScheme::V1 => (
            Endpoint::parse("http://127.0.0.1:8080").unwrap(),
            s(v, "fixed.Timestamp"),
            s(v, "fixed.SignatureNonce"),
        ),
        SignatureScheme::Acs3 => (
            Endpoint::parse(s(v, "inputs.host")).unwrap(),
            s(v, "fixed.x-acs-date"),
            s(v, "fixed.x-acs-signature-nonce"),
        ),
    };
    let timestamp: Timestamp = timestamp.parse().unwrap();
    let ctx = SigningContext {
        endpoint: &endpoint,
        scheme,
        timestamp,
        nonce,
    };
    let creds = credentials(v);
    let typed = Typed::of(v, timestamp);
    let call = typed.call();
    assert_eq!(call, raw_call(v), "{id}: typed and raw calls differ");

    let (signed, trace) = request::sign_traced(&call, &creds, &ctx).unwrap();
    assert_eq!(
        request::sign(&call, &creds, &ctx).unwrap(),
        signed,
        "{id}: the fast path sends another request"
    );
    assert!(request::sends(&signed, &call), "{id}");

    assert_eq!(signed.method, s(v, "sent.method"));
    assert_eq!(signed.body, s(v, "sent.body"), "{id} body");
    let ours = &signed.headers;
    match (scheme, trace) {
        (SignatureScheme::V1, SigningTrace::V1(t)) => {
            assert_eq!(
                t.canonicalized_query,
                s(v, "canonicalizedQueryString"),
                "{id}"
            );
            assert_eq!(t.string_to_sign, s(v, "stringToSign"), "{id}");
            assert_eq!(t.signature, s(v, "signature"), "{id}");
            assert_eq!(
                signed.url,
                format!("http://127.0.0.1:8080/?{}", s(v, "sent.rawQuery")),
                "{id} url"
            );
            // Of the SDK's headers this path signs none; we send only the body's content-type
            // (docs/spec/DECISIONS.md §3: a CORS simple request).
            let expected: Vec<(String, String)> = sdk_headers(v)
                .into_iter()
                .filter(|(n, _)| n == "content-type")
                .collect();
            assert_eq!(ours, &expected, "{id} headers");
        }
        (SignatureScheme::Acs3, SigningTrace::Acs3(t)) => {
            assert_eq!(t.canonical_query, s(v, "canonicalQueryString"), "{id}");
            assert_eq!(t.canonical_headers, s(v, "canonicalHeaders"), "{id}");
            assert_eq!(t.signed_headers, s(v, "signedHeaders"), "{id}");
            assert_eq!(t.canonical_request, s(v, "canonicalRequest"), "{id}");
            assert_eq!(t.string_to_sign, s(v, "stringToSign"), "{id}");
            assert_eq!(t.signature, s(v, "signature"), "{id}");
            assert_eq!(t.authorization, s(v, "authorization"), "{id}");
            let query = s(v, "sent.rawQuery");
            let base = format!("https://{}/", s(v, "inputs.host"));
            let expected_url = if query.is_empty() {
                base
            } else {
                format!("{base}?{query}")
            };
            assert_eq!(signed.url, expected_url, "{id} url");
            assert_eq!(ours, &sdk_headers(v), "{id} headers");
            let hashed = ours
                .iter()
                .find(|(n, _)| n == "x-acs-content-sha256")
                .map(|(_, h)| h.as_str());
            assert_eq!(hashed, Some(s(v, "hashedPayload")));
        }
        _ => panic!("{id}: wrong scheme"),
    }
    if call.action() == Action::ConversionData {
        assert!(ours
            .iter()
            .any(|(n, t)| n == "content-type" && t == FORM_CONTENT_TYPE));
    }

    typed.check_answer(v, &KnownSecrets::of_credentials(&creds));
}

#[test]
fn operations_v1_vectors() {
    let vectors = load("operations-v1.json");
    assert_eq!(vectors.len(), 21);
    for v in &vectors {
        check(v, SignatureScheme::V1);
    }
}

#[test]
fn operations_acs3_vectors() {
    let vectors = load("operations-acs3.json");
    assert_eq!(vectors.len(), 23);
    for v in &vectors {
        check(v, SignatureScheme::Acs3);
    }
}

#[test]
fn every_operation_of_the_version_has_vectors_in_both_schemes() {
    for file in ["operations-v1.json", "operations-acs3.json"] {
        let vectors = load(file);
        for action in Action::ALL {
            assert!(
                vectors.iter().any(|v| v["operation"] == action.as_str()),
                "{file}: {action}"
            );
        }
        // Booleans false are sent, and ConversionData without ReportTime omits it.
        assert!(vectors
            .iter()
            .any(|v| v["inputs"]["request"]["Delivered"] == Value::Bool(false)));
        assert!(vectors.iter().any(|v| v["operation"] == "ConversionData"
            && v["inputs"]["request"].get("ReportTime").is_none()));
    }
}

#[test]
fn a_signer_cannot_change_what_a_call_sends() {
    let vectors = load("operations-v1.json");
    for v in &vectors {
        let call = raw_call(v);
        let endpoint = Endpoint::parse("http://127.0.0.1:8080").unwrap();
        let ctx = SigningContext {
            endpoint: &endpoint,
            scheme: SignatureScheme::V1,
            timestamp: s(v, "fixed.Timestamp").parse().unwrap(),
            nonce: s(v, "fixed.SignatureNonce"),
        };
        let signed = request::sign(&call, &credentials(v), &ctx).unwrap();
        assert!(request::sends(&signed, &call));
        // Another vector's request does not send this call (every call differs).
        for other in &vectors {
            if other["id"] != v["id"] {
                assert!(
                    !request::sends(&signed, &raw_call(other)),
                    "{} {}",
                    v["id"],
                    other["id"]
                );
            }
        }
        // A parameter moved from the body to the query, repeated or added is refused.
        let mut moved = signed.clone();
        if !moved.body.is_empty() {
            moved.url = format!("{}&{}", moved.url, moved.body);
            moved.body.clear();
            assert!(!request::sends(&moved, &call), "{}", v["id"]);
        }
        let mut added = signed.clone();
        added.url.push_str(match call.action() {
            Action::QueryMessage => "&MessageId=1",
            Action::SmsConversion => "&Delivered=true",
            Action::ConversionData => "&ConversionRate=0",
            _ => "&To=1",
        });
        assert!(!request::sends(&added, &call), "{}", v["id"]);
    }
}
