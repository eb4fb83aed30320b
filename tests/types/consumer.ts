// A strict TypeScript consumer of the installed package: every export of "aliyun-globe-sms",
// "aliyun-globe-sms/sandbox", "aliyun-globe-sms/journal" and "aliyun-globe-sms/redis", used with the types a user would write. Compiled (never run) by
// types.test.mjs with `tsc --strict --noEmit`, once with NodeNext resolution and once with
// bundler resolution, so the `types` conditions of `exports` are what is checked. Each
// `@ts-expect-error` proves a type is strict where it must be: if the line compiled, tsc fails.

import {
  SmsError,
  batchSend,
  costlyCharacters,
  countSegments,
  createReportHandler,
  createSigningHandler,
  isSmsError,
  planCampaign,
  pollCampaign,
  pollDeliveries,
  queryMessage,
  readCsvCampaign,
  readFleetCampaign,
  ready,
  recordReports,
  reportConversion,
  reportConversionRate,
  resultsCsv,
  resumeCampaign,
  sendCampaign,
  sendMessage,
  signRequest,
  signingService,
  validateBatch,
  type Anomaly,
  type BatchOptions,
  type BatchSendResult,
  type CampaignJournal,
  type CampaignOptions,
  type FleetStore,
  type SharedPacer,
  type CampaignPlan,
  type CostlyCharacter,
  type CostlyCharacters,
  type CsvCampaign,
  type CsvCampaignOptions,
  type CsvIssue,
  type CsvLeftOut,
  type CsvIssueCode,
  type CampaignProgress,
  type CampaignRecipient,
  type CampaignCounts,
  type CampaignResult,
  type DeliveryEvidence,
  type EvidenceStatus,
  type PollCampaignOptions,
  type RecordReportsOptions,
  type CampaignState,
  type ConversionResult,
  type Credentials,
  type DeliveryStatus,
  type DroppedDuplicate,
  type FailedRecipient,
  type Issue,
  type IssueCode,
  type IssueField,
  type MessageType,
  type NumberDetail,
  type PollResult,
  type PolledState,
  type QueryMessageResult,
  type RecipientRef,
  type RejectedReport,
  type Report,
  type ReportDate,
  type ReportEntryProblem,
  type ReportHandlerOptions,
  type ReportPushDetails,
  type ReportStatus,
  type SegmentCount,
  type SendMessageOptions,
  type SendMessageResult,
  type SendOptions,
  type SentRecipient,
  type SignAt,
  type SignatureVersion,
  type SignedRequest,
  type SigningHandlerOptions,
  type SigningPolicy,
  type SigningRequest,
  type SigningServiceInit,
  type SmsErrorCode,
  type UnknownReason,
} from "aliyun-globe-sms";
import {
  DEFAULT_KEY,
  DEFAULT_QPS,
  DEFAULT_STS_KEY,
  EMPTY_BODY_SHA256,
  FAULT_KINDS,
  NONCE_RETENTION_MS,
  PUSH_FAULT_KINDS,
  TIMESTAMP_TOLERANCE_MS,
  canonicalRequestAcs3,
  canonicalizedQueryV1,
  decodeForm,
  parseAcs3Authorization,
  percentEncode,
  sha256Hex,
  signatureAcs3,
  signatureV1,
  startSandbox,
  stringToSignAcs3,
  stringToSignV1,
  verifySignatureAcs3,
  verifySignatureV1,
  type Acs3Authorization,
  type HeaderValues,
  type PendingSandboxFault,
  type Sandbox,
  type SandboxFault,
  type SandboxFaultKind,
  type SandboxKey,
  type SandboxMessage,
  type SandboxOptions,
  type SandboxRequest,
} from "aliyun-globe-sms/sandbox";
import { fileJournal, type FileJournal } from "aliyun-globe-sms/journal";
import { redisCampaign, redisPacer, type RedisClient } from "aliyun-globe-sms/redis";

