//! What a client knows of the secrets behind a request, and the one rule for what service text an
//! error may keep (issue 12, "Redaction").
//!
//! A server or a proxy may echo what it received, in whatever encoding it happened to hold it:
//! the gateway quotes its string-to-sign, where the STS token is percent-encoded twice
//! (docs/spec/api-reference.md §2, `SignatureDoesNotMatch`); a proxy may log the query form-encoded (`+` for
//! a space, docs/spec/wire-format.md §8) or with lower-case hex; a JSON encoder may write `/` as `\/` or any
//! character as `\u00XX`. So a secret is not looked for as a few fixed strings: the scanner reads
//! each of its characters in any of those forms, up to [`LAYERS`] encodings deep and combined
//! freely (hex digits in either case), and hides the whole match.
//!
//! Two cases, decided by who signed:
//! - credentials held here ([`KnownSecrets::of_credentials`]): the client knows every secret (the
//!   AccessKeySecret, the STS token and, with [`KnownSecrets::with_request`], the signature), so a
//!   service text scrubbed of them may be quoted;
//! - a `signer` signed elsewhere ([`KnownSecrets::of_signed_request`]): the client knows the token
//!   and the signature (they are in the request it sends) but never the AccessKeySecret, so no
//!   scrubbing can prove a text clean. The service's free text (a message, a body excerpt) is then
//!   withheld; only values of a known shape are kept (see [`KnownSecrets::keep_code`] and its
//!   siblings).

use std::fmt;

use crate::credentials::Credentials;
use crate::request::SignedRequest;
use crate::signature::percent;

/// What stands in for a hidden secret or parameter value.
pub const MASK: &str = "***";

/// How many encodings deep a secret is still recognised: e.g. percent-encoded twice (the
/// gateway's string-to-sign) and then JSON-escaped, or form-encoded then percent-encoded.
pub const LAYERS: u8 = 3;

/// What replaces the service's text in an error when the client does not hold every secret.
pub const WITHHELD: &str = "the service's text was withheld because the secret that signed the \
request is held elsewhere (a signer) and cannot be scrubbed from it here";

/// Parameters whose value is hidden whatever it is, even when the client does not know it: the
/// signature and the STS token (query `SecurityToken` for signature 1.0, header
/// `x-acs-security-token` for ACS3; docs/spec/wire-format.md §3, §10.7).
const HIDDEN_PARAMETERS: [&str; 3] = ["Signature", "SecurityToken", "x-acs-security-token"];

/// Characters that end a parameter's value in a query, a header line, JSON or markup.
const VALUE_ENDS: [char; 11] = ['&', '"', '\'', ',', ';', '<', '>', ' ', '\n', '\r', '\t'];

/// The secrets a client knows of the request it sent, and whether that is all of them.
#[derive(Clone, PartialEq, Eq)]
pub struct KnownSecrets {
    /// Each secret as characters (where several match, the scanner hides to the furthest end).
    secrets: Vec<Vec<char>>,
    /// True only when the AccessKeySecret is among them: then nothing secret is unknown here.
    holds_every_secret: bool,
}

impl KnownSecrets {
    /// Local credentials: the AccessKeySecret and the STS token; every secret is known.
    pub fn of_credentials(credentials: &Credentials) -> KnownSecrets {
        let mut known = KnownSecrets {
            secrets: Vec::new(),
            holds_every_secret: true,
        };
        for secret in credentials.secrets() {
            known.add(secret);
        }
        known
    }

    /// A request signed elsewhere (a `signer`): its STS token and signature are known, the
    /// AccessKeySecret is not.
    pub fn of_signed_request(request: &SignedRequest) -> KnownSecrets {
        KnownSecrets::held_elsewhere().with_request(request)
    }

    /// Nothing is known and the secrets are held elsewhere: every service text is withheld.
    pub fn held_elsewhere() -> KnownSecrets {
        KnownSecrets {
            secrets: Vec::new(),
            holds_every_secret: false,
        }
    }

