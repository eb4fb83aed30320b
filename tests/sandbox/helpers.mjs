// Shared pieces of the sandbox tests: golden files, raw HTTP, the official SDK, test signers.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpRequest, createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Dysmsapi, * as $Dysmsapi from "@alicloud/dysmsapi20180501";
import * as $OpenApi from "@alicloud/openapi-core";
import {
  percentEncode,
  signatureAcs3,
  signatureV1,
  sha256Hex,
  stringToSignAcs3,
  canonicalRequestAcs3,
  stringToSignV1,
} from "../../pkg-template/sandbox/index.js";

const HERE = dirname(fileURLToPath(import.meta.url));
export const GOLDEN_DIR = join(HERE, "..", "fixtures", "golden");

/** The vectors of a golden file (its first element is a header, dropped here). */
export function golden(name) {
  const all = JSON.parse(readFileSync(join(GOLDEN_DIR, name), "utf8"));
  return all.slice(1);
}

/**
 * One HTTP exchange with no client logic in between. Resolves with the status, headers and body
 * text, or with `{ error }` when the connection failed or `timeoutMs` passed.
 */
export function raw(url, { method = "POST", path = "/", headers = {}, body, timeoutMs = 10_000 } = {}) {
  return new Promise((resolve) => {
    const target = new URL(url);
    const req = httpRequest(
      { host: target.hostname, port: target.port, method, path, headers, agent: false },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", (error) => resolve({ error }));
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy(new Error("timeout"));
    });
    req.on("error", (error) => resolve({ error }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Parses a JSON body, failing the test with the text when it is not JSON. */
export function json(response) {
  if (response.error) throw new Error(`request failed: ${response.error.message}`);
  try {
    return JSON.parse(response.body);
  } catch {
    throw new Error(`not JSON (status ${response.status}): ${response.body.slice(0, 200)}`);
  }
}

/** The official client, configured for the sandbox. `signatureAlgorithm: "v2"` = signature 1.0. */
export function sdkClient(sandbox, key, { signatureAlgorithm, readTimeout } = {}) {
  const Client = Dysmsapi.default ?? Dysmsapi;
  const config = new $OpenApi.$OpenApiUtil.Config({
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
    securityToken: key.securityToken,
    endpoint: sandbox.endpoint,
    protocol: "http",
    signatureAlgorithm,
    readTimeout,
  });
  return new Client(config);
}

/** A BatchSendMessageToGlobe request for the official client. */
export function sdkRequest({ to, messages, type = "NOTIFY", from, taskId }) {
  return new $Dysmsapi.BatchSendMessageToGlobeRequest({
    to: JSON.stringify(to),
    message: JSON.stringify(messages),
    type,
    from,
    taskId,
  });
}

/** Runs a promise and returns what it threw (or fails when it resolved). */
export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/**
 * A server that answers every request with a canned success and remembers the raw request, so
 * tests can take the exact bytes the official SDK sent and replay them, changed, to the sandbox.
 */
export async function startCapture() {
  const seen = [];
  const server = createServer({ maxHeaderSize: 8 * 1024 * 1024 }, (req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: { ...req.headers }, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"ResponseCode":"OK","RequestId":"capture","FailedList":"[]","MessageIdList":"[]","SuccessCount":"0"}');
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    endpoint: `127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `YYYY-MM-DDTHH:MM:SSZ` for a time in ms. */
export function isoSeconds(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function freshNonce() {
  return randomBytes(16).toString("hex");
}

/**
 * Builds a signature-1.0 query for the sandbox. Uses the sandbox's own exported signer: these
 * tests exercise the operation and the server, the signer itself is proven by the golden and
 * official-SDK tests.
 */
export function signedV1(
  key,
  operation,
  { method = "POST", now = Date.now(), nonce = freshNonce(), format = "JSON", extra = {}, action = "BatchSendMessageToGlobe" } = {},
) {
  const params = {
    Action: action,
    Version: "2018-05-01",
    Timestamp: isoSeconds(now),
    SignatureNonce: nonce,
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
    AccessKeyId: key.accessKeyId,
    ...(format === null ? {} : { Format: format }),
    ...(key.securityToken ? { SecurityToken: key.securityToken } : {}),
    ...operation,
    ...extra,
  };
  for (const name of Object.keys(params)) if (params[name] === undefined) delete params[name];
  params.Signature = signatureV1(stringToSignV1(method, params), key.accessKeySecret);
  return Object.entries(params)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join("&");
}

/** Builds an ACS3-signed request (path, headers) for the sandbox, like the Node SDK does. */
export function signedAcs3(
  key,
  host,
  operation,
  { now = Date.now(), nonce = freshNonce(), body = "", action = "BatchSendMessageToGlobe", contentType } = {},
) {
  const query = { ...operation };
  const headers = {
    host,
    ...(contentType === undefined ? {} : { "content-type": contentType }),
    "x-acs-version": "2018-05-01",
    "x-acs-action": action,
    "x-acs-date": isoSeconds(now),
    "x-acs-signature-nonce": nonce,
    "x-acs-content-sha256": sha256Hex(body),
    "x-acs-credentials-provider": key.securityToken ? "static_sts" : "static_ak",
    ...(key.securityToken
      ? { "x-acs-accesskey-id": key.accessKeyId, "x-acs-security-token": key.securityToken }
      : {}),
  };
  const signedHeaders = Object.keys(headers).sort();
  const canonical = canonicalRequestAcs3({
    method: "POST",
    path: "/",
    query,
    headers,
    signedHeaders,
    hashedPayload: sha256Hex(body),
  });
  const signature = signatureAcs3(stringToSignAcs3(canonical), key.accessKeySecret);
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${key.accessKeyId},SignedHeaders=${signedHeaders.join(";")},Signature=${signature}`;
  headers.accept = "application/json";
  const path = `/?${Object.entries(query).map(([n, v]) => `${n}=${percentEncode(v)}`).join("&")}`;
  return { path, headers };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.now()) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms) => {
    now += ms;
  };
  clock.set = (ms) => {
    now = ms;
  };
  return clock;
}

/**
 * Changes one character of a value while keeping its shape: the last digit goes up by one (9
 * wraps to 0), else the last letter moves on (z wraps to a), else an `x` is appended.
 */
export function tamper(value) {
  for (let i = value.length - 1; i >= 0; i -= 1) {
    const c = value[i];
    if (c >= "0" && c <= "9") return value.slice(0, i) + String((Number(c) + 1) % 10) + value.slice(i + 1);
  }
  for (let i = value.length - 1; i >= 0; i -= 1) {
    const code = value.charCodeAt(i);
    const lower = code >= 97 && code <= 122;
    const upper = code >= 65 && code <= 90;
    if (lower || upper) {
      const base = lower ? 97 : 65;
      return value.slice(0, i) + String.fromCharCode(base + ((code - base + 1) % 26)) + value.slice(i + 1);
    }
  }
  return `${value}x`;
}

/** Re-encodes decoded pairs as a query with the strict encoder. */
export function encodeQuery(pairs) {
  return pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join("&");
}

/** Captured header pairs as an object for node:http, leaving out hop-by-hop ones. */
export function headerObject(pairs) {
  const out = {};
  for (const [name, value] of pairs) {
    if (name.toLowerCase() === "connection") continue;
    out[name] = value;
  }
  return out;
}

/**
 * A callback receiver for pushed reports on 127.0.0.1, port 0. `answer(index, reports)` decides
 * each reply: `{ status, body }` (default 200 `{"code":0,"msg":"ok"}`), `"cut"` to destroy the
 * connection without answering, or `"hang"` to leave it open unanswered. Every push received is kept, with its parsed body.
 */
export async function startReceiver(answer = () => ({})) {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const entry = { method: req.method, url: req.url, headers: { ...req.headers }, text, reports: JSON.parse(text) };
      received.push(entry);
      const reply = answer(received.length - 1, entry.reports);
      if (reply === "cut") {
        req.socket.destroy();
        return;
      }
      if (reply === "hang") return; // no answer at all; close() ends the connection
      const body = reply.body ?? '{"code":0,"msg":"ok"}';
      res.writeHead(reply.status ?? 200, { "Content-Type": "application/json" });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/sms/reports`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The official client's request models for the operations beyond the batch. */
export const SdkModels = $Dysmsapi;
