// The signing service: a Fetch-API handler a server (a worker, a serverless function, Node) mounts
// so that a browser can send SMS without ever holding the AccessKeySecret, and `signingService`,
// the browser's `signer` that asks it. Shared by both entries: each one binds the handler to its
// own `signRequest` and `ready` (bindSigning below), so no logic is copied per runtime.
//
// No SMS rule lives here: the handler checks only the caller's own policy (`allow`), then hands
// the batch to the package's `signRequest`, which validates it exactly as `batchSend` does and
// signs it with a fresh timestamp and nonce.
//
// What one request can cost the server is bounded (issue 12: 600,000 numbers in a 2.3 MiB body
// took 2.6-4.6 s of CPU and a 102 MiB answer; a 200 MB body was read whole, +784 MiB RSS): the
// body is read as a stream up to a byte limit sized from the largest valid request, lists are
// refused from their lengths before an item is read, and an answer lists at most 100 issues.

import { UnreadableBody, declaredLength, readBytes } from "./body.js";
import { smsError } from "./errors.js";

/** The fields of a SigningRequest the handler passes on; anything else in the body is ignored. */
const FIELDS = ["to", "message", "from", "type", "taskId", "signatureVersion"];
const MESSAGE_TYPES = ["NOTIFY", "MKT"];
/**
 * Recipients per request: src/batch.rs `MAX_RECIPIENTS` (seed doc: "up to 1,000 mobile phone
 * numbers"). Restated here because two decisions are made where the WebAssembly module cannot be
 * asked: `allow.maxRecipients` is checked when the handler is made, which in a browser or worker may
 * be before `ready()`, and the body limit below is fixed then too. The refusal of a longer list is
 * not restated: it is the core's answer (see the handler).
 */
const MAX_RECIPIENTS = 1000;

// The body limit, in bytes, from the largest valid SigningRequest. JSON spends at most 6 bytes on
// one UTF-16 unit (`\uXXXX`; UTF-8 spends at most 3, and 4 on a pair), so per recipient:
//   its number: 64 units as people write it ("+44 (0)20 7946 0958" is 19; the package's own
//     signer sends it normalized, at most 15 digits: src/recipient.rs MAX_DIGITS) → 64 × 6 = 384
//   its text: 500 units (src/segment.rs MAX_MESSAGE_CHARACTERS) → 500 × 6 = 3,000
//   two quotes and a comma after each of the two, and 8 bytes of white space before each
//   (a newline and indentation, as JSON.stringify(x, null, 4) writes) → 2 × (3 + 8) = 22
//   = 3,406 bytes per recipient.
// Plus 64 KiB for the rest: the keys and braces, `from` (≤ 15 characters → 92 bytes), `type`,
// `signatureVersion`, `taskId` (≤ 255 characters, src/batch.rs MAX_TASK_ID_CHARACTERS, an astral
// one 12 bytes → 3,062), and fields the handler ignores.
// 1000 recipients: 65,536 + 1000 × 3,406 = 3,471,536 bytes (3.3 MiB); with allow.maxRecipients
// the same sum for that many, so a policy of 10 reads at most 99,596 bytes.
// Such a body is valid (its URL stays under src/batch.rs MAX_URL_BYTES: a text of 500 letters
// written as `\u0061` is 3,000 bytes here and 500 in the URL), and tests/node/signing-service.test.mjs
// signs one of exactly this size.
const BODY_BYTES_PER_RECIPIENT = 3406;
const BODY_BYTES_BESIDE_RECIPIENTS = 64 * 1024;

/**
 * At most this many issues in an error answer, with `issuesTotal` counting them all: a batch of
 * 1000 bad numbers and 1000 bad texts has 2,000 (about 370 KB of JSON), more than a page shows.
 */
const MAX_ISSUES_ANSWERED = 100;

function invalidOption(field, message) {
  return smsError("INVALID_OPTION", `${field}: ${message}`, { field });
}