/** A compile-time equality check: `Equal<A, B>` is `true` only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <T extends true>(_: T): void => undefined;

/** What a caller does with each error code: the switch must stay exhaustive. */
function describeError(error: SmsError): string {
  const code: SmsErrorCode = error.code;
  switch (code) {
    case "INVALID_BATCH":
    case "INVALID_INPUT": {
      const issues: Issue[] | undefined = error.issues;
      return `invalid batch: ${issues?.map((i) => `${i.code}@${i.index ?? "-"}`).join(", ")}`;
    }
    case "INVALID_CREDENTIALS":
    case "INVALID_ENDPOINT":
    case "INVALID_NONCE":
    case "INVALID_TIMESTAMP":
    case "INVALID_OPTION":
      return `bad ${error.field ?? "input"}`;
    case "CONNECTION_FAILED":
      return `not connected after ${error.attempts ?? 0} attempts`;
    case "ABORTED":
    case "NOT_INITIALIZED":
    case "SIGNING_FAILED":
      return code;
    case "NOT_ALLOWED":
      return `not allowed: ${error.field ?? "request"}`;
    case "JOURNAL_MISMATCH":
    case "JOURNAL_CORRUPT":
    case "JOURNAL_EMPTY":
    case "JOURNAL_FAILED":
    case "JOURNAL_LOCKED":
    case "FLEET_UNAVAILABLE":
    case "FLEET_UNTRUSTED": {
      const ledger: CampaignResult | undefined = error.ledger;
      return `${code}: ${ledger ? ledger.counts.sent : 0} sent before the journal failed`;
    }
    case "THROTTLED":
      return `throttled; retry after ${error.retryAfterMs ?? 1000} ms; retryable ${error.retryable}`;
    case "SIGNATURE_REJECTED":
    case "CREDENTIALS_REJECTED":
    case "TIMESTAMP_REJECTED":
    case "NONCE_REUSED":
    case "PERMISSION_DENIED":
    case "REQUEST_REJECTED":
    case "SERVICE_REJECTED":
    case "RECORD_NOT_FOUND":
    case "UNEXPECTED_RESPONSE": {
      const status: number | undefined = error.httpStatus;
      const requestId: string | undefined = error.requestId;
      const serviceCode: string | undefined = error.serviceCode;
      return `${serviceCode} ${status} ${requestId}`;
    }
    case "OUTCOME_UNKNOWN": {
      const reason: UnknownReason | undefined = error.reason;
      const recipients: RecipientRef[] = error.recipients ?? [];
      return `${reason}: ${recipients.map((r) => `${r.index} ${r.to} ${r.normalizedTo}`).join("; ")}`;
    }
    default: {
      const never: never = code;
      return never;
    }
  }
}

