//! The campaign journal's format and the proof it gives of what was sent.
//!
//! A journal is a list of entries, each one JSON text ending in a newline, stored exactly as
//! given (a file journal writes them as lines; any other store keeps the strings). The first is
//! a header naming everything that defines the campaign; the rest say "request k is about to be
//! sent" and "request k ended so". A resumed campaign trusts the journal to tell it what may have
//! been sent, so it must be able to prove the journal is whole:
//!
//! - every entry carries its sequence number (`seq`, the header is 0): a lost or reordered entry
//!   breaks the count;
//! - every entry ends with a checksum (`sum`) over its own text and the previous entry's
//!   checksum: a flipped byte, or an entry taken from another journal, breaks the chain;
//! - only an entry without its newline is torn (a crash in the middle of an append), and only
//!   when nothing complete follows it — or when the next complete entry says it was written
//!   after torn ones (`"torn":1`, written by a resumed run whose store could not cut the torn
//!   tail off).
//!
//! Anything else is `JOURNAL_CORRUPT`; a journal of another campaign, endpoint, AccessKeyId or
//! signature scheme is `JOURNAL_MISMATCH`. The rules are here once for every store: the adapter
//! (pkg-template/journal.js, or the caller's own) only stores and reads back.
//!
//! The checksum is the first 64 bits of a SHA-256: it finds damage and mistakes, not forgery (a
//! person able to edit the file can also send SMS with the key).

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::json_text::{self, JsonValue};

/// The journal format's name and version, in its header. Version 1 (no sequence numbers or
/// checksums) is refused as another format: resuming from it could not be proven safe.
pub const JOURNAL_FORMAT: &str = "aliyun-globe-sms/campaign@2";

/// Hex digits of an entry's checksum.
const SUM_DIGITS: usize = 16;
/// `,"sum":"` + digits + `"}` + newline: the fixed end of every entry.
const SUM_TAIL: usize = 8 + SUM_DIGITS + 3;

/// Everything that defines a campaign, hashed in order: the normalized recipients and texts,
/// one-text-or-per-recipient, type, sender ID, task ID and the rules. Each field is tagged and
/// length-prefixed, so `{to: [X], message: Y}` and `{to: [Y], message: [X]}` differ.
#[derive(Debug, Clone)]
pub struct Fingerprint(Sha256);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(Sha256::new())
    }
}

impl Fingerprint {
    /// Adds one field: its tag, its length and its bytes.
    pub fn field(&mut self, tag: &str, value: &str) {
        self.0.update((tag.len() as u64).to_le_bytes());
        self.0.update(tag.as_bytes());
        self.0.update((value.len() as u64).to_le_bytes());
        self.0.update(value.as_bytes());
    }

    /// The 64 hex digits of the hash so far.
    pub fn hex(&self) -> String {
        hex(&self.0.clone().finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Where and as whom a campaign sends: a journal written against the sandbox must not resume
/// against the service (its "sends" would count as sent), nor one of another account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The endpoint's host (and port, when not the default).
    pub host: String,
    /// The signature scheme's name.
    pub scheme: String,
    /// The AccessKeyId that signs, or `None` when a signing service (`signer`) does; kept in the
    /// journal only as a hash, so a journal on disk does not name the account.
    pub access_key_id: Option<String>,
}

impl Destination {
    /// A hash of the AccessKeyId (16 hex digits), or `signer`: what a journal header, or a
    /// fleet's Redis key (src/fleet.rs), says of the account without naming it.
    pub(crate) fn key(&self) -> String {
        match &self.access_key_id {
            Some(id) => {
                let mut f = Fingerprint::default();
                f.field("accessKeyId", id);
                f.hex().get(..SUM_DIGITS).unwrap_or_default().to_string()
            }
            None => "signer".to_string(),
        }
    }
}

/// The journal's first entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub fingerprint: String,
    pub host: String,
    pub scheme: String,
    /// A hash of the AccessKeyId, or `signer`.
    pub key: String,
    pub recipients: usize,
    pub requests: usize,
}

impl Header {
    pub fn new(fingerprint: String, destination: &Destination, recipients: usize, requests: usize) -> Header {
        Header {
            fingerprint,
            host: destination.host.clone(),
            scheme: destination.scheme.clone(),
            key: destination.key(),
            recipients,
            requests,
        }
    }

