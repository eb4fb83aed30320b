//! Recipient numbers: what people paste in, turned into what the API wants.
//!
//! The API takes "dialing code + number", digits only, no `+` or `00` (every Alibaba example, and
//! docs/spec/DECISIONS.md §7). This module is the only place that knows how to get there: separators, international
//! prefixes, the ITU dialing-code table, the refusal of Chinese-mainland numbers (+86; the Globe APIs cannot
//! send there) and, optionally, each country's national number length.

use std::fmt;

/// Most digits in an international number, dialing code included (ITU-T E.164).
pub const MAX_DIGITS: usize = 15;

/// Fewest digits accepted, dialing code included.
///
/// The shortest numbers in service are 7 digits with their code (Saint Helena +290 and Niue +683, 4-digit
/// national numbers behind a 3-digit code). Anything shorter is a typo or a short code, which international
/// SMS cannot reach.
pub const MIN_DIGITS: usize = 7;

/// The dialing code that cannot be sent to: the Chinese mainland.
pub const MAINLAND_CHINA_DIALING_CODE: u16 = 86;

/// A recipient number in the form the API wants: dialing code first, digits only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Dialing code and national number, ASCII digits only, 7 to 15 of them, e.g. `"85291234567"`.
    pub normalized: String,
    /// The ITU-T E.164 country calling code the number starts with, e.g. `852`.
    pub dialing_code: u16,
    /// ISO 3166-1 alpha-2 code of the dialing code's main region, e.g. `"HK"`.
    ///
    /// A code shared by several regions gives the largest one and says nothing about the exact one:
    /// `1` (NANP: US, CA and the Caribbean) is `"US"`, `7` (RU, KZ) is `"RU"`, `44` (GB, GG, JE, IM) is
    /// `"GB"`, `39` (IT, VA) is `"IT"`. Two codes outside the standard list: `"AC"` (Ascension, +247, an
    /// ISO exceptional reservation) and `"XK"` (Kosovo, +383, the code in common use). Non-geographic
    /// satellite and international-network codes (+870, +881, +882, +883) are `"001"`, the UN code for
    /// the world.
    pub region: &'static str,
}

/// Why a number cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecipientProblem {
    /// Blank, only separators, or only an international prefix (`+`, `00`). Code `RECIPIENT_EMPTY`.
    Empty,
    /// A character that is neither a digit, a separator nor a leading `+`: letters (so "ext"), `*`, `#`,
    /// a `+` after the first digit or a second `+`. Code `RECIPIENT_INVALID_CHARACTER`.
    InvalidCharacter {
        /// The first offending character.
        character: char,
        /// Its position in the input, in characters (Unicode scalar values) from 0.
        position: usize,
    },
    /// Fewer than [`MIN_DIGITS`] digits, dialing code included. Code `RECIPIENT_TOO_SHORT`.
    TooShort {
        /// Digits in the number, dialing code included (international prefix excluded).
        digits: usize,
        /// [`MIN_DIGITS`].
        min: usize,
    },
    /// More than [`MAX_DIGITS`] (15, E.164) digits, dialing code included. Code `RECIPIENT_TOO_LONG`.
    TooLong {
        /// Digits in the number, dialing code included (international prefix excluded).
        digits: usize,
        /// [`MAX_DIGITS`].
        max: usize,
    },
    /// The number starts with no assigned country dialing code, or with a single `0` (a national
    /// number written without its dialing code). Code `RECIPIENT_UNKNOWN_DIALING_CODE`.
    UnknownDialingCode,
    /// A Chinese-mainland number (+86), which BatchSendMessageToGlobe cannot reach. Hong Kong (+852),
    /// Macau (+853) and Taiwan (+886) are allowed. Code `RECIPIENT_MAINLAND_CHINA`.
    MainlandChina,
    /// The national part (after the dialing code) has a length no number in that country has.
    /// Only checked when [`NumberRules::check_national_length`] is on. Code `RECIPIENT_WRONG_LENGTH`.
    WrongLengthForCountry {
        /// The number's dialing code.
        dialing_code: u16,
        /// Digits after the dialing code.
        national_digits: usize,
        /// Fewest national digits in use behind this code.
        min: usize,
        /// Most national digits in use behind this code.
        max: usize,
    },
    /// The same normalized number appears earlier in the batch. Code `RECIPIENT_DUPLICATE`.
    Duplicate {
        /// Index of the first occurrence in the batch, from 0.
        first_index: usize,
    },
}

impl RecipientProblem {
    /// The stable machine-readable code, e.g. `"RECIPIENT_TOO_SHORT"`. Never reworded once shipped.
    pub fn code(&self) -> crate::batch::IssueCode {
        match self {
            RecipientProblem::Empty => crate::batch::IssueCode::RecipientEmpty,
            RecipientProblem::InvalidCharacter { .. } => crate::batch::IssueCode::RecipientInvalidCharacter,
            RecipientProblem::TooShort { .. } => crate::batch::IssueCode::RecipientTooShort,
            RecipientProblem::TooLong { .. } => crate::batch::IssueCode::RecipientTooLong,
            RecipientProblem::UnknownDialingCode => crate::batch::IssueCode::RecipientUnknownDialingCode,
            RecipientProblem::MainlandChina => crate::batch::IssueCode::RecipientMainlandChina,
            RecipientProblem::WrongLengthForCountry { .. } => crate::batch::IssueCode::RecipientWrongLength,
            RecipientProblem::Duplicate { .. } => crate::batch::IssueCode::RecipientDuplicate,
        }
    }
}

impl fmt::Display for RecipientProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecipientProblem::Empty => f.write_str("the number is empty"),
            RecipientProblem::InvalidCharacter { character, position } => write!(
                f,
                "the number contains '{}' at position {position} (from 0); use digits, one leading + and the separators space - . ( ) /",
                character.escape_debug()
            ),
            RecipientProblem::TooShort { digits, min } => write!(
                f,
                "the number has {digits} digits with its country dialing code; at least {min} are needed"
            ),
            RecipientProblem::TooLong { digits, max } => write!(
                f,
                "the number has {digits} digits with its country dialing code; international numbers have at most {max}"
            ),
            RecipientProblem::UnknownDialingCode => f.write_str(
                "the number does not start with a known country dialing code; a number starting with 0 is a national number: write it with its country code, e.g. +852 9123 4567",
            ),
            RecipientProblem::MainlandChina => f.write_str(
                "numbers in the Chinese mainland (+86) cannot be reached through this international service; Hong Kong (+852), Macau (+853) and Taiwan (+886) can",
            ),
            RecipientProblem::WrongLengthForCountry { dialing_code, national_digits, min, max } => {
                if min == max {
                    write!(f, "numbers under +{dialing_code} have {min} digits after the dialing code; this one has {national_digits}")
                } else {
                    write!(f, "numbers under +{dialing_code} have {min} to {max} digits after the dialing code; this one has {national_digits}")
                }
            }
            RecipientProblem::Duplicate { first_index } => {
                write!(f, "the same number already appears as recipient #{first_index}")
            }
        }
    }
}

