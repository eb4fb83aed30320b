// Secret scrubbing on the packed package (issue 12, "Redaction"). A fake endpoint on 127.0.0.1
// echoes the AccessKeySecret, the STS token and the signature of the request it got, each in
// every encoding of the harness's `secretForms` (as is; percent-encoded once and twice, upper-
// and lower-case hex; JSON-escaped, with `\/`; form-encoded; …), one at a time so each echo fits
// in the excerpt an error keeps, in: a gateway error body, a 4xx body that is not JSON, a 5xx
// body, a broken 200 body, and response headers (always, and alone with an empty body). It is
// called with local STS credentials (both signature versions), with a `signer` function that
// signs with `signRequest` while the secret stays in its closure, and through `signingService`
// against `createSigningHandler`. Every error goes through the harness's scan, which knows every
// encoding: 0 hits. With credentials the service's text is quoted, scrubbed; with a signer it is
// withheld, and the error says why.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { batchSend, createSigningHandler, signRequest, signingService } from "aliyun-globe-sms";
import { DEFAULT_STS_KEY, assertNoSecret, leakCheck, rejection, secretForms } from "./harness.mjs";
import { serveHandler } from "./serve.mjs";

const KEY = DEFAULT_STS_KEY;
const TO = ["+852 9123 4567", "+65 9123 4567"];
const REQUEST_ID = "39D690BB-7546-4031-9EDF-9B6286F9B754";
const ENCODINGS = [...secretForms("probe").keys()];
const SECRETS = ["AccessKeySecret", "SecurityToken", "signature"];

/** JSON string contents with `/` written `\/`, as some encoders write it (and JSON allows). */
function jsonText(text) {
  return JSON.stringify(text).slice(1, -1).replaceAll("/", "\\/");
}

/**
 * Each answer kind: status, body (from the echo) and the code the package must report. The echo
 * also rides in headers on every answer.
 */
const ANSWERS = {
  "gateway error body": {
    status: 400,
    type: "application/json;charset=utf-8",
    body: (echo) =>
      `{"RequestId":"${REQUEST_ID}","HostId":"127.0.0.1","Code":"SignatureDoesNotMatch","Message":"echo: ${jsonText(echo)} end",` +
      `"Recommend":"https://api.aliyun.com/troubleshoot?q=${jsonText(echo)}&product=Dysmsapi"}`,
    code: "SIGNATURE_REJECTED",
  },
  "4xx body that is not JSON": {
    status: 403,
    type: "text/html",
    body: (echo) => `<html><body><h1>403</h1><p>echo: ${echo}</p></body></html>`,
    code: "UNEXPECTED_RESPONSE",
  },
  "5xx body": { status: 502, type: "text/plain", body: (echo) => `Bad gateway. echo: ${echo}`, code: "OUTCOME_UNKNOWN" },
  "broken 200 body": {
    status: 200,
    type: "application/json;charset=utf-8",
    body: (echo) => `{"ResponseCode":"OK","RequestId":"${REQUEST_ID}","FailedList":"echo: ${echo}`,
    code: "OUTCOME_UNKNOWN",
  },
  "headers, empty body": { status: 404, type: "text/plain", body: () => "", code: "UNEXPECTED_RESPONSE" },
};

