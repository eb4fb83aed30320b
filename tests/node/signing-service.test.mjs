// The signing service: createSigningHandler mounted on a node:http server (serve.mjs), a
// "browser" side that holds no secret and sends with batchSend({ signer: signingService(url) }),
// and the sandbox as Alibaba's endpoint. Proves: a valid batch is signed and accepted end to end
// (both schemes, long-term and STS keys); the caller cannot change the endpoint or credentials;
// every policy breach and every batch the package would refuse is refused with the same SmsError
// codes on both sides; the answer never holds the AccessKeySecret (the STS token, by Alibaba's
// design, is part of a signed request); a replayed signed request is refused by the sandbox; and
// what one request can cost the server is bounded (issue 12): lists refused from their lengths,
// at most 100 issues answered, the body read as a stream up to its byte limit (CPU time, answer
// sizes and RSS growth are printed as test diagnostics, never asserted on time).
// Every error the browser side sees goes through the harness's secret scan.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
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

// ---- Limits: what one request can cost the server (issue 12) ----

/**
 * The handler's body limit in bytes for requests of at most `recipients` (pkg-template/signing.js
 * has the arithmetic; README "Signing service" states it): 3,471,536 for 1000.
 */
const bodyLimit = (recipients) => 65_536 + 3_406 * recipients;
const CHUNK = 64 * 1024;
const MiB = 1024 * 1024;

const mib = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;

/** The highest RSS seen by `sampleRss()` since `startRss()`, which returns the RSS then. */
let peakRss = 0;
function sampleRss() {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
function startRss() {
  peakRss = process.memoryUsage().rss;
  return peakRss;
}

/** Every UTF-16 unit of `text` written as `\uXXXX`: the most bytes JSON can spend on it. */
function escaped(text) {
  let out = "";
  for (let i = 0; i < text.length; i++) out += `\\u${text.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}

/**
 * `count` (≤ 9000) distinct valid Hong Kong numbers, padded with spaces (separators) to `width`
 * units; none ends in 0000, which the sandbox does not deliver (sandbox/operation.js).
 */
function numbers(count, width = 0) {
  return Array.from({ length: count }, (_, i) => `+852 9${String(1000 + i).padStart(7, "0")}`.padEnd(width, " "));
}

/**
 * The largest valid SigningRequest of the handler's arithmetic, for `count` recipients: numbers of
 * 64 UTF-16 units and texts of 500, every unit written as `\uXXXX`; then white space to exactly
 * `size` bytes. Valid: 500 letters are 500 bytes of the signed URL, well under its limit.
 */
function largestBody(count, size) {
  const list = (items) => `[${items.map((item) => `"${escaped(item)}"`).join(",")}]`;
  const json = `{"to":${list(numbers(count, 64))},"message":${list(Array(count).fill("a".repeat(500)))},"type":"NOTIFY","signatureVersion":"1.0"}`;
  assert.ok(json.length <= size, `the body (${json.length} bytes) fits in ${size}`);
  return json + " ".repeat(size - json.length); // ASCII only: characters are bytes
}

/**
 * A body of `total` bytes of spaces, made only when read, 64 KiB at a time in fresh memory (so a
 * reader that kept them would show in RSS, sampled at each chunk). `pulled` counts the bytes
 * handed out.
 */
function spaces(total, { chunk = CHUNK, fail = false } = {}) {
  const source = { pulled: 0, cancelled: false };
  source.stream = new ReadableStream(
    {
      pull(controller) {
        if (source.pulled >= total) {
          if (fail) controller.error(new Error("connection reset by the test"));
          else controller.close();
          return;
        }
        const bytes = new Uint8Array(Math.min(chunk, total - source.pulled)).fill(0x20);
        source.pulled += bytes.byteLength;
        sampleRss();
        controller.enqueue(bytes);
      },
      cancel() {
        source.cancelled = true;
      },
    },
    // Nothing is made before the handler asks for it, so `pulled` is exactly what it read.
    { highWaterMark: 0 },
  );
  return source;
}

/** `bytes` handed out `size` bytes at a time (a multi-byte character may be cut in two). */
function chunked(bytes, size) {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** Calls `handler` directly; resolves to the answer and the CPU time the call took. */
async function call(handler, body, headers = {}) {
  const request = new Request("http://127.0.0.1/sign", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  });
  const started = process.cpuUsage();
  const response = await handler(request);
  const text = await response.text();
  const cpu = process.cpuUsage(started);
  assertNoLongTermSecret(text, "an answer");
  return { status: response.status, text, json: JSON.parse(text), cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * Serves `handler` on node:http at 127.0.0.1 passing the body on as a stream, as README's Node
 * example does (`Readable.toWeb`), not read whole first as serve.mjs does: the handler's limit
 * then holds on the wire. `read()` is how many body bytes the handler took.
 */
async function serveStreaming(handler) {
  let read = 0;
  const server = createServer(async (incoming, outgoing) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    const counted = new TransformStream({
      transform(chunk, controller) {
        read += chunk.byteLength;
        sampleRss();
        controller.enqueue(chunk);
      },
    });
    const response = await handler(
      new Request(new URL(incoming.url, "http://127.0.0.1"), { method: incoming.method, headers, body: Readable.toWeb(incoming).pipeThrough(counted), duplex: "half" }),
    );
    outgoing.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/sign`,
    read: () => read,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * POSTs up to `total` bytes of spaces with node:http, 64 KiB at a time (fresh memory each), and
 * stops sending when the answer arrives; `total` 0 sends the headers only. Resolves to the answer
 * and the bytes sent; RSS is sampled at each chunk.
 */
function upload(url, { total, headers = {} }) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers });
    const result = { sent: 0 };
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => {
        request.destroy();
        const text = Buffer.concat(chunks).toString("utf8");
        assertNoLongTermSecret(text, "an answer");
        resolve({ ...result, status: response.statusCode, json: JSON.parse(text) });
      });
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const send = () => {
      while (!answered && result.sent < total) {
        const chunk = Buffer.alloc(Math.min(CHUNK, total - result.sent), 0x20);
        result.sent += chunk.length;
        sampleRss();
        if (!request.write(chunk)) return void request.once("drain", send);
      }
      if (!answered && total > 0) request.end();
    };
    if (total > 0) send();
    else request.flushHeaders();
  });
}


