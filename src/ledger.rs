//! A campaign's ledger in columns (issue 12): a few bytes per recipient instead of one object
//! with five strings each, so a 100,000-recipient result costs about 2.5 MB, not 30 MiB.
//!
//! The ledger is encoded in chunks of rows (`Encoder`): per recipient a state (one byte), the
//! normalized number (`u64`; 0 when invalid) and four indexes, each `NONE` when the row has no
//! such value: into the chunk's message IDs, the request IDs, the codes, and the recipient it
//! repeats. Request IDs and codes are shared by many rows and are kept once each (`Tables`).
//! A reader rebuilds any row from these alone: `Chunk::row` here (what the native tests compare
//! with `rows`, the ledger read from `Campaign::fate`), and `src/wasm/ledger.js` for the result
//! of `sendCampaign`, which builds each row when it is read.
//!
//! `TextColumn` holds many short texts end to end with their ends: one allocation instead of
//! one per text. The campaign keeps its message IDs in one, and the bindings the list they were
//! given (`src/wasm/source.rs`).

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

use crate::campaign::{Campaign, Counts, Fate, RequestCount};

/// "No value" in an index column.
pub const NONE: u32 = u32::MAX;

/// The states a row can be in; a row's state byte is an index into this list (new states go at
/// the end).
pub const STATES: [&str; 8] = [
    "sent",
    "failed",
    "rejected",
    "unknown",
    "skipped",
    "delivered",
    "undelivered",
    "expired",
];

/// Texts end to end, with the byte offset where each ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextColumn {
    text: String,
    ends: Vec<u32>,
}

impl TextColumn {
    pub fn new() -> TextColumn {
        TextColumn::default()
    }

    /// Texts already joined, with their byte ends: `None` unless the ends rise, stay within the
    /// text, end with it and fall on character boundaries.
    pub fn from_joined(text: String, ends: Vec<u32>) -> Option<TextColumn> {
        let mut start = 0usize;
        for &end in &ends {
            let end = end as usize;
            if end < start || !text.is_char_boundary(end) {
                return None;
            }
            start = end;
        }
        if start != text.len() || u32::try_from(text.len()).is_err() {
            return None;
        }
        Some(TextColumn { text, ends })
    }

    /// Appends a text; returns its index, or `NONE` when the column is full (4 GiB of text or
    /// 2³² − 1 texts).
    pub fn push(&mut self, item: &str) -> u32 {
        let index = u32::try_from(self.ends.len()).unwrap_or(NONE);
        let end = u32::try_from(self.text.len() + item.len()).ok();
        match end {
            Some(end) if index != NONE => {
                self.text.push_str(item);
                self.ends.push(end);
                index
            }
            _ => NONE,
        }
    }

    /// The text at `index`.
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = match index.checked_sub(1) {
            Some(before) => *self.ends.get(before)? as usize,
            None => 0,
        };
        self.text.get(start..end)
    }

    /// How many texts.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// All the texts, end to end.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where each text ends in `text()`, in bytes.
    pub fn ends(&self) -> &[u32] {
        &self.ends
    }

    /// The texts in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// `CampaignRecipient` in types.d.ts: one line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerRow<'a> {
    pub index: usize,
    pub to: &'a str,
    pub normalized_to: Option<String>,
    pub state: &'static str,
    pub message_id: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub code: Option<&'a str>,
    pub duplicate_of: Option<usize>,
}

/// `CampaignResult` in types.d.ts: the ledger of a campaign, every recipient in one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ledger<'a> {
    pub counts: Counts,
    pub requests: RequestCount,
    pub recipients: Vec<LedgerRow<'a>>,
}

/// What a row shows of a fate besides its state: the one place that says which fate shows what.
struct Shown<'a> {
    message_id: Option<&'a str>,
    request_id: Option<&'a str>,
    code: Option<&'a str>,
    duplicate_of: Option<usize>,
}

impl<'a> Shown<'a> {
    fn of(fate: &Fate<'a>) -> Shown<'a> {
        let (message_id, request_id, code, duplicate_of) = match *fate {
            Fate::Sent {
                message_id,
                request_id,
            } => (message_id, request_id, None, None),
            Fate::Failed { request_id } => (None, request_id, None, None),
            Fate::Rejected {
                code, duplicate_of, ..
            } => (None, None, Some(code), duplicate_of),
            Fate::Unknown { request_id, code } => (None, request_id, Some(code), None),
            Fate::Skipped { code } => (None, None, code, None),
            Fate::Reported {
                message_id,
                request_id,
                code,
                ..
            } => (message_id, request_id, code, None),
        };
        Shown {
            message_id,
            request_id,
            code,
            duplicate_of,
        }
    }
}

/// Recipient `index`'s row, read from `Campaign::fate`; `to` is the number as it was given.
pub fn row<'a>(campaign: &'a Campaign, index: usize, to: &'a str) -> Option<LedgerRow<'a>> {
    let fate = campaign.fate(index)?;
    let Shown {
        message_id,
        request_id,
        code,
        duplicate_of,
    } = Shown::of(&fate);
    Some(LedgerRow {
        index,
        to,
        normalized_to: campaign.normalized(index),
        state: fate.name(),
        message_id,
        request_id,
        code,
        duplicate_of,
    })
}

/// The whole ledger as rows (every recipient's `row`); `given` holds the numbers as the caller
/// gave them. For native callers and tests: 64 bytes and a `String` per recipient.
pub fn rows<'a>(campaign: &'a Campaign, given: &'a [String]) -> Ledger<'a> {
    let recipients = (0..campaign.total())
        .filter_map(|index| row(campaign, index, given.get(index).map_or("", String::as_str)))
        .collect();
    Ledger {
        counts: campaign.counts(),
        requests: RequestCount {
            done: campaign.requests_done(),
            total: campaign.requests_total(),
        },
        recipients,
    }
}

/// Texts many rows share (request IDs, codes), each kept once; rows hold their index.
#[derive(Debug, Default)]
pub struct Interned<'a> {
    items: Vec<&'a str>,
    index: HashMap<&'a str, u32>,
    /// Consecutive rows mostly share one (the rows of one request).
    last: Option<(&'a str, u32)>,
}

impl<'a> Interned<'a> {
    fn index_of(&mut self, text: Option<&'a str>) -> u32 {
        let Some(text) = text else {
            return NONE;
        };
        if let Some((last, index)) = self.last {
            if last == text {
                return index;
            }
        }
        let next = u32::try_from(self.items.len()).unwrap_or(NONE);
        let index = *self.index.entry(text).or_insert(next);
        if index == next && next != NONE {
            self.items.push(text);
        }
        self.last = Some((text, index));
        index
    }

