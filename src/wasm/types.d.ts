/** An AccessKey pair; with `securityToken` for STS (temporary) credentials. */
export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/**
 * Credentials the Node entry read from ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN,
 * used only when the options give neither `credentials` nor a `signer`. Callers leave it out.
 */
export type EnvironmentCredentials = Credentials | undefined;

/** `NOTIFY` (notifications, the default) or `MKT` (promotional messages). */
export type MessageType = "NOTIFY" | "MKT";

/** `"1.0"` (HMAC-SHA1, the default: no custom headers, browser-friendly) or `"ACS3"` (ACS3-HMAC-SHA256). */
export type SignatureVersion = "1.0" | "ACS3";

/** A batch: recipients and their message(s). No credentials needed to validate one. */
export interface BatchOptions {
  /** Recipient numbers as people write them: `+852 9123 4567`, `00852-9123-4567`, `85291234567`. 1 to 1000. */
  to: string[];
  /** One text for every recipient, or one per recipient (same length and order as `to`). At most 500 UTF-16 units each. */
  message: string | string[];
  /** Sender ID: ASCII letters and digits, at most 11 with a letter, 15 digits only. `""` or absent: not sent. */
  from?: string;
  /** @default "NOTIFY" */
  type?: MessageType;
  /** Campaign ID echoed in delivery receipts, 1 to 255 characters. `""` or absent: not sent. */
  taskId?: string;
  /** Drop repeats of a number (keeping the first) instead of refusing the batch. @default false */
  dropDuplicates?: boolean;
  /** Check each country's national number length (generous ranges). @default true */
  checkNationalLength?: boolean;
  /** Seconds the carrier keeps trying to deliver (60 to 259200). Absent: not sent (the service's default). */
  validityPeriod?: number;
  /** `ChannelId` given by Alibaba for a dedicated channel: 1 to 64 letters, digits, `-`, `_`, `.`. Absent: not sent. */
  channelId?: string;
}

/** How every call is made: who signs, where to, how long, how often. */
export interface CallOptions {
  /** In Node, read from ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET / ALIBABA_CLOUD_SECURITY_TOKEN when absent. */
  credentials?: Credentials;
  /** `https://host[:port]/` or a bare host; plain `http://` only to loopback (the sandbox). @default "https://dysmsapi.ap-southeast-1.aliyuncs.com/" */
  endpoint?: string;
  /** @default "1.0" */
  signatureVersion?: SignatureVersion;
  /** Milliseconds allowed for each attempt, from sending to the end of the answer (1 to 600000). @default 10000 */
  timeoutMs?: number;
  /** Attempts in all, counting resends after throttling or a refused connection (1 to 10). @default 4 */
  maxAttempts?: number;
  /** Aborts waiting or sending. An abort after the request left gives `OUTCOME_UNKNOWN`, before it `ABORTED`. */
  signal?: AbortSignal;
}

/** Everything `batchSend` and `signRequest` take. */
export interface SendOptions extends BatchOptions, CallOptions {
  /**
   * Signs elsewhere, so this side never holds a secret (a browser page): called once per attempt
   * with the batch as it will be sent; resolves to the signed request (e.g. from a server running
   * `createSigningHandler`). Replaces `credentials`. A rejection with an `SmsError` ends the send
   * with that error; any other throw or rejection ends it with `SIGNING_FAILED` (`cause`: what
   * was thrown). An answer that takes longer than `timeoutMs` is `SIGNING_FAILED` too.
   */
  signer?: (request: SigningRequest) => Promise<SignedRequest>;
  /**
   * An account's pace shared by many processes (`redisPacer` from `aliyun-globe-sms/redis`):
   * every send first takes a slot from it. A store that fails or answers nonsense stops the send
   * before anything leaves (`FLEET_UNAVAILABLE`, `FLEET_UNTRUSTED`).
   */
  pacer?: SharedPacer;
}

