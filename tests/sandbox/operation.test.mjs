// The operation's own checks (business ResponseCodes in an HTTP 200), the success shape, the
// failure rule, formats, GET and form bodies, common-parameter checks and deterministic IDs.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_KEY, DEFAULT_STS_KEY, startSandbox } from "../../pkg-template/sandbox/index.js";
import { freshNonce, isoSeconds, json, raw, signedAcs3, signedV1 } from "./helpers.mjs";

const TO = ["6591234567", "85291234567"];
const MESSAGES = ["Hello one", "Hello two"];

function operation(overrides = {}) {
  const op = { To: JSON.stringify(TO), Message: JSON.stringify(MESSAGES), Type: "NOTIFY", From: "Alicloud", ...overrides };
  for (const name of Object.keys(op)) if (op[name] === undefined) delete op[name];
  return op;
}

describe("BatchSendMessageToGlobe checks", () => {
  let sandbox;
  before(async () => {
    sandbox = await startSandbox({ qps: Infinity, failNumbers: ["447700900123"] });
  });
  after(() => sandbox.close());

  async function send(op, options) {
    return raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, op, options)}` });
  }

  async function businessCode(overrides) {
    sandbox.reset();
    const res = await send(operation(overrides));
    assert.equal(res.status, 200, res.body);
    const body = json(res);
    if (body.ResponseCode !== "OK") {
      assert.equal(sandbox.messages().length, 0, "a refused call records nothing");
      assert.ok(body.RequestId && body.ResponseDescription);
    }
    return body.ResponseCode;
  }

  test("success has the real shape: every field a string, arrays as JSON text", async () => {
    sandbox.reset();
    const res = await send(operation({ TaskId: "t-1" }));
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/json;charset=utf-8");
    const body = json(res);
    assert.deepEqual(Object.keys(body), [
      "ResponseCode", "RequestId", "FailedList", "ResponseDescription", "From", "MessageIdList", "SuccessCount",
    ]);
    for (const value of Object.values(body)) assert.equal(typeof value, "string");
    assert.equal(body.ResponseCode, "OK");
    assert.match(body.RequestId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    assert.equal(body.FailedList, "[]");
    assert.equal(body.ResponseDescription, "The SMS Send Request was accepted");
    assert.equal(body.From, "Alicloud");
    assert.equal(body.SuccessCount, "2");
    assert.equal(res.headers["x-acs-request-id"], body.RequestId);
    assert.equal(sandbox.messages()[1].taskId, "t-1");
  });

  test("To and Message must be non-empty JSON arrays of strings: INVALID_JSON_PARAM", async () => {
    assert.equal(await businessCode({ To: "6591234567" }), "INVALID_JSON_PARAM");
    assert.equal(await businessCode({ To: "" }), "INVALID_JSON_PARAM");
    assert.equal(await businessCode({ To: "[]" }), "INVALID_JSON_PARAM");
    assert.equal(await businessCode({ To: "[6591234567, 85291234567]" }), "INVALID_JSON_PARAM");
    assert.equal(await businessCode({ Message: '["unterminated' }), "INVALID_JSON_PARAM");
    assert.equal(await businessCode({ Message: '{"a":"b"}' }), "INVALID_JSON_PARAM");
  });

  test("To and Message of different lengths: INVALID_PARAMETERS", async () => {
    assert.equal(await businessCode({ Message: JSON.stringify(["only one"]) }), "INVALID_PARAMETERS");
  });

  test("more than 1000 numbers: MOBILE_COUNT_OVER_LIMIT; exactly 1000 is accepted", async () => {
    const numbers = (n) => Array.from({ length: n }, (_, i) => String(6590000001 + i));
    const texts = (n) => Array.from({ length: n }, () => "x");
    assert.equal(
      await businessCode({ To: JSON.stringify(numbers(1001)), Message: JSON.stringify(texts(1001)) }),
      "MOBILE_COUNT_OVER_LIMIT",
    );
    assert.equal(await businessCode({ To: JSON.stringify(numbers(1000)), Message: JSON.stringify(texts(1000)) }), "OK");
    assert.equal(sandbox.messages().length, 1000);
  });

  test("Type must be NOTIFY or MKT", async () => {
    assert.equal(await businessCode({ Type: "MKT" }), "OK");
    assert.equal(await businessCode({ Type: "OTP" }), "INVALID_PARAMETERS");
    assert.equal(await businessCode({ Type: "notify" }), "INVALID_PARAMETERS");
  });

  test("From: letters and digits, at most 11 with a letter, 15 digits only", async () => {
    assert.equal(await businessCode({ From: "Abcdefghijk" }), "OK");
    assert.equal(await businessCode({ From: "123456789012345" }), "OK");
    assert.equal(await businessCode({ From: "Abcdefghijkl" }), "INVALID_SENDERID");
    assert.equal(await businessCode({ From: "1234567890123456" }), "INVALID_SENDERID");
    assert.equal(await businessCode({ From: "Ali cloud" }), "INVALID_SENDERID");
    assert.equal(await businessCode({ From: "Ali-cloud" }), "INVALID_SENDERID");
  });

  test("an empty From means none: OK, and no From in the answer", async () => {
    sandbox.reset();
    const body = json(await send(operation({ From: "" })));
    assert.equal(body.ResponseCode, "OK");
    assert.equal("From" in body, false);
    assert.equal(sandbox.messages()[0].from, null);
  });

  test("TaskId 1..255 characters; ValidityPeriod whole seconds", async () => {
    assert.equal(await businessCode({ TaskId: "x".repeat(255) }), "OK");
    assert.equal(await businessCode({ TaskId: "x".repeat(256) }), "INVALID_PARAMETERS");
    assert.equal(await businessCode({ TaskId: "" }), "INVALID_PARAMETERS");
    assert.equal(await businessCode({ ValidityPeriod: "3600" }), "OK");
    assert.equal(await businessCode({ ValidityPeriod: "1h" }), "INVALID_PARAMETERS");
  });

  test("an empty message text: INVALID_PARAMETERS", async () => {
    assert.equal(await businessCode({ Message: JSON.stringify(["Hello", ""]) }), "INVALID_PARAMETERS");
  });

  test("a malformed number refuses the whole call: MOBILE_NUMBER_ILLEGAL with the culprits", async () => {
    for (const bad of ["+6591234567", "006591234567", "65 9123 4567", "659123", "6591234567890123", "0591234567"]) {
      sandbox.reset();
      const body = json(await send(operation({ To: JSON.stringify(["85291234567", bad]) })));
      assert.equal(body.ResponseCode, "MOBILE_NUMBER_ILLEGAL", bad);
      assert.deepEqual(JSON.parse(body.FailedList), [bad]);
      assert.equal(sandbox.messages().length, 0);
    }
  });

  test("FailedList: +86 numbers, numbers ending in 0000, failNumbers; IDs pair in To order", async () => {
    sandbox.reset();
    const to = ["6591234567", "8613800138000", "85291230000", "447700900123", "61412345678"];
    const body = json(await send(operation({ To: JSON.stringify(to), Message: JSON.stringify(to.map((n) => `to ${n}`)) })));
    assert.equal(body.ResponseCode, "OK");
    assert.deepEqual(JSON.parse(body.FailedList), ["8613800138000", "85291230000", "447700900123"]);
    assert.equal(body.SuccessCount, "2");
    const ids = JSON.parse(body.MessageIdList);
    const recorded = sandbox.messages();
    assert.deepEqual(recorded.map((m) => [m.to, m.message, m.messageId]), [
      ["6591234567", "to 6591234567", ids[0]],
      ["61412345678", "to 61412345678", ids[1]],
    ]);
  });

  test("a call whose every number fails is still OK with SuccessCount 0", async () => {
    sandbox.reset();
    const body = json(await send(operation({ To: JSON.stringify(["8613800138000"]), Message: '["x"]' })));
    assert.equal(body.ResponseCode, "OK");
    assert.equal(body.SuccessCount, "0");
    assert.equal(body.MessageIdList, "[]");
  });

  test("a missing To, Message or Type is refused by the gateway: Missing<Param>, 400", async () => {
    for (const name of ["To", "Message", "Type"]) {
      const res = await send(operation({ [name]: undefined }));
      assert.equal(res.status, 400);
      assert.equal(json(res).Code, `Missing${name}`);
      assert.equal(json(res).Message, `${name} is mandatory for this action.`);
    }
  });
});

describe("common parameters and the gateway's checks (signature 1.0)", () => {
  let sandbox;
  before(async () => {
    sandbox = await startSandbox({ qps: Infinity });
  });
  after(() => sandbox.close());

  const send = (op, options) => raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, op, options)}` });

  test("each missing common parameter: Missing<Param>, 400", async () => {
    for (const name of ["Action", "Version", "AccessKeyId", "SignatureMethod", "SignatureVersion", "Timestamp", "SignatureNonce"]) {
      const res = await send(operation(), { extra: { [name]: undefined } });
      assert.equal(res.status, 400, name);
      assert.equal(json(res).Code, `Missing${name}`);
    }
    const query = signedV1(DEFAULT_KEY, operation()).replace(/&Signature=[^&]*/, "");
    const res = await raw(sandbox.url, { path: `/?${query}` });
    assert.equal(json(res).Code, "MissingSignature");
  });

  test("a malformed timestamp: InvalidTimeStamp.Format, 400", async () => {
    for (const bad of ["2025-01-02 03:04:05", "2025-13-02T03:04:05Z", "2025-02-30T03:04:05Z", "1735787045", "2025-01-02T03:04:05+08:00"]) {
      const res = await send(operation(), { extra: { Timestamp: bad } });
      assert.equal(res.status, 400, bad);
      assert.equal(json(res).Code, "InvalidTimeStamp.Format", bad);
    }
  });

  test("milliseconds in the timestamp are accepted", async () => {
    const res = await send(operation(), { extra: { Timestamp: new Date().toISOString() } });
    assert.equal(json(res).ResponseCode, "OK");
  });

  test("another signature method: InvalidSignatureMethod; another version: InvalidSignatureVersion", async () => {
    let res = await send(operation(), { extra: { SignatureMethod: "HMAC-SHA256" } });
    assert.equal(json(res).Code, "InvalidSignatureMethod");
    res = await send(operation(), { extra: { SignatureVersion: "2.0" } });
    assert.equal(json(res).Code, "InvalidSignatureVersion");
  });

  test("another action: InvalidApi.NotFound, 404; another version: InvalidVersion, 400", async () => {
    // SendMessageWithTemplate exists in the version but is mainland-only: the sandbox serves it not.
    let res = await send(operation(), { extra: { Action: "SendMessageWithTemplate" } });
    assert.equal(res.status, 404);
    assert.equal(json(res).Code, "InvalidApi.NotFound");
    res = await send(operation(), { extra: { Version: "2017-05-25" } });
    assert.equal(res.status, 400);
    assert.equal(json(res).Code, "InvalidVersion");
  });

  test("an unknown Format value: InvalidParameter.Format, 400", async () => {
    const res = await send(operation(), { format: "YAML" });
    assert.equal(res.status, 400);
    assert.equal(json(res).Code, "InvalidParameter.Format");
  });

  test("other paths and methods are refused", async () => {
    const query = signedV1(DEFAULT_KEY, operation());
    let res = await raw(sandbox.url, { path: `/v2/?${query}` });
    assert.equal(res.status, 404);
    assert.equal(json(res).Code, "InvalidApi.NotFound");
    res = await raw(sandbox.url, { method: "PUT", path: `/?${signedV1(DEFAULT_KEY, operation())}` });
    assert.equal(res.status, 400);
    assert.equal(json(res).Code, "UnsupportedHTTPMethod");
  });

  test("an STS key's token is checked, a long-term key may not carry one", async () => {
    let res = await raw(sandbox.url, { path: `/?${signedV1(DEFAULT_STS_KEY, operation())}` });
    assert.equal(json(res).ResponseCode, "OK");
    res = await raw(sandbox.url, {
      path: `/?${signedV1({ ...DEFAULT_KEY, securityToken: "stray" }, operation())}`,
    });
    assert.equal(json(res).Code, "InvalidSecurityToken.MismatchWithAccessKey");
  });

  test("an STS signature mismatch shows the string to sign with the token redacted", async () => {
    const query = signedV1(DEFAULT_STS_KEY, operation()).replace("Type=NOTIFY", "Type=MKT");
    const res = await raw(sandbox.url, { path: `/?${query}` });
    const { Code, Message } = json(res);
    assert.equal(Code, "SignatureDoesNotMatch");
    assert.match(Message, /SecurityToken%3DREDACTED/);
    assert.ok(!Message.includes("SandboxStsToken"));
  });
});