    pub(crate) fn body(&self) -> String {
        let mut out = format!("\"journal\":\"{JOURNAL_FORMAT}\",\"fingerprint\":");
        json_text::push_json_string(&mut out, &self.fingerprint);
        out.push_str(",\"endpoint\":");
        json_text::push_json_string(&mut out, &self.host);
        out.push_str(",\"scheme\":");
        json_text::push_json_string(&mut out, &self.scheme);
        out.push_str(",\"key\":");
        json_text::push_json_string(&mut out, &self.key);
        let _ = write!(
            out,
            ",\"recipients\":{},\"requests\":{}",
            self.recipients, self.requests
        );
        out
    }

    pub(crate) fn read(value: &JsonValue) -> Option<Header> {
        Some(Header {
            fingerprint: text(value, "fingerprint")?.to_string(),
            host: text(value, "endpoint")?.to_string(),
            scheme: text(value, "scheme")?.to_string(),
            key: text(value, "key")?.to_string(),
            recipients: number(value.get("recipients"))?,
            requests: number(value.get("requests"))?,
        })
    }

    /// Whether a journal with this header belongs to the campaign `expected` describes; the
    /// reason when it does not.
    pub fn check(&self, expected: &Header) -> Result<(), Error> {
        let reason = if self.host != expected.host {
            "the journal was written for another endpoint"
        } else if self.key != expected.key {
            "the journal was written with another AccessKeyId (or with a signer instead of a key, or the reverse)"
        } else if self.scheme != expected.scheme {
            "the journal was written with another signature version"
        } else if self.fingerprint != expected.fingerprint
            || self.recipients != expected.recipients
            || self.requests != expected.requests
        {
            "the journal belongs to another list, text or options"
        } else {
            return Ok(());
        };
        Err(Error::JournalMismatch { reason })
    }
}

/// Writes entries: numbers them and chains their checksums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalWriter {
    seq: u64,
    last_sum: String,
    after_torn: bool,
}

impl JournalWriter {
    /// A writer for an empty journal; `after_torn` when the store holds a torn entry that the
    /// next entry follows.
    fn new(after_torn: bool) -> JournalWriter {
        JournalWriter {
            seq: 0,
            last_sum: String::new(),
            after_torn,
        }
    }

    /// The header entry of a new journal.
    pub fn header(&mut self, header: &Header) -> String {
        self.seal(&header.body())
    }

    /// Seals `body` (the members of a JSON object, without braces) as the next entry.
    pub fn seal(&mut self, body: &str) -> String {
        let mut entry = format!("{{\"seq\":{},", self.seq);
        if self.after_torn {
            entry.push_str("\"torn\":1,");
            self.after_torn = false;
        }
        entry.push_str(body);
        let sum = checksum(&self.last_sum, &entry);
        entry.push_str(",\"sum\":\"");
        entry.push_str(&sum);
        entry.push_str("\"}\n");
        self.seq += 1;
        self.last_sum = sum;
        entry
    }
}

pub(crate) fn checksum(previous: &str, unsealed: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(previous.as_bytes());
    hash.update(b"\n");
    hash.update(unsealed.as_bytes());
    let digest = hash.finalize();
    hex(digest.get(..SUM_DIGITS / 2).unwrap_or_default())
}

/// A journal read back and proven whole.
#[derive(Debug, Clone)]
pub struct ReadJournal {
    /// `None` when nothing complete was ever written (empty, or only a torn header).
    pub header: Option<Header>,
    /// The entries after the header, in order, with their position in the store.
    pub records: Vec<(usize, JsonValue)>,
    /// Goes on from the last complete entry.
    pub writer: JournalWriter,
}

impl ReadJournal {
    /// The journal of a campaign that has not written anything yet.
    pub fn empty() -> ReadJournal {
        ReadJournal {
            header: None,
            records: Vec::new(),
            writer: JournalWriter::new(false),
        }
    }
}

