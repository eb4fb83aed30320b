//! Every vector in tests/fixtures/golden (copied from the project's shared spec; see the README
//! there) reproduced byte for byte: canonical form, string-to-sign, signature, and the request.
//!
//! The vectors are read at run time, never pasted into assertions.

use std::fs;
use std::path::PathBuf;

use aliyun_globe_sms::batch::{Batch, BatchInput, Messages};
use aliyun_globe_sms::request::{
    self, OperationParameters, SignatureScheme, SigningContext, SigningTrace,
};
use aliyun_globe_sms::{Credentials, Endpoint, NumberRules, Timestamp};
use serde_json::Value;

fn load(name: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/golden")
        .join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let Value::Array(items) = serde_json::from_str(&text).unwrap() else {
        panic!("{name}: not an array")
    };
    // The first element is a header (comment, generator); vectors follow.
    assert!(
        items[0].get("id").is_none(),
        "{name}: first element should be the header"
    );
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

fn opt(v: &Value, path: &str) -> Option<String> {
    let mut cur = v;
    for key in path.split('.') {
        cur = &cur[key];
    }
    cur.as_str().map(str::to_string)
}

fn credentials(v: &Value) -> Credentials {
    Credentials::new(
        s(v, "inputs.accessKeyId"),
        s(v, "inputs.accessKeySecret"),
        opt(v, "inputs.securityToken"),
    )
    .unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// The vector's batch built the way a user builds one (arrays of numbers and texts), validated.
fn batch_of(v: &Value) -> Batch {
    let mut input = BatchInput::new(
        strings(&v["inputsDecoded"]["To"]),
        Messages::PerRecipient(strings(&v["inputsDecoded"]["Message"])),
    );
    input.from = opt(v, "inputs.request.From");
    input.message_type = opt(v, "inputs.request.Type");
    input.task_id = opt(v, "inputs.request.TaskId");
    // batch-1000 uses synthetic numbers (e.g. 65 + 9 digits) that a per-country length table
    // refuses; the E.164 rules still apply.
    input.number_rules = NumberRules {
        check_national_length: v["id"] != "batch-1000",
    };
    let batch = Batch::validate(&input).unwrap_or_else(|issues| panic!("{}: {issues:?}", v["id"]));
    // Our JSON writer gives back exactly the text the SDK was handed.
    assert_eq!(
        batch.to_parameter(),
        s(v, "inputs.request.To"),
        "{} To",
        v["id"]
    );
    assert_eq!(
        batch.message_parameter(),
        s(v, "inputs.request.Message"),
        "{} Message",
        v["id"]
    );
    batch
}

fn raw_parameters(v: &Value) -> OperationParameters {
    OperationParameters {
        from: opt(v, "inputs.request.From"),
        message: s(v, "inputs.request.Message").to_string(),
        task_id: opt(v, "inputs.request.TaskId"),
        to: s(v, "inputs.request.To").to_string(),
        message_type: s(v, "inputs.request.Type").to_string(),
        ..OperationParameters::default()
    }
}

fn check_v1(v: &Value) {
    let id = v["id"].as_str().unwrap();
    let creds = credentials(v);
    // The captures went to 127.0.0.1:{PORT}; the port is not part of a 1.0 signature.
    let endpoint = Endpoint::parse("http://127.0.0.1:8080").unwrap();
    let timestamp: Timestamp = s(v, "fixed.Timestamp").parse().unwrap();
    let ctx = SigningContext {
        endpoint: &endpoint,
        scheme: SignatureScheme::V1,
        timestamp,
        nonce: s(v, "fixed.SignatureNonce"),
    };
    let batch = batch_of(v);
    let (from_batch, trace) =
        request::sign_parameters(&OperationParameters::of_batch(&batch), &creds, &ctx).unwrap();
    let (from_raw, _) = request::sign_parameters(&raw_parameters(v), &creds, &ctx).unwrap();
    assert_eq!(
        from_batch, from_raw,
        "{id}: batch path and opaque path differ"
    );
    assert_eq!(
        request::sign_batch(&batch, &creds, &ctx).unwrap(),
        from_batch
    );

    let SigningTrace::V1(t) = trace else {
        panic!("{id}: wrong scheme")
    };
    assert_eq!(
        t.canonicalized_query,
        s(v, "canonicalizedQueryString"),
        "{id} canonical"
    );
    assert_eq!(
        t.string_to_sign,
        s(v, "stringToSign"),
        "{id} string-to-sign"
    );
    assert_eq!(t.signature, s(v, "signature"), "{id} signature");

    // The request: method, path + query text (the SDK's own URL encoding and order), body.
    assert_eq!(from_batch.method, s(v, "sent.method"));
    assert_eq!(
        from_batch.url,
        format!("http://127.0.0.1:8080/?{}", s(v, "sent.rawQuery")),
        "{id} url"
    );
    assert_eq!(from_batch.body, s(v, "sent.body"));
    // On this path the SDK's headers are unsigned; we send none (docs/spec/DECISIONS.md §3), so a browser
    // request stays a CORS simple request. Host, length and user-agent are the HTTP client's.
    assert!(from_batch.headers.is_empty());
}

#[test]
fn signature_v1_vectors() {
    let vectors = load("signature-v1.json");
    assert_eq!(vectors.len(), 11);
    for v in &vectors {
        check_v1(v);
    }
}

#[test]
fn batch_1000_vector() {
    let vectors = load("batch-1000.json");
    assert_eq!(vectors.len(), 1);
    let v = &vectors[0];
    assert_eq!(v["inputsDecoded"]["To"].as_array().unwrap().len(), 1000);
    check_v1(v);
}

#[test]
fn signature_acs3_vectors() {
    let vectors = load("signature-acs3.json");
    assert_eq!(vectors.len(), 13);
    for v in &vectors {
        let id = v["id"].as_str().unwrap();
        let creds = credentials(v);
        let endpoint = Endpoint::parse(s(v, "inputs.host")).unwrap();
        let ctx = SigningContext {
            endpoint: &endpoint,
            scheme: SignatureScheme::Acs3,
            timestamp: s(v, "fixed.x-acs-date").parse().unwrap(),
            nonce: s(v, "fixed.x-acs-signature-nonce"),
        };
        let batch = batch_of(v);
        let (req, trace) =
            request::sign_parameters(&OperationParameters::of_batch(&batch), &creds, &ctx).unwrap();
        // The fast path (nothing kept) sends the very same request.
        assert_eq!(
            request::sign_batch(&batch, &creds, &ctx).unwrap(),
            req,
            "{id}"
        );
        let SigningTrace::Acs3(t) = trace else {
            panic!("{id}: wrong scheme")
        };
        assert_eq!(t.canonical_query, s(v, "canonicalQueryString"), "{id}");
        assert_eq!(t.canonical_headers, s(v, "canonicalHeaders"), "{id}");
        assert_eq!(t.signed_headers, s(v, "signedHeaders"), "{id}");
        assert_eq!(t.canonical_request, s(v, "canonicalRequest"), "{id}");
        assert_eq!(t.string_to_sign, s(v, "stringToSign"), "{id}");
        assert_eq!(t.signature, s(v, "signature"), "{id}");
        assert_eq!(t.authorization, s(v, "authorization"), "{id}");

        assert_eq!(req.method, s(v, "sent.method"));
        assert_eq!(
            req.url,
            format!("https://{}/?{}", s(v, "inputs.host"), s(v, "sent.rawQuery")),
            "{id}"
        );
        assert_eq!(req.body, s(v, "sent.body"));
        // Every header the SDK sent, in its order, except those the HTTP client owns (host,
        // user-agent, Connection, Content-Length).
        let sdk_headers: Vec<(String, String)> = v["sent"]["headers"]
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
                !["host", "user-agent", "connection", "content-length"]
                    .contains(&n.to_ascii_lowercase().as_str())
            })
            .collect();
        assert_eq!(req.headers, sdk_headers, "{id} headers");
    }
}

#[test]
fn python_sdk_agrees_with_our_signatures() {
    // The Python SDK (signature 1.0 path) signed the same vectors; its signatures must be ours.
    let ours: Vec<Value> = load("signature-v1.json");
    for cross in load("python-sdk-crosscheck.json") {
        let v = ours.iter().find(|o| o["id"] == cross["id"]).unwrap();
        check_v1(v);
        assert_eq!(s(&cross, "teaOpenapi.signature"), s(v, "signature"));
        assert_eq!(s(&cross, "teaOpenapi.stringToSign"), s(v, "stringToSign"));
    }
    for cross in load("python-sdk-acs3-crosscheck.json") {
        assert_eq!(
            cross["agreesExceptExtraSignedHeaders"],
            Value::Bool(true),
            "{}",
            cross["id"]
        );
    }
}
