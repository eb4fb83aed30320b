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

/** The type of every error this package throws; use `isSmsError` or `instanceof`. */
export class SmsError extends Error {
  static [Symbol.hasInstance](value) {
    return isSmsError(value);
  }
}

/** The browser entry's own error, before the WebAssembly module exists to make one. */
export function notInitialized() {
  const error = new Error(
    "the WebAssembly module is not loaded yet: await ready() once before calling validateBatch, countSegments or signRequest",
  );
  error.name = "SmsError";
  error.code = "NOT_INITIALIZED";
  error.retryable = false;
  return error;
}

/**
 * A failed load of the WebAssembly module (a wrong URL, a blocked fetch, bytes that are not this
 * module), so that `ready()` and every async call keep rejecting with an SmsError. The loader's
 * own error is kept as `cause`.
 */
export function loadFailed(cause) {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new Error(
    `the WebAssembly module could not be loaded (${reason}); pass ready() the module, its bytes or its URL`,
    { cause },
  );
  error.name = "SmsError";
  error.code = "NOT_INITIALIZED";
  error.retryable = false;
  return error;
}

/**
 * An SmsError made in JS (the signing service and its client): `code` from the closed list,
 * and as they apply `field`, `index`, `issues`, `httpStatus` and `cause`. Never given a secret.
 */
export function smsError(code, message, { field, index, issues, httpStatus, cause } = {}) {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.name = "SmsError";
  error.code = code;
  error.retryable = false;
  if (field !== undefined) error.field = field;
  if (index !== undefined) error.index = index;
  if (issues !== undefined) error.issues = issues;
  if (httpStatus !== undefined) error.httpStatus = httpStatus;
  return error;
}