/**
 * `object[key]` of a caller's options, read once: a getter or Proxy that throws (or a revoked
 * Proxy) is an INVALID_OPTION naming `field`, never the caller's own exception.
 */
function read(object, key, field) {
  try {
    return object[key];
  } catch {
    throw invalidOption(field, "could not be read (a getter or Proxy threw)");
  }
}

function isArray(value, field) {
  try {
    return Array.isArray(value);
  } catch {
    throw invalidOption(field, "could not be read (a revoked Proxy)");
  }
}

/** A list of strings copied out of the caller's array, so a later change or trap cannot reach us. */
function strings(value, field, allowed) {
  if (!isArray(value, field)) return undefined;
  const length = read(value, "length", field);
  if (!(Number.isInteger(length) && length >= 0 && length <= 10_000)) return undefined;
  const out = [];
  for (let i = 0; i < length; i++) {
    const item = read(value, i, `${field}[${i}]`);
    if (typeof item !== "string" || (allowed && !allowed.includes(item))) return undefined;
    out.push(item);
  }
  return out;
}

function notAllowed(field, message) {
  return smsError("NOT_ALLOWED", `not allowed: ${field}: ${message}`, { field });
}

/** Checks `allow` once, when the handler is made, so a typo fails at start-up, not per request. */
function checkPolicy(allow) {
  if (allow === undefined) return {};
  if (allow === null || typeof allow !== "object") throw invalidOption("allow", "must be an object");
  const given = read(allow, "senderIds", "allow.senderIds");
  const maxRecipients = read(allow, "maxRecipients", "allow.maxRecipients");
  const givenTypes = read(allow, "types", "allow.types");
  const authorize = read(allow, "authorize", "allow.authorize");
  const senderIds = given === undefined ? undefined : strings(given, "allow.senderIds");
  if (given !== undefined && senderIds === undefined) throw invalidOption("allow.senderIds", "must be an array of strings");
  if (maxRecipients !== undefined && !(Number.isInteger(maxRecipients) && maxRecipients >= 1 && maxRecipients <= MAX_RECIPIENTS)) {
    throw invalidOption("allow.maxRecipients", `must be a whole number from 1 to ${MAX_RECIPIENTS}`);
  }
  const types = givenTypes === undefined ? undefined : strings(givenTypes, "allow.types", MESSAGE_TYPES);
  if (givenTypes !== undefined && types === undefined) {
    throw invalidOption("allow.types", 'must be an array of "NOTIFY" and/or "MKT"');
  }
  if (authorize !== undefined && typeof authorize !== "function") {
    throw invalidOption("allow.authorize", "must be a function");
  }
  return { senderIds, maxRecipients, types, authorize };
}

/** The first rule of `policy` that `body` breaks, as an SmsError, or undefined. */
function breach(policy, body) {
  if (policy.senderIds !== undefined) {
    const from = body.from ?? "";
    if (from === "" || !policy.senderIds.includes(from)) {
      return notAllowed("from", from === "" ? "a sender ID is required here" : "this sender ID is not allowed here");
    }
  }
  // From the lists' lengths alone, before anything reads an item. A `message` list longer than
  // the policy allows is refused here too, as NOT_ALLOWED like every breach of the policy: it
  // would carry more texts (one per recipient) than this server lets a request carry. The core
  // has the same two rules for its own limit (src/batch.rs `oversized_list`).
  if (policy.maxRecipients !== undefined) {
    for (const [field, what] of [["to", "recipients"], ["message", "texts"]]) {
      const list = body[field];
      if (Array.isArray(list) && list.length > policy.maxRecipients) {
        return notAllowed(field, `at most ${policy.maxRecipients} ${what} per request here; this one has ${list.length}`);
      }
    }
  }
  if (policy.types !== undefined && !policy.types.includes(body.type ?? "NOTIFY")) {
    return notAllowed("type", `allowed here: ${policy.types.join(", ")}`);
  }
  return undefined;
}

