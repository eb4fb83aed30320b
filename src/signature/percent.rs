//! The two percent-encodings on Alibaba's wire (wire-format.md §5 and §8).
//!
//! Signing uses one strict rule for both schemes; the URL text uses the looser rule the official
//! Node SDK happens to produce. Both work on UTF-8 bytes and write upper-case hex.

/// Which bytes each rule leaves bare, as one 256-entry table per rule: the encoders run over
/// every byte of a 60-600 KB request two or three times, so a table lookup and copying bare runs
/// whole beat a per-byte function call (the benchmark against the official SDK measured that).
// Evaluated at compile time only: an index out of range would fail the build, never a run.
#[allow(clippy::indexing_slicing)]
const fn bare_table(url: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        // RFC 3986 unreserved: the signing rule (wire-format.md §5).
        let unreserved = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~');
        // Node's querystring.stringify also keeps ! * ' ( ), then its URL parser escapes '
        // (wire-format.md §8).
        let sdk_url_extra = matches!(byte, b'!' | b'*' | b'(' | b')');
        table[b] = unreserved || (url && sdk_url_extra);
        b += 1;
    }
    table
}

const BARE_FOR_SIGNING: [bool; 256] = bare_table(false);
const BARE_IN_SDK_URL: [bool; 256] = bare_table(true);

fn encode_with(text: &str, bare: &[bool; 256], out: &mut String) {
    // Bytes, not chars: runs of bare bytes are copied whole, every other byte becomes three ASCII
    // bytes, and the part is checked as UTF-8 once (it always is: the input was, escapes are
    // ASCII, and runs end on ASCII).
    let bytes = text.as_bytes();
    let mut part = Vec::with_capacity(bytes.len() + bytes.len() / 2);
    let mut run_start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if bare.get(usize::from(byte)).copied().unwrap_or(false) {
            continue;
        }
        part.extend_from_slice(bytes.get(run_start..at).unwrap_or(&[]));
        part.push(b'%');
        part.push(hex_upper(byte >> 4));
        part.push(hex_upper(byte & 0x0f));
        run_start = at + 1;
    }
    part.extend_from_slice(bytes.get(run_start..).unwrap_or(&[]));
    if let Ok(part) = std::str::from_utf8(&part) {
        out.push_str(part);
    }
}

fn hex_upper(nibble: u8) -> u8 {
    if nibble < 10 {
        b'0' + nibble
    } else {
        b'A' + (nibble - 10)
    }
}

/// The signing encoder (wire-format.md §5): `A-Z a-z 0-9 - _ . ~` bare, every other UTF-8 byte as
/// `%XX`. Space is `%20`, `*` is `%2A`, `~` stays bare. Used by signature 1.0 (twice) and ACS3.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    encode_with(text, &BARE_FOR_SIGNING, &mut out);
    out
}

/// Appends `encode(text)` to `out` without an intermediate string.
pub fn encode_into(text: &str, out: &mut String) {
    encode_with(text, &BARE_FOR_SIGNING, out);
}

/// The URL encoder: the bytes the official Node SDK puts in its request line (wire-format.md §8),
/// so our URL is byte-identical to the SDK's. Both decode to the same values.
pub fn encode_for_url_into(text: &str, out: &mut String) {
    encode_with(text, &BARE_IN_SDK_URL, out);
}

/// How many bytes `encode_for_url_into` writes for one byte.
pub fn url_encoded_byte_len(byte: u8) -> usize {
    if BARE_IN_SDK_URL
        .get(usize::from(byte))
        .copied()
        .unwrap_or(false)
    {
        1
    } else {
        3
    }
}

/// How many bytes `encode_for_url_into` writes for `text`, without writing them.
pub fn url_encoded_len(text: &str) -> usize {
    text.bytes().map(url_encoded_byte_len).sum()
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
            let expected = if BARE_FOR_SIGNING[usize::from(b)] {
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

    #[test]
    fn url_rule_keeps_what_node_keeps() {
        let mut out = String::new();
        encode_for_url_into("a b*c~d+e/f!'()", &mut out);
        assert_eq!(out, "a%20b*c~d%2Be%2Ff!%27()");
    }
}
