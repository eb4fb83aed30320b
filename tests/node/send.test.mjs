// Sending a batch and reading every recipient's fate: sent (with its MessageId) or failed (the
// service's FailedList), matched against what the sandbox recorded.

import assert from "node:assert/strict";
import * as hooks from "node:test";
import { describe, test } from "node:test";
import { batchSend, countSegments, ready } from "aliyun-globe-sms";
import { DEFAULT_KEY, leakCheck, rejection, assertSmsError, useSandbox } from "./harness.mjs";

describe("batchSend", () => {
  const s = useSandbox(hooks, { failNumbers: ["6598765432"] });
  const options = (extra) => ({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, ...extra });

  test("ready() resolves in Node (the module loads on import) and may be called again", async () => {
    assert.equal(await ready(), undefined);
    assert.equal(await ready(), undefined);
  });

  test("every recipient is sent, with its index, the number as given and as sent, and a MessageId", async () => {
    const to = ["+852 9123 4567", "00852-9123-4568", "(65) 9123 4567", "14155552671"];
    const result = await batchSend(options({ to, message: "Your code is 123456", from: "Acme", taskId: "campaign-7" }));

    const recorded = s.sandbox.messages();
    assert.equal(result.responseCode, "OK");
    assert.equal(typeof result.requestId, "string");
    assert.equal(result.requestId, recorded[0].requestId);
    assert.equal(typeof result.responseDescription, "string");
    assert.equal(result.from, "Acme");
    assert.equal(result.successCount, 4);
    assert.equal(result.attempts, 1);
    assert.deepEqual(result.failed, []);
    assert.deepEqual(result.dropped, []);
    assert.deepEqual(result.anomalies, []);
    assert.deepEqual(
      result.sent,
      [
        { index: 0, to: "+852 9123 4567", normalizedTo: "85291234567", messageId: recorded[0].messageId },
        { index: 1, to: "00852-9123-4568", normalizedTo: "85291234568", messageId: recorded[1].messageId },
        { index: 2, to: "(65) 9123 4567", normalizedTo: "6591234567", messageId: recorded[2].messageId },
        { index: 3, to: "14155552671", normalizedTo: "14155552671", messageId: recorded[3].messageId },
      ],
    );
    for (const m of recorded) assert.match(m.messageId, /^\d{19}$/);

    // Exactly what was sent, once each: normalized numbers, the text, the sender ID and task ID.
    assert.deepEqual(
      recorded.map(({ to, message, from, type, taskId, accessKeyId, scheme }) => ({ to, message, from, type, taskId, accessKeyId, scheme })),
      ["85291234567", "85291234568", "6591234567", "14155552671"].map((number) => ({
        to: number,
        message: "Your code is 123456",
        from: "Acme",
        type: "NOTIFY",
        taskId: "campaign-7",
        accessKeyId: DEFAULT_KEY.accessKeyId,
        scheme: "v1",
      })),
    );
    assert.equal(s.sandbox.requests().length, 1);
  });

  test("one text per recipient, MKT type, texts that need escaping and UCS-2 arrive unchanged", async () => {
    const to = ["+852 9123 4567", "+65 9123 4567", "+44 7911 123456"];
    const message = ["Hello & welcome = 100% \"yes\"", "你好，世界 🌏", "line one\nline two +/~*'()"];
    const result = await batchSend(options({ to, message, type: "MKT" }));
    assert.equal(result.successCount, 3);
    assert.deepEqual(result.sent.map((r) => r.index), [0, 1, 2]);
    assert.equal(result.from, null);
    assert.deepEqual(
      s.sandbox.messages().map(({ to, message, type, from, taskId }) => ({ to, message, type, from, taskId })),
      [
        { to: "85291234567", message: message[0], type: "MKT", from: null, taskId: null },
        { to: "6591234567", message: message[1], type: "MKT", from: null, taskId: null },
        { to: "447911123456", message: message[2], type: "MKT", from: null, taskId: null },
      ],
    );
  });

  test("partial failure: FailedList entries map back to their indexes, the rest pair with MessageIds", async () => {
    // The sandbox fails numbers ending in 0000 and those in failNumbers; the call is still OK.
    const to = ["+852 9123 4567", "+852 9123 0000", "+65 9123 4567", "+65 9876 5432", "+1 415 555 0000", "+1 415 555 2671"];
    const message = to.map((_, i) => `message ${i}`);
    const result = await batchSend(options({ to, message }));
    const recorded = s.sandbox.messages();

    assert.equal(result.responseCode, "OK");
    assert.equal(result.successCount, 3);
    assert.deepEqual(result.failed, [
      { index: 1, to: "+852 9123 0000", normalizedTo: "85291230000" },
      { index: 3, to: "+65 9876 5432", normalizedTo: "6598765432" },
      { index: 4, to: "+1 415 555 0000", normalizedTo: "14155550000" },
    ]);
    assert.deepEqual(result.sent, [
      { index: 0, to: "+852 9123 4567", normalizedTo: "85291234567", messageId: recorded[0].messageId },
      { index: 2, to: "+65 9123 4567", normalizedTo: "6591234567", messageId: recorded[1].messageId },
      { index: 5, to: "+1 415 555 2671", normalizedTo: "14155552671", messageId: recorded[2].messageId },
    ]);
    // The per-recipient texts followed their recipients.
    assert.deepEqual(recorded.map((m) => [m.to, m.message]), [
      ["85291234567", "message 0"],
      ["6591234567", "message 2"],
      ["14155552671", "message 5"],
    ]);
    assert.deepEqual(result.anomalies, []);
  });

  test("every recipient failed: still a result, not an error", async () => {
    const result = await batchSend(options({ to: ["+852 9123 0000", "+65 9123 0000"], message: "x" }));
    assert.equal(result.successCount, 0);
    assert.deepEqual(result.sent, []);
    assert.deepEqual(result.failed.map((r) => r.index), [0, 1]);
    assert.deepEqual(s.sandbox.messages(), []);
  });

  test("dropDuplicates sends the first of each number and lists the repeats", async () => {
    const result = await batchSend(options({ to: ["+852 9123 4567", "85291234567", "+65 9123 4567", "00852 9123 4567"], message: "x", dropDuplicates: true }));
    assert.deepEqual(result.dropped, [
      { index: 1, duplicateOf: 0 },
      { index: 3, duplicateOf: 0 },
    ]);
    assert.deepEqual(result.sent.map((r) => [r.index, r.normalizedTo]), [
      [0, "85291234567"],
      [2, "6591234567"],
    ]);
    assert.deepEqual(s.sandbox.messages().map((m) => m.to), ["85291234567", "6591234567"]);
  });

  test("a 1000-recipient batch is one request, every recipient accounted for", async () => {
    const to = Array.from({ length: 1000 }, (_, i) => `+852 9${String(i).padStart(3, "0")} ${String(1000 + i).slice(-4)}`);
    const result = await batchSend(options({ to, message: "bulk" }));
    assert.equal(s.sandbox.requests().length, 1);
    assert.equal(result.sent.length + result.failed.length, 1000);
    assert.equal(result.successCount, result.sent.length);
    assert.deepEqual(
      [...result.sent, ...result.failed].map((r) => r.index).sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.equal(s.sandbox.messages().length, result.sent.length);
  });

  test("a business refusal on HTTP 200 is SERVICE_REJECTED with the service's code and RequestId", async () => {
    s.sandbox.inject({ kind: "responseCode", code: "AMOUNT_NOT_ENOUGH", description: "insufficient balance" });
    const error = await rejection(batchSend(options({ to: ["+852 9123 4567"], message: "x" })));
    assertSmsError(error, { code: "SERVICE_REJECTED", serviceCode: "AMOUNT_NOT_ENOUGH", httpStatus: 200, retryable: false });
    assert.equal(typeof error.requestId, "string");
    assert.equal(s.sandbox.requests().length, 1, "not resent");
  });
});

describe("countSegments", () => {
  test("GSM-7, its extension characters and UCS-2", () => {
    assert.deepEqual(countSegments("hello"), { encoding: "GSM-7", characters: 5, units: 5, segments: 1 });
    assert.deepEqual(countSegments("a".repeat(161)), { encoding: "GSM-7", characters: 161, units: 161, segments: 2 });
    assert.deepEqual(countSegments("€"), { encoding: "GSM-7", characters: 1, units: 2, segments: 1 });
    assert.deepEqual(countSegments("你好"), { encoding: "UCS-2", characters: 2, units: 2, segments: 1 });
    assert.deepEqual(countSegments("你".repeat(71)), { encoding: "UCS-2", characters: 71, units: 71, segments: 2 });
  });
});

leakCheck({ signatures: true });