/// Reads `entries` as stored, checking every sequence number and checksum.
pub fn read(entries: &[String]) -> Result<ReadJournal, Error> {
    let mut journal = ReadJournal::empty();
    // Where the complete entries end: anything unterminated after it is a torn tail.
    let end = entries
        .iter()
        .rposition(|e| e.ends_with('\n'))
        .map_or(0, |p| p + 1);
    let mut torn_before = false;
    for (n, entry) in entries.iter().enumerate().take(end) {
        if !entry.ends_with('\n') {
            // Torn entries in the middle (a crash, then a resumed run that tore its first append
            // too, ...) are forgiven only if the next complete entry says it follows torn ones;
            // its checksum chains to the last complete entry before them, so a complete entry
            // that lost its newline later is not forgiven.
            torn_before = true;
            continue;
        }
        let (value, sum) = open(entry, &journal.writer.last_sum, journal.writer.seq, n)?;
        // The mark says a torn entry may precede this one (a file journal cuts it off first, a
        // store that cannot keeps it); without the mark, none may.
        if torn_before && number(value.get("torn")) != Some(1) {
            return Err(Error::JournalCorrupt { entry: n });
        }
        torn_before = false;
        if journal.header.is_none() {
            journal.header = Some(Header::read(&value).ok_or(Error::JournalCorrupt { entry: n })?);
        } else {
            journal.records.push((n, value));
        }
        journal.writer.seq += 1;
        journal.writer.last_sum = sum;
    }
    // Anything after the last complete entry stays in a store that cannot cut it (even an empty
    // string: an append torn before its first byte), so the next entry says it follows it.
    journal.writer.after_torn = entries.len() > end;
    Ok(journal)
}

/// Checks one complete entry (its checksum and number) and parses it; with its checksum.
pub(crate) fn open(entry: &str, previous_sum: &str, seq: u64, n: usize) -> Result<(JsonValue, String), Error> {
    let corrupt = Error::JournalCorrupt { entry: n };
    if seq == 0 {
        // The first entry says which format this is: a journal of another version (or not a
        // journal at all) is another thing, not a damaged one.
        let format = json_text::parse(entry.trim_end())
            .and_then(|v| text(&v, "journal").map(str::to_string));
        if format.as_deref() != Some(JOURNAL_FORMAT) {
            return Err(Error::JournalMismatch {
                reason: "not a campaign journal of this format (or of another version)",
            });
        }
    }
    let split = entry.len().checked_sub(SUM_TAIL).ok_or(corrupt.clone())?;
    let (unsealed, tail) = (entry.get(..split), entry.get(split..));
    let (Some(unsealed), Some(tail)) = (unsealed, tail) else {
        return Err(corrupt);
    };
    let sum = tail
        .strip_prefix(",\"sum\":\"")
        .and_then(|t| t.strip_suffix("\"}\n"))
        .ok_or(corrupt.clone())?;
    if sum != checksum(previous_sum, unsealed) {
        return Err(corrupt);
    }
    let value = json_text::parse(entry.trim_end()).ok_or(corrupt.clone())?;
    if number(value.get("seq")).map(|s| s as u64) != Some(seq) {
        return Err(corrupt);
    }
    Ok((value, sum.to_string()))
}

