// The signing service: createSigningHandler mounted on a node:http server (serve.mjs), a
// "browser" side that holds no secret and sends with batchSend({ signer: signingService(url) }),
// and the sandbox as Alibaba's endpoint. Proves: a valid batch is signed and accepted end to end
// (both schemes, long-term and STS keys); the caller cannot change the endpoint or credentials;
// every policy breach and every batch the package would refuse is refused with the same SmsError
// codes on both sides; the answer never holds the AccessKeySecret (the STS token, by Alibaba's
// design, is part of a signed request); a replayed signed request is refused by the sandbox.
// Every error the browser side sees goes through the harness's secret scan.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as hooks from "node:test";
import { after, before, describe, test } from "node:test";
import { batchSend, createSigningHandler, signingService, validateBatch } from "aliyun-globe-sms";
import { decodeForm, percentEncode } from "aliyun-globe-sms/sandbox";
import {
  DEFAULT_KEY,
  DEFAULT_STS_KEY,
  assertSmsError,
  leakCheck,
  noteSigned,
  rejection,
  thrown,
  useSandbox,
} from "./harness.mjs";
import { serveHandler } from "./serve.mjs";

const TO = ["+852 9123 4567", "+65 9123 4567"];

/** Every form a secret could travel in: as is, percent-encoded (both ways), JSON-escaped. */
function assertNoLongTermSecret(text, where) {
  for (const key of [DEFAULT_KEY, DEFAULT_STS_KEY]) {
    const forms = new Set([key.accessKeySecret, percentEncode(key.accessKeySecret), encodeURIComponent(key.accessKeySecret)]);
    for (const form of forms) assert.ok(!text.includes(form), `${where} holds an AccessKeySecret`);
  }
}

