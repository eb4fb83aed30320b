//! SHA-1, SHA-256 and HMAC, written out from FIPS 180-4 and RFC 2104.
//!
//! Our own code instead of the RustCrypto crates: those unroll every round and were 11 KB of a
//! WebAssembly module whose whole budget is 50 KB gzip; these loops are a fraction of that and
//! fast enough (a 1000-recipient request hashes about 120 KB). Checked against the NIST and RFC
//! test vectors below and, end to end, against every golden signature.

/// Both hashes work on 64-byte blocks.
const BLOCK: usize = 64;

/// The Merkle–Damgård padding shared by SHA-1 and SHA-256, over `prefix` (empty, or one whole
/// block: HMAC's padded key) followed by `message`: 0x80, zeros, and the bit length as a
/// big-endian u64, to a multiple of 64 bytes; each block handed to `compress`. Taking the prefix
/// separately spares HMAC a copy of a 200 KB string-to-sign.
fn for_each_padded_block(prefix: &[u8], message: &[u8], mut compress: impl FnMut(&[u8; BLOCK])) {
    let mut block = [0u8; BLOCK];
    for chunk in prefix.chunks_exact(BLOCK) {
        block.copy_from_slice(chunk);
        compress(&block);
    }
    let mut chunks = message.chunks_exact(BLOCK);
    for chunk in chunks.by_ref() {
        block.copy_from_slice(chunk);
        compress(&block);
    }
    let rest = chunks.remainder();
    let total = (prefix.len() as u64).wrapping_add(message.len() as u64);
    let bit_length = total.wrapping_mul(8).to_be_bytes();
    let mut tail = [0u8; 2 * BLOCK];
    let (head, _) = tail.split_at_mut(rest.len());
    head.copy_from_slice(rest);
    let tail_len = if rest.len() < BLOCK - 8 {
        BLOCK
    } else {
        2 * BLOCK
    };
    if let Some(b) = tail.get_mut(rest.len()) {
        *b = 0x80;
    }
    if let Some(len) = tail.get_mut(tail_len - 8..tail_len) {
        len.copy_from_slice(&bit_length);
    }
    for chunk in tail.chunks_exact(BLOCK).take(tail_len / BLOCK) {
        block.copy_from_slice(chunk);
        compress(&block);
    }
}

/// The block's sixteen big-endian words.
fn words(block: &[u8; BLOCK]) -> [u32; 16] {
    let mut w = [0u32; 16];
    for (word, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
        let mut b = [0u8; 4];
        b.copy_from_slice(bytes);
        *word = u32::from_be_bytes(b);
    }
    w
}

/// SHA-1 (FIPS 180-4 §6.1): the signature 1.0 HMAC's hash.
pub fn sha1(message: &[u8]) -> [u8; 20] {
    sha1_after(&[], message)
}

