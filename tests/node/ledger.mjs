// The campaign suites' one question: does a campaign's ledger agree exactly with what the sandbox
// recorded? Also the recipient lists they send. Shared by campaign.test.mjs and
// campaign-crash.test.mjs (and the crash test's child, campaign-child.mjs, which builds the same
// list from the same arguments).

import assert from "node:assert/strict";

// Every CampaignState (types.d.ts): a campaign that records no delivery report has none of the
// last three, and `counts` names all eight (issue 13).
export const STATES = ["sent", "failed", "rejected", "unknown", "skipped", "delivered", "undelivered", "expired"];

/** Recipients per request: the operation takes at most 1000 numbers per call. */
export const PER_REQUEST = 1000;

/**
 * `count` numbers as people write them, all valid and distinct except three, placed where the
 * list is long enough: index 7 is a mainland number (refused), index 1234 is not a number,
 * index 2345 repeats index 3. Every 250th number ends in 0000, which the sandbox puts in
 * FailedList (the call is still OK), so every request has `failed` recipients too.
 */
export function campaignList(count) {
  const to = [];
  for (let i = 0; i < count; i += 1) {
    // 9xxxxxxx: Hong Kong mobiles, distinct for i < 10^7; 5jjj0000: one per 250, failing.
    to.push(i % 250 === 17 ? `+852 5${String(Math.floor(i / 250)).padStart(3, "0")} 0000` : `+852 9${String(i + 1).padStart(7, "0")}`);
  }
  const invalid = [];
  if (count > 7) invalid.push([7, "+86 138 0013 8000", "RECIPIENT_MAINLAND_CHINA", null]);
  if (count > 1234) invalid.push([1234, "not a number", "RECIPIENT_INVALID_CHARACTER", null]);
  if (count > 2345) invalid.push([2345, to[3], "RECIPIENT_DUPLICATE", 3]);
  for (const [index, number] of invalid) to[index] = number;
  return { to, invalid: invalid.map(([index, number, code, duplicateOf]) => ({ index, to: number, code, duplicateOf })) };
}

/** The indexes each request carries, in order: the valid recipients, 1000 at a time. */
export function plannedRequests(list) {
  const rejected = new Set(list.invalid.map((r) => r.index));
  const plan = list.to.map((_, i) => i).filter((i) => !rejected.has(i));
  const requests = [];
  for (let first = 0; first < plan.length; first += PER_REQUEST) requests.push(plan.slice(first, first + PER_REQUEST));
  return requests;
}

/** What the sandbox does with a number it accepts: 0000 at the end lands in FailedList. */
export const failsInSandbox = (normalizedTo) => normalizedTo.endsWith("0000");

/**
 * Asserts that `ledger` (a CampaignResult) agrees exactly with `messages` (the sandbox's
 * records) for the list `to`:
 * - every recipient is there once, in order, in exactly one of the states, and the counts
 *   are those states' tallies and add up to the list's length;
 * - no number was recorded twice;
 * - every `sent` recipient was recorded exactly once, with the ledger's MessageId and RequestId;
 * - every recorded message belongs to a recipient the ledger shows as `sent` or `unknown`;
 * - `failed`, `rejected` and `skipped` recipients were not recorded; `failed` ones are those the
 *   sandbox's rule fails.
 * Returns the indexes per state, and the `unknown` ones split by whether they were recorded.
 */
export function assertLedgerAgrees(ledger, messages, to) {
  assert.equal(ledger.recipients.length, to.length, "one ledger line per recipient");
  const byState = Object.fromEntries(STATES.map((s) => [s, []]));
  ledger.recipients.forEach((r, i) => {
    assert.equal(r.index, i, "ledger in list order");
    assert.equal(r.to, to[i], `recipient ${i}: the number as given`);
    assert.ok(STATES.includes(r.state), `recipient ${i}: state ${r.state}`);
    byState[r.state].push(i);
  });
  assert.deepEqual(ledger.counts, Object.fromEntries(STATES.map((s) => [s, byState[s].length])), "counts are the states' tallies");
  assert.equal(STATES.reduce((sum, s) => sum + ledger.counts[s], 0), to.length, "counts add up to the list");

  const recorded = new Map();
  for (const m of messages) {
    assert.ok(!recorded.has(m.to), `${m.to} recorded twice (requests ${recorded.get(m.to)?.requestId} and ${m.requestId})`);
    recorded.set(m.to, m);
  }
  const byNumber = new Map();
  for (const r of ledger.recipients) if (r.normalizedTo !== null && r.state !== "rejected") byNumber.set(r.normalizedTo, r);
  for (const m of messages) {
    const r = byNumber.get(m.to);
    assert.ok(r, `${m.to} was recorded but is in no request of the ledger`);
    assert.ok(r.state === "sent" || r.state === "unknown", `${m.to} (recipient ${r.index}) was recorded but the ledger says ${r.state}`);
  }
  for (const i of byState.sent) {
    const r = ledger.recipients[i];
    const m = recorded.get(r.normalizedTo);
    assert.ok(m, `recipient ${i} (${r.normalizedTo}) is sent in the ledger but was never recorded`);
    assert.equal(r.messageId, m.messageId, `recipient ${i}: MessageId`);
    assert.equal(r.requestId, m.requestId, `recipient ${i}: RequestId`);
    assert.ok(!failsInSandbox(r.normalizedTo), `recipient ${i} should have failed`);
  }
  for (const i of byState.failed) {
    const r = ledger.recipients[i];
    assert.ok(failsInSandbox(r.normalizedTo), `recipient ${i} (${r.normalizedTo}) failed, but the sandbox fails only ...0000`);
    assert.equal(typeof r.requestId, "string", `recipient ${i}: a failed recipient has its request's RequestId`);
  }
  for (const state of ["failed", "rejected", "skipped"]) {
    for (const i of byState[state]) {
      const r = ledger.recipients[i];
      // A rejected repeat shares its number with the first occurrence, which may be recorded.
      const own = r.normalizedTo !== null && !(state === "rejected" && r.duplicateOf !== null);
      assert.ok(!own || !recorded.has(r.normalizedTo), `recipient ${i} is ${state} but was recorded`);
      assert.equal(r.messageId, null, `recipient ${i} is ${state} and has a MessageId`);
    }
  }
  const unknownRecorded = byState.unknown.filter((i) => recorded.has(ledger.recipients[i].normalizedTo));
  const unknownNotRecorded = byState.unknown.filter((i) => !recorded.has(ledger.recipients[i].normalizedTo));
  return { byState, unknownRecorded, unknownNotRecorded };
}

/** The indexes of `request` whose numbers the sandbox would record if it processed it. */
export function deliverable(ledger, indexes) {
  return indexes.filter((i) => !failsInSandbox(ledger.recipients[i].normalizedTo));
}