/** POSTs `body` (a value, or raw text) to a handler's URL; resolves to { status, headers, json }. */
async function post(url, body, init = {}) {
  const response = await fetch(url, {
    method: init.method ?? "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: init.method === "GET" ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  assertNoLongTermSecret(text, "an answer");
  return { status: response.status, headers: response.headers, json: JSON.parse(text) };
}

describe("signing service: valid batches are signed and accepted by the sandbox", () => {
  const s = useSandbox(hooks);
  const services = [];
  after(() => Promise.all(services.map((service) => service.close())));
  async function mount(options) {
    const service = await serveHandler(createSigningHandler({ endpoint: s.sandbox.url, ...options }));
    services.push(service);
    return service;
  }

  for (const [signatureVersion, key] of [["1.0", DEFAULT_KEY], ["ACS3", DEFAULT_KEY], ["1.0", DEFAULT_STS_KEY], ["ACS3", DEFAULT_STS_KEY]]) {
    const label = `${signatureVersion}, ${key.securityToken ? "STS" : "long-term key"}`;

    test(`batchSend({ signer: signingService(url) }) sends, and every recipient's fate comes back (${label})`, async () => {
      const service = await mount({ credentials: key, allow: { senderIds: ["Acme"], maxRecipients: 2, types: ["NOTIFY"] } });
      const result = await batchSend({ signer: signingService(service.url), signatureVersion, to: TO, message: "via the signing service", from: "Acme" });

      const recorded = s.sandbox.messages();
      assert.equal(result.responseCode, "OK");
      assert.equal(result.successCount, 2);
      assert.deepEqual(result.sent, [
        { index: 0, to: TO[0], normalizedTo: "85291234567", messageId: recorded[0].messageId },
        { index: 1, to: TO[1], normalizedTo: "6591234567", messageId: recorded[1].messageId },
      ]);
      assert.deepEqual(
        recorded.map(({ to, from, accessKeyId, scheme }) => ({ to, from, accessKeyId, scheme })),
        ["85291234567", "6591234567"].map((to) => ({ to, from: "Acme", accessKeyId: key.accessKeyId, scheme: signatureVersion === "1.0" ? "v1" : "acs3" })),
      );

      // What the browser received: a signed request for the sandbox, the long-term secret absent.
      assert.equal(service.answers.length, 1);
      const [answer] = service.answers;
      assert.equal(answer.status, 200);
      assertNoLongTermSecret(answer.body, "the handler's answer");
      const signed = noteSigned(JSON.parse(answer.body));
      assert.deepEqual(Object.keys(signed).sort(), ["body", "headers", "method", "url"]);
      assert.equal(new URL(signed.url).origin, s.sandbox.url);

      // The STS token is part of the signed request by Alibaba's design (a short-lived credential
      // the gateway checks): it travels to the browser, where it is sent once, and nowhere else.
      const query = Object.fromEntries(decodeForm(new URL(signed.url).search.slice(1)));
      const headers = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), value]));
      const tokenIn = signatureVersion === "1.0" ? query.SecurityToken : headers["x-acs-security-token"];
      assert.equal(tokenIn, key.securityToken);
    });
  }

  test("each request is signed afresh: a new nonce every time, the time now", async () => {
    const service = await mount({ credentials: DEFAULT_KEY });
    const signer = signingService(service.url);
    const request = { to: ["85291234567"], message: ["x"], type: "NOTIFY", signatureVersion: "1.0" };
    const [one, two] = [noteSigned(await signer(request)), noteSigned(await signer(request))];
    const params = (signed) => Object.fromEntries(decodeForm(new URL(signed.url).search.slice(1)));
    assert.notEqual(params(one).SignatureNonce, params(two).SignatureNonce);
    assert.ok(Math.abs(Date.parse(params(one).Timestamp) - Date.now()) < 60_000);
  });

  test("the caller cannot choose the endpoint or the credentials: the body's are ignored", async () => {
    const service = await mount({ credentials: DEFAULT_KEY });
    const { status, json } = await post(service.url, {
      to: ["85291234567"],
      message: ["x"],
      endpoint: "https://elsewhere.example/",
      credentials: { accessKeyId: "LTAIAttacker", accessKeySecret: "attacker-secret-0123456789" },
      signer: "ignored",
    });
    assert.equal(status, 200);
    assert.equal(new URL(json.url).origin, s.sandbox.url);
    assert.equal(Object.fromEntries(decodeForm(new URL(json.url).search.slice(1))).AccessKeyId, DEFAULT_KEY.accessKeyId);
    noteSigned(json);
  });

  test("signingService sends its headers, so authorize() can check the caller", async () => {
    const service = await mount({
      credentials: DEFAULT_KEY,
      allow: { authorize: (request) => request.headers.get("authorization") === "Bearer session-1" },
    });
    const result = await batchSend({
      signer: signingService(new URL(service.url), { headers: { authorization: "Bearer session-1" } }),
      to: TO,
      message: "authorized",
    });
    assert.equal(result.successCount, 2);
    const refused = await rejection(batchSend({ signer: signingService(service.url, { headers: { authorization: "Bearer other" } }), to: TO, message: "x" }));
    assertSmsError(refused, { code: "NOT_ALLOWED", field: "authorization", httpStatus: 403 });
  });

  test("a custom fetch is used when given", async () => {
    const service = await mount({ credentials: DEFAULT_KEY });
    const seen = [];
    const signer = signingService(service.url, {
      fetch: (input, init) => {
        seen.push([String(input), init.method, init.headers["content-type"]]);
        return fetch(input, init);
      },
    });
    const result = await batchSend({ signer, to: TO, message: "custom fetch" });
    assert.equal(result.successCount, 2);
    assert.deepEqual(seen, [[service.url, "POST", "application/json"]]);
  });
});