    /// Adds what `request` carries: the STS token (query `SecurityToken` or header
    /// `x-acs-security-token`) and the signature (query `Signature` for 1.0, `Signature=` in the
    /// `Authorization` header for ACS3). Whether every secret is known does not change.
    pub fn with_request(mut self, request: &SignedRequest) -> KnownSecrets {
        let query = request.url.split_once('?').map_or("", |(_, q)| q);
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if name == "SecurityToken" || name == "Signature" {
                self.add_sent_value(value);
            }
        }
        for (name, value) in &request.headers {
            if name.eq_ignore_ascii_case("x-acs-security-token") {
                self.add_sent_value(value);
            } else if name.eq_ignore_ascii_case("authorization") {
                // `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=<hex>`
                // (docs/spec/wire-format.md §10.6).
                for part in value.split([',', ' ']) {
                    if let Some(signature) = part.trim().strip_prefix("Signature=") {
                        self.add(signature);
                    }
                }
            }
        }
        self
    }

    /// Whether the client knows every secret behind the request: only then may service text be
    /// quoted (scrubbed).
    pub fn holds_every_secret(&self) -> bool {
        self.holds_every_secret
    }

    /// A value as it appeared in the request: as sent, and decoded (a signer may have written
    /// `+` for a space or not, so both readings are kept).
    fn add_sent_value(&mut self, value: &str) {
        self.add(value);
        if let Some(decoded) = percent::decode(value) {
            self.add(&decoded);
        }
        if let Some(decoded) = percent::decode(&value.replace('+', "%2B")) {
            self.add(&decoded);
        }
    }

    fn add(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let chars: Vec<char> = secret.chars().collect();
        if !self.secrets.contains(&chars) {
            self.secrets.push(chars);
        }
    }

    /// Service text as an error may show it: when every secret is known, `text` with each of
    /// them (in any form) and any signature or token parameter value hidden, without the white
    /// space around it, cut to `max_chars` characters (an ellipsis marks the cut); otherwise
    /// [`WITHHELD`]. A text of white space only gives an empty string.
    ///
    /// White space is trimmed after scrubbing, not before: a secret that begins or ends with a
    /// space would otherwise be cut short of its first or last character and no longer match.
    pub fn service_text(&self, text: &str, max_chars: usize) -> String {
        if text.trim().is_empty() {
            return String::new();
        }
        if !self.holds_every_secret {
            return WITHHELD.to_string();
        }
        Scanner::new(text, &self.secrets).run(max_chars, true)
    }

    /// `text` with every known secret, in any form, and every signature or token parameter
    /// value replaced by [`MASK`], cut to `max_chars` characters plus an ellipsis. Only as much of
    /// `text` is read as the cut needs, but a secret that starts before the cut is always matched
    /// whole, so no part of one survives.
    pub fn scrub(&self, text: &str, max_chars: usize) -> String {
        Scanner::new(text, &self.secrets).run(max_chars, false)
    }

    /// Whether `text` shows any known secret in any form.
    pub fn appear_in(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        (0..bytes.len()).any(|at| {
            self.secrets
                .iter()
                .any(|s| secret_at(bytes, at, s).is_some())
        })
    }

    /// A service code (gateway `Code` or business `ResponseCode`) kept only in its known shape:
    /// 1–64 of `A-Z a-z 0-9 . _ -` (docs/spec/api-reference.md §2 and §4: `InvalidTimeStamp.Expired`,
    /// `QPS_LIMIT_CONTROL`, `isv.SENDERID_ERROR`), and showing no known secret. A code is the
    /// one value callers `switch` on, so it is kept even with a signer; the AccessKeySecret never
    /// travels on the wire, so only the service itself could echo it there.
    pub fn keep_code(&self, code: &str) -> Option<String> {
        (is_code(code) && !self.appear_in(code)).then(|| code.to_string())
    }

    /// A `RequestId` kept only in the service's UUID shape, 8-4-4-4-12 hex digits (every
    /// RequestId in tests/fixtures/golden, e.g. `39D690BB-7546-4031-9EDF-9B6286F9B754`; either
    /// case accepted).
    pub fn keep_request_id(&self, id: &str) -> Option<String> {
        (is_request_id(id) && !self.appear_in(id)).then(|| id.to_string())
    }

    /// A `Recommend` link kept only in one of the two diagnosis-site shapes of docs/spec/api-reference.md
    /// §2, every query parameter known and of a known shape:
    /// `https://error-center.aliyun.com/status/search?Keyword=<Code>&source=<letters>` and
    /// `https://api.aliyun.com/troubleshoot?q=<Code>&product=<Product>&requestId=<RequestId>`;
    /// at most 512 bytes. `<Code>` must be the answer's `code` (as kept) and `<RequestId>` its
    /// `request_id`, so the link repeats nothing the error does not already keep but the product.
    pub fn keep_recommend(
        &self,
        url: &str,
        code: &str,
        request_id: Option<&str>,
    ) -> Option<String> {
        let same_code = |value: &str| value == code;
        let same_request = |value: &str| Some(value) == request_id;
        (url.len() <= 512 && is_recommend(url, &same_code, &same_request) && !self.appear_in(url))
            .then(|| url.to_string())
    }

    /// A `FailedList` entry kept only as a phone number (docs/spec/api-reference.md §1: "dialing code +
    /// number"): an optional `+`, then 1–32 of digits, spaces and hyphens, starting with a digit.
    pub fn keep_number(&self, number: &str) -> Option<String> {
        (is_number(number) && !self.appear_in(number)).then(|| number.to_string())
    }
}

