// A crash in the middle of a campaign: a child process (campaign-child.mjs, the installed package
// imported by name) sends 10,000 recipients with a file journal to the sandbox running here
// (qps 5 on both sides: about 2 s of sending), and is killed with SIGKILL once its journal shows an
// outcome. A second process resumes from the journal with the same list. Then the sandbox shows
// every number at most once, every recipient that is not `unknown` is in its final state exactly
// as the sandbox saw it (sent: recorded once, with its MessageId), and the `unknown` ones are
// exactly those of a request the journal has written without an outcome.
//
// The second case forces the kill into the ambiguous window: the sandbox holds a request it has
// recorded (hangAfterAccept) and the child is killed while it waits for the answer. That request
// is unknown after the resume, and really was recorded.
//
// Last, a file journal whose last line a crash tore (as a power cut can): resuming must not
// append to the torn bytes, or the next resume loses the entry of a request it then resends.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as hooks from "node:test";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { resumeCampaign, sendCampaign } from "aliyun-globe-sms";
import { fileJournal } from "aliyun-globe-sms/journal";
import { DEFAULT_KEY, assertSmsError, leakCheck, rejection, scanChildOutput, useSandbox } from "./harness.mjs";
import { assertLedgerAgrees, campaignList, deliverable, plannedRequests } from "./ledger.mjs";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "campaign-child.mjs");
const COUNT = 10_000;
const LIST = campaignList(COUNT);
const QPS = 5;

const work = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-crash-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Starts a child; `exited` resolves with { code, signal, output } when it ends. */
function child(args) {
  const proc = spawn(process.execPath, [CHILD, JSON.stringify(args)], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout.on("data", (chunk) => (output += chunk));
  proc.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => proc.on("close", (code, signal) => resolve({ code, signal, output })));
  return { proc, exited };
}

/** The journal's entries that parse (a torn last line does not), in order. */
function journalEntries(path) {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
}

/** The recipients of requests the journal shows written and never answered. */
function writtenWithoutOutcome(entries) {
  const answered = new Set(entries.filter((e) => "outcome" in e).map((e) => e.outcome));
  const plan = plannedRequests(LIST);
  return entries.filter((e) => "request" in e && !answered.has(e.request)).flatMap((e) => plan[e.request]);
}

/** Checks every 10 ms, at most `limit` times, until `condition()` holds. */
async function poll(condition, what, limit = 3000) {
  for (let i = 0; i < limit; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`gave up waiting for ${what}`);
}

/** Runs the resuming process to its end and returns its ledger. */
async function resume(base) {
  const resumer = child({ ...base, mode: "resume", result: `${base.journal}.resumed.json` });
  const ended = await resumer.exited;
  scanChildOutput(ended.output, "the resuming process's output");
  assert.equal(ended.code, 0, ended.output);
  const text = readFileSync(`${base.journal}.resumed.json`, "utf8");
  scanChildOutput(text, "the resumed ledger");
  const { ledger, error } = JSON.parse(text);
  assert.equal(error, null, "the resumed campaign finished");
  return ledger;
}

