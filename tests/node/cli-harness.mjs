// What the command-line suites (cli.test.mjs, cli-fleet.test.mjs) share: the bin run as a child
// process with its output scanned for secrets, its `--json` summary, and the results file read
// back as RFC 4180.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { scanChildOutput } from "./harness.mjs";

/**
 * Starts `command` (the bin) with `args` in `cwd` and environment `env`; `exited` resolves with
 * { code, signal, stdout, stderr } once it ends, after the output has been scanned for secrets.
 * `waitFor(pattern)` resolves when stderr matches. Always asynchronous: the sandbox answering the
 * child runs in this process.
 */
export function startBin(command, args, { cwd, env }) {
  const proc = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters = [];
  proc.stdout.on("data", (chunk) => (stdout += chunk));
  proc.stderr.on("data", (chunk) => {
    stderr += chunk;
    for (const w of waiters) if (w.pattern.test(stderr)) w.resolve();
  });
  const exited = new Promise((resolve) =>
    proc.on("close", (code, signal) => {
      scanChildOutput(stdout + stderr, `the output of aliyun-globe-sms ${args.join(" ").slice(0, 40)}`);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  const waitFor = (pattern) =>
    new Promise((resolve, reject) => {
      if (pattern.test(stderr)) return resolve();
      waiters.push({ pattern, resolve });
      exited.then(() => reject(new Error(`ended before its stderr matched ${pattern}: ${stderr}`)));
    });
  return { proc, exited, waitFor };
}

/** The one JSON object `--json` prints on stdout. */
export function json(result) {
  try {
    return JSON.parse(result.stdout);
  } catch {
    assert.fail(`stdout is not one JSON object:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** RFC 4180 records (a results file): quoted fields, "" for a quote, CRLF rows; a BOM dropped. */
export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), (i += 1);
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(field), (field = "");
    else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field), rows.push(row), (row = []), (field = ""), (i += 1);
    } else field += ch;
  }
  assert.equal(field, "", "the results file ends with CRLF");
  return rows;
}

/** A results file as objects by its header; a cell defused for spreadsheets ('=…) read back as written. */
export function readResults(path) {
  const [header, ...rows] = parseCsv(readFileSync(path, "utf8"));
  for (const name of ["line", "to", "normalizedTo", "state", "messageId", "requestId", "code"]) assert.ok(header.includes(name), `results header has ${name}`);
  const undefuse = (cell) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);
  return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, undefuse(cells[i] ?? "")])));
}

/** A number's digits, as the sandbox records it. */
export const digits = (number) => number.replace(/\D/g, "");

/** Asserts the sandbox recorded no number twice; returns its messages by number. */
export function recordedOnce(messages) {
  const byNumber = new Map();
  for (const m of messages) {
    assert.ok(!byNumber.has(m.to), `${m.to} was sent twice`);
    byNumber.set(m.to, m);
  }
  return byNumber;
}

/**
 * Ctrl+C once a `send --json` of 3 requests (`run`, from startBin) has finished its first: it
 * stops between requests (exit 130, ABORTED), nothing unknown, the rest skipped. Returns what it
 * printed and its summary.
 */
export async function interruptAfterFirstRequest(run) {
  await run.waitFor(/^request 1\/3/m);
  run.proc.kill("SIGINT");
  const stopped = await run.exited;
  assert.equal(stopped.code, 130, stopped.stderr);
  const summary = json(stopped);
  assert.equal(summary.error.code, "ABORTED");
  assert.equal(summary.counts.unknown, 0, "stopped between requests: nothing unknown");
  assert.ok(summary.counts.skipped >= 1000, `the rest skipped (${summary.counts.skipped})`);
  return { stopped, summary };
}
