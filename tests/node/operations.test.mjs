// The operations besides the batch (issue 13), on the packed package against the sandbox:
// sendMessage (SendMessageToGlobe), queryMessage (QueryMessage), reportConversion (SmsConversion)
// and reportConversionRate (ConversionData), with both signature versions and STS keys. What the
// sandbox recorded is the evidence: a message sent once, never resent after an unknown outcome,
// throttled attempts resent at the operation's own pace; a query asked again after an unknown
// outcome (it sends nothing); validation refusing before any request.

import assert from "node:assert/strict";
import * as hooks from "node:test";
import { describe, test } from "node:test";
import { pollDeliveries, queryMessage, reportConversion, reportConversionRate, sendMessage } from "aliyun-globe-sms";
import { DEFAULT_KEY, DEFAULT_STS_KEY, assertSmsError, leakCheck, rejection, useSandbox } from "./harness.mjs";

const options = (sandbox, extra = {}) => ({ credentials: DEFAULT_KEY, endpoint: sandbox.url, ...extra });

describe("sendMessage: one message to one number", () => {
  const s = useSandbox(hooks, { sendMessageQps: Infinity, queryMessageQps: Infinity, reportDelayMs: 0 });

  for (const [signatureVersion, credentials] of [["1.0", DEFAULT_KEY], ["ACS3", DEFAULT_KEY], ["1.0", DEFAULT_STS_KEY], ["ACS3", DEFAULT_STS_KEY]]) {
    test(`sent, with its MessageId, segments and number detail (${signatureVersion}${credentials.securityToken ? ", STS" : ""})`, async () => {
      const result = await sendMessage({ ...options(s.sandbox), credentials, signatureVersion, to: "+852 9123 4567", message: "Your code is 4821", from: "Acme", taskId: "otp-1", validityPeriod: 300 });
      assert.equal(result.to, "+852 9123 4567");
      assert.equal(result.normalizedTo, "85291234567");
      assert.equal(result.segments, 1);
      assert.equal(result.attempts, 1);
      assert.equal(result.responseCode, "OK");
      assert.ok(result.numberDetail && typeof result.numberDetail === "object");
      const [recorded] = s.sandbox.messages();
      assert.equal(s.sandbox.messages().length, 1);
      assert.equal(recorded.operation, "SendMessageToGlobe");
      assert.equal(recorded.messageId, result.messageId);
      assert.equal(recorded.to, "85291234567");
      assert.equal(recorded.from, "Acme");
      assert.equal(recorded.taskId, "otp-1");
      assert.equal(recorded.validityPeriod, 300);
    });
  }

  test("bad input: INVALID_INPUT naming every field, nothing sent", async () => {
    const error = await rejection(sendMessage({ ...options(s.sandbox), to: "+86 138 0013 8000", message: "", validityPeriod: 5, channelId: "bad id!" }));
    assertSmsError(error, { code: "INVALID_INPUT" });
    const fields = new Set(error.issues.map((i) => i.field));
    for (const field of ["to", "message", "validityPeriod", "channelId"]) assert.ok(fields.has(field), `an issue names ${field}: ${[...fields]}`);
    assert.deepEqual(s.sandbox.requests(), []);
  });

  test("wrong types and a signer are refused before any request", async () => {
    assertSmsError(await rejection(sendMessage({ ...options(s.sandbox), to: ["+85291234567"], message: "hi" })), { code: "INVALID_OPTION", field: "to" });
    assertSmsError(await rejection(sendMessage({ ...options(s.sandbox), to: "+85291234567", message: "hi", qps: 0 })), { code: "INVALID_OPTION", field: "qps" });
    assertSmsError(await rejection(sendMessage({ endpoint: s.sandbox.url, to: "+85291234567", message: "hi", signer: async () => ({}) })), { code: "INVALID_OPTION", field: "signer" });
    // A required option absent is named alone, as a wrong one is: `to`, not `options.to`
    // (src/wasm/input.rs `at_options`; the boundary fuzz's "to absent" found it).
    assertSmsError(await rejection(sendMessage({ ...options(s.sandbox), message: "hi" })), { code: "INVALID_OPTION", field: "to" });
    assertSmsError(await rejection(sendMessage({ ...options(s.sandbox), to: "+85291234567" })), { code: "INVALID_OPTION", field: "message" });
    assert.deepEqual(s.sandbox.requests(), []);
  });

  test("an unknown outcome (connection dropped after accepting) is never resent", async () => {
    s.sandbox.inject({ kind: "dropAfterAccept", action: "SendMessageToGlobe" });
    const error = await rejection(sendMessage({ ...options(s.sandbox), to: "+852 9123 4567", message: "hi", maxAttempts: 4 }));
    assertSmsError(error, { code: "OUTCOME_UNKNOWN" });
    assert.equal(s.sandbox.requests().length, 1, "one request, no resend");
    assert.equal(s.sandbox.messages().length, 1, "and the sandbox did record the message");
  });

  test("throttled: resent, and the number recorded once", async () => {
    s.sandbox.inject({ kind: "throttle", retryAfterMs: 50, action: "SendMessageToGlobe" });
    const result = await sendMessage({ ...options(s.sandbox), to: "+852 9123 4567", message: "hi" });
    assert.equal(result.attempts, 2);
    assert.equal(s.sandbox.messages().length, 1);
  });
});

