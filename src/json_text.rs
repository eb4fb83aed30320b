//! JSON text as this API uses it: `To` and `Message` are JSON arrays inside string parameters
//! (seed doc, api-reference §1), and answers are small JSON objects.
//!
//! Writing: the same bytes `JSON.stringify` writes for an array of strings, so our requests sign
//! exactly like the official SDK's (golden README: "a compact JSON writer that leaves non-ASCII as
//! UTF-8 gives back `inputs.request` exactly").
//!
//! Reading: a small strict reader instead of serde_json, because the answers we read are a
//! handful of strings and arrays, and a general reader (with float parsing and formatting) was a
//! third of the shipped WebAssembly. Numbers are kept as their text; no float arithmetic at all.
//! It never panics and never recurses deeper than `MAX_DEPTH`.

/// Deepest nesting the reader follows; deeper input is refused rather than risking the stack.
pub const MAX_DEPTH: usize = 32;

/// A JSON value. Numbers keep their text (`"1"`, `"1.5e3"`), objects their member order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonValue {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<JsonValue>),
    Object(Vec<(String, JsonValue)>),
}

impl JsonValue {
    /// The member `key` of an object (the first, if repeated).
    pub fn get(&self, key: &str) -> Option<&JsonValue> {
        match self {
            JsonValue::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Writes `["a","b"]` the way `JSON.stringify` does: no spaces, non-ASCII left as UTF-8, and only
/// `"`, `\` and control characters below U+0020 escaped.
///
/// The items are walked twice, once to size the text (a 1000-recipient `Message` is about 100 KB:
/// growing it by doubling would copy it over again a dozen times), hence `Clone`.
pub fn string_array<'a, I>(items: I) -> String
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: Clone,
{
    let items = items.into_iter();
    // Exact unless an item needs escapes: two quotes and a comma per item, the brackets.
    let capacity = items
        .clone()
        .fold(2usize, |sum, item| sum.saturating_add(item.len()).saturating_add(3));
    let mut out = String::with_capacity(capacity);
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(&mut out, item);
    }
    out.push(']');
    out
}

/// Whether `byte` is escaped in a JSON string: `"`, `\` and the control characters below U+0020.
/// Every such byte is ASCII, so positions found by it are character boundaries.
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether any of the eight bytes of `word` needs an escape, in a few word operations instead of
/// eight byte tests. The standard SWAR tests "a byte below n" (`(w - n·01…) & !w & 80…`, for
/// n ≤ 128) and "a zero byte" (the same with n = 1, after XOR with the wanted byte) can flag a
/// byte above a true hit, never a word without one: exact as a yes or no, which is all asked.
fn word_needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    (below(word, 0x20) | below(quote, 1) | below(backslash, 1)) & HIGHS != 0
}

/// The position of the first byte at or after `from` that needs an escape. Eight bytes at a time:
/// most texts have none, so this is the whole cost of writing them.
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let find = |part: &[u8], at: usize| part.iter().position(|&b| needs_escape(b)).map(|i| at + i);
    let mut chunks = rest.chunks_exact(8);
    let mut at = from;
    for chunk in &mut chunks {
        // Always eight bytes; were it not, the zero word sends the chunk to the byte scan.
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or([0; 8]));
        if word_needs_escape(word) {
            if let Some(found) = find(chunk, at) {
                return Some(found);
            }
        }
        at += 8;
    }
    find(chunks.remainder(), at)
}

/// Appends `text` as a JSON string literal, escaped as `JSON.stringify` escapes it. Runs that
/// need no escape are copied whole: a 1000-recipient batch writes about 100 KB here.
pub fn push_json_string(out: &mut String, text: &str) {
    out.reserve(text.len().saturating_add(2));
    out.push('"');
    let bytes = text.as_bytes();
    let mut run_start = 0;
    while let Some(at) = next_escape(bytes, run_start) {
        out.push_str(text.get(run_start..at).unwrap_or(""));
        let byte = bytes.get(at).copied().unwrap_or(0);
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ => "",
        };
        if escape.is_empty() {
            // JSON.stringify writes the other control characters as \u00xx, lower-case hex.
            out.push_str("\\u00");
            out.push(crate::signature::hex_digit(byte >> 4, b'a'));
            out.push(crate::signature::hex_digit(byte, b'a'));
        } else {
            out.push_str(escape);
        }
        run_start = at + 1;
    }
    out.push_str(text.get(run_start..).unwrap_or(""));
    out.push('"');
}

