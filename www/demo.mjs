#!/usr/bin/env node
// The main job on the embedded default: start the sandbox (the local stand-in for Alibaba's
// endpoint, 1 call/s like the real one), check a sample batch, send what is valid through the
// package, and print every recipient's fate. No Alibaba account needed.
//
// Then, in the same process, it serves the page (www/) and the package (pkg/) on a second port,
// with a signing endpoint, POST /sign, on the page's origin: the package's createSigningHandler
// holding the sandbox's test key, so the page sends without ever seeing a secret. It prints the
// page's URL and serves until Ctrl+C; `--once` (or DEMO_ONCE=1) exits after the sample batch.
//
// Run through `make demo`, which builds the package first.
import { batchSend, countSegments, createReportHandler, createSigningHandler, pollDeliveries, validateBatch, isSmsError } from "../pkg/node.js";
import { startSandbox, DEFAULT_KEY } from "../pkg/sandbox/index.js";
import { deliveryStore, startPageServer } from "./server.mjs";

const once = process.argv.includes("--once") || process.env.DEMO_ONCE === "1";

const sample = [
  { to: "+852 9123 4567", message: "Your order #1042 has shipped." },
  { to: "0065-9123-4567", message: "您的验证码是 482913，5分钟内有效。" },
  { to: "+44 7700 909999", message: "Reminder: your appointment is tomorrow at 10:00. (The sandbox reports numbers ending 9999 undelivered.)" },
  { to: "(886) 912 345 678", message: "Promo: 20% off this weekend only! Reply STOP to opt out." },
  { to: "+853 6612 0000", message: "Hello from the sandbox (numbers ending 0000 land in FailedList)." },
  { to: "+86 138 0013 8000", message: "Mainland China: refused before sending." },
  { to: "+852 9123 456x", message: "A typo: refused before sending." },
];

// The sandbox logs its requests once the sample batch is done: those are the page's.
let serving = false;
// Delivery reports exist 300 ms after a message is accepted (the real service: seconds to minutes).
const sandbox = await startSandbox({ reportDelayMs: 300, log: (line) => serving && console.log(`sandbox: ${line}`) });
console.log(`sandbox listening at ${sandbox.url} (test key ${DEFAULT_KEY.accessKeyId}, 1 call/s)\n`);

const batch = { to: sample.map((r) => r.to), message: sample.map((r) => r.message), from: "Alicloud", type: "NOTIFY" };
const issues = validateBatch(batch);
const refused = new Map(issues.filter((i) => i.index !== null).map((i) => [i.index, i]));
console.log(`checked ${sample.length} recipients: ${issues.length} problem(s)`);
for (const issue of issues) console.log(`  ${issue.code.padEnd(32)} ${issue.message}`);

const valid = sample.map((r, index) => ({ ...r, index })).filter((r) => !refused.has(r.index));
let result;
try {
  result = await batchSend({
    endpoint: sandbox.url,
    credentials: DEFAULT_KEY,
    to: valid.map((r) => r.to),
    message: valid.map((r) => r.message),
    from: batch.from,
    type: batch.type,
  });
} catch (error) {
  console.error(isSmsError(error) ? `send failed: ${error.code}: ${error.message}` : error);
  await sandbox.close();
  process.exit(1);
}

console.log(`\nsent 1 request (RequestId ${result.requestId}, ${result.attempts} attempt(s)): ${result.responseCode}, ${result.successCount} accepted\n`);
const fate = new Map();
for (const s of result.sent) fate.set(valid[s.index].index, `sent      MessageId ${s.messageId}`);
for (const f of result.failed) fate.set(valid[f.index].index, "failed    (in the service's FailedList)");
for (const [index, issue] of refused) fate.set(index, `rejected  ${issue.code}`);
console.log("  #  recipient            sent as          segments  outcome");
sample.forEach((r, index) => {
  const count = countSegments(r.message);
  const normalized = result.sent.concat(result.failed).find((x) => valid[x.index].index === index)?.normalizedTo ?? "-";
  console.log(
    `  ${String(index).padStart(1)}  ${r.to.padEnd(20)} ${normalized.padEnd(16)} ${`${count.segments} ${count.encoding}`.padEnd(9)} ${fate.get(index)}`,
  );
});
console.log(`\nthe sandbox recorded ${sandbox.messages().length} message(s): ${sandbox.messages().map((m) => m.to).join(", ")}`);

// Where each accepted message ended: QueryMessage until final (pollDeliveries), as a deployment
// with no public URL for Alibaba's report push would do.
const messageIds = result.sent.map((s) => s.messageId).filter((id) => id !== null);
const { messages } = await pollDeliveries({ endpoint: sandbox.url, credentials: DEFAULT_KEY, messageIds, intervalMs: 200, deadlineMs: 10_000 });
console.log("\ndelivery (pollDeliveries):");
for (const m of messages) {
  const to = result.sent.find((s) => s.messageId === m.messageId)?.to ?? "?";
  const detail = m.result ? `${m.result.errorCode ?? ""} ${m.result.receiveDate?.text ?? ""}`.trim() : (m.code ?? "");
  console.log(`  ${to.padEnd(20)} ${m.state.padEnd(10)} ${detail}  (${m.queries} question(s))`);
}

if (once) {
  await sandbox.close();
  process.exit(0);
}

// The page: same sandbox, signed by a handler that holds the key (the page never does).
// The sandbox pushes its delivery reports to the page server (/reports), which tells the page
// (/deliveries): the page's delivery column.
const page = await startPageServer({
  signingHandler: createSigningHandler({ credentials: DEFAULT_KEY, endpoint: sandbox.url }),
  config: { endpoint: sandbox.url, sandbox: true },
  deliveries: deliveryStore({ createReportHandler }),
  log: (line) => console.log(`page: ${line}`),
});
sandbox.setReportUrl(`${page.url}reports`);
serving = true;
console.log(`
the page: ${page.url}
  compose, check and send a batch in a browser; requests are signed by POST ${page.url}sign,
  which holds the sandbox's test key. For "direct keys" mode, the test key is
  ${DEFAULT_KEY.accessKeyId} / ${DEFAULT_KEY.accessKeySecret} (it works only against the sandbox).
serving until Ctrl+C`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await Promise.all([page.close(), sandbox.close()]);
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
