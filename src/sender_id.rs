//! Sender ID (`From`): the name or number the recipient sees as the sender.
//!
//! Rule from the operation's page (docs/spec/api-reference.md §1 and §5): digits and letters only; at most 11
//! characters when it contains a letter (the GSM alphanumeric originator field holds 11), at most 15 when
//! it is digits only (an E.164 number). Whether an ID is approved for a country is the service's business,
//! reported as `INVALID_SENDERID`; here only the shape is checked.

use std::fmt;

/// Longest sender ID that contains a letter, in characters.
pub const MAX_ALPHANUMERIC_LENGTH: usize = 11;
/// Longest sender ID made only of digits, in characters.
pub const MAX_NUMERIC_LENGTH: usize = 15;

/// A sender ID of valid shape: ASCII letters and digits, 1–11 characters with a letter, 1–15 digits-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderId(String);

impl SenderId {
    /// Checks a sender ID.
    ///
    /// Exactly `""` means "no sender ID" and gives `Ok(None)`: `From` is then not sent and the service
    /// picks one. Nothing is trimmed: the service matches approved IDs exactly, so a stray space is
    /// reported rather than silently removed. Checks, in order: the first character that is not an ASCII
    /// letter or digit → [`SenderIdProblem::InvalidCharacter`]; then the length →
    /// [`SenderIdProblem::TooLong`] (max 11 if any letter, else 15).
    pub fn parse(input: &str) -> Result<Option<SenderId>, SenderIdProblem> {
        if input.is_empty() {
            return Ok(None);
        }
        if let Some((position, character)) = input
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_alphanumeric())
        {
            return Err(SenderIdProblem::InvalidCharacter {
                character,
                position,
            });
        }
        // All ASCII from here, so bytes = characters.
        let length = input.len();
        let max = if input.bytes().any(|b| b.is_ascii_alphabetic()) {
            MAX_ALPHANUMERIC_LENGTH
        } else {
            MAX_NUMERIC_LENGTH
        };
        if length > max {
            return Err(SenderIdProblem::TooLong { length, max });
        }
        Ok(Some(SenderId(input.to_owned())))
    }

    /// The sender ID as sent in `From`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SenderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a sender ID cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SenderIdProblem {
    /// A character other than an ASCII letter or digit (spaces, '-', '+', accented letters…).
    /// Code `SENDER_ID_INVALID_CHARACTER`.
    InvalidCharacter {
        /// The first offending character.
        character: char,
        /// Its position, in characters (Unicode scalar values) from 0.
        position: usize,
    },
    /// Longer than allowed. Code `SENDER_ID_TOO_LONG`.
    TooLong {
        /// The sender ID's length in characters.
        length: usize,
        /// 11 if it contains a letter, 15 if digits only.
        max: usize,
    },
}

impl SenderIdProblem {
    /// The stable machine-readable code, e.g. `"SENDER_ID_TOO_LONG"`. Never reworded once shipped.
    pub fn code(&self) -> crate::batch::IssueCode {
        match self {
            SenderIdProblem::InvalidCharacter { .. } => crate::batch::IssueCode::SenderIdInvalidCharacter,
            SenderIdProblem::TooLong { .. } => crate::batch::IssueCode::SenderIdTooLong,
        }
    }
}

impl fmt::Display for SenderIdProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SenderIdProblem::InvalidCharacter { character, position } => write!(
                f,
                "the sender ID contains '{}' at position {position} (from 0); only ASCII letters and digits are allowed",
                character.escape_debug()
            ),
            SenderIdProblem::TooLong { length, max } if *max == MAX_ALPHANUMERIC_LENGTH => write!(
                f,
                "the sender ID is {length} characters long; one with a letter may have at most {max}"
            ),
            SenderIdProblem::TooLong { length, max } => write!(
                f,
                "the sender ID is {length} digits long; a digits-only one may have at most {max}"
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_means_absent() {
        assert_eq!(SenderId::parse(""), Ok(None));
    }

    #[test]
    fn alphanumeric_up_to_11() {
        assert_eq!(
            SenderId::parse("Alicloud").unwrap().unwrap().as_str(),
            "Alicloud"
        );
        assert_eq!(
            SenderId::parse("ABCDEFGHIJK").unwrap().unwrap().as_str(),
            "ABCDEFGHIJK"
        );
        assert_eq!(
            SenderId::parse("Shop2024abc").unwrap().unwrap().as_str(),
            "Shop2024abc"
        );
        let e = SenderId::parse("ABCDEFGHIJKL").unwrap_err();
        assert_eq!(
            e,
            SenderIdProblem::TooLong {
                length: 12,
                max: 11
            }
        );
        assert_eq!(e.code().as_str(), "SENDER_ID_TOO_LONG");
        // One letter among digits makes the 11 limit apply.
        let e = SenderId::parse("12345678901A").unwrap_err();
        assert_eq!(
            e,
            SenderIdProblem::TooLong {
                length: 12,
                max: 11
            }
        );
    }

    #[test]
    fn digits_only_up_to_15() {
        assert_eq!(
            SenderId::parse("123456789012345")
                .unwrap()
                .unwrap()
                .as_str(),
            "123456789012345"
        );
        assert!(SenderId::parse("123456789012").unwrap().is_some());
        let e = SenderId::parse("1234567890123456").unwrap_err();
        assert_eq!(
            e,
            SenderIdProblem::TooLong {
                length: 16,
                max: 15
            }
        );
        assert_eq!(e.code().as_str(), "SENDER_ID_TOO_LONG");
        assert!(e.to_string().contains("digits-only"));
    }

    #[test]
    fn refuses_anything_but_ascii_letters_and_digits() {
        let cases = [
            ("My-Shop", '-', 2),
            ("My Shop", ' ', 2),
            (" ", ' ', 0),
            ("Café", 'é', 3),
            ("+85291234567", '+', 0),
            ("Shop_1", '_', 4),
            ("ＡＢＣ", 'Ａ', 0),
        ];
        for (input, character, position) in cases {
            let e = SenderId::parse(input).unwrap_err();
            assert_eq!(
                e,
                SenderIdProblem::InvalidCharacter {
                    character,
                    position
                },
                "{input:?}"
            );
            assert_eq!(e.code().as_str(), "SENDER_ID_INVALID_CHARACTER");
        }
    }

    #[test]
    fn character_is_checked_before_length() {
        let e = SenderId::parse("ABCDEFGHIJKLMNOP-").unwrap_err();
        assert_eq!(e.code().as_str(), "SENDER_ID_INVALID_CHARACTER");
    }

    #[test]
    fn display_names_the_character() {
        let e = SenderId::parse("a\u{7}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the sender ID contains '\\u{7}' at position 1 (from 0); only ASCII letters and digits are allowed"
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(input in any::<String>()) {
            if let Ok(Some(id)) = SenderId::parse(&input) {
                prop_assert_eq!(id.as_str(), input.as_str());
                prop_assert!(id.as_str().len() <= MAX_NUMERIC_LENGTH);
            }
        }

        #[test]
        fn valid_shapes_are_accepted(input in "[A-Za-z0-9]{0,10}[A-Za-z]|[0-9]{1,15}") {
            prop_assert!(SenderId::parse(&input).unwrap().is_some());
        }
    }
}
