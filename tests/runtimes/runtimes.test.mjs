// The package, unchanged, in every runtime it promises: Node (import by name, in this process),
// Deno and Bun (npm packages; each imports it by name from the consumer project), workerd
// (Cloudflare's open-source runtime, the .wasm passed in as a module, a "local"-only network for
// globalOutbound) and a dedicated Web Worker in headless Chromium. Each runs scenario.mjs — a
// batch straight to the sandbox, a batch signed by createSigningHandler inside that runtime, a
// policy refusal, validation and segment counts — and this side checks every recipient's fate
// against what the sandbox recorded. A runtime whose binary cannot run here is skipped with the
// reason printed, never silently. Run by tests/package/run.mjs (TEST_SUITES=runtimes), which
// installs the packed tarball into the consumer project and sets DEV_ROOT (the repository, whose
// node_modules holds deno, bun, workerd, esbuild and playwright-core).

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as sms from "aliyun-globe-sms";
import { DEFAULT_KEY, startSandbox } from "aliyun-globe-sms/sandbox";
import { TO, scenario } from "./scenario.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const CONSUMER = join(HERE, "..", "..");
const INSTALLED = join(CONSUMER, "node_modules", "aliyun-globe-sms");
const DEV_ROOT = process.env.DEV_ROOT;
const bin = (name) => join(DEV_ROOT ?? "", "node_modules", ".bin", name);
const CHROMIUM = "/usr/bin/chromium";
const LIMIT_MS = 120_000;

/**
 * Whether `file` runs here: undefined when `file --version` exits 0, else the reason (not
 * installed, not executable on this machine, missing libraries…) to print with the skip.
 */
function cannotRun(name, file, args = ["--version"]) {
  if (!existsSync(file)) return `${name}: ${file} is missing: npm ci installed no binary for ${process.platform}-${process.arch}`;
  const probe = spawnSync(file, args, { encoding: "utf8", timeout: 60_000 });
  if (probe.error) return `${name}: ${file} cannot run here: ${probe.error.message}`;
  if (probe.status !== 0) return `${name}: ${file} --version exited ${probe.status}: ${(probe.stderr || probe.stdout).trim().split("\n")[0]}`;
  console.log(`runtimes: ${name} ${probe.stdout.trim().split("\n")[0]}`);
  return undefined;
}

/** Skips `t` with `reason` printed in the output, or returns false when there is none. */
function skipped(t, reason) {
  if (reason === undefined) return false;
  console.log(`runtimes: SKIP ${reason}`);
  t.skip(reason);
  return true;
}

/** Runs a program to its end; resolves with { status, stdout, stderr }. */
function run(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: CONSUMER, stdio: ["ignore", "pipe", "pipe"], ...options });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), LIMIT_MS);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The last line of a program's output, as JSON. */
function lastJsonLine({ status, stdout, stderr }, name) {
  assert.equal(status, 0, `${name} exited ${status}\n${stderr}\n${stdout}`);
  return JSON.parse(stdout.trim().split("\n").at(-1));
}

let sandbox;
before(async () => {
  sandbox = await startSandbox({ qps: Infinity });
});
after(() => sandbox.close());
beforeEach(() => sandbox.reset());

/**
 * What every runtime must have done: both batches accepted, each recipient's fate (sent with the
 * MessageId the sandbox recorded for that number and text, or in FailedList), the handler's
 * refusal as an SmsError, validation and counts as in Node.
 */
function assertScenario(result, runtime) {
  assert.ok(!JSON.stringify(result).includes(DEFAULT_KEY.accessKeySecret), "no secret in the result");
  const recorded = sandbox.messages();
  const idOf = (text, number) => recorded.find((m) => m.message === text && m.to === number)?.messageId;
  for (const [kind, text, scheme] of [["direct", `direct from ${runtime}`, "v1"], ["signed", `signed in ${runtime}`, "acs3"]]) {
    assert.deepEqual(
      result[kind],
      {
        responseCode: "OK",
        successCount: 2,
        sent: [
          { index: 0, to: TO[0], normalizedTo: "85291234567", messageId: idOf(text, "85291234567") },
          { index: 2, to: TO[2], normalizedTo: "447911123456", messageId: idOf(text, "447911123456") },
        ],
        failed: [{ index: 1, to: TO[1], normalizedTo: "6591230000" }],
      },
      `${runtime}: ${kind}`,
    );
    for (const m of recorded.filter((m) => m.message === text)) {
      assert.equal(m.scheme, scheme);
      assert.equal(m.accessKeyId, DEFAULT_KEY.accessKeyId);
      assert.equal(m.from, "Acme");
    }
    assert.match(result[kind].sent[0].messageId ?? "", /^\d{19}$/);
  }
  assert.deepEqual(result.refused, { code: "NOT_ALLOWED", field: "from", isSmsError: true, instanceOf: true });
  assert.deepEqual(result.issues, ["RECIPIENT_MAINLAND_CHINA"]);
  assert.equal(result.segments, 1);
  assert.equal(result.runtime, runtime);
  assert.ok(!recorded.some((m) => m.message === "not sent"), "the refused batch was not sent");
}

