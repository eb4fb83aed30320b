#!/usr/bin/env node
// Campaigns at the account's pace (issue 6): 20,000 recipients sent to the sandbox at its real
// limit (1 call/s, the default of both the sandbox and sendCampaign: about 20 s), and 100,000 with
// qps raised to 50 on both sides; each in a fresh child process with a file journal (the setup
// the issue recommends), so its RSS is the campaign's alone. Printed, never asserted: a missed
// target is reported and the exit code stays 0.
//
// Figures:
// - rate: recipients per second between the first and the last call the sandbox accepted,
//   (accepted recipients - the first call's) / (last arrival - first arrival), as a percentage
//   of the limit (1,000 numbers per call, 1 call/s: 1,000/s; target >= 99%). The first call is
//   left out because the window opens with it; end to end (sendCampaign called → resolved) is
//   printed too.
// - throttled: answers the sandbox gave with a Throttling code (its requests() log; target 0).
// - peak RSS: the child's process.memoryUsage().rss sampled every 100 ms, and the kernel's max
//   RSS for the process (process.resourceUsage().maxRSS) at the end; MiB. Target <= 64 for
//   100,000. For reference, an idle node with the package (and its journal) imported.
//
// The package is measured as a user installs it: pkg/ packed and installed (offline: it has no
// dependencies) into a temp project under .tmp/, this file copied there and run as the child,
// importing "aliyun-globe-sms" by name. The sandbox runs in this (parent) process.
//
// Usage: node bench/campaign.mjs [--quick] [--large] [--breakdown]
//   --quick      3,000 at 1 call/s and 10,000 at qps 50
//   --large      only the qps-raised case (100,000; 10,000 with --quick), to measure memory alone
//   --breakdown  instead of the table: where the memory of the qps-raised case goes, step by step
//                (issue 12). The child runs with --expose-gc and reads, after a gc() at each step,
//                RSS, V8 heapUsed, external and arrayBuffers (process.memoryUsage()) and the
//                wasm linear memory (the instance's exported memory, caught by wrapping
//                WebAssembly.Instance before the package is imported); and during the campaign
//                the peak of each, sampled every 20 ms and at each progress report. Steps: the
//                package imported; the caller's list built; the campaign running (its first
//                progress report comes after the whole list was read into the wasm and checked);
//                the peak; the result held; the result dropped.

import { rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { installBench, runChild } from "./project.mjs";

const MiB = 1024 * 1024;
const here = fileURLToPath(import.meta.url);

/** Distinct valid Hong Kong mobile numbers, as people write them. */
function numbers(count) {
  return Array.from({ length: count }, (_, i) => `+852 ${i < 5_000_000 ? 6 : 9}${String(i % 5_000_000).padStart(7, "0")}`);
}

// ---------------------------------------------------------------- the child

async function child(args) {
  const samples = [process.memoryUsage().rss];
  const sampler = setInterval(() => samples.push(process.memoryUsage().rss), 100);
  const { sendCampaign } = await import("aliyun-globe-sms");
  const { fileJournal } = await import("aliyun-globe-sms/journal");
  const { DEFAULT_KEY } = await import("aliyun-globe-sms/sandbox");
  let report = {};
  if (args.mode === "idle") {
    await new Promise((resolve) => setTimeout(resolve, 1000));
  } else if (args.mode === "campaign") {
    const to = numbers(args.count);
    const started = performance.now();
    let error = null;
    let counts;
    try {
      const result = await sendCampaign({
        credentials: DEFAULT_KEY,
        endpoint: args.url,
        to,
        message: "Your code is 4821",
        qps: args.qps,
        journal: fileJournal(args.journal),
      });
      counts = result.counts;
    } catch (e) {
      error = e.code ?? String(e);
      counts = e.ledger?.counts ?? null;
    }
    report = { endToEndMs: performance.now() - started, counts, error };
  }
  clearInterval(sampler);
  samples.push(process.memoryUsage().rss);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ ...report, sampledPeak: Math.max(...samples), maxRss }));
}

