//! The response reader, `read_batch_response`, on any (status, headers, body) for a valid batch.
//!
//! The body is either raw bytes or one of the shapes the service sends (a success answer with its
//! `FailedList`/`MessageIdList` as embedded or real arrays, a gateway error, a business refusal)
//! filled from the fuzz input, so the pairing of numbers and MessageIds is reached at once.
//!
//! Checked beyond "no panic":
//! - a success comes only from a 2xx with `ResponseCode` `OK`;
//! - every recipient of the batch is in exactly one of `sent` and `failed`, each in batch order,
//!   with its own index, number as given and number as sent: nothing outside the batch;
//! - MessageIds are either all paired or none, and none exactly when the counts' anomaly is there;
//!   `success_count` is the accepted count unless the anomaly says otherwise; `dropped` is the
//!   batch's; `attempts` is 1;
//! - an `UNEXPECTED_RESPONSE` comes only from a 3xx/4xx, an `OUTCOME_UNKNOWN` carries the status;
//! - the scrubbed texts (a service message, a body excerpt) never hold the secret or the token
//!   the reader was given, and stay within their documented lengths.

#![no_main]

use std::sync::OnceLock;

use aliyun_globe_sms::batch::{Batch, BatchInput, Messages};
use aliyun_globe_sms::error::{Error, ServiceErrorKind};
use aliyun_globe_sms::json_text::push_json_string;
use aliyun_globe_sms::response::{
    read_batch_response, Anomaly, EXCERPT_CHARACTERS, MESSAGE_CHARACTERS,
};
use aliyun_globe_sms::{Credentials, KnownSecrets};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "FuzzSecret0123456789abcdefghij";
const TOKEN: &str = "CAIS+Fuzz/Token==";

#[derive(Arbitrary, Debug)]
struct Input {
    batch: u8,
    credentials: u8,
    status: u16,
    headers: Vec<(String, String)>,
    retry_after: Option<u64>,
    body: Body,
}

#[derive(Arbitrary, Debug)]
enum Body {
    Raw(Vec<u8>),
    Success(Success),
    /// `{Code, Message, RequestId, Recommend}`, the gateway's refusal.
    Gateway {
        code: Text,
        message: Text,
        request_id: Option<Text>,
        recommend: Option<Text>,
        lower_case_keys: bool,
    },
    /// `{ResponseCode, ResponseDescription}` other than OK, or OK with a broken body.
    Business {
        code: Text,
        description: Option<Text>,
    },
}

#[derive(Arbitrary, Debug)]
struct Success {
    response_code: Option<Text>,
    request_id: Option<Text>,
    from: Option<Text>,
    description: Option<Text>,
    failed: List,
    message_ids: List,
    success_count: Option<Item>,
    extra: Vec<(Text, Item)>,
    lower_case_keys: bool,
    /// Cut the body at this byte, if any.
    truncate: Option<u16>,
}

#[derive(Arbitrary, Debug)]
enum List {
    Absent,
    Null,
    EmptyString,
    /// A JSON array inside a string, as the service sends it.
    Embedded(Vec<Item>),
    /// A real array, as some gateways send it.
    Array(Vec<Item>),
    /// A string that is not an array.
    Broken(Text),
}

#[derive(Arbitrary, Debug)]
enum Item {
    /// The number as sent of a batch entry (the index is taken modulo the batch's size).
    Entry(u16),
    /// That number as someone might write it: `+`, spaces.
    EntryDecorated(u16),
    Digits(u64),
    Number(u64),
    Text(Text),
    Null,
    True,
    Nested(Vec<u8>),
}

/// Text that is sometimes one of the secrets, so scrubbing is exercised.
#[derive(Arbitrary, Debug)]
enum Text {
    Plain(String),
    Secret { before: String, after: String },
    Token { before: String, after: String },
    Known(u8),
}

const KNOWN: &[&str] = &[
    "OK",
    "Throttling.User",
    "QPS_LIMIT_CONTROL",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId.NotFound",
    "InvalidTimeStamp.Expired",
    "Forbidden.RAM",
    "RAM_PERMISSION_DENY",
    "INVALID_SENDERID",
    "",
    " ",
    "2",
    "-1",
    "18446744073709551616",
    "Signature=abc&x=1",
    "SecurityToken%3DCAIS%252Bx",
];

fn batches() -> &'static [Batch] {
    static BATCHES: OnceLock<Vec<Batch>> = OnceLock::new();
    BATCHES.get_or_init(|| {
        let make = |numbers: &[&str], drop_duplicates: bool| {
            let mut input = BatchInput::new(
                numbers.iter().map(|n| n.to_string()).collect(),
                Messages::One("Your code is 4821".into()),
            );
            input.drop_duplicates = drop_duplicates;
            Batch::validate(&input).expect("a valid batch")
        };
        vec![
            make(&["+852 9123 4567"], false),
            make(
                &[
                    "+852 9123 4567",
                    "+65 9123 4567",
                    "00852-9123-4568",
                    "+44 (0)20 7946 0958",
                    "(853) 6612 3456",
                ],
                false,
            ),
            make(
                &[
                    "+852 9123 4567",
                    "85291234567",
                    "+65 9123 4567",
                    "00852 9123 4567",
                    "+886 912 345 678",
                ],
                true,
            ),
        ]
    })
}