describe("signing service: limits on what one request can cost", () => {
  const s = useSandbox(hooks);
  const make = (allow) => createSigningHandler({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, allow });
  const services = [];
  after(() => Promise.all(services.map((service) => service.close())));

  test("600,000 numbers in a 2.3 MiB body: 400 INVALID_BATCH BATCH_TOO_LARGE from the list's length, a small answer", async (t) => {
    // Each "0".."9" is an invalid number: read one by one, they would make 600,000 issues.
    const to = Array.from({ length: 600_000 }, (_, i) => String(i % 10));
    const body = JSON.stringify({ to, message: "x" });
    assert.ok(body.length > 2.2 * MiB && body.length < bodyLimit(1000), `${body.length} bytes, under the limit`);
    const answer = await call(make(), body);
    t.diagnostic(`600,000 numbers, ${body.length} bytes: HTTP ${answer.status}, answer ${answer.text.length} bytes, handler CPU ${answer.cpuMs.toFixed(1)} ms`);
    assert.equal(answer.status, 400);
    assert.ok(answer.text.length < 64 * 1024, `answer of ${answer.text.length} bytes`);
    assert.equal(answer.json.error.code, "INVALID_BATCH");
    assert.equal(answer.json.error.field, "to");
    assert.deepEqual(answer.json.error.issues.map((issue) => [issue.code, issue.field, issue.index]), [["BATCH_TOO_LARGE", "to", null]]);
    assert.match(answer.json.error.issues[0].message, /this batch has 600000/);
    assert.equal(answer.json.error.issuesTotal, 1);

    // 600,000 texts for one recipient: the core's code for a `message` list over the limit.
    const texts = await call(make(), JSON.stringify({ to: ["+852 9123 4567"], message: Array(600_000).fill("x") }));
    t.diagnostic(`600,000 texts: HTTP ${texts.status}, answer ${texts.text.length} bytes, handler CPU ${texts.cpuMs.toFixed(1)} ms`);
    assert.equal(texts.status, 400);
    assert.deepEqual(texts.json.error.issues.map((issue) => [issue.code, issue.field]), [["MESSAGE_COUNT_MISMATCH", "message"]]);

    // With allow.maxRecipients the body limit is that policy's: the same body is refused unparsed.
    const policed = await call(make({ maxRecipients: 10 }), body);
    t.diagnostic(`the same body with allow.maxRecipients 10: HTTP ${policed.status}, handler CPU ${policed.cpuMs.toFixed(1)} ms`);
    assert.equal(policed.status, 413);
  });

  test("the page sees the same refusal: signingService rejects with INVALID_BATCH, BATCH_TOO_LARGE, issuesTotal 1", async () => {
    const service = await serveHandler(make());
    services.push(service);
    const to = Array.from({ length: 600_000 }, (_, i) => String(i % 10));
    const error = await rejection(signingService(service.url)({ to, message: ["x"], type: "NOTIFY", signatureVersion: "1.0" }));
    assertSmsError(error, { code: "INVALID_BATCH", field: "to", httpStatus: 400, issuesTotal: 1 });
    assert.deepEqual(error.issues.map((issue) => issue.code), ["BATCH_TOO_LARGE"]);
    assert.deepEqual(s.sandbox.requests(), []);
  });

  test("at most 100 issues in an answer, issuesTotal counting all; signingService carries both", async (t) => {
    const service = await serveHandler(make());
    services.push(service);
    const signer = signingService(service.url);
    for (const count of [100, 101, 150]) {
      const request = { to: Array.from({ length: count }, (_, i) => `x${i}`), message: "hello", type: "NOTIFY", signatureVersion: "1.0" };
      const expected = validateBatch(request);
      assert.equal(expected.length, count);
      const error = await rejection(signer(request));
      assertSmsError(error, { code: "INVALID_BATCH", field: "to", index: 0, httpStatus: 400, issues: expected.slice(0, 100), issuesTotal: count });
      const answer = JSON.parse(service.answers.at(-1).body).error;
      assert.equal(answer.issues.length, 100);
      assert.equal(answer.issuesTotal, count);
    }

    // The most a batch within the limit can have: 1000 bad numbers and 1000 empty texts.
    const request = { to: Array.from({ length: 1000 }, (_, i) => `x${i}`), message: Array(1000).fill(""), type: "NOTIFY", signatureVersion: "1.0" };
    const expected = validateBatch(request);
    assert.equal(expected.length, 2000);
    const answer = await call(make(), JSON.stringify(request));
    t.diagnostic(`1000 bad numbers and 1000 empty texts: answer ${answer.text.length} bytes (${answer.json.error.issues.length} of ${answer.json.error.issuesTotal} issues)`);
    assert.equal(answer.status, 400);
    assert.ok(answer.text.length < 64 * 1024, `answer of ${answer.text.length} bytes`);
    assert.equal(answer.json.error.issuesTotal, 2000);
    assert.deepEqual(answer.json.error.issues, expected.slice(0, 100));
    assert.deepEqual(s.sandbox.requests(), []);
  });

  test("a 200 MB streamed body: 413 as soon as the limit is passed, the stream cancelled, never buffered", async (t) => {
    const limit = bodyLimit(1000);
    const source = spaces(200 * 1000 * 1000);
    const before = startRss();
    const answer = await call(make(), source.stream);
    sampleRss();
    const growth = peakRss - before;
    t.diagnostic(`200 MB offered: read ${source.pulled} bytes (limit ${limit}), RSS growth ${mib(growth)}, handler CPU ${answer.cpuMs.toFixed(1)} ms`);
    assert.equal(answer.status, 413);
    assert.deepEqual(answer.json.error, { name: "SmsError", code: "INVALID_OPTION", field: "body", message: `body: larger than the ${limit} bytes this service reads` });
    assert.ok(source.cancelled, "the stream was cancelled");
    assert.ok(source.pulled > limit && source.pulled <= limit + CHUNK, `read ${source.pulled} bytes`);
    assert.ok(growth < 64 * MiB, `RSS grew ${mib(growth)}`);
  });

  test("a lying Content-Length: a small one does not lift the limit; a large one is refused unread", async () => {
    const limit = bodyLimit(1000);
    const lying = spaces(200 * 1000 * 1000);
    const small = await call(make(), lying.stream, { "content-length": "10" });
    assert.equal(small.status, 413);
    assert.ok(lying.cancelled && lying.pulled <= limit + CHUNK, `read ${lying.pulled} bytes`);

    const unread = spaces(100);
    const large = await call(make(), unread.stream, { "content-length": "200000000" });
    assert.equal(large.status, 413);
    assert.equal(large.json.error.field, "body");
    assert.equal(unread.pulled, 0, "not a byte read");
  });

  test("exactly at the limits is accepted, one more is refused: bytes, recipients, texts", async (t) => {
    const handler = make();
    const limit = bodyLimit(1000);
    const body = largestBody(1000, limit);
    assert.equal(Buffer.byteLength(body), limit);
    const started = process.cpuUsage();
    const at = await call(handler, body, { "content-length": String(limit) });
    t.diagnostic(`the largest valid body, ${limit} bytes: HTTP ${at.status} in ${at.cpuMs.toFixed(1)} ms of CPU`);
    assert.equal(at.status, 200, at.text.slice(0, 300));
    const signed = noteSigned(at.json);
    assert.equal(new URL(signed.url).origin, s.sandbox.url);
    // It is a real request: the sandbox takes all 1000.
    const sent = await batchSend({ signer: async () => signed, to: numbers(1000, 64), message: Array(1000).fill("a".repeat(500)) });
    assert.equal(sent.successCount, 1000);
    assert.equal(s.sandbox.messages().length, 1000);
    const spent = process.cpuUsage(started);
    t.diagnostic(`process CPU for signing and sending it: ${((spent.user + spent.system) / 1000).toFixed(0)} ms`);

    assert.equal((await call(handler, `${body} `)).status, 413, "one byte more");
    const declared = spaces(limit + 1);
    assert.equal((await call(handler, declared.stream, { "content-length": String(limit + 1) })).status, 413);
    assert.equal(declared.pulled, 0);

    // Recipients and texts, from the lists' lengths: 1000 signed, 1001 the core's refusal.
    assert.equal((await call(handler, JSON.stringify({ to: numbers(1000), message: "x" }))).status, 200);
    const recipients = await call(handler, JSON.stringify({ to: numbers(1001), message: "x" }));
    assert.equal(recipients.status, 400);
    assert.deepEqual(recipients.json.error.issues.map((issue) => issue.code), ["BATCH_TOO_LARGE"]);
    const texts = await call(handler, JSON.stringify({ to: numbers(1000), message: Array(1001).fill("x") }));
    assert.equal(texts.status, 400);
    assert.deepEqual(texts.json.error.issues.map((issue) => issue.code), ["MESSAGE_COUNT_MISMATCH"]);
  });

  test("with allow.maxRecipients: its count of recipients and texts, and its body limit, exactly", async () => {
    const handler = make({ maxRecipients: 10 });
    const limit = bodyLimit(10);
    assert.equal(limit, 99_596);
    const at = await call(handler, largestBody(10, limit));
    assert.equal(at.status, 200, at.text.slice(0, 300));
    noteSigned(at.json);
    assert.equal((await call(handler, largestBody(10, limit + 1))).status, 413);

    assert.equal((await call(handler, JSON.stringify({ to: numbers(10), message: Array(10).fill("x") }))).status, 200);
    const recipients = await call(handler, JSON.stringify({ to: numbers(11), message: "x" }));
    assert.equal(recipients.status, 403);
    assert.deepEqual(recipients.json.error, { name: "SmsError", code: "NOT_ALLOWED", field: "to", message: "not allowed: to: at most 10 recipients per request here; this one has 11" });
    const texts = await call(handler, JSON.stringify({ to: numbers(10), message: Array(11).fill("x") }));
    assert.equal(texts.status, 403);
    assert.equal(texts.json.error.field, "message");
  });

  test("bytes, not characters; a character cut between chunks is read whole; not UTF-8 or a failed stream: 400", async () => {
    const handler = make({ maxRecipients: 10 });
    // 40,000 characters, 120,000 bytes: under the limit in characters, over it in bytes.
    const wide = JSON.stringify({ to: ["+852 9123 4567"], message: "中".repeat(40_000) });
    assert.ok(wide.length < bodyLimit(10) && Buffer.byteLength(wide) > bodyLimit(10));
    assert.equal((await call(handler, wide)).status, 413);

    const text = "中文 ✓ é";
    const cut = await call(handler, chunked(Buffer.from(JSON.stringify({ to: ["+852 9123 4567"], message: [text], signatureVersion: "1.0" })), 1));
    assert.equal(cut.status, 200, cut.text);
    const query = Object.fromEntries(decodeForm(new URL(noteSigned(cut.json).url).search.slice(1)));
    assert.deepEqual(JSON.parse(query.Message), [text]);

    const notUtf8 = Buffer.concat([Buffer.from('{"to":["+852 9123 4567"],"message":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const refused = await call(handler, notUtf8);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json.error, { name: "SmsError", code: "INVALID_OPTION", field: "body", message: "body: must be UTF-8" });

    const failing = await call(handler, spaces(1000, { chunk: 100, fail: true }).stream);
    assert.equal(failing.status, 400);
    assert.equal(failing.json.error.message, "body: could not be read");
  });

  test("over node:http with a streamed body: a 200 MB upload and a 200 MB Content-Length answered 413, the rest never read", async (t) => {
    const limit = bodyLimit(1000);
    const service = await serveStreaming(make());
    services.push(service);

    const before = startRss();
    const streamed = await upload(service.url, { total: 200 * 1000 * 1000, headers: { "content-type": "application/json" } });
    sampleRss();
    const growth = peakRss - before;
    t.diagnostic(`200 MB upload: HTTP ${streamed.status} after ${mib(streamed.sent)} sent; the handler read ${service.read()} bytes; RSS growth ${mib(growth)}`);
    assert.equal(streamed.status, 413);
    assert.equal(streamed.json.error.field, "body");
    assert.ok(service.read() > limit && service.read() <= limit + MiB, `read ${service.read()} bytes`);
    assert.ok(streamed.sent < 100 * 1000 * 1000, `sent ${streamed.sent} bytes`);
    assert.ok(growth < 64 * MiB, `RSS grew ${mib(growth)}`);

    const readBefore = service.read();
    const declared = await upload(service.url, { total: 0, headers: { "content-type": "application/json", "content-length": "200000000" } });
    assert.equal(declared.status, 413);
    assert.equal(service.read(), readBefore, "not a byte read");

    // The same bridge carries an ordinary batch.
    const result = await batchSend({ signer: signingService(service.url), to: TO, message: "through a streamed body" });
    assert.equal(result.successCount, 2);
  });
});

leakCheck({ minimum: 15, signatures: true });
