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

function notAllowed(field, message) {
  return smsError("NOT_ALLOWED", `not allowed: ${field}: ${message}`, { field });
}

/** Checks `allow` once, when the handler is made, so a typo fails at start-up, not per request. */
function checkPolicy(allow) {
  if (allow === undefined) return {};
  if (allow === null || typeof allow !== "object") throw invalidOption("allow", "must be an object");
  const { senderIds, maxRecipients, types, authorize } = allow;
  if (senderIds !== undefined && !(Array.isArray(senderIds) && senderIds.every((s) => typeof s === "string"))) {
    throw invalidOption("allow.senderIds", "must be an array of strings");
  }
  if (maxRecipients !== undefined && !(Number.isInteger(maxRecipients) && maxRecipients >= 1 && maxRecipients <= MAX_RECIPIENTS)) {
    throw invalidOption("allow.maxRecipients", `must be a whole number from 1 to ${MAX_RECIPIENTS}`);
  }
  if (types !== undefined && !(Array.isArray(types) && types.every((t) => MESSAGE_TYPES.includes(t)))) {
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
    const { credentials, endpoint } = options;
    if (credentials === null || typeof credentials !== "object") {
      throw invalidOption("credentials", "must be an object with accessKeyId and accessKeySecret");
    }
    if (endpoint !== undefined && typeof endpoint !== "string") throw invalidOption("endpoint", "must be a string");
    const policy = checkPolicy(options.allow);

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
  const target = String(url);
  const doFetch = init.fetch ?? ((input, options) => globalThis.fetch(input, options));
  return async function signer(request) {
    let response;
    try {
      response = await doFetch(target, {
        method: "POST",
        headers: { ...init.headers, "content-type": "application/json" },
        body: JSON.stringify(request),
        ...(init.credentials === undefined ? {} : { credentials: init.credentials }),
      });
    } catch (cause) {
      throw smsError("SIGNING_FAILED", "the signing service could not be reached; nothing was sent", { cause });
    }
    return answerOf(response);
  };
}
