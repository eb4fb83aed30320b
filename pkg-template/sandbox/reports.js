// Delivery reports: the outcome decided for every accepted message, when it becomes known
// (QueryMessage answers it after `reportDelayMs`), and the HTTP push to a callback URL the way
// docs/spec/operations.md §3 describes Alibaba's: JSON arrays of international reports, batched, pushed
// again until the receiver answers HTTP 200 with {"code":0}, sometimes twice on purpose, and
// out of order. Push faults (drop, fail, slow) are injectable.
//
// Two clocks on purpose: whether a report is due is judged by the sandbox clock (so a test with a
// manual clock decides exactly when QueryMessage stops answering DATA_NOT_EXIST); the push
// machinery (retry waits, timeouts) runs on real timers, because it talks to a real server.

import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { numberDetail, outcomeFor } from "./numbers.js";
import { rfc2822 } from "./text.js";

/** Report `Status` of the international push body per outcome (docs/spec/operations.md §3). */
const REPORT_STATUS = { delivered: "1", undelivered: "2", expired: "6" };

/** QueryMessage `Status`: 1 delivered, 2 failed, 3 being sent (docs/spec/operations.md §2); expiry is a failure there. */
const QUERY_STATUS = { delivered: "1", undelivered: "2", expired: "2", pending: "3" };

/**
 * ErrorCode / ErrorDescription per outcome. `DELIVERED` is the spec's QueryMessage example and
 * `success` its report example (docs/spec/operations.md §2, §3); `UNDELIV` and `EXPIRED` are SMPP delivery
 * states, the sandbox's choice: the real report codes are not established (docs/spec/operations.md §5).
 */
const ERRORS = {
  delivered: ["DELIVERED", "success"],
  undelivered: ["UNDELIV", "The carrier could not deliver the message."],
  expired: ["EXPIRED", "The message expired before it could be delivered."],
};

/** Push fault kinds: `drop` never reaches the receiver, `fail` reaches it and is treated as failed, `slow` waits first. */
export const PUSH_FAULT_KINDS = Object.freeze(["drop", "fail", "slow"]);

const MAX_COUNT = 1_000_000;
const MAX_DELAY_MS = 10 * 60 * 1000;
/** Most answer text kept in a push record. */
const ANSWER_CHARS = 512;
/** Most answer bytes read from a receiver. */
const ANSWER_BYTES = 64 * 1024;

/**
 * Checks a push fault and fills in its defaults.
 *
 * @param {unknown} input
 * @returns {{ kind: "drop" | "fail" | "slow", count: number, ms?: number }}
 * @throws {TypeError} naming the field that is wrong
 */
export function normalizePushFault(input) {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new TypeError("sandbox push fault: expected an object with a 'kind'");
  }
  if (!PUSH_FAULT_KINDS.includes(input.kind)) {
    throw new TypeError(`sandbox push fault: unknown kind; expected one of ${PUSH_FAULT_KINDS.join(", ")}`);
  }
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new TypeError(`sandbox push fault: count must be an integer from 1 to ${MAX_COUNT}`);
  }
  const fault = { kind: input.kind, count };
  if (input.kind === "slow") {
    if (!Number.isInteger(input.ms) || input.ms < 0 || input.ms > MAX_DELAY_MS) {
      throw new TypeError(`sandbox push fault: slow needs ms, an integer from 0 to ${MAX_DELAY_MS}`);
    }
    fault.ms = input.ms;
  }
  return fault;
}

/** A pushed report's number: the last four digits as `*` (docs/spec/operations.md §3). */
export function maskNumber(number) {
  return number.length > 4 ? `${number.slice(0, -4)}****` : "*".repeat(number.length);
}

/**
 * A number in [0, 1) from the seed and a text: the same inputs always give the same number, so
 * which reports are duplicated and how a batch is shuffled do not depend on timing.
 */
