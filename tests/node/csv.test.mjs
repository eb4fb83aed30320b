// readCsvCampaign, planCampaign and resultsCsv on the packed package (issue 14): a spreadsheet's
// export read into a campaign, planned without sending, sent to the sandbox, and the ledger
// written back as CSV and read again by the same reader; hostile inputs give SmsErrors.

import assert from "node:assert/strict";
import * as hooks from "node:test";
import { describe, test } from "node:test";
import { planCampaign, readCsvCampaign, resultsCsv, sendCampaign } from "aliyun-globe-sms";
import { DEFAULT_KEY, assertSmsError, useSandbox } from "./harness.mjs";

const holder = useSandbox(hooks);

/** What Excel writes for "CSV UTF-8" in a locale with a decimal comma: BOM, `;`, CRLF. */
const EXPORT = [
  "\uFEFFName;Mobile;Table",
  "Ann;+852 9123 4567;\"7; by the window\"",
  ";;",
  "Bob;+65 9123 4567;",
  "\"Chen\r\nWei\";+852 9123 4567;9",
  "Dee;+86 138 0013 8000;3",
  "",
].join("\r\n");

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("did not throw");
}

describe("readCsvCampaign", () => {
  test("a spreadsheet export: BOM, ';', quoted cells with ';' and line breaks, blank rows, a template", () => {
    const table = readCsvCampaign(EXPORT, { message: "Hi {name}, your table is {TABLE}" });
    assert.equal(table.delimiter, ";");
    assert.deepEqual(table.header, ["Name", "Mobile", "Table"]);
    // Bob's table is empty: his row is left out with its line, never half filled.
    assert.deepEqual(table.to, ["+852 9123 4567", "+852 9123 4567", "+86 138 0013 8000"]);
    assert.deepEqual(table.lines, [2, 5, 7]);
    assert.deepEqual(table.message, [
      "Hi Ann, your table is 7; by the window",
      "Hi Chen\r\nWei, your table is 9",
      "Hi Dee, your table is 3",
    ]);
    assert.deepEqual(table.issues, [
      { line: 4, column: "Table", code: "CSV_EMPTY_VALUE", message: table.issues[0].message },
    ]);
    assert.match(table.issues[0].message, /line 4/);
  });

  test("one text stays a string; messageColumn; header 'auto' on bare numbers; unknown columns", () => {
    const one = readCsvCampaign("phone\n+852 9123 4567\n", { message: "Sale today" });
    assert.equal(one.message, "Sale today");
    const column = readCsvCampaign('to,text\n+852 9123 4567,"Hi, Ann"\n', { messageColumn: "Text" });
    assert.deepEqual(column.message, ["Hi, Ann"]);
    const bare = readCsvCampaign("+852 9123 4567\n+65 9123 4567", { header: "auto" });
    assert.deepEqual([bare.header, bare.to, bare.lines], [["1"], ["+852 9123 4567", "+65 9123 4567"], [1, 2]]);
    const unknown = readCsvCampaign("to,name\n1,2\n", { numberColumn: "phone" });
    assert.deepEqual(unknown.issues.map((i) => [i.line, i.code, i.column]), [[1, "CSV_UNKNOWN_COLUMN", "phone"]]);
    assert.deepEqual(unknown.to, []);
    const open = readCsvCampaign('to\n1\n"2\n3\n');
    assert.deepEqual([open.to, open.issues.map((i) => [i.line, i.code])], [["1"], [[3, "CSV_UNTERMINATED_QUOTE"]]]);
  });

  test("hostile inputs are SmsErrors naming the option, never a trap", () => {
    for (const [value, field] of [
      [undefined, "text"],
      [42, "text"],
      [{ toString: () => "to\n1" }, "text"],
      ["to\n\uD800", "text"],
      [`to\n${",".repeat(5000)}x`, "text"],
    ]) {
      assertSmsError(thrown(() => readCsvCampaign(value)), { code: "INVALID_OPTION", field });
    }
    assertSmsError(thrown(() => readCsvCampaign("to", { delimiter: "\t" })), { code: "INVALID_OPTION", field: "delimiter" });
    assertSmsError(thrown(() => readCsvCampaign("to", { message: "Hi {name" + "} {x" })), { code: "INVALID_OPTION", field: "message" });
    assertSmsError(thrown(() => readCsvCampaign("to", { message: "a", messageColumn: "b" })), { code: "INVALID_OPTION", field: "messageColumn" });
    assertSmsError(thrown(() => readCsvCampaign("to", { header: "yes" })), { code: "INVALID_OPTION", field: "header" });
    assertSmsError(thrown(() => readCsvCampaign("to", 7)), { code: "INVALID_OPTION" });
    // Still usable after every refusal.
    assert.deepEqual(readCsvCampaign("to\n1").to, ["1"]);
  });

  test("a large export: 100,000 rows read in one call", () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `+852 6${String(i).padStart(7, "0")},Row ${i}`);
    const table = readCsvCampaign(`number,message\r\n${rows.join("\r\n")}\r\n`, { messageColumn: "message" });
    assert.equal(table.to.length, 100_000);
    assert.equal(table.lines.at(-1), 100_001);
    assert.equal(table.message[99_999], "Row 99999");
  });
});

