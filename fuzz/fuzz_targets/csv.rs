//! The CSV reader and writer (`src/csv.rs`) and a table read as a campaign
//! (`src/csv_campaign.rs`), on any text.
//!
//! The first byte picks the delimiter (detected, `,` or `;`) and the campaign's options; the rest
//! is read as text (lossy UTF-8). Checked beyond "no panic":
//! - without an open quote, the records are the `csv` crate's, blank ones left out (the crate
//!   gets the text without its BOM, which it keeps); with one, ours are the crate's first ones
//!   and the crate has at most one more;
//! - lines rise strictly, start at 1 or later, and no record is blank;
//! - what was read, written back (plain and spreadsheet-safe), reads back the same (with `'`
//!   before each defused cell);
//! - `csv_campaign::read` gives one line per recipient, rising, each a record's line; texts per
//!   recipient when they are per row; never a placeholder left in a filled text.

#![no_main]

use aliyun_globe_sms::csv::{self, Delimiter, WriteOptions};
use aliyun_globe_sms::csv_campaign::{self, CsvCampaignOptions, CsvMessage, HeaderRule};
use libfuzzer_sys::fuzz_target;

/// The `csv` crate's records (no header, any length), blank ones left out.
fn oracle(text: &str, delimiter: Delimiter) -> Vec<Vec<String>> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.byte())
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.expect("UTF-8 text").iter().map(str::to_string).collect::<Vec<_>>())
        .filter(|r| r.iter().any(|f| !f.trim().is_empty()))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let delimiter = match mode % 3 {
        0 => None,
        1 => Some(Delimiter::Comma),
        _ => Some(Delimiter::Semicolon),
    };
    let Ok(table) = csv::read(&text, delimiter) else {
        // Only a limit refuses a text: a record of more than MAX_FIELDS fields, here.
        return;
    };
    let rows: Vec<(usize, Vec<String>)> = table
        .records()
        .map(|r| (r.line, r.fields().map(str::to_string).collect()))
        .collect();
    let mut last = 0;
    for (line, fields) in &rows {
        assert!(*line > last, "lines rise: {rows:?}");
        last = *line;
        assert!(fields.iter().any(|f| !f.trim().is_empty()), "no blank record");
    }
    let cells: Vec<Vec<String>> = rows.iter().map(|(_, f)| f.clone()).collect();
    let bare = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let theirs = oracle(bare, table.delimiter);
    match table.unterminated_quote {
        None => assert_eq!(cells, theirs, "{text:?}"),
        Some(line) => {
            assert!(theirs.len() == cells.len() || theirs.len() == cells.len() + 1, "{text:?}");
            assert_eq!(&theirs[..cells.len()], &cells[..], "{text:?}");
            assert!(line >= last, "{text:?}");
        }
    }
    for safe in [false, true] {
        let options = WriteOptions {
            delimiter: table.delimiter,
            spreadsheet_safe: safe,
        };
        let mut written = String::new();
        for row in &cells {
            csv::push_record(&mut written, row.iter().map(String::as_str), options);
        }
        let back = csv::read(&written, Some(table.delimiter)).expect("within the limits");
        assert_eq!(back.unterminated_quote, None);
        let expected: Vec<Vec<String>> = cells
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| if safe && csv::needs_defusing(c) { format!("'{c}") } else { c.clone() })
                    .collect()
            })
            .collect();
        let read: Vec<Vec<String>> = back.records().map(|r| r.fields().map(str::to_string).collect()).collect();
        assert_eq!(read, expected, "{written:?}");
    }

    // The same text as a campaign, with options picked by the mode byte.
    let options = CsvCampaignOptions {
        number_column: (mode & 0x08 != 0).then(|| cells.first().and_then(|r| r.first()).cloned().unwrap_or_default()),
        message_column: (mode & 0x30 == 0x10).then(|| "2".to_string()),
        message: (mode & 0x30 == 0x20).then(|| "Hi {1}, {{x}} {2}".to_string()),
        delimiter: delimiter.map(|d| d.as_str().to_string()),
        header: Some(match mode >> 6 {
            0 => HeaderRule::First,
            1 => HeaderRule::None,
            _ => HeaderRule::Auto,
        }),
    };
    let Ok(campaign) = csv_campaign::read(&text, &options) else {
        return;
    };
    assert_eq!(campaign.to.len(), campaign.lines.len());
    assert!(campaign.lines.windows(2).all(|w| w[0] < w[1]));
    assert!(campaign.lines.iter().all(|l| rows.iter().any(|(line, _)| line == l)));
    match &campaign.message {
        CsvMessage::PerRecipient(texts) => {
            assert_eq!(texts.len(), campaign.to.len());
            if options.message.is_some() {
                assert!(texts.iter().all(|t| t.starts_with("Hi ") && t.contains(", {x} ")));
            }
        }
        CsvMessage::One(_) => assert!(options.message_column.is_none()),
    }
});
