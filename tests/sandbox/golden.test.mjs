// Every golden vector in tests/fixtures/golden verifies with the sandbox's own verifier, both as
// pure functions (fixed inputs) and sent byte for byte to a running sandbox whose clock is set
// to the vector's time; a tampered copy of each fails.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  canonicalizedQueryV1,
  decodeForm,
  signatureV1,
  startSandbox,
  stringToSignV1,
  verifySignatureAcs3,
  verifySignatureV1,
} from "../../pkg-template/sandbox/index.js";
import { encodeQuery, golden, headerObject, json, raw, tamper } from "./helpers.mjs";

const V1 = golden("signature-v1.json");
const ACS3 = golden("signature-acs3.json");
const BATCH = golden("batch-1000.json");
const PY_V1 = golden("python-sdk-crosscheck.json");
const PY_ACS3 = golden("python-sdk-acs3-crosscheck.json");
const V1_BY_ID = new Map(V1.map((v) => [v.id, v]));

const MISMATCH = "Specified signature is not matched with our calculation.";

/** Decoded parameters of a raw query, as a plain record. */
function params(rawQuery) {
  return Object.fromEntries(decodeForm(rawQuery));
}

/** Replaces one parameter of a raw query (decoded, changed, re-encoded). */
function tamperQuery(rawQuery, name) {
  const pairs = decodeForm(rawQuery).map(([n, v]) => [n, n === name ? tamper(v) : v]);
  assert.ok(pairs.some(([n]) => n === name), `query has ${name}`);
  return encodeQuery(pairs);
}

function keyOf(inputs) {
  const key = { accessKeyId: inputs.accessKeyId, accessKeySecret: inputs.accessKeySecret };
  if (inputs.securityToken) key.securityToken = inputs.securityToken;
  return key;
}

/** A sandbox that knows one key, has its clock at the vector's time and no rate limit. */
function sandboxAt(key, isoTime) {
  const at = Date.parse(isoTime);
  assert.ok(Number.isFinite(at), `vector time ${isoTime} parses`);
  return startSandbox({ keys: [key], clock: () => at, qps: Infinity });
}

/** Sends a signature-1.0 raw query twice-checked: tampered (refused), as is (OK), again (nonce used). */
async function replayV1({ key, time, rawQuery, expectedRecipients, tamperParam = "To" }) {
  const sandbox = await sandboxAt(key, time);
  try {
    const bad = await raw(sandbox.url, { path: `/?${tamperQuery(rawQuery, tamperParam)}` });
    assert.equal(bad.status, 400, bad.body);
    assert.equal(json(bad).Code, "SignatureDoesNotMatch");
    assert.equal(sandbox.messages().length, 0);

    const good = await raw(sandbox.url, { path: `/?${rawQuery}` });
    assert.equal(good.status, 200, good.body);
    const body = json(good);
    assert.equal(body.ResponseCode, "OK");
    assert.equal(Number(body.SuccessCount) + JSON.parse(body.FailedList).length, expectedRecipients);
    assert.equal(sandbox.messages().length, Number(body.SuccessCount));

    const again = await raw(sandbox.url, { path: `/?${rawQuery}` });
    assert.equal(again.status, 400);
    assert.equal(json(again).Code, "SignatureNonceUsed");
    return { bad: json(bad), good: body, sandbox };
  } finally {
    await sandbox.close();
  }
}

