// createReportHandler (issue 13) on the packed package: a node:http server on 127.0.0.1 bridges
// each request to the handler with its body streamed (README's "Delivery reports" example), and
// the sandbox pushes the reports of a 3,000-recipient campaign to it — batched, shuffled, some
// pushed twice on purpose, one push failed by a fault and pushed again, one push refused because
// onReports threw. The evidence is what the sandbox decided (`messages()[i].outcome`): every
// final message is handed to onReports exactly once, with that outcome; the never-final ones never.
// Then what a push can be: malformed entries beside good ones, a body refused whole, too large,
// not a POST; the options; the dedupe window; and pushes handled one at a time.

import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { createReportHandler, isSmsError, sendCampaign } from "aliyun-globe-sms";
import { DEFAULT_KEY, startSandbox } from "aliyun-globe-sms/sandbox";
import { serveStreaming } from "./serve.mjs";

/** POSTs `body` (a string) to `url`; resolves to { status, json, headers }. */
async function post(url, body, init = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, ...init });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text), text, headers: response.headers };
}

/** One entry of a push, international shape (docs/spec/operations.md §3). */
const entry = (messageId, status, extra = {}) => ({
  To: "8521234****",
  Status: status,
  MessageId: messageId,
  SmsSize: "1",
  SendDate: "Thu, 25 Nov 2021 10:27:00 +0800",
  ReceiveDate: "Thu, 25 Nov 2021 10:27:33 +0800",
  ErrorCode: "DELIVERED",
  ErrorDescription: "success",
  ...extra,
});

/**
 * 3,000 Hong Kong numbers (5xxx, 6xxx, 9xxx), distinct, whose last four digits pick the sandbox's
 * outcome (README, "Delivery reports in the sandbox"): every 10th 9999 (undelivered), every 10th
 * from 1 on 8888 (expired), every 50th from 2 on 7777 (never final), the rest delivered.
 */
function campaignNumbers() {
  const to = [];
  for (let i = 0; i < 3000; i += 1) {
    const suffix = i % 10 === 0 ? "9999" : i % 10 === 1 ? "8888" : i % 50 === 2 ? "7777" : "1234";
    to.push(`+852 ${"569"[Math.floor(i / 1000)]}${String(i % 1000).padStart(3, "0")}${suffix}`);
  }
  return to;
}

const STATUS_OF_OUTCOME = { delivered: "delivered", undelivered: "failed", expired: "expired" };
const CODE_OF_OUTCOME = { delivered: "1", undelivered: "2", expired: "6" };

