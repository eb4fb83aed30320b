// The command line's fleet (issue 15): `--fleet ID --redis URL` makes `send` one worker of a
// campaign kept in Redis and `status` a reader of it (README "Command line"). The package
// depends on no Redis client (redis.js takes the caller's), so neither does its bin: the user's
// own node-redis (`redis`) or `ioredis` is loaded at run time, from the directory the command
// runs in, then from beside the package. This file only finds, connects and closes that client,
// and keeps the URL's password out of everything the command prints.

import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "./args.js";

/** How long connecting, and closing, may take before the command gives up. */
const CONNECT_MS = 5000;
const CLOSE_MS = 2000;

/** Every password met in a `--redis` URL, in the forms a message could carry it. */
const hidden = new Set();

/** `text` with every Redis password this process was given replaced by `***`. */
export function maskRedis(text) {
  let out = String(text);
  for (const secret of hidden) out = out.split(secret).join("***");
  return out;
}

/**
 * The `--redis` URL checked: `{ url, shown, masked }`, `shown` with its password (if any) as
 * `***`, the only form ever printed. A value that is not a redis:// or rediss:// URL is refused without
 * quoting it (it may hold the password).
 */
export function redisTarget(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError("--redis takes a URL: redis://[user:password@]host[:port][/db] or rediss://…");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new UsageError("--redis takes a redis:// or rediss:// URL");
  }
  const masked = url.password !== "";
  if (masked) {
    // The URL object keeps it percent-encoded; a client may echo either form.
    hidden.add(url.password);
    try {
      hidden.add(decodeURIComponent(url.password));
    } catch {
      // An invalid escape: the encoded form above is what is known.
    }
    url.password = "***";
  }
  return { url: value, shown: url.href, masked };
}

/**
 * The user's Redis client module: `redis` (node-redis) first, then `ioredis`, each resolved from
 * the working directory (a project that installed it) and then from this package's own place
 * (installed beside it). `null` when neither is found.
 */
async function findClient() {
  const places = [createRequire(join(process.cwd(), "noop.js")), createRequire(import.meta.url)];
  for (const name of ["redis", "ioredis"]) {
    for (const require of places) {
      let path;
      try {
        path = require.resolve(name);
      } catch {
        continue;
      }
      return { name, module: await import(pathToFileURL(path).href) };
    }
  }
  return null;
}

/** Rejects when `promise` has not settled in `ms`. */
function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what}: no answer in ${ms} ms`), { code: "ETIMEDOUT" })), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Why a connection failed: the client's own words (ECONNREFUSED, WRONGPASS, NOAUTH, …), first
 * line only, the password masked.
 */
function reason(error) {
  const message = error?.message ?? error?.cause?.message ?? error?.code;
  return message ? maskRedis(String(message).split("\n")[0]).slice(0, 200) : "no reason given";
}

/**
 * Connects to `target` with the user's client: `{ client, name, close() }`. Reconnects a few
 * times at most (a worker whose Redis is gone must stop, FLEET_UNAVAILABLE, not wait forever).
 * A missing client or a Redis that does not answer is a usage error (exit 2, nothing sent).
 */
export async function connectRedis(target) {
  const found = await findClient();
  if (!found) {
    throw new UsageError(
      "--fleet needs a Redis client: install node-redis or ioredis where you run the command " +
        "(npm install redis, or npm install ioredis); aliyun-globe-sms depends on neither",
    );
  }
  const retry = (attempt) => (attempt < 5 ? 200 : null);
  let client;
  let close;
  if (found.name === "redis") {
    const createClient = found.module.createClient ?? found.module.default?.createClient;
    if (typeof createClient !== "function") throw new UsageError("the installed redis package has no createClient: node-redis 4 or later is needed");
    client = createClient({
      url: target.url,
      // Giving up with the failure itself keeps its code (ECONNREFUSED, …) for the message.
      socket: { connectTimeout: CONNECT_MS, reconnectStrategy: (attempt, cause) => retry(attempt) ?? (cause instanceof Error ? cause : new Error("gave up reconnecting")) },
    });
    close = () => (typeof client.close === "function" ? client.close() : client.quit());
  } else {
    const Redis = found.module.Redis ?? found.module.default;
    if (typeof Redis !== "function") throw new UsageError("the installed ioredis package has no Redis class");
    client = new Redis(target.url, { lazyConnect: true, connectTimeout: CONNECT_MS, maxRetriesPerRequest: 1, retryStrategy: retry });
    close = () => client.quit();
  }
  // Without a listener an `error` event would end the process; a failure reaches the command
  // through the call that met it (connect here, FLEET_UNAVAILABLE in the package). ioredis
  // rejects its connect with "Connection is closed.": the event before it says why.
  let lastError = null;
  client.on("error", (error) => {
    lastError = error;
  });
  const force = () => {
    try {
      if (typeof client.destroy === "function") client.destroy();
      else client.disconnect();
    } catch {
      // Already gone.
    }
  };
  try {
    await within(Promise.resolve(client.connect()), CONNECT_MS + 1000, "connect");
  } catch (error) {
    force();
    throw new UsageError(`cannot connect to Redis at ${target.shown} (${reason(lastError ?? error)}); nothing sent`);
  }
  let closed = false;
  return {
    client,
    name: found.name === "redis" ? "node-redis" : "ioredis",
    async close() {
      if (closed) return;
      closed = true;
      try {
        await within(Promise.resolve(close()), CLOSE_MS, "close");
      } catch {
        force();
      }
    },
  };
}
