// Types of aliyun-globe-sms/sandbox (Node only).

/** An AccessKey pair the sandbox accepts; with `securityToken` it is an STS key. */
export interface SandboxKey {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS token this key must present (`SecurityToken` / `x-acs-security-token`). */
  securityToken?: string;
}

/** The operations the sandbox serves (Dysmsapi 2018-05-01, international). */
export type SandboxOperation =
  | "BatchSendMessageToGlobe"
  | "SendMessageToGlobe"
  | "QueryMessage"
  | "SmsConversion"
  | "ConversionData";

export interface SandboxOptions {
  /** TCP port. @default 0 (any free port) */
  port?: number;
  /** Address to bind. @default "127.0.0.1" */
  host?: string;
  /** Accepted keys. @default [DEFAULT_KEY, DEFAULT_STS_KEY] */
  keys?: readonly SandboxKey[];
  /**
   * BatchSendMessageToGlobe calls per second per AccessKeyId before `Throttling.User`: a
   * positive integer, or `Infinity` to switch its throttling off. @default 1 (the service's limit)
   */
  qps?: number;
  /** SendMessageToGlobe calls per second per AccessKeyId, or `Infinity`. @default 30 */
  sendMessageQps?: number;
  /** QueryMessage calls per second per AccessKeyId, or `Infinity`. @default 300 */
  queryMessageQps?: number;
  /**
   * SmsConversion and ConversionData calls per second per AccessKeyId (each its own budget).
   * Alibaba states no limit. @default Infinity
   */
  conversionQps?: number;
  /** The sandbox's time in milliseconds since the epoch. @default Date.now */
  clock?: () => number;
  /** Receives one line per API request and per push; `false` for none. @default false */
  log?: ((line: string) => void) | false;
  /**
   * Numbers (exactly as sent in `To`) refused at submission: in FailedList for a batch,
   * `SMS_SECURITY_INTERCEPTED` for SendMessageToGlobe. Numbers whose last four digits are `0000`
   * and Chinese-mainland numbers (`86…`) always are. @default []
   */
  failNumbers?: readonly string[];
  /** Largest request head (request line + headers) in bytes. @default 8388608 (8 MiB) */
  maxHeaderSize?: number;
  /**
   * Milliseconds (sandbox clock) from acceptance until a message's report exists: QueryMessage
   * answers `DATA_NOT_EXIST` before, and the report is pushed after. @default 100
   */
  reportDelayMs?: number;
  /**
   * Callback URL (`http://` only) that reports are pushed to; null for none. A pushed report's
   * `To` is masked as Alibaba's is (`8521234****`); QueryMessage's is not. @default null
   */
  reportUrl?: string | null;
  /** Most reports in one push. @default 100 */
  pushBatchSize?: number;
  /** Real milliseconds before a failed push is tried again (and before a planned duplicate). @default 200 */
  pushRetryMs?: number;
  /** Real milliseconds a receiver has to answer a push. @default 5000 */
  pushTimeoutMs?: number;
  /** Pushes in flight at once. @default 2 */
  pushConcurrency?: number;
  /**
   * Share of reports pushed a second time after being acknowledged, from 0 to 1; which ones is
   * decided by `seed` and the MessageId, so the same seed picks the same reports. @default 0.05
   */
  duplicateRate?: number;
  /** Seed of the duplicate choice and of the order within a push. @default 1 */
  seed?: number;
}

/** What the sandbox decided will happen to an accepted message (by its last four digits). */
export type SandboxOutcome = "delivered" | "undelivered" | "expired" | "pending";