/// Options for [`normalize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberRules {
    /// Refuse numbers whose national part has a length not used in their country
    /// ([`RecipientProblem::WrongLengthForCountry`]). Turn off for test or synthetic numbers.
    /// @default true
    pub check_national_length: bool,
}

impl Default for NumberRules {
    fn default() -> Self {
        NumberRules {
            check_national_length: true,
        }
    }
}

/// What a pasted character means.
enum Piece {
    Digit(u8),
    Plus,
    Open,
    Close,
    Separator,
    Invalid,
}

fn digit_in(c: char, zero: char) -> Option<u8> {
    (c as u32)
        .checked_sub(zero as u32)
        .filter(|d| *d < 10)
        .and_then(|d| u8::try_from(d).ok())
}

fn classify(c: char) -> Piece {
    // ASCII, full-width (East Asian input methods), Arabic-Indic and Persian digits: all appear in
    // pasted contact lists for the regions this service reaches. ASCII is tried alone first: it is
    // nearly every character of nearly every number, and needs one subtraction, not four.
    let digit = if c.is_ascii() {
        digit_in(c, '0')
    } else {
        ['\u{FF10}', '\u{0660}', '\u{06F0}']
            .iter()
            .find_map(|zero| digit_in(c, *zero))
    };
    if let Some(d) = digit {
        return Piece::Digit(d);
    }
    match c {
        '+' | '\u{FF0B}' => Piece::Plus,
        '(' | '\u{FF08}' => Piece::Open,
        ')' | '\u{FF09}' => Piece::Close,
        '-' | '.' | '/' | '\u{FF0D}' | '\u{FF0E}' | '\u{FF0F}'
        // Hyphens and dashes word processors substitute for '-'.
        | '\u{2010}'..='\u{2015}' | '\u{2212}'
        // Invisible marks that phones and chat apps wrap around numbers they display (bidi controls,
        // zero-width space and joiners, BOM): not typed, but pasted.
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' => Piece::Separator,
        // Space, NBSP, narrow no-break space, ideographic space, tabs and line ends.
        c if c.is_whitespace() => Piece::Separator,
        _ => Piece::Invalid,
    }
}

/// How far a "(0)" has been read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TrunkMark {
    Outside,
    AfterOpen,
    AfterOpenZero,
}

/// Reads the digits of a pasted number, refusing the first character that does not belong.
///
/// Returns the digits as ASCII text and whether a leading `+` was seen. "(0)" between digits, as in
/// "+44 (0)20 7946 0958", marks a trunk prefix dialled only inside the country, so its 0 is dropped.
/// The digits are written straight into the text that becomes `Recipient::normalized`: one
/// allocation per number, where a vector of digits, a filtered copy and a string made three.
fn read_digits(input: &str) -> Result<(String, bool), RecipientProblem> {
    let mut mark = TrunkMark::Outside;
    // Indices into `digits` of zeros written as "(0)", in increasing order.
    let mut trunk_zeros: Vec<usize> = Vec::new();
    let mut digits = String::with_capacity(input.len());
    let mut plus = false;
    for (position, character) in input.chars().enumerate() {
        let invalid = RecipientProblem::InvalidCharacter {
            character,
            position,
        };
        mark = match classify(character) {
            Piece::Digit(d) => {
                digits.push(char::from(b'0'.saturating_add(d)));
                if mark == TrunkMark::AfterOpen && d == 0 {
                    TrunkMark::AfterOpenZero
                } else {
                    TrunkMark::Outside
                }
            }
            // '+' is the international prefix only before the number: elsewhere it is a typo or junk.
            Piece::Plus if plus || !digits.is_empty() => return Err(invalid),
            Piece::Plus => {
                plus = true;
                TrunkMark::Outside
            }
            Piece::Open => TrunkMark::AfterOpen,
            Piece::Close => {
                if mark == TrunkMark::AfterOpenZero {
                    trunk_zeros.push(digits.len().saturating_sub(1));
                }
                TrunkMark::Outside
            }
            Piece::Separator => mark,
            Piece::Invalid => return Err(invalid),
        };
    }
    // Only a "(0)" with digits on both sides is a trunk prefix: "(0)" first is the start of a national
    // number, and one last is not a prefix of anything. One pass over the sorted marks keeps this linear.
    if !trunk_zeros.is_empty() {
        let last = digits.len().saturating_sub(1);
        let mut marks = trunk_zeros.into_iter().peekable();
        let mut index = 0usize;
        digits.retain(|_| {
            let marked = marks.next_if_eq(&index).is_some();
            let keep = !(marked && index > 0 && index < last);
            index += 1;
            keep
        });
    }
    Ok((digits, plus))
}

/// Turns a pasted phone number into the form the API wants, or says why it cannot.
///
/// Accepts what people paste: `"+852 9123 4567"`, `"00852-9123-4567"`, `"(852) 91234567"`,
/// `"85291234567"`, `"+44 (0)20 7946 0958"`; separators space, `-`, `.`, `(`, `)`, `/`, Unicode spaces (NBSP
/// and others), dashes and invisible bidi marks; full-width, Arabic-Indic and Persian digits; `+` or `＋`. A
/// leading `+` or `00` is the international prefix and is removed; the number must then begin with its
/// dialing code.
///
/// Checks, in this order, returning the first problem: empty → a character that does not belong →
/// more than 15 digits → fewer than 7 → no known dialing code (or a leading 0) → mainland China (+86) →
/// national length for the country (if `rules.check_national_length`).
pub fn normalize(input: &str, rules: &NumberRules) -> Result<Recipient, RecipientProblem> {
    let (mut normalized, plus) = read_digits(input)?;
    // "00" is the international prefix in most of the world; after a '+' it would be a mistake, and the
    // leading 0 is then reported as an unknown dialing code.
    if !plus && normalized.starts_with("00") {
        normalized.replace_range(..2, "");
    }
    let digits = normalized.len();
    if digits == 0 {
        return Err(RecipientProblem::Empty);
    }
    if digits > MAX_DIGITS {
        return Err(RecipientProblem::TooLong {
            digits,
            max: MAX_DIGITS,
        });
    }
    if digits < MIN_DIGITS {
        return Err(RecipientProblem::TooShort {
            digits,
            min: MIN_DIGITS,
        });
    }
    let entry = lookup(&normalized).ok_or(RecipientProblem::UnknownDialingCode)?;
    if entry.code == MAINLAND_CHINA_DIALING_CODE {
        return Err(RecipientProblem::MainlandChina);
    }
    let national_digits = digits.saturating_sub(code_length(entry.code));
    let (min, max) = (usize::from(entry.min), usize::from(entry.max));
    if rules.check_national_length && !(min..=max).contains(&national_digits) {
        return Err(RecipientProblem::WrongLengthForCountry {
            dialing_code: entry.code,
            national_digits,
            min,
            max,
        });
    }
    Ok(Recipient {
        normalized,
        dialing_code: entry.code,
        region: entry.region,
    })
}

