//! `json_text::parse` against serde_json over generated bodies: JSON values serialized by
//! serde_json (compact, pretty, with every kind of string escape), lone surrogate escapes, numbers
//! beyond f64, nesting around `MAX_DEPTH`, repeated keys, and hostile mutations of all of these
//! (truncations, byte flips, insertions, trailing garbage, a BOM, non-JSON white space).
//!
//! For every input the two must agree on acceptance and, when both accept, on the value
//! (`fuzz/common/json_oracle.rs`, shared with the `json_text` fuzz target, says how and encodes
//! json_text's two documented deviations: depth beyond `MAX_DEPTH` is refused, a lone surrogate
//! escape reads as U+FFFD). Where the input was built from a known value, json_text's value is
//! also checked against that value directly, so the oracle is not the only judge.

use std::cell::RefCell;
use std::collections::BTreeMap;

use aliyun_globe_sms::json_text::{self, JsonValue, MAX_DEPTH};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde::Serialize;
use serde_json::{Map, Number, Value};

#[path = "../fuzz/common/json_oracle.rs"]
mod json_oracle;

use json_oracle::{judge, same_with, Agreement};

/// Whether json_text's number text is `n` as serde_json wrote it: integers digit for digit,
/// floats read back exactly by Rust's correctly rounding parser. (serde_json's own reader, without
/// its `float_roundtrip` feature, may land an ULP away: it cannot be the judge of exactness.)
fn written_number(text: &str, n: &Number) -> bool {
    match (n.as_u64(), n.as_i64(), n.as_f64()) {
        (Some(u), _, _) => text == u.to_string(),
        (None, Some(i), _) => text == i.to_string(),
        (None, None, Some(f)) => text.parse::<f64>() == Ok(f),
        _ => false,
    }
}

/// Stands for a lone surrogate escape in generated text; never generated otherwise.
const PLACEHOLDER: char = '\u{E000}';

/// Runs `check` on `cases` generated cases, each of which may judge several inputs, and prints
/// what the inputs were judged (shown with `--nocapture`).
fn run<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    check: impl Fn(S::Value, &mut Tally) -> Result<(), TestCaseError>,
) {
    let tally = RefCell::new(Tally::default());
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |value| check(value, &mut tally.borrow_mut()));
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    let t = tally.into_inner();
    println!(
        "{name}: {cases} cases, {} inputs: {:?}",
        t.inputs(),
        t.by_agreement
    );
}

#[derive(Default)]
struct Tally {
    by_agreement: BTreeMap<String, usize>,
}

impl Tally {
    fn inputs(&self) -> usize {
        self.by_agreement.values().sum()
    }

    /// Judges `text`, counting how; any disagreement fails the case.
    fn judge(&mut self, text: &str) -> Result<Agreement, TestCaseError> {
        let agreement = judge(text).map_err(TestCaseError::fail)?;
        *self
            .by_agreement
            .entry(format!("{agreement:?}"))
            .or_default() += 1;
        Ok(agreement)
    }

    /// Judges `text`, which is `expected` written as JSON (no deeper than `MAX_DEPTH`): both
    /// readers must read it, and json_text must read `expected` itself.
    fn expect(&mut self, text: &str, expected: &Value) -> Result<(), TestCaseError> {
        let agreement = self.judge(text)?;
        prop_assert_eq!(agreement, Agreement::SameValue, "{:?}", text);
        let ours = json_text::parse(text).ok_or_else(|| TestCaseError::fail("refused"))?;
        same_with(&ours, expected, "$", &written_number).map_err(TestCaseError::fail)
    }
}

// ---- Generators ------------------------------------------------------------------------------

/// Characters for strings: what needs escaping, what does not, and what is easy to get wrong.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range(' ', '~'),
        1 => proptest::char::range('\u{0}', '\u{1f}'),
        1 => prop::sample::select(vec!['"', '\\', '/', '\u{7f}', '\u{2028}', '\u{2029}', '\u{FEFF}', '\u{FFFD}']),
        1 => proptest::char::range('\u{e0}', '\u{24f}'),
        1 => proptest::char::range('\u{4e00}', '\u{4fff}'),
        1 => proptest::char::range('\u{1F300}', '\u{1FAFF}'),
        1 => any::<char>(),
    ]
    .prop_filter("the placeholder", |c| *c != PLACEHOLDER)
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 0..max).prop_map(|c| c.into_iter().collect())
}

