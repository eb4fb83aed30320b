// Lists of a caller's options are read once (issue 13's review of src/wasm/input.rs). Lists of
// objects (`recordReports`' reports) came to be read item by item; a list of strings must not
// come that way. A getter or Proxy answering differently the second time its item is read (a
// number first, then a text holding a lone surrogate) had its text taken without the
// lone-surrogate check, and the batch was sent with U+FFFD in the text's place. A missing option
// is named as documented (`message`, not `options.message`). After each test the sandbox must
// have seen no request beyond the campaign the recordReports test sends first.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as hooks from "node:test";
import { describe, test } from "node:test";
import { batchSend, recordReports, sendCampaign, signRequest, validateBatch } from "aliyun-globe-sms";
import { fileJournal } from "aliyun-globe-sms/journal";
import { DEFAULT_KEY, assertSmsError, leakCheck, rejection, thrown, useSandbox } from "./harness.mjs";

const TO = ["+852 9123 4567", "+852 9123 4568"];

/** `[first, item]` whose item is a getter answering `first` once, then `later`; with its read count. */
function changing(first, later, before = []) {
  const list = [...before];
  const reads = { count: 0 };
  Object.defineProperty(list, before.length, {
    enumerable: true,
    get() {
      reads.count += 1;
      return reads.count === 1 ? first : later;
    },
  });
  return { list, reads };
}

/** The same as a Proxy whose `get` trap does it. */
function changingProxy(first, later, before = []) {
  const reads = { count: 0 };
  const index = String(before.length);
  const list = new Proxy([...before, first], {
    get(target, key, receiver) {
      if (key === index) {
        reads.count += 1;
        return reads.count === 1 ? first : later;
      }
      return Reflect.get(target, key, receiver);
    },
  });
  return { list, reads };
}

describe("a list of strings is read once", () => {
  const s = useSandbox(hooks);
  const base = () => ({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, to: TO, message: "hello" });

  for (const [what, make] of [
    ["a getter", changing],
    ["a Proxy", changingProxy],
  ]) {
    test(`message: ${what} answering a number, then a text with a lone surrogate, is refused at its index`, async () => {
      for (const call of ["validateBatch", "batchSend", "signRequest", "sendCampaign"]) {
        const { list, reads } = make(5, "bad \uD800 text", ["ok"]);
        const options = { ...base(), message: list, qps: 1000 };
        const error =
          call === "validateBatch"
            ? thrown(() => validateBatch(options))
            : call === "signRequest"
              ? thrown(() => signRequest(options))
              : await rejection(call === "batchSend" ? batchSend(options) : sendCampaign(options));
        assertSmsError(error, { code: "INVALID_OPTION", field: "message[1]" });
        assert.equal(reads.count, 1, `${call}: the item was read once`);
      }
      assert.deepEqual(s.sandbox.requests(), [], "nothing was sent");
    });

    test(`to: ${what} answering a number, then a number as text, is refused at its index`, async () => {
      for (const call of ["batchSend", "sendCampaign"]) {
        const { list, reads } = make(85291234568, "+852 9123 4568", ["+852 9123 4567"]);
        const error = await rejection((call === "batchSend" ? batchSend : sendCampaign)({ ...base(), to: list, qps: 1000 }));
        assertSmsError(error, { code: "INVALID_OPTION", field: "to[1]" });
        assert.equal(reads.count, 1, `${call}: the item was read once`);
      }
      assert.deepEqual(s.sandbox.requests(), [], "nothing was sent");
    });
  }

  test("an object in a list of strings is refused at its index, as any other item that is not a string", async () => {
    for (const to of [[TO[0], {}], [{}, TO[1]]]) {
      const index = typeof to[0] === "string" ? 1 : 0;
      assertSmsError(thrown(() => validateBatch({ to, message: "x" })), { code: "INVALID_OPTION", field: `to[${index}]` });
      assertSmsError(await rejection(batchSend({ ...base(), to })), { code: "INVALID_OPTION", field: `to[${index}]` });
    }
    assert.deepEqual(s.sandbox.requests(), []);
  });

  test("a missing option is named alone, as documented", async () => {
    assertSmsError(thrown(() => validateBatch({ to: TO })), { code: "INVALID_OPTION", field: "message" });
    assertSmsError(thrown(() => validateBatch({ message: "x" })), { code: "INVALID_OPTION", field: "to" });
    assertSmsError(await rejection(batchSend({ ...base(), message: undefined })), { code: "INVALID_OPTION", field: "message" });
    assert.deepEqual(s.sandbox.requests(), []);
  });
});

describe("recordReports' list of objects", () => {
  const s = useSandbox(hooks);

  test("each report is read as an object: a string item, or one that turns into a string, is refused at its index", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ags-input-lists-"));
    try {
      const options = { credentials: DEFAULT_KEY, endpoint: s.sandbox.url, to: TO, message: "Hi", qps: 1000, journal: fileJournal(join(dir, "j")) };
      const sent = await sendCampaign(options);
      const requests = s.sandbox.requests().length;
      const id = sent.recipients[0].messageId;
      const report = { messageId: id, status: "delivered" };
      const turning = changing(report, "x");
      for (const [reports, field] of [
        [["x"], "reports[0]"],
        [[report, "x"], "reports[1]"],
        [[report, 5], "reports[1]"],
        [turning.list, "reports[0]"],
        [[report, {}], "reports[1].messageId"],
      ]) {
        const error = await rejection(recordReports({ ...options, reports }));
        assertSmsError(error, { code: "INVALID_OPTION", field });
      }
      // Read whole once (found not to be strings) and then item by item: no more.
      assert.equal(turning.reads.count, 2);
      const ledger = await recordReports({ ...options, reports: [report, report] });
      assert.equal(ledger.recipients[0].state, "delivered");
      assert.equal(s.sandbox.requests().length, requests, "recording reports sends nothing");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

leakCheck({ minimum: 10 });
