// The boundary fuzzer's engine (tests/node/boundary-fuzz.test.mjs drives it): hostile JS values,
// the cases built from them (seeded: case i of seed s is the same on every run), the contract
// every export is held to (issue 11), and the child process that runs the cases.
//
// The cases run in a child (`node boundary-values.mjs` with BFZ_* variables) so that a case that
// kills the process (a segfault, a wasm trap that poisons the instance, a synchronous call that
// never returns) is reported by name and the run goes on from the next case. The child writes the
// index of the case it is in to a breadcrumb file before each call, and reports everything else
// over IPC. It starts its own sandbox (qps off) and counts every API request the sandbox answers,
// so each async call is checked for what it sent: an INVALID_* rejection must have sent nothing.
// It also sends one small campaign (recordReports and pollCampaign open copies of its journal)
// and makes report handlers whose onReports each behave one way and log what they did.

import { subscribe } from "node:diagnostics_channel";
import { openSync, readFileSync, readdirSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import * as sms from "aliyun-globe-sms";
import { DEFAULT_KEY, DEFAULT_STS_KEY, startSandbox } from "aliyun-globe-sms/sandbox";

// ---------------------------------------------------------------- the closed unions, from the package

/** The package's root folder, found from its entry (so the lists come from what is installed). */
function packageRoot() {
  let dir = dirname(fileURLToPath(import.meta.resolve("aliyun-globe-sms")));
  for (let i = 0; i < 5; i += 1) {
    try {
      if (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name === "aliyun-globe-sms") return dir;
    } catch {
      // not the root yet
    }
    dir = dirname(dir);
  }
  throw new Error("boundary fuzz: cannot find the installed aliyun-globe-sms package root");
}

/** The string members of `export type NAME = "A" | "B" ...;` in the package's top-level .d.ts files. */
function unionFromTypes(name) {
  const root = packageRoot();
  for (const file of readdirSync(root).filter((f) => f.endsWith(".d.ts"))) {
    const match = new RegExp(`export\\s+type\\s+${name}\\s*=([^;]*);`).exec(readFileSync(join(root, file), "utf8"));
    if (match) return new Set([...match[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]));
  }
  throw new Error(`boundary fuzz: no \`export type ${name}\` in ${root}/*.d.ts`);
}

export const ERROR_CODES = unionFromTypes("SmsErrorCode");
const ISSUE_CODES = unionFromTypes("IssueCode");
const ISSUE_FIELDS = unionFromTypes("IssueField");

/** Codes that say the call stopped before any request left: the sandbox must have seen none. */
const NOTHING_SENT = new Set([
  "INVALID_BATCH",
  "INVALID_OPTION",
  "INVALID_CREDENTIALS",
  "INVALID_ENDPOINT",
  "INVALID_NONCE",
  "INVALID_TIMESTAMP",
  "NOT_ALLOWED",
  "ABORTED",
  "NOT_INITIALIZED",
  "JOURNAL_MISMATCH",
  "JOURNAL_CORRUPT",
  "SIGNING_FAILED",
  "CONNECTION_FAILED",
]);
/** Codes that must say which option is wrong. */
const NEEDS_FIELD = new Set(["INVALID_OPTION", "INVALID_CREDENTIALS", "INVALID_ENDPOINT", "INVALID_NONCE", "INVALID_TIMESTAMP"]);

export const SYNC_EXPORTS = ["validateBatch", "countSegments", "signRequest", "createSigningHandler", "createReportHandler", "readCsvCampaign", "planCampaign", "resultsCsv", "costlyCharacters"];
/** Issue 14's CSV campaigns and issue 16's costly characters: they never send, not even later. */
const OFFLINE = new Set(["readCsvCampaign", "planCampaign", "resultsCsv", "costlyCharacters"]);
// "handler" and "reportHandler" are the Fetch handlers createSigningHandler and createReportHandler make.
export const ASYNC_EXPORTS = ["batchSend", "sendCampaign", "resumeCampaign", "ready", "handler", "sendMessage", "queryMessage", "reportConversion", "reportConversionRate", "recordReports", "pollCampaign", "reportHandler"];
/** The operations besides the batch (issue 13): one call each, signed here only (no `signer`). */
const OPERATIONS = new Set(["sendMessage", "queryMessage", "reportConversion", "reportConversionRate"]);
/** A sent campaign's delivery reports into its ledger (issue 13): opened from its journal. */
const DELIVERIES = new Set(["recordReports", "pollCampaign"]);
/** Every state a campaign's ledger row may be in (CampaignState in the installed .d.ts). */
const CAMPAIGN_STATES = unionFromTypes("CampaignState");
/** DeliveryEvidence.status (EvidenceStatus in the installed .d.ts). */
const EVIDENCE_STATUSES = [...unionFromTypes("EvidenceStatus")];
/** CsvIssue.code and CsvLeftOut.code (CsvIssueCode in the installed .d.ts). */
const CSV_ISSUE_CODES = unionFromTypes("CsvIssueCode");

// ---------------------------------------------------------------- seeded randomness

/** xorshift32 over a state mixed from (seed, index): case `index` of `seed` is reproducible alone. */
export function rng(seed, index) {
  let state = (Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0 || 0x1234567;
  const next32 = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  for (let i = 0; i < 4; i += 1) next32();
  const next = () => next32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
    /** `k` distinct items of `list`, in a random order. */
    sample: (list, k) => {
      const pool = [...list];
      const out = [];
      while (out.length < k && pool.length) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0]);
      return out;
    },
  };
}

// ---------------------------------------------------------------- the caller's own throws

/** What hostile getters and traps throw: the package must never let it (or any non-SmsError) out. */
export class CallerError extends Error {
  constructor(where) {
    super(`the caller's own error (${where})`);
    this.name = "CallerError";
  }
}

/** Every value a hostile getter or trap of the current case threw, to recognise it if it leaks. */
let thrownByCaller = new Set();
function callerThrow(where, r) {
  // Mostly an Error; sometimes a value a careless wrapper would choke on (`e.message` of a Symbol…).
  const kind = r ? r.int(8) : 0;
  const value = kind === 6 ? Symbol(`caller's own throw (${where})`) : kind === 7 ? Object.freeze({ thrownBy: where }) : new CallerError(where);
  thrownByCaller.add(value);
  throw value;
}

// ---------------------------------------------------------------- descriptions

/** A short printable form of a string: lone surrogates and NUL escaped, long ones cut. */
function showString(s) {
  if (s.length <= 48) return JSON.stringify(s);
  const head = JSON.stringify(s.slice(0, 16));
  return `${head.slice(0, -1)}…" (${s.length.toLocaleString("en")} UTF-16 units)`;
}

function showNumber(n) {
  return Object.is(n, -0) ? "-0" : String(n);
}

/** What came out of a call, for a failure message: never throws, never huge. */
export function showOutcome(value) {
  try {
    if (typeof value === "string") return showString(value);
    if (typeof value === "symbol") return `Symbol(${value.description})`;
    if (value instanceof Error || (value && typeof value === "object" && "message" in value && "name" in value)) {
      const bits = [`${value.constructor?.name ?? "?"} name=${JSON.stringify(value.name)}`];
      if (value.code !== undefined) bits.push(`code=${JSON.stringify(value.code)}`);
      if (value.field !== undefined) bits.push(`field=${JSON.stringify(value.field)}`);
      const message = String(value.message);
      bits.push(`message=${JSON.stringify(message.length > 160 ? `${message.slice(0, 160)}…` : message)}`);
      return bits.join(" ");
    }
    return inspect(value, { depth: 2, breakLength: Infinity, maxStringLength: 80, maxArrayLength: 6 }).slice(0, 300);
  } catch (error) {
    return `(unprintable: ${String(error?.message ?? error).slice(0, 80)})`;
  }
}

// ---------------------------------------------------------------- hostile values
//
// A value is { value, desc, kind }. `kind` is what the contract's expectations key on:
//   undefined null boolean number bigint symbol string function boxed date signal object
//   array-str (only strings)  array-bad (a non-string or hole at a short index)
//   array-long (length > 1000)  hostile (throws when read: revoked or throwing Proxy, getters)
//   array-hostile (an array that throws when its length or elements are read)  callable-hostile

const NUMBERS = [0, -0, 1, -1, 1.5, 10, 11, 1000, 1001, 600000, 600001, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, Number.MIN_VALUE, -1e-300, 0.1];
const BIGINTS = [0n, 1n, -1n, 10n, 2n ** 64n, -(2n ** 100n)];
const STRINGS = [
  "",
  " ",
  "a",
  "+852 9123 4567",
  "85291230000",
  "86 138 0013 8000",
  "\0",
  "a\0b",
  "\uD800",
  "x\uDC00y",
  "\uDBFF\uDFFF",
  "😀",
  "€{}[]~^|\\",
  "NOTIFY",
  "MKT",
  "ACS3",
  "1.0",
  "stop",
  "continue",
  "__proto__",
  "constructor",
  "toString",
  "<script>",
  "%00%ZZ%",
  "\r\n",
  "\u202e\u200b",
  "x".repeat(500),
  "x".repeat(501),
  "é".repeat(256),
  "1".repeat(16),
  "A".repeat(12),
];
let hugeCache;
/** A few MB of text, made once (strings are immutable, so sharing it is safe). */
export function hugeString() {
  hugeCache ??= "\u00e9".repeat(3 * 1024 * 1024);
  return hugeCache;
}

export const VALID_NUMBERS = ["+852 9123 4567", "+65 9123 4567", "00852-9123-4568", "(852) 91234569", "85291234570", "+44 7700 900123", "+1 415 555 0132", "+81 90 1234 5678", "+61 412 345 678", "+49 1512 3456789"];
const VALID_TEXTS = ["Your code is 4821", "Привет, это тест", "€ {} [] ~ ^ |", "😀 emoji", "x".repeat(500), "Our sale starts today"];

function leaf(value, desc, kind) {
  return { value, desc, kind };
}

const manyCache = new Map();
/** `n` distinct valid numbers (shared: callers that change it take a copy). */
function manyNumbers(n) {
  if (!manyCache.has(n)) manyCache.set(n, Object.freeze(Array.from({ length: n }, (_, i) => `+852 9${String(i).padStart(7, "0")}`)));
  return manyCache.get(n);
}

function revoked(target) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A Proxy of `target` whose `trap` throws the caller's own error. */
function trapThrows(target, trap, r) {
  return new Proxy(target, { [trap]: () => callerThrow(`proxy ${trap} trap`, r) });
}

/** Defines a getter that throws the caller's own error. */
function throwingGetter(object, key, r) {
  Object.defineProperty(object, key, { get: () => callerThrow(`getter ${String(key)}`, r), enumerable: true, configurable: true });
  return object;
}

const PROXY_TRAPS = ["get", "has", "ownKeys", "getPrototypeOf", "getOwnPropertyDescriptor"];

/** An array of strings with a huge `length` and (almost) no elements. */
export function sparse(length, first) {
  const array = [];
  array.length = length;
  if (first !== undefined) array[0] = first;
  return array;
}

/** A random hostile value; `field` tailors a few picks (an `endpoint` never points off this machine). */
export function anyValue(r, field) {
  // An absent endpoint means Alibaba's own: a send must never be given one that way.
  const roll = field === "endpoint" ? 8 + r.int(92) : r.int(100);
  if (roll < 4) return leaf(undefined, "undefined", "undefined");
  if (roll < 8) return leaf(null, "null", "null");
  if (roll < 12) return r.chance(0.5) ? leaf(true, "true", "boolean") : leaf(false, "false", "boolean");
  if (roll < 24) {
    const n = r.pick(NUMBERS);
    return leaf(n, showNumber(n), "number");
  }
  if (roll < 28) {
    const b = r.pick(BIGINTS);
    return leaf(b, `${b}n`, "bigint");
  }
  if (roll < 31) return r.chance(0.5) ? leaf(Symbol("fuzz"), "Symbol(fuzz)", "symbol") : leaf(Symbol.iterator, "Symbol.iterator", "symbol");
  if (roll < 44) {
    if (field === "endpoint") {
      const s = r.pick(["", "javascript:alert(1)", "http://example.com/", "ftp://127.0.0.1/", "https://", "\0", "\uD800", "http://[::1", "file:///etc/passwd", "http://127.0.0.1:99999/"]);
      return leaf(s, showString(s), "string");
    }
    if (r.chance(0.003)) return leaf(hugeString(), showString(hugeString()), "string");
    const s = r.pick(STRINGS);
    return leaf(s, showString(s), "string");
  }
  if (roll < 50) return functionValue(r);
  if (roll < 62) return objectValue(r);
  if (roll < 76) return arrayValue(r);
  return hostileValue(r);
}

function functionValue(r) {
  switch (r.int(6)) {
    case 0:
      return leaf(() => {}, "() => {}", "function");
    case 1:
      return leaf(() => callerThrow("function call", r), "() => { throw CallerError }", "function");
    case 2:
      return leaf(async () => callerThrow("async function", r), "async () => { throw CallerError }", "function");
    case 3:
      return leaf(class Fuzz {}, "class Fuzz {}", "function");
    case 4:
      return leaf(() => r.pick([42, null, "x", {}, [], Symbol("s")]), "() => (a garbage value)", "function");
    default:
      return leaf(revoked(() => {}), "revoked Proxy of a function", "callable-hostile");
  }
}

function objectValue(r) {
  switch (r.int(22)) {
    case 0:
      return leaf({}, "{}", "object");
    case 1:
      return leaf(Object.create(null), "Object.create(null)", "object");
    case 2:
      return leaf(new Date(0), "new Date(0)", "date");
    case 3:
      return leaf(new Date(NaN), "new Date(NaN)", "date");
    case 4:
      return leaf(new Date(8.64e15), "new Date(8.64e15)", "date");
    case 5:
      return leaf(new Map([["to", ["+85291234567"]]]), "new Map([[to, …]])", "object");
    case 6:
      return leaf(new Set(["+85291234567"]), "new Set([…])", "object");
    case 7:
      return leaf(new Uint8Array([43, 56, 53]), "new Uint8Array(3)", "object");
    case 8:
      return leaf(new ArrayBuffer(8), "new ArrayBuffer(8)", "object");
    case 9:
      return leaf(/x/g, "/x/g", "object");
    case 10:
      return leaf(new Error("an ordinary error"), "new Error()", "object");
    case 11:
      return leaf(Promise.resolve("+85291234567"), "Promise.resolve(…)", "object");
    case 12:
      return r.chance(0.5) ? leaf(new String("+852 9123 4567"), 'new String("+852 9123 4567")', "boxed") : leaf(new Number(5000), "new Number(5000)", "boxed");
    case 13:
      return leaf(Object(1n), "Object(1n)", "boxed");
    case 14:
      return leaf(AbortSignal.abort(), "AbortSignal.abort()", "signal");
    case 15:
      return leaf(new AbortController().signal, "an AbortSignal (not aborted)", "signal");
    case 16:
      return leaf(new URL("http://127.0.0.1/"), "new URL(http://127.0.0.1/)", "object");
    case 17:
      return leaf({ length: 1, 0: "+85291234567" }, "{ length: 1, 0: … } (array-like)", "object");
    case 18:
      return leaf({ toString: () => "+85291234567", valueOf: () => 5000 }, "{ toString, valueOf }", "object");
    case 19:
      return leaf(Object.create({ to: ["+852 9123 4567"], message: "inherited", accessKeyId: DEFAULT_KEY.accessKeyId }), "Object.create({ to, message, accessKeyId }) (inherited)", "object");
    case 20:
      return leaf(Object.freeze({ accessKeyId: 42, accessKeySecret: null }), "frozen { accessKeyId: 42, accessKeySecret: null }", "object");
    default:
      return leaf(
        { [Symbol.toPrimitive]: () => callerThrow("Symbol.toPrimitive", r), toString: () => callerThrow("toString", r) },
        "{ [Symbol.toPrimitive]() { throw }, toString() { throw } }",
        "object",
      );
  }
}

function arrayValue(r) {
  switch (r.int(14)) {
    case 0:
      return leaf([], "[]", "array-str");
    case 1:
      return leaf(["+852 9123 4567"], '["+852 9123 4567"]', "array-str");
    case 2: {
      const s = r.pick(STRINGS);
      return leaf([s, s], `[${showString(s)}, same]`, "array-str");
    }
    case 3:
      return leaf([1], "[1]", "array-bad");
    case 4:
      return leaf([["+852 9123 4567"]], '[["+852 9123 4567"]] (nested)', "array-bad");
    case 5:
      return leaf(["+852 9123 4567", Symbol("s")], '["+852 9123 4567", Symbol(s)]', "array-bad");
    case 6:
      return leaf(["+852 9123 4567", 10n], '["+852 9123 4567", 10n]', "array-bad");
    case 7:
      return leaf(["+852 9123 4567", , "+65 9123 4567"], '["+852 9123 4567", <hole>, "+65 9123 4567"]', "array-bad"); // eslint-disable-line no-sparse-arrays
    case 8:
      return leaf([null, undefined], "[null, undefined]", "array-bad");
    case 9:
      return leaf(manyNumbers(1001).slice(), "1001 numbers", "array-long");
    case 10: {
      const length = r.pick([1001, 5000, 2 ** 31]);
      return leaf(sparse(length, "+852 9123 4567"), `sparse array, length ${length}`, "array-long");
    }
    case 11: {
      // Rare: the contract says this must be refused from its length, without copying.
      if (r.chance(0.1)) return leaf(sparse(2 ** 32 - 1), "sparse array, length 2**32-1", "array-long");
      return leaf([new Date(0), {}], "[new Date(0), {}]", "array-bad");
    }
    case 12: {
      const array = ["+852 9123 4567", "+65 9123 4567"];
      Object.setPrototypeOf(array, []);
      array.extra = "inherited?";
      return leaf(array, "array with a foreign prototype and an extra key", "array-str");
    }
    default: {
      class Tricky extends Array {}
      const array = Tricky.from(["+852 9123 4567"]);
      return leaf(array, "Array subclass instance", "array-str");
    }
  }
}

function hostileValue(r) {
  switch (r.int(12)) {
    case 0:
      return leaf(revoked({}), "revoked Proxy of {}", "hostile");
    case 1:
      return leaf(revoked([]), "revoked Proxy of []", "array-hostile");
    case 2: {
      const trap = r.pick(PROXY_TRAPS);
      return leaf(trapThrows({}, trap, r), `Proxy of {} whose ${trap} trap throws`, trap === "get" ? "hostile" : "object");
    }
    case 3: {
      const trap = r.pick(PROXY_TRAPS);
      return leaf(trapThrows(["+852 9123 4567"], trap, r), `Proxy of ["+852 9123 4567"] whose ${trap} trap throws`, trap === "get" ? "array-hostile" : "array-maybe");
    }
    case 4: {
      const array = ["+852 9123 4567", "+65 9123 4567"];
      const proxy = new Proxy(array, { get: (t, k, rec) => (k === "length" ? callerThrow("length", r) : Reflect.get(t, k, rec)) });
      return leaf(proxy, "Proxy of an array whose length throws", "array-hostile");
    }
    case 5: {
      const at = r.int(3);
      const array = throwingGetter(["+852 9123 4567", "+65 9123 4567", "+852 9123 4568"], at, r);
      return leaf(array, `array whose element [${at}] is a throwing getter`, "array-hostile");
    }
    case 6: {
      const array = ["+852 9123 4567", , "+65 9123 4567"]; // eslint-disable-line no-sparse-arrays
      Object.setPrototypeOf(array, trapThrows([], "get", r));
      return leaf(array, "array with a hole whose prototype is a throwing Proxy", "array-hostile");
    }
    case 7: {
      const object = Object.create(trapThrows({}, "get", r));
      return leaf(object, "Object.create(Proxy whose get trap throws)", "hostile");
    }
    case 8: {
      const object = {};
      for (const key of ["to", "message", "accessKeyId", "accessKeySecret", "timestamp", "nonce", "append", "read", "aborted", "senderIds"]) throwingGetter(object, key, r);
      return leaf(object, "object whose every known key is a throwing getter", "hostile");
    }
    case 9: {
      let reads = 0;
      const object = { get to() { reads += 1; return reads === 1 ? ["+852 9123 4567"] : 42; } };
      return leaf(object, "object whose `to` getter changes between reads", "object");
    }
    case 10: {
      const array = ["+852 9123 4567"];
      array[Symbol.iterator] = () => callerThrow("Symbol.iterator", r);
      return leaf(array, "array whose Symbol.iterator throws", "array-str");
    }
    default:
      return leaf(trapThrows(["+852 9123 4567"], "get", r), "Proxy of an array whose get trap throws", "array-hostile");
  }
}

// ---------------------------------------------------------------- options, fields and expectations

// validityPeriod and channelId are batch options too since issue 13 (src/options.rs BatchOptions).
const BATCH_FIELDS = ["to", "message", "from", "type", "taskId", "dropDuplicates", "checkNationalLength", "validityPeriod", "channelId"];
const SIGN_FIELDS = [...BATCH_FIELDS, "credentials", "endpoint", "signatureVersion"];
const SEND_FIELDS = [...SIGN_FIELDS, "timeoutMs", "maxAttempts", "signal", "signer"];
const CAMPAIGN_FIELDS = [...SEND_FIELDS, "qps", "allOrNothing", "onUnknown", "onProgress", "journal"];
const HANDLER_FIELDS = ["credentials", "endpoint", "allow"];
/** ReportHandlerOptions (pkg-template/index.extra.d.ts). */
const REPORT_HANDLER_FIELDS = ["onReports", "maxBodyBytes", "dedupeWindow"];
/** `CallOptions` in types.d.ts, and `signer`, which the operations read only to refuse it. */
const CALL_FIELDS = ["credentials", "endpoint", "signatureVersion", "timeoutMs", "maxAttempts", "signal", "signer"];
/** What each export reads: a wrong type there must be INVALID_OPTION naming it. */
const READS = {
  validateBatch: BATCH_FIELDS,
  signRequest: SIGN_FIELDS,
  batchSend: SEND_FIELDS,
  sendCampaign: CAMPAIGN_FIELDS,
  resumeCampaign: CAMPAIGN_FIELDS,
  createSigningHandler: HANDLER_FIELDS,
  sendMessage: [...CALL_FIELDS, "to", "message", "from", "taskId", "validityPeriod", "channelId", "checkNationalLength", "qps"],
  queryMessage: [...CALL_FIELDS, "messageId"],
  reportConversion: [...CALL_FIELDS, "messageId", "delivered", "conversionTime"],
  reportConversionRate: [...CALL_FIELDS, "conversionRate", "reportTime"],
  // A campaign's own options (its list, text and journal) and what is recorded or how long to ask.
  recordReports: [...CAMPAIGN_FIELDS, "reports"],
  pollCampaign: [...CAMPAIGN_FIELDS, "deadlineMs", "intervalMs"],
  createReportHandler: REPORT_HANDLER_FIELDS,
  // sendCampaign's options but `signer` (src/wasm/csv.rs `plan`: nothing is signed).
  planCampaign: CAMPAIGN_FIELDS.filter((f) => f !== "signer"),
  readCsvCampaign: ["numberColumn", "messageColumn", "message", "delimiter", "header"],
};
/** Options an operation cannot do without: absent (undefined or null) is INVALID_OPTION naming it. */
const REQUIRED = {
  sendMessage: ["to", "message"],
  queryMessage: ["messageId"],
  reportConversion: ["messageId", "delivered"],
  reportConversionRate: ["conversionRate"],
  // The reports are recorded in the campaign's journal: without one there is nothing to open
  // (src/wasm/deliveries.rs `open`).
  recordReports: ["reports", "journal"],
  pollCampaign: ["journal"],
  createReportHandler: ["onReports"],
};
/** Where an export reads a field otherwise than FIELD_TYPES says. */
const FIELD_TYPES_OF = {
  // One number and one text, not lists (SendMessageOptions).
  sendMessage: { to: "one-string", message: "one-string", signer: "refused" },
  queryMessage: { signer: "refused" },
  reportConversion: { signer: "refused" },
  reportConversionRate: { signer: "refused" },
  // QueryMessage is signed here (src/wasm/deliveries.rs poll_campaign, options::no_signer).
  pollCampaign: { signer: "refused" },
  // pkg-template/reports.js `wholeNumber`: Number.isInteger and the range, so -0 is 0 there.
  createReportHandler: { maxBodyBytes: { min: 1, max: 4 * 1024 * 1024, integer: true }, dedupeWindow: { min: 0, max: 1_000_000, integer: true, negativeZero: true } },
  // Read as a shape (each key a string), never checked as a key: nothing is signed. The journal
  // must be an object, and is never read (whatever its read and append do; the 200,000-case
  // run's case 174222 of seed 2006091039 had one whose every getter throws).
  planCampaign: { credentials: "credentials-shape", journal: "journal-shape" },
};
const FIELD_TYPES = {
  to: "to",
  message: "message",
  from: "string",
  type: "string",
  taskId: "string",
  dropDuplicates: "boolean",
  checkNationalLength: "boolean",
  credentials: "credentials",
  endpoint: "string",
  signatureVersion: "string",
  timeoutMs: { min: 1, max: 600000, integer: true },
  maxAttempts: { min: 1, max: 10, integer: true },
  qps: { min: 0, max: 1000, integer: false, open: true },
  signal: "signal",
  signer: "function",
  onProgress: "function",
  onUnknown: "string",
  allOrNothing: "boolean",
  journal: "object",
  allow: "object",
  // issue 13: a number or text whose value the core checks (INVALID_INPUT / INVALID_BATCH issues)
  validityPeriod: "seconds",
  channelId: "channel",
  messageId: "message-id",
  delivered: "boolean",
  conversionTime: "time",
  reportTime: "time",
  // A number is refused: types.d.ts says `conversionRate: string` (see valueFor below).
  conversionRate: "rate",
  // issue 13's delivery reports (RecordReportsOptions, PollCampaignOptions in types.d.ts)
  reports: "reports",
  deadlineMs: { min: 1, max: 86_400_000, integer: true },
  intervalMs: { min: 100, max: 300_000, integer: true },
  onReports: "function",
};
const PRIMITIVE = new Set(["boolean", "number", "bigint", "symbol", "string"]);

/** 2018-05-01T00:00:00Z, the earliest event time the core takes (src/event_time.rs EARLIEST_MS). */
const EARLIEST_EVENT_MS = 1_525_132_800_000;
/** What Rust's `char::is_whitespace` says is white space (src/message_id.rs refuses it at either end). */
const RUST_WHITESPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
/** `char::is_control`: the C0 and C1 controls and DEL. */
const RUST_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/**
 * The values the core checks once the type is right, restated from its rules so that a value on
 * the wrong side of a limit is caught whichever way the package errs.
 */
const VALUE_RULES = {
  // src/validity_period.rs: whole seconds, 60 to 72 hours.
  seconds: { kind: "number", ok: (v) => Number.isInteger(v) && v >= 60 && v <= 259_200 },
  // src/event_time.rs: whole ms, not before 2018-05-01, at most 15 minutes ahead of now.
  time: { kind: "number", ok: (v) => Number.isInteger(v) && v >= EARLIEST_EVENT_MS && v <= Date.now() + 15 * 60 * 1000 },
  // src/channel_id.rs: "" (not sent) or 1 to 64 of A-Z a-z 0-9 - _ .
  channel: { kind: "string", ok: (v) => /^[A-Za-z0-9._-]{0,64}$/.test(v) },
  // src/message_id.rs: 1 to 64 characters, no control character, no white space at either end.
  "message-id": {
    kind: "string",
    ok: (v) => {
      const chars = [...v];
      return chars.length >= 1 && chars.length <= 64 && !RUST_CONTROL.test(v) && !RUST_WHITESPACE.test(chars[0]) && !RUST_WHITESPACE.test(chars.at(-1));
    },
  },
  // src/conversion_rate.rs: plain decimal text from 0 to 1, at most 32 characters.
  rate: { kind: "string", ok: (v) => v.length <= 32 && /^(0(\.[0-9]+)?|1(\.0+)?)$/.test(v) },
};

/**
 * The error a value of `kind` at option `field` must give, when the rest of the options are
 * valid: `{ codes, fields, prefix }`, or null when the contract only asks for the general rule.
 */
export function expectFor(field, kind, value, name) {
  const type = FIELD_TYPES_OF[name]?.[field] ?? FIELD_TYPES[field];
  // The signing handler only keeps its credentials when made: an object of any shape is checked
  // when it signs (500 SIGNING_FAILED), so only a primitive must be refused at once.
  if (name === "createSigningHandler" && field === "credentials" && !PRIMITIVE.has(kind)) return null;
  const invalid = (prefix = false, codes = ["INVALID_OPTION"]) => ({ codes, fields: [field], prefix });
  if ((kind === "undefined" || kind === "null") && REQUIRED[name]?.includes(field)) return invalid();
  if (kind === "undefined" || kind === "null" || kind === "boxed" || type === undefined) return null;
  if (VALUE_RULES[type]) {
    // The right type, checked by the core: a bad value is an issue (INVALID_INPUT for the
    // operations, INVALID_BATCH for the batch exports), never INVALID_OPTION.
    if (kind !== VALUE_RULES[type].kind) return invalid();
    return VALUE_RULES[type].ok(value) ? null : invalid(false, [OPERATIONS.has(name) ? "INVALID_INPUT" : "INVALID_BATCH"]);
  }
  if (type === "one-string") return kind === "string" ? null : invalid();
  if (type === "journal-shape") return PRIMITIVE.has(kind) ? invalid() : null;
  if (type === "credentials-shape") {
    if (PRIMITIVE.has(kind)) return invalid();
    return kind === "hostile" || kind === "array-hostile" ? invalid(true) : null;
  }
  // The operations sign here only: any signer at all is refused, naming it (src/wasm/options.rs no_signer).
  if (type === "refused") return invalid();
  if (typeof type === "object") {
    if (kind !== "number") return invalid(kind === "hostile" || kind === "array-hostile");
    const ok = Number.isFinite(value) && (!type.integer || Number.isInteger(value)) && (type.open ? value > type.min : value >= type.min) && value <= type.max && (type.negativeZero || !Object.is(value, -0));
    return ok ? null : invalid();
  }
  switch (type) {
    case "string":
      return kind === "string" ? null : invalid(kind === "hostile" || kind === "array-hostile");
    case "boolean":
      return kind === "boolean" ? null : invalid(kind === "hostile" || kind === "array-hostile");
    case "function":
      return kind === "function" || kind === "callable-hostile" ? null : invalid(kind === "hostile" || kind === "array-hostile");
    case "signal":
      return kind === "signal" ? null : invalid(kind === "hostile" || kind === "array-hostile");
    // A short array with a non-string in it may also disagree in length with the other field:
    // either mistake may be the one reported.
    case "to":
      if (kind === "array-str" || kind === "array-long" || kind === "array-maybe") return null;
      return kind === "array-bad" ? invalid(true, ["INVALID_OPTION", "INVALID_BATCH"]) : invalid(true);
    case "message":
      if (kind === "array-str" || kind === "array-long" || kind === "array-maybe" || kind === "string") return null;
      return kind === "array-bad" ? invalid(true, ["INVALID_OPTION", "INVALID_BATCH"]) : invalid(true);
    case "credentials":
      if (PRIMITIVE.has(kind)) return invalid();
      return invalid(true, ["INVALID_OPTION", "INVALID_CREDENTIALS"]);
    // DeliveryEvidence[]: only an empty array holds no mistake among the values anyValue makes
    // (a string, a hole or a number is no evidence; a list past 100,000 is refused from its length).
    case "reports":
      return kind === "array-str" && value.length === 0 ? null : invalid(true);
    case "object":
      if (PRIMITIVE.has(kind)) return invalid();
      // An array that throws only on its length or one element is a fine (empty) object here.
      return kind === "hostile" ? invalid(true) : null;
    default:
      return null;
  }
}

/** An own data property, without running a getter the fuzzer put there. */
function own(object, key) {
  return Object.getOwnPropertyDescriptor(object, key)?.value;
}

/** `own`, for a value the case may have made hostile: undefined when it cannot be read. */
function ownQuietly(object, key) {
  try {
    return object !== null && typeof object === "object" ? own(object, key) : undefined;
  } catch {
    return undefined;
  }
}

function copyKey(key) {
  return { ...key };
}

/** An in-memory journal, durable "enough" for one process. */
function memoryJournal(entries = []) {
  return { append: (entry) => void entries.push(entry), read: () => entries };
}

/**
 * A journal that holds the start of the campaign `options` describes, so that resumeCampaign has
 * something to resume (an empty journal is JOURNAL_EMPTY): on the first read, a sendCampaign of
 * the same options with an already aborted signal writes its header and sends nothing. Options a
 * case made hostile make that start fail, and the journal stays empty.
 */
function startedJournal(options) {
  const entries = [];
  let started = false;
  return {
    append: (entry) => void entries.push(entry),
    async read() {
      if (!started) {
        started = true;
        try {
          const { signal, onProgress, journal, ...campaign } = options;
          await sms.sendCampaign({ ...campaign, signal: AbortSignal.abort(), journal: memoryJournal(entries) });
        } catch {
          // ABORTED once the header is written; anything else leaves the journal empty.
        }
      }
      return entries;
    },
  };
}

