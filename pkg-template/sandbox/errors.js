// The gateway's error answers: code, HTTP status and message text, as docs/spec/api-reference.md §2
// records them. Business refusals (HTTP 200 with a ResponseCode) live in operation.js.

/** Fixed entries of the gateway error table (docs/spec/api-reference.md §2). */
const GATEWAY_ERRORS = {
  SignatureDoesNotMatch: {
    status: 400,
    message: "Specified signature is not matched with our calculation.",
  },
  IncompleteSignature: {
    status: 400,
    message: "The request signature does not conform to Aliyun standards.",
  },
  InvalidSignatureMethod: { status: 400, message: "Specified signature method is not valid." },
  "InvalidTimeStamp.Expired": {
    status: 400,
    message: "Specified time stamp or date value is expired.",
  },
  "InvalidTimeStamp.Format": {
    status: 400,
    message: "Specified time stamp or date value is not well formatted.",
  },
  SignatureNonceUsed: { status: 400, message: "Specified signature nonce was used already." },
  "InvalidAccessKeyId.NotFound": { status: 404, message: "Specified access key is not found." },
  // NOTE: STS codes and statuses are not established (docs/spec/api-reference.md "Not established" 7);
  // these names follow the gateway's Invalid<Thing>.<Reason> pattern.
  "InvalidSecurityToken.Missing": {
    status: 400,
    message: "The security token is mandatory for this access key.",
  },
  "InvalidSecurityToken.MismatchWithAccessKey": {
    status: 400,
    message: "Specified security token does not match the access key.",
  },
  "InvalidParameter.Format": { status: 400, message: "Specified parameter format is not valid." },
  UnsupportedHTTPMethod: { status: 400, message: "Specified HTTP method is not supported." },
  "InvalidApi.NotFound": {
    status: 404,
    message: "Specified api is not found, please check your url and method.",
  },
  "Throttling.User": { status: 400, message: "Request was denied due to user flow control." },
  "Throttling.Api": { status: 400, message: "Request was denied due to api flow control." },
  Throttling: { status: 400, message: "Request was denied due to request throttling." },
  InternalError: {
    status: 500,
    message: "The request processing has failed due to some unknown error, exception or failure.",
  },
  ServiceUnavailable: {
    status: 503,
    message: "The request has failed due to a temporary failure of the server.",
  },
};

/**
 * A gateway refusal: the request never reached the operation, nothing was sent.
 * @typedef {{ code: string, status: number, message: string }} GatewayError
 */

/**
 * Builds a gateway error from the table.
 *
 * @param {string} code one of the table's codes
 * @param {{ status?: number, detail?: string }} [options] `detail` is appended to the message
 * @returns {GatewayError}
 */
export function gatewayError(code, options = {}) {
  const entry = GATEWAY_ERRORS[code];
  if (!entry) throw new Error(`sandbox: no gateway error named ${code}`);
  const message = options.detail ? `${entry.message} ${options.detail}` : entry.message;
  return { code, status: options.status ?? entry.status, message };
}

/**
 * `Missing<Param>`, 400: a required parameter was not sent (docs/spec/api-reference.md §2).
 *
 * @param {string} param
 * @returns {GatewayError}
 */
export function missingParameter(param) {
  return { code: `Missing${param}`, status: 400, message: `${param} is mandatory for this action.` };
}

/**
 * `Invalid<Param>`, 400: a common parameter has a value the gateway does not accept.
 *
 * @param {string} param
 * @returns {GatewayError}
 */
export function invalidParameter(param) {
  return { code: `Invalid${param}`, status: 400, message: `Specified parameter ${param} is not valid.` };
}

/**
 * Whether a gateway code is known to the table (used to validate injected faults).
 *
 * @param {string} code
 * @returns {boolean}
 */
export function isGatewayCode(code) {
  return Object.hasOwn(GATEWAY_ERRORS, code);
}