describe("createReportHandler, pushed to by the sandbox over node:http", () => {
  let receiver;
  let sandbox;
  const handed = [];
  const calls = [];
  let throwOnCall = 3;

  before(async () => {
    const handler = createReportHandler({
      async onReports(reports, details) {
        calls.push({ fresh: reports.length, duplicates: details.duplicates.length, rejected: details.rejected.length });
        // One call fails after seeing its reports: its push is answered 500 and must come again.
        if (calls.length === throwOnCall) {
          throwOnCall = -1;
          throw new Error("database down at /srv/app/db.js:12");
        }
        handed.push(...reports);
      },
    });
    receiver = await serveStreaming(handler);
    sandbox = await startSandbox({
      qps: Infinity,
      reportUrl: receiver.url,
      reportDelayMs: 0,
      duplicateRate: 0.1,
      seed: 7,
      pushBatchSize: 150,
      pushRetryMs: 20,
    });
  });
  after(async () => {
    await sandbox?.close();
    await receiver?.close();
  });

  test("a 3,000-recipient campaign: every final message handed on exactly once, with the outcome the sandbox decided", async (t) => {
    const to = campaignNumbers();
    // The first push reaches the handler, whose answer the sandbox then ignores: pushed again.
    sandbox.injectPushFault({ kind: "fail" });
    const ledger = await sendCampaign({ credentials: DEFAULT_KEY, endpoint: sandbox.url, to, message: "Your parcel is on its way", taskId: "reports-1", qps: 1000 });
    assert.equal(ledger.counts.sent, 3000);
    await sandbox.reportsSettled({ timeoutMs: 120_000 });

    const messages = sandbox.messages();
    assert.equal(messages.length, 3000);
    const final = messages.filter((m) => m.outcome !== "pending");
    const pending = messages.filter((m) => m.outcome === "pending");
    assert.equal(pending.length, 60, "every 50th number ends 7777");
    assert.equal(final.filter((m) => m.outcome === "undelivered").length, 300);
    assert.equal(final.filter((m) => m.outcome === "expired").length, 300);

    // Exactly once each.
    const byId = new Map();
    for (const report of handed) {
      assert.ok(!byId.has(report.messageId), `${report.messageId} handed on twice`);
      byId.set(report.messageId, report);
    }
    assert.equal(byId.size, final.length, "every final message handed on");
    for (const m of final) {
      const report = byId.get(m.messageId);
      assert.ok(report, `${m.messageId} (${m.to}) was handed on`);
      assert.equal(report.status, STATUS_OF_OUTCOME[m.outcome], m.to);
      assert.equal(report.statusCode, CODE_OF_OUTCOME[m.outcome], m.to);
      assert.equal(report.errorCode, m.errorCode);
      assert.equal(report.segments, m.segments);
      assert.equal(report.taskId, "reports-1");
      assert.deepEqual(report.ignoredFields, []);
      assert.equal(typeof report.sendDate.epochMs, "number");
    }
    for (const m of pending) assert.ok(!byId.has(m.messageId), `${m.to} is never final, never reported`);
    // The ledger's MessageIds are the ones reported: the join a caller makes.
    const sentIds = new Set(ledger.recipients.map((r) => r.messageId));
    for (const id of byId.keys()) assert.ok(sentIds.has(id));

    // What the pushes were: the sandbox's own record.
    const pushes = sandbox.pushes();
    const failed = pushes.filter((p) => p.result === "failed");
    assert.equal(failed.length, 1, "the fail fault");
    const refused = pushes.filter((p) => p.result === "refused");
    assert.equal(refused.length, 1, "the push whose onReports threw");
    assert.equal(refused[0].status, 500);
    assert.deepEqual(JSON.parse(refused[0].answer), { code: "REPORT_HANDLER_FAILED", msg: "the reports were not handled; push them again" });
    assert.ok(!refused[0].answer.includes("database"), "the caller's error stays out of the answer");
    for (const push of [...failed, ...refused]) {
      const later = pushes.filter((p) => p.attempt > push.attempt && p.result === "acknowledged").flatMap((p) => p.messageIds);
      for (const id of push.messageIds) assert.ok(later.includes(id), `${id} of push ${push.attempt} (${push.result}) pushed again`);
    }
    const duplicated = pushes.flatMap((p) => p.duplicates);
    assert.ok(duplicated.length > 0, "the sandbox pushed some reports twice on purpose");
    assert.ok(pushes.every((p) => p.result !== "error"), "every push answered");
    // Every repeat was recognised: the deliberate duplicates (pushed after being acknowledged)
    // and the fail fault's reports, which the handler had handled before the sandbox ignored its
    // answer. The acknowledged answers count what each push held.
    const answered = pushes.filter((p) => p.result === "acknowledged").map((p) => /^(\d+) new, (\d+) duplicate, 0 rejected$/.exec(JSON.parse(p.answer).msg));
    assert.ok(answered.every(Boolean), "every acknowledged answer counts its push");
    const duplicatesAnswered = answered.reduce((n, m) => n + Number(m[2]), 0);
    assert.equal(duplicatesAnswered, duplicated.length + failed[0].messageIds.length);
    // New once each: in an acknowledged push, or in the fail fault's (handled, answer ignored).
    assert.equal(answered.reduce((n, m) => n + Number(m[1]), 0), final.length - failed[0].messageIds.length, "each report new once");
    // Shuffled: some push is not in MessageId order.
    assert.ok(pushes.some((p) => p.messageIds.some((id, i) => i > 0 && id < p.messageIds[i - 1])), "pushed out of order");
    t.diagnostic(`${pushes.length} pushes (${duplicated.length} deliberate duplicates), ${calls.length} onReports calls, ${handed.length} reports handed on`);
  });

  test("a malformed push keeps its good entries and lists the bad ones in `rejected`", async () => {
    const before = handed.length;
    const body = `[${JSON.stringify(entry("m-good-1", "1"))}, 42, {"Status":"1"}, {"MessageId":"m-bad","Status":"a b"},
      {"MessageId": }, ${JSON.stringify(entry("m-good-2", "2", { SmsSize: "lots" }))}, {"phone_number":"1381111****","success":true}]`;
    const answer = await post(receiver.url, body);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, { code: 0, msg: "2 new, 0 duplicate, 5 rejected" });
    const got = handed.slice(before);
    assert.deepEqual(got.map((r) => [r.index, r.messageId, r.status]), [[0, "m-good-1", "delivered"], [5, "m-good-2", "failed"]]);
    assert.deepEqual(got[1].ignoredFields, ["SmsSize"]);
    assert.equal(got[1].segments, null);
    assert.deepEqual(calls.at(-1), { fresh: 2, duplicates: 0, rejected: 5 });

    // The same push again: the good entries are duplicates now; the rejected ones are handed on
    // again (with no fresh report), since only reports are remembered.
    const again = await post(receiver.url, body);
    assert.deepEqual(again.json, { code: 0, msg: "0 new, 2 duplicate, 5 rejected" });
    assert.equal(handed.length, before + 2);
    assert.deepEqual(calls.at(-1), { fresh: 0, duplicates: 2, rejected: 5 });
  });

  test("a body refused whole is 400 and hands nothing on; not a POST is 405", async () => {
    const before = calls.length;
    for (const [body, code] of [
      ["{}", "REPORT_BODY_NOT_AN_ARRAY"],
      ["", "REPORT_BODY_NOT_AN_ARRAY"],
      [`[${JSON.stringify(entry("m-cut", "1"))}`, "REPORT_BODY_UNTERMINATED"],
      ["[] []", "REPORT_BODY_TRAILING_TEXT"],
      [`[${Array(10_001).fill("{}").join(",")}]`, "REPORT_BODY_TOO_MANY_ENTRIES"],
    ]) {
      const answer = await post(receiver.url, body);
      assert.equal(answer.status, 400, body.slice(0, 40));
      assert.equal(answer.json.code, code);
      assert.equal(typeof answer.json.msg, "string");
    }
    const get = await fetch(receiver.url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    assert.deepEqual(await get.json(), { code: "METHOD_NOT_ALLOWED", msg: "reports are POSTed" });
    assert.equal(calls.length, before, "onReports not called");
  });
});

