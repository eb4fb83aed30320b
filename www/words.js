// What the page says about a problem, for a person rather than a developer (issue 16): a plain
// sentence first, the package's own detail after it with 1-based lines and positions, and the
// code last and small (for a support ticket). The facts are the package's (validateBatch's,
// planCampaign's and readCsvCampaign's issues, an SmsError's code); only the wording is here.

/** The first, plain sentence for each issue code (src/batch.rs IssueCode, src/csv_campaign.rs CsvIssueCode). */
const LEADS = {
  RECIPIENT_EMPTY: "There is no number on this line.",
  RECIPIENT_INVALID_CHARACTER: "This number has a character a phone number cannot have.",
  RECIPIENT_TOO_SHORT: "This number is too short.",
  RECIPIENT_TOO_LONG: "This number is too long.",
  RECIPIENT_UNKNOWN_DIALING_CODE: "This number needs its country code, such as +852.",
  RECIPIENT_MAINLAND_CHINA:
    "Numbers in the Chinese mainland (+86) cannot be reached by this service; Hong Kong (+852), Macau (+853) and Taiwan (+886) can.",
  RECIPIENT_WRONG_LENGTH: "No number in that country has this many digits.",
  RECIPIENT_DUPLICATE: "This number is already in the list.",
  MESSAGE_EMPTY: "The message is empty.",
  MESSAGE_TOO_LONG: "The message is too long.",
  MESSAGE_NUL_CHARACTER: "The message holds an invisible NUL character.",
  MESSAGE_LONE_SURROGATE: "The message holds a broken character (half of an emoji).",
  MESSAGE_COUNT_MISMATCH: "Not every recipient has a message.",
  SENDER_ID_INVALID_CHARACTER: "A sender ID may hold only the letters A to Z and digits.",
  SENDER_ID_TOO_LONG: "This sender ID is too long.",
  BATCH_EMPTY: "There are no recipients.",
  BATCH_TOO_LARGE: "More recipients than one request takes.",
  BATCH_TOO_LONG: "The batch is too long for one request.",
  TYPE_INVALID: "Choose NOTIFY or MKT.",
  TASK_ID_TOO_LONG: "This TaskId is too long.",
  TASK_ID_INVALID_CHARACTER: "This TaskId holds a character it cannot have.",
  VALIDITY_PERIOD_INVALID: "The validity period is not allowed.",
  CHANNEL_ID_TOO_LONG: "This channel ID is too long.",
  CHANNEL_ID_INVALID_CHARACTER: "This channel ID holds a character it cannot have.",
  CSV_UNTERMINATED_QUOTE: "A quote opens on this line and never closes: this line and the ones after it were not read.",
  CSV_NO_RECORDS: "There are no lines to read.",
  CSV_UNKNOWN_COLUMN: "The header has no such column.",
  CSV_MISSING_CELL: "This line has too few cells: it was left out.",
  CSV_EMPTY_VALUE: "A cell the message needs is empty on this line: it was left out.",
  CSV_EXTRA_CELLS: "This line has more cells than expected, most often a message with a comma not in double quotes: it was left out.",
};

/** What the page says about an SmsError that ended a send (pkg-template/errors.js codes). */
const ERROR_LEADS = {
  OUTCOME_UNKNOWN: "The service may or may not have received the last request: its recipients are marked unknown.",
  ABORTED: "Sending was stopped.",
  THROTTLED: "The service asked to slow down more times than the page retries.",
  CONNECTION_FAILED: "The service could not be reached: nothing was sent in the last request.",
  SIGNING_FAILED: "The signing service did not sign the request.",
  INVALID_BATCH: "The batch has problems: nothing was sent.",
  INVALID_CREDENTIALS: "The AccessKey is missing or malformed.",
  INVALID_ENDPOINT: "The endpoint is not a URL the package sends to.",
  JOURNAL_EMPTY: "The page has no record of this campaign to resume from: nothing was sent.",
  JOURNAL_CORRUPT: "The record of this campaign is damaged, so it cannot be resumed safely: nothing was sent.",
  JOURNAL_MISMATCH: "The record belongs to another batch, key or endpoint: nothing was sent.",
  JOURNAL_FAILED: "The page could not write its record of the campaign, so it stopped before sending more.",
  SIGNATURE_REJECTED: "The service refused the request's signature.",
  CREDENTIALS_REJECTED: "The service does not accept this AccessKey.",
  PERMISSION_DENIED: "This AccessKey may not send SMS.",
  SERVICE_REJECTED: "The service refused the request.",
  REQUEST_REJECTED: "The service refused the request.",
  UNEXPECTED_RESPONSE: "The service answered in a way the page cannot read.",
};

/** Codes whose plain sentence already says all the package's sentence does. */
const SAID = new Set(["RECIPIENT_EMPTY", "RECIPIENT_MAINLAND_CHINA", "MESSAGE_EMPTY", "BATCH_EMPTY"]);

/**
 * The package's sentence for people, made to read as this page counts: no `to[7]:` in front,
 * lines instead of 0-based recipient numbers, positions from 1.
 */
export function detail(message, rows) {
  return message
    .replace(/^[A-Za-z]+(?:\[\d+\])?: /, "")
    .replace(/^line \d+: /, "")
    .replace(/position (\d+) \((?:UTF-16 units )?from 0\)/g, (_, n) => `position ${Number(n) + 1}`)
    .replace(/recipient #(\d+)/g, (_, i) => `line ${rows?.[Number(i)]?.line ?? Number(i) + 1}`);
}

/** The plain sentence for an issue: the lead, then the package's detail (for a duplicate, its line). */
export function plainIssue(issue, rows) {
  const lead = LEADS[issue.code];
  if (issue.code === "RECIPIENT_DUPLICATE" && issue.duplicateOf !== null && issue.duplicateOf !== undefined) {
    return `This number is already on line ${rows?.[issue.duplicateOf]?.line ?? issue.duplicateOf + 1}.`;
  }
  if (lead && SAID.has(issue.code)) return lead;
  const more = detail(issue.message, rows);
  if (!lead) return capitalise(more);
  // A lead that already says everything (a mainland number) is not followed by the same words.
  return more ? `${lead} ${capitalise(more)}${/[.!?]$/.test(more) ? "" : "."}` : lead;
}

export function plainError(error) {
  const lead = ERROR_LEADS[error?.code];
  const more = error?.message ? detail(String(error.message)) : "";
  return lead ? `${lead} ${capitalise(more)}${/[.!?]$/.test(more) || !more ? "" : "."}` : capitalise(more);
}

const capitalise = (text) => (text ? text[0].toUpperCase() + text.slice(1) : text);

/** `<small class="code"><code>CODE</code></small>`, breakable after its underscores on narrow screens. */
export function codeNote(text) {
  const small = document.createElement("small");
  small.className = "code";
  const code = document.createElement("code");
  text.split("_").forEach((part, i, parts) => {
    code.append(i < parts.length - 1 ? `${part}_` : part);
    if (i < parts.length - 1) code.append(document.createElement("wbr"));
  });
  small.append(code);
  return small;
}

/** A sentence and its code, as nodes: "plain sentence. CODE". */
export function issueNodes(issue, rows) {
  return [`${plainIssue(issue, rows)} `, codeNote(issue.code)];
}
