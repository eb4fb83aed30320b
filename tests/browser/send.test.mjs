// Sending from the page to the sandbox (1 call/s, like the service): every recipient's outcome
// shown, exactly the valid ones recorded, the secret nowhere in the page in signing-service mode,
// direct keys never stored, unknown outcomes shown as unknown, and the whole flow by keyboard.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import {
  DEFAULT_KEY,
  FIVE_VALID as VALID,
  SECRET,
  FIVE,
  indexedDbContents,
  resultRows,
  screenshot,
  sendAndWait,
  useStack,
  summaryContains,
  tabTo,
  waitForOutcome,
  withPage,
} from "./harness.mjs";


/** Everything the page holds or sent that a secret could hide in. */
async function everythingThePageHas(opened) {
  const { page, context, requests, answers } = opened;
  const inPage = await page.evaluate(async () => ({
    dom: document.documentElement.outerHTML,
    values: [...document.querySelectorAll("input, textarea, select")].map((e) => e.value),
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    databases: JSON.stringify(await indexedDB.databases()),
    cookie: document.cookie,
  }));
  return {
    ...inPage,
    indexedDb: await indexedDbContents(page),
    cookies: JSON.stringify(await context.cookies()),
    requests: JSON.stringify(requests),
    answers: JSON.stringify(answers),
  };
}