/** The error answer's body: the SmsError's public fields, nothing else (no stack, no cause). */
function errorBody(error) {
  const out = { name: "SmsError", code: error.code, message: error.message };
  if (typeof error.field === "string") out.field = error.field;
  if (typeof error.index === "number") out.index = error.index;
  if (Array.isArray(error.issues)) {
    // The first MAX_ISSUES_ANSWERED and how many there are: the answer stays small whatever the
    // batch, and a page can still say "and 1,900 more".
    out.issues = error.issues.slice(0, MAX_ISSUES_ANSWERED);
    out.issuesTotal = error.issues.length;
  }
  return { error: out };
}

function json(status, value, headers = {}) {
  return new Response(JSON.stringify(value), {
    status,
    // A signed request is good for one send: never cached, by the browser or anything between.
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/** 4xx for what the caller sent; a misconfigured server is 500 and says no more than that. */
function statusOf(code) {
  switch (code) {
    case "NOT_ALLOWED":
      return 403;
    case "INVALID_BATCH":
    case "INVALID_OPTION":
      return 400;
    default:
      return 500;
  }
}

function failed(error) {
  const code = error?.name === "SmsError" ? error.code : undefined;
  const status = statusOf(code);
  if (status === 500) {
    // INVALID_CREDENTIALS, INVALID_ENDPOINT, NOT_INITIALIZED, a thrown authorize(): the server's
    // problem, not the caller's; its details stay in the server's logs.
    return json(500, errorBody(smsError("SIGNING_FAILED", "the signing service could not sign this request")));
  }
  return json(status, errorBody(error));
}

function tooLarge(limit) {
  return json(413, errorBody(invalidOption("body", `larger than the ${limit} bytes this service reads`)));
}

/**
 * The body as text (`readBytes`, body.js): undefined when longer than `limit`.
 * @throws {UnreadableBody} when the stream fails or the bytes are not UTF-8.
 */
async function readBody(request, limit, expected) {
  const bytes = await readBytes(request, limit, expected);
  if (bytes === undefined) return undefined;
  try {
    // fatal: a byte sequence that is not UTF-8 is refused, never turned into U+FFFD (which would
    // change a paid message). A leading BOM is dropped, as request.text() does.
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UnreadableBody("must be UTF-8");
  }
}

/**
 * Binds the handler to an entry's own `signRequest` and `ready` (node.js and browser.js each
 * call this once): `createSigningHandler` is the same code in every runtime.
 */
export function bindSigning({ signRequest, ready }) {
  return function createSigningHandler(options) {
    if (options === null || typeof options !== "object") throw invalidOption("options", "must be an object");
    const given = read(options, "credentials", "credentials");
    const endpoint = read(options, "endpoint", "endpoint");
    if (given === null || typeof given !== "object") {
      throw invalidOption("credentials", "must be an object with accessKeyId and accessKeySecret");
    }
    // Copied once: the handler signs with what it was given, whatever the object does later.
    const credentials = {
      accessKeyId: read(given, "accessKeyId", "credentials.accessKeyId"),
      accessKeySecret: read(given, "accessKeySecret", "credentials.accessKeySecret"),
      securityToken: read(given, "securityToken", "credentials.securityToken"),
    };
    if (endpoint !== undefined && typeof endpoint !== "string") throw invalidOption("endpoint", "must be a string");
    const policy = checkPolicy(read(options, "allow", "allow"));
    const bodyLimit = BODY_BYTES_BESIDE_RECIPIENTS + BODY_BYTES_PER_RECIPIENT * (policy.maxRecipients ?? MAX_RECIPIENTS);

    return async function signingHandler(request) {
      try {
        if (request.method !== "POST") {
          return json(405, errorBody(invalidOption("method", "only POST is answered")), { allow: "POST" });
        }
        // The caller first: someone who may not send learns nothing about batches or policy.
        if (policy.authorize !== undefined && (await policy.authorize(request)) !== true) {
          return json(403, errorBody(notAllowed("authorization", "this caller may not send")));
        }
        // A declared length over the limit is refused before a byte is read.
        const declared = declaredLength(request);
        if (declared !== undefined && declared > bodyLimit) return tooLarge(bodyLimit);
        let text;
        try {
          text = await readBody(request, bodyLimit, declared);
        } catch (error) {
          if (!(error instanceof UnreadableBody)) throw error;
          return json(400, errorBody(invalidOption("body", error.message)));
        }
        if (text === undefined) return tooLarge(bodyLimit);
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          return json(400, errorBody(invalidOption("body", "must be a JSON SigningRequest")));
        }
        if (body === null || typeof body !== "object" || Array.isArray(body)) {
          return json(400, errorBody(invalidOption("body", "must be a JSON object (a SigningRequest)")));
        }
        const refused = breach(policy, body);
        if (refused) return json(403, errorBody(refused));

        const batch = {};
        for (const field of FIELDS) if (body[field] !== undefined) batch[field] = body[field];
        await ready();
        // Validates (INVALID_BATCH with every issue) and signs now, with a fresh nonce. The
        // endpoint and credentials are this server's: nothing in the body can change them.
        // A `to` or `message` list longer than any request may hold (1000) is refused by the core
        // from its length before an item is read (src/wasm/input.rs; the code from src/batch.rs
        // `oversized_list`: BATCH_TOO_LARGE for `to`, MESSAGE_COUNT_MISMATCH for `message`), so
        // the answer is 400 INVALID_BATCH with the code and words batchSend gives for that batch:
        // unlike `allow.maxRecipients`, this limit is the package's, not this server's.
        const signed = signRequest({ ...batch, credentials, endpoint });
        return json(200, signed);
      } catch (error) {
        return failed(error);
      }
    };
  };
}

/** The answer of a signing handler, as a signed request or the SmsError it carries. */
async function answerOf(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (response.ok && body !== null && typeof body === "object") return body;
  const error = body?.error;
  if (error !== null && typeof error === "object" && error.name === "SmsError" && typeof error.code === "string") {
    const issues = Array.isArray(error.issues) ? error.issues : undefined;
    const refusal = smsError(error.code, typeof error.message === "string" ? error.message : error.code, {
      field: typeof error.field === "string" ? error.field : undefined,
      index: typeof error.index === "number" ? error.index : undefined,
      issues,
      httpStatus: response.status,
    });
    // The handler answers at most MAX_ISSUES_ANSWERED issues and counts them all.
    const total = error.issuesTotal;
    if (issues !== undefined && Number.isSafeInteger(total) && total >= issues.length) refusal.issuesTotal = total;
    throw refusal;
  }
  throw smsError("SIGNING_FAILED", `the signing service answered HTTP ${response.status} without a signed request; nothing was sent`, {
    httpStatus: response.status,
  });
}

/**
 * A `signer` for batchSend/sendCampaign that POSTs each SigningRequest to a signing handler and
 * resolves to its SignedRequest; an error answer rejects with an SmsError carrying its code.
 */
export function signingService(url, init = {}) {
  let target;
  try {
    target = url instanceof URL ? url.href : typeof url === "string" ? url : undefined;
  } catch {
    target = undefined;
  }
  if (target === undefined) throw invalidOption("url", "must be a string or a URL");
  if (init === null || typeof init !== "object") throw invalidOption("init", "must be an object");
  const givenFetch = read(init, "fetch", "init.fetch");
  if (givenFetch !== undefined && typeof givenFetch !== "function") throw invalidOption("init.fetch", "must be a function");
  const headers = read(init, "headers", "init.headers");
  const mode = read(init, "credentials", "init.credentials");
  const doFetch = givenFetch ?? ((input, options) => globalThis.fetch(input, options));
  return async function signer(request) {
    let response;
    try {
      response = await doFetch(target, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify(request),
        ...(mode === undefined ? {} : { credentials: mode }),
      });
    } catch (cause) {
      throw smsError("SIGNING_FAILED", "the signing service could not be reached; nothing was sent", { cause });
    }
    return answerOf(response);
  };
}
