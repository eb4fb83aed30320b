//! A request's parameters written in one walk two ways: as the URL query (in the order given, the
//! SDK's URL encoding) and as the canonical query a signature hashes (sorted by name, encoded once
//! for ACS3, twice for signature 1.0), the latter handed to the hash piece by piece.
//!
//! For a 1000-recipient request the canonical query of signature 1.0 is 80 KB to 1 MB: building
//! it as a string, then hashing it, costs an allocation the size of the request and a second trip
//! through memory. Here it passes through a small buffer instead, and each large value is read
//! once for both its URL text and its signing text.

use super::percent::{self, Rule};

/// How a canonical query is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Canonical {
    /// Signature 1.0: `name=value` pairs encoded once, joined with `&`, and the whole encoded
    /// again (docs/spec/wire-format.md §6), which comes to names and values encoded twice, `=` as `%3D`
    /// and `&` as `%26`.
    V1,
    /// ACS3: names as they are, values encoded once, `=` and `&` bare (docs/spec/wire-format.md §10.3).
    Acs3,
}

impl Canonical {
    fn value_rule(self) -> Rule {
        match self {
            Canonical::V1 => Rule::SigningTwice,
            Canonical::Acs3 => Rule::Signing,
        }
    }

    fn equals(self) -> &'static str {
        match self {
            Canonical::V1 => "%3D",
            Canonical::Acs3 => "=",
        }
    }

    fn and(self) -> &'static str {
        match self {
            Canonical::V1 => "%26",
            Canonical::Acs3 => "&",
        }
    }

    fn push_name(self, name: &str, out: &mut Vec<u8>) {
        match self {
            Canonical::V1 => percent::encode_bytes(name, Rule::SigningTwice, out),
            // The SDK leaves names unencoded; ours are plain ASCII words either way.
            Canonical::Acs3 => out.extend_from_slice(name.as_bytes()),
        }
    }
}

/// Input bytes encoded per step: at most 5 KB of signing text (5 bytes per byte, twice-encoded),
/// small enough to stay in the first-level cache on its way to the hash.
const CHUNK: usize = 1024;
/// The buffer is handed to the hash once it holds this much: few calls, each many whole blocks.
const FLUSH: usize = 8 * 1024;
/// A value at least this long is encoded for the URL and for signing in one pass when the two
/// orders allow it (see `write`). Shorter ones are not worth it: fusing one moves the hash past
/// the parameters sorting before it, and a longer value among those could then not be fused.
const FUSE_FROM: usize = 256;

/// Writes `parameters` onto `url` as `?name=value&…` when `url` is given, and hands `hash` their
/// canonical query, in pieces whose concatenation is the whole text.
///
/// The URL follows the order given; the canonical query sorts by name. A long value is fused
/// (both texts in one pass) when everything sorting before it has been hashed or can be now:
/// walking the URL order, the hash is first brought up to the value's place in sorted order,
/// hashing the parameters it passes on their own. Every value is encoded exactly once for each
/// text whatever the orders; fusing only saves reading it twice.
pub(crate) fn write(
    parameters: &[(&str, &str)],
    canonical: Canonical,
    url: Option<&mut String>,
    hash: &mut dyn FnMut(&[u8]),
) {
    // Sorted order as indexes into `parameters`, and each parameter's place in it.
    let mut sorted: Vec<(&str, usize)> = parameters
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (*name, i))
        .collect();
    super::sort_by_name(&mut sorted);
    let mut place = vec![0; parameters.len()];
    for (k, (_, i)) in sorted.iter().enumerate() {
        if let Some(slot) = place.get_mut(*i) {
            *slot = k;
        }
    }

    let mut feed = Feed {
        buffer: Vec::with_capacity(FLUSH + 5 * CHUNK),
        hash,
        canonical,
    };
    // How many of `sorted` are hashed.
    let mut hashed = 0;
    if let Some(url) = url {
        // Written as bytes, checked as UTF-8 once at the end (it is ASCII): a `String` takes
        // text only as `&str`, which would mean a check or a call per escaped byte.
        let mut bytes = std::mem::take(url).into_bytes();
        for (i, (name, value)) in parameters.iter().enumerate() {
            bytes.push(if i == 0 { b'?' } else { b'&' });
            bytes.extend_from_slice(name.as_bytes());
            bytes.push(b'=');
            let k = place.get(i).copied().unwrap_or(0);
            if value.len() >= FUSE_FROM && k >= hashed {
                while hashed < k {
                    feed.parameter(hashed, sorted_pair(parameters, &sorted, hashed), None);
                    hashed += 1;
                }
                feed.parameter(k, (name, value), Some(&mut bytes));
                hashed = k + 1;
            } else {
                percent::encode_bytes(value, Rule::Url, &mut bytes);
            }
        }
        *url = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }
    for k in hashed..sorted.len() {
        feed.parameter(k, sorted_pair(parameters, &sorted, k), None);
    }
    feed.flush();
}