fn text<'a>(value: &'a JsonValue, key: &str) -> Option<&'a str> {
    match value.get(key) {
        Some(JsonValue::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// A whole number member.
pub fn number(value: Option<&JsonValue>) -> Option<usize> {
    match value? {
        JsonValue::Number(n) => n.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn destination() -> Destination {
        Destination {
            host: "127.0.0.1:8080".into(),
            scheme: "ACS3-HMAC-SHA256".into(),
            access_key_id: Some("LTAI-test".into()),
        }
    }

    fn journal(lines: usize) -> Vec<String> {
        let mut w = JournalWriter::new(false);
        let mut out = vec![w.header(&Header::new("f".repeat(64), &destination(), 3, 2))];
        for k in 0..lines {
            out.push(w.seal(&format!("\"request\":{k}")));
        }
        out
    }

    #[test]
    fn a_whole_journal_reads_back_and_goes_on() {
        let entries = journal(3);
        let read = read(&entries).unwrap();
        assert_eq!(read.header.unwrap().recipients, 3);
        assert_eq!(read.records.len(), 3);
        // The next entry continues the chain.
        let mut w = read.writer;
        let mut more = entries.clone();
        more.push(w.seal("\"request\":3"));
        assert_eq!(super::read(&more).unwrap().records.len(), 4);
    }

    #[test]
    fn lost_reordered_or_flipped_entries_are_corrupt() {
        let entries = journal(4);
        let mut lost = entries.clone();
        lost.remove(2);
        assert_eq!(read(&lost).unwrap_err(), Error::JournalCorrupt { entry: 2 });
        let mut swapped = entries.clone();
        swapped.swap(2, 3);
        assert_eq!(read(&swapped).unwrap_err(), Error::JournalCorrupt { entry: 2 });
        let mut flipped = entries.clone();
        flipped[1] = flipped[1].replace("\"request\":0", "\"request\":1");
        assert_eq!(read(&flipped).unwrap_err(), Error::JournalCorrupt { entry: 1 });
        // Garbage with a newline at the end is not a torn entry.
        let mut garbage = entries.clone();
        garbage.push("{\"seq\":5}\n".into());
        assert_eq!(read(&garbage).unwrap_err(), Error::JournalCorrupt { entry: 5 });
    }

    #[test]
    fn only_a_torn_tail_is_forgiven_and_a_marked_entry_may_follow_it() {
        let mut entries = journal(2);
        let torn = entries.pop().unwrap();
        entries.push(torn[..10].to_string());
        let read = super::read(&entries).unwrap();
        assert_eq!(read.records.len(), 1);
        let mut w = read.writer;
        let next = w.seal("\"request\":1");
        assert!(next.contains("\"torn\":1"));
        entries.push(next);
        assert_eq!(super::read(&entries).unwrap().records.len(), 2);
        // A torn entry in the middle without the mark is damage; the mark without a torn entry
        // before it is fine (a file journal cuts the torn tail off before appending).
        let mut cut = entries.clone();
        cut.remove(2);
        assert_eq!(super::read(&cut).unwrap().records.len(), 2);
        let mut unmarked = journal(3);
        unmarked[1] = unmarked[1].trim_end().to_string();
        assert_eq!(super::read(&unmarked).unwrap_err(), Error::JournalCorrupt { entry: 2 });
    }

    #[test]
    fn an_empty_or_torn_header_only_journal_has_no_header() {
        assert!(read(&[]).unwrap().header.is_none());
        let entries = journal(0);
        let torn = vec![entries[0][..20].to_string()];
        let read = super::read(&torn).unwrap();
        assert!(read.header.is_none());
        assert!(read.writer.clone().header(&Header::new("f".into(), &destination(), 1, 1)).contains("\"torn\":1"));
    }

    #[test]
    fn another_format_or_destination_is_a_mismatch() {
        let v1 = vec!["{\"journal\":\"aliyun-globe-sms/campaign@1\",\"fingerprint\":\"x\"}\n".to_string()];
        assert!(matches!(read(&v1), Err(Error::JournalMismatch { .. })));
        let header = read(&journal(0)).unwrap().header.unwrap();
        let ours = Header::new("f".repeat(64), &destination(), 3, 2);
        assert_eq!(header.check(&ours), Ok(()));
        for other in [
            Destination { host: "dysmsapi.ap-southeast-1.aliyuncs.com".into(), ..destination() },
            Destination { access_key_id: Some("LTAI-other".into()), ..destination() },
            Destination { access_key_id: None, ..destination() },
            Destination { scheme: "1.0".into(), ..destination() },
        ] {
            assert!(matches!(
                header.check(&Header::new("f".repeat(64), &other, 3, 2)),
                Err(Error::JournalMismatch { .. })
            ));
        }
        assert!(header.check(&Header::new("e".repeat(64), &destination(), 3, 2)).is_err());
        // The key is never in the header as given.
        assert!(!journal(0)[0].contains("LTAI-test"));
    }

    #[test]
    fn fields_are_tagged_and_length_prefixed() {
        let mut a = Fingerprint::default();
        a.field("to", "X");
        a.field("message", "Y");
        let mut b = Fingerprint::default();
        b.field("to", "Y");
        b.field("message", "X");
        assert_ne!(a.hex(), b.hex());
        let mut c = Fingerprint::default();
        c.field("to", "ab");
        let mut d = Fingerprint::default();
        d.field("to", "a");
        d.field("to", "b");
        assert_ne!(c.hex(), d.hex());
    }
}
