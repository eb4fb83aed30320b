// Alibaba's official client, @alicloud/dysmsapi20180501 (a root dev dependency), used as its
// README shows: a Client from a Config, a BatchSendMessageToGlobeRequest whose To and Message
// are JSON strings, batchSendMessageToGlobe().
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import Dysmsapi, * as $Dysmsapi from "@alicloud/dysmsapi20180501";
import * as $OpenApi from "@alicloud/openapi-core";
import { FROM, TYPE } from "../fixtures.mjs";

const Client = Dysmsapi.default ?? Dysmsapi;
// Signature 1.0 is the SDK's 'v2' algorithm (its RPC path); undefined = its default, ACS3.
const SCHEMES = { v1: "v2", acs3: undefined };
const REAL_HOST = "dysmsapi.ap-southeast-1.aliyuncs.com";

export const name = "sdk";

const CANNED_BODY = Buffer.from(
  JSON.stringify({ RequestId: "BENCH-0001", ResponseCode: "OK", ResponseDescription: "canned", SuccessCount: 1, From: FROM }),
);

/**
 * Replaces the SDK's last step, `httpx.request(url, options)` (called by `$dara.doAction` with the
 * URL already built), with a canned HTTP 200 JSON answer. Everything before it runs as shipped:
 * request model, query map, timestamp and nonce, headers, credential lookup, signing (HMAC-SHA1 or
 * ACS3-HMAC-SHA256), URL building (querystring.stringify); after it the SDK reads and parses the
 * ~130-byte canned answer, a small fixed cost.
 */
export function installCannedTransport() {
  // The httpx instance the SDK's runtime (@darabonba/typescript) loaded; its exports object is
  // read through live getters, so replacing `request` here is what doAction calls.
  const fromDara = createRequire(createRequire(import.meta.url).resolve("@darabonba/typescript"));
  const httpx = fromDara("httpx");
  httpx.request = async () => {
    const response = Readable.from([CANNED_BODY], { objectMode: false });
    response.statusCode = 200;
    response.statusMessage = "OK";
    response.headers = { "content-type": "application/json;charset=utf-8", "content-length": String(CANNED_BODY.length) };
    return response;
  };
}

/** A client bound to one key; `endpoint` = the sandbox's `host:port` (plain HTTP) or none (stubbed). */
export function client({ key, scheme, endpoint }) {
  const sdk = new Client(
    new $OpenApi.$OpenApiUtil.Config({
      accessKeyId: key.accessKeyId,
      accessKeySecret: key.accessKeySecret,
      endpoint: endpoint ?? REAL_HOST,
      protocol: endpoint ? "http" : "https",
      signatureAlgorithm: SCHEMES[scheme],
    }),
  );
  // The same input as ours (arrays), so turning it into the SDK's JSON strings is included.
  const request = ({ to, messages }) =>
    new $Dysmsapi.BatchSendMessageToGlobeRequest({
      to: JSON.stringify(to),
      message: JSON.stringify(messages),
      type: TYPE,
      from: FROM,
    });
  return {
    sign: (b) => sdk.batchSendMessageToGlobe(request(b)),
    send: async (b) => {
      const response = await sdk.batchSendMessageToGlobe(request(b));
      if (response.body.responseCode !== "OK") throw new Error(`sdk: ${response.body.responseCode}`);
      return JSON.parse(response.body.messageIdList ?? "[]").length + JSON.parse(response.body.failedList ?? "[]").length;
    },
  };
}
