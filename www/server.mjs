// The page's own server, for `make demo` and tests/browser: www/ at /, the built package (pkg/) at
// /pkg/, /config.json telling the page where the sandbox and the signing service are, and a
// signing endpoint, POST /sign, on the page's own origin. Node's http only; 127.0.0.1, a free port.
//
// /sign mounts any Fetch-API handler (Request → Promise<Response>), here the package's
// createSigningHandler: the few lines below adapt node:http to it, as a user's server would.
//
// Delivery status (issue 16): POST /reports is the callback URL the service (here the sandbox)
// pushes delivery reports to, read by the package's createReportHandler; POST /deliveries
// answers the page's question "what is known of these MessageIds" from what was pushed. The page
// records the answers in its campaign with recordReports. Neither endpoint needs the secret.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const www = fileURLToPath(new URL(".", import.meta.url));
const pkg = fileURLToPath(new URL("../pkg/", import.meta.url));

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
};
/** Larger signing requests are refused before being read whole (the handler has its own limit). */
const MAX_SIGN_BODY_BYTES = 16 * 1024 * 1024;
/** MessageIds one /deliveries question may name: the page asks in chunks of this size. */
export const MAX_DELIVERY_QUESTION = 10_000;
/** Reports kept in memory (the oldest forgotten first): a real deployment keeps them in its database. */
const MAX_KEPT_REPORTS = 1_000_000;
/** src/report.rs ReportStatus: the statuses after which a message's fate no longer changes. */
const FINAL = new Set(["delivered", "failed", "expired"]);

/**
 * Delivery reports as the service pushed them, by MessageId: `receive` is the callback handler,
 * `answer` the page's question. Each kept report is only the evidence recordReports reads
 * (DeliveryEvidence in src/wasm/types.d.ts), never the report's free text.
 */
export function deliveryStore({ createReportHandler }) {
  const byId = new Map();
  const handler = () => createReportHandler({
    onReports(reports) {
      for (const r of reports) {
        // A final report is never replaced by a later non-final one (pushes arrive out of order).
        if (FINAL.has(byId.get(r.messageId)?.status) && !FINAL.has(r.status)) continue;
        byId.delete(r.messageId);
        byId.set(r.messageId, { messageId: r.messageId, status: r.status, errorCode: r.errorCode, to: r.to, taskId: r.taskId });
        if (byId.size > MAX_KEPT_REPORTS) byId.delete(byId.keys().next().value);
      }
    },
  });
  // One handler for the store's life: its de-duplication spans pushes (README.md, "Each report once").
  let receiving = handler();
  const receive = (request) => receiving(request);
  /** `{ messageIds: string[] }` → `{ reports }`: the known ones, in the order asked. */
  async function answer(request) {
    let ids;
    try {
      ({ messageIds: ids } = await request.json());
    } catch {
      ids = null;
    }
    if (!Array.isArray(ids) || ids.length > MAX_DELIVERY_QUESTION || !ids.every((id) => typeof id === "string")) {
      return Response.json({ code: "BAD_QUESTION", msg: `messageIds: an array of at most ${MAX_DELIVERY_QUESTION} strings` }, { status: 400 });
    }
    const reports = ids.map((id) => byId.get(id)).filter((r) => r !== undefined);
    return Response.json({ reports }, { headers: { "cache-control": "no-store" } });
  }
  // `clear`: a sandbox that was reset issues the same MessageIds again (sandbox README: deterministic
  // IDs), so both the reports and the handler's memory of those already handed on are forgotten.
  const clear = () => {
    byId.clear();
    receiving = handler();
  };
  return { receive, answer, size: () => byId.size, clear };
}

/** IncomingMessage → Fetch Request (the body read whole, up to a limit). */
async function toRequest(incoming, origin) {
  const chunks = [];
  let size = 0;
  for await (const chunk of incoming) {
    size += chunk.length;
    if (size > MAX_SIGN_BODY_BYTES) throw Object.assign(new Error("body too large"), { status: 413 });
    chunks.push(chunk);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
  return new Request(new URL(incoming.url, origin), { method: incoming.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
}

/** Fetch Response → ServerResponse. */
async function sendResponse(response, outgoing) {
  const body = Buffer.from(await response.arrayBuffer());
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  outgoing.end(body);
}

/** The file under `root` that `path` names, or null if it would leave `root`. */
function inside(root, path) {
  const file = normalize(join(root, path));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : null;
}

async function serveFile(outgoing, file, method) {
  let body;
  try {
    body = await readFile(file);
  } catch {
    outgoing.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    return;
  }
  outgoing.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": body.length,
    // A rebuilt package is picked up by a reload.
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
  });
  outgoing.end(method === "HEAD" ? undefined : body);
}

/**
 * Starts the page server.
 *
 * @param {object} options
 * @param {(request: Request) => Promise<Response>} options.signingHandler mounted at POST /sign
 * @param {object} options.config served as /config.json: `{ endpoint, sandbox }` (no secret);
 *   read at each request, so a caller may fill it in once the sandbox is up
 * @param {ReturnType<typeof deliveryStore>} [options.deliveries] mounted at POST /reports (the
 *   service's pushes) and POST /deliveries (the page's questions)
 * @param {number} [options.port] 0: a free port
 * @param {(line: string) => void} [options.log] one line per /sign call and per push
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startPageServer({ signingHandler, config, deliveries, port = 0, log }) {
  const configBody = () =>
    JSON.stringify({ ...config, signingUrl: "/sign", ...(deliveries ? { deliveriesUrl: "/deliveries" } : {}) });
  const handlers = {
    "/sign": signingHandler,
    ...(deliveries ? { "/reports": deliveries.receive, "/deliveries": deliveries.answer } : {}),
  };
  const server = createServer(async (incoming, outgoing) => {
    try {
      const { pathname } = new URL(incoming.url, "http://127.0.0.1");
      const handler = Object.hasOwn(handlers, pathname) ? handlers[pathname] : undefined;
      if (handler) {
        const started = Date.now();
        const response = await handler(await toRequest(incoming, `http://${incoming.headers.host}`));
        if (pathname !== "/deliveries") log?.(`POST ${pathname} ${response.status} ${Date.now() - started} ms`);
        await sendResponse(response, outgoing);
        return;
      }
      if (incoming.method !== "GET" && incoming.method !== "HEAD") {
        outgoing.writeHead(405, { allow: "GET, HEAD" }).end();
        return;
      }
      if (pathname === "/config.json") {
        outgoing.writeHead(200, { "content-type": TYPES[".json"], "cache-control": "no-store" }).end(configBody());
        return;
      }
      const path = decodeURIComponent(pathname);
      const file = path.startsWith("/pkg/")
        ? inside(pkg, path.slice("/pkg/".length))
        : inside(www, path === "/" ? "index.html" : path.slice(1));
      // The page's files only: the server scripts stay unserved.
      if (file === null || file.endsWith(".mjs")) {
        outgoing.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
        return;
      }
      await serveFile(outgoing, file, incoming.method);
    } catch (error) {
      if (!outgoing.headersSent) outgoing.writeHead(error.status ?? 500, { "content-type": "text/plain; charset=utf-8" });
      outgoing.end(error.status ? `${error.message}\n` : "server error\n");
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  return {
    url: `http://127.0.0.1:${address.port}/`,
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
