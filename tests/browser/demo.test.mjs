// `make demo`'s script as a person runs it: the sample batch printed per recipient, then the page
// served with its signing endpoint until Ctrl+C; with DEMO_ONCE=1 it exits after the sample batch.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { launchBrowser, resultRows } from "./harness.mjs";

const DEMO = fileURLToPath(new URL("../../www/demo.mjs", import.meta.url));

function startDemo(env = {}) {
  const child = spawn(process.execPath, [DEMO], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const out = { text: "" };
  child.stdout.setEncoding("utf8").on("data", (chunk) => (out.text += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (out.text += chunk));
  return { child, out };
}

async function until(out, pattern, ms = 30_000) {
  const end = Date.now() + ms;
  while (!pattern.test(out.text)) {
    if (Date.now() > end) throw new Error(`the demo never printed ${pattern}; it printed:\n${out.text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(() => browser?.close());

test("DEMO_ONCE=1: the sample batch, every recipient's fate, then exit 0", async () => {
  const { child, out } = startDemo({ DEMO_ONCE: "1" });
  const [code] = await once(child, "exit");
  assert.equal(code, 0, out.text);
  assert.equal((out.text.match(/ sent {6}MessageId \d{19}/g) ?? []).length, 4, out.text);
  assert.match(out.text, /failed {4}\(in the service's FailedList\)/);
  assert.match(out.text, /rejected {2}RECIPIENT_MAINLAND_CHINA/);
  assert.match(out.text, /the sandbox recorded 4 message\(s\)/);
  // Issue 13: where each accepted message ended, as the sandbox decided (9999: undelivered).
  assert.equal((out.text.match(/ delivered {2}DELIVERED /g) ?? []).length, 3, out.text);
  assert.match(out.text, /\+44 7700 909999 +failed {5}UNDELIV /);
  assert.doesNotMatch(out.text, /the page:/);
});

test("served: the printed URL opens the page, which sends through /sign; Ctrl+C stops it with exit 0", async (t) => {
  const { child, out } = startDemo();
  t.after(() => child.exitCode === null && child.kill("SIGKILL"));
  await until(out, /serving until Ctrl\+C/);
  const url = /the page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out.text)?.[1];
  assert.ok(url, out.text);

  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]");
    assert.match(await page.textContent("#target"), /Sending to the sandbox at http:\/\/127\.0\.0\.1:\d+/);
    await page.fill("#recipients", "+852 9876 5432\n+65 8123 4567");
    await page.fill("#message", "Hello from the demo page");
    await page.click("#send");
    await page.click("#confirm-send");
    await page.waitForSelector("#results:not([hidden])", { timeout: 30_000 });
    assert.deepEqual((await resultRows(page)).map((r) => r.state), ["sent", "sent"]);
    // The demo's sandbox pushes its reports to the page server, which tells the page.
    await page.waitForFunction(() => [...document.querySelectorAll("#result-table td.delivery")].every((td) => td.textContent === "delivered"));
  } finally {
    await context.close();
  }
  await until(out, /page: POST \/sign 200/);
  await until(out, /sandbox: .*BatchSendMessageToGlobe/);

  child.kill("SIGINT");
  const [code] = await once(child, "exit");
  assert.equal(code, 0, out.text);
});
