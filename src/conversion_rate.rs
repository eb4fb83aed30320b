//! `ConversionRate`: the share of OTP messages that were used, reported by ConversionData as "a
//! decimal string in [0, 1]" (docs/spec/operations.md §2). The SDK sends the text as given (vectors: `0.53`,
//! `1`, `0.0725`, `0.875`).
//!
//! Accepted text: `0` or `1`, optionally followed by `.` and digits, no more than
//! [`MAX_LENGTH`] characters, at most 1 in value (`1.000` passes, `1.5` does not). No sign,
//! exponent, leading `.`, spaces or thousands separators: what the service parses is not
//! established, and plain decimal digits are what every vector sends.

use std::fmt;

/// The longest rate text accepted, in characters.
pub const MAX_LENGTH: usize = 32;

/// A conversion rate in [0, 1], as the decimal text sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConversionRate(String);

/// Why a conversion rate cannot be sent.
#[derive(Debug, Clone, PartialEq)]
pub enum ConversionRateProblem {
    /// Not a plain decimal (`0.25`), or longer than `MAX_LENGTH`. Code `CONVERSION_RATE_INVALID`.
    NotDecimal,
    /// A decimal above 1. Code `CONVERSION_RATE_OUT_OF_RANGE`.
    OutOfRange,
}

impl ConversionRate {
    /// Checks decimal text.
    pub fn parse(text: &str) -> Result<ConversionRate, ConversionRateProblem> {
        if text.is_empty() || text.len() > MAX_LENGTH {
            return Err(ConversionRateProblem::NotDecimal);
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
            return Err(ConversionRateProblem::NotDecimal);
        }
        let fraction_zero = fraction.is_none_or(|f| f.bytes().all(|b| b == b'0'));
        match whole {
            "0" => {}
            "1" if fraction_zero => {}
            // Leading zeros ("00.5") are refused as not plain; anything else is above 1.
            w if w.starts_with('0') => return Err(ConversionRateProblem::NotDecimal),
            _ => return Err(ConversionRateProblem::OutOfRange),
        }
        Ok(ConversionRate(text.to_string()))
    }

    /// The text as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConversionRateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConversionRateProblem::NotDecimal => write!(
                f,
                "must be a plain decimal such as 0.25 (digits and one '.', at most {MAX_LENGTH} characters)"
            ),
            ConversionRateProblem::OutOfRange => f.write_str("must be between 0 and 1"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_in_the_unit_interval_pass_as_written() {
        for ok in [
            "0",
            "1",
            "0.53",
            "0.0725",
            "0.875",
            "1.000",
            "0.0",
            "0.30000000000000004",
        ] {
            assert_eq!(ConversionRate::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn other_text_is_refused_with_its_reason() {
        use ConversionRateProblem::*;
        for (bad, why) in [
            ("", NotDecimal),
            (".5", NotDecimal),
            ("0.", NotDecimal),
            ("-0.5", NotDecimal),
            ("+0.5", NotDecimal),
            ("0.5 ", NotDecimal),
            ("5e-1", NotDecimal),
            ("00.5", NotDecimal),
            ("0,5", NotDecimal),
            ("1.0.0", NotDecimal),
            ("1.5", OutOfRange),
            ("1.0001", OutOfRange),
            ("2", OutOfRange),
            ("10", OutOfRange),
        ] {
            assert_eq!(ConversionRate::parse(bad).unwrap_err(), why, "{bad:?}");
        }
        let long = format!("0.{}", "1".repeat(MAX_LENGTH));
        assert_eq!(ConversionRate::parse(&long).unwrap_err(), NotDecimal);
    }
}
