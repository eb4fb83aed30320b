//! ACS3-HMAC-SHA256 (signature v3), the official SDK's default scheme (docs/spec/wire-format.md §10).

use super::hex_lower;
use super::query::{self, Canonical};

/// The algorithm name written at the head of the string-to-sign and of `Authorization`.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Hex SHA-256 of the empty body, which every operation but ConversionData sends
/// (docs/spec/wire-format.md §10.1, docs/spec/operations.md §6).
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Lower-case hex SHA-256 of a body: `x-acs-content-sha256` and the canonical request's last
/// line (ConversionData's form body; docs/spec/operations.md §6).
pub fn payload_sha256(body: &[u8]) -> String {
    let mut sha256 = sha2::Sha256::default();
    sha2::Digest::update(&mut sha256, body);
    hex_digest(sha256)
}

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
    sign_with(input, access_key_id, access_key_secret, None)
}

/// [`sign`], also writing the query parameters onto `url` in the order given, as
/// [`authorization_writing_query`] does.
pub(crate) fn sign_with(
    input: &CanonicalInput<'_>,
    access_key_id: &str,
    access_key_secret: &str,
    url: Option<&mut String>,
) -> Acs3Signature {
    let mut hashed = Vec::new();
    let parts = run(
        input,
        access_key_id,
        access_key_secret,
        url,
        Some(&mut hashed),
    );
    // What was hashed, byte for byte (the request is ASCII apart from header values, which are
    // UTF-8 text as given).
    let canonical_request = String::from_utf8_lossy(&hashed).into_owned();
    // The query is the third line; the last three lines are the headers' and the payload hash's.
    let head = input.method.len() + 1 + input.path.len() + 1;
    let tail = 1
        + parts.canonical_headers.len()
        + 1
        + parts.signed_headers.len()
        + 1
        + input.payload_sha256.len();
    let canonical_query = canonical_request
        .get(head..canonical_request.len().saturating_sub(tail))
        .unwrap_or("")
        .to_string();
    Acs3Signature {
        canonical_query,
        canonical_headers: parts.canonical_headers,
        signed_headers: parts.signed_headers,
        canonical_request,
        string_to_sign: parts.string_to_sign,
        signature: parts.signature,
        authorization: parts.authorization,
    }
}

/// The `Authorization` header alone, writing the query parameters onto `url` as
/// `?name=value&…` (in the order given, the SDK's URL encoding) on the way. The canonical
/// request is hashed as it is encoded, never built.
pub fn authorization_writing_query(
    input: &CanonicalInput<'_>,
    access_key_id: &str,
    access_key_secret: &str,
    url: &mut String,
) -> String {
    run(input, access_key_id, access_key_secret, Some(url), None).authorization
}

/// The texts every signing produces; the long ones (canonical query and request) only pass
/// through the hash.
struct Parts {
    canonical_headers: String,
    signed_headers: String,
    string_to_sign: String,
    signature: String,
    authorization: String,
}

fn run(
    input: &CanonicalInput<'_>,
    access_key_id: &str,
    access_key_secret: &str,
    url: Option<&mut String>,
    mut copy: Option<&mut Vec<u8>>,
) -> Parts {
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

    // The six parts joined with '\n'. The header block already ends in '\n', which leaves the
    // blank line §10.3 shows.
    let mut sha256 = sha2::Sha256::default();
    let mut hash = |piece: &[u8]| {
        sha2::Digest::update(&mut sha256, piece);
        if let Some(copy) = copy.as_deref_mut() {
            copy.extend_from_slice(piece);
        }
    };
    for part in [input.method, "\n", input.path, "\n"] {
        hash(part.as_bytes());
    }
    query::write(input.query, Canonical::Acs3, url, &mut hash);
    for part in [
        "\n",
        &canonical_headers,
        "\n",
        &signed_headers,
        "\n",
        input.payload_sha256,
    ] {
        hash(part.as_bytes());
    }
    let string_to_sign = format!("{ALGORITHM}\n{}", hex_digest(sha256));
    // The key is the secret exactly as given: no '&', no encoding (docs/spec/wire-format.md §10.5).
    let signature = hmac_sha256_hex(access_key_secret.as_bytes(), string_to_sign.as_bytes());
    let authorization = format!(
        "{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"
    );
    Parts {
        canonical_headers,
        signed_headers,
        string_to_sign,
        signature,
        authorization,
    }
}

fn hex_digest(sha256: sha2::Sha256) -> String {
    hex_lower(&sha2::Digest::finalize(sha256))
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

    /// SHA-256 the way `run` feeds it: in pieces (here two, cut anywhere), then hex.
    fn sha256_hex(message: &[u8]) -> String {
        let mut sha256 = sha2::Sha256::default();
        let (a, b) = message.split_at(message.len() / 3);
        sha2::Digest::update(&mut sha256, a);
        sha2::Digest::update(&mut sha256, b);
        hex_digest(sha256)
    }

    #[test]
    fn empty_payload_hash_is_sha256_of_nothing() {
        assert_eq!(sha256_hex(b""), EMPTY_PAYLOAD_SHA256);
        assert_eq!(payload_sha256(b""), EMPTY_PAYLOAD_SHA256);
        assert_eq!(payload_sha256(b"abc"), sha256_hex(b"abc"));
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
