// The page: compose a batch, check it live, confirm what it costs, send it, show every recipient's
// fate and then whether each message was delivered.
//
// UI only. Every SMS rule — number normalisation, mainland refusal, duplicates, lengths, GSM-7 or
// UCS-2 and which character forces it, segments, requests and their pace, what counts as sent or
// unknown, what a journal proves — is the package's: planCampaign, validateBatch's issues,
// countSegments and costlyCharacters while typing; sendCampaign / resumeCampaign's ledger after
// sending; recordReports for delivery; the CSV reader and writer (readCsvCampaign, resultsCsv).
// The page counts what the package said and draws it. Wording is in words.js, the browser's
// storage of campaigns and journals in journal.js.
import {
  ready,
  countSegments,
  costlyCharacters,
  planCampaign,
  sendCampaign,
  resumeCampaign,
  recordReports,
  signingService,
  isSmsError,
  readCsvCampaign,
  resultsCsv,
} from "aliyun-globe-sms";
import { BUSY, batchIdentity, campaignJournal, campaignsInUse, durable, listCampaigns, saveCampaign, withCampaignLock } from "./journal.js";
import { codeNote, issueNodes, plainError, plainIssue } from "./words.js";

/** Quiet time after a keystroke before the batch is checked again. */
const CHECK_DELAY_MS = 150;
/** Rows drawn per table; the rest are counted (and exported), not drawn. */
const PROBLEMS_SHOWN = 500;
const TEXTS_SHOWN = 100;
const RESULTS_SHOWN = 1000;
/** How often, and for how long after a send, the page asks its server what was delivered. */
const DELIVERY_POLL_MS = 1000;
const DELIVERY_WATCH_MS = 10 * 60_000;
/** MessageIds per question to the server (www/server.mjs MAX_DELIVERY_QUESTION). */
const DELIVERY_CHUNK = 10_000;
/** The ledger's states a person reads in the State column and the filter: "sent" is every accepted one. */
const STATES = ["sent", "failed", "rejected", "unknown", "skipped"];
const ACCEPTED = new Set(["sent", "delivered", "undelivered", "expired"]);
const STATE_NOTES = {
  sent: "accepted by the service",
  failed: "in the service's FailedList: not sent",
  rejected: "refused before sending",
  unknown: "may have been sent: check delivery receipts before sending again",
  skipped: "not sent",
};
/** Batch-level problems shown at their field (issue 16: "the field marked with the reason beside it"). */
const FIELDS = { from: "from", message: "message", type: "type", taskId: "task-id" };
const FIELD_NAMES = { from: "the sender ID (From)", message: "the message", type: "the type", taskId: "the TaskId" };

const $ = (id) => document.getElementById(id);
const els = {
  target: $("target"),
  loadError: $("load-error"),
  resume: $("resume"),
  resumeHeading: $("h-resume"),
  resumeText: $("resume-text"),
  resumeGo: $("resume-go"),
  resumeDiscard: $("resume-discard"),
  form: $("compose"),
  recipients: $("recipients"),
  recipientLines: $("recipients-lines"),
  csvFile: $("csv-file"),
  messageAll: $("message-all"),
  message: $("message"),
  messageCount: $("message-count"),
  costly: $("message-costly"),
  costlyNote: $("costly-note"),
  costlyText: $("costly-text"),
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
  sendNote: $("send-note"),
  stop: $("stop"),
  confirm: $("confirm"),
  confirmRepeat: $("confirm-repeat"),
  confirmFigures: $("confirm-figures"),
  confirmSend: $("confirm-send"),
  sendAgain: $("send-again"),
  confirmCancel: $("confirm-cancel"),
  sending: $("sending"),
  progress: $("progress"),
  progressText: $("progress-text"),
  sendError: $("send-error"),
  results: $("results"),
  resultsHeading: $("h-results"),
  resultSummary: $("result-summary"),
  deliverySummary: $("delivery-summary"),
  filter: $("filter"),
  export: $("export"),
  resultTable: $("result-table").tBodies[0],
  resultsMore: $("results-more"),
};

