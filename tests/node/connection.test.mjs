// Failures that provably happen before a byte of the request leaves are CONNECTION_FAILED, not
// OUTCOME_UNKNOWN (issue 12): a certificate the client does not trust (the TLS handshake, which
// checks it, fails before the HTTP request is written) and a host name that does not resolve. A
// campaign stopped by one leaves its recipients `skipped` — never `unknown` — so resumeCampaign
// sends them once the cause is fixed. A host name DNS cannot carry is INVALID_ENDPOINT before
// any fetch.
//
// The HTTPS endpoint is a TLS front on 127.0.0.1:0 that forwards each connection whose handshake
// completes to the sandbox, and counts TCP connections, completed handshakes and the bytes that
// came through them: "nothing was sent" is checked there and in the sandbox's record, not
// inferred from the error. Its certificate is self-signed, made here with the openssl CLI (a
// throwaway key in a temp dir). This process does not trust it; the child that resumes does
// (NODE_EXTRA_CA_CERTS), so the resumed campaign runs against the very same endpoint, as an
// operator would after installing the missing certificate.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as hooks from "node:test";
import { describe, test } from "node:test";
import { createServer as createTlsServer } from "node:tls";
import { fileURLToPath } from "node:url";
import { batchSend, sendCampaign } from "aliyun-globe-sms";
import { fileJournal } from "aliyun-globe-sms/journal";
import { DEFAULT_KEY, assertSmsError, leakCheck, rejection, scanChildOutput, useSandbox } from "./harness.mjs";
import { assertLedgerAgrees, campaignList, plannedRequests } from "./ledger.mjs";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "campaign-child.mjs");
const TO = ["+852 9123 4567", "+65 9123 0000", "(1) 415 555 2671"];

const work = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-connection-"));
hooks.after(() => rmSync(work, { recursive: true, force: true }));

/** A self-signed certificate for 127.0.0.1, or the reason there is none. */
function selfSignedCertificate() {
  const keyPath = join(work, "throwaway-test-key.pem");
  const certPath = join(work, "self-signed.pem");
  const made = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", keyPath, "-out", certPath],
    { encoding: "utf8" },
  );
  if (made.error || made.status !== 0) return { missing: `openssl could not make a certificate: ${made.error?.message ?? made.stderr}` };
  return { key: readFileSync(keyPath), cert: readFileSync(certPath), certPath };
}
const certificate = selfSignedCertificate();

/**
 * A TLS front on 127.0.0.1:0 with `certificate`, forwarding each connection whose handshake
 * completes to `target()` (a port on 127.0.0.1), byte for byte.
 */
async function startTlsFront(target) {
  const seen = { tcpConnections: 0, handshakes: 0, bytesThrough: 0 };
  const server = createTlsServer({ key: certificate.key, cert: certificate.cert }, (secure) => {
    seen.handshakes += 1;
    const upstream = connect(target(), "127.0.0.1");
    secure.on("data", (chunk) => {
      seen.bytesThrough += chunk.length;
    });
    secure.pipe(upstream).pipe(secure);
    secure.on("error", () => upstream.destroy());
    upstream.on("error", () => secure.destroy());
  });
  server.on("connection", () => {
    seen.tcpConnections += 1;
  });
  // A client that refuses the certificate ends the handshake with an alert: expected here.
  server.on("tlsClientError", () => {});
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `https://127.0.0.1:${server.address().port}/`, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Runs campaign-child.mjs (the installed package, by name) with `env` added; resolves to its result. */
function runChild(args, env) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CHILD, JSON.stringify(args)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let output = "";
    proc.stdout.on("data", (chunk) => (output += chunk));
    proc.stderr.on("data", (chunk) => (output += chunk));
    proc.on("error", reject);
    proc.on("close", (status) => {
      scanChildOutput(output, "the resuming child's output");
      if (status !== 0) reject(new Error(`child exited with ${status}: ${output}`));
      else resolve(JSON.parse(readFileSync(args.result, "utf8")));
    });
  });
}