async function main(): Promise<void> {
  await ready();
  await ready(new Uint8Array(0));
  await ready(new URL("https://example.com/aliyun_globe_sms_bg.wasm"));

  const sandboxOptions: SandboxOptions = { qps: Infinity, failNumbers: ["6598765432"], log: false, clock: () => Date.now() };
  const sandbox: Sandbox = await startSandbox(sandboxOptions);
  const keys: SandboxKey[] = [DEFAULT_KEY, DEFAULT_STS_KEY];
  const credentials: Credentials = { accessKeyId: DEFAULT_STS_KEY.accessKeyId, accessKeySecret: DEFAULT_STS_KEY.accessKeySecret, securityToken: DEFAULT_STS_KEY.securityToken };
  const type: MessageType = "MKT";
  const signatureVersion: SignatureVersion = "ACS3";

  const batch: BatchOptions = { to: ["+852 9123 4567"], message: ["hi"], from: "Acme", type, taskId: "t1", dropDuplicates: true, checkNationalLength: false };
  const issues: Issue[] = validateBatch(batch);
  const codes: IssueCode[] = issues.map((i) => i.code);
  const fields: IssueField[] = issues.map((i) => i.field);
  const duplicateOf: (number | null)[] = issues.map((i) => i.duplicateOf);

  const controller = new AbortController();
  const options: SendOptions = {
    ...batch,
    credentials,
    endpoint: sandbox.url,
    signatureVersion,
    timeoutMs: 5000,
    maxAttempts: 2,
    signal: controller.signal,
  };
  try {
    const result: BatchSendResult = await batchSend(options);
    const sent: SentRecipient[] = result.sent;
    const failed: FailedRecipient[] = result.failed;
    const dropped: DroppedDuplicate[] = result.dropped;
    const anomalies: Anomaly[] = result.anomalies;
    const count: number = result.successCount + result.attempts;
    const requestId: string | null = result.requestId;
    const responseCode: string = result.responseCode;
    const description: string | null = result.responseDescription;
    const from: string | null = result.from;
    for (const anomaly of anomalies) {
      if (anomaly.kind === "MESSAGE_ID_COUNT_MISMATCH") console.log(anomaly.messageIds, anomaly.accepted);
      else if (anomaly.kind === "SUCCESS_COUNT_MISMATCH") console.log(anomaly.reported, anomaly.accepted);
      else console.log(anomaly.number);
    }
    // @ts-expect-error messageId may be null (counts that do not pair)
    const messageId: string = sent[0]!.messageId;
    console.log(sent, failed, dropped, count, requestId, responseCode, description, from, messageId);
  } catch (error: unknown) {
    if (error instanceof SmsError) console.log(describeError(error));
    if (isSmsError(error)) console.log(error.code, error.name, error.message, error.stack, error.index);
  }

  // A campaign: any number of recipients, a journal of one's own or the Node file journal.
  const entries: string[] = [];
  const memoryJournal: CampaignJournal = {
    append: async (entry: string) => {
      entries.push(entry);
    },
    read: () => entries,
  };
  const progressSeen: CampaignProgress[] = [];
  const campaign: CampaignOptions = {
    ...options,
    to: ["+852 9123 4567", "+65 9123 4567"],
    qps: 2,
    allOrNothing: false,
    onUnknown: "continue",
    onProgress: (progress: CampaignProgress) => {
      const eta: number = progress.etaMs;
      const done: number = progress.requestsDone + progress.requestsTotal + progress.pending;
      progressSeen.push(progress);
      console.log(eta, done, progress.sent, progress.failed, progress.rejected, progress.unknown, progress.skipped);
    },
    journal: memoryJournal,
  };
  try {
    const ledger: CampaignResult = await sendCampaign(campaign);
    const again: CampaignResult = await resumeCampaign({ ...campaign, journal: fileJournal("campaign.jsonl"), onUnknown: "stop" });
    const states: CampaignState[] = ledger.recipients.map((r: CampaignRecipient) => r.state);
    const first: CampaignRecipient | undefined = ledger.recipients[0];
    const ids: (string | null)[] = [first?.messageId ?? null, first?.requestId ?? null, first?.normalizedTo ?? null, first?.code ?? null];
    const duplicateOf: number | null | undefined = first?.duplicateOf;
    const c = again.counts;
    console.log(states, ids, duplicateOf, c.sent + c.failed + c.rejected + c.unknown + c.skipped, again.requests.done, again.requests.total, progressSeen.length);
  } catch (error: unknown) {
    if (isSmsError(error) && error.ledger) console.log(error.ledger.recipients.length, describeError(error));
  }

  // A fleet on Redis (issue 15): the caller's client, a shared pacer and a shared campaign.
  const redisClient: RedisClient = { sendCommand: async (args: string[]) => args.length };
  const pacer: SharedPacer = redisPacer(redisClient, { timeoutMs: 2000 });
  const store: FleetStore = redisCampaign(redisClient, { id: "spring-sale", leaseMs: 30_000 });
  const roundTrips: number = redisPacer(redisClient).stats.roundTrips + redisCampaign(redisClient, { id: "x" }).stats.roundTrips;
  try {
    const fleetOptions: CampaignOptions = { to: ["+852 9123 4567"], message: "Our sale starts today", pacer, fleet: store };
    const fleetLedger: CampaignResult = await sendCampaign(fleetOptions);
    const read: CampaignResult = await readFleetCampaign({ ...fleetOptions, qps: 1 });
    const again: CampaignResult = await readFleetCampaign(fleetOptions);
    const batch: BatchSendResult = await batchSend({ ...options, pacer });
    console.log(fleetLedger.counts.sent, read.counts.unknown, again.counts.skipped, batch.sent.length, roundTrips);
  } catch (error: unknown) {
    if (isSmsError(error)) console.log(describeError(error));
  }
  // @ts-expect-error a fleet campaign needs its id
  redisCampaign(redisClient, { leaseMs: 1000 });

  // A spreadsheet's export read, planned, sent and written back (issue 14).
  const csvOptions: CsvCampaignOptions = { numberColumn: "Mobile", message: "Hi {name}", delimiter: ";", header: "auto" };
  const table: CsvCampaign = readCsvCampaign("name;Mobile\nAnn;+852 9123 4567\n", csvOptions);
  readCsvCampaign("+852 9123 4567");
  const csvIssue: CsvIssue | undefined = table.issues[0];
  const csvCode: CsvIssueCode | undefined = csvIssue?.code;
  const csvColumn: string | null | undefined = csvIssue?.column;
  const texts: string | string[] = table.message;
  const plan: CampaignPlan = planCampaign({ to: table.to, message: texts, qps: 2 });
  const billed: number = plan.segments + plan.encodings.gsm7 + plan.encodings.ucs2 + plan.requests + plan.seconds;
  const planIssues: Issue[] = plan.issues;
  const ledger = await sendCampaign({ ...options, to: table.to, message: texts });
  const exported: string = resultsCsv(ledger, table) + resultsCsv(ledger, table.lines);
  const leftOut: CsvLeftOut | undefined = table.leftOut[0];
  const leftOutNumber: string | null | undefined = leftOut?.to;
  const leftOutCode: CsvIssueCode | undefined = leftOut?.code;
  console.log(table.delimiter, table.header, csvCode, csvColumn, leftOutNumber, leftOutCode, billed, planIssues.length, plan.valid, plan.rejected, plan.duplicates, plan.recipients, exported.length);

  const segments: SegmentCount = countSegments("hello");
  const encoding: "GSM-7" | "UCS-2" = segments.encoding;
  const costly: CostlyCharacters = costlyCharacters("ok \u2713");
  const culprit: CostlyCharacter | undefined = costly.characters[0];
  const reason: "ucs2" | "gsmExtension" | undefined = culprit?.reason;
  const costlyEncoding: "GSM-7" | "UCS-2" = costly.encoding;
  console.log(costly.total, culprit?.at, culprit?.length, culprit?.character, reason, costlyEncoding);
  // @ts-expect-error the reason is one of two
  const wrongReason: CostlyCharacter["reason"] = "emoji";
  console.log(wrongReason);
  const at: SignAt = { timestamp: new Date(), nonce: "n-1" };
  const signed: SignedRequest = signRequest(options, at);
  signRequest(options, { timestamp: 0 });
  signRequest(options);
  const response = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
  console.log(encoding, segments.characters, segments.units, segments.segments, response.status);

  // The signing service: a handler on a server, its client as a browser's signer.
  const policy: SigningPolicy = {
    senderIds: ["Alicloud"],
    maxRecipients: 100,
    types: ["NOTIFY"],
    authorize: async (request: Request) => request.headers.get("cookie") !== null,
  };
  const handlerOptions: SigningHandlerOptions = { credentials: DEFAULT_KEY, endpoint: sandbox.url, allow: policy };
  const handler: (request: Request) => Promise<Response> = createSigningHandler(handlerOptions);
  const answer: Response = await handler(new Request("http://127.0.0.1/sign", { method: "POST", body: "{}" }));
  const init: SigningServiceInit = { headers: { authorization: "Bearer x" }, credentials: "include", fetch };
  const signer: (request: SigningRequest) => Promise<SignedRequest> = signingService(new URL("https://example.com/sign"), init);
  signingService("/sign");
  const viaService: BatchSendResult = await batchSend({ to: ["+852 9123 4567"], message: "x", signer });
  console.log(answer.status, viaService.successCount);

  // The sandbox side.
  const fault: SandboxFault = { kind: "throttle", retryAfterMs: 1500, count: 2 };
  const pending: PendingSandboxFault = sandbox.inject(fault);
  const kinds: SandboxFaultKind[] = sandbox.pendingFaults().map((f) => f.kind);
  sandbox.inject({ kind: "htmlError", status: 503, afterAccept: true });
  sandbox.inject({ kind: "clockSkew", ms: TIMESTAMP_TOLERANCE_MS + 1 });
  sandbox.clearFaults();
  const messages: SandboxMessage[] = sandbox.messages();
  const requests: SandboxRequest[] = sandbox.requests();
  const stages: string[] = Object.values(FAULT_KINDS);
  const queryQps: number = DEFAULT_QPS.QueryMessage;
  const pushFaults: readonly string[] = PUSH_FAULT_KINDS;
  console.log(queryQps, pushFaults);
  sandbox.reset();
  console.log(pending.stage, kinds, messages.map((m) => m.scheme), requests.map((r) => r.status), stages, sandbox.port, sandbox.endpoint, keys);

  const params: Record<string, string> = Object.fromEntries(decodeForm(new URL(signed.url).search.slice(1)));
  const v1 = verifySignatureV1({ method: "POST", params, accessKeySecret: DEFAULT_KEY.accessKeySecret });
  const v1Valid: boolean = v1.valid && stringToSignV1("POST", params) === v1.stringToSign;
  const query: string = canonicalizedQueryV1(params);
  const v1Signature: string = signatureV1(v1.stringToSign, DEFAULT_KEY.accessKeySecret);
  const parsed: Acs3Authorization | null = parseAcs3Authorization(signed.headers["Authorization"]);
  const headers: HeaderValues = { ...signed.headers, host: sandbox.endpoint };
  const canonical: string = canonicalRequestAcs3({ method: "POST", path: "/", query: params, headers, signedHeaders: parsed?.signedHeaders ?? [], hashedPayload: sha256Hex(signed.body) });
  const acs3Signature: string = signatureAcs3(stringToSignAcs3(canonical), DEFAULT_KEY.accessKeySecret);
  const acs3 = verifySignatureAcs3({ method: "POST", path: "/", query: params, headers, body: signed.body, accessKeySecret: DEFAULT_KEY.accessKeySecret });
  const problem: string | undefined = acs3.problem;
  console.log(v1Valid, query, v1Signature, acs3Signature, acs3.valid, problem, percentEncode("a b"), EMPTY_BODY_SHA256, NONCE_RETENTION_MS);
  console.log(codes, fields, duplicateOf);

  await sandbox.close();
}