    /// The texts, by index.
    pub fn items(&self) -> &[&'a str] {
        &self.items
    }

    fn get(&self, index: u32) -> Option<&'a str> {
        self.items.get(index as usize).copied()
    }
}

/// The shared texts of a ledger's rows, filled as chunks are encoded.
#[derive(Debug, Default)]
pub struct Tables<'a> {
    pub request_ids: Interned<'a>,
    pub codes: Interned<'a>,
}

/// The columns of consecutive rows `first..first + len()`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chunk {
    pub first: usize,
    /// Index into `STATES`.
    pub state: Vec<u8>,
    /// The normalized number's digits as a number; 0 when the number was invalid.
    pub normalized: Vec<u64>,
    /// Index of the message ID among all the ledger's (those of earlier chunks first), or `NONE`.
    pub message: Vec<u32>,
    /// This chunk's message IDs; the first is number `first_message` of the ledger.
    pub message_ids: TextColumn,
    pub first_message: u32,
    /// Index into `Tables::request_ids`, or `NONE`.
    pub request: Vec<u32>,
    /// Index into `Tables::codes`, or `NONE`.
    pub code: Vec<u32>,
    /// The recipient this one repeats, or `NONE`.
    pub duplicate_of: Vec<u32>,
}

impl Chunk {
    pub fn len(&self) -> usize {
        self.state.len()
    }

    pub fn is_empty(&self) -> bool {
        self.state.is_empty()
    }

    /// Recipient `index`'s row rebuilt from the columns alone, as `src/wasm/ledger.js` does.
    pub fn row<'a>(
        &'a self,
        tables: &Tables<'a>,
        index: usize,
        to: &'a str,
    ) -> Option<LedgerRow<'a>> {
        let at = index.checked_sub(self.first)?;
        let some = |value: u32| (value != NONE).then_some(value);
        let message = some(*self.message.get(at)?);
        Some(LedgerRow {
            index,
            to,
            normalized_to: Some(*self.normalized.get(at)?)
                .filter(|n| *n != 0)
                .map(|n| n.to_string()),
            state: STATES.get(usize::from(*self.state.get(at)?))?,
            message_id: match message {
                Some(m) => Some(
                    self.message_ids
                        .get(m.checked_sub(self.first_message)? as usize)?,
                ),
                None => None,
            },
            request_id: some(*self.request.get(at)?).and_then(|r| tables.request_ids.get(r)),
            code: some(*self.code.get(at)?).and_then(|c| tables.codes.get(c)),
            duplicate_of: some(*self.duplicate_of.get(at)?).map(|d| d as usize),
        })
    }
}

/// Encodes a campaign's ledger chunk by chunk, so no more than one chunk of columns exists at a
/// time besides what the reader keeps.
#[derive(Debug)]
pub struct Encoder<'a> {
    campaign: &'a Campaign,
    next: usize,
    messages: u32,
    tables: Tables<'a>,
}

impl<'a> Encoder<'a> {
    pub fn new(campaign: &'a Campaign) -> Encoder<'a> {
        Encoder {
            campaign,
            next: 0,
            messages: 0,
            tables: Tables::default(),
        }
    }

    /// Recipients in the ledger.
    pub fn total(&self) -> usize {
        self.campaign.total()
    }

    /// Request IDs and codes of the rows encoded so far.
    pub fn tables(&self) -> &Tables<'a> {
        &self.tables
    }

    /// The next (at most) `size` rows; `None` after the last.
    pub fn next_chunk(&mut self, size: usize) -> Option<Chunk> {
        let range: Range<usize> = self.next..self.total().min(self.next + size.max(1));
        if range.is_empty() {
            return None;
        }
        let mut chunk = Chunk {
            first: range.start,
            first_message: self.messages,
            ..Chunk::default()
        };
        for index in range.clone() {
            let fate = self
                .campaign
                .fate(index)
                .unwrap_or(Fate::Skipped { code: None });
            let shown = Shown::of(&fate);
            let state = STATES.iter().position(|s| *s == fate.name()).unwrap_or(4);
            chunk.state.push(u8::try_from(state).unwrap_or(4));
            chunk
                .normalized
                .push(self.campaign.normalized_number(index).unwrap_or(0));
            chunk.message.push(match shown.message_id {
                Some(id) if chunk.message_ids.push(id) != NONE => {
                    self.messages += 1;
                    self.messages - 1
                }
                _ => NONE,
            });
            chunk
                .request
                .push(self.tables.request_ids.index_of(shown.request_id));
            chunk.code.push(self.tables.codes.index_of(shown.code));
            chunk.duplicate_of.push(
                shown
                    .duplicate_of
                    .and_then(|d| u32::try_from(d).ok())
                    .unwrap_or(NONE),
            );
        }
        self.next = range.end;
        Some(chunk)
    }
}
