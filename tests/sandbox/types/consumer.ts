// A strict consumer of the sandbox's declarations: compiled with tsc --noEmit --strict by
// types.test.mjs. Lines marked @ts-expect-error must stay errors, so the types really constrain.

import {
  DEFAULT_KEY,
  DEFAULT_STS_KEY,
  startSandbox,
  verifySignatureAcs3,
  verifySignatureV1,
  DEFAULT_QPS,
  PUSH_FAULT_KINDS,
  type PendingSandboxFault,
  type PendingSandboxPushFault,
  type Sandbox,
  type SandboxConversion,
  type SandboxFault,
  type SandboxMessage,
  type SandboxOutcome,
  type SandboxPush,
  type SandboxPushFault,
  type SandboxReport,
} from "../../../pkg-template/sandbox/index.js";

export async function use(): Promise<number> {
  const sandbox: Sandbox = await startSandbox({
    keys: [DEFAULT_KEY, DEFAULT_STS_KEY, { accessKeyId: "id", accessKeySecret: "secret" }],
    qps: Infinity,
    clock: () => 0,
    log: (line: string) => void line,
    failNumbers: ["6591230000"],
    sendMessageQps: 30,
    queryMessageQps: Infinity,
    conversionQps: 5,
    reportDelayMs: 50,
    reportUrl: "http://127.0.0.1:9/reports",
    pushBatchSize: 100,
    pushRetryMs: 10,
    pushTimeoutMs: 1000,
    pushConcurrency: 2,
    duplicateRate: 0.1,
    seed: 42,
  });
  sandbox.setReportUrl(null);
  sandbox.setReportUrl(new URL("http://127.0.0.1:9/"));
  const url: string | null = sandbox.reportUrl;
  const pushFaults: SandboxPushFault[] = [{ kind: "drop" }, { kind: "fail", count: 2 }, { kind: "slow", ms: 100 }];
  const pendingPush: PendingSandboxPushFault[] = pushFaults.map((fault) => sandbox.injectPushFault(fault));
  const pushes: SandboxPush[] = sandbox.pushes();
  const reports: SandboxReport[] = pushes.flatMap((push) => push.reports);
  const statuses: Array<"1" | "2" | "6"> = reports.map((report) => report.Status);
  const pendingCount: number = sandbox.pendingReports() + sandbox.pendingPushFaults().length;
  await sandbox.reportsSettled({ timeoutMs: 1000 });
  const conversions: SandboxConversion[] = sandbox.conversions();
  const rates: string[] = conversions.flatMap((c) => (c.operation === "ConversionData" ? [c.conversionRate] : []));
  const outcome: SandboxOutcome | undefined = sandbox.messages()[0]?.outcome;
  const limit: number = DEFAULT_QPS.SendMessageToGlobe + PUSH_FAULT_KINDS.length;
  const faults: SandboxFault[] = [
    { kind: "delay", ms: 10 },
    { kind: "htmlError", status: 502, afterAccept: true },
    { kind: "throttle", code: "Throttling.User", retryAfterMs: 1000, count: 2 },
    { kind: "responseCode", code: "QPS_LIMIT_CONTROL" },
    { kind: "clockSkew", ms: -60_000 },
    { kind: "dropBeforeAccept" },
    { kind: "dropAfterAccept", action: "SendMessageToGlobe" },
  ];
  const pending: PendingSandboxFault[] = faults.map((fault) => sandbox.inject(fault));
  const first: SandboxMessage | undefined = sandbox.messages()[0];
  const scheme: "v1" | "acs3" | undefined = first?.scheme;
  const v1 = verifySignatureV1({ method: "POST", params: { A: "b" }, accessKeySecret: "s" });
  const acs3 = verifySignatureAcs3({ method: "POST", path: "/", query: {}, headers: { authorization: "x" }, accessKeySecret: "s" });
  await sandbox.close();

  // @ts-expect-error delay needs ms
  sandbox.inject({ kind: "delay" });
  // @ts-expect-error an unknown fault kind
  sandbox.inject({ kind: "explode" });
  // @ts-expect-error htmlError status is one of the listed ones
  sandbox.inject({ kind: "htmlError", status: 404 });
  // @ts-expect-error log is a function or false
  await startSandbox({ log: true });
  // @ts-expect-error slow needs ms
  sandbox.injectPushFault({ kind: "slow" });
  // @ts-expect-error a fault's action is one of the served operations
  sandbox.inject({ kind: "dropAfterAccept", action: "SendSms" });
  // @ts-expect-error a report Status is "1", "2" or "6"
  const badStatus: SandboxReport["Status"] = "3";

  return (
    pending.length + (scheme ? 1 : 0) + (v1.valid ? 1 : 0) + acs3.stringToSign.length + sandbox.port +
    (url ? 1 : 0) + pendingPush.length + statuses.length + pendingCount + rates.length + (outcome ? 1 : 0) + limit +
    badStatus.length
  );
}
