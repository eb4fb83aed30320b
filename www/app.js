// The page: compose a batch, check it live, send it, show every recipient's fate.
//
// UI only. Every SMS rule — number normalisation, mainland refusal, duplicates, lengths, GSM-7 or
// UCS-2, segments, the 1000-per-request limit, what counts as sent or unknown — is the package's:
// validateBatch and countSegments while typing, sendCampaign's ledger after sending, and the CSV
// reader and writer (readCsvCampaign, resultsCsv: issue 14). The page counts what the package
// said and draws it.
import { ready, validateBatch, countSegments, sendCampaign, signingService, isSmsError, readCsvCampaign, resultsCsv } from "aliyun-globe-sms";

/** Quiet time after a keystroke before the batch is checked again. */
const CHECK_DELAY_MS = 150;
/** Rows drawn per table; the rest are counted (and exported), not drawn. */
const PROBLEMS_SHOWN = 500;
const TEXTS_SHOWN = 100;
const RESULTS_SHOWN = 1000;
const STATES = ["sent", "failed", "rejected", "unknown", "skipped"];
const STATE_NOTES = {
  sent: "accepted by the service",
  failed: "in the service's FailedList",
  rejected: "refused before sending",
  unknown: "may have been sent: check delivery receipts before sending again",
  skipped: "not sent",
};

const $ = (id) => document.getElementById(id);
const els = {
  target: $("target"),
  loadError: $("load-error"),
  form: $("compose"),
  recipients: $("recipients"),
  csvFile: $("csv-file"),
  messageAll: $("message-all"),
  message: $("message"),
  messageCount: $("message-count"),
  from: $("from"),
  type: $("type"),
  taskId: $("task-id"),
  summary: $("summary"),
  batchIssues: $("batch-issues"),
  problemsBox: $("problems-box"),
  problems: $("problems").tBodies[0],
  problemsMore: $("problems-more"),
  textsBox: $("texts-box"),
  texts: $("texts").tBodies[0],
  textsMore: $("texts-more"),
  serviceInfo: $("service-info"),
  signingUrl: $("signing-url"),
  directKeys: $("direct-keys"),
  accessKeyId: $("access-key-id"),
  accessKeySecret: $("access-key-secret"),
  endpoint: $("endpoint"),
  forgetKeys: $("forget-keys"),
  timeout: $("timeout"),
  send: $("send"),
  stop: $("stop"),
  sending: $("sending"),
  progress: $("progress"),
  progressText: $("progress-text"),
  sendError: $("send-error"),
  results: $("results"),
  resultsHeading: $("h-results"),
  resultSummary: $("result-summary"),
  filter: $("filter"),
  export: $("export"),
  resultTable: $("result-table").tBodies[0],
  resultsMore: $("results-more"),
};

let config = { signingUrl: "/sign", endpoint: "", sandbox: false };
let signer = null;
let checkTimer = 0;
let sendingController = null;
/** Set by the Stop button; the abort itself waits for the end of the request in flight. */
let stopRequested = false;
/** The last send: its rows, ledger and issue messages by index, for filtering and export. */
let shown = null;

// ---------------------------------------------------------------------------------------------
// Reading the form

const radioValue = (name) => els.form.querySelector(`input[name="${name}"]:checked`).value;

/**
 * Rows `{ line, to, text }` read by the package's CSV reader: the number as written and, in
 * "one per recipient" mode, the row's own text (its second column). People paste bare numbers,
 * so the first line is a header only when it holds no digit (`header: "auto"`). `hasText`: the
 * table has a second column; `csvIssues`: rows the reader left out, with their lines.
 */
function readRows() {
  const text = els.recipients.value;
  let table;
  try {
    table = readCsvCampaign(text, { header: "auto", message: "" });
    if (radioValue("message-mode") === "each" && table.header.length > 1) {
      table = readCsvCampaign(text, { header: "auto", messageColumn: table.header[1] });
    }
  } catch (error) {
    // A text past the reader's limits (a row of over 1024 cells, 128 MiB): nothing is read.
    if (!isSmsError(error)) throw error;
    return Object.assign([], { hasText: false, csvIssues: [{ code: error.code, message: error.message }] });
  }
  const texts = Array.isArray(table.message) ? table.message : null;
  const rows = table.to.map((to, i) => ({ line: table.lines[i], to, text: texts ? texts[i] : "" }));
  // An empty box is "No recipients yet", not a problem.
  const csvIssues = table.issues.filter((issue) => issue.code !== "CSV_NO_RECORDS");
  return Object.assign(rows, { hasText: table.header.length > 1, csvIssues });
}

