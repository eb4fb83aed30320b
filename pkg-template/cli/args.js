// The command line's words: which flags each command takes, read with node:util's parseArgs (no
// dependency), and the refusal of a secret typed on the command line, where it would land in the
// shell's history (issue 14). Nothing here knows a rule about SMS: the values go to the package
// as they are, and the package refuses what it must (INVALID_OPTION names the field).

import { parseArgs } from "node:util";

export const USAGE = `usage: aliyun-globe-sms <command> [flags]

  check  <file.csv> [campaign flags]                  every problem with its line, then a summary; sends nothing
  send   <file.csv> [campaign flags] [send flags]     check, confirm, send with a journal, write the results
  resume <file.csv> --journal FILE [same flags]       go on with a stopped or crashed send (never resends)
  status --journal FILE [--out FILE] [--deadline S]   delivery outcomes (QueryMessage) into the results

  send   <file.csv> --fleet ID --redis URL [campaign flags] [send flags]
                                                      one worker of the fleet campaign ID kept in Redis: run it
                                                      in as many processes as you like, each number is sent once
  status <file.csv> --fleet ID --redis URL [campaign flags] [--endpoint URL] [--profile NAME] [--out FILE]
                                                      the fleet campaign's counts and results file as Redis has
                                                      them now (sends nothing; no delivery polling: a row stays
                                                      sent, never delivered)
  (resume --fleet is send --fleet: a worker always goes on from what Redis holds)

campaign flags
  --message TEXT          one text for every row, or a template: "Hi {name}" fills {name} from each row
  --message-column NAME   the column holding each row's text
  --number-column NAME    the column holding the numbers (default: to, number, phone, mobile, … or the first)
  --delimiter , | ;       the CSV separator (default: detected)
  --from ID               sender ID
  --type NOTIFY|MKT       message type (default NOTIFY)
  --task-id ID            TaskId sent with every request (default: one per request, made by the package)
  --qps N                 BatchSendMessageToGlobe calls per second for the account (default 1)
  --json                  print one machine-readable summary on stdout

send flags
  --endpoint URL          the service (default Alibaba's Singapore endpoint; http:// only to loopback)
  --profile NAME          credentials from ~/.aliyun/config.json (AK or StsToken mode) instead of the
                          ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN environment variables
  --journal FILE          default: beside the CSV, <name>.journal.jsonl (not with --fleet)
  --out FILE              the results file; default: beside the CSV, <name>.results.csv
  --yes                   send without asking (required when stdin is not a terminal)

fleet flags (every worker and reader: the same file, campaign flags, --endpoint, key and ID)
  --fleet ID              the campaign's name in Redis; no journal, no lock: Redis holds the campaign
  --redis URL             redis://[user:password@]host[:port][/db] or rediss://…; a password is shown as ***
                          (--redis "$REDIS_URL" keeps it out of your shell's history); connects with your own
                          node-redis (npm install redis) or ioredis: this package installs neither
  --lease SECONDS         how long a worker's claim holds a request before another may take it (default 60,
                          1 to 3600; the same in every worker): a worker stopped with a claim frees it after this

exit codes: 0 every recipient sent · 1 some failed or rejected · 2 usage or input error (nothing sent)
            3 some outcomes unknown (check them with status; never resend them) · 4 stopped · 130 Ctrl+C`;

const CAMPAIGN = {
  message: { type: "string" },
  "message-column": { type: "string" },
  "number-column": { type: "string" },
  delimiter: { type: "string" },
  from: { type: "string" },
  type: { type: "string" },
  "task-id": { type: "string" },
  qps: { type: "string" },
  json: { type: "boolean" },
};
const CALL = {
  endpoint: { type: "string" },
  profile: { type: "string" },
  journal: { type: "string" },
  out: { type: "string" },
};
const FLEET = {
  fleet: { type: "string" },
  redis: { type: "string" },
  lease: { type: "string" },
};

/** The flags of each command, and how many positionals (the CSV) it takes. */
const COMMANDS = {
  check: { options: CAMPAIGN, file: true },
  send: { options: { ...CAMPAIGN, ...CALL, ...FLEET, yes: { type: "boolean" } }, file: true },
  resume: { options: { ...CAMPAIGN, ...CALL, ...FLEET, yes: { type: "boolean" } }, file: true },
  // The campaign flags only with --fleet: a journal's sidecar holds them (readArguments).
  status: { options: { ...CAMPAIGN, ...CALL, ...FLEET, deadline: { type: "string" } }, file: false },
};

// Names people give a secret's flag in other tools; refused by name, before anything else is read.
const SECRET_FLAGS = /^--?(access-?key-?secret|secret|access-?secret|security-?token|sts-?token|token|password|access-?key-?id)(=|$)/i;

