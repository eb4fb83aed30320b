
/**
 * Loads the WebAssembly module once (browsers, workers, edge runtimes); a no-op in Node, where it
 * loads on import. Pass a `WebAssembly.Module`, bytes or a URL where the default location does
 * not work. Await it before the synchronous functions in a browser.
 * @throws {SmsError} `NOT_INITIALIZED` when the module cannot be loaded (the reason in `cause`);
 * a later call may try again.
 */
export function ready(moduleOrPath?: WebAssembly.Module | BufferSource | URL | string): Promise<void>;

/** Every rejection of this package. Switch on `code`; the other fields are set where they apply. */
export declare class SmsError extends Error {
  readonly name: "SmsError";
  /** Stable code from a closed list. */
  readonly code: SmsErrorCode;
  /** True only when the request provably was not processed (throttled, connection never made). */
  readonly retryable: boolean;
  /** The option or field at fault, e.g. `"to"`, `"credentials.accessKeySecret"`. */
  readonly field?: string;
  /** The recipient index at fault; for `INVALID_BATCH`, that of the first issue that has one. */
  readonly index?: number;
  /** `INVALID_BATCH`: every problem of the batch. */
  readonly issues?: Issue[];
  /** The HTTP status of the service's answer. */
  readonly httpStatus?: number;
  /** The service's RequestId: quote it to Alibaba support. */
  readonly requestId?: string;
  /** Alibaba's own code, verbatim (gateway `Code` or business `ResponseCode`). */
  readonly serviceCode?: string;
  /** `THROTTLED`: the wait the service asked for. */
  readonly retryAfterMs?: number;
  /** `OUTCOME_UNKNOWN`: why. */
  readonly reason?: UnknownReason;
  /** `OUTCOME_UNKNOWN`: the recipients whose SMS may or may not have been sent. */
  readonly recipients?: RecipientRef[];
  /** `CONNECTION_FAILED`: attempts made. */
  readonly attempts?: number;
  /** A stopped campaign: every recipient's fate so far (the rest `skipped`). */
  readonly ledger?: CampaignResult;
}

/** True for any error thrown by this package (any copy of it, any realm). */
export function isSmsError(value: unknown): value is SmsError;