describe("planCampaign", () => {
  test("counts what sendCampaign will do, without credentials or network", () => {
    const table = readCsvCampaign(EXPORT, { message: "Hi {name}, your table is {TABLE}" });
    const plan = planCampaign({ to: table.to, message: table.message, qps: 2 });
    assert.deepEqual(
      { ...plan, issues: plan.issues.map((i) => [i.code, i.index]) },
      {
        recipients: 3,
        valid: 1,
        issues: [["RECIPIENT_DUPLICATE", 1], ["RECIPIENT_MAINLAND_CHINA", 2]].sort((a, b) => a[1] - b[1]),
        rejected: 2,
        duplicates: 1,
        segments: 1,
        encodings: { gsm7: 1, ucs2: 0 },
        requests: 1,
        seconds: 0,
      },
    );
    const big = planCampaign({ to: Array.from({ length: 2500 }, (_, i) => `+852 6${String(i).padStart(7, "0")}`), message: "您好", qps: 1 });
    assert.deepEqual([big.valid, big.requests, big.encodings.ucs2, big.segments], [2500, 3, 2500, 2500]);
    assert.ok(big.seconds > 2 && big.seconds < 2.1, String(big.seconds));
    // A problem of the whole campaign is listed, and nothing would be sent.
    const empty = planCampaign({ to: ["+852 9123 4567"], message: "" });
    assert.deepEqual([empty.valid, empty.requests, empty.issues[0].code, empty.issues[0].index], [0, 0, "MESSAGE_EMPTY", null]);
    assertSmsError(thrown(() => planCampaign({ to: ["1"], message: "x", qps: 0 })), { code: "INVALID_OPTION", field: "qps" });
    assertSmsError(thrown(() => planCampaign(null)), { code: "INVALID_OPTION" });
  });
});

