//! `csv::read` (src/csv.rs) against the `csv` crate, a dev-dependency only (Cargo.toml), over
//! generated tables and hostile text, as tests/json_text_differential.rs does for the JSON reader.
//!
//! - Tables of cells holding delimiters, quotes, CR, LF, spaces, non-ASCII and a BOM character,
//!   written with `,` or `;`, quoted when needed or always, rows ended by CRLF, LF or a lone CR,
//!   with blank and `,,,` lines between them and a BOM in front or not: both readers give back
//!   exactly the table, and ours gives each record's line (counted independently here).
//! - Any text over a small alphabet of the characters that matter: ours agrees with the crate
//!   (records and, where the crate can count them, lines), except where documented in src/csv.rs:
//!   blank records are skipped, and a quote never closed is reported instead of swallowing the
//!   rest (ours keeps the records before it, which must be the crate's first ones).
//! - Round trip: what our writer writes, ours reads back; spreadsheet-safe cells come back with
//!   their `'` and nothing else changed.

use std::cell::Cell;

use aliyun_globe_sms::csv::{self, Delimiter, WriteOptions};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

type Rows = Vec<Vec<String>>;

fn blank(record: &[String]) -> bool {
    record.iter().all(|f| f.trim().is_empty())
}

/// The crate's reading: no header, rows of any length, our delimiter; blank records dropped
/// (our documented rule), with the line each starts on.
fn oracle(text: &str, delimiter: Delimiter) -> Vec<(u64, Vec<String>)> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.byte())
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.expect("the crate reads any UTF-8 text");
        let line = record.position().map_or(0, |p| p.line());
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        if !blank(&fields) {
            out.push((line, fields));
        }
    }
    out
}

fn ours(text: &str, delimiter: Option<Delimiter>) -> (csv::Table, Vec<(u64, Vec<String>)>) {
    let table = csv::read(text, delimiter).expect("within the limits");
    let rows = table
        .records()
        .map(|r| (r.line as u64, r.fields().map(str::to_string).collect()))
        .collect();
    (table, rows)
}

/// Lines before byte `at`: CRLF, LF and a lone CR each end one.
fn line_at(text: &str, at: usize) -> u64 {
    let bytes = text.as_bytes();
    let mut lines = 1;
    for i in 0..at {
        match bytes[i] {
            b'\n' => lines += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => lines += 1,
            _ => {}
        }
    }
    lines
}

/// Whether the crate's line numbers can be compared with ours: it reports a record's position
/// before the end of the line that precedes it (the LF of a CRLF, skipped empty lines), so only
/// LF-ended texts without empty lines are compared.
fn lines_comparable(text: &str) -> bool {
    !text.contains('\r') && !text.starts_with('\n') && !text.contains("\n\n")
}

fn cell() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(","),
        Just(";"),
        Just("\""),
        Just("\r"),
        Just("\n"),
        Just("\r\n"),
        Just(" "),
        Just("a"),
        Just("Zz9"),
        Just("+852 9123 4567"),
        Just("="),
        Just("é"),
        Just("安"),
        Just("\u{feff}"),
        Just("'"),
    ];
    prop::collection::vec(piece, 0..6).prop_map(|p| p.concat())
}

fn table() -> impl Strategy<Value = Rows> {
    prop::collection::vec(prop::collection::vec(cell(), 1..5), 0..8)
        .prop_map(|rows| rows.into_iter().filter(|r| !blank(r)).collect())
}

#[derive(Debug, Clone)]
struct Layout {
    semicolon: bool,
    quote_all: bool,
    /// 0: CRLF, 1: LF, 2: lone CR.
    ending: u8,
    bom: bool,
    /// Before each row: 0 nothing, 1 an empty line, 2 a line of delimiters.
    gaps: Vec<u8>,
    final_ending: bool,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        any::<bool>(),
        any::<bool>(),
        0u8..3,
        any::<bool>(),
        prop::collection::vec(0u8..3, 8),
        any::<bool>(),
    )
        .prop_map(|(semicolon, quote_all, ending, bom, gaps, final_ending)| Layout {
            semicolon,
            quote_all,
            ending,
            bom,
            gaps,
            final_ending,
        })
}