fn credentials(pick: u8) -> Option<Credentials> {
    match pick % 3 {
        0 => None,
        1 => Some(Credentials::new("LTAI5tFuzzKey", SECRET, None).expect("valid")),
        _ => Some(Credentials::new("STS.FuzzKey", SECRET, Some(TOKEN.to_string())).expect("valid")),
    }
}

fn text(t: &Text) -> String {
    match t {
        Text::Plain(s) => s.clone(),
        Text::Secret { before, after } => format!("{before}{SECRET}{after}"),
        Text::Token { before, after } => format!("{before}{TOKEN}{after}"),
        Text::Known(i) => KNOWN[usize::from(*i) % KNOWN.len()].to_string(),
    }
}

fn push_string(out: &mut String, s: &str) {
    push_json_string(out, s);
}

fn push_item(out: &mut String, item: &Item, batch: &Batch) {
    let entries = batch.entries();
    let entry = |i: &u16| {
        &entries[usize::from(*i) % entries.len()]
            .recipient
            .normalized
    };
    match item {
        Item::Entry(i) => push_string(out, entry(i)),
        Item::EntryDecorated(i) => {
            let n = entry(i);
            let (head, tail) = n.split_at(3);
            push_string(out, &format!("+{head} {tail}"));
        }
        Item::Digits(n) => push_string(out, &n.to_string()),
        Item::Number(n) => out.push_str(&n.to_string()),
        Item::Text(t) => push_string(out, &text(t)),
        Item::Null => out.push_str("null"),
        Item::True => out.push_str("true"),
        Item::Nested(bytes) => out.push_str(&String::from_utf8_lossy(bytes)),
    }
}

fn push_items(out: &mut String, items: &[Item], batch: &Batch) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_item(out, item, batch);
    }
    out.push(']');
}

fn key(name: &str, lower: bool) -> String {
    if lower {
        let mut chars = name.chars();
        chars
            .next()
            .map(|c| c.to_ascii_lowercase())
            .into_iter()
            .chain(chars)
            .collect()
    } else {
        name.to_string()
    }
}

/// Writes `{"a":…,"b":…}` from members already written as JSON.
fn object(members: &[(String, String)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_string(&mut out, k);
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}

fn string_value(s: &str) -> String {
    let mut out = String::new();
    push_string(&mut out, s);
    out
}

fn body(b: &Body, batch: &Batch) -> Vec<u8> {
    match b {
        Body::Raw(bytes) => bytes.clone(),
        Body::Gateway {
            code,
            message,
            request_id,
            recommend,
            lower_case_keys: lower,
        } => {
            let mut members = vec![
                (key("Code", *lower), string_value(&text(code))),
                (key("Message", *lower), string_value(&text(message))),
            ];
            if let Some(r) = request_id {
                members.push((key("RequestId", *lower), string_value(&text(r))));
            }
            if let Some(r) = recommend {
                members.push((key("Recommend", *lower), string_value(&text(r))));
            }
            object(&members).into_bytes()
        }
        Body::Business { code, description } => {
            let mut members = vec![("ResponseCode".to_string(), string_value(&text(code)))];
            if let Some(d) = description {
                members.push(("ResponseDescription".to_string(), string_value(&text(d))));
            }
            object(&members).into_bytes()
        }
        Body::Success(s) => {
            let lower = s.lower_case_keys;
            let code = s.response_code.as_ref().map_or("OK".to_string(), text);
            let mut members = vec![(key("ResponseCode", lower), string_value(&code))];
            for (name, value) in [
                ("RequestId", &s.request_id),
                ("From", &s.from),
                ("ResponseDescription", &s.description),
            ] {
                if let Some(v) = value {
                    members.push((key(name, lower), string_value(&text(v))));
                }
            }
            for (name, list) in [("FailedList", &s.failed), ("MessageIdList", &s.message_ids)] {
                let value = match list {
                    List::Absent => continue,
                    List::Null => "null".to_string(),
                    List::EmptyString => "\"\"".to_string(),
                    List::Embedded(items) => {
                        let mut inner = String::new();
                        push_items(&mut inner, items, batch);
                        string_value(&inner)
                    }
                    List::Array(items) => {
                        let mut out = String::new();
                        push_items(&mut out, items, batch);
                        out
                    }
                    List::Broken(t) => string_value(&text(t)),
                };
                members.push((key(name, lower), value));
            }
            if let Some(count) = &s.success_count {
                let mut out = String::new();
                push_item(&mut out, count, batch);
                members.push((key("SuccessCount", lower), out));
            }
            for (name, value) in &s.extra {
                let mut out = String::new();
                push_item(&mut out, value, batch);
                members.push((text(name), out));
            }
            let mut bytes = object(&members).into_bytes();
            if let Some(at) = s.truncate {
                bytes.truncate(usize::from(at));
            }
            bytes
        }
    }
}

/// A scrubbed text: none of the secrets the reader was given (it cannot know others), and cut to
/// `max_chars` plus the ellipsis that marks the cut.
fn assert_scrubbed(what: &str, text: &str, max_chars: usize, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} holds a secret: {text:?}");
    }
    assert!(text.chars().count() <= max_chars + 1, "{what} too long");
}