// The types say what the runtime does.
same<Equal<Awaited<ReturnType<typeof batchSend>>, BatchSendResult>>(true);
same<Equal<ReturnType<typeof validateBatch>, Issue[]>>(true);
same<Equal<ReturnType<typeof signRequest>, SignedRequest>>(true);
same<Equal<ReturnType<typeof ready>, Promise<void>>>(true);
same<Equal<ReturnType<typeof createSigningHandler>, (request: Request) => Promise<Response>>>(true);
same<Equal<ReturnType<typeof signingService>, (request: SigningRequest) => Promise<SignedRequest>>>(true);
same<Equal<Awaited<ReturnType<typeof sendCampaign>>, CampaignResult>>(true);
same<Equal<Awaited<ReturnType<typeof resumeCampaign>>, CampaignResult>>(true);
same<Equal<ReturnType<typeof fileJournal>, FileJournal>>(true);
const asJournal: CampaignJournal = fileJournal("campaign.jsonl");
asJournal.append("{}\n");
same<Equal<CampaignRecipient["state"], "sent" | "delivered" | "undelivered" | "expired" | "failed" | "rejected" | "unknown" | "skipped">>(true);
same<Equal<Awaited<ReturnType<typeof recordReports>>, CampaignResult>>(true);
same<Equal<Awaited<ReturnType<typeof pollCampaign>>, CampaignResult>>(true);
same<Equal<SmsError["name"], "SmsError">>(true);
same<Equal<Issue["index"], number | null>>(true);
same<Equal<ReturnType<typeof readCsvCampaign>, CsvCampaign>>(true);
same<Equal<ReturnType<typeof planCampaign>, CampaignPlan>>(true);
same<Equal<ReturnType<typeof resultsCsv>, string>>(true);
same<Equal<CsvCampaign["delimiter"], "," | ";">>(true);