describe("sendMessage keeps its own pace per AccessKeyId", () => {
  const s = useSandbox(hooks, { sendMessageQps: 5 });

  test("10 messages at qps 5 against the sandbox's 5/s: none throttled", async () => {
    const numbers = Array.from({ length: 10 }, (_, i) => `+852 9123 45${String(i).padStart(2, "0")}`);
    const results = await Promise.all(numbers.map((to) => sendMessage({ ...options(s.sandbox), to, message: "hi", qps: 4.5 })));
    assert.ok(results.every((r) => r.attempts === 1), `attempts ${results.map((r) => r.attempts)}`);
    assert.deepEqual(s.sandbox.requests().map((r) => r.code), Array(10).fill("OK"));
    assert.equal(new Set(s.sandbox.messages().map((m) => m.to)).size, 10);
  });
});

describe("queryMessage: where a message stands", () => {
  const s = useSandbox(hooks, { sendMessageQps: Infinity, queryMessageQps: Infinity, reportDelayMs: 60_000 });

  test("before the record exists: RECORD_NOT_FOUND, retryable", async () => {
    const { messageId } = await sendMessage({ ...options(s.sandbox), to: "+852 9123 4567", message: "hi" });
    const error = await rejection(queryMessage({ ...options(s.sandbox), messageId }));
    assertSmsError(error, { code: "RECORD_NOT_FOUND" });
    assert.equal(error.retryable, true);
  });
});

describe("queryMessage once the report exists", () => {
  const s = useSandbox(hooks, { sendMessageQps: Infinity, queryMessageQps: Infinity, reportDelayMs: 0 });

  for (const [number, status, errorCode] of [["+852 9123 4567", "delivered", "DELIVERED"], ["+852 9123 9999", "failed", "UNDELIV"]]) {
    test(`${number}: ${status} (${errorCode}), with its dates`, async () => {
      const { messageId } = await sendMessage({ ...options(s.sandbox), to: number, message: "hi" });
      const result = await queryMessage({ ...options(s.sandbox), messageId, signatureVersion: "ACS3" });
      assert.equal(result.messageId, messageId);
      assert.equal(result.status, status);
      assert.equal(result.errorCode, errorCode);
      assert.match(result.sendDate?.text ?? "", /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/);
      // The instant read by the core agrees with JavaScript's own reading of the text.
      assert.equal(result.sendDate.epochMs, Date.parse(result.sendDate.text));
    });
  }

  test("a read is asked again after an unknown outcome (it sends nothing)", async () => {
    const { messageId } = await sendMessage({ ...options(s.sandbox), to: "+852 9123 4567", message: "hi" });
    s.sandbox.inject({ kind: "htmlError", status: 502, action: "QueryMessage" });
    const result = await queryMessage({ ...options(s.sandbox), messageId });
    assert.equal(result.attempts, 2);
    assert.equal(result.status, "delivered");
  });

  test("a malformed MessageId: INVALID_INPUT, nothing asked", async () => {
    const error = await rejection(queryMessage({ ...options(s.sandbox), messageId: "" }));
    assertSmsError(error, { code: "INVALID_INPUT" });
    assert.equal(error.issues[0].field, "messageId");
    assert.deepEqual(s.sandbox.requests(), []);
  });
});

