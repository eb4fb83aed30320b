//! Sender ID: placeholder, replaced by the recipient-rules work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderId(String);
impl SenderId {
    pub fn parse(input: &str) -> Result<Option<SenderId>, SenderIdProblem> {
        if input.is_empty() { Ok(None) } else { Ok(Some(SenderId(input.to_string()))) }
    }
    pub fn as_str(&self) -> &str { &self.0 }
}
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SenderIdProblem { TooLong { length: usize, max: usize } }
impl SenderIdProblem { pub fn code(&self) -> &'static str { "SENDER_ID_TOO_LONG" } }
impl std::fmt::Display for SenderIdProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("too long") }
}