// Strict where it must be.
// @ts-expect-error only "1.0" and "ACS3"
const badVersion: SignatureVersion = "2.0";
// @ts-expect-error only NOTIFY and MKT
const badType: MessageType = "SPAM";
// @ts-expect-error `to` is a list
validateBatch({ to: "+852 9123 4567", message: "x" });
// @ts-expect-error `message` is required
validateBatch({ to: [] });
// @ts-expect-error codes are a closed union
const badCode: SmsErrorCode = "SOMETHING_ELSE";
// @ts-expect-error onUnknown is "stop" or "continue"
const badUnknown: CampaignOptions = { to: [], message: "x", onUnknown: "retry" };
// @ts-expect-error the delimiter is "," or ";"
readCsvCampaign("to", { delimiter: "\t" });
// @ts-expect-error lines are numbers
resultsCsv({ counts: {} as CampaignCounts, requests: { done: 0, total: 0 }, recipients: [] }, ["1"]);
// @ts-expect-error a row left out has a line
resultsCsv({ counts: {} as CampaignCounts, requests: { done: 0, total: 0 }, recipients: [] }, { lines: [], leftOut: [{ to: null, code: "CSV_EMPTY_VALUE", reason: "" }] });
// @ts-expect-error a journal needs read() as well as append()
const badJournal: CampaignJournal = { append: () => undefined };
// @ts-expect-error faults are a closed union too
const badFault: SandboxFault = { kind: "explode" };
// @ts-expect-error a signing handler needs credentials
createSigningHandler({ allow: { maxRecipients: 10 } });
// @ts-expect-error policy types are MessageType
const badPolicy: SigningPolicy = { types: ["SPAM"] };
// @ts-expect-error a SmsError's code cannot be reassigned
new SmsError("x").code = "ABORTED";

