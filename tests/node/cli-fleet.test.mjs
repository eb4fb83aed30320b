// The command line's fleet (issue 15): the installed package's real `aliyun-globe-sms` bin with
// `--fleet ID --redis URL`, in child processes, against the sandbox running here and a real
// redis-server (redis-server.mjs) that asks for a password. Every child's output is scanned for
// secrets (harness.mjs), the Redis password among them, in every encoding.
//
// The bin loads the user's own Redis client at run time. The consumer project these suites run
// in has neither, so each child runs in a directory of its own whose node_modules links the
// repository's devDependency (DEV_ROOT): one with node-redis (`redis`), one with `ioredis`, one
// with none.
//
// Covered: two `send --fleet` workers (one per client) on one CSV of 5,000 rows, each number sent
// once, each request reported by exactly one worker; `status --fleet` from a third process, its
// counts and results file row by row against the sandbox; `resume --fleet` (the same as send)
// sends nothing more; Ctrl+C of a worker and the printed command to start it again; no client
// installed, an unreachable Redis, a wrong password and flag misuse: exit 2, nothing sent.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as hooks from "node:test";
import { after, before, describe, test } from "node:test";
import { digits, interruptAfterFirstRequest, json, readResults, recordedOnce, startBin } from "./cli-harness.mjs";
import { DEFAULT_KEY, addSecret, useSandbox } from "./harness.mjs";
import { failsInSandbox } from "./ledger.mjs";
import { CLIENTS, freePort, haveRedis, startRedis } from "./redis-server.mjs";

const BIN = join(process.cwd(), "node_modules", ".bin", "aliyun-globe-sms");
const work = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-cli-fleet-"));
after(() => rmSync(work, { recursive: true, force: true }));
const HOME = join(work, "home");
mkdirSync(HOME);

// A password with characters a URL must escape; registered so that every child's output is
// scanned for it (raw, percent-encoded, JSON-escaped, …).
const PASSWORD = "Fleet!Pass:w0rd/42";
addSecret(PASSWORD, "the Redis password");
const WRONG_PASSWORD = "Not-The-Password-77";
addSecret(WRONG_PASSWORD, "a wrong Redis password");

const KEY_ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_KEY.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_KEY.accessKeySecret,
};

/** A directory to run the bin in, whose node_modules holds links to the repository's `modules`. */
function project(name, modules) {
  const dir = join(work, name);
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  for (const module of modules) {
    // The real path: the client's own dependencies resolve beside it, in the repository.
    symlinkSync(realpathSync(join(process.env.DEV_ROOT, "node_modules", module)), join(dir, "node_modules", module), "dir");
  }
  return dir;
}

/** Starts the bin (cli-harness.mjs `startBin`) in `cwd`, no colour, this suite's home. */
function start(args, { cwd, env = KEY_ENV, command = BIN } = {}) {
  return startBin(command, args, { cwd, env: { ...process.env, HOME, NO_COLOR: "1", ...env } });
}

const cli = (args, options) => start(args, options).exited;

/** `count` rows (name, phone); every 250th number ends in 0000 (FailedList in the sandbox). */
function guestList(count, prefix) {
  const rows = ["name,phone"];
  const numbers = [];
  for (let i = 0; i < count; i += 1) {
    const number = i % 250 === 17 ? `+852 5${prefix}${String(Math.floor(i / 250)).padStart(2, "0")} 0000` : `+852 9${prefix}${String(i + 1).padStart(6, "0")}`;
    numbers.push(number);
    rows.push(`Guest ${i},${number}`);
  }
  return { text: `${rows.join("\r\n")}\r\n`, numbers };
}


function writeCsv(name, text) {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}


/** Asserts a results file is the sandbox's record, row by row: sent with its MessageId, or failed and not sent. */
function assertResultsMatch(path, numbers, recorded) {
  const rows = readResults(path);
  assert.equal(rows.length, numbers.length, `${path}: one row per input row`);
  rows.forEach((row, i) => {
    assert.equal(row.line, String(i + 2), `row ${i}: its CSV line`);
    assert.equal(row.normalizedTo, digits(numbers[i]), `row ${i}`);
    const message = recorded.get(row.normalizedTo);
    if (failsInSandbox(row.normalizedTo)) {
      assert.deepEqual([row.state, row.messageId, message], ["failed", "", undefined], `row ${i}`);
    } else {
      assert.equal(row.state, "sent", `row ${i}`);
      assert.equal(row.messageId, message?.messageId, `row ${i}: MessageId`);
      assert.equal(row.requestId, message.requestId, `row ${i}: RequestId`);
    }
  });
}