describe("signature-v1.json", () => {
  for (const v of V1) {
    test(`${v.id}: pure verifier reproduces the canonical string, string-to-sign and signature`, () => {
      const decoded = params(v.sent.rawQuery);
      const { Signature, ...signed } = decoded;
      assert.deepEqual(signed, v.signedParameters, "raw query decodes to the signed parameters");
      assert.equal(Signature, v.signature);
      assert.equal(canonicalizedQueryV1(decoded), v.canonicalizedQueryString);
      assert.equal(stringToSignV1(v.method, decoded), v.stringToSign);
      assert.equal(signatureV1(v.stringToSign, v.inputs.accessKeySecret), v.signature);
      assert.equal(`${v.inputs.accessKeySecret}&`, v.hmacKey);
      const ok = verifySignatureV1({ method: v.method, params: decoded, accessKeySecret: v.inputs.accessKeySecret });
      assert.equal(ok.valid, true);
    });

    test(`${v.id}: tampered copies fail`, () => {
      const decoded = params(v.sent.rawQuery);
      const secret = v.inputs.accessKeySecret;
      for (const name of ["To", "Message", "Timestamp", "SignatureNonce", "AccessKeyId", "Signature"]) {
        const changed = { ...decoded, [name]: tamper(decoded[name]) };
        assert.equal(verifySignatureV1({ method: "POST", params: changed, accessKeySecret: secret }).valid, false, name);
      }
      assert.equal(verifySignatureV1({ method: "GET", params: decoded, accessKeySecret: secret }).valid, false, "method");
      assert.equal(verifySignatureV1({ method: "POST", params: decoded, accessKeySecret: tamper(secret) }).valid, false, "secret");
      const extra = { ...decoded, RegionId: "ap-southeast-1" };
      assert.equal(verifySignatureV1({ method: "POST", params: extra, accessKeySecret: secret }).valid, false, "added parameter");
    });

    test(`${v.id}: the raw request verifies on a running sandbox`, async () => {
      const { bad } = await replayV1({
        key: keyOf(v.inputs),
        time: v.fixed.Timestamp,
        rawQuery: v.sent.rawQuery,
        expectedRecipients: v.inputsDecoded.To.length,
      });
      if (v.inputs.securityToken) {
        assert.ok(!bad.Message.includes(v.inputs.securityToken.slice(0, 12)), "token not echoed");
        assert.ok(bad.Message.includes("REDACTED"));
      } else {
        const tampered = params(tamperQuery(v.sent.rawQuery, "To"));
        assert.equal(bad.Message, `${MISMATCH} server string to sign is:${stringToSignV1("POST", tampered)}`);
      }
    });
  }
});

describe("batch-1000.json", () => {
  const [v] = BATCH;
  test("1000 recipients: pure verification and tampering", () => {
    const decoded = params(v.sent.rawQuery);
    assert.equal(stringToSignV1("POST", decoded), v.stringToSign);
    assert.equal(verifySignatureV1({ method: "POST", params: decoded, accessKeySecret: v.inputs.accessKeySecret }).valid, true);
    const changed = { ...decoded, Message: tamper(decoded.Message) };
    assert.equal(verifySignatureV1({ method: "POST", params: changed, accessKeySecret: v.inputs.accessKeySecret }).valid, false);
  });

  test("1000 recipients in one URL are accepted end to end", async () => {
    assert.ok(v.sent.rawQuery.length > 16 * 1024, "larger than Node's default header limit");
    const sandbox = await sandboxAt(keyOf(v.inputs), v.fixed.Timestamp);
    try {
      const res = await raw(sandbox.url, { path: `/?${v.sent.rawQuery}` });
      assert.equal(res.status, 200, res.body.slice(0, 300));
      const body = json(res);
      assert.equal(body.ResponseCode, "OK");
      // The one number ending in 0000 lands in FailedList by the sandbox's failure rule.
      const expectedFailed = v.inputsDecoded.To.filter((n) => n.endsWith("0000"));
      assert.equal(expectedFailed.length, 1);
      assert.deepEqual(JSON.parse(body.FailedList), expectedFailed);
      assert.equal(body.SuccessCount, "999");
      const ids = JSON.parse(body.MessageIdList);
      assert.equal(ids.length, 999);
      assert.equal(new Set(ids).size, 999, "MessageIds are unique");
      const messages = sandbox.messages();
      assert.equal(messages.length, 999);
      const sentTo = v.inputsDecoded.To.filter((n) => !n.endsWith("0000"));
      assert.deepEqual(messages.map((m) => m.to), sentTo, "recorded in To order");
      assert.deepEqual(messages.map((m) => m.messageId), ids, "MessageIdList pairs in order");
      const i = v.inputsDecoded.To.indexOf(messages[5].to);
      assert.equal(messages[5].message, v.inputsDecoded.Message[i]);
    } finally {
      await sandbox.close();
    }
  });
});

