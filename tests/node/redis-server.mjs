// A real redis-server for the fleet suites (issue 15): Debian's package (the Makefile's test-node
// target installs it when missing), on 127.0.0.1 and a free port, with its AOF in a temp dir
// (`appendfsync always`: a write is on disk before Redis answers it, which the fleet's "marked
// before sent" rule needs), stopped by its pid. No mock: the Lua scripts run in the real thing.
// Also the two clients the package is tested with, node-redis and ioredis: devDependencies of
// the repository (DEV_ROOT), not of the consumer project the suites run in.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** A port nobody listens on now (the kernel's pick for port 0). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether Debian's redis-server is installed. */
export function haveRedis() {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Starts redis-server in `dir` on `port`; resolves once it accepts connections. */
function launch(dir, port) {
  const proc = spawn(
    "redis-server",
    ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "yes"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes("Ready to accept connections")) resolve(proc);
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", onData);
    proc.once("exit", (code, signal) => reject(new Error(`redis-server exited (${code ?? signal}) before it was ready:\n${output}`)));
    proc.once("error", reject);
  });
}

/**
 * A redis-server of this suite's own. `kill()` SIGKILLs it (the AOF stays), `restart()` starts
 * it again in the same dir and port, from the AOF; `stop()` ends it and removes the dir.
 */
export async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), "aliyun-globe-sms-redis-"));
  const port = await freePort();
  let proc = await launch(dir, port);
  const exited = (p) => new Promise((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once("exit", resolve)));
  return {
    port,
    dir,
    get pid() {
      return proc.pid;
    },
    async kill() {
      process.kill(proc.pid, "SIGKILL");
      await exited(proc);
    },
    async restart() {
      proc = await launch(dir, port);
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        process.kill(proc.pid, "SIGTERM");
        await exited(proc);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Imports a devDependency of the repository (DEV_ROOT), or of here when run in place. */
async function devImport(name) {
  const root = process.env.DEV_ROOT;
  if (!root) return import(name);
  const require = createRequire(join(root, "package.json"));
  return import(pathToFileURL(require.resolve(name)).href);
}

/** The clients under test, by name: each resolves to a connected client and its `close()`. */
export const CLIENTS = {
  async "node-redis"(port, password) {
    const { createClient } = await devImport("redis");
    // No reconnect after a lost server within a call: a reply that does not come is the
    // adapter's timeout (FLEET_UNAVAILABLE), never a silent wait.
    // Reconnects for a few seconds at most: a worker started while Redis is down gives up.
    const client = createClient({ password, socket: { host: "127.0.0.1", port, connectTimeout: 2000, reconnectStrategy: (retries) => (retries < 10 ? 200 : new Error("redis: gave up reconnecting")) } });
    client.on("error", () => {});
    await client.connect();
    return { client, close: () => client.destroy() };
  },
  async ioredis(port) {
    const module = await devImport("ioredis");
    const Redis = module.Redis ?? module.default;
    const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: (times) => (times < 10 ? 200 : null) });
    client.on("error", () => {});
    await client.connect();
    return { client, close: () => client.disconnect() };
  },
};
