// One process writes a file journal at a time (pkg-template/journal.js): two processes on one
// journal would each send what it shows as not sent. Real processes hold, die and race here.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { fileJournal } from "aliyun-globe-sms/journal";
import { assertSmsError } from "./harness.mjs";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "journal-lock-child.mjs");
const work = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-lock-"));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(work, `j${(n += 1)}.jsonl`);

/** Starts a child holding `path` for `holdMs`; resolves its first line, and `exited` its end. */
function child(path, holdMs) {
  const proc = spawn(process.execPath, [CHILD, path, String(holdMs)], { cwd: process.cwd(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stderr.on("data", (c) => (err += c));
  const exited = new Promise((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal, err })));
  const said = new Promise((resolve, reject) => {
    proc.stdout.on("data", (c) => {
      out += c;
      const end = out.indexOf("\n");
      if (end !== -1) resolve(JSON.parse(out.slice(0, end)));
    });
    exited.then(({ code, err }) => reject(new Error(`child exited (${code}) before saying anything: ${err}`)));
  });
  return { proc, said, exited };
}

function refusal(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("fileJournal took a journal another process holds");
}

describe("fileJournal: one process per journal", () => {
  test("a running process holds it: refused with JOURNAL_LOCKED naming it; taken once it has closed", async () => {
    const path = fresh();
    const holder = child(path, 60_000);
    const { held, pid } = await holder.said;
    assert.equal(held, true);
    const error = refusal(() => fileJournal(path));
    assertSmsError(error, { code: "JOURNAL_LOCKED", field: "journal" });
    assert.match(error.message, new RegExp(`process ${pid} on `));
    assert.match(error.message, new RegExp(`${path}\\.lock`));
    holder.proc.kill("SIGTERM");
    await holder.exited;
    // SIGTERM ends it without its exit hook: the lock stays, and its pid is gone, so it is taken over.
    const journal = fileJournal(path);
    assert.equal(journal.read().length, 1, "the holder's entry is there");
    journal.close();
    assert.equal(existsSync(`${path}.lock`), false, "close() removes the lock");
  });

  test("a process that closes, or exits normally, leaves no lock", async () => {
    const path = fresh();
    const holder = child(path, 10);
    await holder.said;
    const { code } = await holder.exited;
    assert.equal(code, 0);
    assert.equal(existsSync(`${path}.lock`), false);
  });

  test("SIGKILL leaves the lock; the next process takes it over (same host, pid not running)", async () => {
    const path = fresh();
    const holder = child(path, 60_000);
    const { pid } = await holder.said;
    holder.proc.kill("SIGKILL");
    await holder.exited;
    assert.equal(JSON.parse(readFileSync(`${path}.lock`, "utf8")).pid, pid, "the dead holder's lock");
    const next = child(path, 10);
    assert.equal((await next.said).held, true);
    await next.exited;
  });

  test("five processes recovering one stale lock at once: exactly one takes it, every time", async () => {
    for (let round = 0; round < 5; round += 1) {
      const path = fresh();
      writeFileSync(`${path}.lock`, `${JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: "2026-01-01T00:00:00.000Z" })}\n`);
      const racers = Array.from({ length: 5 }, () => child(path, 2_000));
      const said = await Promise.all(racers.map((r) => r.said));
      assert.equal(said.filter((s) => s.held).length, 1, `round ${round}: ${JSON.stringify(said)}`);
      for (const s of said.filter((s) => !s.held)) assert.equal(s.code, "JOURNAL_LOCKED", s.message);
      await Promise.all(racers.map((r) => r.exited));
      assert.equal(readFileSync(path, "utf8").split("\n").filter(Boolean).length, 1, "one writer appended");
    }
  });

  test("another host's lock, a lock it did not write, a takeover left behind: refused, never guessed", () => {
    const path = fresh();
    writeFileSync(`${path}.lock`, `${JSON.stringify({ pid: 1, host: `not-${hostname()}`, since: "2026-01-01T00:00:00.000Z" })}\n`);
    assert.match(refusal(() => fileJournal(path)).message, /another host/);
    writeFileSync(`${path}.lock`, "something else\n");
    assert.match(refusal(() => fileJournal(path)).message, /not a lock this package wrote/);
    writeFileSync(`${path}.lock`, `${JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), since: "2026-01-01T00:00:00.000Z" })}\n`);
    writeFileSync(`${path}.lock.takeover`, "");
    assertSmsError(refusal(() => fileJournal(path)), { code: "JOURNAL_LOCKED" });
    rmSync(`${path}.lock.takeover`);
    fileJournal(path).close();
  });

  test("within one process: opened twice, held until both close; a closed journal refuses", () => {
    const path = fresh();
    const a = fileJournal(path);
    const b = fileJournal(path);
    a.append("{}\n");
    a.close();
    assert.ok(existsSync(`${path}.lock`), "b still holds it");
    assert.deepEqual(b.read(), ["{}\n"]);
    b.close();
    assert.equal(existsSync(`${path}.lock`), false);
    assertSmsError(refusal(() => a.append("{}\n")), { code: "JOURNAL_FAILED" });
    assertSmsError(refusal(() => b.read()), { code: "JOURNAL_FAILED" });
  });
});
