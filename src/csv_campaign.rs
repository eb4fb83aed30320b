//! A CSV table as a campaign's input (issue 14): which column holds the numbers, what each row's
//! text is, and every problem with the CSV line it is on. `readCsvCampaign` in the bindings, the
//! page (`www/app.js`) and the CLI all read tables through here; the numbers and texts are then
//! checked by the campaign's own rules (`crate::campaign`), which know nothing of CSV.
//!
//! Rules:
//! - the header is the first non-blank record (`header: true`, the default); `header: false`
//!   says there is none; `header: "auto"` (the page, where people paste bare numbers) takes the
//!   first record as the header when none of its cells holds a digit, as every phone number does.
//!   Without a header, the columns are named by position: `"1"`, `"2"`, …;
//! - the number column is `numberColumn` (a header name, compared trimmed and ignoring ASCII
//!   case), else the first header among [`NUMBER_HEADERS`], else the first column;
//! - the text is `message` (one text for all), `messageColumn` (each row's own cell, as written),
//!   or `message` as a template: a `message` holding `{name}` (any header name between braces)
//!   is filled from each row, `{{` and `}}` standing for literal braces. A `message` with an
//!   unclosed or unopened brace is refused (`INVALID_OPTION`), placeholder or not: "Hi {name"
//!   would send the brace to every row by mistake.
//!   Neither `message` nor `messageColumn`: the text is `""`, which the campaign's check reports
//!   as `MESSAGE_EMPTY`;
//! - a row with a problem (its number or text cell missing, a placeholder's cell empty, non-empty
//!   cells beyond the header) is left out of `to`, listed in `issues` with its line, and never
//!   gets a half-filled text. An empty number or text cell is the campaign check's to report
//!   (`RECIPIENT_EMPTY`, `MESSAGE_EMPTY`), with the recipient's index, whose line is `lines[i]`.

use serde::{Deserialize, Serialize};

use crate::code::stable_codes;
use crate::csv::{self, CsvLimit, Delimiter, Record, Table};
use crate::error::Error;

const BOM: &str = "\u{feff}";

/// Header names taken as the number column when `numberColumn` is not given, in no order: the
/// leftmost header that is one of them wins.
pub const NUMBER_HEADERS: [&str; 9] = [
    "to",
    "number",
    "numbers",
    "phone",
    "phone number",
    "mobile",
    "msisdn",
    "recipient",
    "recipients",
];

stable_codes! {
    /// Every code a `CsvIssue` can carry.
    CsvIssueCode {
        /// A quote opened on `line` is never closed: that record and everything after it is not read.
        UnterminatedQuote => "CSV_UNTERMINATED_QUOTE",
        /// The text has no record at all (only blank lines).
        NoRecords => "CSV_NO_RECORDS",
        /// `numberColumn`, `messageColumn` or a placeholder names a column the header lacks.
        UnknownColumn => "CSV_UNKNOWN_COLUMN",
        /// The row is shorter than the column it needs.
        MissingCell => "CSV_MISSING_CELL",
        /// A placeholder's cell is empty: the text would be half filled.
        EmptyValue => "CSV_EMPTY_VALUE",
        /// Non-empty cells beyond the header's columns: most often a text with an unquoted comma.
        ExtraCells => "CSV_EXTRA_CELLS",
    }
}

/// One problem of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvIssue {
    /// The CSV line (from 1) of the record concerned; the header's line for a column unknown.
    pub line: usize,
    /// The column's header name, when the problem is about one.
    pub column: Option<String>,
    pub code: CsvIssueCode,
    /// A sentence for people, naming the line and column.
    pub message: String,
}

/// `header`: `true`, `false` or `"auto"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderRule {
    #[default]
    First,
    None,
    Auto,
}

impl<'de> Deserialize<'de> for HeaderRule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = HeaderRule;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("true, false or \"auto\"")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<HeaderRule, E> {
                Ok(if v {
                    HeaderRule::First
                } else {
                    HeaderRule::None
                })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<HeaderRule, E> {
                match v {
                    "auto" => Ok(HeaderRule::Auto),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
                }
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// `readCsvCampaign`'s options (`CsvCampaignOptions` in types.d.ts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvCampaignOptions {
    #[serde(default)]
    pub number_column: Option<String>,
    #[serde(default)]
    pub message_column: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub delimiter: Option<String>,
    #[serde(default)]
    pub header: Option<HeaderRule>,
}

/// `message`: one text for all, or one per recipient of `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum CsvMessage {
    One(String),
    PerRecipient(Vec<String>),
}