/// A string value that may hold placeholders (for lone surrogates); keys never do.
fn value_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![8 => any_char(), 1 => Just(PLACEHOLDER)], 0..10)
        .prop_map(|c| c.into_iter().collect())
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<u64>().prop_map(Number::from),
        any::<i64>().prop_map(Number::from),
        (-1000i64..1000).prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        (-1e6f64..1e6).prop_filter_map("finite", Number::from_f64),
    ]
}

/// Any JSON value serde_json can hold, a few levels deep.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        value_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((text(6), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A number as JSON writes it, including ones no f64 holds (`1e400`, 40-digit integers).
fn number_lexeme() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop_oneof![Just("0".to_string()), "[1-9][0-9]{0,40}"],
        prop::option::of("[0-9]{1,30}"),
        prop::option::of(("[eE]", "[+-]?", "[0-9]{1,5}")),
    )
        .prop_map(|(minus, int, frac, exp)| {
            let mut s = if minus {
                "-".to_string()
            } else {
                String::new()
            };
            s.push_str(&int);
            if let Some(f) = frac {
                s.push('.');
                s.push_str(&f);
            }
            if let Some((e, sign, digits)) = exp {
                s.push_str(&e);
                s.push_str(&sign);
                s.push_str(&digits);
            }
            s
        })
}

// ---- Renderings of a value -------------------------------------------------------------------

fn compact(v: &Value) -> String {
    serde_json::to_string(v).expect("a Value serializes")
}

