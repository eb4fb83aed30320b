// Throttling is the one answer that proves nothing was processed: the package waits (at least
// what x-acs-retry-after asks), resends with a fresh signature and succeeds; every message is
// recorded once. When attempts run out it rejects THROTTLED, retryable.
//
// Waits are checked only as lower bounds, on the sandbox's own request times: a slow machine can
// make them longer, never shorter (10 ms of slack: timers may fire a millisecond early and the
// times are whole milliseconds).

import assert from "node:assert/strict";
import * as hooks from "node:test";
import { describe, test } from "node:test";
import { batchSend } from "aliyun-globe-sms";
import { DEFAULT_KEY, assertSmsError, leakCheck, rejection, useSandbox } from "./harness.mjs";

const gapMs = (a, b) => Date.parse(b.time) - Date.parse(a.time);

/** Each recorded message's (requestId, to) appears once: nothing was recorded twice. */
function recordedOnce(messages) {
  const keys = messages.map((m) => `${m.requestId} ${m.to}`);
  assert.equal(new Set(keys).size, keys.length, "a message was recorded twice");
  const numbers = messages.map((m) => m.to);
  return numbers;
}

describe("throttling at the service's rate (qps 1, the sandbox default)", () => {
  const s = useSandbox(hooks, { qps: 1 });

  test("two batches back to back: the second is throttled, waits, is resent and succeeds", async () => {
    const options = (to) => ({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, to, message: "hi" });
    const first = await batchSend(options(["+852 9123 4567", "+65 9123 4567"]));
    const second = await batchSend(options(["+852 9123 4568", "+65 9123 4568"]));

    assert.equal(first.attempts, 1);
    assert.ok(second.attempts >= 2, `attempts ${second.attempts}`);
    assert.equal(second.successCount, 2);
    const requests = s.sandbox.requests();
    assert.deepEqual(requests.map((r) => r.code), ["OK", ...Array(second.attempts - 1).fill("Throttling.User"), "OK"]);
    // The resend waited at least until the rate allowed it again.
    assert.ok(gapMs(requests[0], requests.at(-1)) >= 990, "resent within the same second");
    assert.deepEqual(recordedOnce(s.sandbox.messages()), ["85291234567", "6591234567", "85291234568", "6591234568"]);
    assert.equal(second.requestId, requests.at(-1).requestId);
  });
});

describe("throttling answers forced by the sandbox", () => {
  const s = useSandbox(hooks);
  const send = (extra) =>
    batchSend({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, to: ["+852 9123 4567", "+65 9123 0000"], message: "hi", ...extra });

  for (const signatureVersion of ["1.0", "ACS3"]) {
    test(`Throttling.User with x-acs-retry-after 1500: resent after at least 1.5 s, then OK (${signatureVersion})`, async () => {
      s.sandbox.inject({ kind: "throttle", retryAfterMs: 1500 });
      const result = await send({ signatureVersion });
      assert.equal(result.attempts, 2);
      assert.deepEqual(result.sent.map((r) => r.index), [0]);
      assert.deepEqual(result.failed.map((r) => r.index), [1]);
      const requests = s.sandbox.requests();
      assert.deepEqual(requests.map((r) => [r.code, r.fault]), [["Throttling.User", "throttle"], ["OK", null]]);
      assert.ok(gapMs(requests[0], requests[1]) >= 1490, "x-acs-retry-after honoured");
      // A fresh nonce each attempt: the sandbox refuses a repeated one (SignatureNonceUsed).
      assert.deepEqual(recordedOnce(s.sandbox.messages()), ["85291234567"]);
    });
  }

  test("the business throttle QPS_LIMIT_CONTROL on HTTP 200 is resent too", async () => {
    s.sandbox.inject({ kind: "responseCode", code: "QPS_LIMIT_CONTROL" });
    const result = await send();
    assert.equal(result.attempts, 2);
    assert.deepEqual(s.sandbox.requests().map((r) => r.code), ["QPS_LIMIT_CONTROL", "OK"]);
    assert.deepEqual(recordedOnce(s.sandbox.messages()), ["85291234567"]);
  });

  test("maxAttempts exhausted: THROTTLED, retryable, with the service's code, wait and RequestId", async () => {
    s.sandbox.inject({ kind: "throttle", count: 2, retryAfterMs: 1000 });
    const error = await rejection(send({ maxAttempts: 2 }));
    assertSmsError(error, {
      code: "THROTTLED",
      retryable: true,
      serviceCode: "Throttling.User",
      httpStatus: 400,
      retryAfterMs: 1000,
    });
    const requests = s.sandbox.requests();
    assert.equal(requests.length, 2);
    assert.equal(error.requestId, requests[1].requestId);
    assert.deepEqual(s.sandbox.messages(), []);
  });

  test("maxAttempts 1: THROTTLED at once, one request", async () => {
    s.sandbox.inject({ kind: "throttle", code: "Throttling.Api", retryAfterMs: 60_000 });
    const error = await rejection(send({ maxAttempts: 1 }));
    assertSmsError(error, { code: "THROTTLED", retryable: true, serviceCode: "Throttling.Api", retryAfterMs: 60_000 });
    assert.equal(s.sandbox.requests().length, 1);
  });
});

leakCheck({ minimum: 2, signatures: true });
