// Node entry: the module is instantiated synchronously from its bytes on import, so every
// function is usable at once (no top-level await: `require()` works on Node >= 20.19).
// Node's only extra: credentials default to the official SDK's environment variables.
import { readFileSync } from "node:fs";
import * as wasm from "./aliyun_globe_sms.js";
import { bindReports } from "./reports.js";
import { bindSigning, signingService } from "./signing.js";

wasm.initSync({ module: readFileSync(new URL("./aliyun_globe_sms_bg.wasm", import.meta.url)) });

/** An environment variable, or undefined where reading it is not permitted (Deno without --allow-env). */
function environment(name) {
  try {
    return process.env[name];
  } catch {
    return undefined;
  }
}

/**
 * The official SDK's environment variables, when set: the WebAssembly side uses them only when
 * the options give neither `credentials` nor a `signer`. Reading the environment never throws.
 */
function environmentCredentials() {
  const accessKeyId = environment("ALIBABA_CLOUD_ACCESS_KEY_ID");
  const accessKeySecret = environment("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  if (accessKeyId === undefined && accessKeySecret === undefined) return undefined;
  const securityToken = environment("ALIBABA_CLOUD_SECURITY_TOKEN") || undefined;
  return { accessKeyId: accessKeyId ?? "", accessKeySecret: accessKeySecret ?? "", securityToken };
}

export function batchSend(options) {
  return wasm.batchSend(options, environmentCredentials());
}

export function signRequest(options, at) {
  return wasm.signRequest(options, at, environmentCredentials());
}

export function sendCampaign(options) {
  return wasm.sendCampaign(options, environmentCredentials());
}

export function resumeCampaign(options) {
  return wasm.resumeCampaign(options, environmentCredentials());
}

export function readFleetCampaign(options) {
  return wasm.readFleetCampaign(options, environmentCredentials());
}

export function sendMessage(options) {
  return wasm.sendMessage(options, environmentCredentials());
}

export function queryMessage(options) {
  return wasm.queryMessage(options, environmentCredentials());
}

export function reportConversion(options) {
  return wasm.reportConversion(options, environmentCredentials());
}

export function reportConversionRate(options) {
  return wasm.reportConversionRate(options, environmentCredentials());
}

export function pollDeliveries(options) {
  return wasm.pollDeliveries(options, environmentCredentials());
}

export function recordReports(options) {
  return wasm.recordReports(options, environmentCredentials());
}

export function pollCampaign(options) {
  return wasm.pollCampaign(options, environmentCredentials());
}

export const validateBatch = wasm.validateBatch;
export const countSegments = wasm.countSegments;
export const costlyCharacters = wasm.costlyCharacters;
export const readCsvCampaign = wasm.readCsvCampaign;
export const planCampaign = wasm.planCampaign;
export const resultsCsv = wasm.resultsCsv;

/** Already loaded in Node; kept so code written for browsers runs unchanged. */
export function ready() {
  return Promise.resolve();
}

export { SmsError, isSmsError } from "./errors.js";

/** A Fetch-API handler that signs browsers' batches with credentials kept on this server. */
export const createSigningHandler = bindSigning({ signRequest, ready });
export { signingService };

/** A Fetch-API handler for the delivery reports Alibaba pushes to a callback URL. */
export const createReportHandler = bindReports({ ReportReader: wasm.ReportReader, ready });