impl fmt::Debug for KnownSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KnownSecrets")
            .field("secrets", &format_args!("{} (***)", self.secrets.len()))
            .field("holds_every_secret", &self.holds_every_secret)
            .finish()
    }
}

/// Hides the value after `Signature`, `SecurityToken` or `x-acs-security-token` (any letter case)
/// and a separator (`=` or `:`, in any encoding, with JSON quotes and spaces around it) up to the
/// next character that ends a value (`&`, a quote, `,`, `;`, `<`, `>`, white space, in any
/// encoding), whatever the value is: the gateway's string-to-sign quotes the token of a request
/// signed elsewhere, which the client may not know.
pub fn redact_parameter_values(text: &str) -> String {
    Scanner::new(text, &[]).run(usize::MAX, false)
}

fn is_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn is_request_id(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_number(number: &str) -> bool {
    let digits = number.strip_prefix('+').unwrap_or(number);
    (1..=32).contains(&digits.len())
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-'))
}

/// A test of a value's shape.
type Shape<'a> = &'a dyn Fn(&str) -> bool;

fn is_recommend(url: &str, code: Shape<'_>, request_id: Shape<'_>) -> bool {
    let (place, query) = url.split_once('?').unwrap_or((url, ""));
    let allowed: &[(&str, Shape<'_>)] = match place {
        "https://error-center.aliyun.com/status/search" => {
            &[("Keyword", code), ("source", &is_word)]
        }
        "https://api.aliyun.com/troubleshoot" => &[
            ("q", code),
            ("product", &is_word),
            ("requestId", request_id),
        ],
        _ => return false,
    };
    query.split('&').all(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        allowed.iter().any(|(n, shape)| *n == name && shape(value))
    })
}

/// A product or source name: 1–32 ASCII letters and digits (`Dysmsapi`, `PopGw`).
fn is_word(word: &str) -> bool {
    (1..=32).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// One pass over a text: hides known secrets and hidden parameter values, stops once the output
/// is longer than asked.
struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    secrets: &'a [Vec<char>],
    /// Value ranges of hidden parameters whose name was seen and whose value has not ended yet.
    pending: Vec<(usize, usize)>,
    /// The last value end found, from where the search started: the next value end from any
    /// position in between is the same one, so the search never reads a stretch twice.
    last_end: Option<(usize, usize)>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, secrets: &'a [Vec<char>]) -> Scanner<'a> {
        Scanner {
            text,
            bytes: text.as_bytes(),
            secrets,
            pending: Vec::new(),
            last_end: None,
        }
    }

    /// Every position is checked, inside hidden stretches too: a secret that starts inside a
    /// hidden value may run past its end, and must be hidden to its own end. Reading stops once
    /// more than `max_chars` are shown, or after [`scan_limit`] bytes (a hidden stretch as long as
    /// a whole hostile body would otherwise be read to its end for three characters of output):
    /// what was not read is not shown, and the ellipsis says so. `trim`: leave out the white
    /// space around the text (it is still read, so a secret starting in it is seen).
    fn run(mut self, max_chars: usize, trim: bool) -> String {
        let lead = if trim {
            self.text.len() - self.text.trim_start().len()
        } else {
            0
        };
        let mut out = String::new();
        let mut shown = 0usize;
        let mut hidden_until = 0usize;
        let mut masking = false;
        let mut at = 0usize;
        let limit = scan_limit(max_chars);
        while let Some(c) = self.text.get(at..).and_then(|rest| rest.chars().next()) {
            if shown > max_chars {
                break;
            }
            if at >= limit {
                out.push('…');
                return out;
            }
            for secret in self.secrets {
                if let Some(end) = secret_at(self.bytes, at, secret) {
                    hidden_until = hidden_until.max(end);
                }
            }
            if let Some(range) = self.parameter_value_at(at) {
                self.pending.push(range);
            }
            self.pending.retain(|&(start, end)| {
                if start <= at {
                    hidden_until = hidden_until.max(end);
                    false
                } else {
                    true
                }
            });
            if at < hidden_until {
                if !masking {
                    out.push_str(MASK);
                    shown += MASK.len();
                    masking = true;
                }
            } else {
                if at >= lead {
                    out.push(c);
                    shown += 1;
                }
                masking = false;
            }
            at += c.len_utf8();
        }
        if trim && at >= self.text.len() {
            out.truncate(out.trim_end().len());
        }
        cut(out, max_chars)
    }

    /// When a hidden parameter's name starts at `at`: the byte range of its value (empty ranges
    /// are not returned).
    fn parameter_value_at(&mut self, at: usize) -> Option<(usize, usize)> {
        let rest = self.bytes.get(at..)?;
        let first = rest.first()?.to_ascii_lowercase();
        if first != b's' && first != b'x' {
            return None;
        }
        let name = HIDDEN_PARAMETERS.iter().find(|n| {
            rest.get(..n.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(n.as_bytes()))
        })?;
        let mut q = at + name.len();
        // `"SecurityToken": "…"`, `SecurityToken%3D…`, `x-acs-security-token: …`.
        q = longest(char_at(self.bytes, q, '"', LAYERS, false)).unwrap_or(q);
        q = self.skip_spaces(q);
        let separator = [
            char_at(self.bytes, q, '=', LAYERS, false),
            char_at(self.bytes, q, ':', LAYERS, false),
        ];
        q = longest(separator.into_iter().flatten().collect())?;
        q = self.skip_spaces(q);
        q = longest(char_at(self.bytes, q, '"', LAYERS, false)).unwrap_or(q);
        let end = self.value_end(q);
        (end > q).then_some((q, end))
    }

    fn skip_spaces(&self, mut q: usize) -> usize {
        while self.bytes.get(q) == Some(&b' ') {
            q += 1;
        }
        q
    }

    /// The first position at or after `from` where a value ends (or the text does).
    fn value_end(&mut self, from: usize) -> usize {
        if let Some((start, end)) = self.last_end {
            if start <= from && from <= end {
                return end;
            }
        }
        let mut q = from;
        while let Some(c) = self.text.get(q..).and_then(|rest| rest.chars().next()) {
            if VALUE_ENDS.contains(&c) || (matches!(c, '%' | '\\') && self.encoded_end_at(q)) {
                break;
            }
            q += c.len_utf8();
        }
        self.last_end = Some((from, q));
        q
    }

    /// An encoded end character at `q`: `%26`, `%2526`, `\"`, `\u0026`, … Never `+`: it is a
    /// Base64 digit of a signature as often as a form-encoded space.
    fn encoded_end_at(&self, q: usize) -> bool {
        VALUE_ENDS
            .iter()
            .any(|&c| !char_at(self.bytes, q, c, LAYERS, false).is_empty())
    }
}

/// How many bytes of a text are read for an output of `max_chars` characters: 64 per character
/// and 64 KiB more, which only a text hidden almost whole ever reaches (a secret encoded
/// [`LAYERS`] deep takes at most 7 bytes per byte, `%2525XX`, or 12 per UTF-16 unit).
fn scan_limit(max_chars: usize) -> usize {
    max_chars.saturating_mul(64).saturating_add(1 << 16)
}

/// `text` cut to `max_chars` characters, with an ellipsis when something was cut.
fn cut(text: String, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or("")),
        None => text,
    }
}

