//! Signature version 1.0: HMAC-SHA1 over the sorted, twice-encoded parameters
//! (docs/spec/wire-format.md §6; the official SDK's `signatureAlgorithm: 'v2'` path).

use hmac::Mac as _;

use super::percent;
use super::query::{self, Canonical};

/// Every text the signature 1.0 recipe produces, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Signature {
    /// Sorted `name=value` pairs, each encoded once, joined with `&`.
    pub canonicalized_query: String,
    /// `METHOD&%2F&` + the canonicalized query encoded a second time.
    pub string_to_sign: String,
    /// Base64 of HMAC-SHA1 keyed with `secret + "&"` (28 characters).
    pub signature: String,
}

/// Signs `parameters` (every parameter to be sent except `Signature`) for `method` on path `/`.
///
/// Names are sorted in byte order, which is the SDK's code-unit order for these ASCII names.
pub fn sign(method: &str, parameters: &[(&str, &str)], access_key_secret: &str) -> V1Signature {
    sign_with(method, parameters, access_key_secret, None)
}

/// [`sign`], also writing `parameters` onto `url` as its query in the order given, as
/// [`signature_writing_query`] does.
pub(crate) fn sign_with(
    method: &str,
    parameters: &[(&str, &str)],
    access_key_secret: &str,
    url: Option<&mut String>,
) -> V1Signature {
    let mut string_to_sign = Vec::new();
    let signature = run(
        method,
        parameters,
        access_key_secret,
        url,
        Some(&mut string_to_sign),
    );
    V1Signature {
        canonicalized_query: canonicalized_query(parameters),
        // What was hashed, byte for byte: ASCII, so the conversion changes nothing.
        string_to_sign: String::from_utf8_lossy(&string_to_sign).into_owned(),
        signature,
    }
}

/// The signature alone, writing `parameters` onto `url` as `?name=value&…` (in the order
/// given, the SDK's URL encoding) on the way. The string-to-sign is never built: it is hashed as
/// it is encoded, each long value read once for both texts.
pub fn signature_writing_query(
    method: &str,
    parameters: &[(&str, &str)],
    access_key_secret: &str,
    url: &mut String,
) -> String {
    run(method, parameters, access_key_secret, Some(url), None)
}

fn run(
    method: &str,
    parameters: &[(&str, &str)],
    access_key_secret: &str,
    url: Option<&mut String>,
    mut copy: Option<&mut Vec<u8>>,
) -> String {
    let mut mac = signing_mac(access_key_secret);
    let mut hash = |piece: &[u8]| {
        mac.update(piece);
        if let Some(copy) = copy.as_deref_mut() {
            copy.extend_from_slice(piece);
        }
    };
    hash(method.as_bytes());
    // The path is always "/" on this API; encoded it reads %2F.
    hash(b"&%2F&");
    query::write(parameters, Canonical::V1, url, &mut hash);
    finish(mac)
}

/// The canonicalized query the plain way (sort, encode, join), for the trace: the signature
/// itself hashes it encoded a second time without building it (see `query`).
fn canonicalized_query(parameters: &[(&str, &str)]) -> String {
    let mut sorted: Vec<(&str, &str)> = parameters.to_vec();
    super::sort_by_name(&mut sorted);
    let mut out = String::new();
    for (i, (name, value)) in sorted.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent::encode_into(name, &mut out);
        out.push('=');
        percent::encode_into(value, &mut out);
    }
    out
}

/// HMAC-SHA1 keyed with the secret's raw UTF-8 bytes followed by '&', never encoded
/// (docs/spec/wire-format.md §6.5).
fn signing_mac(access_key_secret: &str) -> hmac::Hmac<sha1::Sha1> {
    let mut key = Vec::with_capacity(access_key_secret.len() + 1);
    key.extend_from_slice(access_key_secret.as_bytes());
    key.push(b'&');
    super::hmac(&key)
}

fn finish(mac: hmac::Hmac<sha1::Sha1>) -> String {
    super::base64_standard(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hmac_sha1_base64(key: &[u8], message: &[u8]) -> String {
        let mut mac = super::super::hmac::<sha1::Sha1>(key);
        mac.update(message);
        finish(mac)
    }

    #[test]
    fn hmac_sha1_base64_matches_rfc2202() {
        // RFC 2202 cases 1, 2 and 6 (a key longer than the 64-byte block is hashed first); the
        // RFC gives hex, these are the same 20 bytes in Base64.
        assert_eq!(
            hmac_sha1_base64(&[0x0b; 20], b"Hi There"),
            "thcxhlUFcmTii8C2+zeMjvFGvgA="
        );
        assert_eq!(
            hmac_sha1_base64(b"Jefe", b"what do ya want for nothing?"),
            "7/zfauXrL6LSdBbV8YTfnCWafHk="
        );
        assert_eq!(
            hmac_sha1_base64(
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "qkrl4VJy0A6VcFY3zoo7Ve1AIRI="
        );
        // The key is the secret with '&' appended, never the bare secret.
        let mut mac = signing_mac("Jefe");
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            finish(mac),
            hmac_sha1_base64(b"Jefe&", b"what do ya want for nothing?")
        );
    }

    #[test]
    fn the_string_to_sign_is_what_was_hashed() {
        let params = [("b", "x y"), ("a", "1*")];
        let signed = sign("POST", &params, "s");
        assert_eq!(signed.canonicalized_query, "a=1%2A&b=x%20y");
        assert_eq!(signed.string_to_sign, "POST&%2F&a%3D1%252A%26b%3Dx%2520y");
        assert_eq!(
            signed.signature,
            hmac_sha1_base64(b"s&", signed.string_to_sign.as_bytes())
        );
        let mut url = String::new();
        assert_eq!(
            signature_writing_query("POST", &params, "s", &mut url),
            signed.signature
        );
        assert_eq!(url, "?b=x%20y&a=1*");
    }

    #[test]
    fn alibaba_documented_example() {
        // ECS DescribeRegions example from Alibaba's docs (docs/spec/api-reference.md §2), GET.
        let params = [
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("Version", "2014-05-26"),
            ("SignatureVersion", "1.0"),
            ("TimeStamp", "2016-02-23T12:46:24Z"),
        ];
        assert_eq!(
            sign("GET", &params, "testsecret").signature,
            "CT9X0VtwR86fNWSnsc6v8YGOjuE="
        );
    }

    #[test]
    fn api_reference_batch_example_post_and_get() {
        let params = [
            ("AccessKeyId", "testid"),
            ("Action", "BatchSendMessageToGlobe"),
            ("Format", "json"),
            ("From", "Alicloud"),
            ("Message", "[\"Hello *world*! ~100%\",\"你好 (test)\"]"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "0f3e9b7a-5c1d-4e2f-8a6b-1234567890ab"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2024-01-02T03:04:05Z"),
            ("To", "[\"6591234567\",\"85291234567\"]"),
            ("Type", "NOTIFY"),
            ("Version", "2018-05-01"),
        ];
        assert_eq!(
            sign("POST", &params, "testsecret").signature,
            "hay8JQ/zUqMK/NtM1LP3UO8PT4w="
        );
        assert_eq!(
            sign("GET", &params, "testsecret").signature,
            "MspxwnIr5CTOb/g5dSBZ2BJQ+98="
        );
    }
}
