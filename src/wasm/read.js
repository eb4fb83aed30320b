// The only JavaScript the WebAssembly side runs on a caller's values. A getter, a Proxy trap or a
// revoked Proxy can throw from any read, and an exception that unwinds through WebAssembly frames
// leaks their stack (issue 11 measured every later call failing after ~1,200 of them). So every
// read of a caller's value happens here, inside try/catch, and each function answers with data,
// never a throw. The Rust side (src/wasm/input.rs) decides what the answer means.

/** What kind of value `value` is, without running caller code that could escape. */
export function kindOf(value) {
  const type = typeof value;
  if (value === null) return "null";
  if (type !== "object" && type !== "function") return type;
  try {
    if (Array.isArray(value)) return "array";
    if (type === "function") return "function";
    if (value instanceof Date) return Number.isFinite(Date.prototype.getTime.call(value)) ? "date" : "invalid date";
    if (typeof AbortSignal === "function" && value instanceof AbortSignal) {
      // A brand check: an object that only inherits from AbortSignal.prototype throws here.
      Reflect.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted").get.call(value);
      return "abort signal";
    }
    return "object";
  } catch {
    // A revoked Proxy, a throwing getPrototypeOf trap, a fake AbortSignal.
    return "unreadable";
  }
}

/** The milliseconds of a Date `kindOf` called "date". */
export function dateMillis(value) {
  try {
    return Date.prototype.getTime.call(value);
  } catch {
    return NaN;
  }
}

/**
 * `object[key]`, as `[true, value]`, or `[false]` when reading it threw (the caller's error is
 * dropped: it may quote anything).
 */
export function readProperty(object, key) {
  try {
    return [true, object[key]];
  } catch {
    return [false];
  }
}

const wellFormed =
  typeof String.prototype.isWellFormed === "function"
    ? (text) => text.isWellFormed()
    : (text) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

function toWellFormed(text) {
  if (typeof String.prototype.toWellFormed === "function") return text.toWellFormed();
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

const utf8 = new TextEncoder();

/**
 * A whole array of strings in one crossing: `[0, joined, lengths, broken, items, brokenTexts]` where `joined` is the
 * items' UTF-8 bytes end to end (one TextEncoder pass and one copy into the wasm memory: passing
 * the joined text as a string walked it char by char in the glue, 0.4 ms for 1000 × 100
 * characters), `lengths` their UTF-16 lengths in order and `broken` the indexes of items holding
 * a lone surrogate (joined with each one as U+FFFD, so two halves can never pair up across items). Otherwise
 * `[1]` not an array, `[2, length]` longer than `limit` (nothing was read past `length`),
 * `[3, index]` an item that is not a string, `[4, index]` reading threw (`-1`: the length).
 * Handing the strings over joined is what makes a 1000-recipient batch cheap to take in (one
 * TextEncoder pass instead of 2000 calls). With `keep`, `items` is a copy of the array as read
 * (the same strings, read once: a Proxy or getter is not asked again), for a campaign's ledger
 * to show each number as it was given without a second copy of its text (issue 12).
 * `brokenTexts` are the items at `broken`, as read.
 */
export function readStringList(value, limit, keep) {
  let index = -1;
  try {
    if (!Array.isArray(value)) return [1];
    const length = value.length;
    if (typeof length !== "number" || !(length >= 0) || length > limit) return [2, Number(length) || 0];
    const lengths = new Uint32Array(length);
    const broken = [];
    // The broken items as read, so their exact problem is found without reading the caller's
    // array again (a getter or an iterator could throw, or answer differently, the second time).
    const brokenTexts = [];
    // Pushed, not `new Array(length)`: past 100,000 or so V8 would make that a dictionary.
    const items = keep ? [] : null;
    let joined = "";
    for (index = 0; index < length; index++) {
      let item = value[index];
      if (typeof item !== "string") return [3, index];
      if (keep) items.push(item);
      if (!wellFormed(item)) {
        broken.push(index);
        brokenTexts.push(item);
        item = toWellFormed(item);
      }
      lengths[index] = item.length;
      joined += item;
    }
    return [0, utf8.encode(joined), lengths, broken, items, brokenTexts];
  } catch {
    return [4, index];
  }
}

/**
 * An object's own enumerable string-valued properties, in order: `[0, names, values]`, or `[1]`
 * not a plain object, `[3, name]` a value that is not a string, `[4]` reading threw. At most
 * `limit` of them (`[2, count]` past that).
 */
export function readStringRecord(value, limit) {
  try {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [1];
    const names = Object.keys(value);
    if (names.length > limit) return [2, names.length];
    const values = [];
    for (const name of names) {
      const item = value[name];
      if (typeof item !== "string") return [3, name];
      values.push(item);
    }
    return [0, names, values];
  } catch {
    return [4];
  }
}

/** One string's UTF-16 units (for the exact problem of a text holding a lone surrogate). */
export function utf16Units(text) {
  const units = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  return units;
}

/**
 * `Promise.resolve(value)` that cannot throw: a thenable whose `then` getter throws becomes a
 * rejected promise instead of an exception through WebAssembly.
 */
export function settle(value) {
  try {
    return Promise.resolve(value);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** What `settleWithin` rejects with when time runs out: a value no caller can produce. */
export const TIMED_OUT = Object.freeze({ timedOut: true });

/**
 * `settle(value)`, or a rejection with `TIMED_OUT` after `ms`: a caller's signer or journal that
 * never settles must not leave a send or campaign waiting forever. The timer is cleared either way.
 */
export function settleWithin(value, ms) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(TIMED_OUT), ms);
  });
  return Promise.race([settle(value), limit]).finally(() => clearTimeout(timer));
}

/** Whether `value` is `TIMED_OUT`. */
export function isTimedOut(value) {
  return value === TIMED_OUT;
}

/**
 * Calls a caller's callback whose answer does not matter (a progress report): what it throws is
 * dropped, and so is a rejection of what it returns (an async callback), which would otherwise
 * be an unhandled rejection in the caller's process.
 */
export function notify(fn, value) {
  try {
    const returned = fn(value);
    if (returned !== null && (typeof returned === "object" || typeof returned === "function")) {
      settle(returned).catch(() => {});
    }
  } catch {
    // A progress callback's own failure must not stop a campaign or lose track of what was sent.
  }
}

/** `fn.call(self, ...args)`, as `[true, result]` or `[false, thrown]`. */
export function callSafely(fn, self, args) {
  try {
    return [true, Reflect.apply(fn, self, args)];
  } catch (error) {
    return [false, error];
  }
}
