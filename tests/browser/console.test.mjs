// Issue 16: the page as a console a support person trusts. The confirm step shows the package's
// own numbers; a batch already sent is not sent again without an explicit "Send again"; a
// batch-level problem turns Send off and is shown at its field; a reload mid-campaign (at the
// sandbox's real 1 call/s) is resumed with every number sent exactly once; delivery reports
// pushed by the sandbox appear in the table; all by keyboard, at 360 px, and the secret nowhere.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { costlyCharacters, planCampaign } from "../../pkg/node.js";
import {
  FIVE_VALID as VALID,
  SECRET,
  FIVE,
  confirmFigures,
  indexedDbContents,
  openConfirm,
  paste,
  resultRows,
  screenshot,
  useStack,
  summaryContains,
  tabTo,
  waitForOutcome,
  withPage,
} from "./harness.mjs";

// 81 GSM-7 characters and one check mark: UCS-2, so two segments instead of one.
const WITH_CHECK = `Your order has shipped and will arrive on Friday between 9 and 12. Thank you! \u2713 Acme`;

/** The secret, plain or URL-encoded, in anything the page holds, stored or sent. */
async function assertNoSecret(opened) {
  const { page, context, requests, answers } = opened;
  const seen = {
    dom: await page.evaluate(() => document.documentElement.outerHTML),
    values: JSON.stringify(await page.$$eval("input, textarea, select", (all) => all.map((e) => e.value))),
    storage: await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })),
    indexedDb: await indexedDbContents(page),
    cookies: JSON.stringify(await context.cookies()),
    requests: JSON.stringify(requests),
    answers: JSON.stringify(answers),
  };
  for (const [where, text] of Object.entries(seen)) {
    assert.ok(!text.includes(SECRET) && !text.includes(encodeURIComponent(SECRET)), `the secret is in the page's ${where}`);
  }
  return seen;
}

