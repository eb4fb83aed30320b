// A CommonJS consumer: require() of the ESM package (Node >= 20.19, no flags; the package has no
// top-level await, which is what makes this possible). Run by exports.test.mjs from the consumer
// project; prints one JSON line describing what it saw.
"use strict";

const sms = require("aliyun-globe-sms");
const { startSandbox, DEFAULT_KEY } = require("aliyun-globe-sms/sandbox");
const manifest = require("aliyun-globe-sms/package.json");
const journal = require("aliyun-globe-sms/journal");

async function main() {
  const sandbox = await startSandbox({ qps: Infinity });
  try {
    const result = await sms.batchSend({
      credentials: DEFAULT_KEY,
      endpoint: sandbox.url,
      to: ["+852 9123 4567"],
      message: "from require()",
    });
    let error;
    try {
      sms.validateBatch("not options");
    } catch (e) {
      error = e;
    }
    return {
      exports: Object.keys(sms).sort(),
      journalExports: Object.keys(journal),
      version: manifest.version,
      successCount: result.successCount,
      recorded: sandbox.messages().map((m) => m.to),
      issues: sms.validateBatch({ to: [""], message: "x" }).map((i) => i.code),
      segments: sms.countSegments("hello").segments,
      signedMethod: sms.signRequest({ credentials: DEFAULT_KEY, endpoint: sandbox.url, to: ["+65 9123 4567"], message: "x" }).method,
      errorCode: error && error.code,
      instanceOf: error instanceof sms.SmsError,
      isSmsError: sms.isSmsError(error),
    };
  } finally {
    await sandbox.close();
  }
}

main().then(
  (summary) => console.log(JSON.stringify(summary)),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
