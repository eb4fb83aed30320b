// The delivery-report receiver: a Fetch-API handler a server mounts at the callback URL Alibaba
// pushes reports to (docs/spec/operations.md §3: a POST of a JSON array; only HTTP 200 with
// `{"code": 0, "msg": "..."}` acknowledges it, anything else is pushed again). Shared by both
// entries: each binds it to its own `ReportReader` and `ready` (bindReports below).
//
// No report rule lives here. The body is handed as bytes to the core (src/wasm/reports.rs →
// src/report.rs `read_reports`, `dedupe`), which keeps every good entry of a push with a bad one,
// lists the bad ones, and splits the good ones into fresh and duplicate on (`MessageId`,
// `Status`) against the keys remembered across pushes. This file only reads the body within its
// byte limit, calls the caller's `onReports`, and answers.
//
// Acknowledging is the one irreversible step: an acknowledged push is never pushed again. So the
// answer is code 0 only after `onReports` resolved, and the push's reports are remembered as seen
// only then; a failure answers 500 and forgets them, so the push that comes again is handed on
// again. Pushes are handled one at a time (the sandbox, like Alibaba, pushes several at once):
// two pushes holding the same report can then never both hand it on, and `onReports` never runs
// twice at once.

import { UnreadableBody, declaredLength, readBytes } from "./body.js";
import { smsError } from "./errors.js";

/** src/report.rs MAX_BODY_BYTES (4 MiB): the core refuses a longer body, so no limit may pass it. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** src/report.rs DEFAULT_SEEN_CAPACITY: 100,000 keys, about 8 MB (measured there). */
const DEFAULT_DEDUPE_WINDOW = 100_000;
/** Ten times the default, about 80 MB of keys at src/report.rs's measure: past that, a store of the caller's own. */
const MAX_DEDUPE_WINDOW = 1_000_000;
/**
 * Pushes admitted at once (reading, or waiting for their turn): each may hold up to the byte
 * limit, so this bounds the memory a slow `onReports` lets pile up (16 × 4 MiB). Past it a push
 * is answered 503 unread, and Alibaba pushes it again later.
 */
const MAX_ADMITTED_PUSHES = 16;

// Checked when the handler is made, which in a browser or worker may be before `ready()`: these
// are this handler's own options, not report rules, so they are restated here rather than asked of
// the WebAssembly module.
function invalidOption(field, message) {
  return smsError("INVALID_OPTION", `${field}: ${message}`, { field });
}

/** `object[key]`, read once: a getter or Proxy that throws is an INVALID_OPTION naming `key`. */
function read(object, key) {
  try {
    return object[key];
  } catch {
    throw invalidOption(key, "could not be read (a getter or Proxy threw)");
  }
}

function wholeNumber(value, field, min, max, fallback) {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw invalidOption(field, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * An answer in the shape Alibaba reads: `code` 0 acknowledges; every refusal carries a string
 * code (never 0) and a sentence, and nothing else: no stack, no caller's error.
 */
function answer(status, code, msg, headers = {}) {
  return new Response(JSON.stringify({ code, msg }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

function tooLarge(limit) {
  return answer(413, "REPORT_BODY_TOO_LARGE", `a report body holds at most ${limit} bytes here`);
}

/** How a body refused whole by the core is answered: too large is 413, the rest 400. */
function refusal(result) {
  const status = result.refused === "REPORT_BODY_TOO_LARGE" ? 413 : 400;
  return answer(status, result.refused, result.message);
}

/**
 * Binds the handler to an entry's own `ReportReader` (the WebAssembly class, src/wasm/reports.rs)
 * and `ready` (node.js and browser.js each call this once).
 */
export function bindReports({ ReportReader, ready }) {
  return function createReportHandler(options) {
    if (options === null || typeof options !== "object") throw invalidOption("options", "must be an object");
    const onReports = read(options, "onReports");
    if (typeof onReports !== "function") throw invalidOption("onReports", "must be a function");
    const limit = wholeNumber(read(options, "maxBodyBytes"), "maxBodyBytes", 1, MAX_BODY_BYTES, MAX_BODY_BYTES);
    const window = wholeNumber(read(options, "dedupeWindow"), "dedupeWindow", 0, MAX_DEDUPE_WINDOW, DEFAULT_DEDUPE_WINDOW);

    // Made on the first push, after `ready()`: in a browser or worker the module may not be
    // loaded when the handler is made. Lives as long as the handler: the dedupe window.
    let reader;
    // The tail of the one-at-a-time chain of pushes, and how many are admitted.
    let turn = Promise.resolve();
    let admitted = 0;

    /** One push, in its turn: read and split by the core, handed on, remembered, answered. */
    async function settle(bytes) {
      await ready();
      reader ??= new ReportReader(window);
      const result = reader.read(bytes);
      if (result === null || typeof result !== "object") throw new Error("unexpected reader result");
      if (typeof result.refused === "string") return refusal(result);
      const { fresh, duplicates, rejected } = result;
      const summary = `${fresh.length} new, ${duplicates.length} duplicate, ${rejected.length} rejected`;
      // Nothing new: every entry a repeat (or an empty array). Acknowledged without a call, so a
      // re-push of a handled batch costs the caller nothing.
      if (fresh.length === 0 && rejected.length === 0) return answer(200, 0, summary);
      try {
        await onReports(fresh, { duplicates, rejected });
      } catch {
        // The caller's error stays with the caller (it may hold anything): the answer says only
        // that the push was not taken, and Alibaba pushes it again.
        reader.forget();
        return answer(500, "REPORT_HANDLER_FAILED", "the reports were not handled; push them again");
      }
      reader.remember();
      return answer(200, 0, summary);
    }

    return async function reportHandler(request) {
      let counted = false;
      try {
        if (request.method !== "POST") {
          return answer(405, "METHOD_NOT_ALLOWED", "reports are POSTed", { allow: "POST" });
        }
        if (admitted >= MAX_ADMITTED_PUSHES) {
          return answer(503, "REPORT_HANDLER_BUSY", "too many pushes are waiting; push again later", { "retry-after": "1" });
        }
        admitted += 1;
        counted = true;
        // A declared length over the limit is refused before a byte is read.
        const declared = declaredLength(request);
        if (declared !== undefined && declared > limit) return tooLarge(limit);
        let bytes;
        try {
          bytes = await readBytes(request, limit, declared);
        } catch (error) {
          if (!(error instanceof UnreadableBody)) throw error;
          return answer(400, "REPORT_BODY_UNREADABLE", `the report body ${error.message}`);
        }
        if (bytes === undefined) return tooLarge(limit);
        const mine = turn.then(() => settle(bytes));
        turn = mine.then(
          () => undefined,
          () => undefined,
        );
        return await mine;
      } catch {
        // A module that could not load (NOT_INITIALIZED in a browser) or a request that is not a
        // Request: the receiver's fault, answered without details, and pushed again.
        return answer(500, "REPORT_HANDLER_FAILED", "the reports were not handled; push them again");
      } finally {
        if (counted) admitted -= 1;
      }
    };
  };
}