describe("a certificate the client does not trust: CONNECTION_FAILED, nothing sent", { skip: certificate.missing }, () => {
  const s = useSandbox(hooks);
  let front;
  hooks.before(async () => {
    front = await startTlsFront(() => new URL(s.sandbox.url).port);
  });
  hooks.after(() => front.close());
  hooks.beforeEach(() => Object.assign(front.seen, { tcpConnections: 0, handshakes: 0, bytesThrough: 0 }));

  /** The front was reached `connections` times and no handshake completed; the sandbox saw nothing. */
  function nothingWentThrough(connections) {
    assert.deepEqual(front.seen, { tcpConnections: connections, handshakes: 0, bytesThrough: 0 });
    assert.equal(s.sandbox.requests().length, 0, "no HTTP request reached the sandbox");
    assert.deepEqual(s.sandbox.messages(), []);
  }

  for (const signatureVersion of ["1.0", "ACS3"]) {
    test(`batchSend: CONNECTION_FAILED, not OUTCOME_UNKNOWN (${signatureVersion})`, async () => {
      const error = await rejection(
        batchSend({ credentials: DEFAULT_KEY, endpoint: front.url, to: TO, message: "hi", signatureVersion, maxAttempts: 1 }),
      );
      assertSmsError(error, { code: "CONNECTION_FAILED", attempts: 1 });
      assert.equal(error.recipients, undefined, "no recipient may have got it");
      nothingWentThrough(1);
    });
  }

  test("batchSend with maxAttempts 3: the refused certificate is not tried again (src/retry.rs), nothing reached the service", async () => {
    const error = await rejection(batchSend({ credentials: DEFAULT_KEY, endpoint: front.url, to: TO, message: "hi", maxAttempts: 3 }));
    assertSmsError(error, { code: "CONNECTION_FAILED", attempts: 1 });
    nothingWentThrough(1);
  });

  test("sendCampaign stops with its recipients skipped (not unknown); resumeCampaign sends each exactly once once the certificate is trusted", async () => {
    // Two requests (1000 + 498 valid recipients, 2 rejected): the first is refused at the
    // handshake, the campaign stops, the second is never tried.
    const count = 1500;
    const list = campaignList(count);
    const planned = plannedRequests(list);
    assert.equal(planned.length, 2);
    const journal = join(work, "campaign.jsonl");
    const options = { credentials: DEFAULT_KEY, endpoint: front.url, to: list.to, message: "crash test", qps: 20, timeoutMs: 10_000 };

    const held = fileJournal(journal);
    const error = await rejection(sendCampaign({ ...options, maxAttempts: 1, journal: held }));
    held.close(); // the resuming process below takes it
    assertSmsError(error, { code: "CONNECTION_FAILED" });
    const ledger = error.ledger;
    assert.deepEqual(ledger.counts, { sent: 0, delivered: 0, undelivered: 0, expired: 0, failed: 0, rejected: 2, unknown: 0, skipped: 1498 });
    for (const i of planned[0]) {
      assert.equal(ledger.recipients[i].state, "skipped");
      assert.equal(ledger.recipients[i].code, "CONNECTION_FAILED", `recipient ${i}`);
    }
    for (const i of planned[1]) assert.equal(ledger.recipients[i].state, "skipped");
    nothingWentThrough(1);

    // The same endpoint, journal and options, in a process that trusts the certificate.
    const result = join(work, "resumed.json");
    const resumed = await runChild(
      { mode: "resume", url: front.url, journal, count, qps: options.qps, timeoutMs: options.timeoutMs, result },
      { NODE_EXTRA_CA_CERTS: certificate.certPath },
    );
    assert.equal(resumed.error, null, "the resumed campaign finished");
    assert.ok(front.seen.handshakes >= 1, "the resumed campaign went through the same TLS front");
    const messages = s.sandbox.messages();
    const { byState } = assertLedgerAgrees(resumed.ledger, messages, list.to);
    assert.equal(byState.unknown.length + byState.skipped.length, 0);
    assert.equal(byState.sent.length + byState.failed.length, 1498, "every valid recipient was sent once");
    assert.equal(new Set(messages.map((m) => m.to)).size, messages.length, "no number recorded twice");
    assert.equal(messages.length, byState.sent.length);
    assert.equal(s.sandbox.requests().length, 2, "one request per planned request, none repeated");
  });
});

describe("a host name DNS refuses: CONNECTION_FAILED, nothing sent", () => {
  // RFC 6761 §6.4: names under .invalid never resolve.
  const endpoint = "https://sms.aliyun-globe-sms.invalid/";

  test("batchSend: CONNECTION_FAILED, not OUTCOME_UNKNOWN", async () => {
    const error = await rejection(batchSend({ credentials: DEFAULT_KEY, endpoint, to: TO, message: "hi", maxAttempts: 1 }));
    assertSmsError(error, { code: "CONNECTION_FAILED", attempts: 1 });
    assert.equal(error.recipients, undefined);
  });

  test("sendCampaign stops with its recipients skipped, code CONNECTION_FAILED, and a journal that resumes them", async () => {
    const entries = [];
    const journal = { append: async (entry) => void entries.push(entry), read: async () => [...entries] };
    const error = await rejection(sendCampaign({ credentials: DEFAULT_KEY, endpoint, to: TO, message: "hi", maxAttempts: 1, journal }));
    assertSmsError(error, { code: "CONNECTION_FAILED" });
    assert.deepEqual(error.ledger.counts, { sent: 0, delivered: 0, undelivered: 0, expired: 0, failed: 0, rejected: 0, unknown: 0, skipped: 3 });
    assert.deepEqual(error.ledger.recipients.map((r) => [r.state, r.code]), Array(3).fill(["skipped", "CONNECTION_FAILED"]));
    // The request's outcome is journalled as never sent, which resumeCampaign plans again.
    assert.match(entries.at(-1), /"result":"not_sent","code":"CONNECTION_FAILED"/);
  });
});

