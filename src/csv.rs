//! CSV as spreadsheets export it (RFC 4180 and what Excel, LibreOffice and Google Sheets add to
//! it): the one reader and writer of the package, used by `readCsvCampaign`, `resultsCsv`, the
//! page (`www/app.js`) and the CLI (issue 14).
//!
//! Hand-written rather than the `csv` crate because the design card fixes the runtime crates
//! (README.md, "Choices"); `tests/csv_differential.rs` holds it to the `csv` crate (a
//! dev-dependency only) over generated tables, as `tests/json_text_differential.rs` does for the
//! JSON reader.
//!
//! Reading:
//! - a UTF-8 byte order mark at the start is dropped (Excel writes one for "CSV UTF-8");
//! - a record ends at CRLF, LF or a lone CR (old Mac exports), outside quotes;
//! - a field that starts with `"` is quoted: it may hold the delimiter, line breaks (kept as
//!   written) and `""` for one quote; after its closing quote, anything up to the next delimiter
//!   is kept as written, and a `"` inside an unquoted field is an ordinary character (what the
//!   `csv` crate does);
//! - a record whose every field is empty or white space is blank and skipped: empty lines, and
//!   the `,,,` lines spreadsheets write for empty rows;
//! - each record keeps the 1-based line on which it starts (every CRLF, LF or lone CR counts one);
//! - the delimiter is `,` or `;` (spreadsheets in locales whose decimal mark is a comma write
//!   `;`): given, or else the one of the two that occurs more often outside quotes in the first
//!   non-blank record, `,` on a tie (a one-column file has neither);
//! - a quote never closed is reported with the line it opened on, and the records before it are
//!   kept; text past `MAX_TEXT_BYTES`, a record of more than `MAX_FIELDS` fields or more than
//!   `MAX_RECORDS` records are refused (`CsvLimit`). Nothing here panics.
//!
//! Fields are kept end to end in one `String` with their ends (as `crate::ledger::TextColumn`
//! does), not a `String` each: a million-row file costs its text plus 4 bytes a field.

use std::fmt;

/// Longest text read, in UTF-8 bytes (128 MiB: a million rows of 130 bytes).
pub const MAX_TEXT_BYTES: usize = 128 * 1024 * 1024;
/// Most fields in one record.
pub const MAX_FIELDS: usize = 1024;
/// Most records (header included): a campaign's most recipients, and a header.
pub const MAX_RECORDS: usize = crate::options::MAX_CAMPAIGN_RECIPIENTS as usize + 1;

const BOM: &str = "\u{feff}";

/// The field separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delimiter {
    Comma,
    Semicolon,
}

impl Delimiter {
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Delimiter::Comma => ",",
            Delimiter::Semicolon => ";",
        }
    }

    /// `","` or `";"`.
    pub fn parse(text: &str) -> Option<Delimiter> {
        match text {
            "," => Some(Delimiter::Comma),
            ";" => Some(Delimiter::Semicolon),
            _ => None,
        }
    }
}

impl serde::Serialize for Delimiter {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A limit the text broke: nothing was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvLimit {
    /// The text is longer than `MAX_TEXT_BYTES`.
    TooLong { bytes: usize },
    /// The record starting on `line` has more than `MAX_FIELDS` fields.
    TooManyFields { line: usize },
    /// More than `MAX_RECORDS` non-blank records.
    TooManyRecords,
}

impl fmt::Display for CsvLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvLimit::TooLong { bytes } => write!(
                f,
                "the CSV text is {bytes} bytes of UTF-8; at most {MAX_TEXT_BYTES} are read"
            ),
            CsvLimit::TooManyFields { line } => write!(
                f,
                "line {line}: a record holds at most {MAX_FIELDS} fields"
            ),
            CsvLimit::TooManyRecords => write!(
                f,
                "the CSV text holds more than {MAX_RECORDS} records (a header and a campaign's most recipients)"
            ),
        }
    }
}

/// The records of a CSV text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub delimiter: Delimiter,
    /// Every field's text, end to end.
    text: String,
    /// Where each field ends in `text`.
    ends: Vec<u32>,
    /// Per record: its line and the index of its first field in `ends`.
    records: Vec<(u32, u32)>,
    /// The line of a quote never closed: the record it opened was not kept, nor anything after.
    pub unterminated_quote: Option<usize>,
}

/// One record: the line it starts on and its fields.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    table: &'a Table,
    pub line: usize,
    first: usize,
    end: usize,
}

impl<'a> Record<'a> {
    /// Fields in the record.
    pub fn len(&self) -> usize {
        self.end - self.first
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Field `n` (from 0).
    pub fn get(&self, n: usize) -> Option<&'a str> {
        if n >= self.len() {
            return None;
        }
        let at = self.first + n;
        let start = match at.checked_sub(1) {
            Some(previous) => *self.table.ends.get(previous)? as usize,
            None => 0,
        };
        let end = *self.table.ends.get(at)? as usize;
        self.table.text.get(start..end)
    }