/** A usage error: exit code 2, nothing sent. The message never quotes an argument's value. */
export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Refuses an argument that is, or holds, a secret this process knows (the environment's
 * AccessKeySecret or STS token, any profile's in ~/.aliyun/config.json), and a flag named after
 * one. The refusal names the argument's position, never its value.
 */
export function refuseSecrets(argv, secrets) {
  argv.forEach((arg, i) => {
    if (SECRET_FLAGS.test(arg)) {
      const name = arg.split("=")[0];
      throw new UsageError(
        `${name}: secrets are never taken on the command line (it would stay in the shell's history); ` +
          "set ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN) or use --profile",
      );
    }
    for (const secret of secrets) {
      if (secret.length >= 8 && arg.includes(secret)) {
        throw new UsageError(
          `argument ${i + 1} holds an AccessKeySecret or STS token: secrets are never taken on the command line ` +
            "(it would stay in the shell's history); clear that line from your history, and pass credentials through the environment or --profile",
        );
      }
    }
  });
}

/** `{ command, file, values }` from the arguments after the program's name. */
export function readArguments(argv) {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    return { command: "help" };
  }
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command (expected check, send, resume or status)`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: spec.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error, rest, command));
  }
  const { values, positionals } = parsed;
  const fleet = values.fleet !== undefined;
  if (fleet || values.redis !== undefined || values.lease !== undefined) readFleetFlags(command, values);
  // `resume --fleet` is `send --fleet`: a fleet worker always starts from what Redis holds.
  const name = fleet && command === "resume" ? "send" : command;
  if (command === "status" && !fleet) {
    for (const flag of Object.keys(CAMPAIGN)) {
      if (flag !== "json" && values[flag] !== undefined) throw new UsageError(`status does not take --${flag} without --fleet (the journal's sidecar holds the campaign's flags)`);
    }
  }
  const takesFile = spec.file || (command === "status" && fleet);
  if (takesFile && positionals.length !== 1) {
    throw new UsageError(`${command} takes one CSV file (${positionals.length} given)`);
  }
  if (!takesFile && positionals.length > 0) throw new UsageError(`${command} takes no file: the journal's sidecar names it`);
  if (values.message !== undefined && values["message-column"] !== undefined) {
    throw new UsageError("--message and --message-column: give one");
  }
  if (values.delimiter !== undefined && values.delimiter !== "," && values.delimiter !== ";") {
    throw new UsageError("--delimiter is , or ;");
  }
  for (const flag of ["qps", "deadline", "lease"]) {
    if (values[flag] !== undefined && !/^\d+(\.\d+)?$/.test(values[flag])) throw new UsageError(`--${flag} takes a number`);
  }
  if (name === "resume" && values.journal === undefined) throw new UsageError("resume needs --journal FILE (or, for a fleet worker, --fleet ID --redis URL)");
  if (command === "status" && !fleet && values.journal === undefined) throw new UsageError("status needs --journal FILE (or <file.csv> --fleet ID --redis URL)");
  return { command: name, file: positionals[0], values };
}

/**
 * `--fleet ID --redis URL` go together, and replace the journal: a fleet campaign has no file of
 * its own (its state is in Redis), and `status --fleet` reads counts, it does not poll.
 */
function readFleetFlags(command, values) {
  if (values.fleet === undefined) throw new UsageError(`--${values.redis === undefined ? "lease" : "redis"} goes with --fleet ID (the campaign's name in Redis)`);
  if (values.fleet === "") throw new UsageError("--fleet takes the campaign's name (not empty)");
  if (values.redis === undefined) throw new UsageError("--fleet needs --redis URL (the Redis holding the campaign)");
  if (values.journal !== undefined) {
    throw new UsageError("--journal and --fleet: give one (a fleet campaign is kept in Redis, not in a journal file)");
  }
  if (command === "status" && values.deadline !== undefined) {
    throw new UsageError("status --fleet does not take --deadline: it reads the counts Redis holds, it does not poll deliveries");
  }
}

/** parseArgs' own messages can quote a value; this names only the flag. */
function describeParseError(error, args, command) {
  const flag = /'(-{1,2}[A-Za-z][\w-]*)/.exec(String(error?.message))?.[1];
  switch (error?.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `${command} does not take ${flag ?? "that flag"}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return `${flag ?? "a flag"}: ${/does not take/.test(error.message) ? "takes no value" : "needs a value"}`;
    default:
      return `${command}: unreadable arguments (${args.length} given)`;
  }
}

/** The package's options for the CSV reader, from the flags. */
export function csvOptions(values) {
  const options = {};
  if (values["number-column"] !== undefined) options.numberColumn = values["number-column"];
  if (values["message-column"] !== undefined) options.messageColumn = values["message-column"];
  if (values.message !== undefined) options.message = values.message;
  if (values.delimiter !== undefined) options.delimiter = values.delimiter;
  return options;
}

/** The campaign's own options from the flags (what its journal's fingerprint covers, and the pace). */
export function campaignFlags(values) {
  const options = {};
  if (values.from !== undefined) options.from = values.from;
  if (values.type !== undefined) options.type = values.type;
  if (values["task-id"] !== undefined) options.taskId = values["task-id"];
  if (values.qps !== undefined) options.qps = Number(values.qps);
  return options;
}

/** Quotes an argument for a POSIX shell, so a printed command can be pasted back as it is. */
export function shellQuote(value) {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The flags that must be given again to `resume` the same campaign (or to join its fleet again), in a fixed order. */
export function campaignArguments(values) {
  const out = [];
  for (const name of ["message", "message-column", "number-column", "delimiter", "from", "type", "task-id", "qps", "endpoint", "profile", "lease", "out"]) {
    if (values[name] !== undefined) out.push(`--${name}`, values[name]);
  }
  return out;
}
