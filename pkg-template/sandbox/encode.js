// Percent-encoding and form decoding, written for the sandbox alone.
//
// The sandbox shares no code with the Rust core on purpose (issue 4): when the core, this
// file and Alibaba's official SDK agree on a signature, that agreement is evidence.

const HEX = "0123456789ABCDEF";

/** Bytes left bare by the signing encoder: A-Z a-z 0-9 - _ . ~ (docs/spec/wire-format.md §5). */
function isUnreserved(byte) {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x5f || // _
    byte === 0x2e || // .
    byte === 0x7e // ~
  );
}

/**
 * Percent-encodes text the way both Alibaba signature schemes require (docs/spec/wire-format.md §5):
 * works on the UTF-8 bytes, leaves `A-Z a-z 0-9 - _ . ~` bare and writes every other byte as
 * `%XX` with upper-case hex. Space becomes `%20`, never `+`.
 *
 * @param {string} text
 * @returns {string}
 */
export function percentEncode(text) {
  const bytes = Buffer.from(String(text), "utf8");
  let out = "";
  for (const byte of bytes) {
    if (isUnreserved(byte)) {
      out += String.fromCharCode(byte);
    } else {
      out += "%" + HEX[byte >> 4] + HEX[byte & 0x0f];
    }
  }
  return out;
}

/**
 * Decodes an `application/x-www-form-urlencoded` text (a URL query or a form body) the way a
 * web server does: `+` is a space, `%XX` sequences are UTF-8 bytes, a stray `%` stays as it is.
 * The receiver must sign decoded values, never the raw text, because the Node SDK writes spaces
 * as `%20` and the Python SDK as `+` (docs/spec/wire-format.md §8).
 *
 * @param {string} text the text after `?` (or a form body), without the `?`
 * @returns {Array<[string, string]>} name/value pairs in the order they appeared
 */
export function decodeForm(text) {
  // URLSearchParams implements the WHATWG form decoding rules, which are exactly a web
  // server's: '+' -> ' ', percent-decoding over UTF-8, invalid sequences kept literally.
  return [...new URLSearchParams(text)];
}
