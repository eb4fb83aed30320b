// When the client cannot know whether the SMS went out, it says so (OUTCOME_UNKNOWN, with the
// reason and every recipient concerned) and never resends: the sandbox records each message
// exactly once and sees exactly one request. When it can know nothing left (connection refused,
// aborted before sending) it says that instead, and only the refused connection is resent.

import assert from "node:assert/strict";
import { createServer } from "node:net";
import * as hooks from "node:test";
import { describe, test } from "node:test";
import { batchSend } from "aliyun-globe-sms";
import { DEFAULT_KEY, assertSmsError, leakCheck, rejection, until, useSandbox } from "./harness.mjs";

const TO = ["+852 9123 4567", "+65 9123 0000", "(1) 415 555 2671"];
const RECIPIENTS = [
  { index: 0, to: "+852 9123 4567", normalizedTo: "85291234567" },
  { index: 1, to: "+65 9123 0000", normalizedTo: "6591230000" },
  { index: 2, to: "(1) 415 555 2671", normalizedTo: "14155552671" },
];

describe("ambiguous faults: OUTCOME_UNKNOWN, recorded once, never resent", () => {
  const s = useSandbox(hooks);
  const send = (extra) => batchSend({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, to: TO, message: "hi", maxAttempts: 4, ...extra });

  /** One request, this fault, and (when accepted) the two deliverable messages recorded once. */
  function seenOnce(fault, { recorded }) {
    const requests = s.sandbox.requests();
    assert.equal(requests.length, 1, "never resent");
    assert.equal(requests[0].fault, fault);
    assert.deepEqual(s.sandbox.messages().map((m) => m.to), recorded ? ["85291234567", "14155552671"] : []);
  }

  for (const signatureVersion of ["1.0", "ACS3"]) {
    test(`accepted, then the connection dropped: reason connection_lost (${signatureVersion})`, async () => {
      s.sandbox.inject({ kind: "dropAfterAccept" });
      const error = await rejection(send({ signatureVersion }));
      assertSmsError(error, { code: "OUTCOME_UNKNOWN", reason: "connection_lost", retryable: false, recipients: RECIPIENTS });
      seenOnce("dropAfterAccept", { recorded: true });
    });
  }

  test("accepted, then no answer: the timeout fires, reason timeout", async () => {
    s.sandbox.inject({ kind: "hangAfterAccept" });
    const error = await rejection(send({ timeoutMs: 300 }));
    assertSmsError(error, { code: "OUTCOME_UNKNOWN", reason: "timeout", retryable: false, recipients: RECIPIENTS });
    seenOnce("hangAfterAccept", { recorded: true });
  });

  test("accepted, then a truncated JSON body: reason unreadable_body, status 200, no raw SyntaxError", async () => {
    s.sandbox.inject({ kind: "truncatedJson" });
    const error = await rejection(send());
    assertSmsError(error, { code: "OUTCOME_UNKNOWN", reason: "unreadable_body", httpStatus: 200, recipients: RECIPIENTS });
    assert.doesNotMatch(`${error.name} ${error.message}`, /SyntaxError|Unexpected end/);
    seenOnce("truncatedJson", { recorded: true });
  });

  for (const status of [500, 502, 503, 504]) {
    test(`accepted, then an HTML ${status} page: reason server_error`, async () => {
      s.sandbox.inject({ kind: "htmlError", status, afterAccept: true });
      const error = await rejection(send());
      assertSmsError(error, { code: "OUTCOME_UNKNOWN", reason: "server_error", httpStatus: status, recipients: RECIPIENTS });
      seenOnce("htmlError", { recorded: true });
    });
  }

  test("an HTML 503 before accepting: still unknown to the client (a 5xx cannot prove nothing was sent)", async () => {
    s.sandbox.inject({ kind: "htmlError", status: 503 });
    const error = await rejection(send());
    assertSmsError(error, { code: "OUTCOME_UNKNOWN", reason: "server_error", httpStatus: 503 });
    seenOnce("htmlError", { recorded: false });
  });

  test("dropped before accepting: the client cannot tell this from a drop after; it reports unknown, never a success, never resends", async () => {
    // fetch sees the same broken connection either way (the request was written before the
    // sandbox cut it), so OUTCOME_UNKNOWN is the only truthful answer; CONNECTION_FAILED would
    // claim nothing was sent.
    s.sandbox.inject({ kind: "dropBeforeAccept" });
    const error = await rejection(send());
    assertSmsError(error, { code: "OUTCOME_UNKNOWN", reason: "connection_lost", retryable: false, recipients: RECIPIENTS });
    seenOnce("dropBeforeAccept", { recorded: false });
  });

  test("a delayed but complete answer within timeoutMs is a normal success", async () => {
    s.sandbox.inject({ kind: "delay", ms: 200 });
    const result = await send({ timeoutMs: 30_000 });
    assert.equal(result.successCount, 2);
    seenOnce("delay", { recorded: true });
  });
});

