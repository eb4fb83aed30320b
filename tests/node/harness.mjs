// Shared by every suite here: the sandbox per suite, and the secret scan every caught error goes
// through. These files run only from the installed tarball (tests/package/run.mjs copies them into
// a consumer project), so "aliyun-globe-sms" below is the packed package, resolved by its name.
//
// The scan: each error caught with `rejection()` / `thrown()` is checked at once — message, stack,
// String(), JSON.stringify, util.inspect (hidden properties, any depth), every own property and
// the `cause` chain — for every secret, STS token and signature this process has used, in every
// encoding of `secretForms`. Signatures
// are collected from every request the package sent (a pass-through spy on the global `fetch`,
// which the package calls at send time) and from `signRequest` results handed to `noteSigned()`.
// `leakCheck()` at the end of a suite scans everything again against the complete list and fails
// if the suite caught nothing, so a suite cannot silently skip the scan.

import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { isSmsError } from "aliyun-globe-sms";
import { DEFAULT_KEY, DEFAULT_STS_KEY, percentEncode, startSandbox } from "aliyun-globe-sms/sandbox";

/** Values that must never appear in an error, in every form they travel in. */
const secrets = new Map();
/** Every error caught in this process. */
const caughtErrors = [];
/** Signatures sent or made in this process. */
let signaturesSeen = 0;

/**
 * Every form a secret travels in or a server or proxy may echo it in (issue 12): as is;
 * percent-encoded once and twice, upper- and lower-case hex; `encodeURIComponent`; JSON-escaped,
 * also with `\/` and with `\u` for non-ASCII; form-encoded (`+` for a space), also then
 * percent-encoded. A Map from the encoding's name to the form.
 */
export function secretForms(value) {
  const upper = percentEncode(value);
  const lower = upper.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  const json = JSON.stringify(value).slice(1, -1);
  const jsonSlash = json.replaceAll("/", "\\/");
  // Without the `u` flag the class matches UTF-16 units, which is what `\uXXXX` escapes.
  const jsonAscii = jsonSlash.replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const form = new URLSearchParams([["", value]]).toString().slice(1);
  return new Map([
    ["raw", value],
    ["percent-encoded, upper-case hex", upper],
    ["percent-encoded, lower-case hex", lower],
    ["percent-encoded twice, upper-case hex", percentEncode(upper)],
    ["percent-encoded twice, lower-case hex", percentEncode(lower)],
    ["encodeURIComponent", encodeURIComponent(value)],
    ["JSON-escaped", json],
    ["JSON-escaped with \\/", jsonSlash],
    ["JSON-escaped, \\u for non-ASCII", jsonAscii],
    ["form-encoded", form],
    ["form-encoded, then percent-encoded", percentEncode(form)],
  ]);
}

/** Registers a secret (an AccessKeySecret, STS token or signature) in every form of `secretForms`; `label` names it in failures. */
export function addSecret(value, label) {
  if (typeof value !== "string" || value.length < 8) return;
  for (const [encoding, form] of secretForms(value)) {
    if (!secrets.has(form)) secrets.set(form, `${label} (${encoding})`);
  }
}

addSecret(DEFAULT_KEY.accessKeySecret, "DEFAULT_KEY.accessKeySecret");
addSecret(DEFAULT_STS_KEY.accessKeySecret, "DEFAULT_STS_KEY.accessKeySecret");
addSecret(DEFAULT_STS_KEY.securityToken, "DEFAULT_STS_KEY.securityToken");

/** Records the signature of a request about to be sent or returned by `signRequest`. */
function noteRequest(url, headers) {
  const signature = new URL(url).searchParams.get("Signature");
  if (signature) {
    addSecret(signature, "a signature 1.0 value");
    signaturesSeen += 1;
  }
  const authorization = headers.get("authorization");
  const acs3 = authorization && /Signature=([0-9a-f]+)/.exec(authorization)?.[1];
  if (acs3) {
    addSecret(acs3, "an ACS3 signature value");
    signaturesSeen += 1;
  }
  // Both schemes: the token travels in the query (1.0) or a header (ACS3); it is registered
  // already, this just keeps any other token a test uses.
  addSecret(new URL(url).searchParams.get("SecurityToken") ?? undefined, "a SecurityToken");
  addSecret(headers.get("x-acs-security-token") ?? undefined, "a SecurityToken");
}

// NOTE: a pass-through spy, not a mock: it reads the request and hands it on unchanged.
const realFetch = globalThis.fetch;
globalThis.fetch = function fetchSpy(input, init) {
  try {
    const request = input instanceof Request ? input : new Request(input, init);
    noteRequest(request.url, request.headers);
  } catch {
    // A request fetch itself would refuse: nothing was signed into it that we could read.
  }
  return realFetch.call(this, input, init);
};

