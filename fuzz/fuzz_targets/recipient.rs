//! Recipient normalisation: `normalize` under both `NumberRules`, `dialing_code_of` and
//! `find_duplicates`, on pasted text.
//!
//! The first byte picks how the rest is read: as text (lossy UTF-8), or byte by byte through an
//! alphabet of what people paste (ASCII, full-width, Arabic-Indic and Persian digits, `+`, `＋`,
//! brackets, `(0)`, dashes, invisible marks, Unicode spaces, letters), which reaches the
//! interesting paths far sooner than raw bytes would. Lines are then one batch.
//!
//! Checked beyond "no panic":
//! - a normalised number is 7 to 15 ASCII digits, starts with its dialing code (never 86), and
//!   `dialing_code_of` gives the same code and region;
//! - it is made of the input's digits, in order, some dropped (the `00` prefix, `(0)` trunk
//!   zeros), none added;
//! - normalising it again, bare, with `+` or with `00`, gives the same recipient;
//! - the length rule only ever adds a `WrongLengthForCountry`: without it the answer is the same
//!   or that number is accepted;
//! - an `InvalidCharacter` names the character at its position;
//! - `find_duplicates` pairs each repeat with the first occurrence of the same number, once,
//!   in order, skipping refused entries.

#![no_main]

use aliyun_globe_sms::recipient::{
    dialing_code_of, find_duplicates, normalize, MAINLAND_CHINA_DIALING_CODE, MAX_DIGITS,
    MIN_DIGITS,
};
use aliyun_globe_sms::{NumberRules, Recipient, RecipientProblem};
use libfuzzer_sys::fuzz_target;

/// What each byte stands for in alphabet mode (indexed by the byte modulo the length): ASCII
/// digits three times over, then full-width, Arabic-Indic and Persian digits, prefixes and
/// brackets, dashes, spaces and invisible marks, and what does not belong.
#[rustfmt::skip]
const ALPHABET: &[&str] = &[
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    "\u{FF10}", "\u{FF18}", "\u{FF19}", "\u{0660}", "\u{0665}", "\u{0669}", "\u{06F0}", "\u{06F5}",
    "\u{06F9}", "+", "+", "\u{FF0B}", "00", "(0)", "(0)", "(", ")", "\u{FF08}", "\u{FF09}",
    "-", ".", "/", "\u{FF0D}", "\u{2010}", "\u{2015}", "\u{2212}", " ", " ", "\u{A0}", "\u{202F}",
    "\u{3000}", "\t", "\n", "\r", "\u{200B}", "\u{200F}", "\u{202A}", "\u{2066}", "\u{FEFF}",
    "x", "e", "*", "#", ",", ";", "\u{1F4DE}", "\u{0301}", "\u{FF11}", "\u{FFFD}", "852", "86",
    "1", "44", "0",
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text: String = if mode & 1 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        rest.iter()
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()])
            .collect()
    };

    check_number(&text);

    // The lines as a batch: duplicates across them.
    let lines: Vec<&str> = text.split('\n').take(64).collect();
    let rules = NumberRules {
        check_national_length: mode & 2 == 0,
    };
    let normalized: Vec<Option<Recipient>> = lines
        .iter()
        .map(|line| normalize(line, &rules).ok())
        .collect();
    let refs: Vec<Option<&Recipient>> = normalized.iter().map(Option::as_ref).collect();
    check_duplicates(&refs, &find_duplicates(&refs));

    // dialing_code_of on any text: never panics, and what it finds is a prefix.
    if let Some((code, region)) = dialing_code_of(&text) {
        assert!(text.starts_with(&code.to_string()), "{text:?} → {code}");
        assert!(!region.is_empty());
    }
});

