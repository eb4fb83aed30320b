// SendMessageToGlobe, QueryMessage, SmsConversion and ConversionData against the sandbox with
// its own signers (helpers.mjs): each accepted under both schemes and refused with a wrong
// secret, each operation's parameter checks, QueryMessage before and after the report delay,
// and the per-operation QPS limits.

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { DEFAULT_KEY, DEFAULT_QPS, DEFAULT_STS_KEY, startSandbox } from "../../pkg-template/sandbox/index.js";
import { json, manualClock, raw, signedAcs3, signedV1 } from "./helpers.mjs";

/**
 * One signed call. Operation parameters go in the query, except with `inBody`, where they travel
 * in a form body as the SDK sends ConversionData's (docs/spec/operations.md §6): under signature 1.0 they
 * are signed with the query's, under ACS3 through the body hash with content-type signed.
 */
async function call(sandbox, { scheme = "v1", action, params, key = DEFAULT_KEY, now = Date.now(), inBody = false, format }) {
  if (scheme === "v1") {
    if (!inBody) {
      return raw(sandbox.url, { path: `/?${signedV1(key, params, { action, now, format })}` });
    }
    const all = new URLSearchParams(signedV1(key, params, { action, now, format }));
    const query = new URLSearchParams();
    const form = new URLSearchParams();
    for (const [name, value] of all) (Object.hasOwn(params, name) ? form : query).append(name, value);
    return raw(sandbox.url, {
      path: `/?${query}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
  }
  const host = `127.0.0.1:${sandbox.port}`;
  if (!inBody) {
    const { path, headers } = signedAcs3(key, host, params, { action, now });
    return raw(sandbox.url, { path, headers });
  }
  const body = new URLSearchParams(params).toString();
  const { headers } = signedAcs3(key, host, {}, { action, now, body, contentType: "application/x-www-form-urlencoded" });
  return raw(sandbox.url, { path: "/", headers, body });
}

/** Sends one message through SendMessageToGlobe and returns its MessageId. */
async function sendOne(sandbox, to, { now, text = "Your code is 1234", extra = {} } = {}) {
  const body = json(await call(sandbox, { action: "SendMessageToGlobe", params: { To: to, Message: text, ...extra }, now }));
  assert.equal(body.ResponseCode, "OK", JSON.stringify(body));
  return body.MessageId;
}

const WRONG_SECRET = { ...DEFAULT_KEY, accessKeySecret: "not-the-secret-at-all" };

describe("each new operation under both schemes: accepted when signed right, refused when not", () => {
  let sandbox;
  const clock = manualClock();
  before(async () => {
    sandbox = await startSandbox({ clock, reportDelayMs: 0 });
  });
  after(() => sandbox.close());

  for (const scheme of ["v1", "acs3"]) {
    test(`${scheme}: SendMessageToGlobe, QueryMessage, SmsConversion, ConversionData`, async () => {
      sandbox.reset();
      const now = clock();
      const cases = [
        ["SendMessageToGlobe", { To: "6591234567", Message: "Code 1234", From: "Alicloud" }, false],
        ["QueryMessage", () => ({ MessageId: sandbox.messages()[0].messageId }), false],
        ["SmsConversion", () => ({ MessageId: sandbox.messages()[0].messageId, Delivered: "true", ConversionTime: String(now) }), false],
        ["ConversionData", { ConversionRate: "0.53", ReportTime: String(now) }, true],
      ];
      for (const [action, make, inBody] of cases) {
        const params = typeof make === "function" ? make() : make;
        const good = await call(sandbox, { scheme, action, params, now, inBody });
        assert.equal(good.status, 200, `${action}: ${good.body}`);
        assert.equal(json(good).ResponseCode, "OK", `${action}: ${good.body}`);
        assert.equal(good.headers["x-acs-request-id"], json(good).RequestId);

        const bad = await call(sandbox, { scheme, action, params, now, inBody, key: WRONG_SECRET });
        assert.equal(bad.status, 400, action);
        assert.equal(json(bad).Code, "SignatureDoesNotMatch", action);
        assert.ok(!bad.body.includes(DEFAULT_KEY.accessKeySecret));
      }
      assert.equal(sandbox.messages().length, 1, "the refused send recorded nothing");
      assert.deepEqual(sandbox.conversions().map((c) => c.operation), ["SmsConversion", "ConversionData"]);
      assert.deepEqual(
        sandbox.requests().map((r) => [r.action, r.scheme, r.code]),
        cases.flatMap(([action]) => [[action, scheme, "OK"], [action, null, "SignatureDoesNotMatch"]]),
      );
    });

    test(`${scheme}: ConversionData's body is covered by the signature`, async () => {
      const now = clock();
      const { ConversionRate, ...rest } = { ConversionRate: "0.53", ReportTime: String(now) };
      if (scheme === "v1") {
        const all = new URLSearchParams(signedV1(DEFAULT_KEY, { ConversionRate, ...rest }, { action: "ConversionData", now }));
        const query = new URLSearchParams([...all].filter(([n]) => n !== "ConversionRate" && n !== "ReportTime"));
        const form = new URLSearchParams({ ConversionRate: "0.99", ...rest });
        const res = await raw(sandbox.url, {
          path: `/?${query}`,
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: form.toString(),
        });
        assert.equal(json(res).Code, "SignatureDoesNotMatch");
      } else {
        const body = new URLSearchParams({ ConversionRate, ...rest }).toString();
        const { headers } = signedAcs3(DEFAULT_KEY, `127.0.0.1:${sandbox.port}`, {}, {
          action: "ConversionData", now, body, contentType: "application/x-www-form-urlencoded",
        });
        const res = await raw(sandbox.url, { path: "/", headers, body: body.replace("0.53", "0.99") });
        assert.equal(json(res).Code, "SignatureDoesNotMatch");
        assert.match(json(res).Message, /x-acs-content-sha256 does not match the body/);
      }
      assert.equal(sandbox.conversions().filter((c) => c.conversionRate === "0.99").length, 0);
    });
  }

  test("an action the sandbox does not serve: InvalidApi.NotFound, 404", async () => {
    for (const scheme of ["v1", "acs3"]) {
      const res = await call(sandbox, { scheme, action: "SendSms", params: { PhoneNumbers: "6591234567" } });
      assert.equal(res.status, 404);
      assert.equal(json(res).Code, "InvalidApi.NotFound");
    }
  });
});