/// Pretty, with an indent of every JSON white space character.
fn spaced(v: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\r\n\t ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    v.serialize(&mut serializer).expect("a Value serializes");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// `text` with characters inside strings written as `\uXXXX` escapes (a surrogate pair beyond
/// the BMP, hex in either case) and `/` as `\/`, as `bits` says character by character.
fn escaped(text: &str, bits: &[bool]) -> String {
    let mut out = String::new();
    let mut bit = bits.iter().copied().cycle();
    let (mut in_string, mut chars) = (false, text.chars());
    while let Some(c) = chars.next() {
        if !in_string {
            in_string = c == '"';
            out.push(c);
            continue;
        }
        match c {
            '"' => {
                in_string = false;
                out.push(c);
            }
            '\\' => {
                // An escape serde_json wrote: copied whole.
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                    if next == 'u' {
                        out.extend(chars.by_ref().take(4));
                    }
                }
            }
            '/' if bit.next().unwrap_or(false) => out.push_str("\\/"),
            c if bit.next().unwrap_or(false) => {
                let upper = bit.next().unwrap_or(false);
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    if upper {
                        out.push_str(&format!("\\u{unit:04X}"));
                    } else {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `v` with each placeholder in its strings replaced by `with`.
fn replaced(v: &Value, with: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace(PLACEHOLDER, with)),
        Value::Array(items) => Value::Array(items.iter().map(|i| replaced(i, with)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, i)| (k.clone(), replaced(i, with)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn has_placeholder(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains(PLACEHOLDER),
        Value::Array(items) => items.iter().any(has_placeholder),
        Value::Object(map) => map.values().any(has_placeholder),
        _ => false,
    }
}

// ---- Hostile mutations -----------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    FlipByte(usize, u8),
    InsertBytes(usize, Vec<u8>),
    DeleteBytes(usize, usize),
    Append(String),
    Bom,
    InsertSpace(usize, char),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let garbage = prop_oneof![
        prop::sample::select(vec![
            ",", "}", "]", "{}", "[]", "1", "x", "\u{0}", "\u{FEFF}", " {", "\"", "null", "\u{a0}",
            "//", "/* */", ",]", "e5", ".5",
        ])
        .prop_map(str::to_string),
        text(4),
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::FlipByte(i, b)),
        (
            any::<usize>(),
            prop::collection::vec(
                prop_oneof![
                    prop::sample::select(b"{}[],:\"\\ \t\n-+.eE0123456789ntfrulsa".to_vec()),
                    any::<u8>(),
                ],
                1..4
            )
        )
            .prop_map(|(i, b)| Mutation::InsertBytes(i, b)),
        (any::<usize>(), 1usize..4).prop_map(|(i, n)| Mutation::DeleteBytes(i, n)),
        garbage.prop_map(Mutation::Append),
        Just(Mutation::Bom),
        (
            any::<usize>(),
            prop::sample::select(vec![
                ' ', '\t', '\n', '\r', '\u{a0}', '\u{b}', '\u{c}', '\u{2028}', '\u{3000}'
            ])
        )
            .prop_map(|(i, c)| Mutation::InsertSpace(i, c)),
    ]
}

/// The mutated text, read as the response reader reads a body (lossy UTF-8).
fn mutate(text: &str, m: &Mutation) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % (len + 1) };
    match m {
        Mutation::Truncate(i) => bytes.truncate(at(*i, bytes.len())),
        Mutation::FlipByte(i, b) => {
            if !bytes.is_empty() {
                let i = i % bytes.len();
                bytes[i] = *b;
            }
        }
        Mutation::InsertBytes(i, b) => {
            let i = at(*i, bytes.len());
            bytes.splice(i..i, b.iter().copied());
        }
        Mutation::DeleteBytes(i, n) => {
            let i = at(*i, bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::Append(s) => bytes.extend_from_slice(s.as_bytes()),
        Mutation::Bom => bytes = ["\u{FEFF}".as_bytes(), &bytes].concat(),
        Mutation::InsertSpace(i, c) => {
            let i = at(*i, bytes.len());
            let mut buf = [0u8; 4];
            bytes.splice(i..i, c.encode_utf8(&mut buf).bytes());
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

// ---- The properties --------------------------------------------------------------------------

/// Valid JSON, every way serde_json writes it and with every string escape: read by both, to
/// the value it was written from; then each rendering mutated.
#[test]
fn serialized_values_and_their_mutations() {
    run(
        "serialized values",
        2_000,
        (
            value().prop_filter("no placeholder", |v| !has_placeholder(v)),
            prop::collection::vec(any::<bool>(), 1..16),
            prop::collection::vec(mutation(), 4),
        ),
        |(v, bits, mutations), tally| {
            let renderings = [compact(&v), spaced(&v), escaped(&compact(&v), &bits)];
            for text in &renderings {
                tally.expect(text, &v)?;
                // White space around the value is allowed.
                tally.expect(&format!(" \t\r\n{text}\n "), &v)?;
            }
            for text in &renderings {
                for m in &mutations {
                    tally.judge(&mutate(text, m))?;
                }
                let mut twice = mutate(text, &mutations[0]);
                twice = mutate(&twice, &mutations[1]);
                tally.judge(&twice)?;
            }
            Ok(())
        },
    );
}

/// Lone surrogate escapes: json_text reads each as U+FFFD (documented), a pair as its
/// character; a truncation through them is refused by both.
#[test]
fn lone_surrogate_escapes_read_as_replacement_characters() {
    // The escape written, and what json_text reads.
    const ESCAPES: &[(&str, &str)] = &[
        ("\\uD800", "\u{FFFD}"),
        ("\\udbff", "\u{FFFD}"),
        ("\\uDC00", "\u{FFFD}"),
        ("\\uDFFF", "\u{FFFD}"),
        ("\\uDC00\\uD800", "\u{FFFD}\u{FFFD}"),
        ("\\uD800\\uD800\\uDC00", "\u{FFFD}\u{10000}"),
        ("\\uD83D\\u0041", "\u{FFFD}A"),
        ("\\uD83D\\n", "\u{FFFD}\n"),
        ("\\uD83D\\\\uDE00", "\u{FFFD}\\uDE00"),
        ("\\uD83D\\uDE00", "\u{1F600}"),
        ("\\udbff\\udfff", "\u{10FFFF}"),
    ];
    run(
        "lone surrogates",
        1_000,
        (
            value().prop_filter("a placeholder", has_placeholder),
            prop::sample::select(ESCAPES),
            any::<usize>(),
        ),
        |(v, (escape, reads_as), cut), tally| {
            // A '.' after each keeps two placeholders in a row from reading as one pair.
            let text = compact(&v).replace(PLACEHOLDER, &format!("{escape}."));
            tally.expect(&text, &replaced(&v, &format!("{reads_as}.")))?;
            tally.judge(&mutate(&text, &Mutation::Truncate(cut)))?;
            Ok(())
        },
    );
}

/// Numbers as their text, including those beyond f64 (which serde_json's `Value` cannot hold
/// without `arbitrary_precision`: there json_text's text is checked against the lexeme alone).
#[test]
fn numbers_keep_their_text() {
    run(
        "numbers",
        2_000,
        (
            prop::collection::vec(number_lexeme(), 1..4),
            prop::collection::vec(mutation(), 2),
        ),
        |(lexemes, mutations), tally| {
            let text = format!("[{}]", lexemes.join(", "));
            let agreement = tally.judge(&text)?;
            // Both read it; beyond f64 (`1e400`) serde_json's `Value` cannot hold the number, and
            // json_text's text is checked against the lexeme below.
            prop_assert!(
                matches!(
                    agreement,
                    Agreement::SameValue | Agreement::AcceptedNumberOutOfF64
                ),
                "{:?}",
                agreement
            );
            let expected =
                JsonValue::Array(lexemes.iter().cloned().map(JsonValue::Number).collect());
            prop_assert_eq!(json_text::parse(&text), Some(expected));
            let object = format!("{{\"SuccessCount\":{}}}", lexemes[0]);
            prop_assert_eq!(
                json_text::parse(&object)
                    .as_ref()
                    .and_then(|o| o.get("SuccessCount"))
                    .cloned(),
                Some(JsonValue::Number(lexemes[0].clone()))
            );
            tally.judge(&object)?;
            for m in &mutations {
                tally.judge(&mutate(&text, m))?;
            }
            Ok(())
        },
    );
}

/// Nesting around `MAX_DEPTH`: read up to `MAX_DEPTH + 1` values tall, refused beyond (a
/// documented deviation), and never a stack overflow, however deep.
#[test]
fn nesting_up_to_max_depth_is_read_deeper_is_refused() {
    run(
        "nesting",
        1_000,
        (
            prop_oneof![1usize..=40, 100usize..=140, Just(20_000usize)],
            prop::collection::vec(any::<bool>(), 1..8),
            prop_oneof![
                Just(""),
                Just("1"),
                Just("\"x\""),
                Just("null"),
                Just("[]"),
                Just("{}")
            ],
            any::<usize>(),
        ),
        |(levels, objects, leaf, cut), tally| {
            let (mut text, mut close) = (String::new(), String::new());
            for level in 0..levels {
                if objects[level % objects.len()] {
                    text.push_str("{\"k\":");
                    close.insert(0, '}');
                } else {
                    text.push('[');
                    close.insert(0, ']');
                }
            }
            // An object needs a value: an empty leaf stands only in an array.
            let leaf = if leaf.is_empty() && text.ends_with(':') {
                "0"
            } else {
                leaf
            };
            text.push_str(leaf);
            text.push_str(&close);
            // Values on the way down: the containers, and the leaf if there is one (an empty
            // container is one value tall, like a scalar).
            let tall = levels + usize::from(!leaf.is_empty());
            let agreement = tally.judge(&text)?;
            if tall <= MAX_DEPTH + 1 {
                prop_assert_eq!(agreement, Agreement::SameValue, "{} values tall", tall);
            } else {
                prop_assert_eq!(agreement, Agreement::TooDeep, "{} values tall", tall);
            }
            tally.judge(&mutate(&text, &Mutation::Truncate(cut)))?;
            Ok(())
        },
    );
}

/// Repeated keys: json_text keeps every member in order and `get` gives the first; serde_json
/// (like `JSON.parse`) keeps the last. The oracle holds json_text to both.
#[test]
fn repeated_keys_are_all_kept_and_get_gives_the_first() {
    run(
        "repeated keys",
        1_000,
        (
            prop::sample::select(vec!["ResponseCode", "Code", "FailedList", "", "k"]),
            prop::collection::vec(
                value().prop_filter("no placeholder", |v| !has_placeholder(v)),
                2..5,
            ),
            text(4),
            prop::collection::vec(mutation(), 2),
        ),
        |(key, values, other, mutations), tally| {
            let mut members: Vec<String> = values
                .iter()
                .map(|v| format!("{}:{}", compact(&Value::from(key)), compact(v)))
                .collect();
            members.insert(1, format!("{}:true", compact(&Value::from(other.clone()))));
            let text = format!("{{{}}}", members.join(","));
            let agreement = tally.judge(&text)?;
            prop_assert_eq!(agreement, Agreement::SameValue);
            let ours = json_text::parse(&text).ok_or_else(|| TestCaseError::fail("refused"))?;
            let JsonValue::Object(read) = &ours else {
                return Err(TestCaseError::fail("not an object"));
            };
            prop_assert_eq!(read.len(), values.len() + 1);
            let first = ours.get(key).ok_or_else(|| TestCaseError::fail("no key"))?;
            same_with(first, &values[0], "first", &written_number).map_err(TestCaseError::fail)?;
            for m in &mutations {
                tally.judge(&mutate(&text, m))?;
            }
            Ok(())
        },
    );
}

/// Bodies of the shapes the service sends, each then mutated: the response reader's own input.
#[test]
fn service_shaped_bodies_and_their_mutations() {
    let bodies = [
        r#"{"ResponseCode":"OK","RequestId":"5E8F1A2B-0000-4C1D","FailedList":"[\"85291230000\"]","ResponseDescription":"OK","From":"Alicloud","MessageIdList":"[\"1008030300000000001\"]","SuccessCount":"1"}"#,
        r#"{"RequestId":"A1","HostId":"dysmsapi.aliyuncs.com","Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DLTAI","Recommend":"https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch"}"#,
        r#"{"code":"Throttling.User","message":"Request was denied due to user flow control.","requestId":"B2"}"#,
        r#"{"ResponseCode":"OK","FailedList":["86138"],"MessageIdList":[1008030300000000002],"SuccessCount":1}"#,
        "{\"ResponseCode\":\"OK\",\"FailedList\":\"\",\"MessageIdList\":null}",
    ];
    run(
        "service bodies",
        2_000,
        (
            prop::sample::select(bodies.to_vec()),
            prop::collection::vec(mutation(), 1..4),
        ),
        |(body, mutations), tally| {
            let expected: Value = serde_json::from_str(body).expect("a valid body");
            tally.expect(body, &expected)?;
            let mut text = body.to_string();
            for m in &mutations {
                text = mutate(&text, m);
                tally.judge(&text)?;
            }
            Ok(())
        },
    );
}

/// Hand-picked edge cases: each with the verdict it must get.
#[test]
fn edge_cases() {
    let deep_array = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
    let too_deep = "[".repeat(MAX_DEPTH + 1) + "1" + &"]".repeat(MAX_DEPTH + 1);
    let cases: Vec<(&str, Agreement)> = vec![
        ("", Agreement::BothRefused),
        ("\u{FEFF}{}", Agreement::BothRefused),
        ("{}\u{FEFF}", Agreement::BothRefused),
        ("\u{a0}1", Agreement::BothRefused),
        ("\u{c}1", Agreement::BothRefused),
        ("1\u{b}", Agreement::BothRefused),
        ("-0", Agreement::SameValue),
        ("-0.0e-0", Agreement::SameValue),
        ("1E+2", Agreement::SameValue),
        ("1e400", Agreement::AcceptedNumberOutOfF64),
        ("-1e400", Agreement::AcceptedNumberOutOfF64),
        ("1e-400", Agreement::SameValue),
        ("123456789012345678901234567890", Agreement::SameValue),
        ("00", Agreement::BothRefused),
        ("-", Agreement::BothRefused),
        ("1.e1", Agreement::BothRefused),
        (".1", Agreement::BothRefused),
        ("[1,]", Agreement::BothRefused),
        ("{\"a\":1,}", Agreement::BothRefused),
        ("\"\\u00\"", Agreement::BothRefused),
        ("\"\\ud800\\u12\"", Agreement::BothRefused),
        ("\"\\ud800\\uzzzz\"", Agreement::BothRefused),
        ("\"\\ud800\\u+123\"", Agreement::BothRefused),
        ("\"\\ud800\"", Agreement::SameValue),
        ("\"\\U0041\"", Agreement::BothRefused),
        ("\"\\'\"", Agreement::BothRefused),
        ("\"\u{7f}\"", Agreement::SameValue),
        ("\"\u{1f}\"", Agreement::BothRefused),
        ("\"\\/\"", Agreement::SameValue),
        ("[true ,null\t,false\r\n]", Agreement::SameValue),
        ("nul", Agreement::BothRefused),
        ("truefalse", Agreement::BothRefused),
        ("{\"a\":1}{}", Agreement::BothRefused),
        ("{\"a\"}", Agreement::BothRefused),
        ("{1:2}", Agreement::BothRefused),
        ("{\"a\":1,\"a\":2}", Agreement::SameValue),
        (&deep_array, Agreement::SameValue),
        (&too_deep, Agreement::TooDeep),
    ];
    for (text, expected) in cases {
        assert_eq!(judge(text), Ok(expected), "{text:?}");
    }
    // The documented readings, spelled out.
    assert_eq!(
        json_text::parse("\"\\ud800\""),
        Some(JsonValue::String("\u{FFFD}".into()))
    );
    assert_eq!(
        json_text::parse("{\"a\":1,\"a\":2}").and_then(|v| v.get("a").cloned()),
        Some(JsonValue::Number("1".into()))
    );
    assert_eq!(
        json_text::parse("1e400"),
        Some(JsonValue::Number("1e400".into()))
    );
}
