//! The JSON reader, `json_text::parse`, against serde_json on any text.
//!
//! Checked beyond "no panic" (the oracle and its two documented deviations are in
//! `common/json_oracle.rs`):
//! - json_text accepts exactly what the JSON grammar accepts, except JSON nested deeper than
//!   `MAX_DEPTH`, which it refuses;
//! - when it accepts, its value is serde_json's (`arbitrary_precision`, so numbers are compared
//!   as their exact text), lone surrogate escapes read as U+FFFD, repeated keys all kept with
//!   `get` giving the first;
//! - what it read, written back with the crate's own string writer, reads back the same.

#![no_main]

use aliyun_globe_sms::json_text::{self, push_json_string, JsonValue};
use libfuzzer_sys::fuzz_target;

#[path = "../common/json_oracle.rs"]
mod json_oracle;

fuzz_target!(|data: &[u8]| {
    // What the response reader does with a body: lossy UTF-8.
    let text = String::from_utf8_lossy(data);
    if let Err(disagreement) = json_oracle::judge(&text) {
        panic!("{disagreement}");
    }
    if let Some(value) = json_text::parse(&text) {
        let mut written = String::new();
        write(&mut written, &value);
        assert_eq!(
            json_text::parse(&written).as_ref(),
            Some(&value),
            "{text:?} written back as {written:?}"
        );
    }
});

fn write(out: &mut String, value: &JsonValue) {
    match value {
        JsonValue::Null => out.push_str("null"),
        JsonValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JsonValue::Number(n) => out.push_str(n),
        JsonValue::String(s) => push_json_string(out, s),
        JsonValue::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, item);
            }
            out.push(']');
        }
        JsonValue::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_string(out, key);
                out.push(':');
                write(out, item);
            }
            out.push('}');
        }
    }
}
