// What the command line shows: problems with their CSV line, the plan's summary, the progress of
// a campaign (a bar redrawn on a terminal, one plain line per request otherwise) and the end.
// Progress and questions go to stderr, so stdout holds only the summary (or `--json`'s one
// object). NO_COLOR (https://no-color.org) turns colour off; a bar is drawn only on a TTY.

import { createInterface } from "node:readline";

const number = new Intl.NumberFormat("en-US");
export const n = (value) => number.format(value);

/** Colour on a terminal unless NO_COLOR is set (any non-empty value). */
export function colours(stream) {
  const on = Boolean(stream.isTTY) && !process.env.NO_COLOR;
  const paint = (code) => (text) => (on && text ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { green: paint(32), red: paint(31), yellow: paint(33), dim: paint(2), bold: paint(1) };
}

/** `1 h 02 min`, `3 min 05 s`, `7 s`. */
export function duration(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${s} s`;
}

/**
 * Every problem of a CSV file, sorted by line: the reader's (a row left out) and the package's
 * validation (a recipient rejected, `index` mapped to its line through `lines`). A person reads
 * lines, not list indexes: the validation's own `to[i]: ` is dropped (the line is printed
 * instead), and a repeat names the line of the number's first occurrence.
 */
export function problems(csv, plan) {
  const out = csv.issues.map((i) => ({ line: i.line, column: i.column ?? null, code: i.code, message: i.message.replace(/^line \d+: /, ""), to: null }));
  const lineOf = (index) => (Number.isInteger(index) && index >= 0 && index < csv.lines.length ? csv.lines[index] : null);
  for (const issue of plan.issues) {
    const index = issue.index;
    const line = lineOf(index);
    const to = line !== null ? csv.to[index] : null;
    const first = lineOf(issue.duplicateOf);
    let message = line !== null ? issue.message.replace(/^[A-Za-z]+\[\d+\]: /, "") : issue.message;
    if (first !== null) message = `the same number as line ${first}`;
    out.push({ line, column: issue.field ?? null, code: issue.code, message, to });
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** The rows read: the recipients, and each row the reader left out. */
export function rowCount(csv) {
  return csv.to.length + csv.leftOut.length;
}

export function printProblems(out, list) {
  const c = colours(out);
  for (const p of list) {
    const where = p.line === null ? "campaign" : `line ${p.line}`;
    const who = p.to !== null ? ` ${JSON.stringify(p.to)}` : p.column ? ` (${p.column})` : "";
    out.write(`${c.red(where)}${who}: ${p.code} — ${p.message}\n`);
  }
}

/** The summary of `check` (and of `send` before it asks). */
export function printPlan(out, { file, rows, plan, problemCount }) {
  const c = colours(out);
  const encodings = [];
  if (plan.encodings.gsm7) encodings.push(`${n(plan.encodings.gsm7)} GSM-7`);
  if (plan.encodings.ucs2) encodings.push(`${n(plan.encodings.ucs2)} UCS-2 (Unicode)`);
  const lines = [
    `${c.bold(file)}`,
    `  rows               ${n(rows)}`,
    `  valid recipients   ${n(plan.valid)}`,
    `  problems           ${n(problemCount)}${plan.duplicates ? ` (duplicates: ${n(plan.duplicates)})` : ""}`,
    `  encoding           ${encodings.join(", ") || "—"}`,
    `  billed segments    ${n(plan.segments)}`,
    `  requests           ${n(plan.requests)}, about ${duration(plan.seconds)} at the account's rate`,
  ];
  out.write(`${lines.join("\n")}\n`);
}

/** Asks on the terminal; true for y/yes. */
export async function confirm(question) {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise((resolve) => {
      rl.question(question, resolve);
      rl.once("close", () => resolve(""));
      // Ctrl+C at the question is a no (readline would otherwise only pause).
      rl.once("SIGINT", () => rl.close());
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

function countsText(p) {
  const parts = [`${n(p.sent + p.delivered + p.undelivered + p.expired)} sent`, `${n(p.failed)} failed`, `${n(p.rejected)} rejected`];
  if (p.unknown) parts.push(`${n(p.unknown)} unknown`);
  if (p.skipped) parts.push(`${n(p.skipped)} skipped`);
  return parts.join(", ");
}

function deliveriesText(p) {
  return `${n(p.delivered)} delivered, ${n(p.undelivered)} undelivered, ${n(p.expired)} expired, ${n(p.sent)} awaiting a report`;
}

/**
 * A campaign's progress on `stream` (stderr): on a TTY one bar redrawn in place; otherwise one
 * line per request done. With `deliveries` (status), the delivery counts as they change.
 * `done()` ends the bar's line.
 */
export function progressReporter(stream, { deliveries = false } = {}) {
  const tty = Boolean(stream.isTTY);
  const c = colours(stream);
  let lastDone = -1;
  let lastText = "";
  let drawn = false;
  return {
    update(p) {
      if (deliveries) {
        const text = deliveriesText(p);
        if (tty) {
          stream.write(`\r\x1b[2K${text}`);
          drawn = true;
        } else if (text !== lastText) {
          stream.write(`${text}\n`);
        }
        lastText = text;
      } else if (tty) {
        const width = 24;
        const filled = p.requestsTotal ? Math.round((width * p.requestsDone) / p.requestsTotal) : width;
        const bar = c.green("█".repeat(filled)) + c.dim("░".repeat(width - filled));
        const eta = p.requestsDone < p.requestsTotal ? `ETA ${duration(p.etaMs / 1000)}` : "done";
        stream.write(`\r\x1b[2K${bar} ${n(p.requestsDone)}/${n(p.requestsTotal)} requests · ${countsText(p)} · ${eta}`);
        drawn = true;
      } else if (p.requestsDone !== lastDone && p.requestsDone > 0) {
        // A resumed campaign's first report counts the requests done before it.
        const label = lastDone === -1 ? "done before this run" : "request";
        stream.write(`${label} ${p.requestsDone}/${p.requestsTotal}: ${countsText(p)}, ${n(p.pending)} pending, eta ${duration(p.etaMs / 1000)}\n`);
      }
      lastDone = p.requestsDone;
    },
    done() {
      if (tty && drawn) stream.write("\n");
      drawn = false;
    },
  };
}

/** The ledger's counts in one line, and the rows the CSV reader left out (not in the ledger). */
export function printCounts(out, counts, leftOut = 0) {
  const c = colours(out);
  const parts = [];
  for (const [state, paint] of [
    ["sent", c.green],
    ["delivered", c.green],
    ["undelivered", c.red],
    ["expired", c.red],
    ["failed", c.red],
    ["rejected", c.yellow],
    ["unknown", c.red],
    ["skipped", c.yellow],
  ]) {
    if (counts[state]) parts.push(paint(`${n(counts[state])} ${state}`));
  }
  if (leftOut) parts.push(c.yellow(`${n(leftOut)} ${leftOut === 1 ? "row" : "rows"} left out (CSV problems)`));
  if (parts.length === 0) parts.push("0 sent");
  out.write(`${parts.join(" · ")}\n`);
}