/** A message the sandbox accepted: one per recipient not refused at submission. */
export interface SandboxMessage {
  /** The operation that sent it. */
  operation: "BatchSendMessageToGlobe" | "SendMessageToGlobe";
  /** Recipient number, as sent. */
  to: string;
  /** Message text for this recipient. */
  message: string;
  /** Sender ID, or null when none was given. */
  from: string | null;
  /** Always set for a batch; for SendMessageToGlobe only when `Type` was sent. */
  type: "NOTIFY" | "MKT" | null;
  taskId: string | null;
  /** `ValidityPeriod` in seconds, or null when not sent. */
  validityPeriod: number | null;
  /** `ChannelId`, or null when not sent. */
  channelId: string | null;
  /** Billed segments of the text (GSM-7 160/153, UCS-2 70/67): the report's `SmsSize`. */
  segments: number;
  requestId: string;
  /** 19-digit MessageId, as returned in MessageIdList / MessageId. */
  messageId: string;
  accessKeyId: string;
  /** Which signature the request used: `v1` (signature 1.0) or `acs3` (ACS3-HMAC-SHA256). */
  scheme: "v1" | "acs3";
  /** ISO 8601 time of acceptance by the sandbox clock. */
  time: string;
  /** The delivery outcome decided at acceptance. */
  outcome: SandboxOutcome;
  /** The report's ErrorCode (`DELIVERED`, `UNDELIV`, `EXPIRED`), null for `pending`. */
  errorCode: string | null;
  /** ISO 8601 time (sandbox clock) from which the report exists: acceptance + `reportDelayMs`. */
  reportAt: string;
}

interface SandboxConversionBase {
  requestId: string;
  accessKeyId: string;
  scheme: "v1" | "acs3";
  /** ISO 8601 time of acceptance by the sandbox clock. */
  time: string;
}

/** An accepted SmsConversion or ConversionData call. */
export type SandboxConversion =
  | (SandboxConversionBase & {
      operation: "SmsConversion";
      messageId: string;
      /** The message's number. */
      to: string;
      delivered: boolean;
      /** `ConversionTime` in ms, or null when not sent. */
      conversionTime: number | null;
    })
  | (SandboxConversionBase & {
      operation: "ConversionData";
      /** `ConversionRate` exactly as sent, e.g. `"0.53"`. */
      conversionRate: string;
      /** `ReportTime` in ms, or null when not sent. */
      reportTime: number | null;
    });

/** One entry of a push body: the international report (every value a string). */
export interface SandboxReport {
  To: string;
  /** `1` delivered, `2` undelivered, `6` expired. */
  Status: "1" | "2" | "6";
  MessageId: string;
  /** Present when the message was sent with a TaskId. */
  TaskId?: string;
  /** Billed segments, as text. */
  SmsSize: string;
  /** RFC 2822 with `+0800`, e.g. `Thu, 25 Nov 2021 10:27:00 +0800`. */
  SendDate: string;
  ReceiveDate: string;
  ErrorCode: string;
  ErrorDescription: string;
}

export type SandboxPushFaultKind = "drop" | "fail" | "slow";

/** A fault for the next push attempt(s). */
export type SandboxPushFault =
  /** The push never reaches the receiver; it counts as failed and is tried again. */
  | { kind: "drop"; count?: number }
  /** The push reaches the receiver, whose answer is then ignored: treated as failed, pushed again. */
  | { kind: "fail"; count?: number }
  /** The push waits `ms` before it is sent. */
  | { kind: "slow"; ms: number; count?: number };

export type PendingSandboxPushFault = SandboxPushFault & { count: number };

/** One push attempt. */
export interface SandboxPush {
  /** 1, 2, … since start or the last reset. */
  attempt: number;
  /** ISO 8601 time (sandbox clock) the push was made. */
  time: string;
  url: string;
  /** The JSON array sent, in the order sent. */
  reports: SandboxReport[];
  messageIds: string[];
  /** MessageIds in this push that had been acknowledged before (deliberate duplicates). */
  duplicates: string[];
  fault: SandboxPushFaultKind | null;
  /** HTTP status of the receiver's answer, null when none was read. */
  status: number | null;
  /** The answer's text (first 512 characters), null when none was read. */
  answer: string | null;
  /**
   * `acknowledged`: HTTP 200 with `{"code":0}`; `refused`: any other answer; `failed`: answered
   * but treated as failed (fault `fail`); `dropped`: never sent (fault `drop`); `error`: no answer
   * (connection refused or cut, timeout). All but `acknowledged` are pushed again.
   */
  result: "acknowledged" | "refused" | "failed" | "dropped" | "error";
  /** What went wrong for `error`, else null. */
  error: string | null;
}

