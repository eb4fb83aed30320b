
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
  /** A caller's own SmsError (e.g. a signer's refusal); `code` defaults to `SIGNING_FAILED`. */
  constructor(message?: string, init?: SmsErrorInit);
  readonly name: "SmsError";
  /** Stable code from a closed list. */
  readonly code: SmsErrorCode;
  /** True only when the request provably was not processed (throttled, connection never made). */
  readonly retryable: boolean;
  /** The option or field at fault, e.g. `"to"`, `"credentials.accessKeySecret"`. */
  readonly field?: string;
  /** The recipient index at fault; for `INVALID_BATCH`, that of the first issue that has one. */
  readonly index?: number;
  /**
   * `INVALID_BATCH`: every problem of the batch; from a signing handler (`signingService`), the
   * first 100 of them.
   */
  readonly issues?: Issue[];
  /**
   * `INVALID_BATCH` from a signing handler (`signingService`): how many problems the batch had,
   * of which `issues` holds the first 100.
   */
  readonly issuesTotal?: number;
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

/** What `new SmsError(message, init)` takes. */
export interface SmsErrorInit {
  code?: SmsErrorCode;
  retryable?: boolean;
  field?: string;
  index?: number;
  cause?: unknown;
}

/** True for any error thrown by this package (any copy of it, any realm). */
export function isSmsError(value: unknown): value is SmsError;

/** What a signing handler lets its callers (browsers) do, beyond the package's own rules. */
export interface SigningPolicy {
  /** Sender IDs the browser may use; absent: any valid one. When given, a request must name one of them. */
  senderIds?: string[];
  /**
   * At most this many recipients (and texts) per request (≤ 1000), refused from the lists' lengths;
   * it also scales the body limit (65,536 + 3,406 bytes per recipient).
   */
  maxRecipients?: number;
  /** Allowed message types; absent: both. */
  types?: MessageType[];
  /**
   * Decides whether this caller may send at all (e.g. checks a session cookie). Called before the
   * body is read: look at headers, and leave the body alone. Anything but `true` refuses.
   */
  authorize?: (request: Request) => boolean | Promise<boolean>;
}

/** `createSigningHandler`'s options. */
export interface SigningHandlerOptions {
  /** Stays server-side: the AccessKeySecret never appears in an answer. */
  credentials: Credentials;
  /** Where the signed requests go. The browser cannot change it. @default "https://dysmsapi.ap-southeast-1.aliyuncs.com/" */
  endpoint?: string;
  allow?: SigningPolicy;
}

/** `signingService`'s options: how the browser reaches the signing handler. */
export interface SigningServiceInit {
  /** Sent with every request to the handler (e.g. an authorization header). */
  headers?: Record<string, string>;
  /** `fetch`'s credentials mode, e.g. `"include"` to send a session cookie to another origin. */
  credentials?: RequestInit["credentials"];
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * A Fetch-API handler for a server, worker or serverless function: POST a JSON `SigningRequest`
 * → 200 JSON `SignedRequest`, or 4xx JSON `{ error: { name: "SmsError", code, message, field?,
 * index?, issues?, issuesTotal? } }`: 405/400 `INVALID_OPTION` (not POST, not UTF-8 JSON), 413
 * `INVALID_OPTION` (field "body": longer than 3,471,536 bytes, or 65,536 + 3,406 per
 * `allow.maxRecipients`; a larger `Content-Length` is refused unread, and a stream is read no
 * further than the limit), 403 `NOT_ALLOWED` (the `allow` policy; `field` "authorization", "from",
 * "to", "message" or "type"), 400 `INVALID_BATCH` (the package's own rules; the first 100 issues,
 * `issuesTotal` counting all; more than 1000 recipients or texts refused from the lists' lengths).
 * Give it the request body as a stream (e.g. `Readable.toWeb(req)` in Node) so that the limit
 * holds. A server-side fault (bad credentials or endpoint) answers 500 `SIGNING_FAILED` without
 * details. Each request is signed with a fresh timestamp and nonce.
 * The answer never holds the AccessKeySecret; with STS credentials it holds the STS token, which
 * is part of every signed request by Alibaba's design (`SecurityToken` / `x-acs-security-token`).
 * @throws {SmsError} `INVALID_OPTION` when `options` or `allow` is malformed.
 */
export function createSigningHandler(options: SigningHandlerOptions): (request: Request) => Promise<Response>;

/**
 * A `signer` for `batchSend` / `sendCampaign` that POSTs each request to a signing handler made by
 * `createSigningHandler`. An error answer rejects with an SmsError carrying the handler's `code`
 * (and `field`, `index`, `issues`, `issuesTotal`, `httpStatus`); an unreachable or
 * non-conforming service rejects with `SIGNING_FAILED`.
 */
export function signingService(url: string | URL, init?: SigningServiceInit): (request: SigningRequest) => Promise<SignedRequest>;

/** `createReportHandler`'s options. */
export interface ReportHandlerOptions {
  /**
   * Called once per push that holds something new, one push at a time, with its fresh reports
   * (each (`messageId`, `status`) once within the dedupe window; `[]` when the push held only
   * rejected entries). The push is acknowledged (`{"code":0}`) only after this resolves; a throw
   * or rejection answers 500, nothing of the push is remembered, and Alibaba pushes it again.
   * Not called when every entry is a duplicate.
   */
  onReports: (reports: Report[], details: ReportPushDetails) => void | Promise<void>;
  /**
   * Largest body read, in bytes (1 to 4,194,304). A larger `Content-Length` is answered 413
   * unread, and a stream is read no further than the limit. @default 4194304
   */
  maxBodyBytes?: number;
  /**
   * How many (`messageId`, `status`) keys are remembered across pushes to recognise repeats
   * (0 to 1,000,000; about 80 bytes each); the oldest is forgotten first. 0: each push is
   * de-duplicated only within itself. @default 100000
   */
  dedupeWindow?: number;
}

/**
 * A Fetch-API handler for the delivery reports Alibaba pushes to a callback URL (a JSON array of
 * reports). Answers 200 `{"code":0,"msg":…}` once `onReports` resolved (or when every entry was a
 * duplicate); otherwise `{"code":"<CODE>","msg":…}`, which Alibaba pushes again: 405
 * `METHOD_NOT_ALLOWED` (not POST), 413 `REPORT_BODY_TOO_LARGE`, 400 `REPORT_BODY_NOT_AN_ARRAY`,
 * `REPORT_BODY_UNTERMINATED`, `REPORT_BODY_TRAILING_TEXT`, `REPORT_BODY_TOO_MANY_ENTRIES` (over
 * 10,000) or `REPORT_BODY_UNREADABLE`, 500 `REPORT_HANDLER_FAILED` (`onReports` threw; no
 * details), 503 `REPORT_HANDLER_BUSY` (16 pushes already waiting). A bad entry costs only itself:
 * it is listed in `rejected` and the push is acknowledged. Give it the body as a stream (e.g.
 * `Readable.toWeb(req)` in Node) so that the limit holds.
 * @throws {SmsError} `INVALID_OPTION` when `options` is malformed.
 */
export function createReportHandler(options: ReportHandlerOptions): (request: Request) => Promise<Response>;