/// SHA-1 of `prefix` (empty or whole blocks) followed by `message`.
fn sha1_after(prefix: &[u8], message: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    for_each_padded_block(prefix, message, |block| {
        // A rolling 16-word schedule: word t lives at t % 16.
        let mut w = words(block);
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for t in 0..80 {
            let slot = t % 16;
            if t >= 16 {
                let x = w.get((t + 13) % 16).copied().unwrap_or(0)
                    ^ w.get((t + 8) % 16).copied().unwrap_or(0)
                    ^ w.get((t + 2) % 16).copied().unwrap_or(0)
                    ^ w.get(slot).copied().unwrap_or(0);
                if let Some(s) = w.get_mut(slot) {
                    *s = x.rotate_left(1);
                }
            }
            let (f, k) = match t {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let temp = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(w.get(slot).copied().unwrap_or(0));
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = temp;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    });
    let mut out = [0u8; 20];
    for (bytes, word) in out.chunks_exact_mut(4).zip(h) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
}

const SHA256_K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// SHA-256 (FIPS 180-4 §6.2): ACS3's hash.
pub fn sha256(message: &[u8]) -> [u8; 32] {
    sha256_after(&[], message)
}

/// SHA-256 of `prefix` (empty or whole blocks) followed by `message`.
fn sha256_after(prefix: &[u8], message: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    for_each_padded_block(prefix, message, |block| {
        let mut w = words(block);
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for (t, k) in SHA256_K.iter().enumerate() {
            let slot = t % 16;
            if t >= 16 {
                let w15 = w.get((t + 1) % 16).copied().unwrap_or(0);
                let w2 = w.get((t + 14) % 16).copied().unwrap_or(0);
                let w7 = w.get((t + 9) % 16).copied().unwrap_or(0);
                let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
                let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
                if let Some(s) = w.get_mut(slot) {
                    *s = s.wrapping_add(s0).wrapping_add(w7).wrapping_add(s1);
                }
            }
            let big_s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(big_s1)
                .wrapping_add(ch)
                .wrapping_add(*k)
                .wrapping_add(w.get(slot).copied().unwrap_or(0));
            let big_s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = big_s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    });
    let mut out = [0u8; 32];
    for (bytes, word) in out.chunks_exact_mut(4).zip(h) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// HMAC (RFC 2104) over a 64-byte-block hash: a key longer than a block is hashed first.
/// `hash_after(prefix, message)` hashes one padded-key block followed by the message.
fn hmac<const N: usize>(
    hash_after: fn(&[u8], &[u8]) -> [u8; N],
    key: &[u8],
    message: &[u8],
) -> [u8; N] {
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        let digest = hash_after(&[], key);
        let (head, _) = block_key.split_at_mut(N.min(BLOCK));
        head.copy_from_slice(digest.get(..N.min(BLOCK)).unwrap_or(&[]));
    } else {
        let (head, _) = block_key.split_at_mut(key.len());
        head.copy_from_slice(key);
    }
    let inner_pad = block_key.map(|b| b ^ 0x36);
    let outer_pad = block_key.map(|b| b ^ 0x5c);
    let inner = hash_after(&inner_pad, message);
    hash_after(&outer_pad, &inner)
}

/// HMAC-SHA1 (signature 1.0).
pub fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    hmac(sha1_after, key, message)
}

/// HMAC-SHA256 (ACS3).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    hmac(sha256_after, key, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::hex_lower;

    #[test]
    fn sha1_fips_vectors() {
        assert_eq!(
            hex_lower(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex_lower(&sha1(b"")),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            hex_lower(&sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(
            hex_lower(&sha1(&vec![b'a'; 1_000_000])),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    #[test]
    fn sha256_fips_vectors() {
        assert_eq!(
            hex_lower(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex_lower(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex_lower(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex_lower(&sha256(&vec![b'a'; 1_000_000])),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn every_length_around_the_padding_edges_matches_rustcrypto() {
        // RustCrypto (a dev-dependency only) as the reference, for every length from 0 to 300
        // bytes: the 55/56 and 63/64/65 edges decide between one and two padding blocks.
        use sha1::Digest as _;
        for n in 0..300 {
            let m: Vec<u8> = (0..n).map(|i| (i * 7 + n) as u8).collect();
            assert_eq!(
                sha1(&m).as_slice(),
                sha1::Sha1::digest(&m).as_slice(),
                "sha1 {n}"
            );
            assert_eq!(
                sha256(&m).as_slice(),
                sha2::Sha256::digest(&m).as_slice(),
                "sha256 {n}"
            );
        }
    }

    #[test]
    fn hmac_rfc_vectors() {
        // RFC 2202 (HMAC-SHA1) and RFC 4231 (HMAC-SHA256), cases 1, 2 and the long-key case.
        assert_eq!(
            hex_lower(&hmac_sha1(&[0x0b; 20], b"Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00"
        );
        assert_eq!(
            hex_lower(&hmac_sha1(b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        assert_eq!(
            hex_lower(&hmac_sha1(
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112"
        );
        assert_eq!(
            hex_lower(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex_lower(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex_lower(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