    pub fn fields(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).filter_map(|n| self.get(n))
    }
}

impl Table {
    /// Records, blank ones left out.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Record `n` (from 0).
    pub fn get(&self, n: usize) -> Option<Record<'_>> {
        let (line, first) = *self.records.get(n)?;
        let end = match self.records.get(n + 1) {
            Some((_, next)) => *next as usize,
            None => self.ends.len(),
        };
        Some(Record {
            table: self,
            line: line as usize,
            first: first as usize,
            end,
        })
    }

    pub fn records(&self) -> impl Iterator<Item = Record<'_>> + '_ {
        (0..self.len()).filter_map(|n| self.get(n))
    }
}

/// What the scanner calls for each field and record end.
trait Sink {
    /// A field's bytes so far grew by `bytes` (valid UTF-8 pieces: cut only at ASCII bytes).
    fn push(&mut self, bytes: &str);
    /// The field ended, by `delimiter` (`None`: the record ended too).
    fn end_field(&mut self, delimiter: Option<u8>, line: usize) -> Result<(), CsvLimit>;
    /// The record that started on `line` ended. Returns `false` to stop scanning.
    fn end_record(&mut self, line: usize) -> Result<bool, CsvLimit>;
}

enum State {
    /// At the start of a field.
    Start,
    Unquoted,
    /// Inside quotes, opened on `line`.
    Quoted {
        line: usize,
    },
}

/// Runs the grammar over `text` with `delimiters`; returns the line of a quote never closed.
fn scan(text: &str, delimiters: &[u8], sink: &mut impl Sink) -> Result<Option<usize>, CsvLimit> {
    let bytes = text.as_bytes();
    let mut state = State::Start;
    let mut line = 1usize;
    let mut record_line = 1usize;
    // Start of the bytes not yet pushed to the field.
    let mut from = 0usize;
    let mut i = 0usize;
    // Whether the current record has anything in it yet (a field ended or a byte read).
    let mut open = false;
    while let Some(&b) = bytes.get(i) {
        match state {
            State::Quoted { .. } => match b {
                b'"' => {
                    sink.push(text.get(from..i).unwrap_or_default());
                    if bytes.get(i + 1) == Some(&b'"') {
                        sink.push("\"");
                        i += 2;
                        from = i;
                        continue;
                    }
                    // Closed: what follows up to the delimiter is kept as written.
                    state = State::Unquoted;
                    from = i + 1;
                }
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => line += 1,
                b'\n' => line += 1,
                _ => {}
            },
            State::Start | State::Unquoted => {
                if b == b'"' && matches!(state, State::Start) {
                    state = State::Quoted { line };
                    open = true;
                    from = i + 1;
                } else if delimiters.contains(&b) {
                    sink.push(text.get(from..i).unwrap_or_default());
                    sink.end_field(Some(b), record_line)?;
                    state = State::Start;
                    open = true;
                    from = i + 1;
                } else if b == b'\r' || b == b'\n' {
                    sink.push(text.get(from..i).unwrap_or_default());
                    sink.end_field(None, record_line)?;
                    if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    line += 1;
                    let go_on = sink.end_record(record_line)?;
                    record_line = line;
                    state = State::Start;
                    open = false;
                    from = i + 1;
                    if !go_on {
                        return Ok(None);
                    }
                } else {
                    state = State::Unquoted;
                    open = true;
                }
            }
        }
        i += 1;
    }
    if let State::Quoted { line } = state {
        return Ok(Some(line));
    }
    if open {
        sink.push(text.get(from..).unwrap_or_default());
        sink.end_field(None, record_line)?;
        sink.end_record(record_line)?;
    }
    Ok(None)
}

/// Fills a `Table`.
struct Builder {
    table: Table,
    /// Start in `text` of the record being read, and its first field's index in `ends`.
    record_text: usize,
    record_field: usize,
}

impl Sink for Builder {
    fn push(&mut self, bytes: &str) {
        self.table.text.push_str(bytes);
    }

    fn end_field(&mut self, _: Option<u8>, line: usize) -> Result<(), CsvLimit> {
        // Checked per field, so a hostile record cannot grow `ends` before it is refused.
        if self.table.ends.len() - self.record_field >= MAX_FIELDS {
            return Err(CsvLimit::TooManyFields { line });
        }
        // Within u32: the text is at most MAX_TEXT_BYTES.
        self.table.ends.push(self.table.text.len() as u32);
        Ok(())
    }