/// `CsvCampaign` in types.d.ts: what `sendCampaign` and `planCampaign` take as `to` and
/// `message`, with each recipient's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvCampaign {
    pub delimiter: Delimiter,
    /// The header's cells, trimmed (or `"1"`, `"2"`, … without one).
    pub header: Vec<String>,
    pub to: Vec<String>,
    pub message: CsvMessage,
    /// `lines[i]`: the CSV line of recipient `i`.
    pub lines: Vec<usize>,
    pub issues: Vec<CsvIssue>,
    /// The rows left out for a problem, in line order: the results file keeps a row for each,
    /// so it has one row per input row (issue 14).
    pub left_out: Vec<LeftOut>,
}

/// A row the reader left out: its line, its number as written (when it has that cell), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub line: usize,
    pub to: Option<String>,
    /// The code of its first problem.
    pub code: CsvIssueCode,
    /// Its problems' sentences, without the line (the results file has a column for it).
    pub reason: String,
}

impl LeftOut {
    /// The row of `line` whose problems are `issues[from..]`.
    fn new(line: usize, to: Option<&str>, issues: &[CsvIssue]) -> Option<Self> {
        let first = issues.first()?;
        let prefix = format!("line {line}: ");
        let reason = issues
            .iter()
            .map(|i| i.message.strip_prefix(&prefix).unwrap_or(&i.message))
            .collect::<Vec<_>>()
            .join("; ");
        Some(LeftOut {
            line,
            to: to.map(str::to_string),
            code: first.code,
            reason,
        })
    }
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    /// A column's name, as written between the braces.
    Column(String),
}

fn invalid(field: &str, message: String) -> Error {
    Error::InvalidOption {
        field: field.to_string(),
        message,
    }
}

/// The pieces of a template; `Err` names the brace that does not pair.
fn template(message: &str) -> Result<Vec<Piece>, Error> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = message.char_indices().peekable();
    let unpaired = |at: usize, what: &str| {
        invalid(
            "message",
            format!("the template's {what} at character {} has no pair; write {{{{ or }}}} for a literal brace", at + 1),
        )
    };
    while let Some((at, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some((_, '}')) => break,
                        Some((_, '{')) | None => return Err(unpaired(at, "{")),
                        Some((_, c)) => name.push(c),
                    }
                }
                if name.trim().is_empty() {
                    return Err(unpaired(at, "{"));
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Column(name));
            }
            '}' => return Err(unpaired(at, "}")),
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// Header names match trimmed, ignoring ASCII case.
fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// What each row's text is made of.
enum Text {
    One(String),
    Column(usize),
    Template(Vec<(Piece, Option<usize>)>),
}

/// Reads `text` as a campaign's recipients and texts.
///
/// `Err` only for what is wrong with the options or the text as a whole: a limit of
/// `crate::csv` (`INVALID_INPUT` is not used: the text is one option, `INVALID_OPTION` field
/// `text`), a `delimiter` other than `,` or `;`, both `message` and `messageColumn`, or a template
/// whose braces do not pair. Everything about the table itself is a `CsvIssue`.
pub fn read(text: &str, options: &CsvCampaignOptions) -> Result<CsvCampaign, Error> {
    let delimiter = match options.delimiter.as_deref() {
        None => None,
        Some(d) => Some(
            Delimiter::parse(d)
                .ok_or_else(|| invalid("delimiter", "must be \",\" or \";\"".to_string()))?,
        ),
    };
    if options.message.is_some() && options.message_column.is_some() {
        return Err(invalid(
            "messageColumn",
            "give message (one text, or a template) or messageColumn, not both".to_string(),
        ));
    }
    // Any brace makes `message` a template, so a placeholder typed with one brace missing
    // ("Hi {name") is refused rather than sent to every row as written. Without a placeholder,
    // it is one text for all with `{{` and `}}` read as braces.
    let (pieces, one) = match options.message.as_deref() {
        Some(m) if m.contains(['{', '}']) => {
            let pieces = template(m)?;
            if pieces.iter().any(|p| matches!(p, Piece::Column(_))) {
                (Some(pieces), None)
            } else {
                let text = pieces
                    .into_iter()
                    .map(|p| match p {
                        Piece::Text(t) => t,
                        Piece::Column(_) => String::new(),
                    })
                    .collect();
                (None, Some(text))
            }
        }
        other => (None, other.map(str::to_string)),
    };
    let table =
        csv::read(text, delimiter).map_err(|limit: CsvLimit| invalid("text", limit.to_string()))?;
    Ok(campaign(&table, options, pieces, one))
}