/** The batch as the package takes it, straight from the form. */
function readBatch(rows) {
  const perRecipient = radioValue("message-mode") === "each";
  return {
    to: rows.map((r) => r.to),
    message: perRecipient ? rows.map((r) => r.text) : els.message.value,
    from: els.from.value.trim(),
    type: els.type.value,
    taskId: els.taskId.value,
  };
}

// ---------------------------------------------------------------------------------------------
// Live checks

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, CHECK_DELAY_MS);
}

const plural = (n, one, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

function describeCount(count) {
  const billed = count.units !== count.characters ? ` (${count.units} billed units)` : "";
  return `${count.encoding} · ${plural(count.characters, "character")}${billed} · ${plural(count.segments, "segment")}`;
}

/** Checks the whole batch with the package and draws the outcome. */
function check() {
  clearTimeout(checkTimer);
  performance.mark("check-start");
  const rows = readRows();
  const batch = readBatch(rows);
  const issues = rows.length === 0 ? [] : validateBatch(batch);

  const byIndex = new Map();
  const batchIssues = [];
  for (const issue of issues) {
    if (issue.index === null) batchIssues.push(issue);
    else if (byIndex.has(issue.index)) byIndex.get(issue.index).push(issue);
    else byIndex.set(issue.index, [issue]);
  }
  const valid = rows.length - byIndex.size;

  // Segments of every text, each distinct text counted once by the package.
  const counts = new Map();
  const countOf = (text) => {
    let count = counts.get(text);
    if (count === undefined) {
      count = countSegments(text);
      counts.set(text, count);
    }
    return count;
  };
  const perRecipient = Array.isArray(batch.message);
  const texts = new Map(); // text -> valid recipients
  rows.forEach((row, index) => {
    if (byIndex.has(index)) return;
    const text = perRecipient ? row.text : batch.message;
    texts.set(text, (texts.get(text) ?? 0) + 1);
  });
  let segments = 0;
  for (const [text, n] of texts) segments += countOf(text).segments * n;

  if (!perRecipient) els.messageCount.textContent = batch.message === "" ? "Empty." : describeCount(countOf(batch.message));
  drawSummary(rows, valid, byIndex.size, segments, batchIssues);
  drawBatchIssues(batchIssues, rows, perRecipient);
  drawProblems(rows, byIndex);
  drawTexts(texts, countOf);

  performance.mark("check-end");
  performance.clearMeasures("check");
  performance.measure("check", "check-start", "check-end");
}

/** An issue or error code as <code>, breakable after its underscores on narrow screens. */
function codeElement(text) {
  const code = document.createElement("code");
  text.split("_").forEach((part, i, parts) => {
    code.append(i < parts.length - 1 ? `${part}_` : part);
    if (i < parts.length - 1) code.append(document.createElement("wbr"));
  });
  return code;
}

/** Column names of a table, for the stacked layout of narrow screens (style.css: .stack). */
const labelsOf = (tbody) => [...tbody.parentElement.tHead.rows[0].cells].map((th) => th.textContent);

/** A table row of `cells` (text, or a node), each cell labelled with its column's name. */
function tableRow(labels, cells) {
  const tr = document.createElement("tr");
  tr.setAttribute("role", "row");
  cells.forEach((value, i) => {
    const td = document.createElement("td");
    td.setAttribute("role", "cell");
    td.dataset.label = labels[i];
    if (typeof value === "string") td.textContent = value;
    else td.append(...[value].flat());
    tr.append(td);
  });
  return tr;
}

function drawSummary(rows, valid, bad, segments, batchIssues) {
  if (rows.length === 0) {
    els.summary.textContent = "No recipients yet.";
    els.send.textContent = "Send";
    return;
  }
  const blocking = batchIssues.filter((i) => i.code !== "BATCH_TOO_LARGE").length;
  const parts = [
    `${plural(rows.length, "recipient")}: ${valid.toLocaleString("en")} valid, ${bad.toLocaleString("en")} with problems.`,
    `${plural(segments, "segment")} to bill.`,
  ];
  if (blocking > 0) parts.push(`${plural(blocking, "problem")} with the batch as a whole (below).`);
  els.summary.textContent = parts.join(" ");
  els.summary.dataset.valid = String(valid);
  els.summary.dataset.bad = String(bad);
  els.summary.dataset.segments = String(segments);
  els.send.textContent = valid > 0 ? `Send to ${plural(valid, "recipient")}` : "Send";
}

function drawBatchIssues(batchIssues, rows, perRecipient) {
  const items = batchIssues.map((issue) => {
    const li = document.createElement("li");
    if (issue.code === "BATCH_TOO_LARGE") {
      // Not a problem for this page: it sends a campaign, several requests paced by the package.
      li.className = "info";
      li.append(`Several requests are needed, so this is sent as a campaign with a progress bar (${issue.message}).`);
    } else {
      li.className = "problem";
      li.append(codeElement(issue.code), ` ${issue.message}`);
    }
    return li;
  });
  // Rows the CSV reader left out (a quote never closed, a missing cell), each with its line.
  for (const issue of rows.csvIssues) {
    const li = document.createElement("li");
    li.className = "problem";
    li.append(codeElement(issue.code), ` ${issue.message}`);
    items.push(li);
  }
  if (!perRecipient && rows.hasText) {
    const li = document.createElement("li");
    li.className = "info";
    li.textContent = "Some lines have a second column: choose “One per recipient” to send it, or it is ignored.";
    items.push(li);
  }
  els.batchIssues.replaceChildren(...items);
}

function drawProblems(rows, byIndex) {
  const labels = labelsOf(els.problems);
  const fragment = document.createDocumentFragment();
  let drawn = 0;
  for (const [index, issues] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    if (drawn === PROBLEMS_SHOWN) break;
    const row = rows[index];
    const go = document.createElement("button");
    go.type = "button";
    go.className = "link";
    go.textContent = String(row.line);
    go.setAttribute("aria-label", `Line ${row.line}: select it in the recipients box`);
    go.dataset.line = String(row.line);
    const problems = issues.map((issue) => {
      const p = document.createElement("p");
      p.append(codeElement(issue.code), ` ${issue.message}`);
      return p;
    });
    const tr = tableRow(labels, [go, row.to === "" ? "(empty)" : row.to, problems]);
    tr.dataset.index = String(index);
    tr.dataset.codes = issues.map((i) => i.code).join(" ");
    fragment.append(tr);
    drawn++;
  }
  els.problems.replaceChildren(fragment);
  els.problemsBox.hidden = byIndex.size === 0;
  els.problemsMore.hidden = byIndex.size <= drawn;
  els.problemsMore.textContent = `…and ${(byIndex.size - drawn).toLocaleString("en")} more rows with problems, not drawn here.`;
}

function drawTexts(texts, countOf) {
  const labels = labelsOf(els.texts);
  const fragment = document.createDocumentFragment();
  let drawn = 0;
  for (const [text, n] of texts) {
    if (drawn === TEXTS_SHOWN) break;
    const count = countOf(text);
    const tr = tableRow(labels, [
      text === "" ? "(empty)" : text,
      n.toLocaleString("en"),
      count.encoding,
      count.units !== count.characters ? `${count.characters} (${count.units} units)` : String(count.characters),
      String(count.segments),
      (count.segments * n).toLocaleString("en"),
    ]);
    tr.cells[0].className = "text";
    fragment.append(tr);
    drawn++;
  }
  els.texts.replaceChildren(fragment);
  els.textsBox.hidden = texts.size === 0;
  els.textsMore.hidden = texts.size <= drawn;
  els.textsMore.textContent = `…and ${(texts.size - drawn).toLocaleString("en")} more distinct messages.`;
}

/** Selects a line of the recipients box, so a keyboard user can fix it at once. */
function selectLine(line) {
  const text = els.recipients.value;
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf("\n", start);
    if (next < 0) break;
    start = next + 1;
  }
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  els.recipients.focus();
  els.recipients.setSelectionRange(start, end);
}

