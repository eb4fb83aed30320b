// Alibaba's official client (@alicloud/dysmsapi20180501, a dev dependency) against the sandbox:
// both of its signature schemes, STS, and each refusal with the gateway's code and status.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_KEY, DEFAULT_STS_KEY, decodeForm, startSandbox } from "../../pkg-template/sandbox/index.js";
import {
  encodeQuery,
  json,
  manualClock,
  raw,
  rejection,
  sdkClient,
  sdkRequest,
  startCapture,
  tamper,
} from "./helpers.mjs";

const SCHEMES = [
  { name: "ACS3-HMAC-SHA256 (SDK default)", signatureAlgorithm: undefined, scheme: "acs3" },
  { name: "signature 1.0 (signatureAlgorithm 'v2')", signatureAlgorithm: "v2", scheme: "v1" },
];

const BATCH = {
  to: ["6591234567", "85291234567", "447700900000"],
  messages: ["Hello *Alice* (1)", "你好 Bob ~100%", "Carol fails by the 0000 rule"],
  type: "MKT",
  from: "Alicloud",
  taskId: "campaign-42",
};

for (const { name, signatureAlgorithm, scheme } of SCHEMES) {
  describe(`official SDK, ${name}`, () => {
    let sandbox;
    before(async () => {
      sandbox = await startSandbox({ qps: Infinity });
    });
    after(() => sandbox.close());

    test("sends a batch: OK, partial failure reported, messages recorded", async () => {
      sandbox.reset();
      const client = sdkClient(sandbox, DEFAULT_KEY, { signatureAlgorithm });
      const res = await client.batchSendMessageToGlobe(sdkRequest(BATCH));
      assert.equal(res.statusCode, 200);
      assert.equal(res.body.responseCode, "OK");
      assert.equal(res.body.responseDescription, "The SMS Send Request was accepted");
      assert.equal(res.body.from, "Alicloud");
      assert.equal(res.body.successCount, "2");
      assert.deepEqual(JSON.parse(res.body.failedList), ["447700900000"]);
      const ids = JSON.parse(res.body.messageIdList);
      assert.equal(ids.length, 2);
      for (const id of ids) assert.match(id, /^[1-9][0-9]{18}$/);

      const recorded = sandbox.messages();
      assert.deepEqual(
        recorded.map(({ to, message, from, type, taskId, messageId, requestId, accessKeyId, scheme: s }) => ({
          to, message, from, type, taskId, messageId, requestId, accessKeyId, scheme: s,
        })),
        [0, 1].map((i) => ({
          to: BATCH.to[i],
          message: BATCH.messages[i],
          from: "Alicloud",
          type: "MKT",
          taskId: "campaign-42",
          messageId: ids[i],
          requestId: res.body.requestId,
          accessKeyId: DEFAULT_KEY.accessKeyId,
          scheme,
        })),
      );
      assert.ok(Number.isFinite(Date.parse(recorded[0].time)));
    });

    test("STS credentials: accepted with their token, refused without it or with another", async () => {
      sandbox.reset();
      const ok = await sdkClient(sandbox, DEFAULT_STS_KEY, { signatureAlgorithm }).batchSendMessageToGlobe(
        sdkRequest({ to: ["6591234567"], messages: ["sts"], type: "NOTIFY" }),
      );
      assert.equal(ok.body.responseCode, "OK");
      assert.equal(sandbox.messages()[0].accessKeyId, DEFAULT_STS_KEY.accessKeyId);

      const { securityToken: _dropped, ...noToken } = DEFAULT_STS_KEY;
      const missing = await rejection(
        sdkClient(sandbox, noToken, { signatureAlgorithm }).batchSendMessageToGlobe(
          sdkRequest({ to: ["6591234567"], messages: ["sts"], type: "NOTIFY" }),
        ),
      );
      assert.equal(missing.code, "InvalidSecurityToken.Missing");
      assert.equal(missing.statusCode, 400);

      const wrong = await rejection(
        sdkClient(sandbox, { ...DEFAULT_STS_KEY, securityToken: "another-token" }, { signatureAlgorithm })
          .batchSendMessageToGlobe(sdkRequest({ to: ["6591234567"], messages: ["sts"], type: "NOTIFY" })),
      );
      assert.equal(wrong.code, "InvalidSecurityToken.MismatchWithAccessKey");
      assert.equal(sandbox.messages().length, 1, "refused calls record nothing");
    });

    test("an unknown AccessKeyId: InvalidAccessKeyId.NotFound, 404", async () => {
      const error = await rejection(
        sdkClient(sandbox, { accessKeyId: "LTAI5tNobodyKnowsMe", accessKeySecret: "whatever" }, { signatureAlgorithm })
          .batchSendMessageToGlobe(sdkRequest({ to: ["6591234567"], messages: ["x"] })),
      );
      assert.equal(error.code, "InvalidAccessKeyId.NotFound");
      assert.equal(error.statusCode, 404);
      assert.equal(error.data.Message, "Specified access key is not found.");
      assert.ok(error.data.RequestId && error.data.HostId && error.data.Recommend);
    });

    test("a wrong secret: SignatureDoesNotMatch, 400", async () => {
      const error = await rejection(
        sdkClient(sandbox, { ...DEFAULT_KEY, accessKeySecret: "not-the-secret" }, { signatureAlgorithm })
          .batchSendMessageToGlobe(sdkRequest({ to: ["6591234567"], messages: ["x"] })),
      );
      assert.equal(error.code, "SignatureDoesNotMatch");
      assert.equal(error.statusCode, 400);
      assert.ok(!error.data.Message.includes(DEFAULT_KEY.accessKeySecret));
    });
  });

  test(`${name}: 1000 recipients with long non-Latin texts (a URL of several hundred KB)`, async () => {
    const sandbox = await startSandbox({ qps: Infinity });
    try {
      const to = Array.from({ length: 1000 }, (_, i) => String(6590000001 + i));
      const text = "国际短信测试".repeat(11) + "结束"; // 68 characters, 9 URL bytes each
      const messages = to.map((n) => `${text}${n.slice(-4)}`);
      assert.ok(encodeURIComponent(JSON.stringify(messages)).length > 500_000, "the URL really is that large");
      const res = await sdkClient(sandbox, DEFAULT_KEY, { signatureAlgorithm }).batchSendMessageToGlobe(
        sdkRequest({ to, messages }),
      );
      assert.equal(res.body.responseCode, "OK");
      assert.equal(res.body.successCount, "1000");
      const recorded = sandbox.messages();
      assert.equal(recorded.length, 1000);
      assert.equal(recorded[999].message, messages[999]);
      assert.equal(recorded[999].to, to[999]);
    } finally {
      await sandbox.close();
    }
  });

  describe(`time and rate rules, ${name}`, () => {
    test("a timestamp more than 15 minutes old or ahead: InvalidTimeStamp.Expired, 400", async () => {
      const clock = manualClock();
      const sandbox = await startSandbox({ qps: Infinity, clock });
      try {
        const client = sdkClient(sandbox, DEFAULT_KEY, { signatureAlgorithm });
        for (const offset of [16 * 60_000, -16 * 60_000]) {
          clock.set(Date.now() + offset);
          const error = await rejection(client.batchSendMessageToGlobe(sdkRequest({ to: ["6591234567"], messages: ["x"] })));
          assert.equal(error.code, "InvalidTimeStamp.Expired", `offset ${offset}`);
          assert.equal(error.statusCode, 400);
        }
        // 14 minutes either way is inside the tolerance.
        clock.set(Date.now() + 14 * 60_000);
        const ok = await client.batchSendMessageToGlobe(sdkRequest({ to: ["6591234567"], messages: ["x"] }));
        assert.equal(ok.body.responseCode, "OK");
        assert.equal(sandbox.messages().length, 1);
      } finally {
        await sandbox.close();
      }
    });

    test("a second call within the second: Throttling.User, 400, x-acs-retry-after in ms", async () => {
      // A clock that only moves when told makes "within the second" exact on a slow machine.
      const clock = manualClock();
      const sandbox = await startSandbox({ clock });
      try {
        const client = sdkClient(sandbox, DEFAULT_KEY, { signatureAlgorithm });
        const request = () => client.batchSendMessageToGlobe(sdkRequest({ to: ["6591234567"], messages: ["x"] }));
        assert.equal((await request()).body.responseCode, "OK");
        clock.advance(400);
        const error = await rejection(request());
        assert.equal(error.name, "ThrottlingError");
        assert.equal(error.code, "Throttling.User");
        assert.equal(error.statusCode, 400);
        assert.equal(error.retryAfter, 600, "ms until the first call leaves the window");
        assert.equal(sandbox.messages().length, 1, "a throttled call is not processed");

        // Another AccessKeyId has its own budget.
        const sts = await sdkClient(sandbox, DEFAULT_STS_KEY, { signatureAlgorithm }).batchSendMessageToGlobe(
          sdkRequest({ to: ["6591234567"], messages: ["x"] }),
        );
        assert.equal(sts.body.responseCode, "OK");

        clock.advance(600);
        assert.equal((await request()).body.responseCode, "OK", "allowed again after the second");
      } finally {
        await sandbox.close();
      }
    });
  });
}