fn check_number(text: &str) {
    let strict = normalize(text, &NumberRules::default());
    let lenient = normalize(
        text,
        &NumberRules {
            check_national_length: false,
        },
    );
    for result in [&strict, &lenient] {
        match result {
            Ok(recipient) => check_recipient(text, recipient),
            Err(problem) => check_problem(text, problem),
        }
    }
    match (&lenient, &strict) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{text:?}"),
        (
            Ok(a),
            Err(RecipientProblem::WrongLengthForCountry {
                dialing_code,
                national_digits,
                min,
                max,
            }),
        ) => {
            assert_eq!(a.dialing_code, *dialing_code, "{text:?}");
            assert_eq!(
                a.normalized.len(),
                national_digits + a.dialing_code.to_string().len(),
                "{text:?}"
            );
            assert!(national_digits < min || national_digits > max, "{text:?}");
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{text:?}"),
        (lenient, strict) => {
            panic!("the length rule changed more than a length: {text:?} {lenient:?} {strict:?}")
        }
    }
}

fn check_recipient(text: &str, recipient: &Recipient) {
    let n = &recipient.normalized;
    assert!(n.bytes().all(|b| b.is_ascii_digit()), "{text:?} → {n:?}");
    assert!(
        (MIN_DIGITS..=MAX_DIGITS).contains(&n.len()),
        "{text:?} → {n:?}"
    );
    assert!(
        n.starts_with(&recipient.dialing_code.to_string()),
        "{text:?} → {recipient:?}"
    );
    assert_ne!(
        recipient.dialing_code, MAINLAND_CHINA_DIALING_CODE,
        "{text:?}"
    );
    assert_eq!(
        dialing_code_of(n),
        Some((recipient.dialing_code, recipient.region)),
        "{text:?}"
    );

    // The input's digits, in order, some dropped and none added.
    let mut input_digits = text.chars().filter_map(digit_value);
    for d in n.bytes().map(|b| b - b'0') {
        assert!(
            input_digits.any(|i| i == d),
            "{text:?} → {n:?}: a digit that is not in the input"
        );
    }

    // Already normal: the same answer again, bare or behind an international prefix, under
    // either rule (a number the length rule refuses is refused again for the same reason).
    for again in [n.clone(), format!("+{n}"), format!("00{n}")] {
        for check_national_length in [true, false] {
            let rules = NumberRules {
                check_national_length,
            };
            assert_eq!(
                normalize(&again, &rules),
                normalize(text, &rules),
                "{text:?} then {again:?}"
            );
        }
    }
}

fn check_problem(text: &str, problem: &RecipientProblem) {
    assert!(problem.code().as_str().starts_with("RECIPIENT_"));
    assert!(!problem.to_string().is_empty());
    match problem {
        RecipientProblem::InvalidCharacter {
            character,
            position,
        } => assert_eq!(text.chars().nth(*position), Some(*character), "{text:?}"),
        RecipientProblem::TooLong { digits, max } => assert!(digits > max, "{text:?}"),
        RecipientProblem::TooShort { digits, min } => {
            assert!(digits < min && *digits > 0, "{text:?}")
        }
        RecipientProblem::Duplicate { .. } => panic!("normalize reported a duplicate: {text:?}"),
        _ => {}
    }
}

/// The value of what `normalize` reads as a digit: ASCII, full-width, Arabic-Indic, Persian.
fn digit_value(c: char) -> Option<u8> {
    ['0', '\u{FF10}', '\u{0660}', '\u{06F0}']
        .iter()
        .find_map(|zero| {
            let d = (c as u32).checked_sub(*zero as u32)?;
            (d < 10).then_some(d as u8)
        })
}

fn check_duplicates(recipients: &[Option<&Recipient>], pairs: &[(usize, usize)]) {
    // What it must be, by brute force: every later entry paired with the first equal one.
    let mut expected = Vec::new();
    for (later, r) in recipients.iter().enumerate() {
        let Some(r) = r else { continue };
        if let Some(first) = recipients[..later]
            .iter()
            .position(|e| e.is_some_and(|e| e.normalized == r.normalized))
        {
            expected.push((first, later));
        }
    }
    assert_eq!(pairs, expected.as_slice());
}