describe("a host name DNS cannot carry: INVALID_ENDPOINT before any fetch", () => {
  /** Calls of the global fetch (the package's only way out) while `fn` runs. */
  async function fetchCalls(fn) {
    const before = globalThis.fetch;
    let calls = 0;
    globalThis.fetch = function counted(...args) {
      calls += 1;
      return before.apply(this, args);
    };
    try {
      await fn();
    } finally {
      globalThis.fetch = before;
    }
    return calls;
  }

  const cases = [
    ["a label of 64 characters", `https://${"a".repeat(64)}.example/`, /label of the host name has 64 characters; DNS allows at most 63/],
    ["a name of 254 characters", `https://${"a".repeat(62)}.${"b".repeat(62)}.${"c".repeat(62)}.${"d".repeat(62)}.ef/`, /host name has 254 characters; DNS allows at most 253/],
    ["an empty label", "https://sms..example/", /empty label/],
  ];
  for (const [what, endpoint, message] of cases) {
    test(`${what}: batchSend and sendCampaign refuse, field endpoint`, async () => {
      const calls = await fetchCalls(async () => {
        for (const send of [batchSend, sendCampaign]) {
          const error = await rejection(send({ credentials: DEFAULT_KEY, endpoint, to: TO, message: "hi" }));
          assertSmsError(error, { code: "INVALID_ENDPOINT", field: "endpoint" });
          assert.match(error.message, message);
        }
      });
      assert.equal(calls, 0, "nothing was fetched");
    });
  }

  test("the limits themselves are accepted: a 63-character label reaches the network", async () => {
    // .invalid never resolves, so "reached the network" shows as CONNECTION_FAILED.
    const endpoint = `https://${"a".repeat(63)}.invalid/`;
    const calls = await fetchCalls(async () => {
      const error = await rejection(batchSend({ credentials: DEFAULT_KEY, endpoint, to: TO, message: "hi", maxAttempts: 1 }));
      assertSmsError(error, { code: "CONNECTION_FAILED" });
    });
    assert.equal(calls, 1);
  });
});

describe("a fetch that rejects with a hostile value", () => {
  // A patched or polyfilled fetch may reject with anything: the reason is read to learn whether
  // the request left (src/wasm/transport.rs never_connected), never trusted to be an Error.
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable([], {});
    revoke();
    return proxy;
  };
  const throwing = new Proxy({}, { get() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } });
  const cases = [
    ["cause.errors a revoked Proxy", () => ({ cause: { errors: revoked() } }), "OUTCOME_UNKNOWN"],
    ["cause a revoked Proxy", () => ({ cause: revoked() }), "OUTCOME_UNKNOWN"],
    ["a Proxy whose every trap throws", () => throwing, "OUTCOME_UNKNOWN"],
    ["cause.errors an array whose items throw", () => ({ cause: { errors: new Proxy([1, 2], { get(t, k) { if (k === "length") return 2; throw new Error("trap"); } }) } }), "OUTCOME_UNKNOWN"],
    ["null", () => null, "OUTCOME_UNKNOWN"],
    ["a refused connection in cause.errors (read as before)", () => ({ cause: { errors: [{ code: "ECONNREFUSED", syscall: "connect", message: "connect ECONNREFUSED 127.0.0.1:9" }] } }), "CONNECTION_FAILED"],
  ];
  for (const [what, reason, code] of cases) {
    test(`${what}: an SmsError ${code}, never a raw exception`, async () => {
      const before = globalThis.fetch;
      globalThis.fetch = () => Promise.reject(reason());
      try {
        const error = await rejection(batchSend({ credentials: DEFAULT_KEY, endpoint: "http://127.0.0.1:9/", to: [TO[0]], message: "hi", maxAttempts: 1 }));
        assertSmsError(error, { code });
      } finally {
        globalThis.fetch = before;
      }
    });
  }
});

leakCheck({ minimum: 10, signatures: true });