/**
 * Hands out an account's sending slots across processes. The package decides when to send; the
 * pacer only orders, on one clock for all: `take` reserves the next slot of `key` (an opaque
 * hash, never the AccessKeyId), `intervalMs` after the one before, and resolves to
 * the milliseconds until it; at the slot, `send` resolves to 0 and records the send when the
 * previous send was recorded at least `intervalMs` ago,
 * else to the wait until then; `left` says a send of `key` had left by now (a process's first
 * send was answered, or a send left later than `send` recorded it): the next send counts from
 * here; `penalize` holds every send back `ms` from now (the service throttled).
 */
export interface SharedPacer {
  take(key: string, intervalMs: number): Promise<number>;
  send(key: string, intervalMs: number): Promise<number>;
  /** A send of `key` had left by now: no send of `key` before an interval from now. */
  left(key: string): Promise<unknown>;
  penalize(key: string, ms: number, intervalMs: number): Promise<unknown>;
}

/**
 * Where a fleet of workers keeps one campaign (`redisCampaign` from `aliyun-globe-sms/redis`).
 * It stores and orders what the package writes, atomically: `key` is the campaign's (a hash of
 * `id`, endpoint and key); `claim` gives a request to `owner` for `leaseMs` (`[k, 0]`), or says
 * none is free (`[-1, ms until a lease ends]`, `[-1, -1]`: none left); `mark` stores a request's
 * mark only while `owner`'s claim holds and it has none (1, else 0); `finish` stores an outcome
 * over its mark (1, else 0); `mark` and `finish` answer 1 to the same command sent twice. `claim` and `mark` answer `[-2, 0]` and -2 when the campaign's
 * header is gone (the store lost what it held): the worker stops with FLEET_UNTRUSTED.
 */
export interface FleetStore {
  /** The campaign's name, the same in every worker. */
  id: string;
  /** How long a claim holds a request (1000 to 3600000). @default 60000 */
  leaseMs?: number;
  open(key: string, head: string): Promise<string>;
  read(key: string): Promise<{ head: string | null; marks: [string, string][]; outcomes: [string, string][] }>;
  claim(key: string, requests: number, owner: string, leaseMs: number): Promise<[number, number]>;
  mark(key: string, request: number, owner: string, entry: string, leaseMs: number): Promise<number>;
  finish(key: string, request: number, mark: string, outcome: string): Promise<number>;
  /** The request's send left nothing (not_sent): remove its mark if it is `mark`, so the request may be claimed again (1; -2 when the header is gone). */
  unmark(key: string, request: number, mark: string): Promise<number>;
  /** `owner` stopped before marking `request`: its claim may end now (1; 0 when not its own or marked). Without it, the claim ends with its lease. */
  release?(key: string, request: number, owner: string): Promise<number>;
}

/** What a `signer` is asked to sign: the validated batch, numbers normalized, one text each. */
export interface SigningRequest {
  to: string[];
  message: string[];
  from?: string;
  type: MessageType;
  taskId?: string;
  validityPeriod?: number;
  channelId?: string;
  signatureVersion: SignatureVersion;
}