/** A valid batch (every number valid, distinct; texts within the limits). */
function baseBatch(r) {
  const to = r.sample(VALID_NUMBERS, 1 + r.int(3));
  const options = { to, message: r.chance(0.3) ? to.map(() => r.pick(VALID_TEXTS)) : r.pick(VALID_TEXTS) };
  if (r.chance(0.3)) options.from = r.pick(["Alicloud", "Acme", "12345"]);
  if (r.chance(0.3)) options.type = r.pick(["NOTIFY", "MKT"]);
  if (r.chance(0.2)) options.taskId = `task-${r.int(1000)}`;
  if (r.chance(0.1)) options.checkNationalLength = r.chance(0.5);
  if (r.chance(0.1)) options.dropDuplicates = r.chance(0.5);
  return options;
}

/** Valid options for `name`, aimed at this child's sandbox with its test keys. */
export function baseOptions(r, name, env) {
  if (name === "createSigningHandler") {
    const options = { credentials: copyKey(r.chance(0.8) ? DEFAULT_KEY : DEFAULT_STS_KEY), endpoint: env.url };
    if (r.chance(0.3)) options.allow = { senderIds: ["Acme"], maxRecipients: 10, types: ["NOTIFY"], authorize: () => true };
    return options;
  }
  if (OPERATIONS.has(name)) return baseOperation(r, name, env);
  if (DELIVERIES.has(name)) return baseDelivery(r, name, env);
  if (name === "createReportHandler") return baseReportHandler(r);
  const options = baseBatch(r);
  if (name === "validateBatch") return options;
  if (name === "planCampaign") return basePlan(r, options, env);
  options.credentials = copyKey(r.chance(0.8) ? DEFAULT_KEY : DEFAULT_STS_KEY);
  options.endpoint = env.url;
  if (r.chance(0.3)) options.signatureVersion = r.pick(["1.0", "ACS3"]);
  if (name === "signRequest") return options;
  options.timeoutMs = 10000;
  if (r.chance(0.3)) options.maxAttempts = 1 + r.int(4);
  if (r.chance(0.2)) options.signal = new AbortController().signal;
  if (name === "batchSend") return options;
  options.qps = 1000; // the pacer is process-wide per key: a default 1 call/s would slow the run down
  // Mostly all-or-nothing, so that a batch with a bad recipient sends nothing (the run stays fast).
  options.allOrNothing = r.chance(0.9);
  if (r.chance(0.2)) options.onUnknown = r.pick(["stop", "continue"]);
  if (r.chance(0.2)) options.onProgress = () => {};
  if (name === "resumeCampaign") options.journal = startedJournal(options);
  else if (r.chance(0.2)) options.journal = memoryJournal();
  return options;
}

/** Valid options for planCampaign: sendCampaign's, credentials and endpoint optional (issue 14). */
function basePlan(r, options, env) {
  if (r.chance(0.5)) options.credentials = copyKey(r.chance(0.8) ? DEFAULT_KEY : DEFAULT_STS_KEY);
  if (r.chance(0.5)) options.endpoint = env.url;
  if (r.chance(0.2)) options.signatureVersion = r.pick(["1.0", "ACS3"]);
  if (r.chance(0.2)) options.timeoutMs = 10000;
  if (r.chance(0.5)) options.qps = r.pick([1 / 3600, 0.5, 1, 30, 1000]);
  if (r.chance(0.3)) options.allOrNothing = r.chance(0.5);
  if (r.chance(0.2)) options.onUnknown = r.pick(["stop", "continue"]);
  if (r.chance(0.2)) options.onProgress = () => {};
  if (r.chance(0.2)) options.journal = memoryJournal();
  if (r.chance(0.1)) options.signal = new AbortController().signal;
  return options;
}

/**
 * Valid options for one of the operations (issue 13), which the child's sandbox accepts.
 *
 * queryMessage and reportConversion name `env.messageId`, a MessageId the child got from a real
 * sendMessage before the first case (and the sandbox reports at once: reportDelayMs 0). A made-up
 * ID would be answered RECORD_NOT_FOUND (SmsConversion: INVALID_PARAMETERS), so a valid call would
 * only ever test the refusal path; with a real one it must resolve to a whole QueryMessageResult,
 * dates and number detail included. Unknown IDs of valid shape still come up in the mutations
 * and in named cases of their own, where RECORD_NOT_FOUND is the expected answer.
 */
function baseOperation(r, name, env) {
  const options = { credentials: copyKey(r.chance(0.8) ? DEFAULT_KEY : DEFAULT_STS_KEY), endpoint: env.url };
  if (r.chance(0.3)) options.signatureVersion = r.pick(["1.0", "ACS3"]);
  options.timeoutMs = 10000;
  if (r.chance(0.3)) options.maxAttempts = 1 + r.int(4);
  if (r.chance(0.2)) options.signal = new AbortController().signal;
  // The parent builds cases only to describe them, with no MessageId of its own.
  const messageId = env.messageId ?? "0000000000000000000";
  switch (name) {
    case "sendMessage":
      options.to = r.pick(VALID_NUMBERS);
      options.message = r.pick(VALID_TEXTS);
      // The pacer is process-wide per AccessKeyId (default 30/s): at its top rate it costs 1 ms.
      options.qps = 1000;
      if (r.chance(0.3)) options.from = r.pick(["Alicloud", "Acme", "12345"]);
      if (r.chance(0.2)) options.taskId = `task-${r.int(1000)}`;
      if (r.chance(0.2)) options.validityPeriod = r.pick([60, 300, 86_400, 259_200]);
      if (r.chance(0.2)) options.channelId = r.pick(["channel01", "a", "A-b_c.9"]);
      if (r.chance(0.1)) options.checkNationalLength = r.chance(0.5);
      return options;
    case "queryMessage":
      options.messageId = messageId;
      return options;
    case "reportConversion":
      options.messageId = messageId;
      options.delivered = r.chance(0.5);
      // After the send (the sandbox refuses a time before it) and not in the future.
      if (r.chance(0.5)) options.conversionTime = Date.now();
      return options;
    default:
      options.conversionRate = r.pick(["0", "1", "0.53", "0.0725", "1.000"]);
      if (r.chance(0.5)) options.reportTime = Date.now() - r.int(86_400_000);
      return options;
  }
}

// ---------------------------------------------------------------- delivery reports (issue 13)

/**
 * The campaign recordReports and pollCampaign open: sent once per child (childEnvironment) to its
 * sandbox, which picks each message's outcome by the number's last four digits (README,
 * "Delivery reports in the sandbox"): 1234 delivered, 9999 undelivered, 8888 expired. None is
 * left never final (7777): a poll then ends after its first round whatever its deadline, so a
 * valid deadline of a day is a case like any other. Each case is given its own copy of the
 * journal that send wrote.
 */
const DELIVERY_TO = Object.freeze(["+852 5100 1234", "+852 5101 9999", "+852 5102 8888"]);
const DELIVERY_MESSAGE = "boundary fuzz campaign";
/**
 * Where a poll leaves each row: QueryMessage has no expiry status, so an expired message reads
 * as failed (docs/spec/operations.md §2; tests/node/campaign-deliveries.test.mjs).
 */
const POLLED_STATES = ["delivered", "undelivered", "undelivered"];
/** The ledger state a piece of evidence's final status gives a sent row (src/options.rs `deliveries`). */
const FINAL_STATE = { delivered: "delivered", failed: "undelivered", expired: "expired" };
/** src/report.rs `is_code`: an errorCode of another shape is not kept. */
const CODE_SHAPE = /^[A-Za-z0-9._-]{1,64}$/;
/** src/wasm/campaign.rs JOURNAL_TIMEOUT_MS: how long a journal's read() or append() is waited for. */
const JOURNAL_TIMEOUT_MS = 60_000;

/** An in-memory CampaignJournal holding a copy of `entries` (what the brief of issue 13 shows). */
function journalCopy(entries) {
  return {
    entries: entries.slice(),
    append(entry) {
      this.entries.push(entry);
    },
    read() {
      return this.entries;
    },
  };
}

/** What the child's campaign is, or (in the parent, which only describes cases) placeholders. */
function deliveryCampaign(env) {
  // (As many entries as the child's journal holds: a header, the request, its outcome; so that a
  // case picks the same one in both.)
  return env.campaign ?? { entries: ["", "", ""], ids: DELIVERY_TO.map((_, i) => `000000000000000000${i}`) };
}

/** One piece of DeliveryEvidence: mostly about the campaign's messages, in every accepted shape. */
function evidence(r, ids) {
  const messageId = r.chance(0.75) ? r.pick(ids) : r.pick(["9999999999999999999", "bfz-unknown", "1".repeat(64), "id ~*'()!&=+%#/é 42"]);
  const roll = r.int(10);
  if (roll === 0) {
    // A Report as createReportHandler hands it on (types.d.ts `Report`): its other fields are not read.
    const status = r.pick(["delivered", "failed", "expired", "other"]);
    const date = { epochMs: 1_700_000_000_000, text: "Thu, 25 Nov 2021 10:27:00 +0800" };
    return { index: r.int(100), messageId, status, statusCode: { delivered: "1", failed: "2", expired: "6", other: "9" }[status], to: "8525100****", taskId: null, segments: 1, sendDate: date, receiveDate: date, errorCode: r.pick(["DELIVERED", "UNDELIV", null]), errorDescription: "success", ignoredFields: [] };
  }
  if (roll === 1) {
    // A QueryMessageResult (its status a DeliveryStatus), as queryMessage resolves to it.
    return { messageId, status: r.pick(["delivered", "failed", "sending", "expired"]), to: "85251001234", errorCode: r.pick(["DELIVERED", "UNDELIV", null]), errorDescription: null, message: "x", requestId: null, sendDate: null, receiveDate: null, responseCode: "OK", attempts: 1 };
  }
  const item = { messageId, status: r.pick(EVIDENCE_STATUSES) };
  if (r.chance(0.4)) item.errorCode = r.pick([null, undefined, "DELIVERED", "UNDELIV", "EXPIRED", "<script>", "", "x".repeat(65), "a\uD800"]);
  if (r.chance(0.2)) item.to = r.pick([null, "8525100****", "+85251001234", "+852 5100 1234", "abc"]);
  if (r.chance(0.2)) item.taskId = r.pick([null, "ags-000000000000-1", "\0", "t", "x".repeat(256)]);
  return item;
}

/**
 * The rows recordReports must leave, from the rows the journal holds (every one sent, with its
 * MessageId) and the evidence in order (src/delivery.rs): a sent row named by a final report
 * takes its outcome and its code when of a code's shape; the first final report wins; evidence
 * about any other message changes nothing (no row is unknown, so no TaskId or number applies).
 */
function expectedRows(ids, reports) {
  const rows = ids.map((messageId) => ({ state: "sent", code: null, messageId }));
  for (const item of reports) {
    const row = rows.find((x) => x.messageId === item.messageId);
    if (!row || row.state !== "sent" || !FINAL_STATE[item.status]) continue;
    row.state = FINAL_STATE[item.status];
    row.code = typeof item.errorCode === "string" && CODE_SHAPE.test(item.errorCode) ? item.errorCode : null;
  }
  return rows;
}

/** Valid options for recordReports or pollCampaign: the child's campaign, a copy of its journal. */
function baseDelivery(r, name, env) {
  const campaign = deliveryCampaign(env);
  const options = { to: DELIVERY_TO.slice(), message: DELIVERY_MESSAGE, credentials: copyKey(DEFAULT_KEY), endpoint: env.url, journal: journalCopy(campaign.entries) };
  // Options a journal does not hold (src/campaign.rs CampaignCheck::new's fingerprint, and
  // src/wasm/campaign.rs `destination`): any valid value opens the same campaign.
  options.timeoutMs = 10000;
  if (r.chance(0.3)) options.maxAttempts = 1 + r.int(4);
  if (r.chance(0.2)) options.signal = new AbortController().signal;
  if (r.chance(0.2)) options.qps = 1000;
  if (r.chance(0.3)) options.allOrNothing = r.chance(0.5);
  if (r.chance(0.2)) options.onUnknown = r.pick(["stop", "continue"]);
  if (r.chance(0.2)) options.onProgress = () => {};
  if (name === "recordReports") {
    options.reports = Array.from({ length: r.int(6) }, () => evidence(r, campaign.ids));
  } else {
    // Every row is final at the first answer: one round, each row asked once, whatever the deadline.
    options.deadlineMs = r.pick([1, 30, 600_000]);
    if (r.chance(0.5)) options.intervalMs = r.pick([100, 1000, 300_000]);
  }
  return options;
}

/** The ways an onReports may behave, each recording what it did for the check of the answer. */
const ON_REPORTS = {
  ok: () => undefined,
  later: () => new Promise((resolve) => setImmediate(resolve)),
  throws: (r) => callerThrow("onReports", r),
  rejects: async (r) => callerThrow("onReports (async)", r),
  // Junk resolved: the push was handled all the same.
  junk: (r) => r.pick([42, Symbol("junk"), { then: (resolve) => resolve("x") }, null]),
  // A thenable whose `then` getter throws: awaiting it fails (tests/node/reports.test.mjs).
  "then-trap": (r) => ({
    get then() {
      return callerThrow("then getter", r);
    },
  }),
  // Every other call fails: what a failed push forgets must be handed on again.
  flaky: (r, n) => (n % 2 === 1 ? callerThrow("onReports (flaky)", r) : undefined),
};
/** Whether the `n`th call of each behaviour lets the handler acknowledge the push. */
const resolvesOn = (behaviour, n) => ({ ok: true, later: true, throws: false, rejects: false, junk: true, "then-trap": false, flaky: n % 2 === 0 })[behaviour];

/** A report handler of each behaviour (and two with small limits), made once per child. */
function reportHandlers() {
  const made = {};
  const add = (key, behaviour, options = {}) => {
    const record = { calls: [], handler: null };
    let n = 0;
    record.handler = sms.createReportHandler({
      ...options,
      onReports(reports, details) {
        n += 1;
        record.calls.push({ behaviour, resolves: resolvesOn(behaviour, n), fresh: reports.length, duplicates: details.duplicates.length, rejected: details.rejected.length });
        return ON_REPORTS[behaviour](rng(n, 3), n);
      },
    });
    made[key] = record;
  };
  for (const behaviour of Object.keys(ON_REPORTS)) add(behaviour, behaviour);
  add("small", "ok", { maxBodyBytes: 1024, dedupeWindow: 0 });
  add("tiny-window", "flaky", { maxBodyBytes: 64 * 1024, dedupeWindow: 1 });
  return made;
}
/** The handlers reportHandlers makes, and the body limit of each (the default: 4 MiB). */
const REPORT_HANDLER_KEYS = [...Object.keys(ON_REPORTS), "small", "tiny-window"];
const REPORT_HANDLER_LIMITS = { small: 1024, "tiny-window": 64 * 1024 };
const MAX_REPORT_BODY = 4 * 1024 * 1024;

/** Valid options for createReportHandler. */
function baseReportHandler(r) {
  const options = { onReports: r.pick([() => {}, async () => {}, (reports) => void reports.length]) };
  if (r.chance(0.3)) options.maxBodyBytes = r.pick([1, 1024, 4 * 1024 * 1024]);
  if (r.chance(0.3)) options.dedupeWindow = r.pick([0, 1, 100_000, 1_000_000]);
  return options;
}

/** One pushed entry, international shape (docs/spec/operations.md §3). */
function pushEntry(messageId, status, extra = {}) {
  return { To: "8521234****", Status: status, MessageId: messageId, SmsSize: "1", SendDate: "Thu, 25 Nov 2021 10:27:00 +0800", ReceiveDate: "Thu, 25 Nov 2021 10:27:33 +0800", ErrorCode: "DELIVERED", ErrorDescription: "success", ...extra };
}

/** Entries of a push that are not reports (each is rejected, the push's others kept). */
const JUNK_ENTRIES = ["42", "null", '"x"', "[]", "{}", '{"Status":"1"}', '{"MessageId":"a b","Status":"1"}', '{"MessageId":"m","Status":""}', '{"MessageId":"\\ud800","Status":"1"}', '{"MessageId":1,"Status":1}', '{"phone_number":"1381111****","success":true}', '{"MessageId":"m","Status":"1","MessageId":"n"}'];

/** A JSON array of `n` entries (reports from a small pool, so repeats come up, mixed with junk). */
function pushBody(r, n) {
  const parts = [];
  for (let i = 0; i < n; i += 1) {
    if (r.chance(0.2)) parts.push(r.pick(JUNK_ENTRIES));
    else parts.push(JSON.stringify(pushEntry(`bfz-${r.int(40)}`, r.pick(["1", "2", "6", "1", "DELIVRD", "0"]), r.chance(0.2) ? { SmsSize: r.pick(["lots", "-1", "99999999999"]), ErrorDescription: "\u00e9\u0000" } : {})));
  }
  return `[${parts.join(r.chance(0.2) ? " ,\n " : ",")}]`;
}

let nestCache;
/** A 100,000-deep array inside an entry (a parser that recurses would run out of stack). */
function nestingBomb() {
  nestCache ??= `[{"MessageId":"bomb","Status":"1","Extra":${"[".repeat(100_000)}${"]".repeat(100_000)}}]`;
  return nestCache;
}

/** A signer that really signs (with the sandbox key) what it is asked. */
function sandboxSigner(env) {
  return async (request) => sms.signRequest({ ...request, credentials: copyKey(DEFAULT_KEY), endpoint: env.url });
}

// ---------------------------------------------------------------- random cases

const EXPORT_WEIGHTS = [
  ["validateBatch", 24],
  ["countSegments", 14],
  ["signRequest", 18],
  ["createSigningHandler", 5],
  ["handler", 6],
  ["batchSend", 13],
  ["sendCampaign", 4],
  ["resumeCampaign", 3],
  ["ready", 3],
  // Each of these mostly either fails on its options or makes a real request (about 2.4 ms a
  // case against 0.4 ms for the rest, measured): light weights keep make test's 50,000 cases
  // near their old run time.
  ["sendMessage", 1],
  ["queryMessage", 1],
  ["reportConversion", 1],
  ["reportConversionRate", 1],
  // issue 13's delivery reports: recordReports sends nothing (about 0.5 ms a case); pollCampaign
  // mostly fails on its options or journal, or asks four QueryMessage.
  ["recordReports", 4],
  ["pollCampaign", 2],
  ["createReportHandler", 3],
  ["reportHandler", 7],
  // issue 14's CSV campaigns and issue 16's costly characters: synchronous, a fraction of a ms each.
  ["readCsvCampaign", 8],
  ["planCampaign", 6],
  ["resultsCsv", 6],
  ["costlyCharacters", 8],
];
const SENDS = new Set(["batchSend", "sendCampaign", "resumeCampaign", "pollCampaign", ...OPERATIONS]);
const WEIGHT_TOTAL = EXPORT_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);

function pickExport(r) {
  let roll = r.int(WEIGHT_TOTAL);
  for (const [name, weight] of EXPORT_WEIGHTS) {
    if (roll < weight) return name;
    roll -= weight;
  }
  return "validateBatch";
}

/** Short description of an options object built by the generator (its own notes, not inspect). */
function optionsDesc(notes) {
  return notes.length ? `valid options with ${notes.join("; ")}` : "valid options";
}

/**
 * Applies one random mutation to `options` (valid for `name`); returns its description and the
 * error it must give (null: the general rule only). May return a replacement for the options.
 */
function mutate(r, name, options, env) {
  if (name === "createReportHandler") return mutateReportHandler(r, options);
  const reads = READS[name];
  const fields = Object.keys(FIELD_TYPES).filter((f) => (name === "createSigningHandler" ? HANDLER_FIELDS.includes(f) : f !== "allow"));
  const roll = r.int(100);
  if (roll < 34) {
    // one option replaced by a hostile value
    // (An option the operations do not read is left alone: the call would just be sent. The
    // unknown-key mutation below covers them.)
    const field = r.chance(0.7) || OPERATIONS.has(name) ? r.pick(reads) : r.pick(fields);
    let v = anyValue(r, field === "endpoint" && name !== "createSigningHandler" ? "endpoint" : undefined);
    // The pacer is shared by every campaign of the process with the same key: a valid but slow
    // `qps` would make the next cases wait for it. Slow rates have named cases of their own.
    if (field === "qps" && (v.value == null || (typeof v.value === "number" && v.value > 0 && v.value < 100))) v = leaf(r.pick([0, -1, NaN, 1001]), "a rate out of range", "number");
    // A real function in `signer` would be called and might send anywhere: give it only safe ones.
    options[field] = v.value;
    // A read or a conversion report is asked again after an unknown outcome, with backoff: a
    // `timeoutMs` of 1 ms runs its default 4 attempts into about 8 s (measured), past this
    // harness's 2.5 s wait. One attempt keeps the case to its point, the timeout.
    if (field === "timeoutMs" && OPERATIONS.has(name) && name !== "sendMessage" && typeof v.value === "number" && v.value < 100) {
      options.maxAttempts = 1;
      return { note: `${field}: ${v.desc}, maxAttempts: 1`, expect: expectFor(field, v.kind, v.value, name) };
    }
    return { note: `${field}: ${v.desc}`, expect: reads.includes(field) ? expectFor(field, v.kind, v.value, name) : null };
  }
  if (roll < 46) {
    const field = r.chance(0.8) ? r.pick(reads) : r.pick(fields);
    throwingGetter(options, field, r);
    const expect = reads.includes(field)
      ? { codes: field === "credentials" ? ["INVALID_OPTION", "INVALID_CREDENTIALS"] : ["INVALID_OPTION"], fields: [field], prefix: true }
      : null;
    return { note: `${field}: a throwing getter`, expect };
  }
  if (roll < 66 && name === "recordReports" && r.chance(0.6)) return mutateEvidence(r, options, env);
  if (roll < 66 && name === "pollCampaign" && r.chance(0.5)) {
    // deadlineMs or intervalMs, a number on either side of its range
    const field = r.pick(["deadlineMs", "intervalMs"]);
    const value = r.pick(field === "deadlineMs" ? [0, 1, 2, 0.5, -1, 86_400_000, 86_400_001, 2 ** 53] : [99, 100, 100.5, 300_000, 300_001, -100, 1e308]);
    options[field] = value;
    return { note: `${field}: ${showNumber(value)}`, expect: expectFor(field, "number", value, name) };
  }
  if (roll < 66 && OPERATIONS.has(name)) {
    // one of the operation's own options, of the right type, on either side of the core's rules
    const field = r.pick(READS[name].filter((f) => !CALL_FIELDS.includes(f) && OPERATION_VALUES[f]));
    const value = r.pick(OPERATION_VALUES[field]());
    options[field] = value;
    return { note: `${field}: ${typeof value === "string" ? showString(value) : showNumber(value)}`, expect: expectFor(field, typeof value, value, name) };
  }
  if (roll < 66 && name !== "createSigningHandler") {
    // one element of `to` or of a per-recipient `message`
    const field = Array.isArray(own(options, "message")) && r.chance(0.4) ? "message" : "to";
    const array = own(options, field);
    if (!Array.isArray(array)) return { note: `${field} left as it was`, expect: null };
    const i = r.int(array.length);
    const how = r.int(4);
    if (how === 0) {
      throwingGetter(array, i, r);
      return { note: `${field}[${i}]: a throwing getter`, expect: { codes: ["INVALID_OPTION"], fields: [`${field}[${i}]`], prefix: false } };
    }
    if (how === 1) {
      delete array[i];
      return { note: `${field}[${i}]: a hole`, expect: { codes: ["INVALID_OPTION"], fields: [`${field}[${i}]`], prefix: false } };
    }
    const v = anyValue(r);
    array[i] = v.value;
    const wrong = v.kind !== "string";
    return {
      note: `${field}[${i}]: ${v.desc}`,
      expect: wrong ? { codes: ["INVALID_OPTION"], fields: [`${field}[${i}]`], prefix: false } : null,
    };
  }
  if (roll < 76) {
    if (name === "createSigningHandler") {
      const key = r.pick(["senderIds", "maxRecipients", "types", "authorize"]);
      const v = anyValue(r);
      options.allow = { ...(options.allow ?? {}), [key]: v.value };
      return { note: `allow.${key}: ${v.desc}`, expect: null };
    }
    if (name === "validateBatch") {
      const v = anyValue(r);
      options.type = v.value;
      return { note: `type: ${v.desc}`, expect: expectFor("type", v.kind, v.value) };
    }
    // one key of credentials
    const key = r.pick(["accessKeyId", "accessKeySecret", "securityToken"]);
    const credentials = own(options, "credentials");
    if (credentials === null || typeof credentials !== "object" || Object.isFrozen(credentials)) return { note: "credentials left as they were", expect: null };
    if (r.chance(0.3)) {
      throwingGetter(credentials, key, r);
      return { note: `credentials.${key}: a throwing getter`, expect: { codes: ["INVALID_OPTION", "INVALID_CREDENTIALS"], fields: ["credentials"], prefix: true } };
    }
    const v = anyValue(r);
    // The harness takes every STS token a request carries for a secret: a common string there
    // ("constructor") would then "leak" wherever it is quoted. Make such a value unique.
    if (typeof v.value === "string" && v.value.length >= 8) {
      v.value = `${v.value}~${r.int(1e9)}`;
      v.desc = `${v.desc} + a unique suffix`;
    }
    credentials[key] = v.value;
    const wrong = !["undefined", "null", "string", "boxed"].includes(v.kind);
    return {
      note: `credentials.${key}: ${v.desc}`,
      expect: wrong ? { codes: ["INVALID_OPTION", "INVALID_CREDENTIALS"], fields: ["credentials"], prefix: true } : null,
    };
  }
  if (roll < 82 && DELIVERIES.has(name)) return mutateDeliveryJournal(r, name, options, env);
  if (roll < 82 && OPERATIONS.has(name)) {
    if (r.chance(0.5)) {
      options.signal = AbortSignal.abort();
      return { note: "signal: already aborted", expect: { codes: ["ABORTED"], fields: null, prefix: false } };
    }
    // Even one that would sign correctly: these operations sign here only.
    options.signer = r.pick([sandboxSigner(env), () => callerThrow("signer", r), async () => callerThrow("signer (async)", r)]);
    if (r.chance(0.3)) delete options.credentials;
    return { note: "signer: a function (refused)", expect: { codes: ["INVALID_OPTION"], fields: ["signer"], prefix: false } };
  }
  if (roll < 82 && (name === "sendCampaign" || name === "resumeCampaign" || name === "batchSend")) {
    const pick = r.int(6);
    if (pick === 0) {
      options.signal = AbortSignal.abort();
      return { note: "signal: already aborted", expect: { codes: ["ABORTED"], fields: null, prefix: false } };
    }
    if (pick === 1) {
      options.signer = sandboxSigner(env);
      delete options.credentials;
      return { note: "signer: one that signs with the sandbox key (valid)", expect: null };
    }
    if (pick === 2 && name !== "batchSend") {
      const entries = r.pick([[42], ["{not json"], [""], [JSON.stringify({ kind: "fuzz" })], null, "x"]);
      options.journal = { append: () => {}, read: () => entries };
      return { note: `journal.read() returns ${showOutcome(entries)}`, expect: null };
    }
    if (pick === 3 && name !== "batchSend") {
      options.journal = { append: () => callerThrow("journal.append", r), read: () => [] };
      return { note: "journal.append throws", expect: null };
    }
    if (pick === 4 && name !== "batchSend") {
      options.onProgress = () => callerThrow("onProgress", r);
      return { note: "onProgress throws", expect: null };
    }
    options.signer = r.pick([() => callerThrow("signer", r), async () => callerThrow("signer (async)", r), () => null, async () => ({ method: "POST", url: "javascript:alert(1)", headers: {}, body: "" })]);
    return { note: "signer: throws, rejects or returns garbage", expect: null };
  }
  if (roll < 90) {
    // the whole options behind a Proxy, or inherited
    const how = r.int(PROXY_TRAPS.length + 2);
    if (how < PROXY_TRAPS.length) {
      const trap = PROXY_TRAPS[how];
      return {
        replace: trapThrows(options, trap, r),
        note: `all of it behind a Proxy whose ${trap} trap throws`,
        expect: trap === "get" ? { codes: ["INVALID_OPTION"], fields: null, prefix: false } : null,
      };
    }
    if (how === PROXY_TRAPS.length) return { replace: Object.create(options), note: "every option inherited (Object.create(options))", expect: null };
    return { replace: revoked(options), note: "all of it a revoked Proxy", expect: { codes: ["INVALID_OPTION"], fields: null, prefix: false } };
  }
  // an unknown key, or a huge value in the message
  if (r.chance(0.5) && name !== "createSigningHandler") {
    options.message = r.chance(0.05) ? hugeString() : "\uD800 \0";
    return { note: `message: ${showString(options.message)}`, expect: null };
  }
  const v = anyValue(r);
  options[r.pick(["messageID", "__proto__", "toJSON", "then", "constructor"])] = v.value;
  return { note: `an unknown key set to ${v.desc}`, expect: null };
}

/** One mutation of createReportHandler's options (pkg-template/reports.js reads each once). */
function mutateReportHandler(r, options) {
  const roll = r.int(100);
  const field = r.pick(REPORT_HANDLER_FIELDS);
  if (roll < 50) {
    const v = anyValue(r);
    options[field] = v.value;
    return { note: `${field}: ${v.desc}`, expect: expectFor(field, v.kind, v.value, "createReportHandler") };
  }
  if (roll < 65) {
    throwingGetter(options, field, r);
    return { note: `${field}: a throwing getter`, expect: { codes: ["INVALID_OPTION"], fields: [field], prefix: false } };
  }
  if (roll < 75) {
    const value = field === "onReports" ? r.pick([class Fuzz {}, revoked(() => {}), Object.prototype.toString, (() => {}).bind(null)]) : r.pick([0, 1, 1.5, -0, 1024, 4 * 1024 * 1024, 4 * 1024 * 1024 + 1, 1_000_000, 1_000_001, -1]);
    options[field] = value;
    return { note: `${field}: ${showOutcome(value)}`, expect: expectFor(field, typeof value === "function" ? "function" : "number", value, "createReportHandler") };
  }
  if (roll < 90) {
    const how = r.int(PROXY_TRAPS.length + 2);
    if (how < PROXY_TRAPS.length) {
      const trap = PROXY_TRAPS[how];
      // Only [[Get]] is asked of the options: the other traps are never reached.
      return { replace: trapThrows(options, trap, r), note: `all of it behind a Proxy whose ${trap} trap throws`, expect: trap === "get" ? { codes: ["INVALID_OPTION"], fields: ["onReports"], prefix: false } : null };
    }
    if (how === PROXY_TRAPS.length) return { replace: Object.create(options), note: "every option inherited (Object.create(options))", expect: null };
    return { replace: revoked(options), note: "all of it a revoked Proxy", expect: { codes: ["INVALID_OPTION"], fields: null, prefix: false } };
  }
  const v = anyValue(r);
  options[r.pick(["onreports", "maxBody", "__proto__", "then"])] = v.value;
  return { note: `an unknown key set to ${v.desc}`, expect: null };
}

/** What a piece of evidence's `key` of this kind must give (RecordReportsOptions in src/options.rs). */
function expectEvidence(at, key, kind, value) {
  const wrong = (prefix = false) => ({ codes: ["INVALID_OPTION"], fields: [`${at}.${key}`], prefix });
  const hostile = kind === "hostile" || kind === "array-hostile";
  if (key === "messageId") {
    if (kind === "undefined" || kind === "null") return wrong();
    if (kind === "boxed") return null;
    return kind === "string" ? (VALUE_RULES["message-id"].ok(value) ? null : wrong()) : wrong(hostile);
  }
  if (key === "status") {
    if (kind === "boxed") return null;
    return kind === "string" && EVIDENCE_STATUSES.includes(value) ? null : wrong(hostile);
  }
  // errorCode, to, taskId: optional text, kept only when of its shape.
  if (kind === "undefined" || kind === "null" || kind === "string" || kind === "boxed") return null;
  return wrong(hostile);
}