describe("signing service: refusals carry the same SmsError codes on both sides", () => {
  const s = useSandbox(hooks);
  let service;
  before(async () => {
    service = await serveHandler(
      createSigningHandler({
        credentials: DEFAULT_KEY,
        endpoint: s.sandbox.url,
        allow: {
          senderIds: ["Acme", "12345"],
          maxRecipients: 2,
          types: ["NOTIFY"],
          authorize: (request) => request.headers.get("x-session") !== "banned",
        },
      }),
    );
  });
  after(() => service.close());

  const breaches = [
    ["a sender ID outside the list", { from: "Other" }, {}, "from"],
    ["no sender ID where the list requires one", { from: undefined }, {}, "from"],
    ["more recipients than maxRecipients", { to: [...TO, "+44 7911 123456"] }, {}, "to"],
    ["a message type outside the list", { type: "MKT" }, {}, "type"],
    ["a caller authorize() refuses", {}, { "x-session": "banned" }, "authorization"],
  ];
  for (const [what, change, headers, field] of breaches) {
    test(`policy: ${what} → 403 NOT_ALLOWED (field ${field}), and batchSend rejects with it; nothing is sent`, async () => {
      const batch = { to: TO, message: "x", from: "Acme", ...change };
      const error = await rejection(batchSend({ signer: signingService(service.url, { headers }), ...batch }));
      assertSmsError(error, { code: "NOT_ALLOWED", field, httpStatus: 403, retryable: false });
      assert.match(error.message, new RegExp(field));
      const answer = service.answers.at(-1);
      assert.equal(answer.status, 403);
      assert.deepEqual(Object.keys(JSON.parse(answer.body).error).sort(), ["code", "field", "message", "name"]);
      assert.deepEqual(s.sandbox.requests(), [], "nothing reached the endpoint");
    });
  }

  test("the package's rules: a batch validateBatch refuses is refused by the handler with the same issues (400 INVALID_BATCH)", async () => {
    // What a non-conforming client could post: this package's own batchSend would not.
    const request = { to: ["+86 138 0013 8000", "+852 1234"], message: ["x", ""], type: "NOTIFY", signatureVersion: "1.0", from: "Acme" };
    const expected = validateBatch(request);
    assert.deepEqual(expected.map((i) => i.code), ["RECIPIENT_MAINLAND_CHINA", "RECIPIENT_WRONG_LENGTH", "MESSAGE_EMPTY"]);
    const error = await rejection(signingService(service.url)(request));
    assertSmsError(error, { code: "INVALID_BATCH", field: "to", index: 0, issues: expected, httpStatus: 400 });

    const { status, json } = await post(service.url, { ...request, to: ["+852 9123 4567", "+852 1234"] });
    assert.equal(status, 400);
    assert.equal(json.error.code, "INVALID_BATCH");
  });

  test("the package's rules through batchSend: a batch the page let through (checkNationalLength off) is refused with INVALID_BATCH", async () => {
    // The handler validates with the package's defaults, whatever the page chose.
    const error = await rejection(
      batchSend({ signer: signingService(service.url), to: ["+852 9123 4567", "+852 1234"], message: "x", from: "Acme", checkNationalLength: false }),
    );
    assertSmsError(error, { code: "INVALID_BATCH", field: "to", index: 1, httpStatus: 400 });
    assert.deepEqual(error.issues.map((i) => [i.code, i.index]), [["RECIPIENT_WRONG_LENGTH", 1]]);
    assert.deepEqual(s.sandbox.requests(), []);
  });

  test("only POST with a JSON object: 405 (with Allow) and 400, INVALID_OPTION", async () => {
    const get = await post(service.url, undefined, { method: "GET" });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    assert.deepEqual(get.json.error, { name: "SmsError", code: "INVALID_OPTION", field: "method", message: "method: only POST is answered" });
    for (const body of ["not json", "[1, 2]", "null", "42"]) {
      const { status, json } = await post(service.url, body);
      assert.equal(status, 400, body);
      assert.equal(json.error.code, "INVALID_OPTION");
      assert.equal(json.error.field, "body");
    }
    const { status, json } = await post(service.url, { to: "85291234567", message: ["x"], from: "Acme" });
    assert.equal(status, 400);
    assert.equal(json.error.code, "INVALID_OPTION", "a SigningRequest of the wrong shape is the package's INVALID_OPTION");
  });

  test("answers are JSON and never cached", async () => {
    const { headers } = await post(service.url, { to: ["85291234567"], message: ["x"], from: "Acme" });
    assert.match(headers.get("content-type"), /^application\/json/);
    assert.equal(headers.get("cache-control"), "no-store");
  });
});

