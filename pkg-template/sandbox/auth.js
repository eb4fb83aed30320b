// The gateway's checks before an operation runs: required common parameters, signature method,
// timestamp, API lookup, AccessKeyId, STS token, signature, nonce. Each refusal carries the
// gateway's code and status (docs/spec/api-reference.md §2). The order of the checks is ours; the real
// order could not be observed.

import { gatewayError, invalidParameter, missingParameter } from "./errors.js";
import {
  ACS3_ALGORITHM,
  parseAcs3Authorization,
  stringToSignV1,
  verifySignatureAcs3,
  verifySignatureV1,
} from "./verify.js";

/**
 * The operations the sandbox serves: the international ones of Dysmsapi 2018-05-01
 * (docs/spec/operations.md §1). SendMessageWithTemplate is mainland-only and out of scope.
 */
export const ACTIONS = Object.freeze([
  "BatchSendMessageToGlobe",
  "SendMessageToGlobe",
  "QueryMessage",
  "SmsConversion",
  "ConversionData",
]);
export const VERSION = "2018-05-01";

/**
 * Accepted distance between the client's timestamp and the sandbox clock, in either direction.
 * 15 minutes is the documented rule; whether the real gateway also refuses timestamps that far
 * in the future is not established, the sandbox does (docs/spec/api-reference.md §2 "Timestamp skew").
 */
export const TIMESTAMP_TOLERANCE_MS = 15 * 60 * 1000;

/** Signature-1.0 parameters the gateway requires, in the order they are checked. */
const REQUIRED_V1 = [
  "Action",
  "Version",
  "AccessKeyId",
  "Signature",
  "SignatureMethod",
  "SignatureVersion",
  "Timestamp",
  "SignatureNonce",
];

/** ACS3 headers the gateway requires, named by the parameter they replace in Missing<Param>. */
const REQUIRED_ACS3 = [
  ["x-acs-action", "Action"],
  ["x-acs-version", "Version"],
  ["x-acs-date", "Timestamp"],
  ["x-acs-signature-nonce", "SignatureNonce"],
];

/**
 * Headers that must be covered by an ACS3 signature when present: without them a captured
 * request could be replayed with another time, nonce, action or body. `x-acs-credentials-provider`
 * and other `x-acs-*` headers are verified when signed but not required to be.
 */
const MUST_SIGN_ACS3 = [
  "host",
  "x-acs-action",
  "x-acs-version",
  "x-acs-date",
  "x-acs-signature-nonce",
  "x-acs-content-sha256",
  "x-acs-security-token",
  "x-acs-accesskey-id",
];

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;

/**
 * Parses `YYYY-MM-DDTHH:MM:SSZ` (optionally with up to 3 fraction digits), UTC only.
 *
 * @param {string} text
 * @returns {number | null} milliseconds since the epoch, or null when malformed
 */
export function parseTimestamp(text) {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, Number((m[7] ?? "0").padEnd(3, "0")));
  const back = new Date(ms);
  // Date.UTC rolls 2025-02-30 over to March; a real calendar date must survive the round trip.
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    back.getUTCHours() !== hour ||
    back.getUTCMinutes() !== minute ||
    back.getUTCSeconds() !== second
  ) {
    return null;
  }
  return ms;
}