fuzz_target!(|input: Input| {
    let all = batches();
    let batch = &all[usize::from(input.batch) % all.len()];
    let credentials = credentials(input.credentials);
    let secrets: &[&str] = match input.credentials % 3 {
        0 => &[],
        1 => &[SECRET],
        _ => &[SECRET, TOKEN],
    };
    let mut headers = input.headers.clone();
    if let Some(ms) = input.retry_after {
        headers.push(("X-Acs-Retry-After".to_string(), ms.to_string()));
    }
    let body = body(&input.body, batch);
    let status = input.status;

    // Without credentials a signer holds the secret elsewhere: service text is withheld.
    let known = credentials
        .as_ref()
        .map_or_else(KnownSecrets::held_elsewhere, KnownSecrets::of_credentials);
    match read_batch_response(batch, &known, status, &headers, &body) {
        Ok(outcome) => {
            assert!(
                (200..=299).contains(&status),
                "a success from HTTP {status}"
            );
            assert_eq!(outcome.response_code, "OK");
            assert_eq!(outcome.attempts, 1);
            assert_eq!(outcome.dropped.as_slice(), batch.dropped());

            let entries = batch.entries();
            assert_eq!(
                outcome.sent.len() + outcome.failed.len(),
                entries.len(),
                "every recipient once"
            );
            let (mut s, mut f) = (
                outcome.sent.iter().peekable(),
                outcome.failed.iter().peekable(),
            );
            for entry in entries {
                if let Some(r) = s.next_if(|r| r.index == entry.index) {
                    assert_eq!(r.to, entry.given);
                    assert_eq!(r.normalized_to, entry.recipient.normalized);
                } else if let Some(r) = f.next_if(|r| r.index == entry.index) {
                    assert_eq!(r.to, entry.given);
                    assert_eq!(r.normalized_to, entry.recipient.normalized);
                } else {
                    panic!(
                        "recipient {} is neither sent nor failed, in order",
                        entry.index
                    );
                }
            }

            let count_mismatch = outcome
                .anomalies
                .iter()
                .any(|a| matches!(a, Anomaly::MessageIdCountMismatch { .. }));
            let paired = outcome
                .sent
                .iter()
                .filter(|r| r.message_id.is_some())
                .count();
            if count_mismatch {
                assert_eq!(paired, 0, "MessageIds paired despite the count mismatch");
            } else {
                assert_eq!(paired, outcome.sent.len(), "MessageIds not all paired");
            }
            let success_mismatch = outcome
                .anomalies
                .iter()
                .any(|a| matches!(a, Anomaly::SuccessCountMismatch { .. }));
            if !success_mismatch {
                assert_eq!(outcome.success_count, outcome.sent.len() as u64);
            }
            for a in &outcome.anomalies {
                assert!(!a.kind().is_empty());
            }
        }
        Err(error) => {
            assert!(!error.code().as_str().is_empty());
            assert!(!error.to_string().is_empty());
            match &error {
                Error::UnexpectedResponse {
                    http_status,
                    excerpt,
                } => {
                    assert_eq!(*http_status, status);
                    assert!(
                        (300..=499).contains(&status),
                        "UNEXPECTED_RESPONSE from {status}"
                    );
                    assert_scrubbed("excerpt", excerpt, EXCERPT_CHARACTERS, secrets);
                }
                Error::OutcomeUnknown {
                    http_status,
                    excerpt,
                    ..
                } => {
                    assert_eq!(*http_status, Some(status));
                    if let Some(e) = excerpt {
                        assert_scrubbed("excerpt", e, EXCERPT_CHARACTERS, secrets);
                    }
                }
                Error::Service { kind, detail } => {
                    assert_eq!(detail.http_status, status);
                    assert_scrubbed("message", &detail.message, MESSAGE_CHARACTERS, secrets);
                    if *kind != ServiceErrorKind::Throttled {
                        assert!(status < 500, "{kind:?} from a 5xx");
                    }
                }
                other => panic!("the reader made an error it has no business making: {other:?}"),
            }
        }
    }
});