describe("SIGKILL mid-campaign, then resumeCampaign in a new process", () => {
  const s = useSandbox(hooks, { qps: QPS });

  test("killed after the first outcome: the resumed ledger agrees with the sandbox; unknown only for a request written without an outcome", async () => {
    const base = { url: s.sandbox.url, journal: join(work, "kill.jsonl"), count: COUNT, qps: QPS, timeoutMs: 10_000 };
    const sender = child({ ...base, mode: "send", result: join(work, "kill.sent.json") });
    await poll(() => journalEntries(base.journal).some((e) => "outcome" in e), "the journal to show an outcome");
    // A random moment within the next request's slot (200 ms at qps 5): between requests, or
    // while one is written and on its way. Both are checked below; the moment is in the message.
    const extraMs = Math.floor(Math.random() * 200);
    await new Promise((resolve) => setTimeout(resolve, extraMs));
    sender.proc.kill("SIGKILL");
    const killed = await sender.exited;
    scanChildOutput(killed.output, "the killed process's output");
    assert.equal(killed.signal, "SIGKILL", `killed before it finished (${extraMs} ms after the first outcome)`);

    const entries = journalEntries(base.journal);
    const unknownExpected = writtenWithoutOutcome(entries);
    const answered = entries.filter((e) => "outcome" in e).length;
    assert.ok(answered >= 1 && answered < 10, `killed mid-way (${answered} of 10 requests answered)`);

    // The crashed journal is a started campaign: sendCampaign refuses it.
    // (This process then lets the journal go: one process holds it at a time.)
    const held = fileJournal(base.journal);
    const refused = await rejection(sendCampaign({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, to: LIST.to, message: "crash test", journal: held }));
    held.close();
    assertSmsError(refused, { code: "JOURNAL_MISMATCH" });

    const ledger = await resume(base);
    const { byState } = assertLedgerAgrees(ledger, s.sandbox.messages(), LIST.to);
    assert.deepEqual(byState.unknown, unknownExpected, `unknown: exactly the request written without an outcome (none if the kill, ${extraMs} ms after the first outcome, fell between requests)`);
    assert.deepEqual(byState.skipped, []);
    assert.deepEqual(byState.rejected, LIST.invalid.map((r) => r.index));
    assert.equal(ledger.counts.sent + ledger.counts.failed + unknownExpected.length, COUNT - LIST.invalid.length);
    assert.deepEqual(ledger.requests, { done: 10, total: 10 });
  });

  test("killed while the sandbox holds a recorded request (hangAfterAccept): that request is unknown after the resume, and was recorded once", async () => {
    const base = { url: s.sandbox.url, journal: join(work, "hang.jsonl"), count: COUNT, qps: QPS, timeoutMs: 600_000 };
    const sender = child({ ...base, mode: "send", result: join(work, "hang.sent.json") });
    await poll(() => journalEntries(base.journal).some((e) => "outcome" in e), "the journal to show an outcome");
    s.sandbox.inject({ kind: "hangAfterAccept" });
    await poll(() => s.sandbox.requests().some((r) => r.fault === "hangAfterAccept"), "the sandbox to hold a request");
    sender.proc.kill("SIGKILL");
    const killed = await sender.exited;
    scanChildOutput(killed.output, "the killed process's output");
    assert.equal(killed.signal, "SIGKILL");

    const held = s.sandbox.requests().find((r) => r.fault === "hangAfterAccept");
    const heldNumbers = s.sandbox.messages().filter((m) => m.requestId === held.requestId).map((m) => m.to);
    assert.ok(heldNumbers.length > 0, "the held request was recorded");
    const unknownExpected = writtenWithoutOutcome(journalEntries(base.journal));
    assert.equal(unknownExpected.length, 1000, "one request written without an outcome");

    const ledger = await resume(base);
    const { byState, unknownRecorded } = assertLedgerAgrees(ledger, s.sandbox.messages(), LIST.to);
    assert.deepEqual(byState.unknown, unknownExpected);
    assert.deepEqual(unknownRecorded, deliverable(ledger, unknownExpected));
    assert.deepEqual(unknownRecorded.map((i) => ledger.recipients[i].normalizedTo), heldNumbers);
    assert.deepEqual(byState.skipped, []);
    assert.equal(s.sandbox.requests().filter((r) => r.fault === "hangAfterAccept").length, 1, "never resent");
  });

  test("killed while a written request waits at the sandbox before it is read (delay 5 s): unknown after the resume, recorded or not, never resent", async () => {
    const base = { url: s.sandbox.url, journal: join(work, "delay.jsonl"), count: COUNT, qps: QPS, timeoutMs: 600_000 };
    const sender = child({ ...base, mode: "send", result: join(work, "delay.sent.json") });
    await poll(() => journalEntries(base.journal).some((e) => "outcome" in e), "the journal to show an outcome");
    s.sandbox.inject({ kind: "delay", ms: 5000 });
    await poll(() => s.sandbox.pendingFaults().length === 0, "a request to take the delay");
    sender.proc.kill("SIGKILL");
    const killed = await sender.exited;
    assert.equal(killed.signal, "SIGKILL");
    const unknownExpected = writtenWithoutOutcome(journalEntries(base.journal));
    assert.equal(unknownExpected.length, 1000, "one request written without an outcome");
    // Let the sandbox finish with the delayed request before anything else arrives.
    await poll(() => s.sandbox.requests().some((r) => r.fault === "delay"), "the sandbox to finish the delayed request", 1000);

    const ledger = await resume(base);
    const { byState, unknownNotRecorded } = assertLedgerAgrees(ledger, s.sandbox.messages(), LIST.to);
    assert.deepEqual(byState.unknown, unknownExpected);
    // The client died before the sandbox read the request: nothing went out, but only the
    // sandbox can know that; the ledger rightly says unknown.
    assert.deepEqual(unknownNotRecorded, unknownExpected);
    assert.deepEqual(byState.skipped, []);
    assert.deepEqual(s.sandbox.requests().filter((r) => r.fault === "delay").map((r) => r.code), ["(client aborted)"]);
  });
});

