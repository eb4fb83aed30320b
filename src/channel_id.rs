//! `ChannelId`: which of the account's channels carries a message (SendMessageToGlobe since
//! 2024-03-28, BatchSendMessageToGlobe in the generated models; docs/spec/operations.md §1-§2). The SDK
//! models it as a string and no source gives its shape; the vectors use `channel01`.
//!
//! Ours: 1 to [`MAX_LENGTH`] of ASCII letters, digits, `-`, `_` and `.`, sent exactly as given
//! (an identifier is matched exactly, so nothing is trimmed or re-cased). That is every
//! identifier shape Alibaba's consoles print, and it keeps a stray space, a quote or a pasted line
//! break from being signed and sent. `""` means not sent, as for `from` and `taskId`.

use std::fmt;

/// The longest channel ID accepted, in characters.
pub const MAX_LENGTH: usize = 64;

/// A channel ID of valid shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelId(String);

/// Why a channel ID cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelIdProblem {
    /// A character outside `A-Z a-z 0-9 - _ .`. Code `CHANNEL_ID_INVALID_CHARACTER`.
    InvalidCharacter { character: char, position: usize },
    /// More than `MAX_LENGTH` characters. Code `CHANNEL_ID_TOO_LONG`.
    TooLong { length: usize },
}

impl ChannelId {
    /// Checks a channel ID; `""` gives `Ok(None)` (not sent).
    pub fn parse(input: &str) -> Result<Option<ChannelId>, ChannelIdProblem> {
        if input.is_empty() {
            return Ok(None);
        }
        if let Some((position, character)) = input
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(ChannelIdProblem::InvalidCharacter {
                character,
                position,
            });
        }
        // ASCII from here: bytes are characters.
        if input.len() > MAX_LENGTH {
            return Err(ChannelIdProblem::TooLong {
                length: input.len(),
            });
        }
        Ok(Some(ChannelId(input.to_string())))
    }

    /// The ID as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChannelIdProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelIdProblem::InvalidCharacter {
                character,
                position,
            } => write!(
                f,
                "character U+{:04X} at position {position} is not allowed (letters, digits, - _ . only)",
                u32::from(*character)
            ),
            ChannelIdProblem::TooLong { length } => {
                write!(f, "at most {MAX_LENGTH} characters, got {length}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_pass_and_nothing_else() {
        assert_eq!(ChannelId::parse("").unwrap(), None);
        for ok in ["channel01", "a", "A-b_c.9", &"x".repeat(MAX_LENGTH)] {
            assert_eq!(ChannelId::parse(ok).unwrap().unwrap().as_str(), ok);
        }
        assert_eq!(
            ChannelId::parse("chan 1").unwrap_err(),
            ChannelIdProblem::InvalidCharacter {
                character: ' ',
                position: 4
            }
        );
        assert!(matches!(
            ChannelId::parse("é"),
            Err(ChannelIdProblem::InvalidCharacter { .. })
        ));
        assert_eq!(
            ChannelId::parse(&"x".repeat(MAX_LENGTH + 1)).unwrap_err(),
            ChannelIdProblem::TooLong {
                length: MAX_LENGTH + 1
            }
        );
    }
}