/// Finds repeated numbers in a batch.
///
/// `recipients` holds the normalized numbers of a batch, in order, with `None` for entries that failed
/// [`normalize`] (they are skipped). Returns `(first_index, duplicate_index)` for every later repeat,
/// ordered by `duplicate_index`; indices are from 0. Numbers are compared in normalized form, so
/// "+852 9123 4567" and "0085291234567" are the same. See [`repeats`] for how.
pub fn find_duplicates(recipients: &[Option<&Recipient>]) -> Vec<(usize, usize)> {
    repeats(
        recipients
            .iter()
            .enumerate()
            .filter_map(|(index, r)| r.map(|r| (r.normalized.as_str(), index))),
    )
}

/// The one duplicate rule, for batches (numbers as text) and campaigns (numbers as integers):
/// given `(key, index)` pairs, returns `(first_index, repeat_index)` for every pair whose key
/// appeared at a smaller index, ordered by `repeat_index`. The first occurrence wins.
///
/// Sort-based: the pairs sorted by key then index put each key's first occurrence at the head of
/// its run, so one scan finds every repeat. O(n log n) with one allocation for the pairs and one
/// for the answer, where a map would allocate as it grows; no hashing, so the result never
/// depends on a random seed.
pub fn repeats<K: Ord>(keys: impl IntoIterator<Item = (K, usize)>) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(K, usize)> = keys.into_iter().collect();
    // Unstable is enough: pairs that compare equal are identical.
    pairs.sort_unstable();
    let mut found = Vec::new();
    let mut run: Option<(&K, usize)> = None;
    for (key, index) in &pairs {
        match run {
            Some((first_key, first)) if first_key == key => found.push((first, *index)),
            _ => run = Some((key, *index)),
        }
    }
    found.sort_unstable_by_key(|&(_, repeat)| repeat);
    found
}

/// Looks up the dialing code at the start of a digit string, e.g. `"85291234567"` → `(852, "HK")`.
///
/// ITU codes are prefix-free (no code is the start of another), so at most one of the first 1, 2 or 3
/// digits matches. Returns `None` for an unassigned code or a string that does not start with a digit
/// 1–9. `86` (mainland China) is found like any other code; [`normalize`] refuses it. The region label is
/// described on [`Recipient::region`].
pub fn dialing_code_of(digits: &str) -> Option<(u16, &'static str)> {
    lookup(digits).map(|entry| (entry.code, entry.region))
}

fn lookup(digits: &str) -> Option<&'static CodeEntry> {
    if !digits.starts_with(|c: char| matches!(c, '1'..='9')) {
        return None;
    }
    // The code read one digit at a time, looked up after each: 1, 2 or 3 digits.
    let mut code = 0u16;
    for &b in digits.as_bytes().iter().take(3) {
        if !b.is_ascii_digit() {
            return None;
        }
        code = code * 10 + u16::from(b - b'0');
        if let Ok(index) = DIALING_CODES.binary_search_by_key(&code, |entry| entry.code) {
            return DIALING_CODES.get(index);
        }
    }
    None
}

fn code_length(code: u16) -> usize {
    match code {
        0..=9 => 1,
        10..=99 => 2,
        _ => 3,
    }
}

/// One assigned country calling code and the national significant number lengths in use behind it.
struct CodeEntry {
    code: u16,
    region: &'static str,
    min: u8,
    max: u8,
}

const fn c(code: u16, region: &'static str, min: u8, max: u8) -> CodeEntry {
    CodeEntry {
        code,
        region,
        min,
        max,
    }
}