/** The breakdown child (see --breakdown): one campaign, memory read step by step. */
async function breakdown(args) {
  let memory = null;
  const Instance = WebAssembly.Instance;
  // Only to read the linear memory's size from outside the package; the package is unchanged.
  WebAssembly.Instance = new Proxy(Instance, {
    construct(target, argv, newTarget) {
      const instance = Reflect.construct(target, argv, newTarget);
      if (instance.exports.memory instanceof WebAssembly.Memory) memory = instance.exports.memory;
      return instance;
    },
  });
  const { sendCampaign } = await import("aliyun-globe-sms");
  const { fileJournal } = await import("aliyun-globe-sms/journal");
  const { DEFAULT_KEY } = await import("aliyun-globe-sms/sandbox");
  WebAssembly.Instance = Instance;
  const read = () => ({ ...process.memoryUsage(), wasm: memory ? memory.buffer.byteLength : NaN });
  // A tick first: the campaign's promise machinery lets go of its values only after one.
  const settled = async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    globalThis.gc();
    globalThis.gc();
    return read();
  };
  const steps = [];
  steps.push(["package imported", await settled()]);
  let to = numbers(args.count);
  steps.push(["+ the caller's list (to)", await settled()]);
  const peak = read();
  const sample = () => {
    const now = read();
    for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], now[key]);
  };
  const sampler = setInterval(sample, 20);
  let first = null;
  let result = await sendCampaign({
    credentials: DEFAULT_KEY,
    endpoint: args.url,
    to,
    message: "Your code is 4821",
    qps: args.qps,
    journal: fileJournal(args.journal),
    onProgress: (p) => {
      sample();
      if (first === null) first = read();
    },
  });
  clearInterval(sampler);
  sample();
  steps.push(["campaign: first progress (list read and checked)", first]);
  steps.push(["campaign: peak of each (sampled)", peak]);
  steps.push(["+ the result held", await settled()]);
  const rows = result.recipients.length;
  const counts = result.counts;
  result = null;
  steps.push(["result dropped", await settled()]);
  to = null;
  steps.push(["list dropped", await settled()]);
  console.log(JSON.stringify({ steps, rows, counts, maxRss: process.resourceUsage().maxRSS * 1024 }));
}

// ---------------------------------------------------------------- the parent

/** pkg/ packed and installed into a fresh project under .tmp/, with this file beside it. */
function install(root) {
  return installBench(root, "campaign", here);
}

/** Runs the child in a fresh node; resolves with its JSON line. */
function run(project, args, nodeFlags = []) {
  return runChild(project, "campaign.mjs", args, nodeFlags);
}

/** Rate and throttling from the sandbox's request log. */
function fromSandbox(sandbox) {
  const requests = sandbox.requests();
  const accepted = requests.filter((r) => r.code === "OK");
  const throttled = requests.filter((r) => /^Throttling/.test(r.code ?? "")).length;
  const first = accepted[0];
  const last = accepted.at(-1);
  const spanMs = first && last ? Date.parse(last.time) - Date.parse(first.time) : 0;
  const afterFirst = accepted.slice(1).reduce((sum, r) => sum + r.recipients, 0);
  return { calls: requests.length, accepted: accepted.length, throttled, rate: spanMs > 0 ? (afterFirst / spanMs) * 1000 : NaN };
}

