// Delivery reports into a campaign's ledger (issue 13) on the packed package, against the sandbox.
// The evidence is what the sandbox decided for every message it accepted (`messages()[i]`), never
// what the package says about itself:
//
// - pushed: a 3,000-recipient campaign whose reports the sandbox pushes (batched, shuffled, some
//   twice, one push failed and pushed again, one onReports failing) to createReportHandler, whose
//   onReports records them with recordReports: every row ends delivered, undelivered or expired
//   exactly as decided; the never-final ones stay sent; resumeCampaign then replays the journal
//   to the same ledger and sends nothing;
// - polled: the same with no push URL, through pollCampaign;
// - a request whose answer was dropped after the sandbox accepted it: its rows are unknown, the
//   pushed reports (masked numbers, the campaign's own TaskIds) prove them sent — each tied to its
//   own MessageId and outcome — and nothing is ever sent twice;
// - what the calls refuse: no journal, another list, hostile evidence.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createReportHandler, pollCampaign, recordReports, resumeCampaign, sendCampaign } from "aliyun-globe-sms";
import { fileJournal } from "aliyun-globe-sms/journal";
import { startSandbox } from "aliyun-globe-sms/sandbox";
import { DEFAULT_KEY, assertSmsError, leakCheck, rejection } from "./harness.mjs";
import { serveStreaming } from "./serve.mjs";

/**
 * 3,000 distinct Hong Kong numbers whose last four digits pick the sandbox's outcome: every 10th
 * 9999 (undelivered), every 10th from 1 on 8888 (expired), every 50th from 2 on 7777 (never
 * final), the rest delivered.
 */
function campaignNumbers(n = 3000) {
  const to = [];
  for (let i = 0; i < n; i += 1) {
    const suffix = i % 10 === 0 ? "9999" : i % 10 === 1 ? "8888" : i % 50 === 2 ? "7777" : "1234";
    to.push(`+852 ${"569"[Math.floor(i / 1000)]}${String(i % 1000).padStart(3, "0")}${suffix}`);
  }
  return to;
}

/** The ledger state each sandbox outcome must end in. */
const STATE_OF_OUTCOME = { delivered: "delivered", undelivered: "undelivered", expired: "expired", pending: "sent" };
const CODE_OF_OUTCOME = { delivered: "DELIVERED", undelivered: "UNDELIV", expired: "EXPIRED", pending: null };

/**
 * Every row against the sandbox's record: each number the sandbox accepted exactly once, and the
 * row in the state (and with the MessageId and code) the sandbox decided. QueryMessage has no
 * status for expiry (1, 2, 3: docs/spec/operations.md §2): polled, an expired message is a
 * failed one whose code says EXPIRED.
 */
function assertRowsAsDecided(ledger, sandbox, to, { polled = false } = {}) {
  const messages = sandbox.messages();
  const byNumber = new Map();
  for (const m of messages) {
    assert.ok(!byNumber.has(m.to), `${m.to} was sent twice`);
    byNumber.set(m.to, m);
  }
  assert.equal(messages.length, to.length, "every number sent once");
  const counts = { sent: 0, delivered: 0, undelivered: 0, expired: 0 };
  for (const row of ledger.recipients) {
    const m = byNumber.get(row.normalizedTo);
    assert.ok(m, `row ${row.index} was sent`);
    const state = polled && m.outcome === "expired" ? "undelivered" : STATE_OF_OUTCOME[m.outcome];
    assert.equal(row.state, state, `row ${row.index} (${m.to}, ${m.outcome})`);
    if (m.outcome !== "pending") {
      assert.equal(row.messageId, m.messageId, `row ${row.index} has its own MessageId`);
      assert.equal(row.code, CODE_OF_OUTCOME[m.outcome]);
    }
    counts[row.state] += 1;
  }
  assert.deepEqual(
    { sent: ledger.counts.sent, delivered: ledger.counts.delivered, undelivered: ledger.counts.undelivered, expired: ledger.counts.expired },
    counts,
  );
  return counts;
}