fn sorted_pair<'a>(
    parameters: &[(&'a str, &'a str)],
    sorted: &[(&str, usize)],
    k: usize,
) -> (&'a str, &'a str) {
    sorted
        .get(k)
        .and_then(|(_, i)| parameters.get(*i))
        .copied()
        .unwrap_or(("", ""))
}

/// The signing text on its way to the hash.
struct Feed<'h> {
    buffer: Vec<u8>,
    hash: &'h mut dyn FnMut(&[u8]),
    canonical: Canonical,
}

impl Feed<'_> {
    /// Hashes the `k`th parameter in sorted order; its URL text goes to `url` in the same pass
    /// when given.
    fn parameter(&mut self, k: usize, (name, value): (&str, &str), mut url: Option<&mut Vec<u8>>) {
        if k > 0 {
            self.buffer
                .extend_from_slice(self.canonical.and().as_bytes());
        }
        self.canonical.push_name(name, &mut self.buffer);
        self.buffer
            .extend_from_slice(self.canonical.equals().as_bytes());
        let rule = self.canonical.value_rule();
        for piece in char_chunks(value, CHUNK) {
            match url.as_deref_mut() {
                Some(url) => percent::encode_both(piece, url, Rule::Url, &mut self.buffer, rule),
                None => percent::encode_bytes(piece, rule, &mut self.buffer),
            }
            if self.buffer.len() >= FLUSH {
                self.flush();
            }
        }
    }

    fn flush(&mut self) {
        if !self.buffer.is_empty() {
            (self.hash)(&self.buffer);
            self.buffer.clear();
        }
    }
}

/// `text` in consecutive pieces of about `size` bytes, each cut on a char boundary.
fn char_chunks(text: &str, size: usize) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = size.min(rest.len());
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (piece, after) = rest.split_at(end);
        rest = after;
        Some(piece)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(
        parameters: &[(&str, &str)],
        canonical: Canonical,
        with_url: bool,
    ) -> (String, String) {
        let mut hashed = Vec::new();
        let mut url = String::new();
        write(
            parameters,
            canonical,
            with_url.then_some(&mut url),
            &mut |piece| hashed.extend_from_slice(piece),
        );
        (String::from_utf8(hashed).unwrap(), url)
    }

    /// The canonical query the simple way: sort, encode, join; for 1.0, encode the whole again.
    fn reference(parameters: &[(&str, &str)], canonical: Canonical) -> (String, String) {
        let mut sorted = parameters.to_vec();
        sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let pairs: Vec<String> = sorted
            .iter()
            .map(|(n, v)| match canonical {
                Canonical::V1 => format!("{}={}", percent::encode(n), percent::encode(v)),
                Canonical::Acs3 => format!("{n}={}", percent::encode(v)),
            })
            .collect();
        let joined = pairs.join("&");
        let canonical_text = match canonical {
            Canonical::V1 => percent::encode(&joined),
            Canonical::Acs3 => joined,
        };
        let mut url = String::new();
        for (i, (n, v)) in parameters.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(n);
            url.push('=');
            percent::encode_for_url_into(v, &mut url);
        }
        (canonical_text, url)
    }

    #[test]
    fn char_chunks_cut_on_boundaries_and_lose_nothing() {
        let text = "a你好🎉b".repeat(300);
        for size in [1, 2, 3, 5, 1024] {
            let pieces: Vec<&str> = char_chunks(&text, size).collect();
            assert_eq!(pieces.concat(), text, "{size}");
            assert!(pieces.iter().all(|p| !p.is_empty() && p.len() < size + 4));
        }
        assert_eq!(char_chunks("", 4).count(), 0);
    }

    proptest::proptest! {
        #[test]
        fn any_order_and_sizes_give_the_simple_texts(
            parameters in proptest::collection::vec(("[A-Za-z]{1,8}", "\\PC{0,40}|[ -~你]{200,700}"), 0..8),
        ) {
            let parameters: Vec<(&str, &str)> =
                parameters.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            for canonical in [Canonical::V1, Canonical::Acs3] {
                let expected = reference(&parameters, canonical);
                proptest::prop_assert_eq!(&collect(&parameters, canonical, true), &expected);
                let (alone, url) = collect(&parameters, canonical, false);
                proptest::prop_assert_eq!(alone, expected.0);
                proptest::prop_assert_eq!(url, "");
            }
        }
    }
}
