//! Message text: encoding detection (GSM-7 or UCS-2), length and billable segments.
//!
//! Facts from the project spec, docs/spec/api-reference.md §5: a message that fits the GSM 03.38 default alphabet
//! (basic set plus extension table) is sent as GSM-7, single up to 160 septets, else 153 per segment,
//! with extension characters costing two septets; any other character makes the whole message UCS-2,
//! single up to 70 UTF-16 units, else 67 per segment. International SMS is billed per segment on
//! submission, so the count shown to people must be the one the carrier bills.

use std::fmt;

/// The longest message accepted, in UTF-16 code units (what JavaScript's `String.prototype.length` shows).
///
/// docs/spec/api-reference.md §5 has two figures: current Alibaba pages say 500 characters, an older international
/// page said 1,500. We take 500, the stricter: a message refused here costs nothing, while one the service
/// refuses after the batch was built fails late for every recipient. UTF-16 units are the unit a browser
/// form counts, so the limit people see while typing is the limit enforced.
pub const MAX_MESSAGE_CHARACTERS: usize = 500;

/// How the text travels over the air; decides the segment sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Encoding {
    /// GSM 03.38 default alphabet, 7 bits per character: 160 per single message, 153 per segment.
    #[serde(rename = "GSM-7")]
    Gsm7,
    /// UCS-2 (UTF-16): 70 units per single message, 67 per segment.
    #[serde(rename = "UCS-2")]
    Ucs2,
}

impl Encoding {
    /// The name people know: `"GSM-7"` or `"UCS-2"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }

    /// Units (septets for GSM-7, UTF-16 units for UCS-2) that fit in a message sent as one segment: 160 or 70.
    pub fn single_segment_capacity(&self) -> usize {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// Units per segment of a concatenated (multi-part) message: 153 or 67. The rest of the 140 bytes
    /// holds the header that tells the phone how to join the parts.
    pub fn multi_segment_capacity(&self) -> usize {
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The size of a message as the carrier bills it (`SegmentCount` in types.d.ts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SegmentCount {
    /// GSM-7 if every character is in the GSM 03.38 basic set or extension table, else UCS-2.
    pub encoding: Encoding,
    /// Length in UTF-16 code units (JavaScript's `.length`); the unit of [`MAX_MESSAGE_CHARACTERS`].
    pub characters: usize,
    /// Billing units: GSM-7 septets (extension characters count 2) or, for UCS-2, UTF-16 units (an emoji counts 2).
    pub units: usize,
    /// Billable segments: 0 for empty text, 1 up to 160 (GSM-7) / 70 (UCS-2) units, else parts of at most
    /// 153 / 67 units, never splitting a GSM-7 escape pair or a UTF-16 surrogate pair across two parts.
    pub segments: usize,
}

/// Why a message text cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageProblem {
    /// The text is empty or only whitespace. Code `MESSAGE_EMPTY`.
    Empty,
    /// Longer than the limit. `characters` and `max` are in UTF-16 units. Code `MESSAGE_TOO_LONG`.
    TooLong {
        /// The message's length in UTF-16 units.
        characters: usize,
        /// The limit, [`MAX_MESSAGE_CHARACTERS`].
        max: usize,
    },
    /// The text contains U+0000, which gateways treat as end of string. Code `MESSAGE_NUL_CHARACTER`.
    NulCharacter {
        /// Where the first NUL is, in UTF-16 units from 0.
        position: usize,
    },
    /// UTF-16 input with an unpaired surrogate: not text, cannot be encoded as UTF-8 for the request.
    /// Code `MESSAGE_LONE_SURROGATE`.
    LoneSurrogate {
        /// Where the first unpaired surrogate is, in UTF-16 units from 0.
        position: usize,
    },
}

impl MessageProblem {
    /// The stable machine-readable code, e.g. `"MESSAGE_TOO_LONG"`. Never reworded once shipped.
    pub fn code(&self) -> crate::batch::IssueCode {
        match self {
            MessageProblem::Empty => crate::batch::IssueCode::MessageEmpty,
            MessageProblem::TooLong { .. } => crate::batch::IssueCode::MessageTooLong,
            MessageProblem::NulCharacter { .. } => crate::batch::IssueCode::MessageNulCharacter,
            MessageProblem::LoneSurrogate { .. } => crate::batch::IssueCode::MessageLoneSurrogate,
        }
    }
}

impl fmt::Display for MessageProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageProblem::Empty => {
                f.write_str("the message has no text: it is empty or only whitespace")
            }
            MessageProblem::TooLong { characters, max } => write!(
                f,
                "the message is {characters} characters long (UTF-16 units, as JavaScript counts); the maximum is {max}"
            ),
            MessageProblem::NulCharacter { position } => write!(
                f,
                "the message contains a NUL character (U+0000) at position {position} (UTF-16 units from 0)"
            ),
            MessageProblem::LoneSurrogate { position } => write!(
                f,
                "the message contains an unpaired UTF-16 surrogate at position {position} (UTF-16 units from 0), which is not valid text"
            ),
        }
    }
}

