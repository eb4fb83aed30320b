// A campaign's result as its readers use it (issue 12): `recipients` is built on access from
// compact columns, and must still behave as a read-only array of CampaignRecipient rows — index,
// length, iteration, the array methods, spreading, JSON — with the fields the d.ts declares,
// each row agreeing with what the sandbox recorded; for a finished campaign, for a stopped
// one's `error.ledger`, and with one text per recipient (not ASCII, so the UTF-8 buffer's ends
// and the UTF-16 lengths differ).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as hooks from "node:test";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import { sendCampaign } from "aliyun-globe-sms";
import { DEFAULT_KEY, rejection, useSandbox } from "./harness.mjs";
import { assertLedgerAgrees, campaignList } from "./ledger.mjs";

const LIST = campaignList(2503);

/** The fields of `CampaignRecipient` as the installed package's d.ts declares them. */
function declaredRowFields() {
  const dts = readFileSync(new URL("./index.d.ts", import.meta.resolve("aliyun-globe-sms")), "utf8");
  const body = /export interface CampaignRecipient \{([^}]*)\}/.exec(dts)?.[1];
  assert.ok(body, "the d.ts declares CampaignRecipient");
  return [...body.matchAll(/^\s*(?:readonly\s+)?(\w+)\??:/gm)].map((m) => m[1]).sort();
}

describe("campaign ledger", () => {
  const s = useSandbox(hooks, { qps: 100 });
  const base = () => ({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, to: LIST.to, message: "ledger", qps: 50 });

  test("recipients reads as an array of the declared rows, and agrees with the sandbox", async () => {
    const result = await sendCampaign(base());
    const r = result.recipients;
    assertLedgerAgrees(result, s.sandbox.messages(), LIST.to);
    assert.equal(Array.isArray(r), true);
    assert.equal(r.length, LIST.to.length);
    assert.deepEqual(Object.keys(r[0]).sort(), declaredRowFields());
    const rows = Array.from(r);
    assert.equal(rows.length, r.length);
    rows.forEach((row, i) => assert.equal(row.index, i));
    assert.deepEqual([...r], rows);
    let iterated = 0;
    for (const row of r) iterated += row.index === iterated ? 1 : 0;
    assert.equal(iterated, r.length);
    assert.equal(r.filter((x) => x.state === "sent").length, result.counts.sent);
    assert.deepEqual(r.map((x) => x.to), LIST.to);
    assert.equal(r.at(-1).index, r.length - 1);
    assert.deepEqual(r.slice(7, 8), [rows[7]]);
    assert.equal(r.findIndex((x) => x.code === "RECIPIENT_DUPLICATE"), 2345);
    assert.deepEqual(JSON.parse(JSON.stringify(result)), { counts: result.counts, requests: result.requests, recipients: rows });
    assert.equal(Object.keys(r).length, r.length);
    assert.equal("0" in r, true);
    assert.equal(String(r.length) in r, false);
    for (const outside of [r.length, -1, "01", "1.5", "x"]) assert.equal(r[outside], undefined, `recipients[${outside}]`);
    // A row of each kind the list holds, field by field.
    const sent = r.find((x) => x.state === "sent");
    assert.match(sent.messageId, /^\d+$/);
    assert.match(sent.requestId, /\S/);
    assert.equal(sent.normalizedTo, sent.to.replace(/\D/g, ""));
    assert.deepEqual([sent.code, sent.duplicateOf], [null, null]);
    assert.deepEqual(
      { ...r[1234], index: undefined },
      { index: undefined, to: "not a number", normalizedTo: null, state: "rejected", messageId: null, requestId: null, code: "RECIPIENT_INVALID_CHARACTER", duplicateOf: null },
    );
    assert.equal(r[2345].duplicateOf, 3);
    const failed = r.find((x) => x.state === "failed");
    assert.deepEqual([failed.messageId, typeof failed.requestId], [null, "string"]);
    // The rows of one request share its RequestId: the first 1001 hold request 0 and index 7.
    const first = r.slice(0, 1001).filter((x) => x.requestId !== null);
    assert.deepEqual([first.length, new Set(first.map((x) => x.requestId)).size], [1000, 1]);
    assert.equal(inspect(r).startsWith(`CampaignRecipients(${r.length})`), true);
    assert.ok(inspect(r).includes(LIST.to[0]));
  });

  test("recipients is read-only: writes throw and leave every row as it was", async () => {
    const result = await sendCampaign(base());
    const r = result.recipients;
    const before = JSON.stringify(r);
    assert.notEqual(r[0], r[0], "each read builds a row");
    for (const write of [
      () => { r[0] = {}; },
      () => { r.length = 0; },
      () => r.push({}),
      () => r.sort(),
      () => { delete r[0]; },
      () => Object.defineProperty(r, "0", { value: 1 }),
      () => Object.freeze(r),
      () => Object.setPrototypeOf(r, null),
    ]) {
      assert.throws(write, TypeError);
    }
    assert.equal(JSON.stringify(r), before);
    assert.equal(Array.isArray(r) && r.length === LIST.to.length, true);
  });

  test("a stopped campaign's error.ledger is the same array, with unknown and skipped rows", async () => {
    let queued = false;
    const run = sendCampaign({
      ...base(),
      onProgress(p) {
        if (!queued && p.requestsDone === 1) {
          s.sandbox.inject({ kind: "dropAfterAccept" });
          queued = true;
        }
      },
    });
    const error = await rejection(run);
    assert.equal(error.code, "OUTCOME_UNKNOWN");
    const r = error.ledger.recipients;
    assert.equal(Array.isArray(r) && r.length === LIST.to.length, true);
    const states = r.map((x) => x.state);
    assert.ok(states.includes("unknown") && states.includes("skipped") && states.includes("sent"));
    assert.ok(r.filter((x) => x.state === "unknown").every((x) => x.code === "OUTCOME_UNKNOWN" && x.messageId === null));
    assert.ok(r.filter((x) => x.state === "skipped").every((x) => x.code === null && x.requestId === null));
    assert.deepEqual(JSON.parse(JSON.stringify(error.ledger)).recipients, Array.from(r));
  });

  test("one text per recipient, not ASCII: each recipient is sent its own text, and the ledger agrees", async () => {
    const to = LIST.to.slice(0, 1500);
    const texts = to.map((_, i) => `第${i}号：您好 ✓ ${"é".repeat(i % 5)}`);
    const result = await sendCampaign({ ...base(), to, message: texts });
    assertLedgerAgrees(result, s.sandbox.messages(), to);
    const byNumber = new Map(result.recipients.map((x) => [x.normalizedTo, x]));
    const recorded = s.sandbox.messages();
    assert.ok(recorded.length > 1000);
    for (const m of recorded) {
      const row = byNumber.get(m.to);
      assert.equal(m.message, texts[row.index], `the text of recipient ${row.index}`);
    }
  });
});
