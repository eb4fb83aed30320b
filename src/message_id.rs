//! `MessageId`: the service's name for one message, given back by the send operations and asked
//! for by QueryMessage and SmsConversion (docs/spec/operations.md §2).
//!
//! The service's IDs are digits (19 of them in every answer in golden/), but nothing documents
//! that as a contract, and the official SDK signs any text (vector `qm-escaped-id` sends
//! `id ~*'()!&=+%#/é 42`). So the rule only refuses what cannot be an ID someone copied: empty
//! text, more than [`MAX_LENGTH`] characters, control characters, and white space at either end
//! (a pasted line break or space, which would be sent and signed and match nothing), and U+FFFD:
//! the service never issues it, and a JavaScript string holding a lone surrogate reaches the core
//! with U+FFFD in its place, so sending it would ask about an ID nobody gave. The ID is sent
//! exactly as given.

use std::fmt;

/// The longest MessageId accepted, in characters: three times the 19 digits the service issues.
pub const MAX_LENGTH: usize = 64;

/// A MessageId of acceptable shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageId(String);

/// Why a MessageId cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageIdProblem {
    /// Empty. Code `MESSAGE_ID_EMPTY`.
    Empty,
    /// More than `MAX_LENGTH` characters. Code `MESSAGE_ID_TOO_LONG`.
    TooLong { length: usize },
    /// A control character anywhere, or white space at the start or end. Code
    /// `MESSAGE_ID_INVALID_CHARACTER`.
    InvalidCharacter { character: char, position: usize },
}

impl MessageId {
    /// Checks a MessageId.
    pub fn parse(input: &str) -> Result<MessageId, MessageIdProblem> {
        if input.is_empty() {
            return Err(MessageIdProblem::Empty);
        }
        let length = input.chars().count();
        if length > MAX_LENGTH {
            return Err(MessageIdProblem::TooLong { length });
        }
        let last = length - 1;
        if let Some((position, character)) = input
            .chars()
            .enumerate()
            .find(|(i, c)| {
                c.is_control()
                    || *c == char::REPLACEMENT_CHARACTER
                    || ((*i == 0 || *i == last) && c.is_whitespace())
            })
        {
            return Err(MessageIdProblem::InvalidCharacter {
                character,
                position,
            });
        }
        Ok(MessageId(input.to_string()))
    }

    /// The ID as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageIdProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageIdProblem::Empty => f.write_str("is required"),
            MessageIdProblem::TooLong { length } => {
                write!(f, "at most {MAX_LENGTH} characters, got {length}")
            }
            MessageIdProblem::InvalidCharacter {
                character,
                position,
            } => write!(
                f,
                "character U+{:04X} at position {position} is not allowed (control characters, U+FFFD, or white space at either end)",
                u32::from(*character)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replacement_character_is_refused() {
        // What a lone surrogate from JavaScript arrives as.
        assert_eq!(
            MessageId::parse("12\u{FFFD}3").unwrap_err(),
            MessageIdProblem::InvalidCharacter { character: '\u{FFFD}', position: 2 }
        );
    }

    #[test]
    fn any_copied_id_passes_as_is() {
        for ok in [
            "1008030300812345678",
            "id ~*'()!&=+%#/é 42",
            "x",
            &"9".repeat(MAX_LENGTH),
        ] {
            assert_eq!(MessageId::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn empty_long_control_and_padded_are_refused() {
        assert_eq!(MessageId::parse("").unwrap_err(), MessageIdProblem::Empty);
        assert_eq!(
            MessageId::parse(&"9".repeat(MAX_LENGTH + 1)).unwrap_err(),
            MessageIdProblem::TooLong {
                length: MAX_LENGTH + 1
            }
        );
        for (bad, character, position) in [
            (" 123", ' ', 0),
            ("123\n", '\n', 3),
            ("12\u{0}3", '\u{0}', 2),
            (" ", ' ', 0),
        ] {
            assert_eq!(
                MessageId::parse(bad).unwrap_err(),
                MessageIdProblem::InvalidCharacter {
                    character,
                    position
                },
                "{bad:?}"
            );
        }
    }
}