fn campaign(
    table: &Table,
    options: &CsvCampaignOptions,
    pieces: Option<Vec<Piece>>,
    one: Option<String>,
) -> CsvCampaign {
    let mut issues = Vec::new();
    let records: Vec<Record<'_>> = table.records().collect();
    let has_header = match options.header.unwrap_or_default() {
        HeaderRule::First => true,
        HeaderRule::None => false,
        HeaderRule::Auto => records
            .first()
            .is_some_and(|r| r.fields().all(|f| !f.bytes().any(|b| b.is_ascii_digit()))),
    };
    let (header_line, header, rows): (usize, Vec<String>, &[Record<'_>]) = if has_header {
        match records.split_first() {
            Some((first, rest)) => (
                first.line,
                first.fields().map(|f| f.trim().to_string()).collect(),
                rest,
            ),
            None => (1, Vec::new(), &[]),
        }
    } else {
        let width = records.iter().map(Record::len).max().unwrap_or(0);
        (
            records.first().map_or(1, |r| r.line),
            (1..=width).map(|n| n.to_string()).collect(),
            records.as_slice(),
        )
    };
    if records.is_empty() {
        issues.push(CsvIssue {
            line: 1,
            column: None,
            code: CsvIssueCode::NoRecords,
            message: "the CSV text has no records: no header, no recipients".to_string(),
        });
    }
    let position = |name: &str| header.iter().position(|h| same_name(h, name));
    let unknown = |name: &str, what: &str, issues: &mut Vec<CsvIssue>| {
        issues.push(CsvIssue {
            line: header_line,
            column: Some(name.to_string()),
            code: CsvIssueCode::UnknownColumn,
            message: format!(
                "line {header_line}: the header has no column \"{name}\" ({what}); it has {}",
                if header.is_empty() {
                    "none".to_string()
                } else {
                    header
                        .iter()
                        .map(|h| format!("\"{h}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
        });
    };

    let number = match options.number_column.as_deref() {
        Some(name) => match position(name) {
            Some(n) => Some(n),
            None => {
                if !records.is_empty() {
                    unknown(name, "numberColumn", &mut issues);
                }
                None
            }
        },
        None => Some(
            header
                .iter()
                .position(|h| NUMBER_HEADERS.iter().any(|n| same_name(h, n)))
                .unwrap_or(0),
        ),
    };
    let text = match (&pieces, options.message_column.as_deref()) {
        (Some(pieces), _) => {
            let mut resolved = Vec::with_capacity(pieces.len());
            for piece in pieces {
                let at = match piece {
                    Piece::Column(name) => {
                        let at = position(name);
                        if at.is_none() && !records.is_empty() {
                            unknown(name.trim(), "a placeholder of message", &mut issues);
                        }
                        at
                    }
                    Piece::Text(_) => None,
                };
                resolved.push((piece.clone(), at));
            }
            let complete = resolved
                .iter()
                .all(|(p, at)| matches!(p, Piece::Text(_)) || at.is_some());
            complete.then_some(Text::Template(resolved))
        }
        (None, Some(name)) => match position(name) {
            Some(n) => Some(Text::Column(n)),
            None => {
                if !records.is_empty() {
                    unknown(name, "messageColumn", &mut issues);
                }
                None
            }
        },
        (None, None) => Some(Text::One(one.unwrap_or_default())),
    };

    let mut to = Vec::new();
    let mut lines = Vec::new();
    let mut texts = Vec::new();
    let mut left_out = Vec::new();
    // A column unknown leaves every row without a number or a text: none is read.
    if let (Some(number), Some(text)) = (number, &text) {
        for row in rows {
            let before = issues.len();
            if let Some(filled) = read_row(row, number, text, &header, has_header, &mut issues) {
                to.push(filled.0);
                lines.push(row.line);
                if let Some(t) = filled.1 {
                    texts.push(t);
                }
            } else {
                left_out.extend(LeftOut::new(row.line, row.get(number), issues.get(before..).unwrap_or_default()));
            }
        }
    }
    if let Some(line) = table.unterminated_quote {
        let before = issues.len();
        issues.push(CsvIssue {
            line,
            column: None,
            code: CsvIssueCode::UnterminatedQuote,
            message: format!(
                "line {line}: a quote opens here and is never closed, so this row and everything after it was not read; double a quote inside a quoted cell (\"\")"
            ),
        });
        left_out.extend(LeftOut::new(line, None, issues.get(before..).unwrap_or_default()));
    }
    issues.sort_by_key(|i| i.line);
    let message = match text {
        Some(Text::One(m)) => CsvMessage::One(m),
        Some(Text::Column(_) | Text::Template(_)) => CsvMessage::PerRecipient(texts),
        // A column unknown: nothing was read (an empty list matching the empty `to`).
        None => CsvMessage::PerRecipient(Vec::new()),
    };
    CsvCampaign {
        delimiter: table.delimiter,
        header,
        to,
        message,
        lines,
        issues,
        left_out,
    }
}

/// A row's number and (per-row) text, or `None` with its problems added to `issues`.
fn read_row(
    row: &Record<'_>,
    number: usize,
    text: &Text,
    header: &[String],
    has_header: bool,
    issues: &mut Vec<CsvIssue>,
) -> Option<(String, Option<String>)> {
    let line = row.line;
    let before = issues.len();
    let name = |n: usize| {
        header
            .get(n)
            .cloned()
            .unwrap_or_else(|| (n + 1).to_string())
    };
    let cell = |n: usize, issues: &mut Vec<CsvIssue>| {
        let value = row.get(n);
        if value.is_none() {
            let column = name(n);
            issues.push(CsvIssue {
                line,
                column: Some(column.clone()),
                code: CsvIssueCode::MissingCell,
                message: format!(
                    "line {line}: no cell for column \"{column}\" (the row has {} of {})",
                    row.len(),
                    header.len()
                ),
            });
        }
        value
    };
    // Cells past the header, or without one past the last column a per-row text reads: most
    // often a text with an unquoted delimiter, which would otherwise be cut there. Without a
    // header and with one text for all, extra cells are the caller's to mention (the page
    // suggests "one per recipient").
    let width = match (has_header, text) {
        (true, _) => Some(header.len()),
        (false, Text::One(_)) => None,
        (false, Text::Column(n)) => Some(number.max(*n) + 1),
        (false, Text::Template(pieces)) => Some(
            pieces
                .iter()
                .filter_map(|(_, at)| *at)
                .fold(number, usize::max)
                + 1,
        ),
    };
    if let Some(width) = width {
        let extra = (width..row.len())
            .filter(|n| row.get(*n).is_some_and(|c| !c.trim().is_empty()))
            .count();
        if extra > 0 {
            issues.push(CsvIssue {
                line,
                column: None,
                code: CsvIssueCode::ExtraCells,
                message: format!(
                    "line {line}: {} cells where {width} are read; quote a cell that holds the delimiter",
                    row.len()
                ),
            });
        }
    }
    let to = cell(number, issues);
    let own = match text {
        Text::One(_) => None,
        Text::Column(n) => cell(*n, issues).map(str::to_string),
        Text::Template(pieces) => {
            let mut out = String::new();
            let mut whole = true;
            for (piece, at) in pieces {
                match (piece, at) {
                    (Piece::Text(t), _) => out.push_str(t),
                    (Piece::Column(_), Some(n)) => match cell(*n, issues) {
                        Some(value) if !value.trim().is_empty() => out.push_str(value),
                        Some(_) => {
                            let column = name(*n);
                            issues.push(CsvIssue {
                                line,
                                column: Some(column.clone()),
                                code: CsvIssueCode::EmptyValue,
                                message: format!(
                                    "line {line}: \"{column}\" is empty, and the message needs it for {{{column}}}"
                                ),
                            });
                            whole = false;
                        }
                        None => whole = false,
                    },
                    (Piece::Column(_), None) => whole = false,
                }
            }
            whole.then_some(out)
        }
    };
    if issues.len() > before {
        return None;
    }
    let to = to?.to_string();
    match text {
        Text::One(_) => Some((to, None)),
        _ => Some((to, Some(own?))),
    }
}

/// One row of a campaign's ledger as `resultsCsv` reads it (`CampaignRecipient` in types.d.ts).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultRow {
    pub index: f64,
    pub to: String,
    #[serde(default)]
    pub normalized_to: Option<String>,
    pub state: String,
    #[serde(default)]
    pub message_id: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub duplicate_of: Option<f64>,
}

/// The part of a `CampaignResult` that `resultsCsv` reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResultRows {
    pub recipients: Vec<ResultRow>,
}

/// A row left out as `resultsCsv` reads it back (`LeftOut`, `CsvLeftOut` in types.d.ts).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResultLeftOut {
    pub line: f64,
    #[serde(default)]
    pub to: Option<String>,
    pub code: String,
    pub reason: String,
}

/// `resultsCsv`'s second argument: what `readCsvCampaign` gave (its other members unread).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultLines {
    pub lines: Vec<f64>,
    #[serde(default)]
    pub left_out: Vec<ResultLeftOut>,
}

/// The columns of `results_csv`.
pub const RESULTS_HEADER: [&str; 8] = [
    "line",
    "to",
    "normalizedTo",
    "state",
    "messageId",
    "requestId",
    "code",
    "reason",
];

/// What a state means, for people reading the export.
fn state_note(state: &str) -> Option<&'static str> {
    Some(match state {
        "sent" => "accepted by the service",
        "delivered" => "delivered, says the delivery report",
        "undelivered" => "not delivered, says the delivery report (billed all the same)",
        "expired" => "not delivered before its validity period ended",
        "failed" => "in the service's FailedList: not sent",
        "rejected" => "refused before sending",
        "unknown" => "may have been sent: check delivery reports before sending again",
        "skipped" => "not sent",
        _ => return None,
    })
}