describe("createReportHandler's limits and options", () => {
  test("a body over maxBodyBytes is 413: declared (unread) or streamed (read no further)", async () => {
    const calls = [];
    const receiver = await serveStreaming(createReportHandler({ maxBodyBytes: 1024, onReports: (r) => void calls.push(r) }));
    try {
      const small = JSON.stringify([entry("m-1", "1")]);
      assert.equal((await post(receiver.url, small)).status, 200);
      const big = JSON.stringify([entry("m-2", "1", { ErrorDescription: "x".repeat(1024) })]);
      const declared = await post(receiver.url, big);
      assert.equal(declared.status, 413);
      assert.deepEqual(declared.json, { code: "REPORT_BODY_TOO_LARGE", msg: "a report body holds at most 1024 bytes here" });

      // No Content-Length (chunked): the stream is read up to the limit, then refused.
      const streamed = await new Promise((resolve, reject) => {
        const target = new URL(receiver.url);
        const request = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: { "transfer-encoding": "chunked" } });
        request.on("response", (response) => {
          const chunks = [];
          response.on("data", (c) => chunks.push(c));
          response.on("end", () => resolve({ status: response.statusCode, json: JSON.parse(Buffer.concat(chunks).toString()) }));
        });
        request.on("error", reject);
        request.write("[" + " ".repeat(600));
        request.write(" ".repeat(600));
        request.end("]");
      });
      assert.equal(streamed.status, 413);
      assert.equal(streamed.json.code, "REPORT_BODY_TOO_LARGE");
      assert.equal(calls.length, 1, "only the small push was handed on");
    } finally {
      await receiver.close();
    }
  });

  test("the default limit is the core's 4 MiB", async () => {
    const handler = createReportHandler({ onReports: () => {} });
    const limit = 4 * 1024 * 1024;
    const at = await handler(new Request("http://127.0.0.1/", { method: "POST", body: "[" + " ".repeat(limit - 2) + "]" }));
    assert.deepEqual(await at.json(), { code: 0, msg: "0 new, 0 duplicate, 0 rejected" });
    const over = await handler(new Request("http://127.0.0.1/", { method: "POST", body: "[" + " ".repeat(limit - 1) + "]" }));
    assert.equal(over.status, 413);
  });

  test("options are checked when the handler is made", () => {
    const refused = (options, field) => {
      assert.throws(() => createReportHandler(options), (error) => isSmsError(error) && error.code === "INVALID_OPTION" && error.field === field);
    };
    refused(undefined, "options");
    refused({}, "onReports");
    refused({ onReports: "log" }, "onReports");
    refused({ onReports: () => {}, maxBodyBytes: 0 }, "maxBodyBytes");
    refused({ onReports: () => {}, maxBodyBytes: 4 * 1024 * 1024 + 1 }, "maxBodyBytes");
    refused({ onReports: () => {}, maxBodyBytes: 1.5 }, "maxBodyBytes");
    refused({ onReports: () => {}, dedupeWindow: -1 }, "dedupeWindow");
    refused({ onReports: () => {}, dedupeWindow: 1_000_001 }, "dedupeWindow");
    refused({ onReports: () => {}, dedupeWindow: "100" }, "dedupeWindow");
    refused(
      {
        get onReports() {
          throw new Error("trap");
        },
      },
      "onReports",
    );
    assert.equal(typeof createReportHandler({ onReports: () => {}, maxBodyBytes: 1, dedupeWindow: 0 }), "function");
  });

  test("hostile requests and a hostile onReports: always an answer, never a throw", async () => {
    const handler = createReportHandler({ onReports: () => {} });
    const status = async (request, h = handler) => (await h(request)).status;
    // Not a request at all (a server's mistake): 500 where reading it throws, 405 where it has no POST method.
    for (const request of [undefined, null, { get method() { throw new Error("trap"); } }]) assert.equal(await status(request), 500);
    for (const request of [{}, 42]) assert.equal(await status(request), 405);
    const erroring = new Request("http://127.0.0.1/", {
      method: "POST",
      body: new ReadableStream({ pull: (c) => c.error(new Error("the stream broke")) }),
      duplex: "half",
    });
    assert.equal(await status(erroring), 400);
    // A thenable whose `then` getter throws is a failed onReports: 500, so Alibaba pushes again.
    const thenable = createReportHandler({ onReports: () => ({ get then() { throw new Error("then trap"); } }) });
    assert.equal(await status(new Request("http://127.0.0.1/", { method: "POST", body: JSON.stringify([entry("1", "1")]) }), thenable), 500);
  });

  test("dedupeWindow: repeats are recognised across pushes up to the window, within a push always", async () => {
    const push = (handler, ids) =>
      handler(new Request("http://127.0.0.1/", { method: "POST", body: JSON.stringify(ids.map((id) => entry(id, "1"))) })).then((r) => r.json());
    const handedTo = [];
    const none = createReportHandler({ dedupeWindow: 0, onReports: (r) => void handedTo.push(...r.map((x) => x.messageId)) });
    assert.deepEqual(await push(none, ["a", "a"]), { code: 0, msg: "1 new, 1 duplicate, 0 rejected" });
    assert.deepEqual(await push(none, ["a"]), { code: 0, msg: "1 new, 0 duplicate, 0 rejected" }, "no memory across pushes");

    const two = createReportHandler({ dedupeWindow: 2, onReports: (r) => void handedTo.push(...r.map((x) => x.messageId)) });
    await push(two, ["a", "b", "c"]);
    assert.deepEqual(await push(two, ["b", "c"]), { code: 0, msg: "0 new, 2 duplicate, 0 rejected" });
    assert.deepEqual(await push(two, ["a"]), { code: 0, msg: "1 new, 0 duplicate, 0 rejected" }, "the oldest key was forgotten");
    // A report of the same message with another status is a new report.
    const body = JSON.stringify([entry("c", "2")]);
    assert.deepEqual(await (await two(new Request("http://127.0.0.1/", { method: "POST", body }))).json(), { code: 0, msg: "1 new, 0 duplicate, 0 rejected" });
  });

  test("pushes are handled one at a time: a report in two concurrent pushes is handed on once", async () => {
    const handedIds = [];
    let release;
    const released = new Promise((resolve) => (release = resolve));
    let secondRead = false;
    const handler = createReportHandler({
      async onReports(reports) {
        handedIds.push(...reports.map((r) => r.messageId));
        if (handedIds.length === 1) await released;
      },
    });
    const body = JSON.stringify([entry("same", "1")]);
    const first = handler(new Request("http://127.0.0.1/", { method: "POST", body }));
    // The second push's body, as a stream that says when the handler has read all of it.
    const bytes = new TextEncoder().encode(body);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const watched = stream.pipeThrough(
      new TransformStream({
        flush() {
          secondRead = true;
        },
      }),
    );
    const second = handler(new Request("http://127.0.0.1/", { method: "POST", body: watched, duplex: "half" }));
    // Hold the first onReports until the second body is read and every job queued since has run:
    // were pushes not handled in turn, the second would have been split against a window that
    // does not hold "same" yet, and handed on again.
    while (!secondRead) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(handedIds, ["same"]);
    release();
    assert.deepEqual(await (await first).json(), { code: 0, msg: "1 new, 0 duplicate, 0 rejected" });
    assert.deepEqual(await (await second).json(), { code: 0, msg: "0 new, 1 duplicate, 0 rejected" });
    assert.deepEqual(handedIds, ["same"]);
  });

  test("a failed onReports forgets the push: the same push is handed on again, then acknowledged", async () => {
    let failures = 1;
    const handedIds = [];
    const handler = createReportHandler({
      onReports(reports) {
        if (failures-- > 0) return Promise.reject(new Error("not now"));
        handedIds.push(...reports.map((r) => r.messageId));
      },
    });
    const body = JSON.stringify([entry("x", "1"), entry("y", "6")]);
    const answer = await handler(new Request("http://127.0.0.1/", { method: "POST", body }));
    assert.equal(answer.status, 500);
    const text = await answer.text();
    assert.ok(!text.includes("not now") && !text.includes(" at "), text);
    const again = await handler(new Request("http://127.0.0.1/", { method: "POST", body }));
    assert.deepEqual(await again.json(), { code: 0, msg: "2 new, 0 duplicate, 0 rejected" });
    assert.deepEqual(handedIds, ["x", "y"]);
  });
});
