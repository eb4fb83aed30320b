// What every runtime does with the package, the same code everywhere (Node, Deno, Bun, a Web
// Worker in Chromium, workerd): send a batch straight to the sandbox with a test key; sign one
// through createSigningHandler (called in-process through signingService's `fetch` option, so no
// extra server is needed) and send it; have the handler refuse a sender ID; validate and count
// without network. Returns plain JSON for the Node side to check against the sandbox's records.
// Imports nothing: the host passes the package's module namespace (imported by name there).

/** One recipient of three lands in the sandbox's FailedList (its number ends in 0000). */
export const TO = ["+852 9123 4567", "+65 9123 0000", "+44 7911 123456"];

function summary(result) {
  return {
    responseCode: result.responseCode,
    successCount: result.successCount,
    sent: result.sent.map(({ index, to, normalizedTo, messageId }) => ({ index, to, normalizedTo, messageId })),
    failed: result.failed.map(({ index, to, normalizedTo }) => ({ index, to, normalizedTo })),
  };
}

/**
 * Runs the scenario. `sms` is the package's namespace, `endpoint` the sandbox's URL,
 * `credentials` its test key, `runtime` a label that ends up in the messages' text.
 */
export async function scenario(sms, { endpoint, credentials, runtime }) {
  await sms.ready();
  const direct = await sms.batchSend({ credentials, endpoint, to: TO, message: `direct from ${runtime}`, from: "Acme" });

  const handler = sms.createSigningHandler({ credentials, endpoint, allow: { senderIds: ["Acme"], maxRecipients: 3 } });
  const signer = sms.signingService("http://signing.invalid/sign", { fetch: (url, init) => handler(new Request(url, init)) });
  const signed = await sms.batchSend({ signer, signatureVersion: "ACS3", to: TO, message: `signed in ${runtime}`, from: "Acme" });

  let refused = null;
  try {
    await sms.batchSend({ signer, to: TO, message: "not sent", from: "Other" });
  } catch (error) {
    refused = { code: error.code, field: error.field, isSmsError: sms.isSmsError(error), instanceOf: error instanceof sms.SmsError };
  }

  return {
    runtime,
    direct: summary(direct),
    signed: summary(signed),
    refused,
    issues: sms.validateBatch({ to: ["+86 138 0013 8000"], message: "x" }).map((issue) => issue.code),
    segments: sms.countSegments("你好").segments,
  };
}
