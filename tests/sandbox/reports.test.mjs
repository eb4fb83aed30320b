// Delivery reports pushed to a callback URL: the body, batching, order, acknowledgement and
// re-push, deliberate duplicates (deterministic with a seed), push faults, the admin endpoints,
// and waiting for quiescence. Every wait here is reportsSettled(): no test asserts on time.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_KEY, PUSH_FAULT_KINDS, startSandbox } from "../../pkg-template/sandbox/index.js";
import { json, manualClock, raw, signedV1, startReceiver } from "./helpers.mjs";

/** Sends `to` in one batch (up to 1000) with a TaskId; returns the MessageIds in `To` order. */
async function sendBatch(sandbox, to, { now = Date.now(), taskId = "campaign-1" } = {}) {
  const params = { To: JSON.stringify(to), Message: JSON.stringify(to.map((n) => `Hello ${n}`)), Type: "NOTIFY", TaskId: taskId };
  const body = json(await raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, params, { now })}` }));
  assert.equal(body.ResponseCode, "OK", JSON.stringify(body));
  return JSON.parse(body.MessageIdList);
}

/** Numbers 6590000000 + i; the last four digits pick the outcome (9999, 8888, 7777 rules). */
function numbers(count, start = 1) {
  return Array.from({ length: count }, (_, i) => String(6590000000 + start + i));
}

const STATUS = { delivered: "1", undelivered: "2", expired: "6" };

/** Receiver pushes flattened, and each MessageId's reports. */
function byMessageId(receiver) {
  const map = new Map();
  for (const push of receiver.received) {
    for (const report of push.reports) map.set(report.MessageId, [...(map.get(report.MessageId) ?? []), report]);
  }
  return map;
}

async function withSandbox(options, run) {
  const sandbox = await startSandbox({ qps: Infinity, ...options });
  try {
    return await run(sandbox);
  } finally {
    await sandbox.close();
  }
}

describe("push: the body and its acknowledgement", () => {
  test("each accepted message's report arrives with the international fields, as the sandbox decided", async () => {
    const receiver = await startReceiver();
    try {
      const clock = manualClock(Date.parse("2021-11-25T02:27:00.000Z"));
      await withSandbox({ clock, reportDelayMs: 33_000, reportUrl: receiver.url, duplicateRate: 0 }, async (sandbox) => {
        const to = ["6591231111", "6591239999", "6591238888", "6591237777", "6591230000"];
        const ids = await sendBatch(sandbox, to, { now: clock() });
        assert.equal(ids.length, 4, "0000 refused at submission");
        assert.equal(sandbox.pendingReports(), 3, "three final reports; 7777 never is");
        clock.advance(33_000);
        await sandbox.reportsSettled();
        assert.equal(sandbox.pendingReports(), 0);

        const got = byMessageId(receiver);
        assert.equal(got.size, 3);
        assert.equal(got.has(ids[3]), false, "a never-final message is never pushed");
        const messages = sandbox.messages();
        for (const [i, outcome, code, description] of [
          [0, "delivered", "DELIVERED", "success"],
          [1, "undelivered", "UNDELIV", "The carrier could not deliver the message."],
          [2, "expired", "EXPIRED", "The message expired before it could be delivered."],
        ]) {
          assert.equal(messages[i].outcome, outcome);
          assert.deepEqual(got.get(ids[i]), [{
            // Masked as Alibaba masks it: the last four digits hidden.
            To: `${to[i].slice(0, -4)}****`,
            Status: STATUS[outcome],
            MessageId: ids[i],
            TaskId: "campaign-1",
            SmsSize: "1",
            SendDate: "Thu, 25 Nov 2021 10:27:00 +0800",
            ReceiveDate: "Thu, 25 Nov 2021 10:27:33 +0800",
            ErrorCode: code,
            ErrorDescription: description,
          }]);
        }
        const [push] = receiver.received;
        assert.equal(push.method, "POST");
        assert.equal(push.url, "/sms/reports");
        assert.match(push.headers["content-type"], /^application\/json/);
        assert.ok(Array.isArray(JSON.parse(push.text)));
        const pushes = sandbox.pushes();
        assert.equal(pushes.length, 1);
        assert.deepEqual(
          { ...pushes[0], time: undefined },
          {
            attempt: 1,
            time: undefined,
            url: receiver.url,
            reports: push.reports,
            messageIds: push.reports.map((r) => r.MessageId),
            duplicates: [],
            fault: null,
            status: 200,
            answer: '{"code":0,"msg":"ok"}',
            result: "acknowledged",
            error: null,
          },
        );
      });
    } finally {
      await receiver.close();
    }
  });

  test("no TaskId: the field is left out; SmsSize counts the text's segments", async () => {
    const receiver = await startReceiver();
    try {
      await withSandbox({ reportDelayMs: 0, reportUrl: receiver.url, duplicateRate: 0, sendMessageQps: Infinity }, async (sandbox) => {
        const params = { To: "6591234567", Message: "你".repeat(71) };
        const body = json(await raw(sandbox.url, { path: `/?${signedV1(DEFAULT_KEY, params, { action: "SendMessageToGlobe" })}` }));
        await sandbox.reportsSettled();
        const [report] = receiver.received[0].reports;
        assert.equal(report.MessageId, body.MessageId);
        assert.equal(report.SmsSize, "2");
        assert.equal("TaskId" in report, false);
      });
    } finally {
      await receiver.close();
    }
  });

  test("re-pushed until answered HTTP 200 with {\"code\":0}: a 500, a non-zero code, a non-JSON body, a cut connection", async () => {
    const answers = [{ status: 500, body: "oops" }, { body: '{"code":1,"msg":"busy"}' }, { body: "OK" }, "cut", {}];
    const receiver = await startReceiver((index) => answers[Math.min(index, answers.length - 1)]);
    try {
      await withSandbox({ reportDelayMs: 0, reportUrl: receiver.url, duplicateRate: 0, pushRetryMs: 0 }, async (sandbox) => {
        const ids = await sendBatch(sandbox, numbers(3));
        await sandbox.reportsSettled();
        const pushes = sandbox.pushes();
        assert.deepEqual(pushes.map((p) => [p.result, p.status]), [
          ["refused", 500], ["refused", 200], ["refused", 200], ["error", null], ["acknowledged", 200],
        ]);
        assert.equal(typeof pushes[3].error, "string");
        for (const push of pushes) assert.deepEqual([...push.messageIds].sort(), [...ids].sort(), "the same reports each time");
        assert.equal(receiver.received.length, 5);
      });
    } finally {
      await receiver.close();
    }
  });

  test("a receiver that does not answer in pushTimeoutMs: an error, then pushed again", async () => {
    const receiver = await startReceiver((index) => (index === 0 ? "hang" : {}));
    try {
      await withSandbox({ reportDelayMs: 0, reportUrl: receiver.url, duplicateRate: 0, pushRetryMs: 0, pushTimeoutMs: 200 }, async (sandbox) => {
        await sendBatch(sandbox, numbers(2));
        await sandbox.reportsSettled();
        const pushes = sandbox.pushes();
        assert.deepEqual(pushes.map((p) => p.result), ["error", "acknowledged"]);
        assert.match(pushes[0].error, /no answer within 200 ms/);
        assert.equal(receiver.received.length, 2);
      });
    } finally {
      await receiver.close();
    }
  });
});

describe("push: batches, order and duplicates", () => {
  /** 1,000 messages through one receiver; returns what was pushed and what was decided. */
  async function run(options) {
    const receiver = await startReceiver();
    try {
      return await withSandbox({ reportDelayMs: 0, pushRetryMs: 0, reportUrl: receiver.url, ...options }, async (sandbox) => {
        const ids = await sendBatch(sandbox, numbers(1000, 9001)); // 6590009001 … 6590010000: one 9999, one 0000
        await sandbox.reportsSettled();
        return { ids, pushes: sandbox.pushes(), received: receiver.received, messages: sandbox.messages() };
      });
    } finally {
      await receiver.close();
    }
  }

  test("batched by pushBatchSize, every report delivered, out of order", async () => {
    const { ids, pushes, received, messages } = await run({ pushBatchSize: 64, duplicateRate: 0 });
    assert.equal(ids.length, 999);
    assert.equal(pushes.length, Math.ceil(999 / 64));
    for (const push of pushes) assert.ok(push.reports.length <= 64 && push.reports.length > 0);
    const pushedOrder = received.flatMap((push) => push.reports.map((r) => r.MessageId));
    assert.deepEqual([...pushedOrder].sort(), [...ids].sort(), "each report exactly once");
    assert.notDeepEqual(pushedOrder, ids, "not in send order");
    const decided = new Map(messages.map((m) => [m.messageId, STATUS[m.outcome]]));
    for (const push of received) for (const r of push.reports) assert.equal(r.Status, decided.get(r.MessageId));
    assert.equal(received.flatMap((p) => p.reports).filter((r) => r.Status === "2").length, 1, "6590009999");
  });

  test("duplicates: at about duplicateRate, after acknowledgement, identical, the same ones for the same seed", async () => {
    const a = await run({ duplicateRate: 0.2, seed: 7 });
    const b = await run({ duplicateRate: 0.2, seed: 7 });
    const c = await run({ duplicateRate: 0.2, seed: 8 });
    const duplicated = (result) => result.pushes.flatMap((p) => p.duplicates).sort();
    const dupA = duplicated(a);
    assert.ok(dupA.length > 100 && dupA.length < 300, `${dupA.length} of 999 at 0.2`);
    assert.deepEqual(duplicated(b), dupA, "same seed, same duplicates");
    assert.notDeepEqual(duplicated(c), dupA, "another seed, other duplicates");
    assert.equal(new Set(dupA).size, dupA.length, "each at most once more");

    const got = new Map();
    for (const push of a.received) for (const r of push.reports) got.set(r.MessageId, [...(got.get(r.MessageId) ?? []), r]);
    for (const [id, reports] of got) {
      assert.equal(reports.length, dupA.includes(id) ? 2 : 1, id);
      if (reports.length === 2) assert.deepEqual(reports[1], reports[0]);
    }
    // A duplicate always comes in a later push than its acknowledged original.
    for (const push of a.pushes) {
      for (const id of push.duplicates) {
        const firstPush = a.pushes.find((p) => p.messageIds.includes(id));
        assert.ok(firstPush.attempt < push.attempt && firstPush.result === "acknowledged");
      }
    }
  });
});

describe("push faults", () => {
  test("the kinds", () => {
    assert.deepEqual([...PUSH_FAULT_KINDS], ["drop", "fail", "slow"]);
  });

  test("drop: never reaches the receiver, pushed again; fail: reaches it, treated as failed, pushed again", async () => {
    const receiver = await startReceiver();
    try {
      await withSandbox({ reportDelayMs: 0, reportUrl: receiver.url, duplicateRate: 0, pushRetryMs: 0, pushConcurrency: 1 }, async (sandbox) => {
        sandbox.injectPushFault({ kind: "drop" });
        sandbox.injectPushFault({ kind: "fail" });
        assert.deepEqual(sandbox.pendingPushFaults(), [{ kind: "drop", count: 1 }, { kind: "fail", count: 1 }]);
        const ids = await sendBatch(sandbox, numbers(2));
        await sandbox.reportsSettled();
        assert.deepEqual(sandbox.pushes().map((p) => [p.fault, p.result, p.status]), [
          ["drop", "dropped", null], ["fail", "failed", 200], [null, "acknowledged", 200],
        ]);
        assert.equal(receiver.received.length, 2, "the dropped push never arrived");
        const seen = receiver.received.flatMap((p) => p.reports.map((r) => r.MessageId));
        assert.deepEqual(seen.sort(), [...ids, ...ids].sort(), "the receiver got each report twice: the failed push and the re-push");
        assert.deepEqual(sandbox.pendingPushFaults(), []);
      });
    } finally {
      await receiver.close();
    }
  });

  test("slow: a push waits, the other does not wait for it, and it still gets through", async () => {
    const receiver = await startReceiver();
    try {
      await withSandbox({ reportDelayMs: 0, reportUrl: receiver.url, duplicateRate: 0, pushBatchSize: 10, pushConcurrency: 2 }, async (sandbox) => {
        // 1.5 s against one local round trip: the other push ends first even on a loaded machine.
        sandbox.injectPushFault({ kind: "slow", ms: 1500 });
        await sendBatch(sandbox, numbers(20));
        await sandbox.reportsSettled();
        const pushes = sandbox.pushes();
        assert.deepEqual(pushes.map((p) => p.result), ["acknowledged", "acknowledged"]);
        // pushes() lists attempts as they end: the slow one (attempt 1) ended after attempt 2.
        assert.deepEqual(pushes.map((p) => [p.attempt, p.fault]), [[2, null], [1, "slow"]]);
        assert.deepEqual(receiver.received.map((p) => p.reports.length), [10, 10]);
        assert.deepEqual(receiver.received[1].reports, pushes[1].reports, "the slow push arrived last");
      });
    } finally {
      await receiver.close();
    }
  });

  test("malformed push faults are refused", () => {
    return withSandbox({}, async (sandbox) => {
      for (const bad of [null, { kind: "explode" }, { kind: "slow" }, { kind: "drop", count: 0 }, { kind: "slow", ms: -1 }]) {
        assert.throws(() => sandbox.injectPushFault(bad), TypeError, JSON.stringify(bad));
      }
    });
  });
});

describe("the callback URL and quiescence", () => {
  test("without a URL nothing is pushed, and reports settle once due; a URL set later gets the later reports", async () => {
    const receiver = await startReceiver();
    try {
      const clock = manualClock();
      await withSandbox({ clock, reportDelayMs: 1000, duplicateRate: 0 }, async (sandbox) => {
        assert.equal(sandbox.reportUrl, null);
        const early = await sendBatch(sandbox, numbers(2), { now: clock() });
        assert.equal(sandbox.pendingReports(), 2);
        clock.advance(1000);
        await sandbox.reportsSettled();
        assert.deepEqual(sandbox.pushes(), []);

        sandbox.setReportUrl(receiver.url);
        assert.equal(sandbox.reportUrl, receiver.url);
        const late = await sendBatch(sandbox, numbers(2, 100), { now: clock() });
        clock.advance(1000);
        await sandbox.reportsSettled();
        const pushed = receiver.received.flatMap((p) => p.reports.map((r) => r.MessageId)).sort();
        assert.deepEqual(pushed, [...late].sort());
        assert.ok(early.every((id) => !pushed.includes(id)), "reports due while no URL was set are not pushed");
        assert.throws(() => sandbox.setReportUrl("ftp://127.0.0.1/x"), TypeError);
        assert.throws(() => sandbox.setReportUrl("not a url"), TypeError);
      });
    } finally {
      await receiver.close();
    }
  });

  test("clearing the URL drops what waits to be pushed again; reset forgets reports and pushes", async () => {
    const receiver = await startReceiver(() => ({ status: 503 }));
    try {
      await withSandbox({ reportDelayMs: 0, reportUrl: receiver.url, pushRetryMs: 60_000 }, async (sandbox) => {
        await sendBatch(sandbox, numbers(3));
        while (sandbox.pushes().length === 0) await new Promise((resolve) => setImmediate(resolve));
        assert.equal(sandbox.pendingReports(), 3, "refused, waiting a minute to be pushed again");
        sandbox.setReportUrl(null);
        assert.equal(sandbox.pendingReports(), 0);
        await sandbox.reportsSettled();

        sandbox.reset();
        assert.equal(sandbox.reportUrl, receiver.url, "back to the option's URL");
        assert.deepEqual(sandbox.pushes(), []);
        assert.deepEqual(sandbox.messages(), []);
      });
    } finally {
      await receiver.close();
    }
  });

  test("reportsSettled rejects when the sandbox closes first, and after timeoutMs when given", async () => {
    const receiver = await startReceiver(() => ({ status: 500 }));
    try {
      const sandbox = await startSandbox({ qps: Infinity, reportDelayMs: 0, reportUrl: receiver.url, pushRetryMs: 10 });
      await sendBatch(sandbox, numbers(1));
      await assert.rejects(sandbox.reportsSettled({ timeoutMs: 50 }), /1 report\(s\) still pending after 50 ms/);
      const waiting = sandbox.reportsSettled();
      await sandbox.close();
      await assert.rejects(waiting, /closed before the reports settled/);
      assert.ok(sandbox.pushes().length >= 1);
      assert.ok(sandbox.pushes().every((p) => p.result === "refused"));
    } finally {
      await receiver.close();
    }
  });

  test("admin endpoints: report-url, pushes, push-faults, and the summary", async () => {
    const receiver = await startReceiver();
    try {
      await withSandbox({ reportDelayMs: 0, duplicateRate: 0, pushRetryMs: 0 }, async (sandbox) => {
        const admin = (method, path, body) =>
          raw(sandbox.url, {
            method,
            path: `/__sandbox${path}`,
            headers: body === undefined ? {} : { "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
        assert.deepEqual(json(await admin("GET", "/report-url")), { url: null });
        assert.equal((await admin("PUT", "/report-url", { url: "ftp://x" })).status, 400);
        assert.equal((await admin("PUT", "/report-url", { nope: 1 })).status, 400);
        assert.deepEqual(json(await admin("PUT", "/report-url", { url: receiver.url })), { url: receiver.url });
        assert.equal((await admin("POST", "/push-faults", [{ kind: "fail" }, { kind: "bad" }])).status, 400);
        assert.deepEqual(json(await admin("POST", "/push-faults", { kind: "fail" })), [{ kind: "fail", count: 1 }]);
        assert.deepEqual(json(await admin("GET", "/push-faults")), [{ kind: "fail", count: 1 }]);

        await sendBatch(sandbox, numbers(2));
        await sandbox.reportsSettled();
        const pushes = json(await admin("GET", "/pushes"));
        assert.deepEqual(pushes, sandbox.pushes());
        assert.deepEqual(pushes.map((p) => p.result), ["failed", "acknowledged"]);

        const info = json(await admin("GET", ""));
        assert.equal(info.reportUrl, receiver.url);
        assert.equal(info.pendingReports, 0);
        assert.deepEqual(info.operationQps, {
          BatchSendMessageToGlobe: null, SendMessageToGlobe: 30, QueryMessage: 300, SmsConversion: null, ConversionData: null,
        });
        assert.equal((await admin("DELETE", "/report-url")).status, 204);
        assert.equal(sandbox.reportUrl, null);
        assert.equal((await admin("OPTIONS", "/pushes")).status, 204);
        assert.deepEqual(json(await admin("GET", "/conversions")), []);
      });
    } finally {
      await receiver.close();
    }
  });
});