describe("sending from the page", () => {
  let stack;
  let browser;
  useStack({ before, after, beforeEach }, (s, b) => ([stack, browser] = [s, b]));

  test("signing service: every recipient's outcome, exactly the valid ones recorded, the secret nowhere", async () => {
    await withPage(browser, stack, "signing-service", async (opened) => {
      const { page, requests } = opened;
      assert.equal(await page.isChecked('input[name="signing"][value="service"]'), true, "the signing service is the default");
      assert.equal(await page.isHidden("#direct-keys"), true);
      await page.fill("#recipients", FIVE.join("\n"));
      await page.fill("#message", "您的验证码是 482913，5分钟内有效。");
      await page.fill("#from", "Alicloud");
      await summaryContains(page, "3 valid");
      await sendAndWait(page);

      assert.equal(await page.isHidden("#send-error"), true, await page.textContent("#send-error"));
      const recorded = stack.sandbox.messages();
      assert.deepEqual(recorded.map((m) => m.to), VALID, "the sandbox recorded exactly the valid recipients");
      assert.ok(recorded.every((m) => m.from === "Alicloud" && m.message === "您的验证码是 482913，5分钟内有效。"));

      const rows = await resultRows(page);
      assert.deepEqual(
        rows.map((r) => [r.line, r.number, r.state, r.sentAs, r.messageId]),
        [
          [1, FIVE[0], "sent", VALID[0], recorded[0].messageId],
          [2, FIVE[1], "sent", VALID[1], recorded[1].messageId],
          [3, FIVE[2], "rejected", "", ""],
          [4, FIVE[3], "rejected", "", ""],
          [5, FIVE[4], "sent", VALID[2], recorded[2].messageId],
        ],
      );
      // One request: its RequestId shown once, on its first row; every sent row belongs to it.
      assert.ok(rows.filter((r) => r.state === "sent").every((r) => r.request === recorded[0].requestId));
      assert.deepEqual(rows.map((r) => r.requestId), [recorded[0].requestId, "", "", "", ""]);
      assert.match(rows[3].reason, /Chinese mainland/);
      assert.match(await page.textContent("#result-summary"), /5 recipients: 3 sent, 0 failed, 2 rejected, 0 unknown, 0 skipped \(1 request\)\./);
      assert.equal(await page.getAttribute("#progress", "value"), "1");
      await screenshot(page, "sent");

      // The page asked /sign, then sent what came back to the sandbox, signed (Signature 1.0).
      const sign = requests.filter((r) => new URL(r.url).pathname === "/sign");
      const api = requests.filter((r) => r.url.startsWith(stack.sandbox.url));
      assert.equal(sign.length, 1);
      assert.deepEqual(JSON.parse(sign[0].body).to, VALID);
      assert.equal(api.length, 1);
      assert.match(api[0].url, /[?&]Signature=/);
      assert.match(api[0].url, new RegExp(`AccessKeyId=${DEFAULT_KEY.accessKeyId}`));

      const seen = await everythingThePageHas(opened);
      for (const [where, text] of Object.entries(seen)) {
        assert.ok(!String(text).includes(SECRET), `the secret is in the page's ${where}`);
        assert.ok(!String(text).includes(encodeURIComponent(SECRET)), `the secret (URL-encoded) is in the page's ${where}`);
      }
      assert.equal(seen.local, "{}");
      assert.equal(seen.session, "{}");
      assert.equal(seen.cookies, "[]");
      // IndexedDB holds the campaign and its journal (issue 16), and the detector read it.
      assert.match(seen.indexedDb, /"campaigns"|campaigns/);
      assert.ok(seen.indexedDb.includes(recorded[0].messageId), "the journal holds the campaign's MessageIds");

      // The results filtered by state, and at 360 px nothing scrolls sideways.
      await page.check('input[name="result-filter"][value="rejected"]');
      assert.deepEqual((await resultRows(page)).map((r) => r.line), [3, 4]);
      await page.check('input[name="result-filter"][value="all"]');
      await page.setViewportSize({ width: 360, height: 780 });
      const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      assert.ok(scroll <= client, `page scrolls sideways at 360 px: ${scroll} > ${client}`);
      await screenshot(page, "sent-360");
    });
  });

  test("direct keys: a visible warning, the keys sent nowhere but the signature, stored nowhere, gone on reload", async () => {
    await withPage(browser, stack, "direct-keys", async (opened) => {
      const { page, requests } = opened;
      await page.check('input[name="signing"][value="direct"]');
      assert.equal(await page.isVisible("#direct-keys .warning"), true);
      assert.match(await page.textContent("#direct-keys .warning"), /in memory only/);
      assert.equal(await page.inputValue("#endpoint"), stack.sandbox.url, "the sandbox by default");
      await page.fill("#access-key-id", DEFAULT_KEY.accessKeyId);
      await page.fill("#access-key-secret", SECRET);
      await page.fill("#recipients", "+852 9123 4567\n+65 9123 4567");
      await page.fill("#message", "Direct keys, sandbox only");
      await summaryContains(page, "2 valid");
      // The detector sees what a person typed (so its silence in the other test means something).
      assert.ok((await everythingThePageHas(opened)).values.includes(SECRET));
      await sendAndWait(page);

      assert.deepEqual((await resultRows(page)).map((r) => r.state), ["sent", "sent"]);
      assert.deepEqual(stack.sandbox.messages().map((m) => m.to), ["85291234567", "6591234567"]);
      assert.equal(requests.filter((r) => new URL(r.url).pathname === "/sign").length, 0, "direct keys sign in the page");
      // The secret signs; it never travels, and nothing keeps it.
      const seen = await everythingThePageHas(opened);
      assert.ok(!seen.requests.includes(SECRET));
      assert.ok(!seen.indexedDb.includes(SECRET) && !seen.indexedDb.includes(encodeURIComponent(SECRET)), "the secret is in IndexedDB");
      assert.deepEqual([seen.local, seen.session, seen.cookies], ["{}", "{}", "[]"]);

      await page.reload();
      await page.waitForSelector("body[data-ready=true]");
      await page.check('input[name="signing"][value="direct"]');
      assert.equal(await page.inputValue("#access-key-secret"), "", "the secret does not survive a reload");
      assert.equal(await page.inputValue("#access-key-id"), "");
    });
  });

  test("an answer cut half-way (truncatedJson): unknown rows and a warning, never a false success", async () => {
    await withPage(browser, stack, "truncated", async (opened) => {
      const { page } = opened;
      stack.sandbox.inject({ kind: "truncatedJson" });
      await page.fill("#recipients", FIVE.join("\n"));
      await page.fill("#message", "Your code is 4821");
      await summaryContains(page, "3 valid");
      await sendAndWait(page);

      assert.equal(await page.getAttribute("#send-error", "data-code"), "OUTCOME_UNKNOWN");
      assert.match(await page.textContent("#send-error"), /marked unknown/);
      const rows = await resultRows(page);
      assert.deepEqual(rows.map((r) => r.state), ["unknown", "unknown", "rejected", "rejected", "unknown"]);
      assert.ok(rows.every((r) => r.messageId === ""), "no MessageId is invented");
      assert.match(await page.textContent("#result-summary"), /0 sent, 0 failed, 2 rejected, 3 unknown/);
      // And it was right not to claim failure either: the sandbox did record them.
      assert.deepEqual(stack.sandbox.messages().map((m) => m.to), VALID);
      await screenshot(page, "unknown");
    });
  });

  test("no answer at all (hangAfterAccept) with a 1.5 s timeout: unknown rows, never resent", async () => {
    await withPage(browser, stack, "hang", async (opened) => {
      const { page } = opened;
      stack.sandbox.inject({ kind: "hangAfterAccept" });
      await page.click("details summary");
      await page.fill("#timeout", "1500");
      await page.fill("#recipients", FIVE.join("\n"));
      await page.fill("#message", "Your code is 4821");
      await summaryContains(page, "3 valid");
      await sendAndWait(page);

      assert.equal(await page.getAttribute("#send-error", "data-code"), "OUTCOME_UNKNOWN");
      const rows = await resultRows(page);
      assert.deepEqual(rows.map((r) => r.state), ["unknown", "unknown", "rejected", "rejected", "unknown"]);
      assert.match(rows[0].reason, /^may have been sent.* OUTCOME_UNKNOWN$/);
      assert.equal(stack.sandbox.requests().length, 1, "never resent");
    });
  });

  test("keyboard only: compose, send, filter the results and export them as CSV", async () => {
    await withPage(browser, stack, "keyboard", async (opened) => {
      const { page } = opened;
      await tabTo(page, "#recipients");
      await page.keyboard.type(FIVE.join("\n"));
      await tabTo(page, "#message");
      await page.keyboard.type("Your parcel is on its way");
      await tabTo(page, "#type");
      await page.keyboard.press("ArrowDown"); // MKT
      await summaryContains(page, "3 valid");
      assert.equal(await page.inputValue("#type"), "MKT");
      // A problem's line number selects that line in the recipients box.
      await tabTo(page, "#problems button[data-line='3']");
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate(() => {
        const box = document.activeElement;
        return box.id === "recipients" ? box.value.slice(box.selectionStart, box.selectionEnd) : null;
      }), FIVE[2]);
      await tabTo(page, "#send");
      await page.keyboard.press("Enter");
      // The confirm step opens with the focus on its Send.
      await page.waitForSelector("#confirm[open]");
      assert.equal(await page.evaluate(() => document.activeElement.id), "confirm-send");
      await page.keyboard.press("Enter");
      await waitForOutcome(page);
      assert.equal(await page.evaluate(() => document.activeElement.id), "h-results", "the focus moves to the results");
      assert.deepEqual(stack.sandbox.messages().map((m) => [m.to, m.type]), VALID.map((to) => [to, "MKT"]));

      // The filter is a radio group: arrows move between states.
      await tabTo(page, 'input[name="result-filter"]');
      await page.keyboard.press("ArrowRight");
      await page.waitForFunction(() => document.querySelector('input[name="result-filter"]:checked')?.value === "sent");
      assert.deepEqual((await resultRows(page)).map((r) => r.state), ["sent", "sent", "sent"]);
      assert.equal(await page.evaluate(() => document.activeElement.value), "sent", "the focus stays on the filter");

      await tabTo(page, "#export");
      const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
      assert.match(download.suggestedFilename(), /^sms-results-.*-sent\.csv$/);
      // The package's writer (resultsCsv): a BOM for Excel, then the header and CRLF rows.
      const text = await readFile(await download.path(), "utf8");
      assert.ok(text.startsWith("\uFEFFline,") && text.endsWith("\r\n"));
      const csv = text.trim().split("\r\n");
      assert.equal(csv[0], "line,to,normalizedTo,state,messageId,requestId,code,reason");
      assert.equal(csv.length, 4);
      const messageIds = stack.sandbox.messages().map((m) => m.messageId);
      const lines = [1, 2, 5];
      csv.slice(1).forEach((line, i) => {
        assert.ok(line.startsWith(`${lines[i]},${FIVE[lines[i] - 1]},${VALID[i]},sent,${messageIds[i]},`), line);
      });
    });
  });
});