const input = (runtime) => ({ endpoint: sandbox.url, credentials: { ...DEFAULT_KEY }, runtime });

describe("runtimes", { skip: DEV_ROOT ? false : "run through tests/package/run.mjs (TEST_SUITES=runtimes)" }, () => {
  test("Node: import by name (the \"node\" entry); require() is tested in tests/package", async () => {
    assertScenario(await scenario(sms, input("node")), "node");
  });

  test("Deno (npm package deno): imports the package by name from node_modules, no --allow-env", { timeout: LIMIT_MS }, async (t) => {
    if (skipped(t, cannotRun("deno", bin("deno")))) return;
    const output = await run(
      bin("deno"),
      ["run", "--no-prompt", "--allow-net=127.0.0.1", "--allow-read", join("tests", "runtimes", "cli-main.mjs"), sandbox.url, DEFAULT_KEY.accessKeyId, DEFAULT_KEY.accessKeySecret, "deno"],
      { env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } },
    );
    assertScenario(lastJsonLine(output, "deno"), "deno");
  });

  test("Bun (npm package bun): imports the package by name", { timeout: LIMIT_MS }, async (t) => {
    if (skipped(t, cannotRun("bun", bin("bun")))) return;
    const output = await run(
      bin("bun"),
      ["run", join("tests", "runtimes", "cli-main.mjs"), sandbox.url, DEFAULT_KEY.accessKeyId, DEFAULT_KEY.accessKeySecret, "bun"],
      { env: { ...process.env, DO_NOT_TRACK: "1", NO_COLOR: "1" } },
    );
    assertScenario(lastJsonLine(output, "bun"), "bun");
  });

  test("workerd (npm package workerd): bundled as wrangler does, .wasm as a module, \"local\" network only; its signing handler serves Node too", { timeout: LIMIT_MS }, async (t) => {
    if (skipped(t, cannotRun("workerd", bin("workerd")))) return;
    const dir = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-workerd-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const esbuild = createRequire(join(DEV_ROOT, "package.json"))("esbuild");
    await esbuild.build({
      entryPoints: [join(HERE, "workerd-worker.mjs")],
      absWorkingDir: CONSUMER,
      bundle: true,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      external: ["*.wasm"],
      outfile: join(dir, "worker.js"),
      logLevel: "warning",
    });
    writeFileSync(join(dir, "aliyun_globe_sms_bg.wasm"), readFileSync(join(INSTALLED, "aliyun_globe_sms_bg.wasm")));
    writeFileSync(
      join(dir, "config.capnp"),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "aliyun-globe-sms/aliyun_globe_sms_bg.wasm", wasm = embed "aliyun_globe_sms_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback",
  bindings = [
    (name = "SANDBOX_URL", text = ${JSON.stringify(sandbox.url)}),
    (name = "ACCESS_KEY_ID", text = ${JSON.stringify(DEFAULT_KEY.accessKeyId)}),
    (name = "ACCESS_KEY_SECRET", text = ${JSON.stringify(DEFAULT_KEY.accessKeySecret)}),
  ],
);
`,
    );

    // workerd reports the port it bound (127.0.0.1, port 0) on the control descriptor, fd 3.
    const child = spawn(bin("workerd"), ["serve", join(dir, "config.capnp"), "--control-fd=3"], { stdio: ["ignore", "pipe", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (chunk) => (log += chunk));
    child.stderr.on("data", (chunk) => (log += chunk));
    t.after(() => child.kill("SIGTERM"));
    const port = await new Promise((resolve, reject) => {
      let control = "";
      const timer = setTimeout(() => reject(new Error(`workerd did not start within 30 s:\n${log}`)), 30_000);
      child.on("exit", (code) => reject(new Error(`workerd exited ${code}:\n${log}`)));
      child.stdio[3].on("data", (chunk) => {
        control += chunk;
        for (const line of control.split("\n")) {
          if (!line.trim()) continue;
          const event = JSON.parse(line);
          if (event.event === "listen" && event.socket === "http") {
            clearTimeout(timer);
            resolve(event.port);
          }
        }
      });
    });

    const response = await fetch(`http://127.0.0.1:${port}/run`);
    const body = await response.json();
    assert.equal(response.status, 200, `${JSON.stringify(body)}\n${log}`);
    assertScenario(body, "workerd");

    // The README's worker example at work: a Node "browser" signs through the handler in workerd.
    sandbox.reset();
    const signer = sms.signingService(`http://127.0.0.1:${port}/sign`);
    const viaWorker = await sms.batchSend({ signer, to: TO, message: "signed by workerd", from: "Acme" });
    assert.deepEqual(viaWorker.sent.map((r) => r.index), [0, 2]);
    assert.deepEqual(viaWorker.failed.map((r) => r.index), [1]);
    assert.deepEqual(sandbox.messages().map((m) => m.to), ["85291234567", "447911123456"]);
    const refused = await sms.batchSend({ signer, to: TO, message: "x", from: "Other" }).catch((error) => error);
    assert.equal(refused.code, "NOT_ALLOWED");
    assert.equal(refused.field, "from");
    assert.ok(!log.includes(DEFAULT_KEY.accessKeySecret), "workerd logged no secret");
  });

  test("a dedicated Web Worker in headless Chromium: the \"browser\" entry, its .wasm from its default location", { timeout: LIMIT_MS }, async (t) => {
    if (skipped(t, existsSync(CHROMIUM) ? cannotRun("chromium", CHROMIUM) : `chromium: ${CHROMIUM} is not installed (make test-runtimes installs Debian's chromium)`)) return;
    const { chromium } = createRequire(join(DEV_ROOT, "package.json"))("playwright-core");

    // The package's "browser" condition, as a CDN or bundler resolves it, served under /pkg/.
    const manifest = JSON.parse(readFileSync(join(INSTALLED, "package.json"), "utf8"));
    const entry = manifest.exports["."].browser;
    assert.equal(typeof entry, "string");
    const workerSource = readFileSync(join(HERE, "web-worker.mjs"), "utf8").replace("%PACKAGE_ENTRY%", `/pkg/${entry.replace(/^\.\//, "")}`);
    const types = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
    const server = createServer((request, response) => {
      const path = new URL(request.url, "http://127.0.0.1").pathname;
      let file;
      let body;
      if (path === "/") body = "<!doctype html><title>worker test</title>";
      else if (path === "/worker.mjs") body = workerSource;
      else if (path === "/scenario.mjs") file = join(HERE, "scenario.mjs");
      else if (path.startsWith("/pkg/")) file = join(INSTALLED, normalize(path.slice(5)).replace(/^(\.\.[/\\])+/, ""));
      if (file !== undefined && existsSync(file)) body = readFileSync(file);
      if (body === undefined) return response.writeHead(404).end();
      response.writeHead(200, { "content-type": types[extname(file ?? path)] ?? "text/html" }).end(body);
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => {
      server.closeAllConnections();
      server.close();
    });
    const origin = `http://127.0.0.1:${server.address().port}`;

    const userDataDir = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-chromium-"));
    t.after(() => rmSync(userDataDir, { recursive: true, force: true }));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic"],
    });
    t.after(() => context.close());
    const page = context.pages()[0] ?? (await context.newPage());
    const problems = [];
    page.on("pageerror", (error) => problems.push(String(error)));
    await page.goto(`${origin}/`);
    const answer = await page.evaluate(
      (data) =>
        new Promise((resolve) => {
          const worker = new Worker("/worker.mjs", { type: "module" });
          worker.onmessage = (event) => resolve(event.data);
          worker.onerror = (event) => resolve({ error: { message: event.message ?? "worker error" } });
          worker.postMessage(data);
        }),
      input("web-worker"),
    );
    assert.deepEqual(problems, []);
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    assert.equal(answer.scope, "DedicatedWorkerGlobalScope");
    assertScenario(answer.result, "web-worker");
  });
});