// ---------------------------------------------------------------------------------------------
// Sending

function showSigningMode() {
  const direct = radioValue("signing") === "direct";
  els.directKeys.hidden = !direct;
  els.serviceInfo.hidden = direct;
}

function forgetKeys() {
  els.accessKeyId.value = "";
  els.accessKeySecret.value = "";
}

async function send(event) {
  event.preventDefault();
  if (sendingController) return;
  clearTimeout(checkTimer);
  check();
  const rows = readRows();
  const batch = readBatch(rows);
  const issueText = new Map();
  for (const issue of rows.length ? validateBatch(batch) : []) {
    if (issue.index !== null && !issueText.has(issue.index)) issueText.set(issue.index, issue.message);
  }
  // An empty field leaves the package's own default.
  const options = { ...batch, timeoutMs: Number(els.timeout.value) || undefined };
  if (radioValue("signing") === "direct") {
    // Read at the moment of sending and handed to the package; never stored by the page.
    options.credentials = { accessKeyId: els.accessKeyId.value.trim(), accessKeySecret: els.accessKeySecret.value };
    if (els.endpoint.value.trim() !== "") options.endpoint = els.endpoint.value.trim();
  } else {
    options.signer = signer;
  }
  sendingController = new AbortController();
  stopRequested = false;
  options.signal = sendingController.signal;
  options.onProgress = drawProgress;

  els.sendError.hidden = true;
  els.sendError.replaceChildren();
  els.send.disabled = true;
  els.stop.hidden = false;
  els.stop.disabled = false;
  els.sending.hidden = false;
  els.progress.max = 1;
  els.progress.value = 0;
  els.progressText.textContent = "Checking the batch…";

  let ledger = null;
  let failure = null;
  try {
    ledger = await sendCampaign(options);
  } catch (error) {
    failure = error;
    ledger = error?.ledger ?? null;
  } finally {
    sendingController = null;
    els.send.disabled = false;
    els.stop.hidden = true;
  }
  if (failure) drawSendError(failure, ledger);
  if (ledger) {
    shown = { rows, ledger, issueText };
    drawResults("all");
    els.resultsHeading.focus();
  } else {
    els.sending.hidden = true;
    els.sendError.focus();
  }
}

