//! ACS3-HMAC-SHA256 (signature v3), the official SDK's default scheme (wire-format.md §10).

use super::{hex_lower, percent};

/// The algorithm name written at the head of the string-to-sign and of `Authorization`.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Hex SHA-256 of the empty body: every request of ours has an empty body (wire-format.md §10.1).
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What is signed: method, path, query parameters and the headers to sign.
#[derive(Debug, Clone, Copy)]
pub struct CanonicalInput<'a> {
    /// `POST`.
    pub method: &'a str,
    /// The path, `/` on this API.
    pub path: &'a str,
    /// Query parameters as sent (unencoded values).
    pub query: &'a [(&'a str, &'a str)],
    /// Headers to sign: `host` and every `x-acs-*` header sent (names in any case).
    pub headers: &'a [(&'a str, &'a str)],
    /// Lower-case hex SHA-256 of the body.
    pub payload_sha256: &'a str,
}

/// Every text the ACS3 recipe produces, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3Signature {
    /// Sorted `name=value` pairs, values encoded once.
    pub canonical_query: String,
    /// `name:value\n` for each signed header, sorted.
    pub canonical_headers: String,
    /// The signed header names joined with `;`.
    pub signed_headers: String,
    /// The six parts joined with `\n`.
    pub canonical_request: String,
    /// `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
    pub string_to_sign: String,
    /// Lower-case hex HMAC-SHA256 keyed with the secret as given.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

/// Signs `input` with `access_key_secret`; `access_key_id` goes in `Credential=`.
pub fn sign(
    input: &CanonicalInput<'_>,
    access_key_id: &str,
    access_key_secret: &str,
) -> Acs3Signature {
    let mut query: Vec<(&str, &str)> = input.query.to_vec();
    super::sort_by_name(&mut query);
    let mut canonical_query = String::new();
    for (i, (name, value)) in query.iter().enumerate() {
        if i > 0 {
            canonical_query.push('&');
        }
        // The SDK leaves names unencoded (§10.3); ours are plain ASCII words either way.
        canonical_query.push_str(name);
        canonical_query.push('=');
        percent::encode_into(value, &mut canonical_query);
    }

    let mut headers: Vec<(String, &str)> = input
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect();
    super::sort_by_name(&mut headers);
    let mut canonical_headers = String::new();
    let mut signed_headers = String::new();
    for (i, (name, value)) in headers.iter().enumerate() {
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(value);
        canonical_headers.push('\n');
        if i > 0 {
            signed_headers.push(';');
        }
        signed_headers.push_str(name);
    }

    // The header block already ends in '\n'; joining with '\n' leaves the blank line §10.3 shows.
    let canonical_request = [
        input.method,
        input.path,
        &canonical_query,
        &canonical_headers,
        &signed_headers,
        input.payload_sha256,
    ]
    .join("\n");
    let string_to_sign = format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()));
    // The key is the secret exactly as given: no '&', no encoding (wire-format.md §10.5).
    let signature = hmac_sha256_hex(access_key_secret.as_bytes(), string_to_sign.as_bytes());
    let authorization = format!(
        "{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"
    );
    Acs3Signature {
        canonical_query,
        canonical_headers,
        signed_headers,
        canonical_request,
        string_to_sign,
        signature,
        authorization,
    }
}

fn sha256_hex(message: &[u8]) -> String {
    use sha2::Digest as _;
    hex_lower(&sha2::Sha256::digest(message))
}

fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    use hmac::Mac as _;
    let mut mac = super::hmac::<sha2::Sha256>(key);
    mac.update(message);
    hex_lower(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_payload_hash_is_sha256_of_nothing() {
        assert_eq!(sha256_hex(b""), EMPTY_PAYLOAD_SHA256);
    }

    #[test]
    fn sha256_hex_matches_fips_180_examples() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            sha256_hex(&vec![b'a'; 1_000_000]),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn hmac_sha256_hex_matches_rfc4231() {
        // Cases 1, 2 and 6 (a key longer than the 64-byte block is hashed first).
        assert_eq!(
            hmac_sha256_hex(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hmac_sha256_hex(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn empty_query_gives_an_empty_line_and_headers_are_trimmed_and_sorted() {
        let s = sign(
            &CanonicalInput {
                method: "POST",
                path: "/",
                query: &[],
                headers: &[("X-Acs-B", " two "), ("host", "h")],
                payload_sha256: EMPTY_PAYLOAD_SHA256,
            },
            "id",
            "secret",
        );
        assert_eq!(s.canonical_query, "");
        assert_eq!(s.canonical_headers, "host:h\nx-acs-b:two\n");
        assert_eq!(s.signed_headers, "host;x-acs-b");
        assert!(s.canonical_request.starts_with("POST\n/\n\nhost:h\n"));
        assert_eq!(s.signature.len(), 64);
    }
}
