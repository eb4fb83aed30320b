//! The TypeScript unions in src/wasm/types.d.ts list exactly the codes the core can produce:
//! one source for codes, checked natively.

use std::collections::BTreeSet;

use aliyun_globe_sms::batch::ISSUE_CODES;
use aliyun_globe_sms::Error;

fn union(source: &str, name: &str) -> BTreeSet<String> {
    let start = source
        .find(&format!("export type {name} ="))
        .unwrap_or_else(|| panic!("no {name}"));
    let rest = &source[start..];
    let end = rest.find(';').unwrap();
    rest[..end]
        .split('|')
        .skip(1)
        .map(|part| part.trim().trim_matches('"').to_string())
        .collect()
}

#[test]
fn sms_error_codes_match_the_core() {
    let ts = include_str!("../src/wasm/types.d.ts");
    let core: BTreeSet<String> = Error::ALL_CODES.iter().map(|c| c.to_string()).collect();
    assert_eq!(union(ts, "SmsErrorCode"), core);
}

#[test]
fn issue_codes_match_the_core() {
    let ts = include_str!("../src/wasm/types.d.ts");
    let core: BTreeSet<String> = ISSUE_CODES.iter().map(|c| c.to_string()).collect();
    assert_eq!(union(ts, "IssueCode"), core);
}
