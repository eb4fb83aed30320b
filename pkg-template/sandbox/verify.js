// Pure signature checks for both schemes Alibaba's gateway accepts. No clock, no key store,
// no I/O: callers hand in the decoded request and the secret, so golden vectors can be fed in
// directly (tests/sandbox/golden.test.mjs).

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { percentEncode } from "./encode.js";

/** The `x-acs-content-sha256` of an empty body. */
export const EMPTY_BODY_SHA256 =
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** The only ACS3 algorithm the sandbox verifies (docs/spec/wire-format.md §10). */
export const ACS3_ALGORITHM = "ACS3-HMAC-SHA256";

/** Sorts names in ascending UTF-16 code-unit order, as the SDKs' plain `sort()` does. */
function sortedNames(params) {
  return Object.keys(params).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Compares two strings without leaking, through timing, how much of them matched. */
function sameText(a, b) {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

// ---------------------------------------------------------------- signature 1.0 (HMAC-SHA1)

/**
 * The canonicalized query string of signature 1.0 (docs/spec/wire-format.md §6 steps 1-3): every
 * parameter except `Signature`, sorted by name, each name and value percent-encoded.
 *
 * @param {Record<string, string>} params decoded parameters
 * @returns {string}
 */
export function canonicalizedQueryV1(params) {
  return sortedNames(params)
    .filter((name) => name !== "Signature")
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name])}`)
    .join("&");
}

/**
 * String-to-sign of signature 1.0: `METHOD&%2F&` + the canonicalized query encoded once more.
 *
 * @param {string} method HTTP method, e.g. `POST` (it is part of the signed text)
 * @param {Record<string, string>} params decoded parameters
 * @returns {string}
 */
export function stringToSignV1(method, params) {
  return `${method.toUpperCase()}&${percentEncode("/")}&${percentEncode(canonicalizedQueryV1(params))}`;
}

/**
 * Base64 HMAC-SHA1 keyed with `secret + "&"` (the secret used raw, docs/spec/wire-format.md §6 step 5).
 *
 * @param {string} stringToSign
 * @param {string} accessKeySecret
 * @returns {string}
 */
export function signatureV1(stringToSign, accessKeySecret) {
  return createHmac("sha1", Buffer.from(`${accessKeySecret}&`, "utf8"))
    .update(stringToSign, "utf8")
    .digest("base64");
}

/**
 * Checks a signature-1.0 request.
 *
 * @param {{ method: string, params: Record<string, string>, accessKeySecret: string }} input
 *   `params` are the decoded query and form parameters, `Signature` included.
 * @returns {{ valid: boolean, stringToSign: string }}
 */
export function verifySignatureV1({ method, params, accessKeySecret }) {
  const stringToSign = stringToSignV1(method, params);
  const given = typeof params.Signature === "string" ? params.Signature : "";
  const valid = given !== "" && sameText(given, signatureV1(stringToSign, accessKeySecret));
  return { valid, stringToSign };
}

// ---------------------------------------------------------------- ACS3-HMAC-SHA256

/**
 * Splits an `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…` value.
 * Returns null when it is not of that shape (any of the three fields missing or empty).
 *
 * @param {string | undefined} header
 * @returns {{ algorithm: string, credential: string, signedHeaders: string[], signature: string } | null}
 */
export function parseAcs3Authorization(header) {
  if (typeof header !== "string") return null;
  const text = header.trim();
  const space = text.indexOf(" ");
  if (space <= 0) return null;
  const algorithm = text.slice(0, space);
  const fields = new Map();
  for (const part of text.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return null;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeaders || !signature) return null;
  return {
    algorithm,
    credential,
    signedHeaders: signedHeaders.split(";").map((name) => name.trim().toLowerCase()),
    signature,
  };
}

/**
 * Lower-cases header names and keeps every value of a repeated header, so a caller may pass
 * Node's `headersDistinct`, its `headers`, or a plain object from a test vector.
 */
function headerValues(headers, name) {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value.map(String) : [String(value)];
  }
  return undefined;
}

/**
 * The canonical request of ACS3-HMAC-SHA256 (docs/spec/wire-format.md §10.3), built from the headers the
 * client says it signed: six parts joined by `\n`, each header line ending in `\n`.
 *
 * @param {{ method: string, path: string, query: Record<string, string>,
 *   headers: Record<string, string | string[] | undefined>, signedHeaders: string[],
 *   hashedPayload: string }} input
 * @returns {string}
 */
export function canonicalRequestAcs3({ method, path, query, headers, signedHeaders, hashedPayload }) {
  const canonicalQuery = sortedNames(query)
    .map((name) => `${percentEncode(name)}=${percentEncode(query[name])}`)
    .join("&");
  const names = [...signedHeaders].sort();
  const canonicalHeaders = names
    .map((name) => {
      // Repeated headers are merged as their trimmed values, sorted, joined with ','.
      const values = (headerValues(headers, name) ?? [""]).map((v) => v.trim()).sort();
      return `${name}:${values.join(",")}\n`;
    })
    .join("");
  return [
    method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery,
    canonicalHeaders,
    names.join(";"),
    hashedPayload,
  ].join("\n");
}

/** The path as the SDK canonicalises it: each segment encoded, `/` kept. */
function canonicalUri(path) {
  const raw = path === "" ? "/" : path;
  return raw
    .split("/")
    .map((segment) => percentEncode(safeDecode(segment)))
    .join("/");
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * `ACS3-HMAC-SHA256\n` + lower-case hex SHA-256 of the canonical request (docs/spec/wire-format.md §10.4).
 *
 * @param {string} canonicalRequest
 * @returns {string}
 */
export function stringToSignAcs3(canonicalRequest) {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}

/**
 * Lower-case hex HMAC-SHA256 keyed with the secret's UTF-8 bytes as given (docs/spec/wire-format.md §10.5).
 *
 * @param {string} stringToSign
 * @param {string} accessKeySecret
 * @returns {string}
 */
export function signatureAcs3(stringToSign, accessKeySecret) {
  return createHmac("sha256", Buffer.from(accessKeySecret, "utf8"))
    .update(stringToSign, "utf8")
    .digest("hex");
}

/**
 * Lower-case hex SHA-256 of text or bytes.
 *
 * @param {string | Uint8Array} data
 * @returns {string}
 */
export function sha256Hex(data) {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Checks an ACS3-HMAC-SHA256 request. The canonical request is rebuilt from the SignedHeaders
 * list given in `Authorization`, so Node's (host + x-acs-*) and Python's (plus accept and
 * user-agent) choices both verify. The payload hash is computed from the body received, and
 * a different `x-acs-content-sha256` claim makes the check fail.
 *
 * @param {{ method: string, path: string, query: Record<string, string>,
 *   headers: Record<string, string | string[] | undefined>, body?: string | Uint8Array,
 *   accessKeySecret: string }} input  `headers` must hold `authorization`.
 * @returns {{ valid: boolean, canonicalRequest: string, stringToSign: string, problem?: string }}
 */
export function verifySignatureAcs3({ method, path, query, headers, body = "", accessKeySecret }) {
  const auth = parseAcs3Authorization(headerValues(headers, "authorization")?.[0]);
  if (!auth) {
    return { valid: false, canonicalRequest: "", stringToSign: "", problem: "malformed Authorization" };
  }
  const hashedPayload = sha256Hex(body);
  const claimed = headerValues(headers, "x-acs-content-sha256")?.[0];
  const canonicalRequest = canonicalRequestAcs3({
    method,
    path,
    query,
    headers,
    signedHeaders: auth.signedHeaders,
    hashedPayload,
  });
  const stringToSign = stringToSignAcs3(canonicalRequest);
  if (claimed !== undefined && claimed.trim().toLowerCase() !== hashedPayload) {
    return { valid: false, canonicalRequest, stringToSign, problem: "x-acs-content-sha256 does not match the body" };
  }
  const valid = sameText(auth.signature.toLowerCase(), signatureAcs3(stringToSign, accessKeySecret));
  return { valid, canonicalRequest, stringToSign };
}
