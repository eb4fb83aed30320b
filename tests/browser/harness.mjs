// What every browser test needs: the demo's stack in this process (a sandbox, the page server
// with its /sign endpoint holding the sandbox key), Debian's Chromium driven by playwright-core,
// and helpers that act as a person: type, press Tab, read what the page shows.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { createReportHandler, createSigningHandler } from "../../pkg/node.js";
import { startSandbox, DEFAULT_KEY } from "../../pkg/sandbox/index.js";
import { deliveryStore, startPageServer } from "../../www/server.mjs";

export { DEFAULT_KEY };

export const SCREENSHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
mkdirSync(SCREENSHOTS, { recursive: true });

/** Flags for a quiet, isolated headless run; playwright adds a fresh --user-data-dir itself. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

export function launchBrowser() {
  // playwright launches with a new temporary profile (--user-data-dir) and deletes it on close.
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: FLAGS });
}

/**
 * A suite's sandbox + page server (`startStack(options)`) and browser: started before its tests,
 * closed after them, the sandbox reset before each test unless `reset: false`. `use(stack,
 * browser)` receives them once started.
 */
export function useStack({ before, after, beforeEach }, use, { reset = true, ...options } = {}) {
  let stack;
  let browser;
  before(async () => {
    [stack, browser] = await Promise.all([startStack(options), launchBrowser()]);
    use(stack, browser);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });
  if (reset) beforeEach(() => stack.sandbox.reset());
}

/**
 * A sandbox (qps 1 like the service, unless told) and the page server signing with its key. The
 * sandbox pushes its delivery reports to the page server's /reports, as Alibaba pushes to the
 * callback URL set in its console; the page server starts first so the sandbox knows that URL
 * (and keeps it across `sandbox.reset()`, which restores the option's URL).
 */
export async function startStack({ qps = 1, reportDelayMs = 100 } = {}) {
  let signing = null;
  const config = {};
  const deliveries = deliveryStore({ createReportHandler });
  const page = await startPageServer({ signingHandler: (request) => signing(request), config, deliveries });
  const sandbox = await startSandbox({ qps, reportDelayMs, reportUrl: `${page.url}reports` });
  // A reset sandbox numbers its MessageIds from the start again: the reports the page server
  // kept of the old ones would be taken for the new ones.
  const reset = sandbox.reset.bind(sandbox);
  sandbox.reset = () => {
    deliveries.clear();
    return reset();
  };
  signing = createSigningHandler({ credentials: DEFAULT_KEY, endpoint: sandbox.url });
  Object.assign(config, { endpoint: sandbox.url, sandbox: true });
  return {
    sandbox,
    url: page.url,
    close: () => Promise.all([page.close(), sandbox.close()]),
  };
}

/**
 * A fresh context and page at `stack.url`, ready when the package has loaded. Every request
 * (URL, headers, body) and every /sign answer is kept, for the "no secret anywhere" checks.
 */
export async function openPage(browser, stack, { width = 1100, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  const page = await context.newPage();
  const requests = [];
  const answers = [];
  const errors = [];
  page.on("request", (request) => {
    requests.push({ url: request.url(), method: request.method(), headers: request.headers(), body: request.postData() ?? "" });
  });
  page.on("response", async (response) => {
    if (new URL(response.url()).pathname === "/sign") answers.push(await response.text().catch(() => ""));
  });
  const pending = new Set();
  page.on("request", (request) => pending.add(request));
  page.on("requestfinished", (request) => pending.delete(request));
  page.on("requestfailed", (request) => {
    pending.delete(request);
    errors.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => message.type() === "error" && errors.push(`console: ${message.text()}`));
  await page.goto(stack.url);
  try {
    await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
  } catch (error) {
    const waiting = [...pending].map((r) => r.url()).join(", ");
    const shown = await page.textContent("#load-error").catch(() => "");
    await context.close();
    throw new Error(
      `the page did not get ready; it shows: ${shown || "nothing"}; errors: ${errors.join(" | ") || "none"}; ` +
        `requests without an answer: ${waiting || "none"}`,
      { cause: error },
    );
  }
  return { context, page, requests, answers, errors };
}

/** Saves a screenshot under tests/browser/screenshots/: the whole page, or what the viewport shows. */
export function screenshot(page, name, { fullPage = true } = {}) {
  return page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage });
}