    fn end_record(&mut self, line: usize) -> Result<bool, CsvLimit> {
        let blank = self
            .table
            .ends
            .get(self.record_field..)
            .unwrap_or_default()
            .iter()
            .fold((self.record_text, true), |(start, blank), &end| {
                let field = self.table.text.get(start..end as usize).unwrap_or_default();
                (end as usize, blank && field.trim().is_empty())
            })
            .1;
        if blank {
            self.table.text.truncate(self.record_text);
            self.table.ends.truncate(self.record_field);
            return Ok(true);
        }
        if self.table.records.len() >= MAX_RECORDS {
            return Err(CsvLimit::TooManyRecords);
        }
        self.table.records.push((
            u32::try_from(line).unwrap_or(u32::MAX),
            self.record_field as u32,
        ));
        self.record_text = self.table.text.len();
        self.record_field = self.table.ends.len();
        Ok(true)
    }
}

/// Counts `,` and `;` in the first non-blank record, both read as delimiters.
#[derive(Default)]
struct Detector {
    field: String,
    fields_blank: bool,
    commas: usize,
    semicolons: usize,
    found: Option<Delimiter>,
}

impl Sink for Detector {
    fn push(&mut self, bytes: &str) {
        // Only whether the record is blank matters: keep a little of each field.
        if self.field.len() < 64 {
            self.field.push_str(bytes);
        }
    }

    fn end_field(&mut self, delimiter: Option<u8>, _: usize) -> Result<(), CsvLimit> {
        self.fields_blank &= self.field.trim().is_empty();
        self.field.clear();
        match delimiter {
            Some(b',') => self.commas += 1,
            Some(b';') => self.semicolons += 1,
            _ => {}
        }
        Ok(())
    }

    fn end_record(&mut self, _: usize) -> Result<bool, CsvLimit> {
        if self.fields_blank {
            self.commas = 0;
            self.semicolons = 0;
            return Ok(true);
        }
        self.fields_blank = true;
        self.found = Some(if self.semicolons > self.commas {
            Delimiter::Semicolon
        } else {
            Delimiter::Comma
        });
        Ok(false)
    }
}

/// The delimiter of `text` (BOM already dropped): see the module's doc.
pub fn detect_delimiter(text: &str) -> Delimiter {
    let mut detector = Detector {
        fields_blank: true,
        ..Detector::default()
    };
    // A quote never closed, or an oversized record: what was counted so far decides.
    let _ = scan(text, b",;", &mut detector);
    detector
        .found
        .unwrap_or(if detector.semicolons > detector.commas {
            Delimiter::Semicolon
        } else {
            Delimiter::Comma
        })
}

/// Reads `text` with `delimiter`, or the one detected.
pub fn read(text: &str, delimiter: Option<Delimiter>) -> Result<Table, CsvLimit> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(CsvLimit::TooLong { bytes: text.len() });
    }
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(text));
    let mut builder = Builder {
        table: Table {
            delimiter,
            text: String::with_capacity(text.len()),
            ends: Vec::new(),
            records: Vec::new(),
            unterminated_quote: None,
        },
        record_text: 0,
        record_field: 0,
    };
    let unterminated = scan(text, &[delimiter.byte()], &mut builder)?;
    let mut table = builder.table;
    // The fields of the record the open quote swallowed are not kept.
    table.text.truncate(builder.record_text);
    table.ends.truncate(builder.record_field);
    table.unterminated_quote = unterminated;
    Ok(table)
}

/// How cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    pub delimiter: Delimiter,
    /// Defuse cells a spreadsheet would read as a formula (`push_cell`).
    pub spreadsheet_safe: bool,
}

/// Whether `cell` is a plain phone number or number: an optional leading `+` or `-`, then only
/// digits, spaces and `-` `(` `)` `.`, with a digit. A spreadsheet may read `+852 9123-4567` as
/// arithmetic, but it cannot call a function or reach outside the sheet, and a number kept as
/// given is worth more to the reader than an apostrophe in front of every `+852` number.
fn plain_number(cell: &str) -> bool {
    let rest = cell
        .strip_prefix('+')
        .or_else(|| cell.strip_prefix('-'))
        .unwrap_or(cell);
    rest.bytes().any(|b| b.is_ascii_digit())
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'(' | b')' | b'.'))
}

/// Whether a spreadsheet could run `cell` as a formula: it starts with `=`, `+`, `-`, `@`, a tab
/// or a CR (OWASP's list for CSV injection) and is not a plain number.
pub fn needs_defusing(cell: &str) -> bool {
    matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    ) && !plain_number(cell)
}