/** Every code a validation `Issue` can carry. */
export type IssueCode =
  | "RECIPIENT_EMPTY"
  | "RECIPIENT_INVALID_CHARACTER"
  | "RECIPIENT_TOO_SHORT"
  | "RECIPIENT_TOO_LONG"
  | "RECIPIENT_UNKNOWN_DIALING_CODE"
  | "RECIPIENT_MAINLAND_CHINA"
  | "RECIPIENT_WRONG_LENGTH"
  | "RECIPIENT_DUPLICATE"
  | "MESSAGE_EMPTY"
  | "MESSAGE_TOO_LONG"
  | "MESSAGE_NUL_CHARACTER"
  | "MESSAGE_LONE_SURROGATE"
  | "MESSAGE_COUNT_MISMATCH"
  | "SENDER_ID_INVALID_CHARACTER"
  | "SENDER_ID_TOO_LONG"
  | "BATCH_EMPTY"
  | "BATCH_TOO_LARGE"
  | "BATCH_TOO_LONG"
  | "TYPE_INVALID"
  | "TASK_ID_TOO_LONG"
  | "TASK_ID_INVALID_CHARACTER"
  | "VALIDITY_PERIOD_INVALID"
  | "CHANNEL_ID_TOO_LONG"
  | "CHANNEL_ID_INVALID_CHARACTER"
  | "MESSAGE_ID_EMPTY"
  | "MESSAGE_ID_TOO_LONG"
  | "MESSAGE_ID_INVALID_CHARACTER"
  | "CONVERSION_RATE_INVALID"
  | "CONVERSION_RATE_OUT_OF_RANGE"
  | "TIME_INVALID"
  | "TIME_TOO_EARLY"
  | "TIME_IN_FUTURE";

/** The input field an issue is about. */
export type IssueField =
  | "to"
  | "message"
  | "from"
  | "type"
  | "taskId"
  | "validityPeriod"
  | "channelId"
  | "messageId"
  | "conversionRate"
  | "conversionTime"
  | "reportTime";

/** One problem of a batch. */
export interface Issue {
  code: IssueCode;
  field: IssueField;
  /** The recipient (or per-recipient message) index, when the problem belongs to one. */
  index: number | null;
  /** For `RECIPIENT_DUPLICATE`: the index of the first occurrence. */
  duplicateOf: number | null;
  /** A sentence for people, naming the field and index. */
  message: string;
}

/** `costlyCharacters`: what makes a message dearer than plain GSM-7 text. */
export interface CostlyCharacters {
  encoding: "GSM-7" | "UCS-2";
  /** How many such characters the text holds. */
  total: number;
  /** The first 50 of them, in text order. */
  characters: CostlyCharacter[];
}

/** One character that forces UCS-2 (`ucs2`) or counts two GSM-7 septets (`gsmExtension`). */
export interface CostlyCharacter {
  /** Where it starts, in UTF-16 units from 0 (a string index). */
  at: number;
  /** Its length in UTF-16 units (2 for an emoji). */
  length: number;
  character: string;
  reason: "ucs2" | "gsmExtension";
}

/** Encoding, length and billable segments of one message. */
export interface SegmentCount {
  encoding: "GSM-7" | "UCS-2";
  /** Length in UTF-16 units (what `.length` shows). */
  characters: number;
  /** Billing units: GSM-7 septets (extension characters count 2) or UTF-16 units. */
  units: number;
  /** Segments billed: 160/153 per segment for GSM-7, 70/67 for UCS-2. */
  segments: number;
}

/** A recipient the service accepted. */
export interface SentRecipient {
  index: number;
  /** The number as given. */
  to: string;
  /** The number as sent: dialing code and digits. */
  normalizedTo: string;
  /** `null` only when the answer's counts did not allow pairing (see `anomalies`). */
  messageId: string | null;
}

/** A recipient the service listed in `FailedList`. */
export interface FailedRecipient {
  index: number;
  to: string;
  normalizedTo: string;
}

/** A repeat removed by `dropDuplicates`. */
export interface DroppedDuplicate {
  index: number;
  duplicateOf: number;
}

/** Something in a success answer that did not add up; the result is still reported. */
export type Anomaly =
  | { kind: "MESSAGE_ID_COUNT_MISMATCH"; messageIds: number; accepted: number }
  | { kind: "SUCCESS_COUNT_MISMATCH"; reported: number; accepted: number }
  /** `number`: the entry as the service wrote it, `null` when it is not shaped like a phone number. */
  | { kind: "UNKNOWN_FAILED_NUMBER"; number: string | null };

