// Alibaba's official client (@alicloud/dysmsapi20180501, a dev dependency) calling the operations
// beyond the batch against the sandbox: sendMessageToGlobe, queryMessage, smsConversion and
// conversionData, under both of its signature schemes and with STS; each accepted, and each
// refused with a wrong secret. ConversionData is the one that travels in a form body
// (docs/spec/operations.md §6), so it also proves body signing under both schemes.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_KEY, DEFAULT_STS_KEY, startSandbox } from "../../pkg-template/sandbox/index.js";
import { SdkModels, rejection, sdkClient } from "./helpers.mjs";

const SCHEMES = [
  { name: "ACS3-HMAC-SHA256 (SDK default)", signatureAlgorithm: undefined, scheme: "acs3" },
  { name: "signature 1.0 (signatureAlgorithm 'v2')", signatureAlgorithm: "v2", scheme: "v1" },
];

const WRONG = { ...DEFAULT_KEY, accessKeySecret: "not-the-secret" };

/** The four calls, each given a client and, where needed, the MessageId sent first. */
const CALLS = {
  sendMessageToGlobe: (client) =>
    client.sendMessageToGlobe(
      new SdkModels.SendMessageToGlobeRequest({
        to: "6591239999",
        message: "Your code is 482913 验证码",
        from: "Alicloud",
        taskId: "otp-42",
        validityPeriod: 300,
        channelId: "channel01",
      }),
    ),
  queryMessage: (client, messageId) => client.queryMessage(new SdkModels.QueryMessageRequest({ messageId })),
  smsConversion: (client, messageId) =>
    client.smsConversion(new SdkModels.SmsConversionRequest({ messageId, delivered: false, conversionTime: Date.now() })),
  conversionData: (client) =>
    client.conversionData(new SdkModels.ConversionDataRequest({ conversionRate: "0.53", reportTime: Date.now() })),
};

for (const { name, signatureAlgorithm, scheme } of SCHEMES) {
  describe(`official SDK beyond the batch, ${name}`, () => {
    let sandbox;
    before(async () => {
      sandbox = await startSandbox({ reportDelayMs: 0 });
    });
    after(() => sandbox.close());

    for (const key of [DEFAULT_KEY, DEFAULT_STS_KEY]) {
      test(`${key === DEFAULT_KEY ? "long-term key" : "STS key"}: all four accepted, typed as the SDK models them`, async () => {
        sandbox.reset();
        const client = sdkClient(sandbox, key, { signatureAlgorithm });

        const sent = await CALLS.sendMessageToGlobe(client);
        assert.equal(sent.statusCode, 200);
        assert.equal(sent.body.responseCode, "OK");
        assert.match(sent.body.messageId, /^[1-9][0-9]{18}$/);
        assert.equal(sent.body.to, "6591239999");
        assert.equal(sent.body.from, "Alicloud");
        assert.equal(sent.body.segments, "1");
        assert.equal(sent.body.numberDetail.country, "Singapore");
        assert.equal(sent.body.numberDetail.carrier, "Sandbox Mobile");
        const { messageId } = sent.body;

        const queried = await CALLS.queryMessage(client, messageId);
        assert.equal(queried.body.responseCode, "OK");
        assert.equal(queried.body.messageId, messageId);
        assert.equal(queried.body.status, "2", "9999: undelivered");
        assert.equal(queried.body.errorCode, "UNDELIV");
        assert.match(queried.body.sendDate, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0800$/);
        assert.equal(queried.body.message, "Your code is 482913 验证码");
        assert.equal(queried.body.numberDetail.region, "SG");

        assert.equal((await CALLS.smsConversion(client, messageId)).body.responseCode, "OK");
        assert.equal((await CALLS.conversionData(client)).body.responseCode, "OK");

        const [message] = sandbox.messages();
        assert.deepEqual(
          [message.operation, message.taskId, message.validityPeriod, message.channelId, message.accessKeyId, message.scheme],
          ["SendMessageToGlobe", "otp-42", 300, "channel01", key.accessKeyId, scheme],
        );
        assert.deepEqual(
          sandbox.conversions().map((c) => [c.operation, c.scheme, c.accessKeyId, c.delivered ?? c.conversionRate]),
          [["SmsConversion", scheme, key.accessKeyId, false], ["ConversionData", scheme, key.accessKeyId, "0.53"]],
        );
      });
    }

    test("a wrong secret: each of the four refused with SignatureDoesNotMatch, 400, nothing recorded", async () => {
      sandbox.reset();
      const messageId = (await CALLS.sendMessageToGlobe(sdkClient(sandbox, DEFAULT_KEY, { signatureAlgorithm }))).body.messageId;
      const wrong = sdkClient(sandbox, WRONG, { signatureAlgorithm });
      for (const [operation, run] of Object.entries(CALLS)) {
        const error = await rejection(run(wrong, messageId));
        assert.equal(error.code, "SignatureDoesNotMatch", operation);
        assert.equal(error.statusCode, 400, operation);
        assert.ok(!error.data.Message.includes(DEFAULT_KEY.accessKeySecret));
      }
      assert.equal(sandbox.messages().length, 1);
      assert.deepEqual(sandbox.conversions(), []);
    });
  });
}

test("official SDK: before the report delay QueryMessage answers DATA_NOT_EXIST, an HTTP 200 the SDK returns", async () => {
  // A delay far longer than the test: the report cannot become due while it runs.
  const sandbox = await startSandbox({ reportDelayMs: 10 * 60 * 1000 });
  try {
    const client = sdkClient(sandbox, DEFAULT_KEY);
    const { messageId } = (await CALLS.sendMessageToGlobe(client)).body;
    const early = await CALLS.queryMessage(client, messageId);
    assert.equal(early.statusCode, 200);
    assert.equal(early.body.responseCode, "DATA_NOT_EXIST");
    assert.equal(early.body.status, undefined);
  } finally {
    await sandbox.close();
  }
});