function unit(seed, text) {
  return createHash("sha256").update(`${seed}:${text}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Checks a callback URL: http only (the sandbox is a local test server).
 *
 * @param {unknown} url
 * @returns {string | null}
 */
export function checkReportUrl(url) {
  if (url === null || url === undefined) return null;
  const text = url instanceof URL ? url.href : url;
  let parsed = null;
  try {
    if (typeof text === "string") parsed = new URL(text);
  } catch {
    parsed = null;
  }
  if (parsed === null || parsed.protocol !== "http:") {
    throw new TypeError("sandbox: reportUrl must be an absolute http:// URL or null");
  }
  return text;
}

/**
 * Every report of a sandbox, from acceptance to acknowledgement.
 */
export class ReportDesk {
  #options;
  #clock;
  #log;
  #url;
  /** @type {Map<string, object>} MessageId -> report */
  #reports = new Map();
  /** Final reports not yet due, by dueAt (sandbox clock); `#head` skips those already taken. */
  #waiting = [];
  #head = 0;
  /** Push items waiting for a push: { report, duplicate, notBefore (real ms) }. */
  #queue = [];
  /** In-flight pushes: { items, request, wake }; `wake` ends a slow fault's wait early. */
  #inflight = new Set();
  #pushes = [];
  #attempts = 0;
  /** @type {Array<{ kind: string, count: number, ms?: number }>} */
  #faults = [];
  #timer = null;
  #timerAt = Infinity;
  /** Bumped by reset and close: answers of pushes started before are ignored. */
  #generation = 0;
  #closed = false;
  /** @type {Array<{ resolve: () => void, reject: (error: Error) => void, timer: NodeJS.Timeout | null }>} */
  #settledWaiters = [];

  /**
   * @param {{ reportDelayMs: number, reportUrl: string | null, pushBatchSize: number,
   *   pushRetryMs: number, pushTimeoutMs: number, pushConcurrency: number, duplicateRate: number,
   *   seed: number }} options already checked by index.js
   * @param {{ clock: () => number, log: ((line: string) => void) | null }} context
   */
  constructor(options, { clock, log }) {
    this.#options = options;
    this.#clock = clock;
    this.#log = log;
    this.#url = options.reportUrl;
  }

  get reportUrl() {
    return this.#url;
  }

  /**
   * Sets (or with null clears) the callback URL. Reports that become due from now on are pushed
   * there, and so are those still waiting to be pushed again; clearing it drops those.
   */
  setReportUrl(url) {
    this.#url = checkReportUrl(url);
    if (this.#url === null) this.#queue.length = 0;
    this.#pump();
  }

  /**
   * Decides the outcome of accepted messages and schedules their reports.
   *
   * @param {Array<{ messageId: string, to: string, message: string, taskId: string | null,
   *   segments: number }>} messages
   * @param {number} acceptedAt sandbox clock
   * @returns {Array<{ outcome: string, dueAt: number, errorCode: string | null }>} per message, in order
   */
  accept(messages, acceptedAt) {
    const dueAt = acceptedAt + this.#options.reportDelayMs;
    const decided = messages.map((message) => {
      const outcome = outcomeFor(message.to);
      const [errorCode, errorDescription] = ERRORS[outcome] ?? [null, null];
      const report = {
        messageId: message.messageId,
        to: message.to,
        message: message.message,
        taskId: message.taskId,
        segments: message.segments,
        outcome,
        acceptedAt,
        dueAt,
        errorCode,
        errorDescription,
      };
      this.#reports.set(message.messageId, report);
      if (outcome !== "pending") this.#enqueueWaiting(report);
      return { outcome, dueAt, errorCode };
    });
    this.#pump();
    return decided;
  }

  /**
   * What QueryMessage answers for a MessageId at `now`: null until the report is due (the
   * service's DATA_NOT_EXIST), then the record's fields in the order of docs/spec/operations.md §2.
   *
   * @param {string} messageId
   * @param {number} now sandbox clock
   * @returns {Record<string, string | Record<string, string>> | null}
   */
  query(messageId, now) {
    const report = this.#reports.get(messageId);
    if (!report || now < report.dueAt) return null;
    const fields = {
      MessageId: report.messageId,
      To: report.to,
      Message: report.message,
      Status: QUERY_STATUS[report.outcome],
    };
    // A message still being sent has no final code and no receipt yet: those fields are left out.
    if (report.errorCode !== null) {
      fields.ErrorCode = report.errorCode;
      fields.ErrorDescription = report.errorDescription;
    }
    fields.SendDate = rfc2822(report.acceptedAt);
    if (report.outcome !== "pending") fields.ReceiveDate = rfc2822(report.dueAt);
    fields.NumberDetail = numberDetail(report.to);
    return fields;
  }

  /** Whether a MessageId was accepted, whatever its report's state; with its acceptance time. */
  accepted(messageId) {
    const report = this.#reports.get(messageId);
    return report ? { to: report.to, acceptedAt: report.acceptedAt } : null;
  }

  /** Every push attempt so far, oldest first (copies). */
  pushes() {
    return this.#pushes.map((push) => ({
      ...push,
      reports: push.reports.map((report) => ({ ...report })),
      messageIds: [...push.messageIds],
      duplicates: [...push.duplicates],
    }));
  }

  /**
   * Reports not settled yet: final reports not due, and due ones waiting for (or in) a push,
   * planned duplicates included. Never-final (`pending`) messages do not count.
   */
  pendingReports() {
    this.#pump();
    return this.#pendingCount();
  }

  /**
   * Resolves once {@link pendingReports} is 0; rejects after `timeoutMs` when given, or when the
   * sandbox closes first.
   *
   * @param {{ timeoutMs?: number }} [options]
   * @returns {Promise<void>}
   */
  reportsSettled({ timeoutMs } = {}) {
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs >= 0)) {
      return Promise.reject(new TypeError("sandbox: reportsSettled timeoutMs must be a whole number of ms"));
    }
    if (this.#closed) return Promise.reject(new Error("sandbox: closed"));
    this.#pump();
    if (this.#pendingCount() === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, timer: null };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          this.#settledWaiters = this.#settledWaiters.filter((w) => w !== waiter);
          reject(new Error(`sandbox: ${this.#pendingCount()} report(s) still pending after ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.#settledWaiters.push(waiter);
    });
  }

  injectPushFault(input) {
    const fault = normalizePushFault(input);
    this.#faults.push(fault);
    return { ...fault };
  }

  pendingPushFaults() {
    return this.#faults.map((fault) => ({ ...fault }));
  }

  clearPushFaults() {
    this.#faults.length = 0;
  }

  /** Forgets every report, push and push fault; the callback URL goes back to `url`. */
  reset(url) {
    this.#generation += 1;
    this.#abortFlights();
    this.#reports.clear();
    this.#waiting = [];
    this.#head = 0;
    this.#queue = [];
    this.#pushes = [];
    this.#attempts = 0;
    this.#faults.length = 0;
    this.#url = url;
    this.#clearTimer();
    this.#checkSettled();
  }

  /** Stops every timer and push; waiters of reportsSettled are rejected. */
  close() {
    this.#closed = true;
    this.#generation += 1;
    this.#clearTimer();
    this.#abortFlights();
    for (const waiter of this.#settledWaiters) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(new Error("sandbox: closed before the reports settled"));
    }
    this.#settledWaiters = [];
  }

  // ---------------------------------------------------------------- internals

  #abortFlights() {
    for (const flight of this.#inflight) {
      flight.request?.destroy();
      flight.wake?.();
    }
    this.#inflight.clear();
  }

  #pendingCount() {
    let inflight = 0;
    for (const flight of this.#inflight) inflight += flight.items.length;
    return this.#waiting.length - this.#head + this.#queue.length + inflight;
  }

  /** Keeps #waiting sorted by dueAt; calls arrive in clock order, so this is nearly always a push. */
  #enqueueWaiting(report) {
    const list = this.#waiting;
    let at = list.length;
    while (at > this.#head && list[at - 1].dueAt > report.dueAt) at -= 1;
    if (at === list.length) list.push(report);
    else list.splice(at, 0, report);
  }

  /** Moves due reports on, starts pushes, and plans the next wake-up. */
  #pump() {
    if (this.#closed) return;
    const now = this.#clock();
    const list = this.#waiting;
    while (this.#head < list.length && list[this.#head].dueAt <= now) {
      const report = list[this.#head];
      list[this.#head] = undefined;
      this.#head += 1;
      // Due while no URL is set: QueryMessage answers it, nobody pushes it.
      if (this.#url !== null) this.#queue.push({ report, duplicate: false, notBefore: 0 });
    }
    if (this.#head > 1024 && this.#head * 2 > list.length) {
      this.#waiting = list.slice(this.#head);
      this.#head = 0;
    }
    this.#dispatch();
    this.#schedule();
    this.#checkSettled();
  }

  #dispatch() {
    const real = Date.now();
    while (this.#url !== null && this.#inflight.size < this.#options.pushConcurrency) {
      const items = [];
      const rest = [];
      for (const item of this.#queue) {
        if (items.length < this.#options.pushBatchSize && item.notBefore <= real) items.push(item);
        else rest.push(item);
      }
      if (items.length === 0) return;
      this.#queue = rest;
      void this.#push(items);
    }
  }

  #schedule() {
    let wake = Infinity;
    if (this.#head < this.#waiting.length) {
      // The sandbox clock may be a test's manual one: look again after the remaining time as
      // measured on it, which is exact for the real clock and a bounded poll for a manual one.
      wake = Date.now() + Math.max(1, this.#waiting[this.#head].dueAt - this.#clock());
    }
    if (this.#url !== null && this.#inflight.size < this.#options.pushConcurrency) {
      for (const item of this.#queue) wake = Math.min(wake, Math.max(item.notBefore, Date.now() + 1));
    }
    if (wake === Infinity) {
      this.#clearTimer();
      return;
    }
    if (this.#timer && this.#timerAt <= wake) return;
    this.#clearTimer();
    this.#timerAt = wake;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerAt = Infinity;
      this.#pump();
    }, Math.min(2 ** 31 - 1, Math.max(1, wake - Date.now())));
  }

  #clearTimer() {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Infinity;
  }

  #checkSettled() {
    if (this.#settledWaiters.length === 0 || this.#pendingCount() !== 0) return;
    const waiters = this.#settledWaiters;
    this.#settledWaiters = [];
    for (const waiter of waiters) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  /**
   * The international report body of docs/spec/operations.md §3, every value a string. `To` is
   * masked as Alibaba masks it there (`8521234****`: the last four digits hidden).
   */
  #body(report) {
    const body = { To: maskNumber(report.to), Status: REPORT_STATUS[report.outcome], MessageId: report.messageId };
    if (report.taskId !== null) body.TaskId = report.taskId;
    body.SmsSize = String(report.segments);
    body.SendDate = rfc2822(report.acceptedAt);
    body.ReceiveDate = rfc2822(report.dueAt);
    body.ErrorCode = report.errorCode;
    body.ErrorDescription = report.errorDescription;
    return body;
  }

  async #push(items) {
    const generation = this.#generation;
    const flight = { items, request: null, wake: null };
    this.#inflight.add(flight);
    this.#attempts += 1;
    const { seed } = this.#options;
    // Out of order on purpose: a batch is shuffled by a seeded hash of each entry.
    const order = items
      .map((item) => [unit(seed, `order:${item.report.messageId}:${item.duplicate}:${this.#attempts}`), item])
      .sort((a, b) => a[0] - b[0])
      .map(([, item]) => item);
    flight.items = order;
    const reports = order.map((item) => this.#body(item.report));
    const record = {
      attempt: this.#attempts,
      time: new Date(this.#clock()).toISOString(),
      url: this.#url,
      reports,
      messageIds: order.map((item) => item.report.messageId),
      duplicates: order.filter((item) => item.duplicate).map((item) => item.report.messageId),
      fault: null,
      status: null,
      answer: null,
      result: "error",
      error: null,
    };
    const fault = this.#nextFault();
    record.fault = fault?.kind ?? null;
    const text = JSON.stringify(reports);

    if (fault?.kind === "slow") {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, fault.ms);
        flight.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    let acknowledged = false;
    if (generation !== this.#generation) return;
    if (fault?.kind === "drop") {
      record.result = "dropped";
    } else {
      const answer = await this.#send(record.url, text, flight);
      if (generation !== this.#generation) return;
      if (answer.error) {
        record.error = answer.error;
      } else {
        record.status = answer.status;
        record.answer = answer.text.slice(0, ANSWER_CHARS);
        if (fault?.kind === "fail") {
          record.result = "failed";
        } else if (answer.status === 200 && acknowledges(answer.text)) {
          record.result = "acknowledged";
          acknowledged = true;
        } else {
          record.result = "refused";
        }
      }
    }
    this.#pushes.push(record);
    this.#inflight.delete(flight);
    this.#log?.(
      `${record.time} PUSH ${reports.length} report(s) attempt=${record.attempt} ${record.result}` +
        `${record.status === null ? "" : ` ${record.status}`}${record.fault ? ` fault=${record.fault}` : ""}`,
    );
    if (acknowledged) {
      for (const item of order) {
        // A deliberate duplicate, as Alibaba warns reports can arrive twice (docs/spec/operations.md §3):
        // pushed once more, later, in another batch.
        if (!item.duplicate && unit(seed, `duplicate:${item.report.messageId}`) < this.#options.duplicateRate) {
          this.#queue.push({ report: item.report, duplicate: true, notBefore: Date.now() + this.#options.pushRetryMs });
        }
      }
    } else if (this.#url !== null) {
      const notBefore = Date.now() + this.#options.pushRetryMs;
      for (const item of order) this.#queue.push({ ...item, notBefore });
    }
    this.#pump();
  }

  #nextFault() {
    const head = this.#faults[0];
    if (!head) return null;
    head.count -= 1;
    if (head.count === 0) this.#faults.shift();
    return { kind: head.kind, ms: head.ms };
  }

  /** One POST of a JSON array; resolves with the answer or an error text, never rejects. */
  #send(url, text, flight) {
    return new Promise((resolve) => {
      const target = new URL(url);
      const body = Buffer.from(text, "utf8");
      const request = httpRequest(
        {
          hostname: target.hostname.replace(/^\[(.*)\]$/, "$1"),
          port: target.port || 80,
          path: `${target.pathname}${target.search}`,
          method: "POST",
          agent: false,
          headers: { "Content-Type": "application/json;charset=utf-8", "Content-Length": String(body.length) },
        },
        (res) => {
          const chunks = [];
          let size = 0;
          res.on("data", (chunk) => {
            size += chunk.length;
            if (size <= ANSWER_BYTES) chunks.push(chunk);
          });
          res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", (error) => resolve({ error: error.message }));
        },
      );
      flight.request = request;
      request.setTimeout(this.#options.pushTimeoutMs, () => {
        request.destroy(new Error(`no answer within ${this.#options.pushTimeoutMs} ms`));
      });
      request.on("error", (error) => resolve({ error: error.message }));
      request.end(body);
    });
  }
}

/** Whether a receiver's answer body is the acknowledgement Alibaba expects: JSON with `code` 0. */
function acknowledges(text) {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && value.code === 0;
  } catch {
    return false;
  }
}
