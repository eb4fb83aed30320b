//! Segments: placeholder, replaced by the recipient-rules work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding { Gsm7, Ucs2 }
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentCount { pub encoding: Encoding, pub characters: usize, pub units: usize, pub segments: usize }
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageProblem { Empty }
impl MessageProblem { pub fn code(&self) -> &'static str { "MESSAGE_EMPTY" } }
impl std::fmt::Display for MessageProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("empty") }
}
pub const MAX_MESSAGE_CHARACTERS: usize = 500;
pub fn count_segments(text: &str) -> SegmentCount {
    let n = text.encode_utf16().count();
    SegmentCount { encoding: Encoding::Ucs2, characters: n, units: n, segments: n.div_ceil(67) }
}
pub fn check_message(text: &str) -> Result<SegmentCount, MessageProblem> {
    if text.is_empty() { Err(MessageProblem::Empty) } else { Ok(count_segments(text)) }
}
