// The process campaign-crash.test.mjs kills and the one that resumes after it: a campaign of
// campaignList(count) (ledger.mjs) against the parent's sandbox, with a file journal, importing
// the installed package by name. Arguments: one JSON object
//   { mode: "send" | "resume", url, journal, count, qps, timeoutMs, result, stepClockMs? }
// It writes { ledger, error, stepped } as JSON to `result` (error: the SmsError's code, or null)
// and exits 0; anything else is a failure of the test. With `stepClockMs`, the wall clock
// (Date.now) is stepped by that much once the first request is done (journal.test.mjs).

import { writeFileSync } from "node:fs";
import { isSmsError, resumeCampaign, sendCampaign } from "aliyun-globe-sms";
import { fileJournal } from "aliyun-globe-sms/journal";
import { DEFAULT_KEY } from "aliyun-globe-sms/sandbox";
import { campaignList } from "./ledger.mjs";

const args = JSON.parse(process.argv[2]);
const options = {
  credentials: DEFAULT_KEY,
  endpoint: args.url,
  to: campaignList(args.count).to,
  message: "crash test",
  qps: args.qps,
  timeoutMs: args.timeoutMs,
  journal: fileJournal(args.journal),
};
let stepped = false;
if (args.stepClockMs) {
  const realNow = Date.now;
  options.onProgress = (progress) => {
    if (!stepped && progress.requestsDone >= 1) {
      Date.now = () => realNow() + args.stepClockMs;
      stepped = true;
    }
  };
}
const run = args.mode === "resume" ? resumeCampaign(options) : sendCampaign(options);
try {
  const ledger = await run;
  writeFileSync(args.result, JSON.stringify({ ledger, error: null, stepped }));
} catch (error) {
  if (!isSmsError(error)) throw error;
  writeFileSync(args.result, JSON.stringify({ ledger: error.ledger ?? null, error: error.code, stepped }));
}