/// Septets a character costs in the GSM 03.38 default alphabet: 1 in the basic set, 2 in the extension
/// table (escape + character), `None` if it has no GSM-7 form.
const fn gsm_septets(c: char) -> Option<usize> {
    match c {
        // Extension table: sent as ESC followed by a code, hence two septets.
        '\u{0C}' | '^' | '{' | '}' | '\\' | '[' | '~' | ']' | '|' | '€' => Some(2),
        // Printable ASCII is all in the basic set except the extension characters above and '`'.
        '`' => None,
        ' '..='~' | '\n' | '\r' => Some(1),
        // The basic set's non-ASCII characters. 'Ç' is the capital, as in 03.38 (phones often show it as 'ç',
        // but 'ç' itself is not in the set and forces UCS-2).
        '£' | '¥' | 'è' | 'é' | 'ù' | 'ì' | 'ò' | 'Ç' | 'Ø' | 'ø' | 'Å' | 'å' | 'Δ' | 'Φ' | 'Γ'
        | 'Λ' | 'Ω' | 'Π' | 'Ψ' | 'Σ' | 'Θ' | 'Ξ' | 'Æ' | 'æ' | 'ß' | 'É' | '¤' | '¡' | 'Ä'
        | 'Ö' | 'Ñ' | 'Ü' | '§' | '¿' | 'ä' | 'ö' | 'ñ' | 'ü' | 'à' => Some(1),
        _ => None,
    }
}

/// Flags of an ASCII byte in [`ASCII`]: a GSM-7 extension character (two septets).
const EXTENSION: u8 = 1;
/// Not in the GSM 03.38 alphabet: the text goes as UCS-2.
const NOT_GSM: u8 = 2;
/// White space as `char::is_whitespace` says (U+0009 to U+000D and space).
const SPACE: u8 = 4;
/// U+0000.
const NUL: u8 = 8;

/// What each byte of an ASCII text means for [`measure`], as one table: most texts are ASCII, and
/// one lookup per byte replaces decoding the character and a chain of comparisons. Built from
/// [`gsm_septets`] so the two cannot disagree; entries past 127 are never read.
// Evaluated at compile time only: an index out of range would fail the build, never a run.
#[allow(clippy::indexing_slicing)]
const ASCII: [u8; 256] = {
    let mut table = [NOT_GSM; 256];
    let mut b = 0u8;
    while b < 128 {
        let c = b as char;
        let mut flags = match gsm_septets(c) {
            Some(2) => EXTENSION,
            Some(_) => 0,
            None => NOT_GSM,
        };
        if matches!(c, '\t'..='\r' | ' ') {
            flags |= SPACE;
        }
        if b == 0 {
            flags |= NUL;
        }
        table[b as usize] = flags;
        b += 1;
    }
    table
};

/// The flags of ASCII byte `b`.
fn ascii_flags(b: u8) -> u8 {
    // Always in range (256 entries, a u8 index): the check compiles away.
    ASCII.get(usize::from(b)).copied().unwrap_or(NOT_GSM)
}

/// Counts segments by packing indivisible pieces (`sizes`, each 1 or 2 units) greedily into parts.
///
/// A plain `div_ceil` would be wrong: a two-unit piece that would straddle a part boundary moves whole to
/// the next part (phones cannot join half an escape sequence or half a surrogate pair), leaving a unit unused.
fn pack(sizes: impl Iterator<Item = usize>, total: usize, encoding: Encoding) -> usize {
    if total == 0 {
        return 0;
    }
    if total <= encoding.single_segment_capacity() {
        return 1;
    }
    let capacity = encoding.multi_segment_capacity();
    let mut segments = 1usize;
    let mut fill = 0usize;
    for size in sizes {
        if fill.saturating_add(size) > capacity {
            segments = segments.saturating_add(1);
            fill = size;
        } else {
            fill = fill.saturating_add(size);
        }
    }
    segments
}