/// Appends one cell: prefixed with `'` when `needs_defusing` (if asked), and quoted when it holds
/// the delimiter, a quote or a line break, starts with a BOM or white space (which some readers
/// trim), or ends with white space.
pub fn push_cell(out: &mut String, cell: &str, options: WriteOptions) {
    let defuse = options.spreadsheet_safe && needs_defusing(cell);
    let quote = cell
        .bytes()
        .any(|b| b == options.delimiter.byte() || matches!(b, b'"' | b'\r' | b'\n'))
        || cell.starts_with(BOM)
        || cell.starts_with(char::is_whitespace)
        || cell.ends_with(char::is_whitespace);
    if quote {
        out.push('"');
    }
    if defuse {
        out.push('\'');
    }
    if quote {
        for (n, piece) in cell.split('"').enumerate() {
            if n > 0 {
                out.push_str("\"\"");
            }
            out.push_str(piece);
        }
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// Appends one record and its CRLF.
pub fn push_record<'a>(
    out: &mut String,
    cells: impl IntoIterator<Item = &'a str>,
    options: WriteOptions,
) {
    for (n, cell) in cells.into_iter().enumerate() {
        if n > 0 {
            out.push(char::from(options.delimiter.byte()));
        }
        push_cell(out, cell, options);
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(usize, Vec<String>)> {
        let table = read(text, None).unwrap();
        table
            .records()
            .map(|r| (r.line, r.fields().map(str::to_string).collect()))
            .collect()
    }

    fn row(line: usize, fields: &[&str]) -> (usize, Vec<String>) {
        (line, fields.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn spreadsheet_exports() {
        let text = "\u{feff}number,message\r\n+852 9123 4567,\"Hi Ann, \"\"table\"\"\r\nat 8\"\r\n\r\n,,\r\n+65 9123 4567,x";
        assert_eq!(
            rows(text),
            vec![
                row(1, &["number", "message"]),
                row(2, &["+852 9123 4567", "Hi Ann, \"table\"\r\nat 8"]),
                row(6, &["+65 9123 4567", "x"]),
            ]
        );
    }

    #[test]
    fn lone_cr_and_lf_each_count_a_line() {
        assert_eq!(
            rows("a\rb\n\nc\r\n"),
            vec![row(1, &["a"]), row(2, &["b"]), row(4, &["c"])]
        );
    }

    #[test]
    fn semicolons_detected_outside_quotes_comma_on_a_tie() {
        assert_eq!(
            read("\n\na;b,c;d", None).unwrap().delimiter,
            Delimiter::Semicolon
        );
        assert_eq!(
            read("\"a;b;c\",d", None).unwrap().delimiter,
            Delimiter::Comma
        );
        assert_eq!(read("a;b,c", None).unwrap().delimiter, Delimiter::Comma);
        assert_eq!(
            read("+85291234567", None).unwrap().delimiter,
            Delimiter::Comma
        );
        // Given, it is not detected.
        assert_eq!(
            rows_with("a;b,c", Delimiter::Semicolon),
            vec![vec!["a", "b,c"]]
        );
    }

    fn rows_with(text: &str, d: Delimiter) -> Vec<Vec<String>> {
        read(text, Some(d))
            .unwrap()
            .records()
            .map(|r| r.fields().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn text_after_a_closing_quote_and_quotes_inside_unquoted_fields_are_kept() {
        assert_eq!(rows("\"ab\"cd,e\"f\""), vec![row(1, &["abcd", "e\"f\""])]);
        assert_eq!(rows(" \"a,b\""), vec![row(1, &[" \"a", "b\""])]);
    }

    #[test]
    fn an_unterminated_quote_keeps_the_records_before_it() {
        let table = read("a,b\nc,\"d\ne\nf", None).unwrap();
        assert_eq!(table.unterminated_quote, Some(2));
        assert_eq!(table.len(), 1);
        assert_eq!(table.get(0).unwrap().get(1), Some("b"));
        assert_eq!(table.get(0).unwrap().len(), 2);
    }

    #[test]
    fn limits_are_refused() {
        let wide = ",x".repeat(MAX_FIELDS);
        assert_eq!(
            read(&format!("a\n{wide}"), None),
            Err(CsvLimit::TooManyFields { line: 2 })
        );
        assert!(read(&",x".repeat(MAX_FIELDS / 2), None).is_ok());
    }

    #[test]
    fn writer_quotes_and_defuses() {
        let options = WriteOptions {
            delimiter: Delimiter::Comma,
            spreadsheet_safe: true,
        };
        let mut out = String::new();
        push_record(
            &mut out,
            [
                "+852 9123 4567",
                "=HYPERLINK(\"x\")",
                "-1.5",
                "@SUM(A1)",
                "a,b",
                " pad",
                "",
                "+1 (2) x",
            ],
            options,
        );
        assert_eq!(
            out,
            "+852 9123 4567,\"'=HYPERLINK(\"\"x\"\")\",-1.5,'@SUM(A1),\"a,b\",\" pad\",,'+1 (2) x\r\n"
        );
        let mut tab = String::new();
        push_cell(&mut tab, "\tcmd", options);
        assert_eq!(tab, "\"'\tcmd\"");
    }
}
