#!/usr/bin/env node
// aliyun-globe-sms-sandbox: runs the sandbox until SIGINT or SIGTERM.
//
//   aliyun-globe-sms-sandbox [--port N] [--host ADDRESS] [--qps N|off] [--send-qps N|off]
//                            [--query-qps N|off] [--report-url URL] [--report-delay MS] [--quiet]
//
// Prints the URL and the test key pairs, then one line per request and per report push.

import { parseArgs } from "node:util";
import { DEFAULT_KEY, DEFAULT_QPS, DEFAULT_STS_KEY, startSandbox } from "./index.js";

const USAGE = `usage: aliyun-globe-sms-sandbox [--port N] [--host ADDRESS] [--qps N|off] [--send-qps N|off]
                                [--query-qps N|off] [--report-url URL] [--report-delay MS] [--quiet]

  --port          TCP port to listen on (default 0: any free port)
  --host          address to bind (default 127.0.0.1)
  --qps           BatchSendMessageToGlobe calls per second per AccessKeyId (default 1; "off" disables)
  --send-qps      SendMessageToGlobe calls per second per AccessKeyId (default 30; "off" disables)
  --query-qps     QueryMessage calls per second per AccessKeyId (default 300; "off" disables)
  --report-url    http:// URL that delivery reports are pushed to (default: none)
  --report-delay  ms from acceptance until a message's report exists (default 100)
  --quiet         no per-request log lines`;

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
      "send-qps": { type: "string" },
      "query-qps": { type: "string" },
      "report-url": { type: "string" },
      "report-delay": { type: "string" },
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

/** A --*-qps value: a positive integer, or "off"; undefined when not given. */
function qpsOption(name) {
  const text = values[name];
  if (text === undefined) return undefined;
  const qps = text === "off" ? Infinity : Number(text);
  if (!(qps === Infinity || (Number.isInteger(qps) && qps > 0))) fail(`--${name} must be a positive integer or "off"`);
  return qps;
}
const qps = qpsOption("qps") ?? DEFAULT_QPS.BatchSendMessageToGlobe;
const sendMessageQps = qpsOption("send-qps") ?? DEFAULT_QPS.SendMessageToGlobe;
const queryMessageQps = qpsOption("query-qps") ?? DEFAULT_QPS.QueryMessage;
let reportDelayMs;
if (values["report-delay"] !== undefined) {
  reportDelayMs = Number(values["report-delay"]);
  if (!Number.isInteger(reportDelayMs) || reportDelayMs < 0) fail("--report-delay must be a whole number of ms");
}
const reportUrl = values["report-url"];

let sandbox;
try {
  sandbox = await startSandbox({
    port,
    host: values.host ?? "127.0.0.1",
    qps,
    sendMessageQps,
    queryMessageQps,
    reportDelayMs,
    reportUrl,
    log: values.quiet ? false : (line) => process.stdout.write(`${line}\n`),
  });
} catch (error) {
  // A bad option value (startSandbox checks every one) is a usage error, like a bad flag.
  if (error instanceof TypeError) fail(error.message);
  throw error;
}

const rate = (n) => (Number.isFinite(n) ? `${n} call(s)/s` : "off");

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
    `  other limits     SendMessageToGlobe ${rate(sendMessageQps)}, QueryMessage ${rate(queryMessageQps)} per AccessKeyId`,
    `  reports          ${reportUrl === undefined ? "QueryMessage only (no --report-url)" : "pushed (and QueryMessage)"}`,
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