describe("aliyun-globe-sms --fleet: CLI workers and a reader on one Redis", () => {
  const s = useSandbox(hooks, { qps: 20, reportDelayMs: 0 });
  let redis;
  let url;
  let withRedis;
  let withIoredis;
  let bare;

  before(async () => {
    assert.ok(process.env.DEV_ROOT, "run through tests/package/run.mjs (DEV_ROOT names the repository)");
    assert.ok(haveRedis(), "redis-server is not installed (make test-node installs Debian's redis-server)");
    redis = await startRedis();
    // From now on every new connection must give the password.
    const admin = await CLIENTS["node-redis"](redis.port);
    await admin.client.sendCommand(["CONFIG", "SET", "requirepass", PASSWORD]);
    await admin.close();
    url = `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${redis.port}`;
    withRedis = project("with-node-redis", ["redis"]);
    withIoredis = project("with-ioredis", ["ioredis"]);
    bare = project("without-client", []);
  });
  after(() => redis?.stop());

  const flags = (id) => ["--message", "Hi {name}", "--qps", "20", "--endpoint", s.sandbox.url, "--fleet", id, "--redis", url];

  test("two send --fleet workers share one CSV: each number once; status --fleet from a third process agrees row by row", async () => {
    const { text, numbers } = guestList(5000, "1");
    const file = writeCsv("fleet.csv", text);
    const expected = { sent: 4980, delivered: 0, undelivered: 0, expired: 0, failed: 20, rejected: 0, unknown: 0, skipped: 0 };
    const outs = [join(work, "worker-a.csv"), join(work, "worker-b.csv")];
    const workers = await Promise.all([
      cli(["send", file, ...flags("guests"), "--yes", "--json", "--out", outs[0]], { cwd: withRedis }),
      cli(["send", file, ...flags("guests"), "--yes", "--json", "--out", outs[1]], { cwd: withIoredis }),
    ]);
    const recorded = recordedOnce(s.sandbox.messages());
    for (const number of numbers) assert.equal(recorded.has(digits(number)), !failsInSandbox(digits(number)), number);
    let ownRequests = 0;
    workers.forEach((worker, w) => {
      assert.equal(worker.code, 1, `worker ${w}: some numbers fail in the sandbox: exit 1\n${worker.stderr}`);
      const summary = json(worker);
      // Each worker ends with the whole campaign's ledger, whichever worker sent what.
      assert.deepEqual(summary.counts, expected, `worker ${w}`);
      assert.deepEqual([summary.error, summary.journal, summary.fleet, summary.resume], [null, null, "guests", null], `worker ${w}`);
      assert.equal(summary.redis, `redis://:***@127.0.0.1:${redis.port}`, "the URL shown with its password masked");
      assert.match(worker.stderr, /^fleet: "guests" on redis:\/\/:\*\*\*@127\.0\.0\.1:\d+$/m);
      assertResultsMatch(outs[w], numbers, recorded);
      // A progress line per request this worker sent (what Redis held when it started is "done before this run").
      ownRequests += (worker.stderr.match(/^request \d+\/5: /gm) ?? []).length;
    });
    assert.equal(ownRequests, 5, "every request sent by exactly one of the two workers");

    // The reader: a third process, after the workers; the default results file beside the CSV.
    const requestsBefore = s.sandbox.requests().length;
    const status = await cli(["status", file, ...flags("guests"), "--json"], { cwd: withRedis });
    assert.equal(status.code, 1, status.stderr);
    const summary = json(status);
    assert.deepEqual(summary.counts, expected);
    assert.equal(summary.out, join(work, "fleet.results.csv"));
    assertResultsMatch(summary.out, numbers, recorded);
    const human = await cli(["status", file, ...flags("guests"), "--out", join(work, "status-human.csv")], { cwd: withIoredis });
    assert.equal(human.code, 1, human.stderr);
    assert.match(human.stdout, /^4,980 sent · 20 failed\n/m);
    assert.equal(readFileSync(join(work, "status-human.csv"), "utf8"), readFileSync(summary.out, "utf8"), "both clients read the same ledger");
    assert.equal(s.sandbox.requests().length, requestsBefore, "status --fleet sends nothing (no QueryMessage either)");

    // resume --fleet is send --fleet: nothing is left to claim, nothing is sent again.
    const resumed = await cli(["resume", file, ...flags("guests"), "--yes", "--json", "--out", join(work, "resumed.csv")], { cwd: withIoredis });
    assert.equal(resumed.code, 1, resumed.stderr);
    assert.deepEqual(json(resumed).counts, expected);
    assert.equal(s.sandbox.requests().length, requestsBefore);
  });

  test("Ctrl+C stops a worker between requests (exit 130); the printed command, password put back, sends the rest once", async () => {
    const { text, numbers } = guestList(3000, "2");
    const file = writeCsv("stopped.csv", text);
    // --qps 1: a second between requests, time to stop after the first. The stopped worker gives
    // back the claim it had not marked (checked in Redis below); --lease 2 is passed on to the
    // command it prints.
    const slow = [...flags("stopped"), "--qps", "1", "--lease", "2"];
    const run = start(["send", file, ...slow, "--yes", "--json"], { cwd: withRedis });
    const { stopped, summary } = await interruptAfterFirstRequest(run);
    assert.match(stopped.stderr, /start one again \(with the Redis password in place of \*\*\*\):\n {2}npx aliyun-globe-sms send /);
    assert.ok(summary.resume.includes("'redis://:***@127.0.0.1:"), summary.resume);
    assert.match(summary.resume, / --lease 2( |$)/, "the same lease in the worker started again");

    // No claim is left behind: every lease in Redis is of a request that has its mark (one in
    // flight when the worker stopped, answered since, has none at all).
    const admin = await CLIENTS["node-redis"](redis.port, PASSWORD);
    try {
      for (const leases of await admin.client.sendCommand(["KEYS", "*:leases"])) {
        const marks = leases.replace(/:leases$/, ":marks");
        for (const request of await admin.client.sendCommand(["HKEYS", leases])) {
          assert.equal(await admin.client.sendCommand(["HEXISTS", marks, request]), 1, `request ${request} claimed, unmarked, not given back`);
        }
      }
    } finally {
      await admin.close();
    }

    const sentBefore = s.sandbox.messages().length;
    assert.ok(sentBefore >= 994 && sentBefore < 2988, `${sentBefore} sent before the stop`);

    // The reader while the campaign is half done: what no worker has sent yet is skipped, and
    // the counts add up to the rows (exit 4, as for a stopped send).
    const half = await cli(["status", file, ...slow, "--json", "--out", join(work, "stopped-status.csv")], { cwd: withIoredis });
    assert.equal(half.code, 4, half.stderr);
    const halfCounts = json(half).counts;
    assert.equal(halfCounts.sent, sentBefore);
    assert.equal(halfCounts.sent + halfCounts.failed + halfCounts.skipped, 3000, JSON.stringify(halfCounts));
    assert.equal(halfCounts.unknown, 0);
    assert.match(half.stderr, new RegExp(`^${halfCounts.skipped.toLocaleString("en-US")} not sent yet: `, "m"));
    const halfRows = readResults(join(work, "stopped-status.csv"));
    assert.equal(halfRows.filter((row) => row.state === "skipped").length, halfCounts.skipped, "the results file agrees with the counts");

    // The exact printed command, run by a shell with the installed bin for npx.
    const printed = summary.resume.replace(/^npx aliyun-globe-sms /, "").replace("***", encodeURIComponent(PASSWORD));
    const rerun = await cli(["-c", `'${BIN}' ${printed} --yes --json`], { cwd: withRedis, command: "sh" });
    assert.equal(rerun.code, 1, rerun.stderr);
    const counts = json(rerun).counts;
    assert.deepEqual([counts.sent, counts.failed, counts.skipped, counts.unknown], [2988, 12, 0, 0]);
    const recorded = recordedOnce(s.sandbox.messages());
    for (const number of numbers) assert.equal(recorded.has(digits(number)), !failsInSandbox(digits(number)), number);
  });

  test("no Redis client where the command runs nor beside the package: exit 2 saying what to install, nothing sent", async () => {
    const file = writeCsv("noclient.csv", guestList(10, "3").text);
    for (const args of [["send", file, ...flags("noclient"), "--yes"], ["status", file, ...flags("noclient")]]) {
      const result = await cli(args, { cwd: bare });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /--fleet needs a Redis client: install node-redis or ioredis .*\(npm install redis, or npm install ioredis\)/);
    }
    assert.equal(s.sandbox.requests().length, 0);
  });

  test("Redis unreachable or the password wrong: exit 2, the URL shown masked, nothing sent", async () => {
    const file = writeCsv("unreachable.csv", guestList(10, "4").text);
    const port = await freePort();
    const cases = [
      [withRedis, `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`, new RegExp(`cannot connect to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\); nothing sent`)],
      [withIoredis, `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`, /cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(.*\); nothing sent/],
      [withRedis, `redis://:${WRONG_PASSWORD}@127.0.0.1:${redis.port}`, /cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(.*(WRONGPASS|invalid).*\); nothing sent/i],
      [withIoredis, `redis://:${WRONG_PASSWORD}@127.0.0.1:${redis.port}`, /cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(.*(WRONGPASS|invalid).*\); nothing sent/i],
      [withRedis, `redis://127.0.0.1:${redis.port}`, /cannot connect to Redis at redis:\/\/127\.0\.0\.1:\d+ \(.*NOAUTH.*\)|NOAUTH/],
    ];
    for (const [cwd, target, reason] of cases) {
      for (const command of ["send", "status"]) {
        const args = [command, file, "--message", "Hi {name}", "--endpoint", s.sandbox.url, "--fleet", "down", "--redis", target, "--json"];
        if (command === "send") args.push("--yes");
        const result = await cli(args, { cwd });
        assert.equal(result.code, 2, `${command} in ${cwd}: ${result.stderr}`);
        assert.match(result.stderr, reason, `${command} in ${cwd}`);
        assert.equal(json(result).exitCode, 2);
      }
    }
    assert.equal(s.sandbox.requests().length, 0);
  });

  test("flags: --journal with --fleet, --fleet without --redis, --redis or --lease without --fleet, a URL that is not redis://, status --fleet --deadline: exit 2", async () => {
    const file = writeCsv("flags.csv", guestList(10, "5").text);
    const base = ["--message", "Hi {name}", "--endpoint", s.sandbox.url];
    const cases = [
      [["send", file, ...base, "--fleet", "f", "--redis", url, "--journal", join(work, "f.jsonl"), "--yes"], /--journal and --fleet: give one/],
      [["resume", file, ...base, "--fleet", "f", "--redis", url, "--journal", join(work, "f.jsonl"), "--yes"], /--journal and --fleet: give one/],
      [["status", file, ...base, "--fleet", "f", "--redis", url, "--journal", join(work, "f.jsonl")], /--journal and --fleet: give one/],
      [["send", file, ...base, "--fleet", "f", "--yes"], /--fleet needs --redis URL/],
      [["send", file, ...base, "--redis", url, "--yes"], /--redis goes with --fleet ID/],
      [["send", file, ...base, "--fleet", "f", "--redis", `http://:${encodeURIComponent(PASSWORD)}@127.0.0.1:1`, "--yes"], /--redis takes a redis:\/\/ or rediss:\/\/ URL/],
      [["status", file, ...base, "--fleet", "f", "--redis", url, "--deadline", "5"], /status --fleet does not take --deadline/],
      [["check", file, ...base.slice(0, 2), "--fleet", "f"], /check does not take --fleet/],
      [["send", file, ...base, "--lease", "30", "--yes"], /--lease goes with --fleet ID/],
      [["send", file, ...base, "--fleet", "f", "--redis", url, "--lease", "soon", "--yes"], /--lease takes a number/],
    ];
    for (const [args, reason] of cases) {
      const result = await cli(args, { cwd: withRedis });
      assert.equal(result.code, 2, `${args.slice(0, 1)} ${reason}: ${result.stderr}`);
      assert.match(result.stderr, reason);
    }
    assert.equal(s.sandbox.requests().length, 0);
  });

  test("status --fleet of a campaign Redis does not hold (another id, endpoint or key): exit 2, nothing written", async () => {
    const file = writeCsv("unknown-campaign.csv", guestList(10, "6").text);
    const out = join(work, "unknown-campaign-out.csv");
    const result = await cli(["status", file, ...flags("never-started"), "--out", out], { cwd: withRedis });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Redis holds no fleet campaign "never-started" for this endpoint and key/);
    assert.throws(() => readFileSync(out), { code: "ENOENT" });
  });
});