/** The echoing endpoint. `plan` says what the next answer echoes; `seen` lists what it got. */
async function startEchoServer() {
  const state = { plan: undefined, seen: [] };
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const url = new URL(req.url, "http://127.0.0.1");
      const values = {
        AccessKeySecret: KEY.accessKeySecret,
        SecurityToken: url.searchParams.get("SecurityToken") ?? req.headers["x-acs-security-token"],
        signature: url.searchParams.get("Signature") ?? /Signature=([0-9a-f]+)/.exec(req.headers.authorization ?? "")?.[1],
      };
      state.seen.push(values);
      const { answer, secret, encoding } = state.plan;
      const echo = secretForms(values[secret]).get(encoding);
      state.lastEcho = echo;
      const body = ANSWERS[answer].body(echo);
      res.writeHead(ANSWERS[answer].status, {
        "content-type": ANSWERS[answer].type,
        "x-acs-request-id": echo,
        "x-echo": `echo: ${echo}`,
        "x-acs-retry-after": echo,
        "www-authenticate": `Bearer error="invalid_token", token="${echo}"`,
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${server.address().port}`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  return state;
}

/** Sends once per (secret, encoding) for `answer`; checks each error; returns how many. */
async function everyEcho(echo, answer, send, { signer }) {
  let errors = 0;
  for (const secret of SECRETS) {
    for (const encoding of ENCODINGS) {
      echo.plan = { answer, secret, encoding };
      const before = echo.seen.length;
      // rejection() runs the harness's scan over the error at once.
      const error = await rejection(send());
      assert.equal(echo.seen.length, before + 1, "sent once, never resent");
      // The control: the scan that passed above knows this echo; unscrubbed, it would have failed.
      assert.throws(() => assertNoSecret(new Error(`echo: ${echo.lastEcho}`)), /shows/, `the scan misses ${secret} ${encoding}`);
      assert.equal(error.name, "SmsError");
      assert.equal(error.code, ANSWERS[answer].code, `${answer}, ${secret} ${encoding}: ${error.message}`);
      const where = `${answer}, ${secret} ${encoding}`;
      if (answer === "headers, empty body") {
        assert.match(error.message, /\(empty body\)/, where);
      } else if (signer) {
        assert.match(error.message, /withheld because the secret that signed the request is held elsewhere/, where);
        assert.doesNotMatch(error.message, /echo:/, where);
      } else {
        assert.match(error.message, /echo: \*\*\*/, `${where}: the text is quoted, the secret masked: ${error.message}`);
      }
      if (answer === "gateway error body") assert.equal(error.requestId, REQUEST_ID);
      errors += 1;
    }
  }
  return errors;
}

describe("redaction: an endpoint echoing every secret in every encoding", () => {
  let echo;
  let service;
  before(async () => {
    echo = await startEchoServer();
    service = await serveHandler(createSigningHandler({ credentials: KEY, endpoint: echo.url }));
  });
  after(async () => {
    await service?.close();
    await echo?.close();
  });

  const base = { to: TO, message: "hi", maxAttempts: 1 };
  const modes = [
    ["local STS credentials, signature 1.0", () => ({ credentials: KEY, endpoint: echo.url, signatureVersion: "1.0" }), false],
    ["local STS credentials, ACS3", () => ({ credentials: KEY, endpoint: echo.url, signatureVersion: "ACS3" }), false],
    // The secret stays in this closure, as on a server: the sending side never sees it.
    ["a signer using signRequest, signature 1.0", () => ({ signatureVersion: "1.0", signer: (request) => signRequest({ ...request, credentials: KEY, endpoint: echo.url }) }), true],
    ["a signer using signRequest, ACS3", () => ({ signatureVersion: "ACS3", signer: (request) => signRequest({ ...request, credentials: KEY, endpoint: echo.url }) }), true],
    ["signingService against createSigningHandler, ACS3", () => ({ signatureVersion: "ACS3", signer: signingService(service.url) }), true],
  ];

  for (const [mode, options, signer] of modes) {
    for (const answer of Object.keys(ANSWERS)) {
      test(`${mode}: ${answer}`, async () => {
        const count = await everyEcho(echo, answer, () => batchSend({ ...base, ...options() }), { signer });
        assert.equal(count, SECRETS.length * ENCODINGS.length);
      });
    }
  }

  test("the endpoint really echoed each secret it was sent: the token and a signature on every request", () => {
    assert.ok(echo.seen.length >= Object.keys(ANSWERS).length * modes.length * SECRETS.length * ENCODINGS.length);
    for (const values of echo.seen) {
      assert.equal(values.SecurityToken, KEY.securityToken);
      assert.equal(typeof values.signature, "string");
      assert.ok(values.signature.length >= 20);
    }
  });
});

leakCheck({ minimum: 5 * 5 * 3 * 11, signatures: true });
