//! serde_json as the oracle for `json_text::parse`: shared by the `json_text` fuzz target and
//! `tests/json_text_differential.rs` (both include this file with `#[path]`).
//!
//! `json_text` is meant to be a strict JSON reader (its doc: "`None` for anything that is not
//! strict JSON, or nests deeper than `MAX_DEPTH`"), so it must accept exactly what the JSON
//! grammar accepts, with two documented deviations, each encoded here:
//!
//! 1. Depth: a value nested deeper than `MAX_DEPTH` is refused, even when it is valid JSON
//!    (json_text: "never recurses deeper than `MAX_DEPTH`"). The top value is at depth 0, so a
//!    document is read only when its tree is at most `MAX_DEPTH + 1` values tall.
//! 2. Lone surrogate escapes (`"\ud800"`, `"\udc00"`, a high one not followed by a low one) are
//!    valid JSON grammar but cannot be Rust text: json_text reads each as U+FFFD. serde_json
//!    refuses them when reading a `String`; the oracle's text has them replaced by `\uFFFD`
//!    first, which is exactly json_text's documented reading.
//!
//! Acceptance is judged by serde_json's grammar check alone (deserializing `IgnoredAny`: no
//! recursion limit, no number range, no surrogate check), values by serde_json's `Value`.
//! serde_json's `Value` keeps the *last* of repeated object keys; json_text keeps every member in
//! order and its `get` returns the *first* (documented on `JsonValue::get`): the comparison holds
//! json_text to both halves of that.

use aliyun_globe_sms::json_text::{self, JsonValue, MAX_DEPTH};
use serde_json::{Number, Value};

/// How an input was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// Not JSON: both refuse.
    BothRefused,
    /// JSON: both read it, and json_text's value is serde_json's.
    SameValue,
    /// JSON: both read it; serde_json's `Value` (without `arbitrary_precision`) cannot hold one of
    /// its numbers (beyond f64), so only acceptance was compared.
    AcceptedNumberOutOfF64,
    /// JSON nested deeper than `MAX_DEPTH`: json_text refuses it, as documented.
    TooDeep,
}

/// Compares json_text and serde_json on `text`; `Err` says how they disagree.
pub fn judge(text: &str) -> Result<Agreement, String> {
    let ours = json_text::parse(text);
    let grammar = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
    match (grammar, ours) {
        (false, None) => Ok(Agreement::BothRefused),
        (false, Some(v)) => Err(format!("json_text read what is not JSON: {text:?} → {v:?}")),
        (true, None) if height(text) > MAX_DEPTH + 1 => Ok(Agreement::TooDeep),
        (true, None) => Err(format!(
            "json_text refused JSON {} values tall: {text:?}",
            height(text)
        )),
        (true, Some(_)) if height(text) > MAX_DEPTH + 1 => Err(format!(
            "json_text read JSON deeper than MAX_DEPTH: {text:?}"
        )),
        (true, Some(ours)) => {
            match serde_json::from_str::<Value>(&lone_surrogates_replaced(text)) {
                Ok(theirs) => same(&ours, &theirs, "$").map(|()| Agreement::SameValue),
                Err(e) if e.to_string().starts_with("number out of range") => {
                    Ok(Agreement::AcceptedNumberOutOfF64)
                }
                Err(e) => Err(format!(
                    "serde_json's grammar accepts {text:?} but its Value does not: {e}"
                )),
            }
        }
    }
}