/** One API request as the sandbox saw it (admin requests and preflights are not listed). */
export interface SandboxRequest {
  time: string;
  method: string;
  action: string | null;
  scheme: "v1" | "acs3" | null;
  accessKeyId: string | null;
  /** HTTP status answered, or null when the connection was dropped or left without answer. */
  status: number | null;
  /** Gateway `Code` or business `ResponseCode` (with a note when a fault changed delivery). */
  code: string | null;
  /** Recipients of an accepted send call (a batch's FailedList included); 0 otherwise. */
  recipients: number;
  requestId: string | null;
  fault: SandboxFaultKind | null;
}

export type SandboxFaultKind =
  | "delay"
  | "dropBeforeAccept"
  | "htmlError"
  | "throttle"
  | "responseCode"
  | "dropAfterAccept"
  | "hangAfterAccept"
  | "truncatedJson"
  | "clockSkew";

interface FaultBase {
  /** How many of the next API requests it applies to. @default 1 */
  count?: number;
  /**
   * Only requests for this operation use it (the Action in the query or `x-acs-action`);
   * without it, the next request of any operation does.
   */
  action?: SandboxOperation;
}

/**
 * A failure to inject. Before-accept kinds record nothing; after-accept kinds process and record
 * the request, then damage the answer.
 */
export type SandboxFault =
  /** Wait `ms` before handling the request normally. */
  | (FaultBase & { kind: "delay"; ms: number })
  /** Destroy the connection before reading the request. Nothing recorded. */
  | (FaultBase & { kind: "dropBeforeAccept" })
  /** Answer an HTML error page; with `afterAccept`, only after recording the messages. */
  | (FaultBase & { kind: "htmlError"; status?: 500 | 502 | 503 | 504; afterAccept?: boolean })
  /** Answer the gateway's throttling error (after authentication). Nothing recorded. */
  | (FaultBase & {
      kind: "throttle";
      /** @default "Throttling.User" */
      code?: "Throttling.User" | "Throttling.Api" | "Throttling";
      /** @default 400 */
      status?: number;
      /** Value of `x-acs-retry-after`, in milliseconds. @default 1000 */
      retryAfterMs?: number;
    })
  /** Answer HTTP 200 with this business ResponseCode (e.g. QPS_LIMIT_CONTROL). Nothing recorded. */
  | (FaultBase & { kind: "responseCode"; code: string; description?: string })
  /** Record the messages, then destroy the connection without an answer. */
  | (FaultBase & { kind: "dropAfterAccept" })
  /** Record the messages, then never answer (the client times out). */
  | (FaultBase & { kind: "hangAfterAccept" })
  /** Record the messages, then send a well-framed body cut half-way. */
  | (FaultBase & { kind: "truncatedJson" })
  /** Shift the sandbox clock by `ms` for the timestamp check. */
  | (FaultBase & { kind: "clockSkew"; ms: number });

/** A fault as stored: defaults filled in, `count` = uses left. */
export type PendingSandboxFault = SandboxFault & {
  count: number;
  stage: "arrival" | "gateway" | "delivery" | "clock";
};