let config = { signingUrl: "/sign", endpoint: "", sandbox: false };
let signer = null;
let checkTimer = 0;
/** Set while a campaign runs (sending or resuming); Send stays off. */
let sendingController = null;
/** Set by the Stop button; the abort itself waits for the end of the request in flight. */
let stopRequested = false;
/** What the confirm step was opened for: the batch as read then, its plan and identity. */
let pending = null;
/** The last campaign shown: its rows, ledger, options (for recordReports) and record. */
let shown = null;
/** Bumped by each new campaign, so an older delivery watch stops. */
let watchGeneration = 0;
/** Whether the last check found something that blocks sending, and why (for the note beside Send). */
let blocked = "";

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
    return Object.assign([], { hasText: false, csvIssues: [{ line: null, code: error.code, message: error.message }] });
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

/** What the form holds, to put it back when a campaign is resumed after a reload. */
function readForm() {
  return {
    recipients: els.recipients.value,
    mode: radioValue("message-mode"),
    message: els.message.value,
    from: els.from.value,
    type: els.type.value,
    taskId: els.taskId.value,
    timeout: els.timeout.value,
  };
}

function writeForm(form) {
  els.recipients.value = form.recipients;
  els.form.querySelector(`input[name="message-mode"][value="${form.mode === "each" ? "each" : "all"}"]`).checked = true;
  els.message.value = form.message;
  els.from.value = form.from;
  els.type.value = form.type;
  els.taskId.value = form.taskId;
  els.timeout.value = form.timeout;
  showMessageMode();
  drawLineNumbers();
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

/** "about 3 s", "about 2 min 5 s": how long the requests take at the pace the package plans. */
function duration(seconds) {
  if (seconds < 1) return "under 1 s";
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
}

/**
 * planCampaign's answer; a batch it refuses outright (past a campaign's 10 million rows) is drawn
 * as that one problem of the whole batch.
 */
function planOf(batch) {
  try {
    return planCampaign(batch);
  } catch (error) {
    if (!isSmsError(error)) throw error;
    const issues = error.issues?.length
      ? error.issues
      : [{ code: error.code, field: error.field ?? "to", index: null, duplicateOf: null, message: error.message }];
    return { issues, valid: 0, rejected: 0, segments: 0, requests: 0, seconds: 0, encodings: { gsm7: 0, ucs2: 0 } };
  }
}

/** Checks the whole batch with the package and draws the outcome. */
function check() {
  clearTimeout(checkTimer);
  performance.mark("check-start");
  const rows = readRows();
  const batch = readBatch(rows);
  // planCampaign is validateBatch's check plus the split into requests and their time at 1 call/s.
  const plan = rows.length === 0 ? null : planOf(batch);
  const issues = plan?.issues ?? [];

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
  drawCostly(perRecipient ? "" : batch.message);
  const atFields = drawFieldIssues(batchIssues, rows);
  const elsewhere = batchIssues.filter((i) => !atFields.includes(i));
  drawSummary(rows, valid, byIndex.size, segments, plan, atFields, elsewhere);
  drawBatchIssues(elsewhere, rows, perRecipient, plan);
  drawProblems(rows, byIndex);
  drawTexts(texts, countOf);
  drawSendState(rows, valid, atFields, elsewhere);

  performance.mark("check-end");
  performance.clearMeasures("check");
  performance.measure("check", "check-start", "check-end");
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

/**
 * A batch-level problem is shown once, beside its field, which is marked invalid: From, the
 * message, the type, the TaskId. Returns the issues so placed.
 */
function drawFieldIssues(batchIssues, rows) {
  const placed = [];
  for (const [field, id] of Object.entries(FIELDS)) {
    const input = $(id);
    const box = $(`${id}-error`);
    // In "one per recipient" mode the single-message box is hidden: its problems go to the list.
    const mine = field === "message" && radioValue("message-mode") === "each" ? [] : batchIssues.filter((i) => i.field === field);
    placed.push(...mine);
    box.replaceChildren(...mine.flatMap((issue, i) => [...(i ? [document.createElement("br")] : []), ...issueNodes(issue, rows)]));
    box.hidden = mine.length === 0;
    box.dataset.codes = mine.map((i) => i.code).join(" ");
    if (mine.length) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
  return placed;
}

function drawSummary(rows, valid, bad, segments, plan, atFields, elsewhere) {
  if (rows.length === 0) {
    els.summary.textContent = "No recipients yet.";
    els.send.textContent = "Send";
    delete els.summary.dataset.requests;
    return;
  }
  const parts = [
    `${plural(rows.length, "recipient")}: ${valid.toLocaleString("en")} valid, ${bad.toLocaleString("en")} with problems.`,
    `${plural(segments, "segment")} to bill.`,
  ];
  if (plan && plan.requests === 1) parts.push("1 request.");
  if (plan && plan.requests > 1) parts.push(`${plural(plan.requests, "request")}, about ${duration(plan.seconds)} at 1 call/s.`);
  if (atFields.length > 0) parts.push(`Fix ${atFields.map((i) => FIELD_NAMES[i.field]).filter((n, i, all) => all.indexOf(n) === i).join(" and ")} to send.`);
  if (elsewhere.length > 0) parts.push(`${plural(elsewhere.length, "problem")} with the batch as a whole (below).`);
  els.summary.textContent = parts.join(" ");
  els.summary.dataset.valid = String(valid);
  els.summary.dataset.bad = String(bad);
  els.summary.dataset.segments = String(segments);
  els.send.textContent = valid > 0 ? `Send to ${plural(valid, "recipient")}` : "Send";
}

function drawBatchIssues(batchIssues, rows, perRecipient, plan) {
  const items = batchIssues.map((issue) => {
    const li = document.createElement("li");
    li.className = "problem";
    li.dataset.code = issue.code;
    li.append(...issueNodes(issue, rows));
    return li;
  });
  if (plan && plan.requests > 1) {
    // Not a problem for this page: it sends a campaign, several requests paced by the package.
    const li = document.createElement("li");
    li.className = "info";
    li.textContent = `More than one request is needed (${plan.requests.toLocaleString("en")}), so this is sent as a campaign with a progress bar.`;
    items.push(li);
  }
  // Rows the CSV reader left out (a quote never closed, a missing cell), each with its line.
  for (const issue of rows.csvIssues) {
    const li = document.createElement("li");
    li.className = "problem";
    li.dataset.code = issue.code;
    const where = document.createElement("strong");
    where.textContent = issue.line ? `Line ${issue.line}:` : "The text:";
    li.append(where, " ", ...issueNodes(issue, rows));
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
      p.append(...issueNodes(issue, rows));
      return p;
    });
    const tr = tableRow(labels, [go, row.to === "" ? "(empty)" : markedNumber(row.to, issues), problems]);
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

/**
 * Culprits marked in a text only up to this many: a stray "✓" in a Latin text is worth pointing
 * at, every character of a Chinese one is not (the note then names the first few).
 */
const MARKED_AT_MOST = 5;

/**
 * The number with the character the package refused marked: RECIPIENT_INVALID_CHARACTER's
 * sentence names it and its position (src/recipient.rs: Unicode scalar values from 0).
 */
function markedNumber(number, issues) {
  const issue = issues.find((i) => i.code === "RECIPIENT_INVALID_CHARACTER");
  const found = issue && /at position (\d+) \(from 0\)/.exec(issue.message);
  const chars = Array.from(number);
  const at = found ? Number(found[1]) : -1;
  if (!(at >= 0 && at < chars.length)) return number;
  const mark = document.createElement("mark");
  mark.className = "refused";
  mark.textContent = chars[at];
  return [chars.slice(0, at).join(""), mark, chars.slice(at + 1).join("")];
}

/** `text` with the characters the package names (costlyCharacters) in <mark>, as nodes. */
function markedText(text, costly) {
  if (costly.total > MARKED_AT_MOST) return [text];
  const nodes = [];
  let at = 0;
  for (const c of costly.characters) {
    if (c.at > at) nodes.push(text.slice(at, c.at));
    const mark = document.createElement("mark");
    mark.className = c.reason;
    mark.textContent = text.slice(c.at, c.at + c.length);
    mark.title = c.reason === "ucs2" ? "forces UCS-2" : "counts as two characters";
    nodes.push(mark);
    at = c.at + c.length;
  }
  if (at < text.length) nodes.push(text.slice(at));
  return nodes;
}

/** "“✓” (character 82)", the first few, and how many more: 1-based, as a person counts. */
function nameCharacters(costly) {
  const named = costly.characters.slice(0, 3).map((c) => `“${c.character}” (character ${c.at + 1})`);
  const more = costly.total - named.length;
  return named.join(", ") + (more > 0 ? ` and ${plural(more, "more")}` : "");
}

/** Under the message: which character makes it UCS-2 (or costs two), marked in the text. */
function drawCostly(text) {
  const costly = text === "" ? null : costlyCharacters(text);
  if (!costly || costly.total === 0) {
    els.costly.hidden = true;
    els.costlyText.replaceChildren();
    return;
  }
  els.costlyNote.textContent =
    costly.encoding === "UCS-2"
      ? `${nameCharacters(costly)} ${costly.total === 1 ? "is" : "are"} not in the GSM-7 alphabet, so the whole message is sent as UCS-2: 70 characters per segment instead of 160.`
      : `${nameCharacters(costly)} ${costly.total === 1 ? "counts" : "count"} as two characters in GSM-7.`;
  els.costly.dataset.encoding = costly.encoding;
  els.costlyText.replaceChildren(...markedText(text, costly));
  els.costlyText.hidden = costly.total > MARKED_AT_MOST;
  els.costly.hidden = false;
}

function drawTexts(texts, countOf) {
  const labels = labelsOf(els.texts);
  const fragment = document.createDocumentFragment();
  let drawn = 0;
  for (const [text, n] of texts) {
    if (drawn === TEXTS_SHOWN) break;
    const count = countOf(text);
    const tr = tableRow(labels, [
      text === "" ? "(empty)" : markedText(text, costlyCharacters(text)),
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

/** Send is on only when the package would send something; the note beside it says why not. */
function drawSendState(rows, valid, atFields, elsewhere) {
  if (rows.length === 0) blocked = "Add recipients to send.";
  else if (atFields.length > 0) blocked = `Fix ${FIELD_NAMES[atFields[0].field]} first: ${plainIssue(atFields[0], rows)}`;
  else if (elsewhere.length > 0) blocked = `Fix the problem with the batch first: ${plainIssue(elsewhere[0], rows)}`;
  else if (valid === 0) blocked = "No recipient can be sent to: see the rows with problems.";
  else blocked = "";
  els.send.disabled = sendingController !== null || blocked !== "";
  els.sendNote.textContent = sendingController !== null ? "" : blocked;
}

/** The recipients box's line numbers, kept level with its text. */
function drawLineNumbers() {
  const lines = els.recipients.value.split("\n").length;
  const shown = Number(els.recipientLines.dataset.lines ?? 0);
  if (lines !== shown) {
    els.recipientLines.textContent = Array.from({ length: lines }, (_, i) => i + 1).join("\n");
    els.recipientLines.dataset.lines = String(lines);
  }
  els.recipientLines.scrollTop = els.recipients.scrollTop;
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
// The confirm step

function showSigningMode() {
  const direct = radioValue("signing") === "direct";
  els.directKeys.hidden = !direct;
  els.serviceInfo.hidden = direct;
}

function forgetKeys() {
  els.accessKeyId.value = "";
  els.accessKeySecret.value = "";
}

/** How many recipients earlier sends of the same batch reached (accepted) or may have (unknown). */
async function earlierSends(identity) {
  // Only sends that reached someone (or may have): a campaign stopped before its first request is no repeat.
  const reached = (c) => c.sent + c.delivered + c.undelivered + c.expired + c.unknown > 0;
  const records = (await listCampaigns()).filter((r) => r.identity === identity && r.counts && reached(r.counts));
  const received = records.reduce((n, r) => n + r.counts.sent + r.counts.delivered + r.counts.undelivered + r.counts.expired, 0);
  const unknown = records.reduce((n, r) => n + r.counts.unknown, 0);
  const last = records.map((r) => r.startedAt).sort().at(-1);
  return records.length ? { times: records.length, received, unknown, last } : null;
}

function figure(name, term, value) {
  const div = document.createElement("div");
  div.dataset.figure = name;
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.textContent = value;
  div.append(dt, dd);
  return div;
}

/** Send pressed: the numbers the package computes for this batch, and a warning if it went before. */
async function openConfirm(event) {
  event.preventDefault();
  if (sendingController || els.confirm.open) return;
  check();
  if (blocked) return;
  const rows = readRows();
  const batch = readBatch(rows);
  const plan = planOf(batch);
  const identity = await batchIdentity(batch);
  const before = await earlierSends(identity);
  pending = { rows, batch, identity, form: readForm() };

  const both = plan.encodings.gsm7 > 0 && plan.encodings.ucs2 > 0;
  const encoding = both
    ? `${plan.encodings.gsm7.toLocaleString("en")} GSM-7, ${plan.encodings.ucs2.toLocaleString("en")} UCS-2`
    : plan.encodings.ucs2 > 0 ? "UCS-2" : "GSM-7";
  els.confirmFigures.replaceChildren(
    figure("valid", "Recipients", plan.valid.toLocaleString("en")),
    figure("rejected", "Refused before sending", plan.rejected.toLocaleString("en")),
    figure("segments", "Segments billed", plan.segments.toLocaleString("en")),
    figure("encoding", "Encoding", encoding),
    figure("requests", "Requests", plan.requests.toLocaleString("en")),
    figure("seconds", "Time at 1 call/s", plan.seconds < 1 ? duration(plan.seconds) : `about ${duration(plan.seconds)}`),
    figure("from", "Sender ID", batch.from || "none (the service's default)"),
    figure("type", "Type", batch.type),
  );
  els.confirm.dataset.seconds = String(plan.seconds);
  const who = plural(plan.valid, "recipient");
  if (before) {
    const unknown = before.unknown ? `, and ${plural(before.unknown, "more")} may have (unknown)` : "";
    els.confirmRepeat.textContent =
      `This exact batch was already sent ${before.times === 1 ? "once" : `${before.times} times`} ` +
      `(last at ${new Date(before.last).toLocaleTimeString("en-GB")}): ${plural(before.received, "recipient")} already received it${unknown}. ` +
      "Sending it again sends them the same message again, and it is billed again.";
    els.confirmRepeat.hidden = false;
    els.confirmSend.hidden = true;
    els.sendAgain.hidden = false;
    els.sendAgain.textContent = `Send again to ${who}`;
  } else {
    els.confirmRepeat.hidden = true;
    els.confirmSend.hidden = false;
    els.confirmSend.textContent = `Send to ${who}`;
    els.sendAgain.hidden = true;
  }
  els.confirmSend.disabled = false;
  els.sendAgain.disabled = false;
  // Escape closes without a value: the last one must not read as "send".
  els.confirm.returnValue = "";
  els.confirm.showModal();
  // A repeat starts on Cancel: Enter alone must not send a batch twice.
  (before ? els.confirmCancel : els.confirmSend).focus();
}

function confirmed() {
  if (!pending || sendingController) return;
  // One click sends once: the buttons are off until the dialog is opened again.
  els.confirmSend.disabled = true;
  els.sendAgain.disabled = true;
  els.confirm.close("send");
  const { rows, batch, identity, form } = pending;
  pending = null;
  const record = {
    id: crypto.randomUUID(),
    identity,
    startedAt: new Date().toISOString(),
    state: "running",
    signing: radioValue("signing"),
    endpoint: radioValue("signing") === "direct" ? els.endpoint.value.trim() : "",
    batch,
    form,
    counts: null,
    requests: null,
  };
  runCampaign({ rows, record, resume: false });
}

// ---------------------------------------------------------------------------------------------
// Sending and resuming

/** The options a campaign was sent with (recordReports and resumeCampaign need the same). */
function campaignOptions(record) {
  const options = { ...record.batch, timeoutMs: Number(record.form.timeout) || undefined, journal: campaignJournal(record.id) };
  if (record.signing === "direct") {
    // Read at the moment of sending and handed to the package; never stored by the page.
    options.credentials = { accessKeyId: els.accessKeyId.value.trim(), accessKeySecret: els.accessKeySecret.value };
    if (record.endpoint !== "") options.endpoint = record.endpoint;
  } else {
    options.signer = signer;
  }
  return options;
}

const recordProgress = (record, p) => {
  record.counts = {
    sent: p.sent, delivered: p.delivered, undelivered: p.undelivered, expired: p.expired,
    failed: p.failed, rejected: p.rejected, unknown: p.unknown, skipped: p.skipped,
  };
  record.requests = { done: p.requestsDone, total: p.requestsTotal };
};

async function runCampaign({ rows, record, resume }) {
  watchGeneration++;
  // A new send starts clean: the previous batch's results and errors go.
  shown = null;
  els.results.hidden = true;
  els.resultTable.replaceChildren();
  els.sendError.hidden = true;
  els.sendError.replaceChildren();
  els.resume.hidden = true;

  sendingController = new AbortController();
  stopRequested = false;
  els.send.disabled = true;
  els.sendNote.textContent = "";
  els.stop.hidden = false;
  els.stop.disabled = false;
  els.sending.hidden = false;
  els.progress.max = 1;
  els.progress.value = 0;
  els.progressText.textContent = resume ? "Reading what was already sent…" : "Checking the batch…";

  const options = campaignOptions(record);
  let ledger = null;
  let failure = null;
  try {
    // One tab at a time per campaign (journal.js withCampaignLock).
    const held = await withCampaignLock(record.id, async () => {
      // Saved before the first request: a reload from here on finds it and offers to resume.
      await saveCampaign(record);
      const run = resume ? resumeCampaign : sendCampaign;
      ledger = await run({
        ...options,
        signal: sendingController.signal,
        onProgress: (p) => {
          drawProgress(p);
          recordProgress(record, p);
          // Counts for the resume offer and the "send again" warning; the journal is the proof.
          saveCampaign(record).catch(() => {});
        },
      });
    });
    if (held === BUSY) failure = { busy: true };
  } catch (error) {
    failure = error;
    ledger = error?.ledger ?? null;
  } finally {
    sendingController = null;
    els.stop.hidden = true;
  }
  if (ledger) {
    record.counts = { ...ledger.counts };
    record.requests = { ...ledger.requests };
  }
  // Ended, whether finished, stopped or failed: only a reload or a crash leaves one running. (A
  // campaign another tab is sending stays as that tab leaves it.)
  if (!failure?.busy) {
    record.state = "ended";
    await saveCampaign(record).catch(() => {});
  }
  check();
  if (failure) drawSendError(failure, ledger);
  if (ledger) {
    shown = { rows, ledger, record, options };
    drawResults("all");
    els.resultsHeading.focus();
    watchDeliveries(watchGeneration);
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
    const p = document.createElement("p");
    p.append(`${plainError(error)} `, codeNote(error.code));
    lines.push(p);
    if (error.code === "OUTCOME_UNKNOWN") {
      lines.push("Check delivery (below) before sending to them again: the service may have accepted the request.");
    }
    for (const issue of error.issues ?? []) {
      const item = document.createElement("p");
      item.append(...issueNodes(issue, shown?.rows));
      lines.push(item);
    }
  } else if (error?.busy) {
    lines.push("Another tab of this browser is sending this campaign: nothing was sent from this one.");
  } else {
    lines.push(`Something unexpected went wrong: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (ledger) lines.push("The results below show what happened to each recipient.");
  els.sendError.replaceChildren(
    ...lines.map((line) => {
      if (typeof line !== "string") return line;
      const p = document.createElement("p");
      p.textContent = line;
      return p;
    }),
  );
  els.sendError.dataset.code = error?.code ?? "";
  els.sendError.tabIndex = -1;
  els.sendError.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Results

const shownState = (state) => (ACCEPTED.has(state) ? "sent" : state);

/** The Reason column: a plain sentence, then the code (small) for anything not accepted. */
function reasonOf(r, rows) {
  const state = shownState(r.state);
  const issue = r.state === "rejected" ? shown.issues.get(r.index) : undefined;
  const text = issue ? plainIssue(issue, rows) : STATE_NOTES[state];
  return r.code && state !== "sent" ? [`${text} `, codeNote(r.code)] : text;
}

/** The Delivery column: what the reports said, "pending" while none has, nothing if never sent. */
function deliveryOf(r) {
  if (r.state === "sent") return "pending";
  if (r.state === "undelivered" || r.state === "expired") return r.code ? `${r.state} (${r.code})` : r.state;
  return r.state === "delivered" ? "delivered" : "";
}

function drawResults(filter) {
  const { ledger, rows } = shown;
  const { counts } = ledger;
  // Rejected rows' reasons, read once from the package's plan of this batch.
  shown.issues ??= new Map(
    planCampaign(shown.record.batch)
      .issues.filter((i) => i.index !== null)
      .reverse()
      .map((i) => [i.index, i]),
  );
  const accepted = counts.sent + counts.delivered + counts.undelivered + counts.expired;
  const byState = { sent: accepted, failed: counts.failed, rejected: counts.rejected, unknown: counts.unknown, skipped: counts.skipped };
  els.results.hidden = false;
  els.progress.max = Math.max(ledger.requests.total, 1);
  els.progress.value = ledger.requests.done;
  els.resultSummary.textContent =
    `${plural(ledger.recipients.length, "recipient")}: ` +
    STATES.map((s) => `${byState[s].toLocaleString("en")} ${s}`).join(", ") +
    ` (${plural(ledger.requests.done, "request")}).`;
  els.deliverySummary.hidden = accepted === 0;
  els.deliverySummary.textContent =
    `Delivery: ${counts.delivered.toLocaleString("en")} delivered, ${counts.undelivered.toLocaleString("en")} undelivered, ` +
    `${counts.expired.toLocaleString("en")} expired, ${counts.sent.toLocaleString("en")} pending.`;

  // The filter: one radio per state present. Redrawn as reports arrive, so the focus is kept.
  const focused = document.activeElement?.name === "result-filter" ? document.activeElement.value : null;
  const choices = [["all", ledger.recipients.length], ...STATES.filter((s) => byState[s] > 0).map((s) => [s, byState[s]])];
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
  if (focused) els.filter.querySelector(`input[value="${focused}"]`)?.focus();

  const list = filter === "all" ? ledger.recipients : ledger.recipients.filter((r) => shownState(r.state) === filter);
  const fragment = document.createDocumentFragment();
  const labels = labelsOf(els.resultTable);
  // A request's RequestId once, on its first row: the rows after it until another are the same request.
  let lastRequestId = null;
  for (const r of list.slice(0, RESULTS_SHOWN)) {
    const firstOfRequest = r.requestId !== null && r.requestId !== lastRequestId;
    if (r.requestId !== null) lastRequestId = r.requestId;
    const tr = tableRow(labels, [
      String(rows[r.index]?.line ?? r.index + 1),
      r.to,
      shownState(r.state),
      r.normalizedTo ?? "",
      r.messageId ?? "",
      firstOfRequest ? r.requestId : "",
      deliveryOf(r),
      reasonOf(r, rows),
    ]);
    const state = shownState(r.state);
    tr.className = `state-${state}${firstOfRequest ? " request-start" : ""}`;
    tr.dataset.state = state;
    tr.dataset.ledgerState = r.state;
    tr.dataset.index = String(r.index);
    if (r.requestId !== null) tr.dataset.requestId = r.requestId;
    if (r.requestId !== null && !firstOfRequest) tr.cells[5].setAttribute("aria-label", "same request as the row above");
    tr.cells[2].className = "state";
    tr.cells[6].className = `delivery delivery-${r.state}`;
    fragment.append(tr);
  }
  els.resultTable.replaceChildren(fragment);
  els.resultsMore.hidden = list.length <= RESULTS_SHOWN;
  els.resultsMore.textContent = `Showing the first ${RESULTS_SHOWN.toLocaleString("en")} of ${list.length.toLocaleString("en")}; the CSV export has them all.`;
  els.export.textContent = `Export ${plural(list.length, "row")} as CSV`;
  els.export.dataset.filter = filter;
}

/**
 * Delivery: every second, asks the page's server (config.deliveriesUrl, www/server.mjs) what the
 * service reported for the rows still "sent", and records the answers in the campaign with
 * recordReports, which moves rows forward only and writes the journal. One writer: the campaign
 * has ended, and each round awaits the last.
 */
async function watchDeliveries(generation) {
  if (!config.deliveriesUrl || !shown) return;
  const until = Date.now() + DELIVERY_WATCH_MS;
  while (generation === watchGeneration && shown && Date.now() < until) {
    const waiting = shown.ledger.recipients.filter((r) => r.state === "sent" && r.messageId !== null).map((r) => r.messageId);
    if (waiting.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, DELIVERY_POLL_MS));
    if (generation !== watchGeneration) return;
    try {
      const reports = [];
      for (let i = 0; i < waiting.length; i += DELIVERY_CHUNK) {
        const response = await fetch(config.deliveriesUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ messageIds: waiting.slice(i, i + DELIVERY_CHUNK) }),
        });
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        reports.push(...(await response.json()).reports);
      }
      if (reports.length === 0 || generation !== watchGeneration) continue;
      const ledger = await withCampaignLock(shown.record.id, () => recordReports({ ...shown.options, reports }));
      if (ledger === BUSY) continue;
      if (generation !== watchGeneration) return;
      shown.ledger = ledger;
      shown.record.counts = { ...ledger.counts };
      await saveCampaign(shown.record).catch(() => {});
      drawResults(els.export.dataset.filter ?? "all");
    } catch {
      // The server or the journal could not answer this round: the next one asks again.
    }
  }
}

/** Downloads the rows shown (all, or one state) as the package writes them: resultsCsv. */
function exportResults() {
  const filter = els.export.dataset.filter ?? "all";
  const { ledger, rows } = shown;
  const recipients = filter === "all" ? ledger.recipients : ledger.recipients.filter((r) => shownState(r.state) === filter);
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
// A campaign left running by a reload or a crash

let unfinished = null;

/** Offers the most recent campaign that was still running, with what its journal proves so far. */
async function offerResume() {
  // A campaign another tab is sending right now is that tab's, not an unfinished one.
  const inUse = await campaignsInUse();
  const running = (await listCampaigns())
    .filter((r) => r.state === "running" && !inUse.has(r.id))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  unfinished = running.at(-1) ?? null;
  if (!unfinished) return;
  const started = new Date(unfinished.startedAt).toLocaleString("en-GB");
  // The form shows the campaign as it was composed.
  writeForm(unfinished.form);
  check();
  let known = "";
  if (unfinished.signing === "service") {
    // recordReports with no reports sends nothing and writes nothing: it reads the journal.
    try {
      const ledger = await recordReports({ ...campaignOptions(unfinished), reports: [] });
      recordProgress(unfinished, { ...ledger.counts, requestsDone: ledger.requests.done, requestsTotal: ledger.requests.total });
    } catch (error) {
      known = ` Its record cannot be read (${isSmsError(error) ? error.code : "unreadable"}).`;
    }
  } else {
    known = " It was signed with direct keys: enter them again below before resuming.";
  }
  const c = unfinished.counts;
  const r = unfinished.requests;
  const so = c
    ? `${r.done} of ${plural(r.total, "request")} done: ${c.sent.toLocaleString("en")} sent, ${c.failed} failed, ${c.rejected} rejected, ${c.unknown} unknown.`
    : "No request was finished.";
  els.resumeText.textContent =
    `Started ${started} to ${plural(unfinished.batch.to.length, "recipient")}, and not finished (the page was closed or reloaded). ` +
    `${so}${known} Resuming sends only to those not sent yet; anyone whose request was on its way is marked unknown and never sent twice.`;
  els.resume.hidden = false;
  els.resumeHeading.focus();
}

async function resume() {
  if (!unfinished || sendingController) return;
  const record = unfinished;
  unfinished = null;
  writeForm(record.form);
  check();
  record.state = "running";
  await runCampaign({ rows: readRows(), record, resume: true });
}

async function discard() {
  if (!unfinished) return;
  const record = unfinished;
  unfinished = null;
  // Kept as ended (not deleted): its counts still guard against sending the same batch again.
  record.state = "ended";
  await saveCampaign(record);
  els.resume.hidden = true;
}

// ---------------------------------------------------------------------------------------------
// Start

async function loadCsvFile() {
  const file = els.csvFile.files?.[0];
  if (!file) return;
  els.recipients.value = await file.text();
  drawLineNumbers();
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
  els.recipients.addEventListener("input", drawLineNumbers);
  els.recipients.addEventListener("scroll", () => (els.recipientLines.scrollTop = els.recipients.scrollTop));
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
  els.form.addEventListener("submit", (event) => {
    openConfirm(event).catch((error) => drawSendError(error, null));
  });
  els.confirmSend.addEventListener("click", confirmed);
  els.sendAgain.addEventListener("click", confirmed);
  els.confirmCancel.addEventListener("click", () => els.confirm.close("cancel"));
  els.confirm.addEventListener("close", () => {
    if (els.confirm.returnValue !== "send") {
      pending = null;
      els.send.focus();
    }
  });
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
  els.resumeGo.addEventListener("click", () => resume().catch((error) => drawSendError(error, null)));
  els.resumeDiscard.addEventListener("click", () => discard().catch((error) => drawSendError(error, null)));
  showMessageMode();
  showSigningMode();
  drawLineNumbers();
  check();
  if (await durable()) {
    await offerResume();
  } else {
    // No IndexedDB (a private window may refuse it): sending works, resuming after a reload does not.
    els.target.append(" This browser keeps no record of campaigns, so a campaign cut off by a reload cannot be resumed.");
  }
  document.body.dataset.ready = "true";
}

start();
