// The sandbox's index.d.ts: compiles under a strict consumer, has no `any`, and declares exactly
// what the runtime module exports (types that promise what the runtime lacks are a known trap).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as sandbox from "../../pkg-template/sandbox/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DTS = readFileSync(join(ROOT, "pkg-template", "sandbox", "index.d.ts"), "utf8");

/** The declarations without comments, so prose cannot hide or fake a match. */
const CODE = DTS.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");

test("a strict TypeScript consumer compiles, and its expected errors stay errors", async () => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const project = join(ROOT, "tests", "sandbox", "types", "tsconfig.json");
  const result = await new Promise((resolve) => {
    execFile(process.execPath, [tsc, "-p", project], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code ?? 1 : 0, out: `${stdout}${stderr}` }),
    );
  });
  assert.equal(result.code, 0, result.out);
});

test("index.d.ts has no any", () => {
  assert.doesNotMatch(CODE, /\bany\b/);
});

test("every declared value is exported at run time with the declared kind, and nothing else is", () => {
  const declared = new Map();
  for (const [, kind, name] of CODE.matchAll(/export (function|const) (\w+)/g)) {
    declared.set(name, kind === "function" ? "function" : "value");
  }
  const runtime = new Map(
    Object.entries(sandbox).map(([name, value]) => [name, typeof value === "function" ? "function" : "value"]),
  );
  assert.deepEqual([...declared].sort(), [...runtime].sort());
});
