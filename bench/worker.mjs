// One client in one fresh process: `node worker.mjs <ours|sdk> <mode> '<json options>'`.
// Prints one JSON line with its measurements; run.mjs starts it, so the two clients never share
// a heap, a JIT or a garbage collector.
//
// Modes:
//   sign  build + sign the 1000-recipient batches in both schemes, no network (figure 1)
//   cpu   CPU time per call, sequential sends of a 100-recipient batch to the server (figure 2)
//   rss   RSS after 200 sends of the 1000-recipient ASCII batch, after gc (figure 4)
//   rssSign  the same with build + sign only, no network (figure 4, for reference)
//   baseline  (client "none") the same memory reading in a process that loads no client
import { performance } from "node:perf_hooks";
import { batch } from "./fixtures.mjs";

const [clientName, mode, json = "{}"] = process.argv.slice(2);
const options = JSON.parse(json);
const adapter = clientName === "none" ? null : await import(`./clients/${clientName}.mjs`);

async function sign({ key, budgetMs, minSamples, maxSamples, warmup }) {
  if (adapter.installCannedTransport) adapter.installCannedTransport();
  const figures = [];
  for (const batchName of ["ascii1000", "chinese1000"]) {
    const input = batch(batchName);
    for (const scheme of ["v1", "acs3"]) {
      const client = adapter.client({ key, scheme });
      // A wrong request must not pass for a fast one: check what one call produced.
      const first = await client.sign(input);
      if (adapter.name === "ours" && !/Signature=|ACS3-HMAC-SHA256 .*Signature=/.test(first.url + JSON.stringify(first.headers))) {
        throw new Error("ours: no signature");
      }
      if (adapter.name === "sdk" && first.body.responseCode !== "OK") throw new Error("sdk: canned answer not read");
      for (let i = 0; i < warmup; i++) await client.sign(input);
      const samples = [];
      const end = performance.now() + budgetMs;
      while (samples.length < maxSamples && (samples.length < minSamples || performance.now() < end)) {
        const t0 = performance.now();
        const pending = client.sign(input);
        if (pending instanceof Promise) await pending;
        samples.push(performance.now() - t0);
      }
      figures.push({ batch: batchName, scheme, samples });
    }
  }
  return figures;
}

async function cpu({ key, endpoint, endpointUrl, calls, warmup }) {
  const client = adapter.client({ key, scheme: "v1", endpoint, endpointUrl });
  const input = batch("ascii100");
  for (let i = 0; i < warmup; i++) await client.send(input);
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const count = await client.send(input);
    if (count !== input.to.length) throw new Error(`${adapter.name}: ${count} recipients reported`);
  }
  const used = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  return { calls, cpuMsPerCall: (used.user + used.system) / 1000 / calls, userMsPerCall: used.user / 1000 / calls, wallMsPerCall: wall / calls };
}

async function rss({ key, endpoint, endpointUrl, calls }) {
  const client = adapter.client({ key, scheme: "v1", endpoint, endpointUrl });
  const input = batch("ascii1000");
  for (let i = 0; i < calls; i++) {
    const count = await client.send(input);
    if (count !== input.to.length) throw new Error(`${adapter.name}: ${count} recipients reported`);
  }
  return settledMemory();
}

/** As `rss`, with no network: build + sign only (the SDK's HTTP call stubbed as in `sign`). */
async function rssSign({ key, calls }) {
  if (adapter.installCannedTransport) adapter.installCannedTransport();
  const client = adapter.client({ key, scheme: "v1" });
  const input = batch("ascii1000");
  for (let i = 0; i < calls; i++) await client.sign(input);
  return settledMemory();
}

/** memoryUsage() after two full collections, with a turn of the event loop between. */
export async function settledMemory() {
  for (let i = 0; i < 2; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers, gc: typeof globalThis.gc === "function" };
}

const modes = { sign, cpu, rss, rssSign, baseline: settledMemory };
if (!modes[mode]) throw new Error(`unknown mode ${mode}`);
const result = await modes[mode](options);
process.stdout.write(JSON.stringify(result) + "\n");
// Keep-alive sockets would hold the process open.
process.exit(0);
