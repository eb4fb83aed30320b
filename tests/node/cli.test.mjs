// The command line (issue 14): the installed package's real `aliyun-globe-sms` bin, driven in
// child processes against the sandbox running here. Every child's output is scanned for secrets
// (harness.mjs). The campaigns run with the sandbox's limit off and `--qps` raised, except where
// a run must be stopped mid-way: there `--qps 1` leaves a second between requests.
//
// Covered: `check` on a file with every kind of problem, each with its line; `send` of 2,500 rows
// with the results file checked row by row against the sandbox's record; the progress bar on a
// pseudo-TTY (util-linux `script`) and plain lines without one, NO_COLOR, the confirmation
// question; Ctrl+C then the printed `resume` command, SIGKILL then `resume` (each number sent
// once); `status`; every exit code; `--json`; a profile file; a secret where a flag expects a
// value refused.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as hooks from "node:test";
import { after, describe, test } from "node:test";
import { digits, interruptAfterFirstRequest, json, readResults, recordedOnce, startBin } from "./cli-harness.mjs";
import { DEFAULT_KEY, DEFAULT_STS_KEY, scanChildOutput, useSandbox } from "./harness.mjs";
import { failsInSandbox } from "./ledger.mjs";

const BIN = join(process.cwd(), "node_modules", ".bin", "aliyun-globe-sms");
const FIXTURES = join(process.env.DEV_ROOT ?? "", "tests", "fixtures", "cli");
const work = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-cli-"));
after(() => rmSync(work, { recursive: true, force: true }));
// An empty home: no ~/.aliyun/config.json unless a test writes one.
const HOME = join(work, "home");
mkdirSync(HOME);

const KEY_ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_KEY.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_KEY.accessKeySecret,
};

/** The environment of a child: no ALIBABA_CLOUD_* (run.mjs removed them), an empty home, no NO_COLOR. */
function childEnv(extra = {}) {
  const env = { ...process.env, HOME, ...extra };
  if (!("NO_COLOR" in extra)) delete env.NO_COLOR;
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  return env;
}

/** Starts the bin (cli-harness.mjs `startBin`) in `cwd` with this suite's environment. */
function start(args, { env = {}, cwd = work, command = BIN } = {}) {
  return startBin(command, args, { cwd, env: childEnv(env) });
}

const cli = (args, options) => start(args, options).exited;

/** A guest list of `count` rows (name, phone, table): line i + 2 holds row i. Every 250th number ends in 0000 (FailedList in the sandbox). */
function guestList(count, { suffix = "" } = {}) {
  const rows = ["name,phone,table"];
  const numbers = [];
  for (let i = 0; i < count; i += 1) {
    const number = i % 250 === 17 ? `+852 5${String(Math.floor(i / 250)).padStart(3, "0")} 0000` : `+852 9${String(i + 1).padStart(7, "0")}`;
    numbers.push(number);
    // A name that starts with "=" in every 100th row: the results never run it as a formula.
    rows.push(`${i % 100 === 5 ? "=SUM(A1)" : `Guest ${i}`}${suffix},${number},${(i % 40) + 1}`);
  }
  return { text: `${rows.join("\r\n")}\r\n`, numbers };
}

const TEMPLATE = "Hi {name}, your table is {table}";
const filled = (i) => `Hi ${i % 100 === 5 ? "=SUM(A1)" : `Guest ${i}`}, your table is ${(i % 40) + 1}`;

function writeCsv(name, text) {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}


