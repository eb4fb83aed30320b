// The package as installed from its tarball: what ships, how each `exports` condition resolves,
// import and require() in fresh Node processes, the browser entry (run in Node with the wasm
// bytes), two installed copies recognising each other's errors, and publint / attw on the
// tarball. Run from the consumer project by tests/package/run.mjs (PACKAGE_TARBALL, DEV_ROOT).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";
import * as sms from "aliyun-globe-sms";
import { DEFAULT_KEY, startSandbox } from "aliyun-globe-sms/sandbox";

const CONSUMER = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const INSTALLED = join(CONSUMER, "node_modules", "aliyun-globe-sms");
const MANIFEST = JSON.parse(readFileSync(join(INSTALLED, "package.json"), "utf8"));
const TARBALL = process.env.PACKAGE_TARBALL;
const DEV_ROOT = process.env.DEV_ROOT;
const require = createRequire(join(CONSUMER, "package.json"));

/** Runs a program; resolves with { code, stdout, stderr } (never rejects). */
function run(file, args, options = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: CONSUMER, timeout: 120_000, maxBuffer: 16 * 1024 * 1024, ...options }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs an ES module body in a fresh node in the consumer project; returns its last JSON line. */
async function nodeEval(code, nodeArgs = [], env = {}) {
  const { code: status, stdout, stderr } = await run(process.execPath, [...nodeArgs, "--input-type=module", "-e", code], {
    env: { ...process.env, ...env },
  });
  assert.equal(status, 0, stderr);
  return JSON.parse(stdout.trim().split("\n").at(-1));
}

/**
 * Node's PACKAGE_EXPORTS_RESOLVE for what this package uses (string targets, nested condition
 * objects, no patterns): the first key, in object order, that is "default" or an active
 * condition. It lets the test ask what a bundler for browsers (no "node" condition, which Node
 * itself cannot turn off) resolves; it is checked against Node's own resolver below.
 */
function resolveExports(exportsField, subpath, conditions) {
  const target = (value) => {
    if (typeof value === "string") return value;
    if (value === null || typeof value !== "object") return null;
    for (const [key, inner] of Object.entries(value)) {
      if (key === "default" || conditions.includes(key)) {
        const resolved = target(inner);
        if (resolved !== null) return resolved;
      }
    }
    return null;
  };
  return Object.hasOwn(exportsField, subpath) ? target(exportsField[subpath]) : null;
}

const SUBPATHS = [".", "./sandbox", "./journal", "./redis", "./aliyun_globe_sms_bg.wasm", "./package.json"];
const specifier = (subpath) => (subpath === "." ? "aliyun-globe-sms" : `aliyun-globe-sms/${subpath.slice(2)}`);
const installedFile = (target) => pathToFileURL(join(INSTALLED, target)).href;

describe("what ships", () => {
  test("the installed files are exactly the manifest's `files` (plus package.json), nothing else", () => {
    const list = (dir) =>
      readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? list(join(dir, name)) : [relative(INSTALLED, join(dir, name))]));
    const shipped = list(INSTALLED).sort();
    // npm's globs as far as the manifest uses them: `*` within a folder, `**/` any folders.
    const matches = (file, pattern) =>
      new RegExp(`^${pattern.replace(/\./g, "\\.").replace(/\*\*\//g, "\0").replace(/\*/g, "[^/]*").replace(/\0/g, "(?:.*/)?")}$`).test(file);
    for (const file of shipped) {
      assert.ok(file === "package.json" || MANIFEST.files.some((p) => matches(file, p)), `${file} is not in files`);
    }
    for (const pattern of MANIFEST.files) assert.ok(shipped.some((f) => matches(f, pattern)), `${pattern} matched nothing`);
    assert.ok(!shipped.some((f) => /\.(map|rs|ts)$/.test(f) && !f.endsWith(".d.ts")), "no sources or maps");
    assert.deepEqual(shipped.filter((f) => f.endsWith(".d.ts")), ["index.d.ts", "journal.d.ts", "redis.d.ts", "sandbox/index.d.ts"]);
  });

  test("the manifest: ESM only, no side effects, types first in every block, engines, no dependencies", () => {
    assert.equal(MANIFEST.name, "aliyun-globe-sms");
    assert.equal(MANIFEST.type, "module");
    assert.equal(MANIFEST.sideEffects, false);
    assert.equal(MANIFEST.engines.node, ">=20");
    assert.equal(MANIFEST.dependencies, undefined);
    for (const [subpath, value] of Object.entries(MANIFEST.exports)) {
      if (typeof value === "object") assert.equal(Object.keys(value)[0], "types", `${subpath}: types first`);
    }
  });
});

