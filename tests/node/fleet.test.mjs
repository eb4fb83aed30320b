// A fleet on Redis (issue 15), against a real redis-server (redis-server.mjs: AOF, appendfsync
// always) and the sandbox, with worker processes (fleet-child.mjs) importing the installed
// package by name; half use node-redis, half ioredis. What must hold:
// - independent campaigns of 4 processes on one AccessKeyId at the sandbox's real 1 call/s:
//   no throttled answer (the shared pacer), the combined pace printed;
// - one 20,000-recipient campaign run by 4 workers at 1 call/s: every recipient sent exactly
//   once (the sandbox's record), and the ledger read back from Redis agrees with it;
// - SIGKILL 2 of 4 workers at random moments, 10 rounds: no number twice, the killed workers'
//   marked requests `unknown` (at most one each), every other request sent (unmarked claims
//   taken over);
// - a worker SIGSTOPped between its claim and its mark, past its lease, then SIGCONTed: it does
//   not send the request another worker took over;
// - redis-server SIGKILLed mid-campaign: the workers stop (FLEET_UNAVAILABLE); restarted from
//   its AOF, new workers finish: no number twice, marked-unanswered requests `unknown`.
// The kill rounds run at qps 5 on both sides (the sandbox's qps option), so ten rounds fit in
// a minute; the no-double-send check is the same.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as hooks from "node:test";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { readFleetCampaign } from "aliyun-globe-sms";
import { redisCampaign } from "aliyun-globe-sms/redis";
import { DEFAULT_KEY, scanChildOutput, useSandbox } from "./harness.mjs";
import { assertLedgerAgrees, campaignList, plannedRequests } from "./ledger.mjs";
import { CLIENTS, haveRedis, startRedis } from "./redis-server.mjs";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "fleet-child.mjs");
const MESSAGE = "fleet test";
const work = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-fleet-"));
let redis;
let parent;
let results = 0;