function drawProgress(p) {
  // The package reports progress between requests: aborting here stops the campaign without
  // cutting a request in flight (which would make its recipients unknown).
  if (stopRequested) sendingController?.abort();
  els.progress.max = Math.max(p.requestsTotal, 1);
  els.progress.value = p.requestsDone;
  const counts = `${p.sent.toLocaleString("en")} sent, ${p.failed} failed, ${p.rejected} rejected, ${p.unknown} unknown`;
  const left = p.pending > 0 ? `; ${p.pending.toLocaleString("en")} to go, about ${Math.ceil(p.etaMs / 1000)} s left` : "";
  els.progressText.textContent = `Request ${p.requestsDone} of ${p.requestsTotal} done: ${counts}${left}.`;
}

function drawSendError(error, ledger) {
  const lines = [];
  if (isSmsError(error)) {
    lines.push(`${error.code}: ${error.message}`);
    if (error.code === "OUTCOME_UNKNOWN") {
      lines.push(
        "The service may have accepted the request: those recipients are marked unknown below. " +
          "Check delivery receipts before sending to them again.",
      );
    }
    for (const issue of error.issues ?? []) lines.push(`${issue.code}: ${issue.message}`);
  } else {
    lines.push(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (ledger) lines.push("The results below show what happened to each recipient.");
  els.sendError.replaceChildren(
    ...lines.map((text) => {
      const p = document.createElement("p");
      p.textContent = text;
      return p;
    }),
  );
  els.sendError.dataset.code = error?.code ?? "";
  els.sendError.tabIndex = -1;
  els.sendError.hidden = false;
}

function reasonOf(r) {
  if (r.state === "rejected") return shown.issueText.get(r.index) ?? r.code ?? STATE_NOTES.rejected;
  const note = STATE_NOTES[r.state];
  return r.code ? `${r.code}: ${note}` : note;
}

function drawResults(filter) {
  const { ledger, rows } = shown;
  const { counts } = ledger;
  els.results.hidden = false;
  els.progress.max = Math.max(ledger.requests.total, 1);
  els.progress.value = ledger.requests.done;
  els.resultSummary.textContent =
    `${plural(ledger.recipients.length, "recipient")}: ` +
    STATES.map((s) => `${counts[s].toLocaleString("en")} ${s}`).join(", ") +
    ` (${plural(ledger.requests.done, "request")}).`;

  // The filter: one radio per state present.
  const choices = [["all", ledger.recipients.length], ...STATES.filter((s) => counts[s] > 0).map((s) => [s, counts[s]])];
  const legend = els.filter.querySelector("legend");
  els.filter.replaceChildren(
    legend,
    ...choices.map(([value, n]) => {
      const label = document.createElement("label");
      label.className = "choice";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "result-filter";
      input.value = value;
      input.checked = value === filter;
      label.append(input, ` ${value === "all" ? "All" : value} (${n.toLocaleString("en")})`);
      return label;
    }),
  );

  const list = filter === "all" ? ledger.recipients : ledger.recipients.filter((r) => r.state === filter);
  const fragment = document.createDocumentFragment();
  const labels = labelsOf(els.resultTable);
  for (const r of list.slice(0, RESULTS_SHOWN)) {
    const tr = tableRow(labels, [
      String(rows[r.index]?.line ?? r.index + 1),
      r.to,
      r.state,
      r.normalizedTo ?? "",
      r.messageId ?? "",
      r.requestId ?? "",
      reasonOf(r),
    ]);
    tr.className = `state-${r.state}`;
    tr.dataset.state = r.state;
    tr.dataset.index = String(r.index);
    tr.cells[2].className = "state";
    fragment.append(tr);
  }
  els.resultTable.replaceChildren(fragment);
  els.resultsMore.hidden = list.length <= RESULTS_SHOWN;
  els.resultsMore.textContent = `Showing the first ${RESULTS_SHOWN.toLocaleString("en")} of ${list.length.toLocaleString("en")}; the CSV export has them all.`;
  els.export.textContent = `Export ${plural(list.length, "row")} as CSV`;
  els.export.dataset.filter = filter;
}

/** Downloads the rows shown (all, or one state) as the package writes them: resultsCsv. */
function exportResults() {
  const filter = els.export.dataset.filter ?? "all";
  const { ledger, rows } = shown;
  const recipients = filter === "all" ? ledger.recipients : ledger.recipients.filter((r) => r.state === filter);
  const text = resultsCsv({ ...ledger, recipients }, rows.map((r) => r.line));
  const blob = new Blob([text], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = `sms-results-${new Date().toISOString().slice(0, 19).replaceAll(":", "")}${filter === "all" ? "" : `-${filter}`}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---------------------------------------------------------------------------------------------
// Start

async function loadCsvFile() {
  const file = els.csvFile.files?.[0];
  if (!file) return;
  els.recipients.value = await file.text();
  const rows = readRows();
  // A file with a second column carries one message per recipient.
  if (rows.hasText) els.form.querySelector('input[name="message-mode"][value="each"]').checked = true;
  showMessageMode();
  check();
}

function showMessageMode() {
  els.messageAll.hidden = radioValue("message-mode") === "each";
}

async function loadConfig() {
  // The demo server says where the sandbox and the signing service are; without it, defaults.
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (response.ok) config = { ...config, ...(await response.json()) };
  } catch {
    // No config: a static copy of the page; the defaults stand.
  }
}

async function start() {
  try {
    await Promise.all([ready(), loadConfig()]);
  } catch (error) {
    els.loadError.textContent = `The SMS package could not be loaded: ${error?.message ?? error}`;
    els.loadError.hidden = false;
    els.send.disabled = true;
    return;
  }
  signer = signingService(config.signingUrl);
  els.signingUrl.textContent = config.signingUrl;
  els.endpoint.value = config.endpoint ?? "";
  els.target.textContent = config.sandbox
    ? `Sending to the sandbox at ${config.endpoint}: messages are recorded there, nothing leaves this machine.`
    : `Sending to ${config.endpoint || "Alibaba Cloud"}.`;
  els.target.classList.toggle("sandbox", Boolean(config.sandbox));

  for (const el of [els.recipients, els.message, els.from, els.taskId]) el.addEventListener("input", scheduleCheck);
  els.type.addEventListener("change", check);
  els.form.addEventListener("change", (event) => {
    if (event.target.name === "message-mode") {
      showMessageMode();
      check();
    } else if (event.target.name === "signing") {
      showSigningMode();
    }
  });
  els.csvFile.addEventListener("change", loadCsvFile);
  els.problems.addEventListener("click", (event) => {
    const line = event.target.closest("button[data-line]")?.dataset.line;
    if (line) selectLine(Number(line));
  });
  els.forgetKeys.addEventListener("click", forgetKeys);
  els.form.addEventListener("submit", send);
  els.stop.addEventListener("click", () => {
    stopRequested = true;
    els.stop.disabled = true;
    els.progressText.textContent = "Stopping after the request in flight…";
  });
  els.filter.addEventListener("change", (event) => {
    if (event.target.name === "result-filter") {
      drawResults(event.target.value);
      els.filter.querySelector(`input[value="${event.target.value}"]`).focus();
    }
  });
  els.export.addEventListener("click", exportResults);
  showMessageMode();
  showSigningMode();
  check();
  document.body.dataset.ready = "true";
}

start();
