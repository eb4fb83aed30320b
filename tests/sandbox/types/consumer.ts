// A strict consumer of the sandbox's declarations: compiled with tsc --noEmit --strict by
// types.test.mjs. Lines marked @ts-expect-error must stay errors, so the types really constrain.

import {
  DEFAULT_KEY,
  DEFAULT_STS_KEY,
  startSandbox,
  verifySignatureAcs3,
  verifySignatureV1,
  type PendingSandboxFault,
  type Sandbox,
  type SandboxFault,
  type SandboxMessage,
} from "../../../pkg-template/sandbox/index.js";

export async function use(): Promise<number> {
  const sandbox: Sandbox = await startSandbox({
    keys: [DEFAULT_KEY, DEFAULT_STS_KEY, { accessKeyId: "id", accessKeySecret: "secret" }],
    qps: Infinity,
    clock: () => 0,
    log: (line: string) => void line,
    failNumbers: ["6591230000"],
  });
  const faults: SandboxFault[] = [
    { kind: "delay", ms: 10 },
    { kind: "htmlError", status: 502, afterAccept: true },
    { kind: "throttle", code: "Throttling.User", retryAfterMs: 1000, count: 2 },
    { kind: "responseCode", code: "QPS_LIMIT_CONTROL" },
    { kind: "clockSkew", ms: -60_000 },
    { kind: "dropBeforeAccept" },
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

  return pending.length + (scheme ? 1 : 0) + (v1.valid ? 1 : 0) + acs3.stringToSign.length + sandbox.port;
}
