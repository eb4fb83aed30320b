//! The two percent-encodings on Alibaba's wire (docs/spec/wire-format.md §5 and §8).
//!
//! Signing uses one strict rule for both schemes (signature 1.0 applies it twice, done here in one
//! pass); the URL text uses the looser rule the official Node SDK happens to produce. All work on
//! UTF-8 bytes and write upper-case hex.

/// What one byte is under the two rules. The signing rule's bare bytes are a subset of the URL
/// rule's, so three classes cover every byte.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Bare under both rules: RFC 3986 unreserved, `A-Z a-z 0-9 - _ . ~` (docs/spec/wire-format.md §5).
    Bare,
    /// Bare in the SDK's URL, escaped when signing: `! * ( )`. Node's querystring.stringify keeps
    /// ! * ' ( ), then its URL parser escapes ' (docs/spec/wire-format.md §8).
    BareInUrl,
    /// Escaped under both rules.
    Escaped,
}

/// The class of every byte, as one 256-entry table: the encoders run over every byte of a
/// 60-600 KB request, so one lookup per byte beats a chain of comparisons (the benchmark
/// against the official SDK measured that).
// Evaluated at compile time only: an index out of range would fail the build, never a run.
#[allow(clippy::indexing_slicing)]
const CLASSES: [Class; 256] = {
    let mut table = [Class::Escaped; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            table[b] = Class::Bare;
        } else if matches!(byte, b'!' | b'*' | b'(' | b')') {
            table[b] = Class::BareInUrl;
        }
        b += 1;
    }
    table
};

/// An encoding: which bytes stay bare and what the others become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// The official Node SDK's URL text (docs/spec/wire-format.md §8).
    Url,
    /// The signing rule once (docs/spec/wire-format.md §5): ACS3's canonical query.
    Signing,
    /// The signing rule applied twice, as signature 1.0's string-to-sign does to every value.
    /// Encoding again only re-escapes the `%` of each escape (hex digits and bare bytes stay),
    /// so a byte goes straight to its final form: bare, or `%25XX`.
    SigningTwice,
}

impl Rule {
    fn keeps(self, class: Class) -> bool {
        match self {
            Rule::Url => class != Class::Escaped,
            Rule::Signing | Rule::SigningTwice => class == Class::Bare,
        }
    }

    /// Appends the escape of `byte`. Fixed-size writes: a slice of variable length would cost a
    /// `memcpy` call per byte, and Chinese text escapes every byte.
    fn push_escape(self, byte: u8, out: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let hi = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
        let lo = HEX.get(usize::from(byte & 0x0f)).copied().unwrap_or(b'0');
        match self {
            Rule::Url | Rule::Signing => out.extend_from_slice(&[b'%', hi, lo]),
            Rule::SigningTwice => out.extend_from_slice(&[b'%', b'2', b'5', hi, lo]),
        }
    }
}

/// Where one side of `encode_both` goes: a byte buffer, or nowhere (the unwanted side of a
/// one-rule call, which compiles away).
pub(crate) trait Sink {
    fn push(&mut self, byte: u8);
    fn push_escape(&mut self, rule: Rule, byte: u8);
}

impl Sink for Vec<u8> {
    fn push(&mut self, byte: u8) {
        Vec::push(self, byte);
    }
    fn push_escape(&mut self, rule: Rule, byte: u8) {
        rule.push_escape(byte, self);
    }
}

struct Nowhere;

impl Sink for Nowhere {
    fn push(&mut self, _: u8) {}
    fn push_escape(&mut self, _: Rule, _: u8) {}
}

/// One pass over `text` that appends it to `a` under `a_rule` and to `b` under `b_rule`: the
/// URL and the signing text of one value read its bytes once. Everything written is ASCII.
///
/// Byte by byte: the bare runs of message text are words a few bytes long, too short for copying
/// them whole to beat a push per byte.
pub(crate) fn encode_both(
    text: &str,
    a: &mut impl Sink,
    a_rule: Rule,
    b: &mut impl Sink,
    b_rule: Rule,
) {
    for &byte in text.as_bytes() {
        let class = CLASSES
            .get(usize::from(byte))
            .copied()
            .unwrap_or(Class::Escaped);
        if a_rule.keeps(class) {
            a.push(byte);
        } else {
            a.push_escape(a_rule, byte);
        }
        if b_rule.keeps(class) {
            b.push(byte);
        } else {
            b.push_escape(b_rule, byte);
        }
    }
}

/// Appends `text` under `rule` to a byte buffer.
pub(crate) fn encode_bytes(text: &str, rule: Rule, out: &mut Vec<u8>) {
    encode_both(text, out, rule, &mut Nowhere, rule);
}

/// Appends `text` under `rule` to `out`.
fn encode_with(text: &str, rule: Rule, out: &mut String) {
    let mut bytes = Vec::with_capacity(text.len() * 3);
    encode_bytes(text, rule, &mut bytes);
    // ASCII by construction, so never the empty fallback.
    out.push_str(std::str::from_utf8(&bytes).unwrap_or(""));
}

/// The signing encoder (docs/spec/wire-format.md §5): `A-Z a-z 0-9 - _ . ~` bare, every other UTF-8 byte as
/// `%XX`. Space is `%20`, `*` is `%2A`, `~` stays bare. Used by signature 1.0 (twice) and ACS3.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    encode_with(text, Rule::Signing, &mut out);
    out
}

/// Appends `encode(text)` to `out` without an intermediate string.
pub fn encode_into(text: &str, out: &mut String) {
    encode_with(text, Rule::Signing, out);
}