describe("resultsCsv", () => {
  test("the ledger of a campaign sent to the sandbox, as CSV with each row's line, read back by readCsvCampaign", async () => {
    const table = readCsvCampaign(EXPORT, { message: "Hi {name}, your table is {TABLE}" });
    const ledger = await sendCampaign({
      credentials: DEFAULT_KEY,
      endpoint: holder.sandbox.url,
      qps: 1000,
      to: table.to,
      message: table.message,
    });
    const text = resultsCsv(ledger, table.lines);
    assert.ok(text.startsWith("\uFEFFline,to,normalizedTo,state,messageId,requestId,code,reason\r\n"), text);
    assert.ok(text.endsWith("\r\n"));
    const back = readCsvCampaign(text, { messageColumn: "state" });
    assert.deepEqual(back.lines, [2, 3, 4]);
    assert.deepEqual(back.to, table.to);
    assert.deepEqual(back.message, ["sent", "rejected", "rejected"]);
    const rows = text.split("\r\n");
    const messageId = holder.sandbox.messages()[0].messageId;
    assert.ok(rows[1].startsWith(`2,+852 9123 4567,85291234567,sent,${messageId},`), rows[1]);
    assert.match(rows[2], /^5,.*,RECIPIENT_DUPLICATE,refused before sending: the same number as line 2$/);
    // A filtered ledger exports those rows only.
    const rejected = { ...ledger, recipients: ledger.recipients.filter((r) => r.state === "rejected") };
    assert.equal(resultsCsv(rejected, table.lines).split("\r\n").length, 4);
    // The whole table: one row per input row, Bob's (an empty cell for {TABLE}) in its place.
    const whole = readCsvCampaign(resultsCsv(ledger, table), { messageColumn: "code" });
    assert.deepEqual(whole.to, ["+852 9123 4567", "+65 9123 4567", "+852 9123 4567", "+86 138 0013 8000"]);
    assert.deepEqual(whole.message, ["", "CSV_EMPTY_VALUE", "RECIPIENT_DUPLICATE", "RECIPIENT_MAINLAND_CHINA"]);
    assert.deepEqual(table.leftOut.map((l) => [l.line, l.to, l.code]), [[4, "+65 9123 4567", "CSV_EMPTY_VALUE"]]);
    assert.match(resultsCsv(ledger, table).split("\r\n")[2], /^4,\+65 9123 4567,,rejected,,,CSV_EMPTY_VALUE,"""Table"" is empty/);
  });

  test("spreadsheet-safe cells; a ledger or lines of the wrong shape is an SmsError", () => {
    const row = { index: 0, to: "=cmd|' /C calc'!A0", normalizedTo: null, state: "rejected", messageId: null, requestId: null, code: "RECIPIENT_INVALID_CHARACTER", duplicateOf: null };
    const text = resultsCsv({ recipients: [row] }, [7]);
    assert.equal(text.split("\r\n")[1], "7,'=cmd|' /C calc'!A0,,rejected,,,RECIPIENT_INVALID_CHARACTER,refused before sending");
    for (const [ledger, lines, field] of [
      [null, [], "ledger"],
      [{ recipients: [{ ...row, state: "lost" }] }, [], "ledger.recipients[0].state"],
      [{ recipients: [{ ...row, index: -1 }] }, [], "ledger.recipients[0].index"],
      [{ recipients: [row] }, "1", "csv"],
      [{ recipients: [row] }, { lines: "1" }, "csv.lines"],
      [{ recipients: [row] }, { lines: [1], leftOut: [{ line: 0, to: null, code: "CSV_EMPTY_VALUE", reason: "" }] }, "csv.leftOut[0].line"],
      [{ recipients: [row] }, { lines: [1], leftOut: [{ line: 2, to: null, code: "SOMETHING", reason: "" }] }, "csv.leftOut[0].code"],
    ]) {
      assertSmsError(thrown(() => resultsCsv(ledger, lines)), { code: "INVALID_OPTION", field });
    }
  });

  test("a revoked Proxy as csv or ledger is an SmsError, not the TypeError Array.isArray throws", () => {
    // The boundary fuzzer's named case "resultsCsv: csv = a revoked Proxy" (issue 14's cases).
    const revoked = (target) => {
      const { proxy, revoke } = Proxy.revocable(target, {});
      revoke();
      return proxy;
    };
    const ledger = { recipients: [{ index: 0, to: "+852 9123 4567", state: "sent" }] };
    for (const [args, field] of [
      [[ledger, revoked([])], "csv"],
      [[ledger, revoked({})], "csv"],
      [[revoked({}), [2]], "ledger"],
      [[{ recipients: revoked([]) }, [2]], "ledger.recipients"],
    ]) {
      assertSmsError(thrown(() => resultsCsv(...args)), { code: "INVALID_OPTION", field });
    }
  });
});
