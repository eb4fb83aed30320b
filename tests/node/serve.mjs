// Mounts a Fetch-API handler (`Request → Promise<Response>`, e.g. createSigningHandler's) on a
// node:http server at 127.0.0.1, on a free port: what a user's Node server does in ten lines, and
// what the signing-service tests talk to. IncomingMessage → Request with Node's own `Request`
// global; Response → ServerResponse. Bodies are read whole (test-sized).

import { createServer } from "node:http";
import { Readable } from "node:stream";

/** IncomingMessage → Request. */
export async function toRequest(incoming, origin) {
  const chunks = [];
  for await (const chunk of incoming) chunks.push(chunk);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
  return new Request(new URL(incoming.url, origin), {
    method: incoming.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
}

/** Response → ServerResponse. */
export async function sendResponse(response, outgoing) {
  const body = Buffer.from(await response.arrayBuffer());
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  outgoing.end(body);
}

/**
 * Serves `handler` at http://127.0.0.1:PORT until `close()`. `requests` lists what it was asked
 * (method, path) and `answers` the status and body text of each answer, for assertions.
 */
export async function serveHandler(handler) {
  const answers = [];
  const server = createServer(async (incoming, outgoing) => {
    try {
      const request = await toRequest(incoming, "http://127.0.0.1");
      const response = await handler(request);
      const copy = response.clone();
      answers.push({ method: request.method, path: new URL(request.url).pathname, status: response.status, body: await copy.text() });
      await sendResponse(response, outgoing);
    } catch (error) {
      // The handler itself must never throw; a 599 makes a test that relies on it fail loudly.
      answers.push({ status: 599, body: String(error) });
      outgoing.writeHead(599).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/sign`,
    answers,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * Serves `handler` at http://127.0.0.1:PORT/sms/reports with each request's body passed on as a
 * stream (`Readable.toWeb`), as README's "Delivery reports" example does, so a handler's byte
 * limit holds while reading.
 */
export async function serveStreaming(handler) {
  const server = createServer(async (incoming, outgoing) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    const body = incoming.method === "POST" ? Readable.toWeb(incoming) : undefined;
    const response = await handler(new Request(new URL(incoming.url, "http://127.0.0.1"), { method: incoming.method, headers, body, duplex: "half" }));
    outgoing.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/sms/reports`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