/** One mutation of recordReports' evidence: an item, or one of its fields. */
function mutateEvidence(r, options, env) {
  const reports = own(options, "reports");
  if (!Array.isArray(reports) || Object.isFrozen(reports)) return { note: "reports left as they were", expect: null };
  if (reports.length === 0 || r.chance(0.2)) reports.push(evidence(r, deliveryCampaign(env).ids));
  const i = r.int(reports.length);
  const at = `reports[${i}]`;
  const item = reports[i];
  const key = r.pick(["messageId", "status", "errorCode", "to", "taskId"]);
  const exact = (field) => ({ codes: ["INVALID_OPTION"], fields: [field], prefix: false });
  switch (r.int(8)) {
    case 0: {
      const v = anyValue(r);
      reports[i] = v.value;
      return { note: `${at}: ${v.desc}`, expect: { codes: ["INVALID_OPTION"], fields: [at], prefix: true } };
    }
    case 1:
      delete reports[i];
      return { note: `${at}: a hole`, expect: exact(at) };
    case 2:
      throwingGetter(reports, i, r);
      return { note: `${at}: a throwing getter`, expect: exact(at) };
    case 3: {
      const v = anyValue(r);
      item[key] = v.value;
      return { note: `${at}.${key}: ${v.desc}`, expect: expectEvidence(at, key, v.kind, v.value) };
    }
    case 4:
      throwingGetter(item, key, r);
      return { note: `${at}.${key}: a throwing getter`, expect: { codes: ["INVALID_OPTION"], fields: [at], prefix: true } };
    case 5: {
      const required = r.pick(["messageId", "status"]);
      delete item[required];
      return { note: `${at}.${required}: absent`, expect: exact(`${at}.${required}`) };
    }
    case 6: {
      const value = r.pick(OPERATION_VALUES.messageId());
      item.messageId = value;
      return { note: `${at}.messageId: ${showString(value)}`, expect: expectEvidence(at, "messageId", "string", value) };
    }
    default: {
      const value = r.pick(["Delivered", "DELIVERED", "read", "", "1", "delivered ", "sending", "other", "failed", "expired", "undelivered", "\uD800"]);
      item.status = value;
      return { note: `${at}.status: ${showString(value)}`, expect: expectEvidence(at, "status", "string", value) };
    }
  }
}

/**
 * One mutation of what recordReports and pollCampaign open the campaign from: the journal (read
 * and append that throw, reject, give junk; entries of another campaign or a broken one), the
 * signal, the signer.
 */
function mutateDeliveryJournal(r, name, options, env) {
  const entries = deliveryCampaign(env).entries;
  const journal = (read, append = () => {}) => ({ read, append });
  const code = (codes, fields = null) => ({ codes: [].concat(codes), fields: fields && [].concat(fields), prefix: false });
  switch (r.int(11)) {
    case 0:
      options.signal = AbortSignal.abort();
      // recordReports sends nothing, so its signal has nothing to stop; a poll is stopped.
      return { note: "signal: already aborted", expect: name === "pollCampaign" ? code("ABORTED") : null };
    case 1: {
      // (A read that never settles is given up after JOURNAL_TIMEOUT_MS, a minute: only named
      // cases, whose clock skips that timer, make one.)
      const how = r.pick(["throws", "rejects", "resolves later"]);
      options.journal = journal(how === "throws" ? () => callerThrow("journal.read", r) : how === "rejects" ? async () => callerThrow("journal.read (async)", r) : async () => entries.slice());
      return { note: `journal.read ${how}`, expect: how === "resolves later" ? null : code("INVALID_OPTION", "journal") };
    }
    case 2: {
      const junk = r.pick([42, null, "x", [42], { length: 1, 0: entries[0] }, [entries[0], 7], [Symbol("e")], sparse(5)]);
      options.journal = journal(() => junk);
      return { note: `journal.read() returns ${showOutcome(junk)}`, expect: code("INVALID_OPTION", "journal") };
    }
    case 3:
      options.journal = journal(() => []);
      return { note: "journal.read() returns []", expect: code("JOURNAL_EMPTY") };
    case 4: {
      // One character of an entry changed: its checksum no longer holds.
      const k = r.int(entries.length);
      const broken = entries.map((e, i) => (i === k ? e.replace(/\d/, (d) => String((Number(d) + 1) % 10)) : e));
      options.journal = journal(() => broken);
      return { note: `journal entry ${k} altered`, expect: code("JOURNAL_CORRUPT") };
    }
    case 5: {
      const extra = r.pick(["{not json\n", "", "\uD800\n", `${entries[0]}`, JSON.stringify({ kind: "fuzz" })]);
      options.journal = journal(() => [...entries, extra]);
      // An entry without its newline, last, is a torn append (a crash mid-write), forgiven
      // (src/journal.rs); a whole one that does not hold is not.
      return { note: `journal.read() has an extra entry ${showString(extra)}`, expect: extra.endsWith("\n") ? code("JOURNAL_CORRUPT") : null };
    }
    case 6: {
      const how = r.pick(["throws", "rejects", "is not a function"]);
      const copy = journalCopy(entries);
      copy.append = how === "throws" ? () => callerThrow("journal.append", r) : how === "rejects" ? async () => callerThrow("journal.append (async)", r) : 42;
      options.journal = copy;
      // Only a change is journaled: a poll's always (its first round finds three final rows);
      // recordReports' when its evidence changes a row.
      const changes = name === "pollCampaign" || expectedRows(deliveryCampaign(env).ids, own(options, "reports") ?? []).some((row) => row.state !== "sent");
      return { note: `journal.append ${how}`, expect: changes ? code("JOURNAL_FAILED") : null };
    }
    case 7: {
      const copy = journalCopy(entries);
      const junk = r.pick([42, Symbol("appended"), { then: (resolve) => resolve(false) }, null, Promise.resolve("no")]);
      copy.append = function append(entry) {
        this.entries.push(entry);
        return junk;
      };
      options.journal = copy;
      return { note: `journal.append returns ${showOutcome(junk)}`, expect: null };
    }
    case 8: {
      // Another campaign: its list in another order, or another sender ID.
      if (r.chance(0.5)) options.to = DELIVERY_TO.slice().reverse();
      else options.from = "Acme";
      return { note: options.from ? "from: another sender ID than the journal's" : "to: the journal's list in another order", expect: code("JOURNAL_MISMATCH") };
    }
    case 9: {
      // Where and as whom: another endpoint on this machine, another key.
      if (r.chance(0.5)) options.endpoint = "http://127.0.0.1:1/";
      else options.credentials = copyKey(DEFAULT_STS_KEY);
      return { note: options.endpoint === env.url ? "credentials: another key" : "endpoint: another than the journal's", expect: code("JOURNAL_MISMATCH") };
    }
    default:
      options.signer = sandboxSigner(env);
      if (r.chance(0.5)) delete options.credentials;
      return { note: "signer: one that signs with the sandbox key", expect: name === "pollCampaign" ? code("INVALID_OPTION", "signer") : null };
  }
}

/**
 * Values of the right type for the operations' own options, valid and not: each a function, as
 * the times depend on the clock.
 */
const OPERATION_VALUES = {
  to: () => ["+852 9123 4567", "+65 9123 4567", "00852-9123-4568", "+852 9123 9999", "+86 138 0013 8000", "12", "", "+852 9123 4567 ext", "\uD800", "1".repeat(16), "x".repeat(5000)],
  message: () => ["hi", "", "x".repeat(500), "x".repeat(501), "a\uD800b", "\0", "😀".repeat(250), "€{}[]~^|\\"],
  from: () => ["", "Acme", "12345", "Ac\uDC00me", "A".repeat(12), "A".repeat(30), "Ac me"],
  taskId: () => ["", "t", "x".repeat(255), "x".repeat(256), "a\0b"],
  validityPeriod: () => [59, 60, 259_200, 259_201, 90.5, 3_600_000, -60, 2 ** 53],
  channelId: () => ["", "channel01", "bad id!", "x".repeat(64), "x".repeat(65), "é", "a\nb", "\uD800"],
  messageId: () => ["", " 1", "1 ", "1\u00a0", "\u3000x", "a\0b", "a\u0085b", "x".repeat(64), "é".repeat(65), "123", "id ~*'()!&=+%#/é 42", "\u200b1", "1\uD800"],
  delivered: () => [true, false],
  conversionTime: () => eventTimes(),
  reportTime: () => eventTimes(),
  conversionRate: () => ["0", "1", "1.0", "0.5", "1.5", "2", ".5", "1.", "00.5", "-0", "0,5", " 0.5", "1e-1", `0.${"1".repeat(30)}`, `0.${"1".repeat(31)}`, "١"],
};

/** Event times around the core's limits (src/event_time.rs). */
function eventTimes() {
  const now = Date.now();
  return [now, now - 60_000, now + 60 * 60_000, 1_736_669_145, now * 1000, now + 0.5, EARLIEST_EVENT_MS - 1, EARLIEST_EVENT_MS];
}

/** Fresh args for `signRequest`'s second argument. */
function signAt(r) {
  const roll = r.int(10);
  if (roll < 3) return { at: undefined, note: null, expect: null };
  if (roll < 5) return { at: { timestamp: r.chance(0.5) ? Date.now() : new Date(), nonce: `n${r.int(1e9)}` }, note: null, expect: null };
  if (roll < 7) {
    const v = anyValue(r);
    const expect = PRIMITIVE.has(v.kind) ? { codes: ["INVALID_OPTION"], fields: ["at"], prefix: false } : null;
    return { at: v.value, note: `at: ${v.desc}`, expect };
  }
  const key = r.pick(["timestamp", "nonce"]);
  if (r.chance(0.25)) {
    return {
      at: throwingGetter({}, key, r),
      note: `at.${key}: a throwing getter`,
      expect: { codes: ["INVALID_OPTION", key === "nonce" ? "INVALID_NONCE" : "INVALID_TIMESTAMP"], fields: [key, `at.${key}`, "at"], prefix: true },
    };
  }
  const v = anyValue(r);
  return { at: { [key]: v.value }, note: `at.${key}: ${v.desc}`, expect: null };
}

/** A JSON value for a signing handler's body. */
function jsonValue(r, depth = 0) {
  switch (r.int(depth > 1 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return r.pick([true, false]);
    case 2:
      return r.pick([0, -1, 1.5, 1e308, 2 ** 53 + 2]);
    case 3:
      return r.pick(STRINGS);
    case 4:
      return r.pick(VALID_NUMBERS);
    case 5:
      return Array.from({ length: r.int(4) }, () => jsonValue(r, depth + 1));
    case 6:
      return manyNumbers(r.pick([1001, 5000]));
    default:
      return { to: jsonValue(r, depth + 1), nested: jsonValue(r, depth + 1) };
  }
}

/** One random case: `{ name, args, desc, expect, valid }`. */
export function randomCase(seed, index, env) {
  const r = rng(seed, index);
  const name = pickExport(r);
  if (name === "countSegments") {
    if (r.chance(0.5)) {
      const s = r.chance(0.002) ? hugeString() : r.chance(0.5) ? r.pick(STRINGS) : r.pick(VALID_TEXTS);
      return { name, args: [s], desc: `countSegments(${showString(s)})`, expect: null, valid: true };
    }
    const v = anyValue(r);
    const expect = v.kind === "string" ? null : { codes: ["INVALID_OPTION"], fields: ["text"], prefix: false };
    return { name, args: r.chance(0.05) ? [] : [v.value], desc: `countSegments(${v.desc})`, expect, valid: v.kind === "string" };
  }
  if (name === "ready") {
    const v = anyValue(r);
    return { name, args: r.chance(0.3) ? [] : [v.value], desc: `ready(${v.desc})`, expect: null, valid: false };
  }
  if (name === "handler") return handlerCase(r, env);
  if (name === "reportHandler") return reportHandlerCase(r, env);
  if (name === "costlyCharacters") return costlyCase(r);
  if (name === "readCsvCampaign") return csvReadCase(r);
  if (name === "resultsCsv") return resultsCase(r);
  const roll = r.int(100);
  let options = baseOptions(r, name, env);
  const plain = options;
  const notes = [];
  let expect = null;
  let valid = false;
  let oracle = false;
  if (roll < 6) {
    const v = anyValue(r);
    options = v.value;
    notes.push(`options: ${v.desc}`);
    if (PRIMITIVE.has(v.kind) || v.kind === "undefined" || v.kind === "null") expect = { codes: ["INVALID_OPTION"], fields: ["options"], prefix: false };
    return finishCase(r, name, options, `${name}(${v.desc})`, expect, false);
  }
  // Valid calls: 8% of the synchronous ones, 2% of those that send (each is a real HTTP request).
  if (roll < 6 + (SENDS.has(name) ? 2 : 8)) {
    valid = true;
    const how = r.int(3);
    if (how === 1) {
      options = new Proxy(options, {});
      notes.push("behind a transparent Proxy");
    } else if (how === 2) {
      options = Object.freeze(options);
      notes.push("frozen");
    }
  } else if (roll < 76) {
    const m = mutate(r, name, options, env);
    if (m.replace !== undefined) options = m.replace;
    notes.push(m.note);
    expect = m.expect;
    // One change to evidence or a journal's answers that leaves the call valid: the rows it
    // must leave are known (deliveryOracle).
    oracle = DELIVERIES.has(name) && expect === null && m.replace === undefined && /^(reports|journal\.(read resolves|append returns)|signal)/.test(m.note);
  } else {
    for (let k = 2 + r.int(3); k > 0; k -= 1) {
      let m;
      try {
        m = mutate(r, name, options, env);
      } catch {
        continue; // an earlier mutation made this one impossible (a frozen or revoked value)
      }
      notes.push(m.note);
      if (m.replace !== undefined) {
        options = m.replace;
        break;
      }
    }
  }
  const bounded = name === "pollCampaign" ? boundPoll(plain) : [];
  const c = finishCase(r, name, options, `${name}(${optionsDesc([...notes, ...bounded])})`, expect, valid);
  c.oracle = valid || oracle;
  c.lingers = bounded.length > 0;
  return c;
}

/**
 * A poll whose questions time out is asked again after each wait until its deadline (src/poller.rs:
 * an unknown outcome may always be asked again), each question up to maxAttempts times with
 * backoff: with a short `timeoutMs`, one attempt and a 1 ms deadline keep the case to its point.
 */
function boundPoll(options) {
  const timeoutMs = ownQuietly(options, "timeoutMs");
  if (typeof timeoutMs !== "number" || !(timeoutMs < 100)) return [];
  for (const [key, value] of [["maxAttempts", 1], ["deadlineMs", 1]]) {
    const held = Object.getOwnPropertyDescriptor(options, key);
    if (held && !("value" in held)) continue; // a getter the case put there stays
    try {
      options[key] = value;
    } catch {
      // frozen: left as it is
    }
  }
  return ["(maxAttempts 1, deadlineMs 1: the time-out is the point)"];
}

function finishCase(r, name, options, desc, expect, valid) {
  if (name !== "signRequest") return { name, args: [options], desc, expect, valid };
  const at = signAt(r);
  // With a mistake in the options and another in `at`, either may be the one reported.
  let both = expect ?? (valid ? at.expect : null);
  if (expect && at.note) {
    both = expect.fields === null ? expect : { codes: [...new Set([...expect.codes, "INVALID_OPTION", "INVALID_TIMESTAMP", "INVALID_NONCE"])], fields: [...expect.fields, "at", "timestamp", "nonce"], prefix: true };
  }
  return {
    name,
    args: at.at === undefined && r.chance(0.5) ? [options] : [options, at.at],
    desc: at.note ? `${desc}, ${at.note}` : desc,
    expect: both,
    valid: valid && at.note === null,
  };
}

/** A signing handler case: a Request (or not) given to a handler made with valid options. */
function handlerCase(r, env) {
  const roll = r.int(100);
  if (roll < 5) {
    const v = anyValue(r);
    return { name: "handler", args: [v.value], desc: `handler(${v.desc})`, expect: null, valid: false, handler: "plain" };
  }
  let method = "POST";
  let body;
  let note;
  let valid = false;
  if (roll < 10) {
    method = r.pick(["GET", "PUT", "DELETE", "OPTIONS"]);
    note = `a ${method}`;
  } else if (roll < 25) {
    body = r.pick(["", "not json", "{", "null", "[]", "42", '"x"', '{"to":', "\uD800", '{"__proto__":{"to":["+85291234567"]}}']);
    note = `POST body ${showString(body)}`;
  } else {
    const batch = baseBatch(r);
    if (roll < 33) {
      valid = true;
      note = "a valid batch";
    } else {
      const key = r.pick(["to", "message", "from", "type", "taskId", "signatureVersion", "credentials", "endpoint"]);
      batch[key] = jsonValue(r);
      note = `a batch with ${key}: ${showOutcome(batch[key])}`;
    }
    if (r.chance(0.3)) {
      batch.endpoint = "https://attacker.example/";
      batch.credentials = { accessKeyId: "x", accessKeySecret: "y" };
      note += " (+ endpoint and credentials in the body)";
    }
    body = () => JSON.stringify(batch);
    if (r.chance(0.005)) {
      body = () => JSON.stringify({ ...batch, padding: "x".repeat(9 * 1024 * 1024) });
      note += " (+ 9 MB of padding)";
      valid = false;
    }
  }
  const policy = r.chance(0.3) ? "policy" : "plain";
  if (policy === "policy") valid = false;
  const make = () => new Request(env.url, { method, body: method === "GET" || method === "OPTIONS" ? undefined : typeof body === "function" ? body() : body, headers: { "content-type": "application/json" } });
  return { name: "handler", args: null, make, desc: `handler(${note}) [${policy} handler]`, expect: null, valid, handler: policy };
}

/** A ReadableStream of `chunks`; `fail` errors it after them instead of closing. */
function streamOf(chunks, fail = false) {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else if (fail) controller.error(new CallerError("body stream"));
      else controller.close();
    },
  });
}

/** `bytes` cut into 1 to 8 chunks, some of them empty, each in a view of a larger buffer. */
function chunked(r, bytes) {
  const cuts = Array.from({ length: r.int(8) }, () => r.int(bytes.length + 1)).sort((x, y) => x - y);
  const chunks = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    const backing = new Uint8Array(cut - at + 8);
    backing.set(bytes.subarray(at, cut), 4);
    chunks.push(r.chance(0.5) ? backing.subarray(4, 4 + cut - at) : new DataView(backing.buffer, 4, cut - at));
    at = cut;
  }
  return chunks;
}

const utf8 = new TextEncoder();
let overCache;
/** A body one byte over the default 4 MiB limit (made once). */
function overDefaultLimit() {
  overCache ??= `[${" ".repeat(MAX_REPORT_BODY - 1)}]`;
  return overCache;
}

/** Bodies refused whole by the core (400), or read as a push of `entries` entries (200 or 500). */
const WHOLE_BODIES = [
  ["{}", null],
  ["", null],
  ["null", null],
  ['"[]"', null],
  ["[", null],
  ['[{"MessageId":"m","Status":"1"}', null],
  ["[] []", null],
  ["[1]x", null],
  // A trailing comma leaves an empty entry: rejected alone, as the 1 is.
  ["[1,]", 2],
  ["\uFEFF[]", null],
  ["[]", 0],
  [" \n[ ]\t", 0],
  ['[{"MessageId":"m-esc\\u0041","Status":"1"}]', 1],
  ['[{"MessageId":"m","Status":"1","Extra":{"a":[1,{"b":null}]}}, 7]', 2],
];

/**
 * A request for a report handler (or not one): a random method, headers and body, and what it
 * must be answered: `report.statuses` (each allowed status) and `report.entries` (how many
 * entries a 200 must account for, when known).
 */
function reportHandlerCase(r, env) {
  const key = r.pick(REPORT_HANDLER_KEYS);
  const limit = REPORT_HANDLER_LIMITS[key] ?? MAX_REPORT_BODY;
  const mayFail = key !== "ok" && key !== "later" && key !== "junk" && key !== "small";
  const pushed = mayFail ? [200, 500] : [200];
  const url = new URL("/sms/reports", env.url).href;
  const base = { name: "reportHandler", args: null, handler: key, expect: null, valid: false };
  const roll = r.int(100);
  if (roll < 5) {
    const v = anyValue(r);
    // Not a request at all: 405 where it has no POST method, 500 where reading it throws.
    return { ...base, args: [v.value], desc: `reportHandler(${v.desc}) [${key}]`, report: { statuses: [405, 500], entries: null } };
  }
  if (roll < 10) {
    const junk = r.pick([null, 42, { done: false, value: "x" }, { done: false, value: new ArrayBuffer(4) }]);
    const fakes = [
      ["a POST-like object with no body", () => ({ method: "POST", headers: new Headers(), body: null }), [400]],
      ["a POST-like object whose headers.get throws", () => ({ method: "POST", headers: { get: () => callerThrow("headers.get", r) }, body: null }), [500]],
      ["a POST-like object whose body.getReader throws", () => ({ method: "POST", headers: new Headers(), body: { getReader: () => callerThrow("getReader", r) } }), [500]],
      [`a POST-like object whose reader gives ${showOutcome(junk)}`, () => ({ method: "POST", headers: new Headers(), body: { getReader: () => ({ read: async () => junk, cancel: () => undefined }) } }), [400, 500]],
      ["an object whose method getter throws", () => ({ get method() { return callerThrow("method getter", r); } }), [500]],
      ["a POST-like object with a stream body", () => ({ method: "POST", headers: new Headers(), body: streamOf([utf8.encode("[]")]) }), [200]],
    ];
    const [label, make, statuses] = r.pick(fakes);
    return { ...base, make, desc: `reportHandler(${label}) [${key}]`, report: { statuses, entries: statuses.includes(200) ? 0 : null } };
  }
  if (roll < 16) {
    const method = r.pick(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"]);
    const body = method === "GET" || method === "HEAD" ? undefined : pushBody(r, 1 + r.int(3));
    return { ...base, make: () => new Request(url, { method, body }), desc: `reportHandler(a ${method}) [${key}]`, report: { statuses: [405], entries: null } };
  }
  // A POST: the body's bytes, how it is given, and the headers.
  let bytes;
  let entries = null;
  let statuses;
  let note;
  if (roll < 60) {
    const n = r.chance(0.01) ? r.pick([10_000, 10_001]) : r.int(25);
    const text = n > 9000 ? `[${Array(n).fill(JSON.stringify(pushEntry("bfz-many", "1"))).join(",")}]` : pushBody(r, n);
    bytes = utf8.encode(text);
    entries = n;
    statuses = n > 10_000 ? [400] : pushed;
    note = `a push of ${n} entries`;
  } else if (roll < 72) {
    const [text, n] = r.pick(WHOLE_BODIES);
    bytes = utf8.encode(text);
    entries = n;
    statuses = n === null ? [400] : pushed;
    note = `body ${showString(text)}`;
  } else if (roll < 80) {
    // Not UTF-8: stray bytes, a CESU-8 surrogate, an overlong NUL, in the array or in a value.
    const junk = r.pick([[0xff], [0xfe, 0xff], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80]]);
    const inValue = r.chance(0.5);
    const head = utf8.encode(inValue ? '[{"MessageId":"m' : "[");
    const tail = utf8.encode(inValue ? '","Status":"1"}]' : "]");
    bytes = new Uint8Array([...head, ...junk, ...tail]);
    // An entry that is not text may be rejected alone, or the body refused whole.
    statuses = [...pushed, 400];
    entries = inValue ? 1 : null;
    note = `bytes that are not UTF-8 (${junk.map((b) => b.toString(16)).join(" ")}${inValue ? ", in a value" : ""})`;
  } else if (roll < 86) {
    const over = limit === MAX_REPORT_BODY ? (r.chance(0.1) ? overDefaultLimit() : null) : `[${" ".repeat(limit - 1)}]`;
    if (over === null) {
      bytes = utf8.encode(nestingBomb());
      statuses = [...pushed, 400];
      entries = 1;
      note = "an entry holding an array 100,000 deep";
    } else {
      bytes = utf8.encode(over);
      statuses = [413];
      note = `a body one byte over the limit (${limit})`;
    }
  } else {
    const n = 1 + r.int(4);
    bytes = utf8.encode(pushBody(r, n));
    entries = n;
    statuses = pushed;
    note = `a push of ${n} entries`;
  }
  if (bytes.length > limit) {
    statuses = [413];
    entries = null;
  } else if (entries === 0) {
    // Nothing new and nothing rejected: acknowledged without calling onReports.
    statuses = [200];
  }
  // How the body is given: whole, or streamed in chunks (which may fail or not be bytes).
  const how = r.int(10);
  let makeBody = () => bytes;
  let duplex = false;
  if (how < 3) {
    duplex = true;
    const chunks = chunked(r, bytes);
    makeBody = () => streamOf(chunks);
    note += ", streamed";
  } else if (how === 3 && statuses[0] !== 413) {
    duplex = true;
    const chunks = chunked(r, bytes).slice(0, -1);
    if (r.chance(0.5)) {
      makeBody = () => streamOf(chunks, true);
      note += ", a stream that fails";
    } else {
      const wrong = r.pick(["[]", 42, new ArrayBuffer(2), [91, 93]]);
      makeBody = () => streamOf([...chunks, wrong]);
      note += `, a stream that gives ${showOutcome(wrong)}`;
    }
    statuses = [400];
    entries = null;
  }
  const headers = {};
  if (r.chance(0.7)) headers["content-type"] = r.pick(["application/json", "text/plain", "application/json; charset=latin1", "multipart/form-data", "", "x/\u00ff"]);
  if (r.chance(0.25)) {
    // A Content-Length that lies either way, or is not a number: the read's own limit holds.
    const declared = r.pick([0, 1, bytes.length, bytes.length + 1, limit, limit + 1, "abc", "-1", " 12 ", "1e3", "99999999999999999999"]);
    headers["content-length"] = String(declared);
    note += `, content-length ${JSON.stringify(String(declared))}`;
    // Over the limit as declared: refused unread (pkg-template/reports.js `declaredLength`).
    if (/^\s*\d+\s*$/.test(String(declared)) && Number(declared) > limit) {
      statuses = [413];
      entries = null;
    }
  }
  const make = () => new Request(url, { method: "POST", body: makeBody(), headers, ...(duplex ? { duplex: "half" } : {}) });
  return { ...base, make, desc: `reportHandler(${note}) [${key} handler]`, report: { statuses, entries } };
}

// ---------------------------------------------------------------- CSV campaigns and costly characters (issues 14, 16)
//
// readCsvCampaign, planCampaign, resultsCsv and costlyCharacters are synchronous and never send
// (OFFLINE). Their rules are restated here from src/csv.rs, src/csv_campaign.rs and
// src/segment.rs, so that a result on the wrong side of one is caught whichever way the package
// errs: the generated tables know the rows they hold (csvTable), resultsCsv's rows are known from
// its plain inputs (expectedResults), and costlyCharacters is held to countSegments.

/** src/csv.rs MAX_TEXT_BYTES and MAX_FIELDS. */
const MAX_CSV_TEXT = 128 * 1024 * 1024;
const MAX_CSV_FIELDS = 1024;
/** src/wasm/mod.rs COSTLY_CHARACTERS_LISTED. */
const COSTLY_LISTED = 50;
/** src/csv_campaign.rs RESULTS_HEADER, as the first record after the BOM. */
const RESULTS_START = "\uFEFFline,to,normalizedTo,state,messageId,requestId,code,reason\r\n";
/** src/csv_campaign.rs NUMBER_HEADERS. */
const NUMBER_HEADERS = ["to", "number", "numbers", "phone", "phone number", "mobile", "msisdn", "recipient", "recipients"];

function isStrings(list) {
  return Array.isArray(list) && list.every((s) => typeof s === "string");
}

/** Rust's `str::trim().is_empty()`: only `char::is_whitespace` characters (not JS's trim: U+FEFF, U+0085 differ). */
function rustBlank(s) {
  return [...s].every((ch) => RUST_WHITESPACE.test(ch));
}

/** The last line a record of `text` can start on: every CRLF, LF or lone CR counts one (src/csv.rs). */
function lastLine(text) {
  let n = 1;
  for (let i = 0; i < text.length; i += 1) {
    const u = text.charCodeAt(i);
    if (u === 10 || (u === 13 && text.charCodeAt(i + 1) !== 10)) n += 1;
  }
  return n;
}

/** src/csv_campaign.rs `read`: any brace makes `message` a template (a lone one is refused). */
function isTemplate(message) {
  return /[{}]/.test(message);
}

/** src/csv_campaign.rs `template`: the placeholders' names, or null when a brace does not pair. */
function templateNames(message) {
  const names = [];
  for (let i = 0; i < message.length; i += 1) {
    const c = message[i];
    if ((c === "{" || c === "}") && message[i + 1] === c) {
      i += 1;
      continue;
    }
    if (c === "}") return null;
    if (c !== "{") continue;
    const close = message.slice(i + 1).search(/[{}]/);
    if (close < 0 || message[i + 1 + close] === "{") return null;
    const name = message.slice(i + 1, i + 1 + close);
    if (rustBlank(name)) return null;
    names.push(name);
    i += close + 1;
  }
  return names;
}

/**
 * The error readCsvCampaign must give for `text` and plain `options` (own data properties), or
 * null: the text first (src/wasm/csv.rs `text`), then the options' types, then their values in
 * the order src/csv_campaign.rs `read` checks them. `wide`: the table has a record of over
 * MAX_CSV_FIELDS fields.
 */
function csvReadExpect(text, options, wide = false) {
  const refused = (field, prefix = false) => ({ codes: ["INVALID_OPTION"], fields: [field], prefix });
  if (typeof text !== "string" || text.length > MAX_CSV_TEXT || !text.isWellFormed()) return refused("text");
  if (options === undefined || options === null) return wide ? refused("text") : null;
  if (typeof options !== "object") return refused("options");
  const get = (key) => own(options, key);
  const absent = (v) => v === undefined || v === null;
  for (const key of ["numberColumn", "messageColumn", "message", "delimiter"]) if (!absent(get(key)) && typeof get(key) !== "string") return refused(key);
  const header = get("header");
  if (!absent(header) && typeof header !== "boolean" && header !== "auto") return refused("header");
  if (!absent(get("delimiter")) && get("delimiter") !== "," && get("delimiter") !== ";") return refused("delimiter");
  if (!absent(get("message")) && !absent(get("messageColumn"))) return refused("messageColumn");
  if (typeof get("message") === "string" && isTemplate(get("message")) && templateNames(get("message")) === null) return refused("message");
  return wide ? refused("text") : null;
}

