#!/usr/bin/env node
// A fleet on Redis (issue 15): 4 processes sending for one AccessKeyId to the sandbox at its real
// limit (1 call/s), every send taking its slot from Redis (redisPacer), 30 requests in all.
// Two setups: 4 independent campaigns (8 + 8 + 7 + 7 requests), and one campaign of 30,000
// recipients worked by 4 workers (redisCampaign). Printed, never asserted.
//
// Figures:
// - pace: calls the sandbox accepted after the first, per second between the first and the last
//   arrival, as a percentage of 1 call/s (target >= 97%);
// - throttled: answers with a Throttling code (the sandbox's request log; target 0);
// - Redis round trips per request: commands the adapters sent (pacer and campaign store), over
//   the 30 requests;
// - the gaps between accepted calls, in arrival order (the first few are the processes' first
//   sends, each counted from its answer).
//
// The sandbox is warmed first (5 calls on the same key, then its record cleared): its own cold
// first answers are not the fleet's to pay. The processes are cold, as a fleet's are.
//
// Setup as bench/campaign.mjs: pkg/ packed and installed into a temp project under .tmp/, this
// file run there as the child, importing the package by name; node-redis for 2 of the workers and
// ioredis for the others, from the repository's devDependencies. redis-server is Debian's
// (make bench-fleet installs it), started on 127.0.0.1 and a free port with its AOF
// (appendfsync always) in a temp dir, as the tests do (tests/node/redis-server.mjs).
//
// Usage: node bench/fleet.mjs

import { rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { installBench, runChild } from "./project.mjs";

const here = fileURLToPath(import.meta.url);
const root = dirname(dirname(here));
const COUNT = 30;

/** Distinct valid Hong Kong mobiles, `count` from `offset` (none ends in 0000: none fails). */
const numbers = (count, offset) => Array.from({ length: count }, (_, i) => `+852 6${String(offset + i).padStart(7, "0")}`);

async function child(args) {
  const { sendCampaign } = await import("aliyun-globe-sms");
  const { redisCampaign, redisPacer } = await import("aliyun-globe-sms/redis");
  const { DEFAULT_KEY } = await import("aliyun-globe-sms/sandbox");
  const { CLIENTS } = await import(pathToFileURL(join(args.root, "tests", "node", "redis-server.mjs")).href);
  const { client, close } = await CLIENTS[args.client](args.port);
  const pacer = redisPacer(client);
  const fleet = args.id ? redisCampaign(client, { id: args.id, leaseMs: 15_000 }) : undefined;
  let error = null;
  try {
    await sendCampaign({ credentials: DEFAULT_KEY, endpoint: args.url, to: numbers(args.count, args.offset), message: "Your code is 4821", pacer, fleet });
  } catch (e) {
    error = e.code ?? String(e);
  }
  await close();
  console.log(JSON.stringify({ error, roundTrips: pacer.stats.roundTrips + (fleet?.stats.roundTrips ?? 0) }));
}

/** pkg/ packed and installed into a fresh project under .tmp/, with this file beside it. */
function install(root) {
  return installBench(root, "fleet", here);
}

/** Runs the child in a fresh node; resolves with its JSON line. */
function run(project, args, nodeFlags = []) {
  return runChild(project, "fleet.mjs", args, nodeFlags);
}

function fromSandbox(sandbox) {
  const requests = sandbox.requests();
  const accepted = requests.filter((r) => r.code === "OK");
  const throttled = requests.filter((r) => /^Throttling/.test(r.code ?? "")).length;
  const times = accepted.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
  const spanMs = times.length > 1 ? times.at(-1) - times[0] : 0;
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  // For each throttled call: how long after the previous accepted one it arrived, and its index.
  const early = [];
  let last = null;
  requests.forEach((r, i) => {
    const t = Date.parse(r.time);
    if (r.code === "OK") last = t;
    else if (/^Throttling/.test(r.code ?? "")) early.push(`call ${i}: ${last === null ? "-" : t - last} ms after the last accepted`);
  });
  return { accepted: accepted.length, throttled, early, gaps, pace: spanMs > 0 ? ((times.length - 1) / spanMs) * 1000 : NaN, minGap: Math.min(...gaps) };
}

async function main() {
  const { project, version } = install(root);
  const { startRedis } = await import(pathToFileURL(join(root, "tests", "node", "redis-server.mjs")).href);
  const { startSandbox } = await import(pathToFileURL(join(project, "node_modules", "aliyun-globe-sms", "sandbox", "index.js")).href);
  const redis = await startRedis();
  const sandbox = await startSandbox({ qps: 1 });
  // The sandbox's first calls are slow (its signature check and parsing are cold: the first
  // answer took 130 to 230 ms, later ones 10 to 40), and a process's first send counts from its
  // answer, so a cold sandbox would charge its own warm-up to the fleet's pace. A service is
  // warm: 5 campaigns of 1,000 numbers through it, at its 1 call/s, then its record is cleared.
  const { sendCampaign } = await import(pathToFileURL(join(project, "node_modules", "aliyun-globe-sms", "node.js")).href);
  const { DEFAULT_KEY } = await import(pathToFileURL(join(project, "node_modules", "aliyun-globe-sms", "sandbox", "index.js")).href);
  for (let n = 0; n < 5; n += 1) await sendCampaign({ credentials: DEFAULT_KEY, endpoint: sandbox.url, to: numbers(1000, 900_000 + n * 1000), message: "warm-up" });
  console.log(`bench: a fleet on Redis, aliyun-globe-sms ${version}, node ${process.version}, ${availableParallelism()} cores; sandbox at 1 call/s; ${COUNT} requests by 4 processes`);
  const table = [["", "accepted", "throttled", "pace % of limit", "smallest gap ms", "Redis round trips / request", "wall s"]];
  try {
    const id = `bench-${Date.now()}`;
    const setups = [
      ["4 independent campaigns", (n) => ({ count: [8, 8, 7, 7][n] * 1000, offset: 1 + n * 100_000 })],
      ["one campaign, 4 workers", () => ({ count: COUNT * 1000, offset: 1, id })],
    ];
    for (const [name, list] of setups) {
      sandbox.reset();
      const started = performance.now();
      const reports = await Promise.all(
        [0, 1, 2, 3].map((n) => run(project, { root, port: redis.port, url: sandbox.url, client: n % 2 ? "ioredis" : "node-redis", ...list(n) })),
      );
      const wall = (performance.now() - started) / 1000;
      const errors = reports.filter((r) => r.error).map((r) => r.error);
      const s = fromSandbox(sandbox);
      const roundTrips = reports.reduce((sum, r) => sum + r.roundTrips, 0);
      table.push([name, String(s.accepted), String(s.throttled), (s.pace * 100).toFixed(2), String(s.minGap), (roundTrips / COUNT).toFixed(2), wall.toFixed(1)]);
      if (errors.length) console.log(`bench: ${name}: errors ${errors.join(", ")}`);
      console.log(`bench: ${name}: gaps between accepted calls, ms: ${s.gaps.join(" ")}`);
      if (s.early.length) console.log(`bench: ${name}: throttled ${s.early.join("; ")}`);
    }
  } finally {
    await sandbox.close();
    await redis.stop();
    rmSync(project, { recursive: true, force: true });
  }
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  for (const row of table) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
}

if (process.argv[2] === "--child") await child({ ...JSON.parse(process.argv[3]) });
else await main();