describe("formats, methods and where parameters travel", () => {
  let sandbox;
  before(async () => {
    sandbox = await startSandbox({ qps: Infinity });
  });
  after(() => sandbox.close());

  test("no Format: XML, the gateway's default; Format=XML too", async () => {
    for (const format of [null, "XML", "xml"]) {
      const res = await raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, operation(), { format })}` });
      assert.equal(res.status, 200);
      assert.equal(res.headers["content-type"], "application/xml;charset=utf-8");
      assert.match(res.body, /^<\?xml version="1\.0" encoding="UTF-8"\?><BatchSendMessageToGlobeResponse><ResponseCode>OK<\/ResponseCode><RequestId>[0-9A-F-]{36}<\/RequestId><FailedList>\[\]<\/FailedList><ResponseDescription>The SMS Send Request was accepted<\/ResponseDescription><From>Alicloud<\/From><MessageIdList>\[&quot;\d{19}&quot;,&quot;\d{19}&quot;\]<\/MessageIdList><SuccessCount>2<\/SuccessCount><\/BatchSendMessageToGlobeResponse>$/);
    }
  });

  test("gateway errors in XML when Format=XML", async () => {
    const res = await raw(sandbox.url, {
      path: `/?${signedV1({ ...DEFAULT_KEY, accessKeyId: "LTAI5tUnknown" }, operation(), { format: "XML" })}`,
    });
    assert.equal(res.status, 404);
    assert.match(res.body, /<Error><RequestId>[0-9A-F-]{36}<\/RequestId><HostId>127\.0\.0\.1:\d+<\/HostId><Code>InvalidAccessKeyId\.NotFound<\/Code><Message>Specified access key is not found\.<\/Message><Recommend>[^<]+<\/Recommend><\/Error>$/);
  });

  test("GET with everything in the query (signed with GET)", async () => {
    const res = await raw(sandbox.url, { method: "GET", path: `/?${signedV1(DEFAULT_KEY, operation(), { method: "GET" })}` });
    assert.equal(json(res).ResponseCode, "OK");
    const wrong = await raw(sandbox.url, { method: "GET", path: `/?${signedV1(DEFAULT_KEY, operation(), { method: "POST" })}` });
    assert.equal(json(wrong).Code, "SignatureDoesNotMatch", "the method is signed");
  });

  test("POST with every parameter in a form body", async () => {
    sandbox.reset();
    const body = signedV1(DEFAULT_KEY, operation());
    const res = await raw(sandbox.url, {
      path: "/",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", "content-length": Buffer.byteLength(body) },
      body,
    });
    assert.equal(json(res).ResponseCode, "OK");
    assert.deepEqual(sandbox.messages().map((m) => m.message), MESSAGES);
  });

  test("POST with the common parameters in the query and the operation's in the body", async () => {
    const all = new URLSearchParams(signedV1(DEFAULT_KEY, operation()));
    const query = new URLSearchParams();
    const form = new URLSearchParams();
    for (const [name, value] of all) (["To", "Message", "Type", "From"].includes(name) ? form : query).append(name, value);
    const res = await raw(sandbox.url, {
      path: `/?${query}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    assert.equal(json(res).ResponseCode, "OK");
  });

  test("ACS3 without Format answers JSON because of accept: application/json", async () => {
    const { path, headers } = signedAcs3(DEFAULT_KEY, `127.0.0.1:${sandbox.port}`, operation());
    const res = await raw(sandbox.url, { path, headers });
    assert.equal(res.headers["content-type"], "application/json;charset=utf-8");
    assert.equal(json(res).ResponseCode, "OK");
    const { accept: _a, ...noAccept } = signedAcs3(DEFAULT_KEY, `127.0.0.1:${sandbox.port}`, operation()).headers;
    const xml = await raw(sandbox.url, { path, headers: { ...noAccept } });
    assert.match(xml.body, /^<\?xml/);
  });

  test("ACS3 with the operation's parameters in a form body covered by x-acs-content-sha256", async () => {
    sandbox.reset();
    const form = new URLSearchParams(operation()).toString();
    const signed = signedAcs3(DEFAULT_KEY, `127.0.0.1:${sandbox.port}`, {}, { body: form });
    const headers = { ...signed.headers, "content-type": "application/x-www-form-urlencoded" };
    const res = await raw(sandbox.url, { path: "/", headers, body: form });
    assert.equal(json(res).ResponseCode, "OK", res.body);
    assert.equal(sandbox.messages().length, 2);

    const again = signedAcs3(DEFAULT_KEY, `127.0.0.1:${sandbox.port}`, {}, { body: form });
    const swapped = form.replace("NOTIFY", "MKT");
    const bad = await raw(sandbox.url, { path: "/", headers: { ...again.headers, "content-type": "application/x-www-form-urlencoded" }, body: swapped });
    assert.equal(json(bad).Code, "SignatureDoesNotMatch");
    assert.match(json(bad).Message, /x-acs-content-sha256 does not match the body/);
  });

  test("ACS3 missing headers: Missing<Param>", async () => {
    const { path, headers } = signedAcs3(DEFAULT_KEY, `127.0.0.1:${sandbox.port}`, operation());
    const { "x-acs-date": _d, ...noDate } = headers;
    const res = await raw(sandbox.url, { path, headers: noDate });
    assert.equal(json(res).Code, "MissingTimestamp");
    const malformed = await raw(sandbox.url, { path, headers: { ...headers, authorization: "ACS3-HMAC-SHA256 Signature=abc" } });
    assert.equal(json(malformed).Code, "IncompleteSignature");
    const otherAlgorithm = await raw(sandbox.url, {
      path,
      headers: { ...headers, authorization: headers.authorization.replace("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3") },
    });
    assert.equal(json(otherAlgorithm).Code, "InvalidSignatureMethod");
  });
});

