// aliyun-globe-sms/sandbox: a local stand-in for Dysmsapi's international operations
// (BatchSendMessageToGlobe, SendMessageToGlobe, QueryMessage, SmsConversion, ConversionData) and
// its delivery reports, for tests. Node only (node:http); no runtime dependencies; no code shared
// with the client it tests (issue 4).

import { checkReportUrl } from "./reports.js";
import { SandboxServer, DEFAULT_MAX_HEADER_SIZE } from "./server.js";

export {
  percentEncode,
  decodeForm,
} from "./encode.js";
export {
  canonicalizedQueryV1,
  stringToSignV1,
  signatureV1,
  verifySignatureV1,
  parseAcs3Authorization,
  canonicalRequestAcs3,
  stringToSignAcs3,
  signatureAcs3,
  verifySignatureAcs3,
  sha256Hex,
  EMPTY_BODY_SHA256,
} from "./verify.js";
export { TIMESTAMP_TOLERANCE_MS } from "./auth.js";
export { NONCE_RETENTION_MS } from "./nonces.js";
export { FAULT_KINDS } from "./faults.js";
export { PUSH_FAULT_KINDS } from "./reports.js";

/**
 * The sandbox's default AccessKey pair. Public test values: they work only against the sandbox.
 */
export const DEFAULT_KEY = Object.freeze({
  accessKeyId: "LTAI5tSandboxTestKey",
  accessKeySecret: "SandboxTestSecret0123456789abc",
});

/** The sandbox's default STS credentials (key ID, secret and the token it must present). */
export const DEFAULT_STS_KEY = Object.freeze({
  accessKeyId: "STS.SandboxTestStsKey",
  accessKeySecret: "SandboxStsSecret0123456789abcd",
  securityToken: "SandboxStsToken.CAIS0123456789+/abcdefghij==",
});

/** Operation limits per AccessKeyId and second by default (docs/spec/operations.md §1). */
export const DEFAULT_QPS = Object.freeze({
  BatchSendMessageToGlobe: 1,
  // Sources disagree (30, 300, 2,000); 30 is the SDK's own comment and the brief's default.
  SendMessageToGlobe: 30,
  QueryMessage: 300,
  // Not stated for the conversion operations: the sandbox does not limit them unless told.
  SmsConversion: Infinity,
  ConversionData: Infinity,
});

/** Report and push defaults: small, so tests wait little. */
const REPORT_DEFAULTS = {
  reportDelayMs: 100,
  pushBatchSize: 100,
  pushRetryMs: 200,
  pushTimeoutMs: 5000,
  pushConcurrency: 2,
  duplicateRate: 0.05,
  seed: 1,
};

function checkQps(value, name) {
  if (!(value === Infinity || (Number.isInteger(value) && value > 0))) {
    throw new TypeError(`sandbox: ${name} must be a positive integer or Infinity`);
  }
  return value;
}

