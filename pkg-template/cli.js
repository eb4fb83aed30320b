#!/usr/bin/env node
// aliyun-globe-sms: a CSV campaign from the command line (issue 14), on the package's own API.
//
//   aliyun-globe-sms check  <file.csv> [campaign flags]
//   aliyun-globe-sms send   <file.csv> [campaign flags] [--endpoint URL] [--profile NAME]
//                           [--journal FILE] [--out FILE] [--yes] [--json]
//   aliyun-globe-sms resume <file.csv> --journal FILE [same flags]
//   aliyun-globe-sms status --journal FILE [--out FILE] [--deadline SECONDS] [--json]
//   aliyun-globe-sms send   <file.csv> --fleet ID --redis URL [campaign flags] [send flags]
//   aliyun-globe-sms status <file.csv> --fleet ID --redis URL [campaign flags] [--out FILE] [--json]
//
// It stays thin: the package reads the CSV (readCsvCampaign), plans (planCampaign), sends and
// journals (sendCampaign, resumeCampaign), follows deliveries (pollCampaign) and writes the
// results (resultsCsv). This file reads flags and files, asks, shows progress, and turns the
// ledger into an exit code. `status` needs the campaign's list and options again: `send` and
// `resume` leave them (no secret, no number) in a sidecar beside the journal, `<journal>.cli.json`.
// With `--fleet` (issue 15) the campaign lives in Redis instead of a journal: `send` is one worker
// of it (the `fleet` and `pacer` options of aliyun-globe-sms/redis on the user's own client,
// cli/fleet.js) and `status` reads it (readFleetCampaign); the list and flags are given again.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import * as sms from "./node.js";
import { fileJournal } from "./journal.js";
import { redisCampaign, redisPacer } from "./redis.js";
import { USAGE, UsageError, campaignArguments, campaignFlags, csvOptions, readArguments, refuseSecrets, shellQuote } from "./cli/args.js";
import { colours, confirm, n, printCounts, printPlan, printProblems, problems, progressReporter, rowCount } from "./cli/display.js";
import { credentialsFor, knownSecrets } from "./cli/profile.js";
import { connectRedis, maskRedis, redisTarget } from "./cli/fleet.js";

/** Exit codes (README "Command line"). */
const EXIT = { SENT: 0, SOME_FAILED: 1, USAGE: 2, UNKNOWN: 3, STOPPED: 4, INTERRUPTED: 130 };
const SIDECAR_FORMAT = "aliyun-globe-sms/cli-campaign@1";

/** The journal's and results file's default names, beside the CSV. */
function besideCsv(file, suffix) {
  return join(dirname(file), `${basename(file, extname(file))}${suffix}`);
}

