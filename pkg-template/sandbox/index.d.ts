// Types of aliyun-globe-sms/sandbox (Node only).

/** An AccessKey pair the sandbox accepts; with `securityToken` it is an STS key. */
export interface SandboxKey {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS token this key must present (`SecurityToken` / `x-acs-security-token`). */
  securityToken?: string;
}

export interface SandboxOptions {
  /** TCP port. @default 0 (any free port) */
  port?: number;
  /** Address to bind. @default "127.0.0.1" */
  host?: string;
  /** Accepted keys. @default [DEFAULT_KEY, DEFAULT_STS_KEY] */
  keys?: readonly SandboxKey[];
  /**
   * Calls per second per AccessKeyId before `Throttling.User`: a positive integer, or
   * `Infinity` to switch throttling off. @default 1 (the service's limit)
   */
  qps?: number;
  /** The sandbox's time in milliseconds since the epoch. @default Date.now */
  clock?: () => number;
  /** Receives one line per API request; `false` for none. @default false */
  log?: ((line: string) => void) | false;
  /**
   * Numbers (exactly as sent in `To`) that land in FailedList. Numbers whose last four digits
   * are `0000` and Chinese-mainland numbers (`86…`) always do. @default []
   */
  failNumbers?: readonly string[];
  /** Largest request head (request line + headers) in bytes. @default 8388608 (8 MiB) */
  maxHeaderSize?: number;
}

/** A message the sandbox accepted, one per recipient not in FailedList. */
export interface SandboxMessage {
  /** Recipient number, as sent. */
  to: string;
  /** Message text for this recipient. */
  message: string;
  /** Sender ID, or null when none was given. */
  from: string | null;
  type: "NOTIFY" | "MKT";
  taskId: string | null;
  requestId: string;
  /** 19-digit MessageId, as returned in MessageIdList. */
  messageId: string;
  accessKeyId: string;
  /** Which signature the request used: `v1` (signature 1.0) or `acs3` (ACS3-HMAC-SHA256). */
  scheme: "v1" | "acs3";
  /** ISO 8601 time of acceptance by the sandbox clock. */
  time: string;
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
  /** Recipients of an accepted call, FailedList included; 0 otherwise. */
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
  /** Accepted messages, oldest first (copies). */
  messages(): SandboxMessage[];
  /** API requests seen, oldest first (copies). */
  requests(): SandboxRequest[];
  /** Back to a fresh state: messages, request log, nonces, rate state, faults, ID sequence. */
  reset(): void;
  /**
   * Queues a fault for the next API request(s).
   * @throws {TypeError} when the fault is malformed
   */
  inject(fault: SandboxFault): PendingSandboxFault;
  /** Faults still waiting. */
  pendingFaults(): PendingSandboxFault[];
  /** Drops every waiting fault. */
  clearFaults(): void;
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