describe("a file journal whose last line a crash tore", () => {
  const s = useSandbox(hooks, { qps: Infinity });
  const list = campaignList(3503);
  const plan = plannedRequests(list);

  test("resuming twice after a torn last line sends nothing twice (the torn bytes are dropped, not appended to)", async () => {
    const path = join(work, "torn.jsonl");
    const base = { credentials: DEFAULT_KEY, endpoint: s.sandbox.url, to: list.to, message: "torn", qps: 100 };
    // Run 1 stops at request 2 (refused: not processed); then its last entry is torn, as a
    // power cut during the append would leave it: no newline at the end.
    let queued = false;
    const onProgress = (p) => {
      if (!queued && p.requestsDone === 2) {
        queued = true;
        s.sandbox.inject({ kind: "responseCode", code: "AMOUNT_NOT_ENOUGH" });
      }
    };
    assertSmsError(await rejection(sendCampaign({ ...base, journal: fileJournal(path), onProgress })), { code: "SERVICE_REJECTED" });
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    writeFileSync(path, [...lines.slice(0, -1), lines.at(-1).slice(0, 12)].join("\n"));

    // Run 2 resumes, sends request 2 and 3, and dies after sending request 3 (its outcome
    // cannot be written): request 3 is written without an outcome.
    const journal = fileJournal(path);
    const append = journal.append;
    journal.append = (entry) => {
      if (/^\{"seq":\d+,("torn":1,)?"outcome":3,/.test(entry)) throw new Error("the process died here");
      return append.call(journal, entry);
    };
    assertSmsError(await rejection(resumeCampaign({ ...base, journal })), { code: "JOURNAL_FAILED" });

    // Run 3 resumes again: request 3 may have gone out (it did), so it must not be sent again.
    const ledger = await resumeCampaign({ ...base, journal: fileJournal(path) });
    const { byState } = assertLedgerAgrees(ledger, s.sandbox.messages(), list.to);
    // Request 2's outcome was the torn entry: written without an outcome, so unknown too.
    assert.deepEqual(byState.unknown, [...plan[2], ...plan[3]]);
    assert.deepEqual(byState.skipped, []);
    assert.deepEqual(
      s.sandbox.requests().map((r) => r.code),
      ["OK", "OK", "AMOUNT_NOT_ENOUGH", "OK"],
      "request 3 processed once, request 2 (unknown after the tear) not resent",
    );
  });
});

leakCheck({ minimum: 1, signatures: false });