fn longest(ends: Vec<usize>) -> Option<usize> {
    ends.into_iter().max()
}

// NOTE: the matching functions below are `#[inline(never)]`: they run only on the error path,
// over a few hundred characters, and inlined into one another at opt-level 3 they cost 4 KiB
// more wasm (measured with pkg-template/build.mjs: 319.9 against 315.8 KiB).

/// Where a match of `secret` starting at `at` ends, the longest one when several forms match.
#[inline(never)]
fn secret_at(text: &[u8], at: usize, secret: &[char]) -> Option<usize> {
    let first = *secret.first()?;
    let byte = *text.get(at)?;
    // Most positions fail here, before anything is allocated: every form of a character starts
    // with the character itself, `%`, `\` or (a space) `+`.
    if !matches!(byte, b'%' | b'\\' | b'+') && !starts_with_char(text, at, first) {
        return None;
    }
    let mut ends = vec![at];
    for &c in secret {
        ends = then_char(text, &ends, c, LAYERS, true);
        if ends.is_empty() {
            return None;
        }
    }
    longest(ends)
}

fn starts_with_char(text: &[u8], at: usize, c: char) -> bool {
    let mut buf = [0u8; 4];
    text.get(at..)
        .is_some_and(|rest| rest.starts_with(c.encode_utf8(&mut buf).as_bytes()))
}

