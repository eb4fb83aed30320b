//! The two signature schemes Alibaba's gateway accepts, sharing one percent-encoder.
//!
//! Each signer returns every intermediate text (canonical form, string-to-sign) beside the
//! signature, so the golden vectors can be checked part by part. Those texts never hold the
//! AccessKeySecret; with STS the signature-1.0 string-to-sign holds the token, so they are for
//! tests and debugging, never for error messages.

pub mod acs3;
pub mod percent;
mod query;
pub mod v1;

/// The hex digit of the low four bits of `value`, with letters from `a_or_upper_a` (`b'a'` or
/// `b'A'`). Arithmetic rather than a table lookup, so no index can be out of range.
pub(crate) fn hex_digit(value: u8, a_or_upper_a: u8) -> char {
    let n = value & 0x0f;
    char::from(if n < 10 {
        b'0' + n
    } else {
        a_or_upper_a + (n - 10)
    })
}

/// Sorts `(name, value)` pairs by name in byte order, keeping equal names in order. Insertion
/// sort: a request has at most a dozen parameters or headers, and this one small function is far
/// smaller in the WebAssembly than the standard library's sorts.
pub(crate) fn sort_by_name<N: AsRef<str>, V>(items: &mut [(N, V)]) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 {
            let out_of_order = match (items.get(j - 1), items.get(j)) {
                (Some(a), Some(b)) => a.0.as_ref().as_bytes() > b.0.as_ref().as_bytes(),
                _ => false,
            };
            if !out_of_order {
                break;
            }
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Lower-case hex of bytes (ACS3 digests and signatures).
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(hex_digit(b >> 4, b'a'));
        out.push(hex_digit(b, b'a'));
    }
    out
}

/// Standard Base64 with `=` padding (signature 1.0's 20-byte digest).
pub(crate) fn base64_standard(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An HMAC keyed with `key`, ready for `update`. HMAC takes a key of any length (RFC 2104 hashes a
/// longer one), so `new_from_slice` has no error to give; the crate still returns a `Result`, and
/// since the crate's lints forbid `expect`, the unreachable arm falls back to an all-zero key
/// rather than panicking (a wrong key would only make the gateway refuse the signature).
pub(crate) fn hmac<D: hmac::EagerHash>(key: &[u8]) -> hmac::Hmac<D> {
    use hmac::KeyInit as _;
    hmac::Hmac::<D>::new_from_slice(key)
        .unwrap_or_else(|_| hmac::Hmac::<D>::new(&Default::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_examples() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_standard(input.as_bytes()), expected);
        }
        assert_eq!(base64_standard(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn sort_by_name_is_byte_order_and_stable() {
        let mut v = vec![
            ("b", 1),
            ("Type", 2),
            ("a", 3),
            ("B", 4),
            ("a", 5),
            ("AccessKeyId", 6),
        ];
        sort_by_name(&mut v);
        assert_eq!(
            v,
            [
                ("AccessKeyId", 6),
                ("B", 4),
                ("Type", 2),
                ("a", 3),
                ("a", 5),
                ("b", 1)
            ]
        );
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex_lower(&[0x00, 0xab, 0xff]), "00abff");
    }
}