async function main() {
  const quick = process.argv.includes("--quick");
  const large = process.argv.includes("--large");
  const root = dirname(dirname(here));
  const { project, version } = install(root);
  try {
    const { startSandbox } = await import(pathToFileURL(join(project, "node_modules", "aliyun-globe-sms", "sandbox", "index.js")).href);
    console.log(`bench: campaigns, aliyun-globe-sms ${version} (installed in ${project.slice(root.length + 1)}), node ${process.version}, ${availableParallelism()} cores`);
    if (process.argv.includes("--breakdown")) {
      await showBreakdown(project, startSandbox, quick ? 10_000 : 100_000);
      return;
    }

    const rows = [];
    const idleBare = await run(project, { mode: "bare" });
    rows.push({ name: "idle node, nothing imported", rss: idleBare });
    const idle = await run(project, { mode: "idle" });
    rows.push({ name: "idle node + package and journal imported", rss: idle });

    const cases = [
      { name: "at the real limit", count: quick ? 3_000 : 20_000, qps: 1, target: true },
      { name: "qps raised", count: quick ? 10_000 : 100_000, qps: 50 },
    ].slice(large ? 1 : 0);
    for (const c of cases) {
      const sandbox = await startSandbox({ qps: c.qps });
      try {
        const journal = join(project, `journal-${c.count}-${c.qps}.jsonl`);
        rmSync(journal, { force: true });
        console.log(`bench: ${c.count.toLocaleString("en")} recipients, sandbox qps ${c.qps}, campaign qps ${c.qps} ...`);
        const result = await run(project, { mode: "campaign", url: sandbox.url, count: c.count, qps: c.qps, journal });
        rows.push({ name: `${c.count.toLocaleString("en")} ${c.name} (qps ${c.qps})`, rss: result, campaign: result, sandbox: fromSandbox(sandbox), qps: c.qps, target: c.target });
      } finally {
        await sandbox.close();
      }
    }

    const mib = (bytes) => (bytes / MiB).toFixed(1);
    const table = [["", "sent+failed", "end to end s", "rate /s", "% of limit", "throttled", "peak RSS MiB (sampled / max)", "over idle + package"]];
    for (const row of rows) {
      const c = row.campaign;
      const s = row.sandbox;
      const limit = row.qps ? row.qps * 1000 : NaN;
      table.push([
        row.name,
        c ? String((c.counts?.sent ?? 0) + (c.counts?.failed ?? 0)) + (c.error ? ` (${c.error})` : "") : "",
        c ? (c.endToEndMs / 1000).toFixed(1) : "",
        s ? s.rate.toFixed(0) : "",
        s ? `${((s.rate / limit) * 100).toFixed(1)}%` : "",
        s ? `${s.throttled} of ${s.calls} calls` : "",
        `${mib(row.rss.sampledPeak)} / ${mib(row.rss.maxRss)}`,
        c ? `+${mib(row.rss.maxRss - idle.maxRss)}` : "",
      ]);
    }
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    console.log("");
    for (const r of table) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
    const raisedRow = rows.at(-1);
    const limitRow = large ? null : rows[2];
    console.log("");
    if (limitRow) {
      console.log(`targets: rate at 1 call/s >= 99% of 1,000/s: ${((limitRow.sandbox.rate / 1000) * 100).toFixed(1)}% ${limitRow.sandbox.rate >= 990 ? "met" : "MISSED"}`);
      console.log(`         throttled answers 0: ${limitRow.sandbox.throttled + raisedRow.sandbox.throttled} ${limitRow.sandbox.throttled + raisedRow.sandbox.throttled === 0 ? "met" : "MISSED"}`);
    } else {
      console.log(`targets: throttled answers 0: ${raisedRow.sandbox.throttled} ${raisedRow.sandbox.throttled === 0 ? "met" : "MISSED"}`);
    }
    console.log(`         peak RSS at ${raisedRow.name.split(" ")[0]} <= 64 MiB: ${mib(raisedRow.rss.maxRss)} ${raisedRow.rss.maxRss <= 64 * MiB ? "met" : "MISSED"}`);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

/** Runs the breakdown child against a sandbox at qps 50 and prints its steps. */
async function showBreakdown(project, startSandbox, count) {
  const qps = 50;
  const sandbox = await startSandbox({ qps });
  let result;
  try {
    const journal = join(project, `journal-breakdown-${count}.jsonl`);
    rmSync(journal, { force: true });
    console.log(`bench: memory breakdown, ${count.toLocaleString("en")} recipients, qps ${qps} ...`);
    result = await run(project, { mode: "breakdown", url: sandbox.url, count, qps, journal }, ["--expose-gc"]);
  } finally {
    await sandbox.close();
  }
  const mib = (bytes) => (bytes / MiB).toFixed(1);
  const keys = ["rss", "heapTotal", "heapUsed", "external", "arrayBuffers", "wasm"];
  const table = [["step (after gc() unless sampled)", "RSS", "heapTotal", "heapUsed", "external", "arrayBuffers", "wasm memory"]];
  for (const [name, m] of result.steps) table.push([name, ...keys.map((k) => mib(m[k]))]);
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  console.log("");
  for (const r of table) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
  console.log(`MiB; ${result.rows} ledger rows, counts ${JSON.stringify(result.counts)}; kernel maxRSS ${mib(result.maxRss)} MiB`);
}

const at = process.argv.indexOf("--child");
if (at !== -1) {
  const args = JSON.parse(process.argv[at + 1]);
  if (args.mode === "bare") {
    const samples = [process.memoryUsage().rss];
    await new Promise((resolve) => setTimeout(resolve, 1000));
    samples.push(process.memoryUsage().rss);
    console.log(JSON.stringify({ sampledPeak: Math.max(...samples), maxRss: process.resourceUsage().maxRSS * 1024 }));
  } else if (args.mode === "breakdown") {
    await breakdown(args);
  } else {
    await child(args);
  }
} else {
  await main();
}
