// signRequest: deterministic with a fixed time and nonce, in both schemes, with and without STS;
// the request it returns is accepted by the sandbox when fetched by hand, and verifies with the
// sandbox's own (independently written) verifier. Then Node's environment-variable credentials,
// in child processes so this process's environment is never touched.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as hooks from "node:test";
import { describe, test } from "node:test";
import { signRequest } from "aliyun-globe-sms";
import { decodeForm, verifySignatureAcs3, verifySignatureV1 } from "aliyun-globe-sms/sandbox";
import {
  DEFAULT_KEY,
  DEFAULT_STS_KEY,
  addSecret,
  assertSmsError,
  leakCheck,
  noteSigned,
  rejection,
  scanChildOutput,
  thrown,
  useSandbox,
} from "./harness.mjs";

const TO = ["+852 9123 4567", "+65 9123 4567"];
const AT = { timestamp: Date.UTC(2026, 0, 15, 8, 30, 0), nonce: "fixed-nonce-0001" };

/** A nonce no other request of this process uses. */
let nonces = 0;
const freshNonce = () => `node-test-${process.pid}-${(nonces += 1)}`;

describe("signRequest", () => {
  const s = useSandbox(hooks);
  const options = (extra) => ({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, to: TO, message: "hello", ...extra });

  for (const [signatureVersion, key] of [["1.0", DEFAULT_KEY], ["1.0", DEFAULT_STS_KEY], ["ACS3", DEFAULT_KEY], ["ACS3", DEFAULT_STS_KEY]]) {
    const label = `${signatureVersion}, ${key.securityToken ? "STS" : "long-term key"}`;

    test(`the same inputs, time and nonce give the same request (${label})`, () => {
      const one = noteSigned(signRequest(options({ signatureVersion, credentials: key }), AT));
      const two = noteSigned(signRequest(options({ signatureVersion, credentials: key }), { ...AT, timestamp: new Date(AT.timestamp) }));
      assert.deepEqual(one, two);
      assert.deepEqual(Object.keys(one).sort(), ["body", "headers", "method", "url"]);
      assert.equal(one.method, "POST");
      assert.equal(typeof one.body, "string");
      assert.equal(new URL(one.url).origin, s.sandbox.url);
      for (const [name, value] of Object.entries(one.headers)) assert.equal(typeof value, "string", name);

      const other = noteSigned(signRequest(options({ signatureVersion, credentials: key }), { ...AT, nonce: "fixed-nonce-0002" }));
      assert.notDeepEqual(other, one, "the nonce is signed");
    });

    test(`the time, nonce, key and token are where the scheme puts them, and the sandbox's verifier agrees (${label})`, () => {
      const signed = noteSigned(signRequest(options({ signatureVersion, credentials: key }), AT));
      const url = new URL(signed.url);
      const query = Object.fromEntries(decodeForm(url.search.slice(1)));
      if (signatureVersion === "1.0") {
        assert.equal(query.Timestamp, "2026-01-15T08:30:00Z");
        assert.equal(query.SignatureNonce, AT.nonce);
        assert.equal(query.AccessKeyId, key.accessKeyId);
        assert.equal(query.SecurityToken, key.securityToken);
        assert.equal(query.To, '["85291234567","6591234567"]');
        const verdict = verifySignatureV1({ method: "POST", params: query, accessKeySecret: key.accessKeySecret });
        assert.equal(verdict.valid, true);
      } else {
        // Header names as the official SDK writes them (`Authorization`); HTTP ignores case.
        const headers = { ...Object.fromEntries(Object.entries(signed.headers).map(([n, v]) => [n.toLowerCase(), v])), host: url.host };
        assert.equal(headers["x-acs-date"], "2026-01-15T08:30:00Z");
        assert.equal(headers["x-acs-signature-nonce"], AT.nonce);
        assert.equal(headers["x-acs-security-token"], key.securityToken);
        assert.ok(headers.authorization.startsWith(`ACS3-HMAC-SHA256 Credential=${key.accessKeyId},`), headers.authorization);
        const verdict = verifySignatureAcs3({ method: "POST", path: "/", query, headers, body: signed.body, accessKeySecret: key.accessKeySecret });
        assert.equal(verdict.valid, true, verdict.problem);
      }
    });

    test(`fetching the signed request by hand sends the batch (${label})`, async () => {
      const signed = noteSigned(signRequest(options({ signatureVersion, credentials: key, from: "Acme" }), { nonce: freshNonce() }));
      const response = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body || undefined });
      const answer = await response.json();
      assert.equal(response.status, 200, JSON.stringify(answer));
      assert.equal(answer.ResponseCode, "OK");
      assert.deepEqual(
        s.sandbox.messages().map((m) => [m.to, m.message, m.from, m.accessKeyId]),
        [
          ["85291234567", "hello", "Acme", key.accessKeyId],
          ["6591234567", "hello", "Acme", key.accessKeyId],
        ],
      );
      // The same request again is a replay: the gateway refuses its nonce.
      const replay = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body || undefined });
      assert.equal((await replay.json()).Code, "SignatureNonceUsed");
      assert.equal(s.sandbox.messages().length, 2);
    });
  }

  test("without `at`, each call gets the current time and a fresh nonce", () => {
    const one = noteSigned(signRequest(options()));
    const two = noteSigned(signRequest(options()));
    const nonce = (signed) => new URL(signed.url).searchParams.get("SignatureNonce");
    assert.match(nonce(one), /^[0-9a-f]{32}$/);
    assert.notEqual(nonce(one), nonce(two));
    const stamp = Date.parse(new URL(one.url).searchParams.get("Timestamp"));
    assert.ok(Math.abs(stamp - Date.now()) < 10 * 60 * 1000, "a current timestamp");
  });

  test("an invalid batch is refused before signing", () => {
    assertSmsError(thrown(() => signRequest(options({ to: ["+86 138 0013 8000"] }), AT)), { code: "INVALID_BATCH", index: 0 });
  });
});

