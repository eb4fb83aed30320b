#!/usr/bin/env node
// aliyun-globe-sms-sandbox: runs the sandbox until SIGINT or SIGTERM.
//
//   aliyun-globe-sms-sandbox [--port N] [--host ADDRESS] [--qps N|off] [--quiet]
//
// Prints the URL and the test key pairs, then one line per request.

import { parseArgs } from "node:util";
import { DEFAULT_KEY, DEFAULT_STS_KEY, startSandbox } from "./index.js";

const USAGE = `usage: aliyun-globe-sms-sandbox [--port N] [--host ADDRESS] [--qps N|off] [--quiet]

  --port   TCP port to listen on (default 0: any free port)
  --host   address to bind (default 127.0.0.1)
  --qps    calls per second per AccessKeyId before Throttling.User (default 1; "off" disables)
  --quiet  no per-request log lines`;

function fail(message) {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      qps: { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (error) {
  fail(error.message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail("--port must be an integer from 0 to 65535");
let qps = 1;
if (values.qps !== undefined) {
  qps = values.qps === "off" ? Infinity : Number(values.qps);
  if (!(qps === Infinity || (Number.isInteger(qps) && qps > 0))) fail('--qps must be a positive integer or "off"');
}

const sandbox = await startSandbox({
  port,
  host: values.host ?? "127.0.0.1",
  qps,
  log: values.quiet ? false : (line) => process.stdout.write(`${line}\n`),
});

process.stdout.write(
  [
    `aliyun-globe-sms sandbox listening on ${sandbox.url}`,
    `  endpoint         ${sandbox.endpoint} (protocol http)`,
    `  AccessKeyId      ${DEFAULT_KEY.accessKeyId}`,
    `  AccessKeySecret  ${DEFAULT_KEY.accessKeySecret}`,
    `  STS key          ${DEFAULT_STS_KEY.accessKeyId} / ${DEFAULT_STS_KEY.accessKeySecret}`,
    `  STS token        ${DEFAULT_STS_KEY.securityToken}`,
    `  messages         GET ${sandbox.url}/__sandbox/messages`,
    `  rate limit       ${Number.isFinite(qps) ? `${qps} call(s)/s per AccessKeyId` : "off"}`,
    "Test values only. Ctrl+C stops.",
    "",
  ].join("\n"),
);

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  await sandbox.close();
  process.stdout.write(`sandbox stopped (${signal})\n`);
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
