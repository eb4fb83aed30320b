#!/usr/bin/env node
// Runs the package's Node, packaging and type tests against the packed tarball, installed as a
// user installs it: `npm pack pkg/` into a temp dir, `npm install` the tarball
// into a fresh consumer project there, copy tests/node, tests/package and tests/types into that
// project and run `node --test` in it. The suites import "aliyun-globe-sms" by name, so they can
// only see what the tarball ships, and a rebuild of pkg/ while they run cannot change what they
// test. pkg/ must exist (the Makefile's test-node target builds it first).
//
// Environment for the suites: PACKAGE_TARBALL (the .tgz), DEV_ROOT (this repository, for its
// tsc, publint and attw). The caller's ALIBABA_CLOUD_* variables are removed: the suites decide
// which credentials the package sees. KEEP_TEST_DIR=1 keeps the temp dir for inspection.
//
// Usage: [TEST_SUITES=runtimes] node tests/package/run.mjs [file name filters]

import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const pkg = join(root, "pkg");
if (!existsSync(join(pkg, "package.json"))) {
  console.error("tests/package/run.mjs: pkg/ is missing; build it with `node pkg-template/build.mjs` (make test-node does)");
  process.exit(2);
}

// The suites (folders of tests/) to run: TEST_SUITES=runtimes for `make test-runtimes`.
const suites = (process.env.TEST_SUITES || "node,package,types").split(",");

const work = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-test-"));
const consumer = join(work, "consumer");
let status = 1;
try {
  // 1. Pack. --json names the file; the tarball is the release artefact, byte for byte.
  const packed = JSON.parse(
    execFileSync("npm", ["pack", pkg, "--pack-destination", work, "--json", "--silent"], { encoding: "utf8" }),
  );
  const tarball = join(work, packed[0].filename);
  console.log(`package: packed ${packed[0].filename} (${packed[0].entryCount} files, ${packed[0].size} bytes)`);

  // 2. A consumer project that installs it. The package has no dependencies: this works offline.
  for (const dir of suites) cpSync(join(root, "tests", dir), join(consumer, "tests", dir), { recursive: true });
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({ name: "aliyun-globe-sms-consumer", private: true, type: "module" }, null, 2) + "\n",
  );
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", "--silent", tarball], {
    cwd: consumer,
    stdio: "inherit",
  });
  console.log(`package: installed into ${consumer}`);

  // 3. Every suite, from the consumer project, TAP output (its closing "# pass N" is the summary).
  const env = { ...process.env, PACKAGE_TARBALL: tarball, DEV_ROOT: root };
  for (const name of Object.keys(env)) if (name.startsWith("ALIBABA_CLOUD_")) delete env[name];
  const files = suites.flatMap((dir) =>
    readdirSync(join(consumer, "tests", dir))
      .filter((file) => file.endsWith(".test.mjs"))
      .map((file) => join("tests", dir, file)),
  );
  const filter = process.argv.slice(2);
  const selected = filter.length ? files.filter((file) => filter.some((f) => file.includes(f))) : files;
  const run = spawnSync(process.execPath, ["--test", "--test-reporter=tap", ...selected], {
    cwd: consumer,
    env,
    stdio: "inherit",
  });
  status = run.status ?? 1;
} finally {
  if (process.env.KEEP_TEST_DIR === "1" || status !== 0) {
    console.log(`package: test dir kept at ${work}`);
  } else {
    rmSync(work, { recursive: true, force: true });
  }
}
process.exit(status);