/**
 * The SDK's own signed request, taken from a capture server so it can be replayed to the sandbox
 * unchanged or with one byte changed.
 */
async function captureFromSdk(signatureAlgorithm, key = DEFAULT_KEY) {
  const capture = await startCapture();
  try {
    const client = sdkClient({ endpoint: capture.endpoint }, key, { signatureAlgorithm });
    await client.batchSendMessageToGlobe(sdkRequest({ ...BATCH, to: BATCH.to.slice(0, 2), messages: BATCH.messages.slice(0, 2) }));
    assert.equal(capture.seen.length, 1);
    return capture.seen[0];
  } finally {
    await capture.close();
  }
}

function withQueryParam(url, name) {
  const query = url.slice(url.indexOf("?") + 1);
  const pairs = decodeForm(query).map(([n, v]) => [n, n === name ? tamper(v) : v]);
  return `/?${encodeQuery(pairs)}`;
}

describe("replaying the SDK's signed request with one byte changed (signature 1.0)", () => {
  // What the gateway answers when each parameter is changed by one character.
  const EXPECTED = {
    Action: ["InvalidApi.NotFound", 404],
    Version: ["InvalidVersion", 400],
    Format: ["InvalidParameter.Format", 400],
    Timestamp: ["SignatureDoesNotMatch", 400],
    SignatureNonce: ["SignatureDoesNotMatch", 400],
    From: ["SignatureDoesNotMatch", 400],
    Message: ["SignatureDoesNotMatch", 400],
    TaskId: ["SignatureDoesNotMatch", 400],
    To: ["SignatureDoesNotMatch", 400],
    Type: ["SignatureDoesNotMatch", 400],
    SignatureMethod: ["InvalidSignatureMethod", 400],
    SignatureVersion: ["InvalidSignatureVersion", 400],
    AccessKeyId: ["InvalidAccessKeyId.NotFound", 404],
    Signature: ["SignatureDoesNotMatch", 400],
  };
  let sandbox;
  let captured;
  before(async () => {
    captured = await captureFromSdk("v2");
    sandbox = await startSandbox({ qps: Infinity });
  });
  after(() => sandbox.close());

  test("every parameter the SDK sent is covered", () => {
    const names = decodeForm(captured.url.slice(2)).map(([n]) => n).sort();
    assert.deepEqual(names, Object.keys(EXPECTED).sort());
  });

  for (const [param, [code, status]] of Object.entries(EXPECTED)) {
    test(`${param} changed: ${code} ${status}`, async () => {
      const res = await raw(sandbox.url, { path: withQueryParam(captured.url, param), headers: captured.headers });
      assert.equal(res.status, status, res.body);
      assert.equal(json(res).Code, code);
      assert.equal(sandbox.messages().length, 0);
    });
  }

  test("unchanged it is accepted once, then SignatureNonceUsed (400)", async () => {
    const first = await raw(sandbox.url, { path: captured.url, headers: captured.headers });
    assert.equal(first.status, 200, first.body);
    assert.equal(json(first).ResponseCode, "OK");
    const second = await raw(sandbox.url, { path: captured.url, headers: captured.headers });
    assert.equal(second.status, 400);
    assert.equal(json(second).Code, "SignatureNonceUsed");
    assert.equal(json(second).Message, "Specified signature nonce was used already.");
    assert.equal(sandbox.messages().length, 2, "only the first one was recorded");
  });

  test("a signature-mismatch message quotes the string to sign and no secret", async () => {
    const res = await raw(sandbox.url, { path: withQueryParam(captured.url, "Message"), headers: captured.headers });
    const { Message } = json(res);
    assert.match(Message, /^Specified signature is not matched with our calculation\. server string to sign is:POST&%2F&AccessKeyId%3D/);
    assert.ok(!Message.includes(DEFAULT_KEY.accessKeySecret));
    assert.ok(!Message.includes("Signature%3D"), "the signature itself is not part of it");
  });
});