/** One message, its delivery, and the OTP conversion reports (issue 13). */
async function operations(endpoint: string): Promise<DeliveryStatus> {
  const one: SendMessageOptions = { to: "+852 9123 4567", message: "Your code is 4821", validityPeriod: 300, qps: 5, endpoint };
  const sent: SendMessageResult = await sendMessage(one);
  const detail: NumberDetail | null = sent.numberDetail;
  const segments: number = sent.segments;
  const query: QueryMessageResult = await queryMessage({ messageId: sent.messageId ?? "", endpoint });
  const converted: ConversionResult = await reportConversion({ messageId: query.messageId, delivered: true, conversionTime: Date.now() });
  await reportConversionRate({ conversionRate: "0.53", reportTime: Date.now() });
  const polled: PollResult = await pollDeliveries({ messageIds: [query.messageId], deadlineMs: 60_000, intervalMs: 1000 });
  const states: PolledState[] = polled.messages.map((m) => m.state);
  console.log(detail, segments, converted.requestId, states);
  return query.status;
}
// @ts-expect-error a conversion rate is decimal text
void reportConversionRate({ conversionRate: 0.53 });
// @ts-expect-error delivered is a boolean
void reportConversion({ messageId: "1", delivered: "yes" });
// @ts-expect-error statuses are a closed union
const badStatus: DeliveryStatus = "lost";