/** The result of one accepted BatchSendMessageToGlobe call. */
export interface BatchSendResult {
  requestId: string | null;
  responseCode: string;
  responseDescription: string | null;
  from: string | null;
  successCount: number;
  sent: SentRecipient[];
  failed: FailedRecipient[];
  dropped: DroppedDuplicate[];
  anomalies: Anomaly[];
  /** Requests made: more than 1 after throttling or a refused connection. */
  attempts: number;
}

/** Fix the time and nonce of a signature (tests, server-side signing). */
export interface SignAt {
  /** Milliseconds since the epoch, or a Date. @default Date.now() */
  timestamp?: number | Date;
  /** 1 to 128 characters of A-Z a-z 0-9 - _ . ~, unique per request. @default 32 random hex digits */
  nonce?: string;
}

/** A request ready for `fetch(url, { method, headers, body })`. */
export interface SignedRequest {
  method: "POST";
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Every `SmsError.code`. */
export type SmsErrorCode =
  | "INVALID_BATCH"
  | "INVALID_INPUT"
  | "INVALID_CREDENTIALS"
  | "INVALID_ENDPOINT"
  | "INVALID_NONCE"
  | "INVALID_TIMESTAMP"
  | "INVALID_OPTION"
  | "CONNECTION_FAILED"
  | "ABORTED"
  | "NOT_INITIALIZED"
  | "SIGNING_FAILED"
  | "NOT_ALLOWED"
  | "JOURNAL_MISMATCH"
  | "JOURNAL_CORRUPT"
  | "JOURNAL_EMPTY"
  | "JOURNAL_FAILED"
  | "JOURNAL_LOCKED"
  | "THROTTLED"
  | "SIGNATURE_REJECTED"
  | "CREDENTIALS_REJECTED"
  | "TIMESTAMP_REJECTED"
  | "NONCE_REUSED"
  | "PERMISSION_DENIED"
  | "REQUEST_REJECTED"
  | "SERVICE_REJECTED"
  | "RECORD_NOT_FOUND"
  | "UNEXPECTED_RESPONSE"
  | "OUTCOME_UNKNOWN"
  | "FLEET_UNAVAILABLE"
  | "FLEET_UNTRUSTED";

/** Why an outcome is unknown. */
export type UnknownReason = "timeout" | "connection_lost" | "server_error" | "unreadable_body" | "aborted";

/** A recipient named by an error (e.g. those whose fate is unknown). */
export interface RecipientRef {
  index: number;
  to: string;
  normalizedTo: string;
}

/**
 * Where a campaign writes its progress so a crashed run can resume without sending twice. The
 * journal only stores: each entry carries its sequence number and a checksum, and the package
 * refuses to resume from entries it cannot prove whole (JOURNAL_CORRUPT), from none
 * (JOURNAL_EMPTY) or from another campaign's (JOURNAL_MISMATCH).
 */
export interface CampaignJournal {
  /**
   * Stores one entry exactly as given (a JSON text ending in a newline). Must be durable
   * (flushed) when it returns or resolves.
   */
  append(entry: string): void | Promise<void>;
  /** Every entry stored so far, in order, each exactly as it was given to `append`. */
  read(): string[] | Promise<string[]>;
}

/**
 * Recipients per state; each recipient is in exactly one. `sent` counts the sent ones with no
 * final delivery report yet.
 */
export interface CampaignCounts {
  sent: number;
  delivered: number;
  undelivered: number;
  expired: number;
  failed: number;
  rejected: number;
  unknown: number;
  skipped: number;
}

/** After each request of a campaign, and as delivery reports are recorded. */
export interface CampaignProgress extends CampaignCounts {
  /** Recipients still to send. */
  pending: number;
  requestsDone: number;
  requestsTotal: number;
  /** Estimated milliseconds until the last request, at the campaign's pace. */
  etaMs: number;
}

/** `sendCampaign`'s and `resumeCampaign`'s options: a batch's, any number of recipients. */
export interface CampaignOptions extends SendOptions {
  /** Calls per second for this AccessKeyId (1/3600 to 1000), shared by every campaign in the process. @default 1 */
  qps?: number;
  /** Send nothing if any recipient is invalid (otherwise they are `rejected` and the rest go). @default false */
  allOrNothing?: boolean;
  /** After a request whose outcome is unknown: stop (the rest `skipped`) or go on. @default "stop" */
  onUnknown?: "stop" | "continue";
  /** Called after each request; what it throws or rejects with is ignored. */
  onProgress?: (progress: CampaignProgress) => void;
  /** Required by `resumeCampaign`; with `sendCampaign`, it must be empty. */
  journal?: CampaignJournal;
  /**
   * Run by a fleet: the same campaign (list, texts, options, `fleet.id`) in every worker, each
   * request claimed and marked in the store before it is sent, so none is sent twice. Replaces
   * `journal`; `sendCampaign` and `resumeCampaign` both start or go on with what the store holds,
   * and resolve when no request is left, with the whole ledger.
   */
  fleet?: FleetStore;
}

/**
 * A recipient's fate in a campaign: `sent` (accepted; no final delivery report yet), then
 * `delivered`, `undelivered` (billed all the same) or `expired` once a report says so; `failed`
 * (in the service's FailedList), `rejected` (refused before sending), `unknown` (its request may
 * have gone out; never resent) or `skipped` (not sent).
 */
export type CampaignState =
  | "sent"
  | "delivered"
  | "undelivered"
  | "expired"
  | "failed"
  | "rejected"
  | "unknown"
  | "skipped";

/** One line of a campaign's ledger. */
export interface CampaignRecipient {
  index: number;
  to: string;
  /** `null` when the number was invalid. */
  normalizedTo: string | null;
  state: CampaignState;
  messageId: string | null;
  requestId: string | null;
  /**
   * Why: the issue code for `rejected`, the error code for `unknown` and `skipped` (null when
   * the campaign stopped first), the report's code for `delivered`, `undelivered` and `expired`
   * (`DELIVERED`, `UNDELIV`, …).
   */
  code: string | null;
  /** For a repeat of a number: the index of its first occurrence. */
  duplicateOf: number | null;
}

/** The ledger of a campaign: every recipient in exactly one state. */
export interface CampaignResult {
  counts: CampaignCounts;
  requests: { done: number; total: number };
  /**
   * One row per recipient, in list order. Read-only, and built when read: each `recipients[i]`
   * is a new object made from a few bytes per recipient (writes throw a `TypeError`;
   * `structuredClone` refuses it, `Array.from` copies it).
   */
  readonly recipients: readonly CampaignRecipient[];
}

/**
 * What a delivery report or a QueryMessage answer says about one message: a `Report` from
 * `createReportHandler` and a `QueryMessageResult` are both taken as they are (their other
 * fields are not read).
 */
export interface DeliveryEvidence {
  /** The message's MessageId: what joins it to a ledger row. */
  messageId: string;
  /** `delivered`, `failed` (the row becomes `undelivered`) and `expired` are final; `sending` and `other` are not. */
  status: EvidenceStatus;
  /** Kept when of a code's shape (1 to 64 of `A-Z a-z 0-9 . _ -`). */
  errorCode?: string | null;
  /** The number as the service wrote it (`8521234****`); kept when of that shape. */
  to?: string | null;
  /** The TaskId the message was sent with. */
  taskId?: string | null;
}

/** `DeliveryEvidence.status`: a `ReportStatus` or a `DeliveryStatus`. */
export type EvidenceStatus =
  | "delivered"
  | "failed"
  | "expired"
  | "sending"
  | "other";

/**
 * `recordReports`' options: the campaign's own options (the same list, text and options it was
 * sent with, and its `journal`), and the reports to record.
 */
export interface RecordReportsOptions extends CampaignOptions {
  /** At most 100,000 per call. Repeats and reports of other messages change nothing. */
  reports: DeliveryEvidence[];
}

/** `pollCampaign`'s options: the campaign's own options (with its `journal`), and how long to ask. */
export interface PollCampaignOptions extends CampaignOptions {
  /** Milliseconds to keep asking (1 to 86400000). @default 600000 */
  deadlineMs?: number;
  /** Milliseconds before asking about a message again, doubling up to 5 minutes (100 to 300000). @default 10000 */
  intervalMs?: number;
}

/** `sendMessage`'s options: one message to one number (SendMessageToGlobe). */
export interface SendMessageOptions extends CallOptions {
  /** The number as people write it: `+852 9123 4567`, `00852-9123-4567`, `85291234567`. */
  to: string;
  /** The text, at most 500 UTF-16 units. */
  message: string;
  /** Sender ID (as for a batch). `""` or absent: not sent. */
  from?: string;
  /** Echoed in the delivery report, 1 to 255 characters. `""` or absent: not sent. */
  taskId?: string;
  /** Seconds the carrier keeps trying to deliver (60 to 259200). */
  validityPeriod?: number;
  /** `ChannelId` given by Alibaba for a dedicated channel. */
  channelId?: string;
  /** Check the country's national number length (generous ranges). @default true */
  checkNationalLength?: boolean;
  /** SendMessageToGlobe calls per second for this AccessKeyId in this process (1/3600 to 1000). @default 30 */
  qps?: number;
}

/** Where the service says a number belongs, as it wrote it. */
export interface NumberDetail {
  carrier: string | null;
  country: string | null;
  region: string | null;
}

/** An accepted `sendMessage`. */
export interface SendMessageResult {
  /** The key of its delivery report and of `queryMessage`; null only if the accepted answer lacked it. */
  messageId: string | null;
  /** Billed segments (the service's count, else this package's). */
  segments: number;
  /** The number as given. */
  to: string;
  /** The number as sent. */
  normalizedTo: string;
  from: string | null;
  numberDetail: NumberDetail | null;
  requestId: string | null;
  responseCode: string;
  responseDescription: string | null;
  /** Requests it took (throttled attempts are resent). */
  attempts: number;
}

/** `queryMessage`'s options (QueryMessage). */
export interface QueryMessageOptions extends CallOptions {
  /** The MessageId of a sent message. */
  messageId: string;
}

/** Where a message stands: `sending` may still change; the others are final. */
export type DeliveryStatus =
  | "delivered"
  | "failed"
  | "sending"
  | "expired";

/** One message's delivery, as the service knows it now. */
export interface QueryMessageResult {
  messageId: string;
  /** The number, as the service wrote it. */
  to: string | null;
  status: DeliveryStatus;
  /** The carrier's or platform's code (`DELIVERED` when delivered). */
  errorCode: string | null;
  errorDescription: string | null;
  /** When it was handed to the carrier (`new Date(sendDate.epochMs)`). */
  sendDate: ReportDate | null;
  /** The carrier's receipt. */
  receiveDate: ReportDate | null;
  /** The text that was sent. */
  message: string | null;
  numberDetail: NumberDetail | null;
  requestId: string | null;
  responseCode: string;
  attempts: number;
}

/**
 * A date from the service: the instant read from its text (RFC 2822 with an offset, e.g.
 * `Mon, 24 Dec 2018 16:58:22 +0800`), and the text as received. `epochMs` is null when the text
 * is not a date this package reads; the text is kept either way.
 */
export interface ReportDate {
  /** Milliseconds since the epoch, for `new Date(epochMs)`. */
  epochMs: number | null;
  text: string;
}

/** `reportConversion`'s options (SmsConversion): whether a one-time code was used. */
export interface ReportConversionOptions extends CallOptions {
  /** The MessageId of the message that carried the code. */
  messageId: string;
  /** Whether the code was used. `false` is reported too. */
  delivered: boolean;
  /** When it was used, ms since the epoch (after the send, not in the future). Absent: not sent. */
  conversionTime?: number;
}

/** `reportConversionRate`'s options (ConversionData). */
export interface ReportConversionRateOptions extends CallOptions {
  /** The share of codes used, from `"0"` to `"1"`, as decimal text (e.g. `"0.53"`). */
  conversionRate: string;
  /**
   * The time the rate is for, ms since the epoch. Absent: now, sent as `ReportTime` all the same
   * (the service's own default), so a copy resent after an unknown outcome is the same observation.
   */
  reportTime?: number;
}

/** An accepted conversion report: the service acknowledges, nothing more. */
export interface ConversionResult {
  requestId: string | null;
  responseCode: string;
  responseDescription: string | null;
  attempts: number;
}

/** `pollDeliveries`' options: where sent messages stand, asked until final or a deadline. */
export interface PollOptions extends CallOptions {
  /** The MessageIds to follow (e.g. a campaign ledger's `messageId`s). */
  messageIds: string[];
  /** Milliseconds to keep asking (1 to 86400000). @default 600000 */
  deadlineMs?: number;
  /** Milliseconds before asking about a message again, doubling up to 5 minutes (100 to 300000). @default 10000 */
  intervalMs?: number;
}

/** Where a polled message stands: final, still `sending`, `unknown` (never answered with a status), or `refused` (the question was refused; `code`). */
export type PolledState =
  | "delivered"
  | "failed"
  | "expired"
  | "sending"
  | "unknown"
  | "refused";

/** One polled message. */
export interface PolledMessage {
  messageId: string;
  state: PolledState;
  /** The last answer with a status. */
  result: QueryMessageResult | null;
  /** The code of the last question, when it failed (`RECORD_NOT_FOUND` while the service has no record). */
  code: SmsErrorCode | null;
  /** Questions asked about it. */
  queries: number;
}

/** What `pollDeliveries` resolves to: every message, in the order given (repeats once). */
export interface PollResult {
  messages: PolledMessage[];
}

/**
 * What a delivery report says became of a message: `delivered` (`Status` 1), `failed` (2: still
 * billed), `expired` (6), or `other` (any other code, kept in `statusCode`: the list may grow).
 */
export type ReportStatus =
  | "delivered"
  | "failed"
  | "expired"
  | "other";

/** One delivery report, read from one entry of a push (`createReportHandler`). */
export interface Report {
  /** The entry's position in the pushed array. */
  index: number;
  /** Joins to the send's MessageId (`sent[i].messageId`, a campaign row's `messageId`). */
  messageId: string;
  status: ReportStatus;
  /** `Status` as the service wrote it (`"1"`, `"2"`, `"6"`, …). */
  statusCode: string;
  /** The number, as the service wrote it (masked: `8521234****`). */
  to: string | null;
  /** The TaskId given when sending. */
  taskId: string | null;
  /** Billed segments (`SmsSize`). */
  segments: number | null;
  /** When it was handed to the carrier (`new Date(sendDate.epochMs)`). */
  sendDate: ReportDate | null;
  /** The carrier's receipt. */
  receiveDate: ReportDate | null;
  /** The carrier's or platform's code (`DELIVERED`, `UNDELIV`, `success`, …). */
  errorCode: string | null;
  errorDescription: string | null;
  /**
   * Fields present but not kept because their value was not of the field's shape, in Alibaba's
   * spelling (`"SmsSize"`, `"ErrorDescription"`, …). Anyone can POST to a callback URL, so free
   * text of another shape is never kept.
   */
  ignoredFields: string[];
}

/** Why one entry of a push was not read as a report. */
export type ReportEntryProblem =
  | "ENTRY_NOT_JSON"
  | "ENTRY_NOT_AN_OBJECT"
  | "ENTRY_MISSING_MESSAGE_ID"
  | "ENTRY_INVALID_MESSAGE_ID"
  | "ENTRY_MISSING_STATUS"
  | "ENTRY_INVALID_STATUS";

/** An entry of a push that is not a usable report: the other entries are kept. */
export interface RejectedReport {
  /** The entry's position in the pushed array. */
  index: number;
  problem: ReportEntryProblem;
  /** Its MessageId, when that was readable (an entry without a usable `Status`). */
  messageId: string | null;
}

/** What else a push held, beside the fresh reports handed to `onReports`. */
export interface ReportPushDetails {
  /**
   * Reports already handed on (same `MessageId` and `Status`, within the dedupe window) or
   * repeated within this push: Alibaba may push a report twice.
   */
  duplicates: Report[];
  /** Entries that are not reports, with why. */
  rejected: RejectedReport[];
}

/** `readCsvCampaign`'s options. */
export interface CsvCampaignOptions {
  /** The number column's header (trimmed, any ASCII case). @default the first of to, number, numbers, phone, phone number, mobile, msisdn, recipient, recipients; else the first column */
  numberColumn?: string;
  /** The column holding each row's own text. Not with `message`. */
  messageColumn?: string;
  /** One text for every row, or a template: `{column}` is replaced by the row's cell, `{{` and `}}` are literal braces. */
  message?: string;
  /** @default the more frequent of the two outside quotes in the first non-blank record; `,` on a tie */
  delimiter?: "," | ";";
  /**
   * Whether the first non-blank record is the header. `"auto"`: when none of its cells holds a
   * digit (as every phone number does). Without a header, columns are named `"1"`, `"2"`, …
   * @default true
   */
  header?: boolean | "auto";
}

/** Every code a `CsvIssue` can carry. */
export type CsvIssueCode =
  | "CSV_UNTERMINATED_QUOTE"
  | "CSV_NO_RECORDS"
  | "CSV_UNKNOWN_COLUMN"
  | "CSV_MISSING_CELL"
  | "CSV_EMPTY_VALUE"
  | "CSV_EXTRA_CELLS";

/** One problem of a CSV table. */
export interface CsvIssue {
  /** The CSV line (from 1) of the row; the header's line for an unknown column. */
  line: number;
  /** The column's header name, when the problem is about one. */
  column: string | null;
  code: CsvIssueCode;
  /** A sentence for people, naming the line and column. */
  message: string;
}

/** A CSV table read as a campaign's recipients and texts. */
export interface CsvCampaign {
  delimiter: "," | ";";
  /** The header's cells, trimmed; `"1"`, `"2"`, … without a header. */
  header: string[];
  /** The numbers of the rows without a problem, as written. */
  to: string[];
  /** One text for all (`message` without placeholders), or one per recipient of `to`. */
  message: string | string[];
  /** `lines[i]`: the CSV line of `to[i]`. */
  lines: number[];
  issues: CsvIssue[];
  /** The rows left out for a problem, in line order (`resultsCsv` lists them as `rejected`). */
  leftOut: CsvLeftOut[];
}

/** A row `readCsvCampaign` left out. */
export interface CsvLeftOut {
  line: number;
  /** Its number as written; `null` when the row has no such cell. */
  to: string | null;
  /** The code of its first problem. */
  code: CsvIssueCode;
  /** Its problems' sentences, without the line. */
  reason: string;
}

/** What `sendCampaign` would do with the same options: `planCampaign`. */
export interface CampaignPlan {
  recipients: number;
  /** Recipients that would be sent to. */
  valid: number;
  /** Every problem: the campaign's (index `null`: nothing would be sent) and each recipient's. */
  issues: Issue[];
  /** Recipients refused before sending, repeats included. */
  rejected: number;
  /** Repeats of an earlier number (refused, or dropped with `dropDuplicates`). */
  duplicates: number;
  /** Segments billed in all for the valid recipients. */
  segments: number;
  /** Valid recipients per encoding of their text. */
  encodings: { gsm7: number; ucs2: number };
  /** Requests needed (at most 1000 recipients and the URL limit each). */
  requests: number;
  /** Seconds from the first request to the last at `qps`. */
  seconds: number;
}