describe("signing service: a misconfigured or unreachable service", () => {
  const s = useSandbox(hooks);

  test("bad options fail when the handler is made (INVALID_OPTION), not per request", () => {
    const cases = [
      [undefined, "options"],
      [{}, "credentials"],
      [{ credentials: DEFAULT_KEY, endpoint: 42 }, "endpoint"],
      [{ credentials: DEFAULT_KEY, allow: { maxRecipients: 1001 } }, "allow.maxRecipients"],
      [{ credentials: DEFAULT_KEY, allow: { maxRecipients: 0 } }, "allow.maxRecipients"],
      [{ credentials: DEFAULT_KEY, allow: { types: ["SPAM"] } }, "allow.types"],
      [{ credentials: DEFAULT_KEY, allow: { senderIds: "Acme" } }, "allow.senderIds"],
      [{ credentials: DEFAULT_KEY, allow: { authorize: true } }, "allow.authorize"],
    ];
    for (const [options, field] of cases) {
      assertSmsError(thrown(() => createSigningHandler(options)), { code: "INVALID_OPTION", field });
    }
  });

  test("credentials the package refuses: 500 SIGNING_FAILED without details; batchSend rejects with SIGNING_FAILED", async () => {
    const service = await serveHandler(
      createSigningHandler({ credentials: { accessKeyId: "LTAIbroken", accessKeySecret: "" }, endpoint: s.sandbox.url }),
    );
    try {
      const error = await rejection(batchSend({ signer: signingService(service.url), to: TO, message: "x" }));
      assertSmsError(error, { code: "SIGNING_FAILED", httpStatus: 500 });
      assert.doesNotMatch(service.answers[0].body, /LTAIbroken|accessKey/i);
    } finally {
      await service.close();
    }
  });

  test("an authorize() that throws refuses (500 SIGNING_FAILED), it never signs", async () => {
    const handler = createSigningHandler({ credentials: DEFAULT_KEY, allow: { authorize: () => Promise.reject(new Error("session store down")) } });
    const response = await handler(new Request("http://127.0.0.1/sign", { method: "POST", body: JSON.stringify({ to: ["85291234567"], message: ["x"] }) }));
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.doesNotMatch(text, /session store/);
    assert.equal(JSON.parse(text).error.code, "SIGNING_FAILED");
  });

  test("a service that cannot be reached, or answers without a signed request: SIGNING_FAILED, nothing sent", async () => {
    const closed = await serveHandler(() => new Response("unused"));
    await closed.close();
    const unreachable = await rejection(batchSend({ signer: signingService(closed.url), to: TO, message: "x" }));
    assertSmsError(unreachable, { code: "SIGNING_FAILED" });

    const proxy = await serveHandler(() => new Response("<html>502 Bad Gateway</html>", { status: 502, headers: { "content-type": "text/html" } }));
    const htmlOk = await serveHandler(() => new Response("<html>login</html>", { status: 200, headers: { "content-type": "text/html" } }));
    const notSigned = await serveHandler(() => Response.json({ method: "GET", url: "https://elsewhere.example/", headers: {}, body: "" }));
    try {
      assertSmsError(await rejection(batchSend({ signer: signingService(proxy.url), to: TO, message: "x" })), { code: "SIGNING_FAILED", httpStatus: 502 });
      assertSmsError(await rejection(batchSend({ signer: signingService(htmlOk.url), to: TO, message: "x" })), { code: "SIGNING_FAILED", httpStatus: 200 });
      assertSmsError(await rejection(batchSend({ signer: signingService(notSigned.url), to: TO, message: "x" })), { code: "SIGNING_FAILED" });
    } finally {
      await Promise.all([proxy.close(), htmlOk.close(), notSigned.close()]);
    }
    assert.deepEqual(s.sandbox.requests(), []);
  });
});

describe("signing service: replay", () => {
  const s = useSandbox(hooks);

  test("a signed request sent twice is refused the second time by the sandbox (SignatureNonceUsed → NONCE_REUSED)", async () => {
    const service = await serveHandler(createSigningHandler({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url }));
    try {
      const signed = noteSigned(await signingService(service.url)({ to: ["85291234567"], message: ["once"], type: "NOTIFY", signatureVersion: "1.0" }));
      const replaying = async () => signed;
      const first = await batchSend({ signer: replaying, to: ["+852 9123 4567"], message: "once" });
      assert.equal(first.successCount, 1);
      const replayed = await rejection(batchSend({ signer: replaying, to: ["+852 9123 4567"], message: "once" }));
      assertSmsError(replayed, { code: "NONCE_REUSED", serviceCode: "SignatureNonceUsed", httpStatus: 400, retryable: false });
      assert.equal(s.sandbox.messages().length, 1, "sent once");

      // The same by hand, as a browser's fetch would.
      const again = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
      assert.equal(again.status, 400);
      assert.match(await again.text(), /SignatureNonceUsed/);
    } finally {
      await service.close();
    }
  });
});

describe("signing service: the browser entry (workers, edge runtimes)", () => {
  const s = useSandbox(hooks);

  test("browser.js: after ready(bytes), its handler signs and its batchSend sends through it", async () => {
    const require = createRequire(import.meta.url);
    const installed = require.resolve("aliyun-globe-sms/package.json").replace(/package\.json$/, "");
    const browser = await import(`${new URL(`file://${installed}browser.js`).href}`);
    await browser.ready(readFileSync(`${installed}aliyun_globe_sms_bg.wasm`));
    const service = await serveHandler(browser.createSigningHandler({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url }));
    try {
      const result = await browser.batchSend({ signer: browser.signingService(service.url), to: TO, message: "from the browser entry" });
      assert.deepEqual(result.sent.map((r) => [r.index, r.normalizedTo]), [[0, "85291234567"], [1, "6591234567"]]);
    } finally {
      await service.close();
    }
  });
});

leakCheck({ minimum: 15, signatures: true });