/** The delivery-report receiver (issue 13): what onReports is given, typed. */
async function receiveReports(): Promise<number> {
  const seen: ReportStatus[] = [];
  const options: ReportHandlerOptions = {
    maxBodyBytes: 1024 * 1024,
    dedupeWindow: 10_000,
    onReports: async (reports: Report[], details: ReportPushDetails) => {
      for (const report of reports) {
        const when: number | null = report.receiveDate?.epochMs ?? null;
        const segments: number | null = report.segments;
        const ignored: string[] = report.ignoredFields;
        if (report.status === "other") console.log(report.statusCode);
        seen.push(report.status);
        console.log(report.index, report.messageId, report.to, report.taskId, report.errorCode, report.errorDescription, report.sendDate?.text, when, segments, ignored);
      }
      const rejected: RejectedReport[] = details.rejected;
      const problems: ReportEntryProblem[] = rejected.map((r) => r.problem);
      const duplicates: Report[] = details.duplicates;
      console.log(problems, rejected.map((r) => r.messageId ?? r.index), duplicates.length);
    },
  };
  const handler: (request: Request) => Promise<Response> = createReportHandler(options);
  // Reports into a campaign's ledger: a Report and a QueryMessageResult are both evidence.
  const campaign: CampaignOptions = { to: ["+852 9123 4567"], message: "Your parcel is on its way", journal: { append: () => undefined, read: () => [] } };
  const pushed: Report[] = [];
  const record: RecordReportsOptions = { ...campaign, reports: pushed };
  const asked: QueryMessageResult[] = [];
  const fromQueries: DeliveryEvidence[] = asked;
  const own: DeliveryEvidence = { messageId: "1", status: "sending", errorCode: null };
  const recorded: CampaignResult = await recordReports({ ...record, reports: [...fromQueries, own] });
  const poll: PollCampaignOptions = { ...campaign, deadlineMs: 60_000, intervalMs: 1000 };
  const polled: CampaignResult = await pollCampaign(poll);
  const counts: CampaignCounts = polled.counts;
  const statuses: EvidenceStatus[] = ["delivered", "failed", "expired", "sending", "other"];
  console.log(recorded.counts.delivered, counts.undelivered + counts.expired, statuses);
  createReportHandler({ onReports: () => undefined });
  const answer: Response = await handler(new Request("http://127.0.0.1/sms/reports", { method: "POST", body: "[]" }));
  return answer.status + seen.length;
}
// @ts-expect-error onReports is required
createReportHandler({ maxBodyBytes: 1024 });
// @ts-expect-error recordReports needs the reports
void recordReports({ to: ["+852 9123 4567"], message: "x" });
// @ts-expect-error evidence statuses are a closed union
const badEvidence: EvidenceStatus = "read";
// @ts-expect-error dedupeWindow is a number
createReportHandler({ onReports: () => undefined, dedupeWindow: "100000" });
// @ts-expect-error report statuses are a closed union
const badReportStatus: ReportStatus = "sending";
// @ts-expect-error problems are a closed union
const badProblem: ReportEntryProblem = "ENTRY_TOO_LONG";
same<Equal<ReturnType<typeof createReportHandler>, (request: Request) => Promise<Response>>>(true);
same<Equal<Report["sendDate"], ReportDate | null>>(true);

console.log(badVersion, badType, badCode, badFault, badUnknown, badJournal, badPolicy, badStatus, operations, receiveReports, badReportStatus, badProblem);
void main();