/// How many bytes `text` takes as a JSON string literal once URL-encoded the official SDK's way
/// (what `push_json_string` then `percent::encode_for_url_into` would write), without writing it.
pub fn string_url_len(text: &str) -> usize {
    // The URL encoder's own count of the unescaped text, plus what each JSON escape adds to it:
    // an escaped byte is 3 bytes in the URL either way, its escape a few more. Most texts have no
    // escape, and both walks go eight bytes or a vector at a time.
    let bytes = text.as_bytes();
    let mut extra = 0usize;
    let mut from = 0;
    while let Some(at) = next_escape(bytes, from) {
        extra += match bytes.get(at) {
            // \" and \\: %5C%22, %5C%5C.
            Some(b'"' | b'\\') => 3,
            // \b \f \n \r \t: %5C and a letter.
            Some(0x08 | 0x0c | b'\n' | b'\r' | b'\t') => 1,
            // \u00xx: %5C, then u00xx bare.
            _ => 5,
        };
        from = at + 1;
    }
    // The two quotes are %22 each.
    6 + crate::signature::percent::url_encoded_len(text) + extra
}

/// Reads one JSON value filling the whole text (white space around it allowed). `None` for
/// anything that is not strict JSON, or nests deeper than `MAX_DEPTH`.
pub fn parse(text: &str) -> Option<JsonValue> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = reader.value(0)?;
    reader.skip_space();
    (reader.at == reader.bytes.len()).then_some(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &[u8], value: JsonValue) -> Option<JsonValue> {
        let end = self.at.checked_add(word.len())?;
        if self.bytes.get(self.at..end)? == word {
            self.at = end;
            Some(value)
        } else {
            None
        }
    }

    fn value(&mut self, depth: usize) -> Option<JsonValue> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(JsonValue::String),
            b't' => self.literal(b"true", JsonValue::Bool(true)),
            b'f' => self.literal(b"false", JsonValue::Bool(false)),
            b'n' => self.literal(b"null", JsonValue::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<JsonValue> {
        self.at += 1; // '{'
        let mut members = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(JsonValue::Object(members));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return None;
            }
            let key = self.string()?;
            self.skip_space();
            if self.next()? != b':' {
                return None;
            }
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_space();
            match self.next()? {
                b',' => continue,
                b'}' => return Some(JsonValue::Object(members)),
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<JsonValue> {
        self.at += 1; // '['
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Some(JsonValue::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.next()? {
                b',' => continue,
                b']' => return Some(JsonValue::Array(items)),
                _ => return None,
            }
        }
    }

    fn number(&mut self) -> Option<JsonValue> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        let text = std::str::from_utf8(self.bytes.get(start..self.at)?).ok()?;
        Some(JsonValue::Number(text.to_string()))
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut n = 0u32;
        for _ in 0..4 {
            let d = char::from(self.next()?).to_digit(16)?;
            n = n * 16 + d;
        }
        Some(n)
    }

    fn string(&mut self) -> Option<String> {
        self.at += 1; // opening quote
        let mut out = Vec::new();
        loop {
            match self.next()? {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let c = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first)
                                && self.bytes.get(self.at..self.at.saturating_add(2))
                                    == Some(&b"\\u"[..])
                            {
                                let save = self.at;
                                self.at += 2;
                                match self.hex4()? {
                                    low @ 0xDC00..=0xDFFF => {
                                        0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
                                    }
                                    _ => {
                                        self.at = save;
                                        first
                                    }
                                }
                            } else {
                                first
                            };
                            // A lone surrogate cannot be held in Rust text: it reads as U+FFFD.
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                // Raw control characters are not allowed inside JSON strings.
                0x00..=0x1f => return None,
                b => out.push(b),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The writer as first written, one byte at a time: the reference for the word-at-a-time one.
    fn reference_push(out: &mut String, text: &str) {
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
                c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => out.push(c),
            }
        }
        out.push('"');
    }

    /// What `string_url_len` counts, by writing it: the JSON text, then the URL encoder.
    fn written_url_len(text: &str) -> usize {
        let mut json = String::new();
        reference_push(&mut json, text);
        let mut url = String::new();
        crate::signature::percent::encode_for_url_into(&json, &mut url);
        url.len()
    }

    /// Every escape and its neighbours, GSM extension characters, non-ASCII and surrogate-pair
    /// characters, placed at every offset of the eight-byte words by the strategy's lengths.
    const TRICKY: &[char] = &[
        '"', '\\', '/', '\0', '\u{1}', '\u{8}', '\u{c}', '\n', '\r', '\t', '\u{1f}', ' ', '!',
        '#', '[', ']', '\u{7f}', '^', '{', '}', '~', '|', '€', 'a', 'Z', '0', '*', '(', ')', '\'', '%',
        '+', '&', '=', 'é', '你', '😀', '\u{2028}', '\u{a0}', '\u{ffff}', '\u{10ffff}',
    ];

    fn tricky_text() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::collection::vec(proptest::sample::select(TRICKY), 0..80),
            proptest::collection::vec(
                prop_oneof![8 => proptest::char::range('a', 'z'), 1 => proptest::sample::select(TRICKY)],
                0..200
            ),
            proptest::collection::vec(any::<char>(), 0..80),
        ]
        .prop_map(|chars| chars.into_iter().collect())
    }

    #[test]
    fn word_test_is_exact_for_every_byte_at_every_place() {
        for fill in [b'a', 0u8, 0x80, 0xff, b'"', b' '] {
            for byte in 0..=255u8 {
                for place in 0..8 {
                    let mut word = [fill; 8];
                    word[place] = byte;
                    assert_eq!(
                        word_needs_escape(u64::from_le_bytes(word)),
                        word.iter().any(|&b| needs_escape(b)),
                        "{fill:#x} {byte:#x} at {place}"
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn word_test_matches_bytes(word in any::<u64>()) {
            prop_assert_eq!(
                word_needs_escape(word),
                word.to_le_bytes().iter().any(|&b| needs_escape(b))
            );
        }

        #[test]
        fn writer_matches_the_reference(text in tricky_text(), prefix in "[a-z]{0,9}") {
            let mut fast = prefix.clone();
            push_json_string(&mut fast, &text);
            let mut slow = prefix;
            reference_push(&mut slow, &text);
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn array_matches_the_reference(items in proptest::collection::vec(tricky_text(), 0..6)) {
            let mut slow = String::from("[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    slow.push(',');
                }
                reference_push(&mut slow, item);
            }
            slow.push(']');
            prop_assert_eq!(string_array(items.iter().map(String::as_str)), slow);
        }

        #[test]
        fn url_len_matches_what_is_written(text in tricky_text()) {
            prop_assert_eq!(string_url_len(&text), written_url_len(&text));
        }
    }

    #[test]
    fn matches_json_stringify() {
        assert_eq!(string_array(["a", "b"]), r#"["a","b"]"#);
        assert_eq!(string_array(Vec::<&str>::new()), "[]");
        assert_eq!(
            string_array(["Line one\nLine two", "CRLF\r\nand a\ttab"]),
            r#"["Line one\nLine two","CRLF\r\nand a\ttab"]"#
        );
        assert_eq!(
            string_array(["q\"b\\s/\u{1}\u{1f}\u{7f}é🎉\u{2028}"]),
            "[\"q\\\"b\\\\s/\\u0001\\u001f\u{7f}é🎉\u{2028}\"]"
        );
    }

    #[test]
    fn string_url_len_counts_what_writer_and_encoder_write() {
        for text in ["", "plain", "q\"b\\s/\u{1}\u{8}\n\t\u{7f}é🎉 你好 (x)*!'~"] {
            let mut json = String::new();
            push_json_string(&mut json, text);
            let mut url = String::new();
            crate::signature::percent::encode_for_url_into(&json, &mut url);
            assert_eq!(string_url_len(text), url.len(), "{text:?}");
        }
    }

    #[test]
    fn writer_and_reader_round_trip() {
        let items = ["", "\u{0}\u{1f}", "你好", "a\"b", "\\", "🎉"];
        let text = string_array(items);
        let expected = JsonValue::Array(
            items
                .iter()
                .map(|s| JsonValue::String(s.to_string()))
                .collect(),
        );
        assert_eq!(parse(&text), Some(expected));
    }

    #[test]
    fn reads_what_the_service_sends() {
        let v = parse(r#" {"ResponseCode":"OK","SuccessCount":"2","N":12,"F":-1.5e3,"L":"[\"1\"]","D":{"a":[true,false,null]}} "#)
            .unwrap();
        assert_eq!(v.get("ResponseCode"), Some(&JsonValue::String("OK".into())));
        assert_eq!(v.get("N"), Some(&JsonValue::Number("12".into())));
        assert_eq!(v.get("F"), Some(&JsonValue::Number("-1.5e3".into())));
        assert_eq!(
            parse(r#""\u00e9\ud83c\udf89\ud800x\/""#),
            Some(JsonValue::String("é🎉\u{FFFD}x/".into()))
        );
    }

    #[test]
    fn refuses_what_is_not_strict_json() {
        for bad in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "{\"a\":1,}",
            "{'a':1}",
            "01",
            "1.",
            "-",
            "1e",
            "+1",
            "NaN",
            "tru",
            "\"abc",
            "\"a\nb\"",
            "\"\\x\"",
            "\"\\u12\"",
            "{\"a\" 1}",
            "[1 2]",
            "{} {}",
            "<xml/>",
            "{\"ResponseCode\":\"OK\"",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(parse(&deep), None);
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_some());
    }
}