function readText(file, what) {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${file} (${error?.code ?? "unreadable"})`);
  }
}

/** The CSV read and planned by the package. Its refusals are input errors. */
function readCampaign(file, values) {
  const csv = sms.readCsvCampaign(readText(file, "CSV file"), csvOptions(values));
  const options = { to: csv.to, message: csv.message, ...campaignFlags(values) };
  const plan = sms.planCampaign(options);
  return { csv, options, plan, problems: problems(csv, plan), rows: rowCount(csv) };
}

/** The human output: stdout, or stderr when stdout carries `--json`'s object. */
const human = (values) => (values.json ? process.stderr : process.stdout);

function printJson(object) {
  process.stdout.write(`${JSON.stringify(object, null, 2)}\n`);
}

function planJson(file, campaign) {
  const { plan } = campaign;
  return {
    file,
    rows: campaign.rows,
    valid: plan.valid,
    rejected: plan.rejected,
    duplicates: plan.duplicates,
    problems: campaign.problems,
    segments: plan.segments,
    encodings: plan.encodings,
    requests: plan.requests,
    seconds: plan.seconds,
  };
}

async function check(file, values) {
  const campaign = readCampaign(file, values);
  const out = human(values);
  printProblems(out, campaign.problems);
  printPlan(out, { file, rows: campaign.rows, plan: campaign.plan, problemCount: campaign.problems.length });
  const exitCode = campaign.problems.length > 0 || campaign.plan.valid === 0 ? EXIT.SOME_FAILED : EXIT.SENT;
  if (values.json) printJson({ command: "check", ...planJson(file, campaign), exitCode });
  return exitCode;
}

/** The command that goes on with this campaign, to paste as it is. */
function resumeCommand(file, journal, values) {
  return ["npx", "aliyun-globe-sms", "resume", file, "--journal", journal, ...campaignArguments(values)].map(shellQuote).join(" ");
}

/**
 * The exit code of a run (README "Command line"): Ctrl+C first, then an unknown outcome (the one
 * that must not be resent blindly), a stop, then rows that failed, were rejected or were left out
 * by the CSV reader (`leftOut`).
 */
function exitForLedger(counts, { error, interrupted, leftOut }) {
  if (interrupted) return EXIT.INTERRUPTED;
  if (counts.unknown > 0) return EXIT.UNKNOWN;
  if (error || counts.skipped > 0) return EXIT.STOPPED;
  if (counts.failed + counts.rejected + counts.undelivered + counts.expired + leftOut > 0) return EXIT.SOME_FAILED;
  return EXIT.SENT;
}

/** The command that starts this fleet worker again (the Redis URL as shown: its password masked). */
function fleetCommand(file, fleet, values) {
  return ["npx", "aliyun-globe-sms", "send", file, "--fleet", fleet.id, "--redis", fleet.target.shown, ...campaignArguments(values)].map(shellQuote).join(" ");
}

/** `--fleet ID --redis URL` read: the campaign's name and the checked URL; null without --fleet. */
function fleetOf(values) {
  if (values.fleet === undefined) return null;
  const options = { id: values.fleet };
  // The package checks the range (1000 to 3600000 ms): INVALID_OPTION, exit 2.
  if (values.lease !== undefined) options.leaseMs = Math.round(Number(values.lease) * 1000);
  return { id: values.fleet, options, target: redisTarget(values.redis) };
}

/**
 * `send` and `resume`: the same display; `resume` reads the journal instead of starting one.
 * With `--fleet`, `send` is one worker of the campaign kept in Redis (README "Command line").
 */
async function send(command, file, values) {
  const fleet = fleetOf(values);
  const campaign = readCampaign(file, values);
  const credentials = credentialsFor(values.profile);
  const out = human(values);
  const journalPath = fleet ? null : resolve(values.journal ?? besideCsv(file, ".journal.jsonl"));
  const resultsPath = resolve(values.out ?? besideCsv(file, ".results.csv"));
  printProblems(out, campaign.problems);
  printPlan(out, { file, rows: campaign.rows, plan: campaign.plan, problemCount: campaign.problems.length });
  if (campaign.plan.valid === 0) {
    // A problem of the whole campaign (type, sender ID, the shared text) is why: say it here too.
    const whole = campaign.plan.issues.filter((issue) => issue.index === null).map((issue) => issue.message);
    throw new UsageError(`no valid recipient: nothing to send${whole.length > 0 ? ` (${whole.join("; ")})` : ""}`);
  }
  if (!values.yes && !process.stdin.isTTY) throw new UsageError("stdin is not a terminal: pass --yes to send without being asked");

  // Connected before asking: a Redis that cannot be reached is said at once (exit 2, nothing
  // sent), and the client is closed however the command ends.
  const redis = fleet ? await connectRedis(fleet.target) : null;
  try {
    return await sendWith({ command, file, values, campaign, credentials, out, journalPath, resultsPath, fleet, redis });
  } finally {
    await redis?.close();
  }
}

async function sendWith({ command, file, values, campaign, credentials, out, journalPath, resultsPath, fleet, redis }) {
  if (!values.yes) {
    const verb = command === "resume" ? "Resume sending to" : "Send to";
    const as = fleet ? `, as one worker of fleet campaign ${JSON.stringify(fleet.id)},` : "";
    const yes = await confirm(`${verb} ${n(campaign.plan.valid)} recipients (${n(campaign.plan.segments)} billed segments) in ${n(campaign.plan.requests)} requests${as}? [y/N] `);
    if (!yes) throw new UsageError("not confirmed: nothing sent");
  }

  // Ctrl+C stops between requests. The journal is written once before each request is sent and
  // once after its outcome (README, sendCampaign), so one append since the last progress report
  // means a request is in flight: aborting then would make its recipients `unknown`, so the
  // abort waits for that request's report. A second Ctrl+C aborts at once. A fleet worker's
  // request is in flight from its mark stored in Redis (`mark` answers 1, src/wasm/fleet.rs)
  // to the report that follows its outcome.
  const controller = new AbortController();
  let appendsSinceReport = 0;
  let marked = false;
  let interrupted = 0;
  const inFlight = () => (fleet ? marked : appendsSinceReport === 1);
  const place = {};
  if (fleet) {
    const store = redisCampaign(redis.client, fleet.options);
    place.fleet = {
      ...store,
      async mark(...args) {
        const reply = await store.mark(...args);
        marked = Number(reply) === 1;
        return reply;
      },
    };
    // Every worker takes its slots from the account's one pace in Redis (README, A fleet on Redis).
    place.pacer = redisPacer(redis.client);
  } else {
    const file_ = fileJournal(journalPath);
    place.journal = {
      read: () => file_.read(),
      append(entry) {
        appendsSinceReport += 1;
        return file_.append(entry);
      },
    };
  }
  const reporter = progressReporter(process.stderr);
  // The first progress report comes once the journal (or Redis) holds this campaign.
  let started = false;
  const onProgress = (progress) => {
    appendsSinceReport = 0;
    marked = false;
    if (!started && !fleet) {
      // The journal now holds this campaign: `status` finds the list and options here.
      writeSidecar(journalPath, { file: resolve(file), values, resultsPath });
    }
    started = true;
    if (interrupted) controller.abort();
    reporter.update(progress);
  };
  const onSigint = () => {
    interrupted += 1;
    reporter.done();
    if (interrupted === 1 && inFlight()) {
      process.stderr.write("stopping after the request in flight (Ctrl+C again stops at once: its recipients would be unknown)\n");
    } else {
      controller.abort();
    }
  };
  process.on("SIGINT", onSigint);

  const options = { ...campaign.options, endpoint: values.endpoint, ...place, onProgress, signal: controller.signal };
  if (credentials) options.credentials = credentials;
  if (options.endpoint === undefined) delete options.endpoint;
  let ledger;
  let error = null;
  try {
    ledger = await (command === "resume" && !fleet ? sms.resumeCampaign(options) : sms.sendCampaign(options));
  } catch (thrown) {
    if (!sms.isSmsError(thrown) || !thrown.ledger) throw thrown;
    error = thrown;
    ledger = thrown.ledger;
  } finally {
    process.off("SIGINT", onSigint);
    reporter.done();
  }

  writeFileSync(resultsPath, sms.resultsCsv(ledger, campaign.csv));
  const leftOut = campaign.csv.leftOut.length;
  const exitCode = exitForLedger(ledger.counts, { error, interrupted: interrupted > 0, leftOut });
  // The resume command only once the journal holds this campaign (its first progress report
  // comes after the journal's header): a journal that never got its header is started again.
  // A fleet worker goes on by starting again: it claims what is left in Redis.
  const again = ledger.counts.skipped > 0 && started;
  const resume = again ? (fleet ? fleetCommand(file, fleet, values) : resumeCommand(file, journalPath, values)) : null;
  const c = colours(out);
  printCounts(out, ledger.counts, leftOut);
  // The abort's own message speaks of the request it spared ("nothing was sent"); the campaign's
  // counts above say what was.
  if (error && interrupted && error.code === "ABORTED") out.write(`${c.red("stopped by Ctrl+C")} between requests\n`);
  else if (error) out.write(`${c.red(interrupted ? "stopped by Ctrl+C" : "stopped")}: ${error.code}: ${maskRedis(error.message)}\n`);
  if (ledger.counts.unknown > 0) out.write(fleet ? fleetUnknownAdvice(ledger.counts.unknown) : unknownAdvice(ledger.counts.unknown, journalPath));
  if (resume && fleet) {
    const masked = fleet.target.masked ? " (with the Redis password in place of ***)" : "";
    // A request this worker had claimed and not marked was given back (src/fleet_run.rs
    // `Release`): any worker takes it now.
    out.write(`${n(ledger.counts.skipped)} not sent yet by this worker; other workers go on with them, or start one again${masked}:\n  ${resume}\n`);
  } else if (resume) out.write(`${n(ledger.counts.skipped)} not sent yet; go on with:\n  ${resume}\n`);
  else if (ledger.counts.skipped > 0) out.write(`${n(ledger.counts.skipped)} not sent: the ${fleet ? "fleet" : "journal"} holds nothing of this campaign; fix the cause and run ${command} again\n`);
  out.write(`results: ${resultsPath}\n${fleet ? `fleet: ${fleetLine(fleet)}` : `journal: ${journalPath}`}\n`);
  if (values.json) {
    printJson({
      command,
      ...planJson(file, campaign),
      journal: journalPath,
      ...(fleet ? { fleet: fleet.id, redis: fleet.target.shown } : {}),
      out: resultsPath,
      counts: ledger.counts,
      leftOut,
      requestsDone: ledger.requests.done,
      requestsTotal: ledger.requests.total,
      error: error ? { code: error.code, message: maskRedis(error.message) } : null,
      resume,
      exitCode,
    });
  }
  return exitCode;
}

function unknownAdvice(count, journalPath) {
  return (
    `${n(count)} recipients' outcome is unknown: their request may have been sent. They are never resent; ` +
    `do not send to them again blindly. Check them with\n  ${["npx", "aliyun-globe-sms", "status", "--journal", journalPath].map(shellQuote).join(" ")}\n` +
    "and in the SMS console (each request's TaskId is in the journal).\n"
  );
}