/// The URL encoder: the bytes the official Node SDK puts in its request line (docs/spec/wire-format.md §8),
/// so our URL is byte-identical to the SDK's. Both decode to the same values.
pub fn encode_for_url_into(text: &str, out: &mut String) {
    encode_with(text, Rule::Url, out);
}

/// How many bytes `encode_for_url_into` writes for one byte.
pub fn url_encoded_byte_len(byte: u8) -> usize {
    match CLASSES.get(usize::from(byte)) {
        Some(Class::Bare | Class::BareInUrl) => 1,
        _ => 3,
    }
}

/// How many bytes `encode_for_url_into` writes for `text`, without writing them.
pub fn url_encoded_len(text: &str) -> usize {
    // Comparisons rather than the table, counted in byte-sized sums over blocks of 255: the
    // compiler turns that into vector code, which matters when sizing a 600 KB URL before
    // writing it.
    let escaped = |b: u8| {
        !(b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~' | b'!' | b'*' | b'(' | b')'))
    };
    let escapes: usize = text
        .as_bytes()
        .chunks(255)
        .map(|block| {
            let n: u8 = block.iter().map(|&b| u8::from(escaped(b))).sum();
            usize::from(n)
        })
        .sum();
    text.len() + 2 * escapes
}

/// Decodes `%XX` escapes and `+` (a space, as form encoders write it). `None` for a broken escape
/// or text that is not UTF-8 once decoded.
pub fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = |at: usize| bytes.get(at).and_then(|h| char::from(*h).to_digit(16));
                let (hi, lo) = (hex(i + 1)?, hex(i + 2)?);
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_rule() {
        assert_eq!(encode("a b*c~d+e/f"), "a%20b%2Ac~d%2Be%2Ff");
        assert_eq!(encode("!'()"), "%21%27%28%29");
        assert_eq!(encode("100%20"), "100%2520");
        assert_eq!(encode("é🎉"), "%C3%A9%F0%9F%8E%89");
        assert_eq!(encode("AZaz09-_.~"), "AZaz09-_.~");
    }

    #[test]
    fn every_byte_has_its_escape() {
        for b in 0..=255u8 {
            let expected = if CLASSES[usize::from(b)] == Class::Bare {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            };
            if b < 0x80 {
                assert_eq!(encode(&char::from(b).to_string()), expected);
            }
        }
    }

    #[test]
    fn url_encoded_len_counts_what_the_encoder_writes() {
        for text in [
            "",
            "abc",
            "a b*c~d+e/f!'()",
            "你好 🎉",
            "[\"6591234567\",\"x\"]",
        ] {
            let mut url = String::new();
            encode_for_url_into(text, &mut url);
            assert_eq!(url_encoded_len(text), url.len(), "{text}");
        }
    }

    #[test]
    fn decode_undoes_both_encoders() {
        for text in ["a b*c~d+e/f!'()", "你好 🎉", "100%20", ""] {
            assert_eq!(decode(&encode(text)).as_deref(), Some(text));
            let mut url = String::new();
            encode_for_url_into(text, &mut url);
            assert_eq!(decode(&url).as_deref(), Some(text));
        }
        assert_eq!(decode("a+b").as_deref(), Some("a b"));
        assert_eq!(decode("%zz"), None);
        assert_eq!(decode("%4"), None);
        assert_eq!(decode("%FF"), None);
    }

    /// The URL rule byte by byte, from docs/spec/wire-format.md §8's list.
    fn naive_url(text: &str) -> String {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~!*()".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }

    fn bytes_of(text: &str, rule: Rule) -> String {
        let mut out = Vec::new();
        encode_bytes(text, rule, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escape_tables_are_upper_case_hex() {
        assert_eq!(bytes_of("\u{0}\u{ff}", Rule::Url), "%00%C3%BF");
        assert_eq!(
            bytes_of("\u{0}\u{ff}", Rule::SigningTwice),
            "%2500%25C3%25BF"
        );
        assert_eq!(bytes_of("a b*", Rule::SigningTwice), "a%2520b%252A");
    }

    proptest::proptest! {
        // The one-pass encoders against the plain compositions: twice-encoding is
        // encode(encode(x)), and the fused pass writes what the two rules write on their own.
        #[test]
        fn one_pass_encoders_match_the_two_pass_compositions(text in "\\PC*|[ -~é你🎉]{0,600}") {
            let once = encode(&text);
            let twice = encode(&once);
            proptest::prop_assert_eq!(bytes_of(&text, Rule::SigningTwice), twice.clone());
            proptest::prop_assert_eq!(bytes_of(&text, Rule::Signing), once.clone());
            let url = naive_url(&text);
            proptest::prop_assert_eq!(bytes_of(&text, Rule::Url), url.clone());
            proptest::prop_assert_eq!(url_encoded_len(&text), url.len());
            for (rule, expected) in [(Rule::SigningTwice, &twice), (Rule::Signing, &once)] {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                encode_both(&text, &mut a, Rule::Url, &mut b, rule);
                proptest::prop_assert_eq!(String::from_utf8(a).unwrap(), url.clone());
                proptest::prop_assert_eq!(&String::from_utf8(b).unwrap(), expected);
            }
        }
    }

    #[test]
    fn url_rule_keeps_what_node_keeps() {
        let mut out = String::new();
        encode_for_url_into("a b*c~d+e/f!'()", &mut out);
        assert_eq!(out, "a%20b*c~d%2Be%2Ff!%27()");
    }
}
