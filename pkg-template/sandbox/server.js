// The HTTP side of the sandbox: routing, CORS, request decoding, the request pipeline
// (fault → authentication → flow control → operation → answer), the records (messages,
// conversions; reports live in reports.js), admin endpoints and logging.

import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { authenticate } from "./auth.js";
import { decodeForm } from "./encode.js";
import { gatewayError } from "./errors.js";
import { FaultQueue, normalizeFault } from "./faults.js";
import { NonceStore } from "./nonces.js";
import { ACCEPTED_DESCRIPTION, batchSendMessageToGlobe } from "./operation.js";
import { OK_DESCRIPTION, conversionData, queryMessage, sendAnswer, sendMessageToGlobe, smsConversion } from "./operations.js";
import { JSON_TYPE, renderGatewayError, renderHtmlError, renderRecord } from "./render.js";
import { ReportDesk, normalizePushFault } from "./reports.js";
import { segmentsOf } from "./text.js";
import { Throttle } from "./throttle.js";

/**
 * Largest request head accepted, in bytes. The official SDK puts a whole batch in the URL:
 * 62 KB for 1000 short messages (golden/batch-1000.json), several hundred KB for long or
 * non-Latin ones. Node's default of 16 KiB would answer 431.
 */
export const DEFAULT_MAX_HEADER_SIZE = 8 * 1024 * 1024;

/** Largest form body accepted, in bytes. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const ADMIN_PREFIX = "/__sandbox";

/** Admin paths, for CORS preflights. */
const ADMIN_PATHS = new Set(
  ["", "/messages", "/conversions", "/pushes", "/requests", "/faults", "/push-faults", "/report-url", "/reset"].map(
    (suffix) => `${ADMIN_PREFIX}${suffix}`,
  ),
);

/** Headers a browser page may send; the sandbox also echoes whatever a preflight asks for. */
const ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "x-acs-action",
  "x-acs-version",
  "x-acs-date",
  "x-acs-signature-nonce",
  "x-acs-content-sha256",
  "x-acs-credentials-provider",
  "x-acs-security-token",
  "x-acs-accesskey-id",
  "x-acs-retry-attempts",
  "x-acs-retry-delay",
].join(", ");

