// The signing service: a Fetch-API handler a server (a worker, a serverless function, Node) mounts
// so that a browser can send SMS without ever holding the AccessKeySecret, and `signingService`,
// the browser's `signer` that asks it. Shared by both entries: each one binds the handler to its
// own `signRequest` and `ready` (bindSigning below), so no logic is copied per runtime.
//
// No SMS rule lives here: the handler checks only the caller's own policy (`allow`), then hands
// the batch to the package's `signRequest`, which validates it exactly as `batchSend` does and
// signs it with a fresh timestamp and nonce.

import { smsError } from "./errors.js";

/** The fields of a SigningRequest the handler passes on; anything else in the body is ignored. */
const FIELDS = ["to", "message", "from", "type", "taskId", "signatureVersion"];
const MESSAGE_TYPES = ["NOTIFY", "MKT"];
const MAX_RECIPIENTS = 1000;
/** A full batch (1000 recipients, 500 UTF-16 units each, JSON-escaped) fits well below this. */
const MAX_BODY_CHARS = 8 * 1024 * 1024;

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
  if (policy.maxRecipients !== undefined && Array.isArray(body.to) && body.to.length > policy.maxRecipients) {
    return notAllowed("to", `at most ${policy.maxRecipients} recipients per request here; this one has ${body.to.length}`);
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
  if (Array.isArray(error.issues)) out.issues = error.issues;
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

    return async function signingHandler(request) {
      try {
        if (request.method !== "POST") {
          return json(405, errorBody(invalidOption("method", "only POST is answered")), { allow: "POST" });
        }
        // The caller first: someone who may not send learns nothing about batches or policy.
        if (policy.authorize !== undefined && (await policy.authorize(request)) !== true) {
          return json(403, errorBody(notAllowed("authorization", "this caller may not send")));
        }
        const text = await request.text();
        if (text.length > MAX_BODY_CHARS) return json(413, errorBody(invalidOption("body", "too large")));
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
    throw smsError(error.code, typeof error.message === "string" ? error.message : error.code, {
      field: typeof error.field === "string" ? error.field : undefined,
      index: typeof error.index === "number" ? error.index : undefined,
      issues: Array.isArray(error.issues) ? error.issues : undefined,
      httpStatus: response.status,
    });
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