describe("replaying the SDK's signed request with one byte changed (ACS3)", () => {
  // The host is signed on this path; the replay sends the captured Host header unchanged, so
  // the capture server's port does not matter.
  const EXPECTED = {
    "query From": ["SignatureDoesNotMatch", 400],
    "query Message": ["SignatureDoesNotMatch", 400],
    "query TaskId": ["SignatureDoesNotMatch", 400],
    "query To": ["SignatureDoesNotMatch", 400],
    "query Type": ["SignatureDoesNotMatch", 400],
    "header host": ["SignatureDoesNotMatch", 400],
    "header x-acs-action": ["InvalidApi.NotFound", 404],
    "header x-acs-version": ["InvalidVersion", 400],
    "header x-acs-date": ["SignatureDoesNotMatch", 400],
    "header x-acs-signature-nonce": ["SignatureDoesNotMatch", 400],
    "header x-acs-content-sha256": ["SignatureDoesNotMatch", 400],
    "header x-acs-credentials-provider": ["SignatureDoesNotMatch", 400],
    "header authorization": ["SignatureDoesNotMatch", 400],
  };
  let sandbox;
  let captured;
  before(async () => {
    captured = await captureFromSdk(undefined);
    sandbox = await startSandbox({ qps: Infinity });
  });
  after(() => sandbox.close());

  function changed(what) {
    const [kind, name] = what.split(" ");
    const headers = { ...captured.headers };
    delete headers.connection;
    if (kind === "query") return { path: withQueryParam(captured.url, name), headers };
    headers[name] = tamper(headers[name]);
    return { path: captured.url, headers };
  }

  test("every query parameter and signed header the SDK sent is covered", () => {
    const query = decodeForm(captured.url.slice(2)).map(([n]) => `query ${n}`);
    const signed = /SignedHeaders=([^,]+)/.exec(captured.headers.authorization)[1].split(";").map((n) => `header ${n}`);
    assert.deepEqual([...query, ...signed, "header authorization"].sort(), Object.keys(EXPECTED).sort());
  });

  for (const [what, [code, status]] of Object.entries(EXPECTED)) {
    test(`${what} changed: ${code} ${status}`, async () => {
      const res = await raw(sandbox.url, changed(what));
      assert.equal(res.status, status, res.body);
      assert.equal(json(res).Code, code);
      assert.equal(sandbox.messages().length, 0);
    });
  }

  test("another Credential: InvalidAccessKeyId.NotFound, 404", async () => {
    const headers = { ...captured.headers };
    headers.authorization = headers.authorization.replace(/Credential=([^,]+)/, (_, id) => `Credential=${tamper(id)}`);
    const res = await raw(sandbox.url, { path: captured.url, headers });
    assert.equal(res.status, 404);
    assert.equal(json(res).Code, "InvalidAccessKeyId.NotFound");
  });

  test("a required header left out of SignedHeaders: IncompleteSignature, 400", async () => {
    const headers = { ...captured.headers };
    headers.authorization = headers.authorization.replace("x-acs-date;", "");
    const res = await raw(sandbox.url, { path: captured.url, headers });
    assert.equal(res.status, 400);
    assert.equal(json(res).Code, "IncompleteSignature");
  });

  test("unchanged it is accepted once, then SignatureNonceUsed (400)", async () => {
    const first = await raw(sandbox.url, { path: captured.url, headers: captured.headers });
    assert.equal(first.status, 200, first.body);
    assert.equal(json(first).ResponseCode, "OK");
    const second = await raw(sandbox.url, { path: captured.url, headers: captured.headers });
    assert.equal(second.status, 400);
    assert.equal(json(second).Code, "SignatureNonceUsed");
    assert.equal(sandbox.messages().length, 2, "only the first one was recorded");
  });
});