describe("credentials from the environment (Node)", () => {
  const s = useSandbox(hooks);

  const ENV_SECRET = "EnvOnlyWrongSecret0123456789";
  addSecret(ENV_SECRET, "a secret given in the environment");

  /**
   * Runs `code` (an ES module body that may use `batchSend`, `signRequest`, `endpoint`) in a fresh
   * node with exactly these ALIBABA_CLOUD_* variables; it prints one JSON line: a result or a
   * serialized error. The child resolves "aliyun-globe-sms" from the consumer project.
   */
  function child(code, env) {
    const program = `
      import { batchSend, signRequest } from "aliyun-globe-sms";
      import { inspect } from "node:util";
      const endpoint = ${JSON.stringify(s.sandbox.url)};
      try {
        const value = await (async () => { ${code} })();
        console.log(JSON.stringify({ value }));
      } catch (error) {
        console.log(JSON.stringify({ error: { ...error, name: error.name, message: error.message, stack: error.stack, inspected: inspect(error, { showHidden: true, depth: null }) } }));
      }`;
    const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("ALIBABA_CLOUD_")));
    return new Promise((resolve, reject) => {
      execFile(process.execPath, ["--input-type=module", "-e", program], { env: { ...base, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`child failed: ${stderr}`));
        scanChildOutput(stdout + stderr, "a child process's output");
        resolve(JSON.parse(stdout.trim().split("\n").at(-1)));
      });
    });
  }

  const send = `return batchSend({ endpoint, to: ["+852 9123 4567"], message: "from env" });`;

  test("ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET are used when credentials are absent", async () => {
    const { value, error } = await child(send, {
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_KEY.accessKeySecret,
    });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(value.successCount, 1);
    assert.deepEqual(s.sandbox.messages().map((m) => [m.to, m.accessKeyId]), [["85291234567", DEFAULT_KEY.accessKeyId]]);
  });

  for (const signatureVersion of ["1.0", "ACS3"]) {
    test(`ALIBABA_CLOUD_SECURITY_TOKEN makes it an STS key (${signatureVersion})`, async () => {
      const { value, error } = await child(
        `return batchSend({ endpoint, signatureVersion: ${JSON.stringify(signatureVersion)}, to: ["+852 9123 4567"], message: "sts" });`,
        {
          ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_STS_KEY.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_STS_KEY.accessKeySecret,
          ALIBABA_CLOUD_SECURITY_TOKEN: DEFAULT_STS_KEY.securityToken,
        },
      );
      assert.equal(error, undefined, JSON.stringify(error));
      assert.equal(value.successCount, 1);
      assert.equal(s.sandbox.messages()[0].accessKeyId, DEFAULT_STS_KEY.accessKeyId);
    });
  }

  test("credentials given in the options win over the environment", async () => {
    const code = `return batchSend({ endpoint, credentials: ${JSON.stringify(DEFAULT_KEY)}, to: ["+852 9123 4567"], message: "explicit" });`;
    const { value, error } = await child(code, {
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ENV_SECRET,
    });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(value.successCount, 1);
  });

  test("a wrong secret from the environment: SIGNATURE_REJECTED, and the secret is not in the error", async () => {
    const { error } = await child(send, { ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ENV_SECRET });
    assert.equal(error.code, "SIGNATURE_REJECTED");
    assert.equal(error.serviceCode, "SignatureDoesNotMatch");
  });

  test("only the id in the environment: INVALID_CREDENTIALS naming the secret; nothing sent", async () => {
    const { error } = await child(send, { ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_KEY.accessKeyId });
    assert.deepEqual([error.name, error.code, error.field], ["SmsError", "INVALID_CREDENTIALS", "credentials.accessKeySecret"]);
    assert.deepEqual(s.sandbox.requests(), []);
  });

  test("no variables and no credentials: INVALID_CREDENTIALS", async () => {
    const { error } = await child(send, {});
    assert.deepEqual([error.code, error.field], ["INVALID_CREDENTIALS", "credentials.accessKeyId"]);
  });

  test("signRequest reads the environment too", async () => {
    const { value, error } = await child(
      `return signRequest({ endpoint, to: ["+852 9123 4567"], message: "x" }, { timestamp: 0, nonce: "n1" }).url;`,
      { ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_KEY.accessKeySecret },
    );
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(new URL(value).searchParams.get("AccessKeyId"), DEFAULT_KEY.accessKeyId);
  });

  test("this process's environment was not used: without credentials it fails here", async () => {
    assertSmsError(await rejection(import("aliyun-globe-sms").then((m) => m.batchSend({ endpoint: s.sandbox.url, to: ["+852 9123 4567"], message: "x" }))), {
      code: "INVALID_CREDENTIALS",
    });
  });
});

leakCheck({ minimum: 2, signatures: true });