/// [`pack`] when every piece is one unit: nothing can straddle, so parts fill exactly and no walk
/// over the text is needed.
fn pack_units(total: usize, encoding: Encoding) -> usize {
    if total <= encoding.single_segment_capacity() {
        usize::from(total > 0)
    } else {
        total.div_ceil(encoding.multi_segment_capacity())
    }
}

/// All [`check_message`] needs to know about a text, learnt in one pass over it.
struct Measure {
    count: SegmentCount,
    /// Every character is white space (so also the empty text).
    blank: bool,
    /// Where the first NUL is, in UTF-16 units from 0.
    nul: Option<usize>,
}

/// Measures `text`: a table-driven pass over its bytes when it is ASCII (one byte, one character,
/// one UTF-16 unit), one pass over its characters otherwise. The text is walked again only to
/// pack segments when it holds two-unit pieces and needs more than one part.
fn measure(text: &str) -> Measure {
    if text.is_ascii() {
        measure_ascii(text.as_bytes())
    } else {
        measure_chars(text)
    }
}

fn measure_ascii(bytes: &[u8]) -> Measure {
    let mut extensions = 0usize;
    let mut any = 0u8;
    let mut all = u8::MAX;
    for &b in bytes {
        let flags = ascii_flags(b);
        extensions += usize::from(flags & EXTENSION);
        any |= flags;
        all &= flags;
    }
    let characters = bytes.len();
    let nul = if any & NUL == 0 {
        None
    } else {
        bytes.iter().position(|&b| b == 0)
    };
    let count = if any & NOT_GSM != 0 {
        SegmentCount {
            encoding: Encoding::Ucs2,
            characters,
            units: characters,
            segments: pack_units(characters, Encoding::Ucs2),
        }
    } else {
        let units = characters + extensions;
        SegmentCount {
            encoding: Encoding::Gsm7,
            characters,
            units,
            segments: if extensions == 0 {
                pack_units(units, Encoding::Gsm7)
            } else {
                pack(
                    bytes
                        .iter()
                        .map(|&b| 1 + usize::from(ascii_flags(b) & EXTENSION)),
                    units,
                    Encoding::Gsm7,
                )
            },
        }
    };
    Measure {
        count,
        blank: all & SPACE != 0,
        nul,
    }
}

fn measure_chars(text: &str) -> Measure {
    let mut characters = 0usize;
    let mut septets = Some(0usize);
    // Whether a two-unit piece (an escape pair, a surrogate pair) was seen: without one, parts fill
    // exactly and segments need no packing walk.
    let mut extensions = false;
    let mut pairs = false;
    let mut blank = true;
    let mut nul = None;
    for c in text.chars() {
        if c == '\0' && nul.is_none() {
            nul = Some(characters);
        }
        blank = blank && c.is_whitespace();
        let width = c.len_utf16();
        characters += width;
        pairs |= width == 2;
        if let Some(sum) = septets {
            septets = gsm_septets(c).map(|n| {
                extensions |= n == 2;
                sum + n
            });
        }
    }
    let count = match septets {
        Some(units) => SegmentCount {
            encoding: Encoding::Gsm7,
            characters,
            units,
            segments: if extensions {
                pack(text.chars().filter_map(gsm_septets), units, Encoding::Gsm7)
            } else {
                pack_units(units, Encoding::Gsm7)
            },
        },
        None => SegmentCount {
            encoding: Encoding::Ucs2,
            characters,
            // UCS-2 on the air is UTF-16 here: a character outside the BMP is a surrogate pair, 2 units.
            units: characters,
            segments: if pairs {
                pack(
                    text.chars().map(char::len_utf16),
                    characters,
                    Encoding::Ucs2,
                )
            } else {
                pack_units(characters, Encoding::Ucs2)
            },
        },
    };
    Measure { count, blank, nul }
}

/// Encoding, length and billable segments of `text`. Never fails: empty text gives 0 segments, and
/// characters the service would refuse (NUL) are still counted; [`check_message`] refuses them.
pub fn count_segments(text: &str) -> SegmentCount {
    measure(text).count
}

