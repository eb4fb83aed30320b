// SmsError: every rejection of this package is an Error named "SmsError" with a stable `code`.
// The WebAssembly side creates them as plain Errors; `instanceof SmsError` works by name and code
// (Symbol.hasInstance), so it holds across realms and across two copies of the package.

/** True for any error thrown by this package (any copy, any realm). */
export function isSmsError(value) {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.prototype.toString.call(value) === "[object Error]" &&
    value.name === "SmsError" &&
    typeof value.code === "string"
  );
}

/**
 * The type of every error this package throws; use `isSmsError` or `instanceof`. Callers may make
 * their own (a signer's refusal): `new SmsError(message, { code, field, index, cause })`, `code`
 * defaulting to `SIGNING_FAILED`.
 */
export class SmsError extends Error {
  constructor(message, { code = "SIGNING_FAILED", retryable = false, field, index, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "SmsError";
    this.code = code;
    this.retryable = retryable;
    if (field !== undefined) this.field = field;
    if (index !== undefined) this.index = index;
  }

  static [Symbol.hasInstance](value) {
    return isSmsError(value);
  }
}

/** The browser entry's own error, before the WebAssembly module exists to make one. */
export function notInitialized(name) {
  return new SmsError(
    `the WebAssembly module is not loaded yet: await ready() once before calling ${name} (the synchronous functions cannot load it themselves)`,
    { code: "NOT_INITIALIZED" },
  );
}

/**
 * A failed load of the WebAssembly module (a wrong URL, a blocked fetch, bytes that are not this
 * module), so that `ready()` and every async call keep rejecting with an SmsError. The loader's
 * own error is kept as `cause`.
 */
export function loadFailed(cause) {
  let reason;
  try {
    reason = cause instanceof Error ? cause.message : String(cause);
  } catch {
    reason = "an unprintable reason";
  }
  return new SmsError(
    `the WebAssembly module could not be loaded (${reason}); pass ready() the module, its bytes or its URL`,
    { code: "NOT_INITIALIZED", cause },
  );
}

/**
 * An SmsError made in JS (the signing service and its client): `code` from the closed list,
 * and as they apply `field`, `index`, `issues`, `httpStatus` and `cause`. Never given a secret.
 */
export function smsError(code, message, { field, index, issues, httpStatus, cause } = {}) {
  const error = new SmsError(message, { code, field, index, cause });
  if (issues !== undefined) error.issues = issues;
  if (httpStatus !== undefined) error.httpStatus = httpStatus;
  return error;
}