export interface Sandbox {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** `host:port`, the form the official SDK's `endpoint` option takes. */
  readonly endpoint: string;
  /** Stops listening and closes every connection, including hanging ones. */
  close(): Promise<void>;
  /** Accepted messages of both send operations, oldest first (copies). */
  messages(): SandboxMessage[];
  /** Accepted SmsConversion and ConversionData calls, oldest first (copies). */
  conversions(): SandboxConversion[];
  /** API requests seen, oldest first (copies). */
  requests(): SandboxRequest[];
  /**
   * Back to a fresh state: messages, conversions, reports, pushes, request log, nonces, rate
   * state, faults, ID sequence; the callback URL goes back to the `reportUrl` option.
   */
  reset(): void;
  /**
   * Queues a fault for the next API request(s).
   * @throws {TypeError} when the fault is malformed
   */
  inject(fault: SandboxFault): PendingSandboxFault;
  /** Faults still waiting. */
  pendingFaults(): PendingSandboxFault[];
  /** Drops every waiting fault, push faults included. */
  clearFaults(): void;
  /** The callback URL reports are pushed to, or null. */
  readonly reportUrl: string | null;
  /**
   * Sets or clears the callback URL. Reports that become due afterwards, and those waiting to be
   * pushed again, go there; clearing it drops the latter (QueryMessage still answers them).
   * @throws {TypeError} when it is not an http:// URL
   */
  setReportUrl(url: string | URL | null): void;
  /** Every push attempt, oldest first (copies). */
  pushes(): SandboxPush[];
  /**
   * Reports not settled: not yet due, or due and waiting for (or in) a push that the receiver
   * has not acknowledged, planned duplicates included. `pending`-outcome messages never count.
   */
  pendingReports(): number;
  /**
   * Resolves once `pendingReports()` is 0. Rejects when the sandbox closes first, or after
   * `timeoutMs` when given.
   */
  reportsSettled(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Queues a fault for the next push attempt(s).
   * @throws {TypeError} when the fault is malformed
   */
  injectPushFault(fault: SandboxPushFault): PendingSandboxPushFault;
  /** Push faults still waiting. */
  pendingPushFaults(): PendingSandboxPushFault[];
}

/** Starts a sandbox on 127.0.0.1 (port 0 by default) and resolves once it listens. */
export function startSandbox(options?: SandboxOptions): Promise<Sandbox>;

/** The default key pair: `LTAI5tSandboxTestKey` / `SandboxTestSecret0123456789abc`. Test values only. */
export const DEFAULT_KEY: Readonly<Required<Pick<SandboxKey, "accessKeyId" | "accessKeySecret">>>;
/** The default STS key, with the token it must present. Test values only. */
export const DEFAULT_STS_KEY: Readonly<Required<SandboxKey>>;

/** Accepted timestamp distance from the sandbox clock, either way: 15 minutes, in ms. */
export const TIMESTAMP_TOLERANCE_MS: number;
/** How long a SignatureNonce stays used: 31 minutes, in ms. */
export const NONCE_RETENTION_MS: number;
/** Each operation's default calls per second per AccessKeyId (`Infinity`: not limited). */
export const DEFAULT_QPS: Readonly<Record<SandboxOperation, number>>;
/** The push fault kinds. */
export const PUSH_FAULT_KINDS: readonly SandboxPushFaultKind[];
/** Each fault kind and the stage at which it acts. */
export const FAULT_KINDS: Readonly<Record<SandboxFaultKind, "arrival" | "gateway" | "delivery" | "clock">>;

// ---- the sandbox's own verifier, as pure functions

/** Percent-encodes UTF-8 bytes; only `A-Z a-z 0-9 - _ . ~` stay bare. */
export function percentEncode(text: string): string;
/** Decodes a query or form body as a web server does (`+` is a space). */
export function decodeForm(text: string): Array<[string, string]>;

/** Signature 1.0 canonicalized query string (every parameter except `Signature`). */
export function canonicalizedQueryV1(params: Readonly<Record<string, string>>): string;
export function stringToSignV1(method: string, params: Readonly<Record<string, string>>): string;
/** Base64 HMAC-SHA1 with key `secret + "&"`. */
export function signatureV1(stringToSign: string, accessKeySecret: string): string;
export function verifySignatureV1(input: {
  method: string;
  params: Readonly<Record<string, string>>;
  accessKeySecret: string;
}): { valid: boolean; stringToSign: string };

export interface Acs3Authorization {
  algorithm: string;
  credential: string;
  signedHeaders: string[];
  signature: string;
}
export type HeaderValues = Readonly<Record<string, string | readonly string[] | undefined>>;

export function parseAcs3Authorization(header: string | undefined): Acs3Authorization | null;
export function canonicalRequestAcs3(input: {
  method: string;
  path: string;
  query: Readonly<Record<string, string>>;
  headers: HeaderValues;
  signedHeaders: readonly string[];
  hashedPayload: string;
}): string;
export function stringToSignAcs3(canonicalRequest: string): string;
/** Lower-case hex HMAC-SHA256 keyed with the secret as given. */
export function signatureAcs3(stringToSign: string, accessKeySecret: string): string;
export function verifySignatureAcs3(input: {
  method: string;
  path: string;
  query: Readonly<Record<string, string>>;
  /** Must include `authorization`. */
  headers: HeaderValues;
  body?: string | Uint8Array;
  accessKeySecret: string;
}): { valid: boolean; canonicalRequest: string; stringToSign: string; problem?: string };
/** Lower-case hex SHA-256. */
export function sha256Hex(data: string | Uint8Array): string;
/** SHA-256 of an empty body. */
export const EMPTY_BODY_SHA256: string;
