// Recipient numbers as the sandbox sees them: the shape it accepts, which ones it refuses at
// submission, the fictitious NumberDetail it answers, and the delivery outcome it decides for
// every number it accepts. All of it is the sandbox's own rule set, written without the core's
// recipient tables (issue 4: an independent stand-in is worth more than a copy).

/**
 * A recipient number as every Alibaba example writes it: dialing code and national number, digits
 * only, no `+` or `00` (docs/spec/api-reference.md §5). E.164 caps the whole at 15 digits; 7 is the
 * shortest dialing code + subscriber number in use. A leading 0 would be a trunk prefix, not a
 * dialing code.
 */
export const NUMBER = /^[1-9][0-9]{6,14}$/;

/**
 * Whether a well-formed number is refused at submission (a batch lists it in FailedList,
 * SendMessageToGlobe answers a business code):
 * - a Chinese-mainland number (dialing code 86): the Globe APIs cannot send there (seed doc);
 * - the sandbox's test rule: a number whose last four digits are `0000`;
 * - a number listed in the `failNumbers` option.
 *
 * @param {string} number
 * @param {ReadonlySet<string>} failNumbers
 * @returns {boolean}
 */
export function failsSubmission(number, failNumbers) {
  return isMainland(number) || number.endsWith("0000") || failNumbers.has(number);
}

/** Dialing code 86: the Chinese mainland (Hong Kong 852, Macau 853 and Taiwan 886 are not). */
export function isMainland(number) {
  return number.startsWith("86");
}

/**
 * The delivery outcome of an accepted message, decided when it is accepted, by the last four
 * digits of the number (README "Delivery reports"):
 * - `9999`: undelivered (report Status 2, ErrorCode `UNDELIV`);
 * - `8888`: expired (report Status 6, ErrorCode `EXPIRED`);
 * - `7777`: never final (QueryMessage Status 3, no report is ever pushed), for deadline tests;
 * - anything else: delivered (report Status 1, ErrorCode `DELIVERED`).
 *
 * @param {string} number
 * @returns {"delivered" | "undelivered" | "expired" | "pending"}
 */
export function outcomeFor(number) {
  if (number.endsWith("9999")) return "undelivered";
  if (number.endsWith("8888")) return "expired";
  if (number.endsWith("7777")) return "pending";
  return "delivered";
}

/**
 * Dialing codes the sandbox names, with a country and its ISO 3166 code. A handful of the
 * destinations the project's tests and examples use; the rest answer "Unknown". The real
 * service's NumberDetail values are not established (docs/spec/operations.md §2 names only the fields).
 */
const COUNTRIES = new Map([
  ["1", ["United States", "US"]],
  ["7", ["Russia", "RU"]],
  ["33", ["France", "FR"]],
  ["44", ["United Kingdom", "GB"]],
  ["49", ["Germany", "DE"]],
  ["55", ["Brazil", "BR"]],
  ["60", ["Malaysia", "MY"]],
  ["61", ["Australia", "AU"]],
  ["62", ["Indonesia", "ID"]],
  ["63", ["Philippines", "PH"]],
  ["65", ["Singapore", "SG"]],
  ["66", ["Thailand", "TH"]],
  ["81", ["Japan", "JP"]],
  ["82", ["South Korea", "KR"]],
  ["84", ["Vietnam", "VN"]],
  ["91", ["India", "IN"]],
  ["852", ["Hong Kong", "HK"]],
  ["853", ["Macau", "MO"]],
  ["886", ["Taiwan", "TW"]],
  ["971", ["United Arab Emirates", "AE"]],
]);

/** The carrier every sandbox NumberDetail names: visibly not a real one. */
export const SANDBOX_CARRIER = "Sandbox Mobile";

/**
 * The NumberDetail the sandbox answers for a number: the longest listed dialing code that starts
 * it decides Country and Region (the ISO code); Carrier is always {@link SANDBOX_CARRIER}.
 *
 * @param {string} number
 * @returns {{ Carrier: string, Country: string, Region: string }}
 */
export function numberDetail(number) {
  for (const length of [3, 2, 1]) {
    const entry = COUNTRIES.get(number.slice(0, length));
    if (entry) return { Carrier: SANDBOX_CARRIER, Country: entry[0], Region: entry[1] };
  }
  return { Carrier: SANDBOX_CARRIER, Country: "Unknown", Region: "" };
}