/** A fleet worker's unknown rows: `status --fleet` lists them, QueryMessage cannot settle them. */
function fleetUnknownAdvice(count) {
  return (
    `${n(count)} recipients' outcome is unknown: a worker marked their request and no answer was stored (it may have been sent). ` +
    "They are never resent; do not send to them again blindly. status --fleet lists them in the results file; " +
    "check them in the SMS console.\n"
  );
}

/** The fleet campaign and its Redis as printed: the URL's password masked. */
function fleetLine(fleet) {
  return `${JSON.stringify(fleet.id)} on ${fleet.target.shown}`;
}

function sidecarPath(journalPath) {
  return `${journalPath}.cli.json`;
}

/** What `status` needs to open the campaign again: the CSV's path and the flags; no secret. */
function writeSidecar(journalPath, { file, values, resultsPath }) {
  const flags = {};
  for (const name of ["message", "message-column", "number-column", "delimiter", "from", "type", "task-id", "qps", "endpoint", "profile"]) {
    if (values[name] !== undefined) flags[name] = values[name];
  }
  const sidecar = { format: SIDECAR_FORMAT, csv: file, out: resultsPath, flags };
  writeFileSync(sidecarPath(journalPath), `${JSON.stringify(sidecar, null, 2)}\n`);
}

/**
 * `status --fleet`: the campaign as Redis holds it now (readFleetCampaign, which never sends):
 * the counts and the results file. No delivery polling: QueryMessage answers would have no
 * journal to be recorded in, and a fleet's workers may still be sending.
 */