/// How many values tall the tree of a *valid* JSON text is (a scalar or an empty container: 1).
pub fn height(text: &str) -> usize {
    let (mut open, mut tallest) = (0usize, 0usize);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' | '{' => {
                open += 1;
                tallest = tallest.max(open);
            }
            ']' | '}' => open = open.saturating_sub(1),
            ',' | ':' | ' ' | '\t' | '\n' | '\r' => {}
            _ => {
                // A scalar one level inside the open containers (an object key too, which is
                // never taller than its value).
                tallest = tallest.max(open + 1);
                if c == '"' {
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => {
                                chars.next();
                            }
                            '"' => break,
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    tallest
}

/// `text` with every lone surrogate escape inside a string turned into `\uFFFD`, pairing high
/// and low escapes the way json_text does (a high escape followed at once by a low one).
pub fn lone_surrogates_replaced(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let hex_at = |at: usize| -> Option<u32> {
        let escape = bytes.get(at..at + 6)?;
        if escape[0] != b'\\' || escape[1] != b'u' || !escape[2..].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(&escape[2..]).ok()?, 16).ok()
    };
    let (mut at, mut in_string) = (0, false);
    while let Some(&b) = bytes.get(at) {
        if !in_string {
            in_string = b == b'"';
            out.push(b);
            at += 1;
            continue;
        }
        match b {
            b'"' => {
                in_string = false;
                out.push(b);
                at += 1;
            }
            b'\\' => match hex_at(at) {
                Some(0xD800..=0xDBFF) => match hex_at(at + 6) {
                    Some(0xDC00..=0xDFFF) => {
                        out.extend_from_slice(&bytes[at..at + 12]);
                        at += 12;
                    }
                    _ => {
                        out.extend_from_slice(b"\\uFFFD");
                        at += 6;
                    }
                },
                Some(0xDC00..=0xDFFF) => {
                    out.extend_from_slice(b"\\uFFFD");
                    at += 6;
                }
                // Any other escape: copied as it is, two bytes at a time so `\\` and `\"` do
                // not start anything.
                _ => {
                    out.extend_from_slice(&bytes[at..(at + 2).min(bytes.len())]);
                    at += 2;
                }
            },
            _ => {
                out.push(b);
                at += 1;
            }
        }
    }
    // Only ASCII was replaced by ASCII, on escape boundaries: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// json_text's value against serde_json's, `Err` naming the first difference by its path.
/// json_text keeps a number's text: it must be the very lexeme serde_json read, which serde_json
/// reads again alone to the same number.
pub fn same(ours: &JsonValue, theirs: &Value, path: &str) -> Result<(), String> {
    same_with(ours, theirs, path, &|text, n| {
        serde_json::from_str::<Number>(text).is_ok_and(|again| &again == n)
    })
}

/// As `same`, with `numbers` saying whether json_text's number text is serde_json's number.
pub fn same_with(
    ours: &JsonValue,
    theirs: &Value,
    path: &str,
    numbers: &dyn Fn(&str, &Number) -> bool,
) -> Result<(), String> {
    let differ = || Err(format!("{path}: json_text {ours:?}, serde_json {theirs}"));
    match (ours, theirs) {
        (JsonValue::Null, Value::Null) => Ok(()),
        (JsonValue::Bool(a), Value::Bool(b)) if a == b => Ok(()),
        (JsonValue::String(a), Value::String(b)) if a == b => Ok(()),
        (JsonValue::Number(text), Value::Number(n)) if numbers(text, n) => Ok(()),
        (JsonValue::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .try_for_each(|(i, (a, b))| same_with(a, b, &format!("{path}[{i}]"), numbers)),
        (JsonValue::Object(members), Value::Object(map)) => {
            // Every member json_text read is a key of serde_json's map, and every key of the map
            // is among them: the same keys.
            if members.iter().any(|(k, _)| !map.contains_key(k)) {
                return differ();
            }
            for (key, value) in map {
                let inner = format!("{path}.{key}");
                // serde_json keeps the last of repeated keys...
                let Some((_, last)) = members.iter().rev().find(|(k, _)| k == key) else {
                    return differ();
                };
                same_with(last, value, &inner, numbers)?;
                // ...and json_text's `get` gives the first, as its doc says.
                let first = members.iter().find(|(k, _)| k == key).map(|(_, v)| v);
                if ours.get(key) != first {
                    return Err(format!("{inner}: get() is not the first member"));
                }
            }
            Ok(())
        }
        _ => differ(),
    }
}
