// Browser, worker and bundler entry: the .wasm is fetched once, lazily, by `ready()`; every async
// function awaits it, and calling `ready()` again is a no-op. No top-level await, and no reliance
// on a bundler's wasm support: the module's URL is resolved from this file.
import init, * as wasm from "./aliyun_globe_sms.js";
import { loadFailed, notInitialized } from "./errors.js";
import { bindReports } from "./reports.js";
import { bindSigning, signingService } from "./signing.js";

let loading;
let loaded = false;

/**
 * Loads the WebAssembly module (once). Pass a `WebAssembly.Module`, bytes or a URL where the
 * default location does not work (edge runtimes import the .wasm as a module). A failed load
 * rejects with SmsError `NOT_INITIALIZED` (the reason in `cause`) and is not remembered.
 */
export function ready(moduleOrPath) {
  loading ??= init({ module_or_path: moduleOrPath ?? new URL("./aliyun_globe_sms_bg.wasm", import.meta.url) }).then(
    () => {
      loaded = true;
    },
    (error) => {
      // Forgotten, so a later call (e.g. with the bytes) can try again.
      loading = undefined;
      throw loadFailed(error);
    },
  );
  return loading;
}

/** The synchronous exports need the module loaded: `name` is the one called, for the message. */
function loadedOrThrow(name) {
  if (!loaded) throw notInitialized(name);
}

export async function batchSend(options) {
  await ready();
  return wasm.batchSend(options);
}

export async function sendCampaign(options) {
  await ready();
  return wasm.sendCampaign(options);
}

export async function resumeCampaign(options) {
  await ready();
  return wasm.resumeCampaign(options);
}

export async function readFleetCampaign(options) {
  await ready();
  return wasm.readFleetCampaign(options);
}

export async function sendMessage(options) {
  await ready();
  return wasm.sendMessage(options);
}

export async function queryMessage(options) {
  await ready();
  return wasm.queryMessage(options);
}

export async function reportConversion(options) {
  await ready();
  return wasm.reportConversion(options);
}

export async function reportConversionRate(options) {
  await ready();
  return wasm.reportConversionRate(options);
}

export async function pollDeliveries(options) {
  await ready();
  return wasm.pollDeliveries(options);
}

export async function recordReports(options) {
  await ready();
  return wasm.recordReports(options);
}

export async function pollCampaign(options) {
  await ready();
  return wasm.pollCampaign(options);
}

export function validateBatch(options) {
  loadedOrThrow("validateBatch");
  return wasm.validateBatch(options);
}

export function countSegments(text) {
  loadedOrThrow("countSegments");
  return wasm.countSegments(text);
}

export function costlyCharacters(text) {
  loadedOrThrow();
  return wasm.costlyCharacters(text);
}

export function readCsvCampaign(text, options) {
  loadedOrThrow("readCsvCampaign");
  return wasm.readCsvCampaign(text, options);
}

export function planCampaign(options) {
  loadedOrThrow("planCampaign");
  return wasm.planCampaign(options);
}

export function resultsCsv(ledger, csv) {
  loadedOrThrow("resultsCsv");
  return wasm.resultsCsv(ledger, csv);
}

export function signRequest(options, at) {
  loadedOrThrow("signRequest");
  return wasm.signRequest(options, at);
}

export { SmsError, isSmsError } from "./errors.js";

/** A Fetch-API handler that signs browsers' batches with credentials kept on this server. */
export const createSigningHandler = bindSigning({ signRequest, ready });
export { signingService };

/** A Fetch-API handler for the delivery reports Alibaba pushes to a callback URL. */
export const createReportHandler = bindReports({ ReportReader: wasm.ReportReader, ready });
