// SendMessageToGlobe, QueryMessage, SmsConversion and ConversionData: each operation's own checks
// and decision, as pure functions (the server records and answers). Parameters and answers are
// those of docs/spec/operations.md §2; refusals are business ResponseCodes in an HTTP 200 (§4), and a
// required parameter that is absent is the gateway's Missing<Param>, 400, as for the batch.

import { TIMESTAMP_TOLERANCE_MS } from "./auth.js";
import { missingParameter } from "./errors.js";
import { NUMBER, failsSubmission, isMainland, numberDetail } from "./numbers.js";
import { ACCEPTED_DESCRIPTION, TYPES, business, messageIdFor, optionalSendFields } from "./operation.js";
import { segmentsOf } from "./text.js";

/** The description of an accepted query or conversion call; the service's own is not established. */
export const OK_DESCRIPTION = "OK";

/** A required parameter: absent, or sent empty (the SDK writes `Name=` for an empty string). */
function missing(params, names) {
  const name = names.find((n) => params[n] === undefined || params[n] === "");
  return name === undefined ? null : { ok: false, error: missingParameter(name) };
}

/** Milliseconds since the epoch as plain digits (how the SDK writes numbers, docs/spec/operations.md §6). */
function millis(text) {
  return /^[0-9]{1,16}$/.test(text) ? Number(text) : null;
}

/**
 * SendMessageToGlobe: one number, free text (docs/spec/operations.md §2). The number is refused with a
 * business code where the batch would list it in FailedList: `NOT_SUPPORTED_COUNTRY` for the
 * Chinese mainland, `SMS_SECURITY_INTERCEPTED` for the `0000` rule and `failNumbers`.
 *
 * @param {Record<string, string>} params
 * @param {{ requestId: string, failNumbers: ReadonlySet<string> }} context
 */
export function sendMessageToGlobe(params, { requestId, failNumbers }) {
  for (const name of ["To", "Message"]) {
    if (params[name] === undefined) return { ok: false, error: missingParameter(name) };
  }
  // `Type` is in the SDK's model, not in the docs' table (docs/spec/operations.md §6): checked when sent.
  const type = params.Type === undefined ? null : params.Type;
  if (type !== null && !TYPES.has(type)) return business("INVALID_PARAMETERS", "Type must be NOTIFY or MKT.");
  const fields = optionalSendFields(params);
  if (!fields.ok) return fields;
  if (params.Message === "") return business("INVALID_PARAMETERS", "Message is empty.");
  const to = params.To;
  if (!NUMBER.test(to)) {
    return business(
      "MOBILE_NUMBER_ILLEGAL",
      "To must be the dialing code and national number, 7 to 15 digits, no '+' or '00'.",
    );
  }
  if (isMainland(to)) {
    return business("NOT_SUPPORTED_COUNTRY", "This API cannot send to the Chinese mainland.");
  }
  if (failsSubmission(to, failNumbers)) {
    return business("SMS_SECURITY_INTERCEPTED", "The message was refused by risk control.");
  }
  return {
    ok: true,
    to,
    message: params.Message,
    type,
    ...fields,
    messageId: messageIdFor(requestId, 0),
    segments: segmentsOf(params.Message),
    numberDetail: numberDetail(to),
  };
}

/**
 * The answer fields of an accepted SendMessageToGlobe. Field order is the sandbox's (the real
 * order is not established); From is echoed only when given, as for the batch.
 */
export function sendAnswer(requestId, sent) {
  const fields = {
    RequestId: requestId,
    ResponseCode: "OK",
    ResponseDescription: ACCEPTED_DESCRIPTION,
    MessageId: sent.messageId,
  };
  if (sent.from !== null) fields.From = sent.from;
  fields.To = sent.to;
  fields.Segments = String(sent.segments);
  fields.NumberDetail = sent.numberDetail;
  return fields;
}

/**
 * QueryMessage: the report of one message once it is due; `DATA_NOT_EXIST` before, and for a
 * MessageId the sandbox never issued (the service cannot tell those apart either).
 *
 * @param {Record<string, string>} params
 * @param {{ lookup: (messageId: string) => Record<string, unknown> | null }} context
 */
export function queryMessage(params, { lookup }) {
  const absent = missing(params, ["MessageId"]);
  if (absent) return absent;
  const found = lookup(params.MessageId);
  if (!found) return business("DATA_NOT_EXIST", "No record for this MessageId yet; retry later.");
  return { ok: true, fields: found };
}

/**
 * SmsConversion: feedback that an OTP message was used (docs/spec/operations.md §2). `Delivered` is
 * `true`/`false` in any case (Node sends `true`, Python `True`: §6). `ConversionTime` must lie
 * between the send and now, give or take the clock skew the gateway tolerates. The SDK's model
 * also carries `To`: when sent it must be the message's number.
 *
 * @param {Record<string, string>} params
 * @param {{ now: number, accepted: (messageId: string) => { to: string, acceptedAt: number } | null }} context
 */
export function smsConversion(params, { now, accepted }) {
  const absent = missing(params, ["MessageId", "Delivered"]);
  if (absent) return absent;
  if (!/^(true|false)$/i.test(params.Delivered)) {
    return business("INVALID_PARAMETERS", "Delivered must be true or false.");
  }
  const delivered = params.Delivered.toLowerCase() === "true";
  let conversionTime = null;
  if (params.ConversionTime !== undefined) {
    conversionTime = millis(params.ConversionTime);
    if (conversionTime === null) {
      return business("INVALID_PARAMETERS", "ConversionTime must be milliseconds since the epoch.");
    }
  }
  const message = accepted(params.MessageId);
  if (!message) return business("INVALID_PARAMETERS", "MessageId names no message this service accepted.");
  if (params.To !== undefined && params.To !== message.to) {
    return business("INVALID_PARAMETERS", "To is not the number this message was sent to.");
  }
  if (
    conversionTime !== null &&
    (conversionTime < message.acceptedAt - TIMESTAMP_TOLERANCE_MS || conversionTime > now + TIMESTAMP_TOLERANCE_MS)
  ) {
    return business("INVALID_PARAMETERS", "ConversionTime must be after the send and not in the future.");
  }
  return { ok: true, messageId: params.MessageId, to: message.to, delivered, conversionTime };
}

/**
 * ConversionData: an aggregate OTP conversion rate, a decimal in [0, 1] written as text, and an
 * optional `ReportTime` in ms not in the future (docs/spec/operations.md §2).
 *
 * @param {Record<string, string>} params
 * @param {{ now: number }} context
 */
export function conversionData(params, { now }) {
  const absent = missing(params, ["ConversionRate"]);
  if (absent) return absent;
  if (!/^(?:0(?:\.[0-9]+)?|1(?:\.0+)?)$/.test(params.ConversionRate)) {
    return business("INVALID_PARAMETERS", "ConversionRate must be a decimal from 0 to 1.");
  }
  let reportTime = null;
  if (params.ReportTime !== undefined) {
    reportTime = millis(params.ReportTime);
    if (reportTime === null || reportTime > now + TIMESTAMP_TOLERANCE_MS) {
      return business("INVALID_PARAMETERS", "ReportTime must be milliseconds since the epoch, not in the future.");
    }
  }
  return { ok: true, conversionRate: params.ConversionRate, reportTime };
}