describe("exports conditions", () => {
  const EXPECTED_NODE = {
    ".": "./node.js",
    "./sandbox": "./sandbox/index.js",
    "./journal": "./journal.js",
    "./redis": "./redis.js",
    "./aliyun_globe_sms_bg.wasm": "./aliyun_globe_sms_bg.wasm",
    "./package.json": "./package.json",
  };

  test("Node resolves every subpath to a shipped file (import.meta.resolve in a fresh node)", async () => {
    const resolved = await nodeEval(
      `console.log(JSON.stringify(${JSON.stringify(SUBPATHS.map(specifier))}.map((s) => import.meta.resolve(s))))`,
    );
    assert.deepEqual(resolved, SUBPATHS.map((subpath) => installedFile(EXPECTED_NODE[subpath])));
    for (const url of resolved) assert.ok(existsSync(fileURLToPath(url)), url);
  });

  test("require.resolve agrees for every subpath", () => {
    for (const subpath of SUBPATHS) {
      assert.equal(pathToFileURL(require.resolve(specifier(subpath))).href, installedFile(EXPECTED_NODE[subpath]));
    }
  });

  test("with --conditions=browser Node still takes node.js: `node` comes first, and Node is always `node`", async () => {
    const resolved = await nodeEval(`console.log(JSON.stringify(import.meta.resolve("aliyun-globe-sms")))`, ["--conditions=browser"]);
    assert.equal(resolved, installedFile("./node.js"));
  });

  test("the exports resolver used below agrees with Node for Node's own conditions", () => {
    for (const subpath of SUBPATHS) {
      assert.equal(resolveExports(MANIFEST.exports, subpath, ["node", "import"]), EXPECTED_NODE[subpath]);
      assert.equal(resolveExports(MANIFEST.exports, subpath, ["node", "require"]), EXPECTED_NODE[subpath]);
    }
  });

  test("bundlers and runtimes without `node` get browser.js (browser, worker, workerd, plain default)", () => {
    for (const conditions of [["browser", "import"], ["browser", "module", "import"], ["worker", "import"], ["workerd", "worker", "browser", "import"], ["import"], ["require"]]) {
      assert.equal(resolveExports(MANIFEST.exports, ".", conditions), "./browser.js", conditions.join(","));
      assert.equal(resolveExports(MANIFEST.exports, "./aliyun_globe_sms_bg.wasm", conditions), "./aliyun_globe_sms_bg.wasm");
      assert.equal(resolveExports(MANIFEST.exports, "./package.json", conditions), "./package.json");
      // The sandbox is a Node server and the file journal writes with node:fs: neither is
      // offered to browsers (a page passes its own journal).
      assert.equal(resolveExports(MANIFEST.exports, "./sandbox", conditions), null);
      assert.equal(resolveExports(MANIFEST.exports, "./journal", conditions), null);
      // The fleet's Redis adapter takes a Node client (node-redis, ioredis).
      assert.equal(resolveExports(MANIFEST.exports, "./redis", conditions), null);
    }
    assert.ok(existsSync(join(INSTALLED, "browser.js")));
  });

  test("a real bundler agrees: esbuild for browsers (and platform-neutral) bundles browser.js, never node.js", { skip: DEV_ROOT ? false : "needs DEV_ROOT" }, async () => {
    const esbuild = createRequire(join(DEV_ROOT, "package.json"))("esbuild");
    for (const platform of ["browser", "neutral"]) {
      const result = await esbuild.build({
        stdin: { contents: `export * from "aliyun-globe-sms";`, resolveDir: CONSUMER, loader: "js" },
        absWorkingDir: CONSUMER,
        bundle: true,
        write: false,
        metafile: true,
        format: "esm",
        platform,
        logLevel: "silent",
      });
      const inputs = Object.keys(result.metafile.inputs).map((path) => path.replace(/^.*node_modules\/aliyun-globe-sms\//, ""));
      assert.ok(inputs.includes("browser.js"), `${platform}: ${inputs.join(", ")}`);
      assert.ok(!inputs.includes("node.js"), `${platform}: ${inputs.join(", ")}`);
    }
    // The sandbox and the file journal are Node-only: a browser bundle cannot resolve them.
    for (const subpath of ["sandbox", "journal", "redis"]) {
      await assert.rejects(
        esbuild.build({
          stdin: { contents: `import "aliyun-globe-sms/${subpath}";`, resolveDir: CONSUMER, loader: "js" },
          bundle: true,
          write: false,
          platform: "browser",
          logLevel: "silent",
        }),
        new RegExp(subpath),
      );
    }
  });

  test("TypeScript's `types` condition gives the shipped declarations", () => {
    assert.equal(resolveExports(MANIFEST.exports, ".", ["types", "import", "browser"]), "./index.d.ts");
    assert.equal(resolveExports(MANIFEST.exports, "./sandbox", ["types", "import", "node"]), "./sandbox/index.d.ts");
    assert.equal(resolveExports(MANIFEST.exports, "./journal", ["types", "import", "node"]), "./journal.d.ts");
    assert.equal(resolveExports(MANIFEST.exports, "./redis", ["types", "import", "node"]), "./redis.d.ts");
    assert.equal(MANIFEST.types, "./index.d.ts");
  });

  test("a subpath that is not exported is refused", async () => {
    const { code, stderr } = await run(process.execPath, ["--input-type=module", "-e", `import "aliyun-globe-sms/errors.js"`]);
    assert.notEqual(code, 0);
    assert.match(stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });
});

describe("import and require() in Node", () => {
  const RUNTIME_EXPORTS = [
    "SmsError",
    "batchSend",
    "costlyCharacters",
    "countSegments",
    "createReportHandler",
    "createSigningHandler",
    "isSmsError",
    "planCampaign",
    "pollCampaign",
    "pollDeliveries",
    "queryMessage",
    "readCsvCampaign",
    "readFleetCampaign",
    "ready",
    "recordReports",
    "reportConversion",
    "reportConversionRate",
    "resultsCsv",
    "resumeCampaign",
    "sendCampaign",
    "sendMessage",
    "signRequest",
    "signingService",
    "validateBatch",
  ];

  test("import by name in a fresh node: every export, a batch and a journaled campaign through the sandbox", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-journal-"));
    try {
      const seen = await nodeEval(`
        import * as sms from "aliyun-globe-sms";
        import * as journalModule from "aliyun-globe-sms/journal";
        import { startSandbox, DEFAULT_KEY } from "aliyun-globe-sms/sandbox";
        const sandbox = await startSandbox({ qps: Infinity });
        const base = { credentials: DEFAULT_KEY, endpoint: sandbox.url, qps: 1000 };
        const result = await sms.batchSend({ ...base, to: ["+852 9123 4567"], message: "import" });
        const campaign = { ...base, to: ["+852 9123 4568", "+65 9123 4568"], message: "campaign" };
        const journal = journalModule.fileJournal(${JSON.stringify(join(dir, "campaign.jsonl"))});
        const sent = await sms.sendCampaign({ ...campaign, journal });
        const resumed = await sms.resumeCampaign({ ...campaign, journal });
        await sandbox.close();
        console.log(JSON.stringify({
          exports: Object.keys(sms).sort(),
          journalExports: Object.keys(journalModule),
          successCount: result.successCount,
          campaign: sent.counts.sent,
          resumed: resumed.counts.sent,
          recorded: sandbox.messages().length,
        }));
      `);
      assert.deepEqual(seen, {
        exports: RUNTIME_EXPORTS,
        journalExports: ["fileJournal"],
        successCount: 1,
        campaign: 2,
        resumed: 2,
        recorded: 3,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`require() of the ESM package works on this Node (${process.version}) without flags`, async () => {
    const { code, stdout, stderr } = await run(process.execPath, [join("tests", "package", "require.cjs")]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout.trim().split("\n").at(-1)), {
      exports: RUNTIME_EXPORTS,
      journalExports: ["fileJournal"],
      version: MANIFEST.version,
      successCount: 1,
      recorded: ["85291234567"],
      issues: ["RECIPIENT_EMPTY"],
      segments: 1,
      signedMethod: "POST",
      errorCode: "INVALID_OPTION",
      instanceOf: true,
      isSmsError: true,
    });
  });

  test("the Node and browser entries export the same names, and index.d.ts declares exactly those (journal.d.ts: fileJournal)", async () => {
    const browser = await import(installedFile("./browser.js"));
    assert.deepEqual(Object.keys(browser).sort(), RUNTIME_EXPORTS);
    assert.deepEqual(Object.keys(sms).sort(), RUNTIME_EXPORTS);
    const declaredIn = (file) => {
      const code = readFileSync(join(INSTALLED, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      const declared = [...code.matchAll(/export (?:declare )?(?:function|class|const) (\w+)/g)].map((m) => m[1]);
      return [...new Set(declared)].sort();
    };
    assert.deepEqual(declaredIn("index.d.ts"), RUNTIME_EXPORTS);
    const journal = await import("aliyun-globe-sms/journal");
    assert.deepEqual(Object.keys(journal), ["fileJournal"]);
    assert.deepEqual(declaredIn("journal.d.ts"), ["fileJournal"]);
    const redis = await import("aliyun-globe-sms/redis");
    assert.deepEqual(Object.keys(redis).sort(), ["redisCampaign", "redisPacer"]);
    assert.deepEqual(declaredIn("redis.d.ts"), ["redisCampaign", "redisPacer"]);
  });
});

describe("SmsError across copies and realms", () => {
  const second = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-copy-"));
  after(() => rmSync(second, { recursive: true, force: true }));

  test("two installed copies recognise each other's errors (instanceof and isSmsError)", async () => {
    writeFileSync(join(second, "package.json"), JSON.stringify({ name: "second-copy", private: true, type: "module" }));
    const install = await run("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", "--silent", TARBALL], { cwd: second });
    assert.equal(install.code, 0, install.stderr);
    const other = await import(pathToFileURL(join(second, "node_modules", "aliyun-globe-sms", "node.js")).href);
    assert.notEqual(other.SmsError, sms.SmsError, "really two copies");

    const fromOther = (() => {
      try {
        other.validateBatch(null);
      } catch (error) {
        return error;
      }
    })();
    const fromThis = await sms.batchSend({ to: [], message: "" }).catch((error) => error);
    for (const error of [fromOther, fromThis]) {
      assert.ok(error instanceof sms.SmsError);
      assert.ok(error instanceof other.SmsError);
      assert.ok(sms.isSmsError(error) && other.isSmsError(error));
      assert.ok(error instanceof Error);
    }
    assert.equal(fromOther.code, "INVALID_OPTION");
    assert.equal(fromThis.code, "INVALID_BATCH");
  });

  test("an error from another realm counts; look-alikes without name, code or Error-ness do not", () => {
    const foreign = vm.runInNewContext(`Object.assign(new Error("x"), { name: "SmsError", code: "THROTTLED" })`);
    assert.ok(!(foreign instanceof Error), "really another realm");
    assert.ok(foreign instanceof sms.SmsError);
    assert.ok(sms.isSmsError(foreign));
    for (const lookalike of [
      new Error("plain"),
      Object.assign(new Error("no code"), { name: "SmsError" }),
      Object.assign(new TypeError("other name"), { code: "THROTTLED" }),
      { name: "SmsError", code: "THROTTLED", message: "not an Error" },
      null,
      "SmsError",
    ]) {
      assert.ok(!(lookalike instanceof sms.SmsError));
      assert.equal(sms.isSmsError(lookalike), false);
    }
  });
});

describe("the browser entry, run in Node with the wasm bytes", () => {
  // Each test in a fresh node that imports only browser.js: in this process node.js has already
  // instantiated the shared glue module, which would make any load look successful.
  const BROWSER = JSON.stringify(installedFile("./browser.js"));
  const WASM = JSON.stringify(installedFile("./aliyun_globe_sms_bg.wasm"));

  test("before ready(): the synchronous functions throw NOT_INITIALIZED; a failed load is an SmsError and is not remembered", async () => {
    const seen = await nodeEval(`
      import { readFileSync } from "node:fs";
      const browser = await import(${BROWSER});
      // Each refusal names the function called.
      const named = (name, fn) => { try { fn(); return "no throw"; } catch (e) { return browser.isSmsError(e) && e.message.includes(name + " ") ? e.code : "not naming " + name + ": " + e.message; } };
      const beforeReady = [
        named("validateBatch", () => browser.validateBatch({ to: [], message: "" })),
        named("countSegments", () => browser.countSegments("x")),
        named("signRequest", () => browser.signRequest({})),
        named("readCsvCampaign", () => browser.readCsvCampaign("to")),
        named("planCampaign", () => browser.planCampaign({ to: [], message: "" })),
        named("resultsCsv", () => browser.resultsCsv({ recipients: [] }, [])),
      ];
      // Node's fetch cannot read the default file: URL, so the default load fails here.
      const failedLoad = await browser.ready().then(() => "loaded", (e) => (browser.isSmsError(e) ? e.code + (e.cause ? " with cause" : "") : "raw " + e.name));
      const failedSend = await browser.batchSend({ to: ["+852 9123 4567"], message: "x" }).then(() => "sent", (e) => (browser.isSmsError(e) ? e.code : "raw " + e.name));
      const bytes = readFileSync(new URL(${WASM}));
      await browser.ready(bytes);
      await browser.ready(bytes);
      await browser.ready();
      const issues = browser.validateBatch({ to: ["+852 9123 4567"], message: "x" });
      console.log(JSON.stringify({ beforeReady, failedLoad, failedSend, issues }));
    `);
    assert.deepEqual(seen, {
      beforeReady: Array(6).fill("NOT_INITIALIZED"),
      failedLoad: "NOT_INITIALIZED with cause",
      failedSend: "NOT_INITIALIZED",
      issues: [],
    });
  });

  test("after ready(module): every function works, a batch goes through the sandbox, no environment credentials", async () => {
    const sandbox = await startSandbox({ qps: Infinity });
    try {
      const seen = await nodeEval(
        `
        import { readFileSync } from "node:fs";
        const browser = await import(${BROWSER});
        const module = await WebAssembly.compile(readFileSync(new URL(${WASM})));
        await Promise.all([browser.ready(module), browser.ready(module)]);
        const options = { endpoint: ${JSON.stringify(sandbox.url)}, to: ["+852 9123 4567", "+65 9123 0000"], message: "browser entry" };
        const result = await browser.batchSend({ ...options, credentials: ${JSON.stringify(DEFAULT_KEY)} });
        const withoutCredentials = await browser.batchSend(options).catch((e) => e.code);
        console.log(JSON.stringify({
          sent: result.sent.map((r) => r.index),
          failed: result.failed.map((r) => r.index),
          withoutCredentials,
          segments: browser.countSegments("hello").segments,
          method: browser.signRequest({ ...options, credentials: ${JSON.stringify(DEFAULT_KEY)} }).method,
        }));
      `,
        [],
        // The browser entry must not read these even when they are set.
        { ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_KEY.accessKeySecret },
      );
      assert.deepEqual(seen, { sent: [0], failed: [1], withoutCredentials: "INVALID_CREDENTIALS", segments: 1, method: "POST" });
      assert.deepEqual(sandbox.messages().map((m) => m.message), ["browser entry"]);
    } finally {
      await sandbox.close();
    }
  });
});

describe("package linters on the tarball", { skip: !TARBALL || !DEV_ROOT ? "run through tests/package/run.mjs" : false }, () => {
  test("publint --strict: all good (no errors, warnings or suggestions)", async () => {
    const { code, stdout, stderr } = await run(join(DEV_ROOT, "node_modules", ".bin", "publint"), ["run", TARBALL, "--strict"]);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /All good!/, stdout + stderr);
  });

  test("attw --profile esm-only: no problem in any entry point", async () => {
    // The .wasm subpath is an asset, not a module: what importing it gives depends on the runtime
    // (a WebAssembly.Module in workerd, a URL string with Vite's ?url), so it has no declaration
    // for TypeScript to resolve; attw checks the module entry points. Its resolution is tested
    // above.
    const { code, stdout, stderr } = await run(join(DEV_ROOT, "node_modules", ".bin", "attw"), [
      TARBALL,
      "--profile",
      "esm-only",
      "--exclude-entrypoints",
      "./aliyun_globe_sms_bg.wasm",
      "--format",
      "table-flipped",
    ]);
    assert.equal(code, 0, stdout + stderr);
    assert.doesNotMatch(stdout, /💀|❌|🐛|🥴|❗️|🎭/u, stdout);
  });
});