describe("recordReports: pushed reports into a 3,000-recipient campaign's ledger", () => {
  let dir;
  let receiver;
  let sandbox;
  let campaignDone;
  const options = {};
  const progress = [];
  let failOnce = true;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-deliveries-"));
    const handler = createReportHandler({
      async onReports(reports) {
        // Reports are recorded once the run has ended: one writer of the journal at a time.
        await campaignDone;
        // One recording fails after the reports were read: the push is answered 500 and comes again.
        if (failOnce && reports.length > 0) {
          failOnce = false;
          throw new Error("disk full");
        }
        await recordReports({ ...options, reports, onProgress: (p) => progress.push(p) });
      },
    });
    receiver = await serveStreaming(handler);
    sandbox = await startSandbox({
      qps: Infinity,
      reportUrl: receiver.url,
      reportDelayMs: 0,
      duplicateRate: 0.1,
      seed: 11,
      pushBatchSize: 150,
      pushRetryMs: 20,
    });
  });
  after(async () => {
    await sandbox?.close();
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("every row ends as the sandbox decided, with duplicates, reordering, a failed push and a failed recording", async () => {
    const to = campaignNumbers();
    Object.assign(options, {
      credentials: DEFAULT_KEY,
      endpoint: sandbox.url,
      to,
      message: "Your parcel is on its way",
      qps: 1000,
      journal: fileJournal(join(dir, "campaign.journal")),
    });
    sandbox.injectPushFault({ kind: "fail" });
    campaignDone = sendCampaign(options);
    const sent = await campaignDone;
    assert.equal(sent.counts.sent, 3000);
    await sandbox.reportsSettled({ timeoutMs: 120_000 });

    // The reports were recorded in the journal; a fresh run reads them back.
    const ledger = await resumeCampaign({ ...options, journal: fileJournal(join(dir, "campaign.journal")) });
    const counts = assertRowsAsDecided(ledger, sandbox, to);
    assert.deepEqual(counts, { sent: 60, delivered: 2340, undelivered: 300, expired: 300 });
    assert.equal(sandbox.requests().length, 3, "resuming with reports sent nothing");
    assert.ok(sandbox.pushes().some((p) => p.result === "failed"), "a push failed and was pushed again");
    assert.ok(progress.length > 0 && progress.at(-1).delivered <= 2340);

    // The campaign's own TaskIds went out, one per request.
    const taskIds = new Set(sandbox.messages().map((m) => m.taskId));
    assert.equal(taskIds.size, 3);
    for (const id of taskIds) assert.match(id, /^ags-[0-9a-f]{12}-[0-9a-f]{8}-[123]$/);

    // Recording the same reports again changes nothing and writes nothing.
    const journalBefore = readFileSync(join(dir, "campaign.journal"), "utf8");
    const again = await recordReports({
      ...options,
      journal: fileJournal(join(dir, "campaign.journal")),
      reports: sandbox.messages().filter((m) => m.outcome !== "pending").map((m) => ({ messageId: m.messageId, status: "delivered" })),
    });
    assert.deepEqual(again.counts, ledger.counts, "the first final report wins");
    assert.equal(readFileSync(join(dir, "campaign.journal"), "utf8"), journalBefore);
  });
});

describe("pollCampaign: the same campaign with no push URL", () => {
  let dir;
  let sandbox;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-poll-"));
    sandbox = await startSandbox({ qps: Infinity, queryMessageQps: Infinity, reportDelayMs: 300 });
  });
  after(async () => {
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("QueryMessage until final: every row as the sandbox decided, DATA_NOT_EXIST asked again, the never-final left sent", async () => {
    const to = campaignNumbers();
    const path = join(dir, "campaign.journal");
    const options = { credentials: DEFAULT_KEY, endpoint: sandbox.url, to, message: "Your code is 4821", qps: 1000, journal: fileJournal(path) };
    await sendCampaign(options);
    const progress = [];
    // QueryMessage is held to 300 calls/s: the first round over 3,000 rows takes 10 s.
    const ledger = await pollCampaign({ ...options, journal: fileJournal(path), intervalMs: 100, deadlineMs: 20_000, onProgress: (p) => progress.push(p) });
    const counts = assertRowsAsDecided(ledger, sandbox, to, { polled: true });
    assert.deepEqual(counts, { sent: 60, delivered: 2340, undelivered: 600, expired: 0 });
    const queries = sandbox.requests().filter((r) => r.action === "QueryMessage");
    assert.ok(queries.some((r) => r.code === "DATA_NOT_EXIST"), "asked before the record existed, and again after");
    assert.ok(progress.length >= 1);
    // The journal has what the poll found: a resume reads it back, and a second poll asks only
    // about the 60 never-final messages.
    const resumed = await resumeCampaign({ ...options, journal: fileJournal(path) });
    assert.deepEqual(resumed.counts, ledger.counts);
    const before = sandbox.requests().length;
    // A deadline of 1 ms: one round, each message asked once.
    const again = await pollCampaign({ ...options, journal: fileJournal(path), intervalMs: 100, deadlineMs: 1 });
    const asked = sandbox.requests().slice(before);
    assert.ok(asked.every((r) => r.action === "QueryMessage"), "a poll sends no message");
    assert.equal(asked.length, 60);
    assert.deepEqual(again.counts, ledger.counts);
  });
});