/// From each of `starts`, every end of a form of `c` (see `char_at`), without repeats.
#[inline(never)]
fn then_char(text: &[u8], starts: &[usize], c: char, layers: u8, form: bool) -> Vec<usize> {
    let mut ends = Vec::new();
    for &q in starts {
        add_ends(&mut ends, char_at(text, q, c, layers, form));
    }
    ends
}

/// From each of `starts`, every end of a form of the hex digit `value` (see `hex_digit_at`).
#[inline(never)]
fn then_hex(text: &[u8], starts: &[usize], value: u8, layers: u8, form: bool) -> Vec<usize> {
    let mut ends = Vec::new();
    for &q in starts {
        add_ends(&mut ends, hex_digit_at(text, q, value, layers, form));
    }
    ends
}

/// Adds `more` to `ends`, without repeats. The lists hold a few positions at most (one per way
/// of reading the text so far), so a linear check beats sorting, and keeps a sort's code out
/// of the wasm.
fn add_ends(ends: &mut Vec<usize>, more: Vec<usize>) {
    for end in more {
        if !ends.contains(&end) {
            ends.push(end);
        }
    }
}

/// Every end of a form of `c` that starts at `at`, at most `layers` encodings deep: the character
/// itself; `+` for a space (`form`); `%XX` per UTF-8 byte, hex in either case; a JSON escape
/// (`\"`, `\\`, `\/`, `\n`-style letters, `\uXXXX` per UTF-16 unit, hex in either case). Each
/// piece of an encoded form (the `%`, the `\`, each hex digit) may itself be encoded, one layer
/// less deep, so combinations (a JSON-escaped percent-encoding, `%255C%252F`) are read too.
#[inline(never)]
fn char_at(text: &[u8], at: usize, c: char, layers: u8, form: bool) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut buf = [0u8; 4];
    let utf8 = c.encode_utf8(&mut buf).as_bytes();
    let Some(rest) = text.get(at..) else {
        return ends;
    };
    if rest.starts_with(utf8) {
        ends.push(at + utf8.len());
    }
    if layers == 0 || !matches!(rest.first(), Some(b'%' | b'\\' | b'+')) {
        return ends;
    }
    let inner = layers - 1;
    if form && c == ' ' {
        add_ends(&mut ends, char_at(text, at, '+', inner, form));
    }
    // Percent-encoding, byte by byte.
    let mut percent = vec![at];
    for &b in utf8.iter() {
        percent = then_char(text, &percent, '%', inner, form);
        percent = then_hex(text, &percent, b >> 4, inner, form);
        percent = then_hex(text, &percent, b & 0x0f, inner, form);
        if percent.is_empty() {
            break;
        }
    }
    add_ends(&mut ends, percent);
    // JSON escapes.
    let escaped = char_at(text, at, '\\', inner, form);
    if !escaped.is_empty() {
        let short = match c {
            '"' | '\\' | '/' => Some(c),
            '\n' => Some('n'),
            '\r' => Some('r'),
            '\t' => Some('t'),
            '\u{8}' => Some('b'),
            '\u{c}' => Some('f'),
            _ => None,
        };
        if let Some(letter) = short {
            add_ends(&mut ends, then_char(text, &escaped, letter, inner, form));
        }
        let mut units = [0u16; 2];
        let mut unicode = escaped;
        for (i, &unit) in c.encode_utf16(&mut units).iter().enumerate() {
            if i > 0 {
                unicode = then_char(text, &unicode, '\\', inner, form);
            }
            unicode = then_char(text, &unicode, 'u', inner, form);
            for shift in [12u16, 8, 4, 0] {
                let digit = ((unit >> shift) & 0x0f) as u8;
                unicode = then_hex(text, &unicode, digit, inner, form);
            }
            if unicode.is_empty() {
                break;
            }
        }
        add_ends(&mut ends, unicode);
    }
    ends
}