function wholeNumber(value, name, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`sandbox: ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function nonEmptyString(value) {
  return typeof value === "string" && value !== "";
}

/** The named options that are not undefined. */
function definedOnly(options, names) {
  return Object.fromEntries(names.filter((name) => options[name] !== undefined).map((name) => [name, options[name]]));
}

/**
 * Checks the options and fills in defaults.
 *
 * @param {import("./index.js").SandboxOptions} options
 */
function normalizeOptions(options = {}) {
  const keys = options.keys ?? [DEFAULT_KEY, DEFAULT_STS_KEY];
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new TypeError("sandbox: keys must be a non-empty array of { accessKeyId, accessKeySecret }");
  }
  const normalizedKeys = keys.map((key, index) => {
    if (!key || !nonEmptyString(key.accessKeyId) || !nonEmptyString(key.accessKeySecret)) {
      throw new TypeError(`sandbox: keys[${index}] needs a non-empty accessKeyId and accessKeySecret`);
    }
    if (key.securityToken !== undefined && key.securityToken !== null && !nonEmptyString(key.securityToken)) {
      throw new TypeError(`sandbox: keys[${index}].securityToken must be a non-empty string when given`);
    }
    const copy = { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret };
    if (key.securityToken) copy.securityToken = key.securityToken;
    return copy;
  });
  const failNumbers = options.failNumbers ?? [];
  if (!Array.isArray(failNumbers) || !failNumbers.every((n) => typeof n === "string")) {
    throw new TypeError("sandbox: failNumbers must be an array of strings");
  }
  const clock = options.clock ?? Date.now;
  if (typeof clock !== "function") throw new TypeError("sandbox: clock must be a function returning milliseconds");
  const log = options.log ?? false;
  if (log !== false && typeof log !== "function") throw new TypeError("sandbox: log must be a function or false");
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError("sandbox: port must be 0-65535");
  const maxHeaderSize = options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
  if (!Number.isInteger(maxHeaderSize) || maxHeaderSize < 16384) {
    throw new TypeError("sandbox: maxHeaderSize must be an integer of at least 16384 bytes");
  }
  const conversionQps = checkQps(options.conversionQps ?? DEFAULT_QPS.SmsConversion, "conversionQps");
  const qps = {
    BatchSendMessageToGlobe: checkQps(options.qps ?? DEFAULT_QPS.BatchSendMessageToGlobe, "qps"),
    SendMessageToGlobe: checkQps(options.sendMessageQps ?? DEFAULT_QPS.SendMessageToGlobe, "sendMessageQps"),
    QueryMessage: checkQps(options.queryMessageQps ?? DEFAULT_QPS.QueryMessage, "queryMessageQps"),
    SmsConversion: conversionQps,
    ConversionData: conversionQps,
  };
  const r = { ...REPORT_DEFAULTS, ...definedOnly(options, Object.keys(REPORT_DEFAULTS)) };
  const duplicateRate = r.duplicateRate;
  if (typeof duplicateRate !== "number" || !(duplicateRate >= 0 && duplicateRate <= 1)) {
    throw new TypeError("sandbox: duplicateRate must be a number from 0 to 1");
  }
  const reports = {
    reportDelayMs: wholeNumber(r.reportDelayMs, "reportDelayMs", 0, 24 * 60 * 60 * 1000),
    reportUrl: checkReportUrl(options.reportUrl ?? null),
    pushBatchSize: wholeNumber(r.pushBatchSize, "pushBatchSize", 1, 10_000),
    pushRetryMs: wholeNumber(r.pushRetryMs, "pushRetryMs", 0, 10 * 60 * 1000),
    pushTimeoutMs: wholeNumber(r.pushTimeoutMs, "pushTimeoutMs", 1, 10 * 60 * 1000),
    pushConcurrency: wholeNumber(r.pushConcurrency, "pushConcurrency", 1, 64),
    duplicateRate,
    seed: wholeNumber(r.seed, "seed", 0, Number.MAX_SAFE_INTEGER),
  };
  return {
    port,
    host: options.host ?? "127.0.0.1",
    keys: normalizedKeys,
    qps,
    reports,
    clock,
    log: log === false ? null : log,
    failNumbers,
    maxHeaderSize,
  };
}

/**
 * Starts a sandbox and resolves once it listens.
 *
 * @param {import("./index.js").SandboxOptions} [options]
 * @returns {Promise<import("./index.js").Sandbox>}
 */
export async function startSandbox(options) {
  const server = new SandboxServer(normalizeOptions(options));
  await server.listen();
  return {
    url: server.url,
    port: server.port,
    endpoint: server.url.replace(/^http:\/\//, ""),
    close: () => server.close(),
    messages: () => server.messages(),
    conversions: () => server.conversions(),
    requests: () => server.requests(),
    reset: () => server.reset(),
    inject: (fault) => server.inject(fault),
    pendingFaults: () => server.pendingFaults(),
    clearFaults: () => server.clearFaults(),
    get reportUrl() {
      return server.reports.reportUrl;
    },
    setReportUrl: (url) => server.reports.setReportUrl(url),
    pushes: () => server.reports.pushes(),
    pendingReports: () => server.reports.pendingReports(),
    reportsSettled: (settledOptions) => server.reports.reportsSettled(settledOptions),
    injectPushFault: (fault) => server.reports.injectPushFault(fault),
    pendingPushFaults: () => server.reports.pendingPushFaults(),
  };
}