/** First value of a header from Node's `headersDistinct` shape. */
function header(headers, name) {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function fail(error) {
  return { ok: false, error };
}

function checkTimestamp(text, now) {
  const at = parseTimestamp(text);
  if (at === null) return gatewayError("InvalidTimeStamp.Format");
  if (Math.abs(now - at) > TIMESTAMP_TOLERANCE_MS) return gatewayError("InvalidTimeStamp.Expired");
  return null;
}

function checkApi(action, version) {
  if (!ACTIONS.includes(action)) return gatewayError("InvalidApi.NotFound");
  if (version !== VERSION) return invalidParameter("Version");
  return null;
}

/** An STS key must present its own token; a long-term key must present none. */
function checkToken(key, token) {
  const has = typeof token === "string" && token !== "";
  if (key.securityToken) {
    if (!has) return gatewayError("InvalidSecurityToken.Missing");
    if (token !== key.securityToken) return gatewayError("InvalidSecurityToken.MismatchWithAccessKey");
  } else if (has) {
    return gatewayError("InvalidSecurityToken.MismatchWithAccessKey");
  }
  return null;
}

/**
 * A request as the server decoded it.
 * @typedef {object} DecodedRequest
 * @property {string} method upper case
 * @property {string} path
 * @property {Record<string, string>} query decoded query parameters
 * @property {Record<string, string>} params query and form-body parameters merged
 * @property {Record<string, string[] | undefined>} headers Node's `headersDistinct`
 * @property {Buffer} body
 */

/**
 * Authenticates a request.
 *
 * @param {DecodedRequest} request
 * @param {{ keys: Map<string, { accessKeyId: string, accessKeySecret: string, securityToken?: string }>,
 *   now: number, skewMs?: number, nonces: import("./nonces.js").NonceStore }} context `now` is
 *   the sandbox clock; `skewMs` shifts it for the timestamp check only (the clock fault)
 * @returns {{ ok: true, scheme: "v1" | "acs3", accessKeyId: string, action: string } |
 *   { ok: false, error: import("./errors.js").GatewayError }}
 */
export function authenticate(request, context) {
  const authorization = header(request.headers, "authorization");
  if (typeof authorization === "string" && authorization.trim().startsWith("ACS3-")) {
    return authenticateAcs3(request, context, authorization);
  }
  return authenticateV1(request, context);
}

function authenticateV1(request, { keys, now, skewMs = 0, nonces }) {
  const { params } = request;
  for (const name of REQUIRED_V1) {
    if (params[name] === undefined || params[name] === "") return fail(missingParameter(name));
  }
  if (params.SignatureMethod !== "HMAC-SHA1") return fail(gatewayError("InvalidSignatureMethod"));
  if (params.SignatureVersion !== "1.0") return fail(invalidParameter("SignatureVersion"));
  const problem =
    checkTimestamp(params.Timestamp, now + skewMs) ?? checkApi(params.Action, params.Version);
  if (problem) return fail(problem);

  const key = keys.get(params.AccessKeyId);
  if (!key) return fail(gatewayError("InvalidAccessKeyId.NotFound"));
  const tokenProblem = checkToken(key, params.SecurityToken);
  if (tokenProblem) return fail(tokenProblem);

  const { valid } = verifySignatureV1({
    method: request.method,
    params,
    accessKeySecret: key.accessKeySecret,
  });
  if (!valid) {
    // The gateway quotes its string-to-sign so users can compare (docs/spec/api-reference.md §2). It holds
    // no secret, except an STS token, which is replaced before it is shown.
    const shown = { ...params };
    if (shown.SecurityToken !== undefined) shown.SecurityToken = "REDACTED";
    return fail(
      gatewayError("SignatureDoesNotMatch", {
        detail: `server string to sign is:${stringToSignV1(request.method, shown)}`,
      }),
    );
  }
  if (!nonces.use(params.SignatureNonce, now)) return fail(gatewayError("SignatureNonceUsed"));
  return { ok: true, scheme: "v1", accessKeyId: key.accessKeyId, action: params.Action };
}

function authenticateAcs3(request, { keys, now, skewMs = 0, nonces }, authorization) {
  const { headers } = request;
  const auth = parseAcs3Authorization(authorization);
  if (!auth) return fail(gatewayError("IncompleteSignature"));
  if (auth.algorithm !== ACS3_ALGORITHM) return fail(gatewayError("InvalidSignatureMethod"));
  for (const [name, param] of REQUIRED_ACS3) {
    const value = header(headers, name);
    if (value === undefined || value === "") return fail(missingParameter(param));
  }
  const signed = new Set(auth.signedHeaders);
  for (const name of MUST_SIGN_ACS3) {
    if (header(headers, name) !== undefined && !signed.has(name)) {
      return fail(gatewayError("IncompleteSignature", { detail: `Header ${name} must be signed.` }));
    }
  }
  for (const name of signed) {
    if (header(headers, name) === undefined) {
      return fail(gatewayError("IncompleteSignature", { detail: `Signed header ${name} was not sent.` }));
    }
  }
  const problem =
    checkTimestamp(header(headers, "x-acs-date"), now + skewMs) ??
    checkApi(header(headers, "x-acs-action"), header(headers, "x-acs-version"));
  if (problem) return fail(problem);

  const key = keys.get(auth.credential);
  if (!key) return fail(gatewayError("InvalidAccessKeyId.NotFound"));
  const keyHeader = header(headers, "x-acs-accesskey-id");
  if (keyHeader !== undefined && keyHeader !== auth.credential) {
    return fail(gatewayError("IncompleteSignature", { detail: "x-acs-accesskey-id differs from Credential." }));
  }
  const tokenProblem = checkToken(key, header(headers, "x-acs-security-token"));
  if (tokenProblem) return fail(tokenProblem);

  const result = verifySignatureAcs3({
    method: request.method,
    path: request.path,
    query: request.query,
    headers,
    body: request.body,
    accessKeySecret: key.accessKeySecret,
  });
  if (!result.valid) {
    // The ACS3 string-to-sign is a hash of the canonical request: safe to show.
    const detail = result.problem
      ? `${result.problem}.`
      : `server string to sign is:${result.stringToSign}`;
    return fail(gatewayError("SignatureDoesNotMatch", { detail }));
  }
  if (!nonces.use(header(headers, "x-acs-signature-nonce"), now)) {
    return fail(gatewayError("SignatureNonceUsed"));
  }
  return { ok: true, scheme: "acs3", accessKeyId: key.accessKeyId, action: header(headers, "x-acs-action") };
}