/** Records a `signRequest` result's signature and returns it unchanged. */
export function noteSigned(signed) {
  noteRequest(signed.url, new Headers(signed.headers));
  return signed;
}

/** Every text an error shows: what a log, a JSON API or a debugger could print. */
function renderings(value, depth = 0) {
  if (value === null || value === undefined) return [];
  if (typeof value !== "object" && typeof value !== "function") return [String(value)];
  const out = [inspect(value, { depth: Infinity, showHidden: true, getters: true })];
  try {
    out.push(JSON.stringify(value) ?? "");
  } catch (error) {
    out.push(`JSON.stringify threw: ${error}`);
  }
  if (value instanceof Error) out.push(String(value), String(value.message), String(value.stack));
  if (depth < 8) {
    for (const key of Reflect.ownKeys(value)) {
      let property;
      try {
        property = value[key];
      } catch {
        continue;
      }
      out.push(...renderings(property, depth + 1));
    }
    if (value instanceof Error && value.cause !== undefined && !Object.hasOwn(value, "cause")) {
      out.push(...renderings(value.cause, depth + 1));
    }
  }
  return out;
}

/** Throws naming the secret's kind (never the secret) when `value` shows one anywhere. */
export function assertNoSecret(value, where = "error") {
  for (const text of renderings(value)) {
    for (const [secret, label] of secrets) {
      if (text.includes(secret)) assert.fail(`${where} shows ${label} (${value?.code ?? value?.name ?? typeof value})`);
    }
  }
}

function keep(error) {
  caughtErrors.push(error);
  assertNoSecret(error);
  return error;
}

/** Awaits `promise`, which must reject; scans and returns what it rejected with. */
export async function rejection(promise) {
  let result;
  try {
    result = await promise;
  } catch (error) {
    return keep(error);
  }
  assert.fail(`expected a rejection, got ${inspect(result, { depth: 4 })}`);
}

/** Calls `fn`, which must throw; scans and returns what it threw. */
export function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return keep(error);
  }
  assert.fail("expected a throw");
}

/** Scans errors reported by a child process (already serialized to text). */
export function scanChildOutput(text, where) {
  for (const [secret, label] of secrets) {
    if (text.includes(secret)) assert.fail(`${where} shows ${label}`);
  }
}

/** Asserts `error` is an SmsError with these fields (a subset: other fields are not checked). */
export function assertSmsError(error, expected) {
  assert.ok(isSmsError(error), `not an SmsError: ${inspect(error)}`);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "SmsError");
  const actual = Object.fromEntries(Object.keys(expected).map((key) => [key, error[key]]));
  assert.deepEqual(actual, expected, `${error.code}: ${error.message}`);
}

/**
 * The final test of a suite: every error it caught, scanned again against every secret and
 * signature now known. `minimum` guards against a suite that stopped catching.
 */
export function leakCheck({ minimum = 1, signatures = false } = {}) {
  test("leak scan: the scan finds a planted secret wherever it hides", () => {
    const token = DEFAULT_STS_KEY.securityToken;
    const planted = [
      new Error(`in the message ${DEFAULT_KEY.accessKeySecret}`),
      new Error("percent-encoded", { cause: { query: `SecurityToken=${percentEncode(token)}` } }),
      Object.defineProperty(new Error("hidden"), "secret", { value: DEFAULT_STS_KEY.accessKeySecret, enumerable: false }),
      Object.assign(new Error("nested"), { detail: { deeper: [{ token }] } }),
    ];
    for (const error of planted) assert.throws(() => assertNoSecret(error), /shows/);
  });
  test("leak scan: no error caught in this suite shows a secret, token or signature", () => {
    assert.ok(caughtErrors.length >= minimum, `only ${caughtErrors.length} errors were caught and scanned`);
    if (signatures) assert.ok(signaturesSeen > 0, "no signature was collected: the fetch spy saw nothing");
    for (const error of caughtErrors) assertNoSecret(error);
  });
}

/** A sandbox for one suite, reset before each test; throttling off unless asked. */
export function useSandbox(hooks, options = {}) {
  const holder = { sandbox: undefined };
  hooks.before(async () => {
    holder.sandbox = await startSandbox({ qps: Infinity, ...options });
  });
  hooks.after(() => holder.sandbox.close());
  hooks.beforeEach(() => holder.sandbox.reset());
  return holder;
}

/** Waits until `condition()` is true, checking every 10 ms, at most `limit` checks. */
export async function until(condition, what, limit = 1000) {
  for (let i = 0; i < limit; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`gave up waiting for ${what}`);
}

export { DEFAULT_KEY, DEFAULT_STS_KEY };