/// Why one character costs more than a plain GSM-7 character (`CostlyCharacter.reason` in types.d.ts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CostReason {
    /// Not in the GSM 03.38 alphabet: the whole message is sent as UCS-2 (70/67 per segment).
    #[serde(rename = "ucs2")]
    Ucs2,
    /// In the GSM 03.38 extension table: sent as ESC + code, two septets instead of one.
    #[serde(rename = "gsmExtension")]
    GsmExtension,
}

/// One character that makes a message dearer, where it is in the text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CostlyCharacter {
    /// Where it starts, in UTF-16 units from 0 (a JavaScript string index).
    pub at: usize,
    /// Its length in UTF-16 units: 2 for a character outside the BMP (an emoji).
    pub length: usize,
    /// The character itself.
    pub character: String,
    pub reason: CostReason,
}

/// The characters that make a message dearer than plain GSM-7 text (`CostlyCharacters` in
/// types.d.ts): the ones that force UCS-2 when it is UCS-2, else the GSM-7 extension characters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CostlyCharacters {
    /// The message's encoding, as [`count_segments`] gives it.
    pub encoding: Encoding,
    /// How many such characters the text holds.
    pub total: usize,
    /// The first of them, at most the `limit` asked for, in text order.
    pub characters: Vec<CostlyCharacter>,
}

/// Which characters of `text` cost more than plain GSM-7 and why, the first `limit` listed.
///
/// A person who sees "UCS-2, 2 segments" for a message of 80 Latin letters needs to know that one
/// `✓` did it (issue 16): in a UCS-2 text these are the characters outside the GSM 03.38 alphabet
/// (removing every one of them makes it GSM-7), in a GSM-7 text the extension characters, which
/// count two septets. Uses the same alphabet as [`count_segments`], so the two always agree.
pub fn costly_characters(text: &str, limit: usize) -> CostlyCharacters {
    let ucs2 = text.chars().any(|c| gsm_septets(c).is_none());
    let mut characters = Vec::new();
    let mut total = 0usize;
    let mut at = 0usize;
    for c in text.chars() {
        let costly = match gsm_septets(c) {
            None => Some(CostReason::Ucs2),
            Some(2) if !ucs2 => Some(CostReason::GsmExtension),
            Some(_) => None,
        };
        if let Some(reason) = costly {
            total += 1;
            if characters.len() < limit {
                characters.push(CostlyCharacter {
                    at,
                    length: c.len_utf16(),
                    character: c.to_string(),
                    reason,
                });
            }
        }
        at += c.len_utf16();
    }
    CostlyCharacters {
        encoding: if ucs2 { Encoding::Ucs2 } else { Encoding::Gsm7 },
        total,
        characters,
    }
}

/// Checks a message and counts its segments.
///
/// Checks, in order: empty or only whitespace → [`MessageProblem::Empty`] (a blank SMS is billed like any
/// other, and is nearly always a template that failed to fill); a NUL character →
/// [`MessageProblem::NulCharacter`]; more than [`MAX_MESSAGE_CHARACTERS`] UTF-16 units →
/// [`MessageProblem::TooLong`].
pub fn check_message(text: &str) -> Result<SegmentCount, MessageProblem> {
    // One pass for all three checks and the count: this runs for every recipient of a batch.
    let Measure { count, blank, nul } = measure(text);
    if blank {
        return Err(MessageProblem::Empty);
    }
    if let Some(position) = nul {
        return Err(MessageProblem::NulCharacter { position });
    }
    if count.characters > MAX_MESSAGE_CHARACTERS {
        return Err(MessageProblem::TooLong {
            characters: count.characters,
            max: MAX_MESSAGE_CHARACTERS,
        });
    }
    Ok(count)
}