describe("SendMessageToGlobe checks and answer", () => {
  let sandbox;
  before(async () => {
    sandbox = await startSandbox({ sendMessageQps: Infinity, failNumbers: ["447700900123"] });
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const send = (params, options = {}) => call(sandbox, { action: "SendMessageToGlobe", params, ...options });
  async function code(params) {
    const res = await send(params);
    assert.equal(res.status, 200, res.body);
    return json(res).ResponseCode;
  }

  test("the answer: MessageId, From, To, Segments as text, NumberDetail an object; recorded", async () => {
    const res = await send({ To: "85291234567", Message: "Parcel 7 arrives today", From: "Alicloud", TaskId: "t-9", ValidityPeriod: "3600", ChannelId: "channel01" });
    const body = json(res);
    assert.deepEqual(Object.keys(body), [
      "RequestId", "ResponseCode", "ResponseDescription", "MessageId", "From", "To", "Segments", "NumberDetail",
    ]);
    assert.equal(body.ResponseCode, "OK");
    assert.match(body.MessageId, /^[1-9][0-9]{18}$/);
    assert.equal(body.From, "Alicloud");
    assert.equal(body.To, "85291234567");
    assert.equal(body.Segments, "1");
    assert.deepEqual(body.NumberDetail, { Carrier: "Sandbox Mobile", Country: "Hong Kong", Region: "HK" });
    const [message] = sandbox.messages();
    assert.deepEqual(
      { ...message, time: undefined, reportAt: undefined, requestId: undefined },
      {
        operation: "SendMessageToGlobe",
        to: "85291234567",
        message: "Parcel 7 arrives today",
        from: "Alicloud",
        type: null,
        taskId: "t-9",
        validityPeriod: 3600,
        channelId: "channel01",
        segments: 1,
        messageId: body.MessageId,
        accessKeyId: DEFAULT_KEY.accessKeyId,
        scheme: "v1",
        outcome: "delivered",
        errorCode: "DELIVERED",
        time: undefined,
        reportAt: undefined,
        requestId: undefined,
      },
    );
    assert.equal(message.requestId, body.RequestId);
    assert.equal(sandbox.requests()[0].recipients, 1);
  });

  test("no From: none echoed; an unknown dialing code: Country Unknown", async () => {
    const body = json(await send({ To: "2349012345678", Message: "hi" }));
    assert.equal("From" in body, false);
    assert.deepEqual(body.NumberDetail, { Carrier: "Sandbox Mobile", Country: "Unknown", Region: "" });
  });

  test("XML: NumberDetail as nested elements", async () => {
    const res = await send({ To: "6591234567", Message: "hi" }, { format: "XML" });
    assert.match(
      res.body,
      /<SendMessageToGlobeResponse>.*<Segments>1<\/Segments><NumberDetail><Carrier>Sandbox Mobile<\/Carrier><Country>Singapore<\/Country><Region>SG<\/Region><\/NumberDetail><\/SendMessageToGlobeResponse>$/,
    );
  });

  test("Segments: GSM-7 160/153 with extension characters counting 2, UCS-2 70/67", async () => {
    const cases = [
      ["a".repeat(160), 1],
      ["a".repeat(161), 2],
      ["a".repeat(306), 2],
      ["a".repeat(307), 3],
      ["{".repeat(80), 1],
      ["{".repeat(81), 2],
      ["é".repeat(160), 1],
      ["你".repeat(70), 1],
      ["你".repeat(71), 2],
      ["你".repeat(134), 2],
      ["你".repeat(135), 3],
      ["a".repeat(69) + "😀", 2],
    ];
    for (const [text, segments] of cases) {
      const body = json(await send({ To: "6591234567", Message: text }));
      assert.equal(body.Segments, String(segments), `${text.length} × ${[...text][0]}`);
    }
    assert.deepEqual(sandbox.messages().map((m) => m.segments), cases.map(([, n]) => n));
  });

  test("To and Message are required: Missing<Param>, 400", async () => {
    for (const name of ["To", "Message"]) {
      const params = { To: "6591234567", Message: "hi" };
      delete params[name];
      const res = await send(params);
      assert.equal(res.status, 400);
      assert.equal(json(res).Code, `Missing${name}`);
    }
  });

  test("business refusals, nothing recorded", async () => {
    const base = { To: "6591234567", Message: "hi" };
    const cases = [
      [{ To: "+6591234567" }, "MOBILE_NUMBER_ILLEGAL"],
      [{ To: '["6591234567"]' }, "MOBILE_NUMBER_ILLEGAL"],
      [{ To: "659123" }, "MOBILE_NUMBER_ILLEGAL"],
      [{ To: "8613800138000" }, "NOT_SUPPORTED_COUNTRY"],
      [{ To: "85291230000" }, "SMS_SECURITY_INTERCEPTED"],
      [{ To: "447700900123" }, "SMS_SECURITY_INTERCEPTED"],
      [{ Message: "" }, "INVALID_PARAMETERS"],
      [{ From: "Ali-cloud" }, "INVALID_SENDERID"],
      [{ From: "Abcdefghijkl" }, "INVALID_SENDERID"],
      [{ TaskId: "x".repeat(256) }, "INVALID_PARAMETERS"],
      [{ ValidityPeriod: "1h" }, "INVALID_PARAMETERS"],
      [{ Type: "OTP" }, "INVALID_PARAMETERS"],
    ];
    for (const [change, expected] of cases) {
      assert.equal(await code({ ...base, ...change }), expected, JSON.stringify(change));
    }
    assert.equal(sandbox.messages().length, 0);
    for (const change of [{ From: "" }, { Type: "MKT" }, { TaskId: "x".repeat(255) }, { ValidityPeriod: "0" }, { ChannelId: "" }]) {
      assert.equal(await code({ ...base, ...change }), "OK", JSON.stringify(change));
    }
    assert.deepEqual(sandbox.messages().map((m) => [m.from, m.type, m.channelId]), [
      [null, null, null], [null, "MKT", null], [null, null, null], [null, null, null], [null, null, null],
    ]);
  });

  test("BatchSendMessageToGlobe records ValidityPeriod, ChannelId, segments and outcomes too", async () => {
    const to = ["6591231111", "6591239999", "6591238888", "6591237777"];
    const res = await call(sandbox, {
      action: "BatchSendMessageToGlobe",
      params: { To: JSON.stringify(to), Message: JSON.stringify(to.map(() => "你好")), Type: "NOTIFY", ValidityPeriod: "600", ChannelId: "channel02" },
    });
    assert.equal(json(res).ResponseCode, "OK");
    assert.deepEqual(
      sandbox.messages().map((m) => [m.operation, m.to, m.validityPeriod, m.channelId, m.segments, m.outcome, m.errorCode]),
      [
        ["BatchSendMessageToGlobe", to[0], 600, "channel02", 1, "delivered", "DELIVERED"],
        ["BatchSendMessageToGlobe", to[1], 600, "channel02", 1, "undelivered", "UNDELIV"],
        ["BatchSendMessageToGlobe", to[2], 600, "channel02", 1, "expired", "EXPIRED"],
        ["BatchSendMessageToGlobe", to[3], 600, "channel02", 1, "pending", null],
      ],
    );
  });
});

describe("QueryMessage", () => {
  const DELAY = 5_000;
  let sandbox;
  const clock = manualClock(Date.parse("2025-11-25T02:27:00.000Z"));
  before(async () => {
    sandbox = await startSandbox({ clock, reportDelayMs: DELAY });
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const query = (messageId, options = {}) =>
    call(sandbox, { action: "QueryMessage", params: { MessageId: messageId }, now: clock(), ...options });

  test("DATA_NOT_EXIST until reportDelayMs has passed on the sandbox clock, then the report", async () => {
    const id = await sendOne(sandbox, "6591234567", { now: clock(), extra: { TaskId: "otp-1" } });
    let body = json(await query(id));
    assert.equal(body.ResponseCode, "DATA_NOT_EXIST");
    assert.ok(body.RequestId && body.ResponseDescription);
    clock.advance(DELAY - 1);
    assert.equal(json(await query(id)).ResponseCode, "DATA_NOT_EXIST", "1 ms before the delay ends");
    clock.advance(1);
    body = json(await query(id));
    assert.deepEqual(body, {
      RequestId: body.RequestId,
      ResponseCode: "OK",
      ResponseDescription: "OK",
      MessageId: id,
      To: "6591234567",
      Message: "Your code is 1234",
      Status: "1",
      ErrorCode: "DELIVERED",
      ErrorDescription: "success",
      // 02:27:00Z is 10:27:00 at +0800; the receipt is the report delay (5 s) later.
      SendDate: "Tue, 25 Nov 2025 10:27:00 +0800",
      ReceiveDate: "Tue, 25 Nov 2025 10:27:05 +0800",
      NumberDetail: { Carrier: "Sandbox Mobile", Country: "Singapore", Region: "SG" },
    });
  });

  test("each outcome: 9999 failed (UNDELIV), 8888 failed (EXPIRED), 7777 still sending (no receipt)", async () => {
    const ids = {};
    for (const to of ["6591239999", "6591238888", "6591237777"]) ids[to] = await sendOne(sandbox, to, { now: clock() });
    clock.advance(DELAY);
    const undelivered = json(await query(ids["6591239999"]));
    assert.deepEqual([undelivered.Status, undelivered.ErrorCode], ["2", "UNDELIV"]);
    const expired = json(await query(ids["6591238888"]));
    assert.deepEqual([expired.Status, expired.ErrorCode], ["2", "EXPIRED"]);
    const sending = json(await query(ids["6591237777"]));
    assert.equal(sending.Status, "3");
    assert.equal(sending.SendDate, "Tue, 25 Nov 2025 10:27:05 +0800");
    for (const absent of ["ReceiveDate", "ErrorCode", "ErrorDescription"]) assert.equal(absent in sending, false, absent);
  });

  test("a MessageId never issued: DATA_NOT_EXIST; none at all: MissingMessageId", async () => {
    assert.equal(json(await query("1000000000000000000")).ResponseCode, "DATA_NOT_EXIST");
    for (const params of [{}, { MessageId: "" }]) {
      const res = await call(sandbox, { action: "QueryMessage", params, now: clock() });
      assert.equal(res.status, 400);
      assert.equal(json(res).Code, "MissingMessageId");
    }
  });

  test("ACS3 and XML answers carry the same report", async () => {
    const id = await sendOne(sandbox, "6591239999", { now: clock() });
    clock.advance(DELAY);
    const acs3 = json(await query(id, { scheme: "acs3" }));
    assert.equal(acs3.Status, "2");
    const xml = await query(id, { format: "XML" });
    assert.match(xml.body, /<QueryMessageResponse>.*<Status>2<\/Status><ErrorCode>UNDELIV<\/ErrorCode>.*<NumberDetail><Carrier>/);
  });
});

describe("SmsConversion and ConversionData checks", () => {
  let sandbox;
  const clock = manualClock();
  before(async () => {
    sandbox = await startSandbox({ clock });
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const conversion = (params) => call(sandbox, { action: "SmsConversion", params, now: clock() });
  const rate = (params, scheme = "v1") => call(sandbox, { scheme, action: "ConversionData", params, now: clock(), inBody: true });

  test("SmsConversion: Delivered true/false in any case, ConversionTime optional; recorded", async () => {
    const id = await sendOne(sandbox, "6591234567", { now: clock() });
    const sentAt = clock();
    clock.advance(30_000);
    for (const [delivered, time] of [["true", String(sentAt + 20_000)], ["false", undefined], ["True", undefined]]) {
      const params = { MessageId: id, Delivered: delivered };
      if (time) params.ConversionTime = time;
      assert.equal(json(await conversion(params)).ResponseCode, "OK", delivered);
    }
    assert.deepEqual(
      sandbox.conversions().map(({ operation, messageId, to, delivered, conversionTime }) => ({ operation, messageId, to, delivered, conversionTime })),
      [
        { operation: "SmsConversion", messageId: id, to: "6591234567", delivered: true, conversionTime: sentAt + 20_000 },
        { operation: "SmsConversion", messageId: id, to: "6591234567", delivered: false, conversionTime: null },
        { operation: "SmsConversion", messageId: id, to: "6591234567", delivered: true, conversionTime: null },
      ],
    );
  });

  test("SmsConversion refusals", async () => {
    const id = await sendOne(sandbox, "6591234567", { now: clock() });
    const sentAt = clock();
    for (const missing of ["MessageId", "Delivered"]) {
      const params = { MessageId: id, Delivered: "true" };
      delete params[missing];
      const res = await conversion(params);
      assert.equal(res.status, 400);
      assert.equal(json(res).Code, `Missing${missing}`);
    }
    const cases = [
      [{ MessageId: id, Delivered: "yes" }, "INVALID_PARAMETERS"],
      [{ MessageId: id, Delivered: "1" }, "INVALID_PARAMETERS"],
      [{ MessageId: "1000000000000000000", Delivered: "true" }, "INVALID_PARAMETERS"],
      [{ MessageId: id, Delivered: "true", ConversionTime: "yesterday" }, "INVALID_PARAMETERS"],
      // Before the send and after now, beyond the 15 minutes of clock skew the gateway allows.
      [{ MessageId: id, Delivered: "true", ConversionTime: String(sentAt - 16 * 60_000) }, "INVALID_PARAMETERS"],
      [{ MessageId: id, Delivered: "true", ConversionTime: String(sentAt + 16 * 60_000) }, "INVALID_PARAMETERS"],
      [{ MessageId: id, Delivered: "true", To: "6591234568" }, "INVALID_PARAMETERS"],
    ];
    for (const [params, expected] of cases) {
      assert.equal(json(await conversion(params)).ResponseCode, expected, JSON.stringify(params));
    }
    assert.equal(json(await conversion({ MessageId: id, Delivered: "true", To: "6591234567" })).ResponseCode, "OK");
    assert.equal(sandbox.conversions().length, 1);
  });

  test("ConversionData: a decimal from 0 to 1, ReportTime not in the future; recorded as sent", async () => {
    for (const value of ["0", "1", "0.53", "1.000", "0.0725"]) {
      assert.equal(json(await rate({ ConversionRate: value })).ResponseCode, "OK", value);
    }
    for (const value of ["1.5", "-0.1", ".5", "abc", "0,5", "1.01"]) {
      assert.equal(json(await rate({ ConversionRate: value })).ResponseCode, "INVALID_PARAMETERS", value);
    }
    assert.equal(json(await rate({ ConversionRate: "0.5", ReportTime: String(clock() + 16 * 60_000) })).ResponseCode, "INVALID_PARAMETERS");
    assert.equal(json(await rate({ ConversionRate: "0.5", ReportTime: "soon" })).ResponseCode, "INVALID_PARAMETERS");
    assert.equal(json(await rate({ ConversionRate: "0.5", ReportTime: String(clock()) }, "acs3")).ResponseCode, "OK");
    const missing = await rate({ ReportTime: String(clock()) });
    assert.equal(missing.status, 400);
    assert.equal(json(missing).Code, "MissingConversionRate");
    assert.deepEqual(
      sandbox.conversions().map((c) => [c.operation, c.conversionRate, c.reportTime, c.scheme]),
      [
        ...["0", "1", "0.53", "1.000", "0.0725"].map((v) => ["ConversionData", v, null, "v1"]),
        ["ConversionData", "0.5", clock(), "acs3"],
      ],
    );
  });
});

describe("QPS per operation and per key", () => {
  test("the defaults: BatchSendMessageToGlobe 1, SendMessageToGlobe 30, QueryMessage 300, conversions unlimited", () => {
    assert.deepEqual({ ...DEFAULT_QPS }, {
      BatchSendMessageToGlobe: 1,
      SendMessageToGlobe: 30,
      QueryMessage: 300,
      SmsConversion: Infinity,
      ConversionData: Infinity,
    });
  });

  /** Calls `action` `n` times within one frozen instant; returns the codes. */
  async function burst(sandbox, clock, action, params, n, key = DEFAULT_KEY) {
    const codes = [];
    for (let i = 0; i < n; i += 1) {
      const res = await call(sandbox, { action, params, now: clock(), key });
      const body = json(res);
      codes.push(body.Code ?? body.ResponseCode);
      if (body.Code === "Throttling.User") assert.equal(res.headers["x-acs-retry-after"], "1000");
    }
    return codes;
  }

  const expectCodes = (codes, okCount, otherCode, total) =>
    assert.deepEqual(codes, [...Array(okCount).fill("OK"), ...Array(total - okCount).fill(otherCode)]);

  test("SendMessageToGlobe: 30 a second by default, its own bucket, per AccessKeyId", async () => {
    const clock = manualClock();
    const sandbox = await startSandbox({ clock });
    try {
      const send = { To: "6591234567", Message: "hi" };
      expectCodes(await burst(sandbox, clock, "SendMessageToGlobe", send, 31), 30, "Throttling.User", 31);
      assert.equal(sandbox.messages().length, 30, "a throttled call is not processed");
      // The batch and the other key have budgets of their own.
      const batch = { To: '["6591234567"]', Message: '["hi"]', Type: "NOTIFY" };
      expectCodes(await burst(sandbox, clock, "BatchSendMessageToGlobe", batch, 2), 1, "Throttling.User", 2);
      expectCodes(await burst(sandbox, clock, "SendMessageToGlobe", send, 1, DEFAULT_STS_KEY), 1, "-", 1);
      clock.advance(1000);
      expectCodes(await burst(sandbox, clock, "SendMessageToGlobe", send, 1), 1, "-", 1);
    } finally {
      await sandbox.close();
    }
  });

  test("sendMessageQps and queryMessageQps are configurable", async () => {
    const clock = manualClock();
    const sandbox = await startSandbox({ clock, sendMessageQps: 3, queryMessageQps: 2, conversionQps: 1 });
    try {
      expectCodes(await burst(sandbox, clock, "SendMessageToGlobe", { To: "6591234567", Message: "hi" }, 4), 3, "Throttling.User", 4);
      const id = sandbox.messages()[0].messageId;
      // The report is not due yet on the frozen clock: DATA_NOT_EXIST, which counts like any call.
      assert.deepEqual(await burst(sandbox, clock, "QueryMessage", { MessageId: id }, 3), ["DATA_NOT_EXIST", "DATA_NOT_EXIST", "Throttling.User"]);
      clock.advance(1000);
      assert.deepEqual(await burst(sandbox, clock, "QueryMessage", { MessageId: id }, 3), ["OK", "OK", "Throttling.User"]);
      assert.deepEqual(await burst(sandbox, clock, "SmsConversion", { MessageId: id, Delivered: "true" }, 2), ["OK", "Throttling.User"]);
      assert.deepEqual(await burst(sandbox, clock, "ConversionData", { ConversionRate: "0.5" }, 2), ["OK", "Throttling.User"]);
    } finally {
      await sandbox.close();
    }
    for (const name of ["sendMessageQps", "queryMessageQps", "conversionQps"]) {
      await assert.rejects(startSandbox({ [name]: 0 }), { name: "TypeError", message: new RegExp(name) });
    }
  });

  test("QueryMessage: 300 a second by default", async () => {
    const clock = manualClock();
    // DATA_NOT_EXIST answers count like any other: the limit is on calls.
    const sandbox = await startSandbox({ clock });
    try {
      const codes = await burst(sandbox, clock, "QueryMessage", { MessageId: "1000000000000000000" }, 301);
      assert.deepEqual(codes, [...Array(300).fill("DATA_NOT_EXIST"), "Throttling.User"]);
    } finally {
      await sandbox.close();
    }
  });
});

describe("faults aimed at one operation", () => {
  test("an action-scoped fault waits for a request of that operation", async () => {
    const clock = manualClock();
    const sandbox = await startSandbox({ clock, reportDelayMs: 0 });
    try {
      sandbox.inject({ kind: "responseCode", code: "SYSTEM_ERROR", action: "QueryMessage" });
      const id = await sendOne(sandbox, "6591234567", { now: clock() });
      assert.equal(sandbox.pendingFaults().length, 1, "the send did not use it");
      const hit = json(await call(sandbox, { action: "QueryMessage", params: { MessageId: id }, now: clock() }));
      assert.equal(hit.ResponseCode, "SYSTEM_ERROR");
      assert.deepEqual(sandbox.pendingFaults(), []);
      assert.equal(json(await call(sandbox, { action: "QueryMessage", params: { MessageId: id }, now: clock() })).ResponseCode, "OK");
      assert.throws(() => sandbox.inject({ kind: "dropAfterAccept", action: "SendSms" }), TypeError);
    } finally {
      await sandbox.close();
    }
  });
});
