// BatchSendMessageToGlobe itself: the checks the service makes on its own parameters and the
// decision of which recipients are accepted. Refusals are business ResponseCodes in an HTTP 200
// body (docs/spec/api-reference.md §4); a required parameter that is absent is refused by the gateway
// (Missing<Param>, 400) because the operation page marks it "Required".

import { createHash } from "node:crypto";
import { missingParameter } from "./errors.js";
import { NUMBER, failsSubmission } from "./numbers.js";

/** Most numbers one call may carry (seed doc; MOBILE_COUNT_OVER_LIMIT beyond). */
export const MAX_NUMBERS = 1000;

/** The description the service gives an accepted call (seed doc). */
export const ACCEPTED_DESCRIPTION = "The SMS Send Request was accepted";

export const TYPES = new Set(["NOTIFY", "MKT"]);

/**
 * A 19-digit MessageId derived from the RequestId and the recipient's position in `To`, so the
 * same sequence of calls to a fresh sandbox always yields the same IDs.
 *
 * @param {string} requestId
 * @param {number} index position in `To`
 * @returns {string}
 */
export function messageIdFor(requestId, index) {
  const digest = createHash("sha256").update(`${requestId}#${index}`).digest();
  const value = digest.readBigUInt64BE(0) % 9_000_000_000_000_000_000n;
  return (value + 1_000_000_000_000_000_000n).toString();
}

export function business(code, description, extra = {}) {
  return { ok: false, business: { code, description, ...extra } };
}

/** Parses a JSON array of strings; null when the text is empty, not JSON, or another shape. */
function stringArray(text) {
  if (text === "") return null;
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length === 0) return null;
  return value.every((entry) => typeof entry === "string") ? value : null;
}

/**
 * Runs the operation's checks and splits the recipients.
 *
 * @param {Record<string, string>} params decoded request parameters
 * @param {{ requestId: string, failNumbers: ReadonlySet<string> }} options
 * @returns {{ ok: false, error: import("./errors.js").GatewayError } |
 *   { ok: false, business: { code: string, description: string, failedList?: string[] } } |
 *   { ok: true, from: string | null, type: string, taskId: string | null,
 *     validityPeriod: number | null, channelId: string | null,
 *     accepted: Array<{ index: number, to: string, message: string, messageId: string }>,
 *     failed: string[] }}
 */
export function batchSendMessageToGlobe(params, { requestId, failNumbers }) {
  for (const name of ["To", "Message", "Type"]) {
    if (params[name] === undefined) return { ok: false, error: missingParameter(name) };
  }
  const to = stringArray(params.To);
  if (!to) return business("INVALID_JSON_PARAM", "To must be a non-empty JSON array of strings.");
  const messages = stringArray(params.Message);
  if (!messages) {
    return business("INVALID_JSON_PARAM", "Message must be a non-empty JSON array of strings.");
  }
  if (to.length > MAX_NUMBERS) {
    return business(
      "MOBILE_COUNT_OVER_LIMIT",
      `A request holds at most ${MAX_NUMBERS} numbers; this one has ${to.length}.`,
    );
  }
  if (to.length !== messages.length) {
    return business(
      "INVALID_PARAMETERS",
      `To has ${to.length} entries and Message ${messages.length}; they must match one to one.`,
    );
  }
  if (!TYPES.has(params.Type)) return business("INVALID_PARAMETERS", "Type must be NOTIFY or MKT.");

  const fields = optionalSendFields(params);
  if (!fields.ok) return fields;
  const empty = messages.findIndex((text) => text === "");
  if (empty !== -1) return business("INVALID_PARAMETERS", `Message #${empty} is empty.`);

  // A malformed number refuses the whole call: it is a mistake in the request, not a delivery
  // outcome, and refusing it keeps the client from believing the rest went out as asked.
  const illegal = to.filter((number) => !NUMBER.test(number));
  if (illegal.length > 0) {
    return business(
      "MOBILE_NUMBER_ILLEGAL",
      "Numbers must be the dialing code and national number, 7 to 15 digits, no '+' or '00'.",
      { failedList: illegal },
    );
  }

  const accepted = [];
  const failed = [];
  to.forEach((number, index) => {
    if (failsSubmission(number, failNumbers)) {
      failed.push(number);
    } else {
      accepted.push({ index, to: number, message: messages[index], messageId: messageIdFor(requestId, index) });
    }
  });
  const { from, taskId, validityPeriod, channelId } = fields;
  return { ok: true, from, type: params.Type, taskId, validityPeriod, channelId, accepted, failed };
}

/**
 * The optional parameters both send operations share: `From` (an empty one means none: the SDK
 * sends `From=` for an empty string, docs/spec/wire-format.md §3), `TaskId`, `ValidityPeriod` and
 * `ChannelId` (docs/spec/operations.md §2; the batch takes the last two too).
 *
 * @param {Record<string, string>} params
 * @returns {{ ok: false, business: { code: string, description: string } } |
 *   { ok: true, from: string | null, taskId: string | null, validityPeriod: number | null,
 *     channelId: string | null }}
 */
export function optionalSendFields(params) {
  const from = params.From === undefined || params.From === "" ? null : params.From;
  if (from !== null && !validSenderId(from)) {
    return business(
      "INVALID_SENDERID",
      "From must hold only letters and digits: at most 11 characters with a letter, 15 digits without.",
    );
  }
  const taskId = params.TaskId === undefined ? null : params.TaskId;
  if (taskId !== null && (taskId.length < 1 || taskId.length > 255)) {
    return business("INVALID_PARAMETERS", "TaskId must be 1 to 255 characters long.");
  }
  let validityPeriod = null;
  if (params.ValidityPeriod !== undefined) {
    if (!/^[0-9]{1,10}$/.test(params.ValidityPeriod)) {
      return business("INVALID_PARAMETERS", "ValidityPeriod must be a whole number of seconds.");
    }
    validityPeriod = Number(params.ValidityPeriod);
  }
  // No rule for ChannelId is established (docs/spec/operations.md §2): any text is taken, empty means none.
  const channelId = params.ChannelId === undefined || params.ChannelId === "" ? null : params.ChannelId;
  return { ok: true, from, taskId, validityPeriod, channelId };
}

/** Sender ID rule of the seed doc: letters and digits; ≤ 11 with a letter, ≤ 15 digits only. */
function validSenderId(from) {
  if (!/^[A-Za-z0-9]+$/.test(from)) return false;
  return /[A-Za-z]/.test(from) ? from.length <= 11 : from.length <= 15;
}
