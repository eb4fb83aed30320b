//! The two percent-encodings on Alibaba's wire (wire-format.md §5 and §8).
//!
//! Signing uses one strict rule for both schemes; the URL text uses the looser rule the official
//! Node SDK happens to produce. Both work on UTF-8 bytes and write upper-case hex.

/// Bytes left bare by the signing rule: RFC 3986 unreserved characters.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// Bytes the official Node SDK leaves bare in the URL: `querystring.stringify` keeps
/// `A-Z a-z 0-9 - _ . ! ~ * ' ( )`, then Node's URL parser escapes `'` (wire-format.md §8).
fn is_bare_in_sdk_url(byte: u8) -> bool {
    is_unreserved(byte) || matches!(byte, b'!' | b'*' | b'(' | b')')
}

fn encode_with(text: &str, keep: fn(u8) -> bool, out: &mut String) {
    for &byte in text.as_bytes() {
        if keep(byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(super::hex_digit(byte >> 4, b'A'));
            out.push(super::hex_digit(byte, b'A'));
        }
    }
}

/// The signing encoder (wire-format.md §5): `A-Z a-z 0-9 - _ . ~` bare, every other UTF-8 byte as
/// `%XX`. Space is `%20`, `*` is `%2A`, `~` stays bare. Used by signature 1.0 (twice) and ACS3.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    encode_with(text, is_unreserved, &mut out);
    out
}

/// Appends `encode(text)` to `out` without an intermediate string.
pub fn encode_into(text: &str, out: &mut String) {
    encode_with(text, is_unreserved, out);
}

/// The URL encoder: the bytes the official Node SDK puts in its request line (wire-format.md §8),
/// so our URL is byte-identical to the SDK's. Both decode to the same values.
pub fn encode_for_url_into(text: &str, out: &mut String) {
    encode_with(text, is_bare_in_sdk_url, out);
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
    fn url_rule_keeps_what_node_keeps() {
        let mut out = String::new();
        encode_for_url_into("a b*c~d+e/f!'()", &mut out);
        assert_eq!(out, "a%20b*c~d%2Be%2Ff!%27()");
    }
}
