// A campaign's result with its rows built when they are read (issue 12). One object with five
// fresh strings per recipient cost ~300 bytes each: 30 MiB of heap for 100,000 recipients. The
// ledger arrives instead as columns (src/ledger.rs says what each holds; src/wasm/ledger.rs fills
// them): about 25 bytes per recipient in typed arrays, the message IDs in one string, and the
// numbers as the caller gave them (the same strings, in the array read.js copied).
//
// `recipients` stays an array to its readers: `Array.isArray` is true, `length`, `[i]`, `for…of`,
// `map`, `filter`, spreading and JSON.stringify work (they read through the proxy below), each
// read of `[i]` building a new row object. It is read-only: a write, a delete or freezing throws
// a TypeError (in strict code). Nothing here decides a fate; it only looks values up.

/** "No value" in an index column (`NONE` in src/ledger.rs). */
const NONE = 0xffffffff;

/** The canonical index that `key` names, or -1. */
function indexOf(key, total) {
  if (typeof key !== "string") return -1;
  const i = Number(key);
  return Number.isInteger(i) && i >= 0 && i < total && String(i) === key ? i : -1;
}

/** Row `i` of the columns `c`: a `CampaignRecipient`. */
function row(c, i) {
  const normalized = c.normalized[i];
  const message = c.message[i];
  const request = c.request[i];
  const code = c.code[i];
  const duplicateOf = c.duplicateOf[i];
  return {
    index: i,
    to: c.given[i],
    normalizedTo: normalized === 0 ? null : String(normalized),
    state: c.states[c.state[i]],
    messageId: message === NONE ? null : c.messageText.slice(message === 0 ? 0 : c.messageEnds[message - 1], c.messageEnds[message]),
    requestId: request === NONE ? null : c.requestIds[request],
    code: code === NONE ? null : c.codes[code],
    duplicateOf: duplicateOf === NONE ? null : duplicateOf,
  };
}

/** An array-like proxy whose rows are built from `c` on each read. */
function rows(c) {
  const total = c.state.length;
  // An empty array: `length` is answered by the traps (setting it on the target would allocate
  // it: 80 MB for 10 million), and Array.isArray and Array.prototype come from it.
  const target = [];
  // util.inspect shows a proxy's target, and asks the target for its custom inspection.
  Object.defineProperty(target, Symbol.for("nodejs.util.inspect.custom"), {
    value(depth, options, inspect) {
      const shown = Math.min(total, Number.isFinite(options?.maxArrayLength) ? Math.max(0, options.maxArrayLength) : 100);
      const preview = Array.from({ length: shown }, (_, i) => row(c, i));
      const more = total > shown ? ` … ${total - shown} more` : "";
      return `CampaignRecipients(${total}) ${typeof inspect === "function" ? inspect(preview, options) : JSON.stringify(preview)}${more}`;
    },
  });
  return new Proxy(target, {
    get(t, key, receiver) {
      if (key === "length") return total;
      const i = indexOf(key, total);
      return i === -1 ? Reflect.get(t, key, receiver) : row(c, i);
    },
    has(t, key) {
      return indexOf(key, total) !== -1 || Reflect.has(t, key);
    },
    getOwnPropertyDescriptor(t, key) {
      // `length` stays non-configurable and writable, as the target's is (the proxy invariants).
      if (key === "length") return { value: total, writable: true, enumerable: false, configurable: false };
      const i = indexOf(key, total);
      if (i === -1) return Reflect.getOwnPropertyDescriptor(t, key);
      return { value: row(c, i), writable: false, enumerable: true, configurable: true };
    },
    ownKeys(t) {
      const keys = Array.from({ length: total }, (_, i) => String(i));
      for (const key of Reflect.ownKeys(t)) keys.push(key);
      return keys;
    },
    // Read-only: the rows are the ledger, rebuilt on every read; a change would be lost.
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
    setPrototypeOf: () => false,
    // Refused too, or the target would stop accepting the rows the traps report.
    preventExtensions: () => false,
  });
}

/**
 * The `CampaignResult`: `counts` and `requests` as they are, `recipients` built on access from
 * the columns. `messagePieces` are the message IDs end to end, in pieces (one per chunk the
 * wasm side encoded), `messageEnds` where each ends in them (UTF-16 units).
 */
export function campaignResult(counts, requests, given, states, state, normalized, message, messagePieces, messageEnds, request, requestIds, code, codes, duplicateOf) {
  const columns = {
    given,
    states,
    state,
    normalized,
    message,
    messageText: messagePieces.join(""),
    messageEnds,
    request,
    requestIds,
    code,
    codes,
    duplicateOf,
  };
  return { counts, requests, recipients: rows(columns) };
}