describe("signature-acs3.json", () => {
  for (const v of ACS3) {
    const input = (overrides = {}) => ({
      method: v.method,
      path: v.canonicalUri,
      query: v.queryParameters,
      headers: { ...v.signedHeaderValues, authorization: v.authorization },
      body: "",
      accessKeySecret: v.inputs.accessKeySecret,
      ...overrides,
    });

    test(`${v.id}: pure verifier rebuilds the canonical request and signature`, () => {
      assert.deepEqual(params(v.sent.rawQuery), v.queryParameters, "raw query decodes to the query parameters");
      const result = verifySignatureAcs3(input());
      assert.equal(result.canonicalRequest, v.canonicalRequest);
      assert.equal(result.stringToSign, v.stringToSign);
      assert.equal(result.valid, true);
      // The whole captured header set (user-agent, accept, ...) verifies the same way.
      const sentHeaders = headerObject(v.sent.headers);
      sentHeaders.authorization = sentHeaders.Authorization;
      delete sentHeaders.Authorization;
      assert.equal(verifySignatureAcs3(input({ headers: sentHeaders })).valid, true);
    });

    test(`${v.id}: tampered copies fail`, () => {
      const firstQuery = Object.keys(v.queryParameters)[0];
      const cases = {
        query: { query: { ...v.queryParameters, [firstQuery]: tamper(v.queryParameters[firstQuery]) } },
        date: { headers: { ...v.signedHeaderValues, "x-acs-date": tamper(v.signedHeaderValues["x-acs-date"]), authorization: v.authorization } },
        host: { headers: { ...v.signedHeaderValues, host: `${v.signedHeaderValues.host}.evil`, authorization: v.authorization } },
        signature: { headers: { ...v.signedHeaderValues, authorization: tamper(v.authorization) } },
        secret: { accessKeySecret: tamper(v.inputs.accessKeySecret) },
        body: { body: "To=x" },
        method: { method: "GET" },
      };
      for (const [name, overrides] of Object.entries(cases)) {
        assert.equal(verifySignatureAcs3(input(overrides)).valid, false, name);
      }
    });

    test(`${v.id}: the captured request verifies on a running sandbox`, async () => {
      const sandbox = await sandboxAt(keyOf(v.inputs), v.fixed["x-acs-date"]);
      try {
        const headers = headerObject(v.sent.headers);
        const path = `/?${v.sent.rawQuery}`;
        // One second later: still a valid, current time, but not the one that was signed.
        const bad = await raw(sandbox.url, { path, headers: { ...headers, "x-acs-date": tamper(v.fixed["x-acs-date"]) } });
        assert.equal(bad.status, 400, bad.body);
        assert.equal(json(bad).Code, "SignatureDoesNotMatch");
        assert.match(json(bad).Message, /server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/);

        const good = await raw(sandbox.url, { path, headers });
        assert.equal(good.status, 200, good.body);
        const body = json(good);
        assert.equal(body.ResponseCode, "OK");
        assert.equal(sandbox.messages().length, v.inputsDecoded.To.length);
        assert.equal(sandbox.messages()[0].scheme, "acs3");

        const again = await raw(sandbox.url, { path, headers });
        assert.equal(json(again).Code, "SignatureNonceUsed");
      } finally {
        await sandbox.close();
      }
    });
  }
});