async function fleetStatus(file, values) {
  const fleet = fleetOf(values);
  const campaign = readCampaign(file, values);
  const credentials = credentialsFor(values.profile);
  const out = human(values);
  const resultsPath = resolve(values.out ?? besideCsv(file, ".results.csv"));
  const redis = await connectRedis(fleet.target);
  let ledger;
  let held = false;
  try {
    const store = redisCampaign(redis.client, fleet.options);
    const reader = {
      ...store,
      async read(key) {
        const stored = await store.read(key);
        held = stored.head !== null;
        return stored;
      },
    };
    const options = { ...campaign.options, fleet: reader };
    if (values.endpoint !== undefined) options.endpoint = values.endpoint;
    if (credentials) options.credentials = credentials;
    ledger = await sms.readFleetCampaign(options);
  } finally {
    await redis.close();
  }
  // The campaign's key is a hash of its id, endpoint and AccessKeyId (README, A fleet on Redis):
  // another endpoint or key finds nothing rather than another campaign.
  if (!held) {
    throw new UsageError(
      `Redis holds no fleet campaign ${JSON.stringify(fleet.id)} for this endpoint and key: give the workers' file, campaign flags, --endpoint and credentials (or no worker has started yet)`,
    );
  }
  writeFileSync(resultsPath, sms.resultsCsv(ledger, campaign.csv));
  const leftOut = campaign.csv.leftOut.length;
  // A request no worker has sent yet: its rows are `skipped` (readFleetCampaign).
  const counts = ledger.counts;
  const exitCode = exitForLedger(counts, { error: null, interrupted: false, leftOut });
  printCounts(out, counts, leftOut);
  if (counts.skipped > 0) out.write(`${n(counts.skipped)} not sent yet: no worker has taken them yet, or the workers stopped (start one with send --fleet)\n`);
  if (counts.unknown > 0) {
    out.write(`${n(counts.unknown)} unknown: marked by a worker with no answer stored yet (in flight now, or its worker died); never resent\n`);
  }
  out.write(`results: ${resultsPath}\nfleet: ${fleetLine(fleet)}\n`);
  if (values.json) {
    printJson({ command: "status", file, fleet: fleet.id, redis: fleet.target.shown, out: resultsPath, counts, leftOut, error: null, exitCode });
  }
  return exitCode;
}