describe("deterministic IDs", () => {
  test("two fresh sandboxes given the same calls answer the same RequestIds and MessageIds; reset restarts them", async () => {
    const a = await startSandbox({ qps: Infinity });
    const b = await startSandbox({ qps: Infinity });
    try {
      const ids = async (sandbox) => {
        const out = [];
        for (let i = 0; i < 3; i += 1) {
          const body = json(await raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, operation(), { nonce: freshNonce() })}` }));
          out.push([body.RequestId, body.MessageIdList]);
        }
        return out;
      };
      const first = await ids(a);
      assert.deepEqual(await ids(b), first);
      a.reset();
      assert.deepEqual(await ids(a), first);
      assert.equal(new Set(first.map(([r]) => r)).size, 3);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("timestamps are checked against the sandbox clock option", async () => {
    const at = Date.parse("2030-06-01T00:00:00Z");
    const sandbox = await startSandbox({ qps: Infinity, clock: () => at });
    try {
      let res = await raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, operation(), { now: at })}` });
      assert.equal(json(res).ResponseCode, "OK");
      assert.equal(sandbox.messages()[0].time, "2030-06-01T00:00:00.000Z");
      res = await raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, operation(), { now: Date.now() })}` });
      assert.equal(json(res).Code, "InvalidTimeStamp.Expired");
      assert.equal(isoSeconds(at), "2030-06-01T00:00:00Z");
    } finally {
      await sandbox.close();
    }
  });
});