/// A hex digit of `value` (0–15) in either case, in any form `layers` deep.
#[inline(never)]
fn hex_digit_at(text: &[u8], at: usize, value: u8, layers: u8, form: bool) -> Vec<usize> {
    let upper = char::from_digit(u32::from(value), 16).map(|c| c.to_ascii_uppercase());
    let lower = char::from_digit(u32::from(value), 16);
    let mut ends = Vec::new();
    for c in [upper, lower].into_iter().flatten() {
        add_ends(&mut ends, char_at(text, at, c, layers, form));
        if c.is_ascii_digit() {
            break;
        }
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(secret: &str, token: Option<&str>) -> KnownSecrets {
        KnownSecrets::of_credentials(
            &Credentials::new("id", secret, token.map(str::to_string)).unwrap(),
        )
    }

    fn scrub(k: &KnownSecrets, text: &str) -> String {
        k.scrub(text, usize::MAX)
    }

    #[test]
    fn every_form_of_a_secret_is_hidden() {
        let k = known("a/b c+d", Some("CAIS+tok/en=="));
        for form in [
            "a/b c+d",
            "a%2Fb%20c%2Bd",
            "a%2fb%20c%2bd",
            "a%252Fb%2520c%252Bd",
            "a%252fb%2520c%252bd",
            "a\\/b c+d",
            "a\\u002Fb\\u0020c\\u002bd",
            "a%2Fb+c%2Bd",
            "a%2Fb%2Bc%252Bd",
            "a%5C%2Fb c+d",
            "a%255C%252Fb c+d",
            "CAIS%2Btok%2Fen%3D%3D",
            "CAIS%252btok%252fen%253d%253d",
            "CAIS+tok\\/en==",
        ] {
            assert_eq!(scrub(&k, &format!("<{form}>")), "<***>", "{form}");
        }
        assert_eq!(scrub(&k, "a/b c+x"), "a/b c+x");
    }

    #[test]
    fn non_ascii_secrets_in_json_and_percent_forms() {
        let k = known("pä🎉", None);
        for form in [
            "pä🎉",
            "p\\u00e4\\ud83c\\udf89",
            "p\\u00E4\\uD83C\\uDF89",
            "p%C3%A4%F0%9F%8E%89",
            "p%c3%a4%f0%9f%8e%89",
        ] {
            assert_eq!(scrub(&k, &format!("x {form} y")), "x *** y", "{form}");
        }
    }

    #[test]
    fn parameter_values_are_hidden_in_any_encoding() {
        for (text, want) in [
            ("SecurityToken=abc&x=1", "SecurityToken=***&x=1"),
            (
                "POST&%2F&SecurityToken%3Dab%252Bc%26Signature%3Dxyz%26",
                "POST&%2F&SecurityToken%3D***%26Signature%3D***%26",
            ),
            ("securitytoken%253dabc%2526x", "securitytoken%253d***%2526x"),
            ("x-acs-security-token: abc\n", "x-acs-security-token: ***\n"),
            (r#"{"SecurityToken":"ab/c"}"#, r#"{"SecurityToken":"***"}"#),
            (
                r#"{\"SecurityToken\":\"abc\"}"#,
                r#"{\"SecurityToken\":\"***\"}"#,
            ),
            (
                "Credential=id,Signature=00ff,x",
                "Credential=id,Signature=***,x",
            ),
            ("Signature=a+b/c=", "Signature=***"),
            ("SignatureMethod=HMAC-SHA1", "SignatureMethod=HMAC-SHA1"),
            ("Signature=&x", "Signature=&x"),
        ] {
            assert_eq!(redact_parameter_values(text), want, "{text}");
        }
    }

    #[test]
    fn a_secret_across_the_cut_is_hidden_whole() {
        let k = known("0123456789", None);
        let text = format!("{}{}tail", "x".repeat(8), "0123456789");
        assert_eq!(k.scrub(&text, 10), "xxxxxxxx**…");
        assert_eq!(k.scrub("short", 10), "short");
    }

    #[test]
    fn service_text_is_trimmed_after_scrubbing() {
        let k = known(" padded secret ", None);
        assert_eq!(k.service_text("  x  padded secret ", 100), "x ***");
        assert_eq!(k.service_text(" padded secret  y ", 100), "*** y");
        assert_eq!(k.service_text(" \n ", 100), "");
        assert_eq!(KnownSecrets::held_elsewhere().service_text("  ", 100), "");
    }

    #[test]
    fn a_secret_running_past_a_hidden_value_is_hidden_to_its_end() {
        let k = known("abc&secret-tail", None);
        assert_eq!(
            scrub(&k, "Signature=abc&secret-tail rest"),
            "Signature=*** rest"
        );
    }

    #[test]
    fn signed_requests_give_their_token_and_signature() {
        let v1 = SignedRequest {
            method: "POST",
            url: "https://h/?A=1&SecurityToken=CAIS%2Btok%2Fen&Signature=ab%2Bc%3D".into(),
            headers: vec![],
            body: String::new(),
        };
        let k = KnownSecrets::of_signed_request(&v1);
        assert!(!k.holds_every_secret());
        assert_eq!(scrub(&k, "t CAIS+tok/en s ab+c="), "t *** s ***");
        let acs3 = SignedRequest {
            method: "POST",
            url: "https://h/?To=1".into(),
            headers: vec![
                ("X-Acs-Security-Token".into(), "CAIS+t/k".into()),
                (
                    "Authorization".into(),
                    "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host,Signature=0a1b2c3d".into(),
                ),
            ],
            body: String::new(),
        };
        let k = KnownSecrets::of_signed_request(&acs3);
        assert_eq!(
            scrub(&k, "CAIS%2Bt%2Fk 0A1B2C3D? 0a1b2c3d"),
            "*** 0A1B2C3D? ***"
        );
        assert_eq!(k.service_text("anything", 100), WITHHELD);
        assert_eq!(k.service_text("", 100), "");
        let local = known("s3cret", None).with_request(&acs3);
        assert!(local.holds_every_secret());
        assert_eq!(local.service_text("0a1b2c3d s3cret", 100), "*** ***");
    }

    #[test]
    fn shapes() {
        let k = known("SECRETCODE", Some("UPPER-TOKEN"));
        let long_code = "a".repeat(65);
        assert_eq!(
            k.keep_code("InvalidTimeStamp.Expired").as_deref(),
            Some("InvalidTimeStamp.Expired")
        );
        assert_eq!(
            k.keep_code("isv.SENDERID_ERROR").as_deref(),
            Some("isv.SENDERID_ERROR")
        );
        for bad in [
            "",
            "a b",
            "x/y",
            "SECRETCODE",
            "A.SECRETCODE",
            "UPPER%2DTOKEN",
            &long_code,
        ] {
            assert_eq!(k.keep_code(bad), None, "{bad}");
        }
        assert!(k
            .keep_request_id("39D690BB-7546-4031-9EDF-9B6286F9B754")
            .is_some());
        assert!(k
            .keep_request_id("39d690bb-7546-4031-9edf-9b6286f9b754")
            .is_some());
        for bad in [
            "R1",
            "39D690BB-7546-4031-9EDF-9B6286F9B75",
            "39D690BB-7546-4031-9EDF-9B6286F9B75G",
            "39D690BB75464031-9EDF-9B6286F9B754-",
        ] {
            assert_eq!(k.keep_request_id(bad), None, "{bad}");
        }
        let id = "39D690BB-7546-4031-9EDF-9B6286F9B754";
        for (good, code) in [
            ("https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&product=Dysmsapi&requestId=39D690BB-7546-4031-9EDF-9B6286F9B754", "SignatureDoesNotMatch"),
            ("https://api.aliyun.com/troubleshoot?q=X", "X"),
            ("https://error-center.aliyun.com/status/search?Keyword=InvalidTimeStamp.Expired&source=PopGw", "InvalidTimeStamp.Expired"),
        ] {
            assert_eq!(k.keep_recommend(good, code, Some(id)).as_deref(), Some(good));
        }
        for bad in [
            "diagnose link",
            "https://api.aliyun.com.evil/troubleshoot?q=X",
            "https://api.aliyun.com/troubleshoot?q=X&token=abc",
            "https://api.aliyun.com/troubleshoot?q=Y",
            "https://api.aliyun.com/troubleshoot?q=X&requestId=39D690BB-7546-4031-9EDF-000000000000",
            "https://api.aliyun.com/troubleshoot?q=X&product=a%20b",
            "https://api.aliyun.com/troubleshoot",
            "http://api.aliyun.com/troubleshoot?q=X",
        ] {
            assert_eq!(k.keep_recommend(bad, "X", Some(id)), None, "{bad}");
        }
        assert_eq!(
            k.keep_recommend(
                "https://api.aliyun.com/troubleshoot?q=SECRETCODE",
                "SECRETCODE",
                None
            ),
            None
        );
        let long_link = format!(
            "https://api.aliyun.com/troubleshoot?q=X{}",
            "&q=X".repeat(200)
        );
        assert_eq!(k.keep_recommend(&long_link, "X", None), None);
        assert_eq!(
            k.keep_number("+852 9123-4567").as_deref(),
            Some("+852 9123-4567")
        );
        assert_eq!(k.keep_number("85291234567").as_deref(), Some("85291234567"));
        let long_number = "1".repeat(33);
        for bad in ["", "+", "abc", "8529123456x", "-1", &long_number] {
            assert_eq!(k.keep_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let k = known("s3cr3t-value", Some("tok-en-value"));
        let shown = format!("{k:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("tok-en"),
            "{shown}"
        );
    }

    #[test]
    fn adversarial_text_never_panics() {
        let k = known("%%\\\\++  ", Some("Signature=Signature="));
        let text = "Signature=%25%5C\\u0025+".repeat(2_000);
        let _ = k.scrub(&text, usize::MAX);
        let _ = redact_parameter_values(&"SecurityToken=".repeat(20_000));
        // A hidden value as long as a hostile body is read only so far.
        let long = format!("Signature={}", "a".repeat(1 << 20));
        assert_eq!(k.scrub(&long, 100), "Signature=***…");
        let _ = k.scrub("%", 5);
        let _ = k.scrub("\\u", 5);
        let _ = k.scrub("%2", 5);
    }
}
