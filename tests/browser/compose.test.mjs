// Composing in the page: live checks as a person types, each bad row marked with the package's
// own reason, the counts, per-message encoding and segments, a CSV file, a 1000-row paste, and
// a 360 px wide screen. Nothing is sent here.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { countSegments, validateBatch } from "../../pkg/node.js";
import {
  FIVE,
  problemRows,
  screenshot,
  useStack,
  summaryContains,
  withPage,
} from "./harness.mjs";

const CHINESE = "您的验证码是 482913，5分钟内有效。";
// 71 UTF-16 units of UCS-2: one over a single segment's 70, so two segments of 67.
const CHINESE_LONG = "尊敬的客户，您的订单已发货，预计三天内送达。如有疑问，请致电客服热线查询详情。感谢您的惠顾，祝您生活愉快！我们期待再次为您服务。欢迎再次光临！";

describe("composing a batch", () => {
  let stack;
  let browser;
  useStack({ before, after }, (s, b) => ([stack, browser] = [s, b]), { reset: false });

  test("five typed recipients, one invalid and one mainland: those two rows marked, 3 of 5 valid", async () => {
    await withPage(browser, stack, "five", async (opened) => {
      const { page } = opened;
      await page.click("#recipients");
      await page.keyboard.type(FIVE.join("\n"));
      await page.click("#message");
      await page.keyboard.type("Your code is 4821");

      // The last keystroke's check (a pause while typing may have drawn one without the message).
      const summary = await summaryContains(page, "3 segments");
      assert.match(summary, /5 recipients: 3 valid, 2 with problems\./);
      assert.match(summary, /3 segments to bill\./);
      assert.equal(await page.textContent("#send"), "Send to 3 recipients");

      const rows = await problemRows(page);
      assert.deepEqual(rows, [
        { line: 3, number: "+852 9123 456x", codes: "RECIPIENT_INVALID_CHARACTER" },
        { line: 4, number: "+86 138 0013 8000", codes: "RECIPIENT_MAINLAND_CHINA" },
      ]);
      // The reasons are the package's (its codes, its facts), in plain words first, with lines and
      // positions counted from 1 (issue 16): no "to[2]", no "(from 0)", the code last.
      const shown = await page.$$eval("#problems tbody tr td:nth-child(3)", (cells) => cells.map((c) => c.textContent));
      const issues = validateBatch({ to: FIVE, message: "Your code is 4821" });
      assert.deepEqual(shown.map((text) => text.split(" ").at(-1)), issues.map((i) => i.code));
      assert.match(issues[0].message, /'x' at position 13 \(from 0\)/);
      assert.match(shown[0], /^This number has a character a phone number cannot have\. The number contains 'x' at position 14; /);
      assert.equal(shown[1], "Numbers in the Chinese mainland (+86) cannot be reached by this service; Hong Kong (+852), Macau (+853) and Taiwan (+886) can. RECIPIENT_MAINLAND_CHINA");
      assert.ok(shown.every((text) => !/to\[\d+\]|from 0/.test(text)), shown.join(" | "));
      // The refused character is marked in the number.
      assert.equal(await page.textContent("#problems tbody tr[data-index='2'] td:nth-child(2) mark.refused"), "x");
      assert.equal(await page.textContent("#message-count"), "GSM-7 · 17 characters · 1 segment");

      // A fixed row is unmarked as the person types.
      await page.fill("#recipients", FIVE.map((n) => n.replace("456x", "4568")).join("\n"));
      assert.match(await summaryContains(page, "4 valid"), /5 recipients: 4 valid, 1 with problems\./);
      assert.deepEqual((await problemRows(page)).map((r) => r.line), [4]);

      // A duplicate is marked with the line it repeats.
      await page.fill("#recipients", [...FIVE, "+852-9123-4567"].join("\n"));
      await summaryContains(page, "6 recipients");
      const duplicate = (await problemRows(page)).find((r) => r.line === 6);
      assert.equal(duplicate.codes, "RECIPIENT_DUPLICATE");
      const said = await page.textContent("#problems tbody tr[data-index='5'] td:nth-child(3)");
      assert.equal(said, "This number is already on line 1. RECIPIENT_DUPLICATE");
    });
  });

  test("a Chinese message shows UCS-2, its characters and the right segment count", async () => {
    await withPage(browser, stack, "chinese", async (opened) => {
      const { page } = opened;
      await page.fill("#recipients", FIVE.join("\n"));
      await page.fill("#message", CHINESE);
      await summaryContains(page, "5 recipients");
      const short = countSegments(CHINESE);
      assert.deepEqual(short, { encoding: "UCS-2", characters: 21, units: 21, segments: 1 });
      await page.waitForFunction(() => document.getElementById("message-count").textContent.startsWith("UCS-2"));
      assert.equal(await page.textContent("#message-count"), "UCS-2 · 21 characters · 1 segment");
      await screenshot(page, "composed");

      await page.fill("#message", CHINESE_LONG);
      const long = countSegments(CHINESE_LONG);
      assert.deepEqual([long.encoding, long.characters, long.segments], ["UCS-2", 71, 2]);
      await page.waitForFunction(() => document.getElementById("message-count").textContent.includes("71"));
      assert.equal(await page.textContent("#message-count"), "UCS-2 · 71 characters · 2 segments");
      // What will be billed: 2 segments for each of the 3 valid recipients.
      assert.match(await summaryContains(page, "6 segments"), /3 valid, 2 with problems\. 6 segments to bill\./);
      const texts = await page.$$eval("#texts tbody tr", (rows) => rows.map((tr) => [...tr.cells].map((c) => c.textContent)));
      assert.deepEqual(texts, [[CHINESE_LONG, "3", "UCS-2", "71", "2", "6"]]);
    });
  });

  test("a CSV file with a header and number,message lines switches to one message per recipient", async () => {
    await withPage(browser, stack, "csv", async (opened) => {
      const { page } = opened;
      const csv = [
        "number,message",
        '+852 9123 4567,"Hello Ann, your table is ready"',
        "+65 9123 4567,您好",
        "+44 7700 900123,",
        "+852 9123 4567,Hello again",
      ].join("\r\n");
      await page.setInputFiles("#csv-file", { name: "batch.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      const summary = await summaryContains(page, "4 recipients");
      assert.match(summary, /4 recipients: 2 valid, 2 with problems\./);
      assert.equal(await page.isChecked('input[name="message-mode"][value="each"]'), true);
      assert.equal(await page.isHidden("#message"), true);
      // Lines as in the file (the header is line 1); reasons from the package.
      assert.deepEqual(await problemRows(page), [
        { line: 4, number: "+44 7700 900123", codes: "MESSAGE_EMPTY" },
        { line: 5, number: "+852 9123 4567", codes: "RECIPIENT_DUPLICATE" },
      ]);
      const texts = await page.$$eval("#texts tbody tr", (rows) => rows.map((tr) => [...tr.cells].map((c) => c.textContent)));
      assert.deepEqual(texts, [
        ["Hello Ann, your table is ready", "1", "GSM-7", "30", "1", "1"],
        ["您好", "1", "UCS-2", "2", "1", "1"],
      ]);
    });
  });

  test("pasted number,message lines: a text cut by an unquoted comma or a quote never closed is named with its line", async () => {
    await withPage(browser, stack, "csv-problems", async (opened) => {
      const { page } = opened;
      await page.check('input[name="message-mode"][value="each"]');
      await page.fill("#recipients", ["+852 9123 4567,Hello", "+65 9123 4567,Hi, Ann", '+44 7700 900123,"Open', "+852 9123 4568,lost"].join("\n"));
      // Only the first row is read: the second has a cell too many, the third opens a quote.
      const summary = await summaryContains(page, "1 recipient");
      assert.match(summary, /1 recipient: 1 valid, 0 with problems\./);
      const problems = await page.$$eval("#batch-issues li.problem", (items) => items.map((li) => li.textContent));
      assert.equal(problems.length, 2, problems.join(" | "));
      assert.match(problems[0], /^Line 2: This line has more cells than expected.* CSV_EXTRA_CELLS$/);
      assert.match(problems[1], /^Line 3: A quote opens on this line and never closes.* CSV_UNTERMINATED_QUOTE$/);
    });
  });

  test("a 1000-row paste is checked at once and draws only the rows with problems", async (t) => {
    await withPage(browser, stack, "paste-1000", async (opened) => {
      const { page } = opened;
      const numbers = Array.from({ length: 1000 }, (_, i) => (i % 100 === 7 ? `+86 139 ${String(1000_0000 + i)}` : `+852 6${String(i + 1).padStart(7, "0")}`));
      await page.fill("#message", "Our sale starts today");
      await summaryContains(page, "No recipients");
      // A paste as the page sees it: the value changes and one input event fires. Timed in the
      // page from that event to the summary drawn (150 ms of debounce included).
      const pasted = await page.evaluate(async (text) => {
        const box = document.getElementById("recipients");
        const drawn = new Promise((resolve) => {
          const seen = new MutationObserver(() => {
            if (document.getElementById("summary").textContent.includes("1,000 recipients")) {
              seen.disconnect();
              resolve(performance.now());
            }
          });
          seen.observe(document.getElementById("summary"), { childList: true, characterData: true, subtree: true });
        });
        const started = performance.now();
        box.value = text;
        box.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" }));
        return (await drawn) - started;
      }, numbers.join("\n"));
      const check = await page.evaluate(() => performance.getEntriesByName("check").at(-1).duration);
      assert.match(await page.textContent("#summary"), /1,000 recipients: 990 valid, 10 with problems\. 990 segments to bill\./);
      assert.equal((await problemRows(page)).length, 10);
      // Typing one more line re-checks the whole batch.
      await page.focus("#recipients");
      await page.keyboard.press("Control+End");
      await page.keyboard.type("\n+852 9876 5432");
      await summaryContains(page, "1,001 recipients");
      const recheck = await page.evaluate(() => performance.getEntriesByName("check").at(-1).duration);
      // Above 1000 lines, but only the 991 valid numbers are sent: one request (planCampaign's split).
      assert.match(await page.textContent("#summary"), /1,001 recipients: 991 valid, 10 with problems\. 991 segments to bill\. 1 request\./);
      assert.doesNotMatch(await page.textContent("#batch-issues"), /sent as a campaign/);
      const figures =
        `1000-row paste: ${pasted.toFixed(0)} ms from the paste to the summary drawn (150 ms of it the debounce), ` +
        `the check itself ${check.toFixed(1)} ms (planCampaign + countSegments + costlyCharacters + drawing); ` +
        `one more line typed: check ${recheck.toFixed(1)} ms`;
      // The worst case for drawing: every row bad (500 of them drawn, the rest counted).
      await page.fill("#recipients", numbers.map((n) => `${n}x`).join("\n"));
      await summaryContains(page, "0 valid");
      const allBad = await page.evaluate(() => performance.getEntriesByName("check").at(-1).duration);
      assert.equal((await problemRows(page)).length, 500);
      assert.match(await page.textContent("#problems-more"), /and 500 more rows/);
      t.diagnostic(`${figures}; 1000 rows all bad: check ${allBad.toFixed(1)} ms (500 drawn)`);
    });
  });

  test("360 px wide: no horizontal scroll, every control reachable", async () => {
    await withPage(browser, stack, "composed-360", async (opened) => {
      const { page } = opened;
      await page.fill("#recipients", FIVE.join("\n"));
      await page.fill("#message", CHINESE);
      await page.check('input[name="signing"][value="direct"]');
      await summaryContains(page, "5 recipients");
      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        // Every drawn element; the narrow layout's table headers are clipped to nothing on purpose.
        widest: Math.max(
          ...[...document.querySelectorAll("main *")]
            .filter((e) => !e.closest("thead") && e.getClientRects().length > 0)
            .map((e) => e.getBoundingClientRect().right),
        ),
      }));
      assert.ok(widths.scroll <= widths.client, `page scrolls sideways: ${widths.scroll} > ${widths.client}`);
      assert.ok(widths.widest <= widths.client, `an element sticks out: right edge ${widths.widest} > ${widths.client}`);
      await screenshot(page, "composed-360");
    }, { width: 360, height: 780 });
  });
});
