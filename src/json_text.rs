//! `To` and `Message` travel as JSON arrays inside a string parameter (seed doc, api-reference §1).
//!
//! The official SDK sends whatever text the caller built; callers build it with
//! `JSON.stringify`. We write the same bytes `JSON.stringify` writes for an array of strings, so a
//! request of ours signs exactly like the SDK's for the same recipients and messages (golden README:
//! "a compact JSON writer that leaves non-ASCII as UTF-8 gives back `inputs.request` exactly").

/// Writes `["a","b"]` the way `JSON.stringify` does: no spaces, non-ASCII left as UTF-8, and only
/// `"`, `\` and control characters below U+0020 escaped.
pub fn string_array<'a, I>(items: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(&mut out, item);
    }
    out.push(']');
    out
}

fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                // JSON.stringify writes the other control characters as \u00xx, lower-case hex.
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_json_stringify() {
        assert_eq!(string_array(["a", "b"]), r#"["a","b"]"#);
        assert_eq!(string_array(Vec::<&str>::new()), "[]");
        assert_eq!(
            string_array(["Line one\nLine two", "CRLF\r\nand a\ttab"]),
            r#"["Line one\nLine two","CRLF\r\nand a\ttab"]"#
        );
        assert_eq!(
            string_array(["q\"b\\s/\u{1}\u{7f}é🎉\u{2028}"]),
            "[\"q\\\"b\\\\s/\\u0001\u{7f}é🎉\u{2028}\"]"
        );
    }

    #[test]
    fn round_trips_through_a_json_reader() {
        let items = ["", "\u{0}\u{1f}", "你好", "a\"b", "\\"];
        let text = string_array(items);
        let back: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, items);
    }
}
