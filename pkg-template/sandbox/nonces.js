// Replay protection: a SignatureNonce may be used once within the retention window.
//
// The window is 31 minutes, the figure an Alibaba OpenAPI on-duty engineer gave for the
// gateway; no official page states one (docs/spec/api-reference.md §2 "Nonce replay rules"). It also
// outlasts the 15-minute timestamp tolerance on either side, so a captured request can never
// be replayed successfully. Nonces are kept gateway-wide, not per AccessKeyId ("network-wide").

/** How long a nonce stays used, in milliseconds. */
export const NONCE_RETENTION_MS = 31 * 60 * 1000;

export class NonceStore {
  /** @type {Map<string, number>} nonce -> time (ms) it was first used */
  #seen = new Map();

  /**
   * Records a nonce at `now` unless it is still remembered.
   *
   * @param {string} nonce
   * @param {number} now milliseconds since the epoch (the sandbox clock)
   * @returns {boolean} true when the nonce was fresh and is now recorded
   */
  use(nonce, now) {
    this.#forgetBefore(now - NONCE_RETENTION_MS);
    const at = this.#seen.get(nonce);
    if (at !== undefined && now - at < NONCE_RETENTION_MS) return false;
    this.#seen.delete(nonce);
    this.#seen.set(nonce, now);
    return true;
  }

  /** Forgets every nonce. */
  clear() {
    this.#seen.clear();
  }

  /** Number of nonces remembered. */
  get size() {
    return this.#seen.size;
  }

  // Entries are in insertion order, which is time order unless the clock went backwards;
  // stopping at the first recent entry keeps each call cheap, and `use` re-checks the age.
  #forgetBefore(limit) {
    for (const [nonce, at] of this.#seen) {
      if (at >= limit) break;
      this.#seen.delete(nonce);
    }
  }
}
