// Injected faults: the failures a client must survive, on demand. A fault applies to the next
// `count` API requests (default 1) in the order faults were injected, one fault per request,
// and is consumed as it applies; with `action` it waits for a request of that operation. Admin requests and CORS preflights never consume a fault.

import { ACTIONS } from "./auth.js";
import { isGatewayCode } from "./errors.js";

/**
 * Every fault kind and the moment it acts:
 * - `arrival`: before the request is read or checked; nothing is recorded.
 * - `gateway`: after authentication succeeded, instead of the operation; nothing is recorded.
 * - `delivery`: the request is processed normally (messages recorded when valid), then the
 *   answer is damaged. These are the "was it sent?" cases a client must report as unknown.
 * - `clock`: changes the sandbox's time for the timestamp check of that request.
 */
export const FAULT_KINDS = {
  delay: "arrival",
  dropBeforeAccept: "arrival",
  htmlError: "arrival", // "delivery" when afterAccept is true
  throttle: "gateway",
  responseCode: "gateway",
  dropAfterAccept: "delivery",
  hangAfterAccept: "delivery",
  truncatedJson: "delivery",
  clockSkew: "clock",
};

const HTML_STATUSES = new Set([500, 502, 503, 504]);
const MAX_COUNT = 1_000_000;
const MAX_DELAY_MS = 10 * 60 * 1000;

function isWhole(value, min, max) {
  return Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Checks a fault description and fills in its defaults.
 *
 * @param {unknown} input
 * @returns {object} the normalised fault, with `kind`, `count`, `stage` and its own fields
 * @throws {TypeError} naming the field that is wrong
 */
export function normalizeFault(input) {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new TypeError("sandbox fault: expected an object with a 'kind'");
  }
  const { kind } = input;
  if (typeof kind !== "string" || !Object.hasOwn(FAULT_KINDS, kind)) {
    throw new TypeError(`sandbox fault: unknown kind; expected one of ${Object.keys(FAULT_KINDS).join(", ")}`);
  }
  const count = input.count ?? 1;
  if (!isWhole(count, 1, MAX_COUNT)) {
    throw new TypeError(`sandbox fault: count must be an integer from 1 to ${MAX_COUNT}`);
  }
  const fault = { kind, count, stage: FAULT_KINDS[kind] };
  if (input.action !== undefined && input.action !== null) {
    if (!ACTIONS.includes(input.action)) {
      throw new TypeError(`sandbox fault: action must be one of ${ACTIONS.join(", ")}`);
    }
    fault.action = input.action;
  }
  switch (kind) {
    case "delay":
      if (!isWhole(input.ms, 0, MAX_DELAY_MS)) {
        throw new TypeError(`sandbox fault: delay needs ms, an integer from 0 to ${MAX_DELAY_MS}`);
      }
      fault.ms = input.ms;
      break;
    case "clockSkew":
      if (!Number.isInteger(input.ms)) throw new TypeError("sandbox fault: clockSkew needs ms, an integer");
      fault.ms = input.ms;
      break;
    case "htmlError":
      fault.status = input.status ?? 503;
      if (!HTML_STATUSES.has(fault.status)) {
        throw new TypeError("sandbox fault: htmlError status must be 500, 502, 503 or 504");
      }
      fault.afterAccept = input.afterAccept === true;
      if (fault.afterAccept) fault.stage = "delivery";
      break;
    case "throttle":
      fault.code = input.code ?? "Throttling.User";
      if (!String(fault.code).startsWith("Throttling") || !isGatewayCode(fault.code)) {
        throw new TypeError("sandbox fault: throttle code must be Throttling.User, Throttling.Api or Throttling");
      }
      fault.status = input.status ?? 400;
      if (!isWhole(fault.status, 400, 599)) throw new TypeError("sandbox fault: throttle status must be 400-599");
      fault.retryAfterMs = input.retryAfterMs ?? 1000;
      if (!isWhole(fault.retryAfterMs, 0, MAX_DELAY_MS)) {
        throw new TypeError("sandbox fault: retryAfterMs must be a whole number of milliseconds");
      }
      break;
    case "responseCode":
      if (typeof input.code !== "string" || !/^[A-Z][A-Z0-9_.]*$/.test(input.code) || input.code === "OK") {
        throw new TypeError("sandbox fault: responseCode needs code, an upper-case ResponseCode other than OK");
      }
      fault.code = input.code;
      fault.description = typeof input.description === "string" ? input.description : `Injected ${input.code}.`;
      break;
    default:
      break;
  }
  return fault;
}

export class FaultQueue {
  /** @type {object[]} */
  #queue = [];

  /**
   * Adds a fault after those already waiting.
   *
   * @param {unknown} input
   * @returns {object} the normalised fault
   */
  add(input) {
    const fault = normalizeFault(input);
    this.#queue.push(fault);
    return { ...fault };
  }

  /**
   * Takes one use of the first waiting fault that applies to a request for `action`: one with no
   * `action`, or the same one. The action is known at arrival only from the query's `Action` or
   * the `x-acs-action` header; a request whose Action travels in the body matches only faults
   * without one.
   *
   * @param {string | null} action
   * @returns {object | null} a copy of the fault that applies to this request
   */
  next(action) {
    const index = this.#queue.findIndex((fault) => fault.action === undefined || fault.action === action);
    if (index === -1) return null;
    const head = this.#queue[index];
    head.count -= 1;
    if (head.count === 0) this.#queue.splice(index, 1);
    const { count: _remaining, ...fault } = head;
    return fault;
  }

  /** Faults still waiting, with their remaining counts. */
  pending() {
    return this.#queue.map((fault) => ({ ...fault }));
  }

  /** Drops every waiting fault. */
  clear() {
    this.#queue.length = 0;
  }
}
