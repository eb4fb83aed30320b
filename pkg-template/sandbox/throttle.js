// The service's flow control: each operation has its own calls-per-second limit per account
// (BatchSendMessageToGlobe 1, SendMessageToGlobe 30, QueryMessage 300: docs/spec/operations.md §1). The
// sandbox keeps one Throttle per operation, counts per AccessKeyId over a sliding one-second
// window, and only calls that passed authentication.

/** Length of the counting window, in milliseconds. */
export const WINDOW_MS = 1000;

export class Throttle {
  #limit;
  /** @type {Map<string, number[]>} key id -> accepted call times inside the window */
  #calls = new Map();

  /**
   * @param {number} qps calls allowed per key per second: a positive integer, or Infinity to
   *   switch throttling off
   */
  constructor(qps) {
    if (!(qps === Infinity || (Number.isInteger(qps) && qps > 0))) {
      throw new TypeError("sandbox: qps must be a positive integer or Infinity");
    }
    this.#limit = qps;
  }

  /**
   * Takes a slot for `key` at `now`, or says how long until one frees up.
   *
   * @param {string} key AccessKeyId
   * @param {number} now milliseconds (the sandbox clock)
   * @returns {{ allowed: true } | { allowed: false, retryAfterMs: number }}
   */
  take(key, now) {
    if (this.#limit === Infinity) return { allowed: true };
    const recent = (this.#calls.get(key) ?? []).filter((at) => at > now - WINDOW_MS);
    if (recent.length >= this.#limit) {
      this.#calls.set(key, recent);
      // The oldest call in the window leaves it first. Clamped to 1..WINDOW_MS so a clock
      // that a test moved backwards never yields a zero or an over-long wait.
      const wait = Math.ceil(recent[0] + WINDOW_MS - now);
      return { allowed: false, retryAfterMs: Math.min(WINDOW_MS, Math.max(1, wait)) };
    }
    recent.push(now);
    this.#calls.set(key, recent);
    return { allowed: true };
  }

  /** Forgets every call. */
  clear() {
    this.#calls.clear();
  }
}