/// Turns UTF-16 (a JavaScript string as bindings receive it) into a `String`.
///
/// JavaScript strings may hold unpaired surrogates, which have no UTF-8 form; rather than replace them
/// silently (changing a paid message), the first one is refused as [`MessageProblem::LoneSurrogate`] with
/// its position in UTF-16 units from 0. Nothing else is checked here: pass the result to [`check_message`].
pub fn text_from_utf16(units: &[u16]) -> Result<String, MessageProblem> {
    let mut text = String::with_capacity(units.len());
    let mut position = 0usize;
    for decoded in char::decode_utf16(units.iter().copied()) {
        match decoded {
            Ok(c) => {
                text.push(c);
                position = position.saturating_add(c.len_utf16());
            }
            Err(_) => return Err(MessageProblem::LoneSurrogate { position }),
        }
    }
    Ok(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    #[test]
    fn costly_characters_name_what_forces_ucs2_where_it_is() {
        // Issue 16: one check mark doubles a message's segments.
        let text = format!("{} \u{2713} done", "a".repeat(80));
        assert_eq!(count_segments(&text).encoding, Encoding::Ucs2);
        let found = costly_characters(&text, 10);
        assert_eq!(found.encoding, Encoding::Ucs2);
        assert_eq!(found.total, 1);
        assert_eq!(
            found.characters,
            vec![CostlyCharacter { at: 81, length: 1, character: "\u{2713}".into(), reason: CostReason::Ucs2 }]
        );
        // In a UCS-2 text an extension character is not the cause: only the others are listed.
        let found = costly_characters("{\u{1F600}}é中", 10);
        assert_eq!(
            found.characters.iter().map(|c| (c.at, c.length, c.character.as_str())).collect::<Vec<_>>(),
            vec![(1, 2, "\u{1F600}"), (5, 1, "中")]
        );
    }

    #[test]
    fn costly_characters_in_gsm7_are_the_extension_characters() {
        let found = costly_characters("Price: 5€ [net]", 10);
        assert_eq!(found.encoding, Encoding::Gsm7);
        assert_eq!(
            found.characters.iter().map(|c| (c.at, c.character.as_str(), c.reason)).collect::<Vec<_>>(),
            vec![(8, "€", CostReason::GsmExtension), (10, "[", CostReason::GsmExtension), (14, "]", CostReason::GsmExtension)]
        );
        // Plain text costs nothing extra; the limit caps the list, not the total.
        assert_eq!(costly_characters("Hello there", 10).total, 0);
        let many = costly_characters(&"中".repeat(30), 5);
        assert_eq!((many.total, many.characters.len(), many.characters[4].at), (30, 5, 4));
    }

    #[test]
    fn costly_characters_agree_with_count_segments() {
        for text in ["", "plain", "a`b", "x€y", "中文", "\u{1F600}", "ok ✓", "\u{0C}"] {
            let found = costly_characters(text, usize::MAX);
            assert_eq!(found.encoding, count_segments(text).encoding, "{text:?}");
            // Removing the UCS-2 culprits leaves a GSM-7 text.
            let rest: String = text.chars().filter(|c| !found.characters.iter().any(|f| f.reason == CostReason::Ucs2 && f.character == c.to_string())).collect();
            assert_eq!(count_segments(&rest).encoding, Encoding::Gsm7, "{text:?}");
        }
    }

    use super::*;
    use proptest::prelude::*;

    /// The counting as first written, character by character and walking the text once per
    /// question: the reference the table-driven `measure` must agree with.
    fn reference_count(text: &str) -> SegmentCount {
        let mut characters = 0usize;
        let mut septets = Some(0usize);
        for c in text.chars() {
            characters += c.len_utf16();
            septets = match (septets, gsm_septets(c)) {
                (Some(sum), Some(n)) => Some(sum + n),
                _ => None,
            };
        }
        match septets {
            Some(units) => SegmentCount {
                encoding: Encoding::Gsm7,
                characters,
                units,
                segments: pack(text.chars().filter_map(gsm_septets), units, Encoding::Gsm7),
            },
            None => SegmentCount {
                encoding: Encoding::Ucs2,
                characters,
                units: characters,
                segments: pack(text.chars().map(char::len_utf16), characters, Encoding::Ucs2),
            },
        }
    }

    fn reference_check(text: &str) -> Result<SegmentCount, MessageProblem> {
        if text.chars().all(char::is_whitespace) {
            return Err(MessageProblem::Empty);
        }
        if let Some(byte_index) = text.find('\0') {
            let position = text[..byte_index].encode_utf16().count();
            return Err(MessageProblem::NulCharacter { position });
        }
        let count = reference_count(text);
        if count.characters > MAX_MESSAGE_CHARACTERS {
            return Err(MessageProblem::TooLong {
                characters: count.characters,
                max: MAX_MESSAGE_CHARACTERS,
            });
        }
        Ok(count)
    }

    /// Characters where the fast paths could go wrong: GSM extension characters, the basic set's
    /// non-ASCII letters, characters just outside it, surrogate pairs, NUL, quotes, backslashes,
    /// control characters and Unicode white space.
    const TRICKY: &[char] = &[
        '^', '{', '}', '\\', '[', '~', ']', '|', '€', '\u{0C}', '`', '\0', '"', '\u{1}', '\u{1B}',
        '\u{7F}', '\n', '\r', '\t', '\u{0B}', ' ', '\u{A0}', '\u{85}', '\u{3000}', '\u{2028}', 'a',
        'Z', '0', '@', '$', 'é', 'Ç', 'ç', 'Δ', '£', '你', '😀', '🎉', '\u{FFFF}', '\u{10FFFF}',
    ];

    /// Texts of 0 to 600 characters, some pure ASCII (the table path) and some not, long enough to
    /// cross the 160/153 and 70/67 boundaries and the 500 limit.
    fn tricky_text() -> impl Strategy<Value = String> {
        let ascii: Vec<char> = TRICKY.iter().copied().filter(char::is_ascii).collect();
        prop_oneof![
            proptest::collection::vec(proptest::sample::select(TRICKY), 0..600),
            proptest::collection::vec(proptest::sample::select(ascii), 0..600),
            proptest::collection::vec(
                prop_oneof![4 => proptest::char::range('a', 'z'), 1 => proptest::sample::select(TRICKY)],
                0..600
            ),
            proptest::collection::vec(any::<char>(), 0..200),
        ]
        .prop_map(|chars| chars.into_iter().collect())
    }

    fn count(text: &str) -> (Encoding, usize, usize, usize) {
        let c = count_segments(text);
        (c.encoding, c.characters, c.units, c.segments)
    }

    #[test]
    fn empty_text_has_no_segments() {
        assert_eq!(count(""), (Encoding::Gsm7, 0, 0, 0));
    }

    #[test]
    fn gsm_single_segment_ends_at_160() {
        assert_eq!(count(&"a".repeat(160)), (Encoding::Gsm7, 160, 160, 1));
        assert_eq!(count(&"a".repeat(161)), (Encoding::Gsm7, 161, 161, 2));
    }

    #[test]
    fn gsm_multi_segment_holds_153() {
        assert_eq!(count(&"a".repeat(306)).3, 2);
        assert_eq!(count(&"a".repeat(307)).3, 3);
        // The documented example: 350 → 153 + 153 + 44.
        assert_eq!(count(&"a".repeat(350)).3, 3);
    }

    #[test]
    fn ucs2_single_segment_ends_at_70() {
        assert_eq!(count(&"你".repeat(70)), (Encoding::Ucs2, 70, 70, 1));
        assert_eq!(count(&"你".repeat(71)), (Encoding::Ucs2, 71, 71, 2));
    }

    #[test]
    fn ucs2_multi_segment_holds_67() {
        assert_eq!(count(&"你".repeat(134)).3, 2);
        assert_eq!(count(&"你".repeat(135)).3, 3);
        // The documented example: 150 → 67 + 67 + 16.
        assert_eq!(count(&"你".repeat(150)).3, 3);
    }

    #[test]
    fn euro_and_other_extension_characters_count_two() {
        assert_eq!(count("€"), (Encoding::Gsm7, 1, 2, 1));
        for c in ['^', '{', '}', '\\', '[', ']', '~', '|', '\u{0C}'] {
            assert_eq!(count(&c.to_string()), (Encoding::Gsm7, 1, 2, 1), "{c:?}");
        }
        assert_eq!(count(&"€".repeat(80)), (Encoding::Gsm7, 80, 160, 1));
        assert_eq!(count(&"€".repeat(81)).3, 2);
    }

    #[test]
    fn extension_character_is_not_split_across_segments() {
        // 152 septets then '€': 154 would not fit in 153, so '€' opens the second part.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        let c = count_segments(&text);
        assert_eq!(c.units, 306);
        // div_ceil(306, 153) would say 2; the escape pair moves whole, so the second part holds 154 → 3.
        assert_eq!(c.segments, 3);
        // With the pair just inside the boundary, 2 suffice.
        let text = format!("{}€{}", "a".repeat(151), "a".repeat(153));
        assert_eq!(count_segments(&text).segments, 2);
    }

    #[test]
    fn surrogate_pair_is_not_split_across_segments() {
        // 66 units then an emoji (2 units): the pair moves to the second part.
        let text = format!("{}😀{}", "你".repeat(66), "你".repeat(66));
        let c = count_segments(&text);
        assert_eq!(
            (c.encoding, c.characters, c.units),
            (Encoding::Ucs2, 134, 134)
        );
        assert_eq!(c.segments, 3);
        let text = format!("{}😀{}", "你".repeat(65), "你".repeat(67));
        assert_eq!(count_segments(&text).segments, 2);
    }

    #[test]
    fn emoji_counts_two_units() {
        assert_eq!(count("😀"), (Encoding::Ucs2, 2, 2, 1));
        assert_eq!(count(&"😀".repeat(35)).3, 1);
        assert_eq!(count(&"😀".repeat(36)).3, 2);
    }

    #[test]
    fn one_non_gsm_character_makes_the_whole_message_ucs2() {
        for c in ['你', '😀', '\u{201C}', '`', 'ç', '\t', '\0'] {
            let text = format!("Hello {c}");
            assert_eq!(count_segments(&text).encoding, Encoding::Ucs2, "{c:?}");
        }
        assert_eq!(
            count(&format!("{}“", "a".repeat(69))),
            (Encoding::Ucs2, 70, 70, 1)
        );
    }

    #[test]
    fn whole_gsm_basic_set_is_gsm7() {
        let basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                     ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
        let c = count_segments(basic);
        assert_eq!(c.encoding, Encoding::Gsm7);
        assert_eq!(c.units, c.characters);
        assert_eq!(c.characters, 127); // 128 code points minus ESC, which is not a character
    }

    #[test]
    fn ascii_table_agrees_with_the_character_rules() {
        for b in 0u8..128 {
            let c = char::from(b);
            let flags = ascii_flags(b);
            assert_eq!(flags & EXTENSION != 0, gsm_septets(c) == Some(2), "{c:?}");
            assert_eq!(flags & NOT_GSM != 0, gsm_septets(c).is_none(), "{c:?}");
            assert_eq!(flags & SPACE != 0, c.is_whitespace(), "{c:?}");
            assert_eq!(flags & NUL != 0, c == '\0', "{c:?}");
        }
    }

    #[test]
    fn every_char_of_every_length_matches_the_reference() {
        // Each tricky character repeated across the single/multi-part boundaries, alone and after
        // ASCII (which sends the ASCII text down the character path).
        for &c in TRICKY {
            for n in [0, 1, 69, 70, 71, 80, 81, 134, 135, 152, 153, 154, 160, 161, 250, 251, 500, 501] {
                for text in [c.to_string().repeat(n), format!("{}{c}", "a".repeat(n))] {
                    assert_eq!(count_segments(&text), reference_count(&text), "{c:?} {n}");
                    assert_eq!(check_message(&text), reference_check(&text), "{c:?} {n}");
                }
            }
        }
    }

    #[test]
    fn encoding_names() {
        assert_eq!(Encoding::Gsm7.as_str(), "GSM-7");
        assert_eq!(Encoding::Ucs2.to_string(), "UCS-2");
    }

    #[test]
    fn check_refuses_empty_and_blank() {
        for text in ["", " ", "\n\t", "\u{3000}"] {
            let e = check_message(text).unwrap_err();
            assert_eq!(
                (e.code(), &e),
                (crate::batch::IssueCode::MessageEmpty, &MessageProblem::Empty),
                "{text:?}"
            );
        }
    }

    #[test]
    fn check_refuses_nul_with_utf16_position() {
        let e = check_message("😀a\0b").unwrap_err();
        assert_eq!(e, MessageProblem::NulCharacter { position: 3 });
        assert_eq!(e.code().as_str(), "MESSAGE_NUL_CHARACTER");
        assert!(e.to_string().contains("position 3"));
    }

    #[test]
    fn check_limit_is_500_utf16_units() {
        assert_eq!(check_message(&"a".repeat(500)).unwrap().segments, 4);
        let e = check_message(&"a".repeat(501)).unwrap_err();
        assert_eq!(
            e,
            MessageProblem::TooLong {
                characters: 501,
                max: 500
            }
        );
        assert_eq!(e.code().as_str(), "MESSAGE_TOO_LONG");
        // 250 emoji are 500 units: allowed; one more is not.
        assert_eq!(check_message(&"😀".repeat(250)).unwrap().characters, 500);
        assert_eq!(
            check_message(&"😀".repeat(251)).unwrap_err(),
            MessageProblem::TooLong {
                characters: 502,
                max: 500
            }
        );
    }

    #[test]
    fn utf16_round_trips_and_refuses_lone_surrogates() {
        let units: Vec<u16> = "a😀b".encode_utf16().collect();
        assert_eq!(text_from_utf16(&units).unwrap(), "a😀b");
        assert_eq!(text_from_utf16(&[]).unwrap(), "");
        let lone_high = [0x61, 0xD83D, 0x62];
        let e = text_from_utf16(&lone_high).unwrap_err();
        assert_eq!(e, MessageProblem::LoneSurrogate { position: 1 });
        assert_eq!(e.code().as_str(), "MESSAGE_LONE_SURROGATE");
        // A pair before a lone low surrogate: position counts the pair as 2.
        let units = [0xD83D, 0xDE00, 0xDE00];
        assert_eq!(
            text_from_utf16(&units).unwrap_err(),
            MessageProblem::LoneSurrogate { position: 2 }
        );
        // A high surrogate at the very end.
        assert_eq!(
            text_from_utf16(&[0xD800]).unwrap_err(),
            MessageProblem::LoneSurrogate { position: 0 }
        );
    }

    #[test]
    fn displays_are_sentences() {
        let problems = [
            MessageProblem::Empty,
            MessageProblem::TooLong {
                characters: 501,
                max: 500,
            },
            MessageProblem::NulCharacter { position: 0 },
            MessageProblem::LoneSurrogate { position: 0 },
        ];
        for p in problems {
            assert!(p.to_string().starts_with("the message"), "{p}");
        }
    }

    proptest! {
        #[test]
        fn counting_never_panics_and_is_consistent(text in any::<String>()) {
            let c = count_segments(&text);
            prop_assert_eq!(c.characters, text.encode_utf16().count());
            let per_part = if c.segments > 1 {
                c.encoding.multi_segment_capacity()
            } else {
                c.encoding.single_segment_capacity()
            };
            prop_assert!(c.segments * per_part >= c.units);
            // Greedy packing leaves at most one unit unused per closed part.
            if c.segments > 1 {
                prop_assert!(c.units > (c.segments - 1) * (per_part - 1));
            }
            prop_assert_eq!(c.segments == 0, text.is_empty());
        }

        #[test]
        fn gsm_like_text_is_consistent(text in "[a-z€\\[\\]{}~ ]{0,700}") {
            let c = count_segments(&text);
            prop_assert_eq!(c.encoding, Encoding::Gsm7);
            let cap = if c.segments > 1 { 153 } else { 160 };
            prop_assert!(c.segments * cap >= c.units);
        }

        #[test]
        fn count_matches_the_reference(text in tricky_text()) {
            prop_assert_eq!(count_segments(&text), reference_count(&text));
        }

        #[test]
        fn check_matches_the_reference(text in tricky_text()) {
            prop_assert_eq!(check_message(&text), reference_check(&text));
        }

        #[test]
        fn check_matches_the_reference_on_any_string(text in any::<String>()) {
            prop_assert_eq!(check_message(&text), reference_check(&text));
        }

        #[test]
        fn check_message_never_panics(text in any::<String>()) {
            if let Ok(c) = check_message(&text) {
                prop_assert!(c.characters <= MAX_MESSAGE_CHARACTERS);
                prop_assert!(c.segments >= 1);
            }
        }

        #[test]
        fn utf16_never_panics(units in proptest::collection::vec(any::<u16>(), 0..64)) {
            match text_from_utf16(&units) {
                Ok(text) => prop_assert_eq!(text.encode_utf16().collect::<Vec<_>>(), units),
                Err(MessageProblem::LoneSurrogate { position }) => prop_assert!(position < units.len()),
                Err(other) => prop_assert!(false, "unexpected {:?}", other),
            }
        }

        #[test]
        fn utf16_round_trips_any_string(text in any::<String>()) {
            let units: Vec<u16> = text.encode_utf16().collect();
            prop_assert_eq!(text_from_utf16(&units).unwrap(), text);
        }
    }
}