/**
 * Runs `fn` with a fresh page; keeps a screenshot `failed-NAME.png` when it fails (a failure leaves a picture of the page
 * it failed on), and closes the page's context either way.
 */
export async function withPage(browser, stack, name, fn, options) {
  const opened = await openPage(browser, stack, options);
  try {
    await fn(opened);
  } catch (error) {
    await screenshot(opened.page, `failed-${name}`).catch(() => {});
    throw error;
  } finally {
    await opened.context.close();
  }
}

/** Waits for the debounced checks to have drawn `text` in the summary. */
export async function summaryContains(page, text) {
  await page.waitForFunction((t) => document.getElementById("summary").textContent.includes(t), text);
  return page.textContent("#summary");
}

/** The problems table as { line, number, codes }. */
export function problemRows(page) {
  return page.$$eval("#problems tbody tr", (rows) =>
    rows.map((tr) => ({ line: Number(tr.cells[0].textContent), number: tr.cells[1].textContent, codes: tr.dataset.codes })),
  );
}

/**
 * The results table as shown: { line, number, state, sentAs, messageId, requestId, delivery,
 * reason }, and `request`: the RequestId of the row's request (shown once, on its first row).
 */
export function resultRows(page) {
  return page.$$eval("#result-table tbody tr", (rows) =>
    rows.map((tr) => {
      const [line, number, state, sentAs, messageId, requestId, delivery, reason] = [...tr.cells].map((c) => c.textContent);
      return { line: Number(line), number, sentAs, state, messageId, requestId, delivery, reason, request: tr.dataset.requestId ?? "" };
    }),
  );
}

/**
 * Pastes `text` into a field as the page sees a paste: the value changes, one input event fires.
 * (playwright's fill types a long text in a way that takes seconds per thousand lines.)
 */
export function paste(page, selector, text) {
  return page.evaluate(
    ([s, t]) => {
      const box = document.querySelector(s);
      box.focus();
      box.value = t;
      box.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" }));
    },
    [selector, text],
  );
}

/** Presses Tab until `selector` has the focus; fails if it is not reachable by keyboard. */
export async function tabTo(page, selector, { max = 60, shift = false } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(shift ? "Shift+Tab" : "Tab");
  }
  throw new Error(`${selector} was not reached with ${max} presses of Tab`);
}

/** Presses Send and waits for the confirm step (the numbers the package computes) to be open. */
export async function openConfirm(page) {
  await page.click("#send");
  await page.waitForSelector("#confirm[open]");
}

/** The confirm step's figures as shown: { valid, rejected, segments, encoding, requests, seconds, from, type }. */
export function confirmFigures(page) {
  return page.$$eval("#confirm-figures [data-figure]", (items) =>
    Object.fromEntries(items.map((div) => [div.dataset.figure, div.querySelector("dd").textContent])),
  );
}

/** Sends the form (Send, then the confirm step's Send) and waits until the results (or an error without results) are shown. */
export async function sendAndWait(page, { timeout = 30_000 } = {}) {
  await openConfirm(page);
  await page.click("#confirm-send");
  await waitForOutcome(page, { timeout });
}

/** Everything in the page's IndexedDB databases, every store's every record, as JSON. */
export function indexedDbContents(page) {
  return page.evaluate(async () => {
    const all = {};
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      for (const store of db.objectStoreNames) {
        all[`${name}/${store}`] = await new Promise((resolve, reject) => {
          const req = db.transaction(store).objectStore(store).getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
      }
      db.close();
    }
    return JSON.stringify(all);
  });
}

export async function waitForOutcome(page, { timeout = 30_000 } = {}) {
  await page.waitForFunction(
    () => !document.getElementById("results").hidden || !document.getElementById("send-error").hidden,
    null,
    { timeout },
  );
  await page.waitForFunction(() => !document.getElementById("send").disabled, null, { timeout });
}

/** Five recipients as a person would type them: one with a typo, one in the Chinese mainland. */
export const FIVE = ["+852 9123 4567", "0065-9123-4567", "+852 9123 456x", "+86 138 0013 8000", "(886) 912 345 678"];
/** FIVE's three valid numbers, as the sandbox records them. */
export const FIVE_VALID = ["85291234567", "6591234567", "886912345678"];
/** The secret the page must never hold (the signing service's). */
export const SECRET = DEFAULT_KEY.accessKeySecret;