async function status(values) {
  const journalPath = resolve(values.journal);
  const path = sidecarPath(journalPath);
  if (!existsSync(path)) throw new UsageError(`no ${path}: status follows a campaign this command sent (send or resume writes it)`);
  let sidecar;
  try {
    sidecar = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    sidecar = null;
  }
  if (!sidecar || sidecar.format !== SIDECAR_FORMAT || typeof sidecar.csv !== "string" || typeof sidecar.flags !== "object") {
    throw new UsageError(`${path} is not this command's campaign sidecar`);
  }
  const flags = { ...sidecar.flags, profile: values.profile ?? sidecar.flags.profile, endpoint: values.endpoint ?? sidecar.flags.endpoint };
  const campaign = readCampaign(sidecar.csv, flags);
  const credentials = credentialsFor(flags.profile);
  const resultsPath = resolve(values.out ?? sidecar.out);
  const out = human(values);
  const reporter = progressReporter(process.stderr, { deliveries: true });
  const options = { ...campaign.options, journal: fileJournal(journalPath), onProgress: (p) => reporter.update(p) };
  if (flags.endpoint !== undefined) options.endpoint = flags.endpoint;
  if (credentials) options.credentials = credentials;
  if (values.deadline !== undefined) options.deadlineMs = Math.round(Number(values.deadline) * 1000);
  let ledger;
  let error = null;
  try {
    ledger = await sms.pollCampaign(options);
  } catch (thrown) {
    if (!sms.isSmsError(thrown) || !thrown.ledger) throw thrown;
    error = thrown;
    ledger = thrown.ledger;
  } finally {
    reporter.done();
  }
  writeFileSync(resultsPath, sms.resultsCsv(ledger, campaign.csv));
  const leftOut = campaign.csv.leftOut.length;
  const exitCode = exitForLedger(ledger.counts, { error, interrupted: false, leftOut });
  printCounts(out, ledger.counts, leftOut);
  if (ledger.counts.sent > 0) out.write(`${n(ledger.counts.sent)} sent without a final delivery report yet\n`);
  if (error) out.write(`stopped: ${error.code}: ${error.message}\n`);
  if (ledger.counts.unknown > 0) out.write(unknownAdvice(ledger.counts.unknown, journalPath));
  out.write(`results: ${resultsPath}\n`);
  if (values.json) {
    printJson({ command: "status", file: sidecar.csv, journal: journalPath, out: resultsPath, counts: ledger.counts, leftOut, error: error ? { code: error.code, message: error.message } : null, exitCode });
  }
  return exitCode;
}

async function main(argv) {
  refuseSecrets(argv, knownSecrets());
  const { command, file, values } = readArguments(argv);
  switch (command) {
    case "help":
      process.stdout.write(`${USAGE}\n`);
      return EXIT.SENT;
    case "check":
      return check(file, values);
    case "send":
    case "resume":
      return send(command, file, values);
    case "status":
      return values.fleet !== undefined ? fleetStatus(file, values) : status(values);
  }
  return EXIT.USAGE;
}

let code;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  const json = process.argv.includes("--json");
  let message;
  let errorCode;
  if (error instanceof UsageError) {
    errorCode = "USAGE";
    message = maskRedis(error.message);
    process.stderr.write(`aliyun-globe-sms: ${message}\n(aliyun-globe-sms help: the commands, flags and exit codes)\n`);
  } else if (sms.isSmsError(error)) {
    // The package's own errors hold no secret (README, Errors); their code is stable.
    errorCode = error.code;
    message = maskRedis(error.message);
    process.stderr.write(`aliyun-globe-sms: ${error.code}: ${message}\n`);
    for (const issue of error.issues ?? []) process.stderr.write(`  ${issue.code}: ${maskRedis(issue.message)}\n`);
  } else {
    errorCode = "INTERNAL";
    message = "an unexpected failure";
    // A Redis client's own failure may quote the URL it was given: its password is masked.
    process.stderr.write(`aliyun-globe-sms: unexpected failure: ${maskRedis(error?.stack ?? error)}\n`);
  }
  // A journal that cannot be written stops a campaign before anything is sent (exit 4, as when
  // the package finds it out); every other refusal here is a usage or input error.
  code = errorCode === "JOURNAL_FAILED" ? EXIT.STOPPED : EXIT.USAGE;
  if (json) printJson({ error: { code: errorCode, message }, resume: null, exitCode: code });
}
process.exitCode = code;
