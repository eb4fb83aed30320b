// Inspection endpoints, reset, CORS for pages on another localhost port, and the request log.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_KEY, DEFAULT_STS_KEY, startSandbox } from "../../pkg-template/sandbox/index.js";
import { json, manualClock, raw, sdkClient, sdkRequest, signedAcs3, signedV1 } from "./helpers.mjs";

const OPERATION = { To: '["6591234567"]', Message: '["hello"]', Type: "NOTIFY", From: "Alicloud", TaskId: "t1" };

describe("inspection and reset", () => {
  let sandbox;
  const clock = manualClock();
  before(async () => {
    sandbox = await startSandbox({ clock });
  });
  after(() => sandbox.close());

  test("GET /__sandbox/messages lists what messages() lists", async () => {
    const query = signedV1(DEFAULT_KEY, OPERATION);
    assert.equal(json(await raw(sandbox.url, { path: `/?${query}` })).ResponseCode, "OK");
    const res = await raw(sandbox.url, { method: "GET", path: "/__sandbox/messages" });
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/json;charset=utf-8");
    const listed = json(res);
    assert.deepEqual(listed, sandbox.messages());
    assert.equal(listed.length, 1);
    assert.deepEqual(Object.keys(listed[0]).sort(), [
      "accessKeyId", "channelId", "errorCode", "from", "message", "messageId", "operation", "outcome", "reportAt",
      "requestId", "scheme", "segments", "taskId", "time", "to", "type", "validityPeriod",
    ]);
    assert.equal(listed[0].operation, "BatchSendMessageToGlobe");
    assert.equal(listed[0].taskId, "t1");

    const requests = json(await raw(sandbox.url, { method: "GET", path: "/__sandbox/requests" }));
    assert.equal(requests.length, 1);
    assert.equal(requests[0].code, "OK");
    assert.equal(requests[0].status, 200);
    assert.equal(requests[0].recipients, 1);

    const info = json(await raw(sandbox.url, { method: "GET", path: "/__sandbox" }));
    assert.equal(info.url, sandbox.url);
    assert.deepEqual(info.accessKeyIds, [DEFAULT_KEY.accessKeyId, DEFAULT_STS_KEY.accessKeyId]);
    assert.ok(!JSON.stringify(info).includes(DEFAULT_KEY.accessKeySecret), "no secret on the info page");

    // The same request again is a replay, and the second within the second.
    const replay = await raw(sandbox.url, { path: `/?${query}` });
    assert.equal(json(replay).Code, "SignatureNonceUsed");
    const soon = await raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, OPERATION)}` });
    assert.equal(json(soon).Code, "Throttling.User");

    // DELETE resets everything: messages, nonces, rate state, request log, RequestId sequence.
    const firstRequestId = listed[0].requestId;
    const del = await raw(sandbox.url, { method: "DELETE", path: "/__sandbox/messages" });
    assert.equal(del.status, 204);
    assert.deepEqual(sandbox.messages(), []);
    assert.deepEqual(sandbox.requests(), []);
    const again = json(await raw(sandbox.url, { path: `/?${query}` }));
    assert.equal(again.ResponseCode, "OK", "nonce and rate state were cleared");
    assert.equal(again.RequestId, firstRequestId, "IDs restart");
  });

  test("unknown admin paths answer 404 JSON", async () => {
    const res = await raw(sandbox.url, { method: "GET", path: "/__sandbox/nothing" });
    assert.equal(res.status, 404);
    assert.match(json(res).error, /no admin endpoint/);
  });
});

describe("CORS", () => {
  let sandbox;
  before(async () => {
    sandbox = await startSandbox({ qps: Infinity });
  });
  after(() => sandbox.close());

  test("a preflight for an ACS3 call from another localhost port is allowed", async () => {
    const res = await raw(sandbox.url, {
      method: "OPTIONS",
      path: "/",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,x-acs-action,x-acs-date,x-acs-signature-nonce,x-acs-content-sha256,x-acs-version",
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers["access-control-allow-origin"], "*");
    assert.match(res.headers["access-control-allow-methods"], /POST/);
    for (const name of ["authorization", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"]) {
      assert.ok(res.headers["access-control-allow-headers"].includes(name), name);
    }
    assert.equal(sandbox.requests().length, 0, "a preflight is not an API call");
  });

  test("without a requested list the preflight allows the x-acs-* and authorization headers", async () => {
    const res = await raw(sandbox.url, { method: "OPTIONS", path: "/", headers: { origin: "http://127.0.0.1:8080" } });
    assert.match(res.headers["access-control-allow-headers"], /authorization.*x-acs-security-token/);
  });

  test("answers, errors and admin replies carry Access-Control-Allow-Origin and expose retry advice", async () => {
    const ok = await raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, OPERATION)}`, headers: { origin: "http://localhost:5173" } });
    assert.equal(ok.headers["access-control-allow-origin"], "*");
    assert.match(ok.headers["access-control-expose-headers"], /x-acs-retry-after/);
    const bad = await raw(sandbox.url, { path: "/?Action=BatchSendMessageToGlobe" });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers["access-control-allow-origin"], "*");
    const admin = await raw(sandbox.url, { method: "GET", path: "/__sandbox/messages" });
    assert.equal(admin.headers["access-control-allow-origin"], "*");
  });
});

describe("request log", () => {
  test("one line per request, with method, action, status, code, recipients and ms, and no secret", async () => {
    const lines = [];
    const sandbox = await startSandbox({ qps: 1, clock: manualClock(), log: (line) => lines.push(line) });
    try {
      await sdkClient(sandbox, DEFAULT_STS_KEY, { signatureAlgorithm: "v2" }).batchSendMessageToGlobe(
        sdkRequest({ to: ["6591234567", "85291234567"], messages: ["a", "b"], type: "NOTIFY" }),
      );
      const acs3 = signedAcs3(DEFAULT_STS_KEY, `127.0.0.1:${sandbox.port}`, OPERATION);
      await raw(sandbox.url, acs3); // throttled: same key within the second
      await raw(sandbox.url, { path: `/?${signedV1({ ...DEFAULT_KEY, accessKeySecret: "wrong" }, OPERATION)}` });
      await raw(sandbox.url, { method: "GET", path: "/__sandbox/messages" }); // admin: not logged

      assert.equal(lines.length, 3, lines.join("\n"));
      assert.match(lines[0], /^\S+ POST BatchSendMessageToGlobe 200 OK to=2 \d+ms$/);
      assert.match(lines[1], /^\S+ POST BatchSendMessageToGlobe 400 Throttling\.User to=0 \d+ms$/);
      assert.match(lines[2], /^\S+ POST BatchSendMessageToGlobe 400 SignatureDoesNotMatch to=0 \d+ms$/);
      const all = lines.join("\n");
      const acs3Signature = /Signature=([0-9a-f]{64})/.exec(acs3.headers.authorization)[1];
      for (const secret of [
        DEFAULT_KEY.accessKeySecret,
        DEFAULT_STS_KEY.accessKeySecret,
        DEFAULT_STS_KEY.securityToken,
        DEFAULT_STS_KEY.accessKeyId,
        DEFAULT_KEY.accessKeyId,
        acs3Signature,
        "Signature=",
        "SignatureNonce",
        "?",
      ]) {
        assert.ok(!all.includes(secret), `log holds ${secret}`);
      }
    } finally {
      await sandbox.close();
    }
  });
});
