// The gateway's refusals as SmsError: our code, Alibaba's code verbatim in serviceCode, the
// RequestId and HTTP status; never resent. Also STS keys and both signature schemes accepted.

import assert from "node:assert/strict";
import * as hooks from "node:test";
import { describe, test } from "node:test";
import { batchSend } from "aliyun-globe-sms";
import { TIMESTAMP_TOLERANCE_MS } from "aliyun-globe-sms/sandbox";
import { DEFAULT_KEY, DEFAULT_STS_KEY, addSecret, assertSmsError, leakCheck, rejection, useSandbox } from "./harness.mjs";

const WRONG_SECRET = "WrongSecret0123456789abcdefXYZ";
addSecret(WRONG_SECRET, "a wrong AccessKeySecret");
const WRONG_TOKEN = "WrongStsToken.CAIS9876543210+/zyxw==";
addSecret(WRONG_TOKEN, "a wrong SecurityToken");

const TO = ["+852 9123 4567", "+65 9123 4567"];

for (const signatureVersion of ["1.0", "ACS3"]) {
  describe(`gateway refusals, signature ${signatureVersion}`, () => {
    const s = useSandbox(hooks);
    const send = (extra) => batchSend({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, signatureVersion, to: TO, message: "hi", ...extra });

    /** The sandbox saw one request, refused with `code`, and recorded no message. */
    function refusedOnce(code) {
      const requests = s.sandbox.requests();
      assert.equal(requests.length, 1, "not resent");
      assert.equal(requests[0].code, code);
      assert.deepEqual(s.sandbox.messages(), []);
      return requests[0];
    }

    test("a wrong secret is SIGNATURE_REJECTED with SignatureDoesNotMatch, the RequestId and status 400", async () => {
      const error = await rejection(send({ credentials: { ...DEFAULT_KEY, accessKeySecret: WRONG_SECRET } }));
      assertSmsError(error, { code: "SIGNATURE_REJECTED", serviceCode: "SignatureDoesNotMatch", httpStatus: 400, retryable: false });
      const seen = refusedOnce("SignatureDoesNotMatch");
      assert.equal(error.requestId, seen.requestId);
      assert.match(error.requestId, /^[0-9A-F-]{36}$/);
    });

    test("an unknown AccessKeyId is CREDENTIALS_REJECTED with InvalidAccessKeyId.NotFound and status 404", async () => {
      const error = await rejection(send({ credentials: { accessKeyId: "LTAI5tNoSuchKey000000", accessKeySecret: WRONG_SECRET } }));
      assertSmsError(error, { code: "CREDENTIALS_REJECTED", serviceCode: "InvalidAccessKeyId.NotFound", httpStatus: 404, retryable: false });
      assert.equal(error.requestId, refusedOnce("InvalidAccessKeyId.NotFound").requestId);
    });

    test("a timestamp past the tolerance (sandbox clock skewed) is TIMESTAMP_REJECTED with InvalidTimeStamp.Expired", async () => {
      s.sandbox.inject({ kind: "clockSkew", ms: TIMESTAMP_TOLERANCE_MS + 60_000 });
      const error = await rejection(send());
      assertSmsError(error, { code: "TIMESTAMP_REJECTED", serviceCode: "InvalidTimeStamp.Expired", httpStatus: 400, retryable: false });
      assert.equal(error.requestId, refusedOnce("InvalidTimeStamp.Expired").requestId);
    });

    test("a wrong STS token is CREDENTIALS_REJECTED; a missing one too", async () => {
      const wrong = await rejection(send({ credentials: { ...DEFAULT_STS_KEY, securityToken: WRONG_TOKEN } }));
      assertSmsError(wrong, { code: "CREDENTIALS_REJECTED", serviceCode: "InvalidSecurityToken.MismatchWithAccessKey", httpStatus: 400 });
      s.sandbox.reset();
      const missing = await rejection(send({ credentials: { accessKeyId: DEFAULT_STS_KEY.accessKeyId, accessKeySecret: DEFAULT_STS_KEY.accessKeySecret } }));
      assertSmsError(missing, { code: "CREDENTIALS_REJECTED", serviceCode: "InvalidSecurityToken.Missing", httpStatus: 400 });
      assert.equal(typeof missing.requestId, "string");
    });

    test("an STS key with a wrong secret: SIGNATURE_REJECTED, and the token is nowhere in the error", async () => {
      // The sandbox quotes its string-to-sign, which holds the token (REDACTED there): the
      // harness scan checks the error shows neither the token nor either secret.
      const error = await rejection(send({ credentials: { ...DEFAULT_STS_KEY, accessKeySecret: WRONG_SECRET } }));
      assertSmsError(error, { code: "SIGNATURE_REJECTED", serviceCode: "SignatureDoesNotMatch", httpStatus: 400 });
    });

    test("STS credentials are accepted and the messages recorded under the STS key", async () => {
      const result = await send({ credentials: DEFAULT_STS_KEY });
      assert.equal(result.successCount, 2);
      assert.deepEqual(
        s.sandbox.messages().map((m) => [m.to, m.accessKeyId, m.scheme]),
        [
          ["85291234567", DEFAULT_STS_KEY.accessKeyId, signatureVersion === "1.0" ? "v1" : "acs3"],
          ["6591234567", DEFAULT_STS_KEY.accessKeyId, signatureVersion === "1.0" ? "v1" : "acs3"],
        ],
      );
    });

    test("a long-term key is accepted and the scheme is the one asked for", async () => {
      const result = await send({ from: "Acme", taskId: "t-9", type: "MKT" });
      assert.deepEqual(result.sent.map((r) => r.normalizedTo), ["85291234567", "6591234567"]);
      assert.deepEqual(
        s.sandbox.messages().map(({ scheme, from, taskId, type, message }) => ({ scheme, from, taskId, type, message })),
        Array(2).fill({ scheme: signatureVersion === "1.0" ? "v1" : "acs3", from: "Acme", taskId: "t-9", type: "MKT", message: "hi" }),
      );
    });
  });
}

describe("sandbox clock option", () => {
  // The sandbox's clock an hour ahead: every request is expired, in both schemes.
  const s = useSandbox(hooks, { clock: () => Date.now() + 60 * 60 * 1000 });
  test("TIMESTAMP_REJECTED in both schemes, nothing recorded, nothing resent", async () => {
    for (const signatureVersion of ["1.0", "ACS3"]) {
      s.sandbox.reset();
      const error = await rejection(batchSend({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, signatureVersion, to: TO, message: "hi" }));
      assertSmsError(error, { code: "TIMESTAMP_REJECTED", serviceCode: "InvalidTimeStamp.Expired", httpStatus: 400 });
      assert.equal(s.sandbox.requests().length, 1);
      assert.deepEqual(s.sandbox.messages(), []);
    }
  });
});

leakCheck({ minimum: 10, signatures: true });
