// The boundary fuzzer (issue 11): every export of the package, given any JS value, returns a
// well-formed result or fails with an SmsError whose code is in the closed SmsErrorCode union
// (read from the installed package's .d.ts); async exports never throw synchronously and always
// settle; nothing reaches the network for an invalid batch; no uncaught exception or unhandled
// rejection; and valid calls still give the same answers afterwards.
//
// Issue 13's delivery reports too: recordReports and pollCampaign open a campaign the child sent
// (each case a copy of its journal) and must leave the rows the evidence or the sandbox decided;
// recordReports never reaches the sandbox, a poll only with QueryMessage. The Fetch handler
// createReportHandler makes answers every request, whatever its body, headers or onReports, with
// a Response of a status it documents and `{"code":0}` only once onReports resolved.
//
// Issue 14's CSV campaigns and issue 16's costly characters too: readCsvCampaign, planCampaign,
// resultsCsv and costlyCharacters never reach the network (no fetch call during or just after
// one); their results hold together (a table's numbers, lines and rows left out; a plan's counts;
// a results file that starts with the BOM and header and reads back as the rows it was given;
// costly characters inside the text, as countSegments bills them), and a generated table gives
// exactly the rows it holds.
//
// Two tests: a fixed block of named hostile cases (each its own subtest), then BOUNDARY_FUZZ_CASES
// random cases (default 50,000) from BOUNDARY_FUZZ_SEED (random when unset, always printed).
// BOUNDARY_FUZZ_ONLY=<index> runs just that random case. The cases run in a child process
// (tests/node/boundary-values.mjs): a case that crashes or wedges the process is reported by name
// and index, and the run goes on from the next case.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { NAMED, randomCase } from "./boundary-values.mjs";

const CHILD = fileURLToPath(new URL("./boundary-values.mjs", import.meta.url));
const SEED = process.env.BOUNDARY_FUZZ_SEED ? Number(process.env.BOUNDARY_FUZZ_SEED) >>> 0 : randomInt(2 ** 32);
const CASES = process.env.BOUNDARY_FUZZ_CASES ? Number(process.env.BOUNDARY_FUZZ_CASES) : 50_000;
const ONLY = process.env.BOUNDARY_FUZZ_ONLY ?? "";
/** A child that makes no progress for this long is killed, and its case counted as a failure. */
const STALL_MS = 6_000;
/** The random run stops after this many failing cases, or this many slow ones (wedged, never settled). */
const MAX_FAILURES = Number(process.env.BOUNDARY_FUZZ_MAX_FAILURES || 100);
const MAX_SLOW = 12;
/** Children side by side (each with its own sandbox): the named block always uses 2. */
const JOBS = Math.max(1, Number(process.env.BOUNDARY_FUZZ_JOBS || 1));
/** A child is replaced after each failing case (its instance may be poisoned); at most this often. */
const MAX_RESTARTS = 250;
const SHOW_FAILURES = 12;

assert.ok(Number.isInteger(CASES) && CASES >= 0, `BOUNDARY_FUZZ_CASES must be a whole number, got ${process.env.BOUNDARY_FUZZ_CASES}`);

/** Runs cases [from, total) in one child; resolves with how it ended. */
function runChild({ mode, from, total, work, budget, slowBudget, onMessage }) {
  const crumb = join(work, `crumb-${mode}-${from}`);
  const child = spawn(process.execPath, [CHILD], {
    env: {
      ...process.env,
      BFZ_MODE: mode,
      BFZ_SEED: String(SEED),
      BFZ_FROM: String(from),
      BFZ_TO: String(total),
      BFZ_ONLY: mode === "random" ? ONLY : "",
      BFZ_CRUMB: crumb,
      BFZ_BUDGET: String(budget),
      BFZ_SLOW_BUDGET: String(slowBudget),
    },
    stdio: ["ignore", "inherit", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    if (stderr.length < 4000) stderr += chunk;
  });
  const readCrumb = () => {
    try {
      return readFileSync(crumb, "utf8").trim();
    } catch {
      return "";
    }
  };
  let last = "";
  let lastChange = Date.now();
  let stalled = false;
  const watchdog = setInterval(() => {
    const now = readCrumb();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > STALL_MS && !stalled) {
      stalled = true;
      child.kill("SIGKILL");
    }
  }, 250);
  child.on("message", onMessage);
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      clearInterval(watchdog);
      resolve({ code, signal, stalled, crumb: readCrumb(), stderr: stderr.trim() });
    });
  });
}