/// Assigned ITU-T E.164 country calling codes, sorted by code (binary search relies on it), with the
/// national significant number lengths (digits after the code, trunk prefix excluded) of their numbering
/// plans.
///
/// The ranges are deliberately generous: they span fixed, mobile and machine-to-machine numbers, and
/// where a plan is irregular or was recently lengthened (CI and BJ went to 10 digits, MX dropped its
/// mobile "1") both lengths are kept. A number wrongly refused here costs the user more than one the
/// carrier refuses later. Not listed: freephone, shared-cost and premium codes (800, 808, 878, 888, 979,
/// 991), which cannot receive SMS, and spare codes.
const DIALING_CODES: &[CodeEntry] = &[
    c(1, "US", 10, 10), // NANP: US, CA, Caribbean; 3-digit area code + 7
    c(7, "RU", 10, 10), // RU and KZ
    c(20, "EG", 7, 10),
    c(27, "ZA", 9, 9),
    c(30, "GR", 10, 10),
    c(31, "NL", 9, 11), // 11: M2M numbers starting 97
    c(32, "BE", 8, 9),
    c(33, "FR", 9, 9),
    c(34, "ES", 9, 9),
    c(36, "HU", 8, 9),
    c(39, "IT", 6, 11), // IT and VA; fixed numbers keep their leading 0
    c(40, "RO", 9, 9),
    c(41, "CH", 9, 12),
    c(43, "AT", 4, 13), // open numbering plan: extensions make numbers long
    c(44, "GB", 7, 10), // GB, GG, JE, IM
    c(45, "DK", 8, 8),
    c(46, "SE", 7, 13),
    c(47, "NO", 5, 12), // NO and SJ; 12: M2M
    c(48, "PL", 9, 9),
    c(49, "DE", 5, 13), // open numbering plan
    c(51, "PE", 8, 9),
    c(52, "MX", 10, 11), // 11: the mobile "1" dropped in 2019, still in old contact lists
    c(53, "CU", 6, 8),
    c(54, "AR", 10, 11), // 11: mobiles dialled from abroad with a 9
    c(55, "BR", 10, 11),
    c(56, "CL", 9, 9),
    c(57, "CO", 8, 10),
    c(58, "VE", 10, 10),
    c(60, "MY", 8, 10),
    c(61, "AU", 9, 9), // AU, CX, CC
    c(62, "ID", 7, 12),
    c(63, "PH", 8, 10),
    c(64, "NZ", 8, 10), // NZ and PN
    c(65, "SG", 8, 8),
    c(66, "TH", 8, 9),
    c(81, "JP", 9, 11),
    c(82, "KR", 8, 11),
    c(84, "VN", 9, 10),
    c(86, "CN", 11, 11), // mainland China: refused before lengths are checked
    c(90, "TR", 10, 10),
    c(91, "IN", 10, 10),
    c(92, "PK", 8, 10),
    c(93, "AF", 9, 9),
    c(94, "LK", 9, 9),
    c(95, "MM", 6, 10),
    c(98, "IR", 10, 10),
    c(211, "SS", 9, 9),
    c(212, "MA", 9, 9), // MA and EH
    c(213, "DZ", 8, 9),
    c(216, "TN", 8, 8),
    c(218, "LY", 8, 9),
    c(220, "GM", 7, 7),
    c(221, "SN", 9, 9),
    c(222, "MR", 8, 8),
    c(223, "ML", 8, 8),
    c(224, "GN", 8, 9),
    c(225, "CI", 8, 10), // 10 since 2021
    c(226, "BF", 8, 8),
    c(227, "NE", 8, 8),
    c(228, "TG", 8, 8),
    c(229, "BJ", 8, 10), // 10 since 2024
    c(230, "MU", 7, 8),
    c(231, "LR", 7, 9),
    c(232, "SL", 8, 8),
    c(233, "GH", 9, 9),
    c(234, "NG", 7, 12),
    c(235, "TD", 8, 8),
    c(236, "CF", 8, 8),
    c(237, "CM", 8, 9),
    c(238, "CV", 7, 7),
    c(239, "ST", 7, 7),
    c(240, "GQ", 9, 9),
    c(241, "GA", 7, 8),
    c(242, "CG", 9, 9),
    c(243, "CD", 7, 9),
    c(244, "AO", 9, 9),
    c(245, "GW", 7, 9),
    c(246, "IO", 7, 7),
    c(247, "AC", 4, 6),
    c(248, "SC", 7, 7),
    c(249, "SD", 9, 9),
    c(250, "RW", 8, 9),
    c(251, "ET", 9, 9),
    c(252, "SO", 6, 9),
    c(253, "DJ", 8, 8),
    c(254, "KE", 6, 10),
    c(255, "TZ", 9, 9),
    c(256, "UG", 9, 9),
    c(257, "BI", 8, 8),
    c(258, "MZ", 8, 9),
    c(260, "ZM", 9, 9),
    c(261, "MG", 9, 9),
    c(262, "RE", 9, 9), // RE and YT
    c(263, "ZW", 5, 10),
    c(264, "NA", 8, 10),
    c(265, "MW", 7, 9),
    c(266, "LS", 8, 8),
    c(267, "BW", 7, 8),
    c(268, "SZ", 8, 8),
    c(269, "KM", 7, 7),
    c(290, "SH", 4, 5), // SH and TA
    c(291, "ER", 7, 7),
    c(297, "AW", 7, 7),
    c(298, "FO", 6, 6),
    c(299, "GL", 6, 6),
    c(350, "GI", 8, 8),
    c(351, "PT", 9, 9),
    c(352, "LU", 4, 11),
    c(353, "IE", 7, 10),
    c(354, "IS", 7, 9),
    c(355, "AL", 6, 9),
    c(356, "MT", 8, 8),
    c(357, "CY", 8, 8),
    c(358, "FI", 5, 12), // FI and AX
    c(359, "BG", 6, 9),
    c(370, "LT", 8, 8),
    c(371, "LV", 8, 8),
    c(372, "EE", 7, 10),
    c(373, "MD", 8, 8),
    c(374, "AM", 8, 8),
    c(375, "BY", 9, 10),
    c(376, "AD", 6, 9),
    c(377, "MC", 8, 9),
    c(378, "SM", 6, 10),
    c(379, "VA", 6, 10), // assigned, not in service: VA uses +39 06 698
    c(380, "UA", 9, 9),
    c(381, "RS", 6, 12),
    c(382, "ME", 8, 8),
    c(383, "XK", 8, 9),
    c(385, "HR", 6, 9),
    c(386, "SI", 8, 8),
    c(387, "BA", 8, 9),
    c(389, "MK", 8, 8),
    c(420, "CZ", 9, 12),
    c(421, "SK", 6, 9),
    c(423, "LI", 7, 9),
    c(500, "FK", 5, 5),
    c(501, "BZ", 7, 7),
    c(502, "GT", 8, 8),
    c(503, "SV", 8, 8),
    c(504, "HN", 8, 8),
    c(505, "NI", 8, 8),
    c(506, "CR", 8, 8),
    c(507, "PA", 7, 8),
    c(508, "PM", 6, 6),
    c(509, "HT", 8, 8),
    c(590, "GP", 9, 9), // GP, BL, MF
    c(591, "BO", 8, 8),
    c(592, "GY", 7, 7),
    c(593, "EC", 8, 9),
    c(594, "GF", 9, 9),
    c(595, "PY", 6, 9),
    c(596, "MQ", 9, 9),
    c(597, "SR", 6, 7),
    c(598, "UY", 8, 8),
    c(599, "CW", 7, 8), // CW and BQ
    c(670, "TL", 7, 8),
    c(672, "NF", 5, 6), // NF and Australian Antarctic bases
    c(673, "BN", 7, 7),
    c(674, "NR", 7, 7),
    c(675, "PG", 7, 8),
    c(676, "TO", 5, 7),
    c(677, "SB", 5, 7),
    c(678, "VU", 5, 7),
    c(679, "FJ", 7, 7),
    c(680, "PW", 7, 7),
    c(681, "WF", 6, 9),
    c(682, "CK", 5, 5),
    c(683, "NU", 4, 7),
    c(685, "WS", 5, 10),
    c(686, "KI", 5, 8),
    c(687, "NC", 6, 6),
    c(688, "TV", 5, 7),
    c(689, "PF", 6, 8),
    c(690, "TK", 4, 7),
    c(691, "FM", 7, 7),
    c(692, "MH", 7, 7),
    c(850, "KP", 6, 10),
    c(852, "HK", 8, 8),
    c(853, "MO", 8, 8),
    c(855, "KH", 8, 9),
    c(856, "LA", 8, 10),
    c(870, "001", 9, 9), // Inmarsat
    c(880, "BD", 6, 10),
    c(881, "001", 8, 10), // global mobile satellite (Iridium, Globalstar)
    c(882, "001", 6, 12), // international networks
    c(883, "001", 7, 12), // international networks
    c(886, "TW", 8, 9),
    c(960, "MV", 7, 7),
    c(961, "LB", 7, 8),
    c(962, "JO", 8, 9),
    c(963, "SY", 8, 9),
    c(964, "IQ", 8, 10),
    c(965, "KW", 8, 8),
    c(966, "SA", 8, 9),
    c(967, "YE", 7, 9),
    c(968, "OM", 8, 8),
    c(970, "PS", 8, 9),
    c(971, "AE", 8, 9),
    c(972, "IL", 8, 9),
    c(973, "BH", 8, 8),
    c(974, "QA", 7, 8),
    c(975, "BT", 7, 8),
    c(976, "MN", 8, 8),
    c(977, "NP", 8, 10),
    c(992, "TJ", 9, 9),
    c(993, "TM", 8, 8),
    c(994, "AZ", 9, 9),
    c(995, "GE", 9, 9),
    c(996, "KG", 9, 9),
    c(998, "UZ", 9, 9),
];

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `normalize` as first written (a vector of digits, a filtered copy, four digit sets tried per
    /// character, the code parsed from each prefix): the reference the faster one must agree with.
    mod reference {
        use super::super::*;

        fn reference_classify(c: char) -> Piece {
            // ASCII, full-width (East Asian input methods), Arabic-Indic and Persian digits: all appear in
            // pasted contact lists for the regions this service reaches.
            if let Some(d) = ['0', '\u{FF10}', '\u{0660}', '\u{06F0}']
                .iter()
                .find_map(|zero| digit_in(c, *zero))
            {
                return Piece::Digit(d);
            }
            match c {
                '+' | '\u{FF0B}' => Piece::Plus,
                '(' | '\u{FF08}' => Piece::Open,
                ')' | '\u{FF09}' => Piece::Close,
                '-' | '.' | '/' | '\u{FF0D}' | '\u{FF0E}' | '\u{FF0F}'
                // Hyphens and dashes word processors substitute for '-'.
                | '\u{2010}'..='\u{2015}' | '\u{2212}'
                // Invisible marks that phones and chat apps wrap around numbers they display (bidi controls,
                // zero-width space and joiners, BOM): not typed, but pasted.
                | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}' | '\u{FEFF}' => Piece::Separator,
                // Space, NBSP, narrow no-break space, ideographic space, tabs and line ends.
                c if c.is_whitespace() => Piece::Separator,
                _ => Piece::Invalid,
            }
        }

        fn reference_read_digits(input: &str) -> Result<(Vec<u8>, bool), RecipientProblem> {
            let mut mark = TrunkMark::Outside;
            // Indices into `digits` of zeros written as "(0)", in increasing order.
            let mut trunk_zeros: Vec<usize> = Vec::new();
            let mut digits: Vec<u8> = Vec::new();
            let mut plus = false;
            for (position, character) in input.chars().enumerate() {
                let invalid = RecipientProblem::InvalidCharacter {
                    character,
                    position,
                };
                mark = match reference_classify(character) {
                    Piece::Digit(d) => {
                        digits.push(d);
                        if mark == TrunkMark::AfterOpen && d == 0 {
                            TrunkMark::AfterOpenZero
                        } else {
                            TrunkMark::Outside
                        }
                    }
                    // '+' is the international prefix only before the number: elsewhere it is a typo or junk.
                    Piece::Plus if plus || !digits.is_empty() => return Err(invalid),
                    Piece::Plus => {
                        plus = true;
                        TrunkMark::Outside
                    }
                    Piece::Open => TrunkMark::AfterOpen,
                    Piece::Close => {
                        if mark == TrunkMark::AfterOpenZero {
                            trunk_zeros.push(digits.len().saturating_sub(1));
                        }
                        TrunkMark::Outside
                    }
                    Piece::Separator => mark,
                    Piece::Invalid => return Err(invalid),
                };
            }
            // Only a "(0)" with digits on both sides is a trunk prefix: "(0)" first is the start of a national
            // number, and one last is not a prefix of anything. One pass over the sorted marks keeps this linear.
            let last = digits.len().saturating_sub(1);
            let mut marks = trunk_zeros.into_iter().peekable();
            let kept = digits
                .into_iter()
                .enumerate()
                .filter(|(index, _)| {
                    let marked = marks.next_if_eq(index).is_some();
                    !(marked && *index > 0 && *index < last)
                })
                .map(|(_, d)| d)
                .collect();
            Ok((kept, plus))
        }

        pub(super) fn reference_normalize(input: &str, rules: &NumberRules) -> Result<Recipient, RecipientProblem> {
            let (all_digits, plus) = reference_read_digits(input)?;
            // "00" is the international prefix in most of the world; after a '+' it would be a mistake, and the
            // leading 0 is then reported as an unknown dialing code.
            let digits = match all_digits.strip_prefix(&[0, 0]) {
                Some(rest) if !plus => rest,
                _ => all_digits.as_slice(),
            };
            if digits.is_empty() {
                return Err(RecipientProblem::Empty);
            }
            if digits.len() > MAX_DIGITS {
                return Err(RecipientProblem::TooLong {
                    digits: digits.len(),
                    max: MAX_DIGITS,
                });
            }
            if digits.len() < MIN_DIGITS {
                return Err(RecipientProblem::TooShort {
                    digits: digits.len(),
                    min: MIN_DIGITS,
                });
            }
            let normalized: String = digits
                .iter()
                .map(|d| char::from(b'0'.saturating_add(*d)))
                .collect();
            let entry = reference_lookup(&normalized).ok_or(RecipientProblem::UnknownDialingCode)?;
            if entry.code == MAINLAND_CHINA_DIALING_CODE {
                return Err(RecipientProblem::MainlandChina);
            }
            let national_digits = normalized.len().saturating_sub(code_length(entry.code));
            let (min, max) = (usize::from(entry.min), usize::from(entry.max));
            if rules.check_national_length && !(min..=max).contains(&national_digits) {
                return Err(RecipientProblem::WrongLengthForCountry {
                    dialing_code: entry.code,
                    national_digits,
                    min,
                    max,
                });
            }
            Ok(Recipient {
                normalized,
                dialing_code: entry.code,
                region: entry.region,
            })
        }

        pub(super) fn reference_lookup(digits: &str) -> Option<&'static CodeEntry> {
            if !digits.starts_with(|c: char| matches!(c, '1'..='9')) {
                return None;
            }
            (1..=3).find_map(|length| {
                let prefix = digits.get(..length)?;
                if !prefix.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let code: u16 = prefix.parse().ok()?;
                let index = DIALING_CODES
                    .binary_search_by_key(&code, |entry| entry.code)
                    .ok()?;
                DIALING_CODES.get(index)
            })
        }
    }

    /// Pasted numbers: every kind of digit, separator, prefix and trunk mark, and a few characters
    /// that do not belong, in runs long enough to pass 15 digits.
    fn number_like() -> impl Strategy<Value = String> {
        let pieces: &[&str] = &[
            "0", "00", "1", "4", "5", "6", "8", "9", "852", "86", "44", "+", "\u{FF0B}", "(", ")", "(0)",
            "\u{FF08}", "\u{FF09}", " ", "-", ".", "/", "\u{A0}", "\u{3000}", "\u{200B}", "\u{2212}",
            "\u{FEFF}", "\u{FF10}", "\u{FF15}", "\u{0660}", "\u{0669}", "\u{06F0}", "\u{06F9}", "a",
            "*", "#", "é", "😀", "\0", "\t", "\u{0B}",
        ];
        proptest::collection::vec(
            prop_oneof![3 => "[0-9]{1,4}", 2 => proptest::sample::select(pieces).prop_map(String::from)],
            0..12,
        )
        .prop_map(|parts| parts.concat())
    }

    fn strict(input: &str) -> Result<Recipient, RecipientProblem> {
        normalize(input, &NumberRules::default())
    }

    fn lenient(input: &str) -> Result<Recipient, RecipientProblem> {
        normalize(
            input,
            &NumberRules {
                check_national_length: false,
            },
        )
    }

    #[test]
    fn accepts_the_forms_people_paste() {
        let forms = [
            "+852 9123 4567",
            "00852-9123-4567",
            "(852) 91234567",
            "85291234567",
            "+852.9123.4567",
            "+852/9123/4567",
            "\u{00A0}+852\u{00A0}9123\u{202F}4567 ",
            "＋８５２ ９１２３ ４５６７",
            "\u{202A}+852 9123 4567\u{202C}",
            "\u{200E}+852\u{2011}9123\u{2013}4567\n",
            "（852）9123－4567",
            "(+852) 9123 4567",
            "+٨٥٢٩١٢٣٤٥٦٧",
        ];
        for form in forms {
            let r = strict(form).unwrap_or_else(|e| panic!("{form:?}: {e}"));
            assert_eq!(
                r,
                Recipient {
                    normalized: "85291234567".into(),
                    dialing_code: 852,
                    region: "HK"
                }
            );
        }
    }

    #[test]
    fn drops_the_trunk_zero_in_parentheses() {
        let r = strict("+44 (0)20 7946 0958").unwrap();
        assert_eq!(
            (r.normalized.as_str(), r.dialing_code, r.region),
            ("442079460958", 44, "GB")
        );
        // At the start, "(0)" is part of a national number written without its code.
        assert_eq!(
            strict("(0)20 7946 0958"),
            Err(RecipientProblem::UnknownDialingCode)
        );
    }

    #[test]
    fn trunk_zero_only_between_digits() {
        assert_eq!(
            strict("0044 (0)20 7946 0958").unwrap().normalized,
            "442079460958"
        );
        assert_eq!(
            strict("+49 (0) 30 1234567").unwrap().normalized,
            "49301234567"
        );
        // A "(0)" at the end is kept: it is not a prefix of anything.
        assert_eq!(
            lenient("+852 9123 456(0)").unwrap().normalized,
            "85291234560"
        );
        // A long run of marks stays linear and ends in a plain refusal.
        let junk = "1".to_owned() + &"(0)".repeat(200_000) + "1";
        assert_eq!(strict(&junk).unwrap_err().code().as_str(), "RECIPIENT_TOO_SHORT");
    }

    #[test]
    fn checks_run_in_the_documented_order() {
        // Characters before length: a bad character wins over 16 digits.
        assert_eq!(
            strict("1234567890123456x").unwrap_err().code().as_str(),
            "RECIPIENT_INVALID_CHARACTER"
        );
        // Length before dialing code: a short +86 number is too short, not mainland.
        assert_eq!(strict("+86 123").unwrap_err().code().as_str(), "RECIPIENT_TOO_SHORT");
        assert_eq!(
            strict("+86 12345678901234").unwrap_err().code().as_str(),
            "RECIPIENT_TOO_LONG"
        );
        // Dialing code before national length.
        assert_eq!(strict("+999 1").unwrap_err().code().as_str(), "RECIPIENT_TOO_SHORT");
        assert_eq!(
            strict("+999 123456").unwrap_err().code().as_str(),
            "RECIPIENT_UNKNOWN_DIALING_CODE"
        );
    }

    #[test]
    fn accepts_allowed_regions_near_china() {
        assert_eq!(strict("+853 6612 3456").unwrap().region, "MO");
        assert_eq!(strict("+886 912 345 678").unwrap().region, "TW");
        assert_eq!(strict("+65 9123 4567").unwrap().region, "SG");
        assert_eq!(strict("+1 415 555 2671").unwrap().region, "US");
        assert_eq!(strict("+7 701 123 4567").unwrap().region, "RU");
        assert_eq!(strict("+49 1512 3456789").unwrap().region, "DE");
        assert_eq!(strict("+290 2345").unwrap().normalized, "2902345");
    }

    #[test]
    fn refuses_empty() {
        for input in ["", "   ", "-- ()", "\u{00A0}", "+", "00", "+ - "] {
            let e = strict(input).unwrap_err();
            assert_eq!(
                (e.code(), &e),
                (crate::batch::IssueCode::RecipientEmpty, &RecipientProblem::Empty),
                "{input:?}"
            );
        }
    }

    #[test]
    fn refuses_invalid_characters_with_position() {
        let cases = [
            ("+852 9123 4567 ext 12", 'e', 15),
            ("*852", '*', 0),
            ("852#91234567", '#', 3),
            ("852+91234567", '+', 3),
            ("++85291234567", '+', 1),
            ("+852 9I23 4567", 'I', 6),
            ("85291234567,", ',', 11),
            ("８５２a", 'a', 3),
            ("\u{0}", '\u{0}', 0),
        ];
        for (input, character, position) in cases {
            let e = strict(input).unwrap_err();
            assert_eq!(
                e,
                RecipientProblem::InvalidCharacter {
                    character,
                    position
                },
                "{input:?}"
            );
            assert_eq!(e.code().as_str(), "RECIPIENT_INVALID_CHARACTER");
        }
    }

    #[test]
    fn refuses_too_long_and_too_short() {
        let e = strict("+1234567890123456").unwrap_err();
        assert_eq!(
            e,
            RecipientProblem::TooLong {
                digits: 16,
                max: 15
            }
        );
        assert_eq!(e.code().as_str(), "RECIPIENT_TOO_LONG");
        // The 00 prefix does not count.
        assert!(lenient("00 852 123456789012").is_ok());
        let e = strict("+852 123").unwrap_err();
        assert_eq!(e, RecipientProblem::TooShort { digits: 6, min: 7 });
        assert_eq!(e.code().as_str(), "RECIPIENT_TOO_SHORT");
        // 7 digits is long enough overall; "+852 1234" then fails on Hong Kong's length instead.
        assert_eq!(
            strict("+852 1234").unwrap_err().code().as_str(),
            "RECIPIENT_WRONG_LENGTH"
        );
        assert!(lenient("+852 1234").is_ok());
    }

    #[test]
    fn refuses_unknown_dialing_codes_and_national_numbers() {
        for input in [
            "+999 1234 5678",
            "+0 852 9123 4567",
            "091234567",
            "(0)91234567",
            "+280 1234567",
            "011 852 9123 4567",
        ] {
            let e = strict(input).unwrap_err();
            assert_eq!(
                (e.code(), &e),
                (
                    crate::batch::IssueCode::RecipientUnknownDialingCode,
                    &RecipientProblem::UnknownDialingCode
                ),
                "{input:?}"
            );
        }
        assert!(RecipientProblem::UnknownDialingCode
            .to_string()
            .contains("starting with 0"));
    }

    #[test]
    fn refuses_mainland_china_even_without_length_checks() {
        for input in [
            "+86 138 0013 8000",
            "008613800138000",
            "8613800138000",
            "+86 1234567",
        ] {
            for result in [strict(input), lenient(input)] {
                let e = result.unwrap_err();
                assert_eq!(
                    (e.code(), &e),
                    (crate::batch::IssueCode::RecipientMainlandChina, &RecipientProblem::MainlandChina),
                    "{input:?}"
                );
            }
        }
    }

    #[test]
    fn refuses_wrong_national_length_only_when_asked() {
        // The golden batch's synthetic shapes: 65 + 9, 852 + 9, 1 + 9.
        let cases = [
            ("65912345678", 65, 9, 8, 8),
            ("852912345678", 852, 9, 8, 8),
            ("1415555267", 1, 9, 10, 10),
        ];
        for (input, dialing_code, national_digits, min, max) in cases {
            let e = strict(input).unwrap_err();
            assert_eq!(
                e,
                RecipientProblem::WrongLengthForCountry {
                    dialing_code,
                    national_digits,
                    min,
                    max
                },
                "{input:?}"
            );
            assert_eq!(e.code().as_str(), "RECIPIENT_WRONG_LENGTH");
            let r = lenient(input).unwrap();
            assert_eq!(
                (r.normalized.as_str(), r.dialing_code),
                (input, dialing_code)
            );
        }
        let e = strict("+39 123").unwrap_err();
        assert_eq!(e.code().as_str(), "RECIPIENT_TOO_SHORT");
        assert_eq!(
            strict("+49 12345678901234").unwrap_err(),
            RecipientProblem::TooLong {
                digits: 16,
                max: 15
            }
        );
        assert_eq!(
            strict("+44 12345").unwrap_err().to_string(),
            "numbers under +44 have 7 to 10 digits after the dialing code; this one has 5"
        );
    }

    #[test]
    fn duplicates_point_at_the_first_occurrence() {
        let a = strict("+852 9123 4567").unwrap();
        let a_again = strict("0085291234567").unwrap();
        let b = strict("+65 9123 4567").unwrap();
        let list = [
            Some(&a),
            None,
            Some(&b),
            Some(&a_again),
            None,
            Some(&b),
            Some(&a),
        ];
        assert_eq!(find_duplicates(&list), vec![(0, 3), (2, 5), (0, 6)]);
        assert!(find_duplicates(&[]).is_empty());
        assert!(find_duplicates(&[None, None]).is_empty());
        let d = RecipientProblem::Duplicate { first_index: 0 };
        assert_eq!(d.code().as_str(), "RECIPIENT_DUPLICATE");
        assert_eq!(
            d.to_string(),
            "the same number already appears as recipient #0"
        );
    }

    #[test]
    fn repeats_take_keys_of_any_order_and_kind() {
        // Campaigns pass integer keys; the index, not the position in the input, decides which
        // occurrence is first.
        assert_eq!(
            repeats([(5u64, 3), (5, 1), (7, 0), (5, 2), (7, 4)]),
            vec![(1, 2), (1, 3), (0, 4)]
        );
        assert!(repeats(Vec::<(u64, usize)>::new()).is_empty());
    }

    #[test]
    fn duplicates_scale_to_a_campaign() {
        let numbers: Vec<Recipient> = (0..100_000u64)
            .map(|i| lenient(&format!("+852{:08}", i % 60_000)).unwrap())
            .collect();
        let refs: Vec<Option<&Recipient>> = numbers.iter().map(Some).collect();
        let repeats = find_duplicates(&refs);
        assert_eq!(repeats.len(), 40_000);
        assert_eq!(repeats[0], (0, 60_000));
    }

    #[test]
    fn lookup_matches_the_reference_on_every_short_digit_string() {
        let fields = |e: &CodeEntry| (e.code, e.region, e.min, e.max);
        for n in 0..10_000 {
            for width in 1..=4 {
                for tail in ["", "5", "x", "\u{FF15}"] {
                    let digits = format!("{n:0width$}{tail}");
                    assert_eq!(
                        lookup(&digits).map(fields),
                        reference::reference_lookup(&digits).map(fields),
                        "{digits}"
                    );
                }
            }
        }
    }

    #[test]
    fn dialing_code_lookup() {
        assert_eq!(dialing_code_of("85291234567"), Some((852, "HK")));
        assert_eq!(dialing_code_of("8613800138000"), Some((86, "CN")));
        assert_eq!(dialing_code_of("14155552671"), Some((1, "US")));
        assert_eq!(dialing_code_of("77011234567"), Some((7, "RU")));
        assert_eq!(dialing_code_of("2125"), Some((212, "MA")));
        assert_eq!(dialing_code_of("88212345"), Some((882, "001")));
        assert_eq!(dialing_code_of("999"), None);
        assert_eq!(dialing_code_of("28"), None);
        assert_eq!(dialing_code_of("0852"), None);
        assert_eq!(dialing_code_of(""), None);
        assert_eq!(dialing_code_of("+852"), None);
        assert_eq!(dialing_code_of("8é"), None);
        assert_eq!(dialing_code_of("٨٥٢"), None);
    }

    #[test]
    fn table_is_sorted_prefix_free_and_sane() {
        // 207 geographic codes in service or assigned, plus 4 non-geographic mobile ones.
        assert_eq!(DIALING_CODES.len(), 211);
        for pair in DIALING_CODES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "not sorted at {}",
                pair[1].code
            );
        }
        for entry in DIALING_CODES {
            let text = entry.code.to_string();
            // Prefix-free: no shorter prefix of a code is itself a code.
            for length in 1..text.len() {
                assert!(
                    dialing_code_of(&text[..length]).is_none(),
                    "{} has a prefix code",
                    entry.code
                );
            }
            assert_eq!(
                dialing_code_of(&text).map(|(code, _)| code),
                Some(entry.code)
            );
            assert!(entry.min >= 1 && entry.min <= entry.max, "{}", entry.code);
            // Every length in the range must be reachable within E.164's 15 digits and our 7-digit minimum.
            let total_max = usize::from(entry.max) + code_length(entry.code);
            assert!(total_max <= MAX_DIGITS, "{} max too long", entry.code);
            assert!(
                total_max >= MIN_DIGITS,
                "{} cannot reach the minimum",
                entry.code
            );
            assert!(
                entry.region.len() == 2 || entry.region == "001",
                "{}",
                entry.code
            );
        }
    }

    #[test]
    fn displays_are_sentences_without_the_batch_index() {
        let problems = [
            RecipientProblem::Empty,
            RecipientProblem::InvalidCharacter {
                character: '\u{7}',
                position: 2,
            },
            RecipientProblem::TooShort { digits: 3, min: 7 },
            RecipientProblem::TooLong {
                digits: 16,
                max: 15,
            },
            RecipientProblem::UnknownDialingCode,
            RecipientProblem::MainlandChina,
            RecipientProblem::WrongLengthForCountry {
                dialing_code: 852,
                national_digits: 9,
                min: 8,
                max: 8,
            },
        ];
        for p in problems {
            let text = p.to_string();
            assert!(!text.is_empty() && !text.contains('\u{7}'), "{text}");
        }
        assert_eq!(
            RecipientProblem::WrongLengthForCountry {
                dialing_code: 852,
                national_digits: 9,
                min: 8,
                max: 8
            }
            .to_string(),
            "numbers under +852 have 8 digits after the dialing code; this one has 9"
        );
    }

    proptest! {
        #[test]
        fn normalize_never_panics(input in any::<String>(), check in any::<bool>()) {
            let rules = NumberRules { check_national_length: check };
            if let Ok(r) = normalize(&input, &rules) {
                prop_assert!(r.normalized.len() >= MIN_DIGITS && r.normalized.len() <= MAX_DIGITS);
                prop_assert!(r.normalized.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(normalize(&r.normalized, &rules), Ok(r.clone()));
            }
        }

        #[test]
        fn phone_like_input_renormalizes_to_itself(
            input in "[+]?[0-9 ()\\-.]{0,24}",
            check in any::<bool>(),
        ) {
            let rules = NumberRules { check_national_length: check };
            if let Ok(r) = normalize(&input, &rules) {
                prop_assert_ne!(r.dialing_code, MAINLAND_CHINA_DIALING_CODE);
                prop_assert!(r.normalized.starts_with(&r.dialing_code.to_string()));
                prop_assert_eq!(normalize(&r.normalized, &rules), Ok(r.clone()));
                prop_assert_eq!(normalize(&format!("+{}", r.normalized), &rules), Ok(r));
            }
        }

        #[test]
        fn normalize_matches_the_reference(input in number_like(), check in any::<bool>()) {
            let rules = NumberRules { check_national_length: check };
            prop_assert_eq!(normalize(&input, &rules), reference::reference_normalize(&input, &rules));
        }

        #[test]
        fn normalize_matches_the_reference_on_any_string(input in any::<String>(), check in any::<bool>()) {
            let rules = NumberRules { check_national_length: check };
            prop_assert_eq!(normalize(&input, &rules), reference::reference_normalize(&input, &rules));
        }

        #[test]
        fn lookup_matches_the_reference(digits in "[0-9]{0,4}[0-9a\u{FF10}\u{0660}é]{0,3}") {
            // Compared by value: each use of a `const` table may be its own copy.
            let fields = |e: &CodeEntry| (e.code, e.region, e.min, e.max);
            prop_assert_eq!(
                lookup(&digits).map(fields),
                reference::reference_lookup(&digits).map(fields)
            );
        }

        #[test]
        fn dialing_code_of_never_panics(input in any::<String>()) {
            let _ = dialing_code_of(&input);
        }

        #[test]
        fn duplicates_are_later_repeats(picks in proptest::collection::vec(proptest::option::of(0u8..5), 0..40)) {
            let pool: Vec<Recipient> = (0..5).map(|i| lenient(&format!("+65 9000 000{i}")).unwrap()).collect();
            let list: Vec<Option<&Recipient>> = picks.iter().map(|p| p.map(|i| &pool[usize::from(i)])).collect();
            let repeats = find_duplicates(&list);
            for pair in repeats.windows(2) {
                prop_assert!(pair[0].1 < pair[1].1);
            }
            for (first, dup) in &repeats {
                prop_assert!(first < dup);
                prop_assert_eq!(list[*first], list[*dup]);
                prop_assert!(list[..*first].iter().all(|r| *r != list[*dup]));
            }
            let distinct = picks.iter().flatten().collect::<std::collections::BTreeSet<_>>().len();
            prop_assert_eq!(repeats.len(), picks.iter().flatten().count() - distinct);
        }
    }
}