describe("aliyun-globe-sms (the package's bin) against the sandbox", () => {
  const s = useSandbox(hooks, { qps: Infinity, reportDelayMs: 0 });
  const endpoint = () => ["--endpoint", s.sandbox.url];

  test("the bin is installed with the package", () => {
    assert.ok(existsSync(BIN), BIN);
  });

  test("check: every problem with its CSV line and reason, then the summary; exit 1; sends nothing", async () => {
    const file = join(FIXTURES, "problems.csv");
    const result = await cli(["check", file, "--message", "Table at {time}, {name}", "--json"]);
    assert.equal(result.code, 1, result.stderr);
    const summary = json(result);
    const byLine = new Map();
    for (const p of summary.problems) byLine.set(p.line, [...(byLine.get(p.line) ?? []), p.code]);
    // The package's validation, by line (the reader's problems are checked by line below).
    const expected = {
      3: "RECIPIENT_MAINLAND_CHINA",
      4: "RECIPIENT_INVALID_CHARACTER",
      5: "RECIPIENT_TOO_SHORT",
      6: "RECIPIENT_DUPLICATE",
      7: "RECIPIENT_UNKNOWN_DIALING_CODE",
      8: "RECIPIENT_TOO_LONG",
      14: "MESSAGE_TOO_LONG",
    };
    for (const [line, code] of Object.entries(expected)) assert.ok(byLine.get(Number(line))?.includes(code), `line ${line}: ${code} (got ${byLine.get(Number(line))})`);
    // The reader's: a short row and an empty value for {time}, an empty number, an unterminated quote.
    for (const line of [9, 10, 15, 16]) assert.ok(byLine.has(line), `line ${line} has a problem (got ${[...byLine.keys()]})`);
    // Clean lines have none; the duplicate names the line it repeats.
    for (const line of [2, 11, 12, 13]) assert.ok(!byLine.has(line), `line ${line} is clean`);
    assert.match(summary.problems.find((p) => p.line === 6).message, /line 2/);
    assert.equal(summary.valid, 3, "lines 2, 11 and 13");
    assert.equal(summary.duplicates, 1);
    assert.equal(summary.requests, 1);
    assert.equal(summary.encodings.gsm7, 3);
    assert.ok(summary.segments >= 3);
    // The human form names each line too, on stderr when --json holds stdout.
    for (const line of [3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16]) assert.match(result.stderr, new RegExp(`line ${line}\\b`));
    assert.equal(s.sandbox.requests().length, 0, "check sends nothing");

    const human = await cli(["check", file, "--message", "Table at {time}, {name}"]);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /line 3 "\+86 138 0013 8000": RECIPIENT_MAINLAND_CHINA/);
    assert.match(human.stdout, /valid recipients\s+3\n/);
    assert.match(human.stdout, /requests\s+1, about 0 s/);
    // A person reads lines: no list index (`to[4]`, `recipient #0`) beside them.
    assert.doesNotMatch(human.stdout, /to\[\d+\]|recipient #\d/);
    assert.match(human.stdout, /line 6 "\+852 9123 4567": RECIPIENT_DUPLICATE — the same number as line 2\n/);
  });

  test("check: a clean file exits 0; the time the requests take follows --qps", async () => {
    const file = writeCsv("clean.csv", guestList(2500).text.replace(/^.* 0000,.*\r\n/gm, ""));
    const result = await cli(["check", file, "--message", TEMPLATE, "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const summary = json(result);
    assert.deepEqual([summary.rows, summary.valid, summary.problems.length, summary.requests], [2490, 2490, 0, 3]);
    const slow = json(await cli(["check", file, "--message", TEMPLATE, "--qps", "0.5", "--json"]));
    assert.ok(slow.seconds > summary.seconds, `${slow.seconds} s at 0.5 call/s, ${summary.seconds} s at 1`);
  });

  test("send: 2,500 rows to completion, the results file row by row against the sandbox's record", async () => {
    const { text, numbers } = guestList(2500);
    const file = writeCsv("guests.csv", text);
    const result = await cli(["send", file, "--message", TEMPLATE, "--qps", "1000", "--yes", "--json", ...endpoint()], { env: KEY_ENV });
    assert.equal(result.code, 1, `some numbers fail in the sandbox: exit 1\n${result.stderr}`);
    const summary = json(result);
    assert.equal(summary.out, join(work, "guests.results.csv"));
    assert.equal(summary.journal, join(work, "guests.journal.jsonl"));
    assert.deepEqual(summary.counts, { sent: 2490, delivered: 0, undelivered: 0, expired: 0, failed: 10, rejected: 0, unknown: 0, skipped: 0 });
    assert.equal(summary.error, null);

    const recorded = recordedOnce(s.sandbox.messages());
    assert.equal(recorded.size, 2490);
    const rows = readResults(summary.out);
    assert.equal(rows.length, 2500, "one row per input row");
    rows.forEach((row, i) => {
      assert.equal(row.line, String(i + 2), `row ${i}: its CSV line`);
      assert.equal(row.to, numbers[i], `row ${i}: the number as given`);
      assert.equal(row.normalizedTo, digits(numbers[i]), `row ${i}: the number as sent`);
      const message = recorded.get(row.normalizedTo);
      if (failsInSandbox(row.normalizedTo)) {
        assert.equal(row.state, "failed", `row ${i}`);
        assert.equal(message, undefined);
        assert.equal(row.messageId, "");
      } else {
        assert.equal(row.state, "sent", `row ${i}`);
        assert.equal(row.messageId, message.messageId, `row ${i}: MessageId`);
        assert.equal(row.requestId, message.requestId, `row ${i}: RequestId`);
        assert.equal(message.message, filled(i), `row ${i}: the template filled from its row`);
      }
    });
    // Plain progress without a TTY: one line per request, no escape sequences.
    assert.deepEqual(result.stderr.match(/^request \d+\/3: .*$/gm).map((l) => l.split(":")[0]), ["request 1/3", "request 2/3", "request 3/3"]);
    assert.doesNotMatch(result.stderr, /\x1b|\r/);
  });

  test("send: the results file has one row per input row, the rows the reader left out included", async () => {
    const file = writeCsv("problems.csv", readFileSync(join(FIXTURES, "problems.csv"), "utf8"));
    const result = await cli(["send", file, "--message", "Table at {time}, {name}", "--yes", "--json", ...endpoint()], { env: KEY_ENV });
    assert.equal(result.code, 1, `rejected rows: exit 1\n${result.stderr}`);
    const summary = json(result);
    assert.equal(summary.counts.sent, 3);
    assert.equal(summary.leftOut, 3, "lines 9, 10 and 16");
    const rows = readResults(summary.out);
    // Line 12 continues line 11's quoted name; line 17 is inside line 16's unterminated quote.
    assert.deepEqual(
      rows.map((r) => [Number(r.line), r.state, r.code]),
      [
        [2, "sent", ""],
        [3, "rejected", "RECIPIENT_MAINLAND_CHINA"],
        [4, "rejected", "RECIPIENT_INVALID_CHARACTER"],
        [5, "rejected", "RECIPIENT_TOO_SHORT"],
        [6, "rejected", "RECIPIENT_DUPLICATE"],
        [7, "rejected", "RECIPIENT_UNKNOWN_DIALING_CODE"],
        [8, "rejected", "RECIPIENT_TOO_LONG"],
        [9, "rejected", "CSV_MISSING_CELL"],
        [10, "rejected", "CSV_EMPTY_VALUE"],
        [11, "sent", ""],
        [13, "sent", ""],
        [14, "rejected", "MESSAGE_TOO_LONG"],
        [15, "rejected", "RECIPIENT_EMPTY"],
        [16, "rejected", "CSV_UNTERMINATED_QUOTE"],
      ],
    );
    const byLine = new Map(rows.map((r) => [Number(r.line), r]));
    assert.equal(byLine.get(9).to, "+852 9123 4569", "a row left out keeps its number as written");
    assert.match(byLine.get(10).reason, /"time" is empty/);
    assert.equal(byLine.get(16).to, "", "nothing of an unterminated row is read");
    const recorded = recordedOnce(s.sandbox.messages());
    assert.deepEqual([...recorded.keys()].sort(), ["85291234567", "85291234571", "85291234572"]);
  });

  test("send on a pseudo-TTY: asks, draws the bar with counts and ETA; NO_COLOR drops the colours", async () => {
    const file = writeCsv("tty.csv", guestList(1500).text);
    const command = [BIN, "send", file, "--message", TEMPLATE, "--qps", "1000", ...endpoint()].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
    const runPty = (env) =>
      new Promise((resolve) => {
        const proc = spawn("script", ["-qfec", command, "/dev/null"], { cwd: work, env: childEnv({ ...KEY_ENV, ...env }), stdio: ["pipe", "pipe", "pipe"] });
        let output = "";
        let answered = false;
        proc.stdout.on("data", (chunk) => {
          output += chunk;
          if (!answered && output.includes("[y/N]")) {
            answered = true;
            proc.stdin.write("y\n");
          }
        });
        proc.on("close", (code) => {
          proc.stdin.destroy();
          scanChildOutput(output, "the pseudo-TTY output");
          resolve({ code, output });
        });
      });
    const coloured = await runPty({});
    assert.equal(coloured.code, 1, coloured.output);
    assert.match(coloured.output, /Send to 1,500 recipients \(1,500 billed segments\) in 2 requests\? \[y\/N\]/);
    assert.match(coloured.output, /\r\x1b\[2K.*█.* 1\/2 requests · 996 sent, 4 failed, 0 rejected · ETA \d+ s/);
    assert.match(coloured.output, /2\/2 requests · 1,494 sent, 6 failed, 0 rejected · done/);
    assert.match(coloured.output, /\x1b\[32m/, "colour on a terminal");
    assert.doesNotMatch(coloured.output, /^request \d/m, "no plain lines on a terminal");
    assert.equal(s.sandbox.messages().length, 1494);

    s.sandbox.reset();
    rmSync(join(work, "tty.journal.jsonl"));
    const plain = await runPty({ NO_COLOR: "1" });
    assert.equal(plain.code, 1, plain.output);
    assert.match(plain.output, /2\/2 requests · 1,494 sent/);
    assert.doesNotMatch(plain.output, /\x1b\[\d+m/, "NO_COLOR: no colour codes");
  });

  test("Ctrl+C mid-campaign: stops between requests, exit 130, the printed resume command sends the rest; each number once", async () => {
    const { text, numbers } = guestList(3000);
    const file = writeCsv("sigint.csv", text);
    const run = start(["send", file, "--message", TEMPLATE, "--qps", "1", "--yes", "--json", ...endpoint()], { env: KEY_ENV });
    const { stopped, summary } = await interruptAfterFirstRequest(run);
    assert.match(summary.resume, /^npx aliyun-globe-sms resume /);
    assert.match(stopped.stderr, /go on with:\n  npx aliyun-globe-sms resume /);
    const sentBefore = s.sandbox.messages().length;
    assert.ok(sentBefore >= 994 && sentBefore < 2988, `${sentBefore} sent before the stop`);
    assert.ok(readResults(summary.out).some((r) => r.state === "skipped"), "the results file shows the rows not sent yet");

    // The exact printed command, run by a shell, with the installed bin for npx.
    const printed = summary.resume.replace(/^npx aliyun-globe-sms /, "");
    const resumed = await cli(["-c", `'${BIN}' ${printed} --yes --json`], { env: KEY_ENV, command: "sh" });
    assert.equal(resumed.code, 1, resumed.stderr);
    const after = JSON.parse(resumed.stdout);
    assert.deepEqual([after.counts.sent, after.counts.failed, after.counts.skipped, after.counts.unknown], [2988, 12, 0, 0]);
    const recorded = recordedOnce(s.sandbox.messages());
    for (const number of numbers) assert.equal(recorded.has(digits(number)), !failsInSandbox(digits(number)), number);
    const rows = readResults(after.out);
    rows.forEach((row, i) => assert.equal(row.messageId, recorded.get(row.normalizedTo)?.messageId ?? "", `row ${i}`));
  });

  test("resume or status while send runs on the same journal: refused (JOURNAL_LOCKED, exit 2), nothing sent twice", async () => {
    const { text, numbers } = guestList(2100, { suffix: "l" });
    const file = writeCsv("locked.csv", text);
    const flags = ["--message", TEMPLATE, "--qps", "0.5", ...endpoint()];
    const run = start(["send", file, ...flags, "--yes"], { env: KEY_ENV });
    await run.waitFor(/^request 1\/3/m);
    const journal = join(work, "locked.journal.jsonl");
    for (const args of [["resume", file, "--journal", journal, ...flags, "--yes", "--json"], ["status", "--journal", journal, "--json"]]) {
      const second = await cli(args, { env: KEY_ENV });
      assert.equal(second.code, 2, second.stderr);
      assert.equal(json(second).error.code, "JOURNAL_LOCKED", second.stderr);
      assert.match(second.stderr, /locked\.journal\.jsonl\.lock/);
    }
    const first = await run.exited;
    assert.equal(first.code, 1, first.stderr);
    const recorded = recordedOnce(s.sandbox.messages());
    assert.equal(recorded.size, numbers.filter((number) => !failsInSandbox(digits(number))).length);
    assert.equal(existsSync(`${journal}.lock`), false, "the lock goes with the process");
  });

  test("SIGKILL mid-campaign, then resume: no number sent twice, the results agree with the sandbox", async () => {
    const { text, numbers } = guestList(3000, { suffix: "k" });
    const file = writeCsv("killed.csv", text);
    const flags = ["--message", TEMPLATE, "--qps", "1", ...endpoint()];
    const run = start(["send", file, ...flags, "--yes"], { env: KEY_ENV });
    await run.waitFor(/^request 1\/3/m);
    run.proc.kill("SIGKILL");
    assert.equal((await run.exited).signal, "SIGKILL");
    const journal = join(work, "killed.journal.jsonl");
    assert.ok(existsSync(`${journal}.cli.json`), "the sidecar is written once the journal holds the campaign");

    const resumed = await cli(["resume", file, "--journal", journal, ...flags, "--qps", "1000", "--yes", "--json"], { env: KEY_ENV });
    const summary = json(resumed);
    const recorded = recordedOnce(s.sandbox.messages());
    // A kill while a request was out leaves it unknown (exit 3): never resent, so at most once.
    assert.equal(resumed.code, summary.counts.unknown > 0 ? 3 : 1, resumed.stderr);
    assert.equal(summary.counts.skipped, 0);
    const rows = readResults(summary.out);
    for (const row of rows) {
      const message = recorded.get(row.normalizedTo);
      if (row.state === "sent") assert.equal(row.messageId, message?.messageId, `line ${row.line}`);
      else if (row.state === "failed") assert.ok(failsInSandbox(row.normalizedTo) && !message, `line ${row.line}`);
      else assert.equal(row.state, "unknown", `line ${row.line}`);
    }
    // Every number that can be sent was, once; an unknown one at most once (recordedOnce).
    const unknown = new Set(rows.filter((r) => r.state === "unknown").map((r) => r.normalizedTo));
    assert.equal(unknown.size, summary.counts.unknown);
    for (const number of numbers) {
      const d = digits(number);
      if (failsInSandbox(d)) assert.ok(!recorded.has(d), number);
      else assert.ok(recorded.has(d) || unknown.has(d), `${number} was sent`);
    }
  });

  test("status: QueryMessage outcomes folded into the ledger and the results file", async () => {
    // The sandbox's rule: 9999 undelivered, 8888 expired, 7777 never final, the rest delivered.
    // QueryMessage has no status for expiry: an expired message reads as undelivered there
    // (README, A campaign's deliveries).
    const numbers = ["+852 9123 4501", "+852 9123 9999", "+852 9123 8888", "+852 9123 7777", "+852 9123 4502"];
    const file = writeCsv("status.csv", `phone\r\n${numbers.join("\r\n")}\r\n`);
    const journal = join(work, "status-journal.jsonl");
    const sent = await cli(["send", file, "--message", "Doors open at 7", "--journal", journal, "--yes", ...endpoint()], { env: KEY_ENV });
    assert.equal(sent.code, 0, sent.stderr);
    const result = await cli(["status", "--journal", journal, "--deadline", "1", "--json"], { env: KEY_ENV });
    assert.equal(result.code, 1, `undelivered and expired: exit 1\n${result.stderr}`);
    const summary = json(result);
    assert.deepEqual(summary.counts, { sent: 1, delivered: 2, undelivered: 2, expired: 0, failed: 0, rejected: 0, unknown: 0, skipped: 0 });
    const states = readResults(join(work, "status.results.csv")).map((r) => r.state);
    assert.deepEqual(states, ["delivered", "undelivered", "undelivered", "sent", "delivered"]);
    assert.ok(s.sandbox.requests().some((r) => r.action === "QueryMessage"), "asked through QueryMessage");
  });

  test("exit codes: 0 all sent, 2 usage or input (nothing sent), 3 unknown with the status advice, 4 stopped", async () => {
    const clean = writeCsv("codes.csv", "phone\r\n+852 9123 4511\r\n+852 9123 4512\r\n");
    const ok = await cli(["send", clean, "--message", "hello", "--yes", "--json", ...endpoint()], { env: KEY_ENV });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(json(ok).counts.sent, 2);

    s.sandbox.reset();
    const usage = [
      [["send", clean, "--message", "hello", "--bogus"], KEY_ENV, /does not take --bogus/],
      [["send", join(work, "missing.csv"), "--message", "hello", "--yes"], KEY_ENV, /cannot read the CSV file/],
      [["send", clean, "--message", "hello", "--yes", ...endpoint()], {}, /no credentials/],
      [["send", clean, "--message", "hello", "--journal", join(work, "other.jsonl"), ...endpoint()], KEY_ENV, /--yes/],
      [["send", clean, "--message", "hello", "--type", "SPAM", "--yes", ...endpoint()], KEY_ENV, /TYPE|type/],
      [["resume", clean, "--message", "hello", "--journal", join(work, "none.jsonl"), "--yes", ...endpoint()], KEY_ENV, /JOURNAL_EMPTY/],
      [["resume", clean, "--message", "another text", "--journal", join(work, "codes.journal.jsonl"), "--yes", ...endpoint()], KEY_ENV, /JOURNAL_MISMATCH/],
      [["frobnicate"], KEY_ENV, /unknown command/],
    ];
    for (const [args, env, reason] of usage) {
      const result = await cli(args, { env });
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, reason);
    }
    assert.equal(s.sandbox.messages().length, 0, "nothing sent by a usage or input error");

    // 3: the first request's answer is lost after the sandbox recorded it.
    const many = writeCsv("unknown.csv", guestList(1500).text);
    s.sandbox.inject({ kind: "dropAfterAccept" });
    const unknown = await cli(["send", many, "--message", TEMPLATE, "--qps", "1000", "--yes", "--json", ...endpoint()], { env: KEY_ENV });
    assert.equal(unknown.code, 3, unknown.stderr);
    const summary = json(unknown);
    assert.equal(summary.counts.unknown, 1000);
    assert.equal(summary.error.code, "OUTCOME_UNKNOWN");
    assert.match(unknown.stderr, /never resent; do not send to them again blindly. Check them with\n  npx aliyun-globe-sms status --journal /);

    // 4: the journal cannot be written (no such directory): stopped before anything was sent.
    s.sandbox.reset();
    const stopped = await cli(["send", clean, "--message", "hello", "--journal", join(work, "no", "such", "dir.jsonl"), "--yes", "--json", ...endpoint()], { env: KEY_ENV });
    assert.equal(stopped.code, 4, stopped.stderr);
    assert.equal(json(stopped).error.code, "JOURNAL_FAILED");
    assert.equal(json(stopped).resume, null, "no resume of a journal that holds nothing");
    assert.equal(s.sandbox.messages().length, 0);
  });

  test("--profile: AK and StsToken profiles of ~/.aliyun/config.json; other modes and unknown names refused", async () => {
    const home = join(work, "profile-home");
    mkdirSync(join(home, ".aliyun"), { recursive: true });
    const profile = (name, mode, key) => ({ name, mode, access_key_id: key.accessKeyId, access_key_secret: key.accessKeySecret, sts_token: key.securityToken ?? "", region_id: "ap-southeast-1", output_format: "json", language: "en" });
    writeFileSync(
      join(home, ".aliyun", "config.json"),
      JSON.stringify({ current: "ak", profiles: [profile("ak", "AK", DEFAULT_KEY), profile("sts", "StsToken", DEFAULT_STS_KEY), { ...profile("role", "RamRoleArn", DEFAULT_KEY), ram_role_arn: "acs:ram::1:role/x" }] }),
    );
    const file = writeCsv("profile.csv", "phone\r\n+852 9123 4521\r\n");
    for (const [name, key] of [["sts", DEFAULT_STS_KEY], ["ak", DEFAULT_KEY]]) {
      s.sandbox.reset();
      const result = await cli(["send", file, "--message", "hello", "--profile", name, "--journal", join(work, `profile-${name}.jsonl`), "--yes", ...endpoint()], { env: { HOME: home } });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(s.sandbox.messages().map((m) => m.accessKeyId), [key.accessKeyId], `signed with the ${name} profile's key`);
    }
    s.sandbox.reset();
    for (const [name, reason] of [["role", /RamRoleArn mode is not supported/], ["nobody", /no profile of that name/]]) {
      const result = await cli(["send", file, "--message", "hello", "--profile", name, "--journal", join(work, `profile-${name}.jsonl`), "--yes", ...endpoint()], { env: { HOME: home } });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, reason);
    }
    assert.equal(s.sandbox.messages().length, 0);
  });

  test("a secret where a flag expects a value is refused, never echoed, nothing sent", async () => {
    const file = writeCsv("secret.csv", "phone\r\n+852 9123 4531\r\n");
    const home = join(work, "secret-home");
    mkdirSync(join(home, ".aliyun"), { recursive: true });
    writeFileSync(join(home, ".aliyun", "config.json"), JSON.stringify({ current: "sts", profiles: [{ name: "sts", mode: "StsToken", access_key_id: DEFAULT_STS_KEY.accessKeyId, access_key_secret: DEFAULT_STS_KEY.accessKeySecret, sts_token: DEFAULT_STS_KEY.securityToken }] }));
    const cases = [
      [["send", file, "--message", "hello", "--from", DEFAULT_KEY.accessKeySecret, "--yes", ...endpoint()], KEY_ENV, /holds an AccessKeySecret or STS token/],
      [["send", file, "--message", `code ${DEFAULT_STS_KEY.securityToken}`, "--profile", "sts", "--yes", ...endpoint()], { HOME: home }, /holds an AccessKeySecret or STS token/],
      [["send", file, "--message", "hello", "--access-key-secret", "NotKnownButStillASecret42", "--yes", ...endpoint()], KEY_ENV, /secrets are never taken on the command line/],
      [["send", file, "--message", "hello", "--security-token=NotKnownButStillAToken42", "--yes", ...endpoint()], KEY_ENV, /secrets are never taken on the command line/],
    ];
    for (const [args, env, reason] of cases) {
      const result = await cli(args, { env });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, reason);
      for (const secret of ["NotKnownButStillASecret42", "NotKnownButStillAToken42"]) assert.ok(!(result.stdout + result.stderr).includes(secret), "the value is not echoed");
    }
    assert.equal(s.sandbox.requests().length, 0);
  });
});