const REASONS = { 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out" };

/** Parameters as a prototype-free record; a later duplicate replaces an earlier one. */
function record(pairs) {
  const out = Object.create(null);
  for (const [name, value] of pairs) out[name] = value;
  return out;
}

function first(headers, name) {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Response format: the `Format` parameter when given (JSON or XML, any case); otherwise JSON
 * when the Accept header asks for it (ACS3 clients send `accept: application/json` and no
 * Format), else XML, the gateway's documented default.
 *
 * @returns {"JSON" | "XML" | null} null for an unknown Format value
 */
function responseFormat(params, headers) {
  const format = params.Format;
  if (format !== undefined && format !== "") {
    const upper = format.toUpperCase();
    return upper === "JSON" || upper === "XML" ? upper : null;
  }
  return /json/i.test(first(headers, "accept") ?? "") ? "JSON" : "XML";
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    // A client that left during a delay fault would otherwise leave this waiting forever.
    if (req.destroyed) {
      reject(new Error("client aborted"));
      return;
    }
    req.on("close", () => {
      if (!req.complete) reject(new Error("client aborted"));
    });
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new RangeError("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * One sandbox: an HTTP server plus its state (keys, nonces, rate windows, faults, records).
 * index.js wraps it in the public `Sandbox` object.
 */
export class SandboxServer {
  #options;
  #server;
  #keys;
  #failNumbers;
  #nonces = new NonceStore();
  /** @type {Map<string, Throttle>} one per operation, each counting per AccessKeyId */
  #throttles;
  #faults = new FaultQueue();
  #messages = [];
  #conversions = [];
  #reports;
  #requests = [];
  #requestCount = 0;
  #timers = new Set();
  #port = 0;

  /**
   * @param {{ port: number, host: string, keys: Array<{ accessKeyId: string, accessKeySecret: string,
   *   securityToken?: string }>, qps: Record<string, number>, clock: () => number,
   *   log: ((line: string) => void) | null, failNumbers: string[], maxHeaderSize: number,
   *   reports: ConstructorParameters<typeof ReportDesk>[0] }} options already checked by index.js;
   *   `qps` holds the limit of every operation
   */
  constructor(options) {
    this.#options = options;
    this.#keys = new Map(options.keys.map((key) => [key.accessKeyId, key]));
    this.#failNumbers = new Set(options.failNumbers);
    this.#throttles = new Map(Object.entries(options.qps).map(([action, qps]) => [action, new Throttle(qps)]));
    this.#reports = new ReportDesk(options.reports, { clock: options.clock, log: options.log });
    this.#server = createServer({ maxHeaderSize: options.maxHeaderSize }, (req, res) => {
      this.#route(req, res).catch((error) => this.#internalError(res, error));
    });
  }

  /** Starts listening; resolves once the port is known. */
  listen() {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off("error", reject);
        this.#port = this.#server.address().port;
        resolve();
      });
    });
  }

  get port() {
    return this.#port;
  }

  get url() {
    const host = this.#options.host.includes(":") ? `[${this.#options.host}]` : this.#options.host;
    return `http://${host}:${this.#port}`;
  }

  /** Stops listening and ends every open connection, including ones a fault left hanging. */
  close() {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#reports.close();
    return new Promise((resolve) => {
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  messages() {
    return this.#messages.map((message) => ({ ...message }));
  }

  conversions() {
    return this.#conversions.map((conversion) => ({ ...conversion }));
  }

  requests() {
    return this.#requests.map((entry) => ({ ...entry }));
  }

  get reports() {
    return this.#reports;
  }

  inject(fault) {
    return this.#faults.add(fault);
  }

  pendingFaults() {
    return this.#faults.pending();
  }

  /** Drops every waiting fault, push faults included. */
  clearFaults() {
    this.#faults.clear();
    this.#reports.clearPushFaults();
  }

  /**
   * Back to the state of a fresh sandbox: messages, conversions, reports, pushes, request log,
   * nonces, rate state, faults, IDs; the callback URL goes back to the `reportUrl` option.
   */
  reset() {
    this.#messages.length = 0;
    this.#conversions.length = 0;
    this.#reports.reset(this.#options.reports.reportUrl);
    this.#requests.length = 0;
    this.#nonces.clear();
    for (const throttle of this.#throttles.values()) throttle.clear();
    this.#faults.clear();
    this.#requestCount = 0;
  }

  // ------------------------------------------------------------------ routing

  async #route(req, res) {
    this.#cors(req, res);
    const url = req.url ?? "/";
    const cut = url.indexOf("?");
    const path = cut === -1 ? url : url.slice(0, cut);
    const rawQuery = cut === -1 ? "" : url.slice(cut + 1);
    if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) {
      await this.#admin(req, res, path);
      return;
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204, { "Content-Length": "0" }).end();
      return;
    }
    await this.#api(req, res, path, rawQuery);
  }

  #cors(req, res) {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    const asked = req.headers["access-control-request-headers"];
    // Echo what the preflight asks for when it is a plain list of header names.
    res.setHeader(
      "Access-Control-Allow-Headers",
      typeof asked === "string" && /^[A-Za-z0-9\-_, ]+$/.test(asked) ? asked : ALLOWED_HEADERS,
    );
    // Without this a page could not read the throttling advice or the request ID.
    res.setHeader("Access-Control-Expose-Headers", "x-acs-request-id, x-acs-retry-after");
    res.setHeader("Access-Control-Max-Age", "600");
    if (req.headers["access-control-request-private-network"] === "true") {
      res.setHeader("Access-Control-Allow-Private-Network", "true");
    }
  }

  // ------------------------------------------------------------------ the API

  async #api(req, res, path, rawQuery) {
    const started = performance.now();
    // The gateway's clock reads when a call arrives, not after the sandbox has parsed a 60 KB
    // query: parsing time (slower on a cold JIT) must not squeeze two calls into one second.
    let arrivedAt = this.#options.clock();
    const entry = {
      time: new Date(this.#options.clock()).toISOString(),
      method: req.method,
      action: null,
      scheme: null,
      accessKeyId: null,
      status: null,
      code: null,
      recipients: 0,
      requestId: null,
      fault: null,
    };
    const finish = () => {
      this.#requests.push(entry);
      this.#log(entry, performance.now() - started);
    };

    const query = record(decodeForm(rawQuery));
    // Faults aimed at one operation match on the Action known before the body is read.
    const fault = this.#faults.next(query.Action ?? first(req.headersDistinct, "x-acs-action") ?? null);
    entry.fault = fault?.kind ?? null;
    if (fault?.kind === "delay") {
      await this.#sleep(fault.ms);
      arrivedAt = this.#options.clock();
    }
    if (fault?.kind === "dropBeforeAccept") {
      entry.code = "(connection dropped)";
      req.socket.destroy();
      finish();
      return;
    }
    if (fault?.kind === "htmlError" && !fault.afterAccept) {
      this.#sendHtml(res, fault.status, entry);
      finish();
      return;
    }

    let body;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof RangeError) {
        entry.status = 413;
        entry.code = "(body too large)";
        if (!res.headersSent && !res.destroyed) res.writeHead(413, { Connection: "close" }).end();
      } else {
        // The client went away mid-body: there is no one to answer.
        entry.code = "(client aborted)";
      }
      finish();
      return;
    }
    const contentType = first(req.headersDistinct, "content-type") ?? "";
    const formBody = /^application\/x-www-form-urlencoded\b/i.test(contentType)
      ? decodeForm(body.toString("utf8"))
      : [];
    // Form-body parameters join the query ones, as the gateway takes either (docs/spec/DECISIONS.md §3).
    const params = record([...Object.entries(query), ...formBody]);
    entry.action = params.Action ?? first(req.headersDistinct, "x-acs-action") ?? null;

    const requestId = this.#nextRequestId();
    entry.requestId = requestId;
    const hostId = first(req.headersDistinct, "host") ?? `${this.#options.host}:${this.#port}`;
    const answer = (status, rendered, headers = {}) => {
      entry.status = status;
      this.#deliver(res, fault, { status, ...rendered, headers: { "x-acs-request-id": requestId, ...headers } }, entry);
      finish();
    };
    const refuse = (error, format, headers) => {
      entry.code = error.code;
      answer(error.status, renderGatewayError(format, { requestId, hostId, code: error.code, message: error.message }), headers);
    };

    const format = responseFormat(params, req.headersDistinct);
    if (format === null) {
      refuse(gatewayError("InvalidParameter.Format"), "JSON");
      return;
    }
    if (req.method !== "GET" && req.method !== "POST") {
      refuse(gatewayError("UnsupportedHTTPMethod"), format);
      return;
    }
    if (path !== "/") {
      refuse(gatewayError("InvalidApi.NotFound"), format);
      return;
    }

    const now = arrivedAt;
    const auth = authenticate(
      { method: req.method, path, query, params, headers: req.headersDistinct, body },
      { keys: this.#keys, now, skewMs: fault?.kind === "clockSkew" ? fault.ms : 0, nonces: this.#nonces },
    );
    if (!auth.ok) {
      refuse(auth.error, format);
      return;
    }
    entry.scheme = auth.scheme;
    entry.accessKeyId = auth.accessKeyId;

    const { action } = auth;
    const root = `${action}Response`;
    if (fault?.kind === "throttle") {
      refuse(gatewayError(fault.code, { status: fault.status }), format, {
        "x-acs-retry-after": String(fault.retryAfterMs),
      });
      return;
    }
    const slot = this.#throttles.get(action).take(auth.accessKeyId, now);
    if (!slot.allowed) {
      // x-acs-retry-after is in milliseconds: the official SDK sleeps that many ms before a retry.
      refuse(gatewayError("Throttling.User"), format, { "x-acs-retry-after": String(slot.retryAfterMs) });
      return;
    }
    if (fault?.kind === "responseCode") {
      entry.code = fault.code;
      answer(200, renderRecord(format, root, {
        RequestId: requestId,
        ResponseCode: fault.code,
        ResponseDescription: fault.description,
      }));
      return;
    }

    const result = this.#operate(action, params, { requestId, now, auth });
    if (result.error) {
      refuse(result.error, format);
      return;
    }
    entry.code = result.fields.ResponseCode;
    entry.recipients = result.recipients ?? 0;
    answer(200, renderRecord(format, root, result.fields));
  }

  /**
   * Runs an authenticated, admitted call and records what it accepted.
   *
   * @returns {{ error: import("./errors.js").GatewayError } |
   *   { fields: Record<string, string | Record<string, string>>, recipients?: number }}
   */
  #operate(action, params, { requestId, now, auth }) {
    const context = { requestId, failNumbers: this.#failNumbers };
    const refused = (business) => {
      const fields = { RequestId: requestId, ResponseCode: business.code, ResponseDescription: business.description };
      if (business.failedList) fields.FailedList = JSON.stringify(business.failedList);
      return { fields };
    };
    const base = { accessKeyId: auth.accessKeyId, scheme: auth.scheme, requestId, time: new Date(now).toISOString() };
    switch (action) {
      case "BatchSendMessageToGlobe": {
        const result = batchSendMessageToGlobe(params, context);
        if (!result.ok) return result.error ? { error: result.error } : refused(result.business);
        this.#record(
          result.accepted.map((item) => ({
            operation: action,
            to: item.to,
            message: item.message,
            from: result.from,
            type: result.type,
            taskId: result.taskId,
            validityPeriod: result.validityPeriod,
            channelId: result.channelId,
            segments: segmentsOf(item.message),
            messageId: item.messageId,
            ...base,
          })),
          now,
        );
        // Field order of the seed doc's sample. From is echoed only when one was given, as the
        // capture of the real SDK's exchange shows for a call without From (golden from-omitted).
        const fields = { ResponseCode: "OK", RequestId: requestId, FailedList: JSON.stringify(result.failed), ResponseDescription: ACCEPTED_DESCRIPTION };
        if (result.from !== null) fields.From = result.from;
        fields.MessageIdList = JSON.stringify(result.accepted.map((item) => item.messageId));
        fields.SuccessCount = String(result.accepted.length);
        return { fields, recipients: result.accepted.length + result.failed.length };
      }
      case "SendMessageToGlobe": {
        const result = sendMessageToGlobe(params, context);
        if (!result.ok) return result.error ? { error: result.error } : refused(result.business);
        this.#record(
          [{
            operation: action,
            to: result.to,
            message: result.message,
            from: result.from,
            type: result.type,
            taskId: result.taskId,
            validityPeriod: result.validityPeriod,
            channelId: result.channelId,
            segments: result.segments,
            messageId: result.messageId,
            ...base,
          }],
          now,
        );
        return { fields: sendAnswer(requestId, result), recipients: 1 };
      }
      case "QueryMessage": {
        const result = queryMessage(params, { lookup: (id) => this.#reports.query(id, now) });
        if (!result.ok) return result.error ? { error: result.error } : refused(result.business);
        return { fields: { RequestId: requestId, ResponseCode: "OK", ResponseDescription: OK_DESCRIPTION, ...result.fields } };
      }
      case "SmsConversion": {
        const result = smsConversion(params, { now, accepted: (id) => this.#reports.accepted(id) });
        if (!result.ok) return result.error ? { error: result.error } : refused(result.business);
        this.#conversions.push({
          operation: action,
          messageId: result.messageId,
          to: result.to,
          delivered: result.delivered,
          conversionTime: result.conversionTime,
          ...base,
        });
        return { fields: { RequestId: requestId, ResponseCode: "OK", ResponseDescription: OK_DESCRIPTION } };
      }
      case "ConversionData": {
        const result = conversionData(params, { now });
        if (!result.ok) return result.error ? { error: result.error } : refused(result.business);
        this.#conversions.push({
          operation: action,
          conversionRate: result.conversionRate,
          reportTime: result.reportTime,
          ...base,
        });
        return { fields: { RequestId: requestId, ResponseCode: "OK", ResponseDescription: OK_DESCRIPTION } };
      }
      default:
        // authenticate() admits only the actions above.
        throw new Error(`sandbox: no operation ${action}`);
    }
  }

  /** Records accepted messages and has their outcomes decided (reports.js). */
  #record(messages, acceptedAt) {
    const decided = this.#reports.accept(messages, acceptedAt);
    messages.forEach((message, index) => {
      const { outcome, dueAt, errorCode } = decided[index];
      const recorded = { ...message, outcome, errorCode, reportAt: new Date(dueAt).toISOString() };
      this.#messages.push(recorded);
    });
  }

  /** Writes the answer, or damages it as a delivery fault says. */
  #deliver(res, fault, { status, contentType, body, headers }, entry) {
    if (fault?.kind === "dropAfterAccept") {
      entry.status = null;
      entry.code = `${entry.code} (connection dropped)`;
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === "hangAfterAccept") {
      // Never answer: the client's own timeout ends the exchange; close() ends the socket.
      entry.status = null;
      entry.code = `${entry.code} (no answer)`;
      return;
    }
    if (fault?.kind === "htmlError" && fault.afterAccept) {
      entry.code = `${entry.code} (replaced by HTML ${fault.status})`;
      this.#sendHtml(res, fault.status, entry);
      return;
    }
    let bytes = Buffer.from(body, "utf8");
    if (fault?.kind === "truncatedJson") {
      // A correctly framed body that stops half-way (JSON, or XML if that was asked for):
      // the client gets a complete HTTP answer it cannot parse.
      bytes = bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)));
      entry.code = `${entry.code} (body truncated)`;
    }
    res.writeHead(status, { ...headers, "Content-Type": contentType, "Content-Length": String(bytes.length) });
    res.end(bytes);
  }

  #sendHtml(res, status, entry) {
    const html = Buffer.from(renderHtmlError(status, REASONS[status] ?? "Error"), "utf8");
    entry.status = status;
    if (!entry.code) entry.code = `(HTML ${status})`;
    res.writeHead(status, { "Content-Type": "text/html", "Content-Length": String(html.length) });
    res.end(html);
  }

  #internalError(res, error) {
    this.#options.log?.(`sandbox internal error: ${error?.message ?? error}`);
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({ Code: "InternalError", Message: gatewayError("InternalError").message });
    res.writeHead(500, { "Content-Type": JSON_TYPE, "Content-Length": String(Buffer.byteLength(body)) });
    res.end(body);
  }

  /** Deterministic RequestIds in the service's UUID shape, numbered from the last reset. */
  #nextRequestId() {
    this.#requestCount += 1;
    const hex = createHash("sha256").update(`aliyun-globe-sms-sandbox:${this.#requestCount}`).digest("hex").toUpperCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }

  #sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }

  /** One line per API request. It never holds a key, signature, token or query text. */
  #log(entry, ms) {
    if (!this.#options.log) return;
    // The action comes from the request: printable ASCII only, so it cannot forge log lines.
    const action = entry.action === null ? "-" : entry.action.replace(/[^\x21-\x7e]/g, "?").slice(0, 64);
    const parts = [
      entry.time,
      entry.method,
      action,
      entry.status ?? "-",
      entry.code ?? "-",
      `to=${entry.recipients}`,
      `${Math.round(ms)}ms`,
    ];
    if (entry.fault) parts.push(`fault=${entry.fault}`);
    this.#options.log(parts.join(" "));
  }

  // ------------------------------------------------------------------ admin endpoints

  async #admin(req, res, path) {
    const send = (status, value) => {
      if (value === undefined) {
        res.writeHead(status, { "Content-Length": "0" }).end();
        return;
      }
      const body = JSON.stringify(value);
      res.writeHead(status, { "Content-Type": JSON_TYPE, "Content-Length": String(Buffer.byteLength(body)) });
      res.end(body);
    };
    const bare = path.replace(/\/+$/, "");
    const route = `${req.method} ${bare}`;
    const readJson = async () => {
      try {
        return { value: JSON.parse((await readBody(req)).toString("utf8")) };
      } catch {
        return null;
      }
    };
    if (req.method === "OPTIONS" && ADMIN_PATHS.has(bare)) {
      send(204);
      return;
    }
    switch (route) {
      case "GET /__sandbox":
        send(200, {
          url: this.url,
          qps: Number.isFinite(this.#options.qps.BatchSendMessageToGlobe) ? this.#options.qps.BatchSendMessageToGlobe : null,
          operationQps: Object.fromEntries(
            Object.entries(this.#options.qps).map(([action, qps]) => [action, Number.isFinite(qps) ? qps : null]),
          ),
          accessKeyIds: [...this.#keys.keys()],
          messages: this.#messages.length,
          conversions: this.#conversions.length,
          reportUrl: this.#reports.reportUrl,
          pendingReports: this.#reports.pendingReports(),
          pendingFaults: this.#faults.pending(),
          pendingPushFaults: this.#reports.pendingPushFaults(),
        });
        return;
      case "GET /__sandbox/messages":
        send(200, this.messages());
        return;
      case "GET /__sandbox/conversions":
        send(200, this.conversions());
        return;
      case "GET /__sandbox/pushes":
        send(200, this.#reports.pushes());
        return;
      case "DELETE /__sandbox/messages":
      case "POST /__sandbox/reset":
        this.reset();
        send(204);
        return;
      case "GET /__sandbox/requests":
        send(200, this.requests());
        return;
      case "GET /__sandbox/report-url":
        send(200, { url: this.#reports.reportUrl });
        return;
      case "PUT /__sandbox/report-url": {
        const input = await readJson();
        if (!input || typeof input.value !== "object" || input.value === null || !("url" in input.value)) {
          send(400, { error: 'expected {"url": "http://…"} or {"url": null}' });
          return;
        }
        try {
          this.#reports.setReportUrl(input.value.url);
        } catch (error) {
          send(400, { error: error.message });
          return;
        }
        send(200, { url: this.#reports.reportUrl });
        return;
      }
      case "DELETE /__sandbox/report-url":
        this.#reports.setReportUrl(null);
        send(204);
        return;
      case "GET /__sandbox/faults":
        send(200, this.#faults.pending());
        return;
      case "DELETE /__sandbox/faults":
        this.clearFaults();
        send(204);
        return;
      case "POST /__sandbox/faults": {
        const input = await readJson();
        if (!input) {
          send(400, { error: "expected a JSON fault object or an array of them" });
          return;
        }
        const list = Array.isArray(input.value) ? input.value : [input.value];
        try {
          // Check them all before adding any, so a bad entry leaves the queue unchanged.
          list.forEach((fault) => normalizeFault(fault));
        } catch (error) {
          send(400, { error: error.message });
          return;
        }
        for (const fault of list) this.#faults.add(fault);
        send(201, this.#faults.pending());
        return;
      }
      case "GET /__sandbox/push-faults":
        send(200, this.#reports.pendingPushFaults());
        return;
      case "DELETE /__sandbox/push-faults":
        this.#reports.clearPushFaults();
        send(204);
        return;
      case "POST /__sandbox/push-faults": {
        const input = await readJson();
        if (!input) {
          send(400, { error: "expected a JSON push fault object or an array of them" });
          return;
        }
        const list = Array.isArray(input.value) ? input.value : [input.value];
        try {
          list.forEach((fault) => normalizePushFault(fault));
        } catch (error) {
          send(400, { error: error.message });
          return;
        }
        for (const fault of list) this.#reports.injectPushFault(fault);
        send(201, this.#reports.pendingPushFaults());
        return;
      }
      default:
        send(404, { error: `no admin endpoint ${route}` });
    }
  }
}
