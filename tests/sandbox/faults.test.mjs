// Every fault kind, through inject() and through the admin endpoint, and how faults are consumed.

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { DEFAULT_KEY, FAULT_KINDS, startSandbox } from "../../pkg-template/sandbox/index.js";
import { json, raw, rejection, sdkClient, sdkRequest, signedV1 } from "./helpers.mjs";

const OPERATION = { To: '["6591234567","85291234567"]', Message: '["one","two"]', Type: "NOTIFY" };

describe("faults", () => {
  let sandbox;
  before(async () => {
    sandbox = await startSandbox({ qps: Infinity });
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const send = (options = {}) => raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, OPERATION)}`, ...options });

  /** The next request after a fault must be served normally: faults are consumed. */
  async function servedNormallyAfterwards() {
    const res = await send();
    assert.equal(json(res).ResponseCode, "OK");
    assert.equal(sandbox.pendingFaults().length, 0);
  }

  test("every kind has a test here", () => {
    assert.deepEqual(Object.keys(FAULT_KINDS).sort(), [
      "clockSkew", "delay", "dropAfterAccept", "dropBeforeAccept", "hangAfterAccept", "htmlError",
      "responseCode", "throttle", "truncatedJson",
    ]);
  });

  test("delay: the answer comes after at least the delay, and is normal", async () => {
    sandbox.inject({ kind: "delay", ms: 300 });
    const started = performance.now();
    const res = await send();
    // A lower bound only: timers never fire early by more than a millisecond.
    assert.ok(performance.now() - started >= 290, "waited");
    assert.equal(json(res).ResponseCode, "OK");
    assert.equal(sandbox.messages().length, 2);
  });

  test("dropBeforeAccept: the connection is cut and nothing is recorded", async () => {
    sandbox.inject({ kind: "dropBeforeAccept" });
    const res = await send();
    assert.ok(res.error, "the client sees a connection error");
    assert.match(res.error.code ?? res.error.message, /ECONNRESET|socket hang up/);
    assert.equal(sandbox.messages().length, 0);
    assert.equal(sandbox.requests().at(-1).fault, "dropBeforeAccept");
    await servedNormallyAfterwards();
  });

  test("dropAfterAccept: the messages are recorded, then the connection is cut", async () => {
    sandbox.inject({ kind: "dropAfterAccept" });
    const res = await send();
    assert.ok(res.error);
    assert.equal(sandbox.messages().length, 2, "accepted before the drop");
    // The official client reports it as an error, though the messages went out.
    sandbox.inject({ kind: "dropAfterAccept" });
    const error = await rejection(sdkClient(sandbox, DEFAULT_KEY).batchSendMessageToGlobe(sdkRequest({ to: ["6591234567"], messages: ["x"] })));
    assert.ok(error instanceof Error);
    assert.equal(sandbox.messages().length, 3);
    await servedNormallyAfterwards();
  });

  test("hangAfterAccept: recorded, then no answer until the client gives up", async () => {
    sandbox.inject({ kind: "hangAfterAccept" });
    const res = await send({ timeoutMs: 500 });
    assert.equal(res.error?.message, "timeout");
    assert.equal(sandbox.messages().length, 2);
    assert.equal(sandbox.requests().at(-1).status, null);
    await servedNormallyAfterwards();
  });

  test("htmlError before accepting: an HTML 502 and nothing recorded", async () => {
    sandbox.inject({ kind: "htmlError", status: 502 });
    const res = await send();
    assert.equal(res.status, 502);
    assert.equal(res.headers["content-type"], "text/html");
    assert.match(res.body, /<html>[\s\S]*502 Bad Gateway/);
    assert.equal(sandbox.messages().length, 0);
    // What the official client makes of it: a parse error, status lost (docs/spec/wire-format.md §9).
    sandbox.inject({ kind: "htmlError", status: 500 });
    const error = await rejection(sdkClient(sandbox, DEFAULT_KEY).batchSendMessageToGlobe(sdkRequest({ to: ["6591234567"], messages: ["x"] })));
    assert.equal(error.name, "SyntaxError");
    await servedNormallyAfterwards();
  });

  test("htmlError after accepting: recorded, then an HTML 503", async () => {
    sandbox.inject({ kind: "htmlError", status: 503, afterAccept: true });
    const res = await send();
    assert.equal(res.status, 503);
    assert.match(res.body, /503/);
    assert.equal(sandbox.messages().length, 2);
    await servedNormallyAfterwards();
  });

  test("truncatedJson: recorded, then a well-framed body cut half-way", async () => {
    sandbox.inject({ kind: "truncatedJson" });
    const res = await send();
    assert.equal(res.status, 200);
    assert.throws(() => JSON.parse(res.body), SyntaxError);
    assert.ok(res.body.startsWith('{"ResponseCode":"OK","RequestId":"'), res.body);
    assert.equal(sandbox.messages().length, 2);
    await servedNormallyAfterwards();
  });

  test("throttle: the gateway's throttling answer, nothing recorded; code, status and advice adjustable", async () => {
    sandbox.inject({ kind: "throttle" });
    let res = await send();
    assert.equal(res.status, 400);
    assert.equal(json(res).Code, "Throttling.User");
    assert.equal(res.headers["x-acs-retry-after"], "1000");
    assert.equal(sandbox.messages().length, 0);

    sandbox.inject({ kind: "throttle", code: "Throttling", status: 429, retryAfterMs: 250 });
    const error = await rejection(sdkClient(sandbox, DEFAULT_KEY).batchSendMessageToGlobe(sdkRequest({ to: ["6591234567"], messages: ["x"] })));
    assert.equal(error.name, "ThrottlingError");
    assert.equal(error.statusCode, 429);
    assert.equal(error.retryAfter, 250);
    res = await send();
    assert.equal(json(res).ResponseCode, "OK");
  });

  test("responseCode: a business refusal in an HTTP 200, nothing recorded", async () => {
    sandbox.inject({ kind: "responseCode", code: "QPS_LIMIT_CONTROL" });
    const res = await send();
    assert.equal(res.status, 200);
    const body = json(res);
    assert.equal(body.ResponseCode, "QPS_LIMIT_CONTROL");
    assert.ok(body.RequestId && body.ResponseDescription);
    assert.equal(sandbox.messages().length, 0);
    await servedNormallyAfterwards();
  });

  test("clockSkew: the sandbox's clock is off by the given ms for that request", async () => {
    sandbox.inject({ kind: "clockSkew", ms: 20 * 60 * 1000 });
    let res = await send();
    assert.equal(json(res).Code, "InvalidTimeStamp.Expired");
    sandbox.inject({ kind: "clockSkew", ms: -(10 * 60 * 1000) });
    res = await send();
    assert.equal(json(res).ResponseCode, "OK", "10 minutes is within the tolerance");
    await servedNormallyAfterwards();
  });

  test("count: a fault applies to that many requests, in injection order", async () => {
    sandbox.inject({ kind: "responseCode", code: "AMOUNT_NOT_ENOUGH", count: 2 });
    sandbox.inject({ kind: "throttle" });
    assert.deepEqual(sandbox.pendingFaults().map((f) => [f.kind, f.count]), [["responseCode", 2], ["throttle", 1]]);
    assert.equal(json(await send()).ResponseCode, "AMOUNT_NOT_ENOUGH");
    assert.equal(json(await send()).ResponseCode, "AMOUNT_NOT_ENOUGH");
    assert.equal(json(await send()).Code, "Throttling.User");
    await servedNormallyAfterwards();
  });

  test("invalid faults are refused with a TypeError", () => {
    for (const bad of [
      null,
      { kind: "explode" },
      { kind: "delay" },
      { kind: "delay", ms: -1 },
      { kind: "dropBeforeAccept", count: 0 },
      { kind: "htmlError", status: 404 },
      { kind: "throttle", code: "SignatureDoesNotMatch" },
      { kind: "responseCode", code: "OK" },
      { kind: "clockSkew", ms: 1.5 },
    ]) {
      assert.throws(() => sandbox.inject(bad), TypeError, JSON.stringify(bad));
    }
    assert.equal(sandbox.pendingFaults().length, 0);
  });

  test("the admin endpoint injects, lists and clears faults; admin calls consume none", async () => {
    let res = await raw(sandbox.url, {
      path: "/__sandbox/faults",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ kind: "htmlError", status: 503 }, { kind: "delay", ms: 1 }]),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(json(res).map((f) => f.kind), ["htmlError", "delay"]);
    res = await raw(sandbox.url, { method: "GET", path: "/__sandbox/faults" });
    assert.equal(json(res).length, 2, "listing consumed nothing");
    res = await send();
    assert.equal(res.status, 503);

    res = await raw(sandbox.url, { path: "/__sandbox/faults", body: '{"kind":"nope"}' });
    assert.equal(res.status, 400);
    assert.match(json(res).error, /unknown kind/);
    res = await raw(sandbox.url, { path: "/__sandbox/faults", body: "not json" });
    assert.equal(res.status, 400);
    res = await raw(sandbox.url, { path: "/__sandbox/faults", body: '[{"kind":"throttle"},{"kind":"nope"}]' });
    assert.equal(res.status, 400);
    assert.equal(sandbox.pendingFaults().length, 1, "a bad list adds nothing");

    res = await raw(sandbox.url, { method: "DELETE", path: "/__sandbox/faults" });
    assert.equal(res.status, 204);
    assert.equal(sandbox.pendingFaults().length, 0);
  });
});

describe("a client that leaves during a delay", () => {
  test("is logged as aborted, and the sandbox keeps serving", async () => {
    const lines = [];
    const sandbox = await startSandbox({ qps: Infinity, log: (line) => lines.push(line) });
    try {
      sandbox.inject({ kind: "delay", ms: 400 });
      const gone = await raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, OPERATION)}`, timeoutMs: 100 });
      assert.equal(gone.error?.message, "timeout");
      // Bounded wait for the delayed handler to notice (at most 5 s).
      for (let i = 0; i < 50 && sandbox.requests().length === 0; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(sandbox.requests()[0]?.code, "(client aborted)");
      assert.equal(sandbox.messages().length, 0);
      const res = await raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, OPERATION)}` });
      assert.equal(json(res).ResponseCode, "OK");
      assert.equal(lines.length, 2);
    } finally {
      await sandbox.close();
    }
  });
});