/// Whether `write` quotes `cell` of `row`.
fn quoted(cell: &str, row: &[String], d: char, layout: &Layout) -> bool {
    layout.quote_all
        || cell.contains([d, '"', '\r', '\n'])
        // A BOM character would be taken for the text's BOM at its start.
        || cell.starts_with('\u{feff}')
        // A one-cell row that is empty would read as a blank line.
        || (row.len() == 1 && cell.is_empty())
}

/// Writes `rows` as `layout` says; returns the text and where each row starts.
fn write(rows: &Rows, layout: &Layout) -> (String, Vec<usize>) {
    let d = if layout.semicolon { ';' } else { ',' };
    let end = ["\r\n", "\n", "\r"][layout.ending as usize];
    let mut out = String::new();
    if layout.bom {
        out.push('\u{feff}');
    }
    let mut starts = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        match layout.gaps.get(n).copied().unwrap_or(0) {
            1 => out.push_str(end),
            2 => {
                out.push(d);
                out.push(d);
                out.push_str(end);
            }
            _ => {}
        }
        starts.push(out.len());
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(d);
            }
            if quoted(cell, row, d, layout) {
                out.push('"');
                out.push_str(&cell.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(cell);
            }
        }
        if n + 1 < rows.len() || layout.final_ending {
            out.push_str(end);
        }
    }
    (out, starts)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn generated_tables_read_as_written_by_both_readers() {
    let compared_lines = Cell::new(0u32);
    runner(3000)
        .run(&(table(), layout()), |(rows, layout)| {
            let (text, starts) = write(&rows, &layout);
            let delimiter = if layout.semicolon { Delimiter::Semicolon } else { Delimiter::Comma };
            let (table, read) = ours(&text, Some(delimiter));
            prop_assert_eq!(table.unterminated_quote, None);
            let cells: Rows = read.iter().map(|(_, f)| f.clone()).collect();
            prop_assert_eq!(&cells, &rows, "ours on {:?}", text);
            let offset = if layout.bom { 3 } else { 0 };
            let lines: Vec<u64> = read.iter().map(|(l, _)| *l).collect();
            let expected: Vec<u64> = starts.iter().map(|s| line_at(&text[offset..], s - offset)).collect();
            prop_assert_eq!(&lines, &expected, "lines of {:?}", text);
            // The crate keeps a BOM (it reads bytes): give it the text without.
            let theirs = oracle(&text[offset..], delimiter);
            let their_cells: Rows = theirs.iter().map(|(_, f)| f.clone()).collect();
            prop_assert_eq!(&their_cells, &rows, "the crate on {:?}", text);
            if lines_comparable(&text[offset..]) {
                let their_lines: Vec<u64> = theirs.iter().map(|(l, _)| *l).collect();
                prop_assert_eq!(&their_lines, &expected, "the crate's lines of {:?}", text);
                compared_lines.set(compared_lines.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    println!("generated tables: line numbers compared with the crate's on {}", compared_lines.get());
}

#[test]
fn any_text_reads_as_the_crate_reads_it() {
    let text = prop::collection::vec(
        prop_oneof![
            Just('a'),
            Just('"'),
            Just(','),
            Just(';'),
            Just('\r'),
            Just('\n'),
            Just(' '),
            Just('é')
        ],
        0..40,
    )
    .prop_map(|c| c.into_iter().collect::<String>());
    let (agreed, unterminated) = (Cell::new(0u32), Cell::new(0u32));
    runner(8_000)
        .run(&(text, any::<bool>()), |(text, semicolon)| {
            let delimiter = if semicolon { Delimiter::Semicolon } else { Delimiter::Comma };
            let (table, read) = ours(&text, Some(delimiter));
            let theirs = oracle(&text, delimiter);
            let cells = |rows: &[(u64, Vec<String>)]| rows.iter().map(|(_, f)| f.clone()).collect::<Rows>();
            match table.unterminated_quote {
                None => {
                    prop_assert_eq!(cells(&read), cells(&theirs), "{:?}", text);
                    if lines_comparable(&text) {
                        prop_assert_eq!(read, theirs, "lines of {:?}", text);
                    }
                    agreed.set(agreed.get() + 1);
                }
                Some(line) => {
                    // Ours keeps what came before the quote: the crate's first records, and at
                    // most one more there (the one the quote swallowed).
                    let (mine, all) = (cells(&read), cells(&theirs));
                    prop_assert!(all.len() == mine.len() || all.len() == mine.len() + 1, "{:?}", text);
                    prop_assert_eq!(&all[..mine.len()], &mine[..], "{:?}", text);
                    prop_assert!(line as u64 >= read.last().map_or(1, |r| r.0), "{:?}", text);
                    unterminated.set(unterminated.get() + 1);
                }
            }
            Ok(())
        })
        .unwrap();
    let (agreed, unterminated) = (agreed.get(), unterminated.get());
    println!("any text: {agreed} agreed with the crate, {unterminated} with an open quote");
    assert!(agreed > 1000 && unterminated > 1000);
}

#[test]
fn the_delimiter_is_detected_from_the_first_record() {
    runner(2000)
        .run(&(table(), layout()), |(rows, layout)| {
            let (text, _) = write(&rows, &layout);
            let (table, read) = ours(&text, None);
            let delimiter = if layout.semicolon { Delimiter::Semicolon } else { Delimiter::Comma };
            // Counted here independently: the delimiters between the first row's cells, and
            // the other delimiter inside its cells written without quotes.
            let d = if layout.semicolon { ';' } else { ',' };
            let other = if layout.semicolon { ',' } else { ';' };
            // A first row of nothing but delimiters and spaces is blank to the detector, which
            // reads both: not counted here.
            let counted = rows.first().is_some_and(|r| {
                r.iter().any(|c| !c.replace([',', ';'], "").trim().is_empty())
            });
            if !counted {
                return Ok(());
            }
            let (between, others) = rows.first().map_or((0, 0), |r| {
                let inside = r
                    .iter()
                    .filter(|c| !quoted(c, r, d, &layout))
                    .map(|c| c.matches(other).count())
                    .sum::<usize>();
                (r.len() - 1, inside)
            });
            let expected = if between > others {
                delimiter
            } else if others > between {
                if layout.semicolon { Delimiter::Comma } else { Delimiter::Semicolon }
            } else {
                Delimiter::Comma
            };
            prop_assert_eq!(table.delimiter, expected, "{:?}", text);
            if expected == delimiter {
                let cells: Rows = read.into_iter().map(|(_, f)| f).collect();
                prop_assert_eq!(cells, rows);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn what_the_writer_writes_reads_back() {
    runner(3000)
        .run(&(table(), any::<bool>(), any::<bool>()), |(rows, semicolon, safe)| {
            let delimiter = if semicolon { Delimiter::Semicolon } else { Delimiter::Comma };
            let options = WriteOptions {
                delimiter,
                spreadsheet_safe: safe,
            };
            let mut text = String::new();
            for row in &rows {
                csv::push_record(&mut text, row.iter().map(String::as_str), options);
            }
            let (table, read) = ours(&text, Some(delimiter));
            prop_assert_eq!(table.unterminated_quote, None);
            let expected: Rows = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| if safe && csv::needs_defusing(c) { format!("'{c}") } else { c.clone() })
                        .collect()
                })
                .collect();
            let cells: Rows = read.into_iter().map(|(_, f)| f).collect();
            prop_assert_eq!(&cells, &expected, "{:?}", text);
            // And the crate reads it the same.
            let theirs: Rows = oracle(&text, delimiter).into_iter().map(|(_, f)| f).collect();
            prop_assert_eq!(&theirs, &expected, "{:?}", text);
            // A defused cell never starts with a formula character.
            for cell in cells.iter().flatten() {
                prop_assert!(!safe || !csv::needs_defusing(cell), "{:?}", cell);
            }
            Ok(())
        })
        .unwrap();
}
