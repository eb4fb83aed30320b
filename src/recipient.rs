//! Recipient numbers: placeholder, replaced by the recipient-rules work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub normalized: String,
    pub dialing_code: u16,
    pub region: &'static str,
}
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecipientProblem {
    Empty,
    Duplicate { first_index: usize },
}
impl RecipientProblem {
    pub fn code(&self) -> &'static str {
        match self { RecipientProblem::Empty => "RECIPIENT_EMPTY", RecipientProblem::Duplicate{..} => "RECIPIENT_DUPLICATE" }
    }
}
impl std::fmt::Display for RecipientProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the number is empty")
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberRules {
    pub check_national_length: bool,
}
impl Default for NumberRules {
    fn default() -> Self {
        NumberRules { check_national_length: true }
    }
}
pub fn normalize(input: &str, _rules: &NumberRules) -> Result<Recipient, RecipientProblem> {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Err(RecipientProblem::Empty);
    }
    Ok(Recipient { normalized: digits, dialing_code: 0, region: "" })
}
pub fn find_duplicates(recipients: &[Option<&Recipient>]) -> Vec<(usize, usize)> {
    let _ = recipients;
    Vec::new()
}
