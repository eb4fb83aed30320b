//! Stable codes: a closed list declared once per kind (`IssueCode` in batch.rs, `ErrorCode` in
//! error.rs) as an enum, its SCREAMING_SNAKE strings and the list of all of them. Callers switch on
//! the strings (JavaScript's `SmsError.code`, `Issue.code`), so a string is never reworded once
//! shipped; inside the crate codes are compared as enums, never as text.

/// Declares `$name`: the enum, `as_str`, `parse`, `ALL`, `Display`, and serde as its string.
macro_rules! stable_codes {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every code, in declaration order (the TypeScript union is checked against it).
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The code a stable string names.
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

pub(crate) use stable_codes;

#[cfg(test)]
mod tests {
    use crate::batch::IssueCode;
    use crate::error::ErrorCode;

    /// Every code parses back from its string, and the strings are unique SCREAMING_SNAKE.
    fn check<C: Copy + PartialEq + std::fmt::Debug>(
        all: &[C],
        as_str: fn(C) -> &'static str,
        parse: fn(&str) -> Option<C>,
    ) {
        let mut seen = std::collections::BTreeSet::new();
        for &code in all {
            let text = as_str(code);
            assert_eq!(parse(text), Some(code));
            assert!(seen.insert(text), "duplicate {text}");
            assert!(text.chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{text}");
        }
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        check(IssueCode::ALL, IssueCode::as_str, IssueCode::parse);
        check(ErrorCode::ALL, ErrorCode::as_str, ErrorCode::parse);
    }
}