describe("an unknown request proved sent by its reports, never resent", () => {
  let dir;
  let sandbox;
  let receiver;
  const pushed = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-unknown-"));
    receiver = await serveStreaming(createReportHandler({ onReports: (reports) => void pushed.push(...reports) }));
    sandbox = await startSandbox({ qps: Infinity, reportUrl: receiver.url, reportDelayMs: 0, pushRetryMs: 20 });
  });
  after(async () => {
    await sandbox?.close();
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the answer to request 2 of 3 is dropped after the sandbox accepted it: its 1,000 rows go from unknown to their reports' outcomes", async () => {
    const to = campaignNumbers();
    const path = join(dir, "campaign.journal");
    const options = { credentials: DEFAULT_KEY, endpoint: sandbox.url, to, message: "Your code is 4821", qps: 1000, onUnknown: "continue" };
    const sent = await sendCampaign({
      ...options,
      journal: fileJournal(path),
      onProgress: (p) => p.requestsDone === 1 && sandbox.inject({ kind: "dropAfterAccept" }),
    });
    assert.equal(sent.counts.unknown, 1000);
    assert.equal(sent.counts.sent, 2000);
    await sandbox.reportsSettled({ timeoutMs: 60_000 });
    // Pushed reports carry the number masked: nothing but the TaskId and the visible digits ties them.
    assert.ok(pushed.every((r) => /^\d+\*{4}$/.test(r.to)));

    const ledger = await recordReports({ ...options, journal: fileJournal(path), reports: pushed });
    assert.equal(ledger.counts.unknown, 0, "every unknown row proved sent");
    assertRowsAsDecided(ledger, sandbox, to);
    // Resuming sends nothing more: the proved rows were never going to be resent, and now the
    // journal says they were sent.
    const resumed = await resumeCampaign({ ...options, journal: fileJournal(path) });
    assert.deepEqual(resumed.counts, ledger.counts);
    assert.equal(sandbox.requests().filter((r) => r.action === "BatchSendMessageToGlobe").length, 3, "0 resends");
  });
});

describe("what recordReports and pollCampaign refuse, with nothing recorded or sent", () => {
  let dir;
  let sandbox;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-refusals-"));
    sandbox = await startSandbox({ qps: Infinity });
  });
  after(async () => {
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("no journal, an empty one, another list; evidence that is not evidence", async () => {
    const to = campaignNumbers(20);
    const path = join(dir, "campaign.journal");
    const options = { credentials: DEFAULT_KEY, endpoint: sandbox.url, to, message: "Hi", journal: fileJournal(path) };
    const sentLedger = await sendCampaign(options);
    const requests = sandbox.requests().length;
    const id = sentLedger.recipients[0].messageId;

    assertSmsError(await rejection(recordReports({ ...options, journal: undefined, reports: [] })), { code: "INVALID_OPTION", field: "journal" });
    assertSmsError(await rejection(recordReports({ ...options, journal: fileJournal(join(dir, "none")), reports: [] })), { code: "JOURNAL_EMPTY" });
    assertSmsError(await rejection(recordReports({ ...options, to: to.slice(1), reports: [] })), { code: "JOURNAL_MISMATCH" });
    assertSmsError(await rejection(pollCampaign({ ...options, to: [...to].reverse() })), { code: "JOURNAL_MISMATCH" });
    assertSmsError(await rejection(pollCampaign({ ...options, signer: async () => ({}) })), { code: "INVALID_OPTION", field: "signer" });
    for (const [reports, field] of [
      [null, "reports"],
      ["x", "reports"],
      [[{ status: "delivered" }], "reports[0].messageId"],
      [[{ messageId: "", status: "delivered" }], "reports[0].messageId"],
      [[{ messageId: id, status: "read" }], "reports[0].status"],
      [[{ messageId: id, status: "delivered" }, { messageId: id, status: 1 }], "reports[1].status"],
      [{ length: 1e9 }, "reports"],
      // MessageIds where evidence goes: the item is named, in the caller's words (the boundary
      // fuzz found "reports: must be struct DeliveryEvidence").
      [[id], "reports[0]"],
      [[{ messageId: id, status: "delivered" }, id], "reports[1]"],
    ]) {
      const error = await rejection(recordReports({ ...options, reports }));
      assertSmsError(error, { code: "INVALID_OPTION" });
      assert.ok(error.field.startsWith(field.split("[")[0]), `${JSON.stringify(reports)?.slice(0, 60)} → ${error.field}`);
      if (field.includes("[")) assert.equal(error.field, field);
      assert.doesNotMatch(error.message, /struct|DeliveryEvidence/, error.message);
    }
    // Other fields of a bad shape are not kept, and the evidence still counts.
    const ledger = await recordReports({
      ...options,
      reports: [{ messageId: id, status: "failed", errorCode: "<script>", to: "+852 9123 4567", taskId: "\u0000" }],
    });
    assert.equal(ledger.recipients[0].state, "undelivered");
    assert.equal(ledger.recipients[0].code, null);
    assert.equal(sandbox.requests().length, requests, "nothing was sent by any of it");
  });
});

leakCheck({ minimum: 10, signatures: true });