before(async () => {
  assert.ok(haveRedis(), "redis-server is not installed (make test-node installs Debian's redis-server)");
  redis = await startRedis();
  parent = await CLIENTS["node-redis"](redis.port);
});
after(async () => {
  await parent?.close();
  await redis?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Starts a worker; `exited` resolves with { code, signal, output, result } when it ends. */
function worker(args) {
  results += 1;
  const result = join(work, `result-${results}.json`);
  const proc = spawn(process.execPath, [CHILD, JSON.stringify({ port: redis.port, message: MESSAGE, ...args, result })], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout.on("data", (chunk) => (output += chunk));
  proc.stderr.on("data", (chunk) => (output += chunk));
  // A worker that hangs fails its test rather than the whole run.
  const limit = setTimeout(() => proc.kill("SIGKILL"), 120_000);
  const exited = new Promise((resolve) =>
    proc.on("close", (code, signal) => {
      clearTimeout(limit);
      let report = null;
      if (code === 0) report = JSON.parse(readFileSync(result, "utf8"));
      resolve({ code, signal, output, report });
    }),
  );
  return { proc, exited };
}

/** Waits for a worker that must end on its own, and returns its report. */
async function finished(w, what) {
  const ended = await w.exited;
  scanChildOutput(ended.output, `${what}'s output`);
  assert.equal(ended.code, 0, `${what} ended badly: ${ended.signal ?? ""}\n${ended.output}`);
  return ended.report;
}

/** Checks every 5 ms, at most `limit` times, until `condition()` (may be async) holds. */
async function until(condition, what, limit = 6000) {
  for (let i = 0; i < limit; i += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`gave up waiting for ${what}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The campaign `id` as Redis has it: the ledger a separate reader gets (readFleetCampaign) and
 * the raw entries, parsed ({ marks, outcomes }: request number → entry).
 */
async function stored(url, list, id, qps) {
  const store = redisCampaign(parent.client, { id });
  let key;
  const spy = { ...store, read: (k) => ((key = k), store.read(k)) };
  const ledger = await readFleetCampaign({ credentials: DEFAULT_KEY, endpoint: url, to: list.to, message: MESSAGE, qps, fleet: spy });
  const raw = await store.read(key);
  const parse = (pairs) => new Map(pairs.map(([k, text]) => [Number(k), JSON.parse(text)]));
  return { key, ledger, marks: parse(raw.marks), outcomes: parse(raw.outcomes) };
}

/** The recipients of requests marked and never answered. */
function markedUnanswered(list, { marks, outcomes }) {
  const plan = plannedRequests(list);
  return [...marks.keys()].filter((k) => !outcomes.has(k)).sort((a, b) => a - b).flatMap((k) => plan[k]);
}

const throttled = (sandbox) => sandbox.requests().filter((r) => r.code === "Throttling.User").length;

/** The gaps between calls' arrivals at the sandbox, in ms, for a failure's message. */
const gaps = (sandbox) => {
  const times = sandbox.requests().map((r) => Date.parse(r.time)).sort((a, b) => a - b);
  return times.slice(1).map((t, i) => t - times[i]).join(" ");
};
const client = (n) => (n % 2 === 0 ? "node-redis" : "ioredis");

describe("at the sandbox's real 1 call/s", () => {
  const s = useSandbox(hooks, { qps: 1 });

  test("4 processes with independent campaigns on one AccessKeyId: no throttled answer", async () => {
    // 3 requests each (2,500 numbers), every process's own numbers.
    const workers = [0, 1, 2, 3].map((n) => worker({ url: s.sandbox.url, client: client(n), qps: 1, list: { count: 2500, offset: n * 10_000 + 1 } }));
    const reports = await Promise.all(workers.map((w, n) => finished(w, `process ${n}`)));
    for (const [n, r] of reports.entries()) {
      assert.equal(r.error, null, `process ${n}`);
      assert.equal(r.counts.sent, 2500, `process ${n} sent its list`);
    }
    const calls = s.sandbox.requests();
    assert.equal(throttled(s.sandbox), 0, `no call throttled (gaps ${gaps(s.sandbox)} ms)`);
    assert.equal(calls.length, 12);
    const messages = s.sandbox.messages();
    assert.equal(new Set(messages.map((m) => m.to)).size, 10_000, "every number once");
    const times = calls.map((c) => Date.parse(c.time)).sort((a, b) => a - b);
    const pace = (times.length - 1) / ((times.at(-1) - times[0]) / 1000);
    console.log(`# fleet: 4 independent processes, combined pace ${(pace * 100).toFixed(1)}% of 1 call/s, pacer round trips per request ${(reports.reduce((a, r) => a + r.pacerRoundTrips, 0) / 12).toFixed(2)}`);
  });

  test("sendMessage in 3 processes on one AccessKeyId at its 30 calls/s: the shared pacer leaves no call throttled", async () => {
    // Each process alone keeps to 30/s; three of them at once would send 90/s without the store.
    const workers = [0, 1, 2].map((n) => worker({ url: s.sandbox.url, client: client(n), qps: 30, messages: 25, list: { count: 25, offset: n * 1000 + 500_001 } }));
    const reports = await Promise.all(workers.map((w, n) => finished(w, `process ${n}`)));
    for (const [n, r] of reports.entries()) assert.deepEqual([r.error, r.counts.sent], [null, 25], `process ${n}`);
    const calls = s.sandbox.requests().filter((r) => r.action === "SendMessageToGlobe");
    assert.equal(calls.length, 75);
    assert.equal(calls.filter((c) => c.code === "Throttling.User").length, 0, `no call throttled (gaps ${gaps(s.sandbox)} ms)`);
    assert.equal(new Set(s.sandbox.messages().map((m) => m.to)).size, 75, "every number once");
  });

  test("one 20,000-recipient campaign by 4 workers: every recipient sent exactly once, the Redis ledger agrees", async () => {
    const list = campaignList(20_000);
    const base = { url: s.sandbox.url, qps: 1, id: "twenty-thousand", leaseMs: 10_000, list: { count: 20_000 } };
    const workers = [0, 1, 2, 3].map((n) => worker({ ...base, client: client(n) }));
    const reports = await Promise.all(workers.map((w, n) => finished(w, `worker ${n}`)));
    for (const [n, r] of reports.entries()) assert.equal(r.error, null, `worker ${n}`);
    // A throttled call was refused before processing and is sent again (at most once more in
    // practice): the calls are the 20 requests and those resends. The pace itself is the
    // 4-process test's and bench-fleet's to show; here, the fleet's exactly-once.
    const resent = throttled(s.sandbox);
    console.log(`# fleet: 20,000 by 4 workers, ${resent} call(s) throttled and sent again (gaps ${gaps(s.sandbox)} ms)`);
    assert.equal(s.sandbox.requests().length, 20 + resent, "20 requests, each processed once");

    const { ledger, marks, outcomes } = await stored(s.sandbox.url, list, "twenty-thousand", 1);
    const { byState } = assertLedgerAgrees(ledger, s.sandbox.messages(), list.to);
    assert.deepEqual(byState.unknown, []);
    assert.deepEqual(byState.skipped, []);
    assert.equal(byState.rejected.length, list.invalid.length);
    assert.equal(marks.size, 20);
    assert.equal(outcomes.size, 20);
    // Each worker's own result is the whole campaign's ledger too.
    for (const r of reports) assert.deepEqual(r.counts, ledger.counts);
    // The work was shared.
    const owners = new Set([...marks.values()].map((m) => m.owner));
    assert.ok(owners.size >= 2, `requests sent by ${owners.size} worker(s)`);
  });

  test("a worker stopped past its lease between claim and mark does not send what it no longer holds", async () => {
    const list = campaignList(3000);
    for (let attempt = 1; ; attempt += 1) {
      s.sandbox.reset();
      const id = `stopped-${attempt}`;
      const base = { url: s.sandbox.url, qps: 1, id, leaseMs: 2000, list: { count: 3000 } };
      // A takes its slot, claims request 1 and waits 1.5 s before storing its mark (its store is
      // slowed in fleet-child.mjs): stop it there, while its claim holds and before its mark.
      const a = worker({ ...base, client: "ioredis", markDelayMs: 1500 });
      let store;
      const read = async () => (store = await stored(s.sandbox.url, list, id, 1).catch(() => null));
      await until(async () => (await read()) && store.outcomes.has(0), "worker A to finish request 0");
      const ownerA = store.marks.get(0).owner;
      const lease = () => parent.client.sendCommand(["HGET", `{${store.key}}:leases`, "1"]);
      await until(async () => (await lease())?.startsWith(`${ownerA} `), "worker A to claim request 1", 2000);
      a.proc.kill("SIGSTOP");
      await read();
      if (store.marks.has(1)) {
        // Marked in the instant before the stop: A holds it for good. Not the case under test.
        a.proc.kill("SIGCONT");
        await finished(a, "worker A");
        assert.ok(attempt < 5, "could not stop worker A between its claim and its mark");
        continue;
      }
      await sleep(2500);
      const b = worker({ ...base, client: "node-redis" });
      const reportB = await finished(b, "worker B");
      assert.equal(reportB.error, null);
      a.proc.kill("SIGCONT");
      const reportA = await finished(a, "worker A");
      assert.equal(reportA.error, null, "worker A finishes once it finds nothing left");

      const after = await stored(s.sandbox.url, list, id, 1);
      const { byState } = assertLedgerAgrees(after.ledger, s.sandbox.messages(), list.to);
      assert.deepEqual(byState.unknown, []);
      assert.deepEqual(byState.skipped, []);
      assert.equal(s.sandbox.requests().length, 3, "each request sent once");
      assert.notEqual(after.marks.get(1).owner, ownerA, "request 1 was taken over by worker B");
      break;
    }
  });
});

describe("failures at qps 5 (sandbox and workers)", () => {
  const s = useSandbox(hooks, { qps: 5 });
  const list = campaignList(5000);

  test("SIGKILL 2 of 4 workers at random moments, 10 rounds: no double send; killed workers' marked requests unknown; their claims taken over", async () => {
    const summary = [];
    for (let round = 1; round <= 10; round += 1) {
      s.sandbox.reset();
      const id = `kill-${round}`;
      const base = { url: s.sandbox.url, qps: 5, id, leaseMs: 1500, list: { count: 5000 } };
      const workers = [0, 1, 2, 3].map((n) => worker({ ...base, client: client(n + round) }));
      const killed = [0, 1, 2, 3].sort(() => Math.random() - 0.5).slice(0, 2);
      await until(() => s.sandbox.requests().length >= 1, "the first request");
      const delays = killed.map(() => Math.floor(Math.random() * 600));
      await Promise.all(killed.map((n, i) => sleep(delays[i]).then(() => workers[n].proc.kill("SIGKILL"))));
      for (const n of [0, 1, 2, 3]) {
        if (killed.includes(n)) {
          const ended = await workers[n].exited;
          scanChildOutput(ended.output, `killed worker ${n}`);
        } else {
          const r = await finished(workers[n], `round ${round}, worker ${n}`);
          assert.equal(r.error, null, `round ${round}, worker ${n}`);
        }
      }
      const state = await stored(s.sandbox.url, list, id, 5);
      const { byState } = assertLedgerAgrees(state.ledger, s.sandbox.messages(), list.to);
      assert.deepEqual(byState.skipped, [], `round ${round}: every request claimed and sent or marked (claims taken over)`);
      assert.deepEqual(byState.unknown, markedUnanswered(list, state), `round ${round}: unknown = marked, never answered`);
      const unanswered = [...state.marks.keys()].filter((k) => !state.outcomes.has(k));
      assert.ok(unanswered.length <= 2, `round ${round}: at most one request in flight per killed worker`);
      assert.equal(state.marks.size, 5);
      summary.push(`${delays.join("/")}ms→${unanswered.length} unknown`);
    }
    console.log(`# fleet: kill rounds (kill delays → requests unknown): ${summary.join(", ")}`);
  });

  test("Redis loses the campaign mid-way (FLUSHALL, as a restart without its AOF would): every worker stops, none sends again", async () => {
    const base = { url: s.sandbox.url, qps: 5, id: "flushed", leaseMs: 1500, list: { count: 10_000 } };
    const workers = [0, 1, 2, 3].map((n) => worker({ ...base, client: client(n) }));
    await until(() => s.sandbox.requests().length >= 3, "three requests");
    await parent.client.sendCommand(["FLUSHALL"]);
    const ended = await Promise.all(workers.map((w, n) => finished(w, `worker ${n}`)));
    for (const [n, r] of ended.entries()) assert.equal(r.error, "FLEET_UNTRUSTED", `worker ${n} stopped`);
    const messages = s.sandbox.messages();
    assert.equal(new Set(messages.map((m) => m.to)).size, messages.length, "no number sent twice");
    assert.ok(s.sandbox.requests().length < 10, "stopped mid-campaign");
    console.log(`# fleet: store flushed after ${s.sandbox.requests().length} requests: all 4 workers stopped with FLEET_UNTRUSTED`);
  });

  test("redis-server SIGKILLed mid-campaign: workers stop; restarted from its AOF, the campaign finishes with no double send", async () => {
    const list10 = campaignList(10_000);
    const base = { url: s.sandbox.url, qps: 5, id: "redis-killed", leaseMs: 1500, timeoutMs: 1000, list: { count: 10_000 } };
    const first = [0, 1, 2, 3].map((n) => worker({ ...base, client: client(n) }));
    await until(() => s.sandbox.requests().length >= 3, "three requests");
    await sleep(Math.floor(Math.random() * 200));
    await redis.kill();
    const stopped = await Promise.all(first.map((w, n) => finished(w, `worker ${n}`)));
    for (const [n, r] of stopped.entries()) {
      assert.ok(["FLEET_UNAVAILABLE", "REDIS_DOWN", null].includes(r.error), `worker ${n}: ${r.error}`);
    }
    assert.ok(stopped.some((r) => r.error === "FLEET_UNAVAILABLE"), "the workers stopped");
    const before = s.sandbox.requests().length;
    assert.ok(before < 10, "killed mid-campaign");

    await redis.restart();
    // This process's own client gave up reconnecting while Redis was down: a new one.
    try {
      await parent.close();
    } catch {
      // Already closed when it gave up.
    }
    parent = await CLIENTS["node-redis"](redis.port);
    const second = [0, 1, 2, 3].map((n) => worker({ ...base, client: client(n + 1) }));
    for (const [n, w] of second.entries()) assert.equal((await finished(w, `new worker ${n}`)).error, null);
    const state = await stored(s.sandbox.url, list10, "redis-killed", 5);
    const { byState } = assertLedgerAgrees(state.ledger, s.sandbox.messages(), list10.to);
    assert.deepEqual(byState.skipped, []);
    assert.deepEqual(byState.unknown, markedUnanswered(list10, state), "unknown = marked before the kill, never answered");
    assert.equal(state.marks.size, 10);
    console.log(`# fleet: redis killed after ${before} requests; ${[...state.marks.keys()].filter((k) => !state.outcomes.has(k)).length} request(s) unknown`);
  });
});
