// The bin starts with no arguments, prints its URL and the test key pair, serves, and stops with
// exit code 0 on SIGINT and on SIGTERM.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { DEFAULT_KEY } from "../../pkg-template/sandbox/index.js";
import { SdkModels, json, raw, sdkClient, sdkRequest, startReceiver } from "./helpers.mjs";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "pkg-template", "sandbox", "bin.js");
const WAIT_MS = 15_000;

/** Starts the bin and resolves with the child and its URL once it has printed its banner. */
function startBin(args = []) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (chunk) => {
    err += chunk;
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`bin printed no banner within ${WAIT_MS} ms:\n${out}\n${err}`));
    }, WAIT_MS);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (url && out.includes("Ctrl+C")) {
        clearTimeout(timer);
        resolve(url[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bin exited early with ${code}:\n${out}\n${err}`));
    });
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, ready, exited, output: () => out };
}

/** Waits until the child has printed a line matching `pattern` (its stdout arrives in its own time). */
async function printed(run, pattern) {
  const until = Date.now() + WAIT_MS;
  while (!pattern.test(run.output()) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  assert.match(run.output(), pattern);
}

/** Waits for the exit, killing the child if it does not stop in time. */
async function stopped(run, signal) {
  run.child.kill(signal);
  const timer = setTimeout(() => run.child.kill("SIGKILL"), WAIT_MS);
  const result = await run.exited;
  clearTimeout(timer);
  return result;
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  test(`no arguments: prints URL and key pair, serves the SDK, stops on ${signal} with exit 0`, async (t) => {
    const run = startBin();
    // A failed assertion must not leave the bin running (it would keep this file from ending).
    t.after(() => run.child.kill("SIGKILL"));
    const url = await run.ready;
    const banner = run.output();
    assert.ok(banner.includes(DEFAULT_KEY.accessKeyId), "prints the AccessKeyId");
    assert.ok(banner.includes(DEFAULT_KEY.accessKeySecret), "prints the test secret");

    const endpoint = url.replace("http://", "");
    const res = await sdkClient({ endpoint }, DEFAULT_KEY).batchSendMessageToGlobe(
      sdkRequest({ to: ["6591234567"], messages: ["from the bin test"] }),
    );
    assert.equal(res.body.responseCode, "OK");
    const messages = json(await raw(url, { method: "GET", path: "/__sandbox/messages" }));
    assert.equal(messages.length, 1);
    assert.equal(messages[0].message, "from the bin test");
    // The bin logs the request after answering it: on a busy machine the line can follow the answer.
    await printed(run, /POST BatchSendMessageToGlobe 200 OK to=1/);

    const { code } = await stopped(run, signal);
    assert.equal(code, 0);
    assert.match(run.output(), new RegExp(`sandbox stopped \\(${signal}\\)`));
    const after = await raw(url, { method: "GET", path: "/__sandbox", timeoutMs: 2000 });
    assert.ok(after.error, "no longer listening");
  });
}

test("--qps off and --quiet are honoured; a bad --port is refused with exit 2", async (t) => {
  const run = startBin(["--qps", "off", "--quiet"]);
  t.after(() => run.child.kill("SIGKILL"));
  const url = await run.ready;
  assert.match(run.output(), /rate limit\s+off/);
  const client = sdkClient({ endpoint: url.replace("http://", "") }, DEFAULT_KEY);
  for (let i = 0; i < 3; i += 1) {
    const res = await client.batchSendMessageToGlobe(sdkRequest({ to: ["6591234567"], messages: [`m${i}`] }));
    assert.equal(res.body.responseCode, "OK", "no throttling");
  }
  assert.doesNotMatch(run.output(), /BatchSendMessageToGlobe/, "quiet");
  assert.equal((await stopped(run, "SIGTERM")).code, 0);

  for (const args of [["--port", "not-a-port"], ["--send-qps", "0"], ["--report-url", "ftp://x"], ["--report-delay", "-1"]]) {
    const bad = spawn(process.execPath, [BIN, ...args], { stdio: "ignore" });
    const code = await new Promise((resolve) => bad.on("exit", resolve));
    assert.equal(code, 2, args.join(" "));
  }
});

test("--report-url, --report-delay, --send-qps: reports are pushed and each push is logged", async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const run = startBin(["--report-url", receiver.url, "--report-delay", "0", "--send-qps", "2"]);
  t.after(() => run.child.kill("SIGKILL"));
  const url = await run.ready;
  assert.match(run.output(), /SendMessageToGlobe 2 call\(s\)\/s, QueryMessage 300 call\(s\)\/s/);
  assert.match(run.output(), /reports\s+pushed/);
  const client = sdkClient({ endpoint: url.replace("http://", "") }, DEFAULT_KEY);
  const sent = await client.sendMessageToGlobe(new SdkModels.SendMessageToGlobeRequest({ to: "6591234567", message: "bin" }));
  assert.equal(sent.body.responseCode, "OK");
  await printed(run, /PUSH 1 report\(s\) attempt=1 acknowledged 200/);
  assert.deepEqual(receiver.received.map((p) => p.reports.map((r) => r.MessageId)), [[sent.body.messageId]]);
  assert.equal((await stopped(run, "SIGTERM")).code, 0);
});
