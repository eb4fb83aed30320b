#!/usr/bin/env node
// The main job on the embedded default: start the sandbox (the local stand-in for Alibaba's
// endpoint, 1 call/s like the real one), check a sample batch, send what is valid through the
// package, and print every recipient's fate. No Alibaba account needed.
//
// Run through `make demo`, which builds the package first.
import { batchSend, countSegments, validateBatch, isSmsError } from "../pkg/node.js";
import { startSandbox, DEFAULT_KEY } from "../pkg/sandbox/index.js";

const sample = [
  { to: "+852 9123 4567", message: "Your order #1042 has shipped." },
  { to: "0065-9123-4567", message: "您的验证码是 482913，5分钟内有效。" },
  { to: "+44 7700 900123", message: "Reminder: your appointment is tomorrow at 10:00." },
  { to: "(886) 912 345 678", message: "Promo: 20% off this weekend only! Reply STOP to opt out." },
  { to: "+853 6612 0000", message: "Hello from the sandbox (numbers ending 0000 land in FailedList)." },
  { to: "+86 138 0013 8000", message: "Mainland China: refused before sending." },
  { to: "+852 9123 456x", message: "A typo: refused before sending." },
];

const sandbox = await startSandbox();
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
await sandbox.close();