describe("reportConversion and reportConversionRate", () => {
  const s = useSandbox(hooks, { sendMessageQps: Infinity, reportDelayMs: 0 });

  test("a used and an unused code are both reported; the sandbox recorded them", async () => {
    const { messageId } = await sendMessage({ ...options(s.sandbox), to: "+852 9123 4567", message: "Your code is 4821" });
    const used = await reportConversion({ ...options(s.sandbox), messageId, delivered: true, conversionTime: Date.now() });
    assert.equal(used.responseCode, "OK");
    await reportConversion({ ...options(s.sandbox), messageId, delivered: false, signatureVersion: "ACS3" });
    const recorded = s.sandbox.conversions().filter((c) => c.operation === "SmsConversion");
    assert.deepEqual(recorded.map((c) => [c.messageId, c.delivered]), [[messageId, true], [messageId, false]]);
  });

  test("a conversion rate, under both signature versions", async () => {
    for (const signatureVersion of ["1.0", "ACS3"]) {
      const result = await reportConversionRate({ ...options(s.sandbox), conversionRate: "0.53", reportTime: Date.now() - 60_000, signatureVersion });
      assert.equal(result.responseCode, "OK");
    }
    assert.deepEqual(s.sandbox.conversions().filter((c) => c.operation === "ConversionData").map((c) => c.conversionRate), ["0.53", "0.53"]);
  });

  test("bad values: INVALID_INPUT naming the field, nothing sent", async () => {
    assertSmsError(await rejection(reportConversionRate({ ...options(s.sandbox), conversionRate: "1.5" })), { code: "INVALID_INPUT" });
    assertSmsError(await rejection(reportConversion({ ...options(s.sandbox), messageId: "1", delivered: true, conversionTime: Date.now() + 3_600_000 })), { code: "INVALID_INPUT" });
    assertSmsError(await rejection(reportConversion({ ...options(s.sandbox), messageId: "1", delivered: "yes" })), { code: "INVALID_OPTION", field: "delivered" });
    assertSmsError(await rejection(reportConversion({ ...options(s.sandbox), messageId: "1" })), { code: "INVALID_OPTION", field: "delivered" });
    assertSmsError(await rejection(reportConversionRate(options(s.sandbox))), { code: "INVALID_OPTION", field: "conversionRate" });
    assert.deepEqual(s.sandbox.requests(), []);
  });
});

describe("pollDeliveries: the status of sent messages, with no push URL", () => {
  const s = useSandbox(hooks, { sendMessageQps: Infinity, queryMessageQps: Infinity, reportDelayMs: 300 });

  test("every message asked until final, as the sandbox decided; one never final stays sending", async () => {
    const numbers = ["+852 9123 1001", "+852 9123 9999", "+852 9123 8888", "+852 9123 1002", "+852 9123 7777"];
    const sent = [];
    for (const to of numbers) sent.push(await sendMessage({ ...options(s.sandbox), to, message: "hi" }));
    const ids = sent.map((r) => r.messageId);
    const { messages } = await pollDeliveries({ ...options(s.sandbox), messageIds: [...ids, ids[0]], intervalMs: 100, deadlineMs: 3000 });
    assert.deepEqual(messages.map((m) => m.messageId), ids, "in order, a repeat asked once");
    const expected = { delivered: "delivered", undelivered: "failed", expired: "failed", pending: "sending" };
    const outcome = new Map(s.sandbox.messages().map((m) => [m.messageId, m.outcome]));
    for (const m of messages) assert.equal(m.state, expected[outcome.get(m.messageId)], `${m.messageId}: ${outcome.get(m.messageId)}`);
    // The record exists only after 300 ms: the first question found none, a later one the status.
    assert.ok(messages.every((m) => m.queries >= 2), `queries ${messages.map((m) => m.queries)}`);
    assert.equal(messages[0].result.status, "delivered");
    assert.equal(messages[1].result.errorCode, "UNDELIV");
  });

  test("a malformed MessageId refuses the whole poll before any question, naming its index", async () => {
    const error = await rejection(pollDeliveries({ ...options(s.sandbox), messageIds: ["1", " 2"] }));
    assertSmsError(error, { code: "INVALID_INPUT" });
    assert.deepEqual(error.issues.map((i) => [i.field, i.index]), [["messageIds", 1]]);
    assert.deepEqual(s.sandbox.requests(), []);
  });
});

leakCheck({ minimum: 8, signatures: true });