/// The ledger as CSV (issue 14's `resultsCsv`): a UTF-8 byte order mark, then `RESULTS_HEADER`
/// and one row per ledger row and per row the reader left out, in line order, CRLF after each,
/// comma-separated and spreadsheet-safe (`csv::push_cell`). A ledger row's `line` is
/// `lines[index]` (empty when `lines` has no such entry); a row left out is `rejected` with its
/// reader's code and reason. The BOM is there because Excel reads a CSV without one in the
/// machine's legacy code page, garbling every non-ASCII number or code; other readers, this
/// crate's included, skip it.
///
/// `Err` names the row whose `state` is not a campaign state, whose `index` or `duplicateOf` is
/// not a whole number from 0 (`INVALID_OPTION`, field `ledger.recipients[i]…`), or the row left
/// out whose `line` is not a whole number from 1 or whose `code` is not a `CsvIssueCode`
/// (field `csv.leftOut[i]…`).
pub fn results_csv(rows: &[ResultRow], csv: &ResultLines) -> Result<String, Error> {
    let options = csv::WriteOptions {
        delimiter: Delimiter::Comma,
        spreadsheet_safe: true,
    };
    let whole = |n: f64| (n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n)).then_some(n as u64);
    let lines = &csv.lines;
    let line_of = |index: u64| {
        usize::try_from(index)
            .ok()
            .and_then(|i| lines.get(i))
            .copied()
            .and_then(whole)
    };
    let mut left_out = Vec::with_capacity(csv.left_out.len());
    for (n, row) in csv.left_out.iter().enumerate() {
        let field = |name: &str, what: &str| invalid(&format!("csv.leftOut[{n}].{name}"), what.to_string());
        let line = whole(row.line)
            .filter(|&l| l >= 1)
            .ok_or_else(|| field("line", "must be a line number from 1"))?;
        if !CsvIssueCode::ALL.iter().any(|c| c.as_str() == row.code) {
            return Err(field("code", "must be a CsvIssueCode"));
        }
        left_out.push((line, row));
    }
    // Both lists come in line order from readCsvCampaign; sorting (stable) keeps a list edited
    // by hand in order too.
    left_out.sort_by_key(|(line, _)| *line);
    let mut left_out = left_out.into_iter().peekable();
    let mut out = String::with_capacity(64 + (rows.len() + csv.left_out.len()) * 96);
    out.push_str(BOM);
    csv::push_record(&mut out, RESULTS_HEADER, options);
    let push_left_out = |out: &mut String, line: u64, row: &ResultLeftOut| {
        csv::push_record(
            out,
            [
                line.to_string().as_str(),
                row.to.as_deref().unwrap_or_default(),
                "",
                "rejected",
                "",
                "",
                row.code.as_str(),
                row.reason.as_str(),
            ],
            options,
        );
    };
    for (n, row) in rows.iter().enumerate() {
        let field = |name: &str| invalid(&format!("ledger.recipients[{n}].{name}"), "must be as sendCampaign gave it".to_string());
        let note = state_note(&row.state).ok_or_else(|| field("state"))?;
        let index = whole(row.index).ok_or_else(|| field("index"))?;
        let repeat = match row.duplicate_of {
            Some(of) => Some(whole(of).ok_or_else(|| field("duplicateOf"))?),
            None => None,
        };
        let reason = match repeat {
            Some(of) => match line_of(of) {
                Some(line) => format!("{note}: the same number as line {line}"),
                None => format!("{note}: the same number as recipient {of}"),
            },
            None => note.to_string(),
        };
        let line = line_of(index);
        if let Some(line) = line {
            while let Some((at, left)) = left_out.next_if(|(l, _)| *l < line) {
                push_left_out(&mut out, at, left);
            }
        }
        let line = line.map(|l| l.to_string()).unwrap_or_default();
        csv::push_record(
            &mut out,
            [
                line.as_str(),
                row.to.as_str(),
                row.normalized_to.as_deref().unwrap_or_default(),
                row.state.as_str(),
                row.message_id.as_deref().unwrap_or_default(),
                row.request_id.as_deref().unwrap_or_default(),
                row.code.as_deref().unwrap_or_default(),
                reason.as_str(),
            ],
            options,
        );
    }
    for (line, left) in left_out {
        push_left_out(&mut out, line, left);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> CsvCampaignOptions {
        CsvCampaignOptions::default()
    }

    fn codes(c: &CsvCampaign) -> Vec<(usize, &str, Option<&str>)> {
        c.issues
            .iter()
            .map(|i| (i.line, i.code.as_str(), i.column.as_deref()))
            .collect()
    }

    #[test]
    fn number_column_by_default_list_and_one_text() {
        let c = read(
            "name;Phone\nAnn;+852 9123 4567\n\nBob;+65 9123 4567\n",
            &CsvCampaignOptions {
                message: Some("Hi".into()),
                ..options()
            },
        )
        .unwrap();
        assert_eq!(c.delimiter, Delimiter::Semicolon);
        assert_eq!(c.header, ["name", "Phone"]);
        assert_eq!(c.to, ["+852 9123 4567", "+65 9123 4567"]);
        assert_eq!(c.lines, [2, 4]);
        assert_eq!(c.message, CsvMessage::One("Hi".into()));
        assert!(c.issues.is_empty());
    }

    #[test]
    fn template_fills_each_row_and_refuses_half_filled_texts() {
        let text = "to,name,time\n+85291234567,Ann,8pm\n+6591234567,,9pm\n+6591234568,Cy\n";
        let c = read(
            text,
            &CsvCampaignOptions {
                message: Some("Hi {Name}, {{table}} at {time}".into()),
                ..options()
            },
        )
        .unwrap();
        assert_eq!(c.to, ["+85291234567"]);
        assert_eq!(
            c.message,
            CsvMessage::PerRecipient(vec!["Hi Ann, {table} at 8pm".into()])
        );
        assert_eq!(
            codes(&c),
            [
                (3, "CSV_EMPTY_VALUE", Some("name")),
                (4, "CSV_MISSING_CELL", Some("time"))
            ]
        );
    }

    #[test]
    fn unknown_columns_and_bad_templates() {
        let c = read(
            "to,name\n+85291234567,Ann\n",
            &CsvCampaignOptions {
                message: Some("Hi {first}".into()),
                ..options()
            },
        )
        .unwrap();
        assert_eq!(codes(&c), [(1, "CSV_UNKNOWN_COLUMN", Some("first"))]);
        assert!(c.to.is_empty());
        for bad in ["Hi {name} {oops", "Hi {name}}", "Hi {name} }", "{}{name}", "Hi {name", "Hi name}", "{"] {
            let e = read(
                "to\n1",
                &CsvCampaignOptions {
                    message: Some(bad.into()),
                    ..options()
                },
            );
            assert!(
                matches!(e, Err(Error::InvalidOption { ref field, .. }) if field == "message"),
                "{bad}"
            );
        }
        // Doubled braces without a placeholder: one text for all, the braces as written once.
        let literal = read("to\n1", &CsvCampaignOptions { message: Some("Code {{A}} {{".into()), ..options() }).unwrap();
        assert_eq!(literal.message, CsvMessage::One("Code {A} {".into()));
        // Single braces but no placeholder: refused too (they were sent as written before).
        let c = read("to\n1", &CsvCampaignOptions { message: Some("a {} b }".into()), ..options() });
        assert!(matches!(c, Err(Error::InvalidOption { ref field, .. }) if field == "message"));
    }

    #[test]
    fn message_column_extra_cells_and_unterminated_quote() {
        let c = read(
            "number,message\r\n+852 1,\"Hello, Ann\"\r\n+852 2,Hello, Bob\r\n+852 3,\"open\r\n",
            &CsvCampaignOptions {
                message_column: Some("MESSAGE".into()),
                ..options()
            },
        )
        .unwrap();
        assert_eq!(c.to, ["+852 1"]);
        assert_eq!(
            c.message,
            CsvMessage::PerRecipient(vec!["Hello, Ann".into()])
        );
        assert_eq!(
            codes(&c),
            [
                (3, "CSV_EXTRA_CELLS", None),
                (4, "CSV_UNTERMINATED_QUOTE", None)
            ]
        );
    }

    #[test]
    fn headers_auto_and_none() {
        let auto = CsvCampaignOptions {
            header: Some(HeaderRule::Auto),
            message_column: Some("2".into()),
            ..options()
        };
        let c = read("+852 9123 4567,Hi\n+65 9123 4567,Yo\n+65 9123 4568,Hi, Al", &auto).unwrap();
        assert_eq!(c.header, ["1", "2", "3"]);
        assert_eq!(c.lines, [1, 2]);
        assert_eq!(codes(&c), [(3, "CSV_EXTRA_CELLS", None)]);
        // One text for all: a second column is not read, and not a problem.
        let one = CsvCampaignOptions { message_column: None, message: Some("x".into()), ..auto.clone() };
        assert_eq!(read("+852 9123 4567,Hi, Al", &one).unwrap().issues, []);
        let c = read(
            "Number,Text\n+852 9123 4567,Hi",
            &CsvCampaignOptions {
                message_column: Some("text".into()),
                ..auto
            },
        )
        .unwrap();
        assert_eq!(c.header, ["Number", "Text"]);
        assert_eq!(c.to, ["+852 9123 4567"]);
        let c = read("\n\n", &options()).unwrap();
        assert_eq!(codes(&c), [(1, "CSV_NO_RECORDS", None)]);
    }

    fn row(index: f64, to: &str, state: &str) -> ResultRow {
        ResultRow {
            index,
            to: to.into(),
            normalized_to: None,
            state: state.into(),
            message_id: None,
            request_id: None,
            code: None,
            duplicate_of: None,
        }
    }

    #[test]
    fn results_as_csv() {
        let mut sent = row(0.0, "+852 9123 4567", "sent");
        sent.normalized_to = Some("85291234567".into());
        sent.message_id = Some("m1".into());
        sent.request_id = Some("R1".into());
        let mut repeat = row(1.0, "=HYPERLINK(\"x\")", "rejected");
        repeat.code = Some("RECIPIENT_DUPLICATE".into());
        repeat.duplicate_of = Some(0.0);
        let lines = |lines: &[f64]| ResultLines { lines: lines.to_vec(), left_out: Vec::new() };
        let out = results_csv(&[sent, repeat], &lines(&[2.0, 5.0])).unwrap();
        assert_eq!(
            out,
            "\u{feff}line,to,normalizedTo,state,messageId,requestId,code,reason\r\n\
             2,+852 9123 4567,85291234567,sent,m1,R1,,accepted by the service\r\n\
             5,\"'=HYPERLINK(\"\"x\"\")\",,rejected,,,RECIPIENT_DUPLICATE,refused before sending: the same number as line 2\r\n"
        );
        // Read back by the reader: the same cells.
        let table = csv::read(&out, None).unwrap();
        assert_eq!(table.get(2).unwrap().get(1), Some("'=HYPERLINK(\"x\")"));
        assert!(matches!(
            results_csv(&[row(0.5, "1", "sent")], &lines(&[])),
            Err(Error::InvalidOption { ref field, .. }) if field == "ledger.recipients[0].index"
        ));
        assert!(results_csv(&[row(0.0, "1", "gone")], &lines(&[])).is_err());
    }

    /// Issue 14: one row per input row. The rows the reader left out come back in line order
    /// between the ledger's, `rejected` with the reader's code and reason, and the number as
    /// written when the row had one.
    #[test]
    fn results_keep_the_rows_left_out() {
        let text = "phone,name\n+85291234567,Ann\n,Bob\n+6591234567\n+6591234568,Di,x\n+6591234569,Ed\n\"+1";
        let c = read(text, &CsvCampaignOptions { message: Some("Hi {name}".into()), ..options() }).unwrap();
        assert_eq!(c.lines, [2, 3, 6]);
        let left: Vec<_> = c.left_out.iter().map(|l| (l.line, l.to.as_deref(), l.code.as_str())).collect();
        assert_eq!(
            left,
            [
                (4, Some("+6591234567"), "CSV_MISSING_CELL"),
                (5, Some("+6591234568"), "CSV_EXTRA_CELLS"),
                (7, None, "CSV_UNTERMINATED_QUOTE"),
            ]
        );
        assert!(!c.left_out[0].reason.starts_with("line "), "the line is a column of its own");
        let rows: Vec<ResultRow> = (0..3).map(|i| row(f64::from(i), &c.to[i as usize], "sent")).collect();
        let back = ResultLines {
            lines: c.lines.iter().map(|&l| l as f64).collect(),
            left_out: c
                .left_out
                .iter()
                .map(|l| ResultLeftOut {
                    line: l.line as f64,
                    to: l.to.clone(),
                    code: l.code.as_str().to_string(),
                    reason: l.reason.clone(),
                })
                .collect(),
        };
        let out = results_csv(&rows, &back).unwrap();
        let table = csv::read(&out, None).unwrap();
        let got: Vec<(String, String, String)> = table
            .records()
            .skip(1)
            .map(|r| {
                let cell = |n| r.get(n).unwrap_or_default().to_string();
                (cell(0), cell(3), cell(6))
            })
            .collect();
        let want = [
            ("2", "sent", ""),
            ("3", "sent", ""),
            ("4", "rejected", "CSV_MISSING_CELL"),
            ("5", "rejected", "CSV_EXTRA_CELLS"),
            ("6", "sent", ""),
            ("7", "rejected", "CSV_UNTERMINATED_QUOTE"),
        ];
        assert_eq!(got, want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())));
        let mut bad = back.clone();
        bad.left_out[1].code = "NOPE".into();
        assert!(matches!(
            results_csv(&rows, &bad),
            Err(Error::InvalidOption { ref field, .. }) if field == "csv.leftOut[1].code"
        ));
        bad.left_out[1].code = "CSV_EXTRA_CELLS".into();
        bad.left_out[1].line = 0.0;
        assert!(matches!(
            results_csv(&rows, &bad),
            Err(Error::InvalidOption { ref field, .. }) if field == "csv.leftOut[1].line"
        ));
    }

    #[test]
    fn option_errors() {
        let both = CsvCampaignOptions {
            message: Some("a".into()),
            message_column: Some("b".into()),
            ..options()
        };
        assert!(read("to\n1", &both).is_err());
        let tab = CsvCampaignOptions {
            delimiter: Some("\t".into()),
            ..options()
        };
        assert!(
            matches!(read("to\n1", &tab), Err(Error::InvalidOption { ref field, .. }) if field == "delimiter")
        );
    }
}
