// The shared pacer's protocol (`pacer` option, SharedPacer in src/wasm/types.d.ts) seen from
// the caller's side, with a pacer object of this test's own (no Redis: the Lua side is
// fleet.test.mjs's): `take` then `send` before each request, and `left` when a send may have
// reached the service later than `send` recorded it — a process's first send (at its answer),
// or a send that left more than 5 ms after its go-ahead was asked (src/wasm/send.rs `leaving`).
// What is checked is order and count, never time: the report of a late send is made after the
// request's fetch was called, and an on-time send makes none.

import assert from "node:assert/strict";
import * as hooks from "node:test";
import { describe, test } from "node:test";
import { sendCampaign } from "aliyun-globe-sms";
import { DEFAULT_KEY, useSandbox } from "./harness.mjs";

const numbers = (count) => Array.from({ length: count }, (_, i) => `+852 6${String(i + 1).padStart(7, "0")}`);

/** A pacer that lets every send go, `goAheadMs` after it is asked; it logs each call in `events`. */
function recordingPacer(events, goAheadMs) {
  return {
    take: async () => (events.push("take"), 0),
    async send() {
      await new Promise((resolve) => setTimeout(resolve, goAheadMs));
      events.push("go");
      return 0;
    },
    left: async () => (events.push("left"), 1),
    penalize: async () => (events.push("penalize"), 1),
  };
}

/** Runs `fn` with globalThis.fetch logging "fetch" into `events` (the package calls the global). */
async function withFetchLogged(events, fn) {
  const original = globalThis.fetch;
  globalThis.fetch = (...args) => (events.push("fetch"), original(...args));
  try {
    return await fn();
  } finally {
    globalThis.fetch = original;
  }
}

describe("the shared pacer's calls around each send", () => {
  const s = useSandbox(hooks, { qps: 100 });
  const campaign = (pacer) => sendCampaign({ credentials: DEFAULT_KEY, endpoint: s.sandbox.url, to: numbers(3000), message: "pace", qps: 20, pacer });

  test("a go-ahead that took 50 ms: each of the 3 sends reports it left late, after its fetch was called", async () => {
    const events = [];
    const ledger = await withFetchLogged(events, () => campaign(recordingPacer(events, 50)));
    assert.equal(ledger.counts.sent, 3000);
    // Per send: its go-ahead, its fetch, then its late report (the first send's answer adds one
    // more "left"). The warm-up's own fetch (a data: URL) may come anywhere before.
    const sends = events.filter((e) => e !== "take" && e !== "penalize");
    const afterGo = sends.slice(sends.indexOf("go"));
    const perSend = afterGo.join(" ").split("go ").filter(Boolean).map((part) => part.trim().split(" "));
    assert.equal(perSend.length, 3, afterGo.join(" "));
    for (const [n, calls] of perSend.entries()) {
      assert.equal(calls[0], "fetch", `send ${n}: the fetch first (${calls.join(" ")})`);
      // The process's first send reports twice: late, and at its answer.
      const reports = calls.filter((c) => c === "left").length;
      assert.equal(reports, n === 0 ? 2 : 1, `send ${n} reported late (${calls.join(" ")})`);
    }
    assert.equal(s.sandbox.requests().length, 3);
  });

  test("go-aheads answered at once, in a process that has sent before: no report at all", async () => {
    const events = [];
    const ledger = await withFetchLogged(events, () => campaign(recordingPacer(events, 0)));
    assert.equal(ledger.counts.sent, 3000);
    assert.deepEqual(events, ["take", "go", "fetch", "take", "go", "fetch", "take", "go", "fetch"]);
  });
});