describe("connection refused: nothing was sent, so it is resent, up to maxAttempts", () => {
  /** A loopback port nobody listens on: bound once to get a free number, then closed. */
  async function closedPort() {
    const server = createServer();
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address();
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  test("CONNECTION_FAILED with attempts = maxAttempts, retryable", async () => {
    const port = await closedPort();
    const error = await rejection(
      batchSend({ credentials: DEFAULT_KEY, endpoint: `http://127.0.0.1:${port}/`, to: TO, message: "hi", maxAttempts: 2 }),
    );
    assertSmsError(error, { code: "CONNECTION_FAILED", attempts: 2, retryable: true });
    assert.equal(error.recipients, undefined);
  });

  test("maxAttempts 1: CONNECTION_FAILED after one attempt", async () => {
    const port = await closedPort();
    const error = await rejection(
      batchSend({ credentials: DEFAULT_KEY, endpoint: `http://127.0.0.1:${port}/`, to: TO, message: "hi", maxAttempts: 1 }),
    );
    assertSmsError(error, { code: "CONNECTION_FAILED", attempts: 1, retryable: true });
  });
});

describe("abort", () => {
  const s = useSandbox(hooks);
  const send = (extra) => batchSend({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, to: TO, message: "hi", ...extra });

  test("a signal aborted before the call: ABORTED, nothing sent", async () => {
    const error = await rejection(send({ signal: AbortSignal.abort() }));
    assertSmsError(error, { code: "ABORTED", retryable: false });
    assert.deepEqual(s.sandbox.requests(), []);
  });

  test("aborted while the request is in flight (accepted, no answer yet): OUTCOME_UNKNOWN, reason aborted", async () => {
    s.sandbox.inject({ kind: "hangAfterAccept" });
    const controller = new AbortController();
    const pending = rejection(send({ signal: controller.signal, timeoutMs: 600_000 }));
    await until(() => s.sandbox.messages().length > 0, "the sandbox to record the batch");
    controller.abort();
    const error = await pending;
    assertSmsError(error, { code: "OUTCOME_UNKNOWN", reason: "aborted", retryable: false, recipients: RECIPIENTS });
    assert.equal(s.sandbox.requests().length, 1);
    assert.equal(s.sandbox.messages().length, 2);
  });

  test("aborted during the wait after a throttled attempt: ABORTED, not resent", async () => {
    // The service asks for a minute; the test aborts once the throttled answer has been given.
    // The margin lets the client finish reading that short answer first, so the abort lands in
    // the wait (an abort while reading would be OUTCOME_UNKNOWN: also never a resend).
    s.sandbox.inject({ kind: "throttle", retryAfterMs: 60_000 });
    const controller = new AbortController();
    const pending = rejection(send({ signal: controller.signal }));
    await until(() => s.sandbox.requests().length === 1, "the throttled attempt");
    await new Promise((resolve) => setTimeout(resolve, 500));
    controller.abort();
    const error = await pending;
    assertSmsError(error, { code: "ABORTED", retryable: false });
    assert.equal(s.sandbox.requests().length, 1, "not resent");
    assert.deepEqual(s.sandbox.messages(), []);
  });

  test("a signal that is never aborted changes nothing", async () => {
    const result = await send({ signal: new AbortController().signal });
    assert.equal(result.successCount, 2);
  });

  test("an abort after the call resolved is harmless", async () => {
    const controller = new AbortController();
    const result = await send({ signal: controller.signal });
    controller.abort();
    assert.equal(result.successCount, 2);
    assert.equal(s.sandbox.requests().length, 1);
  });
});

leakCheck({ minimum: 14, signatures: true });
