// More than 1000 recipients: the page sends a campaign (two requests, paced by the package) through
// the signing service and shows its progress in a <progress> bar, then every recipient's fate.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { planCampaign } from "../../pkg/node.js";
import { confirmFigures, launchBrowser, openConfirm, paste, resultRows, screenshot, summaryContains, useStack, waitForOutcome, withPage } from "./harness.mjs";

let stack;
let browser;
// The sandbox's limit raised: the page's own pace (1 call/s, the package's default) is what is shown.
useStack({ before, after }, (s, b) => ([stack, browser] = [s, b]), { reset: false, qps: 10 });

test("1,202 recipients: a campaign of two requests with a progress bar, then every outcome", async () => {
  await withPage(browser, stack, "large-batch", async ({ page }) => {
    const numbers = Array.from({ length: 1200 }, (_, i) => `+852 6${String(i + 1).padStart(7, "0")}`);
    numbers.splice(500, 0, "+86 139 0000 1234");
    numbers.push("+852 6000 0001"); // a repeat of the first
    await page.fill("#message", "Our sale starts today");
    await paste(page, "#recipients", numbers.join("\n"));
    assert.match(await summaryContains(page, "1,202 recipients"), /1,200 valid, 2 with problems/);
    assert.match(await page.textContent("#batch-issues"), /sent as a campaign/);

    // Every state of the bar and its text, as the page draws them.
    await page.evaluate(() => {
      window.progressSeen = [];
      const bar = document.getElementById("progress");
      const text = document.getElementById("progress-text");
      new MutationObserver(() => window.progressSeen.push({ value: bar.value, max: bar.max, text: text.textContent })).observe(text, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await openConfirm(page);
    // The confirm step: the package's own numbers for this campaign.
    const plan = planCampaign({ to: numbers, message: "Our sale starts today", from: "", type: "NOTIFY", taskId: "" });
    const figures = await confirmFigures(page);
    assert.deepEqual([figures.valid, figures.requests, figures.segments], [plan.valid, plan.requests, plan.segments].map((n) => n.toLocaleString("en")));
    await page.click("#confirm-send");
    await page.waitForFunction(() => window.progressSeen.some((p) => p.text.startsWith("Request 1 of 2 done")));
    assert.equal(await page.isVisible("#progress"), true);
    assert.equal(await page.isVisible("#stop"), true, "a campaign can be stopped between requests");
    await waitForOutcome(page, { timeout: 30_000 });

    const seen = await page.evaluate(() => window.progressSeen);
    const midway = seen.find((p) => p.text.startsWith("Request 1 of 2 done"));
    assert.deepEqual([midway.value, midway.max], [1, 2]);
    assert.match(midway.text, /1,000 sent, 0 failed, 2 rejected, 0 unknown; 200 to go/);
    assert.deepEqual(await page.evaluate(() => [document.getElementById("progress").value, document.getElementById("progress").max]), [2, 2]);
    assert.match(await page.textContent("#result-summary"), /1,202 recipients: 1,200 sent, 0 failed, 2 rejected, 0 unknown, 0 skipped \(2 requests\)\./);
    // The page is 1,000 rows long: the view around the bar and the first results.
    await page.evaluate(() => document.getElementById("sending").scrollIntoView());
    await screenshot(page, "sent-campaign", { fullPage: false });

    const requests = stack.sandbox.requests();
    assert.deepEqual(requests.map((r) => r.recipients), [1000, 200]);
    assert.equal(stack.sandbox.messages().length, 1200);

    // 1,000 rows drawn, all of them in the CSV.
    assert.equal((await resultRows(page)).length, 1000);
    assert.match(await page.textContent("#results-more"), /first 1,000 of 1,202/);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    const csv = (await readFile(await download.path(), "utf8")).trim().split("\r\n");
    assert.equal(csv.length, 1 + 1202);
    assert.equal(csv.filter((l) => l.split(",")[3] === "sent").length, 1200);
    assert.ok(csv[501].includes(",rejected,,,RECIPIENT_MAINLAND_CHINA,"), csv[501]);
  });
});