describe("the page as a console", () => {
  let stack;
  let browser;
  useStack({ before, after, beforeEach }, (s, b) => ([stack, browser] = [s, b]));

  test("confirm step with the package's numbers; a second Send does not send until 'Send again' (keyboard only)", async () => {
    await withPage(browser, stack, "confirm", async (opened) => {
      const { page } = opened;
      await tabTo(page, "#recipients");
      await page.keyboard.type(FIVE.join("\n"));
      await tabTo(page, "#message");
      await page.keyboard.insertText(WITH_CHECK);
      await tabTo(page, "#from");
      await page.keyboard.type("Acme");
      await summaryContains(page, "3 valid");
      // Line numbers beside the recipients, one per line.
      assert.equal(await page.textContent("#recipients-lines"), "1\n2\n3\n4\n5");

      // The character that forces UCS-2, named (1-based) and marked, as the package finds it.
      const costly = costlyCharacters(WITH_CHECK);
      assert.deepEqual([costly.encoding, costly.total, costly.characters[0].character], ["UCS-2", 1, "\u2713"]);
      await page.waitForSelector("#message-costly:not([hidden])");
      assert.match(await page.textContent("#costly-note"), new RegExp(`^“\u2713” \\(character ${costly.characters[0].at + 1}\\) is not in the GSM-7 alphabet`));
      assert.deepEqual(await page.$$eval("#costly-text mark.ucs2", (marks) => marks.map((m) => m.textContent)), ["\u2713"]);
      assert.equal(await page.textContent("#message-count"), `UCS-2 · ${WITH_CHECK.length} characters · 2 segments`);

      // Send, by keyboard: the confirm step, its figures the package's own.
      await tabTo(page, "#send");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#confirm[open]");
      const plan = planCampaign({ to: FIVE, message: WITH_CHECK, from: "Acme", type: "NOTIFY", taskId: "" });
      assert.deepEqual(await confirmFigures(page), {
        valid: String(plan.valid),
        rejected: String(plan.rejected),
        segments: String(plan.segments),
        encoding: "UCS-2",
        requests: String(plan.requests),
        seconds: plan.seconds < 1 ? "under 1 s" : `about ${Math.ceil(plan.seconds)} s`,
        from: "Acme",
        type: "NOTIFY",
      });
      assert.deepEqual([plan.valid, plan.rejected, plan.segments, plan.requests], [3, 2, 6, 1]);
      assert.equal(stack.sandbox.messages().length, 0, "nothing is sent before the confirm step's Send");
      await screenshot(page, "confirm", { fullPage: false });
      assert.equal(await page.evaluate(() => document.activeElement.id), "confirm-send");
      await page.keyboard.press("Enter");
      await waitForOutcome(page);
      assert.deepEqual(stack.sandbox.messages().map((m) => m.to), VALID);
      await screenshot(page, "sent-once");

      // A second Send: the confirm step warns, offers only "Send again", and sends nothing.
      const recorded = JSON.stringify(stack.sandbox.messages());
      // With the mouse: a click, then a click where the first step's Send was.
      await page.click("#send");
      await page.waitForSelector("#confirm[open]");
      assert.equal(await page.isHidden("#confirm-send"), true);
      await page.click("#confirm-cancel");
      await page.waitForFunction(() => !document.getElementById("confirm").open);
      assert.equal(JSON.stringify(stack.sandbox.messages()), recorded, "a second click sent nothing");
      // By keyboard, from the results.
      await page.focus("#h-results");
      await tabTo(page, "#send", { shift: true, max: 200 });
      await page.keyboard.press("Enter");
      await page.waitForSelector("#confirm[open]");
      assert.equal(await page.isVisible("#confirm-repeat"), true);
      assert.match(await page.textContent("#confirm-repeat"), /already sent once .*: 3 recipients already received it\./);
      assert.equal(await page.isHidden("#confirm-send"), true, "no plain Send for a batch already sent");
      assert.equal(await page.textContent("#send-again"), "Send again to 3 recipients");
      // The focus starts on Cancel: Enter alone does not send twice.
      assert.equal(await page.evaluate(() => document.activeElement.id), "confirm-cancel");
      await screenshot(page, "send-again-confirm", { fullPage: false });
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => !document.getElementById("confirm").open);
      assert.equal(JSON.stringify(stack.sandbox.messages()), recorded, "Cancel sent nothing");
      // Escape too.
      await page.keyboard.press("Enter"); // the focus is back on Send
      await page.waitForSelector("#confirm[open]");
      await page.keyboard.press("Escape");
      await page.waitForFunction(() => !document.getElementById("confirm").open);
      assert.equal(JSON.stringify(stack.sandbox.messages()), recorded, "Escape sent nothing");

      // Only "Send again", confirmed, sends; the previous results leave the screen at once.
      await page.keyboard.press("Enter");
      await page.waitForSelector("#confirm[open]");
      await tabTo(page, "#send-again", { shift: true });
      await page.keyboard.press("Enter");
      assert.equal(await page.isHidden("#results"), true, "the previous batch's results are gone during a new send");
      await waitForOutcome(page);
      assert.deepEqual(stack.sandbox.messages().map((m) => m.to), [...VALID, ...VALID]);
      const rows = await resultRows(page);
      assert.deepEqual(rows.map((r) => r.state), ["sent", "sent", "rejected", "rejected", "sent"]);
      // The second request's RequestId, once.
      assert.deepEqual(rows.map((r) => r.requestId), [stack.sandbox.messages()[3].requestId, "", "", "", ""]);
      await assertNoSecret(opened);
    });
  });

  test("a batch-level problem: Send is off, the field is marked and says why, once", async () => {
    await withPage(browser, stack, "batch-problem", async (opened) => {
      const { page } = opened;
      await page.fill("#recipients", FIVE.join("\n"));
      await page.fill("#message", "Your code is 4821");
      await page.fill("#from", "AcmeNotifications");
      await summaryContains(page, "Fix the sender ID");
      assert.equal(await page.isDisabled("#send"), true);
      assert.equal(await page.getAttribute("#from", "aria-invalid"), "true");
      const said = await page.textContent("#from-error");
      assert.match(said, /^This sender ID is too long\. The sender ID is 17 characters long; one with a letter may have at most 11\. SENDER_ID_TOO_LONG$/);
      assert.equal(await page.getAttribute("#from-error", "data-codes"), "SENDER_ID_TOO_LONG");
      // Said once: beside the field (and why Send is off), not again in the list below the summary.
      assert.doesNotMatch(await page.textContent("#batch-issues"), /sender ID/i);
      assert.match(await page.textContent("#send-note"), /^Fix the sender ID \(From\) first: This sender ID is too long/);
      // The field's description includes the reason (screen readers read it with the field).
      assert.match(await page.getAttribute("#from", "aria-describedby"), /\bfrom-error\b/);
      // Enter in a field does not submit past a disabled Send.
      await page.focus("#from");
      await page.keyboard.press("Enter");
      assert.equal(await page.isHidden("#confirm"), true);
      await screenshot(page, "batch-problem", { fullPage: false });

      // At 360 px: one column, nothing sticks out, the reason still beside the field.
      await page.setViewportSize({ width: 360, height: 780 });
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      assert.ok(widths.scroll <= widths.client, `page scrolls sideways at 360 px: ${widths.scroll} > ${widths.client}`);
      await page.evaluate(() => document.getElementById("from").scrollIntoView({ block: "center" }));
      await screenshot(page, "batch-problem-360", { fullPage: false });

      // Positions from 1: the package says '!' is at position 4 from 0.
      await page.fill("#from", "Acme!");
      await page.waitForFunction(() => document.getElementById("from-error").dataset.codes === "SENDER_ID_INVALID_CHARACTER");
      assert.equal(
        await page.textContent("#from-error"),
        "A sender ID may hold only the letters A to Z and digits. The sender ID contains '!' at position 5; only ASCII letters and digits are allowed. SENDER_ID_INVALID_CHARACTER",
      );
      await page.fill("#from", "Acme");
      await summaryContains(page, "3 valid");
      await page.waitForFunction(() => !document.getElementById("send").disabled);
      assert.equal(await page.getAttribute("#from", "aria-invalid"), null);
      assert.equal(await page.isHidden("#from-error"), true);
      assert.equal(stack.sandbox.messages().length, 0);
    });
  });

  test("Send stays in view on a long page, wide and at 360 px", async () => {
    await withPage(browser, stack, "send-in-view", async (opened) => {
      const { page } = opened;
      const numbers = Array.from({ length: 300 }, (_, i) => `+852 6${String(i + 1).padStart(7, "0")}${i % 50 === 3 ? "x" : ""}`);
      await paste(page, "#recipients", numbers.join("\n"));
      await page.fill("#message", "Our sale starts today");
      await summaryContains(page, "300 recipients");
      const inView = () =>
        page.evaluate(() => {
          const r = document.getElementById("send").getBoundingClientRect();
          return r.top >= 0 && r.bottom <= window.innerHeight;
        });
      for (const [width, height] of [[1100, 700], [360, 700]]) {
        await page.setViewportSize({ width, height });
        for (const y of [0, 400]) {
          await page.evaluate((top) => window.scrollTo(0, top), y);
          assert.equal(await inView(), true, `Send out of view at ${width} px, scrolled to ${y}`);
        }
      }
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.setViewportSize({ width: 1100, height: 700 });
      await screenshot(page, "layout", { fullPage: false });
      await page.setViewportSize({ width: 360, height: 700 });
      await screenshot(page, "layout-360", { fullPage: false });
    });
  });

  test("reload mid-campaign at 1 call/s, then resume: every number sent exactly once", async () => {
    await withPage(browser, stack, "resume", async (opened) => {
      const { page } = opened;
      const numbers = Array.from({ length: 2500 }, (_, i) => `+852 6${String(i + 1).padStart(7, "0")}`);
      await paste(page, "#recipients", numbers.join("\n"));
      await page.fill("#message", "Our sale starts today");
      await summaryContains(page, "2,500 recipients");
      await openConfirm(page);
      assert.equal((await confirmFigures(page)).requests, "3");
      await page.click("#confirm-send");
      // The first request done, the package waiting for the next second's slot: reload.
      await page.waitForFunction(() => document.getElementById("progress-text").textContent.startsWith("Request 1 of 3 done"));
      await page.reload();
      await page.waitForSelector("body[data-ready=true]");
      const afterReload = stack.sandbox.messages().length;

      // The offer, with what the journal proves so far.
      await page.waitForSelector("#resume:not([hidden])");
      const offer = await page.textContent("#resume-text");
      assert.match(offer, /to 2,500 recipients, and not finished/);
      assert.match(offer, new RegExp(`\\d of 3 requests done: ${afterReload.toLocaleString("en")} sent, 0 failed, 0 rejected, 0 unknown\\.`));
      assert.equal(await page.evaluate(() => document.activeElement.id), "h-resume");
      // The form shows the campaign as it was composed.
      assert.equal(await page.inputValue("#recipients"), numbers.join("\n"));
      assert.equal(await page.inputValue("#message"), "Our sale starts today");
      await screenshot(page, "resume-offer", { fullPage: false });

      // Resumed by keyboard.
      await tabTo(page, "#resume-go");
      await page.keyboard.press("Enter");
      await waitForOutcome(page, { timeout: 60_000 });
      assert.equal(await page.isHidden("#send-error"), true, await page.textContent("#send-error"));
      assert.match(await page.textContent("#result-summary"), /^2,500 recipients: 2,500 sent, 0 failed, 0 rejected, 0 unknown, 0 skipped \(3 requests\)\./);

      // The sandbox's record: each number exactly once, and three requests accepted in all.
      const recorded = stack.sandbox.messages().map((m) => m.to);
      assert.equal(recorded.length, 2500);
      assert.equal(new Set(recorded).size, 2500);
      assert.deepEqual([...recorded].sort(), numbers.map((n) => n.replace(/\D/g, "")).sort());
      assert.equal(new Set(stack.sandbox.messages().map((m) => m.requestId)).size, 3);
      await screenshot(page, "resumed", { fullPage: false });

      // The campaign is over: no offer after another reload, and the form is the campaign's.
      await page.reload();
      await page.waitForSelector("body[data-ready=true]");
      assert.equal(await page.isHidden("#resume"), true);
      await assertNoSecret(opened);
    });
  });

  test("a second tab never offers to resume a campaign another tab is still sending", async () => {
    await withPage(browser, stack, "two-tabs", async (opened) => {
      const { page, context } = opened;
      const numbers = Array.from({ length: 2500 }, (_, i) => `+852 6${String(i + 1).padStart(7, "0")}`);
      await paste(page, "#recipients", numbers.join("\n"));
      await page.fill("#message", "Our sale starts today");
      await summaryContains(page, "2,500 recipients");
      await openConfirm(page);
      await page.click("#confirm-send");
      await page.waitForFunction(() => document.getElementById("progress-text").textContent.startsWith("Request 1 of 3 done"));
      // The same browser profile (one context), another tab, while the first is sending.
      const other = await context.newPage();
      await other.goto(stack.url);
      await other.waitForSelector("body[data-ready=true]");
      assert.equal(await other.isHidden("#resume"), true, "the other tab offered to resume a campaign being sent");
      await waitForOutcome(page, { timeout: 60_000 });
      assert.match(await page.textContent("#result-summary"), /^2,500 recipients: 2,500 sent/);
      const recorded = stack.sandbox.messages().map((m) => m.to);
      assert.equal(new Set(recorded).size, 2500);
      assert.equal(recorded.length, 2500);
      // Once it is over, a reload of the other tab offers nothing either.
      await other.reload();
      await other.waitForSelector("body[data-ready=true]");
      assert.equal(await other.isHidden("#resume"), true);
    });
  });

  test("a browser that refuses IndexedDB: the page says so, still sends, and still guards a repeat", async () => {
    const context = await browser.newContext();
    try {
      await context.addInitScript(() => Object.defineProperty(window, "indexedDB", { value: undefined }));
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (error) => errors.push(String(error)));
      await page.goto(stack.url);
      await page.waitForSelector("body[data-ready=true]");
      assert.match(await page.textContent("#target"), /keeps no record of campaigns, so a campaign cut off by a reload cannot be resumed/);
      await page.fill("#recipients", "+852 9123 4567");
      await page.fill("#message", "Your code is 4821");
      await summaryContains(page, "1 valid");
      await openConfirm(page);
      await page.click("#confirm-send");
      await waitForOutcome(page);
      assert.equal(stack.sandbox.messages().length, 1);
      await openConfirm(page);
      assert.match(await page.textContent("#confirm-repeat"), /1 recipient already received it/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("delivery outcomes pushed by the sandbox appear in the table, with counts", async () => {
    await withPage(browser, stack, "delivery", async (opened) => {
      const { page } = opened;
      // The sandbox decides by the last four digits: 9999 undelivered, 8888 expired, 7777 never final.
      const numbers = ["+65 9123 4567", "+852 9123 9999", "+852 9123 8888", "+852 9123 7777", "+853 6612 0000"];
      await page.fill("#recipients", numbers.join("\n"));
      await page.fill("#message", "Your parcel is on its way");
      await summaryContains(page, "5 valid");
      await openConfirm(page);
      await page.click("#confirm-send");
      await waitForOutcome(page);
      await page.waitForFunction(() => document.getElementById("delivery-summary").textContent.includes("1 delivered"), null, { timeout: 20_000 });
      await page.waitForFunction(() => /1 delivered, 1 undelivered, 1 expired, 1 pending/.test(document.getElementById("delivery-summary").textContent), null, { timeout: 20_000 });

      const rows = await resultRows(page);
      assert.deepEqual(
        rows.map((r) => [r.number, r.state, r.delivery]),
        [
          [numbers[0], "sent", "delivered"],
          [numbers[1], "sent", "undelivered (UNDELIV)"],
          [numbers[2], "sent", "expired (EXPIRED)"],
          [numbers[3], "sent", "pending"],
          [numbers[4], "failed", ""],
        ],
      );
      // The same outcomes the sandbox decided and pushed.
      const outcomes = Object.fromEntries(stack.sandbox.messages().map((m) => [m.messageId, m.outcome]));
      assert.deepEqual(rows.slice(0, 4).map((r) => outcomes[r.messageId]), ["delivered", "undelivered", "expired", "pending"]);
      assert.ok(stack.sandbox.pushes().some((p) => p.result === "acknowledged"), "the page server acknowledged the pushes");
      assert.match(await page.textContent("#result-summary"), /5 recipients: 4 sent, 1 failed, 0 rejected, 0 unknown, 0 skipped/);
      assert.equal(await page.textContent("#delivery-summary"), "Delivery: 1 delivered, 1 undelivered, 1 expired, 1 pending.");
      await screenshot(page, "delivery");
      await page.setViewportSize({ width: 360, height: 780 });
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      assert.ok(widths.scroll <= widths.client, `page scrolls sideways at 360 px: ${widths.scroll} > ${widths.client}`);
      await page.evaluate(() => document.getElementById("results").scrollIntoView());
      await screenshot(page, "delivery-360", { fullPage: false });
      await assertNoSecret(opened);
    });
  });
});