describe("python-sdk-crosscheck.json (signature 1.0, '+' for spaces)", () => {
  for (const v of PY_V1) {
    const node = V1_BY_ID.get(v.id);
    const key = keyOf(node.inputs);

    for (const sdk of ["teaOpenapi", "aliyunPythonSdkCore"]) {
      const capture = v[sdk];
      test(`${v.id} / ${sdk}: verifies, and a tampered copy fails`, () => {
        const decoded = params(capture.sent.rawQuery);
        assert.deepEqual(decoded, capture.decodedParameters);
        assert.equal(stringToSignV1("POST", decoded), capture.stringToSign);
        assert.equal(verifySignatureV1({ method: "POST", params: decoded, accessKeySecret: key.accessKeySecret }).valid, true);
        // Reading '+' literally instead of as a space must break the signature.
        const literalPlus = Object.fromEntries(
          decodeForm(capture.sent.rawQuery.replace(/\+/g, "%2B")),
        );
        if (capture.sent.rawQuery.includes("+")) {
          assert.equal(verifySignatureV1({ method: "POST", params: literalPlus, accessKeySecret: key.accessKeySecret }).valid, false);
        }
        const changed = { ...decoded, To: tamper(decoded.To) };
        assert.equal(verifySignatureV1({ method: "POST", params: changed, accessKeySecret: key.accessKeySecret }).valid, false);
      });

      test(`${v.id} / ${sdk}: the raw request verifies on a running sandbox`, async () => {
        await replayV1({
          key,
          time: node.fixed.Timestamp,
          rawQuery: capture.sent.rawQuery,
          expectedRecipients: node.inputsDecoded.To.length,
        });
      });
    }
  }

  test("the Python SDK's query really uses '+' for spaces", () => {
    assert.ok(PY_V1.some((v) => v.teaOpenapi.sent.rawQuery.includes("+")));
  });
});

describe("python-sdk-acs3-crosscheck.json (accept and user-agent signed)", () => {
  const ACS3_BY_ID = new Map(ACS3.map((v) => [v.id, v]));
  for (const v of PY_ACS3) {
    const node = ACS3_BY_ID.get(v.id);
    const capture = v.teaOpenapiDefault;
    const headers = () => headerObject(capture.sent.headers);

    test(`${v.id}: verifies with its own SignedHeaders; a changed user-agent fails`, () => {
      const h = headers();
      const lower = Object.fromEntries(Object.entries(h).map(([k, val]) => [k.toLowerCase(), val]));
      assert.match(lower.authorization, /SignedHeaders=accept;host;user-agent;/);
      const base = {
        method: "POST",
        path: "/",
        query: params(capture.sent.rawQuery),
        body: "",
        accessKeySecret: node.inputs.accessKeySecret,
      };
      const result = verifySignatureAcs3({ ...base, headers: lower });
      assert.equal(result.canonicalRequest, capture.canonicalRequest);
      assert.equal(result.stringToSign, capture.stringToSign);
      assert.equal(result.valid, true);
      const changed = { ...lower, "user-agent": `${lower["user-agent"]} x` };
      assert.equal(verifySignatureAcs3({ ...base, headers: changed }).valid, false, "user-agent is signed here");
      const query = { ...base.query, To: tamper(base.query.To) };
      assert.equal(verifySignatureAcs3({ ...base, query, headers: lower }).valid, false, "query");
    });

    test(`${v.id}: the captured request verifies on a running sandbox`, async () => {
      const sandbox = await sandboxAt(keyOf(node.inputs), node.fixed["x-acs-date"]);
      try {
        const path = `/?${capture.sent.rawQuery}`;
        const bad = await raw(sandbox.url, { path, headers: { ...headers(), "user-agent": "changed" } });
        assert.equal(json(bad).Code, "SignatureDoesNotMatch");
        const good = await raw(sandbox.url, { path, headers: headers() });
        assert.equal(good.status, 200, good.body);
        assert.equal(json(good).ResponseCode, "OK");
        assert.equal(sandbox.messages().length, node.inputsDecoded.To.length);
      } finally {
        await sandbox.close();
      }
    });
  }
});