/** A CSV cell as a spreadsheet writes it: quoted when it must be, and now and then when it need not. */
function csvCell(value, delimiter, r) {
  if (value.includes(delimiter) || /["\r\n]/.test(value) || r.chance(0.1)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

const CSV_LAYOUTS = [
  { columns: ["name", "phone", "time"], number: 1, texts: { template: "Hi {name}, {{table}} at { time }", column: "time" } },
  { columns: ["to", "message"], number: 0, texts: { template: "{message}!", column: "message" } },
  { columns: ["Number", "Text"], number: 0, texts: { template: "Code {Text} for {number}", column: "text" } },
  { columns: ["mobile"], number: 0, texts: {} },
  { columns: ["id", "Phone Number", "note"], number: 1, texts: { template: "{id}: {note}", column: "NOTE" } },
];
const CSV_WORDS = ["Ann", "Bob", "Zoë", "李雷", "O'Neil", "=SUM(A1)", "@cmd", " pad ", "", "8pm", "tomorrow, 10am", 'say "hi"', "two\nlines", "x;y", "€ 5"];

/**
 * A CSV table from one of CSV_LAYOUTS, and the rows readCsvCampaign must find in it (`expected`:
 * to, lines, message, leftOut as [line, code]), restated from src/csv_campaign.rs: blank records
 * skipped, a row with a missing cell, an empty placeholder cell or extra non-empty cells left out.
 * Options it reads by: none, one text, the text column or the template (header always on).
 */
function csvTable(r) {
  const layout = r.pick(CSV_LAYOUTS);
  // (One column has no delimiter to detect: a `;` there would be read as `,`, the tie's choice.)
  const delimiter = layout.columns.length > 1 && r.chance(0.3) ? ";" : ",";
  const eol = r.pick(["\r\n", "\n", "\r"]);
  const how = r.pick(["none", "one", "column", "template"].filter((h) => h === "none" || h === "one" || layout.texts[h]));
  const options = how === "none" ? (r.chance(0.5) ? undefined : {}) : how === "one" ? { message: r.pick(VALID_TEXTS.filter((t) => !/[{}]/.test(t))) } : how === "column" ? { messageColumn: layout.texts.column } : { message: layout.texts.template };
  if (options && r.chance(0.3)) options.delimiter = delimiter;
  if (options && r.chance(0.2)) options.header = r.pick([true, "auto"]);
  const width = layout.columns.length;
  const textAt = how === "column" ? layout.columns.findIndex((h) => h.toLowerCase() === layout.texts.column.toLowerCase()) : -1;
  const placeholders = how === "template" ? templateNames(layout.texts.template).map((name) => layout.columns.findIndex((h) => h.toLowerCase() === name.trim().toLowerCase())) : [];
  let text = r.chance(0.2) ? "\uFEFF" : "";
  let line = 1;
  const put = (record) => {
    text += record + eol;
    line += 1 + (record.match(/\r\n|\r|\n/g)?.length ?? 0);
  };
  for (let k = r.int(2); k > 0; k -= 1) put(r.pick(["", delimiter.repeat(width - 1), " "]));
  put(layout.columns.map((h) => csvCell(h, delimiter, r)).join(delimiter));
  const expected = { to: [], lines: [], message: how === "column" || how === "template" ? [] : (options?.message ?? ""), leftOut: [] };
  for (let n = r.int(7); n > 0; n -= 1) {
    const cells = layout.columns.map((_, i) => (i === layout.number ? (r.chance(0.85) ? r.pick(VALID_NUMBERS) : r.pick(["", " ", "12"])) : r.pick(CSV_WORDS)));
    if (r.chance(0.1)) cells.length = r.int(width);
    if (r.chance(0.1)) cells.push(r.pick(["extra", "", " "]));
    const start = line;
    if (r.chance(0.1)) put(delimiter.repeat(width - 1)); // a row a spreadsheet left empty
    const at = line;
    put(cells.map((cell) => csvCell(cell, delimiter, r)).join(delimiter));
    if (start === line) continue;
    if (cells.every(rustBlank)) continue; // blank: skipped
    const problems = [];
    if (cells.slice(width).some((cell) => !rustBlank(cell))) problems.push("CSV_EXTRA_CELLS");
    if (cells.length <= layout.number) problems.push("CSV_MISSING_CELL");
    if (textAt >= 0 && cells.length <= textAt) problems.push("CSV_MISSING_CELL");
    for (const p of placeholders) {
      if (cells.length <= p) problems.push("CSV_MISSING_CELL");
      else if (rustBlank(cells[p])) problems.push("CSV_EMPTY_VALUE");
    }
    if (problems.length) {
      expected.leftOut.push([at, problems[0]]);
      continue;
    }
    expected.to.push(cells[layout.number]);
    expected.lines.push(at);
    if (textAt >= 0) expected.message.push(cells[textAt]);
    if (how === "template") {
      let i = 0;
      expected.message.push(layout.texts.template.replace(/\{\{|\}\}|\{[^{}]*\}/g, (m) => (m === "{{" ? "{" : m === "}}" ? "}" : cells[placeholders[i++]])));
    }
  }
  if (r.chance(0.3)) text = text.slice(0, -eol.length); // no line end after the last record
  return { text, options, expected, delimiter };
}

/** A readCsvCampaign case: a generated table (known rows), a messy one, or hostile arguments. */
function csvReadCase(r) {
  const roll = r.int(100);
  const table = csvTable(r);
  let { text, options } = table;
  const { delimiter } = table;
  const notes = [];
  let expected = null;
  let wide = false;
  if (roll < 30) {
    expected = table.expected;
    notes.push("a generated table");
  } else if (roll < 45) {
    // Messy: cells of every kind unquoted, stray quotes, an unterminated quote, a wide record.
    const pick = r.int(5);
    if (pick === 0) text += `${r.pick(VALID_NUMBERS)},"never closed${r.chance(0.5) ? "\n+65 9123 4567,x" : ""}`;
    else if (pick === 1) text += Array.from({ length: 3 }, () => Array.from({ length: r.int(4) }, () => r.pick(STRINGS)).join(r.pick([",", ";"]))).join(r.pick(["\n", "\r", "\r\n"]));
    else if (pick === 2) {
      const n = r.pick([MAX_CSV_FIELDS, MAX_CSV_FIELDS + 1]);
      wide = n > MAX_CSV_FIELDS;
      text += `\n${Array.from({ length: n }, (_, i) => (i === 0 ? "+852 9123 4567" : r.pick(["", "x"]))).join(delimiter)}`;
    } else if (pick === 3) text = text.replaceAll(r.pick(["a", "e", "1"]), r.pick(['"', '""', "\uD800", "😀"]));
    else text = r.chance(0.1) ? `phone\n${"+852 9123 4567\n".repeat(200_000)}` : r.pick(["", "\uFEFF", "\r\n\r\n", ",,,\n;;;", '"', '""', "\uFEFF\uFEFF"]);
    notes.push(`a messy table (${pick})`);
  } else if (roll < 55) {
    const v = anyValue(r);
    text = v.value;
    notes.push(`text: ${v.desc}`);
  } else if (roll < 60) {
    const v = anyValue(r);
    options = v.value;
    notes.push(`options: ${v.desc}`);
    // A primitive is refused; an object of any kind is the general rule's (a Date is refused).
    return { name: "readCsvCampaign", args: [text, options], desc: `readCsvCampaign(a table, ${v.desc})`, expect: PRIMITIVE.has(v.kind) ? csvReadExpect(text, v.value) : null, valid: false };
  } else {
    // One option of another type or value; a template whose braces may not pair.
    options = { ...(options ?? {}) };
    const field = r.pick(["numberColumn", "messageColumn", "message", "delimiter", "header"]);
    const roll2 = r.int(10);
    if (roll2 < 5) {
      const v = anyValue(r);
      options[field] = v.value;
      notes.push(`${field}: ${v.desc}`);
      if (v.kind === "hostile" || v.kind === "array-hostile") {
        return { name: "readCsvCampaign", args: [text, options], desc: `readCsvCampaign(a table, ${notes.join("; ")})`, expect: { codes: ["INVALID_OPTION"], fields: [field], prefix: true }, valid: false };
      }
      if (v.kind === "boxed") return { name: "readCsvCampaign", args: [text, options], desc: `readCsvCampaign(a table, ${notes.join("; ")})`, expect: null, valid: false };
    } else if (roll2 < 7) {
      throwingGetter(options, field, r);
      return { name: "readCsvCampaign", args: [text, options], desc: `readCsvCampaign(a table, ${field}: a throwing getter)`, expect: { codes: ["INVALID_OPTION"], fields: [field], prefix: false }, valid: false };
    } else {
      const value = r.pick(["Hi {name", "Hi name}", "{name} }", "}{name}", "{ }", "{name}{", "{a{b}}", "{{name}}", "{{{name}}}", "{name}}", "{{", "}}", "Hi {phone}", "{unknown}", ",", ";", "|", "auto", "AUTO", ""]);
      options[field] = field === "header" && r.chance(0.5) ? r.pick([true, false, "yes", 1, "auto"]) : value;
      notes.push(`${field}: ${showOutcome(options[field])}`);
    }
  }
  return { name: "readCsvCampaign", args: options === undefined && r.chance(0.5) ? [text] : [text, options], desc: `readCsvCampaign(${notes.join("; ")})`, expect: csvReadExpect(text, options, wide), valid: false, csv: expected };
}

/** src/csv.rs `needs_defusing`: starts with = + - @ TAB or CR, and is no plain (phone) number. */
function needsDefusing(cell) {
  if (!/^[=+\-@\t\r]/.test(cell)) return false;
  const rest = cell.replace(/^[+-]/, "");
  return !(/[0-9]/.test(rest) && /^[0-9 ()\-.]*$/.test(rest));
}

/**
 * The rows resultsCsv must write for plain `rows` (ledger rows), `lines` and `leftOut`, restated
 * from src/csv_campaign.rs `results_csv`: each row's line is lines[index] when a whole number;
 * the rows left out, sorted by line, go before the first ledger row of a later line. Each row as
 * its `line`, `to`, `state` and `code` cells (defused as the writer does).
 */
function expectedResults(rows, lines, leftOut) {
  const whole = (n) => (Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER ? n : null);
  const cell = (s) => (needsDefusing(s) ? `'${s}` : s);
  const left = leftOut.map((x) => ({ line: x.line, to: x.to ?? "", code: x.code })).sort((a, b) => a.line - b.line);
  const out = [];
  const putLeft = (x) => out.push({ line: String(x.line), to: cell(x.to), state: "rejected", code: x.code });
  for (const row of rows) {
    const line = row.index < lines.length ? whole(lines[row.index]) : null;
    if (line !== null) while (left.length && left[0].line < line) putLeft(left.shift());
    out.push({ line: line === null ? "" : String(line), to: cell(row.to), state: row.state, code: cell(row.code ?? "") });
  }
  left.forEach(putLeft);
  return out;
}

const RESULT_CELLS = ["+852 9123 4567", "85291234567", "=1+1", "@SUM(A1)", "-1.5", "+1 (2) x", " lead", "trail ", "a,b", 'q"uote', "line\nbreak", "cr\rhere", "\uFEFFbom", "\tcmd", "Zoë", ""];

/** A ledger row as sendCampaign gives it (CampaignRecipient). */
function ledgerRow(r, index) {
  const row = { index, to: r.pick(RESULT_CELLS), normalizedTo: r.chance(0.5) ? "85291234567" : null, state: r.pick([...CAMPAIGN_STATES]) };
  if (r.chance(0.5)) row.messageId = r.pick([null, "1234567890", "=cmd"]);
  if (r.chance(0.5)) row.requestId = r.pick([null, "A1B2-C3", "@x"]);
  if (r.chance(0.5)) row.code = r.pick([null, "isv.MOBILE_NUMBER_ILLEGAL", "-x", "DELIVERED"]);
  if (r.chance(0.2)) row.duplicateOf = index > 0 ? r.int(index) : null;
  return row;
}

/** Plain resultsCsv arguments: a ledger, and readCsvCampaign's lines and leftOut (or only lines). */
function resultsArgs(r) {
  const n = r.int(6);
  const rows = Array.from({ length: n }, (_, i) => ledgerRow(r, i));
  if (r.chance(0.2)) rows.reverse();
  const lines = [];
  const leftOut = [];
  let line = 1 + r.int(2);
  for (let i = 0; i < n + r.int(2); i += 1) {
    while (r.chance(0.3)) {
      leftOut.push({ line: line, to: r.chance(0.7) ? r.pick(RESULT_CELLS) : null, code: r.pick([...CSV_ISSUE_CODES]), reason: r.pick(["no cell for column \"phone\"", "=bad", "x, \"y\""]) });
      line += 1;
    }
    lines.push(r.chance(0.05) ? r.pick([NaN, 1.5, -1, 2 ** 53, -0]) : line);
    line += 1 + r.int(2);
  }
  if (r.chance(0.2)) leftOut.reverse(); // edited by hand: sorted again
  const ledger = { recipients: rows, counts: {}, requests: { done: 1, total: 1 } };
  const csv = r.chance(0.2) ? lines : { lines, leftOut, to: [], message: "", issues: [] };
  return { ledger, csv, results: expectedResults(rows, lines, Array.isArray(csv) ? [] : leftOut) };
}

/** Whether anyValue's `v` is lines alone as resultsCsv reads them: a plain array of numbers, every item there. */
function linesAlone(v) {
  return (v.kind === "array-str" || v.kind === "array-bad") && Object.keys(v.value).length === v.value.length && v.value.every((x) => typeof x === "number");
}

/** A resultsCsv case: plain arguments (rows known), or one of them made wrong. */
function resultsCase(r) {
  const { ledger, csv, results } = resultsArgs(r);
  const refused = (field, prefix = false) => ({ codes: ["INVALID_OPTION"], fields: [field], prefix });
  const make = (args, desc, expect, known = null) => ({ name: "resultsCsv", args, desc: `resultsCsv(${desc})`, expect, valid: known !== null, results: known });
  const roll = r.int(100);
  if (roll < 30) return make([ledger, csv], `${ledger.recipients.length} rows, ${Array.isArray(csv) ? "lines alone" : `${csv.leftOut.length} left out`}`, null, results);
  if (roll < 36) {
    const v = anyValue(r);
    return make([v.value, csv], `ledger: ${v.desc}`, refused("ledger", true));
  }
  if (roll < 42) {
    const v = anyValue(r);
    // An array of numbers (none, or `[1]`) is lines alone; anything else is no readCsvCampaign result.
    return make([ledger, v.value], `csv: ${v.desc}`, linesAlone(v) ? null : refused("csv", true));
  }
  if (roll < 50) {
    const v = anyValue(r);
    ledger.recipients = v.value;
    return make([ledger, csv], `ledger.recipients: ${v.desc}`, v.kind === "array-str" && v.value.length === 0 ? null : refused("ledger.recipients", true));
  }
  if (roll < 58 && ledger.recipients.length) {
    const i = r.int(ledger.recipients.length);
    if (r.chance(0.2)) {
      throwingGetter(ledger.recipients, i, r);
      return make([ledger, csv], `ledger.recipients[${i}]: a throwing getter`, refused(`ledger.recipients[${i}]`, true));
    }
    const v = anyValue(r);
    ledger.recipients[i] = v.value;
    return make([ledger, csv], `ledger.recipients[${i}]: ${v.desc}`, refused(`ledger.recipients[${i}]`, true));
  }
  if (roll < 72 && ledger.recipients.length) {
    const i = r.int(ledger.recipients.length);
    const field = r.pick(["index", "to", "normalizedTo", "state", "messageId", "requestId", "code", "duplicateOf"]);
    const row = ledger.recipients[i];
    const at = `ledger.recipients[${i}].${field}`;
    if (r.chance(0.15)) {
      throwingGetter(row, field, r);
      return make([ledger, csv], `${at}: a throwing getter`, refused(at, true));
    }
    const v = r.chance(0.5) ? anyValue(r) : (() => {
      const value = r.pick({ index: [-1, 0.5, NaN, 2 ** 53, 2 ** 53 + 2, "0"], duplicateOf: [-1, 0.5, "0", Infinity], state: ["bogus", "SENT", "", "pending"] }[field] ?? [42, "ok", null]);
      return leaf(value, showOutcome(value), typeof value === "string" ? "string" : value === null ? "null" : "number");
    })();
    row[field] = v.value;
    const absent = v.kind === "undefined" || v.kind === "null";
    const wholeNumber = v.kind === "number" && Number.isInteger(v.value) && v.value >= 0 && v.value <= Number.MAX_SAFE_INTEGER;
    const ok = {
      index: wholeNumber,
      to: v.kind === "string",
      state: v.kind === "string" && CAMPAIGN_STATES.has(v.value),
      duplicateOf: absent || wholeNumber,
    }[field] ?? (absent || v.kind === "string");
    // (A boxed value's reading is the general rule's; a string with a lone surrogate too.)
    const expect = v.kind === "boxed" ? null : ok ? null : refused(at, v.kind === "hostile" || v.kind === "array-hostile");
    return make([ledger, csv], `${at}: ${v.desc}`, expect);
  }
  if (Array.isArray(csv)) {
    const v = anyValue(r);
    csv[r.int(csv.length + 1)] = v.value;
    return make([ledger, csv], `csv (lines alone) with an item ${v.desc}`, null);
  }
  if (roll < 80) {
    const v = anyValue(r);
    csv.leftOut = v.value;
    const expect = v.kind === "undefined" || (v.kind === "array-str" && v.value.length === 0) ? null : v.kind === "null" || v.kind === "boxed" ? null : refused("csv.leftOut", true);
    return make([ledger, csv], `csv.leftOut: ${v.desc}`, expect);
  }
  if (roll < 85) {
    const v = anyValue(r);
    csv.lines = v.value;
    const expect = linesAlone(v) ? null : v.kind === "null" || v.kind === "boxed" ? null : refused("csv.lines", true);
    return make([ledger, csv], `csv.lines: ${v.desc}`, expect);
  }
  // One row left out of a wrong shape.
  const j = r.int(csv.leftOut.length + 1);
  const [label, value, field] = r.pick(leftOutMistakes(r));
  csv.leftOut[j] = value(csv.leftOut[j] ?? { line: 1, to: null, code: "CSV_MISSING_CELL", reason: "x" });
  return make([ledger, csv], `csv.leftOut[${j}]: ${label}`, refused(`csv.leftOut[${j}]${field}`, field === ""));
}

/** Rows left out of every wrong shape: [label, (a good row) → the bad one, the field named after csv.leftOut[j]]. */
function leftOutMistakes(r) {
  return [
    ["null", () => null, ""],
    ["42", () => 42, ""],
    ['"x"', () => "x", ""],
    ["[]", () => [], ""],
    ["{}", () => ({}), ""],
    ["a revoked Proxy", () => revoked({}), ""],
    ["a Proxy whose get trap throws", (ok) => trapThrows({ ...ok }, "get", r), ""],
    ["a throwing getter on line", (ok) => throwingGetter({ ...ok }, "line", r), ""],
    ["line 0", (ok) => ({ ...ok, line: 0 }), ".line"],
    ["line -1", (ok) => ({ ...ok, line: -1 }), ".line"],
    ["line 1.5", (ok) => ({ ...ok, line: 1.5 }), ".line"],
    ["line NaN", (ok) => ({ ...ok, line: NaN }), ".line"],
    ["line Infinity", (ok) => ({ ...ok, line: Infinity }), ".line"],
    ["line 2**53", (ok) => ({ ...ok, line: 2 ** 53 }), ".line"],
    ['line "2"', (ok) => ({ ...ok, line: "2" }), ".line"],
    ["line 10n", (ok) => ({ ...ok, line: 10n }), ".line"],
    ["no line", (ok) => ({ ...ok, line: undefined }), ".line"],
    ['code "BOGUS"', (ok) => ({ ...ok, code: "BOGUS" }), ".code"],
    ['code "csv_missing_cell" (another case)', (ok) => ({ ...ok, code: "csv_missing_cell" }), ".code"],
    ['code "RECIPIENT_EMPTY" (an IssueCode, not a CsvIssueCode)', (ok) => ({ ...ok, code: "RECIPIENT_EMPTY" }), ".code"],
    ["code 42", (ok) => ({ ...ok, code: 42 }), ".code"],
    ["code null", (ok) => ({ ...ok, code: null }), ".code"],
    ["no reason", (ok) => ({ ...ok, reason: undefined }), ".reason"],
    ["reason 42", (ok) => ({ ...ok, reason: 42 }), ".reason"],
    ["to 42", (ok) => ({ ...ok, to: 42 }), ".to"],
    ["to {}", (ok) => ({ ...ok, to: {} }), ".to"],
  ];
}

/** Characters for costlyCharacters: GSM-7 basic and extension, UCS-2 only, a pair and its halves. */
const COSTLY_POOL = ["a", "Z", " ", "0", "é", "Ä", "\n", "@", "€", "{", "}", "[", "]", "~", "\\", "^", "|", "\f", "✓", "’", "П", "李", "😀", "\uD83D", "\uDE00", "\0", "\u00a0", "Ç", "ß"];

/** A costlyCharacters case: mostly text, the costly characters sometimes past the 50 listed. */
function costlyCase(r) {
  const roll = r.int(100);
  if (roll < 70) {
    const n = r.pick([0, 1, 3, 20, 49, 50, 51, 80, 400]);
    const base = r.chance(0.5) ? r.pick(COSTLY_POOL.slice(0, 8)) : null;
    const s = r.chance(0.002) ? hugeString() : Array.from({ length: n }, () => (base && r.chance(0.6) ? base : r.pick(COSTLY_POOL))).join("");
    return { name: "costlyCharacters", args: [s], desc: `costlyCharacters(${showString(s)})`, expect: null, valid: true };
  }
  if (roll < 80) {
    const s = r.pick([...STRINGS, ...VALID_TEXTS]);
    return { name: "costlyCharacters", args: [s], desc: `costlyCharacters(${showString(s)})`, expect: null, valid: true };
  }
  const v = anyValue(r);
  const expect = v.kind === "string" ? null : { codes: ["INVALID_OPTION"], fields: ["text"], prefix: false };
  return { name: "costlyCharacters", args: r.chance(0.05) ? [] : [v.value], desc: `costlyCharacters(${v.desc})`, expect, valid: v.kind === "string" };
}

/** readCsvCampaign's result: its shape, its lists' agreement, and the rows a generated table holds. */
function checkCsvCampaign(value, c) {
  const text = c.args[0];
  if (typeof text !== "string") return `a result for a non-string text: ${showOutcome(value)}`;
  if (!value || ![",", ";"].includes(value.delimiter) || !isStrings(value.header) || !isStrings(value.to) || !Array.isArray(value.lines) || !Array.isArray(value.issues) || !Array.isArray(value.leftOut)) return `malformed CsvCampaign: ${showOutcome(value)}`;
  if (value.lines.length !== value.to.length) return `${value.lines.length} lines for ${value.to.length} numbers`;
  if (typeof value.message !== "string" && !(isStrings(value.message) && value.message.length === value.to.length)) return `message is neither one text nor one per number: ${showOutcome(value.message)}`;
  const last = lastLine(text);
  const isLine = (n) => Number.isInteger(n) && n >= 1 && n <= last;
  for (const [i, line] of value.lines.entries()) if (!isLine(line) || (i > 0 && line <= value.lines[i - 1])) return `lines are not increasing line numbers of the text (≤ ${last}): ${showOutcome(value.lines)}`;
  for (const [i, issue] of value.issues.entries()) {
    if (!issue || !isLine(issue.line) || !(issue.column === null || typeof issue.column === "string") || !CSV_ISSUE_CODES.has(issue.code) || typeof issue.message !== "string") return `malformed CsvIssue: ${showOutcome(issue)}`;
    if (i > 0 && issue.line < value.issues[i - 1].line) return `issues not in line order: ${showOutcome(value.issues.map((x) => x.line))}`;
  }
  const kept = new Set(value.lines);
  for (const [i, row] of value.leftOut.entries()) {
    if (!row || !isLine(row.line) || !(row.to === null || typeof row.to === "string") || !CSV_ISSUE_CODES.has(row.code) || typeof row.reason !== "string") return `malformed CsvLeftOut: ${showOutcome(row)}`;
    if (i > 0 && row.line <= value.leftOut[i - 1].line) return `leftOut not in line order: ${showOutcome(value.leftOut.map((x) => x.line))}`;
    if (kept.has(row.line)) return `line ${row.line} is both read (lines) and left out`;
    if (!value.issues.some((issue) => issue.line === row.line && issue.code === row.code)) return `line ${row.line} left out for ${row.code}, which no issue of that line says`;
  }
  // A row's own problem leaves it out; an unknown column (or no record at all) reads no row.
  const rowCodes = new Set(["CSV_MISSING_CELL", "CSV_EMPTY_VALUE", "CSV_EXTRA_CELLS", "CSV_UNTERMINATED_QUOTE"]);
  const leftLines = new Set(value.leftOut.map((row) => row.line));
  const stray = value.issues.find((issue) => rowCodes.has(issue.code) && !leftLines.has(issue.line));
  if (stray) return `an issue of line ${stray.line} (${stray.code}) whose row is not left out`;
  if (value.issues.some((issue) => issue.code === "CSV_UNKNOWN_COLUMN" || issue.code === "CSV_NO_RECORDS") && value.to.length > 0) return `${value.to.length} numbers read though ${showOutcome(value.issues.map((x) => x.code))}`;
  const want = c.csv;
  if (want) {
    const got = { to: value.to, lines: value.lines, message: value.message, leftOut: value.leftOut.map((row) => [row.line, row.code]) };
    for (const key of Object.keys(got)) if (JSON.stringify(got[key]) !== JSON.stringify(want[key])) return `${key} is ${showOutcome(got[key])}, the table holds ${showOutcome(want[key])}`;
  }
  return null;
}

/** planCampaign's result: counts that agree with each other and, for a valid campaign, with countSegments. */
function checkPlan(value, c) {
  const counts = ["recipients", "valid", "rejected", "duplicates", "segments", "requests"];
  if (!value || counts.some((k) => !isCount(value[k])) || !value.encodings || !isCount(value.encodings.gsm7) || !isCount(value.encodings.ucs2) || !Array.isArray(value.issues) || !(Number.isFinite(value.seconds) && value.seconds >= 0)) return `malformed CampaignPlan: ${showOutcome(value)}`;
  for (const issue of value.issues) {
    if (!issue || !ISSUE_CODES.has(issue.code) || !ISSUE_FIELDS.has(issue.field) || !(issue.index === null || (isCount(issue.index) && issue.index < value.recipients)) || typeof issue.message !== "string") return `malformed issue: ${showOutcome(issue)}`;
  }
  const { recipients, valid, rejected, duplicates, segments, requests, seconds } = value;
  const general = value.issues.some((issue) => issue.index === null);
  const flagged = new Set(value.issues.filter((issue) => issue.index !== null).map((issue) => issue.index)).size;
  if (general && valid !== 0) return `${valid} valid recipients though the campaign has a problem of its own (index null)`;
  // Rejected: every recipient with a problem, and repeats dropped (dropDuplicates: no issue).
  if (!general && valid + rejected !== recipients) return `valid ${valid} + rejected ${rejected} is not the ${recipients} recipients`;
  if (valid + rejected > recipients) return `valid ${valid} + rejected ${rejected} is more than the ${recipients} recipients`;
  if (!general && (rejected < flagged || rejected > flagged + duplicates)) return `rejected ${rejected}, yet ${flagged} recipients have issues and ${duplicates} are repeats`;
  if (duplicates > rejected) return `${duplicates} repeats, only ${rejected} rejected`;
  if ((requests === 0) !== (valid === 0)) return `${requests} requests for ${valid} valid recipients`;
  if (requests > valid || requests < Math.ceil(valid / 1000)) return `${requests} requests for ${valid} valid recipients (1 to 1000 each)`;
  if (value.encodings.gsm7 + value.encodings.ucs2 !== valid) return `encodings ${value.encodings.gsm7} + ${value.encodings.ucs2} for ${valid} valid recipients`;
  if (segments < valid) return `${segments} segments for ${valid} valid recipients`;
  if ((requests <= 1) !== (seconds === 0)) return `${seconds} s from the first request to the last of ${requests}`;
  if (c.valid) {
    // Distinct valid numbers and texts (baseBatch): all valid, each text billed as countSegments says.
    const to = ownQuietly(c.args[0], "to");
    const message = ownQuietly(c.args[0], "message");
    const texts = Array.isArray(message) ? message : to.map(() => message);
    const billed = texts.map((text) => sms.countSegments(text));
    const want = { recipients: to.length, valid: to.length, rejected: 0, duplicates: 0, issues: 0, requests: 1, segments: billed.reduce((sum, b) => sum + b.segments, 0), ucs2: billed.filter((b) => b.encoding === "UCS-2").length };
    const got = { recipients, valid, rejected, duplicates, issues: value.issues.length, requests, segments, ucs2: value.encodings.ucs2 };
    if (JSON.stringify(got) !== JSON.stringify(want)) return `a valid campaign's plan is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
  }
  if (c.plan) {
    const got = { recipients, valid, rejected, duplicates, requests, segments, seconds };
    for (const [key, want] of Object.entries(c.plan)) if (got[key] !== want) return `${key} is ${got[key]}, expected ${want}`;
  }
  return null;
}

/** resultsCsv's text: BOM and header, CRLF, and (inputs known) its rows, read back with readCsvCampaign. */
function checkResultsCsv(value, c) {
  if (typeof value !== "string") return `not a string: ${showOutcome(value)}`;
  if (!value.startsWith(RESULTS_START)) return `does not start with the BOM and the header: ${showString(value.slice(0, 80))}`;
  if (!value.endsWith("\r\n")) return `does not end with CRLF: ${showString(value.slice(-40))}`;
  if (!c.results) return null;
  const want = c.results;
  for (const [numberColumn, messageColumn] of [["to", "state"], ["line", "code"]]) {
    let back;
    try {
      back = sms.readCsvCampaign(value, { numberColumn, messageColumn, delimiter: "," });
    } catch (error) {
      return `its text does not read back: ${showOutcome(error)}`;
    }
    if (back.issues.length || back.leftOut.length) return `its text reads back with issues: ${showOutcome(back.issues)}`;
    const got = back.to.map((cell, i) => [cell, back.message[i]]);
    const expected = want.map((row) => [row[numberColumn], row[messageColumn]]);
    if (JSON.stringify(got) !== JSON.stringify(expected)) return `its ${numberColumn} and ${messageColumn} columns read back as ${showOutcome(got)}, expected ${showOutcome(expected)}`;
    // Every record ends in CRLF: a lone LF or CR is only ever inside a quoted cell.
    const lines = back.lines;
    const breaks = (i) => want.slice(0, i).map((row) => `${row.to}\0${row.code}`).join("\0").match(/\r\n|\r|\n/g)?.length ?? 0;
    if (lines.some((line, i) => line !== i + 2 + breaks(i))) return `records start on lines ${showOutcome(lines)}: a line break outside a cell`;
  }
  return null;
}

/** costlyCharacters' result: inside the text, in order, at most 50 listed, and what countSegments says. */
function checkCostly(value, c) {
  const text = c.args[0];
  if (typeof text !== "string") return `a result for a non-string: ${showOutcome(value)}`;
  if (!value || !["GSM-7", "UCS-2"].includes(value.encoding) || !isCount(value.total) || !Array.isArray(value.characters)) return `malformed CostlyCharacters: ${showOutcome(value)}`;
  if (value.characters.length !== Math.min(value.total, COSTLY_LISTED)) return `${value.characters.length} listed of ${value.total} (the first ${COSTLY_LISTED} are)`;
  const reason = value.encoding === "UCS-2" ? "ucs2" : "gsmExtension";
  let end = 0;
  for (const x of value.characters) {
    if (!x || !isCount(x.at) || (x.length !== 1 && x.length !== 2) || typeof x.character !== "string" || x.reason !== reason) return `malformed CostlyCharacter in a ${value.encoding} text: ${showOutcome(x)}`;
    if (x.at < end || x.at + x.length > text.length) return `${showOutcome(x)} is outside the text (${text.length} units) or before the one listed ahead of it`;
    const slice = text.slice(x.at, x.at + x.length);
    // A lone surrogate arrives as U+FFFD (JsValue::as_string), at its own place and length.
    if (x.character !== slice && !(x.length === 1 && !slice.isWellFormed() && x.character === "\uFFFD")) return `${showOutcome(x)}: the text there is ${showString(slice)}`;
    end = x.at + x.length;
  }
  const count = sms.countSegments(text);
  if (count.encoding !== value.encoding) return `encoding ${value.encoding}, countSegments says ${count.encoding}`;
  // GSM-7: each extension character is one UTF-16 unit billed as two.
  if (value.encoding === "GSM-7" && value.total !== count.units - count.characters) return `${value.total} extension characters; countSegments bills ${count.units} units for ${count.characters} characters`;
  if (value.encoding === "UCS-2" && value.total === 0) return "UCS-2 without a character that forces it";
  if (c.costly) {
    const got = { total: value.total, characters: value.characters.slice(0, 3).map((x) => [x.at, x.length, x.character, x.reason]) };
    if (JSON.stringify(got) !== JSON.stringify(c.costly)) return `${JSON.stringify(got)}, expected ${JSON.stringify(c.costly)}`;
  }
  return null;
}

/** The named cases of the four (issue 14's CSV campaigns, issue 16's costly characters). */
function csvNamedCases(add, opt, r) {
  const text = (field = "text") => opt("INVALID_OPTION", field, false);
  const table = "name,phone,time\r\nAnn,+852 9123 4567,8pm\r\n";
  // readCsvCampaign: the text
  for (const [label, make] of [
    ["42", () => 42],
    ["undefined", () => undefined],
    ["null", () => null],
    ["a Symbol", () => Symbol("csv")],
    ["a BigInt", () => 10n],
    ["{}", () => ({})],
    ["[a table]", () => [table]],
    ["new String(a table)", () => new String(table)],
    ["a Uint8Array of a table", () => utf8.encode(table)],
    ["an object whose toString throws", () => ({ toString: () => callerThrow("toString", r) })],
    ["a revoked Proxy", () => revoked({})],
    ["a Proxy whose get trap throws", () => trapThrows({}, "get", r)],
    ["a function", () => () => table],
  ]) {
    add(`text = ${label}`, "readCsvCampaign", () => ({ args: [make()], expect: text() }));
  }
  add("no argument", "readCsvCampaign", () => ({ args: [], expect: text() }));
  for (const [label, value] of [
    ["a lone high surrogate", "\uD800"],
    ["a lone low surrogate after a table", `${table}+65 9123 4567\uDC00`],
    ["a lone surrogate in a quoted cell", `phone,message\n+852 9123 4567,"a\uD800b"`],
    ["a pair cut at the end", `${table}😀`.slice(0, -1)],
  ]) {
    add(`text with ${label}`, "readCsvCampaign", () => ({ args: [value], expect: text() }));
  }
  // MAX_TEXT_BYTES + 1 UTF-16 units (each at least one byte of UTF-8): refused from its length.
  // (String#repeat builds it from halves, so it costs this process little until it is read.)
  // (Joined, never sliced: slicing would flatten it into 128 MiB of this process's heap.)
  add("a table of MAX_TEXT_BYTES + 1 UTF-16 units (refused from its length)", "readCsvCampaign", () => {
    const rows = Math.floor((MAX_CSV_TEXT + 1 - 6) / 15);
    return { args: [`phone\n${"+852 9123 4567\n".repeat(rows)}${"x".repeat(MAX_CSV_TEXT + 1 - 6 - 15 * rows)}`], expect: text() };
  });
  add("text of 2**29 - 24 UTF-16 units (V8's longest string)", "readCsvCampaign", () => ({ args: ["x".repeat(2 ** 29 - 24)], expect: text() }));
  add("a table of 200,000 rows (3 MB)", "readCsvCampaign", () => ({ args: [`phone\n${"+852 9123 4567\n".repeat(200_000)}`], expect: null }));
  const wide = (n, cell = "x") => Array.from({ length: n }, (_, i) => (i === 0 ? "+852 9123 4567" : cell)).join(",");
  add("a record of 1024 cells under a header of 1024", "readCsvCampaign", () => ({ args: [`${Array.from({ length: MAX_CSV_FIELDS }, (_, i) => (i === 0 ? "phone" : `c${i}`)).join(",")}\n${wide(MAX_CSV_FIELDS)}`], expect: null, csv: { to: ["+852 9123 4567"], lines: [2], message: "", leftOut: [] } }));
  add("a record of 1025 cells", "readCsvCampaign", () => ({ args: [`phone\n${wide(MAX_CSV_FIELDS + 1)}`], expect: text() }));
  add("a header of 1025 cells", "readCsvCampaign", () => ({ args: [`${wide(MAX_CSV_FIELDS + 1)}\n+852 9123 4567`], expect: text() }));
  add("a blank record of 1025 empty cells (over the limit all the same)", "readCsvCampaign", () => ({ args: [`phone\n${",".repeat(MAX_CSV_FIELDS)}\n+852 9123 4567`], expect: text() }));
  add("a blank record of 1024 empty cells (skipped)", "readCsvCampaign", () => ({ args: [`phone\n${",".repeat(MAX_CSV_FIELDS - 1)}\n+852 9123 4567`], expect: null, csv: { to: ["+852 9123 4567"], lines: [3], message: "", leftOut: [] } }));
  add("1025 cells in one quoted cell's worth of commas (one cell)", "readCsvCampaign", () => ({ args: [`phone,message\n+852 9123 4567,"${",".repeat(MAX_CSV_FIELDS + 1)}"`], expect: null, csv: { to: ["+852 9123 4567"], lines: [2], message: "", leftOut: [] } }));
  // readCsvCampaign: the options
  for (const [label, make, expect] of [
    ["options = 42", () => 42, opt("INVALID_OPTION", "options", false)],
    ['options = "auto"', () => "auto", opt("INVALID_OPTION", "options", false)],
    ["options = a Symbol", () => Symbol("o"), opt("INVALID_OPTION", "options", false)],
    ["options = a revoked Proxy", () => revoked({}), opt("INVALID_OPTION", null)],
    ["options behind a Proxy whose get trap throws", () => trapThrows({ message: "x" }, "get", r), opt("INVALID_OPTION", null)],
    ["options = null (the defaults)", () => null, null],
    ["options = a function", () => () => {}, opt("INVALID_OPTION", "options", false)],
    ["options = [] (an array)", () => [], opt("INVALID_OPTION", "options", false)],
    ["options = a Date", () => new Date(0), opt("INVALID_OPTION", "options", false)],
    ["message = 42", () => ({ message: 42 }), text("message")],
    ["message = [a text] (not one per row)", () => ({ message: ["hi"] }), text("message")],
    ["numberColumn = {}", () => ({ numberColumn: {} }), text("numberColumn")],
    ["numberColumn = 1 (a position, not a name)", () => ({ numberColumn: 1 }), text("numberColumn")],
    ["messageColumn = []", () => ({ messageColumn: [] }), text("messageColumn")],
    ['delimiter = "|"', () => ({ delimiter: "|" }), text("delimiter")],
    ['delimiter = "\\t"', () => ({ delimiter: "\t" }), text("delimiter")],
    ['delimiter = ""', () => ({ delimiter: "" }), text("delimiter")],
    ['delimiter = ",;"', () => ({ delimiter: ",;" }), text("delimiter")],
    ["delimiter = 44 (a char code)", () => ({ delimiter: 44 }), text("delimiter")],
    ['header = "yes"', () => ({ header: "yes" }), text("header")],
    ['header = "AUTO"', () => ({ header: "AUTO" }), text("header")],
    ["header = 1", () => ({ header: 1 }), text("header")],
    ["header = {}", () => ({ header: {} }), text("header")],
    ["message and messageColumn both", () => ({ message: "hi", messageColumn: "time" }), text("messageColumn")],
    ["a template with a { unclosed after a placeholder", () => ({ message: "Hi {name}, at {time" }), text("message")],
    ["a template with a } unopened", () => ({ message: "Hi {name}, see you }" }), text("message")],
    ["a template with }{", () => ({ message: "}{name}" }), text("message")],
    ["a template with a blank placeholder { }", () => ({ message: "{name} { }" }), text("message")],
    ["a template with a brace inside a placeholder", () => ({ message: "{a{name}}" }), text("message")],
    ["a template ending in {", () => ({ message: "{name}{" }), text("message")],
  ]) {
    add(label, "readCsvCampaign", () => ({ args: [table, make()], expect }));
  }
  for (const field of ["numberColumn", "messageColumn", "message", "delimiter", "header"]) {
    add(`a throwing getter on options.${field}`, "readCsvCampaign", () => ({ args: [table, throwingGetter({}, field, r)], expect: text(field) }));
  }
  // readCsvCampaign: tables whose rows are known
  const known = (label, csvText, options, csv, expect = null) => add(label, "readCsvCampaign", () => ({ args: options === undefined ? [csvText] : [csvText, options], expect, csv }));
  known(
    "the README's table: ; detected, a blank row and a row of only delimiters skipped, an empty placeholder cell left out",
    "name;phone;time\r\nAnn;+852 9123 4567;8pm\r\n\r\nBob;+65 9123 4567;\r\n;;\r\nCy;+44 7700 900123;9pm",
    { message: "Hi {name}, your table is at {time}" },
    { to: ["+852 9123 4567", "+44 7700 900123"], lines: [2, 6], message: ["Hi Ann, your table is at 8pm", "Hi Cy, your table is at 9pm"], leftOut: [[4, "CSV_EMPTY_VALUE"]] },
  );
  known(
    "a BOM, quoted cells with the delimiter, a line break and \"\", then a quote never closed",
    '\uFEFFphone,message\n"+852 9123 4567","Hi, ""you""\r\nthere"\n+65 9123 4567,x\n+44 7700 900123,"open\n+81 90 1234 5678,y',
    { messageColumn: "message" },
    { to: ["+852 9123 4567", "+65 9123 4567"], lines: [2, 4], message: ['Hi, "you"\r\nthere', "x"], leftOut: [[5, "CSV_UNTERMINATED_QUOTE"]] },
  );
  known("header: false, bare numbers, a lone CR between rows", "+852 9123 4567\r+65 9123 4567\n\n+44 7700 900123", { header: false, message: "hi" }, { to: ["+852 9123 4567", "+65 9123 4567", "+44 7700 900123"], lines: [1, 2, 4], message: "hi", leftOut: [] });
  known('header: "auto" with numbers in the first record (no header)', "+852 9123 4567,Ann\n+65 9123 4567,Bob", { header: "auto", message: "Hi {2}" }, { to: ["+852 9123 4567", "+65 9123 4567"], lines: [1, 2], message: ["Hi Ann", "Hi Bob"], leftOut: [] });
  known("extra cells and a missing cell left out, an empty number kept (the campaign's to report)", "phone,message\n+852 9123 4567,Hi, Ann\n+65 9123 4567\n,hello\n+44 7700 900123,ok", { messageColumn: "message" }, { to: ["", "+44 7700 900123"], lines: [4, 5], message: ["hello", "ok"], leftOut: [[2, "CSV_EXTRA_CELLS"], [3, "CSV_MISSING_CELL"]] });
  known("a placeholder naming no column: nothing read", table, { message: "Hi {nobody}" }, { to: [], lines: [], message: [], leftOut: [] });
  known("{{ and }} are literal braces, a placeholder's name trimmed", table, { message: "{{x}} { name }" }, { to: ["+852 9123 4567"], lines: [2], message: ["{x} Ann"], leftOut: [] });
  // README: any brace makes a template; a lone one is refused (it would be sent to every row).
  known("a message with an unclosed brace and no placeholder: refused", table, { message: "Hi {name" }, undefined, text("message"));
  known("doubled braces and no placeholder: one text, each pair read as one brace", table, { message: "Code {{A}}" }, { to: ["+852 9123 4567"], lines: [2], message: "Code {A}", leftOut: [] });
  known("numberColumn in another case and padded", "Name, Mobile \nAnn,+852 9123 4567", { numberColumn: " mobile" }, { to: ["+852 9123 4567"], lines: [2], message: "", leftOut: [] });
  for (const [label, csvText] of [["an empty text", ""], ["a BOM alone", "\uFEFF"], ["blank lines and delimiters only", "\r\n,,,\n;;\r \n"]]) {
    known(`${label}: CSV_NO_RECORDS`, csvText, undefined, { to: [], lines: [], message: "", leftOut: [] });
  }
  add("readCsvCampaign, 300 times in a row on the same table", "readCsvCampaign", () => ({ args: [table, { message: "Hi {name}" }], expect: null, repeat: 300, csv: { to: ["+852 9123 4567"], lines: [2], message: ["Hi Ann"], leftOut: [] } }));

  // planCampaign, past the cases every campaign export gets
  const planBase = (env) => baseOptions(rng(7, 7), "planCampaign", env);
  const plan = (label, make, expect, extra = {}) => add(label, "planCampaign", (env) => ({ args: [make(env)], expect, ...extra }));
  plan("no credentials, no endpoint (it signs nothing)", (env) => {
    const { credentials, endpoint, ...options } = planBase(env);
    return options;
  }, null, { valid: true });
  plan("credentials = {} (not checked: nothing is signed)", (env) => ({ ...planBase(env), credentials: {} }), null, { valid: true });
  plan("a signer that throws (never called)", (env) => ({ ...planBase(env), signer: () => callerThrow("signer", r) }), null, { valid: true });
  plan("an already aborted signal (nothing to stop)", (env) => ({ ...planBase(env), signal: AbortSignal.abort() }), null, { valid: true });
  plan("a journal whose read throws (never read)", (env) => ({ ...planBase(env), journal: { append() {}, read: () => callerThrow("journal.read", r) } }), null, { valid: true });
  plan("journal = 42", (env) => ({ ...planBase(env), journal: 42 }), opt("INVALID_OPTION", "journal", false));
  plan("onProgress = 42", (env) => ({ ...planBase(env), onProgress: 42 }), opt("INVALID_OPTION", "onProgress", false));
  plan('endpoint = "javascript:alert(1)"', (env) => ({ ...planBase(env), endpoint: "javascript:alert(1)" }), opt(["INVALID_OPTION", "INVALID_ENDPOINT"], "endpoint", false));
  // Each wait is 1/qps and src/pacer.rs MARGIN_MS (5 ms, at most 1/125 of it).
  plan("qps = 1/3600 (one call an hour) with 1001 recipients", () => ({ to: manyNumbers(1001).slice(), message: "hi", qps: 1 / 3600 }), null, { plan: { recipients: 1001, valid: 1001, requests: 2, seconds: 3600.005 } });
  plan("qps = 1 with 2001 recipients: three requests, two seconds", () => ({ to: manyNumbers(2001).slice(), message: "hi", qps: 1 }), null, { plan: { recipients: 2001, valid: 2001, requests: 3, seconds: 2.01 } });
  plan("repeats and a short number", () => ({ to: ["+852 9123 4567", "+852 9123 4567", "12", "+65 9123 4567"], message: "hi" }), null, { plan: { recipients: 4, valid: 2, rejected: 2, duplicates: 1, requests: 1 } });
  plan("repeats dropped (dropDuplicates)", () => ({ to: ["+852 9123 4567", "+852 9123 4567", "+852 9123 4567", "+65 9123 4567"], message: "hi", dropDuplicates: true }), null, { plan: { recipients: 4, valid: 2, duplicates: 2, requests: 1 } });
  plan("a sender ID of the wrong shape: nothing is valid", () => ({ to: ["+852 9123 4567", "12"], message: "hi", from: "not a sender!" }), null, { plan: { recipients: 2, valid: 0, requests: 0, segments: 0, seconds: 0 } });
  plan("no recipients and no text", () => ({ to: [], message: "" }), null, { plan: { recipients: 0, valid: 0, requests: 0 } });
  plan("one text per recipient, one missing", () => ({ to: ["+852 9123 4567", "+65 9123 4567"], message: ["hi"] }), null, { plan: { recipients: 2, valid: 0, requests: 0 } });
  plan("texts of 1, 2 and 3 segments (GSM-7 and UCS-2)", () => ({ to: ["+852 9123 4567", "+65 9123 4567", "+44 7700 900123"], message: ["hi", "x".repeat(161), "✓".repeat(135)] }), null, { plan: { valid: 3, segments: 6, requests: 1 } });
  plan("to = a Proxy of numbers whose has trap throws", () => ({ to: trapThrows(["+852 9123 4567"], "has", r), message: "hi" }), null);
  // Cy's empty number is kept by the reader and refused by the campaign (RECIPIENT_EMPTY, by index).
  plan("to and message from readCsvCampaign, one number empty", () => {
    const t = sms.readCsvCampaign("name,phone\nAnn,+852 9123 4567\nBob,+65 9123 4567\nCy,", { message: "Hi {name}" });
    return { to: t.to, message: t.message };
  }, null, { plan: { recipients: 3, valid: 2, rejected: 1, requests: 1 } });
  plan("10,000 recipients", () => ({ to: manyNumbers(10_000).slice(), message: "hi", qps: 1000 }), null, { plan: { recipients: 10_000, valid: 10_000, requests: 10 } });
  add("planCampaign, 300 times in a row", "planCampaign", (env) => ({ args: [planBase(env)], expect: null, valid: true, repeat: 300 }));

  // resultsCsv: the ledger
  const ledger = () => ({ recipients: [{ index: 0, to: "+852 9123 4567", state: "sent", messageId: "1", requestId: "R", code: null }] });
  const lines = () => ({ lines: [2], leftOut: [] });
  const refused = (field, prefix = false) => opt("INVALID_OPTION", field, prefix);
  for (const [label, make, field, prefix] of [
    ["ledger = 42", () => 42, "ledger", false],
    ["ledger = undefined", () => undefined, "ledger", false],
    ["ledger = null", () => null, "ledger", false],
    ['ledger = "x"', () => "x", "ledger", false],
    ["ledger = [] (an array, not a ledger)", () => [], "ledger", false],
    ["ledger = a revoked Proxy", () => revoked({}), "ledger", true],
    ["ledger behind a Proxy whose get trap throws", () => trapThrows(ledger(), "get", r), "ledger", true],
    ["ledger = {} (no recipients)", () => ({}), "ledger.recipients", false],
    ["recipients = a Proxy whose get trap throws", () => ({ recipients: trapThrows(ledger().recipients, "get", r) }), "ledger.recipients", true],
    ["recipients = a revoked Proxy", () => ({ recipients: revoked([]) }), "ledger.recipients", true],
    ["recipients = a Proxy whose length throws", () => ({ recipients: new Proxy(ledger().recipients, { get: (t, k, rec) => (k === "length" ? callerThrow("length", r) : Reflect.get(t, k, rec)) }) }), "ledger.recipients", true],
    ["recipients = a sparse array of length 2**32-1 (refused from its length)", () => ({ recipients: sparse(2 ** 32 - 1) }), "ledger.recipients", false],
    ["recipients = a sparse array of 10,000,001 (refused from its length)", () => ({ recipients: sparse(10_000_001) }), "ledger.recipients", false],
    ["recipients = a sparse array of 10,000,000 (read from [0], a hole)", () => ({ recipients: sparse(10_000_000) }), "ledger.recipients[0]", false],
    ["recipients = { length: 1, 0: row } (array-like)", () => ({ recipients: { length: 1, 0: ledger().recipients[0] } }), "ledger.recipients", false],
    ["recipients = a Set of rows", () => ({ recipients: new Set(ledger().recipients) }), "ledger.recipients", false],
    ["recipients = an array with a hole whose prototype throws", () => {
      const rows = [ledger().recipients[0], , ledger().recipients[0]]; // eslint-disable-line no-sparse-arrays
      Object.setPrototypeOf(rows, trapThrows([], "get", r));
      return { recipients: rows };
    }, "ledger.recipients", true],
    ["recipients[0] = null", () => ({ recipients: [null] }), "ledger.recipients[0]", false],
    ["recipients[0] = a throwing getter", () => ({ recipients: throwingGetter([{}], 0, r) }), "ledger.recipients[0]", true],
    ["recipients[0].state = a throwing getter", () => ({ recipients: [throwingGetter({ index: 0, to: "x" }, "state", r)] }), "ledger.recipients[0]", true],
    ['recipients[0].state = "bogus"', () => ({ recipients: [{ ...ledger().recipients[0], state: "bogus" }] }), "ledger.recipients[0].state", false],
    ["recipients[0].state missing", () => ({ recipients: [{ index: 0, to: "x" }] }), "ledger.recipients[0].state", false],
    ["recipients[0].index = 1.5", () => ({ recipients: [{ ...ledger().recipients[0], index: 1.5 }] }), "ledger.recipients[0].index", false],
    ["recipients[0].index = -1", () => ({ recipients: [{ ...ledger().recipients[0], index: -1 }] }), "ledger.recipients[0].index", false],
    ['recipients[0].index = "0"', () => ({ recipients: [{ ...ledger().recipients[0], index: "0" }] }), "ledger.recipients[0].index", false],
    ["recipients[0].to = 42", () => ({ recipients: [{ ...ledger().recipients[0], to: 42 }] }), "ledger.recipients[0].to", false],
    ["recipients[0].duplicateOf = -1", () => ({ recipients: [{ ...ledger().recipients[0], duplicateOf: -1 }] }), "ledger.recipients[0].duplicateOf", false],
    ["recipients[0].messageId = {}", () => ({ recipients: [{ ...ledger().recipients[0], messageId: {} }] }), "ledger.recipients[0].messageId", false],
  ]) {
    add(label, "resultsCsv", () => ({ args: [make(), lines()], expect: refused(field, prefix) }));
  }
  // resultsCsv: the CSV's lines and rows left out
  for (const [label, make, field, prefix] of [
    ["csv = 42", () => 42, "csv", false],
    ["csv absent", () => undefined, "csv", false],
    ["csv = null", () => null, "csv", false],
    ["csv = a table's text", () => table, "csv", false],
    ["csv = a revoked Proxy", () => revoked({}), "csv", true],
    ["csv = {} (no lines)", () => ({}), "csv.lines", false],
    ['csv.lines = "2"', () => ({ lines: "2" }), "csv.lines", false],
    ['csv.lines = ["2"]', () => ({ lines: ["2"] }), "csv.lines[0]", false],
    ["csv.lines = a sparse array of length 2**32-1", () => ({ lines: sparse(2 ** 32 - 1) }), "csv.lines", false],
    ["csv.leftOut = 42", () => ({ lines: [2], leftOut: 42 }), "csv.leftOut", false],
    ["csv.leftOut = a Proxy whose get trap throws", () => ({ lines: [2], leftOut: trapThrows([], "get", r) }), "csv.leftOut", true],
    ["csv.leftOut = a sparse array of length 2**32-1", () => ({ lines: [2], leftOut: sparse(2 ** 32 - 1) }), "csv.leftOut", false],
    ['csv = ["2"] (lines alone)', () => ["2"], "csv[0]", false],
    ["csv = [Symbol()] (lines alone)", () => [Symbol("l")], "csv[0]", false],
    ["csv = [2, <hole>, 3] (lines alone)", () => [2, , 3], "csv[1]", false], // eslint-disable-line no-sparse-arrays
    ["csv = a sparse array of length 2**32-1 (lines alone)", () => sparse(2 ** 32 - 1), "csv", false],
  ]) {
    add(label, "resultsCsv", () => ({ args: [ledger(), make()], expect: refused(field, prefix) }));
  }
  for (const [label, value, field] of leftOutMistakes(r)) {
    add(`csv.leftOut[1] = ${label}`, "resultsCsv", () => ({ args: [ledger(), { lines: [3], leftOut: [{ line: 2, to: null, code: "CSV_MISSING_CELL", reason: "x" }, value({ line: 4, to: "+65 9123 4567", code: "CSV_EXTRA_CELLS", reason: "y" })] }], expect: refused(`csv.leftOut[1]${field}`, field === "") }));
  }
  // resultsCsv: rows known
  const exact = (label, make) => add(label, "resultsCsv", (env) => {
    const [l, c] = make(env);
    const rows = Array.from(l.recipients, (row) => ({ ...row }));
    return { args: [l, c], expect: null, valid: true, results: expectedResults(rows, Array.isArray(c) ? c : c.lines, Array.isArray(c) ? [] : c.leftOut ?? []) };
  });
  exact("the child's real ledger (a Proxy of rows) with its lines and a row left out", (env) => [env.campaign.ledger, { lines: [2, 3, 5], leftOut: [{ line: 4, to: "=1+1", code: "CSV_MISSING_CELL", reason: 'no cell for column "message"' }] }]);
  exact("the real ledger, rows filtered ({ ...ledger, recipients })", (env) => [{ ...env.campaign.ledger, recipients: env.campaign.ledger.recipients.filter((row) => row.index !== 1) }, [2, 3, 4]]);
  exact("cells a spreadsheet would run, or misread, written safe", () => [{ recipients: RESULT_CELLS.map((to, index) => ({ index, to, state: "rejected", code: RESULT_CELLS[(index + 3) % RESULT_CELLS.length] })) }, { lines: RESULT_CELLS.map((_, i) => i + 2), leftOut: [] }]);
  exact("rows left out only, edited out of order", () => [{ recipients: [] }, { lines: [], leftOut: [3, 1, 2].map((line) => ({ line, to: null, code: "CSV_EMPTY_VALUE", reason: "z" })) }]);
  exact("lines that are no line numbers (1.5, -1, NaN, 2**53) left blank", () => [{ recipients: [0, 1, 2, 3].map((index) => ({ index, to: "+852 9123 4567", state: "sent" })) }, [1.5, -1, NaN, 2 ** 53]]);
  exact("frozen rows in a frozen ledger", () => [Object.freeze({ recipients: Object.freeze([Object.freeze({ index: 0, to: "x", state: "skipped" })]) }), Object.freeze({ lines: Object.freeze([7]), leftOut: Object.freeze([]) })]);
  exact("readCsvCampaign's whole result as csv", () => {
    const t = sms.readCsvCampaign("phone,message\n+852 9123 4567,a\n+65 9123 4567\n+44 7700 900123,b", { messageColumn: "message" });
    return [{ recipients: t.to.map((to, index) => ({ index, to, state: "sent" })) }, t];
  });
  add("resultsCsv, 300 times in a row", "resultsCsv", () => ({ args: [ledger(), lines()], expect: null, repeat: 300 }));

  // costlyCharacters
  for (const [label, make] of [
    ["42", () => 42],
    ["undefined", () => undefined],
    ["null", () => null],
    ["a Symbol", () => Symbol("t")],
    ["a BigInt", () => 10n],
    ["[]", () => []],
    ['new String("✓")', () => new String("✓")],
    ["an object whose toString throws", () => ({ toString: () => callerThrow("toString", r) })],
    ["a revoked Proxy", () => revoked({})],
  ]) {
    add(`text = ${label}`, "costlyCharacters", () => ({ args: [make()], expect: text() }));
  }
  add("no argument", "costlyCharacters", () => ({ args: [], expect: text() }));
  for (const [label, value, costly] of [
    ['""', "", { total: 0, characters: [] }],
    ["one ✓ in a Latin text", "Table at 8 ✓ see you", { total: 1, characters: [[11, 1, "✓", "ucs2"]] }],
    ["€ and { in a GSM-7 text", "€5 {x}", { total: 3, characters: [[0, 1, "€", "gsmExtension"], [3, 1, "{", "gsmExtension"], [5, 1, "}", "gsmExtension"]] }],
    ["an emoji after an extension character (only what forces UCS-2)", "€😀a", { total: 1, characters: [[1, 2, "😀", "ucs2"]] }],
    ["a lone surrogate (read as U+FFFD, at its place)", "a\uD800b", { total: 1, characters: [[1, 1, "\uFFFD", "ucs2"]] }],
    ["a pair then a lone low surrogate", "😀\uDE00", { total: 2, characters: [[0, 2, "😀", "ucs2"], [2, 1, "\uFFFD", "ucs2"]] }],
    ["60 €: 50 listed", "€".repeat(60), { total: 60, characters: [[0, 1, "€", "gsmExtension"], [1, 1, "€", "gsmExtension"], [2, 1, "€", "gsmExtension"]] }],
    ["1,000,000 emoji", "😀".repeat(1_000_000), { total: 1_000_000, characters: [[0, 2, "😀", "ucs2"], [2, 2, "😀", "ucs2"], [4, 2, "😀", "ucs2"]] }],
    ["a 3 MB text of é (GSM-7, nothing costly)", null, { total: 0, characters: [] }],
  ]) {
    add(`text = ${label}`, "costlyCharacters", () => ({ args: [value ?? hugeString()], expect: null, valid: true, costly }));
  }
  add("42, 300 times in a row", "costlyCharacters", () => ({ args: [42], expect: text(), repeat: 300 }));
}

// ---------------------------------------------------------------- the contract

/** Checks a thrown or rejected value; returns a failure text or null. */
function checkError(error, c) {
  if (thrownByCaller.has(error)) return `let the caller's own thrown value out: ${showOutcome(error)}`;
  if (error instanceof WebAssembly.RuntimeError) return `WebAssembly trap: ${showOutcome(error)}`;
  if (!sms.isSmsError(error)) return `not an SmsError: ${showOutcome(error)}`;
  if (!(error instanceof sms.SmsError)) return `isSmsError but not instanceof SmsError: ${showOutcome(error)}`;
  if (!(error instanceof Error)) return `not an Error: ${showOutcome(error)}`;
  if (error.name !== "SmsError") return `name ${JSON.stringify(error.name)}: ${showOutcome(error)}`;
  if (!ERROR_CODES.has(error.code)) return `code ${JSON.stringify(error.code)} is not in SmsErrorCode: ${showOutcome(error)}`;
  if (NEEDS_FIELD.has(error.code) && (typeof error.field !== "string" || error.field === "")) return `${error.code} without a field: ${showOutcome(error)}`;
  if ((error.code === "INVALID_BATCH" || error.code === "INVALID_INPUT") && !(Array.isArray(error.issues) && error.issues.length > 0)) return `${error.code} without issues: ${showOutcome(error)}`;
  if (error.code === "INVALID_INPUT") {
    // One call's input: every issue names its option, none an index into a list.
    const bad = error.issues.find((issue) => !issue || !ISSUE_CODES.has(issue.code) || !ISSUE_FIELDS.has(issue.field) || issue.index !== null || typeof issue.message !== "string");
    if (bad !== undefined) return `malformed INVALID_INPUT issue: ${showOutcome(bad)}`;
    if (error.field !== error.issues[0].field) return `INVALID_INPUT field ${JSON.stringify(error.field)} is not its first issue's (${JSON.stringify(error.issues[0].field)})`;
  }
  const expect = c.expect;
  if (expect?.issues) {
    // Every mistake at once, each an issue of its own (named cases).
    const fields = new Set((error.issues ?? []).map((issue) => issue?.field));
    const missing = expect.issues.filter((field) => !fields.has(field));
    if (missing.length) return `no issue names ${missing.join(", ")}: ${showOutcome(error)} (issues on ${[...fields].join(", ")})`;
  }
  if (expect) {
    if (!expect.codes.includes(error.code)) return `expected ${expect.codes.join(" or ")}${expect.fields ? ` (field ${expect.fields.join("/")})` : ""}, got ${showOutcome(error)}`;
    if (expect.fields) {
      const f = error.field;
      const ok = typeof f === "string" && expect.fields.some((want) => f === want || (expect.prefix && (f.startsWith(`${want}.`) || f.startsWith(`${want}[`))));
      if (!ok) return `expected field ${expect.fields.map((w) => JSON.stringify(w)).join(" or ")}${expect.prefix ? " (or inside it)" : ""}, got ${showOutcome(error)}`;
    }
  }
  return null;
}

function isCount(n) {
  return Number.isInteger(n) && n >= 0;
}

/** Checks a returned or resolved value; returns a failure text or null. */
function checkResult(name, value, c, env) {
  // validateBatch reports a batch's problems as its result; a campaign rejects the bad recipients
  // and sends the rest: for both, "INVALID_BATCH" means issues / rejected recipients, not a throw.
  if (c.expect?.codes.includes("INVALID_BATCH")) {
    if (name === "validateBatch" && Array.isArray(value) && value.length > 0) return checkResult(name, value, { ...c, expect: null }, env);
    if ((name === "sendCampaign" || name === "resumeCampaign") && value?.counts?.rejected > 0) return checkResult(name, value, { ...c, expect: null }, env);
    // A plan lists the problems sendCampaign would reject or refuse for.
    if (name === "planCampaign" && value?.issues?.length > 0) return checkResult(name, value, { ...c, expect: null }, env);
  }
  if (c.expect) return `expected ${c.expect.codes.join(" or ")}, got a result: ${showOutcome(value)}`;
  switch (name) {
    case "validateBatch": {
      if (!Array.isArray(value)) return `not an array: ${showOutcome(value)}`;
      for (const issue of value) {
        if (!issue || !ISSUE_CODES.has(issue.code) || !ISSUE_FIELDS.has(issue.field) || !(issue.index === null || isCount(issue.index)) || !(issue.duplicateOf === null || isCount(issue.duplicateOf)) || typeof issue.message !== "string") {
          return `malformed issue: ${showOutcome(issue)}`;
        }
      }
      if (c.valid && value.length) return `a valid batch got issues: ${showOutcome(value)}`;
      return null;
    }
    case "countSegments": {
      const text = c.args[0];
      if (!value || !["GSM-7", "UCS-2"].includes(value.encoding) || !isCount(value.characters) || !isCount(value.units) || !isCount(value.segments)) return `malformed: ${showOutcome(value)}`;
      if (typeof text === "string" && value.characters !== text.length) return `characters ${value.characters} for a text of length ${text.length}`;
      if (typeof text !== "string") return `a result for a non-string: ${showOutcome(value)}`;
      return null;
    }
    case "signRequest": {
      if (!value || value.method !== "POST" || typeof value.url !== "string" || typeof value.body !== "string" || !value.headers || typeof value.headers !== "object") return `malformed signed request: ${showOutcome(value)}`;
      for (const [k, v] of Object.entries(value.headers)) if (typeof v !== "string") return `header ${k} is not a string`;
      try {
        new URL(value.url);
      } catch {
        return `url does not parse: ${showString(value.url)}`;
      }
      return null;
    }
    case "createSigningHandler":
      return typeof value === "function" ? null : `not a function: ${showOutcome(value)}`;
    case "batchSend": {
      if (!value || !isCount(value.attempts) || value.attempts < 1 || !Array.isArray(value.sent) || !Array.isArray(value.failed) || !Array.isArray(value.dropped) || !Array.isArray(value.anomalies) || typeof value.responseCode !== "string" || typeof value.successCount !== "number") {
        return `malformed BatchSendResult: ${showOutcome(value)}`;
      }
      return null;
    }
    case "sendCampaign":
    case "resumeCampaign":
    case "recordReports":
    case "pollCampaign": {
      if (!value || !value.counts || !value.requests || !isCount(value.requests.done) || !Array.isArray(value.recipients)) return `malformed CampaignResult: ${showOutcome(value)}`;
      if (!value.recipients.every((x) => x && CAMPAIGN_STATES.has(x.state) && isCount(x.index))) return `malformed ledger line in ${showOutcome(value.recipients)}`;
      // Each recipient in exactly one state, the counts saying how many (CampaignCounts).
      const counted = Object.fromEntries([...CAMPAIGN_STATES].map((state) => [state, 0]));
      for (const row of value.recipients) counted[row.state] += 1;
      for (const state of CAMPAIGN_STATES) if (value.counts[state] !== counted[state]) return `counts.${state} is ${value.counts[state]}, the rows say ${counted[state]}`;
      if (DELIVERIES.has(name)) return deliveryOracle(name, value, c, env);
      return null;
    }
    case "ready":
      return value === undefined ? null : `resolved to ${showOutcome(value)}`;
    case "readCsvCampaign":
      return checkCsvCampaign(value, c);
    case "planCampaign":
      return checkPlan(value, c);
    case "resultsCsv":
      return checkResultsCsv(value, c);
    case "costlyCharacters":
      return checkCostly(value, c);
    case "sendMessage": {
      const detail = value?.numberDetail;
      if (!value || !isCount(value.attempts) || value.attempts < 1 || !isCount(value.segments) || value.segments < 1 || typeof value.to !== "string" || !/^\d{7,15}$/.test(value.normalizedTo) || !(value.messageId === null || typeof value.messageId === "string") || typeof value.responseCode !== "string" || !(detail === null || (typeof detail === "object" && ["carrier", "country", "region"].every((k) => detail[k] === null || typeof detail[k] === "string")))) {
        return `malformed SendMessageResult: ${showOutcome(value)}`;
      }
      const given = ownQuietly(c.args[0], "to");
      if (typeof given === "string" && value.to !== given) return `to ${showString(value.to)} is not the number given`;
      return null;
    }
    case "queryMessage": {
      if (!value || !isCount(value.attempts) || value.attempts < 1 || typeof value.messageId !== "string" || !["delivered", "failed", "sending", "expired"].includes(value.status) || typeof value.responseCode !== "string") return `malformed QueryMessageResult: ${showOutcome(value)}`;
      for (const key of ["to", "errorCode", "errorDescription", "message", "requestId"]) if (!(value[key] === null || typeof value[key] === "string")) return `QueryMessageResult.${key} is ${showOutcome(value[key])}`;
      // Dates are ReportDate: the instant the core read (or null) and the service's text.
      const isDate = (d) => d === null || (d !== undefined && typeof d.text === "string" && (d.epochMs === null || Number.isSafeInteger(d.epochMs)));
      for (const key of ["sendDate", "receiveDate"]) if (!isDate(value[key])) return `QueryMessageResult.${key} is ${showOutcome(value[key])}`;
      const asked = ownQuietly(c.args[0], "messageId");
      if (c.valid && value.messageId !== asked) return `asked for ${showOutcome(asked)}, answered for ${showString(value.messageId)}`;
      return null;
    }
    case "reportConversion":
    case "reportConversionRate":
      if (!value || !isCount(value.attempts) || value.attempts < 1 || typeof value.responseCode !== "string" || !(value.requestId === null || typeof value.requestId === "string")) return `malformed ConversionResult: ${showOutcome(value)}`;
      return null;
    default:
      return null;
  }
}

/**
 * What recordReports and pollCampaign must leave, for the cases that know it (`c.oracle`): the
 * rows the evidence gives (expectedRows), journaled once when anything changed; and a poll's
 * rows as the sandbox decided.
 */
function deliveryOracle(name, value, c, env) {
  if (value.recipients.length !== DELIVERY_TO.length || value.requests.done !== 1) return `not the child's campaign: ${value.recipients.length} rows, ${value.requests.done} request(s) done`;
  if (!c.oracle || !env.campaign) return null;
  const options = c.args[0];
  const rows = name === "recordReports" ? expectedRows(env.campaign.ids, own(options, "reports")) : POLLED_STATES.map((state, i) => ({ state, code: undefined, messageId: env.campaign.ids[i] }));
  for (const [i, want] of rows.entries()) {
    const got = value.recipients[i];
    if (got.state !== want.state || got.messageId !== want.messageId || (want.code !== undefined && got.code !== want.code)) {
      return `row ${i} is ${got.state} ${showOutcome(got.code)} (${got.messageId}), the evidence says ${want.state} ${showOutcome(want.code)}`;
    }
  }
  const journal = own(options, "journal");
  // (A journal of the case's own making, whose entries are not kept where we can count them.)
  if (!Array.isArray(journal?.entries)) return null;
  const written = journal.entries.length - env.campaign.entries.length;
  const changed = rows.some((row) => row.state !== "sent");
  if (name === "recordReports" && written !== (changed ? 1 : 0)) return `${written} journal entries written for ${changed ? "a change" : "no change"}`;
  if (name === "pollCampaign" && written < 1) return "the poll found final rows but wrote no journal entry";
  return null;
}

/** The handler answers with a Response: a signed request (for its own endpoint) or an SmsError body. */
async function checkResponse(value, c, env) {
  if (!(value instanceof Response)) return `resolved to something other than a Response: ${showOutcome(value)}`;
  let body;
  try {
    body = await value.json();
  } catch (error) {
    return `HTTP ${value.status} with a body that is not JSON (${showOutcome(error)})`;
  }
  if (value.status === 200) {
    if (!body || body.method !== "POST" || typeof body.url !== "string") return `200 without a signed request: ${showOutcome(body)}`;
    if (!c.ownEndpoint && !body.url.startsWith(env.url)) return `signed for another endpoint than its own: ${showString(body.url)}`;
    return null;
  }
  const error = body?.error;
  if (!error || error.name !== "SmsError" || !ERROR_CODES.has(error.code)) return `HTTP ${value.status} without an SmsError body: ${showOutcome(body)}`;
  if (c.valid) return `a valid batch answered HTTP ${value.status} ${error.code}: ${showString(String(error.message))}`;
  return null;
}

/** The codes of a report handler's answers (pkg-template/reports.js, index.extra.d.ts). */
const REPORT_ANSWER_CODES = {
  200: [0],
  400: ["REPORT_BODY_NOT_AN_ARRAY", "REPORT_BODY_UNTERMINATED", "REPORT_BODY_TRAILING_TEXT", "REPORT_BODY_TOO_MANY_ENTRIES", "REPORT_BODY_UNREADABLE"],
  405: ["METHOD_NOT_ALLOWED"],
  413: ["REPORT_BODY_TOO_LARGE"],
  500: ["REPORT_HANDLER_FAILED"],
  503: ["REPORT_HANDLER_BUSY"],
};

/**
 * A report handler's answer: a Response, JSON `{code, msg}` and nothing else, a status the case
 * allows, and `{"code":0}` only when the onReports call it made resolved (or when it had nothing
 * to hand on). `record` is the handler's own log of onReports calls (null: not known).
 */
async function checkReportResponse(value, c, record, callsBefore) {
  if (!(value instanceof Response)) return `resolved to something other than a Response: ${showOutcome(value)}`;
  let text;
  try {
    text = await value.text();
  } catch (error) {
    return `HTTP ${value.status} with a body that cannot be read (${showOutcome(error)})`;
  }
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return `HTTP ${value.status} with a body that is not JSON: ${showString(text)}`;
  }
  if (!/^application\/json\b/.test(value.headers.get("content-type") ?? "")) return `HTTP ${value.status} with content-type ${showOutcome(value.headers.get("content-type"))}`;
  if (body === null || typeof body !== "object" || Array.isArray(body) || Object.keys(body).sort().join(",") !== "code,msg" || typeof body.msg !== "string") return `HTTP ${value.status} with a body that is not {code, msg}: ${showString(text)}`;
  if (/caller's own|CallerError|getter|trap|\bat \S+:\d+/.test(text)) return `the answer quotes the caller's error: ${showString(text)}`;
  if (!(REPORT_ANSWER_CODES[value.status] ?? []).includes(body.code)) return `HTTP ${value.status} with code ${JSON.stringify(body.code)}`;
  const calls = record ? record.calls.slice(callsBefore) : null;
  if (calls && calls.length > 1) return `onReports was called ${calls.length} times for one push`;
  const call = calls?.[0];
  if (!c.report.statuses.includes(value.status)) {
    return `answered HTTP ${value.status} ${JSON.stringify(body.code)} (${showString(body.msg)}), expected ${c.report.statuses.join(" or ")}${call ? `; onReports was called (${call.behaviour})` : ""}`;
  }
  if (value.status === 405 && value.headers.get("allow") !== "POST") return `405 with Allow ${showOutcome(value.headers.get("allow"))}`;
  if (value.status === 503 && value.headers.get("retry-after") === null) return "503 without Retry-After";
  if (calls === null) return null;
  if (value.status === 200) {
    const counts = /^(\d+) new, (\d+) duplicate, (\d+) rejected$/.exec(body.msg);
    if (!counts) return `200 whose msg does not count the push: ${showString(body.msg)}`;
    const [fresh, duplicates, rejected] = counts.slice(1).map(Number);
    if (c.report.entries !== null && fresh + duplicates + rejected !== c.report.entries) return `200 counting ${fresh} + ${duplicates} + ${rejected} entries of a push of ${c.report.entries}`;
    if (call === undefined) return fresh + rejected > 0 ? `acknowledged ${fresh} new and ${rejected} rejected entries without calling onReports` : null;
    if (!call.resolves) return `{"code":0} though onReports (${call.behaviour}) failed`;
    if (call.fresh !== fresh || call.duplicates !== duplicates || call.rejected !== rejected) return `onReports was given ${call.fresh}/${call.duplicates}/${call.rejected}, the answer says ${body.msg}`;
    return null;
  }
  if (value.status === 500) {
    if (call?.resolves) return `500 though onReports (${call.behaviour}) resolved`;
    // A push that was read and split: only a failed onReports answers 500.
    if (call === undefined && c.report.entries !== null) return "500 for a push without an onReports call that failed";
    return null;
  }
  return call ? `HTTP ${value.status}, yet onReports was called` : null;
}

const SLOW_SYNC_MS = 1500;
const ASYNC_TIMEOUT_MS = 2500;

function timeout(promise, ms) {
  let timer;
  return Promise.race([
    promise.then(
      (value) => ({ settled: "resolved", value }),
      (error) => ({ settled: "rejected", error }),
    ),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve({ settled: "never" }), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Runs one case against `env` (exports, sandbox, request counter). Returns
 * `{ failure, outcome, poisoned, sent, expectedSent }`: `failure` null when the contract held.
 */
export async function runCase(c, env) {
  thrownByCaller = new Set();
  if (c.script) return runScript(c, env);
  const record = c.name === "reportHandler" ? env.reportHandlers[c.handler] : null;
  const fn = c.name === "handler" ? env.handlers[c.handler] : record ? record.handler : sms[c.name];
  const callsBefore = record ? record.calls.length : 0;
  const actionsBefore = env.actions.length;
  const args = c.args ?? [c.make()];
  c.args = args;
  const before = env.requestCount();
  const outsideBefore = env.outside.length;
  const fetchesBefore = env.fetchCalls;
  const started = performance.now();
  let returned;
  let threw;
  let didThrow = false;
  const restoreClock = c.skipTimer ? skipTimer(c.skipTimer) : () => {};
  try {
    returned = fn(...args);
  } catch (error) {
    didThrow = true;
    threw = error;
  }
  if (didThrow || SYNC_EXPORTS.includes(c.name)) restoreClock();
  const ms = performance.now() - started;
  const done = (failure, outcome, extra = {}) => {
    // Only the sandbox may be reached: anything else is a request that must never have been made.
    const outside = env.outside.slice(outsideBefore);
    if (outside.length) failure = `${failure ? `${failure}; and it ` : ""}tried to reach ${[...new Set(outside)].join(", ")} (not the sandbox given as endpoint)`;
    return { failure, outcome, poisoned: (didThrow && threw instanceof WebAssembly.RuntimeError) || extra.poisoned === true, ms, ...extra };
  };

  if (SYNC_EXPORTS.includes(c.name)) {
    if (OFFLINE.has(c.name)) {
      // Not even a request started after the call returned (a future polled on a microtask).
      await new Promise((resolveTurn) => setImmediate(resolveTurn));
      const fetched = env.fetchCalls - fetchesBefore;
      const answered = env.requestCount() - before;
      if (fetched || answered) return done(`${c.name} reached for the network: ${fetched} fetch call(s), ${answered} request(s) answered by the sandbox`, didThrow ? errorOutcome(threw) : "returned", { error: didThrow ? threw : undefined });
    }
    if (didThrow) {
      const failure = checkError(threw, c);
      return done(failure ?? (ms > SLOW_SYNC_MS ? `took ${Math.round(ms)} ms to refuse` : null), errorOutcome(threw), { error: threw });
    }
    let failure = checkResult(c.name, returned, c, env);
    if (!failure && ms > SLOW_SYNC_MS) failure = `took ${Math.round(ms)} ms`;
    if (!failure && c.name === "createSigningHandler") {
      // a handler that was made must answer a valid request with a Response, whatever its options were
      const request = new Request(env.url, { method: "POST", body: JSON.stringify({ to: ["+852 9123 4567"], message: "x", from: "Acme" }) });
      let promise;
      try {
        promise = returned(request);
      } catch (error) {
        return done(`the handler it made threw synchronously: ${showOutcome(error)}`, "returned");
      }
      const settled = await timeout(Promise.resolve(promise), ASYNC_TIMEOUT_MS);
      if (settled.settled === "never") return done(`the handler it made never answered (${ASYNC_TIMEOUT_MS} ms)`, "returned");
      if (settled.settled === "rejected") return done(`the handler it made rejected: ${showOutcome(settled.error)}`, "returned");
      failure = await checkResponse(settled.value, { valid: false, ownEndpoint: true }, env);
      if (failure) failure = `the handler it made: ${failure}`;
    }
    if (!failure && c.name === "createReportHandler") {
      // A handler that was made answers a push, whatever onReports and limits it was given.
      const request = new Request(new URL("/sms/reports", env.url), { method: "POST", body: JSON.stringify([pushEntry("bfz-made", "1")]) });
      let promise;
      try {
        promise = returned(request);
      } catch (error) {
        return done(`the report handler it made threw synchronously: ${showOutcome(error)}`, "returned");
      }
      const settled = await timeout(Promise.resolve(promise), ASYNC_TIMEOUT_MS);
      if (settled.settled === "never") return done(`the report handler it made never answered (${ASYNC_TIMEOUT_MS} ms)`, "returned");
      if (settled.settled === "rejected") return done(`the report handler it made rejected: ${showOutcome(settled.error)}`, "returned");
      failure = await checkReportResponse(settled.value, { report: { statuses: [200, 413, 500], entries: 1 } }, null, 0);
      if (failure) failure = `the report handler it made: ${failure}`;
    }
    return done(failure, "returned");
  }

  // async exports: a promise, always, that settles
  if (didThrow) {
    const why = checkError(threw, c);
    return done(`threw synchronously (async exports must return a rejected promise): ${showOutcome(threw)}${why ? ` — and ${why}` : ""}`, errorOutcome(threw), { poisoned: threw instanceof WebAssembly.RuntimeError });
  }
  if (!(returned instanceof Promise)) {
    restoreClock();
    return done(`returned ${showOutcome(returned)} instead of a promise`, "returned");
  }
  const waitMs = c.waitMs ?? ASYNC_TIMEOUT_MS;
  const settled = await timeout(returned, waitMs);
  restoreClock();
  const callMs = performance.now() - started;
  // (A poll whose questions timed out resolves all the same: its requests may still be on their way.)
  const lingering = settled.settled === "never" || (settled.settled === "rejected" && settled.error?.code === "OUTCOME_UNKNOWN") || c.lingers === true;
  if (!(await env.settled(lingering))) return done(`the sandbox was still answering a request of this case 2 s after the call ${settled.settled}`, settled.settled, { sent: env.requestCount() - before });
  const sent = env.requestCount() - before;
  if (settled.settled === "never") return done(`the promise never settled (waited ${waitMs} ms)`, "never", { sent });
  if (settled.settled === "rejected") {
    const error = settled.error;
    let failure = checkError(error, c);
    if (!failure && c.valid) failure = `a valid call rejected: ${showOutcome(error)}`;
    if ((c.name === "handler" || c.name === "reportHandler") && !failure) failure = `the handler rejected instead of answering: ${showOutcome(error)}`;
    // What may have reached the sandbox: nothing for an INVALID_* (or any nothing-sent code without
    // a ledger, or a foreign error); for a stopped campaign, between the requests its ledger shows
    // answered (distinct RequestIds) and the requests it counts as done.
    let range = [sent, sent];
    if (!sms.isSmsError(error) || error.code.startsWith("INVALID_")) range = [0, 0];
    else if (DELIVERIES.has(c.name)) range = deliveryRange(c, error.code, callMs);
    else if (error.ledger?.requests) range = ledgerRange(error.ledger);
    else if (NOTHING_SENT.has(error.code)) range = [0, 0];
    const accounting = sent < range[0] || sent > range[1] ? `the sandbox received ${sent} request(s), expected ${range[0] === range[1] ? range[0] : `${range[0]} to ${range[1]}`}` : null;
    if (accounting) failure = failure ? `${failure}; and ${accounting}` : `rejected ${error?.code ?? "with a foreign error"} but ${accounting}`;
    failure ??= actionsCheck(c, env, actionsBefore);
    return done(failure, errorOutcome(error), { sent, expectedSent: sent, error });
  }
  const value = settled.value;
  let failure =
    c.name === "handler" ? await checkResponse(value, c, env) : c.name === "reportHandler" ? await checkReportResponse(value, c, record, callsBefore) : checkResult(c.name, value, c, env);
  let range = [0, 0];
  if ((c.name === "batchSend" || OPERATIONS.has(c.name)) && value && isCount(value.attempts)) range = [value.attempts, value.attempts];
  if ((c.name === "sendCampaign" || c.name === "resumeCampaign") && value?.requests) range = ledgerRange(value);
  if (DELIVERIES.has(c.name)) range = deliveryRange(c, null, callMs);
  if (!failure && (sent < range[0] || sent > range[1])) failure = `resolved but the sandbox received ${sent} request(s), expected ${range[0] === range[1] ? range[0] : `${range[0]} to ${range[1]}`}`;
  failure ??= actionsCheck(c, env, actionsBefore);
  return done(failure, "resolved", { sent, expectedSent: sent, status: c.name === "reportHandler" && value instanceof Response ? value.status : undefined });
}

/** The rows of the child's campaign that a poll asks about (none is final in its journal). */
const POLLED_ROWS = DELIVERY_TO.length;

/**
 * The requests a recordReports or pollCampaign call may have made: none for recordReports, nor
 * for a call refused before the journal was opened (`code`: null when it resolved). A poll asks
 * each row at most once per wait (at least intervalMs' 100 ms; src/poller.rs), each question at
 * most maxAttempts (10) times; a valid one exactly once per row (each is final at its first
 * answer: DELIVERY_TO).
 */
function deliveryRange(c, code, ms) {
  if (c.name === "recordReports") return [0, 0];
  if (code !== null && (NOTHING_SENT.has(code) || code === "JOURNAL_EMPTY")) return [0, 0];
  if (c.valid && code === null) return [POLLED_ROWS, POLLED_ROWS];
  return [0, POLLED_ROWS * 10 * (1 + Math.ceil(ms / 100))];
}

/** recordReports sends nothing and a poll only asks: every request a QueryMessage. */
function actionsCheck(c, env, actionsBefore) {
  if (!DELIVERIES.has(c.name)) return null;
  const other = env.actions.slice(actionsBefore).filter((action) => action !== "QueryMessage");
  return other.length ? `${c.name} made ${other.join(", ")} request(s): only QueryMessage may be asked` : null;
}

/**
 * A named case that is a script of its own (several calls, or a handler made for it): it returns
 * a failure text or null, and must reach the sandbox not at all.
 */
async function runScript(c, env) {
  const before = env.requestCount();
  const started = performance.now();
  let failure;
  try {
    failure = await c.script(env);
  } catch (error) {
    failure = `the case's script failed: ${showOutcome(error)}`;
  }
  await env.settled(false);
  const sent = env.requestCount() - before;
  if (!failure && sent !== 0) failure = `${sent} request(s) reached the sandbox`;
  return { failure: failure ?? null, outcome: "resolved", poisoned: false, ms: performance.now() - started, sent, expectedSent: sent };
}

/**
 * For one call: a timer of `ms` (JOURNAL_TIMEOUT_MS: a journal that never settles) fires at once,
 * so the call's give-up path runs without waiting a minute. Every other timer is left as it is.
 * Returns what puts the clock back.
 */
function skipTimer(ms) {
  const inner = globalThis.setTimeout;
  globalThis.setTimeout = function setTimeoutSkipping(callback, delay, ...rest) {
    return inner.call(this, callback, delay === ms ? 0 : delay, ...rest);
  };
  return () => {
    globalThis.setTimeout = inner;
  };
}

/** [answered, done]: the requests a campaign's ledger shows answered (RequestIds), and all it made. */
function ledgerRange(ledger) {
  const answered = new Set((Array.isArray(ledger.recipients) ? ledger.recipients : []).map((x) => x?.requestId).filter((id) => typeof id === "string")).size;
  const doneCount = isCount(ledger.requests?.done) ? ledger.requests.done : answered;
  return [answered, Math.max(answered, doneCount)];
}

function errorOutcome(error) {
  if (sms.isSmsError(error)) return error.code;
  if (error instanceof WebAssembly.RuntimeError) return "RuntimeError";
  return `non-SmsError ${error?.constructor?.name ?? typeof error}`;
}

// ---------------------------------------------------------------- the named hostile cases

/**
 * The named cases of one operation (issue 13) past those every export gets: its own options'
 * types and values, the refused `signer`, and valid calls under each signature and key kind.
 */
function operationCases(fn, add, opt, base, r) {
  const reads = READS[fn];
  const with_ = (extra) => (env) => Object.assign(base(fn, env), extra);
  const invalidOption = (field) => opt("INVALID_OPTION", field, false);
  const invalidInput = (field) => opt("INVALID_INPUT", field, false);
  const cases = [
    ["a signer that would sign (refused: these sign here only)", (env) => Object.assign(base(fn, env), { signer: sandboxSigner(env) }), invalidOption("signer")],
    ["a signer and no credentials", (env) => {
      const options = Object.assign(base(fn, env), { signer: sandboxSigner(env) });
      delete options.credentials;
      return options;
    }, invalidOption("signer")],
    ["signer = 42", with_({ signer: 42 }), invalidOption("signer")],
    ["an already aborted signal", with_({ signal: AbortSignal.abort() }), opt("ABORTED", null)],
    ["credentials of a key the sandbox does not know", with_({ credentials: { accessKeyId: "LTAI-unknown-to-the-sandbox", accessKeySecret: "not-the-secret" } }), opt("CREDENTIALS_REJECTED", null)],
  ];
  for (const field of ["timeoutMs", "maxAttempts", "qps"].filter((f) => reads.includes(f))) {
    for (const [label, value] of [["NaN", NaN], ["Infinity", Infinity], ["-0", -0], ["1e308", 1e308], ["2**53", 2 ** 53], ['"1000"', "1000"], ["10n", 10n], ["a Date", new Date(0)]]) {
      cases.push([`${field} = ${label}`, with_({ [field]: value }), invalidOption(field)]);
    }
  }
  for (const field of REQUIRED[fn]) {
    cases.push([`${field} absent`, (env) => {
      const options = base(fn, env);
      delete options[field];
      return options;
    }, invalidOption(field)]);
    cases.push([`${field} = null`, with_({ [field]: null }), invalidOption(field)]);
    cases.push([`${field} inherited (Object.create)`, (env) => {
      const options = base(fn, env);
      const value = options[field];
      delete options[field];
      return Object.assign(Object.create({ [field]: value }), options);
    }, null]);
  }
  const typed = {
    sendMessage: [
      ["to = an array of one number", with_({ to: ["+852 9123 4567"] }), invalidOption("to")],
      ["message = an array of one text", with_({ message: ["hi"] }), invalidOption("message")],
      ["to = 42", with_({ to: 42 }), invalidOption("to")],
      ["message = 42", with_({ message: 42 }), invalidOption("message")],
      ['to = new String("+852 9123 4567")', with_({ to: new String("+852 9123 4567") }), invalidOption("to")],
      ["to = a revoked Proxy", () => ({ to: revoked([]) }), invalidOption("to")],
      ["to = a Proxy of an array whose get trap throws", () => ({ to: trapThrows(["+852 9123 4567"], "get", r) }), invalidOption("to")],
      ["message = a sparse array of length 2**32-1", () => ({ message: sparse(2 ** 32 - 1) }), invalidOption("message")],
      ["to = a 3 MB string", () => ({ to: hugeString() }), invalidInput("to")],
      ["message = a 3 MB string", () => ({ message: hugeString() }), invalidInput("message")],
      ["message with a lone surrogate and NUL", () => ({ message: "a\uD800b\0c" }), invalidInput("message")],
      ["message of 501 characters", () => ({ message: "x".repeat(501) }), invalidInput("message")],
      ["to in the Chinese mainland", () => ({ to: "+86 138 0013 8000" }), invalidInput("to")],
      ["from with a lone surrogate", () => ({ from: "Ac\uDC00me" }), invalidInput("from")],
      ["taskId of 256 characters", () => ({ taskId: "t".repeat(256) }), invalidInput("taskId")],
      ["qps = Number.MIN_VALUE (below one an hour)", () => ({ qps: Number.MIN_VALUE }), invalidOption("qps")],
      ["qps = 0", () => ({ qps: 0 }), invalidOption("qps")],
      ["qps = 1001", () => ({ qps: 1001 }), invalidOption("qps")],
      ["every value wrong at once: each an issue", () => ({ to: "12", message: "", validityPeriod: 5, channelId: "bad id!" }), { ...invalidInput(["to"]), issues: ["to", "message", "validityPeriod", "channelId"] }],
      ["a number the sandbox will not deliver (accepted all the same)", () => ({ to: "+852 9123 9999" }), null, true],
      ["validityPeriod and channelId at their limits", () => ({ validityPeriod: 259_200, channelId: "c".repeat(64) }), null, true],
    ],
    queryMessage: [
      ["messageId = 42", () => ({ messageId: 42 }), invalidOption("messageId")],
      ["messageId = 10n", () => ({ messageId: 10n }), invalidOption("messageId")],
      ["messageId = an array of one ID", () => ({ messageId: ["1"] }), invalidOption("messageId")],
      ["messageId = a revoked Proxy", () => ({ messageId: revoked({}) }), invalidOption("messageId")],
      ['messageId = ""', () => ({ messageId: "" }), invalidInput("messageId")],
      ["messageId with a space in front", () => ({ messageId: " 1234" }), invalidInput("messageId")],
      ["messageId with NUL", () => ({ messageId: "12\u000034" }), invalidInput("messageId")],
      ["messageId of 65 characters", () => ({ messageId: "1".repeat(65) }), invalidInput("messageId")],
      ["messageId = a 3 MB string", () => ({ messageId: hugeString() }), invalidInput("messageId")],
      // An ID of the right shape that this sandbox never issued: the service has no record of it
      // (RECORD_NOT_FOUND, retryable), after exactly one request.
      ["an ID of valid shape the sandbox never issued", () => ({ messageId: "9999999999999999999" }), opt("RECORD_NOT_FOUND", null)],
    ],
    reportConversion: [
      ['delivered = "yes"', () => ({ delivered: "yes" }), invalidOption("delivered")],
      ["delivered = 1", () => ({ delivered: 1 }), invalidOption("delivered")],
      ["delivered = a throwing getter", (env) => throwingGetter(base(fn, env), "delivered", r), invalidOption("delivered")],
      ["conversionTime = a Date", () => ({ conversionTime: new Date() }), invalidOption("conversionTime")],
      ["conversionTime = a string of digits", () => ({ conversionTime: String(Date.now()) }), invalidOption("conversionTime")],
      ["conversionTime = 10n", () => ({ conversionTime: 10n }), invalidOption("conversionTime")],
      ["conversionTime in seconds", () => ({ conversionTime: Math.floor(Date.now() / 1000) }), invalidInput("conversionTime")],
      ["conversionTime in microseconds", () => ({ conversionTime: Date.now() * 1000 }), invalidInput("conversionTime")],
      ["conversionTime = NaN", () => ({ conversionTime: NaN }), invalidInput("conversionTime")],
      ["conversionTime = -0", () => ({ conversionTime: -0 }), invalidInput("conversionTime")],
      ["conversionTime with a fraction", () => ({ conversionTime: Date.now() + 0.5 }), invalidInput("conversionTime")],
      ["conversionTime an hour ahead", () => ({ conversionTime: Date.now() + 3_600_000 }), invalidInput("conversionTime")],
      ["every value wrong at once: each an issue", () => ({ messageId: "", conversionTime: 5 }), { ...invalidInput(["messageId"]), issues: ["messageId", "conversionTime"] }],
      // The core cannot know the service never sent it: the sandbox refuses it, as Alibaba does.
      ["an ID of valid shape the sandbox never issued", () => ({ messageId: "9999999999999999999" }), opt("SERVICE_REJECTED", null)],
      ["a code not used, no time", () => ({ delivered: false, conversionTime: undefined }), null, true],
    ],
    reportConversionRate: [
      // types.d.ts: `conversionRate: string`; a number is not turned into text here.
      ["conversionRate = 0.53 (a number)", () => ({ conversionRate: 0.53 }), invalidOption("conversionRate")],
      ["conversionRate = 10n", () => ({ conversionRate: 10n }), invalidOption("conversionRate")],
      ['conversionRate = "1.5"', () => ({ conversionRate: "1.5" }), invalidInput("conversionRate")],
      ['conversionRate = ""', () => ({ conversionRate: "" }), invalidInput("conversionRate")],
      ['conversionRate = ".5"', () => ({ conversionRate: ".5" }), invalidInput("conversionRate")],
      ['conversionRate = "1e-1"', () => ({ conversionRate: "1e-1" }), invalidInput("conversionRate")],
      ['conversionRate = "-0"', () => ({ conversionRate: "-0" }), invalidInput("conversionRate")],
      ["conversionRate of 33 characters", () => ({ conversionRate: `0.${"5".repeat(31)}` }), invalidInput("conversionRate")],
      ["conversionRate = a 3 MB string", () => ({ conversionRate: hugeString() }), invalidInput("conversionRate")],
      ["reportTime = a Date", () => ({ reportTime: new Date() }), invalidOption("reportTime")],
      ["reportTime before 2018-05-01", () => ({ reportTime: EARLIEST_EVENT_MS - 1 }), invalidInput("reportTime")],
      ["reportTime = Infinity", () => ({ reportTime: Infinity }), invalidInput("reportTime")],
      ["every value wrong at once: each an issue", () => ({ conversionRate: "2", reportTime: 5 }), { ...invalidInput(["conversionRate"]), issues: ["conversionRate", "reportTime"] }],
      ['conversionRate = "1.000" at 2018-05-01', () => ({ conversionRate: "1.000", reportTime: EARLIEST_EVENT_MS }), null, true],
    ],
  }[fn];
  for (const [label, make, expect, valid] of typed) {
    // A function of env builds the whole options; otherwise the changes to valid ones.
    const build = make.length === 1 ? make : (env) => Object.assign(base(fn, env), make());
    cases.push([label, build, expect, valid]);
  }
  cases.push([
    "valid, ACS3 with an STS key",
    (env) => Object.assign(base(fn, env), { signatureVersion: "ACS3", credentials: copyKey(DEFAULT_STS_KEY) }),
    null,
    true,
  ]);
  for (const [label, build, expect, valid] of cases) {
    add(label, fn, (env) => ({ args: [build(env)], expect, valid: valid === true }), /3 MB/.test(label) ? { maxMs: 1500 } : {});
  }
}

/**
 * The named cases of recordReports and pollCampaign past those every campaign export gets: the
 * journal they open the campaign from (absent, of another campaign, broken, hostile, slow), the
 * evidence of every wrong shape, a poll's timing, and valid calls whose rows are known.
 */
function deliveryCases(fn, add, opt, base, r) {
  const record = fn === "recordReports";
  const invalid = (field, prefix = false) => opt("INVALID_OPTION", field, prefix);
  // Valid options with `extra` (a function of env, or values) put over them.
  const withBase = (extra) => (env) => Object.assign(base(fn, env), typeof extra === "function" ? extra(env) : extra);
  const entriesOf = (env) => env.campaign?.entries ?? [];
  const idsOf = (env) => deliveryCampaign(env).ids;
  const journalOf = (read, append = () => {}) => ({ read, append });
  // Evidence that changes every row, so that the journal is written.
  const changing = (env) => idsOf(env).map((messageId) => ({ messageId, status: "delivered", errorCode: "DELIVERED" }));
  const appendFails = (env, append) => {
    const journal = journalCopy(entriesOf(env));
    journal.append = append;
    return { journal, ...(record ? { reports: changing(env) } : {}) };
  };
  const cases = [
    ["journal absent", withBase({ journal: undefined }), invalid("journal")],
    ["journal = null", withBase({ journal: null }), invalid("journal")],
    ["journal = an array of its entries", withBase((env) => ({ journal: entriesOf(env).slice() })), invalid("journal")],
    ["journal = {} (no read, no append)", withBase({ journal: {} }), invalid("journal")],
    ["journal.read throws", withBase({ journal: journalOf(() => callerThrow("journal.read", r)) }), invalid("journal")],
    ["journal.read rejects with a Symbol", withBase({ journal: journalOf(() => Promise.reject(Symbol("read"))) }), invalid("journal")],
    ["journal.read is a getter that throws", withBase({ journal: throwingGetter({ append() {} }, "read", r) }), invalid("journal")],
    ["journal.read = 42", withBase({ journal: { read: 42, append() {} } }), invalid("journal")],
    ["journal.read returns 42", withBase({ journal: journalOf(() => 42) }), invalid("journal")],
    ["journal.read returns [42]", withBase({ journal: journalOf(() => [42]) }), invalid("journal")],
    ["journal.read returns { length: 1 }", withBase({ journal: journalOf(() => ({ length: 1, 0: "x" })) }), invalid("journal")],
    ["journal.read returns a Proxy of its entries whose get trap throws", withBase((env) => ({ journal: journalOf(() => trapThrows(entriesOf(env).slice(), "get", r)) })), invalid("journal")],
    ["journal.read returns a sparse array of length 2**32-1", withBase({ journal: journalOf(() => sparse(2 ** 32 - 1)) }), invalid("journal")],
    // Given up after JOURNAL_TIMEOUT_MS (src/wasm/campaign.rs), which this case's clock skips.
    ["journal.read never settles (given up after JOURNAL_TIMEOUT_MS)", withBase({ journal: journalOf(() => new Promise(() => {})) }), invalid("journal"), { skipTimer: JOURNAL_TIMEOUT_MS }],
    ["journal.read returns []", withBase({ journal: journalOf(() => []) }), opt("JOURNAL_EMPTY", null)],
    ["journal entries with a lone surrogate in one", withBase((env) => ({ journal: journalOf(() => entriesOf(env).map((e, i) => (i === 0 ? e.replace('"', '"\uD800') : e))) })), opt("JOURNAL_CORRUPT", null)],
    ["journal entry 0 altered (its checksum no longer holds)", withBase((env) => ({ journal: journalOf(() => entriesOf(env).map((e, i) => (i === 0 ? e.replace(/\d/, (d) => String((Number(d) + 1) % 10)) : e))) })), opt("JOURNAL_CORRUPT", null)],
    ["journal with a 3 MB entry after its own", withBase((env) => ({ journal: journalOf(() => [...entriesOf(env), `${hugeString()}\n`]) })), opt("JOURNAL_CORRUPT", null)],
    // The first entry is not a header: not a journal of this format.
    ["journal entries in reverse order", withBase((env) => ({ journal: journalOf(() => entriesOf(env).slice().reverse()) })), opt("JOURNAL_MISMATCH", null)],
    ["journal with a torn entry last (no newline: forgiven)", withBase((env) => ({ journal: journalOf(() => [...entriesOf(env), '{"kind":"fuzz"']) })), null, { valid: true }],
    ["journal.read resolves later (a macrotask)", withBase((env) => ({ journal: journalOf(() => new Promise((resolve) => setImmediate(() => resolve(entriesOf(env).slice())))) })), null, { valid: true }],
    ["journal.read returns a thenable", withBase((env) => ({ journal: journalOf(() => ({ then: (resolve) => resolve(entriesOf(env).slice()) })) })), null, { valid: true }],
    ["another campaign: the journal's list in another order", withBase({ to: DELIVERY_TO.slice().reverse() }), opt("JOURNAL_MISMATCH", null)],
    ["another campaign: another sender ID", withBase({ from: "Acme" }), opt("JOURNAL_MISMATCH", null)],
    ["another campaign: one number fewer", withBase({ to: DELIVERY_TO.slice(1) }), opt("JOURNAL_MISMATCH", null)],
    ["another key (the STS one)", withBase({ credentials: copyKey(DEFAULT_STS_KEY) }), opt("JOURNAL_MISMATCH", null)],
    ["another endpoint on this machine", withBase({ endpoint: "http://127.0.0.1:1/" }), opt("JOURNAL_MISMATCH", null)],
    ["a to that is not the journal's: +86 (refused as a campaign would be)", withBase({ to: ["+86 138 0013 8000", ...DELIVERY_TO.slice(1)], allOrNothing: true }), opt("INVALID_BATCH", null)],
    ["journal.append throws", withBase((env) => appendFails(env, () => callerThrow("journal.append", r))), opt("JOURNAL_FAILED", null)],
    ["journal.append rejects", withBase((env) => appendFails(env, async () => callerThrow("journal.append (async)", r))), opt("JOURNAL_FAILED", null)],
    ["journal.append = 42", withBase((env) => appendFails(env, 42)), opt("JOURNAL_FAILED", null)],
    ["journal.append never settles (given up after JOURNAL_TIMEOUT_MS)", withBase((env) => appendFails(env, () => new Promise(() => {}))), opt("JOURNAL_FAILED", null), { skipTimer: JOURNAL_TIMEOUT_MS }],
    [
      "journal.append returns junk (42)",
      withBase((env) => {
        const journal = journalCopy(entriesOf(env));
        const push = journal.append;
        journal.append = function append(entry) {
          push.call(this, entry);
          return 42;
        };
        return { journal, ...(record ? { reports: changing(env) } : {}) };
      }),
      null,
      { valid: true },
    ],
    ["onProgress throws", withBase((env) => ({ onProgress: () => callerThrow("onProgress", r), ...(record ? { reports: changing(env) } : {}) })), null, { valid: true }],
    ["onProgress rejects", withBase((env) => ({ onProgress: async () => callerThrow("onProgress (async)", r), ...(record ? { reports: changing(env) } : {}) })), null, { valid: true }],
    ["signatureVersion ACS3 (the journal was written with 1.0)", withBase({ signatureVersion: "ACS3" }), opt("JOURNAL_MISMATCH", null)],
  ];
  if (record) {
    cases.push(
      ["reports absent", withBase({ reports: undefined }), invalid("reports")],
      ["reports = null", withBase({ reports: null }), invalid("reports")],
      ['reports = "x"', withBase({ reports: "x" }), invalid("reports")],
      ["reports = 42", withBase({ reports: 42 }), invalid("reports")],
      ["reports = {}", withBase({ reports: {} }), invalid("reports")],
      ["reports = { length: 1e9 } (array-like)", withBase({ reports: { length: 1e9 } }), invalid("reports")],
      ["reports = a Set of evidence", withBase((env) => ({ reports: new Set(changing(env)) })), invalid("reports")],
      ["reports = a revoked Proxy", withBase({ reports: revoked([]) }), invalid("reports")],
      ["reports = a Proxy of evidence whose get trap throws", withBase((env) => ({ reports: trapThrows(changing(env), "get", r) })), invalid("reports", true)],
      ["reports = a Proxy whose length throws", withBase((env) => ({ reports: new Proxy(changing(env), { get: (t, k, rec) => (k === "length" ? callerThrow("length", r) : Reflect.get(t, k, rec)) }) })), invalid("reports")],
      ["reports = a sparse array of 100,001 (refused from its length)", withBase({ reports: sparse(100_001) }), invalid("reports")],
      ["reports = a sparse array of length 2**32-1", withBase({ reports: sparse(2 ** 32 - 1) }), invalid("reports")],
      ["reports = a sparse array of 100,000 (read from [0], a hole)", withBase({ reports: sparse(100_000) }), invalid("reports[0]")],
      ["reports = MessageIds (strings, not evidence)", withBase((env) => ({ reports: idsOf(env).slice() })), invalid("reports[0]")],
      ["reports[1] a hole", withBase((env) => ({ reports: [changing(env)[0], , changing(env)[1]] })), invalid("reports[1]")], // eslint-disable-line no-sparse-arrays
      ["reports[0] = a throwing getter", withBase((env) => ({ reports: throwingGetter(changing(env), 0, r) })), invalid("reports[0]")],
      ["reports whose prototype (for a hole) is a throwing Proxy", withBase((env) => {
        const reports = [changing(env)[0], , changing(env)[1]]; // eslint-disable-line no-sparse-arrays
        Object.setPrototypeOf(reports, trapThrows([], "get", r));
        return { reports };
      }), invalid("reports", true)],
    );
    // Items of every wrong shape, each at index 1 after a good one (the field names the item).
    const items = [
      ["null", () => null, "reports[1]", true],
      ["42", () => 42, "reports[1]", true],
      ['"x"', () => "x", "reports[1]", true],
      ["[] (an array)", () => [], "reports[1]", true],
      ["[evidence] (nested)", (ok) => [ok], "reports[1]", true],
      ["a revoked Proxy", () => revoked({}), "reports[1]", true],
      ["a Proxy whose get trap throws", (ok) => trapThrows(ok, "get", r), "reports[1]", true],
      ["{} (no messageId)", () => ({}), "reports[1].messageId", false],
      ["no status", (ok) => ({ messageId: ok.messageId }), "reports[1].status", false],
      ["messageId = 42", (ok) => ({ ...ok, messageId: 42 }), "reports[1].messageId", false],
      ["messageId = null", (ok) => ({ ...ok, messageId: null }), "reports[1].messageId", false],
      ['messageId = ""', (ok) => ({ ...ok, messageId: "" }), "reports[1].messageId", false],
      ["messageId with a space in front", (ok) => ({ ...ok, messageId: ` ${ok.messageId}` }), "reports[1].messageId", false],
      ["messageId with NUL", (ok) => ({ ...ok, messageId: `${ok.messageId}\0` }), "reports[1].messageId", false],
      ["messageId of 65 characters", (ok) => ({ ...ok, messageId: "1".repeat(65) }), "reports[1].messageId", false],
      ["messageId = a 3 MB string", (ok) => ({ ...ok, messageId: hugeString() }), "reports[1].messageId", false],
      ["messageId = a throwing getter", (ok) => throwingGetter({ ...ok }, "messageId", r), "reports[1]", true],
      ['status = "read"', (ok) => ({ ...ok, status: "read" }), "reports[1].status", false],
      ['status = "DELIVERED"', (ok) => ({ ...ok, status: "DELIVERED" }), "reports[1].status", false],
      ['status = "undelivered" (a CampaignState, not an EvidenceStatus)', (ok) => ({ ...ok, status: "undelivered" }), "reports[1].status", false],
      ["status = 1", (ok) => ({ ...ok, status: 1 }), "reports[1].status", false],
      ["status = Symbol()", (ok) => ({ ...ok, status: Symbol("s") }), "reports[1].status", false],
      ["status = a lone surrogate", (ok) => ({ ...ok, status: "\uD800" }), "reports[1].status", false],
      ["errorCode = 42", (ok) => ({ ...ok, errorCode: 42 }), "reports[1].errorCode", false],
      ["to = {}", (ok) => ({ ...ok, to: {} }), "reports[1].to", false],
      ["taskId = []", (ok) => ({ ...ok, taskId: [] }), "reports[1].taskId", false],
      ["taskId = 10n", (ok) => ({ ...ok, taskId: 10n }), "reports[1].taskId", false],
    ];
    for (const [label, make, field, prefix] of items) {
      cases.push([`reports[1] = ${label}`, withBase((env) => ({ reports: [changing(env)[0], make(changing(env)[1])] })), invalid(field, prefix)]);
    }
    // Valid evidence: the rows it must leave are known (deliveryOracle).
    const valid = [
      ["reports = []: nothing changes, nothing is written", () => []],
      ["every row delivered", (env) => changing(env)],
      ["each final status once", (env) => idsOf(env).map((messageId, i) => ({ messageId, status: ["delivered", "failed", "expired"][i], errorCode: ["DELIVERED", "UNDELIV", "EXPIRED"][i] }))],
      ["the first final report wins", (env) => [{ messageId: idsOf(env)[0], status: "failed" }, { messageId: idsOf(env)[0], status: "delivered" }, { messageId: idsOf(env)[0], status: "expired" }]],
      ["sending and other change nothing", (env) => idsOf(env).flatMap((messageId) => [{ messageId, status: "sending" }, { messageId, status: "other" }])],
      ["evidence about other messages only", () => [{ messageId: "9999999999999999999", status: "delivered", taskId: "ags-000000000000-1", to: "8525100****" }, { messageId: "x\u00e9", status: "failed" }]],
      ["a Report as createReportHandler hands it on", (env) => [{ index: 0, messageId: idsOf(env)[1], status: "failed", statusCode: "2", to: "8525101****", taskId: null, segments: 1, sendDate: null, receiveDate: null, errorCode: "UNDELIV", errorDescription: "x", ignoredFields: ["SmsSize"] }]],
      ["a QueryMessageResult as queryMessage resolves to it", (env) => [{ messageId: idsOf(env)[2], status: "expired", to: "85251028888", errorCode: "EXPIRED", errorDescription: null, message: "x", requestId: null, sendDate: null, receiveDate: null, responseCode: "OK", attempts: 1 }]],
      ["codes of another shape are not kept", (env) => idsOf(env).map((messageId, i) => ({ messageId, status: "delivered", errorCode: ["<script>", "x".repeat(65), hugeString()][i] }))],
      ["to and taskId of another shape are not kept", (env) => [{ messageId: idsOf(env)[0], status: "delivered", to: "+852 5100 1234", taskId: "\0" }]],
      ["evidence inherited from a prototype (Object.create)", (env) => changing(env).map((e) => Object.create(e))],
      ["frozen evidence in a frozen array", (env) => Object.freeze(changing(env).map((e) => Object.freeze(e)))],
      ["100,000 pieces of evidence (the most one call takes)", (env) => Array.from({ length: 100_000 }, (_, i) => ({ messageId: i % 50 === 0 ? idsOf(env)[i % 3] : `bfz-${i}`, status: "delivered" }))],
    ];
    // Reading 100,000 objects one by one took 0.8 s (measured): more than a case's usual wait.
    for (const [label, make] of valid) cases.push([label, withBase((env) => ({ reports: make(env) })), null, { valid: true, waitMs: /100,000/.test(label) ? 5000 : undefined }]);
    cases.push(["an already aborted signal (nothing to stop: recorded)", withBase((env) => ({ signal: AbortSignal.abort(), reports: changing(env) })), null, { valid: true }]);
    cases.push(["a signer and no credentials (the journal names a key)", withBase((env) => ({ signer: sandboxSigner(env), credentials: undefined })), opt("JOURNAL_MISMATCH", null)]);
    add("a getter on reports[0].messageId that calls recordReports and validateBatch (re-entered)", fn, () => ({
      script: async (env) => {
        let inner;
        let validated;
        const options = base(fn, env);
        const first = { status: "delivered" };
        Object.defineProperty(first, "messageId", {
          enumerable: true,
          get() {
            inner ??= sms.recordReports({ ...base(fn, env), reports: [{ messageId: idsOf(env)[1], status: "failed" }] });
            validated ??= sms.validateBatch({ to: ["+852 9123 4567"], message: "re-entered" });
            return idsOf(env)[0];
          },
        });
        options.reports = [first];
        const outer = await timeout(sms.recordReports(options), ASYNC_TIMEOUT_MS);
        const innerSettled = await timeout(Promise.resolve(inner), ASYNC_TIMEOUT_MS);
        if (outer.settled !== "resolved") return `the outer call ${outer.settled} ${showOutcome(outer.error)}`;
        if (innerSettled.settled !== "resolved") return `the inner call ${innerSettled.settled} ${showOutcome(innerSettled.error)}`;
        if (!Array.isArray(validated) || validated.length !== 0) return `validateBatch inside the getter gave ${showOutcome(validated)}`;
        const rows = (ledger) => Array.from(ledger.recipients, (row) => row.state).join(",");
        if (rows(outer.value) !== "delivered,sent,sent") return `the outer rows: ${rows(outer.value)}`;
        return rows(innerSettled.value) === "sent,undelivered,sent" ? null : `the inner rows: ${rows(innerSettled.value)}`;
      },
    }));
  } else {
    for (const [field, values] of [
      ["deadlineMs", [["0", 0], ["-1", -1], ["1.5", 1.5], ["NaN", NaN], ["Infinity", Infinity], ["-0", -0], ["86,400,001", 86_400_001], ['"100"', "100"], ["10n", 10n], ["a Date", new Date(0)]]],
      ["intervalMs", [["99", 99], ["300,001", 300_001], ["100.5", 100.5], ["NaN", NaN], ['"1000"', "1000"], ["-0", -0], ["true", true]]],
    ]) {
      for (const [label, value] of values) cases.push([`${field} = ${label}`, withBase({ [field]: value }), invalid(field)]);
    }
    cases.push(
      ["deadlineMs = 86,400,000 (a day: every row is final at the first answer)", withBase({ deadlineMs: 86_400_000 }), null, { valid: true }],
      // null is absent here as for every optional option (serde's Option): the default.
      ["deadlineMs = null and intervalMs = null (the defaults)", withBase({ deadlineMs: null, intervalMs: null }), null, { valid: true }],
      ["intervalMs = 100 and 300,000 at once", withBase({ deadlineMs: 1, intervalMs: 300_000 }), null, { valid: true }],
      ["deadlineMs = a throwing getter", (env) => throwingGetter(base(fn, env), "deadlineMs", r), invalid("deadlineMs")],
      ["a signer that would sign (refused: QueryMessage is signed here)", withBase((env) => ({ signer: sandboxSigner(env) })), invalid("signer")],
      ["a signer and no credentials", withBase((env) => ({ signer: sandboxSigner(env), credentials: undefined })), invalid("signer")],
      ["signer = 42", withBase({ signer: 42 }), invalid("signer")],
      ["an already aborted signal", withBase({ signal: AbortSignal.abort() }), opt("ABORTED", null)],
      // The journal's key with a token the sandbox refuses: each question is refused (not asked
      // again), and the rows stay as the journal has them.
      ["the journal's key with a made-up STS token", withBase({ credentials: { ...DEFAULT_KEY, securityToken: "bfz-not-a-token~1" } }), null],
      ["timeoutMs = 1, maxAttempts 1 (each question times out)", withBase({ timeoutMs: 1, maxAttempts: 1, deadlineMs: 1 }), null, { lingers: true }],
    );
  }
  for (const [label, build, expect, extra = {}] of cases) {
    add(label, fn, (env) => ({ args: [build(env)], expect, valid: extra.valid === true, skipTimer: extra.skipTimer, lingers: extra.lingers, waitMs: extra.waitMs }));
  }
}

/** createReportHandler's options, past the ones every export gets (pkg-template/reports.js). */
function reportHandlerOptionCases(add, opt, r) {
  const fn = "createReportHandler";
  const made = (options) => () => ({ args: [{ onReports: () => {}, ...options }], expect: null });
  const refused = (field, options) => () => ({ args: [{ onReports: () => {}, ...options }], expect: opt("INVALID_OPTION", field, false) });
  for (const [label, value] of [["absent", undefined], ["null", null], ["42", 42], ['"log"', "log"], ["an object", {}], ["an array", []]]) {
    add(`onReports = ${label}`, fn, refused("onReports", { onReports: value }));
  }
  for (const [label, value] of [["a class", class Fuzz {}], ["a revoked Proxy of a function", revoked(() => {})], ["an async function", async () => {}], ["a bound function", Object.prototype.toString.bind(null)]]) {
    add(`onReports = ${label} (made; its push is answered)`, fn, made({ onReports: value }));
  }
  for (const [field, bad, good] of [
    ["maxBodyBytes", [0, -1, 1.5, NaN, Infinity, -0, 4 * 1024 * 1024 + 1, "1024", 10n, new Number(1024), null, new Date(0)], [1, 4 * 1024 * 1024]],
    ["dedupeWindow", [-1, 0.5, 1_000_001, NaN, Infinity, "100", 10n, null, true], [0, -0, 1_000_000]],
  ]) {
    for (const value of bad) add(`${field} = ${showOutcome(value)}`, fn, refused(field, { [field]: value }));
    for (const value of good) add(`${field} = ${showOutcome(value)} (made)`, fn, made({ [field]: value }));
  }
  add("maxBodyBytes = a throwing getter", fn, () => ({ args: [throwingGetter({ onReports: () => {} }, "maxBodyBytes", r)], expect: opt("INVALID_OPTION", "maxBodyBytes", false) }));
}

/**
 * The report handler's named cases: requests that are not requests or not POSTs, bodies of
 * every kind, and onReports that throws, rejects, never settles or pushes again. Each a script
 * with a handler of its own, checked by checkReportResponse.
 */
function reportHandlerCases(add, r) {
  const fn = "reportHandler";
  const at = (env) => new URL("/sms/reports", env.url).href;
  const post = (env, body, init = {}) => new Request(at(env), { method: "POST", body, ...init });
  const entries = (ids, status = "1") => JSON.stringify(ids.map((id) => pushEntry(id, status)));
  /** One call of `handler`, its answer checked against `statuses` (and `count` entries). */
  const answer = async (handler, request, statuses, count = null, record = null) => {
    const callsBefore = record?.calls.length ?? 0;
    let promise;
    try {
      promise = handler(request);
    } catch (error) {
      return { failure: `threw synchronously: ${showOutcome(error)}` };
    }
    const settled = await timeout(Promise.resolve(promise), ASYNC_TIMEOUT_MS);
    if (settled.settled !== "resolved") return { failure: `${settled.settled === "never" ? "never answered" : `rejected ${showOutcome(settled.error)}`}` };
    const copy = settled.value.clone?.();
    const failure = await checkReportResponse(settled.value, { report: { statuses, entries: count } }, record, callsBefore);
    return { failure, text: copy ? await copy.text() : "" };
  };
  /** A handler whose onReports does `behaviour(reports, details, n)`, its calls recorded. */
  const recorded = (behaviour, options = {}) => {
    const record = { calls: [], handler: null };
    record.handler = sms.createReportHandler({
      ...options,
      onReports(reports, details) {
        const n = record.calls.length + 1;
        const call = { behaviour: "named", resolves: true, fresh: reports.length, duplicates: details.duplicates.length, rejected: details.rejected.length };
        record.calls.push(call);
        try {
          const returned = behaviour(reports, details, n);
          if (returned && typeof returned.then === "function") {
            // Known once it settles, before the handler (which awaits it) answers.
            return Promise.resolve(returned).catch((error) => {
              call.resolves = false;
              throw error;
            });
          }
          return returned;
        } catch (error) {
          call.resolves = false;
          throw error;
        }
      },
    });
    return record;
  };
  const script = (name, run) => add(name, fn, () => ({ script: run }));
  const one = (name, make, statuses, count = null, behaviour = () => {}, options = {}) =>
    script(name, async (env) => {
      const record = recorded(behaviour, options);
      return (await answer(record.handler, make(env), statuses, count, record)).failure;
    });

  // Not a request at all (a server's mistake): 405 where it has no POST method, 500 where reading it throws.
  for (const [label, make, statuses] of [
    ["no argument", () => undefined, [500]],
    ["null", () => null, [500]],
    ["42", () => 42, [405]],
    ["{}", () => ({}), [405]],
    ["a revoked Proxy", () => revoked({}), [500]],
    ["a Proxy whose get trap throws", () => trapThrows({ method: "POST" }, "get", r), [500]],
    ["a Response", () => new Response("[]"), [405]],
    ["{ method: \"POST\" } with no headers", () => ({ method: "POST" }), [500]],
    ["{ method: \"POST\" } whose body.getReader throws", () => ({ method: "POST", headers: new Headers(), body: { getReader: () => callerThrow("getReader", r) } }), [500]],
    ["{ method: \"POST\" } whose reader.read returns null", () => ({ method: "POST", headers: new Headers(), body: { getReader: () => ({ read: async () => null, cancel: async () => {} }) } }), [400, 500]],
  ]) {
    one(`handler(${label})`, make, statuses);
  }
  for (const method of ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]) {
    one(`a ${method}: 405 with Allow: POST`, (env) => new Request(at(env), { method, body: method === "GET" || method === "HEAD" ? undefined : "[]" }), [405]);
  }
  // Bodies
  one("an empty body: refused whole", (env) => post(env, ""), [400]);
  one("a body that is not an array", (env) => post(env, '{"MessageId":"1","Status":"1"}'), [400]);
  one("an array never closed", (env) => post(env, `[${JSON.stringify(pushEntry("m", "1"))}`), [400]);
  one("text after the array", (env) => post(env, "[] []"), [400]);
  one("10,000 entries (the most a push holds)", (env) => post(env, entries(Array.from({ length: 10_000 }, (_, i) => `m-${i}`))), [200], 10_000);
  one("10,001 entries: refused whole", (env) => post(env, `[${Array(10_001).fill("{}").join(",")}]`), [400]);
  one("100,000 nested arrays as the body", (env) => post(env, `${"[".repeat(100_000)}${"]".repeat(100_000)}`), [200, 400]);
  one("an entry holding an array 100,000 deep", (env) => post(env, nestingBomb()), [200, 400], 1);
  one("an entry with a lone surrogate escaped in its MessageId", (env) => post(env, '[{"MessageId":"\\ud800","Status":"1"}]'), [200], 1);
  one("bytes that are not UTF-8 in a MessageId", (env) => post(env, new Uint8Array([...utf8.encode('[{"MessageId":"m'), 0xff, 0xfe, ...utf8.encode('","Status":"1"}]')])), [200, 400], 1);
  // Inside the array, bytes that are not text are an entry that is not JSON: rejected alone.
  one("a CESU-8 surrogate as the only entry", (env) => post(env, new Uint8Array([0x5b, 0xed, 0xa0, 0x80, 0x5d])), [200], 1);
  one("a stray 0xff before the array", (env) => post(env, new Uint8Array([0xff, 0x5b, 0x5d])), [400]);
  one("a body exactly at maxBodyBytes (1024)", (env) => post(env, `[${" ".repeat(1022)}]`), [200], 0, () => {}, { maxBodyBytes: 1024 });
  one("a body one byte over maxBodyBytes (1024)", (env) => post(env, `[${" ".repeat(1023)}]`), [413], null, () => {}, { maxBodyBytes: 1024 });
  one("a body one byte over the default 4 MiB", (env) => post(env, overDefaultLimit()), [413]);
  one("Content-Length 99999999999 with a small body: refused unread", (env) => post(env, "[]", { headers: { "content-length": "99999999999" } }), [413]);
  one("Content-Length 1 with a longer body: the limit still holds", (env) => post(env, `[${" ".repeat(2000)}]`, { headers: { "content-length": "1" } }), [413], null, () => {}, { maxBodyBytes: 1024 });
  one("Content-Length abc: read as it comes", (env) => post(env, entries(["m"]), { headers: { "content-length": "abc" } }), [200], 1);
  one("a body stream that fails after a chunk", (env) => post(env, streamOf([utf8.encode("[")], true), { duplex: "half" }), [400]);
  one("a body stream that gives a string", (env) => post(env, streamOf([utf8.encode("["), "]"]), { duplex: "half" }), [400]);
  one("a body stream that gives an ArrayBuffer (not a view)", (env) => post(env, streamOf([new ArrayBuffer(2)]), { duplex: "half" }), [400]);
  one("a body stream of 1-byte chunks", (env) => post(env, streamOf([...utf8.encode(entries(["m", "n"]))].map((b) => new Uint8Array([b]))), { duplex: "half" }), [200], 2);
  one(
    "a body stream over the limit whose cancel never settles",
    (env) =>
      post(
        env,
        new ReadableStream({
          pull: (controller) => controller.enqueue(new Uint8Array(600)),
          cancel: () => new Promise(() => {}),
        }),
        { duplex: "half" },
      ),
    [413],
    null,
    () => {},
    { maxBodyBytes: 1024 },
  );
  // What onReports does
  for (const [label, behaviour] of [
    ["throws", () => callerThrow("onReports", r)],
    ["throws a Symbol", () => {
      throw Symbol("onReports");
    }],
    ["rejects with a revoked Proxy", () => Promise.reject(revoked({}))],
    ["returns a thenable whose then getter throws", () => ({
      get then() {
        return callerThrow("then getter", r);
      },
    })],
    ["returns a thenable that rejects", () => ({ then: (_, reject) => reject(new CallerError("thenable")) })],
  ]) {
    one(`onReports ${label}: 500, no details, pushed again`, (env) => post(env, entries(["m-1", "m-2"])), [500], null, behaviour);
  }
  one("onReports resolves to junk: acknowledged", (env) => post(env, entries(["m"])), [200], 1, () => Symbol("junk"));
  one("onReports empties the arrays it is given: acknowledged", (env) => post(env, entries(["m", "n"])), [200], 2, (reports, details) => {
    reports.length = 0;
    details.rejected.push(42);
  });
  script("a failed push is forgotten: handed on again, then acknowledged; then a repeat is a duplicate", async (env) => {
    const record = recorded((reports, details, n) => (n === 1 ? Promise.reject(new CallerError("once")) : undefined), { dedupeWindow: 10 });
    const body = entries(["f-1", "f-2"], "2");
    for (const [statuses, want] of [[[500], null], [[200], "2 new, 0 duplicate, 0 rejected"], [[200], "0 new, 2 duplicate, 0 rejected"]]) {
      const got = await answer(record.handler, post(env, body), statuses, 2, record);
      if (got.failure) return got.failure;
      if (want && JSON.parse(got.text).msg !== want) return `answered ${got.text}, expected ${want}`;
    }
    return record.calls.length === 2 ? null : `onReports called ${record.calls.length} times, expected 2`;
  });
  script("onReports pushes again without waiting: the second push waits its turn, both answered", async (env) => {
    let inner;
    const record = recorded(() => {
      inner ??= record.handler(post(env, entries(["inner"])));
    });
    const outer = await answer(record.handler, post(env, entries(["outer"])), [200], 1);
    if (outer.failure) return `the outer push: ${outer.failure}`;
    const settled = await timeout(Promise.resolve(inner), ASYNC_TIMEOUT_MS);
    if (settled.settled !== "resolved") return `the inner push ${settled.settled}`;
    const text = await settled.value.text();
    return text === '{"code":0,"msg":"1 new, 0 duplicate, 0 rejected"}' ? null : `the inner push: ${text}`;
  });
  script("onReports records the push with recordReports: the rows as the pushed statuses say", async (env) => {
    // What a caller does with the two (README, "Delivery reports"): the Reports handed on are
    // taken as they are as DeliveryEvidence.
    const { ids, entries: journalEntries } = env.campaign;
    const journal = journalCopy(journalEntries);
    let ledger;
    const handler = sms.createReportHandler({
      async onReports(reports) {
        ledger = await sms.recordReports({ to: DELIVERY_TO.slice(), message: DELIVERY_MESSAGE, credentials: copyKey(DEFAULT_KEY), endpoint: env.url, journal, reports });
      },
    });
    const body = JSON.stringify(ids.map((id, i) => pushEntry(id, ["1", "2", "6"][i], { ErrorCode: ["DELIVERED", "UNDELIV", "EXPIRED"][i] })));
    const got = await answer(handler, post(env, body), [200], ids.length);
    if (got.failure) return got.failure;
    const states = ledger ? Array.from(ledger.recipients, (row) => `${row.state} ${row.code}`).join(", ") : "no ledger";
    return states === "delivered DELIVERED, undelivered UNDELIV, expired EXPIRED" ? null : `the rows: ${states}`;
  });
  script("onReports never settles: the push is not acknowledged, 16 wait, the 17th is answered 503 at once", async (env) => {
    // The push is acknowledged only once onReports resolves (index.extra.d.ts): a handler that
    // never settles holds its push, and those after it, until 16 are waiting.
    const handler = sms.createReportHandler({ onReports: () => new Promise(() => {}) });
    let answered = 0;
    for (let i = 0; i < 16; i += 1) handler(post(env, entries([`hang-${i}`]))).then(() => (answered += 1), () => (answered += 1));
    const busy = await answer(handler, post(env, entries(["hang-16"])), [503]);
    if (busy.failure) return `the 17th push: ${busy.failure}`;
    const get = await answer(handler, new Request(at(env)), [405]);
    if (get.failure) return `a GET meanwhile: ${get.failure}`;
    const other = await answer(sms.createReportHandler({ onReports: () => {} }), post(env, entries(["hang-0"])), [200], 1);
    if (other.failure) return `another handler meanwhile: ${other.failure}`;
    return answered === 0 ? null : `${answered} of the 16 waiting pushes were answered though onReports never settled`;
  });
}

/** `[name, export, build(env) → { args, expect, valid }, { maxMs }]`: each one named in the output. */
function namedCases() {
  const list = [];
  const add = (name, fn, build, extra = {}) => list.push({ name: `${fn}: ${name}`, fn, build, ...extra });
  const opt = (codes, fields, prefix = true) => ({ codes: [].concat(codes), fields: fields === null ? null : [].concat(fields), prefix });
  const r = rng(1, 1);
  const base = (fn, env) => baseOptions(rng(7, 7), fn, env);
  const withOptions = ["validateBatch", "signRequest", "batchSend", "sendCampaign", "resumeCampaign", "createSigningHandler", ...OPERATIONS, ...DELIVERIES, "createReportHandler", "planCampaign"];

  for (const fn of withOptions) {
    const reads = READS[fn];
    // the options argument itself
    for (const [label, make, kind] of [
      ["no argument", null, "undefined"],
      ["undefined", () => undefined, "undefined"],
      ["null", () => null, "null"],
      ["42", () => 42, "number"],
      ["a string", () => "+852 9123 4567", "string"],
      ["a Symbol", () => Symbol("options"), "symbol"],
      ["a BigInt", () => 10n, "bigint"],
      ["a Date", () => new Date(), "date"],
      ["a function", () => () => {}, "function"],
      ["nested arrays", () => [[["+852 9123 4567"]]], "array"],
      ["a revoked Proxy", () => revoked({}), "hostile"],
      ["Object.create(Proxy whose get throws)", () => Object.create(trapThrows({}, "get", r)), "hostile"],
    ]) {
      const expect = ["undefined", "null", "number", "string", "symbol", "bigint"].includes(kind) ? opt("INVALID_OPTION", "options", false) : kind === "hostile" ? opt("INVALID_OPTION", null) : null;
      add(`options = ${label}`, fn, () => ({ args: make ? [make()] : [], expect }));
    }
    for (const trap of PROXY_TRAPS) {
      add(`options behind a Proxy whose ${trap} trap throws`, fn, (env) => ({ args: [trapThrows(base(fn, env), trap, r)], expect: trap === "get" ? opt("INVALID_OPTION", null) : null }));
    }
    add("options inherited from a prototype (Object.create(valid))", fn, (env) => ({ args: [Object.create(base(fn, env))], expect: null }));
    // throwing getters on each option it reads
    const getters = OPERATIONS.has(fn)
      ? reads
      : fn === "createSigningHandler"
        ? ["credentials", "endpoint", "allow"]
        : fn === "createReportHandler"
          ? REPORT_HANDLER_FIELDS
          : ["to", "message", "credentials", "endpoint", "timeoutMs", "signal", "signer", "journal", "reports", "deadlineMs", "intervalMs"].filter((f) => reads.includes(f));
    for (const field of getters) {
      add(`a throwing getter on options.${field}`, fn, (env) => ({
        args: [throwingGetter(base(fn, env), field, r)],
        expect: opt(field === "credentials" ? ["INVALID_OPTION", "INVALID_CREDENTIALS"] : "INVALID_OPTION", field),
      }));
    }
    for (const field of ["credentials", "signer", "signal", "journal"].filter((f) => reads.includes(f))) {
      add(`options.${field} = a revoked Proxy`, fn, (env) => ({
        args: [Object.assign(base(fn, env), { [field]: revoked(field === "signer" ? () => {} : {}) })],
        expect: field === "credentials" ? (fn === "createSigningHandler" ? null : opt(["INVALID_OPTION", "INVALID_CREDENTIALS"], "credentials")) : field === "signer" && !OPERATIONS.has(fn) ? null : opt("INVALID_OPTION", field),
      }));
    }
    if (fn === "createSigningHandler") add("credentials = a string", fn, (env) => ({ args: [{ ...base(fn, env), credentials: "LTAI5t:secret" }], expect: opt("INVALID_OPTION", "credentials", false) }));
    if (reads.includes("credentials") && fn !== "createSigningHandler") {
      for (const key of ["accessKeyId", "accessKeySecret", "securityToken"]) {
        add(`a throwing getter on credentials.${key}`, fn, (env) => {
          const options = base(fn, env);
          throwingGetter(options.credentials, key, r);
          return { args: [options], expect: opt(["INVALID_OPTION", "INVALID_CREDENTIALS"], "credentials") };
        });
      }
      add("credentials.accessKeyId = 42", fn, (env) => {
        const options = base(fn, env);
        options.credentials.accessKeyId = 42;
        return { args: [options], expect: opt(["INVALID_OPTION", "INVALID_CREDENTIALS"], "credentials") };
      });
      add("credentials = a string", fn, (env) => ({ args: [{ ...base(fn, env), credentials: "LTAI5t:secret" }], expect: opt("INVALID_OPTION", "credentials", false) }));
    }
    if (fn === "createReportHandler") {
      reportHandlerOptionCases(add, opt, r);
      continue;
    }
    if (fn === "createSigningHandler") {
      add("allow = a revoked Proxy", fn, (env) => ({ args: [{ ...base(fn, env), allow: revoked({}) }], expect: opt("INVALID_OPTION", "allow") }));
      add("allow.senderIds with a throwing getter element", fn, (env) => ({ args: [{ ...base(fn, env), allow: { senderIds: throwingGetter(["Acme"], 0, r) } }], expect: opt("INVALID_OPTION", "allow") }));
      add("allow.authorize that throws (then a request)", fn, (env) => ({ args: [{ ...base(fn, env), allow: { authorize: () => callerThrow("authorize", r) } }], expect: null }));
      add("allow.maxRecipients = NaN", fn, (env) => ({ args: [{ ...base(fn, env), allow: { maxRecipients: NaN } }], expect: opt("INVALID_OPTION", "allow") }));
      continue;
    }
    if (OPERATIONS.has(fn)) {
      operationCases(fn, add, opt, base, r);
      continue;
    }
    // `to` and `message`
    for (const field of ["to", "message"]) {
      add(`${field} = a revoked Proxy`, fn, (env) => ({ args: [{ ...base(fn, env), [field]: revoked([]) }], expect: opt("INVALID_OPTION", field) }));
      add(`${field} = a Proxy whose length throws`, fn, (env) => {
        const proxy = new Proxy(["+852 9123 4567"], { get: (t, k, rec) => (k === "length" ? callerThrow("length", r) : Reflect.get(t, k, rec)) });
        return { args: [{ ...base(fn, env), to: ["+852 9123 4567"], [field]: proxy }], expect: opt("INVALID_OPTION", field) };
      });
      add(`${field} = a Proxy of an array whose get trap throws`, fn, (env) => ({ args: [{ ...base(fn, env), to: ["+852 9123 4567"], [field]: trapThrows(["+852 9123 4567"], "get", r) }], expect: opt("INVALID_OPTION", field) }));
      add(`${field}[3] = a throwing getter`, fn, (env) => {
        const array = VALID_NUMBERS.slice(0, 5).map((n) => (field === "to" ? n : "hello"));
        throwingGetter(array, 3, r);
        return { args: [{ ...base(fn, env), to: field === "to" ? array : VALID_NUMBERS.slice(0, 5), message: field === "message" ? array : "hello" }], expect: opt("INVALID_OPTION", `${field}[3]`, false) };
      });
      // Refused from its length, before any item is read: INVALID_BATCH (BATCH_TOO_LARGE, or
      // MESSAGE_COUNT_MISMATCH for texts; validateBatch returns it as its one issue).
      add(`${field} = a sparse array of length 2**32-1`, fn, (env) => ({ args: [{ ...base(fn, env), to: field === "to" ? sparse(2 ** 32 - 1) : ["+852 9123 4567"], ...(field === "message" ? { message: sparse(2 ** 32 - 1) } : {}) }], expect: opt("INVALID_BATCH", null) }), { maxMs: 500 });
      if (field === "to") add(`${field} = a sparse array of length 2**32-1 with one element`, fn, (env) => ({ args: [{ ...base(fn, env), to: sparse(2 ** 32 - 1, "+852 9123 4567") }], expect: opt("INVALID_BATCH", null) }), { maxMs: 500 });
      // batchSend and signRequest refuse a list past a request's 1000 from its length; validateBatch
      // reads up to a campaign's length (every row's problems for a page), so there the first
      // throwing getter is the answer.
      if (fn === "validateBatch") {
        add(`${field} = 1001 throwing getters (read up to a campaign's length)`, fn, (env) => {
          const array = Array.from({ length: 1001 }, () => "+852 9123 4567");
          for (let i = 0; i < array.length; i += 1) throwingGetter(array, i, r);
          return { args: [{ ...base(fn, env), to: field === "to" ? array : VALID_NUMBERS.slice(0, 2), message: field === "message" ? array : "hello" }], expect: opt("INVALID_OPTION", `${field}[0]`, false) };
        });
      }
      if (fn === "signRequest" || fn === "batchSend") {
        add(`${field} = 1001 throwing getters (refused from its length)`, fn, (env) => {
          const array = Array.from({ length: 1001 }, () => "+852 9123 4567");
          for (let i = 0; i < array.length; i += 1) throwingGetter(array, i, r);
          return { args: [{ ...base(fn, env), to: field === "to" ? array : VALID_NUMBERS.slice(0, 2), message: field === "message" ? array : "hello" }], expect: opt("INVALID_BATCH", null) };
        });
      }
      add(`${field} = [Symbol()]`, fn, (env) => ({ args: [{ ...base(fn, env), to: ["+852 9123 4567"], [field]: [Symbol("s")] }], expect: opt("INVALID_OPTION", `${field}[0]`, false) }));
      add(`${field} = [10n]`, fn, (env) => ({ args: [{ ...base(fn, env), to: ["+852 9123 4567"], [field]: [10n] }], expect: opt("INVALID_OPTION", `${field}[0]`, false) }));
      add(`${field} = nested arrays`, fn, (env) => ({ args: [{ ...base(fn, env), to: ["+852 9123 4567"], [field]: [["+852 9123 4567"]] }], expect: opt("INVALID_OPTION", `${field}[0]`, false) }));
      add(`${field} = an array with a hole whose prototype throws`, fn, (env) => {
        const array = ["+852 9123 4567", , "+65 9123 4567"]; // eslint-disable-line no-sparse-arrays
        Object.setPrototypeOf(array, trapThrows([], "get", r));
        return { args: [{ ...base(fn, env), to: VALID_NUMBERS.slice(0, 3), [field]: array }], expect: opt("INVALID_OPTION", field) };
      });
      add(`${field} = 42`, fn, (env) => ({ args: [{ ...base(fn, env), [field]: 42 }], expect: opt("INVALID_OPTION", field, false) }));
    }
    add("message with a lone surrogate and NUL", fn, (env) => ({ args: [{ ...base(fn, env), message: "a\uD800b\0c" }], expect: opt("INVALID_BATCH", null) }));
    add("message = a 3 MB string", fn, (env) => ({ args: [{ ...base(fn, env), message: hugeString() }], expect: opt("INVALID_BATCH", null) }), { maxMs: 1500 });
    add("to = a 3 MB string element", fn, (env) => ({ args: [{ ...base(fn, env), to: [hugeString()], message: "x" }], expect: opt("INVALID_BATCH", null) }), { maxMs: 1500 });
    add("from with a lone surrogate", fn, (env) => ({ args: [{ ...base(fn, env), from: "Ac\uDC00me" }], expect: opt("INVALID_BATCH", null) }));
    // numeric options
    for (const field of ["timeoutMs", "maxAttempts", "qps"].filter((f) => reads.includes(f))) {
      for (const [label, value] of [["NaN", NaN], ["Infinity", Infinity], ["-0", -0], ["1e308", 1e308], ["2**53", 2 ** 53], ['"1000"', "1000"], ["10n", 10n], ["a Date", new Date(0)]]) {
        add(`${field} = ${label}`, fn, (env) => ({ args: [{ ...base(fn, env), [field]: value }], expect: opt("INVALID_OPTION", field, false) }));
      }
    }
    if (reads.includes("qps")) {
      // One request now, the next after 1/qps seconds: a rate this small must be refused (or the
      // wait bounded), not turned into a promise that never settles.
      add("qps = Number.MIN_VALUE with 1001 recipients (two requests)", fn, (env) => ({ args: [{ ...base(fn, env), to: manyNumbers(1001).slice(), message: "hi", allOrNothing: true, qps: Number.MIN_VALUE }], expect: null }));
    }
    if (fn === "batchSend" || fn === "sendCampaign") {
      add("a signer that rejects with its own error", fn, (env) => {
        const options = base(fn, env);
        delete options.credentials;
        return { args: [{ ...options, signer: async () => callerThrow("signer", r) }], expect: null };
      });
      add("a signer that throws synchronously", fn, (env) => {
        const options = base(fn, env);
        delete options.credentials;
        return { args: [{ ...options, signer: () => callerThrow("signer", r) }], expect: null };
      });
      add("an already aborted signal", fn, (env) => ({ args: [{ ...base(fn, env), signal: AbortSignal.abort() }], expect: opt("ABORTED", null) }));
    }
    if (fn === "sendCampaign" || fn === "resumeCampaign") {
      add("journal = a Proxy whose get trap throws", fn, (env) => ({ args: [{ ...base(fn, env), journal: trapThrows({ append() {}, read: () => [] }, "get", r) }], expect: opt("INVALID_OPTION", "journal") }));
      add("journal.read throws", fn, (env) => ({ args: [{ ...base(fn, env), journal: { append() {}, read: () => callerThrow("journal.read", r) } }], expect: null }));
      add("journal.append throws", fn, (env) => ({ args: [{ ...base(fn, env), journal: { append: () => callerThrow("journal.append", r), read: () => [] } }], expect: null }));
      add("onProgress throws", fn, (env) => ({ args: [{ ...base(fn, env), onProgress: () => callerThrow("onProgress", r) }], expect: null }));
    }
    if (DELIVERIES.has(fn)) deliveryCases(fn, add, opt, base, r);
  }
  reportHandlerCases(add, r);

  // the valid calls, so a broken base shows up as such and not as hundreds of odd failures
  for (const fn of withOptions) add("valid options", fn, (env) => ({ args: [base(fn, env)], expect: null, valid: true }));

  // signRequest's `at`
  for (const [label, make, expect] of [
    ["at = 5", () => 5, opt("INVALID_OPTION", "at", false)],
    ["at = a revoked Proxy", () => revoked({}), opt("INVALID_OPTION", null)],
    ["at.timestamp = a throwing getter", () => throwingGetter({}, "timestamp", r), opt(["INVALID_OPTION", "INVALID_TIMESTAMP"], ["timestamp", "at"])],
    ["at.nonce = a throwing getter", () => throwingGetter({}, "nonce", r), opt(["INVALID_OPTION", "INVALID_NONCE"], ["nonce", "at"])],
    ["at.timestamp = NaN", () => ({ timestamp: NaN }), opt(["INVALID_OPTION", "INVALID_TIMESTAMP"], ["timestamp", "at"])],
    ["at.timestamp = Infinity", () => ({ timestamp: Infinity }), opt(["INVALID_OPTION", "INVALID_TIMESTAMP"], ["timestamp", "at"])],
    ["at.timestamp = -0", () => ({ timestamp: -0 }), null],
    ["at.timestamp = 1e20", () => ({ timestamp: 1e20 }), opt(["INVALID_OPTION", "INVALID_TIMESTAMP"], ["timestamp", "at"])],
    ["at.timestamp = Invalid Date", () => ({ timestamp: new Date(NaN) }), opt(["INVALID_OPTION", "INVALID_TIMESTAMP"], ["timestamp", "at"])],
    ["at.timestamp = 10n", () => ({ timestamp: 10n }), opt(["INVALID_OPTION", "INVALID_TIMESTAMP"], ["timestamp", "at"])],
    ["at.nonce = a lone surrogate", () => ({ nonce: "\uD800" }), opt(["INVALID_OPTION", "INVALID_NONCE"], ["nonce", "at"])],
    ["at.nonce = NUL", () => ({ nonce: "\0" }), opt(["INVALID_OPTION", "INVALID_NONCE"], ["nonce", "at"])],
    ["at.nonce = 129 characters", () => ({ nonce: "n".repeat(129) }), opt(["INVALID_OPTION", "INVALID_NONCE"], ["nonce", "at"])],
    ["at.nonce = 42", () => ({ nonce: 42 }), opt(["INVALID_OPTION", "INVALID_NONCE"], ["nonce", "at"])],
  ]) {
    add(label, "signRequest", (env) => ({ args: [base("signRequest", env), make()], expect }));
  }

  // countSegments
  for (const [label, make, kind] of [
    ["42", () => 42, "number"],
    ["no argument", null, "undefined"],
    ["undefined", () => undefined, "undefined"],
    ["null", () => null, "null"],
    ["a Symbol", () => Symbol("text"), "symbol"],
    ["a BigInt", () => 10n, "bigint"],
    ["{}", () => ({}), "object"],
    ["[]", () => [], "object"],
    ['new String("x")', () => new String("x"), "object"],
    ["an object whose toString throws", () => ({ toString: () => callerThrow("toString", r) }), "object"],
    ["a revoked Proxy", () => revoked({}), "object"],
    ["a Date", () => new Date(), "object"],
    ["NaN", () => NaN, "number"],
    ["-0", () => -0, "number"],
  ]) {
    add(`text = ${label}`, "countSegments", () => ({ args: make ? [make()] : [], expect: opt("INVALID_OPTION", "text", false) }));
  }
  for (const [label, text] of [
    ['""', ""],
    ["a lone surrogate", "\uD800"],
    ["NUL", "\0"],
    ["a 3 MB string", null],
  ]) {
    add(`text = ${label}`, "countSegments", () => ({ args: [text ?? hugeString()], expect: null, valid: true }), { maxMs: 1500 });
  }
  add("42, 300 times in a row", "countSegments", () => ({ args: [42], expect: opt("INVALID_OPTION", "text", false), repeat: 300 }));

  // ready
  for (const [label, make] of [
    ["no argument", null],
    ["42", () => 42],
    ["null", () => null],
    ["a revoked Proxy", () => revoked({})],
    ["a Symbol", () => Symbol("m")],
    ["a path that does not exist", () => "/nonexistent/module.wasm"],
    ["bytes that are not wasm", () => new Uint8Array([0, 1, 2, 3])],
  ]) {
    add(label, "ready", () => ({ args: make ? [make()] : [], expect: null }));
  }

  // the handler createSigningHandler returns
  const post = (env, body) => new Request(env.url, { method: "POST", body, headers: { "content-type": "application/json" } });
  for (const [label, make, valid] of [
    ["a valid batch", (env) => post(env, JSON.stringify({ to: ["+852 9123 4567"], message: "hi" })), true],
    ["a GET", (env) => new Request(env.url), false],
    ["a body that is not JSON", (env) => post(env, "{"), false],
    ["JSON null", (env) => post(env, "null"), false],
    ["a JSON array", (env) => post(env, "[]"), false],
    ["to = 42", (env) => post(env, JSON.stringify({ to: 42, message: "x" })), false],
    ["to = [1]", (env) => post(env, JSON.stringify({ to: [1], message: "x" })), false],
    ["a lone surrogate escaped in JSON", (env) => post(env, '{"to":["+852 9123 4567"],"message":"\\ud800"}'), false],
    ["5000 recipients", (env) => post(env, JSON.stringify({ to: Array.from({ length: 5000 }, () => "+852 9123 4567"), message: "x" })), false],
    ["a 9 MB body", (env) => post(env, JSON.stringify({ to: ["+852 9123 4567"], message: "x".repeat(9 * 1024 * 1024) })), false],
    ["endpoint and credentials in the body", (env) => post(env, JSON.stringify({ to: ["+852 9123 4567"], message: "hi", endpoint: "https://attacker.example/", credentials: { accessKeyId: "a", accessKeySecret: "b" } })), true],
    ["undefined instead of a Request", () => undefined, false],
    ["a revoked Proxy instead of a Request", () => revoked({}), false],
  ]) {
    add(label, "handler", (env) => ({ args: [make(env)], expect: null, valid }));
  }

  csvNamedCases(add, opt, r);
  return list;
}

export const NAMED = namedCases();

/** The named case `index`, built for `env`, as a case `runCase` takes. */
export function namedCase(index, env) {
  const named = NAMED[index];
  thrownByCaller = new Set();
  const built = named.build(env);
  return {
    name: named.fn,
    args: built.args,
    desc: named.name,
    expect: built.expect ?? null,
    valid: built.valid === true,
    oracle: built.oracle ?? built.valid === true,
    repeat: built.repeat ?? 1,
    maxMs: named.maxMs,
    handler: built.handler ?? "plain",
    report: built.report,
    script: built.script,
    skipTimer: built.skipTimer,
    lingers: built.lingers,
    waitMs: built.waitMs,
    // What the CSV exports' results must hold (checkCsvCampaign, checkPlan, checkResultsCsv, checkCostly).
    csv: built.csv,
    plan: built.plan,
    results: built.results,
    costly: built.costly,
  };
}

// ---------------------------------------------------------------- the child process

/** A counter of every API request the sandbox answered (its `log` hook runs once per request). */
async function childEnvironment() {
  let requests = 0;
  // The Action of each, from its log line (`time method action status …`, sandbox/server.js).
  const actions = [];
  // No rate limits (the operations' too), and delivery reports due at once, so that QueryMessage
  // of the MessageId below answers with a report. No report URL: nothing is pushed, and the log
  // hook sees API requests only.
  const sandbox = await startSandbox({
    qps: Infinity,
    sendMessageQps: Infinity,
    queryMessageQps: Infinity,
    reportDelayMs: 0,
    log: (line) => {
      requests += 1;
      actions.push(String(line).split(" ")[2]);
    },
  });
  // API requests that reached the sandbox (its admin endpoints aside): one the caller gave up on
  // (OUTCOME_UNKNOWN after `timeoutMs: 1`) is still answered, and logged, some event-loop turns
  // later; `settled` waits for that, so it is counted for the case that sent it.
  let arrived = 0;
  subscribe("http.server.request.start", ({ request }) => {
    if (request.method !== "OPTIONS" && !String(request.url).startsWith("/__sandbox")) arrived += 1;
  });
  const settled = async (lingering) => {
    // A request given up on may still be on its way over the socket: a few turns to arrive.
    if (lingering) await new Promise((r) => setTimeout(r, 20));
    // Mostly a turn or two (the sandbox logs a request just after the answer is written): cheap
    // turns first, then up to 2 s.
    for (let turn = 0; requests < arrived && turn < 50; turn += 1) await new Promise((r) => setImmediate(r));
    for (let turn = 0; requests < arrived && turn < 400; turn += 1) await new Promise((r) => setTimeout(r, 5));
    return requests >= arrived;
  };
  const env = { url: sandbox.url, sandbox, requestCount: () => requests, actions, settled, assertNoSecret: globalThis.__bfzScan, outside: [], fetchCalls: 0 };
  // Requests anywhere but this machine are refused (as a network failure would) and recorded.
  const inner = globalThis.fetch;
  globalThis.fetch = function fetchOnlyHere(input, init) {
    env.fetchCalls += 1;
    let url;
    try {
      url = new URL(input instanceof Request ? input.url : String(input));
    } catch {
      return inner.call(this, input, init);
    }
    if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
      env.outside.push(url.origin);
      return Promise.reject(new TypeError("fetch failed (the boundary fuzz lets requests reach only its sandbox)"));
    }
    return inner.call(this, input, init);
  };
  env.handlers = {
    plain: sms.createSigningHandler({ credentials: copyKey(DEFAULT_KEY), endpoint: env.url }),
    policy: sms.createSigningHandler({ credentials: copyKey(DEFAULT_KEY), endpoint: env.url, allow: { senderIds: ["Acme"], maxRecipients: 5, types: ["NOTIFY"], authorize: (request) => request.headers.get("content-type") === "application/json" } }),
  };
  // The MessageId of a message this sandbox accepted, for queryMessage and reportConversion.
  const sent = await sms.sendMessage({ to: "+852 9123 4567", message: "boundary fuzz setup", credentials: copyKey(DEFAULT_KEY), endpoint: env.url, qps: 1000 });
  if (typeof sent.messageId !== "string" || sent.attempts !== 1) throw new Error(`boundary fuzz: the setup sendMessage gave ${showOutcome(sent)}`);
  env.messageId = sent.messageId;
  // The campaign recordReports and pollCampaign open (one request), and its journal.
  const journal = journalCopy([]);
  const ledger = await sms.sendCampaign({ to: DELIVERY_TO.slice(), message: DELIVERY_MESSAGE, credentials: copyKey(DEFAULT_KEY), endpoint: env.url, qps: 1000, journal });
  const ids = Array.from(ledger.recipients, (row) => row.messageId);
  if (ledger.counts.sent !== DELIVERY_TO.length || ledger.requests.done !== 1 || !ids.every((id) => typeof id === "string")) throw new Error(`boundary fuzz: the setup sendCampaign gave ${showOutcome(ledger.counts)}`);
  // (The ledger itself too: resultsCsv's named cases write it out.)
  env.campaign = { entries: Object.freeze(journal.entries.slice()), ids, ledger };
  env.reportHandlers = reportHandlers();
  return env;
}

/** What valid calls give before any hostile call, to compare with what they give after. */
function referenceCalls(env) {
  const batch = { to: ["+852 9123 4567", "+65 9123 4567"], message: "Your code is 4821", from: "Acme" };
  return {
    validateBatch: JSON.stringify(sms.validateBatch(batch)),
    validateBatchBad: JSON.stringify(sms.validateBatch({ to: ["12", "+852 9123 4567", "+852 9123 4567"], message: "" })),
    countSegments: JSON.stringify(sms.countSegments("€ Grüße 😀 ".repeat(20))),
    signRequest: JSON.stringify(sms.signRequest({ ...batch, credentials: copyKey(DEFAULT_KEY), endpoint: env.url }, { timestamp: 1767225600000, nonce: "boundary-fuzz-reference" })),
    readCsvCampaign: JSON.stringify(sms.readCsvCampaign('\uFEFFname;phone\r\nAnn;+852 9123 4567\r\nBob;\r\n"Cy;x', { message: "Hi {name}" })),
    planCampaign: JSON.stringify(sms.planCampaign({ ...batch, to: [...batch.to, batch.to[0], "12"], qps: 2 })),
    resultsCsv: sms.resultsCsv({ recipients: [{ index: 0, to: "=1+1", state: "sent", messageId: "1" }, { index: 1, to: "+852 9123 4567", state: "rejected", duplicateOf: 0 }] }, { lines: [2, 4], leftOut: [{ line: 3, to: null, code: "CSV_MISSING_CELL", reason: "x, y" }] }),
    costlyCharacters: JSON.stringify(sms.costlyCharacters("€ Grüße ✓ 😀 ".repeat(20))),
  };
}

/** After the hostile calls: the same valid calls give the same answers, and a real send works. */
async function postCheck(env, reference) {
  const problems = [];
  let now;
  try {
    now = referenceCalls(env);
  } catch (error) {
    return [`a valid call threw after the hostile ones: ${showOutcome(error)}`];
  }
  for (const key of Object.keys(reference)) if (now[key] !== reference[key]) problems.push(`${key} of a valid input changed: ${now[key].slice(0, 200)} (was ${reference[key].slice(0, 200)})`);
  const before = env.requestCount();
  try {
    const result = await timeout(sms.batchSend({ to: ["+852 9123 4567"], message: "after the fuzz", credentials: copyKey(DEFAULT_KEY), endpoint: env.url }), ASYNC_TIMEOUT_MS);
    if (result.settled !== "resolved") problems.push(`a valid batchSend after the hostile calls: ${result.settled} ${showOutcome(result.error)}`);
    else if (result.value.sent.length !== 1 || env.requestCount() - before !== result.value.attempts) problems.push(`a valid batchSend after the hostile calls: ${showOutcome(result.value)}`);
  } catch (error) {
    problems.push(`a valid batchSend threw synchronously: ${showOutcome(error)}`);
  }
  // And the operations: a message sent, then found delivered (reportDelayMs 0).
  const options = { credentials: copyKey(DEFAULT_KEY), endpoint: env.url };
  const sent = await timeout(sms.sendMessage({ ...options, to: "+65 9123 4567", message: "after the fuzz", qps: 1000 }), ASYNC_TIMEOUT_MS);
  if (sent.settled !== "resolved" || sent.value.attempts !== 1 || typeof sent.value.messageId !== "string") {
    problems.push(`a valid sendMessage after the hostile calls: ${sent.settled} ${showOutcome(sent.error ?? sent.value)}`);
    return problems;
  }
  const query = await timeout(sms.queryMessage({ ...options, messageId: sent.value.messageId }), ASYNC_TIMEOUT_MS);
  if (query.settled !== "resolved" || query.value.attempts !== 1 || query.value.status !== "delivered" || query.value.messageId !== sent.value.messageId) {
    problems.push(`a valid queryMessage after the hostile calls: ${query.settled} ${showOutcome(query.error ?? query.value)}`);
  }
  // And the delivery reports (issue 13): evidence recorded, a poll (four QueryMessage), a push.
  const { ids } = env.campaign;
  const reports = [{ messageId: ids[0], status: "delivered", errorCode: "DELIVERED" }, { messageId: ids[2], status: "expired" }, { messageId: ids[0], status: "failed" }];
  for (const [name, extra] of [["recordReports", { reports }], ["pollCampaign", { deadlineMs: 1 }]]) {
    const c = { name, args: [{ ...baseDelivery(rng(3, 3), name, env), ...extra }], oracle: true, valid: true, expect: null };
    const got = await timeout(sms[name](c.args[0]), ASYNC_TIMEOUT_MS);
    const failure = got.settled === "resolved" ? checkResult(name, got.value, c, env) : `${got.settled} ${showOutcome(got.error)}`;
    if (failure) problems.push(`a valid ${name} after the hostile calls: ${failure}`);
  }
  const push = sms.createReportHandler({ onReports: () => {} });
  const answer = await timeout(push(new Request(new URL("/sms/reports", env.url), { method: "POST", body: JSON.stringify([pushEntry("bfz-after", "1")]) })), ASYNC_TIMEOUT_MS);
  const text = answer.settled === "resolved" ? await answer.value.text() : "";
  if (text !== '{"code":0,"msg":"1 new, 0 duplicate, 0 rejected"}') problems.push(`a valid push after the hostile calls: ${answer.settled} ${showString(text)}`);
  return problems;
}

function send(message) {
  return new Promise((resolveSend) => process.send(message, () => resolveSend()));
}

async function childMain() {
  const mode = process.env.BFZ_MODE;
  const seed = Number(process.env.BFZ_SEED) >>> 0;
  const from = Number(process.env.BFZ_FROM);
  const to = Number(process.env.BFZ_TO);
  const only = process.env.BFZ_ONLY === undefined || process.env.BFZ_ONLY === "" ? null : Number(process.env.BFZ_ONLY);
  // A badly broken package would take forever (every wedged call costs seconds): stop after this many.
  let failureBudget = process.env.BFZ_BUDGET ? Number(process.env.BFZ_BUDGET) : Infinity;
  let slowBudget = process.env.BFZ_SLOW_BUDGET ? Number(process.env.BFZ_SLOW_BUDGET) : Infinity;
  let stoppedAt = null;
  // Never the caller's real keys: a case without credentials must find none in the environment.
  for (const name of Object.keys(process.env)) if (name.startsWith("ALIBABA_CLOUD_")) delete process.env[name];
  const crumb = openSync(process.env.BFZ_CRUMB, "w");
  const mark = (text) => writeSync(crumb, text.padEnd(40), 0);
  let current = -1;
  const events = [];
  process.on("uncaughtException", (error) => events.push({ kind: "uncaught exception", index: current, detail: showOutcome(error) }));
  process.on("unhandledRejection", (error) => events.push({ kind: "unhandled rejection", index: current, detail: showOutcome(error) }));
  const flushEvents = async () => {
    while (events.length) await send({ type: "event", ...events.shift() });
  };

  mark("setup");
  const env = await childEnvironment();
  const reference = referenceCalls(env);
  const stats = {};
  let reported = 0;
  let expectedTotal = env.requestCount(); // the setup's sendMessage
  let sentCalls = 0;
  const statOf = (name) => (stats[name] ??= { calls: 0, ok: 0, codes: {}, failures: 0 });

  for (let index = from; index < to; index += 1) {
    if (only !== null && index !== only) continue;
    current = index;
    mark(`case ${index}`);
    const c = mode === "named" ? namedCase(index, env) : randomCase(seed, index, env);
    let result;
    for (let k = 0; k < (c.repeat ?? 1); k += 1) {
      result = await runCase(c, env);
      if (result.failure || result.poisoned) break;
      if (k + 1 < (c.repeat ?? 1)) c.args = c.args.slice();
    }
    if (!result.failure && c.maxMs !== undefined && result.ms > c.maxMs) result.failure = `took ${Math.round(result.ms)} ms (at most ${c.maxMs} ms allowed)`;
    const stat = statOf(c.name);
    stat.calls += 1;
    if (result.outcome === "returned" || result.outcome === "resolved") stat.ok += 1;
    else stat.codes[result.outcome] = (stat.codes[result.outcome] ?? 0) + 1;
    // A report handler's answers, by status (all of them results: it never rejects).
    if (result.status !== undefined) stat.codes[`HTTP ${result.status}`] = (stat.codes[`HTTP ${result.status}`] ?? 0) + 1;
    if (typeof result.expectedSent === "number") expectedTotal += result.expectedSent;
    else if (typeof result.sent === "number") expectedTotal += result.sent;
    if (result.sent > 0) sentCalls += 1;
    // Errors are scanned for secrets too (harness.mjs's scan): every named case, a sample of the rest.
    // (Not the errors that list hundreds of issues: scanning them against every signature seen
    // would cost more than the run itself.)
    const scannable = !(Array.isArray(result.error?.issues) && result.error.issues.length > 20);
    if (result.error !== undefined && scannable && (mode === "named" || index % 25 === 0) && env.assertNoSecret) {
      try {
        env.assertNoSecret(result.error, `${c.name} error`);
      } catch (error) {
        result.failure = `${result.failure ? `${result.failure}; ` : ""}${error.message}`;
      }
    }
    if (result.failure) {
      stat.failures += 1;
      failureBudget -= 1;
      if (/never settled|took \d+ ms/.test(result.failure)) slowBudget -= 1;
    }
    if (mode === "named") {
      await send({ type: "named", index, ok: !result.failure, detail: result.failure ?? `${result.outcome}${result.sent ? `, ${result.sent} request(s) sent` : ""}` });
    } else if (result.failure && reported < 200) {
      reported += 1;
      await send({ type: "failure", index, export: c.name, desc: c.desc, detail: result.failure });
    }
    const eventsNow = events.length;
    await flushEvents();
    // A case that broke the contract (a trap, an uncaught exception, a foreign error unwinding
    // through the wasm frames, a promise left pending) may leave the instance in a state that
    // would make later cases fail for its sake: a fresh process takes the next case.
    if (result.poisoned || result.failure || eventsNow > 0) {
      await send({ type: "poisoned", index, stats });
      process.exit(3);
    }
    if (failureBudget <= 0 || slowBudget <= 0) {
      stoppedAt = index;
      break;
    }
    if (mode !== "named" && index % 2000 === 1999) {
      await send({ type: "stats", stats });
      for (const key of Object.keys(stats)) delete stats[key];
    }
  }
  current = -1;
  mark("post-check");
  // Let late timers and rejections surface before counting them.
  await new Promise((r) => setTimeout(r, 50));
  const post = await postCheck(env, reference);
  // The post-check's batchSend, sendMessage and queryMessage (one attempt each, qps off), and its
  // poll's four QueryMessage.
  expectedTotal += 3 + POLLED_ROWS;
  let received;
  try {
    const answer = await fetch(new URL("/__sandbox/requests", env.url));
    received = (await answer.json()).length;
  } catch (error) {
    received = `could not read the sandbox's record: ${showOutcome(error)}`;
  }
  await flushEvents();
  await send({ type: "done", stoppedAt, stats, post, network: { received, expected: expectedTotal, sentCalls, counted: env.requestCount() } });
  mark("done");
  await env.sandbox.close();
  process.exit(0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // The harness's secret scan, for the errors this child catches (it also spies on fetch).
  const harness = await import("./harness.mjs");
  globalThis.__bfzScan = harness.assertNoSecret;
  childMain().catch((error) => {
    console.error("boundary fuzz child failed:", error);
    process.exit(2);
  });
}
