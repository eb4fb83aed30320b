// Billed segments of a message text and the service's date format, written for the sandbox
// alone (issue 4): when the sandbox's Segments and the core's count agree, that is evidence.

/**
 * The GSM 03.38 default alphabet, basic set (one septet each), in table order, without the
 * escape code 0x1B. Any text made only of these and {@link GSM_EXTENSION} travels as GSM-7
 * (docs/spec/api-reference.md §5).
 */
const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);

/** The extension table's characters: two septets each (escape + code). */
const GSM_EXTENSION = new Set("\f^{}\\[~]|€");

/**
 * Segments the service bills for one message (docs/spec/api-reference.md §5): GSM-7 when every character
 * is in the default alphabet, 160 septets in one message or 153 per part, extension characters
 * counting 2; otherwise UCS-2, 70 UTF-16 units in one message or 67 per part.
 *
 * @param {string} text
 * @returns {number} 0 for an empty text
 */
export function segmentsOf(text) {
  let septets = 0;
  let gsm = true;
  for (const char of text) {
    if (GSM_BASIC.has(char)) {
      septets += 1;
    } else if (GSM_EXTENSION.has(char)) {
      septets += 2;
    } else {
      gsm = false;
      break;
    }
  }
  const units = gsm ? septets : text.length;
  const [single, part] = gsm ? [160, 153] : [70, 67];
  if (units === 0) return 0;
  return units <= single ? 1 : Math.ceil(units / part);
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** China Standard Time, the offset of every date in the spec's examples (docs/spec/operations.md §2, §3). */
const OFFSET_MS = 8 * 60 * 60 * 1000;

/**
 * A time as the service writes SendDate and ReceiveDate: RFC 2822 with a `+0800` offset, to the
 * second, e.g. `Thu, 25 Nov 2021 10:27:00 +0800` (docs/spec/operations.md §3). Days are zero-padded.
 *
 * @param {number} ms milliseconds since the epoch
 * @returns {string}
 */
export function rfc2822(ms) {
  const local = new Date(Math.floor(ms / 1000) * 1000 + OFFSET_MS);
  const two = (n) => String(n).padStart(2, "0");
  return (
    `${DAYS[local.getUTCDay()]}, ${two(local.getUTCDate())} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())} +0800`
  );
}
