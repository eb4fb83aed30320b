//! Signature version 1.0: HMAC-SHA1 over the sorted, twice-encoded parameters
//! (wire-format.md §6; the official SDK's `signatureAlgorithm: 'v2'` path).

use super::percent;

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
    let mut sorted: Vec<(&str, &str)> = parameters.to_vec();
    super::sort_by_name(&mut sorted);

    let mut canonicalized_query = String::new();
    for (i, (name, value)) in sorted.iter().enumerate() {
        if i > 0 {
            canonicalized_query.push('&');
        }
        percent::encode_into(name, &mut canonicalized_query);
        canonicalized_query.push('=');
        percent::encode_into(value, &mut canonicalized_query);
    }

    let mut string_to_sign =
        String::with_capacity(method.len() + 4 + canonicalized_query.len() * 2);
    string_to_sign.push_str(method);
    string_to_sign.push('&');
    // The path is always "/" on this API; encoded it reads %2F.
    string_to_sign.push_str("%2F");
    string_to_sign.push('&');
    percent::encode_into(&canonicalized_query, &mut string_to_sign);

    let signature = hmac_sha1_base64(access_key_secret, &string_to_sign);
    V1Signature {
        canonicalized_query,
        string_to_sign,
        signature,
    }
}

fn hmac_sha1_base64(access_key_secret: &str, string_to_sign: &str) -> String {
    // The key is the secret's raw UTF-8 bytes followed by '&', never encoded (wire-format.md §6.5).
    let mut key = Vec::with_capacity(access_key_secret.len() + 1);
    key.extend_from_slice(access_key_secret.as_bytes());
    key.push(b'&');
    hmac_sha1_base64_keyed(&key, string_to_sign.as_bytes())
}

fn hmac_sha1_base64_keyed(key: &[u8], message: &[u8]) -> String {
    use hmac::Mac as _;
    let mut mac = super::hmac::<sha1::Sha1>(key);
    mac.update(message);
    super::base64_standard(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha1_base64_matches_rfc2202() {
        // RFC 2202 cases 1, 2 and 6 (a key longer than the 64-byte block is hashed first); the
        // RFC gives hex, these are the same 20 bytes in Base64.
        assert_eq!(
            hmac_sha1_base64_keyed(&[0x0b; 20], b"Hi There"),
            "thcxhlUFcmTii8C2+zeMjvFGvgA="
        );
        assert_eq!(
            hmac_sha1_base64_keyed(b"Jefe", b"what do ya want for nothing?"),
            "7/zfauXrL6LSdBbV8YTfnCWafHk="
        );
        assert_eq!(
            hmac_sha1_base64_keyed(
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "qkrl4VJy0A6VcFY3zoo7Ve1AIRI="
        );
        // The key is the secret with '&' appended, never the bare secret.
        assert_ne!(
            hmac_sha1_base64("Jefe", "what do ya want for nothing?"),
            "7/zfauXrL6LSdBbV8YTfnCWafHk="
        );
        assert_eq!(
            hmac_sha1_base64("Jefe", "what do ya want for nothing?"),
            hmac_sha1_base64_keyed(b"Jefe&", b"what do ya want for nothing?")
        );
    }

    #[test]
    fn alibaba_documented_example() {
        // ECS DescribeRegions example from Alibaba's docs (api-reference.md §2), GET.
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