const SLOW = /never settled|took \d+ ms|no progress/;

/**
 * Runs cases [0, total) of `mode` in `jobs` children side by side (contiguous ranges), replacing a
 * child that dies (a segfault, a trap that poisons the wasm instance, a wedged call) and going on
 * from the case after the one that killed it.
 */
async function runAll(mode, total, describe, jobs = 1) {
  const work = mkdtempSync(join(tmpdir(), "boundary-fuzz-"));
  const run = { failures: [], named: new Map(), events: [], stats: {}, network: [], post: [], crashes: 0, unfinished: null };
  const limited = mode === "random";
  const merge = (stats) => {
    for (const [name, s] of Object.entries(stats)) {
      const into = (run.stats[name] ??= { calls: 0, ok: 0, codes: {}, failures: 0 });
      into.calls += s.calls;
      into.ok += s.ok;
      into.failures += s.failures;
      for (const [code, n] of Object.entries(s.codes)) into.codes[code] = (into.codes[code] ?? 0) + n;
    }
  };
  const failed = () => (limited ? run.failures : [...run.named.values()].filter((r) => !r.ok));
  const lane = async (start, end) => {
    let from = start;
    do {
      let finished = false;
      let poisonedAt = null;
      const budget = limited ? MAX_FAILURES - failed().length : Infinity;
      const slowBudget = limited ? MAX_SLOW - failed().filter((f) => SLOW.test(f.detail)).length : Infinity;
      if (budget <= 0 || slowBudget <= 0) {
        run.unfinished ??= `stopped early: ${failed().length} failing cases (BOUNDARY_FUZZ_MAX_FAILURES=${MAX_FAILURES}, at most ${MAX_SLOW} slow ones)`;
        return;
      }
      const ended = await runChild({
        mode,
        from,
        total: end,
        work,
        budget,
        slowBudget,
        onMessage: (message) => {
          if (message.type === "named") run.named.set(message.index, message);
          else if (message.type === "failure") run.failures.push(message);
          else if (message.type === "event") run.events.push(message);
          else if (message.type === "stats") merge(message.stats);
          else if (message.type === "poisoned") {
            poisonedAt = message.index;
            merge(message.stats);
          } else if (message.type === "done") {
            finished = true;
            merge(message.stats);
            run.network.push(message.network);
            run.post.push(...message.post);
            if (message.stoppedAt !== null) {
              run.unfinished ??= `stopped early at case ${message.stoppedAt}: ${failed().length} failing cases (BOUNDARY_FUZZ_MAX_FAILURES=${MAX_FAILURES}, at most ${MAX_SLOW} slow ones)`;
            }
          }
        },
      });
      if (finished) return;
      const crumbAt = /^case (\d+)$/.exec(ended.crumb);
      const at = poisonedAt ?? (crumbAt ? Number(crumbAt[1]) : null);
      const how = ended.stalled
        ? `no progress for ${STALL_MS / 1000} s: the child was killed`
        : poisonedAt !== null
          ? "(replaced after a failing case)"
          : `the process died (${ended.signal ?? `exit code ${ended.code}`})`;
      if (at === null) {
        run.unfinished ??= `a child stopped outside any case (${ended.crumb || "before starting"}): ${how}${ended.stderr ? `\n${ended.stderr}` : ""}`;
        return;
      }
      if (poisonedAt === null) {
        const detail = `${how}${ended.stderr ? ` — stderr: ${ended.stderr.split("\n").slice(0, 3).join(" | ")}` : ""}`;
        if (mode === "named") run.named.set(at, { index: at, ok: false, detail });
        else run.failures.push({ index: at, ...describe(at), detail });
      }
      run.crashes += 1;
      if (run.crashes > MAX_RESTARTS) {
        run.unfinished ??= `stopped after ${run.crashes} crashed or poisoned processes; later cases did not run`;
        return;
      }
      from = at + 1;
    } while (from < end);
  };
  try {
    const size = Math.ceil(total / jobs) || 0;
    const ranges = jobs === 1 || total < jobs ? [[0, total]] : Array.from({ length: jobs }, (_, j) => [j * size, Math.min(total, (j + 1) * size)]);
    await Promise.all(ranges.map(([start, end]) => lane(start, end)));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return run;
}

function statsLines(stats) {
  return Object.entries(stats)
    .sort((a, b) => b[1].calls - a[1].calls)
    .map(([name, s]) => {
      const codes = Object.entries(s.codes)
        .sort((a, b) => b[1] - a[1])
        .map(([code, n]) => `${code} ${n}`)
        .join(", ");
      // A handler's answers are results whatever their status: listed as answers, not errors.
      return `${name}: ${s.calls} calls, ${s.ok} results${codes ? `; ${name === "reportHandler" ? "answers" : "errors"}: ${codes}` : ""}${s.failures ? `; ${s.failures} FAILED` : ""}`;
    });
}

/** The shared checks of a run: events, the sandbox's record, the calls after the fuzz. */
async function runChecks(t, run) {
  await t.test("no uncaught exception and no unhandled rejection in the process", () => {
    const lines = run.events.slice(0, SHOW_FAILURES).map((e) => `${e.kind} during case ${e.index}: ${e.detail}`);
    assert.equal(run.events.length, 0, `${run.events.length} event(s):\n${lines.join("\n")}`);
  });
  await t.test("the sandbox received exactly the requests of the calls that could send (none for an INVALID_* one)", () => {
    assert.ok(run.network.length > 0, `no child finished its run, so the sandbox's record was never read (${run.unfinished ?? "see above"})`);
    for (const n of run.network) {
      t.diagnostic(`sandbox: ${n.received} request(s) received (admin GET /__sandbox/requests), ${n.expected} expected, from ${n.sentCalls} call(s) that sent`);
      assert.equal(n.received, n.expected, "the sandbox's record differs from the requests the calls account for");
      assert.equal(n.counted, n.expected);
    }
  });
  await t.test("valid calls still work, and give the same answers, after the hostile ones", () => {
    assert.ok(run.network.length > 0, `no child finished its run, so the check never ran (${run.unfinished ?? "see above"})`);
    assert.deepEqual(run.post, []);
  });
}

test(`boundary fuzz: ${NAMED.length} named hostile cases`, async (t) => {
  const started = performance.now();
  const run = await runAll("named", NAMED.length, (i) => ({ export: NAMED[i].fn, desc: NAMED[i].name }), 2);
  const failed = [...run.named.values()].filter((r) => !r.ok).length;
  t.diagnostic(`${NAMED.length} named cases in ${((performance.now() - started) / 1000).toFixed(1)} s, ${failed} failed, ${run.crashes} process(es) replaced`);
  for (const [i, named] of NAMED.entries()) {
    const result = run.named.get(i) ?? { ok: false, detail: run.unfinished ?? "never ran" };
    await t.test(named.name, () => assert.ok(result.ok, result.detail));
  }
  await runChecks(t, run);
  assert.equal(run.unfinished, null, run.unfinished ?? "");
});

test(`boundary fuzz: ${CASES} random cases, seed ${SEED}`, async (t) => {
  t.diagnostic(`seed ${SEED} — replay with BOUNDARY_FUZZ_SEED=${SEED} BOUNDARY_FUZZ_CASES=${CASES}`);
  const started = performance.now();
  const fakeEnv = { url: "http://127.0.0.1:1", handlers: {} };
  const run = await runAll(
    "random",
    CASES,
    (i) => {
      const c = randomCase(SEED, i, fakeEnv);
      return { export: c.name, desc: c.desc };
    },
    JOBS,
  );
  const seconds = (performance.now() - started) / 1000;
  const ran = Object.values(run.stats).reduce((sum, s) => sum + s.calls, 0);
  t.diagnostic(`${ran} cases in ${seconds.toFixed(1)} s: ${Math.round(ran / seconds)} cases/s; ${run.crashes} process(es) replaced`);
  for (const line of statsLines(run.stats)) t.diagnostic(line);
  const first = run.failures.slice(0, SHOW_FAILURES);
  for (const f of first) {
    t.diagnostic(`FAILED #${f.index} ${f.export}: ${f.desc}`);
    t.diagnostic(`    → ${f.detail}`);
    t.diagnostic(`    replay: BOUNDARY_FUZZ_SEED=${SEED} BOUNDARY_FUZZ_ONLY=${f.index}`);
  }
  const shown = first.map((f) => `#${f.index} ${f.export}: ${f.desc}\n    → ${f.detail}`);
  await t.test("every case kept the contract", () => {
    assert.equal(run.failures.length, 0, `${run.failures.length} failing case(s); the first:\n${shown.join("\n")}`);
  });
  await runChecks(t, run);
  assert.equal(run.unfinished, null, run.unfinished ?? "");
  if (!ONLY) assert.equal(ran, CASES, `only ${ran} of ${CASES} cases ran`);
});
